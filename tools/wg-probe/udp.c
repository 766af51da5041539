/* SPDX-License-Identifier: MIT */
/* The underlay: one UDP socket, IPv4 or IPv6 (dual-stack when listening). */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "net/addr.h"
#include "probe.h"

int probe_addr_parse(struct probe_addr *a, const char *host_port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	char host[256];
	const char *port;
	int rc;

	if (net_host_port_split(host_port, host, &port) < 0 || !port || !*port) {
		fprintf(stderr, "wg-probe: endpoint '%s' is not HOST:PORT or [V6]:PORT\n",
			host_port);
		return -EINVAL;
	}
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc) {
		fprintf(stderr, "wg-probe: endpoint '%s': %s\n", host_port, gai_strerror(rc));
		return -EINVAL;
	}
	memcpy(&a->ss, res->ai_addr, res->ai_addrlen);
	a->len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

void probe_addr_format(char *buf, size_t size, const struct probe_addr *a)
{
	char text[NET_ENDPOINT_TEXT_MAX];
	struct net_endpoint ep;

	if (!net_endpoint_from_sockaddr(&a->ss, &ep)) {
		snprintf(buf, size, "(unknown address family %d)", a->ss.ss_family);
		return;
	}
	net_endpoint_format(&ep, text);
	snprintf(buf, size, "%s", text);
}

size_t probe_addr_bytes(uint8_t out[18], const struct probe_addr *a)
{
	struct net_endpoint ep;
	size_t n;

	net_endpoint_from_sockaddr(&a->ss, &ep);
	n = net_family_len(ep.addr.family);
	memcpy(out, ep.addr.b, n);
	out[n] = (uint8_t)(ep.port >> 8);
	out[n + 1] = (uint8_t)ep.port;
	return n + 2;
}

/* A listening-only socket takes both families when the host has IPv6. */
static int open_socket(int family, uint16_t port)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int fd, off = 0;

	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		len = sizeof(*in6);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		len = sizeof(*in);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int probe_udp_open(struct probe *p)
{
	int fd;

	if (p->have_peer) {
		fd = open_socket(p->peer.ss.ss_family, p->opt->listen_port);
	} else {
		fd = open_socket(AF_INET6, p->opt->listen_port);
		if (fd == -EAFNOSUPPORT)
			fd = open_socket(AF_INET, p->opt->listen_port);
	}
	if (fd < 0) {
		fprintf(stderr, "wg-probe: UDP socket on port %u: %s\n", p->opt->listen_port,
			strerror(-fd));
		return fd;
	}
	p->fd = fd;
	return 0;
}

int probe_udp_send_to(struct probe *p, const struct probe_addr *to, const void *buf, size_t len)
{
	char where[80];

	if (sendto(p->fd, buf, len, 0, (const struct sockaddr *)&to->ss, to->len) == (ssize_t)len)
		return 0;
	probe_addr_format(where, sizeof(where), to);
	fprintf(stderr, "wg-probe: send to %s: %s\n", where, strerror(errno));
	return -EIO;
}

int probe_udp_send(struct probe *p, const void *buf, size_t len)
{
	if (!p->have_peer)
		return -EDESTADDRREQ;
	return probe_udp_send_to(p, &p->peer, buf, len);
}

ssize_t probe_udp_recv(struct probe *p, void *buf, size_t size, int timeout_ms,
		       struct probe_addr *from)
{
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
	ssize_t n;
	int rc;

	rc = poll(&pfd, 1, timeout_ms);
	if (rc < 0)
		return -errno;
	if (rc == 0)
		return 0;
	from->len = sizeof(from->ss);
	n = recvfrom(p->fd, buf, size, MSG_TRUNC, (struct sockaddr *)&from->ss, &from->len);
	if (n < 0)
		return -errno;
	if ((size_t)n > size)
		return -EMSGSIZE;
	return n;
}

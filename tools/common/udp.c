/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config/value.h"
#include "signaling/endpoint.h"
#include "udp.h"

int omni_udp_connect_addr(const struct net_endpoint *to, const char *bind_ip, unsigned bind_port,
			  char *err, size_t errlen)
{
	static const uint8_t any[16];
	unsigned f = to->addr.family == NET_AF_IP6 ? NET_AF_IP6 : NET_AF_IP4;
	int family = net_family_to_af(f);
	struct sockaddr_storage ss, bs;
	struct net_endpoint b = { .port = (uint16_t)bind_port };
	socklen_t sl = net_endpoint_to_sockaddr(to, family, &ss), bl;
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	net_addr_set(&b.addr, f, any);
	if (bind_ip && (net_addr_parse(bind_ip, &b.addr) < 0 || b.addr.family != f)) {
		snprintf(err, errlen, "bad bind address '%s'", bind_ip);
		goto fail;
	}
	bl = net_endpoint_to_sockaddr(&b, family, &bs);
	if (fd < 0 || bind(fd, (struct sockaddr *)&bs, bl) < 0 ||
	    connect(fd, (struct sockaddr *)&ss, sl) < 0) {
		snprintf(err, errlen, "udp socket: %s", strerror(errno));
		goto fail;
	}
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

int omni_udp_resolve(const char *text, struct net_endpoint *out, char *err, size_t errlen)
{
	return sig_endpoint_resolve(text, out, 0, NET_AF_NONE, cfg_host_resolve, err, errlen);
}

int omni_udp_connect(const char *to, const char *bind_ip, unsigned bind_port, char *err,
		     size_t errlen)
{
	struct net_endpoint a;

	if (omni_udp_resolve(to, &a, err, errlen) < 0)
		return -1;
	return omni_udp_connect_addr(&a, bind_ip, bind_port, err, errlen);
}

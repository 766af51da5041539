// SPDX-License-Identifier: MIT
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* Splits text into host and port strings; -EINVAL on a bad shape. */
static int split(const char *text, char host[256], const char **port)
{
	const char *colon;
	size_t n;

	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close || (close[1] && close[1] != ':'))
			return -EINVAL;
		n = (size_t)(close - text - 1);
		*port = close[1] ? close + 2 : NULL;
		text++;
	} else {
		colon = strrchr(text, ':');
		if (colon && strchr(text, ':') != colon) /* bare IPv6: no port */
			colon = NULL;
		n = colon ? (size_t)(colon - text) : strlen(text);
		*port = colon ? colon + 1 : NULL;
	}
	if (n == 0 || n > 255)
		return -EINVAL;
	memcpy(host, text, n);
	host[n] = 0;
	return 0;
}

static int port_of(const char *s, uint16_t dflt, uint16_t *out)
{
	char *end;
	unsigned long v;

	if (!s) {
		*out = dflt;
		return dflt ? 0 : -EINVAL;
	}
	v = strtoul(s, &end, 10);
	if (!*s || *end || v == 0 || v > 65535)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

int sig_endpoint_parse(const char *text, struct sig_addr *out, uint16_t default_port)
{
	const char *port;
	char host[256];

	memset(out, 0, sizeof(*out));
	if (split(text, host, &port) < 0 || port_of(port, default_port, &out->port) < 0)
		return -EINVAL;
	if (inet_pton(AF_INET, host, out->ip) == 1)
		out->family = 4;
	else if (inet_pton(AF_INET6, host, out->ip) == 1)
		out->family = 6;
	else
		return -EINVAL;
	return 0;
}

int sig_endpoint_resolve(const char *text, struct sig_addr *out, uint16_t default_port,
			 int prefer, sig_resolver resolve, char *err, size_t errlen)
{
	int family = prefer == 6 ? AF_INET6 : prefer == 4 ? AF_INET : AF_UNSPEC;
	struct sockaddr_storage ss;
	const char *port, *why = "no address";
	char host[256];
	uint16_t p;
	int rc;

	if (sig_endpoint_parse(text, out, default_port) == 0)
		return 0;
	if (split(text, host, &port) < 0 || port_of(port, default_port, &p) < 0) {
		snprintf(err, errlen, "'%s': expected HOST:PORT or [IPV6]:PORT", text);
		return -EINVAL;
	}
	rc = resolve(host, p, family, &ss, &why);
	if (rc == 0) {
		sig_addr_from_sockaddr(&ss, out);
		if (out->family)
			return 0;
		why = "no IPv4 or IPv6 address";
		rc = -ENOENT;
	}
	snprintf(err, errlen, "'%s': %s", host, why);
	return rc;
}

void sig_endpoint_format(const struct sig_addr *a, char out[SIG_ENDPOINT_TEXT_MAX])
{
	char ip[INET6_ADDRSTRLEN];

	if (a->family == 4) {
		inet_ntop(AF_INET, a->ip, ip, sizeof(ip));
		snprintf(out, SIG_ENDPOINT_TEXT_MAX, "%s:%u", ip, a->port);
	} else if (a->family == 6) {
		inet_ntop(AF_INET6, a->ip, ip, sizeof(ip));
		snprintf(out, SIG_ENDPOINT_TEXT_MAX, "[%s]:%u", ip, a->port);
	} else {
		snprintf(out, SIG_ENDPOINT_TEXT_MAX, "none");
	}
}

socklen_t sig_addr_to_sockaddr(const struct sig_addr *a, int sock_family,
			       struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (sock_family == AF_INET6 && (a->family == 4 || a->family == 6)) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(a->port);
		if (a->family == 4) {
			memcpy(s6->sin6_addr.s6_addr, v4mapped, 12);
			memcpy(s6->sin6_addr.s6_addr + 12, a->ip, 4);
		} else {
			memcpy(s6->sin6_addr.s6_addr, a->ip, 16);
		}
		return sizeof(*s6);
	}
	if (sock_family == AF_INET && a->family == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(a->port);
		memcpy(&s4->sin_addr, a->ip, 4);
		return sizeof(*s4);
	}
	return 0;
}

void sig_addr_from_sockaddr(const struct sockaddr_storage *ss, struct sig_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		a->port = ntohs(s6->sin6_port);
		if (memcmp(s6->sin6_addr.s6_addr, v4mapped, 12) == 0) {
			a->family = 4;
			memcpy(a->ip, s6->sin6_addr.s6_addr + 12, 4);
		} else {
			a->family = 6;
			memcpy(a->ip, s6->sin6_addr.s6_addr, 16);
		}
	} else if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		a->family = 4;
		a->port = ntohs(s4->sin_port);
		memcpy(a->ip, &s4->sin_addr, 4);
	}
}

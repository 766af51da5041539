/* SPDX-License-Identifier: MIT */
/* Addresses to and from text and the socket API (addr.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/addr.h"

/* ::ffff:0:0/96, RFC 4291 section 2.5.5.2 */
static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

enum net_family net_family_from_af(int af)
{
	return af == AF_INET ? NET_AF_IP4 : af == AF_INET6 ? NET_AF_IP6 : NET_AF_NONE;
}

int net_family_to_af(unsigned f)
{
	return f == NET_AF_IP4 ? AF_INET : f == NET_AF_IP6 ? AF_INET6 : AF_UNSPEC;
}

void net_addr_set(struct net_addr *a, unsigned f, const void *p)
{
	memset(a, 0, sizeof(*a));
	if (!net_family_len(f))
		return;
	a->family = (uint8_t)f;
	memcpy(a->b, p, net_family_len(f));
}

bool net_addr_is_unicast(const struct net_addr *a)
{
	static const uint8_t zero[15];
	const uint8_t *b = a->b;

	/* RFC 1122 3.2.1.3, RFC 5771, RFC 1112 4; RFC 4291 2.5.2, 2.5.3, 2.7 */
	if (a->family == NET_AF_IP4)
		return b[0] != 0 && b[0] != 127 && b[0] < 224;
	return a->family == NET_AF_IP6 && b[0] != 0xff && (memcmp(b, zero, 15) != 0 || b[15] > 1);
}

bool net_prefix_contains(const struct net_prefix *p, const struct net_addr *a)
{
	return p->addr.family == a->family && net_addr_is_set(a) &&
	       (p->len == 0 || net_prefix_match(p->addr.b, p->len, a->b));
}

bool net_prefix_mask(struct net_prefix *p)
{
	unsigned bytes = net_family_len(p->addr.family);
	bool changed = false;

	for (unsigned i = 0; i < bytes; i++) {
		unsigned keep = p->len > i * 8 ? p->len - i * 8 : 0;
		uint8_t mask = keep >= 8 ? 0xff : (uint8_t)(0xff00u >> keep);

		if (p->addr.b[i] & (uint8_t)~mask)
			changed = true;
		p->addr.b[i] &= mask;
	}
	return changed;
}

int net_prefix_cmp(const struct net_prefix *a, const struct net_prefix *b)
{
	if (a->addr.family != b->addr.family)
		return a->addr.family < b->addr.family ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return memcmp(a->addr.b, b->addr.b, net_family_len(a->addr.family));
}

void net_prefix_host(struct net_prefix *p, const struct net_addr *a)
{
	net_addr_set(&p->addr, a->family, a->b);
	p->len = (uint8_t)net_family_bits(a->family);
}

/* ---- text ---- */

static bool ntop(const struct net_addr *a, char out[NET_ADDR_TEXT_MAX])
{
	return net_addr_is_set(a) &&
	       inet_ntop(net_family_to_af(a->family), a->b, out, NET_ADDR_TEXT_MAX);
}

void net_addr_format(const struct net_addr *a, char out[NET_ADDR_TEXT_MAX])
{
	if (!ntop(a, out))
		snprintf(out, NET_ADDR_TEXT_MAX, "none");
}

void net_endpoint_format(const struct net_endpoint *ep, char out[NET_ENDPOINT_TEXT_MAX])
{
	char ip[NET_ADDR_TEXT_MAX];

	if (!ntop(&ep->addr, ip))
		snprintf(out, NET_ENDPOINT_TEXT_MAX, "none");
	else if (ep->addr.family == NET_AF_IP4)
		snprintf(out, NET_ENDPOINT_TEXT_MAX, "%s:%u", ip, ep->port);
	else
		snprintf(out, NET_ENDPOINT_TEXT_MAX, "[%s]:%u", ip, ep->port);
}

void net_prefix_format(const struct net_prefix *p, char out[NET_PREFIX_TEXT_MAX])
{
	char ip[NET_ADDR_TEXT_MAX];

	if (!ntop(&p->addr, ip))
		snprintf(out, NET_PREFIX_TEXT_MAX, "(none)");
	else
		snprintf(out, NET_PREFIX_TEXT_MAX, "%s/%u", ip, p->len);
}

int net_addr_parse(const char *text, struct net_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, text, out->b) == 1)
		out->family = NET_AF_IP4;
	else if (inet_pton(AF_INET6, text, out->b) == 1)
		out->family = NET_AF_IP6;
	else
		return -EINVAL;
	return 0;
}

int net_host_port_split(const char *text, char host[256], const char **port)
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

int net_port_parse(const char *s, uint16_t dflt, uint16_t *out)
{
	char *end;
	unsigned long v;

	if (!s) {
		*out = dflt;
		return dflt ? 0 : -EINVAL;
	}
	if (*s < '0' || *s > '9')
		return -EINVAL;
	v = strtoul(s, &end, 10);
	if (*end || v == 0 || v > 65535)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

int net_endpoint_parse(const char *text, uint16_t default_port, struct net_endpoint *out)
{
	const char *port;
	char host[256];

	memset(out, 0, sizeof(*out));
	if (net_host_port_split(text, host, &port) < 0 ||
	    net_port_parse(port, default_port, &out->port) < 0 ||
	    net_addr_parse(host, &out->addr) < 0) {
		memset(out, 0, sizeof(*out));
		return -EINVAL;
	}
	return 0;
}

/* Decimal digits only, read left to right: the first problem met names the
 * error, as the configuration's numbers do ("99x" is over 32, "3x" not a number). */
static int prefix_len_parse(const char *text, unsigned max, uint8_t *len, const char **why)
{
	unsigned long v = 0;
	const char *c;

	for (c = text; *c; c++) {
		if (*c < '0' || *c > '9') {
			*why = "prefix length is not a number";
			return -EINVAL;
		}
		v = v * 10 + (unsigned long)(*c - '0');
		if (v > max) {
			*why = max == 32 ? "prefix length over 32" : "prefix length over 128";
			return -EINVAL;
		}
	}
	if (c == text) {
		*why = "prefix length is not a number";
		return -EINVAL;
	}
	*len = (uint8_t)v;
	return 0;
}

int net_prefix_parse(const char *text, struct net_prefix *out, const char **why)
{
	char buf[NET_ADDR_TEXT_MAX + 8];
	struct net_prefix p = { 0 };
	char *slash;
	int af;

	if (strlen(text) >= sizeof(buf)) {
		*why = "not an IPv4 or IPv6 address";
		return -EINVAL;
	}
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	af = strchr(buf, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(af, buf, p.addr.b) != 1) {
		*why = af == AF_INET6 ? "not an IPv6 address" : "not an IPv4 address";
		return -EINVAL;
	}
	p.addr.family = net_family_from_af(af);
	p.len = (uint8_t)net_family_bits(p.addr.family);
	if (slash && prefix_len_parse(slash + 1, p.len, &p.len, why))
		return -EINVAL;
	*out = p;
	return 0;
}

/* ---- the socket API ---- */

socklen_t net_endpoint_to_sockaddr(const struct net_endpoint *ep, int sock_family,
				   struct sockaddr_storage *ss)
{
	const struct net_addr *a = &ep->addr;

	memset(ss, 0, sizeof(*ss));
	if (sock_family == AF_INET6 && net_addr_is_set(a)) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(ep->port);
		if (a->family == NET_AF_IP4) {
			memcpy(s6->sin6_addr.s6_addr, v4mapped, sizeof(v4mapped));
			memcpy(s6->sin6_addr.s6_addr + 12, a->b, 4);
		} else {
			memcpy(s6->sin6_addr.s6_addr, a->b, 16);
		}
		return sizeof(*s6);
	}
	if (sock_family == AF_INET && a->family == NET_AF_IP4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(ep->port);
		memcpy(&s4->sin_addr, a->b, 4);
		return sizeof(*s4);
	}
	return 0;
}

bool net_endpoint_from_sockaddr(const struct sockaddr_storage *ss, struct net_endpoint *ep)
{
	memset(ep, 0, sizeof(*ep));
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		const uint8_t *b = s6->sin6_addr.s6_addr;

		ep->port = ntohs(s6->sin6_port);
		if (memcmp(b, v4mapped, sizeof(v4mapped)) == 0)
			net_addr_set(&ep->addr, NET_AF_IP4, b + 12);
		else
			net_addr_set(&ep->addr, NET_AF_IP6, b);
		return true;
	}
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		ep->port = ntohs(s4->sin_port);
		net_addr_set(&ep->addr, NET_AF_IP4, &s4->sin_addr);
		return true;
	}
	return false;
}

uint32_t net_sockaddr_scope(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)ss)->sin6_scope_id : 0;
}

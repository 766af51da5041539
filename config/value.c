/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "value.h"

enum {
	HOST_MAX = 253,    /* longest DNS name (RFC 1035, section 2.3.4) */
	KEY_LIKE_RUN = 32, /* base64 run long enough to be (part of) a key */
};

int cfg_uint_parse(const char *text, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	const char *p = text;

	if (*p == '\0')
		return -EINVAL;
	for (; *p; p++) {
		unsigned long digit = (unsigned long)(*p - '0');

		if (*p < '0' || *p > '9')
			return -EINVAL;
		if (digit > max || v > (max - digit) / 10)
			return -ERANGE;
		v = v * 10 + digit;
	}
	*out = v;
	return 0;
}

/* Splits "host:port" / "[host]:port" into host (no brackets) and port. */
static int split_host_port(const char *text, char host[HOST_MAX + 1], const char **port,
			   bool *bracketed, const char **why)
{
	const char *colon, *end;

	*bracketed = text[0] == '[';
	if (*bracketed) {
		end = strchr(text, ']');
		if (!end) {
			*why = "unclosed '[' (expected [IPv6]:PORT)";
			return -EINVAL;
		}
		if (end[1] != ':') {
			*why = "missing port after ']' (expected [IPv6]:PORT)";
			return -EINVAL;
		}
		text++;
		colon = end + 1;
	} else {
		colon = strchr(text, ':');
		if (!colon) {
			*why = "missing port (expected HOST:PORT or [IPv6]:PORT)";
			return -EINVAL;
		}
		if (strchr(colon + 1, ':')) {
			*why = "an IPv6 address needs brackets: [IPv6]:PORT";
			return -EINVAL;
		}
		end = colon;
	}
	if (end == text || (size_t)(end - text) > HOST_MAX) {
		*why = end == text ? "missing host" : "host name too long";
		return -EINVAL;
	}
	memcpy(host, text, (size_t)(end - text));
	host[end - text] = '\0';
	*port = colon + 1;
	return 0;
}

/* split_host_port, and the port as a number 1..65535. */
static int split_with_port(const char *text, char host[HOST_MAX + 1], uint16_t *port,
			   bool *bracketed, const char **why)
{
	const char *port_text;
	unsigned long v;
	int rc = split_host_port(text, host, &port_text, bracketed, why);

	if (rc)
		return rc;
	if (cfg_uint_parse(port_text, 65535, &v) || v == 0) {
		*why = "port must be 1..65535";
		return -EINVAL;
	}
	*port = (uint16_t)v;
	return 0;
}

static int parse_scope(const char *scope, uint32_t *id)
{
	unsigned long v;

	if (cfg_uint_parse(scope, UINT32_MAX, &v) == 0 && v != 0) {
		*id = (uint32_t)v;
		return 0;
	}
	*id = if_nametoindex(scope);
	return *id ? 0 : -EINVAL;
}

/* "[IPv6]" or "[IPv6%scope]": a sockaddr, the one place a scope id lives. */
static int ipv6_literal(char *host, uint16_t port, struct sockaddr_storage *ss, const char **why)
{
	struct net_endpoint ep = { .port = port };
	char *pct = strchr(host, '%');
	uint32_t scope = 0;

	memset(ss, 0, sizeof(*ss));
	if (pct)
		*pct = '\0';
	if (net_addr_parse(host, &ep.addr) < 0 || ep.addr.family != NET_AF_IP6) {
		*why = "not an IPv6 address";
		return -EINVAL;
	}
	if (pct && parse_scope(pct + 1, &scope)) {
		*why = "unknown interface in the scope (%IFNAME)";
		return -EINVAL;
	}
	net_endpoint_to_sockaddr(&ep, AF_INET6, ss);
	((struct sockaddr_in6 *)ss)->sin6_scope_id = scope;
	return 0;
}

static bool valid_host_name(const char *host)
{
	for (const char *p = host; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_'))
			return false;
	}
	return true;
}

/* The first answer of family prefer, else the first; NULL: no IPv4 or IPv6. */
static const struct addrinfo *pick_answer(const struct addrinfo *res, int prefer)
{
	const struct addrinfo *ai, *pick = NULL;

	for (ai = res; ai; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		if (!pick || (ai->ai_family == prefer && pick->ai_family != prefer))
			pick = ai;
	}
	return pick;
}

int cfg_host_resolve(const char *host, uint16_t port, int prefer, struct sockaddr_storage *ss,
		     const char **why)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_DGRAM,
				  .ai_protocol = IPPROTO_UDP };
	const struct addrinfo *pick;
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(host, NULL, &hints, &res);

	if (rc) {
		*why = rc == EAI_SYSTEM ? "cannot resolve the host name" : gai_strerror(rc);
		return rc == EAI_AGAIN ? -EAGAIN : rc == EAI_MEMORY ? -ENOMEM : -EINVAL;
	}
	pick = pick_answer(res, prefer);
	memset(ss, 0, sizeof(*ss));
	if (pick)
		memcpy(ss, pick->ai_addr, pick->ai_addrlen);
	freeaddrinfo(res);
	if (ss->ss_family == AF_INET) {
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	} else if (ss->ss_family == AF_INET6) {
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	} else {
		*why = "no IPv4 or IPv6 address";
		return -EINVAL;
	}
	return 0;
}

static int host_to_sockaddr(char *host, bool bracketed, uint16_t port, unsigned flags,
			    struct sockaddr_storage *ss, bool *from_name, const char **why)
{
	struct net_endpoint ep = { .port = port };

	*from_name = false;
	if (bracketed)
		return ipv6_literal(host, port, ss, why);
	memset(ss, 0, sizeof(*ss));
	if (net_addr_parse(host, &ep.addr) == 0 && ep.addr.family == NET_AF_IP4) {
		net_endpoint_to_sockaddr(&ep, AF_INET, ss);
		return 0;
	}
	if (!valid_host_name(host)) {
		*why = "not an IPv4 address or host name";
		return -EINVAL;
	}
	if (flags & CFG_VALUE_NO_RESOLVE) {
		*why = "host names are not resolved here";
		return -EINVAL;
	}
	*from_name = true;
	return cfg_host_resolve(host, port, AF_UNSPEC, ss, why);
}

int cfg_endpoint_parse(const char *text, unsigned flags, struct cfg_endpoint *out, const char **why)
{
	struct cfg_endpoint ep = { .name = NULL };
	char host[HOST_MAX + 1];
	uint16_t port;
	bool bracketed;
	int rc;

	rc = split_with_port(text, host, &port, &bracketed, why);
	if (rc)
		return rc;
	rc = host_to_sockaddr(host, bracketed, port, flags, &ep.addr, &ep.from_name, why);
	if (rc)
		return rc;
	if (ep.from_name && !(ep.name = strdup(text))) {
		*why = "out of memory";
		return -ENOMEM;
	}
	*out = ep;
	return 0;
}

int cfg_host_port_check(const char *text, const char **why)
{
	struct sockaddr_storage ss;
	char host[HOST_MAX + 1];
	uint16_t port;
	bool bracketed;
	int rc = split_with_port(text, host, &port, &bracketed, why);

	if (rc)
		return rc;
	if (bracketed)
		return ipv6_literal(host, port, &ss, why);
	if (!valid_host_name(host)) {
		*why = "not an IPv4 address or host name";
		return -EINVAL;
	}
	return 0;
}

void cfg_endpoint_clear(struct cfg_endpoint *ep)
{
	free(ep->name);
	memset(ep, 0, sizeof(*ep));
	ep->addr.ss_family = AF_UNSPEC;
}

void cfg_sockaddr_format(const struct sockaddr_storage *ss, char out[CFG_ADDR_TEXT_MAX])
{
	uint32_t scope = net_sockaddr_scope(ss);
	char text[NET_ENDPOINT_TEXT_MAX], ip[NET_ADDR_TEXT_MAX];
	struct net_endpoint ep;

	if (!net_endpoint_from_sockaddr(ss, &ep)) {
		snprintf(out, CFG_ADDR_TEXT_MAX, "(none)");
		return;
	}
	if (!scope) {
		net_endpoint_format(&ep, text);
		snprintf(out, CFG_ADDR_TEXT_MAX, "%s", text);
		return;
	}
	net_addr_format(&ep.addr, ip);
	snprintf(out, CFG_ADDR_TEXT_MAX, "[%s%%%u]:%u", ip, (unsigned)scope, ep.port);
}

static bool is_b64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

static bool looks_like_key(const char *s)
{
	unsigned run = 0;

	for (; *s; s++) {
		run = is_b64_char(*s) ? run + 1 : 0;
		if (run >= KEY_LIKE_RUN)
			return true;
	}
	return false;
}

void cfg_quote(char *out, size_t outlen, const char *value)
{
	size_t o = 0;
	unsigned shown = 0;

	if (!outlen)
		return;
	if (looks_like_key(value)) {
		snprintf(out, outlen, "(hidden: looks like a key)");
		return;
	}
	for (const unsigned char *p = (const unsigned char *)value; *p; p++, shown++) {
		char piece[8];

		if (shown == CFG_QUOTE_MAX) {
			snprintf(piece, sizeof(piece), "...");
		} else if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\') {
			if (*p == '"' || *p == '\\')
				snprintf(piece, sizeof(piece), "\\%c", *p);
			else
				snprintf(piece, sizeof(piece), "\\x%02x", *p);
		} else {
			snprintf(piece, sizeof(piece), "%c", *p);
		}
		if (o + strlen(piece) >= outlen)
			break;
		memcpy(out + o, piece, strlen(piece));
		o += strlen(piece);
		if (shown == CFG_QUOTE_MAX)
			break;
	}
	out[o] = '\0';
}

int cfg_vip_parse(const char *text, unsigned family, struct net_prefix *out, const char **why)
{
	struct net_prefix cluster;

	if (net_prefix_parse(text, out, why) != 0)
		goto bad;
	if (out->addr.family != family) {
		*why = family == NET_AF_IP4 ? "not an IPv4 address" : "not an IPv6 address";
		goto bad;
	}
	if (strchr(text, '/'))
		return 0;
	/* No length: the cluster network's, when the address is in it. */
	if (net_prefix_parse(CFG_DEFAULT_CLUSTER_PREFIX, &cluster, why) == 0 &&
	    net_prefix_contains(&cluster, &out->addr))
		out->len = cluster.len;
	return 0;
bad:
	out->addr.family = NET_AF_NONE;
	return -EINVAL;
}

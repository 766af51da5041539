/* SPDX-License-Identifier: MIT */
/*
 * Text to typed configuration values, shared by every reader (wg-quick file,
 * JSON file, command line) so that a value means the same wherever it is
 * written. Parsers return 0 or a negative errno and, on failure, point *why
 * at a static phrase ("prefix length over 32"); the caller adds where and
 * quotes the value (with cfg_quote, never for a secret). Prefixes are
 * net/addr.h's (net_prefix_parse, _mask, _cmp, _format), with the same
 * rules and phrases.
 */
#ifndef OMNI_CONFIG_VALUE_H
#define OMNI_CONFIG_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

enum {
	CFG_QUOTE_MAX = 64, /* characters of a value shown in a message */
};

enum cfg_value_flags {
	/* Refuse host names instead of resolving them (fuzzing, offline checks). */
	CFG_VALUE_NO_RESOLVE = 1u << 0,
};

/* Decimal, digits only, 0..max. -EINVAL when not a number, -ERANGE over max. */
int cfg_uint_parse(const char *text, unsigned long max, unsigned long *out);

/*
 * "IPv4:port", "[IPv6]:port", "[IPv6%scope]:port" or "name:port", port
 * 1..65535. A name is resolved with getaddrinfo (first answer) unless
 * CFG_VALUE_NO_RESOLVE; then from_name is set and name keeps the text.
 * Returns 0, -EINVAL, -EAGAIN (temporary resolver failure) or -ENOMEM.
 * On success out owns its name; free it with cfg_endpoint_clear.
 */
int cfg_endpoint_parse(const char *text, unsigned flags, struct cfg_endpoint *out,
		       const char **why);
void cfg_endpoint_clear(struct cfg_endpoint *ep);
/*
 * The one name lookup of the programs (getaddrinfo; blocks: at start or
 * reload only): host's address with port into ss, the first answer of
 * family prefer (AF_INET, AF_INET6) when there is one, else the first
 * (AF_UNSPEC: the first). 0, -EINVAL, -EAGAIN or -ENOMEM with *why.
 * cfg_endpoint_parse uses it; the signaling tools and the edge's nucleus
 * client pass it to sig_endpoint_resolve (signaling/endpoint.h).
 */
int cfg_host_resolve(const char *host, uint16_t port, int prefer, struct sockaddr_storage *ss,
		     const char **why);
/* The syntax of cfg_endpoint_parse without resolving: HOST:PORT with a
 * valid host name or IPv4 address, or [IPv6]:PORT. 0 or -EINVAL. */
int cfg_host_port_check(const char *text, const char **why);
/* "192.0.2.1:51820", "[2001:db8::1]:51820" or, with a scope id,
 * "[fe80::1%2]:51820" (net_endpoint_format does not know scopes); "(none)"
 * when unset. */
void cfg_sockaddr_format(const struct sockaddr_storage *ss, char out[CFG_ADDR_TEXT_MAX]);

/*
 * A VIP of family (NET_AF_IP4, NET_AF_IP6): "ADDR/LEN", or "ADDR" alone,
 * which gets the length of the cluster network CFG_DEFAULT_CLUSTER_PREFIX
 * when it lies in it (10.200.0.1 is 10.200.0.1/16, as the seeds' edges
 * take it), else a host prefix. The address keeps its host bits. 0, or
 * -EINVAL with *why.
 */
int cfg_vip_parse(const char *text, unsigned family, struct net_prefix *out, const char **why);

/*
 * A value made safe to show between double quotes: control characters, '"'
 * and '\' escaped, cut at CFG_QUOTE_MAX characters with "...", and replaced
 * by "(hidden: looks like a key)" when it holds a run of base64 as long as a
 * key, in case a secret landed in the wrong place.
 */
void cfg_quote(char *out, size_t outlen, const char *value);

#endif /* OMNI_CONFIG_VALUE_H */

/* SPDX-License-Identifier: MIT */
/*
 * Addresses, endpoints and prefixes: the one representation every part of
 * OmniNervous uses (signaling, configuration, the data plane), and the one
 * place that converts them to and from text and the socket API.
 *
 * - The family is always enum net_family (NET_AF_IP4 = 4, NET_AF_IP6 = 6,
 *   NET_AF_NONE = 0: unset). AF_INET/AF_INET6 appear only where the socket
 *   API does, and only this module translates.
 * - Addresses are wire bytes (network order); an IPv4 address is in
 *   b[0..3] and the rest of b is zero. Ports are host order.
 * - Nothing here opens a socket or resolves a name: host names are the
 *   configuration's business (config/value.h).
 */
#ifndef OMNI_NET_ADDR_H
#define OMNI_NET_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "net/wire.h"

/* An address and a UDP port. */
struct net_endpoint {
	struct net_addr addr; /* family NET_AF_NONE: none */
	uint16_t port;        /* host order */
};

/* A network: the address with its host bits as written (see net_prefix_mask). */
struct net_prefix {
	struct net_addr addr; /* family NET_AF_NONE: not set */
	uint8_t len;          /* 0..32 or 0..128 */
};

enum {
	NET_ADDR_TEXT_MAX = 46,     /* INET6_ADDRSTRLEN */
	NET_ENDPOINT_TEXT_MAX = 56, /* "[" INET6 "]:65535" */
	NET_PREFIX_TEXT_MAX = 56,   /* INET6 "/128" */
};

/* Bytes of an address of family f: 4, 16, or 0 for none. */
static inline unsigned net_family_len(unsigned f)
{
	return f == NET_AF_IP4 ? 4 : f == NET_AF_IP6 ? 16 : 0;
}

/* Bits of an address of family f: 32, 128, or 0 for none. */
static inline unsigned net_family_bits(unsigned f)
{
	return 8 * net_family_len(f);
}

/* The family for a socket API family (AF_INET, AF_INET6), else NET_AF_NONE. */
enum net_family net_family_from_af(int af);
/* AF_INET, AF_INET6, or AF_UNSPEC for none. */
int net_family_to_af(unsigned f);

/* a = the len(f) bytes at p; the rest zeroed. */
void net_addr_set(struct net_addr *a, unsigned f, const void *p);

static inline bool net_addr_is_set(const struct net_addr *a)
{
	return a->family == NET_AF_IP4 || a->family == NET_AF_IP6;
}

/* Same family and the same bytes of that family (the data path's source
 * check: compares of a fixed size, which compilers inline). */
static inline bool net_addr_equal(const struct net_addr *a, const struct net_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == NET_AF_IP4)
		return memcmp(a->b, b->b, 4) == 0;
	return a->family != NET_AF_IP6 || memcmp(a->b, b->b, 16) == 0;
}

static inline bool net_endpoint_equal(const struct net_endpoint *a, const struct net_endpoint *b)
{
	return a->port == b->port && net_addr_equal(&a->addr, &b->addr);
}

/* ep is address a, port port: for a packet's source, kept apart by its parser. */
static inline bool net_endpoint_is(const struct net_endpoint *ep, const struct net_addr *a,
				   uint16_t port)
{
	return ep->port == port && net_addr_equal(&ep->addr, a);
}

/*
 * Whether address bytes a are inside the network net/len (all wire bytes);
 * len 0 never matches (an unset network is empty, not everything). For the
 * data path, where the family is already known.
 */
static inline bool net_prefix_match(const uint8_t *net, unsigned len, const uint8_t *a)
{
	unsigned full = len / 8, rest = len % 8;

	return len && !memcmp(net, a, full) &&
	       (!rest || !((net[full] ^ a[full]) & (uint8_t)(0xff << (8 - rest))));
}

/* A unicast address one host can have: not 0.0.0.0/8, 127/8, 224/4 or
 * 240/4 (with 255.255.255.255); not ::, ::1 or ff00::/8. */
bool net_addr_is_unicast(const struct net_addr *a);
/* a is inside p (same family; a zero-length prefix holds every address). */
bool net_prefix_contains(const struct net_prefix *p, const struct net_addr *a);
/* Clears the host bits; true if any were set. */
bool net_prefix_mask(struct net_prefix *p);
/* Orders by family, then length, then address; 0 when equal. */
int net_prefix_cmp(const struct net_prefix *a, const struct net_prefix *b);
/* The host prefix of a: a/32 or a/128. */
void net_prefix_host(struct net_prefix *p, const struct net_addr *a);

/* ---- text ---- */

/* "192.0.2.1", "2001:db8::1"; "none" when unset. */
void net_addr_format(const struct net_addr *a, char out[NET_ADDR_TEXT_MAX]);
/* "192.0.2.1:51820", "[2001:db8::1]:51820"; "none" when unset. */
void net_endpoint_format(const struct net_endpoint *ep, char out[NET_ENDPOINT_TEXT_MAX]);
/* "10.0.0.0/8"; "(none)" when unset. */
void net_prefix_format(const struct net_prefix *p, char out[NET_PREFIX_TEXT_MAX]);

/* A numeric IPv4 or IPv6 address. 0 or -EINVAL. */
int net_addr_parse(const char *text, struct net_addr *out);
/*
 * Numeric "ADDR:PORT" or "[ADDR6]:PORT", port 1..65535; without ":PORT",
 * default_port (0: the port is required). 0 or -EINVAL.
 */
int net_endpoint_parse(const char *text, uint16_t default_port, struct net_endpoint *out);
/*
 * Splits "HOST:PORT", "[HOST]:PORT" or "HOST" (no brackets kept) into host
 * (at most 255 characters) and the port text, or NULL for none. A bare
 * IPv6 address has no port. 0 or -EINVAL on a bad shape.
 */
int net_host_port_split(const char *text, char host[256], const char **port);
/*
 * A port as net_endpoint_parse takes it: decimal digits, 1..65535; text
 * NULL (no port written): default_port, 0 meaning required. 0 or -EINVAL.
 */
int net_port_parse(const char *text, uint16_t default_port, uint16_t *out);
/*
 * "ADDR" or "ADDR/LEN", IPv4 dotted quad or IPv6; without "/LEN" the full
 * 32 or 128. Host bits are kept. 0, or -EINVAL with *why a static phrase
 * ("prefix length over 32").
 */
int net_prefix_parse(const char *text, struct net_prefix *out, const char **why);

/* ---- the socket API ---- */

/*
 * ep for a socket of family sock_family: AF_INET, or AF_INET6 dual stack,
 * where IPv4 goes IPv4-mapped. Returns the length, 0 if ep cannot be
 * reached from such a socket.
 */
socklen_t net_endpoint_to_sockaddr(const struct net_endpoint *ep, int sock_family,
				   struct sockaddr_storage *ss);
/* IPv4-mapped IPv6 comes out as IPv4; anything else not IP: false, ep unset. */
bool net_endpoint_from_sockaddr(const struct sockaddr_storage *ss, struct net_endpoint *ep);
/* The scope id of an IPv6 sockaddr (a link-local address's interface); 0: none. */
uint32_t net_sockaddr_scope(const struct sockaddr_storage *ss);

#endif /* OMNI_NET_ADDR_H */

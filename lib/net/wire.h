/* SPDX-License-Identifier: MIT */
/*
 * Wire formats of the underlay: Ethernet, ARP, IPv4, IPv6, UDP, ICMP, NDP.
 * Sizes, field offsets and protocol numbers in one place, plus the address
 * types every parser and builder shares.
 *
 * Addresses are kept as the bytes on the wire (network order), never as
 * host integers, so they can be compared and hashed with memcmp and copied
 * into headers with memcpy. Multi-byte header fields are read and written
 * with net_get_be16/32 and net_put_be16/32: byte loads and stores, no
 * casts of packet pointers, so unaligned buffers are fine.
 */
#ifndef OMNI_NET_WIRE_H
#define OMNI_NET_WIRE_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct net_mac {
	uint8_t b[6];
};

struct net_ip4 {
	uint8_t b[4];
};

struct net_ip6 {
	uint8_t b[16];
};

enum net_family {
	NET_AF_NONE = 0,
	NET_AF_IP4 = 4,
	NET_AF_IP6 = 6,
};

/* An IPv4 or IPv6 address; for IPv4 only ip4 (b[0..3]) is meaningful.
 * Text, sockets and prefixes: net/addr.h. */
struct net_addr {
	uint8_t family; /* enum net_family */
	union {
		struct net_ip4 ip4;
		struct net_ip6 ip6;
		uint8_t b[16]; /* either, as bytes */
	};
};

static_assert(sizeof(struct net_mac) == 6, "net_mac is the wire MAC");
static_assert(sizeof(struct net_ip4) == 4, "net_ip4 is the wire address");
static_assert(sizeof(struct net_ip6) == 16, "net_ip6 is the wire address");

enum net_ethertype {
	NET_ETH_IP4 = 0x0800,
	NET_ETH_ARP = 0x0806,
	NET_ETH_VLAN = 0x8100, /* IEEE 802.1Q */
	NET_ETH_QINQ = 0x88a8, /* IEEE 802.1ad service tag */
	NET_ETH_IP6 = 0x86dd,
};

enum net_ipproto {
	NET_PROTO_HOPOPTS = 0,
	NET_PROTO_ICMP = 1,
	NET_PROTO_TCP = 6,
	NET_PROTO_UDP = 17,
	NET_PROTO_ROUTING = 43,
	NET_PROTO_FRAGMENT = 44,
	NET_PROTO_ESP = 50,
	NET_PROTO_AH = 51,
	NET_PROTO_ICMP6 = 58,
	NET_PROTO_NONE = 59,
	NET_PROTO_DSTOPTS = 60,
	NET_PROTO_MOBILITY = 135,
	NET_PROTO_HIP = 139,
	NET_PROTO_SHIM6 = 140,
};

/* Header sizes and fixed lengths, in bytes. */
enum net_sizes {
	NET_ETH_HLEN = 14,
	NET_VLAN_HLEN = 4,
	NET_ETH_MIN_FRAME = 60, /* without FCS; shorter frames are padded */
	NET_ARP_LEN = 28,       /* Ethernet/IPv4 ARP, RFC 826 */
	NET_IP4_HLEN = 20,      /* without options */
	NET_IP4_MAX_HLEN = 60,
	NET_IP6_HLEN = 40,
	NET_UDP_HLEN = 8,
	NET_ICMP_HLEN = 8,            /* type, code, checksum, 4 more bytes */
	NET_ND_NS_LEN = 24,           /* ICMPv6 NS/NA without options */
	NET_ND_OPT_LL_LEN = 8,        /* link-layer address option for Ethernet */
	NET_IP6_MIN_MTU = 1280,       /* RFC 8200 section 5 */
	NET_IP4_ICMP_QUOTE_MAX = 576, /* RFC 1812 4.3.2.3: error datagram limit */
};

/* Ethernet header field offsets. */
enum net_eth_off {
	NET_ETH_OFF_DST = 0,
	NET_ETH_OFF_SRC = 6,
	NET_ETH_OFF_TYPE = 12,
};

/* IPv4 header (RFC 791) field offsets. */
enum net_ip4_off {
	NET_IP4_OFF_VIHL = 0,
	NET_IP4_OFF_TOS = 1,
	NET_IP4_OFF_TOTLEN = 2,
	NET_IP4_OFF_ID = 4,
	NET_IP4_OFF_FRAG = 6,
	NET_IP4_OFF_TTL = 8,
	NET_IP4_OFF_PROTO = 9,
	NET_IP4_OFF_CSUM = 10,
	NET_IP4_OFF_SRC = 12,
	NET_IP4_OFF_DST = 16,
};

#define NET_IP4_FLAG_DF 0x4000
#define NET_IP4_FLAG_MF 0x2000
#define NET_IP4_FRAG_MASK 0x1fff

/* IPv6 fixed header (RFC 8200 section 3) field offsets. */
enum net_ip6_off {
	NET_IP6_OFF_VTCFL = 0,
	NET_IP6_OFF_PAYLEN = 4,
	NET_IP6_OFF_NEXT = 6,
	NET_IP6_OFF_HOPS = 7,
	NET_IP6_OFF_SRC = 8,
	NET_IP6_OFF_DST = 24,
};

/* UDP header (RFC 768) field offsets. */
enum net_udp_off {
	NET_UDP_OFF_SPORT = 0,
	NET_UDP_OFF_DPORT = 2,
	NET_UDP_OFF_LEN = 4,
	NET_UDP_OFF_CSUM = 6,
};

/* ICMP (RFC 792) and ICMPv6 (RFC 4443) header field offsets. */
enum net_icmp_off {
	NET_ICMP_OFF_TYPE = 0,
	NET_ICMP_OFF_CODE = 1,
	NET_ICMP_OFF_CSUM = 2,
};

enum net_arp_op {
	NET_ARP_REQUEST = 1,
	NET_ARP_REPLY = 2,
};

enum net_icmp_type {
	NET_ICMP4_ECHO_REPLY = 0,
	NET_ICMP4_UNREACH = 3,
	NET_ICMP4_ECHO_REQUEST = 8,
	NET_ICMP4_CODE_FRAG_NEEDED = 4,
	NET_ICMP6_TOO_BIG = 2,
	NET_ICMP6_ECHO_REQUEST = 128,
	NET_ICMP6_ECHO_REPLY = 129,
	NET_ICMP6_ND_NS = 135,
	NET_ICMP6_ND_NA = 136,
};

/* NDP option types (RFC 4861 section 4.6). */
enum net_nd_opt {
	NET_ND_OPT_SLLA = 1,
	NET_ND_OPT_TLLA = 2,
};

#define NET_ND_HOP_LIMIT 255
#define NET_NA_FLAG_ROUTER 0x80
#define NET_NA_FLAG_SOLICITED 0x40
#define NET_NA_FLAG_OVERRIDE 0x20

#define NET_DEFAULT_TTL 64

/*
 * The other protocols on the WireGuard listen port (DESIGN.md, "One port,
 * many protocols"): what tells them apart in their first bytes, for a
 * cheap sort before their own parsers run (signaling/codec.c and
 * signaling/stun.c, whose SIG_MAGIC and SIG_STUN_* are these; the XDP
 * program's copies are asserted equal in app/edge_xdp.c).
 */
enum net_listen_port_wire {
	NET_SIG_MAGIC = 0x4f4e5347, /* "ONSG", the first 4 bytes of a nucleus datagram */
	NET_SIG_MIN_LEN = 76,       /* its header (44 bytes) and HMAC (32) */
	NET_STUN_HLEN = 20,         /* RFC 5389 section 6 */
	NET_STUN_OFF_COOKIE = 4,
	NET_STUN_COOKIE = 0x2112a442, /* the magic cookie */
	/* TURN ChannelData (RFC 8656 section 12.4): channel number, data
	 * length, the data; from the relay server only. Channels may be 0x4000
	 * to 0x4FFF, but ours are 0x4000..0x40FF (we pick them), so the first
	 * byte is 0x40: never WireGuard (1..4), STUN (top bits 00) or the
	 * nucleus's "O" (0x4F, which the full range would take in). */
	NET_TURN_CHANNEL_HLEN = 4,
	NET_TURN_CHANNEL_MIN = 0x4000,
	NET_TURN_CHANNEL_MAX = 0x40ff,
	NET_TURN_CHANNEL_BYTE = 0x40,
};

static inline uint16_t net_get_be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t net_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void net_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void net_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The version field of an IPv4 or IPv6 header (4 or 6 when it is one). */
static inline unsigned net_ip_version(const uint8_t *l3)
{
	return l3[0] >> 4;
}

/* a.b.c.d as a wire address; NET_IP4(192, 0, 2, 1). */
#define NET_IP4(a, b, c, d) ((struct net_ip4){ { (a), (b), (c), (d) } })

static inline bool net_mac_is_multicast(const struct net_mac *m)
{
	return m->b[0] & 1; /* broadcast is a multicast too */
}

static inline bool net_mac_is_zero(const struct net_mac *m)
{
	return !(m->b[0] | m->b[1] | m->b[2] | m->b[3] | m->b[4] | m->b[5]);
}

static inline bool net_mac_eq(const struct net_mac *a, const struct net_mac *b)
{
	return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

static inline bool net_ip4_eq(const struct net_ip4 *a, const struct net_ip4 *b)
{
	return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

static inline bool net_ip4_is_zero(const struct net_ip4 *a)
{
	return !(a->b[0] | a->b[1] | a->b[2] | a->b[3]);
}

/* Multicast (224/4) or limited broadcast: never a valid source. */
static inline bool net_ip4_is_mcast_or_bcast(const struct net_ip4 *a)
{
	return (a->b[0] & 0xf0) == 0xe0 || (a->b[0] & a->b[1] & a->b[2] & a->b[3]) == 0xff;
}

static inline bool net_ip6_eq(const struct net_ip6 *a, const struct net_ip6 *b)
{
	return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

static inline bool net_ip6_is_multicast(const struct net_ip6 *a)
{
	return a->b[0] == 0xff;
}

static inline bool net_ip6_is_unspecified(const struct net_ip6 *a)
{
	static const struct net_ip6 zero;

	return net_ip6_eq(a, &zero);
}

#endif /* OMNI_NET_WIRE_H */

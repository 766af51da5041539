/* SPDX-License-Identifier: MIT */
/*
 * Packet parsers and builders for the underlay: Ethernet, ARP, IPv4, IPv6,
 * UDP, ICMP/ICMPv6 and NDP. Pure C on plain byte buffers (pointer +
 * length): no DPDK, no sockets, no allocation, no global state, so the same
 * code runs on rte_mbuf data, in cmocka tests and under libFuzzer. Every
 * function is safe to call from any thread.
 *
 * Conventions
 * - Parsers take (buf, len) starting at their own header, check every
 *   access against len (cheap length checks first, checksums last) and
 *   return NET_DROP_OK or the reason they refused (enum net_drop).
 * - Builders take (buf, cap) and return the number of bytes written, or 0
 *   when cap is too small or an argument is out of range. Nothing is
 *   written past cap.
 * - Ports, lengths, ids and flags are host-order integers in the API;
 *   addresses are wire bytes (wire.h).
 */
#ifndef OMNI_NET_NET_H
#define OMNI_NET_NET_H

#include "net/wire.h"

/*
 * Why a frame was refused. One X-macro makes the enum and the strings, so
 * each reason is its own counter an operator can read.
 */
#define NET_DROPS(X)                                                                         \
	X(OK, "ok")                                                                          \
	X(ETH_SHORT, "frame shorter than an Ethernet header")                                \
	X(VLAN_SHORT, "VLAN tag cut short")                                                  \
	X(ARP_SHORT, "ARP packet shorter than 28 bytes")                                     \
	X(ARP_HTYPE, "ARP hardware type is not Ethernet")                                    \
	X(ARP_PTYPE, "ARP protocol type is not IPv4")                                        \
	X(ARP_HLEN, "ARP hardware address length is not 6")                                  \
	X(ARP_PLEN, "ARP protocol address length is not 4")                                  \
	X(ARP_OP, "ARP operation is neither request nor reply")                              \
	X(ARP_SHA, "ARP sender hardware address is multicast")                               \
	X(IP4_SHORT, "shorter than an IPv4 header")                                          \
	X(IP4_VERSION, "IPv4 version field is not 4")                                        \
	X(IP4_IHL, "IPv4 header length below 20 or past the packet")                         \
	X(IP4_TOTLEN, "IPv4 total length past the buffer or below the header")               \
	X(IP4_CSUM, "IPv4 header checksum wrong")                                            \
	X(IP4_FRAGMENT, "IPv4 fragment (not reassembled)")                                   \
	X(IP4_SRC, "IPv4 source is zero, multicast or broadcast")                            \
	X(IP6_SHORT, "shorter than an IPv6 header")                                          \
	X(IP6_VERSION, "IPv6 version field is not 6")                                        \
	X(IP6_PAYLEN, "IPv6 payload length past the buffer")                                 \
	X(IP6_EXTHDR, "IPv6 extension header (not walked)")                                  \
	X(IP6_SRC, "IPv6 source is multicast")                                               \
	X(UDP_SHORT, "UDP header cut short")                                                 \
	X(UDP_LEN, "UDP length disagrees with the IP payload length")                        \
	X(UDP_CSUM, "UDP checksum wrong")                                                    \
	X(UDP6_NO_CSUM, "UDP over IPv6 with a zero checksum")                                \
	X(ICMP_SHORT, "ICMP message cut short")                                              \
	X(ICMP_CSUM, "ICMP checksum wrong")                                                  \
	X(ICMP_TYPE, "ICMP type or code not the one expected")                               \
	X(ND_HOP_LIMIT, "ND message with hop limit other than 255")                          \
	X(ND_CODE, "ND message with nonzero code")                                           \
	X(ND_TARGET, "ND target address is multicast")                                       \
	X(ND_OPT_LEN, "ND option of length zero or past the end")                            \
	X(ND_DAD_SLLA, "NS from the unspecified address carries a source link-layer option") \
	X(ND_DAD_DST, "NS from the unspecified address not to a solicited-node group")       \
	X(ND_NA_SOLICITED, "solicited NA sent to a multicast address")

enum net_drop {
#define NET_DROP_ENUM(name, text) NET_DROP_##name,
	NET_DROPS(NET_DROP_ENUM)
#undef NET_DROP_ENUM
		NET_DROP_COUNT
};

/* "IP4_CSUM" and "IPv4 header checksum wrong"; "?" when out of range. */
const char *net_drop_name(enum net_drop d);
const char *net_drop_text(enum net_drop d);

/* ---- Internet checksum (RFC 1071; incremental update RFC 1624) ---- */

/*
 * A running sum is a uint32_t holding a 16-bit one's complement sum (not
 * complemented). Start from 0 (or a pseudo-header sum), add chunks, then
 * net_csum_finish() gives the value to store in the header field. Only the
 * last chunk may have an odd length. A buffer whose stored checksum is
 * right sums (with the field included) to 0xffff: net_csum_ok().
 */
uint32_t net_csum_add(uint32_t sum, const void *buf, size_t len);
uint32_t net_csum_add16(uint32_t sum, uint16_t v);
uint32_t net_csum_combine(uint32_t a, uint32_t b);
uint16_t net_csum_finish(uint32_t sum);
bool net_csum_ok(uint32_t sum);
/* RFC 1624 eqn. 3: the new checksum after one 16-bit field changed. */
uint16_t net_csum_replace16(uint16_t csum, uint16_t old_v, uint16_t new_v);
/* Pseudo-header sums for UDP/ICMPv6 (RFC 768, RFC 8200 section 8.1). */
uint32_t net_csum_pseudo4(const struct net_ip4 *src, const struct net_ip4 *dst, uint8_t proto,
			  uint16_t len);
uint32_t net_csum_pseudo6(const struct net_ip6 *src, const struct net_ip6 *dst, uint8_t next,
			  uint32_t len);

/* ---- Ethernet ---- */

struct net_eth {
	struct net_mac dst;
	struct net_mac src;
	uint16_t type;     /* ethertype after at most one VLAN tag */
	uint16_t vlan_tci; /* valid when vlan */
	bool vlan;
	uint8_t hdr_len; /* 14, or 18 with a tag */
};

/* Skips one 802.1Q (or 802.1ad) tag. */
enum net_drop net_eth_parse(const uint8_t *buf, size_t len, struct net_eth *out);
/* Untagged header: 14 bytes. */
size_t net_eth_build(uint8_t *buf, size_t cap, const struct net_mac *dst, const struct net_mac *src,
		     uint16_t type);
/* Header with one 802.1Q tag: 18 bytes. */
size_t net_eth_build_vlan(uint8_t *buf, size_t cap, const struct net_mac *dst,
			  const struct net_mac *src, uint16_t tci, uint16_t type);
/*
 * Inserts a tag after the MAC addresses of the frame in buf[0..len),
 * moving the rest up 4 bytes. Returns len + 4, or 0 if it does not fit
 * in cap or the frame is shorter than an Ethernet header.
 */
size_t net_eth_insert_vlan(uint8_t *buf, size_t len, size_t cap, uint16_t tci);
/* 33:33 + the low 32 bits of an IPv6 multicast group (RFC 2464 section 7). */
void net_eth_ip6_mcast_mac(const struct net_ip6 *group, struct net_mac *out);

extern const struct net_mac net_mac_broadcast;

/* ---- ARP (RFC 826), Ethernet/IPv4 only ---- */

struct net_arp {
	uint16_t op; /* NET_ARP_REQUEST or NET_ARP_REPLY */
	struct net_mac sha;
	struct net_ip4 spa;
	struct net_mac tha;
	struct net_ip4 tpa;
};

/* buf at the ARP header; validates htype, ptype, hlen, plen, op, sha. */
enum net_drop net_arp_parse(const uint8_t *buf, size_t len, struct net_arp *out);
/* The 28-byte ARP body. */
size_t net_arp_build(uint8_t *buf, size_t cap, const struct net_arp *arp);
/*
 * Whole frames, padded to 60 bytes. Reply: answers req (its tpa becomes
 * our spa), unicast to the requester. Request: broadcast "who has target".
 * Gratuitous: a broadcast request with spa == tpa == ip (RFC 5227 3).
 */
size_t net_arp_frame_reply(uint8_t *buf, size_t cap, const struct net_arp *req,
			   const struct net_mac *mac);
size_t net_arp_frame_request(uint8_t *buf, size_t cap, const struct net_mac *mac,
			     const struct net_ip4 *ip, const struct net_ip4 *target);
size_t net_arp_frame_gratuitous(uint8_t *buf, size_t cap, const struct net_mac *mac,
				const struct net_ip4 *ip);

/* ---- IPv4 (RFC 791) ---- */

struct net_ip4_info {
	uint8_t hdr_len; /* bytes, 20..60 */
	uint8_t tos;
	uint8_t ttl;
	uint8_t proto;
	uint16_t total_len;
	uint16_t id;
	bool df;
	bool fragment; /* MF set or offset nonzero */
	struct net_ip4 src;
	struct net_ip4 dst;
};

/* Version, IHL, total length; no checksum. Cheap enough for every frame. */
enum net_drop net_ip4_parse_header(const uint8_t *buf, size_t len, struct net_ip4_info *out);
/* The above plus the header checksum. */
enum net_drop net_ip4_parse(const uint8_t *buf, size_t len, struct net_ip4_info *out);
/*
 * A 20-byte header (no options) from info, whose hdr_len, total_len and
 * fragment are ignored: total length 20 + payload_len, checksum computed.
 */
size_t net_ip4_build(uint8_t *buf, size_t cap, const struct net_ip4_info *info,
		     uint16_t payload_len);
/* The outer header of a tunnel packet: UDP, DF, TTL 64, id from the caller. */
size_t net_ip4_build_udp(uint8_t *buf, size_t cap, const struct net_ip4 *src,
			 const struct net_ip4 *dst, uint16_t id, uint16_t udp_len);

/* ---- IPv6 (RFC 8200), fixed header only ---- */

struct net_ip6_info {
	uint8_t tclass;
	uint8_t next; /* next header */
	uint8_t hop_limit;
	bool has_ext;  /* next is an extension header */
	uint32_t flow; /* 20 bits */
	uint16_t payload_len;
	struct net_ip6 src;
	struct net_ip6 dst;
};

enum net_drop net_ip6_parse(const uint8_t *buf, size_t len, struct net_ip6_info *out);
size_t net_ip6_build(uint8_t *buf, size_t cap, const struct net_ip6_info *info);
bool net_ip6_is_ext_header(uint8_t next);
/* ff02::1:ffXX:XXXX for addr (RFC 4291 section 2.7.1). */
void net_ip6_solicited_node(const struct net_ip6 *addr, struct net_ip6 *out);
bool net_ip6_is_solicited_node(const struct net_ip6 *a);
extern const struct net_ip6 net_ip6_all_nodes;

/* ---- UDP (RFC 768) ---- */

struct net_udp_info {
	uint16_t src_port;
	uint16_t dst_port;
	uint16_t len;  /* header + payload */
	uint16_t csum; /* as received; 0 means none (IPv4 only) */
};

/* buf at the UDP header, ip_payload_len what the IP header says follows. */
enum net_drop net_udp_parse(const uint8_t *buf, size_t ip_payload_len, struct net_udp_info *out);
/* Checksum checks over buf[0..len) (header + payload); v4 accepts 0. */
bool net_udp4_csum_ok(const uint8_t *buf, size_t len, const struct net_ip4 *src,
		      const struct net_ip4 *dst);
bool net_udp6_csum_ok(const uint8_t *buf, size_t len, const struct net_ip6 *src,
		      const struct net_ip6 *dst);
/*
 * Header in front of payload_len bytes already at buf + 8 (cap counts
 * them); returns 8. udp4 with csum false leaves 0; with true, and udp6
 * always, computes the checksum (a computed 0 is sent as 0xffff).
 */
size_t net_udp4_build(uint8_t *buf, size_t cap, const struct net_ip4 *src,
		      const struct net_ip4 *dst, uint16_t sport, uint16_t dport,
		      uint16_t payload_len, bool csum);
size_t net_udp6_build(uint8_t *buf, size_t cap, const struct net_ip6 *src,
		      const struct net_ip6 *dst, uint16_t sport, uint16_t dport,
		      uint16_t payload_len);

/* ---- ICMP and ICMPv6 (RFC 792, RFC 1191, RFC 4443) ---- */

struct net_echo {
	bool reply;
	uint16_t id;
	uint16_t seq;
	const uint8_t *data; /* parse: points into the buffer */
	size_t data_len;
};

/*
 * Whole IP packets (IPv4 + ICMP, IPv6 + ICMPv6), TTL/hop limit 64.
 * Parsers take the ICMP message (buf at the ICMP header, len its length).
 */
size_t net_icmp4_echo_build(uint8_t *buf, size_t cap, const struct net_ip4 *src,
			    const struct net_ip4 *dst, const struct net_echo *e);
enum net_drop net_icmp4_echo_parse(const uint8_t *buf, size_t len, struct net_echo *out);
size_t net_icmp6_echo_build(uint8_t *buf, size_t cap, const struct net_ip6 *src,
			    const struct net_ip6 *dst, const struct net_echo *e);
enum net_drop net_icmp6_echo_parse(const uint8_t *buf, size_t len, const struct net_ip6 *src,
				   const struct net_ip6 *dst, struct net_echo *out);
/*
 * "Fragmentation needed" (type 3 code 4, next-hop MTU) about the IPv4
 * packet orig, from src back to orig's source. Quotes orig (up to its
 * total length) so the whole error stays within 576 bytes (RFC 1812
 * 4.3.2.3; at least the header + 8 bytes, RFC 792/1191). Returns 0 when
 * orig is not a valid IPv4 header, is an ICMP error itself (RFC 1122
 * 3.2.2) or a non-first fragment, or comes from a source that cannot be
 * answered. Here and in net_icmp6_too_big: buf may be orig (built in
 * place); nothing is written when 0 is returned.
 */
size_t net_icmp4_frag_needed(uint8_t *buf, size_t cap, const uint8_t *orig, size_t orig_len,
			     const struct net_ip4 *src, uint16_t mtu);
/*
 * "Packet too big" (type 2, MTU) about the IPv6 packet orig: quotes as much
 * as keeps the error within 1280 bytes (RFC 4443 2.4(c), 3.2). Returns 0
 * when orig is not IPv6, comes from an unspecified or multicast source, or
 * is an ICMPv6 error itself.
 */
size_t net_icmp6_too_big(uint8_t *buf, size_t cap, const uint8_t *orig, size_t orig_len,
			 const struct net_ip6 *src, uint32_t mtu);
/*
 * For an Ethernet frame the host sent that is larger than the tunnel MTU:
 * the matching error above as a frame back to its sender (MACs swapped,
 * src_mac ours, VLAN tag kept). src4/src6 are our addresses on that link;
 * either may be NULL. Returns 0 when no error is due. buf may be frame.
 */
size_t net_too_big_frame(uint8_t *buf, size_t cap, const uint8_t *frame, size_t frame_len,
			 const struct net_mac *src_mac, const struct net_ip4 *src4,
			 const struct net_ip6 *src6, uint32_t mtu);

/* ---- NDP (RFC 4861) ---- */

struct net_nd {
	uint8_t type;  /* NET_ICMP6_ND_NS or NET_ICMP6_ND_NA */
	uint8_t flags; /* NA: NET_NA_FLAG_* */
	bool has_lla;  /* source (NS) / target (NA) link-layer option */
	struct net_mac lla;
	struct net_ip6 src;
	struct net_ip6 dst;
	struct net_ip6 target;
};

/*
 * buf at the IPv6 header of an NS (or NA): the validity checks of RFC
 * 4861 7.1.1 (7.1.2): hop limit 255, code 0, checksum, length, source not
 * multicast, target not multicast, every option length nonzero and within
 * the message, DAD rules (NA: no solicited flag to a group).
 */
enum net_drop net_nd_ns_parse(const uint8_t *buf, size_t len, struct net_nd *out);
enum net_drop net_nd_na_parse(const uint8_t *buf, size_t len, struct net_nd *out);
/*
 * An NA frame answering ns for ns->target with our mac (target link-layer
 * option). To ns->src, solicited, at the solicitor's link-layer address
 * (its option, else eth_src, the NS frame's source MAC: never NULL); to
 * all-nodes, unsolicited, if ns->src is unspecified (DAD). flags:
 * NET_NA_FLAG_ROUTER, NET_NA_FLAG_OVERRIDE (clear it when proxying, RFC
 * 4861 7.2.8).
 */
size_t net_nd_na_frame(uint8_t *buf, size_t cap, const struct net_nd *ns,
		       const struct net_mac *eth_src, const struct net_mac *mac, uint8_t flags);
/*
 * An NS frame asking for target from src, with our mac as source
 * link-layer option. dst_mac NULL: to the solicited-node group of target
 * (address resolution); else unicast to target at dst_mac (unreachability
 * detection).
 */
size_t net_nd_ns_frame(uint8_t *buf, size_t cap, const struct net_mac *mac,
		       const struct net_ip6 *src, const struct net_ip6 *target,
		       const struct net_mac *dst_mac);

/* ---- Underlay classifier ---- */

enum net_class {
	NET_UDP_TO_US, /* UDP to our address and listen port */
	NET_ARP,       /* valid ARP for our IPv4 address */
	NET_ND,        /* valid NS for one of our addresses, or NA to us */
	NET_OTHER,     /* not ours */
	NET_MALFORMED, /* ours or unsure, but refused: see reason */
};

#define NET_LOCAL_VERIFY_UDP_CSUM 0x1 /* check UDP checksums in software */
#define NET_LOCAL_GENERAL_PATH 0x2    /* tests: no plain-IPv4 shortcut, to compare with it */

/* What the underlay port is: the control lcore fills it, workers read it. */
struct net_local {
	struct net_mac mac;
	struct net_ip4 ip4;    /* 0.0.0.0: no IPv4 */
	struct net_ip6 ip6;    /* ::: no IPv6 */
	struct net_ip6 ip6_ll; /* link-local, or :: */
	uint16_t port;         /* listen port */
	unsigned flags;        /* NET_LOCAL_* */
};

struct net_udp_view {
	enum net_drop reason; /* NET_MALFORMED: why; else NET_DROP_OK */
	uint32_t l3_off;      /* IP / ARP header */
	uint32_t l4_off;      /* UDP / ICMPv6 header */
	uint32_t payload_off; /* UDP payload */
	uint32_t payload_len;
	uint16_t src_port;
	uint16_t dst_port;
	uint16_t vlan_tci;
	bool vlan;
	uint16_t channel; /* through a TURN relay: its ChannelData channel (payload_off
			   * and payload_len are then the data's); 0: direct */
	struct net_mac src_mac;
	struct net_addr src;
	struct net_addr dst;
};

enum net_class net_classify_underlay(const uint8_t *buf, size_t len, const struct net_local *local,
				     struct net_udp_view *out);
const char *net_class_name(enum net_class c);

/*
 * The first checks of the other protocols on the listen port (wire.h):
 * enough to send a datagram to the parser that owns it, never enough to
 * trust it. Nucleus signaling: long enough, the magic. STUN: a header, the
 * two top bits zero, the magic cookie.
 */
static inline bool net_is_signaling(const uint8_t *p, size_t len)
{
	return len >= NET_SIG_MIN_LEN && net_get_be32(p) == NET_SIG_MAGIC;
}

static inline bool net_is_stun(const uint8_t *p, size_t len)
{
	return len >= NET_STUN_HLEN && !(p[0] & 0xc0) &&
	       net_get_be32(p + NET_STUN_OFF_COOKIE) == NET_STUN_COOKIE;
}

/* ---- Outer headers for the data plane ---- */

enum net_udp_csum {
	NET_UDP_CSUM_NONE,   /* IPv4 only: checksum 0 */
	NET_UDP_CSUM_FULL,   /* computed in software over the payload */
	NET_UDP_CSUM_PSEUDO, /* pseudo-header sum only, for NIC offload */
};

struct net_encap_params {
	struct net_mac src_mac;
	struct net_mac dst_mac;
	int vlan_tci;        /* < 0: untagged */
	struct net_addr src; /* same family as dst */
	struct net_addr dst;
	uint16_t src_port;
	uint16_t dst_port;
	enum net_udp_csum csum;
	uint16_t channel; /* TURN ChannelData channel in front of the payload; 0: none */
};

#define NET_ENCAP_MAX_HLEN \
	(NET_ETH_HLEN + NET_VLAN_HLEN + NET_IP6_HLEN + NET_UDP_HLEN + NET_TURN_CHANNEL_HLEN)

/* A prepared header for one path; built on the control lcore. */
struct net_encap {
	uint8_t hdr[NET_ENCAP_MAX_HLEN];
	uint8_t hdr_len;
	uint8_t l3_off;
	uint8_t l4_off;
	uint8_t family;
	uint8_t csum;        /* enum net_udp_csum */
	uint8_t chan_len;    /* NET_TURN_CHANNEL_HLEN after UDP's, or 0 */
	uint32_t ip_sum;     /* IPv4: header sum without length, id, checksum */
	uint32_t pseudo_sum; /* UDP pseudo-header without the length */
	uint32_t port_sum;   /* UDP source + destination port */
};

/* 0, or -EINVAL (families differ or unknown, NONE with IPv6, bad VLAN). */
int net_encap_init(struct net_encap *e, const struct net_encap_params *p);
/*
 * Writes e's headers in the headroom bytes in front of payload and fills
 * in lengths, id and checksums. The frame starts at payload - e->hdr_len.
 * Returns the frame length, or 0 when the headroom is short or the
 * payload too long for one IP packet. No allocation, no loops but the
 * optional software checksum.
 */
size_t net_encap_push(const struct net_encap *e, uint8_t *payload, size_t headroom,
		      size_t payload_len, uint16_t ip_id);

#endif /* OMNI_NET_NET_H */

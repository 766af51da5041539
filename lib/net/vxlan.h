/* SPDX-License-Identifier: MIT */
/*
 * VXLAN (RFC 7348) as the L2 fabric carries it: an Ethernet frame inside
 * IPv4 or IPv6 + UDP (port 4789) + the 8-byte VXLAN header, between two
 * members' VIPs, the whole inner IP packet then sealed by WireGuard. A
 * stock Linux host terminates it with `ip link add vx0 type vxlan id VNI
 * dstport 4789 local VIP dev wg0` (docs/l2.md).
 *
 * Pure functions on byte buffers (net.h's conventions): no DPDK, no
 * allocation, safe from any thread.
 *
 * Checksums. Encap: the outer IPv4 header checksum always; the UDP
 * checksum is 0 over IPv4 (RFC 7348 section 5 says it SHOULD be) and
 * computed over IPv6, where Linux drops zero-checksum VXLAN unless the
 * receiver set udp6zerocsumrx (RFC 6935/6936 allow zero only by such
 * agreement). Decap checks the IPv4 header checksum but not the UDP
 * checksum: the packet just passed WireGuard's AEAD, which proves it is
 * the bytes the peer sealed, so a UDP checksum could only catch the peer's
 * own bugs, at the cost of a pass over the frame (net_vxlan_udp_csum_ok
 * checks it where that is wanted).
 */
#ifndef OMNI_NET_VXLAN_H
#define OMNI_NET_VXLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "net/wire.h"

#define NET_VXLAN_PORT 4789   /* IANA, RFC 7348 section 5 */
#define NET_VXLAN_HLEN 8      /* flags, reserved, VNI, reserved */
#define NET_VXLAN_FLAG_I 0x08 /* first byte: the VNI is valid */
#define NET_VXLAN_VNI_MAX 0xffffffu
/* Outer headers in front of the frame: IP + UDP + VXLAN. */
#define NET_VXLAN_OVERHEAD4 (NET_IP4_HLEN + NET_UDP_HLEN + NET_VXLAN_HLEN) /* 36 */
#define NET_VXLAN_OVERHEAD6 (NET_IP6_HLEN + NET_UDP_HLEN + NET_VXLAN_HLEN) /* 56 */
#define NET_VXLAN_MAX_HLEN NET_VXLAN_OVERHEAD6
/* Source ports for entropy: RFC 7348 section 5's dynamic range. */
#define NET_VXLAN_SPORT_MIN 49152
#define NET_VXLAN_SPORT_MAX 65535

/*
 * Why a decrypted packet was not a VXLAN frame for us. decap returns the
 * negated value (-NET_VXLAN_NOT_UDP); the positive value indexes a counter
 * array of NET_VXLAN_REASONS entries and net_vxlan_reason_name() names it.
 */
#define NET_VXLAN_DROPS(X)                                                   \
	X(OK, "ok")                                                          \
	X(NOT_IP, "neither IPv4 nor IPv6")                                   \
	X(BAD_IP, "IP header invalid (length, IHL or IPv4 header checksum)") \
	X(BAD_LEN, "IP or UDP length disagrees with the packet")             \
	X(FRAGMENT, "IPv4 fragment (not reassembled)")                       \
	X(NOT_UDP, "not UDP (or an IPv6 extension header)")                  \
	X(NOT_VXLAN_PORT, "UDP not to port 4789")                            \
	X(SHORT_HDR, "UDP payload shorter than the VXLAN header")            \
	X(BAD_FLAGS, "VXLAN I flag not set")                                 \
	X(SHORT_FRAME, "inner frame shorter than an Ethernet header or its tag")

enum net_vxlan_reason {
#define NET_VXLAN_ENUM(name, text) NET_VXLAN_##name,
	NET_VXLAN_DROPS(NET_VXLAN_ENUM)
#undef NET_VXLAN_ENUM
		NET_VXLAN_REASONS
};

/* "NOT_UDP" and its sentence; "?" when out of range (either sign). */
const char *net_vxlan_reason_name(int reason);
const char *net_vxlan_reason_text(int reason);

/* What decap found; offsets count from the start of the IP packet. */
struct net_vxlan_view {
	uint32_t frame_off; /* the inner Ethernet frame */
	uint32_t frame_len;
	uint32_t vni;        /* 24 bits */
	uint16_t sport;      /* outer UDP source port */
	uint16_t vlan;       /* 802.1Q/802.1ad VID (TCI & 0xfff); 0: untagged */
	uint16_t ethertype;  /* after at most one tag */
	uint8_t l2_hlen;     /* 14, or 18 with a tag */
	struct net_addr src; /* outer IP source (the sending member's VIP) */
	struct net_addr dst; /* outer IP destination */
	struct net_mac dst_mac;
	struct net_mac src_mac;
};

/*
 * pkt[0..len) is a decrypted inner IP packet. 0 and v filled when it is
 * IPv4 (valid header checksum, not a fragment) or IPv6 (no extension
 * header) carrying UDP to port 4789 with consistent IP and UDP lengths
 * (bytes past the IP length, a WireGuard padding, are ignored), a VXLAN
 * header with the I flag (reserved bits ignored, RFC 7348 section 5) and a
 * frame of at least 14 bytes (18 when tagged). Else -reason; v is then
 * partly written. The VNI is not checked: the caller compares it.
 */
int net_vxlan_decap(const uint8_t *pkt, uint32_t len, struct net_vxlan_view *v);

/* Outer header length for a family (NET_AF_IP4/6): 36, 56; 0 otherwise. */
uint32_t net_vxlan_hdr_len(unsigned family);

/*
 * Writes the outer IP + UDP + VXLAN header for frame[0..frame_len) at hdr
 * (net_vxlan_hdr_len(src->family) bytes; hdr may be frame - that length,
 * in an mbuf's headroom, or a separate buffer). IPv4: DF, TTL 64, id 0,
 * header checksum, UDP checksum 0. IPv6: hop limit 64, UDP checksum over
 * the frame (frame must then be readable; for IPv4 it is not read and may
 * be NULL). Returns the header length, or 0 (nothing written) when the
 * families differ or are unset, vni is over 24 bits, or the packet would
 * not fit a 16-bit IP length.
 */
uint32_t net_vxlan_encap(uint8_t *hdr, const struct net_addr *src, const struct net_addr *dst,
			 uint32_t vni, uint16_t sport, const uint8_t *frame, uint32_t frame_len);

/*
 * A source port for frame (NET_VXLAN_SPORT_MIN..MAX) from a hash of its
 * MACs, ethertype, VLAN tag and, for IPv4/IPv6 (behind at most one tag),
 * the addresses and the TCP/UDP ports, so one flow keeps one port and flows spread over the
 * receiver's queues (RFC 7348 section 5). Reads at most len bytes.
 */
uint16_t net_vxlan_sport(const uint8_t *frame, uint32_t len);

/* The UDP checksum of a decapped packet: true when right or, over IPv4, 0. */
bool net_vxlan_udp_csum_ok(const uint8_t *pkt, uint32_t len);

#endif /* OMNI_NET_VXLAN_H */

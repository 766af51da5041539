/* SPDX-License-Identifier: MIT */
/*
 * Super-frames across a vnet-header tap (gso.c), against naive references:
 * a TCP super-frame (IPv4 and IPv6, payload lengths around the MSS) cut
 * into segments whose payloads put back together are the original bytes,
 * each with a right IP header checksum (the naive t_ref_sum), TCP checksum
 * and length, sequence numbers a segment apart, PSH/FIN on the last only;
 * a NEEDS_CSUM frame completed; bad vnet headers refused; the segments
 * coalesced again into one super-frame whose own segmentation gives the
 * same segments byte for byte, whose partial checksum completes to a right
 * one; and runs that must not coalesce (another flow, a gap, another ACK,
 * SYN) or must end (PSH, a short segment).
 * UDP (USO, gso_type UDP_L4): a super-datagram cut into datagrams each
 * compared byte for byte with one built independently (its own IP and UDP
 * headers, lengths and naive checksums, a sum of 0 sent as 0xffff), and
 * the frames it must refuse (gso_size 0, a header length past the frame,
 * headers cut short, IPv4 options, an IPv6 extension header, fragments,
 * more segments than a burst); the datagrams coalesced again into one
 * UDP_L4 super-datagram whose partial checksum completes to a right one
 * and whose own cutting gives the same datagrams byte for byte, and the
 * datagrams that must not join (another port, a longer one, after a
 * shorter one) or start a run (IPv4 options, TCP).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "net/gso.h"
#include "net/net.h"
#include "net_test_util.h"

enum { TCP_OPTS = 12, MAX_FRAME = 70000, MSS = 1000 };

static uint8_t super[NET_VNET_HLEN + MAX_FRAME];
static uint8_t segs[NET_GSO_MAX_SEGS][2048];
static size_t seg_len[NET_GSO_MAX_SEGS];

/* A TCP frame of plen random payload bytes (ACK|PSH|FIN given in flags),
 * checksums left 0: ETH, IPv4 or IPv6, TCP with 12 bytes of options. */
static size_t tcp_frame(uint8_t *f, bool v4, size_t plen, uint8_t flags, uint64_t *seed)
{
	size_t l4 = NET_ETH_HLEN + (v4 ? NET_IP4_HLEN : NET_IP6_HLEN);
	size_t hdr = l4 + NET_TCP_HLEN + TCP_OPTS;
	uint8_t *ip = f + NET_ETH_HLEN, *tcp = f + l4;

	memset(f, 0, hdr);
	memcpy(f, t_peer_mac.b, 6);
	memcpy(f + 6, t_us_mac.b, 6);
	net_put_be16(f + NET_ETH_OFF_TYPE, v4 ? NET_ETH_IP4 : NET_ETH_IP6);
	if (v4) {
		ip[0] = 0x45;
		net_put_be16(ip + NET_IP4_OFF_TOTLEN, (uint16_t)(hdr - NET_ETH_HLEN + plen));
		net_put_be16(ip + NET_IP4_OFF_ID, 0x1234);
		net_put_be16(ip + NET_IP4_OFF_FRAG, NET_IP4_FLAG_DF);
		ip[NET_IP4_OFF_TTL] = 64;
		ip[NET_IP4_OFF_PROTO] = NET_PROTO_TCP;
		memcpy(ip + NET_IP4_OFF_SRC, t_us4.b, 4);
		memcpy(ip + NET_IP4_OFF_DST, t_peer4.b, 4);
	} else {
		ip[0] = 0x60;
		net_put_be16(ip + NET_IP6_OFF_PAYLEN, (uint16_t)(hdr - l4 + plen));
		ip[NET_IP6_OFF_NEXT] = NET_PROTO_TCP;
		ip[7] = 64;
		memcpy(ip + 8, t_us6.b, 16);
		memcpy(ip + 24, t_peer6.b, 16);
	}
	net_put_be16(tcp, 5201);
	net_put_be16(tcp + 2, 40000);
	net_put_be32(tcp + NET_TCP_OFF_SEQ, 0xfffff000u); /* wraps inside */
	net_put_be32(tcp + NET_TCP_OFF_ACK, 77);
	tcp[NET_TCP_OFF_DOFF] = (NET_TCP_HLEN + TCP_OPTS) / 4 << 4;
	tcp[NET_TCP_OFF_FLAGS] = flags;
	net_put_be16(tcp + 14, 512);
	memcpy(tcp + NET_TCP_HLEN, (const uint8_t[]){ 1, 1, 8, 10, 0, 0, 0, 9, 0, 0, 0, 3 }, 12);
	t_fill(seed, f + hdr, plen);
	return hdr + plen;
}

static size_t vnet(uint8_t *buf, const struct net_vnet_hdr *vh)
{
	memcpy(buf, vh, sizeof(*vh));
	return NET_VNET_HLEN;
}

/* The pseudo-header of the IP packet at f + NET_ETH_HLEN, naively, into
 * buf for an L4 packet of n bytes: its length. */
static size_t ref_pseudo(uint8_t *buf, const uint8_t *f, bool v4, uint8_t proto, size_t n)
{
	if (v4) {
		memcpy(buf, f + NET_ETH_HLEN + NET_IP4_OFF_SRC, 8);
		buf[8] = 0;
		buf[9] = proto;
		net_put_be16(buf + 10, (uint16_t)n);
		return 12;
	}
	memcpy(buf, f + NET_ETH_HLEN + 8, 32);
	net_put_be32(buf + 32, (uint32_t)n);
	memset(buf + 36, 0, 3);
	buf[39] = proto;
	return 40;
}

/* The TCP checksum of an IP packet at f + NET_ETH_HLEN, naively: the
 * pseudo-header and the segment summed as one buffer must give 0xffff. */
static bool tcp_csum_right(const uint8_t *f, size_t len, bool v4)
{
	static uint8_t buf[MAX_FRAME + 64];
	size_t l4 = NET_ETH_HLEN + (v4 ? NET_IP4_HLEN : NET_IP6_HLEN), n = len - l4;
	size_t o = ref_pseudo(buf, f, v4, NET_PROTO_TCP, n);

	memcpy(buf + o, f + l4, n);
	return t_ref_sum(buf, o + n) == 0xffff;
}

/* Cut a super-frame of plen bytes with flags; check every segment. */
static unsigned cut(bool v4, size_t plen, uint8_t flags, uint64_t *seed)
{
	struct net_vnet_hdr vh = { .flags = NET_VNET_F_NEEDS_CSUM,
				   .gso_type = v4 ? NET_VNET_GSO_TCPV4 : NET_VNET_GSO_TCPV6,
				   .gso_size = MSS };
	size_t off = vnet(super, &vh), flen = tcp_frame(super + off, v4, plen, flags, seed);
	size_t hdr = flen - plen, got = 0, l4 = hdr - NET_TCP_HLEN - TCP_OPTS;
	struct net_gso g;

	assert_true(net_gso_parse(super, off + flen, &g));
	assert_int_equal(g.n_segs, (plen + MSS - 1) / MSS);
	for (unsigned i = 0; i < g.n_segs; i++) {
		const uint8_t *s = segs[i], *tcp = s + l4;
		size_t want = plen - got < MSS ? plen - got : MSS;
		uint8_t f;

		seg_len[i] = net_gso_segment(&g, i, segs[i], sizeof(segs[i]));
		assert_int_equal(seg_len[i], hdr + want);
		assert_memory_equal(s + hdr, super + off + hdr + got, want);
		if (v4) {
			assert_int_equal(t_ref_sum(s + NET_ETH_HLEN, NET_IP4_HLEN), 0xffff);
			assert_int_equal(net_get_be16(s + NET_ETH_HLEN + NET_IP4_OFF_TOTLEN),
					 seg_len[i] - NET_ETH_HLEN);
			assert_int_equal(net_get_be16(s + NET_ETH_HLEN + NET_IP4_OFF_ID),
					 0x1234 + i);
		} else {
			assert_int_equal(net_get_be16(s + NET_ETH_HLEN + NET_IP6_OFF_PAYLEN),
					 seg_len[i] - l4);
		}
		assert_true(tcp_csum_right(s, seg_len[i], v4));
		assert_int_equal(net_get_be32(tcp + NET_TCP_OFF_SEQ),
				 (uint32_t)(0xfffff000u + got));
		f = tcp[NET_TCP_OFF_FLAGS];
		if (i + 1u < g.n_segs)
			assert_int_equal(f, flags & ~(NET_TCP_PSH | NET_TCP_FIN));
		else
			assert_int_equal(f, flags);
		got += want;
	}
	assert_int_equal(got, plen);
	assert_int_equal(net_gso_segment(&g, g.n_segs, segs[0], sizeof(segs[0])), 0);
	return g.n_segs;
}

static void test_segment(void **state)
{
	static const size_t lens[] = { 1, 999, 1000, 1001, 2000, 45 * 1000 + 17, 64000 };
	uint64_t seed = 1;

	(void)state;
	for (unsigned v = 0; v < 2; v++)
		for (unsigned i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
			cut(v == 0, lens[i], NET_TCP_ACK | NET_TCP_PSH | NET_TCP_FIN, &seed);
}

/* A plain frame with the checksum left to us: TCP and UDP. */
static void test_needs_csum(void **state)
{
	struct net_vnet_hdr vh = { .flags = NET_VNET_F_NEEDS_CSUM };
	uint64_t seed = 2;
	uint8_t *f = super + NET_VNET_HLEN, *l3 = f + NET_ETH_HLEN, *l4 = l3 + NET_IP4_HLEN;
	size_t len = tcp_frame(f, true, 300, NET_TCP_ACK, &seed);
	struct net_gso g;
	uint16_t ps;

	(void)state;
	vh.csum_start = NET_ETH_HLEN + NET_IP4_HLEN;
	vh.csum_offset = NET_TCP_OFF_CSUM;
	vnet(super, &vh);
	ps = (uint16_t)~net_csum_finish(
		net_csum_pseudo4(&t_us4, &t_peer4, NET_PROTO_TCP, (uint16_t)(len - 34)));
	net_put_be16(l4 + NET_TCP_OFF_CSUM, ps);
	assert_true(net_gso_parse(super, NET_VNET_HLEN + len, &g));
	assert_int_equal(g.n_segs, 1);
	assert_int_equal(net_gso_segment(&g, 0, segs[0], sizeof(segs[0])), len);
	assert_true(tcp_csum_right(segs[0], len, true));
	/* no room */
	assert_int_equal(net_gso_segment(&g, 0, segs[0], len - 1), 0);
	/* UDP: checksum at 6 */
	l3[NET_IP4_OFF_PROTO] = NET_PROTO_UDP;
	net_put_be16(l4 + 4, (uint16_t)(len - 34));
	net_put_be16(l4 + 6,
		     (uint16_t)~net_csum_finish(net_csum_pseudo4(&t_us4, &t_peer4, NET_PROTO_UDP,
								 (uint16_t)(len - 34))));
	vh.csum_offset = 6;
	vnet(super, &vh);
	assert_true(net_gso_parse(super, NET_VNET_HLEN + len, &g));
	assert_int_equal(net_gso_segment(&g, 0, segs[0], sizeof(segs[0])), len);
	memcpy(super, segs[0] + 26, 8); /* pseudo-header then the datagram */
	super[8] = 0;
	super[9] = NET_PROTO_UDP;
	net_put_be16(super + 10, (uint16_t)(len - 34));
	memcpy(super + 12, segs[0] + 34, len - 34);
	assert_int_equal(t_ref_sum(super, 12 + len - 34), 0xffff);
}

static void test_parse_refuses(void **state)
{
	struct net_vnet_hdr vh = { .flags = NET_VNET_F_NEEDS_CSUM,
				   .gso_type = NET_VNET_GSO_TCPV4,
				   .gso_size = MSS };
	uint64_t seed = 3;
	size_t len;
	struct net_gso g;

	(void)state;
	vnet(super, &vh);
	len = NET_VNET_HLEN + tcp_frame(super + NET_VNET_HLEN, true, 5000, NET_TCP_ACK, &seed);
	assert_true(net_gso_parse(super, len, &g));
	assert_false(net_gso_parse(super, NET_VNET_HLEN + 20, &g)); /* cut in the IP header */
	assert_false(net_gso_parse(super, 5, &g));
	vh.gso_type = 3; /* UDP (UFO) */
	vnet(super, &vh);
	assert_false(net_gso_parse(super, len, &g));
	vh.gso_type = NET_VNET_GSO_TCPV6; /* but the frame is IPv4 */
	vnet(super, &vh);
	assert_false(net_gso_parse(super, len, &g));
	vh.gso_type = NET_VNET_GSO_TCPV4;
	vh.gso_size = 0;
	vnet(super, &vh);
	assert_false(net_gso_parse(super, len, &g));
	vh.gso_size = 30; /* 167 segments */
	vnet(super, &vh);
	assert_false(net_gso_parse(super, len, &g));
	vh = (struct net_vnet_hdr){ .flags = NET_VNET_F_NEEDS_CSUM,
				    .csum_start = (uint16_t)(len - NET_VNET_HLEN - 2),
				    .csum_offset = 2 };
	vnet(super, &vh);
	assert_false(net_gso_parse(super, len, &g)); /* the sum past the end */
	vh.csum_offset = 0;
	vnet(super, &vh);
	assert_true(net_gso_parse(super, len, &g));
	vh.csum_start = 3; /* inside the Ethernet header */
	vnet(super, &vh);
	assert_false(net_gso_parse(super, len, &g));
}

/* Segments of cut() coalesced, written as a tap would get them, and cut
 * again: the same segments. */
static void round_trip(bool v4, size_t plen)
{
	static uint8_t again[NET_VNET_HLEN + MAX_FRAME];
	uint64_t seed = 4;
	unsigned n = cut(v4, plen, NET_TCP_ACK | NET_TCP_PSH, &seed);
	struct net_vnet_hdr vh;
	struct net_gro g;
	const uint8_t *p;
	size_t pl, at, l4;
	struct net_gso s;
	uint8_t one[2048];

	assert_true(net_gro_start(&g, segs[0], seg_len[0]));
	at = NET_VNET_HLEN + seg_len[0];
	memcpy(again + NET_VNET_HLEN, segs[0], seg_len[0]);
	for (unsigned i = 1; i < n; i++) {
		if (!net_gro_append(&g, segs[i], seg_len[i], &p, &pl))
			fail_msg("v4 %d len %zu: datagram %u does not join", v4, plen, i);
		memcpy(again + at, p, pl);
		at += pl;
	}
	assert_int_equal(g.n, n);
	net_gro_finish(&g, &vh);
	/* finish rewrote segs[0]'s headers: the written frame's come from it */
	memcpy(again + NET_VNET_HLEN, segs[0], g.hdr_len);
	vnet(again, &vh);
	if (n == 1) {
		assert_int_equal(vh.gso_type, NET_VNET_GSO_NONE);
		return;
	}
	assert_int_equal(vh.gso_size, MSS);
	/* The partial checksum completes to a right one. */
	l4 = vh.csum_start;
	{
		static uint8_t whole[MAX_FRAME];
		size_t wl = at - NET_VNET_HLEN;

		memcpy(whole, again + NET_VNET_HLEN, wl);
		net_put_be16(whole + l4 + vh.csum_offset,
			     net_csum_finish(net_csum_add(0, whole + l4, wl - l4)));
		assert_true(tcp_csum_right(whole, wl, v4));
	}
	assert_true(net_gso_parse(again, at, &s));
	assert_int_equal(s.n_segs, n);
	/* cut() left the original segments in segs (segs[0]'s headers now
	 * the super-frame's: only its payload and checksum are compared) */
	for (unsigned i = 1; i < n; i++) {
		assert_int_equal(net_gso_segment(&s, i, one, sizeof(one)), seg_len[i]);
		assert_memory_equal(one, segs[i], seg_len[i]);
	}
	assert_int_equal(net_gso_segment(&s, 0, one, sizeof(one)), seg_len[0]);
	assert_true(tcp_csum_right(one, seg_len[0], v4));
	assert_memory_equal(one + g.hdr_len, segs[0] + g.hdr_len, seg_len[0] - g.hdr_len);
}

static void test_coalesce_round_trip(void **state)
{
	(void)state;
	round_trip(true, 45 * MSS + 17);
	round_trip(false, 45 * MSS + 17);
	round_trip(true, 3 * MSS);
	round_trip(true, 500);
	round_trip(false, 64000);
}

static void test_coalesce_refuses(void **state)
{
	uint64_t seed = 5;
	struct net_gro g;
	const uint8_t *p;
	size_t pl;
	uint8_t *tcp;
	unsigned n = cut(true, 6 * MSS, NET_TCP_ACK, &seed);
	size_t l4 = NET_ETH_HLEN + NET_IP4_HLEN;

	(void)state;
	assert_int_equal(n, 6);
	assert_true(net_gro_start(&g, segs[0], seg_len[0]));
	/* a gap: segment 2 after 0 */
	assert_false(net_gro_append(&g, segs[2], seg_len[2], &p, &pl));
	assert_true(net_gro_append(&g, segs[1], seg_len[1], &p, &pl));
	/* another ACK number */
	tcp = segs[2] + l4;
	net_put_be32(tcp + NET_TCP_OFF_ACK, 78);
	assert_true(net_gro_same_flow(&g, segs[2], seg_len[2]));
	assert_false(net_gro_append(&g, segs[2], seg_len[2], &p, &pl));
	net_put_be32(tcp + NET_TCP_OFF_ACK, 77);
	/* another flow (port) */
	net_put_be16(tcp, 5202);
	assert_false(net_gro_same_flow(&g, segs[2], seg_len[2]));
	assert_false(net_gro_append(&g, segs[2], seg_len[2], &p, &pl));
	net_put_be16(tcp, 5201);
	/* SYN neither joins nor starts */
	tcp[NET_TCP_OFF_FLAGS] |= NET_TCP_SYN;
	assert_false(net_gro_append(&g, segs[2], seg_len[2], &p, &pl));
	assert_false(net_gro_start(&g, segs[2], seg_len[2]));
	tcp[NET_TCP_OFF_FLAGS] &= (uint8_t)~NET_TCP_SYN;
	/* PSH joins and ends the run */
	assert_true(net_gro_start(&g, segs[0], seg_len[0]));
	assert_true(net_gro_append(&g, segs[1], seg_len[1], &p, &pl));
	segs[2][l4 + NET_TCP_OFF_FLAGS] |= NET_TCP_PSH;
	assert_true(net_gro_append(&g, segs[2], seg_len[2], &p, &pl));
	assert_true(g.closed && g.psh);
	assert_false(net_gro_append(&g, segs[3], seg_len[3], &p, &pl));
	/* a frame shorter than its IP length is nobody's */
	assert_false(net_gro_start(&g, segs[3], seg_len[3] - 1));
	/* a short segment joins and ends the run */
	n = cut(true, 3 * MSS - 100, NET_TCP_ACK, &seed);
	assert_true(net_gro_start(&g, segs[0], seg_len[0]));
	assert_true(net_gro_append(&g, segs[1], seg_len[1], &p, &pl));
	assert_true(net_gro_append(&g, segs[2], seg_len[2], &p, &pl));
	assert_true(g.closed && !g.psh);
	assert_int_equal(g.payload, 3 * MSS - 100);
}

/* ---- UDP (USO) ---- */

enum { USO_SIZE = 1200, UDP_ID = 0x4321 };

/* A UDP frame of plen bytes of payload (copied from payload) with IPv4 id
 * id, lengths as given (ip_len: the IP header's total or payload length)
 * and udp_sum in the checksum field; the IPv4 header checksum naive. */
static size_t udp_build(uint8_t *f, bool v4, uint16_t id, const uint8_t *payload, size_t plen,
			size_t ip_len, uint16_t udp_len, uint16_t udp_sum)
{
	size_t l4 = NET_ETH_HLEN + (v4 ? NET_IP4_HLEN : NET_IP6_HLEN);
	uint8_t *ip = f + NET_ETH_HLEN, *udp = f + l4;

	memset(f, 0, l4 + 8);
	memcpy(f, t_peer_mac.b, 6);
	memcpy(f + 6, t_us_mac.b, 6);
	net_put_be16(f + 12, v4 ? 0x0800 : 0x86dd);
	if (v4) {
		ip[0] = 0x45;
		ip[1] = 0x10;
		net_put_be16(ip + 2, (uint16_t)ip_len);
		net_put_be16(ip + 4, id);
		net_put_be16(ip + 6, 0x4000); /* DF */
		ip[8] = 64;
		ip[9] = 17;
		memcpy(ip + 12, t_us4.b, 4);
		memcpy(ip + 16, t_peer4.b, 4);
		net_put_be16(ip + 10, (uint16_t)~t_ref_sum(ip, 20));
	} else {
		ip[0] = 0x60;
		net_put_be16(ip + 4, (uint16_t)ip_len);
		ip[6] = 17;
		ip[7] = 64;
		memcpy(ip + 8, t_us6.b, 16);
		memcpy(ip + 24, t_peer6.b, 16);
	}
	net_put_be16(udp, 40000);
	net_put_be16(udp + 2, 5201);
	net_put_be16(udp + 4, udp_len);
	net_put_be16(udp + 6, udp_sum);
	memcpy(udp + 8, payload, plen);
	return l4 + 8 + plen;
}

/* The UDP checksum of the datagram at f + l4 of n bytes, naively: its
 * pseudo-header and bytes (checksum field taken as 0) in one buffer. */
static uint16_t udp_ref_csum(const uint8_t *f, bool v4, size_t n)
{
	static uint8_t buf[MAX_FRAME + 64];
	size_t l4 = NET_ETH_HLEN + (v4 ? NET_IP4_HLEN : NET_IP6_HLEN);
	size_t o = ref_pseudo(buf, f, v4, NET_PROTO_UDP, n);
	uint16_t sum;

	memcpy(buf + o, f + l4, n);
	buf[o + 6] = buf[o + 7] = 0;
	sum = (uint16_t)~t_ref_sum(buf, o + n);
	return sum ? sum : 0xffff;
}

/* Datagram i of a super-datagram of payload pay (plen bytes), built as
 * the receiver must see it. */
static size_t udp_ref_seg(uint8_t *f, bool v4, const uint8_t *pay, size_t plen, size_t size,
			  unsigned i)
{
	size_t off = i * size, n = plen - off < size ? plen - off : size;
	size_t ip_len = v4 ? NET_IP4_HLEN + 8 + n : 8 + n, len;

	len = udp_build(f, v4, (uint16_t)(UDP_ID + i), pay + off, n, ip_len, (uint16_t)(8 + n), 0);
	net_put_be16(f + len - n - 2, udp_ref_csum(f, v4, 8 + n));
	return len;
}

/* A super-datagram as the tap gives it: the vnet header, the IP and UDP
 * lengths of the whole, the checksum field holding the pseudo-header's
 * partial sum (or junk: it must not matter). */
static size_t udp_super(bool v4, const uint8_t *pay, size_t plen, uint16_t size, uint16_t junk)
{
	struct net_vnet_hdr vh = { .flags = NET_VNET_F_NEEDS_CSUM,
				   .gso_type = NET_VNET_GSO_UDP_L4,
				   .gso_size = size };
	size_t l4 = NET_ETH_HLEN + (v4 ? NET_IP4_HLEN : NET_IP6_HLEN);
	size_t ip_len = v4 ? NET_IP4_HLEN + 8 + plen : 8 + plen;

	vh.hdr_len = (uint16_t)(l4 + 8);
	vh.csum_start = (uint16_t)l4;
	vh.csum_offset = 6;
	vnet(super, &vh);
	return NET_VNET_HLEN + udp_build(super + NET_VNET_HLEN, v4, UDP_ID, pay, plen, ip_len,
					 (uint16_t)(8 + plen), junk);
}

/* Cut a super-datagram: every datagram equal to the reference. */
static void uso_cut(bool v4, const uint8_t *pay, size_t plen, uint16_t size)
{
	static uint8_t want[2048];
	size_t len = udp_super(v4, pay, plen, size, (uint16_t)(plen * 7)), wl;
	unsigned n = plen ? (unsigned)((plen + size - 1) / size) : 1;
	struct net_gso g;

	assert_true(net_gso_parse(super, len, &g));
	assert_true(g.udp && g.v4 == v4);
	assert_int_equal(g.n_segs, n);
	for (unsigned i = 0; i < n; i++) {
		seg_len[i] = net_gso_segment(&g, i, segs[i], sizeof(segs[i]));
		wl = udp_ref_seg(want, v4, pay, plen, size, i);
		assert_int_equal(seg_len[i], wl);
		assert_memory_equal(segs[i], want, wl);
		if (v4)
			assert_int_equal(t_ref_sum(segs[i] + NET_ETH_HLEN, NET_IP4_HLEN), 0xffff);
	}
	assert_int_equal(net_gso_segment(&g, n, segs[0], sizeof(segs[0])), 0);
}

static void test_uso_segment(void **state)
{
	static const size_t lens[] = { 0, 1, 1199, 1200, 1201, 2400, 54 * 1200 + 7, 65507 };
	static uint8_t pay[65536];
	uint64_t seed = 6;

	(void)state;
	t_fill(&seed, pay, sizeof(pay));
	for (unsigned v = 0; v < 2; v++)
		for (unsigned i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
			uso_cut(v == 0, pay, lens[i], USO_SIZE);
	uso_cut(false, pay, 65527, USO_SIZE);            /* IPv6's largest */
	uso_cut(true, pay, NET_GSO_MAX_SEGS * 500, 500); /* a whole burst */
	uso_cut(true, pay, 100, 1);                      /* one byte each */
}

/* A datagram whose checksum comes out 0 goes with 0xffff. */
static void test_uso_zero_sum(void **state)
{
	static uint8_t pay[2 * USO_SIZE], want[2048];
	uint64_t seed = 7;
	uint8_t *last = pay + 2 * USO_SIZE - 2;
	uint16_t s0;

	(void)state;
	t_fill(&seed, pay, sizeof(pay));
	for (unsigned v = 0; v < 2; v++) {
		/* The second datagram's last two bytes bring its sum to 0xffff. */
		net_put_be16(last, 0);
		udp_ref_seg(want, v == 0, pay, sizeof(pay), USO_SIZE, 1);
		s0 = (uint16_t)~net_get_be16(want + (v == 0 ? 40 : 60));
		net_put_be16(last, (uint16_t)(0xffff - s0));
		uso_cut(v == 0, pay, sizeof(pay), USO_SIZE);
		assert_int_equal(net_get_be16(segs[1] + (v == 0 ? 40 : 60)), 0xffff);
	}
}

static void test_uso_refuses(void **state)
{
	static uint8_t pay[20000];
	struct net_vnet_hdr vh;
	struct net_gso g;
	size_t len;
	uint8_t *ip = super + NET_VNET_HLEN + NET_ETH_HLEN;

	(void)state;
	len = udp_super(true, pay, 5000, USO_SIZE, 0);
	assert_true(net_gso_parse(super, len, &g));
	memcpy(&vh, super, sizeof(vh));
	vh.gso_size = 0;
	vnet(super, &vh);
	assert_false(net_gso_parse(super, len, &g));
	vh.gso_size = USO_SIZE;
	vh.hdr_len = (uint16_t)(len - NET_VNET_HLEN + 1); /* past the frame */
	vnet(super, &vh);
	assert_false(net_gso_parse(super, len, &g));
	vh.hdr_len = 42;
	vnet(super, &vh);
	assert_true(net_gso_parse(super, len, &g));
	assert_false(net_gso_parse(super, NET_VNET_HLEN + 14 + 20 + 7, &g)); /* UDP cut */
	assert_true(net_gso_parse(super, NET_VNET_HLEN + 14 + 20 + 8, &g));  /* no payload */
	assert_int_equal(g.n_segs, 1);
	ip[0] = 0x46; /* IPv4 options */
	assert_false(net_gso_parse(super, len, &g));
	ip[0] = 0x45;
	ip[9] = NET_PROTO_TCP; /* UDP_L4 on TCP */
	assert_false(net_gso_parse(super, len, &g));
	ip[9] = NET_PROTO_UDP;
	net_put_be16(ip + 6, 0x2000); /* a fragment (MF) */
	assert_false(net_gso_parse(super, len, &g));
	net_put_be16(ip + 6, 0);
	assert_true(net_gso_parse(super, len, &g));
	net_put_be16(super + NET_VNET_HLEN + 12, 0x0806); /* not IP */
	assert_false(net_gso_parse(super, len, &g));
	/* IPv6 with a hop-by-hop header in front of UDP */
	len = udp_super(false, pay, 5000, USO_SIZE, 0);
	assert_true(net_gso_parse(super, len, &g));
	ip[6] = 0;
	assert_false(net_gso_parse(super, len, &g));
	/* More datagrams than a burst: 200 of 100 bytes. */
	len = udp_super(true, pay, 20000, 100, 0);
	assert_false(net_gso_parse(super, len, &g));
	len = udp_super(true, pay, NET_GSO_MAX_SEGS * 100 + 1, 100, 0);
	assert_false(net_gso_parse(super, len, &g));
	len = udp_super(true, pay, NET_GSO_MAX_SEGS * 100, 100, 0);
	assert_true(net_gso_parse(super, len, &g));
}

/* uso_cut's datagrams coalesced as the way to the kernel does, and cut
 * again: the same datagrams. */
static void uso_round_trip(bool v4, const uint8_t *pay, size_t plen)
{
	static uint8_t again[NET_VNET_HLEN + MAX_FRAME], one[2048];
	unsigned n = (unsigned)((plen + USO_SIZE - 1) / USO_SIZE);
	size_t at, pl, wl;
	struct net_vnet_hdr vh;
	struct net_gro g;
	struct net_gso s;
	const uint8_t *p;

	uso_cut(v4, pay, plen, USO_SIZE);
	at = NET_VNET_HLEN + seg_len[0];
	assert_true(net_gro_start_udp(&g, segs[0], seg_len[0]));
	assert_false(net_gro_start(&g, segs[0], seg_len[0])); /* not TCP */
	assert_true(net_gro_start_udp(&g, segs[0], seg_len[0]));
	memcpy(again + NET_VNET_HLEN, segs[0], seg_len[0]);
	for (unsigned i = 1; i < n; i++) {
		assert_true(net_gro_same_flow(&g, segs[i], seg_len[i]));
		if (!net_gro_append(&g, segs[i], seg_len[i], &p, &pl))
			fail_msg("v4 %d len %zu: datagram %u does not join", v4, plen, i);
		memcpy(again + at, p, pl);
		at += pl;
	}
	net_gro_finish(&g, &vh);
	memcpy(again + NET_VNET_HLEN, segs[0], g.hdr_len);
	vnet(again, &vh);
	assert_int_equal(vh.gso_type, NET_VNET_GSO_UDP_L4);
	assert_int_equal(vh.gso_size, USO_SIZE);
	assert_int_equal(vh.csum_start, g.l4_off);
	assert_int_equal(vh.csum_offset, 6);
	/* The partial checksum completes to a right one over the whole. */
	wl = at - NET_VNET_HLEN;
	memcpy(super, again + NET_VNET_HLEN, wl);
	net_put_be16(super + g.l4_off + 6,
		     net_csum_finish(net_csum_add(0, super + g.l4_off, wl - g.l4_off)));
	assert_int_equal(net_get_be16(super + g.l4_off + 4), wl - g.l4_off);
	assert_int_equal(udp_ref_csum(super, v4, wl - g.l4_off),
			 net_get_be16(super + g.l4_off + 6));
	assert_true(net_gso_parse(again, at, &s));
	assert_int_equal(s.n_segs, n);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(net_gso_segment(&s, i, one, sizeof(one)), seg_len[i]);
		if (i)
			assert_memory_equal(one, segs[i], seg_len[i]);
	}
}

static void test_uso_coalesce(void **state)
{
	static uint8_t pay[65536];
	uint64_t seed = 8;
	const uint8_t *p;
	struct net_gro g;
	size_t pl;
	uint8_t *ip;

	(void)state;
	t_fill(&seed, pay, sizeof(pay));
	uso_round_trip(true, pay, 54 * USO_SIZE + 7);
	uso_round_trip(false, pay, 54 * USO_SIZE + 7);
	uso_round_trip(true, pay, 3 * USO_SIZE);
	uso_cut(true, pay, 5 * USO_SIZE - 10, USO_SIZE); /* the last is short */
	assert_true(net_gro_start_udp(&g, segs[0], seg_len[0]));
	net_put_be16(segs[1] + 34, 40001); /* another port */
	assert_false(net_gro_same_flow(&g, segs[1], seg_len[1]));
	assert_false(net_gro_append(&g, segs[1], seg_len[1], &p, &pl));
	net_put_be16(segs[1] + 34, 40000);
	segs[1][14 + 8] = 1; /* another TTL */
	assert_false(net_gro_append(&g, segs[1], seg_len[1], &p, &pl));
	segs[1][14 + 8] = 64;
	assert_true(net_gro_append(&g, segs[1], seg_len[1], &p, &pl));
	assert_true(net_gro_append(&g, segs[4], seg_len[4], &p, &pl)); /* shorter: ends it */
	assert_true(g.closed);
	assert_false(net_gro_append(&g, segs[2], seg_len[2], &p, &pl));
	assert_true(net_gro_start_udp(&g, segs[4], seg_len[4]));
	assert_false(net_gro_append(&g, segs[0], seg_len[0], &p, &pl)); /* longer */
	ip = segs[0] + NET_ETH_HLEN;
	ip[0] = 0x46; /* options */
	assert_false(net_gro_start_udp(&g, segs[0], seg_len[0]));
	ip[0] = 0x45;
	assert_false(net_gro_start_udp(&g, segs[0], seg_len[0] - 1)); /* cut short */
	net_put_be16(segs[0] + 38, 9); /* UDP length not the IP payload's */
	assert_false(net_gro_start_udp(&g, segs[0], seg_len[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_segment),          cmocka_unit_test(test_needs_csum),
		cmocka_unit_test(test_parse_refuses),    cmocka_unit_test(test_coalesce_round_trip),
		cmocka_unit_test(test_coalesce_refuses), cmocka_unit_test(test_uso_segment),
		cmocka_unit_test(test_uso_zero_sum),     cmocka_unit_test(test_uso_refuses),
		cmocka_unit_test(test_uso_coalesce),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

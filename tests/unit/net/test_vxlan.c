/* SPDX-License-Identifier: MIT */
/*
 * VXLAN (vxlan.c): random frames, tagged or not, over IPv4 and IPv6 go
 * through encap and come back out of decap with every field; the header
 * bytes are checked against RFC 7348's layout and the checksums against a
 * naive RFC 1071 sum written here (not lib/net's); each malformed packet
 * is refused with its own reason; encap's limits and the source port's
 * range and spread hold.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/addr.h"
#include "net/net.h"
#include "net/vxlan.h"

#define BUF 2048

static const struct net_addr a4 = { .family = NET_AF_IP4, .b = { 10, 200, 0, 1 } };
static const struct net_addr b4 = { .family = NET_AF_IP4, .b = { 10, 200, 0, 2 } };
static const struct net_addr a6 = { .family = NET_AF_IP6,
				    .b = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 } };
static const struct net_addr b6 = { .family = NET_AF_IP6,
				    .b = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 } };

/* RFC 1071 the slow way: 16-bit big-endian words, carries folded at the end. */
static uint16_t naive_sum(const uint8_t *p, size_t n, uint32_t start)
{
	uint64_t s = start;

	for (size_t i = 0; i < n; i++)
		s += i % 2 ? p[i] : (uint32_t)p[i] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static uint32_t naive_pseudo6(const uint8_t *ip, uint32_t udp_len)
{
	return naive_sum(ip + 8, 32, 0) + 17u + (udp_len >> 16) + (udp_len & 0xffff);
}

static void fix_ip4_csum(uint8_t *ip)
{
	unsigned hl = (ip[0] & 15) * 4u;

	ip[10] = ip[11] = 0;
	uint16_t c = (uint16_t)~naive_sum(ip, hl, 0);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
}

/* A random frame of len bytes (>= 18), tagged with vid when vid >= 0. */
static void make_frame(uint8_t *f, uint32_t len, int vid, uint16_t type)
{
	for (uint32_t i = 0; i < len; i++)
		f[i] = (uint8_t)rand();
	f[0] &= 0xfe; /* unicast destination */
	f[6] &= 0xfe;
	if (vid >= 0) {
		net_put_be16(f + 12, NET_ETH_VLAN);
		net_put_be16(f + 14, (uint16_t)(0xe000 | vid));
		net_put_be16(f + 16, type);
	} else {
		net_put_be16(f + 12, type);
	}
}

/* Encap of frame_len bytes (already at buf + hlen); returns the packet length. */
static uint32_t build(uint8_t *buf, const struct net_addr *s, const struct net_addr *d,
		      uint32_t vni, uint32_t frame_len)
{
	uint32_t hlen = net_vxlan_hdr_len(s->family);
	uint16_t sport = net_vxlan_sport(buf + hlen, frame_len);

	assert_int_equal(net_vxlan_encap(buf, s, d, vni, sport, buf + hlen, frame_len), hlen);
	return hlen + frame_len;
}

static void check_bytes(const uint8_t *p, uint32_t len, const struct net_addr *s, uint32_t vni)
{
	bool v4 = s->family == NET_AF_IP4;
	uint32_t l4 = v4 ? 20 : 40;
	const uint8_t *u = p + l4;

	if (v4) {
		assert_int_equal(p[0], 0x45);
		assert_int_equal(net_get_be16(p + 2), len);
		assert_int_equal(p[9], 17);
		assert_int_equal(p[8], 64);
		assert_int_equal(naive_sum(p, 20, 0), 0xffff);
		assert_int_equal(net_get_be16(u + 6), 0); /* RFC 7348 5: SHOULD be zero */
	} else {
		assert_int_equal(p[0] >> 4, 6);
		assert_int_equal(net_get_be16(p + 4), len - 40);
		assert_int_equal(p[6], 17);
		assert_int_equal(p[7], 64);
		assert_int_not_equal(net_get_be16(u + 6), 0);
		assert_int_equal(naive_sum(u, len - l4, naive_pseudo6(p, len - l4)), 0xffff);
	}
	assert_int_equal(net_get_be16(u + 2), 4789);
	assert_int_equal(net_get_be16(u + 4), len - l4);
	assert_int_equal(u[8], 0x08);
	assert_int_equal(u[9] | u[10] | u[11] | u[15], 0);
	assert_int_equal((uint32_t)u[12] << 16 | u[13] << 8 | u[14], vni);
	assert_true(net_vxlan_udp_csum_ok(p, len));
}

static void round_trip(const struct net_addr *s, const struct net_addr *d)
{
	static uint8_t buf[BUF];
	uint32_t hlen = net_vxlan_hdr_len(s->family);
	struct net_vxlan_view v;

	for (int i = 0; i < 500; i++) {
		uint32_t flen = 18 + (uint32_t)rand() % 1500, vni = (uint32_t)rand() & 0xffffff;
		int vid = rand() % 3 ? -1 : rand() % 4096;
		uint16_t type = rand() % 2 ? NET_ETH_IP4 : NET_ETH_ARP;
		uint32_t len;

		make_frame(buf + hlen, flen, vid, type);
		len = build(buf, s, d, vni, flen);
		check_bytes(buf, len, s, vni);
		memset(&v, 0xa5, sizeof(v));
		assert_int_equal(net_vxlan_decap(buf, len, &v), 0);
		assert_int_equal(v.frame_off, hlen);
		assert_int_equal(v.frame_len, flen);
		assert_int_equal(v.vni, vni);
		assert_true(net_addr_equal(&v.src, s));
		assert_true(net_addr_equal(&v.dst, d));
		assert_memory_equal(v.dst_mac.b, buf + hlen, 6);
		assert_memory_equal(v.src_mac.b, buf + hlen + 6, 6);
		assert_int_equal(v.vlan, vid < 0 ? 0 : vid);
		assert_int_equal(v.ethertype, type);
		assert_int_equal(v.l2_hlen, vid < 0 ? 14 : 18);
		assert_int_equal(v.sport, net_vxlan_sport(buf + hlen, flen));
	}
}

static void test_round_trip4(void **state)
{
	(void)state;
	round_trip(&a4, &b4);
}

static void test_round_trip6(void **state)
{
	(void)state;
	round_trip(&a6, &b6);
}

/* A valid 100-byte frame's packet in buf; returns its length. */
static uint32_t valid(uint8_t *buf, const struct net_addr *s, const struct net_addr *d)
{
	make_frame(buf + net_vxlan_hdr_len(s->family), 100, -1, NET_ETH_IP4);
	return build(buf, s, d, 42, 100);
}

struct bad_case {
	const char *what;
	bool v6;
	int reason;
	/* mutates the valid packet p (length *len) */
	void (*mutate)(uint8_t *p, uint32_t *len);
};

static void m_empty(uint8_t *p, uint32_t *len)
{
	(void)p;
	*len = 0;
}

static void m_version(uint8_t *p, uint32_t *len)
{
	(void)len;
	p[0] = (uint8_t)(0x50 | (p[0] & 15));
}

static void m_short4(uint8_t *p, uint32_t *len)
{
	(void)p;
	*len = 19;
}

static void m_ihl(uint8_t *p, uint32_t *len)
{
	(void)len;
	p[0] = 0x44;
	fix_ip4_csum(p);
}

static void m_ip_csum(uint8_t *p, uint32_t *len)
{
	(void)len;
	p[11] ^= 1;
}

static void m_totlen(uint8_t *p, uint32_t *len)
{
	net_put_be16(p + 2, (uint16_t)(*len + 1));
	fix_ip4_csum(p);
}

static void m_mf(uint8_t *p, uint32_t *len)
{
	(void)len;
	p[6] |= 0x20;
	fix_ip4_csum(p);
}

static void m_offset(uint8_t *p, uint32_t *len)
{
	(void)len;
	p[7] = 1;
	fix_ip4_csum(p);
}

static void m_tcp(uint8_t *p, uint32_t *len)
{
	(void)len;
	p[9] = 6;
	fix_ip4_csum(p);
}

static void m_udp_len(uint8_t *p, uint32_t *len)
{
	(void)len;
	p[20 + 5] -= 1;
}

static void m_udp_tiny(uint8_t *p, uint32_t *len)
{
	net_put_be16(p + 2, 20 + 4);
	net_put_be16(p + 24, 4);
	*len = 24;
	fix_ip4_csum(p);
}

static void m_port(uint8_t *p, uint32_t *len)
{
	(void)len;
	net_put_be16(p + 22, 4790);
}

/* UDP to 4789 with only 4 bytes of payload. */
static void m_short_hdr(uint8_t *p, uint32_t *len)
{
	*len = 20 + 8 + 4;
	net_put_be16(p + 2, (uint16_t)*len);
	net_put_be16(p + 24, 12);
	fix_ip4_csum(p);
}

static void m_flags(uint8_t *p, uint32_t *len)
{
	(void)len;
	p[28] = 0x00;
}

/* The valid packet cut to a frame of n bytes. */
static void cut_frame(uint8_t *p, uint32_t *len, uint32_t n)
{
	*len = 36 + n;
	net_put_be16(p + 2, (uint16_t)*len);
	net_put_be16(p + 24, (uint16_t)(16 + n));
	fix_ip4_csum(p);
}

static void m_frame13(uint8_t *p, uint32_t *len)
{
	cut_frame(p, len, 13);
}

static void m_tag_cut(uint8_t *p, uint32_t *len)
{
	net_put_be16(p + 36 + 12, NET_ETH_VLAN);
	cut_frame(p, len, 16);
}

static void m_short6(uint8_t *p, uint32_t *len)
{
	(void)p;
	*len = 39;
}

static void m_paylen6(uint8_t *p, uint32_t *len)
{
	net_put_be16(p + 4, (uint16_t)(*len - 40 + 1));
}

static void m_hopopts6(uint8_t *p, uint32_t *len)
{
	(void)len;
	p[6] = 0;
}

static void m_udp_len6(uint8_t *p, uint32_t *len)
{
	(void)len;
	p[40 + 5] += 1;
}

static void m_flags6(uint8_t *p, uint32_t *len)
{
	(void)len;
	p[48] = 0xf7; /* every bit but I */
}

static const struct bad_case bad_cases[] = {
	{ "empty", false, NET_VXLAN_NOT_IP, m_empty },
	{ "version 5", false, NET_VXLAN_NOT_IP, m_version },
	{ "19 bytes", false, NET_VXLAN_BAD_IP, m_short4 },
	{ "IHL 4", false, NET_VXLAN_BAD_IP, m_ihl },
	{ "IPv4 checksum", false, NET_VXLAN_BAD_IP, m_ip_csum },
	{ "total length past the end", false, NET_VXLAN_BAD_LEN, m_totlen },
	{ "MF", false, NET_VXLAN_FRAGMENT, m_mf },
	{ "offset", false, NET_VXLAN_FRAGMENT, m_offset },
	{ "TCP", false, NET_VXLAN_NOT_UDP, m_tcp },
	{ "UDP length", false, NET_VXLAN_BAD_LEN, m_udp_len },
	{ "UDP cut short", false, NET_VXLAN_BAD_LEN, m_udp_tiny },
	{ "port 4790", false, NET_VXLAN_NOT_VXLAN_PORT, m_port },
	{ "4-byte VXLAN header", false, NET_VXLAN_SHORT_HDR, m_short_hdr },
	{ "no I flag", false, NET_VXLAN_BAD_FLAGS, m_flags },
	{ "13-byte frame", false, NET_VXLAN_SHORT_FRAME, m_frame13 },
	{ "tag cut short", false, NET_VXLAN_SHORT_FRAME, m_tag_cut },
	{ "39 bytes", true, NET_VXLAN_BAD_IP, m_short6 },
	{ "payload length past the end", true, NET_VXLAN_BAD_LEN, m_paylen6 },
	{ "hop-by-hop header", true, NET_VXLAN_NOT_UDP, m_hopopts6 },
	{ "UDP length (IPv6)", true, NET_VXLAN_BAD_LEN, m_udp_len6 },
	{ "no I flag (IPv6)", true, NET_VXLAN_BAD_FLAGS, m_flags6 },
};

static void test_malformed(void **state)
{
	static uint8_t buf[BUF];
	struct net_vxlan_view v;
	unsigned seen[NET_VXLAN_REASONS] = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		uint32_t len = c->v6 ? valid(buf, &a6, &b6) : valid(buf, &a4, &b4);
		int r;

		assert_int_equal(net_vxlan_decap(buf, len, &v), 0);
		c->mutate(buf, &len);
		r = net_vxlan_decap(buf, len, &v);
		if (r != -c->reason)
			fail_msg("%s: %s, want %s", c->what, net_vxlan_reason_name(r),
				 net_vxlan_reason_name(c->reason));
		seen[c->reason]++;
	}
	for (int r = 1; r < NET_VXLAN_REASONS; r++)
		if (!seen[r])
			fail_msg("no case for %s", net_vxlan_reason_name(r));
}

/* What must still pass: padding past the IP length, reserved bits set. */
static void test_tolerated(void **state)
{
	static uint8_t buf[BUF];
	struct net_vxlan_view v;
	uint32_t len = valid(buf, &a4, &b4);

	(void)state;
	assert_int_equal(net_vxlan_decap(buf, len + 16, &v), 0); /* WireGuard padding */
	assert_int_equal(v.frame_len, 100);
	buf[28] = 0xff; /* RFC 7348 5: reserved bits ignored on receipt */
	buf[29] = 0xff;
	buf[35] = 0xff;
	assert_int_equal(net_vxlan_decap(buf, len, &v), 0);
	assert_int_equal(v.vni, 42);
	len = valid(buf, &a6, &b6);
	net_put_be16(buf + 46, 0); /* a zero IPv6 checksum: not decap's business */
	assert_int_equal(net_vxlan_decap(buf, len, &v), 0);
	assert_false(net_vxlan_udp_csum_ok(buf, len));
	len = valid(buf, &a6, &b6);
	buf[len - 1] ^= 0x40;
	assert_false(net_vxlan_udp_csum_ok(buf, len));
}

static void test_encap_limits(void **state)
{
	static uint8_t buf[70000];
	struct net_addr none = { 0 };

	(void)state;
	assert_int_equal(net_vxlan_hdr_len(NET_AF_IP4), 36);
	assert_int_equal(net_vxlan_hdr_len(NET_AF_IP6), 56);
	assert_int_equal(net_vxlan_hdr_len(NET_AF_NONE), 0);
	assert_int_equal(net_vxlan_encap(buf, &a4, &b6, 1, 50000, buf + 56, 100), 0);
	assert_int_equal(net_vxlan_encap(buf, &none, &none, 1, 50000, buf + 56, 100), 0);
	assert_int_equal(net_vxlan_encap(buf, &a4, &b4, 1u << 24, 50000, buf + 56, 100), 0);
	assert_int_equal(net_vxlan_encap(buf, &a4, &b4, 0xffffff, 50000, NULL, 100), 36);
	/* IPv4: total length = 36 + frame <= 65535; IPv6: payload = 16 + frame. */
	assert_int_equal(net_vxlan_encap(buf, &a4, &b4, 1, 50000, NULL, 65535 - 36), 36);
	assert_int_equal(net_vxlan_encap(buf, &a4, &b4, 1, 50000, NULL, 65535 - 35), 0);
	assert_int_equal(net_vxlan_encap(buf, &a6, &b6, 1, 50000, buf + 56, 65535 - 16), 56);
	assert_int_equal(net_vxlan_encap(buf, &a6, &b6, 1, 50000, buf + 56, 65535 - 15), 0);
}

static void test_sport(void **state)
{
	static uint8_t f[64];
	static unsigned hits[65536];
	unsigned distinct = 0;

	(void)state;
	for (int i = 0; i < 4000; i++) {
		uint16_t p;

		make_frame(f, sizeof(f), -1, NET_ETH_IP4);
		f[14] = 0x45;
		f[23] = 17;
		f[20] = f[21] = 0;
		p = net_vxlan_sport(f, sizeof(f));
		assert_true(p >= NET_VXLAN_SPORT_MIN);
		assert_int_equal(net_vxlan_sport(f, sizeof(f)), p); /* one flow, one port */
		distinct += !hits[p]++;
	}
	assert_true(distinct > 3000);
	/* The ports of the inner flow count, not only the MACs and addresses. */
	distinct = net_vxlan_sport(f, sizeof(f));
	f[14 + 20] ^= 1;
	assert_int_not_equal(net_vxlan_sport(f, sizeof(f)), distinct);
	assert_true(net_vxlan_sport(f, 3) >= NET_VXLAN_SPORT_MIN); /* reads nothing past len */
	/* behind a tag too */
	make_frame(f, sizeof(f), 5, NET_ETH_IP4);
	f[18] = 0x45;
	f[27] = 17;
	f[24] = f[25] = 0;
	distinct = net_vxlan_sport(f, sizeof(f));
	f[18 + 20 + 1] ^= 1;
	assert_int_not_equal(net_vxlan_sport(f, sizeof(f)), distinct);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(net_vxlan_reason_name(-NET_VXLAN_NOT_UDP), "NOT_UDP");
	assert_string_equal(net_vxlan_reason_name(NET_VXLAN_BAD_FLAGS), "BAD_FLAGS");
	assert_string_equal(net_vxlan_reason_name(NET_VXLAN_REASONS), "?");
	assert_string_equal(net_vxlan_reason_text(-1000), "?");
	for (int r = 0; r < NET_VXLAN_REASONS; r++)
		assert_true(strlen(net_vxlan_reason_text(r)) > 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip4),  cmocka_unit_test(test_round_trip6),
		cmocka_unit_test(test_malformed),    cmocka_unit_test(test_tolerated),
		cmocka_unit_test(test_encap_limits), cmocka_unit_test(test_sport),
		cmocka_unit_test(test_names),
	};

	srand(19);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * IPv4, IPv6 and UDP (ipv4.c, ipv6.c, udp.c): scapy-made frames parsed
 * and rebuilt byte for byte, random round trips, and numbered tables of
 * broken headers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "net/net.h"
#include "net_test_util.h"
#include "net_vectors.h"

static void test_ip4_known(void **state)
{
	struct net_ip4_info ip;
	struct net_udp_info u;
	const uint8_t *p = kat_udp4_csum + 14;

	(void)state;
	assert_int_equal(net_ip4_parse(p, 60, &ip), NET_DROP_OK);
	assert_int_equal(ip.hdr_len, 20);
	assert_int_equal(ip.total_len, 60);
	assert_int_equal(ip.id, 0x1234);
	assert_int_equal(ip.ttl, 64);
	assert_int_equal(ip.proto, NET_PROTO_UDP);
	assert_true(ip.df);
	assert_false(ip.fragment);
	assert_true(net_ip4_eq(&ip.src, &t_us4));
	assert_true(net_ip4_eq(&ip.dst, &t_peer4));
	assert_int_equal(net_udp_parse(p + 20, 40, &u), NET_DROP_OK);
	assert_int_equal(u.src_port, T_PORT);
	assert_int_equal(u.dst_port, T_PEER_PORT);
	assert_int_equal(u.len, 40);
	assert_true(net_udp4_csum_ok(p + 20, 40, &ip.src, &ip.dst));
	assert_true(net_udp4_csum_ok(kat_udp4_nocsum + 34, 40, &ip.src, &ip.dst));
	assert_false(net_udp4_csum_ok(p + 20, 40, &ip.dst, &t_lan4));
}

/* The builders reproduce scapy's frames exactly. */
static void test_build_known(void **state)
{
	uint8_t f[128];

	(void)state;
	for (int csum = 0; csum < 2; csum++) {
		memset(f, 0, sizeof(f));
		t_payload(f + 42);
		assert_int_equal(net_udp4_build(f + 34, 40, &t_us4, &t_peer4, T_PORT, T_PEER_PORT,
						32, csum),
				 8);
		assert_int_equal(net_ip4_build_udp(f + 14, 60, &t_us4, &t_peer4, 0x1234, 40), 20);
		net_eth_build(f, 14, &t_peer_mac, &t_us_mac, NET_ETH_IP4);
		assert_memory_equal(f, csum ? kat_udp4_csum : kat_udp4_nocsum, 74);
	}
	memset(f, 0, sizeof(f));
	t_payload(f + 62);
	assert_int_equal(net_udp6_build(f + 54, 40, &t_us6, &t_peer6, T_PORT, T_PEER_PORT, 32), 8);
	struct net_ip6_info ip6 = { .next = NET_PROTO_UDP,
				    .hop_limit = 64,
				    .payload_len = 40,
				    .src = t_us6,
				    .dst = t_peer6 };
	assert_int_equal(net_ip6_build(f + 14, 40, &ip6), 40);
	net_eth_build(f, 14, &t_peer_mac, &t_us_mac, NET_ETH_IP6);
	assert_memory_equal(f, kat_udp6, sizeof(kat_udp6));
	/* too little room */
	assert_int_equal(net_udp4_build(f, 39, &t_us4, &t_peer4, 1, 2, 32, true), 0);
	assert_int_equal(net_udp6_build(f, 39, &t_us6, &t_peer6, 1, 2, 32), 0);
	assert_int_equal(net_ip4_build_udp(f, 19, &t_us4, &t_peer4, 0, 40), 0);
	assert_int_equal(net_ip6_build(f, 39, &ip6), 0);
}

static void test_ip4_round_trip(void **state)
{
	uint8_t b[64];
	uint64_t seed = 791;

	(void)state;
	for (int i = 0; i < 200; i++) {
		struct net_ip4_info in = { 0 }, out;
		uint16_t plen = (uint16_t)(t_rand(&seed) % 44);

		in.tos = (uint8_t)t_rand(&seed);
		in.ttl = (uint8_t)t_rand(&seed);
		in.proto = (uint8_t)t_rand(&seed);
		in.id = (uint16_t)t_rand(&seed);
		in.df = i & 1;
		t_fill(&seed, in.src.b, 4);
		t_fill(&seed, in.dst.b, 4);
		assert_int_equal(net_ip4_build(b, sizeof(b), &in, plen), 20);
		assert_int_equal(net_ip4_parse(b, 20u + plen, &out), NET_DROP_OK);
		assert_int_equal(out.total_len, 20 + plen);
		assert_int_equal(out.tos, in.tos);
		assert_int_equal(out.ttl, in.ttl);
		assert_int_equal(out.proto, in.proto);
		assert_int_equal(out.id, in.id);
		assert_int_equal(out.df, in.df);
		assert_false(out.fragment);
		assert_true(net_ip4_eq(&out.src, &in.src) && net_ip4_eq(&out.dst, &in.dst));
	}
}

/* A change to the IPv4 header of kat_udp4_csum; fix: recompute checksum. */
static const struct ip4_bad {
	uint8_t off, value;
	bool fix;
	size_t len; /* bytes given to the parser; 0: all 60 */
	enum net_drop want;
} ip4_bad[] = {
	/*  1 */ { 0, 0x65, true, 0, NET_DROP_IP4_VERSION },
	/*  2 */ { 0, 0x44, true, 0, NET_DROP_IP4_IHL },  /* IHL 4 */
	/*  3 */ { 0, 0x40, true, 0, NET_DROP_IP4_IHL },  /* IHL 0 */
	/*  4 */ { 0, 0x4f, true, 0, NET_DROP_OK },       /* 40 bytes of options: valid */
	/*  5 */ { 0, 0x4f, true, 59, NET_DROP_IP4_IHL }, /* header past the buffer */
	/*  6 */ { 3, 61, true, 0, NET_DROP_IP4_TOTLEN }, /* total > buffer */
	/*  7 */ { 3, 19, true, 0, NET_DROP_IP4_TOTLEN }, /* total < header */
	/*  8 */ { 2, 0xff, true, 0, NET_DROP_IP4_TOTLEN },
	/*  9 */ { 11, 0x00, false, 0, NET_DROP_IP4_CSUM },
	/* 10 */ { 19, 0x08, false, 0, NET_DROP_IP4_CSUM }, /* destination changed */
	/* 11 */ { 6, 0x60, true, 0, NET_DROP_OK },         /* DF|MF: a fragment */
	/* 12 */ { 3, 59, true, 0, NET_DROP_OK },           /* total < buffer: padding */
	/* 13 */ { 0, 0x45, true, 19, NET_DROP_IP4_SHORT },
};

static void test_ip4_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ip4_bad) / sizeof(ip4_bad[0]); i++) {
		const struct ip4_bad *c = &ip4_bad[i];
		uint8_t p[60];
		struct net_ip4_info ip;

		memcpy(p, kat_udp4_csum + 14, sizeof(p));
		p[c->off] = c->value;
		if (c->fix) {
			size_t hlen = (p[0] & 0x0f) * 4u;

			net_put_be16(p + 10, 0);
			net_put_be16(p + 10,
				     net_csum_finish(net_csum_add(0, p, hlen < 20 ? 20 : hlen)));
		}
		t_expect_drop(i + 1, net_ip4_parse(p, c->len ? c->len : sizeof(p), &ip), c->want);
	}
}

static void test_ip4_fragment_flags(void **state)
{
	static const uint16_t frag[] = { 0x2000, 0x0001, 0x1fff, 0x4000, 0 };
	uint8_t p[60];
	struct net_ip4_info ip;

	(void)state;
	for (size_t i = 0; i < sizeof(frag) / sizeof(frag[0]); i++) {
		memcpy(p, kat_udp4_csum + 14, sizeof(p));
		net_put_be16(p + 6, frag[i]);
		assert_int_equal(net_ip4_parse_header(p, sizeof(p), &ip), NET_DROP_OK);
		assert_int_equal(ip.fragment, (frag[i] & 0x3fff) != 0);
		assert_int_equal(ip.df, frag[i] == 0x4000);
	}
}

static void test_ip6(void **state)
{
	struct net_ip6_info ip, back;
	uint8_t b[48];

	(void)state;
	assert_int_equal(net_ip6_parse(kat_udp6 + 14, 80, &ip), NET_DROP_OK);
	assert_int_equal(ip.payload_len, 40);
	assert_int_equal(ip.next, NET_PROTO_UDP);
	assert_int_equal(ip.hop_limit, 64);
	assert_false(ip.has_ext);
	assert_true(net_ip6_eq(&ip.src, &t_us6) && net_ip6_eq(&ip.dst, &t_peer6));
	assert_true(net_udp6_csum_ok(kat_udp6 + 54, 40, &ip.src, &ip.dst));
	assert_false(net_udp6_csum_ok(kat_udp6 + 54, 40, &ip.src, &t_us_ll));
	assert_int_equal(net_ip6_parse(kat_udp6 + 14, 79, &ip), NET_DROP_IP6_PAYLEN);
	assert_int_equal(net_ip6_parse(kat_udp6 + 14, 39, &ip), NET_DROP_IP6_SHORT);
	assert_int_equal(net_ip6_parse(kat_udp4_csum + 14, 60, &ip), NET_DROP_IP6_VERSION);

	ip = (struct net_ip6_info){ .tclass = 0xb8,
				    .flow = 0xabcde,
				    .next = 0,
				    .hop_limit = 1,
				    .payload_len = 8,
				    .src = t_us_ll,
				    .dst = t_peer_ll };
	assert_int_equal(net_ip6_build(b, sizeof(b), &ip), 40);
	assert_int_equal(net_ip6_parse(b, sizeof(b), &back), NET_DROP_OK);
	assert_int_equal(back.tclass, 0xb8);
	assert_int_equal(back.flow, 0xabcde);
	assert_true(back.has_ext); /* hop-by-hop options */
	static const uint8_t ext[] = { 0, 43, 44, 50, 51, 60, 135, 139, 140, 253, 254 };
	for (size_t i = 0; i < sizeof(ext); i++)
		assert_true(net_ip6_is_ext_header(ext[i]));
	assert_false(net_ip6_is_ext_header(NET_PROTO_UDP));
	assert_false(net_ip6_is_ext_header(NET_PROTO_ICMP6));
	assert_false(net_ip6_is_ext_header(NET_PROTO_NONE));
}

static void test_udp_lengths(void **state)
{
	uint8_t u[48];
	struct net_udp_info info;

	(void)state;
	memcpy(u, kat_udp4_csum + 34, 40);
	assert_int_equal(net_udp_parse(u, 40, &info), NET_DROP_OK);
	assert_int_equal(net_udp_parse(u, 41, &info), NET_DROP_UDP_LEN);
	assert_int_equal(net_udp_parse(u, 39, &info), NET_DROP_UDP_LEN);
	for (size_t n = 0; n < 8; n++)
		assert_int_equal(net_udp_parse(u, n, &info), NET_DROP_UDP_SHORT);
	net_put_be16(u + 4, 7);
	assert_int_equal(net_udp_parse(u, 40, &info), NET_DROP_UDP_LEN);
	assert_false(net_udp4_csum_ok(u, 7, &t_us4, &t_peer4));
}

/* A computed checksum of 0 goes out as 0xffff (RFC 768). */
static void test_udp_zero_csum(void **state)
{
	uint8_t u[18] = { 0 };

	(void)state;
	u[8] = 0x42;
	net_udp6_build(u, sizeof(u), &t_us6, &t_peer6, 1, 2, 10);
	memcpy(u + 16, u + 6, 2); /* last payload word := the checksum */
	net_udp6_build(u, sizeof(u), &t_us6, &t_peer6, 1, 2, 10);
	assert_int_equal(net_get_be16(u + 6), 0xffff);
	assert_true(net_udp6_csum_ok(u, sizeof(u), &t_us6, &t_peer6));
	net_put_be16(u + 6, 0);
	assert_false(net_udp6_csum_ok(u, sizeof(u), &t_us6, &t_peer6));

	memset(u, 0, sizeof(u));
	u[8] = 0x42;
	net_udp4_build(u, sizeof(u), &t_us4, &t_peer4, 1, 2, 10, true);
	memcpy(u + 16, u + 6, 2);
	net_udp4_build(u, sizeof(u), &t_us4, &t_peer4, 1, 2, 10, true);
	assert_int_equal(net_get_be16(u + 6), 0xffff);
	assert_true(net_udp4_csum_ok(u, sizeof(u), &t_us4, &t_peer4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ip4_known),          cmocka_unit_test(test_build_known),
		cmocka_unit_test(test_ip4_round_trip),     cmocka_unit_test(test_ip4_bad),
		cmocka_unit_test(test_ip4_fragment_flags), cmocka_unit_test(test_ip6),
		cmocka_unit_test(test_udp_lengths),        cmocka_unit_test(test_udp_zero_csum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * Ethernet and ARP (eth.c, arp.c): known-answer frames from scapy, request
 * -> reply, round trips, a numbered table of bad fields, and every
 * truncation of an ARP frame.
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

static void test_eth_parse_build(void **state)
{
	uint8_t f[64];
	struct net_eth e;

	(void)state;
	assert_int_equal(net_eth_build(f, 13, &t_peer_mac, &t_us_mac, NET_ETH_IP4), 0);
	assert_int_equal(net_eth_build(f, sizeof(f), &t_peer_mac, &t_us_mac, NET_ETH_IP6), 14);
	assert_int_equal(net_eth_parse(f, 14, &e), NET_DROP_OK);
	assert_true(net_mac_eq(&e.dst, &t_peer_mac));
	assert_true(net_mac_eq(&e.src, &t_us_mac));
	assert_int_equal(e.type, NET_ETH_IP6);
	assert_false(e.vlan);
	assert_int_equal(e.hdr_len, 14);
	assert_int_equal(net_eth_parse(f, 13, &e), NET_DROP_ETH_SHORT);

	assert_int_equal(net_eth_build_vlan(f, 17, &t_peer_mac, &t_us_mac, 100, 1), 0);
	assert_int_equal(net_eth_build_vlan(f, sizeof(f), &t_peer_mac, &t_us_mac, 0x2064,
					    NET_ETH_ARP),
			 18);
	assert_int_equal(net_eth_parse(f, 18, &e), NET_DROP_OK);
	assert_true(e.vlan);
	assert_int_equal(e.vlan_tci, 0x2064);
	assert_int_equal(e.type, NET_ETH_ARP);
	assert_int_equal(e.hdr_len, 18);
	for (size_t len = 14; len < 18; len++)
		assert_int_equal(net_eth_parse(f, len, &e), NET_DROP_VLAN_SHORT);
}

static void test_eth_insert_vlan(void **state)
{
	uint8_t f[80] = { 0 }, want[sizeof(kat_udp4_vlan)];

	(void)state;
	memcpy(f, kat_udp4_nocsum, sizeof(kat_udp4_nocsum));
	assert_int_equal(net_eth_insert_vlan(f, sizeof(kat_udp4_nocsum), sizeof(f), 100),
			 sizeof(kat_udp4_vlan));
	memcpy(want, kat_udp4_vlan, sizeof(want));
	assert_memory_equal(f, want, sizeof(want));
	assert_int_equal(net_eth_insert_vlan(f, 77, 80, 1), 0); /* no room */
	assert_int_equal(net_eth_insert_vlan(f, 13, 80, 1), 0); /* no header */
}

static void test_ip6_mcast_mac(void **state)
{
	struct net_ip6 g;
	struct net_mac m;
	static const struct net_mac want = { { 0x33, 0x33, 0xff, 0x00, 0x00, 0x01 } };

	(void)state;
	net_ip6_solicited_node(&t_us6, &g);
	net_eth_ip6_mcast_mac(&g, &m);
	assert_true(net_mac_eq(&m, &want));
}

static void test_arp_known_answers(void **state)
{
	uint8_t f[64];
	struct net_arp req;

	(void)state;
	assert_int_equal(net_arp_frame_request(f, sizeof(f), &t_us_mac, &t_us4, &t_router4), 60);
	assert_memory_equal(f, kat_arp_request, 60);
	assert_int_equal(net_arp_frame_gratuitous(f, sizeof(f), &t_us_mac, &t_us4), 60);
	assert_memory_equal(f, kat_arp_gratuitous, 60);

	assert_int_equal(net_arp_parse(kat_arp_peer_request + 14, 46, &req), NET_DROP_OK);
	assert_int_equal(req.op, NET_ARP_REQUEST);
	assert_true(net_mac_eq(&req.sha, &t_peer_mac));
	assert_true(net_ip4_eq(&req.spa, &t_lan4));
	assert_true(net_ip4_eq(&req.tpa, &t_us4));
	assert_int_equal(net_arp_frame_reply(f, sizeof(f), &req, &t_us_mac), 60);
	assert_memory_equal(f, kat_arp_reply, 60);
	assert_int_equal(net_arp_frame_reply(f, 59, &req, &t_us_mac), 0);
}

static void test_arp_round_trip(void **state)
{
	uint8_t b[NET_ARP_LEN];
	uint64_t seed = 826;

	(void)state;
	for (int i = 0; i < 100; i++) {
		struct net_arp a, back;

		t_fill(&seed, (uint8_t *)&a, sizeof(a));
		a.op = (uint16_t)(1 + i % 2);
		a.sha.b[0] &= 0xfe;
		assert_int_equal(net_arp_build(b, sizeof(b) - 1, &a), 0);
		assert_int_equal(net_arp_build(b, sizeof(b), &a), NET_ARP_LEN);
		assert_int_equal(net_arp_parse(b, sizeof(b), &back), NET_DROP_OK);
		assert_int_equal(back.op, a.op);
		assert_true(net_mac_eq(&back.sha, &a.sha));
		assert_true(net_mac_eq(&back.tha, &a.tha));
		assert_true(net_ip4_eq(&back.spa, &a.spa));
		assert_true(net_ip4_eq(&back.tpa, &a.tpa));
	}
}

/* One byte of kat_arp_peer_request's ARP body changed, and the verdict. */
static const struct arp_bad {
	uint8_t off, value;
	enum net_drop want;
} arp_bad[] = {
	/*  1 */ { 0, 0x01, NET_DROP_ARP_HTYPE }, /* htype 0x0101 */
	/*  2 */ { 1, 0x06, NET_DROP_ARP_HTYPE }, /* htype 6 (IEEE 802) */
	/*  3 */ { 2, 0x86, NET_DROP_ARP_PTYPE }, /* ptype 0x8600 */
	/*  4 */ { 3, 0x06, NET_DROP_ARP_PTYPE }, /* ptype 0x0806 */
	/*  5 */ { 4, 8, NET_DROP_ARP_HLEN },
	/*  6 */ { 4, 0, NET_DROP_ARP_HLEN },
	/*  7 */ { 5, 16, NET_DROP_ARP_PLEN },
	/*  8 */ { 5, 0, NET_DROP_ARP_PLEN },
	/*  9 */ { 7, 0, NET_DROP_ARP_OP },
	/* 10 */ { 7, 3, NET_DROP_ARP_OP },     /* RARP request */
	/* 11 */ { 6, 1, NET_DROP_ARP_OP },     /* op 0x0101 */
	/* 12 */ { 8, 0x01, NET_DROP_ARP_SHA }, /* multicast sender */
	/* 13 */ { 8, 0xff, NET_DROP_ARP_SHA }, /* broadcast sender */
	/* 14 */ { 7, 2, NET_DROP_OK },         /* a reply is fine */
	/* 15 */ { 18, 0xff, NET_DROP_OK },     /* tha is not checked */
};

static void test_arp_bad_fields(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(arp_bad) / sizeof(arp_bad[0]); i++) {
		uint8_t f[60];
		struct net_arp a;
		struct net_udp_view v;
		struct net_local l = t_local_us();
		enum net_class c;

		memcpy(f, kat_arp_peer_request, sizeof(f));
		f[14 + arp_bad[i].off] = arp_bad[i].value;
		t_expect_drop(i + 1, net_arp_parse(f + 14, 46, &a), arp_bad[i].want);
		c = t_classify(f, sizeof(f), &l, &v);
		assert_int_equal(c, arp_bad[i].want ? NET_MALFORMED : NET_ARP);
		t_expect_drop(i + 1, v.reason, arp_bad[i].want);
	}
}

/* Every length 0..120: short is refused by reason, never read past. */
static void test_arp_every_length(void **state)
{
	uint8_t f[120];
	uint64_t seed = 120;
	struct net_local l = t_local_us();

	(void)state;
	t_fill(&seed, f, sizeof(f));
	memcpy(f, kat_arp_peer_request, 42); /* unpadded, random after */
	for (size_t len = 0; len <= sizeof(f); len++) {
		struct net_udp_view v;
		enum net_class c = t_classify(f, len, &l, &v);

		if (len < 14) {
			assert_int_equal(c, NET_MALFORMED);
			assert_int_equal(v.reason, NET_DROP_ETH_SHORT);
		} else if (len < 42) {
			assert_int_equal(c, NET_MALFORMED);
			assert_int_equal(v.reason, NET_DROP_ARP_SHORT);
		} else {
			assert_int_equal(c, NET_ARP);
			assert_int_equal(v.l3_off, 14);
			assert_true(net_ip4_eq(&v.src.ip4, &t_lan4));
		}
	}
}

static void test_arp_not_ours(void **state)
{
	struct net_local l = t_local_us();
	struct net_udp_view v;
	uint8_t f[60];

	(void)state;
	memcpy(f, kat_arp_peer_request, sizeof(f));
	f[14 + 27] = 2; /* asks for 192.0.2.2 */
	assert_int_equal(t_classify(f, sizeof(f), &l, &v), NET_OTHER);
	l = t_local_us();
	memset(&l.ip4, 0, sizeof(l.ip4)); /* no IPv4 on the underlay */
	assert_int_equal(t_classify(kat_arp_peer_request, 60, &l, &v), NET_OTHER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eth_parse_build),  cmocka_unit_test(test_eth_insert_vlan),
		cmocka_unit_test(test_ip6_mcast_mac),    cmocka_unit_test(test_arp_known_answers),
		cmocka_unit_test(test_arp_round_trip),   cmocka_unit_test(test_arp_bad_fields),
		cmocka_unit_test(test_arp_every_length), cmocka_unit_test(test_arp_not_ours),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

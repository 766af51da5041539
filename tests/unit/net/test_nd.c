/* SPDX-License-Identifier: MIT */
/*
 * Neighbor Discovery (nd.c): NS -> NA against scapy, our NS for a next
 * hop, duplicate address detection, unicast NS, and a numbered table of
 * the validity rules of RFC 4861 7.1.1/7.1.2, option walking included
 * (a zero-length option must end the walk, not loop).
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

static void test_ns_to_na_known(void **state)
{
	struct net_nd ns, na;
	struct net_eth e;
	uint8_t f[128];

	(void)state;
	assert_int_equal(net_eth_parse(kat_ns_in, sizeof(kat_ns_in), &e), NET_DROP_OK);
	assert_int_equal(net_nd_ns_parse(kat_ns_in + 14, 72, &ns), NET_DROP_OK);
	assert_int_equal(ns.type, NET_ICMP6_ND_NS);
	assert_true(net_ip6_eq(&ns.src, &t_peer_ll));
	assert_true(net_ip6_eq(&ns.target, &t_us6));
	assert_true(ns.has_lla);
	assert_true(net_mac_eq(&ns.lla, &t_peer_mac));
	assert_int_equal(net_nd_na_frame(f, 85, &ns, &e.src, &t_us_mac, 0), 0);
	assert_int_equal(net_nd_na_frame(f, sizeof(f), &ns, &e.src, &t_us_mac,
					 NET_NA_FLAG_OVERRIDE),
			 sizeof(kat_na_out));
	assert_memory_equal(f, kat_na_out, sizeof(kat_na_out));
	assert_int_equal(net_nd_na_parse(f + 14, 72, &na), NET_DROP_OK);
	assert_int_equal(na.flags, NET_NA_FLAG_SOLICITED | NET_NA_FLAG_OVERRIDE);
	assert_true(na.has_lla && net_mac_eq(&na.lla, &t_us_mac));
	assert_true(net_ip6_eq(&na.target, &t_us6));
}

static void test_ns_out_known(void **state)
{
	uint8_t f[128];
	struct net_nd ns;
	struct net_eth e;

	(void)state;
	assert_int_equal(net_nd_ns_frame(f, 85, &t_us_mac, &t_us_ll, &t_router_ll, NULL), 0);
	assert_int_equal(net_nd_ns_frame(f, sizeof(f), &t_us_mac, &t_us_ll, &t_router_ll, NULL),
			 sizeof(kat_ns_out));
	assert_memory_equal(f, kat_ns_out, sizeof(kat_ns_out));
	assert_int_equal(net_nd_ns_parse(f + 14, 72, &ns), NET_DROP_OK);
	/* unicast, to check a neighbour is still there */
	assert_int_equal(net_nd_ns_frame(f, sizeof(f), &t_us_mac, &t_us_ll, &t_router_ll,
					 &t_peer_mac),
			 86);
	assert_int_equal(net_eth_parse(f, 86, &e), NET_DROP_OK);
	assert_true(net_mac_eq(&e.dst, &t_peer_mac));
	assert_int_equal(net_nd_ns_parse(f + 14, 72, &ns), NET_DROP_OK);
	assert_true(net_ip6_eq(&ns.dst, &t_router_ll));
}

/* NS from :: (RFC 4862 DAD): the answer goes to all-nodes, unsolicited. */
static void test_dad(void **state)
{
	static const struct net_ip6 unspec;
	static const struct net_mac all_nodes_mac = { { 0x33, 0x33, 0, 0, 0, 1 } };
	uint8_t f[128];
	struct net_nd ns, na;
	struct net_eth e;

	(void)state;
	assert_int_equal(net_nd_ns_frame(f, sizeof(f), &t_peer_mac, &unspec, &t_us6, NULL), 78);
	assert_int_equal(net_nd_ns_parse(f + 14, 64, &ns), NET_DROP_OK);
	assert_false(ns.has_lla);
	assert_int_equal(net_nd_na_frame(f, sizeof(f), &ns, &t_peer_mac, &t_us_mac,
					 NET_NA_FLAG_OVERRIDE | NET_NA_FLAG_SOLICITED),
			 86);
	assert_int_equal(net_eth_parse(f, 86, &e), NET_DROP_OK);
	assert_true(net_mac_eq(&e.dst, &all_nodes_mac));
	assert_int_equal(net_nd_na_parse(f + 14, 72, &na), NET_DROP_OK);
	assert_true(net_ip6_eq(&na.dst, &net_ip6_all_nodes));
	assert_int_equal(na.flags, NET_NA_FLAG_OVERRIDE);
}

/* No source link-layer option: answer the frame's source MAC. */
static void test_na_without_slla(void **state)
{
	uint8_t f[128];
	struct net_nd ns;
	struct net_eth e;

	(void)state;
	memset(&ns, 0, sizeof(ns));
	ns.src = t_peer_ll;
	ns.target = t_us_ll;
	assert_int_equal(net_nd_na_frame(f, sizeof(f), &ns, &t_peer_mac, &t_us_mac,
					 NET_NA_FLAG_ROUTER),
			 86);
	assert_int_equal(net_eth_parse(f, 86, &e), NET_DROP_OK);
	assert_true(net_mac_eq(&e.dst, &t_peer_mac));
	assert_int_equal(f[14 + 40 + 4], NET_NA_FLAG_ROUTER | NET_NA_FLAG_SOLICITED);
}

/* An NS/NA built field by field, for the table below. */
struct nd_spec {
	uint8_t type, code, hops, next, flags;
	const struct net_ip6 *src, *dst, *target;
	uint8_t opts[24];
	uint8_t opts_len;
	bool bad_csum;
	short len_delta; /* added to the ICMPv6 length (payload length) */
};

static size_t nd_packet(uint8_t *p, const struct nd_spec *s)
{
	static const struct net_ip6 sol = { { 0xff, 0x02, [11] = 1, [12] = 0xff, [15] = 1 } };
	size_t icmp_len = (size_t)(24 + s->opts_len + s->len_delta);
	struct net_ip6_info ip = {
		.next = s->next ? s->next : NET_PROTO_ICMP6,
		.hop_limit = s->hops ? s->hops : 255,
		.payload_len = (uint16_t)icmp_len,
		.src = s->src ? *s->src : t_peer_ll,
		.dst = s->dst ? *s->dst : sol,
	};
	uint8_t *icmp = p + 40;

	memset(p, 0, 40 + 24 + sizeof(s->opts));
	net_ip6_build(p, 40, &ip);
	icmp[0] = s->type ? s->type : NET_ICMP6_ND_NS;
	icmp[1] = s->code;
	icmp[4] = s->flags;
	memcpy(icmp + 8, (s->target ? s->target : &t_us6)->b, 16);
	memcpy(icmp + 24, s->opts, s->opts_len);
	net_put_be16(icmp + 2, net_csum_finish(net_csum_add(net_csum_pseudo6(&ip.src, &ip.dst,
									     NET_PROTO_ICMP6,
									     (uint32_t)icmp_len),
							    icmp, icmp_len)));
	if (s->bad_csum)
		icmp[3] ^= 0x10;
	return 40 + icmp_len;
}

#define SLLA 1, 1, 2, 0, 0, 0, 0, 2 /* source link-layer option, peer MAC */
static const struct net_ip6 unspec6, all_nodes = { { 0xff, 0x02, [15] = 1 } };
static const struct net_ip6 mcast_target = { { 0xff, 0x02, [15] = 1 } };

static const struct nd_case {
	struct nd_spec s;
	enum net_drop ns, na; /* verdicts of the NS and NA parsers */
} nd_cases[] = {
	/*  1 */ { { .opts = { SLLA }, .opts_len = 8 }, NET_DROP_OK, NET_DROP_ICMP_TYPE },
	/*  2 */ { { .hops = 254, .opts = { SLLA }, .opts_len = 8 }, NET_DROP_ND_HOP_LIMIT },
	/*  3 */ { { .hops = 1 }, NET_DROP_ND_HOP_LIMIT },
	/*  4 */ { { .code = 1 }, NET_DROP_ND_CODE },
	/*  5 */ { { .bad_csum = true }, NET_DROP_ICMP_CSUM },
	/*  6 */ { { .target = &mcast_target }, NET_DROP_ND_TARGET },
	/*  7 */ { { .opts = { 1, 0 }, .opts_len = 8 }, NET_DROP_ND_OPT_LEN }, /* len 0 */
	/*  8 */ { { .opts = { SLLA, 14, 0 }, .opts_len = 16 }, NET_DROP_ND_OPT_LEN },
	/*  9 */ { { .opts = { 1, 2, 2 }, .opts_len = 8 }, NET_DROP_ND_OPT_LEN }, /* 16 > 8 */
	/* 10 */ { { .opts = { 1, 255 }, .opts_len = 8 }, NET_DROP_ND_OPT_LEN },
	/* 11 */ { { .opts = { SLLA, 1 }, .opts_len = 9 }, NET_DROP_ND_OPT_LEN }, /* 1 byte */
	/* 12 */ { { .opts = { 14, 1, 9, 9, 9, 9, 9, 9, SLLA }, .opts_len = 16 }, NET_DROP_OK },
	/* 13 */ { { .opts = { 1, 2, 2 }, .opts_len = 16 }, NET_DROP_OK }, /* not Ethernet */
	/* 14 */ { { .len_delta = -1 }, NET_DROP_ICMP_SHORT, NET_DROP_ICMP_SHORT },
	/* 15 */ { { .type = NET_ICMP6_ND_NA }, NET_DROP_ICMP_TYPE, NET_DROP_OK },
	/* 16 */ { { .next = NET_PROTO_UDP }, NET_DROP_ICMP_TYPE, NET_DROP_ICMP_TYPE },
	/* 17 */ { { .next = NET_PROTO_DSTOPTS }, NET_DROP_IP6_EXTHDR, NET_DROP_IP6_EXTHDR },
	/* 18 */ { { .src = &unspec6 }, NET_DROP_OK }, /* DAD */
	/* 19 */ { { .src = &unspec6, .opts = { SLLA }, .opts_len = 8 }, NET_DROP_ND_DAD_SLLA },
	/* 20 */ { { .src = &unspec6, .dst = &t_us6 }, NET_DROP_ND_DAD_DST },
	/* 21 */ { { .src = &unspec6, .dst = &all_nodes }, NET_DROP_ND_DAD_DST },
	/* 22 */
	{ { .type = NET_ICMP6_ND_NA, .flags = NET_NA_FLAG_SOLICITED },
	  NET_DROP_ICMP_TYPE,
	  NET_DROP_ND_NA_SOLICITED }, /* to a group */
				      /* 23 */
	{ { .type = NET_ICMP6_ND_NA, .flags = 0xe0, .dst = &t_us_ll },
	  NET_DROP_ICMP_TYPE,
	  NET_DROP_OK },
	/* 24 */ { { .type = NET_ICMP6_ND_NA, .hops = 64 }, NET_DROP_ICMP_TYPE, NET_DROP_ND_HOP_LIMIT },
	/* 25 */
	{ { .type = NET_ICMP6_ND_NA, .opts = { 2, 0 }, .opts_len = 8 },
	  NET_DROP_ICMP_TYPE,
	  NET_DROP_ND_OPT_LEN },
	/* 26 */ { { .src = &all_nodes }, NET_DROP_IP6_SRC, NET_DROP_IP6_SRC },
};

static void test_nd_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(nd_cases) / sizeof(nd_cases[0]); i++) {
		const struct nd_case *c = &nd_cases[i];
		uint8_t p[128];
		size_t len = nd_packet(p, &c->s);
		struct net_nd nd;
		/* a row with one verdict: NS type, so the NA parser sees a wrong type */
		enum net_drop na = c->na != NET_DROP_OK || c->s.type == NET_ICMP6_ND_NA ?
					   c->na :
					   NET_DROP_ICMP_TYPE;

		t_expect_drop(i + 1, net_nd_ns_parse(p, len, &nd), c->ns);
		t_expect_drop(i + 1, net_nd_na_parse(p, len, &nd), na);
	}
}

static void test_option_found(void **state)
{
	uint8_t p[128];
	struct nd_spec s = { .opts = { 14, 1, 9, 9, 9, 9, 9, 9, SLLA }, .opts_len = 16 };
	struct net_nd nd;

	(void)state;
	assert_int_equal(net_nd_ns_parse(p, nd_packet(p, &s), &nd), NET_DROP_OK);
	assert_true(nd.has_lla && net_mac_eq(&nd.lla, &t_peer_mac));
	s.opts[9] = 2; /* SLLA of 16 bytes: not Ethernet's, ignored */
	s.opts_len = 24;
	assert_int_equal(net_nd_ns_parse(p, nd_packet(p, &s), &nd), NET_DROP_OK);
	assert_false(nd.has_lla);
}

/* Every truncation of the NS frame, through the classifier. */
static void test_ns_every_length(void **state)
{
	uint8_t f[120];
	uint64_t seed = 4861;
	struct net_local l = t_local_us();

	(void)state;
	t_fill(&seed, f, sizeof(f));
	memcpy(f, kat_ns_in, sizeof(kat_ns_in));
	for (size_t len = 0; len <= sizeof(f); len++) {
		struct net_udp_view v;
		enum net_class c = t_classify(f, len, &l, &v);

		if (len >= sizeof(kat_ns_in)) {
			assert_int_equal(c, NET_ND);
			assert_int_equal(v.l4_off, 54);
			assert_true(net_ip6_eq(&v.src.ip6, &t_peer_ll));
		} else {
			assert_int_equal(c, NET_MALFORMED);
			assert_int_equal(v.reason, len < 14 ? NET_DROP_ETH_SHORT :
						   len < 54 ? NET_DROP_IP6_SHORT :
							      NET_DROP_IP6_PAYLEN);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ns_to_na_known),
		cmocka_unit_test(test_ns_out_known),
		cmocka_unit_test(test_dad),
		cmocka_unit_test(test_na_without_slla),
		cmocka_unit_test(test_nd_table),
		cmocka_unit_test(test_option_found),
		cmocka_unit_test(test_ns_every_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

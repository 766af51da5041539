/* SPDX-License-Identifier: MIT */
/*
 * ICMP and ICMPv6 (icmp.c): echo known answers and round trips; "too big"
 * errors against scapy and a table of quoting lengths (RFC 1812 576-byte
 * limit for IPv4, RFC 4443 1280-byte limit for IPv6); the cases where no
 * error may be sent; the frame wrapper, tagged and in place.
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

static const struct net_ip4 host4 = { { 10, 0, 0, 2 } }, gw4 = { { 10, 0, 0, 1 } };
static const struct net_ip6 host6 = { { 0xfd, [15] = 2 } }, gw6 = { { 0xfd, [15] = 1 } };
static const struct net_mac host_mac = { { 0x02, 0, 0, 0, 0, 0x99 } };

static void test_echo4(void **state)
{
	uint8_t b[64];
	struct net_echo e = { .id = 0x4242,
			      .seq = 7,
			      .data = (const uint8_t *)"ping!",
			      .data_len = 5 },
			got;

	(void)state;
	assert_int_equal(net_icmp4_echo_build(b, 32, &t_us4, &t_peer4, &e), 0);
	assert_int_equal(net_icmp4_echo_build(b, sizeof(b), &t_us4, &t_peer4, &e), 33);
	assert_memory_equal(b, kat_echo4, sizeof(kat_echo4));
	assert_int_equal(net_icmp4_echo_parse(b + 20, 13, &got), NET_DROP_OK);
	assert_false(got.reply);
	assert_int_equal(got.id, 0x4242);
	assert_int_equal(got.seq, 7);
	assert_int_equal(got.data_len, 5);
	assert_memory_equal(got.data, "ping!", 5);
	/* the reply, built in place from the request's own data */
	got.reply = true;
	got.data = b + 28;
	assert_int_equal(net_icmp4_echo_build(b, sizeof(b), &t_peer4, &t_us4, &got), 33);
	assert_int_equal(net_icmp4_echo_parse(b + 20, 13, &e), NET_DROP_OK);
	assert_true(e.reply);
	assert_memory_equal(e.data, "ping!", 5);
	assert_int_equal(net_icmp4_echo_parse(b + 20, 7, &e), NET_DROP_ICMP_SHORT);
	b[21] = 1;
	assert_int_equal(net_icmp4_echo_parse(b + 20, 13, &e), NET_DROP_ICMP_TYPE);
	b[21] = 0;
	b[32] ^= 1;
	assert_int_equal(net_icmp4_echo_parse(b + 20, 13, &e), NET_DROP_ICMP_CSUM);
}

static void test_echo6(void **state)
{
	uint8_t b[64];
	struct net_echo e = { .id = 0x4242,
			      .seq = 7,
			      .data = (const uint8_t *)"ping!",
			      .data_len = 5 },
			got;

	(void)state;
	assert_int_equal(net_icmp6_echo_build(b, 52, &t_us6, &t_peer6, &e), 0);
	assert_int_equal(net_icmp6_echo_build(b, sizeof(b), &t_us6, &t_peer6, &e), 53);
	assert_memory_equal(b, kat_echo6, sizeof(kat_echo6));
	assert_int_equal(net_icmp6_echo_parse(b + 40, 13, &t_us6, &t_peer6, &got), NET_DROP_OK);
	assert_false(got.reply);
	assert_int_equal(got.id, 0x4242);
	assert_int_equal(got.seq, 7);
	assert_memory_equal(got.data, "ping!", 5);
	/* the checksum covers the addresses */
	assert_int_equal(net_icmp6_echo_parse(b + 40, 13, &t_us6, &t_us_ll, &got),
			 NET_DROP_ICMP_CSUM);
	b[40] = NET_ICMP6_ECHO_REPLY;
	assert_int_equal(net_icmp6_echo_parse(b + 40, 13, &t_us6, &t_peer6, &got),
			 NET_DROP_ICMP_CSUM);
	b[40] = NET_ICMP4_ECHO_REQUEST;
	assert_int_equal(net_icmp6_echo_parse(b + 40, 13, &t_us6, &t_peer6, &got),
			 NET_DROP_ICMP_TYPE);
	e.reply = true;
	net_icmp6_echo_build(b, sizeof(b), &t_peer6, &t_us6, &e);
	assert_int_equal(net_icmp6_echo_parse(b + 40, 13, &t_peer6, &t_us6, &got), NET_DROP_OK);
	assert_true(got.reply);
}

/* The offending packets of the known answers: scapy's headers, then 'A'. */
static void big4(uint8_t *p, size_t total)
{
	memcpy(p, kat_big4_head, sizeof(kat_big4_head));
	memset(p + sizeof(kat_big4_head), 'A', 1500 - sizeof(kat_big4_head));
	if (total != 1500) { /* shrink: total length, checksum, UDP length */
		struct net_ip4_info ip = { .ttl = 64,
					   .proto = NET_PROTO_UDP,
					   .id = 1,
					   .df = true,
					   .src = host4,
					   .dst = { { 10, 0, 0, 9 } } };
		net_ip4_build(p, 20, &ip, (uint16_t)(total - 20));
		net_put_be16(p + 24, (uint16_t)(total - 20));
	}
}

static void big6(uint8_t *p, size_t total)
{
	memcpy(p, kat_big6_head, sizeof(kat_big6_head));
	memset(p + sizeof(kat_big6_head), 'A', 1500 - sizeof(kat_big6_head));
	net_put_be16(p + 4, (uint16_t)(total - 40));
}

static void test_frag_needed_known(void **state)
{
	static uint8_t orig[1500], out[1500];

	(void)state;
	big4(orig, 1500);
	assert_int_equal(net_icmp4_frag_needed(out, sizeof(out), orig, 1500, &gw4, 1420), 576);
	assert_memory_equal(out, kat_frag_needed_head, sizeof(kat_frag_needed_head));
	assert_memory_equal(out + 28, orig, 548);
	assert_int_equal(net_icmp4_frag_needed(out, 575, orig, 1500, &gw4, 1420), 0);
}

static void test_too_big_known(void **state)
{
	static uint8_t orig[1500], out[1500];

	(void)state;
	big6(orig, 1500);
	assert_int_equal(net_icmp6_too_big(out, sizeof(out), orig, 1500, &gw6, 1420), 1280);
	assert_memory_equal(out, kat_too_big_head, sizeof(kat_too_big_head));
	assert_memory_equal(out + 48, orig, 1232);
	assert_int_equal(net_icmp6_too_big(out, 1279, orig, 1500, &gw6, 1420), 0);
}

/* Original packet size -> bytes quoted. */
static const struct quote_case {
	size_t total, quote4, quote6;
} quote_cases[] = {
	/* 1 */ { 48, 48, 48 },
	/* 2 */ { 100, 100, 100 },
	/* 3 */ { 548, 548, 548 }, /* the whole packet fits in 576 */
	/* 4 */ { 549, 548, 549 },
	/* 5 */ { 576, 548, 576 },
	/* 6 */ { 1232, 548, 1232 }, /* the whole packet fits in 1280 */
	/* 7 */ { 1233, 548, 1232 },
	/* 8 */ { 1500, 548, 1232 },
};

static void test_quote_lengths(void **state)
{
	static uint8_t orig[1500], out[1500];

	(void)state;
	for (size_t i = 0; i < sizeof(quote_cases) / sizeof(quote_cases[0]); i++) {
		const struct quote_case *c = &quote_cases[i];
		struct net_ip4_info ip;
		struct net_ip6_info ip6;

		big4(orig, c->total);
		assert_int_equal(net_icmp4_frag_needed(out, sizeof(out), orig, 1500, &gw4, 1280),
				 28 + c->quote4);
		assert_int_equal(net_ip4_parse(out, 28 + c->quote4, &ip), NET_DROP_OK);
		assert_true(net_csum_ok(net_csum_add(0, out + 20, 8 + c->quote4)));
		assert_int_equal(net_get_be16(out + 26), 1280);
		big6(orig, c->total);
		assert_int_equal(net_icmp6_too_big(out, sizeof(out), orig, 1500, &gw6, 1280),
				 48 + c->quote6);
		assert_int_equal(net_ip6_parse(out, 48 + c->quote6, &ip6), NET_DROP_OK);
		assert_int_equal(net_get_be32(out + 44), 1280);
	}
}

/* Cases where RFC 1122 3.2.2 / RFC 4443 2.4(e) forbid an error. */
static void test_no_error_due(void **state)
{
	static uint8_t orig[1500], out[1500];
	struct net_echo e = { .data = orig + 100, .data_len = 100 };

	(void)state;
	big4(orig, 1500);
	orig[9] = NET_PROTO_ICMP;
	orig[20] = NET_ICMP4_UNREACH; /* an ICMP error itself */
	assert_int_equal(net_icmp4_frag_needed(out, sizeof(out), orig, 1500, &gw4, 1420), 0);
	orig[20] = NET_ICMP4_ECHO_REQUEST;
	assert_int_equal(net_icmp4_frag_needed(out, sizeof(out), orig, 1500, &gw4, 1420), 576);
	big4(orig, 1500);
	net_put_be16(orig + 6, 0x4001); /* not the first fragment */
	assert_int_equal(net_icmp4_frag_needed(out, sizeof(out), orig, 1500, &gw4, 1420), 0);
	big4(orig, 1500);
	memset(orig + 12, 0xff, 4); /* from the broadcast address */
	assert_int_equal(net_icmp4_frag_needed(out, sizeof(out), orig, 1500, &gw4, 1420), 0);
	big4(orig, 1500);
	assert_int_equal(net_icmp4_frag_needed(out, sizeof(out), orig, 1499, &gw4, 1420), 0);

	big6(orig, 1500);
	orig[6] = NET_PROTO_ICMP6;
	orig[40] = 1; /* destination unreachable */
	assert_int_equal(net_icmp6_too_big(out, sizeof(out), orig, 1500, &gw6, 1420), 0);
	net_icmp6_echo_build(orig, sizeof(orig), &host6, &gw6, &e);
	assert_int_equal(net_icmp6_too_big(out, sizeof(out), orig, 148, &gw6, 1420), 48 + 148);
	big6(orig, 1500);
	orig[8] = 0xff; /* multicast source */
	assert_int_equal(net_icmp6_too_big(out, sizeof(out), orig, 1500, &gw6, 1420), 0);
	big6(orig, 1500);
	memset(orig + 8, 0, 16); /* unspecified source */
	assert_int_equal(net_icmp6_too_big(out, sizeof(out), orig, 1500, &gw6, 1420), 0);
	assert_int_equal(net_icmp6_too_big(out, sizeof(out), kat_big4_head, 28, &gw6, 1), 0);
}

static size_t host_frame(uint8_t *f, bool v6, bool vlan)
{
	size_t h =
		vlan ? net_eth_build_vlan(f, 18, &t_us_mac, &host_mac, 7,
					  v6 ? NET_ETH_IP6 : NET_ETH_IP4) :
		       net_eth_build(f, 14, &t_us_mac, &host_mac, v6 ? NET_ETH_IP6 : NET_ETH_IP4);

	if (v6)
		big6(f + h, 1500);
	else
		big4(f + h, 1500);
	return h + 1500;
}

static void test_too_big_frame(void **state)
{
	static uint8_t f[1600], inplace[1600], out[1600];

	(void)state;
	for (int k = 0; k < 4; k++) {
		bool v6 = k & 1, vlan = k & 2;
		size_t len = host_frame(f, v6, vlan), h = vlan ? 18 : 14;
		size_t want = h + (v6 ? 1280 : 576), n;
		struct net_eth e;

		n = net_too_big_frame(out, sizeof(out), f, len, &t_us_mac, &gw4, &gw6, 1420);
		assert_int_equal(n, want);
		assert_int_equal(net_eth_parse(out, n, &e), NET_DROP_OK);
		assert_true(net_mac_eq(&e.dst, &host_mac) && net_mac_eq(&e.src, &t_us_mac));
		assert_int_equal(e.vlan, vlan);
		assert_memory_equal(out + h + (v6 ? 48 : 28), f + h, v6 ? 1232 : 548);
		/* the same, overwriting the frame itself */
		memcpy(inplace, f, len);
		assert_int_equal(net_too_big_frame(inplace, sizeof(inplace), inplace, len,
						   &t_us_mac, &gw4, &gw6, 1420),
				 want);
		assert_memory_equal(inplace, out, want);
		/* no address of that family: nothing, and nothing written */
		memcpy(inplace, f, len);
		assert_int_equal(net_too_big_frame(inplace, sizeof(inplace), inplace, len,
						   &t_us_mac, v6 ? &gw4 : NULL, v6 ? NULL : &gw6,
						   1420),
				 0);
		assert_memory_equal(inplace, f, len);
	}
	assert_int_equal(net_too_big_frame(out, sizeof(out), kat_arp_request, 60, &t_us_mac, &gw4,
					   &gw6, 1420),
			 0);
	assert_int_equal(net_too_big_frame(out, sizeof(out), f, 13, &t_us_mac, &gw4, &gw6, 1), 0);
	/* from a multicast MAC: nobody to answer */
	host_frame(f, false, false);
	f[6] = 0x01;
	assert_int_equal(net_too_big_frame(out, sizeof(out), f, 1514, &t_us_mac, &gw4, &gw6, 1420),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo4),
		cmocka_unit_test(test_echo6),
		cmocka_unit_test(test_frag_needed_known),
		cmocka_unit_test(test_too_big_known),
		cmocka_unit_test(test_quote_lengths),
		cmocka_unit_test(test_no_error_due),
		cmocka_unit_test(test_too_big_frame),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * The underlay classifier (classify.c): a numbered table of frames and the
 * class and drop reason each must get, every truncation of each kind of
 * frame, and random corruption checked against the view's invariants.
 * Frames are classified from exact-size heap copies (t_classify), so
 * AddressSanitizer sees any read past the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "net/addr.h"
#include "net/net.h"
#include "net_test_util.h"
#include "net_vectors.h"

static void fix_ip4_csum(uint8_t *f, size_t l3)
{
	net_put_be16(f + l3 + 10, 0);
	net_put_be16(f + l3 + 10, net_csum_finish(net_csum_add(0, f + l3, (f[l3] & 0x0f) * 4u)));
}

/* Mutations of a base frame; each returns the new frame length. */
static size_t m_none(uint8_t *f, size_t n)
{
	(void)f;
	return n;
}
static size_t m_pad(uint8_t *f, size_t n)
{
	memset(f + n, 0xee, 10);
	return n + 10;
}
static size_t m_mac(uint8_t *f, size_t n)
{
	f[5] ^= 0x40;
	return n;
}
static size_t m_bcast(uint8_t *f, size_t n)
{
	memset(f, 0xff, 6);
	return n;
}
static size_t m_type(uint8_t *f, size_t n)
{
	f[12] = 0x88;
	f[13] = 0xcc;
	return n;
}
static size_t m_udp_csum(uint8_t *f, size_t n)
{
	f[n - 1] ^= 1;
	return n;
}
static size_t m_ip4_csum(uint8_t *f, size_t n)
{
	f[14 + 10] ^= 1;
	return n;
}
static size_t m_ip4_dst(uint8_t *f, size_t n)
{
	f[14 + 19] ^= 1;
	fix_ip4_csum(f, 14);
	return n;
}
static size_t m_ip4_tcp(uint8_t *f, size_t n)
{
	f[14 + 9] = 6;
	fix_ip4_csum(f, 14);
	return n;
}
static size_t m_ip4_mf(uint8_t *f, size_t n)
{
	f[14 + 6] |= 0x20;
	fix_ip4_csum(f, 14);
	return n;
}
static size_t m_ip4_bsrc(uint8_t *f, size_t n)
{
	memset(f + 14 + 12, 0xff, 4);
	fix_ip4_csum(f, 14);
	return n;
}
static size_t m_ip4_opts(uint8_t *f, size_t n) /* IHL 6 with a NOP option word */
{
	memmove(f + 38, f + 34, n - 34);
	memset(f + 34, 1, 4);
	f[14] = 0x46;
	net_put_be16(f + 16, (uint16_t)(net_get_be16(f + 16) + 4));
	fix_ip4_csum(f, 14);
	return n + 4;
}
static size_t m_udp_len(uint8_t *f, size_t n)
{
	f[34 + 5] -= 1;
	return n;
}
static size_t m_port(uint8_t *f, size_t n)
{
	f[34 + 3] ^= 1;
	return n;
}
static size_t m_ip6_port(uint8_t *f, size_t n)
{
	f[54 + 3] ^= 1;
	return n;
}
static size_t m_udp6_zero(uint8_t *f, size_t n)
{
	f[54 + 6] = f[54 + 7] = 0;
	return n;
}
static size_t m_ip6_dst(uint8_t *f, size_t n)
{
	f[14 + 39] ^= 1;
	return n;
}
static size_t m_ip6_ext(uint8_t *f, size_t n)
{
	f[14 + 6] = NET_PROTO_FRAGMENT;
	return n;
}
static size_t m_ip6_msrc(uint8_t *f, size_t n)
{
	f[14 + 8] = 0xff;
	return n;
}
static size_t m_ip6_ver(uint8_t *f, size_t n)
{
	f[14] = 0x40;
	return n;
}
static size_t m_arp_hlen(uint8_t *f, size_t n)
{
	f[14 + 4] = 8;
	return n;
}
static size_t m_ns_hops(uint8_t *f, size_t n)
{
	f[14 + 7] = 254;
	return n;
}
static size_t m_ns_target(uint8_t *f, size_t n)
{
	f[54 + 23] ^= 1;
	return n;
}

enum side { US, PEER, PEER_NOCSUM, NO_IP4 };

static const struct cls_case {
	const uint8_t *frame;
	size_t len;
	enum side side;
	size_t (*mutate)(uint8_t *f, size_t n);
	enum net_class want;
	enum net_drop reason;
} cls_cases[] = {
#define F(x) x, sizeof(x)
	/*  1 */ { F(kat_udp4_csum), PEER, m_none, NET_UDP_TO_US, NET_DROP_OK },
	/*  2 */ { F(kat_udp4_nocsum), PEER, m_none, NET_UDP_TO_US, NET_DROP_OK },
	/*  3 */ { F(kat_udp4_vlan), PEER, m_none, NET_UDP_TO_US, NET_DROP_OK },
	/*  4 */ { F(kat_udp6), PEER, m_none, NET_UDP_TO_US, NET_DROP_OK },
	/*  5 */ { F(kat_udp4_csum), PEER, m_pad, NET_UDP_TO_US, NET_DROP_OK },
	/*  6 */ { F(kat_udp6), PEER, m_pad, NET_UDP_TO_US, NET_DROP_OK },
	/*  7 */ { F(kat_udp4_csum), PEER, m_ip4_opts, NET_UDP_TO_US, NET_DROP_OK },
	/*  8 */ { F(kat_udp4_csum), PEER, m_bcast, NET_UDP_TO_US, NET_DROP_OK },
	/*  9 */ { F(kat_arp_peer_request), US, m_none, NET_ARP, NET_DROP_OK },
	/* 10 */ { F(kat_ns_in), US, m_none, NET_ND, NET_DROP_OK },
	/* 11 */ { F(kat_na_out), PEER, m_none, NET_ND, NET_DROP_OK },
	/* 12 */ { F(kat_udp4_csum), PEER, m_mac, NET_OTHER, NET_DROP_OK },
	/* 13 */ { F(kat_udp4_csum), PEER, m_type, NET_OTHER, NET_DROP_OK },
	/* 14 */ { F(kat_udp4_csum), PEER, m_ip4_dst, NET_OTHER, NET_DROP_OK },
	/* 15 */ { F(kat_udp4_csum), PEER, m_ip4_tcp, NET_OTHER, NET_DROP_OK },
	/* 16 */ { F(kat_udp4_csum), PEER, m_port, NET_OTHER, NET_DROP_OK },
	/* 17 */ { F(kat_udp4_csum), US, m_none, NET_OTHER, NET_DROP_OK },
	/* 18 */ { F(kat_udp4_csum), NO_IP4, m_none, NET_OTHER, NET_DROP_OK },
	/* 19 */ { F(kat_udp6), PEER, m_ip6_dst, NET_OTHER, NET_DROP_OK },
	/* 20 */ { F(kat_udp6), PEER, m_ip6_port, NET_OTHER, NET_DROP_OK },
	/* 21 */ { F(kat_ns_out), US, m_none, NET_OTHER, NET_DROP_OK }, /* not for us */
	/* 22 */ { F(kat_ns_in), US, m_ns_target, NET_MALFORMED, NET_DROP_ICMP_CSUM },
	/* 23 */ { F(kat_udp4_csum), PEER, m_udp_csum, NET_MALFORMED, NET_DROP_UDP_CSUM },
	/* 24 */ { F(kat_udp4_csum), PEER_NOCSUM, m_udp_csum, NET_UDP_TO_US, NET_DROP_OK },
	/* 25 */ { F(kat_udp6), PEER, m_udp_csum, NET_MALFORMED, NET_DROP_UDP_CSUM },
	/* 26 */ { F(kat_udp6), PEER, m_udp6_zero, NET_MALFORMED, NET_DROP_UDP6_NO_CSUM },
	/* 27 */ { F(kat_udp4_csum), PEER, m_ip4_csum, NET_MALFORMED, NET_DROP_IP4_CSUM },
	/* 28 */ { F(kat_udp4_csum), PEER, m_ip4_mf, NET_MALFORMED, NET_DROP_IP4_FRAGMENT },
	/* 29 */ { F(kat_udp4_csum), PEER, m_ip4_bsrc, NET_MALFORMED, NET_DROP_IP4_SRC },
	/* 30 */ { F(kat_udp4_csum), PEER, m_udp_len, NET_MALFORMED, NET_DROP_UDP_LEN },
	/* 31 */ { F(kat_udp6), PEER, m_ip6_ext, NET_MALFORMED, NET_DROP_IP6_EXTHDR },
	/* 32 */ { F(kat_udp6), PEER, m_ip6_msrc, NET_MALFORMED, NET_DROP_IP6_SRC },
	/* 33 */ { F(kat_udp6), PEER, m_ip6_ver, NET_MALFORMED, NET_DROP_IP6_VERSION },
	/* 34 */ { F(kat_arp_peer_request), US, m_arp_hlen, NET_MALFORMED, NET_DROP_ARP_HLEN },
	/* 35 */ { F(kat_arp_peer_request), NO_IP4, m_none, NET_OTHER, NET_DROP_OK },
	/* 36 */ { F(kat_ns_in), US, m_ns_hops, NET_MALFORMED, NET_DROP_ND_HOP_LIMIT },
	/* 37 */ { F(kat_echo4), US, m_none, NET_OTHER, NET_DROP_OK }, /* no Ethernet */
#undef F
};

static struct net_local side_local(enum side s)
{
	struct net_local l = s == US ? t_local_us() : t_local_peer();

	if (s == PEER_NOCSUM)
		l.flags = 0;
	if (s == NO_IP4)
		memset(&l.ip4, 0, sizeof(l.ip4));
	return l;
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cls_cases) / sizeof(cls_cases[0]); i++) {
		const struct cls_case *c = &cls_cases[i];
		struct net_local l = side_local(c->side);
		struct net_udp_view v;
		uint8_t f[160];
		size_t n;
		enum net_class got;

		memcpy(f, c->frame, c->len);
		n = c->mutate(f, c->len);
		got = t_classify(f, n, &l, &v);
		if (got != c->want)
			fail_msg("case %zu: %s (%s), expected %s", i + 1, net_class_name(got),
				 net_drop_name(v.reason), net_class_name(c->want));
		t_expect_drop(i + 1, v.reason, c->reason);
	}
}

static void test_view(void **state)
{
	struct net_local l = t_local_peer();
	struct net_udp_view v;
	uint8_t payload[32];

	(void)state;
	t_payload(payload);
	assert_int_equal(t_classify(kat_udp4_vlan, sizeof(kat_udp4_vlan), &l, &v), NET_UDP_TO_US);
	assert_true(v.vlan);
	assert_int_equal(v.vlan_tci, 100);
	assert_int_equal(v.l3_off, 18);
	assert_int_equal(v.l4_off, 38);
	assert_int_equal(v.payload_off, 46);
	assert_int_equal(v.payload_len, 32);
	assert_memory_equal(kat_udp4_vlan + v.payload_off, payload, 32);
	assert_int_equal(v.src_port, T_PORT);
	assert_int_equal(v.dst_port, T_PEER_PORT);
	assert_true(net_mac_eq(&v.src_mac, &t_us_mac));
	assert_int_equal(v.src.family, NET_AF_IP4);
	assert_true(net_ip4_eq(&v.src.ip4, &t_us4) && net_ip4_eq(&v.dst.ip4, &t_peer4));

	assert_int_equal(t_classify(kat_udp6, sizeof(kat_udp6), &l, &v), NET_UDP_TO_US);
	assert_false(v.vlan);
	assert_int_equal(v.payload_off, 62);
	assert_int_equal(v.payload_len, 32);
	assert_int_equal(v.src.family, NET_AF_IP6);
	assert_true(net_ip6_eq(&v.src.ip6, &t_us6) && net_ip6_eq(&v.dst.ip6, &t_peer6));
}

/* Each frame kind cut at every length 0..120; the reason says where. */
static const struct cut_case {
	const uint8_t *frame;
	size_t len, eth_hlen, l3_hlen;
	enum net_drop l3_short, l3_len;
	enum net_class want;
} cut_cases[] = {
	{ kat_udp4_csum, sizeof(kat_udp4_csum), 14, 20, NET_DROP_IP4_SHORT, NET_DROP_IP4_TOTLEN,
	  NET_UDP_TO_US },
	{ kat_udp4_vlan, sizeof(kat_udp4_vlan), 18, 20, NET_DROP_IP4_SHORT, NET_DROP_IP4_TOTLEN,
	  NET_UDP_TO_US },
	{ kat_udp6, sizeof(kat_udp6), 14, 40, NET_DROP_IP6_SHORT, NET_DROP_IP6_PAYLEN,
	  NET_UDP_TO_US },
	{ kat_na_out, sizeof(kat_na_out), 14, 40, NET_DROP_IP6_SHORT, NET_DROP_IP6_PAYLEN, NET_ND },
};

static void test_every_length(void **state)
{
	struct net_local l = t_local_peer();
	uint64_t seed = 120;

	(void)state;
	for (size_t k = 0; k < sizeof(cut_cases) / sizeof(cut_cases[0]); k++) {
		const struct cut_case *c = &cut_cases[k];
		uint8_t f[120];

		t_fill(&seed, f, sizeof(f));
		memcpy(f, c->frame, c->len);
		for (size_t len = 0; len <= sizeof(f); len++) {
			struct net_udp_view v;
			enum net_class got = t_classify(f, len, &l, &v);
			enum net_drop want = len < 14                       ? NET_DROP_ETH_SHORT :
					     len < c->eth_hlen              ? NET_DROP_VLAN_SHORT :
					     len < c->eth_hlen + c->l3_hlen ? c->l3_short :
					     len < c->len                   ? c->l3_len :
									      NET_DROP_OK;

			t_expect_drop(len, v.reason, want);
			assert_int_equal(got, want == NET_DROP_OK ? c->want : NET_MALFORMED);
		}
	}
}

/* Random damage: whatever the verdict, the view stays inside the frame. */
static void test_random_damage(void **state)
{
	static const struct {
		const uint8_t *f;
		size_t n;
		enum side s;
	} base[] = {
		{ kat_udp4_csum, sizeof(kat_udp4_csum), PEER },
		{ kat_udp4_vlan, sizeof(kat_udp4_vlan), PEER_NOCSUM },
		{ kat_udp6, sizeof(kat_udp6), PEER },
		{ kat_ns_in, sizeof(kat_ns_in), US },
		{ kat_arp_peer_request, sizeof(kat_arp_peer_request), US },
	};
	uint64_t seed = 0xdead;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		size_t b = t_rand(&seed) % 5, n = base[b].n + t_rand(&seed) % 9 - 4;
		struct net_local l = side_local(base[b].s);
		struct net_udp_view v;
		uint8_t f[128];
		enum net_class c;

		t_fill(&seed, f, sizeof(f));
		memcpy(f, base[b].f, base[b].n);
		for (int k = (int)(t_rand(&seed) % 3); k >= 0; k--)
			f[t_rand(&seed) % n] = (uint8_t)t_rand(&seed);
		c = t_classify(f, n, &l, &v);
		assert_true((c == NET_MALFORMED) == (v.reason != NET_DROP_OK));
		assert_true((unsigned)v.reason < NET_DROP_COUNT);
		if (c == NET_UDP_TO_US) {
			assert_int_equal(v.payload_off, v.l4_off + 8);
			assert_true(v.payload_off + v.payload_len <= n);
		}
	}
}

static void same_view(const struct net_udp_view *a, const struct net_udp_view *b)
{
	assert_int_equal(a->l3_off, b->l3_off);
	assert_int_equal(a->l4_off, b->l4_off);
	assert_int_equal(a->payload_off, b->payload_off);
	assert_int_equal(a->payload_len, b->payload_len);
	assert_int_equal(a->src_port, b->src_port);
	assert_int_equal(a->dst_port, b->dst_port);
	assert_int_equal(a->vlan, b->vlan);
	assert_int_equal(a->vlan_tci, b->vlan_tci);
	assert_int_equal(a->channel, b->channel);
	assert_true(net_mac_eq(&a->src_mac, &b->src_mac));
	assert_true(net_addr_equal(&a->src, &b->src));
	assert_true(net_addr_equal(&a->dst, &b->dst));
}

/*
 * The plain-IPv4 shortcut against the general parsers: damaged headers
 * (mostly in the first 42 bytes) and lengths, the same verdict, reason and
 * view either way; and the shortcut did take some of them.
 */
static void test_shortcut(void **state)
{
	struct net_local fast = side_local(PEER_NOCSUM), general = fast;
	uint64_t seed = 0x45;
	unsigned taken = 0;

	(void)state;
	general.flags |= NET_LOCAL_GENERAL_PATH;
	for (int i = 0; i < 50000; i++) {
		size_t n = sizeof(kat_udp4_csum) + t_rand(&seed) % 9 - 4;
		struct net_udp_view a, b;
		uint8_t f[128];
		enum net_class ca, cb;

		t_fill(&seed, f, sizeof(f));
		memcpy(f, kat_udp4_csum, sizeof(kat_udp4_csum));
		for (int k = (int)(t_rand(&seed) % 3) - 1; k >= 0; k--)
			f[t_rand(&seed) % (t_rand(&seed) % 5 ? 42 : n)] = (uint8_t)t_rand(&seed);
		if (t_rand(&seed) % 4 == 0)
			fix_ip4_csum(f, 14);
		ca = t_classify(f, n, &fast, &a);
		cb = t_classify(f, n, &general, &b);
		assert_int_equal(ca, cb);
		assert_int_equal(a.reason, b.reason);
		if (ca == NET_UDP_TO_US) {
			same_view(&a, &b);
			taken++;
		}
	}
	assert_true(taken > 1000);
}

static void test_names(void **state)
{
	(void)state;
	for (int i = 0; i < NET_DROP_COUNT; i++) {
		assert_true(strlen(net_drop_name(i)) > 1 && strlen(net_drop_text(i)) > 1);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(net_drop_name(i), net_drop_name(j));
	}
	assert_string_equal(net_drop_name(NET_DROP_IP4_CSUM), "IP4_CSUM");
	assert_string_equal(net_drop_name(NET_DROP_COUNT), "?");
	assert_string_equal(net_drop_text(-1), "?");
	assert_string_equal(net_class_name(NET_UDP_TO_US), "udp_to_us");
	assert_string_equal(net_class_name(NET_MALFORMED), "malformed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),        cmocka_unit_test(test_view),
		cmocka_unit_test(test_every_length), cmocka_unit_test(test_random_damage),
		cmocka_unit_test(test_shortcut),     cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* lib/net/addr.h: text, prefixes and sockaddrs, against tables and a naive reference. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "net/addr.h"

/* 1. Endpoint text: numeric only, port rules, round trip through format. */
static const struct {
	const char *text;
	uint16_t dflt;
	int rc;
	const char *formatted; /* NULL: same as text */
} endpoint_cases[] = {
	/*  0 */ { "192.0.2.1:51820", 0, 0, NULL },
	/*  1 */ { "[2001:db8::1]:51820", 0, 0, NULL },
	/*  2 */ { "192.0.2.1", 3478, 0, "192.0.2.1:3478" },
	/*  3 */ { "2001:db8::1", 3478, 0, "[2001:db8::1]:3478" }, /* bare IPv6: no port */
	/*  4 */ { "[2001:db8::1]", 7, 0, "[2001:db8::1]:7" },
	/*  5 */ { "192.0.2.1", 0, -EINVAL, NULL }, /* port required */
	/*  6 */ { "192.0.2.1:0", 0, -EINVAL, NULL },
	/*  7 */ { "192.0.2.1:65536", 0, -EINVAL, NULL },
	/*  8 */ { "192.0.2.1:", 0, -EINVAL, NULL },
	/*  9 */ { "192.0.2.1: 5", 0, -EINVAL, NULL },
	/* 10 */ { "192.0.2.1:+5", 0, -EINVAL, NULL },
	/* 11 */ { "192.0.2.1:5x", 0, -EINVAL, NULL },
	/* 12 */ { "example.com:5", 0, -EINVAL, NULL }, /* names are not resolved here */
	/* 13 */ { "[192.0.2.1:5", 0, -EINVAL, NULL },
	/* 14 */ { "[2001:db8::1]x5", 0, -EINVAL, NULL },
	/* 15 */ { ":5", 0, -EINVAL, NULL },
	/* 16 */ { "", 1, -EINVAL, NULL },
	/* 17 */ { "[]:5", 0, -EINVAL, NULL },
	/* 18 */ { "256.0.0.1:5", 0, -EINVAL, NULL },
	/* 19 */ { "[::ffff:192.0.2.1]:9", 0, 0, "[::ffff:192.0.2.1]:9" },
};

static void endpoint_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(endpoint_cases) / sizeof(endpoint_cases[0]); i++) {
		struct net_endpoint ep;
		char out[NET_ENDPOINT_TEXT_MAX];
		int rc = net_endpoint_parse(endpoint_cases[i].text, endpoint_cases[i].dflt, &ep);

		if (rc != endpoint_cases[i].rc)
			fail_msg("case %zu (%s): rc %d", i, endpoint_cases[i].text, rc);
		if (rc) {
			assert_int_equal(ep.addr.family, NET_AF_NONE);
			continue;
		}
		net_endpoint_format(&ep, out);
		assert_string_equal(out, endpoint_cases[i].formatted ? endpoint_cases[i].formatted :
								       endpoint_cases[i].text);
	}
}

static void port_rules(void **state)
{
	uint16_t p = 1;

	(void)state;
	assert_int_equal(net_port_parse("51820", 0, &p), 0);
	assert_int_equal(p, 51820);
	assert_int_equal(net_port_parse(NULL, 3478, &p), 0);
	assert_int_equal(p, 3478);
	assert_int_equal(net_port_parse(NULL, 0, &p), -EINVAL);
	assert_int_equal(net_port_parse("", 1, &p), -EINVAL);
	assert_int_equal(net_port_parse("0", 1, &p), -EINVAL);
	assert_int_equal(net_port_parse("65536", 1, &p), -EINVAL);
	assert_int_equal(net_port_parse("+5", 1, &p), -EINVAL);
	assert_int_equal(net_port_parse("5 ", 1, &p), -EINVAL);
}

/* 2. Prefix text: the config's rules and messages. */
static const struct {
	const char *text;
	int rc;
	const char *why;
	const char *formatted;
} prefix_cases[] = {
	/* 0 */ { "10.0.0.0/8", 0, NULL, "10.0.0.0/8" },
	/* 1 */ { "10.1.2.3", 0, NULL, "10.1.2.3/32" },
	/* 2 */ { "2001:db8::/32", 0, NULL, "2001:db8::/32" },
	/* 3 */ { "fd00::1", 0, NULL, "fd00::1/128" },
	/* 4 */ { "10.0.0.0/33", -EINVAL, "prefix length over 32", NULL },
	/* 5 */ { "fd00::/129", -EINVAL, "prefix length over 128", NULL },
	/* 6 */ { "10.0.0.0/x", -EINVAL, "prefix length is not a number", NULL },
	/* 7 */ { "10.0.0.0/", -EINVAL, "prefix length is not a number", NULL },
	/* 8 */ { "10.0.0/8", -EINVAL, "not an IPv4 address", NULL },
	/* 9 */ { "fd00:::1/8", -EINVAL, "not an IPv6 address", NULL },
	/* 10 */ { "10.0.0.0/99999999999999999999", -EINVAL, "prefix length over 32", NULL },
	/* 11 */ { "10.0.0.0/0", 0, NULL, "10.0.0.0/0" },
	/* 12 */ { "10.0.0.0/8/8", -EINVAL, "prefix length is not a number", NULL },
	/* 13 */ { "10.0.0.0/99x", -EINVAL, "prefix length over 32", NULL }, /* first problem */
	/* 14 */ { "10.0.0.0/3x", -EINVAL, "prefix length is not a number", NULL },
	/* 15 */ { "fd00::/0129", -EINVAL, "prefix length over 128", NULL },
	/* 16 */ { "fd00::/064", 0, NULL, "fd00::/64" },
};

static void prefix_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(prefix_cases) / sizeof(prefix_cases[0]); i++) {
		struct net_prefix p;
		const char *why = NULL;
		char out[NET_PREFIX_TEXT_MAX];
		int rc = net_prefix_parse(prefix_cases[i].text, &p, &why);

		if (rc != prefix_cases[i].rc)
			fail_msg("case %zu (%s): rc %d", i, prefix_cases[i].text, rc);
		if (rc) {
			assert_string_equal(why, prefix_cases[i].why);
			continue;
		}
		net_prefix_format(&p, out);
		assert_string_equal(out, prefix_cases[i].formatted);
	}
}

/* 3. Masks and membership against a bit-by-bit reference, random prefixes. */
static bool naive_bit(const uint8_t *b, unsigned i)
{
	return b[i / 8] >> (7 - i % 8) & 1;
}

static bool naive_contains(const struct net_prefix *p, const struct net_addr *a)
{
	if (p->addr.family != a->family)
		return false;
	for (unsigned i = 0; i < p->len; i++)
		if (naive_bit(p->addr.b, i) != naive_bit(a->b, i))
			return false;
	return true;
}

static void random_addr(struct net_addr *a, unsigned f)
{
	uint8_t b[16];

	for (unsigned i = 0; i < 16; i++)
		b[i] = (uint8_t)rand();
	net_addr_set(a, f, b);
}

static void prefix_random(void **state)
{
	(void)state;
	srand(14);
	for (unsigned n = 0; n < 20000; n++) {
		unsigned f = n & 1 ? NET_AF_IP6 : NET_AF_IP4;
		struct net_prefix p, q;
		struct net_addr a;
		bool had_host_bits = false;

		random_addr(&p.addr, f);
		p.len = (uint8_t)(rand() % (net_family_bits(f) + 1));
		random_addr(&a, f);
		/* Half the time, an address inside. */
		if (rand() & 1)
			for (unsigned i = 0; i < p.len; i++)
				if (naive_bit(p.addr.b, i) != naive_bit(a.b, i))
					a.b[i / 8] ^= (uint8_t)(0x80 >> (i % 8));
		assert_int_equal(net_prefix_contains(&p, &a), naive_contains(&p, &a));
		if (p.len)
			assert_int_equal(net_prefix_match(p.addr.b, p.len, a.b),
					 naive_contains(&p, &a));
		for (unsigned i = p.len; i < net_family_bits(f); i++)
			had_host_bits |= naive_bit(p.addr.b, i);
		q = p;
		assert_int_equal(net_prefix_mask(&q), had_host_bits);
		for (unsigned i = p.len; i < net_family_bits(f); i++)
			assert_false(naive_bit(q.addr.b, i));
		assert_int_equal(net_prefix_contains(&q, &a), naive_contains(&p, &a));
		assert_int_equal(net_prefix_cmp(&q, &q), 0);
	}
}

static void prefix_edges(void **state)
{
	struct net_prefix p = { 0 }, q;
	struct net_addr a4, a6;

	(void)state;
	net_addr_parse("192.0.2.1", &a4);
	net_addr_parse("2001:db8::1", &a6);
	/* len 0 on the raw match never matches: an unset cluster network is empty. */
	assert_false(net_prefix_match(a4.b, 0, a4.b));
	/* ... but a /0 prefix of the same family holds every address. */
	net_prefix_parse("0.0.0.0/0", &p, &(const char *){ NULL });
	assert_true(net_prefix_contains(&p, &a4));
	assert_false(net_prefix_contains(&p, &a6));
	net_prefix_host(&q, &a6);
	assert_int_equal(q.len, 128);
	assert_true(net_prefix_contains(&q, &a6));
	assert_true(net_prefix_cmp(&p, &q) < 0); /* IPv4 before IPv6 */
	memset(&p, 0, sizeof(p));
	assert_false(net_prefix_contains(&p, &a4));
}

/* 4. sockaddrs: both socket families, IPv4-mapped both ways. */
static void sockaddr_round_trip(void **state)
{
	struct net_endpoint v4, v6, back;
	struct sockaddr_storage ss;
	char out[NET_ENDPOINT_TEXT_MAX];

	(void)state;
	assert_int_equal(net_endpoint_parse("198.51.100.7:4000", 0, &v4), 0);
	assert_int_equal(net_endpoint_parse("[2001:db8::7]:4001", 0, &v6), 0);

	assert_int_equal(net_endpoint_to_sockaddr(&v4, AF_INET, &ss), sizeof(struct sockaddr_in));
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 4000);
	assert_true(net_endpoint_from_sockaddr(&ss, &back));
	assert_true(net_endpoint_equal(&back, &v4));

	/* A dual-stack socket reaches IPv4 as ::ffff:a.b.c.d; it comes back IPv4. */
	assert_int_equal(net_endpoint_to_sockaddr(&v4, AF_INET6, &ss), sizeof(struct sockaddr_in6));
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_true(net_endpoint_from_sockaddr(&ss, &back));
	assert_true(net_endpoint_equal(&back, &v4));
	net_endpoint_format(&back, out);
	assert_string_equal(out, "198.51.100.7:4000");

	assert_int_equal(net_endpoint_to_sockaddr(&v6, AF_INET6, &ss), sizeof(struct sockaddr_in6));
	assert_true(net_endpoint_from_sockaddr(&ss, &back));
	assert_true(net_endpoint_equal(&back, &v6));

	/* IPv6 cannot leave an IPv4 socket; nothing leaves for an unset endpoint. */
	assert_int_equal(net_endpoint_to_sockaddr(&v6, AF_INET, &ss), 0);
	memset(&back, 0, sizeof(back));
	assert_int_equal(net_endpoint_to_sockaddr(&back, AF_INET6, &ss), 0);
	ss.ss_family = AF_UNIX;
	assert_false(net_endpoint_from_sockaddr(&ss, &back));
	assert_int_equal(back.addr.family, NET_AF_NONE);
}

/* A packet's source against an endpoint; the scope id of a link-local sockaddr. */
static void endpoint_is_and_scope(void **state)
{
	struct net_endpoint ep;
	struct net_addr a;
	struct sockaddr_storage ss;

	(void)state;
	assert_int_equal(net_endpoint_parse("[fe80::1]:51820", 0, &ep), 0);
	assert_int_equal(net_addr_parse("fe80::1", &a), 0);
	assert_true(net_endpoint_is(&ep, &a, 51820));
	assert_false(net_endpoint_is(&ep, &a, 51821));
	a.b[15] = 2;
	assert_false(net_endpoint_is(&ep, &a, 51820));

	net_endpoint_to_sockaddr(&ep, AF_INET6, &ss);
	assert_int_equal(net_sockaddr_scope(&ss), 0);
	((struct sockaddr_in6 *)&ss)->sin6_scope_id = 7;
	assert_int_equal(net_sockaddr_scope(&ss), 7);
	assert_int_equal(net_endpoint_parse("192.0.2.1:1", 0, &ep), 0);
	net_endpoint_to_sockaddr(&ep, AF_INET, &ss);
	assert_int_equal(net_sockaddr_scope(&ss), 0);
}

static void families(void **state)
{
	struct net_addr a, b;
	char out[NET_ADDR_TEXT_MAX];

	(void)state;
	assert_int_equal(net_family_from_af(AF_INET), NET_AF_IP4);
	assert_int_equal(net_family_from_af(AF_INET6), NET_AF_IP6);
	assert_int_equal(net_family_from_af(AF_UNIX), NET_AF_NONE);
	assert_int_equal(net_family_to_af(NET_AF_IP6), AF_INET6);
	assert_int_equal(net_family_to_af(NET_AF_NONE), AF_UNSPEC);
	net_addr_set(&a, NET_AF_IP4, "\xc0\x00\x02\x01garbage-after");
	assert_int_equal(a.b[4], 0); /* only the family's bytes */
	assert_int_equal(net_addr_parse("192.0.2.1", &b), 0);
	assert_true(net_addr_equal(&a, &b));
	b.family = NET_AF_IP6;
	assert_false(net_addr_equal(&a, &b));
	net_addr_format(&a, out);
	assert_string_equal(out, "192.0.2.1");
	net_addr_set(&a, 9, "x");
	assert_false(net_addr_is_set(&a));
	net_addr_format(&a, out);
	assert_string_equal(out, "none");
	assert_int_equal(net_addr_parse("192.0.2.1 ", &a), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(endpoint_table),        cmocka_unit_test(port_rules),
		cmocka_unit_test(prefix_table),          cmocka_unit_test(prefix_random),
		cmocka_unit_test(prefix_edges),          cmocka_unit_test(sockaddr_round_trip),
		cmocka_unit_test(endpoint_is_and_scope), cmocka_unit_test(families),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

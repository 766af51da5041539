/* SPDX-License-Identifier: MIT */
/*
 * AllowedIPs against a deliberately naive reference: a list of routes
 * searched linearly for the longest match. Random routes, random lookups,
 * both families, plus a small table of hand-written cases.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "eal_test.h"
#include "pipeline/allowedips.h"

static int bytes_of(int family)
{
	return family == AF_INET ? 4 : 16;
}

static int prefix_matches(const struct omni_route *p, const uint8_t *addr)
{
	int full = p->cidr / 8, rest = p->cidr % 8;

	if (memcmp(p->addr, addr, full))
		return 0;
	return rest == 0 || ((p->addr[full] ^ addr[full]) & (0xff << (8 - rest))) == 0;
}

/* Longest match; among equal lengths the last added wins, as in rte_lpm. */
static uint32_t naive_lookup(const struct omni_route *p, const uint32_t *ids, unsigned n,
			     int family, const uint8_t *addr)
{
	uint32_t best = OMNI_PEER_NONE;
	int best_len = -1;
	unsigned i;

	for (i = 0; i < n; i++)
		if (p[i].family == family && prefix_matches(&p[i], addr) &&
		    p[i].cidr >= best_len) {
			best = ids[i];
			best_len = p[i].cidr;
		}
	return best;
}

static uint32_t table_lookup(const struct omni_allowedips *t, int family, const uint8_t *addr)
{
	uint32_t v4;

	if (family == AF_INET6)
		return omni_allowedips_lookup6(t, addr);
	memcpy(&v4, addr, 4);
	return omni_allowedips_lookup4(t, v4);
}

static void mask_prefix(struct omni_route *p)
{
	int i, n = bytes_of(p->family);

	for (i = 0; i < n; i++) {
		int bits = (int)p->cidr - 8 * i;

		if (bits <= 0)
			p->addr[i] = 0;
		else if (bits < 8)
			p->addr[i] &= (uint8_t)(0xff << (8 - bits));
	}
}

struct hand_case {
	const char *route[3];
	const char *query;
	int expect; /* index of the route that must win, -1 for none */
};

static const struct hand_case hand_cases[] = {
	/* 1 */ { { "10.0.0.0/8", "10.1.0.0/16", NULL }, "10.1.2.3", 1 },
	/* 2 */ { { "10.0.0.0/8", "10.1.0.0/16", NULL }, "10.2.2.3", 0 },
	/* 3 */ { { "10.0.0.0/8", NULL, NULL }, "11.0.0.1", -1 },
	/* 4 */ { { "0.0.0.0/0", "192.0.2.1/32", NULL }, "192.0.2.1", 1 },
	/* 5 */ { { "0.0.0.0/0", "192.0.2.1/32", NULL }, "192.0.2.2", 0 },
	/* 6 */ { { "2001:db8::/32", "2001:db8:1::/48", NULL }, "2001:db8:1::5", 1 },
	/* 7 */ { { "::/0", NULL, NULL }, "fd00::1", 0 },
	/* 8 */ { { "2001:db8::/32", NULL, NULL }, "2001:db9::1", -1 },
	/* 9 */ { { "10.77.0.2/32", "fd77::2/128", NULL }, "fd77::2", 1 },
};

static void parse_route(const char *s, struct omni_route *p)
{
	char buf[64], *slash;

	strcpy(buf, s);
	slash = strchr(buf, '/');
	*slash = '\0';
	memset(p, 0, sizeof(*p));
	p->family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	p->cidr = (uint8_t)atoi(slash + 1);
	assert_int_equal(inet_pton(p->family, buf, p->addr), 1);
}

static void test_hand_cases(void **state)
{
	unsigned c, n;

	(void)state;
	for (c = 0; c < sizeof(hand_cases) / sizeof(hand_cases[0]); c++) {
		const struct hand_case *hc = &hand_cases[c];
		struct omni_route p[3];
		uint32_t ids[3] = { 100, 101, 102 };
		uint8_t q[16] = { 0 };
		struct omni_allowedips *t;
		int fam = strchr(hc->query, ':') ? AF_INET6 : AF_INET;

		for (n = 0; n < 3 && hc->route[n]; n++)
			parse_route(hc->route[n], &p[n]);
		t = omni_allowedips_build(p, ids, n, 16, 0);
		assert_non_null(t);
		assert_int_equal(inet_pton(fam, hc->query, q), 1);
		print_message("case %u: %s\n", c + 1, hc->query);
		assert_int_equal(table_lookup(t, fam, q),
				 hc->expect < 0 ? OMNI_PEER_NONE : ids[hc->expect]);
		omni_allowedips_free(t);
	}
}

static void random_prefix(struct omni_route *p, int family)
{
	int i;

	memset(p, 0, sizeof(*p));
	p->family = (uint8_t)family;
	/* A narrow address space so routes nest and overlap often. */
	p->addr[0] = family == AF_INET ? 10 : 0xfd;
	for (i = 1; i < bytes_of(family); i++)
		p->addr[i] = (uint8_t)(rand() & (i < 3 ? 0x3 : 0xff));
	p->cidr = (uint8_t)(rand() % (8 * bytes_of(family) + 1));
	mask_prefix(p);
}

static void test_random_against_naive(void **state)
{
	enum { ROUTES = 600, LOOKUPS = 20000 };
	static struct omni_route p[ROUTES];
	static uint32_t ids[ROUTES];
	struct omni_allowedips *t;
	unsigned i, n = 0, j;
	uint8_t q[16];

	(void)state;
	srand(12345);
	for (i = 0; i < ROUTES; i++) {
		struct omni_route cand;
		int dup = 0;

		random_prefix(&cand, (i & 1) ? AF_INET6 : AF_INET);
		/* One peer per prefix, as a whole config guarantees. */
		for (j = 0; j < n; j++)
			dup |= p[j].family == cand.family && p[j].cidr == cand.cidr &&
			       !memcmp(p[j].addr, cand.addr, 16);
		if (dup)
			continue;
		p[n] = cand;
		ids[n] = (uint32_t)(rand() % 1000);
		n++;
	}
	t = omni_allowedips_build(p, ids, n, ROUTES, 0);
	assert_non_null(t);
	for (i = 0; i < LOOKUPS; i++) {
		int fam = (i & 1) ? AF_INET6 : AF_INET;
		struct omni_route r;

		random_prefix(&r, fam);
		memcpy(q, r.addr, 16);
		for (j = 0; j < (unsigned)bytes_of(fam); j++)
			q[j] ^= (uint8_t)(rand() & (j < 3 ? 0 : 0xff));
		assert_int_equal(table_lookup(t, fam, q), naive_lookup(p, ids, n, fam, q));
	}
	omni_allowedips_free(t);
}

static void test_bad_input(void **state)
{
	struct omni_route p = { .family = AF_INET, .cidr = 33 };
	uint32_t id = 1;

	(void)state;
	assert_null(omni_allowedips_build(&p, &id, 1, 4, 0));
	assert_int_equal(rte_errno, EINVAL);
	p.family = AF_INET6;
	p.cidr = 129;
	assert_null(omni_allowedips_build(&p, &id, 1, 4, 0));
	p.cidr = 64;
	id = OMNI_PEER_ID_MAX + 1;
	assert_null(omni_allowedips_build(&p, &id, 1, 4, 0));
	p.family = 0;
	id = 1;
	assert_null(omni_allowedips_build(&p, &id, 1, 4, 0));
	/* An empty table answers "no peer" for everything. */
	{
		struct omni_allowedips *t = omni_allowedips_build(NULL, NULL, 0, 4, 0);
		uint8_t any[16] = { 0xfd };

		assert_non_null(t);
		assert_int_equal(omni_allowedips_lookup4(t, htonl(0x0a000001)), OMNI_PEER_NONE);
		assert_int_equal(omni_allowedips_lookup6(t, any), OMNI_PEER_NONE);
		omni_allowedips_free(t);
	}
}

/* Made first, filled later: capacity and the IPv6 part are checked before
 * anything is added. */
static void test_create_then_fill(void **state)
{
	struct omni_route r[3] = {
		{ .family = AF_INET, .cidr = 32, .addr = { 10, 0, 0, 1 } },
		{ .family = AF_INET, .cidr = 24, .addr = { 10, 1, 0, 0 } },
		{ .family = AF_INET6, .cidr = 128, .addr = { 0xfd, 0, [15] = 1 } },
	};
	uint32_t ids[3] = { 7, 8, 9 };
	struct omni_allowedips *t;

	(void)state;
	assert_false(omni_routes_need_v6(r, 2));
	assert_true(omni_routes_need_v6(r, 3));
	t = omni_allowedips_create(2, false, 0);
	assert_non_null(t);
	assert_null(t->v6);
	assert_int_equal(omni_allowedips_fill(t, r, ids, 3), -ENOSPC); /* 3 > 2 */
	assert_int_equal(t->n_routes, 0);
	assert_int_equal(omni_allowedips_fill(t, &r[2], &ids[2], 1), -ENOSPC); /* no v6 part */
	assert_int_equal(t->n_routes, 0);
	assert_int_equal(omni_allowedips_fill(t, r, ids, 2), 0);
	assert_int_equal(omni_allowedips_lookup4(t, htonl(0x0a000001)), 7);
	assert_int_equal(omni_allowedips_lookup4(t, htonl(0x0a010063)), 8);
	assert_int_equal(omni_allowedips_fill(t, r, ids, 1), -ENOSPC); /* full */
	omni_allowedips_free(t);

	t = omni_allowedips_create(3, true, 0);
	assert_non_null(t);
	assert_int_equal(omni_allowedips_fill(t, r, ids, 3), 0);
	assert_int_equal(omni_allowedips_lookup6(t, r[2].addr), 9);
	omni_allowedips_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hand_cases),
		cmocka_unit_test(test_random_against_naive),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_create_then_fill),
	};
	int ret;

	if (eal_test_init() < 0) {
		fprintf(stderr, "EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return ret;
}

/* SPDX-License-Identifier: MIT */
/*
 * AllowedIPs against a deliberately naive reference: a list of routes
 * searched linearly for the longest match (net/addr.h's prefix test,
 * itself checked bit by bit in tests/unit/net/test_addr.c). Random routes, random lookups,
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

#include <cmocka.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "eal_test.h"
#include "pipeline/allowedips.h"

/* Longest match; among equal lengths the last added wins, as in rte_lpm. */
static uint32_t naive_lookup(const struct net_prefix *p, const uint32_t *ids, unsigned n,
			     const struct net_addr *a)
{
	uint32_t best = PL_PEER_NONE;
	int best_len = -1;
	unsigned i;

	for (i = 0; i < n; i++)
		if (net_prefix_contains(&p[i], a) && p[i].len >= best_len) {
			best = ids[i];
			best_len = p[i].len;
		}
	return best;
}

static uint32_t table_lookup(const struct pl_allowedips *t, const struct net_addr *a)
{
	uint32_t v4;

	if (a->family == NET_AF_IP6)
		return pl_allowedips_lookup6(t, a->b);
	memcpy(&v4, a->b, 4);
	return pl_allowedips_lookup4(t, v4);
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

static void parse_route(const char *s, struct net_prefix *p)
{
	const char *why;

	assert_int_equal(net_prefix_parse(s, p, &why), 0);
}

static void test_hand_cases(void **state)
{
	unsigned c, n;

	(void)state;
	for (c = 0; c < sizeof(hand_cases) / sizeof(hand_cases[0]); c++) {
		const struct hand_case *hc = &hand_cases[c];
		struct net_prefix p[3];
		uint32_t ids[3] = { 100, 101, 102 };
		struct pl_allowedips *t;
		struct net_addr q;

		for (n = 0; n < 3 && hc->route[n]; n++)
			parse_route(hc->route[n], &p[n]);
		t = pl_allowedips_build(p, ids, n, 16, 0);
		assert_non_null(t);
		assert_int_equal(net_addr_parse(hc->query, &q), 0);
		print_message("case %u: %s\n", c + 1, hc->query);
		assert_int_equal(table_lookup(t, &q),
				 hc->expect < 0 ? PL_PEER_NONE : ids[hc->expect]);
		pl_allowedips_free(t);
	}
}

static void random_prefix(struct net_prefix *p, unsigned family)
{
	uint8_t b[16] = { family == NET_AF_IP4 ? 10 : 0xfd };
	unsigned i;

	/* A narrow address space so routes nest and overlap often. */
	for (i = 1; i < net_family_len(family); i++)
		b[i] = (uint8_t)(rand() & (i < 3 ? 0x3 : 0xff));
	net_addr_set(&p->addr, family, b);
	p->len = (uint8_t)(rand() % (net_family_bits(family) + 1));
	net_prefix_mask(p);
}

/* n random routes, one peer per prefix, both families; returns how many. */
static unsigned random_routes(struct net_prefix *p, uint32_t *ids, unsigned want)
{
	unsigned i, j, n = 0;

	for (i = 0; i < want; i++) {
		struct net_prefix cand;
		int dup = 0;

		random_prefix(&cand, (i & 1) ? NET_AF_IP6 : NET_AF_IP4);
		/* One peer per prefix, as a whole config guarantees. */
		for (j = 0; j < n; j++)
			dup |= net_prefix_cmp(&p[j], &cand) == 0;
		if (dup)
			continue;
		p[n] = cand;
		ids[n] = (uint32_t)(rand() % 1000);
		n++;
	}
	return n;
}

static void check_against_naive(const struct pl_allowedips *t, const struct net_prefix *p,
				const uint32_t *ids, unsigned n, unsigned lookups)
{
	unsigned i, j;

	for (i = 0; i < lookups; i++) {
		unsigned fam = (i & 1) ? NET_AF_IP6 : NET_AF_IP4;
		struct net_prefix r;
		struct net_addr q;

		random_prefix(&r, fam);
		q = r.addr;
		for (j = 0; j < net_family_len(fam); j++)
			q.b[j] ^= (uint8_t)(rand() & (j < 3 ? 0 : 0xff));
		assert_int_equal(table_lookup(t, &q), naive_lookup(p, ids, n, &q));
	}
}

static void test_random_against_naive(void **state)
{
	enum { ROUTES = 600, LOOKUPS = 20000 };
	static struct net_prefix p[ROUTES];
	static uint32_t ids[ROUTES];
	struct pl_allowedips *t;
	unsigned n;

	(void)state;
	srand(12345);
	n = random_routes(p, ids, ROUTES);
	t = pl_allowedips_build(p, ids, n, ROUTES, 0);
	assert_non_null(t);
	check_against_naive(t, p, ids, n, LOOKUPS);
	pl_allowedips_free(t);
}

/* A table emptied and filled again answers for its new routes only: no
 * route of an earlier round (defaults included) survives the clear. */
static void test_clear_and_refill(void **state)
{
	enum { ROUTES = 300, LOOKUPS = 5000, ROUNDS = 6 };
	static struct net_prefix p[ROUTES];
	static uint32_t ids[ROUTES];
	struct pl_allowedips *t;
	unsigned round, n;

	(void)state;
	srand(777);
	t = pl_allowedips_create(ROUTES, true, 0);
	assert_non_null(t);
	for (round = 0; round < ROUNDS; round++) {
		/* Rounds of very different sizes; the last one empty. */
		n = round == ROUNDS - 1 ? 0 : random_routes(p, ids, ROUTES >> round);
		assert_int_equal(pl_allowedips_fill(t, p, ids, n), 0);
		assert_int_equal(t->n_routes, n);
		check_against_naive(t, p, ids, n, LOOKUPS);
		pl_allowedips_clear(t);
		assert_int_equal(t->n_routes, 0);
		check_against_naive(t, p, ids, 0, LOOKUPS / 4);
	}
	pl_allowedips_free(t);
}

static void test_bad_input(void **state)
{
	struct net_prefix p = { .addr.family = NET_AF_IP4, .len = 33 };
	uint32_t id = 1;

	(void)state;
	assert_null(pl_allowedips_build(&p, &id, 1, 4, 0));
	assert_int_equal(rte_errno, EINVAL);
	p.addr.family = NET_AF_IP6;
	p.len = 129;
	assert_null(pl_allowedips_build(&p, &id, 1, 4, 0));
	p.len = 64;
	id = PL_PEER_ID_MAX + 1;
	assert_null(pl_allowedips_build(&p, &id, 1, 4, 0));
	p.addr.family = NET_AF_NONE;
	id = 1;
	assert_null(pl_allowedips_build(&p, &id, 1, 4, 0));
	/* An empty table answers "no peer" for everything. */
	{
		struct pl_allowedips *t = pl_allowedips_build(NULL, NULL, 0, 4, 0);
		uint8_t any[16] = { 0xfd };

		assert_non_null(t);
		assert_int_equal(pl_allowedips_lookup4(t, htonl(0x0a000001)), PL_PEER_NONE);
		assert_int_equal(pl_allowedips_lookup6(t, any), PL_PEER_NONE);
		pl_allowedips_free(t);
	}
}

/* Made first, filled later: capacity and the IPv6 part are checked before
 * anything is added. */
static void test_create_then_fill(void **state)
{
	struct net_prefix r[3] = {
		{ .addr = { .family = NET_AF_IP4, .b = { 10, 0, 0, 1 } }, .len = 32 },
		{ .addr = { .family = NET_AF_IP4, .b = { 10, 1, 0, 0 } }, .len = 24 },
		{ .addr = { .family = NET_AF_IP6, .b = { 0xfd, 0, [15] = 1 } }, .len = 128 },
	};
	uint32_t ids[3] = { 7, 8, 9 };
	struct pl_allowedips *t;

	(void)state;
	assert_false(pl_routes_need_v6(r, 2));
	assert_true(pl_routes_need_v6(r, 3));
	t = pl_allowedips_create(2, false, 0);
	assert_non_null(t);
	assert_null(t->v6);
	assert_int_equal(pl_allowedips_fill(t, r, ids, 3), -ENOSPC); /* 3 > 2 */
	assert_int_equal(t->n_routes, 0);
	assert_int_equal(pl_allowedips_fill(t, &r[2], &ids[2], 1), -ENOSPC); /* no v6 part */
	assert_int_equal(t->n_routes, 0);
	assert_int_equal(pl_allowedips_fill(t, r, ids, 2), 0);
	assert_int_equal(pl_allowedips_lookup4(t, htonl(0x0a000001)), 7);
	assert_int_equal(pl_allowedips_lookup4(t, htonl(0x0a010063)), 8);
	assert_int_equal(pl_allowedips_fill(t, r, ids, 1), -ENOSPC); /* full */
	pl_allowedips_free(t);

	t = pl_allowedips_create(3, true, 0);
	assert_non_null(t);
	assert_int_equal(pl_allowedips_fill(t, r, ids, 3), 0);
	assert_int_equal(pl_allowedips_lookup6(t, r[2].addr.b), 9);
	pl_allowedips_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hand_cases),
		cmocka_unit_test(test_random_against_naive),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_create_then_fill),
		cmocka_unit_test(test_clear_and_refill),
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

/* SPDX-License-Identifier: MIT */
/*
 * Parking (signaling/park.h) on a fake clock, with plain integers as the
 * opaque handles: the TTL's edges, a found and a not-found answer (only
 * that target's packets, in the order they came, IPv4 and IPv6 kept
 * apart), a full park counting unpopped actions, the flush at stop, and a
 * random walk against a naive reference that must agree on every action.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "signaling/park.h"

static const uint64_t t0 = 1000;
static int pkt[4 * SIG_PARK_MAX]; /* the handles */

static struct net_addr target(unsigned family, uint8_t last)
{
	struct net_addr a = { .family = (uint8_t)family };

	a.b[0] = family == NET_AF_IP4 ? 10 : 0xfd;
	a.b[family == NET_AF_IP4 ? 3 : 15] = last;
	return a;
}

/* Pops everything: the handles' indices into out, with their verdicts. */
static unsigned pop_all(struct sig_park *k, int *out, enum sig_park_verdict *v)
{
	struct sig_park_action a;
	unsigned n = 0;

	while (sig_park_pop(k, &a)) {
		out[n] = (int)((int *)a.handle - pkt);
		v[n++] = a.verdict;
	}
	return n;
}

static void test_ttl_edges(void **state)
{
	static const struct {
		uint64_t after; /* ms after parking */
		unsigned dropped;
	} cases[] = {
		/* 1 */ { 0, 0 },
		/* 2 */ { SIG_PARK_TTL_MS - 1, 0 },
		/* 3 */ { SIG_PARK_TTL_MS, 0 },
		/* 4 */ { SIG_PARK_TTL_MS + 1, 1 },
		/* 5 */ { 10 * SIG_PARK_TTL_MS, 1 },
	};
	const struct net_addr t = target(NET_AF_IP4, 1);
	enum sig_park_verdict v[SIG_PARK_MAX];
	int got[SIG_PARK_MAX];

	(void)state;
	for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct sig_park k;

		sig_park_init(&k);
		assert_true(sig_park_add(&k, &pkt[0], &t, t0));
		assert_int_equal(sig_park_next_tick(&k), t0 + SIG_PARK_TTL_MS + 1);
		sig_park_tick(&k, t0 + cases[c].after);
		if (pop_all(&k, got, v) != cases[c].dropped)
			fail_msg("case %u: wrong number of drops", c + 1);
		assert_int_equal(k.stats.expired, cases[c].dropped);
		if (cases[c].dropped)
			assert_int_equal(v[0], SIG_PARK_DROP);
		assert_int_equal(sig_park_next_tick(&k),
				 cases[c].dropped ? UINT64_MAX : t0 + SIG_PARK_TTL_MS + 1);
	}
}

static void test_answers(void **state)
{
	const struct net_addr a = target(NET_AF_IP4, 1), b = target(NET_AF_IP4, 2),
			      a6 = target(NET_AF_IP6, 1);
	enum sig_park_verdict v[SIG_PARK_MAX];
	int got[SIG_PARK_MAX];
	struct sig_park k;

	(void)state;
	sig_park_init(&k);
	/* a, b, a6 (same last byte), a again */
	assert_true(sig_park_add(&k, &pkt[0], &a, t0));
	assert_true(sig_park_add(&k, &pkt[1], &b, t0 + 1));
	assert_true(sig_park_add(&k, &pkt[2], &a6, t0 + 2));
	assert_true(sig_park_add(&k, &pkt[3], &a, t0 + 3));
	sig_park_answer(&k, &a, true);
	assert_int_equal(pop_all(&k, got, v), 2);
	assert_int_equal(got[0], 0);
	assert_int_equal(got[1], 3);
	assert_int_equal(v[0], SIG_PARK_RELEASE);
	assert_int_equal(v[1], SIG_PARK_RELEASE);
	sig_park_answer(&k, &a6, false);
	assert_int_equal(pop_all(&k, got, v), 1);
	assert_int_equal(got[0], 2);
	assert_int_equal(v[0], SIG_PARK_DROP);
	/* No one parked for it: nothing. */
	sig_park_answer(&k, &a, false);
	assert_int_equal(pop_all(&k, got, v), 0);
	assert_int_equal(sig_park_next_tick(&k), t0 + 1 + SIG_PARK_TTL_MS + 1);
	sig_park_flush(&k);
	assert_int_equal(pop_all(&k, got, v), 1);
	assert_int_equal(got[0], 1);
	assert_int_equal(k.stats.released, 2);
	assert_int_equal(k.stats.not_found, 1);
	assert_int_equal(k.stats.flushed, 1);
	assert_int_equal(sig_park_next_tick(&k), UINT64_MAX);
}

static void test_full(void **state)
{
	const struct net_addr t = target(NET_AF_IP4, 9), bad = { .family = 5 };
	enum sig_park_verdict v[SIG_PARK_MAX];
	int got[SIG_PARK_MAX];
	struct sig_park k;
	unsigned i;

	(void)state;
	sig_park_init(&k);
	assert_false(sig_park_add(&k, &pkt[0], &bad, t0));
	for (i = 0; i < SIG_PARK_MAX; i++)
		assert_true(sig_park_add(&k, &pkt[i], &t, t0));
	assert_false(sig_park_add(&k, &pkt[i], &t, t0));
	/* Answered but not popped: the handles are still held here. */
	sig_park_answer(&k, &t, false);
	assert_false(sig_park_add(&k, &pkt[i], &t, t0));
	assert_int_equal(k.stats.full, 3);
	assert_int_equal(pop_all(&k, got, v), SIG_PARK_MAX);
	for (i = 0; i < SIG_PARK_MAX; i++)
		assert_int_equal(got[i], (int)i);
	assert_true(sig_park_add(&k, &pkt[0], &t, t0));
}

/* The reference: every handle's state, checked one by one. */
struct ref {
	int target[4 * SIG_PARK_MAX]; /* -1: not parked */
	uint64_t until[4 * SIG_PARK_MAX];
	unsigned held;
};

static void test_random_walk(void **state)
{
	enum sig_park_verdict v[SIG_PARK_MAX];
	int got[SIG_PARK_MAX];
	struct sig_park k;
	struct ref r;
	uint64_t now = t0;
	unsigned step, h, n, i;

	(void)state;
	srand(14);
	sig_park_init(&k);
	memset(&r, 0, sizeof(r));
	for (h = 0; h < 4 * SIG_PARK_MAX; h++)
		r.target[h] = -1;
	for (step = 0; step < 20000; step++) {
		int op = rand() % 10, t = rand() % 6;
		unsigned f = t < 3 ? NET_AF_IP4 : NET_AF_IP6;
		const struct net_addr ta = target(f, (uint8_t)(t % 3));

		now += (uint64_t)(rand() % 200);
		if (op < 6) {
			for (h = 0; h < 4 * SIG_PARK_MAX && r.target[h] >= 0; h++)
				;
			if (h == 4 * SIG_PARK_MAX)
				continue;
			assert_int_equal(sig_park_add(&k, &pkt[h], &ta, now),
					 r.held < SIG_PARK_MAX);
			if (r.held < SIG_PARK_MAX) {
				r.target[h] = t, r.until[h] = now + SIG_PARK_TTL_MS, r.held++;
			}
			continue;
		}
		if (op < 8)
			sig_park_answer(&k, &ta, op == 6);
		else
			sig_park_tick(&k, now);
		n = pop_all(&k, got, v);
		for (i = 0; i < n; i++) {
			h = (unsigned)got[i];
			assert_true(r.target[h] >= 0);
			if (op < 8) {
				assert_int_equal(r.target[h], t);
				assert_int_equal(v[i], op == 6 ? SIG_PARK_RELEASE : SIG_PARK_DROP);
			} else {
				assert_true(now > r.until[h]);
				assert_int_equal(v[i], SIG_PARK_DROP);
			}
			r.target[h] = -1, r.held--;
		}
		/* Nothing the reference would have settled was left behind. */
		for (h = 0; h < 4 * SIG_PARK_MAX; h++)
			assert_false(r.target[h] >= 0 &&
				     (op < 8 ? r.target[h] == t : now > r.until[h]));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ttl_edges),
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_random_walk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * Anti-replay window (replay.h, RFC 6479). A numbered table of counter
 * sequences with the expected verdict, then a long random walk compared
 * with a deliberately naive reference: the set of every counter ever
 * accepted plus the highest one. A counter is new if it is below
 * REJECT_AFTER_MESSAGES, not in the set, and no more than
 * WG_COUNTER_WINDOW_SIZE behind the highest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wg/replay.h"
#include "wg_test_util.h"

#define W ((uint64_t)WG_COUNTER_WINDOW_SIZE)
#define RAM WG_REJECT_AFTER_MESSAGES
#define RESET UINT64_MAX /* table marker: start a fresh window */

static const struct replay_case {
	uint64_t counter;
	bool accept;
} replay_cases[] = {
	/*  1 */ { 0, true },
	/*  2 */ { 0, false }, /* duplicate of the very first */
	/*  3 */ { 1, true },
	/*  4 */ { 3, true }, /* gap */
	/*  5 */ { 2, true }, /* fills the gap */
	/*  6 */ { 2, false },
	/*  7 */ { 3, false },
	/*  8 */ { 63, true }, /* last bit of the first word */
	/*  9 */ { 64, true }, /* first bit of the second word */
	/* 10 */ { 63, false },
	/* 11 */ { 64 + W, true }, /* 0..63 now exactly W behind or less */
	/* 12 */ { 64, false },    /* exactly W behind, seen */
	/* 13 */ { 63, false },    /* W + 1 behind */
	/* 14 */ { 65, true },     /* W - 1 behind, unseen */
	/* 15 */ { 65, false },
	/* 16 */ { 64 + W + 1, true },
	/* 17 */ { 65, false },        /* now exactly W behind, seen */
	/* 18 */ { 66, true },         /* W - 1 behind, unseen */
	/* 19 */ { 64 + W - 1, true }, /* below the top, unseen */
	/* 20 */ { 64 + W - 1, false },
	/* 21 */ { RESET, false },
	/* 22 */ { 5 * W, true },      /* first counter far from zero */
	/* 23 */ { 4 * W, true },      /* exactly W behind */
	/* 24 */ { 4 * W - 1, false }, /* W + 1 behind */
	/* 25 */ { 0, false },
	/* 26 */ { 5 * W + 3 * WG_COUNTER_BITS_TOTAL, true },     /* jump past the whole ring */
	/* 27 */ { 5 * W, false },                                /* long gone */
	/* 28 */ { 5 * W + 3 * WG_COUNTER_BITS_TOTAL - W, true }, /* its bit was cleared */
	/* 29 */ { 5 * W + 3 * WG_COUNTER_BITS_TOTAL - 1, true },
	/* 30 */ { 5 * W + 3 * WG_COUNTER_BITS_TOTAL, false },
	/* 31 */ { 5 * W + 3 * WG_COUNTER_BITS_TOTAL + WG_COUNTER_BITS_TOTAL, true }, /* one ring */
	/* 32 */ { 5 * W + 3 * WG_COUNTER_BITS_TOTAL + WG_COUNTER_BITS_TOTAL - W, true },
	/* 33 */ { 5 * W + 3 * WG_COUNTER_BITS_TOTAL + WG_COUNTER_BITS_TOTAL - W - 1, false },
	/* 34 */ { RESET, false },
	/* 35 */ { RAM, false },    /* REJECT_AFTER_MESSAGES itself */
	/* 36 */ { RAM - 1, true }, /* the last usable counter */
	/* 37 */ { RAM - 1, false },
	/* 38 */ { RAM, false },
	/* 39 */ { RAM + 1, false },
	/* 40 */ { UINT64_MAX - 1, false },
	/* 41 */ { RAM - 2, true },
	/* 42 */ { RAM - 1 - W, true }, /* exactly W behind the last */
	/* 43 */ { RAM - 2 - W, false },
	/* 44 */ { 0, false },
	/* 45 */ { RESET, false },
	/* 46 */ { 127, true },           /* first packet in the second word */
	/* 47 */ { 0, true },             /* the first word was never cleared wrongly */
	/* 48 */ { 64 + 127 * 64, true }, /* slides exactly a whole ring of words */
	/* 49 */ { 127, false },
	/* 50 */ { 64 + 127 * 64 - W, true },
};

static void test_replay_table(void **state)
{
	struct wg_replay r;
	unsigned i;

	(void)state;
	wg_replay_init(&r);
	for (i = 0; i < ARRAY_SIZE(replay_cases); i++) {
		const struct replay_case *c = &replay_cases[i];
		bool got;

		if (c->counter == RESET) {
			wg_replay_init(&r);
			continue;
		}
		got = wg_replay_check(&r, c->counter);
		if (got != c->accept)
			fail_msg("case %u: counter %llu: got %s, want %s", i + 1,
				 (unsigned long long)c->counter, got ? "accept" : "reject",
				 c->accept ? "accept" : "reject");
	}
}

/* ---- naive reference: every accepted counter, kept forever ------------ */

struct naive {
	uint64_t base; /* counters are stored relative to this */
	uint8_t *seen; /* one byte per counter: simple, not clever */
	size_t cap;
	uint64_t max;
	bool any;
};

static bool naive_check(struct naive *n, uint64_t c)
{
	uint64_t off;

	if (c >= RAM || c < n->base)
		return false;
	if (n->any && c + W < n->max)
		return false;
	off = c - n->base;
	if (off >= n->cap) {
		size_t cap = (size_t)off * 2 + 1024;

		n->seen = realloc(n->seen, cap);
		assert_non_null(n->seen);
		memset(n->seen + n->cap, 0, cap - n->cap);
		n->cap = cap;
	}
	if (n->seen[off])
		return false;
	n->seen[off] = 1;
	if (!n->any || c > n->max)
		n->max = c;
	n->any = true;
	return true;
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Random walk starting at base: mostly small steps forward, many probes
 * around the trailing edge of the window, duplicates, rare big jumps.
 * Counters below base are never produced, so base acts as the reference's
 * "nothing earlier was ever seen".
 */
static void random_walk(uint64_t base, unsigned ops, uint64_t seed)
{
	struct naive n = { .base = base };
	struct wg_replay r;
	uint64_t s = seed, top = base, c;
	unsigned i, accepted = 0;

	wg_replay_init(&r);
	if (base) /* the window starts empty at 0; get it to base first */
		assert_true(wg_replay_check(&r, base) == naive_check(&n, base));
	for (i = 0; i < ops; i++) {
		uint64_t x = rng_next(&s), pick = x % 100, t = top - base;
		int64_t off;

		if (pick < 55)
			off = (int64_t)(t + 1 + (x >> 8) % 64); /* forward */
		else if (pick < 80)
			off = (int64_t)(t - W - 8 + (x >> 8) % 16); /* the window's edge */
		else if (pick < 95)
			off = (int64_t)(t - (x >> 8) % (W + 200)); /* anywhere behind */
		else if (pick < 99)
			off = (int64_t)t; /* duplicate */
		else
			off = (int64_t)(t + (x >> 8) % (3 * WG_COUNTER_BITS_TOTAL)); /* jump */
		if (off < 0)
			off = 0; /* below base: probe base */
		c = UINT64_MAX - base < (uint64_t)off ? UINT64_MAX : base + (uint64_t)off;
		{
			bool want = naive_check(&n, c), got = wg_replay_check(&r, c);

			if (got != want)
				fail_msg("op %u (seed %llu): counter %llu (top %llu): got %d, want %d",
					 i, (unsigned long long)seed, (unsigned long long)c,
					 (unsigned long long)top, got, want);
			accepted += got;
		}
		if (n.any && n.max > top)
			top = n.max;
	}
	/* The walk must actually exercise both verdicts. */
	assert_true(accepted > 1000 && accepted < ops);
	free(n.seen);
}

static void test_replay_random(void **state)
{
	(void)state;
	random_walk(0, 200000, 0x243f6a8885a308d3ULL);
	random_walk(0, 200000, 0x13198a2e03707344ULL);
	random_walk(1ULL << 40, 100000, 0xa4093822299f31d0ULL);
}

/* Near REJECT_AFTER_MESSAGES the walk runs into the limit. */
static void test_replay_random_near_limit(void **state)
{
	(void)state;
	random_walk(RAM - 40000, 100000, 0x082efa98ec4e6c89ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_table),
		cmocka_unit_test(test_replay_random),
		cmocka_unit_test(test_replay_random_near_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

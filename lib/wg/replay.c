/* SPDX-License-Identifier: MIT */
/*
 * RFC 6479 anti-replay: the bitmap is a ring of 64-bit words. Moving the
 * window forward clears only the words it passes over, so the cost does not
 * grow with the window size.
 */
#include <string.h>

#include "replay.h"

enum {
	BITS_PER_WORD = 64,
	WORD_SHIFT = 6,
	WORDS = WG_COUNTER_BITS_TOTAL / BITS_PER_WORD,
	WORD_MASK = WORDS - 1,
	BIT_MASK = BITS_PER_WORD - 1,
};

static_assert((WORDS & (WORDS - 1)) == 0, "ring size must be a power of two");

void wg_replay_init(struct wg_replay *r)
{
	memset(r, 0, sizeof(*r));
}

bool wg_replay_check(struct wg_replay *r, uint64_t counter)
{
	uint64_t index, index_current, top, i;
	uint64_t bit;

	if (counter >= WG_REJECT_AFTER_MESSAGES)
		return false;
	/* Too old: further behind the newest than the window reaches. */
	if (counter + WG_COUNTER_WINDOW_SIZE < r->counter)
		return false;

	index = counter >> WORD_SHIFT;
	if (counter > r->counter) {
		/* Slide forward: clear the words between the old top and the new. */
		index_current = r->counter >> WORD_SHIFT;
		top = index - index_current;
		if (top > WORDS)
			top = WORDS;
		for (i = 1; i <= top; i++)
			r->backtrack[(index_current + i) & WORD_MASK] = 0;
		r->counter = counter;
	}
	bit = 1ULL << (counter & BIT_MASK);
	index &= WORD_MASK;
	if (r->backtrack[index] & bit)
		return false;
	r->backtrack[index] |= bit;
	return true;
}

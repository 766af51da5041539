/* SPDX-License-Identifier: MIT */
/*
 * Anti-replay sliding window over transport counters (RFC 6479: a ring of
 * bitmap words, so the window slides without shifting the whole bitmap).
 * Window: WG_COUNTER_WINDOW_SIZE (8128) counters behind the highest seen.
 */
#ifndef OMNI_WG_REPLAY_H
#define OMNI_WG_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "messages.h"

struct wg_replay {
	uint64_t counter; /* highest counter accepted (0 before any) */
	uint64_t backtrack[WG_COUNTER_BITS_TOTAL / 64];
};

void wg_replay_init(struct wg_replay *r);

/*
 * Accept counter once: true if it is new and inside the window (and then
 * marks it seen), false for a duplicate, a counter too far behind, or one at
 * or past WG_REJECT_AFTER_MESSAGES. Call only after the packet authenticated.
 */
bool wg_replay_check(struct wg_replay *r, uint64_t counter);

#endif /* OMNI_WG_REPLAY_H */

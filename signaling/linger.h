/* SPDX-License-Identifier: MIT */
/*
 * A member the nucleus stopped listing, kept for a grace period while its
 * session lives (docs/signaling.md, "Nucleus restart"). After a nucleus
 * restart the edges register again one by one over a heartbeat interval,
 * and the first resync an edge gets lists only those that did so far: the
 * others would be removed, sessions and all, and added again a heartbeat
 * later. A LEFT that only a resync implies (client.h: event.stale) for a
 * peer with a live session is held here instead; the member's JOINED (or
 * any news of it) cancels it, and only when the grace ends with no news
 * does the LEFT go through. Pure: keys and a clock in. Single-threaded.
 */
#ifndef OMNI_SIGNALING_LINGER_H
#define OMNI_SIGNALING_LINGER_H

#include <stdbool.h>
#include <stdint.h>

#include "wire.h"

enum {
	SIG_LINGER_MAX = 64, /* held at once; beyond, a LEFT goes through */
	/* Two heartbeat intervals for every edge to register again and be
	 * heard of, plus the time a silent member has anyway (its expiry). */
	SIG_LINGER_MS = SIG_EXPIRY_MS,
};

struct sig_linger {
	struct {
		uint8_t key[SIG_PUBKEY_LEN];
		uint64_t until; /* 0: free slot */
	} e[SIG_LINGER_MAX];
};

/* Holds key until now_ms + SIG_LINGER_MS (kept if held already). false:
 * no room. */
bool sig_linger_hold(struct sig_linger *l, const uint8_t *key, uint64_t now_ms);
/* News of key: not held any more. true if it was. */
bool sig_linger_cancel(struct sig_linger *l, const uint8_t *key);
/* One key whose grace is over into key (and not held any more); false: none. */
bool sig_linger_due(struct sig_linger *l, uint64_t now_ms, uint8_t key[SIG_PUBKEY_LEN]);
/* The earliest end of a grace; UINT64_MAX: none held. */
uint64_t sig_linger_next(const struct sig_linger *l);

#endif /* OMNI_SIGNALING_LINGER_H */

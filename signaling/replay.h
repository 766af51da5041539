/* SPDX-License-Identifier: MIT */
/*
 * Freshness of authenticated signaling messages: the timestamp must be
 * within SIG_TIME_WINDOW_MS of now, and the nonce unseen while it is. Nonces
 * are kept (as keyed 64-bit hashes) until their timestamp leaves the
 * window, in buckets of a table that doubles when a nonce finds its buckets
 * full, up to what the capacity needs; then a full bucket refuses the
 * message (SIG_DROP_REPLAY_FULL) rather than forget a live nonce.
 * Call only after the HMAC verified, so only key holders can fill it.
 * Pure: the caller passes the time. Single-threaded.
 */
#ifndef OMNI_SIGNALING_REPLAY_H
#define OMNI_SIGNALING_REPLAY_H

#include <stdint.h>

#include "wire.h"

struct sig_replay;

/* capacity: nonces held at once at most (rounded up); memory grows to it
 * with the load. NULL with errno on failure. */
struct sig_replay *sig_replay_create(unsigned capacity);
void sig_replay_destroy(struct sig_replay *r);

/*
 * SIG_OK (the nonce is now recorded), SIG_DROP_STALE, SIG_DROP_REPLAY or
 * SIG_DROP_REPLAY_FULL.
 */
enum sig_drop sig_replay_check(struct sig_replay *r, const uint8_t nonce[SIG_NONCE_LEN],
			       uint64_t ts_ms, uint64_t now_ms);

#endif /* OMNI_SIGNALING_REPLAY_H */

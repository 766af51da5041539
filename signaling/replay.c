/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "replay.h"

enum { BUCKET = 8 }; /* slots per bucket; two candidate buckets per nonce */

struct slot {
	uint64_t tag;    /* keyed hash of the nonce, never 0; 0: free */
	uint64_t expiry; /* ms: ts + window; free once now passes it */
};

struct sig_replay {
	uint8_t key[crypto_shorthash_KEYBYTES];
	uint64_t mask; /* buckets - 1 */
	struct slot slots[];
};

struct sig_replay *sig_replay_create(unsigned capacity)
{
	struct sig_replay *r;
	uint64_t buckets = 16;

	if (capacity == 0 || capacity > (1u << 26)) {
		errno = EINVAL;
		return NULL;
	}
	while (buckets * BUCKET < 2ull * capacity)
		buckets <<= 1;
	r = calloc(1, sizeof(*r) + buckets * BUCKET * sizeof(r->slots[0]));
	if (!r)
		return NULL;
	randombytes_buf(r->key, sizeof(r->key));
	r->mask = buckets - 1;
	return r;
}

void sig_replay_destroy(struct sig_replay *r)
{
	free(r);
}

/* The live slot holding tag in bucket b, or the first reusable one in *free_slot. */
static struct slot *bucket_find(struct sig_replay *r, uint64_t b, uint64_t tag, uint64_t now,
				struct slot **free_slot)
{
	struct slot *s = &r->slots[b * BUCKET];

	for (unsigned i = 0; i < BUCKET; i++, s++) {
		bool live = s->tag && s->expiry >= now;

		if (live && s->tag == tag)
			return s;
		if (!live && !*free_slot)
			*free_slot = s;
	}
	return NULL;
}

enum sig_drop sig_replay_check(struct sig_replay *r, const uint8_t nonce[SIG_NONCE_LEN],
			       uint64_t ts_ms, uint64_t now_ms)
{
	uint8_t h[crypto_shorthash_BYTES];
	struct slot *free_slot = NULL;
	uint64_t tag, b1, b2;

	if (ts_ms + SIG_TIME_WINDOW_MS < now_ms || ts_ms > now_ms + SIG_TIME_WINDOW_MS)
		return SIG_DROP_STALE;
	crypto_shorthash(h, nonce, SIG_NONCE_LEN, r->key);
	memcpy(&tag, h, sizeof(tag));
	tag |= 1;
	b1 = tag >> 1 & r->mask;
	b2 = (tag >> 32 ^ tag >> 7) & r->mask;
	if (bucket_find(r, b1, tag, now_ms, &free_slot) ||
	    bucket_find(r, b2, tag, now_ms, &free_slot))
		return SIG_DROP_REPLAY;
	if (!free_slot)
		return SIG_DROP_REPLAY_FULL;
	free_slot->tag = tag;
	free_slot->expiry = ts_ms + SIG_TIME_WINDOW_MS;
	return SIG_OK;
}

/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "replay.h"

enum {
	BUCKET = 8,          /* slots per bucket; two candidate buckets per nonce */
	START_BUCKETS = 512, /* 64 KB: the table grows from here to its capacity */
};

struct slot {
	uint64_t tag;    /* keyed hash of the nonce, never 0; 0: free */
	uint64_t expiry; /* ms: ts + window; free once now passes it */
};

/*
 * The table starts small and doubles when a nonce finds both its buckets
 * full, up to the buckets its capacity needs: memory follows the load (a
 * cluster of ten edges holds a few hundred nonces, one of 20,000 edges at
 * 30 s heartbeats about 60,000), and only at capacity is a message
 * refused.
 */
struct sig_replay {
	uint8_t key[crypto_shorthash_KEYBYTES];
	uint64_t mask;        /* buckets - 1 */
	uint64_t max_buckets; /* for the capacity asked for */
	struct slot *slots;
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
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->max_buckets = buckets;
	if (buckets > START_BUCKETS)
		buckets = START_BUCKETS;
	r->slots = calloc(buckets * BUCKET, sizeof(r->slots[0]));
	if (!r->slots) {
		free(r);
		return NULL;
	}
	randombytes_buf(r->key, sizeof(r->key));
	r->mask = buckets - 1;
	return r;
}

void sig_replay_destroy(struct sig_replay *r)
{
	if (r)
		free(r->slots);
	free(r);
}

/* The live slot holding tag in bucket b, or NULL with the bucket's first
 * reusable slot in *free_slot (NULL: full) and how many are reusable. */
static struct slot *bucket_find(struct sig_replay *r, uint64_t b, uint64_t tag, uint64_t now,
				struct slot **free_slot, unsigned *n_free)
{
	struct slot *s = &r->slots[b * BUCKET];

	*free_slot = NULL;
	*n_free = 0;
	for (unsigned i = 0; i < BUCKET; i++, s++) {
		bool live = s->tag && s->expiry >= now;

		if (live && s->tag == tag)
			return s;
		if (!live && !(*n_free)++)
			*free_slot = s;
	}
	return NULL;
}

static uint64_t bucket1(const struct sig_replay *r, uint64_t tag)
{
	return tag >> 1 & r->mask;
}

static uint64_t bucket2(const struct sig_replay *r, uint64_t tag)
{
	return (tag >> 32 ^ tag >> 7) & r->mask;
}

/* tag's slot, or NULL with *free_slot the reusable slot of the emptier of
 * its two buckets (two choices keep the buckets even), NULL when both are
 * full. */
static struct slot *lookup(struct sig_replay *r, uint64_t tag, uint64_t now,
			   struct slot **free_slot)
{
	struct slot *f1 = NULL, *f2 = NULL, *s;
	unsigned n1 = 0, n2 = 0;

	s = bucket_find(r, bucket1(r, tag), tag, now, &f1, &n1);
	if (!s)
		s = bucket_find(r, bucket2(r, tag), tag, now, &f2, &n2);
	if (s)
		return s;
	*free_slot = n2 > n1 ? f2 : f1;
	return NULL;
}

/* The live nonces of old (n slots) into r's table; false if one does not fit. */
static bool rehash(struct sig_replay *r, const struct slot *old, uint64_t n, uint64_t now)
{
	struct slot *to;

	for (uint64_t i = 0; i < n; i++) {
		if (!old[i].tag || old[i].expiry < now)
			continue;
		if (lookup(r, old[i].tag, now, &to))
			continue; /* cannot be: each tag is held once */
		if (!to)
			return false;
		*to = old[i];
	}
	return true;
}

/* Twice the buckets (four times if a nonce would not fit, and so on), the
 * live nonces moved over; false (the old table kept) at capacity or out of
 * memory. */
static bool grow(struct sig_replay *r, uint64_t now)
{
	uint64_t old_n = (r->mask + 1) * BUCKET, old_mask = r->mask;
	struct slot *old = r->slots;

	for (uint64_t b = (r->mask + 1) * 2; b <= r->max_buckets; b *= 2) {
		r->slots = calloc(b * BUCKET, sizeof(*r->slots));
		if (!r->slots)
			break;
		r->mask = b - 1;
		if (rehash(r, old, old_n, now)) {
			free(old);
			return true;
		}
		free(r->slots);
	}
	r->slots = old;
	r->mask = old_mask;
	return false;
}

enum sig_drop sig_replay_check(struct sig_replay *r, const uint8_t nonce[SIG_NONCE_LEN],
			       uint64_t ts_ms, uint64_t now_ms)
{
	uint8_t h[crypto_shorthash_BYTES];
	struct slot *free_slot = NULL;
	uint64_t tag;

	if (ts_ms + SIG_TIME_WINDOW_MS < now_ms || ts_ms > now_ms + SIG_TIME_WINDOW_MS)
		return SIG_DROP_STALE;
	crypto_shorthash(h, nonce, SIG_NONCE_LEN, r->key);
	memcpy(&tag, h, sizeof(tag));
	tag |= 1;
	if (lookup(r, tag, now_ms, &free_slot))
		return SIG_DROP_REPLAY;
	if (!free_slot && grow(r, now_ms))
		lookup(r, tag, now_ms, &free_slot);
	if (!free_slot)
		return SIG_DROP_REPLAY_FULL;
	free_slot->tag = tag;
	free_slot->expiry = ts_ms + SIG_TIME_WINDOW_MS;
	return SIG_OK;
}

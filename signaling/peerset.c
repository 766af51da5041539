/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "peerset.h"

enum { INDEX_MIN = 16 };

static const size_t key_len[SIG_BY_COUNT] = { SIG_PUBKEY_LEN, 4, 16 };

static const struct sig_peer *peer_at(const struct sig_peerset *ps, uint32_t i)
{
	return sig_peerset_rec(ps, i);
}

/* Record p's key for index `by`, or NULL if it has none (no VIP6, ...). */
static const uint8_t *key_of(const struct sig_peer *p, enum sig_peerset_key by)
{
	switch (by) {
	case SIG_BY_PUBKEY:
		return p->pubkey;
	case SIG_BY_VIP4:
		return p->flags & SIG_PEER_HAS_VIP4 ? p->vip4 : NULL;
	default:
		return p->flags & SIG_PEER_HAS_VIP6 ? p->vip6 : NULL;
	}
}

static uint32_t home(const struct sig_peerset *ps, const struct sig_index *ix,
		     enum sig_peerset_key by, const uint8_t *key)
{
	uint8_t h[crypto_shorthash_BYTES];
	uint32_t v;

	crypto_shorthash(h, key, key_len[by], ps->hash_key);
	memcpy(&v, h, sizeof(v));
	return v & ix->mask;
}

static int index_alloc(struct sig_index *ix, uint32_t size)
{
	ix->slots = calloc(size, sizeof(*ix->slots));
	if (!ix->slots)
		return -ENOMEM;
	ix->mask = size - 1;
	ix->count = 0;
	return 0;
}

static void index_put(struct sig_peerset *ps, enum sig_peerset_key by, uint32_t i)
{
	struct sig_index *ix = &ps->by[by];
	uint32_t s = home(ps, ix, by, key_of(peer_at(ps, i), by));

	while (ix->slots[s])
		s = (s + 1) & ix->mask;
	ix->slots[s] = i + 1;
	ix->count++;
}

/* Doubles the table when it would be more than half full. */
static int index_reserve(struct sig_peerset *ps, enum sig_peerset_key by)
{
	struct sig_index *ix = &ps->by[by], old = *ix;

	if ((ix->count + 1) * 2 <= ix->mask + 1)
		return 0;
	if (index_alloc(ix, (old.mask + 1) * 2) < 0) {
		*ix = old;
		return -ENOMEM;
	}
	for (uint32_t s = 0; s <= old.mask; s++)
		if (old.slots[s])
			index_put(ps, by, old.slots[s] - 1);
	free(old.slots);
	return 0;
}

/* Removes record i from index `by` (it must be there). */
static void index_remove(struct sig_peerset *ps, enum sig_peerset_key by, uint32_t i)
{
	struct sig_index *ix = &ps->by[by];
	uint32_t s = home(ps, ix, by, key_of(peer_at(ps, i), by)), next, h;

	while (ix->slots[s] != i + 1)
		s = (s + 1) & ix->mask;
	/* Backward shift: pull later entries of the run into the hole. */
	for (next = (s + 1) & ix->mask; ix->slots[next]; next = (next + 1) & ix->mask) {
		h = home(ps, ix, by, key_of(peer_at(ps, ix->slots[next] - 1), by));
		if (((next - h) & ix->mask) >= ((next - s) & ix->mask)) {
			ix->slots[s] = ix->slots[next];
			s = next;
		}
	}
	ix->slots[s] = 0;
	ix->count--;
}

int sig_peerset_init(struct sig_peerset *ps, size_t stride, uint32_t max)
{
	memset(ps, 0, sizeof(*ps));
	ps->stride = stride;
	ps->max = max;
	ps->free_head = SIG_NONE;
	randombytes_buf(ps->hash_key, sizeof(ps->hash_key));
	for (int by = 0; by < SIG_BY_COUNT; by++)
		if (index_alloc(&ps->by[by], INDEX_MIN) < 0) {
			sig_peerset_fini(ps);
			return -ENOMEM;
		}
	return 0;
}

void sig_peerset_fini(struct sig_peerset *ps)
{
	for (int by = 0; by < SIG_BY_COUNT; by++)
		free(ps->by[by].slots);
	if (ps->recs)
		sodium_memzero(ps->recs, (size_t)ps->cap * ps->stride);
	free(ps->recs);
	free(ps->live);
	free(ps->next_free);
	memset(ps, 0, sizeof(*ps));
}

static int grow(struct sig_peerset *ps)
{
	uint32_t cap = ps->cap ? ps->cap * 2 : 16;
	void *r, *l, *f;

	if (cap > ps->max)
		cap = ps->max;
	r = realloc(ps->recs, (size_t)cap * ps->stride);
	if (r)
		ps->recs = r;
	l = realloc(ps->live, cap);
	if (l)
		ps->live = l;
	f = realloc(ps->next_free, (size_t)cap * sizeof(uint32_t));
	if (f)
		ps->next_free = f;
	if (!r || !l || !f)
		return -ENOMEM;
	ps->cap = cap;
	return 0;
}

static void index_all(struct sig_peerset *ps, uint32_t i, bool add)
{
	for (int by = 0; by < SIG_BY_COUNT; by++) {
		if (!key_of(peer_at(ps, i), by))
			continue;
		if (add)
			index_put(ps, by, i);
		else
			index_remove(ps, by, i);
	}
}

static int reserve_all(struct sig_peerset *ps)
{
	for (int by = 0; by < SIG_BY_COUNT; by++)
		if (index_reserve(ps, by) < 0)
			return -ENOMEM;
	return 0;
}

uint32_t sig_peerset_add(struct sig_peerset *ps, const struct sig_peer *p)
{
	uint32_t i;

	if (ps->count >= ps->max || reserve_all(ps) < 0)
		return SIG_NONE;
	if (ps->free_head != SIG_NONE) {
		i = ps->free_head;
		ps->free_head = ps->next_free[i];
	} else {
		if (ps->used == ps->cap && grow(ps) < 0)
			return SIG_NONE;
		i = ps->used++;
	}
	memset(sig_peerset_rec(ps, i), 0, ps->stride);
	memcpy(sig_peerset_rec(ps, i), p, sizeof(*p));
	ps->live[i] = 1;
	ps->count++;
	index_all(ps, i, true);
	return i;
}

void sig_peerset_del(struct sig_peerset *ps, uint32_t i)
{
	index_all(ps, i, false);
	ps->live[i] = 0;
	ps->count--;
	ps->next_free[i] = ps->free_head;
	ps->free_head = i;
}

void sig_peerset_update(struct sig_peerset *ps, uint32_t i, const struct sig_peer *p)
{
	index_all(ps, i, false);
	memcpy(sig_peerset_rec(ps, i), p, sizeof(*p));
	/* On ENOMEM the tables are still at most half full plus one: room enough. */
	(void)reserve_all(ps);
	index_all(ps, i, true);
}

uint32_t sig_peerset_find(const struct sig_peerset *ps, enum sig_peerset_key by, const uint8_t *key)
{
	const struct sig_index *ix = &ps->by[by];
	uint32_t s = home(ps, ix, by, key), i;

	for (; ix->slots[s]; s = (s + 1) & ix->mask) {
		i = ix->slots[s] - 1;
		if (memcmp(key_of(peer_at(ps, i), by), key, key_len[by]) == 0)
			return i;
	}
	return SIG_NONE;
}

uint32_t sig_peerset_next(const struct sig_peerset *ps, uint32_t from)
{
	for (uint32_t i = from; i < ps->used; i++)
		if (ps->live[i])
			return i;
	return SIG_NONE;
}

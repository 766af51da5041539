/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "messages.h"
#include "ratelimiter.h"

enum { PROBES = 8 };

struct rl_entry {
	uint64_t key;     /* 0: free */
	uint64_t last_ns; /* last refill */
	uint64_t tokens;  /* refill time banked, in ns; a handshake costs `cost` */
};

struct wg_ratelimiter {
	uint8_t hash_key[crypto_shorthash_KEYBYTES];
	uint64_t cost;       /* ns of refill one handshake costs: 1e9 / rate */
	uint64_t max_tokens; /* burst * cost */
	unsigned mask;
	bool evict;
	/* Pressure: new sources per one-second window, and the last time a
	 * new source found no free slot (0: never). */
	uint64_t win_start_ns, new_cur, new_prev, last_full_ns;
	uint64_t pressure_at; /* new sources per window that mean pressure */
	uint64_t refused_full, evicted;
	struct rl_entry slots[];
};

struct wg_ratelimiter *wg_ratelimiter_create(unsigned capacity, unsigned rate, unsigned burst)
{
	struct wg_ratelimiter *rl;
	unsigned size = 64;

	if (capacity == 0 || capacity > (1u << 24) || rate == 0 || burst == 0) {
		errno = EINVAL;
		return NULL;
	}
	while (size < capacity)
		size <<= 1;
	rl = calloc(1, sizeof(*rl) + size * sizeof(rl->slots[0]));
	if (!rl)
		return NULL;
	if (sodium_init() < 0) {
		free(rl);
		errno = EIO;
		return NULL;
	}
	crypto_shorthash_keygen(rl->hash_key);
	rl->mask = size - 1;
	rl->pressure_at = size / 4; /* linear probing refuses some from half full on */
	rl->cost = WG_NSEC_PER_SEC / rate;
	rl->max_tokens = rl->cost * burst;
	return rl;
}

void wg_ratelimiter_destroy(struct wg_ratelimiter *rl)
{
	if (rl)
		sodium_memzero(rl->hash_key, sizeof(rl->hash_key));
	free(rl);
}

void wg_ratelimiter_evict_when_full(struct wg_ratelimiter *rl)
{
	rl->evict = true;
}

/* SipHash of the family and the limited bytes; never 0 (0 marks free). */
static uint64_t key_of(const struct wg_ratelimiter *rl, int family, const uint8_t *addr)
{
	uint8_t in[1 + 8];
	uint8_t out[crypto_shorthash_BYTES];
	size_t n = family == 4 ? 4 : 8; /* IPv6: the /64 */
	uint64_t k;

	in[0] = (uint8_t)family;
	memcpy(in + 1, addr, n);
	crypto_shorthash(out, in, 1 + n, rl->hash_key);
	memcpy(&k, out, sizeof(k));
	return k ? k : 1;
}

/* Starts a new one-second window when the current one is over. */
static void roll_window(struct wg_ratelimiter *rl, uint64_t now_ns)
{
	uint64_t age = now_ns - rl->win_start_ns;

	if (now_ns < rl->win_start_ns || age < WG_NSEC_PER_SEC)
		return;
	rl->new_prev = age < 2 * WG_NSEC_PER_SEC ? rl->new_cur : 0;
	rl->new_cur = 0;
	rl->win_start_ns = now_ns;
}

/* The slot for a new source: free or idle for a second, else (evicting)
 * the least recently used of the probed ones, else NULL. */
static struct rl_entry *new_slot(struct wg_ratelimiter *rl, uint64_t key, uint64_t now_ns,
				 bool evict)
{
	struct rl_entry *e, *oldest = NULL;
	unsigned i;

	for (i = 0; i < PROBES; i++) {
		e = &rl->slots[(key + i) & rl->mask];
		/* Free, or idle for a second: a full bucket again, reusable. */
		if (e->key == 0 || now_ns - e->last_ns >= WG_NSEC_PER_SEC)
			return e;
		if (!oldest || e->last_ns < oldest->last_ns)
			oldest = e;
	}
	rl->last_full_ns = now_ns ? now_ns : 1;
	if (!evict) {
		rl->refused_full++;
		return NULL;
	}
	rl->evicted++;
	return oldest;
}

static bool allow(struct wg_ratelimiter *rl, int family, const uint8_t *addr, uint64_t now_ns,
		  bool evict)
{
	uint64_t key = key_of(rl, family, addr);
	struct rl_entry *e;
	unsigned i;

	for (i = 0; i < PROBES; i++) {
		e = &rl->slots[(key + i) & rl->mask];
		if (e->key == key)
			goto found;
	}
	e = new_slot(rl, key, now_ns, evict);
	if (!e)
		return false; /* every nearby slot busy: refuse */
	roll_window(rl, now_ns);
	rl->new_cur++;
	e->key = key;
	e->last_ns = now_ns;
	e->tokens = rl->max_tokens;
found:
	e->tokens += now_ns - e->last_ns;
	if (e->tokens > rl->max_tokens)
		e->tokens = rl->max_tokens;
	e->last_ns = now_ns;
	if (e->tokens < rl->cost)
		return false;
	e->tokens -= rl->cost;
	return true;
}

bool wg_ratelimiter_allow(struct wg_ratelimiter *rl, int family, const uint8_t *addr,
			  uint64_t now_ns)
{
	return allow(rl, family, addr, now_ns, rl->evict);
}

bool wg_ratelimiter_allow_proven(struct wg_ratelimiter *rl, int family, const uint8_t *addr,
				 uint64_t now_ns)
{
	return allow(rl, family, addr, now_ns, true);
}

bool wg_ratelimiter_under_pressure(const struct wg_ratelimiter *rl, uint64_t now_ns)
{
	uint64_t age = now_ns - rl->win_start_ns, cur = rl->new_cur, prev = rl->new_prev;

	if (now_ns >= rl->win_start_ns && age >= 2 * WG_NSEC_PER_SEC)
		cur = prev = 0;
	else if (now_ns >= rl->win_start_ns && age >= WG_NSEC_PER_SEC) {
		prev = cur;
		cur = 0;
	}
	if (cur >= rl->pressure_at || prev >= rl->pressure_at)
		return true;
	return rl->last_full_ns && now_ns - rl->last_full_ns < WG_NSEC_PER_SEC;
}

uint64_t wg_ratelimiter_refused_full(const struct wg_ratelimiter *rl)
{
	return rl->refused_full;
}

uint64_t wg_ratelimiter_evicted(const struct wg_ratelimiter *rl)
{
	return rl->evicted;
}

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

bool wg_ratelimiter_allow(struct wg_ratelimiter *rl, int family, const uint8_t *addr,
			  uint64_t now_ns)
{
	uint64_t key = key_of(rl, family, addr);
	struct rl_entry *e, *victim = NULL;
	unsigned i;

	for (i = 0; i < PROBES; i++) {
		e = &rl->slots[(key + i) & rl->mask];
		if (e->key == key)
			goto found;
		/* Free, or idle for a second: a full bucket again, reusable. */
		if (!victim && (e->key == 0 || now_ns - e->last_ns >= WG_NSEC_PER_SEC))
			victim = e;
	}
	if (!victim)
		return false; /* every nearby slot busy: refuse, do not evict */
	e = victim;
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

/* SPDX-License-Identifier: MIT */
/* Refusal log lines, rate-limited per source and in all: see lograte.h. */
#include <string.h>

#include <sodium.h>

#include "lograte.h"

void sig_lograte_init(struct sig_lograte *r)
{
	memset(r, 0, sizeof(*r));
	/* Keyed: a sender cannot aim its addresses at one slot. */
	randombytes_buf(r->hash_key, sizeof(r->hash_key));
}

static struct sig_lograte_slot *slot_of(struct sig_lograte *r, const struct net_addr *src)
{
	uint8_t h[crypto_shorthash_BYTES];
	uint32_t v;

	static_assert(sizeof(r->hash_key) == crypto_shorthash_KEYBYTES, "siphash key");
	crypto_shorthash(h, src->b, sizeof(src->b), r->hash_key);
	memcpy(&v, h, sizeof(v));
	return &r->slot[v % SIG_LOGRATE_SLOTS];
}

bool sig_lograte_allow(struct sig_lograte *r, const struct net_addr *src, uint64_t now_ms,
		       uint64_t *quiet)
{
	struct sig_lograte_slot *s = slot_of(r, src);
	bool same = net_addr_equal(&s->src, src);

	if (same && now_ms - s->last < SIG_LOGRATE_INTERVAL_MS)
		goto quiet;
	if (now_ms - r->window >= SIG_LOGRATE_INTERVAL_MS || r->lines == 0) {
		r->window = now_ms;
		r->lines = 0;
	}
	if (r->lines >= SIG_LOGRATE_BUDGET)
		goto quiet;
	r->lines++;
	*quiet = same ? s->quiet : 0;
	s->src = *src;
	s->last = now_ms;
	s->quiet = 0;
	return true;
quiet:
	if (same)
		s->quiet++;
	r->suppressed++;
	return false;
}

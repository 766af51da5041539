/* SPDX-License-Identifier: MIT */
/*
 * A set of peer records, each starting with a struct sig_peer, found in
 * O(1) by public key, VIP and VIP6 (open addressing, linear probing with
 * backward-shift deletion, SipHash with a random key so a sender cannot aim
 * at one chain). Records keep their index while they live (the nucleus's
 * resync cursor walks indices). The nucleus keeps its members here, the
 * edge client the peers it has learned. Single-threaded.
 */
#ifndef OMNI_SIGNALING_PEERSET_H
#define OMNI_SIGNALING_PEERSET_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define SIG_NONE UINT32_MAX

enum sig_peerset_key { SIG_BY_PUBKEY, SIG_BY_VIP4, SIG_BY_VIP6, SIG_BY_COUNT };

struct sig_index {
	uint32_t *slots; /* record index + 1; 0: empty */
	uint32_t mask;
	uint32_t count;
};

struct sig_peerset {
	uint8_t *recs;       /* cap records of stride bytes */
	uint8_t *live;       /* one byte per record */
	uint32_t *next_free; /* free list links */
	size_t stride;       /* >= sizeof(struct sig_peer) */
	uint32_t cap, used, count, max, free_head;
	uint8_t hash_key[16];
	struct sig_index by[SIG_BY_COUNT];
};

/* stride: record size; max: records at most. 0 or -ENOMEM. */
int sig_peerset_init(struct sig_peerset *ps, size_t stride, uint32_t max);
void sig_peerset_fini(struct sig_peerset *ps);

/* Record i; the pointer is valid until the next sig_peerset_add. */
static inline void *sig_peerset_rec(const struct sig_peerset *ps, uint32_t i)
{
	return ps->recs + (size_t)i * ps->stride;
}

/*
 * Adds a record (zeroed beyond the sig_peer) and indexes it. The caller
 * has made sure no live record has the same key or VIPs. Returns its index,
 * or SIG_NONE when full (max) or out of memory.
 */
uint32_t sig_peerset_add(struct sig_peerset *ps, const struct sig_peer *p);
void sig_peerset_del(struct sig_peerset *ps, uint32_t i);
/* Replaces record i's sig_peer (same public key), re-indexing its VIPs. */
void sig_peerset_update(struct sig_peerset *ps, uint32_t i, const struct sig_peer *p);

/* key: 32 bytes (pubkey), 4 (VIP) or 16 (VIP6). SIG_NONE if absent. */
uint32_t sig_peerset_find(const struct sig_peerset *ps, enum sig_peerset_key by,
			  const uint8_t *key);
/* The first live index >= from, or SIG_NONE. */
uint32_t sig_peerset_next(const struct sig_peerset *ps, uint32_t from);

#endif /* OMNI_SIGNALING_PEERSET_H */

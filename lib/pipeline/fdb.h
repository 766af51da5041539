/* SPDX-License-Identifier: MIT */
/*
 * The L2 fabric's forwarding database: (MAC, VLAN) -> the member (peer id)
 * behind which that MAC was last seen, learned from authenticated frames.
 *
 * Threads
 * - Workers (any number of lcores) call pl_fdb_lookup and pl_fdb_note
 *   without locks. The table is an rte_hash with
 *   RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF; the owner is the entry's data,
 *   which the writer replaces with one atomic store, so a reader sees the
 *   old owner or the new one, never a torn value.
 * - The control lcore is the only writer: pl_fdb_control, pl_fdb_flush,
 *   pl_fdb_walk, pl_fdb_free.
 * - Learning. note() on a known MAC with the same owner is a relaxed store
 *   of its last-seen time (skipped when the stored time is less than
 *   age/64 old, so a busy MAC does not keep a cache line bouncing between
 *   workers). Anything else (a new MAC, a MAC on another member) is a
 *   request on an MP/SC ring to the control lcore, which inserts or moves
 *   the entry; a full ring drops the request (counted queue_full) and the
 *   next frame asks again.
 * - Reclaim. A deleted entry's hash slot (and last-seen cell, which is
 *   indexed by it) is reused only after every worker has passed a quiescent
 *   state of conf->rcu (rte_hash_rcu_qsbr_add), so a worker between lookup
 *   and store never touches a slot that now holds another MAC. With rcu
 *   NULL slots are reused at once: for single-threaded use (tests, tools).
 * - Aging. pl_fdb_control sweeps a slice of the table per call, larger
 *   when calls are far apart, so that the whole table is swept at least
 *   once per age/8: an entry not seen for more than age_ns goes within
 *   about age/8 after that (pl_fdb_age sweeps the whole table at once).
 *
 * Only unicast source MACs are learned: a group (multicast/broadcast) or
 * all-zero source is refused by note() and counted.
 */
#ifndef OMNI_PIPELINE_FDB_H
#define OMNI_PIPELINE_FDB_H

#include <stdbool.h>
#include <stdint.h>

struct rte_rcu_qsbr;

#define PL_FDB_NONE UINT32_MAX /* no owner: same as PL_PEER_NONE */
#define PL_FDB_AGE_DEFAULT_NS (300ull * 1000000000ull)
#define PL_FDB_QUEUE_DEFAULT 4096

/* One entry's key: 8 bytes, no padding, hashed as they are. */
struct pl_fdb_key {
	uint8_t mac[6];
	uint16_t vlan; /* 802.1Q VID, 0: untagged */
};

struct pl_fdb_conf {
	const char *name;         /* short; names the rte_hash and ring */
	uint32_t size;            /* entries at most (>= 1) */
	uint64_t age_ns;          /* 0: PL_FDB_AGE_DEFAULT_NS */
	int socket;               /* NUMA socket, or SOCKET_ID_ANY */
	struct rte_rcu_qsbr *rcu; /* the workers' QSBR variable; NULL: single-threaded */
	uint32_t queue;           /* learn requests in flight; 0: PL_FDB_QUEUE_DEFAULT */
};

struct pl_fdb_stats {
	uint64_t entries;    /* now */
	uint64_t learned;    /* new entries */
	uint64_t moved;      /* entries that changed owner */
	uint64_t aged;       /* entries removed for age */
	uint64_t flushed;    /* entries removed by pl_fdb_flush */
	uint64_t full;       /* learns refused: table full */
	uint64_t queue_full; /* learn requests dropped: ring full */
	uint64_t refused;    /* notes of a group or zero source MAC */
	uint64_t peer_full;  /* learns and moves refused: the member at its limit */
};

struct pl_fdb;

/* NULL with rte_errno (EINVAL: size 0 or no name; ENOMEM, EEXIST). */
struct pl_fdb *pl_fdb_create(const struct pl_fdb_conf *c);
void pl_fdb_free(struct pl_fdb *f);

/* Workers: the owner's peer id, or PL_FDB_NONE (unknown: flood). */
uint32_t pl_fdb_lookup(const struct pl_fdb *f, const struct pl_fdb_key *k);
/*
 * Workers: n keys at once (n <= PL_FDB_BULK_MAX), out[i] the owner of
 * *keys[i] or PL_FDB_NONE; cheaper per frame than one by one (the hash
 * prefetches its buckets across the burst). Returns how many were found.
 */
#define PL_FDB_BULK_MAX 64
unsigned pl_fdb_lookup_bulk(const struct pl_fdb *f, const struct pl_fdb_key *const *keys,
			    unsigned n, uint32_t *out);
/*
 * Workers: a frame with source k came from peer (or, for frames from the
 * local port, whatever id the caller gives the local side) at now_ns.
 */
void pl_fdb_note(struct pl_fdb *f, const struct pl_fdb_key *k, uint32_t peer, uint64_t now_ns);

/*
 * Control, every loop: apply the queued learn requests (all of them) and
 * sweep part of the table for age. Returns the work done (requests
 * applied + entries aged), 0 when idle.
 */
unsigned pl_fdb_control(struct pl_fdb *f, uint64_t now_ns);
/* Control: sweep the whole table for age now. Returns entries aged. */
unsigned pl_fdb_age(struct pl_fdb *f, uint64_t now_ns);
/*
 * Control: at most per_peer entries per owner id below peers (0: no
 * limit, the default), so that one member sending from ever new MACs
 * cannot fill the table for the others. A new MAC, or a move, to a member
 * at its limit is refused and counted (peer_full); the entry, if any,
 * stays with its owner. Counts the entries there already. 0 or -ENOMEM.
 */
int pl_fdb_set_peer_limit(struct pl_fdb *f, uint32_t peers, uint32_t per_peer);
/* Control: remove peer's entries (a member left), or all with PL_FDB_NONE. */
void pl_fdb_flush(struct pl_fdb *f, uint32_t peer);

/*
 * Control: cb for each entry with its owner and time since last seen (0
 * when seen after now_ns). A nonzero return from cb stops the walk and is
 * returned; 0 after the last entry.
 */
typedef int pl_fdb_walk_fn(const struct pl_fdb_key *k, uint32_t peer, uint64_t age_ns, void *arg);
int pl_fdb_walk(const struct pl_fdb *f, uint64_t now_ns, pl_fdb_walk_fn *cb, void *arg);

/* Any thread; counters are read without locks (each is exact, the set is not a snapshot). */
void pl_fdb_stats(const struct pl_fdb *f, struct pl_fdb_stats *s);

/* A key from a MAC (6 bytes) and a VID; the padding zeroed. */
static inline void pl_fdb_key_set(struct pl_fdb_key *k, const uint8_t *mac, uint16_t vlan)
{
	for (int i = 0; i < 6; i++)
		k->mac[i] = mac[i];
	k->vlan = vlan & 0xfff;
}

/* Whether a source MAC may be learned: not a group address, not zero. */
static inline bool pl_fdb_learnable(const uint8_t *mac)
{
	return !(mac[0] & 1) && (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]);
}

#endif /* OMNI_PIPELINE_FDB_H */

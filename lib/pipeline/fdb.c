/* SPDX-License-Identifier: MIT */
/*
 * The FDB (fdb.h): an rte_hash (lock-free readers, one writer) whose data
 * is the owner's peer id + 1 (so a NULL data, which rte_hash_add_key would
 * publish, can never read as peer 0), a last-seen cell per hash position
 * that workers store into, and a control-private copy of each position's
 * key and owner for sweeping, flushing and walking without the hash
 * iterator (which a delete during the walk would upset).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring_elem.h>

#include "dp/log.h"
#include "allowedips.h"
#include "fdb.h"

static_assert(PL_FDB_NONE == PL_PEER_NONE, "one 'no peer' for routes and MACs");
static_assert(sizeof(struct pl_fdb_key) == 8, "the hashed key has no padding");
static_assert(PL_FDB_BULK_MAX <= RTE_HASH_LOOKUP_BULK_MAX, "one rte_hash bulk call");

enum {
	SWEEP_SLOTS = 256, /* positions aged per pl_fdb_control */
	DRAIN_BURST = 32,  /* learn requests dequeued at once */
	TOUCH_SHIFT = 6,   /* last-seen stored when older than age >> 6 */
	FULL_LOG_S = 10,   /* at most one "full" warning per this many seconds */
};

/* A learn request from a worker. */
struct learn_req {
	struct pl_fdb_key key;
	uint32_t peer;
	uint32_t pad;
};

/* What control keeps about one hash position. */
struct slot {
	struct pl_fdb_key key;
	uint32_t peer;
	bool used;
};

struct pl_fdb {
	struct rte_hash *h;
	struct rte_ring *q;
	uint64_t *seen;     /* per position; workers store (relaxed) */
	struct slot *slots; /* per position; control only */
	uint32_t cap;       /* hash positions */
	uint32_t size;      /* entries at most */
	uint32_t count;
	uint32_t cursor;   /* next position to sweep */
	uint64_t swept_ns; /* the last pl_fdb_control */
	uint64_t age_ns;
	uint64_t touch_ns;
	bool rcu;
	bool full_episode; /* warned, and no entry has gone since */
	uint64_t full_log_ns;
	uint64_t learned, moved, aged, flushed, full, peer_full; /* control writes */
	uint32_t *per_peer; /* entries per owner id below peers; NULL: no limit */
	uint32_t peers;
	uint32_t peer_max;
	/* workers write */
	uint64_t queue_full __rte_cache_aligned;
	uint64_t refused;
};

static inline void *owner_data(uint32_t peer)
{
	return (void *)((uintptr_t)peer + 1);
}

static inline uint32_t data_owner(void *d)
{
	return d ? (uint32_t)((uintptr_t)d - 1) : PL_FDB_NONE;
}

static void bump(uint64_t *c)
{
	__atomic_store_n(c, *c + 1, __ATOMIC_RELAXED);
}

static int make_hash(struct pl_fdb *f, const struct pl_fdb_conf *c)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = f->cap,
		.key_len = sizeof(struct pl_fdb_key),
		.hash_func = rte_jhash,
		.socket_id = c->socket,
		/* EXT_TABLE: any size entries fit, whatever the buckets. */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_NO_FREE_ON_DEL | RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct rte_hash_rcu_config rc = { .v = c->rcu, .mode = RTE_HASH_QSBR_MODE_DQ };

	snprintf(name, sizeof(name), "fdb_%s", c->name);
	f->h = rte_hash_create(&hp);
	if (!f->h)
		return -1;
	return c->rcu && rte_hash_rcu_qsbr_add(f->h, &rc) ? -1 : 0;
}

static int make_queue(struct pl_fdb *f, const struct pl_fdb_conf *c)
{
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), "fdbq_%s", c->name);
	f->q = rte_ring_create_elem(name, sizeof(struct learn_req),
				    c->queue ? c->queue : PL_FDB_QUEUE_DEFAULT, c->socket,
				    RING_F_SC_DEQ | RING_F_EXACT_SZ);
	return f->q ? 0 : -1;
}

static int make_arrays(struct pl_fdb *f, int socket)
{
	f->seen = rte_zmalloc_socket("fdb_seen", f->cap * sizeof(*f->seen), RTE_CACHE_LINE_SIZE,
				     socket);
	f->slots = rte_zmalloc_socket("fdb_slots", f->cap * sizeof(*f->slots), RTE_CACHE_LINE_SIZE,
				      socket);
	if (f->seen && f->slots)
		return 0;
	rte_errno = ENOMEM;
	return -1;
}

struct pl_fdb *pl_fdb_create(const struct pl_fdb_conf *c)
{
	struct pl_fdb *f;
	int err;

	if (!c || !c->name || !c->size || c->size > (1u << 24)) {
		rte_errno = EINVAL;
		return NULL;
	}
	f = rte_zmalloc_socket("fdb", sizeof(*f), RTE_CACHE_LINE_SIZE, c->socket);
	if (!f) {
		rte_errno = ENOMEM;
		return NULL;
	}
	f->size = c->size;
	/* Room beyond size for positions still waiting for their grace period. */
	f->cap = c->size + c->size / 4 + 8;
	f->age_ns = c->age_ns ? c->age_ns : PL_FDB_AGE_DEFAULT_NS;
	f->touch_ns = f->age_ns >> TOUCH_SHIFT;
	f->rcu = c->rcu != NULL;
	if (make_arrays(f, c->socket) == 0 && make_hash(f, c) == 0 && make_queue(f, c) == 0)
		return f;
	err = rte_errno;
	pl_fdb_free(f);
	rte_errno = err;
	return NULL;
}

void pl_fdb_free(struct pl_fdb *f)
{
	if (!f)
		return;
	rte_free(f->per_peer);
	rte_ring_free(f->q);
	rte_hash_free(f->h);
	rte_free(f->slots);
	rte_free(f->seen);
	rte_free(f);
}

uint32_t pl_fdb_lookup(const struct pl_fdb *f, const struct pl_fdb_key *k)
{
	void *d;

	if (rte_hash_lookup_data(f->h, k, &d) < 0)
		return PL_FDB_NONE;
	return data_owner(d);
}

unsigned pl_fdb_lookup_bulk(const struct pl_fdb *f, const struct pl_fdb_key *const *keys,
			    unsigned n, uint32_t *out)
{
	void *d[PL_FDB_BULK_MAX];
	uint64_t hits = 0;
	unsigned i;
	int found;

	if (n > PL_FDB_BULK_MAX)
		n = PL_FDB_BULK_MAX;
	found = n ? rte_hash_lookup_bulk_data(f->h, (const void **)keys, n, &hits, d) : 0;
	for (i = 0; i < n; i++)
		out[i] = hits >> i & 1 ? data_owner(d[i]) : PL_FDB_NONE;
	return found > 0 ? (unsigned)found : 0;
}

void pl_fdb_note(struct pl_fdb *f, const struct pl_fdb_key *k, uint32_t peer, uint64_t now_ns)
{
	struct learn_req r = { .key = *k, .peer = peer };
	uint64_t seen;
	void *d;
	int pos;

	if (!pl_fdb_learnable(k->mac) || peer == PL_FDB_NONE) {
		__atomic_fetch_add(&f->refused, 1, __ATOMIC_RELAXED);
		return;
	}
	pos = rte_hash_lookup_data(f->h, k, &d);
	if (pos >= 0 && data_owner(d) == peer) {
		seen = __atomic_load_n(&f->seen[pos], __ATOMIC_RELAXED);
		if (now_ns > seen && now_ns - seen >= f->touch_ns)
			__atomic_store_n(&f->seen[pos], now_ns, __ATOMIC_RELAXED);
		return;
	}
	if (rte_ring_mp_enqueue_elem(f->q, &r, sizeof(r)) != 0)
		__atomic_fetch_add(&f->queue_full, 1, __ATOMIC_RELAXED);
}

/* Moves one entry's share of the per-peer limit from old to new (either NONE). */
static void share(struct pl_fdb *f, uint32_t old, uint32_t new)
{
	if (!f->per_peer)
		return;
	if (old < f->peers)
		f->per_peer[old]--;
	if (new < f->peers)
		f->per_peer[new]++;
}

/* peer may not own one more entry. */
static bool peer_at_limit(const struct pl_fdb *f, uint32_t peer)
{
	return f->per_peer && peer < f->peers && f->per_peer[peer] >= f->peer_max;
}

static void remove_at(struct pl_fdb *f, uint32_t pos)
{
	struct slot *s = &f->slots[pos];
	int32_t r = rte_hash_del_key(f->h, &s->key);

	share(f, s->peer, PL_FDB_NONE);
	/* With rcu the hash frees the position after the grace period. */
	if (r >= 0 && !f->rcu)
		rte_hash_free_key_with_position(f->h, r);
	s->used = false;
	__atomic_store_n(&f->count, f->count - 1, __ATOMIC_RELAXED);
	f->full_episode = false;
}

static void refuse_full(struct pl_fdb *f, uint64_t now)
{
	bump(&f->full);
	if (f->full_episode ||
	    (f->full_log_ns && now - f->full_log_ns < FULL_LOG_S * 1000000000ull))
		return;
	f->full_episode = true;
	f->full_log_ns = now;
	DP_LOG(WARNING, "fdb full (%u entries): MACs not learned are flooded", f->size);
}

static void insert(struct pl_fdb *f, const struct learn_req *r, uint64_t now)
{
	int32_t pos;

	if (peer_at_limit(f, r->peer)) {
		bump(&f->peer_full);
		return;
	}
	if (f->count >= f->size || rte_hash_add_key_data(f->h, &r->key, owner_data(r->peer))) {
		refuse_full(f, now);
		return;
	}
	pos = rte_hash_lookup(f->h, &r->key);
	if (pos < 0 || (uint32_t)pos >= f->cap)
		return; /* cannot happen: the hash has cap positions */
	f->slots[pos] = (struct slot){ .key = r->key, .peer = r->peer, .used = true };
	share(f, PL_FDB_NONE, r->peer);
	__atomic_store_n(&f->seen[pos], now, __ATOMIC_RELAXED);
	__atomic_store_n(&f->count, f->count + 1, __ATOMIC_RELAXED);
	bump(&f->learned);
}

static void apply(struct pl_fdb *f, const struct learn_req *r, uint64_t now)
{
	int32_t pos = rte_hash_lookup(f->h, &r->key);

	if (pos < 0) {
		insert(f, r, now);
		return;
	}
	if (f->slots[pos].peer != r->peer) {
		if (peer_at_limit(f, r->peer)) {
			bump(&f->peer_full); /* stays with its owner, not refreshed */
			return;
		}
		/* One atomic store of the data: readers see old or new owner. */
		rte_hash_add_key_data(f->h, &r->key, owner_data(r->peer));
		share(f, f->slots[pos].peer, r->peer);
		f->slots[pos].peer = r->peer;
		bump(&f->moved);
	}
	__atomic_store_n(&f->seen[pos], now, __ATOMIC_RELAXED);
}

static unsigned drain(struct pl_fdb *f, uint64_t now)
{
	struct learn_req r[DRAIN_BURST];
	unsigned n, i, done = 0;

	do {
		n = rte_ring_sc_dequeue_burst_elem(f->q, r, sizeof(r[0]), DRAIN_BURST, NULL);
		for (i = 0; i < n; i++)
			apply(f, &r[i], now);
		done += n;
	} while (n == DRAIN_BURST);
	return done;
}

static bool expired(const struct pl_fdb *f, uint32_t pos, uint64_t now)
{
	uint64_t seen = __atomic_load_n(&f->seen[pos], __ATOMIC_RELAXED);

	return now > seen && now - seen > f->age_ns;
}

/* Ages n positions from the cursor on. */
static unsigned sweep(struct pl_fdb *f, uint64_t now, uint32_t n)
{
	unsigned aged = 0;

	while (n--) {
		uint32_t pos = f->cursor;

		f->cursor = pos + 1 == f->cap ? 0 : pos + 1;
		if (f->slots[pos].used && expired(f, pos, now)) {
			remove_at(f, pos);
			bump(&f->aged);
			aged++;
		}
	}
	return aged;
}

/*
 * Positions to sweep now: SWEEP_SLOTS, and more when calls are far apart,
 * so that the whole table is swept at least once per age/8 of time however
 * often control runs (at most the whole table at once).
 */
static uint32_t sweep_budget(struct pl_fdb *f, uint64_t now)
{
	uint64_t since = now > f->swept_ns ? now - f->swept_ns : 0;
	uint64_t n = SWEEP_SLOTS + f->cap * since / (f->age_ns / 8 + 1);

	f->swept_ns = now;
	return n < f->cap ? (uint32_t)n : f->cap;
}

unsigned pl_fdb_control(struct pl_fdb *f, uint64_t now_ns)
{
	unsigned done = drain(f, now_ns);
	uint32_t n = sweep_budget(f, now_ns);

	if (f->count)
		done += sweep(f, now_ns, n);
	return done;
}

unsigned pl_fdb_age(struct pl_fdb *f, uint64_t now_ns)
{
	return sweep(f, now_ns, f->cap);
}

int pl_fdb_set_peer_limit(struct pl_fdb *f, uint32_t peers, uint32_t per_peer)
{
	uint32_t *counts = NULL;

	if (per_peer && peers) {
		counts = rte_zmalloc("fdb_per_peer", peers * sizeof(*counts), 0);
		if (!counts)
			return -ENOMEM;
		for (uint32_t pos = 0; pos < f->cap; pos++)
			if (f->slots[pos].used && f->slots[pos].peer < peers)
				counts[f->slots[pos].peer]++;
	}
	rte_free(f->per_peer);
	f->per_peer = counts;
	f->peers = counts ? peers : 0;
	f->peer_max = per_peer;
	return 0;
}

void pl_fdb_flush(struct pl_fdb *f, uint32_t peer)
{
	for (uint32_t pos = 0; pos < f->cap; pos++) {
		if (!f->slots[pos].used || (peer != PL_FDB_NONE && f->slots[pos].peer != peer))
			continue;
		remove_at(f, pos);
		bump(&f->flushed);
	}
}

int pl_fdb_walk(const struct pl_fdb *f, uint64_t now_ns, pl_fdb_walk_fn *cb, void *arg)
{
	for (uint32_t pos = 0; pos < f->cap; pos++) {
		const struct slot *s = &f->slots[pos];
		uint64_t seen;
		int r;

		if (!s->used)
			continue;
		seen = __atomic_load_n(&f->seen[pos], __ATOMIC_RELAXED);
		r = cb(&s->key, s->peer, now_ns > seen ? now_ns - seen : 0, arg);
		if (r)
			return r;
	}
	return 0;
}

void pl_fdb_stats(const struct pl_fdb *f, struct pl_fdb_stats *s)
{
	s->entries = __atomic_load_n(&f->count, __ATOMIC_RELAXED);
	s->learned = __atomic_load_n(&f->learned, __ATOMIC_RELAXED);
	s->moved = __atomic_load_n(&f->moved, __ATOMIC_RELAXED);
	s->aged = __atomic_load_n(&f->aged, __ATOMIC_RELAXED);
	s->flushed = __atomic_load_n(&f->flushed, __ATOMIC_RELAXED);
	s->full = __atomic_load_n(&f->full, __ATOMIC_RELAXED);
	s->queue_full = __atomic_load_n(&f->queue_full, __ATOMIC_RELAXED);
	s->refused = __atomic_load_n(&f->refused, __ATOMIC_RELAXED);
	s->peer_full = __atomic_load_n(&f->peer_full, __ATOMIC_RELAXED);
}

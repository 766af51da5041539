/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include <sodium.h>

#include "sessions.h"

struct pl_sessions {
	struct rte_hash *by_index;
	struct rte_rcu_qsbr_dq *dq;
	struct pl_keypair *pool;
	struct pl_keypair *free_list;
	unsigned pool_size;
	unsigned published;
	pl_sessions_index_fn *index_hook;
	void *index_ctx;
};

/* What waits in the defer queue: the keypair and its hash slot. */
struct retired_entry {
	struct pl_keypair *kp;
	int32_t position;
};

static void pool_put(struct pl_sessions *s, struct pl_keypair *kp)
{
	wg_keypair_wipe(&kp->wg);
	kp->peer = NULL;
	kp->confirm_posted = 0;
	kp->free_next = s->free_list;
	s->free_list = kp;
}

/* Runs on the control lcore, from pl_sessions_reclaim, after the grace period. */
static void free_retired(void *p, void *e, unsigned int n)
{
	struct pl_sessions *s = p;
	struct retired_entry *r = e;
	unsigned int i;

	for (i = 0; i < n; i++) {
		rte_hash_free_key_with_position(s->by_index, r[i].position);
		pool_put(s, r[i].kp);
	}
}

static int make_tables(struct pl_sessions *s, const char *name, unsigned n,
		       struct rte_rcu_qsbr *rcu, int socket_id)
{
	char hname[RTE_HASH_NAMESIZE], qname[RTE_RCU_QSBR_DQ_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = hname,
		.entries = n < 8 ? 8 : n,
		.key_len = sizeof(uint32_t),
		.hash_func = rte_jhash,
		.socket_id = socket_id,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_NO_FREE_ON_DEL,
	};
	struct rte_rcu_qsbr_dq_parameters dp = {
		.name = qname,
		.flags = RTE_RCU_QSBR_DQ_MT_UNSAFE,
		.size = n,
		.esize = sizeof(struct retired_entry),
		.trigger_reclaim_limit = 0,
		.max_reclaim_size = 64,
		.free_fn = free_retired,
		.p = s,
		.v = rcu,
	};

	/* The hash seed: indices are ours and random, jhash's is fine. */
	snprintf(hname, sizeof(hname), "sess_%s", name);
	snprintf(qname, sizeof(qname), "sessdq_%s", name);
	s->by_index = rte_hash_create(&hp);
	if (!s->by_index)
		return -1;
	s->dq = rte_rcu_qsbr_dq_create(&dp);
	return s->dq ? 0 : -1;
}

struct pl_sessions *pl_sessions_create(const char *name, unsigned max_keypairs,
				       struct rte_rcu_qsbr *rcu, int socket_id)
{
	struct pl_sessions *s;
	unsigned i;
	int err;

	if (max_keypairs == 0 || !rcu) {
		rte_errno = EINVAL;
		return NULL;
	}
	s = rte_zmalloc_socket("sessions", sizeof(*s), 0, socket_id);
	if (!s)
		goto nomem;
	s->pool = rte_zmalloc_socket("keypairs", max_keypairs * sizeof(*s->pool),
				     RTE_CACHE_LINE_SIZE, socket_id);
	if (!s->pool)
		goto nomem;
	s->pool_size = max_keypairs;
	for (i = max_keypairs; i-- > 0;)
		pool_put(s, &s->pool[i]);
	if (make_tables(s, name, max_keypairs, rcu, socket_id) == 0)
		return s;
	err = rte_errno;
	pl_sessions_free(s);
	rte_errno = err;
	return NULL;
nomem:
	pl_sessions_free(s);
	rte_errno = ENOMEM;
	return NULL;
}

void pl_sessions_free(struct pl_sessions *s)
{
	if (!s)
		return;
	rte_rcu_qsbr_dq_delete(s->dq);
	rte_hash_free(s->by_index);
	if (s->pool)
		sodium_memzero(s->pool, s->pool_size * sizeof(*s->pool));
	rte_free(s->pool);
	rte_free(s);
}

struct pl_keypair *pl_sessions_keypair_alloc(struct pl_sessions *s)
{
	struct pl_keypair *kp = s->free_list;

	if (!kp) {
		pl_sessions_reclaim(s);
		kp = s->free_list;
		if (!kp)
			return NULL;
	}
	s->free_list = kp->free_next;
	kp->free_next = NULL;
	return kp;
}

int pl_sessions_publish(struct pl_sessions *s, struct pl_keypair *kp)
{
	uint32_t key = kp->wg.local_index;
	int ret;

	if (rte_hash_lookup(s->by_index, &key) >= 0)
		return -EEXIST;
	ret = rte_hash_add_key_data(s->by_index, &key, kp);
	if (ret != 0)
		return ret;
	s->published++;
	if (s->index_hook)
		s->index_hook(s->index_ctx, key, true);
	return 0;
}

void pl_sessions_retire(struct pl_sessions *s, struct pl_keypair *kp)
{
	struct retired_entry r = { .kp = kp };
	uint32_t key = kp->wg.local_index;
	void *cur = NULL;

	/* Only the entry that is kp: another keypair may own the index. */
	if (rte_hash_lookup_data(s->by_index, &key, &cur) < 0 || cur != kp) {
		pool_put(s, kp);
		return;
	}
	r.position = rte_hash_del_key(s->by_index, &key);
	if (r.position < 0) {
		pool_put(s, kp);
		return;
	}
	s->published--;
	if (s->index_hook)
		s->index_hook(s->index_ctx, key, false);
	/*
	 * Cannot fail: the queue holds as many entries as the pool has
	 * keypairs, and a keypair is in the queue at most once.
	 */
	rte_rcu_qsbr_dq_enqueue(s->dq, &r);
}

void pl_sessions_reclaim(struct pl_sessions *s)
{
	rte_rcu_qsbr_dq_reclaim(s->dq, 64, NULL, NULL, NULL);
}

void pl_sessions_set_index_hook(struct pl_sessions *s, pl_sessions_index_fn *fn, void *ctx)
{
	s->index_hook = fn;
	s->index_ctx = ctx;
}

unsigned pl_sessions_count(const struct pl_sessions *s)
{
	return s->published;
}

unsigned pl_sessions_lookup_bulk(const struct pl_sessions *s, const uint32_t *indices, unsigned n,
				 struct pl_keypair **out)
{
	const void *keys[RTE_HASH_LOOKUP_BULK_MAX];
	uint64_t hits = 0;
	unsigned i, done = 0, found = 0, chunk;

	while (done < n) {
		chunk = RTE_MIN(n - done, (unsigned)RTE_HASH_LOOKUP_BULK_MAX);
		for (i = 0; i < chunk; i++)
			keys[i] = &indices[done + i];
		found += (unsigned)rte_hash_lookup_bulk_data(s->by_index, keys, chunk, &hits,
							     (void **)&out[done]);
		for (i = 0; i < chunk; i++)
			if (!(hits & (1ULL << i)))
				out[done + i] = NULL;
		done += chunk;
	}
	return found;
}

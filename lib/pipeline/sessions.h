/* SPDX-License-Identifier: MIT */
/*
 * Sessions: receiver index -> keypair, for the workers, and the keypair
 * pool behind it.
 *
 * Writers: the control lcore only. Readers: any worker, lock-free
 * (rte_hash with RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF). A retired keypair
 * leaves the table at once, but its memory (and its hash slot) is reused
 * only after every reader has passed a quiescent state (rte_rcu_qsbr), so a
 * worker that found it a moment ago still reads valid keys.
 */
#ifndef OMNI_PIPELINE_SESSIONS_H
#define OMNI_PIPELINE_SESSIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "peer.h"

struct pl_sessions;
struct rte_rcu_qsbr;

/*
 * max_keypairs: pool size (3 per peer is the most alive, plus the ones
 * waiting for a grace period). rcu: the QSBR variable the workers report
 * to. NULL with rte_errno on failure.
 */
struct pl_sessions *pl_sessions_create(const char *name, unsigned max_keypairs,
				       struct rte_rcu_qsbr *rcu, int socket_id);
void pl_sessions_free(struct pl_sessions *s);

/* Control: a zeroed keypair from the pool, or NULL (pool exhausted). */
struct pl_keypair *pl_sessions_keypair_alloc(struct pl_sessions *s);
/* Control: make kp findable by kp->wg.local_index. 0, -EEXIST, -ENOSPC. */
int pl_sessions_publish(struct pl_sessions *s, struct pl_keypair *kp);
/*
 * Control: remove kp from the table; it is wiped and back in the pool after
 * the grace period. A kp never published is returned to the pool at once.
 */
void pl_sessions_retire(struct pl_sessions *s, struct pl_keypair *kp);
/* Control, every loop: finish what the grace period allows. */
void pl_sessions_reclaim(struct pl_sessions *s);
unsigned pl_sessions_count(const struct pl_sessions *s);

/*
 * Control: fn(ctx, index, true) after an index is published, fn(ctx,
 * index, false) after it left the table, so a copy of the live set (the
 * XDP program's map, xdp-fallback/loader.h) stays in step. NULL: none.
 */
typedef void pl_sessions_index_fn(void *ctx, uint32_t index, bool live);
void pl_sessions_set_index_hook(struct pl_sessions *s, pl_sessions_index_fn *fn, void *ctx);

/*
 * Workers: look up n indices (n <= 64); out[i] is the keypair or NULL.
 * Returns how many were found.
 */
unsigned pl_sessions_lookup_bulk(const struct pl_sessions *s, const uint32_t *indices, unsigned n,
				 struct pl_keypair **out);

#endif /* OMNI_PIPELINE_SESSIONS_H */

/* SPDX-License-Identifier: MIT */
/* Inside the nucleus: clusters, members, the change log (nucleus*.c only). */
#ifndef OMNI_SIGNALING_NUCLEUS_INT_H
#define OMNI_SIGNALING_NUCLEUS_INT_H

#include "codec.h"
#include "nucleus.h"
#include "replay.h"

struct wg_ratelimiter;

struct member {
	struct sig_peer peer; /* first: what peerset indexes; cand[0] observed */
	uint64_t last_seen;   /* ms */
	uint32_t lru_prev, lru_next;
	bool enc; /* its last message was encrypted */
};

struct logent {
	uint8_t change; /* enum sig_change */
	uint8_t pubkey[SIG_PUBKEY_LEN];
};

struct cluster {
	char name[SIG_CLUSTER_NAME_MAX + 1];
	struct sig_keys keys;
	struct sig_peerset members;
	uint32_t lru_head, lru_tail; /* oldest heartbeat first */
	uint64_t version;            /* of the last change */
	struct logent *log;          /* change of version v at log[v % SIG_LOG_MAX] */
	uint32_t n_members;          /* copy for other threads */
	struct sig_replay *replay;   /* its own: one cluster cannot fill another's */
	size_t page_max;             /* body bytes the ack being built may take */
};

struct sig_nucleus {
	struct cluster *clusters;
	size_t n_clusters;
	uint32_t epoch;
	uint32_t expiry_ms;
	struct wg_ratelimiter *rl; /* per source, after the HMAC; evicts when full */
	struct sig_nucleus_stats stats;
	/* The source of the message in hand, and (its address not verified)
	 * the largest answer it may get: its own length; 0: no bound. */
	const struct net_endpoint *reply_to;
	size_t reply_max;
	struct sig_msg rx, tx; /* scratch: large */
};

/* Relaxed atomic stores: another thread reads counters while we write. */
#define SIG_STORE(lv, v) __atomic_store_n(&(lv), (v), __ATOMIC_RELAXED)
#define SIG_COUNT(lv) SIG_STORE(lv, (lv) + 1)

static inline struct member *member_at(struct cluster *c, uint32_t i)
{
	return sig_peerset_rec(&c->members, i);
}

/* nucleus_members.c */
uint32_t sig_member_register(struct cluster *c, const struct sig_peer *own,
			     const struct net_endpoint *from, bool enc, uint64_t now);
/* Updates the observed address and last-seen of member i. */
void sig_member_touch(struct cluster *c, uint32_t i, const struct net_endpoint *from, bool enc,
		      uint64_t now);
/* Gone now: LEFT in the change log. */
void sig_member_remove(struct cluster *c, uint32_t i);
unsigned sig_members_expire(struct cluster *c, uint64_t now, uint32_t expiry_ms);
/* Fills a resync page from cursor (requester i excluded) at version v. */
void sig_page_resync(struct cluster *c, struct sig_ack *a, uint32_t cursor, uint32_t self);
/* Fills a delta page after version v, or returns false if v is not in the log. */
bool sig_page_delta(struct cluster *c, struct sig_ack *a, uint64_t v, uint32_t self);

#endif /* OMNI_SIGNALING_NUCLEUS_INT_H */

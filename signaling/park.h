/* SPDX-License-Identifier: MIT */
/*
 * Host packets parked while the nucleus is asked who has their
 * destination (a cluster address that no peer routes yet). A packet is an
 * opaque handle here (the edge's are rte_mbufs; signaling knows no DPDK).
 * Each waits for the answer about its target at most SIG_PARK_TTL_MS; at
 * most SIG_PARK_MAX are held at once, counting those whose action has not
 * been popped yet. Actions out, in the order the packets came:
 *
 *   RELEASE  the answer named a member: hand the packet to its peer;
 *   DROP     no such member, no answer in time, or stopping: free it.
 *
 * Pure: handles, targets and a clock in, actions out; the caller owns the
 * handles and frees what it is told to.
 *
 *   host packet to target: if (!sig_park_add(&k, m, &target, now_ms)) free m;
 *                          then ask the nucleus (sig_client_query)
 *   FOUND / NOT_FOUND:     sig_park_answer(&k, &target, found);
 *   every pass:            sig_park_tick(&k, now_ms);  (sig_park_next_tick)
 *   at stop:               sig_park_flush(&k);
 *   after each call:       while (sig_park_pop(&k, &a)) release or free a.handle;
 *
 * Single-threaded.
 */
#ifndef OMNI_SIGNALING_PARK_H
#define OMNI_SIGNALING_PARK_H

#include <stdbool.h>
#include <stdint.h>

#include "wire.h"

enum {
	SIG_PARK_MAX = 64,
	SIG_PARK_TTL_MS = 5000, /* a query's retries (client.h) fit in it */
};

enum sig_park_verdict { SIG_PARK_RELEASE = 1, SIG_PARK_DROP };

struct sig_park_action {
	enum sig_park_verdict verdict;
	void *handle;
	struct net_addr target; /* the address the packet is for */
};

struct sig_park_slot {
	void *handle;
	struct net_addr target;
	uint64_t until_ms; /* dropped after this time */
};

struct sig_park_stats {
	uint64_t parked;
	uint64_t full;      /* refused: SIG_PARK_MAX held */
	uint64_t released;  /* RELEASE actions */
	uint64_t not_found; /* DROP: the nucleus knows no such member */
	uint64_t expired;   /* DROP: no answer in time */
	uint64_t flushed;   /* DROP: at stop */
};

struct sig_park {
	struct sig_park_slot slot[SIG_PARK_MAX]; /* the oldest first */
	unsigned n_slot;
	struct sig_park_action act[SIG_PARK_MAX]; /* not popped yet */
	unsigned act_head, n_act;
	struct sig_park_stats stats;
};

void sig_park_init(struct sig_park *k);
/* Parks handle until target is answered. false: full or no address; the
 * caller keeps the handle (and drops the packet). */
bool sig_park_add(struct sig_park *k, void *handle, const struct net_addr *target, uint64_t now_ms);
/* The nucleus answered about target: RELEASE (found) or DROP (not found)
 * for each packet parked for it. */
void sig_park_answer(struct sig_park *k, const struct net_addr *target, bool found);
/* DROP for each packet whose time is up (now_ms past until_ms). */
void sig_park_tick(struct sig_park *k, uint64_t now_ms);
/* When sig_park_tick has something to do; UINT64_MAX: nothing parked. */
uint64_t sig_park_next_tick(const struct sig_park *k);
/* DROP for every packet parked. */
void sig_park_flush(struct sig_park *k);
bool sig_park_pop(struct sig_park *k, struct sig_park_action *a);

#endif /* OMNI_SIGNALING_PARK_H */

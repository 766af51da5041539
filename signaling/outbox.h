/* SPDX-License-Identifier: MIT */
/*
 * Datagrams waiting for their next hop. The edge sends signaling and STUN
 * from its listen port through the control lcore's UDP path, which answers
 * "not yet" while ARP/ND resolves the next hop (the first REGISTER after
 * start always meets this). Such a datagram is kept here and tried again on
 * every pass of the control loop until it goes out or SIG_OUTBOX_TTL_MS
 * have passed; at most SIG_OUTBOX_MAX wait at once, room for a REGISTER,
 * the STUN requests and a few initiations. Pure: no sockets, no clock of
 * its own; the caller sends.
 *
 *   if (!send(to, p, len))
 *       sig_outbox_put(&o, to, p, len, now_ms);
 *   every pass (sig_outbox_next_tick(&o) <= now_ms):
 *       n = sig_outbox_take(&o, items);
 *       for each of the n items: if (!send(item)) sig_outbox_put_back(&o, item, now_ms);
 *
 * Single-threaded.
 */
#ifndef OMNI_SIGNALING_OUTBOX_H
#define OMNI_SIGNALING_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

enum {
	SIG_OUTBOX_MAX = 8,
	SIG_OUTBOX_TTL_MS = 2000, /* ARP/ND gives up after about a second */
};

struct sig_outbox_item {
	struct net_endpoint to;
	uint64_t until_ms; /* tried for the last time at this time or later */
	size_t len;
	uint8_t buf[SIG_DATAGRAM_MAX];
};

struct sig_outbox_stats {
	uint64_t kept;    /* put */
	uint64_t full;    /* not kept: no room or too long */
	uint64_t expired; /* dropped when their time was up */
};

struct sig_outbox {
	struct sig_outbox_item item[SIG_OUTBOX_MAX]; /* oldest first */
	unsigned n;
	struct sig_outbox_stats stats;
};

void sig_outbox_init(struct sig_outbox *o);
/* A datagram the caller could not send now, kept until now_ms +
 * SIG_OUTBOX_TTL_MS. false: dropped (the outbox is full, or len is over
 * SIG_DATAGRAM_MAX). */
bool sig_outbox_put(struct sig_outbox *o, const struct net_endpoint *to, const void *p, size_t len,
		    uint64_t now_ms);
/* Moves every kept datagram, oldest first, to out for the caller to try
 * once; how many. The outbox is empty afterwards. */
unsigned sig_outbox_take(struct sig_outbox *o, struct sig_outbox_item out[SIG_OUTBOX_MAX]);
/* An item from sig_outbox_take that failed again: kept while now_ms <=
 * its until_ms, else dropped (false). */
bool sig_outbox_put_back(struct sig_outbox *o, const struct sig_outbox_item *it, uint64_t now_ms);
/* 0 while something waits (try on every pass), UINT64_MAX when empty. */
uint64_t sig_outbox_next_tick(const struct sig_outbox *o);

#endif /* OMNI_SIGNALING_OUTBOX_H */

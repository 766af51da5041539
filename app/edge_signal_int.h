/* SPDX-License-Identifier: MIT */
/*
 * Inside the edge's nucleus glue (edge_signal.h): the state it owns,
 * shared by edge_signal.c (the clock, sending, the loop),
 * edge_signal_peers.c (peers, punches, parked packets), edge_signal_start.c
 * (start and stop) and edge_signal_stats.c (counters).
 * The behaviour lives in the signaling/ state machines; these files turn
 * their actions into control calls and log lines.
 */
#ifndef OMNI_APP_EDGE_SIGNAL_INT_H
#define OMNI_APP_EDGE_SIGNAL_INT_H

#include <stddef.h>
#include <stdint.h>

#include "signaling/client.h"
#include "signaling/endpoint.h"
#include "signaling/outbox.h"
#include "signaling/park.h"
#include "signaling/punch.h"
#include "signaling/stun_client.h"
#include "wg/messages.h"

struct net_udp_view;
struct pl_peer;
struct omni_edge;
struct rte_mbuf;

struct omni_signal {
	struct sig_client *client;
	struct net_endpoint nucleus;
	char nucleus_text[NET_ENDPOINT_TEXT_MAX];
	struct sig_outbox outbox;
	struct sig_punch punch;
	struct sig_park park; /* handles are host rte_mbufs */
	struct sig_stun_client stun;
	uint8_t psk[WG_KEY_LEN]; /* cluster peers' preshared key */
	/* The one clock (docs/signaling.md, "The clock"). */
	uint32_t clock_scale;   /* dp.clock_scale, divided out */
	uint64_t now_ns;        /* the control loop's, as control wants it */
	uint64_t now_ms;        /* the same in real milliseconds */
	int64_t wall_offset_ms; /* Unix time minus now_ms */
	uint64_t wall_next_ms;  /* when to take the offset again */
	struct {
		uint64_t joined, left, moved, found, not_found, queries;
		uint64_t waiting_dropped, dropped_other;
	} stats;
};

/* edge_signal.c: the clock, sending, the client's queues. */

/* Takes the loop's now (the hooks' and poll's); real milliseconds in
 * s->now_ms, the wall clock's offset renewed when due. */
void omni_signal_clock(struct omni_signal *s, uint64_t now_ns);
/* Unix milliseconds for the nucleus protocol's timestamps. */
uint64_t omni_signal_wire_ms(const struct omni_signal *s);
/* Sends from the listen port, or keeps it in the outbox a moment while
 * the next hop is resolved. */
void omni_signal_send(struct omni_edge *e, const struct net_endpoint *to, const void *p,
		      size_t len);
/* Sends the client's datagrams and acts on its events; how many. */
unsigned omni_signal_drain(struct omni_edge *e);
void omni_signal_udp_hook(void *ctx, struct rte_mbuf *m, const struct net_udp_view *v,
			  uint64_t now);

/* edge_signal_peers.c: peers, punches, parked packets. */

void omni_signal_on_event(struct omni_edge *e, const struct sig_event *ev);
/* Later families due (Happy Eyeballs); initiations resent. */
unsigned omni_signal_punch_due(struct omni_edge *e);
/* Parked packets released to peer (NULL: none) or freed, as the park says. */
void omni_signal_park_act(struct omni_edge *e, struct pl_peer *peer);
void omni_signal_miss_hook(void *ctx, struct rte_mbuf *m, uint64_t now);

#endif /* OMNI_APP_EDGE_SIGNAL_INT_H */

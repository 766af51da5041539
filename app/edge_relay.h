/* SPDX-License-Identifier: MIT */
/*
 * The edge's relay (edge_relay.c): the TURN client of signaling/turn.h on
 * the control loop, and which peers go through it. Main lcore only, like
 * the rest of the nucleus glue (edge_signal.h).
 */
#ifndef OMNI_APP_EDGE_RELAY_H
#define OMNI_APP_EDGE_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "signaling/client.h"
#include "signaling/turn.h"
#include "wg/messages.h"

struct omni_edge;
struct pl_peer;

enum { OMNI_RELAY_PEERS = SIG_TURN_PEERS_MAX };

/* A member whose relayed address we know. */
struct omni_relay_peer {
	bool used;
	uint8_t key[WG_KEY_LEN];
	struct net_endpoint relayed; /* its allocation's address */
	uint16_t channel;            /* ours to it, once bound; 0: none */
	uint64_t try_at_ms;          /* bind then, if no session yet; 0: done */
	uint64_t use_at_ms;          /* the leader moves to the channel then; 0: done */
	unsigned tries;              /* initiations through the relay, this punch */
	uint64_t repunch_ms;         /* relayed: try the direct path again then */
	bool relayed_now;            /* the path last told */
};

struct omni_relay {
	struct sig_turn turn;
	struct omni_relay_peer p[OMNI_RELAY_PEERS];
	bool announce; /* a new relayed address for the nucleus */
	bool told_none, told_server;
	/* Our address as the nucleus saw it (REGISTERED) and as the TURN
	 * server does (its answer to our Binding): apart, our NAT maps per
	 * destination and no punch gets through it, so we allocate at once. */
	struct net_endpoint observed, mapped;
	bool probed, dependent;
	bool requery_all; /* allocated: every member without a session, now */
	uint64_t requery_ms;
	uint64_t unsent;
};

void omni_relay_init(struct omni_relay *r);
void omni_relay_fini(struct omni_relay *r);
/* REGISTERED, TURN_CRED and RELAY_INFO events of the client. */
void omni_relay_event(struct omni_edge *e, const struct sig_event *ev);
/* A datagram to our port: true when it was the TURN server's (taken). */
bool omni_relay_input(struct omni_edge *e, const struct net_endpoint *from, const uint8_t *p,
		      size_t len);
/* At a clean stop: the allocation deleted (its Refresh sent). */
void omni_relay_leave(struct omni_edge *e);
/* Timers, queued requests, paths; every poll of the nucleus glue. */
void omni_relay_poll(struct omni_edge *e);
/* Whether the member's path is through the relay now: its endpoint is
 * then the relay's, not a candidate's (install leaves it). */
bool omni_relay_holds(struct omni_edge *e, const uint8_t *key);

#endif /* OMNI_APP_EDGE_RELAY_H */

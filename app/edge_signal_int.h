/* SPDX-License-Identifier: MIT */
/*
 * Inside the edge's nucleus glue (edge_signal.h): the state it owns,
 * shared by edge_signal.c (the clock, the actions, the hooks),
 * edge_signal_start.c (start and stop) and edge_signal_stats.c (counters).
 * The behaviour lives in signaling/edge.h's state machine; these files turn
 * its actions into control calls and log lines.
 */
#ifndef OMNI_APP_EDGE_SIGNAL_INT_H
#define OMNI_APP_EDGE_SIGNAL_INT_H

#include <stdint.h>

#include "edge_relay.h"
#include "signaling/edge.h"
#include "signaling/endpoint.h"
#include "signaling/silence.h"
#include "wg/messages.h"

struct net_udp_view;
struct rte_mbuf;

struct omni_signal {
	struct sig_edge ed;
	char nucleus_text[NET_ENDPOINT_TEXT_MAX];
	uint8_t psk[WG_KEY_LEN]; /* cluster peers' preshared key */
	/* The one clock (docs/signaling.md, "The clock"). */
	uint32_t clock_scale; /* dp.clock_scale, divided out */
	uint64_t now_ns;      /* the control loop's, as control wants it */
	uint64_t now_ms;      /* the same in real milliseconds */
	/* The nucleus's silence, said with its likely causes (silence.h):
	 * the client's messages sent and accepted, as last seen. calloc'd:
	 * zero is sig_silence_init's state. */
	struct sig_silence silence;
	uint64_t tx_seen, rx_seen;
	/* Members staged since the last AllowedIPs rebuild (edge_signal.c). */
	unsigned staged;
	struct omni_relay relay; /* the TURN relay (edge_relay.c) */
	/* The nucleus says the cluster is of the other mode (l3/l2) than
	 * ours: its members are refused (docs/l2.md). */
	bool mode_refused;
};

/* edge_signal.c: the clock, the actions, control's hooks. */

/* Our WireGuard peer for a key, as sig_edge asks (ctx: the edge). */
enum sig_edge_peer omni_signal_peer(void *ctx, const uint8_t *pubkey);
void omni_signal_udp_hook(void *ctx, struct rte_mbuf *m, const struct net_udp_view *v,
			  uint64_t now);
void omni_signal_miss_hook(void *ctx, struct rte_mbuf *m, uint64_t now);

#endif /* OMNI_APP_EDGE_SIGNAL_INT_H */

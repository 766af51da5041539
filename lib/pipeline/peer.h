/* SPDX-License-Identifier: MIT */
/*
 * A peer as the data plane sees it, and the keypairs workers use.
 *
 * Threading: the control lcore is the only writer of everything marked
 * "control"; workers read the fields marked "workers" without locks and
 * write only the atomics marked "workers write". Retired keypairs are freed
 * only after an RCU grace period (sessions.h).
 */
#ifndef OMNI_PIPELINE_PEER_H
#define OMNI_PIPELINE_PEER_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_seqlock.h>

#include "net/addr.h"
#include "net/net.h"
#include "allowedips.h"
#include "wg/cookie.h"
#include "wg/keypair.h"
#include "wg/noise.h"
#include "wg/timers.h"

struct pl_peer;
struct rte_ring;

struct pl_keypair {
	struct pl_peer *peer;
	uint8_t confirm_posted;       /* workers write: asked control to promote */
	struct pl_keypair *free_next; /* control: pool free list */
	struct wg_keypair wg;         /* replay window: the receiving worker's */
} __rte_cache_aligned;

/* Where a peer is (net/addr.h's endpoint), and the MAC it was seen from. */
struct pl_endpoint {
	struct net_endpoint udp; /* udp.addr family NET_AF_NONE: unknown */
	uint16_t channel;        /* through the TURN relay (udp is the server): its
				  * ChannelData channel; 0: direct */
	struct net_mac via;      /* source MAC of the frame it came in: our next hop */
	bool have_via;
};

/* Outer headers towards one peer: immutable while workers may read it. */
struct pl_path {
	struct net_encap encap;
};

struct pl_peer {
	/* workers read */
	struct pl_keypair *tx; /* current keypair to send with, or NULL */
	struct pl_path *path;  /* outer headers, or NULL while unresolved */
	uint32_t id;
	rte_seqlock_t ep_lock; /* guards ep and roam */
	struct pl_endpoint ep; /* control writes */
	uint8_t roam_pending;
	struct pl_endpoint roam; /* workers write: newer source seen */
	/* L2 mode (l2.h): on the segment, and its VIP of the segment's family
	 * (the VXLAN destination). Control writes (member cleared first). */
	uint8_t l2_member;
	uint8_t l2_dst[16];

	/* workers write (relaxed atomics) */
	uint64_t last_rx_ns __rte_cache_aligned;
	uint64_t last_data_rx_ns;
	uint64_t last_tx_ns;
	uint64_t last_data_tx_ns;
	uint64_t rx_bytes;
	uint64_t tx_bytes;
	struct pl_keypair *confirm; /* a next keypair seen in use */
	uint8_t want_handshake;     /* packets staged, no usable key */
	uint64_t flood_tat;         /* L2: the flood limit's next due time (l2.c) */

	/* control */
	uint8_t public_key[WG_KEY_LEN] __rte_cache_aligned;
	struct wg_handshake hs;
	struct wg_cookie cookie;
	struct wg_timers timers;
	struct wg_keypairs kps;
	uint32_t hs_index;       /* index of the handshake in flight, 0 = none */
	struct rte_ring *staged; /* mbufs waiting for a session (MP/SC) */
	uint64_t seen_rx_ns, seen_data_rx_ns, seen_tx_ns, seen_data_tx_ns;
	uint64_t last_handshake_unix_ns;
	uint64_t handshakes;
	/* Two path slots: one published, the other reused only after a grace
	 * period (token from rte_rcu_qsbr_start). */
	struct pl_path path_slot[2];
	uint8_t path_cur;
	bool path_published;
	bool path_dirty;
	uint64_t path_token;
	bool in_use;               /* live: ticked, routable */
	struct net_prefix *routes; /* its AllowedIPs (heap) */
	uint8_t last_init[148];    /* the latest initiation (punching) */
	uint8_t last_init_ts[12];  /* its TAI64N timestamp: the next must be newer */
	uint32_t last_init_index;  /* its index (in flight while hs_index is it) */
	uint64_t punch_hold_ns;    /* no initiation of our own before: a punch runs */
	unsigned n_routes;
};

#endif /* OMNI_PIPELINE_PEER_H */

/* SPDX-License-Identifier: MIT */
/*
 * The state the workers share, and one worker's own. See docs/dataplane.md
 * for who writes what. A packet's way through lib/pipeline:
 *
 *  underlay RX --> classify (underlay_rx.c) --> not ours, broken: dropped
 *                   |                 |          (drop.h, a counter each)
 *                   | data            | handshake, ARP/ND for us,
 *                   v                 | signaling, STUN: tagged (tag.h)
 *    session by receiver index        |
 *    open: one AEAD call a burst      +--> to_control ring --> control lcore
 *    replay window; inner source           ^                   (control.c)
 *    in the peer's AllowedIPs              |                     |
 *    Ethernet header                       |                     | from_control
 *                   |                      |                     | ring: handshakes,
 *                   v                      |                     | ARP/ND, proxy
 *                host TX                   |                     | answers, staged
 *                                          |                     | data it sealed
 *  host RX --> route (host_rx.c) ----------+ ARP, NS, an         v
 *                   |                        address of the  a worker's TX
 *                   | peer by AllowedIPs     cluster no      queues (control's
 *                   v                        peer has        own: single lcore)
 *    no route: dropped; above MTU: ICMP back to host TX
 *    no keypair or path yet: peer->staged ring, control seals them later
 *    seal: one AEAD call a burst
 *    outer headers (the peer's path, built by control)
 *                   |
 *                   v
 *              underlay TX
 *
 * Workers also tell control of a peer seen at a new address (the roamed
 * ring) and of keypairs to promote or renew (atomics in peer.h). The
 * loops that run all this are in lcore.h.
 */
#ifndef OMNI_PIPELINE_DATAPLANE_H
#define OMNI_PIPELINE_DATAPLANE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>

#include "aead/aead.h"
#include "dp/idle.h"
#include "net/addr.h"
#include "net/net.h"

#include "allowedips.h"
#include "drop.h"
#include "peer.h"
#include "sessions.h"

struct rte_mbuf;
struct rte_ring;
struct rte_rcu_qsbr;

enum { PL_BURST = 32 };

struct pl_fdb;

/*
 * L2 fabric (docs/l2.md, l2.h): omni0 is a port of one Ethernet segment,
 * frames travel in VXLAN between the members' VIPs. Set up before the
 * workers start and never changed while they run; on false (L3 mode)
 * nothing of it is read.
 */
struct pl_l2 {
	bool on;
	uint32_t vni;
	struct net_addr vip;     /* ours: the VXLAN source; its family is the segment's */
	uint32_t frame_max;      /* largest frame from omni0, its Ethernet header included */
	uint64_t flood_gap_ns;   /* per member: one flooded frame a gap on average, */
	uint64_t flood_burst_ns; /* and bursts up to this far ahead (GCRA, l2.c) */
	struct pl_fdb *fdb;
};

struct pl_dataplane {
	struct pl_sessions *sessions;
	struct pl_allowedips *aips;    /* atomic pointer, control publishes */
	struct pl_peer *peers;         /* indexed by peer id, max_peers slots */
	unsigned max_peers;            /* workers: ids at or above are not peers */
	unsigned n_peers;              /* control: slots ever used (a watermark) */
	struct rte_ring *to_control;   /* MP/SC: mbufs for the control lcore */
	struct rte_ring *roamed;       /* MP/SC: ids of peers seen at a new address */
	struct rte_ring *from_control; /* SP/MC: frames control sends, m->port is
					 * the destination; NULL: control sends
					 * itself (single-lcore mode) */
	struct rte_rcu_qsbr *rcu;
	struct net_local local;         /* the underlay address and listen port */
	struct net_mac host_kernel_mac; /* omni0's MAC in the kernel */
	struct net_mac host_our_mac;    /* our MAC on the host link */
	uint32_t mtu;                   /* tunnel MTU (inner packets) */
	uint64_t tsc_hz;
	uint32_t clock_scale;     /* 1; tests speed the protocol clock up */
	struct dp_idle_conf idle; /* every polling lcore's back-off (lcore.h) */
	/* With a nucleus: signaling and STUN go to control, and host packets
	 * to an unknown address of the cluster's network (miss4/miss6) too,
	 * so control can ask the nucleus who has it. */
	bool other_udp_to_control;
	struct net_prefix miss4, miss6; /* host bits clear; len 0: none */
	/* The TURN relay (control writes it, pl_control_relay_set): workers
	 * unwrap ChannelData from it (and only from it) and hand the WireGuard
	 * message inside on as from that peer's channel. Family NONE: none. */
	rte_seqlock_t relay_lock;
	struct net_endpoint relay;
	struct pl_l2 l2;
	volatile bool quit;
};

/* Inside the cluster's VIP network, where the nucleus knows who is who
 * (a in network order; an unset network holds nothing). */
static inline bool pl_in_cluster(const struct pl_dataplane *dp, bool v4, const uint8_t *a)
{
	const struct net_prefix *p = v4 ? &dp->miss4 : &dp->miss6;

	return net_prefix_match(p->addr.b, p->len, a);
}

/* Per-lcore counters; summed when read. */
struct pl_lcore_stats {
	uint64_t rx_packets, rx_bytes; /* decrypted to the host */
	uint64_t tx_packets, tx_bytes; /* encrypted to the underlay */
	uint64_t to_control;
	uint64_t keepalives_rx; /* authenticated, empty: timers only */
	uint64_t staged;        /* host packets queued for a session */
	uint64_t bursts, polls, idle_polls;
	uint64_t idle_sleeps, idle_wakeups;     /* the lcore's dp_idle: slept, woken by a packet */
	uint64_t idle_rt_raises, idle_rt_drops; /* ... to SCHED_FIFO and back (wake priority) */
	/* L2 mode: frames to a member by the FDB, flooded copies (one a
	 * member), copies the flood limit refused, frames to omni0. */
	uint64_t l2_unicast, l2_flooded, l2_flood_limited, l2_to_host;
	uint64_t drops[PL_DROP_COUNT];
} __rte_cache_aligned;

struct dp_tapq;

struct pl_worker {
	struct pl_dataplane *dp;
	struct wg_aead *aead;
	uint16_t under_port, under_rxq, under_txq;
	uint16_t host_port, host_rxq, host_txq;
	struct dp_tapq *host_tapq; /* tap-gso host port: this queue's pump */
	int rx_fds[2];             /* kernel fds behind its rx queues, -1: none
				 * (dp_port_rx_fd): its idle sleeps wake on them */
	unsigned rcu_id;
	unsigned lcore;
	uint16_t ip_id;
	struct pl_lcore_stats stats;
} __rte_cache_aligned;

/* Monotonic ns from the TSC: the clock every part of the data plane uses. */
uint64_t pl_now_ns(const struct pl_dataplane *dp);

/* One pass over both RX queues; returns the packets handled (0 = idle). */
unsigned pl_worker_poll(struct pl_worker *w);

#endif /* OMNI_PIPELINE_DATAPLANE_H */

/* SPDX-License-Identifier: MIT */
/*
 * The control lcore: handshakes, timers, keypair installs, ARP/ND and
 * next-hop resolution, and what waits for a session. The only writer of
 * the tables the workers read (docs/dataplane.md). This is its API for the
 * application and tests; what its files share is in control_int.h.
 */
#ifndef OMNI_PIPELINE_CONTROL_H
#define OMNI_PIPELINE_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

#include "wg/cookie.h"
#include "wg/index.h"
#include "wg/noise.h"
#include "wg/ratelimiter.h"

#include "dataplane.h"

struct rte_mempool;

enum {
	PL_NEIGH_MAX = 64,
	/* Cookie replies per second, all sources together, and their burst:
	 * each is smaller than the message it answers (no amplification),
	 * and the budget bounds what a spoofed flood costs the control lcore. */
	PL_COOKIE_REPLY_RATE = 20000,
	PL_COOKIE_REPLY_BURST = 2000,
};

struct pl_neigh {
	struct net_addr addr;
	struct net_mac mac;
	bool valid;
	uint64_t asked_ns; /* last request sent */
};

/* Counters only control writes; read by metrics and the console. */
struct pl_control_stats {
	uint64_t handshakes_completed; /* omni_handshakes_completed_total */
	uint64_t initiations_sent, responses_sent, cookies_sent;
	uint64_t cookies_limited; /* cookie replies not sent: over PL_COOKIE_REPLY_RATE */
	uint64_t under_load;      /* times the handshake path went under load */
	uint64_t keepalives_sent;
	uint64_t handshake_refused[WG_RESULT_COUNT];
	uint64_t ratelimited; /* omni_sessions_dropped_ratelimit_total */
	uint64_t arp_replies, nd_replies, neigh_requests;
	uint64_t staged_sent, staged_dropped;
	/* This thread's CPU time (not wall time: a shared core's neighbours
	 * do not count) in initiations and responses past their MACs and
	 * rate limit: the Diffie-Hellman work, the keypair, the answer. Per
	 * handshake, what one core given to control sustains. */
	uint64_t handshake_cpu_ns;
	/* What control itself drops (drop.h): handshake_refused, ratelimit,
	 * no_mbuf; read like a worker's counters (relaxed, any thread). */
	uint64_t drops[PL_DROP_COUNT];
};

struct pl_control {
	struct pl_dataplane *dp;
	struct wg_static_identity id;
	struct wg_cookie_checker checker;
	struct wg_index_table *indices;
	struct wg_ratelimiter *ratelimit; /* new initiations per source IP */
	struct wg_aead *aead;
	struct rte_mempool *pool;
	uint16_t under_port, under_txq;
	uint16_t host_port, host_txq;
	unsigned rcu_id;
	bool is_reader;           /* single-lcore mode: also a worker */
	struct net_addr gw4, gw6; /* default next hops, or family NONE */
	uint8_t prefix4, prefix6; /* on-link prefix lengths of the underlay */
	struct pl_neigh neigh[PL_NEIGH_MAX];
	/*
	 * Set when the kernel owns the underlay's ARP/ND (our XDP program
	 * passes them to it, so replies never reach us): next hops come from
	 * its neighbour table. Returns 1 with *mac set when known, 0 when the
	 * kernel was asked to resolve (ask again later), <0 on error. NULL:
	 * control sends ARP/ND itself.
	 */
	/* UDP to our port that is not WireGuard (signaling, STUN), and host
	 * packets that route to no peer: the application's, on this lcore;
	 * each hook owns (frees) the mbuf. NULL: dropped. */
	void (*udp_hook)(void *ctx, struct rte_mbuf *m, const struct net_udp_view *v, uint64_t now);
	void (*miss_hook)(void *ctx, struct rte_mbuf *m, uint64_t now);
	void *hook_ctx;
	int (*kernel_neigh)(void *ctx, const struct net_addr *a, struct net_mac *mac);
	void *kernel_neigh_ctx;
	uint64_t next_tick_ns;
	/* Handshake load (control_hs.c): when it was last seen, and the
	 * budget of cookie replies (ns of refill banked). */
	uint64_t last_under_load_ns, cookie_tokens, cookie_last_ns;
	struct pl_allowedips *reserved; /* for the next commit (control_peers.h) */
	struct pl_allowedips *spare;    /* a retired table, emptied, to fill again */
	/* Ephemeral keys made in spare time (pl_control_idle), taken by
	 * id's handshakes; made once a store could not be had. */
	struct wg_ephemerals ephemerals;
	bool ephemerals_tried;
	struct pl_control_stats stats;
};

/*
 * Spare time (a pass that found nothing to do): one ephemeral key pair made
 * ahead for the next handshakes, up to PL_EPHEMERALS. Returns 1 when it
 * made one (some 30 us: count it as work), 0 when the store is full.
 */
unsigned pl_control_idle(struct pl_control *c);

/* Peers: install one from its public key, PSK (may be NULL), endpoint
 * (udp.addr family NONE when unknown) and keepalive. Control lcore only. */
int pl_control_peer_init(struct pl_control *c, struct pl_peer *peer, uint32_t id,
			 const uint8_t pub[WG_KEY_LEN], const uint8_t *psk,
			 const struct pl_endpoint *ep, uint16_t keepalive_s);

/* UDP from our address and port to dst: false while the next hop is being
 * resolved (the caller retries) or with no address of dst's family. */
bool pl_control_send_udp_addr(struct pl_control *c, const struct net_addr *dst, uint16_t port,
			      const void *msg, uint32_t len, uint64_t now);
/* The same with an IPv4 TTL / IPv6 hop limit of ttl (0: the default, 64). */
bool pl_control_send_udp_ttl(struct pl_control *c, const struct net_addr *dst, uint16_t port,
			     const void *msg, uint32_t len, uint8_t ttl, uint64_t now);
/* Punching: one new initiation sent to each candidate, with TTL ttl (0:
 * the default; a low one opens our NAT without reaching the peer's, see
 * docs/signaling.md); how many went out. The first to answer becomes the
 * peer's endpoint (roaming). */
unsigned pl_control_initiate_to(struct pl_control *c, struct pl_peer *peer,
				const struct net_endpoint *cands, unsigned n, uint8_t ttl,
				uint64_t now);
/* While a punch runs (until now + hold_ns), the peer's timers and data
 * start no initiation of their own: it would reach the other NAT before
 * that NAT was opened, which poisons a masquerade NAT's mapping. */
void pl_control_punch_hold(struct pl_peer *peer, uint64_t until_ns);
/* The same initiation again, to more candidates (Happy Eyeballs' later
 * family), while it is still in flight. */
unsigned pl_control_resend_initiation_to(struct pl_control *c, struct pl_peer *peer,
					 const struct net_endpoint *cands, unsigned n,
					 uint64_t now);

/* The TURN relay whose ChannelData the workers unwrap (family NONE: none).
 * Control lcore only. */
void pl_control_relay_set(struct pl_control *c, const struct net_endpoint *server);
/* The peer's path through the relay: to the server, in ChannelData of
 * channel (0: back to direct at ep). As roaming does, the first packet
 * the peer sends by another path moves it there. Control lcore only. */
void pl_control_peer_via(struct pl_control *c, struct pl_peer *peer, const struct net_endpoint *ep,
			 uint16_t channel, uint64_t now);

/* An initiation along the peer's path now (a punch hold ends), whatever
 * the timers say: a path that just changed (the relay) has had no try
 * yet. False when it could not go out. Control lcore only. */
bool pl_control_initiate_now(struct pl_control *c, struct pl_peer *peer, uint64_t now);

/* Stop a peer: keys retired, no more ticks (slot still held). */
void pl_control_peer_stop(struct pl_control *c, struct pl_peer *peer);
/* Free what a stopped peer holds, once no worker can reach it. */
void pl_control_peer_release(struct pl_control *c, struct pl_peer *peer);

/* wg(8)'s private-key change: a new static identity (and cookie keys);
 * every peer's sessions end and its handshake is prepared under the new
 * key. false, nothing changed, for an unusable key. Control lcore only. */
bool pl_control_set_identity(struct pl_control *c, const uint8_t priv[WG_KEY_LEN]);
/* A new listen port: the workers' classifier takes it at once, each
 * peer's outer headers are rebuilt (the peers follow on our next packet,
 * as WireGuard roams). Control lcore only. */
void pl_control_set_port(struct pl_control *c, uint16_t port, uint64_t now);

/* One pass at now (pl_now_ns, read once by the caller's loop): the
 * control ring, then (once per ms) every peer. */
unsigned pl_control_poll(struct pl_control *c, uint64_t now);

/* Wipe keys and free what the peers hold (at stop). */
void pl_control_fini(struct pl_control *c);

#endif /* OMNI_PIPELINE_CONTROL_H */

/* SPDX-License-Identifier: MIT */
/*
 * The edge's side of the cluster as one state machine: it owns the
 * signaling client (client.h), the outbox (outbox.h), the parked host
 * packets (park.h), the Happy Eyeballs punches (punch.h) and the STUN
 * timing (stun_client.h), and decides what goes to which of them and when
 * each runs. Pure like them: no DPDK, no sockets, no clock of its own, no
 * output; datagrams, host misses and a clock in, one queue of actions out.
 * The caller (the edge's control lcore) owns the port, the WireGuard
 * peers and the packets:
 *
 *   sig_edge_init(&ed, &conf, err, sizeof(err));
 *   every call below takes the loop's monotonic clock in real ms (now_ms);
 *   sig_edge_wall_due(&ed, now_ms):  sig_edge_wall(&ed, now_ms, Unix ms);
 *   a UDP datagram to our port, not WireGuard:  sig_edge_input(&ed, &from, p, len, now_ms);
 *   a host packet for a cluster address no peer has:
 *       if (!sig_edge_miss(&ed, m, &target, now_ms)) free m;
 *   every pass:  if (now_ms >= sig_edge_next_tick(&ed)) sig_edge_tick(&ed, now_ms);
 *   after every call:  while (sig_edge_pop(&ed, &a)) act on a (below);
 *   at a clean stop:  sig_edge_leave(&ed, now_ms), pop; at the end sig_edge_fini.
 *
 * Actions:
 *   SEND       send a.send.buf to a.send.to from our port; when that cannot
 *              be done yet (next hop unresolved) sig_edge_unsent(&ed, &a):
 *              the outbox offers it again on later ticks for SIG_OUTBOX_TTL_MS.
 *   EVENT      the client's event (client.h) for log lines and peers:
 *              JOINED / MOVED / FOUND / PUNCH install or update a.event.peer
 *              with endpoint a.cand[0] (its reachable candidates in the order
 *              to try them, sig_punch_order), LEFT removes it; never one
 *              about ourselves. A LEFT only a resync implies, for a peer
 *              with a live session, comes SIG_LINGER_MS later, and not at
 *              all if the member is heard of meanwhile (linger.h). Unusable candidates are gone already
 *              (a.n_bad_cand of them, counted). The caller checks the
 *              rest (admit.h) and reports a refusal: sig_edge_refused().
 *   REFLEXIVE  STUN gave a new reflexive address (a.reflexive.addr, from the
 *              server a.reflexive.from); the client registers it already.
 *   INITIATE   a PUNCH: when a.punch.hold_ms, no initiation of the peer's
 *              own (timers, data) for that long; when a.punch.n, a new
 *              handshake initiation to a.punch's candidates with TTL
 *              a.punch.ttl (0: the default), then sig_edge_initiated()
 *              with how many went out and the initiation (the unsent ones
 *              get it as SENDs). punch.h says who does what and when.
 *   RESEND     Happy Eyeballs' later family: the same initiation again.
 *   RELEASE    hand a.park.handle to the queue of a.park.pubkey's peer; if
 *              there is none, sig_edge_unreleased() and free the handle.
 *   DROP       free a.park.handle.
 *
 * The caller's peers are asked through conf.peer: a PUNCH is acted on only
 * for a peer installed by then, the leader's initiation and the later
 * family only while it has no session. A member joined or moved that has
 * no session is asked about (QUERY_PEER), so that the nucleus makes both
 * punch. Single-threaded.
 */
#ifndef OMNI_SIGNALING_EDGE_H
#define OMNI_SIGNALING_EDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "admit.h"
#include "client.h"
#include "linger.h"
#include "outbox.h"
#include "park.h"
#include "punch.h"
#include "stun_client.h"

enum {
	/* The wall clock is read again this often: the loop's clock and the
	 * wall clock (NTP-slewed) part by far less than SIG_TIME_WINDOW_MS
	 * in a minute, and a stepped wall clock shows on the wire within one. */
	SIG_EDGE_WALL_EVERY_MS = 60000,
};

/* The caller's WireGuard peer for a key, as the punches need to know it. */
enum sig_edge_peer {
	SIG_EDGE_PEER_NONE = 0, /* not installed */
	SIG_EDGE_PEER_WAITING,  /* installed, no session yet */
	SIG_EDGE_PEER_UP,       /* a session is up */
	/* A session is up through the relay: the punch still tries the
	 * direct path (its initiations are not suppressed as for UP). */
	SIG_EDGE_PEER_RELAYED,
};

struct sig_edge_conf {
	struct sig_client_conf client;
	struct sig_punch_conf punch;
	struct net_endpoint nucleus; /* signaling only from here */
	struct net_endpoint stun[SIG_STUN_SERVERS_MAX];
	unsigned n_stun;
	sig_random_fn random; /* STUN transaction ids (randombytes_buf) */
	enum sig_edge_peer (*peer)(void *ctx, const uint8_t *pubkey);
	void *ctx;
};

enum sig_edge_kind {
	SIG_EDGE_SEND = 1,
	SIG_EDGE_EVENT,
	SIG_EDGE_REFLEXIVE,
	SIG_EDGE_INITIATE,
	SIG_EDGE_RESEND,
	SIG_EDGE_RELEASE,
	SIG_EDGE_DROP,
};

struct sig_edge_action {
	enum sig_edge_kind kind;
	union {
		struct sig_outbox_item send; /* SEND: to, len, buf */
		struct {
			struct sig_event event;
			struct net_endpoint cand[SIG_CAND_MAX];
			unsigned n_cand;
			unsigned n_bad_cand;   /* dropped (sig_admit_cands) */
		};                             /* EVENT */
		struct sig_punch_action punch; /* INITIATE, RESEND */
		struct {
			void *handle;
			uint8_t pubkey[SIG_PUBKEY_LEN]; /* RELEASE */
		} park;                                 /* RELEASE, DROP */
		struct {
			struct net_endpoint addr, from;
		} reflexive; /* REFLEXIVE */
	};
	bool retry; /* SEND: from the outbox */
};

/* The counters behind "stats: sig_..." and /metrics. */
struct sig_edge_stats {
	uint64_t joined, left, moved, found, not_found;
	uint64_t queries;                  /* asked the nucleus about a target */
	uint64_t punch_asks;               /* asked it about a new member, for a PUNCH */
	uint64_t waiting_dropped;          /* host packets parked and dropped, or refused */
	uint64_t left_held;                /* LEFTs held for a live session (linger.h) */
	uint64_t dropped_other;            /* datagrams for none of the machines */
	uint64_t refused[SIG_ADMIT_COUNT]; /* events and candidates refused, by rule */
};

struct sig_edge {
	struct sig_client *client;
	struct sig_outbox outbox;
	struct sig_park park; /* handles are the caller's packets */
	struct sig_punch punch;
	struct sig_stun_client stun;
	struct net_endpoint nucleus;
	uint8_t self_key[SIG_PUBKEY_LEN];
	enum sig_edge_peer (*peer)(void *ctx, const uint8_t *pubkey);
	void *ctx;
	/* The clock: the latest now_ms, and Unix time minus it. */
	uint64_t now_ms, wall_next_ms;
	int64_t wall_offset_ms;
	/* Where pop stands (edge.c). */
	struct sig_outbox_item retry[SIG_OUTBOX_MAX]; /* taken at the tick */
	unsigned n_retry, next_retry;
	struct sig_peer punch_wait; /* a PUNCH popped, acted on at the next pop */
	bool punch_pending;
	uint8_t found_key[SIG_PUBKEY_LEN]; /* whose FOUND the RELEASEs follow */
	struct sig_outbox_item copy;       /* an initiation for the unsent */
	struct net_endpoint copy_to[SIG_CAND_MAX];
	unsigned n_copy, next_copy;
	bool reflexive_new;
	struct net_endpoint reflexive_from;
	struct sig_linger linger; /* members unlisted by a resync, sessions up */
	struct sig_edge_stats stats;
};

/* 0, or -1 with the reason in err (the client's). */
int sig_edge_init(struct sig_edge *ed, const struct sig_edge_conf *conf, char *err, size_t errlen);
/* Every handle still parked, or released and not popped, goes to drop(). */
void sig_edge_fini(struct sig_edge *ed, void (*drop)(void *handle));

/* Whether the wall clock should be read now (at the first call, then
 * every SIG_EDGE_WALL_EVERY_MS); sig_edge_wall gives the reading. */
bool sig_edge_wall_due(const struct sig_edge *ed, uint64_t now_ms);
void sig_edge_wall(struct sig_edge *ed, uint64_t now_ms, uint64_t unix_ms);
/* now_ms as Unix milliseconds, for the protocol's timestamps. */
uint64_t sig_edge_wire_ms(const struct sig_edge *ed, uint64_t now_ms);

/* A datagram from `from` that is not WireGuard: signaling from the nucleus
 * to the client, STUN from our servers to the STUN client; anything else
 * is counted in dropped_other. */
void sig_edge_input(struct sig_edge *ed, const struct net_endpoint *from, const uint8_t *p,
		    size_t len, uint64_t now_ms);
/* A host packet (handle) for target: parked and the nucleus asked. false:
 * not parked (no address, or no room: counted); the caller frees it. */
bool sig_edge_miss(struct sig_edge *ed, void *handle, const struct net_addr *target,
		   uint64_t now_ms);
void sig_edge_tick(struct sig_edge *ed, uint64_t now_ms);
/* When sig_edge_tick has something to do (0: now). */
uint64_t sig_edge_next_tick(const struct sig_edge *ed);
/* A new cluster secret: sig_client_set_secret (pop the REGISTER). */
int sig_edge_set_secret(struct sig_edge *ed, const char *secret, uint64_t now_ms, char *err,
			size_t errlen);
/* At a clean stop: a LEAVE for the nucleus (pop it). */
void sig_edge_leave(struct sig_edge *ed, uint64_t now_ms);

bool sig_edge_pop(struct sig_edge *ed, struct sig_edge_action *a);
/* A SEND that could not go out yet: kept in the outbox (a retry keeps its
 * time; past it, dropped). */
void sig_edge_unsent(struct sig_edge *ed, const struct sig_edge_action *a);
/* After an INITIATE: sent of its a->punch.n candidates got the initiation
 * (init, len); when not all, every candidate gets it again as a SEND (so a
 * next hop being resolved gets it from the outbox). */
void sig_edge_initiated(struct sig_edge *ed, const struct sig_edge_action *a, unsigned sent,
			const void *init, size_t len);
/* A RELEASE whose peer could not take the handle: counted as dropped. */
void sig_edge_unreleased(struct sig_edge *ed);
/* The caller refused EVENT a (admit.h's rule why): counted, and what the
 * event would still do is undone: no punch of a PUNCH, and the packets a
 * FOUND releases are dropped rather than given to a peer of that key. */
void sig_edge_refused(struct sig_edge *ed, const struct sig_edge_action *a, enum sig_admit why);

#endif /* OMNI_SIGNALING_EDGE_H */

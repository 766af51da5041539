/* SPDX-License-Identifier: MIT */
/*
 * The edge's signaling client as a pure state machine: no sockets, no
 * clock of its own. The caller (the edge's control lcore, or a tool) owns
 * one UDP socket/port shared with WireGuard and does this:
 *
 *   c = sig_client_create(&conf, err, sizeof(err));
 *   loop:
 *     datagram from the nucleus's address, sig_is_signaling(p, len):
 *         sig_client_input(c, p, len, now_ms);
 *     host wants an unknown VIP:
 *         peer = sig_client_lookup(c, SIG_BY_VIP4, vip);   // learned already?
 *         if (!peer) sig_client_query(c, &target, now_ms); // answer comes as an event
 *     STUN learned the reflexive address:
 *         sig_client_set_reflexive(c, &addr, now_ms);      // re-registers with it
 *     now_ms >= sig_client_next_tick(c):
 *         sig_client_tick(c, now_ms);
 *     after every call above, drain both queues:
 *         while ((len = sig_client_pop_datagram(c, buf, sizeof(buf)))) send buf to the nucleus;
 *         while (sig_client_pop_event(c, &ev)) act on ev (below);
 *
 * now_ms is Unix time in milliseconds (CLOCK_REALTIME): message timestamps
 * must be within a minute of the nucleus's clock. Only datagrams from the
 * nucleus's address should be passed in.
 *
 * Events: REGISTERED (the nucleus knows us; ev.observed is our address as it
 * sees it), LOST (the nucleus stopped answering, registering again),
 * JOINED / MOVED (install or update WireGuard peer ev.peer: key, VIPs,
 * candidates, with the cluster PSK, sig_cluster_psk), LEFT (remove
 * ev.peer.pubkey), FOUND / NOT_FOUND (the answer to a query for
 * ev.target; FOUND also installs ev.peer; NOT_FOUND with ev.timeout set
 * when the nucleus did not answer), PUNCH (start handshakes to every
 * candidate of ev.peer now: the peer does the same towards us).
 * Single-threaded.
 */
#ifndef OMNI_SIGNALING_CLIENT_H
#define OMNI_SIGNALING_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peerset.h"
#include "wire.h"

enum {
	SIG_CLIENT_QUERIES_MAX = 16, /* queries pending at once */
	SIG_CLIENT_RETRY_MS = 2000,  /* reply timeout; doubles for REGISTER */
	SIG_CLIENT_TRIES = 3,        /* heartbeat/query attempts */
	SIG_CLIENT_PEERS_DEFAULT = 1 << 16,
};

struct sig_client_conf {
	const char *cluster;
	const char *secret;             /* >= SIG_SECRET_MIN characters */
	uint8_t pubkey[SIG_PUBKEY_LEN]; /* our WireGuard public key */
	/* Its private key (copied, wiped at destroy): every message proves
	 * pubkey to the nucleus and every answer is checked to be the
	 * nucleus's (docs/signaling.md, "Identity"). NULL: no identity trailer
	 * (a nucleus serves that only with legacy_members; tools). */
	const uint8_t *private_key;
	/* The nucleus's public key, pinned (--nucleus-key); NULL: taken from
	 * its CHALLENGE at each registration. */
	const uint8_t *nucleus_key;
	uint8_t vip4[4], vip6[16];
	uint8_t vip_flags;            /* SIG_PEER_HAS_VIP4 | SIG_PEER_HAS_VIP6 */
	struct net_endpoint local[2]; /* local candidates (v4, v6) */
	unsigned n_local;
	bool encrypt;          /* encrypt_signaling */
	uint32_t heartbeat_ms; /* 0: SIG_HEARTBEAT_MS */
	uint32_t retry_ms;     /* 0: SIG_CLIENT_RETRY_MS */
	uint32_t max_peers;    /* 0: default */
};

enum sig_event_type {
	SIG_EV_REGISTERED = 1,
	SIG_EV_LOST,
	SIG_EV_JOINED,
	SIG_EV_MOVED,
	SIG_EV_LEFT,
	SIG_EV_FOUND,
	SIG_EV_NOT_FOUND,
	SIG_EV_PUNCH,
	SIG_EV_TURN_CRED,  /* the answer to sig_client_turn_ask: ev.cred */
	SIG_EV_RELAY_INFO, /* ev.relay: a member's relayed address, beside a PUNCH */
};

struct sig_event {
	enum sig_event_type type;
	struct sig_peer peer;         /* JOINED, MOVED, FOUND, PUNCH; LEFT: pubkey */
	struct net_addr target;       /* FOUND, NOT_FOUND */
	struct net_endpoint observed; /* REGISTERED */
	bool cluster_l2;              /* REGISTERED: the nucleus says L2 fabric */
	bool timeout;                 /* NOT_FOUND: no answer */
	/* LEFT: not said by the nucleus, but not listed by a resync (after a
	 * restart of the nucleus, maybe only not registered again yet). */
	bool stale;
	struct sig_turn_cred cred; /* TURN_CRED */
	struct sig_relay relay;    /* RELAY_INFO */
};

struct sig_client_stats {
	uint64_t rx[SIG_TYPE_COUNT], tx[SIG_TYPE_COUNT];
	uint64_t drops[SIG_DROP_COUNT];
};

struct sig_client;

/* NULL with the reason in err (a short secret says so). */
struct sig_client *sig_client_create(const struct sig_client_conf *conf, char *err, size_t errlen);
void sig_client_destroy(struct sig_client *c);

void sig_client_input(struct sig_client *c, const uint8_t *p, size_t len, uint64_t now_ms);
void sig_client_tick(struct sig_client *c, uint64_t now_ms);
/* When sig_client_tick wants to be called next (ms). */
uint64_t sig_client_next_tick(const struct sig_client *c);

/*
 * Ask the nucleus for the member with VIP/VIP6 target.
 * 0: asked (or will be once registered); -EALREADY: already pending;
 * -ENOSPC: SIG_CLIENT_QUERIES_MAX pending; -EINVAL: bad family.
 */
int sig_client_query(struct sig_client *c, const struct net_addr *target, uint64_t now_ms);

/* The STUN reflexive address (family NET_AF_NONE: none); re-registers if it changed. */
void sig_client_set_reflexive(struct sig_client *c, const struct net_endpoint *a, uint64_t now_ms);

/*
 * Ask the nucleus for TURN credentials (a TURN_ASK), saying our relayed
 * address (family NET_AF_NONE: none yet). The answer comes as
 * SIG_EV_TURN_CRED; a nucleus older than the relay does not answer (the
 * caller times out: signaling/turn.h). Asking also makes the nucleus send
 * RELAY_INFO beside later punches. -EAGAIN when not registered.
 */
int sig_client_turn_ask(struct sig_client *c, const struct net_endpoint *relayed, uint64_t now_ms);

/*
 * A new cluster secret (a rotation, docs/signaling.md): its keys from now
 * on, and a REGISTER under them at once; the peers learned stay. 1:
 * changed; 0: the same secret (nothing happens); -EINVAL with the reason
 * in err (nothing changes).
 */
int sig_client_set_secret(struct sig_client *c, const char *secret, uint64_t now_ms, char *err,
			  size_t errlen);

/* At a clean stop: a LEAVE for the nucleus (then drain the datagrams), so
 * the others hear at their next heartbeat instead of after the expiry. */
void sig_client_leave(struct sig_client *c, uint64_t now_ms);

/* Next datagram for the nucleus into buf: its length, 0 when none. */
size_t sig_client_pop_datagram(struct sig_client *c, uint8_t *buf, size_t cap);
bool sig_client_pop_event(struct sig_client *c, struct sig_event *ev);

/* A peer learned (from deltas, queries, punches), or NULL. */
const struct sig_peer *sig_client_lookup(const struct sig_client *c, enum sig_peerset_key by,
					 const uint8_t *key);
uint32_t sig_client_n_peers(const struct sig_client *c);
bool sig_client_registered(const struct sig_client *c);
const struct sig_client_stats *sig_client_stats(const struct sig_client *c);

#endif /* OMNI_SIGNALING_CLIENT_H */

/* SPDX-License-Identifier: MIT */
/*
 * The edge's TURN client (RFC 8656) as a pure state machine: one allocation
 * on the first server the nucleus named, a permission and a channel per
 * peer, their refreshes, and every error counted and retried. Datagrams and
 * a clock in, datagrams and events out; the STUN codec is stun.h's.
 *
 *   Allocate without credentials -> 401 with REALM and NONCE
 *   Allocate with USERNAME, REALM, NONCE, MESSAGE-INTEGRITY
 *        (long-term credential, key = MD5(username ":" realm ":" password))
 *   -> XOR-RELAYED-ADDRESS, LIFETIME: READY (event ALLOCATED)
 *   Refresh at lifetime - 60 s (half of it when shorter)
 *   per peer: CreatePermission (refreshed every 240 s: permissions last
 *        300 s, section 9) and ChannelBind (every 540 s: channels last
 *        600 s, section 12); the first ChannelBind success is event BOUND
 *   438 Stale Nonce: the new NONCE, the request again (twice at most)
 *   no answer: retransmitted after 500 ms, doubling, 5 times (RFC 5389 7.2.1)
 *   any other error or a request out of tries: counted and given as event
 *   ERROR (the code, 0 for no answer); an allocation that failed or was
 *   lost (Refresh refused: event LOST) is tried again after a back-off of
 *   1 s doubling to 60 s; a peer's request again after 5 s
 *
 * The credentials come from the nucleus (TURN_CRED, client.h): ask when
 * sig_turn_cred_due says so. Usage (control lcore, its monotonic clock):
 *
 *   sig_turn_init(&t, randombytes_buf);
 *   sig_turn_cred_due(&t, now_ms, unix_s): ask the nucleus (sig_client_turn_ask)
 *   a TURN_CRED:  sig_turn_set_cred(&t, &cred, now_ms);
 *   a STUN datagram from sig_turn_server(&t):  sig_turn_input(&t, p, len, now_ms);
 *   a peer to reach through the relay:  ch = sig_turn_peer_add(&t, &relayed, now_ms);
 *   now_ms >= sig_turn_next_tick(&t):  sig_turn_tick(&t, now_ms);
 *   after every call:  while (sig_turn_pop(&t, &a)) act on a;
 *
 * Single-threaded.
 */
#ifndef OMNI_SIGNALING_TURN_H
#define OMNI_SIGNALING_TURN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stun.h"
#include "stun_client.h"
#include "wire.h"

enum {
	SIG_TURN_PEERS_MAX = 64,
	SIG_TURN_CHANNEL_MIN = NET_TURN_CHANNEL_MIN, /* ours: 0x4000.. (net/wire.h) */
	SIG_TURN_LIFETIME_S = 600,                   /* when the server gives none */
	SIG_TURN_PERM_REFRESH_MS = 240 * 1000,
	SIG_TURN_BIND_REFRESH_MS = 540 * 1000,
	SIG_TURN_RTO_MS = 500,
	SIG_TURN_TRIES = 5,
	SIG_TURN_STALE_MAX = 2,
	SIG_TURN_BACKOFF_MIN_MS = 1000,
	SIG_TURN_BACKOFF_MAX_MS = 60 * 1000,
	SIG_TURN_PEER_RETRY_MS = 5000,
	/* Credentials: asked again this long before they expire, and while
	 * unanswered (an old nucleus) every 5 s doubling to 5 minutes. */
	SIG_TURN_CRED_MARGIN_S = 120,
	SIG_TURN_ASK_MIN_MS = 5000,
	SIG_TURN_ASK_MAX_MS = 300 * 1000,
	SIG_TURN_REQ_MAX = 512,
	SIG_TURN_OUT_MAX = 2 * SIG_TURN_PEERS_MAX + 8,
	SIG_TURN_TEXT_MAX = 128, /* REALM and NONCE kept: RFC 8489 says < 128 characters */
};

/* STUN methods of TURN (RFC 8656 section 18); class bits added below. */
enum sig_turn_method {
	SIG_TURN_BINDING = 0x001, /* STUN's: the probe of our mapping */
	SIG_TURN_ALLOCATE = 0x003,
	SIG_TURN_REFRESH = 0x004,
	SIG_TURN_PERMISSION = 0x008,
	SIG_TURN_CHANNEL_BIND = 0x009,
};

enum sig_turn_state {
	SIG_TURN_OFF = 0,    /* no credentials, or a nucleus with no relay */
	SIG_TURN_ALLOCATING, /* an Allocate in flight */
	SIG_TURN_READY,      /* allocated: relayed is ours */
	SIG_TURN_WAITING,    /* failed or lost; allocating again at retry_ms */
};

enum sig_turn_act_kind {
	SIG_TURN_SEND = 1,  /* a.buf (a.len) to a.to, from the WireGuard port */
	SIG_TURN_ALLOCATED, /* a.addr: our relayed address (new) */
	SIG_TURN_LOST,      /* the allocation is gone: every channel with it */
	SIG_TURN_BOUND,     /* a.addr's channel a.channel works now */
	SIG_TURN_ERROR,     /* a.method failed: a.code (0: no answer); counted */
	SIG_TURN_MAPPED,    /* a.addr: our address as the server sees it (probe) */
};

struct sig_turn_action {
	enum sig_turn_act_kind kind;
	struct net_endpoint to, addr;
	unsigned method, code;
	uint16_t channel;
	size_t len;
	uint8_t buf[SIG_TURN_REQ_MAX];
};

#define SIG_TURN_COUNTERS(X)                                             \
	X(allocations, "allocations") /* Allocate succeeded */           \
	X(refreshes, "refreshes")     /* Refresh succeeded */            \
	X(permissions, "permissions") /* CreatePermission */             \
	X(binds, "binds")             /* ChannelBind */                  \
	X(stale_nonce, "stale_nonce") /* 438, retried */                 \
	X(errors, "errors")           /* error responses, not 401/438 */ \
	X(timeouts, "timeouts")       /* requests out of tries */        \
	X(retransmits, "retransmits")                                    \
	X(lost, "lost")                 /* allocations lost */           \
	X(bad_response, "bad_response") /* unparsable, or integrity */   \
	X(unexpected, "unexpected")     /* no transaction of ours */     \
	X(cred_asks, "cred_asks")                                        \
	X(mapped, "mapped") /* Binding answered (sig_turn_probe) */

struct sig_turn_stats {
#define SIG_TURN_FIELD(f, name) uint64_t f;
	SIG_TURN_COUNTERS(SIG_TURN_FIELD)
#undef SIG_TURN_FIELD
};

struct sig_turn_txn {
	uint8_t txid[SIG_STUN_TXID_LEN];
	unsigned method; /* 0: free */
	int peer;        /* PERMISSION, CHANNEL_BIND: the peer's index */
	uint64_t deadline;
	unsigned tries, stale;
	bool authed;
	size_t len;
	uint8_t buf[SIG_TURN_REQ_MAX];
};

struct sig_turn_peer {
	struct net_endpoint addr; /* family NET_AF_NONE: free */
	bool permitted, bound;
	uint64_t perm_at, bind_at; /* next CreatePermission, ChannelBind */
};

struct sig_turn {
	sig_random_fn random;
	enum sig_turn_state state;
	struct sig_turn_cred cred; /* the allocation's; n_servers 0: none */
	struct sig_turn_cred next; /* newer, for the next Allocate */
	bool have_cred, have_next;
	bool wanted; /* allocate (sig_turn_want); credentials alone do not */
	uint64_t ask_at, ask_wait;
	char realm[SIG_TURN_TEXT_MAX], nonce[SIG_TURN_TEXT_MAX];
	uint8_t key[16]; /* MD5(username:realm:password); wiped */
	bool have_key;
	struct net_endpoint relayed, mapped;
	uint64_t refresh_at, retry_at, backoff;
	struct sig_turn_txn alloc;                   /* Allocate or Refresh */
	struct sig_turn_txn probe;                   /* Binding (sig_turn_probe) */
	struct sig_turn_txn ptx[SIG_TURN_PEERS_MAX]; /* one per peer */
	struct sig_turn_peer peer[SIG_TURN_PEERS_MAX];
	struct sig_turn_action out[SIG_TURN_OUT_MAX];
	unsigned out_head, out_n;
	struct sig_turn_stats stats;
};

void sig_turn_init(struct sig_turn *t, sig_random_fn random);
/* Wipes the credentials and the key. */
void sig_turn_fini(struct sig_turn *t);

/* Whether to ask the nucleus for credentials now (none, or they expire
 * within SIG_TURN_CRED_MARGIN_S); when true, the next ask is backed off. */
bool sig_turn_cred_due(struct sig_turn *t, uint64_t now_ms, uint64_t unix_s);
/* Credentials from the nucleus: the first server is used; none stops the
 * asking (this nucleus has no relay). Allocates when wanted (sig_turn_want)
 * unless READY (a new credential is used from the next Allocate on). */
void sig_turn_set_cred(struct sig_turn *t, const struct sig_turn_cred *c, uint64_t now_ms);

/* At a clean stop: a Refresh with LIFETIME 0 deletes the allocation (pop
 * and send it), so an edge started again on the same address and port is
 * not refused 437 (Allocation Mismatch) until it expires. */
void sig_turn_release(struct sig_turn *t, uint64_t now_ms);

/* Allocate once there are credentials (at once when there are): an edge
 * holds an allocation only once a peer needs one, so that edges whose
 * peers connect directly send nothing to the TURN server. */
void sig_turn_want(struct sig_turn *t, uint64_t now_ms);

/* A Binding request to the server (no credentials: any STUN server
 * answers it), sent once there are credentials: event MAPPED gives our
 * address as the server sees it. Compared with the one the nucleus saw, it
 * tells an endpoint-dependent ("symmetric") NAT before any punch fails. */
void sig_turn_probe(struct sig_turn *t, uint64_t now_ms);

/* The server's address (family NET_AF_NONE: none): the allocation's, or
 * without one the newest credential's, where the probe goes. */
const struct net_endpoint *sig_turn_server(const struct sig_turn *t);
/* A STUN datagram from the server. */
void sig_turn_input(struct sig_turn *t, const uint8_t *p, size_t len, uint64_t now_ms);
void sig_turn_tick(struct sig_turn *t, uint64_t now_ms);
uint64_t sig_turn_next_tick(const struct sig_turn *t);

/* A peer (its relayed address) to reach through our allocation: its
 * channel number (bound once BOUND comes), or -ENOSPC, -EINVAL. The same
 * address again gives the same channel. */
int sig_turn_peer_add(struct sig_turn *t, const struct net_endpoint *addr, uint64_t now_ms);
void sig_turn_peer_del(struct sig_turn *t, const struct net_endpoint *addr);
/* The peer on channel ch, or NULL (not ours, or not bound). */
const struct net_endpoint *sig_turn_channel_peer(const struct sig_turn *t, uint16_t ch);

bool sig_turn_pop(struct sig_turn *t, struct sig_turn_action *a);

/* "allocations", ... in the order of SIG_TURN_COUNTERS. */
extern const char *const sig_turn_counter_names[];
enum { SIG_TURN_COUNTER_COUNT = sizeof(struct sig_turn_stats) / sizeof(uint64_t) };

#endif /* OMNI_SIGNALING_TURN_H */

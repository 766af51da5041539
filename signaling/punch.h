/* SPDX-License-Identifier: MIT */
/*
 * Punching through NATs, with Happy Eyeballs (RFC 8305 section 5, applied
 * to a cluster member's candidate addresses). The nucleus sends a PUNCH
 * to both members at once; the two then take different parts, so that
 * the first packet to reach a NAT always finds that NAT already opened
 * from inside (docs/signaling.md, "NAT traversal", says why that is what
 * a Linux masquerade NAT needs):
 *
 *   the follower  opens its own NAT or firewall at once: an initiation
 *                 with a TTL of SIG_PUNCH_OPEN_TTL to the member's
 *                 public candidates, which leaves our NAT (making the
 *                 mapping) and dies at the next router, short of the
 *                 member's NAT; IPv4 ones only when we are behind a NAT;
 *   the leader    sends the real initiation SIG_PUNCH_LEAD_MS later, by
 *                 which time the follower's NAT is open, to every
 *                 candidate we can reach (a family our underlay has), unless
 *                 a session came up meanwhile.
 *
 * The leader is the side behind a NAT when only one is (its packet to a
 * public address always gets through, whatever its NAT), else the side
 * with the lower public key. Both hold their own initiations (timers,
 * data) for a while (hold_ms), so that none reaches the other NAT first
 * or crosses the leader's. With prefer_ipv6 and both families on offer,
 * the leader's initiation goes to the IPv6 candidates and the same
 * initiation to the IPv4 ones delay_ms later, unless a session came up
 * (the first family answered). Pure: candidates and a clock in, actions
 * out:
 *
 *   INITIATE  a new handshake initiation to these candidates, now, with
 *             TTL ttl (0: the default); and, when hold_ms, no initiation
 *             of the caller's own to the member for hold_ms (n may be 0:
 *             only the hold);
 *   RESEND    the same initiation again to these (the later family).
 *
 *   PUNCH event:     sig_punch_input(&p, &peer, now_ms);
 *   every pass:      sig_punch_tick(&p, now_ms, waiting, ctx);  (sig_punch_next_tick)
 *   after each call: while (sig_punch_pop(&p, &a)) act on a;
 *
 * sig_punch_self() (our key, our local candidates) once, and
 * sig_punch_observed() with the address the nucleus saw us at, tell
 * which side leads. waiting(ctx, pubkey) tells whether a later
 * initiation is still worth a try: the peer is still there and has no
 * session yet. At most SIG_PUNCH_LATER_MAX later actions wait at once;
 * more go unsent (counted). Single-threaded.
 */
#ifndef OMNI_SIGNALING_PUNCH_H
#define OMNI_SIGNALING_PUNCH_H

#include <stdbool.h>
#include <stdint.h>

#include "wire.h"

enum { SIG_FAMILY_4 = 1, SIG_FAMILY_6 = 2 }; /* our underlay's families, a mask */

enum {
	SIG_PUNCH_LATER_MAX = 16,
	SIG_PUNCH_OPEN_TTL = 2,   /* leaves a NAT next to us, dies at the router after it */
	SIG_PUNCH_LEAD_MS = 300,  /* the PUNCH reaches both sides within this of each other */
	SIG_PUNCH_GRACE_MS = 1000 /* the leader's handshake has this long to finish */
};

struct sig_punch_conf {
	unsigned families; /* SIG_FAMILY_4 | SIG_FAMILY_6: what we can reach */
	bool prefer_ipv6;
	uint32_t delay_ms; /* happy_eyeballs_delay_ms */
};

enum sig_punch_kind { SIG_PUNCH_INITIATE = 1, SIG_PUNCH_RESEND };

struct sig_punch_action {
	enum sig_punch_kind kind;
	uint8_t pubkey[SIG_PUBKEY_LEN];
	struct net_endpoint cand[SIG_CAND_MAX];
	unsigned n;
	uint8_t ttl;      /* INITIATE: 0 the default, else an opener's */
	uint32_t hold_ms; /* INITIATE: the caller's own initiations wait this long */
};

struct sig_punch_stats {
	uint64_t punches;    /* PUNCH notices with a usable candidate */
	uint64_t led;        /* of them, punches we led */
	uint64_t opened;     /* of them, punches we opened with a low TTL */
	uint64_t resends;    /* RESEND actions */
	uint64_t suppressed; /* later initiations not sent: a session was up */
	uint64_t later_full; /* later initiations not sent: no room */
};

struct sig_punch {
	struct sig_punch_conf conf;
	uint8_t self_key[SIG_PUBKEY_LEN];
	struct net_addr local4;    /* our own IPv4 address (local candidate) */
	struct net_addr observed4; /* where the nucleus saw it; unset: not yet */
	struct {
		struct sig_punch_action act; /* RESEND */
		uint64_t at_ms;
		bool used;
	} later[SIG_PUNCH_LATER_MAX];
	/* Unpopped actions: one INITIATE per input, a RESEND per later slot. */
	struct sig_punch_action q[SIG_PUNCH_LATER_MAX + 1];
	unsigned q_head, q_n;
	struct sig_punch_stats stats;
};

void sig_punch_init(struct sig_punch *p, const struct sig_punch_conf *conf);
/* Our public key and local candidates; the address the nucleus saw us at
 * (after each registration). */
void sig_punch_self(struct sig_punch *p, const uint8_t key[SIG_PUBKEY_LEN],
		    const struct net_endpoint *local, unsigned n_local);
void sig_punch_observed(struct sig_punch *p, const struct net_endpoint *observed);
/* We lead the punch with peer (above). */
bool sig_punch_leads(const struct sig_punch *p, const struct sig_peer *peer);

/*
 * peer's candidates we can reach, in the order to try them: the preferred
 * family (IPv6 with prefer_ipv6, else IPv4) first, each family in the
 * peer's order; *n_first of them are of the preferred family. How many.
 * The first is the endpoint a new peer starts with.
 */
unsigned sig_punch_order(const struct sig_punch_conf *conf, const struct sig_peer *peer,
			 struct net_endpoint out[SIG_CAND_MAX], unsigned *n_first);

/* A PUNCH for peer: the follower's INITIATE (an opener and a hold), or
 * the leader's (a hold), its INITIATE due at now_ms + SIG_PUNCH_LEAD_MS
 * and maybe a RESEND delay_ms after that. How many candidates the
 * leader's initiation goes to; 0: none usable (nothing done). */
unsigned sig_punch_input(struct sig_punch *p, const struct sig_peer *peer, uint64_t now_ms);
/* The later initiations due, where waiting() says so. */
void sig_punch_tick(struct sig_punch *p, uint64_t now_ms,
		    bool (*waiting)(void *ctx, const uint8_t *pubkey), void *ctx);
/* When a later family is due; UINT64_MAX: none waits. */
uint64_t sig_punch_next_tick(const struct sig_punch *p);
bool sig_punch_pop(struct sig_punch *p, struct sig_punch_action *a);

#endif /* OMNI_SIGNALING_PUNCH_H */

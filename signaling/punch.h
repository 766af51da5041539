/* SPDX-License-Identifier: MIT */
/*
 * Punching with Happy Eyeballs (RFC 8305 section 5, applied to a cluster
 * member's candidate addresses). A PUNCH notice from the nucleus means the
 * member starts handshakes towards us now; we answer with one initiation
 * to each of its candidates we can reach (a family our underlay has).
 * With prefer_ipv6 and both families on offer, the IPv6 candidates get a
 * new initiation at once and the IPv4 ones the same initiation delay_ms
 * later, unless a session came up meanwhile (the first family answered);
 * otherwise every candidate gets it at once, IPv4 first. Pure: candidates
 * and a clock in, actions out:
 *
 *   INITIATE  a new handshake initiation to these candidates, now;
 *   RESEND    the same initiation again to these (the later family).
 *
 *   PUNCH event:     sig_punch_input(&p, &peer, now_ms);
 *   every pass:      sig_punch_tick(&p, now_ms, waiting, ctx);  (sig_punch_next_tick)
 *   after each call: while (sig_punch_pop(&p, &a)) act on a;
 *
 * waiting(ctx, pubkey) tells whether the later family is still worth a
 * try: the peer is still there and has no session yet. At most
 * SIG_PUNCH_LATER_MAX later families wait at once; more go unsent (the
 * first family was tried). Single-threaded.
 */
#ifndef OMNI_SIGNALING_PUNCH_H
#define OMNI_SIGNALING_PUNCH_H

#include <stdbool.h>
#include <stdint.h>

#include "wire.h"

enum { SIG_FAMILY_4 = 1, SIG_FAMILY_6 = 2 }; /* our underlay's families, a mask */

enum { SIG_PUNCH_LATER_MAX = 16 };

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
};

struct sig_punch_stats {
	uint64_t punches;    /* PUNCH notices with a usable candidate */
	uint64_t resends;    /* RESEND actions */
	uint64_t suppressed; /* later families not sent: a session was up */
	uint64_t later_full; /* later families not sent: no room */
};

struct sig_punch {
	struct sig_punch_conf conf;
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

/*
 * peer's candidates we can reach, in the order to try them: the preferred
 * family (IPv6 with prefer_ipv6, else IPv4) first, each family in the
 * peer's order; *n_first of them are of the preferred family. How many.
 * The first is the endpoint a new peer starts with.
 */
unsigned sig_punch_order(const struct sig_punch_conf *conf, const struct sig_peer *peer,
			 struct net_endpoint out[SIG_CAND_MAX], unsigned *n_first);

/* A PUNCH for peer: an INITIATE, and maybe a RESEND due at now_ms +
 * delay_ms. How many candidates are tried; 0: none usable. */
unsigned sig_punch_input(struct sig_punch *p, const struct sig_peer *peer, uint64_t now_ms);
/* The later families due: a RESEND each, where waiting() says so. */
void sig_punch_tick(struct sig_punch *p, uint64_t now_ms,
		    bool (*waiting)(void *ctx, const uint8_t *pubkey), void *ctx);
/* When a later family is due; UINT64_MAX: none waits. */
uint64_t sig_punch_next_tick(const struct sig_punch *p);
bool sig_punch_pop(struct sig_punch *p, struct sig_punch_action *a);

#endif /* OMNI_SIGNALING_PUNCH_H */

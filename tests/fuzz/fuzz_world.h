/* SPDX-License-Identifier: MIT */
/*
 * A fixed, reproducible world for the libFuzzer targets and their seed
 * generator: two identities (initiator I, responder R), a finished session
 * between them, an initiation I has sent (so a response or cookie reply to
 * it can be consumed), and R's cookie checker with a secret already made.
 * libsodium's randombytes is replaced by a deterministic stream, reset for
 * every input, so a crash reproduces from its input alone.
 */
#ifndef WG_FUZZ_WORLD_H
#define WG_FUZZ_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aead/aead.h"
#include "wg/cookie.h"
#include "wg/keypair.h"
#include "wg/noise.h"

#define FUZZ_NOW (1000ULL * 1000000000ULL) /* the clock during every input */

struct fuzz_world {
	struct wg_static_identity id_i, id_r;
	struct wg_handshake hs_i;  /* CREATED_INITIATION: sent .init */
	struct wg_handshake hs_r;  /* fresh: R knows I */
	struct wg_cookie cookie_i; /* I's MACs toward R; mac1 of .init outstanding */
	struct wg_cookie cookie_r; /* R's MACs toward I */
	struct wg_cookie_checker checker_i, checker_r;
	struct wg_keypair kp_i, kp_r;  /* an earlier session */
	struct wg_msg_initiation init; /* valid, with mac1 and mac2 */
	struct wg_msg_response resp;   /* R's valid answer to .init */
	struct wg_msg_cookie reply;    /* R's valid cookie reply to .init */
	struct wg_aead *aead;
};

/* The source address every message is said to come from. */
extern const uint8_t fuzz_src[6];

/* Install the deterministic randombytes (before any sodium_init) and build w. */
void fuzz_world_build(struct fuzz_world *w);
/* Restart the random stream (call at the start of every input). */
void fuzz_random_reset(void);

/*
 * Feed one datagram through everything that accepts it. With fix_macs, mac1
 * (and mac2) of handshake messages are recomputed over the fuzzed bytes
 * first, so the Noise consumers are reached instead of stopping at mac1.
 */
void fuzz_one(const struct fuzz_world *w, const uint8_t *data, size_t size, bool fix_macs);

#endif /* WG_FUZZ_WORLD_H */

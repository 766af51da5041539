/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers of the lib/wg unit tests: deterministic identities, a peer
 * lookup, a whole handshake in one call, hex vectors, a fake clock and a
 * scripted libsodium randombytes for the known-answer tests.
 */
#ifndef WG_TEST_UTIL_H
#define WG_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wg/cookie.h"
#include "wg/keypair.h"
#include "wg/noise.h"

#define SEC(x) ((uint64_t)(x)*WG_NSEC_PER_SEC)
#define MSEC(x) ((uint64_t)(x)*1000000ULL)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* One end of a tunnel: who it is, and its state toward the other end. */
struct wgt_side {
	struct wg_static_identity id;
	struct wg_handshake hs;           /* handshake with the other side */
	struct wg_cookie cookie;          /* MACs of what we send to the other side */
	struct wg_cookie_checker checker; /* MACs of what arrives for us */
};

/* Peers a responder knows: the ctx of wgt_lookup. */
struct wgt_peers {
	struct wg_handshake *hs[4];
	unsigned n;
	unsigned calls;
};

/* Identity whose private key is bytes seed, seed+1, ... (clamped). */
void wgt_identity(struct wg_static_identity *id, uint8_t seed);
/* Two sides that know each other; psk_i/psk_r may be NULL. */
void wgt_pair(struct wgt_side *i, struct wgt_side *r, uint8_t seed_i, uint8_t seed_r,
	      const uint8_t *psk_i, const uint8_t *psk_r);
/* wg_peer_lookup_fn over a struct wgt_peers. */
struct wg_handshake *wgt_lookup(void *ctx, const uint8_t remote_static[WG_KEY_LEN]);

/*
 * Full handshake i -> r -> i at now_ns (initiation timestamp from now_ns as
 * a wall clock), MACs added and validated. Returns the first result that is
 * not WG_OK, or WG_OK with both keypairs derived.
 */
enum wg_result wgt_handshake(struct wgt_side *i, struct wgt_side *r, uint64_t now_ns,
			     struct wg_keypair *kp_i, struct wg_keypair *kp_r);

/* Decode hex (no spaces) into exactly len bytes; aborts on bad input. */
void wgt_hex(uint8_t *out, size_t len, const char *hex);

/*
 * Scripted randomness: after wgt_random_script(), libsodium's randombytes
 * returns these bytes in order (then real random bytes). Must be installed before the
 * first sodium_init() of the process: call wgt_random_install() first thing
 * in main.
 */
void wgt_random_install(void);
void wgt_random_script(const uint8_t *bytes, size_t len);

#endif /* WG_TEST_UTIL_H */

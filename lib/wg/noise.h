/* SPDX-License-Identifier: MIT */
/*
 * The WireGuard handshake: Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s.
 *
 *   IK:  <- s
 *        ...
 *        -> e, es, s, ss        (initiation: 148 bytes)
 *        <- e, ee, se, psk      (response:    92 bytes)
 *
 * Pure functions of their inputs: no sockets, no clock reads. The caller
 * passes the monotonic time (ns) and the TAI64N timestamp to put in an
 * initiation, allocates indices, and adds/validates the MACs with cookie.h.
 * Secrets are wiped on every exit path.
 */
#ifndef OMNI_WG_NOISE_H
#define OMNI_WG_NOISE_H

#include <stdbool.h>
#include <stdint.h>

#include "keypair.h"
#include "messages.h"
#include "result.h"

struct wg_ephemerals;

struct wg_static_identity {
	uint8_t private_key[WG_KEY_LEN];
	uint8_t public_key[WG_KEY_LEN];
	/* Where this identity's handshakes take ephemeral keys (NULL, or
	 * when empty: made on the spot). Not owned; init sets it NULL. */
	struct wg_ephemerals *ephemerals;
};

/*
 * Ephemeral key pairs made ahead of need. A responder's handshake is four
 * X25519 operations, and one of them (its ephemeral public key) does not
 * depend on the message: a loop with spare time makes them then, and a
 * burst of handshakes (a rekey wave) costs a quarter less each. Each pair
 * is used once and wiped as it is taken; the store is guarded, locked
 * memory (sodium_malloc), wiped when freed.
 */
struct wg_ephemeral {
	uint8_t private_key[WG_KEY_LEN];
	uint8_t public_key[WG_KEY_LEN];
};

struct wg_ephemerals {
	struct wg_ephemeral *keys;
	unsigned n, cap;
};

/* Room for cap pairs, none made yet; false when out of memory. */
bool wg_ephemerals_init(struct wg_ephemerals *e, unsigned cap);
/* Make one more pair unless full; true when one was made. */
bool wg_ephemerals_make_one(struct wg_ephemerals *e);
/* Take the newest pair into priv/pub; false when there is none. */
bool wg_ephemerals_take(struct wg_ephemerals *e, uint8_t priv[WG_KEY_LEN], uint8_t pub[WG_KEY_LEN]);
/* Wipe and free every pair. */
void wg_ephemerals_free(struct wg_ephemerals *e);

enum wg_handshake_state {
	WG_HS_ZEROED,
	WG_HS_CREATED_INITIATION,
	WG_HS_CONSUMED_INITIATION,
	WG_HS_CREATED_RESPONSE,
	WG_HS_CONSUMED_RESPONSE,
};

struct wg_handshake {
	enum wg_handshake_state state;
	const struct wg_static_identity *identity;
	uint8_t remote_static[WG_KEY_LEN];
	uint8_t precomputed_static_static[WG_KEY_LEN];
	uint8_t preshared_key[WG_KEY_LEN]; /* zeros when none */
	uint8_t ephemeral_private[WG_KEY_LEN];
	uint8_t remote_ephemeral[WG_KEY_LEN];
	uint8_t hash[WG_HASH_LEN];
	uint8_t chaining_key[WG_HASH_LEN];
	uint8_t latest_timestamp[WG_TIMESTAMP_LEN];
	uint64_t last_initiation_consumption_ns;
	bool have_consumed_initiation;
	uint32_t local_index;
	uint32_t remote_index;
	void *user; /* owner's back pointer (peer) */
};

/* Derive the public key; returns false if private_key is unusable. */
bool wg_identity_init(struct wg_static_identity *id, const uint8_t private_key[WG_KEY_LEN]);
void wg_identity_wipe(struct wg_static_identity *id);

/*
 * Prepare the handshake state of one peer. psk may be NULL. Returns WG_OK or
 * WG_BAD_DH when the remote static key gives an all-zero shared secret.
 */
enum wg_result wg_handshake_init(struct wg_handshake *hs, const struct wg_static_identity *id,
				 const uint8_t remote_static[WG_KEY_LEN],
				 const uint8_t psk[WG_KEY_LEN]);
/* Forget the ephemeral state (not the peer's identity, psk or timestamp). */
void wg_handshake_clear(struct wg_handshake *hs);
/* Wipe everything, including identity links and psk. */
void wg_handshake_wipe(struct wg_handshake *hs);

/* TAI64N label of a wall-clock time given in ns since the Unix epoch. */
void wg_tai64n(uint8_t out[WG_TIMESTAMP_LEN], uint64_t unix_ns);

/*
 * Initiator, step 1. Fills msg except macs (use wg_cookie_add_macs next).
 * local_index is the sender index the caller allocated for this handshake.
 */
enum wg_result wg_noise_create_initiation(struct wg_handshake *hs, struct wg_msg_initiation *msg,
					  const uint8_t timestamp[WG_TIMESTAMP_LEN],
					  uint32_t local_index);

/* Finds the handshake of the peer whose static public key this is, or NULL. */
typedef struct wg_handshake *(*wg_peer_lookup_fn)(void *ctx,
						  const uint8_t remote_static[WG_KEY_LEN]);

/*
 * Responder, step 1. Call after the MACs validated. On WG_OK *hs_out is the
 * peer's handshake, now in WG_HS_CONSUMED_INITIATION. Nothing in any
 * handshake changes unless the result is WG_OK. Refuses a timestamp not newer
 * than the last one accepted (WG_REPLAYED_TIMESTAMP) and initiations closer
 * together than 1/WG_INITIATIONS_PER_SECOND (WG_INITIATION_FLOOD).
 */
enum wg_result wg_noise_consume_initiation(const struct wg_msg_initiation *msg,
					   const struct wg_static_identity *id,
					   wg_peer_lookup_fn lookup, void *ctx, uint64_t now_ns,
					   struct wg_handshake **hs_out);

/* Responder, step 2. Fills msg except macs. */
enum wg_result wg_noise_create_response(struct wg_handshake *hs, struct wg_msg_response *msg,
					uint32_t local_index);

/*
 * Initiator, step 2. hs is the handshake the caller found by the message's
 * receiver_index. Call after the MACs validated. On WG_OK, hs is in
 * WG_HS_CONSUMED_RESPONSE.
 */
enum wg_result wg_noise_consume_response(const struct wg_msg_response *msg,
					 struct wg_handshake *hs);

/*
 * Derive the transport keypair from a finished handshake (initiator after
 * consuming the response, responder after creating it) and clear the
 * handshake's ephemeral state. Returns WG_BAD_STATE if hs is not finished.
 */
enum wg_result wg_noise_begin_session(struct wg_handshake *hs, struct wg_keypair *kp,
				      uint64_t now_ns);

#endif /* OMNI_WG_NOISE_H */

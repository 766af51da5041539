/* SPDX-License-Identifier: MIT */
/*
 * The symmetric primitives of the WireGuard handshake (paper, section 5.4):
 * HASH = BLAKE2s-256, MAC = keyed BLAKE2s-128, HMAC over BLAKE2s (RFC 2104,
 * 64-byte block), and KDF_n = HKDF (RFC 5869) with that HMAC.
 * Internal to lib/wg.
 */
#ifndef OMNI_WG_CRYPTO_H
#define OMNI_WG_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "messages.h"

enum { WG_BLAKE2S_BLOCK = 64 };

/* out = HASH(a || b); b may be NULL with b_len 0. */
void wg_hash2(uint8_t out[WG_HASH_LEN], const void *a, size_t a_len, const void *b, size_t b_len);
/* h = HASH(h || in): Noise's MixHash. */
void wg_mix_hash(uint8_t h[WG_HASH_LEN], const void *in, size_t len);
/* out = MAC(key, in), 16 bytes. */
void wg_mac(uint8_t out[WG_MAC_LEN], const uint8_t *key, size_t key_len, const void *in,
	    size_t len);
/* out = HMAC(key, in), 32 bytes. */
void wg_hmac(uint8_t out[WG_HASH_LEN], const uint8_t key[WG_HASH_LEN], const void *in, size_t len);
/*
 * HKDF from chaining key ck over input: t1 = HMAC(prk, 0x1),
 * t2 = HMAC(prk, t1 || 0x2), t3 = HMAC(prk, t2 || 0x3). Outputs that are
 * NULL are not computed.
 */
void wg_kdf(uint8_t t1[WG_HASH_LEN], uint8_t t2[WG_HASH_LEN], uint8_t t3[WG_HASH_LEN],
	    const uint8_t ck[WG_HASH_LEN], const void *input, size_t len);

/* ChaCha20-Poly1305 with a 64-bit counter nonce, for the handshake. */
void wg_aead_seal_small(uint8_t *dst, const void *src, size_t len, uint64_t counter,
			const uint8_t ad[WG_HASH_LEN], const uint8_t key[WG_KEY_LEN]);
/* Returns 0 or -1 if the tag does not verify. dst gets len - 16 bytes. */
int wg_aead_open_small(uint8_t *dst, const void *src, size_t len, uint64_t counter,
		       const uint8_t ad[WG_HASH_LEN], const uint8_t key[WG_KEY_LEN]);

/* DH; returns -1 when the result is all zero (low-order point). */
int wg_dh(uint8_t out[WG_KEY_LEN], const uint8_t priv[WG_KEY_LEN], const uint8_t pub[WG_KEY_LEN]);

#endif /* OMNI_WG_CRYPTO_H */

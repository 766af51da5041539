/* SPDX-License-Identifier: MIT */
#include <string.h>

#include <blake2.h>
#include <sodium.h>

#include "crypto.h"

void wg_hash2(uint8_t out[WG_HASH_LEN], const void *a, size_t a_len, const void *b, size_t b_len)
{
	blake2s_state s;

	blake2s_init(&s, WG_HASH_LEN);
	blake2s_update(&s, a, a_len);
	if (b_len)
		blake2s_update(&s, b, b_len);
	blake2s_final(&s, out, WG_HASH_LEN);
	sodium_memzero(&s, sizeof(s));
}

void wg_mix_hash(uint8_t h[WG_HASH_LEN], const void *in, size_t len)
{
	uint8_t prev[WG_HASH_LEN];

	memcpy(prev, h, WG_HASH_LEN);
	wg_hash2(h, prev, WG_HASH_LEN, in, len);
	sodium_memzero(prev, sizeof(prev));
}

void wg_mac(uint8_t out[WG_MAC_LEN], const uint8_t *key, size_t key_len, const void *in, size_t len)
{
	blake2s(out, in, key, WG_MAC_LEN, len, key_len);
}

void wg_hmac(uint8_t out[WG_HASH_LEN], const uint8_t key[WG_HASH_LEN], const void *in, size_t len)
{
	uint8_t pad[WG_BLAKE2S_BLOCK];
	uint8_t inner[WG_HASH_LEN];
	blake2s_state s;
	int i;

	/* Keys are 32 bytes, shorter than the block: zero-extend, no hashing. */
	memset(pad, 0, sizeof(pad));
	memcpy(pad, key, WG_HASH_LEN);
	for (i = 0; i < WG_BLAKE2S_BLOCK; i++)
		pad[i] ^= 0x36;
	blake2s_init(&s, WG_HASH_LEN);
	blake2s_update(&s, pad, sizeof(pad));
	blake2s_update(&s, in, len);
	blake2s_final(&s, inner, WG_HASH_LEN);

	for (i = 0; i < WG_BLAKE2S_BLOCK; i++)
		pad[i] ^= 0x36 ^ 0x5c;
	blake2s_init(&s, WG_HASH_LEN);
	blake2s_update(&s, pad, sizeof(pad));
	blake2s_update(&s, inner, sizeof(inner));
	blake2s_final(&s, out, WG_HASH_LEN);

	sodium_memzero(pad, sizeof(pad));
	sodium_memzero(inner, sizeof(inner));
	sodium_memzero(&s, sizeof(s));
}

void wg_kdf(uint8_t t1[WG_HASH_LEN], uint8_t t2[WG_HASH_LEN], uint8_t t3[WG_HASH_LEN],
	    const uint8_t ck[WG_HASH_LEN], const void *input, size_t len)
{
	uint8_t prk[WG_HASH_LEN];
	uint8_t buf[WG_HASH_LEN + 1];
	uint8_t out[WG_HASH_LEN];

	wg_hmac(prk, ck, input, len);

	buf[0] = 1;
	wg_hmac(out, prk, buf, 1);
	if (t1)
		memcpy(t1, out, WG_HASH_LEN);
	if (t2 || t3) {
		memcpy(buf, out, WG_HASH_LEN);
		buf[WG_HASH_LEN] = 2;
		wg_hmac(out, prk, buf, sizeof(buf));
		if (t2)
			memcpy(t2, out, WG_HASH_LEN);
	}
	if (t3) {
		memcpy(buf, out, WG_HASH_LEN);
		buf[WG_HASH_LEN] = 3;
		wg_hmac(t3, prk, buf, sizeof(buf));
	}
	sodium_memzero(prk, sizeof(prk));
	sodium_memzero(buf, sizeof(buf));
	sodium_memzero(out, sizeof(out));
}

static void nonce_of(uint8_t nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES], uint64_t counter)
{
	int i;

	memset(nonce, 0, 4);
	for (i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(counter >> (8 * i));
}

void wg_aead_seal_small(uint8_t *dst, const void *src, size_t len, uint64_t counter,
			const uint8_t ad[WG_HASH_LEN], const uint8_t key[WG_KEY_LEN])
{
	uint8_t nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES];

	nonce_of(nonce, counter);
	crypto_aead_chacha20poly1305_ietf_encrypt(dst, NULL, src, len, ad, WG_HASH_LEN, NULL, nonce,
						  key);
}

int wg_aead_open_small(uint8_t *dst, const void *src, size_t len, uint64_t counter,
		       const uint8_t ad[WG_HASH_LEN], const uint8_t key[WG_KEY_LEN])
{
	uint8_t nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES];

	nonce_of(nonce, counter);
	return crypto_aead_chacha20poly1305_ietf_decrypt(dst, NULL, NULL, src, len, ad, WG_HASH_LEN,
							 nonce, key);
}

int wg_dh(uint8_t out[WG_KEY_LEN], const uint8_t priv[WG_KEY_LEN], const uint8_t pub[WG_KEY_LEN])
{
	/* libsodium refuses an all-zero result (a low-order public key). */
	if (crypto_scalarmult_curve25519(out, priv, pub) != 0) {
		sodium_memzero(out, WG_KEY_LEN);
		return -1;
	}
	return 0;
}

/* SPDX-License-Identifier: MIT */
#include <string.h>

#include <sodium.h>

#include "key.h"

void wg_key_to_base64(char out[WG_KEY_B64_LEN + 1], const uint8_t key[WG_KEY_LEN])
{
	sodium_bin2base64(out, WG_KEY_B64_LEN + 1, key, WG_KEY_LEN, sodium_base64_VARIANT_ORIGINAL);
}

bool wg_key_from_base64(uint8_t key[WG_KEY_LEN], const char *b64)
{
	size_t bin_len = 0;
	const char *end = NULL;

	if (strlen(b64) != WG_KEY_B64_LEN || b64[WG_KEY_B64_LEN - 1] != '=')
		return false;
	if (sodium_base642bin(key, WG_KEY_LEN, b64, WG_KEY_B64_LEN, NULL, &bin_len, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    bin_len != WG_KEY_LEN || end != b64 + WG_KEY_B64_LEN) {
		sodium_memzero(key, WG_KEY_LEN);
		return false;
	}
	return true;
}

void wg_key_generate_private(uint8_t key[WG_KEY_LEN])
{
	randombytes_buf(key, WG_KEY_LEN);
	key[0] &= 248;
	key[31] = (key[31] & 127) | 64;
}

bool wg_key_public(uint8_t pub[WG_KEY_LEN], const uint8_t priv[WG_KEY_LEN])
{
	return crypto_scalarmult_curve25519_base(pub, priv) == 0;
}

/* SPDX-License-Identifier: MIT */
/* Curve25519 keys in the base64 text form `wg genkey` and `wg pubkey` use. */
#ifndef OMNI_WG_KEY_H
#define OMNI_WG_KEY_H

#include <stdbool.h>
#include <stdint.h>

#include "messages.h"

enum { WG_KEY_B64_LEN = 44 }; /* 43 characters + '=' */

/* out gets 44 characters and a NUL. */
void wg_key_to_base64(char out[WG_KEY_B64_LEN + 1], const uint8_t key[WG_KEY_LEN]);
/* Exactly 44 characters of standard base64 ending in '='; false otherwise. */
bool wg_key_from_base64(uint8_t key[WG_KEY_LEN], const char *b64);
/* New random private key, clamped as `wg genkey` clamps it. */
void wg_key_generate_private(uint8_t key[WG_KEY_LEN]);
/* Public key of a private key; false if it is unusable. */
bool wg_key_public(uint8_t pub[WG_KEY_LEN], const uint8_t priv[WG_KEY_LEN]);

#endif /* OMNI_WG_KEY_H */

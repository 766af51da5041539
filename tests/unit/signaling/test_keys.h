/* SPDX-License-Identifier: MIT */
/* A member's X25519 key pair for the signaling tests (identity-bound
 * membership needs the private half). */
#ifndef OMNI_TEST_SIG_KEYS_H
#define OMNI_TEST_SIG_KEYS_H

#include <stdint.h>

#include <sodium.h>

/* A fresh pair; first >= 0: one whose public key starts with that byte
 * (tests that order members by key). */
static inline void test_keypair(uint8_t priv[32], uint8_t pub[32], int first)
{
	do {
		randombytes_buf(priv, 32);
		crypto_scalarmult_base(pub, priv);
	} while (first >= 0 && pub[0] != (uint8_t)first);
}

#endif /* OMNI_TEST_SIG_KEYS_H */

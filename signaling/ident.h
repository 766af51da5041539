/* SPDX-License-Identifier: MIT */
/*
 * Member identity (docs/signaling.md, "Identity"): the key a member and the
 * nucleus share, X25519(member private, nucleus public) =
 * X25519(nucleus private, member public), made into a MAC key, and the MAC
 * of the identity trailer (SIG_FLAG_ID) under it. A holder of the cluster
 * secret who lacks the member's private key (or the nucleus's) cannot make
 * it. lib/wg's primitives: X25519, HMAC-BLAKE2s, keyed BLAKE2s-128.
 */
#ifndef OMNI_SIGNALING_IDENT_H
#define OMNI_SIGNALING_IDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/*
 * out = HMAC-BLAKE2s(X25519(priv, pub), label || member || nucleus): the
 * identity key of member `member` at nucleus `nucleus` (one of them is
 * pub, the other priv's). 0, or -1 when pub is a low-order point (out
 * zeroed). The caller wipes out.
 */
int sig_ident_key(uint8_t out[SIG_KEY_LEN], const uint8_t priv[SIG_PUBKEY_LEN],
		  const uint8_t pub[SIG_PUBKEY_LEN], const uint8_t member[SIG_PUBKEY_LEN],
		  const uint8_t nucleus[SIG_PUBKEY_LEN]);

/* The MAC of the identity trailer: keyed BLAKE2s-128 over p[0 .. len). */
void sig_ident_mac(uint8_t out[SIG_ID_MAC_LEN], const uint8_t key[SIG_KEY_LEN], const uint8_t *p,
		   size_t len);

/*
 * Does the identity trailer of datagram p (decoded by sig_decode with
 * m->id set, so its layout is known good) verify under key? Constant time.
 */
bool sig_ident_verify(const uint8_t key[SIG_KEY_LEN], const uint8_t *p, size_t len);

#endif /* OMNI_SIGNALING_IDENT_H */

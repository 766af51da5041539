/* SPDX-License-Identifier: MIT */
/*
 * One ChaCha20-Poly1305 operation on a transport data message: what
 * wg_transport_{seal,open}_prepare fill in and a bulk back end (lib/aead)
 * runs, many at a time, without knowing WireGuard's messages.
 *
 * Why here and not in lib/aead: the protocol decides what is sealed (the
 * key, the nonce as a counter, no additional data, a 16-byte tag), so the
 * op is part of the protocol core's API; lib/aead includes this header to
 * run it. lib/wg itself then needs nothing of lib/aead, neither its
 * headers nor its back ends (intel-ipsec-mb), and every user of the
 * protocol core (the signaling rate limiter, the probes) links without
 * them. Only a header crosses, in one direction: lib/aead -> lib/wg.
 */
#ifndef OMNI_WG_AEAD_OP_H
#define OMNI_WG_AEAD_OP_H

#include <stdint.h>

enum {
	WG_AEAD_KEY_LEN = 32,
	WG_AEAD_TAG_BYTES = 16,
};

struct wg_aead_op {
	const uint8_t *key; /* 32-byte key */
	uint64_t counter;   /* nonce counter */
	const uint8_t *src; /* seal: plaintext; open: ciphertext (no tag) */
	uint8_t *dst;       /* len bytes; may equal src (in place) */
	uint32_t len;       /* bytes of src, tag excluded */
	uint8_t *tag;       /* seal: 16 bytes written; open: 16 bytes read */
	int status;         /* out: 0, -EBADMSG (open: tag mismatch), -EINVAL */
};

#endif /* OMNI_WG_AEAD_OP_H */

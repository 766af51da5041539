/* SPDX-License-Identifier: MIT */
/*
 * Bulk ChaCha20-Poly1305 (RFC 8439) for the data plane.
 *
 * One call seals or opens a whole burst of packets, each under its own key
 * and nonce, so a worker can process packets of many peers together. The
 * nonce is WireGuard's: 32 zero bits followed by the 64-bit little-endian
 * counter. There is no additional data (WireGuard transport messages have
 * none).
 *
 * Back ends are chosen once, at creation: intel-ipsec-mb (burst job API,
 * best instruction set of the CPU picked at run time) and libsodium (the
 * reference). A context is not thread-safe: create one per lcore.
 */
#ifndef OMNI_AEAD_H
#define OMNI_AEAD_H

#include <stdint.h>

/* The op (key, counter, buffers, tag, status) is the protocol core's. */
#include "wg/aead_op.h"

enum {
	WG_AEAD_BURST_MAX = 64, /* most ops one call accepts */
};

struct wg_aead;

/*
 * Create a context. name: "auto" (ipsec-mb when it works on this CPU, else
 * sodium), "sodium", "ipsec-mb" (best of avx512/avx2/sse), "ipsec-mb-avx512",
 * "ipsec-mb-avx2", "ipsec-mb-sse". Returns NULL with errno set: ENOENT for an
 * unknown name, ENOTSUP when the CPU lacks the instruction set, ENOMEM.
 */
struct wg_aead *wg_aead_create(const char *name);
void wg_aead_destroy(struct wg_aead *aead);

/* Name of the back end actually in use, e.g. "ipsec-mb-avx512". */
const char *wg_aead_name(const struct wg_aead *aead);

/*
 * Seal/open n ops (n <= WG_AEAD_BURST_MAX). Every op's status is set.
 * Returns the number of ops whose status is 0. Tags are compared in
 * constant time; on a mismatch dst contents are unspecified and must not be
 * used.
 */
unsigned wg_aead_seal_burst(struct wg_aead *aead, struct wg_aead_op *ops, unsigned n);
unsigned wg_aead_open_burst(struct wg_aead *aead, struct wg_aead_op *ops, unsigned n);

#endif /* OMNI_AEAD_H */

/* SPDX-License-Identifier: MIT */
/*
 * Internal to lib/aead: what a back end provides to aead.c.
 *
 * aead.c checks every op first: an op it accepts has status 0, one it
 * refuses has -EINVAL. A back end processes only the ops whose status is 0,
 * sets their final status, and returns how many ended with status 0.
 */
#ifndef OMNI_AEAD_BACKEND_H
#define OMNI_AEAD_BACKEND_H

#include "aead/aead.h"

/* Instruction sets of the ipsec-mb back end; BEST = the widest this CPU has. */
enum wg_aead_arch {
	WG_AEAD_ARCH_BEST,
	WG_AEAD_ARCH_AVX512,
	WG_AEAD_ARCH_AVX2,
	WG_AEAD_ARCH_SSE,
};

struct wg_aead_ops {
	/* valid: number of ops of the n with status 0 (to process) */
	unsigned (*seal)(void *priv, struct wg_aead_op *ops, unsigned n, unsigned valid);
	unsigned (*open)(void *priv, struct wg_aead_op *ops, unsigned n, unsigned valid);
	void (*fini)(void *priv);
};

struct wg_aead {
	const struct wg_aead_ops *ops; /* chosen once, at creation */
	void *priv;                    /* back end state */
	const char *name;              /* back end in use */
};

/* Each fills ops, priv and name of aead; returns 0 or -errno. */
int wg_aead_sodium_init(struct wg_aead *aead);
int wg_aead_ipsecmb_init(struct wg_aead *aead, enum wg_aead_arch arch);

/* The WireGuard nonce: 32 zero bits, then the counter little-endian. */
enum { WG_AEAD_NONCE_LEN = 12 };

#endif /* OMNI_AEAD_BACKEND_H */

/* SPDX-License-Identifier: MIT */
/*
 * libsodium back end: the reference. One call per op to the IETF
 * ChaCha20-Poly1305 (RFC 8439) detached functions, no additional data.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "aead/aead_backend.h"

/*
 * libsodium declares its buffers nonnull even for empty messages; an empty
 * op may come with NULL buffers (aead.c allows it), so point those here.
 */
static uint8_t empty[1];

static uint8_t *buf_or_empty(const uint8_t *p, uint32_t len)
{
	return len != 0 ? (uint8_t *)p : empty;
}

static void make_nonce(uint8_t nonce[WG_AEAD_NONCE_LEN], uint64_t counter)
{
	uint64_t le = htole64(counter);

	memset(nonce, 0, 4);
	memcpy(nonce + 4, &le, sizeof(le));
}

static unsigned sodium_seal(void *priv, struct wg_aead_op *ops, unsigned n, unsigned valid)
{
	uint8_t nonce[WG_AEAD_NONCE_LEN];
	unsigned i, ok = 0;

	(void)priv;
	(void)valid;
	for (i = 0; i < n; i++) {
		struct wg_aead_op *op = &ops[i];

		if (op->status != 0)
			continue;
		make_nonce(nonce, op->counter);
		crypto_aead_chacha20poly1305_ietf_encrypt_detached(buf_or_empty(op->dst, op->len),
								   op->tag, NULL,
								   buf_or_empty(op->src, op->len),
								   op->len, NULL, 0, NULL, nonce,
								   op->key);
		ok++;
	}
	return ok;
}

static unsigned sodium_open(void *priv, struct wg_aead_op *ops, unsigned n, unsigned valid)
{
	uint8_t nonce[WG_AEAD_NONCE_LEN];
	unsigned i, ok = 0;

	(void)priv;
	(void)valid;
	for (i = 0; i < n; i++) {
		struct wg_aead_op *op = &ops[i];

		if (op->status != 0)
			continue;
		make_nonce(nonce, op->counter);
		/* Verifies the tag (constant time) before decrypting. */
		if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(buf_or_empty(op->dst,
										    op->len),
								       NULL,
								       buf_or_empty(op->src,
										    op->len),
								       op->len, op->tag, NULL, 0,
								       nonce, op->key) != 0) {
			if (op->len != 0)
				sodium_memzero(op->dst, op->len);
			op->status = -EBADMSG;
			continue;
		}
		ok++;
	}
	return ok;
}

static void sodium_fini(void *priv)
{
	(void)priv;
}

static const struct wg_aead_ops sodium_ops = {
	.seal = sodium_seal,
	.open = sodium_open,
	.fini = sodium_fini,
};

int wg_aead_sodium_init(struct wg_aead *aead)
{
	aead->ops = &sodium_ops;
	aead->priv = NULL;
	aead->name = "sodium";
	return 0;
}

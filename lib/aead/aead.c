/* SPDX-License-Identifier: MIT */
/*
 * Bulk ChaCha20-Poly1305: back end selection by name and the checks shared
 * by every back end. The work itself is in aead_sodium.c and aead_ipsecmb.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "aead/aead.h"
#include "aead/aead_backend.h"

enum backend_kind {
	KIND_AUTO,
	KIND_SODIUM,
	KIND_IPSECMB,
};

static const struct backend_name {
	const char *name;
	enum backend_kind kind;
	enum wg_aead_arch arch;
} backend_names[] = {
	{ "auto", KIND_AUTO, WG_AEAD_ARCH_BEST },
	{ "sodium", KIND_SODIUM, WG_AEAD_ARCH_BEST },
	{ "ipsec-mb", KIND_IPSECMB, WG_AEAD_ARCH_BEST },
	{ "ipsec-mb-avx512", KIND_IPSECMB, WG_AEAD_ARCH_AVX512 },
	{ "ipsec-mb-avx2", KIND_IPSECMB, WG_AEAD_ARCH_AVX2 },
	{ "ipsec-mb-sse", KIND_IPSECMB, WG_AEAD_ARCH_SSE },
};

static const struct backend_name *lookup(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < sizeof(backend_names) / sizeof(backend_names[0]); i++)
		if (strcmp(name, backend_names[i].name) == 0)
			return &backend_names[i];
	return NULL;
}

static int backend_init(struct wg_aead *aead, const struct backend_name *b)
{
	int ret;

	switch (b->kind) {
	case KIND_SODIUM:
		return wg_aead_sodium_init(aead);
	case KIND_IPSECMB:
		return wg_aead_ipsecmb_init(aead, b->arch);
	case KIND_AUTO:
		ret = wg_aead_ipsecmb_init(aead, WG_AEAD_ARCH_BEST);
		if (ret != -ENOTSUP)
			return ret;
		return wg_aead_sodium_init(aead);
	}
	return -ENOENT;
}

struct wg_aead *wg_aead_create(const char *name)
{
	const struct backend_name *b = lookup(name);
	struct wg_aead *aead;
	int ret;

	if (b == NULL) {
		errno = ENOENT;
		return NULL;
	}
	/* Both back ends use libsodium (ct compare, reference); idempotent. */
	if (sodium_init() < 0) {
		errno = ENOTSUP;
		return NULL;
	}
	aead = calloc(1, sizeof(*aead));
	if (aead == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	ret = backend_init(aead, b);
	if (ret < 0) {
		free(aead);
		errno = -ret;
		return NULL;
	}
	return aead;
}

void wg_aead_destroy(struct wg_aead *aead)
{
	if (aead == NULL)
		return;
	aead->ops->fini(aead->priv);
	free(aead);
}

const char *wg_aead_name(const struct wg_aead *aead)
{
	return aead->name;
}

/*
 * Sets each op's status to 0 (to process) or -EINVAL and returns how many
 * are to be processed. Buffers may be NULL only when len is 0.
 */
static unsigned check_ops(struct wg_aead_op *ops, unsigned n)
{
	unsigned i, valid = 0;

	for (i = 0; i < n; i++) {
		struct wg_aead_op *op = &ops[i];
		int bad = op->key == NULL || op->tag == NULL ||
			  (op->len != 0 && (op->src == NULL || op->dst == NULL));

		op->status = bad ? -EINVAL : 0;
		valid += !bad;
	}
	return valid;
}

static void refuse_all(struct wg_aead_op *ops, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		ops[i].status = -EINVAL;
}

unsigned wg_aead_seal_burst(struct wg_aead *aead, struct wg_aead_op *ops, unsigned n)
{
	unsigned valid;

	if (n > WG_AEAD_BURST_MAX) {
		refuse_all(ops, n);
		return 0;
	}
	valid = check_ops(ops, n);
	if (valid == 0)
		return 0;
	return aead->ops->seal(aead->priv, ops, n, valid);
}

unsigned wg_aead_open_burst(struct wg_aead *aead, struct wg_aead_op *ops, unsigned n)
{
	unsigned valid;

	if (n > WG_AEAD_BURST_MAX) {
		refuse_all(ops, n);
		return 0;
	}
	valid = check_ops(ops, n);
	if (valid == 0)
		return 0;
	return aead->ops->open(aead->priv, ops, n, valid);
}

/* SPDX-License-Identifier: MIT */
/*
 * X25519 on this CPU: libsodium (what lib/wg uses) against OpenSSL's
 * libcrypto, both constant-time. A responder's handshake is three
 * variable-base multiplications (es, ee, se) and one fixed-base (its
 * ephemeral key), so these four figures bound the control lcore's rate.
 * OpenSSL is reached through EVP (it exports no raw X25519): "derive" is
 * the shared secret with the private key's context already made, "key +
 * derive" what a fresh ephemeral costs (making the key object computes
 * its public key too). Rounds alternate between the libraries and the
 * best round counts, so a neighbour's burst on a shared core hurts both
 * alike. Every result is checked against the other library's first.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "bench.h"

enum { ROUNDS = 12, QUICK_ROUNDS = 3, PER_ROUND = 200, N_OPS = 5 };

struct x_state {
	uint8_t priv[32];
	uint8_t pub[32];
	uint8_t out[32];
	EVP_PKEY *peer;
	EVP_PKEY_CTX *ctx; /* derive context of priv with peer set */
};

static int sodium_var(struct x_state *x)
{
	return crypto_scalarmult_curve25519(x->out, x->priv, x->pub);
}

static int sodium_base(struct x_state *x)
{
	return crypto_scalarmult_curve25519_base(x->out, x->priv);
}

static int ossl_derive(struct x_state *x)
{
	size_t len = sizeof(x->out);

	return EVP_PKEY_derive(x->ctx, x->out, &len) == 1 ? 0 : -1;
}

static int ossl_key_derive(struct x_state *x)
{
	EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, x->priv, 32);
	EVP_PKEY_CTX *c = k ? EVP_PKEY_CTX_new(k, NULL) : NULL;
	size_t len = sizeof(x->out);
	int ok = c && EVP_PKEY_derive_init(c) == 1 && EVP_PKEY_derive_set_peer(c, x->peer) == 1 &&
		 EVP_PKEY_derive(c, x->out, &len) == 1;

	EVP_PKEY_CTX_free(c);
	EVP_PKEY_free(k);
	return ok ? 0 : -1;
}

static int ossl_base(struct x_state *x)
{
	EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, x->priv, 32);
	size_t len = sizeof(x->out);
	int ok = k && EVP_PKEY_get_raw_public_key(k, x->out, &len) == 1;

	EVP_PKEY_free(k);
	return ok ? 0 : -1;
}

static const struct {
	const char *name;
	int (*op)(struct x_state *);
} ops[N_OPS] = {
	{ "libsodium scalarmult", sodium_var },      { "OpenSSL derive", ossl_derive },
	{ "OpenSSL key + derive", ossl_key_derive }, { "libsodium base", sodium_base },
	{ "OpenSSL key (base)", ossl_base },
};

static int x_setup(struct x_state *x)
{
	uint8_t other[32];
	EVP_PKEY *k;

	randombytes_buf(x->priv, sizeof(x->priv));
	randombytes_buf(other, sizeof(other));
	crypto_scalarmult_curve25519_base(x->pub, other);
	sodium_memzero(other, sizeof(other));
	x->peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, x->pub, 32);
	k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, x->priv, 32);
	x->ctx = k ? EVP_PKEY_CTX_new(k, NULL) : NULL;
	EVP_PKEY_free(k); /* the context holds its own reference */
	if (!x->peer || !x->ctx || EVP_PKEY_derive_init(x->ctx) != 1 ||
	    EVP_PKEY_derive_set_peer(x->ctx, x->peer) != 1)
		return -1;
	return 0;
}

/* Both libraries agree on the shared secret and on the public key. */
static int x_check(struct x_state *x)
{
	uint8_t a[32];

	if (sodium_var(x) != 0)
		return -1;
	memcpy(a, x->out, sizeof(a));
	if (ossl_derive(x) != 0 || memcmp(a, x->out, 32) || ossl_key_derive(x) != 0 ||
	    memcmp(a, x->out, 32))
		return -1;
	sodium_base(x);
	memcpy(a, x->out, sizeof(a));
	return ossl_base(x) != 0 || memcmp(a, x->out, 32) ? -1 : 0;
}

int bench_x25519_run(const struct bench_opts *opts)
{
	double best[N_OPS];
	struct x_state x = { 0 };
	int r, i, j, ret = -1;

	if (sodium_init() < 0 || x_setup(&x) || x_check(&x)) {
		fprintf(stderr, "bench: X25519 set-up failed or the libraries disagree\n");
		goto out;
	}
	for (i = 0; i < N_OPS; i++)
		best[i] = 1e18;
	for (r = 0; r < (opts->quick ? QUICK_ROUNDS : ROUNDS); r++)
		for (i = 0; i < N_OPS; i++) {
			uint64_t t0 = bench_now_ns();

			for (j = 0; j < PER_ROUND; j++)
				if (ops[i].op(&x) != 0)
					goto out;
			t0 = bench_now_ns() - t0;
			if ((double)t0 / PER_ROUND < best[i])
				best[i] = (double)t0 / PER_ROUND;
		}
	printf("\nX25519 (best round of %d x %d, alternating)\n",
	       opts->quick ? QUICK_ROUNDS : ROUNDS, PER_ROUND);
	for (i = 0; i < N_OPS; i++)
		printf("  %-28s %8.1f us  %8.0f /s\n", ops[i].name, best[i] / 1e3, 1e9 / best[i]);
	ret = 0;
out:
	EVP_PKEY_CTX_free(x.ctx);
	EVP_PKEY_free(x.peer);
	sodium_memzero(x.priv, sizeof(x.priv));
	return ret;
}

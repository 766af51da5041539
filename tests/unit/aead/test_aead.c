/* SPDX-License-Identifier: MIT */
/*
 * Bulk ChaCha20-Poly1305 tests, run once per back end available here.
 *
 * The independent reference is libsodium's *combined* IETF API (ciphertext
 * followed by the tag), which aead_sodium.c does not use. On top of it:
 * random bursts compared byte for byte against the sodium back end, a
 * numbered table of forgeries that must be refused, in-place operation,
 * burst sizes and refused arguments.
 *
 * Random data comes from a seeded generator; set AEAD_TEST_SEED to replay.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "aead/aead.h"

enum {
	MAX_LEN = 9017, /* above a 9000-byte jumbo payload */
	RANDOM_MAX_LEN = 9000,
	RANDOM_BURSTS = 24,
	KEY_POOL = 80, /* more keys than a burst has ops */
};

struct backend_state {
	const char *name;
	struct wg_aead *aead; /* back end under test */
	struct wg_aead *ref;  /* sodium back end */
	struct bufs *b;       /* fresh random contents for each test */
	int create_errno;
	uint64_t rng;
};

static uint64_t seed = 0x6f6d6e696e657276ULL;

/* splitmix64: small, seedable, good enough to pick test inputs. */
static uint64_t rnd(struct backend_state *bs)
{
	uint64_t z = (bs->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rnd_fill(struct backend_state *bs, uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)rnd(bs);
}

static uint32_t rnd_len(struct backend_state *bs, uint32_t max)
{
	/* One time in eight an edge: 0, max, or next to a 64-byte block. */
	switch (rnd(bs) % 16) {
	case 0:
		return 0;
	case 1:
		return max;
	case 2:
		return (uint32_t)((rnd(bs) % (max / 64)) * 64 + rnd(bs) % 3) % (max + 1);
	default:
		return (uint32_t)(rnd(bs) % (max + 1));
	}
}

static void make_nonce(uint8_t nonce[12], uint64_t counter)
{
	unsigned i;

	memset(nonce, 0, 4);
	for (i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(counter >> (8 * i));
}

/* Buffers for a burst of up to WG_AEAD_BURST_MAX packets. */
struct bufs {
	uint8_t key[KEY_POOL][WG_AEAD_KEY_LEN];
	uint8_t pt[WG_AEAD_BURST_MAX][MAX_LEN];
	uint8_t ct[WG_AEAD_BURST_MAX][MAX_LEN];
	uint8_t ct2[WG_AEAD_BURST_MAX][MAX_LEN];
	uint8_t out[WG_AEAD_BURST_MAX][MAX_LEN];
	uint8_t tag[WG_AEAD_BURST_MAX][WG_AEAD_TAG_BYTES];
	uint8_t tag2[WG_AEAD_BURST_MAX][WG_AEAD_TAG_BYTES];
	uint8_t combined[MAX_LEN + WG_AEAD_TAG_BYTES];
};

static struct bufs *bufs_new(struct backend_state *bs)
{
	struct bufs *b = malloc(sizeof(*b));

	if (b == NULL)
		return NULL;
	rnd_fill(bs, b->key[0], sizeof(b->key));
	rnd_fill(bs, b->pt[0], sizeof(b->pt));
	memset(b->ct, 0, sizeof(b->ct));
	memset(b->ct2, 0, sizeof(b->ct2));
	memset(b->out, 0, sizeof(b->out));
	return b;
}

static void op_set(struct wg_aead_op *op, const uint8_t *key, uint64_t counter, const uint8_t *src,
		   uint8_t *dst, uint32_t len, uint8_t *tag)
{
	*op = (struct wg_aead_op){ .key = key,
				   .counter = counter,
				   .src = src,
				   .dst = dst,
				   .len = len,
				   .tag = tag,
				   .status = 12345 };
}

static void assert_all_ok(const struct wg_aead_op *ops, unsigned n, unsigned ret)
{
	unsigned i;

	for (i = 0; i < n; i++)
		assert_int_equal(ops[i].status, 0);
	assert_int_equal(ret, n);
}

static void assert_bytes_equal(const uint8_t *a, const uint8_t *b, uint32_t len)
{
	if (len != 0)
		assert_memory_equal(a, b, len);
}

/* ---- fixtures ---------------------------------------------------------- */

static int setup(void **state)
{
	struct backend_state *bs = *state;

	bs->rng = seed;
	errno = 0;
	bs->aead = wg_aead_create(bs->name);
	bs->create_errno = bs->aead ? 0 : errno;
	bs->ref = wg_aead_create("sodium");
	bs->b = bufs_new(bs);
	return bs->ref && bs->b ? 0 : -1;
}

static int teardown(void **state)
{
	struct backend_state *bs = *state;

	wg_aead_destroy(bs->aead);
	wg_aead_destroy(bs->ref);
	free(bs->b);
	bs->b = NULL;
	bs->aead = NULL;
	bs->ref = NULL;
	return 0;
}

/*
 * What ipsec-mb needs of the CPU for each name, checked here independently
 * of the library, so that a back end failing on a capable CPU is a test
 * failure and not a skip.
 */
static int cpu_can(const char *name)
{
	int sse = __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("aes") &&
		  __builtin_cpu_supports("pclmul");
	int avx2 = sse && __builtin_cpu_supports("avx") && __builtin_cpu_supports("avx2") &&
		   __builtin_cpu_supports("bmi2");
	int avx512 = avx2 && __builtin_cpu_supports("avx512f") &&
		     __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512cd") &&
		     __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");

	if (strcmp(name, "ipsec-mb-avx512") == 0)
		return avx512;
	if (strcmp(name, "ipsec-mb-avx2") == 0)
		return avx2;
	if (strcmp(name, "ipsec-mb-sse") == 0 || strcmp(name, "ipsec-mb") == 0)
		return sse;
	return 1; /* sodium, auto */
}

/* The back end under test, or skip when this CPU cannot run it. */
static struct wg_aead *backend(void **state)
{
	struct backend_state *bs = *state;

	if (bs->aead == NULL && bs->create_errno == ENOTSUP && !cpu_can(bs->name))
		skip();
	if (bs->aead == NULL)
		fail_msg("%s: create failed: %s", bs->name, strerror(bs->create_errno));
	return bs->aead;
}

/* ---- tests ------------------------------------------------------------- */

/* Each length sealed in one burst and compared with the combined API. */
static void test_matches_combined(void **state)
{
	static const uint32_t lens[] = { 0,   1,   15,   16,   17,   63,   64,
					 65,  127, 128,  129,  255,  256,  257,
					 511, 512, 1419, 1420, 4096, 9000, MAX_LEN };
	static const uint64_t counters[] = {
		0, 1, 0xffffffffULL, 0x100000000ULL, UINT64_MAX - 1, UINT64_MAX
	};
	enum { N = sizeof(lens) / sizeof(lens[0]) };
	struct backend_state *bs = *state;
	struct wg_aead *aead = backend(state);
	struct bufs *b = bs->b;
	struct wg_aead_op ops[N];
	unsigned long long clen;
	uint8_t nonce[12];
	unsigned i;

	for (i = 0; i < N; i++)
		op_set(&ops[i], b->key[i], counters[i % 6], b->pt[i], b->ct[i], lens[i], b->tag[i]);
	assert_all_ok(ops, N, wg_aead_seal_burst(aead, ops, N));

	for (i = 0; i < N; i++) {
		make_nonce(nonce, ops[i].counter);
		crypto_aead_chacha20poly1305_ietf_encrypt(b->combined, &clen, b->pt[i], lens[i],
							  NULL, 0, NULL, nonce, b->key[i]);
		assert_int_equal(clen, lens[i] + WG_AEAD_TAG_BYTES);
		assert_bytes_equal(b->combined, b->ct[i], lens[i]);
		assert_memory_equal(b->combined + lens[i], b->tag[i], WG_AEAD_TAG_BYTES);
		op_set(&ops[i], b->key[i], ops[i].counter, b->ct[i], b->out[i], lens[i], b->tag[i]);
	}
	assert_all_ok(ops, N, wg_aead_open_burst(aead, ops, N));
	for (i = 0; i < N; i++)
		assert_bytes_equal(b->out[i], b->pt[i], lens[i]);
}

/* Every length 0..255, one key per packet: block and partial-block edges. */
static void test_all_short_lengths(void **state)
{
	struct backend_state *bs = *state;
	struct wg_aead *aead = backend(state);
	struct bufs *b = bs->b;
	struct wg_aead_op ops[WG_AEAD_BURST_MAX], refs[WG_AEAD_BURST_MAX];
	unsigned i, len = 0;

	while (len < 256) {
		for (i = 0; i < WG_AEAD_BURST_MAX; i++, len++) {
			op_set(&ops[i], b->key[i], len, b->pt[i], b->ct[i], len, b->tag[i]);
			op_set(&refs[i], b->key[i], len, b->pt[i], b->ct2[i], len, b->tag2[i]);
		}
		assert_all_ok(ops, i, wg_aead_seal_burst(aead, ops, i));
		assert_all_ok(refs, i, wg_aead_seal_burst(bs->ref, refs, i));
		for (i = 0; i < WG_AEAD_BURST_MAX; i++) {
			assert_bytes_equal(b->ct[i], b->ct2[i], ops[i].len);
			assert_memory_equal(b->tag[i], b->tag2[i], WG_AEAD_TAG_BYTES);
		}
	}
}

/*
 * Random bursts: sizes 1..64, lengths 0..9000, keys drawn from a pool
 * larger than a burst, random counters. Sealed by the back end and by
 * sodium, which must agree byte for byte; then each opens the other's.
 */
static void test_cross_random(void **state)
{
	struct backend_state *bs = *state;
	struct wg_aead *aead = backend(state);
	struct bufs *b = bs->b;
	struct wg_aead_op ops[WG_AEAD_BURST_MAX], refs[WG_AEAD_BURST_MAX];
	unsigned iter, i, n;

	for (iter = 0; iter < RANDOM_BURSTS; iter++) {
		n = 1 + (unsigned)(rnd(bs) % WG_AEAD_BURST_MAX);
		for (i = 0; i < n; i++) {
			const uint8_t *key = b->key[rnd(bs) % KEY_POOL];
			uint64_t ctr = rnd(bs) % 2 ? rnd(bs) : rnd(bs) % 1000;
			uint32_t len = rnd_len(bs, RANDOM_MAX_LEN);

			op_set(&ops[i], key, ctr, b->pt[i], b->ct[i], len, b->tag[i]);
			op_set(&refs[i], key, ctr, b->pt[i], b->ct2[i], len, b->tag2[i]);
		}
		assert_all_ok(ops, n, wg_aead_seal_burst(aead, ops, n));
		assert_all_ok(refs, n, wg_aead_seal_burst(bs->ref, refs, n));
		for (i = 0; i < n; i++) {
			assert_bytes_equal(b->ct[i], b->ct2[i], ops[i].len);
			assert_memory_equal(b->tag[i], b->tag2[i], WG_AEAD_TAG_BYTES);
		}
		/* The back end opens sodium's output, sodium the back end's. */
		for (i = 0; i < n; i++) {
			ops[i].src = b->ct2[i];
			ops[i].dst = b->out[i];
			ops[i].tag = b->tag2[i];
			refs[i].src = b->ct[i];
			refs[i].dst = b->ct2[i];
			refs[i].tag = b->tag[i];
		}
		assert_all_ok(ops, n, wg_aead_open_burst(aead, ops, n));
		assert_all_ok(refs, n, wg_aead_open_burst(bs->ref, refs, n));
		for (i = 0; i < n; i++) {
			assert_bytes_equal(b->out[i], b->pt[i], ops[i].len);
			assert_bytes_equal(b->ct2[i], b->pt[i], ops[i].len);
		}
	}
}

/* Forgeries and mistakes that open must refuse, one per op of a burst. */
enum tamper {
	T_NONE,
	T_TAG,      /* one bit of the tag flipped */
	T_CT_FIRST, /* first ciphertext byte changed */
	T_CT_LAST,  /* last ciphertext byte changed */
	T_COUNTER,  /* opened with counter + 1 */
	T_KEY,      /* opened with another peer's key */
	T_TAG_ZERO, /* all-zero tag */
};

static const struct tamper_case {
	unsigned no;
	enum tamper how;
	uint32_t len;
	int status;
} tamper_cases[] = {
	{ 1, T_NONE, 1420, 0 },
	{ 2, T_TAG, 1420, -EBADMSG },
	{ 3, T_CT_FIRST, 1420, -EBADMSG },
	{ 4, T_CT_LAST, 1420, -EBADMSG },
	{ 5, T_COUNTER, 1420, -EBADMSG },
	{ 6, T_KEY, 1420, -EBADMSG },
	{ 7, T_NONE, 0, 0 },
	{ 8, T_TAG, 0, -EBADMSG },
	{ 9, T_COUNTER, 0, -EBADMSG },
	{ 10, T_KEY, 0, -EBADMSG },
	{ 11, T_CT_LAST, 1, -EBADMSG },
	{ 12, T_TAG_ZERO, 64, -EBADMSG },
	{ 13, T_NONE, 9000, 0 },
	{ 14, T_CT_LAST, 9000, -EBADMSG },
	{ 15, T_TAG, 9000, -EBADMSG },
	{ 16, T_NONE, 65, 0 },
};

enum { N_TAMPER = sizeof(tamper_cases) / sizeof(tamper_cases[0]) };

static void tamper(struct bufs *b, struct wg_aead_op *op, unsigned i, enum tamper how)
{
	switch (how) {
	case T_NONE:
		break;
	case T_TAG:
		b->tag[i][i % WG_AEAD_TAG_BYTES] ^= 0x01;
		break;
	case T_CT_FIRST:
		b->ct[i][0] ^= 0x80;
		break;
	case T_CT_LAST:
		b->ct[i][op->len - 1] ^= 0x01;
		break;
	case T_COUNTER:
		op->counter++;
		break;
	case T_KEY:
		op->key = b->key[KEY_POOL - 1];
		break;
	case T_TAG_ZERO:
		memset(b->tag[i], 0, WG_AEAD_TAG_BYTES);
		break;
	}
}

static void check_tampered(struct bufs *b, const struct wg_aead_op *ops, unsigned ret)
{
	static const uint8_t zero[9000];
	unsigned i, ok = 0;

	for (i = 0; i < N_TAMPER; i++) {
		const struct tamper_case *tc = &tamper_cases[i];

		if (ops[i].status != tc->status)
			fail_msg("case %u: status %d, want %d", tc->no, ops[i].status, tc->status);
		if (tc->status == 0) {
			ok++;
			assert_bytes_equal(ops[i].dst, b->pt[i], tc->len);
		} else if (tc->len != 0) {
			/* Our back ends wipe what they decrypted. */
			assert_memory_equal(ops[i].dst, zero, tc->len);
		}
	}
	assert_int_equal(ret, ok);
}

static void test_rejects_forgeries(void **state)
{
	struct backend_state *bs = *state;
	struct wg_aead *aead = backend(state);
	struct bufs *b = bs->b;
	struct wg_aead_op ops[N_TAMPER];
	unsigned i;

	for (i = 0; i < N_TAMPER; i++)
		op_set(&ops[i], b->key[i], 1000 + i, b->pt[i], b->ct[i], tamper_cases[i].len,
		       b->tag[i]);
	assert_all_ok(ops, N_TAMPER, wg_aead_seal_burst(aead, ops, N_TAMPER));
	for (i = 0; i < N_TAMPER; i++) {
		op_set(&ops[i], b->key[i], 1000 + i, b->ct[i], b->out[i], tamper_cases[i].len,
		       b->tag[i]);
		memset(b->out[i], 0xaa, MAX_LEN);
		tamper(b, &ops[i], i, tamper_cases[i].how);
	}
	check_tampered(b, ops, wg_aead_open_burst(aead, ops, N_TAMPER));
}

/* dst == src: same bytes as out of place; forgeries refused in place too. */
static void test_in_place(void **state)
{
	struct backend_state *bs = *state;
	struct wg_aead *aead = backend(state);
	struct bufs *b = bs->b;
	struct wg_aead_op ops[N_TAMPER];
	unsigned i;

	for (i = 0; i < N_TAMPER; i++) {
		op_set(&ops[i], b->key[i], 7 * i, b->pt[i], b->ct2[i], tamper_cases[i].len,
		       b->tag2[i]);
		memcpy(b->ct[i], b->pt[i], MAX_LEN);
	}
	assert_all_ok(ops, N_TAMPER, wg_aead_seal_burst(aead, ops, N_TAMPER));
	for (i = 0; i < N_TAMPER; i++)
		op_set(&ops[i], b->key[i], 7 * i, b->ct[i], b->ct[i], tamper_cases[i].len,
		       b->tag[i]);
	assert_all_ok(ops, N_TAMPER, wg_aead_seal_burst(aead, ops, N_TAMPER));
	for (i = 0; i < N_TAMPER; i++) {
		uint32_t len = tamper_cases[i].len;

		assert_bytes_equal(b->ct[i], b->ct2[i], len);
		assert_memory_equal(b->tag[i], b->tag2[i], WG_AEAD_TAG_BYTES);
		tamper(b, &ops[i], i, tamper_cases[i].how);
	}
	check_tampered(b, ops, wg_aead_open_burst(aead, ops, N_TAMPER));
	for (i = 0; i < N_TAMPER; i++)
		assert_ptr_equal(ops[i].dst, b->ct[i]);
}

static void seal_open_n(void **state, unsigned n)
{
	struct backend_state *bs = *state;
	struct wg_aead *aead = backend(state);
	struct bufs *b = bs->b;
	struct wg_aead_op ops[WG_AEAD_BURST_MAX];
	unsigned i;

	for (i = 0; i < n; i++)
		op_set(&ops[i], b->key[i], i, b->pt[i], b->ct[i], (uint32_t)(i * 141 % 1500),
		       b->tag[i]);
	assert_all_ok(ops, n, wg_aead_seal_burst(aead, ops, n));
	for (i = 0; i < n; i++)
		op_set(&ops[i], b->key[i], i, b->ct[i], b->out[i], ops[i].len, b->tag[i]);
	assert_all_ok(ops, n, wg_aead_open_burst(aead, ops, n));
	for (i = 0; i < n; i++)
		assert_bytes_equal(b->out[i], b->pt[i], ops[i].len);
}

static void test_burst_of_one(void **state)
{
	seal_open_n(state, 1);
}

static void test_burst_max(void **state)
{
	seal_open_n(state, WG_AEAD_BURST_MAX);
}

/* Bad ops get -EINVAL and do not stop the others; too big a burst: none. */
static void test_refused_arguments(void **state)
{
	struct backend_state *bs = *state;
	struct wg_aead *aead = backend(state);
	struct bufs *b = bs->b;
	struct wg_aead_op ops[WG_AEAD_BURST_MAX + 1];
	unsigned i;

	for (i = 0; i < 6; i++)
		op_set(&ops[i], b->key[i], i, b->pt[i], b->ct[i], 100, b->tag[i]);
	ops[1].key = NULL;
	ops[2].tag = NULL;
	ops[3].src = NULL;
	ops[4].dst = NULL;
	op_set(&ops[5], b->key[5], 5, NULL, NULL, 0, b->tag[5]); /* empty: ok */
	assert_int_equal(wg_aead_seal_burst(aead, ops, 6), 2);
	assert_int_equal(ops[0].status, 0);
	for (i = 1; i < 5; i++)
		assert_int_equal(ops[i].status, -EINVAL);
	assert_int_equal(ops[5].status, 0);
	ops[0].src = b->ct[0];
	ops[0].dst = b->out[0];
	assert_int_equal(wg_aead_open_burst(aead, ops, 6), 2);
	assert_int_equal(ops[0].status, 0);
	assert_memory_equal(b->out[0], b->pt[0], 100);
	assert_int_equal(ops[5].status, 0);

	assert_int_equal(wg_aead_seal_burst(aead, ops, 0), 0);
	for (i = 0; i <= WG_AEAD_BURST_MAX; i++)
		op_set(&ops[i], b->key[0], i, b->pt[0], b->ct[0], 10, b->tag[0]);
	assert_int_equal(wg_aead_seal_burst(aead, ops, WG_AEAD_BURST_MAX + 1), 0);
	for (i = 0; i <= WG_AEAD_BURST_MAX; i++)
		assert_int_equal(ops[i].status, -EINVAL);
	assert_int_equal(wg_aead_open_burst(aead, ops, WG_AEAD_BURST_MAX + 1), 0);
}

/* Explicit names are kept; "ipsec-mb" and "auto" take the widest there is. */
static void test_name(void **state)
{
	static const char *const widest[] = { "ipsec-mb-avx512", "ipsec-mb-avx2", "ipsec-mb-sse",
					      "sodium" };
	struct backend_state *bs = *state;
	struct wg_aead *aead = backend(state);
	unsigned i = 0;

	if (strcmp(bs->name, "auto") != 0 && strcmp(bs->name, "ipsec-mb") != 0) {
		assert_string_equal(wg_aead_name(aead), bs->name);
		return;
	}
	while (!cpu_can(widest[i]))
		i++;
	assert_string_equal(wg_aead_name(aead), widest[i]);
}

static void test_unknown_names(void **state)
{
	static const char *const bad[] = { "",         "chacha",  "ipsec-mb-avx",
					   "IPSEC-MB", "sodium ", "ipsec-mb-avx5120" };
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		assert_null(wg_aead_create(bad[i]));
		assert_int_equal(errno, ENOENT);
	}
	errno = 0;
	assert_null(wg_aead_create(NULL));
	assert_int_equal(errno, ENOENT);
	wg_aead_destroy(NULL);
}

static const struct CMUnitTest backend_tests[] = {
	cmocka_unit_test_setup_teardown(test_name, setup, teardown),
	cmocka_unit_test_setup_teardown(test_matches_combined, setup, teardown),
	cmocka_unit_test_setup_teardown(test_all_short_lengths, setup, teardown),
	cmocka_unit_test_setup_teardown(test_cross_random, setup, teardown),
	cmocka_unit_test_setup_teardown(test_rejects_forgeries, setup, teardown),
	cmocka_unit_test_setup_teardown(test_in_place, setup, teardown),
	cmocka_unit_test_setup_teardown(test_burst_of_one, setup, teardown),
	cmocka_unit_test_setup_teardown(test_burst_max, setup, teardown),
	cmocka_unit_test_setup_teardown(test_refused_arguments, setup, teardown),
};

enum { N_BACKEND_TESTS = sizeof(backend_tests) / sizeof(backend_tests[0]) };

static const char *const backend_names[] = { "sodium",        "ipsec-mb",     "ipsec-mb-avx512",
					     "ipsec-mb-avx2", "ipsec-mb-sse", "auto" };

int main(void)
{
	static const struct CMUnitTest common_tests[] = {
		cmocka_unit_test(test_unknown_names),
	};
	struct CMUnitTest tests[N_BACKEND_TESTS];
	struct backend_state bs;
	const char *env = getenv("AEAD_TEST_SEED");
	char group[64];
	unsigned i, t;
	int failed;

	if (sodium_init() < 0)
		return 1;
	__builtin_cpu_init();
	if (env != NULL)
		seed = strtoull(env, NULL, 0);
	printf("AEAD_TEST_SEED=%#" PRIx64 "\n", seed);
	failed = cmocka_run_group_tests_name("aead", common_tests, NULL, NULL);
	for (i = 0; i < sizeof(backend_names) / sizeof(backend_names[0]); i++) {
		bs = (struct backend_state){ .name = backend_names[i] };
		memcpy(tests, backend_tests, sizeof(tests));
		for (t = 0; t < N_BACKEND_TESTS; t++)
			tests[t].initial_state = &bs;
		snprintf(group, sizeof(group), "aead %s", backend_names[i]);
		printf("-- back end %s\n", backend_names[i]);
		failed += _cmocka_run_group_tests(group, tests, N_BACKEND_TESTS, NULL, NULL);
	}
	return failed != 0;
}

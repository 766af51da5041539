/* SPDX-License-Identifier: MIT */
/*
 * Transport data messages (transport.h) around the bulk AEAD's libsodium
 * back end, on the keypairs of a real handshake. Every sealed packet is
 * also opened by libsodium directly, as the paper defines it (section
 * 5.4.6: ChaCha20-Poly1305, nonce = 32 zero bits || 64-bit LE counter, no
 * AD), and the padding is checked against a naive rule: round the inner
 * length up to 16, but never past the MTU.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "aead/aead.h"
#include "handshake_vectors.h"
#include "wg/parse.h"
#include "wg/transport.h"
#include "wg_test_util.h"

#define NOW SEC(7)
#define W ((uint64_t)WG_COUNTER_WINDOW_SIZE)

struct tunnel {
	struct wgt_side i, r;
	struct wg_keypair kp_i, kp_r;
	struct wg_aead *aead;
};

static int setup(void **state)
{
	struct tunnel *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	wgt_pair(&t->i, &t->r, 0x10, 0x40, NULL, NULL);
	assert_int_equal(wgt_handshake(&t->i, &t->r, SEC(1), &t->kp_i, &t->kp_r), WG_OK);
	t->aead = wg_aead_create("sodium");
	assert_non_null(t->aead);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tunnel *t = *state;

	wg_aead_destroy(t->aead);
	free(t);
	return 0;
}

static uint32_t naive_padded(uint32_t len, uint32_t mtu)
{
	uint32_t p = (len + 15) / 16 * 16;

	return mtu && len <= mtu && p > mtu ? mtu : p;
}

/* An IPv4 packet of len bytes (len >= 20), or arbitrary bytes when shorter. */
static void fill_inner(uint8_t *p, uint32_t len, uint8_t seed)
{
	uint32_t k;

	for (k = 0; k < len; k++)
		p[k] = (uint8_t)(seed + 7 * k);
	if (len >= 20) {
		p[0] = 0x45;
		p[2] = (uint8_t)(len >> 8);
		p[3] = (uint8_t)len;
	}
}

/* A buffer with exactly the room seal needs, so ASan sees any overrun. */
static uint8_t *seal_one(struct tunnel *t, struct wg_keypair *kp, uint32_t len, uint32_t mtu,
			 uint32_t *pkt_len, uint8_t *inner_copy)
{
	uint32_t padded = naive_padded(len, mtu);
	uint8_t *pkt = malloc(16 + padded + 16);
	struct wg_aead_op op;

	assert_non_null(pkt);
	memset(pkt, 0xaa, 16 + padded + 16); /* dirty: padding must be written */
	fill_inner(pkt + 16, len, (uint8_t)len);
	if (inner_copy)
		memcpy(inner_copy, pkt + 16, len);
	assert_int_equal(wg_transport_seal_prepare(kp, pkt, len, mtu, NOW, &op, pkt_len), WG_OK);
	assert_int_equal(*pkt_len, 16 + padded + 16);
	assert_int_equal(wg_aead_seal_burst(t->aead, &op, 1), 1);
	return pkt;
}

static enum wg_result open_one(struct tunnel *t, struct wg_keypair *kp, uint8_t *pkt, uint32_t len,
			       uint64_t now)
{
	struct wg_aead_op op;
	enum wg_result ret = wg_transport_open_prepare(kp, pkt, len, now, &op);

	if (ret != WG_OK)
		return ret;
	assert_int_equal(op.len, len - 32);
	wg_aead_open_burst(t->aead, &op, 1);
	return wg_transport_open_finish(kp, &op);
}

/* Reference opening with libsodium alone. */
static void ref_open(const struct wg_keypair *sender, const uint8_t *pkt, uint32_t pkt_len,
		     uint8_t *out)
{
	uint8_t nonce[12] = { 0 };
	uint64_t counter = wg_transport_counter(pkt);
	unsigned k;

	for (k = 0; k < 8; k++)
		nonce[4 + k] = (uint8_t)(counter >> (8 * k));
	assert_int_equal(crypto_aead_chacha20poly1305_ietf_decrypt_detached(out, NULL, pkt + 16,
									    pkt_len - 32,
									    pkt + pkt_len - 16,
									    NULL, 0, nonce,
									    sender->send_key),
			 0);
}

static void round_trip(struct tunnel *t, struct wg_keypair *tx, struct wg_keypair *rx, uint32_t len,
		       uint32_t mtu)
{
	static const uint8_t zero[16];
	uint8_t inner[2000], plain[2000];
	uint64_t counter = tx->send_counter;
	enum wg_message_type type;
	uint32_t pkt_len, padded = naive_padded(len, mtu);
	uint8_t *pkt = seal_one(t, tx, len, mtu, &pkt_len, inner);

	assert_int_equal(wg_message_parse(pkt, pkt_len, &type), WG_OK);
	assert_int_equal(type, WG_MSG_DATA);
	assert_int_equal(wg_transport_key_index(pkt), rx->local_index);
	assert_int_equal(wg_transport_counter(pkt), counter);
	ref_open(tx, pkt, pkt_len, plain);
	assert_memory_equal(plain, inner, len);
	if (padded > len)
		assert_memory_equal(plain + len, zero, padded - len);

	assert_int_equal(open_one(t, rx, pkt, pkt_len, NOW), WG_OK);
	assert_memory_equal(pkt + 16, inner, len);
	assert_int_equal(wg_transport_inner_len(pkt + 16, padded), len >= 20 ? (int)len :
								   len       ? -1 :
									       0);
	free(pkt);
}

static void test_round_trip(void **state)
{
	struct tunnel *t = *state;
	uint32_t len;

	for (len = 0; len <= 200; len++)
		round_trip(t, &t->kp_i, &t->kp_r, len, 0);
	for (len = 1380; len <= 1420; len++)
		round_trip(t, &t->kp_i, &t->kp_r, len, 1420);
	round_trip(t, &t->kp_i, &t->kp_r, 1999, 0);
	/* The responder answers on the same keypair pair. */
	for (len = 0; len <= 100; len += 20)
		round_trip(t, &t->kp_r, &t->kp_i, len, 1420);
	assert_int_equal(t->kp_i.send_counter, 201 + 41 + 1);
}

static void test_padding_table(void **state)
{
	static const struct {
		uint32_t len, mtu, padded;
	} pad[] = {
		/*  1 */ { 0, 0, 0 },          /*  2 */ { 1, 0, 16 },
		/*  3 */ { 15, 0, 16 },
		/*  4 */ { 16, 0, 16 },        /*  5 */ { 17, 0, 32 },
		/*  6 */ { 0, 1420, 0 },
		/*  7 */ { 1400, 1420, 1408 }, /*  8 */ { 1408, 1420, 1408 },
		/*  9 */ { 1409, 1420, 1420 },
		/* 10 */ { 1419, 1420, 1420 }, /* 11 */ { 1420, 1420, 1420 },
		/* 12 */ { 1280, 1280, 1280 },
		/* 13 */ { 1279, 1280, 1280 }, /* 14 */ { 1, 1, 1 },
		/* 15 */ { 20, 30, 30 },
	};
	struct tunnel *t = *state;
	unsigned k;

	for (k = 0; k < ARRAY_SIZE(pad); k++) {
		uint32_t pkt_len;
		uint8_t *pkt;

		assert_int_equal(naive_padded(pad[k].len, pad[k].mtu), pad[k].padded);
		assert_int_equal(wg_padded_len(pad[k].len, pad[k].mtu), pad[k].padded);
		pkt = seal_one(t, &t->kp_i, pad[k].len, pad[k].mtu, &pkt_len, NULL);
		assert_int_equal(pkt_len, 32 + pad[k].padded);
		assert_int_equal(open_one(t, &t->kp_r, pkt, pkt_len, NOW), WG_OK);
		free(pkt);
	}
}

static void test_keepalive(void **state)
{
	struct tunnel *t = *state;
	uint32_t pkt_len;
	uint8_t *pkt = seal_one(t, &t->kp_i, 0, 1420, &pkt_len, NULL);

	assert_int_equal(pkt_len, WG_MSG_DATA_MIN_LEN);
	assert_int_equal(open_one(t, &t->kp_r, pkt, pkt_len, NOW), WG_OK);
	assert_int_equal(wg_transport_inner_len(pkt + 16, 0), 0);
	free(pkt);
}

/* A tampered packet is refused and does not move the replay window. */
static void test_tampered(void **state)
{
	struct tunnel *t = *state;
	uint32_t pkt_len, k;
	uint8_t *pkt = seal_one(t, &t->kp_i, 64, 0, &pkt_len, NULL);
	uint8_t *copy = malloc(pkt_len);

	assert_non_null(copy);
	for (k = 8; k < pkt_len; k++) { /* the counter, the ciphertext, the tag */
		if (k >= 16 && k < pkt_len - 16 && k % 7)
			continue; /* a sample of the ciphertext is enough */
		memcpy(copy, pkt, pkt_len);
		copy[k] ^= k < 16 ? 0x80 : 0x01; /* counters stay inside the window */
		assert_int_equal(open_one(t, &t->kp_r, copy, pkt_len, NOW), WG_BAD_DATA_TAG);
	}
	/* A forged counter far ahead: refused, and the window stays where it was. */
	memcpy(copy, pkt, pkt_len);
	copy[8 + 5] ^= 0x01; /* + 2^40 */
	assert_int_equal(open_one(t, &t->kp_r, copy, pkt_len, NOW), WG_BAD_DATA_TAG);
	assert_true(t->kp_r.replay.counter < (1ULL << 40));
	assert_int_equal(open_one(t, &t->kp_r, pkt, pkt_len, NOW), WG_OK);
	free(copy);
	free(pkt);
}

static void test_replayed(void **state)
{
	struct tunnel *t = *state;
	struct wg_aead_op ops[2];
	uint32_t pkt_len, len2;
	uint8_t *pkt = seal_one(t, &t->kp_i, 40, 0, &pkt_len, NULL);
	uint8_t *copy = malloc(pkt_len), *twin = malloc(pkt_len), *late;

	assert_non_null(copy);
	assert_non_null(twin);
	memcpy(copy, pkt, pkt_len);
	memcpy(twin, pkt, pkt_len);
	assert_int_equal(open_one(t, &t->kp_r, pkt, pkt_len, NOW), WG_OK);
	assert_int_equal(open_one(t, &t->kp_r, copy, pkt_len, NOW), WG_REPLAYED_COUNTER);

	/* Two copies in one burst: both decrypt, only the first is accepted. */
	free(pkt);
	pkt = seal_one(t, &t->kp_i, 40, 0, &pkt_len, NULL);
	memcpy(copy, pkt, pkt_len);
	assert_int_equal(wg_transport_open_prepare(&t->kp_r, pkt, pkt_len, NOW, &ops[0]), WG_OK);
	assert_int_equal(wg_transport_open_prepare(&t->kp_r, copy, pkt_len, NOW, &ops[1]), WG_OK);
	assert_int_equal(wg_aead_open_burst(t->aead, ops, 2), 2);
	assert_int_equal(wg_transport_open_finish(&t->kp_r, &ops[0]), WG_OK);
	assert_int_equal(wg_transport_open_finish(&t->kp_r, &ops[1]), WG_REPLAYED_COUNTER);

	/* Too old for the window: refused before any decryption. */
	late = seal_one(t, &t->kp_i, 40, 0, &len2, NULL);
	t->kp_i.send_counter += W + 1;
	free(pkt);
	pkt = seal_one(t, &t->kp_i, 40, 0, &pkt_len, NULL);
	assert_int_equal(open_one(t, &t->kp_r, pkt, pkt_len, NOW), WG_OK);
	assert_int_equal(open_one(t, &t->kp_r, late, len2, NOW), WG_REPLAYED_COUNTER);
	free(late);
	free(twin);
	free(copy);
	free(pkt);
}

static void test_expired_and_missing(void **state)
{
	struct tunnel *t = *state;
	struct wg_keypair kp = t->kp_i, rx = t->kp_r;
	struct wg_aead_op op;
	uint8_t pkt[64] = { 0 };
	uint32_t len;
	uint8_t *p;

	/* REJECT_AFTER_TIME after the session began, for both directions. */
	assert_int_equal(wg_transport_seal_prepare(&kp, pkt, 0, 0, SEC(1) + SEC(180), &op, &len),
			 WG_KEY_EXPIRED);
	p = seal_one(t, &kp, 0, 0, &len, NULL);
	assert_int_equal(open_one(t, &rx, p, len, SEC(1) + SEC(180)), WG_KEY_EXPIRED);
	assert_int_equal(open_one(t, &rx, p, len, SEC(1) + SEC(180) - 1), WG_OK);
	free(p);
	/* REJECT_AFTER_MESSAGES: the last nonce is usable, the next is not. */
	kp.send_counter = WG_REJECT_AFTER_MESSAGES - 1;
	p = seal_one(t, &kp, 0, 0, &len, NULL);
	assert_int_equal(wg_transport_counter(p), WG_REJECT_AFTER_MESSAGES - 1);
	assert_int_equal(open_one(t, &rx, p, len, NOW), WG_OK);
	free(p);
	assert_int_equal(wg_transport_seal_prepare(&kp, pkt, 0, 0, NOW, &op, &len), WG_KEY_EXPIRED);
	/* A forged counter at the limit is refused before decryption. */
	kp.send_counter = WG_REJECT_AFTER_MESSAGES + 5;
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = WG_MSG_DATA;
	memset(pkt + 8, 0xff, 8);
	assert_int_equal(wg_transport_open_prepare(&rx, pkt, 32, NOW, &op), WG_REPLAYED_COUNTER);
	/* No keypair, or one not valid. */
	assert_int_equal(wg_transport_seal_prepare(NULL, pkt, 0, 0, NOW, &op, &len), WG_NO_KEY);
	assert_int_equal(wg_transport_open_prepare(NULL, pkt, 32, NOW, &op), WG_NO_KEY);
	kp.valid = false;
	assert_int_equal(wg_transport_seal_prepare(&kp, pkt, 0, 0, NOW, &op, &len), WG_NO_KEY);
	rx.valid = false;
	assert_int_equal(wg_transport_open_prepare(&rx, pkt, 32, NOW, &op), WG_NO_KEY);
}

static void test_open_short(void **state)
{
	struct tunnel *t = *state;
	struct wg_aead_op op;
	uint32_t len;

	for (len = 0; len < WG_MSG_DATA_MIN_LEN; len++) {
		uint8_t *p = malloc(len ? len : 1);

		assert_non_null(p);
		memset(p, 0, len);
		assert_int_equal(wg_transport_open_prepare(&t->kp_r, p, len, NOW, &op),
				 WG_BAD_SIZE);
		free(p);
	}
}

/* The first keepalive of the Python reference's handshake (handshake_vectors.h). */
static void test_vector_keepalive(void **state)
{
	struct tunnel *t = *state;
	const struct hs_vector *v = &hs_vectors[1];
	struct wg_keypair tx = { .valid = true, .remote_index = HS_VEC_INDEX_R };
	struct wg_keypair rx = { .valid = true, .local_index = HS_VEC_INDEX_R };
	struct wg_aead_op op;
	uint8_t pkt[32];
	uint32_t len;

	memcpy(tx.send_key, v->t_send_i, WG_KEY_LEN);
	memcpy(rx.recv_key, v->t_send_i, WG_KEY_LEN);
	assert_int_equal(wg_transport_seal_prepare(&tx, pkt, 0, 1420, 0, &op, &len), WG_OK);
	assert_int_equal(wg_aead_seal_burst(t->aead, &op, 1), 1);
	assert_int_equal(len, 32);
	assert_memory_equal(pkt, v->keepalive, 32);
	memcpy(pkt, v->keepalive, 32);
	assert_int_equal(open_one(t, &rx, pkt, 32, 0), WG_OK);
}

static void test_inner_len(void **state)
{
	static const struct {
		uint8_t b0;     /* version / IHL */
		uint16_t field; /* IPv4 total length or IPv6 payload length */
		uint32_t payload_len;
		int want;
	} c[] = {
		/*  1 */ { 0x45, 20, 20, 20 },
		/*  2 */ { 0x45, 20, 32, 20 },
		/*  3 */ { 0x45, 84, 96, 84 },
		/*  4 */ { 0x45, 97, 96, -1 },
		/*  5 */ { 0x45, 19, 96, -1 },
		/*  6 */ { 0x45, 0, 96, -1 },
		/*  7 */ { 0x45, 20, 19, -1 },
		/*  8 */ { 0x44, 20, 32, -1 },
		/*  9 */ { 0x46, 24, 32, 24 },
		/* 10 */ { 0x46, 23, 32, -1 },
		/* 11 */ { 0x4f, 60, 64, 60 },
		/* 12 */ { 0x4f, 40, 64, -1 },
		/* 13 */ { 0x40, 20, 32, -1 },
		/* 14 */ { 0x45, 65535, 65535, 65535 },
		/* 15 */ { 0x60, 0, 40, 40 },
		/* 16 */ { 0x60, 0, 48, 40 },
		/* 17 */ { 0x60, 1240, 1280, 1280 },
		/* 18 */ { 0x60, 1241, 1280, -1 },
		/* 19 */ { 0x60, 0, 39, -1 },
		/* 20 */ { 0x6f, 8, 64, 48 },
		/* 21 */ { 0x60, 65535, 65575, 65575 },
		/* 22 */ { 0x00, 0, 32, -1 },
		/* 23 */ { 0x50, 20, 32, -1 },
		/* 24 */ { 0xf5, 20, 32, -1 },
		/* 25 */ { 0x45, 20, 1, -1 },
		/* 26 */ { 0x60, 0, 1, -1 },
	};
	uint64_t s = 0x2545f4914f6cdd1dULL;
	unsigned k;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(c); k++) {
		uint8_t *p = calloc(1, c[k].payload_len);
		int got;

		assert_non_null(p);
		p[0] = c[k].b0;
		if (c[k].payload_len >= 6) {
			unsigned off = (c[k].b0 >> 4) == 6 ? 4 : 2;

			p[off] = (uint8_t)(c[k].field >> 8);
			p[off + 1] = (uint8_t)c[k].field;
		}
		got = wg_transport_inner_len(p, c[k].payload_len);
		if (got != c[k].want)
			fail_msg("case %u: got %d, want %d", k + 1, got, c[k].want);
		free(p);
	}
	assert_int_equal(wg_transport_inner_len(NULL, 0), 0);
	/* Garbage of every length: -1 or a length that fits, never a crash. */
	for (k = 0; k < 20000; k++) {
		uint32_t len = (uint32_t)(k % 120), j;
		uint8_t *p = malloc(len ? len : 1);
		int got;

		assert_non_null(p);
		for (j = 0; j < len; j++) {
			s ^= s << 13, s ^= s >> 7, s ^= s << 17;
			p[j] = (uint8_t)s;
		}
		if (len && k % 3 == 0)
			p[0] = (uint8_t)((k % 2 ? 0x40 : 0x60) | (p[0] & 0x0f));
		got = wg_transport_inner_len(p, len);
		assert_true(got == -1 || (got >= 0 && (uint32_t)got <= len));
		assert_true(len != 0 || got == 0);
		free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_padding_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keepalive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replayed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expired_and_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_short, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vector_keepalive, setup, teardown),
		cmocka_unit_test(test_inner_len),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

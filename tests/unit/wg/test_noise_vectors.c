/* SPDX-License-Identifier: MIT */
/*
 * Known-answer handshake: gen_handshake_vectors.py, an independent Python
 * implementation of the WireGuard paper (section 5.4) on OpenSSL's X25519
 * and ChaCha20-Poly1305, fixed every input (static, ephemeral and preshared
 * keys, indices, time) and recorded every output in handshake_vectors.h.
 * lib/wg must produce the same bytes when libsodium's randombytes hands it
 * the same ephemeral keys, must accept the reference's messages, and must
 * derive the same transport keys. Run without and with a preshared key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "handshake_vectors.h"
#include "wg/cookie.h"
#include "wg/noise.h"
#include "wg_test_util.h"

static const uint8_t src[] = { 203, 0, 113, 7, 0xca, 0x6c };

struct kat {
	struct wg_static_identity id_i, id_r;
	struct wg_handshake hs_i, hs_r;
	struct wg_cookie cookie_i, cookie_r;
	struct wg_cookie_checker checker_i, checker_r;
};

static void kat_setup(struct kat *k, const struct hs_vector *v)
{
	static const uint8_t zero[WG_KEY_LEN];
	const uint8_t *psk = memcmp(v->psk, zero, WG_KEY_LEN) ? v->psk : NULL;

	memset(k, 0, sizeof(*k));
	assert_true(wg_identity_init(&k->id_i, v->s_i));
	assert_true(wg_identity_init(&k->id_r, v->s_r));
	assert_int_equal(wg_handshake_init(&k->hs_i, &k->id_i, k->id_r.public_key, psk), WG_OK);
	assert_int_equal(wg_handshake_init(&k->hs_r, &k->id_r, k->id_i.public_key, psk), WG_OK);
	wg_cookie_init(&k->cookie_i, k->id_r.public_key);
	wg_cookie_init(&k->cookie_r, k->id_i.public_key);
	wg_cookie_checker_init(&k->checker_i, k->id_i.public_key);
	wg_cookie_checker_init(&k->checker_r, k->id_r.public_key);
}

/* lib/wg as initiator, byte for byte. */
static void initiator_matches(const struct hs_vector *v)
{
	struct wg_msg_initiation m;
	uint8_t ts[WG_TIMESTAMP_LEN];
	struct kat k;

	kat_setup(&k, v);
	wg_tai64n(ts, HS_VEC_UNIX_NS);
	wgt_random_script(v->e_i, WG_KEY_LEN);
	assert_int_equal(wg_noise_create_initiation(&k.hs_i, &m, ts, HS_VEC_INDEX_I), WG_OK);
	wg_cookie_add_macs(&k.cookie_i, &m, sizeof(m), SEC(1));
	assert_memory_equal(&m, v->initiation, sizeof(m));
}

/* lib/wg as responder: accepts the reference's initiation, answers byte for byte. */
static void responder_matches(const struct hs_vector *v)
{
	struct wgt_peers peers;
	struct wg_handshake *found = NULL;
	struct wg_msg_response m;
	struct wg_keypair kp;
	struct kat k;

	kat_setup(&k, v);
	peers = (struct wgt_peers){ .hs = { &k.hs_r }, .n = 1 };
	assert_int_equal(wg_cookie_validate(&k.checker_r, v->initiation, sizeof(v->initiation), src,
					    sizeof(src), false, SEC(1)),
			 WG_OK);
	assert_int_equal(wg_noise_consume_initiation((const void *)v->initiation, &k.id_r,
						     wgt_lookup, &peers, SEC(1), &found),
			 WG_OK);
	assert_ptr_equal(found, &k.hs_r);
	assert_int_equal(k.hs_r.remote_index, HS_VEC_INDEX_I);
	wgt_random_script(v->e_r, WG_KEY_LEN);
	assert_int_equal(wg_noise_create_response(&k.hs_r, &m, HS_VEC_INDEX_R), WG_OK);
	wg_cookie_add_macs(&k.cookie_r, &m, sizeof(m), SEC(1));
	assert_memory_equal(&m, v->response, sizeof(m));

	assert_int_equal(wg_noise_begin_session(&k.hs_r, &kp, SEC(1)), WG_OK);
	assert_memory_equal(kp.recv_key, v->t_send_i, WG_KEY_LEN);
	assert_memory_equal(kp.send_key, v->t_recv_i, WG_KEY_LEN);
	assert_int_equal(kp.local_index, HS_VEC_INDEX_R);
	assert_int_equal(kp.remote_index, HS_VEC_INDEX_I);
	assert_false(kp.i_am_the_initiator);
}

/* lib/wg as initiator: accepts the reference's response, same transport keys. */
static void initiator_session_matches(const struct hs_vector *v)
{
	struct wg_msg_initiation m;
	uint8_t ts[WG_TIMESTAMP_LEN];
	struct wg_keypair kp;
	struct kat k;

	kat_setup(&k, v);
	wg_tai64n(ts, HS_VEC_UNIX_NS);
	wgt_random_script(v->e_i, WG_KEY_LEN);
	assert_int_equal(wg_noise_create_initiation(&k.hs_i, &m, ts, HS_VEC_INDEX_I), WG_OK);
	assert_int_equal(wg_cookie_validate(&k.checker_i, v->response, sizeof(v->response), src,
					    sizeof(src), false, SEC(1)),
			 WG_OK);
	assert_int_equal(wg_noise_consume_response((const void *)v->response, &k.hs_i), WG_OK);
	assert_int_equal(wg_noise_begin_session(&k.hs_i, &kp, SEC(1)), WG_OK);
	assert_memory_equal(kp.send_key, v->t_send_i, WG_KEY_LEN);
	assert_memory_equal(kp.recv_key, v->t_recv_i, WG_KEY_LEN);
	assert_int_equal(kp.local_index, HS_VEC_INDEX_I);
	assert_int_equal(kp.remote_index, HS_VEC_INDEX_R);
	assert_true(kp.i_am_the_initiator);
}

static void test_vectors_initiator_bytes(void **state)
{
	(void)state;
	initiator_matches(&hs_vectors[0]);
	initiator_matches(&hs_vectors[1]);
}

static void test_vectors_responder_bytes(void **state)
{
	(void)state;
	responder_matches(&hs_vectors[0]);
	responder_matches(&hs_vectors[1]);
}

static void test_vectors_initiator_session(void **state)
{
	(void)state;
	initiator_session_matches(&hs_vectors[0]);
	initiator_session_matches(&hs_vectors[1]);
}

/* The reference's response under the other vector's psk must not verify. */
static void test_vectors_psk_matters(void **state)
{
	struct wg_msg_initiation m;
	uint8_t ts[WG_TIMESTAMP_LEN];
	struct kat k;

	(void)state;
	kat_setup(&k, &hs_vectors[1]);
	wg_tai64n(ts, HS_VEC_UNIX_NS);
	wgt_random_script(hs_vectors[1].e_i, WG_KEY_LEN);
	assert_int_equal(wg_noise_create_initiation(&k.hs_i, &m, ts, HS_VEC_INDEX_I), WG_OK);
	assert_int_equal(wg_noise_consume_response((const void *)hs_vectors[0].response, &k.hs_i),
			 WG_BAD_EMPTY_TAG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors_initiator_bytes),
		cmocka_unit_test(test_vectors_responder_bytes),
		cmocka_unit_test(test_vectors_initiator_session),
		cmocka_unit_test(test_vectors_psk_matters),
	};

	/* Before anything calls sodium_init(): ephemeral keys come from the script. */
	wgt_random_install();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

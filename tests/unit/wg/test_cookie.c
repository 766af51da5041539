/* SPDX-License-Identifier: MIT */
/*
 * mac1, mac2 and cookie replies (cookie.h; WireGuard paper, section 5.4.7).
 * Every MAC is also recomputed here with libb2 and libsodium directly, from
 * the paper's definitions, as a naive reference:
 *   mac1   = MAC(HASH("mac1----" || S_pub_receiver), msg[0:len-32])
 *   cookie = XAEAD(HASH("cookie--" || S_pub_receiver), nonce, tau, mac1)
 *   mac2   = MAC(tau, msg[0:len-16])
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <blake2.h>
#include <cmocka.h>
#include <sodium.h>

#include "wg/cookie.h"
#include "wg/noise.h"
#include "wg/parse.h"
#include "wg_test_util.h"

static const uint8_t src_a[] = { 192, 0, 2, 1, 0xca, 0x6c };    /* 192.0.2.1:51820 */
static const uint8_t src_a2[] = { 192, 0, 2, 1, 0xca, 0x6d };   /* other port */
static const uint8_t src_b[] = { 198, 51, 100, 9, 0xca, 0x6c }; /* other address */

static void ref_key(uint8_t out[32], const char *label, const uint8_t pub[32])
{
	uint8_t in[8 + 32];

	memcpy(in, label, 8);
	memcpy(in + 8, pub, 32);
	blake2s(out, in, NULL, 32, sizeof(in), 0);
}

static void ref_mac(uint8_t out[16], const uint8_t *key, size_t key_len, const void *in, size_t len)
{
	blake2s(out, in, key, 16, len, key_len);
}

/* The cookie inside a reply, opened with the reference's key and AD. */
static bool ref_open_cookie(uint8_t tau[16], const struct wg_msg_cookie *reply,
			    const uint8_t receiver_pub[32], const uint8_t mac1[16])
{
	uint8_t key[32];

	ref_key(key, "cookie--", receiver_pub);
	return crypto_aead_xchacha20poly1305_ietf_decrypt(tau, NULL, NULL, reply->encrypted_cookie,
							  sizeof(reply->encrypted_cookie), mac1, 16,
							  reply->nonce, key) == 0;
}

/* A fresh initiation from i to r, MACs added at now. */
static void initiation(struct wgt_side *i, struct wg_msg_initiation *m, uint64_t now)
{
	uint8_t ts[WG_TIMESTAMP_LEN];

	wg_tai64n(ts, now);
	assert_int_equal(wg_noise_create_initiation(&i->hs, m, ts, 0x77), WG_OK);
	wg_cookie_add_macs(&i->cookie, m, sizeof(*m), now);
}

static enum wg_result validate(struct wgt_side *r, const void *m, size_t len, const uint8_t *src,
			       bool load, uint64_t now)
{
	return wg_cookie_validate(&r->checker, m, len, src, sizeof(src_a), load, now);
}

/* Flip every byte in turn: mac1 covers all bytes before mac2. */
static void flip_every_byte(struct wgt_side *r, uint8_t *m, size_t len)
{
	size_t k;

	for (k = 0; k < len; k++) {
		enum wg_result want = k < len - WG_MAC_LEN ? WG_BAD_MAC1 : WG_OK;

		m[k] ^= 0xff;
		if (validate(r, m, len, src_a, false, 0) != want)
			fail_msg("byte %zu of %zu flipped: want %s", k, len, wg_result_name(want));
		m[k] ^= 0xff;
	}
	assert_int_equal(validate(r, m, len, src_a, false, 0), WG_OK);
}

static void test_mac1(void **state)
{
	struct wgt_side i, r, x, other;
	struct wg_msg_initiation m;
	struct wg_msg_response resp;
	struct wgt_peers peers;
	struct wg_handshake *found;
	uint8_t key[32], mac[16];

	(void)state;
	wgt_pair(&i, &r, 0x10, 0x40, NULL, NULL);
	initiation(&i, &m, SEC(1));
	ref_key(key, "mac1----", r.id.public_key);
	ref_mac(mac, key, 32, &m, offsetof(struct wg_msg_initiation, macs));
	assert_memory_equal(m.macs.mac1, mac, 16);
	assert_memory_equal(i.cookie.last_mac1_sent, mac, 16);
	assert_int_equal(validate(&r, &m, sizeof(m), src_a, false, 0), WG_OK);
	flip_every_byte(&r, (uint8_t *)&m, sizeof(m));

	/* mac1 is keyed to the receiver: another identity's checker refuses it. */
	wgt_pair(&x, &other, 0x10, 0x90, NULL, NULL);
	assert_int_equal(validate(&other, &m, sizeof(m), src_a, false, 0), WG_BAD_MAC1);

	/* The response's mac1 is keyed to the initiator. */
	peers = (struct wgt_peers){ .hs = { &r.hs }, .n = 1 };
	assert_int_equal(wg_noise_consume_initiation(&m, &r.id, wgt_lookup, &peers, 0, &found),
			 WG_OK);
	assert_int_equal(wg_noise_create_response(&r.hs, &resp, 0x88), WG_OK);
	wg_cookie_add_macs(&r.cookie, &resp, sizeof(resp), SEC(1));
	ref_key(key, "mac1----", i.id.public_key);
	ref_mac(mac, key, 32, &resp, offsetof(struct wg_msg_response, macs));
	assert_memory_equal(resp.macs.mac1, mac, 16);
	assert_int_equal(validate(&i, &resp, sizeof(resp), src_a, false, 0), WG_OK);
	assert_int_equal(validate(&r, &resp, sizeof(resp), src_a, false, 0), WG_BAD_MAC1);
	flip_every_byte(&i, (uint8_t *)&resp, sizeof(resp));
}

/* Under load: refuse, reply with a cookie, retry with mac2, accepted. */
static void test_cookie_round_trip(void **state)
{
	static const uint8_t zero[16];
	struct wgt_side i, r;
	struct wg_msg_initiation m, m2;
	struct wg_msg_cookie reply;
	enum wg_message_type type;
	uint8_t tau[16], mac[16];

	(void)state;
	wgt_pair(&i, &r, 0x10, 0x40, NULL, NULL);
	initiation(&i, &m, SEC(10));
	assert_memory_equal(m.macs.mac2, zero, 16); /* no cookie yet: mac2 is zero */
	assert_int_equal(validate(&r, &m, sizeof(m), src_a, false, SEC(10)), WG_OK);
	assert_int_equal(validate(&r, &m, sizeof(m), src_a, true, SEC(10)), WG_NEED_COOKIE);

	wg_cookie_reply_create(&r.checker, &reply, &m, sizeof(m), 0x77, src_a, sizeof(src_a),
			       SEC(10));
	assert_int_equal(wg_message_parse(&reply, sizeof(reply), &type), WG_OK);
	assert_int_equal(type, WG_MSG_HANDSHAKE_COOKIE);
	assert_int_equal(reply.receiver_index, 0x77);
	/* Reference: the reply opens under HASH("cookie--" || S_r) with mac1 as AD. */
	assert_true(ref_open_cookie(tau, &reply, r.id.public_key, m.macs.mac1));

	assert_int_equal(wg_cookie_consume_reply(&i.cookie, &reply, SEC(11)), WG_OK);
	/* The same reply a second time: no mac1 outstanding any more. */
	assert_int_equal(wg_cookie_consume_reply(&i.cookie, &reply, SEC(11)), WG_NO_MAC1_SENT);
	initiation(&i, &m2, SEC(12));
	ref_mac(mac, tau, 16, &m2, offsetof(struct wg_msg_initiation, macs.mac2));
	assert_memory_equal(m2.macs.mac2, mac, 16);
	assert_int_equal(validate(&r, &m2, sizeof(m2), src_a, true, SEC(12)), WG_OK);
	assert_int_equal(validate(&r, &m2, sizeof(m2), src_a, false, SEC(12)), WG_OK);
	/* mac1 is checked first, under load too: a bad one is not worth a cookie. */
	m2.macs.mac1[0] ^= 1;
	assert_int_equal(validate(&r, &m2, sizeof(m2), src_a, true, SEC(12)), WG_BAD_MAC1);
	m2.macs.mac1[0] ^= 1;
	/* A wrong mac2 matters only under load. */
	m2.macs.mac2[3] ^= 1;
	assert_int_equal(validate(&r, &m2, sizeof(m2), src_a, true, SEC(12)), WG_NEED_COOKIE);
	assert_int_equal(validate(&r, &m2, sizeof(m2), src_a, false, SEC(12)), WG_OK);
	/* The reply was for m, and m2 is outstanding now: its tag no longer verifies. */
	assert_int_equal(wg_cookie_consume_reply(&i.cookie, &reply, SEC(13)), WG_BAD_COOKIE_TAG);
}

static void test_cookie_reply_refused(void **state)
{
	struct wgt_side i, r, x, other;
	struct wg_msg_initiation m1, m2;
	struct wg_msg_cookie reply, bad;
	struct wg_cookie before;
	unsigned k;

	(void)state;
	wgt_pair(&i, &r, 0x10, 0x40, NULL, NULL);
	/* Nothing sent yet. */
	memset(&m1, 0, sizeof(m1));
	wg_cookie_reply_create(&r.checker, &reply, &m1, sizeof(m1), 1, src_a, sizeof(src_a), 0);
	assert_int_equal(wg_cookie_consume_reply(&i.cookie, &reply, 0), WG_NO_MAC1_SENT);

	/* A reply to m1 after m2 was sent: AD is the wrong mac1. */
	initiation(&i, &m1, SEC(1));
	wg_cookie_reply_create(&r.checker, &reply, &m1, sizeof(m1), 1, src_a, sizeof(src_a),
			       SEC(1));
	initiation(&i, &m2, SEC(2));
	memcpy(&before, &i.cookie, sizeof(before));
	assert_int_equal(wg_cookie_consume_reply(&i.cookie, &reply, SEC(2)), WG_BAD_COOKIE_TAG);
	assert_memory_equal(&before, &i.cookie, sizeof(before));

	/* Every bit of nonce and encrypted cookie matters. */
	wg_cookie_reply_create(&r.checker, &reply, &m2, sizeof(m2), 1, src_a, sizeof(src_a),
			       SEC(2));
	for (k = 0; k < 8 * (WG_COOKIE_NONCE_LEN + WG_COOKIE_LEN + WG_AEAD_TAG_LEN); k++) {
		uint8_t *p = (uint8_t *)&bad + offsetof(struct wg_msg_cookie, nonce);

		bad = reply;
		p[k / 8] ^= (uint8_t)(1u << (k % 8));
		assert_int_equal(wg_cookie_consume_reply(&i.cookie, &bad, SEC(2)),
				 WG_BAD_COOKIE_TAG);
	}
	assert_memory_equal(&before.cookie, &i.cookie.cookie, sizeof(before.cookie));
	assert_false(i.cookie.is_valid);

	/* Encrypted to another identity's key (a forger who does not know S_r). */
	wgt_pair(&x, &other, 0x10, 0x90, NULL, NULL);
	wg_cookie_reply_create(&other.checker, &bad, &m2, sizeof(m2), 1, src_a, sizeof(src_a),
			       SEC(2));
	assert_int_equal(wg_cookie_consume_reply(&i.cookie, &bad, SEC(2)), WG_BAD_COOKIE_TAG);
	/* The genuine one still works after all that. */
	assert_int_equal(wg_cookie_consume_reply(&i.cookie, &reply, SEC(2)), WG_OK);
	assert_true(i.cookie.is_valid);
}

/* The initiator under load: the same dance for a response, in the other direction. */
static void test_cookie_round_trip_response(void **state)
{
	struct wgt_side i, r;
	struct wg_msg_initiation m;
	struct wg_msg_response resp;
	struct wg_msg_cookie reply;
	struct wgt_peers peers;
	struct wg_handshake *found;

	(void)state;
	wgt_pair(&i, &r, 0x10, 0x40, NULL, NULL);
	initiation(&i, &m, SEC(1));
	peers = (struct wgt_peers){ .hs = { &r.hs }, .n = 1 };
	assert_int_equal(wg_noise_consume_initiation(&m, &r.id, wgt_lookup, &peers, 0, &found),
			 WG_OK);
	assert_int_equal(wg_noise_create_response(&r.hs, &resp, 0x88), WG_OK);
	wg_cookie_add_macs(&r.cookie, &resp, sizeof(resp), SEC(1));
	assert_int_equal(validate(&i, &resp, sizeof(resp), src_b, true, SEC(1)), WG_NEED_COOKIE);
	wg_cookie_reply_create(&i.checker, &reply, &resp, sizeof(resp), 0x88, src_b, sizeof(src_b),
			       SEC(1));
	/* The initiator's own cookie state is not the one this reply is for. */
	assert_int_equal(wg_cookie_consume_reply(&i.cookie, &reply, SEC(1)), WG_BAD_COOKIE_TAG);
	assert_int_equal(wg_cookie_consume_reply(&r.cookie, &reply, SEC(1)), WG_OK);
	wg_cookie_add_macs(&r.cookie, &resp, sizeof(resp), SEC(2));
	assert_int_equal(validate(&i, &resp, sizeof(resp), src_b, true, SEC(2)), WG_OK);
}

/* The cookie is bound to the source address and port it was given to. */
static void test_cookie_source_bound(void **state)
{
	struct wgt_side i, r;
	struct wg_msg_initiation m;
	struct wg_msg_cookie reply;

	(void)state;
	wgt_pair(&i, &r, 0x10, 0x40, NULL, NULL);
	initiation(&i, &m, SEC(1));
	wg_cookie_reply_create(&r.checker, &reply, &m, sizeof(m), 0x77, src_a, sizeof(src_a),
			       SEC(1));
	assert_int_equal(wg_cookie_consume_reply(&i.cookie, &reply, SEC(1)), WG_OK);
	initiation(&i, &m, SEC(2));
	assert_int_equal(validate(&r, &m, sizeof(m), src_a, true, SEC(2)), WG_OK);
	assert_int_equal(validate(&r, &m, sizeof(m), src_b, true, SEC(2)), WG_NEED_COOKIE);
	assert_int_equal(validate(&r, &m, sizeof(m), src_a2, true, SEC(2)), WG_NEED_COOKIE);
}

/* The checker's secret lives 120 s; the sender trusts a cookie for 115 s. */
static void test_cookie_ageing(void **state)
{
	static const uint8_t zero[16];
	struct wgt_side i, r;
	struct wg_msg_initiation m;
	struct wg_msg_cookie reply;
	const uint64_t t0 = SEC(1000);

	(void)state;
	wgt_pair(&i, &r, 0x10, 0x40, NULL, NULL);
	initiation(&i, &m, t0);
	/* The secret is born with the first cookie made under load, at t0. */
	assert_int_equal(validate(&r, &m, sizeof(m), src_a, true, t0), WG_NEED_COOKIE);
	wg_cookie_reply_create(&r.checker, &reply, &m, sizeof(m), 0x77, src_a, sizeof(src_a), t0);
	assert_int_equal(wg_cookie_consume_reply(&i.cookie, &reply, t0), WG_OK);

	/* Sender side: mac2 until 115 s after the cookie arrived, then zero. */
	initiation(&i, &m, t0 + SEC(115) - 1);
	assert_memory_not_equal(m.macs.mac2, zero, 16);
	assert_int_equal(validate(&r, &m, sizeof(m), src_a, true, t0 + SEC(120) - 1), WG_OK);
	/* Receiver side: at 120 s the secret rotates and the old cookie dies. */
	assert_int_equal(validate(&r, &m, sizeof(m), src_a, true, t0 + SEC(120)), WG_NEED_COOKIE);
	initiation(&i, &m, t0 + SEC(115));
	assert_memory_equal(m.macs.mac2, zero, 16);
	assert_int_equal(validate(&r, &m, sizeof(m), src_a, false, t0 + SEC(115)), WG_OK);

	/* A new cookie after the rotation is good again. */
	wg_cookie_reply_create(&r.checker, &reply, &m, sizeof(m), 0x77, src_a, sizeof(src_a),
			       t0 + SEC(121));
	assert_int_equal(wg_cookie_consume_reply(&i.cookie, &reply, t0 + SEC(121)), WG_OK);
	initiation(&i, &m, t0 + SEC(122));
	assert_int_equal(validate(&r, &m, sizeof(m), src_a, true, t0 + SEC(122)), WG_OK);
	/* Another full MAX_AGE later it rotates again. */
	assert_int_equal(validate(&r, &m, sizeof(m), src_a, true, t0 + SEC(240) - 1), WG_OK);
	assert_int_equal(validate(&r, &m, sizeof(m), src_a, true, t0 + SEC(240)), WG_NEED_COOKIE);
}

/* A cookie made at time 0 of a test clock is not mistaken for "none". */
static void test_cookie_at_time_zero(void **state)
{
	struct wgt_side i, r;
	struct wg_msg_initiation m;
	struct wg_msg_cookie reply;

	(void)state;
	wgt_pair(&i, &r, 0x10, 0x40, NULL, NULL);
	initiation(&i, &m, 0);
	wg_cookie_reply_create(&r.checker, &reply, &m, sizeof(m), 0x77, src_a, sizeof(src_a), 0);
	assert_int_equal(wg_cookie_consume_reply(&i.cookie, &reply, 0), WG_OK);
	initiation(&i, &m, 0);
	assert_int_equal(validate(&r, &m, sizeof(m), src_a, true, 0), WG_OK);
	assert_int_equal(validate(&r, &m, sizeof(m), src_a, true, SEC(60)), WG_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mac1),
		cmocka_unit_test(test_cookie_round_trip),
		cmocka_unit_test(test_cookie_round_trip_response),
		cmocka_unit_test(test_cookie_reply_refused),
		cmocka_unit_test(test_cookie_source_bound),
		cmocka_unit_test(test_cookie_ageing),
		cmocka_unit_test(test_cookie_at_time_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

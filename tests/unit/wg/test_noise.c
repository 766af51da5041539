/* SPDX-License-Identifier: MIT */
/*
 * The handshake (noise.h) between two real identities: both sides derive
 * the same keys, indices cross over; then every consumer is fed bad input
 * and must give its own wg_result and leave the handshake state untouched.
 * The byte-exact check against an independent implementation is in
 * test_noise_vectors.c.
 */
#include <endian.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wg/noise.h"
#include "wg_test_util.h"

#define T0 (1700000000ULL * WG_NSEC_PER_SEC) /* wall clock of the tests */

static const uint8_t psk_a[WG_KEY_LEN] = { 0xa1, 0xa2, 0xa3, [31] = 0xaf };
static const uint8_t psk_b[WG_KEY_LEN] = { 0xb1, 0xb2, 0xb3, [31] = 0xbf };

/* An initiation from i, stamped with wall-clock unix_ns. */
static void make_init(struct wgt_side *i, struct wg_msg_initiation *m, uint64_t unix_ns,
		      uint32_t index)
{
	uint8_t ts[WG_TIMESTAMP_LEN];

	wg_tai64n(ts, unix_ns);
	assert_int_equal(wg_noise_create_initiation(&i->hs, m, ts, index), WG_OK);
	assert_int_equal(i->hs.state, WG_HS_CREATED_INITIATION);
}

static enum wg_result consume_init(struct wgt_side *r, const struct wg_msg_initiation *m,
				   uint64_t now)
{
	struct wgt_peers peers = { .hs = { &r->hs }, .n = 1 };
	struct wg_handshake *found = NULL;
	enum wg_result ret =
		wg_noise_consume_initiation(m, &r->id, wgt_lookup, &peers, now, &found);

	if (ret == WG_OK)
		assert_ptr_equal(found, &r->hs);
	return ret;
}

/* A refused initiation must change nothing in the responder's handshake. */
static void refuse_init(struct wgt_side *r, const struct wg_msg_initiation *m, uint64_t now,
			enum wg_result want)
{
	struct wg_handshake before;
	enum wg_result got;

	memcpy(&before, &r->hs, sizeof(before));
	got = consume_init(r, m, now);

	if (got != want)
		fail_msg("initiation: got %s, want %s", wg_result_name(got), wg_result_name(want));
	assert_memory_equal(&before, &r->hs, sizeof(before));
}

static void refuse_resp(struct wgt_side *i, const struct wg_msg_response *m, enum wg_result want)
{
	struct wg_handshake before;
	enum wg_result got;

	memcpy(&before, &i->hs, sizeof(before));
	got = wg_noise_consume_response(m, &i->hs);

	if (got != want)
		fail_msg("response: got %s, want %s", wg_result_name(got), wg_result_name(want));
	assert_memory_equal(&before, &i->hs, sizeof(before));
}

static void check_session(const struct wg_keypair *a, const struct wg_keypair *b)
{
	assert_true(a->valid && b->valid);
	assert_true(a->i_am_the_initiator);
	assert_false(b->i_am_the_initiator);
	assert_memory_equal(a->send_key, b->recv_key, WG_KEY_LEN);
	assert_memory_equal(a->recv_key, b->send_key, WG_KEY_LEN);
	assert_memory_not_equal(a->send_key, a->recv_key, WG_KEY_LEN);
	assert_int_equal(a->remote_index, b->local_index);
	assert_int_equal(a->local_index, b->remote_index);
	assert_int_equal(a->send_counter, 0);
	assert_int_equal(b->send_counter, 0);
}

static void run_full(const uint8_t *psk_i, const uint8_t *psk_r)
{
	static const uint8_t zero[WG_KEY_LEN];
	struct wgt_side i, r;
	struct wg_msg_initiation init;
	struct wg_msg_response resp;
	struct wg_keypair kp_i, kp_r;

	wgt_pair(&i, &r, 0x10, 0x40, psk_i, psk_r);
	make_init(&i, &init, T0, 0xabcd0001);
	assert_int_equal(le32toh(init.header.type), WG_MSG_HANDSHAKE_INITIATION);
	assert_int_equal(le32toh(init.sender_index), 0xabcd0001);
	assert_int_equal(consume_init(&r, &init, SEC(1)), WG_OK);
	assert_int_equal(r.hs.state, WG_HS_CONSUMED_INITIATION);
	assert_int_equal(r.hs.remote_index, 0xabcd0001);

	assert_int_equal(wg_noise_create_response(&r.hs, &resp, 0x5eed0002), WG_OK);
	assert_int_equal(r.hs.state, WG_HS_CREATED_RESPONSE);
	assert_int_equal(le32toh(resp.header.type), WG_MSG_HANDSHAKE_RESPONSE);
	assert_int_equal(le32toh(resp.sender_index), 0x5eed0002);
	assert_int_equal(le32toh(resp.receiver_index), 0xabcd0001);

	assert_int_equal(wg_noise_consume_response(&resp, &i.hs), WG_OK);
	assert_int_equal(i.hs.state, WG_HS_CONSUMED_RESPONSE);
	assert_int_equal(wg_noise_begin_session(&i.hs, &kp_i, SEC(2)), WG_OK);
	assert_int_equal(wg_noise_begin_session(&r.hs, &kp_r, SEC(3)), WG_OK);
	check_session(&kp_i, &kp_r);
	assert_int_equal(kp_i.local_index, 0xabcd0001);
	assert_int_equal(kp_i.remote_index, 0x5eed0002);
	assert_int_equal(kp_i.birthdate_ns, SEC(2));
	assert_int_equal(kp_r.birthdate_ns, SEC(3));
	/* Ephemeral secrets are gone once the session begins. */
	assert_int_equal(i.hs.state, WG_HS_ZEROED);
	assert_int_equal(r.hs.state, WG_HS_ZEROED);
	assert_memory_equal(i.hs.ephemeral_private, zero, WG_KEY_LEN);
	assert_memory_equal(r.hs.ephemeral_private, zero, WG_KEY_LEN);
	assert_memory_equal(i.hs.chaining_key, zero, WG_HASH_LEN);
	assert_memory_equal(r.hs.chaining_key, zero, WG_HASH_LEN);
	/* The session cannot be begun twice. */
	assert_int_equal(wg_noise_begin_session(&i.hs, &kp_i, SEC(4)), WG_BAD_STATE);
}

static void test_handshake_no_psk(void **state)
{
	(void)state;
	run_full(NULL, NULL);
	run_full(NULL, (const uint8_t[WG_KEY_LEN]){ 0 }); /* all-zero psk is "no psk" */
}

static void test_handshake_psk(void **state)
{
	struct wgt_side i1, r1, i2, r2;
	struct wg_keypair a1, b1, a2, b2;

	(void)state;
	run_full(psk_a, psk_a);
	/* Same identities, different psk: different session keys. */
	wgt_pair(&i1, &r1, 0x10, 0x40, psk_a, psk_a);
	wgt_pair(&i2, &r2, 0x10, 0x40, NULL, NULL);
	assert_int_equal(wgt_handshake(&i1, &r1, T0, &a1, &b1), WG_OK);
	assert_int_equal(wgt_handshake(&i2, &r2, T0, &a2, &b2), WG_OK);
	check_session(&a1, &b1);
	assert_memory_not_equal(a1.send_key, a2.send_key, WG_KEY_LEN);
}

/*
 * Ephemeral keys made ahead: both sides' handshakes take them (newest
 * first), each is used once and wiped, the sessions still match, and an
 * empty store falls back to keys made on the spot.
 */
static void test_ephemerals(void **state)
{
	static const uint8_t zero[sizeof(struct wg_ephemeral)];
	struct wg_ephemerals ei, er;
	struct wg_ephemeral want_i, want_r;
	struct wgt_side i, r;
	struct wg_msg_initiation init;
	struct wg_msg_response resp;
	struct wg_keypair kp_i, kp_r;

	(void)state;
	assert_true(wg_ephemerals_init(&ei, 2));
	assert_true(wg_ephemerals_init(&er, 1));
	assert_true(wg_ephemerals_make_one(&ei));
	assert_true(wg_ephemerals_make_one(&ei));
	assert_false(wg_ephemerals_make_one(&ei)); /* full */
	assert_true(wg_ephemerals_make_one(&er));
	assert_memory_not_equal(ei.keys[0].public_key, ei.keys[1].public_key, WG_KEY_LEN);
	want_i = ei.keys[1];
	want_r = er.keys[0];

	wgt_pair(&i, &r, 0x10, 0x40, psk_a, psk_a);
	i.id.ephemerals = &ei;
	r.id.ephemerals = &er;
	make_init(&i, &init, T0, 1);
	assert_memory_equal(init.unencrypted_ephemeral, want_i.public_key, WG_KEY_LEN);
	assert_memory_equal(i.hs.ephemeral_private, want_i.private_key, WG_KEY_LEN);
	assert_int_equal(ei.n, 1);
	assert_memory_equal(&ei.keys[1], zero, sizeof(zero)); /* wiped when taken */
	assert_int_equal(consume_init(&r, &init, SEC(1)), WG_OK);
	assert_int_equal(wg_noise_create_response(&r.hs, &resp, 2), WG_OK);
	assert_memory_equal(resp.unencrypted_ephemeral, want_r.public_key, WG_KEY_LEN);
	assert_int_equal(er.n, 0);
	assert_int_equal(wg_noise_consume_response(&resp, &i.hs), WG_OK);
	assert_int_equal(wg_noise_begin_session(&i.hs, &kp_i, SEC(2)), WG_OK);
	assert_int_equal(wg_noise_begin_session(&r.hs, &kp_r, SEC(2)), WG_OK);
	check_session(&kp_i, &kp_r);

	/* r's store is empty now: its next response makes a key itself. */
	assert_int_equal(wgt_handshake(&i, &r, T0 + SEC(1), &kp_i, &kp_r), WG_OK);
	check_session(&kp_i, &kp_r);
	assert_int_equal(ei.n, 0);
	wg_ephemerals_free(&ei);
	wg_ephemerals_free(&er);
	assert_null(ei.keys);
	assert_int_equal(er.cap, 0);
}

static void test_handshake_both_directions(void **state)
{
	struct wgt_side a, b;
	struct wg_keypair kb, ka;

	(void)state;
	/* b initiates toward a: the roles are symmetric. */
	wgt_pair(&a, &b, 0x10, 0x40, psk_b, psk_b);
	assert_int_equal(wgt_handshake(&b, &a, T0, &kb, &ka), WG_OK);
	check_session(&kb, &ka);
	/* A second handshake the other way round, later: fresh keys. */
	{
		struct wg_keypair ka2, kb2;

		assert_int_equal(wgt_handshake(&a, &b, T0 + SEC(1), &ka2, &kb2), WG_OK);
		check_session(&ka2, &kb2);
		assert_memory_not_equal(ka2.send_key, kb.recv_key, WG_KEY_LEN);
	}
}

static void test_unknown_peer(void **state)
{
	struct wgt_side i, r, stranger, other_r, x, wrong_r;
	struct wg_msg_initiation m;

	(void)state;
	wgt_pair(&i, &r, 0x10, 0x40, NULL, NULL);
	/* r's only configured peer is "stranger", not i. */
	wgt_pair(&stranger, &other_r, 0x70, 0x40, NULL, NULL);
	make_init(&i, &m, T0, 7);
	{
		struct wgt_peers peers = { .hs = { &other_r.hs }, .n = 1 };
		struct wg_handshake before, *found = NULL;

		memcpy(&before, &other_r.hs, sizeof(before));
		assert_int_equal(wg_noise_consume_initiation(&m, &r.id, wgt_lookup, &peers, 0,
							     &found),
				 WG_UNKNOWN_PEER);
		assert_int_equal(peers.calls, 1);
		assert_null(found);
		assert_memory_equal(&before, &other_r.hs, sizeof(before));
	}
	/* Sent to the wrong responder: es differs, the static does not open. */
	wgt_pair(&x, &wrong_r, 0x10, 0x90, NULL, NULL);
	refuse_init(&wrong_r, &m, 0, WG_BAD_STATIC);
}

static void test_initiation_bit_flips(void **state)
{
	struct wgt_side i, r;
	struct wg_msg_initiation m;
	unsigned bit;

	(void)state;
	wgt_pair(&i, &r, 0x10, 0x40, NULL, NULL);
	make_init(&i, &m, T0, 9);
	for (bit = 0; bit < 8 * sizeof(m.encrypted_static); bit++) {
		m.encrypted_static[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		refuse_init(&r, &m, 0, WG_BAD_STATIC);
		m.encrypted_static[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	for (bit = 0; bit < 8 * sizeof(m.encrypted_timestamp); bit++) {
		m.encrypted_timestamp[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		refuse_init(&r, &m, 0, WG_BAD_TIMESTAMP_TAG);
		m.encrypted_timestamp[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	/* The ephemeral is hashed in, so even bit 255 (ignored by X25519) counts. */
	for (bit = 0; bit < 8 * sizeof(m.unencrypted_ephemeral); bit++) {
		m.unencrypted_ephemeral[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		refuse_init(&r, &m, 0, WG_BAD_STATIC);
		m.unencrypted_ephemeral[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	/* Untouched, it is still good: the refusals did not poison anything. */
	assert_int_equal(consume_init(&r, &m, 0), WG_OK);
}

static void test_replayed_initiation(void **state)
{
	struct wgt_side i, r;
	struct wg_msg_initiation old, m, same_ts;

	(void)state;
	wgt_pair(&i, &r, 0x10, 0x40, NULL, NULL);
	make_init(&i, &old, T0, 1);
	make_init(&i, &m, T0 + SEC(1), 2);
	make_init(&i, &same_ts, T0 + SEC(1) + MSEC(1), 3); /* same 2^24 ns bucket */
	assert_int_equal(consume_init(&r, &m, SEC(100)), WG_OK);
	refuse_init(&r, &m, SEC(101), WG_REPLAYED_TIMESTAMP);       /* the same message again */
	refuse_init(&r, &old, SEC(102), WG_REPLAYED_TIMESTAMP);     /* an older one, late */
	refuse_init(&r, &same_ts, SEC(103), WG_REPLAYED_TIMESTAMP); /* not newer */
	/* A response in flight is not disturbed by the replay. */
	assert_int_equal(r.hs.state, WG_HS_CONSUMED_INITIATION);
	assert_int_equal(r.hs.remote_index, 2);
}

static void test_initiation_flood(void **state)
{
	struct wgt_side i, r;
	struct wg_msg_initiation m1, m2, m3;

	(void)state;
	wgt_pair(&i, &r, 0x10, 0x40, NULL, NULL);
	/* Increasing timestamps, so only the arrival rate is wrong. */
	make_init(&i, &m1, T0, 1);
	make_init(&i, &m2, T0 + SEC(1), 2);
	make_init(&i, &m3, T0 + SEC(2), 3);
	assert_int_equal(consume_init(&r, &m1, SEC(50)), WG_OK);
	refuse_init(&r, &m2, SEC(50) + MSEC(10), WG_INITIATION_FLOOD);
	refuse_init(&r, &m2, SEC(50) + MSEC(20) - 1, WG_INITIATION_FLOOD);
	/* 1 / INITIATIONS_PER_SECOND after the last accepted one: fine. */
	assert_int_equal(consume_init(&r, &m2, SEC(50) + MSEC(20)), WG_OK);
	assert_int_equal(r.hs.remote_index, 2);
	refuse_init(&r, &m3, SEC(50) + MSEC(39), WG_INITIATION_FLOOD);
	assert_int_equal(consume_init(&r, &m3, SEC(50) + MSEC(40)), WG_OK);
	/* The first initiation ever is never a flood, even at time 0. */
	wgt_pair(&i, &r, 0x10, 0x40, NULL, NULL);
	make_init(&i, &m1, T0, 1);
	assert_int_equal(consume_init(&r, &m1, 0), WG_OK);
}

/* i has sent an initiation that r answered with *resp. */
static void to_response(struct wgt_side *i, struct wgt_side *r, struct wg_msg_response *resp,
			const uint8_t *psk_i, const uint8_t *psk_r)
{
	struct wg_msg_initiation m;

	wgt_pair(i, r, 0x10, 0x40, psk_i, psk_r);
	make_init(i, &m, T0, 0x1111);
	assert_int_equal(consume_init(r, &m, 0), WG_OK);
	assert_int_equal(wg_noise_create_response(&r->hs, resp, 0x2222), WG_OK);
}

static void test_response_bit_flips(void **state)
{
	struct wgt_side i, r;
	struct wg_msg_response m;
	unsigned bit;

	(void)state;
	to_response(&i, &r, &m, psk_a, psk_a);
	for (bit = 0; bit < 8 * sizeof(m.encrypted_nothing); bit++) {
		m.encrypted_nothing[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		refuse_resp(&i, &m, WG_BAD_EMPTY_TAG);
		m.encrypted_nothing[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	for (bit = 0; bit < 8 * sizeof(m.unencrypted_ephemeral); bit++) {
		m.unencrypted_ephemeral[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		refuse_resp(&i, &m, WG_BAD_EMPTY_TAG);
		m.unencrypted_ephemeral[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	for (bit = 0; bit < 32; bit++) {
		m.receiver_index ^= htole32(1u << bit);
		refuse_resp(&i, &m, WG_UNKNOWN_INDEX);
		m.receiver_index ^= htole32(1u << bit);
	}
	assert_int_equal(wg_noise_consume_response(&m, &i.hs), WG_OK);
	/* The same response again: the handshake has moved on. */
	refuse_resp(&i, &m, WG_BAD_STATE);
}

static void test_states(void **state)
{
	struct wgt_side i, r;
	struct wg_msg_response resp, resp2;
	struct wg_keypair kp;

	(void)state;
	to_response(&i, &r, &resp, NULL, NULL);
	/* A response to a handshake that never initiated (zeroed): refused. */
	refuse_resp(&r, &resp, WG_BAD_STATE); /* r is in CREATED_RESPONSE */
	{
		struct wgt_side i2, r2;

		wgt_pair(&i2, &r2, 0x10, 0x40, NULL, NULL);
		refuse_resp(&i2, &resp, WG_BAD_STATE);
		assert_int_equal(wg_noise_create_response(&r2.hs, &resp2, 1), WG_BAD_STATE);
		assert_int_equal(wg_noise_begin_session(&r2.hs, &kp, 0), WG_BAD_STATE);
	}
	/* Responding twice to one initiation is refused. */
	assert_int_equal(wg_noise_create_response(&r.hs, &resp2, 0x3333), WG_BAD_STATE);
	/* An initiator that only created an initiation has no session yet. */
	assert_int_equal(wg_noise_begin_session(&i.hs, &kp, 0), WG_BAD_STATE);
	/* A new initiation (retransmit) replaces the old one: the old response no longer fits. */
	{
		struct wg_msg_initiation again;

		make_init(&i, &again, T0 + SEC(5), 0x1111);
		refuse_resp(&i, &resp, WG_BAD_EMPTY_TAG);
	}
}

static void test_psk_mismatch(void **state)
{
	struct wgt_side i, r;
	struct wg_msg_response m;

	(void)state;
	to_response(&i, &r, &m, psk_a, psk_b);
	refuse_resp(&i, &m, WG_BAD_EMPTY_TAG);
	to_response(&i, &r, &m, psk_a, NULL);
	refuse_resp(&i, &m, WG_BAD_EMPTY_TAG);
	to_response(&i, &r, &m, NULL, psk_a);
	refuse_resp(&i, &m, WG_BAD_EMPTY_TAG);
}

/* Curve25519 points of small order (u-coordinates, little-endian hex). */
static const char *const low_order[] = {
	"0000000000000000000000000000000000000000000000000000000000000000",
	"0100000000000000000000000000000000000000000000000000000000000000",
	"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
	"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
};

static void test_bad_dh(void **state)
{
	struct wgt_side i, r;
	struct wg_msg_initiation m;
	struct wg_msg_response resp;
	struct wg_handshake hs;
	uint8_t point[WG_KEY_LEN];
	unsigned k;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(low_order); k++) {
		wgt_hex(point, WG_KEY_LEN, low_order[k]);
		wgt_pair(&i, &r, 0x10, 0x40, NULL, NULL);
		make_init(&i, &m, T0, 1);
		memcpy(m.unencrypted_ephemeral, point, WG_KEY_LEN);
		refuse_init(&r, &m, 0, WG_BAD_DH);

		to_response(&i, &r, &resp, NULL, NULL);
		memcpy(resp.unencrypted_ephemeral, point, WG_KEY_LEN);
		refuse_resp(&i, &resp, WG_BAD_DH);

		/* A peer whose static key is such a point cannot be configured. */
		assert_int_equal(wg_handshake_init(&hs, &i.id, point, NULL), WG_BAD_DH);
	}
}

static void test_tai64n(void **state)
{
	uint8_t a[WG_TIMESTAMP_LEN], b[WG_TIMESTAMP_LEN], want[WG_TIMESTAMP_LEN];
	uint64_t t;

	(void)state;
	/* TAI64 label 2^62 + 10 + seconds, then big-endian ns rounded down to 2^24. */
	wg_tai64n(a, 0);
	wgt_hex(want, sizeof(want), "400000000000000a00000000");
	assert_memory_equal(a, want, sizeof(want));
	/* 1.5 s: 500000000 ns = 0x1dcd6500, rounded down to 0x1d000000. */
	wg_tai64n(a, 1500000000ULL);
	wgt_hex(want, sizeof(want), "400000000000000b1d000000");
	assert_memory_equal(a, want, sizeof(want));
	/* python3 -c "import struct; s,n=divmod(1700000000123456789,10**9);
	 *   print(struct.pack('>QI',0x400000000000000a+s,n&~0xffffff).hex())" */
	wg_tai64n(a, 1700000000123456789ULL);
	wgt_hex(want, sizeof(want), "400000006553f10a07000000");
	assert_memory_equal(a, want, sizeof(want));
	/* Later (by more than the 2^24 ns granule) compares greater. */
	for (t = T0; t < T0 + SEC(3); t += MSEC(17)) {
		wg_tai64n(a, t);
		wg_tai64n(b, t + MSEC(17));
		assert_true(memcmp(b, a, sizeof(a)) > 0);
	}
	wg_tai64n(a, T0 + WG_NSEC_PER_SEC - 1);
	wg_tai64n(b, T0 + WG_NSEC_PER_SEC);
	assert_true(memcmp(b, a, sizeof(a)) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_no_psk),
		cmocka_unit_test(test_handshake_psk),
		cmocka_unit_test(test_ephemerals),
		cmocka_unit_test(test_handshake_both_directions),
		cmocka_unit_test(test_unknown_peer),
		cmocka_unit_test(test_initiation_bit_flips),
		cmocka_unit_test(test_replayed_initiation),
		cmocka_unit_test(test_initiation_flood),
		cmocka_unit_test(test_response_bit_flips),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_psk_mismatch),
		cmocka_unit_test(test_bad_dh),
		cmocka_unit_test(test_tai64n),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

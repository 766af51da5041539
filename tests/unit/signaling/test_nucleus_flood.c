/* SPDX-License-Identifier: MIT */
/*
 * The nucleus core under floods, on an injected clock, with its default
 * table sizes: datagrams from hundreds of thousands of spoofed sources
 * without the secret fill no per-source table (the HMAC comes first), a
 * key holder's flood from many sources cannot fill the rate limiter for
 * others (it evicts), and one cluster's traffic cannot fill another
 * cluster's nonce cache. In each, a real member is answered afterwards.
 * And no answer to an unverified address is larger than its request.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "signaling/codec.h"
#include "signaling/nucleus.h"

static const char secret_a[] = "flood test secret A 0123";
static const char secret_b[] = "flood test secret B 4567";
static const uint64_t t0 = 1700000000000ull;
static struct sig_out out[SIG_NUCLEUS_OUT_MAX];

/* Source number i as an address of 10.0.0.0/8 (what a flood spoofs). */
static struct net_endpoint source(uint32_t i)
{
	struct net_endpoint ep = { .port = (uint16_t)(1024 + i % 50000) };

	net_addr_set(&ep.addr, NET_AF_IP4,
		     (uint8_t[]){ 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i });
	return ep;
}

/* A REGISTER of a fresh key for VIP 10.200.x.y, encoded under k at now. */
static size_t make_register(const struct sig_keys *k, uint32_t id, uint64_t now, uint8_t *buf)
{
	struct sig_msg m = { .type = SIG_REGISTER, .seq = 1, .enc = false };

	randombytes_buf(m.u.reg.pubkey, SIG_PUBKEY_LEN);
	m.u.reg.vip4[0] = 10, m.u.reg.vip4[1] = 200;
	m.u.reg.vip4[2] = (uint8_t)(id >> 8), m.u.reg.vip4[3] = (uint8_t)id;
	m.u.reg.flags = SIG_PEER_HAS_VIP4;
	sig_msg_stamp(&m, now);
	return sig_encode(k, &m, buf, SIG_DATAGRAM_MAX);
}

static void keys(struct sig_keys *k, const char *cluster, const char *secret)
{
	char err[128];

	assert_int_equal(sig_keys_derive(k, cluster, secret, err, sizeof(err)), 0);
}

/* A real member registers from 192.0.2.7:51820: answered with an ACK? */
static bool member_answered(struct sig_nucleus *n, const struct sig_keys *k, uint32_t id,
			    uint64_t now)
{
	struct net_endpoint ep = { .port = 51820 };
	uint8_t buf[SIG_DATAGRAM_MAX];
	size_t len = make_register(k, id, now, buf);
	struct sig_msg reply;

	net_addr_set(&ep.addr, NET_AF_IP4, (uint8_t[]){ 192, 0, 2, 7 });
	if (sig_nucleus_input(n, &ep, buf, len, now, out) != 1)
		return false;
	return sig_decode(k, out[0].buf, out[0].len, &reply) == SIG_OK &&
	       reply.type == SIG_REGISTER_ACK;
}

static struct sig_nucleus *make(const struct nucleus_cluster_conf *cl, size_t n,
				unsigned replay_capacity)
{
	struct sig_nucleus_conf conf = { .clusters = cl,
					 .n_clusters = n,
					 .replay_capacity = replay_capacity,
					 .legacy_members = true };
	char err[160];
	struct sig_nucleus *x = sig_nucleus_create(&conf, err, sizeof(err));

	assert_non_null(x);
	return x;
}

/*
 * 200,000 spoofed sources in one second, each a REGISTER for the right
 * cluster id (anyone on the path sees it) with a wrong HMAC, with the
 * default limiter of 65,536 sources: every one is dropped as bad_mac, none
 * takes a rate-limiter slot, and the member registers.
 */
static void test_spoofed_without_secret(void **state)
{
	static const struct nucleus_cluster_conf cl[] = { { "lab", secret_a } };
	struct sig_nucleus *n = make(cl, 1, 0);
	uint8_t buf[SIG_DATAGRAM_MAX];
	struct sig_nucleus_stats s;
	struct sig_keys good;
	size_t len;

	(void)state;
	keys(&good, "lab", secret_a);
	len = make_register(&good, 1, t0, buf);
	buf[len - 1] ^= 0x01; /* the HMAC is last */
	for (uint32_t i = 0; i < 200000; i++) {
		struct net_endpoint ep = source(i);

		assert_int_equal(sig_nucleus_input(n, &ep, buf, len, t0 + i / 1000, out), 0);
	}
	assert_true(member_answered(n, &good, 2, t0 + 200));
	sig_nucleus_read(n, &s);
	assert_int_equal(s.drops[SIG_DROP_BAD_MAC], 200000);
	assert_int_equal(s.drops[SIG_DROP_RATELIMIT], 0);
	sig_nucleus_destroy(n);
}

/*
 * A key holder floods valid REGISTERs from 100,000 spoofed sources within
 * a second: the rate limiter's 65,536 slots are full, and it makes room
 * for the real member instead of refusing it.
 */
static void test_spoofed_with_secret(void **state)
{
	static const struct nucleus_cluster_conf cl[] = { { "lab", secret_a } };
	struct sig_nucleus *n = make(cl, 1, 0);
	uint8_t buf[SIG_DATAGRAM_MAX];
	struct sig_nucleus_stats s;
	unsigned refused = 0;
	struct sig_keys k;

	(void)state;
	keys(&k, "lab", secret_a);
	for (uint32_t i = 0; i < 100000; i++) {
		struct net_endpoint ep = source(i);
		size_t len = make_register(&k, i % 60000, t0 + i / 200, buf);

		sig_nucleus_input(n, &ep, buf, len, t0 + i / 200, out);
	}
	for (uint32_t i = 0; i < 20; i++)
		refused += !member_answered(n, &k, 60000 + i, t0 + 500 + i);
	assert_int_equal(refused, 0);
	sig_nucleus_read(n, &s);
	assert_int_equal(s.drops[SIG_DROP_RATELIMIT], 0);
	assert_true(s.ratelimit_evictions > 0);
	sig_nucleus_destroy(n);
}

/*
 * Two clusters, nonce caches of 4,096 each: cluster A's members send
 * 20,000 valid messages within the window, so A's cache is full and A's
 * later messages are dropped as replay_full; all of B's 100 members are
 * answered.
 */
static void test_replay_cache_per_cluster(void **state)
{
	static const struct nucleus_cluster_conf cl[] = { { "a", secret_a }, { "b", secret_b } };
	struct sig_nucleus *n = make(cl, 2, 2 * 4096);
	uint8_t buf[SIG_DATAGRAM_MAX];
	struct sig_nucleus_stats s;
	struct sig_keys ka, kb;
	unsigned answered = 0;

	(void)state;
	keys(&ka, "a", secret_a);
	keys(&kb, "b", secret_b);
	for (uint32_t i = 0; i < 20000; i++) {
		struct net_endpoint ep = source(i);
		size_t len = make_register(&ka, i, t0 + i, buf);

		sig_nucleus_input(n, &ep, buf, len, t0 + i, out);
	}
	sig_nucleus_read(n, &s);
	assert_true(s.drops[SIG_DROP_REPLAY_FULL] > 0);
	for (uint32_t i = 0; i < 100; i++)
		answered += member_answered(n, &kb, i, t0 + 20000 + i);
	assert_int_equal(answered, 100);
	sig_nucleus_destroy(n);
}

/* m from ep, encrypted, at now; the datagram's length in *len. */
static unsigned send_from(struct sig_nucleus *n, const struct sig_keys *k, struct sig_msg *m,
			  const struct net_endpoint *ep, uint64_t now, size_t *len)
{
	uint8_t buf[SIG_DATAGRAM_MAX];

	m->enc = true;
	sig_msg_stamp(m, now);
	*len = sig_encode(k, m, buf, sizeof(buf));
	assert_true(*len > 0);
	return sig_nucleus_input(n, ep, buf, *len, now, out);
}

/*
 * Answers no larger than the request to an address not verified: a
 * REGISTER (first contact) and a heartbeat from a new address get acks
 * no larger than themselves, and a query from where its key was never
 * heard gets nothing; a heartbeat from where the member registered gets
 * full pages.
 */
static void test_answers_no_larger_than_requests(void **state)
{
	static const struct nucleus_cluster_conf cl[] = { { "lab", secret_a } };
	struct sig_nucleus *n = make(cl, 1, 0);
	struct net_endpoint me = source(7), elsewhere = source(8);
	struct sig_msg m = { .type = SIG_REGISTER, .seq = 1 }, reply;
	uint8_t buf[SIG_DATAGRAM_MAX], key[SIG_PUBKEY_LEN];
	struct sig_nucleus_stats s;
	struct sig_keys k;
	size_t len;

	(void)state;
	keys(&k, "lab", secret_a);
	for (uint32_t i = 0; i < 30; i++) { /* others to list: 30 entries, 3 pages */
		struct net_endpoint ep = source(100 + i);

		assert_int_equal(sig_nucleus_input(n, &ep, buf, make_register(&k, i, t0, buf), t0,
						   out),
				 1);
	}
	randombytes_buf(key, SIG_PUBKEY_LEN);
	memcpy(m.u.reg.pubkey, key, SIG_PUBKEY_LEN);
	m.u.reg.vip4[0] = 10, m.u.reg.vip4[1] = 200, m.u.reg.vip4[3] = 250;
	m.u.reg.flags = SIG_PEER_HAS_VIP4;
	assert_int_equal(send_from(n, &k, &m, &me, t0 + 1, &len), 1);
	assert_true(out[0].len <= len);
	assert_int_equal(sig_decode(&k, out[0].buf, out[0].len, &reply), SIG_OK);
	assert_true(reply.u.ack.more);
	/* From where it registered: a full page, larger than the heartbeat. */
	m.type = SIG_HEARTBEAT;
	memcpy(m.u.hb.pubkey, key, SIG_PUBKEY_LEN);
	m.u.hb.epoch = reply.u.ack.epoch;
	m.u.hb.version = reply.u.ack.version;
	m.u.hb.cursor = reply.u.ack.cursor;
	assert_int_equal(send_from(n, &k, &m, &me, t0 + 2, &len), 1);
	assert_true(out[0].len > 3 * len);
	/* From a new address (it moved, or someone says so): no larger. */
	assert_int_equal(send_from(n, &k, &m, &elsewhere, t0 + 3, &len), 1);
	assert_true(out[0].len <= len);
	/* A query from an address its key was not heard from: no answer. */
	m.type = SIG_QUERY_PEER;
	memcpy(m.u.query.pubkey, key, SIG_PUBKEY_LEN);
	net_addr_set(&m.u.query.target, NET_AF_IP4, (uint8_t[]){ 10, 200, 0, 1 });
	assert_int_equal(send_from(n, &k, &m, &me, t0 + 4, &len), 0);
	sig_nucleus_read(n, &s);
	assert_int_equal(s.drops[SIG_DROP_UNVERIFIED], 1);
	sig_nucleus_destroy(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spoofed_without_secret),
		cmocka_unit_test(test_spoofed_with_secret),
		cmocka_unit_test(test_replay_cache_per_cluster),
		cmocka_unit_test(test_answers_no_larger_than_requests),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

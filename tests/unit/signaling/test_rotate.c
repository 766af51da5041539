/* SPDX-License-Identifier: MIT */
/*
 * Rotating a cluster's secret in the nucleus core (sig_nucleus_set_secret),
 * on an injected clock: during the window both secrets are accepted and
 * each member is answered, and sent notices, under the secret it uses;
 * after it the old secret is refused as any wrong secret is. A bad or
 * unchanged secret changes nothing. The open nucleus rotates the same way,
 * also for names first seen in the window.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "signaling/codec.h"
#include "signaling/nucleus.h"

static const char old_secret[] = "rotation test secret, old 0123";
static const char new_secret[] = "rotation test secret, new 4567";
static const uint64_t t0 = 1700000000000ull;
static const uint32_t window_ms = 10000;

struct member {
	struct net_endpoint ep;
	uint8_t key[SIG_PUBKEY_LEN];
	uint8_t vip;
};

static struct sig_keys k_old, k_new;
static struct sig_out out[SIG_NUCLEUS_OUT_MAX];
static bool named; /* messages carry the name trailer (an open nucleus) */

static void member_init(struct member *m, uint8_t host)
{
	memset(m, 0, sizeof(*m));
	m->ep.port = 51820;
	net_addr_set(&m->ep.addr, NET_AF_IP4, (uint8_t[]){ 192, 0, 2, host });
	randombytes_buf(m->key, sizeof(m->key));
	m->vip = host;
}

/* A message of type from member m under k at now: how many datagrams came
 * back (in out[]). */
static unsigned say(struct sig_nucleus *n, const struct member *m, const struct sig_keys *k,
		    uint8_t type, uint64_t now, const struct member *target)
{
	struct sig_msg msg = { .type = type, .seq = 7, .named = named };
	uint8_t buf[SIG_DATAGRAM_MAX];
	size_t len;

	if (type == SIG_REGISTER) {
		memcpy(msg.u.reg.pubkey, m->key, SIG_PUBKEY_LEN);
		memcpy(msg.u.reg.vip4, (uint8_t[]){ 10, 200, 0, m->vip }, 4);
		msg.u.reg.flags = SIG_PEER_HAS_VIP4;
	} else if (type == SIG_HEARTBEAT) {
		memcpy(msg.u.hb.pubkey, m->key, SIG_PUBKEY_LEN);
		msg.u.hb.cursor = SIG_CURSOR_NONE;
	} else {
		memcpy(msg.u.query.pubkey, m->key, SIG_PUBKEY_LEN);
		net_addr_set(&msg.u.query.target, NET_AF_IP4,
			     (uint8_t[]){ 10, 200, 0, target->vip });
	}
	sig_msg_stamp(&msg, now);
	len = sig_encode(k, &msg, buf, sizeof(buf));
	assert_true(len > 0);
	return sig_nucleus_input(n, &m->ep, buf, len, now, out);
}

/* out[i] opens under k (and only under k) as a message of type. */
static void sealed_under(unsigned i, const struct sig_keys *k, const struct sig_keys *other,
			 uint8_t type)
{
	struct sig_msg r;

	assert_int_equal(sig_decode(k, out[i].buf, out[i].len, &r), SIG_OK);
	assert_int_equal(r.type, type);
	assert_int_not_equal(sig_decode(other, out[i].buf, out[i].len, &r), SIG_OK);
}

static struct sig_nucleus *make(void)
{
	static const struct nucleus_cluster_conf cl[] = { { "lab", old_secret } };
	struct sig_nucleus_conf conf = { .clusters = cl, .n_clusters = 1, .legacy_members = true };
	char err[160];
	struct sig_nucleus *n = sig_nucleus_create(&conf, err, sizeof(err));

	assert_non_null(n);
	return n;
}

static void test_window(void **state)
{
	struct sig_nucleus *n = make();
	struct member a, b;
	struct sig_nucleus_stats s;
	char err[160];

	(void)state;
	member_init(&a, 1);
	member_init(&b, 2);
	assert_int_equal(say(n, &a, &k_old, SIG_REGISTER, t0, NULL), 1);
	sealed_under(0, &k_old, &k_new, SIG_REGISTER_ACK);
	/* Before the rotation the new secret is a wrong one. */
	assert_int_equal(say(n, &b, &k_new, SIG_REGISTER, t0 + 10, NULL), 0);

	/* Bad and unchanged secrets change nothing. */
	assert_int_equal(sig_nucleus_set_secret(n, 0, "short", window_ms, t0 + 500, err,
						sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "at least"));
	assert_int_equal(sig_nucleus_set_secret(n, 0, old_secret, window_ms, t0 + 500, err,
						sizeof(err)),
			 0);
	assert_int_equal(say(n, &b, &k_new, SIG_REGISTER, t0 + 600, NULL), 0);

	assert_int_equal(sig_nucleus_set_secret(n, 0, new_secret, window_ms, t0 + 1000, err,
						sizeof(err)),
			 1);
	/* In the window: the old member is answered under the old secret,
	 * the new one under the new. */
	assert_int_equal(say(n, &a, &k_old, SIG_HEARTBEAT, t0 + 2000, NULL), 1);
	sealed_under(0, &k_old, &k_new, SIG_HEARTBEAT_ACK);
	assert_int_equal(say(n, &b, &k_new, SIG_REGISTER, t0 + 2100, NULL), 1);
	sealed_under(0, &k_new, &k_old, SIG_REGISTER_ACK);
	/* b asks for a: its answers under the new secret, the punch notice
	 * to a under the old one that a uses. */
	assert_int_equal(say(n, &b, &k_new, SIG_QUERY_PEER, t0 + 2200, &a), 3);
	sealed_under(0, &k_new, &k_old, SIG_PEER_INFO);
	sealed_under(1, &k_new, &k_old, SIG_PUNCH);
	assert_true(net_endpoint_equal(&out[2].to, &a.ep));
	sealed_under(2, &k_old, &k_new, SIG_PUNCH);
	/* a moves to the new secret: notices to it follow. */
	assert_int_equal(say(n, &a, &k_new, SIG_HEARTBEAT, t0 + 3000, NULL), 1);
	sealed_under(0, &k_new, &k_old, SIG_HEARTBEAT_ACK);
	assert_int_equal(say(n, &b, &k_new, SIG_QUERY_PEER, t0 + 3100, &a), 3);
	sealed_under(2, &k_new, &k_old, SIG_PUNCH);
	assert_int_equal(say(n, &a, &k_old, SIG_HEARTBEAT, t0 + 4000, NULL), 1);
	sealed_under(0, &k_old, &k_new, SIG_HEARTBEAT_ACK);

	/* The last millisecond of the window, then after it. */
	assert_int_equal(say(n, &a, &k_old, SIG_HEARTBEAT, t0 + 1000 + window_ms - 1, NULL), 1);
	sig_nucleus_read(n, &s);
	assert_int_equal(s.drops[SIG_DROP_UNKNOWN_CLUSTER], 2);
	assert_int_equal(say(n, &a, &k_old, SIG_HEARTBEAT, t0 + 1000 + window_ms, NULL), 0);
	sig_nucleus_tick(n, t0 + 1000 + window_ms + 1);
	assert_int_equal(say(n, &a, &k_old, SIG_REGISTER, t0 + 1000 + window_ms + 2, NULL), 0);
	sig_nucleus_read(n, &s);
	assert_int_equal(s.drops[SIG_DROP_UNKNOWN_CLUSTER], 4);
	/* The new secret goes on. */
	assert_int_equal(say(n, &a, &k_new, SIG_HEARTBEAT, t0 + 1000 + window_ms + 3, NULL), 1);
	sealed_under(0, &k_new, &k_old, SIG_HEARTBEAT_ACK);
	sig_nucleus_destroy(n);
}

/* A second rotation within the window drops the oldest secret at once;
 * a window of 0 refuses the old one at once. */
static void test_twice(void **state)
{
	static const char third[] = "rotation test secret, third 89";
	struct sig_nucleus *n = make();
	struct sig_keys k3;
	struct member a;
	char err[160];

	(void)state;
	member_init(&a, 1);
	assert_int_equal(sig_keys_derive(&k3, "lab", third, err, sizeof(err)), 0);
	assert_int_equal(sig_nucleus_set_secret(n, 0, new_secret, window_ms, t0, err, sizeof(err)),
			 1);
	assert_int_equal(say(n, &a, &k_old, SIG_REGISTER, t0 + 10, NULL), 1);
	assert_int_equal(sig_nucleus_set_secret(n, 0, third, window_ms, t0 + 20, err, sizeof(err)),
			 1);
	assert_int_equal(say(n, &a, &k_old, SIG_HEARTBEAT, t0 + 30, NULL), 0);
	assert_int_equal(say(n, &a, &k_new, SIG_HEARTBEAT, t0 + 40, NULL), 1);
	sealed_under(0, &k_new, &k3, SIG_HEARTBEAT_ACK);
	assert_int_equal(sig_nucleus_set_secret(n, 0, old_secret, 0, t0 + 50, err, sizeof(err)), 1);
	assert_int_equal(say(n, &a, &k3, SIG_HEARTBEAT, t0 + 60, NULL), 0);
	assert_int_equal(say(n, &a, &k_old, SIG_HEARTBEAT, t0 + 70, NULL), 1);
	sig_keys_wipe(&k3);
	sig_nucleus_destroy(n);
}

static struct sig_keys keys_of(const char *name, const char *secret)
{
	struct sig_keys k;
	char err[160];

	assert_int_equal(sig_keys_derive(&k, name, secret, err, sizeof(err)), 0);
	return k;
}

/* The open nucleus: clusters made before the rotation and names first
 * seen in the window, under either secret; after it, the old one is a
 * wrong secret. */
static void test_open(void **state)
{
	struct sig_nucleus_conf conf = { .open_secret = old_secret, .legacy_members = true };
	struct sig_keys x_old = keys_of("x", old_secret), x_new = keys_of("x", new_secret);
	struct sig_keys y_old = keys_of("y", old_secret), y_new = keys_of("y", new_secret);
	struct sig_keys z_old = keys_of("z", old_secret);
	struct sig_keys w_old = keys_of("w", old_secret), w_new = keys_of("w", new_secret);
	uint64_t end = t0 + 1000 + window_ms;
	struct sig_nucleus_stats s;
	struct sig_nucleus *n;
	struct member a, b, c;
	char err[160];

	(void)state;
	n = sig_nucleus_create(&conf, err, sizeof(err));
	assert_non_null(n);
	named = true;
	member_init(&a, 1);
	member_init(&b, 2);
	member_init(&c, 3);
	assert_int_equal(say(n, &a, &x_old, SIG_REGISTER, t0, NULL), 1);
	assert_int_equal(sig_nucleus_set_open_secret(n, "short", window_ms, t0 + 500, err,
						     sizeof(err)),
			 -EINVAL);
	assert_int_equal(sig_nucleus_set_open_secret(n, old_secret, window_ms, t0 + 500, err,
						     sizeof(err)),
			 0);
	assert_int_equal(sig_nucleus_set_open_secret(n, new_secret, window_ms, t0 + 1000, err,
						     sizeof(err)),
			 1);
	assert_int_equal(say(n, &a, &x_old, SIG_HEARTBEAT, t0 + 2000, NULL), 1);
	sealed_under(0, &x_old, &x_new, SIG_HEARTBEAT_ACK);
	/* y is made in the window by a member on the old secret; one on the
	 * new joins it. */
	assert_int_equal(say(n, &b, &y_old, SIG_REGISTER, t0 + 2100, NULL), 1);
	sealed_under(0, &y_old, &y_new, SIG_REGISTER_ACK);
	assert_int_equal(say(n, &c, &y_new, SIG_REGISTER, t0 + 2200, NULL), 1);
	sealed_under(0, &y_new, &y_old, SIG_REGISTER_ACK);
	assert_int_equal(sig_nucleus_n_clusters(n), 2);
	/* w is made in the window on the new secret; a member on the old one
	 * joins that cluster, not a second w. */
	assert_int_equal(say(n, &c, &w_new, SIG_REGISTER, t0 + 2300, NULL), 1);
	assert_int_equal(say(n, &b, &w_old, SIG_REGISTER, t0 + 2400, NULL), 1);
	sealed_under(0, &w_old, &w_new, SIG_REGISTER_ACK);
	assert_int_equal(sig_nucleus_n_clusters(n), 3);
	assert_int_equal(sig_nucleus_cluster_members(n, 2), 2);

	assert_int_equal(say(n, &a, &x_old, SIG_HEARTBEAT, end - 1, NULL), 1);
	sig_nucleus_tick(n, end);
	assert_int_equal(say(n, &a, &x_old, SIG_HEARTBEAT, end + 1, NULL), 0);
	assert_int_equal(say(n, &b, &y_old, SIG_HEARTBEAT, end + 2, NULL), 0);
	assert_int_equal(say(n, &a, &z_old, SIG_REGISTER, end + 3, NULL), 0);
	sig_nucleus_read(n, &s);
	assert_int_equal(s.drops[SIG_DROP_WRONG_SECRET], 3);
	assert_int_equal(sig_nucleus_n_clusters(n), 3);
	assert_int_equal(say(n, &a, &x_new, SIG_HEARTBEAT, end + 4, NULL), 1);
	sealed_under(0, &x_new, &x_old, SIG_HEARTBEAT_ACK);
	named = false;
	sig_nucleus_destroy(n);
}

/* A listed nucleus has no open secret to change. */
static void test_not_open(void **state)
{
	struct sig_nucleus *n = make();
	char err[160];

	(void)state;
	assert_int_equal(sig_nucleus_set_open_secret(n, new_secret, window_ms, t0, err,
						     sizeof(err)),
			 -EINVAL);
	sig_nucleus_destroy(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_twice),
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_not_open),
	};
	char err[160];

	if (sodium_init() < 0 || sig_keys_derive(&k_old, "lab", old_secret, err, sizeof(err)) ||
	    sig_keys_derive(&k_new, "lab", new_secret, err, sizeof(err)))
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

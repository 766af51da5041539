/* SPDX-License-Identifier: MIT */
/*
 * The open nucleus (one secret, any cluster name, as the seeds start it)
 * against real clients, in-process on a fake clock: names are namespaces
 * of their own; a wrong secret, a forged datagram and names beyond the
 * limit make nothing and are counted by reason; a nucleus with a list
 * still serves only the list, named datagrams or not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "test_keys.h"
#include "signaling/client.h"
#include "signaling/codec.h"
#include "signaling/nucleus.h"

static const char secret[] = "open nucleus test secret";
static const uint64_t t0 = 1700000000000ull;

struct edge {
	struct sig_client *c;
	struct net_endpoint addr;
	uint8_t priv[32];
	unsigned joined, registered;
};

static void edge_init(struct edge *e, const char *cluster, const char *sec, uint8_t id)
{
	struct sig_client_conf conf = { .cluster = cluster, .secret = sec, .encrypt = id % 2 };
	char err[128];

	memset(e, 0, sizeof(*e));
	test_keypair(e->priv, conf.pubkey, -1);
	conf.private_key = e->priv;
	conf.vip4[0] = 10, conf.vip4[1] = 200, conf.vip4[3] = id;
	conf.vip_flags = SIG_PEER_HAS_VIP4;
	net_addr_set(&e->addr.addr, NET_AF_IP4, (uint8_t[]){ 203, 0, 113, id });
	e->addr.port = 51820;
	e->c = sig_client_create(&conf, err, sizeof(err));
	assert_non_null(e->c);
}

static struct sig_nucleus *nucleus(const struct nucleus_cluster_conf *list, size_t n,
				   const char *open, unsigned max_open)
{
	struct sig_nucleus_conf conf = { .clusters = list,
					 .n_clusters = n,
					 .open_secret = open,
					 .max_open_clusters = max_open };
	char err[160];
	struct sig_nucleus *nuc = sig_nucleus_create(&conf, err, sizeof(err));

	assert_non_null(nuc);
	return nuc;
}

/* Every edge's datagrams to the nucleus and its answers back, until quiet. */
static void pump(struct sig_nucleus *nuc, struct edge **es, unsigned n, uint64_t now)
{
	struct sig_out out[SIG_NUCLEUS_OUT_MAX];
	uint8_t buf[SIG_DATAGRAM_MAX];
	struct sig_event ev;
	bool moved = true;

	while (moved) {
		moved = false;
		for (unsigned i = 0; i < n; i++) {
			size_t len;

			while ((len = sig_client_pop_datagram(es[i]->c, buf, sizeof(buf)))) {
				unsigned k =
					sig_nucleus_input(nuc, &es[i]->addr, buf, len, now, out);

				moved = true;
				for (unsigned j = 0; j < k; j++)
					for (unsigned to = 0; to < n; to++)
						if (net_endpoint_equal(&es[to]->addr, &out[j].to))
							sig_client_input(es[to]->c, out[j].buf,
									 out[j].len, now);
			}
			while (sig_client_pop_event(es[i]->c, &ev)) {
				es[i]->joined += ev.type == SIG_EV_JOINED;
				es[i]->registered += ev.type == SIG_EV_REGISTERED;
			}
		}
	}
}

static uint64_t drops(const struct sig_nucleus *nuc, enum sig_drop d)
{
	struct sig_nucleus_stats s;

	sig_nucleus_read(nuc, &s);
	return s.drops[d];
}

static void start(struct edge **es, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		sig_client_tick(es[i]->c, t0);
}

/* Names are namespaces: lab's two members see each other, ops' one none. */
static void test_any_name(void **state)
{
	struct edge a, b, c;
	struct edge *es[] = { &a, &b, &c };
	struct sig_nucleus *nuc = nucleus(NULL, 0, secret, 0);

	(void)state;
	edge_init(&a, "lab", secret, 1);
	edge_init(&b, "lab", secret, 2);
	edge_init(&c, "ops", secret, 3);
	start(es, 3);
	pump(nuc, es, 3, t0);
	assert_int_equal(a.registered + b.registered + c.registered, 3);
	assert_int_equal(a.joined + b.joined, 1); /* b's ack lists a; a hears at a heartbeat */
	assert_int_equal(c.joined, 0);
	assert_int_equal(sig_nucleus_n_clusters(nuc), 2);
	assert_int_equal(sig_nucleus_cluster_find(nuc, "lab"), 0);
	assert_int_equal(sig_nucleus_cluster_find(nuc, "ops"), 1);
	assert_int_equal(sig_nucleus_cluster_members(nuc, 0), 2);
	assert_int_equal(sig_nucleus_cluster_members(nuc, 1), 1);
	/* A heartbeat later both lab members know each other; ops still alone. */
	for (unsigned i = 0; i < 3; i++)
		sig_client_tick(es[i]->c, t0 + SIG_HEARTBEAT_MS);
	pump(nuc, es, 3, t0 + SIG_HEARTBEAT_MS);
	assert_int_equal(a.joined, 1);
	assert_int_equal(b.joined, 1);
	assert_int_equal(c.joined, 0);
	assert_int_equal(sig_nucleus_n_clusters(nuc), 2);
	for (unsigned i = 0; i < 3; i++)
		sig_client_destroy(es[i]->c);
	sig_nucleus_destroy(nuc);
}

/* Another secret: the name does not open; nothing made, nothing answered. */
static void test_wrong_secret(void **state)
{
	struct edge a;
	struct edge *es[] = { &a };
	struct sig_nucleus *nuc = nucleus(NULL, 0, secret, 0);

	(void)state;
	edge_init(&a, "lab", "another secret, 24 chars", 1);
	start(es, 1);
	pump(nuc, es, 1, t0);
	assert_int_equal(a.registered, 0);
	assert_int_equal(drops(nuc, SIG_DROP_WRONG_SECRET), 1);
	assert_int_equal(sig_nucleus_n_clusters(nuc), 0);
	sig_client_destroy(a.c);
	sig_nucleus_destroy(nuc);
}

/* A datagram whose name opens but whose body was changed: the HMAC under
 * the name's keys refuses it before a cluster is made. */
static void test_forged(void **state)
{
	struct sig_out out[SIG_NUCLEUS_OUT_MAX];
	uint8_t buf[SIG_DATAGRAM_MAX];
	struct sig_nucleus *nuc = nucleus(NULL, 0, secret, 0);
	struct edge a;
	size_t len;

	(void)state;
	edge_init(&a, "lab", secret, 2);
	sig_client_tick(a.c, t0);
	len = sig_client_pop_datagram(a.c, buf, sizeof(buf));
	assert_true(len > SIG_HEADER_LEN + 1);
	buf[SIG_HEADER_LEN] ^= 1;
	assert_int_equal(sig_nucleus_input(nuc, &a.addr, buf, len, t0, out), 0);
	assert_int_equal(drops(nuc, SIG_DROP_BAD_MAC), 1);
	assert_int_equal(sig_nucleus_n_clusters(nuc), 0);
	/* The trailer's length byte out of range: truncated, before any crypto. */
	buf[SIG_HEADER_LEN] ^= 1;
	buf[len - SIG_MAC_LEN - 1] = SIG_CLUSTER_NAME_MAX + 1;
	assert_int_equal(sig_nucleus_input(nuc, &a.addr, buf, len, t0, out), 0);
	assert_int_equal(drops(nuc, SIG_DROP_TRUNCATED), 1);
	sig_client_destroy(a.c);
	sig_nucleus_destroy(nuc);
}

/* At most max_open_clusters names; the next is counted, the old ones work. */
static void test_limit(void **state)
{
	static const char *const names[] = { "n0", "n1", "n2", "n3" };
	struct sig_nucleus *nuc = nucleus(NULL, 0, secret, 2);
	struct edge e[4];
	struct edge *es[4];

	(void)state;
	for (unsigned i = 0; i < 4; i++) {
		edge_init(&e[i], names[i], secret, (uint8_t)(i + 1));
		es[i] = &e[i];
	}
	start(es, 4);
	pump(nuc, es, 4, t0);
	assert_int_equal(sig_nucleus_n_clusters(nuc), 2);
	assert_int_equal(e[0].registered + e[1].registered, 2);
	assert_int_equal(e[2].registered + e[3].registered, 0);
	assert_int_equal(drops(nuc, SIG_DROP_CLUSTER_LIMIT), 2);
	for (unsigned i = 0; i < 4; i++)
		sig_client_destroy(e[i].c);
	sig_nucleus_destroy(nuc);
}

/* A nucleus with a list serves only the list: same secret, other name. */
static void test_listed(void **state)
{
	static const struct nucleus_cluster_conf list[] = { { "lab", secret } };
	struct sig_nucleus *nuc = nucleus(list, 1, NULL, 0);
	struct edge a, b;
	struct edge *es[] = { &a, &b };

	(void)state;
	edge_init(&a, "lab", secret, 1);
	edge_init(&b, "ops", secret, 2);
	start(es, 2);
	pump(nuc, es, 2, t0);
	assert_int_equal(a.registered, 1);
	assert_int_equal(b.registered, 0);
	assert_int_equal(drops(nuc, SIG_DROP_UNKNOWN_CLUSTER), 1);
	assert_int_equal(sig_nucleus_n_clusters(nuc), 1);
	sig_client_destroy(a.c);
	sig_client_destroy(b.c);
	sig_nucleus_destroy(nuc);
}

/* An open nucleus's secret follows the rules of any cluster secret. */
static void test_short_secret(void **state)
{
	struct sig_nucleus_conf conf = { .open_secret = "short" };
	char err[160];

	(void)state;
	assert_null(sig_nucleus_create(&conf, err, sizeof(err)));
	conf.open_secret = NULL;
	assert_null(sig_nucleus_create(&conf, err, sizeof(err)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_any_name), cmocka_unit_test(test_wrong_secret),
		cmocka_unit_test(test_forged),   cmocka_unit_test(test_limit),
		cmocka_unit_test(test_listed),   cmocka_unit_test(test_short_secret),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

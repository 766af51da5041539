/* SPDX-License-Identifier: MIT */
/*
 * The edge client state machine against the nucleus core, in-process, with
 * an injected clock and a tiny "network" that carries datagrams between
 * them: two clients discover each other, query, get punched, one leaves;
 * paging through a big cluster; the nucleus forgets (restart) and the
 * client registers again; the nucleus goes silent (LOST); pending queries
 * are bounded and time out; a short secret is refused.
 */
#include <errno.h>
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

static const char secret[] = "client test secret 98765";
static const uint64_t t0 = 1700000000000ull;

struct node {
	struct sig_client *c;
	struct net_endpoint addr;
	struct sig_client_conf conf;
	uint8_t priv[32];
	struct sig_event ev[512];
	unsigned n_ev;
};

static struct sig_nucleus *nuc;
static struct node *nodes[64];
static unsigned n_nodes;
static bool nucleus_down;

static const uint8_t nucleus_priv[32] = { 0x40, 1, 2, 3 };

/* A nucleus with a random key, or with nucleus_priv (a key file). */
static struct sig_nucleus *make_nucleus_with(bool keyed)
{
	static const struct nucleus_cluster_conf cl[] = { { "lab", secret } };
	struct sig_nucleus_conf conf = { .clusters = cl,
					 .n_clusters = 1,
					 .rate = 100000,
					 .burst = 100000,
					 .replay_capacity = 1 << 16,
					 .private_key = keyed ? nucleus_priv : NULL };
	char err[128];
	struct sig_nucleus *n = sig_nucleus_create(&conf, err, sizeof(err));

	assert_non_null(n);
	return n;
}

static struct sig_nucleus *make_nucleus(void)
{
	return make_nucleus_with(false);
}

/* A node with the key pair of priv (NULL: a new one). */
static void node_init_key(struct node *n, uint8_t id, bool vip6, const uint8_t *priv)
{
	char err[128];

	memset(n, 0, sizeof(*n));
	n->conf.cluster = "lab";
	n->conf.secret = secret;
	test_keypair(n->priv, n->conf.pubkey, -1);
	if (priv) {
		memcpy(n->priv, priv, 32);
		crypto_scalarmult_base(n->conf.pubkey, n->priv);
	}
	n->conf.private_key = n->priv;
	n->conf.vip4[0] = 10, n->conf.vip4[1] = 200, n->conf.vip4[3] = id;
	n->conf.vip_flags = SIG_PEER_HAS_VIP4;
	if (vip6) {
		n->conf.vip6[0] = 0xfd, n->conf.vip6[15] = id;
		n->conf.vip_flags |= SIG_PEER_HAS_VIP6;
	}
	n->conf.n_local = 1;
	net_addr_set(&n->conf.local[0].addr, NET_AF_IP4, (uint8_t[]){ 192, 168, 0, id });
	n->conf.local[0].port = 51820;
	n->conf.encrypt = id % 2; /* both modes on one nucleus */
	net_addr_set(&n->addr.addr, NET_AF_IP4, (uint8_t[]){ 203, 0, 113, id });
	n->addr.port = (uint16_t)(40000 + id);
	n->c = sig_client_create(&n->conf, err, sizeof(err));
	assert_non_null(n->c);
	nodes[n_nodes++] = n;
}

static void node_init(struct node *n, uint8_t id, bool vip6)
{
	node_init_key(n, id, vip6, NULL);
}

static void node_fini(struct node *n)
{
	sig_client_destroy(n->c);
	n->c = NULL;
	for (unsigned i = 0; i < n_nodes; i++)
		if (nodes[i] == n)
			nodes[i] = nodes[--n_nodes];
}

static struct node *node_at(const struct net_endpoint *a)
{
	for (unsigned i = 0; i < n_nodes; i++)
		if (net_endpoint_equal(&nodes[i]->addr, a))
			return nodes[i];
	return NULL;
}

/* Carries every queued datagram until the network is quiet. */
static void pump(uint64_t now)
{
	struct sig_out out[SIG_NUCLEUS_OUT_MAX];
	uint8_t buf[SIG_DATAGRAM_MAX];
	bool moved = true;

	while (moved) {
		moved = false;
		for (unsigned i = 0; i < n_nodes; i++) {
			struct node *n = nodes[i];
			size_t len;

			while ((len = sig_client_pop_datagram(n->c, buf, sizeof(buf)))) {
				unsigned k = nucleus_down ? 0 :
							    sig_nucleus_input(nuc, &n->addr, buf,
									      len, now, out);

				assert_true(len < 1024);
				moved = true;
				for (unsigned j = 0; j < k; j++) {
					struct node *to = node_at(&out[j].to);

					assert_true(out[j].len < 1024);
					if (to)
						sig_client_input(to->c, out[j].buf, out[j].len,
								 now);
				}
			}
			while (n->n_ev < 512 && sig_client_pop_event(n->c, &n->ev[n->n_ev]))
				n->n_ev++;
		}
	}
}

/* Runs every node's timers from `from` to `to` in steps. */
static void run(uint64_t from, uint64_t to, uint64_t step)
{
	for (uint64_t now = from; now <= to; now += step) {
		for (unsigned i = 0; i < n_nodes; i++)
			if (now >= sig_client_next_tick(nodes[i]->c))
				sig_client_tick(nodes[i]->c, now);
		pump(now);
		sig_nucleus_tick(nuc, now);
	}
}

/* Index of the first event of `type` about key (NULL: any), or -1. */
static int find_ev(const struct node *n, enum sig_event_type type, const uint8_t *key)
{
	for (unsigned i = 0; i < n->n_ev; i++)
		if (n->ev[i].type == type &&
		    (!key || memcmp(n->ev[i].peer.pubkey, key, SIG_PUBKEY_LEN) == 0))
			return (int)i;
	return -1;
}

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	nuc = make_nucleus();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sig_nucleus_destroy(nuc);
	return 0;
}

static void test_discover_query_punch_leave(void **state)
{
	static struct node a, b;
	struct net_addr target;
	const struct sig_peer *p;

	(void)state;
	node_init(&a, 1, false);
	node_init(&b, 2, true);
	run(t0, t0 + 1000, 100);
	assert_true(sig_client_registered(a.c) && sig_client_registered(b.c));
	assert_true(find_ev(&a, SIG_EV_REGISTERED, NULL) >= 0);
	assert_true(
		net_endpoint_equal(&a.ev[find_ev(&a, SIG_EV_REGISTERED, NULL)].observed, &a.addr));
	/* b registered after a: its REGISTER_ACK lists a. */
	assert_true(find_ev(&b, SIG_EV_JOINED, a.conf.pubkey) >= 0);
	/* a hears of b at its next heartbeat (30 s). */
	assert_int_equal(find_ev(&a, SIG_EV_JOINED, b.conf.pubkey), -1);
	run(t0 + 1100, t0 + SIG_HEARTBEAT_MS + 1000, 500);
	assert_true(find_ev(&a, SIG_EV_JOINED, b.conf.pubkey) >= 0);
	p = sig_client_lookup(a.c, SIG_BY_VIP6, b.conf.vip6);
	assert_non_null(p);
	assert_int_equal(p->cand[0].kind, SIG_KIND_OBSERVED);
	assert_true(net_endpoint_equal(&p->cand[0].ep, &b.addr));
	/* a queries b's VIP6: FOUND for a, PUNCH for both. */
	net_addr_set(&target, NET_AF_IP6, b.conf.vip6);
	assert_int_equal(sig_client_query(a.c, &target, t0 + SIG_HEARTBEAT_MS + 1100), 0);
	assert_int_equal(sig_client_query(a.c, &target, t0 + SIG_HEARTBEAT_MS + 1100), -EALREADY);
	pump(t0 + SIG_HEARTBEAT_MS + 1100);
	assert_true(find_ev(&a, SIG_EV_FOUND, b.conf.pubkey) >= 0);
	assert_true(find_ev(&a, SIG_EV_PUNCH, b.conf.pubkey) >= 0);
	assert_true(find_ev(&b, SIG_EV_PUNCH, a.conf.pubkey) >= 0);
	/* b leaves (stops talking); a sees LEFT within a heartbeat of expiry. */
	node_fini(&b);
	run(t0 + SIG_HEARTBEAT_MS + 1200,
	    t0 + SIG_HEARTBEAT_MS + SIG_EXPIRY_MS + SIG_HEARTBEAT_MS + 2000, 1000);
	assert_true(find_ev(&a, SIG_EV_LEFT, b.conf.pubkey) >= 0);
	assert_null(sig_client_lookup(a.c, SIG_BY_PUBKEY, b.conf.pubkey));
	assert_int_equal(sig_client_n_peers(a.c), 0);
	for (unsigned d = 1; d < SIG_DROP_COUNT; d++)
		assert_true(sig_client_stats(a.c)->drops[d] == 0);
	node_fini(&a);
}

/* A clean stop says LEAVE: the other hears at its next heartbeat, long
 * before the 90 s expiry; a LEAVE from elsewhere evicts nobody. */
static void test_leave(void **state)
{
	static struct node a, b, c;
	uint64_t t = t0 + SIG_HEARTBEAT_MS + 1000;

	(void)state;
	node_init(&a, 1, false);
	node_init(&b, 2, false);
	node_init(&c, 3, false);
	run(t0, t, 500);
	assert_true(find_ev(&a, SIG_EV_JOINED, b.conf.pubkey) >= 0);
	/* c's LEAVE sent from b's address (c's client on b's node): the
	 * nucleus ignores it, c stays. */
	{
		struct sig_client *own = b.c;

		b.c = c.c;
		sig_client_leave(b.c, t);
		pump(t);
		b.c = own;
	}
	sig_client_leave(b.c, t + 10);
	pump(t + 10);
	node_fini(&b);
	run(t + 100, t + SIG_HEARTBEAT_MS + 1000, 500);
	assert_true(find_ev(&a, SIG_EV_LEFT, b.conf.pubkey) >= 0);
	assert_null(sig_client_lookup(a.c, SIG_BY_PUBKEY, b.conf.pubkey));
	assert_int_equal(find_ev(&a, SIG_EV_LEFT, c.conf.pubkey), -1);
	assert_non_null(sig_client_lookup(a.c, SIG_BY_PUBKEY, c.conf.pubkey));
	node_fini(&a);
	node_fini(&c);
}

static void test_paging_big_cluster(void **state)
{
	static struct node many[40], late;
	uint64_t now = t0 + 1000 * SIG_EXPIRY_MS;

	(void)state;
	for (uint8_t i = 0; i < 40; i++)
		node_init(&many[i], (uint8_t)(10 + i), true);
	run(now, now + 1000, 100);
	node_init(&late, 60, true);
	run(now + 1100, now + 2000, 100);
	/* The late node pages through all 40 right after registering. */
	assert_int_equal(sig_client_n_peers(late.c), 40);
	/* The first node learns the 40 others in paged deltas. */
	run(now + 2100, now + SIG_HEARTBEAT_MS + 3000, 500);
	assert_int_equal(sig_client_n_peers(many[0].c), 40);
	for (uint8_t i = 0; i < 40; i++)
		node_fini(&many[i]);
	node_fini(&late);
	sig_nucleus_tick(nuc, now + 10 * SIG_EXPIRY_MS);
}

static void test_nucleus_restart_and_silence(void **state)
{
	static struct node a, b;
	uint64_t now = t0 + 2000 * SIG_EXPIRY_MS;

	(void)state;
	node_init(&a, 1, false);
	node_init(&b, 2, false);
	run(now, now + 1000, 100);
	assert_int_equal(sig_client_n_peers(b.c), 1);
	/* Restart: the new nucleus knows nobody; a heartbeat gets UNKNOWN. */
	sig_nucleus_destroy(nuc);
	nuc = make_nucleus();
	a.n_ev = b.n_ev = 0;
	run(now + 1100, now + SIG_HEARTBEAT_MS + 3000, 500);
	assert_true(find_ev(&a, SIG_EV_REGISTERED, NULL) >= 0);
	assert_true(find_ev(&b, SIG_EV_REGISTERED, NULL) >= 0);
	assert_true(sig_client_registered(a.c));
	run(now + SIG_HEARTBEAT_MS + 3500, now + 2 * SIG_HEARTBEAT_MS + 4000, 500);
	assert_int_equal(sig_client_n_peers(a.c), 1);
	assert_int_equal(sig_client_n_peers(b.c), 1);
	/* Silence: after SIG_CLIENT_TRIES unanswered heartbeats, LOST. */
	nucleus_down = true;
	a.n_ev = 0;
	run(now + 2 * SIG_HEARTBEAT_MS + 4500, now + 4 * SIG_HEARTBEAT_MS, 500);
	assert_true(find_ev(&a, SIG_EV_LOST, NULL) >= 0);
	assert_false(sig_client_registered(a.c));
	nucleus_down = false;
	run(now + 4 * SIG_HEARTBEAT_MS + 500, now + 5 * SIG_HEARTBEAT_MS, 500);
	assert_true(sig_client_registered(a.c));
	node_fini(&a);
	node_fini(&b);
	sig_nucleus_tick(nuc, now + 100 * SIG_EXPIRY_MS);
}

static void test_queries_bounded(void **state)
{
	static struct node a;
	struct net_addr t = { .family = NET_AF_IP4 };
	uint64_t now = t0 + 3000 * SIG_EXPIRY_MS;
	unsigned nf = 0;

	(void)state;
	node_init(&a, 1, false);
	for (unsigned i = 0; i < SIG_CLIENT_QUERIES_MAX; i++) {
		t.b[0] = 10, t.b[3] = (uint8_t)(100 + i);
		assert_int_equal(sig_client_query(a.c, &t, now), 0); /* waits for registration */
	}
	t.b[3] = 99;
	assert_int_equal(sig_client_query(a.c, &t, now), -ENOSPC);
	t.family = 5;
	assert_int_equal(sig_client_query(a.c, &t, now), -EINVAL);
	/* Unsent queries do not make the timer due: only the REGISTER does. */
	sig_client_tick(a.c, now);
	assert_true(sig_client_next_tick(a.c) > now);
	/* Delivering the REGISTER and its ack sends them at once, no tick. */
	pump(now);
	for (unsigned i = 0; i < a.n_ev; i++)
		nf += a.ev[i].type == SIG_EV_NOT_FOUND && !a.ev[i].timeout;
	assert_int_equal(nf, SIG_CLIENT_QUERIES_MAX);
	/* The nucleus silent: a query times out after SIG_CLIENT_TRIES tries. */
	nucleus_down = true;
	t.family = NET_AF_IP4;
	assert_int_equal(sig_client_query(a.c, &t, now + 1100), 0);
	run(now + 1100, now + 1100 + (SIG_CLIENT_TRIES + 1) * SIG_CLIENT_RETRY_MS, 100);
	assert_true(a.ev[a.n_ev - 1].type == SIG_EV_NOT_FOUND && a.ev[a.n_ev - 1].timeout);
	nucleus_down = false;
	node_fini(&a);
}

/* A reflexive address from STUN: registered again, and others see it. */
static void test_reflexive_candidate(void **state)
{
	static struct node a, b;
	struct net_endpoint refl = { .addr = { .family = NET_AF_IP4, .b = { 198, 51, 100, 77 } },
				     .port = 61000 };
	uint64_t now = t0 + 5000 * SIG_EXPIRY_MS;
	const struct sig_peer *p;

	(void)state;
	node_init(&a, 1, false);
	node_init(&b, 2, false);
	run(now, now + 1000, 100);
	a.n_ev = 0;
	sig_client_set_reflexive(a.c, &refl, now + 1100);
	pump(now + 1100);
	assert_true(find_ev(&a, SIG_EV_REGISTERED, NULL) >= 0);
	run(now + 1200, now + SIG_HEARTBEAT_MS + 2000, 500);
	assert_true(find_ev(&b, SIG_EV_MOVED, a.conf.pubkey) >= 0);
	p = sig_client_lookup(b.c, SIG_BY_PUBKEY, a.conf.pubkey);
	assert_non_null(p);
	assert_int_equal(p->n_cand, 3); /* observed, local, reflexive */
	assert_int_equal(p->cand[2].kind, SIG_KIND_STUN);
	assert_true(net_endpoint_equal(&p->cand[2].ep, &refl));
	/* The same address again changes nothing: no new registration. */
	a.n_ev = 0;
	sig_client_set_reflexive(a.c, &refl, now + SIG_HEARTBEAT_MS + 2100);
	pump(now + SIG_HEARTBEAT_MS + 2100);
	assert_int_equal(find_ev(&a, SIG_EV_REGISTERED, NULL), -1);
	node_fini(&a);
	node_fini(&b);
	sig_nucleus_tick(nuc, now + 100 * SIG_EXPIRY_MS);
}

/* Replies to no request of ours, or in the other mode, change nothing. */
static void test_unexpected_replies(void **state)
{
	static struct node a;
	struct sig_keys k;
	struct sig_msg m = { .type = SIG_REGISTER_ACK, .seq = 12345, .enc = true };
	uint8_t buf[SIG_DATAGRAM_MAX];
	uint64_t now = t0 + 4000 * SIG_EXPIRY_MS;
	char err[128];
	size_t len;

	(void)state;
	node_init(&a, 3, false); /* odd id: encrypted */
	/* Without identity, so that unsigned answers get this far
	 * (test_identity_rogue has the signed ones). */
	sig_client_destroy(a.c);
	a.conf.private_key = NULL;
	a.c = sig_client_create(&a.conf, err, sizeof(err));
	sig_client_tick(a.c, now); /* REGISTER queued, seq 1, never delivered */
	assert_int_equal(sig_keys_derive(&k, "lab", secret, err, sizeof(err)), 0);
	m.u.ack.status = SIG_ACK_RESYNC;
	sig_msg_stamp(&m, now);
	len = sig_encode(&k, &m, buf, sizeof(buf));
	sig_client_input(a.c, buf, len, now);
	assert_false(sig_client_registered(a.c));
	assert_true(sig_client_stats(a.c)->drops[SIG_DROP_UNEXPECTED] == 1);
	m.seq = 1;
	m.enc = false;
	sig_msg_stamp(&m, now);
	len = sig_encode(&k, &m, buf, sizeof(buf));
	sig_client_input(a.c, buf, len, now);
	assert_false(sig_client_registered(a.c));
	assert_true(sig_client_stats(a.c)->drops[SIG_DROP_WRONG_MODE] == 1);
	m.enc = true;
	m.type = SIG_REGISTER; /* a type for the nucleus */
	m.u.reg.flags = SIG_PEER_HAS_VIP4;
	m.u.reg.vip4[0] = 10; /* 0.0.0.0 is no VIP: it would not encode */
	sig_msg_stamp(&m, now);
	len = sig_encode(&k, &m, buf, sizeof(buf));
	sig_client_input(a.c, buf, len, now);
	assert_true(sig_client_stats(a.c)->drops[SIG_DROP_WRONG_DIRECTION] == 1);
	/* The right seq registers, once; the same datagram again is a replay. */
	m.type = SIG_REGISTER_ACK;
	memset(&m.u, 0, sizeof(m.u));
	m.u.ack.status = SIG_ACK_RESYNC;
	sig_msg_stamp(&m, now);
	len = sig_encode(&k, &m, buf, sizeof(buf));
	sig_client_input(a.c, buf, len, now);
	assert_true(sig_client_registered(a.c));
	sig_client_input(a.c, buf, len, now);
	assert_true(sig_client_stats(a.c)->drops[SIG_DROP_REPLAY] == 1);
	sig_keys_wipe(&k);
	while (sig_client_pop_datagram(a.c, buf, sizeof(buf)))
		;
	node_fini(&a);
}

/* ---- identity-bound membership (docs/signaling.md, "Identity") ---- */

static uint64_t nuc_drops(enum sig_drop d)
{
	struct sig_nucleus_stats s;

	sig_nucleus_read(nuc, &s);
	return s.drops[d];
}

/* The nucleus's member with key k: where it is registered, or NULL. */
static const struct net_endpoint *member_at_key(const uint8_t *k)
{
	const struct sig_peer *p = sig_nucleus_lookup(nuc, 0, SIG_BY_PUBKEY, k);

	return p ? &p->cand[0].ep : NULL;
}

/*
 * A rogue member: it has the cluster keys, so it makes any message; with
 * id_key it adds an identity trailer under that key (not the member's).
 * m encoded into buf; its length.
 */
static size_t rogue_encode(struct sig_msg *m, const uint8_t *id_key, uint64_t now, uint8_t *buf)
{
	struct sig_keys k;
	char err[128];
	size_t len;

	assert_int_equal(sig_keys_derive(&k, "lab", secret, err, sizeof(err)), 0);
	m->id = id_key != NULL;
	sig_msg_stamp(m, now);
	len = sig_encode_id(&k, m, id_key, buf, SIG_DATAGRAM_MAX);
	sig_keys_wipe(&k);
	assert_true(len > 0);
	return len;
}

/* Sends it to the nucleus from `from`: its answers in out, their count. */
static unsigned rogue_send(struct sig_msg *m, const uint8_t *id_key,
			   const struct net_endpoint *from, uint64_t now,
			   struct sig_out out[SIG_NUCLEUS_OUT_MAX])
{
	uint8_t buf[SIG_DATAGRAM_MAX];
	size_t len = rogue_encode(m, id_key, now, buf);

	return sig_nucleus_input(nuc, from, buf, len, now, out);
}

/* The same, to a client as if from the nucleus. */
static void rogue_to(struct node *n, struct sig_msg *m, const uint8_t *id_key, uint64_t now)
{
	uint8_t buf[SIG_DATAGRAM_MAX];
	size_t len;

	m->enc = n->conf.encrypt;
	len = rogue_encode(m, id_key, now, buf);
	sig_client_input(n->c, buf, len, now);
}

/* A rogue member with the secret, not a's private key: it cannot
 * heartbeat, query, leave or register as a (so cannot move it to its own
 * address), and cannot make b believe a PUNCH or JOINED of the nucleus. */
static void test_identity_rogue(void **state)
{
	static struct node a, b;
	struct net_endpoint r = { .port = 4000 };
	struct sig_out out[SIG_NUCLEUS_OUT_MAX];
	uint8_t not_a[SIG_KEY_LEN];
	struct sig_msg m, ch;
	struct sig_keys k;
	uint64_t now = t0 + 5000 * SIG_EXPIRY_MS;
	char err[128];

	(void)state;
	randombytes_buf(not_a, sizeof(not_a));
	net_addr_set(&r.addr, NET_AF_IP4, (uint8_t[]){ 198, 51, 100, 66 });
	node_init(&a, 1, false);
	node_init(&b, 2, false);
	run(now, now + 1000, 100);
	assert_true(sig_client_registered(a.c) && sig_client_registered(b.c));
	now += 2000;
	/* 1. HEARTBEAT naming a, without a trailer: no_identity; a stays. */
	memset(&m, 0, sizeof(m));
	m.type = SIG_HEARTBEAT;
	memcpy(m.u.hb.pubkey, a.conf.pubkey, SIG_PUBKEY_LEN);
	m.u.hb.cursor = SIG_CURSOR_NONE;
	assert_int_equal(rogue_send(&m, NULL, &r, now, out), 0);
	assert_true(nuc_drops(SIG_DROP_NO_IDENTITY) == 1);
	/* 2. With a trailer under another key: bad_identity; a not moved. */
	assert_int_equal(rogue_send(&m, not_a, &r, now, out), 0);
	assert_true(nuc_drops(SIG_DROP_BAD_IDENTITY) == 1);
	assert_true(net_endpoint_equal(member_at_key(a.conf.pubkey), &a.addr));
	/* 3. LEAVE naming a from a's own address (spoofed): a stays. */
	memset(&m, 0, sizeof(m));
	m.type = SIG_LEAVE;
	memcpy(m.u.leave, a.conf.pubkey, SIG_PUBKEY_LEN);
	assert_int_equal(rogue_send(&m, not_a, &a.addr, now, out), 0);
	assert_int_equal(rogue_send(&m, NULL, &a.addr, now, out), 0);
	assert_non_null(member_at_key(a.conf.pubkey));
	/* 4. QUERY as a: refused before any answer. */
	memset(&m, 0, sizeof(m));
	m.type = SIG_QUERY_PEER;
	memcpy(m.u.query.pubkey, a.conf.pubkey, SIG_PUBKEY_LEN);
	net_addr_set(&m.u.query.target, NET_AF_IP4, b.conf.vip4);
	assert_int_equal(rogue_send(&m, not_a, &a.addr, now, out), 0);
	assert_true(nuc_drops(SIG_DROP_BAD_IDENTITY) == 3);
	/* 5. REGISTER of a's key and VIP from the rogue's address: a CHALLENGE
	 * (stateless: nothing changes), then with its token: bad_identity. */
	memset(&m, 0, sizeof(m));
	m.type = SIG_REGISTER;
	m.u.reg = *sig_nucleus_lookup(nuc, 0, SIG_BY_PUBKEY, a.conf.pubkey);
	m.u.reg.n_cand = 0;
	memset(m.u.reg.cand, 0, sizeof(m.u.reg.cand));
	assert_int_equal(rogue_send(&m, not_a, &r, now, out), 1);
	assert_int_equal(sig_keys_derive(&k, "lab", secret, err, sizeof(err)), 0);
	assert_int_equal(sig_decode(&k, out[0].buf, out[0].len, &ch), SIG_OK);
	sig_keys_wipe(&k);
	assert_int_equal(ch.type, SIG_CHALLENGE);
	assert_true(net_endpoint_equal(&out[0].to, &r));
	memcpy(m.token, ch.u.challenge.token, SIG_TOKEN_LEN);
	m.id_epoch = ch.u.challenge.epoch;
	assert_int_equal(rogue_send(&m, not_a, &r, now, out), 0);
	assert_true(nuc_drops(SIG_DROP_BAD_IDENTITY) == 4);
	assert_true(net_endpoint_equal(member_at_key(a.conf.pubkey), &a.addr));
	/* 6. A PUNCH and a HEARTBEAT_ACK with a JOINED "from the nucleus" to b,
	 * made by the rogue: b believes neither. */
	memset(&m, 0, sizeof(m));
	m.type = SIG_PUNCH;
	m.u.reg = *sig_nucleus_lookup(nuc, 0, SIG_BY_PUBKEY, a.conf.pubkey);
	m.u.reg.pubkey[0] ^= 1; /* a made-up member */
	b.n_ev = 0;
	rogue_to(&b, &m, NULL, now);
	rogue_to(&b, &m, not_a, now);
	assert_true(sig_client_stats(b.c)->drops[SIG_DROP_NO_IDENTITY] == 1);
	assert_true(sig_client_stats(b.c)->drops[SIG_DROP_BAD_IDENTITY] == 1);
	assert_int_equal(find_ev(&b, SIG_EV_PUNCH, NULL), -1);
	assert_null(sig_client_lookup(b.c, SIG_BY_PUBKEY, m.u.reg.pubkey));
	/* The honest ones carry on: a's heartbeat is answered, nothing moved. */
	run(now, now + SIG_HEARTBEAT_MS + 1000, 500);
	assert_true(sig_client_registered(a.c));
	assert_true(net_endpoint_equal(member_at_key(a.conf.pubkey), &a.addr));
	node_fini(&a);
	node_fini(&b);
}

/* A member moves only by a REGISTER echoing a token from its new address:
 * a NAT that rebinds is followed within a heartbeat, a REGISTER captured
 * before a restart re-homes nobody after it, and a LEAVE captured before
 * a restart evicts nobody after it (epoch). */
static void test_return_routability_and_epoch(void **state)
{
	static struct node a, b, b2;
	struct sig_out out[SIG_NUCLEUS_OUT_MAX];
	uint8_t reg[SIG_DATAGRAM_MAX], leave[SIG_DATAGRAM_MAX];
	struct net_endpoint r = { .port = 4001 }, old;
	size_t reg_len, leave_len;
	struct sig_nucleus_stats s0, s1;
	uint64_t now = t0 + 6000 * SIG_EXPIRY_MS;
	struct sig_keys k;
	struct sig_msg m;
	char err[128];

	(void)state;
	net_addr_set(&r.addr, NET_AF_IP4, (uint8_t[]){ 198, 51, 100, 67 });
	sig_nucleus_destroy(nuc);
	nuc = make_nucleus_with(true);
	node_init(&a, 1, false);
	node_init(&b, 2, false);
	run(now, now + 1000, 100);
	/* a's NAT gives it a new port: its next HEARTBEAT is answered with a
	 * CHALLENGE, and its REGISTER from there moves it. */
	old = a.addr;
	a.addr.port++;
	sig_nucleus_read(nuc, &s0);
	run(now + 1100, now + SIG_HEARTBEAT_MS + 2000, 500);
	sig_nucleus_read(nuc, &s1);
	assert_true(s1.tx[SIG_CHALLENGE] == s0.tx[SIG_CHALLENGE] + 1);
	assert_true(net_endpoint_equal(member_at_key(a.conf.pubkey), &a.addr));
	assert_true(sig_client_registered(a.c));
	/* Capture a REGISTER with a good token (a re-registers on a new STUN
	 * address) and b's LEAVE; deliver neither. */
	now += SIG_HEARTBEAT_MS + 2500;
	sig_client_set_reflexive(a.c, &r, now);
	reg_len = sig_client_pop_datagram(a.c, reg, sizeof(reg));
	assert_true(reg_len > 0);
	assert_int_equal(sig_keys_derive(&k, "lab", secret, err, sizeof(err)), 0);
	assert_int_equal(sig_decode(&k, reg, reg_len, &m), SIG_OK);
	assert_true(m.type == SIG_REGISTER && m.id && !sodium_is_zero(m.token, SIG_TOKEN_LEN));
	sig_client_leave(b.c, now);
	leave_len = sig_client_pop_datagram(b.c, leave, sizeof(leave));
	assert_int_equal(sig_decode(&k, leave, leave_len, &m), SIG_OK);
	assert_int_equal(m.type, SIG_LEAVE);
	sig_keys_wipe(&k);
	/* The nucleus restarts (same key file). b, same key, same address,
	 * registers again; a's captured REGISTER, sent from elsewhere within
	 * its minute, only gets a CHALLENGE; b's LEAVE is of the old epoch. */
	sig_nucleus_destroy(nuc);
	nuc = make_nucleus_with(true);
	node_fini(&b);
	node_init_key(&b2, 2, false, b.priv);
	run(now + 100, now + 1000, 100);
	assert_true(sig_client_registered(b2.c));
	assert_int_equal(sig_nucleus_input(nuc, &old, reg, reg_len, now + 1100, out), 1);
	assert_int_equal(sig_keys_derive(&k, "lab", secret, err, sizeof(err)), 0);
	assert_int_equal(sig_decode(&k, out[0].buf, out[0].len, &m), SIG_OK);
	sig_keys_wipe(&k);
	assert_int_equal(m.type, SIG_CHALLENGE);
	assert_null(member_at_key(a.conf.pubkey)); /* a not registered by it */
	assert_int_equal(sig_nucleus_input(nuc, &b2.addr, leave, leave_len, now + 1100, out), 0);
	assert_true(nuc_drops(SIG_DROP_STALE_EPOCH) == 1);
	assert_non_null(member_at_key(b2.conf.pubkey));
	node_fini(&a);
	node_fini(&b2);
}

/* The nucleus restarts with its key file: the first HEARTBEAT of each
 * edge gets a signed "register again" (status UNKNOWN), and each is
 * registered again within one heartbeat interval, without LOST. */
static void test_restart_register_again(void **state)
{
	static struct node a, b;
	uint64_t now = t0 + 7000 * SIG_EXPIRY_MS;
	struct sig_nucleus_stats s;

	(void)state;
	sig_nucleus_destroy(nuc);
	nuc = make_nucleus_with(true);
	node_init(&a, 1, false);
	node_init(&b, 2, false);
	run(now, now + 1000, 100);
	run(now + 1100, now + SIG_HEARTBEAT_MS + 1000, 500); /* a hears of b */
	assert_int_equal(sig_client_n_peers(a.c), 1);
	sig_nucleus_destroy(nuc);
	nuc = make_nucleus_with(true);
	a.n_ev = b.n_ev = 0;
	run(now + SIG_HEARTBEAT_MS + 1100, now + 2 * SIG_HEARTBEAT_MS + 1100, 100);
	sig_nucleus_read(nuc, &s);
	assert_true(s.tx[SIG_HEARTBEAT_ACK] >= 2); /* the signed UNKNOWNs */
	assert_true(s.rx[SIG_REGISTER] == 2);
	assert_true(sig_client_registered(a.c) && sig_client_registered(b.c));
	assert_int_equal(find_ev(&a, SIG_EV_LOST, NULL), -1);
	for (unsigned d = 1; d < SIG_DROP_COUNT; d++)
		assert_true(sig_client_stats(a.c)->drops[d] == 0);
	node_fini(&a);
	node_fini(&b);
}

/* A cluster's admission list: a key it does not name is refused, even
 * with the secret and its private key; a new list admits it; a list that
 * leaves a member out removes it, and the others hear LEFT at their next
 * heartbeat (not held: the nucleus said it). */
static void test_admission_list(void **state)
{
	static struct node a, b;
	uint64_t now = t0 + 8000 * SIG_EXPIRY_MS;
	uint8_t keys[2][32];

	(void)state;
	node_init(&a, 1, false);
	node_init(&b, 2, false);
	memcpy(keys[0], a.conf.pubkey, 32);
	memcpy(keys[1], b.conf.pubkey, 32);
	assert_int_equal(sig_nucleus_set_members(nuc, 0, true, keys, 1), 0);
	run(now, now + 1000, 100);
	assert_true(sig_client_registered(a.c));
	assert_false(sig_client_registered(b.c));
	assert_true(nuc_drops(SIG_DROP_NOT_ADMITTED) >= 1);
	assert_int_equal(sig_nucleus_set_members(nuc, 0, true, keys, 2), 0);
	run(now + 1100, now + SIG_HEARTBEAT_MS + 1000, 500);
	assert_true(sig_client_registered(b.c));
	assert_non_null(sig_client_lookup(a.c, SIG_BY_PUBKEY, b.conf.pubkey));
	/* a is revoked: gone at the nucleus now, gone at b a heartbeat later. */
	b.n_ev = 0;
	assert_int_equal(sig_nucleus_set_members(nuc, 0, true, keys + 1, 1), 1);
	assert_null(member_at_key(a.conf.pubkey));
	run(now + SIG_HEARTBEAT_MS + 1100, now + 2 * SIG_HEARTBEAT_MS + 1100, 500);
	assert_true(find_ev(&b, SIG_EV_LEFT, a.conf.pubkey) >= 0);
	assert_false(b.ev[find_ev(&b, SIG_EV_LEFT, a.conf.pubkey)].stale);
	assert_null(member_at_key(a.conf.pubkey)); /* its REGISTERs refused */
	/* No list: any key with the secret again. */
	assert_int_equal(sig_nucleus_set_members(nuc, 0, false, NULL, 0), 0);
	run(now + 2 * SIG_HEARTBEAT_MS + 1200, now + 3 * SIG_HEARTBEAT_MS + 1200, 500);
	assert_non_null(member_at_key(a.conf.pubkey));
	node_fini(&a);
	node_fini(&b);
}

static void test_refusals(void **state)
{
	struct sig_client_conf conf = { .cluster = "lab", .secret = "too short", .vip_flags = 1 };
	char err[160];

	(void)state;
	assert_null(sig_client_create(&conf, err, sizeof(err)));
	assert_non_null(strstr(err, "at least 16"));
	conf.secret = secret;
	conf.vip_flags = 0;
	assert_null(sig_client_create(&conf, err, sizeof(err)));
}

int main(void)
{
	/* A nucleus each: a VIP stays its member's while it lives, and the
	 * tests use the same VIPs with new keys. */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_discover_query_punch_leave, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leave, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paging_big_cluster, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nucleus_restart_and_silence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queries_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reflexive_candidate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unexpected_replies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identity_rogue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_return_routability_and_epoch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_register_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_admission_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

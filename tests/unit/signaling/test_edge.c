/* SPDX-License-Identifier: MIT */
/*
 * The edge's cluster state machine (signaling/edge.h) in whole flows
 * against the real nucleus core in-process, on a fake clock: the loop's
 * monotonic milliseconds, and a wall clock far from it that the nucleus
 * checks timestamps against. The test plays the edge's glue: it sends
 * what SEND says (or hands it back while a node's next hop is
 * "unresolved"), keeps a table of WireGuard peers the events install, and
 * records the rest. Register then JOINED, which asks for a PUNCH; a host
 * miss parked and queried, released on FOUND, dropped on NOT_FOUND and on
 * timeout; PUNCH's opener on the follower, and on the leader its hold, its
 * INITIATE for the preferred family and the RESEND after the delay unless
 * answered; a STUN answer re-registering the reflexive candidate, and
 * datagrams for none of the machines counted; a SEND handed back, offered
 * again and dropped after its TTL (numbered table); LEAVE; the wall clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "test_keys.h"
#include "signaling/ident.h"
#include "signaling/codec.h"
#include "signaling/edge.h"
#include "signaling/nucleus.h"

#include "rfc5769.h"

static const char secret[] = "edge test secret 13579 abc";
static const uint64_t T0 = 5000;                      /* the loop's clock at the start */
static const int64_t WALL = 1700000000000ll - 5000ll; /* Unix time minus the loop's */
static const uint8_t init_msg[] = "initiation";

enum { MAX_REC = 64, HB_MS = 2000 };

struct rec_send {
	struct net_endpoint to;
	size_t len;
	uint8_t first;
};

struct node {
	struct sig_edge ed;
	struct sig_edge_conf conf;
	uint8_t priv[32];
	struct net_endpoint addr; /* as the nucleus sees it */
	bool unresolved;          /* every SEND handed back */
	bool refuse_install;      /* events install no peer */
	bool refuse_events;       /* the glue refuses every event (admit.h) */
	bool initiate_fails;      /* INITIATE reaches no candidate */
	struct {
		uint8_t key[SIG_PUBKEY_LEN];
		enum sig_edge_peer state;
	} peer[8];
	unsigned n_peer;
	struct sig_edge_action ev[MAX_REC], punch[MAX_REC], park[MAX_REC], refl[MAX_REC];
	unsigned n_ev, n_punch, n_park, n_refl;
	struct rec_send sent[MAX_REC];
	unsigned n_sent;
	uint64_t init_at[MAX_REC]; /* when each punch action came */
};

static struct sig_nucleus *nuc;
static struct net_endpoint nucleus_ep, stun1, stun2;
static struct node *nodes[4];
static unsigned n_nodes;
static bool nucleus_down;
static uint8_t last_to_nucleus[SIG_DATAGRAM_MAX]; /* the latest datagram for it */
static size_t last_len;

static struct net_endpoint ep4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
	struct net_endpoint e = { .port = port };

	net_addr_set(&e.addr, NET_AF_IP4, (uint8_t[]){ a, b, c, d });
	return e;
}

static struct net_endpoint ep6(uint8_t last, uint16_t port)
{
	struct net_endpoint e = { .port = port };
	uint8_t b[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	b[15] = last;
	net_addr_set(&e.addr, NET_AF_IP6, b);
	return e;
}

/* Every STUN round has the RFC 5769 sample's transaction id. */
static void fake_random(void *buf, size_t len)
{
	memcpy(buf, rfc5769_v4 + 8, len);
}

static int peer_at(const struct node *n, const uint8_t *key)
{
	for (unsigned i = 0; i < n->n_peer; i++)
		if (memcmp(n->peer[i].key, key, SIG_PUBKEY_LEN) == 0)
			return (int)i;
	return -1;
}

static enum sig_edge_peer fake_peer(void *ctx, const uint8_t *key)
{
	const struct node *n = ctx;
	int i = peer_at(n, key);

	return i < 0 ? SIG_EDGE_PEER_NONE : n->peer[i].state;
}

static void install(struct node *n, const uint8_t *key)
{
	if (n->refuse_install || peer_at(n, key) >= 0 || n->n_peer == 8)
		return;
	memcpy(n->peer[n->n_peer].key, key, SIG_PUBKEY_LEN);
	n->peer[n->n_peer++].state = SIG_EDGE_PEER_WAITING;
}

static void uninstall(struct node *n, const uint8_t *key)
{
	int i = peer_at(n, key);

	if (i >= 0)
		n->peer[i] = n->peer[--n->n_peer];
}

/* id 1.. : VIP 10.200.0.id, underlay 192.168.0.id (and 2001:db8::id
 * with dual), seen by the nucleus as 203.0.113.id. */
static void node_init(struct node *n, uint8_t id, bool dual, bool prefer6, unsigned n_stun)
{
	struct sig_client_conf *cc = &n->conf.client;
	char err[128];

	memset(n, 0, sizeof(*n));
	cc->cluster = "lab";
	cc->secret = secret;
	/* the lower id leads punches (both are behind NAT) */
	test_keypair(n->priv, cc->pubkey, id);
	cc->private_key = n->priv;
	cc->vip4[0] = 10, cc->vip4[1] = 200, cc->vip4[3] = id;
	cc->vip_flags = SIG_PEER_HAS_VIP4;
	cc->local[cc->n_local++] = ep4(192, 168, 0, id, 51820);
	if (dual)
		cc->local[cc->n_local++] = ep6(id, 51820);
	cc->heartbeat_ms = HB_MS;
	n->conf.punch.families = SIG_FAMILY_4 | (dual ? SIG_FAMILY_6 : 0);
	n->conf.punch.prefer_ipv6 = prefer6;
	n->conf.punch.delay_ms = 250;
	n->conf.nucleus = nucleus_ep;
	n->conf.stun[0] = stun1;
	n->conf.stun[1] = stun2;
	n->conf.n_stun = n_stun;
	n->conf.random = fake_random;
	n->conf.peer = fake_peer;
	n->conf.ctx = n;
	n->addr = ep4(203, 0, 113, id, (uint16_t)(40000 + id));
	assert_int_equal(sig_edge_init(&n->ed, &n->conf, err, sizeof(err)), 0);
	nodes[n_nodes++] = n;
}

static unsigned fini_drops; /* handles still parked at fini */

static void fini_drop(void *h)
{
	(void)h;
	fini_drops++;
}

static void node_fini(struct node *n)
{
	sig_edge_fini(&n->ed, fini_drop);
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

static void record(struct sig_edge_action *to, unsigned *n, const struct sig_edge_action *a)
{
	assert_true(*n < MAX_REC);
	to[(*n)++] = *a;
}

/* What the glue does with a SEND; true: it went out. */
static bool deliver(struct node *n, const struct sig_edge_action *a, uint64_t now)
{
	struct sig_out out[SIG_NUCLEUS_OUT_MAX];
	unsigned k;

	if (n->unresolved)
		return false;
	if (net_endpoint_equal(&a->send.to, &nucleus_ep)) {
		last_len = a->send.len;
		memcpy(last_to_nucleus, a->send.buf, last_len);
	}
	if (!net_endpoint_equal(&a->send.to, &nucleus_ep)) {
		assert_true(n->n_sent < MAX_REC);
		n->sent[n->n_sent++] = (struct rec_send){ .to = a->send.to,
							  .len = a->send.len,
							  .first = a->send.buf[0] };
		return true;
	}
	k = nucleus_down ? 0 :
			   sig_nucleus_input(nuc, &n->addr, a->send.buf, a->send.len,
					     (uint64_t)((int64_t)now + WALL), out);
	for (unsigned j = 0; j < k; j++) {
		struct node *to = node_at(&out[j].to);

		if (to)
			sig_edge_input(&to->ed, &nucleus_ep, out[j].buf, out[j].len, now);
	}
	return true;
}

static void act(struct node *n, const struct sig_edge_action *a, uint64_t now)
{
	switch (a->kind) {
	case SIG_EDGE_SEND:
		if (!deliver(n, a, now))
			sig_edge_unsent(&n->ed, a);
		break;
	case SIG_EDGE_EVENT:
		record(n->ev, &n->n_ev, a);
		if (n->refuse_events)
			sig_edge_refused(&n->ed, a, SIG_ADMIT_STATIC_KEY);
		else if (a->event.type == SIG_EV_LEFT)
			uninstall(n, a->event.peer.pubkey);
		else if (a->event.type >= SIG_EV_JOINED && a->event.type != SIG_EV_NOT_FOUND)
			install(n, a->event.peer.pubkey);
		break;
	case SIG_EDGE_REFLEXIVE:
		record(n->refl, &n->n_refl, a);
		break;
	case SIG_EDGE_INITIATE:
		if (!a->punch.ttl) /* as the glue: an opener is not sent again */
			sig_edge_initiated(&n->ed, a, n->initiate_fails ? 0 : a->punch.n, init_msg,
					   sizeof(init_msg));
		/* fall through */
	case SIG_EDGE_RESEND:
		n->init_at[n->n_punch] = now;
		record(n->punch, &n->n_punch, a);
		break;
	case SIG_EDGE_RELEASE:
		if (peer_at(n, a->park.pubkey) < 0)
			sig_edge_unreleased(&n->ed);
		/* fall through */
	case SIG_EDGE_DROP:
		record(n->park, &n->n_park, a);
		break;
	}
}

/* Every node's actions until the network is quiet. */
static void pump(uint64_t now)
{
	struct sig_edge_action a;
	bool moved = true;

	while (moved) {
		moved = false;
		for (unsigned i = 0; i < n_nodes; i++)
			while (sig_edge_pop(&nodes[i]->ed, &a)) {
				act(nodes[i], &a, now);
				moved = true;
			}
	}
}

/* One pass of every node's loop at now, as the glue makes it. */
static void pass(uint64_t now)
{
	for (unsigned i = 0; i < n_nodes; i++) {
		struct sig_edge *ed = &nodes[i]->ed;

		if (sig_edge_wall_due(ed, now))
			sig_edge_wall(ed, now, (uint64_t)((int64_t)now + WALL));
		if (now >= sig_edge_next_tick(ed))
			sig_edge_tick(ed, now);
	}
	pump(now);
	sig_nucleus_tick(nuc, (uint64_t)((int64_t)now + WALL));
}

static void run(uint64_t from, uint64_t to, uint64_t step)
{
	for (uint64_t now = from; now <= to; now += step)
		pass(now);
}

/* Index of the first event of type about key (NULL: any), or -1. */
static int find_ev(const struct node *n, enum sig_event_type type, const uint8_t *key)
{
	for (unsigned i = 0; i < n->n_ev; i++)
		if (n->ev[i].event.type == type &&
		    (!key || memcmp(n->ev[i].event.peer.pubkey, key, SIG_PUBKEY_LEN) == 0))
			return (int)i;
	return -1;
}

static int setup(void **state)
{
	static const struct nucleus_cluster_conf cl[] = { { "lab", secret } };
	struct sig_nucleus_conf conf = { .clusters = cl,
					 .n_clusters = 1,
					 .rate = 100000,
					 .burst = 100000,
					 .replay_capacity = 1 << 16 };
	char err[128];

	(void)state;
	if (sodium_init() < 0)
		return -1;
	nucleus_ep = ep4(198, 51, 100, 1, 51820);
	stun1 = ep4(198, 51, 100, 7, SIG_STUN_PORT);
	stun2 = ep4(198, 51, 100, 8, SIG_STUN_PORT);
	nucleus_down = false;
	nuc = sig_nucleus_create(&conf, err, sizeof(err));
	return nuc ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	while (n_nodes)
		node_fini(nodes[0]);
	sig_nucleus_destroy(nuc);
	return 0;
}

/* Both register (the nucleus takes their timestamps: the wall clock's
 * offset is in them); B hears of A in its REGISTER_ACK (JOINED installs
 * the peer at its first candidate) and asks about it, so the nucleus has
 * both punch: A learns B from its PUNCH at once, not at its next
 * heartbeat, which then has nothing new. */
static void test_register_joined(void **state)
{
	static struct node a, b;
	int i;

	(void)state;
	node_init(&a, 1, false, false, 0);
	node_init(&b, 2, false, false, 0);
	run(T0, T0 + 500, 100);
	i = find_ev(&a, SIG_EV_REGISTERED, NULL);
	assert_true(i >= 0 && find_ev(&b, SIG_EV_REGISTERED, NULL) >= 0);
	assert_true(net_endpoint_equal(&a.ev[i].event.observed, &a.addr));
	i = find_ev(&b, SIG_EV_JOINED, a.conf.client.pubkey);
	assert_true(i >= 0);
	assert_int_equal(b.ev[i].n_cand, 2); /* observed and local, IPv4 */
	assert_true(net_endpoint_equal(&b.ev[i].cand[0], &a.addr));
	assert_int_equal(fake_peer(&b, a.conf.client.pubkey), SIG_EDGE_PEER_WAITING);
	assert_int_equal(b.ed.stats.punch_asks, 1);
	assert_int_equal(find_ev(&a, SIG_EV_JOINED, NULL), -1);
	assert_true(find_ev(&a, SIG_EV_PUNCH, b.conf.client.pubkey) >= 0);
	assert_int_equal(fake_peer(&a, b.conf.client.pubkey), SIG_EDGE_PEER_WAITING);
	run(T0 + 600, T0 + HB_MS + 600, 100);
	assert_int_equal(find_ev(&a, SIG_EV_JOINED, NULL), -1);
	assert_true(a.ed.stats.joined == 0 && b.ed.stats.joined == 1);
	assert_int_equal(a.ed.stats.punch_asks, 0);
	assert_int_equal(a.ed.stats.dropped_other + b.ed.stats.dropped_other, 0);
	assert_int_equal(sig_client_n_peers(a.ed.client), 1);
}

/* The loop's clock, the wall clock read at the first call and every
 * minute, and the client's Unix-time tick on the loop's clock. */
static void test_wall_clock(void **state)
{
	static const struct {
		uint64_t at; /* ms after T0 */
		bool due;
	} rows[] = {
		/* 1 */ { 0, true },  /* first call */
		/* 2 */ { 1, false }, /* read at 0 */
		/* 3 */ { 59999, false },
		/* 4 */ { 60000, true }, /* a minute on */
	};
	static struct node a;
	uint64_t next;

	(void)state;
	node_init(&a, 1, false, false, 0);
	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint64_t now = T0 + rows[i].at;

		assert_int_equal(sig_edge_wall_due(&a.ed, now), rows[i].due);
		if (rows[i].due)
			sig_edge_wall(&a.ed, now, (uint64_t)((int64_t)now + WALL));
		assert_int_equal(sig_edge_wire_ms(&a.ed, now), (uint64_t)((int64_t)now + WALL));
	}
	/* A REGISTER at T0 + 60000: the next one is due SIG_CLIENT_RETRY_MS
	 * later on the loop's clock. */
	assert_int_equal(sig_edge_next_tick(&a.ed), 0);
	nucleus_down = true;
	pass(T0 + 60000);
	next = sig_edge_next_tick(&a.ed);
	assert_int_equal(next, T0 + 60000 + SIG_CLIENT_RETRY_MS);
}

/* Without the wall clock's offset the timestamps are the loop's: the
 * nucleus drops them as stale and nobody registers. */
static void test_wall_clock_missing(void **state)
{
	static struct node a;
	struct sig_edge_action act_;

	(void)state;
	node_init(&a, 1, false, false, 0);
	for (uint64_t now = T0; now < T0 + 3000; now += 100) {
		if (now >= sig_edge_next_tick(&a.ed))
			sig_edge_tick(&a.ed, now);
		while (sig_edge_pop(&a.ed, &act_))
			act(&a, &act_, now);
	}
	assert_int_equal(find_ev(&a, SIG_EV_REGISTERED, NULL), -1);
}

/* A nucleus that never saw the last row's members: each holds its VIP while
 * it lives, and every row registers the same VIPs with new keys. */
static void renew_nucleus(void)
{
	sig_nucleus_destroy(nuc);
	assert_int_equal(setup(NULL), 0);
}

/* Two registered nodes that know each other, the clock at *now; the
 * punch B's JOINED began is over, and forgotten (records, counters). */
static void pair(struct node *a, struct node *b, bool dual, bool prefer6, uint64_t *now)
{
	renew_nucleus();
	node_init(a, 1, dual, prefer6, 0);
	node_init(b, 2, dual, false, 0);
	run(T0, T0 + HB_MS + 500, 100);
	assert_true(find_ev(a, SIG_EV_PUNCH, b->conf.client.pubkey) >= 0);
	assert_int_equal(sig_edge_next_tick(&a->ed) >= T0 + HB_MS + 600, true);
	a->n_punch = b->n_punch = a->n_ev = b->n_ev = 0;
	memset(&a->ed.punch.stats, 0, sizeof(a->ed.punch.stats));
	memset(&b->ed.punch.stats, 0, sizeof(b->ed.punch.stats));
	*now = T0 + HB_MS + 600;
}

/* A nucleus restart never takes down a working tunnel (linger.h): A
 * registers again first, and its resync does not list B yet; B's peer,
 * its session up, stays until B is back, which cancels the LEFT. A member
 * that never comes back leaves SIG_LINGER_MS later; one with no session
 * at once. */
static void test_restart_keeps_sessions(void **state)
{
	static struct node a, b;
	uint64_t now, t;

	(void)state;
	pair(&a, &b, false, false, &now);
	a.peer[peer_at(&a, b.conf.client.pubkey)].state = SIG_EDGE_PEER_UP;
	/* The nucleus restarts; B cannot reach it for a while. */
	renew_nucleus();
	b.unresolved = true;
	run(now, now + 3 * HB_MS, 100);
	t = now + 3 * HB_MS;
	assert_true(sig_client_registered(a.ed.client));
	assert_true(a.ed.stats.left_held == 1);
	assert_int_equal(find_ev(&a, SIG_EV_LEFT, b.conf.client.pubkey), -1);
	assert_true(peer_at(&a, b.conf.client.pubkey) >= 0);
	/* B is back: A hears JOINED, the LEFT is never given. */
	b.unresolved = false;
	run(t, t + SIG_LINGER_MS + 2 * HB_MS, 500);
	t += SIG_LINGER_MS + 2 * HB_MS;
	assert_true(find_ev(&a, SIG_EV_JOINED, b.conf.client.pubkey) >= 0);
	assert_int_equal(find_ev(&a, SIG_EV_LEFT, b.conf.client.pubkey), -1);
	assert_true(peer_at(&a, b.conf.client.pubkey) >= 0);
	/* Another restart, and B does not come back: it leaves, later. */
	renew_nucleus();
	b.unresolved = true;
	run(t, t + 3 * HB_MS, 100);
	assert_true(a.ed.stats.left_held == 2);
	assert_int_equal(find_ev(&a, SIG_EV_LEFT, b.conf.client.pubkey), -1);
	run(t + 3 * HB_MS, t + SIG_LINGER_MS + 4 * HB_MS, 500);
	assert_true(find_ev(&a, SIG_EV_LEFT, b.conf.client.pubkey) >= 0);
	assert_int_equal(peer_at(&a, b.conf.client.pubkey), -1);
	/* Without a session there is nothing to keep: at once. */
	b.unresolved = false;
	run(t + SIG_LINGER_MS + 4 * HB_MS, t + SIG_LINGER_MS + 6 * HB_MS, 100);
	t += SIG_LINGER_MS + 6 * HB_MS;
	assert_true(peer_at(&a, b.conf.client.pubkey) >= 0); /* installed again, waiting */
	a.n_ev = 0;
	renew_nucleus();
	b.unresolved = true;
	run(t, t + 3 * HB_MS, 100);
	assert_true(find_ev(&a, SIG_EV_LEFT, b.conf.client.pubkey) >= 0);
	assert_true(a.ed.stats.left_held == 2);
}

static struct net_addr vip_of(uint8_t id)
{
	struct net_addr t;

	net_addr_set(&t, NET_AF_IP4, (uint8_t[]){ 10, 200, 0, id });
	return t;
}

/* A host miss: parked, one query for two packets; FOUND releases both to
 * the member's peer in their order, and its PUNCH follows. */
static void test_miss_found(void **state)
{
	static struct node a, b;
	struct net_addr t = vip_of(2);
	uint64_t now;

	(void)state;
	pair(&a, &b, false, false, &now);
	uninstall(&a, b.conf.client.pubkey); /* the host's packet missed it */
	nucleus_down = true;
	assert_true(sig_edge_miss(&a.ed, (void *)1, &t, now));
	assert_true(sig_edge_miss(&a.ed, (void *)2, &t, now)); /* already asked */
	assert_int_equal(a.ed.stats.queries, 1);
	pump(now);
	assert_int_equal(a.n_park, 0);
	nucleus_down = false;
	run(now + 100, now + SIG_CLIENT_RETRY_MS + 100, 100); /* the query again */
	assert_int_equal(a.ed.stats.found, 1);
	assert_int_equal(a.n_park, 2);
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(a.park[i].kind, SIG_EDGE_RELEASE);
		assert_ptr_equal(a.park[i].park.handle, (void *)(uintptr_t)(i + 1));
		assert_memory_equal(a.park[i].park.pubkey, b.conf.client.pubkey, SIG_PUBKEY_LEN);
	}
	assert_int_equal(a.ed.stats.waiting_dropped, 0);
	/* FOUND came before the RELEASEs: the peer was there for them. */
	assert_int_equal(fake_peer(&a, b.conf.client.pubkey), SIG_EDGE_PEER_WAITING);
	assert_true(find_ev(&a, SIG_EV_PUNCH, b.conf.client.pubkey) >
		    find_ev(&a, SIG_EV_FOUND, b.conf.client.pubkey));
	/* A leads (the lower key, both behind NAT): the hold at once. */
	assert_int_equal(a.n_punch, 1);
	assert_int_equal(a.punch[0].punch.n, 0);
	assert_true(a.punch[0].punch.hold_ms > 0);
}

/* A member with the key of a configured peer (installed here, but not by
 * the cluster): the glue refuses its FOUND and PUNCH, and then the parked
 * packets go to no peer of that key and nothing punches to its
 * candidates. */
static void test_refused(void **state)
{
	static struct node a, b;
	struct net_addr t = vip_of(2);
	uint64_t now;

	(void)state;
	pair(&a, &b, false, false, &now);
	a.refuse_events = true;
	assert_true(sig_edge_miss(&a.ed, (void *)1, &t, now));
	pump(now);
	assert_int_equal(a.ed.stats.found, 1);
	assert_true(find_ev(&a, SIG_EV_PUNCH, b.conf.client.pubkey) >= 0);
	assert_int_equal(a.ed.stats.refused[SIG_ADMIT_STATIC_KEY], 2);
	assert_int_equal(a.n_punch, 0);
	assert_int_equal(a.n_park, 1);
	assert_int_equal(a.park[0].kind, SIG_EDGE_RELEASE);
	assert_memory_not_equal(a.park[0].park.pubkey, b.conf.client.pubkey, SIG_PUBKEY_LEN);
	assert_int_equal(a.ed.stats.waiting_dropped, 1);
}

/* Candidates nobody can be reached at are gone before the caller or the
 * punch sees them, counted: here b's own, loopback (the nucleus adds the
 * address it saw first). */
static void test_bad_candidates(void **state)
{
	static struct node a, b;
	char err[64];
	int k;

	(void)state;
	renew_nucleus();
	node_init(&a, 1, false, false, 0);
	node_init(&b, 2, false, false, 0);
	sig_edge_fini(&b.ed, fini_drop);
	b.conf.client.local[0] = ep4(127, 0, 0, 1, 51820);
	assert_int_equal(sig_edge_init(&b.ed, &b.conf, err, sizeof(err)), 0);
	run(T0, T0 + HB_MS + 500, 100);
	/* a hears of b first from the PUNCH b's question brings, or from the
	 * JOINED delta: whichever, its candidates are filtered. */
	k = find_ev(&a, SIG_EV_PUNCH, b.conf.client.pubkey);
	if (k < 0)
		k = find_ev(&a, SIG_EV_JOINED, b.conf.client.pubkey);
	assert_true(k >= 0);
	assert_int_equal(a.ev[k].n_bad_cand, 1);
	assert_int_equal(a.ev[k].event.peer.n_cand, 1);
	assert_int_equal(a.ev[k].n_cand, 1);
	assert_true(net_endpoint_equal(&a.ev[k].cand[0], &b.addr));
	assert_int_equal(a.ed.stats.refused[SIG_ADMIT_BAD_CANDIDATE], 1);
}

/* A numbered table of host misses the packet does not survive: NOT_FOUND,
 * no answer within the park's TTL (and not a moment before), FOUND for a
 * member whose peer could not be installed (RELEASE handed back), a
 * packet without an address, a full park. */
static void test_miss_dropped(void **state)
{
	enum { NOT_FOUND, SILENT, NO_PEER, NO_ADDR, FULL };
	static const struct {
		int how;
		uint8_t vip;
		bool parked;              /* sig_edge_miss's answer */
		enum sig_edge_kind kind;  /* the action for it; 0: none */
		uint64_t after;           /* ms after the miss it comes */
		uint64_t waiting_dropped; /* counted */
	} rows[] = {
		/* 1 */ { NOT_FOUND, 99, true, SIG_EDGE_DROP, 0, 1 },
		/* 2 */ { SILENT, 2, true, SIG_EDGE_DROP, SIG_PARK_TTL_MS + 1, 1 },
		/* 3 */ { NO_PEER, 2, true, SIG_EDGE_RELEASE, 0, 1 },
		/* 4 */ { NO_ADDR, 0, false, 0, 0, 0 },
		/* 5 */ { FULL, 99, false, 0, 0, 1 },
	};

	(void)state;
	for (unsigned r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		static struct node a, b;
		struct net_addr t = vip_of(rows[r].vip);
		uint64_t now;

		pair(&a, &b, false, false, &now);
		uninstall(&a, b.conf.client.pubkey);
		nucleus_down = rows[r].how == SILENT || rows[r].how == FULL;
		a.refuse_install = rows[r].how == NO_PEER;
		if (rows[r].how == NO_ADDR)
			memset(&t, 0, sizeof(t));
		for (unsigned i = 0; rows[r].how == FULL && i < SIG_PARK_MAX; i++)
			assert_true(sig_edge_miss(&a.ed, (void *)(uintptr_t)(100 + i), &t, now));
		assert_int_equal(sig_edge_miss(&a.ed, (void *)1, &t, now), rows[r].parked);
		pump(now);
		if (rows[r].after) {
			run(now + 1, now + rows[r].after - 1, 1);
			assert_int_equal(a.n_park, 0);
			pass(now + rows[r].after);
		}
		assert_int_equal(a.n_park, rows[r].kind != 0);
		if (rows[r].kind) {
			assert_int_equal(a.park[0].kind, rows[r].kind);
			assert_ptr_equal(a.park[0].park.handle, (void *)1);
		}
		assert_int_equal(a.ed.stats.waiting_dropped, rows[r].waiting_dropped);
		fini_drops = 0;
		node_fini(&a);
		assert_int_equal(fini_drops, rows[r].how == FULL ? SIG_PARK_MAX : 0);
		node_fini(&b);
		nucleus_down = false;
	}
}

/* PUNCH, both behind NAT: B (the higher key) follows, its opener with a
 * low TTL to A's public candidate only, at once; A leads: its hold at
 * once, then with prefer_ipv6 and both families its INITIATE to the IPv6
 * candidate exactly SIG_PUNCH_LEAD_MS later and the RESEND to the IPv4
 * ones exactly the delay after that while the peer has no session, none
 * when it came up, and still when it is up through the relay (the punch
 * looks for the direct path) (numbered table). */
static void test_punch(void **state)
{
	static const struct {
		enum sig_edge_peer state; /* the peer's, from before the delay */
		bool resend;              /* the later family went out */
	} rows[] = {
		/* 1 */ { SIG_EDGE_PEER_WAITING, true },
		/* 2 */ { SIG_EDGE_PEER_UP, false },
		/* 3 */ { SIG_EDGE_PEER_RELAYED, true },
	};
	enum { LEAD = SIG_PUNCH_LEAD_MS };

	(void)state;
	for (unsigned r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		static struct node a, b;
		struct net_addr t = vip_of(2);
		uint64_t now;
		int k;

		pair(&a, &b, true, true, &now);
		assert_true(sig_edge_miss(&a.ed, (void *)1, &t, now));
		pump(now);
		assert_int_equal(a.n_punch, 1);
		assert_int_equal(a.punch[0].kind, SIG_EDGE_INITIATE);
		assert_int_equal(a.punch[0].punch.n, 0);
		assert_int_equal(a.punch[0].punch.hold_ms, LEAD + SIG_PUNCH_GRACE_MS + 250);
		assert_memory_equal(a.punch[0].punch.pubkey, b.conf.client.pubkey, SIG_PUBKEY_LEN);
		assert_int_equal(a.ed.punch.stats.punches, 1);
		assert_int_equal(a.ed.punch.stats.led, 1);
		/* b: the opener, to A's address as the nucleus saw it. */
		assert_int_equal(b.n_punch, 1);
		assert_int_equal(b.punch[0].punch.n, 1);
		assert_int_equal(b.punch[0].punch.ttl, SIG_PUNCH_OPEN_TTL);
		assert_true(net_endpoint_equal(&b.punch[0].punch.cand[0], &a.addr));
		assert_int_equal(b.ed.punch.stats.opened, 1);
		run(now + 1, now + LEAD - 1, 1);
		assert_int_equal(a.n_punch, 1);
		pass(now + LEAD);
		assert_int_equal(a.n_punch, 2);
		assert_int_equal(a.punch[1].kind, SIG_EDGE_INITIATE);
		assert_int_equal(a.punch[1].punch.n, 1);
		assert_int_equal(a.punch[1].punch.ttl, 0);
		assert_int_equal(a.punch[1].punch.cand[0].addr.family, NET_AF_IP6);
		k = peer_at(&a, b.conf.client.pubkey);
		assert_true(k >= 0);
		a.peer[k].state = rows[r].state;
		run(now + LEAD + 1, now + LEAD + 249, 1);
		assert_int_equal(a.n_punch, 2);
		pass(now + LEAD + 250);
		assert_int_equal(a.n_punch, 2 + rows[r].resend);
		if (rows[r].resend) {
			assert_int_equal(a.punch[2].kind, SIG_EDGE_RESEND);
			assert_int_equal(a.punch[2].punch.n, 2);
			assert_int_equal(a.punch[2].punch.cand[0].addr.family, NET_AF_IP4);
			assert_int_equal(a.init_at[2], now + LEAD + 250);
		}
		assert_int_equal(b.n_punch, 1);
		node_fini(&a);
		node_fini(&b);
	}
}

/* An initiation that did not reach every candidate goes to each of them
 * again as a SEND; a PUNCH for a peer that could not be installed starts
 * nothing and is not counted. */
static void test_punch_unsent(void **state)
{
	static struct node a, b;
	struct net_addr t = vip_of(2);
	uint64_t now;

	(void)state;
	pair(&a, &b, false, false, &now);
	a.initiate_fails = true;
	b.refuse_install = true;
	uninstall(&b, a.conf.client.pubkey);
	assert_true(sig_edge_miss(&a.ed, (void *)1, &t, now));
	pump(now);
	run(now + 1, now + SIG_PUNCH_LEAD_MS, 1); /* A leads */
	assert_int_equal(a.n_punch, 2);
	assert_int_equal(a.n_sent, a.punch[1].punch.n);
	for (unsigned i = 0; i < a.n_sent; i++) {
		assert_true(net_endpoint_equal(&a.sent[i].to, &a.punch[1].punch.cand[i]));
		assert_int_equal(a.sent[i].len, sizeof(init_msg));
		assert_int_equal(a.sent[i].first, init_msg[0]);
	}
	assert_true(find_ev(&b, SIG_EV_PUNCH, a.conf.client.pubkey) >= 0);
	assert_int_equal(b.n_punch, 0);
	assert_int_equal(b.ed.punch.stats.punches, 0);
}

/* A nucleus that answers a query with ourselves (ours never does: it says
 * NOT_FOUND): FOUND names us; no event to install ourselves, the packet
 * released to no one (handed back, counted), no punch. */
static void test_found_us(void **state)
{
	static struct node a, b;
	struct net_addr t = vip_of(1);
	struct sig_msg q, r = { .type = SIG_PEER_INFO };
	uint8_t npub[SIG_PUBKEY_LEN], idk[SIG_KEY_LEN];
	struct sig_keys k;
	uint8_t buf[SIG_DATAGRAM_MAX];
	char err[128];
	uint64_t now;
	size_t len;

	(void)state;
	pair(&a, &b, false, false, &now);
	nucleus_down = true;
	assert_true(sig_edge_miss(&a.ed, (void *)1, &t, now));
	pump(now);
	assert_int_equal(sig_keys_derive(&k, "lab", secret, err, sizeof(err)), 0);
	assert_int_equal(sig_decode(&k, last_to_nucleus, last_len, &q), SIG_OK);
	assert_int_equal(q.type, SIG_QUERY_PEER);
	r.enc = q.enc;
	r.seq = q.seq;
	r.u.info.target = t;
	r.u.info.peer = *sig_nucleus_lookup(nuc, 0, SIG_BY_PUBKEY, a.conf.client.pubkey);
	sig_msg_stamp(&r, (uint64_t)((int64_t)now + WALL));
	/* Signed as the nucleus signs what it sends a: a buggy nucleus. */
	sig_nucleus_public_key(nuc, npub);
	assert_int_equal(sig_ident_key(idk, a.priv, npub, a.conf.client.pubkey, npub), 0);
	r.id = true;
	len = sig_encode_id(&k, &r, idk, buf, sizeof(buf));
	assert_true(len > 0);
	sig_edge_input(&a.ed, &nucleus_ep, buf, len, now);
	pump(now);
	sig_keys_wipe(&k);
	assert_int_equal(a.ed.stats.found, 1);
	assert_int_equal(find_ev(&a, SIG_EV_FOUND, NULL), -1);
	assert_int_equal(a.n_park, 1);
	assert_int_equal(a.park[0].kind, SIG_EDGE_RELEASE);
	assert_int_equal(a.ed.stats.waiting_dropped, 1);
	assert_int_equal(a.n_punch, 0);
}

/* What comes in goes to one machine or is counted: a numbered table of
 * datagrams, their source and where they end. */
static void test_input_table(void **state)
{
	enum { SIGNALING, STUN_ANSWER, JUNK };
	enum { CLIENT, STUN_OK, STUN_SAME, OTHER };
	static const struct {
		int what;
		const struct net_endpoint *from;
		int to;
	} rows[] = {
		/* 1 */ { STUN_ANSWER, &stun1, STUN_OK },    /* new reflexive address */
		/* 2 */ { STUN_ANSWER, &stun2, STUN_SAME },  /* the same again */
		/* 3 */ { STUN_ANSWER, &nucleus_ep, OTHER }, /* not one of our servers */
		/* 4 */ { SIGNALING, &stun1, OTHER },        /* signaling, not from the nucleus */
		/* 5 */ { JUNK, &nucleus_ep, OTHER },        /* neither */
		/* 6 */ { SIGNALING, &nucleus_ep, CLIENT },  /* replayed: the client's to judge */
	};
	static struct node a;
	uint8_t sig[SIG_DATAGRAM_MAX], junk[32] = { 0x42 };
	size_t sig_len = 0;
	struct sig_edge_action act_;
	uint64_t now;

	(void)state;
	node_init(&a, 1, false, false, 2);
	/* Our first round of STUN requests, one per server; a copy of a
	 * datagram from the nucleus for row 4 and 6. */
	sig_edge_wall(&a.ed, T0, (uint64_t)((int64_t)T0 + WALL));
	sig_edge_tick(&a.ed, T0);
	while (sig_edge_pop(&a.ed, &act_)) {
		if (net_endpoint_equal(&act_.send.to, &nucleus_ep)) {
			struct sig_out out[SIG_NUCLEUS_OUT_MAX];

			assert_int_equal(sig_nucleus_input(nuc, &a.addr, act_.send.buf,
							   act_.send.len,
							   (uint64_t)((int64_t)T0 + WALL), out),
					 1);
			sig_len = out[0].len;
			memcpy(sig, out[0].buf, sig_len);
		} else {
			act(&a, &act_, T0);
		}
	}
	assert_int_equal(a.n_sent, 2);
	assert_true(net_endpoint_equal(&a.sent[0].to, &stun1));
	assert_true(net_endpoint_equal(&a.sent[1].to, &stun2));
	sig_edge_input(&a.ed, &nucleus_ep, sig, sig_len, T0);
	pump(T0);
	assert_true(find_ev(&a, SIG_EV_REGISTERED, NULL) >= 0);
	now = T0 + 100;
	for (unsigned r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		const struct sig_client_stats *cs = sig_client_stats(a.ed.client);
		uint64_t other = a.ed.stats.dropped_other,
			 ok = a.ed.stun.stats.results[SIG_STUN_OK];
		uint64_t drops = cs->drops[SIG_DROP_REPLAY];
		unsigned refl = a.n_refl;
		const uint8_t *p = rows[r].what == SIGNALING ? sig :
				   rows[r].what == JUNK      ? junk :
							       rfc5769_v4;
		size_t len = rows[r].what == SIGNALING ? sig_len :
			     rows[r].what == JUNK      ? sizeof(junk) :
							 sizeof(rfc5769_v4);

		sig_edge_input(&a.ed, rows[r].from, p, len, now);
		pump(now);
		assert_int_equal(a.ed.stats.dropped_other - other, rows[r].to == OTHER);
		assert_int_equal(a.ed.stun.stats.results[SIG_STUN_OK] - ok,
				 rows[r].to == STUN_OK || rows[r].to == STUN_SAME);
		assert_int_equal(a.n_refl - refl, rows[r].to == STUN_OK);
		assert_int_equal(cs->drops[SIG_DROP_REPLAY] - drops, rows[r].to == CLIENT);
	}
}

/* The STUN answer re-registers: the nucleus lists our reflexive
 * candidate, and the other member hears of it (MOVED). */
static void test_stun_reregisters(void **state)
{
	static struct node a, b;
	struct net_endpoint mapped = ep4(192, 0, 2, 1, 32853);
	const struct sig_peer *p;
	uint64_t now;
	int i;

	(void)state;
	node_init(&a, 1, false, false, 1);
	node_init(&b, 2, false, false, 0);
	run(T0, T0 + HB_MS + 500, 100);
	assert_true(find_ev(&a, SIG_EV_PUNCH, b.conf.client.pubkey) >= 0);
	now = T0 + HB_MS + 600;
	sig_edge_input(&a.ed, &stun1, rfc5769_v4, sizeof(rfc5769_v4), now);
	pump(now);
	assert_int_equal(a.n_refl, 1);
	assert_true(net_endpoint_equal(&a.refl[0].reflexive.addr, &mapped));
	assert_true(net_endpoint_equal(&a.refl[0].reflexive.from, &stun1));
	p = sig_nucleus_lookup(nuc, 0, SIG_BY_PUBKEY, a.conf.client.pubkey);
	assert_non_null(p);
	for (i = 0; i < p->n_cand && p->cand[i].kind != SIG_KIND_STUN; i++)
		;
	assert_true(i < p->n_cand);
	assert_true(net_endpoint_equal(&p->cand[i].ep, &mapped));
	run(now + 100, now + HB_MS + 200, 100);
	assert_true(find_ev(&b, SIG_EV_MOVED, a.conf.client.pubkey) >= 0);
	assert_int_equal(b.ed.stats.moved, 1);
}

/* A SEND handed back (next hop unresolved) is offered again on every tick
 * and goes out if the hop resolves within SIG_OUTBOX_TTL_MS (the pass
 * that finds it expired tries a last time), else it is dropped: a
 * numbered table of when the hop resolves. The client's own retry is
 * beyond the table, so the only REGISTER is the first. */
static void test_outbox_ttl(void **state)
{
	static const struct {
		uint64_t resolved; /* ms after the REGISTER */
		bool registered;
	} rows[] = {
		/* 1 */ { 1, true },
		/* 2 */ { 1000, true },
		/* 3 */ { SIG_OUTBOX_TTL_MS, true },
		/* 4 */ { SIG_OUTBOX_TTL_MS + 1, true }, /* its last try */
		/* 5 */ { SIG_OUTBOX_TTL_MS + 2, false },
	};

	(void)state;
	for (unsigned r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		static struct node a;
		char err[64];
		int i;

		renew_nucleus();
		node_init(&a, 1, false, false, 0);
		a.conf.client.retry_ms = 60000;
		a.conf.client.heartbeat_ms = 60000;
		sig_edge_fini(&a.ed, fini_drop);
		assert_int_equal(sig_edge_init(&a.ed, &a.conf, err, sizeof(err)), 0);
		for (uint64_t now = T0; now <= T0 + SIG_OUTBOX_TTL_MS + 10; now++) {
			a.unresolved = now < T0 + rows[r].resolved;
			pass(now);
		}
		i = find_ev(&a, SIG_EV_REGISTERED, NULL);
		assert_int_equal(i >= 0, rows[r].registered);
		assert_int_equal(a.ed.outbox.stats.kept, 1);
		assert_int_equal(a.ed.outbox.stats.expired, !rows[r].registered);
		assert_int_equal(sig_edge_next_tick(&a.ed) > T0 + SIG_OUTBOX_TTL_MS + 10, true);
		node_fini(&a);
	}
}

/* A clean stop: one LEAVE to the nucleus; the other member hears at its
 * next heartbeat and removes the peer. */
static void test_leave(void **state)
{
	static struct node a, b;
	struct sig_edge_action act_;
	uint64_t now;

	(void)state;
	pair(&a, &b, false, false, &now);
	assert_true(peer_at(&b, a.conf.client.pubkey) >= 0);
	sig_edge_leave(&a.ed, now);
	assert_true(sig_edge_pop(&a.ed, &act_));
	assert_int_equal(act_.kind, SIG_EDGE_SEND);
	assert_true(net_endpoint_equal(&act_.send.to, &nucleus_ep));
	assert_int_equal(act_.send.buf[5], SIG_LEAVE);
	act(&a, &act_, now);
	assert_false(sig_edge_pop(&a.ed, &act_));
	node_fini(&a);
	run(now + 100, now + HB_MS + 100, 100);
	assert_true(find_ev(&b, SIG_EV_LEFT, a.conf.client.pubkey) >= 0);
	assert_int_equal(b.ed.stats.left, 1);
	assert_true(peer_at(&b, a.conf.client.pubkey) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_register_joined, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wall_clock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wall_clock_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_miss_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_miss_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_candidates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_punch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_punch_unsent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_found_us, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stun_reregisters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outbox_ttl, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leave, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_keeps_sessions, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * The nucleus core with an injected clock, driven by hand-made datagrams:
 * register, expiry at exactly 90 s, deltas (joined, moved, left), paging
 * under 1 KB for resyncs and deltas, a version too old or a new epoch,
 * unknown heartbeats, queries and punches, VIP claims (a live member's VIP
 * is refused to another key; a numbered table), lookups against a
 * naive reference after random adds and removes, the rate limit, drops by
 * reason (wrong secret, wrong direction, replay, stale), clusters apart,
 * configuration errors.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "signaling/admit.h"
#include "signaling/codec.h"
#include "signaling/nucleus.h"

static const char secret[] = "nucleus test secret 0123";
static const uint64_t t0 = 1700000000000ull;

struct edge {
	struct sig_keys keys;
	struct sig_peer self;
	struct net_endpoint addr;
	uint32_t epoch;
	uint64_t version;
	uint32_t cursor;
};

static struct sig_nucleus *nuc;
static struct sig_out out[SIG_NUCLEUS_OUT_MAX];
static struct sig_msg reply;

/* What the core told its log hook: how many refusals, and the last. */
static struct {
	unsigned n;
	char last[SIG_NUCLEUS_DETAIL_MAX];
} told;

static void hear(void *ctx, const char *line)
{
	assert_ptr_equal(ctx, &told);
	assert_true(strlen(line) < sizeof(told.last));
	told.n++;
	strcpy(told.last, line);
}

static struct sig_nucleus *make(const struct nucleus_cluster_conf *cl, size_t n, unsigned rate)
{
	struct sig_nucleus_conf conf = { .clusters = cl,
					 .n_clusters = n,
					 .rate = rate,
					 .burst = rate,
					 .replay_capacity = 1 << 16,
					 /* raw messages without identity: the core's
					  * rules before it (test_ident.c has those) */
					 .legacy_members = true,
					 .log = hear,
					 .log_ctx = &told };
	char err[160];
	struct sig_nucleus *x = sig_nucleus_create(&conf, err, sizeof(err));

	assert_non_null(x);
	return x;
}

static const struct nucleus_cluster_conf two[] = { { "lab", secret },
						   { "other", "another secret 456789" } };

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	nuc = make(two, 2, 100000);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sig_nucleus_destroy(nuc);
	return 0;
}

static void edge_init(struct edge *e, const char *cluster, const char *sec, uint32_t id)
{
	char err[128];

	memset(e, 0, sizeof(*e));
	assert_int_equal(sig_keys_derive(&e->keys, cluster, sec, err, sizeof(err)), 0);
	randombytes_buf(e->self.pubkey, SIG_PUBKEY_LEN);
	e->self.vip4[0] = 10, e->self.vip4[1] = 200;
	e->self.vip4[2] = (uint8_t)(id >> 8), e->self.vip4[3] = (uint8_t)id;
	e->self.vip6[0] = 0xfd, e->self.vip6[14] = (uint8_t)(id >> 8),
	e->self.vip6[15] = (uint8_t)id;
	e->self.flags = SIG_PEER_HAS_VIP4 | SIG_PEER_HAS_VIP6;
	e->self.n_cand = 1;
	net_addr_set(&e->self.cand[0].ep.addr, NET_AF_IP4, (uint8_t[]){ 192, 168, 0, 1 });
	e->self.cand[0].kind = SIG_KIND_LOCAL, e->self.cand[0].ep.port = 51820;
	net_addr_set(&e->addr.addr, NET_AF_IP4,
		     (uint8_t[]){ 198, 51, 100, (uint8_t)(id % 250 + 1) });
	e->addr.port = (uint16_t)(1000 + id % 60000);
	e->cursor = SIG_CURSOR_NONE;
}

/* Sends m from e at now; returns how many datagrams came out. */
static unsigned send_msg(struct edge *e, struct sig_msg *m, uint64_t now)
{
	uint8_t buf[SIG_DATAGRAM_MAX];
	size_t len;

	m->enc = true;
	sig_msg_stamp(m, now);
	len = sig_encode(&e->keys, m, buf, sizeof(buf));
	assert_true(len > 0);
	return sig_nucleus_input(nuc, &e->addr, buf, len, now, out);
}

/* Decodes out[i] (for e) into `reply`, checking size and keys. */
static void open_out(struct edge *e, unsigned i)
{
	assert_true(out[i].len < 1024);
	assert_int_equal(sig_decode(&e->keys, out[i].buf, out[i].len, &reply), SIG_OK);
}

static void do_register(struct edge *e, uint64_t now)
{
	struct sig_msg m = { .type = SIG_REGISTER, .seq = 1 };

	m.u.reg = e->self;
	assert_int_equal(send_msg(e, &m, now), 1);
	open_out(e, 0);
	assert_int_equal(reply.type, SIG_REGISTER_ACK);
	assert_int_equal(reply.seq, 1);
	assert_int_equal(reply.u.ack.status, SIG_ACK_RESYNC);
	assert_true(net_endpoint_equal(&reply.u.ack.observed.ep, &e->addr));
	e->epoch = reply.u.ack.epoch;
	e->version = reply.u.ack.version;
	e->cursor = reply.u.ack.more ? reply.u.ack.cursor : SIG_CURSOR_NONE;
}

/* One heartbeat; the ack is left in `reply` and e's version/cursor advanced. */
static unsigned heartbeat(struct edge *e, uint64_t now)
{
	struct sig_msg m = { .type = SIG_HEARTBEAT, .seq = 2 };
	unsigned n;

	memcpy(m.u.hb.pubkey, e->self.pubkey, SIG_PUBKEY_LEN);
	m.u.hb.epoch = e->epoch;
	m.u.hb.version = e->version;
	m.u.hb.cursor = e->cursor;
	n = send_msg(e, &m, now);
	if (n == 0)
		return 0;
	open_out(e, 0);
	assert_int_equal(reply.type, SIG_HEARTBEAT_ACK);
	if (reply.u.ack.status != SIG_ACK_UNKNOWN) {
		e->epoch = reply.u.ack.epoch;
		e->version = reply.u.ack.version;
		if (reply.u.ack.status == SIG_ACK_RESYNC)
			e->cursor = reply.u.ack.more ? reply.u.ack.cursor : SIG_CURSOR_NONE;
	}
	return n;
}

static bool entry_has(const struct sig_ack *a, uint8_t change, const struct edge *e)
{
	for (unsigned i = 0; i < a->n_entries; i++)
		if (a->entries[i].change == change &&
		    memcmp(a->entries[i].peer.pubkey, e->self.pubkey, SIG_PUBKEY_LEN) == 0)
			return true;
	return false;
}

static void test_register_and_deltas(void **state)
{
	struct edge a, b;
	int lab = sig_nucleus_cluster_find(nuc, "lab");
	uint32_t before = sig_nucleus_cluster_members(nuc, (size_t)lab);

	(void)state;
	edge_init(&a, "lab", secret, 1);
	edge_init(&b, "lab", secret, 2);
	do_register(&a, t0);
	assert_int_equal(sig_nucleus_cluster_members(nuc, (size_t)lab), before + 1);
	do_register(&b, t0 + 10);
	/* No larger than b's REGISTER (b's address is not verified): a comes
	 * in the page b's next heartbeat asks for. */
	assert_true(reply.u.ack.more);
	heartbeat(&b, t0 + 20);
	assert_true(entry_has(&reply.u.ack, SIG_JOINED, &a));
	/* The observed address comes first among a's candidates, then its own. */
	heartbeat(&a, t0 + 1000);
	assert_int_equal(reply.u.ack.status, SIG_ACK_DELTA);
	assert_true(entry_has(&reply.u.ack, SIG_JOINED, &b));
	assert_int_equal(reply.u.ack.entries[reply.u.ack.n_entries - 1].peer.cand[0].kind,
			 SIG_KIND_OBSERVED);
	/* Nothing new: an empty delta. */
	heartbeat(&a, t0 + 2000);
	assert_int_equal(reply.u.ack.status, SIG_ACK_DELTA);
	assert_int_equal(reply.u.ack.n_entries, 0);
	/* b comes from another port (NAT rebinding): moved. */
	b.addr.port++;
	heartbeat(&b, t0 + 3000);
	heartbeat(&a, t0 + 4000);
	assert_true(entry_has(&reply.u.ack, SIG_MOVED, &b));
	/* b silent: still there at 89.999 s, gone at 90 s; a hears it left. */
	heartbeat(&a, t0 + 60000);
	sig_nucleus_tick(nuc, t0 + 3000 + SIG_EXPIRY_MS - 1);
	assert_non_null(sig_nucleus_lookup(nuc, (size_t)lab, SIG_BY_PUBKEY, b.self.pubkey));
	sig_nucleus_tick(nuc, t0 + 3000 + SIG_EXPIRY_MS);
	assert_null(sig_nucleus_lookup(nuc, (size_t)lab, SIG_BY_PUBKEY, b.self.pubkey));
	assert_null(sig_nucleus_lookup(nuc, (size_t)lab, SIG_BY_VIP4, b.self.vip4));
	heartbeat(&a, t0 + 3000 + SIG_EXPIRY_MS + 1);
	assert_true(entry_has(&reply.u.ack, SIG_LEFT, &b));
	/* b's heartbeat now: unknown, register again. */
	heartbeat(&b, t0 + 3000 + SIG_EXPIRY_MS + 2);
	assert_int_equal(reply.u.ack.status, SIG_ACK_UNKNOWN);
	sig_nucleus_tick(nuc, t0 + 10 * SIG_EXPIRY_MS);
	assert_int_equal(sig_nucleus_cluster_members(nuc, (size_t)lab), 0);
}

/* Follows pages from a's current state; returns the distinct keys seen. */
static unsigned follow_pages(struct edge *a, uint64_t now, uint8_t want, unsigned *pages)
{
	uint8_t(*seen)[SIG_PUBKEY_LEN] = calloc(4096, SIG_PUBKEY_LEN);
	unsigned n = 0;
	bool more = true;

	for (*pages = 0; more; (*pages)++) {
		assert_int_equal(heartbeat(a, now), 1);
		assert_true(out[0].len <= SIG_DATAGRAM_MAX);
		for (unsigned i = 0; i < reply.u.ack.n_entries; i++) {
			bool dup = false;

			assert_int_equal(reply.u.ack.entries[i].change, want);
			for (unsigned k = 0; k < n; k++)
				dup |= !memcmp(seen[k], reply.u.ack.entries[i].peer.pubkey,
					       SIG_PUBKEY_LEN);
			if (!dup)
				memcpy(seen[n++], reply.u.ack.entries[i].peer.pubkey,
				       SIG_PUBKEY_LEN);
		}
		more = reply.u.ack.more;
		assert_true(*pages < 1000);
	}
	free(seen);
	return n;
}

static void test_paging(void **state)
{
	static struct edge many[300];
	struct edge a;
	unsigned pages;
	uint64_t now = t0 + 20 * SIG_EXPIRY_MS;

	(void)state;
	for (unsigned i = 0; i < 100; i++) {
		edge_init(&many[i], "lab", secret, 10 + i);
		do_register(&many[i], now);
	}
	/* A newcomer pages through all 100 as JOINED, every page < 1 KB. */
	edge_init(&a, "lab", secret, 5);
	do_register(&a, now);
	assert_true(reply.u.ack.more);
	assert_int_equal(reply.u.ack.n_entries, 0); /* no larger than the REGISTER */
	assert_int_equal(reply.u.ack.n_entries + follow_pages(&a, now, SIG_JOINED, &pages), 100);
	assert_true(pages >= 100 / SIG_ACK_ENTRIES_MAX);
	/* 150 more join: a gets them as a paged delta. */
	for (unsigned i = 100; i < 250; i++) {
		edge_init(&many[i], "lab", secret, 10 + i);
		do_register(&many[i], now + 1);
	}
	assert_int_equal(follow_pages(&a, now + 2, SIG_JOINED, &pages), 150);
	assert_true(pages > 1);
	/* A version older than the log, or another epoch: a resync of all 250. */
	a.version = 0;
	a.cursor = SIG_CURSOR_NONE;
	for (unsigned i = 0; i < SIG_LOG_MAX / 250 + 1; i++)
		for (unsigned k = 0; k < 250; k++) { /* moves fill the log */
			many[k].addr.port++;
			heartbeat(&many[k], now + 3);
		}
	assert_int_equal(follow_pages(&a, now + 4, SIG_JOINED, &pages), 250);
	a.epoch++;
	a.cursor = SIG_CURSOR_NONE;
	assert_int_equal(follow_pages(&a, now + 5, SIG_JOINED, &pages), 250);
	sig_nucleus_tick(nuc, now + 10 * SIG_EXPIRY_MS);
}

static void test_query_and_punch(void **state)
{
	struct edge a, b, stranger;
	struct sig_msg m = { .type = SIG_QUERY_PEER, .seq = 9 };
	uint64_t now = t0 + 40 * SIG_EXPIRY_MS;

	(void)state;
	edge_init(&a, "lab", secret, 1);
	edge_init(&b, "lab", secret, 2);
	edge_init(&stranger, "lab", secret, 3);
	do_register(&a, now);
	do_register(&b, now);
	memcpy(m.u.query.pubkey, a.self.pubkey, SIG_PUBKEY_LEN);
	net_addr_set(&m.u.query.target, NET_AF_IP6, b.self.vip6);
	assert_int_equal(send_msg(&a, &m, now), 3);
	open_out(&a, 0);
	assert_int_equal(reply.type, SIG_PEER_INFO);
	assert_int_equal(reply.seq, 9);
	assert_memory_equal(reply.u.info.peer.pubkey, b.self.pubkey, SIG_PUBKEY_LEN);
	assert_true(net_endpoint_equal(&out[0].to, &a.addr));
	open_out(&a, 1);
	assert_int_equal(reply.type, SIG_PUNCH);
	assert_memory_equal(reply.u.reg.pubkey, b.self.pubkey, SIG_PUBKEY_LEN);
	assert_true(net_endpoint_equal(&out[1].to, &a.addr));
	open_out(&b, 2);
	assert_int_equal(reply.type, SIG_PUNCH);
	assert_memory_equal(reply.u.reg.pubkey, a.self.pubkey, SIG_PUBKEY_LEN);
	assert_true(net_endpoint_equal(&out[2].to, &b.addr));
	assert_true(net_endpoint_equal(&reply.u.reg.cand[0].ep, &a.addr));
	/* A VIP nobody has: NOT_FOUND. */
	net_addr_set(&m.u.query.target, NET_AF_IP4, (uint8_t[]){ 10, 0, 0, 99 });
	assert_int_equal(send_msg(&a, &m, now), 1);
	open_out(&a, 0);
	assert_int_equal(reply.type, SIG_NOT_FOUND);
	/* A query from a key that never registered: dropped, counted. */
	memcpy(m.u.query.pubkey, stranger.self.pubkey, SIG_PUBKEY_LEN);
	assert_int_equal(send_msg(&stranger, &m, now), 0);
	sig_nucleus_tick(nuc, now + 10 * SIG_EXPIRY_MS);
}

/*
 * Who may register a VIP: nobody's, or its live holder's own key; a VIP
 * of a live member is refused to another key (no answer, counted as
 * vip_taken, told to the log hook with the cluster, both keys' prefixes
 * and the VIPs: every time, the app rates the lines), and b keeps it.
 * Rows: which of b's VIPs the claimant takes, what became of b first, and
 * whether the claim is accepted.
 */
/* The hook's last line names the cluster, c's key and VIPs, and b's key. */
static void expect_told(const struct edge *c, const struct edge *b)
{
	char hex[2 * SIG_PUBKEY_LEN + 1], want[SIG_NUCLEUS_DETAIL_MAX];

	assert_non_null(strstr(told.last, "cluster lab: "));
	sodium_bin2hex(hex, sizeof(hex), c->self.pubkey, SIG_PUBKEY_LEN);
	snprintf(want, sizeof(want), "key %.16s... ", hex);
	assert_non_null(strstr(told.last, want));
	sig_vips_format(&c->self, want);
	assert_non_null(strstr(told.last, want));
	sodium_bin2hex(hex, sizeof(hex), b->self.pubkey, SIG_PUBKEY_LEN);
	snprintf(want, sizeof(want), "held by live member %.16s...", hex);
	assert_non_null(strstr(told.last, want));
}

static void test_vip_claims(void **state)
{
	enum { LIVE, SAME_KEY, EXPIRED, LEFT, NONE };
	static const struct {
		int holder;  /* b: live, the claimant itself, silent past expiry, gone */
		bool v4, v6; /* the claimant's VIP4 / VIP6 are b's */
		bool accepted;
	} rows[] = {
		/* 1 */ { LIVE, true, false, false },
		/* 2 */ { LIVE, false, true, false },
		/* 3 */ { LIVE, true, true, false },
		/* 4 */ { SAME_KEY, true, true, true },
		/* 5 */ { EXPIRED, true, false, true },
		/* 6 */ { LEFT, true, true, true },
		/* 7 */ { NONE, false, false, true },
	};
	struct sig_nucleus *shared = nuc; /* the other tests' members stay */

	(void)state;
	nuc = NULL;
	for (unsigned r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		uint64_t now = t0 + (r + 1) * 100 * (uint64_t)SIG_EXPIRY_MS;
		struct sig_nucleus_stats s0, s1;
		struct edge b, c;
		struct sig_msg m = { .type = SIG_LEAVE };
		const struct sig_peer *holder;

		sig_nucleus_destroy(nuc);
		nuc = make(two, 2, 100000);
		edge_init(&b, "lab", secret, 2);
		edge_init(&c, "lab", secret, 3);
		do_register(&b, now);
		if (rows[r].holder == SAME_KEY)
			memcpy(c.self.pubkey, b.self.pubkey, SIG_PUBKEY_LEN);
		if (rows[r].holder == EXPIRED)
			now += SIG_EXPIRY_MS; /* silent since: not yet swept by a tick */
		if (rows[r].holder == LEFT) {
			memcpy(m.u.leave, b.self.pubkey, SIG_PUBKEY_LEN);
			assert_int_equal(send_msg(&b, &m, now), 0);
		}
		if (rows[r].v4)
			memcpy(c.self.vip4, b.self.vip4, 4);
		if (rows[r].v6)
			memcpy(c.self.vip6, b.self.vip6, 16);
		sig_nucleus_read(nuc, &s0);
		told.n = 0;
		if (rows[r].accepted) {
			do_register(&c, now + 1);
		} else {
			m.type = SIG_REGISTER;
			m.u.reg = c.self;
			assert_int_equal(send_msg(&c, &m, now + 1), 0);
			expect_told(&c, &b);
			assert_int_equal(send_msg(&c, &m, now + 1), 0); /* again at once */
		}
		sig_nucleus_read(nuc, &s1);
		assert_int_equal(s1.drops[SIG_DROP_VIP_TAKEN] - s0.drops[SIG_DROP_VIP_TAKEN],
				 rows[r].accepted ? 0 : 2);
		assert_int_equal(told.n, rows[r].accepted ? 0 : 2);
		holder = rows[r].v6 && !rows[r].v4 ?
				 sig_nucleus_lookup(nuc, 0, SIG_BY_VIP6, c.self.vip6) :
				 sig_nucleus_lookup(nuc, 0, SIG_BY_VIP4, c.self.vip4);
		assert_non_null(holder);
		assert_memory_equal(holder->pubkey,
				    rows[r].accepted ? c.self.pubkey : b.self.pubkey,
				    SIG_PUBKEY_LEN);
		if (!rows[r].accepted)
			assert_null(sig_nucleus_lookup(nuc, 0, SIG_BY_PUBKEY, c.self.pubkey));
	}
	sig_nucleus_destroy(nuc);
	nuc = shared;
}

static void test_drops(void **state)
{
	struct sig_nucleus_stats s0, s1;
	struct edge a, wrong, other;
	struct sig_msg m = { .type = SIG_REGISTER };
	uint8_t buf[SIG_DATAGRAM_MAX];
	uint64_t now = t0 + 60 * SIG_EXPIRY_MS;
	size_t len;

	(void)state;
	sig_nucleus_read(nuc, &s0);
	edge_init(&a, "lab", secret, 1);
	edge_init(&wrong, "lab", "nucleus test secret 0124", 2);
	edge_init(&other, "other", "another secret 456789", 3);
	m.u.reg = wrong.self;
	assert_int_equal(send_msg(&wrong, &m, now), 0);
	m.u.reg = a.self;
	m.enc = true;
	sig_msg_stamp(&m, now);
	len = sig_encode(&a.keys, &m, buf, sizeof(buf));
	assert_int_equal(sig_nucleus_input(nuc, &a.addr, buf, len, now, out), 1);
	assert_int_equal(sig_nucleus_input(nuc, &a.addr, buf, len, now + 5, out), 0); /* replay */
	sig_msg_stamp(&m, now - SIG_TIME_WINDOW_MS - 1);
	len = sig_encode(&a.keys, &m, buf, sizeof(buf));
	assert_int_equal(sig_nucleus_input(nuc, &a.addr, buf, len, now, out), 0); /* stale */
	m.type = SIG_REGISTER_ACK;
	memset(&m.u.ack, 0, sizeof(m.u.ack));
	assert_int_equal(send_msg(&a, &m, now), 0); /* wrong direction */
	buf[0] = 1, buf[1] = buf[2] = buf[3] = 0;
	assert_int_equal(sig_nucleus_input(nuc, &a.addr, buf, 148, now, out), 0); /* WireGuard */
	/* Clusters are apart: "other" does not see "lab"'s members. */
	m.type = SIG_REGISTER;
	m.u.reg = other.self;
	memcpy(m.u.reg.vip4, a.self.vip4, 4);
	assert_int_equal(send_msg(&other, &m, now), 1);
	open_out(&other, 0);
	assert_int_equal(reply.u.ack.n_entries, 0);
	assert_non_null(sig_nucleus_lookup(nuc, 0, SIG_BY_VIP4, a.self.vip4));
	sig_nucleus_read(nuc, &s1);
	assert_true(s1.drops[SIG_DROP_UNKNOWN_CLUSTER] == s0.drops[SIG_DROP_UNKNOWN_CLUSTER] + 1);
	assert_true(s1.drops[SIG_DROP_REPLAY] == s0.drops[SIG_DROP_REPLAY] + 1);
	assert_true(s1.drops[SIG_DROP_STALE] == s0.drops[SIG_DROP_STALE] + 1);
	assert_true(s1.drops[SIG_DROP_WRONG_DIRECTION] == s0.drops[SIG_DROP_WRONG_DIRECTION] + 1);
	assert_true(s1.drops[SIG_DROP_BAD_MAGIC] == s0.drops[SIG_DROP_BAD_MAGIC] + 1);
	assert_true(s1.rx[SIG_REGISTER] == s0.rx[SIG_REGISTER] + 2);
	assert_true(s1.tx[SIG_REGISTER_ACK] == s0.tx[SIG_REGISTER_ACK] + 2);
	sig_nucleus_tick(nuc, now + 10 * SIG_EXPIRY_MS);
	sig_nucleus_read(nuc, &s1);
	assert_true(s1.expired >= s0.expired + 2);
}

static void test_ratelimit(void **state)
{
	static const struct nucleus_cluster_conf cl[] = { { "lab", secret } };
	struct sig_nucleus *saved = nuc;
	struct sig_nucleus_stats s;
	struct edge a, b;
	unsigned answered = 0;

	(void)state;
	nuc = make(cl, 1, 10);
	edge_init(&a, "lab", secret, 1);
	edge_init(&b, "lab", secret, 2);
	do_register(&a, t0);
	for (int i = 0; i < 50; i++)
		answered += heartbeat(&a, t0 + 1);
	assert_int_equal(answered, 9);                 /* burst 10, one went to the register */
	do_register(&b, t0 + 1);                       /* another source is not affected */
	assert_int_equal(heartbeat(&a, t0 + 1001), 1); /* refilled */
	sig_nucleus_read(nuc, &s);
	assert_true(s.drops[SIG_DROP_RATELIMIT] == 41);
	sig_nucleus_destroy(nuc);
	nuc = saved;
}

/* Random adds and removes, every lookup checked against a plain array. */
static void test_lookups_against_reference(void **state)
{
	enum { N = 3000 };
	struct sig_peerset ps;
	static struct sig_peer ref[N];
	static bool live[N];
	static uint32_t idx[N];

	(void)state;
	assert_int_equal(sig_peerset_init(&ps, sizeof(struct sig_peer), N), 0);
	srand(7);
	for (int round = 0; round < 20000; round++) {
		unsigned k = (unsigned)rand() % N;

		if (!live[k]) {
			memset(&ref[k], 0, sizeof(ref[k]));
			randombytes_buf(ref[k].pubkey, SIG_PUBKEY_LEN);
			memcpy(ref[k].vip4, &k, 4);
			ref[k].vip6[0] = 0xfd;
			memcpy(ref[k].vip6 + 12, &k, 4);
			ref[k].flags = (uint8_t)(k % 3 == 0 ? SIG_PEER_HAS_VIP4 :
						 k % 3 == 1 ? SIG_PEER_HAS_VIP6 :
							      3);
			idx[k] = sig_peerset_add(&ps, &ref[k]);
			assert_int_not_equal(idx[k], SIG_NONE);
			live[k] = true;
		} else {
			sig_peerset_del(&ps, idx[k]);
			live[k] = false;
		}
		if (round % 1000 != 999)
			continue;
		/* O(1): every index stays at most half full, so probes stay short. */
		for (int by = 0; by < SIG_BY_COUNT; by++)
			assert_true(ps.by[by].count * 2 <= ps.by[by].mask + 1);
		for (unsigned j = 0; j < N; j++) {
			uint32_t want = live[j] ? idx[j] : SIG_NONE;

			if (!ref[j].flags) /* never added */
				continue;
			assert_int_equal(sig_peerset_find(&ps, SIG_BY_PUBKEY, ref[j].pubkey), want);
			assert_int_equal(sig_peerset_find(&ps, SIG_BY_VIP4, ref[j].vip4),
					 ref[j].flags & SIG_PEER_HAS_VIP4 ? want : SIG_NONE);
			assert_int_equal(sig_peerset_find(&ps, SIG_BY_VIP6, ref[j].vip6),
					 ref[j].flags & SIG_PEER_HAS_VIP6 ? want : SIG_NONE);
		}
	}
	sig_peerset_fini(&ps);
}

/* An L2 fabric and an L3 cluster on one nucleus: each member's acks carry
 * its own cluster's mode, and each hears only of its own cluster. */
static void test_modes_side_by_side(void **state)
{
	static const struct nucleus_cluster_conf mixed[] = {
		{ .name = "fabric", .secret = secret, .l2 = true },
		{ .name = "routed", .secret = "another secret 456789" },
	};
	struct sig_nucleus *keep = nuc;
	struct edge f1, f2, r1;

	(void)state;
	nuc = make(mixed, 2, 100000);
	edge_init(&f1, "fabric", secret, 701);
	edge_init(&f2, "fabric", secret, 702);
	edge_init(&r1, "routed", "another secret 456789", 703);
	do_register(&f1, t0);
	assert_int_equal(reply.u.ack.flags, SIG_ACK_L2);
	do_register(&r1, t0 + 1);
	assert_int_equal(reply.u.ack.flags, 0);
	do_register(&f2, t0 + 2);
	assert_int_equal(reply.u.ack.flags, SIG_ACK_L2);
	/* f2's next page lists f1, never the routed member. */
	heartbeat(&f2, t0 + 500);
	assert_int_equal(reply.u.ack.flags, SIG_ACK_L2);
	assert_true(entry_has(&reply.u.ack, SIG_JOINED, &f1));
	assert_false(entry_has(&reply.u.ack, SIG_JOINED, &r1));
	heartbeat(&r1, t0 + 1000);
	assert_int_equal(reply.u.ack.flags, 0);
	assert_false(entry_has(&reply.u.ack, SIG_JOINED, &f1));
	assert_false(entry_has(&reply.u.ack, SIG_JOINED, &f2));
	heartbeat(&f1, t0 + 1001);
	assert_int_equal(reply.u.ack.flags, SIG_ACK_L2);
	assert_true(entry_has(&reply.u.ack, SIG_JOINED, &f2));
	assert_true(sig_nucleus_cluster_l2(nuc, 0));
	assert_false(sig_nucleus_cluster_l2(nuc, 1));
	sig_nucleus_destroy(nuc);
	nuc = keep;
}

static void test_config_errors(void **state)
{
	struct nucleus_cluster_conf bad[2] = { { "lab", "short" }, { "lab", secret } };
	struct sig_nucleus_conf conf = { .clusters = bad, .n_clusters = 1 };
	char err[160];

	(void)state;
	assert_null(sig_nucleus_create(&conf, err, sizeof(err)));
	assert_non_null(strstr(err, "\"lab\" is 5 characters: at least 16"));
	bad[0].secret = secret;
	conf.n_clusters = 2;
	assert_null(sig_nucleus_create(&conf, err, sizeof(err)));
	assert_non_null(strstr(err, "listed twice"));
	conf.n_clusters = 0;
	assert_null(sig_nucleus_create(&conf, err, sizeof(err)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_and_deltas),
		cmocka_unit_test(test_paging),
		cmocka_unit_test(test_query_and_punch),
		cmocka_unit_test(test_vip_claims),
		cmocka_unit_test(test_drops),
		cmocka_unit_test(test_ratelimit),
		cmocka_unit_test(test_lookups_against_reference),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_modes_side_by_side),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/* SPDX-License-Identifier: MIT */
/*
 * The FDB (lib/pipeline/fdb.c) against a deliberately naive model: an
 * array of entries searched linearly, a list of pending learn requests,
 * the same rules written the obvious way. Random sequences of note,
 * control (then a full age sweep), lookup, flush, walk and clock steps
 * from a fake clock are applied to both and compared after every step,
 * with and without an RCU variable (one simulated reader reporting
 * quiescence each step). Then the single rules one by one: moves, the
 * aging boundary, the partial sweep, per-VLAN keys, full, refused
 * sources, a full queue. Last, real concurrency: two reader threads look
 * up and note while the control thread learns, moves, ages and flushes;
 * each MAC has owners of its own, so a reader that ever saw another MAC's
 * entry (a slot reused under it) would see an owner outside them.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <inttypes.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "eal_test.h"
#include "pipeline/fdb.h"

enum {
	SIZE = 24,     /* table size in the random runs: small, so it fills */
	QUEUE = 16,    /* learn queue: small, so it overflows */
	MACS = 40,     /* distinct MACs drawn from (some not learnable) */
	PEERS = 4,     /* peer ids 0..3 */
	STEPS = 20000, /* per random run */
	READER = 1,    /* the simulated worker's RCU thread id */
};

#define AGE 64000ull /* ns; touch granularity age / 64 = 1000 */
#define TOUCH (AGE >> 6)
static_assert(MACS <= PL_FDB_BULK_MAX, "one VLAN's keys in one bulk lookup");

/* ---- the model ---- */

struct m_entry {
	struct pl_fdb_key k;
	uint32_t peer;
	uint64_t seen;
};

struct m_req {
	struct pl_fdb_key k;
	uint32_t peer;
};

struct model {
	struct m_entry e[SIZE];
	unsigned n;
	struct m_req q[QUEUE];
	unsigned qn;
	unsigned limit; /* entries per owner below LIMITED; 0: none */
	struct pl_fdb_stats st;
};

enum { LIMITED = 3 }; /* owner ids 0..2 limited, 3 not */

/* Whether peer may own no more entries: counted the slow way. */
static bool m_at_limit(const struct model *m, uint32_t peer)
{
	unsigned owned = 0;

	for (unsigned i = 0; i < m->n; i++)
		owned += m->e[i].peer == peer;
	return m->limit && peer < LIMITED && owned >= m->limit;
}

static bool key_eq(const struct pl_fdb_key *a, const struct pl_fdb_key *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static struct m_entry *m_find(struct model *m, const struct pl_fdb_key *k)
{
	for (unsigned i = 0; i < m->n; i++)
		if (key_eq(&m->e[i].k, k))
			return &m->e[i];
	return NULL;
}

static void m_remove(struct model *m, struct m_entry *e)
{
	*e = m->e[--m->n];
	m->st.entries = m->n;
}

static void m_note(struct model *m, const struct pl_fdb_key *k, uint32_t peer, uint64_t now)
{
	bool group = k->mac[0] & 1;
	bool zero = !(k->mac[0] | k->mac[1] | k->mac[2] | k->mac[3] | k->mac[4] | k->mac[5]);
	struct m_entry *e = m_find(m, k);

	if (group || zero || peer == PL_FDB_NONE) {
		m->st.refused++;
		return;
	}
	if (e && e->peer == peer) {
		if (now > e->seen && now - e->seen >= TOUCH)
			e->seen = now;
		return;
	}
	if (m->qn == QUEUE) {
		m->st.queue_full++;
		return;
	}
	m->q[m->qn++] = (struct m_req){ *k, peer };
}

static void m_control(struct model *m, uint64_t now)
{
	for (unsigned i = 0; i < m->qn; i++) {
		struct m_entry *e = m_find(m, &m->q[i].k);

		if (e) {
			if (e->peer != m->q[i].peer && m_at_limit(m, m->q[i].peer)) {
				m->st.peer_full++;
				continue;
			}
			if (e->peer != m->q[i].peer) {
				e->peer = m->q[i].peer;
				m->st.moved++;
			}
			e->seen = now;
		} else if (m_at_limit(m, m->q[i].peer)) {
			m->st.peer_full++;
		} else if (m->n == SIZE) {
			m->st.full++;
		} else {
			m->e[m->n++] = (struct m_entry){ m->q[i].k, m->q[i].peer, now };
			m->st.entries = m->n;
			m->st.learned++;
		}
	}
	m->qn = 0;
}

static void m_age(struct model *m, uint64_t now)
{
	for (unsigned i = 0; i < m->n;) {
		if (now > m->e[i].seen && now - m->e[i].seen > AGE) {
			m_remove(m, &m->e[i]);
			m->st.aged++;
		} else {
			i++;
		}
	}
}

static void m_flush(struct model *m, uint32_t peer)
{
	for (unsigned i = 0; i < m->n;) {
		if (peer == PL_FDB_NONE || m->e[i].peer == peer) {
			m_remove(m, &m->e[i]);
			m->st.flushed++;
		} else {
			i++;
		}
	}
}

/* ---- comparing ---- */

static struct pl_fdb_key key_of(unsigned i)
{
	struct pl_fdb_key k = { .mac = { 0x02, 0, 0, 0, 0, (uint8_t)(i % MACS) } };

	k.vlan = (uint16_t)(i / MACS) * 7; /* VLAN 0 and 7: the same MACs, other keys */
	if (i % MACS == 0)
		memset(k.mac, 0, 6); /* zero */
	else if (i % MACS == 1)
		k.mac[0] = 0x01; /* multicast */
	else if (i % MACS == 2)
		memset(k.mac, 0xff, 6); /* broadcast */
	return k;
}

struct walk_ctx {
	struct model *m;
	uint64_t now;
	unsigned n;
};

static int walk_check(const struct pl_fdb_key *k, uint32_t peer, uint64_t age, void *arg)
{
	struct walk_ctx *w = arg;
	struct m_entry *e = m_find(w->m, k);

	assert_non_null(e);
	assert_int_equal(peer, e->peer);
	assert_int_equal(age, w->now > e->seen ? w->now - e->seen : 0);
	w->n++;
	return 0;
}

static void compare(struct pl_fdb *f, struct model *m, uint64_t now)
{
	struct walk_ctx w = { m, now, 0 };
	struct pl_fdb_key keys[2 * MACS];
	const struct pl_fdb_key *kp[2 * MACS];
	uint32_t bulk[2 * MACS];
	unsigned found[2] = { 0, 0 };
	struct pl_fdb_stats s;

	pl_fdb_stats(f, &s);
	assert_memory_equal(&s, &m->st, sizeof(s));
	for (unsigned i = 0; i < 2 * MACS; i++) {
		keys[i] = key_of(i);
		kp[i] = &keys[i];
	}
	/* bulk: the two VLANs' keys in two calls (MACS <= PL_FDB_BULK_MAX) */
	unsigned got0 = pl_fdb_lookup_bulk(f, kp, MACS, bulk);
	unsigned got1 = pl_fdb_lookup_bulk(f, kp + MACS, MACS, bulk + MACS);
	for (unsigned i = 0; i < 2 * MACS; i++) {
		struct m_entry *e = m_find(m, &keys[i]);
		uint32_t want = e ? e->peer : PL_FDB_NONE;

		assert_int_equal(pl_fdb_lookup(f, &keys[i]), want);
		assert_int_equal(bulk[i], want);
		found[i / MACS] += e != NULL;
	}
	assert_int_equal(got0, found[0]);
	assert_int_equal(got1, found[1]);
	assert_int_equal(pl_fdb_walk(f, now, walk_check, &w), 0);
	assert_int_equal(w.n, m->n);
}

/* ---- fixtures ---- */

static struct rte_rcu_qsbr *make_rcu(void)
{
	struct rte_rcu_qsbr *v = rte_zmalloc("rcu", rte_rcu_qsbr_get_memsize(4), 64);

	assert_non_null(v);
	assert_int_equal(rte_rcu_qsbr_init(v, 4), 0);
	assert_int_equal(rte_rcu_qsbr_thread_register(v, READER), 0);
	rte_rcu_qsbr_thread_online(v, READER);
	return v;
}

static struct pl_fdb *make(const char *name, uint32_t size, struct rte_rcu_qsbr *rcu)
{
	struct pl_fdb_conf c = { .name = name,
				 .size = size,
				 .age_ns = AGE,
				 .socket = 0,
				 .rcu = rcu,
				 .queue = QUEUE };
	struct pl_fdb *f = pl_fdb_create(&c);

	assert_non_null(f);
	return f;
}

static void random_run(const char *name, struct rte_rcu_qsbr *rcu, unsigned seed, unsigned limit)
{
	struct pl_fdb *f = make(name, SIZE, rcu);
	static struct model m;
	uint64_t now = 1;

	memset(&m, 0, sizeof(m));
	m.limit = limit;
	if (limit)
		assert_int_equal(pl_fdb_set_peer_limit(f, LIMITED, limit), 0);
	srand(seed);
	for (unsigned step = 0; step < STEPS; step++) {
		unsigned op = (unsigned)rand() % 100;

		if (op < 60) {
			struct pl_fdb_key k = key_of((unsigned)rand() % (2 * MACS));
			uint32_t peer = rand() % 50 ? (uint32_t)rand() % PEERS : PL_FDB_NONE;

			pl_fdb_note(f, &k, peer, now);
			m_note(&m, &k, peer, now);
		} else if (op < 80) {
			pl_fdb_control(f, now);
			pl_fdb_age(f, now);
			m_control(&m, now);
			m_age(&m, now);
		} else if (op < 97) {
			/* mostly small steps, some past the touch granularity or the age */
			unsigned r = (unsigned)rand() % 10;

			now += r < 6 ? (uint64_t)rand() % TOUCH :
			       r < 9 ? (uint64_t)rand() % (AGE / 4) :
				       AGE + (uint64_t)rand() % 3 - 1;
		} else {
			uint32_t peer = rand() % 4 ? (uint32_t)rand() % PEERS : PL_FDB_NONE;

			pl_fdb_flush(f, peer);
			m_flush(&m, peer);
		}
		if (rcu)
			rte_rcu_qsbr_quiescent(rcu, READER);
		compare(f, &m, now);
	}
	/* the run must have reached every rule */
	assert_true(m.st.learned > 100 && m.st.moved > 10 && m.st.aged > 10 && m.st.full > 10 &&
		    m.st.flushed > 10 && m.st.queue_full > 10 && m.st.refused > 10);
	assert_true(!limit || m.st.peer_full > 10);
	pl_fdb_free(f);
}

static void test_model(void **state)
{
	(void)state;
	random_run("model", NULL, 1, 0);
	random_run("model2", NULL, 2, 0);
	random_run("model3", NULL, 4, 7); /* 3 x 7 + the unlimited owner 3: both limits hit */
}

static void test_model_rcu(void **state)
{
	struct rte_rcu_qsbr *v = make_rcu();

	(void)state;
	random_run("modelrcu", v, 3, 0);
	random_run("modelrcu2", v, 5, 7);
	rte_free(v);
}

/* ---- single rules ---- */

static void learn(struct pl_fdb *f, const struct pl_fdb_key *k, uint32_t peer, uint64_t now)
{
	pl_fdb_note(f, k, peer, now);
	pl_fdb_control(f, now);
}

static void test_move(void **state)
{
	struct pl_fdb *f = make("move", 8, NULL);
	struct pl_fdb_key k = key_of(5);
	struct pl_fdb_stats s;

	(void)state;
	learn(f, &k, 1, 10);
	assert_int_equal(pl_fdb_lookup(f, &k), 1);
	learn(f, &k, 2, 20);
	assert_int_equal(pl_fdb_lookup(f, &k), 2);
	learn(f, &k, 2, 30);
	pl_fdb_stats(f, &s);
	assert_int_equal(s.learned, 1);
	assert_int_equal(s.moved, 1);
	assert_int_equal(s.entries, 1);
	pl_fdb_free(f);
}

static void test_age_boundary(void **state)
{
	struct pl_fdb *f = make("age", 8, NULL);
	struct pl_fdb_key k = key_of(5);

	(void)state;
	learn(f, &k, 1, 1000);
	assert_int_equal(pl_fdb_age(f, 1000 + AGE), 0); /* exactly age old: stays */
	assert_int_equal(pl_fdb_lookup(f, &k), 1);
	/* a note within the touch granularity does not refresh ... */
	pl_fdb_note(f, &k, 1, 1000 + TOUCH - 1);
	assert_int_equal(pl_fdb_age(f, 1000 + AGE + 1), 1);
	assert_int_equal(pl_fdb_lookup(f, &k), PL_FDB_NONE);
	/* ... one past it does */
	learn(f, &k, 1, 5000);
	pl_fdb_note(f, &k, 1, 5000 + TOUCH);
	assert_int_equal(pl_fdb_age(f, 5000 + AGE + 1), 0);
	assert_int_equal(pl_fdb_age(f, 5000 + TOUCH + AGE + 1), 1);
	pl_fdb_free(f);
}

/* pl_fdb_control alone ages everything within one pass over the positions. */
static void test_sweep(void **state)
{
	enum { N = 1000 };
	struct pl_fdb *f = make("sweep", N, NULL);
	struct pl_fdb_stats s;
	unsigned calls = 0;

	(void)state;
	for (unsigned i = 0; i < N; i++) {
		struct pl_fdb_key k = { .mac = { 0x02, 1, 0, 0, (uint8_t)(i >> 8), (uint8_t)i } };

		learn(f, &k, i % 3, 1);
	}
	pl_fdb_stats(f, &s);
	assert_int_equal(s.entries, N);
	assert_int_equal(pl_fdb_control(f, 1 + AGE), 0);
	do {
		pl_fdb_control(f, 2 + AGE);
		pl_fdb_stats(f, &s);
	} while (s.entries && ++calls < 10);
	/* 1258 positions, 256 a call */
	assert_int_equal(s.entries, 0);
	assert_int_equal(s.aged, N);
	assert_true(calls <= 5);
	pl_fdb_free(f);
}

/* Called rarely, control still sweeps everything within age/8. */
static void test_sweep_rare(void **state)
{
	enum { N = 1000 };
	struct pl_fdb *f = make("rare", N, NULL);
	struct pl_fdb_stats s;

	(void)state;
	for (unsigned i = 0; i < N; i++) {
		struct pl_fdb_key k = { .mac = { 0x02, 5, 0, 0, (uint8_t)(i >> 8), (uint8_t)i } };

		pl_fdb_note(f, &k, 1, 1);
		if (i % QUEUE == QUEUE - 1)
			pl_fdb_control(f, 1);
	}
	pl_fdb_control(f, 1);
	pl_fdb_stats(f, &s);
	assert_int_equal(s.entries, N);
	assert_int_equal(pl_fdb_control(f, 1 + AGE), 0); /* exactly age old: none yet */
	pl_fdb_control(f, 3 + AGE);                      /* past age, a short step: a slice */
	pl_fdb_stats(f, &s);
	assert_true(s.entries > 0 && s.entries < N);
	pl_fdb_control(f, 3 + AGE + AGE / 8); /* age/8 later: the rest */
	pl_fdb_stats(f, &s);
	assert_int_equal(s.entries, 0);
	assert_int_equal(s.aged, N);
	pl_fdb_free(f);
}

static void test_vlan(void **state)
{
	struct pl_fdb *f = make("vlan", 8, NULL);
	struct pl_fdb_key a = key_of(5), b = a, c = a;

	(void)state;
	b.vlan = 100;
	c.vlan = 0x1064; /* the PCP/DEI bits are not part of the key's VID */
	learn(f, &a, 1, 10);
	learn(f, &b, 2, 10);
	assert_int_equal(pl_fdb_lookup(f, &a), 1);
	assert_int_equal(pl_fdb_lookup(f, &b), 2);
	pl_fdb_key_set(&c, c.mac, c.vlan);
	assert_int_equal(c.vlan, 100);
	assert_int_equal(pl_fdb_lookup(f, &c), 2);
	pl_fdb_flush(f, 2);
	assert_int_equal(pl_fdb_lookup(f, &a), 1);
	assert_int_equal(pl_fdb_lookup(f, &b), PL_FDB_NONE);
	pl_fdb_free(f);
}

static void test_full(void **state)
{
	struct pl_fdb *f = make("full", 4, NULL);
	struct pl_fdb_stats s;

	(void)state;
	for (unsigned i = 3; i < 10; i++) {
		struct pl_fdb_key k = key_of(i);

		learn(f, &k, 0, 10);
	}
	pl_fdb_stats(f, &s);
	assert_int_equal(s.entries, 4);
	assert_int_equal(s.full, 3);
	/* a move is not a new entry: allowed when full */
	struct pl_fdb_key k3 = key_of(3);
	learn(f, &k3, 1, 20);
	assert_int_equal(pl_fdb_lookup(f, &k3), 1);
	pl_fdb_flush(f, PL_FDB_NONE);
	pl_fdb_stats(f, &s);
	assert_int_equal(s.entries, 0);
	assert_int_equal(s.flushed, 4);
	pl_fdb_free(f);
}

static void test_refused(void **state)
{
	struct pl_fdb *f = make("refused", 8, NULL);
	struct pl_fdb_stats s;

	(void)state;
	for (unsigned i = 0; i < 3; i++) {
		struct pl_fdb_key k = key_of(i);

		learn(f, &k, 0, 10);
		assert_int_equal(pl_fdb_lookup(f, &k), PL_FDB_NONE);
	}
	pl_fdb_stats(f, &s);
	assert_int_equal(s.refused, 3);
	assert_int_equal(s.entries, 0);
	assert_false(pl_fdb_learnable((const uint8_t[6]){ 0x33, 0x33, 0, 0, 0, 1 }));
	assert_true(pl_fdb_learnable((const uint8_t[6]){ 0x02, 0, 0, 0, 0, 1 }));
	pl_fdb_free(f);
}

/* The limit counts what is there when set; moves count, and free a share. */
static void test_peer_limit(void **state)
{
	struct pl_fdb *f = make("limit", 16, NULL);
	struct pl_fdb_key k[5];
	struct pl_fdb_stats s;

	(void)state;
	for (unsigned i = 0; i < 5; i++)
		k[i] = key_of(3 + i);
	learn(f, &k[0], 1, 10);
	learn(f, &k[1], 1, 10);
	assert_int_equal(pl_fdb_set_peer_limit(f, 4, 2), 0);
	learn(f, &k[2], 1, 10); /* a third for peer 1: refused */
	assert_int_equal(pl_fdb_lookup(f, &k[2]), PL_FDB_NONE);
	learn(f, &k[2], 9, 10); /* ids from 4 on are not limited */
	learn(f, &k[3], 2, 10);
	learn(f, &k[4], 2, 10);
	learn(f, &k[0], 2, 20); /* a move to peer 2, at its limit: stays with 1 */
	assert_int_equal(pl_fdb_lookup(f, &k[0]), 1);
	learn(f, &k[3], 1, 20); /* a move from 2 to 1 is refused too: 1 has two */
	pl_fdb_flush(f, 1);
	learn(f, &k[3], 1, 30); /* now 1 has room: 2 -> 1 */
	learn(f, &k[0], 2, 30); /* and 2 has room again: new for 2 */
	assert_int_equal(pl_fdb_lookup(f, &k[3]), 1);
	assert_int_equal(pl_fdb_lookup(f, &k[0]), 2);
	pl_fdb_stats(f, &s);
	assert_int_equal(s.peer_full, 3);
	assert_int_equal(pl_fdb_set_peer_limit(f, 0, 0), 0); /* off */
	pl_fdb_free(f);
}

static void test_queue_full(void **state)
{
	struct pl_fdb *f = make("queue", 64, NULL);
	struct pl_fdb_stats s;

	(void)state;
	for (unsigned i = 0; i < QUEUE + 5; i++) {
		struct pl_fdb_key k = { .mac = { 0x02, 2, 0, 0, 0, (uint8_t)i } };

		pl_fdb_note(f, &k, 1, 10);
	}
	pl_fdb_stats(f, &s);
	assert_int_equal(s.queue_full, 5);
	assert_int_equal(pl_fdb_control(f, 10), QUEUE);
	pl_fdb_stats(f, &s);
	assert_int_equal(s.entries, QUEUE);
	pl_fdb_free(f);
}

static void test_create(void **state)
{
	struct pl_fdb_conf c = { .name = "bad", .size = 0 };

	(void)state;
	assert_null(pl_fdb_create(&c));
	assert_int_equal(rte_errno, EINVAL);
	c.size = 8;
	c.name = NULL;
	assert_null(pl_fdb_create(&c));
	pl_fdb_free(NULL);
}

/*
 * With RCU, a deleted entry's slot waits for the grace period: a reader
 * that never reports quiescence keeps the 16 flushed slots out of use, so
 * of 16 new MACs only the table's 12 spare slots (16 + 16 / 4 + 8 = 28)
 * take one, the rest are refused as full; once it reports, they learn.
 */
static void test_grace(void **state)
{
	struct rte_rcu_qsbr *v = make_rcu();
	struct pl_fdb *f = make("grace", 16, v);
	struct pl_fdb_stats s;

	(void)state;
	for (unsigned i = 0; i < 16; i++) {
		struct pl_fdb_key k = { .mac = { 0x02, 3, 0, 0, 0, (uint8_t)i } };

		learn(f, &k, 1, 10);
	}
	pl_fdb_flush(f, PL_FDB_NONE);
	for (unsigned i = 0; i < 16; i++) {
		struct pl_fdb_key k = { .mac = { 0x02, 4, 0, 0, 0, (uint8_t)i } };

		learn(f, &k, 2, 20);
	}
	pl_fdb_stats(f, &s);
	assert_int_equal(s.entries, 12);
	assert_int_equal(s.full, 4);
	rte_rcu_qsbr_quiescent(v, READER);
	for (unsigned i = 12; i < 16; i++) {
		struct pl_fdb_key k = { .mac = { 0x02, 4, 0, 0, 0, (uint8_t)i } };

		learn(f, &k, 2, 30);
		assert_int_equal(pl_fdb_lookup(f, &k), 2);
	}
	pl_fdb_stats(f, &s);
	assert_int_equal(s.entries, 16);
	pl_fdb_free(f);
	rte_free(v);
}

/* ---- concurrency ---- */

enum {
	MT_MACS = 64, /* MAC i may only be owned by peers 4i..4i+3 */
	MT_SIZE = 48, /* fewer than the MACs: the table is full at times */
	MT_READERS = 2,
	MT_LOOPS = 2000, /* control passes */
};

struct mt {
	struct pl_fdb *f;
	struct rte_rcu_qsbr *rcu;
	struct pl_fdb_key keys[MT_MACS];
	uint64_t clock; /* control advances it */
	int stop;
	uint64_t bad;     /* owners outside a MAC's own */
	uint64_t lookups; /* found, by the readers */
};

static void *mt_reader(void *arg)
{
	struct mt *t = ((void **)arg)[0];
	unsigned id = (unsigned)(uintptr_t)((void **)arg)[1];
	unsigned seed = id, n = 0;

	rte_rcu_qsbr_thread_register(t->rcu, id);
	rte_rcu_qsbr_thread_online(t->rcu, id);
	while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE)) {
		unsigned i = (unsigned)rand_r(&seed) % MT_MACS;
		uint32_t o = pl_fdb_lookup(t->f, &t->keys[i]);

		if (o != PL_FDB_NONE && o / 4 != i)
			__atomic_fetch_add(&t->bad, 1, __ATOMIC_RELAXED);
		if (o != PL_FDB_NONE)
			__atomic_fetch_add(&t->lookups, 1, __ATOMIC_RELAXED);
		pl_fdb_note(t->f, &t->keys[i], 4 * i + (unsigned)rand_r(&seed) % 4,
			    __atomic_load_n(&t->clock, __ATOMIC_RELAXED));
		if (++n % 16 == 0)
			rte_rcu_qsbr_quiescent(t->rcu, id);
	}
	rte_rcu_qsbr_thread_offline(t->rcu, id);
	rte_rcu_qsbr_thread_unregister(t->rcu, id);
	return NULL;
}

static void test_concurrent(void **state)
{
	static struct mt t;
	pthread_t th[MT_READERS];
	void *args[MT_READERS][2];
	struct pl_fdb_stats s;
	struct pl_fdb_conf c = { .name = "mt", .size = MT_SIZE, .age_ns = 2000, .socket = 0 };

	(void)state;
	memset(&t, 0, sizeof(t));
	t.rcu = rte_zmalloc("mtrcu", rte_rcu_qsbr_get_memsize(MT_READERS + 1), 64);
	assert_non_null(t.rcu);
	assert_int_equal(rte_rcu_qsbr_init(t.rcu, MT_READERS + 1), 0);
	c.rcu = t.rcu;
	t.f = pl_fdb_create(&c);
	assert_non_null(t.f);
	for (unsigned i = 0; i < MT_MACS; i++)
		t.keys[i] = (struct pl_fdb_key){ .mac = { 0x02, 7, 0, 0, 0, (uint8_t)i } };
	for (unsigned r = 0; r < MT_READERS; r++) {
		args[r][0] = &t;
		args[r][1] = (void *)(uintptr_t)(r + 1);
		assert_int_equal(pthread_create(&th[r], NULL, mt_reader, args[r]), 0);
	}
	for (unsigned l = 0; l < MT_LOOPS; l++) {
		uint64_t now = __atomic_add_fetch(&t.clock, 100, __ATOMIC_RELAXED);

		pl_fdb_control(t.f, now);
		if (l % 97 == 0)
			pl_fdb_flush(t.f, (unsigned)rand() % (4 * MT_MACS));
		if (l % 389 == 0)
			pl_fdb_flush(t.f, PL_FDB_NONE);
		if (l % 8 == 0)
			sched_yield();
	}
	__atomic_store_n(&t.stop, 1, __ATOMIC_RELEASE);
	for (unsigned r = 0; r < MT_READERS; r++)
		pthread_join(th[r], NULL);
	/* Whether anything aged while the readers ran depends on how they
	 * were scheduled (on a quiet machine they refresh every entry); with
	 * them stopped, one pass past the age must age what is left. */
	pl_fdb_control(t.f, __atomic_add_fetch(&t.clock, 3 * c.age_ns, __ATOMIC_RELAXED));
	pl_fdb_stats(t.f, &s);
	print_message("concurrent: %" PRIu64 " found, learned %" PRIu64 " moved %" PRIu64
		      " aged %" PRIu64 " flushed %" PRIu64 " full %" PRIu64 "\n",
		      t.lookups, s.learned, s.moved, s.aged, s.flushed, s.full);
	assert_int_equal(t.bad, 0);
	assert_true(t.lookups > 0 && s.learned > 0 && s.moved > 0 && s.aged > 0);
	pl_fdb_free(t.f);
	rte_free(t.rcu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model),      cmocka_unit_test(test_model_rcu),
		cmocka_unit_test(test_move),       cmocka_unit_test(test_age_boundary),
		cmocka_unit_test(test_sweep),      cmocka_unit_test(test_sweep_rare),
		cmocka_unit_test(test_vlan),       cmocka_unit_test(test_full),
		cmocka_unit_test(test_refused),    cmocka_unit_test(test_queue_full),
		cmocka_unit_test(test_create),     cmocka_unit_test(test_grace),
		cmocka_unit_test(test_concurrent), cmocka_unit_test(test_peer_limit),
	};

	if (eal_test_init() < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

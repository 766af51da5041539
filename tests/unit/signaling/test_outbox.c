/* SPDX-License-Identifier: MIT */
/*
 * The outbox (signaling/outbox.h) on a fake clock: a numbered table of
 * next hops that resolve at different times against the TTL, driven the
 * way the edge drives it (try, keep, retry every pass); the TTL's edges;
 * a full outbox and a datagram too long; the order kept across passes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "signaling/outbox.h"

static const uint64_t t0 = 5000;

static struct net_endpoint addr(uint8_t last)
{
	struct net_endpoint a = { .addr = { .family = NET_AF_IP4, .b = { 192, 0, 2, last } },
				  .port = 3478 };

	return a;
}

/* A next hop that answers from resolved_ms on; what it delivered. */
struct hop {
	uint64_t resolved_ms, now_ms;
	unsigned delivered;
	uint8_t last[8];
};

static bool send_via(struct hop *h, const struct net_endpoint *to, const uint8_t *p, size_t len)
{
	(void)to;
	if (h->now_ms < h->resolved_ms)
		return false;
	h->last[h->delivered++ % 8] = len ? p[0] : 0;
	return true;
}

/* One pass of the edge's loop at the hop's now. */
static void pass(struct sig_outbox *o, struct hop *h)
{
	struct sig_outbox_item it[SIG_OUTBOX_MAX];
	unsigned n = sig_outbox_take(o, it);

	for (unsigned i = 0; i < n; i++)
		if (!send_via(h, &it[i].to, it[i].buf, it[i].len))
			sig_outbox_put_back(o, &it[i], h->now_ms);
}

static void test_resolve_table(void **state)
{
	static const struct {
		uint64_t resolved_after; /* ms after the first try */
		unsigned delivered;
	} cases[] = {
		/* 1 */ { 0, 1 }, /* sent at once */
		/* 2 */ { 1, 1 }, /* the next pass */
		/* 3 */ { SIG_OUTBOX_TTL_MS - 1, 1 },
		/* 4 */ { SIG_OUTBOX_TTL_MS, 1 },
		/* 5 */ { SIG_OUTBOX_TTL_MS + 1, 1 }, /* the pass that drops it tries first */
		/* 6 */ { SIG_OUTBOX_TTL_MS + 2, 0 }, /* too late: dropped */
		/* 7 */ { 60000, 0 },
	};
	const struct net_endpoint to = addr(1);
	const uint8_t msg[] = { 7, 7, 7 };

	(void)state;
	for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct hop h = { .resolved_ms = t0 + cases[c].resolved_after, .now_ms = t0 };
		struct sig_outbox o;

		sig_outbox_init(&o);
		if (!send_via(&h, &to, msg, sizeof(msg)))
			assert_true(sig_outbox_put(&o, &to, msg, sizeof(msg), h.now_ms));
		for (; h.now_ms < t0 + 2 * SIG_OUTBOX_TTL_MS; h.now_ms++)
			if (sig_outbox_next_tick(&o) <= h.now_ms)
				pass(&o, &h);
		if (h.delivered != cases[c].delivered)
			fail_msg("case %u: delivered %u, expected %u", c + 1, h.delivered,
				 cases[c].delivered);
		assert_int_equal(o.n, 0);
		assert_int_equal(sig_outbox_next_tick(&o), UINT64_MAX);
		assert_int_equal(o.stats.expired,
				 cases[c].delivered ? 0 : cases[c].resolved_after > 0);
	}
}

static void test_ttl_edges(void **state)
{
	const struct net_endpoint to = addr(2);
	struct sig_outbox_item it[SIG_OUTBOX_MAX];
	struct sig_outbox o;

	(void)state;
	sig_outbox_init(&o);
	assert_int_equal(sig_outbox_next_tick(&o), UINT64_MAX);
	assert_true(sig_outbox_put(&o, &to, "x", 1, t0));
	assert_int_equal(sig_outbox_next_tick(&o), 0);
	assert_int_equal(sig_outbox_take(&o, it), 1);
	assert_int_equal(it[0].until_ms, t0 + SIG_OUTBOX_TTL_MS);
	assert_true(sig_outbox_put_back(&o, &it[0], t0 + SIG_OUTBOX_TTL_MS));
	assert_int_equal(sig_outbox_take(&o, it), 1);
	/* Put back keeps the original deadline: no datagram lives forever. */
	assert_int_equal(it[0].until_ms, t0 + SIG_OUTBOX_TTL_MS);
	assert_false(sig_outbox_put_back(&o, &it[0], t0 + SIG_OUTBOX_TTL_MS + 1));
	assert_int_equal(o.n, 0);
	assert_int_equal(o.stats.expired, 1);
}

static void test_full_and_too_long(void **state)
{
	static uint8_t big[SIG_DATAGRAM_MAX + 1];
	const struct net_endpoint to = addr(3);
	struct sig_outbox o;

	(void)state;
	sig_outbox_init(&o);
	for (unsigned i = 0; i < SIG_OUTBOX_MAX; i++)
		assert_true(sig_outbox_put(&o, &to, big, i == 0 ? SIG_DATAGRAM_MAX : 1, t0));
	assert_false(sig_outbox_put(&o, &to, big, 1, t0));
	assert_int_equal(o.stats.full, 1);
	sig_outbox_init(&o);
	assert_false(sig_outbox_put(&o, &to, big, sizeof(big), t0));
	assert_int_equal(o.n, 0);
}

static void test_order(void **state)
{
	struct sig_outbox_item it[SIG_OUTBOX_MAX];
	struct hop h = { .resolved_ms = UINT64_MAX, .now_ms = t0 };
	struct sig_outbox o;
	uint8_t b;

	(void)state;
	sig_outbox_init(&o);
	for (b = 1; b <= 4; b++) {
		const struct net_endpoint to = addr(b);

		assert_true(sig_outbox_put(&o, &to, &b, 1, t0 + b));
	}
	pass(&o, &h); /* nothing goes: all put back, still oldest first */
	assert_int_equal(sig_outbox_take(&o, it), 4);
	for (b = 0; b < 4; b++) {
		assert_int_equal(it[b].buf[0], b + 1);
		assert_int_equal(it[b].to.addr.b[3], b + 1);
		sig_outbox_put_back(&o, &it[b], t0);
	}
	h.resolved_ms = 0;
	pass(&o, &h);
	assert_int_equal(h.delivered, 4);
	assert_memory_equal(h.last, ((uint8_t[]){ 1, 2, 3, 4 }), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve_table),
		cmocka_unit_test(test_ttl_edges),
		cmocka_unit_test(test_full_and_too_long),
		cmocka_unit_test(test_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * Punching through NATs with Happy Eyeballs (signaling/punch.h) on a fake
 * clock: a numbered table of candidate lists, our families and
 * prefer_ipv6 giving the order and the first family; a numbered table of
 * who leads (NAT on either side, key order) and what the follower's
 * opener is (its candidates, the low TTL, the hold); the leader's hold at
 * once and its initiation at exactly SIG_PUNCH_LEAD_MS, not at all when a
 * session came up; the later family at exactly the delay after that, and
 * not at all when the first family answered or the peer went; everything
 * at once without prefer_ipv6; no usable candidate; a delay of 0; the
 * bound on waiting later actions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "signaling/punch.h"

static const uint64_t t0 = 10000;
enum { DELAY = 250 };

/* A peer from a string of families: "46" is an IPv4 then an IPv6 candidate
 * (NET_AF_IP4 is 4, NET_AF_IP6 is 6). */
static struct sig_peer peer_of(const char *fams, uint8_t id)
{
	struct sig_peer p = { .pubkey = { id } };

	for (const char *f = fams; *f && p.n_cand < SIG_CAND_MAX; f++) {
		struct net_endpoint *a = &p.cand[p.n_cand].ep;
		bool v4 = *f - '0' == NET_AF_IP4;

		a->addr.family = v4 ? NET_AF_IP4 : NET_AF_IP6;
		a->port = (uint16_t)(51820 + p.n_cand);
		a->addr.b[0] = v4 ? 198 : 0x20;
		a->addr.b[v4 ? 3 : 15] = (uint8_t)p.n_cand++;
	}
	return p;
}

/* The families of a list, as a string again (out has SIG_CAND_MAX + 1). */
static void fams_of(const struct net_endpoint *a, unsigned n, char *out)
{
	n = n < SIG_CAND_MAX ? n : SIG_CAND_MAX; /* gcc cannot see the bound */
	for (unsigned i = 0; i < n; i++)
		out[i] = (char)('0' + a[i].addr.family);
	out[n] = '\0';
}

static void test_order_table(void **state)
{
	static const struct {
		const char *cands;
		unsigned families;
		bool prefer6;
		const char *order;
		unsigned n_first;
	} cases[] = {
		/* 1 */ { "46", SIG_FAMILY_4 | SIG_FAMILY_6, false, "46", 1 },
		/* 2 */ { "46", SIG_FAMILY_4 | SIG_FAMILY_6, true, "64", 1 },
		/* 3 */ { "4646", SIG_FAMILY_4 | SIG_FAMILY_6, true, "6644", 2 },
		/* 4 */ { "4646", SIG_FAMILY_4, true, "44", 0 },  /* no IPv6 underlay */
		/* 5 */ { "4646", SIG_FAMILY_6, false, "66", 0 }, /* IPv6-only underlay */
		/* 6 */ { "66", SIG_FAMILY_4, false, "", 0 },
		/* 7 */ { "", SIG_FAMILY_4 | SIG_FAMILY_6, true, "", 0 },
		/* 8 */ { "6464", SIG_FAMILY_4 | SIG_FAMILY_6, false, "4466", 2 },
	};

	(void)state;
	for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct sig_punch_conf conf = { .families = cases[c].families,
					       .prefer_ipv6 = cases[c].prefer6 };
		struct sig_peer p = peer_of(cases[c].cands, 1);
		struct net_endpoint out[SIG_CAND_MAX];
		char got[SIG_CAND_MAX + 1];
		unsigned n_first, n = sig_punch_order(&conf, &p, out, &n_first);

		fams_of(out, n, got);
		if (strcmp(got, cases[c].order) != 0 || n_first != cases[c].n_first)
			fail_msg("case %u: order %s first %u, expected %s first %u", c + 1, got,
				 n_first, cases[c].order, cases[c].n_first);
	}
	/* Within a family the peer's own order holds. */
	{
		struct sig_punch_conf conf = { .families = SIG_FAMILY_4 | SIG_FAMILY_6 };
		struct sig_peer p = peer_of("4646", 1);
		struct net_endpoint out[SIG_CAND_MAX];
		unsigned n_first;

		sig_punch_order(&conf, &p, out, &n_first);
		assert_int_equal(out[0].port, 51820);
		assert_int_equal(out[1].port, 51822);
		assert_int_equal(out[2].port, 51821);
	}
}

/* The fake peer table: whether the peer is there and has a session. */
struct world {
	bool present, session;
	unsigned asked;
};

static bool waiting(void *ctx, const uint8_t *pubkey)
{
	struct world *w = ctx;

	(void)pubkey;
	w->asked++;
	return w->present && !w->session;
}

static void setup(struct sig_punch *p, bool prefer6, uint32_t delay)
{
	struct sig_punch_conf conf = { .families = SIG_FAMILY_4 | SIG_FAMILY_6,
				       .prefer_ipv6 = prefer6,
				       .delay_ms = delay };

	sig_punch_init(p, &conf);
}

enum { LEAD = SIG_PUNCH_LEAD_MS };

/* The next action is kind, to candidates of these families; returned. */
static struct sig_punch_action expect(struct sig_punch *p, enum sig_punch_kind kind,
				      const char *fams)
{
	struct sig_punch_action a;
	char got[SIG_CAND_MAX + 1];

	assert_true(sig_punch_pop(p, &a));
	assert_int_equal(a.kind, kind);
	fams_of(a.cand, a.n, got);
	assert_string_equal(got, fams);
	return a;
}

/* The leader's first action: the hold alone, no initiation yet. */
static void expect_hold(struct sig_punch *p, uint32_t hold_ms)
{
	struct sig_punch_action a = expect(p, SIG_PUNCH_INITIATE, "");

	assert_int_equal(a.hold_ms, hold_ms);
	assert_int_equal(a.ttl, 0);
}

static void test_later_family(void **state)
{
	static const struct {
		bool present, session;
		bool resent;
	} cases[] = {
		/* 1 */ { true, false, true },   /* nobody answered: IPv4 raced */
		/* 2 */ { true, true, false },   /* IPv6 answered first */
		/* 3 */ { false, false, false }, /* the peer left meanwhile */
	};
	const struct sig_peer peer = peer_of("4646", 7);
	struct sig_punch_action a;
	struct sig_punch p;

	(void)state;
	for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct world w = { .present = true };

		setup(&p, true, DELAY);
		assert_int_equal(sig_punch_input(&p, &peer, t0), 4);
		expect_hold(&p, LEAD + SIG_PUNCH_GRACE_MS + DELAY);
		assert_false(sig_punch_pop(&p, &a));
		assert_int_equal(sig_punch_next_tick(&p), t0 + LEAD);
		sig_punch_tick(&p, t0 + LEAD - 1, waiting, &w);
		assert_false(sig_punch_pop(&p, &a));
		assert_int_equal(w.asked, 0);
		sig_punch_tick(&p, t0 + LEAD, waiting, &w);
		a = expect(&p, SIG_PUNCH_INITIATE, "66");
		assert_int_equal(a.ttl, 0);
		assert_int_equal(a.hold_ms, 0);
		assert_int_equal(sig_punch_next_tick(&p), t0 + LEAD + DELAY);
		sig_punch_tick(&p, t0 + LEAD + DELAY - 1, waiting, &w);
		assert_false(sig_punch_pop(&p, &a));
		w.present = cases[c].present, w.session = cases[c].session;
		sig_punch_tick(&p, t0 + LEAD + DELAY, waiting, &w);
		if (cases[c].resent) {
			expect(&p, SIG_PUNCH_RESEND, "44");
		}
		if (sig_punch_pop(&p, &a))
			fail_msg("case %u: an action too many", c + 1);
		assert_int_equal(p.stats.resends, cases[c].resent);
		assert_int_equal(p.stats.suppressed, !cases[c].resent);
		assert_int_equal(p.stats.led, 1);
		/* Once only. */
		assert_int_equal(sig_punch_next_tick(&p), UINT64_MAX);
		sig_punch_tick(&p, t0 + 10 * DELAY, waiting, &w);
		assert_false(sig_punch_pop(&p, &a));
		assert_int_equal(w.asked, 2);
	}
}

/* The leader's initiation waits for nothing once a session came up (the
 * follower's opener reached us: both on one wire). */
static void test_lead_suppressed(void **state)
{
	struct world w = { .present = true, .session = true };
	const struct sig_peer peer = peer_of("4", 7);
	struct sig_punch_action a;
	struct sig_punch p;

	(void)state;
	setup(&p, false, DELAY);
	sig_punch_input(&p, &peer, t0);
	expect_hold(&p, LEAD + SIG_PUNCH_GRACE_MS);
	sig_punch_tick(&p, t0 + LEAD, waiting, &w);
	assert_false(sig_punch_pop(&p, &a));
	assert_int_equal(p.stats.suppressed, 1);
	assert_int_equal(sig_punch_next_tick(&p), UINT64_MAX);
}

enum { PUBLIC, PUBLIC_LISTED, NATTED }; /* how a member is seen */

/* A peer seen by the nucleus at 203.0.113.5:40000 (natted) or at its own
 * address 198.51.100.5 (public: the nucleus leaves out the own candidate
 * equal to it; listed anyway with PUBLIC_LISTED), with its local IPv4
 * and an IPv6 one. */
static struct sig_peer member(int how, uint8_t key)
{
	struct sig_peer p = { .pubkey = { key } };

	p.cand[p.n_cand].kind = SIG_KIND_OBSERVED;
	net_endpoint_parse(how == NATTED ? "203.0.113.5:40000" : "198.51.100.5:51820", 51820,
			   &p.cand[p.n_cand++].ep);
	if (how != PUBLIC) {
		p.cand[p.n_cand].kind = SIG_KIND_LOCAL;
		net_endpoint_parse("198.51.100.5:51820", 51820, &p.cand[p.n_cand++].ep);
	}
	p.cand[p.n_cand].kind = SIG_KIND_LOCAL;
	net_endpoint_parse("[2001:db8::5]:51820", 51820, &p.cand[p.n_cand++].ep);
	return p;
}

static void test_roles_table(void **state)
{
	static const struct {
		const char *observed; /* where the nucleus saw us; NULL: not yet */
		int peer;
		uint8_t our_key, peer_key;
		bool leads;
		const char *opener; /* the follower's: families of its candidates */
	} cases[] = {
		/* 1 */ { "203.0.113.9:51820", PUBLIC, 9, 1, true, NULL }, /* NATed side leads */
		/* 2 */ { "198.51.100.9:51820", NATTED, 1, 9, false, "" }, /* no IPv4 opener */
		/* 3 */ { "203.0.113.9:51820", NATTED, 1, 9, true, NULL }, /* key order */
		/* 4 */ { "203.0.113.9:51820", NATTED, 9, 1, false, "4" }, /* its public IPv4 */
		/* 5 */ { "198.51.100.9:51820", PUBLIC, 9, 1, false, "" }, /* both public */
		/* 6 */ { "198.51.100.9:51820", PUBLIC, 1, 9, true, NULL },
		/* 7 */ { "198.51.100.9:51820", PUBLIC_LISTED, 1, 9, true, NULL },
		/* 8 */ { "203.0.113.9:51820", PUBLIC_LISTED, 9, 1, true, NULL },
		/* 9 */ { NULL, NATTED, 1, 9, false, "" }, /* not registered yet */
		/* 10 */ { "[2001:db8::9]:51820", PUBLIC, 9, 1, false, "" }, /* IPv6 seen: no NAT */
	};
	(void)state;
	for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct net_endpoint local = { 0 }, seen = { 0 };
		struct sig_peer peer = member(cases[c].peer, cases[c].peer_key);
		uint8_t key[SIG_PUBKEY_LEN] = { cases[c].our_key };
		struct sig_punch_action a;
		struct sig_punch p;
		char got[SIG_CAND_MAX + 1];

		setup(&p, false, DELAY);
		net_endpoint_parse("198.51.100.9:51820", 51820, &local);
		sig_punch_self(&p, key, &local, 1);
		if (cases[c].observed) {
			net_endpoint_parse(cases[c].observed, 51820, &seen);
			sig_punch_observed(&p, &seen);
		}
		if (sig_punch_leads(&p, &peer) != cases[c].leads)
			fail_msg("case %u: leads %d", c + 1, !cases[c].leads);
		assert_int_equal(sig_punch_input(&p, &peer, t0), peer.n_cand);
		assert_true(sig_punch_pop(&p, &a));
		assert_int_equal(a.kind, SIG_PUNCH_INITIATE);
		assert_int_equal(a.hold_ms, LEAD + SIG_PUNCH_GRACE_MS);
		assert_memory_equal(a.pubkey, &peer.pubkey, SIG_PUBKEY_LEN);
		fams_of(a.cand, a.n, got);
		if (cases[c].leads) {
			assert_int_equal(a.n, 0);
			assert_int_equal(sig_punch_next_tick(&p), t0 + LEAD);
			continue;
		}
		/* The follower: its opener now, nothing later. */
		if (strcmp(got, cases[c].opener) != 0)
			fail_msg("case %u: opener to %s, expected %s", c + 1, got, cases[c].opener);
		assert_int_equal(a.ttl, SIG_PUNCH_OPEN_TTL);
		if (a.n)
			assert_int_equal(a.cand[0].port, 40000); /* the observed one */
		assert_int_equal(sig_punch_next_tick(&p), UINT64_MAX);
		assert_int_equal(p.stats.opened, a.n > 0);
	}
}

static void test_at_once(void **state)
{
	struct world w = { .present = true };
	struct sig_punch_action a;
	struct sig_punch p;
	struct sig_peer peer;

	(void)state;
	/* Without prefer_ipv6 nothing is raced: IPv4 first, all now. */
	setup(&p, false, DELAY);
	peer = peer_of("6464", 1);
	assert_int_equal(sig_punch_input(&p, &peer, t0), 4);
	expect_hold(&p, LEAD + SIG_PUNCH_GRACE_MS);
	sig_punch_tick(&p, t0 + LEAD, waiting, &w);
	a = expect(&p, SIG_PUNCH_INITIATE, "4466");
	assert_memory_equal(a.pubkey, peer.pubkey, SIG_PUBKEY_LEN);
	assert_false(sig_punch_pop(&p, &a));
	assert_int_equal(sig_punch_next_tick(&p), UINT64_MAX);
	/* prefer_ipv6 with one family on offer: nothing to race either. */
	setup(&p, true, DELAY);
	peer = peer_of("44", 2);
	assert_int_equal(sig_punch_input(&p, &peer, t0), 2);
	expect_hold(&p, LEAD + SIG_PUNCH_GRACE_MS);
	sig_punch_tick(&p, t0 + LEAD, waiting, &w);
	expect(&p, SIG_PUNCH_INITIATE, "44");
	assert_int_equal(sig_punch_next_tick(&p), UINT64_MAX);
	/* Nothing usable: no action, not counted. */
	p.conf.families = SIG_FAMILY_6;
	assert_int_equal(sig_punch_input(&p, &peer, t0), 0);
	assert_false(sig_punch_pop(&p, &a));
	assert_int_equal(p.stats.punches, 1);
	/* A delay of 0: the later family on the next pass. */
	setup(&p, true, 0);
	peer = peer_of("46", 3);
	sig_punch_input(&p, &peer, t0);
	expect_hold(&p, LEAD + SIG_PUNCH_GRACE_MS);
	sig_punch_tick(&p, t0 + LEAD, waiting, &w);
	expect(&p, SIG_PUNCH_INITIATE, "6");
	expect(&p, SIG_PUNCH_RESEND, "4");
}

static void test_later_bound(void **state)
{
	struct world w = { .present = true };
	struct sig_punch_action a;
	struct sig_punch p;
	unsigned i, n = 0;

	(void)state;
	/* Each punch we lead with both families waits twice: the initiation
	 * and the later family. */
	setup(&p, true, DELAY);
	for (i = 0; i < SIG_PUNCH_LATER_MAX / 2 + 1; i++) {
		const struct sig_peer peer = peer_of("46", (uint8_t)(i + 1));

		sig_punch_input(&p, &peer, t0 + i);
		expect_hold(&p, LEAD + SIG_PUNCH_GRACE_MS + DELAY);
	}
	assert_int_equal(p.stats.later_full, 2);
	assert_int_equal(sig_punch_next_tick(&p), t0 + LEAD);
	sig_punch_tick(&p, t0 + LEAD + DELAY + SIG_PUNCH_LATER_MAX, waiting, &w);
	while (sig_punch_pop(&p, &a)) {
		assert_int_equal(a.kind, n % 2 ? SIG_PUNCH_RESEND : SIG_PUNCH_INITIATE);
		n++;
	}
	assert_int_equal(n, SIG_PUNCH_LATER_MAX);
	/* Room again. */
	{
		const struct sig_peer peer = peer_of("46", 99);

		sig_punch_input(&p, &peer, t0);
		assert_int_equal(sig_punch_next_tick(&p), t0 + LEAD);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_table),     cmocka_unit_test(test_later_family),
		cmocka_unit_test(test_lead_suppressed), cmocka_unit_test(test_roles_table),
		cmocka_unit_test(test_at_once),         cmocka_unit_test(test_later_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * Keypair rotation (keypair.h) and the send/receive/rekey predicates.
 *
 * Rotation is checked step by step in a numbered table, then by a random
 * sequence against a naive ownership model: every keypair handed to
 * wg_keypairs_add is "live" until it appears in exactly one retired list;
 * at every step the live set must equal {current, previous, next}, so
 * nothing leaks and nothing is retired twice.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wg/keypair.h"
#include "wg_test_util.h"

enum { NKP = 64 };
static struct wg_keypair pool[NKP];

/* Keypair n of the pool: as an initiator ('I') or a responder ('R') derived it. */
static struct wg_keypair *kp(unsigned n, char role)
{
	memset(&pool[n], 0, sizeof(pool[n]));
	pool[n].i_am_the_initiator = role == 'I';
	pool[n].valid = true;
	pool[n].local_index = n;
	return &pool[n];
}

#define P(n) (&pool[n])

static void expect_slots(const struct wg_keypairs *k, struct wg_keypair *cur,
			 struct wg_keypair *prev, struct wg_keypair *next)
{
	assert_ptr_equal(k->current, cur);
	assert_ptr_equal(k->previous, prev);
	assert_ptr_equal(k->next, next);
}

static void expect_retired(const struct wg_keypair_retired *r, struct wg_keypair *a,
			   struct wg_keypair *b)
{
	unsigned want = !!a + !!b, k;
	bool seen_a = !a, seen_b = !b;

	assert_int_equal(r->n, want);
	for (k = 0; k < r->n; k++) {
		if (r->kp[k] == a && !seen_a)
			seen_a = true;
		else if (r->kp[k] == b && !seen_b)
			seen_b = true;
		else
			fail_msg("retired slot %u holds an unexpected keypair", k);
	}
}

static void test_rotation_table(void **state)
{
	struct wg_keypairs k = { 0 };
	struct wg_keypair_retired r;

	(void)state;
	/*  1 initiator: first keypair becomes current at once */
	wg_keypairs_add(&k, kp(1, 'I'), &r);
	expect_slots(&k, P(1), NULL, NULL);
	expect_retired(&r, NULL, NULL);
	/*  2 initiator again: current slides to previous */
	wg_keypairs_add(&k, kp(2, 'I'), &r);
	expect_slots(&k, P(2), P(1), NULL);
	expect_retired(&r, NULL, NULL);
	/*  3 initiator again: the old previous is dropped */
	wg_keypairs_add(&k, kp(3, 'I'), &r);
	expect_slots(&k, P(3), P(2), NULL);
	expect_retired(&r, P(1), NULL);
	/*  4 responder: waits in next, previous dropped, current kept for sending */
	wg_keypairs_add(&k, kp(4, 'R'), &r);
	expect_slots(&k, P(3), NULL, P(4));
	expect_retired(&r, P(2), NULL);
	/*  5 a packet on current confirms nothing */
	assert_false(wg_keypairs_received_with(&k, P(3), &r));
	expect_slots(&k, P(3), NULL, P(4));
	assert_int_equal(r.n, 0);
	/*  6 responder again before confirmation: the unconfirmed next is replaced */
	wg_keypairs_add(&k, kp(5, 'R'), &r);
	expect_slots(&k, P(3), NULL, P(5));
	expect_retired(&r, P(4), NULL);
	/*  7 a packet on the replaced keypair (stale pointer) changes nothing */
	assert_false(wg_keypairs_received_with(&k, P(4), &r));
	assert_false(wg_keypairs_received_with(&k, NULL, &r));
	expect_slots(&k, P(3), NULL, P(5));
	/*  8 first packet on next: promoted, current becomes previous */
	assert_true(wg_keypairs_received_with(&k, P(5), &r));
	expect_slots(&k, P(5), P(3), NULL);
	expect_retired(&r, NULL, NULL);
	/*  9 a second packet on it: nothing more to do */
	assert_false(wg_keypairs_received_with(&k, P(5), &r));
	expect_slots(&k, P(5), P(3), NULL);
	/* 10 responder, then initiator while next is pending: next (newer) kept as previous */
	wg_keypairs_add(&k, kp(6, 'R'), &r);
	expect_slots(&k, P(5), NULL, P(6));
	expect_retired(&r, P(3), NULL);
	wg_keypairs_add(&k, kp(7, 'I'), &r);
	expect_slots(&k, P(7), P(6), NULL);
	expect_retired(&r, P(5), NULL);
	/* 11 a confirmed next, then another responder keypair */
	wg_keypairs_add(&k, kp(8, 'R'), &r);
	expect_slots(&k, P(7), NULL, P(8));
	expect_retired(&r, P(6), NULL);
	assert_true(wg_keypairs_received_with(&k, P(8), &r));
	expect_slots(&k, P(8), P(7), NULL);
	wg_keypairs_add(&k, kp(9, 'R'), &r);
	expect_slots(&k, P(8), NULL, P(9));
	expect_retired(&r, P(7), NULL);
	/* 12 clear drops whatever is left */
	wg_keypairs_clear(&k, &r);
	expect_slots(&k, NULL, NULL, NULL);
	expect_retired(&r, P(8), P(9));
	/* 13 responder on an empty set: nothing to send with until confirmed */
	wg_keypairs_add(&k, kp(10, 'R'), &r);
	expect_slots(&k, NULL, NULL, P(10));
	assert_true(wg_keypairs_received_with(&k, P(10), &r));
	expect_slots(&k, P(10), NULL, NULL);
	wg_keypairs_clear(&k, &r);
	expect_retired(&r, P(10), NULL);
	wg_keypairs_clear(&k, &r);
	assert_int_equal(r.n, 0);
}

/* Initiator add with a pending next and a previous: both current and previous go. */
static void test_initiator_add_drops_two(void **state)
{
	struct wg_keypairs k = { 0 };
	struct wg_keypair_retired r;

	(void)state;
	wg_keypairs_add(&k, kp(1, 'I'), &r);
	wg_keypairs_add(&k, kp(2, 'I'), &r);
	expect_slots(&k, P(2), P(1), NULL);
	k.next = kp(3, 'R'); /* not reachable through the API, yet must not leak */
	wg_keypairs_add(&k, kp(4, 'I'), &r);
	expect_slots(&k, P(4), P(3), NULL);
	expect_retired(&r, P(1), P(2));
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void test_rotation_random_ownership(void **state)
{
	struct wg_keypairs k = { 0 };
	struct wg_keypair_retired r;
	bool live[NKP] = { false };
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	unsigned step, n, j, next_free = 0;

	(void)state;
	for (step = 0; step < 100000; step++) {
		uint64_t x = rng_next(&s);
		struct wg_keypair *slots[3];

		r.n = 99; /* every call must set n */
		switch (x % 8) {
		case 0:
		case 1:
		case 2:
		case 3: /* add a new keypair, either role */
			for (n = next_free; live[n % NKP]; n++)
				;
			n %= NKP;
			next_free = n + 1;
			live[n] = true;
			wg_keypairs_add(&k, kp(n, (x >> 8) & 1 ? 'I' : 'R'), &r);
			break;
		case 4:
		case 5:
		case 6: { /* a packet on a random slot, or on a stale keypair */
			struct wg_keypair *cands[4] = { k.current, k.previous, k.next,
							P((x >> 8) % NKP) };

			wg_keypairs_received_with(&k, cands[(x >> 16) % 4], &r);
			break;
		}
		default:
			if ((x >> 8) % 16 == 0)
				wg_keypairs_clear(&k, &r);
			else
				r.n = 0;
		}
		assert_true(r.n <= 3);
		for (j = 0; j < r.n; j++) {
			unsigned id = (unsigned)(r.kp[j] - pool);

			if (!live[id])
				fail_msg("step %u: keypair %u retired but was not live", step, id);
			live[id] = false;
		}
		slots[0] = k.current;
		slots[1] = k.previous;
		slots[2] = k.next;
		n = 0;
		for (j = 0; j < 3; j++) {
			if (!slots[j])
				continue;
			n++;
			if (!live[slots[j] - pool])
				fail_msg("step %u: slot %u holds a retired keypair", step, j);
		}
		assert_true(!slots[0] || (slots[0] != slots[1] && slots[0] != slots[2]));
		assert_true(!slots[1] || slots[1] != slots[2]);
		for (j = 0; j < NKP; j++)
			n -= live[j];
		if (n != 0)
			fail_msg("step %u: a live keypair is in no slot (leak)", step);
	}
}

static void test_predicates_time(void **state)
{
	struct wg_keypair *a = kp(1, 'I'), *b = kp(2, 'R');
	const uint64_t t = SEC(5000);

	(void)state;
	a->birthdate_ns = b->birthdate_ns = t;
	/* REJECT_AFTER_TIME: usable until 180 s, not at 180 s. */
	assert_true(wg_keypair_can_send(a, t));
	assert_true(wg_keypair_can_send(a, t + SEC(180) - 1));
	assert_false(wg_keypair_can_send(a, t + SEC(180)));
	assert_true(wg_keypair_can_receive(b, t + SEC(180) - 1));
	assert_false(wg_keypair_can_receive(b, t + SEC(180)));
	assert_false(wg_keypair_can_receive(b, t + SEC(100000)));
	/* REKEY_AFTER_TIME on send: the initiator only. */
	assert_false(wg_keypair_should_rekey_on_send(a, t + SEC(120) - 1));
	assert_true(wg_keypair_should_rekey_on_send(a, t + SEC(120)));
	assert_false(wg_keypair_should_rekey_on_send(b, t + SEC(120)));
	assert_false(wg_keypair_should_rekey_on_send(b, t + SEC(179)));
	/* On receive: REJECT - KEEPALIVE - REKEY_TIMEOUT = 165 s, initiator only. */
	assert_false(wg_keypair_should_rekey_on_receive(a, t + SEC(165) - 1));
	assert_true(wg_keypair_should_rekey_on_receive(a, t + SEC(165)));
	assert_false(wg_keypair_should_rekey_on_receive(b, t + SEC(170)));
	/* Invalid or missing keypairs are good for nothing. */
	a->valid = false;
	assert_false(wg_keypair_can_send(a, t));
	assert_false(wg_keypair_can_receive(a, t));
	assert_false(wg_keypair_should_rekey_on_send(a, t + SEC(150)));
	assert_false(wg_keypair_should_rekey_on_receive(a, t + SEC(170)));
	assert_false(wg_keypair_can_send(NULL, t));
	assert_false(wg_keypair_can_receive(NULL, t));
	assert_false(wg_keypair_should_rekey_on_send(NULL, t));
	assert_false(wg_keypair_should_rekey_on_receive(NULL, t));
	/* Born at time 0 of a test clock: still works. */
	b->birthdate_ns = 0;
	assert_true(wg_keypair_can_receive(b, 0));
	assert_false(wg_keypair_can_receive(b, SEC(180)));
}

static void test_predicates_messages(void **state)
{
	struct wg_keypair *a = kp(1, 'I'), *b = kp(2, 'R');

	(void)state;
	/* send_counter is the next nonce: REJECT_AFTER_MESSAGES nonces may be used. */
	a->send_counter = WG_REJECT_AFTER_MESSAGES - 1;
	assert_true(wg_keypair_can_send(a, 0));
	a->send_counter = WG_REJECT_AFTER_MESSAGES;
	assert_false(wg_keypair_can_send(a, 0));
	a->send_counter = UINT64_MAX;
	assert_false(wg_keypair_can_send(a, 0));
	/* REKEY_AFTER_MESSAGES, for either role, regardless of age. */
	b->send_counter = WG_REKEY_AFTER_MESSAGES - 1;
	assert_false(wg_keypair_should_rekey_on_send(b, 0));
	b->send_counter = WG_REKEY_AFTER_MESSAGES + 1;
	assert_true(wg_keypair_should_rekey_on_send(b, 0));
	a->send_counter = WG_REKEY_AFTER_MESSAGES + 1;
	assert_true(wg_keypair_should_rekey_on_send(a, 0));
	/* Receiving: the last usable counter was accepted, still receivable. */
	wg_replay_init(&b->replay);
	assert_true(wg_replay_check(&b->replay, WG_REJECT_AFTER_MESSAGES - 1));
	assert_false(wg_replay_check(&b->replay, WG_REJECT_AFTER_MESSAGES));
	assert_true(wg_keypair_can_receive(b, 0));
}

static void test_wipe(void **state)
{
	struct wg_keypair *a = kp(1, 'I');
	static const struct wg_keypair zero;

	(void)state;
	memset(a->send_key, 0x55, WG_KEY_LEN);
	memset(a->recv_key, 0x66, WG_KEY_LEN);
	wg_keypair_wipe(a);
	assert_memory_equal(a, &zero, sizeof(zero));
	assert_false(wg_keypair_can_send(a, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rotation_table),
		cmocka_unit_test(test_initiator_add_drops_two),
		cmocka_unit_test(test_rotation_random_ownership),
		cmocka_unit_test(test_predicates_time),
		cmocka_unit_test(test_predicates_messages),
		cmocka_unit_test(test_wipe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

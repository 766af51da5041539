/* SPDX-License-Identifier: MIT */
/*
 * The timer state machine (timers.h) on a fake clock. A small driver plays
 * the peer: it advances the clock to each deadline, polls, and reacts to
 * the actions the way a send path does (an initiation or keepalive that
 * goes out calls the traversal and packet-sent hooks). Times follow the
 * WireGuard paper, section 6, and the limits in messages.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wg/messages.h"
#include "wg/timers.h"
#include "wg_test_util.h"

#define T ((uint64_t)SEC(1000))
#define JITTER MSEC(WG_REKEY_TIMEOUT_JITTER_MAX_MS)

struct peer {
	struct wg_timers t;
	uint64_t now;
	unsigned initiations, keepalives, zeroed, dropped;
	uint64_t last_initiation;
};

static void peer_init(struct peer *p, uint16_t persistent, uint64_t seed)
{
	memset(p, 0, sizeof(*p));
	wg_timers_init(&p->t, persistent, seed);
	p->now = T;
}

static void send_initiation(struct peer *p, bool retry)
{
	p->initiations++;
	p->last_initiation = p->now;
	wg_timers_any_authenticated_packet_traversal(&p->t, p->now);
	wg_timers_any_authenticated_packet_sent(&p->t, p->now);
	wg_timers_handshake_initiated(&p->t, p->now, retry);
}

static unsigned react(struct peer *p, unsigned actions)
{
	/* After a poll the initiation is a retry; the timer resets the count itself when not. */
	if ((actions & WG_TIMER_SEND_INITIATION) && wg_timers_may_send_initiation(&p->t, p->now))
		send_initiation(p, true);
	if (actions & WG_TIMER_SEND_KEEPALIVE) {
		p->keepalives++;
		wg_timers_any_authenticated_packet_traversal(&p->t, p->now);
		wg_timers_any_authenticated_packet_sent(&p->t, p->now);
	}
	p->zeroed += !!(actions & WG_TIMER_ZERO_KEYS);
	p->dropped += !!(actions & WG_TIMER_DROP_STAGED);
	return actions;
}

/* Run every deadline up to and including until; returns the OR of actions. */
static unsigned run_until(struct peer *p, uint64_t until)
{
	unsigned all = 0;
	uint64_t d;

	while ((d = wg_timers_next_deadline(&p->t)) <= until) {
		assert_true(d >= p->now);
		p->now = d;
		all |= react(p, wg_timers_poll(&p->t, p->now));
	}
	p->now = until;
	return all;
}

static void test_retransmit_then_give_up(void **state)
{
	struct peer p;
	uint64_t first, d, jit_min = UINT64_MAX, jit_max = 0;
	unsigned actions;

	(void)state;
	peer_init(&p, 0, 42);
	send_initiation(&p, false);
	first = p.now;
	for (;;) {
		d = wg_timers_next_deadline(&p.t);
		assert_true(d >= p.last_initiation + SEC(WG_REKEY_TIMEOUT));
		assert_true(d < p.last_initiation + SEC(WG_REKEY_TIMEOUT) + JITTER);
		if (d - p.last_initiation - SEC(WG_REKEY_TIMEOUT) < jit_min)
			jit_min = d - p.last_initiation - SEC(WG_REKEY_TIMEOUT);
		if (d - p.last_initiation - SEC(WG_REKEY_TIMEOUT) > jit_max)
			jit_max = d - p.last_initiation - SEC(WG_REKEY_TIMEOUT);
		assert_int_equal(wg_timers_poll(&p.t, d - 1), 0);
		p.now = d;
		actions = react(&p, wg_timers_poll(&p.t, d));
		if (actions != WG_TIMER_SEND_INITIATION)
			break;
		assert_true(p.initiations < 100);
	}
	/* Like the reference: MAX_TIMER_HANDSHAKES + 2 initiations in all, then stop. */
	assert_int_equal(actions, WG_TIMER_DROP_STAGED);
	assert_int_equal(p.initiations, WG_MAX_TIMER_HANDSHAKES + 2);
	assert_true(p.now - first >= SEC(WG_REKEY_ATTEMPT_TIME));
	assert_true(jit_max > jit_min); /* the jitter does vary */
	/* Nothing but zeroing is left, REJECT_AFTER_TIME * 3 from giving up. */
	assert_int_equal(wg_timers_next_deadline(&p.t), p.now + SEC(3 * WG_REJECT_AFTER_TIME));
	assert_int_equal(run_until(&p, p.now + SEC(3 * WG_REJECT_AFTER_TIME)), WG_TIMER_ZERO_KEYS);
	assert_int_equal(p.initiations, WG_MAX_TIMER_HANDSHAKES + 2);
	assert_int_equal(wg_timers_next_deadline(&p.t), UINT64_MAX);
}

static void test_give_up_keeps_zero_key_deadline(void **state)
{
	struct peer p;

	(void)state;
	peer_init(&p, 0, 7);
	wg_timers_session_derived(&p.t, T - SEC(100));
	send_initiation(&p, false);
	assert_int_equal(run_until(&p, T + SEC(200)) & WG_TIMER_DROP_STAGED, WG_TIMER_DROP_STAGED);
	assert_int_equal(wg_timers_next_deadline(&p.t),
			 T - SEC(100) + SEC(3 * WG_REJECT_AFTER_TIME));
}

static void test_handshake_complete(void **state)
{
	struct peer p;

	(void)state;
	peer_init(&p, 0, 9);
	send_initiation(&p, false);
	run_until(&p, T + SEC(12)); /* two retries */
	assert_int_equal(p.initiations, 3);
	wg_timers_handshake_complete(&p.t, p.now);
	assert_int_equal(wg_timers_next_deadline(&p.t), UINT64_MAX);
	/* A later attempt gets the full budget again. */
	send_initiation(&p, false);
	run_until(&p, p.now + SEC(200));
	assert_int_equal(p.initiations, 3 + WG_MAX_TIMER_HANDSHAKES + 2);
	assert_int_equal(p.dropped, 1);
}

static void test_passive_keepalive(void **state)
{
	struct peer p;

	(void)state;
	peer_init(&p, 0, 1);
	wg_timers_data_received(&p.t, T);
	assert_int_equal(wg_timers_next_deadline(&p.t), T + SEC(WG_KEEPALIVE_TIMEOUT));
	assert_int_equal(wg_timers_poll(&p.t, T + SEC(10) - 1), 0);
	assert_int_equal(run_until(&p, T + SEC(10)), WG_TIMER_SEND_KEEPALIVE);
	assert_int_equal(run_until(&p, T + SEC(100)), 0);
	assert_int_equal(p.keepalives, 1);

	/* Something sent in between: no keepalive needed. */
	peer_init(&p, 0, 1);
	wg_timers_data_received(&p.t, T);
	wg_timers_any_authenticated_packet_sent(&p.t, T + SEC(3));
	assert_int_equal(run_until(&p, T + SEC(100)), 0);

	/* More data while armed: the first deadline holds (not pushed back). */
	peer_init(&p, 0, 1);
	wg_timers_data_received(&p.t, T);
	wg_timers_data_received(&p.t, T + SEC(4));
	assert_int_equal(wg_timers_next_deadline(&p.t), T + SEC(10));
	assert_int_equal(run_until(&p, T + SEC(10)), WG_TIMER_SEND_KEEPALIVE);

	/* Time 0 of the clock is a time like any other. */
	memset(&p, 0, sizeof(p));
	wg_timers_init(&p.t, 0, 1);
	wg_timers_data_received(&p.t, 0);
	assert_int_equal(wg_timers_next_deadline(&p.t), SEC(10));
	assert_int_equal(wg_timers_poll(&p.t, 0), 0);
}

static void test_new_handshake_after_silence(void **state)
{
	struct peer p;
	uint64_t d;

	(void)state;
	peer_init(&p, 0, 3);
	wg_timers_data_sent(&p.t, T);
	d = wg_timers_next_deadline(&p.t);
	assert_true(d >= T + SEC(WG_KEEPALIVE_TIMEOUT + WG_REKEY_TIMEOUT));
	assert_true(d < T + SEC(WG_KEEPALIVE_TIMEOUT + WG_REKEY_TIMEOUT) + JITTER);
	wg_timers_data_sent(&p.t, T + SEC(3)); /* not pushed back */
	assert_int_equal(wg_timers_next_deadline(&p.t), d);
	assert_int_equal(wg_timers_poll(&p.t, d - 1), 0);
	assert_int_equal(run_until(&p, d), WG_TIMER_SEND_INITIATION);
	assert_int_equal(p.initiations, 1);

	/* An answer (any authenticated packet) cancels it. */
	peer_init(&p, 0, 3);
	wg_timers_data_sent(&p.t, T);
	wg_timers_any_authenticated_packet_received(&p.t, T + SEC(14));
	assert_int_equal(run_until(&p, T + SEC(60)), 0);
}

/*
 * timers.h: may_send_initiation is true only if none was sent in the last
 * REKEY_TIMEOUT. An initiation sent 1 s before the new-handshake timer
 * fires must still rate-limit the one that timer asks for.
 */
static void test_new_handshake_respects_rate_limit(void **state)
{
	struct peer p;
	uint64_t d;

	(void)state;
	peer_init(&p, 0, 5);
	wg_timers_data_sent(&p.t, T);
	d = wg_timers_next_deadline(&p.t);
	p.now = d - SEC(1);
	send_initiation(&p, false); /* e.g. REKEY_AFTER_TIME on the send path */
	p.now = d;
	wg_timers_poll(&p.t, d);
	assert_false(wg_timers_may_send_initiation(&p.t, d));
}

static void test_may_send_initiation(void **state)
{
	struct wg_timers t;

	(void)state;
	wg_timers_init(&t, 0, 1);
	assert_true(wg_timers_may_send_initiation(&t, 0));
	assert_true(wg_timers_may_send_initiation(&t, T));
	wg_timers_handshake_initiated(&t, T, false);
	assert_false(wg_timers_may_send_initiation(&t, T));
	assert_false(wg_timers_may_send_initiation(&t, T + SEC(5) - 1));
	assert_true(wg_timers_may_send_initiation(&t, T + SEC(5)));
	/* Sent at time 0 of the clock: still rate-limited. */
	wg_timers_init(&t, 0, 1);
	wg_timers_handshake_initiated(&t, 0, false);
	assert_false(wg_timers_may_send_initiation(&t, SEC(1)));
	assert_true(wg_timers_may_send_initiation(&t, SEC(5)));
}

static void test_zero_keys(void **state)
{
	struct peer p;

	(void)state;
	peer_init(&p, 0, 11);
	wg_timers_session_derived(&p.t, T);
	assert_int_equal(wg_timers_next_deadline(&p.t), T + SEC(540));
	assert_int_equal(run_until(&p, T + SEC(540) - 1), 0);
	assert_int_equal(run_until(&p, T + SEC(540)), WG_TIMER_ZERO_KEYS);
	/* A newer session pushes it back. */
	peer_init(&p, 0, 11);
	wg_timers_session_derived(&p.t, T);
	wg_timers_session_derived(&p.t, T + SEC(100));
	assert_int_equal(run_until(&p, T + SEC(639)), 0);
	assert_int_equal(run_until(&p, T + SEC(640)), WG_TIMER_ZERO_KEYS);
	assert_int_equal(p.zeroed, 1);
}

static void test_persistent_keepalive(void **state)
{
	struct peer p;
	unsigned k;

	(void)state;
	peer_init(&p, 25, 13);
	wg_timers_any_authenticated_packet_traversal(&p.t, T);
	for (k = 1; k <= 10; k++) {
		assert_int_equal(wg_timers_next_deadline(&p.t), T + SEC(25) * k);
		assert_int_equal(run_until(&p, T + SEC(25) * k - 1), 0);
		assert_int_equal(run_until(&p, T + SEC(25) * k), WG_TIMER_SEND_KEEPALIVE);
	}
	assert_int_equal(p.keepalives, 10);
	/* Traffic either way pushes the next one back. */
	wg_timers_any_authenticated_packet_traversal(&p.t, p.now + SEC(10));
	assert_int_equal(wg_timers_next_deadline(&p.t), p.now + SEC(35));
	/* Off: never. */
	peer_init(&p, 0, 13);
	wg_timers_any_authenticated_packet_traversal(&p.t, T);
	assert_int_equal(wg_timers_next_deadline(&p.t), UINT64_MAX);
	assert_int_equal(run_until(&p, T + SEC(3600)), 0);
}

static void test_next_deadline_and_stop(void **state)
{
	struct wg_timers t;

	(void)state;
	wg_timers_init(&t, 25, 1);
	assert_int_equal(wg_timers_next_deadline(&t), UINT64_MAX);
	wg_timers_session_derived(&t, T);                    /* T + 540 */
	wg_timers_any_authenticated_packet_traversal(&t, T); /* T + 25 */
	wg_timers_data_received(&t, T);                      /* T + 10 */
	assert_int_equal(wg_timers_next_deadline(&t), T + SEC(10));
	wg_timers_any_authenticated_packet_sent(&t, T);
	assert_int_equal(wg_timers_next_deadline(&t), T + SEC(25));
	wg_timers_stop(&t);
	assert_int_equal(wg_timers_next_deadline(&t), UINT64_MAX);
	assert_int_equal(wg_timers_poll(&t, T + SEC(100000)), 0);
}

static void test_lastminute_once(void **state)
{
	struct wg_timers t;

	(void)state;
	wg_timers_init(&t, 0, 1);
	assert_true(wg_timers_want_lastminute_handshake(&t));
	assert_false(wg_timers_want_lastminute_handshake(&t));
	wg_timers_handshake_complete(&t, T);
	assert_true(wg_timers_want_lastminute_handshake(&t));
}

/* Jitter stays below 333 ms and spreads over the range across seeds. */
static void test_jitter_range(void **state)
{
	uint64_t seed, lo = UINT64_MAX, hi = 0, j;
	struct wg_timers t;

	(void)state;
	for (seed = 0; seed < 2000; seed++) {
		wg_timers_init(&t, 0, seed);
		wg_timers_handshake_initiated(&t, T, false);
		j = wg_timers_next_deadline(&t) - T - SEC(WG_REKEY_TIMEOUT);
		assert_true(j < JITTER);
		lo = j < lo ? j : lo;
		hi = j > hi ? j : hi;
	}
	assert_true(lo < MSEC(20) && hi > MSEC(310));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retransmit_then_give_up),
		cmocka_unit_test(test_give_up_keeps_zero_key_deadline),
		cmocka_unit_test(test_handshake_complete),
		cmocka_unit_test(test_passive_keepalive),
		cmocka_unit_test(test_new_handshake_after_silence),
		cmocka_unit_test(test_new_handshake_respects_rate_limit),
		cmocka_unit_test(test_may_send_initiation),
		cmocka_unit_test(test_zero_keys),
		cmocka_unit_test(test_persistent_keepalive),
		cmocka_unit_test(test_next_deadline_and_stop),
		cmocka_unit_test(test_lastminute_once),
		cmocka_unit_test(test_jitter_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

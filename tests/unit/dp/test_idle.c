/* SPDX-License-Identifier: MIT */
/*
 * The idle back-off (lib/dp/idle.c) with descriptors to wake on: a sleep
 * ends on a readable descriptor and is counted as a wake-up; nothing
 * readable, no wake-up; a descriptor that stays readable while the loop
 * finds no work is given up after DP_IDLE_SPURIOUS_MAX wake-ups, unless
 * work comes between; a signal (net_tap's SIGIO) ends a sleep as a wake-up
 * with or without descriptors. Counters only: no timing is asserted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "dp/idle.h"

/* Sleep at once after one empty poll, for 2 ms (or ns). */
static void init_quick(struct dp_idle *s, uint32_t ns)
{
	const struct dp_idle_conf c = {
		.spin_polls = 1,
		.pause_polls = 1,
		.min_ns = ns,
		.max_ns = ns,
		.no_deep_idle = true,
	};

	dp_idle_init(s, &c);
}

/* Empty polls until one more sleep happened. */
static void sleep_once(struct dp_idle *s)
{
	uint64_t before = s->sleeps;

	while (s->sleeps == before)
		dp_idle_poll_done(s, 0);
}

static void test_wake_on_readable(void **state)
{
	struct dp_idle s;
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	init_quick(&s, 200000000); /* 200 ms: a wake-up that fails shows as slow */
	assert_int_equal(dp_idle_wake_on(&s, p[0]), 0);
	sleep_once(&s);
	assert_int_equal(s.wakeups, 0); /* nothing to read: the timeout ended it */
	assert_int_equal(write(p[1], "x", 1), 1);
	sleep_once(&s);
	assert_int_equal(s.wakeups, 1);
	assert_int_equal(s.n_fds, 1);
	close(p[0]);
	close(p[1]);
}

static void test_no_fds_never_woken(void **state)
{
	struct dp_idle s;

	(void)state;
	init_quick(&s, 1000);
	assert_int_equal(dp_idle_wake_on(&s, -1), 0); /* "none" is ignored */
	assert_int_equal(s.n_fds, 0);
	for (int i = 0; i < 10; i++)
		sleep_once(&s);
	assert_int_equal(s.sleeps, 10);
	assert_int_equal(s.wakeups, 0);
}

static void test_full(void **state)
{
	struct dp_idle s;

	(void)state;
	init_quick(&s, 1000);
	for (int i = 0; i < DP_IDLE_MAX_FDS; i++)
		assert_int_equal(dp_idle_wake_on(&s, 0), 0);
	assert_int_equal(dp_idle_wake_on(&s, 0), -ENOSPC);
	assert_int_equal(s.n_fds, DP_IDLE_MAX_FDS);
}

static void test_spurious_given_up(void **state)
{
	struct dp_idle s;
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "x", 1), 1); /* readable, never read */
	init_quick(&s, 1000000);
	dp_idle_wake_on(&s, p[0]);
	for (int i = 0; i < DP_IDLE_SPURIOUS_MAX; i++)
		sleep_once(&s);
	assert_int_equal(s.n_fds, 1);
	assert_int_equal(s.wakeups, DP_IDLE_SPURIOUS_MAX);
	sleep_once(&s); /* the last straw: a plain sleep from now on */
	assert_int_equal(s.n_fds, 0);
	sleep_once(&s);
	assert_int_equal(s.wakeups, DP_IDLE_SPURIOUS_MAX);
	close(p[0]);
	close(p[1]);
}

static void test_work_between_keeps_fds(void **state)
{
	struct dp_idle s;
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	init_quick(&s, 1000000);
	dp_idle_wake_on(&s, p[0]);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < DP_IDLE_SPURIOUS_MAX - 1; i++)
			sleep_once(&s);
		dp_idle_poll_done(&s, 1); /* the wake-up found work after all */
	}
	assert_int_equal(s.n_fds, 1);
	assert_int_equal(s.wakeups, 3 * (DP_IDLE_SPURIOUS_MAX - 1));
	close(p[0]);
	close(p[1]);
}

static void on_signal(int sig)
{
	(void)sig;
}

struct signaller {
	pthread_t target;
	volatile int done;
};

/* Signals the target every 10 ms until told to stop: one of them lands
 * inside the sleep whatever the scheduling. */
static void *signal_loop(void *arg)
{
	struct signaller *g = arg;
	const struct timespec gap = { .tv_nsec = 10000000 };

	while (!g->done) {
		pthread_kill(g->target, SIGUSR2);
		nanosleep(&gap, NULL);
	}
	return NULL;
}

/* A 4 s sleep that a signal must end (its timeout would leave the counter
 * at 0): the signals come every 10 ms. */
static void signal_ends_sleep(bool with_fd)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct signaller g = { .target = pthread_self() };
	struct dp_idle s;
	pthread_t t;
	int p[2];

	assert_int_equal(sigaction(SIGUSR2, &sa, NULL), 0);
	assert_int_equal(pipe(p), 0);
	init_quick(&s, 4000000000u);
	if (with_fd)
		assert_int_equal(dp_idle_wake_on(&s, p[0]), 0);
	assert_int_equal(pthread_create(&t, NULL, signal_loop, &g), 0);
	sleep_once(&s);
	g.done = 1;
	pthread_join(t, NULL);
	assert_int_equal(s.wakeups, 1);
	assert_int_equal(s.n_fds, with_fd ? 1 : 0);
	close(p[0]);
	close(p[1]);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGUSR2, &sa, NULL);
}

static void test_signal_ends_sleep(void **state)
{
	(void)state;
	signal_ends_sleep(false);
	signal_ends_sleep(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wake_on_readable),
		cmocka_unit_test(test_no_fds_never_woken),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_spurious_given_up),
		cmocka_unit_test(test_work_between_keeps_fds),
		cmocka_unit_test(test_signal_ends_sleep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

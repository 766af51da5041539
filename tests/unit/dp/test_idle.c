/* SPDX-License-Identifier: MIT */
/*
 * The idle back-off (lib/dp/idle.c) with descriptors to wake on: a sleep
 * ends on a readable descriptor and is counted as a wake-up; nothing
 * readable, no wake-up; a descriptor that stays readable while the loop
 * finds no work is given up after DP_IDLE_SPURIOUS_MAX wake-ups, unless
 * work comes between; a signal (net_tap's SIGIO) ends a sleep as a wake-up
 * with or without descriptors. Counters only: no timing is asserted.
 *
 * The wake priority: a loop that starts idle runs SCHED_FIFO, goes back to
 * SCHED_OTHER when it works 2 ms without a sleep, or when it was awake most
 * of a 10 ms window, and rises again after a window spent asleep; a
 * refusal (an unprivileged process) turns it off and says why; a busy
 * policy never asks. The policy is read back from the kernel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "dp/idle.h"

/* Sleep at once after one empty poll, for ns, with the wake priority at
 * rt_prio (0: none). */
static void init_prio(struct dp_idle *s, uint32_t ns, int rt_prio)
{
	const struct dp_idle_conf c = {
		.spin_polls = 1,
		.pause_polls = 1,
		.min_ns = ns,
		.max_ns = ns,
		.no_deep_idle = true,
		.rt_prio = rt_prio,
	};

	dp_idle_init(s, &c);
}

static void init_quick(struct dp_idle *s, uint32_t ns)
{
	init_prio(s, ns, 0);
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

/* This thread's policy, without the reset-on-fork flag. */
static int policy(void)
{
	return sched_getscheduler(0) & ~SCHED_RESET_ON_FORK;
}

/* Sleeps of ns and the wake priority at 1, taken. */
static void init_rt(struct dp_idle *s, uint32_t ns)
{
	init_prio(s, ns, 1);
	dp_idle_rt_start(s);
}

/* Polls that find work for ns nanoseconds. */
static void work_for(struct dp_idle *s, uint64_t ns)
{
	uint64_t end = dp_idle_now_ns() + ns;

	while (dp_idle_now_ns() < end)
		dp_idle_poll_done(s, 1);
}

/* Sleeps until ns have passed (at least one). */
static void sleep_for(struct dp_idle *s, uint64_t ns)
{
	uint64_t end = dp_idle_now_ns() + ns;

	do
		sleep_once(s);
	while (dp_idle_now_ns() < end);
}

static void test_rt_busy_spell_drops(void **state)
{
	struct dp_idle s;

	(void)state;
	init_rt(&s, 1000000);
	if (!s.rt)
		skip(); /* not privileged here: test_rt_refused covers it */
	assert_int_equal(policy(), SCHED_FIFO);
	assert_int_equal(s.rt_raises, 1);
	work_for(&s, DP_IDLE_RT_BUSY_NS / 2); /* a short spell keeps it */
	assert_true(s.rt);
	sleep_once(&s);
	work_for(&s, DP_IDLE_RT_BUSY_NS + DP_IDLE_RT_BUSY_NS / 2);
	assert_false(s.rt);
	assert_int_equal(policy(), SCHED_OTHER);
	assert_int_equal(s.rt_drops, 1);
	/* A window spent asleep: up again as it next goes to sleep. */
	sleep_for(&s, DP_IDLE_RT_WINDOW_NS + DP_IDLE_RT_WINDOW_NS / 2);
	sleep_once(&s);
	assert_true(s.rt);
	assert_int_equal(policy(), SCHED_FIFO);
	assert_int_equal(s.rt_raises, 2);
	dp_idle_rt_off(&s);
	assert_int_equal(policy(), SCHED_OTHER);
	assert_int_equal(s.rt_prio, 0);
	sleep_for(&s, 2 * DP_IDLE_RT_WINDOW_NS); /* off for good */
	assert_int_equal(s.rt_raises, 2);
}

static void test_rt_mostly_awake_drops(void **state)
{
	struct dp_idle s;
	int i;

	(void)state;
	init_rt(&s, 1000);
	if (!s.rt)
		skip();
	/* Spells of a quarter of the busy limit with 1 us sleeps between:
	 * never 2 ms without a sleep, but awake nearly all of each window. */
	for (i = 0; i < 200 && s.rt; i++) {
		work_for(&s, DP_IDLE_RT_BUSY_NS / 4);
		sleep_once(&s);
	}
	assert_false(s.rt);
	assert_int_equal(s.rt_drops, 1);
	assert_int_equal(policy(), SCHED_OTHER);
	dp_idle_rt_off(&s);
}

static void test_rt_refused(void **state)
{
	const struct rlimit none = { 0, 0 };
	struct dp_idle s;
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* No real-time budget and no privilege: as a user runs it. */
		if (setrlimit(RLIMIT_RTPRIO, &none) != 0 || (geteuid() == 0 && setuid(65534) != 0))
			_exit(10);
		init_rt(&s, 1000000);
		if (s.rt || s.rt_prio != 0 || s.rt_error != EPERM || policy() != SCHED_OTHER)
			_exit(11);
		sleep_for(&s, 2 * DP_IDLE_RT_WINDOW_NS); /* never tries again */
		_exit(s.rt_raises == 0 && !s.rt ? 0 : 12);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_rt_not_when_busy_polling(void **state)
{
	const struct dp_idle_conf c = { .max_ns = 0, .no_deep_idle = true, .rt_prio = 1 };
	struct dp_idle s;

	(void)state;
	dp_idle_init(&s, &c);
	dp_idle_rt_start(&s);
	assert_false(s.rt);
	assert_int_equal(s.rt_prio, 0);
	assert_int_equal(policy(), SCHED_OTHER);
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
		cmocka_unit_test(test_rt_busy_spell_drops),
		cmocka_unit_test(test_rt_mostly_awake_drops),
		cmocka_unit_test(test_rt_refused),
		cmocka_unit_test(test_rt_not_when_busy_polling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* Idle back-off for poll loops: see idle.h. */
#include "dp/idle.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <time.h>

#include <rte_pause.h>

void dp_idle_init(struct dp_idle *s, const struct dp_idle_conf *conf)
{
	const struct dp_idle_conf defaults = { .max_ns = DP_IDLE_MAX_NS };
	uint32_t deep_ns, deep_after_ns;
	const struct dp_idle_conf *c = conf ? conf : &defaults;

	s->empty = 0;
	s->sleeps = s->wakeups = 0;
	s->spurious = 0;
	s->woken = false;
	s->n_fds = 0;
	s->spin = c->spin_polls ? c->spin_polls : DP_IDLE_SPIN_POLLS;
	s->pause_end = s->spin + (c->pause_polls ? c->pause_polls : DP_IDLE_PAUSE_POLLS);
	s->min_ns = c->min_ns ? c->min_ns : DP_IDLE_MIN_NS;
	s->max_ns = c->max_ns;
	if (s->max_ns && s->min_ns > s->max_ns)
		s->min_ns = s->max_ns;
	s->sleep_ns = s->min_ns;
	s->at_cap = 0;
	deep_ns = c->deep_ns ? c->deep_ns : DP_IDLE_DEEP_NS;
	deep_after_ns = c->deep_after_ns ? c->deep_after_ns : DP_IDLE_DEEP_AFTER_NS;
	s->deep_ns = !c->no_deep_idle && s->max_ns && deep_ns > s->max_ns ? deep_ns : 0;
	/* Counted in sleeps, which last at least max_ns each. */
	s->deep_after = s->deep_ns ? deep_after_ns / s->max_ns : 0;
	/* Without this a 1 us sleep lasts 50 us (the default slack). */
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	/* Sleeping never: no wake-ups to speed up. */
	s->rt_prio = s->max_ns ? c->rt_prio : 0;
	s->rt_error = 0;
	s->rt = false;
	s->rt_raises = s->rt_drops = 0;
	s->awake_since = s->win_start = dp_idle_now_ns();
	s->win_awake = 0;
}

/* This thread's policy: SCHED_FIFO at s->rt_prio, or SCHED_OTHER. A
 * refusal turns the wake priority off for good: nothing is tried again (a
 * refused drop would otherwise be retried on every busy poll).
 * SCHED_RESET_ON_FORK: nothing this thread starts inherits it. */
static void set_rt(struct dp_idle *s, bool rt)
{
	struct sched_param sp = { .sched_priority = rt ? s->rt_prio : 0 };

	if (sched_setscheduler(0, (rt ? SCHED_FIFO : SCHED_OTHER) | SCHED_RESET_ON_FORK, &sp) !=
	    0) {
		s->rt_error = errno;
		s->rt_prio = 0;
		s->rt = false;
		return;
	}
	s->rt = rt;
	if (rt)
		s->rt_raises++;
	else
		s->rt_drops++;
}

void dp_idle_rt_start(struct dp_idle *s)
{
	if (s->rt_prio && !s->rt)
		set_rt(s, true);
}

void dp_idle_rt_drop(struct dp_idle *s)
{
	set_rt(s, false);
	/* A window from here: the busy spell is not held against the next. */
	s->win_start = s->awake_since = dp_idle_now_ns();
	s->win_awake = 0;
}

void dp_idle_rt_off(struct dp_idle *s)
{
	if (s->rt)
		set_rt(s, false);
	s->rt_prio = 0;
}

/* Going to sleep: at the end of a window, SCHED_FIFO if the loop was awake
 * less than a quarter of it, else SCHED_OTHER. */
static void rt_window(struct dp_idle *s)
{
	uint64_t now = dp_idle_now_ns(), span;
	bool light;

	s->win_awake += now - s->awake_since;
	span = now - s->win_start;
	if (span < DP_IDLE_RT_WINDOW_NS)
		return;
	light = s->win_awake * 4 < span;
	if (light != s->rt)
		set_rt(s, light);
	s->win_start = now;
	s->win_awake = 0;
}

int dp_idle_wake_on(struct dp_idle *s, int fd)
{
	if (fd < 0)
		return 0;
	if (s->n_fds == DP_IDLE_MAX_FDS)
		return -ENOSPC;
	s->fds[s->n_fds++] = (struct pollfd){ .fd = fd, .events = POLLIN };
	return 0;
}

static void sleep_ns(struct dp_idle *s, uint32_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000u, .tv_nsec = ns % 1000000000u };
	int r;

	if (s->woken && ++s->spurious >= DP_IDLE_SPURIOUS_MAX)
		s->n_fds = 0; /* readable yet nothing to read: stop trusting them */
	s->woken = false;
	if (s->rt_prio)
		rt_window(s);
	/* An interrupted sleep just ends early: the loop polls again. net_tap
	 * signals its frames (SIGIO to the process, so to the main lcore). */
	if (s->n_fds == 0) {
		if (nanosleep(&ts, NULL) != 0 && errno == EINTR)
			s->wakeups++;
	} else {
		r = ppoll(s->fds, s->n_fds, &ts, NULL);
		if (r > 0) {
			s->woken = true;
			s->wakeups++;
		} else if (r < 0 && errno == EINTR) {
			s->wakeups++;
		}
	}
	if (s->rt_prio)
		s->awake_since = dp_idle_now_ns();
}

void dp_idle_backoff(struct dp_idle *s)
{
	if (s->empty <= s->pause_end)
		s->empty++;
	if (s->empty <= s->spin)
		return;
	if (s->empty <= s->pause_end || s->max_ns == 0) {
		rte_pause();
		return;
	}
	if (s->empty == s->pause_end + 1) {
		/* First sleep of this quiet spell. */
		s->sleep_ns = s->min_ns;
		s->at_cap = 0;
		s->empty++;
	}
	sleep_ns(s, s->sleep_ns);
	s->sleeps++;
	if (s->sleep_ns < s->max_ns)
		s->sleep_ns = s->sleep_ns > s->max_ns / 2 ? s->max_ns : s->sleep_ns * 2;
	else if (s->deep_ns && s->sleep_ns == s->max_ns && ++s->at_cap >= s->deep_after)
		s->sleep_ns = s->deep_ns;
}

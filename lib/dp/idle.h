/* SPDX-License-Identifier: MIT */
/*
 * Idle back-off for poll loops, one struct per polling lcore.
 *
 *   work seen ............ busy poll again at once (counter reset)
 *   1..spin empty polls .. poll again at once
 *   next pause polls ..... rte_pause() between polls
 *   after that ........... nanosleep, min_ns doubling up to max_ns
 *   quiet for deep_after_ns  nanosleep deep_ns ("deep idle")
 *
 * So a loaded worker never sleeps, and an idle one wakes every max_ns (the
 * added latency for the first packet after a quiet spell), or every deep_ns
 * once nothing came for deep_after_ns. max_ns = 0 turns sleeping off (busy
 * polling with pauses); no_deep_idle turns deep idle off.
 *
 * Why two levels: each wake-up costs CPU whatever it finds. Measured on
 * the 2-core VM (AF_XDP veth pipe): cap 100 us -> 15-17% of a core when
 * idle and +14 us ping p50; cap 1 ms -> 2.5% but +540 us. Deep idle gives
 * an idle gateway the low figure and a busy one (even 1 packet/s) the
 * low latency.
 *
 * Linux rounds short sleeps up by the thread's timer slack (50 us by
 * default), so dp_idle_init sets this thread's slack to 1 ns: call it on
 * the lcore that polls.
 *
 * Waking on packets: where the loop's rx queues are kernel objects (AF_XDP
 * and packet sockets: dp_port_rx_fd), dp_idle_wake_on
 * adds them and each sleep becomes a ppoll(2) on them with the same
 * timeout. A packet then ends the sleep at once, so the back-off no longer
 * adds its sleep to the first packet's latency, while the timeout still
 * bounds what has no descriptor (rings from other lcores, timers). A
 * descriptor that keeps waking the loop with nothing to read (an error
 * state) turns waking off for that loop: it sleeps on time alone.
 *
 * A signal ends a sleep too (ppoll and nanosleep are never restarted):
 * net_tap announces its frames with SIGIO to the process, which the kernel
 * gives to the main thread, so a tap host port wakes the main lcore's loop
 * though it has no descriptor to poll. Both kinds count as wake-ups.
 *
 * Wake priority (rt_prio): a woken loop must also get its CPU. DPDK pins
 * each lcore to one CPU, and when another task runs there (a build, the
 * host's applications) an ordinary thread's wake-up may wait for that
 * task's slice to end: a tick, 4 ms at HZ=250, in 1-15% of the pings of
 * the pair in tools/bench-tunnel while the machine compiled. So a loop that
 * is mostly asleep runs SCHED_FIFO at rt_prio, and its wake-ups preempt at
 * once (0 of 1,000 pings over 1 ms in two such runs). It costs others
 * nothing: the loop was asleep. A loop that is mostly awake has no wake-ups
 * to speed up and must not hold its CPU against the kernel's and the
 * host's work, so it goes back to SCHED_OTHER: when it stays awake
 * DP_IDLE_RT_BUSY_NS without a sleep, or was awake a quarter or more of a
 * DP_IDLE_RT_WINDOW_NS window (checked as it goes to sleep, which is also
 * where it rises again). A refused change (no CAP_SYS_NICE, no RT budget
 * in its cgroup) turns it off for the loop: rt_error says why. Changes are
 * system calls, at most one a window and one a sustained busy spell.
 */
#ifndef OMNI_DP_IDLE_H
#define OMNI_DP_IDLE_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>

enum {
	DP_IDLE_SPIN_POLLS = 64,
	DP_IDLE_PAUSE_POLLS = 256,
	DP_IDLE_MIN_NS = 1000,
	DP_IDLE_MAX_NS = 100000,
	DP_IDLE_DEEP_NS = 1000000,
	DP_IDLE_WAKING_DEEP_NS = 10000000,        /* deep sleep of a loop that packets wake */
	DP_IDLE_WAKING_DEEP_AFTER_NS = 100000000, /* ... after this long quiet */
	DP_IDLE_DEEP_AFTER_NS = 1000000000,
	DP_IDLE_MAX_FDS = 4,
	DP_IDLE_SPURIOUS_MAX = 1000,     /* empty wake-ups in a row before giving up */
	DP_IDLE_RT_BUSY_NS = 2000000,    /* awake this long without a sleep: SCHED_OTHER */
	DP_IDLE_RT_WINDOW_NS = 10000000, /* the window its awake share is taken over */
	DP_IDLE_RT_PRIO = 1,             /* the default wake priority (lowest FIFO) */
};

struct dp_idle_conf {
	uint32_t spin_polls;    /* 0: DP_IDLE_SPIN_POLLS */
	uint32_t pause_polls;   /* 0: DP_IDLE_PAUSE_POLLS */
	uint32_t min_ns;        /* 0: DP_IDLE_MIN_NS */
	uint32_t max_ns;        /* the cap; 0: never sleep */
	uint32_t deep_ns;       /* deep idle sleep; 0: DP_IDLE_DEEP_NS */
	uint32_t deep_after_ns; /* quiet this long first; 0: DP_IDLE_DEEP_AFTER_NS */
	bool no_deep_idle;      /* never sleep longer than max_ns */
	int rt_prio;            /* SCHED_FIFO priority while mostly asleep; 0: never */
};

struct dp_idle {
	uint32_t empty;    /* empty polls in a row */
	uint32_t sleep_ns; /* next sleep */
	uint32_t spin, pause_end, min_ns, max_ns;
	uint32_t at_cap;     /* sleeps of max_ns in this quiet spell */
	uint32_t deep_after; /* ... before sleeping deep_ns */
	uint32_t deep_ns;
	uint32_t spurious; /* wake-ups by a descriptor that found nothing, in a row */
	bool woken;        /* the last sleep ended on a descriptor */
	unsigned n_fds;
	struct pollfd fds[DP_IDLE_MAX_FDS];
	uint64_t sleeps;  /* how often we slept (for metrics) */
	uint64_t wakeups; /* ... and a descriptor or a signal ended it early */
	/* Wake priority. */
	int rt_prio;          /* 0: off (not asked for, or refused) */
	int rt_error;         /* errno of the refused change; 0 */
	bool rt;              /* SCHED_FIFO now */
	uint64_t awake_since; /* ns (dp_idle_now_ns): the last sleep ended */
	uint64_t win_start;   /* ns: the window began */
	uint64_t win_awake;   /* ns awake in it */
	uint64_t rt_raises;   /* to SCHED_FIFO */
	uint64_t rt_drops;    /* back to SCHED_OTHER */
} __rte_cache_aligned;

/* Fill s from conf (NULL: defaults, cap DP_IDLE_MAX_NS, deep idle
 * DP_IDLE_DEEP_NS after DP_IDLE_DEEP_AFTER_NS). Call on the polling thread
 * (sets its timer slack). */
void dp_idle_init(struct dp_idle *s, const struct dp_idle_conf *conf);

/* Sleep on fd too (POLLIN); fd < 0 is ignored. 0, or -ENOSPC when
 * DP_IDLE_MAX_FDS are taken. */
int dp_idle_wake_on(struct dp_idle *s, int fd);

/* An empty poll: spin, pause or sleep as the count says. */
void dp_idle_backoff(struct dp_idle *s);

/* The wake priority from now (a loop starts idle), so that a refusal shows
 * at start: rt_error. Call on the polling thread after dp_idle_init. */
void dp_idle_rt_start(struct dp_idle *s);

/* Back to SCHED_OTHER (wake priority: awake too long). */
void dp_idle_rt_drop(struct dp_idle *s);

/* Give up the wake priority for good, back to SCHED_OTHER if it was on
 * (before the thread does something else, such as exit). */
void dp_idle_rt_off(struct dp_idle *s);

/* CLOCK_MONOTONIC in ns (vDSO: no system call). */
static inline uint64_t dp_idle_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* After every poll: work = packets (or other events) handled. */
static inline void dp_idle_poll_done(struct dp_idle *s, unsigned work)
{
	if (likely(work != 0)) {
		s->empty = 0;
		s->spurious = 0;
		s->woken = false;
		/* One clock read a busy poll, and only while SCHED_FIFO. */
		if (unlikely(s->rt) && dp_idle_now_ns() - s->awake_since > DP_IDLE_RT_BUSY_NS)
			dp_idle_rt_drop(s);
		return;
	}
	dp_idle_backoff(s);
}

#endif /* OMNI_DP_IDLE_H */

/* SPDX-License-Identifier: MIT */
/*
 * The lcore model of the edge (docs/dataplane.md):
 *
 *   worker lcores  pl_lcore_worker_main: one pass after another over the
 *                  worker's queue pair on each port (pl_worker_poll)
 *                  until dp->quit
 *   main lcore     pl_lcore_main_run: the control lcore's pass
 *                  (pl_control_poll) and the application's own work (a
 *                  hook), one clock read per pass for both; in single-lcore
 *                  mode (a robot, a 2-core VM) the one worker too, in the
 *                  same loop
 *
 * Every polling lcore backs off when a pass found nothing (dp/idle.h),
 * under one policy for all of them (dp->idle, pl_lcore_idle_policy).
 */
#ifndef OMNI_PIPELINE_LCORE_H
#define OMNI_PIPELINE_LCORE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "dp/idle.h"

#include "control.h"

/*
 * The idle back-off of every polling lcore, from the value of OMNI_IDLE in
 * the environment (NULL: unset). "busy" turns it off: never sleep, no deep
 * idle; for measuring what the back-off costs in latency
 * (tools/bench-tunnel), at the price of a core per lcore. "fair": the
 * back-off without the wake priority (the loop stays SCHED_OTHER). Anything
 * else: the back-off of dp/idle.h with its wake priority at
 * DP_IDLE_RT_PRIO. Returns true for busy (the caller warns).
 */
bool pl_lcore_idle_policy(struct dp_idle_conf *conf, const char *omni_idle);

/* Worker lcore entry (rte_eal_remote_launch): arg is its struct
 * pl_worker. Registers with RCU, polls until dp->quit, unregisters. */
int pl_lcore_worker_main(void *arg);
/* Launch n workers, each on its w[i].lcore. 0, or the first launch error. */
int pl_lcore_launch_workers(struct pl_worker *w, unsigned n);
/* Stop them: up to 100 ms for what control queued to them to leave (a
 * goodbye to the nucleus), then dp->quit, then wait for every lcore. */
void pl_lcore_stop_workers(struct pl_dataplane *dp);

/* The main lcore's loop. */
struct pl_main_lcore {
	struct pl_control *ctl;
	struct pl_worker *single; /* single-lcore mode: the worker it also is; NULL */
	/* The application's own work (its mailbox, timers), once a pass, at
	 * the pass's clock: the events it handled (0: none). NULL: none. */
	unsigned (*pass)(void *ctx, uint64_t now_ns);
	void *ctx;
	struct dp_idle idle;
};

/*
 * On the main lcore, before the loop: the back-off of dp->idle, deeper
 * sooner when waking (packets on both ports end its sleeps: the single
 * lcore with socket-backed ports, see pl_lcore_idle_policy).
 */
void pl_lcore_main_init(struct pl_main_lcore *ml, bool waking);
/* The deep sleep the loop falls into, for the start-up line: false when
 * none (OMNI_IDLE=busy). */
bool pl_lcore_main_deep_idle(const struct pl_main_lcore *ml, unsigned *sleep_ms,
			     unsigned *after_ms);
/* One pass: the clock, the single worker, control, the hook; then the
 * back-off. Returns the work done (0: idle). */
unsigned pl_lcore_main_pass(struct pl_main_lcore *ml);
/* Passes until *stop is set (by a signal handler, another thread). */
void pl_lcore_main_run(struct pl_main_lcore *ml, const volatile sig_atomic_t *stop);

#endif /* OMNI_PIPELINE_LCORE_H */

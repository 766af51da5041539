/* SPDX-License-Identifier: MIT */
/* The lcore loops and their idle policy (lcore.h). */
#include <string.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "lcore.h"

enum { SHARED_WORKER_PASSES = 8 };

bool pl_lcore_idle_policy(struct dp_idle_conf *conf, const char *omni_idle)
{
	bool busy = omni_idle && strcmp(omni_idle, "busy") == 0;
	bool fair = omni_idle && strcmp(omni_idle, "fair") == 0;

	if (busy)
		*conf = (struct dp_idle_conf){ .max_ns = 0, .no_deep_idle = true };
	else
		*conf = (struct dp_idle_conf){ .max_ns = DP_IDLE_MAX_NS,
					       .rt_prio = fair ? 0 : DP_IDLE_RT_PRIO };
	return busy;
}

/*
 * The idle back-off of a loop that polls w's queues. A loop that packets
 * wake (waking: the single lcore when both ports can end its sleeps) goes
 * deeper sooner: after DP_IDLE_WAKING_DEEP_AFTER_NS without traffic it
 * sleeps DP_IDLE_WAKING_DEEP_NS, not 1 ms after a second. A packet ends any
 * sleep at once, and what has no descriptor (protocol timers, the console
 * and metrics mailbox, the nucleus client) can wait that long; the short
 * spell of 100 us sleeps after traffic keeps a VM's vCPU halts short for
 * the next packet of an exchange (docs/dataplane.md). Workers keep the
 * 1 ms deep sleep after a second: what control sends through them comes on
 * a ring.
 */
static void idle_start(struct dp_idle *idle, const struct dp_idle_conf *policy,
		       const struct pl_worker *w, bool waking)
{
	struct dp_idle_conf conf = *policy;

	if (waking && conf.max_ns && !conf.no_deep_idle) {
		conf.deep_ns = DP_IDLE_WAKING_DEEP_NS;
		conf.deep_after_ns = DP_IDLE_WAKING_DEEP_AFTER_NS;
	}
	dp_idle_init(idle, &conf);
	for (unsigned i = 0; w && i < RTE_DIM(w->rx_fds); i++)
		dp_idle_wake_on(idle, w->rx_fds[i]);
	dp_idle_rt_start(idle);
}

/* After each pass: back off when it found nothing, and show how. */
static inline void idle_step(struct dp_idle *idle, struct pl_worker *w, unsigned work)
{
	dp_idle_poll_done(idle, work);
	if (work == 0 && w) {
		__atomic_store_n(&w->stats.idle_sleeps, idle->sleeps, __ATOMIC_RELAXED);
		__atomic_store_n(&w->stats.idle_wakeups, idle->wakeups, __ATOMIC_RELAXED);
		__atomic_store_n(&w->stats.idle_rt_raises, idle->rt_raises, __ATOMIC_RELAXED);
		__atomic_store_n(&w->stats.idle_rt_drops, idle->rt_drops, __ATOMIC_RELAXED);
	}
}

int pl_lcore_worker_main(void *arg)
{
	struct pl_worker *w = arg;
	struct dp_idle idle;

	idle_start(&idle, &w->dp->idle, w, false);
	rte_rcu_qsbr_thread_register(w->dp->rcu, w->rcu_id);
	rte_rcu_qsbr_thread_online(w->dp->rcu, w->rcu_id);
	while (!__atomic_load_n(&w->dp->quit, __ATOMIC_RELAXED))
		idle_step(&idle, w, pl_worker_poll(w));
	dp_idle_rt_off(&idle);
	rte_rcu_qsbr_thread_offline(w->dp->rcu, w->rcu_id);
	rte_rcu_qsbr_thread_unregister(w->dp->rcu, w->rcu_id);
	return 0;
}

int pl_lcore_launch_workers(struct pl_worker *w, unsigned n)
{
	int ret;

	for (unsigned i = 0; i < n; i++) {
		ret = rte_eal_remote_launch(pl_lcore_worker_main, &w[i], w[i].lcore);
		if (ret != 0)
			return ret;
	}
	return 0;
}

void pl_lcore_stop_workers(struct pl_dataplane *dp)
{
	for (unsigned i = 0; dp->from_control && rte_ring_count(dp->from_control) && i < 100; i++)
		rte_delay_ms(1);
	__atomic_store_n(&dp->quit, true, __ATOMIC_RELAXED);
	rte_eal_mp_wait_lcore();
}

void pl_lcore_main_init(struct pl_main_lcore *ml, bool waking)
{
	idle_start(&ml->idle, &ml->ctl->dp->idle, ml->single, ml->single && waking);
}

bool pl_lcore_main_deep_idle(const struct pl_main_lcore *ml, unsigned *sleep_ms, unsigned *after_ms)
{
	if (!ml->idle.deep_ns)
		return false;
	*sleep_ms = ml->idle.deep_ns / 1000000;
	*after_ms = (unsigned)((uint64_t)ml->idle.deep_after * ml->ctl->dp->idle.max_ns / 1000000);
	return true;
}

/*
 * Single-lcore mode: the worker's share of a pass. Control's share can be a
 * handshake (control.c's SHARED_PASS_NS); while the queues keep giving full
 * bursts the worker goes again, up to SHARED_WORKER_PASSES, so a backlog
 * built during one is drained at once instead of a burst a pass.
 */
static unsigned worker_passes(struct pl_worker *w)
{
	unsigned n, total = 0, i = 0;

	do {
		n = pl_worker_poll(w);
		total += n;
	} while (n >= PL_BURST && ++i < SHARED_WORKER_PASSES);
	return total;
}

unsigned pl_lcore_main_pass(struct pl_main_lcore *ml)
{
	uint64_t now;
	unsigned n;

	n = ml->single ? worker_passes(ml->single) : 0;
	/* After the worker's pass: what it stamped is not in control's future. */
	now = pl_now_ns(ml->ctl->dp);
	n += pl_control_poll(ml->ctl, now);
	if (ml->pass)
		n += ml->pass(ml->ctx, now);
	/* Nothing came: time to make what a handshake will need. */
	if (n == 0)
		n = pl_control_idle(ml->ctl);
	idle_step(&ml->idle, ml->single, n);
	return n;
}

void pl_lcore_main_run(struct pl_main_lcore *ml, const volatile sig_atomic_t *stop)
{
	while (!*stop)
		pl_lcore_main_pass(ml);
	/* What follows (goodbyes, teardown) is no loop's. */
	dp_idle_rt_off(&ml->idle);
}

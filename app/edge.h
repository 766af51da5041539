/* SPDX-License-Identifier: MIT */
/* The running edge: everything main's edge command owns, in one place. */
#ifndef OMNI_APP_EDGE_H
#define OMNI_APP_EDGE_H

#include <stdio.h>

#include "config/model.h"
#include "dp/eal.h"
#include "dp/idle.h"
#include "dp/port.h"
#include "pipeline/control.h"
#include "xdp-fallback/loader.h"

struct omni_cli;

struct omni_edge {
	struct omni_config cfg;
	struct dp_eal eal;
	struct dp_port under;
	struct dp_port host;
	struct omni_dataplane dp;
	struct omni_control ctl;
	struct omni_worker *workers;	/* one per worker lcore; [0] on main when single */
	unsigned n_workers;		/* worker lcores; 0: single-lcore mode */
	struct rte_rcu_qsbr *rcu;
	struct dp_idle idle;
	/* Kernel-interface underlay (edge_xdp.c). */
	struct omni_xdp xdp;
	bool xdp_ready;			/* xdp initialised: close it at stop */
	bool no_xdp;			/* --no-xdp */
	bool xdp_mode_given;		/* --xdp-mode given: no fallback */
	enum omni_xdp_mode xdp_mode;
	char underlay_why[320];		/* why the underlay has its driver */
};

/* Build from the command line and files: OMNI_EXIT_OK, or the exit status
 * to end with (a message printed). */
int omni_edge_configure(struct omni_edge *e, const struct omni_cli *cli);
/* Bring up EAL, ports, tables and peers; 0 or -1 with a message printed. */
int omni_edge_start(struct omni_edge *e, const struct omni_cli *cli);
/* Run until SIGINT/SIGTERM: workers on their lcores, control on main. */
void omni_edge_run(struct omni_edge *e);
/* Counters as "stats: name value" lines (SIGUSR1, and at stop). */
void omni_edge_print_stats(const struct omni_edge *e, FILE *out);
/* edge_xdp.c: before the underlay opens (lock, stale program, driver
 * choice into uc), after it opened (bind our program, say what came up),
 * after the tables exist (index sync, kernel next hops); counters; close
 * after the underlay port closed. 0 or -1 with a message printed. */
int omni_edge_xdp_prepare(struct omni_edge *e, const char *prog, struct dp_underlay_conf *uc);
int omni_edge_xdp_bind(struct omni_edge *e, const char *prog);
void omni_edge_xdp_hooks(struct omni_edge *e);
void omni_edge_xdp_print_stats(const struct omni_edge *e, FILE *out);
void omni_edge_xdp_close(struct omni_edge *e);

/* Undo omni_edge_start, wipe keys; safe after a partial start. */
void omni_edge_stop(struct omni_edge *e);

#endif /* OMNI_APP_EDGE_H */

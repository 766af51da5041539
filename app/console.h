/* SPDX-License-Identifier: MIT */
/*
 * The testpmd-style console of a running edge, on DPDK's cmdline library:
 * `omni> ` with help, TAB completion and history (-i), and the same
 * commands read from a file at start (--cmdfile FILE, output on stdout).
 * It runs on its own thread; what the control lcore owns it reaches
 * through the edge's mailbox, so forwarding goes on while it is open.
 */
#ifndef OMNI_APP_CONSOLE_H
#define OMNI_APP_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>

#include "edge.h"
#include "httpd/text.h"

struct omni_edge_snap;

/* What `clear stats` remembers: shown counters are "now - base".
 * Prometheus counters are never reset (rate() expects them monotonic). */
struct omni_console_base {
	struct pl_lcore_stats *workers; /* one per worker */
	struct pl_lcore_stats workers_sum;
	struct rte_eth_stats ports[OMNI_EDGE_PORTS];
};

struct omni_console;

/* Start the console thread: cmdfile first (if any), then the prompt on
 * stdin when interactive. 0 or -1. */
int omni_console_start(struct omni_console **out, struct omni_edge *e, const char *cmdfile,
		       bool interactive);
/* Stop and join it (after the edge's loop ended); NULL is fine. */
void omni_console_stop(struct omni_console *c);

/* Views (console_show.c): text for one `show ...` each. */
void omni_show_peers(const struct omni_edge_snap *s, struct httpd_text *t);
void omni_show_sessions(const struct omni_edge_snap *s, struct httpd_text *t);
void omni_show_lcores(const struct omni_edge *e, const struct omni_console_base *b,
		      struct httpd_text *t);
void omni_show_ports(const struct omni_edge *e, const struct omni_console_base *b,
		     struct httpd_text *t);
/* Control loop (a mailbox function): the running configuration. */
int omni_show_config(void *edge, struct httpd_text *t);
/* Remember the counters as they are now. */
void omni_console_base_take(const struct omni_edge *e, struct omni_console_base *b);

#endif /* OMNI_APP_CONSOLE_H */

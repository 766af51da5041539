/* SPDX-License-Identifier: MIT */
/*
 * Operating a running edge: the console (-i, --cmdfile), the Prometheus
 * endpoint (/metrics, /health) and DPDK telemetry commands (/omni/...).
 * Each runs on its own thread, outside the lcores, and reaches what the
 * control lcore owns only through the edge's mailbox (lib/mailbox); worker
 * counters they read directly, never stalling a worker.
 */
#ifndef OMNI_APP_OPS_H
#define OMNI_APP_OPS_H

#include "httpd/text.h"

struct omni_cli;
struct omni_edge;
struct omni_console;
struct omni_uapi;
struct httpd;

struct omni_ops {
	struct httpd *httpd;
	struct omni_console *console;
	struct omni_uapi *uapi;  /* wg(8)'s socket (edge_uapi.h) */
	char metrics_listen[80]; /* "" when off */
};

/* After omni_edge_start, before omni_edge_run; control lcore. Returns 0,
 * or -1 with a message printed (a --metrics address that cannot listen). */
int omni_ops_start(struct omni_edge *e, const struct omni_cli *cli);
/* After omni_edge_run returned (its mailbox closed): join the threads. */
void omni_ops_stop(struct omni_edge *e);

/* Prometheus text exposition of the edge (metrics.c), and the health
 * verdict: 200 with "ok", or 503 with the reasons, one a line. */
int omni_metrics_format(struct omni_edge *e, struct httpd_text *t);
int omni_health_check(struct omni_edge *e, struct httpd_text *t);

/* DPDK telemetry commands (telemetry.c): registered once per process;
 * they answer for e until unbound (then "no edge running"). */
int omni_telemetry_bind(struct omni_edge *e);
void omni_telemetry_unbind(void);

#endif /* OMNI_APP_OPS_H */

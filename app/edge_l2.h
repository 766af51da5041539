/* SPDX-License-Identifier: MIT */
/* The edge in L2 mode (edge_l2.c, docs/l2.md). */
#ifndef OMNI_APP_EDGE_L2_H
#define OMNI_APP_EDGE_L2_H

#include <stdbool.h>
#include <stdio.h>

#include "httpd/text.h"
#include "pipeline/fdb.h"

struct cfg_config;
struct omni_edge;

/* omni0's MTU: the tunnel's, less VXLAN's overhead in L2 mode. */
uint32_t omni_edge_l2_host_mtu(const struct cfg_config *cfg);
/* After the tables, before the peers: the segment when network.mode is
 * l2 (nothing otherwise). 0, or -1 with the reason printed. */
int omni_edge_l2_setup(struct omni_edge *e, const char *prog);
void omni_edge_l2_teardown(struct omni_edge *e);

/* Control loop, once a pass: a line when the FDB refused MACs for room
 * (at most one a minute, with how many). */
void omni_edge_l2_poll(struct omni_edge *e, uint64_t now_ns);

/* Mailbox functions (control loop): `show fdb`, `clear fdb`. */
int omni_edge_show_fdb(void *edge, struct httpd_text *t);
int omni_edge_clear_fdb(void *edge, struct httpd_text *t);

/* Any thread: the FDB's and the workers' L2 counters (on false: L3). */
struct omni_l2_counters {
	bool on;
	struct pl_fdb_stats fdb;
	uint64_t unicast, flooded, flood_limited, to_host;
};
void omni_edge_l2_counters(const struct omni_edge *e, struct omni_l2_counters *out);
/* /metrics families and SIGUSR1 "stats:" lines; nothing in L3 mode. */
void omni_edge_l2_metrics(const struct omni_edge *e, struct httpd_text *t);
void omni_edge_l2_print_stats(const struct omni_edge *e, FILE *out);

#endif /* OMNI_APP_EDGE_L2_H */

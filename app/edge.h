/* SPDX-License-Identifier: MIT */
/* The running edge: everything main's edge command owns, in one place. */
#ifndef OMNI_APP_EDGE_H
#define OMNI_APP_EDGE_H

#include <stdio.h>

#include <rte_ethdev.h>

#include "config/model.h"
#include "dp/eal.h"
#include "dp/port.h"
#include "mailbox/mailbox.h"
#include "pipeline/control.h"
#include "pipeline/lcore.h"
#include "xdp-fallback/loader.h"

struct omni_cli;
struct omni_ops;

struct omni_edge {
	struct cfg_config cfg;
	struct dp_eal eal;
	struct dp_port under;
	struct dp_port host;
	struct pl_dataplane dp;
	struct pl_control ctl;
	struct pl_worker *workers; /* one per worker lcore; [0] on main when single */
	unsigned n_workers;        /* worker lcores; 0: single-lcore mode */
	struct rte_rcu_qsbr *rcu;
	struct pl_main_lcore main_lcore; /* control's loop, with the edge's own work */
	struct mailbox mbox;             /* other threads -> the control loop */
	const struct omni_cli *cli;      /* what it started from (reload reads it again) */
	struct omni_ops *ops;            /* console, metrics, telemetry; NULL: none */
	struct omni_signal *sig;         /* the nucleus client; NULL: none */
	struct net_prefix *routes;       /* through omni0 for AllowedIPs (edge_routes.c) */
	size_t n_routes;
	/* Kernel-interface underlay (edge_xdp.c). */
	struct xdpfb xdp;
	bool xdp_ready;      /* xdp initialised: close it at stop */
	bool no_xdp;         /* --no-xdp */
	bool xdp_mode_given; /* --xdp-mode given: no fallback */
	enum xdpfb_mode xdp_mode;
	char underlay_why[320]; /* why the underlay has its driver */
	/* The host port's lock and watch (edge_claim.c). */
	bool host_locked;
	int host_lock_fd;
	char host_lock_path[128];
	uint64_t host_checked_ns;
	int exit_status; /* OMNI_EXIT_OK, or why the run ended badly */
};

/* Build e->cfg from the command line and files: OMNI_EXIT_OK, or the exit
 * status to end with (warnings and the error printed). */
int omni_edge_configure(struct omni_edge *e, const struct omni_cli *cli);
/*
 * The same into a fresh model, printing nothing (app/edge_config.c): the
 * file of --config or --wg-config, the command line over it, the secret
 * files, the identity key, validation. Returns OMNI_EXIT_OK, or an exit
 * status with the reason in err; cfg->warnings are the caller's to show.
 * cfg is always left initialized (free it with cfg_config_free). Reload
 * reads the new configuration this way and compares it (config/diff.h).
 */
int omni_edge_config_read(struct cfg_config *cfg, const struct omni_cli *cli, char *err,
			  size_t errlen);

enum { OMNI_EDGE_DEVICES_MAX = 16 }; /* dpdk.devices (config/json.h) */

/* EAL start-up settings from the dpdk section and the command line; the
 * conf points into cfg and into this struct. */
struct omni_edge_eal {
	struct dp_eal_conf conf;
	const char *pci[OMNI_EDGE_DEVICES_MAX];
	const char *vdevs[OMNI_EDGE_DEVICES_MAX];
};
void omni_edge_eal_conf(const struct cfg_config *cfg, const struct omni_cli *cli,
			struct omni_edge_eal *out);
/* Lock the host port's name (one gateway per name and namespace): 0, or
 * -1 with the reason printed (another live gateway holds it). Says when a
 * dead run's lock was taken over. */
int omni_edge_claim_host(struct omni_edge *e, const char *prog);
void omni_edge_release_host(struct omni_edge *e);
/* Control loop, once a pass: true (and a line printed) when the host
 * port has disappeared; asks the kernel at most once a second. */
bool omni_edge_host_gone(struct omni_edge *e, uint64_t now_ns);
/* Bring up EAL, ports, tables and peers; 0 or -1 with a message printed. */
int omni_edge_start(struct omni_edge *e, const struct omni_cli *cli);
/* Run until SIGINT/SIGTERM: workers on their lcores, control on main. */
void omni_edge_run(struct omni_edge *e);
/* Counters as "stats: name value" lines (SIGUSR1, and at stop). */
void omni_edge_print_stats(const struct omni_edge *e, FILE *out);
/* The workers' counters summed, with the drops the control lcore counted
 * (any thread: one writer each, read without stalling them). */
void omni_edge_sum_workers(const struct omni_edge *e, struct pl_lcore_stats *t);
/* A port as operators see it: role, counters, and whether it is up. */
struct omni_port_view {
	const char *role; /* "underlay", "host" */
	const char *name; /* kernel interface or device */
	uint16_t port_id;
	bool up;
	char why[96];            /* when not up: why */
	struct rte_eth_stats st; /* zero if it could not be read */
	unsigned mbufs_in_use;   /* of its mempool: out of the pool, or in a
				  * cache (a leak shows as growth when idle) */
	bool has_xsk;            /* an AF_XDP port: xsk is its sockets' counters */
	struct dp_xsk_stats xsk;
};
enum { OMNI_EDGE_PORTS = 2 };
/* Any thread: read both ports (rte_eth_stats_get, link without waiting,
 * and the kernel interface's flags: AF_XDP does not see a link go down). */
void omni_edge_ports_read(const struct omni_edge *e, struct omni_port_view v[OMNI_EDGE_PORTS]);

/* Any thread: end omni_edge_run as SIGTERM does (the console's quit). */
void omni_edge_request_stop(void);
/* edge_xdp.c: before the underlay opens (lock, stale program, driver
 * choice into uc), after it opened (bind our program, say what came up),
 * after the tables exist (index sync, kernel next hops); counters; close
 * after the underlay port closed. 0 or -1 with a message printed. */
int omni_edge_xdp_prepare(struct omni_edge *e, const char *prog, struct dp_underlay_conf *uc);
int omni_edge_xdp_bind(struct omni_edge *e, const char *prog);
void omni_edge_xdp_hooks(struct omni_edge *e);
void omni_edge_xdp_print_stats(const struct omni_edge *e, FILE *out);
/* Any thread: the driver line and XDP counters for /metrics and the
 * console's show port stats (the counters are totals since start). */
struct httpd_text;
void omni_edge_xdp_metrics(const struct omni_edge *e, struct httpd_text *t);
void omni_edge_xdp_show(const struct omni_edge *e, struct httpd_text *t);
void omni_edge_xdp_close(struct omni_edge *e);

/* Undo omni_edge_start, wipe keys; safe after a partial start. */
void omni_edge_stop(struct omni_edge *e);

#endif /* OMNI_APP_EDGE_H */

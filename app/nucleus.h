/* SPDX-License-Identifier: MIT */
/*
 * The nucleus process (--mode nucleus): the clusters it serves, read from
 * the command line or a list file, and the UDP/epoll loop around the pure
 * core of signaling/nucleus.h.
 */
#ifndef OMNI_APP_NUCLEUS_H
#define OMNI_APP_NUCLEUS_H

#include <stddef.h>

#include "cli.h"
#include "config/model.h"
#include "signaling/lograte.h"
#include "signaling/nucleus.h"

/* The relay offered to members (nucleus_turn.c); n 0: none. */
struct omni_nucleus_turn {
	struct net_endpoint servers[SIG_TURN_SERVERS_MAX];
	unsigned n;
	char *secret;   /* coturn's static-auth-secret; wiped */
	uint32_t ttl_s; /* 0: SIG_NUCLEUS_TURN_TTL_DEFAULT */
};

/* From --turn, --turn-secret-file, --turn-ttl; 0, or -1 after printing why. */
int omni_nucleus_turn_flags(struct omni_nucleus_turn *t, const struct omni_cli *cli);
/* From the JSON file's nucleus section (takes its loaded secret). */
int omni_nucleus_turn_file(struct omni_nucleus_turn *t, struct cfg_nucleus *n, const char *prog);
void omni_nucleus_turn_free(struct omni_nucleus_turn *t);

/* Clusters to serve, owned (names and secrets are copies; secrets wiped). */
struct omni_nucleus_clusters {
	struct nucleus_cluster_conf *list;
	size_t n;
	char *open_secret; /* no list: any cluster name with this secret; wiped */
	uint16_t port;     /* from the file; 0: not given */
	char metrics[72];  /* from the file; "": not given or off */
	struct omni_nucleus_turn turn;
};

/*
 * From a secret (--secret-file, OMNI_SECRET or --secret) alone: any
 * cluster name with it (the open nucleus of the seeds); with --cluster
 * NAME: that one cluster; or from --config FILE (JSON: "nucleus":
 * clusters, port; "metrics": listen; no clusters but "security": secret:
 * open).
 * 0, or -1 after printing the reason (file:line and the rule) to stderr.
 */
int omni_nucleus_clusters_load(struct omni_nucleus_clusters *cl, const struct omni_cli *cli);
void omni_nucleus_clusters_free(struct omni_nucleus_clusters *cl);

/* The refusals the nucleus logs (nucleus_refusal.c). */
struct omni_nucleus_log {
	struct sig_lograte rate;
	uint64_t suppressed;                 /* lines not logged; read by the metrics thread */
	char detail[SIG_NUCLEUS_DETAIL_MAX]; /* the core's text of the refusal in hand */
};

/*
 * The core's hook (sig_nucleus_conf.log, ctx: the omni_nucleus_log): keeps
 * the text of the refusal being made for omni_nucleus_refusal's line.
 */
void omni_nucleus_refusal_detail(void *ctx, const char *line);

/*
 * A datagram the core just dropped (its counters before and after the
 * input): logs the reason when an operator can act on it, with the core's
 * text of it if any, at most once a minute per source and 20 lines a
 * minute in all; the rest counted in suppressed.
 */
void omni_nucleus_refusal(struct omni_nucleus_log *l, const struct sig_nucleus_stats *before,
			  const struct sig_nucleus_stats *after, const struct net_endpoint *from,
			  const uint8_t *p, size_t len, uint64_t now_ms);

#endif /* OMNI_APP_NUCLEUS_H */

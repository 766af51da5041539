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
#include "signaling/nucleus.h"

/* Clusters to serve, owned (names and secrets are copies; secrets wiped). */
struct omni_nucleus_clusters {
	struct nucleus_cluster_conf *list;
	size_t n;
	uint16_t port;    /* from the file; 0: not given */
	char metrics[72]; /* from the file; "": not given or off */
};

/*
 * From --cluster NAME and a secret from --secret, --secret-file or
 * OMNI_SECRET (NAME defaults to "default"), or from --config FILE (JSON: "nucleus": clusters, port; "metrics": listen).
 * 0, or -1 after printing the reason (file:line and the rule) to stderr.
 */
int omni_nucleus_clusters_load(struct omni_nucleus_clusters *cl, const struct omni_cli *cli);
void omni_nucleus_clusters_free(struct omni_nucleus_clusters *cl);

#endif /* OMNI_APP_NUCLEUS_H */

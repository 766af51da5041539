/* SPDX-License-Identifier: MIT */
/* Shared by the worker's files; not an API. */
#ifndef OMNI_PIPELINE_WORKER_INT_H
#define OMNI_PIPELINE_WORKER_INT_H

#include "dataplane.h"
#include "tag.h"

unsigned pl_worker_underlay_rx(struct pl_worker *w);
unsigned pl_worker_host_rx(struct pl_worker *w);

void pl_worker_drop(struct pl_worker *w, struct rte_mbuf *m, enum pl_drop why);
/* Hands m to the control lcore, tagged with what the worker found (tag.h);
 * v: the classifier's view of an underlay frame, NULL for the host's. */
void pl_worker_to_control(struct pl_worker *w, struct rte_mbuf *m, enum pl_ctl_kind kind,
			  const struct net_udp_view *v);
/* Sends n mbufs; what the port refuses is freed and counted. */
void pl_worker_tx(struct pl_worker *w, uint16_t port, uint16_t queue, struct rte_mbuf **pkts,
		  unsigned n);
/* Roaming: remember a newer authenticated source for control to adopt. */
void pl_worker_note_endpoint(struct pl_worker *w, struct pl_peer *peer, const struct net_addr *src,
			     uint16_t port, uint16_t channel, const struct net_mac *via);

#endif /* OMNI_PIPELINE_WORKER_INT_H */

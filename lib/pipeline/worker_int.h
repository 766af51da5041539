/* SPDX-License-Identifier: MIT */
/* Shared by the worker's files; not an API. */
#ifndef OMNI_PIPELINE_WORKER_INT_H
#define OMNI_PIPELINE_WORKER_INT_H

#include "dataplane.h"
#include "tag.h"

unsigned omni_worker_underlay_rx(struct omni_worker *w);
unsigned omni_worker_host_rx(struct omni_worker *w);

void omni_worker_drop(struct omni_worker *w, struct rte_mbuf *m, enum omni_drop why);
/* Hands m to the control lcore, tagged with what the worker found (tag.h);
 * v: the classifier's view of an underlay frame, NULL for the host's. */
void omni_worker_to_control(struct omni_worker *w, struct rte_mbuf *m, enum omni_ctl_kind kind,
			    const struct net_udp_view *v);
/* Sends n mbufs; what the port refuses is freed and counted. */
void omni_worker_tx(struct omni_worker *w, uint16_t port, uint16_t queue,
		    struct rte_mbuf **pkts, unsigned n);
/* Roaming: remember a newer authenticated source for control to adopt. */
void omni_worker_note_endpoint(struct omni_worker *w, struct omni_dp_peer *peer,
			       const struct net_addr *src, uint16_t port,
			       const struct net_mac *via);

#endif /* OMNI_PIPELINE_WORKER_INT_H */

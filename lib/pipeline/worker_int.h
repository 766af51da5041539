/* SPDX-License-Identifier: MIT */
/* Shared by the worker's files; not an API. */
#ifndef OMNI_PIPELINE_WORKER_INT_H
#define OMNI_PIPELINE_WORKER_INT_H

#include "dataplane.h"
#include "tag.h"

unsigned pl_worker_underlay_rx(struct pl_worker *w);
unsigned pl_worker_host_rx(struct pl_worker *w);

/* A host frame on its way to a peer (host_rx.c's stages, l2.c's too). */
struct pl_tx_item {
	struct rte_mbuf *m;
	uint8_t *pkt; /* WireGuard header position */
	uint32_t len; /* sealed message length */
	uint32_t inner_len;
	struct pl_peer *peer;
	struct pl_keypair *kp;
	const struct pl_path *path;
};
enum { PL_TX_ITEMS_MAX = 2 * PL_BURST };
/* items[0..n) (n <= PL_TX_ITEMS_MAX, m, pkt, inner_len and peer set):
 * sealed in one AEAD call, outer headers, underlay TX; packets without a
 * usable session staged, others dropped with their reason. */
void pl_worker_seal_send(struct pl_worker *w, struct pl_tx_item *items, unsigned n, uint64_t now);

/* L2 mode (l2.c): a burst from omni0 (unicast by the FDB, or flooded),
 * and a decrypted packet from peer for omni0: true when m now holds the
 * frame to send there, false when it was dropped (counted). */
void pl_l2_host_burst(struct pl_worker *w, struct rte_mbuf **pkts, unsigned n, uint64_t now);
bool pl_l2_to_host(struct pl_worker *w, struct rte_mbuf *m, const uint8_t *inner,
		   uint32_t inner_len, const struct pl_peer *peer, uint64_t now);

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

/* SPDX-License-Identifier: MIT */
/*
 * What the control lcore's files share; not an API (app/ and tests use
 * control.h). Everything here runs on the control lcore only.
 *
 *   control.c      the loop: the control ring, then the peers once a tick
 *   control_hs.c   handshake messages, initiations, keypair installs
 *   control_tx.c   what control sends: frames, UDP, staged data, keepalives
 *   neigh.c        ARP/ND for our underlay address, next hops and their MACs
 *   path.c         a peer's outer headers, published to the workers
 *   proxy.c        proxy ARP/ND answers on the host link
 *   control_peers.c  the peer set while workers forward (control_peers.h)
 */
#ifndef OMNI_PIPELINE_CONTROL_INT_H
#define OMNI_PIPELINE_CONTROL_INT_H

#include "control.h"
#include "tag.h"

struct rte_mbuf;

/* control_hs.c */
void pl_control_handshake_rx(struct pl_control *c, struct rte_mbuf *m, const struct net_udp_view *v,
			     uint64_t now);
bool pl_control_send_initiation(struct pl_control *c, struct pl_peer *peer, uint64_t now);
void pl_control_retire(struct pl_control *c, struct wg_keypair_retired *r);

/* control_tx.c */
/* A fresh mbuf for a frame control builds: its buffer and room in *buf, *cap. */
struct rte_mbuf *pl_control_frame_alloc(struct pl_control *c, uint8_t **buf, size_t *cap);
/* Sends the len bytes built in m to the underlay, or the host port when
 * host; len 0 (the builder refused) frees m. */
void pl_control_frame_send(struct pl_control *c, struct rte_mbuf *m, size_t len, bool host);
void pl_control_send_data(struct pl_control *c, struct pl_peer *peer, struct rte_mbuf *inner,
			  uint64_t now);
void pl_control_send_keepalive(struct pl_control *c, struct pl_peer *peer, uint64_t now);
/* The same straight back to where v came from: the peer's path may not
 * follow a new endpoint at once (its old slot waits for a grace period). */
void pl_control_send_keepalive_to(struct pl_control *c, struct pl_peer *peer,
				  const struct net_udp_view *v, uint64_t now);
/* Sends msg to the peer's endpoint; false with no path or no mbuf. */
bool pl_control_send_udp(struct pl_control *c, struct pl_peer *peer, const void *msg, uint32_t len);
void pl_control_send_udp_to(struct pl_control *c, const struct net_udp_view *v, const void *msg,
			    uint32_t len);

/* neigh.c */
/* An underlay frame tagged PL_CTL_ARP or PL_CTL_ND; frees m. */
void pl_control_neigh_rx(struct pl_control *c, struct rte_mbuf *m, enum pl_ctl_kind kind,
			 uint64_t now);
/* The next hop towards dst with its MAC, or NULL while it is being
 * resolved (asked of the kernel, or by ARP/ND). */
struct pl_neigh *pl_control_neigh_resolve(struct pl_control *c, const struct net_addr *dst,
					  uint64_t now);
/* An authenticated frame came from ep: its source MAC is our next hop there. */
void pl_control_neigh_learn(struct pl_control *c, const struct pl_endpoint *ep, uint64_t now);

/* path.c */
/* (Re)build the peer's outer-header path; false while its MAC is unknown. */
bool pl_control_path_update(struct pl_control *c, struct pl_peer *peer, uint64_t now);

/* proxy.c */
void pl_control_host_rx(struct pl_control *c, struct rte_mbuf *m);

#endif /* OMNI_PIPELINE_CONTROL_INT_H */

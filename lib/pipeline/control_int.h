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
void omni_control_handshake_rx(struct omni_control *c, struct rte_mbuf *m,
			       const struct net_udp_view *v, uint64_t now);
bool omni_control_send_initiation(struct omni_control *c, struct omni_dp_peer *peer,
				  uint64_t now);
void omni_control_retire(struct omni_control *c, struct wg_keypair_retired *r);

/* control_tx.c */
/* A fresh mbuf for a frame control builds: its buffer and room in *buf, *cap. */
struct rte_mbuf *omni_control_frame_alloc(struct omni_control *c, uint8_t **buf, size_t *cap);
/* Sends the len bytes built in m to the underlay, or the host port when
 * host; len 0 (the builder refused) frees m. */
void omni_control_frame_send(struct omni_control *c, struct rte_mbuf *m, size_t len, bool host);
void omni_control_send_data(struct omni_control *c, struct omni_dp_peer *peer,
			    struct rte_mbuf *inner, uint64_t now);
void omni_control_send_keepalive(struct omni_control *c, struct omni_dp_peer *peer,
				 uint64_t now);
/* Sends msg to the peer's endpoint; false with no path or no mbuf. */
bool omni_control_send_udp(struct omni_control *c, struct omni_dp_peer *peer,
			   const void *msg, uint32_t len);
void omni_control_send_udp_to(struct omni_control *c, const struct net_addr *dst,
			      uint16_t port, const struct net_mac *mac, const void *msg,
			      uint32_t len);

/* neigh.c */
/* An underlay frame tagged OMNI_CTL_ARP or OMNI_CTL_ND; frees m. */
void omni_control_neigh_rx(struct omni_control *c, struct rte_mbuf *m, enum omni_ctl_kind kind,
			   uint64_t now);
/* The next hop towards dst with its MAC, or NULL while it is being
 * resolved (asked of the kernel, or by ARP/ND). */
struct omni_neigh *omni_control_neigh_resolve(struct omni_control *c, const struct net_addr *dst,
					      uint64_t now);
/* An authenticated frame came from ep: its source MAC is our next hop there. */
void omni_control_neigh_learn(struct omni_control *c, const struct omni_dp_endpoint *ep,
			      uint64_t now);

/* path.c */
/* (Re)build the peer's outer-header path; false while its MAC is unknown. */
bool omni_control_path_update(struct omni_control *c, struct omni_dp_peer *peer, uint64_t now);

/* proxy.c */
void omni_control_host_rx(struct omni_control *c, struct rte_mbuf *m);

#endif /* OMNI_PIPELINE_CONTROL_INT_H */

/* SPDX-License-Identifier: MIT */
/*
 * Live peer changes on a running edge: the console's `peer add`/`peer del`
 * and `reload`, SIGHUP, and (later) peers learned from the nucleus all come
 * here. Call on the control (main) lcore only: other threads (console,
 * HTTP) go through the edge's mailbox. Each returns 0, or a negative errno
 * with the reason in err; a refused change leaves the running set as it was.
 * On success err says what happened ("added", "changed", "unchanged").
 */
#ifndef OMNI_APP_EDGE_PEERS_H
#define OMNI_APP_EDGE_PEERS_H

#include <stddef.h>
#include <stdint.h>

#include "config/model.h"
#include "signaling/admit.h"

struct omni_edge;

/* At start: every peer of e->cfg into the data plane, then the routes. */
int omni_edge_peers_load(struct omni_edge *e, char *err, size_t errlen);

/* Add p, or change the peer with its public key (its session survives a
 * change of endpoint, allowed IPs or keepalive; a new preshared key starts a
 * new handshake). */
int omni_edge_peer_add(struct omni_edge *e, const struct cfg_peer *p, char *err, size_t errlen);
/* Remove the peer with this public key: routes, sessions and keys. */
int omni_edge_peer_del(struct omni_edge *e, const uint8_t pub[WG_KEY_LEN], char *err,
		       size_t errlen);
/* Add or change p as omni_edge_peer_add does, without rebuilding the
 * AllowedIPs table: its routes work after omni_edge_peers_commit. For a
 * burst of cluster joins, which then cost one rebuild rather than one
 * each. */
int omni_edge_peer_stage(struct omni_edge *e, const struct cfg_peer *p, char *err, size_t errlen);
/* Publishes the staged changes: one table rebuild. */
int omni_edge_peers_commit(struct omni_edge *e, char *err, size_t errlen);
/* A LEFT from the cluster: removes the peer with this key only if it was
 * learned from the cluster (-EPERM for a configured one). */
int omni_edge_peer_forget(struct omni_edge *e, const uint8_t pub[WG_KEY_LEN], char *err,
			  size_t errlen);
/* The running peers and the edge's VIP prefixes as signaling/admit.h's
 * rules read them; valid until the peers change. */
void omni_edge_admit_view(const struct omni_edge *e, struct sig_admit_view *v);
/* Make the running peer set that of next (a validated config): removals,
 * additions, changes, one commit. Peers learned from the cluster stay (a
 * configured peer with the same key takes over). On success err summarises ("1 added, 0
 * changed, 2 removed") and names settings that need a restart. */
int omni_edge_apply_config(struct omni_edge *e, const struct cfg_config *next, char *err,
			   size_t errlen);
/* The same for a new set of configured peers (wg(8)'s set through
 * edge_uapi.c): peers[n] replace the configured ones; the learned ones stay
 * unless their key is in forget. */
int omni_edge_apply_peers(struct omni_edge *e, const struct cfg_peer *peers, size_t n,
			  const uint8_t (*forget)[WG_KEY_LEN], size_t n_forget, char *err,
			  size_t errlen);
/* Re-read the configuration files the edge started from and apply the
 * difference; peers that did not change keep their sessions. */
int omni_edge_reload(struct omni_edge *e, char *err, size_t errlen);

/* Routes through the host interface for the peers' AllowedIPs outside its
 * addresses' networks, as wg-quick adds them (edge_routes.c): after every
 * change of the peer set. */
void omni_edge_routes_sync(struct omni_edge *e);

#endif /* OMNI_APP_EDGE_PEERS_H */

/* SPDX-License-Identifier: MIT */
/*
 * The peer set of a running data plane: add, change and remove peers while
 * workers forward. Control lcore only, like everything in control.h.
 *
 * Changes are made in two steps so a batch (a reload) costs one table
 * rebuild and one grace period: pl_control_peer_add/_update/_remove
 * change the peers, then pl_control_peers_commit() publishes the
 * AllowedIPs of the live peers as a new table, waits until no worker can
 * still read the old one (nor a removed peer), and frees both.
 * Until the commit, a new peer is not routed to and a removed one still
 * may be (its keys are gone: what is routed to it waits and is dropped).
 */
#ifndef OMNI_PIPELINE_CONTROL_PEERS_H
#define OMNI_PIPELINE_CONTROL_PEERS_H

#include "control.h"

struct pl_peer_spec {
	const uint8_t *public_key;       /* WG_KEY_LEN bytes */
	const uint8_t *psk;              /* WG_KEY_LEN bytes, or NULL */
	struct pl_endpoint ep;           /* udp.addr family NET_AF_NONE: unknown */
	uint16_t keepalive_s;            /* 0: off */
	const struct net_prefix *routes; /* its AllowedIPs */
	unsigned n_routes;
};

/* The live peer with this public key, or NULL. */
struct pl_peer *pl_control_peer_find(struct pl_control *c, const uint8_t *pub);

/* A new peer in a free slot: 0, -EEXIST (key in use), -ENOSPC (every slot
 * taken), -EINVAL (unusable key), -ENOMEM. */
int pl_control_peer_add(struct pl_control *c, const struct pl_peer_spec *s);

/* Endpoint (when given and different), keepalive and AllowedIPs of a live
 * peer; its keys and session stay. The preshared key is not changed here:
 * a new one means a new peer (remove, then add). 0 or -ENOMEM. */
int pl_control_peer_update(struct pl_control *c, struct pl_peer *peer, const struct pl_peer_spec *s,
			   uint64_t now);

/* The preshared key of the peer's next handshakes (NULL: none); its
 * session goes on, as wg(8)'s `preshared-key` leaves it (a rotation of
 * the cluster secret, docs/signaling.md). A handshake in flight fails
 * and is retried. */
void pl_control_peer_set_psk(struct pl_peer *peer, const uint8_t *psk);

/* Stops the peer at once; its slot is released by the next commit. */
void pl_control_peer_remove(struct pl_control *c, struct pl_peer *peer);

/* Publish the routes of the live peers, wait a grace period, free the old
 * table and the removed peers. 0, or -ENOMEM (the old table stays). */
int pl_control_peers_commit(struct pl_control *c);

/*
 * Take the memory of the next commit's table before changing anything, so
 * that a batch can be refused whole: room for n_routes routes, IPv6 ones
 * too when v6. 0, or -ENOMEM with nothing changed. The next commit fills
 * it when the live peers' routes fit, else builds its own as without;
 * either way the reservation is used up (or freed) by that commit, or by
 * pl_control_peers_unreserve().
 */
int pl_control_peers_reserve(struct pl_control *c, unsigned n_routes, bool v6);
void pl_control_peers_unreserve(struct pl_control *c);

/* True when the routes of s differ from the peer's (as sets, in order). */
bool pl_control_peer_routes_differ(const struct pl_peer *peer, const struct pl_peer_spec *s);

#endif /* OMNI_PIPELINE_CONTROL_PEERS_H */

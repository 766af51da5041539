// SPDX-License-Identifier: MIT
/*
 * Adding, changing and removing peers on a running data plane. Workers
 * reach a peer two ways: through AllowedIPs (host -> peer) and through a
 * session (receiver index -> keypair -> peer). A removed peer loses its
 * sessions at once and its routes at the commit; only after the grace
 * period that follows can nothing reach it, and only then are its staging
 * ring and slot given back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_rcu_qsbr.h>

#include <sodium.h>

#include "control_int.h"
#include "control_peers.h"

struct omni_dp_peer *omni_control_peer_find(struct omni_control *c, const uint8_t *pub)
{
	unsigned i;

	for (i = 0; i < c->dp->n_peers; i++)
		if (c->dp->peers[i].in_use &&
		    sodium_memcmp(c->dp->peers[i].public_key, pub, WG_KEY_LEN) == 0)
			return &c->dp->peers[i];
	return NULL;
}

/* Never used, or released by a commit. */
static struct omni_dp_peer *free_slot(struct omni_control *c)
{
	struct omni_dataplane *dp = c->dp;
	unsigned i;

	for (i = 0; i < dp->n_peers; i++)
		if (!dp->peers[i].in_use && !dp->peers[i].staged)
			return &dp->peers[i];
	if (dp->n_peers == dp->max_peers)
		return NULL;
	return &dp->peers[dp->n_peers++];
}

static int set_routes(struct omni_dp_peer *peer, const struct omni_peer_spec *s)
{
	struct net_prefix *r = NULL;

	if (s->n_routes) {
		r = malloc(s->n_routes * sizeof(*r));
		if (!r)
			return -ENOMEM;
		memcpy(r, s->routes, s->n_routes * sizeof(*r));
	}
	free(peer->routes);
	peer->routes = r;
	peer->n_routes = s->n_routes;
	return 0;
}

int omni_control_peer_add(struct omni_control *c, const struct omni_peer_spec *s)
{
	struct omni_dp_peer *peer;
	int ret;

	if (omni_control_peer_find(c, s->public_key))
		return -EEXIST;
	peer = free_slot(c);
	if (!peer)
		return -ENOSPC;
	ret = omni_control_peer_init(c, peer, (uint32_t)(peer - c->dp->peers), s->public_key,
				     s->psk, &s->ep, s->keepalive_s);
	if (ret == 0)
		ret = set_routes(peer, s);
	if (ret != 0 && peer->staged) {
		omni_control_peer_stop(c, peer);
		omni_control_peer_release(c, peer);
	}
	return ret;
}

int omni_control_peer_update(struct omni_control *c, struct omni_dp_peer *peer,
			     const struct omni_peer_spec *s, uint64_t now)
{
	uint16_t was = peer->timers.persistent_keepalive_interval;

	if (omni_control_peer_routes_differ(peer, s) && set_routes(peer, s) != 0)
		return -ENOMEM;
	if (net_addr_is_set(&s->ep.udp.addr) && !net_endpoint_equal(&peer->ep.udp, &s->ep.udp)) {
		rte_seqlock_write_lock(&peer->ep_lock);
		peer->ep = s->ep;
		peer->roam_pending = 0;
		rte_seqlock_write_unlock(&peer->ep_lock);
		omni_control_path_update(c, peer, now);
	}
	peer->timers.persistent_keepalive_interval = s->keepalive_s;
	/* As wg(8) does: turning it on sends one at once. */
	if (!was && s->keepalive_s && peer->tx)
		omni_control_send_keepalive(c, peer, now);
	return 0;
}

void omni_control_peer_remove(struct omni_control *c, struct omni_dp_peer *peer)
{
	omni_control_peer_stop(c, peer);
}

bool omni_control_peer_routes_differ(const struct omni_dp_peer *peer,
				     const struct omni_peer_spec *s)
{
	return peer->n_routes != s->n_routes ||
	       (s->n_routes && memcmp(peer->routes, s->routes, s->n_routes * sizeof(*s->routes)));
}

int omni_control_peers_reserve(struct omni_control *c, unsigned n_routes, bool v6)
{
	omni_control_peers_unreserve(c);
	c->reserved = omni_allowedips_create(n_routes + 16, v6, SOCKET_ID_ANY);
	return c->reserved ? 0 : -ENOMEM;
}

void omni_control_peers_unreserve(struct omni_control *c)
{
	omni_allowedips_free(c->reserved);
	c->reserved = NULL;
}

/* The reserved table filled with these routes, or NULL when they do not fit
 * it (or there is none). */
static struct omni_allowedips *fill_reserved(struct omni_control *c,
					     const struct net_prefix *routes,
					     const uint32_t *ids, unsigned n)
{
	struct omni_allowedips *t = c->reserved;

	c->reserved = NULL;
	if (t && omni_allowedips_fill(t, routes, ids, n) == 0)
		return t;
	omni_allowedips_free(t);
	return NULL;
}

static struct omni_allowedips *build_table(struct omni_control *c)
{
	struct omni_dataplane *dp = c->dp;
	struct omni_allowedips *t = NULL;
	struct net_prefix *routes;
	unsigned i, j, n = 0, total = 0;
	uint32_t *ids;

	for (i = 0; i < dp->n_peers; i++)
		if (dp->peers[i].in_use)
			total += dp->peers[i].n_routes;
	routes = malloc((total + 1) * sizeof(*routes));
	ids = malloc((total + 1) * sizeof(*ids));
	if (routes && ids) {
		for (i = 0; i < dp->n_peers; i++)
			for (j = 0; dp->peers[i].in_use && j < dp->peers[i].n_routes; j++, n++) {
				routes[n] = dp->peers[i].routes[j];
				ids[n] = i;
			}
		t = fill_reserved(c, routes, ids, n);
		if (!t)
			t = omni_allowedips_build(routes, ids, n, total + 16, SOCKET_ID_ANY);
	}
	free(routes);
	free(ids);
	omni_control_peers_unreserve(c);
	return t;
}

int omni_control_peers_commit(struct omni_control *c)
{
	struct omni_dataplane *dp = c->dp;
	struct omni_allowedips *t = build_table(c), *old;
	unsigned i;

	if (!t)
		return -ENOMEM;
	old = __atomic_exchange_n(&dp->aips, t, __ATOMIC_ACQ_REL);
	/* Workers report a quiescent state every poll; an idle one within
	 * its longest sleep (about a millisecond). */
	rte_rcu_qsbr_synchronize(dp->rcu, c->is_reader ? c->rcu_id : RTE_QSBR_THRID_INVALID);
	omni_allowedips_free(old);
	for (i = 0; i < dp->n_peers; i++)
		if (!dp->peers[i].in_use && dp->peers[i].staged)
			omni_control_peer_release(c, &dp->peers[i]);
	return 0;
}

/* SPDX-License-Identifier: MIT */
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
#include "l2.h"

struct pl_peer *pl_control_peer_find(struct pl_control *c, const uint8_t *pub)
{
	unsigned i;

	for (i = 0; i < c->dp->n_peers; i++)
		if (c->dp->peers[i].in_use &&
		    sodium_memcmp(c->dp->peers[i].public_key, pub, WG_KEY_LEN) == 0)
			return &c->dp->peers[i];
	return NULL;
}

/* Never used, or released by a commit. */
static struct pl_peer *free_slot(struct pl_control *c)
{
	struct pl_dataplane *dp = c->dp;
	unsigned i;

	for (i = 0; i < dp->n_peers; i++)
		if (!dp->peers[i].in_use && !dp->peers[i].staged)
			return &dp->peers[i];
	if (dp->n_peers == dp->max_peers)
		return NULL;
	return &dp->peers[dp->n_peers++];
}

static int set_routes(struct pl_peer *peer, const struct pl_peer_spec *s)
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

int pl_control_peer_add(struct pl_control *c, const struct pl_peer_spec *s)
{
	struct pl_peer *peer;
	int ret;

	if (pl_control_peer_find(c, s->public_key))
		return -EEXIST;
	peer = free_slot(c);
	if (!peer)
		return -ENOSPC;
	ret = pl_control_peer_init(c, peer, (uint32_t)(peer - c->dp->peers), s->public_key, s->psk,
				   &s->ep, s->keepalive_s);
	if (ret == 0)
		ret = set_routes(peer, s);
	if (ret == 0)
		pl_l2_peer_routes(c->dp, peer);
	if (ret != 0 && peer->staged) {
		pl_control_peer_stop(c, peer);
		pl_control_peer_release(c, peer);
	}
	return ret;
}

int pl_control_peer_update(struct pl_control *c, struct pl_peer *peer, const struct pl_peer_spec *s,
			   uint64_t now)
{
	uint16_t was = peer->timers.persistent_keepalive_interval;

	if (pl_control_peer_routes_differ(peer, s)) {
		if (set_routes(peer, s) != 0)
			return -ENOMEM;
		pl_l2_peer_routes(c->dp, peer);
	}
	if (net_addr_is_set(&s->ep.udp.addr) && !net_endpoint_equal(&peer->ep.udp, &s->ep.udp)) {
		rte_seqlock_write_lock(&peer->ep_lock);
		peer->ep = s->ep;
		peer->roam_pending = 0;
		rte_seqlock_write_unlock(&peer->ep_lock);
		pl_control_path_update(c, peer, now);
	}
	peer->timers.persistent_keepalive_interval = s->keepalive_s;
	/* As wg(8) does: turning it on sends one at once. */
	if (!was && s->keepalive_s && peer->tx)
		pl_control_send_keepalive(c, peer, now);
	return 0;
}

void pl_control_peer_set_psk(struct pl_peer *peer, const uint8_t *psk)
{
	if (psk)
		memcpy(peer->hs.preshared_key, psk, WG_KEY_LEN);
	else
		sodium_memzero(peer->hs.preshared_key, WG_KEY_LEN);
}

void pl_control_peer_remove(struct pl_control *c, struct pl_peer *peer)
{
	pl_control_peer_stop(c, peer);
}

bool pl_control_peer_routes_differ(const struct pl_peer *peer, const struct pl_peer_spec *s)
{
	return peer->n_routes != s->n_routes ||
	       (s->n_routes && memcmp(peer->routes, s->routes, s->n_routes * sizeof(*s->routes)));
}

/*
 * Tables are recycled: one that nobody reads any more is emptied and kept
 * as the spare for the next change (allowedips.h says why). A new one is
 * made only when the spare is too small, with room to grow.
 */
static struct pl_allowedips *take_table(struct pl_control *c, unsigned n_routes, bool v6)
{
	struct pl_allowedips *t = c->spare;

	if (t && t->max_routes >= n_routes && (t->v6 || !v6)) {
		c->spare = NULL;
		return t;
	}
	return pl_allowedips_create(n_routes + n_routes / 4 + 16, v6, SOCKET_ID_ANY);
}

static void retire_table(struct pl_control *c, struct pl_allowedips *t)
{
	struct pl_allowedips *keep = t, *drop = c->spare;

	if (!t)
		return;
	if (drop && (drop->max_routes > t->max_routes || (drop->v6 && !t->v6))) {
		keep = drop;
		drop = t;
	}
	pl_allowedips_free(drop);
	pl_allowedips_clear(keep);
	c->spare = keep;
}

int pl_control_peers_reserve(struct pl_control *c, unsigned n_routes, bool v6)
{
	pl_control_peers_unreserve(c);
	c->reserved = take_table(c, n_routes, v6);
	return c->reserved ? 0 : -ENOMEM;
}

void pl_control_peers_unreserve(struct pl_control *c)
{
	retire_table(c, c->reserved);
	c->reserved = NULL;
}

/* The reserved table filled with these routes, or NULL when they do not fit
 * it (or there is none). */
static struct pl_allowedips *fill_reserved(struct pl_control *c, const struct net_prefix *routes,
					   const uint32_t *ids, unsigned n)
{
	struct pl_allowedips *t = c->reserved;

	c->reserved = NULL;
	if (t && pl_allowedips_fill(t, routes, ids, n) == 0)
		return t;
	retire_table(c, t);
	return NULL;
}

/* A table from the spare or a new one, filled; NULL when memory lacks. */
static struct pl_allowedips *fill_new(struct pl_control *c, const struct net_prefix *routes,
				      const uint32_t *ids, unsigned n)
{
	struct pl_allowedips *t = take_table(c, n, pl_routes_need_v6(routes, n));

	if (t && pl_allowedips_fill(t, routes, ids, n) != 0) {
		retire_table(c, t);
		t = NULL;
	}
	return t;
}

static struct pl_allowedips *build_table(struct pl_control *c)
{
	struct pl_dataplane *dp = c->dp;
	struct pl_allowedips *t = NULL;
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
			t = fill_new(c, routes, ids, n);
	}
	free(routes);
	free(ids);
	pl_control_peers_unreserve(c);
	return t;
}

int pl_control_peers_commit(struct pl_control *c)
{
	struct pl_dataplane *dp = c->dp;
	struct pl_allowedips *t = build_table(c), *old;
	unsigned i;

	if (!t)
		return -ENOMEM;
	old = __atomic_exchange_n(&dp->aips, t, __ATOMIC_ACQ_REL);
	/* Workers report a quiescent state every poll; an idle one within
	 * its longest sleep (about a millisecond). */
	rte_rcu_qsbr_synchronize(dp->rcu, c->is_reader ? c->rcu_id : RTE_QSBR_THRID_INVALID);
	retire_table(c, old);
	for (i = 0; i < dp->n_peers; i++)
		if (!dp->peers[i].in_use && dp->peers[i].staged)
			pl_control_peer_release(c, &dp->peers[i]);
	return 0;
}

void pl_control_relay_set(struct pl_control *c, const struct net_endpoint *server)
{
	rte_seqlock_write_lock(&c->dp->relay_lock);
	c->dp->relay = *server;
	rte_seqlock_write_unlock(&c->dp->relay_lock);
}

void pl_control_peer_via(struct pl_control *c, struct pl_peer *peer, const struct net_endpoint *ep,
			 uint16_t channel, uint64_t now)
{
	if (net_endpoint_equal(&peer->ep.udp, ep) && peer->ep.channel == channel)
		return;
	rte_seqlock_write_lock(&peer->ep_lock);
	peer->ep.udp = *ep;
	peer->ep.channel = channel;
	peer->ep.have_via = false;
	peer->roam_pending = 0;
	rte_seqlock_write_unlock(&peer->ep_lock);
	pl_control_path_update(c, peer, now);
}

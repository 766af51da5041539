/* SPDX-License-Identifier: MIT */
/*
 * Which routes a cluster member may have (admit.h). Linear in the edge's
 * peers and their AllowedIPs: it runs once per cluster event on the
 * control lcore, beside a peer change that costs far more (the AllowedIPs
 * table is rebuilt at each commit).
 */
#include <stdio.h>
#include <string.h>

#include "admit.h"

static const char *const names[SIG_ADMIT_COUNT] = { [SIG_ADMIT_OK] = "ok",
#define SIG_ADMIT_NAME(name, text) [SIG_ADMIT_##name] = text,
						    SIG_ADMIT_REASONS(SIG_ADMIT_NAME)
#undef SIG_ADMIT_NAME
};

const char *sig_admit_name(enum sig_admit r)
{
	return (unsigned)r < SIG_ADMIT_COUNT ? names[r] : "?";
}

void sig_vips_format(const struct sig_peer *p, char out[SIG_VIPS_TEXT_MAX])
{
	char v4[NET_ADDR_TEXT_MAX] = "-", v6[NET_ADDR_TEXT_MAX] = "-";
	struct net_addr a;

	net_addr_set(&a, NET_AF_IP4, p->vip4);
	if (p->flags & SIG_PEER_HAS_VIP4)
		net_addr_format(&a, v4);
	net_addr_set(&a, NET_AF_IP6, p->vip6);
	if (p->flags & SIG_PEER_HAS_VIP6)
		net_addr_format(&a, v6);
	snprintf(out, SIG_VIPS_TEXT_MAX, "vip %s vip6 %s", v4, v6);
}

bool sig_vip_usable(const struct net_addr *a)
{
	return net_addr_is_unicast(a);
}

bool sig_cand_usable(const struct net_endpoint *ep)
{
	const uint8_t *b = ep->addr.b;

	if (ep->port == 0 || !sig_vip_usable(&ep->addr))
		return false;
	/* fe80::/10 needs an interface to go with it; the wire has none. */
	return ep->addr.family != NET_AF_IP6 || !(b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
}

unsigned sig_admit_cands(struct sig_peer *p)
{
	unsigned i, kept = 0, n = p->n_cand < SIG_CAND_MAX ? p->n_cand : SIG_CAND_MAX;

	for (i = 0; i < n; i++)
		if (sig_cand_usable(&p->cand[i].ep))
			p->cand[kept++] = p->cand[i];
	memset(&p->cand[kept], 0, (SIG_CAND_MAX - kept) * sizeof(p->cand[0]));
	p->n_cand = (uint8_t)kept;
	return n - kept;
}

/* ---- the rules ---- */

static bool same_key(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, SIG_PUBKEY_LEN) == 0; /* public keys: no secret */
}

/* The configured peer with this key, if any; *learned: a learned one has it. */
static bool configured_key(const struct sig_admit_view *v, const uint8_t *key, bool *learned)
{
	struct sig_admit_peer q;

	*learned = false;
	for (size_t i = 0; v->peer(v->ctx, i, &q); i++) {
		if (!same_key(q.pubkey, key))
			continue;
		if (!q.learned)
			return true;
		*learned = true;
	}
	return false;
}

/* The cluster prefix of family f: the edge's VIP with its length, a VIP
 * written as a host widened to SIG_ADMIT_HOST_VIP*_LEN. */
static struct net_prefix cluster_of(const struct sig_admit_view *v, unsigned f)
{
	struct net_prefix p = f == NET_AF_IP4 ? v->vip4 : v->vip6;

	if (p.addr.family == f && p.len == net_family_bits(f))
		p.len = f == NET_AF_IP4 ? SIG_ADMIT_HOST_VIP4_LEN : SIG_ADMIT_HOST_VIP6_LEN;
	return p;
}

/* One VIP: SIG_ADMIT_OK with its host route added, OK without one (no
 * prefix of its family here), or why it is refused. */
static enum sig_admit vip_route(const struct net_prefix *own, const struct net_addr *vip,
				struct net_prefix *routes, unsigned *n)
{
	if (!sig_vip_usable(vip))
		return SIG_ADMIT_BAD_VIP;
	if (own->addr.family == NET_AF_NONE)
		return SIG_ADMIT_OK;
	if (!net_prefix_contains(own, vip))
		return SIG_ADMIT_OUTSIDE_PREFIX;
	if (net_addr_equal(&own->addr, vip))
		return SIG_ADMIT_VIP_TAKEN;
	net_prefix_host(&routes[(*n)++], vip);
	return SIG_ADMIT_OK;
}

/* A configured prefix holding the whole cluster prefix (a default route,
 * a summary) yields to the cluster's more specific routes. */
static bool covers_cluster(const struct sig_admit_view *v, const struct net_prefix *r)
{
	struct net_prefix own = cluster_of(v, r->addr.family);

	return own.addr.family == r->addr.family && r->len <= own.len &&
	       net_prefix_contains(r, &own.addr);
}

/* Whether a route of another peer holds host route h, and the rule. */
static enum sig_admit clash(const struct sig_admit_view *v, const struct sig_admit_peer *q,
			    const struct net_prefix *h)
{
	for (size_t k = 0; k < q->n_routes; k++) {
		const struct net_prefix *r = &q->routes[k];

		if (!net_prefix_contains(r, &h->addr))
			continue;
		if (q->learned)
			return SIG_ADMIT_VIP_TAKEN;
		if (!covers_cluster(v, r))
			return SIG_ADMIT_STATIC_OVERLAP;
	}
	return SIG_ADMIT_OK;
}

/* The first rule the routes break against the other peers: a configured
 * peer's before a learned one's. */
static enum sig_admit routes_clash(const struct sig_admit_view *v, const uint8_t *key,
				   const struct net_prefix *routes, unsigned n)
{
	enum sig_admit found = SIG_ADMIT_OK, r;
	struct sig_admit_peer q;

	for (size_t i = 0; v->peer(v->ctx, i, &q); i++) {
		if (same_key(q.pubkey, key))
			continue;
		for (unsigned j = 0; j < n; j++) {
			r = clash(v, &q, &routes[j]);
			if (r == SIG_ADMIT_STATIC_OVERLAP)
				return r;
			if (r != SIG_ADMIT_OK)
				found = r;
		}
	}
	return found;
}

enum sig_admit sig_admit_peer(const struct sig_admit_view *v, const struct sig_peer *p,
			      struct net_prefix routes[2], unsigned *n_routes)
{
	size_t max = v->learned_max ? v->learned_max : SIG_ADMIT_LEARNED_MAX;
	struct net_prefix own4 = cluster_of(v, NET_AF_IP4), own6 = cluster_of(v, NET_AF_IP6);
	struct net_addr vip;
	enum sig_admit r = SIG_ADMIT_OK;
	bool learned;

	*n_routes = 0;
	if (configured_key(v, p->pubkey, &learned))
		return SIG_ADMIT_STATIC_KEY;
	if (p->flags & SIG_PEER_HAS_VIP4) {
		net_addr_set(&vip, NET_AF_IP4, p->vip4);
		r = vip_route(&own4, &vip, routes, n_routes);
	}
	if (r == SIG_ADMIT_OK && (p->flags & SIG_PEER_HAS_VIP6)) {
		net_addr_set(&vip, NET_AF_IP6, p->vip6);
		r = vip_route(&own6, &vip, routes, n_routes);
	}
	if (r == SIG_ADMIT_OK && *n_routes == 0)
		r = SIG_ADMIT_OUTSIDE_PREFIX;
	if (r == SIG_ADMIT_OK)
		r = routes_clash(v, p->pubkey, routes, *n_routes);
	if (r == SIG_ADMIT_OK && !learned && v->n_learned >= max)
		r = SIG_ADMIT_PEER_CAP;
	if (r != SIG_ADMIT_OK)
		*n_routes = 0;
	return r;
}

bool sig_admit_owned(const struct sig_admit_view *v, const struct net_prefix *conf, size_t n_conf,
		     const struct net_prefix *routes, size_t n_routes)
{
	struct sig_admit_peer q = { .routes = conf, .n_routes = n_conf };

	for (size_t j = 0; j < n_routes; j++)
		if (clash(v, &q, &routes[j]) == SIG_ADMIT_STATIC_OVERLAP)
			return true;
	return false;
}

enum sig_admit sig_admit_leave(const struct sig_admit_view *v, const uint8_t *key)
{
	bool learned;

	return configured_key(v, key, &learned) ? SIG_ADMIT_STATIC_KEY : SIG_ADMIT_OK;
}

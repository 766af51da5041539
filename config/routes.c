/* SPDX-License-Identifier: MIT */
/* The routes the peers' AllowedIPs need: see routes.h. */
#include <errno.h>
#include <stdlib.h>

#include "routes.h"

/* p lies inside the network of one of the interface's addresses. */
static bool on_link(const struct cfg_interface *ifc, const struct net_prefix *p)
{
	for (size_t i = 0; i < ifc->n_addresses; i++) {
		const struct net_prefix *a = &ifc->addresses[i];

		if (a->addr.family == p->addr.family && a->len <= p->len &&
		    net_prefix_contains(a, &p->addr))
			return true;
	}
	return false;
}

bool cfg_prefix_listed(const struct net_prefix *l, size_t n, const struct net_prefix *p)
{
	for (size_t i = 0; i < n; i++)
		if (net_prefix_cmp(&l[i], p) == 0)
			return true;
	return false;
}

int cfg_peer_routes(const struct cfg_config *cfg, struct net_prefix **out, size_t *n)
{
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < cfg->n_peers; i++)
		cap += cfg->peers[i].n_allowed_ips;
	if (cap && !(*out = calloc(cap, sizeof(**out))))
		return -ENOMEM;
	for (size_t i = 0; i < cfg->n_peers; i++)
		for (size_t k = 0; k < cfg->peers[i].n_allowed_ips; k++) {
			const struct net_prefix *p = &cfg->peers[i].allowed_ips[k];

			if (p->len && !on_link(&cfg->iface, p) && !cfg_prefix_listed(*out, *n, p))
				(*out)[(*n)++] = *p;
		}
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * Routes through the host interface (omni0) for the peers' AllowedIPs, as
 * wg-quick adds them: an address's own network already has its route (the
 * kernel's, from the address), so only AllowedIPs outside every address's
 * network get one, and it goes when no peer has that prefix any more.
 * A default route (/0) is left alone: taking over the host's default route
 * would cut the underlay (wg-quick needs policy routing for it), so the
 * operator adds that one with intent. Control loop only, after each change
 * of the peer set.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp/nl.h"

#include "edge.h"
#include "edge_peers.h"

/* p lies inside the network of one of the interface's addresses. */
static bool on_link(const struct cfg_interface *ifc, const struct net_prefix *p)
{
	for (size_t i = 0; i < ifc->n_addresses; i++) {
		const struct net_prefix *a = &ifc->addresses[i];

		if (a->len <= p->len && net_prefix_contains(a, &p->addr))
			return true;
	}
	return false;
}

static bool listed(const struct net_prefix *l, size_t n, const struct net_prefix *p)
{
	for (size_t i = 0; i < n; i++)
		if (net_prefix_cmp(&l[i], p) == 0)
			return true;
	return false;
}

/* The routes the peers need now, each once; -ENOMEM. */
static int wanted(const struct cfg_config *cfg, struct net_prefix **out, size_t *n)
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

			if (p->len && !on_link(&cfg->iface, p) && !listed(*out, *n, p))
				(*out)[(*n)++] = *p;
		}
	return 0;
}

enum { SAID_MAX = 8 }; /* route lines per change; a big reload says how many more */

/* Adds or deletes one route; says so for the first SAID_MAX of a change. */
static void route(struct omni_edge *e, const struct net_prefix *p, bool add, unsigned *said)
{
	char text[NET_PREFIX_TEXT_MAX];
	int ret = dp_nl_route(e->host.kif.ifindex, p, add);

	if (ret == 0 && ++*said > SAID_MAX)
		return;
	net_prefix_format(p, text);
	printf("omninervous: route %s %s dev %s%s%s\n", add ? "add" : "del", text,
	       e->cfg.iface.host_port_name, ret ? " failed: " : "", ret ? strerror(-ret) : "");
}

void omni_edge_routes_sync(struct omni_edge *e)
{
	struct net_prefix *want;
	unsigned said = 0;
	size_t n;

	if (!e->host.kif.ifindex || wanted(&e->cfg, &want, &n) != 0)
		return; /* no kernel end (a PCI host port), or out of memory: as it was */
	for (size_t i = 0; i < e->n_routes; i++)
		if (!listed(want, n, &e->routes[i]))
			route(e, &e->routes[i], false, &said);
	for (size_t i = 0; i < n; i++)
		if (!listed(e->routes, e->n_routes, &want[i]))
			route(e, &want[i], true, &said);
	if (said > SAID_MAX)
		printf("omninervous: routes: %u more changed on %s\n", said - SAID_MAX,
		       e->cfg.iface.host_port_name);
	free(e->routes);
	e->routes = want;
	e->n_routes = n;
	fflush(stdout);
}

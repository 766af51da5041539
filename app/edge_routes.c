/* SPDX-License-Identifier: MIT */
/*
 * Routes through the host interface (omni0) for the peers' AllowedIPs, as
 * wg-quick adds them: which ones is config/routes.h's rule (outside the
 * addresses' networks, no /0); this file adds what is new and deletes what
 * no peer has any more. Control loop only, after each change of the peer
 * set.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/routes.h"
#include "dp/nl.h"

#include "edge.h"
#include "edge_peers.h"

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

	/* L2 mode: omni0 is a segment port, the VIPs are the tunnel's only. */
	if (e->dp.l2.on)
		return;
	if (!e->host.kif.ifindex || cfg_peer_routes(&e->cfg, &want, &n) != 0)
		return; /* no kernel end (a PCI host port), or out of memory: as it was */
	for (size_t i = 0; i < e->n_routes; i++)
		if (!cfg_prefix_listed(want, n, &e->routes[i]))
			route(e, &e->routes[i], false, &said);
	for (size_t i = 0; i < n; i++)
		if (!cfg_prefix_listed(e->routes, e->n_routes, &want[i]))
			route(e, &want[i], true, &said);
	if (said > SAID_MAX)
		printf("omninervous: routes: %u more changed on %s\n", said - SAID_MAX,
		       e->cfg.iface.host_port_name);
	free(e->routes);
	e->routes = want;
	e->n_routes = n;
	fflush(stdout);
}

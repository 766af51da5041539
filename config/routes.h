/* SPDX-License-Identifier: MIT */
/*
 * Which of the peers' AllowedIPs need a route through the host interface,
 * as wg-quick adds them: each prefix outside the networks of the
 * interface's addresses (those have the kernel's route already), once,
 * and no default route (/0: it would take the host's default route, and so
 * the underlay; wg-quick needs policy routing for it). Pure: the edge's
 * app/edge_routes.c adds and deletes the difference.
 */
#ifndef OMNI_CONFIG_ROUTES_H
#define OMNI_CONFIG_ROUTES_H

#include <stddef.h>

#include "model.h"

/* The prefixes, in peer order, into a new array (free it); 0 or -ENOMEM. */
int cfg_peer_routes(const struct cfg_config *cfg, struct net_prefix **out, size_t *n);
/* p is one of l[0..n). */
bool cfg_prefix_listed(const struct net_prefix *l, size_t n, const struct net_prefix *p);

#endif /* OMNI_CONFIG_ROUTES_H */

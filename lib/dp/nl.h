/* SPDX-License-Identifier: MIT */
/*
 * The few rtnetlink requests the ports need, over a plain NETLINK_ROUTE
 * socket (what `ip link` / `ip addr` would do, without running them).
 * Each call opens its own socket and waits for the kernel's answer.
 * Errors are -errno as the kernel gave them.
 */
#ifndef OMNI_DP_NL_H
#define OMNI_DP_NL_H

#include "dp/kif.h"

/* Set the MTU (unless 0) and bring the link up. */
int dp_nl_link_up(unsigned ifindex, unsigned mtu);

/* Add an address (IPv6 without duplicate address detection: the only other
 * end of a host port is us). An address already there is not an error. */
int dp_nl_addr_add(unsigned ifindex, const struct net_prefix *a);

/* Add (or delete) the route to prefix p through the interface, as
 * `ip route add P dev IF` does; an existing route on add, or a missing
 * one on delete, is not an error. */
int dp_nl_route(unsigned ifindex, const struct net_prefix *p, bool add);

/* Create a veth pair name <-> peer, each end with `queues` rx/tx queues. */
int dp_nl_veth_create(const char *name, const char *peer, unsigned queues);

/* Delete a link (and with a veth, its peer). */
int dp_nl_link_del(unsigned ifindex);

/* Whether ifindex is a veth, and its peer's ifindex in this namespace (0:
 * elsewhere or none): 1 a veth, 0 another kind, -errno. */
int dp_nl_veth_peer(unsigned ifindex, unsigned *peer);

/*
 * The kernel's neighbour table (ARP/ND), for when the kernel owns an
 * interface's link layer: get answers 1 with mac set when the entry is
 * usable, 0 when absent or still resolving; resolve makes the kernel
 * resolve addr (as if a packet were waiting for it).
 */
int dp_nl_neigh_get(unsigned ifindex, const struct net_addr *addr, uint8_t mac[6]);
int dp_nl_neigh_resolve(unsigned ifindex, const struct net_addr *addr);

#endif /* OMNI_DP_NL_H */

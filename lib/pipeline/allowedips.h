/* SPDX-License-Identifier: MIT */
/*
 * AllowedIPs: longest-prefix match from an inner address to a peer id, for
 * both directions of the data plane (host -> which peer; peer -> is this
 * inner source allowed). IPv4 in rte_lpm, IPv6 in rte_lpm6.
 *
 * A table is built whole by the control lcore and never changed after it is
 * published: a change of peers builds a new table, publishes it with one
 * pointer store, and frees the old one after an RCU grace period. Readers
 * (workers) therefore need no lock and never see a half-applied change.
 */
#ifndef OMNI_PIPELINE_ALLOWEDIPS_H
#define OMNI_PIPELINE_ALLOWEDIPS_H

#include <stdbool.h>
#include <stdint.h>

#include "net/addr.h"

enum {
	PL_PEER_NONE = UINT32_MAX,
	PL_PEER_ID_MAX = (1u << 21) - 1, /* rte_lpm6 next hops are 21 bits */
};

struct rte_lpm;
struct rte_lpm6;

struct pl_allowedips {
	struct rte_lpm *v4;
	struct rte_lpm6 *v6;
	uint32_t default4; /* peer of 0.0.0.0/0 (rte_lpm has no depth 0) */
	uint32_t default6; /* peer of ::/0 */
	unsigned generation;
	unsigned max_routes;       /* what it was made for */
	unsigned n_routes;         /* added so far */
	struct net_prefix added[]; /* the n_routes added, for pl_allowedips_clear() */
};

/*
 * Build a table for n (prefix, peer id) routes; max_routes sizes it. Host
 * bits of a prefix are ignored. NULL with rte_errno on failure (ENOMEM,
 * EINVAL for a cidr too long or a peer id above PL_PEER_ID_MAX).
 */
struct pl_allowedips *pl_allowedips_build(const struct net_prefix *prefixes,
					  const uint32_t *peer_ids, unsigned n, unsigned max_routes,
					  int socket_id);

/*
 * The same in two steps, so the memory can be taken before anything else
 * changes: an empty table for max_routes routes (with its IPv6 part when
 * v6: rte_lpm6 costs 64 MB before its first route), NULL with rte_errno;
 * then the routes, into a table nobody reads yet: 0, or -ENOSPC when they
 * are more than it was made for or IPv6 without its part (nothing added),
 * -EINVAL or rte_lpm's error (the table is then half filled: free it).
 */
struct pl_allowedips *pl_allowedips_create(unsigned max_routes, bool v6, int socket_id);
int pl_allowedips_fill(struct pl_allowedips *t, const struct net_prefix *prefixes,
		       const uint32_t *peer_ids, unsigned n);

/*
 * Empty a table nobody reads any more, so that it can be filled again:
 * each route added is deleted, which touches only the entries it set.
 * Freeing and creating instead costs the 64 MB of rte_lpm's tbl24 (and
 * rte_lpm6's) each time, as DPDK zeroes memory when it is freed: 100 ms
 * and more on pages touched for the first time, stalling the lcore.
 */
void pl_allowedips_clear(struct pl_allowedips *t);

/* Whether routes include IPv6 ones other than ::/0 (which needs no rte_lpm6). */
bool pl_routes_need_v6(const struct net_prefix *prefixes, unsigned n);
void pl_allowedips_free(struct pl_allowedips *t);

/* Peer id routing addr, or PL_PEER_NONE. addr in network order. */
uint32_t pl_allowedips_lookup4(const struct pl_allowedips *t, uint32_t addr_be);
uint32_t pl_allowedips_lookup6(const struct pl_allowedips *t, const uint8_t addr[16]);

#endif /* OMNI_PIPELINE_ALLOWEDIPS_H */

/* SPDX-License-Identifier: MIT */
/*
 * L2 fabric, the control side (docs/l2.md; the workers' part is l2.c):
 * set-up before the workers start, each peer's place on the segment as
 * its AllowedIPs change, the FDB's learning and ageing once a loop.
 *
 * A peer is a member of the segment when its AllowedIPs hold a host route
 * (/32, /128) of the segment's family (our VIP's: IPv4 when we have an
 * IPv4 VIP): the first such is its VIP, where its VXLAN goes. Cluster
 * members are listed with their VIPs so; a wg-quick peer (wireguard-go
 * with a vxlan device) needs its VIP as a /32 in AllowedIPs.
 */
#ifndef OMNI_PIPELINE_L2_H
#define OMNI_PIPELINE_L2_H

#include <stdint.h>

#include "dataplane.h"

struct pl_l2_conf {
	uint32_t vni;
	struct net_addr vip; /* ours: IPv4, or IPv6 when there is none */
	uint32_t mtu;        /* the tunnel's (inner packets) */
	uint32_t fdb_size;
	uint64_t fdb_age_ns;
	uint32_t flood_pps; /* flooded frames a second to each member */
};

/* omni0's MTU on a segment of family (NET_AF_IP4/6) in a tunnel of mtu:
 * mtu less the outer IP, UDP, VXLAN and the frame's Ethernet header. */
uint32_t pl_l2_host_mtu(unsigned family, uint32_t mtu);

/* Before the workers start: the FDB (its reclamation on dp->rcu) and
 * dp->l2 on. 0, or -errno (the FDB not made: -ENOMEM, -EINVAL). */
int pl_l2_setup(struct pl_dataplane *dp, const struct pl_l2_conf *c);
/* After the workers stopped. Safe when never set up. */
void pl_l2_teardown(struct pl_dataplane *dp);

/* Control lcore: peer's AllowedIPs changed (or it was added). */
void pl_l2_peer_routes(struct pl_dataplane *dp, struct pl_peer *peer);
/* Control lcore: peer leaves the segment (removed): its MACs go. */
void pl_l2_peer_gone(struct pl_dataplane *dp, struct pl_peer *peer);
/* Control lcore, once a loop: the workers' learning, and ageing. */
void pl_l2_poll(struct pl_dataplane *dp, uint64_t now);

#endif /* OMNI_PIPELINE_L2_H */

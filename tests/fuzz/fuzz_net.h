/* SPDX-License-Identifier: MIT */
/*
 * The fixed underlay of the lib/net and pipeline fuzz targets (fuzz_net,
 * fuzz_worker) and their seed generator: our port's addresses, and a peer
 * that sends us frames; for fuzz_worker also the host link and the
 * addresses behind the tunnel.
 */
#ifndef OMNI_FUZZ_NET_H
#define OMNI_FUZZ_NET_H

#include "net/net.h"

#define FUZZ_NET_PORT 51820
#define FUZZ_NET_PEER_PORT 40000

static const struct net_local fuzz_net_us = {
	.mac = { { 0x02, 0, 0, 0, 0, 0x01 } },
	.ip4 = { { 192, 0, 2, 1 } },
	.ip6 = { { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 } },
	.ip6_ll = { { 0xfe, 0x80, [15] = 0x01 } },
	.port = FUZZ_NET_PORT,
	.flags = NET_LOCAL_VERIFY_UDP_CSUM,
};

static const struct net_mac fuzz_net_peer_mac = { { 0x02, 0, 0, 0, 0, 0x02 } };
static const struct net_ip4 fuzz_net_peer4 = { { 192, 0, 2, 7 } };
static const struct net_ip6 fuzz_net_peer6 = { { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x07 } };
static const struct net_ip6 fuzz_net_peer_ll = { { 0xfe, 0x80, [15] = 0x07 } };

/* fuzz_worker: the host's MAC, ours on the host link, the host's
 * addresses, peer A's VIPs, peer B's (a configured endpoint: fuzz_net_b4),
 * and the cluster's networks (the miss hook's). */
static const struct net_mac fuzz_net_host_mac = { { 0x02, 0, 0, 0, 0x0b, 0x01 } };
static const struct net_mac fuzz_net_host_our_mac = { { 0x02, 0, 0, 0, 0x0b, 0x02 } };
static const struct net_ip4 fuzz_net_host4 = { { 10, 0, 0, 1 } };
static const struct net_ip6 fuzz_net_host6 = { { 0xfd, [15] = 0x01 } };
static const struct net_ip4 fuzz_net_a_vip4 = { { 10, 0, 0, 2 } };
static const struct net_ip6 fuzz_net_a_vip6 = { { 0xfd, [15] = 0x02 } };
static const struct net_ip4 fuzz_net_b_vip4 = { { 10, 0, 0, 3 } };
static const struct net_ip4 fuzz_net_b4 = { { 192, 0, 2, 3 } };
static const struct net_ip4 fuzz_net_cluster4 = { { 10, 1, 0, 0 } }; /* /16 */
static const struct net_ip6 fuzz_net_cluster6 = { { 0xfd, 0x01 } };  /* /64 */

#endif /* OMNI_FUZZ_NET_H */

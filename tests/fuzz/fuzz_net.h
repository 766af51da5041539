/* SPDX-License-Identifier: MIT */
/*
 * The fixed underlay of the lib/net fuzz target and its seed generator:
 * our port's addresses, and a peer that sends us frames.
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

#endif /* OMNI_FUZZ_NET_H */

/* SPDX-License-Identifier: MIT */
/*
 * Kernel network interfaces, as the DPDK ports need them: their facts (MAC,
 * addresses, MTU, queues) and a few settings. Plain sockets, no DPDK, so it
 * can be used (and tested) without EAL. Errors are -errno.
 */
#ifndef OMNI_DP_KIF_H
#define OMNI_DP_KIF_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "net/addr.h"

enum { DP_KIF_MAX_ADDRS = 16 };

struct dp_kif {
	char name[IF_NAMESIZE];
	unsigned ifindex;
	uint8_t mac[6];
	unsigned mtu;
	unsigned channels; /* queues AF_XDP may bind (ethtool combined; 1 if none) */
	unsigned n_addrs;
	struct net_prefix addrs[DP_KIF_MAX_ADDRS]; /* address and its network's length */
};

/* Read name's facts into k. -ENODEV if there is no such interface. */
int dp_kif_read(const char *name, struct dp_kif *k);

bool dp_kif_exists(const char *name);

/* 1 when the interface is up with a carrier (IFF_UP and IFF_RUNNING), 0
 * when not, -errno when it cannot be asked (-ENODEV: gone). Any thread. */
int dp_kif_link_up(const char *name);

/* Turn tx checksum offload (and with it TSO) off: frames leaving this
 * interface then carry complete checksums, which AF_XDP needs. */
int dp_kif_tx_offloads_off(const char *name);

/* Mount bpffs at /sys/fs/bpf unless it is there (libxdp pins its XDP
 * dispatcher there; `ip netns exec` gives a fresh /sys without it). */
int dp_kif_bpffs_ensure(void);
/* The default route's next hop of family (NET_AF_IP4, NET_AF_IP6) through
 * interface name (this network namespace): 0 with it in out, or -ENOENT
 * (out unset). */
int dp_kif_default_gw(const char *name, unsigned family, struct net_addr *out);

#endif /* OMNI_DP_KIF_H */

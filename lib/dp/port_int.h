/* SPDX-License-Identifier: MIT */
/* Shared by port.c and host.c; not an API. */
#ifndef OMNI_DP_PORT_INT_H
#define OMNI_DP_PORT_INT_H

#include "dp/port.h"

/* rte_vdev_init(name, args) and take its ethdev into p. */
int dp_port_attach_vdev(struct dp_port *p, const char *name, const char *args);

/*
 * net_af_xdp fills each rx queue's fill ring with this many mbufs
 * (XSK_RING_CONS__DEFAULT_NUM_DESCS) whatever the rx descriptor count, and
 * sizes the socket's rx ring by the descriptor count: as deep as the fill
 * ring by default. At 1024 the kernel dropped for a full rx ring while the
 * lcore was scheduled out under TCP bursts (seen in tools/bench-tunnel: up
 * to 6% of the host port's packets, stats port_host_xsk_rx_ring_full).
 */
enum { DP_AF_XDP_FILL_MBUFS = 2048, DP_AF_XDP_RX_DESC = 2048 };

/* Pool, configure (RSS on UDP when asked, >1 queue and supported), queues,
 * start. af_xdp: the rx ring depth and fill mbufs above. */
int dp_port_setup(struct dp_port *p, const struct dp_port_conf *c, bool rss, bool af_xdp);

/* Undo attach/setup (stop, close, unplug, free pool); keeps p->kif. */
void dp_port_release(struct dp_port *p);

/* Log what came up: driver, queues, MAC, MTU, addresses. */
void dp_port_log(const struct dp_port *p, const char *role);

#endif /* OMNI_DP_PORT_INT_H */

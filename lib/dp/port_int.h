/* SPDX-License-Identifier: MIT */
/* Shared by port.c and host.c; not an API. */
#ifndef OMNI_DP_PORT_INT_H
#define OMNI_DP_PORT_INT_H

#include "dp/port.h"

/* rte_vdev_init(name, args) and take its ethdev into p. */
int dp_port_attach_vdev(struct dp_port *p, const char *name, const char *args);

/* net_af_xdp fills each rx queue's fill ring with this many mbufs
 * (XSK_RING_CONS__DEFAULT_NUM_DESCS) whatever the rx descriptor count. */
enum { DP_AF_XDP_FILL_MBUFS = 2048 };

/* Pool, configure (RSS on UDP when asked, >1 queue and supported), queues,
 * start. rx_extra: mbufs each rx queue holds beyond its descriptors. */
int dp_port_setup(struct dp_port *p, const struct dp_port_conf *c, bool rss,
		  unsigned rx_extra);

/* Undo attach/setup (stop, close, unplug, free pool); keeps p->kif. */
void dp_port_release(struct dp_port *p);

/* Log what came up: driver, queues, MAC, MTU, addresses. */
void dp_port_log(const struct dp_port *p, const char *role);

#endif /* OMNI_DP_PORT_INT_H */

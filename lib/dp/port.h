/* SPDX-License-Identifier: MIT */
/*
 * The two DPDK ports of an edge, opened after dp_eal_start:
 *
 * - underlay: a PCI device EAL probed, or a kernel interface driven through
 *   net_af_xdp (vdev "net_af_xdp_IF", "iface=IF,start_queue=0,queue_count=N")
 *   or, when AF_XDP cannot start, net_af_packet ("net_af_packet_IF",
 *   "iface=IF,qpairs=N") with a warning. The interface's MAC, addresses and
 *   MTU are read from the kernel so the edge can answer ARP/ND for itself.
 * - host port, where host applications live (kernel interface omni0):
 *     tap          net_tap        "net_tap_omni0", "iface=omni0"
 *     virtio-user  over /dev/vhost-net "virtio_user_omni0",
 *                  "path=/dev/vhost-net,iface=omni0,queue_size=1024,queues=N"
 *     veth         a veth pair omni0 <-> omni0-dp, omni0-dp through
 *                  net_af_xdp, tx checksum/TSO off on omni0 (TCP breaks
 *                  otherwise)
 *     tap-gso      our own tap with vnet headers and TSO: 64 KB TCP
 *                  frames each way (dp/tapq.h), behind a net_ring port
 *   Auto picks the fastest available: virtio-user, else tap-gso, else
 *   veth, else tap.
 *   After start the kernel end gets its addresses and MTU and goes up.
 *
 * Ports are hot-plugged with rte_vdev_init (not --vdev) so a failed AF_XDP
 * start can fall back and a veth can be made first. Each port has its own
 * mempool and N rx/tx queue pairs, queue i for worker i. Control thread
 * only; errors are -errno and are logged.
 */
#ifndef OMNI_DP_PORT_H
#define OMNI_DP_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include "dp/kif.h"

struct rte_mempool;
struct dp_tapq;

enum dp_port_driver {
	DP_DRV_NONE = 0,
	DP_DRV_PCI, /* a device EAL probed */
	DP_DRV_AF_XDP,
	DP_DRV_AF_PACKET,
	DP_DRV_TAP,
	DP_DRV_VIRTIO_USER,
	DP_DRV_TAP_GSO, /* net_ring port fed by dp_tapq (dp/tapq.h) */
};

enum dp_underlay_mode {
	DP_UNDERLAY_AUTO = 0, /* AF_XDP, else AF_PACKET */
	DP_UNDERLAY_AF_XDP,
	DP_UNDERLAY_AF_PACKET,
};

enum dp_host_kind {
	DP_HOST_AUTO = 0,
	DP_HOST_TAP,
	DP_HOST_VIRTIO_USER,
	DP_HOST_VETH,
	DP_HOST_TAP_GSO,
};

enum {
	DP_PORT_RX_DESC = 1024,
	DP_PORT_TX_DESC = 1024,
	DP_PORT_SMALL_DESC = 256, /* small memory budget */
	DP_PORT_BURST = 32,
	DP_PORT_CACHE = 256,
	DP_PORT_FD_QUEUES = 16, /* queues whose kernel fd is tracked */
};

struct dp_port_conf {
	uint16_t queues;  /* rx/tx queue pairs wanted; 0: 1 */
	uint16_t rx_desc; /* 0: DP_PORT_RX_DESC (or small) */
	uint16_t tx_desc; /* 0: DP_PORT_TX_DESC (or small) */
	unsigned lcores;  /* lcores taking mbufs from the pool; 0: queues+1 */
	unsigned mbufs;   /* pool size; 0: sized from the above */
	bool small;       /* small pools (e.g. running with --no-huge) */
};

struct dp_underlay_conf {
	const char *dev; /* kernel interface name or PCI address */
	enum dp_underlay_mode mode;
	const char *xdp_prog; /* net_af_xdp xdp_prog= object; NULL: the PMD's */
	struct dp_port_conf port;
};

struct dp_host_conf {
	enum dp_host_kind kind;
	const char *ifname; /* NULL: "omni0" */
	unsigned mtu;       /* 0: leave the kernel's */
	const struct net_prefix *addrs;
	unsigned n_addrs;
	struct dp_port_conf port;
	/* The caller holds the host port's lock (one gateway per name): a
	 * veth pair IFNAME <-> IFNAME-dp found at start is a dead run's and
	 * is deleted. Without it, an existing interface is refused. */
	bool take_over;
	bool no_uso; /* tap-gso: do not offer the kernel USO (TSO stays) */
};

struct dp_port {
	uint16_t port_id;
	uint16_t queues;             /* queue pairs configured */
	enum dp_port_driver driver;  /* what actually came up */
	enum dp_host_kind host_kind; /* DP_HOST_AUTO on an underlay */
	bool rss;                    /* RSS on UDP 5-tuple configured */
	bool attached;               /* port_id is ours to close */
	bool started;
	bool made_veth;
	struct rte_mempool *pool;
	struct dp_kif kif; /* underlay's interface, or omni0 (empty for PCI) */
	char vdev[64];     /* hot-plugged vdev name, "" for PCI */
	char veth_peer[IF_NAMESIZE];
	/* The kernel descriptor each rx queue reads from (dp/queue_fd.h):
	 * rx_fd[q] is valid where bit q of rx_fd_known is set. */
	int rx_fd[DP_PORT_FD_QUEUES];
	uint32_t rx_fd_known;
	int probe_fd[DP_PORT_FD_QUEUES]; /* made while the vdev was probed */
	unsigned n_probe_fds;
	struct dp_tapq *tapq[DP_PORT_FD_QUEUES]; /* tap-gso: queue q's pump */
};

/* Open, configure and start. p is zeroed first; on error nothing is left. */
int dp_port_open_underlay(struct dp_port *p, const struct dp_underlay_conf *c);
int dp_port_open_host(struct dp_port *p, const struct dp_host_conf *c);

/* Stop, close, unplug, free the pool, delete a veth we made. Idempotent. */
void dp_port_close(struct dp_port *p);

/* Read the host port's kernel end again (addresses settle after start). */
int dp_port_refresh(struct dp_port *p);

/* The kernel descriptor rx queue q of a started port reads from, for an
 * idle loop to poll(2) for POLLIN (never to read); -1 when there is none
 * (a PCI device) or it was not found. */
int dp_port_rx_fd(const struct dp_port *p, uint16_t q);

/* What the kernel counted on an AF_XDP port's sockets (XDP_STATISTICS,
 * summed over the queues): DPDK's imissed has only rx_dropped. */
struct dp_xsk_stats {
	uint64_t rx_dropped;    /* no buffer, or too long */
	uint64_t rx_ring_full;  /* we did not read fast enough */
	uint64_t rx_fill_empty; /* times the fill ring had no buffer */
};
/* 0, or -ENOTSUP when p is not an AF_XDP port with known sockets. */
int dp_port_xsk_stats(const struct dp_port *p, struct dp_xsk_stats *out);

/* "af_xdp", "af_packet", "pci", "tap", "virtio_user", "tap_gso". */
const char *dp_port_driver_name(enum dp_port_driver d);
/* "auto", "tap", "virtio-user", "veth", "tap-gso". */
const char *dp_host_kind_name(enum dp_host_kind k);
/* Parse a kind name as above. 0 or -EINVAL. */
int dp_host_kind_parse(const char *s, enum dp_host_kind *k);

#endif /* OMNI_DP_PORT_H */

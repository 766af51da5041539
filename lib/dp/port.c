/* SPDX-License-Identifier: MIT */
/*
 * Ports common part and the underlay (see port.h); host.c has the host port.
 *
 * Pool size per port: every rx and tx descriptor may hold an mbuf, every
 * lcore may keep a cache and a burst in hand; rounded up to 2^n - 1 (what
 * the ring under the mempool holds best).
 */
#include "dp/port.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/if_xdp.h>

#include <rte_bus_vdev.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pci.h>

#include "dp/log.h"
#include "dp/nl.h"
#include "dp/port_int.h"
#include "dp/queue_fd.h"
#include "dp/tapq.h"

#define RSS_UDP (RTE_ETH_RSS_NONFRAG_IPV4_UDP | RTE_ETH_RSS_NONFRAG_IPV6_UDP)
/* Fragments and non-UDP still spread by addresses. */
#define RSS_IP (RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_IPV6 | RTE_ETH_RSS_FRAG_IPV4 | RTE_ETH_RSS_FRAG_IPV6)

static const char *const driver_names[] = {
	[DP_DRV_NONE] = "none",       [DP_DRV_PCI] = "pci",
	[DP_DRV_AF_XDP] = "af_xdp",   [DP_DRV_AF_PACKET] = "af_packet",
	[DP_DRV_TAP] = "tap",         [DP_DRV_VIRTIO_USER] = "virtio_user",
	[DP_DRV_TAP_GSO] = "tap_gso",
};

const char *dp_port_driver_name(enum dp_port_driver d)
{
	return (unsigned)d < RTE_DIM(driver_names) ? driver_names[d] : "?";
}

int dp_port_attach_vdev(struct dp_port *p, const char *name, const char *args)
{
	struct dp_fdset before, after;
	int ret, scanned;

	if (snprintf(p->vdev, sizeof(p->vdev), "%s", name) >= (int)sizeof(p->vdev))
		return -ENAMETOOLONG;
	DP_LOG(DEBUG, "vdev %s,%s", name, args);
	scanned = dp_fdset_scan(&before);
	ret = rte_vdev_init(name, args);
	if (ret == 0 && scanned == 0 && dp_fdset_scan(&after) == 0)
		p->n_probe_fds = dp_fdset_added(&before, &after, p->probe_fd, DP_PORT_FD_QUEUES);
	if (ret != 0) {
		p->vdev[0] = '\0';
		return ret < 0 ? ret : -ENODEV;
	}
	ret = rte_eth_dev_get_port_by_name(name, &p->port_id);
	if (ret != 0) {
		rte_vdev_uninit(name);
		p->vdev[0] = '\0';
		return -ENODEV;
	}
	p->attached = true;
	return 0;
}

static unsigned pool_size(const struct dp_port_conf *c, uint16_t q, unsigned rxd, unsigned txd)
{
	unsigned lcores = c->lcores ? c->lcores : q + 1u;
	unsigned n = c->mbufs;

	if (n == 0)
		n = q * (rxd + txd + DP_PORT_BURST) + lcores * (DP_PORT_CACHE + DP_PORT_BURST);
	return rte_align32pow2(n + 1) - 1;
}

static int make_pool(struct dp_port *p, unsigned n)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	int socket = rte_eth_dev_socket_id(p->port_id);
	unsigned cache = RTE_MIN((unsigned)DP_PORT_CACHE, n / 2);

	snprintf(name, sizeof(name), "dp_port%u", p->port_id);
	p->pool = rte_pktmbuf_pool_create(name, n, cache, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					  socket < 0 ? SOCKET_ID_ANY : socket);
	if (!p->pool) {
		DP_LOG(ERR, "port %u: mempool of %u mbufs: %s", p->port_id, n,
		       rte_strerror(rte_errno));
		return -rte_errno;
	}
	return 0;
}

static void conf_rss(struct dp_port *p, struct rte_eth_conf *conf,
		     const struct rte_eth_dev_info *info)
{
	uint64_t hf = info->flow_type_rss_offloads & (RSS_UDP | RSS_IP);

	if (!(hf & RSS_UDP)) {
		DP_LOG(INFO, "port %u (%s): no RSS on UDP, queues get what the device spreads",
		       p->port_id, info->driver_name);
		return;
	}
	conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	conf->rx_adv_conf.rss_conf.rss_hf = hf;
	p->rss = true;
}

/* Set up rx queue q, noting the kernel descriptor it opened (AF_XDP and
 * net_tap open one per queue here). */
static int setup_rx_queue(struct dp_port *p, uint16_t q, uint16_t rxd, unsigned socket)
{
	struct dp_fdset before, after;
	int fd, ret, scanned = q < DP_PORT_FD_QUEUES ? dp_fdset_scan(&before) : -1;

	ret = rte_eth_rx_queue_setup(p->port_id, q, rxd, socket, NULL, p->pool);
	if (ret < 0) {
		DP_LOG(ERR, "port %u: rx queue %u: %s", p->port_id, q, rte_strerror(-ret));
		return ret;
	}
	if (scanned == 0 && dp_fdset_scan(&after) == 0 &&
	    dp_fdset_added(&before, &after, &fd, 1) >= 1) {
		p->rx_fd[q] = fd;
		p->rx_fd_known |= 1u << q;
	}
	return 0;
}

/* Queues that opened nothing (net_af_packet opens its sockets at probe,
 * one per queue pair, in order) take the probe's, when they match up. */
static void rx_fds_from_probe(struct dp_port *p)
{
	if (p->rx_fd_known || p->n_probe_fds != p->queues || p->queues > DP_PORT_FD_QUEUES)
		return;
	for (unsigned q = 0; q < p->queues; q++) {
		p->rx_fd[q] = p->probe_fd[q];
		p->rx_fd_known |= 1u << q;
	}
}

int dp_port_xsk_stats(const struct dp_port *p, struct dp_xsk_stats *out)
{
	struct xdp_statistics st;
	socklen_t len;
	int fd;

	memset(out, 0, sizeof(*out));
	if (p->driver != DP_DRV_AF_XDP || !p->rx_fd_known)
		return -ENOTSUP;
	for (uint16_t q = 0; q < p->queues; q++) {
		fd = dp_port_rx_fd(p, q);
		len = sizeof(st);
		if (fd < 0 || getsockopt(fd, SOL_XDP, XDP_STATISTICS, &st, &len) != 0)
			continue;
		out->rx_dropped += st.rx_dropped;
		out->rx_ring_full += st.rx_ring_full;
		out->rx_fill_empty += st.rx_fill_ring_empty_descs;
	}
	return 0;
}

int dp_port_rx_fd(const struct dp_port *p, uint16_t q)
{
	if (!p->started || q >= DP_PORT_FD_QUEUES || !(p->rx_fd_known & (1u << q)))
		return -1;
	return p->rx_fd[q];
}

static int setup_queues(struct dp_port *p, uint16_t rxd, uint16_t txd)
{
	int socket = rte_eth_dev_socket_id(p->port_id);
	unsigned s = socket < 0 ? (unsigned)SOCKET_ID_ANY : (unsigned)socket;
	int ret;

	p->rx_fd_known = 0;
	for (uint16_t q = 0; q < p->queues; q++) {
		ret = setup_rx_queue(p, q, rxd, s);
		if (ret < 0)
			return ret;
		ret = rte_eth_tx_queue_setup(p->port_id, q, txd, s, NULL);
		if (ret < 0) {
			DP_LOG(ERR, "port %u: tx queue %u: %s", p->port_id, q, rte_strerror(-ret));
			return ret;
		}
	}
	rx_fds_from_probe(p);
	return 0;
}

int dp_port_setup(struct dp_port *p, const struct dp_port_conf *c, bool rss, bool af_xdp)
{
	uint16_t def_desc = c->small ? DP_PORT_SMALL_DESC : DP_PORT_RX_DESC;
	uint16_t rxd = c->rx_desc ? c->rx_desc : af_xdp ? DP_AF_XDP_RX_DESC : def_desc;
	unsigned rx_extra = af_xdp ? DP_AF_XDP_FILL_MBUFS : 0;
	uint16_t txd = c->tx_desc ? c->tx_desc : def_desc;
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	uint16_t want = c->queues ? c->queues : 1;
	int ret;

	ret = rte_eth_dev_info_get(p->port_id, &info);
	if (ret != 0)
		return ret;
	p->queues = RTE_MIN(want, RTE_MIN(info.max_rx_queues, info.max_tx_queues));
	if (p->queues == 0)
		return -EINVAL;
	if (p->queues < want)
		DP_LOG(WARNING, "port %u (%s): %u queue pair(s), not %u", p->port_id,
		       info.driver_name, p->queues, want);
	if (rss && p->queues > 1)
		conf_rss(p, &conf, &info);
	ret = rte_eth_dev_configure(p->port_id, p->queues, p->queues, &conf);
	if (ret == 0)
		ret = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &rxd, &txd);
	if (ret != 0) {
		DP_LOG(ERR, "port %u (%s): configure: %s", p->port_id, info.driver_name,
		       rte_strerror(-ret));
		return ret;
	}
	ret = make_pool(p, pool_size(c, p->queues, rxd + rx_extra, txd));
	if (ret == 0)
		ret = setup_queues(p, rxd, txd);
	if (ret != 0)
		return ret;
	ret = rte_eth_dev_start(p->port_id);
	if (ret != 0) {
		DP_LOG(ERR, "port %u (%s): start: %s", p->port_id, info.driver_name,
		       rte_strerror(-ret));
		return ret;
	}
	p->started = true;
	return 0;
}

void dp_port_release(struct dp_port *p)
{
	/* Kernel interfaces (af_packet) keep the flag after close otherwise. */
	if (p->attached && rte_eth_promiscuous_get(p->port_id) == 1)
		rte_eth_promiscuous_disable(p->port_id);
	if (p->started)
		rte_eth_dev_stop(p->port_id);
	if (p->attached)
		rte_eth_dev_close(p->port_id);
	/* net_tap removes its interface here, net_af_xdp its XDP program. */
	if (p->vdev[0])
		rte_vdev_uninit(p->vdev);
	for (unsigned q = 0; q < DP_PORT_FD_QUEUES; q++) {
		dp_tapq_free(p->tapq[q]);
		p->tapq[q] = NULL;
	}
	rte_mempool_free(p->pool);
	p->pool = NULL;
	p->started = p->attached = p->rss = false;
	p->rx_fd_known = 0;
	p->n_probe_fds = 0;
	p->vdev[0] = '\0';
	p->queues = 0;
	p->driver = DP_DRV_NONE;
}

void dp_port_close(struct dp_port *p)
{
	dp_port_release(p);
	if (p->made_veth) {
		unsigned ifindex = if_nametoindex(p->kif.name);
		int ret = ifindex ? dp_nl_link_del(ifindex) : 0;

		if (ret < 0)
			DP_LOG(WARNING, "cannot delete veth %s: %s", p->kif.name, strerror(-ret));
	}
	memset(p, 0, sizeof(*p));
}

static int open_pci(struct dp_port *p, const struct dp_underlay_conf *c,
		    const struct rte_pci_addr *addr)
{
	char name[RTE_DEV_NAME_MAX_LEN];
	struct rte_ether_addr mac;
	uint16_t mtu = 0;
	int ret;

	rte_pci_device_name(addr, name, sizeof(name));
	if (rte_eth_dev_get_port_by_name(name, &p->port_id) != 0) {
		DP_LOG(ERR,
		       "underlay %s: no DPDK port (is it bound to vfio-pci and "
		       "given to EAL?)",
		       name);
		return -ENODEV;
	}
	p->attached = true;
	p->driver = DP_DRV_PCI;
	ret = dp_port_setup(p, &c->port, true, false);
	if (ret != 0)
		return ret;
	rte_eth_macaddr_get(p->port_id, &mac);
	memcpy(p->kif.mac, mac.addr_bytes, sizeof(p->kif.mac));
	rte_eth_dev_get_mtu(p->port_id, &mtu);
	p->kif.mtu = mtu;
	p->kif.channels = p->queues;
	return 0;
}

/* One driver on a kernel interface; on failure p is released. */
static int try_kernel(struct dp_port *p, const struct dp_underlay_conf *c, enum dp_port_driver drv,
		      uint16_t queues)
{
	char name[64], args[512];
	int ret, n;

	if (drv == DP_DRV_AF_XDP) {
		ret = dp_kif_bpffs_ensure();
		if (ret < 0)
			DP_LOG(WARNING, "cannot mount bpffs on /sys/fs/bpf: %s", strerror(-ret));
		snprintf(name, sizeof(name), "net_af_xdp_%s", p->kif.name);
		n = snprintf(args, sizeof(args), "iface=%s,start_queue=0,queue_count=%u%s%s",
			     p->kif.name, queues, c->xdp_prog ? ",xdp_prog=" : "",
			     c->xdp_prog ? c->xdp_prog : "");
	} else {
		snprintf(name, sizeof(name), "net_af_packet_%s", p->kif.name);
		n = snprintf(args, sizeof(args), "iface=%s,qpairs=%u", p->kif.name, queues);
	}
	if (n < 0 || n >= (int)sizeof(args))
		return -ENAMETOOLONG;
	ret = dp_port_attach_vdev(p, name, args);
	if (ret == 0)
		ret = dp_port_setup(p, &c->port, true, drv == DP_DRV_AF_XDP);
	if (ret != 0) {
		dp_port_release(p);
		return ret;
	}
	p->driver = drv;
	return 0;
}

static int open_kernel(struct dp_port *p, const struct dp_underlay_conf *c)
{
	uint16_t want = c->port.queues ? c->port.queues : 1;
	int ret = dp_kif_read(c->dev, &p->kif);

	if (ret < 0) {
		DP_LOG(ERR, "underlay %s: %s", c->dev,
		       ret == -ENODEV ? "no such interface or PCI address" : strerror(-ret));
		return ret;
	}
	if (c->mode != DP_UNDERLAY_AF_PACKET) {
		/* AF_XDP binds to the interface's channels: no more queues. */
		uint16_t q = (uint16_t)RTE_MIN((unsigned)want, p->kif.channels);

		ret = try_kernel(p, c, DP_DRV_AF_XDP, q);
		if (ret == 0 || c->mode == DP_UNDERLAY_AF_XDP)
			return ret;
		DP_LOG(WARNING,
		       "underlay %s: AF_XDP could not start (%s); falling back to "
		       "net_af_packet, which is slower",
		       c->dev, strerror(-ret));
	}
	return try_kernel(p, c, DP_DRV_AF_PACKET, want);
}

void dp_port_log(const struct dp_port *p, const char *role)
{
	char buf[NET_PREFIX_TEXT_MAX];

	DP_LOG(INFO,
	       "%s %s: port %u, %s, %u queue pair(s)%s, "
	       "MAC %02x:%02x:%02x:%02x:%02x:%02x, MTU %u",
	       role, p->kif.name[0] ? p->kif.name : p->vdev, p->port_id,
	       dp_port_driver_name(p->driver), p->queues, p->rss ? " with RSS" : "", p->kif.mac[0],
	       p->kif.mac[1], p->kif.mac[2], p->kif.mac[3], p->kif.mac[4], p->kif.mac[5],
	       p->kif.mtu);
	for (unsigned i = 0; i < p->kif.n_addrs; i++) {
		net_prefix_format(&p->kif.addrs[i], buf);
		DP_LOG(INFO, "%s %s: address %s", role, p->kif.name, buf);
	}
}

int dp_port_open_underlay(struct dp_port *p, const struct dp_underlay_conf *c)
{
	struct rte_pci_addr addr;
	int ret;

	memset(p, 0, sizeof(*p));
	if (!c->dev || !c->dev[0])
		return -EINVAL;
	if (rte_pci_addr_parse(c->dev, &addr) == 0)
		ret = open_pci(p, c, &addr);
	else
		ret = open_kernel(p, c);
	if (ret != 0) {
		dp_port_close(p);
		return ret;
	}
	dp_port_log(p, "underlay");
	return 0;
}

int dp_port_refresh(struct dp_port *p)
{
	if (!p->kif.name[0])
		return 0;
	return dp_kif_read(p->kif.name, &p->kif);
}

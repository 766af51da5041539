/* SPDX-License-Identifier: MIT */
/*
 * The host port (see port.h): the interface host applications use, here
 * "omni0". Kinds, fastest first (auto tries them in this order):
 *   virtio-user  DPDK's recommended exception path (needs /dev/vhost-net)
 *   tap-gso      our tap with vnet headers and TSO (tapq.c): 64 KB TCP
 *                frames each way, one kernel crossing for up to 45; the
 *                tunnel 1.0-3.0x the veth's in tools/bench-tunnel
 *   veth         AF_XDP-driven veth: 3.36 Gbit/s with testpmd io-forwarding
 *   tap          net_tap: 1.24 Gbit/s with testpmd io-forwarding
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_eth_ring.h>
#include <rte_mbuf.h>

#include "dp/log.h"
#include "dp/nl.h"
#include "dp/port.h"
#include "dp/port_int.h"
#include "dp/tapq.h"

#define VHOST_NET "/dev/vhost-net"
#define DEFAULT_IFNAME "omni0"
/* Frames must fit one default mbuf. */
#define MAX_MTU (RTE_MBUF_DEFAULT_DATAROOM - RTE_ETHER_HDR_LEN - RTE_VLAN_HLEN)

static const char *const kind_names[] = {
	[DP_HOST_AUTO] = "auto",
	[DP_HOST_TAP] = "tap",
	[DP_HOST_VIRTIO_USER] = "virtio-user",
	[DP_HOST_VETH] = "veth",
	[DP_HOST_TAP_GSO] = "tap-gso",
};

const char *dp_host_kind_name(enum dp_host_kind k)
{
	return (unsigned)k < RTE_DIM(kind_names) ? kind_names[k] : "?";
}

int dp_host_kind_parse(const char *s, enum dp_host_kind *k)
{
	for (unsigned i = 0; i < RTE_DIM(kind_names); i++) {
		if (strcmp(s, kind_names[i]) == 0) {
			*k = (enum dp_host_kind)i;
			return 0;
		}
	}
	return -EINVAL;
}

static int open_tap(struct dp_port *p, const struct dp_host_conf *c, const char *ifname)
{
	char name[64], args[64];
	int ret;

	snprintf(name, sizeof(name), "net_tap_%s", ifname);
	snprintf(args, sizeof(args), "iface=%s", ifname);
	ret = dp_port_attach_vdev(p, name, args);
	if (ret == 0)
		ret = dp_port_setup(p, &c->port, false, false);
	p->driver = DP_DRV_TAP;
	return ret;
}

static int open_virtio_user(struct dp_port *p, const struct dp_host_conf *c, const char *ifname)
{
	char name[64], args[128];
	int ret;

	if (access(VHOST_NET, R_OK | W_OK) != 0) {
		DP_LOG(ERR, "host port virtio-user needs %s: %s", VHOST_NET, strerror(errno));
		return -ENODEV;
	}
	snprintf(name, sizeof(name), "virtio_user_%s", ifname);
	snprintf(args, sizeof(args), "path=%s,iface=%s,queue_size=1024,queues=%u", VHOST_NET,
		 ifname, c->port.queues ? c->port.queues : 1u);
	ret = dp_port_attach_vdev(p, name, args);
	if (ret == 0)
		ret = dp_port_setup(p, &c->port, false, false);
	p->driver = DP_DRV_VIRTIO_USER;
	return ret;
}

/* The tap's queues, each with its rings (tapq.h). */
static int make_tapqs(struct dp_port *p, const struct dp_host_conf *c, uint16_t n,
		      const char *ifname, int socket)
{
	bool uso = false;
	int fd;

	for (uint16_t q = 0; q < n; q++) {
		fd = dp_tapq_open_fd(ifname, n > 1, !c->no_uso, &uso);
		if (fd < 0) {
			DP_LOG(ERR, "host port tap-gso: tap %s queue %u: %s", ifname, q,
			       strerror(-fd));
			return fd;
		}
		p->tapq[q] = dp_tapq_create(ifname, q, fd, socket);
		if (!p->tapq[q]) {
			DP_LOG(ERR, "host port tap-gso: rings of queue %u: %s", q,
			       rte_strerror(rte_errno));
			return -ENOMEM;
		}
		p->tapq[q]->uso = uso;
	}
	DP_LOG(INFO, "host port tap-gso %s: offloads checksum, TSO4, TSO6%s", ifname,
	       uso       ? ", USO4, USO6" :
	       c->no_uso ? " (USO off: OMNI_TAP_USO=off)" :
			   " (USO refused by the kernel: Linux 6.2 or later has it)");
	return 0;
}

/*
 * A tap of our own with vnet headers and TSO (tapq.h), behind a net_ring
 * port whose rings the workers fill from it and empty into it.
 */
static int open_tap_gso(struct dp_port *p, const struct dp_host_conf *c, const char *ifname)
{
	struct rte_ring *rx[DP_PORT_FD_QUEUES], *tx[DP_PORT_FD_QUEUES];
	uint16_t n = RTE_MIN(c->port.queues ? c->port.queues : 1, (unsigned)DP_PORT_FD_QUEUES);
	char name[64];
	int ret, id;

	p->driver = DP_DRV_TAP_GSO;
	ret = make_tapqs(p, c, n, ifname, (int)rte_socket_id());
	if (ret < 0)
		return ret;
	for (uint16_t q = 0; q < n; q++) {
		rx[q] = p->tapq[q]->rx;
		tx[q] = p->tapq[q]->tx;
	}
	snprintf(name, sizeof(name), "net_tapgso_%s", ifname);
	id = rte_eth_from_rings(name, rx, n, tx, n, rte_socket_id());
	if (id < 0) {
		DP_LOG(ERR, "host port tap-gso: ring port: %s", rte_strerror(rte_errno));
		return -rte_errno;
	}
	p->port_id = (uint16_t)id;
	p->attached = true;
	ret = dp_port_setup(p, &c->port, false, false);
	if (ret != 0)
		return ret;
	for (uint16_t q = 0; q < n; q++) {
		p->tapq[q]->pool = p->pool;
		p->rx_fd[q] = p->tapq[q]->fd;
		p->rx_fd_known |= 1u << q;
	}
	return 0;
}

/*
 * omni0 <-> omni0-dp. One queue: net_af_xdp binds only as many queues as
 * the interface reports combined channels, and veth reports none.
 */
static int open_veth(struct dp_port *p, const struct dp_host_conf *c, const char *ifname)
{
	char name[64], args[128];
	int ret;

	snprintf(p->veth_peer, sizeof(p->veth_peer), "%.12s-dp", ifname);
	if (dp_kif_exists(p->veth_peer)) {
		DP_LOG(ERR,
		       "host port veth: %s exists already (left from an earlier "
		       "run? ip link del %s)",
		       p->veth_peer, p->veth_peer);
		return -EEXIST;
	}
	ret = dp_nl_veth_create(ifname, p->veth_peer, 1);
	if (ret < 0) {
		DP_LOG(ERR, "host port veth: cannot create %s: %s", ifname, strerror(-ret));
		return ret;
	}
	p->made_veth = true;
	snprintf(p->kif.name, sizeof(p->kif.name), "%s", ifname);
	/* Offloaded (partial) checksums do not survive AF_XDP: TCP breaks. */
	ret = dp_kif_tx_offloads_off(ifname);
	if (ret < 0) {
		DP_LOG(ERR, "host port veth: cannot turn tx offloads off on %s: %s", ifname,
		       strerror(-ret));
		return ret;
	}
	ret = dp_nl_link_up(if_nametoindex(p->veth_peer), c->mtu);
	if (ret < 0) {
		DP_LOG(ERR, "host port veth: %s up: %s", p->veth_peer, strerror(-ret));
		return ret;
	}
	ret = dp_kif_bpffs_ensure();
	if (ret < 0)
		DP_LOG(WARNING, "cannot mount bpffs on /sys/fs/bpf: %s", strerror(-ret));
	snprintf(name, sizeof(name), "net_af_xdp_%s", p->veth_peer);
	snprintf(args, sizeof(args), "iface=%s,start_queue=0,queue_count=1", p->veth_peer);
	ret = dp_port_attach_vdev(p, name, args);
	if (ret == 0)
		ret = dp_port_setup(p, &c->port, false, true);
	p->driver = DP_DRV_AF_XDP;
	return ret;
}

/* Like wg-quick: MTU, addresses, up. */
static int configure_kernel_end(struct dp_port *p, const struct dp_host_conf *c, const char *ifname)
{
	char buf[NET_PREFIX_TEXT_MAX];
	int ret = dp_kif_read(ifname, &p->kif);

	if (ret < 0) {
		DP_LOG(ERR, "host port %s: %s", ifname, strerror(-ret));
		return ret;
	}
	ret = dp_nl_link_up(p->kif.ifindex, c->mtu);
	if (ret < 0) {
		DP_LOG(ERR, "host port %s: set up, MTU %u: %s", ifname, c->mtu, strerror(-ret));
		return ret;
	}
	for (unsigned i = 0; i < c->n_addrs; i++) {
		ret = dp_nl_addr_add(p->kif.ifindex, &c->addrs[i]);
		if (ret < 0) {
			net_prefix_format(&c->addrs[i], buf);
			DP_LOG(ERR, "host port %s: address %s: %s", ifname, buf, strerror(-ret));
			return ret;
		}
	}
	return dp_kif_read(ifname, &p->kif);
}

static int open_kind(struct dp_port *p, const struct dp_host_conf *c, enum dp_host_kind kind,
		     const char *ifname)
{
	int ret;

	memset(p, 0, sizeof(*p));
	p->host_kind = kind;
	switch (kind) {
	case DP_HOST_TAP:
		ret = open_tap(p, c, ifname);
		break;
	case DP_HOST_VIRTIO_USER:
		ret = open_virtio_user(p, c, ifname);
		break;
	case DP_HOST_VETH:
		ret = open_veth(p, c, ifname);
		break;
	case DP_HOST_TAP_GSO:
		ret = open_tap_gso(p, c, ifname);
		break;
	default:
		ret = -EINVAL;
	}
	if (ret == 0)
		ret = configure_kernel_end(p, c, ifname);
	if (ret != 0)
		dp_port_close(p);
	return ret;
}

/* name is one end of a veth pair whose other end is peer_name. */
static bool is_our_pair(const char *name, const char *peer_name)
{
	unsigned idx = if_nametoindex(name), peer_idx = if_nametoindex(peer_name), peer = 0;

	return idx && peer_idx && dp_nl_veth_peer(idx, &peer) == 1 && peer == peer_idx;
}

/*
 * What a run that did not stop (kill -9, a crash, a power cut of the
 * process) left: the veth pair IFNAME <-> IFNAME-dp outlives its process,
 * while a tap or virtio-user port goes with it. With the lock held, no
 * live gateway owns that pair: delete it. Anything else of that name is
 * not ours to delete.
 */
static int clear_stale(const char *ifname, bool take_over)
{
	char peer[IF_NAMESIZE + 4];
	bool name = dp_kif_exists(ifname), dp_end;
	int ret;

	snprintf(peer, sizeof(peer), "%.12s-dp", ifname);
	dp_end = dp_kif_exists(peer);
	if (!name && !dp_end)
		return 0;
	if (!take_over || !is_our_pair(name ? ifname : peer, name ? peer : ifname)) {
		DP_LOG(ERR,
		       "host port %s: %s exists already and is not a veth pair %s <-> %s "
		       "left by a gateway: not touching it (delete it, or choose another "
		       "host port name)",
		       ifname, name ? ifname : peer, ifname, peer);
		return -EEXIST;
	}
	ret = dp_nl_link_del(if_nametoindex(ifname));
	if (ret < 0) {
		DP_LOG(ERR, "host port %s: cannot delete the stale veth pair: %s", ifname,
		       strerror(-ret));
		return ret;
	}
	DP_LOG(WARNING,
	       "host port %s: found the veth pair %s <-> %s of a run that did not stop "
	       "cleanly: deleted it, making a new one",
	       ifname, ifname, peer);
	return 0;
}

int dp_port_open_host(struct dp_port *p, const struct dp_host_conf *c)
{
	static const enum dp_host_kind fastest_first[] = {
		DP_HOST_VIRTIO_USER,
		DP_HOST_TAP_GSO,
		DP_HOST_VETH,
		DP_HOST_TAP,
	};
	const char *ifname = c->ifname ? c->ifname : DEFAULT_IFNAME;
	int ret;

	memset(p, 0, sizeof(*p));
	if (strlen(ifname) >= IF_NAMESIZE || c->mtu > MAX_MTU || (c->n_addrs && !c->addrs)) {
		DP_LOG(ERR, "host port %s: bad name or MTU %u (at most %u)", ifname, c->mtu,
		       (unsigned)MAX_MTU);
		return -EINVAL;
	}
	ret = clear_stale(ifname, c->take_over);
	if (ret < 0)
		return ret;
	if (c->kind != DP_HOST_AUTO) {
		ret = open_kind(p, c, c->kind, ifname);
		if (ret == 0)
			dp_port_log(p, dp_host_kind_name(c->kind));
		return ret;
	}
	for (unsigned i = 0; i < RTE_DIM(fastest_first); i++) {
		enum dp_host_kind k = fastest_first[i];

		if (k == DP_HOST_VIRTIO_USER && access(VHOST_NET, R_OK | W_OK) != 0)
			continue;
		ret = open_kind(p, c, k, ifname);
		if (ret == 0) {
			DP_LOG(INFO, "host port %s: kind %s (the fastest available here)", ifname,
			       dp_host_kind_name(k));
			dp_port_log(p, dp_host_kind_name(k));
			return 0;
		}
		DP_LOG(WARNING, "host port %s: kind %s failed (%s)%s", ifname, dp_host_kind_name(k),
		       strerror(-ret), i + 1 < RTE_DIM(fastest_first) ? ", trying the next" : "");
	}
	DP_LOG(ERR, "host port %s: no kind could start", ifname);
	return ret;
}

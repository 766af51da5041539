/* SPDX-License-Identifier: MIT */
/*
 * Neighbour resolution on the control lcore: ARP and ND for our underlay
 * address, the next hop towards an address (on-link or the default
 * gateway), and its MAC from a small cache filled by ARP/ND, by the
 * authenticated frames of peers, or by the kernel's neighbour table when
 * the kernel owns ARP/ND (kernel_neigh).
 */
#include <string.h>

#include <rte_mbuf.h>

#include "control_int.h"

#define NEIGH_RETRY_NS 1000000000ULL
/* Asking the kernel's table is a netlink round trip, not a frame on the
 * wire: it may be repeated often while the kernel resolves. */
#define KERNEL_NEIGH_RETRY_NS 20000000ULL

/* The address whose MAC we need to reach dst: dst itself when on-link
 * (inside our underlay network, a /0 holding everything) or with no gateway. */
static struct net_addr next_hop(const struct pl_control *c, const struct net_addr *dst)
{
	const struct net_local *l = &c->dp->local;
	bool v4 = dst->family == NET_AF_IP4;
	const struct net_addr *gw = v4 ? &c->gw4 : &c->gw6;
	unsigned len = v4 ? c->prefix4 : c->prefix6;

	if (gw->family == NET_AF_NONE || !len ||
	    net_prefix_match(v4 ? l->ip4.b : l->ip6.b, len, dst->b))
		return *dst;
	return *gw;
}

static struct pl_neigh *neigh_find(struct pl_control *c, const struct net_addr *a, bool create)
{
	struct pl_neigh *free_slot = NULL;
	unsigned i;

	for (i = 0; i < PL_NEIGH_MAX; i++) {
		if (c->neigh[i].addr.family == NET_AF_NONE) {
			if (!free_slot)
				free_slot = &c->neigh[i];
		} else if (net_addr_equal(&c->neigh[i].addr, a)) {
			return &c->neigh[i];
		}
	}
	if (!create)
		return NULL;
	if (!free_slot)
		free_slot = &c->neigh[0]; /* full: recycle; it is only a cache */
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->addr = *a;
	return free_slot;
}

/* The kernel's neighbour table; true when n became valid. */
static bool neigh_from_kernel(struct pl_control *c, struct pl_neigh *n, uint64_t now)
{
	if (n->asked_ns && now - n->asked_ns < KERNEL_NEIGH_RETRY_NS)
		return false;
	if (!n->asked_ns)
		c->stats.neigh_requests++;
	n->asked_ns = now;
	if (c->kernel_neigh(c->kernel_neigh_ctx, &n->addr, &n->mac) != 1)
		return false;
	n->valid = true;
	return true;
}

static void neigh_ask(struct pl_control *c, struct pl_neigh *n, uint64_t now)
{
	const struct net_local *l = &c->dp->local;
	struct rte_mbuf *m;
	uint8_t *buf;
	size_t cap, len;

	if (n->asked_ns && now - n->asked_ns < NEIGH_RETRY_NS)
		return;
	m = pl_control_frame_alloc(c, &buf, &cap);
	if (!m)
		return;
	n->asked_ns = now;
	if (n->addr.family == NET_AF_IP4)
		len = net_arp_frame_request(buf, cap, &l->mac, &l->ip4, &n->addr.ip4);
	else
		len = net_nd_ns_frame(buf, cap, &l->mac, &l->ip6, &n->addr.ip6, NULL);
	c->stats.neigh_requests++;
	pl_control_frame_send(c, m, len, false);
}

struct pl_neigh *pl_control_neigh_resolve(struct pl_control *c, const struct net_addr *dst,
					  uint64_t now)
{
	struct net_addr hop = next_hop(c, dst);
	struct pl_neigh *n = neigh_find(c, &hop, true);

	if (!n->valid && c->kernel_neigh && neigh_from_kernel(c, n, now))
		n->asked_ns = 0;
	if (!n->valid && !c->kernel_neigh)
		neigh_ask(c, n, now);
	return n->valid ? n : NULL;
}

static void neigh_learned(struct pl_control *c, const struct net_addr *a, const struct net_mac *mac,
			  uint64_t now)
{
	struct pl_neigh *n = neigh_find(c, a, false);
	unsigned i;

	if (!n || (n->valid && !memcmp(&n->mac, mac, sizeof(*mac))))
		return;
	n->mac = *mac;
	n->valid = true;
	for (i = 0; i < c->dp->n_peers; i++)
		if (c->dp->peers[i].in_use)
			pl_control_path_update(c, &c->dp->peers[i], now);
}

void pl_control_neigh_learn(struct pl_control *c, const struct pl_endpoint *ep, uint64_t now)
{
	struct net_addr hop;

	if (!ep->have_via || ep->udp.addr.family == NET_AF_NONE)
		return;
	hop = next_hop(c, &ep->udp.addr);
	neigh_find(c, &hop, true);
	neigh_learned(c, &hop, &ep->via, now);
}

static void arp_rx(struct pl_control *c, const uint8_t *l3, size_t len, uint64_t now)
{
	const struct net_local *l = &c->dp->local;
	struct net_addr a = { .family = NET_AF_IP4 };
	struct rte_mbuf *m;
	struct net_arp arp;
	uint8_t *buf;
	size_t cap;

	if (net_arp_parse(l3, len, &arp) != NET_DROP_OK)
		return;
	a.ip4 = arp.spa;
	neigh_learned(c, &a, &arp.sha, now);
	if (arp.op != NET_ARP_REQUEST || memcmp(&arp.tpa, &l->ip4, sizeof(arp.tpa)))
		return;
	m = pl_control_frame_alloc(c, &buf, &cap);
	if (!m)
		return;
	c->stats.arp_replies++;
	pl_control_frame_send(c, m, net_arp_frame_reply(buf, cap, &arp, &l->mac), false);
}

static void nd_rx(struct pl_control *c, const uint8_t *frame, const uint8_t *l3, size_t len,
		  uint64_t now)
{
	const struct net_local *l = &c->dp->local;
	struct net_addr a = { .family = NET_AF_IP6 };
	struct net_mac eth_src;
	struct rte_mbuf *m;
	struct net_nd nd;
	uint8_t *buf;
	size_t cap;

	if (net_nd_na_parse(l3, len, &nd) == NET_DROP_OK) {
		a.ip6 = nd.target;
		if (nd.has_lla)
			neigh_learned(c, &a, &nd.lla, now);
		return;
	}
	if (net_nd_ns_parse(l3, len, &nd) != NET_DROP_OK)
		return;
	memcpy(&eth_src, frame + NET_ETH_OFF_SRC, sizeof(eth_src));
	if (nd.has_lla) {
		a.ip6 = nd.src;
		neigh_learned(c, &a, &nd.lla, now);
	}
	if (memcmp(&nd.target, &l->ip6, 16) && memcmp(&nd.target, &l->ip6_ll, 16))
		return;
	m = pl_control_frame_alloc(c, &buf, &cap);
	if (!m)
		return;
	c->stats.nd_replies++;
	pl_control_frame_send(c, m,
			      net_nd_na_frame(buf, cap, &nd, &eth_src, &l->mac,
					      NET_NA_FLAG_OVERRIDE),
			      false);
}

void pl_control_neigh_rx(struct pl_control *c, struct rte_mbuf *m, enum pl_ctl_kind kind,
			 uint64_t now)
{
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t l3_off = m->l2_len;

	if (kind == PL_CTL_ARP)
		arp_rx(c, frame + l3_off, m->data_len - l3_off, now);
	else
		nd_rx(c, frame, frame + l3_off, m->data_len - l3_off, now);
	rte_pktmbuf_free(m);
}

/* SPDX-License-Identifier: MIT */
/*
 * The control lcore's link layer: ARP and ND for our underlay address,
 * next-hop resolution for peers, proxy answers on the host link, the
 * peers' outer-header paths, and sending what control itself sends.
 */
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "wg/transport.h"

#include "control.h"

#define NEIGH_RETRY_NS 1000000000ULL
/* Asking the kernel's table is a netlink round trip, not a frame on the
 * wire: it may be repeated often while the kernel resolves. */
#define KERNEL_NEIGH_RETRY_NS 20000000ULL

static bool addr_eq(const struct net_addr *a, const struct net_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == NET_AF_IP4)
		return !memcmp(&a->ip4, &b->ip4, sizeof(a->ip4));
	return !memcmp(&a->ip6, &b->ip6, sizeof(a->ip6));
}

static bool same_prefix(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;

	if (memcmp(a, b, full))
		return false;
	return rest == 0 || ((a[full] ^ b[full]) & (0xff << (8 - rest))) == 0;
}

/* The address whose MAC we need to reach dst: dst itself when on-link. */
static struct net_addr next_hop(const struct omni_control *c, const struct net_addr *dst)
{
	const struct net_local *l = &c->dp->local;

	if (dst->family == NET_AF_IP4) {
		if (c->gw4.family == NET_AF_NONE ||
		    same_prefix(dst->ip4.b, l->ip4.b, c->prefix4))
			return *dst;
		return c->gw4;
	}
	if (c->gw6.family == NET_AF_NONE || same_prefix(dst->ip6.b, l->ip6.b, c->prefix6))
		return *dst;
	return c->gw6;
}

static struct omni_neigh *neigh_find(struct omni_control *c, const struct net_addr *a,
				     bool create)
{
	struct omni_neigh *free_slot = NULL;
	unsigned i;

	for (i = 0; i < OMNI_NEIGH_MAX; i++) {
		if (c->neigh[i].addr.family == NET_AF_NONE) {
			if (!free_slot)
				free_slot = &c->neigh[i];
		} else if (addr_eq(&c->neigh[i].addr, a)) {
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

/* Control's frames leave through a worker, or directly in single-lcore mode. */
static void tx_frame(struct omni_control *c, uint16_t port, uint16_t queue, struct rte_mbuf *m)
{
	struct rte_ring *r = c->dp->from_control;

	m->port = port;
	if (r ? rte_ring_sp_enqueue(r, m) != 0 : rte_eth_tx_burst(port, queue, &m, 1) != 1)
		rte_pktmbuf_free(m);
}

/* A fresh mbuf for a frame control builds. */
static struct rte_mbuf *frame_alloc(struct omni_control *c, uint8_t **buf, size_t *cap)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(c->pool);

	if (!m)
		return NULL;
	*buf = rte_pktmbuf_mtod(m, uint8_t *);
	*cap = rte_pktmbuf_tailroom(m);
	return m;
}

static void frame_send(struct omni_control *c, struct rte_mbuf *m, size_t len, bool host)
{
	if (len == 0) {
		rte_pktmbuf_free(m);
		return;
	}
	m->data_len = (uint16_t)len;
	m->pkt_len = (uint32_t)len;
	if (host)
		tx_frame(c, c->host_port, c->host_txq, m);
	else
		tx_frame(c, c->under_port, c->under_txq, m);
}

/* The kernel's neighbour table; true when n became valid. */
static bool neigh_from_kernel(struct omni_control *c, struct omni_neigh *n, uint64_t now)
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

static void neigh_ask(struct omni_control *c, struct omni_neigh *n, uint64_t now)
{
	const struct net_local *l = &c->dp->local;
	struct rte_mbuf *m;
	uint8_t *buf;
	size_t cap, len;

	if (n->asked_ns && now - n->asked_ns < NEIGH_RETRY_NS)
		return;
	m = frame_alloc(c, &buf, &cap);
	if (!m)
		return;
	n->asked_ns = now;
	if (n->addr.family == NET_AF_IP4)
		len = net_arp_frame_request(buf, cap, &l->mac, &l->ip4, &n->addr.ip4);
	else
		len = net_nd_ns_frame(buf, cap, &l->mac, &l->ip6, &n->addr.ip6, NULL);
	c->stats.neigh_requests++;
	frame_send(c, m, len, false);
}

/* The next hop towards dst with its MAC, or NULL while it is being
 * resolved (asked of the kernel, or by ARP/ND). */
static struct omni_neigh *resolve(struct omni_control *c, const struct net_addr *dst,
				  uint64_t now)
{
	struct net_addr hop = next_hop(c, dst);
	struct omni_neigh *n = neigh_find(c, &hop, true);

	if (!n->valid && c->kernel_neigh && neigh_from_kernel(c, n, now))
		n->asked_ns = 0;
	if (!n->valid && !c->kernel_neigh)
		neigh_ask(c, n, now);
	return n->valid ? n : NULL;
}

bool omni_control_send_udp_addr(struct omni_control *c, const struct net_addr *dst,
				uint16_t port, const void *msg, uint32_t len, uint64_t now)
{
	const struct net_local *l = &c->dp->local;
	static const uint8_t zero[16];
	struct omni_neigh *n;

	if (dst->family == NET_AF_IP4 ? !memcmp(l->ip4.b, zero, 4) : !memcmp(l->ip6.b, zero, 16))
		return false; /* no address of that family on the underlay */
	n = resolve(c, dst, now);
	if (!n)
		return false;
	omni_control_send_udp_to(c, dst, port, &n->mac, msg, len);
	return true;
}

bool omni_control_path_update(struct omni_control *c, struct omni_dp_peer *peer, uint64_t now)
{
	struct net_encap_params p = { .vlan_tci = -1 };
	struct omni_neigh *n;
	struct omni_path *slot;
	uint8_t next;

	if (peer->ep.addr.family == NET_AF_NONE)
		return false;
	n = resolve(c, &peer->ep.addr, now);
	if (!n) {
		peer->path_dirty = true;
		return false;
	}
	/* The other slot may still be read by a worker until the grace period. */
	next = peer->path_published ? !peer->path_cur : peer->path_cur;
	if (peer->path_published && !rte_rcu_qsbr_check(c->dp->rcu, peer->path_token, false)) {
		peer->path_dirty = true;
		return false;
	}
	p.src_mac = c->dp->local.mac;
	p.dst_mac = n->mac;
	p.dst = peer->ep.addr;
	p.src.family = peer->ep.addr.family;
	if (p.src.family == NET_AF_IP4)
		p.src.ip4 = c->dp->local.ip4;
	else
		p.src.ip6 = c->dp->local.ip6;
	p.src_port = c->dp->local.port;
	p.dst_port = peer->ep.port;
	p.csum = p.src.family == NET_AF_IP4 ? NET_UDP_CSUM_NONE : NET_UDP_CSUM_FULL;
	slot = &peer->path_slot[next];
	if (net_encap_init(&slot->encap, &p) != 0)
		return false;
	__atomic_store_n(&peer->path, slot, __ATOMIC_RELEASE);
	peer->path_cur = next;
	peer->path_published = true;
	peer->path_dirty = false;
	peer->path_token = rte_rcu_qsbr_start(c->dp->rcu);
	return true;
}

static void neigh_learned(struct omni_control *c, const struct net_addr *a,
			  const struct net_mac *mac, uint64_t now)
{
	struct omni_neigh *n = neigh_find(c, a, false);
	unsigned i;

	if (!n || (n->valid && !memcmp(&n->mac, mac, sizeof(*mac))))
		return;
	n->mac = *mac;
	n->valid = true;
	for (i = 0; i < c->dp->n_peers; i++)
		if (c->dp->peers[i].in_use)
			omni_control_path_update(c, &c->dp->peers[i], now);
}

void omni_control_neigh_learn(struct omni_control *c, const struct omni_dp_endpoint *ep,
			      uint64_t now)
{
	struct net_addr hop;

	if (!ep->have_via || ep->addr.family == NET_AF_NONE)
		return;
	hop = next_hop(c, &ep->addr);
	neigh_find(c, &hop, true);
	neigh_learned(c, &hop, &ep->via, now);
}

static void arp_rx(struct omni_control *c, const uint8_t *l3, size_t len, uint64_t now)
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
	m = frame_alloc(c, &buf, &cap);
	if (!m)
		return;
	c->stats.arp_replies++;
	frame_send(c, m, net_arp_frame_reply(buf, cap, &arp, &l->mac), false);
}

static void nd_rx(struct omni_control *c, const uint8_t *frame, const uint8_t *l3, size_t len,
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
	memcpy(&eth_src, frame + 6, sizeof(eth_src));
	if (nd.has_lla) {
		a.ip6 = nd.src;
		neigh_learned(c, &a, &nd.lla, now);
	}
	if (memcmp(&nd.target, &l->ip6, 16) && memcmp(&nd.target, &l->ip6_ll, 16))
		return;
	m = frame_alloc(c, &buf, &cap);
	if (!m)
		return;
	c->stats.nd_replies++;
	frame_send(c, m, net_nd_na_frame(buf, cap, &nd, &eth_src, &l->mac, NET_NA_FLAG_OVERRIDE),
		   false);
}

void omni_control_neigh_rx(struct omni_control *c, struct rte_mbuf *m, enum net_class cls,
			   const struct net_udp_view *v, uint64_t now)
{
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);

	if (cls == NET_ARP)
		arp_rx(c, frame + v->l3_off, m->data_len - v->l3_off, now);
	else
		nd_rx(c, frame, frame + v->l3_off, m->data_len - v->l3_off, now);
	rte_pktmbuf_free(m);
}

/* Is addr routed to a peer? Then the host may ask us for its MAC. */
static bool routed(const struct omni_dataplane *dp, int family, const uint8_t *addr)
{
	uint32_t v4;

	/* The cluster's network too: the nucleus is asked when a packet comes. */
	if (omni_dp_in_cluster(dp, family == NET_AF_IP4, addr))
		return true;
	if (family == NET_AF_IP4) {
		memcpy(&v4, addr, 4);
		return omni_allowedips_lookup4(dp->aips, v4) != OMNI_PEER_NONE;
	}
	return omni_allowedips_lookup6(dp->aips, addr) != OMNI_PEER_NONE;
}

/* The answer to an ARP request or NS from the host, or 0 bytes for none. */
static size_t proxy_answer(struct omni_control *c, const uint8_t *frame, size_t len,
			   const struct net_eth *eth, uint8_t *buf, size_t cap)
{
	static const struct net_ip6 unspecified;
	struct omni_dataplane *dp = c->dp;
	struct net_mac eth_src;
	struct net_arp arp;
	struct net_nd nd;

	memcpy(&eth_src, frame + 6, sizeof(eth_src));
	if (eth->type == NET_ETH_ARP &&
	    net_arp_parse(frame + eth->hdr_len, len - eth->hdr_len, &arp) == NET_DROP_OK &&
	    arp.op == NET_ARP_REQUEST && routed(dp, NET_AF_IP4, arp.tpa.b))
		return net_arp_frame_reply(buf, cap, &arp, &dp->host_our_mac);
	/* Not for duplicate address detection (source ::): never claim the
	 * host's own addresses. */
	if (eth->type == NET_ETH_IP6 &&
	    net_nd_ns_parse(frame + eth->hdr_len, len - eth->hdr_len, &nd) == NET_DROP_OK &&
	    memcmp(&nd.src, &unspecified, sizeof(nd.src)) && routed(dp, NET_AF_IP6, nd.target.b))
		return net_nd_na_frame(buf, cap, &nd, &eth_src, &dp->host_our_mac,
				       NET_NA_FLAG_ROUTER | NET_NA_FLAG_OVERRIDE);
	return 0;
}

/*
 * The host asks for the MAC of an address behind the tunnel: answer with
 * ours, like a router (proxy ARP / ND). Anything else is left unanswered.
 */
void omni_control_host_rx(struct omni_control *c, struct rte_mbuf *m)
{
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);
	struct net_eth eth;
	struct rte_mbuf *out;
	uint8_t *buf;
	size_t cap;

	if (net_eth_parse(frame, m->data_len, &eth) == NET_DROP_OK) {
		memcpy(&c->dp->host_kernel_mac, frame + 6, sizeof(struct net_mac));
		out = frame_alloc(c, &buf, &cap);
		if (out)
			frame_send(c, out, proxy_answer(c, frame, m->data_len, &eth, buf, cap), true);
	}
	rte_pktmbuf_free(m);
}

void omni_control_send_udp_to(struct omni_control *c, const struct net_addr *dst,
			      uint16_t port, const struct net_mac *mac, const void *msg,
			      uint32_t len)
{
	struct net_encap_params p = { .vlan_tci = -1, .dst = *dst, .dst_port = port };
	struct net_encap e;
	struct rte_mbuf *m = rte_pktmbuf_alloc(c->pool);
	uint8_t *payload;
	size_t frame;

	if (!m)
		return;
	p.src_mac = c->dp->local.mac;
	p.dst_mac = *mac;
	p.src.family = dst->family;
	if (dst->family == NET_AF_IP4)
		p.src.ip4 = c->dp->local.ip4;
	else
		p.src.ip6 = c->dp->local.ip6;
	p.src_port = c->dp->local.port;
	p.csum = NET_UDP_CSUM_FULL;
	payload = rte_pktmbuf_mtod(m, uint8_t *);
	if (net_encap_init(&e, &p) != 0 || len > rte_pktmbuf_tailroom(m)) {
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(payload, msg, len);
	frame = net_encap_push(&e, payload, rte_pktmbuf_headroom(m), len, 0);
	m->data_off = (uint16_t)(m->data_off - e.hdr_len);
	frame_send(c, m, frame, false);
}

bool omni_control_send_udp(struct omni_control *c, struct omni_dp_peer *peer, const void *msg,
			   uint32_t len)
{
	const struct omni_path *path = peer->path;
	struct rte_mbuf *m;
	uint8_t *payload;
	size_t frame;

	if (!path)
		return false;
	m = rte_pktmbuf_alloc(c->pool);
	if (!m)
		return false;
	payload = rte_pktmbuf_mtod(m, uint8_t *);
	memcpy(payload, msg, len);
	frame = net_encap_push(&path->encap, payload, rte_pktmbuf_headroom(m), len, 0);
	m->data_off = (uint16_t)(m->data_off - path->encap.hdr_len);
	frame_send(c, m, frame, false);
	return frame != 0;
}

/* Seals the inner packet at pkt + 16 in m and sends it to the peer. */
static bool seal_send(struct omni_control *c, struct omni_dp_peer *peer, struct rte_mbuf *m,
		      uint8_t *pkt, uint32_t inner_len, uint64_t now)
{
	struct omni_keypair *kp = peer->tx;
	const struct omni_path *path = peer->path;
	struct wg_aead_op op;
	uint32_t len;
	size_t frame;

	if (!kp || !path ||
	    pkt + sizeof(struct wg_msg_data) + c->dp->mtu + WG_AEAD_TAG_LEN >
		    (uint8_t *)m->buf_addr + m->buf_len ||
	    pkt - path->encap.hdr_len < (uint8_t *)m->buf_addr ||
	    wg_transport_seal_prepare(&kp->wg, pkt, inner_len, c->dp->mtu, now, &op, &len) != WG_OK ||
	    wg_aead_seal_burst(c->aead, &op, 1) != 1) {
		rte_pktmbuf_free(m);
		return false;
	}
	frame = net_encap_push(&path->encap, pkt, (size_t)(pkt - (uint8_t *)m->buf_addr), len, 0);
	m->data_off = (uint16_t)(pkt - path->encap.hdr_len - (uint8_t *)m->buf_addr);
	__atomic_store_n(&peer->last_tx_ns, now, __ATOMIC_RELAXED);
	if (inner_len)
		__atomic_store_n(&peer->last_data_tx_ns, now, __ATOMIC_RELAXED);
	frame_send(c, m, frame, false);
	return true;
}

void omni_control_send_data(struct omni_control *c, struct omni_dp_peer *peer,
			    struct rte_mbuf *m, uint64_t now)
{
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	struct net_eth eth;
	int inner_len;

	if (net_eth_parse(frame, m->data_len, &eth) != NET_DROP_OK) {
		rte_pktmbuf_free(m);
		return;
	}
	inner_len = wg_transport_inner_len(frame + eth.hdr_len, m->data_len - eth.hdr_len);
	if (inner_len <= 0) {
		rte_pktmbuf_free(m);
		return;
	}
	if (seal_send(c, peer, m, frame + eth.hdr_len - sizeof(struct wg_msg_data),
		      (uint32_t)inner_len, now))
		c->stats.staged_sent++;
}

void omni_control_send_keepalive(struct omni_control *c, struct omni_dp_peer *peer, uint64_t now)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(c->pool);

	if (!m)
		return;
	if (seal_send(c, peer, m, rte_pktmbuf_mtod(m, uint8_t *), 0, now))
		c->stats.keepalives_sent++;
}

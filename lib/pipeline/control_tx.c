/* SPDX-License-Identifier: MIT */
/*
 * What the control lcore sends: frames it builds (ARP/ND, replies), UDP
 * from our listen port (handshakes, signaling, STUN), and data it seals
 * itself (packets that waited for a session, keepalives). Everything
 * leaves through a worker's queues, or directly in single-lcore mode.
 */
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "wg/transport.h"

#include "control_int.h"

/* Control's frames leave through a worker, or directly in single-lcore mode. */
static void tx_frame(struct pl_control *c, uint16_t port, uint16_t queue, struct rte_mbuf *m)
{
	struct rte_ring *r = c->dp->from_control;

	m->port = port;
	if (r ? rte_ring_sp_enqueue(r, m) != 0 : rte_eth_tx_burst(port, queue, &m, 1) != 1)
		rte_pktmbuf_free(m);
}

/* An mbuf for what control sends; an empty pool is counted. */
static struct rte_mbuf *mbuf_alloc(struct pl_control *c)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(c->pool);

	if (!m)
		c->stats.drops[PL_DROP_NO_MBUF]++;
	return m;
}

struct rte_mbuf *pl_control_frame_alloc(struct pl_control *c, uint8_t **buf, size_t *cap)
{
	struct rte_mbuf *m = mbuf_alloc(c);

	if (!m)
		return NULL;
	*buf = rte_pktmbuf_mtod(m, uint8_t *);
	*cap = rte_pktmbuf_tailroom(m);
	return m;
}

void pl_control_frame_send(struct pl_control *c, struct rte_mbuf *m, size_t len, bool host)
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

/* The outer headers from our address and port to dst:port through the
 * next hop mac. */
static int encap_to(const struct pl_control *c, const struct net_addr *dst, uint16_t port,
		    uint16_t channel, const struct net_mac *mac, enum net_udp_csum csum,
		    struct net_encap *e)
{
	struct net_encap_params p = { .vlan_tci = -1,
				      .dst = *dst,
				      .dst_port = port,
				      .csum = csum,
				      .channel = channel };

	p.src_mac = c->dp->local.mac;
	p.dst_mac = *mac;
	p.src.family = dst->family;
	if (dst->family == NET_AF_IP4)
		p.src.ip4 = c->dp->local.ip4;
	else
		p.src.ip6 = c->dp->local.ip6;
	p.src_port = c->dp->local.port;
	return net_encap_init(e, &p);
}

/* The IPv4 TTL (header checksum updated, RFC 1624) or IPv6 hop limit of
 * the frame encapsulated by e. */
static void set_ttl(const struct net_encap *e, uint8_t *frame, uint8_t ttl)
{
	uint8_t *ip = frame + e->l3_off;
	uint16_t old, csum;

	if (e->family == NET_AF_IP6) {
		ip[NET_IP6_OFF_HOPS] = ttl;
		return;
	}
	old = net_get_be16(ip + NET_IP4_OFF_TTL);
	ip[NET_IP4_OFF_TTL] = ttl;
	csum = net_csum_replace16(net_get_be16(ip + NET_IP4_OFF_CSUM), old,
				  net_get_be16(ip + NET_IP4_OFF_TTL));
	net_put_be16(ip + NET_IP4_OFF_CSUM, csum);
}

static void send_udp(struct pl_control *c, const struct net_addr *dst, uint16_t port,
		     uint16_t channel, const struct net_mac *mac, const void *msg, uint32_t len,
		     uint8_t ttl)
{
	struct net_encap e;
	struct rte_mbuf *m = mbuf_alloc(c);
	uint8_t *payload;
	size_t frame;

	if (!m)
		return;
	payload = rte_pktmbuf_mtod(m, uint8_t *);
	if (encap_to(c, dst, port, channel, mac, NET_UDP_CSUM_FULL, &e) != 0 ||
	    len > rte_pktmbuf_tailroom(m)) {
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(payload, msg, len);
	frame = net_encap_push(&e, payload, rte_pktmbuf_headroom(m), len, 0);
	m->data_off = (uint16_t)(m->data_off - e.hdr_len);
	if (ttl && frame)
		set_ttl(&e, rte_pktmbuf_mtod(m, uint8_t *), ttl);
	pl_control_frame_send(c, m, frame, false);
}

bool pl_control_send_udp_ttl(struct pl_control *c, const struct net_addr *dst, uint16_t port,
			     const void *msg, uint32_t len, uint8_t ttl, uint64_t now)
{
	const struct net_local *l = &c->dp->local;
	static const uint8_t zero[16];
	struct pl_neigh *n;

	if (dst->family == NET_AF_IP4 ? !memcmp(l->ip4.b, zero, 4) : !memcmp(l->ip6.b, zero, 16))
		return false; /* no address of that family on the underlay */
	n = pl_control_neigh_resolve(c, dst, now);
	if (!n)
		return false;
	send_udp(c, dst, port, 0, &n->mac, msg, len, ttl);
	return true;
}

bool pl_control_send_udp_addr(struct pl_control *c, const struct net_addr *dst, uint16_t port,
			      const void *msg, uint32_t len, uint64_t now)
{
	return pl_control_send_udp_ttl(c, dst, port, msg, len, 0, now);
}

void pl_control_send_udp_to(struct pl_control *c, const struct net_udp_view *v, const void *msg,
			    uint32_t len)
{
	send_udp(c, &v->src, v->src_port, v->channel, &v->src_mac, msg, len, 0);
}

bool pl_control_send_udp(struct pl_control *c, struct pl_peer *peer, const void *msg, uint32_t len)
{
	const struct pl_path *path = peer->path;
	struct rte_mbuf *m;
	uint8_t *payload;
	size_t frame;

	if (!path)
		return false;
	m = mbuf_alloc(c);
	if (!m)
		return false;
	payload = rte_pktmbuf_mtod(m, uint8_t *);
	memcpy(payload, msg, len);
	frame = net_encap_push(&path->encap, payload, rte_pktmbuf_headroom(m), len, 0);
	m->data_off = (uint16_t)(m->data_off - path->encap.hdr_len);
	pl_control_frame_send(c, m, frame, false);
	return frame != 0;
}

/* Seals the inner packet at pkt + 16 in m and sends it to the peer, with
 * the outer headers encap (NULL: none, not sent). */
static bool seal_send(struct pl_control *c, struct pl_peer *peer, const struct net_encap *encap,
		      struct rte_mbuf *m, uint8_t *pkt, uint32_t inner_len, uint64_t now)
{
	struct pl_keypair *kp = peer->tx;
	struct wg_aead_op op;
	uint32_t len;
	size_t frame;

	if (!kp || !encap ||
	    pkt + sizeof(struct wg_msg_data) + c->dp->mtu + WG_AEAD_TAG_LEN >
		    (uint8_t *)m->buf_addr + m->buf_len ||
	    pkt - encap->hdr_len < (uint8_t *)m->buf_addr ||
	    wg_transport_seal_prepare(&kp->wg, pkt, inner_len, c->dp->mtu, now, &op, &len) !=
		    WG_OK ||
	    wg_aead_seal_burst(c->aead, &op, 1) != 1) {
		rte_pktmbuf_free(m);
		return false;
	}
	frame = net_encap_push(encap, pkt, (size_t)(pkt - (uint8_t *)m->buf_addr), len, 0);
	m->data_off = (uint16_t)(pkt - encap->hdr_len - (uint8_t *)m->buf_addr);
	__atomic_store_n(&peer->last_tx_ns, now, __ATOMIC_RELAXED);
	if (inner_len)
		__atomic_store_n(&peer->last_data_tx_ns, now, __ATOMIC_RELAXED);
	pl_control_frame_send(c, m, frame, false);
	return true;
}

static const struct net_encap *peer_encap(const struct pl_peer *peer)
{
	return peer->path ? &peer->path->encap : NULL;
}

void pl_control_send_data(struct pl_control *c, struct pl_peer *peer, struct rte_mbuf *m,
			  uint64_t now)
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
	if (seal_send(c, peer, peer_encap(peer), m,
		      frame + eth.hdr_len - sizeof(struct wg_msg_data), (uint32_t)inner_len, now))
		c->stats.staged_sent++;
}

void pl_control_send_keepalive(struct pl_control *c, struct pl_peer *peer, uint64_t now)
{
	struct rte_mbuf *m = mbuf_alloc(c);

	if (!m)
		return;
	if (seal_send(c, peer, peer_encap(peer), m, rte_pktmbuf_mtod(m, uint8_t *), 0, now))
		c->stats.keepalives_sent++;
}

void pl_control_send_keepalive_to(struct pl_control *c, struct pl_peer *peer,
				  const struct net_udp_view *v, uint64_t now)
{
	struct net_encap e;
	struct rte_mbuf *m;

	if (encap_to(c, &v->src, v->src_port, v->channel, &v->src_mac,
		     v->src.family == NET_AF_IP4 ? NET_UDP_CSUM_NONE : NET_UDP_CSUM_FULL, &e) != 0)
		return;
	m = mbuf_alloc(c);
	if (m && seal_send(c, peer, &e, m, rte_pktmbuf_mtod(m, uint8_t *), 0, now))
		c->stats.keepalives_sent++;
}

/* SPDX-License-Identifier: MIT */
/*
 * Host -> underlay: route each inner packet to its peer by AllowedIPs, seal
 * the burst across peers in one AEAD call, push the peer's outer headers in
 * front, send. Packets of a peer without a usable session wait (bounded)
 * for the control lcore to finish a handshake.
 */
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "wg/messages.h"
#include "wg/transport.h"

#include "worker_int.h"

/* ARP and neighbour solicitations from the host are answered by control. */
static bool for_control(const struct net_eth *eth, const uint8_t *l3, uint32_t len)
{
	if (eth->type == NET_ETH_ARP)
		return true;
	return eth->type == NET_ETH_IP6 && len > NET_IP6_HLEN &&
	       l3[NET_IP6_OFF_NEXT] == NET_PROTO_ICMP6 &&
	       l3[NET_IP6_HLEN + NET_ICMP_OFF_TYPE] == NET_ICMP6_ND_NS;
}

static uint32_t route(const struct pl_dataplane *dp, const uint8_t *inner)
{
	const struct pl_allowedips *aips = __atomic_load_n(&dp->aips, __ATOMIC_ACQUIRE);
	uint32_t v4;

	if (net_ip_version(inner) == 4) {
		memcpy(&v4, inner + NET_IP4_OFF_DST, 4);
		return pl_allowedips_lookup4(aips, v4);
	}
	return pl_allowedips_lookup6(aips, inner + NET_IP6_OFF_DST);
}

/* Inside the cluster's VIP network, where the nucleus knows who is who. */
static bool in_cluster(const struct pl_dataplane *dp, const uint8_t *inner)
{
	bool v4 = net_ip_version(inner) == 4;

	return pl_in_cluster(dp, v4, inner + (v4 ? NET_IP4_OFF_DST : NET_IP6_OFF_DST));
}

/*
 * The host sent more than the tunnel carries: tell it, as a router would.
 * We have no address of our own on the host link, so the error comes from
 * the address the packet was for (the kernel takes path MTU news from any
 * source; its own address would look like a martian).
 */
static void too_big(struct pl_worker *w, struct rte_mbuf *m, const uint8_t *inner)
{
	struct pl_dataplane *dp = w->dp;
	struct rte_mbuf *err = rte_pktmbuf_alloc(m->pool);
	struct net_ip4 src4;
	struct net_ip6 src6;
	size_t len = 0;

	memcpy(src4.b, inner + NET_IP4_OFF_DST, sizeof(src4.b));
	memcpy(src6.b, inner + NET_IP6_OFF_DST, sizeof(src6.b));
	if (err)
		len = net_too_big_frame(rte_pktmbuf_mtod(err, uint8_t *), rte_pktmbuf_tailroom(err),
					rte_pktmbuf_mtod(m, uint8_t *), m->data_len,
					&dp->host_our_mac, &src4, &src6, dp->mtu);
	pl_worker_drop(w, m, PL_DROP_TOO_BIG);
	if (!err) {
		w->stats.drops[PL_DROP_NO_MBUF]++; /* the ICMP error */
		return;
	}
	if (len == 0) {
		rte_pktmbuf_free(err);
		return;
	}
	err->data_len = err->pkt_len = (uint32_t)len;
	pl_worker_tx(w, w->host_port, w->host_txq, &err, 1);
}

static void stage(struct pl_worker *w, struct pl_peer *peer, struct rte_mbuf *m,
		  bool want_handshake)
{
	if (want_handshake)
		__atomic_store_n(&peer->want_handshake, 1, __ATOMIC_RELAXED);
	if (!peer->staged || rte_ring_mp_enqueue(peer->staged, m) != 0)
		pl_worker_drop(w, m, PL_DROP_NO_KEY);
	else
		w->stats.staged++;
}

/* Stage 1: checks and route; false when the frame went elsewhere. The
 * peer's lines are fetched while the rest of the burst is routed. */
static bool route_frame(struct pl_worker *w, struct rte_mbuf *m, struct pl_tx_item *it)
{
	struct pl_dataplane *dp = w->dp;
	uint8_t *data = rte_pktmbuf_mtod(m, uint8_t *);
	struct net_eth eth;
	enum net_drop bad;
	uint32_t id;
	int inner_len;
	uint8_t *inner;

	if (m->nb_segs != 1) {
		pl_worker_drop(w, m, PL_DROP_MULTI_SEG);
		return false;
	}
	bad = net_eth_parse(data, m->data_len, &eth);
	if (bad != NET_DROP_OK) {
		pl_worker_drop(w, m, pl_drop_of_net(bad));
		return false;
	}
	inner = data + eth.hdr_len;
	if (for_control(&eth, inner, m->data_len - eth.hdr_len)) {
		pl_worker_to_control(w, m, PL_CTL_HOST_NEIGH, NULL);
		return false;
	}
	inner_len = wg_transport_inner_len(inner, m->data_len - eth.hdr_len);
	if ((eth.type != NET_ETH_IP4 && eth.type != NET_ETH_IP6) || inner_len <= 0) {
		pl_worker_drop(w, m, PL_DROP_BAD_INNER);
		return false;
	}
	id = route(dp, inner);
	if (id >= dp->max_peers) {
		if (in_cluster(dp, inner)) {
			/* Control asks the nucleus who has it; the packet waits. */
			pl_worker_to_control(w, m, PL_CTL_HOST_MISS, NULL);
		} else {
			pl_worker_drop(w, m, PL_DROP_NO_ROUTE);
		}
		return false;
	}
	if ((uint32_t)inner_len > dp->mtu) {
		too_big(w, m, inner);
		return false;
	}
	it->m = m;
	it->peer = &dp->peers[id];
	it->pkt = inner - sizeof(struct wg_msg_data);
	it->inner_len = (uint32_t)inner_len;
	rte_prefetch0(it->peer);
	rte_prefetch0_write(&it->peer->last_rx_ns);
	/* The lines the seal and the outer headers write that the frame does
	 * not cover: the headroom before it, the padding and tag after. */
	rte_prefetch0_write(it->pkt - NET_ENCAP_MAX_HLEN);
	rte_prefetch0_write(it->pkt);
	rte_prefetch0_write(inner + inner_len);
	return true;
}

/* Stage 2: the keypair and path, their lines on their way. */
static void fetch_peer(struct pl_tx_item *it)
{
	it->kp = __atomic_load_n(&it->peer->tx, __ATOMIC_ACQUIRE);
	it->path = __atomic_load_n(&it->peer->path, __ATOMIC_ACQUIRE);
	if (it->kp) {
		rte_prefetch0(it->kp);
		rte_prefetch0_write((uint8_t *)it->kp + RTE_CACHE_LINE_SIZE);
	}
	if (it->path) {
		rte_prefetch0(it->path);
		rte_prefetch0((const uint8_t *)it->path + RTE_CACHE_LINE_SIZE);
	}
}

/* Stage 3: the checks and the counter; false when the frame went elsewhere. */
static bool reserve(struct pl_worker *w, struct pl_tx_item *it, uint64_t now, uint64_t *counter)
{
	struct pl_dataplane *dp = w->dp;
	struct rte_mbuf *m = it->m;
	struct pl_keypair *kp = it->kp;
	uint8_t *inner = it->pkt + sizeof(struct wg_msg_data);
	enum wg_result r;

	if (!kp || !it->path || !wg_keypair_can_send(&kp->wg, now)) {
		stage(w, it->peer, m, true);
		return false;
	}
	/* The peer was just seen at a new address and control has not moved
	 * its path yet: hold the packet (often the reply to the one that
	 * moved it) rather than send it where the peer no longer is. */
	if (__atomic_load_n(&it->peer->roam_pending, __ATOMIC_ACQUIRE)) {
		stage(w, it->peer, m, false);
		return false;
	}
	/* Room for the padding and tag after, the outer headers before (the
	 * largest there is: the path's lines are not needed before the seal). */
	if (inner + dp->mtu + WG_AEAD_TAG_LEN > (uint8_t *)m->buf_addr + m->buf_len ||
	    it->pkt - NET_ENCAP_MAX_HLEN < (uint8_t *)m->buf_addr) {
		pl_worker_drop(w, m, PL_DROP_NO_ROOM);
		return false;
	}
	/* The keypair may expire or run out of counters since it was checked. */
	r = wg_transport_seal_reserve(&kp->wg, it->inner_len, now, counter);
	if (r != WG_OK) {
		pl_worker_drop(w, m, pl_drop_of_wg(r));
		return false;
	}
	if (wg_keypair_should_rekey_on_send(&kp->wg, now))
		__atomic_store_n(&it->peer->want_handshake, 1, __ATOMIC_RELAXED);
	return true;
}

/* After sealing: outer headers in front, mbuf bounds set to the frame.
 * False when they do not fit: reserve() made sure of the headroom, so only
 * a message too long for one outer IP packet, no room either way. */
static bool encapsulate(struct pl_worker *w, struct pl_tx_item *it, uint64_t now)
{
	struct rte_mbuf *m = it->m;
	uint8_t *base = m->buf_addr;
	size_t frame;

	frame = net_encap_push(&it->path->encap, it->pkt, (size_t)(it->pkt - base), it->len,
			       w->ip_id++);
	if (frame == 0)
		return false;
	m->data_off = (uint16_t)(it->pkt - it->path->encap.hdr_len - base);
	m->data_len = (uint16_t)frame;
	m->pkt_len = (uint32_t)frame;
	__atomic_store_n(&it->peer->last_tx_ns, now, __ATOMIC_RELAXED);
	__atomic_store_n(&it->peer->last_data_tx_ns, now, __ATOMIC_RELAXED);
	__atomic_fetch_add(&it->peer->tx_bytes, frame, __ATOMIC_RELAXED);
	w->stats.tx_packets++;
	w->stats.tx_bytes += it->inner_len;
	return true;
}

void pl_worker_seal_send(struct pl_worker *w, struct pl_tx_item *items, unsigned r, uint64_t now)
{
	struct pl_tx_item *live[PL_TX_ITEMS_MAX];
	struct rte_mbuf *out[PL_TX_ITEMS_MAX];
	struct wg_aead_op ops[PL_TX_ITEMS_MAX];
	uint64_t counters[PL_TX_ITEMS_MAX];
	unsigned i, k = 0, n_out = 0;

	for (i = 0; i < r; i++)
		fetch_peer(&items[i]);
	/* Every counter first, then the writes: each counter is an atomic
	 * operation, which would wait for the stores before it. */
	for (i = 0; i < r; i++)
		if (reserve(w, &items[i], now, &counters[k]))
			live[k++] = &items[i];
	for (i = 0; i < k; i++)
		wg_transport_seal_fill(&live[i]->kp->wg, live[i]->pkt, live[i]->inner_len,
				       w->dp->mtu, counters[i], &ops[i], &live[i]->len);
	if (k)
		wg_aead_seal_burst(w->aead, ops, k);
	for (i = 0; i < k; i++) {
		if (ops[i].status != 0)
			pl_worker_drop(w, live[i]->m, PL_DROP_CRYPTO_FAILED);
		else if (!encapsulate(w, live[i], now))
			pl_worker_drop(w, live[i]->m, PL_DROP_NO_ROOM);
		else
			out[n_out++] = live[i]->m;
	}
	pl_worker_tx(w, w->under_port, w->under_txq, out, n_out);
}

unsigned pl_worker_host_rx(struct pl_worker *w)
{
	struct rte_mbuf *pkts[PL_BURST];
	struct pl_tx_item items[PL_BURST];
	unsigned i, n, r = 0;
	uint64_t now;

	n = rte_eth_rx_burst(w->host_port, w->host_rxq, pkts, PL_BURST);
	if (n == 0)
		return 0;
	now = pl_now_ns(w->dp);
	if (w->dp->l2.on) {
		pl_l2_host_burst(w, pkts, n, now);
		return n;
	}
	for (i = 0; i < n; i++) {
		if (i + 3 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 3], void *));
		if (route_frame(w, pkts[i], &items[r]))
			r++;
	}
	pl_worker_seal_send(w, items, r, now);
	return n;
}

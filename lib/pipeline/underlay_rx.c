/* SPDX-License-Identifier: MIT */
/*
 * Underlay -> host: classify, look up sessions in bulk, decrypt the whole
 * burst across peers in one AEAD call, check replay and AllowedIPs, hand
 * the inner packets to the host port with an Ethernet header.
 */
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "wg/messages.h"
#include "wg/parse.h"
#include "wg/transport.h"

#include "worker_int.h"

struct rx_item {
	struct rte_mbuf *m;
	uint8_t *pkt; /* WireGuard message */
	uint32_t len;
	struct pl_keypair *kp;
	struct net_addr src;
	uint16_t src_port;
	uint16_t channel;
	struct net_mac src_mac;
};

/*
 * TURN ChannelData (first byte 0x40, wire.h): only from our relay, with a
 * length that fits. v then describes the message inside, and the channel
 * it came on (the peer's, as the relay bound it). False: drop it.
 */
static bool unwrap_channel(const struct pl_dataplane *dp, const uint8_t *data,
			   struct net_udp_view *v)
{
	const uint8_t *p = data + v->payload_off;
	uint32_t sn;
	bool ours;

	if (v->payload_len < NET_TURN_CHANNEL_HLEN ||
	    net_get_be16(p + 2) > v->payload_len - NET_TURN_CHANNEL_HLEN)
		return false;
	do {
		sn = rte_seqlock_read_begin(&dp->relay_lock);
		ours = net_endpoint_is(&dp->relay, &v->src, v->src_port);
	} while (rte_seqlock_read_retry(&dp->relay_lock, sn));
	if (!ours)
		return false;
	v->channel = net_get_be16(p);
	v->payload_len = net_get_be16(p + 2);
	v->payload_off += NET_TURN_CHANNEL_HLEN;
	return true;
}

/* Sorts one frame; data messages are appended to items. */
static void classify(struct pl_worker *w, struct rte_mbuf *m, struct rx_item *items,
		     unsigned *n_items)
{
	uint8_t *data = rte_pktmbuf_mtod(m, uint8_t *);
	struct net_udp_view v;
	enum wg_message_type type;
	enum wg_result r;
	uint8_t *pkt;

	if (m->nb_segs != 1) {
		pl_worker_drop(w, m, PL_DROP_MULTI_SEG);
		return;
	}
	switch (net_classify_underlay(data, m->data_len, &w->dp->local, &v)) {
	case NET_UDP_TO_US:
		break;
	case NET_ARP:
		pl_worker_to_control(w, m, PL_CTL_ARP, &v);
		return;
	case NET_ND:
		pl_worker_to_control(w, m, PL_CTL_ND, &v);
		return;
	case NET_OTHER:
		pl_worker_drop(w, m, PL_DROP_NOT_OURS);
		return;
	case NET_MALFORMED:
		pl_worker_drop(w, m, pl_drop_of_net(v.reason));
		return;
	}
	if (v.payload_len && data[v.payload_off] == NET_TURN_CHANNEL_BYTE &&
	    !unwrap_channel(w->dp, data, &v)) {
		pl_worker_drop(w, m, PL_DROP_BAD_CHANNEL);
		return;
	}
	pkt = data + v.payload_off;
	r = wg_message_parse(pkt, v.payload_len, &type);
	if (r == WG_BAD_SIZE) {
		/* A WireGuard header at a size no WireGuard message has. */
		pl_worker_drop(w, m, PL_DROP_BAD_MESSAGE);
		return;
	}
	if (r != WG_OK) {
		/* Not WireGuard: nucleus signaling and STUN answers are control's
		 * (it checks where they came from), when a nucleus is set. */
		if (v.channel)
			pl_worker_drop(w, m, PL_DROP_UNKNOWN_PROTO); /* relayed: WireGuard only */
		else if (w->dp->other_udp_to_control && net_is_signaling(pkt, v.payload_len))
			pl_worker_to_control(w, m, PL_CTL_SIGNALING, &v);
		else if (w->dp->other_udp_to_control && net_is_stun(pkt, v.payload_len))
			pl_worker_to_control(w, m, PL_CTL_STUN, &v);
		else
			pl_worker_drop(w, m, PL_DROP_UNKNOWN_PROTO);
		return;
	}
	if (type != WG_MSG_DATA) {
		pl_worker_to_control(w, m, PL_CTL_HANDSHAKE, &v);
		return;
	}
	items[*n_items] = (struct rx_item){ .m = m,
					    .pkt = pkt,
					    .len = v.payload_len,
					    .src = v.src,
					    .src_port = v.src_port,
					    .channel = v.channel,
					    .src_mac = v.src_mac };
	(*n_items)++;
}

/* The inner source must route back to the peer that sent it. */
static bool source_allowed(const struct pl_dataplane *dp, const uint8_t *inner,
			   const struct pl_peer *peer)
{
	const struct pl_allowedips *aips = __atomic_load_n(&dp->aips, __ATOMIC_ACQUIRE);
	uint32_t v4;

	if (net_ip_version(inner) == 4) {
		memcpy(&v4, inner + NET_IP4_OFF_SRC, 4);
		return pl_allowedips_lookup4(aips, v4) == peer->id;
	}
	return pl_allowedips_lookup6(aips, inner + NET_IP6_OFF_SRC) == peer->id;
}

static void note_received(struct pl_worker *w, struct rx_item *it, uint64_t now, bool data)
{
	struct pl_peer *peer = it->kp->peer;

	__atomic_store_n(&peer->last_rx_ns, now, __ATOMIC_RELAXED);
	if (data)
		__atomic_store_n(&peer->last_data_rx_ns, now, __ATOMIC_RELAXED);
	__atomic_fetch_add(&peer->rx_bytes, it->len, __ATOMIC_RELAXED);
	/* A packet on a keypair that is not the one we send with: maybe a
	 * responder's next keypair, confirmed now. Control decides. */
	if (it->kp != __atomic_load_n(&peer->tx, __ATOMIC_RELAXED) &&
	    !__atomic_exchange_n(&it->kp->confirm_posted, 1, __ATOMIC_RELAXED))
		__atomic_store_n(&peer->confirm, it->kp, __ATOMIC_RELEASE);
	if (wg_keypair_should_rekey_on_receive(&it->kp->wg, now))
		__atomic_store_n(&peer->want_handshake, 1, __ATOMIC_RELAXED);
	pl_worker_note_endpoint(w, peer, &it->src, it->src_port, it->channel, &it->src_mac);
}

/*
 * Turns the decrypted message in place into an Ethernet frame for the host.
 * The mbuf is one segment (classify() made sure), so its bounds are set
 * directly: rte_pktmbuf_trim() would walk to the last segment, reading a
 * line of the mbuf that nothing else here touches.
 */
static bool to_host_frame(struct pl_worker *w, struct rx_item *it, int inner_len)
{
	struct rte_mbuf *m = it->m;
	uint8_t *inner = it->pkt + sizeof(struct wg_msg_data);
	uint8_t *frame = inner - NET_ETH_HLEN;
	uint16_t type = net_ip_version(inner) == 4 ? NET_ETH_IP4 : NET_ETH_IP6;
	uint32_t off = (uint32_t)(frame - rte_pktmbuf_mtod(m, uint8_t *));
	uint32_t len = NET_ETH_HLEN + (uint32_t)inner_len;

	if (off + len > m->data_len)
		return false;
	net_eth_build(frame, NET_ETH_HLEN, &w->dp->host_kernel_mac, &w->dp->host_our_mac, type);
	m->data_off = (uint16_t)(m->data_off + off);
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
	return true;
}

static void finish_one(struct pl_worker *w, struct rx_item *it, struct wg_aead_op *op, uint64_t now,
		       struct rte_mbuf **out, unsigned *n_out)
{
	enum wg_result r = wg_transport_open_finish(&it->kp->wg, op);
	uint8_t *inner = it->pkt + sizeof(struct wg_msg_data);
	int inner_len;

	if (r != WG_OK) {
		pl_worker_drop(w, it->m, pl_drop_of_wg(r));
		return;
	}
	inner_len = wg_transport_inner_len(inner, op->len);
	if (inner_len < 0) {
		pl_worker_drop(w, it->m, PL_DROP_BAD_INNER);
		return;
	}
	if (inner_len > 0 && !source_allowed(w->dp, inner, it->kp->peer)) {
		pl_worker_drop(w, it->m, PL_DROP_SRC_NOT_ALLOWED);
		return;
	}
	note_received(w, it, now, inner_len > 0);
	if (inner_len == 0) {
		w->stats.keepalives_rx++;
		rte_pktmbuf_free(it->m); /* keepalive: timers only */
		return;
	}
	if (w->dp->l2.on) {
		/* L2 mode: the packet is VXLAN from the peer's VIP; m becomes
		 * the frame inside (or is dropped there). */
		if (!pl_l2_to_host(w, it->m, inner, (uint32_t)inner_len, it->kp->peer, now))
			return;
	} else if (!to_host_frame(w, it, inner_len)) {
		/* Cannot happen: the inner length is within what was opened. */
		pl_worker_drop(w, it->m, PL_DROP_BAD_INNER);
		return;
	}
	w->stats.rx_packets++;
	w->stats.rx_bytes += (uint64_t)inner_len;
	out[(*n_out)++] = it->m;
}

static void decrypt(struct pl_worker *w, struct rx_item *items, unsigned n)
{
	uint32_t idx[PL_BURST];
	struct pl_keypair *kps[PL_BURST];
	struct wg_aead_op ops[PL_BURST];
	struct rx_item *live[PL_BURST];
	struct rte_mbuf *out[PL_BURST];
	uint64_t now = pl_now_ns(w->dp);
	unsigned i, n_live = 0, n_out = 0;
	enum wg_result r;

	for (i = 0; i < n; i++)
		idx[i] = wg_transport_key_index(items[i].pkt);
	pl_sessions_lookup_bulk(w->dp->sessions, idx, n, kps);
	for (i = 0; i < n; i++) {
		if (kps[i]) {
			rte_prefetch0(kps[i]);
			rte_prefetch0((uint8_t *)kps[i] + RTE_CACHE_LINE_SIZE);
			/* The replay window's top: read before the AEAD (the
			 * early reject), written after it. */
			rte_prefetch0_write(&kps[i]->wg.replay);
		}
	}
	for (i = 0; i < n; i++) {
		if (!kps[i]) {
			pl_worker_drop(w, items[i].m, PL_DROP_UNKNOWN_INDEX);
			continue;
		}
		items[i].kp = kps[i];
		r = wg_transport_open_prepare(&kps[i]->wg, items[i].pkt, items[i].len, now,
					      &ops[n_live]);
		if (r != WG_OK) {
			pl_worker_drop(w, items[i].m, pl_drop_of_wg(r));
			continue;
		}
		live[n_live++] = &items[i];
	}
	/* The peers' lines arrive while the burst is decrypted. */
	for (i = 0; i < n_live; i++) {
		struct pl_peer *peer = live[i]->kp->peer;

		rte_prefetch0(peer);
		rte_prefetch0_write(&peer->last_rx_ns);
	}
	if (n_live)
		wg_aead_open_burst(w->aead, ops, n_live);
	for (i = 0; i < n_live; i++)
		finish_one(w, live[i], &ops[i], now, out, &n_out);
	pl_worker_tx(w, w->host_port, w->host_txq, out, n_out);
}

unsigned pl_worker_underlay_rx(struct pl_worker *w)
{
	struct rte_mbuf *pkts[PL_BURST];
	struct rx_item items[PL_BURST];
	unsigned i, n, n_items = 0;

	n = rte_eth_rx_burst(w->under_port, w->under_rxq, pkts, PL_BURST);
	for (i = 0; i < n; i++) {
		if (i + 3 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 3], void *));
		classify(w, pkts[i], items, &n_items);
	}
	if (n_items)
		decrypt(w, items, n_items);
	return n;
}

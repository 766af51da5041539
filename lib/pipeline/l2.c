/* SPDX-License-Identifier: MIT */
/*
 * L2 fabric, the workers' part (docs/l2.md). omni0 is a port of one
 * Ethernet segment whose other ports are the members:
 *
 *   omni0 frame --> unicast to a MAC the FDB knows: VXLAN to that member
 *                   broadcast, multicast, unknown unicast: one copy for
 *                   each member under its flood limit
 *               --> IP + UDP 4789 + VXLAN in the headroom, from our VIP to
 *                   the member's: an inner IP packet that host_rx.c's
 *                   stages seal and send as any other
 *
 *   decrypted from a member (source already in its AllowedIPs) -->
 *   VXLAN to our VIP on our VNI --> learn its source MAC -> that member
 *   --> the frame inside to omni0. Never to another member: frames from
 *   a tunnel are not flooded (split horizon, the segment is a full mesh).
 */
#include <string.h>

#include <rte_mbuf.h>

#include "net/vxlan.h"
#include "wg/messages.h"

#include "fdb.h"
#include "worker_int.h"

/* Frames in flight to the sealing stages: flushed when full. */
struct batch {
	struct pl_tx_item items[PL_TX_ITEMS_MAX];
	unsigned n;
	uint64_t now;
};

static void flush(struct pl_worker *w, struct batch *b)
{
	pl_worker_seal_send(w, b->items, b->n, b->now);
	b->n = 0;
}

/* A tag's VID (802.1Q or 802.1ad), 0 untagged: learning is per VLAN. */
static uint16_t frame_vlan(const uint8_t *f, uint32_t len)
{
	uint16_t type = net_get_be16(f + 12);

	if ((type == 0x8100 || type == 0x88a8) && len >= NET_ETH_HLEN + 4)
		return net_get_be16(f + 14) & 0xfff;
	return 0;
}

static bool member(const struct pl_peer *p)
{
	return __atomic_load_n(&p->l2_member, __ATOMIC_ACQUIRE) != 0;
}

/*
 * The per-member flood limit, a GCRA (the virtual-scheduling form of a
 * token bucket, ATM Forum TM 4.0): one due time a member, a frame passes
 * when the due time is at most flood_burst_ns ahead of now and moves it
 * flood_gap_ns on. Relaxed atomics: two workers flooding to one member at
 * the same instant may both pass, which only loosens the limit a little.
 */
static bool flood_allowed(const struct pl_l2 *l2, struct pl_peer *p, uint64_t now)
{
	uint64_t tat = __atomic_load_n(&p->flood_tat, __ATOMIC_RELAXED);

	if (tat < now)
		tat = now;
	if (tat - now > l2->flood_burst_ns)
		return false;
	__atomic_store_n(&p->flood_tat, tat + l2->flood_gap_ns, __ATOMIC_RELAXED);
	return true;
}

/*
 * The VXLAN header in front of m's frame, to peer's VIP, and m into the
 * batch. The frame moves back in its buffer when the headroom cannot take
 * the headers (an IPv6 segment: 56 + 16 + the outer 62 is more than the
 * usual 128 bytes).
 */
static void emit(struct pl_worker *w, struct batch *b, struct rte_mbuf *m, struct pl_peer *peer,
		 uint16_t sport)
{
	const struct pl_l2 *l2 = &w->dp->l2;
	uint32_t hlen = net_vxlan_hdr_len(l2->vip.family), flen = m->data_len;
	uint32_t need = hlen + sizeof(struct wg_msg_data) + NET_ENCAP_MAX_HLEN;
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	struct pl_tx_item *it;
	struct net_addr dst;

	if (rte_pktmbuf_headroom(m) < need) {
		uint16_t d = (uint16_t)(need - rte_pktmbuf_headroom(m));

		if (rte_pktmbuf_tailroom(m) < d + w->dp->mtu - flen + WG_AEAD_TAG_LEN) {
			pl_worker_drop(w, m, PL_DROP_NO_ROOM);
			return;
		}
		memmove(frame + d, frame, flen);
		m->data_off += d;
		frame += d;
	}
	net_addr_set(&dst, l2->vip.family, peer->l2_dst);
	if (net_vxlan_encap(frame - hlen, &l2->vip, &dst, l2->vni, sport, frame, flen) != hlen) {
		pl_worker_drop(w, m, PL_DROP_NO_ROOM); /* cannot happen: lengths checked */
		return;
	}
	/* m now holds the VXLAN packet behind an Ethernet header, as an L3
	 * host packet would be: a packet staged for a handshake is sealed
	 * later by control from there (pl_control_send_data). */
	net_eth_build(frame - hlen - NET_ETH_HLEN, NET_ETH_HLEN, &w->dp->host_our_mac,
		      &w->dp->host_kernel_mac,
		      l2->vip.family == NET_AF_IP4 ? NET_ETH_IP4 : NET_ETH_IP6);
	m->data_off = (uint16_t)(frame - hlen - NET_ETH_HLEN - (uint8_t *)m->buf_addr);
	m->data_len = (uint16_t)(NET_ETH_HLEN + hlen + flen);
	m->pkt_len = m->data_len;
	if (b->n == PL_TX_ITEMS_MAX)
		flush(w, b);
	it = &b->items[b->n++];
	it->m = m;
	it->peer = peer;
	it->pkt = frame - hlen - sizeof(struct wg_msg_data);
	it->inner_len = hlen + flen;
}

/* Broadcast, multicast, unknown unicast: a copy to every member the limit
 * lets through, m itself to the last of them. */
static void flood(struct pl_worker *w, struct batch *b, struct rte_mbuf *m, uint16_t sport)
{
	struct pl_dataplane *dp = w->dp;
	unsigned id, n = __atomic_load_n(&dp->n_peers, __ATOMIC_RELAXED);
	struct pl_peer *prev = NULL;
	bool limited = false;

	for (id = 0; id < n && id < dp->max_peers; id++) {
		struct pl_peer *p = &dp->peers[id];
		struct rte_mbuf *c;

		if (!member(p))
			continue;
		if (!flood_allowed(&dp->l2, p, b->now)) {
			w->stats.l2_flood_limited++;
			limited = true;
			continue;
		}
		if (prev) {
			c = rte_pktmbuf_copy(m, m->pool, 0, UINT32_MAX);
			if (!c) {
				w->stats.drops[PL_DROP_NO_MBUF]++;
			} else {
				w->stats.l2_flooded++;
				emit(w, b, c, prev, sport);
			}
		}
		prev = p;
	}
	if (!prev) {
		pl_worker_drop(w, m, limited ? PL_DROP_L2_FLOOD_LIMIT : PL_DROP_L2_NO_MEMBER);
		return;
	}
	w->stats.l2_flooded++;
	emit(w, b, m, prev, sport);
}

static void from_host(struct pl_worker *w, struct batch *b, struct rte_mbuf *m)
{
	struct pl_dataplane *dp = w->dp;
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	struct pl_fdb_key key;
	uint32_t id;

	if (m->nb_segs != 1) {
		pl_worker_drop(w, m, PL_DROP_MULTI_SEG);
		return;
	}
	if (m->data_len < NET_ETH_HLEN) {
		pl_worker_drop(w, m, PL_DROP_L2_BAD_FRAME);
		return;
	}
	if (m->data_len > dp->l2.frame_max) {
		pl_worker_drop(w, m, PL_DROP_L2_TOO_BIG);
		return;
	}
	if (!(f[0] & 1)) {
		pl_fdb_key_set(&key, f, frame_vlan(f, m->data_len));
		id = pl_fdb_lookup(dp->l2.fdb, &key);
		if (id < dp->max_peers && member(&dp->peers[id])) {
			w->stats.l2_unicast++;
			emit(w, b, m, &dp->peers[id], net_vxlan_sport(f, m->data_len));
			return;
		}
	}
	flood(w, b, m, net_vxlan_sport(f, m->data_len));
}

void pl_l2_host_burst(struct pl_worker *w, struct rte_mbuf **pkts, unsigned n, uint64_t now)
{
	struct batch b;
	unsigned i;

	b.n = 0;
	b.now = now;
	for (i = 0; i < n; i++) {
		if (i + 3 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 3], void *));
		from_host(w, &b, pkts[i]);
	}
	flush(w, &b);
}

bool pl_l2_to_host(struct pl_worker *w, struct rte_mbuf *m, const uint8_t *inner,
		   uint32_t inner_len, const struct pl_peer *peer, uint64_t now)
{
	const struct pl_l2 *l2 = &w->dp->l2;
	struct net_vxlan_view v;
	struct pl_fdb_key key;
	const uint8_t *frame;

	if (net_vxlan_decap(inner, inner_len, &v) != 0 || !net_addr_equal(&v.dst, &l2->vip)) {
		pl_worker_drop(w, m, PL_DROP_L2_NOT_VXLAN);
		return false;
	}
	if (v.vni != l2->vni) {
		pl_worker_drop(w, m, PL_DROP_L2_BAD_VNI);
		return false;
	}
	/* Authenticated: the peer sealed it, and its outer source is the
	 * peer's own (AllowedIPs), so its source MAC lives behind that peer. */
	if (pl_fdb_learnable(v.src_mac.b)) {
		pl_fdb_key_set(&key, v.src_mac.b, v.vlan);
		pl_fdb_note(l2->fdb, &key, peer->id, now);
	}
	frame = inner + v.frame_off;
	if (!rte_pktmbuf_adj(m, (uint16_t)(frame - rte_pktmbuf_mtod(m, const uint8_t *))) ||
	    rte_pktmbuf_trim(m, (uint16_t)(m->data_len - v.frame_len)) != 0) {
		pl_worker_drop(w, m, PL_DROP_BAD_INNER); /* cannot happen: decap checked */
		return false;
	}
	w->stats.l2_to_host++;
	return true;
}

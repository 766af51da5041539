/* SPDX-License-Identifier: MIT */
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "dp/tapq.h"

#include "worker_int.h"

uint64_t pl_now_ns(const struct pl_dataplane *dp)
{
	uint64_t tsc = rte_rdtsc();

	/* Split so the multiplication cannot overflow for years of uptime. */
	return (tsc / dp->tsc_hz * 1000000000ULL +
		(tsc % dp->tsc_hz) * 1000000000ULL / dp->tsc_hz) *
	       dp->clock_scale;
}

void pl_worker_drop(struct pl_worker *w, struct rte_mbuf *m, enum pl_drop why)
{
	w->stats.drops[why]++;
	rte_pktmbuf_free(m);
}

void pl_worker_to_control(struct pl_worker *w, struct rte_mbuf *m, enum pl_ctl_kind kind,
			  const struct net_udp_view *v)
{
	pl_tag(m, kind, v);
	if (rte_ring_mp_enqueue(w->dp->to_control, m) != 0) {
		pl_worker_drop(w, m, PL_DROP_RING_FULL);
		return;
	}
	w->stats.to_control++;
}

void pl_worker_tx(struct pl_worker *w, uint16_t port, uint16_t queue, struct rte_mbuf **pkts,
		  unsigned n)
{
	uint16_t sent = 0;

	if (n)
		sent = rte_eth_tx_burst(port, queue, pkts, (uint16_t)n);
	for (; sent < n; sent++)
		pl_worker_drop(w, pkts[sent], PL_DROP_TX_FULL);
}

void pl_worker_note_endpoint(struct pl_worker *w, struct pl_peer *peer, const struct net_addr *src,
			     uint16_t port, uint16_t channel, const struct net_mac *via)
{
	uint32_t sn;
	bool same;

	/* A channel is part of the address: the relay and the peer behind it
	 * are two paths (direct <-> relayed is roaming). */
	do {
		sn = rte_seqlock_read_begin(&peer->ep_lock);
		same = (net_endpoint_is(&peer->ep.udp, src, port) && peer->ep.channel == channel) ||
		       (peer->roam_pending && net_endpoint_is(&peer->roam.udp, src, port) &&
			peer->roam.channel == channel);
	} while (rte_seqlock_read_retry(&peer->ep_lock, sn));
	if (same)
		return;
	rte_seqlock_write_lock(&peer->ep_lock);
	peer->roam.udp.addr = *src;
	peer->roam.udp.port = port;
	peer->roam.channel = channel;
	peer->roam.via = *via;
	peer->roam.have_via = true;
	peer->roam_pending = 1;
	rte_seqlock_write_unlock(&peer->ep_lock);
	/* Control adopts it on its next poll, not its next tick: the reply to
	 * this very packet should already go to the new address. */
	if (w->dp->roamed)
		rte_ring_mp_enqueue(w->dp->roamed, (void *)(uintptr_t)peer->id);
}

/* Frames the control lcore built (handshakes, ARP/ND, staged data) go out
 * on this worker's queues: control owns no TX queue of its own. */
static unsigned control_tx(struct pl_worker *w)
{
	struct rte_mbuf *pkts[PL_BURST], *under[PL_BURST], *host[PL_BURST];
	unsigned i, n, nu = 0, nh = 0;

	if (!w->dp->from_control)
		return 0;
	n = rte_ring_mc_dequeue_burst(w->dp->from_control, (void **)pkts, PL_BURST, NULL);
	for (i = 0; i < n; i++) {
		if (pkts[i]->port == w->host_port)
			host[nh++] = pkts[i];
		else
			under[nu++] = pkts[i];
	}
	pl_worker_tx(w, w->under_port, w->under_txq, under, nu);
	pl_worker_tx(w, w->host_port, w->host_txq, host, nh);
	return n;
}

unsigned pl_worker_poll(struct pl_worker *w)
{
	unsigned n = 0;

	/* tap-gso: the tap's frames onto the host port's rx ring first, and
	 * what the pass left on its tx ring into the tap last (dp/tapq.h). */
	if (w->host_tapq)
		n += dp_tapq_pull(w->host_tapq);
	n += control_tx(w);
	n += pl_worker_underlay_rx(w);
	n += pl_worker_host_rx(w);
	if (w->host_tapq)
		n += dp_tapq_push(w->host_tapq);
	w->stats.polls++;
	if (n)
		w->stats.bursts++;
	else
		w->stats.idle_polls++;
	rte_rcu_qsbr_quiescent(w->dp->rcu, w->rcu_id);
	return n;
}

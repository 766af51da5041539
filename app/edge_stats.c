/* SPDX-License-Identifier: MIT */
/*
 * Counters of a running edge, summed over the workers, as one block of
 * "name value" lines: printed on SIGUSR1 and at stop. (Prometheus and the
 * console will read the same sums.)
 */
#include <stdio.h>
#include <string.h>

#include <rte_mempool.h>

#include "dp/tapq.h"

#include "edge.h"
#include "edge_l2.h"
#include "edge_signal.h"

/* A worker's counter, read from another thread: a whole 64-bit load. */
#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

void omni_edge_sum_workers(const struct omni_edge *e, struct pl_lcore_stats *t)
{
	unsigned i, d, n = e->n_workers ? e->n_workers : 1;

	*t = (struct pl_lcore_stats){ 0 };
	for (i = 0; e->workers && i < n; i++) {
		const struct pl_lcore_stats *s = &e->workers[i].stats;

		t->rx_packets += LOAD(s->rx_packets);
		t->rx_bytes += LOAD(s->rx_bytes);
		t->tx_packets += LOAD(s->tx_packets);
		t->tx_bytes += LOAD(s->tx_bytes);
		t->to_control += LOAD(s->to_control);
		t->keepalives_rx += LOAD(s->keepalives_rx);
		t->staged += LOAD(s->staged);
		t->bursts += LOAD(s->bursts);
		t->polls += LOAD(s->polls);
		t->idle_polls += LOAD(s->idle_polls);
		t->idle_sleeps += LOAD(s->idle_sleeps);
		t->idle_wakeups += LOAD(s->idle_wakeups);
		t->idle_rt_raises += LOAD(s->idle_rt_raises);
		t->idle_rt_drops += LOAD(s->idle_rt_drops);
		for (d = 0; d < PL_DROP_COUNT; d++)
			t->drops[d] += LOAD(s->drops[d]);
	}
	for (d = 0; d < PL_DROP_COUNT; d++)
		t->drops[d] += LOAD(e->ctl.stats.drops[d]);
}

/* What the ports themselves lost: a full rx ring (AF_XDP: the kernel
 * dropped it), errors. */
static void print_port_stats(const struct omni_edge *e, FILE *out)
{
	struct omni_port_view v[OMNI_EDGE_PORTS];

	omni_edge_ports_read(e, v);
	for (unsigned p = 0; p < OMNI_EDGE_PORTS; p++) {
		fprintf(out,
			"stats: port_%s_rx_missed %llu\nstats: port_%s_rx_errors %llu\n"
			"stats: port_%s_tx_errors %llu\nstats: port_%s_rx_packets %llu\n"
			"stats: port_%s_mbufs_in_use %u\n",
			v[p].role, (unsigned long long)v[p].st.imissed, v[p].role,
			(unsigned long long)v[p].st.ierrors, v[p].role,
			(unsigned long long)v[p].st.oerrors, v[p].role,
			(unsigned long long)v[p].st.ipackets, v[p].role, v[p].mbufs_in_use);
		if (v[p].has_xsk)
			fprintf(out,
				"stats: port_%s_xsk_rx_ring_full %llu\n"
				"stats: port_%s_xsk_rx_fill_empty %llu\n",
				v[p].role, (unsigned long long)v[p].xsk.rx_ring_full, v[p].role,
				(unsigned long long)v[p].xsk.rx_fill_empty);
	}
}

/* tap-gso: the host port's own counters (dp/tapq.h), summed over queues. */
static void print_tapq_stats(const struct dp_port *p, FILE *out)
{
	struct dp_tapq_stats t = { 0 };
	bool any = false;

	for (unsigned q = 0; q < DP_PORT_FD_QUEUES; q++) {
		const struct dp_tapq_stats *s = p->tapq[q] ? &p->tapq[q]->st : NULL;

		if (!s)
			continue;
		any = true;
		t.reads += LOAD(s->reads);
		t.gso_frames += LOAD(s->gso_frames);
		t.udp_gso_frames += LOAD(s->udp_gso_frames);
		t.udp_gso_writes += LOAD(s->udp_gso_writes);
		t.segments += LOAD(s->segments);
		t.writes += LOAD(s->writes);
		t.coalesced += LOAD(s->coalesced);
		t.bad += LOAD(s->bad);
		t.no_mbuf += LOAD(s->no_mbuf);
		t.ring_full += LOAD(s->ring_full);
		t.write_err += LOAD(s->write_err);
	}
	if (!any)
		return;
	fprintf(out,
		"stats: tap_reads %llu\nstats: tap_gso_frames %llu\nstats: tap_segments %llu\n"
		"stats: tap_writes %llu\nstats: tap_coalesced %llu\nstats: tap_bad_frames %llu\n"
		"stats: tap_no_mbuf %llu\nstats: tap_ring_full %llu\nstats: tap_write_errors %llu\n",
		(unsigned long long)t.reads, (unsigned long long)t.gso_frames,
		(unsigned long long)t.segments, (unsigned long long)t.writes,
		(unsigned long long)t.coalesced, (unsigned long long)t.bad,
		(unsigned long long)t.no_mbuf, (unsigned long long)t.ring_full,
		(unsigned long long)t.write_err);
	fprintf(out,
		"stats: tap_udp_gso_frames %llu\nstats: tap_udp_gso_writes %llu\n"
		"stats: tap_uso %d\n",
		(unsigned long long)t.udp_gso_frames, (unsigned long long)t.udp_gso_writes,
		p->tapq[0] && p->tapq[0]->uso);
}

void omni_edge_print_stats(const struct omni_edge *e, FILE *out)
{
	const struct pl_control_stats *c = &e->ctl.stats;
	struct pl_lcore_stats t;
	unsigned d;

	omni_edge_sum_workers(e, &t);
	fprintf(out,
		"stats: rx_packets %llu\nstats: rx_bytes %llu\nstats: tx_packets %llu\n"
		"stats: tx_bytes %llu\nstats: to_control %llu\nstats: sessions %u\n",
		(unsigned long long)t.rx_packets, (unsigned long long)t.rx_bytes,
		(unsigned long long)t.tx_packets, (unsigned long long)t.tx_bytes,
		(unsigned long long)t.to_control,
		e->dp.sessions ? pl_sessions_count(e->dp.sessions) : 0);
	for (d = 0; d < PL_DROP_COUNT; d++)
		fprintf(out, "stats: drop_%s %llu\n", pl_drop_name(d),
			(unsigned long long)t.drops[d]);
	fprintf(out, "stats: idle_sleeps %llu\nstats: idle_wakeups %llu\n",
		(unsigned long long)t.idle_sleeps, (unsigned long long)t.idle_wakeups);
	fprintf(out, "stats: idle_rt_raises %llu\nstats: idle_rt_drops %llu\n",
		(unsigned long long)t.idle_rt_raises, (unsigned long long)t.idle_rt_drops);
	fprintf(out, "stats: keepalives_received %llu\nstats: staged_queued %llu\n",
		(unsigned long long)t.keepalives_rx, (unsigned long long)t.staged);
	fprintf(out,
		"stats: handshakes_completed %llu\nstats: initiations_sent %llu\n"
		"stats: responses_sent %llu\nstats: cookies_sent %llu\n"
		"stats: keepalives_sent %llu\nstats: ratelimited %llu\n",
		(unsigned long long)c->handshakes_completed,
		(unsigned long long)c->initiations_sent, (unsigned long long)c->responses_sent,
		(unsigned long long)c->cookies_sent, (unsigned long long)c->keepalives_sent,
		(unsigned long long)c->ratelimited);
	omni_edge_l2_print_stats(e, out);
	fprintf(out, "stats: cookies_limited %llu\nstats: under_load %llu\n",
		(unsigned long long)c->cookies_limited, (unsigned long long)c->under_load);
	fprintf(out, "stats: handshake_cpu_ns %llu\n", (unsigned long long)c->handshake_cpu_ns);
	fprintf(out,
		"stats: staged_sent %llu\nstats: staged_dropped %llu\nstats: arp_replies %llu\n"
		"stats: nd_replies %llu\nstats: neigh_requests %llu\n",
		(unsigned long long)c->staged_sent, (unsigned long long)c->staged_dropped,
		(unsigned long long)c->arp_replies, (unsigned long long)c->nd_replies,
		(unsigned long long)c->neigh_requests);
	for (d = 1; d < WG_RESULT_COUNT; d++)
		if (c->handshake_refused[d])
			fprintf(out, "stats: handshake_refused_%s %llu\n", wg_result_name(d),
				(unsigned long long)c->handshake_refused[d]);
	print_port_stats(e, out);
	print_tapq_stats(&e->host, out);
	omni_edge_xdp_print_stats(e, out);
	omni_edge_signal_print_stats(e, out);
	fflush(out);
}

static void port_read(const struct dp_port *p, const char *role, struct omni_port_view *v)
{
	struct rte_eth_link link;
	int k;

	memset(v, 0, sizeof(*v));
	v->role = role;
	v->port_id = p->port_id;
	v->name = p->kif.name[0] ? p->kif.name : p->vdev;
	if (p->pool)
		v->mbufs_in_use = rte_mempool_in_use_count(p->pool);
	if (!p->started) {
		snprintf(v->why, sizeof(v->why), "%s port not started", role);
		return;
	}
	rte_eth_stats_get(p->port_id, &v->st);
	v->has_xsk = dp_port_xsk_stats(p, &v->xsk) == 0;
	if (rte_eth_link_get_nowait(p->port_id, &link) != 0 ||
	    link.link_status != RTE_ETH_LINK_UP) {
		snprintf(v->why, sizeof(v->why), "%s port %s: link down", role, v->name);
		return;
	}
	k = p->kif.name[0] ? dp_kif_link_up(p->kif.name) : 1;
	if (k != 1) {
		snprintf(v->why, sizeof(v->why), "%s interface %s: %s", role, p->kif.name,
			 k == 0 ? "down or no carrier" : strerror(-k));
		return;
	}
	v->up = true;
}

void omni_edge_ports_read(const struct omni_edge *e, struct omni_port_view v[OMNI_EDGE_PORTS])
{
	port_read(&e->under, "underlay", &v[0]);
	port_read(&e->host, "host", &v[1]);
}

/* SPDX-License-Identifier: MIT */
/*
 * The edge's /metrics (Prometheus text exposition format 0.0.4) and
 * /health. Runs on the HTTP server's thread: worker and port counters are
 * read directly, the control lcore's state comes from a snapshot taken
 * through the mailbox (edge_snapshot.h says why a snapshot). The seed
 * product's four names come first; every name starts with omni_.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "edge.h"
#include "edge_l2.h"
#include "edge_signal.h"
#include "edge_snapshot.h"
#include "ops.h"
#include "wg/key.h"
#include "wg/result.h"

typedef unsigned long long ull;

static void family(struct httpd_text *t, const char *name, const char *type, const char *help)
{
	httpd_text_printf(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void one(struct httpd_text *t, const char *name, const char *type, const char *help,
		uint64_t v)
{
	family(t, name, type, help);
	httpd_text_printf(t, "%s %llu\n", name, (ull)v);
}

static void seed_metrics(struct httpd_text *t, const struct omni_edge_snap *s,
			 const struct pl_lcore_stats *w)
{
	one(t, "omni_sessions_active", "gauge", "Peers with an established WireGuard session.",
	    s->sessions);
	one(t, "omni_packets_rx_total", "counter",
	    "Data packets received from peers, decrypted and delivered.", w->rx_packets);
	one(t, "omni_handshakes_completed_total", "counter",
	    "WireGuard handshakes completed (either side initiating).",
	    s->ctl.handshakes_completed);
	one(t, "omni_sessions_dropped_ratelimit_total", "counter",
	    "Handshake initiations refused by the per-source rate limit.", s->ctl.ratelimited);
}

static void traffic_metrics(struct httpd_text *t, const struct omni_edge_snap *s,
			    const struct pl_lcore_stats *w)
{
	unsigned d;

	one(t, "omni_packets_tx_total", "counter", "Data packets encrypted and sent to peers.",
	    w->tx_packets);
	one(t, "omni_bytes_rx_total", "counter", "Inner bytes received from peers.", w->rx_bytes);
	one(t, "omni_bytes_tx_total", "counter", "Inner bytes sent to peers.", w->tx_bytes);
	one(t, "omni_peers", "gauge", "Configured peers.", s->n_peers);
	one(t, "omni_keypairs_active", "gauge", "Keypairs in the session table.", s->keypairs);
	one(t, "omni_control_packets_total", "counter",
	    "Packets workers passed to the control lcore (handshakes, ARP/ND).", w->to_control);
	one(t, "omni_keepalives_received_total", "counter",
	    "Keepalives received (authenticated, empty: timers only).", w->keepalives_rx);
	family(t, "omni_drops_total", "counter", "Packets dropped by the data plane, by reason.");
	for (d = 0; d < PL_DROP_COUNT; d++)
		httpd_text_printf(t, "omni_drops_total{reason=\"%s\"} %llu\n", pl_drop_name(d),
				  (ull)w->drops[d]);
}

static void control_metrics(struct httpd_text *t, const struct pl_control_stats *c, uint64_t staged)
{
	unsigned r;

	family(t, "omni_handshake_messages_sent_total", "counter",
	       "Handshake messages sent, by type.");
	httpd_text_printf(t,
			  "omni_handshake_messages_sent_total{type=\"initiation\"} %llu\n"
			  "omni_handshake_messages_sent_total{type=\"response\"} %llu\n"
			  "omni_handshake_messages_sent_total{type=\"cookie_reply\"} %llu\n",
			  (ull)c->initiations_sent, (ull)c->responses_sent, (ull)c->cookies_sent);
	one(t, "omni_keepalives_sent_total", "counter", "Keepalives sent.", c->keepalives_sent);
	one(t, "omni_handshake_cookies_limited_total", "counter",
	    "Cookie replies not sent: over the budget for all sources.", c->cookies_limited);
	one(t, "omni_handshake_under_load_total", "counter",
	    "Times handshake load began (cookies demanded until a second after it ends).",
	    c->under_load);
	family(t, "omni_handshakes_refused_total", "counter",
	       "Handshake messages refused by the control lcore, by reason.");
	for (r = 1; r < WG_RESULT_COUNT; r++)
		httpd_text_printf(t, "omni_handshakes_refused_total{reason=\"%s\"} %llu\n",
				  wg_result_name(r), (ull)c->handshake_refused[r]);
	family(t, "omni_neighbour_messages_total", "counter",
	       "ARP and ND messages of the underlay, by kind.");
	httpd_text_printf(t,
			  "omni_neighbour_messages_total{kind=\"arp_reply\"} %llu\n"
			  "omni_neighbour_messages_total{kind=\"nd_advert\"} %llu\n"
			  "omni_neighbour_messages_total{kind=\"request\"} %llu\n",
			  (ull)c->arp_replies, (ull)c->nd_replies, (ull)c->neigh_requests);
	family(t, "omni_staged_packets_total", "counter",
	       "Host packets that waited for a handshake, by outcome.");
	httpd_text_printf(t,
			  "omni_staged_packets_total{outcome=\"queued\"} %llu\n"
			  "omni_staged_packets_total{outcome=\"sent\"} %llu\n"
			  "omni_staged_packets_total{outcome=\"dropped\"} %llu\n",
			  (ull)staged, (ull)c->staged_sent, (ull)c->staged_dropped);
}

/* One family over every peer; field picks the value. */
static void peer_family(struct httpd_text *t, const struct omni_edge_snap *s, const char *name,
			const char *type, const char *help, int field)
{
	char key[WG_KEY_B64_LEN + 1];
	size_t i;

	family(t, name, type, help);
	for (i = 0; i < s->n_peers; i++) {
		const struct omni_peer_snap *p = &s->peers[i];
		uint64_t v = field == 0 ? p->rx_bytes :
			     field == 1 ? p->tx_bytes :
			     field == 2 ? p->last_handshake_unix_ns / 1000000000ull :
			     field == 3 ? p->handshakes :
					  p->channel != 0;

		wg_key_to_base64(key, p->public_key);
		httpd_text_printf(t, "%s{public_key=\"%s\"} %llu\n", name, key, (ull)v);
	}
}

static void peer_metrics(struct httpd_text *t, const struct omni_edge_snap *s)
{
	peer_family(t, s, "omni_peer_rx_bytes_total", "counter",
		    "Bytes received from the peer (WireGuard data messages).", 0);
	peer_family(t, s, "omni_peer_tx_bytes_total", "counter",
		    "Bytes sent to the peer (WireGuard data messages).", 1);
	peer_family(t, s, "omni_peer_last_handshake_seconds", "gauge",
		    "Unix time of the peer's latest handshake; 0: never.", 2);
	peer_family(t, s, "omni_peer_handshakes_total", "counter",
		    "Handshakes completed with the peer.", 3);
	peer_family(t, s, "omni_peer_relayed", "gauge",
		    "1 while the peer's path is through the TURN relay; 0: direct.", 4);
}

static void port_metrics(struct httpd_text *t, const struct omni_port_view *v)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} f[] = {
		{ "omni_port_rx_packets_total", "Packets the port received.",
		  offsetof(struct rte_eth_stats, ipackets) },
		{ "omni_port_tx_packets_total", "Packets the port sent.",
		  offsetof(struct rte_eth_stats, opackets) },
		{ "omni_port_rx_bytes_total", "Bytes the port received.",
		  offsetof(struct rte_eth_stats, ibytes) },
		{ "omni_port_tx_bytes_total", "Bytes the port sent.",
		  offsetof(struct rte_eth_stats, obytes) },
		{ "omni_port_rx_errors_total", "Erroneous packets the port received.",
		  offsetof(struct rte_eth_stats, ierrors) },
		{ "omni_port_rx_missed_total", "Packets the port dropped for want of room.",
		  offsetof(struct rte_eth_stats, imissed) },
		{ "omni_port_tx_errors_total", "Packets the port failed to send.",
		  offsetof(struct rte_eth_stats, oerrors) },
	};
	/* AF_XDP ports only: the kernel's XDP_STATISTICS. */
	static const struct {
		const char *name, *help;
		size_t off;
	} x[] = {
		{ "omni_port_xsk_rx_ring_full_total",
		  "Packets the kernel dropped for a full AF_XDP rx ring (read too late).",
		  offsetof(struct dp_xsk_stats, rx_ring_full) },
		{ "omni_port_xsk_rx_fill_empty_total",
		  "Times the AF_XDP fill ring had no buffer for a packet.",
		  offsetof(struct dp_xsk_stats, rx_fill_empty) },
	};
	unsigned i, p;

	for (i = 0; i < RTE_DIM(f); i++) {
		family(t, f[i].name, "counter", f[i].help);
		for (p = 0; p < OMNI_EDGE_PORTS; p++)
			httpd_text_printf(t, "%s{port=\"%s\"} %llu\n", f[i].name, v[p].role,
					  (ull) * (const uint64_t *)((const char *)&v[p].st +
								     f[i].off));
	}
	for (i = 0; i < RTE_DIM(x); i++) {
		family(t, x[i].name, "counter", x[i].help);
		for (p = 0; p < OMNI_EDGE_PORTS; p++)
			if (v[p].has_xsk)
				httpd_text_printf(t, "%s{port=\"%s\"} %llu\n", x[i].name, v[p].role,
						  (ull) * (const uint64_t *)((const char *)&v[p].xsk +
									     x[i].off));
	}
	family(t, "omni_port_mbufs_in_use", "gauge",
	       "Mbufs of the port's pool not in it (in queues, in flight, in lcore caches).");
	for (p = 0; p < OMNI_EDGE_PORTS; p++)
		httpd_text_printf(t, "omni_port_mbufs_in_use{port=\"%s\"} %u\n", v[p].role,
				  v[p].mbufs_in_use);
	family(t, "omni_port_up", "gauge", "1 when the port's link is up.");
	for (p = 0; p < OMNI_EDGE_PORTS; p++)
		httpd_text_printf(t, "omni_port_up{port=\"%s\"} %d\n", v[p].role, v[p].up);
}

static void lcore_metrics(struct httpd_text *t, const struct omni_edge *e)
{
	static const char *const names[] = {
		"omni_lcore_rx_packets_total",   "omni_lcore_tx_packets_total",
		"omni_lcore_bursts_total",       "omni_lcore_polls_total",
		"omni_lcore_idle_polls_total",   "omni_lcore_idle_sleeps_total",
		"omni_lcore_idle_wakeups_total", "omni_lcore_rt_raises_total",
		"omni_lcore_rt_drops_total",
	};
	static const char *const helps[] = {
		"Data packets the lcore decrypted.",
		"Data packets the lcore encrypted.",
		"Polls that found work.",
		"Polls of the lcore's queues.",
		"Polls that found nothing.",
		"Idle back-off sleeps.",
		"Idle sleeps a packet (or net_tap's SIGIO) ended early.",
		"Times the mostly idle lcore went to SCHED_FIFO (wake priority).",
		"Times the busy lcore went back to SCHED_OTHER.",
	};
	unsigned i, k, n = e->n_workers ? e->n_workers : 1;

	for (k = 0; k < RTE_DIM(names); k++) {
		family(t, names[k], "counter", helps[k]);
		for (i = 0; i < n; i++) {
			const struct pl_lcore_stats *s = &e->workers[i].stats;
			const uint64_t *f[] = { &s->rx_packets,   &s->tx_packets,
						&s->bursts,       &s->polls,
						&s->idle_polls,   &s->idle_sleeps,
						&s->idle_wakeups, &s->idle_rt_raises,
						&s->idle_rt_drops };

			httpd_text_printf(t, "%s{lcore=\"%u\"} %llu\n", names[k],
					  e->workers[i].lcore,
					  (ull)__atomic_load_n(f[k], __ATOMIC_RELAXED));
		}
	}
}

int omni_metrics_format(struct omni_edge *e, struct httpd_text *t)
{
	struct omni_port_view ports[OMNI_EDGE_PORTS];
	struct pl_lcore_stats w;
	struct omni_edge_snap s;
	int ret = omni_edge_snapshot(e, &s, true);

	if (ret != 0) {
		httpd_text_printf(t, "control lcore did not answer: %s\n", strerror(-ret));
		return 503;
	}
	omni_edge_sum_workers(e, &w);
	omni_edge_ports_read(e, ports);
	seed_metrics(t, &s, &w);
	traffic_metrics(t, &s, &w);
	control_metrics(t, &s.ctl, w.staged);
	peer_metrics(t, &s);
	port_metrics(t, ports);
	lcore_metrics(t, e);
	omni_edge_xdp_metrics(e, t);
	omni_edge_l2_metrics(e, t);
	omni_edge_signal_metrics(e, t);
	one(t, "omni_nucleus_configured", "gauge", "1 when a nucleus is configured.",
	    s.nucleus != OMNI_NUCLEUS_NOT_CONFIGURED);
	one(t, "omni_nucleus_reachable", "gauge", "1 when the nucleus answers.",
	    s.nucleus == OMNI_NUCLEUS_REACHABLE);
	omni_edge_snap_free(&s);
	return 200;
}

int omni_health_check(struct omni_edge *e, struct httpd_text *t)
{
	struct omni_port_view ports[OMNI_EDGE_PORTS];
	struct omni_edge_snap s;
	bool ok = true;
	unsigned p;
	int ret;

	omni_edge_ports_read(e, ports);
	for (p = 0; p < OMNI_EDGE_PORTS; p++)
		if (!ports[p].up) {
			httpd_text_printf(t, "%s\n", ports[p].why);
			ok = false;
		}
	ret = omni_edge_snapshot(e, &s, false);
	if (ret != 0) {
		httpd_text_printf(t, "control lcore did not answer: %s\n", strerror(-ret));
		ok = false;
	} else if (s.nucleus == OMNI_NUCLEUS_UNREACHABLE) {
		httpd_text_printf(t, "%s\n", s.nucleus_text);
		ok = false;
	}
	if (!ok)
		return 503;
	httpd_text_printf(t, "ok\n");
	return 200;
}

/* SPDX-License-Identifier: MIT */
/*
 * What the console's `show` commands print. Peers look like `wg show`;
 * counters are "now - base" where base is what `clear stats` remembered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/value.h"
#include "console.h"
#include "edge_snapshot.h"
#include "ops.h"
#include "wg/key.h"

typedef unsigned long long ull;

static void key_text(char out[WG_KEY_B64_LEN + 1], const uint8_t key[WG_KEY_LEN])
{
	wg_key_to_base64(out, key);
}

static void age_text(char *out, size_t len, uint64_t then_ns, uint64_t now_ns)
{
	if (!then_ns)
		snprintf(out, len, "never");
	else
		snprintf(out, len, "%llu seconds ago",
			 (ull)(now_ns > then_ns ? (now_ns - then_ns) / 1000000000ull : 0));
}

void omni_show_peers(const struct omni_edge_snap *s, struct httpd_text *t)
{
	char key[WG_KEY_B64_LEN + 1], age[48];
	size_t i;

	if (!s->n_peers)
		httpd_text_printf(t, "no peers\n");
	for (i = 0; i < s->n_peers; i++) {
		const struct omni_peer_snap *p = &s->peers[i];

		key_text(key, p->public_key);
		age_text(age, sizeof(age), p->last_handshake_unix_ns, s->taken_unix_ns);
		httpd_text_printf(t,
				  "%speer: %s\n  endpoint: %s\n  allowed ips: %s\n"
				  "  latest handshake: %s\n  transfer: %llu B received, %llu B sent\n",
				  i ? "\n" : "", key, p->endpoint,
				  p->allowed_ips[0] ? p->allowed_ips : "(none)", age,
				  (ull)p->rx_bytes, (ull)p->tx_bytes);
		if (p->keepalive)
			httpd_text_printf(t, "  persistent keepalive: every %u seconds\n",
					  p->keepalive);
		if (p->learned)
			httpd_text_printf(t, "  learned from: the cluster (the nucleus)\n");
		if (p->channel)
			httpd_text_printf(t,
					  "  path: relayed (TURN channel 0x%x at the endpoint)\n",
					  p->channel);
		else
			httpd_text_printf(t, "  path: direct\n");
	}
}

void omni_show_sessions(const struct omni_edge_snap *s, struct httpd_text *t)
{
	char key[WG_KEY_B64_LEN + 1], age[48];
	size_t i;

	httpd_text_printf(t, "sessions: %u established of %zu peers, %u keypairs\n", s->sessions,
			  s->n_peers, s->keypairs);
	for (i = 0; i < s->n_peers; i++) {
		const struct omni_peer_snap *p = &s->peers[i];

		key_text(key, p->public_key);
		age_text(age, sizeof(age), p->last_handshake_unix_ns, s->taken_unix_ns);
		httpd_text_printf(t, "  %s  %-24s %-11s handshakes %llu, latest %s\n", key,
				  p->endpoint, p->has_session ? "established" : "none",
				  (ull)p->handshakes, age);
	}
}

static uint64_t delta(uint64_t now, uint64_t base)
{
	return now >= base ? now - base : now;
}

void omni_show_lcores(const struct omni_edge *e, const struct omni_console_base *b,
		      struct httpd_text *t)
{
	unsigned i, n = e->n_workers ? e->n_workers : 1;

	httpd_text_printf(t, "%s\n%-6s %-6s %12s %12s %12s %12s %6s\n",
			  e->n_workers ? "control on the main lcore, workers:" :
					 "single-lcore mode (control and forwarding in one loop):",
			  "lcore", "role", "rx-packets", "tx-packets", "bursts", "polls", "idle");
	for (i = 0; i < n; i++) {
		const struct pl_lcore_stats *s = &e->workers[i].stats, *z = &b->workers[i];
		uint64_t polls = delta(__atomic_load_n(&s->polls, __ATOMIC_RELAXED), z->polls);
		uint64_t idle =
			delta(__atomic_load_n(&s->idle_polls, __ATOMIC_RELAXED), z->idle_polls);

		httpd_text_printf(t, "%-6u %-6s %12llu %12llu %12llu %12llu %5.1f%%\n",
				  e->workers[i].lcore, e->n_workers ? "worker" : "both",
				  (ull)delta(__atomic_load_n(&s->rx_packets, __ATOMIC_RELAXED),
					     z->rx_packets),
				  (ull)delta(__atomic_load_n(&s->tx_packets, __ATOMIC_RELAXED),
					     z->tx_packets),
				  (ull)delta(__atomic_load_n(&s->bursts, __ATOMIC_RELAXED),
					     z->bursts),
				  (ull)polls, polls ? 100.0 * (double)idle / (double)polls : 100.0);
	}
}

void omni_show_ports(const struct omni_edge *e, const struct omni_console_base *b,
		     struct httpd_text *t)
{
	struct omni_port_view v[OMNI_EDGE_PORTS];
	struct pl_lcore_stats w;
	unsigned p, d, shown = 0;

	omni_edge_ports_read(e, v);
	for (p = 0; p < OMNI_EDGE_PORTS; p++) {
		const struct rte_eth_stats *s = &v[p].st, *z = &b->ports[p];

		httpd_text_printf(t,
				  "port %u (%s, %s): link %s\n"
				  "  RX-packets: %llu  RX-bytes: %llu  RX-errors: %llu  RX-missed: %llu\n"
				  "  TX-packets: %llu  TX-bytes: %llu  TX-errors: %llu\n",
				  v[p].port_id, v[p].role, v[p].name, v[p].up ? "up" : "down",
				  (ull)delta(s->ipackets, z->ipackets),
				  (ull)delta(s->ibytes, z->ibytes),
				  (ull)delta(s->ierrors, z->ierrors),
				  (ull)delta(s->imissed, z->imissed),
				  (ull)delta(s->opackets, z->opackets),
				  (ull)delta(s->obytes, z->obytes),
				  (ull)delta(s->oerrors, z->oerrors));
	}
	omni_edge_sum_workers(e, &w);
	httpd_text_printf(t, "drops:");
	for (d = 0; d < PL_DROP_COUNT; d++) {
		uint64_t n = delta(w.drops[d], b->workers_sum.drops[d]);

		if (n)
			httpd_text_printf(t, "%s %s %llu", shown++ ? "," : "", pl_drop_name(d),
					  (ull)n);
	}
	httpd_text_printf(t, "%s\n", shown ? "" : " none");
	omni_edge_xdp_show(e, t);
}

void omni_console_base_take(const struct omni_edge *e, struct omni_console_base *b)
{
	struct omni_port_view v[OMNI_EDGE_PORTS];
	unsigned i, p, n = e->n_workers ? e->n_workers : 1;

	for (i = 0; i < n; i++) {
		const struct pl_lcore_stats *s = &e->workers[i].stats;
		struct pl_lcore_stats *z = &b->workers[i];

		z->rx_packets = __atomic_load_n(&s->rx_packets, __ATOMIC_RELAXED);
		z->tx_packets = __atomic_load_n(&s->tx_packets, __ATOMIC_RELAXED);
		z->bursts = __atomic_load_n(&s->bursts, __ATOMIC_RELAXED);
		z->polls = __atomic_load_n(&s->polls, __ATOMIC_RELAXED);
		z->idle_polls = __atomic_load_n(&s->idle_polls, __ATOMIC_RELAXED);
	}
	omni_edge_sum_workers(e, &b->workers_sum);
	omni_edge_ports_read(e, v);
	for (p = 0; p < OMNI_EDGE_PORTS; p++)
		b->ports[p] = v[p].st;
}

/* Control loop: e->cfg is the control lcore's. */
int omni_show_config(void *edge, struct httpd_text *t)
{
	const struct omni_edge *e = edge;
	const struct cfg_config *c = &e->cfg;
	char key[WG_KEY_B64_LEN + 1], pfx[NET_PREFIX_TEXT_MAX];
	size_t i;

	key_text(key, e->ctl.id.public_key);
	httpd_text_printf(t,
			  "source: %s\npublic key: %s\nlisten port: %u\nunderlay: %s\n"
			  "host port: %s (%s), mtu %u\naddresses:",
			  c->source ? c->source : "(command line)", key, c->iface.listen_port,
			  c->iface.underlay, c->iface.host_port_name,
			  cfg_host_port_kind_name(c->iface.host_port_kind), c->iface.mtu);
	for (i = 0; i < c->iface.n_addresses; i++) {
		net_prefix_format(&c->iface.addresses[i], pfx);
		httpd_text_printf(t, " %s", pfx);
	}
	httpd_text_printf(t,
			  "%s\npeers: %zu\nnucleus: %s\ncluster: %s\nmetrics: %s\n"
			  "log level: %s\nlcores: %u worker(s)%s\n",
			  c->iface.n_addresses ? "" : " (none)", c->n_peers,
			  c->network.nucleus ? c->network.nucleus : "(none)",
			  c->network.cluster ? c->network.cluster : "(none)",
			  e->ops && e->ops->metrics_listen[0] ? e->ops->metrics_listen : "off",
			  cfg_log_level_name(c->log_level), e->n_workers,
			  e->n_workers ? "" : " (single-lcore mode)");
	return 0;
}

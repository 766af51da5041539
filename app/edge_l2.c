/* SPDX-License-Identifier: MIT */
/*
 * The edge in L2 mode (docs/l2.md): the data plane's segment set up from
 * the configuration, and what operators see of it: the console's `show
 * fdb` and `clear fdb`, /metrics, telemetry and the SIGUSR1 stats lines.
 */
#include <stdio.h>
#include <string.h>

#include "pipeline/fdb.h"
#include "pipeline/l2.h"
#include "wg/key.h"

#include "edge.h"
#include "edge_l2.h"

typedef unsigned long long ull;

/* The segment's family: IPv4 when the edge has an IPv4 VIP. */
static const struct net_prefix *segment_vip(const struct cfg_config *cfg)
{
	return cfg->network.vip.addr.family == NET_AF_IP4 ? &cfg->network.vip : &cfg->network.vip6;
}

uint32_t omni_edge_l2_host_mtu(const struct cfg_config *cfg)
{
	if (cfg->network.net_mode != CFG_NET_L2)
		return cfg->iface.mtu;
	return pl_l2_host_mtu(segment_vip(cfg)->addr.family, cfg->iface.mtu);
}

int omni_edge_l2_setup(struct omni_edge *e, const char *prog)
{
	const struct cfg_network *n = &e->cfg.network;
	struct pl_l2_conf c = { .vni = n->vni,
				.vip = segment_vip(&e->cfg)->addr,
				.mtu = e->cfg.iface.mtu,
				.fdb_size = n->fdb_size,
				.fdb_age_ns = (uint64_t)n->fdb_age_secs * 1000000000ull,
				.flood_pps = n->flood_pps };
	char vip[NET_ADDR_TEXT_MAX];
	int ret;

	if (n->net_mode != CFG_NET_L2)
		return 0;
	ret = pl_l2_setup(&e->dp, &c);
	if (ret != 0) {
		fprintf(stderr, "%s: L2 fabric: the FDB of %u entries: %s\n", prog, n->fdb_size,
			strerror(-ret));
		return -1;
	}
	net_addr_format(&c.vip, vip);
	printf("%s: L2 fabric: %s is a port of the segment (mtu %u, frames up to %u bytes), "
	       "VXLAN VNI %u from VIP %s, FDB of %u entries aged after %u s, floods limited "
	       "to %u frames/s a member\n",
	       prog, e->cfg.iface.host_port_name, omni_edge_l2_host_mtu(&e->cfg),
	       e->dp.l2.frame_max, n->vni, vip, n->fdb_size, n->fdb_age_secs, n->flood_pps);
	fflush(stdout);
	return 0;
}

void omni_edge_l2_teardown(struct omni_edge *e)
{
	pl_l2_teardown(&e->dp);
}

/* The FDB's full counter, as last said, and when (control loop only). */
static uint64_t full_said, full_said_ns;

void omni_edge_l2_poll(struct omni_edge *e, uint64_t now_ns)
{
	struct pl_fdb_stats s;

	if (!e->dp.l2.on || (full_said_ns && now_ns - full_said_ns < 60000000000ull))
		return;
	pl_fdb_stats(e->dp.l2.fdb, &s);
	if (s.full == full_said)
		return;
	printf("omninervous: L2 fabric: the FDB is full (%llu of %u entries): %llu MAC(s) not "
	       "learned since %s, their frames flooded; raise network.fdb_size\n",
	       (ull)s.entries, e->cfg.network.fdb_size, (ull)(s.full - full_said),
	       full_said_ns ? "the last such line" : "start");
	fflush(stdout);
	full_said = s.full;
	full_said_ns = now_ns;
}

/* ---- show fdb, clear fdb (on the control loop: the walk is its) ---- */

struct show_ctx {
	const struct omni_edge *e;
	struct httpd_text *t;
	unsigned n;
};

static int show_entry(const struct pl_fdb_key *k, uint32_t peer, uint64_t age_ns, void *arg)
{
	struct show_ctx *c = arg;
	const struct pl_dataplane *dp = &c->e->dp;
	char key[WG_KEY_B64_LEN + 1] = "?", vip[NET_ADDR_TEXT_MAX] = "?";
	struct net_addr a;

	if (peer < dp->n_peers && dp->peers[peer].in_use) {
		wg_key_to_base64(key, dp->peers[peer].public_key);
		net_addr_set(&a, dp->l2.vip.family, dp->peers[peer].l2_dst);
		net_addr_format(&a, vip);
	}
	httpd_text_printf(c->t,
			  "  %02x:%02x:%02x:%02x:%02x:%02x  vlan %-4u  %-15s  %-44s  %llu s\n",
			  k->mac[0], k->mac[1], k->mac[2], k->mac[3], k->mac[4], k->mac[5], k->vlan,
			  vip, key, (ull)(age_ns / 1000000000ull));
	c->n++;
	return 0;
}

int omni_edge_show_fdb(void *arg, struct httpd_text *t)
{
	const struct omni_edge *e = arg;
	struct show_ctx c = { e, t, 0 };
	struct pl_fdb_stats s;

	if (!e->dp.l2.on) {
		httpd_text_printf(t, "no FDB: the edge is in L3 mode (network.mode)\n");
		return 0;
	}
	pl_fdb_stats(e->dp.l2.fdb, &s);
	httpd_text_printf(t,
			  "fdb: %llu of %u entries (learned %llu, moved %llu, aged %llu, "
			  "full %llu)\n",
			  (ull)s.entries, e->cfg.network.fdb_size, (ull)s.learned, (ull)s.moved,
			  (ull)s.aged, (ull)s.full);
	httpd_text_printf(t, "  %-17s  %-9s  %-15s  %-44s  %s\n", "mac", "vlan", "member vip",
			  "member", "idle");
	pl_fdb_walk(e->dp.l2.fdb, pl_now_ns(&e->dp), show_entry, &c);
	return 0;
}

int omni_edge_clear_fdb(void *arg, struct httpd_text *t)
{
	struct omni_edge *e = arg;
	struct pl_fdb_stats s;

	if (!e->dp.l2.on) {
		httpd_text_printf(t, "no FDB: the edge is in L3 mode (network.mode)\n");
		return 0;
	}
	pl_fdb_stats(e->dp.l2.fdb, &s);
	pl_fdb_flush(e->dp.l2.fdb, PL_FDB_NONE);
	httpd_text_printf(t,
			  "fdb cleared: %llu entries removed (frames flood until learned "
			  "again)\n",
			  (ull)s.entries);
	return 0;
}

/* ---- counters ---- */

void omni_edge_l2_counters(const struct omni_edge *e, struct omni_l2_counters *out)
{
	unsigned i, n = e->n_workers ? e->n_workers : 1;

	memset(out, 0, sizeof(*out));
	if (!e->dp.l2.on)
		return;
	out->on = true;
	pl_fdb_stats(e->dp.l2.fdb, &out->fdb);
	for (i = 0; e->workers && i < n; i++) {
		const struct pl_lcore_stats *s = &e->workers[i].stats;

		out->unicast += __atomic_load_n(&s->l2_unicast, __ATOMIC_RELAXED);
		out->flooded += __atomic_load_n(&s->l2_flooded, __ATOMIC_RELAXED);
		out->flood_limited += __atomic_load_n(&s->l2_flood_limited, __ATOMIC_RELAXED);
		out->to_host += __atomic_load_n(&s->l2_to_host, __ATOMIC_RELAXED);
	}
}

#define L2_COUNTERS(X)                                                                             \
	X("fdb_entries", "gauge", "MAC addresses in the L2 FDB.", c.fdb.entries)                   \
	X("fdb_learned_total", "counter", "FDB entries learned from members' frames.",             \
	  c.fdb.learned)                                                                           \
	X("fdb_moved_total", "counter", "FDB entries that moved to another member.", c.fdb.moved)  \
	X("fdb_aged_total", "counter", "FDB entries removed for age.", c.fdb.aged)                 \
	X("fdb_flushed_total", "counter",                                                          \
	  "FDB entries removed by a flush (clear fdb, a "                                          \
	  "member left).",                                                                         \
	  c.fdb.flushed)                                                                           \
	X("fdb_full_total", "counter", "MACs not learned: the FDB was full.", c.fdb.full)          \
	X("fdb_queue_full_total", "counter", "Learn requests lost: the FDB's queue was full.",     \
	  c.fdb.queue_full)                                                                        \
	X("l2_unicast_total", "counter", "Frames from omni0 sent to the member the FDB names.",    \
	  c.unicast)                                                                               \
	X("l2_flooded_total", "counter",                                                           \
	  "Flooded copies sent (broadcast, multicast, unknown unicast; one a member).", c.flooded) \
	X("l2_flood_limited_total", "counter", "Flooded copies a member's flood limit refused.",   \
	  c.flood_limited)                                                                         \
	X("l2_to_host_total", "counter", "Frames from members delivered to omni0.", c.to_host)

void omni_edge_l2_metrics(const struct omni_edge *e, struct httpd_text *t)
{
	struct omni_l2_counters c;

	omni_edge_l2_counters(e, &c);
	if (!c.on)
		return;
#define L2_METRIC(name, type, help, v)                                                     \
	httpd_text_printf(t,                                                               \
			  "# HELP omni_" name " " help "\n# TYPE omni_" name " " type "\n" \
			  "omni_" name " %llu\n",                                          \
			  (ull)(v));
	L2_COUNTERS(L2_METRIC)
#undef L2_METRIC
}

void omni_edge_l2_print_stats(const struct omni_edge *e, FILE *out)
{
	struct omni_l2_counters c;

	omni_edge_l2_counters(e, &c);
	if (!c.on)
		return;
#define L2_STAT(name, type, help, v) fprintf(out, "stats: " name " %llu\n", (ull)(v));
	L2_COUNTERS(L2_STAT)
#undef L2_STAT
}

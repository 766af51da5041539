/* SPDX-License-Identifier: MIT */
/*
 * DPDK telemetry commands with the edge's figures, so `dpdk-telemetry.py`
 * shows them next to DPDK's own (/ethdev/stats, ...):
 *
 *   /omni/stats   the seed counters, traffic, sessions, handshakes
 *   /omni/drops   drops by reason
 *   /omni/lcores  per worker lcore: packets, bursts, polls, idle polls
 *   /omni/peers   per peer (by public key): endpoint, bytes, latest handshake
 *   /omni/ports   per port: packets, bytes, errors, link
 *   /omni/l2      L2 mode: FDB entries, learned, moved, aged, full; floods
 *
 * The callbacks run on DPDK's telemetry thread, which has no context
 * argument and outlives the edge: the edge is reached through a pointer
 * under a lock, bound after start and unbound before the edge goes away.
 * Same rules as /metrics: workers' counters read directly, the rest
 * through a snapshot taken via the mailbox.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <rte_telemetry.h>

#include "edge.h"
#include "edge_l2.h"
#include "edge_snapshot.h"
#include "ops.h"
#include "wg/key.h"

static pthread_rwlock_t bound_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct omni_edge *bound;

static int stats(struct omni_edge *e, struct rte_tel_data *d)
{
	struct pl_lcore_stats w;
	struct omni_edge_snap s;
	int ret = omni_edge_snapshot(e, &s, true);

	if (ret != 0)
		return ret;
	omni_edge_sum_workers(e, &w);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "sessions_active", s.sessions);
	rte_tel_data_add_dict_u64(d, "peers", s.n_peers);
	rte_tel_data_add_dict_u64(d, "packets_rx_total", w.rx_packets);
	rte_tel_data_add_dict_u64(d, "packets_tx_total", w.tx_packets);
	rte_tel_data_add_dict_u64(d, "bytes_rx_total", w.rx_bytes);
	rte_tel_data_add_dict_u64(d, "bytes_tx_total", w.tx_bytes);
	rte_tel_data_add_dict_u64(d, "handshakes_completed_total", s.ctl.handshakes_completed);
	rte_tel_data_add_dict_u64(d, "sessions_dropped_ratelimit_total", s.ctl.ratelimited);
	rte_tel_data_add_dict_u64(d, "initiations_sent_total", s.ctl.initiations_sent);
	rte_tel_data_add_dict_u64(d, "responses_sent_total", s.ctl.responses_sent);
	rte_tel_data_add_dict_u64(d, "cookies_sent_total", s.ctl.cookies_sent);
	rte_tel_data_add_dict_u64(d, "keepalives_sent_total", s.ctl.keepalives_sent);
	rte_tel_data_add_dict_string(d, "nucleus", s.nucleus_text);
	omni_edge_snap_free(&s);
	return 0;
}

static int drops(struct omni_edge *e, struct rte_tel_data *d)
{
	struct pl_lcore_stats w;
	unsigned r;

	omni_edge_sum_workers(e, &w);
	rte_tel_data_start_dict(d);
	for (r = 0; r < PL_DROP_COUNT; r++)
		rte_tel_data_add_dict_u64(d, pl_drop_name(r), w.drops[r]);
	return 0;
}

static int lcores(struct omni_edge *e, struct rte_tel_data *d)
{
	unsigned i, n = e->n_workers ? e->n_workers : 1;
	char name[32];

	rte_tel_data_start_dict(d);
	for (i = 0; i < n && i < RTE_TEL_MAX_DICT_ENTRIES; i++) {
		const struct pl_lcore_stats *s = &e->workers[i].stats;
		struct rte_tel_data *c = rte_tel_data_alloc();

		if (!c)
			return -ENOMEM;
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_u64(c, "rx_packets", __atomic_load_n(&s->rx_packets, 0));
		rte_tel_data_add_dict_u64(c, "tx_packets", __atomic_load_n(&s->tx_packets, 0));
		rte_tel_data_add_dict_u64(c, "bursts", __atomic_load_n(&s->bursts, 0));
		rte_tel_data_add_dict_u64(c, "polls", __atomic_load_n(&s->polls, 0));
		rte_tel_data_add_dict_u64(c, "idle_polls", __atomic_load_n(&s->idle_polls, 0));
		snprintf(name, sizeof(name), "lcore%u", e->workers[i].lcore);
		rte_tel_data_add_dict_container(d, name, c, 0);
	}
	return 0;
}

static int peers(struct omni_edge *e, struct rte_tel_data *d)
{
	char key[WG_KEY_B64_LEN + 1], name[32];
	struct omni_edge_snap s;
	int ret = omni_edge_snapshot(e, &s, true);
	size_t i;

	if (ret != 0)
		return ret;
	/* Named "peerN", the key inside: telemetry refuses '+', '/' and '='
	 * in names, and arrays of dicts. A dict holds RTE_TEL_MAX_DICT_ENTRIES;
	 * /metrics has every peer. */
	rte_tel_data_start_dict(d);
	for (i = 0; i < s.n_peers && i < RTE_TEL_MAX_DICT_ENTRIES; i++) {
		const struct omni_peer_snap *p = &s.peers[i];
		struct rte_tel_data *c = rte_tel_data_alloc();

		if (!c) {
			ret = -ENOMEM;
			break;
		}
		wg_key_to_base64(key, p->public_key);
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_string(c, "public_key", key);
		rte_tel_data_add_dict_string(c, "endpoint", p->endpoint);
		rte_tel_data_add_dict_u64(c, "rx_bytes", p->rx_bytes);
		rte_tel_data_add_dict_u64(c, "tx_bytes", p->tx_bytes);
		rte_tel_data_add_dict_u64(c, "last_handshake_unix",
					  p->last_handshake_unix_ns / 1000000000ull);
		rte_tel_data_add_dict_u64(c, "handshakes", p->handshakes);
		snprintf(name, sizeof(name), "peer%zu", i);
		rte_tel_data_add_dict_container(d, name, c, 0);
	}
	omni_edge_snap_free(&s);
	return ret;
}

static int ports(struct omni_edge *e, struct rte_tel_data *d)
{
	struct omni_port_view v[OMNI_EDGE_PORTS];
	unsigned p;

	omni_edge_ports_read(e, v);
	rte_tel_data_start_dict(d);
	for (p = 0; p < OMNI_EDGE_PORTS; p++) {
		struct rte_tel_data *c = rte_tel_data_alloc();

		if (!c)
			return -ENOMEM;
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_string(c, "name", v[p].name);
		rte_tel_data_add_dict_int(c, "up", v[p].up);
		rte_tel_data_add_dict_u64(c, "rx_packets", v[p].st.ipackets);
		rte_tel_data_add_dict_u64(c, "tx_packets", v[p].st.opackets);
		rte_tel_data_add_dict_u64(c, "rx_bytes", v[p].st.ibytes);
		rte_tel_data_add_dict_u64(c, "tx_bytes", v[p].st.obytes);
		rte_tel_data_add_dict_u64(c, "rx_errors", v[p].st.ierrors);
		rte_tel_data_add_dict_u64(c, "rx_missed", v[p].st.imissed);
		rte_tel_data_add_dict_u64(c, "tx_errors", v[p].st.oerrors);
		rte_tel_data_add_dict_container(d, v[p].role, c, 0);
	}
	return 0;
}

static int l2(struct omni_edge *e, struct rte_tel_data *d)
{
	struct omni_l2_counters c;

	omni_edge_l2_counters(e, &c);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "on", c.on);
	rte_tel_data_add_dict_u64(d, "fdb_entries", c.fdb.entries);
	rte_tel_data_add_dict_u64(d, "fdb_learned_total", c.fdb.learned);
	rte_tel_data_add_dict_u64(d, "fdb_moved_total", c.fdb.moved);
	rte_tel_data_add_dict_u64(d, "fdb_aged_total", c.fdb.aged);
	rte_tel_data_add_dict_u64(d, "fdb_flushed_total", c.fdb.flushed);
	rte_tel_data_add_dict_u64(d, "fdb_full_total", c.fdb.full);
	rte_tel_data_add_dict_u64(d, "l2_unicast_total", c.unicast);
	rte_tel_data_add_dict_u64(d, "l2_flooded_total", c.flooded);
	rte_tel_data_add_dict_u64(d, "l2_flood_limited_total", c.flood_limited);
	rte_tel_data_add_dict_u64(d, "l2_to_host_total", c.to_host);
	return 0;
}

static const struct {
	const char *cmd;
	int (*fn)(struct omni_edge *e, struct rte_tel_data *d);
	const char *help;
} cmds[] = {
	{ "/omni/stats", stats, "OmniNervous counters: sessions, packets, handshakes. No params" },
	{ "/omni/drops", drops, "OmniNervous data-plane drops by reason. No params" },
	{ "/omni/lcores", lcores, "OmniNervous per-lcore packets, bursts, polls. No params" },
	{ "/omni/peers", peers, "OmniNervous peers: endpoint, bytes, latest handshake. No params" },
	{ "/omni/ports", ports, "OmniNervous ports: packets, bytes, errors, link. No params" },
	{ "/omni/l2", l2, "OmniNervous L2 fabric: FDB and flood counters. No params" },
};

static int dispatch(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned i;
	int ret = -ENODEV;

	(void)params;
	pthread_rwlock_rdlock(&bound_lock);
	for (i = 0; bound && i < RTE_DIM(cmds); i++)
		if (strcmp(cmd, cmds[i].cmd) == 0)
			ret = cmds[i].fn(bound, d);
	pthread_rwlock_unlock(&bound_lock);
	return ret;
}

int omni_telemetry_bind(struct omni_edge *e)
{
	static bool registered;
	unsigned i;

	if (!registered) {
		for (i = 0; i < RTE_DIM(cmds); i++)
			if (rte_telemetry_register_cmd(cmds[i].cmd, dispatch, cmds[i].help) != 0)
				return -1;
		registered = true;
	}
	pthread_rwlock_wrlock(&bound_lock);
	bound = e;
	pthread_rwlock_unlock(&bound_lock);
	return 0;
}

void omni_telemetry_unbind(void)
{
	pthread_rwlock_wrlock(&bound_lock);
	bound = NULL;
	pthread_rwlock_unlock(&bound_lock);
}

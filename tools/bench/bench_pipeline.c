/* SPDX-License-Identifier: MIT */
/*
 * One worker of the data plane, fed WireGuard transport packets from 1000
 * peers through net_ring ports (picture in bench_pipeline.h), against the
 * plain bulk-AEAD loop over the same packets on the same core.
 *
 * A round: the frames are copied into fresh mbufs and the replay windows
 * reset (not timed); then the clock runs from the first poll until the
 * worker has emptied the RX ring: every packet has then been classified,
 * looked up, opened or sealed and handed to the other port's TX ring. The
 * TX ring is drained and its mbufs freed after the clock stops. The AEAD
 * loop gets the same mbufs, copied the same way, and runs
 * wg_aead_{open,seal}_burst in place over them, 32 packets of 32 peers a
 * burst, with the worker's own AEAD context. Rounds alternate ABBA; the
 * rates shown are the best round, the ratio the median of the per-round
 * ratios. Targets (issue 3): 85% at 1420 B, 70% at 64 B, printed PASS or
 * WARN, never an exit status. A wrong packet anywhere, though, is an error:
 * the first round of each size is checked packet by packet.
 */
#include <endian.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include <sodium.h>

#include "wg/index.h"
#include "wg/ratelimiter.h"
#include "wg/transport.h"

#include "bench.h"
#include "bench_pipeline.h"
#include "ring_port.h"

enum path { DECRYPT, ENCRYPT };
enum way { PIPE, AEAD };
enum { MAX_ROUNDS = 64, HUGE_MIN_MB = 512, NOHUGE_MB = 256 };

static const uint32_t sizes[] = { 64, 512, 1420 };
static const char *const path_names[] = { "decrypt", "encrypt" };

/* ---- EAL and ports ------------------------------------------------------ */

/* Free hugepage memory and a hugetlbfs to use it through. */
static unsigned hugepages_free_mb(void)
{
	char line[256];
	unsigned long free_pages = 0, page_kb = 0;
	int mounted = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "HugePages_Free: %lu", &free_pages);
		sscanf(line, "Hugepagesize: %lu kB", &page_kb);
	}
	fclose(f);
	f = fopen("/proc/mounts", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		mounted |= strstr(line, " hugetlbfs ") != NULL;
	fclose(f);
	return mounted ? (unsigned)(free_pages * page_kb / 1024) : 0;
}

/* One lcore on the CPU we run on; hugepages if there are enough. */
static int eal_start(bool *huge)
{
	char lcores[32], prefix[48], mem[16];
	char *argv[16] = { "omni-bench",  "--lcores", lcores,          "--no-pci", "--no-telemetry",
			   "--log-level", "error",    "--file-prefix", prefix };
	int argc = 9, cpu = sched_getcpu();

	snprintf(lcores, sizeof(lcores), "0@%d", cpu < 0 ? 0 : cpu);
	snprintf(prefix, sizeof(prefix), "omni-bench-%d", (int)getpid());
	snprintf(mem, sizeof(mem), "%d", NOHUGE_MB);
	*huge = hugepages_free_mb() >= HUGE_MIN_MB;
	if (*huge) {
		argv[argc++] = "--in-memory";
	} else {
		argv[argc++] = "--no-huge";
		argv[argc++] = "-m";
		argv[argc++] = mem;
		argv[argc++] = "--no-shconf";
	}
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "omni-bench: pipeline: EAL: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

static struct rte_ring *ring(const char *name)
{
	return rte_ring_create(name, PB_RING, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
}

static int setup_ports(struct pb_bench *b)
{
	int u, h;

	b->under_rx = ring("pb_under_rx");
	b->under_tx = ring("pb_under_tx");
	b->host_rx = ring("pb_host_rx");
	b->host_tx = ring("pb_host_tx");
	b->under_pool = rte_pktmbuf_pool_create("pb_under", PB_POOL, PB_POOL_CACHE, 0,
						RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	b->host_pool = rte_pktmbuf_pool_create("pb_host", PB_POOL, PB_POOL_CACHE, 0,
					       RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (!b->under_rx || !b->under_tx || !b->host_rx || !b->host_tx || !b->under_pool ||
	    !b->host_pool)
		return -1;
	u = ring_port_open("net_ring_pb_under", b->under_rx, b->under_tx, b->under_pool, PB_RING);
	h = ring_port_open("net_ring_pb_host", b->host_rx, b->host_tx, b->host_pool, PB_RING);
	if (u < 0 || h < 0)
		return -1;
	b->under_port = (uint16_t)u;
	b->host_port = (uint16_t)h;
	b->ports_open = true;
	return 0;
}

/* ---- the gateway's tables, as app/edge.c sizes them --------------------- */

static int setup_tables(struct pb_bench *b)
{
	struct pl_dataplane *dp = &b->dp;
	size_t rcu_size = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);

	dp->local.mac = (struct net_mac){ { 0x02, 0, 0, 0, 0, 0x01 } };
	dp->local.ip4 = NET_IP4(192, 0, 2, 1);
	dp->local.port = PB_LISTEN_PORT;
	dp->host_kernel_mac = (struct net_mac){ { 0x02, 0, 0, 0, 0x0b, 0x01 } };
	dp->host_our_mac = (struct net_mac){ { 0x02, 0, 0, 0, 0x0b, 0x02 } };
	b->gw_mac = (struct net_mac){ { 0x02, 0, 0, 0, 0x0a, 0x01 } };
	b->host_ip = NET_IP4(100, 64, 0, 1);
	dp->mtu = PB_MTU;
	dp->tsc_hz = rte_get_tsc_hz();
	dp->clock_scale = 1;
	dp->rcu = rte_zmalloc("pb_rcu", rcu_size, RTE_CACHE_LINE_SIZE);
	if (!dp->rcu || rte_rcu_qsbr_init(dp->rcu, RTE_MAX_LCORE) != 0)
		return -1;
	/* One worker and a control lcore: control sends through the worker. */
	dp->from_control = rte_ring_create("pb_from_control", 1024, SOCKET_ID_ANY, RING_F_SP_ENQ);
	dp->to_control = rte_ring_create("pb_to_control", 1024, SOCKET_ID_ANY, RING_F_SC_DEQ);
	dp->roamed = rte_ring_create("pb_roamed", 1024, SOCKET_ID_ANY, RING_F_SC_DEQ);
	dp->sessions = pl_sessions_create("pb", 4 * PB_PEERS + 16, dp->rcu, SOCKET_ID_ANY);
	return dp->from_control && dp->to_control && dp->roamed && dp->sessions ? 0 : -1;
}

/* One /32 per peer, as app/edge.c builds the table from the config. */
static struct pl_allowedips *build_allowedips(void)
{
	struct net_prefix routes[PB_PEERS];
	uint32_t ids[PB_PEERS];
	unsigned p;

	for (p = 0; p < PB_PEERS; p++) {
		struct net_addr a = { .family = NET_AF_IP4, .ip4 = pb_peer_addr(p) };

		net_prefix_host(&routes[p], &a);
		ids[p] = p;
	}
	return pl_allowedips_build(routes, ids, PB_PEERS, PB_PEERS, SOCKET_ID_ANY);
}

static int setup_allowedips(struct pb_bench *b)
{
	b->dp.aips = build_allowedips();
	return b->dp.aips ? 0 : -1;
}

/*
 * A change of peers builds a whole new table and frees the old one only
 * after a grace period (allowedips.h): for a moment both exist.
 */
static void probe_allowedips_change(const struct pb_mem *now)
{
	uint32_t level = rte_log_get_global_level();
	struct pl_allowedips *t;
	struct pb_mem with;

	/* The failure is the finding: not an error for rte_lpm to log. */
	rte_log_set_global_level(RTE_LOG_CRIT);
	t = build_allowedips();
	rte_log_set_global_level(level);
	if (!t) {
		printf("  an AllowedIPs change (new table beside the old): fails, %s "
		       "(%.1f MB of heap free)\n",
		       rte_strerror(rte_errno), (double)now->heap_free / (1 << 20));
		return;
	}
	pb_mem_snap(&with, true);
	printf("  an AllowedIPs change (new table beside the old): heap %.1f MB at the peak\n",
	       (double)with.heap / (1 << 20));
	pl_allowedips_free(t);
}

/* Peers as the control lcore sets them up (handshake state, staged ring). */
static int setup_peers(struct pb_bench *b)
{
	struct pl_control *c = &b->ctl;
	uint8_t key[WG_KEY_LEN];
	unsigned p;

	b->dp.n_peers = PB_PEERS;
	b->dp.max_peers = PB_PEERS;
	b->dp.peers =
		rte_zmalloc("pb_peers", (PB_PEERS + 1) * sizeof(*b->dp.peers), RTE_CACHE_LINE_SIZE);
	c->dp = &b->dp;
	c->indices = wg_index_table_create(4 * PB_PEERS + 16);
	c->ratelimit = wg_ratelimiter_create(4096, 10, 10);
	c->aead = wg_aead_create("auto");
	randombytes_buf(key, sizeof(key));
	if (!b->dp.peers || !c->indices || !c->ratelimit || !c->aead ||
	    !wg_identity_init(&c->id, key))
		return -1;
	wg_cookie_checker_init(&c->checker, c->id.public_key);
	for (p = 0; p < PB_PEERS; p++) {
		struct pl_endpoint ep = { .udp = pb_peer_endpoint(p) };

		randombytes_buf(key, sizeof(key));
		if (pl_control_peer_init(c, &b->dp.peers[p], p, key, NULL, &ep, 25) != 0)
			return -1;
	}
	sodium_memzero(key, sizeof(key));
	return 0;
}

/* The outer headers towards peer p, as pl_control_path_update makes them. */
static int set_path(struct pb_bench *b, struct pl_peer *peer)
{
	struct net_encap_params pp = {
		.src_mac = b->dp.local.mac,
		.dst_mac = b->gw_mac,
		.vlan_tci = -1,
		.src = { .family = NET_AF_IP4, .ip4 = b->dp.local.ip4 },
		.dst = peer->ep.udp.addr,
		.src_port = b->dp.local.port,
		.dst_port = peer->ep.udp.port,
		.csum = NET_UDP_CSUM_NONE,
	};

	if (net_encap_init(&peer->path_slot[0].encap, &pp) != 0)
		return -1;
	peer->path_cur = 0;
	peer->path_published = true;
	__atomic_store_n(&peer->path, &peer->path_slot[0], __ATOMIC_RELEASE);
	return 0;
}

/* One live keypair per peer, installed as if a handshake had just ended. */
static int install_keys(struct pb_bench *b)
{
	struct pl_control *c = &b->ctl;
	uint64_t now = pl_now_ns(&b->dp);
	unsigned p;

	for (p = 0; p < PB_PEERS; p++) {
		struct pl_peer *peer = &b->dp.peers[p];
		struct pl_keypair *kp = pl_sessions_keypair_alloc(b->dp.sessions);

		if (!kp)
			return -1;
		randombytes_buf(kp->wg.send_key, WG_KEY_LEN);
		randombytes_buf(kp->wg.recv_key, WG_KEY_LEN);
		kp->wg.local_index = wg_index_insert(c->indices, WG_INDEX_KEYPAIR, kp);
		kp->wg.remote_index = randombytes_random();
		kp->wg.birthdate_ns = now;
		kp->wg.i_am_the_initiator = true;
		kp->wg.valid = true;
		kp->wg.user = kp;
		wg_replay_init(&kp->wg.replay);
		kp->peer = peer;
		if (pl_sessions_publish(b->dp.sessions, kp) != 0 || set_path(b, peer) != 0)
			return -1;
		peer->kps.current = &kp->wg;
		__atomic_store_n(&peer->tx, kp, __ATOMIC_RELEASE);
		b->kp[p] = kp;
	}
	return 0;
}

static int setup_worker(struct pb_bench *b)
{
	struct pl_worker *w = &b->w;

	w->dp = &b->dp;
	w->aead = wg_aead_create("auto");
	w->under_port = b->under_port;
	w->host_port = b->host_port;
	w->lcore = w->rcu_id = rte_lcore_id();
	if (!w->aead || rte_rcu_qsbr_thread_register(b->dp.rcu, w->rcu_id) != 0)
		return -1;
	rte_rcu_qsbr_thread_online(b->dp.rcu, w->rcu_id);
	return 0;
}

/* Packet i of a round goes to peer perm[i % PEERS]: each burst of 32 spans
 * 32 peers, and each peer's packets come in counter order. */
static void spread_packets(struct pb_bench *b)
{
	uint16_t perm[PB_PEERS], t;
	uint32_t seed = 12345;
	unsigned i, j;

	for (i = 0; i < PB_PEERS; i++)
		perm[i] = (uint16_t)i;
	for (i = PB_PEERS - 1; i > 0; i--) {
		seed = seed * 1103515245u + 12345u;
		j = (seed >> 8) % (i + 1);
		t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	for (i = 0; i < PB_PKTS; i++)
		b->peer_of[i] = perm[i % PB_PEERS];
}

/* Each step with what it cost in memory; all of it is the configured gateway. */
static int setup(struct pb_bench *b, struct pb_mem *end)
{
	static const char *const what[] = {
		"ports: 2 net_ring, 2 pools of 4095 mbufs",
		"sessions (4n+16 keypairs), control rings",
		"AllowedIPs (rte_lpm + rte_lpm6), 1000 /32",
		"peers: handshake state, staged rings",
		"keypairs, paths",
		"worker: AEAD context, RCU reader",
	};
	int (*const step[])(struct pb_bench *) = { setup_ports, setup_tables, setup_allowedips,
						   setup_peers, install_keys, setup_worker };
	struct pb_mem before, after;
	size_t i;

	pb_mem_snap(&before, true);
	for (i = 0; i < sizeof(step) / sizeof(step[0]); i++) {
		if (step[i](b) != 0) {
			fprintf(stderr, "omni-bench: pipeline: set-up failed at \"%s\": %s\n",
				what[i], rte_strerror(rte_errno));
			return -1;
		}
		pb_mem_snap(&after, true);
		pb_mem_step(what[i], &before, &after);
		before = after;
	}
	*end = after;
	spread_packets(b);
	return 0;
}

static void teardown(struct pb_bench *b)
{
	struct pl_dataplane *dp = &b->dp;

	if (b->w.aead) {
		rte_rcu_qsbr_thread_offline(dp->rcu, b->w.rcu_id);
		rte_rcu_qsbr_thread_unregister(dp->rcu, b->w.rcu_id);
	}
	if (dp->peers && b->ctl.indices)
		pl_control_fini(&b->ctl);
	pl_sessions_free(dp->sessions);
	pl_allowedips_free(dp->aips);
	rte_free(dp->peers);
	wg_index_table_destroy(b->ctl.indices);
	wg_ratelimiter_destroy(b->ctl.ratelimit);
	wg_aead_destroy(b->ctl.aead);
	wg_aead_destroy(b->w.aead);
	rte_ring_free(dp->from_control);
	rte_ring_free(dp->to_control);
	rte_ring_free(dp->roamed);
	rte_free(dp->rcu);
	if (b->ports_open) {
		rte_eth_dev_stop(b->under_port);
		rte_eth_dev_close(b->under_port);
		rte_eth_dev_stop(b->host_port);
		rte_eth_dev_close(b->host_port);
	}
	rte_mempool_free(b->under_pool);
	rte_mempool_free(b->host_pool);
	rte_ring_free(b->under_rx);
	rte_ring_free(b->under_tx);
	rte_ring_free(b->host_rx);
	rte_ring_free(b->host_tx);
	pb_templates_free(b);
}

/* ---- one timed round ---------------------------------------------------- */

/* Fresh windows and ages, so the same counters are new again. Not timed. */
static void reset_keys(struct pb_bench *b)
{
	uint64_t now = pl_now_ns(&b->dp);
	unsigned p;

	for (p = 0; p < PB_PEERS; p++) {
		wg_replay_init(&b->kp[p]->wg.replay);
		b->kp[p]->wg.birthdate_ns = now;
	}
}

static uint32_t frame_len(const struct pb_bench *b, enum path path)
{
	if (path == DECRYPT)
		return PB_OUTER + (uint32_t)sizeof(struct wg_msg_data) + b->padded +
		       WG_AEAD_TAG_LEN;
	return NET_ETH_HLEN + b->size;
}

static int load(struct pb_bench *b, enum path path)
{
	if (path == DECRYPT)
		return pb_load(b, b->under_pool, b->dec_tmpl, frame_len(b, path));
	return pb_load(b, b->host_pool, b->enc_tmpl, frame_len(b, path));
}

/* Every drop the worker counted since `before`; 0 when there was none. */
static int report_drops(const struct pb_bench *b, const struct pl_lcore_stats *before,
			enum path path)
{
	int bad = 0;
	unsigned d;

	for (d = 0; d < PL_DROP_COUNT; d++) {
		uint64_t n = b->w.stats.drops[d] - before->drops[d];

		if (n == 0)
			continue;
		fprintf(stderr, "omni-bench: pipeline: %s: worker dropped %lu packets: %s\n",
			path_names[path], (unsigned long)n, pl_drop_name((enum pl_drop)d));
		bad = -1;
	}
	return bad;
}

/* The worker through one round; cycles, or 0 after printing what went wrong. */
static uint64_t pipe_round(struct pb_bench *b, enum path path, bool check)
{
	struct rte_ring *rx = path == DECRYPT ? b->under_rx : b->host_rx;
	struct rte_ring *tx = path == DECRYPT ? b->host_tx : b->under_tx;
	struct pl_lcore_stats before = b->w.stats;
	uint64_t t0, cycles, done;
	unsigned n, polls = 0; /* a worker that stops taking frames ends the round */
	int bad;

	reset_keys(b);
	if (load(b, path) != 0)
		return 0;
	if (rte_ring_enqueue_bulk(rx, (void **)b->pkts, PB_PKTS, NULL) != PB_PKTS) {
		rte_pktmbuf_free_bulk(b->pkts, PB_PKTS);
		return 0;
	}
	t0 = rte_rdtsc_precise();
	while (!rte_ring_empty(rx) && polls++ < PB_PKTS)
		pl_worker_poll(&b->w);
	cycles = rte_rdtsc_precise() - t0;
	if (!rte_ring_empty(rx)) {
		fprintf(stderr,
			"omni-bench: pipeline: %s: the worker left %u frames on its RX "
			"ring\n",
			path_names[path], rte_ring_count(rx));
		return 0; /* and leaves them there: the run ends here */
	}
	n = rte_ring_dequeue_burst(tx, (void **)b->pkts, PB_PKTS, NULL);
	done = path == DECRYPT ? b->w.stats.rx_packets - before.rx_packets :
				 b->w.stats.tx_packets - before.tx_packets;
	bad = report_drops(b, &before, path);
	if (!bad && check)
		bad = path == DECRYPT ? pb_check_host_frames(b, b->pkts, n) :
					pb_check_sealed(b, b->pkts, n);
	if (!bad && (done != PB_PKTS || n != PB_PKTS || !rte_ring_empty(tx))) {
		fprintf(stderr,
			"omni-bench: pipeline: %s: %lu packets counted, %u on the TX "
			"ring, want %u\n",
			path_names[path], (unsigned long)done, n, PB_PKTS);
		bad = -1;
	}
	rte_pktmbuf_free_bulk(b->pkts, n);
	return bad ? 0 : cycles;
}

/* The plain loop: ops straight from the frames, one burst call per 32. */
static unsigned aead_bursts(struct pb_bench *b, enum path path)
{
	struct wg_aead_op ops[PL_BURST];
	uint32_t hdr = path == DECRYPT ? PB_OUTER + (uint32_t)sizeof(struct wg_msg_data) :
					 NET_ETH_HLEN;
	unsigned i, k, n, ok = 0;

	for (i = 0; i < PB_PKTS; i += n) {
		n = RTE_MIN((unsigned)PL_BURST, PB_PKTS - i);
		for (k = 0; k < n; k++) {
			uint8_t *data = rte_pktmbuf_mtod(b->pkts[i + k], uint8_t *) + hdr;
			const struct pl_keypair *kp = b->kp[b->peer_of[i + k]];

			ops[k] = (struct wg_aead_op){
				.key = path == DECRYPT ? kp->wg.recv_key : kp->wg.send_key,
				.counter = path == DECRYPT ?
						   wg_transport_counter(data - hdr + PB_OUTER) :
						   (uint64_t)i + k,
				.src = data,
				.dst = data,
				.len = b->padded,
				.tag = data + b->padded,
			};
		}
		ok += path == DECRYPT ? wg_aead_open_burst(b->w.aead, ops, n) :
					wg_aead_seal_burst(b->w.aead, ops, n);
	}
	return ok;
}

static uint64_t aead_round(struct pb_bench *b, enum path path)
{
	uint64_t t0, cycles;
	unsigned ok;

	if (load(b, path) != 0)
		return 0;
	t0 = rte_rdtsc_precise();
	ok = aead_bursts(b, path);
	cycles = rte_rdtsc_precise() - t0;
	rte_pktmbuf_free_bulk(b->pkts, PB_PKTS);
	if (ok != PB_PKTS) {
		fprintf(stderr, "omni-bench: pipeline: AEAD loop: %u of %u %s\n", ok, PB_PKTS,
			path == DECRYPT ? "opened" : "sealed");
		return 0;
	}
	return cycles;
}

/* ---- rounds and the table ------------------------------------------------ */

struct result {
	double pipe_pps, aead_pps; /* best round */
	double ratio;              /* median of per-round ratios */
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double pps_of(uint64_t cycles)
{
	return (double)PB_PKTS * (double)rte_get_tsc_hz() / (double)cycles;
}

static int race(struct pb_bench *b, enum path path, unsigned rounds, struct result *res)
{
	double ratios[MAX_ROUNDS];
	uint64_t c[2];
	unsigned r, k;

	memset(res, 0, sizeof(*res));
	if (!aead_round(b, path)) /* warm; the checked pipe round warmed the worker */
		return -1;
	for (r = 0; r < rounds; r++) {
		for (k = 0; k < 2; k++) {
			enum way way = (r % 2 == 0) == (k == 0) ? PIPE : AEAD;

			c[way] = way == PIPE ? pipe_round(b, path, false) : aead_round(b, path);
			if (!c[way])
				return -1;
		}
		res->pipe_pps = RTE_MAX(res->pipe_pps, pps_of(c[PIPE]));
		res->aead_pps = RTE_MAX(res->aead_pps, pps_of(c[AEAD]));
		ratios[r] = (double)c[AEAD] / (double)c[PIPE];
	}
	qsort(ratios, rounds, sizeof(ratios[0]), cmp_double);
	res->ratio = ratios[rounds / 2];
	return 0;
}

static void print_row(enum path path, uint32_t size, const struct result *r)
{
	double gbit = (double)size * 8 / 1e9;
	int target = size == 64 ? 70 : size == 1420 ? 85 : 0;

	printf("%-8s %5u %7.2f %7.2f %9.2f %9.2f %6.1f%%", path_names[path], size,
	       r->pipe_pps / 1e6, r->pipe_pps * gbit, r->aead_pps / 1e6, r->aead_pps * gbit,
	       100 * r->ratio);
	if (target)
		printf("  >= %d%% %s\n", target, 100 * r->ratio >= target ? "PASS" : "WARN");
	else
		printf("\n");
}

static int bench_size(struct pb_bench *b, uint32_t size, unsigned rounds)
{
	struct result res[2];
	int p;

	if (pb_templates_build(b, size) != 0)
		return -1;
	for (p = DECRYPT; p <= ENCRYPT; p++) {
		/* Checked first: a benchmark of a broken path is worthless. */
		if (!pipe_round(b, (enum path)p, true) ||
		    race(b, (enum path)p, rounds, &res[p]) != 0) {
			fprintf(stderr,
				"omni-bench: pipeline: %s at %u bytes is broken: "
				"not benchmarked\n",
				path_names[p], size);
			return -1;
		}
	}
	for (p = DECRYPT; p <= ENCRYPT; p++)
		print_row((enum path)p, size, &res[p]);
	return 0;
}

static void print_header(const struct pb_bench *b, unsigned rounds, bool huge)
{
	printf("\n== pipeline: one worker lcore (CPU %d), net_ring ports, %u peers, AEAD %s, "
	       "%s\n",
	       sched_getcpu(), PB_PEERS, wg_aead_name(b->w.aead), huge ? "hugepages" : "--no-huge");
	printf("%u packets a round from/to all peers (bursts of %u span %u peers); timed: "
	       "first poll to RX ring empty;\nTX ring drained and mbufs freed outside the "
	       "clock. AEAD = wg_aead_*_burst in place over the same mbufs.\n"
	       "%u rounds, ABBA: best rate, median paired ratio; Gbps of inner bytes\n",
	       PB_PKTS, PL_BURST, PL_BURST, rounds);
	printf("%-8s %5s %7s %7s %9s %9s %7s\n", "path", "bytes", "Mpps", "Gbps", "AEAD Mpps",
	       "AEAD Gbps", "ratio");
}

int bench_pipeline_run(const struct bench_opts *opts)
{
	unsigned rounds = opts->quick ? 9 : 41;
	struct pb_bench *b;
	struct pb_mem m0, m1;
	bool huge;
	size_t s;
	int ret = 0;

	static_assert(MAX_ROUNDS >= 41, "rounds fit");
	if (sodium_init() < 0)
		return -1;
	pb_mem_snap(&m0, false);
	if (eal_start(&huge) != 0)
		return -1;
	if (opts->only_fdb) {
		ret = bench_fdb_run(opts);
		rte_eal_cleanup();
		return ret;
	}
	/* Not from the DPDK heap: that is the gateway's, and measured. */
	b = aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN_CEIL(sizeof(*b), RTE_CACHE_LINE_SIZE));
	if (!b) {
		rte_eal_cleanup();
		return -1;
	}
	memset(b, 0, sizeof(*b));
	printf("\n== memory: a gateway with %u peers configured (bench process)\n", PB_PEERS);
	pb_mem_snap(&m1, true);
	pb_mem_step("EAL up", &m0, &m1);
	if (setup(b, &m1) != 0) {
		ret = -1;
		goto out;
	}
	pb_mem_report(&m1, huge);
	probe_allowedips_change(&m1);
	print_header(b, rounds, huge);
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]) && ret == 0; s++)
		ret = bench_size(b, sizes[s], rounds);
	if (ret == 0)
		ret = bench_fdb_run(opts);
out:
	teardown(b);
	free(b);
	rte_eal_cleanup();
	return ret;
}

/* SPDX-License-Identifier: MIT */
/*
 * The edge: EAL, the underlay and host ports, the tables, the peers, and
 * the loops (lib/pipeline/lcore.h). With one lcore, it does forwarding and
 * control in one loop (single-lcore mode, for small hosts); with more,
 * every lcore but the main one is a worker with its own queue pair on each
 * port, and the main lcore runs control, sending through the workers. What
 * is the edge's own on the main lcore (its mailbox, the nucleus client,
 * signals) runs in edge_pass, once a pass of that loop.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include <sodium.h>

#include "cli.h"
#include "edge.h"
#include "edge_l2.h"
#include "edge_peers.h"
#include "edge_signal.h"
#include "edge_uapi.h"
#include "ops.h"

enum { CONTROL_RING = 1024, RATELIMIT_SOURCES = 4096, PEER_SLACK = 1024 };

static volatile sig_atomic_t stop_requested, stats_requested, reload_requested;

void omni_edge_request_stop(void)
{
	stop_requested = 1;
}

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		stats_requested = 1;
	else if (sig == SIGHUP)
		reload_requested = 1;
	else
		stop_requested = 1;
}

static enum dp_host_kind host_kind(enum cfg_host_port_kind k)
{
	switch (k) {
	case CFG_HOST_PORT_TAP:
		return DP_HOST_TAP;
	case CFG_HOST_PORT_VIRTIO_USER:
		return DP_HOST_VIRTIO_USER;
	case CFG_HOST_PORT_VETH:
		return DP_HOST_VETH;
	case CFG_HOST_PORT_TAP_GSO:
		return DP_HOST_TAP_GSO;
	default:
		return DP_HOST_AUTO;
	}
}

/* Whether idle sleeps end when a packet comes (dp/idle.h), by port: a
 * socket to poll, or net_tap's SIGIO, which reaches the main lcore only. */
static void idle_wakers(const struct omni_edge *e, bool *under, bool *host)
{
	*under = dp_port_rx_fd(&e->under, 0) >= 0;
	*host = dp_port_rx_fd(&e->host, 0) >= 0 ||
		(e->host.host_kind == DP_HOST_TAP && e->n_workers == 0);
}

static void print_idle_wake(const struct omni_edge *e, const char *prog)
{
	bool u, h;

	idle_wakers(e, &u, &h);

	printf("%s: idle sleeps wake on packets from %s\n", prog,
	       u && h ? "both ports" :
	       u      ? "the underlay only" :
	       h      ? "the host port only" :
			"neither port (they end on time alone)");
}

/* The main lcore's wake priority (dp/idle.h), as it started. */
static void print_wake_priority(const struct dp_idle *idle)
{
	if (idle->rt)
		printf("omninervous: wake priority: SCHED_FIFO %d while the lcore is mostly idle\n",
		       idle->rt_prio);
	else if (idle->rt_error)
		printf("omninervous: wake priority: off (SCHED_FIFO refused: %s)\n",
		       strerror(idle->rt_error));
	else if (idle->max_ns)
		printf("omninervous: wake priority: off (OMNI_IDLE=fair)\n");
}

/* OMNI_TAP_USO=off: the tap-gso host port without USO (TSO stays), to
 * price the offload; unset or "on": offered. */
static int tap_uso_env(const char *prog, bool *off)
{
	const char *s = getenv("OMNI_TAP_USO");

	*off = s && strcmp(s, "off") == 0;
	if (s && !*off && strcmp(s, "on") != 0) {
		fprintf(stderr, "%s: OMNI_TAP_USO=%s: the environment variable takes on or off\n",
			prog, s);
		return -1;
	}
	return 0;
}

static int open_ports(struct omni_edge *e, const char *prog)
{
	const struct cfg_interface *ifc = &e->cfg.iface;
	uint16_t queues = (uint16_t)(e->n_workers ? e->n_workers : 1);
	struct dp_underlay_conf uc = { .dev = ifc->underlay, .port = { .queues = queues } };
	struct dp_host_conf hc = { .kind = host_kind(ifc->host_port_kind),
				   .ifname = ifc->host_port_name,
				   .mtu = omni_edge_l2_host_mtu(&e->cfg),
				   .addrs = ifc->addresses,
				   .port = { .queues = queues },
				   .take_over = e->host_locked };
	unsigned q;
	int ret;

	uc.port.small = hc.port.small = !e->eal.huge;
	if (tap_uso_env(prog, &hc.no_uso) != 0)
		return -1;
	hc.n_addrs = (unsigned)RTE_MIN(ifc->n_addresses, (size_t)DP_KIF_MAX_ADDRS);
	if (omni_edge_xdp_prepare(e, prog, &uc) != 0)
		return -1;
	ret = dp_port_open_underlay(&e->under, &uc);
	if (ret < 0) {
		fprintf(stderr, "%s: underlay %s: %s\n", prog, ifc->underlay, strerror(-ret));
		return -1;
	}
	if (omni_edge_xdp_bind(e, prog) != 0)
		return -1;
	/* No more host queues than the underlay gave: a queue no worker
	 * polls loses what the kernel spreads to it (a multi-queue tap). */
	hc.port.queues = RTE_MIN(hc.port.queues, e->under.queues);
	ret = dp_port_open_host(&e->host, &hc);
	if (ret < 0) {
		fprintf(stderr, "%s: host port %s: %s\n", prog, ifc->host_port_name,
			strerror(-ret));
		return -1;
	}
	/* A port may give fewer queues than asked: only that many workers. */
	q = RTE_MIN(e->under.queues, e->host.queues);
	if (e->n_workers > q) {
		printf("%s: only %u queue pair(s): %u of %u worker lcores will forward\n", prog, q,
		       q, e->n_workers);
		e->n_workers = q;
	}
	printf("%s: underlay %s via %s, host port %s (%s), mtu %u, %s, %s\n", prog, ifc->underlay,
	       dp_port_driver_name(e->under.driver), ifc->host_port_name,
	       dp_host_kind_name(e->host.host_kind), ifc->mtu,
	       e->n_workers ? "control on the main lcore + workers" : "single-lcore mode",
	       e->eal.placement);
	print_idle_wake(e, prog);
	fflush(stdout);
	return 0;
}

/* Our underlay identity: its MAC and first global IPv4 / IPv6 address. */
static void read_local(struct omni_edge *e)
{
	struct net_local *l = &e->dp.local;
	const struct dp_kif *k = &e->under.kif;
	unsigned i;

	memset(l, 0, sizeof(*l));
	memcpy(l->mac.b, k->mac, 6);
	l->port = e->cfg.iface.listen_port;
	for (i = 0; i < k->n_addrs; i++) {
		const struct net_prefix *a = &k->addrs[i];
		const uint8_t *b = a->addr.b;

		if (a->addr.family == NET_AF_IP4 && !e->ctl.prefix4) {
			memcpy(l->ip4.b, b, 4);
			e->ctl.prefix4 = a->len;
		} else if (a->addr.family == NET_AF_IP6 && b[0] == 0xfe && (b[1] & 0xc0) == 0x80) {
			memcpy(l->ip6_ll.b, b, 16);
		} else if (a->addr.family == NET_AF_IP6 && !e->ctl.prefix6) {
			memcpy(l->ip6.b, b, 16);
			e->ctl.prefix6 = a->len;
		}
	}
	/* Off-link destinations (a nucleus, peers behind NAT) go to the
	 * kernel's default next hop on this interface. */
	dp_kif_default_gw(e->cfg.iface.underlay, NET_AF_IP4, &e->ctl.gw4);
	dp_kif_default_gw(e->cfg.iface.underlay, NET_AF_IP6, &e->ctl.gw6);
}

/*
 * Test-only: OMNI_TEST_CLOCK_SCALE=N runs the protocol clock N times fast,
 * so rekeying (REKEY_AFTER_TIME 120 s) can be seen in a short test. Never
 * for production: every WireGuard timer shrinks with it.
 */
static uint32_t test_clock_scale(void)
{
	const char *s = getenv("OMNI_TEST_CLOCK_SCALE");
	unsigned long v;

	if (!s || !*s)
		return 1;
	v = strtoul(s, NULL, 10);
	if (v < 1 || v > 1000)
		return 1;
	fprintf(stderr,
		"omninervous: WARNING: OMNI_TEST_CLOCK_SCALE=%lu: WireGuard timers run "
		"%lu times fast (tests only)\n",
		v, v);
	return (uint32_t)v;
}

static int make_tables(struct omni_edge *e)
{
	struct pl_dataplane *dp = &e->dp;
	/* Room to add peers at run time (console, reload, the nucleus). */
	unsigned n = RTE_MIN(RTE_MAX(2 * (unsigned)e->cfg.n_peers,
				     (unsigned)e->cfg.n_peers + PEER_SLACK),
			     (unsigned)PL_PEER_ID_MAX);

	/* Readers are known by lcore id; workers come online when they start. */
	e->rcu = rte_zmalloc("rcu", rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE), RTE_CACHE_LINE_SIZE);
	if (!e->rcu || rte_rcu_qsbr_init(e->rcu, RTE_MAX_LCORE) != 0)
		return -1;
	dp->rcu = e->rcu;
	if (e->n_workers) {
		dp->from_control =
			rte_ring_create("from_control", CONTROL_RING, SOCKET_ID_ANY, RING_F_SP_ENQ);
		if (!dp->from_control)
			return -1;
	} else {
		rte_rcu_qsbr_thread_register(e->rcu, rte_lcore_id());
		rte_rcu_qsbr_thread_online(e->rcu, rte_lcore_id());
	}
	dp->tsc_hz = rte_get_tsc_hz();
	dp->clock_scale = test_clock_scale();
	dp->mtu = e->cfg.iface.mtu;
	dp->max_peers = n;
	dp->peers = rte_zmalloc("peers", n * sizeof(*dp->peers), RTE_CACHE_LINE_SIZE);
	dp->to_control = rte_ring_create("to_control", CONTROL_RING, SOCKET_ID_ANY, RING_F_SC_DEQ);
	dp->roamed = rte_ring_create("roamed", CONTROL_RING, SOCKET_ID_ANY, RING_F_SC_DEQ);
	dp->sessions = pl_sessions_create("edge", 4 * n + 16, e->rcu, SOCKET_ID_ANY);
	e->ctl.indices = wg_index_table_create(4 * n + 16);
	e->ctl.ratelimit = wg_ratelimiter_create(RATELIMIT_SOURCES,
						 e->cfg.security.max_sessions_per_ip,
						 e->cfg.security.max_sessions_per_ip);
	return dp->peers && dp->to_control && dp->roamed && dp->sessions && e->ctl.indices &&
			       e->ctl.ratelimit ?
		       0 :
		       -1;
}

static int setup_control(struct omni_edge *e, const char *prog)
{
	struct pl_control *c = &e->ctl;
	char err[CFG_CONFIG_ERR_MAX];

	c->dp = &e->dp;
	c->pool = e->under.pool;
	c->under_port = e->under.port_id;
	c->host_port = e->host.port_id;
	c->is_reader = e->n_workers == 0;
	c->rcu_id = rte_lcore_id();
	if (!wg_identity_init(&c->id, e->cfg.iface.private_key)) {
		fprintf(stderr, "%s: the private key is not usable\n", prog);
		return -1;
	}
	sodium_memzero(e->cfg.iface.private_key, WG_KEY_LEN);
	wg_cookie_checker_init(&c->checker, c->id.public_key);
	c->aead = wg_aead_create("auto");
	if (!c->aead)
		return -1;
	if (omni_edge_peers_load(e, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return -1;
	}
	return 0;
}

/* Worker i polls queue i of both ports; in single-lcore mode one worker
 * struct serves the main lcore's combined loop. */
static int setup_workers(struct omni_edge *e)
{
	unsigned i, n = e->n_workers ? e->n_workers : 1, lcore = rte_get_main_lcore();

	e->workers = rte_zmalloc("workers", n * sizeof(*e->workers), RTE_CACHE_LINE_SIZE);
	if (!e->workers)
		return -1;
	for (i = 0; i < n; i++) {
		struct pl_worker *w = &e->workers[i];

		if (e->n_workers)
			lcore = rte_get_next_lcore(lcore, 1, 0);
		w->dp = &e->dp;
		w->aead = wg_aead_create("auto");
		if (!w->aead)
			return -1;
		w->under_port = e->under.port_id;
		w->host_port = e->host.port_id;
		w->under_rxq = w->under_txq = w->host_rxq = w->host_txq = (uint16_t)i;
		w->rx_fds[0] = dp_port_rx_fd(&e->under, (uint16_t)i);
		w->rx_fds[1] = dp_port_rx_fd(&e->host, (uint16_t)i);
		w->host_tapq = i < DP_PORT_FD_QUEUES ? e->host.tapq[i] : NULL;
		w->rcu_id = lcore;
		w->lcore = lcore;
	}
	return 0;
}

int omni_edge_start(struct omni_edge *e, const struct omni_cli *cli)
{
	struct omni_edge_eal ee;
	struct rte_ether_addr mac;

	e->cli = cli;
	mailbox_init(&e->mbox);
	omni_edge_eal_conf(&e->cfg, cli, &ee);
	if (omni_edge_claim_host(e, cli->prog) != 0)
		return -1;
	if (dp_eal_start(&e->eal, &ee.conf) < 0) {
		fprintf(stderr, "%s: DPDK EAL failed to start\n", cli->prog);
		return -1;
	}
	e->n_workers = rte_lcore_count() - 1;
	if (open_ports(e, cli->prog) != 0)
		return -1;
	e->ctl.dp = &e->dp;
	read_local(e);
	memcpy(e->dp.host_kernel_mac.b, e->host.kif.mac, 6);
	rte_eth_macaddr_get(e->host.port_id, &mac);
	memcpy(e->dp.host_our_mac.b, mac.addr_bytes, 6);
	if (make_tables(e) != 0) {
		fprintf(stderr, "%s: out of memory building the tables\n", cli->prog);
		return -1;
	}
	if (omni_edge_l2_setup(e, cli->prog) != 0)
		return -1;
	if (setup_control(e, cli->prog) != 0 || setup_workers(e) != 0 ||
	    omni_edge_signal_start(e, cli->prog) != 0)
		return -1;
	omni_edge_xdp_hooks(e);
	return 0;
}

/* SIGHUP: the files again; one line in the log either way. */
static void reload(struct omni_edge *e)
{
	char msg[CFG_CONFIG_ERR_MAX];

	if (omni_edge_reload(e, msg, sizeof(msg)) == 0)
		printf("omninervous: reload: %s\n", msg);
	else
		printf("omninervous: reload refused: %s\n", msg);
	fflush(stdout);
}

/* The edge's own work on the main lcore, once a pass of its loop: the
 * console and metrics mailbox, the nucleus client, wg(8)'s socket, SIGUSR1
 * and SIGHUP. */
static unsigned edge_pass(void *ctx, uint64_t now)
{
	struct omni_edge *e = ctx;
	unsigned n;

	n = mailbox_serve(&e->mbox);
	n += omni_edge_signal_poll(e, now);
	omni_edge_l2_poll(e, now);
	if (omni_edge_host_gone(e, now)) {
		e->exit_status = OMNI_EXIT_FAILURE;
		stop_requested = 1;
	}
	if (e->ops)
		n += omni_uapi_poll(e->ops->uapi, e, now);
	if (stats_requested) {
		stats_requested = 0;
		omni_edge_print_stats(e, stdout);
	}
	if (reload_requested) {
		reload_requested = 0;
		reload(e);
	}
	return n;
}

void omni_edge_run(struct omni_edge *e)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct pl_main_lcore *ml = &e->main_lcore;
	unsigned deep_ms, after_ms;
	bool wake_u, wake_h;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (pl_lcore_idle_policy(&e->dp.idle, getenv("OMNI_IDLE")))
		fprintf(stderr, "omninervous: WARNING: OMNI_IDLE=busy: polling never sleeps, "
				"each lcore burns a whole core even when idle\n");
	pl_lcore_launch_workers(e->workers, e->n_workers);
	*ml = (struct pl_main_lcore){ .ctl = &e->ctl,
				      .pass = edge_pass,
				      .ctx = e,
				      .single = e->n_workers ? NULL : &e->workers[0] };
	idle_wakers(e, &wake_u, &wake_h);
	pl_lcore_main_init(ml, wake_u && wake_h);
	if (pl_lcore_main_deep_idle(ml, &deep_ms, &after_ms))
		printf("omninervous: idle: sleeps of %u ms after %u ms without traffic\n", deep_ms,
		       after_ms);
	print_wake_priority(&ml->idle);
	fflush(stdout);
	pl_lcore_main_run(ml, &stop_requested);
	/* Goodbye to the nucleus while the workers still send for us. */
	omni_edge_signal_leave(e);
	/* The console and HTTP threads get "shutting down" from now on. */
	mailbox_close(&e->mbox);
	pl_lcore_stop_workers(&e->dp);
	omni_edge_print_stats(e, stdout);
}

void omni_edge_stop(struct omni_edge *e)
{
	omni_edge_signal_stop(e);
	if (e->ctl.dp && e->dp.peers)
		pl_control_fini(&e->ctl);
	wg_aead_destroy(e->ctl.aead);
	for (unsigned i = 0; e->workers && i < (e->n_workers ? e->n_workers : 1); i++)
		wg_aead_destroy(e->workers[i].aead);
	rte_free(e->workers);
	rte_ring_free(e->dp.from_control);
	if (e->host.started || e->host.attached)
		dp_port_close(&e->host);
	if (e->under.started || e->under.attached)
		dp_port_close(&e->under);
	omni_edge_release_host(e);
	omni_edge_xdp_close(e);
	omni_edge_l2_teardown(e);
	pl_sessions_free(e->dp.sessions);
	pl_allowedips_free(e->dp.aips);
	rte_ring_free(e->dp.to_control);
	rte_ring_free(e->dp.roamed);
	rte_free(e->dp.peers);
	rte_free(e->rcu);
	free(e->routes); /* the routes themselves go with omni0 */
	e->routes = NULL;
	e->n_routes = 0;
	wg_index_table_destroy(e->ctl.indices);
	wg_ratelimiter_destroy(e->ctl.ratelimit);
	if (e->eal.started)
		dp_eal_stop(&e->eal);
	cfg_config_free(&e->cfg);
	mailbox_fini(&e->mbox);
}

/* SPDX-License-Identifier: MIT */
/*
 * dp-smoke: lib/dp end to end. Starts EAL with our defaults, opens an
 * underlay port on a kernel interface and a host port, and forwards frames
 * unchanged between them (an L2 pipe, like testpmd's io engine) on worker
 * lcores with idle back-off. tests/e2e/dp_ports.sh pings across it.
 *
 *   dp-smoke [EAL args --] --underlay IF [options]
 *
 * Worker w polls queue w of both ports; with --workers 0 the main lcore
 * forwards by itself (single-lcore mode). SIGINT/SIGTERM: counters are
 * printed, ports closed (omni0 goes away), EAL cleaned up, exit 0.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "dp/eal.h"
#include "dp/idle.h"
#include "dp/port.h"
#include "dp/tapq.h"

enum { MAX_ADDRS = 4, BURST = 32 };

struct smoke_opts {
	const char *underlay;
	enum dp_underlay_mode underlay_mode;
	enum dp_host_kind host_kind;
	const char *host_if;
	unsigned host_mtu;
	struct net_prefix addrs[MAX_ADDRS];
	unsigned n_addrs;
	unsigned workers;
	unsigned idle_cap_ns;
	unsigned idle_deep_ns;
};

struct dir_stats {
	uint64_t rx, tx, dropped;
};

struct worker {
	const struct smoke *s;
	uint16_t queue;
	struct dir_stats up, down; /* host->underlay, underlay->host */
	uint64_t sleeps, wakeups;
} __rte_cache_aligned;

struct smoke {
	struct smoke_opts o;
	struct dp_port underlay, host;
	struct worker workers[RTE_MAX_LCORE];
};

/* Set from the signal handler, read by every forwarding loop. */
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static bool stopping(void)
{
	return __atomic_load_n(&stop_requested, __ATOMIC_RELAXED) != 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: dp-smoke [EAL args --] --underlay IF [options]\n"
		   "  --underlay-mode auto|af_xdp|af_packet   (default auto)\n"
		   "  --host-kind auto|tap|tap-gso|veth|virtio-user   (default auto)\n"
		   "  --host-if NAME        host interface (default omni0)\n"
		   "  --host-addr A/LEN     address for it (repeatable)\n"
		   "  --host-mtu N          its MTU\n"
		   "  --workers N           worker lcores (default 1; 0: single-lcore)\n"
		   "  --idle-cap-us N       idle back-off cap (default 100; 0: no sleep)\n"
		   "  --idle-deep-us N      sleep after 1 s without traffic (default 1000;\n"
		   "                        0: never deeper than the cap)\n");
}

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int parse_mode(const char *s, enum dp_underlay_mode *m)
{
	if (strcmp(s, "auto") == 0)
		*m = DP_UNDERLAY_AUTO;
	else if (strcmp(s, "af_xdp") == 0)
		*m = DP_UNDERLAY_AF_XDP;
	else if (strcmp(s, "af_packet") == 0)
		*m = DP_UNDERLAY_AF_PACKET;
	else
		return -1;
	return 0;
}

static int parse_opts(int argc, char **argv, struct smoke_opts *o)
{
	static const struct option longopts[] = {
		{ "underlay", required_argument, NULL, 'u' },
		{ "underlay-mode", required_argument, NULL, 'U' },
		{ "host-kind", required_argument, NULL, 'k' },
		{ "host-if", required_argument, NULL, 'i' },
		{ "host-addr", required_argument, NULL, 'a' },
		{ "host-mtu", required_argument, NULL, 'm' },
		{ "workers", required_argument, NULL, 'w' },
		{ "idle-cap-us", required_argument, NULL, 'c' },
		{ "idle-deep-us", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned cap_us = DP_IDLE_MAX_NS / 1000, deep_us = DP_IDLE_DEEP_NS / 1000;
	const char *why;
	int c, idx = 0, bad = 0;

	o->workers = 1;
	while (!bad && (c = getopt_long(argc, argv, "h", longopts, &idx)) != -1) {
		switch (c) {
		case 'u':
			o->underlay = optarg;
			break;
		case 'U':
			bad = parse_mode(optarg, &o->underlay_mode);
			break;
		case 'k':
			bad = dp_host_kind_parse(optarg, &o->host_kind);
			break;
		case 'i':
			o->host_if = optarg;
			break;
		case 'a':
			bad = o->n_addrs >= MAX_ADDRS ||
			      net_prefix_parse(optarg, &o->addrs[o->n_addrs++], &why) != 0;
			break;
		case 'm':
			bad = parse_uint(optarg, 65535, &o->host_mtu);
			break;
		case 'w':
			bad = parse_uint(optarg, RTE_MAX_LCORE - 1, &o->workers);
			break;
		case 'c':
			bad = parse_uint(optarg, 1000000, &cap_us);
			break;
		case 'd':
			bad = parse_uint(optarg, 1000000, &deep_us);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			bad = 1;
		}
		if (bad && c != '?')
			fprintf(stderr, "dp-smoke: bad value for --%s: '%s'\n", longopts[idx].name,
				optarg ? optarg : "");
	}
	o->idle_cap_ns = cap_us * 1000;
	o->idle_deep_ns = deep_us * 1000;
	if (bad || optind != argc || !o->underlay) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/* One direction, one burst: returns packets received. */
static unsigned pipe_burst(uint16_t from, uint16_t to, uint16_t q, struct dir_stats *st)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t n = rte_eth_rx_burst(from, q, pkts, BURST), sent;

	if (n == 0)
		return 0;
	sent = rte_eth_tx_burst(to, q, pkts, n);
	if (sent < n)
		rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
	st->rx += n;
	st->tx += sent;
	st->dropped += (uint64_t)(n - sent);
	return n;
}

static int forward_loop(void *arg)
{
	struct worker *w = arg;
	const struct smoke *s = w->s;
	struct dp_idle_conf ic = {
		.max_ns = s->o.idle_cap_ns,
		.deep_ns = s->o.idle_deep_ns,
		.no_deep_idle = s->o.idle_deep_ns == 0,
	};
	struct dp_idle idle;

	dp_idle_init(&idle, &ic);
	/* Sleeps end when either port's queue gets a frame. */
	dp_idle_wake_on(&idle, dp_port_rx_fd(&s->host, w->queue));
	dp_idle_wake_on(&idle, dp_port_rx_fd(&s->underlay, w->queue));
	/* A tap-gso host port's queue is fed and emptied here (dp/tapq.h). */
	struct dp_tapq *tq = w->queue < DP_PORT_FD_QUEUES ? s->host.tapq[w->queue] : NULL;

	while (!stopping()) {
		unsigned n = tq ? dp_tapq_pull(tq) : 0;

		n += pipe_burst(s->host.port_id, s->underlay.port_id, w->queue, &w->up);
		n += pipe_burst(s->underlay.port_id, s->host.port_id, w->queue, &w->down);
		if (tq)
			n += dp_tapq_push(tq);
		dp_idle_poll_done(&idle, n);
	}
	w->sleeps = idle.sleeps;
	w->wakeups = idle.wakeups;
	return 0;
}

static int open_ports(struct smoke *s, bool small)
{
	uint16_t queues = (uint16_t)(s->o.workers ? s->o.workers : 1);
	struct dp_underlay_conf uc = {
		.dev = s->o.underlay,
		.mode = s->o.underlay_mode,
		.port = { .queues = queues, .small = small },
	};
	struct dp_host_conf hc = {
		.kind = s->o.host_kind,
		.ifname = s->o.host_if,
		.mtu = s->o.host_mtu,
		.addrs = s->o.addrs,
		.n_addrs = s->o.n_addrs,
		.port = { .queues = queues, .small = small },
	};
	int ret = dp_port_open_underlay(&s->underlay, &uc);

	if (ret < 0)
		return ret;
	ret = dp_port_open_host(&s->host, &hc);
	if (ret < 0) {
		dp_port_close(&s->underlay);
		return ret;
	}
	/* An L2 pipe passes every frame, whoever it is for. */
	rte_eth_promiscuous_enable(s->underlay.port_id);
	rte_eth_promiscuous_enable(s->host.port_id);
	return 0;
}

static void run(struct smoke *s)
{
	unsigned queues = RTE_MIN(s->underlay.queues, s->host.queues);
	unsigned lcore, w = 0;
	sigset_t wait_mask;

	if (s->o.workers == 0) {
		printf("dp-smoke: forwarding on the main lcore (single-lcore mode)\n");
		fflush(stdout);
		s->workers[0] = (struct worker){ .s = s, .queue = 0 };
		forward_loop(&s->workers[0]);
		return;
	}
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (w >= queues)
			break;
		s->workers[w] = (struct worker){ .s = s, .queue = (uint16_t)w };
		rte_eal_remote_launch(forward_loop, &s->workers[w], lcore);
		w++;
	}
	printf("dp-smoke: forwarding on %u worker lcore(s)\n", w);
	fflush(stdout);
	sigprocmask(SIG_SETMASK, NULL, &wait_mask);
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGTERM);
	while (!stopping())
		sigsuspend(&wait_mask);
	rte_eal_mp_wait_lcore();
}

static void report(const struct smoke *s)
{
	unsigned n = s->o.workers ? s->o.workers : 1;

	for (unsigned i = 0; i < n; i++) {
		const struct worker *w = &s->workers[i];

		printf("dp-smoke: worker %u: host->underlay %" PRIu64 " rx %" PRIu64 " tx %" PRIu64
		       " dropped; underlay->host %" PRIu64 " rx %" PRIu64 " tx %" PRIu64
		       " dropped; %" PRIu64 " idle sleeps, %" PRIu64 " ended by a frame\n",
		       i, w->up.rx, w->up.tx, w->up.dropped, w->down.rx, w->down.tx,
		       w->down.dropped, w->sleeps, w->wakeups);
	}
}

int main(int argc, char **argv)
{
	static struct smoke s; /* big (per-lcore array): not on the stack */
	struct dp_eal_conf ec = { .prog = "dp-smoke" };
	struct dp_eal eal;
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block;
	int app_argc = argc, sep;
	char **app_argv = argv;

	for (sep = 1; sep < argc && strcmp(argv[sep], "--") != 0; sep++)
		;
	if (sep < argc) {
		ec.user_argc = sep - 1;
		ec.user_argv = argv + 1;
		app_argv = argv + sep;
		app_argc = argc - sep;
	}
	if (parse_opts(app_argc, app_argv, &s.o) < 0)
		return 2;
	ec.lcores = s.o.workers + 1;

	/* Blocked in every thread EAL starts; the main lcore waits for them. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (s.o.workers)
		sigprocmask(SIG_BLOCK, &block, NULL);

	if (dp_eal_start(&eal, &ec) < 0)
		return 1;
	if (rte_lcore_count() < s.o.workers + 1)
		fprintf(stderr, "dp-smoke: only %u lcore(s): fewer workers\n", rte_lcore_count());
	if (open_ports(&s, !eal.huge) < 0) {
		dp_eal_stop(&eal);
		return 1;
	}
	printf("dp-smoke: ready: underlay %s %s, host %s %s (%s), hugepages %s\n",
	       s.underlay.kif.name, dp_port_driver_name(s.underlay.driver), s.host.kif.name,
	       dp_host_kind_name(s.host.host_kind), dp_port_driver_name(s.host.driver),
	       eal.huge ? "yes" : "no");
	fflush(stdout);
	run(&s);
	report(&s);
	dp_port_close(&s.host);
	dp_port_close(&s.underlay);
	dp_eal_stop(&eal);
	printf("dp-smoke: stopped\n");
	return 0;
}

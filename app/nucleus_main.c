/* SPDX-License-Identifier: MIT */
/*
 * omninervous --mode nucleus: the signaling server. One UDP socket on the
 * port, IPv6 with IPv4-mapped addresses (dual stack) where the host has
 * IPv6, else IPv4 only; epoll, a signalfd for SIGINT/SIGTERM, and the pure
 * core (signaling/nucleus.h) in between. No DPDK, no hugepages: it runs on
 * a 1-vCPU VPS. /metrics and /health on --metrics (lib/httpd's thread reads
 * the core's counters atomically).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "commands.h"
#include "httpd/httpd.h"
#include "net/addr.h"
#include "nucleus.h"
#include "signaling/codec.h"

enum {
	DEFAULT_PORT = 51820,
	TICK_MS = 1000,
	/* Each way: 0.5 s of a million members' heartbeats (33,000/s, about
	 * 1 KB of kernel memory each) while the loop is held up. */
	SOCK_BUF = 16 << 20,
};

static const char default_metrics[] = "127.0.0.1:9586";

struct nucleus_proc {
	struct sig_nucleus *core;
	int fd, ep, sfd;
	bool v6; /* the socket is AF_INET6 (dual stack) */
	struct omni_nucleus_io io;
	int rcvbuf, sndbuf;            /* granted by the kernel */
	struct sig_nucleus_stats seen; /* drops as of the last refusal */
	struct omni_nucleus_log log;
	const struct omni_cli *cli; /* for a reload */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int parse_port(const struct omni_cli *cli, uint16_t *port)
{
	char *end;
	unsigned long v;

	*port = DEFAULT_PORT;
	if (!cli->port)
		return 0;
	errno = 0;
	v = strtoul(cli->port, &end, 10);
	if (errno || *end || end == cli->port || v == 0 || v > 65535) {
		fprintf(stderr, "%s: --port '%s': expected a number from 1 to 65535\n", cli->prog,
			cli->port);
		return -1;
	}
	*port = (uint16_t)v;
	return 0;
}

static int open_socket(struct nucleus_proc *np, uint16_t port, const char *prog)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	int off = 0;

	np->fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	np->v6 = np->fd >= 0;
	if (np->v6) {
		setsockopt(np->fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
		if (bind(np->fd, (struct sockaddr *)&a6, sizeof(a6)) < 0) {
			fprintf(stderr, "%s: udp [::]:%u: %s\n", prog, port, strerror(errno));
			return -1;
		}
	} else {
		np->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (np->fd < 0 || bind(np->fd, (struct sockaddr *)&a4, sizeof(a4)) < 0) {
			fprintf(stderr, "%s: udp 0.0.0.0:%u: %s\n", prog, port, strerror(errno));
			return -1;
		}
	}
	omni_nucleus_io_bufs(np->fd, SOCK_BUF, &np->rcvbuf, &np->sndbuf);
	omni_nucleus_io_init(&np->io, np->v6);
	return 0;
}

/* No answer: dropped (the core counted why) or a LEAVE. The drop counters
 * change only here, so the one that moved since the last time says why. */
static void refused(struct nucleus_proc *np, const struct net_endpoint *from, const uint8_t *p,
		    size_t len)
{
	struct sig_nucleus_stats now;

	sig_nucleus_read(np->core, &now);
	omni_nucleus_refusal(&np->log, &np->seen, &now, from, p, len, now_ms());
	np->seen = now;
}

/* Reads a batch of datagrams and answers them in one send; false when the
 * socket is drained. */
static bool read_batch(struct nucleus_proc *np)
{
	struct omni_nucleus_io *io = &np->io;
	unsigned got = omni_nucleus_recv(io, np->fd);
	uint64_t now = now_ms();
	struct net_endpoint from;

	for (unsigned i = 0; i < got; i++) {
		const uint8_t *p = io->rx_buf[i];
		size_t len = io->rx[i].msg_len;
		unsigned n;

		/* not IP: unset, dropped by the core */
		net_endpoint_from_sockaddr(&io->rx_from[i], &from);
		n = sig_nucleus_input(np->core, &from, p, len, now,
				      omni_nucleus_tx_slot(io, np->fd));
		io->n_tx += n;
		if (n == 0)
			refused(np, &from, p, len);
	}
	omni_nucleus_flush(io, np->fd);
	return got == OMNI_NUCLEUS_BATCH;
}

static int metrics(void *ctx, const char *path, struct httpd_text *t, const char **type)
{
	const struct nucleus_proc *np = ctx;
	const struct sig_nucleus *n = np->core;
	struct sig_nucleus_stats s;

	if (strcmp(path, "/health") == 0) {
		httpd_text_printf(t, "ok\n");
		return 200;
	}
	if (strcmp(path, "/metrics") != 0) {
		httpd_text_printf(t, "not found\n");
		return 404;
	}
	*type = HTTPD_PROMETHEUS;
	sig_nucleus_read(n, &s);
	httpd_text_printf(t, "# HELP omni_nucleus_members Registered nodes per cluster.\n"
			     "# TYPE omni_nucleus_members gauge\n");
	for (size_t c = 0; c < sig_nucleus_n_clusters(n); c++)
		httpd_text_printf(t, "omni_nucleus_members{cluster=\"%s\"} %u\n",
				  sig_nucleus_cluster_name(n, c),
				  sig_nucleus_cluster_members(n, c));
	httpd_text_printf(t,
			  "# HELP omni_nucleus_messages_total Signaling messages accepted (rx) and sent (tx), by type.\n"
			  "# TYPE omni_nucleus_messages_total counter\n");
	for (unsigned ty = 1; ty < SIG_TYPE_COUNT; ty++) {
		const char *dir = sig_type_to_nucleus(ty) ? "rx" : "tx";
		uint64_t v = sig_type_to_nucleus(ty) ? s.rx[ty] : s.tx[ty];

		if (!sig_type_name_known(ty))
			continue;
		httpd_text_printf(t,
				  "omni_nucleus_messages_total{direction=\"%s\",type=\"%s\"} %llu\n",
				  dir, sig_type_name(ty), (unsigned long long)v);
	}
	httpd_text_printf(t, "# HELP omni_nucleus_drops_total Datagrams dropped, by reason.\n"
			     "# TYPE omni_nucleus_drops_total counter\n");
	for (unsigned d = 1; d < SIG_DROP_COUNT; d++)
		httpd_text_printf(t, "omni_nucleus_drops_total{reason=\"%s\"} %llu\n",
				  sig_drop_name(d), (unsigned long long)s.drops[d]);
	httpd_text_printf(t,
			  "# HELP omni_nucleus_expired_total Members dropped after 90 s of silence.\n"
			  "# TYPE omni_nucleus_expired_total counter\n"
			  "omni_nucleus_expired_total %llu\n",
			  (unsigned long long)s.expired);
	httpd_text_printf(t,
			  "# HELP omni_nucleus_clusters Clusters served (listed, or made on demand "
			  "by an open nucleus).\n"
			  "# TYPE omni_nucleus_clusters gauge\n"
			  "omni_nucleus_clusters %zu\n"
			  "# HELP omni_nucleus_refusals_unlogged_total Refusals not logged (one line "
			  "per source a minute, 20 in all).\n"
			  "# TYPE omni_nucleus_refusals_unlogged_total counter\n"
			  "omni_nucleus_refusals_unlogged_total %llu\n",
			  sig_nucleus_n_clusters(n),
			  (unsigned long long)__atomic_load_n(&np->log.suppressed,
							      __ATOMIC_RELAXED));
	httpd_text_printf(t,
			  "# HELP omni_nucleus_ratelimit_evictions_total Rate-limiter slots "
			  "taken over by a new source when full.\n"
			  "# TYPE omni_nucleus_ratelimit_evictions_total counter\n"
			  "omni_nucleus_ratelimit_evictions_total %llu\n",
			  (unsigned long long)s.ratelimit_evictions);
	return 200;
}

/*
 * Test-only: OMNI_TEST_NUCLEUS_EXPIRY_MS=N expires members after N ms of
 * silence instead of 90 s, so a test sees an edge leave quickly.
 */
static uint32_t test_expiry_ms(void)
{
	const char *s = getenv("OMNI_TEST_NUCLEUS_EXPIRY_MS");
	unsigned long v;

	if (!s || !*s)
		return 0;
	v = strtoul(s, NULL, 10);
	if (v < 100 || v > SIG_EXPIRY_MS)
		return 0;
	fprintf(stderr,
		"omninervous: WARNING: OMNI_TEST_NUCLEUS_EXPIRY_MS=%lu: members expire "
		"after %lu ms (tests only)\n",
		v, v);
	return (uint32_t)v;
}

/*
 * Test-only: OMNI_TEST_NUCLEUS_REPLAY=N holds N nonces in all (shared out
 * per cluster) instead of SIG_NUCLEUS_REPLAY_DEFAULT, so a flood test
 * fills a cluster's cache in seconds.
 */
static unsigned test_replay_capacity(void)
{
	const char *s = getenv("OMNI_TEST_NUCLEUS_REPLAY");
	unsigned long v = s ? strtoul(s, NULL, 10) : 0;

	if (v < 1024 || v > SIG_NUCLEUS_REPLAY_DEFAULT)
		return 0;
	fprintf(stderr, "omninervous: WARNING: OMNI_TEST_NUCLEUS_REPLAY=%lu (tests only)\n", v);
	return (unsigned)v;
}

static int setup_loop(struct nucleus_proc *np, const char *prog)
{
	struct epoll_event ev = { .events = EPOLLIN };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	np->sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	np->ep = epoll_create1(EPOLL_CLOEXEC);
	if (np->sfd < 0 || np->ep < 0) {
		fprintf(stderr, "%s: epoll/signalfd: %s\n", prog, strerror(errno));
		return -1;
	}
	ev.data.fd = np->fd;
	epoll_ctl(np->ep, EPOLL_CTL_ADD, np->fd, &ev);
	ev.data.fd = np->sfd;
	epoll_ctl(np->ep, EPOLL_CTL_ADD, np->sfd, &ev);
	return 0;
}

/* Every listed cluster's secret in the file is usable: checked before
 * anything of the reload is applied. */
static bool secrets_usable(const struct omni_nucleus_clusters *cl)
{
	struct sig_keys k;
	char err[160];

	for (size_t i = 0; i < cl->n; i++) {
		if (sig_keys_derive(&k, cl->list[i].name, cl->list[i].secret, err, sizeof(err)) <
		    0) {
			printf("nucleus: reload failed: %s; still serving the configuration it had\n",
			       err);
			return false;
		}
		sig_keys_wipe(&k);
	}
	return true;
}

/* A listed cluster's secret from the file: a change starts a rotation
 * (the old one accepted for nucleus.secret_window seconds). */
static void reload_secret(struct nucleus_proc *np, size_t k, const struct nucleus_cluster_conf *c,
			  uint32_t window_s)
{
	char err[160];
	int r = sig_nucleus_set_secret(np->core, k, c->secret, window_s * 1000u, now_ms(), err,
				       sizeof(err));

	if (r > 0)
		printf("nucleus: reload: cluster %s has a new secret; the old one is accepted "
		       "for %u s more\n",
		       c->name, window_s);
	else if (r < 0)
		printf("nucleus: reload: cluster %s: %s; secret unchanged\n", c->name, err);
}

/* The open nucleus's secret (security.secret of a file with no clusters):
 * a change starts a rotation of every name, as reload_secret. */
static void reload_open(struct nucleus_proc *np, const struct omni_nucleus_clusters *cl)
{
	char err[160];
	int r = sig_nucleus_set_open_secret(np->core, cl->open_secret, cl->secret_window_s * 1000u,
					    now_ms(), err, sizeof(err));

	if (r > 0)
		printf("nucleus: reload: a new secret for any cluster name; the old one is "
		       "accepted for %u s more\n",
		       cl->secret_window_s);
	else if (r < 0)
		printf("nucleus: reload: the open secret: %s; unchanged\n", err);
}

/*
 * SIGHUP: the --config file again, validated whole first (an error keeps
 * everything as it was). What a running nucleus takes from it: each
 * listed cluster's admission list ("members"), whose left-out members are
 * removed at once (every edge hears LEFT at its next heartbeat), and its
 * secret, or the open nucleus's one secret (a rotation: docs/signaling.md,
 * "Rotating the cluster secret").
 * Other changes (clusters, port) need a restart, and it says so.
 */
static void reload(struct nucleus_proc *np)
{
	struct omni_nucleus_clusters cl;

	if (!np->cli->config) {
		printf("nucleus: reload: no --config file, nothing to read\n");
		fflush(stdout);
		return;
	}
	if (omni_nucleus_clusters_load(&cl, np->cli) < 0) {
		printf("nucleus: reload failed (above); still serving the configuration it had\n");
		fflush(stdout);
		return;
	}
	if (cl.open_secret)
		reload_open(np, &cl);
	if (!secrets_usable(&cl)) {
		fflush(stdout);
		omni_nucleus_clusters_free(&cl);
		return;
	}
	for (size_t i = 0; i < cl.n; i++) {
		const struct nucleus_cluster_conf *c = &cl.list[i];
		int k = sig_nucleus_cluster_find(np->core, c->name);
		int gone = k < 0 ? 0 :
				   sig_nucleus_set_members(np->core, (size_t)k, c->admit_list,
							   c->members, c->n_members);

		if (k >= 0)
			reload_secret(np, (size_t)k, c, cl.secret_window_s);
		if (k >= 0 && sig_nucleus_cluster_l2(np->core, (size_t)k) != c->l2)
			printf("nucleus: reload: cluster %s: a change of mode (l3/l2) needs a restart "
			       "(its members' omni0 changes kind); mode unchanged\n",
			       c->name);

		if (k < 0)
			printf("nucleus: reload: cluster %s is new: a restart serves it\n",
			       c->name);
		else if (gone < 0)
			printf("nucleus: reload: cluster %s: out of memory, list unchanged\n",
			       c->name);
		else if (c->admit_list)
			printf("nucleus: reload: cluster %s admits %zu key(s); %d member(s) removed\n",
			       c->name, c->n_members, gone);
		else
			printf("nucleus: reload: cluster %s admits any key with its secret\n",
			       c->name);
	}
	fflush(stdout);
	omni_nucleus_clusters_free(&cl);
}

/* A signal: true to stop (SIGINT, SIGTERM), after a reload (SIGHUP) false. */
static bool on_signal(struct nucleus_proc *np)
{
	struct signalfd_siginfo si;
	bool stop = false;

	while (read(np->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			reload(np);
		else
			stop = true;
	}
	return stop;
}

static void run(struct nucleus_proc *np)
{
	uint64_t next_tick = now_ms() + TICK_MS;
	struct epoll_event evs[2];

	for (;;) {
		int n = epoll_wait(np->ep, evs, 2, TICK_MS);
		bool busy = false;

		for (int i = 0; i < n; i++) {
			if (evs[i].data.fd == np->sfd) {
				if (on_signal(np))
					return;
				continue;
			}
			busy = read_batch(np);
		}
		while (busy)
			busy = read_batch(np) && now_ms() < next_tick;
		if (now_ms() >= next_tick) {
			sig_nucleus_tick(np->core, now_ms());
			next_tick = now_ms() + TICK_MS;
		}
	}
}

static void print_stats(const struct nucleus_proc *np)
{
	struct sig_nucleus_stats s;

	sig_nucleus_read(np->core, &s);
	for (size_t c = 0; c < sig_nucleus_n_clusters(np->core); c++)
		printf("stats: cluster %s members %u\n", sig_nucleus_cluster_name(np->core, c),
		       sig_nucleus_cluster_members(np->core, c));
	for (unsigned ty = 1; ty < SIG_TYPE_COUNT; ty++)
		if (sig_type_name_known(ty))
			printf("stats: %s rx %llu tx %llu\n", sig_type_name(ty),
			       (unsigned long long)s.rx[ty], (unsigned long long)s.tx[ty]);
	for (unsigned d = 1; d < SIG_DROP_COUNT; d++)
		if (s.drops[d])
			printf("stats: drop %s %llu\n", sig_drop_name(d),
			       (unsigned long long)s.drops[d]);
	printf("stats: expired %llu send_errors %llu\n", (unsigned long long)s.expired,
	       (unsigned long long)np->io.send_errors);
	printf("stats: ratelimit_evictions %llu\n", (unsigned long long)s.ratelimit_evictions);
}

/* --check: what would be served, after the same checks as a start. */
static int check_report(const struct omni_nucleus_clusters *cl, uint16_t port, const char *listen,
			const char *prog)
{
	struct net_endpoint ep;

	if (listen[0] && strcmp(listen, "off") != 0 && net_endpoint_parse(listen, 0, &ep) != 0) {
		fprintf(stderr, "%s: --metrics '%s': expected ADDR:PORT (an IP address) or off\n",
			prog, listen);
		return OMNI_EXIT_USAGE;
	}
	printf("nucleus: configuration is valid: udp port %u, ", port);
	if (cl->open_secret)
		printf("any cluster name with one secret (at most %d made on demand)",
		       SIG_NUCLEUS_OPEN_CLUSTERS_DEFAULT);
	if (cl->open_l2)
		printf(" (L2 fabrics)");
	for (size_t i = 0; i < cl->n; i++)
		printf("%s%s%s", i ? ", " : "cluster(s) ", cl->list[i].name,
		       cl->list[i].l2 ? " (L2 fabric)" : "");
	printf(", metrics %s, relay %s\n", listen[0] ? listen : "off", cl->turn.n ? "on" : "off");
	return OMNI_EXIT_OK;
}

/* The clusters, the port and the metrics address: command line over file. */
static int configure(const struct omni_cli *cli, struct omni_nucleus_clusters *cl, uint16_t *port,
		     char *listen, size_t listen_len)
{
	if (cli->nucleus || cli->nucleus_key || cli->vip || cli->vip6 || cli->underlay ||
	    cli->wg_config || cli->host_port || cli->interactive || cli->cmdfile || cli->stun) {
		fprintf(stderr,
			"%s: --mode nucleus takes --port, --cluster, --secret-file, --secret, "
			"--config, --key, --metrics, --check and --turn* only\n",
			cli->prog);
		return -1;
	}
	if (parse_port(cli, port) < 0 || omni_nucleus_clusters_load(cl, cli) < 0)
		return -1;
	if (!cli->port && cl->port)
		*port = cl->port;
	snprintf(listen, listen_len, "%s",
		 cli->metrics ? cli->metrics :
		 cli->config  ? (cl->metrics[0] ? cl->metrics : "off") :
				default_metrics);
	return 0;
}

int omni_cmd_nucleus(const struct omni_cli *cli)
{
	static struct nucleus_proc np; /* large (the log's slots); the metrics thread's */
	struct sig_nucleus_conf conf = { 0 };
	struct omni_nucleus_clusters cl;
	struct httpd *httpd = NULL;
	char listen[sizeof(cl.metrics)];
	uint8_t priv[32];
	int have_key;
	int ret = OMNI_EXIT_FAILURE;
	char err[256];
	uint16_t port;
	bool open;

	np = (struct nucleus_proc){ .fd = -1, .ep = -1, .sfd = -1, .cli = cli };
	if (configure(cli, &cl, &port, listen, sizeof(listen)) < 0)
		return OMNI_EXIT_USAGE;
	conf.clusters = cl.list;
	conf.n_clusters = cl.n;
	conf.open_secret = cl.open_secret;
	conf.open_l2 = cl.open_l2;
	open = cl.open_secret != NULL;
	conf.expiry_ms = test_expiry_ms();
	conf.log = omni_nucleus_refusal_detail;
	conf.log_ctx = &np.log;
	conf.replay_capacity = test_replay_capacity();
	conf.legacy_members = cl.legacy_members;
	/* --check makes nothing: a missing key file is only reported. */
	have_key =
		omni_nucleus_key(cli->key ? cli->key : cl.key_file, !cli->check, priv, cli->prog);
	if (have_key < 0) {
		omni_nucleus_clusters_free(&cl);
		return OMNI_EXIT_FAILURE;
	}
	conf.private_key = have_key == 0 ? priv : NULL;
	conf.turn_secret = cl.turn.secret;
	conf.turn_servers = cl.turn.servers;
	conf.n_turn_servers = cl.turn.n;
	conf.turn_ttl_s = cl.turn.ttl_s;
	np.core = sig_nucleus_create(&conf, err, sizeof(err));
	sodium_memzero(priv, sizeof(priv));
	if (np.core && cli->check)
		ret = check_report(&cl, port, listen, cli->prog);
	omni_nucleus_clusters_free(&cl);
	if (!np.core) {
		fprintf(stderr, "%s: %s\n", cli->prog, err);
		return OMNI_EXIT_USAGE;
	}
	if (cli->check)
		goto out;
	sig_lograte_init(&np.log.rate);
	if (open_socket(&np, port, cli->prog) < 0 || setup_loop(&np, cli->prog) < 0)
		goto out;
	if (listen[0] && strcmp(listen, "off") != 0) {
		httpd = httpd_start(listen, metrics, &np, err, sizeof(err));
		if (!httpd) {
			fprintf(stderr, "%s: --metrics: %s\n", cli->prog, err);
			goto out;
		}
	}
	printf("nucleus: udp port %u (%s), %zu cluster(s)%s, metrics %s, "
	       "socket buffers %d/%d KB%s\n",
	       port, np.v6 ? "IPv4 and IPv6" : "IPv4 only", sig_nucleus_n_clusters(np.core),
	       open ? " and any cluster name with one secret" : "", listen[0] ? listen : "off",
	       np.rcvbuf >> 10, np.sndbuf >> 10,
	       np.rcvbuf < SOCK_BUF ? " (less than asked: raise net.core.rmem_max and wmem_max)" :
				      "");
	fflush(stdout);
	run(&np);
	printf("nucleus: stopping\n");
	print_stats(&np);
	ret = OMNI_EXIT_OK;
out:
	if (httpd)
		httpd_stop(httpd);
	if (np.fd >= 0)
		close(np.fd);
	if (np.ep >= 0)
		close(np.ep);
	if (np.sfd >= 0)
		close(np.sfd);
	sig_nucleus_destroy(np.core);
	return ret;
}

/* SPDX-License-Identifier: MIT */
/* wg-wave: command line, the gateway's peer list, set-up and tear-down. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "wg/key.h"
#include "wave.h"

enum { EXIT_USAGE = 2 };

static volatile sig_atomic_t stop_requested;

static const char usage[] =
	"usage: wg-wave --peers N --tunnel-base A.B.C.D [--seed S] --print-peers\n"
	"       wg-wave --peers N --tunnel-base A.B.C.D [--seed S] --gateway HOST:PORT\n"
	"               --gateway-pub B64 --src-base A.B.C.D [--per-addr K] --echo-to A.B.C.D\n"
	"               [--rate R] [--up-rate U] [--before S] [--after S] [--gateway-pid P]\n"
	"\n"
	"N WireGuard peers from one process (keys made from --seed; --print-peers\n"
	"writes the gateway's wg-quick [Peer] sections for them). Peer i sends from\n"
	"--src-base + i/K (K = --per-addr, 4) with tunnel address --tunnel-base + i,\n"
	"R echo requests a second (20) to --echo-to, the gateway's host side. The\n"
	"peers come up U a second (500), send for --before seconds (3), then all\n"
	"rekey at once; it ends once every peer is answered on its new keys\n"
	"(--after seconds at most, 20) and reports the echoes lost per peer.\n"
	"With --gateway-pid (a single-lcore gateway's PID: its main thread runs the\n"
	"lcore) the handshake rate is also given per second of that thread's CPU.\n"
	"Exit 0: every echo answered and every peer rekeyed; 1 otherwise.\n";

uint64_t wave_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * WG_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Field 1 of schedstat: ns the thread ran (sleeping and waiting for a CPU
 * excluded). */
static bool thread_cpu_ns(unsigned pid, uint64_t *out)
{
	char path[64];
	unsigned long long ns;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/%u/task/%u/schedstat", pid, pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	n = fscanf(f, "%llu", &ns);
	fclose(f);
	*out = ns;
	return n == 1;
}

bool wave_cpu_sample(const struct wave *w, uint64_t *gw, uint64_t *self)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	*self = (uint64_t)ts.tv_sec * WG_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
	return w->opt->gw_pid && thread_cpu_ns(w->opt->gw_pid, gw);
}

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static bool parse_number(unsigned *out, const char *s, const char *opt, unsigned long min,
			 unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (s[0] >= '0' && s[0] <= '9' && !*end && !errno && v >= min && v <= max) {
		*out = (unsigned)v;
		return true;
	}
	fprintf(stderr, "wg-wave: %s '%s' is not a number from %lu to %lu\n", opt, s, min, max);
	return false;
}

static bool parse_ipv4(struct in_addr *a, const char *s, const char *opt)
{
	if (inet_pton(AF_INET, s, a) == 1)
		return true;
	fprintf(stderr, "wg-wave: %s '%s' is not an IPv4 address\n", opt, s);
	return false;
}

static bool parse_one(struct wave_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'n':
		return parse_number(&o->peers, arg, "--peers", 1, WAVE_MAX_PEERS);
	case 'k':
		return parse_number(&o->per_addr, arg, "--per-addr", 1, 1000);
	case 'S':
		return parse_ipv4(&o->src_base, arg, "--src-base");
	case 't':
		return parse_ipv4(&o->tun_base, arg, "--tunnel-base");
	case 'E':
		return parse_ipv4(&o->echo_to, arg, "--echo-to");
	case 'g':
		o->gateway = arg;
		return true;
	case 'G':
		o->gateway_pub = arg;
		return true;
	case 's':
		return parse_number(&o->seed, arg, "--seed", 0, UINT32_MAX);
	case 'r':
		return parse_number(&o->rate, arg, "--rate", 1, 1000);
	case 'u':
		return parse_number(&o->up_rate, arg, "--up-rate", 1, 100000);
	case 'b':
		return parse_number(&o->before_s, arg, "--before", 0, 600);
	case 'a':
		return parse_number(&o->after_s, arg, "--after", 1, 600);
	case 'p':
		o->print_peers = true;
		return true;
	case 'P':
		return parse_number(&o->gw_pid, arg, "--gateway-pid", 1, INT32_MAX);
	default:
		return false;
	}
}

static const char *missing_opt(const struct wave_opts *o)
{
	if (!o->peers)
		return "--peers";
	if (!o->tun_base.s_addr)
		return "--tunnel-base";
	if (o->print_peers)
		return NULL;
	if (!o->gateway)
		return "--gateway";
	if (!o->gateway_pub)
		return "--gateway-pub";
	if (!o->src_base.s_addr)
		return "--src-base";
	if (!o->echo_to.s_addr)
		return "--echo-to";
	if ((uint64_t)o->rate * (o->before_s + o->after_s + 3) >= WAVE_SEQ_MAX)
		return "a shorter run: --rate x (--before + --after + 3) must stay under 65536";
	return NULL;
}

static int parse_opts(struct wave_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "peers", required_argument, NULL, 'n' },
		{ "per-addr", required_argument, NULL, 'k' },
		{ "src-base", required_argument, NULL, 'S' },
		{ "tunnel-base", required_argument, NULL, 't' },
		{ "echo-to", required_argument, NULL, 'E' },
		{ "gateway", required_argument, NULL, 'g' },
		{ "gateway-pub", required_argument, NULL, 'G' },
		{ "seed", required_argument, NULL, 's' },
		{ "rate", required_argument, NULL, 'r' },
		{ "up-rate", required_argument, NULL, 'u' },
		{ "before", required_argument, NULL, 'b' },
		{ "after", required_argument, NULL, 'a' },
		{ "print-peers", no_argument, NULL, 'p' },
		{ "gateway-pid", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *missing;
	int c;

	*o = (struct wave_opts){ .per_addr = 4,
				 .rate = 20,
				 .up_rate = 500,
				 .before_s = 3,
				 .after_s = 20 };
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			exit(0);
		}
		if (!parse_one(o, c, optarg)) {
			if (c == '?')
				fputs(usage, stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "wg-wave: unexpected argument '%s'\n%s", argv[optind], usage);
		return -EINVAL;
	}
	missing = missing_opt(o);
	if (missing)
		fprintf(stderr, "wg-wave: missing %s\n%s", missing, usage);
	return missing ? -EINVAL : 0;
}

/* The gateway's wg-quick [Peer] sections: each peer's key and address. */
static int print_peers(const struct wave_opts *o)
{
	uint8_t priv[32], pub[32];
	char b64[WG_KEY_B64_LEN + 1];
	struct in_addr a;

	for (unsigned i = 0; i < o->peers; i++) {
		wave_peer_private(priv, o->seed, i);
		if (!wg_key_public(pub, priv))
			return 1;
		wg_key_to_base64(b64, pub);
		a.s_addr = htonl(ntohl(o->tun_base.s_addr) + i);
		printf("\n[Peer]\nPublicKey = %s\nAllowedIPs = %s/32\n", b64, inet_ntoa(a));
	}
	sodium_memzero(priv, sizeof(priv));
	return 0;
}

static int parse_gateway(struct wave *w, const struct wave_opts *o)
{
	char host[64];
	const char *colon = strrchr(o->gateway, ':');
	unsigned port;

	if (!wg_key_from_base64(w->gw_pub, o->gateway_pub)) {
		fprintf(stderr, "wg-wave: --gateway-pub '%s' is not a base64 key\n",
			o->gateway_pub);
		return -EINVAL;
	}
	if (!colon || (size_t)(colon - o->gateway) >= sizeof(host) ||
	    !parse_number(&port, colon + 1, "--gateway port", 1, 65535)) {
		fprintf(stderr, "wg-wave: --gateway '%s' is not IPV4:PORT\n", o->gateway);
		return -EINVAL;
	}
	memcpy(host, o->gateway, (size_t)(colon - o->gateway));
	host[colon - o->gateway] = '\0';
	w->gw.sin_family = AF_INET;
	w->gw.sin_port = htons((uint16_t)port);
	return parse_ipv4(&w->gw.sin_addr, host, "--gateway") ? 0 : -EINVAL;
}

/* A socket a peer, and some more. */
static void raise_fd_limit(unsigned peers)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < peers + 64) {
		rl.rlim_cur = rl.rlim_max < peers + 64 ? rl.rlim_max : peers + 64;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int setup(struct wave *w, const struct wave_opts *o)
{
	*w = (struct wave){ .opt = o, .epfd = -1, .stop = &stop_requested };
	if (parse_gateway(w, o))
		return -EINVAL;
	raise_fd_limit(o->peers);
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	w->indices = wg_index_table_create(4 * o->peers + 16);
	w->aead = wg_aead_create("auto");
	w->peers = calloc(o->peers, sizeof(*w->peers));
	if (w->epfd < 0 || !w->indices || !w->aead || !w->peers) {
		fprintf(stderr, "wg-wave: set-up: %s\n", strerror(errno));
		return -ENOMEM;
	}
	for (unsigned i = 0; i < o->peers; i++)
		w->peers[i].fd = -1;
	for (unsigned i = 0; i < o->peers; i++)
		if (wave_peer_setup(w, &w->peers[i], i))
			return -EINVAL;
	printf("wg-wave: %u peers from %s (%u an address), AEAD %s\n", o->peers,
	       inet_ntoa(o->src_base), o->per_addr, wg_aead_name(w->aead));
	return 0;
}

static void teardown(struct wave *w)
{
	for (unsigned i = 0; w->peers && i < w->opt->peers; i++)
		wave_peer_teardown(&w->peers[i]);
	free(w->peers);
	if (w->indices)
		wg_index_table_destroy(w->indices);
	if (w->aead)
		wg_aead_destroy(w->aead);
	if (w->epfd >= 0)
		close(w->epfd);
	sodium_memzero(w->gw_pub, sizeof(w->gw_pub));
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct wave_opts opts;
	struct wave w;
	int status = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_opts(&opts, argc, argv))
		return EXIT_USAGE;
	if (sodium_init() < 0) {
		fprintf(stderr, "wg-wave: libsodium failed to initialise\n");
		return 1;
	}
	if (opts.print_peers)
		return print_peers(&opts);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (setup(&w, &opts) == 0)
		status = wave_run(&w);
	teardown(&w);
	return status;
}

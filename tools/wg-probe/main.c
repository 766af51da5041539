/* SPDX-License-Identifier: MIT */
/* wg-probe: command line, keys, set-up and tear-down. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "wg/key.h"
#include "probe.h"

enum { EXIT_USAGE = 2 };

static volatile sig_atomic_t stop_requested;

static const char usage[] =
	"usage: wg-probe --key FILE --peer-pub B64 [--psk-file FILE]\n"
	"                (--endpoint HOST:PORT [--listen PORT] | --respond --listen PORT)\n"
	"                --tunnel-addr A.B.C.D [--ping A.B.C.D] [--count N]\n"
	"                [--timeout S] [--aead NAME] [--under-load] [--verbose]\n"
	"\n"
	"Initiator (default): handshake with the peer at --endpoint, send --count\n"
	"ICMP echo requests to --ping through the tunnel, wait for the replies.\n"
	"Responder (--respond): wait for the peer's handshake on --listen, answer\n"
	"--count echo requests sent to --tunnel-addr. Exit 0 on success, 1 on\n"
	"timeout or failure (after --timeout seconds, default 10), 2 on bad usage.\n"
	"--aead: auto (default), sodium, ipsec-mb, ipsec-mb-avx512/-avx2/-sse.\n"
	"--under-load: act as a peer under load: demand mac2, answer handshakes\n"
	"without it by a cookie reply.\n";

uint64_t probe_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * WG_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

void probe_log(const struct probe *p, const char *fmt, ...)
{
	va_list ap;

	if (!p->opt->verbose)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* A base64 key alone in a file (as `wg genkey` writes it), mode 0600. */
static int load_key_file(uint8_t key[WG_KEY_LEN], const char *path, const char *what)
{
	char buf[128];
	struct stat st;
	ssize_t n;
	int fd, rc = -EINVAL;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = -errno;
		fprintf(stderr, "wg-probe: %s file '%s': %s\n", what, path, strerror(-rc));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	if (st.st_mode & (S_IRGRP | S_IROTH)) {
		fprintf(stderr,
			"wg-probe: %s file '%s' is readable by group or others "
			"(mode %03o): chmod 600 it\n",
			what, path, (unsigned)(st.st_mode & 0777));
		close(fd);
		return -EPERM;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		n = 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	if (wg_key_from_base64(key, buf))
		rc = 0;
	else
		fprintf(stderr, "wg-probe: %s file '%s' does not hold one base64 key of 32 bytes\n",
			what, path);
	sodium_memzero(buf, sizeof(buf));
	return rc;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return s[0] >= '0' && s[0] <= '9' && !*end && !errno && *out <= max;
}

static bool parse_ipv4(struct in_addr *a, const char *s, const char *opt)
{
	if (inet_pton(AF_INET, s, a) == 1)
		return true;
	fprintf(stderr, "wg-probe: %s '%s' is not an IPv4 address\n", opt, s);
	return false;
}

static bool parse_number(unsigned *out, const char *s, const char *opt, unsigned long min,
			 unsigned long max)
{
	unsigned long v;

	if (parse_uint(s, max, &v) && v >= min) {
		*out = (unsigned)v;
		return true;
	}
	fprintf(stderr, "wg-probe: %s '%s' is not a number from %lu to %lu\n", opt, s, min, max);
	return false;
}

static bool parse_one(struct probe_opts *o, int c, const char *arg)
{
	unsigned port;

	switch (c) {
	case 'k':
		o->key_file = arg;
		return true;
	case 'p':
		o->peer_pub = arg;
		return true;
	case 's':
		o->psk_file = arg;
		return true;
	case 'e':
		o->endpoint = arg;
		return true;
	case 'a':
		o->aead_name = arg;
		return true;
	case 'r':
		o->respond = true;
		return true;
	case 'L':
		o->under_load = true;
		return true;
	case 'v':
		o->verbose = true;
		return true;
	case 't':
		return parse_ipv4(&o->tunnel_addr, arg, "--tunnel-addr");
	case 'P':
		o->have_ping = true;
		return parse_ipv4(&o->ping_addr, arg, "--ping");
	case 'c':
		return parse_number(&o->count, arg, "--count", 1, 100000);
	case 'T':
		return parse_number(&o->timeout_s, arg, "--timeout", 1, 86400);
	case 'l':
		if (!parse_number(&port, arg, "--listen", 1, 65535))
			return false;
		o->listen_port = (uint16_t)port;
		return true;
	default:
		return false;
	}
}

static bool check_opts(const struct probe_opts *o, bool have_tunnel)
{
	const char *missing = NULL;

	if (!o->key_file)
		missing = "--key";
	else if (!o->peer_pub)
		missing = "--peer-pub";
	else if (!have_tunnel)
		missing = "--tunnel-addr";
	else if (o->respond && !o->listen_port)
		missing = "--listen (a responder must be reachable)";
	else if (!o->respond && !o->endpoint)
		missing = "--endpoint (or --respond)";
	else if (!o->respond && !o->have_ping)
		missing = "--ping";
	if (missing)
		fprintf(stderr, "wg-probe: missing %s\n%s", missing, usage);
	return !missing;
}

static int parse_opts(struct probe_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = { { "key", required_argument, NULL, 'k' },
						  { "peer-pub", required_argument, NULL, 'p' },
						  { "psk-file", required_argument, NULL, 's' },
						  { "endpoint", required_argument, NULL, 'e' },
						  { "listen", required_argument, NULL, 'l' },
						  { "tunnel-addr", required_argument, NULL, 't' },
						  { "ping", required_argument, NULL, 'P' },
						  { "count", required_argument, NULL, 'c' },
						  { "timeout", required_argument, NULL, 'T' },
						  { "aead", required_argument, NULL, 'a' },
						  { "respond", no_argument, NULL, 'r' },
						  { "under-load", no_argument, NULL, 'L' },
						  { "verbose", no_argument, NULL, 'v' },
						  { "help", no_argument, NULL, 'h' },
						  { 0 } };
	bool have_tunnel = false;
	int c;

	*o = (struct probe_opts){ .aead_name = "auto", .count = 3, .timeout_s = 10 };
	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			exit(0);
		}
		have_tunnel |= c == 't';
		if (!parse_one(o, c, optarg)) {
			if (c == '?')
				fputs(usage, stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "wg-probe: unexpected argument '%s'\n%s", argv[optind], usage);
		return -EINVAL;
	}
	return check_opts(o, have_tunnel) ? 0 : -EINVAL;
}

/* Keys, handshake, cookies and indices of the one peer. */
static int setup_peer(struct probe *p, const struct probe_opts *o)
{
	uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN], psk[WG_KEY_LEN];
	bool have_psk = o->psk_file != NULL;
	enum wg_result r;
	int rc = -EINVAL;

	if (load_key_file(priv, o->key_file, "private key") ||
	    (have_psk && load_key_file(psk, o->psk_file, "preshared key")))
		goto out;
	if (!wg_key_from_base64(pub, o->peer_pub)) {
		fprintf(stderr, "wg-probe: --peer-pub '%s' is not a base64 key of 32 bytes\n",
			o->peer_pub);
		goto out;
	}
	if (!wg_identity_init(&p->id, priv)) {
		fprintf(stderr, "wg-probe: private key in '%s' is unusable\n", o->key_file);
		goto out;
	}
	r = wg_handshake_init(&p->hs, &p->id, pub, have_psk ? psk : NULL);
	if (r != WG_OK) {
		fprintf(stderr, "wg-probe: peer key '%s': %s\n", o->peer_pub, wg_result_text(r));
		goto out;
	}
	wg_cookie_checker_init(&p->checker, p->id.public_key);
	wg_cookie_init(&p->cookie, pub);
	rc = 0;
out:
	sodium_memzero(priv, sizeof(priv));
	sodium_memzero(psk, sizeof(psk));
	return rc;
}

static int setup(struct probe *p, const struct probe_opts *o)
{
	char pub[WG_KEY_B64_LEN + 1];
	uint64_t seed;

	*p = (struct probe){ .opt = o, .fd = -1, .stop = &stop_requested };
	if (setup_peer(p, o))
		return -EINVAL;
	p->indices = wg_index_table_create(16);
	if (!p->indices) {
		fprintf(stderr, "wg-probe: index table: %s\n", strerror(errno));
		return -ENOMEM;
	}
	p->aead = wg_aead_create(o->aead_name);
	if (!p->aead) {
		fprintf(stderr, "wg-probe: --aead '%s': %s\n", o->aead_name,
			errno == ENOENT ? "no back end of that name" : strerror(errno));
		return -EINVAL;
	}
	randombytes_buf(&seed, sizeof(seed));
	wg_timers_init(&p->timers, 0, seed);
	if (o->endpoint) {
		if (probe_addr_parse(&p->peer, o->endpoint))
			return -EINVAL;
		p->have_peer = true;
	}
	wg_key_to_base64(pub, p->id.public_key);
	probe_log(p, "public key %s, AEAD %s", pub, wg_aead_name(p->aead));
	return probe_udp_open(p);
}

static void teardown(struct probe *p)
{
	if (p->fd >= 0)
		close(p->fd);
	for (unsigned i = 0; i < PROBE_KEYPAIRS; i++)
		wg_keypair_wipe(&p->pool[i]);
	wg_handshake_wipe(&p->hs);
	wg_identity_wipe(&p->id);
	wg_cookie_checker_wipe(&p->checker);
	wg_cookie_wipe(&p->cookie);
	if (p->indices)
		wg_index_table_destroy(p->indices);
	if (p->aead)
		wg_aead_destroy(p->aead);
	sodium_memzero(p, sizeof(*p));
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct probe_opts opts;
	struct probe probe;
	int status = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_opts(&opts, argc, argv))
		return EXIT_USAGE;
	if (sodium_init() < 0) {
		fprintf(stderr, "wg-probe: libsodium failed to initialise\n");
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (setup(&probe, &opts) == 0)
		status = probe_run(&probe);
	teardown(&probe);
	return status;
}

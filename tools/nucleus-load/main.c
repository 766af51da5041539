/* SPDX-License-Identifier: MIT */
/*
 * nucleus-load: many simulated edges from one process against a running
 * nucleus. Node i belongs to cluster i % CLUSTERS ("load-K", secret
 * derived from --secret-prefix), sends from one of --sources loopback
 * addresses (so the per-source rate limit sees a realistic spread), and
 * speaks the real protocol through signaling/codec.c: REGISTER, then a
 * HEARTBEAT every --heartbeat-ms with the version it last heard (acks are
 * decoded; further pages are not chased). Prints registered nodes,
 * messages per second, p50/p99 reply latency and the nucleus's resident
 * memory and CPU (--pid).
 *
 *   nucleus-load --write-config FILE [--clusters 50] [--secret-prefix P]
 *   nucleus-load --nucleus 127.0.0.1:51820 --pid PID [--nodes 100000]
 *                [--clusters 50] [--seconds 60] [--heartbeat-ms 30000]
 *                [--register-rate 20000] [--sources 512] [--secret-prefix P]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "load.h"
#include "signaling/codec.h"
#include "udp.h"

static void cluster_secret(const struct load_opts *o, unsigned k, char *out, size_t len)
{
	snprintf(out, len, "%s-load-%u-secret", o->secret_prefix, k);
}

static int write_config(const struct load_opts *o)
{
	char secret[128];
	FILE *f = fopen(o->write_config, "w");

	if (!f) {
		fprintf(stderr, "nucleus-load: %s: %s\n", o->write_config, strerror(errno));
		return 1;
	}
	fchmod(fileno(f), 0600);
	/* The nucleus's JSON configuration (docs/config.md, "nucleus"). The
	 * generator's nodes prove no identity (they have no private keys):
	 * legacy_members serves them, at the cost the steady state had before. */
	fprintf(f, "{ \"mode\": \"nucleus\", \"nucleus\": { \"legacy_members\": true, "
		   "\"clusters\": [\n");
	for (unsigned k = 0; k < o->clusters; k++) {
		cluster_secret(o, k, secret, sizeof(secret));
		fprintf(f, "  { \"name\": \"load-%u\", \"secret\": \"%s\" }%s\n", k, secret,
			k + 1 < o->clusters ? "," : "");
	}
	fprintf(f, "] } }\n");
	return fclose(f) ? 1 : 0;
}

static int setup(struct load *l)
{
	char name[32], secret[128], err[256], bind_ip[32];
	struct net_endpoint to;

	l->keys = calloc(l->o.clusters, sizeof(*l->keys));
	l->nodes = calloc(l->o.nodes, sizeof(*l->nodes));
	l->fds = calloc(l->o.sources, sizeof(*l->fds));
	l->lat = calloc(LOAD_SAMPLES_MAX, sizeof(*l->lat));
	if (!l->keys || !l->nodes || !l->fds || !l->lat)
		return -1;
	for (unsigned k = 0; k < l->o.clusters; k++) {
		snprintf(name, sizeof(name), "load-%u", k);
		cluster_secret(&l->o, k, secret, sizeof(secret));
		if (sig_keys_derive(&l->keys[k], name, secret, err, sizeof(err)) < 0) {
			fprintf(stderr, "nucleus-load: %s\n", err);
			return -1;
		}
	}
	if (omni_udp_resolve(l->o.nucleus, &to, err, sizeof(err)) < 0) {
		fprintf(stderr, "nucleus-load: %s\n", err);
		return -1;
	}
	l->port = to.port;
	for (unsigned s = 0; s < l->o.sources; s++) {
		bool v4 = to.addr.family == NET_AF_IP4;

		if (v4)
			snprintf(bind_ip, sizeof(bind_ip), "127.1.%u.%u", s / 250, s % 250 + 1);
		l->fds[s] = omni_udp_connect_addr(&to, v4 ? bind_ip : NULL, 0, err, sizeof(err));
		if (l->fds[s] < 0) {
			fprintf(stderr, "nucleus-load: source %u: %s\n", s, err);
			return -1;
		}
		load_socket_tune(l->fds[s]);
	}
	for (unsigned i = 0; i < l->o.nodes; i++)
		randombytes_buf(l->nodes[i].pubkey, SIG_PUBKEY_LEN);
	return 0;
}

int main(int argc, char **argv)
{
	static struct load l;
	int ret;

	if (sodium_init() < 0 || load_parse(&l.o, argc, argv) < 0)
		return 2;
	if (l.o.write_config)
		return write_config(&l.o);
	if (setup(&l) < 0)
		return 1;
	ret = load_run(&l);
	load_report(&l);
	return ret;
}

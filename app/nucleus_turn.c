/* SPDX-License-Identifier: MIT */
/*
 * The relay a nucleus offers its members (docs/signaling.md, "The relay"):
 * TURN servers and coturn's static-auth-secret, from --turn,
 * --turn-secret-file and --turn-ttl, or the JSON file's nucleus.turn_servers,
 * nucleus.turn_secret_file and nucleus.turn_ttl_secs. The secret comes only
 * from a file (mode 0600, the rule of every secret file): edges never see
 * it, and a command line is readable by every local user.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "config/secrets.h"
#include "signaling/stun.h"

#include "nucleus.h"

/* One "IP:PORT" (a literal: the nucleus hands it to edges as it is). */
static int add_server(struct omni_nucleus_turn *t, const char *s, const char *where,
		      const char *prog)
{
	if (t->n >= SIG_TURN_SERVERS_MAX) {
		fprintf(stderr, "%s: %s: at most %d TURN servers\n", prog, where,
			SIG_TURN_SERVERS_MAX);
		return -1;
	}
	if (net_endpoint_parse(s, SIG_STUN_PORT, &t->servers[t->n]) != 0) {
		fprintf(stderr,
			"%s: %s: \"%s\" is not IP:PORT (a literal IPv4 or [IPv6] address: "
			"members are handed it as it is)\n",
			prog, where, s);
		return -1;
	}
	t->n++;
	return 0;
}

/* The secret file, under the rule of every secret file (config/secrets.h). */
static int load_secret(struct omni_nucleus_turn *t, const char *path, const char *prog)
{
	char err[CFG_CONFIG_ERR_MAX];
	struct cfg_config cfg;
	int rc;

	cfg_config_init(&cfg);
	cfg.nucleus.turn_secret_file = strdup(path);
	rc = cfg.nucleus.turn_secret_file ? cfg_config_load_secrets(&cfg, err, sizeof(err)) : -1;
	if (rc == 0) {
		t->secret = cfg.nucleus.turn_secret;
		cfg.nucleus.turn_secret = NULL;
	} else {
		const char *why = cfg.nucleus.turn_secret_file ? strstr(err, path) : NULL;

		/* The loader names the JSON key; here it was the flag. */
		fprintf(stderr, "%s: --turn-secret-file: %s\n", prog, why ? why : "out of memory");
	}
	cfg_config_free(&cfg);
	return rc ? -1 : 0;
}

/* Servers and secret go together: one without the other is a mistake. */
static int check_pair(const struct omni_nucleus_turn *t, const char *servers, const char *secret,
		      const char *prog)
{
	if (!t->n == !t->secret)
		return 0;
	fprintf(stderr, "%s: %s needs %s too (or neither, for no relay)\n", prog,
		t->n ? servers : secret, t->n ? secret : servers);
	return -1;
}

int omni_nucleus_turn_flags(struct omni_nucleus_turn *t, const struct omni_cli *cli)
{
	char *copy, *rest, *word;
	int rc = 0;

	if (cli->turn) {
		copy = rest = strdup(cli->turn);
		if (!copy)
			return -1;
		while (!rc && (word = strsep(&rest, " \t,")) != NULL)
			if (*word)
				rc = add_server(t, word, "--turn", cli->prog);
		free(copy);
		if (rc)
			return -1;
	}
	if (cli->turn_secret_file && load_secret(t, cli->turn_secret_file, cli->prog) < 0)
		return -1;
	if (cli->turn_ttl) {
		char *end;
		unsigned long v = strtoul(cli->turn_ttl, &end, 10);

		if (*end || end == cli->turn_ttl || v < CFG_TURN_TTL_MIN || v > CFG_TURN_TTL_MAX) {
			fprintf(stderr, "%s: --turn-ttl \"%s\": seconds from %d to %d\n", cli->prog,
				cli->turn_ttl, CFG_TURN_TTL_MIN, CFG_TURN_TTL_MAX);
			return -1;
		}
		t->ttl_s = (uint32_t)v;
	}
	return check_pair(t, "--turn", "--turn-secret-file", cli->prog);
}

int omni_nucleus_turn_file(struct omni_nucleus_turn *t, struct cfg_nucleus *n, const char *prog)
{
	for (size_t i = 0; i < n->n_turn_servers; i++)
		if (add_server(t, n->turn_servers[i], "nucleus.turn_servers", prog) < 0)
			return -1;
	t->secret = n->turn_secret;
	n->turn_secret = NULL;
	t->ttl_s = n->turn_ttl_secs;
	return check_pair(t, "nucleus.turn_servers", "nucleus.turn_secret_file", prog);
}

void omni_nucleus_turn_free(struct omni_nucleus_turn *t)
{
	if (t->secret) {
		sodium_memzero(t->secret, strlen(t->secret));
		free(t->secret);
	}
	memset(t, 0, sizeof(*t));
}

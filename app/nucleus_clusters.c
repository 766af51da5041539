/* SPDX-License-Identifier: MIT */
/*
 * The list of clusters a nucleus serves. The command line gives a secret
 * (--secret-file, OMNI_SECRET or --secret) for any cluster name, or for
 * the one --cluster names; --config FILE gives several (the JSON file's
 * "nucleus" section, docs/config.md). Secrets are never printed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "config/json.h"
#include "config/secrets.h"

#include "nucleus.h"

static int add(struct omni_nucleus_clusters *cl, const char *name, const char *secret)
{
	struct nucleus_cluster_conf *l = realloc(cl->list, (cl->n + 1) * sizeof(*l));

	if (!l)
		return -ENOMEM;
	cl->list = l;
	memset(&l[cl->n], 0, sizeof(l[cl->n]));
	l[cl->n].name = strdup(name);
	l[cl->n].secret = strdup(secret);
	cl->n++;
	return l[cl->n - 1].name && l[cl->n - 1].secret ? 0 : -ENOMEM;
}

/* The file's admission list of the cluster just added (copied). */
static int add_members(struct omni_nucleus_clusters *cl, const struct cfg_cluster *c)
{
	struct nucleus_cluster_conf *l = &cl->list[cl->n - 1];
	uint8_t(*m)[32] = NULL;

	l->admit_list = c->has_members;
	if (!c->n_members)
		return 0;
	m = malloc(c->n_members * sizeof(*m));
	if (!m)
		return -ENOMEM;
	memcpy(m, c->members, c->n_members * sizeof(*m));
	l->members = (const uint8_t(*)[32])m;
	l->n_members = c->n_members;
	return 0;
}

void omni_nucleus_clusters_free(struct omni_nucleus_clusters *cl)
{
	for (size_t i = 0; i < cl->n; i++) {
		char *s = (char *)cl->list[i].secret;

		if (s)
			sodium_memzero(s, strlen(s));
		free(s);
		free((char *)cl->list[i].name);
		free((void *)cl->list[i].members);
	}
	free(cl->list);
	cl->list = NULL;
	cl->n = 0;
	if (cl->open_secret)
		sodium_memzero(cl->open_secret, strlen(cl->open_secret));
	free(cl->open_secret);
	cl->open_secret = NULL;
	free(cl->key_file);
	cl->key_file = NULL;
	omni_nucleus_turn_free(&cl->turn);
}

/* No cluster list: any name with this one secret (signaling/nucleus.h). */
static int open_with(struct omni_nucleus_clusters *cl, const char *secret, const char *prog)
{
	cl->open_secret = strdup(secret);
	if (cl->open_secret)
		return 0;
	fprintf(stderr, "%s: out of memory\n", prog);
	return -1;
}

/* The JSON file (docs/config.md, "nucleus"): clusters, port, metrics. */
static int load_file(struct omni_nucleus_clusters *cl, const struct omni_cli *cli)
{
	char err[CFG_CONFIG_ERR_MAX];
	struct cfg_config cfg;
	size_t i;
	int ret = -1;

	cfg_config_init(&cfg);
	if (cfg_json_parse_file(cli->config, &cfg, err, sizeof(err)) != 0 ||
	    cfg_config_load_secrets(&cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", cli->prog, err);
		goto out;
	}
	for (i = 0; i < cfg.n_warnings; i++)
		fprintf(stderr, "%s: warning: %s\n", cli->prog, cfg.warnings[i]);
	for (i = 0; i < cfg.nucleus.n_clusters; i++) {
		const struct cfg_cluster *c = &cfg.nucleus.clusters[i];

		if (add(cl, c->name, c->secret ? c->secret : "") < 0 || add_members(cl, c) < 0) {
			fprintf(stderr, "%s: out of memory\n", cli->prog);
			goto out;
		}
		cl->list[cl->n - 1].l2 = c->net_mode == CFG_NET_L2;
	}
	if (cl->n == 0 && !cfg.security.secret) {
		fprintf(stderr,
			"%s: %s: nucleus.clusters: no cluster listed, and no security.secret "
			"to serve any cluster name with\n",
			cli->prog, cli->config);
		goto out;
	}
	if (cl->n == 0 && open_with(cl, cfg.security.secret, cli->prog) < 0)
		goto out;
	cl->open_l2 = cl->open_secret && cfg.network.net_mode == CFG_NET_L2;
	if (omni_nucleus_turn_file(&cl->turn, &cfg.nucleus, cli->prog) < 0)
		goto out;
	cl->port = cfg.nucleus.port;
	cl->legacy_members = cfg.nucleus.legacy_members;
	cl->secret_window_s = cfg.nucleus.secret_window ? cfg.nucleus.secret_window :
							  CFG_SECRET_WINDOW_DEFAULT_S;
	if (cfg.nucleus.key_file && !(cl->key_file = strdup(cfg.nucleus.key_file))) {
		fprintf(stderr, "%s: out of memory\n", cli->prog);
		goto out;
	}
	snprintf(cl->metrics, sizeof(cl->metrics), "%s", cfg.metrics.listen);
	ret = 0;
out:
	cfg_config_free(&cfg);
	return ret;
}

/* The command line: its secret from --secret, --secret-file or
 * OMNI_SECRET (config/secrets.h) for any cluster name, or with --cluster
 * NAME for that one only. */
static int load_flags(struct omni_nucleus_clusters *cl, const struct omni_cli *cli)
{
	const struct cfg_secret_args a = { cli->secret, cli->secret_file, getenv(CFG_SECRET_ENV) };
	char err[CFG_CONFIG_ERR_MAX];
	enum cfg_net_mode mode = CFG_NET_L3;
	const char *from;
	char *secret;
	int ret;

	if (cli->network_mode && cfg_net_mode_from_name(cli->network_mode, &mode) != 0) {
		fprintf(stderr, "%s: --network-mode: \"%s\" is not l3 or l2\n", cli->prog,
			cli->network_mode);
		return -1;
	}
	if (cfg_secret_resolve(&a, &secret, &from, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", cli->prog, err);
		return -1;
	}
	if (!secret) {
		fprintf(stderr,
			"%s: the nucleus needs --secret-file FILE (or %s, or --secret; 16 "
			"characters or more: any cluster name; with --cluster NAME only that "
			"one), or --config FILE\n",
			cli->prog, CFG_SECRET_ENV);
		return -1;
	}
	if (!cli->cluster) {
		ret = open_with(cl, secret, cli->prog);
		cl->open_l2 = mode == CFG_NET_L2;
	} else {
		ret = add(cl, cli->cluster, secret);
		if (ret < 0)
			fprintf(stderr, "%s: out of memory\n", cli->prog);
		else
			cl->list[0].l2 = mode == CFG_NET_L2;
	}
	cfg_secret_free(secret);
	return ret < 0 ? -1 : 0;
}

int omni_nucleus_clusters_load(struct omni_nucleus_clusters *cl, const struct omni_cli *cli)
{
	const char *env = getenv(CFG_SECRET_ENV);

	memset(cl, 0, sizeof(*cl));
	if (!cli->config)
		goto flags;
	if (cli->secret || cli->secret_file || cli->cluster || cli->turn || cli->turn_secret_file ||
	    cli->turn_ttl || cli->network_mode) {
		fprintf(stderr,
			"%s: --config lists the clusters and the relay: no --cluster, --secret, "
			"--secret-file, --network-mode or --turn* with it (a cluster's \"mode\")\n",
			cli->prog);
		return -1;
	}
	if (env && env[0]) {
		fprintf(stderr,
			"%s: %s is set, but --config lists the clusters, each with its own "
			"secret: unset it\n",
			cli->prog, CFG_SECRET_ENV);
		return -1;
	}
	if (load_file(cl, cli) == 0)
		return 0;
	omni_nucleus_clusters_free(cl);
	return -1;
flags:
	if (load_flags(cl, cli) == 0 && omni_nucleus_turn_flags(&cl->turn, cli) == 0)
		return 0;
	omni_nucleus_clusters_free(cl);
	return -1;
}

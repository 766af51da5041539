// SPDX-License-Identifier: MIT
/*
 * The list of clusters a nucleus serves. The command line gives one
 * (--cluster, --secret); --config FILE gives several, one "NAME SECRET"
 * per line, until the JSON configuration reader takes this over (it fills
 * the same struct nucleus_cluster_conf list). Secrets are never printed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "nucleus.h"

static int add(struct omni_nucleus_clusters *cl, const char *name, const char *secret)
{
	struct nucleus_cluster_conf *l = realloc(cl->list, (cl->n + 1) * sizeof(*l));

	if (!l)
		return -ENOMEM;
	cl->list = l;
	l[cl->n].name = strdup(name);
	l[cl->n].secret = strdup(secret);
	cl->n++;
	return l[cl->n - 1].name && l[cl->n - 1].secret ? 0 : -ENOMEM;
}

void omni_nucleus_clusters_free(struct omni_nucleus_clusters *cl)
{
	for (size_t i = 0; i < cl->n; i++) {
		char *s = (char *)cl->list[i].secret;

		if (s)
			sodium_memzero(s, strlen(s));
		free(s);
		free((char *)cl->list[i].name);
	}
	free(cl->list);
	cl->list = NULL;
	cl->n = 0;
}

static int check_file(const char *prog, const char *path, FILE *f)
{
	struct stat st;

	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "%s: %s: not a regular file\n", prog, path);
		return -1;
	}
	if (st.st_mode & 077) {
		fprintf(stderr, "%s: %s: holds secrets but group or others may read it: chmod 600 %s\n",
			prog, path, path);
		return -1;
	}
	return 0;
}

static int load_file(struct omni_nucleus_clusters *cl, const char *prog, const char *path)
{
	char line[1024], *name, *secret, *extra, *save;
	unsigned lineno = 0;
	FILE *f = fopen(path, "r");
	int ret = -1;

	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return -1;
	}
	if (check_file(prog, path, f) < 0)
		goto out;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (line[0] == '{' && lineno == 1) {
			fprintf(stderr, "%s: %s:1: a JSON nucleus configuration is not read yet: "
				"give one \"NAME SECRET\" per line\n", prog, path);
			goto out;
		}
		name = strtok_r(line, " \t\r\n", &save);
		if (!name || name[0] == '#')
			continue;
		secret = strtok_r(NULL, " \t\r\n", &save);
		extra = strtok_r(NULL, " \t\r\n", &save);
		if (!secret || extra) {
			fprintf(stderr, "%s: %s:%u: expected \"NAME SECRET\" (two words)\n", prog,
				path, lineno);
			goto out;
		}
		if (add(cl, name, secret) < 0) {
			fprintf(stderr, "%s: out of memory\n", prog);
			goto out;
		}
	}
	if (cl->n == 0)
		fprintf(stderr, "%s: %s: no cluster listed\n", prog, path);
	else
		ret = 0;
out:
	sodium_memzero(line, sizeof(line));
	fclose(f);
	return ret;
}

int omni_nucleus_clusters_load(struct omni_nucleus_clusters *cl, const struct omni_cli *cli)
{
	memset(cl, 0, sizeof(*cl));
	if (cli->config) {
		if (cli->secret || cli->cluster) {
			fprintf(stderr, "%s: --config lists the clusters: no --cluster or --secret with it\n",
				cli->prog);
			return -1;
		}
		return load_file(cl, cli->prog, cli->config);
	}
	if (!cli->secret) {
		fprintf(stderr, "%s: the nucleus needs --secret SECRET (16 characters or more) "
			"for --cluster NAME, or --config FILE\n", cli->prog);
		return -1;
	}
	if (add(cl, cli->cluster ? cli->cluster : "default", cli->secret) < 0) {
		fprintf(stderr, "%s: out of memory\n", cli->prog);
		return -1;
	}
	return 0;
}

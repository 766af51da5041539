/* SPDX-License-Identifier: MIT */
/*
 * The open nucleus: one secret, any cluster name (the seeds start a nucleus
 * with a secret and no cluster list). The cluster id on the wire is keyed
 * by name and secret, so the nucleus cannot go from an id it has not seen
 * to the keys; the edge's name trailer (SIG_FLAG_NAME), sealed under a key
 * of the secret alone, says the name. Cheapest first: open the trailer
 * (one AEAD over at most 64 bytes; a wrong secret ends here), derive the
 * name's keys, check the whole datagram under them (id, HMAC, body), and
 * only then make the cluster, while fewer than max_open_clusters exist.
 * A made cluster stays for the life of the process, as a listed one does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "nucleus_int.h"

int sig_nucleus_open_init(struct sig_nucleus *n, const struct sig_nucleus_conf *conf, char *err,
			  size_t errlen)
{
	struct sig_keys probe;

	if (!conf->open_secret)
		return 0;
	/* The secret's rules (length) are the same as a listed cluster's. */
	if (sig_keys_derive(&probe, "any", conf->open_secret, err, errlen) < 0)
		return -EINVAL;
	sig_keys_wipe(&probe);
	n->open_secret = strdup(conf->open_secret);
	if (!n->open_secret) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	sig_name_key(conf->open_secret, n->name_key);
	n->max_clusters = conf->max_open_clusters ? conf->max_open_clusters :
						    SIG_NUCLEUS_OPEN_CLUSTERS_DEFAULT;
	/* Each cluster its own nonces (one cannot crowd out another), the
	 * total shared out as between listed clusters. */
	n->replay_open =
		(conf->replay_capacity ? conf->replay_capacity : SIG_NUCLEUS_REPLAY_DEFAULT) /
		(unsigned)n->max_clusters;
	if (n->replay_open < SIG_NUCLEUS_REPLAY_MIN)
		n->replay_open = SIG_NUCLEUS_REPLAY_MIN;
	return 0;
}

void sig_nucleus_open_fini(struct sig_nucleus *n)
{
	if (n->open_secret) {
		sodium_memzero(n->open_secret, strlen(n->open_secret));
		free(n->open_secret);
		n->open_secret = NULL;
	}
	sodium_memzero(n->name_key, sizeof(n->name_key));
}

/* Makes cluster `name` at the end of the array and publishes it. */
static enum sig_drop make(struct sig_nucleus *n, const char *name, struct cluster **out)
{
	const struct nucleus_cluster_conf cc = { .name = name, .secret = n->open_secret };
	struct cluster *c = &n->clusters[n->n_clusters];
	char err[160];

	if (n->n_clusters >= n->max_clusters)
		return SIG_DROP_CLUSTER_LIMIT;
	if (sig_cluster_init(c, &cc, n->max_members, n->replay_open, err, sizeof(err)) < 0) {
		sig_cluster_fini(c);
		memset(c, 0, sizeof(*c));
		return SIG_DROP_CLUSTER_LIMIT; /* out of memory: no room either */
	}
	/* Other threads read names and member counts up to n_clusters. */
	__atomic_store_n(&n->n_clusters, n->n_clusters + 1, __ATOMIC_RELEASE);
	*out = c;
	return SIG_OK;
}

enum sig_drop sig_nucleus_open(struct sig_nucleus *n, const uint8_t *p, size_t len,
			       struct sig_msg *m, struct cluster **out)
{
	char name[SIG_CLUSTER_NAME_MAX + 1], err[160];
	struct sig_keys k;
	enum sig_drop d;

	*out = NULL;
	if (!n->open_secret || !m->named)
		return SIG_DROP_UNKNOWN_CLUSTER;
	d = sig_open_name(n->name_key, p, len, name);
	if (d != SIG_OK)
		return d;
	if (sig_keys_derive(&k, name, n->open_secret, err, sizeof(err)) < 0)
		return SIG_DROP_BAD_BODY;
	/* The id must be the name's under our secret, and the whole datagram
	 * authentic, before anything is made for it. */
	d = sig_decode(&k, p, len, m);
	sig_keys_wipe(&k);
	if (d == SIG_OK)
		d = make(n, name, out);
	sodium_memzero(name, sizeof(name));
	return d;
}

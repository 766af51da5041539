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
	n->open_l2 = conf->open_l2;
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

static void free_secret(char **s)
{
	if (*s) {
		sodium_memzero(*s, strlen(*s));
		free(*s);
		*s = NULL;
	}
}

void sig_nucleus_open_fini(struct sig_nucleus *n)
{
	free_secret(&n->open_secret);
	free_secret(&n->open_prev);
	sodium_memzero(n->name_key, sizeof(n->name_key));
	sodium_memzero(n->prev_name_key, sizeof(n->prev_name_key));
}

int sig_nucleus_set_open_secret(struct sig_nucleus *n, const char *secret, uint32_t window_ms,
				uint64_t now_ms, char *err, size_t errlen)
{
	uint8_t key[SIG_KEY_LEN];
	struct sig_keys probe;
	char *copy;

	if (!n->open_secret) {
		snprintf(err, errlen, "not an open nucleus: its clusters are listed");
		return -EINVAL;
	}
	if (sig_keys_derive(&probe, "any", secret, err, errlen) < 0)
		return -EINVAL;
	sig_keys_wipe(&probe);
	sig_name_key(secret, key);
	if (sodium_memcmp(key, n->name_key, SIG_KEY_LEN) == 0) {
		sodium_memzero(key, sizeof(key));
		return 0;
	}
	copy = strdup(secret);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	free_secret(&n->open_prev);
	n->open_prev = n->open_secret;
	memcpy(n->prev_name_key, n->name_key, SIG_KEY_LEN);
	n->open_prev_until = window_ms ? now_ms + window_ms : 0;
	n->open_secret = copy;
	memcpy(n->name_key, key, SIG_KEY_LEN);
	sodium_memzero(key, sizeof(key));
	for (size_t i = 0; i < n->n_clusters; i++)
		sig_nucleus_set_secret(n, i, secret, window_ms, now_ms, err, errlen);
	return 1;
}

void sig_nucleus_open_tick(struct sig_nucleus *n, uint64_t now)
{
	if (n->open_prev && now >= n->open_prev_until) {
		free_secret(&n->open_prev); /* the rotation's window is over */
		sodium_memzero(n->prev_name_key, sizeof(n->prev_name_key));
		n->open_prev_until = 0;
	}
}

/* Makes cluster `name` at the end of the array and publishes it; one of
 * a name first sealed under the previous secret (prev) has its keys too,
 * as a cluster rotated then. */
static enum sig_drop make(struct sig_nucleus *n, const char *name, bool prev, struct cluster **out)
{
	const struct nucleus_cluster_conf cc = { .name = name,
						 .secret = n->open_secret,
						 .l2 = n->open_l2 };
	struct cluster *c = &n->clusters[n->n_clusters];
	char err[160];

	if (n->n_clusters >= n->max_clusters)
		return SIG_DROP_CLUSTER_LIMIT;
	if (sig_cluster_init(c, &cc, n->max_members, n->replay_open, err, sizeof(err)) < 0) {
		sig_cluster_fini(c);
		memset(c, 0, sizeof(*c));
		return SIG_DROP_CLUSTER_LIMIT; /* out of memory: no room either */
	}
	if (prev && sig_keys_derive(&c->prev, name, n->open_prev, err, sizeof(err)) == 0)
		c->prev_until = n->open_prev_until;
	/* Other threads read names and member counts up to n_clusters. */
	__atomic_store_n(&n->n_clusters, n->n_clusters + 1, __ATOMIC_RELEASE);
	*out = c;
	return SIG_OK;
}

/* The cluster of an authentic datagram (its keys k): one made in a
 * rotation's window under the new secret takes the old secret's keys when
 * a member on the old one comes; else a new one. */
static enum sig_drop made_or_make(struct sig_nucleus *n, const char *name, const struct sig_keys *k,
				  struct cluster **out)
{
	int i = sig_nucleus_cluster_find(n, name);

	if (i < 0)
		return make(n, name, n->rx_prev, out);
	*out = &n->clusters[i];
	if (n->rx_prev) {
		(*out)->prev = *k;
		(*out)->prev_until = n->open_prev_until;
	}
	return SIG_OK;
}

enum sig_drop sig_nucleus_open(struct sig_nucleus *n, const uint8_t *p, size_t len,
			       struct sig_msg *m, uint64_t now, struct cluster **out)
{
	char name[SIG_CLUSTER_NAME_MAX + 1], err[160];
	struct sig_keys k;
	enum sig_drop d;

	*out = NULL;
	if (!n->open_secret || !m->named)
		return SIG_DROP_UNKNOWN_CLUSTER;
	d = sig_open_name(n->name_key, p, len, name);
	/* In a rotation's window, a name sealed under the previous secret. */
	n->rx_prev = d == SIG_DROP_WRONG_SECRET && now < n->open_prev_until &&
		     sig_open_name(n->prev_name_key, p, len, name) == SIG_OK;
	if (n->rx_prev)
		d = SIG_OK;
	if (d != SIG_OK)
		return d;
	if (sig_keys_derive(&k, name, n->rx_prev ? n->open_prev : n->open_secret, err,
			    sizeof(err)) < 0)
		return SIG_DROP_BAD_BODY;
	/* The id must be the name's under our secret, and the whole datagram
	 * authentic, before anything is made for it. */
	d = sig_decode(&k, p, len, m);
	if (d == SIG_OK)
		d = made_or_make(n, name, &k, out);
	sig_keys_wipe(&k);
	sodium_memzero(name, sizeof(name));
	return d;
}

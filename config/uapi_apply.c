/* SPDX-License-Identifier: MIT */
/*
 * A parsed set request applied to a copy of the running peers (uapi.h):
 * the model the edge then checks and puts in place whole.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <sodium.h>

#include "uapi.h"
#include "value.h"

struct list {
	struct cfg_peer *p;
	size_t n;
};

static size_t find(const struct list *l, const uint8_t key[WG_KEY_LEN])
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (sodium_memcmp(l->p[i].public_key, key, WG_KEY_LEN) == 0)
			return i;
	return l->n;
}

/* A zeroed slot at the end; NULL when out of memory. */
static struct cfg_peer *grow(struct list *l)
{
	struct cfg_peer *p = realloc(l->p, (l->n + 1) * sizeof(*p));

	if (!p)
		return NULL;
	l->p = p;
	memset(&p[l->n], 0, sizeof(*p));
	return &p[l->n++];
}

static void drop(struct list *l, size_t i)
{
	cfg_peer_clear(&l->p[i]);
	memmove(&l->p[i], &l->p[i + 1], (l->n - i - 1) * sizeof(*l->p));
	l->n--;
}

static bool has_prefix(const struct cfg_peer *p, const struct net_prefix *x)
{
	size_t i;

	for (i = 0; i < p->n_allowed_ips; i++)
		if (net_prefix_cmp(&p->allowed_ips[i], x) == 0)
			return true;
	return false;
}

static void remove_prefix(struct cfg_peer *p, const struct net_prefix *x)
{
	size_t i;

	for (i = 0; i < p->n_allowed_ips; i++)
		if (net_prefix_cmp(&p->allowed_ips[i], x) == 0) {
			memmove(&p->allowed_ips[i], &p->allowed_ips[i + 1],
				(p->n_allowed_ips - i - 1) * sizeof(*x));
			p->n_allowed_ips--;
			return;
		}
}

/* As wg(8): an allowed IP given to peer `to` leaves the configured peer
 * that had it (a learned one keeps it: the edge's own rule, a configured
 * peer's AllowedIPs win over the cluster, settles that). */
static int give_prefixes(struct list *l, struct cfg_peer *to, const struct cfg_uapi_peer *b)
{
	size_t i, j;

	for (i = 0; i < b->n_allowed_ips; i++) {
		for (j = 0; j < l->n; j++)
			if (&l->p[j] != to && !l->p[j].learned)
				remove_prefix(&l->p[j], &b->allowed_ips[i]);
		if (!has_prefix(to, &b->allowed_ips[i]) &&
		    cfg_peer_add_allowed_ip(to, &b->allowed_ips[i]) != 0)
			return -ENOMEM;
	}
	return 0;
}

static void set_psk(struct cfg_peer *q, const uint8_t psk[WG_KEY_LEN])
{
	static const uint8_t zero[WG_KEY_LEN];

	q->has_preshared_key = sodium_memcmp(psk, zero, WG_KEY_LEN) != 0;
	memcpy(q->preshared_key, psk, WG_KEY_LEN);
	free(q->preshared_key_file);
	q->preshared_key_file = NULL;
}

static void set_endpoint(struct cfg_peer *q, const struct net_endpoint *ep)
{
	cfg_endpoint_clear(&q->endpoint);
	memset(&q->endpoint, 0, sizeof(q->endpoint));
	net_endpoint_to_sockaddr(ep, net_family_to_af(ep->addr.family), &q->endpoint.addr);
}

static void set_fields(struct cfg_peer *q, const struct cfg_uapi_peer *b)
{
	if (b->has_psk)
		set_psk(q, b->psk);
	if (b->has_endpoint)
		set_endpoint(q, &b->endpoint);
	if (b->has_keepalive)
		q->persistent_keepalive = b->keepalive;
	if (b->replace_allowed_ips)
		q->n_allowed_ips = 0;
}

/* Preshared key, keepalive and allowed IPs (as a set) alike. */
static bool same_settings(const struct cfg_peer *a, const struct cfg_peer *b)
{
	size_t i;

	if (a->has_preshared_key != b->has_preshared_key ||
	    (a->has_preshared_key &&
	     sodium_memcmp(a->preshared_key, b->preshared_key, WG_KEY_LEN) != 0) ||
	    a->persistent_keepalive != b->persistent_keepalive ||
	    a->n_allowed_ips != b->n_allowed_ips)
		return false;
	for (i = 0; i < a->n_allowed_ips; i++)
		if (!has_prefix(b, &a->allowed_ips[i]))
			return false;
	return true;
}

/*
 * A block naming a learned peer: the nucleus's peer stays the nucleus's
 * when the block changes none of its settings (`wg setconf` of what `wg
 * showconf` printed); otherwise the operator takes it over, configured.
 * Its endpoint is the cluster's (punching) either way.
 */
static int learned_block(struct list *l, struct cfg_peer *q, const struct cfg_uapi_peer *b)
{
	struct cfg_peer t;
	size_t i;

	if (cfg_peer_copy(&t, q) != 0)
		return -ENOMEM;
	set_fields(&t, b);
	for (i = 0; i < b->n_allowed_ips; i++)
		if (!has_prefix(&t, &b->allowed_ips[i]) &&
		    cfg_peer_add_allowed_ip(&t, &b->allowed_ips[i]) != 0) {
			cfg_peer_clear(&t);
			return -ENOMEM;
		}
	if (same_settings(&t, q)) {
		cfg_peer_clear(&t);
		return 0;
	}
	cfg_peer_clear(q);
	*q = t;
	q->learned = false;
	return give_prefixes(l, q, b);
}

static int apply_block(struct list *l, const struct cfg_uapi_peer *b,
		       const uint8_t own_pub[WG_KEY_LEN])
{
	size_t i = find(l, b->public_key);
	struct cfg_peer *q;

	if (sodium_memcmp(b->public_key, own_pub, WG_KEY_LEN) == 0)
		return 0; /* wireguard-go's "dummy" peer: read, ignored */
	if (i == l->n) {
		if (b->update_only || b->remove)
			return 0;
		q = grow(l);
		if (!q)
			return -ENOMEM;
		memcpy(q->public_key, b->public_key, WG_KEY_LEN);
		q->has_public_key = true;
	}
	if (b->remove) {
		drop(l, i);
		return 0;
	}
	q = &l->p[i];
	if (q->learned)
		return learned_block(l, q, b);
	set_fields(q, b);
	return give_prefixes(l, q, b);
}

int cfg_uapi_apply(const struct cfg_uapi_set *s, const struct cfg_peer *cur, size_t n_cur,
		   const uint8_t own_pub[WG_KEY_LEN], struct cfg_peer **out, size_t *n_out)
{
	struct list l = { 0 };
	size_t i;
	int ret = 0;

	for (i = 0; i < n_cur && ret == 0; i++) {
		struct cfg_peer *q;

		if (s->replace_peers && !cur[i].learned)
			continue;
		q = grow(&l);
		if (!q || cfg_peer_copy(q, &cur[i]) != 0) {
			if (q)
				l.n--;
			ret = -ENOMEM;
		}
	}
	for (i = 0; i < s->n_peers && ret == 0; i++)
		ret = apply_block(&l, &s->peers[i], own_pub);
	/* A new private key: a peer with its public key goes (wireguard-go). */
	i = find(&l, own_pub);
	if (ret == 0 && i < l.n)
		drop(&l, i);
	if (ret != 0) {
		cfg_uapi_peers_free(l.p, l.n);
		l.p = NULL;
		l.n = 0;
	}
	*out = l.p;
	*n_out = l.n;
	return ret;
}

void cfg_uapi_peers_free(struct cfg_peer *peers, size_t n)
{
	size_t i;

	for (i = 0; peers && i < n; i++)
		cfg_peer_clear(&peers[i]);
	free(peers);
}

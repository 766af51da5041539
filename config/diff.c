/* SPDX-License-Identifier: MIT */
/*
 * Configuration difference: peers matched by public key through two sorted
 * index arrays (a merge, O(n log n)), then the other settings field by
 * field against one table of JSON paths.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "diff.h"
#include "value.h"
#include "wg/key.h"

/* ---- peers --------------------------------------------------------------- */

static int cmp_by_key(const void *a, const void *b, void *arg)
{
	const struct cfg_peer *peers = arg;
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	int c = memcmp(peers[ia].public_key, peers[ib].public_key, WG_KEY_LEN);

	return c ? c : (ia < ib ? -1 : ia > ib);
}

static size_t *sorted_by_key(const struct cfg_config *cfg)
{
	size_t *order = malloc(cfg->n_peers * sizeof(*order) + 1);

	if (!order)
		return NULL;
	for (size_t i = 0; i < cfg->n_peers; i++)
		order[i] = i;
	qsort_r(order, cfg->n_peers, sizeof(*order), cmp_by_key, cfg->peers);
	return order;
}

/* The same address, port and IPv6 scope; or neither has one. */
static bool same_endpoint(const struct cfg_endpoint *a, const struct cfg_endpoint *b)
{
	struct net_endpoint x, y;
	bool has_x = net_endpoint_from_sockaddr(&a->addr, &x);
	bool has_y = net_endpoint_from_sockaddr(&b->addr, &y);

	if (has_x != has_y)
		return false;
	return !has_x || (net_endpoint_equal(&x, &y) &&
			  net_sockaddr_scope(&a->addr) == net_sockaddr_scope(&b->addr));
}

static int cmp_prefix(const void *a, const void *b)
{
	return net_prefix_cmp(a, b);
}

/* The same prefixes, in any order (a peer lists each once: validated). */
static int same_prefix_set(const struct net_prefix *a, size_t na, const struct net_prefix *b,
			   size_t nb, bool *same)
{
	struct net_prefix *sa, *sb;

	*same = na == nb;
	if (!*same || na == 0)
		return 0;
	sa = malloc(na * sizeof(*sa));
	sb = malloc(nb * sizeof(*sb));
	if (!sa || !sb) {
		free(sa);
		free(sb);
		return -ENOMEM;
	}
	memcpy(sa, a, na * sizeof(*sa));
	memcpy(sb, b, nb * sizeof(*sb));
	qsort(sa, na, sizeof(*sa), cmp_prefix);
	qsort(sb, nb, sizeof(*sb), cmp_prefix);
	for (size_t i = 0; i < na && *same; i++)
		*same = net_prefix_cmp(&sa[i], &sb[i]) == 0;
	free(sa);
	free(sb);
	return 0;
}

static int peer_changes(const struct cfg_peer *a, const struct cfg_peer *b, unsigned *out)
{
	unsigned changed = 0;
	bool same_ips;
	int rc = same_prefix_set(a->allowed_ips, a->n_allowed_ips, b->allowed_ips, b->n_allowed_ips,
				 &same_ips);

	if (rc)
		return rc;
	if (!same_endpoint(&a->endpoint, &b->endpoint))
		changed |= CFG_PEER_CHANGED_ENDPOINT;
	if (!same_ips)
		changed |= CFG_PEER_CHANGED_ALLOWED_IPS;
	if (a->persistent_keepalive != b->persistent_keepalive)
		changed |= CFG_PEER_CHANGED_KEEPALIVE;
	if (a->has_preshared_key != b->has_preshared_key ||
	    (a->has_preshared_key &&
	     sodium_memcmp(a->preshared_key, b->preshared_key, WG_KEY_LEN) != 0))
		changed |= CFG_PEER_CHANGED_PSK;
	*out = changed;
	return 0;
}

static int add_delta(struct cfg_peer_delta **arr, size_t *n, size_t old_index, size_t new_index,
		     unsigned changed)
{
	struct cfg_peer_delta *p = realloc(*arr, (*n + 1) * sizeof(**arr));

	if (!p)
		return -ENOMEM;
	*arr = p;
	p[(*n)++] = (struct cfg_peer_delta){ old_index, new_index, changed };
	return 0;
}

static int cmp_delta_new(const void *a, const void *b)
{
	const struct cfg_peer_delta *x = a, *y = b;

	return x->new_index < y->new_index ? -1 : x->new_index > y->new_index;
}

static int cmp_delta_old(const void *a, const void *b)
{
	const struct cfg_peer_delta *x = a, *y = b;

	return x->old_index < y->old_index ? -1 : x->old_index > y->old_index;
}

/* One step of the merge of the two sorted key lists. */
static int merge_step(const struct cfg_config *old, const struct cfg_config *neu, size_t io,
		      size_t in, int c, struct cfg_config_diff *d)
{
	unsigned changed;
	int rc;

	if (c < 0)
		return add_delta(&d->removed, &d->n_removed, io, SIZE_MAX, 0);
	if (c > 0)
		return add_delta(&d->added, &d->n_added, SIZE_MAX, in, 0);
	rc = peer_changes(&old->peers[io], &neu->peers[in], &changed);
	if (rc || !changed) {
		d->n_unchanged += !rc;
		return rc;
	}
	return add_delta(&d->changed, &d->n_changed, io, in, changed);
}

static int diff_peers(const struct cfg_config *old, const struct cfg_config *neu,
		      struct cfg_config_diff *d)
{
	size_t *so = sorted_by_key(old), *sn = sorted_by_key(neu);
	size_t i = 0, j = 0;
	int rc = so && sn ? 0 : -ENOMEM;

	while (!rc && (i < old->n_peers || j < neu->n_peers)) {
		int c = i == old->n_peers ? 1 :
			j == neu->n_peers ? -1 :
					    memcmp(old->peers[so[i]].public_key,
						   neu->peers[sn[j]].public_key, WG_KEY_LEN);

		rc = merge_step(old, neu, c <= 0 ? so[i] : SIZE_MAX, c >= 0 ? sn[j] : SIZE_MAX, c,
				d);
		i += c <= 0;
		j += c >= 0;
	}
	free(so);
	free(sn);
	if (d->n_added)
		qsort(d->added, d->n_added, sizeof(*d->added), cmp_delta_new);
	if (d->n_removed)
		qsort(d->removed, d->n_removed, sizeof(*d->removed), cmp_delta_old);
	if (d->n_changed)
		qsort(d->changed, d->n_changed, sizeof(*d->changed), cmp_delta_new);
	return rc;
}

/* ---- other settings ------------------------------------------------------ */

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool same_strlist(char *const *a, size_t na, char *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++) {
		if (strcmp(a[i], b[i]) != 0)
			return false;
	}
	return true;
}

static bool same_secret(const char *a, const char *b)
{
	return (!a && !b) ||
	       (a && b && strlen(a) == strlen(b) && sodium_memcmp(a, b, strlen(a)) == 0);
}

static bool same_vip(const struct net_prefix *a, const struct net_prefix *b)
{
	return a->addr.family == b->addr.family &&
	       (a->addr.family == NET_AF_NONE || net_prefix_cmp(a, b) == 0);
}

static bool same_private_key(const struct cfg_interface *a, const struct cfg_interface *b)
{
	if (a->has_private_key != b->has_private_key)
		return false;
	if (!a->has_private_key || sodium_is_zero(a->private_key, WG_KEY_LEN) ||
	    sodium_is_zero(b->private_key, WG_KEY_LEN))
		return true; /* wiped by the running edge: cannot tell */
	return sodium_memcmp(a->private_key, b->private_key, WG_KEY_LEN) == 0;
}

static bool same_clusters(const struct cfg_nucleus *a, const struct cfg_nucleus *b)
{
	if (a->n_clusters != b->n_clusters)
		return false;
	for (size_t i = 0; i < a->n_clusters; i++) {
		const struct cfg_cluster *x = &a->clusters[i], *y = &b->clusters[i];

		if (!same_str(x->name, y->name) || !same_str(x->secret_file, y->secret_file) ||
		    !same_secret(x->secret, y->secret) || x->net_mode != y->net_mode)
			return false;
	}
	return true;
}

static int note(const char ***list, size_t *n, const char *path)
{
	const char **p = realloc(*list, (*n + 1) * sizeof(**list));

	if (!p)
		return -ENOMEM;
	*list = p;
	p[(*n)++] = path;
	return 0;
}

/* Each setting outside peers: its path, and whether it is the same. */
static int diff_settings(const struct cfg_config *o, const struct cfg_config *n,
			 struct cfg_config_diff *d)
{
	const struct cfg_interface *a = &o->iface, *b = &n->iface;
	bool same_addrs;
	int rc = same_prefix_set(a->addresses, a->n_addresses, b->addresses, b->n_addresses,
				 &same_addrs);
	const struct {
		const char *path;
		bool same;
	} restart[] = {
		{ "mode", o->mode == n->mode },
		{ "dpdk.lcores", same_str(o->dpdk.lcores, n->dpdk.lcores) &&
					 o->dpdk.n_lcores == n->dpdk.n_lcores },
		{ "dpdk.devices", same_strlist(o->dpdk.devices, o->dpdk.n_devices, n->dpdk.devices,
					       n->dpdk.n_devices) },
		{ "dpdk.memory_mb", o->dpdk.memory_mb == n->dpdk.memory_mb },
		{ "dpdk.hugepages", o->dpdk.hugepages == n->dpdk.hugepages },
		{ "dpdk.eal_args", same_strlist(o->dpdk.eal_args, o->dpdk.n_eal_args,
						n->dpdk.eal_args, n->dpdk.n_eal_args) },
		{ "daemon.port", a->listen_port == b->listen_port },
		{ "daemon.interface", strcmp(a->underlay, b->underlay) == 0 },
		{ "daemon.host_interface", strcmp(a->host_port_name, b->host_port_name) == 0 },
		{ "daemon.host_port", a->host_port_kind == b->host_port_kind },
		{ "daemon.private_key", same_private_key(a, b) },
		{ "daemon.private_key_file", same_str(a->private_key_file, b->private_key_file) },
		{ "daemon.addresses", same_addrs },
		{ "daemon.mtu", a->mtu == b->mtu },
		{ "network.nucleus", same_str(o->network.nucleus, n->network.nucleus) },
		{ "network.cluster", same_str(o->network.cluster, n->network.cluster) },
		{ "network.vip", same_vip(&o->network.vip, &n->network.vip) },
		{ "network.vip6", same_vip(&o->network.vip6, &n->network.vip6) },
		{ "network.stun_servers",
		  same_strlist(o->network.stun_servers, o->network.n_stun_servers,
			       n->network.stun_servers, n->network.n_stun_servers) },
		{ "network.use_builtin_stun",
		  o->network.use_builtin_stun == n->network.use_builtin_stun },
		{ "network.prefer_ipv6", o->network.prefer_ipv6 == n->network.prefer_ipv6 },
		{ "network.nucleus_key",
		  o->network.has_nucleus_key == n->network.has_nucleus_key &&
			  memcmp(o->network.nucleus_key, n->network.nucleus_key, 32) == 0 },
		{ "network.mode", o->network.net_mode == n->network.net_mode },
		{ "network.vni", o->network.vni == n->network.vni },
		{ "network.fdb_size", o->network.fdb_size == n->network.fdb_size },
		{ "network.fdb_age_secs", o->network.fdb_age_secs == n->network.fdb_age_secs },
		{ "network.flood_pps", o->network.flood_pps == n->network.flood_pps },
		{ "network.happy_eyeballs_delay_ms",
		  o->network.happy_eyeballs_delay_ms == n->network.happy_eyeballs_delay_ms },
		{ "security.max_sessions_per_ip",
		  o->security.max_sessions_per_ip == n->security.max_sessions_per_ip },
		{ "security.handshake_timeout_secs",
		  o->security.handshake_timeout_secs == n->security.handshake_timeout_secs },
		{ "security.encrypt_signaling",
		  o->security.encrypt_signaling == n->security.encrypt_signaling },
		{ "security.secret", same_secret(o->security.secret, n->security.secret) },
		{ "security.secret_file",
		  same_str(o->security.secret_file, n->security.secret_file) },
		{ "metrics.listen", strcmp(o->metrics.listen, n->metrics.listen) == 0 },
		{ "nucleus.port", o->nucleus.port == n->nucleus.port },
		{ "nucleus.key_file", same_str(o->nucleus.key_file, n->nucleus.key_file) },
		{ "nucleus.legacy_members",
		  o->nucleus.legacy_members == n->nucleus.legacy_members },
		{ "nucleus.clusters", same_clusters(&o->nucleus, &n->nucleus) },
	};

	for (size_t i = 0; !rc && i < sizeof(restart) / sizeof(restart[0]); i++) {
		if (!restart[i].same)
			rc = note(&d->restart, &d->n_restart, restart[i].path);
	}
	if (!rc && o->log_level != n->log_level)
		rc = note(&d->live, &d->n_live, "daemon.log_level");
	return rc;
}

int cfg_config_diff(const struct cfg_config *old, const struct cfg_config *neu,
		    struct cfg_config_diff *d)
{
	int rc;

	memset(d, 0, sizeof(*d));
	rc = diff_peers(old, neu, d);
	if (!rc)
		rc = diff_settings(old, neu, d);
	if (rc)
		cfg_config_diff_free(d);
	return rc;
}

void cfg_config_diff_free(struct cfg_config_diff *d)
{
	free(d->added);
	free(d->removed);
	free(d->changed);
	free(d->restart);
	free(d->live);
	memset(d, 0, sizeof(*d));
}

bool cfg_config_diff_empty(const struct cfg_config_diff *d)
{
	return !d->n_added && !d->n_removed && !d->n_changed && !d->n_restart && !d->n_live;
}

void cfg_peer_change_names(unsigned changed, char *out, size_t outlen)
{
	static const char *const names[] = { "endpoint", "allowed_ips", "persistent_keepalive",
					     "preshared_key" };
	size_t used = 0;

	if (outlen)
		out[0] = '\0';
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int n;

		if (!(changed & (1u << i)) || used >= outlen)
			continue;
		n = snprintf(out + used, outlen - used, "%s%s", used ? ", " : "", names[i]);
		used += n > 0 ? (size_t)n : 0;
	}
}

static const char *short_key(const struct cfg_peer *p, char out[WG_KEY_B64_LEN + 1])
{
	wg_key_to_base64(out, p->public_key);
	out[8] = '\0';
	return out;
}

void cfg_config_diff_print(const struct cfg_config_diff *d, const struct cfg_config *old,
			   const struct cfg_config *neu, FILE *out)
{
	char key[WG_KEY_B64_LEN + 1], what[128];

	if (cfg_config_diff_empty(d))
		fprintf(out, "no change\n");
	for (size_t i = 0; i < d->n_added; i++)
		fprintf(out, "peer added: %s... (peers[%zu])\n",
			short_key(&neu->peers[d->added[i].new_index], key), d->added[i].new_index);
	for (size_t i = 0; i < d->n_removed; i++)
		fprintf(out, "peer removed: %s...\n",
			short_key(&old->peers[d->removed[i].old_index], key));
	for (size_t i = 0; i < d->n_changed; i++) {
		cfg_peer_change_names(d->changed[i].changed, what, sizeof(what));
		fprintf(out, "peer changed: %s... (%s)\n",
			short_key(&neu->peers[d->changed[i].new_index], key), what);
	}
	for (size_t i = 0; i < d->n_restart; i++)
		fprintf(out, "needs a restart: %s\n", d->restart[i]);
	for (size_t i = 0; i < d->n_live; i++)
		fprintf(out, "changed live: %s\n", d->live[i]);
}

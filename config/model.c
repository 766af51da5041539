/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "model.h"
#include "value.h"
#include "wg/key.h"

void cfg_config_init(struct cfg_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->iface.listen_port = CFG_DEFAULT_LISTEN_PORT;
	cfg->iface.mtu = CFG_DEFAULT_MTU;
	snprintf(cfg->iface.host_port_name, sizeof(cfg->iface.host_port_name), "%s",
		 CFG_DEFAULT_HOST_PORT_NAME);
	cfg->network.use_builtin_stun = false; /* no built-in list */
	cfg->network.happy_eyeballs_delay_ms = CFG_DEFAULT_HAPPY_EYEBALLS_MS;
	cfg->network.vni = CFG_DEFAULT_VNI;
	cfg->network.fdb_size = CFG_DEFAULT_FDB_SIZE;
	cfg->network.fdb_age_secs = CFG_DEFAULT_FDB_AGE_SECS;
	cfg->network.flood_pps = CFG_DEFAULT_FLOOD_PPS;
	cfg->security.max_sessions_per_ip = CFG_DEFAULT_MAX_SESSIONS_PER_IP;
	cfg->security.handshake_timeout_secs = CFG_DEFAULT_HANDSHAKE_TIMEOUT_SECS;
	cfg->security.encrypt_signaling = true;
	snprintf(cfg->metrics.listen, sizeof(cfg->metrics.listen), "%s",
		 CFG_DEFAULT_METRICS_LISTEN);
	cfg->nucleus.port = CFG_DEFAULT_LISTEN_PORT;
	cfg->log_level = CFG_LOG_INFO;
}

static void strlist_free(char ***list, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free((*list)[i]);
	free(*list);
	*list = NULL;
	*n = 0;
}

static void free_secret_string(char *s)
{
	if (s)
		sodium_memzero(s, strlen(s));
	free(s);
}

static void peer_free(struct cfg_peer *peer)
{
	sodium_memzero(peer->preshared_key, sizeof(peer->preshared_key));
	cfg_endpoint_clear(&peer->endpoint);
	free(peer->allowed_ips);
	free(peer->preshared_key_file);
}

static void nucleus_free(struct cfg_nucleus *n)
{
	for (size_t i = 0; i < n->n_clusters; i++) {
		free(n->clusters[i].name);
		free_secret_string(n->clusters[i].secret);
		free(n->clusters[i].secret_file);
		free(n->clusters[i].members);
	}
	free(n->clusters);
	free(n->key_file);
	strlist_free(&n->turn_servers, &n->n_turn_servers);
	free(n->turn_secret_file);
	free_secret_string(n->turn_secret);
}

void cfg_config_free(struct cfg_config *cfg)
{
	sodium_memzero(cfg->iface.private_key, sizeof(cfg->iface.private_key));
	free(cfg->iface.private_key_file);
	free(cfg->iface.addresses);
	for (size_t i = 0; i < cfg->n_peers; i++)
		peer_free(&cfg->peers[i]);
	free(cfg->peers);
	free(cfg->network.nucleus);
	free(cfg->network.cluster);
	strlist_free(&cfg->network.stun_servers, &cfg->network.n_stun_servers);
	free_secret_string(cfg->security.secret);
	free(cfg->security.secret_file);
	free(cfg->dpdk.lcores);
	strlist_free(&cfg->dpdk.devices, &cfg->dpdk.n_devices);
	strlist_free(&cfg->dpdk.eal_args, &cfg->dpdk.n_eal_args);
	nucleus_free(&cfg->nucleus);
	strlist_free(&cfg->warnings, &cfg->n_warnings);
	free(cfg->source);
	cfg_config_init(cfg);
}

/*
 * Makes room for element n of *arr. Capacity is implicit: the array is
 * reallocated when n is 0 or a power of two, to twice n, so it always holds
 * at least the next power of two above n.
 */
static int grow(void **arr, size_t n, size_t elem)
{
	size_t cap = n ? n * 2 : 1;
	void *p;

	if (n & (n - 1))
		return 0;
	if (cap > SIZE_MAX / elem)
		return -ENOMEM;
	p = realloc(*arr, cap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	return 0;
}

struct cfg_peer *cfg_config_add_peer(struct cfg_config *cfg)
{
	struct cfg_peer *peer;

	if (grow((void **)&cfg->peers, cfg->n_peers, sizeof(*cfg->peers))) {
		errno = ENOMEM;
		return NULL;
	}
	peer = &cfg->peers[cfg->n_peers++];
	memset(peer, 0, sizeof(*peer));
	peer->endpoint.addr.ss_family = AF_UNSPEC;
	return peer;
}

struct cfg_cluster *cfg_nucleus_add_cluster(struct cfg_nucleus *n)
{
	struct cfg_cluster *c;

	if (grow((void **)&n->clusters, n->n_clusters, sizeof(*n->clusters))) {
		errno = ENOMEM;
		return NULL;
	}
	c = &n->clusters[n->n_clusters++];
	memset(c, 0, sizeof(*c));
	return c;
}

static int prefix_add(struct net_prefix **arr, size_t *n, const struct net_prefix *p)
{
	if (grow((void **)arr, *n, sizeof(**arr)))
		return -ENOMEM;
	(*arr)[(*n)++] = *p;
	return 0;
}

int cfg_interface_add_address(struct cfg_interface *iface, const struct net_prefix *p)
{
	return prefix_add(&iface->addresses, &iface->n_addresses, p);
}

int cfg_peer_add_allowed_ip(struct cfg_peer *peer, const struct net_prefix *p)
{
	return prefix_add(&peer->allowed_ips, &peer->n_allowed_ips, p);
}

int cfg_strlist_add(char ***list, size_t *n, const char *s)
{
	char *copy = strdup(s);

	if (!copy || grow((void **)list, *n, sizeof(**list))) {
		free(copy);
		return -ENOMEM;
	}
	(*list)[(*n)++] = copy;
	return 0;
}

int cfg_config_add_warning(struct cfg_config *cfg, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (rc < 0 || grow((void **)&cfg->warnings, cfg->n_warnings, sizeof(char *))) {
		free(rc < 0 ? NULL : msg);
		return -ENOMEM;
	}
	cfg->warnings[cfg->n_warnings++] = msg;
	return 0;
}

static const char *const host_port_names[] = {
	[CFG_HOST_PORT_AUTO] = "auto",
	[CFG_HOST_PORT_TAP] = "tap",
	[CFG_HOST_PORT_VIRTIO_USER] = "virtio-user",
	[CFG_HOST_PORT_VETH] = "veth",
	[CFG_HOST_PORT_TAP_GSO] = "tap-gso",
};

static const char *const log_level_names[] = {
	[CFG_LOG_ERROR] = "error",
	[CFG_LOG_WARN] = "warn",
	[CFG_LOG_INFO] = "info",
	[CFG_LOG_DEBUG] = "debug",
};

static const char *const mode_names[] = {
	[CFG_MODE_EDGE] = "edge",
	[CFG_MODE_NUCLEUS] = "nucleus",
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static int name_lookup(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (strcasecmp(names[i], name) == 0)
			return (int)i;
	}
	return -EINVAL;
}

const char *cfg_host_port_kind_name(enum cfg_host_port_kind kind)
{
	return (size_t)kind < N_ELEMS(host_port_names) ? host_port_names[kind] : "?";
}

int cfg_host_port_kind_from_name(const char *name, enum cfg_host_port_kind *out)
{
	int i = name_lookup(host_port_names, N_ELEMS(host_port_names), name);

	if (i < 0)
		return i;
	*out = (enum cfg_host_port_kind)i;
	return 0;
}

const char *cfg_log_level_name(enum cfg_log_level level)
{
	return (size_t)level < N_ELEMS(log_level_names) ? log_level_names[level] : "?";
}

int cfg_log_level_from_name(const char *name, enum cfg_log_level *out)
{
	int i = name_lookup(log_level_names, N_ELEMS(log_level_names), name);

	if (i < 0)
		return i;
	*out = (enum cfg_log_level)i;
	return 0;
}

const char *cfg_mode_name(enum cfg_mode mode)
{
	return (size_t)mode < N_ELEMS(mode_names) ? mode_names[mode] : "?";
}

int cfg_mode_from_name(const char *name, enum cfg_mode *out)
{
	int i = name_lookup(mode_names, N_ELEMS(mode_names), name);

	if (i < 0)
		return i;
	*out = (enum cfg_mode)i;
	return 0;
}

static const char *const net_mode_names[] = { "l3", "l2" };

const char *cfg_net_mode_name(enum cfg_net_mode mode)
{
	return (size_t)mode < N_ELEMS(net_mode_names) ? net_mode_names[mode] : "?";
}

int cfg_net_mode_from_name(const char *name, enum cfg_net_mode *out)
{
	int i = name_lookup(net_mode_names, N_ELEMS(net_mode_names), name);

	if (i < 0)
		return i;
	*out = (enum cfg_net_mode)i;
	return 0;
}

int cfg_peer_copy(struct cfg_peer *dst, const struct cfg_peer *src)
{
	*dst = *src;
	dst->endpoint.name = NULL;
	dst->allowed_ips = NULL;
	if (src->endpoint.name && !(dst->endpoint.name = strdup(src->endpoint.name)))
		goto fail;
	if (src->n_allowed_ips) {
		dst->allowed_ips = malloc(src->n_allowed_ips * sizeof(*dst->allowed_ips));
		if (!dst->allowed_ips)
			goto fail;
		memcpy(dst->allowed_ips, src->allowed_ips,
		       src->n_allowed_ips * sizeof(*dst->allowed_ips));
	}
	return 0;
fail:
	cfg_peer_clear(dst);
	return -ENOMEM;
}

void cfg_peer_clear(struct cfg_peer *peer)
{
	peer_free(peer);
	memset(peer, 0, sizeof(*peer));
}

void cfg_config_remove_peer(struct cfg_config *cfg, size_t i)
{
	if (i >= cfg->n_peers)
		return;
	peer_free(&cfg->peers[i]);
	memmove(&cfg->peers[i], &cfg->peers[i + 1], (cfg->n_peers - i - 1) * sizeof(*cfg->peers));
	cfg->n_peers--;
}

/* SPDX-License-Identifier: MIT */
/*
 * The keys of the JSON file, one table per object, and the setters of the
 * values that need more than a type and a range. docs/config.md lists the
 * same keys for operators; keep both in step.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_int.h"
#include "wg/key.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define CFG(field) offsetof(struct cfg_config, field)
/* A string key of 1..max characters handed to fn. */
#define TEXT(name, fn, max)                            \
	{                                              \
		name, CFG_JK_TEXT, 0, 1, max, NULL, fn \
	}
/* A secret string of CFG_SECRET_MIN..: its length checked, never shown. */
#define SECRET(name, off)                                                            \
	{                                                                            \
		name, CFG_JK_STR, off, CFG_SECRET_MIN, CFG_JSON_TEXT_MAX, NULL, NULL \
	}
#define KEY_HINT "expected 44 base64 characters ending in '=', as `wg genkey` writes"

enum {
	MAX_SESSIONS_PER_IP_MAX = 1000000,
	HANDSHAKE_TIMEOUT_MAX = 3600, /* seconds */
	HAPPY_EYEBALLS_MAX_MS = 10000,
	MEMORY_MB_MIN = 16,
	MEMORY_MB_MAX = 1 << 20,
	LIST_MAX = 1 << 16, /* items in any other list */
};

/* ---- shared value shapes ------------------------------------------------- */

/* Letters, digits and "._-": interface, cluster and device names. */
static bool is_name(const char *s, const char *also)
{
	for (; *s; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("._-", *s) || strchr(also, *s)))
			return false;
	}
	return true;
}

/* A file name, relative ones taken from the configuration file's directory. */
static int set_path(struct cfg_jctx *c, const char *s, char **slot)
{
	char *full;

	if (s[0] == '/' || c->dir[0] == '\0')
		return cfg_jdup(c, s, slot);
	if (asprintf(&full, "%s%s", c->dir, s) < 0)
		return cfg_joom(c);
	free(*slot);
	*slot = full;
	return 0;
}

/* A secret key in base64: described, never shown. */
static int set_secret_key(struct cfg_jctx *c, const char *s, uint8_t key[WG_KEY_LEN], bool *has)
{
	if (!wg_key_from_base64(key, s))
		return cfg_jerr(c, "not a key (%zu characters; " KEY_HINT ")", strlen(s));
	*has = true;
	return 0;
}

struct strlist_arg {
	char ***list;
	size_t *n;
	size_t maxlen;
	/* NULL, or the value's rule: 0, or -EINVAL with *why set */
	int (*check)(const char *s, const char **why);
	const char *rule; /* "is not HOST:PORT" */
};

static int strlist_item(struct cfg_jctx *c, const json_t *item, size_t i, void *arg)
{
	struct strlist_arg *a = arg;
	const char *s, *why = NULL;
	int rc = cfg_jstring(c, item, 1, a->maxlen, &s);

	(void)i;
	if (rc)
		return rc;
	if (a->check && a->check(s, &why))
		return cfg_jerr_value(c, s, a->rule, why);
	return cfg_strlist_add(a->list, a->n, s) ? cfg_joom(c) : 0;
}

static int check_host_port(const char *s, const char **why)
{
	return cfg_host_port_check(s, why);
}

/* ---- top level ----------------------------------------------------------- */

static int set_mode(struct cfg_jctx *c, const char *s, void *base)
{
	struct cfg_config *cfg = base;

	if (cfg_mode_from_name(s, &cfg->mode))
		return cfg_jerr_value(c, s, "is not a mode", "edge or nucleus");
	return 0;
}

/* ---- dpdk ---------------------------------------------------------------- */

static int set_lcores(struct cfg_jctx *c, const json_t *v, void *base)
{
	struct cfg_config *cfg = base;
	unsigned long n;
	const char *s;
	int rc;

	if (json_is_integer(v)) {
		rc = cfg_juint(c, v, 1, CFG_JSON_LCORES_MAX, &n);
		cfg->dpdk.n_lcores = (unsigned)n;
		return rc;
	}
	if (!json_is_string(v))
		return cfg_jtype_error(c, v, "a count of lcores or an EAL lcore list");
	rc = cfg_jstring(c, v, 1, CFG_JSON_TEXT_MAX, &s);
	if (rc)
		return rc;
	if (s[strspn(s, "0123456789,-@()")] != '\0' || s[0] < '0' || s[0] > '9')
		return cfg_jerr_value(c, s, "is not an lcore list",
				      "digits and \",-@()\", like \"0-3\" or \"0@1,1@2\"");
	return cfg_jdup(c, s, &cfg->dpdk.lcores);
}

static int check_device(const char *s, const char **why)
{
	*why = "letters, digits and \"._-:=,\"";
	return is_name(s, ":=,") ? 0 : -EINVAL;
}

static int set_devices(struct cfg_jctx *c, const json_t *v, void *base)
{
	struct cfg_config *cfg = base;
	struct strlist_arg a = { &cfg->dpdk.devices, &cfg->dpdk.n_devices, CFG_JSON_TEXT_MAX,
				 check_device, "is not a device name" };

	return cfg_jeach(c, v, CFG_JSON_DEVICES_MAX, strlist_item, &a);
}

static int set_eal_args(struct cfg_jctx *c, const json_t *v, void *base)
{
	struct cfg_config *cfg = base;
	struct strlist_arg a = { &cfg->dpdk.eal_args, &cfg->dpdk.n_eal_args, CFG_JSON_TEXT_MAX,
				 NULL, NULL };

	return cfg_jeach(c, v, CFG_JSON_EAL_ARGS_MAX, strlist_item, &a);
}

static int set_hugepages(struct cfg_jctx *c, const json_t *v, void *base)
{
	struct cfg_config *cfg = base;

	if (json_is_boolean(v)) {
		cfg->dpdk.hugepages = json_is_true(v) ? CFG_ON : CFG_OFF;
		return 0;
	}
	if (json_is_string(v) && strcmp(json_string_value(v), "auto") == 0) {
		cfg->dpdk.hugepages = CFG_AUTO;
		return 0;
	}
	if (json_is_string(v))
		return cfg_jerr_value(c, json_string_value(v), "is not allowed",
				      "true, false or \"auto\"");
	return cfg_jtype_error(c, v, "true, false or \"auto\"");
}

static const struct cfg_jkey dpdk_keys[] = {
	{ "lcores", .fn = set_lcores },
	{ "devices", .fn = set_devices },
	{ "memory_mb", CFG_JK_U32, CFG(dpdk.memory_mb), MEMORY_MB_MIN, MEMORY_MB_MAX, NULL },
	{ "hugepages", .fn = set_hugepages },
	{ "eal_args", .fn = set_eal_args },
};

/* ---- daemon -------------------------------------------------------------- */

/* An interface or device name into a fixed buffer (the length is checked
 * by the key's table entry). */
static int set_ifname(struct cfg_jctx *c, const char *s, const char *also, char *out, size_t outlen)
{
	if (!is_name(s, also) || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return cfg_jerr_value(c, s, "is not an interface or device name",
				      *also ? "letters, digits and \"._-:\"" :
					      "letters, digits and \"._-\"");
	snprintf(out, outlen, "%s", s);
	return 0;
}

static int set_underlay(struct cfg_jctx *c, const char *s, void *base)
{
	struct cfg_interface *ifc = &((struct cfg_config *)base)->iface;

	return set_ifname(c, s, ":", ifc->underlay, sizeof(ifc->underlay));
}

static int set_host_interface(struct cfg_jctx *c, const char *s, void *base)
{
	struct cfg_interface *ifc = &((struct cfg_config *)base)->iface;

	return set_ifname(c, s, "", ifc->host_port_name, sizeof(ifc->host_port_name));
}

static int set_host_port(struct cfg_jctx *c, const char *s, void *base)
{
	struct cfg_config *cfg = base;

	if (cfg_host_port_kind_from_name(s, &cfg->iface.host_port_kind))
		return cfg_jerr_value(c, s, "is not a host port kind",
				      "tap, veth, virtio-user or auto");
	return 0;
}

static int set_private_key(struct cfg_jctx *c, const char *s, void *base)
{
	struct cfg_config *cfg = base;

	return set_secret_key(c, s, cfg->iface.private_key, &cfg->iface.has_private_key);
}

static int set_private_key_file(struct cfg_jctx *c, const char *s, void *base)
{
	return set_path(c, s, &((struct cfg_config *)base)->iface.private_key_file);
}

/* A list item "ADDR[/LEN]" into *p; rule names what it must be. */
static int prefix_item(struct cfg_jctx *c, const json_t *item, const char *rule,
		       struct net_prefix *p)
{
	const char *s, *why;
	int rc = cfg_jstring(c, item, 1, CFG_JSON_TEXT_MAX, &s);

	if (rc)
		return rc;
	if (net_prefix_parse(s, p, &why))
		return cfg_jerr_value(c, s, rule, why);
	return 0;
}

static int address_item(struct cfg_jctx *c, const json_t *item, size_t i, void *arg)
{
	struct net_prefix p;
	int rc = prefix_item(c, item, "is not an address", &p);

	(void)i;
	if (rc)
		return rc;
	return cfg_interface_add_address(arg, &p) ? cfg_joom(c) : 0;
}

static int set_addresses(struct cfg_jctx *c, const json_t *v, void *base)
{
	return cfg_jeach(c, v, LIST_MAX, address_item, &((struct cfg_config *)base)->iface);
}

static int set_log_level(struct cfg_jctx *c, const char *s, void *base)
{
	struct cfg_config *cfg = base;

	if (cfg_log_level_from_name(s, &cfg->log_level))
		return cfg_jerr_value(c, s, "is not a log level", "error, warn, info or debug");
	return 0;
}

static const struct cfg_jkey daemon_keys[] = {
	{ "port", CFG_JK_U16, CFG(iface.listen_port), 1, 65535, NULL },
	TEXT("interface", set_underlay, CFG_DEVNAME_MAX - 1),
	TEXT("underlay", set_underlay, CFG_DEVNAME_MAX - 1),
	TEXT("host_interface", set_host_interface, CFG_IFNAME_MAX - 1),
	TEXT("host_port", set_host_port, CFG_JSON_TEXT_MAX),
	TEXT("private_key", set_private_key, CFG_JSON_TEXT_MAX),
	TEXT("private_key_file", set_private_key_file, CFG_JSON_TEXT_MAX),
	{ "addresses", .fn = set_addresses },
	{ "mtu", CFG_JK_U16, CFG(iface.mtu), CFG_MTU_MIN, CFG_MTU_MAX, NULL },
	TEXT("log_level", set_log_level, CFG_JSON_TEXT_MAX),
};

/* ---- network ------------------------------------------------------------- */

static int set_nucleus_addr(struct cfg_jctx *c, const char *s, void *base)
{
	struct cfg_config *cfg = base;
	const char *why;

	if (cfg_host_port_check(s, &why))
		return cfg_jerr_value(c, s, "is not HOST:PORT", why);
	return cfg_jdup(c, s, &cfg->network.nucleus);
}

static int set_cluster_name(struct cfg_jctx *c, const char *s, char **slot)
{
	if (!is_name(s, ""))
		return cfg_jerr_value(c, s, "is not a cluster name", "letters, digits and \"._-\"");
	return cfg_jdup(c, s, slot);
}

static int set_cluster(struct cfg_jctx *c, const char *s, void *base)
{
	return set_cluster_name(c, s, &((struct cfg_config *)base)->network.cluster);
}

/* "10.200.0.1/16", or "10.200.0.1" with the cluster network's length
 * (cfg_vip_parse), of the family asked for. */
static int set_vip_of(struct cfg_jctx *c, const char *s, unsigned family, struct net_prefix *out)
{
	const char *why;

	if (cfg_vip_parse(s, family, out, &why) == 0)
		return 0;
	return cfg_jerr_value(c, s, "is not a virtual IP", why);
}

static int set_vip(struct cfg_jctx *c, const char *s, void *base)
{
	return set_vip_of(c, s, NET_AF_IP4, &((struct cfg_config *)base)->network.vip);
}

static int set_vip6(struct cfg_jctx *c, const char *s, void *base)
{
	return set_vip_of(c, s, NET_AF_IP6, &((struct cfg_config *)base)->network.vip6);
}

static int set_stun_servers(struct cfg_jctx *c, const json_t *v, void *base)
{
	struct cfg_config *cfg = base;
	struct strlist_arg a = { &cfg->network.stun_servers, &cfg->network.n_stun_servers,
				 CFG_JSON_TEXT_MAX, check_host_port, "is not HOST:PORT" };

	return cfg_jeach(c, v, LIST_MAX, strlist_item, &a);
}

static int set_nucleus_key(struct cfg_jctx *c, const char *s, void *base)
{
	struct cfg_network *n = &((struct cfg_config *)base)->network;

	if (!wg_key_from_base64(n->nucleus_key, s))
		return cfg_jerr_value(c, s, "is not a key", KEY_HINT);
	n->has_nucleus_key = true;
	return 0;
}

/* "l3" or "l2" (docs/l2.md), for an edge's network.mode and a cluster's mode. */
static int set_net_mode_of(struct cfg_jctx *c, const char *s, enum cfg_net_mode *out)
{
	if (cfg_net_mode_from_name(s, out))
		return cfg_jerr_value(c, s, "is not a network mode", "l3 (routed) or l2 (fabric)");
	return 0;
}

static int set_net_mode(struct cfg_jctx *c, const char *s, void *base)
{
	return set_net_mode_of(c, s, &((struct cfg_config *)base)->network.net_mode);
}

static const struct cfg_jkey network_keys[] = {
	TEXT("nucleus", set_nucleus_addr, CFG_JSON_TEXT_MAX),
	TEXT("cluster", set_cluster, CFG_CLUSTER_NAME_MAX),
	TEXT("nucleus_key", set_nucleus_key, CFG_JSON_TEXT_MAX),
	TEXT("vip", set_vip, CFG_JSON_TEXT_MAX),
	TEXT("vip6", set_vip6, CFG_JSON_TEXT_MAX),
	{ "stun_servers", .fn = set_stun_servers },
	{ "use_builtin_stun", CFG_JK_BOOL, CFG(network.use_builtin_stun), 0, 0, NULL },
	{ "prefer_ipv6", CFG_JK_BOOL, CFG(network.prefer_ipv6), 0, 0, NULL },
	{ "happy_eyeballs_delay_ms", CFG_JK_U32, CFG(network.happy_eyeballs_delay_ms), 0,
	  HAPPY_EYEBALLS_MAX_MS, NULL },
	TEXT("mode", set_net_mode, CFG_JSON_TEXT_MAX),
	{ "vni", CFG_JK_U32, CFG(network.vni), 0, CFG_VNI_MAX, NULL },
	{ "fdb_size", CFG_JK_U32, CFG(network.fdb_size), CFG_FDB_SIZE_MIN, CFG_FDB_SIZE_MAX, NULL },
	{ "fdb_age_secs", CFG_JK_U32, CFG(network.fdb_age_secs), 1, CFG_FDB_AGE_MAX, NULL },
	{ "flood_pps", CFG_JK_U32, CFG(network.flood_pps), 1, CFG_FLOOD_PPS_MAX, NULL },
};

/* ---- security ------------------------------------------------------------ */

static int set_secret_file(struct cfg_jctx *c, const char *s, void *base)
{
	return set_path(c, s, &((struct cfg_config *)base)->security.secret_file);
}

static const struct cfg_jkey security_keys[] = {
	{ "max_sessions_per_ip", CFG_JK_U32, CFG(security.max_sessions_per_ip), 1,
	  MAX_SESSIONS_PER_IP_MAX, NULL },
	{ "handshake_timeout_secs", CFG_JK_U32, CFG(security.handshake_timeout_secs), 1,
	  HANDSHAKE_TIMEOUT_MAX, NULL },
	{ "encrypt_signaling", CFG_JK_BOOL, CFG(security.encrypt_signaling), 0, 0, NULL },
	SECRET("secret", CFG(security.secret)),
	TEXT("secret_file", set_secret_file, CFG_JSON_TEXT_MAX),
};

/* ---- peers --------------------------------------------------------------- */

static int set_public_key(struct cfg_jctx *c, const char *s, void *base)
{
	struct cfg_peer *peer = base;

	if (!wg_key_from_base64(peer->public_key, s))
		return cfg_jerr_value(c, s, "is not a key", KEY_HINT);
	peer->has_public_key = true;
	return 0;
}

static int set_preshared_key(struct cfg_jctx *c, const char *s, void *base)
{
	struct cfg_peer *peer = base;

	return set_secret_key(c, s, peer->preshared_key, &peer->has_preshared_key);
}

static int set_preshared_key_file(struct cfg_jctx *c, const char *s, void *base)
{
	return set_path(c, s, &((struct cfg_peer *)base)->preshared_key_file);
}

static int set_endpoint(struct cfg_jctx *c, const char *s, void *base)
{
	struct cfg_peer *peer = base;
	const char *why = "invalid";
	int rc;

	cfg_endpoint_clear(&peer->endpoint);
	rc = cfg_endpoint_parse(s, c->flags, &peer->endpoint, &why);
	if (rc) {
		cfg_jerr_value(c, s, "is not an endpoint", why);
		return rc;
	}
	return 0;
}

static int allowed_ip_item(struct cfg_jctx *c, const json_t *item, size_t i, void *arg)
{
	char before[NET_PREFIX_TEXT_MAX], after[NET_PREFIX_TEXT_MAX];
	struct net_prefix p;
	int rc = prefix_item(c, item, "is not a prefix", &p);

	(void)i;
	if (rc)
		return rc;
	net_prefix_format(&p, before);
	if (net_prefix_mask(&p)) {
		net_prefix_format(&p, after);
		if (cfg_config_add_warning(&c->cfg, "%s: %s: %s has host bits set; using %s",
					   c->name, c->path, before, after))
			return cfg_joom(c);
	}
	return cfg_peer_add_allowed_ip(arg, &p) ? cfg_joom(c) : 0;
}

static int set_allowed_ips(struct cfg_jctx *c, const json_t *v, void *base)
{
	return cfg_jeach(c, v, LIST_MAX, allowed_ip_item, base);
}

static const struct cfg_jkey peer_keys[] = {
	TEXT("public_key", set_public_key, CFG_JSON_TEXT_MAX),
	TEXT("endpoint", set_endpoint, CFG_JSON_TEXT_MAX),
	{ "allowed_ips", .fn = set_allowed_ips },
	{ "persistent_keepalive", CFG_JK_U16, offsetof(struct cfg_peer, persistent_keepalive), 0,
	  65535, NULL },
	TEXT("preshared_key", set_preshared_key, CFG_JSON_TEXT_MAX),
	TEXT("preshared_key_file", set_preshared_key_file, CFG_JSON_TEXT_MAX),
};

static int peer_item(struct cfg_jctx *c, const json_t *item, size_t i, void *arg)
{
	struct cfg_peer *peer = cfg_config_add_peer(&c->cfg);
	int rc;

	(void)i;
	(void)arg;
	if (!peer)
		return cfg_joom(c);
	rc = cfg_jwalk(c, item, peer_keys, N_ELEMS(peer_keys), peer);
	return rc ? rc : cfg_jexclusive(c, item, "preshared_key", "preshared_key_file");
}

/* ---- metrics ------------------------------------------------------------- */

static int set_metrics_listen(struct cfg_jctx *c, const char *s, void *base)
{
	struct cfg_config *cfg = base;
	struct cfg_endpoint ep;
	const char *why;

	if (s[0] && cfg_endpoint_parse(s, CFG_VALUE_NO_RESOLVE, &ep, &why))
		return cfg_jerr_value(c, s, "is not ADDR:PORT", why);
	snprintf(cfg->metrics.listen, sizeof(cfg->metrics.listen), "%s", s);
	return 0;
}

static const struct cfg_jkey metrics_keys[] = {
	{ "listen", CFG_JK_TEXT, 0, 0, CFG_ADDR_TEXT_MAX - 1, NULL, set_metrics_listen },
};

/* ---- nucleus ------------------------------------------------------------- */

static int set_cl_name(struct cfg_jctx *c, const char *s, void *base)
{
	return set_cluster_name(c, s, &((struct cfg_cluster *)base)->name);
}

static int set_cl_secret_file(struct cfg_jctx *c, const char *s, void *base)
{
	return set_path(c, s, &((struct cfg_cluster *)base)->secret_file);
}

/* A member key of clusters[].members (base64, as wg pubkey writes it). */
static int member_item(struct cfg_jctx *c, const json_t *item, size_t i, void *arg)
{
	struct cfg_cluster *cl = arg;
	uint8_t(*m)[32];
	const char *s;
	int rc = cfg_jstring(c, item, 1, CFG_JSON_TEXT_MAX, &s);

	(void)i;
	if (rc)
		return rc;
	m = realloc(cl->members, (cl->n_members + 1) * sizeof(*m));
	if (!m)
		return cfg_joom(c);
	cl->members = m;
	if (!wg_key_from_base64(m[cl->n_members], s))
		return cfg_jerr_value(c, s, "is not a key", KEY_HINT);
	cl->n_members++;
	return 0;
}

static int set_cl_members(struct cfg_jctx *c, const json_t *v, void *base)
{
	struct cfg_cluster *cl = base;

	cl->has_members = true;
	return cfg_jeach(c, v, LIST_MAX, member_item, cl);
}

static int set_cl_mode(struct cfg_jctx *c, const char *s, void *base)
{
	return set_net_mode_of(c, s, &((struct cfg_cluster *)base)->net_mode);
}

static const struct cfg_jkey cluster_keys[] = {
	{ "members", .fn = set_cl_members },
	TEXT("mode", set_cl_mode, CFG_JSON_TEXT_MAX),
	TEXT("name", set_cl_name, CFG_CLUSTER_NAME_MAX),
	SECRET("secret", offsetof(struct cfg_cluster, secret)),
	TEXT("secret_file", set_cl_secret_file, CFG_JSON_TEXT_MAX),
};

static int cluster_item(struct cfg_jctx *c, const json_t *item, size_t i, void *arg)
{
	struct cfg_cluster *cl = cfg_nucleus_add_cluster(&c->cfg.nucleus);
	int rc;

	(void)i;
	(void)arg;
	if (!cl)
		return cfg_joom(c);
	rc = cfg_jwalk(c, item, cluster_keys, N_ELEMS(cluster_keys), cl);
	if (!rc)
		rc = cfg_jexclusive(c, item, "secret", "secret_file");
	if (!rc && !cl->name)
		rc = cfg_jerr(c, "no name");
	return rc;
}

static int set_clusters(struct cfg_jctx *c, const json_t *v, void *base)
{
	(void)base;
	return cfg_jeach(c, v, LIST_MAX, cluster_item, NULL);
}

static int set_nucleus_key_file(struct cfg_jctx *c, const char *s, void *base)
{
	return set_path(c, s, &((struct cfg_config *)base)->nucleus.key_file);
}

static int set_turn_servers(struct cfg_jctx *c, const json_t *v, void *base)
{
	struct cfg_config *cfg = base;
	struct strlist_arg a = { &cfg->nucleus.turn_servers, &cfg->nucleus.n_turn_servers,
				 CFG_JSON_TEXT_MAX, check_host_port, "is not HOST:PORT" };

	return cfg_jeach(c, v, CFG_TURN_SERVERS_MAX, strlist_item, &a);
}

static int set_turn_secret_file(struct cfg_jctx *c, const char *s, void *base)
{
	return set_path(c, s, &((struct cfg_config *)base)->nucleus.turn_secret_file);
}

static const struct cfg_jkey nucleus_keys[] = {
	{ "port", CFG_JK_U16, CFG(nucleus.port), 1, 65535, NULL },
	TEXT("key_file", set_nucleus_key_file, CFG_JSON_TEXT_MAX),
	{ "legacy_members", CFG_JK_BOOL, CFG(nucleus.legacy_members), 0, 0, NULL },
	{ "secret_window", CFG_JK_U32, CFG(nucleus.secret_window), 1, CFG_SECRET_WINDOW_MAX_S,
	  NULL },
	{ "clusters", .fn = set_clusters },
	{ "turn_servers", .fn = set_turn_servers },
	TEXT("turn_secret_file", set_turn_secret_file, CFG_JSON_TEXT_MAX),
	{ "turn_ttl_secs", CFG_JK_U32, CFG(nucleus.turn_ttl_secs), CFG_TURN_TTL_MIN,
	  CFG_TURN_TTL_MAX, NULL },
};

/* ---- sections ------------------------------------------------------------ */

static int read_dpdk(struct cfg_jctx *c, const json_t *v, void *base)
{
	return cfg_jwalk(c, v, dpdk_keys, N_ELEMS(dpdk_keys), base);
}

static int read_daemon(struct cfg_jctx *c, const json_t *v, void *base)
{
	int rc = cfg_jwalk(c, v, daemon_keys, N_ELEMS(daemon_keys), base);

	if (!rc)
		rc = cfg_jexclusive(c, v, "interface", "underlay");
	return rc ? rc : cfg_jexclusive(c, v, "private_key", "private_key_file");
}

static int read_network(struct cfg_jctx *c, const json_t *v, void *base)
{
	return cfg_jwalk(c, v, network_keys, N_ELEMS(network_keys), base);
}

static int read_security(struct cfg_jctx *c, const json_t *v, void *base)
{
	int rc = cfg_jwalk(c, v, security_keys, N_ELEMS(security_keys), base);

	return rc ? rc : cfg_jexclusive(c, v, "secret", "secret_file");
}

static int read_peers(struct cfg_jctx *c, const json_t *v, void *base)
{
	(void)base;
	return cfg_jeach(c, v, LIST_MAX, peer_item, NULL);
}

static int read_metrics(struct cfg_jctx *c, const json_t *v, void *base)
{
	return cfg_jwalk(c, v, metrics_keys, N_ELEMS(metrics_keys), base);
}

static int read_nucleus(struct cfg_jctx *c, const json_t *v, void *base)
{
	return cfg_jwalk(c, v, nucleus_keys, N_ELEMS(nucleus_keys), base);
}

static const struct cfg_jkey root_keys[] = {
	TEXT("mode", set_mode, CFG_JSON_TEXT_MAX), { "dpdk", .fn = read_dpdk },
	{ "daemon", .fn = read_daemon },           { "network", .fn = read_network },
	{ "security", .fn = read_security },       { "peers", .fn = read_peers },
	{ "metrics", .fn = read_metrics },         { "nucleus", .fn = read_nucleus },
};

int cfg_json_read_root(struct cfg_jctx *c, const json_t *root)
{
	if (!json_is_object(root))
		return cfg_jerr(c, "the top level must be an object ({ ... }), not %s",
				json_is_array(root) ? "a list" : "a single value");
	return cfg_jwalk(c, root, root_keys, N_ELEMS(root_keys), &c->cfg);
}

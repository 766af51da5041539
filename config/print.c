/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include <jansson.h>

#include "print.h"
#include "value.h"
#include "wg/key.h"

#define HIDDEN "(hidden)"

/* json_object_set_new that remembers a failure in *ok. A null value (a
 * setting with no value) is left out, so the output reads back. */
static void put(json_t *obj, const char *key, json_t *v, bool *ok)
{
	if (json_is_null(v))
		return;
	if (!v || json_object_set_new(obj, key, v) != 0)
		*ok = false;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *strlist(char *const *list, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++) {
		if (json_array_append_new(a, json_string(list[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *prefix_list(const struct net_prefix *p, size_t n)
{
	char text[NET_PREFIX_TEXT_MAX];
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++) {
		net_prefix_format(&p[i], text);
		if (json_array_append_new(a, json_string(text)) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *prefix_or_null(const struct net_prefix *p)
{
	char text[NET_PREFIX_TEXT_MAX];

	if (p->addr.family == NET_AF_NONE)
		return json_null();
	net_prefix_format(p, text);
	return json_string(text);
}

static json_t *dpdk_json(const struct cfg_dpdk *d, bool *ok)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (d->lcores)
		put(o, "lcores", json_string(d->lcores), ok);
	else if (d->n_lcores)
		put(o, "lcores", json_integer(d->n_lcores), ok);
	else
		put(o, "lcores", json_null(), ok);
	put(o, "devices", strlist(d->devices, d->n_devices), ok);
	put(o, "memory_mb", d->memory_mb ? json_integer(d->memory_mb) : json_null(), ok);
	put(o, "hugepages",
	    d->hugepages == CFG_AUTO ? json_string("auto") : json_boolean(d->hugepages == CFG_ON),
	    ok);
	put(o, "eal_args", strlist(d->eal_args, d->n_eal_args), ok);
	return o;
}

static json_t *daemon_json(const struct cfg_config *cfg, bool *ok)
{
	const struct cfg_interface *ifc = &cfg->iface;
	json_t *o = json_object();

	if (!o)
		return NULL;
	put(o, "port", json_integer(ifc->listen_port), ok);
	put(o, "interface", ifc->underlay[0] ? json_string(ifc->underlay) : json_null(), ok);
	put(o, "host_interface", json_string(ifc->host_port_name), ok);
	put(o, "host_port", json_string(cfg_host_port_kind_name(ifc->host_port_kind)), ok);
	put(o, "private_key", ifc->has_private_key ? json_string(HIDDEN) : json_null(), ok);
	put(o, "private_key_file", str_or_null(ifc->private_key_file), ok);
	put(o, "addresses", prefix_list(ifc->addresses, ifc->n_addresses), ok);
	put(o, "mtu", json_integer(ifc->mtu), ok);
	put(o, "log_level", json_string(cfg_log_level_name(cfg->log_level)), ok);
	return o;
}

static json_t *network_json(const struct cfg_network *n, bool *ok)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	put(o, "nucleus", str_or_null(n->nucleus), ok);
	put(o, "cluster", str_or_null(n->cluster), ok);
	put(o, "vip", prefix_or_null(&n->vip), ok);
	put(o, "vip6", prefix_or_null(&n->vip6), ok);
	put(o, "stun_servers", strlist(n->stun_servers, n->n_stun_servers), ok);
	put(o, "use_builtin_stun", json_boolean(n->use_builtin_stun), ok);
	put(o, "prefer_ipv6", json_boolean(n->prefer_ipv6), ok);
	put(o, "happy_eyeballs_delay_ms", json_integer(n->happy_eyeballs_delay_ms), ok);
	put(o, "mode", json_string(cfg_net_mode_name(n->net_mode)), ok);
	put(o, "vni", json_integer(n->vni), ok);
	put(o, "fdb_size", json_integer(n->fdb_size), ok);
	put(o, "fdb_age_secs", json_integer(n->fdb_age_secs), ok);
	put(o, "flood_pps", json_integer(n->flood_pps), ok);
	if (n->has_nucleus_key) {
		char b64[WG_KEY_B64_LEN + 1];

		wg_key_to_base64(b64, n->nucleus_key);
		put(o, "nucleus_key", json_string(b64), ok);
	}
	return o;
}

static json_t *security_json(const struct cfg_security *s, bool *ok)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	put(o, "max_sessions_per_ip", json_integer(s->max_sessions_per_ip), ok);
	put(o, "handshake_timeout_secs", json_integer(s->handshake_timeout_secs), ok);
	put(o, "encrypt_signaling", json_boolean(s->encrypt_signaling), ok);
	put(o, "secret", s->secret ? json_string(HIDDEN) : json_null(), ok);
	put(o, "secret_file", str_or_null(s->secret_file), ok);
	return o;
}

static json_t *peer_json(const struct cfg_peer *p, bool *ok)
{
	char key[WG_KEY_B64_LEN + 1], ep[CFG_ADDR_TEXT_MAX];
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (p->has_public_key)
		wg_key_to_base64(key, p->public_key);
	put(o, "public_key", p->has_public_key ? json_string(key) : json_null(), ok);
	cfg_sockaddr_format(&p->endpoint.addr, ep);
	put(o, "endpoint",
	    p->endpoint.addr.ss_family == AF_UNSPEC ?
		    json_null() :
		    json_string(p->endpoint.from_name ? p->endpoint.name : ep),
	    ok);
	put(o, "allowed_ips", prefix_list(p->allowed_ips, p->n_allowed_ips), ok);
	put(o, "persistent_keepalive", json_integer(p->persistent_keepalive), ok);
	put(o, "preshared_key", p->has_preshared_key ? json_string(HIDDEN) : json_null(), ok);
	put(o, "preshared_key_file", str_or_null(p->preshared_key_file), ok);
	return o;
}

static json_t *key_list(const uint8_t (*keys)[32], size_t n)
{
	json_t *a = json_array();
	char b64[WG_KEY_B64_LEN + 1];

	for (size_t i = 0; a && i < n; i++) {
		wg_key_to_base64(b64, keys[i]);
		json_array_append_new(a, json_string(b64));
	}
	return a;
}

static json_t *nucleus_json(const struct cfg_nucleus *n, bool *ok)
{
	json_t *o = json_object(), *list = json_array();

	for (size_t i = 0; o && list && i < n->n_clusters; i++) {
		const struct cfg_cluster *c = &n->clusters[i];
		json_t *item = json_object();

		if (!item || json_array_append_new(list, item) != 0) {
			*ok = false;
			break;
		}
		put(item, "name", str_or_null(c->name), ok);
		put(item, "secret", c->secret ? json_string(HIDDEN) : json_null(), ok);
		put(item, "secret_file", str_or_null(c->secret_file), ok);
		put(item, "mode", json_string(cfg_net_mode_name(c->net_mode)), ok);
		if (c->has_members)
			put(item, "members", key_list(c->members, c->n_members), ok);
	}
	if (!o) {
		json_decref(list);
		return NULL;
	}
	put(o, "port", json_integer(n->port), ok);
	put(o, "key_file", str_or_null(n->key_file), ok);
	put(o, "legacy_members", json_boolean(n->legacy_members), ok);
	if (n->secret_window)
		put(o, "secret_window", json_integer(n->secret_window), ok);
	put(o, "clusters", list, ok);
	return o;
}

char *cfg_config_to_json(const struct cfg_config *cfg)
{
	json_t *root = json_object(), *peers = json_array(), *metrics = json_object();
	bool ok = root && peers && metrics;
	char *text = NULL;

	for (size_t i = 0; ok && i < cfg->n_peers; i++) {
		if (json_array_append_new(peers, peer_json(&cfg->peers[i], &ok)) != 0)
			ok = false;
	}
	if (ok) {
		put(metrics, "listen", json_string(cfg->metrics.listen), &ok);
		put(root, "mode", json_string(cfg_mode_name(cfg->mode)), &ok);
		put(root, "dpdk", dpdk_json(&cfg->dpdk, &ok), &ok);
		put(root, "daemon", daemon_json(cfg, &ok), &ok);
		put(root, "network", network_json(&cfg->network, &ok), &ok);
		put(root, "security", security_json(&cfg->security, &ok), &ok);
		put(root, "peers", peers, &ok);
		put(root, "metrics", metrics, &ok);
		put(root, "nucleus", nucleus_json(&cfg->nucleus, &ok), &ok);
		peers = metrics = NULL;
	}
	if (ok)
		text = json_dumps(root, JSON_INDENT(2));
	json_decref(peers);
	json_decref(metrics);
	json_decref(root);
	return text;
}

int cfg_config_print(const struct cfg_config *cfg, FILE *out)
{
	char *text = cfg_config_to_json(cfg);
	int rc;

	if (!text)
		return -ENOMEM;
	rc = fprintf(out, "%s\n", text) < 0 ? -EIO : 0;
	free(text);
	return rc;
}

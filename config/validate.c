/* SPDX-License-Identifier: MIT */
/*
 * cfg_config_validate: the rules across fields, checked once every source
 * (file, key file, command line) has been merged into the model. Messages
 * name places the way the model's file does: "FILE:LINE: peer 2 (...)" for
 * a wg-quick file, "FILE: peers[2] (...)" for JSON.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "model.h"
#include "value.h"
#include "wg/key.h"

struct vctx {
	const struct cfg_config *cfg;
	char *err;
	size_t errlen;
};

/* "FILE:LINE: " (what is known of it), then the message. Returns -EINVAL. */
__attribute__((format(printf, 3, 4))) static int fail(const struct vctx *v, unsigned line,
						      const char *fmt, ...)
{
	const char *src = v->cfg->source;
	size_t used = 0;
	va_list ap;
	int n;

	if (!v->errlen)
		return -EINVAL;
	if (src && line)
		n = snprintf(v->err, v->errlen, "%s:%u: ", src, line);
	else if (src || line)
		n = src ? snprintf(v->err, v->errlen, "%s: ", src) :
			  snprintf(v->err, v->errlen, "line %u: ", line);
	else
		n = snprintf(v->err, v->errlen, "%s", "");
	used = n >= 0 && (size_t)n < v->errlen ? (size_t)n : v->errlen - 1;
	va_start(ap, fmt);
	vsnprintf(v->err + used, v->errlen - used, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool is_json(const struct vctx *v)
{
	return v->cfg->format == CFG_FORMAT_JSON;
}

/* The name of a setting in the model's own file format. */
#define NAME(v, wgq, json) (is_json(v) ? (json) : (wgq))
/* "daemon.mtu: " before a message about one JSON key; nothing for wg-quick,
 * whose messages carry the line instead. */
#define AT(v, path) (is_json(v) ? path ": " : "")

/* "daemon.addresses[2]: " for JSON, "" otherwise. */
static const char *at_address(const struct vctx *v, size_t i, char out[48])
{
	out[0] = '\0';
	if (is_json(v))
		snprintf(out, 48, "daemon.addresses[%zu]: ", i);
	return out;
}

/* "peer 2 (xTIBA5rb...)" ("peers[2] (...)" for JSON), without the key
 * part before it has one. */
static const char *peer_label(const struct cfg_config *cfg, size_t i, char out[64])
{
	const char *fmt = cfg->format == CFG_FORMAT_JSON ? "peers[%zu]" : "peer %zu";
	char b64[WG_KEY_B64_LEN + 1];
	int n = snprintf(out, 64, fmt, i);

	if (cfg->peers[i].has_public_key && n > 0 && n < 64) {
		wg_key_to_base64(b64, cfg->peers[i].public_key);
		snprintf(out + n, (size_t)(64 - n), " (%.8s...)", b64);
	}
	return out;
}

static bool prefix_shape_ok(const struct net_prefix *p)
{
	return (p->addr.family == NET_AF_IP4 && p->len <= 32) ||
	       (p->addr.family == NET_AF_IP6 && p->len <= 128);
}

static bool is_unusable_address(const struct net_prefix *p)
{
	static const uint8_t zero[16];

	if (p->addr.family == NET_AF_IP4)
		return p->addr.b[0] == 0 || p->addr.b[0] >= 224;
	return memcmp(p->addr.b, zero, 16) == 0 || p->addr.b[0] == 0xff;
}

static int same_address(const struct net_prefix *a, const struct net_prefix *b)
{
	return net_addr_equal(&a->addr, &b->addr);
}

static int validate_addresses(const struct vctx *v)
{
	const struct cfg_interface *ifc = &v->cfg->iface;
	char text[NET_PREFIX_TEXT_MAX], at[48];

	for (size_t i = 0; i < ifc->n_addresses; i++) {
		const struct net_prefix *p = &ifc->addresses[i];

		at_address(v, i, at);
		if (!prefix_shape_ok(p))
			return fail(v, ifc->src_line, "%saddress %zu is not an IPv4 or IPv6 prefix",
				    at, i);
		net_prefix_format(p, text);
		if (is_unusable_address(p))
			return fail(v, ifc->src_line,
				    "%saddress %s is unspecified, multicast or reserved", at, text);
		if (p->addr.family == NET_AF_IP6 && ifc->mtu < CFG_MTU_MIN_IPV6)
			return fail(v, ifc->src_line,
				    "%sMTU %u is below %u, the IPv6 minimum "
				    "(address %s)",
				    AT(v, "daemon.mtu"), ifc->mtu, CFG_MTU_MIN_IPV6, text);
		/* A handful of addresses: the quadratic scan is fine here. */
		for (size_t j = 0; j < i; j++) {
			if (same_address(p, &ifc->addresses[j]))
				return fail(v, ifc->src_line, "%saddress %s given twice", at, text);
		}
	}
	return 0;
}

static int validate_interface(const struct vctx *v, uint8_t own_pub[WG_KEY_LEN])
{
	const struct cfg_interface *ifc = &v->cfg->iface;

	if (!ifc->has_private_key)
		return fail(v, ifc->src_line, "no private key (%s, or --key)",
			    NAME(v, "PrivateKey in [Interface]",
				 "daemon.private_key or daemon.private_key_file"));
	if (!wg_key_public(own_pub, ifc->private_key))
		return fail(v, ifc->src_line, "%sthe private key is unusable",
			    AT(v, "daemon.private_key"));
	if (ifc->listen_port == 0)
		return fail(v, ifc->src_line, "%slisten port must be 1..65535",
			    AT(v, "daemon.port"));
	if (ifc->mtu < CFG_MTU_MIN || ifc->mtu > CFG_MTU_MAX)
		return fail(v, ifc->src_line, "%sMTU %u is outside %u..%u", AT(v, "daemon.mtu"),
			    ifc->mtu, CFG_MTU_MIN, CFG_MTU_MAX);
	if (ifc->host_port_name[0] == '\0')
		return fail(v, ifc->src_line, "%sthe host port has no name",
			    AT(v, "daemon.host_interface"));
	return validate_addresses(v);
}

static int validate_peer(const struct vctx *v, size_t i, const uint8_t own_pub[WG_KEY_LEN])
{
	static const uint8_t zero[WG_KEY_LEN];
	const struct cfg_peer *peer = &v->cfg->peers[i];
	struct net_endpoint ep;
	char label[64];

	peer_label(v->cfg, i, label);
	if (!peer->has_public_key)
		return fail(v, peer->src_line, "%s: no %s", label,
			    NAME(v, "PublicKey", "public_key"));
	if (sodium_memcmp(peer->public_key, zero, WG_KEY_LEN) == 0)
		return fail(v, peer->src_line, "%s: the public key is all zeros", label);
	if (sodium_memcmp(peer->public_key, own_pub, WG_KEY_LEN) == 0)
		return fail(v, peer->src_line, "%s: this is the interface's own public key", label);
	if (net_endpoint_from_sockaddr(&peer->endpoint.addr, &ep) && ep.port == 0)
		return fail(v, peer->src_line, "%s: endpoint port must be 1..65535", label);
	for (size_t j = 0; j < peer->n_allowed_ips; j++) {
		if (!prefix_shape_ok(&peer->allowed_ips[j]))
			return fail(v, peer->src_line, "%s: allowed IP %zu is not a prefix", label,
				    j);
	}
	return 0;
}

static int cmp_peer_key(const void *a, const void *b, void *arg)
{
	const struct cfg_peer *peers = arg;
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	int c = memcmp(peers[ia].public_key, peers[ib].public_key, WG_KEY_LEN);

	return c ? c : (ia < ib ? -1 : ia > ib);
}

/* Sorted by key, then index: within a run of equal keys the first is the
 * earliest peer; report the duplicate that comes earliest in the file. */
static int validate_unique_keys(const struct vctx *v)
{
	const struct cfg_config *cfg = v->cfg;
	size_t *order = malloc(cfg->n_peers * sizeof(*order) + 1);
	size_t dup = SIZE_MAX, first = 0, run = 0;
	char a[64], b[64];

	if (!order) {
		fail(v, 0, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < cfg->n_peers; i++)
		order[i] = i;
	qsort_r(order, cfg->n_peers, sizeof(*order), cmp_peer_key, cfg->peers);
	for (size_t i = 1; i < cfg->n_peers; i++) {
		if (memcmp(cfg->peers[order[i]].public_key, cfg->peers[order[run]].public_key,
			   WG_KEY_LEN) != 0) {
			run = i;
		} else if (order[i] < dup) {
			dup = order[i];
			first = order[run];
		}
	}
	free(order);
	if (dup == SIZE_MAX)
		return 0;
	return fail(v, cfg->peers[dup].src_line, "%s: same public key as %s",
		    peer_label(cfg, dup, a), peer_label(cfg, first, b));
}

struct claim {
	const struct net_prefix *prefix;
	size_t peer;
};

static int cmp_claim(const void *a, const void *b)
{
	const struct claim *x = a, *y = b;
	int c = net_prefix_cmp(x->prefix, y->prefix);

	return c ? c : (x->peer < y->peer ? -1 : x->peer > y->peer);
}

static struct claim *collect_claims(const struct cfg_config *cfg, size_t *n)
{
	struct claim *claims;
	size_t total = 0;

	for (size_t i = 0; i < cfg->n_peers; i++)
		total += cfg->peers[i].n_allowed_ips;
	claims = malloc(total * sizeof(*claims) + 1);
	if (!claims)
		return NULL;
	*n = 0;
	for (size_t i = 0; i < cfg->n_peers; i++) {
		for (size_t j = 0; j < cfg->peers[i].n_allowed_ips; j++)
			claims[(*n)++] = (struct claim){ &cfg->peers[i].allowed_ips[j], i };
	}
	return claims;
}

/* The same prefix (after masking) in two peers is ambiguous: refuse it.
 * Nested prefixes of different lengths are fine (longest match wins). */
static int validate_allowed_ips(const struct vctx *v)
{
	const struct cfg_config *cfg = v->cfg;
	size_t n, run = 0, later = SIZE_MAX, earlier = 0;
	const struct net_prefix *which = NULL;
	struct claim *claims = collect_claims(cfg, &n);
	char a[64], b[64], text[NET_PREFIX_TEXT_MAX];

	if (!claims) {
		fail(v, 0, "out of memory");
		return -ENOMEM;
	}
	qsort(claims, n, sizeof(*claims), cmp_claim);
	for (size_t i = 1; i < n; i++) {
		if (net_prefix_cmp(claims[i].prefix, claims[run].prefix) != 0) {
			run = i;
		} else if (claims[i].peer != claims[run].peer && claims[i].peer < later) {
			later = claims[i].peer;
			earlier = claims[run].peer;
			which = claims[i].prefix;
		}
	}
	if (which)
		net_prefix_format(which, text);
	free(claims);
	if (later == SIZE_MAX)
		return 0;
	return fail(v, cfg->peers[later].src_line, "%s: allowed IP %s is also claimed by %s",
		    peer_label(cfg, later, a), text, peer_label(cfg, earlier, b));
}

/*
 * Two keys of the seeds' files that this edition cannot honour as written:
 * refused with the reason rather than silently ignored.
 */
static int validate_seed_keys(const struct vctx *v)
{
	const struct cfg_config *cfg = v->cfg;

	/* Our handshakes are WireGuard's: an initiation is retried after
	 * REKEY_TIMEOUT (5 s), which every WireGuard peer assumes too. */
	if (cfg->security.handshake_timeout_secs != CFG_DEFAULT_HANDSHAKE_TIMEOUT_SECS)
		return fail(v, 0,
			    "security.handshake_timeout_secs: %u: WireGuard retries a "
			    "handshake after a fixed %u s (REKEY_TIMEOUT), so this edition "
			    "takes only %u",
			    cfg->security.handshake_timeout_secs,
			    CFG_DEFAULT_HANDSHAKE_TIMEOUT_SECS, CFG_DEFAULT_HANDSHAKE_TIMEOUT_SECS);
	/* No built-in list: it would send our traffic to third parties. */
	if (cfg->network.use_builtin_stun && cfg->network.n_stun_servers == 0)
		return fail(v, 0,
			    "network.use_builtin_stun: true, but this edition ships no "
			    "built-in STUN servers (they would be third parties): list "
			    "yours in network.stun_servers (--stun), or set it to false");
	return 0;
}

/* A VIP becomes a route on every other member's edge: a host's own
 * unicast address only (the nucleus and edges refuse the others too). */
static bool vip_not_unicast(const struct vctx *v, const struct net_prefix *vip, const char *path)
{
	char text[NET_ADDR_TEXT_MAX];

	if (vip->addr.family == NET_AF_NONE || net_addr_is_unicast(&vip->addr))
		return false;
	net_addr_format(&vip->addr, text);
	fail(v, 0,
	     "%s%sthe VIP %s is not a unicast address (0.0.0.0/8, loopback, multicast and "
	     "broadcast are not)",
	     is_json(v) ? path : "", is_json(v) ? ": " : "", text);
	return true;
}

/* L2 mode (docs/l2.md): frames travel in VXLAN between the members' VIPs,
 * so the edge needs one, and omni0's MTU (the tunnel's less VXLAN's
 * overhead) must stay usable. */
static int validate_l2(const struct vctx *v)
{
	const struct cfg_network *n = &v->cfg->network;
	unsigned over = n->vip.addr.family == NET_AF_IP4 ? CFG_L2_OVERHEAD4 : CFG_L2_OVERHEAD6;

	if (n->net_mode != CFG_NET_L2)
		return 0;
	if (n->vip.addr.family == NET_AF_NONE && n->vip6.addr.family == NET_AF_NONE)
		return fail(v, 0,
			    "%s\"l2\" carries frames between the members' VIPs: set "
			    "network.vip or network.vip6 (--vip, --vip6)",
			    AT(v, "network.mode"));
	if (v->cfg->iface.mtu < CFG_MTU_MIN + over)
		return fail(v, 0,
			    "%sin L2 mode omni0's MTU is the tunnel's less %u bytes of VXLAN and "
			    "Ethernet; "
			    "an MTU of %u leaves less than %u",
			    AT(v, "daemon.mtu"), over, v->cfg->iface.mtu, CFG_MTU_MIN);
	return 0;
}

static int validate_network(const struct vctx *v)
{
	const struct cfg_config *cfg = v->cfg;

	if (cfg->security.secret_file && !cfg->security.secret)
		return fail(v, 0, "security.secret_file has not been read");
	if (cfg->security.secret && strlen(cfg->security.secret) < CFG_SECRET_MIN)
		return fail(v, 0, "%sthe cluster secret must be at least %u characters",
			    AT(v, "security.secret"), CFG_SECRET_MIN);
	if (cfg->network.vip.addr.family != NET_AF_NONE &&
	    cfg->network.vip.addr.family != NET_AF_IP4)
		return fail(v, 0, "%sthe VIP must be an IPv4 address", AT(v, "network.vip"));
	if (cfg->network.vip6.addr.family != NET_AF_NONE &&
	    cfg->network.vip6.addr.family != NET_AF_IP6)
		return fail(v, 0, "%sthe IPv6 VIP must be an IPv6 address", AT(v, "network.vip6"));
	if (vip_not_unicast(v, &cfg->network.vip, "network.vip") ||
	    vip_not_unicast(v, &cfg->network.vip6, "network.vip6"))
		return -EINVAL;
	if (cfg->mode == CFG_MODE_EDGE && cfg->network.nucleus) {
		if (!cfg->network.cluster)
			return fail(v, 0, "%sa nucleus needs a cluster name (--cluster)",
				    AT(v, "network.cluster"));
		if (!cfg->security.secret)
			return fail(v, 0,
				    "%sa nucleus needs the cluster secret (--secret-file FILE, "
				    "OMNI_SECRET or security.secret_file)",
				    AT(v, "security.secret"));
		if (cfg->network.vip.addr.family == NET_AF_NONE &&
		    cfg->network.vip6.addr.family == NET_AF_NONE)
			return fail(v, 0, "%sa cluster member needs a VIP (--vip or --vip6)",
				    AT(v, "network.vip"));
	}
	if (cfg->mode == CFG_MODE_EDGE && validate_l2(v) != 0)
		return -EINVAL;
	if (cfg->security.max_sessions_per_ip == 0)
		return fail(v, 0, "%smax_sessions_per_ip must be at least 1",
			    AT(v, "security.max_sessions_per_ip"));
	return validate_seed_keys(v);
}

/* A nucleus serves clusters by name; each needs its own secret. */
static int validate_nucleus(const struct vctx *v)
{
	const struct cfg_nucleus *n = &v->cfg->nucleus;

	if (n->port == 0)
		return fail(v, 0, "nucleus.port must be 1..65535");
	if (n->n_clusters == 0 && !v->cfg->security.secret)
		return fail(v, 0, "a nucleus needs nucleus.clusters or security.secret");
	for (size_t i = 0; i < n->n_clusters; i++) {
		const struct cfg_cluster *c = &n->clusters[i];

		if (!c->name || !c->name[0])
			return fail(v, 0, "nucleus.clusters[%zu]: no name", i);
		if (!c->secret)
			return fail(v, 0,
				    "nucleus.clusters[%zu] (%s): no secret (secret or "
				    "secret_file)",
				    i, c->name);
		if (strlen(c->secret) < CFG_SECRET_MIN)
			return fail(v, 0,
				    "nucleus.clusters[%zu] (%s): the secret must be at "
				    "least %u characters",
				    i, c->name, CFG_SECRET_MIN);
		/* A handful of clusters: the quadratic scan is fine here. */
		for (size_t j = 0; j < i; j++) {
			if (strcmp(c->name, n->clusters[j].name) == 0)
				return fail(v, 0,
					    "nucleus.clusters[%zu]: name \"%s\" is also "
					    "nucleus.clusters[%zu]'s",
					    i, c->name, j);
		}
	}
	return 0;
}

/* Files a peer names must have been read into the model. */
static int validate_peer_files(const struct vctx *v)
{
	char label[64];

	for (size_t i = 0; i < v->cfg->n_peers; i++) {
		if (v->cfg->peers[i].preshared_key_file && !v->cfg->peers[i].has_preshared_key)
			return fail(v, v->cfg->peers[i].src_line,
				    "%s: preshared_key_file has "
				    "not been read",
				    peer_label(v->cfg, i, label));
	}
	return 0;
}

int cfg_config_validate(const struct cfg_config *cfg, char *err, size_t errlen)
{
	const struct vctx v = { cfg, err, errlen };
	uint8_t own_pub[WG_KEY_LEN];
	int rc;

	if (errlen)
		err[0] = '\0';
	if (cfg->mode == CFG_MODE_NUCLEUS) {
		rc = validate_nucleus(&v);
		return rc ? rc : validate_network(&v);
	}
	rc = validate_interface(&v, own_pub);
	if (!rc)
		rc = validate_peer_files(&v);
	for (size_t i = 0; !rc && i < cfg->n_peers; i++)
		rc = validate_peer(&v, i, own_pub);
	if (!rc)
		rc = validate_unique_keys(&v);
	if (!rc)
		rc = validate_allowed_ips(&v);
	if (!rc)
		rc = validate_network(&v);
	return rc;
}

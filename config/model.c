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

void omni_config_init(struct omni_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->iface.listen_port = OMNI_DEFAULT_LISTEN_PORT;
	cfg->iface.mtu = OMNI_DEFAULT_MTU;
	snprintf(cfg->iface.host_port_name, sizeof(cfg->iface.host_port_name), "%s",
		 OMNI_DEFAULT_HOST_PORT_NAME);
	cfg->network.use_builtin_stun = true;
	cfg->network.happy_eyeballs_delay_ms = OMNI_DEFAULT_HAPPY_EYEBALLS_MS;
	cfg->security.max_sessions_per_ip = OMNI_DEFAULT_MAX_SESSIONS_PER_IP;
	cfg->security.handshake_timeout_secs = OMNI_DEFAULT_HANDSHAKE_TIMEOUT_SECS;
	cfg->security.encrypt_signaling = true;
	snprintf(cfg->metrics.listen, sizeof(cfg->metrics.listen), "%s",
		 OMNI_DEFAULT_METRICS_LISTEN);
	cfg->log_level = OMNI_LOG_INFO;
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

static void peer_free(struct omni_peer *peer)
{
	sodium_memzero(peer->preshared_key, sizeof(peer->preshared_key));
	omni_endpoint_clear(&peer->endpoint);
	free(peer->allowed_ips);
}

void omni_config_free(struct omni_config *cfg)
{
	sodium_memzero(cfg->iface.private_key, sizeof(cfg->iface.private_key));
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
	strlist_free(&cfg->warnings, &cfg->n_warnings);
	free(cfg->source);
	omni_config_init(cfg);
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

struct omni_peer *omni_config_add_peer(struct omni_config *cfg)
{
	struct omni_peer *peer;

	if (grow((void **)&cfg->peers, cfg->n_peers, sizeof(*cfg->peers))) {
		errno = ENOMEM;
		return NULL;
	}
	peer = &cfg->peers[cfg->n_peers++];
	memset(peer, 0, sizeof(*peer));
	peer->endpoint.addr.ss_family = AF_UNSPEC;
	return peer;
}

static int prefix_add(struct omni_prefix **arr, size_t *n, const struct omni_prefix *p)
{
	if (grow((void **)arr, *n, sizeof(**arr)))
		return -ENOMEM;
	(*arr)[(*n)++] = *p;
	return 0;
}

int omni_interface_add_address(struct omni_interface *iface, const struct omni_prefix *p)
{
	return prefix_add(&iface->addresses, &iface->n_addresses, p);
}

int omni_peer_add_allowed_ip(struct omni_peer *peer, const struct omni_prefix *p)
{
	return prefix_add(&peer->allowed_ips, &peer->n_allowed_ips, p);
}

int omni_strlist_add(char ***list, size_t *n, const char *s)
{
	char *copy = strdup(s);

	if (!copy || grow((void **)list, *n, sizeof(**list))) {
		free(copy);
		return -ENOMEM;
	}
	(*list)[(*n)++] = copy;
	return 0;
}

int omni_config_add_warning(struct omni_config *cfg, const char *fmt, ...)
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
	[OMNI_HOST_PORT_AUTO] = "auto",
	[OMNI_HOST_PORT_TAP] = "tap",
	[OMNI_HOST_PORT_VIRTIO_USER] = "virtio-user",
	[OMNI_HOST_PORT_VETH] = "veth",
};

static const char *const log_level_names[] = {
	[OMNI_LOG_ERROR] = "error",
	[OMNI_LOG_WARN] = "warn",
	[OMNI_LOG_INFO] = "info",
	[OMNI_LOG_DEBUG] = "debug",
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

const char *omni_host_port_kind_name(enum omni_host_port_kind kind)
{
	return (size_t)kind < N_ELEMS(host_port_names) ? host_port_names[kind] : "?";
}

int omni_host_port_kind_from_name(const char *name, enum omni_host_port_kind *out)
{
	int i = name_lookup(host_port_names, N_ELEMS(host_port_names), name);

	if (i < 0)
		return i;
	*out = (enum omni_host_port_kind)i;
	return 0;
}

const char *omni_log_level_name(enum omni_log_level level)
{
	return (size_t)level < N_ELEMS(log_level_names) ? log_level_names[level] : "?";
}

int omni_log_level_from_name(const char *name, enum omni_log_level *out)
{
	int i = name_lookup(log_level_names, N_ELEMS(log_level_names), name);

	if (i < 0)
		return i;
	*out = (enum omni_log_level)i;
	return 0;
}

/* ---- validation ---------------------------------------------------------- */

struct vctx {
	const struct omni_config *cfg;
	char *err;
	size_t errlen;
};

/* "FILE:LINE: " (what is known of it), then the message. Returns -EINVAL. */
__attribute__((format(printf, 3, 4)))
static int fail(const struct vctx *v, unsigned line, const char *fmt, ...)
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
		n = src ? snprintf(v->err, v->errlen, "%s: ", src)
			: snprintf(v->err, v->errlen, "line %u: ", line);
	else
		n = snprintf(v->err, v->errlen, "%s", "");
	used = n >= 0 && (size_t)n < v->errlen ? (size_t)n : v->errlen - 1;
	va_start(ap, fmt);
	vsnprintf(v->err + used, v->errlen - used, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* "peer 2 (xTIBA5rb...)", or "peer 2" before it has a key. */
static const char *peer_label(const struct omni_config *cfg, size_t i, char out[64])
{
	char b64[WG_KEY_B64_LEN + 1];

	if (!cfg->peers[i].has_public_key) {
		snprintf(out, 64, "peer %zu", i);
		return out;
	}
	wg_key_to_base64(b64, cfg->peers[i].public_key);
	snprintf(out, 64, "peer %zu (%.8s...)", i, b64);
	return out;
}

static bool prefix_shape_ok(const struct omni_prefix *p)
{
	return (p->family == AF_INET && p->len <= 32) || (p->family == AF_INET6 && p->len <= 128);
}

static bool is_unusable_address(const struct omni_prefix *p)
{
	static const uint8_t zero[16];

	if (p->family == AF_INET)
		return p->addr.bytes[0] == 0 || p->addr.bytes[0] >= 224;
	return memcmp(p->addr.bytes, zero, 16) == 0 || p->addr.bytes[0] == 0xff;
}

static int same_address(const struct omni_prefix *a, const struct omni_prefix *b)
{
	return a->family == b->family &&
	       memcmp(a->addr.bytes, b->addr.bytes, a->family == AF_INET ? 4 : 16) == 0;
}

static int validate_addresses(const struct vctx *v)
{
	const struct omni_interface *ifc = &v->cfg->iface;
	char text[OMNI_PREFIX_TEXT_MAX];

	for (size_t i = 0; i < ifc->n_addresses; i++) {
		const struct omni_prefix *p = &ifc->addresses[i];

		if (!prefix_shape_ok(p))
			return fail(v, ifc->src_line, "address %zu is not an IPv4 or IPv6 prefix", i);
		omni_prefix_format(p, text);
		if (is_unusable_address(p))
			return fail(v, ifc->src_line,
				    "address %s is unspecified, multicast or reserved", text);
		if (p->family == AF_INET6 && ifc->mtu < OMNI_MTU_MIN_IPV6)
			return fail(v, ifc->src_line, "MTU %u is below %u, the IPv6 minimum (address %s)",
				    ifc->mtu, OMNI_MTU_MIN_IPV6, text);
		/* A handful of addresses: the quadratic scan is fine here. */
		for (size_t j = 0; j < i; j++) {
			if (same_address(p, &ifc->addresses[j]))
				return fail(v, ifc->src_line, "address %s given twice", text);
		}
	}
	return 0;
}

static int validate_interface(const struct vctx *v, uint8_t own_pub[WG_KEY_LEN])
{
	const struct omni_interface *ifc = &v->cfg->iface;

	if (!ifc->has_private_key)
		return fail(v, ifc->src_line, "no private key (PrivateKey in [Interface], or --key)");
	if (!wg_key_public(own_pub, ifc->private_key))
		return fail(v, ifc->src_line, "the private key is unusable");
	if (ifc->listen_port == 0)
		return fail(v, ifc->src_line, "listen port must be 1..65535");
	if (ifc->mtu < OMNI_MTU_MIN || ifc->mtu > OMNI_MTU_MAX)
		return fail(v, ifc->src_line, "MTU %u is outside %u..%u", ifc->mtu, OMNI_MTU_MIN,
			    OMNI_MTU_MAX);
	return validate_addresses(v);
}

static int validate_peer(const struct vctx *v, size_t i, const uint8_t own_pub[WG_KEY_LEN])
{
	static const uint8_t zero[WG_KEY_LEN];
	const struct omni_peer *peer = &v->cfg->peers[i];
	const struct sockaddr_storage *ss = &peer->endpoint.addr;
	char label[64];

	peer_label(v->cfg, i, label);
	if (!peer->has_public_key)
		return fail(v, peer->src_line, "%s: no PublicKey", label);
	if (sodium_memcmp(peer->public_key, zero, WG_KEY_LEN) == 0)
		return fail(v, peer->src_line, "%s: the public key is all zeros", label);
	if (sodium_memcmp(peer->public_key, own_pub, WG_KEY_LEN) == 0)
		return fail(v, peer->src_line, "%s: this is the interface's own public key", label);
	if ((ss->ss_family == AF_INET && ((const struct sockaddr_in *)ss)->sin_port == 0) ||
	    (ss->ss_family == AF_INET6 && ((const struct sockaddr_in6 *)ss)->sin6_port == 0))
		return fail(v, peer->src_line, "%s: endpoint port must be 1..65535", label);
	for (size_t j = 0; j < peer->n_allowed_ips; j++) {
		if (!prefix_shape_ok(&peer->allowed_ips[j]))
			return fail(v, peer->src_line, "%s: allowed IP %zu is not a prefix", label, j);
	}
	return 0;
}

static int cmp_peer_key(const void *a, const void *b, void *arg)
{
	const struct omni_peer *peers = arg;
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	int c = memcmp(peers[ia].public_key, peers[ib].public_key, WG_KEY_LEN);

	return c ? c : (ia < ib ? -1 : ia > ib);
}

/* Sorted by key, then index: within a run of equal keys the first is the
 * earliest peer; report the duplicate that comes earliest in the file. */
static int validate_unique_keys(const struct vctx *v)
{
	const struct omni_config *cfg = v->cfg;
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
	const struct omni_prefix *prefix;
	size_t peer;
};

static int cmp_claim(const void *a, const void *b)
{
	const struct claim *x = a, *y = b;
	int c = omni_prefix_cmp(x->prefix, y->prefix);

	return c ? c : (x->peer < y->peer ? -1 : x->peer > y->peer);
}

static struct claim *collect_claims(const struct omni_config *cfg, size_t *n)
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
	const struct omni_config *cfg = v->cfg;
	size_t n, run = 0, later = SIZE_MAX, earlier = 0;
	const struct omni_prefix *which = NULL;
	struct claim *claims = collect_claims(cfg, &n);
	char a[64], b[64], text[OMNI_PREFIX_TEXT_MAX];

	if (!claims) {
		fail(v, 0, "out of memory");
		return -ENOMEM;
	}
	qsort(claims, n, sizeof(*claims), cmp_claim);
	for (size_t i = 1; i < n; i++) {
		if (omni_prefix_cmp(claims[i].prefix, claims[run].prefix) != 0) {
			run = i;
		} else if (claims[i].peer != claims[run].peer && claims[i].peer < later) {
			later = claims[i].peer;
			earlier = claims[run].peer;
			which = claims[i].prefix;
		}
	}
	if (which)
		omni_prefix_format(which, text);
	free(claims);
	if (later == SIZE_MAX)
		return 0;
	return fail(v, cfg->peers[later].src_line, "%s: allowed IP %s is also claimed by %s",
		    peer_label(cfg, later, a), text, peer_label(cfg, earlier, b));
}

static int validate_network(const struct vctx *v)
{
	const struct omni_config *cfg = v->cfg;

	if (cfg->security.secret && strlen(cfg->security.secret) < OMNI_SECRET_MIN)
		return fail(v, 0, "the cluster secret must be at least %u characters",
			    OMNI_SECRET_MIN);
	if (cfg->network.vip.family != AF_UNSPEC && cfg->network.vip.family != AF_INET)
		return fail(v, 0, "the VIP must be an IPv4 address");
	if (cfg->network.vip6.family != AF_UNSPEC && cfg->network.vip6.family != AF_INET6)
		return fail(v, 0, "the IPv6 VIP must be an IPv6 address");
	if (cfg->security.max_sessions_per_ip == 0)
		return fail(v, 0, "max_sessions_per_ip must be at least 1");
	return 0;
}

int omni_config_validate(const struct omni_config *cfg, char *err, size_t errlen)
{
	const struct vctx v = { cfg, err, errlen };
	uint8_t own_pub[WG_KEY_LEN];
	int rc;

	if (errlen)
		err[0] = '\0';
	rc = validate_interface(&v, own_pub);
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

int omni_peer_copy(struct omni_peer *dst, const struct omni_peer *src)
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
	peer_free(dst);
	memset(dst, 0, sizeof(*dst));
	return -ENOMEM;
}

void omni_config_remove_peer(struct omni_config *cfg, size_t i)
{
	if (i >= cfg->n_peers)
		return;
	peer_free(&cfg->peers[i]);
	memmove(&cfg->peers[i], &cfg->peers[i + 1], (cfg->n_peers - i - 1) * sizeof(*cfg->peers));
	cfg->n_peers--;
}

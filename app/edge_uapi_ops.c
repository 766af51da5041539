/* SPDX-License-Identifier: MIT */
/*
 * What the UAPI socket answers (edge_uapi.h), on the control loop: a get
 * from the running state, a set checked whole and then applied through
 * the live-change path of the console and reload (edge_peers.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "config/uapi.h"
#include "pipeline/control_peers.h"
#include "wg/key.h"

#include "edge.h"
#include "edge_peers.h"
#include "edge_uapi.h"

typedef unsigned long long ull;

void omni_uapi_buf_add(struct omni_uapi_buf *b, const char *s, size_t len)
{
	if (b->failed)
		return;
	if (b->len + len + 1 > b->cap) {
		size_t cap = 2 * (b->len + len + 1) + 1024;
		char *buf = malloc(cap);

		if (!buf) {
			b->failed = true;
			return;
		}
		if (b->buf) {
			memcpy(buf, b->buf, b->len);
			sodium_memzero(b->buf, b->cap); /* no key left in freed memory */
			free(b->buf);
		}
		b->buf = buf;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, s, len);
	b->len += len;
	b->buf[b->len] = '\0';
}

void omni_uapi_buf_free(struct omni_uapi_buf *b)
{
	if (b->buf)
		sodium_memzero(b->buf, b->cap);
	free(b->buf);
	memset(b, 0, sizeof(*b));
}

static void add_line(struct omni_uapi_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_line(struct omni_uapi_buf *b, const char *fmt, ...)
{
	char line[160];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(line))
		omni_uapi_buf_add(b, line, (size_t)n);
	sodium_memzero(line, sizeof(line));
}

static void add_key(struct omni_uapi_buf *b, const char *name, const uint8_t key[WG_KEY_LEN])
{
	char hex[2 * WG_KEY_LEN + 1];

	cfg_uapi_key_hex(hex, key);
	add_line(b, "%s=%s\n", name, hex);
	sodium_memzero(hex, sizeof(hex));
}

static const struct cfg_peer *config_peer(const struct cfg_config *cfg, const uint8_t *key)
{
	for (size_t i = 0; i < cfg->n_peers; i++)
		if (memcmp(cfg->peers[i].public_key, key, WG_KEY_LEN) == 0)
			return &cfg->peers[i];
	return NULL;
}

/* One peer, in wireguard-go's order of lines. */
static void get_peer(struct omni_edge *e, const struct pl_peer *p, struct omni_uapi_buf *b)
{
	static const uint8_t zero[WG_KEY_LEN];
	const struct cfg_peer *cp = config_peer(&e->cfg, p->public_key);
	char text[NET_PREFIX_TEXT_MAX > NET_ENDPOINT_TEXT_MAX ? NET_PREFIX_TEXT_MAX :
								NET_ENDPOINT_TEXT_MAX];
	uint64_t hs = p->last_handshake_unix_ns;

	add_key(b, "public_key", p->public_key);
	add_key(b, "preshared_key", cp && cp->has_preshared_key ? cp->preshared_key : zero);
	add_line(b, "protocol_version=1\n");
	if (net_addr_is_set(&p->ep.udp.addr)) { /* control writes ep: no seqlock here */
		net_endpoint_format(&p->ep.udp, text);
		add_line(b, "endpoint=%s\n", text);
	}
	add_line(b, "last_handshake_time_sec=%llu\nlast_handshake_time_nsec=%llu\n",
		 (ull)(hs / 1000000000ull), (ull)(hs % 1000000000ull));
	add_line(b, "tx_bytes=%llu\nrx_bytes=%llu\n",
		 (ull)__atomic_load_n(&p->tx_bytes, __ATOMIC_RELAXED),
		 (ull)__atomic_load_n(&p->rx_bytes, __ATOMIC_RELAXED));
	add_line(b, "persistent_keepalive_interval=%u\n",
		 (unsigned)p->timers.persistent_keepalive_interval);
	for (unsigned i = 0; i < p->n_routes; i++) {
		net_prefix_format(&p->routes[i], text);
		add_line(b, "allowed_ip=%s\n", text);
	}
}

void omni_uapi_get(struct omni_edge *e, struct omni_uapi_buf *out)
{
	const struct pl_dataplane *dp = &e->dp;

	add_key(out, "private_key", e->ctl.id.private_key);
	add_line(out, "listen_port=%u\n", (unsigned)dp->local.port);
	/* No fwmark line: the edge has no kernel socket to mark (its zero). */
	for (unsigned i = 0; dp->peers && i < dp->n_peers; i++)
		if (dp->peers[i].in_use)
			get_peer(e, &dp->peers[i], out);
	if (out->failed) {
		omni_uapi_buf_free(out);
		add_line(out, "errno=%d\n\n", -ENOMEM);
		return;
	}
	add_line(out, "errno=0\n\n");
}

/* ---- set ---- */

/* What a set does to the interface itself, checked before anything. */
static int check_device(const struct omni_edge *e, const struct cfg_uapi_set *s,
			uint8_t own_pub[WG_KEY_LEN], bool *new_key, char *err, size_t errlen)
{
	memcpy(own_pub, e->ctl.id.public_key, WG_KEY_LEN);
	*new_key = false;
	if (s->has_private_key) {
		if (!wg_key_public(own_pub, s->private_key)) {
			snprintf(err, errlen, "private_key: not a usable key (all zeros?)");
			return -EINVAL;
		}
		*new_key = sodium_memcmp(s->private_key, e->ctl.id.private_key, WG_KEY_LEN) != 0;
	}
	if (s->has_listen_port && s->listen_port == 0) {
		snprintf(err, errlen, "listen_port 0: the edge needs a fixed port (1..65535)");
		return -EINVAL;
	}
	if (s->has_fwmark && s->fwmark != 0) {
		snprintf(err, errlen, "fwmark %u: the edge has no kernel socket to mark",
			 s->fwmark);
		return -EOPNOTSUPP;
	}
	if (e->sig && (*new_key || (s->has_listen_port && s->listen_port != e->dp.local.port))) {
		snprintf(err, errlen,
			 "a cluster member changes its %s only by a restart (the "
			 "nucleus knows it by them)",
			 *new_key ? "private key" : "listen port");
		return -EBUSY;
	}
	return 0;
}

static unsigned free_slots(const struct pl_dataplane *dp)
{
	unsigned i, n = dp->max_peers - dp->n_peers;

	for (i = 0; i < dp->n_peers; i++)
		n += !dp->peers[i].in_use && !dp->peers[i].staged;
	return n;
}

/* New peers must be usable keys and fit the free slots (a new preshared
 * key is a new peer too), or apply would stop half way. */
static int check_peers(struct omni_edge *e, const struct cfg_peer *p, size_t n, const uint8_t *priv,
		       char *err, size_t errlen)
{
	uint8_t shared[WG_KEY_LEN];
	unsigned fresh = 0;
	int ret = 0;

	for (size_t i = 0; i < n && ret == 0; i++) {
		const struct cfg_peer *old = config_peer(&e->cfg, p[i].public_key);
		char key[WG_KEY_B64_LEN + 1];

		if (!pl_control_peer_find(&e->ctl, p[i].public_key) || !old ||
		    old->has_preshared_key != p[i].has_preshared_key ||
		    sodium_memcmp(old->preshared_key, p[i].preshared_key, WG_KEY_LEN) != 0)
			fresh++;
		if (crypto_scalarmult(shared, priv, p[i].public_key) != 0) {
			wg_key_to_base64(key, p[i].public_key);
			snprintf(err, errlen, "peer %s: not a usable public key", key);
			ret = -EINVAL;
		}
	}
	sodium_memzero(shared, sizeof(shared));
	if (ret == 0 && fresh > free_slots(&e->dp)) {
		snprintf(err, errlen, "%u new peers, %u free peer slots (the edge's limit)", fresh,
			 free_slots(&e->dp));
		ret = -ENOSPC;
	}
	return ret;
}

/* peers[n] (the request's result) into the configured ones, in place, and
 * the learned keys it removed. */
static size_t split(const struct omni_edge *e, struct cfg_peer *peers, size_t *n,
		    uint8_t (*forget)[WG_KEY_LEN])
{
	size_t i, kept = 0, nf = 0;

	for (i = 0; i < e->cfg.n_peers; i++) {
		const struct cfg_peer *p = &e->cfg.peers[i];
		size_t j;

		for (j = 0; j < *n && memcmp(peers[j].public_key, p->public_key, WG_KEY_LEN); j++)
			;
		if (p->learned && j == *n)
			memcpy(forget[nf++], p->public_key, WG_KEY_LEN);
	}
	for (i = 0; i < *n; i++) {
		if (peers[i].learned) {
			cfg_peer_clear(&peers[i]);
			continue;
		}
		if (kept != i)
			peers[kept] = peers[i];
		kept++;
	}
	*n = kept;
	return nf;
}

static int apply_device(struct omni_edge *e, const struct cfg_uapi_set *s, bool new_key, char *note,
			size_t len)
{
	char key[WG_KEY_B64_LEN + 1];
	size_t used = 0;

	note[0] = '\0';
	if (new_key) {
		if (!pl_control_set_identity(&e->ctl, s->private_key))
			return -EINVAL; /* checked before: cannot happen */
		wg_key_to_base64(key, e->ctl.id.public_key);
		used += (size_t)snprintf(note, len, "; new private key, public key %s", key);
	}
	if (s->has_listen_port && s->listen_port != e->dp.local.port) {
		pl_control_set_port(&e->ctl, s->listen_port, pl_now_ns(&e->dp));
		e->cfg.iface.listen_port = s->listen_port;
		if (e->xdp_ready && xdpfb_set_port(&e->xdp, s->listen_port) != 0)
			printf("omninervous: uapi: %s\n", xdpfb_error(&e->xdp));
		snprintf(note + used, len - used, "; listen port %u", s->listen_port);
	}
	return 0;
}

/* *checked: the request passed every check (a failure after that is the
 * live-change path's, and its message says what it left). */
static int apply_set(struct omni_edge *e, const struct cfg_uapi_set *s, bool *checked, char *err,
		     size_t errlen)
{
	uint8_t own_pub[WG_KEY_LEN], (*forget)[WG_KEY_LEN] = NULL;
	struct cfg_peer *peers = NULL;
	size_t n = 0, nf = 0;
	char note[160];
	bool new_key;
	int ret = check_device(e, s, own_pub, &new_key, err, errlen);

	if (ret == 0 && cfg_uapi_apply(s, e->cfg.peers, e->cfg.n_peers, own_pub, &peers, &n) != 0)
		ret = -ENOMEM;
	if (ret == 0 && !(forget = malloc((e->cfg.n_peers + 1) * sizeof(*forget))))
		ret = -ENOMEM;
	if (ret == 0) {
		nf = split(e, peers, &n, forget);
		ret = check_peers(e, peers, n,
				  s->has_private_key ? s->private_key : e->ctl.id.private_key, err,
				  errlen);
	}
	*checked = ret == 0;
	if (ret == 0)
		ret = omni_edge_apply_peers(e, peers, n, (const uint8_t(*)[WG_KEY_LEN])forget, nf,
					    err, errlen);
	if (ret == 0 && apply_device(e, s, new_key, note, sizeof(note)) == 0)
		snprintf(err + strlen(err), errlen - strlen(err), "%s", note);
	if (ret == -ENOMEM && !err[0])
		snprintf(err, errlen, "out of memory");
	cfg_uapi_peers_free(peers, n);
	free(forget);
	return ret;
}

int omni_uapi_set(struct omni_edge *e, const char *body, size_t len)
{
	char err[CFG_CONFIG_ERR_MAX] = "";
	struct cfg_uapi_set s;
	bool checked = false;
	int ret = cfg_uapi_parse_set(body, len, &s, err, sizeof(err));

	if (ret == 0)
		ret = apply_set(e, &s, &checked, err, sizeof(err));
	if (ret == 0)
		printf("omninervous: uapi: set: %s\n", err);
	else
		printf("omninervous: uapi: set refused (errno=%d)%s: %s\n", ret,
		       checked ? "" : ", nothing changed", err);
	cfg_uapi_set_free(&s);
	return ret;
}

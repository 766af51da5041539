/* SPDX-License-Identifier: MIT */
/* wg(8)'s set requests, read and applied to a copy of the peers (uapi.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <sodium.h>

#include "uapi.h"
#include "value.h"

/* What a line's errors need: its number, where to say why. */
struct rd {
	unsigned line;
	char *err;
	size_t errlen;
};

static int fail(const struct rd *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(const struct rd *r, int code, const char *fmt, ...)
{
	char why[CFG_CONFIG_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(r->err, r->errlen, "line %u: %s", r->line, why);
	return code;
}

/* "value" quoted for a message: never used for a key's value. */
static int bad_value(const struct rd *r, const char *key, const char *value, const char *why)
{
	char q[CFG_QUOTE_MAX + 8];

	cfg_quote(q, sizeof(q), value);
	return fail(r, -EINVAL, "%s \"%s\": %s", key, q, why);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* 64 hex digits, as wireguard-go's keys; the secret never quoted. */
static int parse_key(const struct rd *r, const char *key, const char *v, uint8_t out[WG_KEY_LEN])
{
	size_t i;

	if (strlen(v) != 2 * WG_KEY_LEN)
		return fail(r, -EINVAL, "%s: not 64 hex digits (%zu characters)", key, strlen(v));
	for (i = 0; i < WG_KEY_LEN; i++) {
		int hi = hex_digit(v[2 * i]), lo = hex_digit(v[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			sodium_memzero(out, WG_KEY_LEN);
			return fail(r, -EINVAL, "%s: not 64 hex digits (a non-hex character)", key);
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* Decimal digits only, at most max (strconv.ParseUint's rule). */
static int parse_uint(const struct rd *r, const char *key, const char *v, uint32_t max,
		      uint32_t *out)
{
	uint64_t n = 0;
	const char *p;

	if (!*v)
		return bad_value(r, key, v, "not a number");
	for (p = v; *p; p++) {
		if (*p < '0' || *p > '9')
			return bad_value(r, key, v, "not a number");
		n = n * 10 + (uint64_t)(*p - '0');
		if (n > max)
			return bad_value(r, key, v, "out of range");
	}
	*out = (uint32_t)n;
	return 0;
}

static int parse_true(const struct rd *r, const char *key, const char *v, bool *out)
{
	if (strcmp(v, "true") != 0)
		return bad_value(r, key, v, "the only value is \"true\"");
	*out = true;
	return 0;
}

static int device_line(const struct rd *r, struct cfg_uapi_set *s, const char *k, const char *v)
{
	uint32_t n;
	int ret;

	if (strcmp(k, "private_key") == 0) {
		s->has_private_key = true;
		return parse_key(r, k, v, s->private_key);
	}
	if (strcmp(k, "listen_port") == 0) {
		ret = parse_uint(r, k, v, UINT16_MAX, &n);
		s->has_listen_port = ret == 0;
		s->listen_port = (uint16_t)n;
		return ret;
	}
	if (strcmp(k, "fwmark") == 0) {
		ret = parse_uint(r, k, v, UINT32_MAX, &s->fwmark);
		s->has_fwmark = ret == 0;
		return ret;
	}
	if (strcmp(k, "replace_peers") == 0)
		return parse_true(r, k, v, &s->replace_peers);
	return bad_value(r, "device key", k, "not a key of the interface (before any public_key)");
}

static int add_allowed_ip(const struct rd *r, struct cfg_uapi_peer *p, const char *v)
{
	struct net_prefix pfx, *grown;
	const char *why = "not an address/length";
	size_t i;

	/* netip.ParsePrefix: the length is required. */
	if (!strchr(v, '/') || net_prefix_parse(v, &pfx, &why) != 0)
		return bad_value(r, "allowed_ip", v, why);
	net_prefix_mask(&pfx);
	for (i = 0; i < p->n_allowed_ips; i++)
		if (net_prefix_cmp(&p->allowed_ips[i], &pfx) == 0)
			return 0;
	grown = realloc(p->allowed_ips, (p->n_allowed_ips + 1) * sizeof(*grown));
	if (!grown)
		return fail(r, -ENOMEM, "out of memory");
	p->allowed_ips = grown;
	p->allowed_ips[p->n_allowed_ips++] = pfx;
	return 0;
}

static int peer_line(const struct rd *r, struct cfg_uapi_peer *p, const char *k, const char *v)
{
	uint32_t n;
	bool yes;
	int ret;

	if (strcmp(k, "remove") == 0)
		return parse_true(r, k, v, &p->remove);
	if (strcmp(k, "update_only") == 0)
		return parse_true(r, k, v, &p->update_only);
	if (strcmp(k, "preshared_key") == 0) {
		p->has_psk = true;
		return parse_key(r, k, v, p->psk);
	}
	if (strcmp(k, "endpoint") == 0) {
		if (net_endpoint_parse(v, 0, &p->endpoint) != 0)
			return bad_value(r, k, v, "not a numeric IP:PORT or [IPv6]:PORT");
		p->has_endpoint = true;
		return 0;
	}
	if (strcmp(k, "persistent_keepalive_interval") == 0) {
		ret = parse_uint(r, k, v, UINT16_MAX, &n);
		p->has_keepalive = ret == 0;
		p->keepalive = (uint16_t)n;
		return ret;
	}
	if (strcmp(k, "replace_allowed_ips") == 0) {
		ret = parse_true(r, k, v, &yes);
		if (ret == 0) {
			p->replace_allowed_ips = true;
			p->n_allowed_ips = 0;
		}
		return ret;
	}
	if (strcmp(k, "allowed_ip") == 0)
		return add_allowed_ip(r, p, v);
	if (strcmp(k, "protocol_version") == 0)
		return strcmp(v, "1") == 0 ? 0 : bad_value(r, k, v, "only version 1 exists");
	return bad_value(r, "peer key", k, "not a key of a peer");
}

static int new_peer(const struct rd *r, struct cfg_uapi_set *s, const char *v)
{
	static const uint8_t zero[WG_KEY_LEN];
	struct cfg_uapi_peer *grown, *p;
	int ret;

	grown = realloc(s->peers, (s->n_peers + 1) * sizeof(*grown));
	if (!grown)
		return fail(r, -ENOMEM, "out of memory");
	s->peers = grown;
	p = &s->peers[s->n_peers++];
	memset(p, 0, sizeof(*p));
	p->line = r->line;
	ret = parse_key(r, "public_key", v, p->public_key);
	if (ret == 0 && sodium_memcmp(p->public_key, zero, WG_KEY_LEN) == 0)
		ret = fail(r, -EINVAL, "public_key: all zeros");
	return ret;
}

/* One "key=value" line (no newline, NUL-free, shorter than LINE_MAX). */
static int one_line(const struct rd *r, struct cfg_uapi_set *s, char *line)
{
	char *v = strchr(line, '=');
	struct cfg_uapi_peer *p = s->n_peers ? &s->peers[s->n_peers - 1] : NULL;
	int ret;

	*v++ = '\0';
	if (strcmp(line, "public_key") == 0)
		return new_peer(r, s, v);
	if (!p)
		return device_line(r, s, line, v);
	if (p->remove) {
		/* wireguard-go still reads the line, then ignores it. */
		struct cfg_uapi_peer void_peer = { 0 };

		ret = peer_line(r, &void_peer, line, v);
		free(void_peer.allowed_ips);
		sodium_memzero(&void_peer, sizeof(void_peer));
		return ret;
	}
	return peer_line(r, p, line, v);
}

int cfg_uapi_parse_set(const char *text, size_t len, struct cfg_uapi_set *out, char *err,
		       size_t errlen)
{
	struct rd r = { .line = 1, .err = err, .errlen = errlen };
	char line[CFG_UAPI_LINE_MAX];
	size_t at = 0;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (errlen)
		err[0] = '\0';
	while (at < len && ret == 0) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (text + at)) : len - at;

		r.line++; /* "set=1" was line 1 */
		if (!memchr(text + at, '=', n))
			ret = fail(&r, -EPROTO, "not a key=value line");
		else if (n >= sizeof(line) || memchr(text + at, '\0', n))
			ret = fail(&r, -EINVAL, "a line of %zu bytes%s", n,
				   n >= sizeof(line) ? " (too long for any key)" : " with a NUL");
		else {
			memcpy(line, text + at, n);
			line[n] = '\0';
			ret = one_line(&r, out, line);
		}
		at += n + 1;
	}
	sodium_memzero(line, sizeof(line));
	if (ret != 0)
		cfg_uapi_set_free(out);
	return ret;
}

void cfg_uapi_set_free(struct cfg_uapi_set *s)
{
	size_t i;

	for (i = 0; s->peers && i < s->n_peers; i++)
		free(s->peers[i].allowed_ips);
	if (s->peers)
		sodium_memzero(s->peers, s->n_peers * sizeof(*s->peers));
	free(s->peers);
	sodium_memzero(s, sizeof(*s));
}

void cfg_uapi_key_hex(char out[2 * WG_KEY_LEN + 1], const uint8_t key[WG_KEY_LEN])
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < WG_KEY_LEN; i++) {
		out[2 * i] = digits[key[i] >> 4];
		out[2 * i + 1] = digits[key[i] & 15];
	}
	out[2 * WG_KEY_LEN] = '\0';
}

/* SPDX-License-Identifier: MIT */
/*
 * wg-quick file reader: one line at a time into a private model, which is
 * handed out only when the whole file has been read without error.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "secrets.h"
#include "value.h"
#include "wg/key.h"
#include "wgquick.h"

enum section { SEC_NONE, SEC_INTERFACE, SEC_PEER };

static const char *const section_names[] = {
	[SEC_NONE] = "(none)",
	[SEC_INTERFACE] = "Interface",
	[SEC_PEER] = "Peer",
};

struct wgq;

struct wgq_key {
	const char *name;
	enum section section;
	int (*set)(struct wgq *q, char *value); /* NULL: ignored, see why */
	bool list;                              /* may repeat; items accumulate */
	const char *ignored;                    /* why it is ignored (in the warning) */
};

enum { N_KEYS = 24 };

struct wgq {
	const char *name; /* for messages */
	unsigned flags;
	unsigned line;
	enum section section;
	unsigned seen[N_KEYS]; /* line of each key in the current section */
	struct cfg_config cfg;
	char *err;
	size_t errlen;
};

#define KEY_HINT "expected 44 base64 characters ending in '=', as `wg genkey` writes"

/* "FILE:LINE: message". Returns -EINVAL. */
__attribute__((format(printf, 2, 3))) static int perr(struct wgq *q, const char *fmt, ...)
{
	size_t used = 0;
	va_list ap;
	int n;

	if (!q->errlen)
		return -EINVAL;
	n = snprintf(q->err, q->errlen, "%s:%u: ", q->name, q->line);
	used = n >= 0 && (size_t)n < q->errlen ? (size_t)n : q->errlen - 1;
	va_start(ap, fmt);
	vsnprintf(q->err + used, q->errlen - used, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int oom(struct wgq *q)
{
	perr(q, "out of memory");
	return -ENOMEM;
}

/* "FILE:LINE: Key: why: "value"" for values that are not secret. */
static int bad_value(struct wgq *q, const char *key, const char *why, const char *value)
{
	char quoted[CFG_QUOTE_MAX * 4 + 8];

	cfg_quote(quoted, sizeof(quoted), value);
	return perr(q, "%s: %s: \"%s\"", key, why, quoted);
}

static struct cfg_peer *cur_peer(struct wgq *q)
{
	return &q->cfg.peers[q->cfg.n_peers - 1];
}

static int set_key(struct wgq *q, const char *key, uint8_t out[WG_KEY_LEN], bool *has,
		   const char *value)
{
	/* The value may be a secret: describe it, never show it. */
	if (!wg_key_from_base64(out, value)) {
		if (value[0] == '/')
			return perr(q, "%s: invalid key (a path? give a key file with --key)", key);
		return perr(q, "%s: invalid key (%zu characters; " KEY_HINT ")", key,
			    strlen(value));
	}
	*has = true;
	return 0;
}

static int set_private_key(struct wgq *q, char *value)
{
	return set_key(q, "PrivateKey", q->cfg.iface.private_key, &q->cfg.iface.has_private_key,
		       value);
}

static int set_public_key(struct wgq *q, char *value)
{
	struct cfg_peer *peer = cur_peer(q);

	if (!wg_key_from_base64(peer->public_key, value))
		return bad_value(q, "PublicKey", "invalid key (" KEY_HINT ")", value);
	peer->has_public_key = true;
	return 0;
}

static int set_preshared_key(struct wgq *q, char *value)
{
	struct cfg_peer *peer = cur_peer(q);

	return set_key(q, "PresharedKey", peer->preshared_key, &peer->has_preshared_key, value);
}

static int parse_u16(struct wgq *q, const char *key, const char *value, unsigned min, unsigned max,
		     uint16_t *out)
{
	char why[48];
	unsigned long v;

	if (cfg_uint_parse(value, max, &v) || v < min) {
		snprintf(why, sizeof(why), "must be %u..%u", min, max);
		return bad_value(q, key, why, value);
	}
	*out = (uint16_t)v;
	return 0;
}

static int set_listen_port(struct wgq *q, char *value)
{
	return parse_u16(q, "ListenPort", value, 1, 65535, &q->cfg.iface.listen_port);
}

static int set_mtu(struct wgq *q, char *value)
{
	return parse_u16(q, "MTU", value, CFG_MTU_MIN, CFG_MTU_MAX, &q->cfg.iface.mtu);
}

static int set_keepalive(struct wgq *q, char *value)
{
	struct cfg_peer *peer = cur_peer(q);
	unsigned long v;

	if (strcasecmp(value, "off") == 0) {
		peer->persistent_keepalive = 0;
		return 0;
	}
	if (cfg_uint_parse(value, 65535, &v))
		return bad_value(q, "PersistentKeepalive", "must be 0..65535 or off", value);
	peer->persistent_keepalive = (uint16_t)v;
	return 0;
}

static int set_endpoint(struct wgq *q, char *value)
{
	struct cfg_peer *peer = cur_peer(q);
	const char *why = "invalid";
	int rc = cfg_endpoint_parse(value, q->flags, &peer->endpoint, &why);

	if (rc == -EINVAL)
		return bad_value(q, "Endpoint", why, value);
	if (rc) {
		bad_value(q, "Endpoint", why, value);
		return rc;
	}
	return 0;
}

static char *trim(char *s)
{
	char *end;

	s += strspn(s, " \t\r\v\f");
	end = s + strlen(s);
	while (end > s && strchr(" \t\r\v\f", end[-1]))
		end--;
	*end = '\0';
	return s;
}

/*
 * Items separated by commas, blanks, or both ("a, b", "a b": wg-quick
 * splits Address on either). An empty item between commas is an error.
 */
static int each_item(struct wgq *q, const char *key, char *value,
		     int (*fn)(struct wgq *q, char *item))
{
	char *piece, *rest = value, *word;
	int rc;

	if (*value == '\0')
		return 0;
	while ((piece = strsep(&rest, ",")) != NULL) {
		piece = trim(piece);
		if (*piece == '\0')
			return bad_value(q, key, "empty item in the list", value);
		while ((word = strsep(&piece, " \t")) != NULL) {
			if (*word != '\0' && (rc = fn(q, word)) != 0)
				return rc;
		}
	}
	return 0;
}

static int add_address(struct wgq *q, char *item)
{
	struct net_prefix p;
	const char *why;

	if (net_prefix_parse(item, &p, &why))
		return bad_value(q, "Address", why, item);
	if (cfg_interface_add_address(&q->cfg.iface, &p))
		return oom(q);
	return 0;
}

static int add_allowed_ip(struct wgq *q, char *item)
{
	char before[NET_PREFIX_TEXT_MAX], after[NET_PREFIX_TEXT_MAX];
	struct net_prefix p;
	const char *why;

	if (net_prefix_parse(item, &p, &why))
		return bad_value(q, "AllowedIPs", why, item);
	net_prefix_format(&p, before);
	if (net_prefix_mask(&p)) {
		net_prefix_format(&p, after);
		if (cfg_config_add_warning(&q->cfg,
					   "%s:%u: AllowedIPs %s has host bits set; using %s",
					   q->name, q->line, before, after))
			return oom(q);
	}
	if (cfg_peer_add_allowed_ip(cur_peer(q), &p))
		return oom(q);
	return 0;
}

static int add_addresses(struct wgq *q, char *value)
{
	return each_item(q, "Address", value, add_address);
}

static int add_allowed_ips(struct wgq *q, char *value)
{
	return each_item(q, "AllowedIPs", value, add_allowed_ip);
}

#define IGNORED(name, why)                           \
	{                                            \
		name, SEC_INTERFACE, NULL, true, why \
	}

static const struct wgq_key keys[] = {
	{ "PrivateKey", SEC_INTERFACE, set_private_key, false, NULL },
	{ "ListenPort", SEC_INTERFACE, set_listen_port, false, NULL },
	{ "Address", SEC_INTERFACE, add_addresses, true, NULL },
	{ "MTU", SEC_INTERFACE, set_mtu, false, NULL },
	IGNORED("DNS", "the host's resolver settings are left alone"),
	IGNORED("Table", "no routing table is chosen"),
	IGNORED("PreUp", "hook commands are not run"),
	IGNORED("PostUp", "hook commands are not run"),
	IGNORED("PreDown", "hook commands are not run"),
	IGNORED("PostDown", "hook commands are not run"),
	IGNORED("SaveConfig", "the file is never written back"),
	IGNORED("FwMark", "the underlay is not a kernel socket, nothing to mark"),
	{ "PublicKey", SEC_PEER, set_public_key, false, NULL },
	{ "PresharedKey", SEC_PEER, set_preshared_key, false, NULL },
	{ "Endpoint", SEC_PEER, set_endpoint, false, NULL },
	{ "AllowedIPs", SEC_PEER, add_allowed_ips, true, NULL },
	{ "PersistentKeepalive", SEC_PEER, set_keepalive, false, NULL },
};

_Static_assert(sizeof(keys) / sizeof(keys[0]) <= N_KEYS, "grow N_KEYS");

static const struct wgq_key *find_key(const char *name)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcasecmp(keys[i].name, name) == 0)
			return &keys[i];
	}
	return NULL;
}

static int start_section(struct wgq *q, enum section sec)
{
	memset(q->seen, 0, sizeof(q->seen));
	q->section = sec;
	if (sec == SEC_INTERFACE) {
		if (q->cfg.iface.src_line)
			return perr(q, "a second [Interface] section (the first is on line %u)",
				    q->cfg.iface.src_line);
		q->cfg.iface.src_line = q->line;
		return 0;
	}
	if (!cfg_config_add_peer(&q->cfg))
		return oom(q);
	cur_peer(q)->src_line = q->line;
	return 0;
}

static int parse_section(struct wgq *q, char *s)
{
	char quoted[CFG_QUOTE_MAX * 4 + 8];
	size_t n = strlen(s);
	char *name;

	cfg_quote(quoted, sizeof(quoted), s);
	if (s[n - 1] != ']')
		return perr(q, "a section header must end with ']': \"%s\"", quoted);
	s[n - 1] = '\0';
	name = trim(s + 1);
	if (strcasecmp(name, "Interface") == 0)
		return start_section(q, SEC_INTERFACE);
	if (strcasecmp(name, "Peer") == 0)
		return start_section(q, SEC_PEER);
	return perr(q, "unknown section (expected [Interface] or [Peer]): \"%s\"", quoted);
}

static int check_key(struct wgq *q, const struct wgq_key *k, const char *name, const char *value)
{
	char quoted[CFG_QUOTE_MAX * 4 + 8];
	unsigned *seen;

	cfg_quote(quoted, sizeof(quoted), name);
	if (q->section == SEC_NONE)
		return perr(q, "a key before any [Interface] or [Peer] section: \"%s\"", quoted);
	if (!k)
		return perr(q, "unknown key in [%s]: \"%s\"", section_names[q->section], quoted);
	if (k->section != q->section)
		return perr(q, "%s belongs in [%s], not in [%s]", k->name,
			    section_names[k->section], section_names[q->section]);
	seen = &q->seen[k - keys];
	if (*seen && !k->list)
		return perr(q, "%s given twice in this section (first on line %u)", k->name, *seen);
	*seen = q->line;
	if (*value == '\0' && !k->list)
		return perr(q, "%s: missing value", k->name);
	return 0;
}

static int parse_assignment(struct wgq *q, char *s)
{
	char quoted[CFG_QUOTE_MAX * 4 + 8];
	const struct wgq_key *k;
	char *eq = strchr(s, '=');
	char *name, *value;
	int rc;

	if (!eq) {
		cfg_quote(quoted, sizeof(quoted), s);
		return perr(q, "expected Key = Value or a [Section]: \"%s\"", quoted);
	}
	*eq = '\0';
	name = trim(s);
	value = trim(eq + 1);
	k = find_key(name);
	rc = check_key(q, k, name, value);
	if (rc)
		return rc;
	if (k->set)
		return k->set(q, value);
	if (cfg_config_add_warning(&q->cfg, "%s:%u: %s ignored: %s", q->name, q->line, k->name,
				   k->ignored))
		return oom(q);
	return 0;
}

static int parse_line(struct wgq *q, const char *text, size_t n)
{
	char line[CFG_WGQ_LINE_MAX + 1];
	char *s, *hash;
	int rc;

	if (n > CFG_WGQ_LINE_MAX)
		return perr(q,
			    "line too long (over %u bytes; split a long list over several lines)",
			    CFG_WGQ_LINE_MAX);
	if (memchr(text, '\0', n))
		return perr(q, "a NUL byte in the line");
	memcpy(line, text, n);
	line[n] = '\0';
	hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	s = trim(line);
	if (*s == '\0')
		rc = 0;
	else if (*s == '[')
		rc = parse_section(q, s);
	else
		rc = parse_assignment(q, s);
	sodium_memzero(line, n + 1); /* it may have held a key */
	return rc;
}

static int parse_lines(struct wgq *q, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	int rc;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3; /* UTF-8 byte order mark, as some editors write */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		q->line++;
		rc = parse_line(q, p, n);
		if (rc)
			return rc;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

int cfg_wgquick_parse_buffer(const char *name, const char *buf, size_t len, unsigned flags,
			     struct cfg_config *out, char *err, size_t errlen)
{
	struct wgq q = { .name = name, .flags = flags, .err = err, .errlen = errlen };
	int rc;

	if (errlen)
		err[0] = '\0';
	cfg_config_init(&q.cfg);
	q.cfg.format = CFG_FORMAT_WGQUICK;
	rc = parse_lines(&q, buf, len);
	if (!rc && !(q.cfg.source = strdup(name))) {
		q.line = 0;
		perr(&q, "out of memory");
		rc = -ENOMEM;
	}
	if (rc) {
		cfg_config_free(&q.cfg);
		cfg_config_init(out);
		return rc;
	}
	*out = q.cfg;
	sodium_memzero(&q.cfg, sizeof(q.cfg)); /* the stack copy held the keys */
	return 0;
}

/* What of a secret the file held, or NULL. */
static const char *held_secret(const struct cfg_config *cfg)
{
	bool psk = false;

	for (size_t i = 0; i < cfg->n_peers; i++)
		psk = psk || cfg->peers[i].has_preshared_key;
	return cfg->iface.has_private_key || psk ? "a PrivateKey or PresharedKey" : NULL;
}

int cfg_wgquick_parse_file(const char *path, struct cfg_config *out, char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	cfg_config_init(out);
	rc = cfg_file_read(path, CFG_WGQ_FILE_MAX, &buf, &len, &st);
	if (rc) {
		snprintf(err, errlen, "%s: cannot %s: %s", path, rc == -ENOENT ? "open" : "read",
			 rc == -EFBIG ? "larger than 16 MiB" : strerror(-rc));
		return rc;
	}
	rc = cfg_wgquick_parse_buffer(path, buf, len, 0, out, err, errlen);
	cfg_file_free(buf, len);
	if (rc)
		return rc;
	return cfg_config_file_private(out, path, &st, held_secret(out), err, errlen);
}

/* SPDX-License-Identifier: MIT */
/*
 * JSON file reader: jansson gives the document, then every object is walked
 * against a table of its keys (json_keys.c) into a private model, which is
 * handed out only when the whole document has been read without error.
 * This file is the walker: paths for messages, unknown keys and their
 * suggestion, typed values.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "json_int.h"
#include "secrets.h"

/* ---- messages ------------------------------------------------------------ */

int cfg_jerr(struct cfg_jctx *c, const char *fmt, ...)
{
	size_t used = 0;
	va_list ap;
	int n;

	if (!c->errlen)
		return -EINVAL;
	if (c->plen)
		n = snprintf(c->err, c->errlen, "%s: %s: ", c->name, c->path);
	else
		n = snprintf(c->err, c->errlen, "%s: ", c->name);
	used = n >= 0 && (size_t)n < c->errlen ? (size_t)n : c->errlen - 1;
	va_start(ap, fmt);
	vsnprintf(c->err + used, c->errlen - used, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int cfg_jerr_value(struct cfg_jctx *c, const char *value, const char *rule, const char *why)
{
	char quoted[CFG_QUOTE_MAX * 4 + 8];

	cfg_quote(quoted, sizeof(quoted), value);
	if (why)
		return cfg_jerr(c, "\"%s\" %s (%s)", quoted, rule, why);
	return cfg_jerr(c, "\"%s\" %s", quoted, rule);
}

int cfg_joom(struct cfg_jctx *c)
{
	cfg_jerr(c, "out of memory");
	return -ENOMEM;
}

/* ---- paths --------------------------------------------------------------- */

/* Appends ".key" (or "key" at the top) to the path; returns the old length
 * for cfg_jpop. A key that is not a plain word is shown quoted. */
size_t cfg_jpush_key(struct cfg_jctx *c, const char *key)
{
	char quoted[CFG_QUOTE_MAX * 4 + 8];
	size_t old = c->plen;
	bool plain = *key != '\0';
	int n;

	for (const char *p = key; *p; p++)
		plain = plain && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				  (*p >= '0' && *p <= '9') || *p == '_' || *p == '-');
	if (plain) {
		n = snprintf(c->path + old, sizeof(c->path) - old, "%s%s", old ? "." : "", key);
	} else {
		cfg_quote(quoted, sizeof(quoted), key);
		n = snprintf(c->path + old, sizeof(c->path) - old, "%s\"%s\"", old ? "." : "",
			     quoted);
	}
	c->plen = n < 0 ? old : strnlen(c->path, sizeof(c->path) - 1);
	return old;
}

size_t cfg_jpush_index(struct cfg_jctx *c, size_t i)
{
	size_t old = c->plen;

	snprintf(c->path + old, sizeof(c->path) - old, "[%zu]", i);
	c->plen = strnlen(c->path, sizeof(c->path) - 1);
	return old;
}

void cfg_jpop(struct cfg_jctx *c, size_t old)
{
	c->plen = old;
	c->path[old] = '\0';
}

/* ---- unknown keys -------------------------------------------------------- */

/* Lower case without '_' and '-': "PublicKey" and "public-key" both give
 * "publickey". */
static void fold(const char *in, char *out, size_t outlen)
{
	size_t o = 0;

	for (; *in && o + 1 < outlen; in++) {
		if (*in == '_' || *in == '-')
			continue;
		out[o++] = (*in >= 'A' && *in <= 'Z') ? (char)(*in - 'A' + 'a') : *in;
	}
	out[o] = '\0';
}

/* Edit distance (Levenshtein), over short names only. */
static unsigned distance(const char *a, const char *b)
{
	enum { N = 40 };
	unsigned row[N + 1], la = (unsigned)strlen(a), lb = (unsigned)strlen(b);

	if (la > N || lb > N)
		return N;
	for (unsigned j = 0; j <= lb; j++)
		row[j] = j;
	for (unsigned i = 1; i <= la; i++) {
		unsigned diag = row[0], up;

		row[0] = i;
		for (unsigned j = 1; j <= lb; j++) {
			unsigned best = diag + (a[i - 1] != b[j - 1]);

			up = row[j];
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

/* The known key closest to name, when it is close: the same after folding
 * case and separators, or at most 2 edits (1 for short names) away. */
static const char *closest(const char *name, const struct cfg_jkey *keys, size_t n)
{
	char a[48], b[48];
	const char *best = NULL;
	unsigned best_d = 3;

	fold(name, a, sizeof(a));
	for (size_t i = 0; i < n; i++) {
		unsigned d;

		fold(keys[i].name, b, sizeof(b));
		d = strcmp(a, b) == 0 ? 0 : distance(a, b);
		if (d < best_d && (d <= 1 || strlen(b) >= 4)) {
			best_d = d;
			best = keys[i].name;
		}
	}
	return best;
}

static int unknown_key(struct cfg_jctx *c, const char *key, const struct cfg_jkey *keys, size_t n)
{
	char quoted[CFG_QUOTE_MAX * 4 + 8];
	const char *near = closest(key, keys, n);

	cfg_quote(quoted, sizeof(quoted), key);
	if (near)
		return cfg_jerr(c, "unknown key \"%s\" (did you mean \"%s\"?)", quoted, near);
	return cfg_jerr(c, "unknown key \"%s\"", quoted);
}

/* ---- types --------------------------------------------------------------- */

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "a list";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number with a fraction";
	case JSON_TRUE:
	case JSON_FALSE:
		return "true or false";
	default:
		return "null";
	}
}

int cfg_jtype_error(struct cfg_jctx *c, const json_t *v, const char *expected)
{
	return cfg_jerr(c, "expected %s, got %s", expected, type_name(v));
}

int cfg_jstring(struct cfg_jctx *c, const json_t *v, size_t min, size_t max, const char **out)
{
	size_t len;

	if (!json_is_string(v))
		return cfg_jtype_error(c, v, "a string");
	len = json_string_length(v);
	if (len < min && min == 1)
		return cfg_jerr(c, "must not be empty");
	if (len < min)
		return cfg_jerr(c, "too short (%zu characters; at least %zu)", len, min);
	if (len > max)
		return cfg_jerr(c, "too long (%zu characters; at most %zu)", len, max);
	*out = json_string_value(v);
	return 0;
}

int cfg_juint(struct cfg_jctx *c, const json_t *v, unsigned long min, unsigned long max,
	      unsigned long *out)
{
	json_int_t n;

	if (!json_is_integer(v)) {
		char want[64];

		snprintf(want, sizeof(want), "an integer %lu..%lu", min, max);
		return cfg_jtype_error(c, v, want);
	}
	n = json_integer_value(v);
	if (n < 0 || (unsigned long long)n < min || (unsigned long long)n > max)
		return cfg_jerr(c, "%lld is outside %lu..%lu", (long long)n, min, max);
	*out = (unsigned long)n;
	return 0;
}

int cfg_jbool(struct cfg_jctx *c, const json_t *v, bool *out)
{
	if (!json_is_boolean(v))
		return cfg_jtype_error(c, v, "true or false");
	*out = json_is_true(v);
	return 0;
}

int cfg_jdup(struct cfg_jctx *c, const char *s, char **slot)
{
	char *copy = strdup(s);

	if (!copy)
		return cfg_joom(c);
	free(*slot);
	*slot = copy;
	return 0;
}

/* "_comment": a string or a list of strings, and nothing else. */
static int check_comment(struct cfg_jctx *c, const json_t *v)
{
	size_t i;
	json_t *item;

	if (json_is_string(v))
		return 0;
	if (!json_is_array(v))
		return cfg_jtype_error(c, v, "a string or a list of strings");
	json_array_foreach(v, i, item)
	{
		if (!json_is_string(item))
			return cfg_jtype_error(c, item, "a string or a list of strings");
	}
	return 0;
}

/* A value of a table-described kind, stored at base + k->off. */
static int set_simple(struct cfg_jctx *c, const struct cfg_jkey *k, const json_t *v, void *base)
{
	char *slot = (char *)base + k->off;
	unsigned long u;
	const char *s;
	int rc;

	switch (k->kind) {
	case CFG_JK_U16:
	case CFG_JK_U32:
		rc = cfg_juint(c, v, k->min, k->max, &u);
		if (rc)
			return rc;
		if (k->kind == CFG_JK_U16)
			*(uint16_t *)(void *)slot = (uint16_t)u;
		else
			*(uint32_t *)(void *)slot = (uint32_t)u;
		return 0;
	case CFG_JK_BOOL:
		return cfg_jbool(c, v, (bool *)(void *)slot);
	case CFG_JK_STR:
		rc = cfg_jstring(c, v, k->min, k->max, &s);
		return rc ? rc : cfg_jdup(c, s, (char **)(void *)slot);
	case CFG_JK_TEXT:
		rc = cfg_jstring(c, v, k->min, k->max, &s);
		return rc ? rc : k->text(c, s, base);
	default:
		return k->fn(c, v, base);
	}
}

int cfg_jwalk(struct cfg_jctx *c, const json_t *obj, const struct cfg_jkey *keys, size_t n,
	      void *base)
{
	const char *name;
	json_t *v;

	if (!json_is_object(obj))
		return cfg_jtype_error(c, obj, "an object");
	json_object_foreach((json_t *)obj, name, v)
	{
		const struct cfg_jkey *k = NULL;
		size_t mark;
		int rc;

		for (size_t i = 0; i < n && !k; i++)
			k = strcmp(keys[i].name, name) == 0 ? &keys[i] : NULL;
		if (!k && strcmp(name, "_comment") != 0)
			return unknown_key(c, name, keys, n);
		mark = cfg_jpush_key(c, name);
		rc = k ? set_simple(c, k, v, base) : check_comment(c, v);
		if (rc)
			return rc;
		cfg_jpop(c, mark);
	}
	return 0;
}

int cfg_jeach(struct cfg_jctx *c, const json_t *v, size_t max,
	      int (*fn)(struct cfg_jctx *c, const json_t *item, size_t i, void *arg), void *arg)
{
	json_t *item;
	size_t i;

	if (!json_is_array(v))
		return cfg_jtype_error(c, v, "a list");
	if (json_array_size(v) > max)
		return cfg_jerr(c, "too many items (%zu; at most %zu)", json_array_size(v), max);
	json_array_foreach(v, i, item)
	{
		size_t mark = cfg_jpush_index(c, i);
		int rc = fn(c, item, i, arg);

		if (rc)
			return rc;
		cfg_jpop(c, mark);
	}
	return 0;
}

int cfg_jexclusive(struct cfg_jctx *c, const json_t *obj, const char *a, const char *b)
{
	if (json_object_get(obj, a) && json_object_get(obj, b))
		return cfg_jerr(c, "give %s or %s, not both", a, b);
	return 0;
}

/* ---- the document -------------------------------------------------------- */

/* Every string of the document held by jansson, wiped: some are secrets. */
static void wipe_strings(json_t *v)
{
	const char *key;
	json_t *item;
	size_t i;

	if (json_is_string(v)) {
		sodium_memzero((char *)json_string_value(v), json_string_length(v));
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, item) wipe_strings(item);
	} else if (json_is_object(v)) {
		json_object_foreach(v, key, item) wipe_strings(item);
	}
}

/* A string token is shown only whole and shorter than any secret: a cut
 * one may be the start of a secret with a bad character in it. */
static bool token_is_safe(const char *tok)
{
	size_t n = strlen(tok);

	if (tok[0] != '"')
		return true;
	return n >= 2 && tok[n - 1] == '"' && n - 2 < CFG_SECRET_MIN;
}

/*
 * jansson's message, and the token it stopped at unless that may be a
 * secret (token_is_safe); what is shown is quoted safely.
 */
static int syntax_error(struct cfg_jctx *c, const json_error_t *je)
{
	char text[sizeof(je->text)], quoted[CFG_QUOTE_MAX * 4 + 8];
	char *near;

	snprintf(text, sizeof(text), "%s", je->text);
	near = strstr(text, " near '");
	if (near) {
		char *tok = near + strlen(" near '");
		size_t n = strlen(tok);

		*near = '\0';
		if (n && tok[n - 1] == '\'')
			tok[n - 1] = '\0';
		if (token_is_safe(tok) && tok[0] == '"') {
			tok[strlen(tok) - 1] = '\0';
			cfg_quote(quoted, sizeof(quoted), tok + 1);
			snprintf(near, sizeof(text) - (size_t)(near - text), " near \"%s\"",
				 quoted);
		} else if (token_is_safe(tok)) {
			cfg_quote(quoted, sizeof(quoted), tok);
			snprintf(near, sizeof(text) - (size_t)(near - text), " near '%s'", quoted);
		}
	}
	if (je->line > 0)
		snprintf(c->err, c->errlen, "%s:%d:%d: %s", c->name, je->line, je->column, text);
	else
		snprintf(c->err, c->errlen, "%s: %s", c->name, text);
	sodium_memzero((void *)je, sizeof(*je));
	return -EINVAL;
}

/* The directory part of name ("" when none), for relative file names. */
static int set_dir(struct cfg_jctx *c)
{
	const char *slash = strrchr(c->name, '/');
	size_t n = slash ? (size_t)(slash - c->name) + 1 : 0;

	c->dir = malloc(n + 1);
	if (!c->dir)
		return -ENOMEM;
	memcpy(c->dir, c->name, n);
	c->dir[n] = '\0';
	return 0;
}

static int parse_document(struct cfg_jctx *c, const char *buf, size_t len)
{
	json_error_t je;
	json_t *root;
	int rc;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3; /* UTF-8 byte order mark, as some editors write */
		len -= 3;
	}
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return syntax_error(c, &je);
	rc = cfg_json_read_root(c, root);
	wipe_strings(root);
	json_decref(root);
	return rc;
}

int cfg_json_parse_buffer(const char *name, const char *buf, size_t len, unsigned flags,
			  struct cfg_config *out, char *err, size_t errlen)
{
	struct cfg_jctx c = { .name = name, .flags = flags, .err = err, .errlen = errlen };
	int rc;

	if (errlen)
		err[0] = '\0';
	cfg_config_init(&c.cfg);
	c.cfg.format = CFG_FORMAT_JSON;
	rc = set_dir(&c);
	if (!rc)
		rc = parse_document(&c, buf, len);
	else
		cfg_joom(&c);
	if (!rc && !(c.cfg.source = strdup(name)))
		rc = cfg_joom(&c);
	free(c.dir);
	if (rc) {
		cfg_config_free(&c.cfg);
		cfg_config_init(out);
		return rc;
	}
	*out = c.cfg;
	sodium_memzero(&c.cfg, sizeof(c.cfg)); /* the stack copy held the keys */
	return 0;
}

/* Before cfg_config_load_secrets, every secret in the model was written
 * in the file itself: what the file holds, or NULL. */
static const char *held_secret(const struct cfg_config *cfg)
{
	bool any = cfg->iface.has_private_key || cfg->security.secret;

	for (size_t i = 0; i < cfg->n_peers; i++)
		any = any || cfg->peers[i].has_preshared_key;
	for (size_t i = 0; i < cfg->nucleus.n_clusters; i++)
		any = any || cfg->nucleus.clusters[i].secret;
	return any ? "a secret (private key, preshared key or cluster secret)" : NULL;
}

int cfg_json_parse_file(const char *path, struct cfg_config *out, char *err, size_t errlen)
{
	struct stat st;
	char *buf;
	size_t len;
	int rc;

	cfg_config_init(out);
	rc = cfg_file_read(path, CFG_JSON_FILE_MAX, &buf, &len, &st);
	if (rc) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
			 rc == -EFBIG ? "larger than 16 MiB" : strerror(-rc));
		return rc;
	}
	rc = cfg_json_parse_buffer(path, buf, len, 0, out, err, errlen);
	cfg_file_free(buf, len);
	if (rc == 0)
		rc = cfg_config_file_private(out, path, &st, held_secret(out), err, errlen);
	return rc;
}

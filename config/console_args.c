/* SPDX-License-Identifier: MIT */
/* `peer add` / `peer del` arguments (console_args.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "console_args.h"
#include "value.h"
#include "wg/key.h"

enum { WORD_MAX = 1024 };

int cfg_console_parse_key(const char *key, uint8_t out[WG_KEY_LEN], char *err, size_t errlen)
{
	char q[CFG_QUOTE_MAX + 8];

	if (key && strlen(key) == WG_KEY_B64_LEN && wg_key_from_base64(out, key))
		return 0;
	cfg_quote(q, sizeof(q), key ? key : "");
	snprintf(err, errlen,
		 "public key \"%s\": not a base64 WireGuard key (44 characters, "
		 "as `wg pubkey` prints)",
		 q);
	return -EINVAL;
}

/* The next space-separated word of *s into w; false at the end. */
static bool next_word(const char **s, char w[WORD_MAX], bool *too_long)
{
	const char *p = *s;
	size_t n = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return false;
	while (p[n] && p[n] != ' ' && p[n] != '\t')
		n++;
	*too_long = n >= WORD_MAX;
	if (*too_long)
		n = WORD_MAX - 1;
	memcpy(w, p, n);
	w[n] = '\0';
	while (p[n] && p[n] != ' ' && p[n] != '\t')
		n++;
	*s = p + n;
	return true;
}

static int bad(char *err, size_t errlen, const char *what, const char *value, const char *why)
{
	char q[CFG_QUOTE_MAX + 8];

	cfg_quote(q, sizeof(q), value);
	snprintf(err, errlen, "%s \"%s\": %s", what, q, why);
	return -EINVAL;
}

static int parse_allowed(struct cfg_peer *p, char *list, char *err, size_t errlen)
{
	struct net_prefix pfx;
	const char *why;
	char *save = NULL, *item;

	for (item = strtok_r(list, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		if (net_prefix_parse(item, &pfx, &why) != 0)
			return bad(err, errlen, "allowed-ips", item, why);
		if (p->n_allowed_ips >= CFG_CONSOLE_MAX_ALLOWED_IPS)
			return bad(err, errlen, "allowed-ips", item, "too many prefixes");
		net_prefix_mask(&pfx);
		if (cfg_peer_add_allowed_ip(p, &pfx) != 0)
			return -ENOMEM;
	}
	if (!p->n_allowed_ips)
		return bad(err, errlen, "allowed-ips", list, "an empty list");
	return 0;
}

static int parse_option(struct cfg_peer *p, const char *name, char *value, unsigned flags,
			unsigned *seen, char *err, size_t errlen)
{
	static const char *const names[] = { "endpoint", "allowed-ips", "keepalive" };
	unsigned long v;
	const char *why;
	unsigned i;
	int ret;

	for (i = 0; i < 3 && strcmp(name, names[i]) != 0; i++)
		;
	if (i == 3)
		return bad(err, errlen, "option", name,
			   "not one of endpoint, allowed-ips, keepalive");
	if (*seen & (1u << i))
		return bad(err, errlen, "option", name, "given twice");
	*seen |= 1u << i;
	if (!value)
		return bad(err, errlen, "option", name, "needs a value");
	switch (i) {
	case 0:
		ret = cfg_endpoint_parse(value, flags, &p->endpoint, &why);
		return ret == -ENOMEM ? ret : ret ? bad(err, errlen, "endpoint", value, why) : 0;
	case 1:
		return parse_allowed(p, value, err, errlen);
	default:
		if (cfg_uint_parse(value, 65535, &v) != 0)
			return bad(err, errlen, "keepalive", value,
				   "not a number of seconds (0-65535)");
		p->persistent_keepalive = (uint16_t)v;
		return 0;
	}
}

int cfg_console_parse_peer(const char *key, const char *opts, unsigned flags, struct cfg_peer *p,
			   char *err, size_t errlen)
{
	char name[WORD_MAX], value[WORD_MAX];
	const char *s = opts ? opts : "";
	bool long1 = false, long2 = false;
	unsigned seen = 0;
	int ret;

	memset(p, 0, sizeof(*p));
	ret = cfg_console_parse_key(key, p->public_key, err, errlen);
	p->has_public_key = ret == 0;
	while (ret == 0 && next_word(&s, name, &long1)) {
		bool has_value = next_word(&s, value, &long2);

		if (long1 || long2)
			ret = bad(err, errlen, "option", long1 ? name : value, "too long");
		else
			ret = parse_option(p, name, has_value ? value : NULL, flags, &seen, err,
					   errlen);
	}
	if (ret != 0)
		cfg_console_peer_clear(p);
	return ret;
}

void cfg_console_peer_clear(struct cfg_peer *p)
{
	cfg_endpoint_clear(&p->endpoint);
	free(p->allowed_ips);
	sodium_memzero(p, sizeof(*p));
}

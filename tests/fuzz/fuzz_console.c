/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: any bytes as console input, one command a line, through
 * the words the console checks itself (config/console_args.c, the log level
 * names) the way app/console.c hands them over: `peer add KEY OPTS...`
 * gives the third word and the rest of the line, `peer del KEY` the key,
 * `set log-level L` the level. DPDK's cmdline splits the words and picks
 * the command; what a command then does needs the running control lcore,
 * so it is not here.
 *
 * Each line is also tried as OPTS after a valid key, so options are
 * reached without the fuzzer first having to write a key. Invariants
 * beyond the sanitizers: a refusal says why and leaves the peer cleared;
 * an accepted peer has its key, at most CFG_CONSOLE_MAX_ALLOWED_IPS masked
 * prefixes, and printed back as words parses to the same peer.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "fuzz_check.h"
#include "console_args.h"
#include "value.h"
#include "net/addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { LINE_MAX_LEN = 4096 };

/* Any valid key will do: the checks never look at what it is. */
static const char good_key[] = "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=";

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* The peer's options as the console would be given them. */
static size_t print_opts(const struct cfg_peer *p, char *out, size_t cap)
{
	char text[CFG_ADDR_TEXT_MAX + NET_PREFIX_TEXT_MAX];
	size_t n = 0;

	if (p->endpoint.from_name) {
		n += (size_t)snprintf(out + n, cap - n, "endpoint %s ", p->endpoint.name);
	} else if (p->endpoint.addr.ss_family != AF_UNSPEC) {
		cfg_sockaddr_format(&p->endpoint.addr, text);
		n += (size_t)snprintf(out + n, cap - n, "endpoint %s ", text);
	}
	for (size_t i = 0; i < p->n_allowed_ips; i++) {
		net_prefix_format(&p->allowed_ips[i], text);
		n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? "," : "allowed-ips ", text);
	}
	n += (size_t)snprintf(out + n, cap - n, " keepalive %u", p->persistent_keepalive);
	CHECK(n < cap);
	return n;
}

static void same_peer(const struct cfg_peer *a, const struct cfg_peer *b)
{
	struct net_endpoint ea, eb;

	CHECK(!memcmp(a->public_key, b->public_key, WG_KEY_LEN));
	CHECK(a->persistent_keepalive == b->persistent_keepalive);
	CHECK(a->n_allowed_ips == b->n_allowed_ips);
	for (size_t i = 0; i < a->n_allowed_ips; i++)
		CHECK(!net_prefix_cmp(&a->allowed_ips[i], &b->allowed_ips[i]));
	CHECK(a->endpoint.addr.ss_family == b->endpoint.addr.ss_family);
	CHECK(a->endpoint.from_name == b->endpoint.from_name);
	if (a->endpoint.from_name)
		CHECK(!strcmp(a->endpoint.name, b->endpoint.name));
	else if (a->endpoint.addr.ss_family != AF_UNSPEC) {
		CHECK(net_endpoint_from_sockaddr(&a->endpoint.addr, &ea));
		CHECK(net_endpoint_from_sockaddr(&b->endpoint.addr, &eb));
		CHECK(net_endpoint_equal(&ea, &eb));
		CHECK(net_sockaddr_scope(&a->endpoint.addr) ==
		      net_sockaddr_scope(&b->endpoint.addr));
	}
}

static void accepted(const struct cfg_peer *p, const char *key)
{
	char opts[CFG_CONSOLE_MAX_ALLOWED_IPS * NET_PREFIX_TEXT_MAX + 256];
	char err[CFG_CONFIG_ERR_MAX];
	struct cfg_peer again;

	CHECK(p->has_public_key && !p->has_preshared_key && !p->preshared_key_file);
	CHECK(p->n_allowed_ips <= CFG_CONSOLE_MAX_ALLOWED_IPS);
	for (size_t i = 0; i < p->n_allowed_ips; i++) {
		struct net_prefix m = p->allowed_ips[i];

		CHECK(!net_prefix_mask(&m));
	}
	print_opts(p, opts, sizeof(opts));
	CHECK(cfg_console_parse_peer(key, opts, CFG_VALUE_NO_RESOLVE, &again, err, sizeof(err)) ==
	      0);
	same_peer(p, &again);
	cfg_console_peer_clear(&again);
}

static void peer_add(const char *key, const char *opts)
{
	char err[CFG_CONFIG_ERR_MAX] = "";
	struct cfg_peer p;
	int ret = cfg_console_parse_peer(key, opts, CFG_VALUE_NO_RESOLVE, &p, err, sizeof(err));

	CHECK(ret == 0 || ret == -EINVAL || ret == -ENOMEM);
	if (ret == 0) {
		accepted(&p, key);
	} else {
		CHECK(err[0] && memchr(err, '\0', sizeof(err)));
		CHECK(all_zero(&p, sizeof(p)));
	}
	cfg_console_peer_clear(&p);
}

/* The first word of *s (spaces and tabs between words), *s moved past it. */
static const char *word(char **s)
{
	char *w = *s + strspn(*s, " \t");
	char *end = w + strcspn(w, " \t");

	*s = *end ? end + 1 : end;
	*end = '\0';
	return w;
}

static void line(char *l)
{
	uint8_t key[WG_KEY_LEN];
	char err[CFG_CONFIG_ERR_MAX];
	enum cfg_log_level level;
	const char *cmd, *k;
	char *rest = l;

	peer_add(good_key, l);
	cmd = word(&rest);
	word(&rest); /* add, del or log-level */
	k = word(&rest);
	if (cfg_console_parse_key(k, key, err, sizeof(err)) != 0)
		CHECK(err[0]);
	peer_add(k, rest);
	if (!strcmp(cmd, "set") && cfg_log_level_from_name(k, &level) == 0)
		CHECK(!strcasecmp(cfg_log_level_name(level), k)); /* names are case-blind */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *l, *save = NULL;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (strlen(l) < LINE_MAX_LEN)
			line(l);
	free(text);
	return 0;
}

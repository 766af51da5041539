/* SPDX-License-Identifier: MIT */
/*
 * Configuration difference (config/diff.c), the pure half of a reload:
 * a numbered table of old/new JSON documents with the peers expected added,
 * removed and changed (and what changed) and the settings expected to need
 * a restart or to change live; then a shuffled set of many peers checked
 * against a naive quadratic reference.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diff.h"
#include "json.h"
#include "model.h"
#include "value.h"

#define PRIV "+Gxy1L3JWZHYYZFTF+8KJ9U8x06TFC60ggogpCDH6WU="
#define PRIV2 "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="
#define K1 "aEwPCz4aexTpO7C3pCQgOz8ORSMiO7pzroxzMWgjKxo="
#define K2 "jN0gh3pcUibmLmLa5+F1DRYe/AiwbRvugP3gygQWyWI="
#define K3 "wIk71BhyN4ElHi6LLLNZqmaLb3katVYEsHVXzWmO9ys="
#define PSK "QZUd3rOML2VQzME0Hxaqe5OLTmj5b/fAZSemZTSX98M="
#define PSK2 "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="

/* Peer objects. */
#define PA                                                                 \
	"{\"public_key\": \"" K1 "\", \"endpoint\": \"192.0.2.1:51820\", " \
	"\"allowed_ips\": [\"10.0.1.0/24\", \"fd00:1::/64\"]}"
#define PA_IPS_REORDERED                                                   \
	"{\"public_key\": \"" K1 "\", \"endpoint\": \"192.0.2.1:51820\", " \
	"\"allowed_ips\": [\"fd00:1::/64\", \"10.0.1.0/24\"]}"
#define PA_EP                                                              \
	"{\"public_key\": \"" K1 "\", \"endpoint\": \"192.0.2.1:51821\", " \
	"\"allowed_ips\": [\"10.0.1.0/24\", \"fd00:1::/64\"]}"
#define PA_IPS                                                             \
	"{\"public_key\": \"" K1 "\", \"endpoint\": \"192.0.2.1:51820\", " \
	"\"allowed_ips\": [\"10.0.1.0/24\"]}"
#define PA_ALL                                                                 \
	"{\"public_key\": \"" K1 "\", \"endpoint\": \"[2001:db8::1]:51820\", " \
	"\"allowed_ips\": [\"10.0.9.0/24\"], \"persistent_keepalive\": 25, "   \
	"\"preshared_key\": \"" PSK "\"}"
#define PB "{\"public_key\": \"" K2 "\", \"allowed_ips\": [\"10.0.2.0/24\"]}"
#define PB_KA                                                               \
	"{\"public_key\": \"" K2 "\", \"allowed_ips\": [\"10.0.2.0/24\"], " \
	"\"persistent_keepalive\": 25}"
#define PB_PSK                                                              \
	"{\"public_key\": \"" K2 "\", \"allowed_ips\": [\"10.0.2.0/24\"], " \
	"\"preshared_key\": \"" PSK "\"}"
#define PB_PSK2                                                             \
	"{\"public_key\": \"" K2 "\", \"allowed_ips\": [\"10.0.2.0/24\"], " \
	"\"preshared_key\": \"" PSK2 "\"}"
#define PC "{\"public_key\": \"" K3 "\", \"allowed_ips\": [\"10.0.3.0/24\"]}"

#define DOC(daemon, peers)                                         \
	"{\"daemon\": {\"private_key\": \"" PRIV "\"" daemon "}, " \
	"\"peers\": [" peers "]}"

enum { MAXP = 4 };

struct diff_case {
	const char *old, *neu;
	/* expected, -1 terminated: new indices added, old indices removed,
	 * new indices changed with the change masks in the same order */
	int added[MAXP], removed[MAXP], changed[MAXP];
	unsigned masks[MAXP];
	size_t unchanged;
	const char *restart; /* paths joined by ' ', "" for none */
	const char *live;
};

#define NONE       \
	{          \
		-1 \
	}

static const struct diff_case cases[] = {
	/* 0 */ { DOC("", PA "," PB), DOC("", PA "," PB), NONE, NONE, NONE, { 0 }, 2, "", "" },
	{ DOC("", PA "," PB), DOC("", PB "," PA_IPS_REORDERED), NONE, NONE, NONE, { 0 }, 2, "", "" },
	{ DOC("", PA), DOC("", PA "," PB), { 1, -1 }, NONE, NONE, { 0 }, 1, "", "" },
	{ DOC("", PA "," PB), DOC("", PB), NONE, { 0, -1 }, NONE, { 0 }, 1, "", "" },
	{ DOC("", PA "," PB),
	  DOC("", PC "," PA_EP),
	  { 0, -1 },
	  { 1, -1 },
	  { 1, -1 },
	  { CFG_PEER_CHANGED_ENDPOINT },
	  0,
	  "",
	  "" },
	/* 5 */
	{ DOC("", PA),
	  DOC("", PA_IPS),
	  NONE,
	  NONE,
	  { 0, -1 },
	  { CFG_PEER_CHANGED_ALLOWED_IPS },
	  0,
	  "",
	  "" },
	{ DOC("", PA "," PB),
	  DOC("", PA "," PB_KA),
	  NONE,
	  NONE,
	  { 1, -1 },
	  { CFG_PEER_CHANGED_KEEPALIVE },
	  1,
	  "",
	  "" },
	{ DOC("", PB), DOC("", PB_PSK), NONE, NONE, { 0, -1 }, { CFG_PEER_CHANGED_PSK }, 0, "", "" },
	{ DOC("", PB_PSK),
	  DOC("", PB_PSK2),
	  NONE,
	  NONE,
	  { 0, -1 },
	  { CFG_PEER_CHANGED_PSK },
	  0,
	  "",
	  "" },
	{ DOC("", PB_PSK), DOC("", PB), NONE, NONE, { 0, -1 }, { CFG_PEER_CHANGED_PSK }, 0, "", "" },
	/* 10 */
	{ DOC("", PA),
	  DOC("", PA_ALL),
	  NONE,
	  NONE,
	  { 0, -1 },
	  { CFG_PEER_CHANGED_ENDPOINT | CFG_PEER_CHANGED_ALLOWED_IPS | CFG_PEER_CHANGED_KEEPALIVE |
	    CFG_PEER_CHANGED_PSK },
	  0,
	  "",
	  "" },
	{ DOC("", PA "," PB "," PC), DOC("", ""), NONE, { 0, 1, 2, -1 }, NONE, { 0 }, 0, "", "" },
	{ DOC("", ""), DOC("", PC "," PB "," PA), { 0, 1, 2, -1 }, NONE, NONE, { 0 }, 0, "", "" },
	/* settings */
	{ DOC(", \"port\": 1", PA),
	  DOC(", \"port\": 2, \"mtu\": 1400", PA),
	  NONE,
	  NONE,
	  NONE,
	  { 0 },
	  1,
	  "daemon.port daemon.mtu",
	  "" },
	{ DOC(", \"log_level\": \"info\"", ""),
	  DOC(", \"log_level\": \"debug\"", ""),
	  NONE,
	  NONE,
	  NONE,
	  { 0 },
	  0,
	  "",
	  "daemon.log_level" },
	/* 15 */
	{ DOC(", \"addresses\": [\"10.0.0.1/24\", \"fd00::1/64\"]", ""),
	  DOC(", \"addresses\": [\"fd00::1/64\", \"10.0.0.1/24\"]", ""),
	  NONE,
	  NONE,
	  NONE,
	  { 0 },
	  0,
	  "",
	  "" },
	{ DOC(", \"addresses\": [\"10.0.0.1/24\"]", ""),
	  DOC(", \"addresses\": [\"10.0.0.2/24\"]", ""),
	  NONE,
	  NONE,
	  NONE,
	  { 0 },
	  0,
	  "daemon.addresses",
	  "" },
	{ "{\"daemon\": {\"private_key\": \"" PRIV "\"}}",
	  "{\"daemon\": {\"private_key\": \"" PRIV2 "\"}}",
	  NONE,
	  NONE,
	  NONE,
	  { 0 },
	  0,
	  "daemon.private_key",
	  "" },
	{ "{\"security\": {\"secret\": \"0123456789abcdef\"}, \"network\": {\"vip\": \"10.1.0.1\"}}",
	  "{\"security\": {\"secret\": \"0123456789abcdeF\"}, \"network\": {\"vip\": \"10.1.0.2\"}}",
	  NONE,
	  NONE,
	  NONE,
	  { 0 },
	  0,
	  "network.vip security.secret",
	  "" },
	{ "{\"dpdk\": {\"lcores\": 2, \"eal_args\": [\"-n\", \"4\"]}, \"metrics\": {\"listen\": \"\"}}",
	  "{\"dpdk\": {\"lcores\": \"0-1\", \"eal_args\": [\"-n\", \"2\"]}}",
	  NONE,
	  NONE,
	  NONE,
	  { 0 },
	  0,
	  "dpdk.lcores dpdk.eal_args metrics.listen",
	  "" },
	/* 20 */
	{ "{\"nucleus\": {\"clusters\": [{\"name\": \"a\", \"secret\": \"0123456789abcdef\"}]}}",
	  "{\"mode\": \"nucleus\", \"nucleus\": {\"port\": 1, \"clusters\": [{\"name\": \"a\", "
	  "\"secret\": \"0123456789abcdeX\"}]}}",
	  NONE,
	  NONE,
	  NONE,
	  { 0 },
	  0,
	  "mode nucleus.port nucleus.clusters",
	  "" },
};

static void parse(const char *doc, struct cfg_config *cfg)
{
	char err[CFG_CONFIG_ERR_MAX];

	if (cfg_json_parse_buffer("t.json", doc, strlen(doc), CFG_VALUE_NO_RESOLVE, cfg, err,
				  sizeof(err)) != 0)
		fail_msg("%s", err);
}

static void expect_indices(size_t i, const char *what, const int *want,
			   const struct cfg_peer_delta *got, size_t n, bool by_old)
{
	size_t k = 0;

	for (; k < MAXP && want[k] >= 0; k++) {
		if (k >= n || (by_old ? got[k].old_index : got[k].new_index) != (size_t)want[k])
			fail_msg("case %zu: %s[%zu]: want index %d", i, what, k, want[k]);
	}
	if (n != k)
		fail_msg("case %zu: %zu %s, want %zu", i, n, what, k);
}

static void expect_paths(size_t i, const char *want, const char **got, size_t n)
{
	char joined[512] = "";

	for (size_t k = 0; k < n; k++)
		snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s%s",
			 k ? " " : "", got[k]);
	if (strcmp(joined, want) != 0)
		fail_msg("case %zu: paths \"%s\", want \"%s\"", i, joined, want);
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct diff_case *c = &cases[i];
		struct cfg_config old, neu;
		struct cfg_config_diff d;

		parse(c->old, &old);
		parse(c->neu, &neu);
		assert_int_equal(cfg_config_diff(&old, &neu, &d), 0);
		expect_indices(i, "added", c->added, d.added, d.n_added, false);
		expect_indices(i, "removed", c->removed, d.removed, d.n_removed, true);
		expect_indices(i, "changed", c->changed, d.changed, d.n_changed, false);
		for (size_t k = 0; k < d.n_changed; k++) {
			if (d.changed[k].changed != c->masks[k])
				fail_msg("case %zu: change %zu mask %#x, want %#x", i, k,
					 d.changed[k].changed, c->masks[k]);
			if (memcmp(old.peers[d.changed[k].old_index].public_key,
				   neu.peers[d.changed[k].new_index].public_key, WG_KEY_LEN) != 0)
				fail_msg("case %zu: change %zu pairs two different peers", i, k);
		}
		if (d.n_unchanged != c->unchanged)
			fail_msg("case %zu: %zu unchanged, want %zu", i, d.n_unchanged,
				 c->unchanged);
		expect_paths(i, c->restart, d.restart, d.n_restart);
		expect_paths(i, c->live, d.live, d.n_live);
		assert_int_equal(cfg_config_diff_empty(&d), !d.n_added && !d.n_removed &&
								    !d.n_changed && !*c->restart &&
								    !*c->live);
		cfg_config_diff_free(&d);
		cfg_config_free(&old);
		cfg_config_free(&neu);
	}
}

/* A running edge wipes its private key: that is not a change. */
static void test_wiped_private_key(void **state)
{
	struct cfg_config old, neu;
	struct cfg_config_diff d;

	(void)state;
	parse("{\"daemon\": {\"private_key\": \"" PRIV "\"}}", &old);
	parse("{\"daemon\": {\"private_key\": \"" PRIV2 "\"}}", &neu);
	memset(old.iface.private_key, 0, WG_KEY_LEN);
	assert_int_equal(cfg_config_diff(&old, &neu, &d), 0);
	assert_true(cfg_config_diff_empty(&d));
	cfg_config_diff_free(&d);
	cfg_config_free(&old);
	cfg_config_free(&neu);
}

static void test_change_names(void **state)
{
	char text[128];

	(void)state;
	cfg_peer_change_names(CFG_PEER_CHANGED_ENDPOINT | CFG_PEER_CHANGED_PSK, text, sizeof(text));
	assert_string_equal(text, "endpoint, preshared_key");
	cfg_peer_change_names(0, text, sizeof(text));
	assert_string_equal(text, "");
	cfg_peer_change_names(CFG_PEER_CHANGED_ALLOWED_IPS | CFG_PEER_CHANGED_KEEPALIVE, text,
			      sizeof(text));
	assert_string_equal(text, "allowed_ips, persistent_keepalive");
}

static void test_print(void **state)
{
	struct cfg_config old, neu;
	struct cfg_config_diff d;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	parse(DOC(", \"port\": 1", PA "," PB), &old);
	parse(DOC(", \"port\": 2, \"log_level\": \"debug\"", PC "," PA_EP), &neu);
	assert_int_equal(cfg_config_diff(&old, &neu, &d), 0);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	cfg_config_diff_print(&d, &old, &neu, f);
	fclose(f);
	assert_string_equal(text, "peer added: wIk71Bhy... (peers[0])\n"
				  "peer removed: jN0gh3pc...\n"
				  "peer changed: aEwPCz4a... (endpoint)\n"
				  "needs a restart: daemon.port\n"
				  "changed live: daemon.log_level\n");
	free(text);
	cfg_config_diff_free(&d);
	assert_int_equal(cfg_config_diff(&old, &old, &d), 0);
	f = open_memstream(&text, &len);
	cfg_config_diff_print(&d, &old, &old, f);
	fclose(f);
	assert_string_equal(text, "no change\n");
	free(text);
	cfg_config_diff_free(&d);
	cfg_config_free(&old);
	cfg_config_free(&neu);
}

/* ---- many peers against a naive reference -------------------------------- */

enum { N_PEERS = 300 };

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

static void add_peer(struct cfg_config *cfg, unsigned id, unsigned keepalive)
{
	struct cfg_peer *p = cfg_config_add_peer(cfg);
	struct net_prefix pfx = { .addr.family = NET_AF_IP4, .len = 32 };

	assert_non_null(p);
	memset(p->public_key, 0, WG_KEY_LEN);
	memcpy(p->public_key, &id, sizeof(id));
	p->has_public_key = true;
	p->persistent_keepalive = (uint16_t)keepalive;
	pfx.addr.b[0] = 10;
	memcpy(&pfx.addr.b[1], &id, 3);
	assert_int_equal(cfg_peer_add_allowed_ip(p, &pfx), 0);
}

static size_t find(const struct cfg_config *cfg, const uint8_t *key)
{
	for (size_t i = 0; i < cfg->n_peers; i++) {
		if (memcmp(cfg->peers[i].public_key, key, WG_KEY_LEN) == 0)
			return i;
	}
	return SIZE_MAX;
}

static void test_many_peers(void **state)
{
	struct cfg_config old, neu;
	struct cfg_config_diff d;
	size_t added = 0, removed = 0, changed = 0, unchanged = 0;

	(void)state;
	cfg_config_init(&old);
	cfg_config_init(&neu);
	for (unsigned id = 0; id < N_PEERS; id++) {
		uint32_t r = rnd() % 4; /* 0 removed, 1 changed, else unchanged */

		add_peer(&old, id, 0);
		if (r != 0)
			add_peer(&neu, id, r == 1 ? 25 : 0);
	}
	for (unsigned id = N_PEERS; id < N_PEERS + 50; id++)
		add_peer(&neu, id, 0);
	/* Shuffle the new file's order: order must not matter. */
	for (size_t i = neu.n_peers - 1; i > 0; i--) {
		size_t j = rnd() % (i + 1);
		struct cfg_peer t = neu.peers[i];

		neu.peers[i] = neu.peers[j];
		neu.peers[j] = t;
	}
	assert_int_equal(cfg_config_diff(&old, &neu, &d), 0);
	/* The reference: every new peer looked up in the old list, and back. */
	for (size_t i = 0; i < neu.n_peers; i++) {
		size_t o = find(&old, neu.peers[i].public_key);

		if (o == SIZE_MAX)
			added++;
		else if (old.peers[o].persistent_keepalive != neu.peers[i].persistent_keepalive)
			changed++;
		else
			unchanged++;
	}
	for (size_t i = 0; i < old.n_peers; i++)
		removed += find(&neu, old.peers[i].public_key) == SIZE_MAX;
	assert_int_equal(d.n_added, added);
	assert_int_equal(d.n_removed, removed);
	assert_int_equal(d.n_changed, changed);
	assert_int_equal(d.n_unchanged, unchanged);
	assert_int_equal(added, 50);
	for (size_t k = 0; k < d.n_added; k++)
		assert_int_equal(find(&old, neu.peers[d.added[k].new_index].public_key), SIZE_MAX);
	for (size_t k = 0; k < d.n_removed; k++)
		assert_int_equal(find(&neu, old.peers[d.removed[k].old_index].public_key),
				 SIZE_MAX);
	for (size_t k = 0; k < d.n_changed; k++) {
		assert_int_equal(d.changed[k].changed, CFG_PEER_CHANGED_KEEPALIVE);
		assert_int_equal(find(&old, neu.peers[d.changed[k].new_index].public_key),
				 d.changed[k].old_index);
		if (k)
			assert_true(d.changed[k - 1].new_index < d.changed[k].new_index);
	}
	cfg_config_diff_free(&d);
	cfg_config_free(&old);
	cfg_config_free(&neu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),        cmocka_unit_test(test_wiped_private_key),
		cmocka_unit_test(test_change_names), cmocka_unit_test(test_print),
		cmocka_unit_test(test_many_peers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

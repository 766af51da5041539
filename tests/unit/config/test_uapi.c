/* SPDX-License-Identifier: MIT */
/*
 * wg(8)'s set requests (config/uapi.h): a numbered table of valid requests
 * with what they read, a numbered table of malformed ones with
 * wireguard-go's errno and the words of the message (never a key), and the
 * application to a set of peers (create, update_only, remove, replace,
 * allowed IPs moving between peers, the interface's own key, learned
 * peers).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "uapi.h"

#define HEX_A "0101010101010101010101010101010101010101010101010101010101010101"
#define HEX_B "0202020202020202020202020202020202020202020202020202020202020202"
#define HEX_C "0303030303030303030303030303030303030303030303030303030303030303"
#define HEX_D "0404040404040404040404040404040404040404040404040404040404040404"
#define HEX_Z "0000000000000000000000000000000000000000000000000000000000000000"
#define SECRET "a8b7c6d5e4f30211a8b7c6d5e4f30211a8b7c6d5e4f30211a8b7c6d5e4f30211"

static int parse(const char *text, struct cfg_uapi_set *s, char *err, size_t len)
{
	return cfg_uapi_parse_set(text, strlen(text), s, err, len);
}

static const struct {
	const char *text;
	size_t peers, allowed; /* peer blocks; allowed IPs of the last */
} good[] = {
	/* 1 */ { "", 0, 0 },
	/* 2 */ { "private_key=" SECRET "\nlisten_port=51820\nfwmark=0\nreplace_peers=true\n", 0, 0 },
	/* 3 */ { "public_key=" HEX_A "\n", 1, 0 },
	/* 4 */ { "public_key=" HEX_A "\nendpoint=192.0.2.1:51820\nallowed_ip=10.0.0.0/8\n", 1, 1 },
	/* 5 */ { "public_key=" HEX_A "\nendpoint=[2001:db8::1]:51820\nallowed_ip=fd00::/64\n", 1, 1 },
	/* 6 */
	{ "public_key=" HEX_A "\nallowed_ip=10.0.0.1/8\nreplace_allowed_ips=true\n"
	  "allowed_ip=10.1.0.0/16\nallowed_ip=10.1.0.0/16\n",
	  1, 1 },
	/* 7 */
	{ "public_key=" HEX_A "\npreshared_key=" SECRET "\n"
	  "persistent_keepalive_interval=25\nprotocol_version=1\n",
	  1, 0 },
	/* 8 */ { "public_key=" HEX_A "\nremove=true\nallowed_ip=10.0.0.0/8\n", 1, 0 },
	/* 9 */ { "public_key=" HEX_A "\nupdate_only=true\npublic_key=" HEX_B "\n", 2, 0 },
	/* 10 */ { "public_key=" HEX_A "\npreshared_key=" HEX_Z "\n", 1, 0 },
	/* 11 */
	{ "listen_port=65535\npublic_key=" HEX_A "\n"
	  "persistent_keepalive_interval=0\n",
	  1, 0 },
	/* 12 */ { "public_key=" HEX_A "\nallowed_ip=0.0.0.0/0\nallowed_ip=::/0\n", 1, 2 },
};

static void test_good(void **state)
{
	char err[256];
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct cfg_uapi_set s;
		int ret = parse(good[i].text, &s, err, sizeof(err));

		if (ret != 0)
			fail_msg("good %u: %d %s", i + 1, ret, err);
		assert_int_equal(s.n_peers, good[i].peers);
		if (s.n_peers)
			assert_int_equal(s.peers[s.n_peers - 1].n_allowed_ips, good[i].allowed);
		cfg_uapi_set_free(&s);
	}
}

static void test_values(void **state)
{
	char err[256], text[NET_PREFIX_TEXT_MAX];
	struct cfg_uapi_set s;

	(void)state;
	assert_int_equal(parse(good[6].text, &s, err, sizeof(err)), 0);
	assert_true(s.peers[0].has_psk && s.peers[0].has_keepalive);
	assert_int_equal(s.peers[0].keepalive, 25);
	assert_int_equal(s.peers[0].psk[0], 0xa8);
	cfg_uapi_set_free(&s);
	assert_int_equal(parse(good[5].text, &s, err, sizeof(err)), 0);
	assert_true(s.peers[0].replace_allowed_ips);
	net_prefix_format(&s.peers[0].allowed_ips[0], text);
	assert_string_equal(text, "10.1.0.0/16");
	cfg_uapi_set_free(&s);
	assert_int_equal(parse(good[1].text, &s, err, sizeof(err)), 0);
	assert_true(s.has_private_key && s.has_listen_port && s.has_fwmark && s.replace_peers);
	assert_int_equal(s.listen_port, 51820);
	assert_int_equal(s.private_key[0], 0xa8);
	cfg_uapi_set_free(&s);
	assert_int_equal(parse(good[7].text, &s, err, sizeof(err)), 0);
	assert_true(s.peers[0].remove);
	assert_int_equal(s.peers[0].n_allowed_ips, 0); /* void after remove */
	cfg_uapi_set_free(&s);
}

static const struct {
	const char *text;
	int err;
	const char *want1, *want2;
} bad[] = {
	/* 1 */ { "hello\n", -EPROTO, "line 2", "key=value" },
	/* 2 */ { "foo=bar\n", -EINVAL, "\"foo\"", "not a key of the interface" },
	/* 3 */ { "allowed_ip=10.0.0.0/8\n", -EINVAL, "allowed_ip", "before any public_key" },
	/* 4 */ { "public_key=" HEX_A "\nlisten_port=1\n", -EINVAL, "line 3", "not a key of a peer" },
	/* 5 */ { "public_key=" HEX_A "zz\n", -EINVAL, "public_key", "64 hex digits" },
	/* 6 */ { "public_key=0g" HEX_A "\n", -EINVAL, "public_key", "64 hex" },
	/* 7 */ { "public_key=" HEX_Z "\n", -EINVAL, "public_key", "all zeros" },
	/* 8 */ { "private_key=abcd\n", -EINVAL, "private_key", "64 hex digits" },
	/* 9 */ { "listen_port=65536\n", -EINVAL, "listen_port \"65536\"", "out of range" },
	/* 10 */ { "listen_port=-1\n", -EINVAL, "listen_port", "not a number" },
	/* 11 */ { "listen_port=\n", -EINVAL, "listen_port", "not a number" },
	/* 12 */ { "fwmark=4294967296\n", -EINVAL, "fwmark", "out of range" },
	/* 13 */ { "replace_peers=false\n", -EINVAL, "replace_peers", "\"true\"" },
	/* 14 */ { "public_key=" HEX_A "\nendpoint=192.0.2.1\n", -EINVAL, "endpoint", "IP:PORT" },
	/* 15 */ { "public_key=" HEX_A "\nendpoint=host.example:1\n", -EINVAL, "endpoint", "" },
	/* 16 */ { "public_key=" HEX_A "\nendpoint=192.0.2.1:0\n", -EINVAL, "endpoint", "" },
	/* 17 */ { "public_key=" HEX_A "\nallowed_ip=10.0.0.1\n", -EINVAL, "allowed_ip", "" },
	/* 18 */ { "public_key=" HEX_A "\nallowed_ip=10.0.0.0/33\n", -EINVAL, "allowed_ip", "" },
	/* 19 */ { "public_key=" HEX_A "\nallowed_ip=10.0.0.300/32\n", -EINVAL, "allowed_ip", "" },
	/* 20 */
	{ "public_key=" HEX_A "\npersistent_keepalive_interval=70000\n", -EINVAL,
	  "persistent_keepalive_interval", "out of range" },
	/* 21 */
	{ "public_key=" HEX_A "\nprotocol_version=2\n", -EINVAL, "protocol_version", "version 1" },
	/* 22 */ { "public_key=" HEX_A "\nremove=yes\n", -EINVAL, "remove", "\"true\"" },
	/* 23 */ { "public_key=" HEX_A "\nupdate_only=1\n", -EINVAL, "update_only", "" },
	/* 24 */ { "public_key=" HEX_A "\nreplace_allowed_ips=\n", -EINVAL, "replace_allowed", "" },
	/* 25 */
	{ "public_key=" HEX_A "\npreshared_key=" HEX_A "0\n", -EINVAL, "preshared_key", "64 hex" },
	/* 26 */
	{ "public_key=" HEX_A "\nremove=true\nallowed_ip=nonsense\n", -EINVAL, "line 4",
	  "allowed_ip" },
	/* 27 */ { "public_key=" HEX_A "\nallowed_ip=10.0.0.0/8\nbogus\n", -EPROTO, "line 4", "" },
	/* 28 */ { "=\n", -EINVAL, "\"\"", "" },
	/* 29 */ { "public_key=" HEX_A "\n\n", -EPROTO, "line 3", "" },
};

static void test_bad(void **state)
{
	char err[256];
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cfg_uapi_set s;
		int ret = parse(bad[i].text, &s, err, sizeof(err));

		if (ret != bad[i].err || !strstr(err, bad[i].want1) || !strstr(err, bad[i].want2))
			fail_msg("bad %u: %d \"%s\"", i + 1, ret, err);
		if (strstr(err, "0101") || strstr(err, "a8b7"))
			fail_msg("bad %u: a key in the message: %s", i + 1, err);
		assert_int_equal(s.n_peers, 0);
		assert_null(s.peers);
	}
}

static void test_long_and_nul(void **state)
{
	char text[CFG_UAPI_LINE_MAX + 32], err[256];
	struct cfg_uapi_set s;

	(void)state;
	memset(text, 'x', sizeof(text));
	memcpy(text, "fwmark=", 7);
	assert_int_equal(cfg_uapi_parse_set(text, sizeof(text), &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "too long"));
	memcpy(text, "fwmark=1\0\n", 10);
	assert_int_equal(cfg_uapi_parse_set(text, 9, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "NUL"));
	/* No newline at the end: the last line still counts. */
	assert_int_equal(cfg_uapi_parse_set("fwmark=7", 8, &s, err, sizeof(err)), 0);
	assert_int_equal(s.fwmark, 7);
	cfg_uapi_set_free(&s);
}

/* ---- apply ---- */

static void key_of(uint8_t k[WG_KEY_LEN], uint8_t b)
{
	memset(k, b, WG_KEY_LEN);
}

static void add_peer(struct cfg_peer *p, uint8_t b, const char *pfx, bool learned)
{
	struct net_prefix x;
	const char *why;

	memset(p, 0, sizeof(*p));
	key_of(p->public_key, b);
	p->has_public_key = true;
	p->learned = learned;
	assert_int_equal(net_prefix_parse(pfx, &x, &why), 0);
	assert_int_equal(cfg_peer_add_allowed_ip(p, &x), 0);
}

static const struct cfg_peer *by_key(const struct cfg_peer *p, size_t n, uint8_t b)
{
	uint8_t k[WG_KEY_LEN];

	key_of(k, b);
	for (size_t i = 0; i < n; i++)
		if (memcmp(p[i].public_key, k, WG_KEY_LEN) == 0)
			return &p[i];
	return NULL;
}

/* Runs text against peers 1 (10.1.0.0/16), 2 (10.2.0.0/16) and a learned
 * 3 (10.200.0.3/32), own key 9. */
static void run(const char *text, struct cfg_peer **out, size_t *n)
{
	struct cfg_peer cur[3];
	struct cfg_uapi_set s;
	uint8_t own[WG_KEY_LEN];
	char err[256];

	add_peer(&cur[0], 1, "10.1.0.0/16", false);
	add_peer(&cur[1], 2, "10.2.0.0/16", false);
	add_peer(&cur[2], 3, "10.200.0.3/32", true);
	key_of(own, 9);
	if (parse(text, &s, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(cfg_uapi_apply(&s, cur, 3, own, out, n), 0);
	cfg_uapi_set_free(&s);
	for (int i = 0; i < 3; i++)
		cfg_peer_clear(&cur[i]);
}

#define HEX_9 "0909090909090909090909090909090909090909090909090909090909090909"

static void test_apply(void **state)
{
	const struct cfg_peer *q;
	struct cfg_peer *p;
	size_t n;

	(void)state;
	/* Nothing: the same three, in order. */
	run("", &p, &n);
	assert_int_equal(n, 3);
	assert_true(p[2].learned);
	cfg_uapi_peers_free(p, n);
	/* A new peer with an endpoint, keepalive and one of peer 2's prefixes. */
	run("public_key=" HEX_D "\nendpoint=192.0.2.3:51820\npersistent_keepalive_interval=25\n"
	    "allowed_ip=10.2.0.0/16\n",
	    &p, &n);
	assert_int_equal(n, 4);
	q = by_key(p, n, 4);
	assert_non_null(q);
	assert_int_equal(q->persistent_keepalive, 25);
	assert_int_equal(q->endpoint.addr.ss_family, AF_INET);
	assert_true(by_key(p, n, 3)->learned);               /* untouched */
	assert_int_equal(by_key(p, n, 2)->n_allowed_ips, 0); /* moved away */
	cfg_uapi_peers_free(p, n);
	/* update_only never creates; remove of an unknown peer is nothing. */
	run("public_key=" HEX_D "\nupdate_only=true\nallowed_ip=10.9.0.0/16\n"
	    "public_key=0505050505050505050505050505050505050505050505050505050505050505\n"
	    "remove=true\n",
	    &p, &n);
	assert_int_equal(n, 3);
	cfg_uapi_peers_free(p, n);
	/* replace_peers keeps the learned one; remove drops it. */
	run("replace_peers=true\n", &p, &n);
	assert_int_equal(n, 1);
	assert_true(p[0].learned);
	cfg_uapi_peers_free(p, n);
	run("public_key=" HEX_C "\nremove=true\n", &p, &n);
	assert_int_equal(n, 2);
	assert_null(by_key(p, n, 3));
	cfg_uapi_peers_free(p, n);
	/* A block that changes a learned peer takes it over, configured ... */
	run("public_key=" HEX_C "\npersistent_keepalive_interval=5\n", &p, &n);
	assert_false(by_key(p, n, 3)->learned);
	cfg_uapi_peers_free(p, n);
	/* ... one that says what it has (setconf of showconf) leaves it. */
	run("replace_peers=true\npublic_key=" HEX_C "\nendpoint=192.0.2.3:51820\n"
	    "persistent_keepalive_interval=0\nreplace_allowed_ips=true\n"
	    "allowed_ip=10.200.0.3/32\n",
	    &p, &n);
	assert_int_equal(n, 1);
	assert_true(p[0].learned);
	assert_int_equal(p[0].endpoint.addr.ss_family, AF_UNSPEC);
	cfg_uapi_peers_free(p, n);
	/* The interface's own key: read, ignored. */
	run("public_key=" HEX_9 "\nallowed_ip=10.9.0.0/16\n", &p, &n);
	assert_int_equal(n, 3);
	cfg_uapi_peers_free(p, n);
	/* replace_allowed_ips, and a preshared key set then cleared. */
	run("public_key=" HEX_A "\npreshared_key=" SECRET "\nreplace_allowed_ips=true\n"
	    "allowed_ip=10.5.0.0/16\npublic_key=" HEX_B "\npreshared_key=" HEX_Z "\n",
	    &p, &n);
	q = by_key(p, n, 1);
	assert_true(q->has_preshared_key);
	assert_int_equal(q->n_allowed_ips, 1);
	assert_false(by_key(p, n, 2)->has_preshared_key);
	cfg_uapi_peers_free(p, n);
}

static void test_hex(void **state)
{
	uint8_t k[WG_KEY_LEN];
	char hex[2 * WG_KEY_LEN + 1];

	(void)state;
	key_of(k, 0xab);
	cfg_uapi_key_hex(hex, k);
	assert_int_equal(strlen(hex), 64);
	assert_memory_equal(hex, "abababab", 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),  cmocka_unit_test(test_values),
		cmocka_unit_test(test_bad),   cmocka_unit_test(test_long_and_nul),
		cmocka_unit_test(test_apply), cmocka_unit_test(test_hex),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

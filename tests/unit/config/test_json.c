/* SPDX-License-Identifier: MIT */
/*
 * JSON reader (config/json.c, json_keys.c), secret files (secrets.c),
 * validation of JSON models (validate.c) and the printer (print.c):
 *
 *   - a document with every key parsed to the expected model;
 *   - a numbered table of good values, one or more per key, each checked
 *     to parse;
 *   - a numbered table of bad documents, one or more per key, each with the
 *     exact "FILE: PATH: " its message must start with and a fragment it
 *     must contain (and for a few, the whole message);
 *   - unknown keys (top level, nested, in a list item) and suggestions;
 *   - syntax errors with LINE:COLUMN; a bad file hands back an empty model;
 *   - secrets never in a message; secret files and their permissions;
 *   - the example files in config/examples parse and validate.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "json.h"
#include "model.h"
#include "print.h"
#include "secrets.h"
#include "value.h"
#include "wg/key.h"

/* Made with `wg genkey`, `wg pubkey` and `wg genpsk`. */
#define PRIV "+Gxy1L3JWZHYYZFTF+8KJ9U8x06TFC60ggogpCDH6WU="
#define PUB "wIk71BhyN4ElHi6LLLNZqmaLb3katVYEsHVXzWmO9ys=" /* of PRIV */
#define PEER1 "aEwPCz4aexTpO7C3pCQgOz8ORSMiO7pzroxzMWgjKxo="
#define PEER2 "jN0gh3pcUibmLmLa5+F1DRYe/AiwbRvugP3gygQWyWI="
#define PSK "QZUd3rOML2VQzME0Hxaqe5OLTmj5b/fAZSemZTSX98M="
#define SECRET "correct-horse-battery-staple"

static const char full_doc[] =
	"{\n"
	"  \"_comment\": [\"every key once\", \"or more\"],\n"
	"  \"mode\": \"edge\",\n"
	"  \"dpdk\": { \"lcores\": \"0-2\", \"devices\": [\"0000:03:00.0\", \"net_null0\"],\n"
	"            \"memory_mb\": 512, \"hugepages\": false, \"eal_args\": [\"--no-telemetry\"] },\n"
	"  \"daemon\": { \"_comment\": \"the edge itself\", \"port\": 51821, \"interface\": \"eth1\",\n"
	"              \"host_interface\": \"omni7\", \"host_port\": \"virtio-user\",\n"
	"              \"private_key\": \"" PRIV "\",\n"
	"              \"addresses\": [\"10.77.0.1/24\", \"fd00:77::1/64\"], \"mtu\": 1380,\n"
	"              \"log_level\": \"debug\" },\n"
	"  \"network\": { \"nucleus\": \"nucleus.example.com:51820\", \"cluster\": \"my-network\",\n"
	"               \"vip\": \"10.200.0.1\", \"vip6\": \"fd00::1\",\n"
	"               \"stun_servers\": [\"stun.example.com:3478\", \"[2001:db8::3]:3478\"],\n"
	"               \"use_builtin_stun\": false, \"prefer_ipv6\": true,\n"
	"               \"happy_eyeballs_delay_ms\": 100 },\n"
	"  \"security\": { \"max_sessions_per_ip\": 20, \"handshake_timeout_secs\": 5,\n"
	"                \"encrypt_signaling\": false, \"secret\": \"" SECRET "\" },\n"
	"  \"peers\": [\n"
	"    { \"public_key\": \"" PEER1 "\", \"endpoint\": \"[2001:db8::2]:51820\",\n"
	"      \"allowed_ips\": [\"10.77.0.2/32\", \"192.0.2.0/24\"],\n"
	"      \"persistent_keepalive\": 25, \"preshared_key\": \"" PSK "\" },\n"
	"    { \"public_key\": \"" PEER2 "\", \"endpoint\": \"198.51.100.7:51822\",\n"
	"      \"allowed_ips\": [\"10.77.0.3/32\"], \"preshared_key_file\": \"psk/b.key\" }\n"
	"  ],\n"
	"  \"metrics\": { \"listen\": \"[::1]:9586\" },\n"
	"  \"nucleus\": { \"port\": 51830, \"clusters\": [\n"
	"    { \"name\": \"a\", \"secret\": \"" SECRET "\" },\n"
	"    { \"name\": \"b\", \"secret_file\": \"/etc/omninervous/b.secret\" } ] }\n"
	"}\n";

static int parse(const char *text, struct cfg_config *cfg, char *err)
{
	return cfg_json_parse_buffer("dir/t.json", text, strlen(text), CFG_VALUE_NO_RESOLVE, cfg,
				     err, CFG_CONFIG_ERR_MAX);
}

static void prefix_eq(const struct net_prefix *p, const char *text)
{
	char got[NET_PREFIX_TEXT_MAX];

	net_prefix_format(p, got);
	assert_string_equal(got, text);
}

static void key_eq(const uint8_t key[WG_KEY_LEN], const char *b64)
{
	char text[WG_KEY_B64_LEN + 1];

	wg_key_to_base64(text, key);
	assert_string_equal(text, b64);
}

static void test_full_document(void **state)
{
	char err[CFG_CONFIG_ERR_MAX], ep[CFG_ADDR_TEXT_MAX];
	struct cfg_config cfg;
	const struct cfg_peer *p;

	(void)state;
	assert_int_equal(parse(full_doc, &cfg, err), 0);
	assert_int_equal(cfg.format, CFG_FORMAT_JSON);
	assert_string_equal(cfg.source, "dir/t.json");
	assert_int_equal(cfg.mode, CFG_MODE_EDGE);
	assert_string_equal(cfg.dpdk.lcores, "0-2");
	assert_int_equal(cfg.dpdk.n_devices, 2);
	assert_string_equal(cfg.dpdk.devices[1], "net_null0");
	assert_int_equal(cfg.dpdk.memory_mb, 512);
	assert_int_equal(cfg.dpdk.hugepages, CFG_OFF);
	assert_int_equal(cfg.dpdk.n_eal_args, 1);
	assert_int_equal(cfg.iface.listen_port, 51821);
	assert_string_equal(cfg.iface.underlay, "eth1");
	assert_string_equal(cfg.iface.host_port_name, "omni7");
	assert_int_equal(cfg.iface.host_port_kind, CFG_HOST_PORT_VIRTIO_USER);
	key_eq(cfg.iface.private_key, PRIV);
	assert_int_equal(cfg.iface.n_addresses, 2);
	prefix_eq(&cfg.iface.addresses[1], "fd00:77::1/64");
	assert_int_equal(cfg.iface.mtu, 1380);
	assert_int_equal(cfg.log_level, CFG_LOG_DEBUG);
	assert_string_equal(cfg.network.nucleus, "nucleus.example.com:51820");
	assert_string_equal(cfg.network.cluster, "my-network");
	/* No length: the seeds' cluster network 10.200.0.0/16 gives it. */
	prefix_eq(&cfg.network.vip, "10.200.0.1/16");
	prefix_eq(&cfg.network.vip6, "fd00::1/128");
	assert_int_equal(cfg.network.n_stun_servers, 2);
	assert_false(cfg.network.use_builtin_stun);
	assert_true(cfg.network.prefer_ipv6);
	assert_int_equal(cfg.network.happy_eyeballs_delay_ms, 100);
	assert_int_equal(cfg.security.max_sessions_per_ip, 20);
	assert_int_equal(cfg.security.handshake_timeout_secs, 5);
	assert_false(cfg.security.encrypt_signaling);
	assert_string_equal(cfg.security.secret, SECRET);
	assert_int_equal(cfg.n_peers, 2);
	p = &cfg.peers[0];
	key_eq(p->public_key, PEER1);
	key_eq(p->preshared_key, PSK);
	cfg_sockaddr_format(&p->endpoint.addr, ep);
	assert_string_equal(ep, "[2001:db8::2]:51820");
	assert_int_equal(p->n_allowed_ips, 2);
	assert_int_equal(p->persistent_keepalive, 25);
	/* A relative file name is taken from the configuration file's directory. */
	assert_string_equal(cfg.peers[1].preshared_key_file, "dir/psk/b.key");
	assert_false(cfg.peers[1].has_preshared_key);
	assert_string_equal(cfg.metrics.listen, "[::1]:9586");
	assert_int_equal(cfg.nucleus.port, 51830);
	assert_int_equal(cfg.nucleus.n_clusters, 2);
	assert_string_equal(cfg.nucleus.clusters[1].secret_file, "/etc/omninervous/b.secret");
	/* The second peer's key file has not been read: validation says so. */
	assert_int_equal(cfg_config_validate(&cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "peers[1] (jN0gh3pc...): preshared_key_file has not been"));
	cfg.peers[1].has_preshared_key = true;
	assert_int_equal(cfg_config_validate(&cfg, err, sizeof(err)), 0);
	cfg_config_free(&cfg);
}

/* A VIP without /LEN: the seeds' cluster network's length when it is in
 * 10.200.0.0/16 (as `--vip 10.200.0.1` is meant), else a host prefix. */
static void test_vip_lengths(void **state)
{
	static const struct {
		const char *doc, *vip;
	} cases[] = {
		{ "{\"network\": {\"vip\": \"10.200.0.1\"}}", "10.200.0.1/16" },
		{ "{\"network\": {\"vip\": \"10.200.255.254\"}}", "10.200.255.254/16" },
		{ "{\"network\": {\"vip\": \"10.200.0.1/24\"}}", "10.200.0.1/24" },
		{ "{\"network\": {\"vip\": \"10.200.0.1/32\"}}", "10.200.0.1/32" },
		{ "{\"network\": {\"vip\": \"10.201.0.1\"}}", "10.201.0.1/32" },
		{ "{\"network\": {\"vip\": \"192.0.2.7\"}}", "192.0.2.7/32" },
		{ "{\"network\": {\"vip6\": \"fd00::1\"}}", NULL },
	};
	char err[CFG_CONFIG_ERR_MAX];
	struct cfg_config cfg;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(cases[i].doc, &cfg, err), 0);
		if (cases[i].vip)
			prefix_eq(&cfg.network.vip, cases[i].vip);
		else
			prefix_eq(&cfg.network.vip6, "fd00::1/128");
		cfg_config_free(&cfg);
	}
}

/* What `--mode nucleus --check` validates from a file: an open nucleus (a
 * secret, no list) and a listed one are good; the bad ones are in the
 * table below (no secret and no list, a list entry without a secret, two
 * clusters of one name, a short secret, a malformed file). */
static void test_nucleus_good(void **state)
{
	static const char *const docs[] = {
		"{\"mode\": \"nucleus\", \"security\": {\"secret\": \"" SECRET "\"}}",
		"{\"mode\": \"nucleus\", \"nucleus\": {\"port\": 51821, \"clusters\": "
		"[{\"name\": \"lab\", \"secret\": \"" SECRET "\"}]}}",
	};
	char err[CFG_CONFIG_ERR_MAX];
	struct cfg_config cfg;

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		assert_int_equal(parse(docs[i], &cfg, err), 0);
		if (cfg_config_validate(&cfg, err, sizeof(err)) != 0)
			fail_msg("nucleus doc %zu: %s", i, err);
		cfg_config_free(&cfg);
	}
}

/* An empty object is a complete file: every default. */
static void test_defaults(void **state)
{
	char err[CFG_CONFIG_ERR_MAX];
	struct cfg_config cfg, def;

	(void)state;
	cfg_config_init(&def);
	assert_int_equal(parse("{}", &cfg, err), 0);
	assert_int_equal(cfg.iface.listen_port, def.iface.listen_port);
	assert_int_equal(cfg.iface.mtu, CFG_DEFAULT_MTU);
	assert_string_equal(cfg.metrics.listen, CFG_DEFAULT_METRICS_LISTEN);
	assert_int_equal(cfg.security.max_sessions_per_ip, 10);
	assert_int_equal(cfg.security.handshake_timeout_secs, 5);
	assert_true(cfg.security.encrypt_signaling);
	assert_false(cfg.network.use_builtin_stun); /* there is no built-in list */
	assert_int_equal(cfg.network.happy_eyeballs_delay_ms, 250);
	assert_int_equal(cfg.dpdk.hugepages, CFG_AUTO);
	assert_int_equal(cfg.nucleus.port, 51820);
	assert_int_equal(cfg_config_validate(&cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "dir/t.json: no private key (daemon.private_key or "
				 "daemon.private_key_file, or --key)");
	cfg_config_free(&cfg);
}

/* Good values, at least one per key (what full_doc does not show). */
static const char *const good_docs[] = {
	/* 0 */ "{\"mode\": \"nucleus\"}",
	"{\"dpdk\": {\"lcores\": 1}}",
	"{\"dpdk\": {\"lcores\": 128}}",
	"{\"dpdk\": {\"lcores\": \"0@1,1@2\"}}",
	"{\"dpdk\": {\"devices\": []}}",
	/* 5 */ "{\"dpdk\": {\"memory_mb\": 16}}",
	"{\"dpdk\": {\"hugepages\": true}}",
	"{\"dpdk\": {\"hugepages\": \"auto\"}}",
	"{\"dpdk\": {\"eal_args\": [\"--log-level=pmd.*:debug\", \"-n\", \"4\"]}}",
	"{\"daemon\": {\"port\": 1}}",
	/* 10 */ "{\"daemon\": {\"port\": 65535}}",
	"{\"daemon\": {\"underlay\": \"0000:03:00.0\"}}",
	"{\"daemon\": {\"host_interface\": \"wg-gw_0.1\"}}",
	"{\"daemon\": {\"host_port\": \"tap\"}}",
	"{\"daemon\": {\"host_port\": \"veth\"}}",
	/* 15 */ "{\"daemon\": {\"host_port\": \"auto\"}}",
	"{\"daemon\": {\"private_key_file\": \"/etc/omninervous/identity.key\"}}",
	"{\"daemon\": {\"addresses\": []}}",
	"{\"daemon\": {\"mtu\": 576}}",
	"{\"daemon\": {\"mtu\": 9000}}",
	/* 20 */ "{\"daemon\": {\"log_level\": \"error\"}}",
	"{\"daemon\": {\"log_level\": \"warn\"}}",
	"{\"daemon\": {\"log_level\": \"info\"}}",
	"{\"network\": {\"nucleus\": \"192.0.2.9:51820\"}}",
	"{\"network\": {\"nucleus\": \"[2001:db8::9]:51820\"}}",
	/* 25 */ "{\"network\": {\"vip\": \"10.200.0.1/16\"}}",
	"{\"network\": {\"stun_servers\": []}}",
	"{\"network\": {\"use_builtin_stun\": true, \"prefer_ipv6\": false}}",
	"{\"network\": {\"happy_eyeballs_delay_ms\": 0}}",
	"{\"security\": {\"max_sessions_per_ip\": 1, \"handshake_timeout_secs\": 3600}}",
	/* 30 */ "{\"security\": {\"encrypt_signaling\": true}}",
	"{\"security\": {\"secret_file\": \"cluster.secret\"}}",
	"{\"peers\": []}",
	"{\"peers\": [{\"public_key\": \"" PEER1 "\", \"persistent_keepalive\": 0}]}",
	"{\"peers\": [{\"public_key\": \"" PEER1 "\", \"persistent_keepalive\": 65535}]}",
	/* 35 */ "{\"peers\": [{\"public_key\": \"" PEER1 "\", \"endpoint\": \"[fe80::1%1]:5\"}]}",
	"{\"metrics\": {\"listen\": \"127.0.0.1:9586\"}}",
	"{\"metrics\": {\"listen\": \"\"}}",
	"{\"nucleus\": {\"port\": 51820, \"clusters\": []}}",
	"{\"_comment\": \"x\", \"daemon\": {\"_comment\": []}, \"peers\": [{\"_comment\": \"y\"}]}",
	/* 40 */ "\xef\xbb\xbf{}",
	" \n\t{ }\n\n",
};

static void test_good_table(void **state)
{
	char err[CFG_CONFIG_ERR_MAX];
	struct cfg_config cfg;

	(void)state;
	for (size_t i = 0; i < sizeof(good_docs) / sizeof(good_docs[0]); i++) {
		int rc = parse(good_docs[i], &cfg, err);

		if (rc)
			fail_msg("good doc %zu refused: %s", i, err);
		cfg_config_free(&cfg);
	}
}

struct bad_case {
	const char *doc;
	const char *start;    /* what the message starts with, after "dir/t.json" */
	const char *fragment; /* found in it; NULL: start is the whole message */
};

#define P1 "{\"public_key\": \"" PEER1 "\""

static const struct bad_case bad_cases[] = {
	/* 0: the brief's example, whole message */
	{ "{\"peers\": [{}, {}, " P1 ", \"allowed_ips\": [\"10.0.0.0/33\"]}]}",
	  ": peers[2].allowed_ips[0]: \"10.0.0.0/33\" is not a prefix (prefix length over 32)",
	  NULL },
	{ "{\"mode\": \"relay\"}", ": mode: \"relay\" is not a mode (edge or nucleus)", NULL },
	{ "{\"mode\": 1}", ": mode: expected a string, got an integer", NULL },
	{ "[]", ": the top level must be an object ({ ... }), not a list", NULL },
	{ "{\"dpdk\": {\"lcores\": 0}}", ": dpdk.lcores: 0 is outside 1..128", NULL },
	/* 5 */
	{ "{\"dpdk\": {\"lcores\": \"0-2;rm\"}}", ": dpdk.lcores: \"0-2;rm\" is not an lcore list",
	  "like \"0-3\"" },
	{ "{\"dpdk\": {\"lcores\": true}}",
	  ": dpdk.lcores: expected a count of lcores or an EAL "
	  "lcore list, got true or false",
	  NULL },
	{ "{\"dpdk\": {\"devices\": \"0000:03:00.0\"}}",
	  ": dpdk.devices: expected a list, got a string", NULL },
	{ "{\"dpdk\": {\"devices\": [\"a b\"]}}", ": dpdk.devices[0]: \"a b\" is not a device name",
	  "letters, digits" },
	{ "{\"dpdk\": {\"devices\": [\"\"]}}", ": dpdk.devices[0]: must not be empty", NULL },
	/* 10 */
	{ "{\"dpdk\": {\"memory_mb\": 8}}", ": dpdk.memory_mb: 8 is outside 16..1048576", NULL },
	{ "{\"dpdk\": {\"memory_mb\": 1.5}}",
	  ": dpdk.memory_mb: expected an integer 16..1048576, "
	  "got a number with a fraction",
	  NULL },
	{ "{\"dpdk\": {\"hugepages\": \"yes\"}}",
	  ": dpdk.hugepages: \"yes\" is not allowed "
	  "(true, false or \"auto\")",
	  NULL },
	{ "{\"dpdk\": {\"hugepages\": 1}}",
	  ": dpdk.hugepages: expected true, false or \"auto\", "
	  "got an integer",
	  NULL },
	{ "{\"dpdk\": {\"eal_args\": [1]}}",
	  ": dpdk.eal_args[0]: expected a string, got an "
	  "integer",
	  NULL },
	/* 15 */
	{ "{\"daemon\": {\"port\": 0}}", ": daemon.port: 0 is outside 1..65535", NULL },
	{ "{\"daemon\": {\"port\": 65536}}", ": daemon.port: 65536 is outside 1..65535", NULL },
	{ "{\"daemon\": {\"port\": -1}}", ": daemon.port: -1 is outside 1..65535", NULL },
	{ "{\"daemon\": {\"port\": \"51820\"}}",
	  ": daemon.port: expected an integer 1..65535, "
	  "got a string",
	  NULL },
	{ "{\"daemon\": {\"interface\": \"eth 0\"}}",
	  ": daemon.interface: \"eth 0\" is not an "
	  "interface or device name",
	  "letters" },
	/* 20 */
	{ "{\"daemon\": {\"interface\": \"a\", \"underlay\": \"b\"}}",
	  ": daemon: give interface or underlay, not both", NULL },
	{ "{\"daemon\": {\"host_interface\": \"omni0123456789abc\"}}",
	  ": daemon.host_interface: too long (17 characters; at most 15)", NULL },
	{ "{\"daemon\": {\"host_interface\": \"..\"}}",
	  ": daemon.host_interface: \"..\" is not "
	  "an interface or device name (letters, digits and \"._-\")",
	  NULL },
	{ "{\"daemon\": {\"host_port\": \"af_xdp\"}}",
	  ": daemon.host_port: \"af_xdp\" is not a "
	  "host port kind (tap, veth, virtio-user or auto)",
	  NULL },
	{ "{\"daemon\": {\"private_key\": \"secretish\"}}",
	  ": daemon.private_key: not a key "
	  "(9 characters; ",
	  "wg genkey" },
	/* 25 */
	{ "{\"daemon\": {\"private_key\": \"" PRIV "\", \"private_key_file\": \"k\"}}",
	  ": daemon: give private_key or private_key_file, not both", NULL },
	{ "{\"daemon\": {\"private_key_file\": \"\"}}",
	  ": daemon.private_key_file: must not be "
	  "empty",
	  NULL },
	{ "{\"daemon\": {\"addresses\": [\"10.77.0.1/24\", \"10.77.0.300\"]}}",
	  ": daemon.addresses[1]: \"10.77.0.300\" is not an address (not an IPv4 address)", NULL },
	{ "{\"daemon\": {\"addresses\": \"10.77.0.1/24\"}}",
	  ": daemon.addresses: expected a "
	  "list, got a string",
	  NULL },
	{ "{\"daemon\": {\"mtu\": 575}}", ": daemon.mtu: 575 is outside 576..9000", NULL },
	/* 30 */
	{ "{\"daemon\": {\"log_level\": \"trace\"}}",
	  ": daemon.log_level: \"trace\" is not a "
	  "log level (error, warn, info or debug)",
	  NULL },
	{ "{\"network\": {\"nucleus\": \"nucleus.example.com\"}}",
	  ": network.nucleus: "
	  "\"nucleus.example.com\" is not HOST:PORT (missing port",
	  "" },
	{ "{\"network\": {\"nucleus\": \"n:0\"}}",
	  ": network.nucleus: \"n:0\" is not HOST:PORT "
	  "(port must be 1..65535)",
	  NULL },
	{ "{\"network\": {\"cluster\": \"my net\"}}",
	  ": network.cluster: \"my net\" is not a "
	  "cluster name",
	  "letters" },
	{ "{\"network\": {\"cluster\": \"\"}}", ": network.cluster: must not be empty", NULL },
	/* 35 */
	{ "{\"network\": {\"vip\": \"fd00::1\"}}",
	  ": network.vip: \"fd00::1\" is not a virtual "
	  "IP (not an IPv4 address)",
	  NULL },
	{ "{\"network\": {\"vip6\": \"10.0.0.1\"}}",
	  ": network.vip6: \"10.0.0.1\" is not a "
	  "virtual IP (not an IPv6 address)",
	  NULL },
	{ "{\"network\": {\"vip\": \"10.0.0.1/40\"}}",
	  ": network.vip: \"10.0.0.1/40\" is not a "
	  "virtual IP (prefix length over 32)",
	  NULL },
	{ "{\"network\": {\"stun_servers\": [\"stun.example.com:3478\", \"bad\"]}}",
	  ": network.stun_servers[1]: \"bad\" is not HOST:PORT", "missing port" },
	{ "{\"network\": {\"use_builtin_stun\": \"yes\"}}",
	  ": network.use_builtin_stun: "
	  "expected true or false, got a string",
	  NULL },
	/* 40 */
	{ "{\"network\": {\"prefer_ipv6\": 1}}",
	  ": network.prefer_ipv6: expected true or false, "
	  "got an integer",
	  NULL },
	{ "{\"network\": {\"happy_eyeballs_delay_ms\": 10001}}",
	  ": network.happy_eyeballs_"
	  "delay_ms: 10001 is outside 0..10000",
	  NULL },
	{ "{\"security\": {\"max_sessions_per_ip\": 0}}",
	  ": security.max_sessions_per_ip: 0 is "
	  "outside 1..1000000",
	  NULL },
	{ "{\"security\": {\"handshake_timeout_secs\": 0}}",
	  ": security.handshake_timeout_secs: "
	  "0 is outside 1..3600",
	  NULL },
	{ "{\"security\": {\"encrypt_signaling\": null}}",
	  ": security.encrypt_signaling: "
	  "expected true or false, got null",
	  NULL },
	/* 45 */
	{ "{\"security\": {\"secret\": \"short-secret\"}}",
	  ": security.secret: too short "
	  "(12 characters; at least 16)",
	  NULL },
	{ "{\"security\": {\"secret\": \"" SECRET "\", \"secret_file\": \"f\"}}",
	  ": security: give secret or secret_file, not both", NULL },
	{ "{\"security\": {\"secret_file\": 7}}",
	  ": security.secret_file: expected a string, "
	  "got an integer",
	  NULL },
	{ "{\"peers\": {}}", ": peers: expected a list, got an object", NULL },
	{ "{\"peers\": [7]}", ": peers[0]: expected an object, got an integer", NULL },
	/* 50 */
	{ "{\"peers\": [{\"public_key\": \"abc\"}]}",
	  ": peers[0].public_key: \"abc\" is not a "
	  "key (expected 44 base64",
	  "" },
	{ "{\"peers\": [" P1 ", \"endpoint\": \"192.0.2.1\"}]}",
	  ": peers[0].endpoint: "
	  "\"192.0.2.1\" is not an endpoint (missing port",
	  "" },
	{ "{\"peers\": [" P1 ", \"endpoint\": \"gw.example.com:51820\"}]}",
	  ": peers[0].endpoint: "
	  "\"gw.example.com:51820\" is not an endpoint (host names are not resolved here)",
	  NULL },
	{ "{\"peers\": [" P1 ", \"allowed_ips\": \"10.0.0.0/8\"}]}",
	  ": peers[0].allowed_ips: "
	  "expected a list, got a string",
	  NULL },
	{ "{\"peers\": [" P1 ", \"persistent_keepalive\": 65536}]}",
	  ": peers[0].persistent_"
	  "keepalive: 65536 is outside 0..65535",
	  NULL },
	/* 55 */
	{ "{\"peers\": [" P1 ", \"persistent_keepalive\": \"off\"}]}",
	  ": peers[0].persistent_"
	  "keepalive: expected an integer 0..65535, got a string",
	  NULL },
	{ "{\"peers\": [" P1 ", \"preshared_key\": \"x\"}]}",
	  ": peers[0].preshared_key: not a "
	  "key (1 characters; ",
	  "wg genkey" },
	{ "{\"peers\": [" P1 ", \"preshared_key\": \"" PSK "\", \"preshared_key_file\": \"f\"}]}",
	  ": peers[0]: give preshared_key or preshared_key_file, not both", NULL },
	{ "{\"metrics\": {\"listen\": \"localhost:9586\"}}",
	  ": metrics.listen: \"localhost:9586\" "
	  "is not ADDR:PORT (host names are not resolved here)",
	  NULL },
	{ "{\"metrics\": {\"listen\": \"127.0.0.1\"}}",
	  ": metrics.listen: \"127.0.0.1\" is not "
	  "ADDR:PORT",
	  "missing port" },
	/* 60 */
	{ "{\"nucleus\": {\"port\": 0}}", ": nucleus.port: 0 is outside 1..65535", NULL },
	{ "{\"nucleus\": {\"clusters\": [{\"secret\": \"" SECRET "\"}]}}",
	  ": nucleus.clusters[0]: no name", NULL },
	{ "{\"nucleus\": {\"clusters\": [{\"name\": \"a/b\"}]}}",
	  ": nucleus.clusters[0].name: "
	  "\"a/b\" is not a cluster name",
	  "letters" },
	{ "{\"nucleus\": {\"clusters\": [{\"name\": \"a\", \"secret\": \"tiny\"}]}}",
	  ": nucleus.clusters[0].secret: too short (4 characters; at least 16)", NULL },
	{ "{\"nucleus\": {\"clusters\": [{\"name\": \"a\", \"secret\": \"" SECRET "\", "
	  "\"secret_file\": \"f\"}]}}",
	  ": nucleus.clusters[0]: give secret or secret_file, "
	  "not both",
	  NULL },
	/* 65: unknown keys, at the top, nested, in list items, with suggestions */
	{ "{\"deamon\": {}}", ": unknown key \"deamon\" (did you mean \"daemon\"?)", NULL },
	{ "{\"daemon\": {\"prot\": 1}}", ": daemon: unknown key \"prot\" (did you mean \"port\"?)",
	  NULL },
	{ "{\"peers\": [" P1 "}, {\"PublicKey\": \"x\"}]}",
	  ": peers[1]: unknown key "
	  "\"PublicKey\" (did you mean \"public_key\"?)",
	  NULL },
	{ "{\"network\": {\"zzz\": 1}}", ": network: unknown key \"zzz\"", NULL },
	{ "{\"nucleus\": {\"clusters\": [{\"name\": \"a\", \"psk\": \"x\"}]}}",
	  ": nucleus.clusters[0]: unknown key \"psk\"", NULL },
	/* 70 */
	{ "{\"metrics\": {\"listen_address\": \"x\"}}", ": metrics: unknown key \"listen_address\"",
	  NULL },
	{ "{\"dpdk\": {\"lcore\": 2}}", ": dpdk: unknown key \"lcore\" (did you mean \"lcores\"?)",
	  NULL },
	{ "{\"a\\u0001b\": 1}", ": unknown key \"a\\x01b\"", NULL },
	{ "{\"_comment\": 1}",
	  ": _comment: expected a string or a list of strings, got an "
	  "integer",
	  NULL },
	{ "{\"daemon\": {\"_comment\": [\"a\", 2]}}",
	  ": daemon._comment: expected a string or a "
	  "list of strings, got an integer",
	  NULL },
	/* 75: wrong types for sections */
	{ "{\"daemon\": []}", ": daemon: expected an object, got a list", NULL },
	{ "{\"security\": \"x\"}", ": security: expected an object, got a string", NULL },
	{ "{\"dpdk\": null}", ": dpdk: expected an object, got null", NULL },
	/* validation of JSON models */
	{ "{\"daemon\": {\"private_key\": \"" PRIV "\"}, \"peers\": [" P1 "}, " P1 "}]}",
	  ": peers[1] (aEwPCz4a...): same public key as peers[0] (aEwPCz4a...)", NULL },
	{ "{\"daemon\": {\"private_key\": \"" PRIV "\"}, \"peers\": [{}]}",
	  ": peers[0]: no "
	  "public_key",
	  NULL },
	/* 80 */
	{ "{\"mode\": \"nucleus\"}", ": a nucleus needs nucleus.clusters or security.secret",
	  NULL },
	{ "{\"mode\": \"nucleus\", \"nucleus\": {\"clusters\": [{\"name\": \"a\", \"secret\": \"" SECRET
	  "\"}, {\"name\": \"a\", \"secret\": \"" SECRET "\"}]}}",
	  ": nucleus.clusters[1]: name \"a\" is also nucleus.clusters[0]'s", NULL },
	{ "{\"mode\": \"nucleus\", \"nucleus\": {\"clusters\": [{\"name\": \"a\"}]}}",
	  ": nucleus.clusters[0] (a): no secret (secret or secret_file)", NULL },
	{ "{\"daemon\": {\"private_key\": \"" PRIV "\", \"host_port\": \"tap\", \"addresses\": "
	  "[\"fd00::1/64\"], \"mtu\": 1200}}",
	  ": daemon.mtu: MTU 1200 is below 1280, the IPv6 "
	  "minimum (address fd00::1/64)",
	  NULL },
	{ "{\"daemon\": {\"private_key\": \"" PRIV "\", \"addresses\": [\"10.0.0.1/24\", "
	  "\"224.0.0.1/4\"]}}",
	  ": daemon.addresses[1]: address 224.0.0.1/4 is unspecified, "
	  "multicast or reserved",
	  NULL },
	{ "{\"daemon\": {\"private_key\": \"" PRIV "\", \"addresses\": [\"10.0.0.1/24\", "
	  "\"10.0.0.1/16\"]}}",
	  ": daemon.addresses[1]: address 10.0.0.1/16 given twice", NULL },
	/* the seeds' keys this edition cannot honour are refused, naming the key */
	{ "{\"daemon\": {\"private_key\": \"" PRIV "\"}, \"security\": "
	  "{\"handshake_timeout_secs\": 7}}",
	  ": security.handshake_timeout_secs: 7: WireGuard retries a handshake after a fixed 5 s "
	  "(REKEY_TIMEOUT), so this edition takes only 5",
	  NULL },
	{ "{\"daemon\": {\"private_key\": \"" PRIV "\"}, \"network\": "
	  "{\"use_builtin_stun\": true}}",
	  ": network.use_builtin_stun: true, but this edition ships no built-in STUN servers", "" },
	{ "{\"mode\": \"nucleus\", \"security\": {\"secret\": \"" SECRET "\", "
	  "\"handshake_timeout_secs\": 3600}}",
	  ": security.handshake_timeout_secs: 3600: ", "" },
	{ "{\"daemon\": {\"private_key\": \"" PRIV "\"}, \"network\": {\"vip\": \"127.0.0.1/8\"}}",
	  ": network.vip: the VIP 127.0.0.1 is not a unicast address", "loopback" },
	{ "{\"daemon\": {\"private_key\": \"" PRIV "\"}, \"network\": {\"vip6\": \"ff02::1\"}}",
	  ": network.vip6: the VIP ff02::1 is not a unicast address", "multicast" },
};

/* Whether the model must also be validated to see the error. */
static bool needs_validate(const struct bad_case *c)
{
	return c >= &bad_cases[78];
}

static void check_no_secret(size_t i, const char *err)
{
	static const char *const secrets[] = { PRIV,           PSK,   SECRET, "secretish",
					       "short-secret", "tiny" };

	for (size_t k = 0; k < sizeof(secrets) / sizeof(secrets[0]); k++) {
		if (strstr(err, secrets[k]))
			fail_msg("bad case %zu: a secret in the message: %s", i, err);
	}
}

/* Case i of a table: refused (at parse, or by validation) with its message. */
static void check_bad(size_t i, const struct bad_case *c, bool validate)
{
	char err[CFG_CONFIG_ERR_MAX], want[CFG_CONFIG_ERR_MAX];
	struct cfg_config cfg;
	int rc = parse(c->doc, &cfg, err);

	if (validate) {
		if (rc)
			fail_msg("bad case %zu: refused at parse: %s", i, err);
		rc = cfg_config_validate(&cfg, err, sizeof(err));
	} else if (rc == 0 || cfg.n_peers || cfg.iface.has_private_key || cfg.source) {
		fail_msg("bad case %zu: accepted, or a model was handed back", i);
	}
	cfg_config_free(&cfg);
	if (rc != -EINVAL)
		fail_msg("bad case %zu: rc %d, want -EINVAL (%s)", i, rc, err);
	snprintf(want, sizeof(want), "dir/t.json%s", c->start);
	if (c->fragment ? strncmp(err, want, strlen(want)) != 0 : strcmp(err, want) != 0)
		fail_msg("bad case %zu:\n  got  %s\n  want %s%s", i, err, want,
			 c->fragment ? "..." : "");
	if (c->fragment && !strstr(err, c->fragment))
		fail_msg("bad case %zu: \"%s\" not in: %s", i, c->fragment, err);
	check_no_secret(i, err);
}

static void test_bad_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		check_bad(i, &bad_cases[i], needs_validate(&bad_cases[i]));
}

/* L2 mode's keys (docs/l2.md): values out of range at parse, rules across
 * fields at validation (from L2_VALIDATE on). */
static const struct bad_case l2_bad[] = {
	{ "{\"network\": {\"mode\": \"l4\"}}", ": network.mode: \"l4\" is not a network mode",
	  "l3 (routed) or l2 (fabric)" },
	{ "{\"network\": {\"mode\": 2}}", ": network.mode: expected a string", "" },
	{ "{\"network\": {\"vni\": 16777216}}", ": network.vni: 16777216 is outside 0..16777215",
	  NULL },
	{ "{\"network\": {\"vni\": -1}}", ": network.vni: ", "" },
	{ "{\"network\": {\"fdb_size\": 10}}", ": network.fdb_size: 10 is outside 64..1048576",
	  NULL },
	/* 5 */
	{ "{\"network\": {\"fdb_age_secs\": 0}}", ": network.fdb_age_secs: 0 is outside 1..86400",
	  NULL },
	{ "{\"network\": {\"flood_pps\": 0}}", ": network.flood_pps: 0 is outside 1..10000000",
	  NULL },
	{ "{\"nucleus\": {\"clusters\": [{\"name\": \"lab\", \"mode\": \"L9\"}]}}",
	  ": nucleus.clusters[0].mode: \"L9\" is not a network mode", "" },
	/* 8: validation */
	{ "{\"daemon\": {\"private_key\": \"" PRIV "\"}, \"network\": {\"mode\": \"l2\"}}",
	  ": network.mode: \"l2\" carries frames between the members' VIPs: set network.vip or "
	  "network.vip6 (--vip, --vip6)",
	  NULL },
	{ "{\"daemon\": {\"private_key\": \"" PRIV "\", \"mtu\": 600}, \"network\": "
	  "{\"mode\": \"l2\", \"vip\": \"10.200.0.1\"}}",
	  ": daemon.mtu: in L2 mode omni0's MTU is the tunnel's less 50 bytes of VXLAN and "
	  "Ethernet; an MTU of 600 leaves less than 576",
	  NULL },
};
enum { L2_VALIDATE = 8 };

static void test_l2_keys(void **state)
{
	char err[CFG_CONFIG_ERR_MAX];
	struct cfg_config cfg;

	(void)state;
	assert_int_equal(parse("{\"network\": {\"mode\": \"L2\", \"vni\": 7, \"fdb_size\": 64, "
			       "\"fdb_age_secs\": 86400, \"flood_pps\": 1}}",
			       &cfg, err),
			 0);
	assert_int_equal(cfg.network.net_mode, CFG_NET_L2);
	assert_int_equal(cfg.network.vni, 7);
	assert_int_equal(cfg.network.fdb_size, 64);
	assert_int_equal(cfg.network.fdb_age_secs, 86400);
	assert_int_equal(cfg.network.flood_pps, 1);
	cfg_config_free(&cfg);
	assert_int_equal(parse("{}", &cfg, err), 0);
	assert_int_equal(cfg.network.net_mode, CFG_NET_L3);
	assert_int_equal(cfg.network.vni, CFG_DEFAULT_VNI);
	assert_int_equal(cfg.network.fdb_age_secs, 300);
	cfg_config_free(&cfg);
	for (size_t i = 0; i < sizeof(l2_bad) / sizeof(l2_bad[0]); i++)
		check_bad(i, &l2_bad[i], i >= L2_VALIDATE);
}

struct syntax_case {
	const char *doc;
	const char *want; /* the whole message */
};

static const struct syntax_case syntax_cases[] = {
	{ "{\n  \"daemon\": {\n    \"port\": 1\n    \"mtu\": 1400\n  }\n}\n",
	  "dir/t.json:4:9: '}' expected near \"mtu\"" },
	{ "{\"daemon\": {\"port\": 1,}}", "dir/t.json:1:23: string or '}' expected near '}'" },
	{ "", "dir/t.json:1:0: '[' or '{' expected near end of file" },
	{ "{} {}", "dir/t.json:1:4: end of file expected near '{'" },
	{ "{\"a\": 1, \"a\": 2}", "dir/t.json:1:12: duplicate object key near \"a\"" },
	/* A broken secret is never shown, even in part. */
	{ "{\"security\": {\"secret\": \"" SECRET "\x01\"}}",
	  "dir/t.json:1:53: control character 0x1" },
	{ "{\"daemon\": {\"private_key\": \"" PRIV, "dir/t.json:1:72: premature end of input" },
};

static void test_syntax_errors(void **state)
{
	char err[CFG_CONFIG_ERR_MAX];
	struct cfg_config cfg;

	(void)state;
	for (size_t i = 0; i < sizeof(syntax_cases) / sizeof(syntax_cases[0]); i++) {
		int rc = parse(syntax_cases[i].doc, &cfg, err);

		assert_int_equal(rc, -EINVAL);
		assert_int_equal(cfg.n_peers, 0);
		if (strcmp(err, syntax_cases[i].want) != 0)
			fail_msg("syntax case %zu:\n  got  %s\n  want %s", i, err,
				 syntax_cases[i].want);
		check_no_secret(i, err);
	}
}

static void test_host_bits_warning(void **state)
{
	char err[CFG_CONFIG_ERR_MAX];
	struct cfg_config cfg;

	(void)state;
	assert_int_equal(parse("{\"peers\": [" P1 ", \"allowed_ips\": [\"10.0.0.7/24\"]}]}", &cfg,
			       err),
			 0);
	prefix_eq(&cfg.peers[0].allowed_ips[0], "10.0.0.0/24");
	assert_int_equal(cfg.n_warnings, 1);
	assert_string_equal(cfg.warnings[0], "dir/t.json: peers[0].allowed_ips[0]: 10.0.0.7/24 "
					     "has host bits set; using 10.0.0.0/24");
	cfg_config_free(&cfg);
}

/* ---- files --------------------------------------------------------------- */

static char tmpdir[] = "/tmp/omni-test-json-XXXXXX";

static void write_file(const char *name, const char *text, mode_t mode)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static int load(const char *name, struct cfg_config *cfg, char *err)
{
	char path[256];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	rc = cfg_json_parse_file(path, cfg, err, CFG_CONFIG_ERR_MAX);
	return rc ? rc : cfg_config_load_secrets(cfg, err, CFG_CONFIG_ERR_MAX);
}

static void test_secret_files(void **state)
{
	char err[CFG_CONFIG_ERR_MAX];
	struct cfg_config cfg;

	(void)state;
	assert_non_null(mkdtemp(tmpdir));
	write_file("c.json",
		   "{\"security\": {\"secret_file\": \"s\"}, \"peers\": [" P1
		   ", \"preshared_key_file\": \"psk\"}], \"nucleus\": {\"clusters\": "
		   "[{\"name\": \"a\", \"secret_file\": \"s\"}]}}",
		   0644);
	write_file("s", SECRET "\n", 0600);
	write_file("psk", PSK "\n", 0400);
	assert_int_equal(load("c.json", &cfg, err), 0);
	assert_string_equal(cfg.security.secret, SECRET);
	assert_string_equal(cfg.nucleus.clusters[0].secret, SECRET);
	key_eq(cfg.peers[0].preshared_key, PSK);
	assert_int_equal(cfg.n_warnings, 0); /* no secret in c.json itself */
	cfg_config_free(&cfg);

	/* Readable by others: refused, and the message names path and rule. */
	write_file("s", SECRET "\n", 0640);
	assert_int_equal(load("c.json", &cfg, err), -EPERM);
	assert_non_null(strstr(err, "c.json: security.secret_file: "));
	assert_non_null(strstr(err, "/s has mode 0640: group or others have access to this file, "
				    "which holds a cluster secret; fix with: chmod 600 "));
	cfg_config_free(&cfg);

	write_file("s", SECRET "\n", 0600);
	write_file("psk", "not a key\n", 0600);
	assert_int_equal(load("c.json", &cfg, err), -EINVAL);
	assert_non_null(strstr(err, "c.json: peers[0].preshared_key_file: "));
	assert_non_null(strstr(err, "not a key (9 characters"));
	cfg_config_free(&cfg);

	write_file("psk", PSK "\n", 0600);
	write_file("s", "two\nlines-of-secret\n", 0600);
	assert_int_equal(load("c.json", &cfg, err), -EINVAL);
	assert_non_null(strstr(err, "a control character or line break in the secret"));
	check_no_secret(0, err);
	cfg_config_free(&cfg);

	unlink(strcat(strcpy(err, tmpdir), "/s"));
	assert_int_equal(load("c.json", &cfg, err), -ENOENT);
	assert_non_null(strstr(err, "security.secret_file: cannot read "));
	cfg_config_free(&cfg);

	/* A secret written in a file others may read: refused, as a key file
	 * would be (the table of modes is in test_secrets.c). */
	write_file("k.json", "{\"daemon\": {\"private_key\": \"" PRIV "\"}}", 0644);
	assert_int_equal(load("k.json", &cfg, err), -EPERM);
	assert_non_null(strstr(err, "k.json has mode 0644: "));
	check_no_secret(0, err);
	cfg_config_free(&cfg);
	assert_int_equal(load("missing.json", &cfg, err), -ENOENT);
	assert_non_null(strstr(err, "missing.json: cannot read: "));
	cfg_config_free(&cfg);
}

/* The printer's JSON reads back to the same model (secrets aside). */
static void test_print_round_trip(void **state)
{
	char err[CFG_CONFIG_ERR_MAX];
	struct cfg_config a, b;
	char *text, *again;

	(void)state;
	assert_int_equal(parse(full_doc, &a, err), 0);
	text = cfg_config_to_json(&a);
	assert_non_null(text);
	assert_null(strstr(text, PRIV));
	assert_null(strstr(text, PSK));
	assert_null(strstr(text, SECRET));
	assert_non_null(strstr(text, "\"private_key\": \"(hidden)\""));
	cfg_config_free(&a);
	free(text);
	/* Without its secrets, the printed form of a model parses to itself. */
	assert_int_equal(parse("{\"daemon\": {\"port\": 7, \"addresses\": [\"10.1.0.1/16\"]}, "
			       "\"peers\": [" P1 ", \"allowed_ips\": [\"10.2.0.0/16\"]}]}",
			       &a, err),
			 0);
	text = cfg_config_to_json(&a);
	assert_int_equal(parse(text, &b, err), 0);
	again = cfg_config_to_json(&b);
	assert_string_equal(text, again);
	free(text);
	free(again);
	cfg_config_free(&a);
	cfg_config_free(&b);
}

static void test_examples(void **state)
{
	static const char *const names[] = { "edge-nucleus.json", "static-gateway.json",
					     "nucleus.json" };
	const char *dir = getenv("OMNI_CONFIG_EXAMPLES");
	char err[CFG_CONFIG_ERR_MAX], path[512];
	struct cfg_config cfg;

	(void)state;
	if (!dir)
		fail_msg("OMNI_CONFIG_EXAMPLES is not set (meson test sets it)");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (cfg_json_parse_file(path, &cfg, err, sizeof(err)) != 0)
			fail_msg("%s", err);
		/* Key and secret files are placeholders: pretend they were read. */
		if (cfg.iface.private_key_file && !cfg.iface.has_private_key) {
			assert_true(wg_key_from_base64(cfg.iface.private_key, PRIV));
			cfg.iface.has_private_key = true;
		}
		for (size_t j = 0; j < cfg.n_peers; j++)
			cfg.peers[j].has_preshared_key |= cfg.peers[j].preshared_key_file != NULL;
		for (size_t j = 0; j < cfg.nucleus.n_clusters; j++) {
			if (!cfg.nucleus.clusters[j].secret)
				cfg.nucleus.clusters[j].secret = strdup(SECRET);
		}
		if (cfg.security.secret_file && !cfg.security.secret)
			cfg.security.secret = strdup(SECRET);
		if (cfg_config_validate(&cfg, err, sizeof(err)) != 0)
			fail_msg("%s", err);
		cfg_config_free(&cfg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_document),     cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_vip_lengths),       cmocka_unit_test(test_nucleus_good),
		cmocka_unit_test(test_good_table),        cmocka_unit_test(test_bad_table),
		cmocka_unit_test(test_l2_keys),           cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_host_bits_warning), cmocka_unit_test(test_secret_files),
		cmocka_unit_test(test_print_round_trip),  cmocka_unit_test(test_examples),
	};
	static const char *const files[] = { "c.json", "s", "psk", "k.json" };
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	char path[256];

	if (strchr(tmpdir, 'X') == NULL) {
		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i]);
			unlink(path);
		}
		rmdir(tmpdir);
	}
	return rc;
}

/* SPDX-License-Identifier: MIT */
/*
 * wg-quick reader (config/wgquick.c) and the model's validation
 * (config/model.c): a full file with every key parsed to the expected model,
 * then a numbered table of broken files, each with the line the message must
 * name and a fragment it must contain. Every message is also checked never to
 * show the private key or the preshared key.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
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

#include "model.h"
#include "value.h"
#include "wg/key.h"
#include "wgquick.h"

/* Made with `wg genkey`, `wg pubkey` and `wg genpsk`. */
#define PRIV "+Gxy1L3JWZHYYZFTF+8KJ9U8x06TFC60ggogpCDH6WU="
#define PUB "wIk71BhyN4ElHi6LLLNZqmaLb3katVYEsHVXzWmO9ys=" /* of PRIV */
#define PEER1 "aEwPCz4aexTpO7C3pCQgOz8ORSMiO7pzroxzMWgjKxo="
#define PEER2 "jN0gh3pcUibmLmLa5+F1DRYe/AiwbRvugP3gygQWyWI="
#define PSK "QZUd3rOML2VQzME0Hxaqe5OLTmj5b/fAZSemZTSX98M="
#define PRIV43 "+Gxy1L3JWZHYYZFTF+8KJ9U8x06TFC60ggogpCDH6WU"

#define IFACE "[Interface]\nPrivateKey = " PRIV "\n" /* lines 1-2 */

static const char full_file[] = "# A gateway, every key once or more\n"       /* 1 */
				"[Interface]\n"                               /* 2 */
				"PrivateKey = " PRIV "\n"                     /* 3 */
				"ListenPort = 51821\n"                        /* 4 */
				"Address = 10.77.0.1/24, fd00:77::1/64\n"     /* 5 */
				"  address=10.78.0.1/16   # second line\n"    /* 6 */
				"MTU = 1380\n"                                /* 7 */
				"DNS = 192.0.2.53\n"                          /* 8 */
				"Table = off\n"                               /* 9 */
				"PreUp = true\n"                              /* 10 */
				"PostUp = echo up\n"                          /* 11 */
				"PreDown = true\n"                            /* 12 */
				"PostDown = echo down\n"                      /* 13 */
				"SaveConfig = false\n"                        /* 14 */
				"FwMark = 0x1234\n"                           /* 15 */
				"\n"                                          /* 16 */
				"[Peer]\n"                                    /* 17 */
				"PublicKey = " PEER1 "\n"                     /* 18 */
				"PresharedKey = " PSK "\n"                    /* 19 */
				"Endpoint = [2001:db8::2]:51820\n"            /* 20 */
				"AllowedIPs = 10.77.0.2/32, fd00:77::2/128\n" /* 21 */
				"AllowedIPs = 192.0.2.0/24\n"                 /* 22 */
				"AllowedIPs = 2001:db8:1::/48\n"              /* 23 */
				"PersistentKeepalive = 25\n"                  /* 24 */
				"\t\n"                                        /* 25 */
				"[ peer ]\n"                                  /* 26 */
				"publickey=" PEER2 "\n"                       /* 27 */
				"ENDPOINT = 198.51.100.7:51822\n"             /* 28 */
				"allowedips = 10.77.0.3/32\n"                 /* 29 */
				"persistentkeepalive = off\n";                /* 30 */

static void key_eq(const uint8_t key[WG_KEY_LEN], const char *b64)
{
	char text[WG_KEY_B64_LEN + 1];

	wg_key_to_base64(text, key);
	assert_string_equal(text, b64);
}

static void prefix_eq(const struct net_prefix *p, const char *text)
{
	char got[NET_PREFIX_TEXT_MAX];

	net_prefix_format(p, got);
	assert_string_equal(got, text);
}

static void endpoint_eq(const struct cfg_endpoint *ep, const char *text)
{
	char got[CFG_ADDR_TEXT_MAX];

	cfg_sockaddr_format(&ep->addr, got);
	assert_string_equal(got, text);
}

static int parse(const char *text, size_t len, struct cfg_config *cfg, char *err)
{
	return cfg_wgquick_parse_buffer("t.conf", text, len, CFG_VALUE_NO_RESOLVE, cfg, err,
					CFG_CONFIG_ERR_MAX);
}

static void test_full_file(void **state)
{
	char err[CFG_CONFIG_ERR_MAX];
	struct cfg_config cfg;
	const struct cfg_peer *p;

	(void)state;
	assert_int_equal(parse(full_file, sizeof(full_file) - 1, &cfg, err), 0);
	assert_int_equal(cfg_config_validate(&cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.source, "t.conf");
	assert_true(cfg.iface.has_private_key);
	key_eq(cfg.iface.private_key, PRIV);
	assert_int_equal(cfg.iface.listen_port, 51821);
	assert_int_equal(cfg.iface.mtu, 1380);
	assert_int_equal(cfg.iface.src_line, 2);
	assert_int_equal(cfg.iface.n_addresses, 3);
	prefix_eq(&cfg.iface.addresses[0], "10.77.0.1/24");
	prefix_eq(&cfg.iface.addresses[1], "fd00:77::1/64");
	prefix_eq(&cfg.iface.addresses[2], "10.78.0.1/16");
	assert_string_equal(cfg.iface.host_port_name, "omni0");
	assert_int_equal(cfg.n_warnings, 8); /* DNS .. FwMark */
	assert_non_null(strstr(cfg.warnings[0], "t.conf:8: DNS ignored"));
	assert_non_null(strstr(cfg.warnings[7], "t.conf:15: FwMark ignored"));

	assert_int_equal(cfg.n_peers, 2);
	p = &cfg.peers[0];
	assert_int_equal(p->src_line, 17);
	key_eq(p->public_key, PEER1);
	assert_true(p->has_preshared_key);
	key_eq(p->preshared_key, PSK);
	endpoint_eq(&p->endpoint, "[2001:db8::2]:51820");
	assert_false(p->endpoint.from_name);
	assert_int_equal(p->n_allowed_ips, 4);
	prefix_eq(&p->allowed_ips[0], "10.77.0.2/32");
	prefix_eq(&p->allowed_ips[1], "fd00:77::2/128");
	prefix_eq(&p->allowed_ips[2], "192.0.2.0/24");
	prefix_eq(&p->allowed_ips[3], "2001:db8:1::/48");
	assert_int_equal(p->persistent_keepalive, 25);

	p = &cfg.peers[1];
	key_eq(p->public_key, PEER2);
	assert_false(p->has_preshared_key);
	endpoint_eq(&p->endpoint, "198.51.100.7:51822");
	assert_int_equal(p->n_allowed_ips, 1);
	prefix_eq(&p->allowed_ips[0], "10.77.0.3/32");
	assert_int_equal(p->persistent_keepalive, 0);

	cfg_config_free(&cfg);
	assert_int_equal(cfg.n_peers, 0);
	assert_false(cfg.iface.has_private_key);
	cfg_config_free(&cfg); /* twice is fine */
}

struct bad_case {
	const char *text;
	unsigned line; /* 0: the message names no line */
	const char *fragment;
};

#define PEER1_HDR "[Peer]\nPublicKey = " PEER1 "\n" /* after IFACE: lines 3-4 */

static const struct bad_case bad_cases[] = {
	/* 0 */ { IFACE PEER1_HDR "[Peer]\nPublicKey = !!!!notbase64!!!!\n", 6,
		  "PublicKey: invalid key (expected 44 base64" },
	/* 1 */ { "[Interface]\nPrivateKey = %%%%not base64%%%%\n", 2, "PrivateKey: invalid key" },
	/* 2 */ { "[Interface]\nPrivateKey = " PRIV43 "\n", 2, "invalid key (43 characters" },
	/* 3 */ { IFACE "ListenPort = 70000\n", 3, "ListenPort: must be 1..65535: \"70000\"" },
	/* 4 */ { IFACE "ListenPort = -1\n", 3, "ListenPort: must be 1..65535: \"-1\"" },
	/* 5 */ { IFACE "ListenPort = abc\n", 3, "ListenPort: must be 1..65535: \"abc\"" },
	/* 6 */ { IFACE "MTU = 100\n", 3, "MTU: must be 576..9000: \"100\"" },
	/* 7 */ { IFACE "MTU = 70000\n", 3, "MTU: must be 576..9000: \"70000\"" },
	/* 8 */ { IFACE "Address = 10.0.0.1/33\n", 3, "prefix length over 32: \"10.0.0.1/33\"" },
	/* 9 */ { IFACE "Address = fe80::/129\n", 3, "prefix length over 128: \"fe80::/129\"" },
	/* 10 */
	{ IFACE PEER1_HDR "AllowedIPs = 10.0.0.0/8, banana\n", 5,
	  "AllowedIPs: not an IPv4 address: \"banana\"" },
	/* 11 */ { IFACE PEER1_HDR "Endpoint = 192.0.2.1\n", 5, "Endpoint: missing port" },
	/* 12 */
	{ IFACE PEER1_HDR "Endpoint = [::1\n", 5, "unclosed '[' (expected [IPv6]:PORT): \"[::1\"" },
	/* 13 */ { IFACE PEER1_HDR "Endpoint = 192.0.2.1:0\n", 5, "port must be 1..65535" },
	/* 14 */
	{ IFACE PEER1_HDR "PersistentKeepalive = 65536\n", 5,
	  "must be 0..65535 or off: \"65536\"" },
	/* 15 */ { IFACE "Foo = bar\n", 3, "unknown key in [Interface]: \"Foo\"" },
	/* 16 */ { IFACE "[Interfaces]\n", 3, "unknown section (expected [Interface] or [Peer])" },
	/* 17 */ { "ListenPort = 51820\n" IFACE, 1, "before any [Interface] or [Peer]" },
	/* 18 */ { IFACE "PrivateKey = " PRIV "\n", 3, "PrivateKey given twice" },
	/* 19 */ { IFACE "[Peer]\nAllowedIPs = 10.0.0.0/24\n", 3, "peer 0: no PublicKey" },
	/* 20 */ { IFACE PEER1_HDR PEER1_HDR, 5, "peer 1 (aEwPCz4a...): same public key as peer 0" },
	/* 21 */
	{ IFACE PEER1_HDR "AllowedIPs = 10.0.0.0/24\n[Peer]\nPublicKey = " PEER2
			  "\nAllowedIPs = 10.0.0.7/24\n",
	  6, "peer 1 (jN0gh3pc...): allowed IP 10.0.0.0/24 is also claimed by peer 0" },
	/* 22 */ { "", 0, "t.conf: no private key" },
	/* 23 */ { IFACE PEER1_HDR "Endpoint = ::1:51820\n", 5, "needs brackets" },
	/* 24 */
	{ IFACE "PublicKey = " PEER1 "\n", 3, "PublicKey belongs in [Peer], not in [Interface]" },
	/* 25 */ { IFACE "[Peer]\nPublicKey = " PUB "\n", 3, "own public key" },
	/* 26 */ { IFACE "[Interface]\n", 3, "a second [Interface] section (the first is on line 1)" },
	/* 27 */ { IFACE "hello\n", 3, "expected Key = Value" },
	/* 28 */ { IFACE PRIV "\n", 3, "looks like a key" },
	/* 29 */ { "[Interface]\nPrivateKey = /etc/wireguard/wg0.key\n", 2, "--key" },
	/* 30 */ { IFACE PEER1_HDR "PresharedKey = " PRIV43 "\n", 5, "PresharedKey: invalid key" },
	/* 31 */ { IFACE PEER1_HDR "Endpoint = vpn.example.com:51820\n", 5, "not resolved" },
	/* 32 */ { IFACE "[Peer\n", 3, "must end with ']'" },
	/* 33 */ { IFACE "Address = 10.0.0.1/24,,fd00::1/64\n", 3, "empty item in the list" },
	/* 34 */ { IFACE PEER1_HDR "PersistentKeepalive =\n", 5, "PersistentKeepalive: missing value" },
	/* 35 */
	{ IFACE "Address = 10.0.0.1/24\nAddress = 10.0.0.1/32\n", 1, "10.0.0.1/32 given twice" },
	/* 36 */ { IFACE "MTU = 1279\nAddress = fd00::1/64\n", 1, "below 1280, the IPv6 minimum" },
	/* 37 */ { IFACE "Address = 0.0.0.0/0\n", 1, "unspecified" },
	/* 38 */ { IFACE PEER1_HDR "AllowedIPs = 10.1.2.3/\n", 5, "not a number" },
	/* 39 */ { IFACE "ListenPort = 0\n", 3, "ListenPort: must be 1..65535: \"0\"" },
	/* 40 */ { IFACE "ListenPort = 51820\nListenPort = 51821\n", 4, "first on line 3" },
	/* 41 */ { IFACE PEER1_HDR "Endpoint = [2001:db8::1]51820\n", 5, "missing port after ']'" },
	/* 42 */ { IFACE "Table = 1\n[Peer]\nTable = 2\n", 5, "Table belongs in [Interface]" },
	/* 43 */ { "[Interface]\r\nPrivateKey = " PRIV "\r\nMTU = 1x\r\n", 3, "\"1x\"" },
};

/* Parse, then validate as the gateway does; returns the first error. */
static int load(const char *text, size_t len, struct cfg_config *cfg, char *err)
{
	int rc = parse(text, len, cfg, err);

	if (rc) {
		/* No half-filled model on error. */
		assert_int_equal(cfg->n_peers, 0);
		assert_false(cfg->iface.has_private_key);
		assert_null(cfg->source);
		return rc;
	}
	return cfg_config_validate(cfg, err, CFG_CONFIG_ERR_MAX);
}

static void check_error(size_t i, const char *err, unsigned line, const char *fragment)
{
	char where[32];

	if (line)
		snprintf(where, sizeof(where), "t.conf:%u: ", line);
	else
		snprintf(where, sizeof(where), "t.conf: ");
	if (strncmp(err, where, strlen(where)) != 0 || !strstr(err, fragment))
		fail_msg("case %zu: got \"%s\", want \"%s...%s...\"", i, err, where, fragment);
	/* Neither secret, nor a long piece of one, ever shows. */
	if (strstr(err, PRIV43) || strstr(err, "+Gxy1L3JWZHYY") || strstr(err, "QZUd3rOML2VQ"))
		fail_msg("case %zu: a secret in the message: %s", i, err);
}

static void test_bad_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		char err[CFG_CONFIG_ERR_MAX] = "";
		struct cfg_config cfg;
		int rc = load(c->text, strlen(c->text), &cfg, err);

		if (rc == 0)
			fail_msg("case %zu: accepted", i);
		assert_int_equal(rc, -EINVAL);
		check_error(i, err, c->line, c->fragment);
		cfg_config_free(&cfg);
	}
}

static void expect_load_error(const char *text, size_t len, unsigned line, const char *frag)
{
	char err[CFG_CONFIG_ERR_MAX] = "";
	struct cfg_config cfg;

	assert_int_equal(load(text, len, &cfg, err), -EINVAL);
	check_error(0, err, line, frag);
	cfg_config_free(&cfg);
}

static void test_long_line(void **state)
{
	size_t head = strlen(IFACE);
	char *text = malloc(head + 5000 + 2);

	(void)state;
	assert_non_null(text);
	memcpy(text, IFACE, head);
	memset(text + head, '#', 5000); /* even a comment has a limit */
	memcpy(text + head + 5000, "\n", 2);
	expect_load_error(text, strlen(text), 3, "line too long (over 4096 bytes");
	/* One byte under the limit is fine. */
	memset(text + head, ' ', 5000);
	text[head + CFG_WGQ_LINE_MAX] = '\n';
	text[head + CFG_WGQ_LINE_MAX + 1] = '\0';
	text[head] = '#';
	{
		char err[CFG_CONFIG_ERR_MAX];
		struct cfg_config cfg;

		assert_int_equal(load(text, strlen(text), &cfg, err), 0);
		cfg_config_free(&cfg);
	}
	free(text);
}

static void test_nul_byte(void **state)
{
	static const char text[] = IFACE "ListenPort = 51\0"
					 "820\n";

	(void)state;
	expect_load_error(text, sizeof(text) - 1, 3, "a NUL byte in the line");
}

static void test_crlf_and_bom(void **state)
{
	static const char text[] = "\xef\xbb\xbf[Interface]\r\nPrivateKey = " PRIV "\r\n"
				   "Address = 10.77.0.1/24\r\n\r\n[Peer]\r\nPublicKey = " PEER1
				   "\r\nAllowedIPs = 10.77.0.2/32\r\nEndpoint = 192.0.2.9:51820";
	char err[CFG_CONFIG_ERR_MAX];
	struct cfg_config cfg;

	(void)state;
	assert_int_equal(load(text, sizeof(text) - 1, &cfg, err), 0);
	prefix_eq(&cfg.iface.addresses[0], "10.77.0.1/24");
	prefix_eq(&cfg.peers[0].allowed_ips[0], "10.77.0.2/32");
	endpoint_eq(&cfg.peers[0].endpoint, "192.0.2.9:51820"); /* no final newline */
	cfg_config_free(&cfg);
}

static void test_host_bits_masked(void **state)
{
	static const char text[] = IFACE PEER1_HDR "AllowedIPs = 10.77.0.9/24, fd00::1/64\n";
	char err[CFG_CONFIG_ERR_MAX];
	struct cfg_config cfg;

	(void)state;
	assert_int_equal(load(text, sizeof(text) - 1, &cfg, err), 0);
	prefix_eq(&cfg.peers[0].allowed_ips[0], "10.77.0.0/24");
	prefix_eq(&cfg.peers[0].allowed_ips[1], "fd00::/64");
	assert_int_equal(cfg.n_warnings, 2);
	assert_string_equal(cfg.warnings[0],
			    "t.conf:5: AllowedIPs 10.77.0.9/24 has host bits set; using 10.77.0.0/24");
	cfg_config_free(&cfg);
}

static void test_resolve_name(void **state)
{
	static const char text[] = IFACE PEER1_HDR "Endpoint = localhost:51820\n";
	char err[CFG_CONFIG_ERR_MAX];
	struct cfg_config cfg;
	const struct cfg_endpoint *ep;

	(void)state;
	assert_int_equal(cfg_wgquick_parse_buffer("t.conf", text, sizeof(text) - 1, 0, &cfg, err,
						  sizeof(err)),
			 0);
	ep = &cfg.peers[0].endpoint;
	assert_true(ep->from_name);
	assert_string_equal(ep->name, "localhost:51820");
	if (ep->addr.ss_family == AF_INET)
		endpoint_eq(ep, "127.0.0.1:51820");
	else
		endpoint_eq(ep, "[::1]:51820");
	cfg_config_free(&cfg);
}

static void test_file(void **state)
{
	char path[] = "/tmp/omni-wgquick-test.XXXXXX";
	char err[CFG_CONFIG_ERR_MAX];
	struct cfg_config cfg;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, full_file, sizeof(full_file) - 1), sizeof(full_file) - 1);
	close(fd);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(cfg_wgquick_parse_file(path, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.n_peers, 2);
	assert_int_equal(cfg.n_warnings, 8);
	assert_string_equal(cfg.source, path);
	cfg_config_free(&cfg);

	/* It holds a PrivateKey: refused unless private (the table of modes
	 * is in test_secrets.c). */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(cfg_wgquick_parse_file(path, &cfg, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "has mode 0644: "));
	assert_non_null(strstr(err, "chmod 600 /tmp/omni-wgquick-test."));
	assert_int_equal(cfg.n_peers, 0);
	cfg_config_free(&cfg);

	unlink(path);
	assert_int_equal(cfg_wgquick_parse_file(path, &cfg, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cannot open"));
	cfg_config_free(&cfg);
}

/* config/examples/static-gateway.conf stays valid (meson passes its path).
 * It holds a (placeholder) PrivateKey, so the repository's 0644 copy is
 * refused: like a user, the test makes a copy of mode 0600. */
static void test_example(void **state)
{
	const char *example = getenv("OMNI_WGQUICK_EXAMPLE");
	char err[CFG_CONFIG_ERR_MAX], path[] = "/tmp/omni-wgquick-example.XXXXXX", buf[4096];
	struct cfg_config cfg;
	int fd, in;
	ssize_t n;

	(void)state;
	if (!example)
		skip();
	assert_int_equal(cfg_wgquick_parse_file(example, &cfg, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "fix with: chmod 600 "));
	cfg_config_free(&cfg);
	fd = mkstemp(path); /* mode 0600 */
	in = open(example, O_RDONLY);
	assert_true(fd >= 0 && in >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(fd, buf, (size_t)n), n);
	close(in);
	close(fd);
	n = cfg_wgquick_parse_file(path, &cfg, err, sizeof(err));
	unlink(path);
	if (n || cfg_config_validate(&cfg, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(cfg.n_peers, 3);
	assert_int_equal(cfg.iface.n_addresses, 2);
	cfg_config_free(&cfg);
}

static void test_model_defaults_and_names(void **state)
{
	enum cfg_host_port_kind kind;
	enum cfg_log_level level;
	struct cfg_config cfg;

	(void)state;
	cfg_config_init(&cfg);
	assert_int_equal(cfg.iface.mtu, 1420);
	assert_int_equal(cfg.iface.listen_port, 51820);
	assert_string_equal(cfg.metrics.listen, "127.0.0.1:9586");
	assert_int_equal(cfg.log_level, CFG_LOG_INFO);
	assert_false(cfg.network.use_builtin_stun); /* no built-in list */
	assert_int_equal(cfg_host_port_kind_from_name("virtio-user", &kind), 0);
	assert_int_equal(kind, CFG_HOST_PORT_VIRTIO_USER);
	assert_string_equal(cfg_host_port_kind_name(CFG_HOST_PORT_VETH), "veth");
	assert_int_equal(cfg_host_port_kind_from_name("kni", &kind), -EINVAL);
	assert_int_equal(cfg_log_level_from_name("DEBUG", &level), 0);
	assert_int_equal(level, CFG_LOG_DEBUG);
	/* Later sections are plain fields the JSON reader fills. */
	assert_int_equal(cfg_strlist_add(&cfg.network.stun_servers, &cfg.network.n_stun_servers,
					 "stun.example.net:3478"),
			 0);
	cfg.security.secret = strdup("too-short");
	assert_non_null(cfg.security.secret);
	{
		char err[CFG_CONFIG_ERR_MAX];

		assert_true(wg_key_from_base64(cfg.iface.private_key, PRIV));
		cfg.iface.has_private_key = true;
		assert_int_equal(cfg_config_validate(&cfg, err, sizeof(err)), -EINVAL);
		assert_string_equal(err, "the cluster secret must be at least 16 characters");
	}
	cfg_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_bad_table),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_crlf_and_bom),
		cmocka_unit_test(test_host_bits_masked),
		cmocka_unit_test(test_resolve_name),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_model_defaults_and_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

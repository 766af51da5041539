/* SPDX-License-Identifier: MIT */
/*
 * `peer add` / `peer del` arguments: a full line into the model, and a
 * numbered table of malformed ones, each with the words its message must
 * hold. Names are never resolved (CFG_VALUE_NO_RESOLVE).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "console_args.h"
#include "value.h"

#define KEY "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="

static void test_full_line(void **state)
{
	struct cfg_peer p;
	char err[256] = "";
	char pfx[NET_PREFIX_TEXT_MAX];

	(void)state;
	assert_int_equal(cfg_console_parse_peer(KEY,
						"  endpoint 192.0.2.2:51821 "
						"allowed-ips 10.0.0.7/24,fd00::2/128\tkeepalive 25 ",
						CFG_VALUE_NO_RESOLVE, &p, err, sizeof(err)),
			 0);
	assert_true(p.has_public_key);
	assert_int_equal(p.endpoint.addr.ss_family, AF_INET);
	assert_int_equal(p.n_allowed_ips, 2);
	net_prefix_format(&p.allowed_ips[0], pfx);
	assert_string_equal(pfx, "10.0.0.0/24"); /* host bits cleared */
	assert_int_equal(p.persistent_keepalive, 25);
	cfg_console_peer_clear(&p);
	assert_int_equal(cfg_console_parse_peer(KEY, NULL, CFG_VALUE_NO_RESOLVE, &p, err,
						sizeof(err)),
			 0);
	assert_int_equal(p.n_allowed_ips, 0);
	cfg_console_peer_clear(&p);
}

static const struct {
	const char *key, *opts, *want1, *want2;
} bad[] = {
	/* 1 */ { "notakey", "", "public key", "not a base64" },
	/* 2 */ { KEY "A", "", "public key", "44 characters" },
	/* 3 */ { "", "", "public key", "not a base64" },
	/* 4 */ { KEY, "endpoint", "endpoint", "needs a value" },
	/* 5 */ { KEY, "endpoint 192.0.2.2", "endpoint \"192.0.2.2\"", "" },
	/* 6 */ { KEY, "endpoint 192.0.2.2:0", "endpoint", "" },
	/* 7 */ { KEY, "endpoint host.example:51820", "endpoint", "" },
	/* 8 */ { KEY, "allowed-ips 10.0.0.0/33", "allowed-ips \"10.0.0.0/33\"", "" },
	/* 9 */ { KEY, "allowed-ips ,", "allowed-ips", "empty" },
	/* 10 */ { KEY, "allowed-ips 10.0.0.1,nonsense", "\"nonsense\"", "" },
	/* 11 */ { KEY, "keepalive 65536", "keepalive \"65536\"", "0-65535" },
	/* 12 */ { KEY, "keepalive -1", "keepalive", "seconds" },
	/* 13 */ { KEY, "keepalive 2x", "keepalive", "seconds" },
	/* 14 */ { KEY, "keepalive 1 keepalive 2", "keepalive", "given twice" },
	/* 15 */ { KEY, "mtu 1400", "option \"mtu\"", "not one of" },
	/* 16 */ { KEY, "endpoint 192.0.2.2:1 " KEY, "option", "hidden: looks like a key" },
	/* 17 */ { KEY, "keepalive", "keepalive", "needs a value" },
};

static void test_bad_table(void **state)
{
	struct cfg_peer p;
	char err[256], opts[2048];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (cfg_console_parse_peer(bad[i].key, bad[i].opts, CFG_VALUE_NO_RESOLVE, &p, err,
					   sizeof(err)) == 0)
			fail_msg("case %zu accepted", i + 1);
		if (!strstr(err, bad[i].want1) || !strstr(err, bad[i].want2))
			fail_msg("case %zu: \"%s\" lacks \"%s\"/\"%s\"", i + 1, err, bad[i].want1,
				 bad[i].want2);
		/* Cleared on failure: nothing to free, nothing kept. */
		assert_null(p.allowed_ips);
		assert_int_equal(p.n_allowed_ips, 0);
	}
	/* A word too long for the parser is refused, not cut. */
	memset(opts, 'a', sizeof(opts) - 1);
	opts[sizeof(opts) - 1] = '\0';
	assert_int_not_equal(cfg_console_parse_peer(KEY, opts, CFG_VALUE_NO_RESOLVE, &p, err,
						    sizeof(err)),
			     0);
	assert_non_null(strstr(err, "too long"));
}

static void test_key(void **state)
{
	uint8_t k[WG_KEY_LEN];
	char err[256];

	(void)state;
	assert_int_equal(cfg_console_parse_key(KEY, k, err, sizeof(err)), 0);
	assert_int_not_equal(cfg_console_parse_key(NULL, k, err, sizeof(err)), 0);
	assert_int_not_equal(cfg_console_parse_key("", k, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_line),
		cmocka_unit_test(test_bad_table),
		cmocka_unit_test(test_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

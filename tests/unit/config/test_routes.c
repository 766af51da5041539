/* SPDX-License-Identifier: MIT */
/*
 * Which AllowedIPs get a route through omni0 (config/routes.h), as
 * wg-quick adds them: a numbered table of an interface's addresses and
 * peers' AllowedIPs, and the routes wanted, in order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "routes.h"

struct route_case {
	const char *addresses; /* space-separated */
	const char *peers;     /* peers by '|', their AllowedIPs by ' ' */
	const char *want;      /* space-separated, in order; "" none */
};

static const struct route_case cases[] = {
	/* 0: inside the address's network: the kernel's route serves */
	{ "10.77.0.1/24", "10.77.0.2/32", "" },
	{ "10.77.0.1/24", "10.77.0.2/32 198.51.100.64/26", "198.51.100.64/26" },
	/* wider than the address's network: its own route */
	{ "10.77.0.1/24", "10.77.0.0/16", "10.77.0.0/16" },
	/* the seeds' VIP: every member's VIP/32 is on the link */
	{ "10.200.0.1/16", "10.200.0.2/32|10.200.9.9/32", "" },
	/* a /32 VIP: each member needs its route, as wg-quick would add */
	{ "10.200.0.1/32", "10.200.0.2/32|10.200.0.3/32", "10.200.0.2/32 10.200.0.3/32" },
	/* 5: the default route is never taken */
	{ "10.77.0.1/24", "0.0.0.0/0 ::/0", "" },
	/* IPv6 the same way; the families apart */
	{ "fd00::1/64", "fd00::2/128 2001:db8::/48", "2001:db8::/48" },
	{ "10.77.0.1/24 fd00::1/64", "10.77.0.0/25 fd00::/56", "fd00::/56" },
	/* one route for a prefix two peers list (validation refuses it; still once) */
	{ "", "192.0.2.0/24|192.0.2.0/24 198.51.100.0/24", "192.0.2.0/24 198.51.100.0/24" },
	/* no peers, no addresses */
	{ "", "", "" },
	/* 10: no address at all: every AllowedIP */
	{ "", "10.1.0.0/16|10.2.0.0/16", "10.1.0.0/16 10.2.0.0/16" },
};

/* Each space-separated prefix of text, added with add(). */
static void each_prefix(const char *text, void *obj, int (*add)(void *, const struct net_prefix *))
{
	char *copy = strdup(text), *save = NULL;
	struct net_prefix p;
	const char *why;

	assert_non_null(copy);
	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		assert_int_equal(net_prefix_parse(w, &p, &why), 0);
		net_prefix_mask(&p);
		assert_int_equal(add(obj, &p), 0);
	}
	free(copy);
}

static int add_address(void *obj, const struct net_prefix *p)
{
	return cfg_interface_add_address(obj, p);
}

static int add_allowed(void *obj, const struct net_prefix *p)
{
	return cfg_peer_add_allowed_ip(obj, p);
}

static void build(struct cfg_config *cfg, const struct route_case *c)
{
	char *copy = strdup(c->peers), *save = NULL;

	assert_non_null(copy);
	cfg_config_init(cfg);
	each_prefix(c->addresses, &cfg->iface, add_address);
	for (char *w = strtok_r(copy, "|", &save); w; w = strtok_r(NULL, "|", &save)) {
		struct cfg_peer *p = cfg_config_add_peer(cfg);

		assert_non_null(p);
		each_prefix(w, p, add_allowed);
	}
	free(copy);
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char got[512] = "", one[NET_PREFIX_TEXT_MAX];
		struct cfg_config cfg;
		struct net_prefix *r;
		size_t n;

		build(&cfg, &cases[i]);
		assert_int_equal(cfg_peer_routes(&cfg, &r, &n), 0);
		for (size_t k = 0; k < n; k++) {
			net_prefix_format(&r[k], one);
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", k ? " " : "",
				 one);
		}
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, got, cases[i].want);
		free(r);
		cfg_config_free(&cfg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_table) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}

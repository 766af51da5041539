/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: any bytes as the body of a wg(8) set request, through
 * cfg_uapi_parse_set and, when it reads, cfg_uapi_apply to three running
 * peers (one learned); then everything freed. Seeds: tests/fuzz/uapi_seeds.
 * Besides the sanitizers it checks that a message is terminated and says
 * its line, that a refused request hands back an empty model, and that
 * the applied peers keep the model's rules (distinct keys, never the
 * interface's own, no prefix given to two configured peers).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "uapi.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cfg_peer cur[3];
static uint8_t own[WG_KEY_LEN];

static void peer(struct cfg_peer *p, uint8_t b, uint8_t net, bool learned)
{
	struct net_prefix x = { .len = 16 };

	memset(p, 0, sizeof(*p));
	memset(p->public_key, b, WG_KEY_LEN);
	p->has_public_key = true;
	p->learned = learned;
	x.addr.family = NET_AF_IP4;
	x.addr.b[0] = 10;
	x.addr.b[1] = net;
	if (cfg_peer_add_allowed_ip(p, &x) != 0)
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		return -1;
	peer(&cur[0], 1, 1, false);
	peer(&cur[1], 2, 2, false);
	peer(&cur[2], 3, 200, true);
	memset(own, 9, sizeof(own));
	return 0;
}

static void check_rules(const struct cfg_peer *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!memcmp(p[i].public_key, own, WG_KEY_LEN))
			abort();
		for (size_t j = i + 1; j < n; j++) {
			if (!memcmp(p[i].public_key, p[j].public_key, WG_KEY_LEN))
				abort();
			for (size_t a = 0; !p[i].learned && !p[j].learned && a < p[i].n_allowed_ips;
			     a++)
				for (size_t b = 0; b < p[j].n_allowed_ips; b++)
					if (!net_prefix_cmp(&p[i].allowed_ips[a],
							    &p[j].allowed_ips[b]))
						abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[CFG_CONFIG_ERR_MAX];
	struct cfg_uapi_set s;
	struct cfg_peer *out;
	size_t n;
	int rc;

	memset(err, 'x', sizeof(err));
	rc = cfg_uapi_parse_set((const char *)data, size, &s, err, sizeof(err));
	if (rc != 0) {
		if (strnlen(err, sizeof(err)) == sizeof(err) || strncmp(err, "line ", 5) != 0 ||
		    s.peers || s.n_peers || (rc != -EINVAL && rc != -EPROTO && rc != -ENOMEM))
			abort();
		return 0;
	}
	if (cfg_uapi_apply(&s, cur, 3, own, &out, &n) == 0) {
		check_rules(out, n);
		cfg_uapi_peers_free(out, n);
	}
	cfg_uapi_set_free(&s);
	return 0;
}

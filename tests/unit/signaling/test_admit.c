/* SPDX-License-Identifier: MIT */
/*
 * The routes a cluster member may have (signaling/admit.h), as numbered
 * tables: an edge with cluster prefixes 10.200.0.0/16 and fd00:200::/64,
 * configured peers owning a site inside the cluster prefix, a default
 * route, a prefix outside and one host, and one learned member; then
 * members claiming keys and VIPs. Then which candidates are usable, and
 * that a LEFT never removes a configured peer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "signaling/admit.h"

enum { S_SITE = 0x51, S_DEFAULT = 0x52, S_OUTSIDE = 0x53, S_HOST = 0x54, L1 = 0x71, NEW = 0x81 };

struct tpeer {
	uint8_t key[SIG_PUBKEY_LEN];
	struct net_prefix routes[2];
	size_t n;
	bool learned;
};

static struct tpeer peers[5];
static size_t n_peers;

static struct net_prefix prefix(const char *text)
{
	struct net_prefix p;
	const char *why;

	assert_int_equal(net_prefix_parse(text, &p, &why), 0);
	return p;
}

static void add(uint8_t key, bool learned, const char *r1, const char *r2)
{
	struct tpeer *t = &peers[n_peers++];

	memset(t, 0, sizeof(*t));
	memset(t->key, key, SIG_PUBKEY_LEN);
	t->learned = learned;
	t->routes[t->n++] = prefix(r1);
	if (r2)
		t->routes[t->n++] = prefix(r2);
}

static bool peer_at(const void *ctx, size_t i, struct sig_admit_peer *out)
{
	(void)ctx;
	if (i >= n_peers)
		return false;
	out->pubkey = peers[i].key;
	out->routes = peers[i].routes;
	out->n_routes = peers[i].n;
	out->learned = peers[i].learned;
	return true;
}

static void view_init(struct sig_admit_view *v)
{
	n_peers = 0;
	add(S_SITE, false, "10.200.50.0/24", NULL);
	add(S_DEFAULT, false, "0.0.0.0/0", "::/0");
	add(S_OUTSIDE, false, "192.0.2.0/24", NULL);
	add(S_HOST, false, "10.200.60.5/32", NULL);
	add(L1, true, "10.200.0.20/32", "fd00:200::20/128");
	memset(v, 0, sizeof(*v));
	v->vip4 = prefix("10.200.0.1/16");
	v->vip6 = prefix("fd00:200::1/64");
	v->peer = peer_at;
	v->n_learned = 1;
}

static void member(struct sig_peer *p, uint8_t key, const char *vip4, const char *vip6)
{
	struct net_addr a;

	memset(p, 0, sizeof(*p));
	memset(p->pubkey, key, SIG_PUBKEY_LEN);
	if (vip4) {
		assert_int_equal(net_addr_parse(vip4, &a), 0);
		memcpy(p->vip4, a.b, 4);
		p->flags |= SIG_PEER_HAS_VIP4;
	}
	if (vip6) {
		assert_int_equal(net_addr_parse(vip6, &a), 0);
		memcpy(p->vip6, a.b, 16);
		p->flags |= SIG_PEER_HAS_VIP6;
	}
}

static void test_peer_rules(void **state)
{
	enum { NO_V6 = 1, CAP_1 = 2, HOST = 3 };
	static const struct {
		uint8_t key;
		const char *vip4, *vip6;
		int view; /* NO_V6: the edge has no IPv6 prefix; CAP_1: learned_max 1;
			     HOST: --vip 10.200.0.1 and fd00:200::1 without a length */
		enum sig_admit want;
		unsigned n_routes;
	} rows[] = {
		/*  1 */ { NEW, "10.200.0.30", NULL, 0, SIG_ADMIT_OK, 1 },
		/*  2 */ { NEW, "10.200.0.30", "fd00:200::30", 0, SIG_ADMIT_OK, 2 },
		/*  3 */ { NEW, "198.51.100.7", NULL, 0, SIG_ADMIT_OUTSIDE_PREFIX, 0 },
		/*  4 */ { NEW, "10.201.0.30", NULL, 0, SIG_ADMIT_OUTSIDE_PREFIX, 0 },
		/*  5 */ { NEW, "10.200.50.7", NULL, 0, SIG_ADMIT_STATIC_OVERLAP, 0 },
		/*  6 */ { NEW, "10.200.60.5", NULL, 0, SIG_ADMIT_STATIC_OVERLAP, 0 },
		/*  7 */ { S_SITE, "10.200.0.31", NULL, 0, SIG_ADMIT_STATIC_KEY, 0 },
		/*  8 */ { S_DEFAULT, "10.200.0.31", NULL, 0, SIG_ADMIT_STATIC_KEY, 0 },
		/*  9 */ { NEW, "10.200.0.20", NULL, 0, SIG_ADMIT_VIP_TAKEN, 0 },
		/* 10 */ { NEW, "10.200.0.40", "fd00:200::20", 0, SIG_ADMIT_VIP_TAKEN, 0 },
		/* 11 */ { L1, "10.200.0.20", "fd00:200::20", 0, SIG_ADMIT_OK, 2 },
		/* 12 */ { L1, "10.200.0.21", NULL, 0, SIG_ADMIT_OK, 1 },
		/* 13 */ { NEW, "10.200.0.1", NULL, 0, SIG_ADMIT_VIP_TAKEN, 0 },
		/* 14 */ { NEW, "127.0.0.1", NULL, 0, SIG_ADMIT_BAD_VIP, 0 },
		/* 15 */ { NEW, "10.200.0.30", "fd00:999::1", 0, SIG_ADMIT_OUTSIDE_PREFIX, 0 },
		/* 16 */ { NEW, "10.200.0.30", "fd00:200::30", NO_V6, SIG_ADMIT_OK, 1 },
		/* 17 */ { NEW, NULL, "fd00:200::30", NO_V6, SIG_ADMIT_OUTSIDE_PREFIX, 0 },
		/* 18 */ { NEW, "10.200.0.30", NULL, CAP_1, SIG_ADMIT_PEER_CAP, 0 },
		/* 19 */ { L1, "10.200.0.20", NULL, CAP_1, SIG_ADMIT_OK, 1 },
		/* 20 */ { NEW, "10.200.50.7", "fd00:200::20", 0, SIG_ADMIT_STATIC_OVERLAP, 0 },
		/* 21 */ { NEW, "224.0.0.5", NULL, 0, SIG_ADMIT_BAD_VIP, 0 },
		/* 22 */ { NEW, NULL, "ff02::1", 0, SIG_ADMIT_BAD_VIP, 0 },
		/* 23 */ { NEW, "10.200.0.30", "fd00:200::30", HOST, SIG_ADMIT_OK, 2 },
		/* 24 */ { NEW, "10.200.1.30", NULL, HOST, SIG_ADMIT_OUTSIDE_PREFIX, 0 },
		/* 25 */ { NEW, "10.200.0.1", NULL, HOST, SIG_ADMIT_VIP_TAKEN, 0 },
	};
	struct net_prefix routes[2];
	struct sig_admit_view v;
	struct sig_peer p;
	unsigned n;

	(void)state;
	for (unsigned r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		view_init(&v);
		if (rows[r].view == NO_V6)
			memset(&v.vip6, 0, sizeof(v.vip6));
		if (rows[r].view == CAP_1)
			v.learned_max = 1;
		if (rows[r].view == HOST) {
			v.vip4 = prefix("10.200.0.1");
			v.vip6 = prefix("fd00:200::1");
		}
		member(&p, rows[r].key, rows[r].vip4, rows[r].vip6);
		/* row * 100 + reason: a failure names its row */
		assert_int_equal((r + 1) * 100 + sig_admit_peer(&v, &p, routes, &n),
				 (r + 1) * 100 + rows[r].want);
		assert_int_equal((r + 1) * 100 + n, (r + 1) * 100 + rows[r].n_routes);
		for (unsigned k = 0; k < n; k++)
			assert_int_equal(routes[k].len,
					 routes[k].addr.family == NET_AF_IP4 ? 32 : 128);
	}
}

/* A default route configured for the cluster's whole range yields only to
 * the cluster prefix, not to what lies outside it. */
static void test_default_route_yields(void **state)
{
	struct net_prefix routes[2];
	struct sig_admit_view v;
	struct sig_peer p;
	unsigned n;

	(void)state;
	view_init(&v);
	v.vip4 = prefix("10.200.0.1/16");
	member(&p, NEW, "10.200.9.9", NULL);
	assert_int_equal(sig_admit_peer(&v, &p, routes, &n), SIG_ADMIT_OK);
	/* a configured 10.0.0.0/8 holds the cluster's /16 too: it yields */
	peers[0].routes[0] = prefix("10.0.0.0/8");
	assert_int_equal(sig_admit_peer(&v, &p, routes, &n), SIG_ADMIT_OK);
	/* a configured 10.200.0.0/17 is a site inside it: it does not */
	peers[0].routes[0] = prefix("10.200.0.0/17");
	assert_int_equal(sig_admit_peer(&v, &p, routes, &n), SIG_ADMIT_STATIC_OVERLAP);
}

/* A configured peer added later takes back the learned VIPs inside its
 * AllowedIPs, by the same rule. */
static void test_owned(void **state)
{
	static const struct {
		const char *conf, *learned;
		bool owned;
	} rows[] = {
		/* 1 */ { "10.200.0.0/24", "10.200.0.20/32", true },
		/* 2 */ { "10.200.0.20/32", "10.200.0.20/32", true },
		/* 3 */ { "10.200.1.0/24", "10.200.0.20/32", false },
		/* 4 */ { "0.0.0.0/0", "10.200.0.20/32", false }, /* holds the cluster */
		/* 5 */ { "10.0.0.0/8", "10.200.0.20/32", false },
		/* 6 */ { "fd00:200::/120", "fd00:200::20/128", true },
		/* 7 */ { "fd00:200::/120", "10.200.0.20/32", false },
	};
	struct sig_admit_view v;

	(void)state;
	view_init(&v);
	for (unsigned r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		struct net_prefix c = prefix(rows[r].conf), l = prefix(rows[r].learned);

		assert_int_equal((r + 1) * 10 + sig_admit_owned(&v, &c, 1, &l, 1),
				 (r + 1) * 10 + rows[r].owned);
	}
}

static void test_candidates(void **state)
{
	static const struct {
		const char *addr;
		uint16_t port;
		bool ok;
	} rows[] = {
		/*  1 */ { "192.0.2.1", 51820, true },
		/*  2 */ { "2001:db8::1", 51820, true },
		/*  3 */ { "169.254.1.1", 51820, true }, /* the same link: usable */
		/*  4 */ { "0.0.0.0", 51820, false },
		/*  5 */ { "127.0.0.1", 51820, false },
		/*  6 */ { "224.0.0.1", 51820, false },
		/*  7 */ { "255.255.255.255", 51820, false },
		/*  8 */ { "192.0.2.1", 0, false },
		/*  9 */ { "::", 51820, false },
		/* 10 */ { "::1", 51820, false },
		/* 11 */ { "ff02::1", 51820, false },
		/* 12 */ { "fe80::1", 51820, false }, /* no scope on the wire */
		/* 13 */ { "febf::1", 51820, false },
		/* 14 */ { "fec0::1", 51820, true },
	};
	struct sig_peer p = { .n_cand = 0 };

	(void)state;
	for (unsigned r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		struct net_endpoint ep = { .port = rows[r].port };

		assert_int_equal(net_addr_parse(rows[r].addr, &ep.addr), 0);
		assert_int_equal(sig_cand_usable(&ep), rows[r].ok);
	}
	/* In place, in order: of 4 candidates, the 2 usable stay. */
	for (unsigned r = 0; r < 4; r++) {
		static const char *const cand[] = { "0.0.0.0", "192.0.2.1", "127.0.0.1",
						    "2001:db8::1" };
		struct sig_addr *c = &p.cand[p.n_cand++];

		c->kind = SIG_KIND_LOCAL;
		c->ep.port = 51820;
		assert_int_equal(net_addr_parse(cand[r], &c->ep.addr), 0);
	}
	assert_int_equal(sig_admit_cands(&p), 2);
	assert_int_equal(p.n_cand, 2);
	assert_int_equal(p.cand[0].ep.addr.family, NET_AF_IP4);
	assert_int_equal(p.cand[0].ep.addr.b[0], 192);
	assert_int_equal(p.cand[1].ep.addr.family, NET_AF_IP6);
	assert_int_equal(p.cand[2].ep.addr.family, NET_AF_NONE);
}

static void test_leave(void **state)
{
	struct sig_admit_view v;
	uint8_t key[SIG_PUBKEY_LEN];

	(void)state;
	view_init(&v);
	memset(key, S_SITE, sizeof(key));
	assert_int_equal(sig_admit_leave(&v, key), SIG_ADMIT_STATIC_KEY);
	memset(key, L1, sizeof(key));
	assert_int_equal(sig_admit_leave(&v, key), SIG_ADMIT_OK);
	memset(key, NEW, sizeof(key));
	assert_int_equal(sig_admit_leave(&v, key), SIG_ADMIT_OK);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(sig_admit_name(SIG_ADMIT_OK), "ok");
	assert_string_equal(sig_admit_name(SIG_ADMIT_STATIC_OVERLAP), "static_overlap");
	assert_string_equal(sig_admit_name(SIG_ADMIT_BAD_CANDIDATE), "bad_candidate");
	assert_string_equal(sig_admit_name(SIG_ADMIT_COUNT), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peer_rules), cmocka_unit_test(test_default_route_yields),
		cmocka_unit_test(test_owned),      cmocka_unit_test(test_candidates),
		cmocka_unit_test(test_leave),      cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

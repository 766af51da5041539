/* SPDX-License-Identifier: MIT */
/*
 * The data path end to end on net_ring ports (net_ring.h): a numbered table
 * of crafted frames, each row asserting exactly which drop counters moved
 * (every other counter must stay) and how many frames each port sent, with
 * a check of what those frames hold. Real sessions: peer A completes a
 * handshake through the pipeline (row 1) and the rows after it use the
 * keypair that handshake made. Peer B has a configured endpoint and never
 * a session (the last rows). Another test asserts that every drop reason in
 * drop.h is reached by a row, or is named here with the reason it cannot
 * be.
 *
 *   underlay  192.0.2.1/24, 2001:db8::1/64, port 51820 (us)
 *   peer A    192.0.2.2, AllowedIPs 10.0.0.2/32, fd00::2/128, endpoint
 *             learned from its initiation
 *   peer B    192.0.2.3:51820 configured, AllowedIPs 10.0.0.3/32
 *   stranger  192.0.2.50, 2001:db8::50: a key no one configured
 *   host      10.0.0.1, fd00::1 behind the host port; cluster 10.1.0.0/16
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include "pipeline/control_peers.h"

#include "../wg/wg_test_util.h"
#include "datapath.h"
#include "eal_test.h"

struct datapath_test dt;

struct net_addr ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return (struct net_addr){ .family = NET_AF_IP4, .ip4 = NET_IP4(a, b, c, d) };
}

/* prefix:...:last, a /64 prefix of two 16-bit groups. */
struct net_addr ip6(uint16_t g0, uint16_t g1, uint8_t last)
{
	struct net_addr a = { .family = NET_AF_IP6 };

	net_put_be16(a.ip6.b, g0);
	net_put_be16(a.ip6.b + 2, g1);
	a.ip6.b[15] = last;
	return a;
}

uint64_t now(void)
{
	return pl_now_ns(&dt.nr.dp);
}

void underlay_in(const void *frame, size_t len)
{
	struct rte_mbuf *m = nr_mbuf(&dt.nr, frame, len);

	assert_non_null(m);
	nr_underlay_in(&dt.nr, m);
}

void host_in(const void *frame, size_t len)
{
	struct rte_mbuf *m = nr_mbuf(&dt.nr, frame, len);

	assert_non_null(m);
	nr_host_in(&dt.nr, m);
}

/* UDP from the peer's address and port to ours (IPv4), into f. */
size_t from_peer(const struct far_peer *p, const void *payload, size_t len, uint8_t *f)
{
	return frame_udp(f, FRAME_MAX, &p->local.mac, &p->addr, PORT, &our_mac, &dt.us4, PORT,
			 payload, len);
}

/* A data message from A sealing a ping src -> dst; the ping in dt.expect. */
size_t data_from_a(const struct net_addr *src, const struct net_addr *dst, uint8_t *f)
{
	uint8_t msg[FRAME_MAX];
	size_t n;

	dt.expect_len = inner_ping(dt.expect, sizeof(dt.expect), src, dst, 56);
	n = far_seal(&dt.a, dt.expect, dt.expect_len, MTU, now(), msg);
	return from_peer(&dt.a, msg, n, f);
}

void send_data_from_a(const struct net_addr *src, const struct net_addr *dst)
{
	uint8_t f[FRAME_MAX];

	underlay_in(f, data_from_a(src, dst, f));
}

/* A ping from the host to dst as a frame; the ping in dt.expect. */
void send_from_host(const struct net_addr *dst, size_t data_len)
{
	uint8_t f[FRAME_MAX + NET_ETH_HLEN];
	const struct net_addr *src = dst->family == NET_AF_IP4 ? &dt.host4 : &dt.host6;

	dt.expect_len = inner_ping(dt.expect, sizeof(dt.expect), src, dst, data_len);
	host_in(f, frame_ip(f, sizeof(f), &host_mac, &our_host_mac, dt.expect, dt.expect_len));
}

void check_arp_reply_from(const struct rte_mbuf *m, const struct net_mac *sha,
			  const struct net_ip4 *spa, struct net_arp *arp)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);

	assert_int_equal(net_arp_parse(f + NET_ETH_HLEN, m->data_len - NET_ETH_HLEN, arp),
			 NET_DROP_OK);
	assert_int_equal(arp->op, NET_ARP_REPLY);
	assert_memory_equal(&arp->sha, sha, sizeof(*sha));
	assert_memory_equal(&arp->spa, spa, sizeof(*spa));
}

/* A whole frame split over two chained mbufs. */
struct rte_mbuf *chained(const uint8_t *f, size_t len)
{
	struct rte_mbuf *m = nr_mbuf(&dt.nr, f, len / 2),
			*tail = nr_mbuf(&dt.nr, f + len / 2, len - len / 2);

	assert_non_null(m);
	assert_non_null(tail);
	assert_int_equal(rte_pktmbuf_chain(m, tail), 0);
	return m;
}

void check_na(struct rte_mbuf **under, struct rte_mbuf **host)
{
	struct rte_mbuf *m = under ? under[0] : host[0];
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	struct net_nd nd;

	assert_int_equal(net_nd_na_parse(f + NET_ETH_HLEN, m->data_len - NET_ETH_HLEN, &nd),
			 NET_DROP_OK);
	assert_true(nd.has_lla);
	assert_memory_equal(&nd.lla, under ? &our_mac : &our_host_mac, sizeof(nd.lla));
	assert_memory_equal(&nd.target, under ? &dt.us6.ip6 : &dt.a_vip6.ip6, 16);
}

/*
 * Reasons no row reaches, and why. crypto_failed: the AEAD back end
 * refusing an op the worker prepared itself (a bug, a broken back end);
 * no frame from either port can cause it.
 */
static const enum pl_drop unreachable[] = { PL_DROP_CRYPTO_FAILED };

/* L2 mode's reasons (lib/pipeline/l2.c): this table runs an L3 data plane,
 * where no frame takes them. pipeline_l2 (test_l2.c) reaches the host
 * side's (l2_bad_frame, l2_too_big, l2_no_member, l2_flood_limited),
 * tests/e2e/l2_fabric.sh the decrypting side's (l2_not_vxlan, l2_bad_vni). */
static const enum pl_drop l2_only[] = { PL_DROP_L2_BAD_FRAME, PL_DROP_L2_TOO_BIG,
					PL_DROP_L2_NO_MEMBER, PL_DROP_L2_FLOOD_LIMIT,
					PL_DROP_L2_NOT_VXLAN, PL_DROP_L2_BAD_VNI };

static void free_all(struct rte_mbuf **m, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		rte_pktmbuf_free(m[i]);
}

static void run_row(const char *table, unsigned i, const struct row *r)
{
	uint64_t before[PL_DROP_COUNT], after[PL_DROP_COUNT];
	struct rte_mbuf *under[OUT_MAX], *host[OUT_MAX];
	unsigned nu, nh, d;

	nr_drops(&dt.nr, before);
	r->send();
	nr_run(&dt.nr);
	nr_drops(&dt.nr, after);
	for (d = 0; d < PL_DROP_COUNT; d++)
		if (after[d] - before[d] != r->drops[d])
			fail_msg("%s row %u (%s): %s moved by %llu, not %llu", table, i + 1,
				 r->what, pl_drop_name(d),
				 (unsigned long long)(after[d] - before[d]),
				 (unsigned long long)r->drops[d]);
	nu = nr_underlay_out(&dt.nr, under, OUT_MAX);
	nh = nr_host_out(&dt.nr, host, OUT_MAX);
	if (nu != r->under || nh != r->host)
		fail_msg("%s row %u (%s): %u frames to the underlay and %u to the host, "
			 "not %u and %u",
			 table, i + 1, r->what, nu, nh, r->under, r->host);
	if (r->check)
		r->check(under, host);
	free_all(under, nu);
	free_all(host, nh);
}

static void test_underlay_rows(void **state)
{
	(void)state;
	for (unsigned i = 0; i < n_underlay_rows; i++)
		run_row("underlay", i, &underlay_rows[i]);
}

static void test_host_rows(void **state)
{
	(void)state;
	for (unsigned i = 0; i < n_host_rows; i++)
		run_row("host", i, &host_rows[i]);
}

static bool reached(const struct row *rows, unsigned n, enum pl_drop d)
{
	for (unsigned i = 0; i < n; i++)
		if (rows[i].drops[d])
			return true;
	return false;
}

/* Every reason is some row's, or named unreachable above. */
static void test_every_reason_has_a_row(void **state)
{
	unsigned d, i;
	bool seen;

	(void)state;
	for (d = 0; d < PL_DROP_COUNT; d++) {
		seen = reached(underlay_rows, n_underlay_rows, d) ||
		       reached(host_rows, n_host_rows, d);
		for (i = 0; i < ARRAY_SIZE(unreachable); i++)
			seen |= unreachable[i] == d;
		for (i = 0; i < ARRAY_SIZE(l2_only); i++)
			seen |= l2_only[i] == d;
		if (!seen)
			fail_msg("drop reason %s: no row reaches it", pl_drop_name(d));
	}
}

static int add_peer(struct far_peer *p, const struct net_prefix *routes, unsigned n, bool endpoint)
{
	struct pl_peer_spec s = { .public_key = p->id.public_key, .routes = routes, .n_routes = n };

	if (endpoint)
		s.ep = (struct pl_endpoint){ .udp = { .addr = p->addr, .port = PORT } };
	return pl_control_peer_add(&dt.nr.ctl, &s);
}

static struct net_prefix route(const struct net_addr *a)
{
	struct net_prefix r;

	net_prefix_host(&r, a);
	return r;
}

static int setup(void **state)
{
	uint8_t key[WG_KEY_LEN];
	struct nr_conf conf = { .host_kernel_mac = host_mac,
				.host_our_mac = our_host_mac,
				.mtu = MTU,
				.private_key = key,
				.max_peers = 8,
				.to_control_size = TO_CONTROL,
				.tx_ring_size = OUT_MAX,
				.prefix4 = 24,
				.prefix6 = 64,
				.ratelimit_burst = 1 };
	struct net_addr a_addr, b_addr, s_addr;
	struct net_prefix a_routes[2], b_routes[1];
	struct wg_static_identity us;

	(void)state;
	dt.us4 = ip4(192, 0, 2, 1);
	dt.us6 = ip6(0x2001, 0xdb8, 1);
	dt.host4 = ip4(10, 0, 0, 1);
	dt.host6 = ip6(0xfd00, 0, 1);
	dt.a_vip4 = ip4(10, 0, 0, 2);
	dt.a_vip6 = ip6(0xfd00, 0, 2);
	dt.b_vip4 = ip4(10, 0, 0, 3);
	conf.local = (struct net_local){ .mac = our_mac,
					 .ip4 = dt.us4.ip4,
					 .ip6 = dt.us6.ip6,
					 .port = PORT };
	if (eal_test_init_mem(512) < 0)
		return -1;
	wgt_identity(&us, 1);
	memcpy(key, us.private_key, sizeof(key));
	if (nr_init(&dt.nr, &conf) != 0)
		return -1;
	a_addr = ip4(192, 0, 2, 2);
	b_addr = ip4(192, 0, 2, 3);
	s_addr = ip4(192, 0, 2, 50);
	far_init(&dt.a, 2, us.public_key, &a_mac, &a_addr);
	far_init(&dt.b, 3, us.public_key, &b_mac, &b_addr);
	far_init(&dt.stranger, 9, us.public_key, &s_mac, &s_addr);
	a_routes[0] = route(&dt.a_vip4);
	a_routes[1] = route(&dt.a_vip6);
	b_routes[0] = route(&dt.b_vip4);
	if (add_peer(&dt.a, a_routes, 2, false) != 0 || add_peer(&dt.b, b_routes, 1, true) != 0 ||
	    pl_control_peers_commit(&dt.nr.ctl) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	far_fini(&dt.a);
	far_fini(&dt.b);
	far_fini(&dt.stranger);
	nr_fini(&dt.nr);
	rte_eal_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_reason_has_a_row),
		cmocka_unit_test(test_underlay_rows),
		cmocka_unit_test(test_host_rows),
		cmocka_unit_test(test_flood_is_load),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/* SPDX-License-Identifier: MIT */
/*
 * The datapath test's rows on the host port: sealed to A, no route, too
 * big, every kind of bad frame, proxy ARP/ND, the cluster's miss hook, a
 * full TX ring; last, peer B without a session: staged, its initiation,
 * its staging ring full.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "pipeline/control_peers.h"
#include "wg/parse.h"

#include "../wg/wg_test_util.h"
#include "datapath.h"

/* What control's miss hook saw (row 12). */
static unsigned hook_miss;

static void send_host_to_a4(void)
{
	send_from_host(&dt.a_vip4, 56);
}

static void send_host_to_a6(void)
{
	send_from_host(&dt.a_vip6, 56);
}

/* UDP from our port to A's, and A opens it to the very packet the host sent. */
static void check_to_a(struct rte_mbuf **under, struct rte_mbuf **host)
{
	uint8_t *f = rte_pktmbuf_mtod(under[0], uint8_t *);
	struct net_udp_view v;
	int n;

	(void)host;
	assert_true(far_udp_in(&dt.a, f, under[0]->data_len, &v));
	n = far_open(&dt.a, f + v.payload_off, v.payload_len, now());
	assert_true(n >= (int)dt.expect_len);
	assert_memory_equal(f + v.payload_off + sizeof(struct wg_msg_data), dt.expect,
			    dt.expect_len);
}

static void send_no_route(void)
{
	struct net_addr nowhere = ip4(192, 168, 99, 1);

	send_from_host(&nowhere, 56);
}

static void send_too_big(void)
{
	send_from_host(&dt.a_vip4, 1500 - NET_IP4_HLEN - NET_ICMP_HLEN);
}

/* ICMP "fragmentation needed", MTU 1420, from the address the packet was
 * for, back to the host. */
static void check_frag_needed(struct rte_mbuf **under, struct rte_mbuf **host)
{
	const uint8_t *f = rte_pktmbuf_mtod(host[0], const uint8_t *);
	const uint8_t *l3 = f + NET_ETH_HLEN, *icmp = l3 + NET_IP4_HLEN;

	(void)under;
	assert_memory_equal(f + NET_ETH_OFF_DST, &host_mac, 6);
	assert_int_equal(net_get_be16(f + NET_ETH_OFF_TYPE), NET_ETH_IP4);
	assert_memory_equal(l3 + NET_IP4_OFF_SRC, &dt.a_vip4.ip4, 4);
	assert_int_equal(icmp[NET_ICMP_OFF_TYPE], NET_ICMP4_UNREACH);
	assert_int_equal(icmp[NET_ICMP_OFF_CODE], NET_ICMP4_CODE_FRAG_NEEDED);
	assert_int_equal(net_get_be16(icmp + 6), MTU);
}

/* Too big, in an mbuf whose pool has nothing left for the ICMP error. */
static void send_too_big_pool_empty(void)
{
	struct rte_mempool *tiny = rte_pktmbuf_pool_create("nr_tiny", 1, 0, 0,
							   RTE_MBUF_DEFAULT_BUF_SIZE,
							   SOCKET_ID_ANY);
	uint8_t f[FRAME_MAX + NET_ETH_HLEN];
	struct rte_mbuf *m;
	size_t n;

	assert_non_null(tiny);
	dt.expect_len = inner_ping(dt.expect, sizeof(dt.expect), &dt.host4, &dt.a_vip4, 1500 - 28);
	n = frame_ip(f, sizeof(f), &host_mac, &our_host_mac, dt.expect, dt.expect_len);
	m = rte_pktmbuf_alloc(tiny);
	assert_non_null(m);
	memcpy(rte_pktmbuf_append(m, (uint16_t)n), f, n);
	nr_host_in(&dt.nr, m);
	nr_run(&dt.nr);
	rte_mempool_free(tiny);
}

/* LLDP; IPv4 whose total length runs past the frame. */
static void send_host_bad_inner(void)
{
	uint8_t f[FRAME_MAX];
	size_t n;

	n = net_eth_build(f, FRAME_MAX, &our_host_mac, &host_mac, 0x88cc);
	memset(f + n, 0, 46);
	host_in(f, n + 46);
	dt.expect_len = inner_ping(dt.expect, sizeof(dt.expect), &dt.host4, &dt.a_vip4, 56);
	n = frame_ip(f, sizeof(f), &host_mac, &our_host_mac, dt.expect, dt.expect_len);
	net_put_be16(f + NET_ETH_HLEN + NET_IP4_OFF_TOTLEN, (uint16_t)(dt.expect_len + 100));
	fix_ip4_csum(f + NET_ETH_HLEN);
	host_in(f, n);
}

static void send_host_truncated(void)
{
	static const uint8_t f[10] = { 0 };

	host_in(f, sizeof(f));
}

static void send_host_multi_seg(void)
{
	uint8_t f[FRAME_MAX];

	dt.expect_len = inner_ping(dt.expect, sizeof(dt.expect), &dt.host4, &dt.a_vip4, 56);
	nr_host_in(&dt.nr, chained(f, frame_ip(f, sizeof(f), &host_mac, &our_host_mac, dt.expect,
					       dt.expect_len)));
}

/* No headroom for the WireGuard and outer headers; then no tailroom for a
 * whole MTU, its padding and tag. */
static void send_no_room(void)
{
	uint8_t f[FRAME_MAX];
	struct rte_mbuf *m;
	size_t n;

	dt.expect_len = inner_ping(dt.expect, sizeof(dt.expect), &dt.host4, &dt.a_vip4, 56);
	n = frame_ip(f, sizeof(f), &host_mac, &our_host_mac, dt.expect, dt.expect_len);
	for (unsigned k = 0; k < 2; k++) {
		m = rte_pktmbuf_alloc(dt.nr.pool);
		assert_non_null(m);
		m->data_off = k == 0 ? 0 : (uint16_t)(m->buf_len - n);
		memcpy(rte_pktmbuf_append(m, (uint16_t)n), f, n);
		nr_host_in(&dt.nr, m);
	}
}

static void send_host_arp_for_a(void)
{
	uint8_t f[FRAME_MAX];

	host_in(f, net_arp_frame_request(f, FRAME_MAX, &host_mac, &dt.host4.ip4, &dt.a_vip4.ip4));
}

/* Our host-link MAC for A's address, to the host. */
static void check_proxy_arp(struct rte_mbuf **under, struct rte_mbuf **host)
{
	struct net_arp arp;

	(void)under;
	check_arp_reply_from(host[0], &our_host_mac, &dt.a_vip4.ip4, &arp);
	assert_memory_equal(&arp.tha, &host_mac, 6);
}

static void send_host_ns_for_a(void)
{
	uint8_t f[FRAME_MAX];

	host_in(f, net_nd_ns_frame(f, FRAME_MAX, &host_mac, &dt.host6.ip6, &dt.a_vip6.ip6, NULL));
}

static void check_proxy_na(struct rte_mbuf **under, struct rte_mbuf **host)
{
	(void)under;
	check_na(NULL, host);
}

static void miss_hook(void *ctx, struct rte_mbuf *m, uint64_t t)
{
	(void)ctx;
	(void)t;
	hook_miss++;
	rte_pktmbuf_free(m);
}

/* With a nucleus: a cluster address no peer has waits in the miss hook. */
static void send_cluster_miss(void)
{
	struct net_addr member = ip4(10, 1, 2, 3);

	dt.nr.dp.miss4 = (struct net_prefix){ .addr = ip4(10, 1, 0, 0), .len = 16 };
	dt.nr.ctl.miss_hook = miss_hook;
	send_from_host(&member, 56);
	nr_run(&dt.nr);
	assert_int_equal(hook_miss, 1);
	dt.nr.ctl.miss_hook = NULL;
	dt.nr.dp.miss4.len = 0;
}

/* The host port's TX ring full: A's data cannot leave. */
static void send_host_tx_full(void)
{
	struct rte_mbuf *m;

	while ((m = rte_pktmbuf_alloc(dt.nr.pool)) && rte_ring_sp_enqueue(dt.nr.host_tx, m) == 0)
		;
	rte_pktmbuf_free(m);
	send_data_from_a(&dt.a_vip4, &dt.host4);
	nr_run(&dt.nr);
	while (rte_ring_sc_dequeue(dt.nr.host_tx, (void **)&m) == 0)
		rte_pktmbuf_free(m);
}

/* ---- peer B, no session ------------------------------------------------- */

static void send_host_to_b(void)
{
	send_from_host(&dt.b_vip4, 56);
}

static void check_initiation_to_b(struct rte_mbuf **under, struct rte_mbuf **host)
{
	const uint8_t *f = rte_pktmbuf_mtod(under[0], const uint8_t *);
	enum wg_message_type type;
	struct net_udp_view v;

	(void)host;
	assert_true(far_udp_in(&dt.b, f, under[0]->data_len, &v));
	assert_int_equal(wg_message_parse(f + v.payload_off, v.payload_len, &type), WG_OK);
	assert_int_equal(type, WG_MSG_HANDSHAKE_INITIATION);
}

/* Three more packets for B than its staging ring has room for. */
static void send_staged_full(void)
{
	struct pl_peer *b = pl_control_peer_find(&dt.nr.ctl, dt.b.id.public_key);
	unsigned n;

	assert_non_null(b);
	n = rte_ring_free_count(b->staged) + 3;
	for (unsigned i = 0; i < n; i++)
		send_host_to_b();
}

/* A punch twice at once (say two PUNCHes, or one right after a host
 * packet's initiation): the second is the same initiation again, never a
 * new one with the blunted timestamp of the first, which B would refuse
 * as replayed while our handshake state moved on to it. */
static void send_punch_twice(void)
{
	struct pl_peer *b = pl_control_peer_find(&dt.nr.ctl, dt.b.id.public_key);
	struct net_endpoint to = { .addr = dt.b.addr, .port = 51820 };

	assert_non_null(b);
	assert_int_equal(pl_control_initiate_to(&dt.nr.ctl, b, &to, 1, 0, now()), 1);
	assert_int_equal(pl_control_initiate_to(&dt.nr.ctl, b, &to, 1, 2, now()), 1);
}

static void check_punch_twice(struct rte_mbuf **under, struct rte_mbuf **host)
{
	struct net_udp_view v1, v2;
	const uint8_t *f1 = rte_pktmbuf_mtod(under[0], const uint8_t *),
		      *f2 = rte_pktmbuf_mtod(under[1], const uint8_t *);

	(void)host;
	assert_true(far_udp_in(&dt.b, f1, under[0]->data_len, &v1));
	assert_true(far_udp_in(&dt.b, f2, under[1]->data_len, &v2));
	assert_int_equal(f2[NET_ETH_HLEN + NET_IP4_OFF_TTL], 2); /* the opener's TTL */
	assert_int_equal(far_consume_initiation(&dt.b, f1 + v1.payload_off, v1.payload_len, now()),
			 WG_OK);
	/* The same again, or (17 ms passed between the two) a newer one. */
	if (memcmp(f1 + v1.payload_off, f2 + v2.payload_off, v1.payload_len) != 0)
		assert_int_equal(far_consume_initiation(&dt.b, f2 + v2.payload_off, v2.payload_len,
							now() + 1000000000ull),
				 WG_OK);
}

const struct row host_rows[] = {
	/* 1 */ { "host to A: sealed to A", send_host_to_a4, { 0 }, 1, 0, check_to_a },
	/* 2 */ { "host to A over IPv6: sealed to A", send_host_to_a6, { 0 }, 1, 0, check_to_a },
	/* 3 */ { "host to 192.168.99.1: no route", send_no_route, { D(NO_ROUTE, 1) }, 0, 0, NULL },
	/* 4 */
	{ "host sends 1500 bytes: ICMP back",
	  send_too_big,
	  { D(TOO_BIG, 1) },
	  0,
	  1,
	  check_frag_needed },
	/* 5 */
	{ "too big, pool empty: no ICMP",
	  send_too_big_pool_empty,
	  { D(TOO_BIG, 1), D(NO_MBUF, 1) },
	  0,
	  0,
	  NULL },
	/* 6 */
	{ "host: LLDP, IPv4 length past the frame",
	  send_host_bad_inner,
	  { D(BAD_INNER, 2) },
	  0,
	  0,
	  NULL },
	/* 7 */ { "host: 10-byte frame", send_host_truncated, { D(TRUNCATED, 1) }, 0, 0, NULL },
	/* 8 */ { "host: frame in two mbufs", send_host_multi_seg, { D(MULTI_SEG, 1) }, 0, 0, NULL },
	/* 9 */ { "host: no headroom, no tailroom", send_no_room, { D(NO_ROOM, 2) }, 0, 0, NULL },
	/* 10 */
	{ "host ARP for A's address: proxy answer",
	  send_host_arp_for_a,
	  { 0 },
	  0,
	  1,
	  check_proxy_arp },
	/* 11 */
	{ "host NS for A's address: proxy answer", send_host_ns_for_a, { 0 }, 0, 1, check_proxy_na },
	/* 12 */ { "host to a cluster address, nucleus set", send_cluster_miss, { 0 }, 0, 0, NULL },
	/* 13 */ { "data from A, host TX ring full", send_host_tx_full, { D(TX_FULL, 1) }, 0, 0, NULL },
	/* Last: B's handshake timers start here (a retry after 5 s). */
	/* 14 */
	{ "host to B, no session: staged, initiation to B",
	  send_host_to_b,
	  { 0 },
	  1,
	  0,
	  check_initiation_to_b },
	/* 15 */ { "more for B than it may stage", send_staged_full, { D(NO_KEY, 3) }, 0, 0, NULL },
	/* 16 */
	{ "a punch to B twice at once: one initiation",
	  send_punch_twice,
	  { 0 },
	  2,
	  0,
	  check_punch_twice },
};
const unsigned n_host_rows = ARRAY_SIZE(host_rows);

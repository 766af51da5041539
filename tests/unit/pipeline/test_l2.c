/* SPDX-License-Identifier: MIT */
/*
 * L2 mode's host side (lib/pipeline/l2.c) on net_ring ports, with the real
 * worker and control: a numbered table of frames from omni0, each row
 * asserting the drop counters that moved and what was flooded or staged.
 * No member has a session here, so a frame that goes to a member is staged
 * for its handshake: the staged mbuf is checked to hold the VXLAN packet
 * behind an Ethernet header, as control seals it (pl_control_send_data).
 * Per-VLAN forwarding: entries put in the FDB by hand, frames tagged.
 * The decrypting side (l2_not_vxlan, l2_bad_vni, learning) is
 * tests/e2e/l2_fabric.sh's.
 *
 *   us        VIP 10.200.0.1, VNI 4200, tunnel MTU 1420 (frames <= 1384)
 *   member X  AllowedIPs 10.200.0.2/32     (a member: a host route)
 *   member Z  AllowedIPs 10.200.0.3/32
 *   peer Y    AllowedIPs 10.9.0.0/24       (no host route: not a member)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "net/vxlan.h"
#include "pipeline/control_peers.h"
#include "pipeline/fdb.h"
#include "pipeline/l2.h"

#include "../wg/wg_test_util.h"
#include "eal_test.h"
#include "net_ring.h"

enum { MTU = 1420, OUT_MAX = 64, FLOOD_PPS = 100 };

static struct nr_world nr;
static const struct net_mac host_mac = { { 0x02, 0, 0, 0, 0, 0x01 } };
static const struct net_mac our_host_mac = { { 0x02, 0, 0, 0, 0, 0x02 } };
static uint8_t peer_keys[3][WG_KEY_LEN];

static struct net_addr ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return (struct net_addr){ .family = NET_AF_IP4, .ip4 = NET_IP4(a, b, c, d) };
}

/* A frame of len bytes from the host to dst (its first byte's group bit
 * decides broadcast/multicast). */
static void host_frame(const uint8_t dst[6], size_t len)
{
	uint8_t f[2048] = { 0 };
	struct rte_mbuf *m;

	memcpy(f, dst, 6);
	memcpy(f + 6, host_mac.b, 6);
	f[12] = 0x08; /* IPv4's ethertype; the payload is not looked at */
	m = nr_mbuf(&nr, f, len);
	assert_non_null(m);
	nr_host_in(&nr, m);
}

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t unknown[6] = { 0x02, 0x42, 0, 0, 0, 0x07 };

static void flood_n(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		host_frame(bcast, 60);
		nr_run(&nr);
	}
}

/* One row: run, then the drops that moved must be these. */
static void row(unsigned i, void (*send)(void), enum pl_drop d, uint64_t n)
{
	uint64_t before[PL_DROP_COUNT], after[PL_DROP_COUNT];
	struct rte_mbuf *out[OUT_MAX];
	unsigned k;

	nr_drops(&nr, before);
	send();
	nr_run(&nr);
	nr_drops(&nr, after);
	for (k = 0; k < PL_DROP_COUNT; k++) {
		uint64_t want = k == d ? n : 0;

		if (after[k] - before[k] != want)
			fail_msg("row %u: %s moved by %llu, not %llu", i, pl_drop_name(k),
				 (unsigned long long)(after[k] - before[k]),
				 (unsigned long long)want);
	}
	/* No session anywhere: nothing reaches either port. */
	assert_int_equal(nr_underlay_out(&nr, out, OUT_MAX), 0);
	assert_int_equal(nr_host_out(&nr, out, OUT_MAX), 0);
}

static void send_runt(void)
{
	host_frame(bcast, 13);
}

static void send_too_big(void)
{
	host_frame(bcast, MTU - NET_VXLAN_OVERHEAD4 + 1);
}

static void send_largest(void)
{
	host_frame(bcast, MTU - NET_VXLAN_OVERHEAD4);
}

static void send_bcast(void)
{
	host_frame(bcast, 60);
}

static void send_unknown(void)
{
	host_frame(unknown, 60);
}

static int add(unsigned k, const struct net_prefix *r)
{
	struct pl_peer_spec s = { .public_key = peer_keys[k], .routes = r, .n_routes = 1 };
	struct wg_static_identity id;

	wgt_identity(&id, (uint8_t)(10 + k));
	memcpy(peer_keys[k], id.public_key, WG_KEY_LEN);
	return pl_control_peer_add(&nr.ctl, &s);
}

static struct pl_peer *peer_of(unsigned k)
{
	return pl_control_peer_find(&nr.ctl, peer_keys[k]);
}

/* What a staged mbuf holds: Ethernet, then VXLAN from us to vip, VNI 4200,
 * the host's frame of flen bytes. Drains the ring. */
static unsigned check_staged(struct pl_peer *p, const struct net_addr *vip, uint32_t flen)
{
	struct rte_mbuf *m;
	unsigned n = 0;

	while (rte_ring_dequeue(p->staged, (void **)&m) == 0) {
		const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
		struct net_vxlan_view v;

		assert_int_equal(net_get_be16(f + 12), NET_ETH_IP4);
		assert_int_equal(net_vxlan_decap(f + NET_ETH_HLEN, m->data_len - NET_ETH_HLEN, &v),
				 0);
		assert_int_equal(v.vni, 4200);
		assert_true(net_addr_equal(&v.dst, vip));
		assert_int_equal(v.frame_len, flen);
		assert_memory_equal(v.src_mac.b, host_mac.b, 6);
		rte_pktmbuf_free(m);
		n++;
	}
	return n;
}

static void test_host_rows(void **state)
{
	struct net_prefix rx, ry, rz;
	struct net_addr vx = ip4(10, 200, 0, 2), vz = ip4(10, 200, 0, 3), net_y = ip4(10, 9, 0, 0);
	uint64_t flooded;

	(void)state;
	row(1, send_runt, PL_DROP_L2_BAD_FRAME, 1);
	row(2, send_too_big, PL_DROP_L2_TOO_BIG, 1);
	row(3, send_bcast, PL_DROP_L2_NO_MEMBER, 1); /* no peer yet */
	net_prefix_host(&rx, &vx);
	net_prefix_host(&rz, &vz);
	ry = (struct net_prefix){ .addr = net_y, .len = 24 };
	assert_int_equal(add(0, &rx), 0);
	assert_int_equal(add(1, &ry), 0);
	assert_int_equal(add(2, &rz), 0);
	assert_int_equal(pl_control_peers_commit(&nr.ctl), 0);
	assert_true(peer_of(0)->l2_member && !peer_of(1)->l2_member && peer_of(2)->l2_member);

	/* 4: a broadcast goes to X and Z (Y is no member), staged for each. */
	flooded = nr.w.stats.l2_flooded;
	row(4, send_bcast, PL_DROP_COUNT, 0);
	assert_int_equal(nr.w.stats.l2_flooded - flooded, 2);
	assert_int_equal(check_staged(peer_of(0), &vx, 60), 1);
	assert_int_equal(check_staged(peer_of(2), &vz, 60), 1);
	assert_int_equal(rte_ring_count(peer_of(1)->staged), 0);
	/* 5: unknown unicast floods the same way; 6: the largest frame passes. */
	row(5, send_unknown, PL_DROP_COUNT, 0);
	assert_int_equal(check_staged(peer_of(0), &vx, 60), 1);
	assert_int_equal(check_staged(peer_of(2), &vz, 60), 1);
	row(6, send_largest, PL_DROP_COUNT, 0);
	assert_int_equal(check_staged(peer_of(0), &vx, MTU - NET_VXLAN_OVERHEAD4), 1);
	assert_int_equal(check_staged(peer_of(2), &vz, MTU - NET_VXLAN_OVERHEAD4), 1);

	/* 7: Z leaves: floods go to X only. */
	pl_control_peer_remove(&nr.ctl, peer_of(2));
	assert_int_equal(pl_control_peers_commit(&nr.ctl), 0);
	row(7, send_bcast, PL_DROP_COUNT, 0);
	assert_int_equal(check_staged(peer_of(0), &vx, 60), 1);
}

/* A storm at once: the first burst (32 frames at 100 a second) passes, the
 * rest is refused by X's limit, and with no other member dropped. */
static void test_flood_limit(void **state)
{
	uint64_t before[PL_DROP_COUNT], after[PL_DROP_COUNT];
	struct net_addr vx = ip4(10, 200, 0, 2);
	uint64_t limited = nr.w.stats.l2_flood_limited;
	unsigned staged;

	(void)state;
	nr_drops(&nr, before);
	flood_n(200);
	nr_drops(&nr, after);
	staged = check_staged(peer_of(0), &vx, 60);
	/* The ring holds what passed, up to its size (the rest: no_key). */
	assert_true(staged >= 16 && staged <= 40);
	assert_true(after[PL_DROP_L2_FLOOD_LIMIT] - before[PL_DROP_L2_FLOOD_LIMIT] >= 150);
	assert_int_equal(nr.w.stats.l2_flood_limited - limited,
			 after[PL_DROP_L2_FLOOD_LIMIT] - before[PL_DROP_L2_FLOOD_LIMIT]);
}

/* A frame to dst tagged with VLAN vid (802.1Q), then the same payload. */
static void host_frame_tagged(const uint8_t dst[6], uint16_t vid)
{
	uint8_t f[64] = { 0 };
	struct rte_mbuf *m;

	memcpy(f, dst, 6);
	memcpy(f + 6, host_mac.b, 6);
	net_put_be16(f + 12, 0x8100);
	net_put_be16(f + 14, vid);
	net_put_be16(f + 16, NET_ETH_IP4);
	m = nr_mbuf(&nr, f, sizeof(f));
	assert_non_null(m);
	nr_host_in(&nr, m);
	nr_run(&nr);
}

/* Learning is per VLAN: one MAC behind X on VLAN 5 and behind Z on VLAN 7
 * (as two segments would have it) is sent by its tag, and unknown on any
 * other VLAN (flooded to both). Needs test_host_rows's peers; Z comes back
 * here. */
static void test_per_vlan(void **state)
{
	static const uint8_t mac[6] = { 0x02, 0x77, 0, 0, 0, 0x05 };
	struct net_addr vx = ip4(10, 200, 0, 2), vz = ip4(10, 200, 0, 3);
	struct pl_fdb *fdb = nr.dp.l2.fdb;
	struct pl_fdb_key k5, k7;
	struct net_prefix rz;
	uint64_t unicast, flood;

	(void)state;
	net_prefix_host(&rz, &vz);
	assert_int_equal(add(2, &rz), 0);
	assert_int_equal(pl_control_peers_commit(&nr.ctl), 0);
	pl_fdb_key_set(&k5, mac, 5);
	pl_fdb_key_set(&k7, mac, 7);
	/* On the data plane's clock: control ages the table on each pass. */
	pl_fdb_note(fdb, &k5, peer_of(0)->id, pl_now_ns(&nr.dp));
	pl_fdb_note(fdb, &k7, peer_of(2)->id, pl_now_ns(&nr.dp));
	pl_fdb_control(fdb, pl_now_ns(&nr.dp));
	assert_int_equal(pl_fdb_lookup(fdb, &k5), peer_of(0)->id);
	assert_int_equal(pl_fdb_lookup(fdb, &k7), peer_of(2)->id);

	unicast = nr.w.stats.l2_unicast;
	host_frame_tagged(mac, 5);
	assert_int_equal(check_staged(peer_of(0), &vx, 64), 1);
	assert_int_equal(check_staged(peer_of(2), &vz, 64), 0);
	host_frame_tagged(mac, 0x2000 | 7); /* priority bits are not the VID */
	assert_int_equal(check_staged(peer_of(0), &vx, 64), 0);
	assert_int_equal(check_staged(peer_of(2), &vz, 64), 1);
	assert_int_equal(nr.w.stats.l2_unicast - unicast, 2);
	/* VLAN 9 has not seen it: flooded to both (X's copy may meet the
	 * limit test_flood_limit spent). */
	flood = nr.w.stats.l2_flooded + nr.w.stats.l2_flood_limited;
	host_frame_tagged(mac, 9);
	assert_int_equal(nr.w.stats.l2_flooded + nr.w.stats.l2_flood_limited - flood, 2);
	assert_int_equal(check_staged(peer_of(2), &vz, 64), 1);
	check_staged(peer_of(0), &vx, 64);
	assert_int_equal(nr.w.stats.l2_unicast - unicast, 2);
}

static int setup(void **state)
{
	struct wg_static_identity us;
	uint8_t key[WG_KEY_LEN];
	struct nr_conf conf = { .host_kernel_mac = host_mac,
				.host_our_mac = our_host_mac,
				.mtu = MTU,
				.private_key = key,
				.max_peers = 8,
				.to_control_size = 1024,
				.tx_ring_size = OUT_MAX,
				.prefix4 = 24,
				.ratelimit_burst = 1 };
	struct pl_l2_conf l2 = { .vni = 4200,
				 .vip = ip4(10, 200, 0, 1),
				 .mtu = MTU,
				 .fdb_size = 64,
				 .fdb_age_ns = 300000000000ull,
				 .flood_pps = FLOOD_PPS };

	(void)state;
	wgt_identity(&us, 1);
	memcpy(key, us.private_key, sizeof(key));
	conf.local = (struct net_local){ .ip4 = NET_IP4(192, 0, 2, 1), .port = 51820 };
	if (eal_test_init_mem(512) < 0 || nr_init(&nr, &conf) != 0)
		return -1;
	return pl_l2_setup(&nr.dp, &l2) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	nr_fini(&nr);
	pl_l2_teardown(&nr.dp);
	rte_eal_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_rows),
		cmocka_unit_test(test_flood_limit),
		cmocka_unit_test(test_per_vlan),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

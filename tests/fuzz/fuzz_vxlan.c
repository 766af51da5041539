/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for VXLAN decapsulation (lib/net/vxlan.c): any bytes as
 * a decrypted inner IP packet, after a mode byte: even, as they are; odd,
 * with the IP and UDP lengths set to the bytes there are and the IPv4
 * header checksum recomputed, so that mutations of the structure get past
 * the first checks (a random IPv4 checksum is right once in 65536
 * tries, and two length fields must agree). A refusal must name a reason; an accepted
 * packet must describe a frame inside the input, and encapsulating that
 * frame again (same addresses, VNI, port) must decap to the same view and
 * carry a right UDP checksum. The frame's MACs then go through an FDB
 * (lib/pipeline/fdb.c, EAL --no-huge) as the worker would use them: note
 * the source, look up the destination, run control on a clock the input
 * drives, so a small table fills, moves and ages.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>

#include "fuzz_check.h"
#include "net/addr.h"
#include "net/net.h"
#include "net/vxlan.h"
#include "pipeline/fdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pl_fdb *fdb;
static uint64_t clock_ns;

static int start(void)
{
	char prefix[64];
	char *argv[] = { "fuzz_vxlan", "--no-huge",   "-m",    "128",           "--no-pci", "-l",
			 "0",          "--log-level", "error", "--file-prefix", prefix,     NULL };
	struct pl_fdb_conf c = { .name = "fuzz", .size = 32, .age_ns = 1000000, .queue = 8 };

	snprintf(prefix, sizeof(prefix), "omni-fuzz-%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0)
		return -1;
	fdb = pl_fdb_create(&c);
	return fdb ? 0 : -1;
}

/* The view again from a fresh encapsulation of the same frame. */
static void check_again(const uint8_t *pkt, const struct net_vxlan_view *v)
{
	static uint8_t buf[NET_VXLAN_MAX_HLEN + 65536];
	uint32_t hlen = net_vxlan_hdr_len(v->src.family);
	struct net_vxlan_view w;

	memcpy(buf + hlen, pkt + v->frame_off, v->frame_len);
	if (!net_vxlan_encap(buf, &v->src, &v->dst, v->vni, v->sport, buf + hlen, v->frame_len)) {
		/* only an IPv4 frame too long for a header without options */
		CHECK(v->src.family == NET_AF_IP4 && v->frame_len > UINT16_MAX - hlen);
		return;
	}
	CHECK(net_vxlan_decap(buf, hlen + v->frame_len, &w) == 0);
	CHECK(w.frame_off == hlen && w.frame_len == v->frame_len && w.vni == v->vni);
	CHECK(w.sport == v->sport && w.vlan == v->vlan && w.ethertype == v->ethertype);
	CHECK(net_addr_equal(&w.src, &v->src) && net_addr_equal(&w.dst, &v->dst));
	CHECK(!memcmp(w.src_mac.b, v->src_mac.b, 6) && !memcmp(w.dst_mac.b, v->dst_mac.b, 6));
	CHECK(net_vxlan_udp_csum_ok(buf, hlen + v->frame_len));
}

static void through_fdb(const struct net_vxlan_view *v, uint8_t tick)
{
	struct pl_fdb_key src, dst;
	uint32_t peer = v->vni % 4, owner;

	pl_fdb_key_set(&src, v->src_mac.b, v->vlan);
	pl_fdb_key_set(&dst, v->dst_mac.b, v->vlan);
	pl_fdb_note(fdb, &src, peer, clock_ns);
	owner = pl_fdb_lookup(fdb, &dst);
	CHECK(owner == PL_FDB_NONE || owner < 4);
	pl_fdb_control(fdb, clock_ns);
	owner = pl_fdb_lookup(fdb, &src);
	/* learned, refreshed or moved just now, so not aged: there, unless refused */
	if (pl_fdb_learnable(src.mac) && owner != peer) {
		struct pl_fdb_stats s;

		pl_fdb_stats(fdb, &s);
		CHECK(s.full || s.queue_full);
	}
	clock_ns += (uint64_t)tick * 10000; /* age 1 ms: a tick over 100 ages all */
	pl_fdb_control(fdb, clock_ns);
}

/* The odd mode: lengths from the real size, a right IPv4 header checksum. */
static void fix_up(uint8_t *p, size_t n)
{
	unsigned hl = (p[0] & 15) * 4u;

	if (p[0] >> 4 == 4 && hl >= NET_IP4_HLEN && n >= hl + NET_UDP_HLEN) {
		net_put_be16(p + NET_IP4_OFF_TOTLEN, (uint16_t)n);
		net_put_be16(p + hl + NET_UDP_OFF_LEN, (uint16_t)(n - hl));
		net_put_be16(p + NET_IP4_OFF_CSUM, 0);
		net_put_be16(p + NET_IP4_OFF_CSUM, net_csum_finish(net_csum_add(0, p, hl)));
	} else if (p[0] >> 4 == 6 && n >= NET_IP6_HLEN + NET_UDP_HLEN) {
		net_put_be16(p + NET_IP6_OFF_PAYLEN, (uint16_t)(n - NET_IP6_HLEN));
		net_put_be16(p + NET_IP6_HLEN + NET_UDP_OFF_LEN, (uint16_t)(n - NET_IP6_HLEN));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t in_size)
{
	static uint8_t copy[65535];
	struct net_vxlan_view v;
	const uint8_t *data = copy;
	size_t size;
	int r;

	if (!fdb && start() != 0)
		abort();
	if (in_size < 1 || in_size - 1 > sizeof(copy))
		return 0;
	size = in_size - 1;
	if (in[0] & 1) {
		memcpy(copy, in + 1, size);
		if (size)
			fix_up(copy, size);
	} else {
		data = in + 1;
	}
	r = net_vxlan_decap(data, (uint32_t)size, &v);
	if (r) {
		CHECK(r < 0 && -r < NET_VXLAN_REASONS);
		CHECK(net_vxlan_reason_name(r)[0] != '?');
		return 0;
	}
	CHECK(v.frame_off <= size && v.frame_len <= size - v.frame_off);
	CHECK(v.frame_len >= v.l2_hlen && v.l2_hlen >= 14);
	CHECK(v.vni <= NET_VXLAN_VNI_MAX && v.vlan <= 0xfff);
	CHECK(net_vxlan_sport(data + v.frame_off, v.frame_len) >= NET_VXLAN_SPORT_MIN);
	check_again(data, &v);
	through_fdb(&v, size ? data[size - 1] : 0);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: any bytes as a frame read from the tap-gso host port
 * (vnet header, then an Ethernet frame: lib/net/gso.c). Parsed, cut into
 * segments, and the segments coalesced again as the way to the kernel
 * would. Beyond the sanitizers: every segment fits the buffer and holds
 * the headers, a coalesced payload lies inside its frame, and a run never
 * grows past 64 KB or NET_GSO_MAX_SEGS. A UDP super-datagram (USO,
 * gso_type UDP_L4): each datagram's UDP and IP lengths say its size, its
 * checksum verifies and is never 0, no TCP run starts from it, and the
 * datagrams coalesce again as UDP runs (net_gro_start_udp) under the same
 * bounds.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_check.h"
#include "net/gso.h"
#include "net/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { SEG_CAP = 2048 };

static uint8_t segs[NET_GSO_MAX_SEGS][SEG_CAP];
static size_t lens[NET_GSO_MAX_SEGS];

static void coalesce(unsigned n)
{
	struct net_vnet_hdr vh;
	struct net_gro g;
	bool open = false;
	const uint8_t *p;
	size_t pl;

	for (unsigned i = 0; i < n; i++) {
		if (lens[i] == 0)
			continue;
		if (open && net_gro_append(&g, segs[i], lens[i], &p, &pl)) {
			CHECK(p >= segs[i] && p + pl <= segs[i] + lens[i] && pl > 0);
			CHECK(g.n <= NET_GSO_MAX_SEGS && g.hdr_len + g.payload <= 65535 + 60);
			continue;
		}
		if (open)
			net_gro_finish(&g, &vh);
		open = net_gro_start(&g, segs[i], lens[i]) ||
		       net_gro_start_udp(&g, segs[i], lens[i]);
		if (open)
			CHECK(g.hdr_len + (size_t)g.mss <= lens[i]);
	}
	if (open) {
		net_gro_finish(&g, &vh);
		CHECK(vh.gso_type == NET_VNET_GSO_NONE || vh.hdr_len == g.hdr_len);
	}
}

/* A datagram cut from a UDP super-datagram: lengths and checksum right. */
static void check_udp(const struct net_gso *g, const uint8_t *f, size_t len)
{
	const uint8_t *l3 = f + g->l3_off, *udp = f + g->l4_off;
	size_t n = len - g->l4_off;
	uint32_t sum;

	CHECK(n >= 8 && net_get_be16(udp + 4) == n && net_get_be16(udp + 6) != 0);
	if (g->v4) {
		CHECK(net_get_be16(l3 + NET_IP4_OFF_TOTLEN) == len - g->l3_off);
		CHECK(net_csum_ok(net_csum_add(0, l3, NET_IP4_HLEN)));
		sum = net_csum_pseudo4((const struct net_ip4 *)(l3 + NET_IP4_OFF_SRC),
				       (const struct net_ip4 *)(l3 + NET_IP4_OFF_DST),
				       NET_PROTO_UDP, (uint16_t)n);
	} else {
		CHECK(net_get_be16(l3 + NET_IP6_OFF_PAYLEN) == n);
		sum = net_csum_pseudo6((const struct net_ip6 *)(l3 + 8),
				       (const struct net_ip6 *)(l3 + 24), NET_PROTO_UDP,
				       (uint32_t)n);
	}
	CHECK(net_csum_ok(net_csum_add(sum, udp, n)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct net_gso g;

	if (!net_gso_parse(data, size, &g))
		return 0;
	CHECK(g.n_segs >= 1 && g.n_segs <= NET_GSO_MAX_SEGS);
	CHECK(g.frame == data + NET_VNET_HLEN && g.len == size - NET_VNET_HLEN);
	for (unsigned i = 0; i < g.n_segs; i++) {
		lens[i] = net_gso_segment(&g, i, segs[i], SEG_CAP);
		CHECK(lens[i] <= SEG_CAP);
		if (lens[i] && g.mss)
			CHECK(lens[i] > g.hdr_len || (g.n_segs == 1 && lens[i] == g.hdr_len));
		if (lens[i] && g.udp) {
			check_udp(&g, segs[i], lens[i]);
			CHECK(lens[i] - g.hdr_len <= g.mss);
		}
	}
	CHECK(net_gso_segment(&g, g.n_segs, segs[0], SEG_CAP) == 0);
	if (g.udp) {
		struct net_gro r;

		for (unsigned i = 0; i < g.n_segs; i++)
			CHECK(lens[i] == 0 || !net_gro_start(&r, segs[i], lens[i]));
		CHECK(lens[0] == 0 || lens[0] == g.hdr_len ||
		      net_gro_start_udp(&r, segs[0], lens[0]));
	}
	coalesce(g.n_segs);
	return 0;
}

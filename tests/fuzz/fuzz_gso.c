/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: any bytes as a frame read from the tap-gso host port
 * (vnet header, then an Ethernet frame: lib/net/gso.c). Parsed, cut into
 * segments, and the segments coalesced again as the way to the kernel
 * would. Beyond the sanitizers: every segment fits the buffer and holds
 * the headers, a coalesced payload lies inside its frame, and a run never
 * grows past 64 KB or NET_GSO_MAX_SEGS.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_check.h"
#include "net/gso.h"

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
		open = net_gro_start(&g, segs[i], lens[i]);
		if (open)
			CHECK(g.hdr_len + (size_t)g.mss <= lens[i]);
	}
	if (open) {
		net_gro_finish(&g, &vh);
		CHECK(vh.gso_type == NET_VNET_GSO_NONE || vh.hdr_len == g.hdr_len);
	}
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
	}
	CHECK(net_gso_segment(&g, g.n_segs, segs[0], SEG_CAP) == 0);
	coalesce(g.n_segs);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: any bytes as a frame arriving at the data plane, on
 * the host port or the underlay port, through the real worker and control
 * lcore (lib/pipeline, built instrumented) on net_ring ports
 * (tests/unit/pipeline/net_ring.h) under a real EAL (--no-huge, one
 * lcore). fuzz_net drives lib/net's parsers alone; this reaches what the
 * pipeline does with them: the worker's sorting of host frames (ARP and
 * NS to control, IPv4/IPv6 to a peer, too big: the ICMP error back), the
 * control lcore's proxy ARP/ND for addresses behind the tunnel, its
 * answers to ARP and NS for our underlay address, what it learns from NA
 * and ARP replies, and the underlay classifier's way into control.
 *
 *   byte 0   bit 0: the underlay port (else the host port);
 *            bit 1: the frame split over two chained mbufs
 *   rest     the frame (up to 2048 bytes)
 *
 *   underlay  192.0.2.1/24, 2001:db8::1/64, port 51820 (us; fuzz_net.h)
 *   host      10.0.0.1, fd00::1 behind the host port
 *   peer A    AllowedIPs 10.0.0.2/32, fd00::2/128, no endpoint
 *   peer B    192.0.2.3:51820, AllowedIPs 10.0.0.3/32 (host packets to
 *             it start a handshake and wait)
 *   cluster   10.1.0.0/16 and fd01::/64 go to the miss hook
 *
 * Invariants beyond the sanitizers: every frame a port sends is Ethernet
 * we parse; what goes to the host as ARP or NA parses as such; the mbuf
 * pool never runs dry (a leak of one mbuf per frame would empty it).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_mbuf.h>
#include <sodium.h>

#include "pipeline/control_peers.h"

#include "../unit/pipeline/net_ring.h"
#include "fuzz_check.h"
#include "fuzz_net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { FRAME_MAX = 2048, OUT_MAX = 64 };

static struct nr_world nr;
static bool ready;
static unsigned misses;

static struct net_prefix host_route4(const struct net_ip4 *a)
{
	return (struct net_prefix){ .addr = { .family = NET_AF_IP4, .ip4 = *a }, .len = 32 };
}

static void miss_hook(void *ctx, struct rte_mbuf *m, uint64_t t)
{
	(void)ctx;
	(void)t;
	misses++;
	rte_pktmbuf_free(m);
}

static int eal(void)
{
	char prefix[64];
	char *argv[] = { "fuzz_worker", "--no-huge",   "-m",    "256",           "--no-pci", "-l",
			 "0",           "--log-level", "error", "--file-prefix", prefix,     NULL };

	snprintf(prefix, sizeof(prefix), "omni-fuzz-%d", (int)getpid());
	return rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
}

static int add_peer(uint8_t seed, const struct net_ip4 *ep, const struct net_prefix *routes,
		    unsigned n)
{
	uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN];
	struct pl_peer_spec s = { .public_key = pub, .routes = routes, .n_routes = n };

	memset(priv, seed, sizeof(priv));
	crypto_scalarmult_base(pub, priv);
	if (ep)
		s.ep = (struct pl_endpoint){ .udp = { .addr = { .family = NET_AF_IP4, .ip4 = *ep },
						      .port = FUZZ_NET_PORT } };
	return pl_control_peer_add(&nr.ctl, &s);
}

static int setup(void)
{
	static const uint8_t key[WG_KEY_LEN] = { 1, 2, 3 };
	struct nr_conf conf = {
		.local = fuzz_net_us,
		.prefix4 = 24,
		.prefix6 = 64,
		.host_kernel_mac = fuzz_net_host_mac,
		.host_our_mac = fuzz_net_host_our_mac,
		.mtu = 1420,
		.private_key = key,
		.max_peers = 8,
		.to_control_size = 16,
		.tx_ring_size = OUT_MAX,
		.ratelimit_burst = 1,
	};
	struct net_prefix a_routes[2] = {
		host_route4(&fuzz_net_a_vip4),
		{ .addr = { .family = NET_AF_IP6, .ip6 = fuzz_net_a_vip6 }, .len = 128 }
	};
	struct net_prefix b_routes[1] = { host_route4(&fuzz_net_b_vip4) };

	if (sodium_init() < 0 || eal() < 0 || nr_init(&nr, &conf) != 0)
		return -1;
	if (add_peer(2, NULL, a_routes, 2) != 0 || add_peer(3, &fuzz_net_b4, b_routes, 1) != 0 ||
	    pl_control_peers_commit(&nr.ctl) != 0)
		return -1;
	nr.dp.miss4 =
		(struct net_prefix){ .addr = { .family = NET_AF_IP4, .ip4 = fuzz_net_cluster4 },
				     .len = 16 };
	nr.dp.miss6 =
		(struct net_prefix){ .addr = { .family = NET_AF_IP6, .ip6 = fuzz_net_cluster6 },
				     .len = 64 };
	nr.ctl.miss_hook = miss_hook;
	return 0;
}

/* What goes to the host is an answer of ours or a packet for it. */
static void check_frame(const struct rte_mbuf *m, bool to_host)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	size_t len = rte_pktmbuf_data_len(m);
	struct net_eth e;
	struct net_arp arp;
	struct net_nd nd;

	CHECK(net_eth_parse(f, len, &e) == NET_DROP_OK);
	if (!to_host)
		return;
	if (e.type == NET_ETH_ARP)
		CHECK(net_arp_parse(f + e.hdr_len, len - e.hdr_len, &arp) == NET_DROP_OK &&
		      arp.op == NET_ARP_REPLY);
	if (e.type == NET_ETH_IP6 && len > e.hdr_len + NET_IP6_HLEN + NET_ICMP_OFF_TYPE &&
	    f[e.hdr_len + NET_IP6_OFF_NEXT] == NET_PROTO_ICMP6 &&
	    f[e.hdr_len + NET_IP6_HLEN + NET_ICMP_OFF_TYPE] == NET_ICMP6_ND_NA)
		CHECK(net_nd_na_parse(f + e.hdr_len, len - e.hdr_len, &nd) == NET_DROP_OK);
}

static void drain(void)
{
	struct rte_mbuf *out[OUT_MAX];
	unsigned n;

	while ((n = nr_underlay_out(&nr, out, OUT_MAX)) > 0)
		for (unsigned i = 0; i < n; i++) {
			check_frame(out[i], false);
			rte_pktmbuf_free(out[i]);
		}
	while ((n = nr_host_out(&nr, out, OUT_MAX)) > 0)
		for (unsigned i = 0; i < n; i++) {
			check_frame(out[i], true);
			rte_pktmbuf_free(out[i]);
		}
}

static struct rte_mbuf *frame(const uint8_t *f, size_t len, bool split)
{
	struct rte_mbuf *m, *tail;

	if (!split || len < 2)
		return nr_mbuf(&nr, f, len);
	m = nr_mbuf(&nr, f, len / 2);
	tail = nr_mbuf(&nr, f + len / 2, len - len / 2);
	CHECK(m && tail);
	CHECK(rte_pktmbuf_chain(m, tail) == 0);
	return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rte_mbuf *m;

	if (!ready) {
		CHECK(setup() == 0);
		ready = true;
	}
	if (size < 1 || size > FRAME_MAX + 1)
		return 0;
	m = frame(data + 1, size - 1, data[0] & 2);
	CHECK(m); /* the pool has run dry: mbufs leak */
	if (data[0] & 1)
		nr_underlay_in(&nr, m);
	else
		nr_host_in(&nr, m);
	nr_run(&nr);
	drain();
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: any bytes as a frame received on the underlay.
 * net_classify_underlay (with and without UDP checksum checks), then what
 * the control lcore would do with the result: ARP -> reply, NS -> NA; the
 * ARP, NS and NA parsers on the raw bytes too; and the "too big" error
 * builder as if the host had sent the frame. Beyond the sanitizers, it
 * checks invariants: the view stays inside the frame, and every answer
 * we build passes our own parser.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_check.h"
#include "fuzz_net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[2048];

static void answer_arp(const uint8_t *p, size_t len)
{
	struct net_arp req, rep;
	size_t n;

	if (net_arp_parse(p, len, &req) != NET_DROP_OK || req.op != NET_ARP_REQUEST)
		return;
	n = net_arp_frame_reply(out, sizeof(out), &req, &fuzz_net_us.mac);
	CHECK(n == NET_ETH_MIN_FRAME);
	CHECK(net_arp_parse(out + NET_ETH_HLEN, n - NET_ETH_HLEN, &rep) == NET_DROP_OK);
	CHECK(rep.op == NET_ARP_REPLY && net_ip4_eq(&rep.tpa, &req.spa));
}

static void answer_ns(const uint8_t *p, size_t len, const struct net_mac *eth_src)
{
	struct net_nd ns, na;
	size_t n;

	if (net_nd_ns_parse(p, len, &ns) != NET_DROP_OK)
		return;
	n = net_nd_na_frame(out, sizeof(out), &ns, eth_src, &fuzz_net_us.mac, NET_NA_FLAG_OVERRIDE);
	CHECK(n > NET_ETH_HLEN);
	CHECK(net_nd_na_parse(out + NET_ETH_HLEN, n - NET_ETH_HLEN, &na) == NET_DROP_OK);
	CHECK(net_ip6_eq(&na.target, &ns.target) && na.has_lla);
}

static void classify(const uint8_t *data, size_t size, const struct net_local *l)
{
	struct net_udp_view v;
	enum net_class c = net_classify_underlay(data, size, l, &v);

	CHECK((c == NET_MALFORMED) == (v.reason != NET_DROP_OK));
	CHECK((unsigned)v.reason < NET_DROP_COUNT);
	CHECK(net_drop_name(v.reason)[0] != '?');
	switch (c) {
	case NET_UDP_TO_US:
		CHECK(v.payload_off == v.l4_off + NET_UDP_HLEN);
		CHECK(v.payload_off + (size_t)v.payload_len <= size);
		break;
	case NET_ARP:
		CHECK(v.l3_off + (size_t)NET_ARP_LEN <= size);
		answer_arp(data + v.l3_off, size - v.l3_off);
		break;
	case NET_ND:
		CHECK(v.l4_off + (size_t)NET_ND_NS_LEN <= size);
		answer_ns(data + v.l3_off, size - v.l3_off, &v.src_mac);
		break;
	default:
		break;
	}
}

static void too_big(const uint8_t *data, size_t size)
{
	static const struct net_ip4 gw4 = { { 10, 0, 0, 1 } };
	static const struct net_ip6 gw6 = { { 0xfd, [15] = 1 } };
	struct net_eth e;
	struct net_ip4_info ip4;
	struct net_ip6_info ip6;
	size_t n =
		net_too_big_frame(out, sizeof(out), data, size, &fuzz_net_us.mac, &gw4, &gw6, 1280);

	if (!n)
		return;
	CHECK(n <= NET_ETH_HLEN + NET_VLAN_HLEN + NET_IP6_MIN_MTU);
	CHECK(net_eth_parse(out, n, &e) == NET_DROP_OK);
	if (e.type == NET_ETH_IP4)
		CHECK(net_ip4_parse(out + e.hdr_len, n - e.hdr_len, &ip4) == NET_DROP_OK);
	else
		CHECK(net_ip6_parse(out + e.hdr_len, n - e.hdr_len, &ip6) == NET_DROP_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct net_local nocsum = fuzz_net_us;
	struct net_eth e;

	nocsum.flags = 0;
	classify(data, size, &fuzz_net_us);
	classify(data, size, &nocsum);
	answer_arp(data, size);
	answer_ns(data, size, &fuzz_net_peer_mac);
	if (net_eth_parse(data, size, &e) == NET_DROP_OK)
		answer_ns(data + e.hdr_len, size - e.hdr_len, &e.src);
	too_big(data, size);
	return 0;
}

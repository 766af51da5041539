/* SPDX-License-Identifier: MIT */
/*
 * ARP for Ethernet and IPv4 (RFC 826). Layout of the 28-byte packet:
 *
 *   0 htype (1)  2 ptype (0x0800)  4 hlen (6)  5 plen (4)  6 op (1|2)
 *   8 sender MAC  14 sender IPv4  18 target MAC  24 target IPv4
 *
 * Every fixed field is checked, so a packet of another hardware or
 * protocol type can never be read as ours. Frames we send are padded to
 * the 60-byte Ethernet minimum.
 */
#include "net/net.h"

#define ARP_HTYPE_ETHER 1

enum arp_off {
	ARP_OFF_HTYPE = 0,
	ARP_OFF_PTYPE = 2,
	ARP_OFF_HLEN = 4,
	ARP_OFF_PLEN = 5,
	ARP_OFF_OP = 6,
	ARP_OFF_SHA = 8,
	ARP_OFF_SPA = 14,
	ARP_OFF_THA = 18,
	ARP_OFF_TPA = 24,
};

static_assert(ARP_OFF_TPA + 4 == NET_ARP_LEN, "ARP layout");
static_assert(NET_ETH_HLEN + NET_ARP_LEN <= NET_ETH_MIN_FRAME, "ARP frame is padded");

enum net_drop net_arp_parse(const uint8_t *buf, size_t len, struct net_arp *out)
{
	uint16_t op;

	if (len < NET_ARP_LEN)
		return NET_DROP_ARP_SHORT;
	if (net_get_be16(buf + ARP_OFF_HTYPE) != ARP_HTYPE_ETHER)
		return NET_DROP_ARP_HTYPE;
	if (net_get_be16(buf + ARP_OFF_PTYPE) != NET_ETH_IP4)
		return NET_DROP_ARP_PTYPE;
	if (buf[ARP_OFF_HLEN] != sizeof(out->sha.b))
		return NET_DROP_ARP_HLEN;
	if (buf[ARP_OFF_PLEN] != sizeof(out->spa.b))
		return NET_DROP_ARP_PLEN;
	op = net_get_be16(buf + ARP_OFF_OP);
	if (op != NET_ARP_REQUEST && op != NET_ARP_REPLY)
		return NET_DROP_ARP_OP;
	if (buf[ARP_OFF_SHA] & 1)
		return NET_DROP_ARP_SHA;
	out->op = op;
	memcpy(out->sha.b, buf + ARP_OFF_SHA, 6);
	memcpy(out->spa.b, buf + ARP_OFF_SPA, 4);
	memcpy(out->tha.b, buf + ARP_OFF_THA, 6);
	memcpy(out->tpa.b, buf + ARP_OFF_TPA, 4);
	return NET_DROP_OK;
}

size_t net_arp_build(uint8_t *buf, size_t cap, const struct net_arp *arp)
{
	if (cap < NET_ARP_LEN)
		return 0;
	net_put_be16(buf + ARP_OFF_HTYPE, ARP_HTYPE_ETHER);
	net_put_be16(buf + ARP_OFF_PTYPE, NET_ETH_IP4);
	buf[ARP_OFF_HLEN] = 6;
	buf[ARP_OFF_PLEN] = 4;
	net_put_be16(buf + ARP_OFF_OP, arp->op);
	memcpy(buf + ARP_OFF_SHA, arp->sha.b, 6);
	memcpy(buf + ARP_OFF_SPA, arp->spa.b, 4);
	memcpy(buf + ARP_OFF_THA, arp->tha.b, 6);
	memcpy(buf + ARP_OFF_TPA, arp->tpa.b, 4);
	return NET_ARP_LEN;
}

/* Ethernet header + arp + zero padding to 60 bytes. */
static size_t arp_frame(uint8_t *buf, size_t cap, const struct net_mac *eth_dst,
			const struct net_arp *arp)
{
	if (cap < NET_ETH_MIN_FRAME)
		return 0;
	net_eth_build(buf, cap, eth_dst, &arp->sha, NET_ETH_ARP);
	net_arp_build(buf + NET_ETH_HLEN, cap - NET_ETH_HLEN, arp);
	memset(buf + NET_ETH_HLEN + NET_ARP_LEN, 0, NET_ETH_MIN_FRAME - NET_ETH_HLEN - NET_ARP_LEN);
	return NET_ETH_MIN_FRAME;
}

size_t net_arp_frame_reply(uint8_t *buf, size_t cap, const struct net_arp *req,
			   const struct net_mac *mac)
{
	struct net_arp rep = {
		.op = NET_ARP_REPLY,
		.sha = *mac,
		.spa = req->tpa,
		.tha = req->sha,
		.tpa = req->spa,
	};

	return arp_frame(buf, cap, &req->sha, &rep);
}

size_t net_arp_frame_request(uint8_t *buf, size_t cap, const struct net_mac *mac,
			     const struct net_ip4 *ip, const struct net_ip4 *target)
{
	struct net_arp req = {
		.op = NET_ARP_REQUEST,
		.sha = *mac,
		.spa = *ip,
		.tpa = *target,
	};

	return arp_frame(buf, cap, &net_mac_broadcast, &req);
}

size_t net_arp_frame_gratuitous(uint8_t *buf, size_t cap, const struct net_mac *mac,
				const struct net_ip4 *ip)
{
	return net_arp_frame_request(buf, cap, mac, ip, ip);
}

/* SPDX-License-Identifier: MIT */
/*
 * Ethernet II headers (IEEE 802.3), with at most one 802.1Q/802.1ad tag.
 */
#include "net/net.h"

const struct net_mac net_mac_broadcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };

enum net_drop net_eth_parse(const uint8_t *buf, size_t len, struct net_eth *out)
{
	uint16_t type;

	if (len < NET_ETH_HLEN)
		return NET_DROP_ETH_SHORT;
	memcpy(out->dst.b, buf, 6);
	memcpy(out->src.b, buf + 6, 6);
	type = net_get_be16(buf + 12);
	out->vlan = false;
	out->vlan_tci = 0;
	out->hdr_len = NET_ETH_HLEN;
	if (type == NET_ETH_VLAN || type == NET_ETH_QINQ) {
		if (len < NET_ETH_HLEN + NET_VLAN_HLEN)
			return NET_DROP_VLAN_SHORT;
		out->vlan = true;
		out->vlan_tci = net_get_be16(buf + 14);
		type = net_get_be16(buf + 16);
		out->hdr_len = NET_ETH_HLEN + NET_VLAN_HLEN;
	}
	out->type = type;
	return NET_DROP_OK;
}

size_t net_eth_build(uint8_t *buf, size_t cap, const struct net_mac *dst, const struct net_mac *src,
		     uint16_t type)
{
	if (cap < NET_ETH_HLEN)
		return 0;
	memcpy(buf, dst->b, 6);
	memcpy(buf + 6, src->b, 6);
	net_put_be16(buf + 12, type);
	return NET_ETH_HLEN;
}

size_t net_eth_build_vlan(uint8_t *buf, size_t cap, const struct net_mac *dst,
			  const struct net_mac *src, uint16_t tci, uint16_t type)
{
	if (cap < NET_ETH_HLEN + NET_VLAN_HLEN)
		return 0;
	memcpy(buf, dst->b, 6);
	memcpy(buf + 6, src->b, 6);
	net_put_be16(buf + 12, NET_ETH_VLAN);
	net_put_be16(buf + 14, tci);
	net_put_be16(buf + 16, type);
	return NET_ETH_HLEN + NET_VLAN_HLEN;
}

void net_eth_ip6_mcast_mac(const struct net_ip6 *group, struct net_mac *out)
{
	out->b[0] = 0x33;
	out->b[1] = 0x33;
	memcpy(out->b + 2, group->b + 12, 4);
}

size_t net_eth_insert_vlan(uint8_t *buf, size_t len, size_t cap, uint16_t tci)
{
	if (len < NET_ETH_HLEN || cap < NET_VLAN_HLEN || len > cap - NET_VLAN_HLEN)
		return 0;
	memmove(buf + 16, buf + 12, len - 12);
	net_put_be16(buf + 12, NET_ETH_VLAN);
	net_put_be16(buf + 14, tci);
	return len + NET_VLAN_HLEN;
}

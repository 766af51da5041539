/* SPDX-License-Identifier: MIT */
/*
 * IPv6 fixed headers (RFC 8200 section 3). Extension headers are not
 * walked: has_ext says one follows, and the classifier refuses such
 * packets to us rather than guess at their contents.
 */
#include "net/net.h"

const struct net_ip6 net_ip6_all_nodes = { { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					     0x01 } };

/* RFC 8200 section 4 and the IANA "IPv6 Extension Header Types" list. */
bool net_ip6_is_ext_header(uint8_t next)
{
	switch (next) {
	case NET_PROTO_HOPOPTS:
	case NET_PROTO_ROUTING:
	case NET_PROTO_FRAGMENT:
	case NET_PROTO_ESP:
	case NET_PROTO_AH:
	case NET_PROTO_DSTOPTS:
	case NET_PROTO_MOBILITY:
	case NET_PROTO_HIP:
	case NET_PROTO_SHIM6:
	case 253: /* experimentation and testing, RFC 3692 */
	case 254:
		return true;
	default:
		return false;
	}
}

enum net_drop net_ip6_parse(const uint8_t *buf, size_t len, struct net_ip6_info *out)
{
	uint32_t vtcfl;

	if (len < NET_IP6_HLEN)
		return NET_DROP_IP6_SHORT;
	vtcfl = net_get_be32(buf + NET_IP6_OFF_VTCFL);
	if (vtcfl >> 28 != 6)
		return NET_DROP_IP6_VERSION;
	out->payload_len = net_get_be16(buf + NET_IP6_OFF_PAYLEN);
	if (out->payload_len > len - NET_IP6_HLEN)
		return NET_DROP_IP6_PAYLEN;
	out->tclass = (uint8_t)(vtcfl >> 20);
	out->flow = vtcfl & 0xfffff;
	out->next = buf[NET_IP6_OFF_NEXT];
	out->hop_limit = buf[NET_IP6_OFF_HOPS];
	out->has_ext = net_ip6_is_ext_header(out->next);
	memcpy(out->src.b, buf + NET_IP6_OFF_SRC, 16);
	memcpy(out->dst.b, buf + NET_IP6_OFF_DST, 16);
	return NET_DROP_OK;
}

size_t net_ip6_build(uint8_t *buf, size_t cap, const struct net_ip6_info *info)
{
	if (cap < NET_IP6_HLEN)
		return 0;
	net_put_be32(buf + NET_IP6_OFF_VTCFL,
		     6u << 28 | (uint32_t)info->tclass << 20 | (info->flow & 0xfffff));
	net_put_be16(buf + NET_IP6_OFF_PAYLEN, info->payload_len);
	buf[NET_IP6_OFF_NEXT] = info->next;
	buf[NET_IP6_OFF_HOPS] = info->hop_limit;
	memcpy(buf + NET_IP6_OFF_SRC, info->src.b, 16);
	memcpy(buf + NET_IP6_OFF_DST, info->dst.b, 16);
	return NET_IP6_HLEN;
}

/* ff02::1:ff00:0/104 (RFC 4291 section 2.7.1) */
static const uint8_t solicited_prefix[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff };

void net_ip6_solicited_node(const struct net_ip6 *addr, struct net_ip6 *out)
{
	memcpy(out->b, solicited_prefix, sizeof(solicited_prefix));
	memcpy(out->b + 13, addr->b + 13, 3);
}

bool net_ip6_is_solicited_node(const struct net_ip6 *a)
{
	return memcmp(a->b, solicited_prefix, sizeof(solicited_prefix)) == 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * Neighbor Discovery for IPv6 (RFC 4861): Neighbor Solicitation and
 * Advertisement over Ethernet. Both messages have the same shape:
 *
 *   0 type  1 code  2 checksum  4 NA flags / reserved  8 target  24 options
 *
 * and options are {type, length in units of 8 bytes, ...}; a length of
 * 0 is invalid (it would make the walk loop forever) and so is one that
 * runs past the message (section 4.6).
 */
#include "net/net.h"

enum nd_off {
	ND_OFF_TYPE = 0,
	ND_OFF_CODE = 1,
	ND_OFF_FLAGS = 4,
	ND_OFF_TARGET = 8,
	ND_OFF_OPTS = 24,
};

static_assert((int)ND_OFF_OPTS == (int)NET_ND_NS_LEN, "NS/NA layout");

#define ND_FRAME_LEN (NET_ETH_HLEN + NET_IP6_HLEN + NET_ND_NS_LEN + NET_ND_OPT_LL_LEN)

/* Walk the options; remember the first Ethernet link-layer option of want. */
static enum net_drop nd_options(const uint8_t *opt, size_t len, uint8_t want, struct net_nd *out)
{
	size_t off = 0, olen;

	out->has_lla = false;
	while (off < len) {
		if (len - off < 2 || opt[off + 1] == 0)
			return NET_DROP_ND_OPT_LEN;
		olen = opt[off + 1] * 8u;
		if (olen > len - off)
			return NET_DROP_ND_OPT_LEN;
		if (opt[off] == want && olen == NET_ND_OPT_LL_LEN && !out->has_lla) {
			out->has_lla = true;
			memcpy(out->lla.b, opt + off + 2, 6);
		}
		off += olen;
	}
	return NET_DROP_OK;
}

/* The checks NS and NA share (RFC 4861 7.1.1 and 7.1.2). */
static enum net_drop nd_parse(const uint8_t *buf, size_t len, uint8_t type, uint8_t want_opt,
			      struct net_nd *out)
{
	struct net_ip6_info ip;
	const uint8_t *icmp;
	enum net_drop r = net_ip6_parse(buf, len, &ip);

	if (r != NET_DROP_OK)
		return r;
	icmp = buf + NET_IP6_HLEN;
	if (ip.next != NET_PROTO_ICMP6)
		return ip.has_ext ? NET_DROP_IP6_EXTHDR : NET_DROP_ICMP_TYPE;
	if (ip.payload_len < NET_ND_NS_LEN)
		return NET_DROP_ICMP_SHORT;
	if (net_ip6_is_multicast(&ip.src))
		return NET_DROP_IP6_SRC;
	if (icmp[ND_OFF_TYPE] != type)
		return NET_DROP_ICMP_TYPE;
	if (ip.hop_limit != NET_ND_HOP_LIMIT)
		return NET_DROP_ND_HOP_LIMIT;
	if (icmp[ND_OFF_CODE] != 0)
		return NET_DROP_ND_CODE;
	if (!net_csum_ok(net_csum_add(net_csum_pseudo6(&ip.src, &ip.dst, NET_PROTO_ICMP6,
						       ip.payload_len),
				      icmp, ip.payload_len)))
		return NET_DROP_ICMP_CSUM;
	if (icmp[ND_OFF_TARGET] == 0xff)
		return NET_DROP_ND_TARGET;
	out->type = type;
	out->flags = icmp[ND_OFF_FLAGS];
	out->src = ip.src;
	out->dst = ip.dst;
	memcpy(out->target.b, icmp + ND_OFF_TARGET, 16);
	return nd_options(icmp + ND_OFF_OPTS, ip.payload_len - NET_ND_NS_LEN, want_opt, out);
}

enum net_drop net_nd_ns_parse(const uint8_t *buf, size_t len, struct net_nd *out)
{
	enum net_drop r = nd_parse(buf, len, NET_ICMP6_ND_NS, NET_ND_OPT_SLLA, out);

	if (r != NET_DROP_OK)
		return r;
	out->flags = 0;
	if (net_ip6_is_unspecified(&out->src)) {
		if (!net_ip6_is_solicited_node(&out->dst))
			return NET_DROP_ND_DAD_DST;
		if (out->has_lla)
			return NET_DROP_ND_DAD_SLLA;
	}
	return NET_DROP_OK;
}

enum net_drop net_nd_na_parse(const uint8_t *buf, size_t len, struct net_nd *out)
{
	enum net_drop r = nd_parse(buf, len, NET_ICMP6_ND_NA, NET_ND_OPT_TLLA, out);

	if (r != NET_DROP_OK)
		return r;
	if (net_ip6_is_multicast(&out->dst) && (out->flags & NET_NA_FLAG_SOLICITED))
		return NET_DROP_ND_NA_SOLICITED;
	return NET_DROP_OK;
}

/*
 * Ethernet + IPv6 (hop limit 255) + NS/NA with one link-layer option, or
 * none when opt_type is 0. Returns the frame length.
 */
static size_t nd_frame(uint8_t *buf, const struct net_mac *eth_dst, const struct net_mac *mac,
		       struct net_ip6_info *ip, uint8_t type, uint8_t flags,
		       const struct net_ip6 *target, uint8_t opt_type)
{
	uint8_t *icmp = buf + NET_ETH_HLEN + NET_IP6_HLEN;
	size_t icmp_len = NET_ND_NS_LEN + (opt_type ? NET_ND_OPT_LL_LEN : 0);
	uint32_t s;

	net_eth_build(buf, NET_ETH_HLEN, eth_dst, mac, NET_ETH_IP6);
	ip->next = NET_PROTO_ICMP6;
	ip->hop_limit = NET_ND_HOP_LIMIT;
	ip->payload_len = (uint16_t)icmp_len;
	net_ip6_build(buf + NET_ETH_HLEN, NET_IP6_HLEN, ip);
	memset(icmp, 0, NET_ND_NS_LEN);
	icmp[ND_OFF_TYPE] = type;
	icmp[ND_OFF_FLAGS] = flags;
	memcpy(icmp + ND_OFF_TARGET, target->b, 16);
	if (opt_type) {
		icmp[ND_OFF_OPTS] = opt_type;
		icmp[ND_OFF_OPTS + 1] = 1;
		memcpy(icmp + ND_OFF_OPTS + 2, mac->b, 6);
	}
	s = net_csum_pseudo6(&ip->src, &ip->dst, NET_PROTO_ICMP6, (uint32_t)icmp_len);
	net_put_be16(icmp + 2, net_csum_finish(net_csum_add(s, icmp, icmp_len)));
	return NET_ETH_HLEN + NET_IP6_HLEN + icmp_len;
}

size_t net_nd_na_frame(uint8_t *buf, size_t cap, const struct net_nd *ns,
		       const struct net_mac *eth_src, const struct net_mac *mac, uint8_t flags)
{
	struct net_ip6_info ip = { .src = ns->target, .dst = ns->src };
	struct net_mac eth_dst = ns->has_lla ? ns->lla : *eth_src;

	if (cap < ND_FRAME_LEN)
		return 0;
	flags &= NET_NA_FLAG_ROUTER | NET_NA_FLAG_OVERRIDE;
	if (net_ip6_is_unspecified(&ns->src)) {
		ip.dst = net_ip6_all_nodes; /* RFC 4861 7.2.4: DAD, not solicited */
		net_eth_ip6_mcast_mac(&ip.dst, &eth_dst);
	} else {
		flags |= NET_NA_FLAG_SOLICITED;
	}
	return nd_frame(buf, &eth_dst, mac, &ip, NET_ICMP6_ND_NA, flags, &ns->target,
			NET_ND_OPT_TLLA);
}

size_t net_nd_ns_frame(uint8_t *buf, size_t cap, const struct net_mac *mac,
		       const struct net_ip6 *src, const struct net_ip6 *target,
		       const struct net_mac *dst_mac)
{
	struct net_ip6_info ip = { .src = *src, .dst = *target };
	struct net_mac eth_dst;
	/* no source link-layer option from the unspecified address (7.1.1) */
	uint8_t opt = net_ip6_is_unspecified(src) ? 0 : NET_ND_OPT_SLLA;

	if (cap < ND_FRAME_LEN)
		return 0;
	if (dst_mac) {
		eth_dst = *dst_mac;
	} else {
		net_ip6_solicited_node(target, &ip.dst);
		net_eth_ip6_mcast_mac(&ip.dst, &eth_dst);
	}
	return nd_frame(buf, &eth_dst, mac, &ip, NET_ICMP6_ND_NS, 0, target, opt);
}

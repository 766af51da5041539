/* SPDX-License-Identifier: MIT */
/*
 * Classify one frame received on the underlay port, the way the xdp-tools
 * parsers walk a packet: a cursor moves header by header, every read is
 * checked against the frame length, and the cheap tests (lengths, MAC,
 * destination address, protocol, port) come before the costly ones
 * (checksums). Anything not addressed to us is NET_OTHER as soon as that
 * is known, so foreign traffic costs a few compares.
 */
#include "net/net.h"

static enum net_class malformed(struct net_udp_view *out, enum net_drop r)
{
	out->reason = r;
	return NET_MALFORMED;
}

static bool ip6_is_ours(const struct net_local *l, const struct net_ip6 *a)
{
	return (!net_ip6_is_unspecified(&l->ip6) && net_ip6_eq(a, &l->ip6)) ||
	       (!net_ip6_is_unspecified(&l->ip6_ll) && net_ip6_eq(a, &l->ip6_ll));
}

/* Multicast groups ND reaches us on: all-nodes, our solicited-node groups. */
static bool ip6_is_our_group(const struct net_local *l, const struct net_ip6 *a)
{
	struct net_ip6 g;

	if (net_ip6_eq(a, &net_ip6_all_nodes))
		return true;
	if (!net_ip6_is_solicited_node(a))
		return false;
	if (!net_ip6_is_unspecified(&l->ip6)) {
		net_ip6_solicited_node(&l->ip6, &g);
		if (net_ip6_eq(a, &g))
			return true;
	}
	if (!net_ip6_is_unspecified(&l->ip6_ll)) {
		net_ip6_solicited_node(&l->ip6_ll, &g);
		if (net_ip6_eq(a, &g))
			return true;
	}
	return false;
}

static void fill_udp(struct net_udp_view *out, uint32_t l4_off, const struct net_udp_info *u)
{
	out->l4_off = l4_off;
	out->payload_off = l4_off + NET_UDP_HLEN;
	out->payload_len = u->len - NET_UDP_HLEN;
	out->src_port = u->src_port;
	out->dst_port = u->dst_port;
}

static enum net_class classify_arp(const uint8_t *p, size_t len, const struct net_local *l,
				   struct net_udp_view *out)
{
	struct net_arp arp;
	enum net_drop r;

	if (net_ip4_is_zero(&l->ip4))
		return NET_OTHER;
	r = net_arp_parse(p, len, &arp);
	if (r != NET_DROP_OK)
		return malformed(out, r);
	if (!net_ip4_eq(&arp.tpa, &l->ip4))
		return NET_OTHER;
	out->src.family = NET_AF_IP4;
	out->src.ip4 = arp.spa;
	return NET_ARP;
}

/*
 * The header checksum, the common 20-byte header summed inline: five
 * words in host order (the one's complement sum does not depend on byte
 * order, RFC 1071 section 2(B), and 0xffff reads the same both ways).
 */
static uint32_t word(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static bool ip4_header_ok(const uint8_t *p, unsigned hdr_len)
{
	uint64_t s;

	if (hdr_len != NET_IP4_HLEN)
		return net_csum_ok(net_csum_add(0, p, hdr_len));
	s = (uint64_t)word(p) + word(p + 4) + word(p + 8) + word(p + 12) + word(p + 16);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return s == 0xffff;
}

static enum net_class classify_ip4(const uint8_t *p, size_t len, const struct net_local *l,
				   struct net_udp_view *out)
{
	struct net_ip4_info ip;
	struct net_udp_info u;
	const uint8_t *udp;
	enum net_drop r = net_ip4_parse_header(p, len, &ip);

	if (r != NET_DROP_OK)
		return malformed(out, r);
	if (net_ip4_is_zero(&l->ip4) || !net_ip4_eq(&ip.dst, &l->ip4) || ip.proto != NET_PROTO_UDP)
		return NET_OTHER;
	if (!ip4_header_ok(p, ip.hdr_len))
		return malformed(out, NET_DROP_IP4_CSUM);
	if (ip.fragment)
		return malformed(out, NET_DROP_IP4_FRAGMENT);
	if (net_ip4_is_zero(&ip.src) || net_ip4_is_mcast_or_bcast(&ip.src))
		return malformed(out, NET_DROP_IP4_SRC);
	udp = p + ip.hdr_len;
	r = net_udp_parse(udp, ip.total_len - ip.hdr_len, &u);
	if (r != NET_DROP_OK)
		return malformed(out, r);
	if (u.dst_port != l->port)
		return NET_OTHER;
	if ((l->flags & NET_LOCAL_VERIFY_UDP_CSUM) &&
	    !net_udp4_csum_ok(udp, u.len, &ip.src, &ip.dst))
		return malformed(out, NET_DROP_UDP_CSUM);
	fill_udp(out, out->l3_off + ip.hdr_len, &u);
	out->src.family = out->dst.family = NET_AF_IP4;
	out->src.ip4 = ip.src;
	out->dst.ip4 = ip.dst;
	return NET_UDP_TO_US;
}

static enum net_class classify_udp6(const uint8_t *p, const struct net_ip6_info *ip,
				    const struct net_local *l, struct net_udp_view *out)
{
	struct net_udp_info u;
	const uint8_t *udp = p + NET_IP6_HLEN;
	enum net_drop r = net_udp_parse(udp, ip->payload_len, &u);

	if (r != NET_DROP_OK)
		return malformed(out, r);
	if (u.dst_port != l->port)
		return NET_OTHER;
	if (net_ip6_is_multicast(&ip->src))
		return malformed(out, NET_DROP_IP6_SRC);
	if (u.csum == 0)
		return malformed(out, NET_DROP_UDP6_NO_CSUM);
	if ((l->flags & NET_LOCAL_VERIFY_UDP_CSUM) &&
	    !net_udp6_csum_ok(udp, u.len, &ip->src, &ip->dst))
		return malformed(out, NET_DROP_UDP_CSUM);
	fill_udp(out, out->l3_off + NET_IP6_HLEN, &u);
	out->src.family = out->dst.family = NET_AF_IP6;
	out->src.ip6 = ip->src;
	out->dst.ip6 = ip->dst;
	return NET_UDP_TO_US;
}

/* An NS for one of our addresses, or any valid NA reaching us. */
static enum net_class classify_nd(const uint8_t *p, size_t len, const struct net_ip6_info *ip,
				  const struct net_local *l, struct net_udp_view *out)
{
	struct net_nd nd;
	enum net_drop r;
	uint8_t type = ip->payload_len ? p[NET_IP6_HLEN] : 0;

	if (type == NET_ICMP6_ND_NS)
		r = net_nd_ns_parse(p, len, &nd);
	else if (type == NET_ICMP6_ND_NA)
		r = net_nd_na_parse(p, len, &nd);
	else
		return NET_OTHER;
	if (r != NET_DROP_OK)
		return malformed(out, r);
	if (type == NET_ICMP6_ND_NS && !ip6_is_ours(l, &nd.target))
		return NET_OTHER;
	out->l4_off = out->l3_off + NET_IP6_HLEN;
	out->src.family = out->dst.family = NET_AF_IP6;
	out->src.ip6 = ip->src;
	out->dst.ip6 = ip->dst;
	return NET_ND;
}

static enum net_class classify_ip6(const uint8_t *p, size_t len, const struct net_local *l,
				   struct net_udp_view *out)
{
	struct net_ip6_info ip;
	enum net_drop r = net_ip6_parse(p, len, &ip);
	bool unicast;

	if (r != NET_DROP_OK)
		return malformed(out, r);
	unicast = ip6_is_ours(l, &ip.dst);
	if (!unicast && !ip6_is_our_group(l, &ip.dst))
		return NET_OTHER;
	if (ip.next == NET_PROTO_ICMP6)
		return classify_nd(p, len, &ip, l, out);
	if (!unicast)
		return NET_OTHER;
	if (ip.next == NET_PROTO_UDP)
		return classify_udp6(p, &ip, l, out);
	if (ip.has_ext)
		return malformed(out, NET_DROP_IP6_EXTHDR);
	return NET_OTHER;
}

/*
 * The frame nearly every tunnel packet is: untagged IPv4 with a 20-byte
 * header, to our MAC, address and port, UDP, whole, its checksum right.
 * Tested in one pass without the general parsers; true only when the
 * general path would find NET_UDP_TO_US and fill out the same. Anything
 * else, good or bad, is left to the general path, which names the reason.
 */
static bool plain_udp4(const uint8_t *buf, size_t len, const struct net_local *l,
		       struct net_udp_view *out)
{
	const uint8_t *ip = buf + NET_ETH_HLEN, *udp = ip + NET_IP4_HLEN;
	struct net_ip4 src;
	uint16_t total;

	if (len < NET_ETH_HLEN + NET_IP4_HLEN + NET_UDP_HLEN ||
	    memcmp(buf, l->mac.b, sizeof(l->mac.b)) != 0 || net_get_be16(buf + 12) != NET_ETH_IP4 ||
	    ip[NET_IP4_OFF_VIHL] != 0x45 || ip[NET_IP4_OFF_PROTO] != NET_PROTO_UDP)
		return false;
	total = net_get_be16(ip + NET_IP4_OFF_TOTLEN);
	memcpy(src.b, ip + NET_IP4_OFF_SRC, sizeof(src.b));
	if (total < NET_IP4_HLEN + NET_UDP_HLEN || total > len - NET_ETH_HLEN ||
	    net_ip4_is_zero(&l->ip4) || memcmp(ip + NET_IP4_OFF_DST, l->ip4.b, 4) != 0 ||
	    (net_get_be16(ip + NET_IP4_OFF_FRAG) & (NET_IP4_FLAG_MF | NET_IP4_FRAG_MASK)) ||
	    net_ip4_is_zero(&src) || net_ip4_is_mcast_or_bcast(&src) ||
	    net_get_be16(udp + NET_UDP_OFF_LEN) != total - NET_IP4_HLEN ||
	    net_get_be16(udp + NET_UDP_OFF_DPORT) != l->port ||
	    (l->flags & (NET_LOCAL_VERIFY_UDP_CSUM | NET_LOCAL_GENERAL_PATH)) ||
	    !ip4_header_ok(ip, NET_IP4_HLEN))
		return false;
	*out = (struct net_udp_view){
		.reason = NET_DROP_OK,
		.l3_off = NET_ETH_HLEN,
		.l4_off = NET_ETH_HLEN + NET_IP4_HLEN,
		.payload_off = NET_ETH_HLEN + NET_IP4_HLEN + NET_UDP_HLEN,
		.payload_len = total - NET_IP4_HLEN - NET_UDP_HLEN,
		.src_port = net_get_be16(udp + NET_UDP_OFF_SPORT),
		.dst_port = l->port,
		.src = { .family = NET_AF_IP4, .ip4 = src },
		.dst = { .family = NET_AF_IP4, .ip4 = l->ip4 },
	};
	memcpy(out->src_mac.b, buf + 6, sizeof(out->src_mac.b));
	return true;
}

enum net_class net_classify_underlay(const uint8_t *buf, size_t len, const struct net_local *local,
				     struct net_udp_view *out)
{
	struct net_eth eth;
	enum net_drop r;
	const uint8_t *p;

	if (plain_udp4(buf, len, local, out))
		return NET_UDP_TO_US;
	memset(out, 0, sizeof(*out));
	r = net_eth_parse(buf, len, &eth);
	if (r != NET_DROP_OK)
		return malformed(out, r);
	if (!net_mac_eq(&eth.dst, &local->mac) && !net_mac_is_multicast(&eth.dst))
		return NET_OTHER;
	out->vlan = eth.vlan;
	out->vlan_tci = eth.vlan_tci;
	out->src_mac = eth.src;
	out->l3_off = eth.hdr_len;
	p = buf + eth.hdr_len;
	len -= eth.hdr_len;
	switch (eth.type) {
	case NET_ETH_IP4:
		return classify_ip4(p, len, local, out);
	case NET_ETH_IP6:
		return classify_ip6(p, len, local, out);
	case NET_ETH_ARP:
		return classify_arp(p, len, local, out);
	default:
		return NET_OTHER;
	}
}

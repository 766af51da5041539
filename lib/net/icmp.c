/* SPDX-License-Identifier: MIT */
/*
 * ICMP (RFC 792) and ICMPv6 (RFC 4443): echo for tests and tools, and the
 * "too big" errors the data plane sends back to the host when an inner
 * packet does not fit the tunnel MTU (Path MTU Discovery, RFC 1191 and
 * RFC 8201).
 *
 * Errors are never sent about errors, about non-first IPv4 fragments or
 * to sources that cannot be answered (RFC 1122 3.2.2, RFC 4443 2.4(e)).
 */
#include "net/net.h"

#define ICMP4_ERR_TOS 0xc0 /* precedence "internetwork control" */
#define ICMP4_QUOTE_MAX (NET_IP4_ICMP_QUOTE_MAX - NET_IP4_HLEN - NET_ICMP_HLEN)
#define ICMP6_QUOTE_MAX (NET_IP6_MIN_MTU - NET_IP6_HLEN - NET_ICMP_HLEN)

static_assert(ICMP4_QUOTE_MAX >= NET_IP4_MAX_HLEN + 8, "RFC 792: header + 64 bits");

/* type, code, checksum 0, then the 4-byte rest-of-header word. */
static void icmp_header(uint8_t *p, uint8_t type, uint8_t code, uint32_t rest)
{
	p[0] = type;
	p[1] = code;
	net_put_be16(p + 2, 0);
	net_put_be32(p + 4, rest);
}

static void icmp4_set_csum(uint8_t *icmp, size_t len)
{
	net_put_be16(icmp + 2, net_csum_finish(net_csum_add(0, icmp, len)));
}

static void icmp6_set_csum(uint8_t *icmp, size_t len, const struct net_ip6 *src,
			   const struct net_ip6 *dst)
{
	uint32_t s = net_csum_pseudo6(src, dst, NET_PROTO_ICMP6, (uint32_t)len);

	net_put_be16(icmp + 2, net_csum_finish(net_csum_add(s, icmp, len)));
}

static bool icmp6_csum_ok(const uint8_t *icmp, size_t len, const struct net_ip6 *src,
			  const struct net_ip6 *dst)
{
	uint32_t s = net_csum_pseudo6(src, dst, NET_PROTO_ICMP6, (uint32_t)len);

	return net_csum_ok(net_csum_add(s, icmp, len));
}

static size_t ip6_packet(uint8_t *buf, const struct net_ip6 *src, const struct net_ip6 *dst,
			 uint8_t hops, size_t icmp_len)
{
	struct net_ip6_info ip = {
		.next = NET_PROTO_ICMP6,
		.hop_limit = hops,
		.payload_len = (uint16_t)icmp_len,
		.src = *src,
		.dst = *dst,
	};

	net_ip6_build(buf, NET_IP6_HLEN, &ip);
	icmp6_set_csum(buf + NET_IP6_HLEN, icmp_len, src, dst);
	return NET_IP6_HLEN + icmp_len;
}

size_t net_icmp4_echo_build(uint8_t *buf, size_t cap, const struct net_ip4 *src,
			    const struct net_ip4 *dst, const struct net_echo *e)
{
	struct net_ip4_info ip = {
		.ttl = NET_DEFAULT_TTL,
		.proto = NET_PROTO_ICMP,
		.src = *src,
		.dst = *dst,
	};
	size_t icmp_len = NET_ICMP_HLEN + e->data_len;
	uint8_t *icmp = buf + NET_IP4_HLEN;

	if (e->data_len > UINT16_MAX - NET_IP4_HLEN - NET_ICMP_HLEN ||
	    cap < NET_IP4_HLEN + icmp_len)
		return 0;
	if (e->data_len)
		memmove(icmp + NET_ICMP_HLEN, e->data, e->data_len);
	icmp_header(icmp, e->reply ? NET_ICMP4_ECHO_REPLY : NET_ICMP4_ECHO_REQUEST, 0,
		    (uint32_t)e->id << 16 | e->seq);
	icmp4_set_csum(icmp, icmp_len);
	net_ip4_build(buf, cap, &ip, (uint16_t)icmp_len);
	return NET_IP4_HLEN + icmp_len;
}

static void echo_fill(const uint8_t *buf, size_t len, bool reply, struct net_echo *out)
{
	out->reply = reply;
	out->id = net_get_be16(buf + 4);
	out->seq = net_get_be16(buf + 6);
	out->data = buf + NET_ICMP_HLEN;
	out->data_len = len - NET_ICMP_HLEN;
}

enum net_drop net_icmp4_echo_parse(const uint8_t *buf, size_t len, struct net_echo *out)
{
	if (len < NET_ICMP_HLEN)
		return NET_DROP_ICMP_SHORT;
	if ((buf[0] != NET_ICMP4_ECHO_REQUEST && buf[0] != NET_ICMP4_ECHO_REPLY) || buf[1])
		return NET_DROP_ICMP_TYPE;
	if (!net_csum_ok(net_csum_add(0, buf, len)))
		return NET_DROP_ICMP_CSUM;
	echo_fill(buf, len, buf[0] == NET_ICMP4_ECHO_REPLY, out);
	return NET_DROP_OK;
}

size_t net_icmp6_echo_build(uint8_t *buf, size_t cap, const struct net_ip6 *src,
			    const struct net_ip6 *dst, const struct net_echo *e)
{
	size_t icmp_len = NET_ICMP_HLEN + e->data_len;
	uint8_t *icmp = buf + NET_IP6_HLEN;

	if (e->data_len > UINT16_MAX - NET_ICMP_HLEN || cap < NET_IP6_HLEN + icmp_len)
		return 0;
	if (e->data_len)
		memmove(icmp + NET_ICMP_HLEN, e->data, e->data_len);
	icmp_header(icmp, e->reply ? NET_ICMP6_ECHO_REPLY : NET_ICMP6_ECHO_REQUEST, 0,
		    (uint32_t)e->id << 16 | e->seq);
	return ip6_packet(buf, src, dst, NET_DEFAULT_TTL, icmp_len);
}

enum net_drop net_icmp6_echo_parse(const uint8_t *buf, size_t len, const struct net_ip6 *src,
				   const struct net_ip6 *dst, struct net_echo *out)
{
	if (len < NET_ICMP_HLEN)
		return NET_DROP_ICMP_SHORT;
	if ((buf[0] != NET_ICMP6_ECHO_REQUEST && buf[0] != NET_ICMP6_ECHO_REPLY) || buf[1])
		return NET_DROP_ICMP_TYPE;
	if (len > UINT16_MAX || !icmp6_csum_ok(buf, len, src, dst))
		return NET_DROP_ICMP_CSUM;
	echo_fill(buf, len, buf[0] == NET_ICMP6_ECHO_REPLY, out);
	return NET_DROP_OK;
}

/* ICMPv4 error types (RFC 792, RFC 1122 3.2.2): never answered with one. */
static bool icmp4_is_error(uint8_t type)
{
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/* May orig (a valid IPv4 header) be the subject of an ICMP error? */
static bool icmp4_may_report(const uint8_t *orig, const struct net_ip4_info *ip)
{
	if (net_get_be16(orig + NET_IP4_OFF_FRAG) & NET_IP4_FRAG_MASK)
		return false;
	if (net_ip4_is_zero(&ip->src) || net_ip4_is_mcast_or_bcast(&ip->src))
		return false;
	if (ip->proto != NET_PROTO_ICMP)
		return true;
	return ip->total_len > ip->hdr_len && !icmp4_is_error(orig[ip->hdr_len]);
}

size_t net_icmp4_frag_needed(uint8_t *buf, size_t cap, const uint8_t *orig, size_t orig_len,
			     const struct net_ip4 *src, uint16_t mtu)
{
	struct net_ip4_info o, ip = {
		.tos = ICMP4_ERR_TOS,
		.ttl = NET_DEFAULT_TTL,
		.proto = NET_PROTO_ICMP,
	};
	size_t quote, icmp_len;
	uint8_t *icmp = buf + NET_IP4_HLEN;

	if (net_ip4_parse_header(orig, orig_len, &o) != NET_DROP_OK || !icmp4_may_report(orig, &o))
		return 0;
	quote = o.total_len < ICMP4_QUOTE_MAX ? o.total_len : ICMP4_QUOTE_MAX;
	icmp_len = NET_ICMP_HLEN + quote;
	if (cap < NET_IP4_HLEN + icmp_len)
		return 0;
	memmove(icmp + NET_ICMP_HLEN, orig, quote);
	icmp_header(icmp, NET_ICMP4_UNREACH, NET_ICMP4_CODE_FRAG_NEEDED, mtu);
	icmp4_set_csum(icmp, icmp_len);
	ip.src = *src;
	ip.dst = o.src;
	net_ip4_build(buf, cap, &ip, (uint16_t)icmp_len);
	return NET_IP4_HLEN + icmp_len;
}

/* May orig (a valid IPv6 header) be the subject of an ICMPv6 error? */
static bool icmp6_may_report(const uint8_t *orig, size_t orig_len, const struct net_ip6_info *ip)
{
	if (net_ip6_is_unspecified(&ip->src) || net_ip6_is_multicast(&ip->src))
		return false;
	if (ip->next != NET_PROTO_ICMP6)
		return true;
	/* types below 128 are errors (RFC 4443 2.1) */
	return ip->payload_len > 0 && orig_len > NET_IP6_HLEN && orig[NET_IP6_HLEN] >= 128;
}

size_t net_icmp6_too_big(uint8_t *buf, size_t cap, const uint8_t *orig, size_t orig_len,
			 const struct net_ip6 *src, uint32_t mtu)
{
	struct net_ip6_info o;
	size_t quote, icmp_len;
	uint8_t *icmp = buf + NET_IP6_HLEN;

	if (net_ip6_parse(orig, orig_len, &o) != NET_DROP_OK ||
	    !icmp6_may_report(orig, orig_len, &o))
		return 0;
	quote = NET_IP6_HLEN + (size_t)o.payload_len;
	if (quote > ICMP6_QUOTE_MAX)
		quote = ICMP6_QUOTE_MAX;
	icmp_len = NET_ICMP_HLEN + quote;
	if (cap < NET_IP6_HLEN + icmp_len)
		return 0;
	memmove(icmp + NET_ICMP_HLEN, orig, quote);
	icmp_header(icmp, NET_ICMP6_TOO_BIG, 0, mtu);
	return ip6_packet(buf, src, &o.src, NET_DEFAULT_TTL, icmp_len);
}

size_t net_too_big_frame(uint8_t *buf, size_t cap, const uint8_t *frame, size_t frame_len,
			 const struct net_mac *src_mac, const struct net_ip4 *src4,
			 const struct net_ip6 *src6, uint32_t mtu)
{
	struct net_eth eth;
	const uint8_t *orig;
	size_t orig_len, n = 0;

	if (net_eth_parse(frame, frame_len, &eth) != NET_DROP_OK ||
	    net_mac_is_multicast(&eth.src) || cap < eth.hdr_len)
		return 0;
	orig = frame + eth.hdr_len;
	orig_len = frame_len - eth.hdr_len;
	/* the packet first: nothing is written when no error is due */
	if (eth.type == NET_ETH_IP4 && src4)
		n = net_icmp4_frag_needed(buf + eth.hdr_len, cap - eth.hdr_len, orig, orig_len,
					  src4, mtu > UINT16_MAX ? UINT16_MAX : (uint16_t)mtu);
	else if (eth.type == NET_ETH_IP6 && src6)
		n = net_icmp6_too_big(buf + eth.hdr_len, cap - eth.hdr_len, orig, orig_len, src6,
				      mtu);
	if (!n)
		return 0;
	if (eth.vlan)
		net_eth_build_vlan(buf, cap, &eth.src, src_mac, eth.vlan_tci, eth.type);
	else
		net_eth_build(buf, cap, &eth.src, src_mac, eth.type);
	return eth.hdr_len + n;
}

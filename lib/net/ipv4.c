/* SPDX-License-Identifier: MIT */
/*
 * IPv4 headers (RFC 791). Parsing checks, cheapest first: the fixed
 * header fits, version 4, IHL at least 5 words and within the buffer,
 * total length covers the header and fits in the buffer (bytes past it are
 * link padding). The header checksum is verified last, and only by
 * net_ip4_parse, so the classifier can look at the destination before
 * paying for it.
 */
#include "net/net.h"

enum net_drop net_ip4_parse_header(const uint8_t *buf, size_t len, struct net_ip4_info *out)
{
	unsigned hlen;
	uint16_t total, frag;

	if (len < NET_IP4_HLEN)
		return NET_DROP_IP4_SHORT;
	if (buf[NET_IP4_OFF_VIHL] >> 4 != 4)
		return NET_DROP_IP4_VERSION;
	hlen = (buf[NET_IP4_OFF_VIHL] & 0x0f) * 4u;
	if (hlen < NET_IP4_HLEN || hlen > len)
		return NET_DROP_IP4_IHL;
	total = net_get_be16(buf + NET_IP4_OFF_TOTLEN);
	if (total < hlen || total > len)
		return NET_DROP_IP4_TOTLEN;
	frag = net_get_be16(buf + NET_IP4_OFF_FRAG);
	out->hdr_len = (uint8_t)hlen;
	out->tos = buf[NET_IP4_OFF_TOS];
	out->total_len = total;
	out->id = net_get_be16(buf + NET_IP4_OFF_ID);
	out->df = frag & NET_IP4_FLAG_DF;
	out->fragment = frag & (NET_IP4_FLAG_MF | NET_IP4_FRAG_MASK);
	out->ttl = buf[NET_IP4_OFF_TTL];
	out->proto = buf[NET_IP4_OFF_PROTO];
	memcpy(out->src.b, buf + NET_IP4_OFF_SRC, 4);
	memcpy(out->dst.b, buf + NET_IP4_OFF_DST, 4);
	return NET_DROP_OK;
}

enum net_drop net_ip4_parse(const uint8_t *buf, size_t len, struct net_ip4_info *out)
{
	enum net_drop r = net_ip4_parse_header(buf, len, out);

	if (r != NET_DROP_OK)
		return r;
	if (!net_csum_ok(net_csum_add(0, buf, out->hdr_len)))
		return NET_DROP_IP4_CSUM;
	return NET_DROP_OK;
}

size_t net_ip4_build(uint8_t *buf, size_t cap, const struct net_ip4_info *info,
		     uint16_t payload_len)
{
	if (cap < NET_IP4_HLEN || payload_len > UINT16_MAX - NET_IP4_HLEN)
		return 0;
	buf[NET_IP4_OFF_VIHL] = 0x45;
	buf[NET_IP4_OFF_TOS] = info->tos;
	net_put_be16(buf + NET_IP4_OFF_TOTLEN, (uint16_t)(NET_IP4_HLEN + payload_len));
	net_put_be16(buf + NET_IP4_OFF_ID, info->id);
	net_put_be16(buf + NET_IP4_OFF_FRAG, info->df ? NET_IP4_FLAG_DF : 0);
	buf[NET_IP4_OFF_TTL] = info->ttl;
	buf[NET_IP4_OFF_PROTO] = info->proto;
	net_put_be16(buf + NET_IP4_OFF_CSUM, 0);
	memcpy(buf + NET_IP4_OFF_SRC, info->src.b, 4);
	memcpy(buf + NET_IP4_OFF_DST, info->dst.b, 4);
	net_put_be16(buf + NET_IP4_OFF_CSUM, net_csum_finish(net_csum_add(0, buf, NET_IP4_HLEN)));
	return NET_IP4_HLEN;
}

size_t net_ip4_build_udp(uint8_t *buf, size_t cap, const struct net_ip4 *src,
			 const struct net_ip4 *dst, uint16_t id, uint16_t udp_len)
{
	struct net_ip4_info info = {
		.ttl = NET_DEFAULT_TTL,
		.proto = NET_PROTO_UDP,
		.id = id,
		.df = true,
		.src = *src,
		.dst = *dst,
	};

	return net_ip4_build(buf, cap, &info, udp_len);
}

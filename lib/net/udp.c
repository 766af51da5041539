/* SPDX-License-Identifier: MIT */
/*
 * UDP (RFC 768; over IPv6, RFC 8200 section 8.1). The UDP length must
 * equal the IP payload length: shorter would leave unexplained bytes,
 * longer would read past the datagram. Checksums cover a pseudo-header;
 * a computed 0 is sent as 0xffff because 0 means "none" over IPv4, and
 * over IPv6 a zero checksum is not allowed at all.
 */
#include "net/net.h"

enum net_drop net_udp_parse(const uint8_t *buf, size_t ip_payload_len, struct net_udp_info *out)
{
	if (ip_payload_len < NET_UDP_HLEN)
		return NET_DROP_UDP_SHORT;
	out->len = net_get_be16(buf + NET_UDP_OFF_LEN);
	if (out->len != ip_payload_len)
		return NET_DROP_UDP_LEN;
	out->src_port = net_get_be16(buf + NET_UDP_OFF_SPORT);
	out->dst_port = net_get_be16(buf + NET_UDP_OFF_DPORT);
	out->csum = net_get_be16(buf + NET_UDP_OFF_CSUM);
	return NET_DROP_OK;
}

bool net_udp4_csum_ok(const uint8_t *buf, size_t len, const struct net_ip4 *src,
		      const struct net_ip4 *dst)
{
	if (len < NET_UDP_HLEN || len > UINT16_MAX)
		return false;
	if (net_get_be16(buf + NET_UDP_OFF_CSUM) == 0)
		return true;
	return net_csum_ok(
		net_csum_add(net_csum_pseudo4(src, dst, NET_PROTO_UDP, (uint16_t)len), buf, len));
}

bool net_udp6_csum_ok(const uint8_t *buf, size_t len, const struct net_ip6 *src,
		      const struct net_ip6 *dst)
{
	if (len < NET_UDP_HLEN || len > UINT16_MAX)
		return false;
	if (net_get_be16(buf + NET_UDP_OFF_CSUM) == 0)
		return false;
	return net_csum_ok(
		net_csum_add(net_csum_pseudo6(src, dst, NET_PROTO_UDP, (uint32_t)len), buf, len));
}

static bool udp_header(uint8_t *buf, size_t cap, uint16_t sport, uint16_t dport,
		       uint16_t payload_len)
{
	if (payload_len > UINT16_MAX - NET_UDP_HLEN || cap < (size_t)NET_UDP_HLEN + payload_len)
		return false;
	net_put_be16(buf + NET_UDP_OFF_SPORT, sport);
	net_put_be16(buf + NET_UDP_OFF_DPORT, dport);
	net_put_be16(buf + NET_UDP_OFF_LEN, (uint16_t)(NET_UDP_HLEN + payload_len));
	net_put_be16(buf + NET_UDP_OFF_CSUM, 0);
	return true;
}

static void udp_set_csum(uint8_t *buf, size_t len, uint32_t pseudo)
{
	uint16_t c = net_csum_finish(net_csum_add(pseudo, buf, len));

	net_put_be16(buf + NET_UDP_OFF_CSUM, c ? c : 0xffff);
}

size_t net_udp4_build(uint8_t *buf, size_t cap, const struct net_ip4 *src,
		      const struct net_ip4 *dst, uint16_t sport, uint16_t dport,
		      uint16_t payload_len, bool csum)
{
	uint16_t len = (uint16_t)(NET_UDP_HLEN + payload_len);

	if (!udp_header(buf, cap, sport, dport, payload_len))
		return 0;
	if (csum)
		udp_set_csum(buf, len, net_csum_pseudo4(src, dst, NET_PROTO_UDP, len));
	return NET_UDP_HLEN;
}

size_t net_udp6_build(uint8_t *buf, size_t cap, const struct net_ip6 *src,
		      const struct net_ip6 *dst, uint16_t sport, uint16_t dport,
		      uint16_t payload_len)
{
	uint16_t len = (uint16_t)(NET_UDP_HLEN + payload_len);

	if (!udp_header(buf, cap, sport, dport, payload_len))
		return 0;
	udp_set_csum(buf, len, net_csum_pseudo6(src, dst, NET_PROTO_UDP, len));
	return NET_UDP_HLEN;
}

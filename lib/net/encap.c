/* SPDX-License-Identifier: MIT */
/*
 * Outer headers for tunnel packets. The control lcore prepares a template
 * per path (Ethernet, optional VLAN tag, IPv4 or IPv6, UDP) with the sums
 * of its fixed fields; the data plane then only copies it in front of the
 * encrypted payload and patches lengths, id and checksums. The IPv4
 * header checksum is finished from the precomputed sum (no pass over the
 * header); the UDP checksum is either left 0 (IPv4), computed over the
 * payload, or left as the pseudo-header sum for the NIC to complete.
 */
#include <errno.h>

#include "net/net.h"

static size_t encap_eth(struct net_encap *e, const struct net_encap_params *p, uint16_t type)
{
	if (p->vlan_tci < 0)
		return net_eth_build(e->hdr, sizeof(e->hdr), &p->dst_mac, &p->src_mac, type);
	return net_eth_build_vlan(e->hdr, sizeof(e->hdr), &p->dst_mac, &p->src_mac,
				  (uint16_t)p->vlan_tci, type);
}

static void encap_ip4(struct net_encap *e, const struct net_encap_params *p)
{
	uint8_t *ip = e->hdr + e->l3_off;

	net_ip4_build_udp(ip, NET_IP4_HLEN, &p->src.ip4, &p->dst.ip4, 0, 0);
	net_put_be16(ip + NET_IP4_OFF_TOTLEN, 0);
	net_put_be16(ip + NET_IP4_OFF_CSUM, 0);
	e->ip_sum = net_csum_add(0, ip, NET_IP4_HLEN);
	e->pseudo_sum = net_csum_pseudo4(&p->src.ip4, &p->dst.ip4, NET_PROTO_UDP, 0);
	e->l4_off = (uint8_t)(e->l3_off + NET_IP4_HLEN);
}

static void encap_ip6(struct net_encap *e, const struct net_encap_params *p)
{
	struct net_ip6_info ip = {
		.next = NET_PROTO_UDP,
		.hop_limit = NET_DEFAULT_TTL,
		.src = p->src.ip6,
		.dst = p->dst.ip6,
	};

	net_ip6_build(e->hdr + e->l3_off, NET_IP6_HLEN, &ip);
	e->pseudo_sum = net_csum_pseudo6(&p->src.ip6, &p->dst.ip6, NET_PROTO_UDP, 0);
	e->l4_off = (uint8_t)(e->l3_off + NET_IP6_HLEN);
}

int net_encap_init(struct net_encap *e, const struct net_encap_params *p)
{
	bool v4 = p->src.family == NET_AF_IP4;

	if (p->src.family != p->dst.family || (!v4 && p->src.family != NET_AF_IP6) ||
	    p->vlan_tci > 0xffff || (unsigned)p->csum > NET_UDP_CSUM_PSEUDO ||
	    (!v4 && p->csum == NET_UDP_CSUM_NONE) ||
	    (p->channel &&
	     (p->channel < NET_TURN_CHANNEL_MIN || p->channel > NET_TURN_CHANNEL_MAX)))
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	e->family = p->src.family;
	e->csum = (uint8_t)p->csum;
	e->l3_off = (uint8_t)encap_eth(e, p, v4 ? NET_ETH_IP4 : NET_ETH_IP6);
	if (v4)
		encap_ip4(e, p);
	else
		encap_ip6(e, p);
	net_put_be16(e->hdr + e->l4_off + NET_UDP_OFF_SPORT, p->src_port);
	net_put_be16(e->hdr + e->l4_off + NET_UDP_OFF_DPORT, p->dst_port);
	e->port_sum = net_csum_add16(p->src_port, p->dst_port);
	e->hdr_len = (uint8_t)(e->l4_off + NET_UDP_HLEN);
	if (p->channel) {
		/* Through a TURN relay: the ChannelData header is part of the
		 * template; push fills in its length. */
		net_put_be16(e->hdr + e->hdr_len, p->channel);
		e->chan_len = NET_TURN_CHANNEL_HLEN;
		e->hdr_len = (uint8_t)(e->hdr_len + NET_TURN_CHANNEL_HLEN);
	}
	return 0;
}

static uint16_t udp_csum(const struct net_encap *e, const uint8_t *payload, size_t payload_len,
			 uint16_t udp_len)
{
	uint32_t s = net_csum_add16(e->pseudo_sum, udp_len);
	uint16_t c;

	if (e->csum == NET_UDP_CSUM_PSEUDO)
		return (uint16_t)net_csum_combine(s, 0); /* folded, not complemented */
	/* the UDP length is both in the pseudo-header and in the header */
	s = net_csum_add16(net_csum_combine(s, e->port_sum), udp_len);
	c = net_csum_finish(net_csum_add(s, payload, payload_len));
	return c ? c : 0xffff;
}

/*
 * The template in fixed-size pieces (overlapping for lengths between): a
 * copy of a length known only at run time is a library call, and on some
 * CPUs a slow string instruction, once per packet.
 */
static void copy_hdr(uint8_t *dst, const uint8_t *src, size_t len)
{
	enum { PIECE = 32 };

	static_assert(NET_ENCAP_MAX_HLEN <= 3 * PIECE, "three pieces cover a header");
	if (len < PIECE) {
		memcpy(dst, src, len);
		return;
	}
	memcpy(dst, src, PIECE);
	if (len > 2 * PIECE)
		memcpy(dst + PIECE, src + PIECE, PIECE);
	memcpy(dst + len - PIECE, src + len - PIECE, PIECE);
}

/* The header checksum from the template's sum, the length and the id. */
static uint16_t ip4_csum(uint32_t fixed_sum, uint16_t total_len, uint16_t id)
{
	uint32_t s = fixed_sum + total_len + id; /* three 16-bit values: no overflow */

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

size_t net_encap_push(const struct net_encap *e, uint8_t *payload, size_t headroom,
		      size_t payload_len, uint16_t ip_id)
{
	size_t udp_len = NET_UDP_HLEN + e->chan_len + payload_len;
	size_t l3_len = udp_len + (e->family == NET_AF_IP4 ? NET_IP4_HLEN : 0);
	uint8_t *f, *ip, *udp;

	if (headroom < e->hdr_len || l3_len > UINT16_MAX)
		return 0;
	f = payload - e->hdr_len;
	copy_hdr(f, e->hdr, e->hdr_len);
	ip = f + e->l3_off;
	udp = f + e->l4_off;
	if (e->family == NET_AF_IP4) {
		net_put_be16(ip + NET_IP4_OFF_TOTLEN, (uint16_t)l3_len);
		net_put_be16(ip + NET_IP4_OFF_ID, ip_id);
		net_put_be16(ip + NET_IP4_OFF_CSUM, ip4_csum(e->ip_sum, (uint16_t)l3_len, ip_id));
	} else {
		net_put_be16(ip + NET_IP6_OFF_PAYLEN, (uint16_t)udp_len);
	}
	net_put_be16(udp + NET_UDP_OFF_LEN, (uint16_t)udp_len);
	if (e->chan_len)
		net_put_be16(udp + NET_UDP_HLEN + 2, (uint16_t)payload_len);
	/* The ChannelData header is payload to UDP's checksum. */
	if (e->csum != NET_UDP_CSUM_NONE)
		net_put_be16(udp + NET_UDP_OFF_CSUM,
			     udp_csum(e, payload - e->chan_len, payload_len + e->chan_len,
				      (uint16_t)udp_len));
	return e->hdr_len + payload_len;
}

/* SPDX-License-Identifier: MIT */
/*
 * VXLAN decapsulation and encapsulation (RFC 7348) on decrypted inner IP
 * packets; vxlan.h says what is checked and why the UDP checksum is not.
 *
 *   IP (20 or 40) | UDP (8) | flags 0x08, 3 reserved | VNI (3), 1 reserved | frame
 */
#include "net/vxlan.h"

#include "net/addr.h"
#include "net/net.h"

enum {
	VXLAN_OFF_FLAGS = 0,
	VXLAN_OFF_VNI = 4, /* 24 bits, then a reserved byte */
};

static const char *const reason_names[] = {
#define NET_VXLAN_NAME(name, text) #name,
	NET_VXLAN_DROPS(NET_VXLAN_NAME)
#undef NET_VXLAN_NAME
};

static const char *const reason_texts[] = {
#define NET_VXLAN_TEXT(name, text) text,
	NET_VXLAN_DROPS(NET_VXLAN_TEXT)
#undef NET_VXLAN_TEXT
};

static int reason_index(int reason)
{
	return reason < 0 ? -reason : reason;
}

const char *net_vxlan_reason_name(int reason)
{
	int i = reason_index(reason);

	return i < NET_VXLAN_REASONS ? reason_names[i] : "?";
}

const char *net_vxlan_reason_text(int reason)
{
	int i = reason_index(reason);

	return i < NET_VXLAN_REASONS ? reason_texts[i] : "?";
}

/* The IPv4 header: *l4 and *l4_len set to the UDP datagram. 0 or -reason. */
static int decap_ip4(const uint8_t *pkt, uint32_t len, struct net_vxlan_view *v, uint32_t *l4,
		     uint32_t *l4_len)
{
	struct net_ip4_info ip;

	switch (net_ip4_parse(pkt, len, &ip)) {
	case NET_DROP_OK:
		break;
	case NET_DROP_IP4_TOTLEN:
		return -NET_VXLAN_BAD_LEN;
	default:
		return -NET_VXLAN_BAD_IP;
	}
	if (ip.fragment)
		return -NET_VXLAN_FRAGMENT;
	if (ip.proto != NET_PROTO_UDP)
		return -NET_VXLAN_NOT_UDP;
	net_addr_set(&v->src, NET_AF_IP4, ip.src.b);
	net_addr_set(&v->dst, NET_AF_IP4, ip.dst.b);
	*l4 = ip.hdr_len;
	*l4_len = ip.total_len - ip.hdr_len;
	return 0;
}

static int decap_ip6(const uint8_t *pkt, uint32_t len, struct net_vxlan_view *v, uint32_t *l4,
		     uint32_t *l4_len)
{
	struct net_ip6_info ip;

	switch (net_ip6_parse(pkt, len, &ip)) {
	case NET_DROP_OK:
		break;
	case NET_DROP_IP6_PAYLEN:
		return -NET_VXLAN_BAD_LEN;
	default:
		return -NET_VXLAN_BAD_IP;
	}
	if (ip.next != NET_PROTO_UDP)
		return -NET_VXLAN_NOT_UDP;
	net_addr_set(&v->src, NET_AF_IP6, ip.src.b);
	net_addr_set(&v->dst, NET_AF_IP6, ip.dst.b);
	*l4 = NET_IP6_HLEN;
	*l4_len = ip.payload_len;
	return 0;
}

/* The frame's MACs and at most one tag. 0 or -NET_VXLAN_SHORT_FRAME. */
static int decap_frame(const uint8_t *f, uint32_t len, struct net_vxlan_view *v)
{
	struct net_eth eth;

	if (net_eth_parse(f, len, &eth) != NET_DROP_OK)
		return -NET_VXLAN_SHORT_FRAME;
	v->dst_mac = eth.dst;
	v->src_mac = eth.src;
	v->vlan = eth.vlan ? eth.vlan_tci & 0xfff : 0;
	v->ethertype = eth.type;
	v->l2_hlen = eth.hdr_len;
	return 0;
}

int net_vxlan_decap(const uint8_t *pkt, uint32_t len, struct net_vxlan_view *v)
{
	uint32_t l4 = 0, l4_len = 0;
	const uint8_t *udp, *vx;
	int r;

	if (len < 1)
		return -NET_VXLAN_NOT_IP;
	if (pkt[0] >> 4 == 4)
		r = decap_ip4(pkt, len, v, &l4, &l4_len);
	else if (pkt[0] >> 4 == 6)
		r = decap_ip6(pkt, len, v, &l4, &l4_len);
	else
		r = -NET_VXLAN_NOT_IP;
	if (r)
		return r;
	udp = pkt + l4;
	if (l4_len < NET_UDP_HLEN || net_get_be16(udp + NET_UDP_OFF_LEN) != l4_len)
		return -NET_VXLAN_BAD_LEN;
	if (net_get_be16(udp + NET_UDP_OFF_DPORT) != NET_VXLAN_PORT)
		return -NET_VXLAN_NOT_VXLAN_PORT;
	if (l4_len < NET_UDP_HLEN + NET_VXLAN_HLEN)
		return -NET_VXLAN_SHORT_HDR;
	vx = udp + NET_UDP_HLEN;
	if (!(vx[VXLAN_OFF_FLAGS] & NET_VXLAN_FLAG_I))
		return -NET_VXLAN_BAD_FLAGS;
	v->sport = net_get_be16(udp + NET_UDP_OFF_SPORT);
	v->vni = net_get_be32(vx + VXLAN_OFF_VNI) >> 8;
	v->frame_off = l4 + NET_UDP_HLEN + NET_VXLAN_HLEN;
	v->frame_len = l4_len - NET_UDP_HLEN - NET_VXLAN_HLEN;
	return decap_frame(pkt + v->frame_off, v->frame_len, v);
}

uint32_t net_vxlan_hdr_len(unsigned family)
{
	return family == NET_AF_IP4 ? NET_VXLAN_OVERHEAD4 :
	       family == NET_AF_IP6 ? NET_VXLAN_OVERHEAD6 :
				      0;
}

static void put_vxlan(uint8_t *vx, uint32_t vni)
{
	net_put_be32(vx, (uint32_t)NET_VXLAN_FLAG_I << 24);
	net_put_be32(vx + VXLAN_OFF_VNI, vni << 8);
}

/* The UDP checksum over header, VXLAN header and frame, with pseudo. */
static uint16_t udp_csum(const uint8_t *udp, uint32_t pseudo, const uint8_t *frame,
			 uint32_t frame_len)
{
	uint32_t s = net_csum_add(pseudo, udp, NET_UDP_HLEN + NET_VXLAN_HLEN);
	uint16_t c = net_csum_finish(net_csum_add(s, frame, frame_len));

	return c ? c : 0xffff;
}

uint32_t net_vxlan_encap(uint8_t *hdr, const struct net_addr *src, const struct net_addr *dst,
			 uint32_t vni, uint16_t sport, const uint8_t *frame, uint32_t frame_len)
{
	uint32_t hlen = net_vxlan_hdr_len(src->family);
	uint32_t udp_len = NET_UDP_HLEN + NET_VXLAN_HLEN + frame_len;
	uint8_t *udp;

	/* IPv4's 16-bit length counts its header, IPv6's does not. */
	if (!hlen || src->family != dst->family || vni > NET_VXLAN_VNI_MAX ||
	    frame_len > UINT16_MAX - (src->family == NET_AF_IP4 ? hlen : hlen - NET_IP6_HLEN))
		return 0;
	udp = hdr + hlen - NET_UDP_HLEN - NET_VXLAN_HLEN;
	net_put_be16(udp + NET_UDP_OFF_SPORT, sport);
	net_put_be16(udp + NET_UDP_OFF_DPORT, NET_VXLAN_PORT);
	net_put_be16(udp + NET_UDP_OFF_LEN, (uint16_t)udp_len);
	net_put_be16(udp + NET_UDP_OFF_CSUM, 0);
	put_vxlan(udp + NET_UDP_HLEN, vni);
	if (src->family == NET_AF_IP4) {
		net_ip4_build_udp(hdr, NET_IP4_HLEN, &src->ip4, &dst->ip4, 0, (uint16_t)udp_len);
		return hlen;
	}
	net_ip6_build(hdr, NET_IP6_HLEN,
		      &(struct net_ip6_info){ .next = NET_PROTO_UDP,
					      .hop_limit = NET_DEFAULT_TTL,
					      .payload_len = (uint16_t)udp_len,
					      .src = src->ip6,
					      .dst = dst->ip6 });
	net_put_be16(udp + NET_UDP_OFF_CSUM,
		     udp_csum(udp, net_csum_pseudo6(&src->ip6, &dst->ip6, NET_PROTO_UDP, udp_len),
			      frame, frame_len));
	return hlen;
}

/* FNV-1a over n bytes: cheap, and enough to spread flows over queues. */
static uint32_t mix(uint32_t h, const uint8_t *p, uint32_t n)
{
	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

/* The inner IP packet's addresses and, unless a fragment, TCP/UDP ports. */
static uint32_t mix_ip(uint32_t h, const uint8_t *ip, uint32_t len, uint16_t type)
{
	uint32_t l4 = 0, proto = 0;

	if (type == NET_ETH_IP4 && len >= NET_IP4_HLEN) {
		h = mix(h, ip + NET_IP4_OFF_SRC, 8);
		proto = ip[NET_IP4_OFF_PROTO];
		if (!(net_get_be16(ip + NET_IP4_OFF_FRAG) & (NET_IP4_FLAG_MF | NET_IP4_FRAG_MASK)))
			l4 = (ip[NET_IP4_OFF_VIHL] & 0x0f) * 4u;
	} else if (type == NET_ETH_IP6 && len >= NET_IP6_HLEN) {
		h = mix(h, ip + NET_IP6_OFF_SRC, 32);
		proto = ip[NET_IP6_OFF_NEXT];
		l4 = NET_IP6_HLEN;
	}
	if ((proto == NET_PROTO_TCP || proto == NET_PROTO_UDP) && l4 && len >= l4 + 4)
		h = mix(h, ip + l4, 4);
	return h;
}

uint16_t net_vxlan_sport(const uint8_t *frame, uint32_t len)
{
	uint32_t h = 2166136261u, span = NET_VXLAN_SPORT_MAX - NET_VXLAN_SPORT_MIN + 1;
	uint32_t off = NET_ETH_HLEN;

	if (len >= NET_ETH_HLEN) {
		uint16_t type = net_get_be16(frame + NET_ETH_OFF_TYPE);

		/* one tag: its TCI and the flow behind it */
		if ((type == NET_ETH_VLAN || type == NET_ETH_QINQ) && len >= off + NET_VLAN_HLEN) {
			type = net_get_be16(frame + off + 2);
			off += NET_VLAN_HLEN;
		}
		h = mix(h, frame, off);
		h = mix_ip(h, frame + off, len - off, type);
	}
	h ^= h >> 16;
	return (uint16_t)(NET_VXLAN_SPORT_MIN + h % span);
}

bool net_vxlan_udp_csum_ok(const uint8_t *pkt, uint32_t len)
{
	struct net_vxlan_view v;
	uint32_t l4, udp_len;

	if (net_vxlan_decap(pkt, len, &v) != 0)
		return false;
	l4 = v.frame_off - NET_UDP_HLEN - NET_VXLAN_HLEN;
	udp_len = NET_UDP_HLEN + NET_VXLAN_HLEN + v.frame_len;
	if (v.src.family == NET_AF_IP4)
		return net_udp4_csum_ok(pkt + l4, udp_len, &v.src.ip4, &v.dst.ip4);
	return net_udp6_csum_ok(pkt + l4, udp_len, &v.src.ip6, &v.dst.ip6);
}

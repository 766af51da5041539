/* SPDX-License-Identifier: MIT */
/* Super-frames across a vnet-header tap: see gso.h. */
#include "net/gso.h"

#include <arpa/inet.h>
#include <assert.h>
#include <string.h>

static_assert(sizeof(struct net_vnet_hdr) == NET_VNET_HLEN, "virtio_net_hdr is 10 bytes");

enum {
	MAX_IP_LEN = 65535,
	IP4_ADDRS = 12, /* source and destination: 8 bytes from here */
	IP6_ADDRS = 8,  /* 32 bytes from here */
	TCP_BAD_FLAGS = NET_TCP_SYN | NET_TCP_FIN | NET_TCP_RST | NET_TCP_URG | NET_TCP_CWR |
			NET_TCP_ECE,
};

/*
 * The Internet checksum of a segment's bytes, 8 at a time in the host's
 * order (the sum does not depend on byte order, RFC 1071 2(B)): turned to
 * network order at the end. p must start at an even offset of the summed
 * region.
 */
static uint32_t csum_fast(uint32_t sum, const uint8_t *p, size_t len)
{
	uint64_t s = 0, q;
	uint16_t tail = 0;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&q, p, 8);
		s += q;
		s += s < q; /* end-around carry */
	}
	for (; len >= 2; p += 2, len -= 2) {
		uint16_t w;

		memcpy(&w, p, 2);
		s += w;
		s += s < w;
	}
	if (len) {
		memcpy(&tail, (const uint8_t[2]){ p[0], 0 }, 2);
		s += tail;
		s += s < tail;
	}
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return net_csum_combine(sum, ntohs((uint16_t)s));
}

/* The place of the TCP or UDP header of a GSO frame: false when it is not
 * one. UDP: no IPv4 options or IPv6 extension headers (the kernel's own
 * UDP_SEGMENT sockets send none). */
static bool gso_headers(struct net_gso *g, bool v4)
{
	const uint8_t *f = g->frame, *l3 = f + NET_ETH_HLEN;
	uint8_t proto = g->udp ? NET_PROTO_UDP : NET_PROTO_TCP;
	size_t l4, doff;

	g->l3_off = NET_ETH_HLEN;
	g->v4 = v4;
	if (net_get_be16(f + NET_ETH_OFF_TYPE) != (v4 ? NET_ETH_IP4 : NET_ETH_IP6))
		return false;
	if (v4) {
		if (g->len < NET_ETH_HLEN + NET_IP4_HLEN)
			return false;
		l4 = NET_ETH_HLEN + (size_t)(l3[0] & 0xf) * 4;
		if (net_ip_version(l3) != 4 || l4 < NET_ETH_HLEN + NET_IP4_HLEN ||
		    (g->udp && l4 != NET_ETH_HLEN + NET_IP4_HLEN) ||
		    l3[NET_IP4_OFF_PROTO] != proto ||
		    (net_get_be16(l3 + NET_IP4_OFF_FRAG) & (NET_IP4_FLAG_MF | NET_IP4_FRAG_MASK)))
			return false;
	} else {
		l4 = NET_ETH_HLEN + NET_IP6_HLEN;
		if (g->len < l4 || net_ip_version(l3) != 6 || l3[NET_IP6_OFF_NEXT] != proto)
			return false;
	}
	if (g->udp) {
		doff = NET_UDP_HLEN;
	} else {
		if (g->len < l4 + NET_TCP_HLEN)
			return false;
		doff = (size_t)(f[l4 + NET_TCP_OFF_DOFF] >> 4) * 4;
		if (doff < NET_TCP_HLEN)
			return false;
	}
	if (l4 + doff > g->len)
		return false;
	g->l4_off = (uint16_t)l4;
	g->hdr_len = (uint16_t)(l4 + doff);
	return true;
}

bool net_gso_parse(const uint8_t *buf, size_t len, struct net_gso *g)
{
	struct net_vnet_hdr vh;
	unsigned type;
	size_t payload;
	bool v4;

	memset(g, 0, sizeof(*g));
	if (len < NET_VNET_HLEN + NET_ETH_HLEN || len - NET_VNET_HLEN > MAX_IP_LEN + 256)
		return false;
	memcpy(&vh, buf, sizeof(vh));
	g->frame = buf + NET_VNET_HLEN;
	g->len = len - NET_VNET_HLEN;
	g->n_segs = 1;
	type = vh.gso_type & ~NET_VNET_GSO_ECN;
	if (type == NET_VNET_GSO_NONE) {
		if (!(vh.flags & NET_VNET_F_NEEDS_CSUM))
			return true;
		/* The sum's place must be inside the frame and 16-bit aligned
		 * with its start (TCP 16, UDP 6). */
		if (vh.csum_start < NET_ETH_HLEN || (vh.csum_offset & 1) ||
		    (size_t)vh.csum_start + vh.csum_offset + 2 > g->len)
			return false;
		g->csum_start = vh.csum_start;
		g->csum_at = (uint16_t)(vh.csum_start + vh.csum_offset);
		return true;
	}
	g->udp = type == NET_VNET_GSO_UDP_L4;
	if ((type != NET_VNET_GSO_TCPV4 && type != NET_VNET_GSO_TCPV6 && !g->udp) ||
	    vh.gso_size == 0 || vh.hdr_len > g->len)
		return false;
	/* UDP_L4 says nothing of the IP version: the frame does. */
	v4 = g->udp ? net_get_be16(g->frame + NET_ETH_OFF_TYPE) == NET_ETH_IP4 :
		      type == NET_VNET_GSO_TCPV4;
	if (!gso_headers(g, v4))
		return false;
	payload = g->len - g->hdr_len;
	g->mss = vh.gso_size;
	if (payload > (size_t)NET_GSO_MAX_SEGS * g->mss)
		return false;
	g->n_segs = payload ? (uint16_t)((payload + g->mss - 1) / g->mss) : 1;
	return true;
}

static size_t copy_plain(const struct net_gso *g, uint8_t *out, size_t cap)
{
	uint16_t sum;

	if (g->len > cap)
		return 0;
	memcpy(out, g->frame, g->len);
	if (g->csum_at) {
		/* The field holds the pseudo-header's sum: sum it with the rest.
		 * 0 is sent as 0xffff (UDP's "no checksum" is 0; TCP takes both). */
		sum = net_csum_finish(csum_fast(0, out + g->csum_start, g->len - g->csum_start));
		net_put_be16(out + g->csum_at, sum ? sum : 0xffff);
	}
	return g->len;
}

/* IP lengths, ID and header checksum of a segment of total bytes. */
static void fix_ip(const struct net_gso *g, unsigned i, uint8_t *out, size_t total)
{
	uint8_t *l3 = out + g->l3_off;
	size_t ihl = g->l4_off - g->l3_off;

	if (!g->v4) {
		net_put_be16(l3 + NET_IP6_OFF_PAYLEN, (uint16_t)(total - g->l4_off));
		return;
	}
	net_put_be16(l3 + NET_IP4_OFF_TOTLEN, (uint16_t)(total - g->l3_off));
	net_put_be16(l3 + NET_IP4_OFF_ID, (uint16_t)(net_get_be16(l3 + NET_IP4_OFF_ID) + i));
	net_put_be16(l3 + NET_IP4_OFF_CSUM, 0);
	net_put_be16(l3 + NET_IP4_OFF_CSUM, net_csum_finish(net_csum_add(0, l3, ihl)));
}

static uint32_t pseudo_proto(const uint8_t *l3, bool v4, uint8_t proto, size_t l4_len)
{
	if (v4)
		return net_csum_pseudo4((const struct net_ip4 *)(l3 + NET_IP4_OFF_SRC),
					(const struct net_ip4 *)(l3 + NET_IP4_OFF_DST), proto,
					(uint16_t)l4_len);
	return net_csum_pseudo6((const struct net_ip6 *)(l3 + IP6_ADDRS),
				(const struct net_ip6 *)(l3 + IP6_ADDRS + 16), proto,
				(uint32_t)l4_len);
}

static uint32_t pseudo(const uint8_t *l3, bool v4, size_t l4_len)
{
	return pseudo_proto(l3, v4, NET_PROTO_TCP, l4_len);
}

/* Sequence number, flags and checksum of TCP segment i, whose payload
 * starts off bytes into the super-frame's. */
static void fix_tcp(const struct net_gso *g, unsigned i, uint8_t *out, size_t total, size_t off)
{
	uint8_t *tcp = out + g->l4_off, flags;

	net_put_be32(tcp + NET_TCP_OFF_SEQ, net_get_be32(tcp + NET_TCP_OFF_SEQ) + (uint32_t)off);
	flags = tcp[NET_TCP_OFF_FLAGS];
	if (i > 0)
		flags &= (uint8_t)~NET_TCP_CWR; /* congestion window reduced once */
	if (i + 1u < g->n_segs)
		flags &= (uint8_t) ~(NET_TCP_FIN | NET_TCP_PSH); /* the end's flags */
	tcp[NET_TCP_OFF_FLAGS] = flags;
	net_put_be16(tcp + NET_TCP_OFF_CSUM, 0);
	net_put_be16(tcp + NET_TCP_OFF_CSUM,
		     net_csum_finish(csum_fast(pseudo(out + g->l3_off, g->v4, total - g->l4_off),
					       tcp, total - g->l4_off)));
}

/* Length and checksum of a UDP datagram: the super-datagram's partial sum
 * counts the whole length, so it is summed anew (0 goes as 0xffff: 0 is
 * "no checksum", which IPv6 forbids). */
static void fix_udp(const struct net_gso *g, uint8_t *out, size_t total)
{
	uint8_t *udp = out + g->l4_off;
	size_t l4_len = total - g->l4_off;
	uint16_t sum;

	net_put_be16(udp + NET_UDP_OFF_LEN, (uint16_t)l4_len);
	net_put_be16(udp + NET_UDP_OFF_CSUM, 0);
	sum = net_csum_finish(csum_fast(pseudo_proto(out + g->l3_off, g->v4, NET_PROTO_UDP, l4_len),
					udp, l4_len));
	net_put_be16(udp + NET_UDP_OFF_CSUM, sum ? sum : 0xffff);
}

size_t net_gso_segment(const struct net_gso *g, unsigned i, uint8_t *out, size_t cap)
{
	size_t payload, off, seg, total;

	if (i >= g->n_segs)
		return 0;
	if (!g->mss)
		return copy_plain(g, out, cap);
	payload = g->len - g->hdr_len;
	off = (size_t)i * g->mss;
	seg = payload - off < g->mss ? payload - off : g->mss;
	total = g->hdr_len + seg;
	if (total > cap)
		return 0;
	memcpy(out, g->frame, g->hdr_len);
	memcpy(out + g->hdr_len, g->frame + g->hdr_len + off, seg);
	fix_ip(g, i, out, total);
	if (g->udp)
		fix_udp(g, out, total);
	else
		fix_tcp(g, i, out, total, off);
	return total;
}

/* A TCP segment without IP options or extension headers. */
struct seg_view {
	size_t l4, hdr_len, end; /* end: where the IP packet ends */
	uint32_t seq;
	uint8_t flags;
	bool v4;
};

/* The IP part of a view: an IPv4 header without options or fragments, or
 * an IPv6 header without extension headers, carrying proto, with room for
 * min_l4 bytes of its header in len. */
static bool ip_view(const uint8_t *f, size_t len, uint8_t proto, size_t min_l4, struct seg_view *v)
{
	const uint8_t *l3 = f + NET_ETH_HLEN;

	if (len < NET_ETH_HLEN + NET_IP4_HLEN + min_l4)
		return false;
	v->v4 = net_get_be16(f + NET_ETH_OFF_TYPE) == NET_ETH_IP4;
	if (v->v4) {
		if (l3[0] != 0x45 || l3[NET_IP4_OFF_PROTO] != proto ||
		    (net_get_be16(l3 + NET_IP4_OFF_FRAG) & (NET_IP4_FLAG_MF | NET_IP4_FRAG_MASK)))
			return false;
		v->l4 = NET_ETH_HLEN + NET_IP4_HLEN;
		v->end = NET_ETH_HLEN + (size_t)net_get_be16(l3 + NET_IP4_OFF_TOTLEN);
	} else {
		if (len < NET_ETH_HLEN + NET_IP6_HLEN + min_l4 ||
		    net_get_be16(f + NET_ETH_OFF_TYPE) != NET_ETH_IP6 || net_ip_version(l3) != 6 ||
		    l3[NET_IP6_OFF_NEXT] != proto)
			return false;
		v->l4 = NET_ETH_HLEN + NET_IP6_HLEN;
		v->end = v->l4 + (size_t)net_get_be16(l3 + NET_IP6_OFF_PAYLEN);
	}
	return v->end <= len && v->end >= v->l4 + min_l4;
}

static bool seg_view(const uint8_t *f, size_t len, struct seg_view *v)
{
	size_t doff;

	if (!ip_view(f, len, NET_PROTO_TCP, NET_TCP_HLEN, v))
		return false;
	doff = (size_t)(f[v->l4 + NET_TCP_OFF_DOFF] >> 4) * 4;
	v->hdr_len = v->l4 + doff;
	if (doff < NET_TCP_HLEN || v->hdr_len > v->end)
		return false;
	v->seq = net_get_be32(f + v->l4 + NET_TCP_OFF_SEQ);
	v->flags = f[v->l4 + NET_TCP_OFF_FLAGS];
	return true;
}

/* A UDP datagram with payload, its UDP length the IP payload's. */
static bool udp_view(const uint8_t *f, size_t len, struct seg_view *v)
{
	if (!ip_view(f, len, NET_PROTO_UDP, NET_UDP_HLEN, v))
		return false;
	v->hdr_len = v->l4 + NET_UDP_HLEN;
	return v->end > v->hdr_len && net_get_be16(f + v->l4 + NET_UDP_OFF_LEN) == v->end - v->l4;
}

/* A run of one frame (v) begins. */
static void run_begin(struct net_gro *g, uint8_t *frame, const struct seg_view *v)
{
	g->first = frame;
	g->v4 = v->v4;
	g->l3_off = NET_ETH_HLEN;
	g->l4_off = (uint16_t)v->l4;
	g->hdr_len = (uint16_t)v->hdr_len;
	g->mss = (uint16_t)(v->end - v->hdr_len);
	g->payload = g->mss;
	g->n = 1;
}

bool net_gro_start_udp(struct net_gro *g, uint8_t *frame, size_t len)
{
	struct seg_view v;

	memset(g, 0, sizeof(*g));
	if (!udp_view(frame, len, &v))
		return false;
	run_begin(g, frame, &v);
	g->udp = true;
	return true;
}

bool net_gro_start(struct net_gro *g, uint8_t *frame, size_t len)
{
	struct seg_view v;

	memset(g, 0, sizeof(*g));
	if (!seg_view(frame, len, &v) || v.end == v.hdr_len || !(v.flags & NET_TCP_ACK) ||
	    (v.flags & TCP_BAD_FLAGS))
		return false;
	run_begin(g, frame, &v);
	g->next_seq = v.seq + g->mss;
	g->psh = g->closed = (v.flags & NET_TCP_PSH) != 0;
	return true;
}

static bool same_bytes(const uint8_t *a, const uint8_t *b, size_t from, size_t to)
{
	return memcmp(a + from, b + from, to - from) == 0;
}

bool net_gro_same_flow(const struct net_gro *g, const uint8_t *f, size_t len)
{
	const uint8_t *a = g->first;
	size_t addrs = g->v4 ? IP4_ADDRS : IP6_ADDRS, alen = g->v4 ? 8 : 32;

	if (len < (size_t)g->l4_off + 4 || !same_bytes(a, f, 0, NET_ETH_HLEN) ||
	    !same_bytes(a, f, g->l3_off + addrs, g->l3_off + addrs + alen))
		return false;
	return same_bytes(a, f, g->l4_off, g->l4_off + 4u);
}

/* Ethernet and IP headers but lengths, IDs and checksums; the ports. */
static bool same_ip_ports(const struct net_gro *g, const uint8_t *f)
{
	const uint8_t *a = g->first;
	size_t l3 = g->l3_off, l4 = g->l4_off;

	if (!same_bytes(a, f, 0, NET_ETH_HLEN))
		return false;
	if (g->v4 ? !same_bytes(a, f, l3, l3 + 2) || !same_bytes(a, f, l3 + 6, l3 + 10) ||
			    !same_bytes(a, f, l3 + IP4_ADDRS, l4) :
		    !same_bytes(a, f, l3, l3 + 4) || !same_bytes(a, f, l3 + 6, l4))
		return false;
	return same_bytes(a, f, l4, l4 + 4);
}

/* Everything but lengths, IDs, checksums, sequence number and PSH. */
static bool same_headers(const struct net_gro *g, const uint8_t *f)
{
	const uint8_t *a = g->first;
	size_t l4 = g->l4_off;

	return same_ip_ports(g, f) && same_bytes(a, f, l4 + 8, l4 + 13) &&
	       same_bytes(a, f, l4 + 14, l4 + 16) && same_bytes(a, f, l4 + 20, g->hdr_len);
}

/* The UDP side of net_gro_append. */
static bool udp_append(struct net_gro *g, const uint8_t *frame, size_t len, const uint8_t **payload,
		       size_t *plen)
{
	struct seg_view v;
	size_t p, ip_len;

	if (!udp_view(frame, len, &v) || v.v4 != g->v4 || !same_ip_ports(g, frame))
		return false;
	p = v.end - v.hdr_len;
	ip_len = g->hdr_len - (g->v4 ? g->l3_off : g->l4_off) + g->payload + p;
	if (p > g->mss || ip_len > MAX_IP_LEN)
		return false;
	*payload = frame + v.hdr_len;
	*plen = p;
	g->payload += (uint32_t)p;
	g->n++;
	g->closed = p < g->mss; /* only the last datagram may be shorter */
	return true;
}

bool net_gro_append(struct net_gro *g, const uint8_t *frame, size_t len, const uint8_t **payload,
		    size_t *plen)
{
	struct seg_view v;
	size_t p, ip_len;

	if (g->udp && !g->closed && g->n < NET_GSO_MAX_SEGS)
		return udp_append(g, frame, len, payload, plen);
	if (g->udp || g->closed || g->n >= NET_GSO_MAX_SEGS || !seg_view(frame, len, &v) ||
	    v.v4 != g->v4 || v.hdr_len != g->hdr_len || v.seq != g->next_seq ||
	    (v.flags & ~NET_TCP_PSH) != NET_TCP_ACK || !same_headers(g, frame))
		return false;
	p = v.end - v.hdr_len;
	ip_len = g->hdr_len - (g->v4 ? g->l3_off : g->l4_off) + g->payload + p;
	if (p == 0 || p > g->mss || ip_len > MAX_IP_LEN)
		return false;
	*payload = frame + v.hdr_len;
	*plen = p;
	g->payload += (uint32_t)p;
	g->next_seq += (uint32_t)p;
	g->n++;
	/* A short segment or a push ends what the kernel may see as one. */
	if (p < g->mss || (v.flags & NET_TCP_PSH))
		g->closed = true;
	g->psh |= (v.flags & NET_TCP_PSH) != 0;
	return true;
}

/* A UDP run's lengths and partial checksum: the pseudo-header's sum over
 * the whole length, which the kernel adjusts for each datagram it cuts. */
static void udp_finish(struct net_gro *g, struct net_vnet_hdr *vh, size_t l4_len)
{
	uint8_t *udp = g->first + g->l4_off;

	net_put_be16(udp + NET_UDP_OFF_LEN, (uint16_t)l4_len);
	net_put_be16(udp + NET_UDP_OFF_CSUM,
		     (uint16_t)~net_csum_finish(
			     pseudo_proto(g->first + g->l3_off, g->v4, NET_PROTO_UDP, l4_len)));
	vh->flags = NET_VNET_F_NEEDS_CSUM;
	vh->gso_type = NET_VNET_GSO_UDP_L4;
	vh->hdr_len = g->hdr_len;
	vh->gso_size = g->mss;
	vh->csum_start = g->l4_off;
	vh->csum_offset = NET_UDP_OFF_CSUM;
}

void net_gro_finish(struct net_gro *g, struct net_vnet_hdr *vh)
{
	uint8_t *l3 = g->first + g->l3_off, *tcp = g->first + g->l4_off;
	size_t l4_len = g->hdr_len - g->l4_off + g->payload;

	memset(vh, 0, sizeof(*vh));
	if (g->n < 2)
		return;
	if (g->v4) {
		net_put_be16(l3 + NET_IP4_OFF_TOTLEN, (uint16_t)(l4_len + NET_IP4_HLEN));
		net_put_be16(l3 + NET_IP4_OFF_CSUM, 0);
		net_put_be16(l3 + NET_IP4_OFF_CSUM,
			     net_csum_finish(net_csum_add(0, l3, NET_IP4_HLEN)));
	} else {
		net_put_be16(l3 + NET_IP6_OFF_PAYLEN, (uint16_t)l4_len);
	}
	if (g->udp) {
		udp_finish(g, vh, l4_len);
		return;
	}
	if (g->psh)
		tcp[NET_TCP_OFF_FLAGS] |= NET_TCP_PSH;
	/* Partial checksum: the pseudo-header's sum, the kernel adds the rest
	 * (or, delivering locally, trusts it: the tunnel authenticated it). */
	net_put_be16(tcp + NET_TCP_OFF_CSUM, (uint16_t)~net_csum_finish(pseudo(l3, g->v4, l4_len)));
	vh->flags = NET_VNET_F_NEEDS_CSUM;
	vh->gso_type = g->v4 ? NET_VNET_GSO_TCPV4 : NET_VNET_GSO_TCPV6;
	vh->hdr_len = g->hdr_len;
	vh->gso_size = g->mss;
	vh->csum_start = g->l4_off;
	vh->csum_offset = NET_TCP_OFF_CSUM;
}

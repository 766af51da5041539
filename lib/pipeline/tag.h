/* SPDX-License-Identifier: MIT */
/*
 * What a worker found in a frame it hands to the control lcore. The frame
 * is sorted once, by the worker; control dispatches on the tag and reads
 * the fields it needs at the offsets the worker found, without parsing
 * the outer headers again. Private to lib/pipeline.
 *
 *   m->packet_type  enum pl_ctl_kind
 *   m->l2_len       underlay frames: offset of the IP, ARP or ND header
 *   m->l3_len       UDP to us: length of the IP header (UDP follows)
 *   m->l4_len       UDP to us: NET_TURN_CHANNEL_HLEN when the payload is
 *                   TURN ChannelData from our relay (the message follows)
 *
 * l2_len and l3_len are DPDK's own header-length fields (rte_mbuf.h): a
 * PMD reads them only with a TX offload flag set, which nothing here sets.
 */
#ifndef OMNI_PIPELINE_TAG_H
#define OMNI_PIPELINE_TAG_H

#include <rte_mbuf.h>

#include "net/net.h"

enum pl_ctl_kind {
	PL_CTL_NONE = 0,
	PL_CTL_HANDSHAKE,  /* UDP to us: WireGuard types 1-3 at their sizes */
	PL_CTL_SIGNALING,  /* UDP to us: the nucleus magic (net_is_signaling) */
	PL_CTL_STUN,       /* UDP to us: the STUN cookie (net_is_stun) */
	PL_CTL_ARP,        /* ARP for our IPv4 address */
	PL_CTL_ND,         /* NS for one of our addresses, or an NA to us */
	PL_CTL_HOST_NEIGH, /* ARP or NS from the host: proxy answers */
	PL_CTL_HOST_MISS,  /* host packet to the cluster's network, no peer routes it */
};

/* Worker: tag a frame for control; v is the classifier's view of an
 * underlay frame (NULL for the host port's). */
static inline void pl_tag(struct rte_mbuf *m, enum pl_ctl_kind kind, const struct net_udp_view *v)
{
	m->packet_type = kind;
	if (!v)
		return;
	m->l2_len = v->l3_off;
	m->l3_len = v->l4_off > v->l3_off ? v->l4_off - v->l3_off : 0;
	m->l4_len = v->channel ? NET_TURN_CHANNEL_HLEN : 0;
}

static inline enum pl_ctl_kind pl_tag_kind(const struct rte_mbuf *m)
{
	return (enum pl_ctl_kind)m->packet_type;
}

/* Control: the view of a frame tagged HANDSHAKE, SIGNALING or STUN, read
 * at the worker's offsets (the addresses, ports, payload and source MAC;
 * nothing in control reads the VLAN tag). */
static inline void pl_tag_udp_view(const struct rte_mbuf *m, struct net_udp_view *v)
{
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *l3 = frame + m->l2_len;
	const uint8_t *udp = l3 + m->l3_len;

	memset(v, 0, sizeof(*v));
	v->l3_off = m->l2_len;
	v->l4_off = v->l3_off + m->l3_len;
	v->payload_off = v->l4_off + NET_UDP_HLEN;
	v->payload_len = net_get_be16(udp + NET_UDP_OFF_LEN) - NET_UDP_HLEN;
	v->src_port = net_get_be16(udp + NET_UDP_OFF_SPORT);
	v->dst_port = net_get_be16(udp + NET_UDP_OFF_DPORT);
	memcpy(&v->src_mac, frame + NET_ETH_OFF_SRC, sizeof(v->src_mac));
	if (m->l4_len == NET_TURN_CHANNEL_HLEN) {
		/* The worker checked it: from our relay, the length within. */
		v->channel = net_get_be16(frame + v->payload_off);
		v->payload_len = net_get_be16(frame + v->payload_off + 2);
		v->payload_off += NET_TURN_CHANNEL_HLEN;
	}
	if (net_ip_version(l3) == 4) {
		v->src.family = v->dst.family = NET_AF_IP4;
		memcpy(&v->src.ip4, l3 + NET_IP4_OFF_SRC, sizeof(v->src.ip4));
		memcpy(&v->dst.ip4, l3 + NET_IP4_OFF_DST, sizeof(v->dst.ip4));
	} else {
		v->src.family = v->dst.family = NET_AF_IP6;
		memcpy(&v->src.ip6, l3 + NET_IP6_OFF_SRC, sizeof(v->src.ip6));
		memcpy(&v->dst.ip6, l3 + NET_IP6_OFF_DST, sizeof(v->dst.ip6));
	}
}

#endif /* OMNI_PIPELINE_TAG_H */

/* SPDX-License-Identifier: MIT */
/*
 * Proxy ARP and ND on the host link: the host asks for the MAC of an
 * address routed to a peer (or inside the cluster's network), and control
 * answers with ours, as a router would.
 */
#include <string.h>

#include <rte_mbuf.h>

#include "control_int.h"

/* Is addr routed to a peer? Then the host may ask us for its MAC. */
static bool routed(const struct pl_dataplane *dp, int family, const uint8_t *addr)
{
	uint32_t v4;

	/* The cluster's network too: the nucleus is asked when a packet comes. */
	if (pl_in_cluster(dp, family == NET_AF_IP4, addr))
		return true;
	if (family == NET_AF_IP4) {
		memcpy(&v4, addr, 4);
		return pl_allowedips_lookup4(dp->aips, v4) != PL_PEER_NONE;
	}
	return pl_allowedips_lookup6(dp->aips, addr) != PL_PEER_NONE;
}

/* The answer to an ARP request or NS from the host, or 0 bytes for none. */
static size_t proxy_answer(struct pl_control *c, const uint8_t *frame, size_t len,
			   const struct net_eth *eth, uint8_t *buf, size_t cap)
{
	static const struct net_ip6 unspecified;
	struct pl_dataplane *dp = c->dp;
	struct net_mac eth_src;
	struct net_arp arp;
	struct net_nd nd;

	memcpy(&eth_src, frame + NET_ETH_OFF_SRC, sizeof(eth_src));
	if (eth->type == NET_ETH_ARP &&
	    net_arp_parse(frame + eth->hdr_len, len - eth->hdr_len, &arp) == NET_DROP_OK &&
	    arp.op == NET_ARP_REQUEST && routed(dp, NET_AF_IP4, arp.tpa.b))
		return net_arp_frame_reply(buf, cap, &arp, &dp->host_our_mac);
	/* Not for duplicate address detection (source ::): never claim the
	 * host's own addresses. */
	if (eth->type == NET_ETH_IP6 &&
	    net_nd_ns_parse(frame + eth->hdr_len, len - eth->hdr_len, &nd) == NET_DROP_OK &&
	    memcmp(&nd.src, &unspecified, sizeof(nd.src)) && routed(dp, NET_AF_IP6, nd.target.b))
		return net_nd_na_frame(buf, cap, &nd, &eth_src, &dp->host_our_mac,
				       NET_NA_FLAG_ROUTER | NET_NA_FLAG_OVERRIDE);
	return 0;
}

/*
 * The host asks for the MAC of an address behind the tunnel: answer with
 * ours, like a router (proxy ARP / ND). Anything else is left unanswered.
 */
void pl_control_host_rx(struct pl_control *c, struct rte_mbuf *m)
{
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);
	struct net_eth eth;
	struct rte_mbuf *out;
	uint8_t *buf;
	size_t cap;

	if (net_eth_parse(frame, m->data_len, &eth) == NET_DROP_OK) {
		memcpy(&c->dp->host_kernel_mac, frame + NET_ETH_OFF_SRC, sizeof(struct net_mac));
		out = pl_control_frame_alloc(c, &buf, &cap);
		if (out)
			pl_control_frame_send(c, out,
					      proxy_answer(c, frame, m->data_len, &eth, buf, cap),
					      true);
	}
	rte_pktmbuf_free(m);
}

/* SPDX-License-Identifier: MIT */
/* L2 fabric, control lcore and set-up (l2.h, docs/l2.md). */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_memory.h>

#include "net/vxlan.h"

#include "fdb.h"
#include "l2.h"

uint32_t pl_l2_host_mtu(unsigned family, uint32_t mtu)
{
	uint32_t over = net_vxlan_hdr_len(family) + NET_ETH_HLEN;

	return mtu > over ? mtu - over : 0;
}

int pl_l2_setup(struct pl_dataplane *dp, const struct pl_l2_conf *c)
{
	struct pl_l2 *l2 = &dp->l2;
	uint32_t pps = c->flood_pps ? c->flood_pps : 1;
	struct pl_fdb_conf fc = { .name = "fdb",
				  .size = c->fdb_size,
				  .age_ns = c->fdb_age_ns,
				  .socket = SOCKET_ID_ANY,
				  .rcu = dp->rcu };

	if (!net_vxlan_hdr_len(c->vip.family))
		return -EINVAL;
	memset(l2, 0, sizeof(*l2));
	l2->fdb = pl_fdb_create(&fc);
	if (!l2->fdb)
		return -(rte_errno ? rte_errno : ENOMEM);
	l2->vni = c->vni;
	l2->vip = c->vip;
	l2->frame_max = c->mtu - net_vxlan_hdr_len(c->vip.family);
	/* Bursts of a tenth of a second's worth, at least 32 frames: an ARP
	 * storm is cut, a host's start-up chatter is not. */
	l2->flood_gap_ns = 1000000000ull / pps;
	l2->flood_burst_ns = l2->flood_gap_ns * (pps / 10 > 32 ? pps / 10 : 32);
	l2->on = true;
	return 0;
}

void pl_l2_teardown(struct pl_dataplane *dp)
{
	pl_fdb_free(dp->l2.fdb);
	dp->l2.fdb = NULL;
	dp->l2.on = false;
}

/* The first host route of the segment's family: the member's VIP. */
static const struct net_prefix *member_vip(const struct pl_l2 *l2, const struct pl_peer *peer)
{
	unsigned i, bits = net_family_bits(l2->vip.family);

	for (i = 0; i < peer->n_routes; i++)
		if (peer->routes[i].addr.family == l2->vip.family && peer->routes[i].len == bits)
			return &peer->routes[i];
	return NULL;
}

static bool member_same(const struct pl_peer *peer, const struct net_prefix *vip)
{
	return peer->l2_member &&
	       memcmp(peer->l2_dst, vip->addr.b, net_family_len(vip->addr.family)) == 0;
}

void pl_l2_peer_routes(struct pl_dataplane *dp, struct pl_peer *peer)
{
	const struct net_prefix *vip;

	if (!dp->l2.on)
		return;
	vip = member_vip(&dp->l2, peer);
	if (vip && member_same(peer, vip))
		return;
	/* A worker between its check and its copy may still send one frame
	 * to the old VIP, which the peer drops: a VIP changes rarely. */
	__atomic_store_n(&peer->l2_member, 0, __ATOMIC_RELEASE);
	pl_fdb_flush(dp->l2.fdb, peer->id);
	if (!vip)
		return;
	memcpy(peer->l2_dst, vip->addr.b, net_family_len(vip->addr.family));
	__atomic_store_n(&peer->l2_member, 1, __ATOMIC_RELEASE);
}

void pl_l2_peer_gone(struct pl_dataplane *dp, struct pl_peer *peer)
{
	if (!dp->l2.on)
		return;
	__atomic_store_n(&peer->l2_member, 0, __ATOMIC_RELEASE);
	pl_fdb_flush(dp->l2.fdb, peer->id);
}

void pl_l2_poll(struct pl_dataplane *dp, uint64_t now)
{
	if (dp->l2.on)
		pl_fdb_control(dp->l2.fdb, now);
}

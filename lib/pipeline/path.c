/* SPDX-License-Identifier: MIT */
/*
 * A peer's path: the outer headers (Ethernet, IPv4/IPv6, UDP) the workers
 * push in front of every packet to it, built by control once the next
 * hop's MAC is known and published behind an atomic pointer. Two slots:
 * the one not published is reused only after a grace period.
 */
#include <rte_rcu_qsbr.h>

#include "control_int.h"

bool pl_control_path_update(struct pl_control *c, struct pl_peer *peer, uint64_t now)
{
	struct net_encap_params p = { .vlan_tci = -1 };
	struct pl_neigh *n;
	struct pl_path *slot;
	uint8_t next;

	if (peer->ep.udp.addr.family == NET_AF_NONE)
		return false;
	n = pl_control_neigh_resolve(c, &peer->ep.udp.addr, now);
	if (!n) {
		peer->path_dirty = true;
		return false;
	}
	/* The other slot may still be read by a worker until the grace period. */
	next = peer->path_published ? !peer->path_cur : peer->path_cur;
	if (peer->path_published && !rte_rcu_qsbr_check(c->dp->rcu, peer->path_token, false)) {
		peer->path_dirty = true;
		return false;
	}
	p.src_mac = c->dp->local.mac;
	p.dst_mac = n->mac;
	p.dst = peer->ep.udp.addr;
	p.src.family = peer->ep.udp.addr.family;
	if (p.src.family == NET_AF_IP4)
		p.src.ip4 = c->dp->local.ip4;
	else
		p.src.ip6 = c->dp->local.ip6;
	p.src_port = c->dp->local.port;
	p.dst_port = peer->ep.udp.port;
	p.channel = peer->ep.channel;
	p.csum = p.src.family == NET_AF_IP4 ? NET_UDP_CSUM_NONE : NET_UDP_CSUM_FULL;
	slot = &peer->path_slot[next];
	if (net_encap_init(&slot->encap, &p) != 0)
		return false;
	__atomic_store_n(&peer->path, slot, __ATOMIC_RELEASE);
	peer->path_cur = next;
	peer->path_published = true;
	peer->path_dirty = false;
	peer->path_token = rte_rcu_qsbr_start(c->dp->rcu);
	return true;
}

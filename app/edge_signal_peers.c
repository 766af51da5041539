/* SPDX-License-Identifier: MIT */
/*
 * What the nucleus's answers do on the edge (edge_signal.h): members
 * become WireGuard peers, PUNCH notices become handshakes (punch.h), and
 * host packets to a member not known yet wait for the answer to a query
 * (park.h; miss_hook). The glue's other half, the clock, sending and the
 * loop, is edge_signal.c. Control lcore only.
 */
#include <string.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <sodium.h>

#include "config/value.h"
#include "pipeline/control_peers.h"
#include "wg/key.h"

#include "edge.h"
#include "edge_peers.h"
#include "edge_signal_int.h"

enum { CLUSTER_KEEPALIVE_S = 25 }; /* keeps NAT mappings open */

/* The WireGuard peer for a cluster member; its live slot, or NULL. */
static struct pl_peer *install(struct omni_edge *e, const struct sig_peer *sp)
{
	struct net_endpoint cand[SIG_CAND_MAX];
	struct net_addr vip4, vip6;
	struct net_prefix aips[2];
	struct cfg_peer p = { .has_public_key = true,
			      .has_preshared_key = true,
			      .persistent_keepalive = CLUSTER_KEEPALIVE_S,
			      .allowed_ips = aips };
	char err[CFG_CONFIG_ERR_MAX], key[WG_KEY_B64_LEN + 1], ep[CFG_ADDR_TEXT_MAX];
	unsigned n_first, n;

	if (sodium_memcmp(sp->pubkey, e->ctl.id.public_key, WG_KEY_LEN) == 0)
		return NULL;
	memcpy(p.public_key, sp->pubkey, WG_KEY_LEN);
	memcpy(p.preshared_key, e->sig->psk, WG_KEY_LEN);
	/* Its AllowedIPs: its VIPs, each a host prefix. */
	net_addr_set(&vip4, NET_AF_IP4, sp->vip4);
	net_addr_set(&vip6, NET_AF_IP6, sp->vip6);
	if (sp->flags & SIG_PEER_HAS_VIP4)
		net_prefix_host(&aips[p.n_allowed_ips++], &vip4);
	if (sp->flags & SIG_PEER_HAS_VIP6)
		net_prefix_host(&aips[p.n_allowed_ips++], &vip6);
	n = sig_punch_order(&e->sig->punch.conf, sp, cand, &n_first);
	if (n)
		net_endpoint_to_sockaddr(&cand[0], net_family_to_af(cand[0].addr.family),
					 &p.endpoint.addr);
	wg_key_to_base64(key, sp->pubkey);
	cfg_sockaddr_format(&p.endpoint.addr, ep);
	printf("omninervous: nucleus: peer %s at %s (%u candidate(s))\n", key, ep, n);
	if (omni_edge_peer_add(e, &p, err, sizeof(err)) != 0)
		printf("omninervous: nucleus: peer %s not installed: %s\n", key, err);
	sodium_memzero(p.preshared_key, WG_KEY_LEN);
	return pl_control_peer_find(&e->ctl, sp->pubkey);
}

/* Happy Eyeballs: the later family only while no session came up. */
static bool still_waiting(void *ctx, const uint8_t *pubkey)
{
	struct omni_edge *e = ctx;
	const struct pl_peer *peer = pl_control_peer_find(&e->ctl, pubkey);

	return peer && !peer->tx;
}

static unsigned punch_act(struct omni_edge *e)
{
	struct omni_signal *s = e->sig;
	struct sig_punch_action a;
	struct pl_peer *peer;
	unsigned i, n = 0;

	while (sig_punch_pop(&s->punch, &a)) {
		if (!(peer = pl_control_peer_find(&e->ctl, a.pubkey)))
			continue;
		if (a.kind == SIG_PUNCH_RESEND) {
			n += pl_control_resend_initiation_to(&e->ctl, peer, a.cand, a.n, s->now_ns);
			continue;
		}
		/* A candidate whose next hop was being resolved gets the same
		 * initiation from the outbox as soon as it is (a first ND/ARP
		 * must not hand the race to the later family). */
		if (pl_control_initiate_to(&e->ctl, peer, a.cand, a.n, s->now_ns) < a.n)
			for (i = 0; i < a.n; i++)
				omni_signal_send(e, &a.cand[i], peer->last_init,
						 sizeof(peer->last_init));
	}
	return n;
}

unsigned omni_signal_punch_due(struct omni_edge *e)
{
	sig_punch_tick(&e->sig->punch, e->sig->now_ms, still_waiting, e);
	return punch_act(e);
}

/* Parked host packets go to peer's queue (sent once the handshake is
 * done), or are dropped. */
void omni_signal_park_act(struct omni_edge *e, struct pl_peer *peer)
{
	struct omni_signal *s = e->sig;
	struct sig_park_action a;

	while (sig_park_pop(&s->park, &a)) {
		if (a.verdict == SIG_PARK_RELEASE && peer && peer->staged &&
		    rte_ring_mp_enqueue(peer->staged, a.handle) == 0) {
			__atomic_store_n(&peer->want_handshake, 1, __ATOMIC_RELAXED);
			continue;
		}
		rte_pktmbuf_free(a.handle);
		s->stats.waiting_dropped++;
	}
}

static void print_peer(const char *what, const struct sig_peer *sp)
{
	char key[WG_KEY_B64_LEN + 1], vip[NET_ADDR_TEXT_MAX] = "-";
	struct net_addr a;

	wg_key_to_base64(key, sp->pubkey);
	if (sp->flags & SIG_PEER_HAS_VIP4) {
		net_addr_set(&a, NET_AF_IP4, sp->vip4);
		net_addr_format(&a, vip);
	}
	printf("omninervous: nucleus: peer %s %s vip %s\n", what, key, vip);
}

void omni_signal_on_event(struct omni_edge *e, const struct sig_event *ev)
{
	struct omni_signal *s = e->sig;
	char a[NET_ENDPOINT_TEXT_MAX], err[CFG_CONFIG_ERR_MAX];
	struct pl_peer *peer;

	switch (ev->type) {
	case SIG_EV_REGISTERED:
		net_endpoint_format(&ev->observed, a);
		printf("omninervous: nucleus: registered with %s as %s (cluster %s)\n",
		       s->nucleus_text, a, e->cfg.network.cluster);
		break;
	case SIG_EV_LOST:
		printf("omninervous: nucleus: %s stopped answering; registering again\n",
		       s->nucleus_text);
		break;
	case SIG_EV_JOINED:
	case SIG_EV_MOVED:
		print_peer(ev->type == SIG_EV_JOINED ? "joined" : "moved", &ev->peer);
		ev->type == SIG_EV_JOINED ? s->stats.joined++ : s->stats.moved++;
		install(e, &ev->peer);
		break;
	case SIG_EV_LEFT:
		print_peer("left", &ev->peer);
		s->stats.left++;
		omni_edge_peer_del(e, ev->peer.pubkey, err, sizeof(err));
		break;
	case SIG_EV_FOUND:
		s->stats.found++;
		peer = install(e, &ev->peer);
		sig_park_answer(&s->park, &ev->target, true);
		omni_signal_park_act(e, peer);
		break;
	case SIG_EV_NOT_FOUND:
		s->stats.not_found++;
		sig_park_answer(&s->park, &ev->target, false);
		omni_signal_park_act(e, NULL);
		break;
	case SIG_EV_PUNCH:
		if (install(e, &ev->peer))
			sig_punch_input(&s->punch, &ev->peer, s->now_ms);
		punch_act(e);
		break;
	}
	fflush(stdout);
}

/* The destination of a host frame (IPv4 or IPv6) as a query target. */
static bool frame_target(const struct rte_mbuf *m, struct net_addr *t)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	struct net_eth eth;

	memset(t, 0, sizeof(*t));
	if (net_eth_parse(f, m->data_len, &eth) != NET_DROP_OK)
		return false;
	f += eth.hdr_len;
	if (eth.type == NET_ETH_IP4 && m->data_len >= eth.hdr_len + NET_IP4_HLEN)
		net_addr_set(t, NET_AF_IP4, f + NET_IP4_OFF_DST);
	else if (eth.type == NET_ETH_IP6 && m->data_len >= eth.hdr_len + NET_IP6_HLEN)
		net_addr_set(t, NET_AF_IP6, f + NET_IP6_OFF_DST);
	return net_addr_is_set(t);
}

void omni_signal_miss_hook(void *ctx, struct rte_mbuf *m, uint64_t now)
{
	struct omni_edge *e = ctx;
	struct omni_signal *s = e->sig;
	struct net_addr t;

	omni_signal_clock(s, now);
	if (!frame_target(m, &t)) {
		rte_pktmbuf_free(m);
		return;
	}
	if (!sig_park_add(&s->park, m, &t, s->now_ms)) {
		rte_pktmbuf_free(m);
		s->stats.waiting_dropped++;
		return;
	}
	if (sig_client_query(s->client, &t, omni_signal_wire_ms(s)) == 0)
		s->stats.queries++;
	omni_signal_drain(e);
}

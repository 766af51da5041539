/* SPDX-License-Identifier: MIT */
/*
 * The nucleus client and STUN on the control loop (edge_signal.h): glue
 * between control and signaling/edge.h's state machine, which decides
 * everything. This file gives it the clock and what control hands over
 * (datagrams, host misses), and carries out its actions: control calls,
 * WireGuard peers, parked packets and log lines. Runs on the main lcore
 * only, like everything that changes peers.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <sodium.h>

#include "config/value.h"
#include "pipeline/control_peers.h"
#include "wg/key.h"

#include "edge.h"
#include "edge_peers.h"
#include "edge_signal.h"
#include "edge_signal_int.h"

enum { CLUSTER_KEEPALIVE_S = 25 }; /* keeps NAT mappings open */

/* The loop's now, in real milliseconds; the wall clock when it is due. */
static void clock_at(struct omni_signal *s, uint64_t now_ns)
{
	struct timespec ts;

	s->now_ns = now_ns;
	s->now_ms = now_ns / s->clock_scale / 1000000;
	if (!sig_edge_wall_due(&s->ed, s->now_ms))
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	sig_edge_wall(&s->ed, s->now_ms,
		      (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

/* ms of real time on control's clock, which may run clock_scale fast. */
static uint64_t control_ns(const struct omni_signal *s, uint64_t ms)
{
	return ms * 1000000ull * s->clock_scale;
}

/* ---- peers ---- */

/* A new member waits for the PUNCH our question brings (signaling/edge.h)
 * before it starts a handshake of its own. */
enum { PUNCH_WAIT_MS = 2000 };

/* The loop's clock (pl_now_ns, the TSC) in real microseconds: only to say
 * how long a rebuild took, so no second clock is read. */
static uint64_t real_us(const struct omni_edge *e)
{
	return pl_now_ns(&e->dp) / e->sig->clock_scale / 1000;
}

/* One line for a refused event, naming the key, its VIPs and the rule
 * (signaling/admit.h); counted in sig_refused_* and /metrics. */
static void refused(struct omni_edge *e, const struct sig_edge_action *a, enum sig_admit why)
{
	char key[WG_KEY_B64_LEN + 1], vips[SIG_VIPS_TEXT_MAX];

	sig_edge_refused(&e->sig->ed, a, why);
	wg_key_to_base64(key, a->event.peer.pubkey);
	sig_vips_format(&a->event.peer, vips);
	printf("omninervous: nucleus: peer %s %s refused (%s)\n", key, vips, sig_admit_name(why));
}

/* The WireGuard peer for a cluster member, at its first candidate; only
 * within the rules of signaling/admit.h. */
static void install(struct omni_edge *e, const struct sig_edge_action *a)
{
	const struct sig_peer *sp = &a->event.peer;
	struct sig_admit_view view;
	struct net_prefix aips[2];
	struct cfg_peer p = { .has_public_key = true,
			      .has_preshared_key = true,
			      .persistent_keepalive = CLUSTER_KEEPALIVE_S,
			      .allowed_ips = aips,
			      .learned = true };
	char err[CFG_CONFIG_ERR_MAX], key[WG_KEY_B64_LEN + 1], ep[CFG_ADDR_TEXT_MAX];
	enum sig_admit why;
	unsigned n;

	if (e->sig->mode_refused)
		return; /* a cluster of the other mode: said once (cluster_mode) */
	omni_edge_admit_view(e, &view);
	why = sig_admit_peer(&view, sp, aips, &n);
	if (why != SIG_ADMIT_OK) {
		refused(e, a, why);
		return;
	}
	wg_key_to_base64(key, sp->pubkey);
	if (a->n_bad_cand)
		printf("omninervous: nucleus: peer %s: %u candidate(s) dropped (%s)\n", key,
		       a->n_bad_cand, sig_admit_name(SIG_ADMIT_BAD_CANDIDATE));
	/* Its AllowedIPs: its VIPs inside our prefixes, each a host prefix. */
	p.n_allowed_ips = n;
	memcpy(p.public_key, sp->pubkey, WG_KEY_LEN);
	memcpy(p.preshared_key, e->sig->psk, WG_KEY_LEN);
	if (a->n_cand && !omni_relay_holds(e, sp->pubkey))
		net_endpoint_to_sockaddr(&a->cand[0], net_family_to_af(a->cand[0].addr.family),
					 &p.endpoint.addr);
	cfg_sockaddr_format(&p.endpoint.addr, ep);
	printf("omninervous: nucleus: peer %s at %s (%u candidate(s))\n", key, ep, a->n_cand);
	/* Routed from the commit after this burst of actions (act_all). */
	if (omni_edge_peer_stage(e, &p, err, sizeof(err)) != 0)
		printf("omninervous: nucleus: peer %s not installed: %s\n", key, err);
	else {
		e->sig->staged++;
		if (omni_signal_peer(e, sp->pubkey) == SIG_EDGE_PEER_WAITING)
			pl_control_punch_hold(pl_control_peer_find(&e->ctl, sp->pubkey),
					      e->sig->now_ns + control_ns(e->sig, PUNCH_WAIT_MS));
	}
	sodium_memzero(p.preshared_key, WG_KEY_LEN);
}

enum sig_edge_peer omni_signal_peer(void *ctx, const uint8_t *pubkey)
{
	struct omni_edge *e = ctx;
	const struct pl_peer *peer = pl_control_peer_find(&e->ctl, pubkey);

	if (!peer)
		return SIG_EDGE_PEER_NONE;
	if (!peer->tx)
		return SIG_EDGE_PEER_WAITING;
	return peer->ep.channel ? SIG_EDGE_PEER_RELAYED : SIG_EDGE_PEER_UP;
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

/*
 * The nucleus announces the cluster's mode in every ack (SIG_ACK_L2). An
 * edge of the other mode would put frames where packets are expected or
 * the reverse: it takes no member of that cluster, and says so.
 */
static void cluster_mode(struct omni_edge *e, bool l2)
{
	bool ours = e->cfg.network.net_mode == CFG_NET_L2, was = e->sig->mode_refused;

	e->sig->mode_refused = l2 != ours;
	if (e->sig->mode_refused && !was)
		printf("omninervous: nucleus: cluster %s is %s (the nucleus says so) but this edge "
		       "runs %s (network.mode, --network-mode): refusing its members; set "
		       "network.mode to \"%s\" and restart\n",
		       e->cfg.network.cluster, l2 ? "an L2 fabric" : "routed (l3)",
		       ours ? "l2" : "l3", l2 ? "l2" : "l3");
	else if (was && !e->sig->mode_refused)
		printf("omninervous: nucleus: cluster %s is %s now, as this edge\n",
		       e->cfg.network.cluster, l2 ? "an L2 fabric" : "routed (l3)");
}

static void on_event(struct omni_edge *e, const struct sig_edge_action *a)
{
	const struct sig_event *ev = &a->event;
	char t[NET_ENDPOINT_TEXT_MAX], err[CFG_CONFIG_ERR_MAX];

	switch (ev->type) {
	case SIG_EV_REGISTERED:
		net_endpoint_format(&ev->observed, t);
		printf("omninervous: nucleus: registered with %s as %s (cluster %s)\n",
		       e->sig->nucleus_text, t, e->cfg.network.cluster);
		omni_relay_event(e, ev); /* our mapping, against the relay's view */
		cluster_mode(e, ev->cluster_l2);
		break;
	case SIG_EV_LOST:
		printf("omninervous: nucleus: %s stopped answering; registering again\n",
		       e->sig->nucleus_text);
		break;
	case SIG_EV_JOINED:
	case SIG_EV_MOVED:
		print_peer(ev->type == SIG_EV_JOINED ? "joined" : "moved", &ev->peer);
		install(e, a);
		break;
	case SIG_EV_LEFT:
		print_peer("left", &ev->peer);
		if (omni_edge_peer_forget(e, ev->peer.pubkey, err, sizeof(err)) == -EPERM)
			refused(e, a, SIG_ADMIT_STATIC_KEY);
		break;
	case SIG_EV_PUNCH:
		/* Often how a member is first heard of: its JOINED asked for it. */
		print_peer("punch", &ev->peer);
		install(e, a);
		break;
	case SIG_EV_FOUND:
		install(e, a);
		break;
	case SIG_EV_NOT_FOUND:
		break;
	case SIG_EV_TURN_CRED: /* the relay's (edge_relay.c) */
	case SIG_EV_RELAY_INFO:
		omni_relay_event(e, ev);
		break;
	}
}

static void print_reflexive(const struct sig_edge_action *a)
{
	char m[NET_ENDPOINT_TEXT_MAX], f[NET_ENDPOINT_TEXT_MAX];

	net_endpoint_format(&a->reflexive.addr, m);
	net_endpoint_format(&a->reflexive.from, f);
	printf("omninervous: stun: reflexive address %s (from %s)\n", m, f);
}

/* ---- actions ---- */

/* A parked host packet joins the peer's queue (sent once the handshake
 * is done). */
static bool release(struct omni_edge *e, const struct sig_edge_action *a)
{
	struct pl_peer *peer = pl_control_peer_find(&e->ctl, a->park.pubkey);

	if (!peer || !peer->staged || rte_ring_mp_enqueue(peer->staged, a->park.handle) != 0)
		return false;
	__atomic_store_n(&peer->want_handshake, 1, __ATOMIC_RELAXED);
	return true;
}

/* One action; false: handed back, not done. */
static bool act(struct omni_edge *e, const struct sig_edge_action *a)
{
	struct omni_signal *s = e->sig;
	struct pl_peer *peer = NULL;
	unsigned sent;

	if (a->kind == SIG_EDGE_INITIATE || a->kind == SIG_EDGE_RESEND)
		peer = pl_control_peer_find(&e->ctl, a->punch.pubkey);
	switch (a->kind) {
	case SIG_EDGE_SEND:
		if (pl_control_send_udp_addr(&e->ctl, &a->send.to.addr, a->send.to.port,
					     a->send.buf, (uint32_t)a->send.len, s->now_ns))
			break;
		sig_edge_unsent(&s->ed, a);
		return false;
	case SIG_EDGE_EVENT:
		on_event(e, a);
		break;
	case SIG_EDGE_REFLEXIVE:
		print_reflexive(a);
		break;
	case SIG_EDGE_INITIATE:
		if (!peer)
			break;
		if (a->punch.hold_ms)
			pl_control_punch_hold(peer, s->now_ns + control_ns(s, a->punch.hold_ms));
		if (!a->punch.n)
			break;
		sent = pl_control_initiate_to(&e->ctl, peer, a->punch.cand, a->punch.n,
					      a->punch.ttl, s->now_ns);
		/* An opener that waits for its next hop is not worth keeping. */
		if (!a->punch.ttl)
			sig_edge_initiated(&s->ed, a, sent, peer->last_init,
					   sizeof(peer->last_init));
		break;
	case SIG_EDGE_RESEND:
		if (peer)
			pl_control_resend_initiation_to(&e->ctl, peer, a->punch.cand, a->punch.n,
							s->now_ns);
		break;
	case SIG_EDGE_RELEASE:
		if (release(e, a))
			break;
		sig_edge_unreleased(&s->ed);
		/* fall through */
	case SIG_EDGE_DROP:
		rte_pktmbuf_free(a->park.handle);
		break;
	}
	fflush(stdout);
	return true;
}

/*
 * The members staged by this burst of actions, routed: one AllowedIPs
 * rebuild for all of them (a new rte_lpm and a grace period, tens of ms:
 * once per join, a delta page of joins or a rogue's stream of them would
 * hold the control loop that long each).
 */
static void commit_staged(struct omni_edge *e)
{
	char err[CFG_CONFIG_ERR_MAX];
	uint64_t us = real_us(e);

	if (!e->sig->staged)
		return;
	if (omni_edge_peers_commit(e, err, sizeof(err)) != 0)
		printf("omninervous: nucleus: %s\n", err);
	else
		printf("omninervous: nucleus: %u member(s) routed; AllowedIPs table rebuilt in "
		       "%llu us (%zu peers)\n",
		       e->sig->staged, (unsigned long long)(real_us(e) - us), e->cfg.n_peers);
	e->sig->staged = 0;
	fflush(stdout);
}

/* Every action due; how many were done. */
static unsigned act_all(struct omni_edge *e)
{
	struct sig_edge_action a;
	unsigned n = 0;

	while (sig_edge_pop(&e->sig->ed, &a))
		n += act(e, &a);
	commit_staged(e);
	return n;
}

/* ---- control's hooks and the loop ---- */

void omni_signal_udp_hook(void *ctx, struct rte_mbuf *m, const struct net_udp_view *v, uint64_t now)
{
	struct omni_edge *e = ctx;
	struct net_endpoint from = { .port = v->src_port };

	clock_at(e->sig, now);
	net_addr_set(&from.addr, v->src.family, v->src.b);
	if (!omni_relay_input(e, &from, rte_pktmbuf_mtod(m, const uint8_t *) + v->payload_off,
			      v->payload_len))
		sig_edge_input(&e->sig->ed, &from,
			       rte_pktmbuf_mtod(m, const uint8_t *) + v->payload_off,
			       v->payload_len, e->sig->now_ms);
	rte_pktmbuf_free(m);
	act_all(e);
}

/* The destination of a host frame (IPv4 or IPv6); unset when neither. */
static void frame_target(const struct rte_mbuf *m, struct net_addr *t)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	struct net_eth eth;

	memset(t, 0, sizeof(*t));
	if (net_eth_parse(f, m->data_len, &eth) != NET_DROP_OK)
		return;
	f += eth.hdr_len;
	if (eth.type == NET_ETH_IP4 && m->data_len >= eth.hdr_len + NET_IP4_HLEN)
		net_addr_set(t, NET_AF_IP4, f + NET_IP4_OFF_DST);
	else if (eth.type == NET_ETH_IP6 && m->data_len >= eth.hdr_len + NET_IP6_HLEN)
		net_addr_set(t, NET_AF_IP6, f + NET_IP6_OFF_DST);
}

void omni_signal_miss_hook(void *ctx, struct rte_mbuf *m, uint64_t now)
{
	struct omni_edge *e = ctx;
	struct net_addr t;

	clock_at(e->sig, now);
	frame_target(m, &t);
	if (!sig_edge_miss(&e->sig->ed, m, &t, e->sig->now_ms))
		rte_pktmbuf_free(m);
	act_all(e);
}

/*
 * A nucleus that is not there, does not serve our cluster or has another
 * secret answers nothing (refusals are silent), so the edge says it: 8 s
 * after the first request left unanswered, then every minute.
 */
static void watch_silence(struct omni_edge *e)
{
	struct omni_signal *s = e->sig;
	const struct sig_client_stats *st = sig_client_stats(s->ed.client);
	uint64_t tx = 0, rx = 0;

	for (unsigned t = 1; t < SIG_TYPE_COUNT; t++) {
		tx += st->tx[t];
		rx += st->rx[t];
	}
	if (rx != s->rx_seen && sig_silence_heard(&s->silence))
		printf("omninervous: nucleus: %s answers now\n", s->nucleus_text);
	if (tx != s->tx_seen)
		sig_silence_sent(&s->silence, s->now_ms);
	s->rx_seen = rx;
	s->tx_seen = tx;
	if (!sig_silence_due(&s->silence, s->now_ms))
		return;
	printf("omninervous: nucleus: WARNING: no answer from %s for %llu s (cluster %s). "
	       "Likely causes: a wrong address or port (--nucleus), a cluster the nucleus "
	       "does not serve (--cluster; a nucleus given a cluster list serves only those), "
	       "or a wrong secret (--secret). The nucleus logs the refusals it can tell.\n",
	       s->nucleus_text,
	       (unsigned long long)(sig_silence_for(&s->silence, s->now_ms) / 1000),
	       e->cfg.network.cluster);
	fflush(stdout);
}

unsigned omni_edge_signal_poll(struct omni_edge *e, uint64_t now_ns)
{
	struct omni_signal *s = e->sig;
	unsigned n;

	if (!s || !s->ed.client)
		return 0;
	clock_at(s, now_ns);
	if (s->now_ms >= sig_edge_next_tick(&s->ed))
		sig_edge_tick(&s->ed, s->now_ms);
	n = act_all(e);
	omni_relay_poll(e);
	n += act_all(e); /* its asks and queries */
	watch_silence(e);
	return n;
}

void omni_edge_signal_leave(struct omni_edge *e)
{
	struct omni_signal *s = e->sig;

	if (!s || !s->ed.client)
		return;
	sig_edge_leave(&s->ed, s->now_ms);
	act_all(e);
	omni_relay_leave(e);
}

/* SPDX-License-Identifier: MIT */
/*
 * The relay on the control loop (docs/signaling.md, "The relay"): glue
 * between signaling/turn.h's TURN client and control. It asks the nucleus
 * for credentials, hands the TURN server's STUN datagrams to the client
 * and sends its requests from the WireGuard port, tells the workers which
 * server's ChannelData to unwrap, and decides which peers go through it.
 *
 * When to allocate: at once when our NAT maps per destination (the TURN
 * server's answer to a Binding shows another address or port than the
 * nucleus saw: no punch gets through such a NAT); when a member's relayed
 * address comes beside a PUNCH (RELAY_INFO: it may need us); and when a
 * member's punch is over without a session (requery()). Once allocated,
 * every member without a session is asked about at once, so that the
 * PUNCH that brings carries both relayed addresses, beside the direct
 * punch. Each side binds a channel to the other's relayed address at once
 * (harmless beside a direct path); RELAY_AFTER_MS after the PUNCH, when
 * the direct punch has had its chance and no session came up, the side
 * that leads the punch (signaling/punch.h) moves the peer's path to the
 * channel and initiates, and the other follows by roaming when that
 * initiation comes through the relay. Every relayed peer is asked about
 * again every REPUNCH_MS, which punches the direct path again: a handshake
 * that comes back directly moves the peer there (roaming), without a
 * packet lost. Each change of path is one log line. Main lcore only.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "pipeline/control_peers.h"
#include "wg/key.h"

#include "edge.h"
#include "edge_relay.h"
#include "edge_signal_int.h"

enum {
	/* The direct punch's lead (SIG_PUNCH_LEAD_MS, 300 ms) and 400 ms for
	 * its handshake's round trip: a direct pair is connected by then. */
	RELAY_AFTER_MS = 700,
	RELAY_RETRY_MS = 1000, /* an initiation through the relay, again */
	RELAY_TRIES = 3,       /* then WireGuard's own retries (5 s) */
	/* A relayed peer's direct path, tried again: one QUERY_PEER and its
	 * punch, cheap beside the relay's detour and its bandwidth. */
	REPUNCH_MS = 10 * 1000,
	REQUERY_MS = 2 * 1000,
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	va_list ap;

	printf("omninervous: relay: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static struct omni_relay_peer *peer_by_key(struct omni_relay *r, const uint8_t *key)
{
	for (unsigned i = 0; i < OMNI_RELAY_PEERS; i++)
		if (r->p[i].used && !memcmp(r->p[i].key, key, WG_KEY_LEN))
			return &r->p[i];
	return NULL;
}

static struct omni_relay_peer *peer_by_relayed(struct omni_relay *r, const struct net_endpoint *a)
{
	for (unsigned i = 0; i < OMNI_RELAY_PEERS; i++)
		if (r->p[i].used && net_endpoint_equal(&r->p[i].relayed, a))
			return &r->p[i];
	return NULL;
}

void omni_relay_init(struct omni_relay *r)
{
	memset(r, 0, sizeof(*r));
	sig_turn_init(&r->turn, randombytes_buf);
}

void omni_relay_fini(struct omni_relay *r)
{
	sig_turn_fini(&r->turn);
}

/* A member's relayed address, beside a PUNCH: a channel to it at once,
 * and the direct punch has RELAY_AFTER_MS before the relay is used. */
static void relay_info(struct omni_edge *e, const struct sig_relay *ri)
{
	struct omni_relay *r = &e->sig->relay;
	struct omni_relay_peer *p = peer_by_key(r, ri->pubkey);

	for (unsigned i = 0; !p && i < OMNI_RELAY_PEERS; i++)
		if (!r->p[i].used)
			p = &r->p[i];
	if (!p)
		return; /* more relayed members than channels: they stay direct */
	if (!p->used || !net_endpoint_equal(&p->relayed, &ri->relayed.ep))
		p->channel = 0;
	p->used = true;
	memcpy(p->key, ri->pubkey, WG_KEY_LEN);
	p->relayed = ri->relayed.ep;
	/* The member may need the relay to reach us: so may we. */
	sig_turn_want(&r->turn, e->sig->now_ms);
	p->try_at_ms = e->sig->now_ms;
	p->use_at_ms = e->sig->now_ms + RELAY_AFTER_MS;
	p->tries = 0;
}

/* Our NAT maps per destination when the TURN server sees us at another
 * address or port than the nucleus did (same family): allocate now. */
static void check_mapping(struct omni_edge *e)
{
	struct omni_relay *r = &e->sig->relay;
	char o[NET_ENDPOINT_TEXT_MAX], m[NET_ENDPOINT_TEXT_MAX];

	if (r->dependent || !net_addr_is_set(&r->observed.addr) ||
	    r->mapped.addr.family != r->observed.addr.family ||
	    net_endpoint_equal(&r->mapped, &r->observed))
		return;
	net_endpoint_format(&r->observed, o);
	net_endpoint_format(&r->mapped, m);
	say("our NAT maps per destination (the nucleus sees %s, the relay %s): allocating now", o,
	    m);
	r->dependent = true;
	sig_turn_want(&r->turn, e->sig->now_ms);
}

static void registered(struct omni_edge *e, const struct net_endpoint *observed)
{
	struct omni_relay *r = &e->sig->relay;

	if (!net_endpoint_equal(&r->observed, observed))
		r->probed = false; /* moved: probe again with the next credentials */
	r->observed = *observed;
	check_mapping(e);
}

static void cred(struct omni_edge *e, const struct sig_turn_cred *c)
{
	struct omni_relay *r = &e->sig->relay;
	char t[NET_ENDPOINT_TEXT_MAX];

	if (!c->n_servers) {
		if (!r->told_none)
			say("the nucleus offers no relay");
		r->told_none = true;
		sig_turn_set_cred(&r->turn, c, e->sig->now_ms);
		return;
	}
	sig_turn_set_cred(&r->turn, c, e->sig->now_ms);
	if (!r->probed) {
		r->probed = true;
		sig_turn_probe(&r->turn, e->sig->now_ms);
	}
	/* The workers unwrap this server's ChannelData from now on. */
	pl_control_relay_set(&e->ctl, &c->servers[0]);
	net_endpoint_format(&c->servers[0], t);
	if (!r->told_server)
		say("credentials for %s (valid until %llu)", t, (unsigned long long)c->expiry_s);
	r->told_server = true;
}

void omni_relay_event(struct omni_edge *e, const struct sig_event *ev)
{
	if (ev->type == SIG_EV_TURN_CRED)
		cred(e, &ev->cred);
	else if (ev->type == SIG_EV_RELAY_INFO)
		relay_info(e, &ev->relay);
	else if (ev->type == SIG_EV_REGISTERED)
		registered(e, &ev->observed);
}

bool omni_relay_input(struct omni_edge *e, const struct net_endpoint *from, const uint8_t *p,
		      size_t len)
{
	struct omni_relay *r = &e->sig->relay;

	if (!net_addr_is_set(&sig_turn_server(&r->turn)->addr) ||
	    !net_endpoint_equal(from, sig_turn_server(&r->turn)))
		return false;
	sig_turn_input(&r->turn, p, len, e->sig->now_ms);
	return true;
}

/* RELAY_AFTER_MS after the PUNCH, with a channel and no session: the
 * leader moves the peer to the channel and initiates there, again after
 * RELAY_RETRY_MS (the other side's channel may have been bound after our
 * first one arrived), RELAY_TRIES times; the other side waits for it. */
static void use_channel(struct omni_edge *e, struct omni_relay_peer *p, struct pl_peer *peer)
{
	const struct sig_peer *sp = sig_client_lookup(e->sig->ed.client, SIG_BY_PUBKEY, p->key);
	char key[WG_KEY_B64_LEN + 1];

	if (peer->tx || !p->channel || !p->use_at_ms || e->sig->now_ms < p->use_at_ms || !sp)
		return;
	wg_key_to_base64(key, p->key);
	if (!sig_punch_leads(&e->sig->ed.punch, sp) || p->tries >= RELAY_TRIES) {
		if (!p->tries)
			say("peer %s: no direct session; waiting for its initiation through "
			    "the relay",
			    key);
		p->use_at_ms = 0;
		return;
	}
	p->tries++;
	p->use_at_ms = e->sig->now_ms + RELAY_RETRY_MS;
	say("peer %s: no direct session; initiating through the relay (channel 0x%x, try %u)", key,
	    p->channel, p->tries);
	pl_control_peer_via(&e->ctl, peer, sig_turn_server(&e->sig->relay.turn), p->channel,
			    e->sig->now_ns);
	if (!pl_control_initiate_now(&e->ctl, peer, e->sig->now_ns))
		__atomic_store_n(&peer->want_handshake, 1, __ATOMIC_RELAXED);
}

static void turn_action(struct omni_edge *e, const struct sig_turn_action *a)
{
	struct omni_relay *r = &e->sig->relay;
	struct omni_relay_peer *p;
	char t[NET_ENDPOINT_TEXT_MAX];

	switch (a->kind) {
	case SIG_TURN_SEND:
		if (!pl_control_send_udp_addr(&e->ctl, &a->to.addr, a->to.port, a->buf,
					      (uint32_t)a->len, e->sig->now_ns))
			r->unsent++; /* the next hop is resolved meanwhile; retransmitted */
		break;
	case SIG_TURN_ALLOCATED:
		net_endpoint_format(&a->addr, t);
		say("allocated %s", t);
		r->announce = true; /* the nucleus hears it with our next ask */
		r->requery_ms = 0;  /* and then every member without a session */
		r->requery_all = true;
		break;
	case SIG_TURN_MAPPED:
		r->mapped = a->addr;
		check_mapping(e);
		break;
	case SIG_TURN_LOST:
		say("allocation lost; allocating again");
		for (unsigned i = 0; i < OMNI_RELAY_PEERS; i++)
			r->p[i].channel = 0;
		break;
	case SIG_TURN_BOUND:
		p = peer_by_relayed(r, &a->addr);
		if (p)
			p->channel = a->channel; /* used by watch_paths: use_channel() */
		break;
	case SIG_TURN_ERROR:
		say("%s %s (error %u; 0: no answer); %s",
		    a->method == SIG_TURN_ALLOCATE   ? "Allocate" :
		    a->method == SIG_TURN_BINDING    ? "Binding" :
		    a->method == SIG_TURN_REFRESH    ? "Refresh" :
		    a->method == SIG_TURN_PERMISSION ? "CreatePermission" :
						       "ChannelBind",
		    a->code ? "refused" : "unanswered", a->code,
		    a->method == SIG_TURN_BINDING ? "our NAT's kind unknown, the punch decides" :
						    "retrying");
		break;
	}
}

/* Each peer's path, told once per change; a relayed peer due for a new
 * try at the direct path is asked about (which punches both sides). */
static void watch_paths(struct omni_edge *e)
{
	struct omni_relay *r = &e->sig->relay;
	char key[WG_KEY_B64_LEN + 1];

	for (unsigned i = 0; i < OMNI_RELAY_PEERS; i++) {
		struct omni_relay_peer *p = &r->p[i];
		struct pl_peer *peer = p->used ? pl_control_peer_find(&e->ctl, p->key) : NULL;
		bool relayed = peer && peer->tx && peer->ep.channel;

		if (!peer)
			continue;
		if (peer->tx && relayed != p->relayed_now) {
			wg_key_to_base64(key, p->key);
			say("peer %s path %s", key, relayed ? "relayed" : "direct");
			p->relayed_now = relayed;
			p->repunch_ms = e->sig->now_ms + REPUNCH_MS;
		}
		if (!peer->tx && p->try_at_ms && e->sig->now_ms >= p->try_at_ms &&
		    r->turn.state == SIG_TURN_READY) {
			p->try_at_ms = 0;
			sig_turn_peer_add(&r->turn, &p->relayed, e->sig->now_ms);
		}
		use_channel(e, p, peer);
		if (relayed && e->sig->now_ms >= p->repunch_ms) {
			const struct sig_peer *sp =
				sig_client_lookup(e->sig->ed.client, SIG_BY_PUBKEY, p->key);
			struct net_addr t;

			p->repunch_ms = e->sig->now_ms + REPUNCH_MS;
			if (sp && (sp->flags & SIG_PEER_HAS_VIP4)) {
				net_addr_set(&t, NET_AF_IP4, sp->vip4);
				sig_client_query(e->sig->ed.client, &t,
						 sig_edge_wire_ms(&e->sig->ed, e->sig->now_ms));
			}
		}
	}
}

/*
 * Members without a session whose punch is over (no hold left) need the
 * relay: the first such makes us allocate (sig_turn_want; an edge whose
 * peers connect directly, behind no NAT that maps per destination, sends
 * nothing to the TURN server). Once allocated and announced, each of them
 * is asked about again: the PUNCH that brings carries its relayed address
 * (RELAY_INFO) when it has one; every REQUERY_MS until then. Right after
 * our allocation, every member without a session is, punch or not: it
 * learns our relayed address beside that PUNCH, and we its.
 */
static void requery(struct omni_edge *e)
{
	struct omni_signal *s = e->sig;
	struct omni_relay *r = &s->relay;
	bool all = r->requery_all;

	if (r->announce || s->now_ms < r->requery_ms)
		return;
	r->requery_ms = s->now_ms + REQUERY_MS;
	r->requery_all = false;
	for (unsigned i = 0; i < e->dp.n_peers; i++) {
		const struct pl_peer *peer = &e->dp.peers[i];
		const struct sig_peer *sp;
		struct net_addr t;

		if (!peer->in_use || peer->tx || (!all && peer->punch_hold_ns > s->now_ns))
			continue;
		sp = sig_client_lookup(s->ed.client, SIG_BY_PUBKEY, peer->public_key);
		if (!sp || (!all && peer_by_key(r, peer->public_key)))
			continue; /* not a member, or the relay has it in hand */
		sig_turn_want(&r->turn, s->now_ms);
		if (r->turn.state != SIG_TURN_READY)
			continue;
		if (sp->flags & SIG_PEER_HAS_VIP4)
			net_addr_set(&t, NET_AF_IP4, sp->vip4);
		else
			net_addr_set(&t, NET_AF_IP6, sp->vip6);
		sig_client_query(s->ed.client, &t, sig_edge_wire_ms(&s->ed, s->now_ms));
	}
}

void omni_relay_poll(struct omni_edge *e)
{
	struct omni_signal *s = e->sig;
	struct omni_relay *r = &s->relay;
	uint64_t wire_ms = sig_edge_wire_ms(&s->ed, s->now_ms);
	struct sig_turn_action a;

	if (sig_client_registered(s->ed.client) &&
	    (r->announce || sig_turn_cred_due(&r->turn, s->now_ms, wire_ms / 1000))) {
		sig_client_turn_ask(s->ed.client, &r->turn.relayed, wire_ms);
		r->announce = false;
	}
	if (s->now_ms >= sig_turn_next_tick(&r->turn))
		sig_turn_tick(&r->turn, s->now_ms);
	while (sig_turn_pop(&r->turn, &a))
		turn_action(e, &a);
	watch_paths(e);
	requery(e);
}

void omni_relay_leave(struct omni_edge *e)
{
	struct sig_turn_action a;

	sig_turn_release(&e->sig->relay.turn, e->sig->now_ms);
	while (sig_turn_pop(&e->sig->relay.turn, &a))
		if (a.kind == SIG_TURN_SEND)
			pl_control_send_udp_addr(&e->ctl, &a.to.addr, a.to.port, a.buf,
						 (uint32_t)a.len, e->sig->now_ns);
}

bool omni_relay_holds(struct omni_edge *e, const uint8_t *key)
{
	struct omni_relay_peer *p = e->sig ? peer_by_key(&e->sig->relay, key) : NULL;
	const struct pl_peer *peer = p ? pl_control_peer_find(&e->ctl, key) : NULL;

	return peer && peer->ep.channel;
}

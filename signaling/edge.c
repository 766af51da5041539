/* SPDX-License-Identifier: MIT */
/*
 * The edge's cluster state machine (edge.h). Actions are not queued here:
 * pop draws them from the machines it owns, in an order that keeps what
 * belongs together together: the outbox's retries first (oldest first in
 * the outbox, as they were), then what the action popped last implies
 * (copies of an initiation, the punch of a PUNCH, the packets a FOUND
 * releases), then new datagrams, and the client's next event last, so
 * that each event is acted on before the one after it.
 */
#include <string.h>

#include "codec.h"
#include "edge.h"

int sig_edge_init(struct sig_edge *ed, const struct sig_edge_conf *conf, char *err, size_t errlen)
{
	memset(ed, 0, sizeof(*ed));
	ed->client = sig_client_create(&conf->client, err, errlen);
	if (!ed->client)
		return -1;
	sig_outbox_init(&ed->outbox);
	sig_park_init(&ed->park);
	sig_punch_init(&ed->punch, &conf->punch);
	sig_punch_self(&ed->punch, conf->client.pubkey, conf->client.local, conf->client.n_local);
	sig_stun_client_init(&ed->stun, conf->stun, conf->n_stun, conf->random);
	ed->nucleus = conf->nucleus;
	memcpy(ed->self_key, conf->client.pubkey, SIG_PUBKEY_LEN);
	ed->peer = conf->peer;
	ed->ctx = conf->ctx;
	return 0;
}

void sig_edge_fini(struct sig_edge *ed, void (*drop)(void *handle))
{
	struct sig_park_action a;

	sig_park_flush(&ed->park);
	while (sig_park_pop(&ed->park, &a))
		drop(a.handle);
	sig_client_destroy(ed->client);
	ed->client = NULL;
}

/* ---- the clock ---- */

bool sig_edge_wall_due(const struct sig_edge *ed, uint64_t now_ms)
{
	return now_ms >= ed->wall_next_ms;
}

void sig_edge_wall(struct sig_edge *ed, uint64_t now_ms, uint64_t unix_ms)
{
	ed->wall_offset_ms = (int64_t)unix_ms - (int64_t)now_ms;
	ed->wall_next_ms = now_ms + SIG_EDGE_WALL_EVERY_MS;
}

uint64_t sig_edge_wire_ms(const struct sig_edge *ed, uint64_t now_ms)
{
	return (uint64_t)((int64_t)now_ms + ed->wall_offset_ms);
}

/* The client's next tick (Unix time) on the loop's clock. */
static uint64_t client_next(const struct sig_edge *ed)
{
	uint64_t wire = sig_client_next_tick(ed->client);
	int64_t ms;

	if (wire > INT64_MAX)
		return UINT64_MAX;
	ms = (int64_t)wire - ed->wall_offset_ms;
	return ms < 0 ? 0 : (uint64_t)ms;
}

/* ---- what comes in ---- */

static void stun_rx(struct sig_edge *ed, const struct net_endpoint *from, const uint8_t *p,
		    size_t len, uint64_t now_ms)
{
	enum sig_stun_rx r = sig_stun_client_input(&ed->stun, p, len, from, now_ms);

	if (r == SIG_STUN_RX_NOT_OURS)
		ed->stats.dropped_other++;
	if (r != SIG_STUN_RX_CHANGED)
		return;
	sig_client_set_reflexive(ed->client, sig_stun_client_reflexive(&ed->stun),
				 sig_edge_wire_ms(ed, now_ms));
	ed->reflexive_new = true;
	ed->reflexive_from = *from;
}

void sig_edge_input(struct sig_edge *ed, const struct net_endpoint *from, const uint8_t *p,
		    size_t len, uint64_t now_ms)
{
	ed->now_ms = now_ms;
	if (net_endpoint_equal(from, &ed->nucleus) && sig_is_signaling(p, len))
		sig_client_input(ed->client, p, len, sig_edge_wire_ms(ed, now_ms));
	else if (sig_stun_is_stun(p, len))
		stun_rx(ed, from, p, len, now_ms);
	else
		ed->stats.dropped_other++; /* not ours to answer */
}

bool sig_edge_miss(struct sig_edge *ed, void *handle, const struct net_addr *target,
		   uint64_t now_ms)
{
	ed->now_ms = now_ms;
	if (!net_addr_is_set(target))
		return false;
	if (!sig_park_add(&ed->park, handle, target, now_ms)) {
		ed->stats.waiting_dropped++;
		return false;
	}
	if (sig_client_query(ed->client, target, sig_edge_wire_ms(ed, now_ms)) == 0)
		ed->stats.queries++;
	return true;
}

/* Happy Eyeballs: the later family only while no session came up; the
 * leader's initiation the same. A relayed peer's punch (edge_relay.c asks
 * for one now and then) is there to find the direct path: it goes on. */
static bool waiting(void *ctx, const uint8_t *pubkey)
{
	const struct sig_edge *ed = ctx;
	enum sig_edge_peer p = ed->peer(ed->ctx, pubkey);

	return p == SIG_EDGE_PEER_WAITING || p == SIG_EDGE_PEER_RELAYED;
}

void sig_edge_tick(struct sig_edge *ed, uint64_t now_ms)
{
	uint64_t wire = sig_edge_wire_ms(ed, now_ms);

	ed->now_ms = now_ms;
	/* Each kept datagram is offered once a tick (pop, sig_edge_unsent). */
	if (ed->next_retry == ed->n_retry) {
		ed->n_retry = sig_outbox_take(&ed->outbox, ed->retry);
		ed->next_retry = 0;
	}
	sig_punch_tick(&ed->punch, now_ms, waiting, ed);
	if (wire >= sig_client_next_tick(ed->client))
		sig_client_tick(ed->client, wire);
	if (now_ms >= sig_stun_client_next_tick(&ed->stun))
		sig_stun_client_tick(&ed->stun, now_ms);
	sig_park_tick(&ed->park, now_ms);
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t sig_edge_next_tick(const struct sig_edge *ed)
{
	uint64_t next = min_u64(sig_outbox_next_tick(&ed->outbox), client_next(ed));

	next = min_u64(next, sig_punch_next_tick(&ed->punch));
	next = min_u64(next, sig_stun_client_next_tick(&ed->stun));
	next = min_u64(next, sig_linger_next(&ed->linger));
	return min_u64(next, sig_park_next_tick(&ed->park));
}

void sig_edge_leave(struct sig_edge *ed, uint64_t now_ms)
{
	ed->now_ms = now_ms;
	sig_client_leave(ed->client, sig_edge_wire_ms(ed, now_ms));
}

/* ---- what the caller reports ---- */

void sig_edge_unsent(struct sig_edge *ed, const struct sig_edge_action *a)
{
	if (a->retry)
		sig_outbox_put_back(&ed->outbox, &a->send, ed->now_ms);
	else
		sig_outbox_put(&ed->outbox, &a->send.to, a->send.buf, a->send.len, ed->now_ms);
}

void sig_edge_initiated(struct sig_edge *ed, const struct sig_edge_action *a, unsigned sent,
			const void *init, size_t len)
{
	unsigned n = a->punch.n < SIG_CAND_MAX ? a->punch.n : SIG_CAND_MAX;

	if (sent >= n || len > sizeof(ed->copy.buf))
		return;
	memcpy(ed->copy.buf, init, len);
	ed->copy.len = len;
	memcpy(ed->copy_to, a->punch.cand, n * sizeof(ed->copy_to[0]));
	ed->n_copy = n;
	ed->next_copy = 0;
}

void sig_edge_unreleased(struct sig_edge *ed)
{
	ed->stats.waiting_dropped++;
}

void sig_edge_refused(struct sig_edge *ed, const struct sig_edge_action *a, enum sig_admit why)
{
	const uint8_t *key = a->event.peer.pubkey;

	if ((unsigned)why < SIG_ADMIT_COUNT)
		ed->stats.refused[why]++;
	if (ed->punch_pending && !memcmp(ed->punch_wait.pubkey, key, SIG_PUBKEY_LEN))
		ed->punch_pending = false;
	if (a->event.type == SIG_EV_FOUND && !memcmp(ed->found_key, key, SIG_PUBKEY_LEN))
		memset(ed->found_key, 0, SIG_PUBKEY_LEN); /* no peer has key 0 */
}

/* ---- actions, drawn in order ---- */

static bool pop_retry(struct sig_edge *ed, struct sig_edge_action *a)
{
	if (ed->next_retry == ed->n_retry)
		return false;
	a->kind = SIG_EDGE_SEND;
	a->send = ed->retry[ed->next_retry++];
	a->retry = true;
	return true;
}

static bool pop_copy(struct sig_edge *ed, struct sig_edge_action *a)
{
	if (ed->next_copy == ed->n_copy)
		return false;
	a->kind = SIG_EDGE_SEND;
	a->send.to = ed->copy_to[ed->next_copy++];
	a->send.len = ed->copy.len;
	memcpy(a->send.buf, ed->copy.buf, ed->copy.len);
	return true;
}

/* A PUNCH is acted on once the caller has had its EVENT (and installed
 * the peer): only for a peer it has. */
static bool pop_punch(struct sig_edge *ed, struct sig_edge_action *a)
{
	if (ed->punch_pending) {
		ed->punch_pending = false;
		if (ed->peer(ed->ctx, ed->punch_wait.pubkey) != SIG_EDGE_PEER_NONE)
			sig_punch_input(&ed->punch, &ed->punch_wait, ed->now_ms);
	}
	if (!sig_punch_pop(&ed->punch, &a->punch))
		return false;
	a->kind = a->punch.kind == SIG_PUNCH_RESEND ? SIG_EDGE_RESEND : SIG_EDGE_INITIATE;
	return true;
}

static bool pop_park(struct sig_edge *ed, struct sig_edge_action *a)
{
	struct sig_park_action pa;

	if (!sig_park_pop(&ed->park, &pa))
		return false;
	a->park.handle = pa.handle;
	if (pa.verdict == SIG_PARK_RELEASE) {
		a->kind = SIG_EDGE_RELEASE;
		memcpy(a->park.pubkey, ed->found_key, SIG_PUBKEY_LEN);
	} else {
		a->kind = SIG_EDGE_DROP;
		ed->stats.waiting_dropped++;
	}
	return true;
}

static bool pop_reflexive(struct sig_edge *ed, struct sig_edge_action *a)
{
	if (!ed->reflexive_new)
		return false;
	ed->reflexive_new = false;
	a->kind = SIG_EDGE_REFLEXIVE;
	a->reflexive.addr = *sig_stun_client_reflexive(&ed->stun);
	a->reflexive.from = ed->reflexive_from;
	return true;
}

static bool pop_send(struct sig_edge *ed, struct sig_edge_action *a)
{
	a->send.len = sig_stun_client_pop(&ed->stun, &a->send.to, a->send.buf, sizeof(a->send.buf));
	if (!a->send.len) {
		a->send.len = sig_client_pop_datagram(ed->client, a->send.buf, sizeof(a->send.buf));
		a->send.to = ed->nucleus;
	}
	a->kind = SIG_EDGE_SEND;
	return a->send.len > 0;
}

/* A member we have no session with: ask the nucleus about it, which
 * makes it send a PUNCH to both of us, so the two punch together (a
 * handshake begun alone reaches the member's NAT before the member
 * opened it). */
static void punch_ask(struct sig_edge *ed, const struct sig_peer *peer)
{
	struct net_addr t;

	if (ed->peer(ed->ctx, peer->pubkey) == SIG_EDGE_PEER_UP)
		return;
	if (peer->flags & SIG_PEER_HAS_VIP4)
		net_addr_set(&t, NET_AF_IP4, peer->vip4);
	else
		net_addr_set(&t, NET_AF_IP6, peer->vip6);
	if (sig_client_query(ed->client, &t, sig_edge_wire_ms(ed, ed->now_ms)) == 0)
		ed->stats.punch_asks++;
}

/* What an event does to the machines; counted. */
static void follow(struct sig_edge *ed, const struct sig_event *ev)
{
	switch (ev->type) {
	case SIG_EV_JOINED:
		ed->stats.joined++;
		punch_ask(ed, &ev->peer);
		break;
	case SIG_EV_MOVED:
		ed->stats.moved++;
		punch_ask(ed, &ev->peer);
		break;
	case SIG_EV_LEFT:
		ed->stats.left++;
		break;
	case SIG_EV_FOUND:
		ed->stats.found++;
		memcpy(ed->found_key, ev->peer.pubkey, SIG_PUBKEY_LEN);
		sig_park_answer(&ed->park, &ev->target, true);
		break;
	case SIG_EV_NOT_FOUND:
		ed->stats.not_found++;
		sig_park_answer(&ed->park, &ev->target, false);
		break;
	case SIG_EV_PUNCH:
		ed->punch_wait = ev->peer;
		ed->punch_pending = true;
		break;
	case SIG_EV_REGISTERED:
		sig_punch_observed(&ed->punch, &ev->observed);
		break;
	case SIG_EV_LOST:
		break;
	case SIG_EV_TURN_CRED:
	case SIG_EV_RELAY_INFO:
		break; /* the relay's: signaling/turn.h */
	}
}

/* A FOUND or PUNCH naming ourselves (a query for our own VIP) has its
 * effect (no peer to release to, none to punch) but no peer to install. */
static bool about_us(const struct sig_edge *ed, const struct sig_event *ev)
{
	return (ev->type == SIG_EV_FOUND || ev->type == SIG_EV_PUNCH) &&
	       memcmp(ev->peer.pubkey, ed->self_key, SIG_PUBKEY_LEN) == 0;
}

/* A LEFT that only a resync implies (the nucleus restarted and has not
 * heard from the member yet) for a peer whose session is up: held, not
 * the caller's yet (linger.h). Any news of a member ends its hold. */
static bool linger(struct sig_edge *ed, const struct sig_event *ev)
{
	if (ev->type != SIG_EV_LEFT) {
		if (ev->type != SIG_EV_NOT_FOUND && ev->type != SIG_EV_REGISTERED &&
		    ev->type != SIG_EV_LOST)
			sig_linger_cancel(&ed->linger, ev->peer.pubkey);
		return false;
	}
	if (!ev->stale || ed->peer(ed->ctx, ev->peer.pubkey) < SIG_EDGE_PEER_UP ||
	    !sig_linger_hold(&ed->linger, ev->peer.pubkey, ed->now_ms))
		return false;
	ed->stats.left_held++;
	return true;
}

/* A held LEFT whose grace is over, with no news of the member: now. */
static bool pop_linger(struct sig_edge *ed, struct sig_edge_action *a)
{
	uint8_t key[SIG_PUBKEY_LEN];

	if (!sig_linger_due(&ed->linger, ed->now_ms, key))
		return false;
	memset(a, 0, sizeof(*a));
	a->kind = SIG_EDGE_EVENT;
	a->event.type = SIG_EV_LEFT;
	memcpy(a->event.peer.pubkey, key, SIG_PUBKEY_LEN);
	ed->stats.left++;
	return true;
}

/* The client's next event for the caller: 1; 0: none; -1: one that is
 * not the caller's (about us, or a LEFT held) was taken and had its effect. */
static int pop_event(struct sig_edge *ed, struct sig_edge_action *a)
{
	unsigned n_first;

	if (!sig_client_pop_event(ed->client, &a->event))
		return 0;
	if (linger(ed, &a->event))
		return -1;
	/* Before anything acts on them: no punch to a broadcast address. */
	a->n_bad_cand = sig_admit_cands(&a->event.peer);
	ed->stats.refused[SIG_ADMIT_BAD_CANDIDATE] += a->n_bad_cand;
	follow(ed, &a->event);
	if (about_us(ed, &a->event))
		return -1;
	a->kind = SIG_EDGE_EVENT;
	a->n_cand = sig_punch_order(&ed->punch.conf, &a->event.peer, a->cand, &n_first);
	return 1;
}

bool sig_edge_pop(struct sig_edge *ed, struct sig_edge_action *a)
{
	int got;

	a->retry = false;
	do {
		if (pop_retry(ed, a) || pop_copy(ed, a) || pop_punch(ed, a) || pop_park(ed, a) ||
		    pop_reflexive(ed, a) || pop_send(ed, a) || pop_linger(ed, a))
			return true;
	} while ((got = pop_event(ed, a)) < 0);
	return got > 0;
}

int sig_edge_set_secret(struct sig_edge *ed, const char *secret, uint64_t now_ms, char *err,
			size_t errlen)
{
	return sig_client_set_secret(ed->client, secret, sig_edge_wire_ms(ed, now_ms), err, errlen);
}

/* SPDX-License-Identifier: MIT */
/*
 * The edge's signaling client (client.h; protocol in docs/signaling.md).
 *
 * States: REGISTERING (REGISTER sent every retry_ms, doubling up to the
 * heartbeat interval, until a REGISTER_ACK) and REGISTERED (HEARTBEAT every
 * heartbeat_ms; SIG_CLIENT_TRIES unanswered ones, or status UNKNOWN, go
 * back to REGISTERING). At most one REGISTER/HEARTBEAT is outstanding;
 * queries have their own sequence numbers. A reply is accepted only for the
 * seq it answers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "client.h"
#include "codec.h"
#include "ident.h"
#include "replay.h"

enum { REPLAY_CAPACITY = 4096 };

/* A growable FIFO of fixed-size items. */
struct fifo {
	uint8_t *buf;
	size_t item, head, tail, cap; /* in items */
};

static bool fifo_push(struct fifo *f, const void *it)
{
	if (f->head == f->tail)
		f->head = f->tail = 0;
	if (f->tail == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		void *b = realloc(f->buf, cap * f->item);

		if (!b)
			return false;
		f->buf = b;
		f->cap = cap;
	}
	memcpy(f->buf + f->tail++ * f->item, it, f->item);
	return true;
}

static bool fifo_pop(struct fifo *f, void *it)
{
	if (f->head == f->tail)
		return false;
	memcpy(it, f->buf + f->head++ * f->item, f->item);
	return true;
}

struct known {
	struct sig_peer peer; /* first: peerset indexes it */
	bool stale;           /* not seen in the resync under way */
};

struct pending {
	struct net_addr target; /* family NET_AF_NONE: free slot */
	uint32_t seq;           /* 0: not sent yet */
	uint64_t deadline;
	unsigned tries;
};

struct datagram {
	size_t len;
	uint8_t buf[SIG_DATAGRAM_MAX];
};

struct sig_client {
	struct sig_keys keys;
	struct sig_replay *replay;
	struct sig_peer self;
	bool encrypt, registered, resyncing;
	uint32_t heartbeat_ms, retry_ms;
	uint32_t seq;
	uint32_t req_seq;  /* outstanding REGISTER/HEARTBEAT; 0: none */
	uint32_t turn_seq; /* the last TURN_ASK; 0: none */
	uint64_t req_deadline;
	unsigned req_tries;
	uint64_t next_hb;
	uint32_t epoch, cursor;
	uint64_t version;
	struct sig_peerset peers;
	struct pending q[SIG_CLIENT_QUERIES_MAX];
	struct fifo out, events;
	struct sig_client_stats stats;
	/* Identity: our private key, the nucleus's public key (pinned, or
	 * from its last CHALLENGE) and the key both make; the token and epoch
	 * of the last CHALLENGE. */
	bool ident, pinned, have_key;
	uint8_t priv[SIG_PUBKEY_LEN], nucleus_key[SIG_PUBKEY_LEN], id_key[SIG_KEY_LEN];
	uint8_t token[SIG_TOKEN_LEN];
	uint64_t token_until;
	uint32_t nucleus_epoch;
	struct sig_msg msg; /* scratch for sending: large */
	struct sig_msg rx;  /* the message being handled */
};

/* The identity key with the nucleus key k: 0, or -1 for a low-order k. */
static int ident_key(struct sig_client *c, const uint8_t k[SIG_PUBKEY_LEN])
{
	memcpy(c->nucleus_key, k, SIG_PUBKEY_LEN);
	c->have_key = sig_ident_key(c->id_key, c->priv, k, c->self.pubkey, k) == 0;
	return c->have_key ? 0 : -1;
}

static int ident_init(struct sig_client *c, const struct sig_client_conf *conf)
{
	c->ident = true;
	memcpy(c->priv, conf->private_key, SIG_PUBKEY_LEN);
	c->pinned = conf->nucleus_key != NULL;
	return c->pinned ? ident_key(c, conf->nucleus_key) : 0;
}

struct sig_client *sig_client_create(const struct sig_client_conf *conf, char *err, size_t errlen)
{
	struct sig_client *c = calloc(1, sizeof(*c));

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (sig_keys_derive(&c->keys, conf->cluster, conf->secret, err, errlen) < 0)
		goto fail;
	if (!(conf->vip_flags & (SIG_PEER_HAS_VIP4 | SIG_PEER_HAS_VIP6)) || conf->n_local > 2) {
		snprintf(err, errlen, "an edge needs a VIP or VIP6, and at most 2 local addresses");
		goto fail;
	}
	memcpy(c->self.pubkey, conf->pubkey, SIG_PUBKEY_LEN);
	c->self.flags = conf->vip_flags;
	if (conf->vip_flags & SIG_PEER_HAS_VIP4)
		memcpy(c->self.vip4, conf->vip4, 4);
	if (conf->vip_flags & SIG_PEER_HAS_VIP6)
		memcpy(c->self.vip6, conf->vip6, 16);
	for (unsigned i = 0; i < conf->n_local; i++) {
		c->self.cand[c->self.n_cand].ep = conf->local[i];
		c->self.cand[c->self.n_cand++].kind = SIG_KIND_LOCAL;
	}
	if (conf->private_key && ident_init(c, conf) < 0) {
		snprintf(err, errlen, "the nucleus key is not usable (a low-order point)");
		goto fail;
	}
	c->encrypt = conf->encrypt;
	c->heartbeat_ms = conf->heartbeat_ms ? conf->heartbeat_ms : SIG_HEARTBEAT_MS;
	c->retry_ms = conf->retry_ms ? conf->retry_ms : SIG_CLIENT_RETRY_MS;
	c->cursor = SIG_CURSOR_NONE;
	c->out.item = sizeof(struct datagram);
	c->events.item = sizeof(struct sig_event);
	c->replay = sig_replay_create(REPLAY_CAPACITY);
	if (!c->replay ||
	    sig_peerset_init(&c->peers, sizeof(struct known),
			     conf->max_peers ? conf->max_peers : SIG_CLIENT_PEERS_DEFAULT) < 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	return c;
fail:
	sig_client_destroy(c);
	return NULL;
}

void sig_client_destroy(struct sig_client *c)
{
	if (!c)
		return;
	sig_keys_wipe(&c->keys);
	sodium_memzero(c->priv, sizeof(c->priv));
	sodium_memzero(c->id_key, sizeof(c->id_key));
	sig_replay_destroy(c->replay);
	if (c->peers.by[0].slots)
		sig_peerset_fini(&c->peers);
	free(c->out.buf);
	free(c->events.buf);
	free(c);
}

/* ---- output ---- */

static uint32_t next_seq(struct sig_client *c)
{
	if (++c->seq == 0)
		c->seq = 1;
	return c->seq;
}

/* Encodes c->msg (type and body set) with a fresh seq; returns the seq. */
static uint32_t send_msg(struct sig_client *c, uint64_t now)
{
	struct datagram d;

	c->msg.enc = c->encrypt;
	c->msg.named = true; /* an open nucleus learns our cluster from it */
	c->msg.seq = next_seq(c);
	sig_msg_stamp(&c->msg, now);
	/* Before the first CHALLENGE an unpinned edge has no identity key: its
	 * REGISTER carries a zero token, which the nucleus answers with a
	 * CHALLENGE before it looks at the MAC (made under the zero key). */
	c->msg.id = c->ident;
	c->msg.id_epoch = c->nucleus_epoch;
	if (c->msg.type == SIG_REGISTER && now < c->token_until)
		memcpy(c->msg.token, c->token, SIG_TOKEN_LEN);
	d.len = sig_encode_id(&c->keys, &c->msg, c->id_key, d.buf, sizeof(d.buf));
	if (d.len && fifo_push(&c->out, &d))
		c->stats.tx[c->msg.type]++;
	return c->msg.seq;
}

static void event(struct sig_client *c, enum sig_event_type type, const struct sig_peer *p)
{
	struct sig_event ev = { .type = type };

	if (p)
		ev.peer = *p;
	fifo_push(&c->events, &ev);
}

static void send_register(struct sig_client *c, uint64_t now)
{
	unsigned shift = c->req_tries < 4 ? c->req_tries : 4;
	uint64_t wait = (uint64_t)c->retry_ms << shift;

	memset(&c->msg, 0, sizeof(c->msg));
	c->msg.type = SIG_REGISTER;
	c->msg.u.reg = c->self;
	c->req_seq = send_msg(c, now);
	c->req_deadline = now + (wait < c->heartbeat_ms ? wait : c->heartbeat_ms);
	c->req_tries++;
}

static void send_heartbeat(struct sig_client *c, uint64_t now, bool retry)
{
	memset(&c->msg, 0, sizeof(c->msg));
	c->msg.type = SIG_HEARTBEAT;
	memcpy(c->msg.u.hb.pubkey, c->self.pubkey, SIG_PUBKEY_LEN);
	c->msg.u.hb.epoch = c->epoch;
	c->msg.u.hb.version = c->version;
	c->msg.u.hb.cursor = c->cursor;
	c->req_seq = send_msg(c, now);
	c->req_deadline = now + c->retry_ms;
	c->req_tries = retry ? c->req_tries + 1 : 1;
}

void sig_client_leave(struct sig_client *c, uint64_t now)
{
	if (!c->registered)
		return;
	memset(&c->msg, 0, sizeof(c->msg));
	c->msg.type = SIG_LEAVE;
	memcpy(c->msg.u.leave, c->self.pubkey, SIG_PUBKEY_LEN);
	send_msg(c, now);
	c->registered = false;
}

int sig_client_turn_ask(struct sig_client *c, const struct net_endpoint *relayed, uint64_t now_ms)
{
	if (!c->registered)
		return -EAGAIN;
	memset(&c->msg, 0, sizeof(c->msg));
	c->msg.type = SIG_TURN_ASK;
	memcpy(c->msg.u.relay.pubkey, c->self.pubkey, SIG_PUBKEY_LEN);
	if (relayed && relayed->addr.family != NET_AF_NONE) {
		c->msg.u.relay.relayed.ep = *relayed;
		c->msg.u.relay.relayed.kind = SIG_KIND_RELAYED;
	}
	c->turn_seq = send_msg(c, now_ms);
	return 0;
}

static void send_query(struct sig_client *c, struct pending *q, uint64_t now)
{
	memset(&c->msg, 0, sizeof(c->msg));
	c->msg.type = SIG_QUERY_PEER;
	memcpy(c->msg.u.query.pubkey, c->self.pubkey, SIG_PUBKEY_LEN);
	c->msg.u.query.target = q->target;
	q->seq = send_msg(c, now);
	q->deadline = now + c->retry_ms;
	q->tries++;
}

/* Queries asked before we were registered go out now. */
static void send_waiting_queries(struct sig_client *c, uint64_t now)
{
	for (unsigned k = 0; k < SIG_CLIENT_QUERIES_MAX; k++)
		if (net_addr_is_set(&c->q[k].target) && !c->q[k].seq)
			send_query(c, &c->q[k], now);
}

static void go_registering(struct sig_client *c, uint64_t now)
{
	c->registered = false;
	c->resyncing = false;
	c->cursor = SIG_CURSOR_NONE;
	c->req_tries = 0;
	send_register(c, now);
}

int sig_client_set_secret(struct sig_client *c, const char *secret, uint64_t now_ms, char *err,
			  size_t errlen)
{
	struct sig_keys k;

	if (sig_keys_derive(&k, c->keys.name, secret, err, errlen) < 0)
		return -EINVAL;
	if (sodium_memcmp(k.mac_key, c->keys.mac_key, SIG_KEY_LEN) == 0) {
		sig_keys_wipe(&k);
		return 0;
	}
	sig_keys_wipe(&c->keys);
	c->keys = k;
	sig_keys_wipe(&k);
	go_registering(c, now_ms);
	return 1;
}

/* ---- peers ---- */

static struct known *known_at(struct sig_client *c, uint32_t i)
{
	return sig_peerset_rec(&c->peers, i);
}

/* stale: not listed by a resync (event.stale), rather than said LEFT. */
static void forget(struct sig_client *c, uint32_t i, bool stale)
{
	struct sig_event ev = { .type = SIG_EV_LEFT, .peer = known_at(c, i)->peer, .stale = stale };

	fifo_push(&c->events, &ev);
	sig_peerset_del(&c->peers, i);
}

/* Removes whoever else holds p's VIPs: the nucleus gave them to p. */
static void drop_vip_holders(struct sig_client *c, const struct sig_peer *p)
{
	uint32_t j;

	if (p->flags & SIG_PEER_HAS_VIP4) {
		j = sig_peerset_find(&c->peers, SIG_BY_VIP4, p->vip4);
		if (j != SIG_NONE && memcmp(known_at(c, j)->peer.pubkey, p->pubkey, SIG_PUBKEY_LEN))
			forget(c, j, false);
	}
	if (p->flags & SIG_PEER_HAS_VIP6) {
		j = sig_peerset_find(&c->peers, SIG_BY_VIP6, p->vip6);
		if (j != SIG_NONE && memcmp(known_at(c, j)->peer.pubkey, p->pubkey, SIG_PUBKEY_LEN))
			forget(c, j, false);
	}
}

/* Learns p; the event for a new or changed peer is `type` (0: none). */
static void learn(struct sig_client *c, const struct sig_peer *p, enum sig_event_type type)
{
	uint32_t i;

	if (memcmp(p->pubkey, c->self.pubkey, SIG_PUBKEY_LEN) == 0)
		return;
	drop_vip_holders(c, p);
	i = sig_peerset_find(&c->peers, SIG_BY_PUBKEY, p->pubkey);
	if (i == SIG_NONE) {
		if (sig_peerset_add(&c->peers, p) == SIG_NONE)
			return;
		if (type)
			event(c, type, p);
		return;
	}
	known_at(c, i)->stale = false;
	if (!sig_peer_equal(&known_at(c, i)->peer, p)) {
		sig_peerset_update(&c->peers, i, p);
		if (type)
			event(c, SIG_EV_MOVED, p);
	}
}

static void resync_mark(struct sig_client *c, bool start)
{
	for (uint32_t i = sig_peerset_next(&c->peers, 0); i != SIG_NONE;
	     i = sig_peerset_next(&c->peers, i + 1)) {
		if (start)
			known_at(c, i)->stale = true;
		else if (known_at(c, i)->stale)
			forget(c, i, true);
	}
	c->resyncing = start;
}

/* ---- input ---- */

static void apply_ack(struct sig_client *c, const struct sig_ack *a, uint64_t now)
{
	if (a->status == SIG_ACK_RESYNC && (!c->resyncing || a->epoch != c->epoch))
		resync_mark(c, true);
	c->epoch = a->epoch;
	for (unsigned k = 0; k < a->n_entries; k++) {
		const struct sig_entry *e = &a->entries[k];
		uint32_t i;

		if (e->change != SIG_LEFT) {
			learn(c, &e->peer, e->change == SIG_JOINED ? SIG_EV_JOINED : SIG_EV_MOVED);
			continue;
		}
		i = sig_peerset_find(&c->peers, SIG_BY_PUBKEY, e->peer.pubkey);
		if (i != SIG_NONE)
			forget(c, i, false);
	}
	c->version = a->version;
	c->req_seq = 0;
	if (a->status == SIG_ACK_RESYNC)
		c->cursor = a->more ? a->cursor : SIG_CURSOR_NONE;
	if (a->status == SIG_ACK_RESYNC && !a->more)
		resync_mark(c, false);
	if (a->more)
		send_heartbeat(c, now, false); /* the next page at once */
	else
		c->next_hb = now + c->heartbeat_ms;
}

static struct pending *query_by_seq(struct sig_client *c, uint32_t seq)
{
	for (unsigned k = 0; k < SIG_CLIENT_QUERIES_MAX; k++)
		if (net_addr_is_set(&c->q[k].target) && c->q[k].seq == seq)
			return &c->q[k];
	return NULL;
}

static void on_answer(struct sig_client *c, const struct sig_msg *m, struct pending *q)
{
	struct sig_event ev = { .type = m->type == SIG_PEER_INFO ? SIG_EV_FOUND : SIG_EV_NOT_FOUND,
				.target = q->target };

	if (m->type == SIG_PEER_INFO) {
		learn(c, &m->u.info.peer, 0);
		ev.peer = m->u.info.peer;
	}
	memset(q, 0, sizeof(*q));
	fifo_push(&c->events, &ev);
}

/* The nucleus asks for its token back (our REGISTER had none, or our
 * HEARTBEAT came from a new address): register at once with it. */
static enum sig_drop on_challenge(struct sig_client *c, const struct sig_challenge *ch,
				  uint64_t now)
{
	if (c->pinned && sodium_memcmp(ch->nucleus_key, c->nucleus_key, SIG_PUBKEY_LEN) != 0)
		return SIG_DROP_BAD_IDENTITY; /* not the nucleus we were told to trust */
	if ((!c->have_key || memcmp(ch->nucleus_key, c->nucleus_key, SIG_PUBKEY_LEN) != 0) &&
	    ident_key(c, ch->nucleus_key) < 0)
		return SIG_DROP_BAD_IDENTITY;
	memcpy(c->token, ch->token, SIG_TOKEN_LEN);
	c->token_until = now + SIG_TOKEN_MS;
	c->nucleus_epoch = ch->epoch;
	go_registering(c, now);
	return SIG_OK;
}

/* TURN_CRED answers our last TURN_ASK only; RELAY_INFO comes beside a
 * PUNCH, to a registered edge. */
static enum sig_drop on_relay(struct sig_client *c, const struct sig_msg *m)
{
	struct sig_event ev = { .type = SIG_EV_TURN_CRED };

	if (m->type == SIG_TURN_CRED) {
		if (!c->turn_seq || m->seq != c->turn_seq)
			return SIG_DROP_UNEXPECTED;
		c->turn_seq = 0;
		ev.cred = m->u.cred;
	} else {
		if (!c->registered)
			return SIG_DROP_UNEXPECTED;
		ev.type = SIG_EV_RELAY_INFO;
		ev.relay = m->u.relay;
	}
	fifo_push(&c->events, &ev);
	sodium_memzero(&ev.cred, sizeof(ev.cred));
	return SIG_OK;
}

/* The drop reason, or SIG_OK once m is handled. */
static enum sig_drop handle(struct sig_client *c, const struct sig_msg *m, uint64_t now)
{
	struct pending *q;

	switch (m->type) {
	case SIG_CHALLENGE:
		if (!c->ident || !c->req_seq || m->seq != c->req_seq)
			return SIG_DROP_UNEXPECTED;
		return on_challenge(c, &m->u.challenge, now);
	case SIG_REGISTER_ACK:
		if (c->registered || m->seq != c->req_seq)
			return SIG_DROP_UNEXPECTED;
		c->registered = true;
		c->resyncing = false;
		{
			struct sig_event ev = { .type = SIG_EV_REGISTERED,
						.observed = m->u.ack.observed.ep,
						.cluster_l2 = m->u.ack.flags & SIG_ACK_L2 };
			fifo_push(&c->events, &ev);
		}
		apply_ack(c, &m->u.ack, now);
		send_waiting_queries(c, now);
		return SIG_OK;
	case SIG_HEARTBEAT_ACK:
		if (!c->registered || m->seq != c->req_seq)
			return SIG_DROP_UNEXPECTED;
		if (m->u.ack.status == SIG_ACK_UNKNOWN)
			go_registering(c, now);
		else
			apply_ack(c, &m->u.ack, now);
		return SIG_OK;
	case SIG_PEER_INFO:
	case SIG_NOT_FOUND:
		q = m->seq ? query_by_seq(c, m->seq) : NULL;
		if (!q)
			return SIG_DROP_UNEXPECTED;
		on_answer(c, m, q);
		return SIG_OK;
	case SIG_PUNCH:
		if (!c->registered)
			return SIG_DROP_UNEXPECTED;
		learn(c, &m->u.reg, 0);
		event(c, SIG_EV_PUNCH, &m->u.reg);
		return SIG_OK;
	case SIG_TURN_CRED:
	case SIG_RELAY_INFO:
		return on_relay(c, m);
	default:
		return SIG_DROP_WRONG_DIRECTION;
	}
}

void sig_client_input(struct sig_client *c, const uint8_t *p, size_t len, uint64_t now_ms)
{
	struct sig_msg *m = &c->rx;
	enum sig_drop d = sig_peek(p, len, m);

	if (d == SIG_OK && sig_type_to_nucleus(m->type))
		d = SIG_DROP_WRONG_DIRECTION;
	if (d == SIG_OK && m->enc != c->encrypt)
		d = SIG_DROP_WRONG_MODE;
	if (d == SIG_OK)
		d = sig_decode(&c->keys, p, len, m);
	if (d == SIG_OK)
		d = sig_replay_check(c->replay, m->nonce, m->ts_ms, now_ms);
	if (d == SIG_OK && c->ident && m->type != SIG_CHALLENGE)
		d = !m->id                                               ? SIG_DROP_NO_IDENTITY :
		    !c->have_key || !sig_ident_verify(c->id_key, p, len) ? SIG_DROP_BAD_IDENTITY :
									   SIG_OK;
	if (d == SIG_OK) {
		c->stats.rx[m->type]++;
		d = handle(c, m, now_ms);
	}
	if (d != SIG_OK)
		c->stats.drops[d]++;
}

/* ---- timers and requests ---- */

void sig_client_tick(struct sig_client *c, uint64_t now_ms)
{
	if (!c->registered) {
		if (!c->req_seq || now_ms >= c->req_deadline)
			send_register(c, now_ms);
	} else if (c->req_seq && now_ms >= c->req_deadline) {
		if (c->req_tries < SIG_CLIENT_TRIES) {
			send_heartbeat(c, now_ms, true);
		} else {
			event(c, SIG_EV_LOST, NULL);
			go_registering(c, now_ms);
		}
	} else if (!c->req_seq && now_ms >= c->next_hb) {
		send_heartbeat(c, now_ms, false);
	}
	for (unsigned k = 0; c->registered && k < SIG_CLIENT_QUERIES_MAX; k++) {
		struct pending *q = &c->q[k];

		if (!net_addr_is_set(&q->target) || (q->seq && now_ms < q->deadline))
			continue;
		if (q->tries < SIG_CLIENT_TRIES) {
			send_query(c, q, now_ms);
		} else {
			struct sig_event ev = { .type = SIG_EV_NOT_FOUND,
						.target = q->target,
						.timeout = true };

			memset(q, 0, sizeof(*q));
			fifo_push(&c->events, &ev);
		}
	}
}

uint64_t sig_client_next_tick(const struct sig_client *c)
{
	uint64_t t = c->req_seq || !c->registered ? c->req_deadline : c->next_hb;

	for (unsigned k = 0; k < SIG_CLIENT_QUERIES_MAX; k++)
		if (net_addr_is_set(&c->q[k].target) && c->q[k].seq && c->q[k].deadline < t)
			t = c->q[k].deadline; /* unsent ones go out at registration */
	return t;
}

int sig_client_query(struct sig_client *c, const struct net_addr *target, uint64_t now_ms)
{
	struct pending *free_q = NULL;

	if (!net_addr_is_set(target))
		return -EINVAL;
	for (unsigned k = 0; k < SIG_CLIENT_QUERIES_MAX; k++) {
		struct pending *q = &c->q[k];

		if (!net_addr_is_set(&q->target)) {
			if (!free_q)
				free_q = q;
		} else if (net_addr_equal(&q->target, target)) {
			return -EALREADY;
		}
	}
	if (!free_q)
		return -ENOSPC;
	memset(free_q, 0, sizeof(*free_q));
	net_addr_set(&free_q->target, target->family, target->b);
	if (c->registered)
		send_query(c, free_q, now_ms);
	return 0;
}

void sig_client_set_reflexive(struct sig_client *c, const struct net_endpoint *a, uint64_t now_ms)
{
	struct sig_peer self = c->self;
	unsigned n = 0;

	for (unsigned k = 0; k < self.n_cand; k++)
		if (self.cand[k].kind != SIG_KIND_STUN)
			c->self.cand[n++] = self.cand[k];
	memset(&c->self.cand[n], 0, sizeof(c->self.cand[0]) * (SIG_CAND_MAX - n));
	if (net_addr_is_set(&a->addr) && n < SIG_CAND_EDGE_MAX) {
		c->self.cand[n].ep = *a;
		c->self.cand[n++].kind = SIG_KIND_STUN;
	}
	c->self.n_cand = (uint8_t)n;
	if (!sig_peer_equal(&self, &c->self) && c->registered)
		go_registering(c, now_ms);
}

size_t sig_client_pop_datagram(struct sig_client *c, uint8_t *buf, size_t cap)
{
	struct datagram d;

	if (c->out.head == c->out.tail)
		return 0;
	memcpy(&d.len, c->out.buf + c->out.head * c->out.item, sizeof(d.len));
	if (d.len > cap)
		return 0;
	fifo_pop(&c->out, &d);
	memcpy(buf, d.buf, d.len);
	return d.len;
}

bool sig_client_pop_event(struct sig_client *c, struct sig_event *ev)
{
	return fifo_pop(&c->events, ev);
}

const struct sig_peer *sig_client_lookup(const struct sig_client *c, enum sig_peerset_key by,
					 const uint8_t *key)
{
	uint32_t i = sig_peerset_find(&c->peers, by, key);

	return i == SIG_NONE ? NULL : sig_peerset_rec(&c->peers, i);
}

uint32_t sig_client_n_peers(const struct sig_client *c)
{
	return c->peers.count;
}

bool sig_client_registered(const struct sig_client *c)
{
	return c->registered;
}

const struct sig_client_stats *sig_client_stats(const struct sig_client *c)
{
	return &c->stats;
}

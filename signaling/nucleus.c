/* SPDX-License-Identifier: MIT */
/*
 * The nucleus core: clusters and the receive path. Checks, cheapest first:
 * header (sig_peek), direction, the cluster id, then HMAC (constant time),
 * decryption and body (sig_decode), then the per-source rate limit, then
 * freshness and the cluster's own nonce cache. Nothing keeps state for a
 * source before its HMAC verified, so a flood from spoofed sources without
 * the secret costs an HMAC each and fills no table; the rate limiter
 * evicts its least recently used slot when full, so even a key holder
 * spoofing many sources cannot lock others out of it. A drop is counted
 * by reason and never answered.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "admit.h"
#include "nucleus_int.h"
#include "wg/ratelimiter.h"

int sig_cluster_init(struct cluster *c, const struct nucleus_cluster_conf *cc, uint32_t max,
		     unsigned replay, char *err, size_t errlen)
{
	if (sig_keys_derive(&c->keys, cc->name, cc->secret, err, errlen) < 0)
		return -EINVAL;
	snprintf(c->name, sizeof(c->name), "%s", cc->name);
	c->l2 = cc->l2;
	memcpy(c->token_id, c->keys.cluster_id, SIG_CLUSTER_ID_LEN);
	c->lru_head = c->lru_tail = SIG_NONE;
	c->log = calloc(SIG_LOG_MAX, sizeof(*c->log));
	c->replay = sig_replay_create(replay);
	if (!c->log || !c->replay ||
	    sig_peerset_init(&c->members, sizeof(struct member), max) < 0 ||
	    sig_cluster_set_admit(c, cc->admit_list, cc->members, cc->n_members) < 0) {
		snprintf(err, errlen, "cluster \"%s\": out of memory", cc->name);
		return -ENOMEM;
	}
	return 0;
}

void sig_cluster_fini(struct cluster *c)
{
	sig_keys_wipe(&c->keys);
	sig_keys_wipe(&c->prev);
	sig_peerset_fini(&c->members);
	free(c->admit);
	free(c->log);
	sig_replay_destroy(c->replay);
}

/* Each cluster's nonce cache: an equal share of the total, at least
 * SIG_NUCLEUS_REPLAY_MIN. */
static unsigned replay_share(const struct sig_nucleus_conf *conf)
{
	unsigned total = conf->replay_capacity ? conf->replay_capacity : SIG_NUCLEUS_REPLAY_DEFAULT;
	unsigned share = total / (unsigned)conf->n_clusters;

	return share > SIG_NUCLEUS_REPLAY_MIN ? share : SIG_NUCLEUS_REPLAY_MIN;
}

/* Whole-list rules: no two clusters with the same name or id. */
static int check_clusters(const struct sig_nucleus *n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n->n_clusters; i++)
		for (size_t j = 0; j < i; j++) {
			if (strcmp(n->clusters[i].name, n->clusters[j].name) == 0) {
				snprintf(err, errlen, "cluster \"%s\" is listed twice",
					 n->clusters[i].name);
				return -EINVAL;
			}
			if (memcmp(n->clusters[i].keys.cluster_id, n->clusters[j].keys.cluster_id,
				   SIG_CLUSTER_ID_LEN) == 0) {
				snprintf(err, errlen, "clusters \"%s\" and \"%s\" have the same id",
					 n->clusters[i].name, n->clusters[j].name);
				return -EINVAL;
			}
		}
	return 0;
}

struct sig_nucleus *sig_nucleus_create(const struct sig_nucleus_conf *conf, char *err,
				       size_t errlen)
{
	uint32_t max = conf->max_members ? conf->max_members : SIG_NUCLEUS_MEMBERS_DEFAULT;
	struct sig_nucleus *n;

	if ((conf->n_clusters == 0 && !conf->open_secret) ||
	    conf->n_clusters > SIG_NUCLEUS_CLUSTERS_MAX ||
	    (conf->n_clusters && conf->open_secret)) {
		snprintf(err, errlen,
			 "a nucleus serves 1 to %d listed clusters, or any name with one secret "
			 "(got %zu listed%s)",
			 SIG_NUCLEUS_CLUSTERS_MAX, conf->n_clusters,
			 conf->open_secret ? " and an open secret" : "");
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		goto nomem;
	n->max_members = max;
	if (sig_nucleus_open_init(n, conf, err, errlen) < 0 ||
	    sig_nucleus_turn_init(n, conf, err, errlen) < 0)
		goto fail;
	n->max_clusters = conf->open_secret ? n->max_clusters : conf->n_clusters;
	if (!(n->clusters = calloc(n->max_clusters, sizeof(*n->clusters))))
		goto nomem;
	for (; n->n_clusters < conf->n_clusters; n->n_clusters++)
		if (sig_cluster_init(&n->clusters[n->n_clusters], &conf->clusters[n->n_clusters],
				     max, replay_share(conf), err, errlen) < 0) {
			n->n_clusters++;
			goto fail;
		}
	if (check_clusters(n, err, errlen) < 0)
		goto fail;
	n->rl = wg_ratelimiter_create(conf->sources ? conf->sources : SIG_NUCLEUS_SOURCES_DEFAULT,
				      conf->rate ? conf->rate : SIG_NUCLEUS_RATE_DEFAULT,
				      conf->burst ? conf->burst : SIG_NUCLEUS_BURST_DEFAULT);
	if (!n->rl)
		goto nomem;
	wg_ratelimiter_evict_when_full(n->rl);
	n->expiry_ms = conf->expiry_ms ? conf->expiry_ms : SIG_EXPIRY_MS;
	n->log = conf->log;
	n->log_ctx = conf->log_ctx;
	do
		randombytes_buf(&n->epoch, sizeof(n->epoch));
	while (n->epoch == 0);
	if (sig_nucleus_ident_init(n, conf) < 0) {
		snprintf(err, errlen, "the nucleus private key is not usable");
		goto fail;
	}
	return n;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	sig_nucleus_destroy(n);
	return NULL;
}

void sig_nucleus_destroy(struct sig_nucleus *n)
{
	if (!n)
		return;
	for (size_t i = 0; n->clusters && i < n->n_clusters; i++)
		sig_cluster_fini(&n->clusters[i]);
	free(n->clusters);
	sig_nucleus_open_fini(n);
	sig_nucleus_turn_fini(n);
	if (n->rl)
		wg_ratelimiter_destroy(n->rl);
	sodium_memzero(n, sizeof(*n));
	free(n);
}

/* The cluster of id: its current secret's, or in a rotation's window its
 * previous one's (rx_prev). */
static struct cluster *cluster_by_id(struct sig_nucleus *n, const uint8_t *id, uint64_t now)
{
	n->rx_prev = false;
	/* Linear: a nucleus serves tens of clusters; ids are public. */
	for (size_t i = 0; i < n->n_clusters; i++) {
		struct cluster *c = &n->clusters[i];

		if (memcmp(c->keys.cluster_id, id, SIG_CLUSTER_ID_LEN) == 0)
			return c;
		n->rx_prev = now < c->prev_until &&
			     memcmp(c->prev.cluster_id, id, SIG_CLUSTER_ID_LEN) == 0;
		if (n->rx_prev)
			return c;
	}
	return NULL;
}

/* The keys to seal for a member: the previous secret's while it uses them
 * and the window lasts. */
static const struct sig_keys *keys_for(const struct cluster *c, bool prev, uint64_t now)
{
	return prev && now < c->prev_until ? &c->prev : &c->keys;
}

int sig_nucleus_set_secret(struct sig_nucleus *n, size_t i, const char *secret, uint32_t window_ms,
			   uint64_t now_ms, char *err, size_t errlen)
{
	struct cluster *c = &n->clusters[i];
	struct sig_keys k;

	if (sig_keys_derive(&k, c->name, secret, err, errlen) < 0)
		return -EINVAL;
	if (sodium_memcmp(k.mac_key, c->keys.mac_key, SIG_KEY_LEN) == 0) {
		sig_keys_wipe(&k);
		return 0;
	}
	sig_keys_wipe(&c->prev);
	c->prev = c->keys;
	c->prev_until = window_ms ? now_ms + window_ms : 0;
	c->keys = k;
	sig_keys_wipe(&k);
	return 1;
}

/* Encodes a reply or notice into out, signed with id_key when given (the
 * addressee's identity key); returns 1, or 0 if it did not encode. */
static unsigned emit_id(struct sig_nucleus *n, struct cluster *c, struct sig_msg *m,
			const struct net_endpoint *to, const uint8_t *id_key, bool prev,
			uint64_t now, struct sig_out *out)
{
	sig_msg_stamp(m, now);
	m->id = id_key != NULL;
	m->id_epoch = n->epoch;
	memset(m->token, 0, sizeof(m->token));
	out->to = *to;
	out->len = sig_encode_id(keys_for(c, prev, now), m, id_key, out->buf, sizeof(out->buf));
	if (!out->len)
		return 0;
	if (n->reply_max && out->len > n->reply_max && net_endpoint_equal(to, n->reply_to)) {
		SIG_COUNT(n->stats.drops[SIG_DROP_UNVERIFIED]);
		return 0; /* larger than its request, to an address not verified */
	}
	SIG_COUNT(n->stats.tx[m->type]);
	return 1;
}

/* A reply to the message in hand: signed when it proved its key, under
 * the secret it came under. */
static unsigned emit(struct sig_nucleus *n, struct cluster *c, struct sig_msg *m,
		     const struct net_endpoint *to, uint64_t now, struct sig_out *out)
{
	return emit_id(n, c, m, to, n->signed_reply ? n->id_key : NULL, n->rx_prev, now, out);
}

/* CHALLENGE: our key, epoch and a token for this key at this address.
 * Unsigned (the key may be unknown): an edge that pins the nucleus key
 * checks the key; the token is worth something only from that address. */
static unsigned on_challenge(struct sig_nucleus *n, struct cluster *c, const struct sig_msg *m,
			     const struct net_endpoint *from, uint64_t now, struct sig_out *out)
{
	struct sig_msg *r = &n->tx;

	memset(r, 0, sizeof(*r));
	r->type = SIG_CHALLENGE;
	r->enc = m->enc;
	r->seq = m->seq;
	memcpy(r->u.challenge.nucleus_key, n->pub, SIG_PUBKEY_LEN);
	r->u.challenge.epoch = n->epoch;
	sig_nucleus_token(n, c, sig_msg_key(m), from, now, r->u.challenge.token);
	return emit_id(n, c, r, from, NULL, n->rx_prev, now, out);
}

static void ack_header(struct sig_nucleus *n, struct sig_msg *r, const struct sig_msg *req,
		       uint8_t type, const struct net_endpoint *from)
{
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->enc = req->enc;
	r->seq = req->seq;
	r->u.ack.epoch = n->epoch;
	r->u.ack.observed.ep = *from;
	r->u.ack.observed.kind = SIG_KIND_OBSERVED;
}

/* A member is refused a VIP that another live member holds: the drop
 * counter, and what was refused to the caller's hook for its log (which
 * rates its lines, app/nucleus_refusal.c; members can send many). */
static void refuse_vip(struct sig_nucleus *n, const struct cluster *c, const struct sig_peer *p,
		       const struct sig_peer *holder)
{
	char line[SIG_NUCLEUS_DETAIL_MAX], key[2 * SIG_PUBKEY_LEN + 1],
		other[2 * SIG_PUBKEY_LEN + 1];
	char vips[SIG_VIPS_TEXT_MAX];

	SIG_COUNT(n->stats.drops[SIG_DROP_VIP_TAKEN]);
	if (!n->log)
		return;
	sodium_bin2hex(key, sizeof(key), p->pubkey, SIG_PUBKEY_LEN);
	sodium_bin2hex(other, sizeof(other), holder->pubkey, SIG_PUBKEY_LEN);
	sig_vips_format(p, vips);
	snprintf(line, sizeof(line), "cluster %s: key %.16s... %s is held by live member %.16s...",
		 c->name, key, vips, other);
	n->log(n->log_ctx, line);
}

static unsigned on_register(struct sig_nucleus *n, struct cluster *c, const struct sig_msg *m,
			    const struct net_endpoint *from, uint64_t now, struct sig_out *out)
{
	const struct sig_peer *holder = sig_member_vip_taken(c, &m->u.reg, now, n->expiry_ms);
	struct sig_msg *r = &n->tx;
	uint32_t i;

	if (!sig_cluster_admits(c, m->u.reg.pubkey)) {
		SIG_COUNT(n->stats.drops[SIG_DROP_NOT_ADMITTED]);
		return 0;
	}
	if (holder) {
		refuse_vip(n, c, &m->u.reg, holder);
		return 0;
	}
	i = sig_member_register(c, &m->u.reg, from, m->enc, now);
	if (i == SIG_NONE) {
		SIG_COUNT(n->stats.drops[SIG_DROP_CLUSTER_FULL]);
		return 0;
	}
	member_at(c, i)->proven = n->signed_reply;
	member_at(c, i)->prev = n->rx_prev;
	memcpy(member_at(c, i)->id_key, n->id_key, SIG_KEY_LEN);
	ack_header(n, r, m, SIG_REGISTER_ACK, from);
	r->u.ack.version = c->version;
	sig_page_resync(c, &r->u.ack, 0, i);
	return emit(n, c, r, from, now, out);
}

static unsigned on_heartbeat(struct sig_nucleus *n, struct cluster *c, const struct sig_msg *m,
			     const struct net_endpoint *from, uint64_t now, struct sig_out *out)
{
	const struct sig_heartbeat *hb = &m->u.hb;
	uint32_t i = sig_peerset_find(&c->members, SIG_BY_PUBKEY, hb->pubkey);
	struct sig_msg *r = &n->tx;
	struct sig_ack *a = &r->u.ack;

	ack_header(n, r, m, SIG_HEARTBEAT_ACK, from);
	if (i == SIG_NONE || n->act == SIG_ID_UNKNOWN) {
		a->status = SIG_ACK_UNKNOWN;
		return emit(n, c, r, from, now, out);
	}
	sig_member_touch(c, i, from, m->enc, now);
	member_at(c, i)->prev = n->rx_prev;
	if (hb->epoch == n->epoch && hb->cursor != SIG_CURSOR_NONE) {
		a->version = hb->version; /* a resync in progress goes on */
		sig_page_resync(c, a, hb->cursor, i);
	} else if (hb->epoch != n->epoch || !sig_page_delta(c, a, hb->version, i)) {
		a->version = c->version;
		sig_page_resync(c, a, 0, i);
	}
	return emit(n, c, r, from, now, out);
}

/* A member says goodbye; only from where it is registered (a member of
 * the same cluster elsewhere cannot evict it). No answer. */
static unsigned on_leave(struct sig_nucleus *n, struct cluster *c, const struct sig_msg *m,
			 const struct net_endpoint *from)
{
	uint32_t i = sig_peerset_find(&c->members, SIG_BY_PUBKEY, m->u.leave);

	if (i == SIG_NONE || !net_endpoint_equal(&member_at(c, i)->peer.cand[0].ep, from)) {
		SIG_COUNT(n->stats.drops[SIG_DROP_NOT_MEMBER]);
		return 0;
	}
	sig_member_remove(c, i);
	return 0;
}

static unsigned relay_info(struct sig_nucleus *n, struct cluster *c, const struct member *to,
			   const struct member *about, bool enc, uint64_t now, struct sig_out *out);

static uint32_t find_target(struct cluster *c, const struct net_addr *t)
{
	return sig_peerset_find(&c->members, t->family == NET_AF_IP4 ? SIG_BY_VIP4 : SIG_BY_VIP6,
				t->b);
}

static unsigned on_query(struct sig_nucleus *n, struct cluster *c, const struct sig_msg *m,
			 const struct net_endpoint *from, uint64_t now, struct sig_out *out)
{
	uint32_t asker = sig_peerset_find(&c->members, SIG_BY_PUBKEY, m->u.query.pubkey);
	uint32_t t = find_target(c, &m->u.query.target);
	struct sig_msg *r = &n->tx;
	struct member *ma, *mt;
	unsigned k = 0;

	if (asker == SIG_NONE) {
		SIG_COUNT(n->stats.drops[SIG_DROP_NOT_MEMBER]);
		return 0;
	}
	memset(r, 0, sizeof(*r));
	r->enc = m->enc;
	r->seq = m->seq;
	if (t == SIG_NONE || t == asker) {
		r->type = SIG_NOT_FOUND;
		r->u.target = m->u.query.target;
		return emit(n, c, r, from, now, out);
	}
	ma = member_at(c, asker);
	mt = member_at(c, t);
	r->type = SIG_PEER_INFO;
	r->u.info.target = m->u.query.target;
	r->u.info.peer = mt->peer;
	k += emit(n, c, r, from, now, &out[k]);
	/* Both sides punch at once: each learns the other's candidates. */
	r->type = SIG_PUNCH;
	r->seq = 0;
	r->u.reg = mt->peer;
	k += emit(n, c, r, from, now, &out[k]);
	r->enc = mt->enc;
	r->u.reg = ma->peer;
	k += emit_id(n, c, r, &mt->peer.cand[0].ep, mt->proven ? mt->id_key : NULL, mt->prev, now,
		     &out[k]);
	k += relay_info(n, c, mt, ma, m->enc, now, &out[k]);
	k += relay_info(n, c, ma, mt, mt->enc, now, &out[k]);
	return k;
}

/* Beside a PUNCH: `to` hears of `about`'s relayed address, when `to`
 * knows the message (it asked for credentials) and `about` has one. */
static unsigned relay_info(struct sig_nucleus *n, struct cluster *c, const struct member *to,
			   const struct member *about, bool enc, uint64_t now, struct sig_out *out)
{
	struct sig_msg *r = &n->tx;

	if (!to->relay_aware || about->relayed.ep.addr.family == NET_AF_NONE)
		return 0;
	memset(r, 0, sizeof(*r));
	r->type = SIG_RELAY_INFO;
	r->enc = enc;
	memcpy(r->u.relay.pubkey, about->peer.pubkey, SIG_PUBKEY_LEN);
	r->u.relay.relayed = about->relayed;
	/* Signed for its addressee, not for the member whose message is in
	 * hand. */
	return emit_id(n, c, r, &to->peer.cand[0].ep, to->proven ? to->id_key : NULL, to->prev, now,
		       out);
}

/* A member asks for TURN credentials and says its relayed address. Only
 * from where it is registered: the answer is larger than the ask, and the
 * relayed address is what other members will send to. */
static unsigned on_turn_ask(struct sig_nucleus *n, struct cluster *c, const struct sig_msg *m,
			    const struct net_endpoint *from, uint64_t now, struct sig_out *out)
{
	uint32_t i = sig_peerset_find(&c->members, SIG_BY_PUBKEY, m->u.relay.pubkey);
	struct sig_msg *r = &n->tx;
	struct member *mb;

	if (i == SIG_NONE) {
		SIG_COUNT(n->stats.drops[SIG_DROP_NOT_MEMBER]);
		return 0;
	}
	mb = member_at(c, i);
	if (!net_endpoint_equal(&mb->peer.cand[0].ep, from)) {
		SIG_COUNT(n->stats.drops[SIG_DROP_UNVERIFIED]);
		return 0;
	}
	mb->relay_aware = true;
	mb->relayed = m->u.relay.relayed;
	memset(r, 0, sizeof(*r));
	r->type = SIG_TURN_CRED;
	r->enc = m->enc;
	r->seq = m->seq;
	sig_nucleus_turn_cred(n, mb->peer.pubkey, now, &r->u.cred);
	return emit(n, c, r, from, now, out);
}

/*
 * Has this source's address been seen to be the member's? A REGISTER
 * never: it is first contact, or a move. Other messages: when they come
 * from where their key's member was last heard (docs/signaling.md,
 * "Answers no larger than the request").
 */
static bool source_known(struct cluster *c, const struct sig_msg *m,
			 const struct net_endpoint *from)
{
	uint32_t i = m->type == SIG_REGISTER ?
			     SIG_NONE :
			     sig_peerset_find(&c->members, SIG_BY_PUBKEY, sig_msg_key(m));

	return i != SIG_NONE && net_endpoint_equal(&member_at(c, i)->peer.cand[0].ep, from);
}

/* Bounds the answer to an unverified source by the request's length. */
static void bound_reply(struct sig_nucleus *n, struct cluster *c, const struct sig_msg *m,
			const struct net_endpoint *from, size_t len)
{
	size_t overhead = SIG_HEADER_LEN + SIG_MAC_LEN + (m->enc ? SIG_TAG_LEN : 0) +
			  (n->signed_reply ? SIG_ID_TRAILER_LEN : 0);

	n->reply_to = from;
	n->reply_max = source_known(c, m, from) ? 0 : len;
	c->page_max = n->reply_max ? len - overhead : SIG_BODY_MAX;
}

unsigned sig_nucleus_input(struct sig_nucleus *n, const struct net_endpoint *from, const uint8_t *p,
			   size_t len, uint64_t now_ms, struct sig_out out[SIG_NUCLEUS_OUT_MAX])
{
	enum sig_ident_act act = SIG_ID_GO;
	struct sig_msg *m = &n->rx;
	struct cluster *c;
	enum sig_drop d = sig_peek(p, len, m);

	if (d == SIG_OK && !sig_type_to_nucleus(m->type))
		d = SIG_DROP_WRONG_DIRECTION;
	c = d == SIG_OK ? cluster_by_id(n, m->cluster_id, now_ms) : NULL;
	if (d == SIG_OK && !c)
		d = sig_nucleus_open(n, p, len, m, now_ms, &c); /* unknown_cluster unless open */
	if (d == SIG_OK)
		d = sig_decode(keys_for(c, n->rx_prev, now_ms), p, len, m);
	/* Per-source state only for messages that proved the key. */
	if (d == SIG_OK) {
		if (!wg_ratelimiter_allow(n->rl, from->addr.family, from->addr.b,
					  now_ms * 1000000ull))
			d = SIG_DROP_RATELIMIT;
		SIG_STORE(n->stats.ratelimit_evictions, wg_ratelimiter_evicted(n->rl));
	}
	if (d == SIG_OK)
		d = sig_replay_check(c->replay, m->nonce, m->ts_ms, now_ms);
	if (d == SIG_OK)
		d = sig_nucleus_ident(n, c, m, p, len, from, now_ms, &act);
	n->act = act;
	if (d != SIG_OK) {
		SIG_COUNT(n->stats.drops[d]);
		return 0;
	}
	bound_reply(n, c, m, from, len);
	/* A member's query from elsewhere: its answers, and the punch notice
	 * to the target, would all be larger than it. */
	if (m->type == SIG_QUERY_PEER && n->reply_max &&
	    sig_peerset_find(&c->members, SIG_BY_PUBKEY, m->u.query.pubkey) != SIG_NONE) {
		SIG_COUNT(n->stats.drops[SIG_DROP_UNVERIFIED]);
		return 0;
	}
	/* A challenged message counts as the CHALLENGE sent, not as received:
	 * REGISTER rx stays the registrations. */
	if (n->act == SIG_ID_CHALLENGE)
		return on_challenge(n, c, m, from, now_ms, out);
	SIG_COUNT(n->stats.rx[m->type]);
	switch (m->type) {
	case SIG_REGISTER:
		return on_register(n, c, m, from, now_ms, out);
	case SIG_HEARTBEAT:
		return on_heartbeat(n, c, m, from, now_ms, out);
	case SIG_LEAVE:
		return on_leave(n, c, m, from);
	case SIG_TURN_ASK:
		return on_turn_ask(n, c, m, from, now_ms, out);
	default:
		return on_query(n, c, m, from, now_ms, out);
	}
}

void sig_nucleus_tick(struct sig_nucleus *n, uint64_t now_ms)
{
	sig_nucleus_open_tick(n, now_ms);
	for (size_t i = 0; i < n->n_clusters; i++) {
		struct cluster *c = &n->clusters[i];
		unsigned gone = sig_members_expire(c, now_ms, n->expiry_ms);

		if (c->prev_until && now_ms >= c->prev_until) {
			sig_keys_wipe(&c->prev); /* the rotation's window is over */
			c->prev_until = 0;
		}
		if (gone)
			SIG_STORE(n->stats.expired, n->stats.expired + gone);
	}
}

void sig_nucleus_read(const struct sig_nucleus *n, struct sig_nucleus_stats *out)
{
	const uint64_t *src = (const uint64_t *)&n->stats;
	uint64_t *dst = (uint64_t *)out;

	for (size_t i = 0; i < sizeof(*out) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

size_t sig_nucleus_n_clusters(const struct sig_nucleus *n)
{
	return __atomic_load_n(&n->n_clusters, __ATOMIC_ACQUIRE); /* grows when open */
}

const char *sig_nucleus_cluster_name(const struct sig_nucleus *n, size_t c)
{
	return n->clusters[c].name;
}

uint32_t sig_nucleus_cluster_members(const struct sig_nucleus *n, size_t c)
{
	return __atomic_load_n(&n->clusters[c].n_members, __ATOMIC_RELAXED);
}

int sig_nucleus_cluster_find(const struct sig_nucleus *n, const char *name)
{
	for (size_t i = 0; i < n->n_clusters; i++)
		if (strcmp(n->clusters[i].name, name) == 0)
			return (int)i;
	return -1;
}

const struct sig_peer *sig_nucleus_lookup(const struct sig_nucleus *n, size_t c,
					  enum sig_peerset_key by, const uint8_t *key)
{
	uint32_t i = sig_peerset_find(&n->clusters[c].members, by, key);

	return i == SIG_NONE ? NULL : sig_peerset_rec(&n->clusters[c].members, i);
}

uint64_t sig_nucleus_cluster_version(const struct sig_nucleus *n, size_t c)
{
	return n->clusters[c].version;
}

void sig_nucleus_public_key(const struct sig_nucleus *n, uint8_t out[SIG_PUBKEY_LEN])
{
	memcpy(out, n->pub, SIG_PUBKEY_LEN);
}

bool sig_nucleus_cluster_l2(const struct sig_nucleus *n, size_t k)
{
	return k < n->n_clusters && n->clusters[k].l2;
}

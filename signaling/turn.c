/* SPDX-License-Identifier: MIT */
/*
 * TURN client (turn.h). RFC 8656: 7 (Allocate), 8 (Refresh), 9 and 10
 * (permissions: 300 s, CreatePermission), 11-12 (channels: 600 s,
 * ChannelBind); RFC 8489 9.2 (long-term credentials, 401 and 438).
 * Requests and responses go through stun.h's codec.
 */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "turn.h"

enum {
	CLASS_SUCCESS = 0x100,
	CLASS_ERROR = 0x110,
	ERR_UNAUTHORIZED = 401,
	ERR_MISMATCH = 437,
	ERR_STALE_NONCE = 438,
	TRANSPORT_UDP = 17,
};

const char *const sig_turn_counter_names[] = {
#define SIG_TURN_NAME(f, name) name,
	SIG_TURN_COUNTERS(SIG_TURN_NAME)
#undef SIG_TURN_NAME
};

void sig_turn_init(struct sig_turn *t, sig_random_fn random)
{
	memset(t, 0, sizeof(*t));
	t->random = random;
	t->backoff = SIG_TURN_BACKOFF_MIN_MS;
}

void sig_turn_fini(struct sig_turn *t)
{
	sodium_memzero(&t->cred, sizeof(t->cred));
	sodium_memzero(&t->next, sizeof(t->next));
	sodium_memzero(t->key, sizeof(t->key));
}

/* ---- output ---- */

static struct sig_turn_action *emit(struct sig_turn *t, enum sig_turn_act_kind kind)
{
	struct sig_turn_action *a;

	if (t->out_n == SIG_TURN_OUT_MAX)
		return NULL; /* a full queue: the timers send again */
	a = &t->out[(t->out_head + t->out_n++) % SIG_TURN_OUT_MAX];
	memset(a, 0, offsetof(struct sig_turn_action, buf));
	a->kind = kind;
	return a;
}

bool sig_turn_pop(struct sig_turn *t, struct sig_turn_action *a)
{
	if (!t->out_n)
		return false;
	*a = t->out[t->out_head];
	t->out_head = (t->out_head + 1) % SIG_TURN_OUT_MAX;
	t->out_n--;
	return true;
}

static void send_txn(struct sig_turn *t, const struct sig_turn_txn *x)
{
	struct sig_turn_action *a = emit(t, SIG_TURN_SEND);

	if (!a)
		return;
	a->to = x == &t->probe ? *sig_turn_server(t) : t->cred.servers[0];
	a->len = x->len;
	memcpy(a->buf, x->buf, x->len);
}

static void error_event(struct sig_turn *t, unsigned method, unsigned code)
{
	struct sig_turn_action *a = emit(t, SIG_TURN_ERROR);

	if (code)
		t->stats.errors++;
	else
		t->stats.timeouts++;
	if (a) {
		a->method = method;
		a->code = code;
	}
}

/* ---- requests ---- */

static uint16_t channel_of(int i)
{
	return (uint16_t)(SIG_TURN_CHANNEL_MIN + i);
}

/* Writes x's request (method, peer) afresh, with a new transaction id and
 * the credentials when we have a key. */
static void build(struct sig_turn *t, struct sig_turn_txn *x, uint64_t now)
{
	struct sig_stun_wr w;
	const struct sig_turn_peer *p = x->peer >= 0 ? &t->peer[x->peer] : NULL;

	t->random(x->txid, sizeof(x->txid));
	sig_stun_begin(&w, x->buf, sizeof(x->buf), x->method, x->txid);
	if (x->method == SIG_TURN_ALLOCATE)
		sig_stun_put_u32(&w, SIG_STUN_ATTR_REQ_TRANSPORT, (uint32_t)TRANSPORT_UDP << 24);
	if (x->method == SIG_TURN_REFRESH && t->state != SIG_TURN_READY)
		sig_stun_put_u32(&w, SIG_STUN_ATTR_LIFETIME, 0); /* delete */
	if (x->method == SIG_TURN_CHANNEL_BIND)
		sig_stun_put_u32(&w, SIG_STUN_ATTR_CHANNEL, (uint32_t)channel_of(x->peer) << 16);
	if (p)
		sig_stun_put_xaddr(&w, SIG_STUN_ATTR_XOR_PEER, &p->addr);
	x->authed = t->have_key && x->method != SIG_TURN_BINDING;
	if (x->authed) {
		sig_stun_put(&w, SIG_STUN_ATTR_USERNAME, t->cred.user, strlen(t->cred.user));
		sig_stun_put(&w, SIG_STUN_ATTR_REALM, t->realm, strlen(t->realm));
		sig_stun_put(&w, SIG_STUN_ATTR_NONCE, t->nonce, strlen(t->nonce));
		sig_stun_put_integrity(&w, t->key, sizeof(t->key));
	}
	x->len = sig_stun_end(&w, true);
	x->tries = 1;
	x->deadline = now + SIG_TURN_RTO_MS;
}

static void request(struct sig_turn *t, struct sig_turn_txn *x, unsigned method, int peer,
		    uint64_t now)
{
	x->method = method;
	x->peer = peer;
	x->stale = 0;
	build(t, x, now);
	if (x->len)
		send_txn(t, x);
	else
		x->method = 0; /* cannot happen with our sizes: REALM/NONCE are bounded */
}

static void allocate(struct sig_turn *t, uint64_t now)
{
	if (t->have_next) {
		if (!net_endpoint_equal(&t->cred.servers[0], &t->next.servers[0]))
			t->realm[0] = '\0'; /* another server: its realm to learn */
		t->cred = t->next;
		t->have_next = false;
		sodium_memzero(&t->next, sizeof(t->next));
		t->have_key = false;
	}
	t->state = SIG_TURN_ALLOCATING;
	request(t, &t->alloc, SIG_TURN_ALLOCATE, -1, now);
}

/* The allocation failed or is gone: try again after the back-off. */
static void wait_and_retry(struct sig_turn *t, uint64_t now)
{
	bool was_ready = t->state == SIG_TURN_READY;

	t->alloc.method = 0;
	t->state = SIG_TURN_WAITING;
	t->retry_at = now + t->backoff;
	t->backoff = t->backoff * 2 < SIG_TURN_BACKOFF_MAX_MS ? t->backoff * 2 :
								SIG_TURN_BACKOFF_MAX_MS;
	memset(&t->relayed, 0, sizeof(t->relayed));
	for (int i = 0; i < SIG_TURN_PEERS_MAX; i++) {
		t->peer[i].permitted = t->peer[i].bound = false;
		t->ptx[i].method = 0;
	}
	if (was_ready) {
		t->stats.lost++;
		emit(t, SIG_TURN_LOST);
	}
}

/* A peer's next request: permission first, then the channel. */
static void peer_due(struct sig_turn *t, int i, uint64_t now)
{
	struct sig_turn_peer *p = &t->peer[i];

	if (t->state != SIG_TURN_READY || !net_addr_is_set(&p->addr.addr) || t->ptx[i].method)
		return;
	if (now >= p->perm_at)
		request(t, &t->ptx[i], SIG_TURN_PERMISSION, i, now);
	else if (now >= p->bind_at)
		request(t, &t->ptx[i], SIG_TURN_CHANNEL_BIND, i, now);
}

/* ---- credentials ---- */

bool sig_turn_cred_due(struct sig_turn *t, uint64_t now_ms, uint64_t unix_s)
{
	const struct sig_turn_cred *c = t->have_next ? &t->next : &t->cred;
	bool fresh = t->have_cred &&
		     (!c->n_servers || c->expiry_s > unix_s + SIG_TURN_CRED_MARGIN_S);

	if (fresh || now_ms < t->ask_at)
		return false;
	t->ask_wait = t->ask_wait ? t->ask_wait * 2 : SIG_TURN_ASK_MIN_MS;
	if (t->ask_wait > SIG_TURN_ASK_MAX_MS)
		t->ask_wait = SIG_TURN_ASK_MAX_MS;
	t->ask_at = now_ms + t->ask_wait;
	t->stats.cred_asks++;
	return true;
}

void sig_turn_set_cred(struct sig_turn *t, const struct sig_turn_cred *c, uint64_t now_ms)
{
	t->ask_wait = 0;
	t->ask_at = 0;
	t->have_cred = true;
	if (!c->n_servers) {
		t->cred = *c;
		t->state = SIG_TURN_OFF;
		return;
	}
	/* The allocation keeps the username it was made with (the server
	 * refuses another one on it); a new credential waits for the next. */
	t->next = *c;
	t->have_next = true;
	if (t->wanted && (t->state == SIG_TURN_OFF || t->state == SIG_TURN_WAITING))
		allocate(t, now_ms);
}

void sig_turn_want(struct sig_turn *t, uint64_t now_ms)
{
	if (t->wanted)
		return;
	t->wanted = true;
	if ((t->have_next || t->cred.n_servers) && t->state == SIG_TURN_OFF)
		allocate(t, now_ms);
}

/* key = MD5(username ":" realm ":" password) (RFC 8489 9.2.2; the
 * username and password are ASCII, so SASLprep/OpaqueString leave them). */
static void derive_key(struct sig_turn *t)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned len = sizeof(t->key);

	t->have_key = ctx && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) &&
		      EVP_DigestUpdate(ctx, t->cred.user, strlen(t->cred.user)) &&
		      EVP_DigestUpdate(ctx, ":", 1) &&
		      EVP_DigestUpdate(ctx, t->realm, strlen(t->realm)) &&
		      EVP_DigestUpdate(ctx, ":", 1) &&
		      EVP_DigestUpdate(ctx, t->cred.pass, strlen(t->cred.pass)) &&
		      EVP_DigestFinal_ex(ctx, t->key, &len);
	EVP_MD_CTX_free(ctx);
}

/* REALM and NONCE of a 401 or 438 into t; false when absent or too long. */
static bool take_challenge(struct sig_turn *t, const struct sig_stun_msg *m)
{
	if (!m->nonce || m->nonce_len >= sizeof(t->nonce) ||
	    (m->realm && m->realm_len >= sizeof(t->realm)) || (!m->realm && !t->realm[0]))
		return false;
	if (m->realm) {
		memcpy(t->realm, m->realm, m->realm_len);
		t->realm[m->realm_len] = '\0';
	}
	memcpy(t->nonce, m->nonce, m->nonce_len);
	t->nonce[m->nonce_len] = '\0';
	return true;
}

/* ---- responses ---- */

static void allocated(struct sig_turn *t, const struct sig_stun_msg *m, uint64_t now)
{
	uint32_t life = m->has_lifetime ? m->lifetime : SIG_TURN_LIFETIME_S;
	uint64_t ahead = life > 120 ? life - 60 : life / 2;
	struct sig_turn_action *a;

	t->refresh_at = now + ahead * 1000;
	t->backoff = SIG_TURN_BACKOFF_MIN_MS;
	if (t->alloc.method == SIG_TURN_REFRESH) {
		t->stats.refreshes++;
		return;
	}
	t->stats.allocations++;
	t->state = SIG_TURN_READY;
	t->relayed = m->relayed;
	t->mapped = m->mapped;
	a = emit(t, SIG_TURN_ALLOCATED);
	if (a)
		a->addr = m->relayed;
	for (int i = 0; i < SIG_TURN_PEERS_MAX; i++) {
		t->peer[i].perm_at = t->peer[i].bind_at = now;
		peer_due(t, i, now);
	}
}

static void peer_success(struct sig_turn *t, struct sig_turn_txn *x, uint64_t now)
{
	struct sig_turn_peer *p = &t->peer[x->peer];
	struct sig_turn_action *a;

	if (x->method == SIG_TURN_PERMISSION) {
		t->stats.permissions++;
		p->permitted = true;
		p->perm_at = now + SIG_TURN_PERM_REFRESH_MS;
	} else {
		t->stats.binds++;
		p->bind_at = now + SIG_TURN_BIND_REFRESH_MS;
		p->perm_at = now + SIG_TURN_PERM_REFRESH_MS; /* a bind refreshes it too */
		if (!p->bound && (a = emit(t, SIG_TURN_BOUND))) {
			a->addr = p->addr;
			a->channel = channel_of(x->peer);
		}
		p->bound = true;
	}
	x->method = 0;
	peer_due(t, x->peer, now);
}

/* A transaction failed for good (error code, or 0: no answer). */
static void failed(struct sig_turn *t, struct sig_turn_txn *x, unsigned code, uint64_t now)
{
	unsigned method = x->method;

	error_event(t, method, code);
	x->method = 0;
	if (x == &t->probe)
		return; /* no verdict on our NAT: the punch decides, as without it */
	if (x == &t->alloc) {
		wait_and_retry(t, now);
		return;
	}
	t->peer[x->peer].perm_at = t->peer[x->peer].bind_at = now + SIG_TURN_PEER_RETRY_MS;
}

static void probed(struct sig_turn *t, const struct sig_stun_msg *m)
{
	struct sig_turn_action *a;

	t->probe.method = 0;
	if (!net_addr_is_set(&m->mapped.addr)) {
		t->stats.bad_response++;
		return;
	}
	t->stats.mapped++;
	a = emit(t, SIG_TURN_MAPPED);
	if (a)
		a->addr = m->mapped;
}

static void on_error(struct sig_turn *t, struct sig_turn_txn *x, const struct sig_stun_msg *m,
		     uint64_t now)
{
	bool again = false;

	if (x == &t->probe) { /* never with credentials: a refusal is final */
		failed(t, x, m->error ? m->error : 500, now);
		return;
	}
	if (m->error == ERR_UNAUTHORIZED && !x->authed && take_challenge(t, m)) {
		derive_key(t);
		again = t->have_key; /* the challenge of a first, unauthenticated try */
	} else if (m->error == ERR_STALE_NONCE && x->stale < SIG_TURN_STALE_MAX &&
		   take_challenge(t, m)) {
		t->stats.stale_nonce++;
		x->stale++;
		again = true;
	}
	if (m->error == ERR_UNAUTHORIZED && x->authed)
		t->have_key = false; /* refused: learn the realm and nonce again */
	if (!again) {
		failed(t, x, m->error ? m->error : 500, now);
		return;
	}
	build(t, x, now);
	send_txn(t, x);
}

static struct sig_turn_txn *txn_of(struct sig_turn *t, const uint8_t *txid)
{
	if (t->alloc.method && !memcmp(t->alloc.txid, txid, SIG_STUN_TXID_LEN))
		return &t->alloc;
	if (t->probe.method && !memcmp(t->probe.txid, txid, SIG_STUN_TXID_LEN))
		return &t->probe;
	for (int i = 0; i < SIG_TURN_PEERS_MAX; i++)
		if (t->ptx[i].method && !memcmp(t->ptx[i].txid, txid, SIG_STUN_TXID_LEN))
			return &t->ptx[i];
	return NULL;
}

void sig_turn_input(struct sig_turn *t, const uint8_t *p, size_t len, uint64_t now_ms)
{
	struct sig_stun_msg m;
	struct sig_turn_txn *x;

	if (sig_stun_parse(p, len, &m) != SIG_STUN_OK) {
		t->stats.bad_response++;
		return;
	}
	x = txn_of(t, m.txid);
	if (!x || (m.type & ~0x110u) != x->method) {
		t->stats.unexpected++;
		return;
	}
	/* An answer to an authenticated request proves it knows the key: one
	 * that does not is not the server's (a 401/438 carries none). */
	if (x->authed && (m.type & 0x110) == CLASS_SUCCESS &&
	    !sig_stun_integrity_ok(p, &m, t->key, sizeof(t->key))) {
		t->stats.bad_response++;
		return;
	}
	if ((m.type & 0x110) == CLASS_ERROR) {
		on_error(t, x, &m, now_ms);
	} else if ((m.type & 0x110) != CLASS_SUCCESS) {
		t->stats.unexpected++;
	} else if (x == &t->probe) {
		probed(t, &m);
	} else if (x == &t->alloc) {
		if (x->method == SIG_TURN_ALLOCATE && !net_addr_is_set(&m.relayed.addr)) {
			failed(t, x, 500, now_ms); /* a success without a relayed address */
			return;
		}
		allocated(t, &m, now_ms);
		x->method = 0;
	} else {
		peer_success(t, x, now_ms);
	}
}

/* ---- timers ---- */

static void retransmit(struct sig_turn *t, struct sig_turn_txn *x, uint64_t now)
{
	if (!x->method || now < x->deadline)
		return;
	if (x->tries >= SIG_TURN_TRIES) {
		failed(t, x, 0, now);
		return;
	}
	t->stats.retransmits++;
	x->deadline = now + ((uint64_t)SIG_TURN_RTO_MS << x->tries);
	x->tries++;
	send_txn(t, x);
}

void sig_turn_tick(struct sig_turn *t, uint64_t now_ms)
{
	retransmit(t, &t->alloc, now_ms);
	retransmit(t, &t->probe, now_ms);
	for (int i = 0; i < SIG_TURN_PEERS_MAX; i++)
		retransmit(t, &t->ptx[i], now_ms);
	if (t->state == SIG_TURN_WAITING && now_ms >= t->retry_at)
		allocate(t, now_ms);
	if (t->state == SIG_TURN_READY && !t->alloc.method && now_ms >= t->refresh_at)
		request(t, &t->alloc, SIG_TURN_REFRESH, -1, now_ms);
	for (int i = 0; i < SIG_TURN_PEERS_MAX; i++)
		peer_due(t, i, now_ms);
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t sig_turn_next_tick(const struct sig_turn *t)
{
	uint64_t at = t->alloc.method ? t->alloc.deadline : UINT64_MAX;

	if (t->probe.method)
		at = earliest(at, t->probe.deadline);
	if (t->state == SIG_TURN_WAITING)
		at = earliest(at, t->retry_at);
	if (t->state == SIG_TURN_READY && !t->alloc.method)
		at = earliest(at, t->refresh_at);
	for (int i = 0; i < SIG_TURN_PEERS_MAX; i++) {
		const struct sig_turn_peer *p = &t->peer[i];

		if (t->ptx[i].method)
			at = earliest(at, t->ptx[i].deadline);
		else if (t->state == SIG_TURN_READY && net_addr_is_set(&p->addr.addr))
			at = earliest(at, earliest(p->perm_at, p->bind_at));
	}
	return at;
}

void sig_turn_release(struct sig_turn *t, uint64_t now_ms)
{
	if (t->state != SIG_TURN_READY)
		return;
	t->state = SIG_TURN_OFF; /* build() then asks for LIFETIME 0 */
	request(t, &t->alloc, SIG_TURN_REFRESH, -1, now_ms);
	t->alloc.method = 0; /* no answer awaited */
}

/* ---- peers ---- */

void sig_turn_probe(struct sig_turn *t, uint64_t now_ms)
{
	if (net_addr_is_set(&sig_turn_server(t)->addr) && !t->probe.method)
		request(t, &t->probe, SIG_TURN_BINDING, -1, now_ms);
}

const struct net_endpoint *sig_turn_server(const struct sig_turn *t)
{
	static const struct net_endpoint none;
	const struct sig_turn_cred *c = &t->cred;

	/* Without an allocation, the next one's (the newest credential's). */
	if (t->have_next && (t->state == SIG_TURN_OFF || t->state == SIG_TURN_WAITING))
		c = &t->next;
	return t->have_cred && c->n_servers ? &c->servers[0] : &none;
}

int sig_turn_peer_add(struct sig_turn *t, const struct net_endpoint *addr, uint64_t now_ms)
{
	int free_slot = -1;

	if (!net_addr_is_set(&addr->addr) || !addr->port)
		return -EINVAL;
	for (int i = 0; i < SIG_TURN_PEERS_MAX; i++) {
		if (net_endpoint_equal(&t->peer[i].addr, addr))
			return channel_of(i);
		if (free_slot < 0 && !net_addr_is_set(&t->peer[i].addr.addr))
			free_slot = i;
	}
	if (free_slot < 0)
		return -ENOSPC;
	memset(&t->peer[free_slot], 0, sizeof(t->peer[0]));
	t->peer[free_slot].addr = *addr;
	t->peer[free_slot].perm_at = t->peer[free_slot].bind_at = now_ms;
	peer_due(t, free_slot, now_ms);
	return channel_of(free_slot);
}

void sig_turn_peer_del(struct sig_turn *t, const struct net_endpoint *addr)
{
	for (int i = 0; i < SIG_TURN_PEERS_MAX; i++)
		if (net_endpoint_equal(&t->peer[i].addr, addr)) {
			/* The server lets the channel and permission expire. */
			memset(&t->peer[i], 0, sizeof(t->peer[0]));
			t->ptx[i].method = 0;
		}
}

const struct net_endpoint *sig_turn_channel_peer(const struct sig_turn *t, uint16_t ch)
{
	int i = (int)ch - SIG_TURN_CHANNEL_MIN;

	if (i < 0 || i >= SIG_TURN_PEERS_MAX || !t->peer[i].bound)
		return NULL;
	return &t->peer[i].addr;
}

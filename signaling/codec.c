/* SPDX-License-Identifier: MIT */
/*
 * Signaling codec (docs/signaling.md). Receive order: length, magic,
 * version, type and flags (sig_peek), then the HMAC in constant time, then
 * decryption, then the body with exact sizes. Nothing is parsed before the
 * HMAC verifies.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "admit.h"
#include "codec.h"
#include "ident.h"

static const char kdf_ctx[crypto_kdf_CONTEXTBYTES + 1] = "omnisig1";
static const char master_label[] = "omninervous signaling v1";
static const char psk_label[] = "omninervous wg psk v1";
static const char name_label[] = "omninervous cluster name v1";

enum { KDF_MAC = 1, KDF_ENC = 2, KDF_ID = 3 };

static_assert(SIG_KEY_LEN == crypto_kdf_KEYBYTES, "kdf key size");
static_assert(SIG_KEY_LEN == crypto_auth_hmacsha256_KEYBYTES, "hmac key size");
static_assert(SIG_MAC_LEN == crypto_auth_hmacsha256_BYTES, "hmac size");
static_assert(SIG_TAG_LEN == crypto_aead_xchacha20poly1305_ietf_ABYTES, "tag size");
static_assert(SIG_NONCE_LEN + 8 == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, "nonce");

/* ---- keys ---- */

int sig_keys_derive(struct sig_keys *k, const char *name, const char *secret, char *err,
		    size_t errlen)
{
	crypto_generichash_state st;
	uint8_t master[SIG_KEY_LEN], id_key[SIG_KEY_LEN];
	size_t nlen = name ? strlen(name) : 0, slen = secret ? strlen(secret) : 0;
	uint8_t n8 = (uint8_t)nlen;

	memset(k, 0, sizeof(*k));
	if (nlen == 0 || nlen > SIG_CLUSTER_NAME_MAX) {
		snprintf(err, errlen, "cluster name must be 1 to %d characters (got %zu)",
			 SIG_CLUSTER_NAME_MAX, nlen);
		return -EINVAL;
	}
	if (slen < SIG_SECRET_MIN) {
		snprintf(err, errlen,
			 "cluster secret for \"%s\" is %zu characters: at least %d are needed",
			 name, slen, SIG_SECRET_MIN);
		return -EINVAL;
	}
	if (slen > SIG_SECRET_MAX) {
		snprintf(err, errlen, "cluster secret for \"%s\" is %zu characters: at most %d",
			 name, slen, SIG_SECRET_MAX);
		return -EINVAL;
	}
	crypto_generichash_init(&st, (const uint8_t *)master_label, sizeof(master_label) - 1,
				sizeof(master));
	crypto_generichash_update(&st, &n8, 1);
	crypto_generichash_update(&st, (const uint8_t *)name, nlen);
	crypto_generichash_update(&st, (const uint8_t *)secret, slen);
	crypto_generichash_final(&st, master, sizeof(master));
	crypto_kdf_derive_from_key(k->mac_key, sizeof(k->mac_key), KDF_MAC, kdf_ctx, master);
	crypto_kdf_derive_from_key(k->enc_key, sizeof(k->enc_key), KDF_ENC, kdf_ctx, master);
	crypto_kdf_derive_from_key(id_key, sizeof(id_key), KDF_ID, kdf_ctx, master);
	crypto_generichash(k->cluster_id, sizeof(k->cluster_id), (const uint8_t *)name, nlen,
			   id_key, sizeof(id_key));
	sig_name_key(secret, k->name_key);
	memcpy(k->name, name, nlen);
	k->name_len = n8;
	sodium_memzero(master, sizeof(master));
	sodium_memzero(id_key, sizeof(id_key));
	sodium_memzero(&st, sizeof(st));
	return 0;
}

void sig_name_key(const char *secret, uint8_t out[SIG_KEY_LEN])
{
	crypto_generichash(out, SIG_KEY_LEN, (const uint8_t *)secret, strlen(secret),
			   (const uint8_t *)name_label, sizeof(name_label) - 1);
}

void sig_keys_wipe(struct sig_keys *k)
{
	sodium_memzero(k, sizeof(*k));
}

void sig_cluster_psk(const char *secret, uint8_t out[SIG_KEY_LEN])
{
	crypto_generichash(out, SIG_KEY_LEN, (const uint8_t *)secret, strlen(secret),
			   (const uint8_t *)psk_label, sizeof(psk_label) - 1);
}

/* ---- byte cursors ---- */

struct wr {
	uint8_t *p;
	size_t len, cap;
	bool bad;
};

struct rd {
	const uint8_t *p;
	size_t len, off;
	bool bad;
};

static uint8_t *wr_take(struct wr *w, size_t n)
{
	uint8_t *at;

	if (w->bad || w->cap - w->len < n) {
		w->bad = true;
		return NULL;
	}
	at = w->p + w->len;
	w->len += n;
	return at;
}

static void wr_bytes(struct wr *w, const void *src, size_t n)
{
	uint8_t *at = wr_take(w, n);

	if (at)
		memcpy(at, src, n);
}

static void wr_be(struct wr *w, uint64_t v, size_t n)
{
	uint8_t *at = wr_take(w, n);

	for (size_t i = 0; at && i < n; i++)
		at[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static const uint8_t *rd_take(struct rd *r, size_t n)
{
	const uint8_t *at;

	if (r->bad || r->len - r->off < n) {
		r->bad = true;
		return NULL;
	}
	at = r->p + r->off;
	r->off += n;
	return at;
}

static void rd_bytes(struct rd *r, void *dst, size_t n)
{
	const uint8_t *at = rd_take(r, n);

	if (at)
		memcpy(dst, at, n);
	else
		memset(dst, 0, n);
}

static uint64_t rd_be(struct rd *r, size_t n)
{
	const uint8_t *at = rd_take(r, n);
	uint64_t v = 0;

	for (size_t i = 0; at && i < n; i++)
		v = v << 8 | at[i];
	return v;
}

static uint64_t be_get(const uint8_t *p, size_t n)
{
	struct rd r = { p, n, 0, false };

	return rd_be(&r, n);
}

/* ---- pieces ---- */

/* A record as the wire allows it: family 0 all zero, IPv4 with the 12
 * bytes after it zero, kind set in candidate lists. */
static bool addr_valid(const struct sig_addr *a, bool need_kind)
{
	static const uint8_t zero[12];
	const struct net_addr *ip = &a->ep.addr;

	if (ip->family == NET_AF_NONE)
		return !need_kind && a->kind == 0 && a->ep.port == 0 &&
		       sodium_is_zero(ip->b, sizeof(ip->b));
	if (ip->family == NET_AF_IP4)
		return memcmp(ip->b + 4, zero, 12) == 0 && (!need_kind || a->kind);
	return ip->family == NET_AF_IP6 && (!need_kind || a->kind);
}

bool sig_peer_equal(const struct sig_peer *a, const struct sig_peer *b)
{
	if (memcmp(a->pubkey, b->pubkey, SIG_PUBKEY_LEN) || memcmp(a->vip4, b->vip4, 4) ||
	    memcmp(a->vip6, b->vip6, 16) || a->flags != b->flags || a->n_cand != b->n_cand)
		return false;
	for (unsigned i = 0; i < a->n_cand && i < SIG_CAND_MAX; i++)
		if (a->cand[i].kind != b->cand[i].kind ||
		    !net_endpoint_equal(&a->cand[i].ep, &b->cand[i].ep))
			return false;
	return true;
}

static void wr_addr(struct wr *w, const struct sig_addr *a)
{
	wr_be(w, a->ep.addr.family, 1);
	wr_be(w, a->kind, 1);
	wr_be(w, a->ep.port, 2);
	wr_bytes(w, a->ep.addr.b, 16);
}

static void rd_addr(struct rd *r, struct sig_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->ep.addr.family = (uint8_t)rd_be(r, 1);
	a->kind = (uint8_t)rd_be(r, 1);
	a->ep.port = (uint16_t)rd_be(r, 2);
	rd_bytes(r, a->ep.addr.b, 16);
	if (a->kind > SIG_KIND_RELAYED)
		r->bad = true;
}

/* A VIP is a unicast address (admit.h): 0.0.0.0, loopback, multicast or
 * broadcast as a member's VIP would become a route to it on every edge. */
static bool vips_usable(const struct sig_peer *p)
{
	struct net_addr a;

	net_addr_set(&a, NET_AF_IP4, p->vip4);
	if ((p->flags & SIG_PEER_HAS_VIP4) && !sig_vip_usable(&a))
		return false;
	net_addr_set(&a, NET_AF_IP6, p->vip6);
	return !(p->flags & SIG_PEER_HAS_VIP6) || sig_vip_usable(&a);
}

static bool peer_valid(const struct sig_peer *p)
{
	if (p->n_cand > SIG_CAND_MAX || !(p->flags & (SIG_PEER_HAS_VIP4 | SIG_PEER_HAS_VIP6)) ||
	    (p->flags & ~(SIG_PEER_HAS_VIP4 | SIG_PEER_HAS_VIP6)))
		return false;
	if (!(p->flags & SIG_PEER_HAS_VIP4) && !sodium_is_zero(p->vip4, 4))
		return false;
	if (!(p->flags & SIG_PEER_HAS_VIP6) && !sodium_is_zero(p->vip6, 16))
		return false;
	if (!vips_usable(p))
		return false;
	for (unsigned i = 0; i < p->n_cand; i++)
		if (!addr_valid(&p->cand[i], true) || p->cand[i].ep.addr.family == NET_AF_NONE ||
		    p->cand[i].kind == SIG_KIND_RELAYED)
			return false;
	return true;
}

static void wr_peer(struct wr *w, const struct sig_peer *p)
{
	if (!peer_valid(p)) {
		w->bad = true;
		return;
	}
	wr_bytes(w, p->pubkey, SIG_PUBKEY_LEN);
	wr_bytes(w, p->vip4, 4);
	wr_bytes(w, p->vip6, 16);
	wr_be(w, p->flags, 1);
	wr_be(w, p->n_cand, 1);
	for (unsigned i = 0; i < p->n_cand; i++)
		wr_addr(w, &p->cand[i]);
}

static void rd_peer(struct rd *r, struct sig_peer *p)
{
	memset(p, 0, sizeof(*p));
	rd_bytes(r, p->pubkey, SIG_PUBKEY_LEN);
	rd_bytes(r, p->vip4, 4);
	rd_bytes(r, p->vip6, 16);
	p->flags = (uint8_t)rd_be(r, 1);
	p->n_cand = (uint8_t)rd_be(r, 1);
	if (r->bad || p->n_cand > SIG_CAND_MAX) {
		r->bad = true;
		return;
	}
	for (unsigned i = 0; i < p->n_cand; i++)
		rd_addr(r, &p->cand[i]);
	if (!r->bad && !peer_valid(p))
		r->bad = true;
}

/* A query's VIP: a record with kind and port 0. */
static bool target_valid(const struct sig_addr *t)
{
	return net_addr_is_set(&t->ep.addr) && t->kind == 0 && t->ep.port == 0 &&
	       addr_valid(t, false);
}

static void wr_target(struct wr *w, const struct net_addr *t)
{
	struct sig_addr rec = { .ep.addr = *t };

	if (!target_valid(&rec))
		w->bad = true;
	wr_addr(w, &rec);
}

static void rd_target(struct rd *r, struct net_addr *t)
{
	struct sig_addr rec;

	rd_addr(r, &rec);
	if (!r->bad && !target_valid(&rec))
		r->bad = true;
	*t = rec.ep.addr;
}

static void wr_ack(struct wr *w, const struct sig_ack *a)
{
	if (a->status > SIG_ACK_UNKNOWN || a->n_entries > SIG_ACK_ENTRIES_MAX ||
	    (a->flags & ~SIG_ACK_L2) || !addr_valid(&a->observed, false)) {
		w->bad = true;
		return;
	}
	wr_be(w, a->status, 1);
	wr_be(w, a->more, 1);
	wr_be(w, a->n_entries, 1);
	wr_be(w, a->flags, 1);
	wr_be(w, a->epoch, 4);
	wr_be(w, a->version, 8);
	wr_be(w, a->cursor, 4);
	wr_addr(w, &a->observed);
	for (unsigned i = 0; i < a->n_entries; i++) {
		const struct sig_entry *e = &a->entries[i];

		wr_be(w, e->change, 1);
		if (e->change == SIG_LEFT)
			wr_bytes(w, e->peer.pubkey, SIG_PUBKEY_LEN);
		else if (e->change == SIG_JOINED || e->change == SIG_MOVED)
			wr_peer(w, &e->peer);
		else
			w->bad = true;
	}
}

static void rd_ack(struct rd *r, struct sig_ack *a)
{
	uint8_t more;

	a->status = (uint8_t)rd_be(r, 1);
	more = (uint8_t)rd_be(r, 1);
	a->more = more == 1;
	a->n_entries = (uint8_t)rd_be(r, 1);
	a->flags = (uint8_t)rd_be(r, 1);
	if ((a->flags & ~SIG_ACK_L2) || a->status > SIG_ACK_UNKNOWN || more > 1 ||
	    a->n_entries > SIG_ACK_ENTRIES_MAX) {
		r->bad = true;
		return;
	}
	a->epoch = (uint32_t)rd_be(r, 4);
	a->version = rd_be(r, 8);
	a->cursor = (uint32_t)rd_be(r, 4);
	rd_addr(r, &a->observed);
	if (!addr_valid(&a->observed, false))
		r->bad = true;
	for (unsigned i = 0; i < a->n_entries && !r->bad; i++) {
		struct sig_entry *e = &a->entries[i];

		e->change = (uint8_t)rd_be(r, 1);
		if (e->change == SIG_LEFT) {
			memset(&e->peer, 0, sizeof(e->peer));
			rd_bytes(r, e->peer.pubkey, SIG_PUBKEY_LEN);
		} else if (e->change == SIG_JOINED || e->change == SIG_MOVED) {
			rd_peer(r, &e->peer);
		} else {
			r->bad = true;
		}
	}
}

/* TURN_ASK's and RELAY_INFO's record: none yet (ask only), or a relayed
 * address with its port. */
static bool relay_valid(const struct sig_relay *rl, uint8_t type)
{
	const struct sig_addr *a = &rl->relayed;

	if (a->ep.addr.family == NET_AF_NONE)
		return type == SIG_TURN_ASK && addr_valid(a, false);
	return addr_valid(a, true) && a->kind == SIG_KIND_RELAYED && a->ep.port;
}

static void wr_relay(struct wr *w, const struct sig_relay *rl, uint8_t type)
{
	if (!relay_valid(rl, type))
		w->bad = true;
	wr_bytes(w, rl->pubkey, SIG_PUBKEY_LEN);
	wr_addr(w, &rl->relayed);
}

static void rd_relay(struct rd *r, struct sig_relay *rl, uint8_t type)
{
	rd_bytes(r, rl->pubkey, SIG_PUBKEY_LEN);
	rd_addr(r, &rl->relayed);
	if (!r->bad && !relay_valid(rl, type))
		r->bad = true;
}

/* The REST username and password are printable ASCII without blanks; a
 * server is an address with a port (kind 0). */
static bool cred_text_ok(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return false;
	return n >= 1 && n <= max;
}

static bool cred_valid(const struct sig_turn_cred *c)
{
	if (c->n_servers > SIG_TURN_SERVERS_MAX)
		return false;
	for (unsigned i = 0; i < c->n_servers; i++)
		if (c->servers[i].addr.family == NET_AF_NONE || !c->servers[i].port)
			return false;
	if (!c->n_servers) /* no relay here: nothing else */
		return !c->user[0] && !c->pass[0];
	return cred_text_ok(c->user, SIG_TURN_USER_MAX) && cred_text_ok(c->pass, SIG_TURN_PASS_MAX);
}

static void wr_cred(struct wr *w, const struct sig_turn_cred *c)
{
	size_t ul = strnlen(c->user, SIG_TURN_USER_MAX), pl = strnlen(c->pass, SIG_TURN_PASS_MAX);

	if (!cred_valid(c)) {
		w->bad = true;
		return;
	}
	wr_be(w, c->expiry_s, 8);
	wr_be(w, c->n_servers, 1);
	wr_be(w, ul, 1);
	wr_be(w, pl, 1);
	wr_be(w, 0, 1);
	for (unsigned i = 0; i < c->n_servers; i++)
		wr_addr(w, &(struct sig_addr){ .ep = c->servers[i] });
	wr_bytes(w, c->user, ul);
	wr_bytes(w, c->pass, pl);
}

static void rd_cred(struct rd *r, struct sig_turn_cred *c)
{
	size_t ul, pl;

	memset(c, 0, sizeof(*c));
	c->expiry_s = rd_be(r, 8);
	c->n_servers = (uint8_t)rd_be(r, 1);
	ul = (size_t)rd_be(r, 1);
	pl = (size_t)rd_be(r, 1);
	if (rd_be(r, 1) || c->n_servers > SIG_TURN_SERVERS_MAX || ul > SIG_TURN_USER_MAX ||
	    pl > SIG_TURN_PASS_MAX) {
		r->bad = true;
		return;
	}
	for (unsigned i = 0; i < c->n_servers; i++) {
		struct sig_addr a;

		rd_addr(r, &a);
		if (a.kind)
			r->bad = true;
		c->servers[i] = a.ep;
	}
	rd_bytes(r, c->user, ul);
	rd_bytes(r, c->pass, pl);
	if (!r->bad && !cred_valid(c))
		r->bad = true;
}

static void wr_body(struct wr *w, const struct sig_msg *m)
{
	switch (m->type) {
	case SIG_REGISTER:
	case SIG_PUNCH:
		wr_peer(w, &m->u.reg);
		break;
	case SIG_REGISTER_ACK:
	case SIG_HEARTBEAT_ACK:
		wr_ack(w, &m->u.ack);
		break;
	case SIG_HEARTBEAT:
		wr_bytes(w, m->u.hb.pubkey, SIG_PUBKEY_LEN);
		wr_be(w, m->u.hb.epoch, 4);
		wr_be(w, m->u.hb.version, 8);
		wr_be(w, m->u.hb.cursor, 4);
		break;
	case SIG_LEAVE:
		wr_bytes(w, m->u.leave, SIG_PUBKEY_LEN);
		break;
	case SIG_QUERY_PEER:
		wr_bytes(w, m->u.query.pubkey, SIG_PUBKEY_LEN);
		wr_target(w, &m->u.query.target);
		break;
	case SIG_PEER_INFO:
		wr_target(w, &m->u.info.target);
		wr_peer(w, &m->u.info.peer);
		break;
	case SIG_NOT_FOUND:
		wr_target(w, &m->u.target);
		break;
	case SIG_CHALLENGE:
		wr_bytes(w, m->u.challenge.nucleus_key, SIG_PUBKEY_LEN);
		wr_be(w, m->u.challenge.epoch, 4);
		wr_bytes(w, m->u.challenge.token, SIG_TOKEN_LEN);
		break;
	case SIG_TURN_ASK:
	case SIG_RELAY_INFO:
		wr_relay(w, &m->u.relay, m->type);
		break;
	case SIG_TURN_CRED:
		wr_cred(w, &m->u.cred);
		break;
	default:
		w->bad = true;
	}
}

static void rd_body(struct rd *r, struct sig_msg *m)
{
	switch (m->type) {
	case SIG_REGISTER:
	case SIG_PUNCH:
		rd_peer(r, &m->u.reg);
		if (m->type == SIG_REGISTER && m->u.reg.n_cand > SIG_CAND_EDGE_MAX)
			r->bad = true;
		break;
	case SIG_REGISTER_ACK:
	case SIG_HEARTBEAT_ACK:
		rd_ack(r, &m->u.ack);
		break;
	case SIG_HEARTBEAT:
		rd_bytes(r, m->u.hb.pubkey, SIG_PUBKEY_LEN);
		m->u.hb.epoch = (uint32_t)rd_be(r, 4);
		m->u.hb.version = rd_be(r, 8);
		m->u.hb.cursor = (uint32_t)rd_be(r, 4);
		break;
	case SIG_LEAVE:
		rd_bytes(r, m->u.leave, SIG_PUBKEY_LEN);
		break;
	case SIG_QUERY_PEER:
		rd_bytes(r, m->u.query.pubkey, SIG_PUBKEY_LEN);
		rd_target(r, &m->u.query.target);
		break;
	case SIG_PEER_INFO:
		rd_target(r, &m->u.info.target);
		rd_peer(r, &m->u.info.peer);
		break;
	case SIG_NOT_FOUND:
		rd_target(r, &m->u.target);
		break;
	case SIG_CHALLENGE:
		rd_bytes(r, m->u.challenge.nucleus_key, SIG_PUBKEY_LEN);
		m->u.challenge.epoch = (uint32_t)rd_be(r, 4);
		rd_bytes(r, m->u.challenge.token, SIG_TOKEN_LEN);
		break;
	case SIG_TURN_ASK:
	case SIG_RELAY_INFO:
		rd_relay(r, &m->u.relay, m->type);
		break;
	case SIG_TURN_CRED:
		rd_cred(r, &m->u.cred);
		break;
	default:
		r->bad = true;
	}
	if (r->off != r->len) /* trailing bytes */
		r->bad = true;
}

/* ---- datagrams ---- */

bool sig_is_signaling(const uint8_t *p, size_t len)
{
	return len >= SIG_DATAGRAM_MIN && be_get(p, 4) == SIG_MAGIC;
}

/* Bytes of the name trailer (0 without one); SIG_DATAGRAM_MAX when its
 * length byte is out of range, so that the caller finds it truncated. */
static size_t trailer_len(const uint8_t *p, size_t len, const struct sig_msg *m)
{
	uint8_t n;

	if (!m->named)
		return 0;
	if (len < SIG_DATAGRAM_MIN + 1)
		return SIG_DATAGRAM_MAX;
	n = p[len - SIG_MAC_LEN - 1];
	return n && n <= SIG_CLUSTER_NAME_MAX ? n + SIG_TAG_LEN + 1u : SIG_DATAGRAM_MAX;
}

enum sig_drop sig_peek(const uint8_t *p, size_t len, struct sig_msg *m)
{
	if (len < 4)
		return SIG_DROP_TRUNCATED;
	if (be_get(p, 4) != SIG_MAGIC)
		return SIG_DROP_BAD_MAGIC;
	if (len < SIG_DATAGRAM_MIN)
		return SIG_DROP_TRUNCATED;
	if (len > SIG_DATAGRAM_MAX)
		return SIG_DROP_TOO_BIG;
	if (p[4] != SIG_VERSION)
		return SIG_DROP_BAD_VERSION;
	if (p[5] == 0 || p[5] >= SIG_TYPE_COUNT || !sig_type_name_known(p[5]) ||
	    (p[6] & ~(SIG_FLAG_ENC | SIG_FLAG_NAME | SIG_FLAG_ID)) || p[7] != 0)
		return SIG_DROP_BAD_TYPE;
	m->type = p[5];
	m->enc = p[6] & SIG_FLAG_ENC;
	m->named = p[6] & SIG_FLAG_NAME;
	m->id = p[6] & SIG_FLAG_ID;
	memcpy(m->cluster_id, p + 8, SIG_CLUSTER_ID_LEN);
	m->ts_ms = be_get(p + 16, 8);
	m->seq = (uint32_t)be_get(p + 24, 4);
	memcpy(m->nonce, p + 28, SIG_NONCE_LEN);
	if (len < SIG_DATAGRAM_MIN + (m->enc ? SIG_TAG_LEN : 0) + trailer_len(p, len, m) +
			  (m->id ? SIG_ID_TRAILER_LEN : 0))
		return SIG_DROP_TRUNCATED;
	return SIG_OK;
}

void sig_msg_stamp(struct sig_msg *m, uint64_t now_ms)
{
	m->ts_ms = now_ms;
	randombytes_buf(m->nonce, sizeof(m->nonce));
}

/* XChaCha20 nonce: the 16 random bytes, then the timestamp field. */
static void aead_nonce(const uint8_t *hdr, uint8_t n[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES])
{
	memcpy(n, hdr + 28, SIG_NONCE_LEN);
	memcpy(n + SIG_NONCE_LEN, hdr + 16, 8);
}

/* The name trailer: k's name sealed under its name key (the header as
 * associated data, the body's nonce: another key), then its length. */
static void wr_name(struct wr *w, const struct sig_keys *k, const uint8_t *hdr,
		    const uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES])
{
	uint8_t *at = wr_take(w, k->name_len + SIG_TAG_LEN + 1u);
	unsigned long long clen;

	if (!at)
		return;
	crypto_aead_xchacha20poly1305_ietf_encrypt(at, &clen, (const uint8_t *)k->name, k->name_len,
						   hdr, SIG_HEADER_LEN, NULL, nonce, k->name_key);
	at[k->name_len + SIG_TAG_LEN] = k->name_len;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

enum sig_drop sig_open_name(const uint8_t name_key[SIG_KEY_LEN], const uint8_t *p, size_t len,
			    char name[SIG_CLUSTER_NAME_MAX + 1])
{
	uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
	size_t n = p[len - SIG_MAC_LEN - 1];
	const uint8_t *sealed = p + len - SIG_MAC_LEN - 1 - n - SIG_TAG_LEN;
	unsigned long long plen;

	aead_nonce(p, nonce);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt((uint8_t *)name, &plen, NULL, sealed,
						       n + SIG_TAG_LEN, p, SIG_HEADER_LEN, nonce,
						       name_key) != 0)
		return SIG_DROP_WRONG_SECRET;
	name[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (!name_char(name[i]))
			return SIG_DROP_BAD_BODY;
	return SIG_OK;
}

/* The identity trailer: epoch, token, then the MAC of all before it. */
static void wr_ident(struct wr *w, const struct sig_msg *m, const uint8_t *id_key)
{
	uint8_t *at;

	wr_be(w, m->id_epoch, 4);
	wr_bytes(w, m->token, SIG_TOKEN_LEN);
	at = wr_take(w, SIG_ID_MAC_LEN);
	if (at)
		sig_ident_mac(at, id_key, w->p, w->len - SIG_ID_MAC_LEN);
}

size_t sig_encode(const struct sig_keys *k, const struct sig_msg *m, uint8_t *out, size_t cap)
{
	return sig_encode_id(k, m, NULL, out, cap);
}

size_t sig_encode_id(const struct sig_keys *k, const struct sig_msg *m, const uint8_t *id_key,
		     uint8_t *out, size_t cap)
{
	uint8_t body[SIG_BODY_MAX], nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
	struct wr w = { out, 0, cap < SIG_DATAGRAM_MAX ? cap : SIG_DATAGRAM_MAX, false };
	struct wr b = { body, 0, sizeof(body), false };
	unsigned long long clen;
	uint8_t *at;

	if (m->type == 0 || m->type >= SIG_TYPE_COUNT || (m->id && !id_key))
		return 0;
	wr_body(&b, m);
	wr_be(&w, SIG_MAGIC, 4);
	wr_be(&w, SIG_VERSION, 1);
	wr_be(&w, m->type, 1);
	wr_be(&w,
	      (m->enc ? SIG_FLAG_ENC : 0) | (m->named ? SIG_FLAG_NAME : 0) |
		      (m->id ? SIG_FLAG_ID : 0),
	      1);
	wr_be(&w, 0, 1);
	wr_bytes(&w, k->cluster_id, SIG_CLUSTER_ID_LEN);
	wr_be(&w, m->ts_ms, 8);
	wr_be(&w, m->seq, 4);
	wr_bytes(&w, m->nonce, SIG_NONCE_LEN);
	at = wr_take(&w, b.len + (m->enc ? SIG_TAG_LEN : 0));
	if (b.bad || !at || (m->named && !k->name_len))
		goto fail;
	aead_nonce(out, nonce);
	if (m->enc)
		crypto_aead_xchacha20poly1305_ietf_encrypt(at, &clen, body, b.len, out,
							   SIG_HEADER_LEN, NULL, nonce, k->enc_key);
	else
		memcpy(at, body, b.len);
	if (m->id)
		wr_ident(&w, m, id_key);
	if (m->named)
		wr_name(&w, k, out, nonce);
	if (w.bad || w.cap - w.len < SIG_MAC_LEN)
		goto fail;
	crypto_auth_hmacsha256(out + w.len, out, w.len, k->mac_key);
	sodium_memzero(body, sizeof(body));
	return w.len + SIG_MAC_LEN;
fail:
	sodium_memzero(body, sizeof(body));
	return 0;
}

enum sig_drop sig_decode(const struct sig_keys *k, const uint8_t *p, size_t len, struct sig_msg *m)
{
	uint8_t body[SIG_BODY_MAX + SIG_TAG_LEN],
		nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
	enum sig_drop d = sig_peek(p, len, m);
	size_t blen;
	unsigned long long plen;
	struct rd r;

	if (d != SIG_OK)
		return d;
	blen = len - SIG_DATAGRAM_MIN - trailer_len(p, len, m) - (m->id ? SIG_ID_TRAILER_LEN : 0);
	/* A datagram without trailers has room for a body larger than any
	 * message (and than body[]): not ours, whatever its MAC. */
	if (blen > SIG_BODY_MAX + (m->enc ? SIG_TAG_LEN : 0))
		return SIG_DROP_TOO_BIG;
	if (sodium_memcmp(p + 8, k->cluster_id, SIG_CLUSTER_ID_LEN) != 0)
		return SIG_DROP_UNKNOWN_CLUSTER;
	if (crypto_auth_hmacsha256_verify(p + len - SIG_MAC_LEN, p, len - SIG_MAC_LEN,
					  k->mac_key) != 0)
		return SIG_DROP_BAD_MAC;
	if (m->enc) {
		aead_nonce(p, nonce);
		if (crypto_aead_xchacha20poly1305_ietf_decrypt(body, &plen, NULL,
							       p + SIG_HEADER_LEN, blen, p,
							       SIG_HEADER_LEN, nonce,
							       k->enc_key) != 0)
			return SIG_DROP_BAD_CIPHER;
		blen = plen;
	} else {
		memcpy(body, p + SIG_HEADER_LEN, blen);
	}
	if (m->id) {
		const uint8_t *t =
			p + len - SIG_MAC_LEN - trailer_len(p, len, m) - SIG_ID_TRAILER_LEN;

		m->id_epoch = (uint32_t)be_get(t, 4);
		memcpy(m->token, t + 4, SIG_TOKEN_LEN);
	} else {
		m->id_epoch = 0;
		memset(m->token, 0, SIG_TOKEN_LEN);
	}
	r = (struct rd){ body, blen, 0, false };
	rd_body(&r, m);
	sodium_memzero(body, sizeof(body));
	return r.bad ? SIG_DROP_BAD_BODY : SIG_OK;
}

/* ---- names ---- */

const char *sig_drop_name(enum sig_drop d)
{
	static const char *const names[] = { [SIG_OK] = "ok",
#define SIG_DROP_NAME(name, text) [SIG_DROP_##name] = text,
					     SIG_DROPS(SIG_DROP_NAME)
#undef SIG_DROP_NAME
	};

	return (unsigned)d < SIG_DROP_COUNT ? names[d] : "?";
}

const char *sig_type_name(unsigned type)
{
	static const char *const names[SIG_TYPE_COUNT] = {
		[SIG_REGISTER] = "REGISTER",     [SIG_REGISTER_ACK] = "REGISTER_ACK",
		[SIG_HEARTBEAT] = "HEARTBEAT",   [SIG_HEARTBEAT_ACK] = "HEARTBEAT_ACK",
		[SIG_QUERY_PEER] = "QUERY_PEER", [SIG_PEER_INFO] = "PEER_INFO",
		[SIG_NOT_FOUND] = "NOT_FOUND",   [SIG_PUNCH] = "PUNCH",
		[SIG_LEAVE] = "LEAVE",           [SIG_TURN_ASK] = "TURN_ASK",
		[SIG_TURN_CRED] = "TURN_CRED",   [SIG_RELAY_INFO] = "RELAY_INFO",
		[SIG_CHALLENGE] = "CHALLENGE",
	};

	return type > 0 && type < SIG_TYPE_COUNT && names[type] ? names[type] : "?";
}

bool sig_type_name_known(unsigned type)
{
	return strcmp(sig_type_name(type), "?") != 0;
}

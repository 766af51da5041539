/* SPDX-License-Identifier: MIT */
/*
 * The nucleus's identity checks (docs/signaling.md, "Identity"), after the
 * cluster HMAC, the per-source limiter and the nonce cache:
 *
 *   REGISTER without a valid token for its key from its source address
 *       -> CHALLENGE (the nucleus key, epoch, a token): stateless, no DH,
 *          no larger than the REGISTER. Tokens are keyed BLAKE2s of the
 *          address, key and cluster under a key random at start, so a
 *          REGISTER captured before a restart, or sent from an address
 *          that does not receive, never gets past here.
 *   REGISTER with a token -> the member's identity MAC, under its cached
 *          key or one DH, constant time; then it is registered (proven).
 *   HEARTBEAT / QUERY / LEAVE -> the MAC under the member's cached key; a
 *          HEARTBEAT of a key unknown in this epoch (the nucleus restarted)
 *          is checked with one DH and answered "register again", signed
 *          (CHALLENGE when the MAC was made for another nucleus key);
 *          a proven member's HEARTBEAT from another address is answered
 *          CHALLENGE: it moves only by a REGISTER echoing a token from
 *          there (return routability).
 *   No trailer -> served as before only with legacy_members, and never for
 *          a key that has proven itself.
 */
#include <string.h>

#include <sodium.h>

#include "ident.h"
#include "nucleus_int.h"
#include "wg/key.h"

int sig_nucleus_ident_init(struct sig_nucleus *n, const struct sig_nucleus_conf *conf)
{
	if (conf->private_key)
		memcpy(n->priv, conf->private_key, SIG_PUBKEY_LEN);
	else
		wg_key_generate_private(n->priv);
	if (!wg_key_public(n->pub, n->priv))
		return -1;
	randombytes_buf(n->token_key, sizeof(n->token_key));
	n->legacy = conf->legacy_members;
	return 0;
}

static void token_at(const struct sig_nucleus *n, const struct cluster *c, const uint8_t *key,
		     const struct net_endpoint *from, uint64_t bucket, uint8_t out[SIG_TOKEN_LEN])
{
	uint8_t msg[8 + SIG_CLUSTER_ID_LEN + 1 + 2 + 16 + SIG_PUBKEY_LEN], *q = msg;

	for (int i = 7; i >= 0; i--)
		*q++ = (uint8_t)(bucket >> (8 * i));
	memcpy(q, c->token_id, SIG_CLUSTER_ID_LEN);
	q += SIG_CLUSTER_ID_LEN;
	*q++ = from->addr.family;
	*q++ = (uint8_t)(from->port >> 8);
	*q++ = (uint8_t)from->port;
	memcpy(q, from->addr.b, 16);
	q += 16;
	memcpy(q, key, SIG_PUBKEY_LEN);
	sig_ident_mac(out, n->token_key, msg, sizeof(msg));
}

void sig_nucleus_token(const struct sig_nucleus *n, const struct cluster *c, const uint8_t *key,
		       const struct net_endpoint *from, uint64_t now, uint8_t out[SIG_TOKEN_LEN])
{
	token_at(n, c, key, from, now / SIG_TOKEN_MS, out);
}

/* A token of this bucket or the one before, for this key at this address. */
static bool token_valid(const struct sig_nucleus *n, const struct cluster *c, const uint8_t *key,
			const struct net_endpoint *from, const uint8_t *token, uint64_t now)
{
	uint64_t b = now / SIG_TOKEN_MS;
	uint8_t want[SIG_TOKEN_LEN];
	bool ok = false;

	for (uint64_t k = 0; k < 2 && k <= b && !ok; k++) {
		token_at(n, c, key, from, b - k, want);
		ok = sodium_memcmp(want, token, SIG_TOKEN_LEN) == 0;
	}
	return ok;
}

/* The identity MAC of p under the member's cached key, or one DH. */
static enum sig_drop check_mac(struct sig_nucleus *n, const struct member *mb, const uint8_t *key,
			       const uint8_t *p, size_t len)
{
	if (mb && mb->proven)
		memcpy(n->id_key, mb->id_key, SIG_KEY_LEN);
	else if (sig_ident_key(n->id_key, n->priv, key, key, n->pub) < 0)
		return SIG_DROP_BAD_IDENTITY;
	if (!sig_ident_verify(n->id_key, p, len))
		return SIG_DROP_BAD_IDENTITY;
	n->signed_reply = true;
	return SIG_OK;
}

enum sig_drop sig_nucleus_ident(struct sig_nucleus *n, struct cluster *c, const struct sig_msg *m,
				const uint8_t *p, size_t len, const struct net_endpoint *from,
				uint64_t now, enum sig_ident_act *act)
{
	const uint8_t *key = sig_msg_key(m);
	uint32_t i = sig_peerset_find(&c->members, SIG_BY_PUBKEY, key);
	const struct member *mb = i == SIG_NONE ? NULL : member_at(c, i);
	bool proven = mb && mb->proven;
	enum sig_drop d;

	*act = SIG_ID_GO;
	n->signed_reply = false;
	if (!m->id)
		return n->legacy && !proven ? SIG_OK : SIG_DROP_NO_IDENTITY;
	if (m->type == SIG_REGISTER && !token_valid(n, c, key, from, m->token, now)) {
		*act = SIG_ID_CHALLENGE;
		return SIG_OK;
	}
	if (!proven &&
	    (m->type == SIG_QUERY_PEER || m->type == SIG_LEAVE || m->type == SIG_TURN_ASK))
		return SIG_DROP_NOT_MEMBER; /* no DH for a key we do not know */
	d = check_mac(n, mb, key, p, len);
	if (d == SIG_DROP_BAD_IDENTITY && !proven && m->type == SIG_HEARTBEAT) {
		/* Made under another nucleus key (ours changed at a restart
		 * without a key file): our key and a token, stateless. */
		*act = SIG_ID_CHALLENGE;
		return SIG_OK;
	}
	if (d != SIG_OK || m->type == SIG_REGISTER)
		return d;
	if (!proven || m->id_epoch != n->epoch) {
		if (m->type != SIG_HEARTBEAT)
			return SIG_DROP_STALE_EPOCH;
		*act = SIG_ID_UNKNOWN;
	} else if (m->type == SIG_HEARTBEAT && !net_endpoint_equal(&mb->peer.cand[0].ep, from)) {
		*act = SIG_ID_CHALLENGE;
	}
	return SIG_OK;
}

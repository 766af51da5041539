/* SPDX-License-Identifier: MIT */
/*
 * Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s, as WireGuard uses it.
 *
 *   initiator                                    responder
 *   ---------                                    ---------
 *   C = HASH(CONSTRUCTION); H = HASH(C || IDENTIFIER); H = HASH(H || S_r)
 *   e:  C = KDF1(C, E_i); H = HASH(H || E_i)
 *   es: (C, k) = KDF2(C, DH(E_i, S_r)); static = AEAD(k, 0, S_i, H)
 *   ss: (C, k) = KDF2(C, DH(S_i, S_r)); timestamp = AEAD(k, 0, TAI64N, H)
 *                        ---- initiation ---->
 *   e:  C = KDF1(C, E_r); H = HASH(H || E_r)
 *   ee: C = KDF1(C, DH(E_r, E_i))
 *   se: C = KDF1(C, DH(E_r, S_i))
 *   psk:(C, t, k) = KDF3(C, Q); H = HASH(H || t); empty = AEAD(k, 0, "", H)
 *                        <---- response -----
 *   (T_send_i, T_recv_i) = KDF2(C, "") = (T_recv_r, T_send_r)
 *
 * Every AEAD output is mixed into H after it is produced. Reference: the
 * WireGuard paper, section 5.4; the Noise Protocol Framework, revision 34.
 */
#include <endian.h>
#include <string.h>

#include <sodium.h>

#include "crypto.h"
#include "key.h"
#include "noise.h"

static const char construction[] = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
static const char identifier[] = "WireGuard v1 zx2c4 Jason@zx2c4.com";

/* The chaining key and hash every handshake starts from, before S_r. */
static void handshake_init_state(uint8_t ck[WG_HASH_LEN], uint8_t h[WG_HASH_LEN],
				 const uint8_t responder_static[WG_KEY_LEN])
{
	wg_hash2(ck, construction, sizeof(construction) - 1, NULL, 0);
	wg_hash2(h, ck, WG_HASH_LEN, identifier, sizeof(identifier) - 1);
	wg_mix_hash(h, responder_static, WG_KEY_LEN);
}

/* e token: C = KDF1(C, E); H = HASH(H || E). */
static void mix_ephemeral(uint8_t ck[WG_HASH_LEN], uint8_t h[WG_HASH_LEN],
			  const uint8_t ephemeral[WG_KEY_LEN])
{
	wg_mix_hash(h, ephemeral, WG_KEY_LEN);
	wg_kdf(ck, NULL, NULL, ck, ephemeral, WG_KEY_LEN);
}

/* (C, k) = KDF2(C, DH(priv, pub)); k may be NULL. False on a zero DH. */
static bool mix_dh(uint8_t ck[WG_HASH_LEN], uint8_t key[WG_KEY_LEN], const uint8_t priv[WG_KEY_LEN],
		   const uint8_t pub[WG_KEY_LEN])
{
	uint8_t dh[WG_KEY_LEN];

	if (wg_dh(dh, priv, pub))
		return false;
	wg_kdf(ck, key, NULL, ck, dh, WG_KEY_LEN);
	sodium_memzero(dh, sizeof(dh));
	return true;
}

static void mix_psk(uint8_t ck[WG_HASH_LEN], uint8_t h[WG_HASH_LEN], uint8_t key[WG_KEY_LEN],
		    const uint8_t psk[WG_KEY_LEN])
{
	uint8_t tau[WG_HASH_LEN];

	wg_kdf(ck, tau, key, ck, psk, WG_KEY_LEN);
	wg_mix_hash(h, tau, WG_HASH_LEN);
	sodium_memzero(tau, sizeof(tau));
}

static void seal_and_hash(uint8_t *dst, const void *src, size_t len, const uint8_t key[WG_KEY_LEN],
			  uint8_t h[WG_HASH_LEN])
{
	wg_aead_seal_small(dst, src, len, 0, h, key);
	wg_mix_hash(h, dst, len + WG_AEAD_TAG_LEN);
}

static bool open_and_hash(uint8_t *dst, const uint8_t *src, size_t len,
			  const uint8_t key[WG_KEY_LEN], uint8_t h[WG_HASH_LEN])
{
	if (wg_aead_open_small(dst, src, len, 0, h, key))
		return false;
	wg_mix_hash(h, src, len);
	return true;
}

static void make_ephemeral(uint8_t priv[WG_KEY_LEN], uint8_t pub[WG_KEY_LEN])
{
	wg_key_generate_private(priv);
	crypto_scalarmult_curve25519_base(pub, priv);
}

static void new_ephemeral(const struct wg_static_identity *id, uint8_t priv[WG_KEY_LEN],
			  uint8_t pub[WG_KEY_LEN])
{
	if (!id->ephemerals || !wg_ephemerals_take(id->ephemerals, priv, pub))
		make_ephemeral(priv, pub);
}

bool wg_ephemerals_init(struct wg_ephemerals *e, unsigned cap)
{
	e->n = 0;
	e->cap = 0;
	e->keys = sodium_allocarray(cap, sizeof(*e->keys));
	if (!e->keys)
		return false;
	e->cap = cap;
	return true;
}

bool wg_ephemerals_make_one(struct wg_ephemerals *e)
{
	if (e->n >= e->cap)
		return false;
	make_ephemeral(e->keys[e->n].private_key, e->keys[e->n].public_key);
	e->n++;
	return true;
}

bool wg_ephemerals_take(struct wg_ephemerals *e, uint8_t priv[WG_KEY_LEN], uint8_t pub[WG_KEY_LEN])
{
	struct wg_ephemeral *k;

	if (!e->n)
		return false;
	k = &e->keys[--e->n];
	memcpy(priv, k->private_key, WG_KEY_LEN);
	memcpy(pub, k->public_key, WG_KEY_LEN);
	sodium_memzero(k, sizeof(*k));
	return true;
}

void wg_ephemerals_free(struct wg_ephemerals *e)
{
	sodium_free(e->keys); /* wipes */
	e->keys = NULL;
	e->n = 0;
	e->cap = 0;
}

bool wg_identity_init(struct wg_static_identity *id, const uint8_t private_key[WG_KEY_LEN])
{
	/* Idempotent; makes libsodium's choices (and randombytes) ready. */
	if (sodium_init() < 0)
		return false;
	memcpy(id->private_key, private_key, WG_KEY_LEN);
	id->ephemerals = NULL;
	if (!wg_key_public(id->public_key, id->private_key)) {
		wg_identity_wipe(id);
		return false;
	}
	return true;
}

void wg_identity_wipe(struct wg_static_identity *id)
{
	sodium_memzero(id, sizeof(*id));
}

enum wg_result wg_handshake_init(struct wg_handshake *hs, const struct wg_static_identity *id,
				 const uint8_t remote_static[WG_KEY_LEN],
				 const uint8_t psk[WG_KEY_LEN])
{
	memset(hs, 0, sizeof(*hs));
	hs->identity = id;
	memcpy(hs->remote_static, remote_static, WG_KEY_LEN);
	if (psk)
		memcpy(hs->preshared_key, psk, WG_KEY_LEN);
	if (wg_dh(hs->precomputed_static_static, id->private_key, remote_static)) {
		wg_handshake_wipe(hs);
		return WG_BAD_DH;
	}
	return WG_OK;
}

void wg_handshake_clear(struct wg_handshake *hs)
{
	sodium_memzero(hs->ephemeral_private, WG_KEY_LEN);
	sodium_memzero(hs->remote_ephemeral, WG_KEY_LEN);
	sodium_memzero(hs->hash, WG_HASH_LEN);
	sodium_memzero(hs->chaining_key, WG_HASH_LEN);
	hs->local_index = 0;
	hs->remote_index = 0;
	hs->state = WG_HS_ZEROED;
}

void wg_handshake_wipe(struct wg_handshake *hs)
{
	sodium_memzero(hs, sizeof(*hs));
}

void wg_tai64n(uint8_t out[WG_TIMESTAMP_LEN], uint64_t unix_ns)
{
	/* TAI64 label: 2^62 + 10 + seconds; nanoseconds blunted to 2^24 ns so
	 * the timestamp says little about the sender's clock. */
	uint64_t secs = 0x400000000000000aULL + unix_ns / WG_NSEC_PER_SEC;
	uint32_t nsec = (uint32_t)(unix_ns % WG_NSEC_PER_SEC) & ~((1u << 24) - 1);

	secs = htobe64(secs);
	nsec = htobe32(nsec);
	memcpy(out, &secs, 8);
	memcpy(out + 8, &nsec, 4);
}

enum wg_result wg_noise_create_initiation(struct wg_handshake *hs, struct wg_msg_initiation *msg,
					  const uint8_t timestamp[WG_TIMESTAMP_LEN],
					  uint32_t local_index)
{
	uint8_t key[WG_KEY_LEN];
	enum wg_result ret = WG_BAD_DH;

	wg_handshake_clear(hs);
	memset(msg, 0, sizeof(*msg));
	msg->header.type = htole32(WG_MSG_HANDSHAKE_INITIATION);
	handshake_init_state(hs->chaining_key, hs->hash, hs->remote_static);

	new_ephemeral(hs->identity, hs->ephemeral_private, msg->unencrypted_ephemeral);
	mix_ephemeral(hs->chaining_key, hs->hash, msg->unencrypted_ephemeral);

	if (!mix_dh(hs->chaining_key, key, hs->ephemeral_private, hs->remote_static))
		goto out;
	seal_and_hash(msg->encrypted_static, hs->identity->public_key, WG_KEY_LEN, key, hs->hash);

	wg_kdf(hs->chaining_key, key, NULL, hs->chaining_key, hs->precomputed_static_static,
	       WG_KEY_LEN);
	seal_and_hash(msg->encrypted_timestamp, timestamp, WG_TIMESTAMP_LEN, key, hs->hash);

	msg->sender_index = htole32(local_index);
	hs->local_index = local_index;
	hs->state = WG_HS_CREATED_INITIATION;
	ret = WG_OK;
out:
	if (ret != WG_OK)
		wg_handshake_clear(hs);
	sodium_memzero(key, sizeof(key));
	return ret;
}

/* What an initiation proves, before anything is committed to a handshake. */
struct initiation_secrets {
	uint8_t ck[WG_HASH_LEN];
	uint8_t h[WG_HASH_LEN];
	uint8_t key[WG_KEY_LEN];
	uint8_t s[WG_KEY_LEN];
	uint8_t t[WG_TIMESTAMP_LEN];
};

static enum wg_result initiation_open(struct initiation_secrets *x,
				      const struct wg_msg_initiation *msg,
				      const struct wg_static_identity *id, wg_peer_lookup_fn lookup,
				      void *ctx, struct wg_handshake **hs_out)
{
	struct wg_handshake *hs;

	handshake_init_state(x->ck, x->h, id->public_key);
	mix_ephemeral(x->ck, x->h, msg->unencrypted_ephemeral);
	if (!mix_dh(x->ck, x->key, id->private_key, msg->unencrypted_ephemeral))
		return WG_BAD_DH;
	if (!open_and_hash(x->s, msg->encrypted_static, sizeof(msg->encrypted_static), x->key,
			   x->h))
		return WG_BAD_STATIC;
	hs = lookup(ctx, x->s);
	if (!hs)
		return WG_UNKNOWN_PEER;
	wg_kdf(x->ck, x->key, NULL, x->ck, hs->precomputed_static_static, WG_KEY_LEN);
	if (!open_and_hash(x->t, msg->encrypted_timestamp, sizeof(msg->encrypted_timestamp), x->key,
			   x->h))
		return WG_BAD_TIMESTAMP_TAG;
	*hs_out = hs;
	return WG_OK;
}

enum wg_result wg_noise_consume_initiation(const struct wg_msg_initiation *msg,
					   const struct wg_static_identity *id,
					   wg_peer_lookup_fn lookup, void *ctx, uint64_t now_ns,
					   struct wg_handshake **hs_out)
{
	struct initiation_secrets x;
	struct wg_handshake *hs = NULL;
	enum wg_result ret;

	ret = initiation_open(&x, msg, id, lookup, ctx, &hs);
	if (ret != WG_OK)
		goto out;
	/* TAI64N is big-endian: byte order is time order. */
	if (memcmp(x.t, hs->latest_timestamp, WG_TIMESTAMP_LEN) <= 0) {
		ret = WG_REPLAYED_TIMESTAMP;
		goto out;
	}
	if (hs->have_consumed_initiation && now_ns - hs->last_initiation_consumption_ns <
						    WG_NSEC_PER_SEC / WG_INITIATIONS_PER_SECOND) {
		ret = WG_INITIATION_FLOOD;
		goto out;
	}

	wg_handshake_clear(hs);
	memcpy(hs->remote_ephemeral, msg->unencrypted_ephemeral, WG_KEY_LEN);
	memcpy(hs->latest_timestamp, x.t, WG_TIMESTAMP_LEN);
	memcpy(hs->hash, x.h, WG_HASH_LEN);
	memcpy(hs->chaining_key, x.ck, WG_HASH_LEN);
	hs->remote_index = le32toh(msg->sender_index);
	hs->last_initiation_consumption_ns = now_ns;
	hs->have_consumed_initiation = true;
	hs->state = WG_HS_CONSUMED_INITIATION;
	*hs_out = hs;
out:
	sodium_memzero(&x, sizeof(x));
	return ret;
}

enum wg_result wg_noise_create_response(struct wg_handshake *hs, struct wg_msg_response *msg,
					uint32_t local_index)
{
	uint8_t key[WG_KEY_LEN];
	enum wg_result ret = WG_BAD_DH;

	if (hs->state != WG_HS_CONSUMED_INITIATION)
		return WG_BAD_STATE;
	memset(msg, 0, sizeof(*msg));
	msg->header.type = htole32(WG_MSG_HANDSHAKE_RESPONSE);
	msg->receiver_index = htole32(hs->remote_index);

	new_ephemeral(hs->identity, hs->ephemeral_private, msg->unencrypted_ephemeral);
	mix_ephemeral(hs->chaining_key, hs->hash, msg->unencrypted_ephemeral);
	if (!mix_dh(hs->chaining_key, NULL, hs->ephemeral_private, hs->remote_ephemeral) ||
	    !mix_dh(hs->chaining_key, NULL, hs->ephemeral_private, hs->remote_static))
		goto out;
	mix_psk(hs->chaining_key, hs->hash, key, hs->preshared_key);
	seal_and_hash(msg->encrypted_nothing, NULL, 0, key, hs->hash);

	msg->sender_index = htole32(local_index);
	hs->local_index = local_index;
	hs->state = WG_HS_CREATED_RESPONSE;
	ret = WG_OK;
out:
	if (ret != WG_OK)
		wg_handshake_clear(hs);
	sodium_memzero(key, sizeof(key));
	return ret;
}

enum wg_result wg_noise_consume_response(const struct wg_msg_response *msg, struct wg_handshake *hs)
{
	uint8_t ck[WG_HASH_LEN], h[WG_HASH_LEN], key[WG_KEY_LEN];
	enum wg_result ret;

	if (hs->state != WG_HS_CREATED_INITIATION)
		return WG_BAD_STATE;
	if (le32toh(msg->receiver_index) != hs->local_index)
		return WG_UNKNOWN_INDEX;
	memcpy(ck, hs->chaining_key, WG_HASH_LEN);
	memcpy(h, hs->hash, WG_HASH_LEN);

	mix_ephemeral(ck, h, msg->unencrypted_ephemeral);
	ret = WG_BAD_DH;
	if (!mix_dh(ck, NULL, hs->ephemeral_private, msg->unencrypted_ephemeral) ||
	    !mix_dh(ck, NULL, hs->identity->private_key, msg->unencrypted_ephemeral))
		goto out;
	mix_psk(ck, h, key, hs->preshared_key);
	ret = WG_BAD_EMPTY_TAG;
	if (!open_and_hash(NULL, msg->encrypted_nothing, sizeof(msg->encrypted_nothing), key, h))
		goto out;

	memcpy(hs->remote_ephemeral, msg->unencrypted_ephemeral, WG_KEY_LEN);
	memcpy(hs->chaining_key, ck, WG_HASH_LEN);
	memcpy(hs->hash, h, WG_HASH_LEN);
	hs->remote_index = le32toh(msg->sender_index);
	hs->state = WG_HS_CONSUMED_RESPONSE;
	ret = WG_OK;
out:
	sodium_memzero(ck, sizeof(ck));
	sodium_memzero(h, sizeof(h));
	sodium_memzero(key, sizeof(key));
	return ret;
}

enum wg_result wg_noise_begin_session(struct wg_handshake *hs, struct wg_keypair *kp,
				      uint64_t now_ns)
{
	bool initiator;

	if (hs->state == WG_HS_CONSUMED_RESPONSE)
		initiator = true;
	else if (hs->state == WG_HS_CREATED_RESPONSE)
		initiator = false;
	else
		return WG_BAD_STATE;

	memset(kp, 0, sizeof(*kp));
	if (initiator)
		wg_kdf(kp->send_key, kp->recv_key, NULL, hs->chaining_key, NULL, 0);
	else
		wg_kdf(kp->recv_key, kp->send_key, NULL, hs->chaining_key, NULL, 0);
	wg_replay_init(&kp->replay);
	kp->birthdate_ns = now_ns;
	kp->local_index = hs->local_index;
	kp->remote_index = hs->remote_index;
	kp->i_am_the_initiator = initiator;
	kp->valid = true;
	wg_handshake_clear(hs);
	return WG_OK;
}

/* SPDX-License-Identifier: MIT */
#include <endian.h>
#include <string.h>

#include <sodium.h>

#include "cookie.h"
#include "crypto.h"

static const char mac1_label[] = "mac1----";
static const char cookie_label[] = "cookie--";

/* Offsets of the two MACs: they are always the last 32 bytes. */
static size_t mac1_offset(size_t len)
{
	return len - sizeof(struct wg_msg_macs);
}

static size_t mac2_offset(size_t len)
{
	return len - WG_MAC_LEN;
}

static void derive_keys(uint8_t mac1_key[WG_HASH_LEN], uint8_t cookie_key[WG_KEY_LEN],
			const uint8_t pub[WG_KEY_LEN])
{
	wg_hash2(mac1_key, mac1_label, sizeof(mac1_label) - 1, pub, WG_KEY_LEN);
	wg_hash2(cookie_key, cookie_label, sizeof(cookie_label) - 1, pub, WG_KEY_LEN);
}

void wg_cookie_checker_init(struct wg_cookie_checker *c, const uint8_t our_public[WG_KEY_LEN])
{
	memset(c, 0, sizeof(*c));
	derive_keys(c->mac1_key, c->cookie_encryption_key, our_public);
}

void wg_cookie_checker_wipe(struct wg_cookie_checker *c)
{
	sodium_memzero(c, sizeof(*c));
}

/* cookie = MAC(secret, source), the secret renewed every two minutes. */
static void make_cookie(struct wg_cookie_checker *c, uint8_t cookie[WG_COOKIE_LEN],
			const uint8_t *src, size_t src_len, uint64_t now_ns)
{
	if (!c->have_secret ||
	    now_ns - c->secret_birthdate_ns >= WG_COOKIE_SECRET_MAX_AGE * WG_NSEC_PER_SEC) {
		randombytes_buf(c->secret, sizeof(c->secret));
		c->secret_birthdate_ns = now_ns;
		c->have_secret = true;
	}
	wg_mac(cookie, c->secret, sizeof(c->secret), src, src_len);
}

enum wg_result wg_cookie_validate(struct wg_cookie_checker *c, const void *msg, size_t len,
				  const uint8_t *src, size_t src_len, bool under_load,
				  uint64_t now_ns)
{
	const uint8_t *p = msg;
	uint8_t computed[WG_MAC_LEN];
	uint8_t cookie[WG_COOKIE_LEN];
	enum wg_result ret;

	if (len < sizeof(struct wg_msg_header) + sizeof(struct wg_msg_macs))
		return WG_TOO_SHORT;
	wg_mac(computed, c->mac1_key, WG_HASH_LEN, p, mac1_offset(len));
	if (sodium_memcmp(computed, p + mac1_offset(len), WG_MAC_LEN))
		return WG_BAD_MAC1;
	if (!under_load)
		return WG_OK;

	make_cookie(c, cookie, src, src_len, now_ns);
	wg_mac(computed, cookie, sizeof(cookie), p, mac2_offset(len));
	ret = sodium_memcmp(computed, p + mac2_offset(len), WG_MAC_LEN) ? WG_NEED_COOKIE : WG_OK;
	sodium_memzero(cookie, sizeof(cookie));
	return ret;
}

void wg_cookie_reply_create(struct wg_cookie_checker *c, struct wg_msg_cookie *reply,
			    const void *msg, size_t len, uint32_t receiver_index,
			    const uint8_t *src, size_t src_len, uint64_t now_ns)
{
	const uint8_t *mac1 = (const uint8_t *)msg + mac1_offset(len);
	uint8_t cookie[WG_COOKIE_LEN];

	memset(reply, 0, sizeof(*reply));
	reply->header.type = htole32(WG_MSG_HANDSHAKE_COOKIE);
	reply->receiver_index = htole32(receiver_index);
	randombytes_buf(reply->nonce, sizeof(reply->nonce));
	make_cookie(c, cookie, src, src_len, now_ns);
	crypto_aead_xchacha20poly1305_ietf_encrypt(reply->encrypted_cookie, NULL, cookie,
						   sizeof(cookie), mac1, WG_MAC_LEN, NULL,
						   reply->nonce, c->cookie_encryption_key);
	sodium_memzero(cookie, sizeof(cookie));
}

void wg_cookie_init(struct wg_cookie *ck, const uint8_t remote_public[WG_KEY_LEN])
{
	memset(ck, 0, sizeof(*ck));
	derive_keys(ck->mac1_key, ck->cookie_decryption_key, remote_public);
}

void wg_cookie_wipe(struct wg_cookie *ck)
{
	sodium_memzero(ck, sizeof(*ck));
}

void wg_cookie_add_macs(struct wg_cookie *ck, void *msg, size_t len, uint64_t now_ns)
{
	uint8_t *p = msg;
	uint8_t *mac1 = p + mac1_offset(len);
	uint8_t *mac2 = p + mac2_offset(len);
	uint64_t max_age = (WG_COOKIE_SECRET_MAX_AGE - WG_COOKIE_SECRET_LATENCY) * WG_NSEC_PER_SEC;

	wg_mac(mac1, ck->mac1_key, WG_HASH_LEN, p, mac1_offset(len));
	memcpy(ck->last_mac1_sent, mac1, WG_MAC_LEN);
	ck->have_sent_mac1 = true;

	if (ck->is_valid && now_ns - ck->birthdate_ns < max_age)
		wg_mac(mac2, ck->cookie, WG_COOKIE_LEN, p, mac2_offset(len));
	else
		memset(mac2, 0, WG_MAC_LEN);
}

enum wg_result wg_cookie_consume_reply(struct wg_cookie *ck, const struct wg_msg_cookie *reply,
				       uint64_t now_ns)
{
	uint8_t cookie[WG_COOKIE_LEN];

	if (!ck->have_sent_mac1)
		return WG_NO_MAC1_SENT;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(cookie, NULL, NULL, reply->encrypted_cookie,
						       sizeof(reply->encrypted_cookie),
						       ck->last_mac1_sent, WG_MAC_LEN, reply->nonce,
						       ck->cookie_decryption_key))
		return WG_BAD_COOKIE_TAG;
	memcpy(ck->cookie, cookie, WG_COOKIE_LEN);
	sodium_memzero(cookie, sizeof(cookie));
	ck->birthdate_ns = now_ns;
	ck->is_valid = true;
	ck->have_sent_mac1 = false;
	return WG_OK;
}

/* SPDX-License-Identifier: MIT */
/*
 * MAC1, MAC2 and cookie replies (WireGuard paper, section 5.4.7).
 *
 * mac1 = MAC(HASH("mac1----" || receiver's static public), msg[0:mac1])
 *        proves the sender knows whom it is talking to; always checked.
 * mac2 = MAC(cookie, msg[0:mac2]) where the cookie is
 *        MAC(secret, source address), secret rotated every 2 minutes; only
 *        required under load. A message whose mac2 is wrong under load is
 *        answered with a cookie reply: the cookie, XChaCha20-Poly1305
 *        encrypted under HASH("cookie--" || receiver's static public) with
 *        the message's mac1 as additional data.
 */
#ifndef OMNI_WG_COOKIE_H
#define OMNI_WG_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "messages.h"
#include "result.h"

/* Receiving side: validates what arrives for our static key. */
struct wg_cookie_checker {
	uint8_t secret[WG_HASH_LEN];
	uint64_t secret_birthdate_ns;
	bool have_secret;
	uint8_t mac1_key[WG_HASH_LEN];
	uint8_t cookie_encryption_key[WG_KEY_LEN];
};

/* Sending side, one per peer: adds MACs to what we send to that peer. */
struct wg_cookie {
	uint8_t cookie[WG_COOKIE_LEN];
	uint64_t birthdate_ns;
	bool is_valid;
	bool have_sent_mac1;
	uint8_t last_mac1_sent[WG_MAC_LEN];
	uint8_t mac1_key[WG_HASH_LEN];
	uint8_t cookie_decryption_key[WG_KEY_LEN];
};

void wg_cookie_checker_init(struct wg_cookie_checker *c, const uint8_t our_public[WG_KEY_LEN]);
void wg_cookie_checker_wipe(struct wg_cookie_checker *c);

/*
 * Check the MACs of a handshake message (initiation or response; len is its
 * exact size). src/src_len: the source address and port as bytes, the same
 * form given to wg_cookie_reply_create. Returns WG_OK, WG_BAD_MAC1 or (only
 * when under_load) WG_NEED_COOKIE, to be answered with a cookie reply.
 * now_ns rotates the secret after WG_COOKIE_SECRET_MAX_AGE.
 */
enum wg_result wg_cookie_validate(struct wg_cookie_checker *c, const void *msg, size_t len,
				  const uint8_t *src, size_t src_len, bool under_load,
				  uint64_t now_ns);

/* Build the cookie reply to a message that got WG_NEED_COOKIE. */
void wg_cookie_reply_create(struct wg_cookie_checker *c, struct wg_msg_cookie *reply,
			    const void *msg, size_t len, uint32_t receiver_index,
			    const uint8_t *src, size_t src_len, uint64_t now_ns);

void wg_cookie_init(struct wg_cookie *ck, const uint8_t remote_public[WG_KEY_LEN]);
void wg_cookie_wipe(struct wg_cookie *ck);

/*
 * Fill mac1 and (with a cookie younger than MAX_AGE - LATENCY) mac2 of a
 * handshake message we are about to send; remembers mac1.
 */
void wg_cookie_add_macs(struct wg_cookie *ck, void *msg, size_t len, uint64_t now_ns);

/*
 * Take a cookie reply addressed to a message we sent. Returns WG_OK,
 * WG_NO_MAC1_SENT or WG_BAD_COOKIE_TAG.
 */
enum wg_result wg_cookie_consume_reply(struct wg_cookie *ck, const struct wg_msg_cookie *reply,
				       uint64_t now_ns);

#endif /* OMNI_WG_COOKIE_H */

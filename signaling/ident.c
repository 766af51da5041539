/* SPDX-License-Identifier: MIT */
/* Member identity: the shared key and the trailer's MAC (ident.h). */
#include <string.h>

#include <sodium.h>

#include "ident.h"
#include "wg/crypto.h"

static const char ident_label[] = "omninervous member identity v1";

static_assert((int)SIG_KEY_LEN == (int)WG_HASH_LEN, "identity key is an HMAC-BLAKE2s output");
static_assert((int)SIG_ID_MAC_LEN == (int)WG_MAC_LEN, "identity MAC is keyed BLAKE2s-128");

int sig_ident_key(uint8_t out[SIG_KEY_LEN], const uint8_t priv[SIG_PUBKEY_LEN],
		  const uint8_t pub[SIG_PUBKEY_LEN], const uint8_t member[SIG_PUBKEY_LEN],
		  const uint8_t nucleus[SIG_PUBKEY_LEN])
{
	uint8_t shared[WG_KEY_LEN], msg[sizeof(ident_label) - 1 + 2 * SIG_PUBKEY_LEN];
	int rc = 0;

	if (wg_dh(shared, priv, pub) < 0) {
		memset(out, 0, SIG_KEY_LEN);
		rc = -1;
		goto out;
	}
	memcpy(msg, ident_label, sizeof(ident_label) - 1);
	memcpy(msg + sizeof(ident_label) - 1, member, SIG_PUBKEY_LEN);
	memcpy(msg + sizeof(ident_label) - 1 + SIG_PUBKEY_LEN, nucleus, SIG_PUBKEY_LEN);
	wg_hmac(out, shared, msg, sizeof(msg));
out:
	sodium_memzero(shared, sizeof(shared));
	return rc;
}

void sig_ident_mac(uint8_t out[SIG_ID_MAC_LEN], const uint8_t key[SIG_KEY_LEN], const uint8_t *p,
		   size_t len)
{
	wg_mac(out, key, SIG_KEY_LEN, p, len);
}

/* Bytes of the name trailer at the end of p (before the HMAC). */
static size_t name_trailer(const uint8_t *p, size_t len)
{
	return p[6] & SIG_FLAG_NAME ? p[len - SIG_MAC_LEN - 1] + SIG_TAG_LEN + 1u : 0;
}

bool sig_ident_verify(const uint8_t key[SIG_KEY_LEN], const uint8_t *p, size_t len)
{
	uint8_t mac[SIG_ID_MAC_LEN];
	size_t at = len - SIG_MAC_LEN - name_trailer(p, len) - SIG_ID_MAC_LEN;
	bool ok;

	sig_ident_mac(mac, key, p, at);
	ok = sodium_memcmp(mac, p + at, SIG_ID_MAC_LEN) == 0;
	sodium_memzero(mac, sizeof(mac));
	return ok;
}

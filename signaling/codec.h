/* SPDX-License-Identifier: MIT */
/*
 * Signaling codec: cluster keys from the secret, and one datagram to or
 * from a struct sig_msg, with its HMAC and optional encryption. Pure: bytes
 * in, bytes out; freshness (timestamp window, nonce cache) is replay.h's.
 */
#ifndef OMNI_SIGNALING_CODEC_H
#define OMNI_SIGNALING_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/* A cluster's keys. Secret: wipe with sig_keys_wipe(). */
struct sig_keys {
	uint8_t cluster_id[SIG_CLUSTER_ID_LEN];
	uint8_t mac_key[SIG_KEY_LEN];
	uint8_t enc_key[SIG_KEY_LEN];
	uint8_t name_key[SIG_KEY_LEN]; /* of the secret alone: seals the name trailer */
	uint8_t name_len;
	char name[SIG_CLUSTER_NAME_MAX + 1];
};

/*
 * Derives the keys of cluster `name` from `secret` (docs/signaling.md,
 * "Keys"). Returns 0, or -EINVAL with the reason in err (a secret shorter
 * than SIG_SECRET_MIN characters, too long, or a bad name); err never
 * contains the secret.
 */
int sig_keys_derive(struct sig_keys *k, const char *name, const char *secret, char *err,
		    size_t errlen);
void sig_keys_wipe(struct sig_keys *k);

/* The key that seals the name trailer (SIG_FLAG_NAME): of the secret
 * alone, so that an open nucleus, which knows only the secret, opens it. */
void sig_name_key(const char *secret, uint8_t out[SIG_KEY_LEN]);

/*
 * The cluster name of a datagram with the name trailer (m from sig_peek,
 * m->named set), opened with name_key: SIG_OK with name filled (1 to
 * SIG_CLUSTER_NAME_MAX of letters, digits and "._-"), SIG_DROP_WRONG_SECRET
 * when it does not open, SIG_DROP_BAD_BODY for a name of other characters.
 * The HMAC is not checked: derive the keys from the name and sig_decode.
 */
enum sig_drop sig_open_name(const uint8_t name_key[SIG_KEY_LEN], const uint8_t *p, size_t len,
			    char name[SIG_CLUSTER_NAME_MAX + 1]);

/* The WireGuard preshared key for peers found through the cluster. */
void sig_cluster_psk(const char *secret, uint8_t out[SIG_KEY_LEN]);

/*
 * Is this datagram signaling (and not WireGuard or STUN)? Looks at the
 * magic and the minimum length only: for the edge's classifier.
 */
bool sig_is_signaling(const uint8_t *p, size_t len);

/*
 * The cleartext header checks, before any crypto: length, magic, version,
 * type, flags. Fills type, enc, cluster_id, ts_ms, seq, nonce of m.
 */
enum sig_drop sig_peek(const uint8_t *p, size_t len, struct sig_msg *m);

/* Sets m->ts_ms = now_ms and a fresh random nonce. */
void sig_msg_stamp(struct sig_msg *m, uint64_t now_ms);

/*
 * Writes m (type, enc, seq, ts_ms, nonce and body; cluster_id is taken
 * from k; with m->named, k's name sealed after the body) into out. Returns the length, or 0 if the body is invalid
 * (counts beyond limits, bad families) or does not fit cap.
 */
size_t sig_encode(const struct sig_keys *k, const struct sig_msg *m, uint8_t *out, size_t cap);

/*
 * As sig_encode, and with m->id the identity trailer (m->id_epoch,
 * m->token, a MAC under id_key: signaling/ident.h). m->id without an
 * id_key encodes nothing (0).
 */
size_t sig_encode_id(const struct sig_keys *k, const struct sig_msg *m, const uint8_t *id_key,
		     uint8_t *out, size_t cap);

/*
 * Checks the header, the HMAC under k, decrypts, parses the body into m.
 * SIG_OK or why not. Does not check the timestamp or the nonce, nor the
 * identity trailer's MAC (its epoch and token are in m: sig_ident_verify).
 */
enum sig_drop sig_decode(const struct sig_keys *k, const uint8_t *p, size_t len, struct sig_msg *m);

/* Size a peer entry takes on the wire. */
static inline size_t sig_peer_wire_len(const struct sig_peer *p)
{
	return SIG_PEER_FIXED + (size_t)p->n_cand * SIG_ADDR_LEN;
}

/* The same entry: key, VIPs, and candidates with their kinds, in order. */
bool sig_peer_equal(const struct sig_peer *a, const struct sig_peer *b);

#endif /* OMNI_SIGNALING_CODEC_H */

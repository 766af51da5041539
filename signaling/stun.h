/* SPDX-License-Identifier: MIT */
/*
 * STUN codec (RFC 5389): the Binding request, and the Binding
 * success response's XOR-MAPPED-ADDRESS (MAPPED-ADDRESS as a fallback),
 * IPv4 and IPv6, checked against the request's transaction id, with the
 * FINGERPRINT checked when present. Pure: bytes in, an address out. The
 * caller picks a random transaction id per request, sends it from the
 * WireGuard listen port, and hands every STUN datagram
 * (sig_stun_is_stun) back here; the mapped address is the reflexive
 * candidate (sig_client_set_reflexive).
 */
#ifndef OMNI_SIGNALING_STUN_H
#define OMNI_SIGNALING_STUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

enum {
	SIG_STUN_HEADER_LEN = NET_STUN_HLEN,
	SIG_STUN_TXID_LEN = 12,
	SIG_STUN_COOKIE = NET_STUN_COOKIE,
	SIG_STUN_FINGERPRINT_LEN = 8, /* attribute header + CRC-32 */
	SIG_STUN_REQUEST_MAX = SIG_STUN_HEADER_LEN + SIG_STUN_FINGERPRINT_LEN,
	SIG_STUN_RESPONSE_MAX = 1280, /* larger responses are refused */
	SIG_STUN_PORT = 3478,
	SIG_STUN_INTEGRITY_LEN = 20, /* HMAC-SHA1 */
	SIG_STUN_TEXT_MAX = 763,     /* REALM, NONCE: fewer than 128 characters, in bytes */

	/* Attributes (RFC 5389 section 18.2, RFC 8656 section 18). */
	SIG_STUN_ATTR_USERNAME = 0x0006,
	SIG_STUN_ATTR_INTEGRITY = 0x0008,
	SIG_STUN_ATTR_ERROR_CODE = 0x0009,
	SIG_STUN_ATTR_CHANNEL = 0x000C,
	SIG_STUN_ATTR_LIFETIME = 0x000D,
	SIG_STUN_ATTR_XOR_PEER = 0x0012,
	SIG_STUN_ATTR_DATA = 0x0013,
	SIG_STUN_ATTR_REALM = 0x0014,
	SIG_STUN_ATTR_NONCE = 0x0015,
	SIG_STUN_ATTR_XOR_RELAYED = 0x0016,
	SIG_STUN_ATTR_REQ_FAMILY = 0x0017,
	SIG_STUN_ATTR_REQ_TRANSPORT = 0x0019,
	SIG_STUN_ATTR_XOR_MAPPED = 0x0020,
	SIG_STUN_ATTR_SOFTWARE = 0x8022,
	SIG_STUN_ATTR_FINGERPRINT = 0x8028,
};

#define SIG_STUN_RESULTS(X)                                                     \
	X(OK, "ok")                                                             \
	X(TRUNCATED, "truncated")           /* shorter than header/attrs */     \
	X(NOT_STUN, "not_stun")             /* bits, cookie or length wrong */  \
	X(NOT_SUCCESS, "not_success")       /* not a Binding success */         \
	X(ERROR_RESPONSE, "error_response") /* a Binding error response */      \
	X(WRONG_TXID, "wrong_txid")         /* not the answer to our request */ \
	X(BAD_ATTR, "bad_attr")             /* malformed or unknown required */ \
	X(BAD_FINGERPRINT, "bad_fingerprint")                                   \
	X(NO_ADDRESS, "no_address") /* no usable mapped address */

enum sig_stun_result {
#define SIG_STUN_ENUM(name, text) SIG_STUN_##name,
	SIG_STUN_RESULTS(SIG_STUN_ENUM)
#undef SIG_STUN_ENUM
		SIG_STUN_RESULT_COUNT
};

const char *sig_stun_result_name(enum sig_stun_result r);

/* Writes a Binding request into out (cap >= SIG_STUN_REQUEST_MAX); its length. */
size_t sig_stun_request(uint8_t *out, size_t cap, const uint8_t txid[SIG_STUN_TXID_LEN],
			bool fingerprint);

/* First two bits zero, the magic cookie, a length that is a multiple of 4. */
bool sig_stun_is_stun(const uint8_t *p, size_t len);

/* The transaction id of a STUN message (sig_stun_is_stun true). */
const uint8_t *sig_stun_txid(const uint8_t *p);

/* Parses a response to the request with txid; *mapped on SIG_STUN_OK. */
enum sig_stun_result sig_stun_parse_response(const uint8_t *p, size_t len,
					     const uint8_t txid[SIG_STUN_TXID_LEN],
					     struct net_endpoint *mapped);

/*
 * Any STUN message, its attributes picked out (TURN's included). Pointers
 * point into the datagram. An unknown comprehension-required attribute,
 * a malformed one, or anything but FINGERPRINT after MESSAGE-INTEGRITY
 * is SIG_STUN_BAD_ATTR; FINGERPRINT, when present, is checked.
 */
struct sig_stun_msg {
	unsigned type;
	const uint8_t *txid;
	size_t len;
	unsigned error; /* ERROR-CODE as class * 100 + number; 0: none */
	const uint8_t *realm, *nonce;
	size_t realm_len, nonce_len;
	struct net_endpoint mapped, mapped_plain, relayed, peer; /* family NONE: absent */
	uint32_t lifetime;
	bool has_lifetime;
	const uint8_t *data;
	size_t data_len;
	size_t integrity_off; /* MESSAGE-INTEGRITY's offset; 0: none */
};

enum sig_stun_result sig_stun_parse(const uint8_t *p, size_t len, struct sig_stun_msg *m);

/* MESSAGE-INTEGRITY of m (parsed from p) under key (HMAC-SHA1), in
 * constant time; false without one. */
bool sig_stun_integrity_ok(const uint8_t *p, const struct sig_stun_msg *m, const uint8_t *key,
			   size_t klen);

/* A request being written: begin, put attributes, integrity, end. Any
 * attribute that does not fit makes end return 0. */
struct sig_stun_wr {
	uint8_t *p;
	size_t len, cap;
	bool bad;
};

void sig_stun_begin(struct sig_stun_wr *w, uint8_t *buf, size_t cap, unsigned type,
		    const uint8_t txid[SIG_STUN_TXID_LEN]);
void sig_stun_put(struct sig_stun_wr *w, unsigned type, const void *v, size_t vlen);
void sig_stun_put_u32(struct sig_stun_wr *w, unsigned type, uint32_t v);
/* An XOR-...-ADDRESS attribute (RFC 5389 15.2) of ep. */
void sig_stun_put_xaddr(struct sig_stun_wr *w, unsigned type, const struct net_endpoint *ep);
/* MESSAGE-INTEGRITY under key, over everything put so far. */
void sig_stun_put_integrity(struct sig_stun_wr *w, const uint8_t *key, size_t klen);
/* With FINGERPRINT if asked; the length, or 0 if anything did not fit. */
size_t sig_stun_end(struct sig_stun_wr *w, bool fingerprint);

#endif /* OMNI_SIGNALING_STUN_H */

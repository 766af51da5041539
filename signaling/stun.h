/* SPDX-License-Identifier: MIT */
/*
 * STUN client codec (RFC 5389): the Binding request, and the Binding
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

#endif /* OMNI_SIGNALING_STUN_H */

/* SPDX-License-Identifier: MIT */
/*
 * Why a message was refused. One X-macro makes the enum and the names, so
 * every refusal is a distinct value a caller can count and an operator can
 * read.
 */
#ifndef OMNI_WG_RESULT_H
#define OMNI_WG_RESULT_H

#define WG_RESULTS(X)                                                     \
	X(OK, "ok")                                                       \
	X(TOO_SHORT, "shorter than a message header")                     \
	X(BAD_TYPE, "unknown message type")                               \
	X(BAD_RESERVED, "reserved header bytes not zero")                 \
	X(BAD_SIZE, "wrong size for its type")                            \
	X(BAD_MAC1, "mac1 does not verify")                               \
	X(NEED_COOKIE, "under load and mac2 missing or wrong")            \
	X(UNKNOWN_PEER, "static key of no configured peer")               \
	X(UNKNOWN_INDEX, "receiver index matches no session")             \
	X(BAD_STATIC, "encrypted static key does not authenticate")       \
	X(BAD_TIMESTAMP_TAG, "encrypted timestamp does not authenticate") \
	X(REPLAYED_TIMESTAMP, "timestamp not newer than the last one")    \
	X(INITIATION_FLOOD, "initiations arrive faster than allowed")     \
	X(BAD_EMPTY_TAG, "response confirmation does not authenticate")   \
	X(BAD_STATE, "message not expected in this handshake state")      \
	X(BAD_DH, "Diffie-Hellman result is all zero")                    \
	X(BAD_COOKIE_TAG, "cookie reply does not authenticate")           \
	X(NO_MAC1_SENT, "cookie reply for no message we sent")            \
	X(BAD_DATA_TAG, "transport data does not authenticate")           \
	X(REPLAYED_COUNTER, "counter seen before or too old")             \
	X(KEY_EXPIRED, "keypair past REJECT_AFTER_TIME or _MESSAGES")     \
	X(NO_KEY, "no usable keypair")                                    \
	X(BAD_INNER, "inner packet malformed")                            \
	X(NO_MEMORY, "out of memory")

enum wg_result {
#define WG_RESULT_ENUM(name, text) WG_##name,
	WG_RESULTS(WG_RESULT_ENUM)
#undef WG_RESULT_ENUM
		WG_RESULT_COUNT
};

const char *wg_result_name(enum wg_result r);
const char *wg_result_text(enum wg_result r);

#endif /* OMNI_WG_RESULT_H */

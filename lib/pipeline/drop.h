/* SPDX-License-Identifier: MIT */
/*
 * Why the data plane dropped a packet. One X-macro makes the enum and the
 * names, so every drop is a counter an operator can read (metrics, console).
 */
#ifndef OMNI_PIPELINE_DROP_H
#define OMNI_PIPELINE_DROP_H

#define OMNI_DROPS(X)                                                          \
	X(NOT_OURS, "not_ours")              /* not UDP to our address/port */ \
	X(MALFORMED, "malformed")            /* broken outer headers */        \
	X(UNKNOWN_PROTO, "unknown_proto")    /* on our port, not WireGuard */  \
	X(BAD_MESSAGE, "bad_message")        /* WireGuard header/size wrong */ \
	X(UNKNOWN_INDEX, "unknown_index")    /* receiver index of no session */\
	X(KEY_EXPIRED, "key_expired")        /* keypair too old or used up */  \
	X(BAD_TAG, "bad_tag")                /* AEAD did not authenticate */   \
	X(REPLAY, "replay")                  /* counter seen or too old */     \
	X(BAD_INNER, "bad_inner")            /* inner not a whole IP packet */ \
	X(SRC_NOT_ALLOWED, "src_not_allowed") /* inner src not in AllowedIPs */\
	X(NO_ROUTE, "no_route")              /* host packet to no peer */      \
	X(NO_KEY, "no_key_staged_full")      /* no session and queue full */   \
	X(TOO_BIG, "too_big")                /* inner above MTU: ICMP sent */  \
	X(RING_FULL, "control_ring_full")    /* control lcore is behind */     \
	X(TX_FULL, "tx_full")                /* port refused the packet */     \
	X(NO_MBUF, "no_mbuf")                /* pool empty */                  \
	X(HANDSHAKE, "handshake_refused")    /* handshake message refused */   \
	X(RATELIMIT, "ratelimit")            /* handshake over per-IP limit */

enum omni_drop {
#define OMNI_DROP_ENUM(name, text) OMNI_DROP_##name,
	OMNI_DROPS(OMNI_DROP_ENUM)
#undef OMNI_DROP_ENUM
	OMNI_DROP_COUNT
};

const char *omni_drop_name(enum omni_drop d);

#endif /* OMNI_PIPELINE_DROP_H */

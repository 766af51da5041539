/* SPDX-License-Identifier: MIT */
/*
 * Why the data plane dropped a packet. One X-macro makes the enum and the
 * names, so every drop is a counter an operator can read (metrics, console):
 * omni_drops_total{reason="..."}. Workers count what they drop; the control
 * lcore counts the last three (struct pl_control_stats).
 */
#ifndef OMNI_PIPELINE_DROP_H
#define OMNI_PIPELINE_DROP_H

#include "net/net.h"
#include "wg/result.h"

#define PL_DROPS(X)                                                                            \
	X(NOT_OURS, "not_ours")               /* not UDP to our address/port */                \
	X(MALFORMED, "malformed")             /* outer header field impossible */              \
	X(TRUNCATED, "truncated")             /* outer header cut short, lengths disagree */   \
	X(BAD_CHECKSUM, "bad_checksum")       /* outer checksum wrong (or UDP6 without) */     \
	X(FRAGMENT, "fragment")               /* outer IPv4 fragment: not reassembled */       \
	X(IP6_EXTHDR, "ip6_exthdr")           /* outer IPv6 extension header: not walked */    \
	X(BAD_SOURCE, "bad_source")           /* outer source zero/multicast/broadcast */      \
	X(MULTI_SEG, "multi_seg")             /* frame in chained mbufs: not handled */        \
	X(UNKNOWN_PROTO, "unknown_proto")     /* on our port, not WireGuard */                 \
	X(BAD_CHANNEL, "bad_channel_data")    /* TURN ChannelData not from our relay, or     \
					       * its length wrong */ \
	X(BAD_MESSAGE, "bad_message")         /* WireGuard header/size wrong */                \
	X(UNKNOWN_INDEX, "unknown_index")     /* receiver index of no session */               \
	X(KEY_EXPIRED, "key_expired")         /* keypair too old, used up or cleared */        \
	X(BAD_TAG, "bad_tag")                 /* AEAD did not authenticate */                  \
	X(REPLAY, "replay")                   /* counter seen or too old */                    \
	X(BAD_INNER, "bad_inner")             /* inner not a whole IP packet */                \
	X(SRC_NOT_ALLOWED, "src_not_allowed") /* inner src not in AllowedIPs */                \
	X(NO_ROUTE, "no_route")               /* host packet to no peer */                     \
	X(NO_KEY, "no_key_staged_full")       /* no session and queue full */                  \
	X(TOO_BIG, "too_big")                 /* inner above MTU: ICMP sent */                 \
	X(NO_ROOM, "no_room")                 /* mbuf lacks room for headers and tag */        \
	X(CRYPTO_FAILED, "crypto_failed")     /* AEAD back end refused the op */               \
	X(L2_BAD_FRAME, "l2_bad_frame")       /* L2: from omni0, no whole Ethernet header */   \
	X(L2_TOO_BIG, "l2_too_big")           /* L2: from omni0, above what VXLAN carries */   \
	X(L2_NO_MEMBER, "l2_no_member")       /* L2: a flood with no member to go to */        \
	X(L2_FLOOD_LIMIT, "l2_flood_limited") /* L2: every member's flood limit hit */         \
	X(L2_NOT_VXLAN, "l2_not_vxlan")       /* L2: decrypted, not VXLAN to our VIP */        \
	X(L2_BAD_VNI, "l2_bad_vni")           /* L2: VXLAN of another segment */               \
	X(RING_FULL, "control_ring_full")     /* control lcore is behind */                    \
	X(TX_FULL, "tx_full")                 /* port refused the packet */                    \
	X(NO_MBUF, "no_mbuf")                 /* pool empty: a frame of ours not sent */       \
	X(HANDSHAKE, "handshake_refused")     /* handshake message refused */                  \
	X(RATELIMIT, "ratelimit")             /* handshake over per-IP limit */

enum pl_drop {
#define PL_DROP_ENUM(name, text) PL_DROP_##name,
	PL_DROPS(PL_DROP_ENUM)
#undef PL_DROP_ENUM
		PL_DROP_COUNT
};

const char *pl_drop_name(enum pl_drop d);

/* The drop for the underlay classifier's (or an Ethernet parser's) reason:
 * what an operator acts on (truncated, checksum, fragment, ...), with the
 * detail in net.h's NET_DROPS. */
enum pl_drop pl_drop_of_net(enum net_drop r);

/* The drop for lib/wg's refusal of a data message (open or seal). */
enum pl_drop pl_drop_of_wg(enum wg_result r);

#endif /* OMNI_PIPELINE_DROP_H */

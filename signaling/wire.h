/* SPDX-License-Identifier: MIT */
/*
 * The nucleus signaling protocol, version 1: layout, limits, the message
 * model the codec fills, and the drop reasons. docs/signaling.md describes
 * the format; every number here is named there too.
 */
#ifndef OMNI_SIGNALING_WIRE_H
#define OMNI_SIGNALING_WIRE_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>

#include "net/addr.h"

enum {
	SIG_MAGIC = NET_SIG_MAGIC, /* "ONSG": not {1..4,0,0,0}, not STUN */
	SIG_VERSION = 1,

	SIG_HEADER_LEN = 44,
	SIG_NONCE_LEN = 16,
	SIG_CLUSTER_ID_LEN = 8,
	SIG_MAC_LEN = 32, /* HMAC-SHA256 */
	SIG_TAG_LEN = 16, /* XChaCha20-Poly1305 */
	SIG_KEY_LEN = 32,
	SIG_PUBKEY_LEN = 32,
	SIG_DATAGRAM_MAX = 1000,
	/* Member identity (docs/signaling.md, "Identity"): the trailer of
	 * SIG_FLAG_ID after the body: the nucleus epoch the sender knows, a
	 * return-routability token, and a MAC under the key the member and the
	 * nucleus share (X25519 of their static keys). */
	SIG_TOKEN_LEN = 16,
	SIG_ID_MAC_LEN = 16,
	SIG_ID_TRAILER_LEN = 4 + SIG_TOKEN_LEN + SIG_ID_MAC_LEN,
	SIG_BODY_MAX =
		SIG_DATAGRAM_MAX - SIG_HEADER_LEN - SIG_TAG_LEN - SIG_ID_TRAILER_LEN - SIG_MAC_LEN,
	SIG_DATAGRAM_MIN = SIG_HEADER_LEN + SIG_MAC_LEN,

	SIG_FLAG_ENC = 0x01,
	/* The cluster's name follows the body, sealed under a key of the secret
	 * alone, so a nucleus that serves any name with one secret can find the
	 * cluster's keys (docs/signaling.md, "Open nucleus"). */
	SIG_FLAG_NAME = 0x02,
	/* The identity trailer follows the body (and comes before the name
	 * trailer). 0x04 and 0x08 are left for other extensions. */
	SIG_FLAG_ID = 0x10,

	SIG_ADDR_LEN = 20,
	SIG_CAND_MAX = 4,      /* candidates per peer entry */
	SIG_CAND_EDGE_MAX = 3, /* what an edge may advertise itself */
	SIG_PEER_FIXED = 54,
	SIG_PEER_MAX = SIG_PEER_FIXED + SIG_CAND_MAX * SIG_ADDR_LEN,
	SIG_PEER_HAS_VIP4 = 0x01,
	SIG_PEER_HAS_VIP6 = 0x02,

	SIG_HEARTBEAT_LEN = SIG_PUBKEY_LEN + 4 + 8 + 4,
	SIG_TARGET_LEN = 20,
	SIG_QUERY_LEN = SIG_PUBKEY_LEN + SIG_TARGET_LEN,
	SIG_CHALLENGE_LEN = SIG_PUBKEY_LEN + 4 + SIG_TOKEN_LEN,
	SIG_ACK_FIXED = 40,
	SIG_CHANGE_LEFT_LEN = 1 + SIG_PUBKEY_LEN,
	SIG_ACK_ENTRIES_MAX = (SIG_BODY_MAX - SIG_ACK_FIXED) / SIG_CHANGE_LEFT_LEN,

	SIG_SECRET_MIN = 16,
	SIG_SECRET_MAX = 256,
	SIG_CLUSTER_NAME_MAX = 64,
	/* sealed name, then its length: the name trailer of SIG_FLAG_NAME */
	SIG_NAME_TRAILER_MAX = SIG_CLUSTER_NAME_MAX + SIG_TAG_LEN + 1,

	SIG_TIME_WINDOW_MS = 60 * 1000,
	SIG_HEARTBEAT_MS = 30 * 1000,
	SIG_TOKEN_MS = 30 * 1000, /* a CHALLENGE's token lives 30 to 60 s */
	SIG_EXPIRY_MS = 90 * 1000,
	SIG_LOG_MAX = 4096, /* changes kept per cluster */

	/* TURN relay credentials (docs/signaling.md, "The relay") */
	SIG_TURN_SERVERS_MAX = 4,
	SIG_TURN_USER_MAX = 64, /* "<expiry>:<member id>" */
	SIG_TURN_PASS_MAX = 32, /* base64 of an HMAC-SHA1 is 28 */
	SIG_TURN_ASK_LEN = SIG_PUBKEY_LEN + SIG_ADDR_LEN,
	SIG_RELAY_INFO_LEN = SIG_PUBKEY_LEN + SIG_ADDR_LEN,
	SIG_TURN_CRED_FIXED = 12, /* expiry (8), n servers, user length, password length, 0 */
};

/* HEARTBEAT cursor of an edge that is not resyncing. */
#define SIG_CURSOR_NONE UINT32_MAX

static_assert(SIG_DATAGRAM_MAX < 1024, "every message below 1 KB");
static_assert((unsigned)SIG_DATAGRAM_MIN == NET_SIG_MIN_LEN, "the data path's first check agrees");
static_assert(SIG_BODY_MAX >= SIG_ACK_FIXED + 1 + SIG_PEER_MAX, "an ack holds one full entry");
static_assert(SIG_ACK_ENTRIES_MAX < 256, "n entries is one byte");

enum sig_type {
	SIG_REGISTER = 1,
	SIG_REGISTER_ACK = 2,
	SIG_HEARTBEAT = 3,
	SIG_HEARTBEAT_ACK = 4,
	SIG_QUERY_PEER = 5,
	SIG_PEER_INFO = 6,
	SIG_NOT_FOUND = 7,
	SIG_PUNCH = 8,
	SIG_LEAVE = 9, /* an edge that stops: the others hear at their next heartbeat */
	/* The relay (edges of a nucleus without it never send or get these). */
	SIG_TURN_ASK = 10,   /* edge: TURN credentials, please; my relayed address */
	SIG_TURN_CRED = 11,  /* nucleus: short-lived TURN credentials and servers */
	SIG_RELAY_INFO = 12, /* nucleus: a member's relayed address, beside a PUNCH */
	/* 13..15 left for other extensions. The nucleus's answer to a REGISTER
	 * without a valid token, and to a HEARTBEAT from a new address: its
	 * public key, epoch and a token to echo from that address. */
	SIG_CHALLENGE = 16,
	SIG_TYPE_COUNT,
};

/* Messages the nucleus accepts; the others go to edges only. */
static inline bool sig_type_to_nucleus(unsigned t)
{
	return t == SIG_REGISTER || t == SIG_HEARTBEAT || t == SIG_QUERY_PEER || t == SIG_LEAVE ||
	       t == SIG_TURN_ASK;
}

/* RELAYED (a TURN allocation's address) is carried only by TURN_ASK and
 * RELAY_INFO, never in a peer entry: edges older than the relay refuse a
 * kind they do not know, and would drop the whole page holding it. */
enum sig_addr_kind {
	SIG_KIND_OBSERVED = 1,
	SIG_KIND_LOCAL = 2,
	SIG_KIND_STUN = 3,
	SIG_KIND_RELAYED = 4,
};

/*
 * An address record of the wire (SIG_ADDR_LEN bytes: family, kind, port,
 * 16 address bytes): a peer's candidates and the address the nucleus
 * observed, the two places the wire says where an address came from.
 * Everything else in signaling/ is a plain net_endpoint (where a datagram
 * comes from or goes to) or a net_addr (a query's VIP, whose record on the
 * wire has kind and port 0): net/addr.h, family NET_AF_IP4/NET_AF_IP6.
 */
struct sig_addr {
	struct net_endpoint ep; /* family NET_AF_NONE: none */
	uint8_t kind;           /* enum sig_addr_kind */
};

struct sig_peer {
	uint8_t pubkey[SIG_PUBKEY_LEN];
	uint8_t vip4[4];
	uint8_t vip6[16];
	uint8_t flags; /* SIG_PEER_HAS_VIP4 | SIG_PEER_HAS_VIP6 */
	uint8_t n_cand;
	struct sig_addr cand[SIG_CAND_MAX];
};

enum sig_change { SIG_JOINED = 1, SIG_LEFT = 2, SIG_MOVED = 3 };

struct sig_entry {
	uint8_t change;       /* enum sig_change */
	struct sig_peer peer; /* LEFT: only pubkey is set */
};

enum sig_ack_status { SIG_ACK_DELTA = 0, SIG_ACK_RESYNC = 1, SIG_ACK_UNKNOWN = 2 };
/* Ack flags (offset 3, once reserved; docs/l2.md): the cluster is an L2
 * fabric. Other bits must be 0. */
enum { SIG_ACK_L2 = 0x01 };

struct sig_ack {
	uint8_t status; /* enum sig_ack_status */
	uint8_t flags;  /* SIG_ACK_L2 */
	bool more;
	uint8_t n_entries;
	uint32_t epoch;
	uint64_t version;
	uint32_t cursor;
	struct sig_addr observed;
	struct sig_entry entries[SIG_ACK_ENTRIES_MAX];
};

struct sig_heartbeat {
	uint8_t pubkey[SIG_PUBKEY_LEN];
	uint32_t epoch;
	uint64_t version;
	uint32_t cursor; /* SIG_CURSOR_NONE: not resyncing */
};

struct sig_query {
	uint8_t pubkey[SIG_PUBKEY_LEN]; /* asker */
	struct net_addr target;         /* a VIP or VIP6 */
};

struct sig_challenge {
	uint8_t nucleus_key[SIG_PUBKEY_LEN];
	uint32_t epoch;
	uint8_t token[SIG_TOKEN_LEN];
};

/* TURN_ASK: who asks, and its relayed address when it has one (family
 * NET_AF_NONE: none yet); RELAY_INFO: a member's relayed address. */
struct sig_relay {
	uint8_t pubkey[SIG_PUBKEY_LEN];
	struct sig_addr relayed;
};

/* TURN_CRED: coturn's REST credentials (use-auth-secret); n_servers 0: the
 * nucleus has no relay to offer. */
struct sig_turn_cred {
	uint64_t expiry_s; /* Unix seconds; also the username's first part */
	uint8_t n_servers;
	struct net_endpoint servers[SIG_TURN_SERVERS_MAX];
	char user[SIG_TURN_USER_MAX + 1];
	char pass[SIG_TURN_PASS_MAX + 1];
};

struct sig_peer_info {
	struct net_addr target;
	struct sig_peer peer;
};

/* One message, decoded or to encode. */
struct sig_msg {
	uint8_t type;                 /* enum sig_type */
	bool enc;                     /* body encrypted (SIG_FLAG_ENC) */
	bool named;                   /* the name trailer follows the body (SIG_FLAG_NAME) */
	bool id;                      /* the identity trailer follows the body (SIG_FLAG_ID) */
	uint32_t id_epoch;            /* trailer: the nucleus epoch the sender knows */
	uint8_t token[SIG_TOKEN_LEN]; /* trailer: the token echoed (REGISTER), or 0 */
	uint8_t cluster_id[SIG_CLUSTER_ID_LEN];
	uint64_t ts_ms;
	uint32_t seq;
	uint8_t nonce[SIG_NONCE_LEN];
	union {
		struct sig_peer reg;            /* REGISTER; PUNCH */
		struct sig_ack ack;             /* REGISTER_ACK, HEARTBEAT_ACK */
		struct sig_heartbeat hb;        /* HEARTBEAT */
		uint8_t leave[SIG_PUBKEY_LEN];  /* LEAVE: who leaves */
		struct sig_query query;         /* QUERY_PEER */
		struct sig_peer_info info;      /* PEER_INFO */
		struct net_addr target;         /* NOT_FOUND */
		struct sig_challenge challenge; /* CHALLENGE */
		struct sig_relay relay;         /* TURN_ASK, RELAY_INFO */
		struct sig_turn_cred cred;      /* TURN_CRED */
	} u;
};

/* Why a datagram was dropped. One X-macro: the enum and the metric names. */
#define SIG_DROPS(X)                                                                  \
	X(TRUNCATED, "truncated")             /* too short for header/type */         \
	X(TOO_BIG, "too_big")                 /* above SIG_DATAGRAM_MAX */            \
	X(BAD_MAGIC, "bad_magic")             /* not signaling */                     \
	X(BAD_VERSION, "bad_version")         /* version not 1 */                     \
	X(BAD_TYPE, "bad_type")               /* unknown type or flags */             \
	X(WRONG_DIRECTION, "wrong_direction") /* type not for this end */             \
	X(RATELIMIT, "ratelimit")             /* source over its rate */              \
	X(UNKNOWN_CLUSTER, "unknown_cluster") /* no cluster with that id */           \
	X(BAD_MAC, "bad_mac")                 /* HMAC does not verify */              \
	X(BAD_CIPHER, "bad_cipher")           /* decryption failed */                 \
	X(BAD_BODY, "bad_body")               /* body does not parse */               \
	X(STALE, "stale")                     /* timestamp outside the window */      \
	X(REPLAY, "replay")                   /* nonce seen already */                \
	X(REPLAY_FULL, "replay_full")         /* nonce cache has no room */           \
	X(WRONG_MODE, "wrong_mode")           /* plain vs encrypted mismatch */       \
	X(NOT_MEMBER, "not_member")           /* query from an unknown key */         \
	X(CLUSTER_FULL, "cluster_full")       /* no room for a new member */          \
	X(VIP_TAKEN, "vip_taken")             /* VIP of another live member */        \
	X(UNEXPECTED, "unexpected")           /* reply to no request of ours */       \
	X(WRONG_SECRET, "wrong_secret")       /* name trailer does not open */        \
	X(CLUSTER_LIMIT, "too_many_clusters") /* open nucleus made its most */        \
	X(UNVERIFIED, "unverified")           /* answer > request, source unproven */ \
	X(NO_IDENTITY, "no_identity")         /* no identity trailer where needed */  \
	X(BAD_IDENTITY, "bad_identity")       /* identity MAC does not verify */      \
	X(STALE_EPOCH, "stale_epoch")         /* of another nucleus epoch */          \
	X(NOT_ADMITTED, "not_admitted")       /* key not on the cluster's list */

enum sig_drop {
	SIG_OK = 0,
#define SIG_DROP_ENUM(name, text) SIG_DROP_##name,
	SIG_DROPS(SIG_DROP_ENUM)
#undef SIG_DROP_ENUM
		SIG_DROP_COUNT
};

/* "truncated", ...; "ok" for SIG_OK. */
const char *sig_drop_name(enum sig_drop d);
/* "REGISTER", ...; "?" for an unknown type. */
const char *sig_type_name(unsigned type);
/* A type of this version (the gaps 10..15 are not, yet). */
bool sig_type_name_known(unsigned type);

#endif /* OMNI_SIGNALING_WIRE_H */

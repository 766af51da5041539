/* SPDX-License-Identifier: MIT */
/*
 * WireGuard wire formats and protocol limits, in one place.
 *
 * Every multi-byte integer on the wire is little-endian. The first four bytes
 * of every message are {type, 0, 0, 0}. Sizes are exact for the three
 * handshake messages; a transport data message is a 16-byte header followed
 * by the AEAD ciphertext of the zero-padded inner packet and a 16-byte tag.
 *
 * Reference: J. A. Donenfeld, "WireGuard: Next Generation Kernel Network
 * Tunnel", NDSS 2017, sections 5.4 and 6.
 */
#ifndef OMNI_WG_MESSAGES_H
#define OMNI_WG_MESSAGES_H

#include <assert.h>
#include <stdint.h>

enum wg_message_type {
	WG_MSG_INVALID = 0,
	WG_MSG_HANDSHAKE_INITIATION = 1,
	WG_MSG_HANDSHAKE_RESPONSE = 2,
	WG_MSG_HANDSHAKE_COOKIE = 3,
	WG_MSG_DATA = 4,
};

enum wg_crypto_sizes {
	WG_KEY_LEN = 32,
	WG_HASH_LEN = 32,
	WG_AEAD_TAG_LEN = 16,
	WG_TIMESTAMP_LEN = 12,
	WG_COOKIE_LEN = 16,
	WG_COOKIE_NONCE_LEN = 24,
	WG_MAC_LEN = 16,
	WG_PADDING_MULTIPLE = 16,
};

/* Times are in nanoseconds of an injected monotonic clock. */
#define WG_NSEC_PER_SEC 1000000000ULL

enum wg_limits {
	WG_REKEY_AFTER_TIME = 120,            /* s */
	WG_REJECT_AFTER_TIME = 180,           /* s */
	WG_REKEY_ATTEMPT_TIME = 90,           /* s */
	WG_REKEY_TIMEOUT = 5,                 /* s */
	WG_REKEY_TIMEOUT_JITTER_MAX_MS = 333, /* ms, added to REKEY_TIMEOUT */
	WG_KEEPALIVE_TIMEOUT = 10,            /* s */
	WG_COOKIE_SECRET_MAX_AGE = 120,       /* s */
	WG_COOKIE_SECRET_LATENCY = 5,         /* s */
	WG_INITIATIONS_PER_SECOND = 50,       /* per peer, anti-flood */
	WG_MAX_TIMER_HANDSHAKES = WG_REKEY_ATTEMPT_TIME / WG_REKEY_TIMEOUT,
	WG_MAX_QUEUED_PACKETS = 1024,
	WG_COUNTER_BITS_TOTAL = 8192, /* replay bitmap, RFC 6479 */
	WG_COUNTER_WINDOW_SIZE = WG_COUNTER_BITS_TOTAL - 64,
};

#define WG_REKEY_AFTER_MESSAGES (1ULL << 60)
#define WG_REJECT_AFTER_MESSAGES (UINT64_MAX - WG_COUNTER_WINDOW_SIZE - 1)

struct wg_msg_header {
	uint32_t type; /* low byte = enum wg_message_type, upper bytes zero */
} __attribute__((packed));

struct wg_msg_macs {
	uint8_t mac1[WG_MAC_LEN];
	uint8_t mac2[WG_MAC_LEN];
} __attribute__((packed));

struct wg_msg_initiation {
	struct wg_msg_header header;
	uint32_t sender_index;
	uint8_t unencrypted_ephemeral[WG_KEY_LEN];
	uint8_t encrypted_static[WG_KEY_LEN + WG_AEAD_TAG_LEN];
	uint8_t encrypted_timestamp[WG_TIMESTAMP_LEN + WG_AEAD_TAG_LEN];
	struct wg_msg_macs macs;
} __attribute__((packed));

struct wg_msg_response {
	struct wg_msg_header header;
	uint32_t sender_index;
	uint32_t receiver_index;
	uint8_t unencrypted_ephemeral[WG_KEY_LEN];
	uint8_t encrypted_nothing[WG_AEAD_TAG_LEN];
	struct wg_msg_macs macs;
} __attribute__((packed));

struct wg_msg_cookie {
	struct wg_msg_header header;
	uint32_t receiver_index;
	uint8_t nonce[WG_COOKIE_NONCE_LEN];
	uint8_t encrypted_cookie[WG_COOKIE_LEN + WG_AEAD_TAG_LEN];
} __attribute__((packed));

struct wg_msg_data {
	struct wg_msg_header header;
	uint32_t key_idx;
	uint64_t counter;
	uint8_t encrypted_data[];
} __attribute__((packed));

static_assert(sizeof(struct wg_msg_initiation) == 148, "initiation is 148 bytes");
static_assert(sizeof(struct wg_msg_response) == 92, "response is 92 bytes");
static_assert(sizeof(struct wg_msg_cookie) == 64, "cookie reply is 64 bytes");
static_assert(sizeof(struct wg_msg_data) == 16, "data header is 16 bytes");

enum {
	WG_MSG_DATA_MIN_LEN = sizeof(struct wg_msg_data) + WG_AEAD_TAG_LEN, /* keepalive */
};

/* Length of the inner packet once padded, as a sender must pad it. */
static inline uint32_t wg_padded_len(uint32_t plain_len, uint32_t mtu)
{
	uint32_t padded = (plain_len + WG_PADDING_MULTIPLE - 1) &
			  ~(uint32_t)(WG_PADDING_MULTIPLE - 1);

	if (mtu && padded > mtu && plain_len <= mtu)
		padded = mtu;
	return padded;
}

#endif /* OMNI_WG_MESSAGES_H */

/* SPDX-License-Identifier: MIT */
/*
 * Transport data messages around the bulk AEAD: the steps before and after
 * wg_aead_{seal,open}_burst, so a caller can gather a burst across peers.
 *
 * Packet layout (in place):  [16-byte header][padded inner][16-byte tag]
 */
#ifndef OMNI_WG_TRANSPORT_H
#define OMNI_WG_TRANSPORT_H

#include <stdint.h>

#include "aead_op.h"
#include "keypair.h"
#include "result.h"

/*
 * Seal step 1. The inner packet is at pkt + 16, plain_len bytes; pkt must
 * have room for 16 + padded + 16 bytes. Writes the header, zero-pads, takes
 * the next counter of kp and fills op. *pkt_len gets the final length.
 * Returns WG_OK, WG_BAD_INNER (plain_len above 65535), WG_NO_KEY or
 * WG_KEY_EXPIRED.
 */
enum wg_result wg_transport_seal_prepare(struct wg_keypair *kp, uint8_t *pkt, uint32_t plain_len,
					 uint32_t mtu, uint64_t now_ns, struct wg_aead_op *op,
					 uint32_t *pkt_len);

/*
 * The same in two steps, so that a burst can take all its counters before
 * it writes any packet (a counter is an atomic operation, which waits for
 * the stores before it). Reserve: the checks and the counter, results as
 * above. Fill: the rest, for a counter reserve gave.
 */
enum wg_result wg_transport_seal_reserve(struct wg_keypair *kp, uint32_t plain_len, uint64_t now_ns,
					 uint64_t *counter);
void wg_transport_seal_fill(const struct wg_keypair *kp, uint8_t *pkt, uint32_t plain_len,
			    uint32_t mtu, uint64_t counter, struct wg_aead_op *op,
			    uint32_t *pkt_len);

/* The receiver index of a data message (after wg_message_parse said DATA). */
uint32_t wg_transport_key_index(const uint8_t *pkt);
uint64_t wg_transport_counter(const uint8_t *pkt);

/*
 * Open step 1: kp is the keypair the caller found by the receiver index.
 * Decrypts in place. Returns WG_OK, WG_BAD_SIZE (under 32 bytes), WG_NO_KEY,
 * WG_KEY_EXPIRED or WG_REPLAYED_COUNTER (a counter that cannot be new: cheap early reject).
 */
enum wg_result wg_transport_open_prepare(const struct wg_keypair *kp, uint8_t *pkt, uint32_t len,
					 uint64_t now_ns, struct wg_aead_op *op);

/*
 * Open step 2, after the burst: tag result, then the replay window.
 * Returns WG_OK, WG_BAD_DATA_TAG or WG_REPLAYED_COUNTER.
 */
enum wg_result wg_transport_open_finish(struct wg_keypair *kp, const struct wg_aead_op *op);

/*
 * Length of the IPv4/IPv6 packet inside a decrypted payload (padding
 * removed); 0 for a keepalive; -1 if it is not a well-formed IP packet that
 * fits in payload_len.
 */
int wg_transport_inner_len(const uint8_t *payload, uint32_t payload_len);

#endif /* OMNI_WG_TRANSPORT_H */

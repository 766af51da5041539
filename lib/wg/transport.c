/* SPDX-License-Identifier: MIT */
#include <endian.h>
#include <stddef.h>
#include <string.h>

#include "transport.h"

enum {
	HDR = sizeof(struct wg_msg_data),
	IPV4_MIN = 20,
	IPV6_HDR = 40,
};

enum wg_result wg_transport_seal_reserve(struct wg_keypair *kp, uint32_t plain_len, uint64_t now_ns,
					 uint64_t *counter)
{
	if (plain_len > UINT16_MAX)
		return WG_BAD_INNER; /* no IP packet is longer; keeps padding in range */
	if (!kp || !kp->valid)
		return WG_NO_KEY;
	if (!wg_keypair_can_send(kp, now_ns))
		return WG_KEY_EXPIRED;
	/* Workers of one peer may share a keypair: the nonce is taken atomically. */
	*counter = __atomic_fetch_add(&kp->send_counter, 1, __ATOMIC_RELAXED);
	if (*counter >= WG_REJECT_AFTER_MESSAGES)
		return WG_KEY_EXPIRED;
	return WG_OK;
}

void wg_transport_seal_fill(const struct wg_keypair *kp, uint8_t *pkt, uint32_t plain_len,
			    uint32_t mtu, uint64_t counter, struct wg_aead_op *op,
			    uint32_t *pkt_len)
{
	struct wg_msg_data *hdr = (struct wg_msg_data *)pkt;
	uint32_t padded = wg_padded_len(plain_len, mtu);

	/* The padding (under 16 bytes) with one fixed-size store: what it
	 * writes past the padding is where the tag goes. */
	static_assert(WG_AEAD_TAG_LEN == 16, "padding is under a tag's length");
	memset(pkt + HDR + plain_len, 0, WG_AEAD_TAG_LEN);
	hdr->header.type = htole32(WG_MSG_DATA);
	hdr->key_idx = htole32(kp->remote_index);
	hdr->counter = htole64(counter);

	op->key = kp->send_key;
	op->counter = counter;
	op->src = pkt + HDR;
	op->dst = pkt + HDR;
	op->len = padded;
	op->tag = pkt + HDR + padded;
	op->status = 0;
	*pkt_len = HDR + padded + WG_AEAD_TAG_LEN;
}

enum wg_result wg_transport_seal_prepare(struct wg_keypair *kp, uint8_t *pkt, uint32_t plain_len,
					 uint32_t mtu, uint64_t now_ns, struct wg_aead_op *op,
					 uint32_t *pkt_len)
{
	uint64_t counter;
	enum wg_result r = wg_transport_seal_reserve(kp, plain_len, now_ns, &counter);

	if (r == WG_OK)
		wg_transport_seal_fill(kp, pkt, plain_len, mtu, counter, op, pkt_len);
	return r;
}

uint32_t wg_transport_key_index(const uint8_t *pkt)
{
	uint32_t v;

	memcpy(&v, pkt + offsetof(struct wg_msg_data, key_idx), sizeof(v));
	return le32toh(v);
}

uint64_t wg_transport_counter(const uint8_t *pkt)
{
	uint64_t v;

	memcpy(&v, pkt + offsetof(struct wg_msg_data, counter), sizeof(v));
	return le64toh(v);
}

enum wg_result wg_transport_open_prepare(const struct wg_keypair *kp, uint8_t *pkt, uint32_t len,
					 uint64_t now_ns, struct wg_aead_op *op)
{
	uint64_t counter;

	if (len < WG_MSG_DATA_MIN_LEN)
		return WG_BAD_SIZE;
	if (!kp || !kp->valid)
		return WG_NO_KEY;
	if (!wg_keypair_can_receive(kp, now_ns))
		return WG_KEY_EXPIRED;
	counter = wg_transport_counter(pkt);
	if (counter >= WG_REJECT_AFTER_MESSAGES ||
	    counter + WG_COUNTER_WINDOW_SIZE < kp->replay.counter)
		return WG_REPLAYED_COUNTER;

	op->key = kp->recv_key;
	op->counter = counter;
	op->src = pkt + HDR;
	op->dst = pkt + HDR;
	op->len = len - HDR - WG_AEAD_TAG_LEN;
	op->tag = pkt + len - WG_AEAD_TAG_LEN;
	op->status = 0;
	return WG_OK;
}

enum wg_result wg_transport_open_finish(struct wg_keypair *kp, const struct wg_aead_op *op)
{
	if (op->status)
		return WG_BAD_DATA_TAG;
	if (!wg_replay_check(&kp->replay, op->counter))
		return WG_REPLAYED_COUNTER;
	return WG_OK;
}

int wg_transport_inner_len(const uint8_t *payload, uint32_t payload_len)
{
	uint32_t total;

	if (payload_len == 0)
		return 0;
	switch (payload[0] >> 4) {
	case 4:
		if (payload_len < IPV4_MIN || (payload[0] & 0x0f) < 5)
			return -1;
		total = (uint32_t)payload[2] << 8 | payload[3];
		if (total < (uint32_t)(payload[0] & 0x0f) * 4)
			return -1;
		break;
	case 6:
		if (payload_len < IPV6_HDR)
			return -1;
		total = IPV6_HDR + ((uint32_t)payload[4] << 8 | payload[5]);
		break;
	default:
		return -1;
	}
	return total <= payload_len ? (int)total : -1;
}

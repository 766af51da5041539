/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "parse.h"

static const size_t exact_size[] = {
	[WG_MSG_HANDSHAKE_INITIATION] = sizeof(struct wg_msg_initiation),
	[WG_MSG_HANDSHAKE_RESPONSE] = sizeof(struct wg_msg_response),
	[WG_MSG_HANDSHAKE_COOKIE] = sizeof(struct wg_msg_cookie),
};

enum wg_result wg_message_parse(const void *buf, size_t len, enum wg_message_type *type)
{
	const uint8_t *p = buf;
	uint8_t t;

	if (len < sizeof(struct wg_msg_header))
		return WG_TOO_SHORT;
	t = p[0];
	if (t < WG_MSG_HANDSHAKE_INITIATION || t > WG_MSG_DATA)
		return WG_BAD_TYPE;
	if (p[1] | p[2] | p[3])
		return WG_BAD_RESERVED;
	if (t == WG_MSG_DATA) {
		if (len < WG_MSG_DATA_MIN_LEN)
			return WG_BAD_SIZE;
	} else if (len != exact_size[t]) {
		return WG_BAD_SIZE;
	}
	*type = (enum wg_message_type)t;
	return WG_OK;
}

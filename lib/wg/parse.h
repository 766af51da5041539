/* SPDX-License-Identifier: MIT */
/* Classify a datagram that arrived on the listen port. Lengths first. */
#ifndef OMNI_WG_PARSE_H
#define OMNI_WG_PARSE_H

#include <stddef.h>

#include "messages.h"
#include "result.h"

/*
 * Returns WG_OK and *type, or WG_TOO_SHORT, WG_BAD_TYPE, WG_BAD_RESERVED,
 * WG_BAD_SIZE. Reads only the first four bytes and the length.
 */
enum wg_result wg_message_parse(const void *buf, size_t len, enum wg_message_type *type);

#endif /* OMNI_WG_PARSE_H */

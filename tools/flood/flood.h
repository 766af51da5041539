/* SPDX-License-Identifier: MIT */
/* flood: options, the payloads it sends, and the raw sender (main.c says how to run it). */
#ifndef OMNI_TOOLS_FLOOD_H
#define OMNI_TOOLS_FLOOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "signaling/codec.h"
#include "wg/messages.h"

enum { FLOOD_BATCH = 64, FLOOD_PAYLOAD_MAX = SIG_DATAGRAM_MAX };

enum flood_kind {
	FLOOD_WG,        /* valid-mac1 initiations for a public key */
	FLOOD_SIG_BAD,   /* REGISTERs with the cluster's id and a wrong HMAC */
	FLOOD_SIG_VALID, /* HEARTBEATs with a valid HMAC, a fresh nonce each */
	FLOOD_JUNK,      /* bytes that are nothing of ours */
};

struct flood_opts {
	enum flood_kind kind;
	uint8_t dst[4], src_net[4];
	uint16_t port;
	unsigned src_bits; /* spoofed sources: src_net/src_bits, in turn */
	unsigned rate;     /* packets per second; 0: as fast as it goes */
	double seconds;
	uint8_t wg_pub[WG_KEY_LEN];
	struct sig_keys keys;
};

/* The payload of packet i into out (FLOOD_PAYLOAD_MAX); its length. */
size_t flood_payload(const struct flood_opts *o, uint64_t i, uint8_t *out);
/* Prepares what flood_payload reuses (initiation templates). */
void flood_payload_init(const struct flood_opts *o);

#endif /* OMNI_TOOLS_FLOOD_H */

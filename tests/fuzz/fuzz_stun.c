/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the STUN response parser: any bytes, checked
 * against the transaction id they carry (so the attribute walk is reached)
 * and against a fixed one.
 */
#include <stddef.h>
#include <stdint.h>

#include "signaling/stun.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t fixed[SIG_STUN_TXID_LEN] = { 1, 2, 3 };
	struct net_endpoint a;

	if (size >= SIG_STUN_HEADER_LEN &&
	    sig_stun_parse_response(data, size, data + 8, &a) == SIG_STUN_OK &&
	    !net_addr_is_set(&a.addr))
		__builtin_trap();
	sig_stun_parse_response(data, size, fixed, &a);
	sig_stun_is_stun(data, size);
	return 0;
}

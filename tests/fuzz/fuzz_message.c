/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: any datagram, as it arrives on the listen port.
 * wg_message_parse, then by type: wg_cookie_validate (not under load and
 * under load) and, only when mac1 verifies, the Noise consumer; cookie
 * replies to wg_cookie_consume_reply; data to wg_transport_open_* with the
 * libsodium AEAD. See fuzz_world.h for the fixed keys and state.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_world.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fuzz_world world;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_world_build(&world);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_one(&world, data, size, false);
	return 0;
}

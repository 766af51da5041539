/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: like fuzz_message, but mac1 and mac2 of handshake
 * messages are recomputed over the fuzzed bytes before anything checks
 * them. mac1 is a keyed hash the fuzzer cannot guess, so without this it
 * would never get past wg_cookie_validate into the Noise consumers
 * (wg_noise_consume_initiation / _response and what follows them).
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
	fuzz_one(&world, data, size, true);
	return 0;
}

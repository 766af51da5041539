/* SPDX-License-Identifier: MIT */
/*
 * The fuzz targets' invariant check: a broken invariant aborts, which
 * libFuzzer reports as a crash with the input that broke it.
 */
#ifndef OMNI_FUZZ_CHECK_H
#define OMNI_FUZZ_CHECK_H

#include <stdlib.h>

#define CHECK(x)                 \
	do {                     \
		if (!(x))        \
			abort(); \
	} while (0)

#endif /* OMNI_FUZZ_CHECK_H */

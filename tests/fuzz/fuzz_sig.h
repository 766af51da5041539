/* SPDX-License-Identifier: MIT */
/* The fixed cluster and clock of fuzz_signaling and its seeds. */
#ifndef OMNI_FUZZ_SIG_H
#define OMNI_FUZZ_SIG_H

#define FUZZ_SIG_CLUSTER "fuzz"
#define FUZZ_SIG_SECRET "fuzz secret 0123456789"
#define FUZZ_SIG_NOW 1700000000000ull

#endif /* OMNI_FUZZ_SIG_H */

/* SPDX-License-Identifier: MIT */
/* The fixed cluster and clock of fuzz_signaling and its seeds. */
#ifndef OMNI_FUZZ_SIG_H
#define OMNI_FUZZ_SIG_H

#define FUZZ_SIG_CLUSTER "fuzz"
#define FUZZ_SIG_SECRET "fuzz secret 0123456789"
#define FUZZ_SIG_NOW 1700000000000ull

/* The nucleus's and a member's private keys (identity-bound membership):
 * the seeds sign with the key both make. */
#define FUZZ_SIG_NUCLEUS_PRIV                                                                    \
	{                                                                                        \
		0x48, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, \
			22, 23, 24, 25, 26, 27, 28, 29, 30, 0x41                                 \
	}
#define FUZZ_SIG_MEMBER_PRIV                                                                     \
	{                                                                                        \
		0x50, 9, 8, 7, 6, 5, 4, 3, 2, 1, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, \
			22, 23, 24, 25, 26, 27, 28, 29, 30, 0x42                                 \
	}

#endif /* OMNI_FUZZ_SIG_H */

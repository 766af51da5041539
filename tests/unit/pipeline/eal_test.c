/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <unistd.h>

#include <rte_eal.h>

#include "eal_test.h"

int eal_test_init(void)
{
	char prefix[64];
	char *argv[] = { "unit-test", "--no-huge", "-m", "256", "--no-pci", "-l", "0",
			 "--log-level", "error", "--file-prefix", prefix, NULL };

	/* --no-huge cannot go with --in-memory: a private prefix instead. */
	snprintf(prefix, sizeof(prefix), "omni-ut-%d", (int)getpid());
	return rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
}

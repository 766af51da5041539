/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <unistd.h>

#include <rte_eal.h>

#include "eal_test.h"

int eal_test_init_mem(unsigned mb)
{
	char prefix[64], mem[16];
	char *argv[] = { "unit-test", "--no-huge", "-m",          mem,     "--no-pci",
			 "-l",        "0",         "--log-level", "error", "--file-prefix",
			 prefix,      NULL };

	/* --no-huge cannot go with --in-memory: a private prefix instead. */
	snprintf(prefix, sizeof(prefix), "omni-ut-%d", (int)getpid());
	snprintf(mem, sizeof(mem), "%u", mb);
	return rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
}

int eal_test_init(void)
{
	return eal_test_init_mem(256);
}

/* SPDX-License-Identifier: MIT */
#ifndef OMNI_TEST_EAL_H
#define OMNI_TEST_EAL_H

/* Start a small EAL for a unit test: no hugepages, no PCI, one lcore. */
int eal_test_init(void);
/* The same with mb megabytes of memory (an AllowedIPs table with IPv6
 * routes takes 128 MB, and a commit builds a second one beside it). */
int eal_test_init_mem(unsigned mb);

#endif

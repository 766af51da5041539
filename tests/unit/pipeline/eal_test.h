/* SPDX-License-Identifier: MIT */
#ifndef OMNI_TEST_EAL_H
#define OMNI_TEST_EAL_H

/* Start a small EAL for a unit test: no hugepages, no PCI, one lcore. */
int eal_test_init(void);

#endif

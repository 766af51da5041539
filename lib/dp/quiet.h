/* SPDX-License-Identifier: MIT */
/*
 * Quiet, true start-up logs: libbpf's and libxdp's output through print
 * callbacks, DPDK's log stream through a line filter. Expected fallbacks
 * (libxdp's dispatcher refused, the single program attached) become one
 * line of ours saying what was chosen and why; real warnings still pass;
 * the rest goes to omni.dp's DEBUG level. quiet.c lists the lines and why
 * each is expected. Call once, before rte_eal_init (dp_eal_start does).
 */
#ifndef OMNI_DP_QUIET_H
#define OMNI_DP_QUIET_H

void dp_quiet_install(void);

#endif /* OMNI_DP_QUIET_H */

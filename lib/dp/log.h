/* SPDX-License-Identifier: MIT */
/*
 * Logging for lib/dp: DPDK's rte_log under the log type "omni.dp", so
 * `--log-level=omni.dp:debug` works like it does for any DPDK component.
 * It prints to stderr before rte_eal_init as well.
 */
#ifndef OMNI_DP_LOG_H
#define OMNI_DP_LOG_H

#include <rte_log.h>

extern int dp_logtype;

#define DP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, dp_logtype, "omni.dp: " fmt "\n", ##__VA_ARGS__)

#endif /* OMNI_DP_LOG_H */

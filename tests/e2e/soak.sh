#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The soak of tools/soak (its header draws the topology and lists the load
# and the checks) for 60 s: two edges, a nucleus and wireguard-go under
# traffic, forced rekeys, peer churn, reloads, a nucleus restart and
# floods; then mbufs, RSS and fds back, no ping lost, the counters adding up.
#
# Usage: soak.sh BUILD_DIR
SOAK_SECONDS=${SOAK_SECONDS:-60} exec "$(dirname "$0")/../../tools/soak" 1 "${1:?usage: $0 BUILD_DIR}"

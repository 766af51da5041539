# SPDX-License-Identifier: MIT
#
# Helpers for the e2e scripts, sourced after they set tmp (their scratch
# directory) and failed=0. Meant to replace the copies each older script
# carries of the same few functions.
#
#   e2e_die MSG                  FAIL: MSG, the edge's log (without stats
#                                lines) when $tmp/edge.log exists, exit 1
#   e2e_check NAME CMD...        run CMD, its output indented, PASS/FAIL:
#                                NAME; on failure the edge log's tail and
#                                failed=1
#   e2e_wg_go_start NS IF        wireguard-go IF in netns NS (its log in
#                                $tmp/wireguard-go-IF.log); sets wg_pid,
#                                waits for its control socket

e2e_edge_log() {
	[ -n "${tmp:-}" ] && [ -f "$tmp/edge.log" ] &&
		grep -v '^stats: ' "$tmp/edge.log" | tail -"${1:-200}" | sed 's/^/    edge: /'
}

e2e_die() {
	echo "FAIL: $*"
	e2e_edge_log
	exit 1
}

e2e_check() {
	local name=$1
	shift
	if "$@" >"$tmp/check.log" 2>&1; then
		sed 's/^/    /' "$tmp/check.log"
		echo "PASS: $name"
	else
		sed 's/^/    /' "$tmp/check.log"
		e2e_edge_log 20
		echo "FAIL: $name"
		failed=1
	fi
}

e2e_wg_go_start() {
	local ns=$1 dev=$2
	WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 \
		ip netns exec "$ns" wireguard-go -f "$dev" >"$tmp/wireguard-go-$dev.log" 2>&1 &
	wg_pid=$!
	for _ in $(seq 50); do
		[ -S "/var/run/wireguard/$dev.sock" ] && return 0
		sleep 0.1
	done
	e2e_die "wireguard-go did not start: $(cat "$tmp/wireguard-go-$dev.log")"
}

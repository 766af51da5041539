#!/bin/bash
# SPDX-License-Identifier: MIT
#
# lib/dp end to end: dp-smoke (EAL with our defaults, an underlay port on a
# veth end, a host port, an L2 pipe between them on one worker lcore with
# idle back-off) carries ping from the host port to the far namespace.
#
#  +--------------------------------------------+    +---------------------------+
#  | netns omni-dps-a-PID                       |    | netns omni-dps-b-PID      |
#  |                                            |    |                           |
#  |  omni0 198.51.100.1/24  (host port, kind K)|    |                           |
#  |     |                                      |    |                           |
#  |  dp-smoke: omni0 <-> vdaPID, frames as-is  |    |                           |
#  |     |                                      |    |                           |
#  |  vdaPID (underlay, no address) ------------------- vdbPID 198.51.100.2/24  |
#  +--------------------------------------------+    +---------------------------+
#  and a second, same shape, for case 5: omni-dps-c-PID / omni-dps-d-PID,
#  vdcPID / vddPID, 192.0.2.1/24 on omni0, 192.0.2.2/24 on vddPID.
#
# Cases: 1 tap host port (AF_XDP underlay); 2 veth host port (AF_XDP on
# both); 3 tap with the underlay forced to AF_PACKET; 4 single-lcore mode;
# 5 two dp-smoke processes at once (veth and tap); 6 virtio-user, only where
# /dev/vhost-net exists. Each: ping across, SIGTERM, exit 0, omni0 (and the
# veth peer) gone; the idle sleeps of the forwarding lcore were ended by
# frames (the ports' kernel descriptors were found and polled: the pings
# come 200 ms apart, when the loop sleeps). Idle CPU is printed, not
# checked (no timing thresholds).
#
# ASan: net_af_xdp (DPDK 22.11) never frees what libxdp's xsk_umem__create
# allocated (160 B per port); that one leak is suppressed, others still fail.
#
# Usage: dp_ports.sh BUILD_DIR
set -u

build=${1:?usage: $0 BUILD_DIR}
smoke=$build/tools/dp-smoke/dp-smoke
ns_a=omni-dps-a-$$
ns_b=omni-dps-b-$$
ns_c=omni-dps-c-$$
ns_d=omni-dps-d-$$
veth_a=vda$$
veth_b=vdb$$
veth_c=vdc$$
veth_d=vdd$$
tmp=
made_ns=
pids=
failed=0

cleanup() {
	local pid ns dev

	for pid in $pids; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in $pids; do
		for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		# A killed process leaves its EAL runtime directory.
		rm -rf "/var/run/dpdk/omni$pid"
	done
	for ns in $made_ns; do
		# XDP programs go with their interfaces; detach them anyway.
		for dev in $(ip -n "$ns" -o link show 2>/dev/null | awk -F': ' '{print $2}'); do
			ip -n "$ns" link set dev "${dev%@*}" xdp off 2>/dev/null
		done
		ip netns del "$ns"
	done
	[ -n "$tmp" ] && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() {
	echo "FAIL: $*"
	exit 1
}

preflight() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: needs root (network namespaces, AF_XDP)"
		exit 77
	fi
	for tool in ip ping awk; do
		command -v "$tool" >/dev/null || die "$tool not found: run tools/setup"
	done
	[ -x "$smoke" ] || die "$smoke not built"
	tmp=$(mktemp -d /tmp/omni-dps.XXXXXX) || die "mktemp"
	echo "leak:xsk_umem__create" >"$tmp/lsan.supp"
	export LSAN_OPTIONS="suppressions=$tmp/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
}

# $1 $2 namespaces, $3 $4 veth names, $5 far address/len
make_pair() {
	local ns
	for ns in "$1" "$2"; do
		ip netns add "$ns" || die "ip netns add $ns"
		made_ns="$made_ns $ns"
		ip -n "$ns" link set lo up
	done
	ip link add "$3" netns "$1" type veth peer name "$4" netns "$2" || die "veth pair"
	ip -n "$2" addr add "$5" dev "$4"
	ip -n "$1" link set "$3" up
	ip -n "$2" link set "$4" up
}

# $1 namespace, $2 log, $3.. dp-smoke options. Sets smoke_pid.
start_smoke() {
	local ns=$1 log=$2
	shift 2
	ip netns exec "$ns" "$smoke" "$@" >>"$log" 2>&1 &
	smoke_pid=$!
	pids="$pids $smoke_pid"
	for _ in $(seq 300); do
		grep -q '^dp-smoke: forwarding on' "$log" && return 0
		kill -0 "$smoke_pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# CPU share of one core used by PID over the 3 s after a ping, printed:
# about 1 s at the back-off cap (100 us), then deep idle (1 ms sleeps).
print_idle_cpu() {
	local pid=$1 label=$2 hz t0 t1
	hz=$(getconf CLK_TCK)
	t0=$(awk '{print $14 + $15}' "/proc/$pid/stat") || return
	sleep 3
	t1=$(awk '{print $14 + $15}' "/proc/$pid/stat") || return
	echo "    idle CPU ($label): $(awk -v d=$((t1 - t0)) -v hz="$hz" \
		'BEGIN { printf "%.1f", 100 * d / (3 * hz) }')% of one core over 3 s"
}

# SIGTERM and check a clean stop. $1 pid, $2 ns, $3 log. Returns 0 if clean.
stop_smoke() {
	local pid=$1 ns=$2 log=$3 rc

	kill -TERM "$pid"
	for _ in $(seq 200); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "dp-smoke did not stop on SIGTERM" >>"$log"
		return 1
	fi
	wait "$pid"
	rc=$?
	pids=" $pids "
	pids=${pids// $pid / }
	[ "$rc" = 0 ] || { echo "dp-smoke exited $rc" >>"$log"; return 1; }
	if ip -n "$ns" link show omni0 >/dev/null 2>&1 ||
		ip -n "$ns" link show omni0-dp >/dev/null 2>&1; then
		echo "omni0 still there after a clean stop" >>"$log"
		return 1
	fi
	[ ! -e "/var/run/dpdk/omni$pid" ] ||
		{ echo "runtime directory /var/run/dpdk/omni$pid left" >>"$log"; return 1; }
	woken_by_frames "$log"
}

# Every worker line of the log says some sleeps were ended by a frame.
woken_by_frames() {
	local lines
	lines=$(grep -c ' ended by a frame$' "$1")
	[ "$lines" -gt 0 ] || { echo "no worker summary in the log" >>"$1"; return 1; }
	if grep ' ended by a frame$' "$1" | grep -q '; 0 ended by a frame$'; then
		echo "a worker's idle sleeps were never ended by a frame" >>"$1"
		return 1
	fi
	return 0
}

report() {
	local name=$1 ok=$2 log=$3

	grep -v '^libbpf:' "$log" | sed 's/^/    /'
	if [ "$ok" = 1 ]; then
		echo "PASS: $name"
	else
		echo "FAIL: $name"
		failed=1
	fi
}

ping_across() {
	ip netns exec "$1" ping -c 3 -i 0.2 -w 10 "$2" >>"$3" 2>&1
}

# $1 name, $2.. dp-smoke options (after --underlay and --host-addr)
case_one() {
	local name=$1 log=$tmp/case.log ok=0
	shift
	: >"$log"
	if start_smoke "$ns_a" "$log" --underlay "$veth_a" --host-addr 198.51.100.1/24 "$@"; then
		ping_across "$ns_a" 198.51.100.2 "$log" && ok=1
		[ "$ok" = 1 ] && print_idle_cpu "$smoke_pid" "$name" >>"$log"
		stop_smoke "$smoke_pid" "$ns_a" "$log" || ok=0
	else
		echo "dp-smoke did not come up" >>"$log"
	fi
	report "$name" "$ok" "$log"
}

case_two_at_once() {
	local name="5 two dp-smoke processes at once (veth, tap)" ok=0 pid1 pid2
	local log1=$tmp/one.log log2=$tmp/two.log

	: >"$log1"
	: >"$log2"
	make_pair "$ns_c" "$ns_d" "$veth_c" "$veth_d" 192.0.2.2/24
	if start_smoke "$ns_a" "$log1" --underlay "$veth_a" --host-addr 198.51.100.1/24 \
		--host-kind veth && pid1=$smoke_pid &&
		start_smoke "$ns_c" "$log2" --underlay "$veth_c" --host-addr 192.0.2.1/24 \
			--host-kind tap; then
		pid2=$smoke_pid
		ping_across "$ns_a" 198.51.100.2 "$log1" && ping_across "$ns_c" 192.0.2.2 "$log2" &&
			ok=1
		[ "$ok" = 1 ] && print_idle_cpu "$pid1" "first of two" >>"$log1"
		stop_smoke "$pid1" "$ns_a" "$log1" || ok=0
		stop_smoke "$pid2" "$ns_c" "$log2" || ok=0
	else
		echo "dp-smoke did not come up" >>"$log2"
	fi
	cat "$log1" >>"$log2"
	report "$name" "$ok" "$log2"
}

preflight
make_pair "$ns_a" "$ns_b" "$veth_a" "$veth_b" 198.51.100.2/24

case_one "1 tap host port, AF_XDP underlay" --host-kind tap --workers 1
case_one "2 veth host port, AF_XDP on both" --host-kind veth --workers 1
case_one "3 tap host port, AF_PACKET underlay" --host-kind tap --underlay-mode af_packet
case_one "4 single-lcore mode (veth)" --host-kind veth --workers 0
case_two_at_once
if [ -e /dev/vhost-net ]; then
	case_one "6 virtio-user host port" --host-kind virtio-user
else
	echo "SKIP: 6 virtio-user host port (no /dev/vhost-net here)"
fi

if [ "$failed" = 0 ]; then
	echo "PASS: dp_ports, all cases"
else
	echo "FAIL: dp_ports"
	exit 1
fi

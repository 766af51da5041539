#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Crash-safe start: the edge is killed with SIGKILL (an OOM kill, a crash)
# at random moments - during start-up, under ping and iperf3 traffic, just
# after a SIGHUP reload - and started again with the same command. Each
# time the new run takes over what the dead one left (the host port's
# veth pair omni0 <-> omni0-dp (--host-port veth: the kind that outlives
# its process), the locks, the XDP program, the DPDK
# runtime directory with its telemetry socket, the metrics port) and says
# so, and the tunnel to wireguard-go is back within 5 s of the command
# (measured, printed). A second edge on the same interfaces is refused
# while the first lives. The first start's log has none of libbpf's or
# libxdp's fallback noise and has our one line instead.
#
#  +-------------------------------------+     +-------------------------------+
#  | netns omni-crash-a-PID              |     | netns omni-crash-b-PID        |
#  |  omni0 10.81.0.1/24 (veth, AF_XDP)  |     |  wgcPID 10.81.0.2/24          |
#  |  omninervous, udp 51820             |     |    wireguard-go, udp 51821    |
#  |    metrics 127.0.0.1:9586           |     |    iperf3 -s                  |
#  |  vcaPID 192.0.2.1/24 (net_af_xdp) -------- vcbPID 192.0.2.2/24           |
#  +-------------------------------------+     +-------------------------------+
#
# Usage: crash_restart.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
asan_no_leaks

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
ns_a=omni-crash-a-$$
ns_b=omni-crash-b-$$
wgif=wgc$$
veth_a=vca$$
veth_b=vcb$$
BACK_MS=5000 # the tunnel must be back this soon after the restart command
run=0        # edges started so far: their names are edge1, edge2, ...

need_root
need_tools wireguard-go wg iperf3 ping
need_built "$omni"
e2e_tmp crash

edge_args=(--underlay "$veth_a" --wg-config "$tmp/edge.conf" --metrics 127.0.0.1:9586 --host-port veth)

# The edge now running: its name and PID.
cur() { echo "edge$run"; }
cur_pid() { pid_of "edge$run"; }


# restart: the same command again; then the time until a ping comes back
# through the tunnel, printed, within BACK_MS.
restart() {
	local t0 ready back
	run=$((run + 1))
	t0=$(now_ms)
	edge_start "$(cur)" "$ns_a" "${edge_args[@]}" || return 1
	ready=$(($(now_ms) - t0))
	wait_for -t 10 echo_back "$ns_a" 10.81.0.2 >/dev/null
	back=$(($(now_ms) - t0))
	echo "restart $run: ready after $ready ms, tunnel back after $back ms (limit $BACK_MS)"
	grep -E 'taken over|found the veth|removed the DPDK|replaced a stale' "$tmp/$(cur).log"
	echo_back "$ns_a" 10.81.0.2 && [ "$back" -le "$BACK_MS" ]
}

# kill9: SIGKILL to the running edge, reaped (as a service manager does
# before it restarts: all its threads gone). Not bg_stop: that would remove
# the runtime directory the next run must find.
kill9() {
	local pid
	pid=$(cur_pid)
	killed=$pid
	kill -KILL "$pid" || return 1
	wait "$pid" 2>/dev/null
	gone "$pid"
}

# What the run after a kill of a run that was up must say it found.
took_over() {
	local log=$tmp/$(cur).log
	grep -q "host port omni0: lock .* left by pid $killed, which is gone: taken over" "$log" &&
		grep -q "found the veth pair omni0 <-> omni0-dp of a run that did not stop" "$log" &&
		grep -q "removed the DPDK runtime directories .*omni$killed" "$log" &&
		grep -q "replaced a stale omni_xdp program" "$log" &&
		[ "$(http_status "$ns_a" http://127.0.0.1:9586/health)" = 200 ]
}

# Random delays in ms, from the shell's generator (the seed is printed).
RANDOM=${CRASH_SEED:-$$}
echo "random seed ${CRASH_SEED:-$$} (CRASH_SEED=N repeats a run)"
ms_between() { echo $(($1 + RANDOM % ($2 - $1 + 1))); }
sleep_ms() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }

quiet_start_log() {
	local log=$tmp/edge1.log bad
	bad=$(grep -E 'libbpf:|libxdp:|BPF program load failed|permission error while running as root|Falling back to loading single prog|legacy socket not created' "$log")
	[ -z "$bad" ] || { echo "noise in the start log:"; echo "$bad"; return 1; }
	grep 'socket program attached alone, without libxdp' "$log"
}

killed_under_traffic() {
	local d
	d=$(ms_between 300 2000)
	iperf3_server ip "$ns_b" 10.81.0.2 || return 1
	iperf3_start ip "$ns_a" 10.81.0.2 5
	bg_start pings "$ns_a" ping -i 0.05 -w 6 10.81.0.2
	wait_for -t 5 log_has -F "bytes from" "$tmp/pings.log" >/dev/null || return 1
	echo "kill -9 after $d ms of ping and iperf3 traffic"
	sleep_ms "$d" # a random moment under traffic
	kill9 || return 1
	bg_stop pings >/dev/null
	bg_stop ip_cli >/dev/null
	bg_stop ip_srv >/dev/null
	restart && took_over
}

killed_during_reload() {
	local d
	d=$(ms_between 0 60)
	echo "kill -9 $d ms after SIGHUP"
	kill -HUP "$(cur_pid)"
	sleep_ms "$d" # a random moment in the reload
	kill9 && restart && took_over
}

killed_during_startup() {
	local d
	d=$(ms_between 50 1500)
	kill9 || return 1
	run=$((run + 1))
	bg_start "$(cur)" "$ns_a" "$omni" "${edge_args[@]}"
	sleep_ms "$d" # a random moment of the start-up
	kill9 || return 1
	echo "killed $d ms into start-up; it had logged $(grep -c . "$tmp/$(cur).log") lines"
	tail -n 1 "$tmp/$(cur).log"
	restart
}

second_refused() {
	local out=$tmp/second.out pid
	pid=$(cur_pid)
	if ip netns exec "$ns_a" timeout 30 "$omni" "${edge_args[@]}" >"$out" 2>&1; then
		echo "a second edge started"
		return 1
	fi
	cat "$out"
	grep -q "host port omni0 is in use by another omninervous (pid $pid" "$out" &&
		alive "$pid" && echo_back "$ns_a" 10.81.0.2
}

edge_pair "$ns_a" "$veth_a" "$ns_b" "$veth_b" "$wgif" 10.81.0 || die "topology"
edge_pair_peer || die "wireguard-go's peer"

check "first start: the tunnel is up" restart
check "first start: no libbpf/libxdp/EAL fallback noise, our one line instead" quiet_start_log
check "a second edge on the same interfaces is refused while the first lives" second_refused
for round in 1 2; do
	check "round $round: kill -9 under traffic, restarted, tunnel back" killed_under_traffic
	check "round $round: kill -9 during a reload, restarted, tunnel back" killed_during_reload
	check "round $round: kill -9 during start-up, restarted, tunnel back" killed_during_startup
done
check "the last run stops cleanly (omni0 removed)" \
	eval 'edge_stop "$(cur)" && ! ip -n "$ns_a" link show omni0 >/dev/null 2>&1'
finish

#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The DPDK edge against a real WireGuard peer: omninervous (single-lcore,
# underlay through AF_XDP on a veth, host port omni0 through net_tap) and
# wireguard-go exchange pings both ways, with and without a preshared key.
# Mismatched preshared keys carry nothing (while wireguard-go's responses
# do reach the edge, which refuses them). A bad wg-quick file is refused
# with its line; SIGTERM removes omni0.
#
#  +-------------------------------------+     +-------------------------------+
#  | netns omni-edge-a-PID               |     | netns omni-edge-b-PID         |
#  |                                     |     |                               |
#  |  omni0 10.77.0.1/24 (net_tap)       |     |  wireguard-go, wgePID         |
#  |    |                                |     |    10.77.0.2/24               |
#  |  omninervous, udp 51820             |     |    udp 51821                  |
#  |    |                                |     |    |                          |
#  |  veaPID 192.0.2.1/24 (net_af_xdp) -------- vebPID 192.0.2.2/24           |
#  +-------------------------------------+     +-------------------------------+
#
# Usage: edge_wg.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
asan_no_leaks

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
ns_a=omni-edge-a-$$
ns_b=omni-edge-b-$$
wgif=wge$$
veth_a=vea$$
veth_b=veb$$

# $1: preshared key file or /dev/null. A fresh peer: no session survives.
psk_peer() { edge_pair_peer preshared-key "$1"; }

# $1: extra [Peer] line (PresharedKey) or empty.
psk_conf() { edge_pair_conf ${1:+"$1"}; }

# EAL options for the edge: empty (single-lcore mode) or e.g. "-l 0-1 --".
eal_args=()

wg_edge_start() {
	edge_start edge "$ns_a" "${eal_args[@]}" --underlay "$veth_a" \
		--wg-config "$tmp/edge.conf" --host-port "${host_kind:-tap}" || die "the edge did not start"
}

# SIGTERM must end it cleanly (status 0) and take omni0 away.
stop_edge() {
	edge_stop edge && ! ip -n "$ns_a" link show omni0 >/dev/null 2>&1
}

bad_config_refused() {
	printf '[Interface]\nPrivateKey = %s\nListenPort = 99999\n' "$(cat "$tmp/edge.key")" \
		>"$tmp/bad.conf"
	if ip netns exec "$ns_a" "$omni" --underlay "$veth_a" --wg-config "$tmp/bad.conf" \
		>"$tmp/bad.out" 2>&1; then
		echo "a bad file was accepted"
		return 1
	fi
	cat "$tmp/bad.out"
	grep -q "bad.conf:3:" "$tmp/bad.out" && ! grep -qF "$(cat "$tmp/edge.key")" "$tmp/bad.out"
}

# A host packet larger than the tunnel MTU gets ICMP "fragmentation needed"
# with the tunnel MTU back, as from a router, instead of vanishing. omni0's
# MTU is raised above the tunnel's so the kernel lets such a packet out.
too_big_answered() {
	local out
	ip -n "$ns_a" link set omni0 mtu 1500 || return 1
	out=$(ip netns exec "$ns_a" ping -c 2 -W 2 -M do -s 1450 10.77.0.2 2>&1)
	echo "$out"
	ip -n "$ns_a" link set omni0 mtu 1420
	echo "$out" | grep -Eqi "mtu ?= ?1420|frag needed"
}

run_case() {
	local label=$1 psk_line=$2 psk_file=$3

	psk_conf "$psk_line"
	psk_peer "$psk_file"
	wg_edge_start
	check "$label: edge initiates, ping 10.77.0.2 through the tunnel" ping_from "$ns_a" 10.77.0.2
	psk_peer "$psk_file" # wireguard-go forgets the session: it must initiate
	check "$label: wireguard-go initiates, ping 10.77.0.1 through the tunnel" \
		ping_from "$ns_b" 10.77.0.1
	[ "$label" = "no psk" ] &&
		check "$label: too big for the tunnel: ICMP frag needed, mtu 1420" too_big_answered
	check "$label: SIGTERM stops the edge cleanly and removes omni0" stop_edge
}

# Rekeying without loss: with the protocol clock 40x fast, REKEY_AFTER_TIME
# (120 s) passes every 3 s; 20 s of pings 0.2 s apart must all come back
# while the edge completes several handshakes.
rekey_without_loss() {
	local n
	grep -q "OMNI_TEST_CLOCK_SCALE=40" "$tmp/edge.log" || { echo "clock not sped up"; return 1; }
	ip netns exec "$ns_a" ping -c 100 -i 0.2 -w 40 10.77.0.2 | tail -3 || return 1
	n=$(edge_stat edge handshakes_completed)
	echo "handshakes completed: $n"
	[ "$n" -ge 4 ]
}

# refused_responses: how many handshake responses the edge refused.
refused_responses() { stat_of edge handshake_refused_BAD_EMPTY_TAG; }

# Keys that do not match must carry nothing: proof the cases above prove
# something. And proof that this one proves something: wireguard-go's
# responses reach the edge, which refuses them (their confirmation does
# not authenticate under the wrong preshared key).
psk_mismatch_fails() {
	local ok=0
	psk_conf "PresharedKey = $(cat "$tmp/psk")"
	psk_peer /dev/null
	wg_edge_start
	if ip netns exec "$ns_a" ping -c 1 -w 4 10.77.0.2; then
		echo "a ping went through with mismatched preshared keys"
	elif wait_stat edge handshake_refused_BAD_EMPTY_TAG -ge 1; then
		echo "handshake responses refused by the edge: $(refused_responses)"
		ok=1
	fi
	stop_edge || ok=0
	[ "$ok" = 1 ]
}

need_root
need_tools wireguard-go wg ip ping
need_built "$omni"
e2e_tmp edge
edge_pair "$ns_a" "$veth_a" "$ns_b" "$veth_b" "$wgif" 10.77.0 || die "topology"
(umask 077 && wg genpsk >"$tmp/psk") || die "wg genpsk"

check "a wg-quick file with a bad ListenPort is refused with its line" bad_config_refused
run_case "no psk" "" /dev/null
run_case "psk" "PresharedKey = $(cat "$tmp/psk")" "$tmp/psk"
check "mismatched preshared keys: no traffic" psk_mismatch_fails
psk_conf ""
psk_peer /dev/null
OMNI_TEST_CLOCK_SCALE=40 wg_edge_start
check "forced rekeys (clock 40x): no ping lost" rekey_without_loss
check "forced rekeys: SIGTERM stops the edge cleanly" stop_edge
# Control on the main lcore, forwarding on a worker lcore.
eal_args=(-l 0-1 --)
run_case "worker lcore" "" /dev/null
check "worker lcore: the edge started a worker lcore" \
	grep -q "control on the main lcore + workers" "$tmp/edge.log"
# Control's loop has no packets to wake it: its deep sleep stays short.
check "worker lcore: control's deep sleep is 1 ms" \
	grep -q "idle: sleeps of 1 ms after 1000 ms without traffic" "$tmp/edge.log"
# Two worker lcores and the tap-gso host port: the veth underlay has one
# queue, so the host port is given one too (a tap queue that no worker
# polls loses what the kernel spreads to it: ARP, pings) and one forwards.
eal_args=(--lcores 0@0,1@1,2@1 --)
host_kind=tap-gso
run_case "two workers, tap-gso" "" /dev/null
check "two workers, tap-gso: one queue pair, one worker forwards" \
	grep -q "only 1 queue pair(s): 1 of 2 worker lcores will forward" "$tmp/edge.log"
finish

#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The DPDK edge against a real WireGuard peer: omninervous (single-lcore,
# underlay through AF_XDP on a veth, host port omni0 through net_tap) and
# wireguard-go exchange pings both ways, with and without a preshared key.
# Mismatched preshared keys carry nothing. A bad wg-quick file is refused
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

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
ns_a=omni-edge-a-$$
ns_b=omni-edge-b-$$
wgif=wge$$
veth_a=vea$$
veth_b=veb$$
tmp=
wg_pid=
edge_pid=
made_ns=
failed=0

# DPDK's EAL keeps allocations for the life of the process: LeakSanitizer
# would report them at exit.
export ASAN_OPTIONS=detect_leaks=0

cleanup() {
	[ -n "$edge_pid" ] && kill "$edge_pid" 2>/dev/null && wait "$edge_pid" 2>/dev/null
	[ -n "$wg_pid" ] && kill "$wg_pid" 2>/dev/null && wait "$wg_pid" 2>/dev/null
	[ -n "$wg_pid" ] && rm -f "/var/run/wireguard/$wgif.sock"
	for ns in $made_ns; do
		ip netns del "$ns"
	done
	[ -n "$tmp" ] && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() {
	echo "FAIL: $*"
	[ -n "$tmp" ] && [ -f "$tmp/edge.log" ] && sed 's/^/    edge: /' "$tmp/edge.log"
	exit 1
}

check() {
	local name=$1
	shift
	if "$@" >"$tmp/check.log" 2>&1; then
		[ -n "${VERBOSE:-}" ] && sed 's/^/    /' "$tmp/check.log"
		echo "PASS: $name"
	else
		sed 's/^/    /' "$tmp/check.log"
		echo "FAIL: $name"
		failed=1
	fi
}

preflight() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: needs root (network namespaces)"
		exit 77
	fi
	for tool in wireguard-go wg ip ping; do
		command -v "$tool" >/dev/null || die "$tool not found: run tools/setup"
	done
	[ -x "$omni" ] || die "$omni not built"
}

make_keys() {
	tmp=$(mktemp -d /tmp/omni-edge.XXXXXX) || die "mktemp"
	(
		umask 077
		wg genkey >"$tmp/edge.key" && wg pubkey <"$tmp/edge.key" >"$tmp/edge.pub" &&
		wg genkey >"$tmp/wg.key" && wg pubkey <"$tmp/wg.key" >"$tmp/wg.pub" &&
		wg genpsk >"$tmp/psk"
	) || die "wg genkey"
}

make_topology() {
	for ns in "$ns_a" "$ns_b"; do
		ip netns add "$ns" || die "ip netns add $ns"
		made_ns="$made_ns $ns"
		ip -n "$ns" link set lo up
	done
	ip link add "$veth_a" netns "$ns_a" type veth peer name "$veth_b" netns "$ns_b" ||
		die "veth pair"
	ip -n "$ns_a" addr add 192.0.2.1/24 dev "$veth_a"
	ip -n "$ns_b" addr add 192.0.2.2/24 dev "$veth_b"
	ip -n "$ns_a" link set "$veth_a" up
	ip -n "$ns_b" link set "$veth_b" up
}

start_wireguard_go() {
	WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 \
		ip netns exec "$ns_b" wireguard-go -f "$wgif" >"$tmp/wireguard-go.log" 2>&1 &
	wg_pid=$!
	for _ in $(seq 50); do
		[ -S "/var/run/wireguard/$wgif.sock" ] && break
		sleep 0.1
	done
	[ -S "/var/run/wireguard/$wgif.sock" ] || die "wireguard-go did not start"
	ip netns exec "$ns_b" wg set "$wgif" private-key "$tmp/wg.key" listen-port 51821 ||
		die "wg set"
	ip -n "$ns_b" addr add 10.77.0.2/24 dev "$wgif"
	ip -n "$ns_b" link set "$wgif" up
}

# $1: preshared key file or /dev/null. A fresh peer: no session survives.
wg_peer() {
	ip netns exec "$ns_b" wg set "$wgif" peer "$(cat "$tmp/edge.pub")" remove
	ip netns exec "$ns_b" wg set "$wgif" peer "$(cat "$tmp/edge.pub")" preshared-key "$1" \
		allowed-ips 10.77.0.1/32 endpoint 192.0.2.1:51820
}

# $1: extra [Peer] line (PresharedKey) or empty.
write_config() {
	{
		echo "[Interface]"
		echo "PrivateKey = $(cat "$tmp/edge.key")"
		echo "ListenPort = 51820"
		echo "Address = 10.77.0.1/24"
		echo "MTU = 1420"
		echo
		echo "[Peer]"
		echo "PublicKey = $(cat "$tmp/wg.pub")"
		[ -n "$1" ] && echo "$1"
		echo "Endpoint = 192.0.2.2:51821"
		echo "AllowedIPs = 10.77.0.2/32"
	} >"$tmp/edge.conf"
	chmod 600 "$tmp/edge.conf"
}

# EAL options for the edge: empty (single-lcore mode) or e.g. "-l 0-1 --".
eal_args=()

start_edge() {
	ip netns exec "$ns_a" "$omni" "${eal_args[@]}" --underlay "$veth_a" --wg-config "$tmp/edge.conf" \
		--host-port tap >"$tmp/edge.log" 2>&1 &
	edge_pid=$!
	for _ in $(seq 100); do
		ip -n "$ns_a" addr show omni0 2>/dev/null | grep -q 10.77.0.1 && return 0
		kill -0 "$edge_pid" 2>/dev/null || break
		sleep 0.1
	done
	die "the edge did not bring omni0 up"
}

# SIGTERM must end it cleanly (status 0) and take omni0 away.
stop_edge() {
	kill -TERM "$edge_pid"
	wait "$edge_pid"
	local status=$?
	edge_pid=
	[ "$status" = 0 ] || { echo "edge exited $status"; return 1; }
	! ip -n "$ns_a" link show omni0 >/dev/null 2>&1
}

ping_from() {
	# The first echo may wait for next-hop resolution and the handshake.
	ip netns exec "$1" ping -c 3 -i 0.3 -w 10 "$2"
}

bad_config_refused() {
	printf '[Interface]\nPrivateKey = %s\nListenPort = 99999\n' "$(cat "$tmp/edge.key")" \
		>"$tmp/bad.conf"
	if ip netns exec "$ns_a" "$omni" --underlay "$veth_a" --wg-config "$tmp/bad.conf" \
		>"$tmp/bad.log" 2>&1; then
		echo "a bad file was accepted"
		return 1
	fi
	cat "$tmp/bad.log"
	grep -q "bad.conf:3:" "$tmp/bad.log" && ! grep -qF "$(cat "$tmp/edge.key")" "$tmp/bad.log"
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

	write_config "$psk_line"
	wg_peer "$psk_file"
	start_edge
	check "$label: edge initiates, ping 10.77.0.2 through the tunnel" ping_from "$ns_a" 10.77.0.2
	wg_peer "$psk_file" # wireguard-go forgets the session: it must initiate
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
	kill -USR1 "$edge_pid"
	sleep 0.5
	n=$(sed -n 's/^stats: handshakes_completed //p' "$tmp/edge.log" | tail -1)
	echo "handshakes completed: ${n:-none}"
	[ "${n:-0}" -ge 4 ]
}

# Keys that do not match must carry nothing: proof the cases above prove something.
psk_mismatch_fails() {
	write_config "PresharedKey = $(cat "$tmp/psk")"
	wg_peer /dev/null
	start_edge
	if ip netns exec "$ns_a" ping -c 1 -w 4 10.77.0.2; then
		echo "a ping went through with mismatched preshared keys"
		return 1
	fi
	stop_edge
}

preflight
make_keys
make_topology
start_wireguard_go
check "a wg-quick file with a bad ListenPort is refused with its line" bad_config_refused
run_case "no psk" "" /dev/null
run_case "psk" "PresharedKey = $(cat "$tmp/psk")" "$tmp/psk"
check "mismatched preshared keys: no traffic" psk_mismatch_fails
write_config ""
wg_peer /dev/null
OMNI_TEST_CLOCK_SCALE=40 start_edge
check "forced rekeys (clock 40x): no ping lost" rekey_without_loss
check "forced rekeys: SIGTERM stops the edge cleanly" stop_edge
# Control on the main lcore, forwarding on a worker lcore.
eal_args=(-l 0-1 --)
run_case "worker lcore" "" /dev/null
grep -q "control on the main lcore + workers" "$tmp/edge.log" ||
	{ echo "FAIL: the edge did not start a worker lcore"; failed=1; }
# Control's loop has no packets to wake it: its deep sleep stays short.
grep -q "idle: sleeps of 1 ms after 1000 ms without traffic" "$tmp/edge.log" ||
	{ echo "FAIL: with workers, control's deep sleep is not 1 ms"; grep idle "$tmp/edge.log"; failed=1; }
if [ "$failed" = 0 ]; then
	echo "PASS: edge_wg, all cases"
	exit 0
fi
echo "FAIL: edge_wg"
exit 1

#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Proof against a real peer: wg-probe (our WireGuard core over a UDP socket)
# and wireguard-go complete handshakes and carry ICMP echo both ways, with
# and without a preshared key; a wrong preshared key must not work.
#
#  +----------------------------------+     +----------------------------------+
#  | netns omni-wgi-a-PID             |     | netns omni-wgi-b-PID             |
#  |                                  |     |                                  |
#  |   wireguard-go, interface wgpPID |     |   wg-probe                       |
#  |     10.77.0.1/24                 |     |     tunnel address 10.77.0.2     |
#  |     listens on udp 51820         |     |     udp 51821 as responder       |
#  |              |                   |     |              |                   |
#  |   vwaPID 192.0.2.1/24 ---------------------- vwbPID 192.0.2.2/24         |
#  +----------------------------------+     +----------------------------------+
#
# Cases: 1 probe initiates, no psk; 2 probe initiates, psk; 3 wireguard-go
# initiates (ping from its side), no psk; 4 same with psk; 5 probe initiates
# with a psk unlike wireguard-go's: must time out; 6 wireguard-go initiates
# with a psk unlike the probe's: the probe must see no data; 7 the probe is
# under load: wireguard-go must take its cookie reply and come back with mac2.
#
# Usage: wg_interop.sh BUILD_DIR
set -u

build=${1:?usage: $0 BUILD_DIR}
probe=$build/tools/wg-probe/wg-probe
ns_a=omni-wgi-a-$$
ns_b=omni-wgi-b-$$
wgif=wgp$$
veth_a=vwa$$
veth_b=vwb$$
port_a=51820
port_b=51821
tmp=
wg_pid=
probe_pid=
made_ns=
failed=0

cleanup() {
	[ -n "$probe_pid" ] && kill "$probe_pid" 2>/dev/null && wait "$probe_pid" 2>/dev/null
	[ -n "$wg_pid" ] && kill "$wg_pid" 2>/dev/null && wait "$wg_pid" 2>/dev/null
	# wireguard-go removes its socket when it exits; a killed one may not.
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
	exit 1
}

preflight() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: needs root (network namespaces)"
		exit 77
	fi
	for tool in wireguard-go wg ip ping ss; do
		command -v "$tool" >/dev/null ||
			die "$tool not found: run tools/setup" \
				"(wireguard-go wireguard-tools iproute2 iputils-ping)"
	done
	[ -x "$probe" ] || die "$probe not built"
}

make_keys() {
	tmp=$(mktemp -d /tmp/omni-wgi.XXXXXX) || die "mktemp"
	chmod 700 "$tmp"
	(
		umask 077
		wg genkey >"$tmp/wg.key" && wg pubkey <"$tmp/wg.key" >"$tmp/wg.pub" &&
		wg genkey >"$tmp/probe.key" && wg pubkey <"$tmp/probe.key" >"$tmp/probe.pub" &&
		wg genpsk >"$tmp/psk" && wg genpsk >"$tmp/other.psk"
	) || die "wg genkey/pubkey/genpsk"
	wg_pub=$(cat "$tmp/wg.pub")
	probe_pub=$(cat "$tmp/probe.pub")
}

make_topology() {
	for ns in "$ns_a" "$ns_b"; do
		ip netns add "$ns" || die "ip netns add $ns"
		made_ns="$made_ns $ns"
	done
	ip -n "$ns_a" link set lo up
	ip -n "$ns_b" link set lo up
	ip link add "$veth_a" netns "$ns_a" type veth peer name "$veth_b" netns "$ns_b" ||
		die "veth pair"
	ip -n "$ns_a" addr add 192.0.2.1/24 dev "$veth_a"
	ip -n "$ns_b" addr add 192.0.2.2/24 dev "$veth_b"
	ip -n "$ns_a" link set "$veth_a" up
	ip -n "$ns_b" link set "$veth_b" up
}

start_wireguard_go() {
	WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 \
		ip netns exec "$ns_a" wireguard-go -f "$wgif" >"$tmp/wireguard-go.log" 2>&1 &
	wg_pid=$!
	for _ in $(seq 50); do
		[ -S "/var/run/wireguard/$wgif.sock" ] && break
		sleep 0.1
	done
	[ -S "/var/run/wireguard/$wgif.sock" ] ||
		die "wireguard-go did not start: $(cat "$tmp/wireguard-go.log")"
	ip netns exec "$ns_a" wg set "$wgif" private-key "$tmp/wg.key" listen-port "$port_a" ||
		die "wg set private-key"
	ip -n "$ns_a" addr add 10.77.0.1/24 dev "$wgif"
	ip -n "$ns_a" link set "$wgif" up || die "wireguard-go interface up"
}

# Fresh peer state for every case: remove the probe's peer, add it again.
# $1: preshared key file or /dev/null (none); $2: endpoint or empty.
configure_peer() {
	local ep=()

	[ -n "$2" ] && ep=(endpoint "$2")
	ip netns exec "$ns_a" wg set "$wgif" peer "$probe_pub" remove
	ip netns exec "$ns_a" wg set "$wgif" peer "$probe_pub" preshared-key "$1" \
		allowed-ips 10.77.0.2/32 "${ep[@]}"
}

run_probe() {
	ip netns exec "$ns_b" "$probe" --key "$tmp/probe.key" --peer-pub "$wg_pub" \
		--tunnel-addr 10.77.0.2 "$@"
}

report() {
	local name=$1 ok=$2 log=$3

	sed 's/^/    /' "$log"
	if [ "$ok" = 1 ]; then
		echo "PASS: $name"
	else
		echo "FAIL: $name"
		failed=1
	fi
}

# $1 name, $2 wireguard-go psk file, $3.. extra probe options
case_probe_initiates() {
	local name=$1 wg_psk=$2 log=$tmp/case.log ok=0
	shift 2

	configure_peer "$wg_psk" ""
	run_probe --endpoint "192.0.2.1:$port_a" --ping 10.77.0.1 --count 3 "$@" \
		>"$log" 2>&1 && ok=1
	report "$name" "$ok" "$log"
}

wait_udp_port() {
	for _ in $(seq 50); do
		[ -n "$(ip netns exec "$ns_b" ss -Hnul "sport = :$1")" ] && return 0
		sleep 0.1
	done
	return 1
}

# $1 name, $2 wireguard-go psk file, $3 "pass" or "fail", $4.. probe options.
# ping_opts: how wireguard-go's side pings.
ping_opts="-c 3 -i 0.5 -W 2"
case_wg_initiates() {
	local name=$1 wg_psk=$2 expect=$3 log=$tmp/case.log ok=0 probe_rc ping_rc
	shift 3

	configure_peer "$wg_psk" "192.0.2.2:$port_b"
	run_probe --respond --listen "$port_b" --count 3 "$@" >"$log" 2>&1 &
	probe_pid=$!
	wait_udp_port "$port_b" || echo "wg-probe did not bind udp $port_b" >>"$log"
	# shellcheck disable=SC2086 # ping_opts is a list of words
	ip netns exec "$ns_a" ping $ping_opts 10.77.0.2 >"$tmp/ping.log" 2>&1
	ping_rc=$?
	wait "$probe_pid"
	probe_rc=$?
	probe_pid=
	sed 's/^/ping: /' "$tmp/ping.log" | grep -E 'packets transmitted|bytes from' >>"$log"
	if [ "$expect" = cookie ]; then
		[ "$probe_rc" = 0 ] && [ "$ping_rc" = 0 ] &&
			grep -q "by a cookie reply" "$log" && ok=1
	elif [ "$expect" = pass ]; then
		[ "$probe_rc" = 0 ] && [ "$ping_rc" = 0 ] && ok=1
	else
		[ "$probe_rc" != 0 ] && [ "$ping_rc" != 0 ] &&
			grep -q 'timed out' "$log" && ok=1
	fi
	report "$name" "$ok" "$log"
}

case_wrong_psk_initiator() {
	local name=$1 log=$tmp/case.log ok=0

	configure_peer "$tmp/psk" ""
	if ! run_probe --endpoint "192.0.2.1:$port_a" --ping 10.77.0.1 --count 1 \
		--timeout 3 --psk-file "$tmp/other.psk" >"$log" 2>&1; then
		grep -q 'handshake timed out' "$log" && ok=1
	fi
	report "$name (must fail)" "$ok" "$log"
}

preflight
make_keys
make_topology
start_wireguard_go

case_probe_initiates "1 probe initiates, no psk, sodium AEAD" /dev/null --aead sodium
case_probe_initiates "2 probe initiates, psk" "$tmp/psk" --psk-file "$tmp/psk"
case_wg_initiates "3 wireguard-go initiates, no psk" /dev/null pass
case_wg_initiates "4 wireguard-go initiates, psk" "$tmp/psk" pass --psk-file "$tmp/psk"
case_wrong_psk_initiator "5 probe initiates, wrong psk"
case_wg_initiates "6 wireguard-go initiates, wrong psk (must fail)" "$tmp/psk" fail \
	--psk-file "$tmp/other.psk" --timeout 4
# wireguard-go takes the cookie and retries after REKEY_TIMEOUT (5 s) with
# mac2; meanwhile it stages the pings.
ping_opts="-c 3 -i 0.5 -w 15"
case_wg_initiates "7 wireguard-go initiates, probe under load: cookie reply, then mac2" \
	/dev/null cookie --under-load --timeout 15

if [ "$failed" = 0 ]; then
	echo "PASS: wg_interop, all cases"
else
	echo "FAIL: wg_interop"
	exit 1
fi

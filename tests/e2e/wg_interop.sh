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
#  |   wireguard-go, interface wgiPID |     |   wg-probe                       |
#  |     10.77.0.1/24                 |     |     tunnel address 10.77.0.2     |
#  |     listens on udp 51820         |     |     udp 51821 as responder       |
#  |              |                   |     |              |                   |
#  |   vwaPID 192.0.2.1/24 ---------------------- vwbPID 192.0.2.2/24         |
#  +----------------------------------+     +----------------------------------+
#
# Cases: 1 probe initiates, no psk; 2 probe initiates, psk; 3 wireguard-go
# initiates (ping from its side), no psk; 4 same with psk; 5 probe initiates
# with a psk unlike wireguard-go's: must time out, after refusing
# wireguard-go's responses (so they did arrive); 6 wireguard-go initiates
# with a psk unlike the probe's: the probe answers its handshakes but must
# see no data; 7 the probe is under load: wireguard-go must take its cookie
# reply and come back with mac2.
#
# Usage: wg_interop.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"

build=${1:?usage: $0 BUILD_DIR}
probe=$build/tools/wg-probe/wg-probe
ns_a=omni-wgi-a-$$
ns_b=omni-wgi-b-$$
wgif=wgi$$
veth_a=vwa$$
veth_b=vwb$$
port_a=51820
port_b=51821

# Fresh peer state for every case: remove the probe's peer, add it again.
# $1: preshared key file or /dev/null (none); $2: endpoint or empty.
configure_peer() {
	local ep=()
	[ -n "$2" ] && ep=(endpoint "$2")
	wg_go_peer "$ns_a" "$wgif" "$tmp/probe.pub" preshared-key "$1" allowed-ips 10.77.0.2/32 \
		"${ep[@]}"
}

wg_probe() {
	ip netns exec "$ns_b" "$probe" --key "$tmp/probe.key" --peer-pub "$(cat "$tmp/wg.pub")" \
		--tunnel-addr 10.77.0.2 "$@"
}

# $1 wireguard-go psk file, $2.. extra probe options
case_probe_initiates() {
	local wg_psk=$1
	shift
	configure_peer "$wg_psk" ""
	wg_probe --endpoint "192.0.2.1:$port_a" --ping 10.77.0.1 --count 3 "$@"
}

udp_bound() { [ -n "$(ip netns exec "$ns_b" ss -Hnul "sport = :$1")" ]; }

# $1 wireguard-go psk file, $2 "pass", "fail" or "cookie", $3.. probe
# options. ping_opts: how wireguard-go's side pings.
ping_opts="-c 3 -i 0.5 -W 2"
case_wg_initiates() {
	local wg_psk=$1 expect=$2 probe_rc ping_rc
	shift 2
	configure_peer "$wg_psk" "192.0.2.2:$port_b"
	bg_start probe "$ns_b" "$probe" --key "$tmp/probe.key" --peer-pub "$(cat "$tmp/wg.pub")" \
		--tunnel-addr 10.77.0.2 --respond --listen "$port_b" --count 3 "$@"
	wait_for -t 5 udp_bound "$port_b" >/dev/null || echo "wg-probe did not bind udp $port_b"
	# shellcheck disable=SC2086 # ping_opts is a list of words
	ip netns exec "$ns_a" ping $ping_opts 10.77.0.2 >"$tmp/ping.out" 2>&1
	ping_rc=$?
	bg_wait probe 60
	probe_rc=$?
	cat "$tmp/probe.log"
	sed 's/^/ping: /' "$tmp/ping.out" | grep -E 'packets transmitted|bytes from'
	case $expect in
	cookie) [ "$probe_rc" = 0 ] && [ "$ping_rc" = 0 ] && grep -q "by a cookie reply" "$tmp/probe.log" ;;
	pass) [ "$probe_rc" = 0 ] && [ "$ping_rc" = 0 ] ;;
	# The probe did answer wireguard-go's handshakes: only the keys failed.
	*) [ "$probe_rc" != 0 ] && [ "$ping_rc" != 0 ] &&
		grep -Eq 'handshakes? answered but the peer never sent data' "$tmp/probe.log" ;;
	esac
}

# The probe's initiations are answered by wireguard-go, and the probe
# refuses the responses (the key schedules differ): it times out.
case_wrong_psk_initiator() {
	configure_peer "$tmp/psk" ""
	if wg_probe --endpoint "192.0.2.1:$port_a" --ping 10.77.0.1 --count 1 \
		--timeout 3 --psk-file "$tmp/other.psk" >"$tmp/case.out" 2>&1; then
		cat "$tmp/case.out"
		return 1
	fi
	cat "$tmp/case.out"
	grep -q 'handshake timed out.*no valid response (last refusal: ' "$tmp/case.out" &&
		! grep -q 'last refusal: none)' "$tmp/case.out"
}

need_root
need_tools wireguard-go wg ip ping ss
need_built "$probe"
e2e_tmp wgi
wg_keys wg probe
(umask 077 && wg genpsk >"$tmp/psk" && wg genpsk >"$tmp/other.psk") || die "wg genpsk"
two_ns "$ns_a" "$veth_a" "$ns_b" "$veth_b" || die "topology"
wg_go_start "$ns_a" "$wgif" "$tmp/wg.key" "$port_a" 10.77.0.1/24 || die "wireguard-go"

check "1 probe initiates, no psk, sodium AEAD" case_probe_initiates /dev/null --aead sodium
check "2 probe initiates, psk" case_probe_initiates "$tmp/psk" --psk-file "$tmp/psk"
check "3 wireguard-go initiates, no psk" case_wg_initiates /dev/null pass
check "4 wireguard-go initiates, psk" case_wg_initiates "$tmp/psk" pass --psk-file "$tmp/psk"
check "5 probe initiates, wrong psk (must fail)" case_wrong_psk_initiator
check "6 wireguard-go initiates, wrong psk (must fail)" case_wg_initiates "$tmp/psk" fail \
	--psk-file "$tmp/other.psk" --timeout 4
# wireguard-go takes the cookie and retries after REKEY_TIMEOUT (5 s) with
# mac2; meanwhile it stages the pings.
ping_opts="-c 3 -i 0.5 -w 15"
check "7 wireguard-go initiates, probe under load: cookie reply, then mac2" \
	case_wg_initiates /dev/null cookie --under-load --timeout 15
finish

#!/bin/bash
# SPDX-License-Identifier: MIT
#
# A rekey wave: wg-wave runs WAVE_PEERS (200) WireGuard peers from one
# process against a single-lcore edge configured with their keys. Each peer
# sends WAVE_RATE (20) numbered echo requests a second to the gateway's host side
# (omni0's own address: its kernel answers through the tunnel); then all
# peers send a new initiation in the same millisecond, and the echoes go
# on. Checked: every peer completes its new handshake and is answered on
# its new keys, and not one echo of any peer is lost (counted per peer).
# VPP's WireGuard loses packets when many peers rekey at once (CSIT-1886).
# With WAVE_PEERS=1000 the code before the fix lost 6,139 echoes here (all
# during the wave; sanitizer build, quiet machine): control's bursts of 32
# handshakes starved the underlay queue. 200 is the short version, safe on
# a busy shared runner. tools/bench-wave runs 1,000 on a release build and
# prints the figures.
#
#  +----------------------------------------+     +------------------------------+
#  | netns omni-wave-g-PID                  |     | netns omni-wave-p-PID        |
#  |                                        |     |                              |
#  |  omni0 10.200.0.1/16 (net_tap)         |     |  wg-wave: WAVE_PEERS peers,  |
#  |   10.200.4.0/22 via the edge (one      |     |   tunnel 10.200.4.1 + i,     |
#  |   neighbour, not one a peer)           |     |   4 a source address from    |
#  |    |                                   |     |   198.51.100.1 (on lo)       |
#  |  omninervous, one lcore, udp 51820     |     |    |                         |
#  |    |                                   |     |    |                         |
#  |  vwgPID 192.0.2.1/24 (net_af_xdp) -------------- vwpPID 192.0.2.2/24       |
#  |   default via 192.0.2.2                |     |                              |
#  +----------------------------------------+     +------------------------------+
#
# Usage: rekey_wave.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
asan_no_leaks

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
wave=$build/tools/wg-probe/wg-wave
peers=${WAVE_PEERS:-200}
rate=${WAVE_RATE:-20} # echoes a second per peer
ns_g=omni-wave-g-$$
ns_p=omni-wave-p-$$
veth_g=vwg$$
veth_p=vwp$$

need_root
need_tools wg
need_built "$omni" "$wave"
e2e_tmp wave
[ "$peers" -le 1000 ] || die "WAVE_PEERS is at most 1000 (250 source addresses, 4 each)"

make_ns "$ns_g" "$ns_p"
veth "$ns_g" "$veth_g" "$ns_p" "$veth_p" || die "veth"
addr "$ns_g" "$veth_g" 192.0.2.1/24 && addr "$ns_p" "$veth_p" 192.0.2.2/24 || die "addresses"
# The peers sit behind a router, as on the internet: one next hop for all.
ip -n "$ns_g" route add default via 192.0.2.2 || die "route"
for i in $(seq 1 $(((peers + 3) / 4))); do
	echo "address add 198.51.100.$i/32 dev lo"
done | ip -n "$ns_p" -batch - || die "source addresses"

wg_keys gw
{
	conf_interface "$tmp/gw.key" 51820 10.200.0.1/16 "MTU = 1420"
	"$wave" --peers "$peers" --tunnel-base 10.200.4.1 --print-peers
} >"$tmp/gw.conf" || die "wg-wave --print-peers"
chmod 600 "$tmp/gw.conf"

edge_start edge "$ns_g" --underlay "$veth_g" --wg-config "$tmp/gw.conf" --host-port tap ||
	die "the gateway did not start"
# All tunnel addresses through one neighbour (the edge answers ARP for a
# peer's address): the kernel's ARP table is shared by every namespace
# and holds 1024 entries, not one per peer of a big gateway.
ip -n "$ns_g" route add 10.200.4.0/22 via 10.200.4.1 dev omni0 onlink || die "omni0 route"

wave_args=(--peers "$peers" --tunnel-base 10.200.4.1 --gateway 192.0.2.1:51820
	--gateway-pub "$(cat "$tmp/gw.pub")" --src-base 198.51.100.1 --echo-to 10.200.0.1
	--rate "$rate" --gateway-pid "$(pid_of edge)")

wave_run() {
	ip netns exec "$ns_p" "$wave" "${wave_args[@]}" | tee "$tmp/wave.out"
	local rc=${PIPESTATUS[0]}
	edge_stats edge >/dev/null
	echo "gateway: handshakes_completed $(stat_of edge handshakes_completed)," \
		"cookies_sent $(stat_of edge cookies_sent), drops: $(awk '$1 == "stats:" &&
		$2 ~ /^drop_/ && $3 != "0" { d = d " " $2 "=" $3 } END { print d }' "$tmp/edge.log")"
	# Control's own CPU time per handshake (the come-up's and the
	# wave's): what one core given to control sustains, whoever else
	# ran on this one meanwhile.
	awk -v cpu="$(stat_of edge handshake_cpu_ns)" -v n="$(stat_of edge responses_sent)" \
		'BEGIN { if (n > 0 && cpu > 0) printf "gateway: control CPU %.1f us a handshake " \
			"(%d answered): %.0f handshakes/s on a core of its own\n",
			cpu / n / 1000, n, n * 1e9 / cpu }'
	return "$rc"
}

check "$peers peers rekey at once: every echo of every peer answered" wave_run
check "every peer was answered on its new keys" \
	grep -q "^wave: $peers/$peers peers answered on their new keys" "$tmp/wave.out"
check "the gateway stops cleanly" edge_stop edge
finish

#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Reload without loss: the edge re-reads its wg-quick file on SIGHUP and
# applies the difference. A peer that did not change keeps its session (no
# new handshake on either side), an added peer works, a removed one is
# gone (its pings reach the edge, which has no peer for them: drop_no_route;
# an address never configured is not even answered ARP for),
# and a file that fails validation changes nothing. Then 1000
# dual-stack peers come and go in two reloads under the default memory,
# and with too little memory for them the reload is refused whole.
#
#  +-------------------------------------+     +-------------------------------+
#  | netns omni-ops-a-PID                |     | netns omni-ops-b-PID          |
#  |  omni0 10.78.0.1/24 10.79.0.1/24    |     |  wgoPID  10.78.0.2 (peer 1)   |
#  |  omninervous, udp 51820             |     |    udp 51821                  |
#  |                                     |     |  wgrPID  10.79.0.2 (peer 2)   |
#  |                                     |     |    udp 51822                  |
#  |  voaPID 192.0.2.1/24 (net_af_xdp) -------- vobPID 192.0.2.2/24           |
#  +-------------------------------------+     +-------------------------------+
#
# Usage: edge_reload.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
asan_no_leaks

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
ns_a=omni-ops-a-$$
ns_b=omni-ops-b-$$
wgif=wgo$$
wg2=wgr$$
veth_a=voa$$
veth_b=vob$$

second_wireguard_go() {
	wg_keys wg2
	wg_go_start "$ns_b" "$wg2" "$tmp/wg2.key" 51822 10.79.0.2/24 &&
		wg_go_peer "$ns_b" "$wg2" "$tmp/edge.pub" allowed-ips 10.79.0.1/32 \
			endpoint 192.0.2.1:51820
}

# write_conf PEERS...: peer1 | peer2 | peer2-keepalive | broken | many
write_conf() {
	local f=$tmp/edge.conf.new p
	{
		conf_interface "$tmp/edge.key" 51820 "10.78.0.1/24, 10.79.0.1/24"
		for p; do
			case $p in
			peer1) conf_peer "$tmp/wg.pub" 192.0.2.2:51821 10.78.0.2/32 ;;
			peer2) conf_peer "$tmp/wg2.pub" 192.0.2.2:51822 10.79.0.2/32 ;;
			peer2-keepalive)
				conf_peer "$tmp/wg2.pub" 192.0.2.2:51822 10.79.0.2/32 \
					"PersistentKeepalive = 5" ;;
			broken) conf_peer "$tmp/wg2.pub" "" 10.79.0.2/33 ;;
			many)
				echo
				many_peers 1000 ;;
			esac
		done
	} >"$f"
	chmod 600 "$f"
	mv "$f" "$tmp/edge.conf"
}

# $1 peers with random keys and no traffic, an IPv4 /32 and an IPv6 /128
# each: both rte_lpm and rte_lpm6 are rebuilt at the next reload.
many_peers() {
	python3 - "$1" <<'PY'
import base64, os, sys
for i in range(int(sys.argv[1])):
    print(f"[Peer]\nPublicKey = {base64.b64encode(os.urandom(32)).decode()}\n"
          f"Endpoint = 192.0.2.2:{20000 + i}\n"
          f"AllowedIPs = 10.90.{i // 256}.{i % 256}/32, fd00:90::{i:x}/128\n")
PY
}

ping_to() {
	ip netns exec "$ns_a" ping -c 3 -i 0.2 -w 10 "$1"
}

# unasked DST: no answer, and the host's ARP requests for DST on omni0 went
# unanswered (its neighbour entry INCOMPLETE or FAILED): the edge answers
# ARP for the addresses of its peers only (peer 1's was answered), so the
# peer table is why nothing came back; "added peer 2 answers" below is the
# same ping with peer 2 configured.
unasked() {
	if ip netns exec "$ns_a" ping -c 2 -i 0.2 -w 3 "$1"; then
		echo "$1 answered"
		return 1
	fi
	ip -n "$ns_a" neigh show "$1" dev omni0 | grep -E 'INCOMPLETE|FAILED'
}

# no_ping_to DST: no answer, although every echo did reach the edge (DST's
# MAC is known), which found no peer for it: drop_no_route rose by at least
# as many (the host's own chatter may add more).
no_ping_to() {
	local before out sent
	before=$(edge_stat edge drop_no_route)
	out=$(ip netns exec "$ns_a" ping -c 2 -i 0.2 -w 3 "$1" 2>&1)
	echo "$out"
	grep -q ' 0 received' <<<"$out" || { echo "$1 answered"; return 1; }
	sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' <<<"$out")
	[ "${sent:-0}" -ge 1 ] || { echo "no echo sent"; return 1; }
	wait_stat edge drop_no_route -ge $((before + sent)) || return 1
	echo "drop_no_route $before -> $(stat_of edge drop_no_route), $sent echoes sent"
}

wg_handshake() {
	ip netns exec "$ns_b" wg show "$1" latest-handshakes | awk '{ print $2 }'
}

# The session with wireguard-go $1 was not renegotiated: same handshake time.
same_handshake() {
	local now
	now=$(wg_handshake "$1")
	echo "latest handshake on $1: before $2, now $now"
	[ "$now" = "$2" ]
}

after_second() { [ "$(date +%s)" -gt "$1" ]; }

reload_edge_start() {
	edge_start edge "$ns_a" "$@" --underlay "$veth_a" --wg-config "$tmp/edge.conf" \
		--host-port tap --metrics off || die "the edge did not start"
}

need_root
need_tools wireguard-go wg ip ping python3
need_built "$omni"
e2e_tmp reload
edge_pair "$ns_a" "$veth_a" "$ns_b" "$veth_b" "$wgif" 10.78.0 || die "topology"
edge_pair_peer || die "wg set"
second_wireguard_go || die "the second wireguard-go"
write_conf peer1
reload_edge_start
check "start: peer 1 answers" ping_to 10.78.0.2
check "start: peer 2 is not configured" unasked 10.79.0.2
hs1=$(wg_handshake "$wgif")
hs_edge=$(edge_stat edge handshakes_completed)
# A new handshake from now on would show a later second.
wait_for -t 3 after_second "$hs1" >/dev/null

write_conf peer1 peer2
check "reload adds peer 2" grep -q "1 added, 0 changed, 0 removed" <(edge_hup edge)
check "added peer 2 answers" ping_to 10.79.0.2
check "peer 1 still answers" ping_to 10.78.0.2
check "peer 1 kept its session (wireguard-go side)" same_handshake "$wgif" "$hs1"
check "the edge completed one handshake since (peer 2's)" \
	test "$(edge_stat edge handshakes_completed)" = $((hs_edge + 1))
hs2=$(wg_handshake "$wg2")

write_conf broken
check "a bad file is refused with its line" grep -Eq "reload refused: .*edge.conf:[0-9]+" \
	<(edge_hup edge)
check "after the bad file, peer 1 still answers" ping_to 10.78.0.2
check "after the bad file, peer 2 still answers" ping_to 10.79.0.2

write_conf peer2-keepalive
check "reload removes peer 1 and changes peer 2" \
	grep -q "0 added, 1 changed, 1 removed" <(edge_hup edge)
check "removed peer 1 gets nothing" no_ping_to 10.78.0.2
check "changed peer 2 answers" ping_to 10.79.0.2
check "changed peer 2 kept its session" same_handshake "$wg2" "$hs2"

# At scale, with the default memory (no hugepages here): the new tables are
# built beside the old ones, both families, before the swap.
write_conf peer2-keepalive many
check "reload adds 1000 dual-stack peers" grep -q "1000 added, 0 changed, 0 removed" <(edge_hup edge)
check "with 1000 more peers, peer 2 answers" ping_to 10.79.0.2
write_conf peer2-keepalive
check "reload removes the 1000 again" grep -q "0 added, 0 changed, 1000 removed" <(edge_hup edge)
check "peer 2 still answers" ping_to 10.79.0.2
check "peer 2 kept its session throughout" same_handshake "$wg2" "$hs2"

check "SIGTERM stops the edge" edge_stop edge

# Too little DPDK memory for the new tables beside the old (-m 256 without
# hugepages): the reload is refused whole, before any peer changes.
write_conf peer1 peer2
reload_edge_start --no-huge -m 256 --
write_conf peer1 peer2 many
check "-m 256: the 1000-peer reload is refused, nothing changed" \
	grep -q "reload refused: out of DPDK memory for the new AllowedIPs table (2002 routes, IPv6 too): nothing changed" <(edge_hup edge)
check "-m 256: peer 1 answers" ping_to 10.78.0.2
check "-m 256: peer 2 answers" ping_to 10.79.0.2
write_conf peer1 peer2
check "-m 256: the refused reload left no peer behind" \
	grep -q "0 added, 0 changed, 0 removed" <(edge_hup edge)
check "SIGTERM stops the edge (-m 256)" edge_stop edge
finish

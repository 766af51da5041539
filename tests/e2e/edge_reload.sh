#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Reload without loss: the edge re-reads its wg-quick file on SIGHUP and
# applies the difference. A peer that did not change keeps its session (no
# new handshake on either side), an added peer works, a removed one is
# gone, and a file that fails validation changes nothing. Then 1000
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

build=${1:?usage: $0 BUILD_DIR}
. "$(dirname "$0")/ops_lib.sh"

wg2=wgr$$
wg2_pid=

ops_cleanup_extra() {
	[ -n "$wg2_pid" ] && kill "$wg2_pid" 2>/dev/null && wait "$wg2_pid" 2>/dev/null
	[ -n "$wg2_pid" ] && rm -f "/var/run/wireguard/$wg2.sock"
}

second_wireguard_go() {
	(umask 077; wg genkey >"$tmp/wg2.key" && wg pubkey <"$tmp/wg2.key" >"$tmp/wg2.pub") ||
		die "wg genkey"
	WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 \
		ip netns exec "$ns_b" wireguard-go -f "$wg2" >"$tmp/wireguard-go2.log" 2>&1 &
	wg2_pid=$!
	for _ in $(seq 50); do
		[ -S "/var/run/wireguard/$wg2.sock" ] && break
		sleep 0.1
	done
	ip netns exec "$ns_b" wg set "$wg2" private-key "$tmp/wg2.key" listen-port 51822 \
		peer "$(cat "$tmp/edge.pub")" allowed-ips 10.79.0.1/32 endpoint 192.0.2.1:51820 ||
		die "wg set $wg2"
	ip -n "$ns_b" addr add 10.79.0.2/24 dev "$wg2"
	ip -n "$ns_b" link set "$wg2" up
}

# write_conf PEERS...: peer1 | peer2 | peer2-keepalive | broken
write_conf() {
	local f=$tmp/edge.conf.new p
	{
		echo "[Interface]"
		echo "PrivateKey = $(cat "$tmp/edge.key")"
		echo "ListenPort = 51820"
		echo "Address = 10.78.0.1/24, 10.79.0.1/24"
		for p; do
			echo
			case $p in
			peer1)
				echo "[Peer]"
				echo "PublicKey = $(cat "$tmp/wg.pub")"
				echo "Endpoint = 192.0.2.2:51821"
				echo "AllowedIPs = 10.78.0.2/32" ;;
			peer2 | peer2-keepalive)
				echo "[Peer]"
				echo "PublicKey = $(cat "$tmp/wg2.pub")"
				echo "Endpoint = 192.0.2.2:51822"
				echo "AllowedIPs = 10.79.0.2/32"
				[ "$p" = peer2-keepalive ] && echo "PersistentKeepalive = 5" ;;
			broken)
				echo "[Peer]"
				echo "PublicKey = $(cat "$tmp/wg2.pub")"
				echo "AllowedIPs = 10.79.0.2/33" ;;
			many)
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

# Ask for the counters (SIGUSR1) and print the latest value of $1.
edge_stat() {
	local n
	n=$(grep -c '^stats: ratelimited' "$tmp/edge.log")
	kill -USR1 "$edge_pid"
	for _ in $(seq 50); do
		[ "$(grep -c '^stats: ratelimited' "$tmp/edge.log")" -gt "$n" ] && break
		sleep 0.1
	done
	awk -v k="$1" '$1 == "stats:" && $2 == k { v = $3 } END { print v + 0 }' "$tmp/edge.log"
}

# SIGHUP, then wait for the edge's reload line; prints it.
reload() {
	local n
	n=$(grep -c 'reload' "$tmp/edge.log")
	kill -HUP "$edge_pid"
	for _ in $(seq 50); do
		[ "$(grep -c 'reload' "$tmp/edge.log")" -gt "$n" ] && break
		sleep 0.1
	done
	grep 'reload' "$tmp/edge.log" | tail -n 1
}

ping_to() {
	ip netns exec "$ns_a" ping -c 3 -i 0.2 -w 10 "$1"
}

no_ping_to() {
	! ip netns exec "$ns_a" ping -c 2 -i 0.2 -w 3 "$1"
}

# The session with wireguard-go $1 was not renegotiated: same handshake time.
same_handshake() {
	local now
	now=$(ip netns exec "$ns_b" wg show "$1" latest-handshakes | awk '{ print $2 }')
	echo "latest handshake on $1: before $2, now $now"
	[ "$now" = "$2" ]
}

wg_handshake() {
	ip netns exec "$ns_b" wg show "$1" latest-handshakes | awk '{ print $2 }'
}

ops_preflight
ops_keys
ops_topology
ops_wireguard_go
second_wireguard_go
write_conf peer1
ops_start_edge --metrics off
check "start: peer 1 answers" ping_to 10.78.0.2
check "start: peer 2 is not configured" no_ping_to 10.79.0.2
hs1=$(wg_handshake "$wgif")
hs_edge=$(edge_stat handshakes_completed)
sleep 1.1 # a new handshake would show a later second

write_conf peer1 peer2
check "reload adds peer 2" grep -q "1 added, 0 changed, 0 removed" <(reload)
check "added peer 2 answers" ping_to 10.79.0.2
check "peer 1 still answers" ping_to 10.78.0.2
check "peer 1 kept its session (wireguard-go side)" same_handshake "$wgif" "$hs1"
check "the edge completed one handshake since (peer 2's)" \
	test "$(edge_stat handshakes_completed)" = $((hs_edge + 1))
hs2=$(wg_handshake "$wg2")

write_conf broken
check "a bad file is refused with its line" grep -Eq "reload refused: .*edge.conf:[0-9]+" \
	<(reload)
check "after the bad file, peer 1 still answers" ping_to 10.78.0.2
check "after the bad file, peer 2 still answers" ping_to 10.79.0.2

write_conf peer2-keepalive
check "reload removes peer 1 and changes peer 2" \
	grep -q "0 added, 1 changed, 1 removed" <(reload)
check "removed peer 1 gets nothing" no_ping_to 10.78.0.2
check "changed peer 2 answers" ping_to 10.79.0.2
check "changed peer 2 kept its session" same_handshake "$wg2" "$hs2"

# At scale, with the default memory (no hugepages here): the new tables are
# built beside the old ones, both families, before the swap.
write_conf peer2-keepalive many
check "reload adds 1000 dual-stack peers" grep -q "1000 added, 0 changed, 0 removed" <(reload)
check "with 1000 more peers, peer 2 answers" ping_to 10.79.0.2
write_conf peer2-keepalive
check "reload removes the 1000 again" grep -q "0 added, 0 changed, 1000 removed" <(reload)
check "peer 2 still answers" ping_to 10.79.0.2
check "peer 2 kept its session throughout" same_handshake "$wg2" "$hs2"

check "SIGTERM stops the edge" ops_stop_edge

# Too little DPDK memory for the new tables beside the old (-m 256 without
# hugepages): the reload is refused whole, before any peer changes.
write_conf peer1 peer2
ip netns exec "$ns_a" "$omni" --no-huge -m 256 -- --underlay "$veth_a" \
	--wg-config "$tmp/edge.conf" --host-port tap --metrics off >"$tmp/edge.log" 2>&1 &
edge_pid=$!
ops_wait_edge
write_conf peer1 peer2 many
check "-m 256: the 1000-peer reload is refused, nothing changed" \
	grep -q "reload refused: out of DPDK memory for the new AllowedIPs table (2002 routes, IPv6 too): nothing changed" <(reload)
check "-m 256: peer 1 answers" ping_to 10.78.0.2
check "-m 256: peer 2 answers" ping_to 10.79.0.2
write_conf peer1 peer2
check "-m 256: the refused reload left no peer behind" \
	grep -q "0 added, 0 changed, 0 removed" <(reload)
check "SIGTERM stops the edge (-m 256)" ops_stop_edge
if [ "$failed" = 0 ]; then
	echo "PASS: edge_reload, all cases"
	exit 0
fi
sed 's/^/    edge: /' "$tmp/edge.log" | grep -v '^    edge: stats:' | tail -n 30
exit 1

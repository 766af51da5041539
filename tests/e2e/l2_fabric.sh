#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The L2 fabric (docs/l2.md): three DPDK edges in L2 mode, each behind its
# own NAT (cluster_lib.sh's, a third one added here), the real nucleus, and
# a wireguard-go peer whose kernel vxlan device joins the same segment.
# The hosts on omni0 share 10.201.0.0/24 and 2001:db8:201::/64; nothing
# routes the VIPs to them.
#
#   +------------------ netns omni-ci-PID: bridge ("the internet") -------------------+
#   |               |                     |                    |                      |
#   N: nucleus      R1: NAT               R2: NAT              R3: NAT                W: wireguard-go
#   203.0.113.1     203.0.113.11          203.0.113.12         203.0.113.13           203.0.113.30
#                   |                     |                    |                      udp 51821, VIP
#                   A: edge               B: edge              C: edge                10.200.0.9, vx0
#                   198.51.100.2/25       198.51.100.130/25    192.0.2.2/25           (vxlan 4200 over
#                   VIP 10.200.0.1        VIP 10.200.0.2       VIP 10.200.0.3         its tun) in br0:
#                   omni0 10.201.0.1/24   omni0 10.201.0.2/24  omni0 10.201.0.3/24    10.201.0.9/24
#
# Checked: ARP and ND resolve across members (ping, ping -6); a UDP
# multicast to 239.255.0.1:7400 from A reaches B and C; wireguard-go's
# vxlan joins (pings both ways); `show fdb` lists the MACs with their
# members; a MAC moved from A to B is followed (fdb moved); entries age
# out (fdb_age_secs 4); oversize frames from omni0 (l2_too_big), plain IP
# and another VNI from the wireguard-go peer (l2_not_vxlan, l2_bad_vni),
# and a broadcast flood (the flood limit, flood_pps 200) are counted.
#
# Usage: l2_fabric.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cluster_lib.sh"

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
secret=l2-e2e-secret-$$-0123456789
export OMNI_TEST_HEARTBEAT_MS=2000
ns_r3=omni-cr3-$P
ns_w=omni-cw-$P
wgif=wl2$P

cl_need_tools
need_tools wireguard-go wg bridge
cl_init || die "identities"
wg_keys w

topology() {
	make_ns "$ns_n" "$ns_r1" "$ns_r2" "$ns_r3" "$ns_a" "$ns_b" "$ns_c" "$ns_w"
	cl_bridge || return 1
	cl_link "$ns_n" "cun$P" 203.0.113.1/24 || return 1
	cl_link "$ns_w" "cuw$P" 203.0.113.30/24 || return 1
	cl_nat r1 203.0.113.11 198.51.100.1 a 198.51.100.2 || return 1
	cl_nat r2 203.0.113.12 198.51.100.129 b 198.51.100.130 || return 1
	cl_nat r3 203.0.113.13 192.0.2.1 c 192.0.2.2
}

# $tmp/NAME.json: L2 mode, short ageing, a low flood limit, and the
# wireguard-go peer W (its VIP as a /32: where its VXLAN goes).
l2_conf() {
	cat >"$tmp/$1.json" <<-JSON
	{
	  "network": { "mode": "l2", "fdb_age_secs": 4, "flood_pps": 200, "fdb_size": 64 },
	  "peers": [ { "public_key": "$(cat "$tmp/w.pub")", "endpoint": "203.0.113.30:51821",
	               "allowed_ips": [ "10.200.0.9/32" ], "persistent_keepalive": 5 } ]
	}
	JSON
}

# edge NAME N: edge NAME with VIP 10.200.0.N, omni0 10.201.0.N/24 and
# 2001:db8:201::N/64; C's stdin is a FIFO (its console, -i).
edge() {
	local name=$1 n=$2 ns
	ns=$(cl_ns "$name")
	l2_conf "$name"
	cl_edge_start "$name" "10.200.0.$n/24" "" "$secret" 203.0.113.1:51820 \
		--config "$tmp/$name.json" "${@:3}" || return 1
	addr "$ns" omni0 "10.201.0.$n/24" "2001:db8:201::$n/64"
}

# The console of C: commands written to a FIFO that is its stdin.
console_start() {
	mkfifo "$tmp/c.fifo" || return 1
	exec 7<>"$tmp/c.fifo"
	l2_conf c
	bg_until c "$ns_c" 'omninervous: idle: sleeps of ' bash -c \
		"exec $omni --key $tmp/c.key --underlay $(cl_if c) --nucleus 203.0.113.1:51820 \
		--cluster lab --vip 10.200.0.3/24 --secret-file $(cl_secret_file c "$secret") \
		--metrics $c_metrics --host-port tap --config $tmp/c.json -i <$tmp/c.fifo" || return 1
	addr "$ns_c" omni0 10.201.0.3/24 2001:db8:201::3/64
}

# C's /metrics (its console shares its stdout with SIGUSR1's counters).
c_metrics=127.0.0.1:9587
c_metric() { metric_at "$ns_c" "$c_metrics" "$1"; }
c_metric_over() { [ "$(c_metric "$1")" -gt "$2" ]; }

# console CMD ERE: CMD on C's console; its answer matches ERE.
console() {
	local n
	n=$(grep -c 'omni> ' "$tmp/c.log")
	echo "$1" >&7
	wait_for -t 10 log_count_over c 'omni> ' "$n" >/dev/null
	wait_log c "$2" 10
}

# W: wireguard-go with VIP 10.200.0.9 and the edges as peers (no
# endpoints: they call), vx0 (VNI 4200, port 4789) over its tun with one
# all-zero FDB entry per edge VIP (head-end replication), in br0 with the
# segment's addresses.
wg_peer_start() {
	local n
	wg_go_start "$ns_w" "$wgif" "$tmp/w.key" 51821 10.200.0.9/16 || return 1
	for n in a b c; do
		ip netns exec "$ns_w" wg set "$wgif" peer "$(cl_pub "$n")" allowed-ips \
			"10.200.0.$(l2_vip_n "$n")/32" || return 1
	done
	ip -n "$ns_w" link add vx0 type vxlan id 4200 dstport 4789 local 10.200.0.9 || return 1
	for n in 1 2 3; do
		ip netns exec "$ns_w" bridge fdb append 00:00:00:00:00:00 dev vx0 dst "10.200.0.$n" ||
			return 1
	done
	bridge "$ns_w" br0 && bridge_port "$ns_w" br0 vx0 &&
		addr "$ns_w" br0 10.201.0.9/24 2001:db8:201::9/64
}

l2_vip_n() { case $1 in a) echo 1 ;; b) echo 2 ;; c) echo 3 ;; esac; }

# ping_ok NS ARGS...: three echoes answered. A first contact may wait for
# the punch and handshake longer than the kernel's ARP/ND tries (3 s):
# tried again for 20 s at most.
ping_once() { ip netns exec "$1" ping -c 3 -i 0.3 -W 1 -w 5 "${@:2}" >"$tmp/ping.out" 2>&1; }
ping_ok() {
	local rc=0
	wait_for -t 20 ping_once "$@" >/dev/null || rc=1
	cat "$tmp/ping.out"
	return "$rc"
}

mac_of() { ip -n "$1" -br link show "$2" | awk '{ print $3 }'; }

# A's omni0 MAC in the neighbour table of NS for ADDR.
neigh_is() { ip -n "$1" neigh show "$2" dev "${4:-omni0}" | grep -qi "lladdr $3"; }

# Multicast: B and C listen on 239.255.0.1:7400 (joined on omni0); A sends.
mcast_listen() {
	bg_start "mc_$1" "$(cl_ns "$1")" python3 -u -c '
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("239.255.0.1", 7400))
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
             struct.pack("4s4s", socket.inet_aton("239.255.0.1"), socket.inet_aton("10.201.0.'"$2"'")))
print("joined", flush=True)
while True:
    data, src = s.recvfrom(2048)
    print("got", data.decode(), "from", src[0], flush=True)
'
	wait_log "mc_$1" joined 5
}

mcast_send() {
	ip netns exec "$ns_a" python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("10.201.0.1"))
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
for i in range(5):
    s.sendto(b"dds-discovery-%d" % i, ("239.255.0.1", 7400))
    time.sleep(0.2)
'
}

mcast_reached() {
	mcast_send
	wait_log mc_b "got dds-discovery-[0-9] from 10.201.0.1" 5 &&
		wait_log mc_c "got dds-discovery-[0-9] from 10.201.0.1" 5
}

# A broadcast storm from A's host: 3,000 UDP broadcasts as fast as python
# sends them, far above flood_pps 200 (bursts of 32).
bcast_flood() {
	ip netns exec "$ns_a" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"omni0")
for i in range(3000):
    s.sendto(b"storm", ("10.201.0.255", 9))
'
}

# learns NAME PEER...: NAME logged each PEER joining.
learns() {
	local n=$1 p
	shift
	for p; do wait_log "$n" "peer (joined|punch) $(ere "$(cl_pub "$p")")" 15 || return 1; done
}

mcast_listen_bc() { mcast_listen b 2 && mcast_listen c 3; }

# junk_counted EDGE STAT NS PING_ARGS...: two pings from NS get no answer,
# and EDGE counts at least two more STAT.
junk_counted() {
	local e=$1 stat=$2 ns=$3 before
	shift 3
	before=$(edge_stat "$e" "$stat")
	! ip netns exec "$ns" ping -c 2 -i 0.3 -W 1 "$@" || return 1
	wait_stat "$e" "$stat" -ge $((before + 2))
}

# A refused cluster: A heard of B and C (its client lists them: sig_peers)
# but installed neither (no "member(s) routed" line, no peer).
no_member_learned() {
	wait_stat a sig_peers -ge 2 || return 1
	! grep -E "nucleus: [0-9]+ member\(s\) routed" "$tmp/a.log"
}

# W's host sends 100 broadcasts, each from another made-up MAC: they
# reach every edge (W's head-end replication), which learn them.
fdb_fills() {
	ip netns exec "$ns_w" python3 -c '
import socket
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("br0", 0))
for i in range(100):
    s.send(b"\xff" * 6 + bytes([2, 0x66, 0, 0, 0, i]) + b"\x88\xb5" + b"\0" * 46)
' || return 1
	wait_log c "L2 fabric: the FDB is full \(6[0-4] of 64 entries\)" 10 &&
		c_metric_over omni_fdb_full_total 0
}

topology || die "topology"
cl_nucleus_start --network-mode l2 || die "the nucleus did not start"
edge a 1 || die "edge A"
edge b 2 || die "edge B"
console_start || die "edge C (with its console on a FIFO)"
check "the edges start in L2 mode: omni0 mtu 1370 (1420 less VXLAN's 50)" bash -c \
	"grep -h 'L2 fabric: omni0 is a port of the segment (mtu 1370' '$tmp/a.log' '$tmp/b.log' \
	 '$tmp/c.log' | wc -l | grep -qx 3 && ip -n $ns_a link show omni0 | grep -q 'mtu 1370'"
check "omni0 holds no VIP in L2 mode" bash -c "! ip -n $ns_a addr show omni0 | grep -q 10.200.0"
check "A learns B and C from the nucleus" learns a b c

check "ping A -> B 10.201.0.2 (ARP across the segment)" ping_ok "$ns_a" 10.201.0.2
check "ARP: A's neighbour 10.201.0.2 is B's omni0 MAC" neigh_is "$ns_a" 10.201.0.2 \
	"$(mac_of "$ns_b" omni0)"
check "ping B -> C 10.201.0.3" ping_ok "$ns_b" 10.201.0.3
check "ping C -> A 10.201.0.1" ping_ok "$ns_c" 10.201.0.1
check "ping -6 A -> C 2001:db8:201::3 (ND across the segment)" ping_ok "$ns_a" 2001:db8:201::3
check "ping -6 link-local A -> B" ping_ok "$ns_a" \
	"$(ip -n "$ns_b" -6 addr show omni0 scope link | awk '/inet6/ { sub("/.*", "", $2); print $2 }')%omni0"
check "C learned A's omni0 MAC (omni_fdb_learned_total > 0)" wait_for c_metric_over \
	omni_fdb_learned_total 0

check "multicast listeners on B and C" mcast_listen_bc
check "UDP multicast 239.255.0.1:7400 from A reaches B and C" mcast_reached

wg_peer_start || die "wireguard-go with vxlan"
# W knows no endpoint: each edge calls it when it first floods to it.
check "wireguard-go's vxlan joins: B pings W's host 10.201.0.9" ping_ok "$ns_b" 10.201.0.9
check "ping -6 C -> W 2001:db8:201::9" ping_ok "$ns_c" 2001:db8:201::9
check "ping A -> W 10.201.0.9" ping_ok "$ns_a" 10.201.0.9
check "W pings A's host 10.201.0.1" ping_ok "$ns_w" 10.201.0.1

mac_a=$(mac_of "$ns_a" omni0)
mac_w=$(mac_of "$ns_w" br0)
check "show fdb on C lists A's MAC behind VIP 10.200.0.1" console "show fdb" \
	"$(ere "$mac_a")  vlan 0 +10\.200\.0\.1 "
check "show fdb on C lists W's MAC behind VIP 10.200.0.9" wait_log c \
	"$(ere "$mac_w")  vlan 0 +10\.200\.0\.9 " 2

# ---- a MAC moves from A's host to B's host ----
ip -n "$ns_a" addr del 10.201.0.1/24 dev omni0
ip -n "$ns_a" link set omni0 address 02:00:5e:10:00:01
ip -n "$ns_b" link set omni0 address "$mac_a"
ip -n "$ns_b" addr add 10.201.0.1/24 dev omni0
ip -n "$ns_a" addr add 10.201.0.11/24 dev omni0
moved0=$(c_metric omni_fdb_moved_total)
check "B's host, now with A's old MAC, pings C from 10.201.0.1" ping_ok "$ns_b" -I 10.201.0.1 \
	10.201.0.3
check "C's FDB moved that MAC to B (omni_fdb_moved_total was $moved0)" \
	wait_for c_metric_over omni_fdb_moved_total "$moved0"
check "show fdb on C: the MAC is behind B's VIP now" console "show fdb" \
	"$(ere "$mac_a")  vlan 0 +10\.200\.0\.2 "
check "C pings 10.201.0.1 (at B now) with its cached neighbour" ping_ok "$ns_c" 10.201.0.1

# ---- a full FDB: 100 made-up source MACs from W's host ----
check "100 new MACs behind W fill C's FDB of 64: said in the log, counted" fdb_fills

# ---- junk ----
ip -n "$ns_a" link set omni0 mtu 1500
check "frames above what VXLAN carries are dropped l2_too_big on A" \
	junk_counted a drop_l2_too_big "$ns_a" -s 1440 -M dont 10.201.0.2
ip -n "$ns_a" link set omni0 mtu 1370
check "plain IP (not VXLAN) from W to A's VIP is dropped l2_not_vxlan" \
	junk_counted a drop_l2_not_vxlan "$ns_w" 10.200.0.1
ip -n "$ns_w" link add vx9 type vxlan id 999 dstport 4789 local 10.200.0.9 remote 10.200.0.1 &&
	ip -n "$ns_w" addr add 10.202.0.9/24 dev vx9 && ip -n "$ns_w" link set vx9 up
check "VXLAN of another VNI from W is dropped l2_bad_vni on A" \
	junk_counted a drop_l2_bad_vni "$ns_w" 10.202.0.1
limited0=$(edge_stat a l2_flood_limited_total)
bcast_flood
check "a broadcast storm from A's host hits the flood limit" \
	wait_stat a l2_flood_limited_total -gt $((limited0 + 1000))
check "the segment still works after the storm: A -> C" ping_ok "$ns_a" 2001:db8:201::3

# ---- ageing ----
aged0=$(c_metric omni_fdb_aged_total)
check "C's entries age out when quiet (fdb_age_secs 4; omni_fdb_aged_total was $aged0)" \
	wait_for -t 20 c_metric_over omni_fdb_aged_total "$aged0"
check "clear fdb on C" console "clear fdb" "fdb cleared: [0-9]+ entries removed"

check "A stops with status 0" edge_stop a

# ---- an L3 edge in the L2 cluster ----
cl_edge_start a 10.200.0.1/24 "" "$secret" 203.0.113.1:51820 || die "edge A in L3 mode"
check "an L3 edge registers with the L2 cluster's nucleus" wait_log a \
	"nucleus: registered with 203\.0\.113\.1:51820"
check "and refuses its members, saying why" wait_log -F a \
	"omninervous: nucleus: cluster lab is an L2 fabric (the nucleus says so) but this edge runs l3"
check "no member of the L2 cluster became A's peer" no_member_learned
finish

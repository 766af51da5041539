#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The DPDK edge in two pairs, one after the other, each in fresh namespaces:
#   A: omninervous <-> wireguard-go
#   B: omninervous <-> omninervous
# For each pair: IPv4 and IPv6 inner addresses (ping and ping -6 both
# ways), a 10 s iperf3 TCP run above lib.sh's floor, PersistentKeepalive
# = 1 seen on the wire and accepted while idle (once iperf3's connection
# is gone: wireguard-go's received bytes grow; edge B receives them, its
# XDP program passing them up, and counts no drop), and an IPv6 outer
# variant (Endpoint
# [2001:db8::2]:port). Pair A also: a single first packet starts the
# handshake, and wireguard-go roams to 192.0.2.3:51822 with the edge's
# traffic following it; and pair A again with edge A's host port tap-gso
# (our tap with vnet headers and TSO, lib/dp/tapq.h): pings both ways,
# iperf3 both ways, and its counters show 64 KB super-frames taken from the
# kernel and segments coalesced into it. Edges: single-lcore, underlay through net_af_xdp
# on a veth, host port omni0 through net_tap (edge B of pair B, IPv4
# outer: the veth host port). Pair B also: each edge's idle sleeps are
# ended by packets on the ports' kernel sockets (dp/idle.h), the two
# edges, started without EAL options, do not share one pinned CPU
# (dp/place.h), and each idle lcore runs SCHED_FIFO, back to SCHED_OTHER
# while iperf3 keeps it busy and up again once quiet (the wake priority).
#
# The two sides meet on a bridge in a third namespace: an AF_XDP underlay
# takes packets before any packet socket on its own veth sees them, so the
# checks sniff (scapy) on the bridge port that leads to side B.
#
#  +----------------------------+                 +----------------------------+
#  | netns omni-ep-a-PID        |                 | netns omni-ep-b-PID        |
#  |                            |                 |                            |
#  |  omni0 10.77.0.1/24        |                 |  A: wireguard-go wgpPID    |
#  |        fd77::1/64          |                 |  B: omninervous, omni0     |
#  |    | (net_tap)             |                 |  10.77.0.2/24 fd77::2/64   |
#  |  omninervous, udp 51820    |                 |  udp 51821 (A roams: 51822)|
#  |  PersistentKeepalive = 1   |                 |    |                       |
#  |    |                       |                 |    |                       |
#  |  epaPID 192.0.2.1/24       |                 |  epbPID 192.0.2.2/24       |
#  |   2001:db8::1/64 (af_xdp)  |                 |   2001:db8::2/64           |
#  |                            |                 |   (A roams: 192.0.2.3/24)  |
#  +------------|---------------+                 +------------|---------------+
#               |     +--------------------------------+       |
#               +------ epwaPID - epbrPID - epwbPID -----------+
#                     | bridge, netns omni-ep-w-PID    |
#                     | scapy sniffs on epwbPID        |
#                     +--------------------------------+
#
# Usage: edge_pairs.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
asan_no_leaks

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
ns_a=omni-ep-a-$$
ns_b=omni-ep-b-$$
ns_w=omni-ep-w-$$
veth_a=epa$$
veth_b=epb$$
port_a=epwa$$
port_b=epwb$$
br=epbr$$
wgif=wgp$$

# A step that is not a check failed: the logs of whatever ran.
setup_failed() {
	fail "$1"
	show_logs 30
	return 1
}

# Prints how many UDP datagrams matching the arguments pass IFACE within
# SECONDS; touches READY once it listens.
#   sniff.py IFACE SECONDS READY SRC DST DPORT PAYLOAD_LEN(-1: any)
# Only WireGuard data messages (type 4) count.
write_sniffer() {
	cat >"$tmp/sniff.py" <<'EOF'
import sys
from scapy.all import IP, IPv6, UDP, sniff

iface, secs, ready, src, dst, dport, plen = sys.argv[1:8]

def match(p):
    if UDP not in p:
        return False
    ip = p[IP] if IP in p else p[IPv6] if IPv6 in p else None
    if ip is None or ip.src != src or ip.dst != dst or p[UDP].dport != int(dport):
        return False
    data = bytes(p[UDP].payload)
    if int(plen) >= 0 and len(data) != int(plen):
        return False
    return data[:4] == b"\x04\x00\x00\x00"

got = sniff(iface=iface, timeout=float(secs), lfilter=match,
            started_callback=lambda: open(ready, "w").close())
print(len(got))
EOF
}

# sniff_start NAME SECONDS SRC DST DPORT PAYLOAD_LEN: in the background, on
# the bridge port toward side B; sniff_wait NAME waits and sets $sniffed.
sniff_start() {
	local name=$1
	shift
	rm -f "$tmp/$name.ready"
	bg_start "sniff_$name" "$ns_w" "$py" "$tmp/sniff.py" "$port_b" "$1" "$tmp/$name.ready" \
		"$2" "$3" "$4" "$5"
	wait_for test -e "$tmp/$name.ready" >/dev/null || { cat "$tmp/sniff_$name.log"; return 1; }
}

sniff_wait() {
	bg_wait "sniff_$1" 30
	sniffed=$(tail -n 1 "$tmp/sniff_$1.log" | grep -Ex '[0-9]+')
	[ -n "$sniffed" ] || { cat "$tmp/sniff_$1.log"; sniffed=0; }
}

make_topology() {
	make_ns "$ns_a" "$ns_b" "$ns_w"
	ip netns exec "$ns_w" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	bridge "$ns_w" "$br" &&
		veth "$ns_a" "$veth_a" "$ns_w" "$port_a" && veth "$ns_b" "$veth_b" "$ns_w" "$port_b" &&
		bridge_port "$ns_w" "$br" "$port_a" && bridge_port "$ns_w" "$br" "$port_b" &&
		addr "$ns_a" "$veth_a" 192.0.2.1/24 2001:db8::1/64 &&
		addr "$ns_b" "$veth_b" 192.0.2.2/24 2001:db8::2/64
}

# side_conf SIDE ME OTHER LISTEN_PORT ENDPOINT EXTRA_PEER_LINE
side_conf() {
	local s=$1 me=$2 other=$3 o=b
	[ "$s" = b ] && o=a
	{
		conf_interface "$tmp/$s.key" "$4" "10.77.0.$me/24, fd77::$me/64" "MTU = 1420"
		conf_peer "$tmp/$o.pub" "$5" "10.77.0.$other/32, fd77::$other/128" ${6:+"$6"}
	} >"$tmp/$s.conf"
	chmod 600 "$tmp/$s.conf"
}

# omni0_has NS ME: both of its addresses.
omni0_has() {
	ip -n "$1" addr show omni0 2>/dev/null | grep -q "10.77.0.$2/" &&
		ip -n "$1" addr show omni0 2>/dev/null | grep -q "fd77::$2/"
}

# side_start SIDE NS ME [HOST_PORT_KIND]: edge_SIDE; omni0 (tap unless
# said) up with its IPv4 and IPv6 addresses.
side_start() {
	local s=$1 ns=$2 me=$3 kind=${4:-tap} veth=$veth_a
	[ "$s" = b ] && veth=$veth_b
	edge_start "edge_$s" "$ns" --underlay "$veth" --wg-config "$tmp/$s.conf" \
		--host-port "$kind" || return 1
	wait_for omni0_has "$ns" "$me" >/dev/null && return 0
	echo "edge $s did not bring omni0 up with 10.77.0.$me and fd77::$me"
	return 1
}

# peer_at ENDPOINT: a fresh peer, no session survives.
peer_at() {
	wg_go_peer "$ns_b" "$wgif" "$tmp/a.pub" allowed-ips 10.77.0.1/32,fd77::1/128 endpoint "$1"
}

stop_edges() {
	edge_stop edge_a
	edge_stop edge_b
}

# woken_by_packets SIDE WHICH: the edge's idle sleeps wake on packets from
# WHICH ports (kernel sockets, or net_tap's SIGIO; its start-up line says
# so), and packets did end some of them (the pings come 300 ms apart, when
# the edge sleeps).
woken_by_packets() {
	local e=edge_$1
	grep -q "idle sleeps wake on packets from $2\$" "$tmp/$e.log" ||
		{ grep 'idle sleeps' "$tmp/$e.log"; echo "not from $2"; return 1; }
	edge_stats "$e" || return 1
	[ "$(stat_of "$e" idle_wakeups)" -gt 0 ] ||
		{ echo "idle_wakeups $(stat_of "$e" idle_wakeups), idle_sleeps $(stat_of "$e" idle_sleeps)"; return 1; }
}

# deep_idle_ms SIDE MS AFTER: the edge's main loop sleeps MS ms once idle
# for AFTER ms (its start-up line says so; app/edge.c idle_start).
deep_idle_ms() {
	grep -q "idle: sleeps of $2 ms after $3 ms without traffic" "$tmp/edge_$1.log" ||
		{ grep 'idle' "$tmp/edge_$1.log"; return 1; }
}

# The sum of the drops that a WireGuard data message can cause, on side $1,
# from the latest block of counters.
wg_drops() {
	local total=0 d
	for d in bad_message unknown_index key_expired bad_tag replay bad_inner src_not_allowed; do
		total=$((total + $(stat_of "edge_$1" "drop_$d")))
	done
	echo "$total"
}

# iperf3_run NS_CLIENT NS_SERVER DST: 10 s of TCP, above the floor.
iperf3_run() {
	iperf3_server iperf3 "$2" "$3" || return 1
	iperf3_client iperf3 "$1" "$3" 10
	iperf3_floor iperf3 10
}

# tcp_quiet: no TCP connection of iperf3 (port 5201) left in either
# namespace but those in TIME-WAIT, which send nothing.
tcp_quiet() {
	local ns
	for ns in "$ns_a" "$ns_b"; do
		ip netns exec "$ns" ss -Htan '( sport = :5201 or dport = :5201 )' |
			grep -qv TIME-WAIT && return 1
	done
	return 0
}

# Keepalives from edge A to the peer at 192.0.2.2:51821 while nothing else
# flows: 32-byte type-4 messages on the wire, and the receiver accepts them
# (wireguard-go: transfer grows; omninervous: edge B received them all -
# its XDP program passed them up - and counted no WireGuard drop).
keepalive_idle() {
	local kind=$1 before after drops_before drops_after n sent_before sent_after up_before
	wait_for tcp_quiet || return 1
	if [ "$kind" = wg ]; then
		before=$(ip netns exec "$ns_b" wg show "$wgif" transfer | cut -f2)
	else
		edge_stats edge_b || return 1
		drops_before=$(wg_drops b)
		up_before=$(stat_of edge_b xdp_redirected)
	fi
	sent_before=$(edge_stat edge_a keepalives_sent)
	sniff_start ka 4 192.0.2.1 192.0.2.2 51821 32 || return 1
	sniff_wait ka
	n=$sniffed
	sent_after=$(edge_stat edge_a keepalives_sent)
	echo "idle 4 s: $n keepalives (32-byte data messages) on the wire to side B;" \
		"edge A keepalives_sent $sent_before -> $sent_after"
	[ "${n:-0}" -ge 2 ] || return 1
	if [ "$kind" = wg ]; then
		after=$(ip netns exec "$ns_b" wg show "$wgif" transfer | cut -f2)
		echo "wireguard-go: bytes received from the edge $before -> $after"
		[ "$after" -gt "$before" ]
	else
		# Proof that a drop could have been counted: they reached edge B
		# (and a later block of counters has seen its loop run since).
		wait_stat edge_b xdp_redirected -ge $((up_before + n)) || return 1
		edge_stats edge_b || return 1
		drops_after=$(wg_drops b)
		echo "edge B: xdp_redirected $up_before -> $(stat_of edge_b xdp_redirected)," \
			"WireGuard data drops $drops_before -> $drops_after"
		[ "$drops_after" = "$drops_before" ]
	fi
}

# Pair A: wireguard-go leaves 192.0.2.2:51821 for 192.0.2.3:51822 (a new
# listen port makes it rebind and forget its sticky source address).
# Nothing answers at the old address any more: replies arrive only if the
# edge follows the peer's latest authenticated packet.
roam_move() {
	ip -n "$ns_b" addr del 192.0.2.2/24 dev "$veth_b" &&
		ip -n "$ns_b" addr add 192.0.2.3/24 dev "$veth_b" &&
		ip netns exec "$ns_b" wg set "$wgif" listen-port 51822
}

# As the kernel does it: the endpoint moves before the packet that moved
# it is delivered, so the reply to it goes to the new address.
roam_first_reply() {
	ip netns exec "$ns_b" ping -c 1 -W 5 10.77.0.1
}

roam_followed() {
	local n ok
	ping_from "$ns_b" 10.77.0.1 >"$tmp/roam-ping.out"
	ok=$?
	cat "$tmp/roam-ping.out"
	echo "wireguard-go -> edge: $(grep transmitted "$tmp/roam-ping.out")"
	[ "$ok" = 0 ] || return 1
	sniff_start roam 5 192.0.2.1 192.0.2.3 51822 -1 || return 1
	echo "ping from the edge side:"
	ip netns exec "$ns_a" ping -c 3 -i 0.3 -w 4 10.77.0.2
	ok=$?
	sniff_wait roam
	n=$sniffed
	echo "edge -> wireguard-go: ping exit $ok; data messages to 192.0.2.3:51822: $n"
	[ "$ok" = 0 ] && [ "${n:-0}" -gt 0 ]
}

# One packet alone, to a peer whose MAC the edge has not resolved yet, must
# start the handshake and then go out (a lone DNS query, a TCP SYN).
first_packet_alone() {
	ip netns exec "$ns_a" ping -c 1 -W 8 10.77.0.2
}

pings_both_ways() {
	local label=$1
	check "$label: edge A -> B ping 10.77.0.2" ping_from "$ns_a" 10.77.0.2
	check "$label: edge A -> B ping -6 fd77::2" ping_from "$ns_a" fd77::2 -6
	check "$label: B -> edge A ping 10.77.0.1" ping_from "$ns_b" 10.77.0.1
	check "$label: B -> edge A ping -6 fd77::1" ping_from "$ns_b" fd77::1 -6
}

iperf3_check() {
	check "$1: iperf3 TCP 10 s, edge A client -> B server" iperf3_run "$ns_a" "$ns_b" 10.77.0.2
}

fresh_namespaces() {
	teardown
	rm -f "$tmp"/*.log "$tmp"/*.conf
	make_topology || setup_failed "$1: namespaces and veths"
}

pair_a() {
	local p="A omni-wg"
	fresh_namespaces "$p" || return
	wg_go_start "$ns_b" "$wgif" "$tmp/b.key" 51821 10.77.0.2/24 fd77::2/64 ||
		{ setup_failed "$p: start wireguard-go"; return; }
	peer_at 192.0.2.1:51820
	side_conf a 1 2 51820 192.0.2.2:51821 "PersistentKeepalive = 1"
	side_start a "$ns_a" 1 || { setup_failed "$p: start the edge"; return; }
	check "$p: a single first ping from the edge starts the handshake" first_packet_alone
	pings_both_ways "$p v4 outer"
	iperf3_check "$p"
	check "$p: PersistentKeepalive = 1 reaches wireguard-go while idle" keepalive_idle wg
	if roam_move; then
		# The reply to the packet that moved the peer must already go
		# to the new address (it was once sent to the old one).
		check "$p roaming: the first ping from 192.0.2.3:51822 is answered" \
			roam_first_reply
		check "$p roaming: pings both ways reach wireguard-go at 192.0.2.3:51822" \
			roam_followed
	else
		setup_failed "$p roaming: move wireguard-go to 192.0.2.3:51822"
	fi
	stop_edges

	ip netns exec "$ns_b" wg set "$wgif" listen-port 51821
	peer_at "[2001:db8::1]:51820"
	side_conf a 1 2 51820 "[2001:db8::2]:51821" ""
	side_start a "$ns_a" 1 || { setup_failed "$p: start the edge (IPv6 outer)"; return; }
	pings_both_ways "$p v6 outer"
	stop_edges
	pair_a_tap_gso
}

# tap_gso_used: edge A's tap-gso host port took super-frames from the
# kernel (TSO) and handed it runs of segments in one write (GRO).
tap_gso_used() {
	edge_stats edge_a || return 1
	echo "edge A: tap_reads $(stat_of edge_a tap_reads), tap_gso_frames" \
		"$(stat_of edge_a tap_gso_frames), tap_segments $(stat_of edge_a tap_segments)," \
		"tap_writes $(stat_of edge_a tap_writes), tap_coalesced $(stat_of edge_a tap_coalesced)," \
		"tap_bad_frames $(stat_of edge_a tap_bad_frames)"
	[ "$(stat_of edge_a tap_gso_frames)" -gt 0 ] && [ "$(stat_of edge_a tap_coalesced)" -gt 0 ] &&
		[ "$(stat_of edge_a tap_bad_frames)" = 0 ]
}

pair_a_tap_gso() {
	local p="A omni-wg, tap-gso host port"
	# Side B kept the address it roamed to (192.0.2.3).
	ip netns exec "$ns_b" wg set "$wgif" listen-port 51821
	peer_at 192.0.2.1:51820
	side_conf a 1 2 51820 192.0.2.3:51821 ""
	side_start a "$ns_a" 1 tap-gso || { setup_failed "$p: start the edge"; return; }
	pings_both_ways "$p"
	iperf3_check "$p"
	check "$p: iperf3 TCP 10 s, B client -> edge A server" iperf3_run "$ns_b" "$ns_a" 10.77.0.1
	check "$p: super-frames both ways across omni0" tap_gso_used
	stop_edges
}

# lcore_cpus SIDE: the CPUs edge SIDE's main lcore (its main thread) may
# run on, as the kernel holds them.
lcore_cpus() { awk '$1 == "Cpus_allowed_list:" { print $2 }' "/proc/$(pid_of "edge_$1")/status"; }

# lcores_apart: two edges started without EAL options are not pinned to the
# same one CPU (before, EAL got --lcores 0@0 for both), and each start-up
# line says where its lcore runs (lib/dp/place.h).
lcores_apart() {
	local a b
	a=$(lcore_cpus a)
	b=$(lcore_cpus b)
	echo "edge A's lcore on CPU(s) $a, edge B's on $b"
	grep -hoE 'single-lcore mode, lcore (on CPU [0-9]+|floats over CPUs [0-9,-]+)' \
		"$tmp/edge_a.log" "$tmp/edge_b.log" | grep -c . | grep -qx 2 || return 1
	case $a in *[,-]*) return 0 ;; esac # floating: the scheduler spreads them
	[ -n "$a" ] && [ "$a" != "$b" ]
}

# main_policy SIDE: the scheduling policy of the edge's main thread (its
# lcore in single-lcore mode), /proc/PID/stat field 41: 1 SCHED_FIFO, 0
# SCHED_OTHER.
main_policy() { awk '{ print $41 }' "/proc/$(pid_of "edge_$1")/stat"; }
policy_is() { [ "$(main_policy "$1")" = "$2" ]; }

# wakes_first SIDE: an idle edge's lcore runs SCHED_FIFO, so that a packet's
# wake-up preempts what else runs on its CPU (dp/idle.h, wake priority),
# and its start-up line says so.
wakes_first() {
	grep -q 'wake priority: SCHED_FIFO 1 while the lcore is mostly idle' "$tmp/edge_$1.log" ||
		{ grep 'wake priority' "$tmp/edge_$1.log"; echo "no wake priority line"; return 1; }
	wait_for policy_is "$1" 1 || { echo "policy $(main_policy "$1")"; return 1; }
}

# busy_then_first SIDE: iperf3 kept the lcore awake, so it went back to
# SCHED_OTHER (idle_rt_drops), and once quiet it rose again (a raise past
# the one at start) and runs SCHED_FIFO.
busy_then_first() {
	wait_stat "edge_$1" idle_rt_drops -ge 1 || return 1
	wait_stat "edge_$1" idle_rt_raises -ge 2 || return 1
	wait_for policy_is "$1" 1 || { echo "policy $(main_policy "$1")"; return 1; }
	echo "edge $1: idle_rt_drops $(stat_of "edge_$1" idle_rt_drops)," \
		"idle_rt_raises $(stat_of "edge_$1" idle_rt_raises)"
}

pair_b() {
	local p="B omni-omni"
	fresh_namespaces "$p" || return
	side_conf b 2 1 51821 192.0.2.1:51820 ""
	side_conf a 1 2 51820 192.0.2.2:51821 "PersistentKeepalive = 1"
	side_start b "$ns_b" 2 veth || { setup_failed "$p: start edge B"; return; }
	side_start a "$ns_a" 1 || { setup_failed "$p: start edge A"; return; }
	check "$p: the two edges' lcores are not pinned to one CPU together" lcores_apart
	pings_both_ways "$p v4 outer"
	check "$p: edge A (tap host port, single-lcore: net_tap's SIGIO) sleeps until either port has a packet" \
		woken_by_packets a "both ports"
	check "$p: edge B (veth host port) sleeps until either port has a packet" \
		woken_by_packets b "both ports"
	check "$p: edge A (woken by both ports) sleeps 10 ms when idle" deep_idle_ms a 10 100
	check "$p: edge B (woken by both ports) sleeps 10 ms when idle" deep_idle_ms b 10 100
	check "$p: edge A's idle lcore wakes at SCHED_FIFO" wakes_first a
	check "$p: edge B's idle lcore wakes at SCHED_FIFO" wakes_first b
	iperf3_check "$p"
	check "$p: edge A went back to SCHED_OTHER under iperf3, and up once quiet" busy_then_first a
	check "$p: edge B went back to SCHED_OTHER under iperf3, and up once quiet" busy_then_first b
	check "$p: PersistentKeepalive = 1 reaches edge B while idle" keepalive_idle omni
	stop_edges

	side_conf b 2 1 51821 "[2001:db8::1]:51820" ""
	side_conf a 1 2 51820 "[2001:db8::2]:51821" ""
	side_start b "$ns_b" 2 || { setup_failed "$p: start edge B (IPv6 outer)"; return; }
	side_start a "$ns_a" 1 || { setup_failed "$p: start edge A (IPv6 outer)"; return; }
	pings_both_ways "$p v6 outer"
	stop_edges
}

need_root
need_tools wireguard-go wg ip ping iperf3
need_scapy
need_built "$omni"
e2e_tmp ep
wg_keys a b
write_sniffer
pair_a
pair_b
finish

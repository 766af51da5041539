#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The DPDK edge in two pairs, one after the other, each in fresh namespaces:
#   A: omninervous <-> wireguard-go
#   B: omninervous <-> omninervous
# For each pair: IPv4 and IPv6 inner addresses (ping and ping -6 both
# ways), a 10 s iperf3 TCP run, PersistentKeepalive = 1 seen on the wire
# and accepted while idle, and an IPv6 outer variant (Endpoint
# [2001:db8::2]:port). Pair A also: a single first packet starts the
# handshake, and wireguard-go roams to 192.0.2.3:51822 with the edge's
# traffic following it. Edges: single-lcore, underlay through net_af_xdp
# on a veth, host port omni0 through net_tap (edge B of pair B, IPv4
# outer: the veth host port). Pair B also: each edge's idle sleeps are
# ended by packets on the ports' kernel sockets (dp/idle.h).
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

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
ns_a=omni-ep-a-$$
ns_b=omni-ep-b-$$
ns_w=omni-ep-w-$$
veth_a=epa$$
veth_b=epb$$
port_a=epwa$$
port_b=epwb$$
bridge=epbr$$
wgif=wgp$$
tmp=
pids=()
made_ns=
edge_a=
edge_b=
wg_pid=
failed=0
results=()

# DPDK's EAL keeps allocations for the life of the process: LeakSanitizer
# would report them at exit.
export ASAN_OPTIONS=detect_leaks=0

kill_started() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	pids=()
	edge_a='' edge_b='' wg_pid=''
	rm -f "/var/run/wireguard/$wgif.sock"
}

del_namespaces() {
	local ns
	for ns in $made_ns; do
		ip netns del "$ns" 2>/dev/null
	done
	made_ns=
}

cleanup() {
	kill_started
	del_namespaces
	[ -n "$tmp" ] && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() {
	echo "FAIL: $*"
	exit 1
}

# check LABEL COMMAND...: one line of the table, the command's output when it fails.
check() {
	local name=$1 f
	shift
	if "$@" >"$tmp/check.log" 2>&1; then
		echo "PASS: $name [$SECONDS s]"
		sed -n 's/^info: /    /p' "$tmp/check.log"
		results+=("PASS  $name")
	else
		sed 's/^/    /' "$tmp/check.log"
		for f in "$tmp"/edge-?.log; do
			[ -f "$f" ] && edge_log_summary "$f"
		done
		echo "FAIL: $name [$SECONDS s]"
		results+=("FAIL  $name")
		failed=1
	fi
}

# The last lines an edge wrote, and its last non-zero counters on one line.
edge_log_summary() {
	local who
	who=$(basename "$1" .log)
	grep -v '^stats: ' "$1" | tail -n 5 | sed "s|^|    $who: |"
	awk -v who="$who" '$1 == "stats:" && $2 == "rx_packets" { line = "" }
		$1 == "stats:" && $3 != "0" { line = line " " $2 "=" $3 }
		END { if (line != "") print "    " who ": counters:" line }' "$1"
}

# The logs of whatever ran, when a pair could not even be set up.
setup_failed() {
	local f
	echo "FAIL: $1"
	results+=("FAIL  $1")
	failed=1
	for f in "$tmp"/*.log; do
		[ -s "$f" ] && sed "s|^|    $(basename "$f" .log): |" "$f" | tail -n 30
	done
	return 1
}

preflight() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: needs root (network namespaces)"
		exit 77
	fi
	for tool in wireguard-go wg ip ping iperf3 /usr/bin/python3; do
		command -v "$tool" >/dev/null || die "$tool not found: run tools/setup"
	done
	/usr/bin/python3 -c 'import scapy.all' 2>/dev/null || die "python3-scapy not found: run tools/setup"
	[ -x "$omni" ] || die "$omni not built"
}

make_keys() {
	tmp=$(mktemp -d /tmp/omni-ep.XXXXXX) || die "mktemp"
	(
		umask 077
		for s in a b; do
			wg genkey >"$tmp/$s.key" && wg pubkey <"$tmp/$s.key" >"$tmp/$s.pub" || exit 1
		done
	) || die "wg genkey"
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
	rm -f "$tmp/$name.ready" "$tmp/$name.count"
	ip netns exec "$ns_w" /usr/bin/python3 "$tmp/sniff.py" "$port_b" "$1" "$tmp/$name.ready" \
		"$2" "$3" "$4" "$5" >"$tmp/$name.count" 2>"$tmp/$name.err" &
	pids+=($!)
	eval "sniff_pid_$name=$!"
	for _ in $(seq 100); do
		[ -e "$tmp/$name.ready" ] && return 0
		sleep 0.1
	done
	cat "$tmp/$name.err"
	return 1
}

sniff_wait() {
	local pid
	eval "pid=\$sniff_pid_$1"
	wait "$pid" 2>/dev/null
	sniffed=$(cat "$tmp/$1.count")
	[ -n "$sniffed" ] || { cat "$tmp/$1.err"; sniffed=0; }
}

make_topology() {
	local ns
	for ns in "$ns_a" "$ns_b" "$ns_w"; do
		ip netns add "$ns" || return 1
		made_ns="$made_ns $ns"
		ip -n "$ns" link set lo up
	done
	ip -n "$ns_w" link add "$bridge" type bridge forward_delay 0 stp_state 0 || return 1
	ip link add "$veth_a" netns "$ns_a" type veth peer name "$port_a" netns "$ns_w" || return 1
	ip link add "$veth_b" netns "$ns_b" type veth peer name "$port_b" netns "$ns_w" || return 1
	ip netns exec "$ns_w" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip -n "$ns_w" link set "$port_a" master "$bridge" up
	ip -n "$ns_w" link set "$port_b" master "$bridge" up
	ip -n "$ns_w" link set "$bridge" up
	ip -n "$ns_a" addr add 192.0.2.1/24 dev "$veth_a"
	ip -n "$ns_b" addr add 192.0.2.2/24 dev "$veth_b"
	ip -n "$ns_a" addr add 2001:db8::1/64 dev "$veth_a" nodad
	ip -n "$ns_b" addr add 2001:db8::2/64 dev "$veth_b" nodad
	ip -n "$ns_a" link set "$veth_a" up
	ip -n "$ns_b" link set "$veth_b" up
}

# write_config SIDE ME OTHER LISTEN_PORT ENDPOINT EXTRA_PEER_LINE
write_config() {
	local s=$1 me=$2 other=$3 port=$4 endpoint=$5 extra=$6 o=b
	[ "$s" = b ] && o=a
	{
		echo "[Interface]"
		echo "PrivateKey = $(cat "$tmp/$s.key")"
		echo "ListenPort = $port"
		echo "Address = 10.77.0.$me/24, fd77::$me/64"
		echo "MTU = 1420"
		echo
		echo "[Peer]"
		echo "PublicKey = $(cat "$tmp/$o.pub")"
		echo "Endpoint = $endpoint"
		echo "AllowedIPs = 10.77.0.$other/32, fd77::$other/128"
		[ -n "$extra" ] && echo "$extra"
	} >"$tmp/$s.conf"
	chmod 600 "$tmp/$s.conf"
}

# start_edge SIDE NS ME [HOST_PORT_KIND]: omni0 (tap unless said) up with
# its IPv4 and IPv6 addresses.
start_edge() {
	local s=$1 ns=$2 me=$3 kind=${4:-tap} veth=$veth_a pid
	[ "$s" = b ] && veth=$veth_b
	ip netns exec "$ns" "$omni" --underlay "$veth" --wg-config "$tmp/$s.conf" \
		--host-port "$kind" >"$tmp/edge-$s.log" 2>&1 &
	pid=$!
	pids+=("$pid")
	eval "edge_$s=$pid"
	for _ in $(seq 150); do
		ip -n "$ns" addr show omni0 2>/dev/null | grep -q "10.77.0.$me/" &&
			ip -n "$ns" addr show omni0 2>/dev/null | grep -q "fd77::$me/" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "edge $s did not bring omni0 up with 10.77.0.$me and fd77::$me"
	return 1
}

start_wireguard_go() {
	WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 \
		ip netns exec "$ns_b" wireguard-go -f "$wgif" >"$tmp/wireguard-go.log" 2>&1 &
	wg_pid=$!
	pids+=("$wg_pid")
	for _ in $(seq 50); do
		[ -S "/var/run/wireguard/$wgif.sock" ] && break
		sleep 0.1
	done
	[ -S "/var/run/wireguard/$wgif.sock" ] || { echo "wireguard-go did not start"; return 1; }
	ip netns exec "$ns_b" wg set "$wgif" private-key "$tmp/b.key" listen-port 51821 || return 1
	ip -n "$ns_b" addr add 10.77.0.2/24 dev "$wgif"
	ip -n "$ns_b" addr add fd77::2/64 dev "$wgif" nodad
	ip -n "$ns_b" link set "$wgif" mtu 1420 up
}

# wg_peer ENDPOINT: a fresh peer, no session survives.
wg_peer() {
	ip netns exec "$ns_b" wg set "$wgif" peer "$(cat "$tmp/a.pub")" remove
	ip netns exec "$ns_b" wg set "$wgif" peer "$(cat "$tmp/a.pub")" \
		allowed-ips 10.77.0.1/32,fd77::1/128 endpoint "$1"
}

stop_edges() {
	local p
	for p in $edge_a $edge_b; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	edge_a='' edge_b=''
}

ping_from() {
	# The first echo may wait for next-hop resolution and the handshake.
	ip netns exec "$1" ping "${@:3}" -c 3 -i 0.3 -w 10 "$2"
}

# edge_stats SIDE: asks that edge for a fresh block of counters (SIGUSR1);
# edge_stat SIDE NAME then reads NAME from the latest block.
edge_stats() {
	local log=$tmp/edge-$1.log pid n
	eval "pid=\$edge_$1"
	n=$(grep -c '^stats: ratelimited' "$log")
	kill -USR1 "$pid" || return 1
	for _ in $(seq 50); do
		[ "$(grep -c '^stats: ratelimited' "$log")" -gt "$n" ] && return 0
		sleep 0.1
	done
	echo "edge $1 printed no counters on SIGUSR1"
	return 1
}

edge_stat() {
	awk -v k="$2" '$1 == "stats:" && $2 == k { v = $3 } END { print v + 0 }' \
		"$tmp/edge-$1.log"
}

# woken_by_packets SIDE WHICH: the edge's idle sleeps wake on packets from
# WHICH ports (kernel sockets, or net_tap's SIGIO; its start-up line says
# so), and packets did end some of them (the pings come 300 ms apart, when
# the edge sleeps).
woken_by_packets() {
	local log=$tmp/edge-$1.log
	grep -q "idle sleeps wake on packets from $2\$" "$log" ||
		{ grep 'idle sleeps' "$log"; echo "not from $2"; return 1; }
	edge_stats "$1" || return 1
	[ "$(edge_stat "$1" idle_wakeups)" -gt 0 ] ||
		{ echo "idle_wakeups $(edge_stat "$1" idle_wakeups), idle_sleeps $(edge_stat "$1" idle_sleeps)"; return 1; }
}

# deep_idle_ms SIDE MS AFTER: the edge's main loop sleeps MS ms once idle
# for AFTER ms (its start-up line says so; app/edge.c idle_start).
deep_idle_ms() {
	grep -q "idle: sleeps of $2 ms after $3 ms without traffic" "$tmp/edge-$1.log" ||
		{ grep 'idle' "$tmp/edge-$1.log"; return 1; }
}

# The sum of the drops that a WireGuard data message can cause, on side $1.
wg_drops() {
	local total=0 d
	edge_stats "$1" >&2
	for d in bad_message unknown_index key_expired bad_tag replay bad_inner src_not_allowed; do
		total=$((total + $(edge_stat "$1" "drop_$d")))
	done
	echo "$total"
}

# iperf3_run NS_CLIENT NS_SERVER DST: 10 s of TCP, more than 0 bytes.
iperf3_run() {
	local ns_c=$1 ns_s=$2 dst=$3 srv bytes
	ip netns exec "$ns_s" iperf3 -s -1 -B "$dst" >"$tmp/iperf3-server.log" 2>&1 &
	srv=$!
	pids+=("$srv")
	for _ in $(seq 50); do
		ip netns exec "$ns_s" ss -ltn 2>/dev/null | grep -q ":5201 " && break
		sleep 0.1
	done
	timeout 40 ip netns exec "$ns_c" iperf3 -c "$dst" -t 10 -J >"$tmp/iperf3.json" 2>&1
	wait "$srv" 2>/dev/null
	bytes=$(/usr/bin/python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
e = d.get("end", {}).get("sum_received", {})
print("%d %.3f" % (e.get("bytes", 0), e.get("bits_per_second", 0) / 1e9))' "$tmp/iperf3.json" 2>&1)
	read -r bytes gbps <<<"$bytes"
	echo "info: iperf3 TCP to $dst: $bytes bytes received, $gbps Gbit/s"
	if ! [ "${bytes:-0}" -gt 0 ] 2>/dev/null; then
		head -c 2000 "$tmp/iperf3.json"
		return 1
	fi
}

# Keepalives from edge A to the peer at 192.0.2.2:51821 while nothing else
# flows: 32-byte type-4 messages on the wire, and the receiver accepts them
# (wireguard-go: transfer grows; omninervous: no WireGuard drops).
keepalive_idle() {
	local kind=$1 before after drops_before drops_after n sent_before sent_after
	sleep 1 # let the last iperf3/ping packets drain
	if [ "$kind" = wg ]; then
		before=$(ip netns exec "$ns_b" wg show "$wgif" transfer | cut -f2)
	else
		drops_before=$(wg_drops b)
	fi
	edge_stats a && sent_before=$(edge_stat a keepalives_sent)
	sniff_start ka 4 192.0.2.1 192.0.2.2 51821 32 || return 1
	sniff_wait ka
	n=$sniffed
	edge_stats a && sent_after=$(edge_stat a keepalives_sent)
	echo "info: idle 4 s: $n keepalives (32-byte data messages) on the wire to side B;" \
		"edge A keepalives_sent $sent_before -> $sent_after"
	[ "${n:-0}" -ge 2 ] || return 1
	if [ "$kind" = wg ]; then
		after=$(ip netns exec "$ns_b" wg show "$wgif" transfer | cut -f2)
		echo "info: wireguard-go: bytes received from the edge $before -> $after"
		[ "$after" -gt "$before" ]
	else
		drops_after=$(wg_drops b)
		echo "info: edge B: WireGuard data drops $drops_before -> $drops_after"
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
	ping_from "$ns_b" 10.77.0.1 >"$tmp/roam-ping.log"
	ok=$?
	cat "$tmp/roam-ping.log"
	echo "info: wireguard-go -> edge: $(grep transmitted "$tmp/roam-ping.log")"
	[ "$ok" = 0 ] || return 1
	sniff_start roam 5 192.0.2.1 192.0.2.3 51822 -1 || return 1
	echo "ping from the edge side:"
	ip netns exec "$ns_a" ping -c 3 -i 0.3 -w 4 10.77.0.2
	ok=$?
	sniff_wait roam
	n=$sniffed
	echo "info: edge -> wireguard-go: ping exit $ok; data messages to 192.0.2.3:51822: $n"
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
	kill_started
	del_namespaces
	rm -f "$tmp"/*.log "$tmp"/*.conf
	make_topology || setup_failed "$1: namespaces and veths"
}

pair_a() {
	local p="A omni-wg"
	fresh_namespaces "$p" || return
	start_wireguard_go || { setup_failed "$p: start wireguard-go"; return; }
	wg_peer 192.0.2.1:51820
	write_config a 1 2 51820 192.0.2.2:51821 "PersistentKeepalive = 1"
	start_edge a "$ns_a" 1 || { setup_failed "$p: start the edge"; return; }
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
	wg_peer "[2001:db8::1]:51820"
	write_config a 1 2 51820 "[2001:db8::2]:51821" ""
	start_edge a "$ns_a" 1 || { setup_failed "$p: start the edge (IPv6 outer)"; return; }
	pings_both_ways "$p v6 outer"
	stop_edges
}

pair_b() {
	local p="B omni-omni"
	fresh_namespaces "$p" || return
	write_config b 2 1 51821 192.0.2.1:51820 ""
	write_config a 1 2 51820 192.0.2.2:51821 "PersistentKeepalive = 1"
	start_edge b "$ns_b" 2 veth || { setup_failed "$p: start edge B"; return; }
	start_edge a "$ns_a" 1 || { setup_failed "$p: start edge A"; return; }
	pings_both_ways "$p v4 outer"
	check "$p: edge A (tap host port, single-lcore: net_tap's SIGIO) sleeps until either port has a packet" \
		woken_by_packets a "both ports"
	check "$p: edge B (veth host port) sleeps until either port has a packet" \
		woken_by_packets b "both ports"
	check "$p: edge A (woken by both ports) sleeps 10 ms when idle" deep_idle_ms a 10 100
	check "$p: edge B (woken by both ports) sleeps 10 ms when idle" deep_idle_ms b 10 100
	iperf3_check "$p"
	check "$p: PersistentKeepalive = 1 reaches edge B while idle" keepalive_idle omni
	stop_edges

	write_config b 2 1 51821 "[2001:db8::1]:51820" ""
	write_config a 1 2 51820 "[2001:db8::2]:51821" ""
	start_edge b "$ns_b" 2 || { setup_failed "$p: start edge B (IPv6 outer)"; return; }
	start_edge a "$ns_a" 1 || { setup_failed "$p: start edge A (IPv6 outer)"; return; }
	pings_both_ways "$p v6 outer"
	stop_edges
}

preflight
make_keys
write_sniffer
pair_a
pair_b

echo
echo "edge_pairs: checks"
printf '  %s\n' "${results[@]}"
if [ "$failed" = 0 ]; then
	echo "PASS: edge_pairs, all checks"
	exit 0
fi
echo "FAIL: edge_pairs"
exit 1

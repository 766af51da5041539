#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The edge over AF_XDP with our own XDP program (xdp-fallback/omni_xdp),
# against wireguard-go. Checked:
#   1. our program is attached natively on the veth, `bpftool prog show`
#      names it omni_xdp, and the edge says which driver and mode it got;
#   2. ping both ways through the tunnel (the edge starts first, so its
#      next hop comes from the kernel's neighbour table), then 10 s of
#      iperf3 through it while TCP to the host's own address on the same
#      interface (a small HTTP server) keeps working, and the kernel answers
#      ARP for that address;
#   3. junk to the listen port (wrong sizes, unknown receiver index,
#      nonzero reserved bytes, not WireGuard, an initiation flood from one
#      source) is dropped in XDP: the xdp_drop_<reason> counters rise, the
#      edge's own RX and drop counters do not (SIGUSR1 stats before/after);
#   4. a second gateway on the same interface is refused;
#   5. after kill -9 the program stays; the next start replaces it;
#   6. --xdp-mode generic attaches in generic (SKB) mode and works;
#   7. --no-xdp runs over net_af_packet with no XDP program, and works;
#   8. SIGTERM detaches the program and removes the lock file.
#
#  +--------------------------------------+     +--------------------------------+
#  | netns omni-xdp-e-PID                 |     | netns omni-xdp-w-PID           |
#  |                                      |     |                                |
#  |  omni0 10.77.0.1/24 (net_tap)        |     |  wireguard-go, xwgPID          |
#  |    |     iperf3 -s                   |     |    10.77.0.2/24, udp 51821     |
#  |  omninervous, udp 51820              |     |  iperf3 -c, HTTP client        |
#  |    |     HTTP server 192.0.2.1:8080  |     |  scapy (junk)                  |
#  |  vxePID 192.0.2.1/24 -----------------------vxwPID 192.0.2.2/24            |
#  |   net_af_xdp + omni_xdp (XDP)        |     |                                |
#  +--------------------------------------+     +--------------------------------+
#
# Usage: edge_xdp.sh BUILD_DIR
set -u

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
py=/usr/bin/python3 # scapy is a Debian package: not for a pyenv python on PATH
ns_e=omni-xdp-e-$$
ns_w=omni-xdp-w-$$
wgif=xwg$$
veth_e=vxe$$
veth_w=vxw$$
tmp=
wg_pid=
edge_pid=
http_pid=
iperf_pid=
made_ns=
failed=0

# DPDK's EAL keeps allocations for the life of the process: LeakSanitizer
# would report them at exit.
export ASAN_OPTIONS=detect_leaks=0

cleanup() {
	local p
	for p in $edge_pid $http_pid $iperf_pid $wg_pid; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	[ -n "$wg_pid" ] && rm -f "/var/run/wireguard/$wgif.sock"
	# An XDP program outlives a killed edge: take it off before the veth goes.
	ip -n "$ns_e" link set dev "$veth_e" xdp off 2>/dev/null
	ip -n "$ns_e" link set dev "$veth_e" xdpgeneric off 2>/dev/null
	for ns in $made_ns; do
		ip netns del "$ns"
	done
	[ -n "$tmp" ] && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
die() { e2e_die "$@"; }
check() { e2e_check "$@"; }

preflight() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: needs root (network namespaces)"
		exit 77
	fi
	for tool in wireguard-go wg ip ping iperf3 bpftool; do
		command -v "$tool" >/dev/null || die "$tool not found: run tools/setup"
	done
	"$py" -c 'import scapy.all' 2>/dev/null || die "python3-scapy not installed: run tools/setup"
	[ -x "$omni" ] || die "$omni not built"
	[ -f "$build/xdp-fallback/omni_xdp.o" ] || die "$build/xdp-fallback/omni_xdp.o not built"
}

make_keys() {
	tmp=$(mktemp -d /tmp/omni-xdp.XXXXXX) || die "mktemp"
	(
		umask 077
		wg genkey >"$tmp/edge.key" && wg pubkey <"$tmp/edge.key" >"$tmp/edge.pub" &&
		wg genkey >"$tmp/wg.key" && wg pubkey <"$tmp/wg.key" >"$tmp/wg.pub"
	) || die "wg genkey"
}

make_topology() {
	for ns in "$ns_e" "$ns_w"; do
		ip netns add "$ns" || die "ip netns add $ns"
		made_ns="$made_ns $ns"
		ip -n "$ns" link set lo up
	done
	ip link add "$veth_e" netns "$ns_e" type veth peer name "$veth_w" netns "$ns_w" ||
		die "veth pair"
	ip -n "$ns_e" addr add 192.0.2.1/24 dev "$veth_e"
	ip -n "$ns_w" addr add 192.0.2.2/24 dev "$veth_w"
	ip -n "$ns_w" addr add 192.0.2.3/24 dev "$veth_w" # the flooding source
	ip -n "$ns_e" link set "$veth_e" up
	ip -n "$ns_w" link set "$veth_w" up
}

start_wireguard_go() {
	e2e_wg_go_start "$ns_w" "$wgif"
	ip netns exec "$ns_w" wg set "$wgif" private-key "$tmp/wg.key" listen-port 51821 ||
		die "wg set"
	ip -n "$ns_w" addr add 10.77.0.2/24 dev "$wgif"
	ip -n "$ns_w" link set "$wgif" up
}

# A fresh peer: no session survives from the previous edge.
wg_peer() {
	ip netns exec "$ns_w" wg set "$wgif" peer "$(cat "$tmp/edge.pub")" remove
	ip netns exec "$ns_w" wg set "$wgif" peer "$(cat "$tmp/edge.pub")" \
		allowed-ips 10.77.0.1/32 endpoint 192.0.2.1:51820
}

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
		echo "Endpoint = 192.0.2.2:51821"
		echo "AllowedIPs = 10.77.0.2/32"
	} >"$tmp/edge.conf"
	chmod 600 "$tmp/edge.conf"
}

# start_edge [options...]: a fresh edge (its log in edge.log).
start_edge() {
	wg_peer
	ip netns exec "$ns_e" "$omni" --underlay "$veth_e" --wg-config "$tmp/edge.conf" \
		--host-port tap "$@" >"$tmp/edge.log" 2>&1 &
	edge_pid=$!
	for _ in $(seq 100); do
		ip -n "$ns_e" addr show omni0 2>/dev/null | grep -q 10.77.0.1 && return 0
		kill -0 "$edge_pid" 2>/dev/null || break
		sleep 0.1
	done
	die "the edge did not bring omni0 up ($*)"
}

stop_edge() {
	kill -TERM "$edge_pid"
	wait "$edge_pid"
	local status=$?
	edge_pid=
	[ "$status" = 0 ] || { echo "edge exited $status"; return 1; }
}

ping_both_ways() {
	ip netns exec "$ns_e" ping -c 3 -i 0.3 -w 10 10.77.0.2 &&
		ip netns exec "$ns_w" ping -c 3 -i 0.3 -w 10 10.77.0.1
}

# "xdp" (native), "xdpgeneric", or "none": what `ip link` shows attached.
xdp_attached() {
	local line
	line=$(ip -n "$ns_e" -d link show dev "$veth_e")
	case $line in
	*"prog/xdpgeneric"* | *"xdpgeneric"*) echo xdpgeneric ;;
	*"prog/xdp "* | *" xdp "*) echo xdp ;;
	*) echo none ;;
	esac
}

prog_id() {
	ip -n "$ns_e" -d link show dev "$veth_e" | sed -n 's/.*prog\/xdp[a-z]* id \([0-9]*\).*/\1/p'
}

native_and_named() {
	grep "underlay $veth_e:" "$tmp/edge.log"
	[ "$(xdp_attached)" = xdp ] || { echo "attached: $(xdp_attached)"; return 1; }
	local id
	id=$(prog_id)
	bpftool prog show id "$id" || return 1
	bpftool prog show id "$id" | grep -q "name omni_xdp" &&
		grep -q "underlay $veth_e: af_xdp (native XDP" "$tmp/edge.log"
}

# TCP to the host's own address on the XDP interface, and ARP for it.
host_tcp() {
	ip netns exec "$ns_w" "$py" - <<'PY'
import urllib.request
body = urllib.request.urlopen("http://192.0.2.1:8080/", timeout=5).read()
print("HTTP from 192.0.2.1:8080: %d bytes" % len(body))
PY
}

host_arp() {
	ip -n "$ns_w" neigh flush dev "$veth_w" || return 1
	ip netns exec "$ns_w" ping -c 1 -W 2 192.0.2.1 || return 1
	local mac want
	mac=$(ip -n "$ns_w" neigh show 192.0.2.1 dev "$veth_w" | awk '{ print $3 }')
	want=$(ip -n "$ns_e" -br link show "$veth_e" | awk '{ print $3 }')
	echo "ARP 192.0.2.1 -> $mac (edge interface $want)"
	[ -n "$mac" ] && [ "$mac" = "$want" ]
}

start_http() {
	mkdir -p "$tmp/www" && echo "served by the kernel, beside omni_xdp" >"$tmp/www/index.html"
	ip netns exec "$ns_e" "$py" -m http.server 8080 --bind 192.0.2.1 -d "$tmp/www" \
		>"$tmp/http.log" 2>&1 &
	http_pid=$!
	for _ in $(seq 50); do
		ip netns exec "$ns_e" ss -ltn 2>/dev/null | grep -q 192.0.2.1:8080 && return 0
		sleep 0.1
	done
	die "the HTTP server did not start"
}

# 10 s of iperf3 TCP through the tunnel, with host TCP and ARP meanwhile.
iperf_and_host_tcp() {
	ip netns exec "$ns_e" iperf3 -s -1 -B 10.77.0.1 >"$tmp/iperf3-server.log" 2>&1 &
	iperf_pid=$!
	sleep 0.5
	timeout 40 ip netns exec "$ns_w" iperf3 -c 10.77.0.1 -t 10 -J >"$tmp/iperf3.json" 2>&1 &
	local client=$! ok=1 i
	for i in 1 2 3; do
		sleep 2
		host_tcp || ok=0
	done
	host_arp || ok=0
	wait "$client" || ok=0
	wait "$iperf_pid"
	iperf_pid=
	"$py" -c 'import json, sys
e = json.load(open(sys.argv[1]))["end"]["sum_received"]
print("iperf3 TCP through the tunnel: %d bytes, %.3f Gbit/s" % (e["bytes"], e["bits_per_second"] / 1e9))
sys.exit(0 if e["bytes"] > 0 else 1)' "$tmp/iperf3.json" || ok=0
	[ "$ok" = 1 ]
}

# Counters: SIGUSR1 prints "stats: NAME VALUE" lines; the last block to $1.
snapshot() {
	local before size=-1
	before=$(grep -c '^stats: xdp_redirected ' "$tmp/edge.log")
	kill -USR1 "$edge_pid" || return 1
	for _ in $(seq 100); do
		if [ "$(grep -c '^stats: xdp_redirected ' "$tmp/edge.log")" -gt "$before" ]; then
			[ "$(stat -c %s "$tmp/edge.log")" = "$size" ] && break
			size=$(stat -c %s "$tmp/edge.log")
		fi
		sleep 0.05
	done
	tac "$tmp/edge.log" | awk '/^stats: / { print $2, $3 } /^stats: rx_packets / { exit }' >"$1"
}

counter() {
	awk -v n="$2" '$1 == n { v = $2 } END { print v + 0 }' "$1"
}

delta() {
	echo $(($(counter "$2" "$3") - $(counter "$1" "$3")))
}

write_junk_tool() {
	cat >"$tmp/junk.py" <<'PYTHON'
# SPDX-License-Identifier: MIT
"""junk.py IFACE DSTMAC CASE: junk to 192.0.2.1:51820, by case."""
import os
import struct
import sys

from scapy.all import IP, UDP, Ether, conf, get_if_hwaddr

conf.verb = 0
iface, dstmac, case = sys.argv[1:4]
sock = conf.L2socket(iface=iface)
eth = Ether(src=get_if_hwaddr(iface), dst=dstmac)


def send(payloads, src="192.0.2.2"):
    n = 0
    for p in payloads:
        sock.send(eth / IP(src=src, dst="192.0.2.1") / UDP(sport=40000, dport=51820) / p)
        n += 1
    print("%s: %d packets" % (case, n))


def msg(head, size):
    return head + os.urandom(size - len(head))


hdr = lambda t: bytes([t, 0, 0, 0])
if case == "bad_size":
    send(msg(hdr(t), n) for t, n in ((1, 147), (1, 149), (2, 91), (2, 93), (3, 63), (3, 65),
                                     (4, 31), (4, 20), (4, 33), (4, 100)))
elif case == "unknown_index":
    send(hdr(4) + struct.pack("<I", 0x5EED0000 + k) + os.urandom(56) for k in range(10))
elif case == "reserved":
    send(msg(bytes([t]) + r, n) for t, n in ((1, 148), (2, 92), (3, 64), (4, 64))
         for r in (b"\1\0\0", b"\0\0\x80"))
elif case == "unknown_proto":
    send([b"hello", b"GET / HTTP/1.0\r\n\r\n", os.urandom(3), b"\x05\0\0\0" + bytes(60),
          b"\xff" * 100])
elif case == "flood":
    send((msg(hdr(1), 148) for _ in range(200)), src="192.0.2.3")
else:
    sys.exit("unknown case " + case)
PYTHON
}

# junk CASE COUNTER: sent, dropped in XDP under COUNTER, never seen above.
junk() {
	local case=$1 name=$2 d
	snapshot "$tmp/before" || return 1
	ip netns exec "$ns_w" "$py" "$tmp/junk.py" "$veth_w" "$edge_mac" "$case" || return 1
	sleep 0.3
	snapshot "$tmp/after" || return 1
	d=$(delta "$tmp/before" "$tmp/after" "$name")
	echo "$name +$d, rx_packets +$(delta "$tmp/before" "$tmp/after" rx_packets)," \
		"drop_unknown_proto +$(delta "$tmp/before" "$tmp/after" drop_unknown_proto)," \
		"drop_bad_message +$(delta "$tmp/before" "$tmp/after" drop_bad_message)," \
		"drop_unknown_index +$(delta "$tmp/before" "$tmp/after" drop_unknown_index)"
	[ "$d" -gt 0 ] || return 1
	# Nothing reached the edge: at most a keepalive or two of the tunnel.
	[ "$(delta "$tmp/before" "$tmp/after" rx_packets)" -le 2 ] &&
		[ "$(delta "$tmp/before" "$tmp/after" drop_unknown_proto)" = 0 ] &&
		[ "$(delta "$tmp/before" "$tmp/after" drop_bad_message)" = 0 ] &&
		[ "$(delta "$tmp/before" "$tmp/after" drop_unknown_index)" = 0 ]
}

# 200 initiations from one source: beyond the burst, dropped in XDP.
flood() {
	local d r
	snapshot "$tmp/before" || return 1
	ip netns exec "$ns_w" "$py" "$tmp/junk.py" "$veth_w" "$edge_mac" flood || return 1
	sleep 0.3
	snapshot "$tmp/after" || return 1
	d=$(delta "$tmp/before" "$tmp/after" xdp_drop_ratelimit)
	r=$(delta "$tmp/before" "$tmp/after" xdp_redirected)
	echo "xdp_drop_ratelimit +$d, xdp_redirected +$r (the burst)"
	[ "$d" -ge 100 ] && [ "$r" -le 100 ]
}

second_gateway_refused() {
	if ip netns exec "$ns_e" "$omni" --underlay "$veth_e" \
		--wg-config "$tmp/edge.conf" --host-port tap >"$tmp/second.log" 2>&1; then
		echo "a second gateway started"
		return 1
	fi
	cat "$tmp/second.log"
	grep -q "in use by another omninervous (pid $edge_pid" "$tmp/second.log" &&
		[ "$(xdp_attached)" = xdp ] && kill -0 "$edge_pid"
}

killed_then_replaced() {
	local old
	old=$(prog_id)
	kill -9 "$edge_pid"
	wait "$edge_pid" 2>/dev/null
	edge_pid=
	echo "after kill -9: $(xdp_attached) id $old"
	[ "$(xdp_attached)" = xdp ] || return 1
	start_edge
	grep "stale" "$tmp/edge.log"
	grep -q "replaced a stale omni_xdp program (id $old)" "$tmp/edge.log" &&
		[ "$(xdp_attached)" = xdp ] && [ "$(prog_id)" != "$old" ] && ping_both_ways
}

generic_mode() {
	start_edge --xdp-mode generic
	grep "underlay $veth_e:" "$tmp/edge.log"
	[ "$(xdp_attached)" = xdpgeneric ] || { echo "attached: $(xdp_attached)"; return 1; }
	grep -q "af_xdp (generic XDP" "$tmp/edge.log" && ping_both_ways &&
		junk bad_size xdp_drop_bad_size && stop_edge && [ "$(xdp_attached)" = none ]
}

no_xdp() {
	start_edge --no-xdp
	grep "underlay $veth_e:" "$tmp/edge.log"
	[ "$(xdp_attached)" = none ] && grep -q "af_packet (--no-xdp)" "$tmp/edge.log" &&
		ping_both_ways && stop_edge
}

stopped_detached() {
	stop_edge || return 1
	echo "after SIGTERM: $(xdp_attached), lock files: $(ls /run/omninervous | grep -c "^$veth_e@")"
	[ "$(xdp_attached)" = none ] && ! ls /run/omninervous | grep -q "^$veth_e@"
}

preflight
make_keys
make_topology
write_junk_tool
start_wireguard_go
write_config
start_http
start_edge
edge_mac=$(ip -n "$ns_e" -br link show "$veth_e" | awk '{ print $3 }')

check "omni_xdp attached natively, named in bpftool, the choice logged" native_and_named
check "ping both ways through the tunnel (edge first: next hop from the kernel)" ping_both_ways
check "10 s iperf3 through the tunnel while host TCP and ARP keep working" iperf_and_host_tcp
check "wrong sizes: xdp_drop_bad_size, nothing reaches the edge" junk bad_size xdp_drop_bad_size
check "unknown receiver index: xdp_drop_unknown_index" junk unknown_index xdp_drop_unknown_index
check "nonzero reserved bytes: xdp_drop_reserved" junk reserved xdp_drop_reserved
check "not WireGuard, STUN or signaling: xdp_drop_unknown_proto" \
	junk unknown_proto xdp_drop_unknown_proto
check "200 initiations from one source: xdp_drop_ratelimit" flood
check "the tunnel still works after the junk" ping_both_ways
check "a second gateway on the interface is refused" second_gateway_refused
check "after kill -9 the next start replaces the stale program" killed_then_replaced
check "SIGTERM detaches the program" stopped_detached
check "--xdp-mode generic: generic XDP, ping, drops in XDP" generic_mode
check "--no-xdp: net_af_packet, no XDP program, ping" no_xdp

[ "$failed" = 0 ] || exit 1
echo "edge_xdp: all checks passed"

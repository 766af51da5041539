#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The edge over AF_XDP with our own XDP program (xdp-fallback/omni_xdp),
# against wireguard-go. Checked:
#   1. our program is attached natively on the veth, `bpftool prog show`
#      names it omni_xdp, and the edge says which driver and mode it got;
#   2. ping both ways through the tunnel (the edge starts first, so its
#      next hop comes from the kernel's neighbour table), then 10 s of
#      iperf3 through it (above lib.sh's floor) while TCP to the host's own
#      address on the same interface (a small HTTP server) keeps working,
#      and the kernel answers ARP for that address;
#   3. junk to the listen port (wrong sizes, unknown receiver index,
#      nonzero reserved bytes, not WireGuard, an initiation flood from one
#      source) is dropped in XDP: the xdp_drop_<reason> counters rise, the
#      edge's own RX and drop counters do not (SIGUSR1 stats before/after,
#      "after" once XDP has dropped as many packets as were sent; then a
#      ping through the tunnel must move the edge's rx_packets, so the
#      counters that did not move could have);
#   4. the listen port on another address of the interface stays with the
#      kernel: a kernel socket there receives, xdp_passed_other_addr
#      counts it, and the same packet to the edge's address is redirected;
#   5. a second gateway on the same interface is refused;
#   6. after kill -9 the program stays; the next start replaces it;
#   7. --xdp-mode generic attaches in generic (SKB) mode and works;
#   8. --no-xdp runs over net_af_packet with no XDP program, and works;
#   9. SIGTERM detaches the program and removes the lock file.
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
. "$(dirname "$0")/lib.sh"
asan_no_leaks

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
ns_e=omni-xdp-e-$$
ns_w=omni-xdp-w-$$
wgif=xwg$$
veth_e=vxe$$
veth_w=vxw$$

# xdp_edge_start [options...]: a fresh edge (its log in edge.log), a fresh peer
# on wireguard-go's side: no session survives from the previous edge.
xdp_edge_start() {
	edge_pair_peer
	edge_start edge "$ns_e" --underlay "$veth_e" --wg-config "$tmp/edge.conf" \
		--host-port tap "$@" || die "the edge did not start ($*)"
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
	bg_start http "$ns_e" "$py" -m http.server 8080 --bind 192.0.2.1 -d "$tmp/www"
	wait_for listening "$ns_e" 192.0.2.1:8080 -t >/dev/null || die "the HTTP server did not start"
}

# 10 s of iperf3 TCP through the tunnel, with host TCP and ARP meanwhile.
iperf_and_host_tcp() {
	local ok=1
	iperf3_server iperf3 "$ns_e" 10.77.0.1 || return 1
	iperf3_start iperf3 "$ns_w" 10.77.0.1 10
	for _ in 1 2 3; do
		sleep 2 # pacing: three requests spread over the run
		host_tcp || ok=0
	done
	host_arp || ok=0
	iperf3_end iperf3 || ok=0
	iperf3_floor iperf3 10 || ok=0
	[ "$ok" = 1 ]
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

# xdp_dropped FILE: all the XDP program's drops in a snapshot, any reason.
xdp_dropped() { awk '$1 ~ /^xdp_drop_/ { s += $2 } END { print s + 0 }' "$1"; }

# dropped_in_xdp N: since $tmp/before, XDP has dropped N packets (by any
# reason; a fresh snapshot in $tmp/after): none of N sent is on its way.
dropped_in_xdp() {
	edge_snapshot edge "$tmp/after" || return 2
	[ $(($(xdp_dropped "$tmp/after") - $(xdp_dropped "$tmp/before"))) -ge "$1" ]
}

# The edge counts what reaches it: a ping from wireguard-go through the
# tunnel moves rx_packets beyond $tmp/after.
edge_counts() {
	ip netns exec "$ns_w" ping -c 1 -W 5 10.77.0.1 >/dev/null ||
		{ echo "a ping through the tunnel failed"; return 1; }
	wait_stat edge rx_packets -gt "$(counter "$tmp/after" rx_packets)"
}

# junk CASE COUNTER N: N packets sent, all dropped in XDP, COUNTER among
# the reasons, never seen above (the edge's counters could have moved).
junk() {
	local case=$1 name=$2 d
	edge_snapshot edge "$tmp/before" || return 1
	ip netns exec "$ns_w" "$py" "$tmp/junk.py" "$veth_w" "$edge_mac" "$case" || return 1
	wait_for -t 10 dropped_in_xdp "$3" || return 1
	d=$(delta "$tmp/before" "$tmp/after" "$name")
	echo "$name +$d, all XDP drops +$(($(xdp_dropped "$tmp/after") - $(xdp_dropped "$tmp/before")))," \
		"rx_packets +$(delta "$tmp/before" "$tmp/after" rx_packets)," \
		"drop_unknown_proto +$(delta "$tmp/before" "$tmp/after" drop_unknown_proto)," \
		"drop_bad_message +$(delta "$tmp/before" "$tmp/after" drop_bad_message)," \
		"drop_unknown_index +$(delta "$tmp/before" "$tmp/after" drop_unknown_index)"
	[ "$d" -gt 0 ] || return 1
	# Nothing reached the edge: at most a keepalive or two of the tunnel.
	[ "$(delta "$tmp/before" "$tmp/after" rx_packets)" -le 2 ] &&
		[ "$(delta "$tmp/before" "$tmp/after" drop_unknown_proto)" = 0 ] &&
		[ "$(delta "$tmp/before" "$tmp/after" drop_bad_message)" = 0 ] &&
		[ "$(delta "$tmp/before" "$tmp/after" drop_unknown_index)" = 0 ] && edge_counts
}

# flood_done: all 200 initiations accounted for since $tmp/before: dropped
# by the rate limit or passed to the edge.
flood_done() {
	edge_snapshot edge "$tmp/after" || return 2
	[ $(($(delta "$tmp/before" "$tmp/after" xdp_drop_ratelimit) +
		$(delta "$tmp/before" "$tmp/after" xdp_redirected))) -ge 200 ]
}

# 200 initiations from one source: beyond the burst, dropped in XDP.
flood() {
	local d r
	edge_snapshot edge "$tmp/before" || return 1
	ip netns exec "$ns_w" "$py" "$tmp/junk.py" "$veth_w" "$edge_mac" flood || return 1
	wait_for -t 10 flood_done || return 1
	d=$(delta "$tmp/before" "$tmp/after" xdp_drop_ratelimit)
	r=$(delta "$tmp/before" "$tmp/after" xdp_redirected)
	echo "xdp_drop_ratelimit +$d, xdp_redirected +$r (the burst)"
	[ "$d" -ge 100 ] && [ "$r" -le 100 ]
}

# send_stun ADDR: one STUN binding request from wireguard-go's side to
# ADDR:51820, a packet our program would pass to the edge.
send_stun() {
	ip netns exec "$ns_w" "$py" -c 'import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"\x00\x01\x00\x00\x21\x12\xa4\x42" + os.urandom(12), (sys.argv[1], 51820))' "$1"
}

# The listen port on another address of the interface is the kernel's: a
# kernel socket on 192.0.2.9:51820 receives a STUN request sent there (a
# packet taken by AF_XDP never reaches a socket), and xdp_passed_other_addr
# counts it; the same request to the edge's 192.0.2.1 is redirected to the
# edge (proof that the program would have taken it).
other_address() {
	local ok=0 r
	addr "$ns_e" "$veth_e" 192.0.2.9/24 || return 1
	bg_start udp9 "$ns_e" "$py" -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.0.2.9", 51820))
d, a = s.recvfrom(2048)
print("kernel socket 192.0.2.9:51820: %d bytes from %s" % (len(d), a[0]), flush=True)'
	if wait_for listening "$ns_e" 192.0.2.9:51820 >/dev/null &&
		edge_snapshot edge "$tmp/before" && send_stun 192.0.2.9 &&
		wait_log udp9 '^kernel socket 192.0.2.9:51820: 20 bytes from 192.0.2.2$' 10 &&
		wait_stat edge xdp_passed_other_addr -eq $(($(counter "$tmp/before" \
			xdp_passed_other_addr) + 1)); then
		cat "$tmp/udp9.log"
		r=$(stat_of edge xdp_redirected)
		send_stun 192.0.2.1 && wait_stat edge xdp_redirected -gt "$r" &&
			echo "to 192.0.2.1: xdp_redirected $r -> $(stat_of edge xdp_redirected)" && ok=1
	fi
	bg_stop udp9 >/dev/null
	ip -n "$ns_e" addr del 192.0.2.9/24 dev "$veth_e"
	[ "$ok" = 1 ]
}

second_gateway_refused() {
	if ip netns exec "$ns_e" "$omni" --underlay "$veth_e" \
		--wg-config "$tmp/edge.conf" --host-port tap >"$tmp/second.out" 2>&1; then
		echo "a second gateway started"
		return 1
	fi
	cat "$tmp/second.out"
	grep -q "in use by another omninervous (pid $pid_edge" "$tmp/second.out" &&
		[ "$(xdp_attached)" = xdp ] && alive "$pid_edge"
}

killed_then_replaced() {
	local old
	old=$(prog_id)
	bg_stop edge KILL >/dev/null
	echo "after kill -9: $(xdp_attached) id $old"
	[ "$(xdp_attached)" = xdp ] || return 1
	xdp_edge_start
	grep "stale" "$tmp/edge.log"
	grep -q "replaced a stale omni_xdp program (id $old)" "$tmp/edge.log" &&
		[ "$(xdp_attached)" = xdp ] && [ "$(prog_id)" != "$old" ] && ping_both_ways
}

generic_mode() {
	xdp_edge_start --xdp-mode generic
	grep "underlay $veth_e:" "$tmp/edge.log"
	[ "$(xdp_attached)" = xdpgeneric ] || { echo "attached: $(xdp_attached)"; return 1; }
	grep -q "af_xdp (generic XDP" "$tmp/edge.log" && ping_both_ways &&
		junk bad_size xdp_drop_bad_size 10 && edge_stop edge && [ "$(xdp_attached)" = none ]
}

no_xdp() {
	xdp_edge_start --no-xdp
	grep "underlay $veth_e:" "$tmp/edge.log"
	[ "$(xdp_attached)" = none ] && grep -q "af_packet (--no-xdp)" "$tmp/edge.log" &&
		ping_both_ways && edge_stop edge
}

stopped_detached() {
	edge_stop edge || return 1
	echo "after SIGTERM: $(xdp_attached), lock files: $(ls /run/omninervous | grep -c "^$veth_e@")"
	[ "$(xdp_attached)" = none ] && ! ls /run/omninervous | grep -q "^$veth_e@"
}

need_root
need_tools wireguard-go wg ip ping iperf3 bpftool
need_scapy
need_built "$omni" "$build/xdp-fallback/omni_xdp.o"
e2e_tmp xdp
edge_pair "$ns_e" "$veth_e" "$ns_w" "$veth_w" "$wgif" 10.77.0 || die "topology"
addr "$ns_w" "$veth_w" 192.0.2.3/24 # the flooding source
write_junk_tool
start_http
xdp_edge_start
edge_mac=$(ip -n "$ns_e" -br link show "$veth_e" | awk '{ print $3 }')

check "omni_xdp attached natively, named in bpftool, the choice logged" native_and_named
check "ping both ways through the tunnel (edge first: next hop from the kernel)" ping_both_ways
check "10 s iperf3 through the tunnel while host TCP and ARP keep working" iperf_and_host_tcp
check "wrong sizes: xdp_drop_bad_size, nothing reaches the edge" junk bad_size xdp_drop_bad_size 10
check "unknown receiver index: xdp_drop_unknown_index" junk unknown_index xdp_drop_unknown_index 10
check "nonzero reserved bytes: xdp_drop_reserved" junk reserved xdp_drop_reserved 8
check "not WireGuard, STUN or signaling: xdp_drop_unknown_proto" \
	junk unknown_proto xdp_drop_unknown_proto 5
check "200 initiations from one source: xdp_drop_ratelimit" flood
check "the tunnel still works after the junk" ping_both_ways
check "the listen port on another local address: the kernel's socket, not the edge" \
	other_address
check "a second gateway on the interface is refused" second_gateway_refused
check "after kill -9 the next start replaces the stale program" killed_then_replaced
check "SIGTERM detaches the program" stopped_detached
check "--xdp-mode generic: generic XDP, ping, drops in XDP" generic_mode
check "--no-xdp: net_af_packet, no XDP program, ping" no_xdp

finish

#!/bin/bash
# SPDX-License-Identifier: MIT
#
# UDP segmentation offload (USO) on the tap-gso host port, end to end: two
# omninervous edges with default flags (host port auto: tap-gso here), a
# sender behind edge A with UDP_SEGMENT (64,800-byte super-datagrams of 54
# datagrams of 1,200 bytes, each datagram numbered and filled with a
# pattern of its number) and a receiver behind edge B that counts the
# datagrams and checks every one's bytes (tools/udp-seg).
#   - USO offered (the default): edge A's start-up line names USO4/USO6,
#     its counters show UDP super-frames read from the tap (cut by
#     lib/net/gso.c), none refused; edge B gives its kernel the datagrams
#     coalesced in UDP_L4 GSO writes (tap_udp_gso_writes), which the
#     kernel takes (no write errors) and cuts again for the receiver's
#     ordinary socket: every datagram arrives intact, 1,200 bytes each.
#   - OMNI_TAP_USO=off: the kernel cuts them before the tap, edge B writes
#     one datagram a write; the same datagrams arrive intact, and
#     tap_udp_gso_frames and tap_udp_gso_writes stay 0 (with USO on, the
#     same traffic made them grow).
#   - OMNI_TAP_USO=maybe is refused with its name.
# With USO_MEASURE_SECS=N (not in the suite), each phase also sends for N
# seconds, at USO_MEASURE_MBPS Mbit/s (unset: as fast as the sender can),
# and prints the receiver's Mbit/s and where the rest was lost: the
# README's figure (no threshold here).
#
#  +----------------------------------+      +----------------------------------+
#  | netns omni-uso-a-PID             |      | netns omni-uso-b-PID             |
#  |  udp-seg send (UDP_SEGMENT 1200) |      |  udp-seg recv 10.78.0.2:5300     |
#  |  omni0 10.78.0.1/24 (tap-gso)    |      |  omni0 10.78.0.2/24 (tap-gso)    |
#  |  omninervous, udp 51820          |      |  omninervous, udp 51821          |
#  |  usaPID 192.0.2.1/24 (af_xdp) ------------ usbPID 192.0.2.2/24 (af_xdp)    |
#  +----------------------------------+      +----------------------------------+
#
# Usage: edge_uso.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
asan_no_leaks

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
udp_seg=$build/tools/udp-seg/udp-seg
ns_a=omni-uso-a-$$
ns_b=omni-uso-b-$$
veth_a=usa$$
veth_b=usb$$
supers=100
measure=${USO_MEASURE_SECS:-0}
mbps=${USO_MEASURE_MBPS:-0}

# uso_conf SIDE ME OTHER PORT ENDPOINT
uso_conf() {
	local o=b
	[ "$1" = b ] && o=a
	{
		conf_interface "$tmp/$1.key" "$4" "10.78.0.$2/24" "MTU = 1420"
		conf_peer "$tmp/$o.pub" "$5" "10.78.0.$3/32" "PersistentKeepalive = 1"
	} >"$tmp/$1.conf"
	chmod 600 "$tmp/$1.conf"
}

# uso_edges: both edges with default flags (OMNI_TAP_USO as the caller's
# environment has it), then a ping through the tunnel.
uso_edges() {
	edge_start edge_a "$ns_a" --underlay "$veth_a" --wg-config "$tmp/a.conf" &&
		edge_start edge_b "$ns_b" --underlay "$veth_b" --wg-config "$tmp/b.conf" || return 1
	wait_log edge_a 'host port omni0: kind tap-gso' 5 &&
		wait_for -t 20 echo_back "$ns_a" 10.78.0.2 >/dev/null
}

# uso_transfer NAME SUPERS SECONDS: receiver, then sender; sets $got_n,
# $got_bad, $got_mbps.
uso_transfer() {
	local expect=$(($2 * 54)) figs
	[ "$3" != 0 ] && expect=0
	rm -f "$tmp/$1.ready"
	bg_start "${1}_recv" "$ns_b" "$udp_seg" recv 10.78.0.2 5300 "$tmp/$1.ready" "$expect"
	wait_for test -e "$tmp/$1.ready" >/dev/null || return 1
	bg_start "${1}_send" "$ns_a" "$udp_seg" send 10.78.0.2 5300 "$2" "$3" "$mbps"
	bg_wait "${1}_send" $((30 + ${3%.*})) >/dev/null
	bg_wait "${1}_recv" 90 >/dev/null
	cat "$tmp/${1}_send.log" "$tmp/${1}_recv.log"
	figs=$(grep -E '^datagrams ' "$tmp/${1}_recv.log") || return 1
	read -r _ got_n _ got_bad _ bytes _ secs <<<"$figs"
	got_mbps=$(awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? b * 8 / s / 1e6 : 0) }')
}

# uso_all_arrive NAME: $supers super-datagrams, every datagram intact.
uso_all_arrive() {
	uso_transfer "$1" "$supers" 0 || return 1
	echo "received $got_n of $((supers * 54)) datagrams, $got_bad with wrong bytes"
	[ "$got_n" = $((supers * 54)) ] && [ "$got_bad" = 0 ]
}

# uso_tap_counts MIN MAX USO: edge A's tap_udp_gso_frames within [MIN,
# MAX], no frame refused, tap_uso USO; edge B wrote the datagrams to its
# tap in UDP_L4 runs (tap_udp_gso_writes) when USO is 1, never when 0, and
# its kernel refused none of its writes.
uso_tap_counts() {
	local n w
	edge_stats edge_a || return 1
	n=$(stat_of edge_a tap_udp_gso_frames)
	echo "edge A: tap_reads $(stat_of edge_a tap_reads), tap_gso_frames" \
		"$(stat_of edge_a tap_gso_frames), tap_udp_gso_frames $n, tap_segments" \
		"$(stat_of edge_a tap_segments), tap_bad_frames $(stat_of edge_a tap_bad_frames)," \
		"tap_uso $(stat_of edge_a tap_uso)"
	edge_stats edge_b || return 1
	w=$(stat_of edge_b tap_udp_gso_writes)
	echo "edge B: tap_writes $(stat_of edge_b tap_writes), tap_coalesced" \
		"$(stat_of edge_b tap_coalesced), tap_udp_gso_writes $w, tap_write_errors" \
		"$(stat_of edge_b tap_write_errors)"
	[ "$n" -ge "$1" ] && [ "$n" -le "$2" ] && [ "$(stat_of edge_a tap_bad_frames)" = 0 ] &&
		[ "$(stat_of edge_a tap_uso)" = "$3" ] && [ "$(stat_of edge_b tap_write_errors)" = 0 ] &&
		if [ "$3" = 1 ]; then [ "$w" -gt 0 ]; else [ "$w" = 0 ]; fi
}

# uso_rcvbuf_errors: UDP datagrams the receiver's namespace dropped for a
# full socket buffer, so far.
uso_rcvbuf_errors() {
	ip netns exec "$ns_b" awk '$1 == "Udp:" && $6 ~ /^[0-9]+$/ { print $6 }' /proc/net/snmp
}

# uso_measure NAME TITLE: $measure s at $mbps Mbit/s; the figure and where
# what did not arrive was lost (omni0's tx drops: the tap's queue full).
uso_measure() {
	local e0 s0 took
	[ "$measure" != 0 ] || return 0
	got_n=0 got_bad=0 got_mbps=0
	e0=$(uso_rcvbuf_errors)
	edge_stats edge_a >/dev/null
	s0=$(stat_of edge_a tap_segments)
	uso_transfer "$1" 8 "$measure" >"$tmp/$1.out" 2>&1 || cat "$tmp/$1.out"
	edge_stats edge_a >/dev/null
	took=$((($(stat_of edge_a tap_segments) - s0) * 1200 * 8 / measure / 1000000))
	echo "$2: edge A took $took Mbit/s of datagrams from omni0, the receiver got" \
		"$got_mbps Mbit/s ($got_n datagrams of 1200 bytes, $got_bad wrong;" \
		"$(grep -oE '^sent [0-9]+ super-datagrams' "$tmp/${1}_send.log") in $measure s" \
		"at ${mbps/#0/unlimited} Mbit/s; lost: omni0 A tx_dropped" \
		"$(ip -n "$ns_a" -s link show omni0 | awk '/TX:/ { getline; print $4 }')," \
		"edge A tap_ring_full $(stat_of edge_a tap_ring_full) tap_no_mbuf" \
		"$(stat_of edge_a tap_no_mbuf), receiver buffer $(($(uso_rcvbuf_errors) - e0)))" |
		tee -a "$tmp/figures"
}

# uso_bad_env: OMNI_TAP_USO takes on or off, and says so.
uso_bad_env() {
	local out
	out=$(OMNI_TAP_USO=maybe ip netns exec "$ns_a" timeout 30 "$omni" --underlay "$veth_a" \
		--wg-config "$tmp/a.conf" 2>&1)
	echo "$out" | grep 'OMNI_TAP_USO'
	echo "$out" | grep -q 'OMNI_TAP_USO=maybe: the environment variable takes on or off'
}

need_root
need_tools wg ip ping
need_built "$omni" "$udp_seg"
e2e_tmp uso
wg_keys a b
two_ns "$ns_a" "$veth_a" "$ns_b" "$veth_b" || die "namespaces and veths"
uso_conf a 1 2 51820 192.0.2.2:51821
uso_conf b 2 1 51821 192.0.2.1:51820

p="USO on (default)"
uso_edges || die "$p: edges up and a ping through"
check "$p: edge A's start-up line offers the kernel USO" \
	wait_log edge_a 'offloads checksum, TSO4, TSO6, USO4, USO6' 1
check "$p: $supers UDP_SEGMENT super-datagrams arrive as $((supers * 54)) intact datagrams" \
	uso_all_arrive on
check "$p: edge A read UDP super-frames from the tap, edge B wrote UDP_L4 runs, none refused" \
	uso_tap_counts 1 "$supers" 1
uso_measure meas_on "USO on"
edge_stop edge_a
edge_stop edge_b

p="OMNI_TAP_USO=off"
OMNI_TAP_USO=off uso_edges || die "$p: edges up and a ping through"
check "$p: edge A's start-up line says USO is off" \
	wait_log edge_a 'offloads checksum, TSO4, TSO6 \(USO off: OMNI_TAP_USO=off\)' 1
check "$p: the same datagrams arrive intact" uso_all_arrive off
check "$p: the kernel cut them before the tap, edge B wrote them one by one" \
	uso_tap_counts 0 0 0
uso_measure meas_off "USO off"
edge_stop edge_a
edge_stop edge_b
check "OMNI_TAP_USO=maybe is refused with its name" uso_bad_env
[ -f "$tmp/figures" ] && cat "$tmp/figures"
finish

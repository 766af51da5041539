#!/bin/bash
# SPDX-License-Identifier: MIT
#
# A whole cluster (topology drawn in cluster_lib.sh): the real nucleus, a
# real STUN server (coturn) and two DPDK edges A and B, each behind its own
# nftables masquerade NAT. The edges know only the nucleus's address, the
# cluster name and the secret. Checked:
#   - both register; the nucleus sees each as its NAT's public address;
#   - STUN through coturn gives edge A its NAT's address 203.0.113.11, and
#     edge B (a list of two servers, the first silent) NAT 2's;
#   - A and B discover each other (joined lines with the other's key);
#   - ping both ways between the VIPs (IPv4 and IPv6 inner), then a 5 s
#     iperf3 above lib.sh's floor: the tunnel goes straight from NAT 1 to
#     NAT 2 (the bridge's counters), the nucleus carries only signaling (its
#     /metrics and the bridge's byte counts);
#   - edge C with the wrong secret: once the nucleus has dropped two of its
#     REGISTERs (C heard nothing and tried again, a heartbeat later), C is
#     not listed by A, no datagram went from the nucleus to C (bridge
#     counter), C received no signaling, the nucleus counts drops;
#   - B stops (SIGTERM, it says LEAVE): A logs "peer left" within one
#     heartbeat (OMNI_TEST_HEARTBEAT_MS=2000);
#   - IPv6-only underlay (no IPv4 address at all, --nucleus [2001:db8:1::1]:51820):
#     registration over IPv6; A pings B's VIP before a heartbeat could tell
#     it of B: the query (A's miss, or B's question when it heard of A)
#     and punch path;
#   - dual stack with prefer_ipv6 (Happy Eyeballs, a JSON file): the
#     tunnel runs over IPv6 (bridge counters by family).
#
# Usage: cluster.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cluster_lib.sh"

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
secret=cluster-e2e-secret-$$-0123456789
heartbeat_ms=2000
export OMNI_TEST_HEARTBEAT_MS=$heartbeat_ms

cl_need_tools
cl_init || die "identities"
ka=$(cl_pub a)
kb=$(cl_pub b)
kc=$(cl_pub c)

# ping_vip NAME DST [-6]: 5 echoes (ping keeps sending until 5 came back,
# for 20 s at most): the first may wait for the query, the punch and the
# handshake.
ping_vip() {
	local out got
	out=$(ip netns exec "$(cl_ns "$1")" ping ${3:-} -c 5 -i 0.3 -W 1 -w 20 "$2" 2>&1)
	echo "$out" | tail -n 2
	got=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	[ "${got:-0}" -ge 5 ]
}

iperf_vips() {
	iperf3_server iperf3 "$ns_b" 10.200.0.2 || return 1
	iperf3_client iperf3 "$ns_a" 10.200.0.2 5
	iperf3_floor iperf3 5
}

# The tunnel's path: NAT 1 <-> NAT 2 straight over the bridge carries the
# iperf3 bytes; the nucleus's share of the bridge is a small fraction.
direct_path() {
	local ab ba ab_bytes nuc_bytes
	ab=$(cl_count a_to_b)
	ba=$(cl_count b_to_a)
	ab_bytes=$(cl_count a_to_b bytes)
	nuc_bytes=$(($(cl_count to_nucleus bytes) + $(cl_count from_nucleus bytes)))
	echo "bridge: NAT 1 -> NAT 2 $ab packets ($ab_bytes bytes), NAT 2 -> NAT 1 $ba packets;" \
		"to and from the nucleus $nuc_bytes bytes"
	[ "$ab" -gt 1000 ] && [ "$ba" -gt 100 ] && [ "$((nuc_bytes * 100))" -lt "$ab_bytes" ]
}

# The nucleus received only signaling: a few dozen messages of known types
# (REGISTER, HEARTBEAT, QUERY_PEER, LEAVE), not thousands of packets.
nucleus_signaling_only() {
	local rx
	rx=$(cl_metric_sum 'omni_nucleus_messages_total{direction="rx"')
	echo "nucleus: $rx signaling messages received in all"
	[ "$rx" -gt 0 ] && [ "$rx" -lt 300 ]
}

# c_dropped_twice DROPS_BEFORE: two datagrams of C crossed the bridge and
# the nucleus dropped two more than before. C sends its REGISTER again
# only when a heartbeat (2 s) passed without an answer, and A heartbeats
# in the same 2 s: an answer to C, or C in a delta to A, would have come.
c_dropped_twice() {
	[ "$(cl_count c_to_nucleus)" -ge 2 ] &&
		[ "$(cl_metric_sum omni_nucleus_drops_total)" -ge $(($1 + 2)) ]
}

wrong_secret_unanswered() {
	local sent got
	sent=$(cl_count c_to_nucleus)
	got=$(cl_count nucleus_to_c)
	echo "bridge: edge C -> nucleus $sent datagrams, nucleus -> edge C $got"
	[ "$sent" -gt 0 ] && [ "$got" = 0 ]
}

# wg(8) on A (the first gateway: its omni0 has the socket; B's namespace
# shares /var/run, so B runs without one): B is there, learned from the
# cluster, with a handshake and traffic.
wg_show_learned() {
	local out
	grep "wg(8)" "$tmp/a.log" "$tmp/b.log"
	grep -q "wg(8) works on" "$tmp/a.log" || return 1
	out=$(wg show all dump | awk -F'\t' -v k="$kb" '$1 == "omni0" && $2 == k')
	echo "$out"
	[ -n "$out" ] && [ "$(cut -f6 <<<"$out")" -gt 0 ] && [ "$(cut -f7 <<<"$out")" -gt 0 ]
}

never_listed() {
	local peers
	peers=$(edge_stat a sig_peers)
	echo "edge A: sig_peers $peers"
	! grep -F -- "$kc" "$tmp/a.log" && [ "$peers" = 1 ]
}

# ---- IPv4, each edge behind its own NAT ----
cl_topology_v4 || die "topology"
OMNI_TEST_NUCLEUS_EXPIRY_MS=6000 cl_nucleus_start || die "the nucleus did not start"
cl_stun_start || die "coturn did not start"
cl_edge_start a 10.200.0.1/24 fd00:200::1/64 "$secret" 203.0.113.1:51820 \
	--stun 203.0.113.2:3478 || die "edge A"
# B's list starts with an address where no STUN server answers.
cl_edge_start b 10.200.0.2/24 fd00:200::2/64 "$secret" 203.0.113.1:51820 \
	--stun 203.0.113.9:3478,203.0.113.2:3478 || die "edge B"

check "A registers; the nucleus sees it as NAT 1 (203.0.113.11)" wait_log a \
	"^omninervous: nucleus: registered with 203\.0\.113\.1:51820 as 203\.0\.113\.11:[0-9]+ \(cluster lab\)"
check "B registers; the nucleus sees it as NAT 2 (203.0.113.12)" wait_log b \
	"^omninervous: nucleus: registered with 203\.0\.113\.1:51820 as 203\.0\.113\.12:[0-9]+ \(cluster lab\)"
check "STUN through coturn: A's reflexive address is NAT 1's" wait_log a \
	"^omninervous: stun: reflexive address 203\.0\.113\.11:[0-9]+ \(from 203\.0\.113\.2:3478\)"
check "STUN, two servers, the first silent: B's reflexive address is NAT 2's" wait_log b \
	"^omninervous: stun: reflexive address 203\.0\.113\.12:[0-9]+ \(from 203\.0\.113\.2:3478\)"
# A hears of B from the PUNCH that B's JOINED asked for, or at its next heartbeat.
check "A learns B (its key, VIP 10.200.0.2)" wait_log a \
	"omninervous: nucleus: peer (joined|punch) $(ere "$kb") vip 10\.200\.0\.2"
check "B learns A (its key, VIP 10.200.0.1)" wait_log -F b \
	"omninervous: nucleus: peer joined $ka vip 10.200.0.1"
check "the nucleus has 2 members in lab" test "$(cl_metric 'omni_nucleus_members{cluster="lab"}')" = 2

check "ping A -> B's VIP 10.200.0.2 through both NATs" ping_vip a 10.200.0.2
check "ping B -> A's VIP 10.200.0.1" ping_vip b 10.200.0.1
check "ping -6 A -> B's VIP6 fd00:200::2" ping_vip a fd00:200::2 -6
check "handshakes completed on both edges" bash -c \
	"[ $(edge_stat a handshakes_completed) -ge 1 ] && [ $(edge_stat b handshakes_completed) -ge 1 ]"
check "wg show on A: B, learned from the cluster, handshake and transfer" wg_show_learned
check "iperf3 5 s A -> B between the VIPs" iperf_vips
check "the data goes straight NAT 1 <-> NAT 2, not through the nucleus" direct_path
check "the nucleus received signaling only (its /metrics)" nucleus_signaling_only

# ---- a third edge with the wrong secret ----
drops_before=$(cl_metric_sum omni_nucleus_drops_total)
cl_edge_start c 10.200.0.3/24 "" "wrong-$secret" 203.0.113.1:51820 --stun 203.0.113.2:3478 ||
	die "edge C"
check "the nucleus drops two of edge C's datagrams (C retried: it heard nothing)" \
	wait_for -t 20 c_dropped_twice "$drops_before"
check "edge C (wrong secret) is never listed by A" never_listed
check "edge C gets no answer from the nucleus" wrong_secret_unanswered
check "edge C never registers and receives no signaling" bash -c \
	"! grep -q 'nucleus: registered' '$tmp/c.log' &&
	 [ $(edge_stat c sig_registered) = 0 ] && [ $(edge_stat c sig_rx) = 0 ]"
drops_after=$(cl_metric_sum omni_nucleus_drops_total)
check "the nucleus counts C's datagrams as drops ($drops_before -> $drops_after)" \
	test "$drops_after" -gt "$drops_before"
bg_stop c

# ---- B leaves ----
t0=$(now_ms)
check "B stops with status 0 (SIGTERM)" edge_stop b
if wait_log -F a "omninervous: nucleus: peer left $kb" 10 >"$tmp/left.out"; then
	ms=$(($(now_ms) - t0))
	check "A sees B leave within one heartbeat ($ms ms after SIGTERM; heartbeat $heartbeat_ms ms)" \
		test "$ms" -le $((heartbeat_ms + 1000))
else
	check "A sees B leave" bash -c "cat '$tmp/left.out'; false"
fi
check "A has no cluster peer left" test "$(edge_stat a sig_peers)" = 0

# ---- IPv6-only underlay: the query and punch path ----
phase_end v4
cl_topology_v6 || die "IPv6 topology"
cl_nucleus_start || die "the nucleus did not start (IPv6)"
# A registers first and heartbeats slowly: it cannot hear of B from a delta
# before its ping makes it ask the nucleus (B knows A from its REGISTER_ACK).
OMNI_TEST_HEARTBEAT_MS=60000 cl_edge_start a 10.200.0.1/24 fd00:200::1/64 "$secret" \
	"[2001:db8:1::1]:51820" || die "edge A (IPv6)"
check "IPv6-only: A registers, seen as 2001:db8:1::2" wait_log a \
	"^omninervous: nucleus: registered with \[2001:db8:1::1\]:51820 as \[2001:db8:1::2\]:[0-9]+"
OMNI_TEST_HEARTBEAT_MS=60000 cl_edge_start b 10.200.0.2/24 fd00:200::2/64 "$secret" \
	"[2001:db8:1::1]:51820" || die "edge B (IPv6)"
check "IPv6-only: B registers, seen as 2001:db8:1::3" wait_log b \
	"^omninervous: nucleus: registered with \[2001:db8:1::1\]:51820 as \[2001:db8:1::3\]:[0-9]+"
check "IPv6-only: ping A -> B's VIP 10.200.0.2 at once" ping_vip a 10.200.0.2
# Asked: A on its ping's miss, or B already when it heard of A (its JOINED).
check "IPv6-only: the nucleus was asked and both punched" bash -c \
	"[ $(($(edge_stat a sig_queries) + $(edge_stat b sig_punch_asks))) -ge 1 ] &&
	 [ $(edge_stat a sig_punches) -ge 1 ] && [ $(edge_stat b sig_punches) -ge 1 ]"
check "IPv6-only: ping -6 B -> A's VIP6 fd00:200::1" ping_vip b fd00:200::1 -6

# ---- dual stack, prefer_ipv6 (Happy Eyeballs): the tunnel takes IPv6 ----
phase_end v6
cl_topology_dual || die "dual-stack topology"
cl_nucleus_start || die "the nucleus did not start (dual stack)"
# A 2 s head start for IPv6 (default 250 ms): on a loaded 2-core runner a
# handshake can take longer than 250 ms, and then IPv4 rightly wins.
echo '{ "network": { "prefer_ipv6": true, "happy_eyeballs_delay_ms": 2000 } }' >"$tmp/he.json"
cl_edge_start a 10.200.0.1/24 "" "$secret" 192.0.2.1:51820 --config "$tmp/he.json" ||
	die "edge A (dual stack)"
cl_edge_start b 10.200.0.2/24 "" "$secret" 192.0.2.1:51820 --config "$tmp/he.json" ||
	die "edge B (dual stack)"
wait_log a "nucleus: registered" 20 >/dev/null && wait_log b "nucleus: registered" 20 >/dev/null ||
	die "dual stack: no registration"
took_ipv6() {
	local v4 v6
	v4=$(cl_count v4_to_b)
	v6=$(cl_count v6_to_b)
	echo "bridge: WireGuard packets to B over IPv4 $v4, over IPv6 $v6"
	[ "${v6:-0}" -ge 5 ] && [ "${v6:-0}" -gt "${v4:-0}" ]
}
check "dual stack, prefer_ipv6: ping A -> B's VIP" ping_vip a 10.200.0.2
check "dual stack, prefer_ipv6: the tunnel runs over IPv6" took_ipv6
phase_end dual

check "no sanitizer report in any log" bash -c \
	"! grep -l -e 'ERROR: AddressSanitizer' -e 'runtime error:' '$tmp'/*.log"

finish

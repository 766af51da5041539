#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Faults on the path between the edge and wireguard-go:
# - 10% random loss each way on the underlay (nftables numgen: this kernel
#   has no netem): the handshake completes, pings come back at about the
#   rate the loss leaves (0.9 x 0.9 = 81%), TCP through the tunnel moves in
#   every second of a 5 s iperf3 run;
# - the underlay link down for 10 s, then up: pings fail and /health says
#   so meanwhile, then the same edge process (no restart) carries them again;
# - the host port deleted by hand (ip link del omni0): the edge says so and
#   stops with status 1 (docs/operations.md: a service manager restarts
#   it); the same command again makes omni0 anew and the tunnel works.
#
#  +-------------------------------------+     +-------------------------------+
#  | netns omni-fault-a-PID              |     | netns omni-fault-b-PID        |
#  |  omni0 10.82.0.1/24 (veth, AF_XDP)  |     |  wgfPID 10.82.0.2/24          |
#  |  omninervous, udp 51820             |     |    wireguard-go, udp 51821    |
#  |    metrics 127.0.0.1:9586           |     |    iperf3 -s                  |
#  |                                     |     |  nft: 10% of vfbPID's packets |
#  |                                     |     |    dropped in and out         |
#  |  vfaPID 192.0.2.1/24 (net_af_xdp) -------- vfbPID 192.0.2.2/24           |
#  +-------------------------------------+     +-------------------------------+
#
# Usage: faults.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
asan_no_leaks

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
ns_a=omni-fault-a-$$
ns_b=omni-fault-b-$$
wgif=wgf$$
veth_a=vfa$$
veth_b=vfb$$

need_root
need_tools wireguard-go wg iperf3 ping nft
need_built "$omni"
e2e_tmp fault

edge_args=(--underlay "$veth_a" --wg-config "$tmp/edge.conf" --metrics 127.0.0.1:9586)

# Loss on wireguard-go's side: the edge's own side is AF_XDP, which takes
# packets before nftables sees them.
loss_on() {
	ip netns exec "$ns_b" nft -f - <<-NFT
	table inet omni_loss {
		counter lost { }
		chain in {
			type filter hook input priority filter;
			iifname "$veth_b" numgen random mod 10 == 0 counter name lost drop
		}
		chain out {
			type filter hook output priority filter;
			oifname "$veth_b" numgen random mod 10 == 0 counter name lost drop
		}
	}
	NFT
}
loss_off() { ip netns exec "$ns_b" nft delete table inet omni_loss; }
lost() { ip netns exec "$ns_b" nft list counter inet omni_loss lost | awk '/packets/ { print $2 }'; }


handshake_under_loss() {
	edge_pair_peer || return 1 # a fresh peer: a new handshake is needed
	wait_for -t 30 echo_back "$ns_a" 10.82.0.2 || return 1
	echo "tunnel up; the nft rules dropped $(lost) packets so far"
	[ "$(edge_stat edge handshakes_completed)" -ge 1 ]
}

# 100 echoes, 0.05 s apart: 81 expected back (standard deviation 4);
# 62-97 passes (past four deviations each way), and below 100 proves
# the loss bites.
pings_at_rate() {
	local out got
	out=$(ip netns exec "$ns_a" ping -q -c 100 -i 0.05 -W 1 10.82.0.2)
	echo "$out" | tail -n 2
	got=$(echo "$out" | awk '/received/ { print $4 }')
	echo "$got of 100 came back (81 expected); nft dropped $(lost) in all"
	[ "$got" -ge 62 ] && [ "$got" -le 97 ]
}

# iperf3 -t 5: bytes in every one-second interval.
tcp_moves() {
	iperf3_server tcp "$ns_b" 10.82.0.2 && iperf3_client tcp "$ns_a" 10.82.0.2 5 || return 1
	python3 - "$tmp/tcp.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
per = [i["sum"]["bytes"] for i in d["intervals"]]
print("bytes per second:", per)
print("retransmits:", d["end"]["sum_sent"].get("retransmits"))
sys.exit(0 if len(per) >= 5 and all(b > 0 for b in per) else 1)
PY
}

health() { http_get "$ns_a" http://127.0.0.1:9586/health; }
health_status() { http_status "$ns_a" http://127.0.0.1:9586/health; }
health_down() { [ "$(health_status)" = 503 ]; }

link_down_recovers() {
	local pid t0
	pid=$(pid_of edge)
	ip -n "$ns_a" link set "$veth_a" down || return 1
	wait_for health_down >/dev/null || { echo "/health did not see the link down"; return 1; }
	health
	echo_back "$ns_a" 10.82.0.2 && { echo "a ping went through with the link down"; return 1; }
	sleep 9 # the rest of the 10 s outage
	ip -n "$ns_a" link set "$veth_a" up || return 1
	t0=$(now_ms)
	wait_for -t 20 echo_back "$ns_a" 10.82.0.2 || return 1
	echo "tunnel back $(($(now_ms) - t0)) ms after the link came up; edge pid $pid"
	alive "$pid" && [ "$(pid_of edge)" = "$pid" ] && [ "$(health_status)" = 200 ]
}

host_port_deleted() {
	local rc
	ip -n "$ns_a" link del omni0 || return 1
	bg_wait edge 10
	rc=$?
	echo "the edge exited with status $rc"
	grep -i 'sanitizer' "$tmp/edge.log" && return 1
	grep 'host port omni0 is gone' "$tmp/edge.log" && [ "$rc" = 1 ] || return 1
	edge_start edge "$ns_a" "${edge_args[@]}" && wait_for -t 10 echo_back "$ns_a" 10.82.0.2
}

edge_pair "$ns_a" "$veth_a" "$ns_b" "$veth_b" "$wgif" 10.82.0 || die "topology"
edge_start edge "$ns_a" "${edge_args[@]}" || die "the edge did not start"
loss_on || die "nftables loss rules"
check "10% loss each way: the handshake completes" handshake_under_loss
check "10% loss each way: pings come back at about 81%" pings_at_rate
check "10% loss each way: TCP moves in every second of 5" tcp_moves
loss_off
check "underlay down 10 s, then up: the same edge carries the tunnel again" link_down_recovers
check "omni0 deleted by hand: the edge says so, exits 1; started again it works" \
	host_port_deleted
check "the edge stops cleanly" edge_stop edge
finish

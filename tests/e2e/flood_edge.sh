#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The DPDK edge under a flood of WireGuard initiations from spoofed
# sources: tools/flood sends, from a raw socket in wireguard-go's
# namespace, initiations whose mac1 is right for the edge's key (one
# message is valid from every address), 12,000 a second from the 8,192
# sources of 198.18.0.0/19 (RFC 2544's benchmarking range; nothing leaves
# these namespaces): each source comes back within a second, so twice as
# many live sources as the edge's rate limiter holds (4,096, its default)
# keep it full, and a limiter that refuses new sources when full would
# refuse wireguard-go every time. A full table is load, so the edge
# demands cookies; wireguard-go, starting a fresh handshake
# during the flood, gets a cookie reply, comes back with mac2 at its next
# retry, and the tunnel carries pings. The cookie path shows in the
# edge's counters (cookies_sent, handshake_refused_NEED_COOKIE,
# under_load), and /metrics exports the load (omni_handshake_under_load_total,
# omni_handshake_cookies_limited_total).
#
#  +-------------------------------------+     +-------------------------------+
#  | netns omni-fe-a-PID                 |     | netns omni-fe-b-PID           |
#  |                                     |     |                               |
#  |  omni0 10.78.0.1/24 (net_tap)       |     |  wireguard-go, wgfPID         |
#  |    |                                |     |    10.78.0.2/24, udp 51821    |
#  |  omninervous, udp 51820             |     |  flood wg (raw socket)        |
#  |    |                                |     |    |                          |
#  |  fvaPID 192.0.2.1/24 (net_af_xdp) ------- fvbPID 192.0.2.2/24           |
#  +-------------------------------------+     +-------------------------------+
#
# Usage: flood_edge.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
asan_no_leaks

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
flood=$build/tools/flood/flood
ns_a=omni-fe-a-$$
ns_b=omni-fe-b-$$
wgif=wgf$$
RATE=${FLOOD_WG_RATE:-12000}

need_root
need_tools wireguard-go wg ip ping
need_built "$omni" "$flood"
e2e_tmp flood_edge
edge_pair "$ns_a" fva$$ "$ns_b" fvb$$ "$wgif" 10.78.0 || die "topology"
edge_pair_peer
edge_start edge "$ns_a" --underlay fva$$ --wg-config "$tmp/edge.conf" --host-port tap \
	--metrics 127.0.0.1:9586 || die "the edge did not start"

# /metrics exports the load the stats lines show: at least as much as the
# last "stats:" block (read before), and the flood made some.
load_exported() {
	local m s k
	for k in under_load cookies_limited; do
		m=$(metric_at "$ns_a" 127.0.0.1:9586 "omni_handshake_${k}_total")
		s=$(stat_of edge "$k")
		echo "omni_handshake_${k}_total $m, stats: $k $s"
		[ "$m" -ge "$s" ] || return 1
	done
	[ "$(metric_at "$ns_a" 127.0.0.1:9586 omni_handshake_under_load_total)" -ge 1 ]
}

check "no flood: wireguard-go initiates, ping 10.78.0.1 through the tunnel" \
	ping_from "$ns_b" 10.78.0.1

bg_start flood "$ns_b" "$flood" wg --to 192.0.2.1:51820 --key "$(cat "$tmp/edge.pub")" \
	--from 198.18.0.0/19 --rate "$RATE" --seconds 45
check "the flood is load: the edge sends cookie replies" \
	wait_stat edge cookies_sent -ge 1000 15
edge_snapshot edge "$tmp/before.txt" || die "no counters"
start=$(now_ms)
edge_pair_peer # wireguard-go forgets its session: a fresh handshake, during the flood
check "during the flood: wireguard-go completes a handshake, ping 10.78.0.1" \
	ip netns exec "$ns_b" ping -c 3 -i 0.3 -w 30 10.78.0.1
echo "    handshake and pings after $(($(now_ms) - start)) ms of flood"
edge_snapshot edge "$tmp/after.txt" || die "no counters"
bg_stop flood
cat "$tmp/flood.log"
for k in handshakes_completed cookies_sent cookies_limited handshake_refused_NEED_COOKIE \
	ratelimited under_load handshake_refused_BAD_STATIC drop_ring_full; do
	echo "    $k: $(counter "$tmp/after.txt" "$k") (+$(delta "$tmp/before.txt" "$tmp/after.txt" "$k"))"
done
check "the cookie path: wireguard-go's initiation refused for want of a cookie, then completed" \
	bash -c "test $(delta "$tmp/before.txt" "$tmp/after.txt" handshake_refused_NEED_COOKIE) -ge 1 &&
		test $(delta "$tmp/before.txt" "$tmp/after.txt" handshakes_completed) -ge 1"
check "/metrics: the flood is handshake load (omni_handshake_under_load_total)" load_exported
check "SIGTERM stops the edge cleanly" edge_stop edge
finish

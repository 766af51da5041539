#!/bin/bash
# SPDX-License-Identifier: MIT
#
# A whole cluster: a nucleus, a STUN server (coturn) and two DPDK edges,
# each edge behind its own nftables masquerade NAT. The edges know only the
# nucleus, the cluster name and the secret; they find each other, punch
# through both NATs and talk directly (the nucleus carries no data: the
# NAT routers count the tunnel's packets going straight to the other NAT).
# Also: STUN gives edge A its NAT's address; an edge with a wrong secret is
# never listed and gets no answer; an edge that stops is seen leaving
# within one heartbeat; and the same over an IPv6-only underlay.
#
#            +-------------------- netns I: bridge (the "internet") ------------------+
#            |                  |                    |                  |             |
#   N: nucleus 203.0.113.1  S: coturn 203.0.113.2  R1 203.0.113.11   R2 203.0.113.12  C 203.0.113.20
#      udp 51820 (signaling)   udp 3478          masquerade        masquerade     edge, wrong secret
#                                                    |                  |
#                                               198.51.100.1/25   198.51.100.129/25
#                                                    |                  |
#                                          A: edge 198.51.100.2   B: edge 198.51.100.130
#                                             VIP 10.200.0.1/24      VIP 10.200.0.2/24
#
# The NAT routers firewall unsolicited UDP to their own port 51820 (as home
# routers do): dropped before conntrack confirms it, so the probe that
# arrives before the local edge has sent does not take the port the
# masquerade wants to keep.
#
# Dual-stack phase: N, A and B with IPv4 and IPv6 on one bridge,
# prefer_ipv6 from a JSON file: the tunnel must run over IPv6 (nft counters
# on the bridge).
#
# IPv6-only phase: N, A and B on one bridge with 2001:db8:1::1, ::2, ::3
# and no IPv4 at all; --nucleus [2001:db8:1::1]:51820.
#
# Usage: cluster.sh BUILD_DIR
set -u

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
. "$(dirname "$0")/netns_lib.sh"
. "$(dirname "$0")/cluster_lib.sh"
export ASAN_OPTIONS=detect_leaks=0
export OMNI_TEST_HEARTBEAT_MS=2000
secret=cluster-test-secret-$$-0123456789
P=$$

die() {
	echo "FAIL: $*"
	for f in "$tmp"/*.log; do
		[ -f "$f" ] && grep -v '^stats: .* 0$' "$f" | tail -n 15 | sed "s|^|    $(basename "$f" .log): |"
	done
	exit 1
}

need_root
for tool in turnserver nft iperf3 wg ping; do
	command -v "$tool" >/dev/null || die "$tool not found: run tools/setup"
done
[ -x "$omni" ] || die "$omni not built"
tmp=$(mktemp -d /tmp/omni-cluster.XXXXXX)
cluster_keys a b c || die "wg genkey"

# stats NAME KEY: the latest value after a fresh SIGUSR1.
stat_of() {
	local pid n
	eval "pid=\$pid_$1"
	n=$(grep -c '^stats: ratelimited' "$tmp/$1.log")
	kill -USR1 "$pid"
	for _ in $(seq 50); do
		[ "$(grep -c '^stats: ratelimited' "$tmp/$1.log")" -gt "$n" ] && break
		sleep 0.1
	done
	awk -v k="$2" '$1 == "stats:" && $2 == k { v = $3 } END { print v + 0 }' "$tmp/$1.log"
}

# The non-zero counters of edge NAME and its last log lines.
edge_state() {
	stat_of "$1" x >/dev/null
	grep -v '^stats: ' "$tmp/$1.log" | grep -v 'qdisc\|tap_\|eth_dev' | tail -n 6 | sed "s|^|$1: |"
	awk -v n="$1" '$1 == "stats:" && $2 == "rx_packets" { line = "" }
		$1 == "stats:" && $3 != "0" { line = line " " $2 "=" $3 }
		END { print n ": counters:" line }' "$tmp/$1.log"
}

ping_vip() { # NS VIP
	ip netns exec "$1" ping -c 3 -i 0.3 -w 20 "$2" && return 0
	edge_state a
	edge_state b
	return 1
}

iperf_vips() {
	ip netns exec "cB$P" timeout 20 iperf3 -s -1 -B 10.200.0.2 >/dev/null 2>&1 &
	local srv=$!
	sleep 0.5
	ip netns exec "cA$P" timeout 15 iperf3 -c 10.200.0.2 -t 5 -f m | tail -n 4
	local ok=${PIPESTATUS[0]}
	wait "$srv"
	return "$ok"
}

# Packets R1 forwarded straight to R2's public address on the WireGuard
# port (the tunnel's path), at least $1.
direct_path() {
	local n
	n=$(ip netns exec "cR1$P" nft list chain ip omni_nat count |
		awk '/ip daddr 203.0.113.12/ { for (i = 1; i <= NF; i++) if ($i == "packets") print $(i + 1) }')
	echo "R1 forwarded $n packets to 203.0.113.12:51820"
	[ "${n:-0}" -ge "$1" ]
}

nucleus_carried_little() {
	ip netns exec "cN$P" python3 - <<-PY
	import urllib.request
	t = urllib.request.urlopen("http://203.0.113.1:9587/metrics", timeout=5).read().decode()
	rx = sum(float(l.split()[-1]) for l in t.splitlines()
	         if l.startswith("omni_nucleus_messages_total") and 'direction="rx"' in l)
	print("nucleus: signaling messages received:", rx)
	raise SystemExit(0 if rx < 500 else 1)
	PY
}

no_answer_for_c() {
	local rx
	rx=$(stat_of c sig_rx)
	echo "edge C (wrong secret): signaling messages received: $rx"
	[ "$rx" = 0 ] && ! grep -q "$(cat "$tmp/c.pub")" "$tmp/a.log"
}

# ---- IPv4 behind NATs ----
topology_v4 || die "topology"
start nucleus "cN$P" "$omni" --mode nucleus --port 51820 --cluster lab --secret "$secret" \
	--metrics 203.0.113.1:9587
wait_log nucleus "^nucleus: udp port 51820" 10 || die "the nucleus did not start"
start turn "cS$P" turnserver -n --no-cli --stun-only --no-tls --no-dtls --listening-ip 203.0.113.2 \
	--listening-port 3478 --pidfile "$tmp/turn.pid" --userdb "$tmp/turndb" --log-file stdout \
	--simple-log
edge a "cA$P" a$P 10.200.0.1/24 "$secret" 203.0.113.1:51820 --stun 203.0.113.2:3478
edge b "cB$P" b$P 10.200.0.2/24 "$secret" 203.0.113.1:51820
check "edge A registers; the nucleus sees it as NAT 1" \
	wait_log a "nucleus: registered with 203.0.113.1:51820 as 203.0.113.11:[0-9]+"
check "edge B registers; the nucleus sees it as NAT 2" \
	wait_log b "nucleus: registered with 203.0.113.1:51820 as 203.0.113.12:[0-9]+"
check "STUN (coturn): edge A's reflexive address is NAT 1's" \
	wait_log a "stun: reflexive address 203.0.113.11:[0-9]+ \(from 203.0.113.2:3478\)"
# Through NAT, from what the heartbeat deltas said (no query: both sides
# start handshakes on their own, PersistentKeepalive); the IPv6 phase
# below pings at once, before the next heartbeat: the query and punch path.
check "A hears of B from the nucleus (heartbeat delta)" \
	wait_log a "nucleus: peer joined $(sed 's/[+/]/./g' "$tmp/b.pub")" 10
check "A -> B's VIP through both NATs" ping_vip "cA$P" 10.200.0.2
check "B -> A's VIP" ping_vip "cB$P" 10.200.0.1
check "iperf3 5 s between the VIPs" iperf_vips
check "the tunnel goes straight from NAT 1 to NAT 2" direct_path 100
check "the nucleus carried signaling only" nucleus_carried_little
edge c "cC$P" c$P 10.200.0.3/24 "wrong-secret-for-lab-0123456" 203.0.113.1:51820
sleep 5
check "an edge with a wrong secret gets no answer and is never listed" no_answer_for_c
check "the nucleus counted C's messages as drops" ip netns exec "cN$P" python3 -c "
import urllib.request, sys
t = urllib.request.urlopen('http://203.0.113.1:9587/metrics', timeout=5).read().decode()
d = sum(float(l.split()[-1]) for l in t.splitlines() if l.startswith('omni_nucleus_drops_total'))
print('nucleus drops:', d); sys.exit(0 if d > 0 else 1)"
kill -TERM "$pid_b"
wait "$pid_b"
forget_pid "$pid_b"
check "B stops: A sees it leave within one heartbeat (2 s here)" \
	wait_log a "nucleus: peer left $(cat "$tmp/b.pub" | sed 's/[+/]/./g')" 5

# ---- IPv6-only underlay ----
for p in $pids; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
pids=
for ns in $made_ns; do ip netns del "$ns"; done
made_ns=
make_ns "cI$P" "cN$P" "cA$P" "cB$P"
ip -n "cI$P" link add brI type bridge && ip -n "cI$P" link set brI up
for ns in "cN$P" "cA$P" "cB$P"; do
	ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.disable_ipv6=0 2>/dev/null
done
link "cN$P" n$P 2001:db8:1::1/64 && link "cA$P" a$P 2001:db8:1::2/64 &&
	link "cB$P" b$P 2001:db8:1::3/64 || die "IPv6 topology"
start nucleus "cN$P" "$omni" --mode nucleus --port 51820 --cluster lab --secret "$secret" \
	--metrics off
wait_log nucleus "^nucleus: udp port 51820" 10 || die "the nucleus did not start (IPv6)"
# A registers first and has a slow heartbeat: it cannot hear of B from a
# delta before it asks the nucleus (B knows A from its REGISTER_ACK).
OMNI_TEST_HEARTBEAT_MS=60000 edge a "cA$P" a$P 10.200.0.1/24 "$secret" "[2001:db8:1::1]:51820"
check "IPv6-only: edge A registers over IPv6" \
	wait_log a "nucleus: registered with \[2001:db8:1::1\]:51820 as \[2001:db8:1::2\]"
OMNI_TEST_HEARTBEAT_MS=60000 edge b "cB$P" b$P 10.200.0.2/24 "$secret" "[2001:db8:1::1]:51820"
wait_log b "nucleus: registered" 20 >/dev/null
check "IPv6-only: A -> B's VIP at once (query, punch)" ping_vip "cA$P" 10.200.0.2
check "IPv6-only: A asked the nucleus and both punched" \
	test "$(stat_of a sig_queries)" -ge 1 -a "$(stat_of a sig_punches)" -ge 1

# ---- dual stack, prefer_ipv6 (Happy Eyeballs): the tunnel takes IPv6 ----
for p in $pids; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
pids=
for ns in $made_ns; do ip netns del "$ns"; done
made_ns=
make_ns "cI$P" "cN$P" "cA$P" "cB$P"
ip -n "cI$P" link add brI type bridge && ip -n "cI$P" link set brI up
link "cN$P" n$P 192.0.2.1/24 2001:db8:1::1/64 && link "cA$P" a$P 192.0.2.2/24 2001:db8:1::2/64 &&
	link "cB$P" b$P 192.0.2.3/24 2001:db8:1::3/64 || die "dual-stack topology"
ip netns exec "cI$P" nft -f - <<-NFT || die "nft bridge counters"
table bridge omni_count {
	chain count {
		type filter hook forward priority filter;
		ip daddr 192.0.2.3 udp dport 51820 counter
		ip6 daddr 2001:db8:1::3 udp dport 51820 counter
	}
}
NFT
# A 2 s head start for IPv6 (default 250 ms): on a loaded 2-core CI runner
# a handshake can take longer than 250 ms, and then IPv4 rightly wins.
echo '{ "network": { "prefer_ipv6": true, "happy_eyeballs_delay_ms": 2000 } }' >"$tmp/he.json"
start nucleus "cN$P" "$omni" --mode nucleus --port 51820 --cluster lab --secret "$secret" \
	--metrics off
wait_log nucleus "^nucleus: udp port 51820" 10 || die "the nucleus did not start (dual stack)"
edge a "cA$P" a$P 10.200.0.1/24 "$secret" 192.0.2.1:51820 --config "$tmp/he.json"
edge b "cB$P" b$P 10.200.0.2/24 "$secret" 192.0.2.1:51820 --config "$tmp/he.json"
wait_log a "nucleus: registered" 20 >/dev/null && wait_log b "nucleus: registered" 20 >/dev/null ||
	die "dual stack: no registration"
took_ipv6() {
	local v4 v6
	v4=$(ip netns exec "cI$P" nft list chain bridge omni_count count |
		awk '/ip daddr/ { for (i = 1; i <= NF; i++) if ($i == "packets") print $(i + 1) }')
	v6=$(ip netns exec "cI$P" nft list chain bridge omni_count count |
		awk '/ip6 daddr/ { for (i = 1; i <= NF; i++) if ($i == "packets") print $(i + 1) }')
	echo "WireGuard packets to B: over IPv4 $v4, over IPv6 $v6"
	[ "${v6:-0}" -ge 5 ] && [ "${v6:-0}" -gt "${v4:-0}" ]
}
check "dual stack, prefer_ipv6: A -> B's VIP" ping_vip "cA$P" 10.200.0.2
check "dual stack, prefer_ipv6: the tunnel runs over IPv6" took_ipv6

if [ "$failed" = 0 ]; then
	echo "PASS: cluster, all checks"
	exit 0
fi
die "cluster"

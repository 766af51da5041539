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
# IPv6-only phase: N, A and B on one bridge with 2001:db8:1::1, ::2, ::3
# and no IPv4 at all; --nucleus [2001:db8:1::1]:51820.
#
# Usage: cluster.sh BUILD_DIR
set -u

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
. "$(dirname "$0")/netns_lib.sh"
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
for s in a b c; do
	(umask 077; wg genkey >"$tmp/$s.key" && wg pubkey <"$tmp/$s.key" >"$tmp/$s.pub") ||
		die "wg genkey"
done

# link NS IF ADDR...: a veth from NS (named IF) to the bridge in netns I.
link() {
	local ns=$1 ifc=$2 a
	shift 2
	ip link add "$ifc" netns "$ns" type veth peer name "b$ifc" netns "cI$P" || return 1
	ip -n "cI$P" link set "b$ifc" master brI up
	for a; do
		ip -n "$ns" addr add "$a" dev "$ifc" nodad 2>/dev/null || ip -n "$ns" addr add "$a" dev "$ifc"
	done
	ip -n "$ns" link set "$ifc" up
}

# nat NS PUBLIC_IF PRIVATE_IF PRIVATE_ADDR EDGE_NS EDGE_IF EDGE_ADDR: a NAT
# router with an edge behind it.
nat() {
	local ns=$1 pub=$2 priv=$3 gw=$4 edge=$5 eif=$6 eaddr=$7
	ip link add "$priv" netns "$ns" type veth peer name "$eif" netns "$edge" || return 1
	ip -n "$ns" addr add "$gw/25" dev "$priv"
	ip -n "$ns" link set "$priv" up
	ip -n "$edge" addr add "$eaddr/25" dev "$eif"
	ip -n "$edge" link set "$eif" up
	ip -n "$edge" route add default via "$gw"
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$ns" nft -f - <<-NFT
	table ip omni_nat {
		chain post {
			type nat hook postrouting priority srcnat;
			oifname "$pub" masquerade
		}
		chain guard {
			type filter hook input priority filter;
			ct state new udp dport 51820 drop
		}
		chain count {
			type filter hook forward priority filter;
			ip daddr 203.0.113.11 udp dport 51820 counter
			ip daddr 203.0.113.12 udp dport 51820 counter
		}
	}
	NFT
}

topology_v4() {
	make_ns "cI$P" "cN$P" "cS$P" "cR1$P" "cR2$P" "cA$P" "cB$P" "cC$P"
	ip -n "cI$P" link add brI type bridge && ip -n "cI$P" link set brI up || return 1
	link "cN$P" n$P 203.0.113.1/24 && link "cS$P" s$P 203.0.113.2/24 &&
		link "cR1$P" r1$P 203.0.113.11/24 && link "cR2$P" r2$P 203.0.113.12/24 &&
		link "cC$P" c$P 203.0.113.20/24 || return 1
	nat "cR1$P" r1$P i1$P 198.51.100.1 "cA$P" a$P 198.51.100.2 &&
		nat "cR2$P" r2$P i2$P 198.51.100.129 "cB$P" b$P 198.51.100.130
}

# start NAME NS ARGS...: a background process, its output in $tmp/NAME.log.
start() {
	local name=$1 ns=$2
	shift 2
	ip netns exec "$ns" "$@" >"$tmp/$name.log" 2>&1 &
	pids="$pids $!"
	eval "pid_$name=$!"
}

# edge NAME NS UNDERLAY VIP SECRET NUCLEUS [extra...]
edge() {
	local name=$1 ns=$2 ifc=$3 vip=$4 sec=$5 nuc=$6
	shift 6
	start "$name" "$ns" "$omni" --key "$tmp/$name.key" --underlay "$ifc" --nucleus "$nuc" \
		--cluster lab --vip "$vip" --secret "$sec" --host-port tap --metrics off "$@"
}

# wait_log NAME REGEX [SECONDS]
wait_log() {
	local i
	for i in $(seq $((${3:-20} * 10))); do
		grep -Eq -- "$2" "$tmp/$1.log" && return 0
		sleep 0.1
	done
	echo "$1 never logged: $2"
	grep -v '^stats: ' "$tmp/$1.log" | tail -n 20
	return 1
}

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
edge a "cA$P" a$P 10.200.0.1/24 "$secret" "[2001:db8:1::1]:51820"
edge b "cB$P" b$P 10.200.0.2/24 "$secret" "[2001:db8:1::1]:51820"
check "IPv6-only: edge A registers over IPv6" \
	wait_log a "nucleus: registered with \[2001:db8:1::1\]:51820 as \[2001:db8:1::2\]"
check "IPv6-only: A -> B's VIP" ping_vip "cA$P" 10.200.0.2

if [ "$failed" = 0 ]; then
	echo "PASS: cluster, all checks"
	exit 0
fi
die "cluster"

#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The real nucleus (omninervous --mode nucleus) in its own namespace, driven
# by sig-probe (the edge's signaling client over a UDP socket) from two
# other namespaces: A over IPv4, B over IPv6 only. They register, discover
# each other, B queries A's VIP and both get a punch notice; a probe with
# the wrong secret gets no answer and is never listed; B stops and A sees it
# leave (members expire after 3 s here: OMNI_TEST_NUCLEUS_EXPIRY_MS); a
# probe D in a second cluster ("other", own secret, B's VIP) is kept apart;
# bad cluster lists are refused with the place and the rule;
# /metrics and /health answer with the expected counters; SIGTERM stops the
# nucleus cleanly.
#
#  +---------------------------+     +------------------------------------+
#  | netns omni-sa-PID         |     | netns omni-sn-PID                  |
#  |  sig-probe A 10.200.0.1   |     |  omninervous --mode nucleus        |
#  |  sig-probe C (bad secret) |     |    udp 51820 (IPv4 + IPv6)         |
#  |  sa-PID 192.0.2.2/24  ----------- sna-PID 192.0.2.1/24              |
#  +---------------------------+     |    metrics 127.0.0.1:9586          |
#  +---------------------------+     |                                    |
#  | netns omni-sb-PID (v6 only)|    |                                    |
#  |  sig-probe B 10.200.0.2,  |     |                                    |
#  |    fd00::2                |     |                                    |
#  |  sb-PID 2001:db8:b::2/64 ----------snb-PID 2001:db8:b::1/64         |
#  +---------------------------+     +------------------------------------+
#
# Usage: nucleus.sh BUILD_DIR
set -u
. "$(dirname "$0")/netns_lib.sh"

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
probe=$build/tools/sig-probe/sig-probe
ns_n=omni-sn-$$
ns_a=omni-sa-$$
ns_b=omni-sb-$$
secret="e2e-nucleus-secret-$$"

die() {
	echo "FAIL: $*"
	[ -n "$tmp" ] && for f in "$tmp"/*.log; do [ -f "$f" ] && sed "s|^|    $(basename "$f"): |" "$f"; done
	exit 1
}

need_root
[ -x "$omni" ] || die "$omni not built"
[ -x "$probe" ] || die "$probe not built"
command -v python3 >/dev/null || die "python3 not found"

tmp=$(mktemp -d)

# ---- topology ----
make_ns $ns_n $ns_a $ns_b
ip link add sna$$ netns "$ns_n" type veth peer name sa$$ netns "$ns_a" || die "veth a"
ip link add snb$$ netns "$ns_n" type veth peer name sb$$ netns "$ns_b" || die "veth b"
ip -n "$ns_n" addr add 192.0.2.1/24 dev sna$$
ip -n "$ns_a" addr add 192.0.2.2/24 dev sa$$
ip -n "$ns_n" addr add 2001:db8:b::1/64 dev snb$$ nodad
ip -n "$ns_b" addr add 2001:db8:b::2/64 dev sb$$ nodad
for l in "$ns_n sna$$" "$ns_n snb$$" "$ns_a sa$$" "$ns_b sb$$"; do
	set -- $l
	ip -n "$1" link set "$2" up
done

# ---- the cluster list: refused when wrong, with the place and the rule ----
refused() { # FILE MESSAGE-REGEX
	! timeout 5 "$omni" --mode nucleus --port 51820 --config "$1" --metrics off >"$tmp/refused.out" 2>&1 &&
		grep -Eq "$2" "$tmp/refused.out" && ! grep -q "$secret" "$tmp/refused.out"
}
# clusters FILE NAME SECRET [NAME SECRET...]: a JSON nucleus configuration.
clusters() {
	local f=$1 sep=
	shift
	{
		printf '{ "mode": "nucleus", "nucleus": { "clusters": ['
		while [ $# -ge 2 ]; do
			printf '%s { "name": "%s", "secret": "%s" }' "$sep" "$1" "$2"
			sep=,
			shift 2
		done
		printf ' ] } }\n'
	} >"$f"
	chmod 600 "$f"
}
warned() { # FILE MESSAGE-REGEX: starts, but says so
	timeout 2 "$omni" --mode nucleus --port 51820 --config "$1" --metrics off >"$tmp/warned.out" 2>&1
	grep -Eq "$2" "$tmp/warned.out" && ! grep -q "$secret" "$tmp/warned.out"
}
clusters "$tmp/clusters.json" lab "$secret" other "other-$secret"
chmod 644 "$tmp/clusters.json"
check "a cluster file others can read is warned about" warned "$tmp/clusters.json" "chmod 600"
chmod 600 "$tmp/clusters.json"
printf '{ "nucleus": { "clusters": [ { "name": "lab" "secret": "%s" } ] } }\n' "$secret" \
	>"$tmp/bad.json"
chmod 600 "$tmp/bad.json"
check "a malformed file is refused with file:line:column" refused "$tmp/bad.json" \
	"bad\.json:1:[0-9]+: "
clusters "$tmp/bad.json" lab "$secret" weak 123456789012345
check "a short secret is refused, naming its place" refused "$tmp/bad.json" \
	'nucleus\.clusters\[1\]\.secret: too short \(15 characters; at least 16\)'
clusters "$tmp/bad.json" lab "$secret" lab "x$secret"
check "a cluster listed twice is refused" refused "$tmp/bad.json" 'cluster "lab" is listed twice'

# ---- the nucleus: two clusters ----
OMNI_TEST_NUCLEUS_EXPIRY_MS=3000 ip netns exec "$ns_n" "$omni" --mode nucleus --port 51820 \
	--config "$tmp/clusters.json" --metrics 127.0.0.1:9586 >"$tmp/nucleus.log" 2>&1 &
nuc_pid=$!
pids="$pids $nuc_pid"
for _ in $(seq 50); do
	grep -q "^nucleus: udp port 51820 (IPv4 and IPv6)" "$tmp/nucleus.log" && break
	sleep 0.1
done
grep -q "^nucleus: udp port 51820" "$tmp/nucleus.log" || die "nucleus did not start"

http() { # PATH -> "STATUS\nBODY"
	ip netns exec "$ns_n" python3 -c '
import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen("http://127.0.0.1:9586" + sys.argv[1], timeout=5)
    print(r.status); print(r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code)' "$1"
}

# ---- three probes ----
run_probe() { # NS NAME ARGS...
	local ns=$1 name=$2
	shift 2
	ip netns exec "$ns" "$probe" --cluster lab --heartbeat-ms 1000 "$@" >"$tmp/$name.log" 2>&1 &
	pids="$pids $!"
}
run_probe "$ns_a" a --nucleus 192.0.2.1:51820 --secret "$secret" --vip 10.200.0.1 \
	--local 192.0.2.2:51820 --seconds 40
sleep 0.5
run_probe "$ns_b" b --nucleus "[2001:db8:b::1]:51820" --secret "$secret" --vip 10.200.0.2 \
	--vip6 fd00::2 --query 10.200.0.1 --query 10.200.0.77 --query-after 1500 --seconds 40
b_pid=${pids##* }
run_probe "$ns_a" c --nucleus 192.0.2.1:51820 --secret "wrong-$secret" --vip 10.200.0.3 --seconds 40
ip netns exec "$ns_a" "$probe" --cluster other --heartbeat-ms 1000 --nucleus 192.0.2.1:51820 \
	--secret "other-$secret" --vip 10.200.0.2 --seconds 40 >"$tmp/d.log" 2>&1 &
pids="$pids $!"

wait_for() { # FILE REGEX
	for _ in $(seq 80); do
		grep -Eq "$2" "$1" && return 0
		sleep 0.1
	done
	echo "no line matching '$2' in $(basename "$1"):"
	cat "$1"
	return 1
}
key_of() { sed -n 's/^self //p' "$tmp/$1.log"; }
sleep 1
ka=$(key_of a); kb=$(key_of b); kc=$(key_of c); kd=$(key_of d)
[ -n "$ka" ] && [ -n "$kb" ] && [ -n "$kc" ] && [ -n "$kd" ] || die "probes did not start"

check "A registers over IPv4, observed 192.0.2.2" wait_for "$tmp/a.log" "^registered 192\.0\.2\.2:[0-9]+$"
check "B registers over IPv6 only, observed [2001:db8:b::2]" \
	wait_for "$tmp/b.log" "^registered \[2001:db8:b::2\]:[0-9]+$"
check "B learns A from its REGISTER_ACK, with A's candidates" \
	wait_for "$tmp/b.log" "^joined $ka vip=10\.200\.0\.1 cand1=192\.0\.2\.2:[0-9]+ cand2=192\.0\.2\.2:51820"
check "A learns B from a heartbeat delta" \
	wait_for "$tmp/a.log" "^joined $kb vip=10\.200\.0\.2 vip6=fd00::2 cand1=\[2001:db8:b::2\]:[0-9]+"
check "B's query for 10.200.0.1 finds A" wait_for "$tmp/b.log" "^found 10\.200\.0\.1 $ka "
check "B's query for 10.200.0.77 is not found" wait_for "$tmp/b.log" "^not_found 10\.200\.0\.77$"
check "punch notice to B (A's candidates)" wait_for "$tmp/b.log" "^punch $ka "
check "punch notice to A (B's candidates)" wait_for "$tmp/a.log" "^punch $kb vip=10\.200\.0\.2 "

sleep 2
check "the wrong secret gets no answer" bash -c "! grep -v '^self ' '$tmp/c.log'"
check "the wrong secret is never listed" bash -c "! grep -h '$kc' '$tmp/a.log' '$tmp/b.log' '$tmp/d.log'"
check "cluster other (same VIP as B) registers and sees nobody from lab" bash -c "
	grep -q '^registered 192.0.2.2:' '$tmp/d.log' &&
	! grep -Eq '^(joined|punch|found)' '$tmp/d.log' &&
	! grep -h '$kd' '$tmp/a.log' '$tmp/b.log'"

metrics=$(http /metrics)
echo "$metrics" >"$tmp/metrics.txt"
mval() { awk -v k="$1" '$1 == k { print $2 }' "$tmp/metrics.txt"; }
check "/metrics: 2 members in lab, 1 in other" bash -c "
	test '$(mval 'omni_nucleus_members{cluster="lab"}')' = 2 &&
	test '$(mval 'omni_nucleus_members{cluster="other"}')' = 1"
check "/metrics: REGISTER rx 3" test "$(mval 'omni_nucleus_messages_total{direction="rx",type="REGISTER"}')" = 3
check "/metrics: QUERY_PEER rx 2, PEER_INFO tx 1, NOT_FOUND tx 1, PUNCH tx 2" bash -c "
	test '$(mval 'omni_nucleus_messages_total{direction="rx",type="QUERY_PEER"}')' = 2 &&
	test '$(mval 'omni_nucleus_messages_total{direction="tx",type="PEER_INFO"}')' = 1 &&
	test '$(mval 'omni_nucleus_messages_total{direction="tx",type="NOT_FOUND"}')' = 1 &&
	test '$(mval 'omni_nucleus_messages_total{direction="tx",type="PUNCH"}')' = 2"
check "/metrics: HEARTBEAT rx counted" test "$(mval 'omni_nucleus_messages_total{direction="rx",type="HEARTBEAT"}')" -ge 2
check "/metrics: the wrong secret counted as unknown_cluster" \
	test "$(mval 'omni_nucleus_drops_total{reason="unknown_cluster"}')" -ge 1
check "/metrics: no bad_mac, replay or stale drops" bash -c "
	test '$(mval 'omni_nucleus_drops_total{reason="bad_mac"}')' = 0 &&
	test '$(mval 'omni_nucleus_drops_total{reason="replay"}')' = 0 &&
	test '$(mval 'omni_nucleus_drops_total{reason="stale"}')' = 0"
check "/metrics is Prometheus text" grep -q "^# TYPE omni_nucleus_drops_total counter" "$tmp/metrics.txt"
check "/health answers 200 ok" test "$(http /health | tr '\n' ' ')" = "200 ok  "

# ---- B stops: A sees it leave ----
kill "$b_pid" && wait "$b_pid" 2>/dev/null
forget_pid "$b_pid"
check "B stops: A sees it leave (expiry 3 s, heartbeat 1 s)" wait_for "$tmp/a.log" "^left $kb$"
http /metrics >"$tmp/metrics.txt"
check "/metrics: 1 member, 1 expired" bash -c "
	test '$(mval 'omni_nucleus_members{cluster="lab"}')' = 1 &&
	test '$(mval omni_nucleus_expired_total)' = 1"

# ---- clean stop ----
kill -TERM "$nuc_pid"
wait "$nuc_pid"
rc=$?
forget_pid "$nuc_pid"
check "SIGTERM stops the nucleus with status 0" test "$rc" = 0
check "the nucleus prints its counters at stop" grep -q "^stats: cluster lab members 1" "$tmp/nucleus.log"

[ "$failed" = 0 ] || die "some checks failed"
echo "nucleus: all checks passed"

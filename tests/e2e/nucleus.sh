#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The real nucleus (omninervous --mode nucleus) in its own namespace, driven
# by sig-probe (the edge's signaling client over a UDP socket) from two
# other namespaces: A over IPv4, B over IPv6 only. They register, discover
# each other, B queries A's VIP and both get a punch notice; a probe with
# the wrong secret gets no answer and is never listed (checked once the
# nucleus has dropped three of its REGISTERs: it sent them a heartbeat
# apart, each time unanswered); B stops and A sees it leave (members expire
# after 3 s here: OMNI_TEST_NUCLEUS_EXPIRY_MS); a probe D in a second
# cluster ("other", own secret, B's VIP), started once A and B are members,
# is kept apart; bad cluster lists are refused with the place and the rule;
# /metrics and /health answer with the expected counters; SIGTERM stops the
# nucleus cleanly.
#
#  +---------------------------+     +------------------------------------+
#  | netns omni-sa-PID         |     | netns omni-sn-PID                  |
#  |  sig-probe A 10.200.0.1   |     |  omninervous --mode nucleus        |
#  |  sig-probe C (bad secret) |     |    udp 51820 (IPv4 + IPv6)         |
#  |  sig-probe D (cluster     |     |                                    |
#  |    other)                 |     |                                    |
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
. "$(dirname "$0")/lib.sh"

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
probe=$build/tools/sig-probe/sig-probe
ns_n=omni-sn-$$
ns_a=omni-sa-$$
ns_b=omni-sb-$$
secret="e2e-nucleus-secret-$$"

need_root
need_tools python3
need_built "$omni" "$probe"
e2e_tmp nucleus

# ---- topology ----
make_ns "$ns_n" "$ns_a" "$ns_b"
veth "$ns_n" sna$$ "$ns_a" sa$$ || die "veth a"
veth "$ns_n" snb$$ "$ns_b" sb$$ || die "veth b"
addr "$ns_n" sna$$ 192.0.2.1/24
addr "$ns_a" sa$$ 192.0.2.2/24
addr "$ns_n" snb$$ 2001:db8:b::1/64
addr "$ns_b" sb$$ 2001:db8:b::2/64

# ---- the cluster list: refused when wrong, with the place and the rule ----
refused() { # FILE MESSAGE-REGEX
	! timeout 5 ip netns exec "$ns_n" "$omni" --mode nucleus --port 51820 --config "$1" \
		--metrics off >"$tmp/refused.out" 2>&1 &&
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
clusters "$tmp/clusters.json" lab "$secret" other "other-$secret"
chmod 640 "$tmp/clusters.json"
check "a cluster file the group can read is refused" refused "$tmp/clusters.json" \
	"clusters\.json has mode 0640: .*; fix with: chmod 600 .*clusters\.json"
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
OMNI_TEST_NUCLEUS_EXPIRY_MS=3000 nucleus_start nucleus "$ns_n" --port 51820 \
	--config "$tmp/clusters.json" --metrics 127.0.0.1:9586 || die "nucleus did not start"
check "the nucleus listens on IPv4 and IPv6" grep -q "^nucleus: udp port 51820 (IPv4 and IPv6)" \
	"$tmp/nucleus.log"

http() { http_get "$ns_n" "http://127.0.0.1:9586$1"; }
# mval KEY: its value in the last /metrics read ($tmp/metrics.txt).
mval() { awk -v k="$1" '$1 == k { print $2 }' "$tmp/metrics.txt"; }
# unknown_cluster_drops N: the nucleus has dropped N datagrams of no
# cluster it knows (the wrong secret) by now.
unknown_cluster_drops() {
	http /metrics >"$tmp/metrics.txt" &&
		[ "$(mval 'omni_nucleus_drops_total{reason="unknown_cluster"}')" -ge "$1" ]
}

# ---- four probes ----
sig_probe_start() { # NAME NS ARGS...
	local name=$1 ns=$2
	shift 2
	bg_start "$name" "$ns" "$probe" --heartbeat-ms 1000 "$@"
}
# A is a member before B registers: B learns A from its REGISTER_ACK, A
# learns B from a heartbeat delta.
sig_probe_start a "$ns_a" --cluster lab --nucleus 192.0.2.1:51820 --secret "$secret" \
	--vip 10.200.0.1 --local 192.0.2.2:51820 --seconds 40
wait_log a '^registered ' 10 || die "probe A did not register"
sig_probe_start b "$ns_b" --cluster lab --nucleus "[2001:db8:b::1]:51820" --secret "$secret" \
	--vip 10.200.0.2 --vip6 fd00::2 --query 10.200.0.1 --query 10.200.0.77 --query-after 1500 \
	--seconds 40
wait_log b '^registered ' 10 || die "probe B did not register"
# C and D come once lab has two members that either could be told of.
sig_probe_start c "$ns_a" --cluster lab --nucleus 192.0.2.1:51820 --secret "wrong-$secret" \
	--vip 10.200.0.3 --seconds 40
sig_probe_start d "$ns_a" --cluster other --nucleus 192.0.2.1:51820 --secret "other-$secret" \
	--vip 10.200.0.2 --seconds 40

key_of() { sed -n 's/^self //p' "$tmp/$1.log"; }
for p in c d; do
	wait_log "$p" '^self ' 10 >/dev/null || die "probe $p did not start"
done
ka=$(key_of a); kb=$(key_of b); kc=$(key_of c); kd=$(key_of d)
[ -n "$ka" ] && [ -n "$kb" ] && [ -n "$kc" ] && [ -n "$kd" ] || die "probes did not start"

check "A registers over IPv4, observed 192.0.2.2" wait_log a "^registered 192\.0\.2\.2:[0-9]+$"
check "B registers over IPv6 only, observed [2001:db8:b::2]" \
	wait_log b "^registered \[2001:db8:b::2\]:[0-9]+$"
check "B learns A from its REGISTER_ACK, with A's candidates" \
	wait_log b "^joined $ka vip=10\.200\.0\.1 cand1=192\.0\.2\.2:[0-9]+ cand2=192\.0\.2\.2:51820"
check "A learns B from a heartbeat delta" \
	wait_log a "^joined $kb vip=10\.200\.0\.2 vip6=fd00::2 cand1=\[2001:db8:b::2\]:[0-9]+"
check "B's query for 10.200.0.1 finds A" wait_log b "^found 10\.200\.0\.1 $ka "
check "B's query for 10.200.0.77 is not found" wait_log b "^not_found 10\.200\.0\.77$"
check "punch notice to B (A's candidates)" wait_log b "^punch $ka "
check "punch notice to A (B's candidates)" wait_log a "^punch $kb vip=10\.200\.0\.2 "
check "D registers in cluster other" wait_log d "^registered 192\.0\.2\.2:"

# C sends its REGISTER again a heartbeat (1 s) after each that got no
# answer: the third drop comes 2 s after the first, time enough for any
# answer to the first to reach C, and for A and B to hear of C in a delta.
check "the nucleus drops three of C's REGISTERs (unknown_cluster)" \
	wait_for -t 20 unknown_cluster_drops 3
check "the wrong secret gets no answer" bash -c "! grep -v '^self ' '$tmp/c.log'"
check "the wrong secret is never listed" bash -c "! grep -h '$kc' '$tmp/a.log' '$tmp/b.log' '$tmp/d.log'"
check "cluster other (same VIP as B) sees nobody from lab" bash -c "
	! grep -Eq '^(joined|punch|found)' '$tmp/d.log' &&
	! grep -h '$kd' '$tmp/a.log' '$tmp/b.log'"

http /metrics >"$tmp/metrics.txt"
check "/metrics: 2 members in lab, 1 in other" bash -c "
	test '$(mval 'omni_nucleus_members{cluster="lab"}')' = 2 &&
	test '$(mval 'omni_nucleus_members{cluster="other"}')' = 1"
check "/metrics: REGISTER rx 3" test "$(mval 'omni_nucleus_messages_total{direction="rx",type="REGISTER"}')" = 3
# Each asked first to prove its key (docs/signaling.md, "Identity").
check "/metrics: CHALLENGE tx 3" test "$(mval 'omni_nucleus_messages_total{direction="tx",type="CHALLENGE"}')" = 3
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
check "/health answers 200 ok" test "$(http /health)" = "$(printf '200\nok')"

# ---- B stops: A sees it leave ----
bg_stop b
check "B stops: A sees it leave (expiry 3 s, heartbeat 1 s)" wait_log a "^left $kb$"
http /metrics >"$tmp/metrics.txt"
check "/metrics: 1 member, 1 expired" bash -c "
	test '$(mval 'omni_nucleus_members{cluster="lab"}')' = 1 &&
	test '$(mval omni_nucleus_expired_total)' = 1"

# ---- clean stop ----
check "SIGTERM stops the nucleus with status 0" bg_stop nucleus
check "the nucleus prints its counters at stop" grep -q "^stats: cluster lab members 1" "$tmp/nucleus.log"

finish

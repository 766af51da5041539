#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The seeds' command lines, as their README writes them, and what a new user
# sees when one is wrong. N, A and B straight on one bridge (cluster_lib.sh's
# dual-stack topology: 192.0.2.1, .2, .3):
#
#   +--------------+   +--------------+   +--------------+
#   | N: nucleus   |   | A: edge      |   | B: edge      |
#   | 192.0.2.1    |   | 192.0.2.2    |   | 192.0.2.3    |
#   +------+-------+   +------+-------+   +------+-------+
#          +------------ bridge (omni-ci-PID) ---+
#
# 1. `omninervous --mode nucleus --port 51820 --secret S` (no cluster list)
#    and two edges `--cluster lab --vip 10.200.0.x` (no prefix length):
#    both register, each pings the other's VIP, omni0 has 10.200.0.0/16.
#    `--mode nucleus --check` validates and exits (0, or 2 with the rule).
# 2. Against that open nucleus: A points at a wrong port, B has a wrong
#    secret. Each says within 10 s that the nucleus does not answer and
#    names the likely causes; the nucleus logs B's refusal (wrong_secret)
#    and counts it in /metrics.
# 3. A nucleus with a cluster list (--cluster lab): A asks for cluster ops.
#    A warns; the nucleus logs and counts unknown_cluster.
# 4. AllowedIPs outside Address (edge_pair: a wireguard-go peer): the edge
#    adds the route through omni0 as wg-quick would, the host pings an
#    address behind the peer through it, and the route goes with the
#    AllowedIPs on reload.
#
# Usage: seeds.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cluster_lib.sh"

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
secret=seeds-e2e-secret-$$-0123456789

cl_need_tools
need_tools wireguard-go wg
cl_init || die "identities"

# warned_within NAME SECS: NAME's no-answer warning, with its causes, came
# at most SECS after NAME started (its log's first line).
warned_within() {
	local name=$1 secs=$2 t0 t1
	t0=$3
	wait_log "$name" "WARNING: no answer from 192\.0\.2\.1:[0-9]+ for [0-9]+ s \(cluster [a-z]+\)\. Likely causes: a wrong address or port.*cluster the nucleus does not serve.*wrong secret" \
		$((secs + 5)) || return 1
	t1=$(now_ms)
	echo "warned $((t1 - t0)) ms after the start"
	[ $((t1 - t0)) -le $((secs * 1000)) ]
}

nucleus_metric() { cl_metric "omni_nucleus_drops_total{reason=\"$1\"}"; }

route_is() { ip -n "$ns_e" route show "$1" | grep -q 'dev omni0'; }

route_dropped() {
	wait_log -F edge "omninervous: route del 198.51.100.64/26 dev omni0" 10 &&
		! ip -n "$ns_e" route show 198.51.100.64/26 | grep -q .
}

# ---- 1. the seeds' command lines ----
cl_topology_dual || die "topology"
nucleus_start nucleus "$ns_n" --port 51820 --secret "$secret" --metrics "$CL_METRICS" ||
	die "the nucleus did not start"
cl_edge_start a 10.200.0.1 "" "$secret" 192.0.2.1:51820 || die "edge A"
cl_edge_start b 10.200.0.2 "" "$secret" 192.0.2.1:51820 || die "edge B"
check "A registers with the open nucleus (cluster lab)" wait_log a \
	"^omninervous: nucleus: registered with 192\.0\.2\.1:51820 as 192\.0\.2\.2:51820 \(cluster lab\)"
check "B registers (cluster lab)" wait_log b "^omninervous: nucleus: registered .*\(cluster lab\)"
check "the nucleus made cluster lab with 2 members" \
	test "$(cl_metric 'omni_nucleus_members{cluster="lab"}')" = 2
check "--vip 10.200.0.1 without a length: omni0 has 10.200.0.1/16 and the cluster's route" \
	bash -c "ip -n $ns_a -4 addr show dev omni0 | grep -q 'inet 10.200.0.1/16' &&
		 ip -n $ns_a route show 10.200.0.0/16 | grep -q 'dev omni0'"
check "ping A -> B's VIP 10.200.0.2" ping_from "$ns_a" 10.200.0.2 -W 1 -w 20
check "ping B -> A's VIP 10.200.0.1" ping_from "$ns_b" 10.200.0.1 -W 1 -w 20
# Beside the running nucleus, on its port: a start would fail to bind.
check "nucleus --check: valid, exits 0, starts nothing" bash -c \
	"out=\$(ip netns exec $ns_n timeout 10 '$omni' --mode nucleus --port 51820 --secret '$secret' --check) && echo \"\$out\" &&
	 echo \"\$out\" | grep -q '^nucleus: configuration is valid: udp port 51820, any cluster name'"
check "nucleus --check: a short secret is refused (exit 2) naming the rule" bash -c \
	"timeout 10 '$omni' --mode nucleus --secret short --check 2>&1; [ \$? = 2 ] &&
	 timeout 10 '$omni' --mode nucleus --secret short --check 2>&1 | grep -q 'too short (5 characters; at least 16)'"
echo '{ "mode": "nucleus", "nucleus": { "clusters": [ { "name": "lab" ' >"$tmp/bad.json"
check "nucleus --check: a malformed file is refused with file:line" bash -c \
	"timeout 10 '$omni' --mode nucleus --config '$tmp/bad.json' --check 2>&1 | grep -q 'bad.json:[0-9]*:' &&
	 ! timeout 10 '$omni' --mode nucleus --config '$tmp/bad.json' --check >/dev/null 2>&1"
phase_end seeds

# ---- 2. a wrong port (A) and a wrong secret (B) against the open nucleus ----
cl_topology_dual || die "topology"
nucleus_start nucleus "$ns_n" --port 51820 --secret "$secret" --metrics "$CL_METRICS" ||
	die "the nucleus did not start"
t_a=$(now_ms)
cl_edge_start a 10.200.0.1 "" "$secret" 192.0.2.1:51999 || die "edge A"
t_b=$(now_ms)
cl_edge_start b 10.200.0.2 "" "wrong-$secret" 192.0.2.1:51820 || die "edge B"
check "A (wrong port) says within 10 s of its start that the nucleus does not answer, and why" \
	warned_within a 10 "$t_a"
check "B (wrong secret) says so within 10 s of its start" warned_within b 10 "$t_b"
check "the nucleus logs B's refusal as wrong_secret" wait_log nucleus \
	"^nucleus: refused REGISTER from 192\.0\.2\.3:51820: wrong_secret: .*another secret"
check "the nucleus counts it (omni_nucleus_drops_total{reason=\"wrong_secret\"})" \
	test "$(nucleus_metric wrong_secret)" -ge 1
check "one line per source: B's retries (counted) were not logged again" bash -c \
	"[ $(nucleus_metric wrong_secret) -ge 2 ] &&
	 [ \$(grep -c 'refused REGISTER from 192.0.2.3' '$tmp/nucleus.log') = 1 ]"
check "the nucleus made no cluster" test "$(cl_metric omni_nucleus_clusters)" = 0
phase_end wrong

# ---- 3. a nucleus with a list serves only the list ----
cl_topology_dual || die "topology"
cl_nucleus_start || die "the nucleus did not start"
t0=$(now_ms)
cl_edge_start a 10.200.0.1 "" "$secret" 192.0.2.1:51820 --cluster ops || die "edge A"
check "A (cluster ops, not listed) says within 10 s that the nucleus does not answer" \
	warned_within a 10 "$t0"
check "the nucleus logs the refusal as unknown_cluster" wait_log nucleus \
	"^nucleus: refused REGISTER from 192\.0\.2\.2:51820: unknown_cluster: "
check "and counts it" test "$(nucleus_metric unknown_cluster)" -ge 1
phase_end listed

# ---- 4. AllowedIPs outside Address: a route through omni0 ----
ns_e=omni-se-$$
ns_w=omni-sw-$$
edge_pair "$ns_e" "sve$$" "$ns_w" "svw$$" "wgs$$" 10.77.0 || die "edge pair"
edge_pair_conf "AllowedIPs = 198.51.100.64/26"
edge_pair_peer || die "wireguard-go's peer"
addr "$ns_w" "wgs$$" 198.51.100.65/32 || die "an address behind the peer"
edge_start edge "$ns_e" --wg-config "$tmp/edge.conf" --underlay "sve$$" --metrics off ||
	die "the edge did not start"
check "the edge adds 198.51.100.64/26 dev omni0 (outside Address 10.77.0.1/24)" \
	wait_for -t 10 route_is 198.51.100.64/26
check "no route for 10.77.0.2/32 (Address's network has it), but one for 10.77.0.0/24" \
	bash -c "! ip -n $ns_e route show 10.77.0.2/32 | grep -q . &&
		 ip -n $ns_e route show 10.77.0.0/24 | grep -q omni0"
check "the host pings 198.51.100.65 behind wireguard-go through omni0" \
	ping_from "$ns_e" 198.51.100.65 -W 1 -w 20
edge_pair_conf
kill -HUP "$(pid_of edge)"
check "reload without that AllowedIPs: the route goes (the edge says so)" route_dropped
phase_end routes

check "no sanitizer report in any log" bash -c \
	"! grep -l -e 'ERROR: AddressSanitizer' -e 'runtime error:' '$tmp'/*.log"

finish

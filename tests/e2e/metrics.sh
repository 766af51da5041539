#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The edge's /metrics and /health scraped by a real Prometheus, and its
# DPDK telemetry commands read by dpdk-telemetry.py. The edge and a
# wireguard-go peer in two namespaces (lib.sh's edge_pair); Prometheus and
# a nucleus run in the edge's namespace, on loopback:
#
#  +--------------------------------------------+     +----------------------------+
#  | netns omni-met-a-PID                       |     | netns omni-met-b-PID       |
#  |  omni0 10.78.0.1/24 (net_tap)              |     |  wireguard-go wgmPID       |
#  |  omninervous, udp 51820                    |     |    10.78.0.2/24, udp 51821 |
#  |    metrics 127.0.0.1:9586 <--+             |     |                            |
#  |  omninervous --mode nucleus  | scrape 1s   |     |                            |
#  |    udp 51999, metrics 9587 <-+             |     |                            |
#  |  prometheus 127.0.0.1:9590 --+             |     |                            |
#  |  vmaPID 192.0.2.1/24 (net_af_xdp) --------------- vmbPID 192.0.2.2/24         |
#  +--------------------------------------------+     +----------------------------+
#
# Checks: the series read back through Prometheus's HTTP API after a ping
# (omni_handshakes_completed_total >= 1, omni_packets_rx_total, per-peer
# bytes labelled by the peer's public key, port and lcore counters, drops by
# reason, the handshake load counters at 0 with no flood (flood_edge.sh
# sees them move), XDP counters and the underlay's driver line, the target up; the
# nucleus scraped too: its members and messages by type); `promtool check
# metrics` on both expositions;
# /health 200, then 503 naming the underlay when it goes down, 200 again
# when it is back; /omni/stats, /omni/peers, /omni/lcores, /omni/drops over
# telemetry.
#
# Usage: metrics.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
asan_no_leaks

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
ns_a=omni-met-a-$$
ns_b=omni-met-b-$$
wgif=wgm$$
veth_a=vma$$
veth_b=vmb$$
prom_port=9590

start_prometheus() {
	cat >"$tmp/prometheus.yml" <<-EOF
	global:
	  scrape_interval: 1s
	  scrape_timeout: 1s
	scrape_configs:
	  - job_name: omninervous
	    static_configs:
	      - targets: ['127.0.0.1:9586']
	  - job_name: nucleus
	    static_configs:
	      - targets: ['127.0.0.1:9587']
	EOF
	bg_start prometheus "$ns_a" prometheus --config.file="$tmp/prometheus.yml" \
		--storage.tsdb.path="$tmp/tsdb" --web.listen-address="127.0.0.1:$prom_port"
	wait_for -t 20 prom_ready >/dev/null || die "prometheus did not become ready"
}

prom_ready() { http_get "$ns_a" "http://127.0.0.1:$prom_port/-/ready" 2>/dev/null | head -1 | grep -q 200; }

# Instant query through Prometheus's HTTP API; prints "labels value" lines.
prom_query() {
	ip netns exec "$ns_a" python3 - "http://127.0.0.1:$prom_port" "$1" <<'PY'
import json, sys, urllib.parse, urllib.request
url = sys.argv[1] + "/api/v1/query?" + urllib.parse.urlencode({"query": sys.argv[2]})
data = json.load(urllib.request.urlopen(url, timeout=5))
assert data["status"] == "success", data
for r in data["data"]["result"]:
    labels = ",".join(f'{k}="{v}"' for k, v in sorted(r["metric"].items()) if k not in ("job", "instance"))
    print(labels, r["value"][1])
PY
}

# prom_passes QUERY TEST: the query returns a series whose value passes
# the awk test TEST (e.g. '>= 1'); the answer in $prom_out.
prom_passes() {
	prom_out=$(prom_query "$1" 2>&1)
	awk "{ if (\$NF $2) ok = 1 } END { exit !ok }" <<<"$prom_out"
}

# Wait (up to 20 s) until the query passes (prom_passes).
prom_wait() {
	if wait_for -t 20 prom_passes "$1" "$2" >/dev/null; then
		echo "$1: $prom_out"
		return 0
	fi
	echo "$1: never $2; last answer: $prom_out"
	return 1
}

promtool_ok() { # [PORT]
	http_get "$ns_a" "http://127.0.0.1:${1:-9586}/metrics" >"$tmp/metrics.txt" || return 1
	head -1 "$tmp/metrics.txt" | grep -q 200 || return 1
	tail -n +2 "$tmp/metrics.txt" >"$tmp/exposition.txt"
	wc -l <"$tmp/exposition.txt"
	promtool check metrics <"$tmp/exposition.txt"
}

health_is() { # STATUS [PATTERN]
	local out
	out=$(http_get "$ns_a" http://127.0.0.1:9586/health)
	echo "$out"
	[ "$(head -1 <<<"$out")" = "$1" ] || return 1
	[ -z "${2:-}" ] || grep -q -- "$2" <<<"$out"
}

health_wait() {
	wait_for -t 6 health_is "$@" >/dev/null
	health_is "$@"
}

telemetry() { # COMMAND PATTERN...
	local out cmd=$1
	shift
	out=$(echo "$cmd" | dpdk-telemetry.py -f "omni$pid_edge" 2>&1)
	echo "$out"
	for pat; do
		grep -Eq -- "$pat" <<<"$out" || { echo "missing: $pat"; return 1; }
	done
}

need_root
need_tools wireguard-go wg ip ping python3 prometheus promtool
need_built "$omni"
e2e_tmp metrics
edge_pair "$ns_a" "$veth_a" "$ns_b" "$veth_b" "$wgif" 10.78.0 || die "topology"
edge_pair_peer || die "wg set"
edge_start edge "$ns_a" --underlay "$veth_a" --wg-config "$tmp/edge.conf" --host-port tap \
	--metrics 127.0.0.1:9586 || die "the edge did not start"
# A nucleus beside the edge (its own UDP port; metrics on 9587).
nucleus_start nucleus "$ns_a" --port 51999 --cluster lab --secret "metrics-test-secret-0123" \
	--metrics 127.0.0.1:9587 || die "the nucleus did not start"
start_prometheus
check "ping through the tunnel" ping_from "$ns_a" 10.78.0.2 -c 5 -i 0.2
key=$(cat "$tmp/wg.pub")
check "prometheus: target up" prom_wait 'up{job="omninervous"}' '== 1'
check "prometheus: handshakes completed" prom_wait omni_handshakes_completed_total '>= 1'
check "prometheus: packets received" prom_wait omni_packets_rx_total '>= 5'
check "prometheus: sessions active" prom_wait omni_sessions_active '== 1'
check "prometheus: peer rx bytes by public key" \
	prom_wait "omni_peer_rx_bytes_total{public_key=\"$key\"}" '> 0'
check "prometheus: peer tx bytes by public key" \
	prom_wait "omni_peer_tx_bytes_total{public_key=\"$key\"}" '> 0'
check "prometheus: peer last handshake is recent" \
	prom_wait "time() - omni_peer_last_handshake_seconds{public_key=\"$key\"}" '< 60'
check "prometheus: underlay port packets" \
	prom_wait 'omni_port_rx_packets_total{port="underlay"}' '> 0'
check "prometheus: lcore packets" prom_wait 'omni_lcore_rx_packets_total{lcore="0"}' '>= 5'
check "prometheus: drops by reason" prom_wait 'count(omni_drops_total)' '>= 18'
check "prometheus: rate limit counter" prom_wait omni_sessions_dropped_ratelimit_total '== 0'
check "prometheus: no flood, no handshake load: cookie replies limited" \
	prom_wait omni_handshake_cookies_limited_total '== 0'
check "prometheus: no flood, no handshake load: times under load" \
	prom_wait omni_handshake_under_load_total '== 0'
check "prometheus: XDP packets passed to the edge" prom_wait omni_xdp_redirected_total '> 0'
check "prometheus: XDP drops by reason" prom_wait 'count(omni_xdp_drops_total)' '>= 7'
check "prometheus: the underlay's driver line" \
	prom_wait 'count(omni_underlay_info{driver="af_xdp",why=~"native XDP.*"})' '== 1'
check "prometheus: nucleus target up" prom_wait 'up{job="nucleus"}' '== 1'
check "prometheus: nucleus members of cluster lab" \
	prom_wait 'omni_nucleus_members{cluster="lab"}' '== 0'
check "prometheus: nucleus messages by type" \
	prom_wait 'count(omni_nucleus_messages_total)' '>= 8'
check "promtool check metrics" promtool_ok
check "promtool check metrics (nucleus)" promtool_ok 9587
check "health: 200 with ports up" health_is 200 ok
ip -n "$ns_a" link set "$veth_a" down
check "health: 503 with the underlay down" health_wait 503 "underlay interface $veth_a"
ip -n "$ns_a" link set "$veth_a" up
check "health: 200 again" health_wait 200 ok
check "telemetry: /omni/stats" telemetry /omni/stats '"packets_rx_total": [1-9]' \
	'"handshakes_completed_total": [1-9]'
check "telemetry: /omni/peers" telemetry /omni/peers "\"public_key\": \"$(ere "$key")\"" '"endpoint": "192.0.2.2:51821"'
check "telemetry: /omni/lcores" telemetry /omni/lcores '"lcore0": \{"rx_packets": [1-9]'
check "telemetry: /omni/drops" telemetry /omni/drops '"not_ours": [0-9]+' '"ratelimit": 0'
check "telemetry: /omni/ports" telemetry /omni/ports '"underlay": \{"name": "'"$veth_a"'"'
check "stop" edge_stop edge
finish

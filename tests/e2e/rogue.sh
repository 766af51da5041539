#!/bin/bash
# SPDX-License-Identifier: MIT
#
# A rogue member: it holds the cluster secret, so it can register any key,
# VIP and candidates with the real nucleus (sig-probe does, as a member
# would). The edge must install none of its lies (signaling/admit.h):
#   (a) VIP 198.51.100.7, outside the cluster prefix 10.200.0.0/16
#   (b) VIP 10.200.50.7, inside the site 10.200.50.0/24 that a configured
#       peer (wireguard-go) owns
#   (c) the configured peer's own public key: the nucleus asks for proof
#       of its private key (docs/signaling.md, "Identity"): refused
#   (f) another member's HEARTBEAT and LEAVE: refused by the nucleus
#   (d) the VIP of another live member: the nucleus refuses it
#   (e) candidates 127.0.0.1 and 224.0.0.1: dropped, the member is
#       installed at the address the nucleus saw
# After each, the configured peer's tunnel still works (ping through
# wireguard-go), the refusal is counted (stats: sig_refused_*, /metrics
# omni_cluster_refused_total) and logged, and the peer table holds what it
# held. Then a reload keeps the members learned from the cluster.
#
#  +------------------------------------------+     +---------------------------------+
#  | netns omni-rga-PID                       |     | netns omni-rgb-PID              |
#  |  omni0 10.200.0.1/16                     |     |  wgrgPID 10.200.50.1/24         |
#  |  omninervous --vip 10.200.0.1/16         |     |    wireguard-go, udp 51821      |
#  |    udp 51820, metrics 127.0.0.1:9591     |     |    (configured: 10.200.50.0/24) |
#  |    configured peer: wireguard-go         |     |  nucleus udp 51900,             |
#  |                                          |     |    metrics 127.0.0.1:9592       |
#  |                                          |     |  sig-probe good 10.200.0.20     |
#  |                                          |     |  sig-probe rogue (a)..(e)       |
#  |  vrgaPID 192.0.2.1/24 (net_af_xdp) --------------- vrgbPID 192.0.2.2/24          |
#  +------------------------------------------+     +---------------------------------+
#
# Usage: rogue.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
asan_no_leaks

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
probe=$build/tools/sig-probe/sig-probe
ns_a=omni-rga-$$
ns_b=omni-rgb-$$
wgif=wgrg$$
veth_a=vrga$$
veth_b=vrgb$$
secret="e2e-rogue-secret-$$"
edge_metrics=127.0.0.1:9591
nuc_metrics=127.0.0.1:9592

# The edge's learned members arrive with its heartbeats: 1 s here.
export OMNI_TEST_HEARTBEAT_MS=1000

# probe NAME ARGS...: a member in ns_b, as long as the test needs it.
probe() {
	local name=$1
	shift
	bg_start "$name" "$ns_b" "$probe" --nucleus 192.0.2.2:51900 --cluster lab \
		--secret "$secret" --heartbeat-ms 1000 --seconds 300 "$@"
	wait_log "$name" '^self ' 10 >/dev/null || return 1
}

# The base64 key (as the edge logs it) of probe NAME.
probe_key() {
	python3 -c 'import base64, sys; print(base64.b64encode(bytes.fromhex(sys.argv[1])).decode())' \
		"$(awk '$1 == "self" { print $2; exit }' "$tmp/$1.log")"
}

# The first 16 hex digits of probe NAME's key (as the nucleus logs it).
probe_hex() { awk '$1 == "self" { print substr($2, 1, 16); exit }' "$tmp/$1.log"; }

edge_metric() {
	http_get "$ns_a" "http://$edge_metrics/metrics" | awk -v k="$1" '$1 == k { v = $2 } END { print v + 0 }'
}
nuc_metric() {
	http_get "$ns_b" "http://$nuc_metrics/metrics" | awk -v k="$1" '$1 == k { v = $2 } END { print v + 0 }'
}
refused_metric() { edge_metric "omni_cluster_refused_total{reason=\"$1\"}"; }

# The peers the edge runs: the count, and whether KEY is one of them.
n_peers() { edge_metric omni_peers; }
has_peer() {
	http_get "$ns_a" "http://$edge_metrics/metrics" |
		grep -qF "omni_peer_handshakes_total{public_key=\"$1\"}"
}
lacks_peer() { ! has_peer "$1"; }
peers_are() {
	local n
	n=$(n_peers)
	echo "the edge runs $n peers (want $1)"
	[ "$n" = "$1" ]
}

tunnel_works() { ping_from "$ns_a" 10.200.50.1; }

# refused_once RULE LINE-ERE: the edge logged the refusal and counted it in
# both stats and /metrics (the proof that the event reached the edge).
refused_once() {
	wait_log edge "$2 refused \\($1\\)" 20 || return 1
	wait_stat edge "sig_refused_$1" -ge "${3:-1}" || return 1
	[ "$(refused_metric "$1")" -ge "${3:-1}" ] ||
		{ echo "/metrics: omni_cluster_refused_total{reason=\"$1\"} is $(refused_metric "$1")"; return 1; }
	echo "refused ($1): stats $(stat_of edge "sig_refused_$1"), /metrics $(refused_metric "$1")"
}

need_root
need_tools wireguard-go wg ip ping python3
need_built "$omni" "$probe"
e2e_tmp rogue

# ---- the world: a configured peer owning a site inside the cluster prefix ----
wg_keys edge wg
two_ns "$ns_a" "$veth_a" "$ns_b" "$veth_b" || die "topology"
wg_go_start "$ns_b" "$wgif" "$tmp/wg.key" 51821 10.200.50.1/24 || die "wireguard-go"
wg_go_peer "$ns_b" "$wgif" "$tmp/edge.pub" allowed-ips 10.200.0.1/32 \
	endpoint 192.0.2.1:51820 || die "wg set"
ip -n "$ns_b" route add 10.200.0.1/32 dev "$wgif" || die "the route back to the edge"
{
	conf_interface "$tmp/edge.key" 51820 "10.200.0.1/16" "MTU = 1420"
	conf_peer "$tmp/wg.pub" 192.0.2.2:51821 10.200.50.0/24
} >"$tmp/edge.conf"
chmod 600 "$tmp/edge.conf"
nucleus_start nucleus "$ns_b" --port 51900 --cluster lab --secret "$secret" \
	--metrics "$nuc_metrics" || die "the nucleus did not start"
edge_start edge "$ns_a" --underlay "$veth_a" --wg-config "$tmp/edge.conf" --host-port tap \
	--nucleus 192.0.2.2:51900 --cluster lab --vip 10.200.0.1/16 --secret "$secret" \
	--metrics "$edge_metrics" || die "the edge did not start"
wait_log edge 'nucleus: registered with' 20 || die "the edge did not register"
check "start: the configured peer's tunnel works" tunnel_works

# A member that tells the truth: installed (and kept by the reload at the end).
probe good --vip 10.200.0.20 || die "probe good"
good=$(probe_key good)
check "an honest member is installed" wait_log -F edge "peer $good at 192.0.2.2:" 20
check "the edge runs the configured peer and the member" wait_for peers_are 2

# ---- (a) outside the cluster prefix ----
probe rogue_a --vip 198.51.100.7 || die "probe a"
check "(a) VIP 198.51.100.7 outside 10.200.0.0/16: refused, counted, logged" \
	refused_once outside_prefix "peer $(ere "$(probe_key rogue_a)") vip 198\\.51\\.100\\.7 vip6 -"
check "(a) nothing installed" peers_are 2
check "(a) the configured peer's tunnel works" tunnel_works
bg_stop rogue_a

# ---- (b) inside the configured peer's site ----
probe rogue_b --vip 10.200.50.7 || die "probe b"
check "(b) VIP 10.200.50.7 inside the configured 10.200.50.0/24: refused" \
	refused_once static_overlap "peer $(ere "$(probe_key rogue_b)") vip 10\\.200\\.50\\.7 vip6 -"
check "(b) nothing installed" peers_are 2
check "(b) the configured peer's tunnel works" tunnel_works
bg_stop rogue_b

# ---- (c) the configured peer's key: the nucleus wants its private key ----
# (The edge's own rule for it, static_key, stays behind this one: the
# signaling_admit unit test has it.)
wgkey=$(cat "$tmp/wg.pub")
bad_id() { nuc_metric 'omni_nucleus_drops_total{reason="bad_identity"}'; }
no_id() { nuc_metric 'omni_nucleus_drops_total{reason="no_identity"}'; }
bad_id0=$(bad_id)
probe rogue_c --pubkey "$wgkey" --vip 10.200.0.40 || die "probe c"
over() { [ "$($1)" -ge "$2" ]; }
check "(c) registering the configured peer's key without its private key: refused (bad_identity)" \
	wait_for -t 20 over bad_id $((bad_id0 + 1))
check "(c) the rogue is never registered" bash -c "! grep -q '^registered' '$tmp/rogue_c.log'"
check "(c) the configured peer is still there" has_peer "$wgkey"
check "(c) nothing installed, nothing removed" peers_are 2
check "(c) the configured peer's tunnel works (endpoint and PSK its own)" tunnel_works
bg_stop rogue_c


# ---- (d) another live member's VIP ----
taken0=$(nuc_metric 'omni_nucleus_drops_total{reason="vip_taken"}')
probe rogue_d --vip 10.200.0.20 || die "probe d"
nuc_taken() { [ "$(nuc_metric 'omni_nucleus_drops_total{reason="vip_taken"}')" -gt "$taken0" ]; }
check "(d) the nucleus refuses 10.200.0.20 to another key, counted" wait_for -t 20 nuc_taken
d_line="^nucleus: refused REGISTER from 192\.0\.2\.2:[0-9]+: vip_taken: .*: cluster lab: "
d_line+="key $(probe_hex rogue_d)\.\.\. vip 10\.200\.0\.20 vip6 - "
d_line+="is held by live member $(probe_hex good)\.\.\."
check "(d) and logs it as every refusal, with the VIP, the cluster and both keys" \
	wait_log nucleus "$d_line" 20
# The rogue retries its REGISTER (2 s, then 4 s): refused again, counted,
# not logged again within the minute (one line per source, as every refusal).
nuc_taken_twice() { [ "$(nuc_metric 'omni_nucleus_drops_total{reason="vip_taken"}')" -ge $((taken0 + 2)) ]; }
check "(d) its retry: refused and counted again" wait_for -t 20 nuc_taken_twice
check "(d) but not logged again: one line, counted in omni_nucleus_refusals_unlogged_total" \
	bash -c "[ \$(grep -c ': vip_taken: ' '$tmp/nucleus.log') = 1 ] &&
		 [ $(nuc_metric omni_nucleus_refusals_unlogged_total) -ge 1 ]"
check "(d) the rogue never registered" bash -c "! grep -q '^registered' '$tmp/rogue_d.log'"
check "(d) the honest member keeps its VIP at the edge" has_peer "$good"
check "(d) nothing installed" peers_are 2
check "(d) the configured peer's tunnel works" tunnel_works
bg_stop rogue_d

# ---- (e) candidates nobody can be reached at ----
probe rogue_e --vip 10.200.0.30 --local 127.0.0.1:51820 --local 224.0.0.1:51820 || die "probe e"
e=$(probe_key rogue_e)
check "(e) both bad candidates dropped, logged" \
	wait_log -F edge "peer $e: 2 candidate(s) dropped (bad_candidate)" 20
check "(e) counted" wait_stat edge sig_refused_bad_candidate -ge 2
check "(e) /metrics counts them" test "$(refused_metric bad_candidate)" -ge 2
check "(e) the member is installed at the address the nucleus saw" \
	wait_log -F edge "peer $e at 192.0.2.2:" 20
check "(e) the configured peer's tunnel works" tunnel_works

# ---- a reload keeps what the cluster taught ----
check "the reload changes nothing" grep -q "0 added, 0 changed, 0 removed" <(edge_hup edge)
check "after the reload, the honest member is still installed" has_peer "$good"
check "after the reload, member (e) is still installed" has_peer "$e"
check "after the reload, 3 peers" peers_are 3
check "after the reload, the configured peer's tunnel works" tunnel_works

# ---- a configured peer added later takes its addresses back ----
wg_keys site2
conf_peer "$tmp/site2.pub" "" 10.200.0.30/32 >>"$tmp/edge.conf"
check "a reload with a configured peer for 10.200.0.30 adds it" \
	grep -q "1 added, 0 changed, 0 removed" <(edge_hup edge)
check "member (e), whose VIP that is, is removed, logged" \
	wait_log -F edge "peer $e removed (static_overlap)" 10
check "member (e) is gone" lacks_peer "$e"
check "the configured peers and the honest member remain" peers_are 3

# ---- (f) another member's HEARTBEAT and LEAVE, from the rogue's socket ----
# Before identity-bound membership the HEARTBEAT moved the honest member to
# the rogue's address and the LEAVE from there removed it at every edge.
bad_id0=$(bad_id)
no_id0=$(no_id)
probe rogue_f --vip 10.200.0.60 --forge-as "$good" || die "probe f"
check "(f) the rogue, a member itself, sent them" wait_log rogue_f '^forged' 20
check "(f) refused without the identity trailer (no_identity)" \
	wait_for -t 20 over no_id $((no_id0 + 2))
check "(f) refused with a trailer under another key (bad_identity)" \
	wait_for -t 20 over bad_id $((bad_id0 + 2))
# The proof that a change would have reached the edge: two more of its
# heartbeats answered after the nucleus refused them.
hb_acks() { edge_metric 'omni_signaling_messages_total{type="HEARTBEAT_ACK",dir="rx"}'; }
check "(f) the edge heard the nucleus twice since" wait_for -t 20 over hb_acks $(($(hb_acks) + 2))
check "(f) the honest member was neither moved nor removed" bash -c "
	! grep -E 'nucleus: peer (moved|left) $(ere "$good")' '$tmp/edge.log'"
check "(f) the honest member is still installed" has_peer "$good"
bg_stop rogue_f

check "SIGTERM stops the edge" edge_stop edge
finish

#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Rotating the cluster secret with no restart (docs/signaling.md,
# "Rotating the cluster secret"), while a ping runs between two DPDK edges
# (every 0.2 s). The real nucleus reads its cluster from a JSON file
# (nucleus.clusters[].secret_file, nucleus.secret_window 20 s). Checked:
#   - the new secret written to the nucleus's file and SIGHUP: the nucleus
#     says it has a new secret and keeps the old one for 20 s;
#   - edge A's --secret-file rewritten and SIGHUP: A registers again
#     under the new secret, without a restart;
#   - in the window, members still on the old secret are answered: a
#     sig-probe started now with the old secret registers and hears of A
#     (who speaks the new one); edge B, still on the old secret, keeps
#     its registration, then moves over by SIGHUP too;
#   - not one echo of the ping lost through all of it;
#   - after the window the old secret is refused: the probe that was
#     answered before is counted unknown_cluster and loses the nucleus;
#   - B killed and started again with the new secret: its first handshake
#     with A works (the cluster's preshared key is the new secret's on
#     both sides);
#   - an open nucleus (no cluster list, security.secret_file) rotates the
#     same way: a probe on the old secret is answered in the window (6 s)
#     and hears of one on the new, then is refused (wrong_secret).
#
#   +--------- netns omni-ci-PID: bridge cbPID ---------+
#   |              |                |
#   N: nucleus     A: edge          B: edge
#   192.0.2.1      192.0.2.2        192.0.2.3
#   udp 51820      10.200.0.1/24    10.200.0.2/24
#   sig-probe p1, p2 (old secret)
#
# Usage: nucleus_rotate.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cluster_lib.sh"

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
probe=$build/tools/sig-probe/sig-probe
secret=rotate-e2e-secret-old-$$-0123
new_secret=rotate-e2e-secret-new-$$-4567
window_s=20
heartbeat_ms=2000
export OMNI_TEST_HEARTBEAT_MS=$heartbeat_ms

need_root
need_tools ping ip nft python3
need_built "$omni" "$probe"
cl_init || die "identities"
cl_topology_dual || die "topology"
nucleus=192.0.2.1:51820

for m in p1 p2; do
	"$omni" --init --key "$tmp/$m.key" >/dev/null 2>&1 || die "key $m"
done
rot_b64hex() { python3 -c 'import base64, sys; print(base64.b64decode(sys.argv[1]).hex())' "$1"; }
hex_a=$(rot_b64hex "$(cl_pub a)")

lab_secret=$(cl_secret_file lab "$secret")
(umask 077 && printf '{ "mode": "nucleus", "nucleus": { "secret_window": %s, %s } }\n' \
	"$window_s" "\"clusters\": [ { \"name\": \"lab\", \"secret_file\": \"$lab_secret\" } ]" \
	>"$tmp/nucleus.json")
nucleus_start nucleus "$ns_n" --port 51820 --config "$tmp/nucleus.json" \
	--metrics "$CL_METRICS" || die "the nucleus did not start"
cl_edge_start a 10.200.0.1/24 "" "$secret" "$nucleus" || die "edge A"
cl_edge_start b 10.200.0.2/24 "" "$secret" "$nucleus" || die "edge B"
check "A registers" wait_log a 'nucleus: registered with' 20
check "B registers" wait_log b 'nucleus: registered with' 20
check "A reaches B" ping_from "$ns_a" 10.200.0.2

rot_probe() { # NAME VIP
	bg_start "$1" "$ns_n" "$probe" --nucleus "$nucleus" --cluster lab --secret "$secret" \
		--heartbeat-ms 1000 --seconds 120 --vip "$2" --private-key "$(cat "$tmp/$1.key")"
}
rot_probe p1 10.200.0.11
check "p1 registers with the old secret" wait_log p1 '^registered ' 10

bg_start pinger "$ns_a" ping -i 0.2 -W 1 10.200.0.2
check "the ping runs" wait_log pinger 'icmp_seq=5 ' 10

rot_count() { grep -c "$2" "$tmp/$1.log"; }
rot_more() { [ "$(rot_count "$1" "$2")" -gt "$3" ]; }

# ---- the nucleus: new secret file, SIGHUP ----
printf '%s\n' "$new_secret" >"$lab_secret"
kill -HUP "$(pid_of nucleus)"
rotated=$(now_ms)
check "the nucleus takes the new secret and keeps the old for ${window_s} s" wait_log nucleus \
	"^nucleus: reload: cluster lab has a new secret; the old one is accepted for $window_s s" 5

# ---- edge A: new secret file, SIGHUP ----
ra=$(rot_count a 'nucleus: registered with')
cl_secret_file a "$new_secret" >/dev/null
kill -HUP "$(pid_of a)"
check "A's reload switches its secret" wait_log a \
	'^omninervous: reload: .*new cluster secret: registered again' 5
check "A registers again under the new secret" \
	wait_for -t 5 rot_more a 'nucleus: registered with' "$ra"

# ---- in the window, the old secret is answered ----
rot_probe p2 10.200.0.12
check "p2, with the old secret, registers in the window" wait_log p2 '^registered ' 10
check "p2 hears of A, who speaks the new secret" wait_log p2 "^(joined|punch) $hex_a" 10
rot_members() { [ "$(cl_metric 'omni_nucleus_members{cluster="lab"}')" = "$1" ]; }
check "the nucleus has A, B, p1 and p2" wait_for -t 5 rot_members 4
rot_hb() { cl_metric 'omni_nucleus_messages_total{direction="rx",type="HEARTBEAT"}'; }
rot_more_hb() { [ "$(rot_hb)" -ge "$1" ]; }
check "heartbeats go on being answered" wait_for -t 5 rot_more_hb $(($(rot_hb) + 4))
rb=$(rot_count b 'nucleus: registered with')
cl_secret_file b "$new_secret" >/dev/null
kill -HUP "$(pid_of b)"
check "B registers again under the new secret" \
	wait_for -t 5 rot_more b 'nucleus: registered with' "$rb"
check "p1 was never refused in the window" bash -c "! grep -q '^lost' '$tmp/p1.log'"
left=$((rotated + window_s * 1000 - $(now_ms)))
echo "    B moved over; the window has $left ms left"
[ "$left" -gt 0 ] || fail "the steps took longer than the window: make window_s longer"

# ---- after the window, the old secret is refused ----
rot_unknown() { cl_metric 'omni_nucleus_drops_total{reason="unknown_cluster"}'; }
rot_refused() { [ "$(rot_unknown)" -ge "$1" ]; }
check "after the window p1's and p2's messages are refused (unknown_cluster)" \
	wait_for -t $((left / 1000 + 10)) rot_refused $(($(rot_unknown) + 2))
check "and p1 loses the nucleus" wait_log p1 '^lost' 15
check "A and B, on the new secret, still reach each other" ping_from "$ns_b" 10.200.0.1
bg_stop pinger INT
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$tmp/pinger.log")
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$tmp/pinger.log")
echo "    ping: $sent sent, $got received (every 0.2 s across the rotation)"
check "not one echo lost across the rotation" test "${sent:-0}" -ge 50 -a "${got:-0}" = "${sent:-x}"

# ---- a new handshake under the new secret's preshared key ----
# B killed (no LEAVE) and started again with the new secret only: its
# first handshake with A needs A to answer with the new secret's
# preshared key (A's entry for B was switched in place at A's reload, and
# is set again by the punch of B's query).
pid=$(pid_of b)
kill -KILL "$pid"
wait "$pid" 2>/dev/null
forget_pid "$pid"
edge_start b2 "$ns_b" --host-port tap --key "$tmp/b.key" --underlay "$(cl_if b)" \
	--nucleus "$nucleus" --cluster lab --vip 10.200.0.2/24 --secret-file "$tmp/b.secret" \
	--metrics off || die "edge B again"
check "B, started again, registers" wait_log b2 'nucleus: registered with' 20
check "B reaches A: a new handshake under the new secret's preshared key" \
	ping_from "$ns_b" 10.200.0.1

for e in a b2; do
	check "edge $e stops" edge_stop "$e"
done
check "SIGTERM stops the nucleus" bg_stop nucleus

# ---- the open nucleus (no cluster list: any name with one secret) ----
open_secret=$(cl_secret_file open "$secret")
(umask 077 && printf '{ "mode": "nucleus", "nucleus": { "secret_window": 6 }, %s }\n' \
	"\"security\": { \"secret_file\": \"$open_secret\" }" >"$tmp/open.json")
nucleus_start open "$ns_n" --port 51900 --config "$tmp/open.json" ||
	die "the open nucleus did not start"
bg_start o1 "$ns_n" "$probe" --nucleus 127.0.0.1:51900 --cluster any-name --secret "$secret" \
	--heartbeat-ms 1000 --seconds 60 --vip 10.200.0.21 --private-key "$(cat "$tmp/p1.key")"
check "o1 registers with the old secret" wait_log o1 '^registered ' 10
printf '%s\n' "$new_secret" >"$open_secret"
kill -HUP "$(pid_of open)"
check "the open nucleus takes the new secret, the old for 6 s" wait_log open \
	'^nucleus: reload: a new secret for any cluster name; the old one is accepted for 6 s' 5
bg_start o2 "$ns_n" "$probe" --nucleus 127.0.0.1:51900 --cluster any-name \
	--secret "$new_secret" --heartbeat-ms 1000 --seconds 60 --vip 10.200.0.22 \
	--private-key "$(cat "$tmp/p2.key")"
check "o2 registers with the new secret" wait_log o2 '^registered ' 10
check "o1, on the old, hears of o2 in the window" wait_log o1 '^(joined|punch) ' 10
check "after the window o1 is refused (wrong_secret) and loses the nucleus" \
	wait_log o1 '^lost' 20
check "the open nucleus logged the refusal" wait_log open 'wrong_secret' 5
finish

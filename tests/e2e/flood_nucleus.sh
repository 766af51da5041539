#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The real nucleus under floods from spoofed sources (tools/flood, a raw
# socket in the flood namespace; sources in 198.18.0.0/15, RFC 2544's
# benchmarking range, which never leaves these namespaces):
#  1. without the secret: REGISTERs with cluster lab's id (anyone on the
#     path sees it) and a wrong HMAC, from 131,072 sources, more than the
#     65,536 the per-source rate limiter holds (its default size);
#  2. with cluster lab's secret: valid HEARTBEATs, each with its own
#     nonce, enough to fill lab's nonce cache (4,096 of them here:
#     OMNI_TEST_NUCLEUS_REPLAY=8192 shared by the two clusters).
# During each, a real member (flood ask: REGISTERs of fresh keys from a
# UDP socket, one at a time) is answered: of lab in 1, of cluster other
# in 2, every one of its 100. Proof each flood arrived: the nucleus's
# bad_mac and replay_full counters. Figures (pps sent, answered) are
# printed.
#
#  +------------------------------+     +-------------------------------+
#  | netns omni-fl-PID            |     | netns omni-fn-PID             |
#  |  flood (raw, spoofed src)    |     |  omninervous --mode nucleus   |
#  |  flood ask (real member)     |     |    udp 51820, clusters lab,   |
#  |  fl-PID 192.0.2.2/24 --------------- fn-PID 192.0.2.1/24 other     |
#  +------------------------------+     |    metrics 127.0.0.1:9586     |
#                                       +-------------------------------+
#
# Usage: flood_nucleus.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
flood=$build/tools/flood/flood
ns_n=omni-fn-$$
ns_f=omni-fl-$$
# Spoofed REGISTERs per second without the secret: each of the 131,072
# sources again within a second, so a limiter keyed before the HMAC would
# hold 65,536 live ones, all its slots, for as long as the flood goes on.
BAD_RATE=${FLOOD_BAD_RATE:-150000}
VALID_RATE=${FLOOD_VALID_RATE:-4000}

need_root
need_tools python3
need_built "$omni" "$flood"
e2e_tmp flood_nucleus

make_ns "$ns_n" "$ns_f"
veth "$ns_n" fn$$ "$ns_f" fl$$ || die "veth"
addr "$ns_n" fn$$ 192.0.2.1/24
addr "$ns_f" fl$$ 192.0.2.2/24
# Spoofed sources have no route back: reverse-path filtering would drop them.
for c in all default fn$$; do
	ip netns exec "$ns_n" sysctl -qw "net.ipv4.conf.$c.rp_filter=0"
done

(umask 077 && echo "flood-lab-secret-$$-0123" >"$tmp/lab.secret" &&
	echo "flood-other-secret-$$-4567" >"$tmp/other.secret") || die "secrets"
cat >"$tmp/clusters.json" <<JSON
{ "mode": "nucleus", "nucleus": { "clusters": [
  { "name": "lab", "secret": "$(cat "$tmp/lab.secret")" },
  { "name": "other", "secret": "$(cat "$tmp/other.secret")" } ] } }
JSON
chmod 600 "$tmp/clusters.json"

OMNI_TEST_NUCLEUS_REPLAY=8192 nucleus_start nucleus "$ns_n" --port 51820 \
	--config "$tmp/clusters.json" --metrics 127.0.0.1:9586 || die "nucleus did not start"

# metric KEY: its value in a fresh read of /metrics.
metric() {
	http_get "$ns_n" http://127.0.0.1:9586/metrics | awk -v k="$1" '$1 == k { print $2 }'
}
drops() { metric "omni_nucleus_drops_total{reason=\"$1\"}"; }

# ask NAME CLUSTER COUNT INTERVAL_MS FIRST: a real member's REGISTERs of
# members FIRST.. (each run its own VIPs: a live member's VIP is refused to
# another key), answered or not; "answered A of N" in $tmp/NAME.log.
ask() {
	ip netns exec "$ns_f" "$flood" ask --to 192.0.2.1:51820 --cluster "$2" \
		--secret-file "$tmp/$2.secret" --count "$3" --interval-ms "$4" --first "$5" \
		>"$tmp/$1.log" 2>&1
	cat "$tmp/$1.log"
}
answered() { sed -n 's/^answered \([0-9]*\) of .*/\1/p' "$tmp/$1.log"; }

# The probe works: without a flood every REGISTER is answered.
ask quiet lab 10 200 0 >/dev/null
check "no flood: 10 of 10 of a member's REGISTERs answered" \
	bash -c "cat '$tmp/quiet.log'; test \"$(answered quiet)\" = 10"

# ---- 1: spoofed sources, no secret ----
bg_start flood_bad "$ns_f" "$flood" sig --to 192.0.2.1:51820 --cluster lab \
	--secret-file "$tmp/lab.secret" --rate "$BAD_RATE" --seconds 28
bad_flood_on() { [ "$(drops bad_mac)" -ge 200000 ]; }
check "the spoofed flood reaches the nucleus (200,000 bad_mac drops)" wait_for -t 10 bad_flood_on
# More than a second apart, as an edge retries: each REGISTER comes from a
# source the limiter no longer holds.
ask during_bad lab 20 1100 100 >/dev/null
bg_wait flood_bad 30
cat "$tmp/flood_bad.log"
check "spoofed flood without the secret: a member's REGISTERs answered (18 of 20 or more)" \
	bash -c "cat '$tmp/during_bad.log'; test \"$(answered during_bad)\" -ge 18"
check "the spoofed flood was dropped as bad_mac, none as ratelimit" \
	bash -c "echo bad_mac $(drops bad_mac) ratelimit $(drops ratelimit);
		test $(drops ratelimit) = 0"

# ---- 2: cluster lab floods valid messages; other's members answered ----
bg_start flood_valid "$ns_f" "$flood" sig --valid --to 192.0.2.1:51820 --cluster lab \
	--secret-file "$tmp/lab.secret" --rate "$VALID_RATE" --seconds 30
lab_full() { [ "$(drops replay_full)" -ge 100 ]; }
check "lab's valid flood fills lab's nonce cache (100 replay_full drops)" wait_for -t 15 lab_full
ask during_valid other 100 50 0 >/dev/null
bg_stop flood_valid
cat "$tmp/flood_valid.log"
check "lab floods: 100 of 100 of cluster other's REGISTERs answered" \
	bash -c "cat '$tmp/during_valid.log'; test \"$(answered during_valid)\" = 100"
check "lab's flood went on while other's members registered" \
	bash -c "echo replay_full $(drops replay_full); test $(drops replay_full) -ge 1000"

check "SIGTERM stops the nucleus with status 0" bg_stop nucleus
grep '^stats: ' "$tmp/nucleus.log" | grep -E 'drop|REGISTER |evictions' | sed 's/^/    /'
finish

#!/bin/bash
# SPDX-License-Identifier: MIT
#
# A cluster's admission list and revocation by reload: the real nucleus
# with a JSON file that lists member keys (nucleus.clusters[].members), and
# sig-probe members with their own key pairs. Checked:
#   - members m1 and m2, listed, register and see each other;
#   - a third key, with the secret and its own private key but not
#     listed, is refused (not_admitted) and never listed;
#   - m2 taken off the list and SIGHUP: the nucleus removes it at once, and
#     m1 hears LEFT within one heartbeat (1 s here);
#   - a reload of a broken file changes nothing: refused with the place, the
#     nucleus still answers m1.
#
#   +--------------------- netns omni-na-PID ----------------------+
#   |  lo 127.0.0.1: nucleus udp 51900, metrics 127.0.0.1:9593     |
#   |                sig-probe m1, m2, m3 (heartbeat 1 s)          |
#   +--------------------------------------------------------------+
#
# Usage: nucleus_admit.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
asan_no_leaks

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
probe=$build/tools/sig-probe/sig-probe
ns=omni-na-$$
secret="e2e-admit-secret-$$-0123"
metrics=127.0.0.1:9593

need_root
need_built "$omni" "$probe"
e2e_tmp admit
make_ns "$ns"

for m in m1 m2 m3; do
	"$omni" --init --key "$tmp/$m.key" >/dev/null 2>&1 || die "key $m"
	"$omni" --show-identity --key "$tmp/$m.key" >"$tmp/$m.pub" || die "public key $m"
done
hex() { python3 -c 'import base64, sys; print(base64.b64decode(sys.argv[1]).hex())' "$(cat "$tmp/$1.pub")"; }

# admit FILE KEY...: the nucleus's configuration, cluster lab admitting KEYs.
admit() {
	local f=$1 sep= k
	shift
	{
		printf '{ "mode": "nucleus", "nucleus": { "clusters": [ { "name": "lab", '
		printf '"secret": "%s", "members": [' "$secret"
		for k; do
			printf '%s "%s"' "$sep" "$(cat "$tmp/$k.pub")"
			sep=,
		done
		printf ' ] } ] } }\n'
	} >"$f"
	chmod 600 "$f"
}

member() { # NAME VIP
	bg_start "$1" "$ns" "$probe" --nucleus 127.0.0.1:51900 --cluster lab --secret "$secret" \
		--heartbeat-ms 1000 --seconds 120 --vip "$2" --private-key "$(cat "$tmp/$1.key")"
}
adm_metric() {
	http_get "$ns" "http://$metrics/metrics" | awk -v k="$1" '$1 == k { v = $2 } END { print v + 0 }'
}
refused_keys() { [ "$(adm_metric 'omni_nucleus_drops_total{reason="not_admitted"}')" -ge "$1" ]; }

admit "$tmp/nucleus.json" m1 m2
nucleus_start nucleus "$ns" --port 51900 --config "$tmp/nucleus.json" --metrics "$metrics" ||
	die "the nucleus did not start"
member m1 10.200.0.1
member m2 10.200.0.2
member m3 10.200.0.3
check "m1 registers" wait_log m1 '^registered ' 10
check "m2 registers" wait_log m2 '^registered ' 10
check "m1 hears of m2" wait_log m1 "^(joined|punch) $(hex m2)" 10
check "m3, not listed, is refused (not_admitted), twice" wait_for -t 15 refused_keys 2
check "m3 never registers, and nobody hears of it" bash -c "
	! grep -q '^registered' '$tmp/m3.log' && ! grep -qh '$(hex m3)' '$tmp/m1.log' '$tmp/m2.log'"

# ---- revocation: m2 off the list, SIGHUP ----
admit "$tmp/nucleus.json" m1
kill -HUP "$(pid_of nucleus)"
check "the reload removes m2 at the nucleus" \
	wait_log nucleus '^nucleus: reload: cluster lab admits 1 key\(s\); 1 member\(s\) removed' 5
t0=$(now_ms)
check "m1 hears m2 leave within one heartbeat" wait_log m1 "^left $(hex m2)" 3
echo "    $(($(now_ms) - t0)) ms after the reload"
gone_m2() { [ "$(adm_metric 'omni_nucleus_members{cluster="lab"}')" = 1 ]; }
check "the nucleus has m1 only, m2's REGISTERs refused" wait_for -t 10 gone_m2

# ---- a broken file on reload changes nothing ----
printf '{ "mode": "nucleus", "nucleus": { "clusters": [ \n' >"$tmp/nucleus.json"
kill -HUP "$(pid_of nucleus)"
check "a broken file: refused with the place, still serving" \
	wait_log nucleus 'nucleus\.json:[0-9]+:[0-9]+: ' 5
check "it says it keeps its configuration" wait_log nucleus '^nucleus: reload failed' 5
hb() { adm_metric 'omni_nucleus_messages_total{direction="rx",type="HEARTBEAT"}'; }
more_hb() { [ "$(hb)" -ge "$1" ]; }
check "m1's heartbeats are answered still" wait_for -t 5 more_hb $(($(hb) + 2))
check "m1 still registered, m2 still out" gone_m2

check "SIGTERM stops the nucleus" bg_stop nucleus
finish

#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The nucleus killed (kill -9) and started again with its key file, while
# a ping runs between two DPDK edges (every 0.2 s). Checked:
#   - not one echo lost: the tunnel never notices (a LEFT that only the
#     new nucleus's first resyncs imply is held while the session lives,
#     signaling/linger.h; the edge counts it in sig_left_held);
#   - each edge registers again within one heartbeat interval of the
#     restart (the new nucleus answers the first HEARTBEAT of an edge it
#     does not know with a signed "register again");
#   - the new nucleus has both, and a third edge started after the
#     restart reaches both.
#
#   +--------- netns omni-ci-PID: bridge cbPID ---------+
#   |              |                |                 |
#   N: nucleus     A: edge          B: edge           C: edge (after the restart)
#   192.0.2.1      192.0.2.2        192.0.2.3         192.0.2.4
#   udp 51820      10.200.0.1/24    10.200.0.2/24     10.200.0.3/24
#
# Usage: nucleus_restart.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cluster_lib.sh"

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
secret=restart-e2e-secret-$$-0123456789
heartbeat_ms=2000
export OMNI_TEST_HEARTBEAT_MS=$heartbeat_ms

need_root
need_tools ping ip nft
need_built "$omni"
cl_init || die "identities"

cl_topology_dual || die "topology"
make_ns "$ns_c"
cl_link "$ns_c" "$(cl_if c)" 192.0.2.4/24 || die "edge C's link"
nucleus=192.0.2.1:51820
cl_nucleus_start --key "$tmp/nucleus.key" || die "the nucleus did not start"
check "the nucleus made its key file, mode 0600" bash -c "
	grep -q '^nucleus: key made at $tmp/nucleus.key' '$tmp/nucleus.log' &&
	[ \$(stat -c %a '$tmp/nucleus.key') = 600 ]"
npub=$(sed -n 's/.*public key \([^ ]*\) .*/\1/p' "$tmp/nucleus.log")
# A pins the nucleus's key, B takes it from the nucleus (docs/signaling.md).
cl_edge_start a 10.200.0.1/24 "" "$secret" "$nucleus" --nucleus-key "$npub" || die "edge A"
cl_edge_start b 10.200.0.2/24 "" "$secret" "$nucleus" || die "edge B"
check "A registers" wait_log a 'nucleus: registered with' 20
check "B registers" wait_log b 'nucleus: registered with' 20
check "A reaches B" ping_from "$ns_a" 10.200.0.2

# The ping runs across the restart, until the edge that came back first
# has heard of the other again.
bg_start pinger "$ns_a" ping -i 0.2 -W 1 10.200.0.2
check "the ping runs" wait_log pinger 'icmp_seq=5 ' 10

count() { grep -c "$2" "$tmp/$1.log"; }
more() { [ "$(count "$1" "$2")" -gt "$3" ]; }
ra=$(count a 'nucleus: registered with')
rb=$(count b 'nucleus: registered with')
ja=$(count a 'nucleus: peer joined')
jb=$(count b 'nucleus: peer joined')
kill -KILL "$(pid_of nucleus)"
bg_stop nucleus
restart=$(now_ms)
nucleus_start nucleus2 "$ns_n" --port 51820 --cluster lab \
	--secret-file "$tmp/nucleus.secret" --metrics "$CL_METRICS" --key "$tmp/nucleus.key" ||
	die "the nucleus did not start again"
check "the nucleus kept its key" grep -qF "public key $npub " "$tmp/nucleus2.log"

# Within one heartbeat interval, and the round trips of a REGISTER, its
# CHALLENGE and the REGISTER with the token: 1 s more at most.
check "A registers again within one heartbeat" \
	wait_for -t $((heartbeat_ms / 1000 + 1)) more a 'nucleus: registered with' "$ra"
check "B registers again within one heartbeat" \
	wait_for -t $((heartbeat_ms / 1000 + 1)) more b 'nucleus: registered with' "$rb"
echo "    both registered again $(($(now_ms) - restart)) ms after the restart"
members() { [ "$(cl_metric 'omni_nucleus_members{cluster="lab"}')" = "$1" ]; }
check "the new nucleus has both" wait_for -t 5 members 2

# The edge back first had the other unlisted by its resync: the LEFT that
# would have taken the tunnel down was held, and the other's JOINED ended
# the hold (the proof that the ping ran across what used to break it).
held() { [ $(($(edge_stat a sig_left_held) + $(edge_stat b sig_left_held))) -ge 1 ]; }
check "a LEFT was held for a live session" wait_for -t 10 held
heard_again() { more a 'nucleus: peer joined' "$ja" || more b 'nucleus: peer joined' "$jb"; }
check "and the member was heard of again" wait_for -t $((3 * heartbeat_ms / 1000 + 2)) heard_again
check "no LEFT reached either edge" bash -c "! grep -q 'nucleus: peer left' '$tmp/a.log' '$tmp/b.log'"
bg_stop pinger INT
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$tmp/pinger.log")
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$tmp/pinger.log")
echo "    ping: $sent sent, $got received (every 0.2 s across the restart)"
check "not one echo lost across the restart" test "${sent:-0}" -ge 15 -a "${got:-0}" = "${sent:-x}"

# A new edge finds the old ones.
cl_edge_start c 10.200.0.3/24 "" "$secret" "$nucleus" || die "edge C"
check "C registers" wait_log c 'nucleus: registered with' 20
check "C reaches A" ping_from "$ns_c" 10.200.0.1
check "C reaches B" ping_from "$ns_c" 10.200.0.2
check "the new nucleus has three" wait_for -t 5 members 3

for e in a b c; do
	check "edge $e stops" edge_stop "$e"
done
finish

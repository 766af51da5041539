#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Every pair of NAT kinds, one nucleus, two DPDK edges at a time (topology:
# cluster_lib.sh's routed internet, drawn there). Edge A starts and
# registers; then edge B starts and pings A's VIP until the first reply.
# Per pair the test prints "direct" and the time from B's start to that
# reply, or "needs relay". Kinds, each on its own link of the internet:
#
#   pub   an edge with a public address, no NAT, no firewall
#   home  behind a NAT that drops unsolicited UDP (a home router)
#   masq  behind a plain masquerade NAT, no firewall (a Linux NAT box)
#   sym   behind masquerade random,fully-random (endpoint-dependent
#         mapping, as carrier-grade NATs)
#   same  A and B behind one masquerade NAT, no hairpin rule
#   pub6  IPv6 only, a public address
#   fw6   IPv6 only, behind a router whose stateful firewall lets in only
#         what answers a packet from inside
#
#   restart  A and B behind one masquerade NAT, the nucleus restarted
#            after A registered and before B started (issue 15, item 3)
#
# Pairs with a symmetric NAT on one side and a NAT or firewall on the
# other cannot be punched: they go through the relay, coturn with
# use-auth-secret on link 7 (203.0.113.58), whose credentials the nucleus
# hands out (--turn, --turn-secret-file). For those the test checks that
# B pings A and that the path is relayed (the edges' log line and their
# relay counters).
#
#   relaydown  coturn restarted with another secret, so it refuses the
#              nucleus's credentials (401): a symmetric pair's edges log,
#              count and retry the refused Allocate; a direct pair
#              (masq:masq) connects as before
#
#   relaymove  a masquerade pair whose direct path a firewall rule on the
#              internet's router drops (UDP between the two NATs): it
#              connects through the relay; `show peers` on A's console (a
#              --cmdfile FIFO) says "path: relayed" and A's /metrics (curl)
#              omni_peer_relayed 1. Then, with B pinging A every 50 ms, the
#              rule goes: both move to the direct path within 15 s (the
#              re-punch every 10 s, app/edge_relay.c's REPUNCH_MS), not one
#              echo lost, and the console and /metrics say direct.
#
# NAT_NO_RELAY=1 starts the nucleus without the relay (the relayed pairs
# then fail: what the test saw before the relay existed).
#
# NAT_PAIRS="masq:masq same" runs only those pairs (A's kind:B's kind).
# Usage: nat_matrix.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cluster_lib.sh"

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
secret=nat-matrix-secret-$$-0123456789
NAT_PAIRS=${NAT_PAIRS:-pub:pub pub:home pub:masq pub:sym home:home home:masq masq:masq same
	pub6:fw6 fw6:fw6 restart home:sym masq:sym sym:sym relaydown relaymove}
turn_secret=nat-matrix-turn-$$-abcdefghijklmnop

need_root
need_tools nft ping ip turnserver
need_built "$omni"
cl_init || die "identities"

# A symmetric NAT meets another NAT or firewall: no punch opens both.
needs_relay() {
	case $1 in
	sym:pub | pub:sym) return 1 ;;
	sym:* | *:sym) return 0 ;;
	esac
	return 1
}

# Both edges punched: each sent at least one initiation.
both_tried() {
	[ "$(edge_stat a initiations_sent)" -ge 1 ] && [ "$(edge_stat b initiations_sent)" -ge 1 ]
}

# The relayed path: the log line of either edge, and a channel bound on
# both (each bound one to the other's relayed address).
relayed() {
	grep -q "relay: peer .* path relayed" "$tmp/a.log" "$tmp/b.log" &&
		[ "$(edge_stat a relay_binds)" -ge 1 ] && [ "$(edge_stat b relay_binds)" -ge 1 ]
}

# An edge logged the refused Allocate (401) at least N times: retried.
relay_refused() { [ "$(grep -c "error 401" "$tmp/$1.log")" -ge "$2" ]; }

declare -a report=()

# m_pair KA:KB
m_pair() {
	local ka=${1%:*} kb=${1#*:} ms got
	[ "$1" = same ] && ka=same kb=same
	echo "---- pair A $ka, B $kb"
	[ "$1" = same ] && check "same: the shared NAT has no hairpin (no dnat rule)" bash -c \
		"ip netns exec $(cl_inet_ns "$cl_same_link" r) nft list ruleset | tee /dev/stderr |
		 grep -q masquerade && ! ip netns exec $(cl_inet_ns "$cl_same_link" r) nft list ruleset |
		 grep -q dnat"
	rm -f "$tmp/a.log" "$tmp/b.log"
	cl_matrix_edge a "$ka" 10.200.0.1/24 || { fail "$1: edge A did not start"; return; }
	wait_log a "nucleus: registered" 20 >/dev/null || { fail "$1: A did not register"; return; }
	cl_t0=$(now_ms)
	cl_matrix_edge b "$kb" 10.200.0.2/24 || { fail "$1: edge B did not start"; return; }
	if ms=$(cl_matrix_ping b "$kb" 10.200.0.1); then
		got=1
	else
		got=0
		ms=
	fi
	if needs_relay "$ka:$kb"; then
		report+=("$(printf '%-10s relayed    first ping reply %s ms after B started' "$1" \
			"${ms:--}")")
		check "$1: relayed: B pings A's VIP (first reply in ${ms:-no} ms)" test "$got" = 1
		# An edge behind a NAT that maps per destination allocates at
		# once (docs/signaling.md, "Which peers go through it"); when
		# each allocated only after its punch failed, this took 9.3 s.
		check "$1: relayed within 5 s of B's start" test "${ms:-99999}" -lt 5000
		check "$1: both edges punched first" wait_for -t 10 both_tried
		check "$1: the path is relayed (log line, a channel bound on both)" \
			wait_for -t 5 relayed
	else
		report+=("$(printf '%-10s direct     first ping reply %s ms after B started' "$1" \
			"${ms:--}")")
		check "$1: direct: B pings A's VIP (first reply in ${ms:-no} ms)" test "$got" = 1
		check "$1: handshake completed on both" bash -c \
			"[ $(edge_stat a handshakes_completed) -ge 1 ] &&
			 [ $(edge_stat b handshakes_completed) -ge 1 ]"
	fi
	edge_stop b >/dev/null
	edge_stop a >/dev/null
	for f in a b; do mv "$tmp/$f.log" "$tmp/$f-${1/:/-}.log"; done
}

registrations() { [ "$(grep -c "nucleus: registered" "$tmp/$1.log")" -ge "$2" ]; }

# Issue 15's item 3: the nucleus restarts between an old edge A and a new
# edge B behind the same NAT. A registers again (its heartbeat hears
# UNKNOWN: 2 s here), each hears of the other, and B reaches A.
m_restart() {
	local ms
	echo "---- same NAT, the nucleus restarted between A and B"
	rm -f "$tmp/a.log" "$tmp/b.log"
	OMNI_TEST_HEARTBEAT_MS=2000 cl_matrix_edge a same 10.200.0.1/24 ||
		{ fail "restart: edge A did not start"; return; }
	wait_log a "nucleus: registered" 20 >/dev/null || { fail "restart: A did not register"; return; }
	bg_stop nucleus >/dev/null
	cl_nucleus_start "${relay_args[@]}" >/dev/null || die "the nucleus did not start again"
	OMNI_TEST_HEARTBEAT_MS=2000 cl_matrix_edge b same 10.200.0.2/24 ||
		{ fail "restart: edge B did not start"; return; }
	check "restart: A registers again with the new nucleus" wait_for -t 20 registrations a 2
	cl_t0=$(now_ms)
	ms=$(cl_matrix_ping b same 10.200.0.1)
	check "restart: B pings A's VIP (first reply ${ms:-never} ms after A registered again)" \
		test -n "$ms"
	# On the punch, not on WireGuard's first retry (REKEY_TIMEOUT, 5 s):
	# before issue 15 the first handshakes crossed or were refused as
	# replayed, and only that retry (or none) connected the pair.
	check "restart: connected by the punch, before WireGuard's 5 s retry" \
		test "${ms:-99999}" -lt 4500
	report+=("$(printf '%-10s direct     first ping reply %s ms after A registered again' \
		restart "${ms:--}")")
	echo "refused as replayed: A $(edge_stat a handshake_refused_REPLAYED_TIMESTAMP)," \
		"B $(edge_stat b handshake_refused_REPLAYED_TIMESTAMP)"
	edge_stop b >/dev/null
	edge_stop a >/dev/null
	for f in a b; do mv "$tmp/$f.log" "$tmp/$f-restart.log"; done
}

# coturn refuses our credentials (another secret): a direct pair is not
# touched, and both edges log, count and retry the refusal.
m_relaydown() {
	local ms
	echo "---- the relay refuses us (coturn with another secret)"
	bg_stop turn >/dev/null
	cl_matrix_turn "another-secret-$$-0123456789" || die "coturn did not start again"
	rm -f "$tmp/a.log" "$tmp/b.log"
	# A pair that needs the relay: each edge allocates at once (its probe
	# shows a NAT that maps per destination).
	cl_matrix_edge a sym 10.200.0.1/24 || { fail "relaydown: edge A did not start"; return; }
	wait_log a "nucleus: registered" 20 >/dev/null || { fail "relaydown: A did not register"; return; }
	cl_matrix_edge b sym 10.200.0.2/24 || { fail "relaydown: edge B did not start"; return; }
	check "relaydown: A logged the refused Allocate (401) and retried it" \
		wait_for -t 15 relay_refused a 2
	check "relaydown: B too" wait_for -t 10 relay_refused b 2
	check "relaydown: counted (relay_errors on both)" bash -c \
		"[ $(edge_stat a relay_errors) -ge 2 ] && [ $(edge_stat b relay_errors) -ge 2 ]"
	edge_stop b >/dev/null
	edge_stop a >/dev/null
	for f in a b; do mv "$tmp/$f.log" "$tmp/$f-relaydown-sym.log"; done
	# A direct pair meanwhile: as before.
	cl_matrix_edge a masq 10.200.0.1/24 || { fail "relaydown: edge A did not start"; return; }
	wait_log a "nucleus: registered" 20 >/dev/null || { fail "relaydown: A did not register"; return; }
	cl_t0=$(now_ms)
	cl_matrix_edge b masq 10.200.0.2/24 || { fail "relaydown: edge B did not start"; return; }
	ms=$(cl_matrix_ping b masq 10.200.0.1)
	check "relaydown: a direct pair connects (first reply ${ms:-never} ms after B started)" \
		test -n "$ms"
	report+=("$(printf '%-10s relay refused (401: logged, counted, retried); masq:masq direct in %s ms' \
		relaydown "${ms:--}")")
	edge_stop b >/dev/null
	edge_stop a >/dev/null
	for f in a b; do mv "$tmp/$f.log" "$tmp/$f-relaydown-masq.log"; done
	bg_stop turn >/dev/null
	cl_matrix_turn "$turn_secret" || die "coturn did not start again"
}

# The internet's router drops UDP between the NATs of the masquerade pair
# (link 3 for A, 10 for B): their direct path only; "off" deletes the rule.
block_direct() {
	local a b
	a=$(cl_inet_ip "${cl_link_a[masq]}" 0)
	b=$(cl_inet_ip "${cl_link_b[masq]}" 0)
	if [ "$1" = off ]; then
		ip netns exec "$ns_ir" nft delete table ip omni_block
		return
	fi
	ip netns exec "$ns_ir" nft -f - <<-NFT
	table ip omni_block {
		chain forward {
			type filter hook forward priority filter; policy accept;
			ip saddr $a ip daddr $b udp dport 1-65535 counter drop
			ip saddr $b ip daddr $a udp dport 1-65535 counter drop
		}
	}
	NFT
}

# Lines of $tmp/NAME.log after line N match ERE.
said_since() { tail -n "+$(($2 + 1))" "$tmp/$1.log" | grep -Eq -- "$3"; }

# A's console: "show peers" into its --cmdfile FIFO; the answer in a.log
# after line N (printed) has "path: WHAT".
a_console_path() {
	local n
	n=$(wc -l <"$tmp/a.log")
	echo "show peers" >&7
	wait_for -t 5 said_since a "$n" "^  path: $1" >/dev/null || return 1
	tail -n "+$((n + 1))" "$tmp/a.log" | grep -E "^(omni> )?(peer|  endpoint|  path):"
}

# A's /metrics (curl): omni_peer_relayed of B is VALUE.
a_metric_relayed() {
	local v
	v=$(ip netns exec "$(cl_matrix_ns a masq)" curl -sf http://127.0.0.1:9586/metrics |
		grep -F "omni_peer_relayed{public_key=\"$(cat "$tmp/b.pub")\"}")
	echo "$v"
	[ "${v##* }" = "$1" ]
}

path_both() {
	grep -q "relay: peer .* path $1" "$tmp/a.log" && grep -q "relay: peer .* path $1" "$tmp/b.log"
}

# The relayed pair moves to the direct path when it opens, losing nothing.
m_relaymove() {
	local ms sent got
	echo "---- relayed while a firewall drops the direct path, then direct"
	rm -f "$tmp/a.log" "$tmp/b.log" "$tmp/a.cmd"
	block_direct on || die "the firewall rule"
	mkfifo "$tmp/a.cmd" && exec 7<>"$tmp/a.cmd" || die "the console's FIFO"
	cl_matrix_edge a masq 10.200.0.1/24 --metrics 127.0.0.1:9586 --cmdfile "$tmp/a.cmd" ||
		{ fail "relaymove: edge A did not start"; return; }
	wait_log a "nucleus: registered" 20 >/dev/null || { fail "relaymove: A did not register"; return; }
	cl_t0=$(now_ms)
	cl_matrix_edge b masq 10.200.0.2/24 || { fail "relaymove: edge B did not start"; return; }
	ms=$(cl_matrix_ping b masq 10.200.0.1)
	check "relaymove: B pings A through the relay (first reply in ${ms:-no} ms)" test -n "$ms"
	check "relaymove: both log the relayed path" wait_for -t 5 path_both relayed
	check "relaymove: the rule dropped their direct punch" bash -c \
		"ip netns exec $ns_ir nft list table ip omni_block | tee /dev/stderr |
		 grep -Eq 'packets [1-9]'"
	check "relaymove: A's console: show peers says path: relayed" a_console_path relayed
	check "relaymove: A's /metrics: omni_peer_relayed 1" a_metric_relayed 1
	# 400 echoes, 20 s: the rule goes after the first 20, and the move
	# comes within 15 s of that. ping waits for the last replies itself.
	bg_start pingmove "$(cl_matrix_ns b masq)" ping -n -c 400 -i 0.05 10.200.0.1
	wait_log pingmove "icmp_seq=20 " 5 >/dev/null
	block_direct off
	check "relaymove: both move to the direct path within 15 s of the rule's end" \
		wait_for -t 15 path_both direct
	bg_wait pingmove 30 >/dev/null
	sent=$(awk '/packets transmitted/ { print $1 }' "$tmp/pingmove.log")
	got=$(awk '/packets transmitted/ { print $4 }' "$tmp/pingmove.log")
	check "relaymove: not one echo lost across the move ($got of $sent)" \
		test "${sent:-0}" = 400 -a "${got:-0}" = 400
	check "relaymove: A's console: show peers says path: direct" a_console_path direct
	check "relaymove: A's /metrics: omni_peer_relayed 0" a_metric_relayed 0
	report+=("$(printf '%-10s relayed (direct path dropped) in %s ms, then direct; %s of %s echoes' \
		relaymove "${ms:--}" "${got:--}" "${sent:--}")")
	exec 7>&-
	edge_stop b >/dev/null
	edge_stop a >/dev/null
	for f in a b pingmove; do mv "$tmp/$f.log" "$tmp/$f-relaymove.log"; done
}

cl_matrix_topology || die "topology"
cl_matrix_turn "$turn_secret" || die "coturn did not start"
(umask 077 && printf '%s\n' "$turn_secret" >"$tmp/turn.secret")
relay_args=(--turn "$cl_turn_ip:3478" --turn-secret-file "$tmp/turn.secret")
[ "${NAT_NO_RELAY:-0}" = 1 ] && relay_args=()
cl_nucleus_start "${relay_args[@]}" || die "the nucleus did not start"
for pair in $NAT_PAIRS; do
	case $pair in
	restart) m_restart ;;
	relaydown) m_relaydown ;;
	relaymove) m_relaymove ;;
	*) m_pair "$pair" ;;
	esac
done

echo
echo "NAT matrix (A's kind:B's kind):"
printf '  %s\n' "${report[@]}"
check "no sanitizer report in any log" bash -c \
	"! grep -l -e 'ERROR: AddressSanitizer' -e 'runtime error:' '$tmp'/*.log"
finish

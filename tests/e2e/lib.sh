# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# lib.sh: the one helper library of the e2e scripts (and of tools/demo,
# tools/bench-tunnel and tools/bench-xdp). Sourced, never run:
#
#	. "$(dirname "$0")/lib.sh"
#
# Sourcing it sets a trap: whatever happens, at exit cleanup() runs the
# hooks given to at_exit, stops the processes started with bg_start (by
# PID, only ours: SIGTERM, SIGKILL after 5 s), takes XDP programs off the
# links of the namespaces made here, deletes those namespaces and the
# wireguard-go sockets of the interfaces started here, and removes $tmp
# (KEEP_TMP=1 keeps it).
#
# Results
#   check NAME CMD...          runs CMD, its output indented; PASS or FAIL
#                              (then the tails of the logs), failed=1
#   fail NAME                  a FAIL that is not a check (a set-up step)
#   die MSG                    FAIL: MSG, the tails of the logs, exit 1
#   finish                     the failed checks, and exit 1 if there are any
#   need_root, need_tools TOOL..., need_scapy
#                              exit 77 (skipped) without them
#   need_built FILE...         FAIL unless each exists
#   asan_no_leaks              LeakSanitizer off (the edge: DPDK's EAL)
# Bounded waits (a command polled every 0.1 s; a status of 2 gives up)
#   wait_for [-t S] CMD...     until CMD succeeds, S seconds at most (10);
#                              says so when it gives up
#   wait_log [-F] NAME PATTERN [S]
#                              $tmp/NAME.log has a line matching PATTERN
#                              (an ERE; -F: a fixed string)
#   wait_stat NAME KEY TEST VALUE [S]
#                              the edge NAME's counter KEY, in a fresh block,
#                              passes [ COUNTER TEST VALUE ], e.g. -ge 3
# Processes
#   bg_start NAME NS CMD...    CMD in netns NS ("-": here) in the
#                              background, output in $tmp/NAME.log, PID in
#                              pid_NAME; stopped at exit
#   bg_until NAME NS ERE CMD...
#                              bg_start, then until its log has a line
#                              matching ERE (30 s; not if it exits first)
#   bg_stop NAME [SIG] [S]     sends SIG (TERM), waits S s (30) for the
#                              exit; its status (SIGKILL and 1 if it hung)
#   bg_wait NAME S             waits S s for NAME to exit by itself; its
#                              status (1 and left running if it did not)
#   pid_of NAME, alive PID     its PID while ours; running (not a zombie)
#   stop_all, teardown         every process stopped (and wireguard-go's
#                              sockets gone); teardown also deletes the
#                              namespaces (a new topology may follow)
#   at_exit CMD                CMD (one string) runs first at cleanup
# Topology
#   e2e_tmp NAME               tmp=/tmp/omni-NAME.XXXXXX
#   make_ns NS..., del_ns NS...
#   veth NS1 IF1 NS2 IF2       a veth pair, both ends up
#   two_ns NS1 IF1 NS2 IF2     two namespaces joined by a veth, 192.0.2.1/24
#                              on IF1 and 192.0.2.2/24 on IF2
#   addr NS IF ADDR/LEN...     addresses (IPv6 without DAD)
#   bridge NS BR, bridge_port NS BR IF
#   nat NS PUBLIC_IF [firewall|symmetric]
#                              nftables masquerade out of PUBLIC_IF; with
#                              firewall, unsolicited UDP from outside
#                              dropped; symmetric: a random port each flow
#   listening NS ADDR:PORT [-t]
#                              a UDP (-t: TCP) socket listens there
#   http_get NS URL            "STATUS", a newline, the body
#   http_status NS URL         "STATUS" alone
#   echo_back NS DST           one ping answered within a second
#   metric_at NS HOST:PORT NAME
#                              the value of sample NAME (with its labels)
#                              on HOST:PORT's /metrics, 0 when absent
#   ere STRING                 STRING quoted as an extended regular expression
# WireGuard
#   wg_keys NAME...            $tmp/NAME.key (0600) and $tmp/NAME.pub, unless
#                              they exist
#   conf_interface KEYFILE PORT ADDRESS [LINE...]
#   conf_peer PUBFILE ENDPOINT ALLOWED [LINE...]
#                              a wg-quick section on stdout ("" endpoint:
#                              none)
#   wg_go_start NS IF KEYFILE PORT [ADDR/LEN...]
#                              wireguard-go IF (a name unique on the host:
#                              /var/run/wireguard is shared by namespaces),
#                              its key, port, addresses, MTU 1420, up;
#                              log $tmp/wg_IF.log
#   wg_go_stop IF
#   wg_go_peer NS IF PUBFILE [wg set peer ARGS...]
#                              the peer removed and added again: no session
#                              survives
#   edge_pair NS_E IF_E NS_W IF_W WGIF NET
#                              two_ns, wireguard-go at NET.2 and a wg-quick
#                              file for an edge at NET.1 (see edge_wg.sh)
#   edge_pair_conf [LINE...], edge_pair_peer [ARGS...]
#                              that file again; wireguard-go's peer, fresh
#   ping_from NS DST [PING ARGS...]
#                              3 echoes 0.3 s apart, 10 s at most
# The edge and the nucleus ($omni)
#   edge_start NAME NS ARGS... omninervous ARGS in NS (log $tmp/NAME.log),
#                              returns once its ready line is logged:
#                              "idle: sleeps of ...", printed when its
#                              control loop runs (ports open, omni0 has its
#                              addresses, signals handled)
#   edge_stop NAME             SIGTERM; status 0 or says what it was
#   edge_stats NAME            a fresh block of counters (SIGUSR1)
#   stat_of NAME KEY           KEY in the latest block (0 when absent)
#   edge_stat NAME KEY         edge_stats, then stat_of
#   edge_snapshot NAME FILE    a fresh block to FILE as "KEY VALUE" lines
#   counter FILE KEY[|KEY...]  from a snapshot (a sum of the alternatives)
#   delta FILE1 FILE2 KEY      how much KEY rose between two snapshots
#   nucleus_start NAME NS ARGS...
#                              omninervous --mode nucleus ARGS in NS, until
#                              it says its UDP port
# iperf3
#   iperf3_server NAME NS ADDR iperf3 -s -1 bound to ADDR, listening
#   iperf3_client NAME NS ADDR SECONDS
#                              TCP to ADDR; its JSON in $tmp/NAME.json; the
#                              server is waited for afterwards
#   iperf3_start ..., iperf3_end NAME
#                              the same in two halves, the client in the
#                              background in between
#   iperf3_floor NAME SECONDS  the run lasted and carried at least
#                              IPERF3_FLOOR_MBPS (below)
#   iperf3_mbps NAME           the Mbit/s received, or "-"

# ---- results ---------------------------------------------------------------

tmp=
failed=0
e2e_results=()
e2e_pids=
e2e_ns=
e2e_wgifs=
e2e_links=
e2e_hooks=()
e2e_in_check=
# The script's own stdout: die writes there even from inside a check.
exec 3>&1

# show_logs LINES: the last LINES lines of each log in $tmp (counters left
# out), and the non-zero counters of the last block of an edge's log.
show_logs() {
	local f who
	[ -n "$tmp" ] || return 0
	for f in "$tmp"/*.log; do
		[ -s "$f" ] || continue
		who=$(basename "$f" .log)
		grep -v -e '^stats: ' -e '^[┌│└]' "$f" | tail -n "$1" | sed "s|^|    $who: |"
		awk -v who="$who" '$1 == "stats:" && $2 == "rx_packets" { line = "" }
			$1 == "stats:" && $3 != "0" { line = line " " $2 "=" $3 }
			END { if (line != "") print "    " who ": counters:" line }' "$f"
	done
}

die() {
	{
		[ -n "$e2e_in_check" ] && [ -f "$tmp/check.out" ] && sed 's/^/    /' "$tmp/check.out"
		echo "FAIL: $*"
		show_logs 30
	} >&3
	exit 1
}

fail() {
	echo "FAIL: $1 [$SECONDS s]"
	e2e_results+=("FAIL  $1")
	failed=1
}

check() {
	local name=$1 rc
	shift
	e2e_in_check=1
	"$@" >"$tmp/check.out" 2>&1
	rc=$?
	e2e_in_check=
	sed 's/^/    /' "$tmp/check.out"
	if [ "$rc" = 0 ]; then
		echo "PASS: $name [$SECONDS s]"
		e2e_results+=("PASS  $name")
	else
		show_logs 10
		fail "$name"
	fi
}

finish() {
	local name r n=0
	name=$(basename "$0" .sh)
	echo
	if [ "$failed" != 0 ]; then
		for r in "${e2e_results[@]}"; do
			case $r in FAIL*) n=$((n + 1)) ;; esac
		done
		echo "FAIL: $name, $n of ${#e2e_results[@]} checks failed:"
		printf '  %s\n' "${e2e_results[@]}" | grep '^  FAIL'
		exit 1
	fi
	echo "PASS: $name, all ${#e2e_results[@]} checks"
	exit 0
}

# asan_no_leaks: for scripts that run the edge. DPDK's EAL keeps
# allocations for the life of the process: LeakSanitizer would report them
# at exit.
asan_no_leaks() { export ASAN_OPTIONS=detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}; }

need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: needs root (network namespaces)"
		exit 77
	fi
}

need_tools() {
	local t
	for t; do
		if ! command -v "$t" >/dev/null; then
			echo "SKIP: $t not found (tools/setup installs it)"
			exit 77
		fi
	done
}

# scapy is a Debian package: /usr/bin/python3, not a python first on PATH.
py=/usr/bin/python3
need_scapy() {
	if ! "$py" -c 'import scapy.all' 2>/dev/null; then
		echo "SKIP: python3-scapy not found (tools/setup installs it)"
		exit 77
	fi
}

need_built() {
	local f
	for f; do
		[ -e "$f" ] || die "$f not built"
	done
}

# ---- bounded waits ---------------------------------------------------------

now_ms() { local t=${EPOCHREALTIME//[!0-9]/}; echo $((10#$t / 1000)); }

wait_for() {
	local secs=10 end rc
	if [ "$1" = -t ]; then
		secs=$2
		shift 2
	fi
	end=$(($(now_ms) + secs * 1000))
	while :; do
		"$@"
		rc=$?
		[ "$rc" = 0 ] || [ "$rc" = 2 ] && return "$rc"
		[ "$(now_ms)" -lt "$end" ] || break
		sleep 0.1 # the polling interval
	done
	echo "gave up after $secs s waiting for: $*"
	return 1
}

# log_has MODE PATTERN FILE: 0 or 1 (grep's 2 for a missing file would
# make wait_for give up).
log_has() { grep -q "$1" -- "$2" "$3" 2>/dev/null || return 1; }

wait_log() {
	local mode=-E
	if [ "$1" = -F ]; then
		mode=-F
		shift
	fi
	local name=$1 pat=$2
	wait_for -t "${3:-20}" log_has "$mode" "$pat" "$tmp/$name.log" >/dev/null && return 0
	echo "$name logged no line matching: $pat"
	grep -v '^stats: ' "$tmp/$name.log" 2>/dev/null | tail -n 15 | sed "s/^/    $name: /"
	return 1
}

# ---- processes -------------------------------------------------------------

# alive PID: running (not exited, not a zombie).
alive() {
	local st
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) && [ "$st" != Z ]
}

gone() { ! alive "$1"; }

# pid_of NAME: its PID while it is ours to stop (started, not yet stopped).
pid_of() {
	local pid
	eval "pid=\${pid_$1:-}"
	case " $e2e_pids " in
	*" $pid "*) echo "$pid" ;;
	esac
}

bg_start() {
	local name=$1 ns=$2
	shift 2
	: >"$tmp/$name.log"
	if [ "$ns" = - ]; then
		"$@" </dev/null >"$tmp/$name.log" 2>&1 &
	else
		ip netns exec "$ns" "$@" </dev/null >"$tmp/$name.log" 2>&1 &
	fi
	e2e_pids="$e2e_pids $!"
	eval "pid_$name=$!"
}

# started NAME ERE: 0 once $tmp/NAME.log has a line matching ERE, 2 when
# NAME has exited before, 1 not yet.
started() {
	log_has -E "$2" "$tmp/$1.log" && return 0
	alive "$(pid_of "$1")" || return 2
	return 1
}

bg_until() {
	local name=$1 ns=$2 ere=$3
	shift 3
	bg_start "$name" "$ns" "$@"
	wait_for -t 30 started "$name" "$ere" >/dev/null && return 0
	echo "$name did not come up: no line matching $ere"
	grep -v '^stats: ' "$tmp/$name.log" | tail -n 20 | sed "s/^/    $name: /"
	return 1
}

forget_pid() {
	local p rest=
	for p in $e2e_pids; do
		[ "$p" = "$1" ] || rest="$rest $p"
	done
	e2e_pids=$rest
}

# stop_pid PID SIG SECONDS: the signal, then its exit status; SIGKILL after
# SECONDS (status 1, and a word about it).
stop_pid() {
	local pid=$1 rc=0 st
	kill -"$2" "$pid" 2>/dev/null
	if ! wait_for -t "$3" gone "$pid" >/dev/null; then
		echo "process $pid did not stop within $3 s of SIG$2: killed"
		kill -KILL "$pid" 2>/dev/null
		rc=1
	fi
	wait "$pid" 2>/dev/null
	st=$?
	[ "$rc" = 1 ] || rc=$st
	forget_pid "$pid"
	# A killed DPDK process leaves its runtime directory behind.
	rm -rf "/var/run/dpdk/omni$pid"
	return "$rc"
}

bg_stop() {
	local pid
	pid=$(pid_of "$1")
	[ -n "$pid" ] || return 0
	eval "pid_$1="
	stop_pid "$pid" "${2:-TERM}" "${3:-30}"
}

# bg_wait NAME S: NAME exits by itself within S seconds: its status.
bg_wait() {
	local pid
	pid=$(pid_of "$1")
	[ -n "$pid" ] || return 0
	wait_for -t "$2" gone "$pid" >/dev/null || { echo "$1 still running after $2 s"; return 1; }
	bg_stop "$1"
}

stop_all() {
	local p dev
	for p in $e2e_pids; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $e2e_pids; do
		stop_pid "$p" TERM 5 >/dev/null
	done
	e2e_pids=
	for dev in $e2e_wgifs; do
		rm -f "/var/run/wireguard/$dev.sock" # a killed wireguard-go leaves it
	done
	e2e_wgifs=
}

teardown() {
	local ns
	stop_all
	for ns in $e2e_ns; do
		del_ns "$ns"
	done
}

at_exit() { e2e_hooks+=("$1"); }

cleanup() {
	local i
	set +e
	for ((i = ${#e2e_hooks[@]} - 1; i >= 0; i--)); do
		eval "${e2e_hooks[$i]}"
	done
	teardown
	if [ -n "$tmp" ] && [ -d "$tmp" ]; then
		if [ -n "${KEEP_TMP:-}" ]; then
			echo "logs kept in $tmp"
		else
			rm -rf "$tmp"
		fi
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- topology --------------------------------------------------------------

e2e_tmp() {
	tmp=$(mktemp -d "/tmp/omni-$1.XXXXXX") || die "mktemp"
}

make_ns() {
	local ns
	for ns; do
		ip netns add "$ns" || die "ip netns add $ns"
		e2e_ns="$e2e_ns $ns"
		ip -n "$ns" link set lo up
	done
}

# del_ns NS: XDP programs taken off its links first (one outlives a killed
# edge), then the stale lock files of our interfaces, then NS.
del_ns() {
	local ns=$1 dev rest='' n
	for dev in $(ip -n "$ns" -o link show 2>/dev/null | awk -F': ' '{ print $2 }'); do
		ip -n "$ns" link set dev "${dev%@*}" xdp off 2>/dev/null
		ip -n "$ns" link set dev "${dev%@*}" xdpgeneric off 2>/dev/null
		case " $e2e_links " in
		*" ${dev%@*} "*) rm -f "/run/omninervous/${dev%@*}@"* ;;
		esac
	done
	ip netns del "$ns" 2>/dev/null
	for n in $e2e_ns; do
		[ "$n" = "$ns" ] || rest="$rest $n"
	done
	e2e_ns=$rest
}

veth() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" || return 1
	e2e_links="$e2e_links $2 $4"
	ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}

addr() {
	local ns=$1 dev=$2 a
	shift 2
	for a; do
		case $a in
		*:*) ip -n "$ns" addr add "$a" dev "$dev" nodad ;;
		*) ip -n "$ns" addr add "$a" dev "$dev" ;;
		esac || return 1
	done
}

two_ns() {
	make_ns "$1" "$3"
	veth "$1" "$2" "$3" "$4" && addr "$1" "$2" 192.0.2.1/24 && addr "$3" "$4" 192.0.2.2/24
}

bridge() {
	ip -n "$1" link add "$2" type bridge forward_delay 0 stp_state 0 &&
		ip -n "$1" link set "$2" up
}

bridge_port() { ip -n "$1" link set "$3" master "$2" up; }

# Like a home router's firewall, "firewall" drops unsolicited UDP from the
# public side (cluster_lib.sh says why hole punching needs that);
# "symmetric" maps each destination to a random port (endpoint-dependent
# mapping, as carrier-grade NATs do), no firewall.
nat() {
	local ns=$1 pub=$2 fw= how=
	[ "${3:-}" = firewall ] && fw="chain in {
			type filter hook input priority filter;
			iifname \"$pub\" meta l4proto udp ct state new drop
		}"
	[ "${3:-}" = symmetric ] && how=" random,fully-random"
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 || return 1
	ip netns exec "$ns" nft -f - <<-NFT
	table ip omni_nat {
		chain post {
			type nat hook postrouting priority srcnat;
			oifname "$pub" masquerade$how
		}
		$fw
	}
	NFT
}

listening() { ip netns exec "$1" ss -ln "${3:--u}" | grep -q "$2 "; }

http_get() {
	ip netns exec "$1" python3 - "$2" <<'PY'
import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen(sys.argv[1], timeout=5)
    print(r.status); sys.stdout.write(r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code); sys.stdout.write(e.read().decode())
PY
}

http_status() {
	local out
	out=$(http_get "$1" "$2")
	echo "${out%%$'\n'*}"
}

echo_back() { ip netns exec "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1; }

metric_at() {
	http_get "$1" "http://$2/metrics" | awk -v k="$3" '$1 == k { v = $2 } END { print v + 0 }'
}

ere() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'; }

# ---- WireGuard -------------------------------------------------------------

wg_keys() {
	local k
	for k; do
		[ -f "$tmp/$k.key" ] && continue
		(umask 077 && wg genkey >"$tmp/$k.key") && wg pubkey <"$tmp/$k.key" >"$tmp/$k.pub" ||
			die "wg genkey"
	done
}

conf_interface() {
	local l
	echo "[Interface]"
	echo "PrivateKey = $(cat "$1")"
	echo "ListenPort = $2"
	echo "Address = $3"
	shift 3
	for l; do echo "$l"; done
}

conf_peer() {
	local l
	echo
	echo "[Peer]"
	echo "PublicKey = $(cat "$1")"
	[ -n "$2" ] && echo "Endpoint = $2"
	echo "AllowedIPs = $3"
	shift 3
	for l; do echo "$l"; done
}

wg_go_start() {
	local ns=$1 dev=$2 key=$3 port=$4
	shift 4
	[ -e "/var/run/wireguard/$dev.sock" ] &&
		{ echo "wireguard-go $dev: the name is in use on this host"; return 1; }
	WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 bg_start "wg_$dev" "$ns" wireguard-go -f "$dev"
	e2e_wgifs="$e2e_wgifs $dev"
	wait_for -t 5 test -S "/var/run/wireguard/$dev.sock" >/dev/null ||
		{ echo "wireguard-go $dev did not start"; cat "$tmp/wg_$dev.log"; return 1; }
	ip netns exec "$ns" wg set "$dev" private-key "$key" listen-port "$port" &&
		addr "$ns" "$dev" "$@" && ip -n "$ns" link set "$dev" mtu 1420 up
}

wg_go_stop() {
	bg_stop "wg_$1"
	rm -f "/var/run/wireguard/$1.sock"
	e2e_wgifs=$(for d in $e2e_wgifs; do [ "$d" = "$1" ] || echo "$d"; done)
}

wg_go_peer() {
	local ns=$1 dev=$2 pub
	pub=$(cat "$3")
	shift 3
	ip netns exec "$ns" wg set "$dev" peer "$pub" remove &&
		ip netns exec "$ns" wg set "$dev" peer "$pub" "$@"
}

# edge_pair NS_E IF_E NS_W IF_W WGIF NET: the shape of most edge tests (see
# edge_wg.sh): two_ns; keys edge and wg (wg_keys); wireguard-go WGIF in NS_W at
# NET.2/24, udp 51821; $tmp/edge.conf for an edge at NET.1/24, udp 51820,
# with wireguard-go as its peer (edge_pair_conf). wireguard-go's own peer
# is the caller's (edge_pair_peer).
edge_pair() {
	e2e_pair="$3 $5 $6"
	wg_keys edge wg
	two_ns "$1" "$2" "$3" "$4" || return 1
	wg_go_start "$3" "$5" "$tmp/wg.key" 51821 "$6.2/24" || return 1
	edge_pair_conf
}

# edge_pair_conf [PEER LINE...]: $tmp/edge.conf again, lines added to the
# [Peer] section.
edge_pair_conf() {
	local net=${e2e_pair##* }
	{
		conf_interface "$tmp/edge.key" 51820 "$net.1/24" "MTU = 1420"
		conf_peer "$tmp/wg.pub" 192.0.2.2:51821 "$net.2/32" "$@"
	} >"$tmp/edge.conf"
	chmod 600 "$tmp/edge.conf"
}

# edge_pair_peer [wg set peer ARGS...]: the edge as wireguard-go's peer,
# fresh (no session survives).
edge_pair_peer() {
	local ns dev net
	read -r ns dev net <<<"$e2e_pair"
	wg_go_peer "$ns" "$dev" "$tmp/edge.pub" allowed-ips "$net.1/32" \
		endpoint 192.0.2.1:51820 "$@"
}

ping_from() {
	local ns=$1 dst=$2
	shift 2
	# The first echo may wait for next-hop resolution and the handshake.
	ip netns exec "$ns" ping -c 3 -i 0.3 -w 10 "$@" "$dst"
}

# ---- the edge and the nucleus ---------------------------------------------

omni=${omni:-}

edge_start() {
	local name=$1 ns=$2 line='omninervous: idle: sleeps of '
	shift 2
	# Ready: its control loop runs, signals handled. Without idle sleeps
	# (OMNI_IDLE=busy) there is no such line: the line of its open ports.
	# Not anchored: a console (--cmdfile) may have begun the line with its
	# prompt.
	[ "${OMNI_IDLE:-}" = busy ] && line='omninervous: underlay [^ ]+ via '
	bg_until "$name" "$ns" "$line" "$omni" "$@"
}

# edge_hup NAME: SIGHUP to edge NAME, then its next "reload" line (printed).
edge_hup() {
	local n
	n=$(grep -c 'reload' "$tmp/$1.log")
	kill -HUP "$(pid_of "$1")"
	wait_for log_count_over "$1" reload "$n" >/dev/null
	grep 'reload' "$tmp/$1.log" | tail -n 1
}

# log_count_over NAME ERE N: more than N lines of $tmp/NAME.log match.
log_count_over() { [ "$(grep -cE "$2" "$tmp/$1.log")" -gt "$3" ]; }

edge_stop() {
	local rc
	bg_stop "$1"
	rc=$?
	[ "$rc" = 0 ] || echo "edge $1 exited $rc"
	return "$rc"
}

# The number of blocks of counters in the log (each starts at rx_packets).
stat_blocks() { grep -c '^stats: rx_packets ' "$tmp/$1.log"; }

# A new block, whole: it is written in one or two writes, so once it has
# begun, the log stops growing.
block_done() {
	local size
	[ "$(stat_blocks "$1")" -gt "$2" ] || return 1
	size=$(stat -c %s "$tmp/$1.log")
	[ "$size" = "${e2e_last_size:-}" ] && return 0
	e2e_last_size=$size
	return 1
}

edge_stats() {
	local n pid
	pid=$(pid_of "$1")
	n=$(stat_blocks "$1")
	e2e_last_size=
	kill -USR1 "$pid" || { echo "edge $1 is not running"; return 1; }
	wait_for -t 10 block_done "$1" "$n" >/dev/null ||
		{ echo "edge $1 printed no counters on SIGUSR1"; return 1; }
}

stat_of() {
	awk -v k="$2" '$1 == "stats:" && $2 == k { v = $3 } END { print v + 0 }' "$tmp/$1.log"
}

edge_stat() {
	edge_stats "$1" >&2
	stat_of "$1" "$2"
}

stat_passes() {
	edge_stats "$1" >/dev/null || return 2
	test "$(stat_of "$1" "$2")" "$3" "$4"
}

wait_stat() {
	wait_for -t "${5:-10}" stat_passes "$1" "$2" "$3" "$4" && return 0
	echo "edge $1: $2 is $(stat_of "$1" "$2"), not $3 $4"
	return 1
}

edge_snapshot() {
	edge_stats "$1" || return 1
	tac "$tmp/$1.log" | awk '/^stats: / { print $2, $3 } /^stats: rx_packets / { exit }' >"$2"
}

counter() {
	awk -v names="$2" 'BEGIN { n = split(names, a, "|"); for (i = 1; i <= n; i++) want[a[i]] = 1 }
		($1 in want) { sum += $2 } END { print sum + 0 }' "$1"
}

delta() { echo $(($(counter "$2" "$3") - $(counter "$1" "$3"))); }

nucleus_start() {
	bg_until "$1" "$2" '^nucleus: udp port ' "$omni" --mode nucleus "${@:3}"
}

# ---- iperf3 ----------------------------------------------------------------

# The floor of the TCP runs through a tunnel. Not a benchmark (tests hold
# no timing thresholds): a correctness check far below any working tunnel.
# The README measures 1.65-2.69 Gbit/s for an omninervous pair (release
# build, tools/bench-tunnel) and some hundreds of Mbit/s through the demo's
# cluster, where both edges, both NATs and iperf3 share two cores; the
# sanitizer build of these tests made 340-990 Mbit/s on such a machine,
# with both cores kept busy by other work too. 5 Mbit/s sustained over the
# whole run, some 70 times below the slowest of those, fails a tunnel that
# loses most packets, stalls for seconds or renegotiates without end, and
# passes a working one on any runner that can run the suite at all.
IPERF3_FLOOR_MBPS=5

iperf3_server() {
	bg_start "${1}_srv" "$2" iperf3 -s -1 -B "$3"
	wait_for -t 10 listening "$2" "$3:5201" -t >/dev/null ||
		{ echo "iperf3 -s did not listen on $3:5201"; return 1; }
}

# iperf3_start NAME NS ADDR SECONDS: the client in the background (its
# JSON in $tmp/NAME_cli.log); iperf3_end NAME waits for it, moves the JSON
# to $tmp/NAME.json, and ends the server (it exits after one test; one
# still waiting never saw the client).
iperf3_start() {
	bg_start "${1}_cli" "$2" timeout $(($4 + 30)) iperf3 -c "$3" -t "$4" -J
}

iperf3_end() {
	local rc
	bg_wait "${1}_cli" 120 >/dev/null
	rc=$?
	mv "$tmp/${1}_cli.log" "$tmp/$1.json"
	bg_wait "${1}_srv" 5 >/dev/null || bg_stop "${1}_srv" >/dev/null
	return "$rc"
}

iperf3_client() {
	iperf3_start "$@"
	iperf3_end "$1"
}

# iperf3_figures NAME: "bytes Mbit/s seconds retransmits", or a reason.
iperf3_figures() {
	python3 - "$tmp/$1.json" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except (OSError, ValueError) as e:
    sys.exit("no iperf3 result: %s" % e)
if "error" in d:
    sys.exit("iperf3: " + d["error"])
r, s = d["end"]["sum_received"], d["end"].get("sum_sent", {})
print(int(r["bytes"]), "%.1f" % (r["bits_per_second"] / 1e6), "%.1f" % r["seconds"],
      s.get("retransmits", "-"))
PY
}

iperf3_mbps() {
	local f
	f=$(iperf3_figures "$1" 2>/dev/null) || { echo -; return; }
	echo "$f" | awk '{ printf "%.0f\n", $2 }'
}

iperf3_floor() {
	local figs bytes mbps secs retr
	figs=$(iperf3_figures "$1") || { echo "$figs"; head -c 2000 "$tmp/$1.json"; return 1; }
	read -r bytes mbps secs retr <<<"$figs"
	echo "iperf3: $bytes bytes in $secs s, $mbps Mbit/s, $retr retransmits" \
		"(floor $IPERF3_FLOOR_MBPS Mbit/s over $2 s)"
	awk -v m="$mbps" -v s="$secs" -v want="$2" -v f="$IPERF3_FLOOR_MBPS" \
		'BEGIN { exit !(s >= want - 0.5 && m >= f) }'
}

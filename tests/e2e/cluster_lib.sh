# SPDX-License-Identifier: MIT
# cluster_lib.sh: a whole OmniNervous cluster in network namespaces, for
# tests/e2e/cluster.sh and tools/demo (sourced, after netns_lib.sh, whose
# trap stops the processes in $pids and deletes $made_ns and $tmp).
#
#   +------------------------ netns omni-ci-PID: bridge cbPID ("the internet") --------------------+
#   |            |                    |                   |                     |                   |
#   N: nucleus   S: coturn            R1: NAT             R2: NAT               C: an edge with the |
#   203.0.113.1  203.0.113.2          203.0.113.11        203.0.113.12          wrong secret        |
#   2001:db8:1::1/64  udp 3478        masquerade          masquerade            203.0.113.20        |
#   udp 51820                         198.51.100.1/25     198.51.100.129/25     (no NAT)            |
#                                         |                   |                                     |
#                                     A: edge             B: edge
#                                     198.51.100.2/25     198.51.100.130/25
#                                     gw .1               gw .129
#                                     omni0 10.200.0.1/24 omni0 10.200.0.2/24
#                                     fd00:200::1/64      fd00:200::2/64
#
# IPv6-only (cl_topology_v6): N, A and B straight on the bridge with
# 2001:db8:1::1, ::2, ::3 and no IPv4 address; no NAT, no STUN. Dual stack
# (cl_topology_dual): the same with 192.0.2.1, .2, .3 as well.
#
# Each edge's underlay is the veth inside its own namespace: the edge drives
# it through AF_XDP, the kernel keeps its address and routes, and the edge
# learns both from the kernel. The bridge counts, in named nftables
# counters (cl_count NAME), the UDP that crosses it:
#   a_to_b, b_to_a     NAT 1 <-> NAT 2 directly (the tunnel)
#   to_nucleus, from_nucleus   anything to or from 203.0.113.1
#   c_to_nucleus, nucleus_to_c   edge C and the nucleus
#
# Functions (all return non-zero on failure, with a message):
#   cl_need_tools                 exit 77 (skipped) without root or a tool
#   cl_init                       $tmp, the identities a b c (cl_pub NAME)
#   cl_topology_v4 / cl_topology_v6 / cl_topology_dual
#   cl_nucleus_start [ARGS...]    omninervous --mode nucleus in N, /metrics
#                                 on 127.0.0.1:9586 there (cl_metric KEY)
#   cl_stun_start                 coturn as a plain STUN server in S
#   cl_edge_start NAME VIP VIP6 SECRET NUCLEUS [ARGS...]
#                                 edge NAME (a, b or c) in its namespace,
#                                 waits until omni0 holds the VIP
#   cl_stop NAME                  SIGTERM, waited for
#   cl_wait_log NAME ERE [S]      its log has a line matching ERE within S s
#   cl_wait_fixed NAME TEXT [S]   the same for a fixed string
#   cl_stat NAME KEY              a counter from a fresh SIGUSR1 block
#   cl_teardown                   stops everything, deletes the namespaces
#
# The caller sets omni (the executable) and secret; CL_HOST_PORT (default
# tap) is the edges' --host-port ("" for the edge's own default).

P=$$
ns_i=omni-ci-$P
ns_n=omni-cn-$P
ns_s=omni-cs-$P
ns_r1=omni-cr1-$P
ns_r2=omni-cr2-$P
ns_a=omni-ca-$P
ns_b=omni-cb-$P
ns_c=omni-cc-$P
CL_HOST_PORT=${CL_HOST_PORT-tap}
CL_METRICS=127.0.0.1:9586

# DPDK's EAL keeps allocations for the life of the process: LeakSanitizer
# would report them at exit.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

cl_need_tools() {
	local t
	need_root
	for t in turnserver nft iperf3 ping ip python3; do
		if ! command -v "$t" >/dev/null; then
			echo "SKIP: $t not found (tools/setup installs it)"
			exit 77
		fi
	done
	[ -x "$omni" ] || { echo "FAIL: $omni not built"; exit 1; }
}

cl_init() {
	local s
	tmp=$(mktemp -d /tmp/omni-cl.XXXXXX) || return 1
	for s in a b c; do
		"$omni" --init --key "$tmp/$s.key" >"$tmp/$s.init" 2>&1 || {
			cat "$tmp/$s.init"
			return 1
		}
		"$omni" --show-identity --key "$tmp/$s.key" >"$tmp/$s.pub" || return 1
	done
}

cl_pub() { cat "$tmp/$1.pub"; }

# The edge NAME's namespace and underlay interface.
cl_ns() { eval "echo \$ns_$1"; }
cl_if() { echo "cu$1$P"; }

# cl_link NS IF ADDR...: a veth IF in NS, its other end on the bridge.
cl_link() {
	local ns=$1 ifc=$2 a
	shift 2
	ip link add "$ifc" netns "$ns" type veth peer name "b$ifc" netns "$ns_i" || return 1
	ip -n "$ns_i" link set "b$ifc" master "cb$P" up || return 1
	for a; do
		case $a in
		*:*) ip -n "$ns" addr add "$a" dev "$ifc" nodad ;;
		*) ip -n "$ns" addr add "$a" dev "$ifc" ;;
		esac || return 1
	done
	ip -n "$ns" link set "$ifc" up
}

cl_bridge() {
	make_ns "$ns_i" || return 1
	ip -n "$ns_i" link add "cb$P" type bridge forward_delay 0 stp_state 0 || return 1
	ip -n "$ns_i" link set "cb$P" up
}

# cl_nat ROUTER PUBLIC_ADDR PRIVATE_GW EDGE EDGE_ADDR: a NAT router on the
# bridge with edge EDGE behind it; masquerade out of the public side, and,
# like a home router's firewall, unsolicited UDP from outside dropped.
# Without that drop, hole punching meets Linux conntrack's port clash: the
# other side's first packet, sent to us before our own packet left, makes
# a conntrack entry for the router itself on PUBLIC:51820 <-> PEER:51820,
# so our own packet to the peer is masqueraded to another source port; the
# peer's NAT knows only the first mapping, and every retry (from the same
# ports) keeps both stale entries alive. Dropped in the input hook, the
# unsolicited packet's entry is never confirmed, so it takes no port.
cl_nat() {
	local r=$1 pub=$2 gw=$3 e=$4 eaddr=$5 ns_r ns_e pif=cp$1$P rif=cr$1$P eif
	ns_r=$(eval "echo \$ns_$r")
	ns_e=$(cl_ns "$e")
	eif=$(cl_if "$e")
	cl_link "$ns_r" "$pif" "$pub/24" || return 1
	ip link add "$rif" netns "$ns_r" type veth peer name "$eif" netns "$ns_e" || return 1
	ip -n "$ns_r" addr add "$gw/25" dev "$rif" && ip -n "$ns_r" link set "$rif" up || return 1
	ip -n "$ns_e" addr add "$eaddr/25" dev "$eif" && ip -n "$ns_e" link set "$eif" up || return 1
	ip -n "$ns_e" route add default via "$gw" || return 1
	ip netns exec "$ns_r" sysctl -qw net.ipv4.ip_forward=1 || return 1
	ip netns exec "$ns_r" nft -f - <<-NFT
	table ip omni_nat {
		chain post {
			type nat hook postrouting priority srcnat;
			oifname "$pif" masquerade
		}
		chain in {
			type filter hook input priority filter;
			iifname "$pif" meta l4proto udp ct state new drop
		}
	}
	NFT
}

# Named counters on the bridge: what crosses "the internet", by pair.
cl_bridge_counters() {
	ip netns exec "$ns_i" nft -f - <<-NFT
	table bridge omni_count {
		counter a_to_b {}
		counter b_to_a {}
		counter to_nucleus {}
		counter from_nucleus {}
		counter c_to_nucleus {}
		counter nucleus_to_c {}
		chain forward {
			type filter hook forward priority filter;
			ip saddr 203.0.113.11 ip daddr 203.0.113.12 meta l4proto udp counter name a_to_b
			ip saddr 203.0.113.12 ip daddr 203.0.113.11 meta l4proto udp counter name b_to_a
			ip daddr 203.0.113.1 meta l4proto udp counter name to_nucleus
			ip saddr 203.0.113.1 meta l4proto udp counter name from_nucleus
			ip saddr 203.0.113.20 ip daddr 203.0.113.1 meta l4proto udp counter name c_to_nucleus
			ip saddr 203.0.113.1 ip daddr 203.0.113.20 meta l4proto udp counter name nucleus_to_c
		}
	}
	NFT
}

# cl_count NAME [bytes]: packets (or bytes) through the bridge counter NAME.
cl_count() {
	ip netns exec "$ns_i" nft list counter bridge omni_count "$1" |
		awk -v w="${2:-packets}" '{ for (i = 1; i < NF; i++) if ($i == w) print $(i + 1) }'
}

cl_topology_v4() {
	make_ns "$ns_n" "$ns_s" "$ns_r1" "$ns_r2" "$ns_a" "$ns_b" "$ns_c" || return 1
	cl_bridge || return 1
	cl_link "$ns_n" "cun$P" 203.0.113.1/24 2001:db8:1::1/64 || return 1
	cl_link "$ns_s" "cus$P" 203.0.113.2/24 || return 1
	cl_link "$ns_c" "$(cl_if c)" 203.0.113.20/24 || return 1
	cl_nat r1 203.0.113.11 198.51.100.1 a 198.51.100.2 || return 1
	cl_nat r2 203.0.113.12 198.51.100.129 b 198.51.100.130 || return 1
	cl_bridge_counters
}

# Dual stack: N, A and B straight on the bridge with 192.0.2.1, .2, .3 and
# 2001:db8:1::1, ::2, ::3; the bridge counts WireGuard's port to B by
# family (counters v4_to_b, v6_to_b).
cl_topology_dual() {
	make_ns "$ns_n" "$ns_a" "$ns_b" || return 1
	cl_bridge || return 1
	cl_link "$ns_n" "cun$P" 192.0.2.1/24 2001:db8:1::1/64 || return 1
	cl_link "$ns_a" "$(cl_if a)" 192.0.2.2/24 2001:db8:1::2/64 || return 1
	cl_link "$ns_b" "$(cl_if b)" 192.0.2.3/24 2001:db8:1::3/64 || return 1
	ip netns exec "$ns_i" nft -f - <<-NFT
	table bridge omni_count {
		counter v4_to_b {}
		counter v6_to_b {}
		chain forward {
			type filter hook forward priority filter;
			ip daddr 192.0.2.3 udp dport 51820 counter name v4_to_b
			ip6 daddr 2001:db8:1::3 udp dport 51820 counter name v6_to_b
		}
	}
	NFT
}

cl_topology_v6() {
	make_ns "$ns_n" "$ns_a" "$ns_b" || return 1
	cl_bridge || return 1
	cl_link "$ns_n" "cun$P" 2001:db8:1::1/64 || return 1
	cl_link "$ns_a" "$(cl_if a)" 2001:db8:1::2/64 || return 1
	cl_link "$ns_b" "$(cl_if b)" 2001:db8:1::3/64
}

# cl_start NAME NS COMMAND...: in the background, output in $tmp/NAME.log,
# its PID in pid_NAME and $pids.
cl_start() {
	local name=$1 ns=$2
	shift 2
	ip netns exec "$ns" "$@" >"$tmp/$name.log" 2>&1 &
	pids="$pids $!"
	eval "pid_$name=$!"
}

cl_stop() {
	local pid rc
	eval "pid=\${pid_$1:-}"
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rc=$?
	forget_pid "$pid"
	eval "pid_$1="
	return "$rc"
}

# cl_until TENTHS COMMAND...: runs COMMAND every 0.1 s until it succeeds
# (0), or says give up (2), or TENTHS tries are over (1).
cl_until() {
	local n=$1 rc
	shift
	while [ "$n" -gt 0 ]; do
		"$@"
		rc=$?
		[ "$rc" = 0 ] || [ "$rc" = 2 ] && return "$rc"
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# cl_log_has GREP_MODE NAME PATTERN: the log of NAME has a matching line.
cl_log_has() { grep "$1" -q -- "$3" "$tmp/$2.log" 2>/dev/null; }

# cl_wait_grep GREP_MODE NAME PATTERN [S]: the body of the two below.
cl_wait_grep() {
	cl_until $((${4:-20} * 10)) cl_log_has "$1" "$2" "$3" && return 0
	local name=$2 pat=$3
	echo "$name logged no line matching: $pat"
	grep -v '^stats: ' "$tmp/$name.log" | tail -n 15 | sed "s/^/    $name: /"
	return 1
}
cl_wait_log() { cl_wait_grep -E "$@"; }
cl_wait_fixed() { cl_wait_grep -F "$@"; }

cl_nucleus_start() {
	cl_start nucleus "$ns_n" "$omni" --mode nucleus --port 51820 --cluster lab \
		--secret "$secret" --metrics "$CL_METRICS" "$@"
	cl_wait_log nucleus "^nucleus: udp port 51820" 30
}

# cl_metric KEY: one series of the nucleus's /metrics (0 when absent);
# cl_metric_sum PREFIX: the sum of the series whose line starts so.
cl_metrics() {
	ip netns exec "$ns_n" python3 -c '
import sys, urllib.request
print(urllib.request.urlopen("http://" + sys.argv[1] + "/metrics", timeout=5).read().decode())' \
		"$CL_METRICS"
}
cl_metric() { cl_metrics | awk -v k="$1" '$1 == k { v = $2 } END { print v + 0 }'; }
cl_metric_sum() {
	cl_metrics | awk -v p="$1" 'index($0, p) == 1 { s += $NF } END { print s + 0 }'
}

# cl_listening NS ADDR:PORT [-t]: a UDP (or with -t TCP) socket listens there.
cl_listening() { ip netns exec "$1" ss -ln "${3:--u}" | grep -q "$2 "; }

# coturn as a plain STUN server: no config file, no CLI, no TLS, its files
# and log in $tmp.
cl_stun_start() {
	cl_start turn "$ns_s" turnserver -n --no-cli --stun-only --no-tls --no-dtls \
		--listening-ip 203.0.113.2 --listening-port 3478 --pidfile "$tmp/turn.pid" \
		--userdb "$tmp/turndb" --log-file stdout --simple-log
	cl_until 50 cl_listening "$ns_s" "203.0.113.2:3478" && return 0
	echo "turnserver did not listen on 203.0.113.2:3478"
	tail -n 20 "$tmp/turn.log"
	return 1
}

# cl_edge_up NS VIP PID: omni0 holds the VIP (0); the edge died (2).
cl_edge_up() {
	ip -n "$1" addr show omni0 2>/dev/null | grep -q "inet ${2%/*}/" && return 0
	kill -0 "$3" 2>/dev/null || return 2
	return 1
}

# cl_edge_start NAME VIP VIP6 SECRET NUCLEUS [ARGS...]: VIP6 may be "".
cl_edge_start() {
	local name=$1 vip=$2 vip6=$3 sec=$4 nuc=$5 ns pid
	shift 5
	ns=$(cl_ns "$name")
	[ -n "$vip6" ] && set -- --vip6 "$vip6" "$@"
	[ -n "$CL_HOST_PORT" ] && set -- --host-port "$CL_HOST_PORT" "$@"
	cl_start "$name" "$ns" "$omni" --key "$tmp/$name.key" --underlay "$(cl_if "$name")" \
		--nucleus "$nuc" --cluster lab --vip "$vip" --secret "$sec" --metrics off "$@"
	eval "pid=\$pid_$name"
	cl_until 200 cl_edge_up "$ns" "$vip" "$pid" && return 0
	echo "edge $name did not bring omni0 up with $vip"
	grep -v '^stats: ' "$tmp/$name.log" | tail -n 20 | sed "s/^/    $name: /"
	return 1
}

# cl_blocks NAME: prints how many blocks of counters the edge printed;
# cl_blocks NAME N: there are more than N.
cl_blocks() {
	local c
	c=$(grep -c '^stats: sig_registered' "$tmp/$1.log")
	[ $# = 1 ] && echo "$c" && return 0
	[ "$c" -gt "$2" ]
}

# cl_stat NAME KEY: asks the edge for fresh counters (SIGUSR1), then reads
# KEY from the latest block.
cl_stat() {
	local name=$1 pid n
	eval "pid=\${pid_$name:-}"
	if [ -n "$pid" ]; then
		n=$(cl_blocks "$name")
		kill -USR1 "$pid" 2>/dev/null
		cl_until 50 cl_blocks "$name" "$n"
	fi
	awk -v k="$2" '$1 == "stats:" && $2 == k { v = $3 } END { print v + 0 }' "$tmp/$name.log"
}

# Stops every process (SIGTERM, by PID) and deletes the namespaces, so a
# second topology can follow in the same run.
cl_teardown() {
	local p ns
	for p in $pids; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	pids=
	for ns in $made_ns; do
		ip netns del "$ns"
	done
	made_ns=
}

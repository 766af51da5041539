# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# cluster_lib.sh: a whole OmniNervous cluster in network namespaces, for
# tests/e2e/cluster.sh and tools/demo. Sourced after lib.sh, whose helpers
# it builds on; it defines only the cluster's topology (cl_*), nothing that
# lib.sh has.
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
#   cl_nucleus_start [ARGS...]    omninervous --mode nucleus in N (process
#                                 and log "nucleus"), /metrics on
#                                 127.0.0.1:9586 there (cl_metric KEY)
#   cl_stun_start                 coturn as a plain STUN server in S ("turn")
#   cl_edge_start NAME VIP VIP6 SECRET NUCLEUS [ARGS...]
#                                 edge NAME (a, b or c) in its namespace
#                                 (lib.sh's edge_start: process and log NAME)
# The processes are lib.sh's: bg_stop NAME, wait_log NAME, edge_stat NAME,
# teardown.
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
asan_no_leaks

cl_need_tools() {
	need_root
	need_tools turnserver nft iperf3 ping ip python3
	need_built "$omni"
}

cl_init() {
	local s
	e2e_tmp cl
	for s in a b c; do
		"$omni" --init --key "$tmp/$s.key" >"$tmp/$s.init" 2>&1 || {
			cat "$tmp/$s.init"
			return 1
		}
		"$omni" --show-identity --key "$tmp/$s.key" >"$tmp/$s.pub" || return 1
	done
}

cl_pub() { cat "$tmp/$1.pub"; }

# phase_end NAME: stops everything, keeps the logs as *-NAME.log.
phase_end() {
	local f
	teardown
	for f in "$tmp"/a.log "$tmp"/b.log "$tmp"/c.log "$tmp"/nucleus.log "$tmp"/turn.log \
		"$tmp"/edge.log; do
		[ -f "$f" ] && mv "$f" "${f%.log}-$1.log"
	done
}

# The edge NAME's namespace and underlay interface.
cl_ns() { eval "echo \$ns_$1"; }
cl_if() { echo "cu$1$P"; }

# cl_link NS IF ADDR...: a veth IF in NS, its other end on the bridge.
cl_link() {
	local ns=$1 ifc=$2
	shift 2
	veth "$ns" "$ifc" "$ns_i" "b$ifc" && bridge_port "$ns_i" "cb$P" "b$ifc" &&
		addr "$ns" "$ifc" "$@"
}

cl_bridge() {
	make_ns "$ns_i"
	bridge "$ns_i" "cb$P"
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
	veth "$ns_r" "$rif" "$ns_e" "$eif" || return 1
	addr "$ns_r" "$rif" "$gw/25" && addr "$ns_e" "$eif" "$eaddr/25" || return 1
	ip -n "$ns_e" route add default via "$gw" || return 1
	nat "$ns_r" "$pif" firewall
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
	make_ns "$ns_n" "$ns_s" "$ns_r1" "$ns_r2" "$ns_a" "$ns_b" "$ns_c"
	cl_bridge || return 1
	cl_link "$ns_n" "cun$P" 203.0.113.1/24 2001:db8:1::1/64 || return 1
	cl_link "$ns_s" "cus$P" 203.0.113.2/24 || return 1
	cl_link "$ns_c" "$(cl_if c)" 203.0.113.20/24 || return 1
	cl_nat r1 203.0.113.11 198.51.100.1 a 198.51.100.2 || return 1
	cl_nat r2 203.0.113.12 198.51.100.129 b 198.51.100.130 || return 1
	cl_bridge_counters
}

# Dual stack: N, A and B straight on the bridge with 192.0.2.1, .2, .3 and
# 2001:db8:1::1, ::2, ::3; the bridge counts what A sends to B's port by
# family (counters v4_to_b, v6_to_b): A's packets only, since the
# nucleus's signaling to B goes to the same port.
cl_topology_dual() {
	make_ns "$ns_n" "$ns_a" "$ns_b"
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
			ip saddr 192.0.2.2 ip daddr 192.0.2.3 udp dport 51820 counter name v4_to_b
			ip6 saddr 2001:db8:1::2 ip6 daddr 2001:db8:1::3 udp dport 51820 counter name v6_to_b
		}
	}
	NFT
}

cl_topology_v6() {
	make_ns "$ns_n" "$ns_a" "$ns_b"
	cl_bridge || return 1
	cl_link "$ns_n" "cun$P" 2001:db8:1::1/64 || return 1
	cl_link "$ns_a" "$(cl_if a)" 2001:db8:1::2/64 || return 1
	cl_link "$ns_b" "$(cl_if b)" 2001:db8:1::3/64
}

# cl_secret_file NAME SECRET: $tmp/NAME.secret, mode 0600, for --secret-file
# (the secret stays off the command line, as docs/signaling.md shows).
cl_secret_file() {
	(umask 077 && printf '%s\n' "$2" >"$tmp/$1.secret") && echo "$tmp/$1.secret"
}

cl_nucleus_start() {
	nucleus_start nucleus "$ns_n" --port 51820 --cluster lab \
		--secret-file "$(cl_secret_file nucleus "$secret")" --metrics "$CL_METRICS" "$@"
}

# cl_metric KEY: one series of the nucleus's /metrics (0 when absent);
# cl_metric_sum PREFIX: the sum of the series whose line starts so.
cl_metrics() { http_get "$ns_n" "http://$CL_METRICS/metrics" | tail -n +2; }
cl_metric() { cl_metrics | awk -v k="$1" '$1 == k { v = $2 } END { print v + 0 }'; }
cl_metric_sum() {
	cl_metrics | awk -v p="$1" 'index($0, p) == 1 { s += $NF } END { print s + 0 }'
}

# coturn as a plain STUN server: no config file, no CLI, no TLS, its files
# and log in $tmp.
cl_stun_start() {
	bg_start turn "$ns_s" turnserver -n --no-cli --stun-only --no-tls --no-dtls \
		--listening-ip 203.0.113.2 --listening-port 3478 --pidfile "$tmp/turn.pid" \
		--userdb "$tmp/turndb" --log-file stdout --simple-log
	wait_for -t 5 listening "$ns_s" "203.0.113.2:3478" >/dev/null && return 0
	echo "turnserver did not listen on 203.0.113.2:3478"
	tail -n 20 "$tmp/turn.log"
	return 1
}

# cl_edge_start NAME VIP VIP6 SECRET NUCLEUS [ARGS...]: VIP6 may be "".
cl_edge_start() {
	local name=$1 vip=$2 vip6=$3 sec=$4 nuc=$5
	shift 5
	[ -n "$vip6" ] && set -- --vip6 "$vip6" "$@"
	[ -n "$CL_HOST_PORT" ] && set -- --host-port "$CL_HOST_PORT" "$@"
	edge_start "$name" "$(cl_ns "$name")" --key "$tmp/$name.key" --underlay "$(cl_if "$name")" \
		--nucleus "$nuc" --cluster lab --vip "$vip" \
		--secret-file "$(cl_secret_file "$name" "$sec")" --metrics off "$@"
}

# ---- a routed internet, for NATs of every kind (nat_matrix.sh, bench-connect)
#
#                     ns_i (cl_inet): "the internet", one router
#        +------------------+-------------------+------------------+
#     link 0             link K              link L        (one /29 and one
#     nucleus            an edge with a      a NAT router     /64 each:
#     203.0.113.2        public address      203.0.113.8L+2   router .8K+1,
#     2001:db8:0::2      203.0.113.8K+2      2001:db8:L::2    host .8K+2;
#                        2001:db8:K::2          |             2001:db8:K::1
#                                          private LAN      and ::2)
#                                          198.51.100.16L/28, gw .16L+1,
#                                          edges .16L+2, .16L+3;
#                                          IPv6 2001:db8:1L::/64, gw ::1,
#                                          edges ::2, ::3
#
# Unlike the bridge above, a packet from one NAT to another crosses a
# router (TTL - 1), as it does on the internet: two NATs are not
# neighbours on one wire.
#   cl_inet                       the router namespace
#   cl_inet_host K NS             NS on link K (both families), default
#                                 routes via the router
#   cl_inet_nat K KIND N          a router on link K with N (1 or 2) edge
#                                 namespaces behind it on one LAN (a
#                                 bridge, no hairpin rule); KIND: home (input
#                                 drop), masq (no firewall), sym (random
#                                 ports), fw6 (IPv6 routed, stateful
#                                 firewall: only replies come in)
#   cl_inet_ns K E, cl_inet_if K E
#                                 the namespace and underlay interface of
#                                 edge E (1, 2; 0 = the host on the link)
#   cl_inet_ip K E [6]            its address
ns_ir=omni-mi-$P

cl_inet() {
	make_ns "$ns_ir"
	ip netns exec "$ns_ir" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
}

cl_inet_ns() { echo "omni-m$1e$2-$P"; }
cl_inet_if() { echo "m$1e$2$P"; }

cl_inet_ip() {
	local k=$1 e=$2
	if [ "$e" = 0 ]; then
		[ "${3:-}" = 6 ] && echo "2001:db8:$k::2" || echo "203.0.113.$((8 * k + 2))"
	else
		[ "${3:-}" = 6 ] && echo "2001:db8:1$k::$((e + 1))" ||
			echo "198.51.100.$((16 * k + e + 1))"
	fi
}

# cl_inet_host K NS [IF]: NS joins the internet on link K.
cl_inet_host() {
	local k=$1 ns=$2 ifc=${3:-$(cl_inet_if "$1" 0)}
	veth "$ns_ir" "mi$k$P" "$ns" "$ifc" || return 1
	addr "$ns_ir" "mi$k$P" "203.0.113.$((8 * k + 1))/29" "2001:db8:$k::1/64" &&
		addr "$ns" "$ifc" "203.0.113.$((8 * k + 2))/29" "2001:db8:$k::2/64" || return 1
	ip -n "$ns" route add default via "203.0.113.$((8 * k + 1))" &&
		ip -n "$ns" -6 route add default via "2001:db8:$k::1"
}

# IPv6 through the router, only what answers our own packets coming in.
cl_inet_fw6() {
	ip netns exec "$1" nft -f - <<-NFT
	table ip6 omni_fw {
		chain forward {
			type filter hook forward priority filter; policy drop;
			ct state established,related accept
			iifname "$2" drop
			accept
		}
	}
	NFT
}

cl_inet_nat() {
	local k=$1 kind=$2 n=$3 r e ns br=mb$1$P pub=mr$1$P
	r=$(cl_inet_ns "$k" r)
	make_ns "$r"
	cl_inet_host "$k" "$r" "$pub" || return 1
	bridge "$r" "$br" && addr "$r" "$br" "198.51.100.$((16 * k + 1))/28" "2001:db8:1$k::1/64" ||
		return 1
	ip -n "$ns_ir" -6 route add "2001:db8:1$k::/64" via "2001:db8:$k::2" || return 1
	for ((e = 1; e <= n; e++)); do
		ns=$(cl_inet_ns "$k" "$e")
		make_ns "$ns"
		veth "$r" "mb$k$e$P" "$ns" "$(cl_inet_if "$k" "$e")" &&
			bridge_port "$r" "$br" "mb$k$e$P" || return 1
		if [ "$kind" = fw6 ]; then
			addr "$ns" "$(cl_inet_if "$k" "$e")" "$(cl_inet_ip "$k" "$e" 6)/64" &&
				ip -n "$ns" -6 route add default via "2001:db8:1$k::1" || return 1
		else
			addr "$ns" "$(cl_inet_if "$k" "$e")" "$(cl_inet_ip "$k" "$e")/28" &&
				ip -n "$ns" route add default via "198.51.100.$((16 * k + 1))" || return 1
		fi
	done
	case $kind in
	home) nat "$r" "$pub" firewall ;;
	masq) nat "$r" "$pub" ;;
	sym) nat "$r" "$pub" symmetric ;;
	fw6) ip netns exec "$r" sysctl -qw net.ipv6.conf.all.forwarding=1 && cl_inet_fw6 "$r" "$pub" ;;
	*) echo "cl_inet_nat: no NAT kind $kind"; return 1 ;;
	esac
}

# ---- every NAT kind at once on the routed internet (nat_matrix.sh,
# tools/bench-connect): one namespace set per kind and side, so a pair of
# edges (A, B) can be started in any two kinds without a new topology.
#   cl_matrix_topology            the internet, the nucleus's namespace
#                                 (ns_n, link 0, 203.0.113.2 and
#                                 2001:db8:0::2) and every kind below
#   cl_matrix_edge SIDE KIND VIP [ARGS...]
#                                 edge SIDE (a or b: its key and log name)
#                                 where KIND puts that side's edge: pub,
#                                 home, masq, sym, pub6, fw6 (cl_inet_nat),
#                                 same (A and B behind one masquerade NAT)
#   cl_matrix_ns SIDE KIND        its namespace
#   cl_matrix_ping SIDE KIND VIP  pings VIP from there every 50 ms until
#                                 the first reply (15 s at most): prints the
#                                 ms it took, fails without a reply
#   cl_matrix_turn SECRET         coturn as a TURN server (use-auth-secret
#                                 with SECRET, from a 0600 file) on link 7,
#                                 203.0.113.58:3478 (process and log
#                                 "turn"); again with another secret: one
#                                 that refuses the nucleus's credentials
# Link numbers: the nucleus 0; A's kinds 1.., B's kinds 8..; same 14.
declare -A cl_link_a=([pub]=1 [home]=2 [masq]=3 [sym]=4 [pub6]=5 [fw6]=6)
declare -A cl_link_b=([pub]=8 [home]=9 [masq]=10 [sym]=11 [pub6]=12 [fw6]=13)
cl_same_link=14

cl_matrix_topology() {
	local k kind
	ns_n=$(cl_inet_ns 0 0)
	cl_inet || return 1
	make_ns "$ns_n"
	cl_inet_host 0 "$ns_n" || return 1
	for kind in pub pub6; do
		for k in "${cl_link_a[$kind]}" "${cl_link_b[$kind]}"; do
			make_ns "$(cl_inet_ns "$k" 0)"
			cl_inet_host "$k" "$(cl_inet_ns "$k" 0)" || return 1
		done
	done
	for kind in home masq sym fw6; do
		for k in "${cl_link_a[$kind]}" "${cl_link_b[$kind]}"; do
			cl_inet_nat "$k" "$kind" 1 || return 1
		done
	done
	cl_inet_nat "$cl_same_link" masq 2
}

# cl_matrix_where SIDE KIND: "LINK EDGE" of that side's edge.
cl_matrix_where() {
	local k
	[ "$1" = a ] && k=${cl_link_a[$2]:-} || k=${cl_link_b[$2]:-}
	case $2 in
	same) [ "$1" = a ] && echo "$cl_same_link 1" || echo "$cl_same_link 2" ;;
	pub | pub6) echo "$k 0" ;;
	*) echo "$k 1" ;;
	esac
}

cl_matrix_ns() {
	local k e
	read -r k e <<<"$(cl_matrix_where "$1" "$2")"
	cl_inet_ns "$k" "$e"
}

cl_matrix_edge() {
	local side=$1 kind=$2 vip=$3 k e nuc=203.0.113.2:51820
	shift 3
	read -r k e <<<"$(cl_matrix_where "$side" "$kind")"
	case $kind in *6) nuc="[2001:db8:0::2]:51820" ;; esac
	edge_start "$side" "$(cl_inet_ns "$k" "$e")" --key "$tmp/$side.key" --host-port tap \
		--underlay "$(cl_inet_if "$k" "$e")" --nucleus "$nuc" --cluster lab --vip "$vip" \
		--secret "$secret" --metrics off "$@"
}

# The clock starts at the caller's $cl_t0 (now_ms), taken before B started.
cl_matrix_ping() {
	ip netns exec "$(cl_matrix_ns "$1" "$2")" ping -n -q -c 1 -i 0.05 -w 15 "$3" \
		>"$tmp/ping.out" 2>&1 || return 1
	echo $(($(now_ms) - cl_t0))
}

cl_turn_ip=203.0.113.58
cl_matrix_turn() {
	local ns
	ns=$(cl_inet_ns 7 0)
	[ -e "/run/netns/$ns" ] || { make_ns "$ns" && cl_inet_host 7 "$ns"; } || return 1
	(umask 077 && printf 'static-auth-secret=%s\n' "$1" >"$tmp/turnserver.conf") || return 1
	bg_start turn "$ns" turnserver -c "$tmp/turnserver.conf" --no-cli --no-tls --no-dtls \
		--use-auth-secret --realm omni.test --user-quota 4 --listening-ip "$cl_turn_ip" \
		--relay-ip "$cl_turn_ip" --listening-port 3478 --min-port 50000 --max-port 50100 \
		--pidfile "$tmp/turn.pid" --userdb "$tmp/turndb" --log-file stdout --simple-log
	wait_for -t 5 listening "$ns" "$cl_turn_ip:3478" >/dev/null && return 0
	echo "turnserver did not listen on $cl_turn_ip:3478"
	tail -n 20 "$tmp/turn.log"
	return 1
}

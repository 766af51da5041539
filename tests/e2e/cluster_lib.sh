# SPDX-License-Identifier: MIT
#
# cluster_lib.sh: the NAT topology of tests/e2e/cluster.sh, also used by
# tools/demo (sourced after netns_lib.sh; uses its make_ns, $pids, $tmp).
# The caller sets P (a suffix, e.g. $$), omni (the executable) and secret.
#
#   cluster_keys NAME...     wg keys $tmp/NAME.key and .pub
#   topology_v4              the namespaces of cluster.sh's drawing
#   start NAME NS CMD...     a background process, output in $tmp/NAME.log,
#                            its PID in $pid_NAME and $pids
#   edge NAME NS IF VIP SECRET NUCLEUS [ARGS...]   an edge of cluster "lab"
#   wait_log NAME REGEX [SECONDS]

cluster_keys() {
	local s
	for s; do
		(umask 077; wg genkey >"$tmp/$s.key" && wg pubkey <"$tmp/$s.key" >"$tmp/$s.pub") ||
			return 1
	done
}

# link NS IF ADDR...: a veth from NS (named IF) to the bridge in netns I.
link() {
	local ns=$1 ifc=$2 a
	shift 2
	ip link add "$ifc" netns "$ns" type veth peer name "b$ifc" netns "cI$P" || return 1
	ip -n "cI$P" link set "b$ifc" master brI up
	for a; do
		ip -n "$ns" addr add "$a" dev "$ifc" nodad 2>/dev/null || ip -n "$ns" addr add "$a" dev "$ifc"
	done
	ip -n "$ns" link set "$ifc" up
}

# nat NS PUBLIC_IF PRIVATE_IF PRIVATE_ADDR EDGE_NS EDGE_IF EDGE_ADDR: a NAT
# router with an edge behind it.
nat() {
	local ns=$1 pub=$2 priv=$3 gw=$4 edge=$5 eif=$6 eaddr=$7
	ip link add "$priv" netns "$ns" type veth peer name "$eif" netns "$edge" || return 1
	ip -n "$ns" addr add "$gw/25" dev "$priv"
	ip -n "$ns" link set "$priv" up
	ip -n "$edge" addr add "$eaddr/25" dev "$eif"
	ip -n "$edge" link set "$eif" up
	ip -n "$edge" route add default via "$gw"
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$ns" nft -f - <<-NFT
	table ip omni_nat {
		chain post {
			type nat hook postrouting priority srcnat;
			oifname "$pub" masquerade
		}
		chain guard {
			type filter hook input priority filter;
			ct state new udp dport 51820 drop
		}
		chain count {
			type filter hook forward priority filter;
			ip daddr 203.0.113.11 udp dport 51820 counter
			ip daddr 203.0.113.12 udp dport 51820 counter
		}
	}
	NFT
}

topology_v4() {
	make_ns "cI$P" "cN$P" "cS$P" "cR1$P" "cR2$P" "cA$P" "cB$P" "cC$P"
	ip -n "cI$P" link add brI type bridge && ip -n "cI$P" link set brI up || return 1
	link "cN$P" n$P 203.0.113.1/24 && link "cS$P" s$P 203.0.113.2/24 &&
		link "cR1$P" r1$P 203.0.113.11/24 && link "cR2$P" r2$P 203.0.113.12/24 &&
		link "cC$P" c$P 203.0.113.20/24 || return 1
	nat "cR1$P" r1$P i1$P 198.51.100.1 "cA$P" a$P 198.51.100.2 &&
		nat "cR2$P" r2$P i2$P 198.51.100.129 "cB$P" b$P 198.51.100.130
}

# start NAME NS ARGS...: a background process, its output in $tmp/NAME.log.
start() {
	local name=$1 ns=$2
	shift 2
	ip netns exec "$ns" "$@" >"$tmp/$name.log" 2>&1 &
	pids="$pids $!"
	eval "pid_$name=$!"
}

# edge NAME NS UNDERLAY VIP SECRET NUCLEUS [extra...]
edge() {
	local name=$1 ns=$2 ifc=$3 vip=$4 sec=$5 nuc=$6
	shift 6
	start "$name" "$ns" "$omni" --key "$tmp/$name.key" --underlay "$ifc" --nucleus "$nuc" \
		--cluster lab --vip "$vip" --secret "$sec" --host-port tap --metrics off "$@"
}

# wait_log NAME REGEX [SECONDS]
wait_log() {
	local i
	for i in $(seq $((${3:-20} * 10))); do
		grep -Eq -- "$2" "$tmp/$1.log" && return 0
		sleep 0.1
	done
	echo "$1 never logged: $2"
	grep -v '^stats: ' "$tmp/$1.log" | tail -n 20
	return 1
}


#!/bin/bash
# SPDX-License-Identifier: MIT
#
# STUN against a real server: coturn (turnserver --stun-only) in its own
# namespace, and stun-probe (signaling/stun.c over a UDP socket) behind an
# nftables masquerade NAT learns the NAT's public address as its reflexive
# address; over IPv6 (routed, not translated) it learns its own address.
# With and without FINGERPRINT in the request.
#
#  +----------------------+   +-------------------------------+   +-------------------------+
#  | netns omni-tc-PID    |   | netns omni-tn-PID (router)    |   | netns omni-ts-PID       |
#  |  stun-probe          |   |  nft masquerade out of tno    |   |  turnserver --stun-only |
#  |  tc 192.0.2.2/24  ------- tni 192.0.2.1/24               |   |    udp 3478             |
#  |     2001:db8:1::2/64 |   |     2001:db8:1::1/64          |   |                         |
#  |                      |   |  tno 198.51.100.1/24 ------------ ts 198.51.100.2/24      |
#  |                      |   |      2001:db8:5::1/64         |   |    2001:db8:5::2/64     |
#  +----------------------+   +-------------------------------+   +-------------------------+
#
# Usage: stun.sh BUILD_DIR
set -u
. "$(dirname "$0")/netns_lib.sh"

build=${1:?usage: $0 BUILD_DIR}
probe=$build/tools/stun-probe/stun-probe
ns_c=omni-tc-$$
ns_n=omni-tn-$$
ns_s=omni-ts-$$

die() {
	echo "FAIL: $*"
	[ -n "$tmp" ] && [ -f "$tmp/turn.log" ] && tail -n 20 "$tmp/turn.log" | sed 's/^/    turn: /'
	exit 1
}

need_root
for tool in turnserver nft ip; do
	if ! command -v "$tool" >/dev/null; then
		echo "SKIP: $tool not found (tools/setup installs coturn and nftables)"
		exit 77
	fi
done
[ -x "$probe" ] || die "$probe not built"
tmp=$(mktemp -d)

make_ns $ns_c $ns_n $ns_s
ip link add tc$$ netns "$ns_c" type veth peer name tni$$ netns "$ns_n" || die veth
ip link add tno$$ netns "$ns_n" type veth peer name ts$$ netns "$ns_s" || die veth
ip -n "$ns_c" addr add 192.0.2.2/24 dev tc$$
ip -n "$ns_c" addr add 2001:db8:1::2/64 dev tc$$ nodad
ip -n "$ns_n" addr add 192.0.2.1/24 dev tni$$
ip -n "$ns_n" addr add 2001:db8:1::1/64 dev tni$$ nodad
ip -n "$ns_n" addr add 198.51.100.1/24 dev tno$$
ip -n "$ns_n" addr add 2001:db8:5::1/64 dev tno$$ nodad
ip -n "$ns_s" addr add 198.51.100.2/24 dev ts$$
ip -n "$ns_s" addr add 2001:db8:5::2/64 dev ts$$ nodad
for l in "$ns_c tc$$" "$ns_n tni$$" "$ns_n tno$$" "$ns_s ts$$"; do
	set -- $l
	ip -n "$1" link set "$2" up
done
ip -n "$ns_c" route add default via 192.0.2.1
ip -n "$ns_c" -6 route add default via 2001:db8:1::1
ip -n "$ns_s" route add 192.0.2.0/24 via 198.51.100.1 # unused: the NAT hides it
ip -n "$ns_s" -6 route add 2001:db8:1::/64 via 2001:db8:5::1
ip netns exec "$ns_n" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
ip netns exec "$ns_n" nft -f - <<NFT || die "nft"
table ip omni_nat {
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "tno$$" masquerade
	}
}
NFT

# coturn as a plain STUN server: no config file, no CLI, no TLS, its files in $tmp.
ip netns exec "$ns_s" turnserver -n --no-cli --stun-only --no-tls --no-dtls \
	--listening-ip 198.51.100.2 --listening-ip 2001:db8:5::2 --listening-port 3478 \
	--pidfile "$tmp/turn.pid" --userdb "$tmp/turndb" --log-file stdout --simple-log \
	>"$tmp/turn.log" 2>&1 &
pids=$!
ready=
for _ in $(seq 50); do
	if ip netns exec "$ns_s" ss -uln | grep -q "198.51.100.2:3478"; then
		ready=1
		break
	fi
	sleep 0.1
done
[ -n "$ready" ] || die "turnserver did not listen on 198.51.100.2:3478"

probe() { ip netns exec "$ns_c" "$probe" "$@" >"$tmp/probe.out" 2>&1; cat "$tmp/probe.out"; }

out=$(probe --server 198.51.100.2:3478 --port 51820)
# Masquerade keeps a source port that is free on its public side.
check "behind the NAT, the reflexive address is the NAT's: 198.51.100.1:51820" \
	grep -Eq "^mapped 198\.51\.100\.1:51820$" <<<"$out"
out=$(probe --server 198.51.100.2:3478 --port 51821 --fingerprint)
check "with FINGERPRINT in the request: 198.51.100.1:51821" \
	grep -Eq "^mapped 198\.51\.100\.1:51821$" <<<"$out"
out=$(probe --server "[2001:db8:5::2]:3478" --port 51820)
check "over IPv6 (routed): the client's own address 2001:db8:1::2" \
	grep -Eq "^mapped \[2001:db8:1::2\]:51820$" <<<"$out"
out=$(probe --server 198.51.100.2:3490 --tries 2 --timeout-ms 300)
check "no server on the port: no address, exit 1" bash -c "! grep -q mapped <<<'$out'"

[ "$failed" = 0 ] || die "some checks failed"
echo "stun: all checks passed"

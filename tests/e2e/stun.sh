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
. "$(dirname "$0")/lib.sh"

build=${1:?usage: $0 BUILD_DIR}
probe=$build/tools/stun-probe/stun-probe
ns_c=omni-tc-$$
ns_n=omni-tn-$$
ns_s=omni-ts-$$

need_root
need_tools turnserver nft ip
need_built "$probe"
e2e_tmp stun

make_ns "$ns_c" "$ns_n" "$ns_s"
veth "$ns_c" tc$$ "$ns_n" tni$$ || die veth
veth "$ns_n" tno$$ "$ns_s" ts$$ || die veth
addr "$ns_c" tc$$ 192.0.2.2/24 2001:db8:1::2/64
addr "$ns_n" tni$$ 192.0.2.1/24 2001:db8:1::1/64
addr "$ns_n" tno$$ 198.51.100.1/24 2001:db8:5::1/64
addr "$ns_s" ts$$ 198.51.100.2/24 2001:db8:5::2/64
ip -n "$ns_c" route add default via 192.0.2.1
ip -n "$ns_c" -6 route add default via 2001:db8:1::1
ip -n "$ns_s" route add 192.0.2.0/24 via 198.51.100.1 # unused: the NAT hides it
ip -n "$ns_s" -6 route add 2001:db8:1::/64 via 2001:db8:5::1
ip netns exec "$ns_n" sysctl -qw net.ipv6.conf.all.forwarding=1
nat "$ns_n" tno$$ || die "nft"

# coturn as a plain STUN server: no config file, no CLI, no TLS, its files in $tmp.
bg_start turn "$ns_s" turnserver -n --no-cli --stun-only --no-tls --no-dtls \
	--listening-ip 198.51.100.2 --listening-ip 2001:db8:5::2 --listening-port 3478 \
	--pidfile "$tmp/turn.pid" --userdb "$tmp/turndb" --log-file stdout --simple-log
wait_for -t 5 listening "$ns_s" "198.51.100.2:3478" ||
	die "turnserver did not listen on 198.51.100.2:3478"

# stun_probe ARGS...: its output, then "exit N".
stun_probe() {
	ip netns exec "$ns_c" "$probe" "$@" 2>&1
	echo "exit $?"
}

out=$(stun_probe --server 198.51.100.2:3478 --port 51820)
# Masquerade keeps a source port that is free on its public side.
check "behind the NAT, the reflexive address is the NAT's: 198.51.100.1:51820" \
	grep -Eq "^mapped 198\.51\.100\.1:51820$" <<<"$out"
out=$(stun_probe --server 198.51.100.2:3478 --port 51821 --fingerprint)
check "with FINGERPRINT in the request: 198.51.100.1:51821" \
	grep -Eq "^mapped 198\.51\.100\.1:51821$" <<<"$out"
out=$(stun_probe --server "[2001:db8:5::2]:3478" --port 51820)
check "over IPv6 (routed): the client's own address 2001:db8:1::2" \
	grep -Eq "^mapped \[2001:db8:1::2\]:51820$" <<<"$out"
# The same server, another port: the probe's answer can come only from 3478.
out=$(stun_probe --server 198.51.100.2:3490 --tries 2 --timeout-ms 300)
check "no server on the port: no address, exit 1" bash -c \
	"echo '$out'; ! grep -q mapped <<<'$out' && grep -qx 'exit 1' <<<'$out'"

finish

#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The stock wg(8) against a running DPDK edge, through WireGuard's
# userspace API on /var/run/wireguard/omni0.sock (app/edge_uapi.h):
#  1. the socket (0600); `wg show omni0`, `wg show all dump` (a handshake
#     time, transfer counters that move with a ping), `wg showconf` and
#     its round trip through `wg setconf` (the session kept);
#  2. `wg set omni0 peer KEY allowed-ips ... endpoint ... persistent-keepalive
#     25`, read back through wg and the console (-i on a FIFO, `show peers`);
#     `peer KEY remove`; `listen-port` (the tunnel follows); `private-key
#     FILE` (the new public key; wireguard-go reaches it once told);
#  3. malformed requests by hand (python3): unknown key, bad hex, bad
#     endpoint, allowed_ip with no peer, no '=' (-EPROTO), and a good peer
#     before a bad line: each gets wireguard-go's errno and the
#     configuration stays as it was (wg showconf, byte for byte);
#  4. kill -9 leaves the socket behind: the next start replaces it; a live
#     socket of another process in the namespace refuses start; a clean
#     stop removes the socket.
#
#  +-------------------------------------+     +-------------------------------+
#  | netns omni-uapi-a-PID               |     | netns omni-uapi-b-PID         |
#  |  omni0 10.79.0.1/24 (net_tap)       |     |  wireguard-go wguPID          |
#  |  omninervous, udp 51820, -i < FIFO  |     |    10.79.0.2/24, udp 51821    |
#  |  /var/run/wireguard/omni0.sock      |     |                               |
#  |  vuaPID 192.0.2.1/24 (net_af_xdp) -------- vubPID 192.0.2.2/24           |
#  +-------------------------------------+     +-------------------------------+
#
# Usage: wg_uapi.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
asan_no_leaks

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
ns_a=omni-uapi-a-$$
ns_b=omni-uapi-b-$$
wgif=wgu$$
veth_a=vua$$
veth_b=vub$$
sock=/var/run/wireguard/omni0.sock

# The edge with its console reading a FIFO we hold open (fd 7).
uapi_edge_start() {
	rm -f "$tmp/console.fifo"
	mkfifo "$tmp/console.fifo" || return 1
	exec 7<>"$tmp/console.fifo"
	# bg_start gives its commands /dev/null: the FIFO comes in by exec.
	bg_until edge "$ns_a" 'omninervous: idle: sleeps of ' \
		bash -c 'exec "$@" <"$0"' "$tmp/console.fifo" "$omni" --underlay "$veth_a" \
		--wg-config "$tmp/edge.conf" --host-port tap -i
}

# console_peers: the console's `show peers` (the lines after the last
# answer to `set log-level info`, sent behind it as an end mark) into
# $tmp/peers.txt.
console_peers() {
	local n
	n=$(grep -c "log level: info" "$tmp/edge.log")
	printf 'show peers\nset log-level info\n' >&7
	wait_for log_count_over edge "log level: info" "$n" >/dev/null || return 1
	awk -v n="$n" '/log level: info/ { seen++; next } seen == n' "$tmp/edge.log" |
		grep -E "peer: |keepalive|learned" >"$tmp/peers.txt"
	cat "$tmp/peers.txt"
}

# A raw request ($1, printf escapes) to the socket; its answer on stdout.
raw() {
	python3 - "$sock" "$1" <<-'EOF'
	import socket, sys
	s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	s.connect(sys.argv[1])
	s.sendall(sys.argv[2].encode().decode("unicode_escape").encode())
	s.shutdown(socket.SHUT_WR)
	out = b""
	s.settimeout(10)
	while True:
	    b = s.recv(65536)
	    if not b:
	        break
	    out += b
	sys.stdout.write(out.decode())
	EOF
}

# A set request of 4 MiB less 100 bytes with no end: refused (EMSGSIZE)
# once the edge holds as much as it takes, without waiting for the end.
too_big() {
	python3 - "$sock" <<-'EOF'
	import socket, sys
	s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	s.connect(sys.argv[1])
	body = b"set=1\n" + b"fwmark=0\n" * ((4 * 1024 * 1024 - 106) // 9)
	s.sendall(body)
	s.settimeout(10)
	out = s.recv(100).decode()
	print("answer:", out.strip())
	sys.exit(0 if out == "errno=-90\n\n" else 1)
	EOF
}

hex_of() { base64 -d <"$1" | od -An -tx1 | tr -d ' \n'; }
dump_peer() { wg show all dump | awk -F'\t' -v k="$1" '$1 == "omni0" && $2 == k'; }

socket_mode() {
	ls -l "$sock"
	[ -S "$sock" ] && [ "$(stat -c %a "$sock")" = 600 ]
}

show_works() {
	local out
	out=$(wg show omni0 2>&1)
	echo "$out"
	grep -q "public key: $(cat "$tmp/edge.pub")" <<<"$out" &&
		grep -q "listening port: 51820" <<<"$out" &&
		grep -q "peer: $(cat "$tmp/wg.pub")" <<<"$out" &&
		grep -q "endpoint: 192.0.2.2:51821" <<<"$out" &&
		grep -q "allowed ips: 10.79.0.2/32" <<<"$out" &&
		grep -Eq "latest handshake: (Now|.*second)" <<<"$out" &&
		grep -q "transfer: .* received, .* sent" <<<"$out"
}

# Dump fields: 3 psk, 4 endpoint, 5 allowed ips, 6 handshake, 7 rx, 8 tx,
# 9 keepalive.
dump_moves() {
	local a b now
	a=$(dump_peer "$(cat "$tmp/wg.pub")")
	echo "before: $a"
	now=$(date +%s)
	read -r _ _ _ ep aips hs rx tx ka <<<"$a"
	[ "$ep" = 192.0.2.2:51821 ] && [ "$aips" = 10.79.0.2/32 ] && [ "$ka" = off ] &&
		[ "$hs" -gt $((now - 120)) ] && [ "$hs" -le "$now" ] && [ "$rx" -gt 0 ] &&
		[ "$tx" -gt 0 ] || return 1
	ping_from "$ns_a" 10.79.0.2 >/dev/null || return 1
	b=$(dump_peer "$(cat "$tmp/wg.pub")")
	echo "after a ping: $b"
	[ "$(cut -f7 <<<"$b")" -gt "$rx" ] && [ "$(cut -f8 <<<"$b")" -gt "$tx" ]
}

showconf_round_trip() {
	local hs
	wg showconf omni0 >"$tmp/conf1" || return 1
	sed 's/^PrivateKey = .*/PrivateKey = (hidden)/' "$tmp/conf1"
	grep -qx "PrivateKey = $(cat "$tmp/edge.key")" "$tmp/conf1" &&
		grep -qx "ListenPort = 51820" "$tmp/conf1" &&
		grep -qx "PublicKey = $(cat "$tmp/wg.pub")" "$tmp/conf1" &&
		grep -qx "AllowedIPs = 10.79.0.2/32" "$tmp/conf1" &&
		grep -qx "Endpoint = 192.0.2.2:51821" "$tmp/conf1" || return 1
	# A new session would bring a new handshake time.
	hs=$(dump_peer "$(cat "$tmp/wg.pub")" | cut -f6)
	wg setconf omni0 "$tmp/conf1" || return 1
	wg showconf omni0 >"$tmp/conf2" || return 1
	cmp "$tmp/conf1" "$tmp/conf2" && ping_from "$ns_a" 10.79.0.2 >/dev/null &&
		[ "$(dump_peer "$(cat "$tmp/wg.pub")" | cut -f6)" = "$hs" ] &&
		grep "uapi: set: 0 added, 0 changed, 0 removed" "$tmp/edge.log" | tail -n 1 &&
		echo "unchanged, session kept (handshake at $hs)"
}

set_peer() {
	local out
	wg set omni0 peer "$(cat "$tmp/new.pub")" allowed-ips 10.79.0.9/32,10.79.9.0/24 \
		endpoint 192.0.2.9:51829 persistent-keepalive 25 || return 1
	out=$(dump_peer "$(cat "$tmp/new.pub")")
	echo "$out"
	read -r _ _ _ ep aips _ _ _ ka <<<"$out"
	[ "$ep" = 192.0.2.9:51829 ] && [ "$aips" = 10.79.0.9/32,10.79.9.0/24 ] && [ "$ka" = 25 ] &&
		console_peers && grep -A1 -F "peer: $(cat "$tmp/new.pub")" "$tmp/peers.txt" |
		grep -q "persistent keepalive: every 25 seconds"
}

# As wg(8) does: an allowed IP given to a peer leaves the one that had it
# (both changed in one request; the edge used to refuse it, -EEXIST).
move_prefix() {
	local a b
	wg_keys new2
	wg set omni0 peer "$(cat "$tmp/new.pub")" allowed-ips 10.79.5.0/24 || return 1
	wg set omni0 peer "$(cat "$tmp/new2.pub")" allowed-ips 10.79.5.0/24,10.79.6.0/24 ||
		return 1
	a=$(dump_peer "$(cat "$tmp/new.pub")" | cut -f5)
	b=$(dump_peer "$(cat "$tmp/new2.pub")" | cut -f5)
	echo "first: $a, second: $b"
	[ "$a" = "(none)" ] && [ "$b" = 10.79.5.0/24,10.79.6.0/24 ] &&
		wg set omni0 peer "$(cat "$tmp/new2.pub")" remove
}

remove_peer() {
	wg set omni0 peer "$(cat "$tmp/new.pub")" remove || return 1
	[ -z "$(dump_peer "$(cat "$tmp/new.pub")")" ] || { echo "still in wg show"; return 1; }
	console_peers && grep -qF "peer: $(cat "$tmp/wg.pub")" "$tmp/peers.txt" &&
		! grep -qF "peer: $(cat "$tmp/new.pub")" "$tmp/peers.txt" &&
		echo "gone from wg show and from the console"
}

listen_port_moves() {
	wg set omni0 listen-port 51830 || return 1
	wg show omni0 listen-port | grep -qx 51830 || return 1
	ping_from "$ns_a" 10.79.0.2 || return 1
	ip netns exec "$ns_b" wg show "$wgif" endpoints | tee /dev/stderr |
		grep -q "192.0.2.1:51830"
}

private_key_changes() {
	wg_keys edge2
	wg set omni0 private-key "$tmp/edge2.key" || return 1
	wg show omni0 public-key | grep -qx "$(cat "$tmp/edge2.pub")" || return 1
	# wireguard-go still knows the old key: nothing goes through ...
	if ip netns exec "$ns_a" ping -c 1 -w 3 10.79.0.2 >/dev/null; then
		echo "a ping went through with the old key"
		return 1
	fi
	# ... until it is told the new one (proof the ping could have worked).
	ip netns exec "$ns_b" wg set "$wgif" peer "$(cat "$tmp/edge.pub")" remove &&
		ip netns exec "$ns_b" wg set "$wgif" peer "$(cat "$tmp/edge2.pub")" \
			allowed-ips 10.79.0.1/32 endpoint 192.0.2.1:51830 &&
		ping_from "$ns_a" 10.79.0.2 >/dev/null && echo "new key: ping through"
}

# raw_refused NAME REQUEST ERRNO: answered errno=ERRNO, showconf unchanged.
raw_refused() {
	local out
	wg showconf omni0 >"$tmp/before" || return 1
	out=$(raw "$2")
	echo "$1: $(tr '\n' ' ' <<<"$out")"
	[ "$out" = "errno=$3" ] || return 1
	wg showconf omni0 >"$tmp/after" && cmp "$tmp/before" "$tmp/after"
}

malformed() {
	local k n
	k=$(hex_of "$tmp/new.pub")
	n=$(grep -c "uapi: set refused" "$tmp/edge.log")
	raw_refused "unknown key" 'set=1\nfoo=bar\n\n' -22 &&
		raw_refused "bad hex" "set=1\npublic_key=${k%??}zz\n\n" -22 &&
		raw_refused "short key" "set=1\nprivate_key=abcd\n\n" -22 &&
		raw_refused "bad endpoint" "set=1\npublic_key=$k\nendpoint=192.0.2.9\n\n" -22 &&
		raw_refused "allowed_ip with no peer" 'set=1\nallowed_ip=10.79.7.0/24\n\n' -22 &&
		raw_refused "listen_port after a peer" "set=1\npublic_key=$k\nlisten_port=5\n\n" -22 &&
		raw_refused "no =" 'set=1\nhello\n\n' -71 &&
		raw_refused "a good peer, then a bad line" \
			"set=1\npublic_key=$k\nallowed_ip=10.79.8.0/24\nallowed_ip=10.79.8.300/32\n\n" -22 &&
		raw_refused "trailing byte after get" 'get=1\nx' -22 &&
		[ "$(grep -c "uapi: set refused" "$tmp/edge.log")" -ge $((n + 8)) ] &&
		grep "uapi: set refused" "$tmp/edge.log" | tail -n 2
}

stale_replaced() {
	kill -9 "$(pid_of edge)"
	bg_wait edge 10 >/dev/null
	[ -S "$sock" ] || { echo "no socket left behind to replace"; return 1; }
	wg show omni0 >/dev/null 2>&1 && { echo "a dead socket answered"; return 1; }
	# wg(8) unlinks a socket it cannot connect to: put one back, dead.
	[ -S "$sock" ] || python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$sock"
	[ -S "$sock" ] || return 1
	uapi_edge_start || return 1
	grep "was left by a process that is gone: replaced" "$tmp/edge.log" &&
		wg show omni0 public-key | grep -qx "$(cat "$tmp/edge.pub")"
}

live_refused() {
	local out
	edge_stop edge || return 1
	[ ! -e "$sock" ] || { echo "the socket is still there after a clean stop"; return 1; }
	bg_start holder "$ns_a" python3 -c 'import socket,sys,time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1); print("listening", flush=True); time.sleep(60)' "$sock"
	wait_log holder listening || return 1
	out=$(ip netns exec "$ns_a" timeout 60 "$omni" --underlay "$veth_a" \
		--wg-config "$tmp/edge.conf" --host-port tap 2>&1)
	echo "$out" | grep -v "^EAL" | tail -n 3
	bg_stop holder KILL >/dev/null
	rm -f "$sock"
	grep -q "$sock is in use" <<<"$out"
}

need_root
need_tools wireguard-go wg ip ping python3
need_built "$omni"
e2e_tmp uapi
edge_pair "$ns_a" "$veth_a" "$ns_b" "$veth_b" "$wgif" 10.79.0 || die "topology"
wg_keys new
edge_pair_peer
[ -e "$sock" ] && die "$sock exists: another gateway runs on this host"
uapi_edge_start || die "the edge did not start"

check "the socket is there, mode 0600" socket_mode
check "a ping through the tunnel (the handshake for wg show)" ping_from "$ns_a" 10.79.0.2
check "wg show omni0: keys, port, peer, endpoint, handshake, transfer" show_works
check "wg show all dump: handshake time, transfer counters that move" dump_moves
check "wg showconf, then wg setconf of it: nothing changes, the session stays" \
	showconf_round_trip
check "wg set peer allowed-ips endpoint persistent-keepalive: read back by wg and console" \
	set_peer
check "wg set gives a peer another's allowed IP: it moves" move_prefix
check "wg set peer remove: gone from wg and the console" remove_peer
check "malformed requests: wireguard-go's errno, configuration unchanged" malformed
check "a set request over 4 MiB: errno=-90 (EMSGSIZE) before its end" too_big
check "wg set listen-port 51830: the tunnel follows" listen_port_moves
check "wg set private-key FILE: the new public key, the tunnel needs the peer told" \
	private_key_changes
wg_keys edge2
cp "$tmp/edge2.key" "$tmp/edge.key"
cp "$tmp/edge2.pub" "$tmp/edge.pub"
edge_pair_conf
sed -i 's/^ListenPort = .*/ListenPort = 51830/' "$tmp/edge.conf"
check "kill -9 leaves a dead socket: the next start replaces it" stale_replaced
check "a clean stop removes the socket; a live one refuses start" live_refused
finish

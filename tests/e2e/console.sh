#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The console of a running edge (the edge and a wireguard-go peer in two
# namespaces, lib.sh's edge_pair):
#  1. --cmdfile: every command's output, the argument checks of peer add,
#     and peer del, peer add and reload on the running edge.
#  2. -i through a pseudo-terminal (tmux): help, TAB completion of "sh",
#     history (Up), show peers after a ping with the handshake, port stats
#     that grow, show lcores, quit stopping the edge cleanly, and a ping that
#     runs without loss while the console is open.
#
#  +-------------------------------------+     +-------------------------------+
#  | netns omni-con-a-PID                |     | netns omni-con-b-PID          |
#  |  omni0 10.78.0.1/24 (net_tap)       |     |  wireguard-go wgkPID          |
#  |  omninervous, udp 51820             |     |    10.78.0.2/24, udp 51821    |
#  |    console: --cmdfile, or -i in tmux|     |                               |
#  |  vkaPID 192.0.2.1/24 (net_af_xdp) -------- vkbPID 192.0.2.2/24           |
#  +-------------------------------------+     +-------------------------------+
#
# Usage: console.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
asan_no_leaks

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
ns_a=omni-con-a-$$
ns_b=omni-con-b-$$
wgif=wgk$$
veth_a=vka$$
veth_b=vkb$$
tmux_sock=omni-console-$$

# Lines of the transcript between "omni> CMD" and the next prompt.
section() {
	awk -v cmd="omni> $2" 'index($0, cmd) == 1 { on = 1; next } /^omni> / { on = 0 } on' "$1"
}

want() { # FILE CMD PATTERN...: the command's output matches every pattern
	local file=$1 cmd=$2 out
	shift 2
	out=$(section "$file" "$cmd")
	echo "$cmd:"
	echo "$out"
	for pat; do
		grep -Eq -- "$pat" <<<"$out" || { echo "missing: $pat"; return 1; }
	done
}

cmdfile_case() {
	local key f=$tmp/cmdfile.out
	key=$(cat "$tmp/wg.pub")
	cat >"$tmp/cmds" <<-EOF
	show config
	show peers
	show sessions
	show lcores
	show nucleus
	show port stats
	clear stats
	show port stats
	set log-level debug
	show config
	set log-level verbose
	peer add notakey
	peer add $key allowed-ips 10.0.0.0/33
	peer add $key keepalive 70000
	peer add $key mtu 1400
	peer del $key
	show peers
	peer add $key endpoint 192.0.2.2:51821 allowed-ips 10.78.0.2/32
	show peers
	reload
	nonsense
	EOF
	edge_start edge "$ns_a" --underlay "$veth_a" --wg-config "$tmp/edge.conf" --host-port tap \
		--metrics off --cmdfile "$tmp/cmds" || die "the edge did not start"
	wait_log edge "Read CLI commands" 5 >/dev/null
	edge_stop edge || die "stop after --cmdfile"
	cp "$tmp/edge.log" "$f"
	check "cmdfile: show config" want "$f" "show config" "public key: $(ere "$(cat "$tmp/edge.pub")")" \
		"listen port: 51820" "underlay: $veth_a" "addresses: 10.78.0.1/24" "peers: 1" \
		"log level: info" "single-lcore"
	check "cmdfile: show peers" want "$f" "show peers" "^peer: $(ere "$key")" \
		"endpoint: 192.0.2.2:51821" "allowed ips: 10.78.0.2/32" "latest handshake: never" \
		"transfer: [0-9]+ B received, [0-9]+ B sent"
	check "cmdfile: show sessions" want "$f" "show sessions" "sessions: 0 established of 1 peers"
	check "cmdfile: show lcores" want "$f" "show lcores" "single-lcore mode" \
		"^0 +both +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9.]+%"
	check "cmdfile: show nucleus" want "$f" "show nucleus" "no nucleus configured"
	check "cmdfile: show port stats" want "$f" "show port stats" \
		"port 0 \(underlay, $veth_a\): link up" "port 1 \(host, omni0\): link up" \
		"RX-packets: [0-9]+" "^drops:" "^underlay: native XDP" "^xdp: redirected [0-9]+; drops:"
	check "cmdfile: clear stats" want "$f" "clear stats" "counters cleared"
	check "cmdfile: set log-level" want "$f" "set log-level debug" "log level: debug"
	check "cmdfile: bad log level" want "$f" "set log-level verbose" "Bad arguments"
	check "cmdfile: bad key" want "$f" "peer add notakey" "not a base64 WireGuard key"
	check "cmdfile: bad prefix" want "$f" "peer add $key allowed-ips 10.0.0.0/33" \
		'allowed-ips "10\.0\.0\.0/33"'
	check "cmdfile: bad keepalive" want "$f" "peer add $key keepalive 70000" \
		'keepalive "70000": not a number of seconds'
	check "cmdfile: unknown option" want "$f" "peer add $key mtu 1400" \
		'option "mtu": not one of endpoint, allowed-ips, keepalive'
	check "cmdfile: unknown command" want "$f" "nonsense" "Command not found"
	check "cmdfile: peer del" want "$f" "peer del $key" "peer removed"
	check "cmdfile: peer add" want "$f" \
		"peer add $key endpoint 192.0.2.2:51821 allowed-ips 10.78.0.2/32" "peer added"
	check "cmdfile: reload" want "$f" "reload" "reloaded"
	return 0
}

pane() { tmux -L "$tmux_sock" capture-pane -p -J -S -2000 -t omni; }
keys() { tmux -L "$tmux_sock" send-keys -t omni "$@"; }
pane_has() { pane | grep -Eq -- "$1"; }
# pane_count ERE N: at least N lines of the pane match.
pane_count() { [ "$(pane | grep -Ec -- "$1")" -ge "$2" ]; }

# Wait until the pane's text matches $1 (up to 10 s).
pane_wait() {
	wait_for pane_has "$1" >/dev/null && return 0
	echo "pane never showed: $1"
	pane | grep -v '^$' | tail -40
	return 1
}

# The underlay's RX-packets in the last `show port stats` shown.
underlay_rx() {
	pane | grep -A1 "(underlay" | grep -Eo "RX-packets: [0-9]+" | tail -1 | grep -Eo "[0-9]+"
}

# The edge in the pane is up: omni0 holds its address (2: the pane's
# shell has gone).
pane_edge_up() {
	ip -n "$ns_a" addr show omni0 2>/dev/null | grep -q 10.78.0.1 && return 0
	alive "$1" || return 2
	return 1
}

pty_case() {
	local key rx1 rx2 pane_pid
	key=$(cat "$tmp/wg.pub")
	# The pane's shell waits 30 s after the edge's exit, so that the
	# pane (and the exit status printed in it) can still be read.
	tmux -L "$tmux_sock" new-session -d -s omni -x 220 -y 60 \
		"ip netns exec $ns_a $omni --underlay $veth_a --wg-config $tmp/edge.conf --host-port tap --metrics off -i 2>&1; echo EDGE-EXIT-\$?; sleep 30" ||
		die "tmux"
	at_exit "tmux -L $tmux_sock kill-server 2>/dev/null"
	pane_pid=$(tmux -L "$tmux_sock" list-panes -t omni -F '#{pane_pid}')
	wait_for -t 30 pane_edge_up "$pane_pid" >/dev/null || die "the edge did not bring omni0 up"
	# Not anchored: the main loop's start-up lines may share the line.
	check "pty: prompt" pane_wait "omni> "
	keys "help" Enter
	check "pty: help" pane_wait "show port stats: packets"
	keys "show port stats" Enter
	check "pty: show port stats" pane_wait "port 1 \(host, omni0\): link up"
	rx1=$(underlay_rx)
	bg_start ping "$ns_a" ping -c 25 -i 0.2 -w 15 10.78.0.2
	# show peers and show lcores below must come after the handshake and
	# some traffic through the lcore both ways: after the third reply.
	wait_log ping "icmp_seq=3 " 10 >/dev/null
	keys "sh" Tab
	check "pty: TAB completes sh to show" pane_wait "^omni> show $"
	keys "peers" Enter
	check "pty: show peers after a handshake" pane_wait \
		"latest handshake: [0-9]+ seconds ago"
	check "pty: show peers lists the peer" pane_wait "^peer: $(ere "$key")"
	keys "show lcores" Enter
	check "pty: show lcores" pane_wait "^0 +both +[1-9][0-9]* +[1-9]"
	keys "show port stats" Enter
	wait_for pane_count "port 0 \(underlay" 2 >/dev/null
	rx2=$(underlay_rx)
	check "pty: port stats grow ($rx1 -> $rx2)" test "${rx2:-0}" -gt "${rx1:-0}"
	keys Up Enter
	check "pty: history (Up) repeats show port stats" \
		wait_for pane_count '^omni> show port stats' 3
	bg_wait ping 20
	check "pty: ping without loss while the console is open" \
		grep -q " 0% packet loss" "$tmp/ping.log"
	keys "quit" Enter
	check "pty: quit stops the edge cleanly" pane_wait "EDGE-EXIT-0"
	check "pty: omni0 gone after quit" bash -c "! ip -n $ns_a link show omni0 2>/dev/null"
	pane >"$tmp/pane.out"
}

need_root
need_tools wireguard-go wg ip ping python3 tmux
need_built "$omni"
e2e_tmp console
edge_pair "$ns_a" "$veth_a" "$ns_b" "$veth_b" "$wgif" 10.78.0 || die "topology"
edge_pair_peer || die "wg set"
cmdfile_case
pty_case
finish

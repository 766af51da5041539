#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The console of a running edge (topology in ops_lib.sh: the edge and a
# wireguard-go peer in two namespaces):
#  1. --cmdfile: every command's output, the argument checks of peer add,
#     and peer del, peer add and reload on the running edge.
#  2. -i through a pseudo-terminal (tmux): help, TAB completion of "sh",
#     history (Up), show peers after a ping with the handshake, port stats
#     that grow, show lcores, quit stopping the edge cleanly, and a ping that
#     runs without loss while the console is open.
#
# Usage: console.sh BUILD_DIR
set -u

build=${1:?usage: $0 BUILD_DIR}
. "$(dirname "$0")/ops_lib.sh"
tmux_sock=omni-console-$$

ops_cleanup_extra() {
	tmux -L "$tmux_sock" kill-server 2>/dev/null
	[ -n "${ping_pid:-}" ] && kill "$ping_pid" 2>/dev/null
}

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
	ops_start_edge --metrics off --cmdfile "$tmp/cmds"
	for _ in $(seq 50); do
		grep -q "Read CLI commands" "$tmp/edge.log" && break
		sleep 0.1
	done
	ops_stop_edge || die "stop after --cmdfile"
	cp "$tmp/edge.log" "$f"
	check "cmdfile: show config" want "$f" "show config" "public key: $(ops_re "$(cat "$tmp/edge.pub")")" \
		"listen port: 51820" "underlay: $veth_a" "addresses: 10.78.0.1/24" "peers: 1" \
		"log level: info" "single-lcore"
	check "cmdfile: show peers" want "$f" "show peers" "^peer: $(ops_re "$key")" \
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

# Wait until the pane's text matches $1 (up to 10 s).
pane_wait() {
	for _ in $(seq 100); do
		pane | grep -Eq -- "$1" && return 0
		sleep 0.1
	done
	echo "pane never showed: $1"
	pane | tail -30
	return 1
}

# The underlay's RX-packets in the last `show port stats` shown.
underlay_rx() {
	pane | grep -A1 "(underlay" | grep -Eo "RX-packets: [0-9]+" | tail -1 | grep -Eo "[0-9]+"
}

pty_case() {
	local key rx1 rx2
	key=$(cat "$tmp/wg.pub")
	tmux -L "$tmux_sock" new-session -d -s omni -x 220 -y 60 \
		"ip netns exec $ns_a $omni --underlay $veth_a --wg-config $tmp/edge.conf --host-port tap --metrics off -i 2>&1; echo EDGE-EXIT-\$?; sleep 30" ||
		die "tmux"
	edge_pid=$(tmux -L "$tmux_sock" list-panes -t omni -F '#{pane_pid}')
	ops_wait_edge
	check "pty: prompt" pane_wait "^omni> "
	keys "help" Enter
	check "pty: help" pane_wait "show port stats: packets"
	keys "show port stats" Enter
	check "pty: show port stats" pane_wait "port 1 \(host, omni0\): link up"
	rx1=$(underlay_rx)
	ip netns exec "$ns_a" ping -c 25 -i 0.2 -w 15 10.78.0.2 >"$tmp/ping.log" 2>&1 &
	ping_pid=$!
	sleep 1
	keys "sh" Tab
	check "pty: TAB completes sh to show" pane_wait "^omni> show $"
	keys "peers" Enter
	check "pty: show peers after a handshake" pane_wait \
		"latest handshake: [0-9]+ seconds ago"
	check "pty: show peers lists the peer" pane_wait "^peer: $(ops_re "$key")"
	keys "show lcores" Enter
	check "pty: show lcores" pane_wait "^0 +both +[1-9][0-9]* +[1-9]"
	keys "show port stats" Enter
	sleep 0.5
	rx2=$(underlay_rx)
	check "pty: port stats grow ($rx1 -> $rx2)" test "${rx2:-0}" -gt "${rx1:-0}"
	keys Up Enter
	check "pty: history (Up) repeats show port stats" \
		bash -c "[ \$(tmux -L $tmux_sock capture-pane -p -J -S -2000 -t omni | grep -c '^omni> show port stats') -ge 3 ]"
	wait "$ping_pid"
	ping_pid=
	check "pty: ping without loss while the console is open" \
		grep -q " 0% packet loss" "$tmp/ping.log"
	keys "quit" Enter
	check "pty: quit stops the edge cleanly" pane_wait "EDGE-EXIT-0"
	edge_pid=
	check "pty: omni0 gone after quit" bash -c "! ip -n $ns_a link show omni0 2>/dev/null"
	pane >"$tmp/pane.log"
	[ -n "${VERBOSE:-}" ] && cat "$tmp/pane.log"
}

ops_preflight tmux
ops_keys
ops_topology
ops_wireguard_go
ops_config
cmdfile_case
pty_case
exit $failed

#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The JSON configuration file from the command line (docs/config.md).
#
# Part 1, no root: `omninervous --config FILE [--check]` refuses bad files
# with exit status 1 and the place (FILE:LINE:COLUMN for syntax, FILE: PATH
# for values, unknown keys named), never shows a secret, refuses a secret
# file others may read, refuses --config with --wg-config (status 2), and
# prints the effective configuration with flags over the file over defaults.
#
# Part 2, root and wireguard-go: a static-gateway JSON file (underlay and
# host port, a key file, a peer with a preshared key file, the dpdk section)
# brings up a tunnel to wireguard-go; pings both ways. The file names a
# wrong underlay that --underlay overrides, so the run also shows CLI > file.
#
#  +-------------------------------------+     +-------------------------------+
#  | netns omni-cfg-a-PID                |     | netns omni-cfg-b-PID          |
#  |  omni0 10.77.0.1/24 (net_tap)       |     |  wireguard-go, wgcPID         |
#  |  omninervous --config gw.json       |     |    10.77.0.2/24, udp 51821    |
#  |  vcaPID 192.0.2.1/24 (net_af_xdp) -------- vcbPID 192.0.2.2/24           |
#  +-------------------------------------+     +-------------------------------+
#
# Usage: config_cli.sh BUILD_DIR
set -u

build=${1:?usage: $0 BUILD_DIR}
omni=${OMNINERVOUS:-$build/app/omninervous}
ns_a=omni-cfg-a-$$
ns_b=omni-cfg-b-$$
wgif=wgc$$
veth_a=vca$$
veth_b=vcb$$
tmp=
wg_pid=
edge_pid=
made_ns=
failed=0

# DPDK's EAL keeps allocations for the life of the process.
export ASAN_OPTIONS=detect_leaks=0

cleanup() {
	[ -n "$edge_pid" ] && kill "$edge_pid" 2>/dev/null && wait "$edge_pid" 2>/dev/null
	[ -n "$wg_pid" ] && kill "$wg_pid" 2>/dev/null && wait "$wg_pid" 2>/dev/null
	[ -n "$wg_pid" ] && rm -f "/var/run/wireguard/$wgif.sock"
	for ns in $made_ns; do
		ip netns del "$ns"
	done
	[ -n "$tmp" ] && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() {
	echo "FAIL: $*"
	[ -n "$tmp" ] && [ -f "$tmp/edge.log" ] && sed 's/^/    edge: /' "$tmp/edge.log"
	exit 1
}

check() {
	local name=$1
	shift
	if "$@" >"$tmp/check.log" 2>&1; then
		[ -n "${VERBOSE:-}" ] && sed 's/^/    /' "$tmp/check.log"
		echo "PASS: $name"
	else
		sed 's/^/    /' "$tmp/check.log"
		echo "FAIL: $name"
		failed=1
	fi
}

# ---- part 1: the command line, no root ----------------------------------

# $1 file, $2 expected status, $3 text the output must contain (fixed string).
expect() {
	local out status
	out=$("$omni" --config "$tmp/$1" "${@:4}" 2>&1)
	status=$?
	echo "$out"
	[ "$status" = "$2" ] || { echo "exit status $status, want $2"; return 1; }
	grep -qF -- "$3" <<<"$out" || { echo "missing: $3"; return 1; }
	! grep -qF -- "$(cat "$tmp/edge.key")" <<<"$out" || { echo "the private key shown"; return 1; }
	! grep -qF -- "$(cat "$tmp/psk")" <<<"$out" || { echo "the preshared key shown"; return 1; }
}

# A good file, with $1 spliced into the daemon section.
good_json() {
	cat <<EOF
{
  "_comment": "config_cli.sh",
  "dpdk": { "lcores": 1, "hugepages": false, "memory_mb": 256 },
  "daemon": { "port": 51820, "interface": "nonexistent0", "host_port": "tap",
              "private_key_file": "edge.key", "addresses": ["10.77.0.1/24"]$1 },
  "peers": [
    { "public_key": "$(cat "$tmp/wg.pub")", "endpoint": "192.0.2.2:51821",
      "allowed_ips": ["10.77.0.2/32"], "preshared_key_file": "psk" }
  ]
}
EOF
}

write_files() {
	good_json "" >"$tmp/gw.json"
	good_json ', "mtu": 1380' >"$tmp/mtu.json"
	# peers[2].allowed_ips[0] is not a prefix (the issue's example).
	sed 's|"allowed_ips": \["10.77.0.2/32"\], "preshared_key_file": "psk" }|&, {}, { "public_key": "'"$(cat "$tmp/edge.pub")"'", "allowed_ips": ["10.0.0.0/33"] }|' \
		"$tmp/gw.json" >"$tmp/bad.json"
	sed 's/"port": 51820/"prot": 51820/' "$tmp/gw.json" >"$tmp/unknown.json"
	sed 's/"lcores": 1,/"lcores": 1/' "$tmp/gw.json" >"$tmp/syntax.json"
	sed 's/"port": 51820/"port": "51820"/' "$tmp/gw.json" >"$tmp/type.json"
	printf '{"daemon": {"private_key": "%s"}, "security": {"secret": "short"}}\n' \
		"$(cat "$tmp/edge.key")" >"$tmp/secret.json"
	printf '{"daemon": {"interface": "x", "private_key_file": "edge.key"}, "security": {"secret_file": "cluster.secret"}}\n' \
		>"$tmp/secretfile.json"
	echo "a-cluster-secret-of-some-length" >"$tmp/cluster.secret"
	chmod 644 "$tmp/cluster.secret"
}

cli_part() {
	check "bad value: exit 1, FILE: PATH: rule" \
		expect bad.json 1 'bad.json: peers[2].allowed_ips[0]: "10.0.0.0/33" is not a prefix'
	check "bad value without --check: refused before start" \
		expect bad.json 1 'bad.json: peers[2].allowed_ips[0]:' --underlay lo
	check "unknown key named, with a suggestion" \
		expect unknown.json 1 'unknown.json: daemon: unknown key "prot" (did you mean "port"?)'
	check "syntax error: FILE:LINE:COLUMN" expect syntax.json 1 'syntax.json:3:'
	check "wrong type" expect type.json 1 'type.json: daemon.port: expected an integer'
	check "short secret, not shown" expect secret.json 1 'security.secret: too short' --check
	check "secret file others may read refused" \
		expect secretfile.json 1 'security.secret_file: ' --check
	check "--config with --wg-config refused (status 2)" \
		expect gw.json 2 'cannot be combined' --wg-config "$tmp/gw.json" --check
	check "--check prints the file's values and defaults" \
		expect gw.json 0 '"interface": "nonexistent0"' --check
	check "--check: default MTU 1420" expect gw.json 0 '"mtu": 1420' --check
	check "--check: the file's MTU over the default" expect mtu.json 0 '"mtu": 1380' --check
	check "--check: flags over the file" \
		expect gw.json 0 '"interface": "lo"' --underlay lo --port 5555 --check
	check "--check: --port over daemon.port" expect gw.json 0 '"port": 5555' --port 5555 --check
	check "--check: secrets hidden" expect gw.json 0 '"preshared_key": "(hidden)"' --check
	check "bad flag value over a good file: exit 2" \
		expect gw.json 2 '--port: "0" is not a port number' --port 0 --check
}

# ---- part 2: a tunnel from a JSON file ------------------------------------

make_topology() {
	for ns in "$ns_a" "$ns_b"; do
		ip netns add "$ns" || die "ip netns add $ns"
		made_ns="$made_ns $ns"
		ip -n "$ns" link set lo up
	done
	ip link add "$veth_a" netns "$ns_a" type veth peer name "$veth_b" netns "$ns_b" ||
		die "veth pair"
	ip -n "$ns_a" addr add 192.0.2.1/24 dev "$veth_a"
	ip -n "$ns_b" addr add 192.0.2.2/24 dev "$veth_b"
	ip -n "$ns_a" link set "$veth_a" up
	ip -n "$ns_b" link set "$veth_b" up
}

start_wireguard_go() {
	WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 \
		ip netns exec "$ns_b" wireguard-go -f "$wgif" >"$tmp/wireguard-go.log" 2>&1 &
	wg_pid=$!
	for _ in $(seq 50); do
		[ -S "/var/run/wireguard/$wgif.sock" ] && break
		sleep 0.1
	done
	[ -S "/var/run/wireguard/$wgif.sock" ] || die "wireguard-go did not start"
	ip netns exec "$ns_b" wg set "$wgif" private-key "$tmp/wg.key" listen-port 51821 \
		peer "$(cat "$tmp/edge.pub")" preshared-key "$tmp/psk" \
		allowed-ips 10.77.0.1/32 endpoint 192.0.2.1:51820 || die "wg set"
	ip -n "$ns_b" addr add 10.77.0.2/24 dev "$wgif"
	ip -n "$ns_b" link set "$wgif" up
}

start_edge() {
	ip netns exec "$ns_a" "$omni" --config "$tmp/gw.json" --underlay "$veth_a" \
		>"$tmp/edge.log" 2>&1 &
	edge_pid=$!
	for _ in $(seq 100); do
		ip -n "$ns_a" addr show omni0 2>/dev/null | grep -q 10.77.0.1 && return 0
		kill -0 "$edge_pid" 2>/dev/null || break
		sleep 0.1
	done
	die "the edge did not bring omni0 up"
}

stop_edge() {
	kill -TERM "$edge_pid"
	wait "$edge_pid"
	local status=$?
	edge_pid=
	[ "$status" = 0 ] || { echo "edge exited $status"; return 1; }
}

eal_from_dpdk_section() {
	grep -E 'EAL arguments:.*--no-huge.*-m 256' "$tmp/edge.log"
}

tunnel_part() {
	make_topology
	start_wireguard_go
	start_edge
	check "dpdk section in the EAL arguments" eal_from_dpdk_section
	check "ping edge -> wireguard-go" ip netns exec "$ns_a" ping -c 3 -i 0.3 -w 10 10.77.0.2
	check "ping wireguard-go -> edge" ip netns exec "$ns_b" ping -c 3 -i 0.3 -w 10 10.77.0.1
	check "SIGTERM stops it cleanly" stop_edge
}

main() {
	for tool in wg; do
		command -v "$tool" >/dev/null || { echo "SKIP: $tool not found"; exit 77; }
	done
	[ -x "$omni" ] || die "$omni not built"
	tmp=$(mktemp -d /tmp/omni-cfg.XXXXXX) || die "mktemp"
	(
		umask 077
		wg genkey >"$tmp/edge.key" && wg pubkey <"$tmp/edge.key" >"$tmp/edge.pub" &&
		wg genkey >"$tmp/wg.key" && wg pubkey <"$tmp/wg.key" >"$tmp/wg.pub" &&
		wg genpsk >"$tmp/psk"
	) || die "wg genkey"
	write_files
	cli_part
	if [ "$(id -u)" != 0 ] || ! command -v wireguard-go >/dev/null; then
		echo "SKIP: the tunnel part needs root and wireguard-go"
	else
		tunnel_part
	fi
	[ "$failed" = 0 ] || exit 1
	echo "all passed"
}

main

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
. "$(dirname "$0")/lib.sh"
asan_no_leaks

build=${1:?usage: $0 BUILD_DIR}
omni=${OMNINERVOUS:-$build/app/omninervous}
ns_a=omni-cfg-a-$$
ns_b=omni-cfg-b-$$
wgif=wgc$$
veth_a=vca$$
veth_b=vcb$$

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

eal_from_dpdk_section() {
	grep -E 'EAL arguments:.*--no-huge.*-m 256' "$tmp/edge.log"
}

tunnel_part() {
	edge_pair "$ns_a" "$veth_a" "$ns_b" "$veth_b" "$wgif" 10.77.0 || die "topology"
	edge_pair_peer preshared-key "$tmp/psk" || die "wg set"
	edge_start edge "$ns_a" --config "$tmp/gw.json" --underlay "$veth_a" ||
		die "the edge did not start"
	check "dpdk section in the EAL arguments" eal_from_dpdk_section
	check "ping edge -> wireguard-go" ping_from "$ns_a" 10.77.0.2
	check "ping wireguard-go -> edge" ping_from "$ns_b" 10.77.0.1
	check "SIGTERM stops it cleanly" edge_stop edge
}

need_tools wg
need_built "$omni"
e2e_tmp cfg
wg_keys edge wg
(umask 077 && wg genpsk >"$tmp/psk") || die "wg genpsk"
write_files
cli_part
if [ "$(id -u)" != 0 ] || ! command -v wireguard-go >/dev/null; then
	echo "SKIP: the tunnel part needs root and wireguard-go"
else
	tunnel_part
fi
finish

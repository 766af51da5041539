# SPDX-License-Identifier: MIT
#
# Shared by console.sh and metrics.sh (sourced, not run): one DPDK edge and
# one wireguard-go peer, as in edge_wg.sh.
#
#  +-------------------------------------+     +-------------------------------+
#  | netns omni-ops-a-PID                |     | netns omni-ops-b-PID          |
#  |  omni0 10.78.0.1/24 (net_tap)       |     |  wireguard-go wgoPID          |
#  |  omninervous, udp 51820             |     |    10.78.0.2/24, udp 51821    |
#  |  metrics 127.0.0.1:9586             |     |                               |
#  |  voaPID 192.0.2.1/24 (net_af_xdp) -------- vobPID 192.0.2.2/24           |
#  +-------------------------------------+     +-------------------------------+
#
# The sourcing script sets build, then calls ops_preflight, ops_keys,
# ops_topology, ops_wireguard_go, ops_config and ops_start_edge ARGS...
# Cleanup (trap EXIT) stops what was started, by PID, and deletes the
# namespaces. ops_cleanup_extra, if defined, runs first.

omni=$build/app/omninervous
ns_a=omni-ops-a-$$
ns_b=omni-ops-b-$$
wgif=wgo$$
veth_a=voa$$
veth_b=vob$$
tmp=
wg_pid=
edge_pid=
made_ns=
failed=0
export ASAN_OPTIONS=detect_leaks=0

ops_cleanup() {
	declare -F ops_cleanup_extra >/dev/null && ops_cleanup_extra
	[ -n "$edge_pid" ] && kill "$edge_pid" 2>/dev/null && wait "$edge_pid" 2>/dev/null
	[ -n "$wg_pid" ] && kill "$wg_pid" 2>/dev/null && wait "$wg_pid" 2>/dev/null
	[ -n "$wg_pid" ] && rm -f "/var/run/wireguard/$wgif.sock"
	for ns in $made_ns; do
		ip netns del "$ns"
	done
	[ -n "$tmp" ] && rm -rf "$tmp"
}
trap ops_cleanup EXIT
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

# $@: extra tools the test needs.
ops_preflight() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: needs root (network namespaces)"
		exit 77
	fi
	for tool in wireguard-go wg ip ping python3 "$@"; do
		command -v "$tool" >/dev/null || die "$tool not found: run tools/setup"
	done
	[ -x "$omni" ] || die "$omni not built"
}

ops_keys() {
	tmp=$(mktemp -d /tmp/omni-ops.XXXXXX) || die "mktemp"
	chmod 755 "$tmp"
	(
		umask 077
		wg genkey >"$tmp/edge.key" && wg pubkey <"$tmp/edge.key" >"$tmp/edge.pub" &&
		wg genkey >"$tmp/wg.key" && wg pubkey <"$tmp/wg.key" >"$tmp/wg.pub"
	) || die "wg genkey"
}

ops_topology() {
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

ops_wireguard_go() {
	WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 \
		ip netns exec "$ns_b" wireguard-go -f "$wgif" >"$tmp/wireguard-go.log" 2>&1 &
	wg_pid=$!
	for _ in $(seq 50); do
		[ -S "/var/run/wireguard/$wgif.sock" ] && break
		sleep 0.1
	done
	[ -S "/var/run/wireguard/$wgif.sock" ] || die "wireguard-go did not start"
	ip netns exec "$ns_b" wg set "$wgif" private-key "$tmp/wg.key" listen-port 51821 \
		peer "$(cat "$tmp/edge.pub")" allowed-ips 10.78.0.1/32 endpoint 192.0.2.1:51820 ||
		die "wg set"
	ip -n "$ns_b" addr add 10.78.0.2/24 dev "$wgif"
	ip -n "$ns_b" link set "$wgif" up
}

ops_config() {
	{
		echo "[Interface]"
		echo "PrivateKey = $(cat "$tmp/edge.key")"
		echo "ListenPort = 51820"
		echo "Address = 10.78.0.1/24"
		echo
		echo "[Peer]"
		echo "PublicKey = $(cat "$tmp/wg.pub")"
		echo "Endpoint = 192.0.2.2:51821"
		echo "AllowedIPs = 10.78.0.2/32"
	} >"$tmp/edge.conf"
	chmod 600 "$tmp/edge.conf"
}

# $@: extra options. Output in $tmp/edge.log; stdin from $ops_stdin (or
# /dev/null).
ops_start_edge() {
	ip netns exec "$ns_a" "$omni" --underlay "$veth_a" --wg-config "$tmp/edge.conf" \
		--host-port tap "$@" <"${ops_stdin:-/dev/null}" >"$tmp/edge.log" 2>&1 &
	edge_pid=$!
	ops_wait_edge
}

ops_wait_edge() {
	for _ in $(seq 150); do
		ip -n "$ns_a" addr show omni0 2>/dev/null | grep -q 10.78.0.1 && return 0
		kill -0 "$edge_pid" 2>/dev/null || break
		sleep 0.1
	done
	die "the edge did not bring omni0 up"
}

ops_ping() {
	ip netns exec "$ns_a" ping -c "${1:-3}" -i 0.2 -w 10 10.78.0.2
}

# Stop the edge with SIGTERM: status 0.
ops_stop_edge() {
	kill -TERM "$edge_pid"
	wait "$edge_pid"
	local status=$?
	edge_pid=
	[ "$status" = 0 ] || { echo "edge exited $status"; return 1; }
}

# GET http://ADDR$1 inside the edge's namespace: prints "STATUS\nBODY".
ops_http() {
	ip netns exec "$ns_a" python3 - "$1" <<'PY'
import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen(sys.argv[1], timeout=5)
    print(r.status); sys.stdout.write(r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code); sys.stdout.write(e.read().decode())
PY
}

# $1 as an extended regular expression matching exactly it (keys hold '+').
ops_re() {
	printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'
}

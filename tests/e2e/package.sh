#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The Debian package, installed on this machine and purged again:
#   1. tools/package builds omninervous_VERSION_amd64.deb (a release build
#      in SOURCE/build-pkg, $OMNI_PKG_BUILD overrides; the first one takes
#      minutes) and lintian reports nothing (overrides are justified in
#      tools/package.lintian-overrides);
#   2. `apt-get install ./omninervous_*.deb` installs it: `omninervous
#      --version` (found in PATH) prints the package's version, the man page
#      opens, the unit is in place and /etc/omninervous's files are
#      conffiles;
#   3. a gateway runs from /etc/omninervous as an administrator would set it
#      up: `omninervous --init` writes /etc/omninervous/identity.key,
#      gateway.json is checked (--check), then run; the installed XDP object
#      is attached, and pings cross to a wireguard-go peer both ways;
#      `tools/demo --installed` runs the demo's cluster with the installed
#      files;
#   4. `apt-get purge omninervous` leaves nothing: every file it had
#      installed (each seen in place before) is gone, /etc/omninervous with
#      the identity key too, and dpkg no longer knows the package.
# The trap purges the package and removes the test's gateway.json on any
# failure.
#
# Why this machine and not a clean root: a debootstrap root costs minutes
# and a mirror, and would still need the kernel's namespaces. Installing
# here touches /usr/bin, /usr/lib, /usr/share, /lib/systemd and
# /etc/omninervous only: the build trees are not touched, and the other
# tests run BUILD/app/omninervous by its path (none looks omninervous up
# in PATH); the e2e lock keeps them from running meanwhile, and apt's own
# lock (waited for) other installs. A machine where omninervous is already
# installed, or /etc/omninervous exists, is left alone: the test skips.
#
#  +-------------------------------------------+     +-------------------------------+
#  | netns omni-pkg-a-PID                      |     | netns omni-pkg-b-PID          |
#  |  omni0 10.79.0.1/24 (net_tap)             |     |  wireguard-go wgpPID          |
#  |  /usr/bin/omninervous --config            |     |    10.79.0.2/24, udp 51821    |
#  |    /etc/omninervous/gateway.json, 51820   |     |    |                          |
#  |  vpaPID 192.0.2.1/24 (AF_XDP, omni_xdp) ------- vpbPID 192.0.2.2/24            |
#  +-------------------------------------------+     +-------------------------------+
#
# Usage: package.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"

src=$(cd "$(dirname "$0")/../.." && pwd)
pkg_build=${OMNI_PKG_BUILD:-$src/build-pkg}
ns_a=omni-pkg-a-$$
ns_b=omni-pkg-b-$$
veth_a=vpa$$
veth_b=vpb$$
wgif=wgp$$
etc=/etc/omninervous
omni=/usr/bin/omninervous
apt_get() { apt-get -o DPkg::Lock::Timeout=120 -y -q "$@"; }

need_root
need_tools dpkg-deb lintian apt-get wireguard-go turnserver nft iperf3
if dpkg-query -W -f='${Status}' omninervous 2>/dev/null | grep -q installed ||
	[ -e "$etc" ] || [ -e "$omni" ]; then
	echo "SKIP: omninervous is already installed here ($omni or $etc exist): left alone"
	exit 77
fi
unset OMNI_KEY OMNI_XDP_OBJECT
e2e_tmp package

installed=
# Stopped first: the gateway must not hold the files the purge removes.
# $etc did not exist before (else the test skipped): whatever a failed
# purge left of it goes too, so that the next run is not skipped.
purge_at_exit() {
	stop_all
	rm -f "$etc/gateway.json"
	[ -n "$installed" ] && apt_get purge omninervous >"$tmp/purge-at-exit.log" 2>&1
	rm -f "$etc/identity.key"
	rmdir "$etc" 2>/dev/null
}
at_exit purge_at_exit

# ---- 1. build and lint -------------------------------------------------------

"$src/tools/package" "$pkg_build" "$tmp" >"$tmp/package.log" 2>&1 || die "tools/package"
deb=$(tail -n 1 "$tmp/package.log")
check "tools/package made omninervous_VERSION_amd64.deb" \
	bash -c "echo '$deb'; [[ '$deb' == '$tmp'/omninervous_*_amd64.deb && -s '$deb' ]]"
version=$(dpkg-deb -f "$deb" Version)

lintian_quiet() {
	local out
	out=$(lintian --pedantic "$deb" 2>&1 | grep -v 'running with root privileges')
	echo "$out"
	[ -z "$out" ]
}
check "lintian --pedantic: nothing to report" lintian_quiet
# EAL loads these at run time: no linker dependency would name them.
check "Depends: the libraries, and the DPDK plugins the edge's ports and pools use" bash -c "
	dpkg-deb -f '$deb' Depends | tee /dev/stderr | tr -d ' ' | tr ',' '\n' |
		sed 's/(.*//' | sort >'$tmp/depends'
	for p in libsodium23 librte-eal23 librte-net-af-xdp23 librte-net-tap23 \
		librte-net-af-packet23 librte-net-virtio23 librte-mempool-ring23; do
		grep -qx \"\$p\" '$tmp/depends' || { echo \"missing: \$p\"; exit 1; }
	done"

# ---- 2. install ----------------------------------------------------------------

installed=1
apt_get install --no-install-recommends "$deb" >"$tmp/install.log" 2>&1 || die "apt-get install"
dpkg -L omninervous | while read -r f; do [ -f "$f" ] && echo "$f"; done >"$tmp/files"

check "omninervous --version prints the package's version ($version)" \
	bash -c "command -v omninervous; [ \"\$(omninervous --version)\" = 'omninervous $version' ]"
check "binary, XDP object, unit, man page, copyright, examples installed" bash -c "
	for f in $omni /usr/lib/x86_64-linux-gnu/omninervous/omni_xdp.o \
		/lib/systemd/system/omninervous.service /usr/share/man/man8/omninervous.8.gz \
		/usr/share/doc/omninervous/copyright \
		/usr/share/doc/omninervous/examples/static-gateway.json \
		$etc/examples/static-gateway.json; do
		grep -qx \"\$f\" '$tmp/files' || { echo \"missing: \$f\"; exit 1; }
	done"
man_page() { MANWIDTH=80 man 8 omninervous 2>/dev/null; }
check "man 8 omninervous shows the options and the signals" bash -c \
	"$(declare -f man_page); man_page | grep -q -- '--wg-config' && man_page | grep -q SIGHUP"
check "the unit runs the installed binary with $etc/gateway.json" grep -qx \
	"ExecStart=$omni --config $etc/gateway.json" /lib/systemd/system/omninervous.service
check "$etc/examples/ are conffiles" bash -c \
	"dpkg-query -W -f='\${Conffiles}\n' omninervous | grep -q '$etc/examples/static-gateway.json'"

# ---- 3. a gateway from /etc/omninervous ------------------------------------------

"$omni" --init >"$tmp/edge.pub" 2>"$tmp/init.log" || die "omninervous --init"
cp "$etc/identity.key" "$tmp/edge.key" # edge_pair's keys: ours is made already
check "--init wrote $etc/identity.key, mode 0600" \
	bash -c "stat -c '%a %n' '$etc/identity.key' | grep -qx '600 $etc/identity.key'"
edge_pair "$ns_a" "$veth_a" "$ns_b" "$veth_b" "$wgif" 10.79.0 || die "topology"
cat >"$etc/gateway.json" <<EOF
{
  "daemon": {
    "interface": "$veth_a",
    "host_port": "tap",
    "private_key_file": "$etc/identity.key",
    "addresses": ["10.79.0.1/24"],
    "mtu": 1420
  },
  "peers": [
    { "public_key": "$(cat "$tmp/wg.pub")", "endpoint": "192.0.2.2:51821",
      "allowed_ips": ["10.79.0.2/32"] }
  ],
  "metrics": { "listen": "" }
}
EOF
check "omninervous --config $etc/gateway.json --check" "$omni" --config "$etc/gateway.json" --check
edge_pair_peer || die "wireguard-go's peer"
edge_start gw "$ns_a" --config "$etc/gateway.json" || die "the installed gateway did not start"
check "the installed XDP program is attached to the underlay" bash -c "
	grep 'underlay $veth_a:' '$tmp/gw.log'
	ip -n '$ns_a' -d link show dev '$veth_a' | grep -q 'prog/xdp'"
check "ping gateway -> wireguard-go" ping_from "$ns_a" 10.79.0.2
check "ping wireguard-go -> gateway" ping_from "$ns_b" 10.79.0.1
check "SIGTERM stops the gateway cleanly" edge_stop gw
teardown

# The demo's cluster (nucleus, coturn, two edges behind NATs) from the
# installed files: the first contact's pings all answered, torn down.
demo_installed() {
	"$src/tools/demo" --installed 1 >"$tmp/demo.log" 2>&1 ||
		{ grep -v "^    " "$tmp/demo.log" | tail -n 20; return 1; }
	grep -E 'omninervous: |received|done' "$tmp/demo.log" | head -n 12
	# ping -c 3 -w 20 sends a fourth echo when the first waits for the
	# handshake; every one sent must come back.
	grep -qE ' ([3-9]|[1-9][0-9]+) received, 0% packet loss' "$tmp/demo.log" &&
		grep -q 'done: processes stopped' "$tmp/demo.log"
}
check "tools/demo --installed: the cluster demo from the installed files" demo_installed

# ---- 4. purge --------------------------------------------------------------------

rm -f "$etc/gateway.json" # the administrator's file, not the package's
purge() { apt_get purge omninervous >"$tmp/purge.log" 2>&1 || { tail "$tmp/purge.log"; return 1; }; }
check "apt-get purge omninervous" purge
installed=
nothing_left() {
	local f n=0
	while read -r f; do
		[ -e "$f" ] && { echo "left: $f"; n=$((n + 1)); }
	done <"$tmp/files"
	[ -e "$etc" ] && { echo "left: $etc"; ls -la "$etc"; n=$((n + 1)); }
	dpkg-query -W -f='${Status}\n' omninervous 2>/dev/null | grep -q . &&
		{ echo "dpkg still knows it"; n=$((n + 1)); }
	echo "$(wc -l <"$tmp/files") files were installed; $n left"
	[ "$n" = 0 ] && [ -s "$tmp/files" ]
}
check "nothing left: no file, no $etc (nor its key), unknown to dpkg" nothing_left
finish

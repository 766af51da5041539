#!/bin/bash
# SPDX-License-Identifier: MIT
#
# tools/version in a scratch git repository: nothing (status 1) without a
# tag, so that meson falls back to the project's version; "0.2.0" on the
# tag v0.2.0; "0.2.0+2.gHASH" two commits after it, which Debian orders
# after 0.2.0 and before 0.2.1.
#
# Usage: version.sh SOURCE_ROOT
set -u
src=${1:?usage: $0 SOURCE_ROOT}
tmp=$(mktemp -d /tmp/omni-version.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
bad=0
expect() {
	local got
	got=$("$tmp/tools/version")
	echo "$1: '$got' (status $?)"
	[ "$got" = "$2" ] || { echo "FAIL: $1: expected '$2'"; bad=1; }
}
g() { git -C "$tmp" -c user.name=t -c user.email=t@example.org "$@" >/dev/null; }

mkdir "$tmp/tools" && cp "$src/tools/version" "$tmp/tools/" || exit 1
g init -q
g add tools
g commit -qm one
if "$tmp/tools/version" >/dev/null; then
	echo "FAIL: no tag, yet tools/version succeeded"
	bad=1
fi
expect "no tag" ""
g tag v0.2.0
expect "on v0.2.0" 0.2.0
g commit -q --allow-empty -m two
g commit -q --allow-empty -m three
expect "two commits after" "0.2.0+2.g$(git -C "$tmp" rev-parse --short HEAD)"
if ! dpkg --compare-versions 0.2.0 lt "$("$tmp/tools/version")" ||
	! dpkg --compare-versions "$("$tmp/tools/version")" lt 0.2.1; then
	echo "FAIL: not ordered between 0.2.0 and 0.2.1"
	bad=1
fi
[ "$bad" = 0 ] && echo PASS
exit "$bad"

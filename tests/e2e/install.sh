#!/bin/bash
# SPDX-License-Identifier: MIT
#
# `meson install --destdir TMP` places the executable, the systemd unit,
# the man page (with the binary's version), the docs and the example
# configurations; the unit starts the installed binary with
# /etc/omninervous/gateway.json, and `systemd-analyze verify` accepts it
# (without a word: unknown keys are only warnings there, so any output
# fails; a unit with a misspelt key shows the check can fail). No root.
#
# Usage: install.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"

build=${1:?usage: $0 BUILD_DIR}
e2e_tmp install

meson install -C "$build" --destdir "$tmp/root" --no-rebuild --quiet >"$tmp/install.log" 2>&1 ||
	die "meson install"
unit=$tmp/root/etc/systemd/system/omninervous.service
bin=$(find "$tmp/root" -path '*/bin/omninervous' -type f | head -1)

check "binary installed and runs" bash -c "[ -x '$bin' ] && '$bin' --version"
check "unit installed" test -f "$unit"
check "man page omninervous(8) installed, with the version" bash -c \
	"grep -q \"^\\.TH OMNINERVOUS 8 .*omninervous \$('$bin' --version | cut -d' ' -f2)\" \
		\$(find '$tmp/root' -path '*/share/man/man8/omninervous.8')"
check "docs installed under share/doc/omninervous" bash -c \
	"find '$tmp/root' -path '*/share/doc/omninervous/README.md' | grep -q . &&
		find '$tmp/root' -path '*/share/doc/omninervous/examples/*.json' | grep -q ."
check "example configuration under /etc/omninervous/examples" \
	bash -c "ls '$tmp/root/etc/omninervous/examples/' | grep -E '\.(json|conf)$'"
check "unit runs the installed binary with gateway.json" grep -qx \
	"ExecStart=${bin#"$tmp/root"} --config /etc/omninervous/gateway.json" "$unit"
check "unit: simple, restarts on failure" bash -c \
	"grep -qx 'Type=simple' '$unit' && grep -qx 'Restart=on-failure' '$unit'"
check "unit: capabilities for DPDK and AF_XDP" bash -c \
	"for c in CAP_NET_ADMIN CAP_SYS_ADMIN CAP_IPC_LOCK CAP_NET_RAW CAP_BPF; do
		grep -q \"^CapabilityBoundingSet=.*\$c\" '$unit' || exit 1; done"

# Quietly accepted by systemd-analyze, with ExecStart pointing at the
# binary in the destdir (verify wants it to exist).
verify_quiet() {
	local out
	# Documentation= names man:omninervous(8): the destdir's man pages first.
	out=$(MANPATH="$(find "$tmp/root" -type d -path '*/share/man' | head -1):" \
		systemd-analyze verify "$1" 2>&1)
	echo "$out"
	[ -z "$out" ]
}

if command -v systemd-analyze >/dev/null; then
	mkdir "$tmp/v"
	sed "s|^ExecStart=[^ ]*|ExecStart=$bin|" "$unit" >"$tmp/v/omninervous.service"
	check "systemd-analyze verify accepts the unit" verify_quiet "$tmp/v/omninervous.service"
	sed 's/^ProtectHome=/ProtectHom=/' "$tmp/v/omninervous.service" >"$tmp/v/broken.service"
	check "systemd-analyze verify notices a misspelt key" \
		bash -c "systemd-analyze verify '$tmp/v/broken.service' 2>&1 | grep -q ProtectHom"
else
	echo "SKIP: systemd-analyze not installed: unit not verified"
fi
finish

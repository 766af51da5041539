# SPDX-License-Identifier: MIT
# Helpers for the e2e scripts that source it (nucleus.sh, stun.sh). The
# script sets $tmp (a scratch directory) before calling check.

# check NAME COMMAND...: runs it, prints PASS or FAIL with its output; a
# failure sets failed=1 and the script goes on.
check() {
	local name=$1
	shift
	if "$@" >"$tmp/check.out" 2>&1; then
		echo "PASS: $name"
	else
		sed 's/^/    /' "$tmp/check.out"
		echo "FAIL: $name"
		failed=1
	fi
}

# need_root: exit 77 (skipped) unless root.
need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: needs root (network namespaces)"
		exit 77
	fi
}

# make_ns NS...: creates namespaces with lo up, remembered in $made_ns
# for the caller's cleanup.
make_ns() {
	local ns
	for ns in "$@"; do
		ip netns add "$ns" || die "ip netns add $ns"
		made_ns="$made_ns $ns"
		ip -n "$ns" link set lo up
	done
}

# SPDX-License-Identifier: MIT
# netns_lib.sh: helpers for the e2e scripts that source it (nucleus.sh,
# stun.sh, cluster.sh): check,
# need_root, make_ns, and a cleanup trap (set when sourced) that stops the
# processes in $pids and deletes $made_ns and $tmp. The script sets $tmp (a
# scratch directory) before calling check, and defines die.

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

# What a script started or made, undone at exit: processes ($pids, by PID,
# only ours), namespaces ($made_ns), the scratch directory ($tmp).
pids=
made_ns=
tmp=
failed=0

# forget_pid PID: it has been stopped and waited for; never signal it again.
forget_pid() {
	pids=$(for p in $pids; do [ "$p" != "$1" ] && echo "$p"; done)
}

cleanup() {
	local p ns
	for p in $pids; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	for ns in $made_ns; do
		ip netns del "$ns"
	done
	[ -n "$tmp" ] && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

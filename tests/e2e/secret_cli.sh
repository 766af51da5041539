#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The cluster secret kept off the command line (docs/signaling.md, "The
# cluster secret"): the real nucleus, and sig-probe members (the edge's own
# signaling client) that register with it over the namespace's loopback.
# Checked:
#   1. --secret still works but warns (one line naming --secret-file and
#      OMNI_SECRET), and /proc/PID/cmdline of the running nucleus no longer
#      shows the secret; a member with that secret registers, so the secret
#      given was the one served;
#   2. --secret-file FILE (mode 0600): served, no warning, a member with it
#      registers;
#   3. OMNI_SECRET alone: served, a member with it registers;
#   4. --secret-file over OMNI_SECRET: a member with the file's secret
#      registers; one with the environment's is dropped (the nucleus counts
#      its datagrams), where in 3 the same member registered;
#   5. refused with status 2, each with its message and never the secret:
#      --secret with --secret-file, a missing file, an empty one, a too
#      short secret, two lines, a directory, group- and world-readable files
#      (mode and `chmod 600 FILE` named), a file the user cannot read (as
#      nobody), OMNI_SECRET beside a --config that lists the clusters;
#   6. the edge's order over its JSON file (--check): the file's
#      secret_file is read when nothing else is given, not when OMNI_SECRET
#      or --secret-file is, and --secret-file wins over OMNI_SECRET.
#
#  +--------------------------------------------------------------+
#  | netns omni-sec-PID (lo only)                                 |
#  |   omninervous --mode nucleus, udp 51820, metrics 127.0.0.1:9586 |
#  |   sig-probe members -> 127.0.0.1:51820                       |
#  +--------------------------------------------------------------+
#
# Usage: secret_cli.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
probe=$build/tools/sig-probe/sig-probe
ns=omni-sec-$$
flag_secret=flag-secret-$$-0123456789
file_secret=file-secret-$$-0123456789
env_secret=env-secret-$$-0123456789

# sec_member NAME SECRET: a member of cluster lab in the background.
sec_member() {
	bg_start "$1" "$ns" "$probe" --nucleus 127.0.0.1:51820 --cluster lab --secret "$2" \
		--vip 10.200.0.$((RANDOM % 200 + 2)) --heartbeat-ms 500 --seconds 20
}

# registers NAME SECRET: the member registers; then it is stopped, so that
# it sends nothing to the next nucleus.
registers() {
	local ok
	sec_member "$1" "$2"
	wait_log "$1" '^registered ' 10
	ok=$?
	bg_stop "$1" >/dev/null
	return "$ok"
}

# serve ARGS...: a fresh nucleus for cluster lab (one a failed check left
# running is stopped first).
serve() {
	bg_stop nucleus >/dev/null
	nucleus_start nucleus "$ns" --port 51820 --cluster lab "$@"
}

# nucleus_drops: every datagram the nucleus has dropped, by any reason.
nucleus_drops() {
	http_get "$ns" http://127.0.0.1:9586/metrics |
		awk '/^omni_nucleus_drops_total/ { s += $2 } END { print s + 0 }'
}
drops_at_least() { [ "$(nucleus_drops)" -ge "$1" ]; }

# cmdline PID: the process's arguments as /proc shows them to any user.
cmdline() { tr '\0' ' ' <"/proc/$1/cmdline"; }

# 1. --secret: warned, scrubbed from /proc/PID/cmdline, still served. The
# flag itself is still there with its value overwritten: proof that the
# check reads the right arguments.
flag_part() {
	local pid
	serve --secret "$flag_secret" --metrics off || return 1
	pid=$(pid_of nucleus)
	echo "cmdline: $(cmdline "$pid")"
	grep "warning: --secret" "$tmp/nucleus.log"
	[ "$(grep -c 'warning: --secret can be read by every local user' "$tmp/nucleus.log")" = 1 ] &&
		grep -q "use --secret-file FILE (mode 0600), the environment variable OMNI_SECRET" \
			"$tmp/nucleus.log" &&
		cmdline "$pid" | grep -q -- "--secret xxxxxxxxxxxxxxxx" &&
		! grep -qF -- "$flag_secret" "/proc/$pid/cmdline" &&
		registers flag "$flag_secret" && bg_stop nucleus >/dev/null
}

# 2. --secret-file: no warning, served.
file_part() {
	serve --secret-file "$tmp/lab.secret" --metrics off || return 1
	! grep -q "warning" "$tmp/nucleus.log" && ! grep -qF "$file_secret" "$tmp/nucleus.log" &&
		registers file "$file_secret" && bg_stop nucleus >/dev/null
}

# 3. OMNI_SECRET alone.
env_part() {
	OMNI_SECRET=$env_secret serve --metrics off || return 1
	! grep -q "warning" "$tmp/nucleus.log" && registers env "$env_secret" &&
		bg_stop nucleus >/dev/null
}

# 4. --secret-file over OMNI_SECRET.
precedence_part() {
	local before
	OMNI_SECRET=$env_secret serve --secret-file "$tmp/lab.secret" \
		--metrics 127.0.0.1:9586 || return 1
	registers file2 "$file_secret" || return 1
	before=$(nucleus_drops)
	sec_member env2 "$env_secret"
	# Its REGISTER is resent every heartbeat: three drops, and no answer.
	wait_for -t 10 drops_at_least $((before + 3)) || return 1
	echo "nucleus drops: $before -> $(nucleus_drops)"
	! grep -q '^registered ' "$tmp/env2.log" && bg_stop nucleus >/dev/null
}

# sec_refused STATUS MESSAGE [WORD...] -- ARGS...: omninervous ARGS, run after
# the WORDs (env VAR=value, setpriv ...), ends with STATUS and says MESSAGE,
# and no secret. (Status 0 for the edge's --check, which starts nothing.)
sec_refused() {
	local want=$1 msg=$2 pre=() st
	shift 2
	while [ "$1" != -- ]; do
		pre+=("$1")
		shift
	done
	shift
	ip netns exec "$ns" "${pre[@]}" timeout 5 "$omni" "$@" >"$tmp/refused.out" 2>&1
	st=$?
	echo "status $st: $(grep -v 'warning: --secret' "$tmp/refused.out")"
	[ "$st" = "$want" ] && grep -qF -- "$msg" "$tmp/refused.out" &&
		! grep -qF -e "$file_secret" -e "$env_secret" -e short-secret-x "$tmp/refused.out"
}

need_root
need_tools ip setpriv
need_built "$omni" "$probe"
e2e_tmp sec
make_ns "$ns"
(umask 077 && echo "$file_secret" >"$tmp/lab.secret") || die "secret file"

check "--secret: warns once, gone from /proc/PID/cmdline, still the secret served" flag_part
check "--secret-file FILE (0600): served, no warning" file_part
check "OMNI_SECRET: served" env_part
check "--secret-file over OMNI_SECRET" precedence_part

printf 'short-secret-x\n' >"$tmp/short" && chmod 600 "$tmp/short"
: >"$tmp/empty" && chmod 600 "$tmp/empty"
printf 'two-lines-of-a\nsecret-0123456789\n' >"$tmp/two" && chmod 600 "$tmp/two"
cp "$tmp/lab.secret" "$tmp/group" && chmod 640 "$tmp/group"
cp "$tmp/lab.secret" "$tmp/world" && chmod 604 "$tmp/world"
mkdir "$tmp/dir"
printf '{ "mode": "nucleus", "nucleus": { "clusters": [ { "name": "lab", "secret": "%s" } ] } }\n' \
	"$file_secret" >"$tmp/clusters.json" && chmod 600 "$tmp/clusters.json"

n=(--mode nucleus --port 51820 --metrics off)
check "--secret with --secret-file: refused" sec_refused 2 \
	"--secret and --secret-file cannot be combined" -- \
	"${n[@]}" --secret "$flag_secret" --secret-file "$tmp/lab.secret"
check "--secret-file, no such file" sec_refused 2 \
	"--secret-file: cannot read $tmp/missing: No such file or directory" -- \
	"${n[@]}" --secret-file "$tmp/missing"
check "--secret-file, an empty file" sec_refused 2 "--secret-file $tmp/empty: empty" -- \
	"${n[@]}" --secret-file "$tmp/empty"
check "--secret-file, too short" sec_refused 2 \
	"--secret-file $tmp/short: too short (14 characters; at least 16)" -- \
	"${n[@]}" --secret-file "$tmp/short"
check "--secret-file, two lines" sec_refused 2 "a control character or line break in the secret" -- \
	"${n[@]}" --secret-file "$tmp/two"
check "--secret-file, a directory" sec_refused 2 "--secret-file: $tmp/dir is not a regular file" -- \
	"${n[@]}" --secret-file "$tmp/dir"
check "--secret-file, mode 0640: refused with the fix" sec_refused 2 \
	"$tmp/group has mode 0640: group or others have access to this file, which holds a cluster secret; fix with: chmod 600 $tmp/group" \
	-- "${n[@]}" --secret-file "$tmp/group"
check "--secret-file, mode 0604: refused" sec_refused 2 "$tmp/world has mode 0604: " -- \
	"${n[@]}" --secret-file "$tmp/world"
chmod 711 "$tmp" # nobody may look up the file, not read it
check "--secret-file the user cannot read (as nobody)" sec_refused 2 \
	"--secret-file: cannot read $tmp/lab.secret: Permission denied" \
	setpriv --reuid=65534 --regid=65534 --clear-groups -- "${n[@]}" --secret-file "$tmp/lab.secret"
chmod 700 "$tmp"
check "OMNI_SECRET beside --config with clusters: refused" sec_refused 2 \
	"OMNI_SECRET is set, but --config lists the clusters" env OMNI_SECRET="$env_secret" -- \
	"${n[@]}" --config "$tmp/clusters.json"

# The edge's order over its JSON file, seen through --check (it reads every
# secret file, starts nothing): the file names a group-readable secret file,
# refused when read, so exit 0 shows that a higher source was taken instead.
"$omni" --init --key "$tmp/edge.key" >/dev/null 2>&1 || die "--init"
printf '{ "daemon": { "interface": "x", "private_key_file": "edge.key" }, "network": { "nucleus": "192.0.2.1:51820", "cluster": "lab", "vip": "10.200.0.1" }, "security": { "secret_file": "group" } }\n' \
	>"$tmp/edge.json"
e=(--config "$tmp/edge.json" --check)
check "edge: the JSON file's secret_file is read (and refused) with nothing else" sec_refused 1 \
	"security.secret_file: $tmp/group has mode 0640" -- "${e[@]}"
check "edge: OMNI_SECRET over the JSON file" sec_refused 0 '"secret": "(hidden)"' \
	env OMNI_SECRET="$env_secret" -- "${e[@]}"
check "edge: --secret-file over OMNI_SECRET" sec_refused 2 "$tmp/world has mode 0604" \
	env OMNI_SECRET="$env_secret" -- "${e[@]}" --secret-file "$tmp/world"
check "edge: --secret-file over the JSON file" sec_refused 0 '"secret": "(hidden)"' -- \
	"${e[@]}" --secret-file "$tmp/lab.secret"

finish

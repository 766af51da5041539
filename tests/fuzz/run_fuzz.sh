#!/bin/sh
# SPDX-License-Identifier: MIT
# Run one libFuzzer target for a bounded time on a scratch copy of its
# corpus: the kept corpus (tests/fuzz/corpus/TARGET, grown by
# tools/fuzz-long), any further seed folders, and freshly generated seeds,
# so the source tree is never written. Fails on any crash, leak or
# sanitizer report; the offending input is kept next to the build as
# fuzz-artifacts/<target>/.
#
#   run_fuzz.sh FUZZER SEED_GENERATOR SECONDS CORPUS_DIR [SEED_DIR...]
set -eu
fuzzer=$1 seeds=$2 secs=$3
shift 3
name=$(basename "$fuzzer")
work=$(mktemp -d "${TMPDIR:-/tmp}/wg-fuzz-$name.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus" "$work/artifacts"
for dir in "$@"; do
	cp "$dir"/* "$work/corpus/" 2>/dev/null || true
done
"$seeds" "$work/corpus"
rc=0
"$fuzzer" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
	-artifact_prefix="$work/artifacts/" "$work/corpus" >"$work/log" 2>&1 || rc=$?
tail -n 25 "$work/log"
if [ "$rc" -ne 0 ] || [ -n "$(ls -A "$work/artifacts")" ]; then
	keep="$PWD/fuzz-artifacts/$name"
	mkdir -p "$keep"
	cp "$work/artifacts/"* "$work/log" "$keep/" 2>/dev/null || true
	echo "$name: FAILED (exit $rc); inputs and log kept in $keep" >&2
	exit 1
fi

#!/bin/bash
# SPDX-License-Identifier: MIT
#
# --help and omninervous(8) against the parser. Both are printed from one
# table (app/cli_doc.c); the parser has its own (app/cli.c's getopt
# tables, listed by `omni-mangen flags`). Every flag the parser takes must
# be in --help and in the man page, with a value exactly when it takes one,
# and every flag either of them names must be one the parser takes. The
# man page must also be clean roff (no groff warnings), as lintian checks.
#
# Usage: cli_doc.sh OMNI_MANGEN OMNINERVOUS MANPAGE
set -u
mangen=${1:?usage: $0 OMNI_MANGEN OMNINERVOUS MANPAGE}
omni=${2:?}
manpage=${3:?}
bad=0
no() {
	echo "FAIL: $*"
	bad=1
}

flags=$("$mangen" flags) || { echo "FAIL: $mangen flags"; exit 1; }
help=$("$omni" --help) || { echo "FAIL: $omni --help"; exit 1; }
# The man page's option lines as text: \- to -, font changes dropped.
man=$(sed -e 's/\\-/-/g' -e 's/\\f[BIR]//g' "$manpage")

# $1: a flag; $2: ARG or empty. An ERE for its term: "-i, --interactive",
# "--key FILE".
term() {
	case $1 in
	--*) printf '(-[a-zA-Z], )?%s' "$1" ;;
	*) printf '%s, --[a-z0-9-]+' "$1" ;;
	esac
	if [ -n "$2" ]; then printf ' [^ ]+'; fi
}

n=0
while read -r flag arg; do
	n=$((n + 1))
	t=$(term "$flag" "$arg")
	echo "$help" | grep -Eq "^  $t(  |\$)" || no "--help: no line for $flag${arg:+ VALUE}"
	echo "$man" | grep -Eq "^$t\$" || no "man page: no .TP for $flag${arg:+ VALUE}"
done <<<"$flags"
[ "$n" -gt 20 ] || no "omni-mangen flags listed only $n flags"

known=$(echo "$flags" | awk '{ print $1 }' | grep -- '^--' | sort -u)
for where in help man; do
	named=$(eval "echo \"\$$where\"" | grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u)
	for f in $(comm -23 <(echo "$named") <(echo "$known")); do
		no "$where names $f, which the parser does not take"
	done
done

if command -v man >/dev/null; then
	warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z \
		"$manpage" 2>&1 >/dev/null)
	[ -z "$warnings" ] || no "groff warns about the man page: $warnings"
else
	echo "man not installed: the man page's roff not checked"
fi

[ "$bad" = 0 ] && echo "PASS: $n flags in the parser, --help and omninervous(8)"
exit "$bad"

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# End-to-end: the omninervous executable's identity commands against
# wireguard-tools. No network, no namespaces; everything in one mktemp dir.
#
#   tests/e2e/identity.sh BUILD_DIR      (or OMNINERVOUS=/path/to/omninervous)
#
# Checks:
#   1. --init makes a 0600 file whose public key equals `wg pubkey < file`
#   2. a key from `wg genkey` is accepted by --show-identity, same public key
#   3. a 0644 key is refused, and the message says chmod
#   4. --init refuses to overwrite, and leaves the file as it was
#   5. OMNI_KEY names the key when --key is absent
#   6. command-line basics: --help lists the flags, bad flags exit 2,
#      unimplemented modes exit 2 saying so
set -u
. "$(dirname "$0")/lib.sh"
set -eo pipefail # every step below either passes or dies

BIN=${OMNINERVOUS:-${1:?usage: $0 BUILD_DIR}/app/omninervous}
need_built "$BIN"
need_tools wg
e2e_tmp e2e-identity
TMP=$tmp

n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }

# expect_status STATUS CMD...: runs CMD, output in $TMP/out and $TMP/err
expect_status() {
	local want=$1 got=0
	shift
	"$@" >"$TMP/out" 2>"$TMP/err" || got=$?
	[[ $got == "$want" ]] ||
		die "'$*' exited $got, expected $want; stderr: $(cat "$TMP/err")"
}

# 1. --init
key=$TMP/etc/omninervous/identity.key
expect_status 0 "$BIN" --init --key "$key"
[[ $(stat -c %a "$key") == 600 ]] || die "--init made mode $(stat -c %a "$key")"
[[ $(stat -c %a "$(dirname "$key")") == 700 ]] || die "parent dir not 0700"
[[ $(stat -c %s "$key") == 45 ]] || die "key file is not 45 bytes"
pub=$(cat "$TMP/out")
[[ $pub == "$(wg pubkey <"$key")" ]] || die "--init printed $pub, wg pubkey disagrees"
ok "--init makes a 0600 key that wg pubkey agrees with"

expect_status 0 "$BIN" --show-identity --key "$key"
[[ $(cat "$TMP/out") == "$pub" ]] || die "--show-identity disagrees with --init"
ok "--show-identity reads it back"

# 2. a key made by wireguard-tools
(umask 077 && wg genkey >"$TMP/wg.key")
expect_status 0 "$BIN" --show-identity --key "$TMP/wg.key"
[[ $(cat "$TMP/out") == "$(wg pubkey <"$TMP/wg.key")" ]] || die "wg genkey key: public keys differ"
ok "a wg genkey key is accepted, same public key as wg pubkey"

# 3. readable by others
chmod 644 "$TMP/wg.key"
expect_status 1 "$BIN" --show-identity --key "$TMP/wg.key"
grep -q "chmod 600" "$TMP/err" || die "mode refusal does not mention chmod: $(cat "$TMP/err")"
grep -q "0644" "$TMP/err" || die "mode refusal does not name the mode"
[[ ! -s $TMP/out ]] || die "a refused key printed something on stdout"
grep -qF "$(cat "$TMP/wg.key")" "$TMP/err" && die "key material in the error message"
ok "a 0644 key is refused with a chmod hint"

# 4. overwrite
before=$(sha256sum <"$key")
expect_status 1 "$BIN" --init --key "$key"
grep -q "already exists" "$TMP/err" || die "overwrite refusal unclear: $(cat "$TMP/err")"
[[ $(sha256sum <"$key") == "$before" ]] || die "--init changed an existing key"
ok "--init refuses to overwrite"

# 5. OMNI_KEY
OMNI_KEY=$TMP/env.key expect_status 0 "$BIN" --init
[[ -f $TMP/env.key ]] || die "OMNI_KEY not used"
OMNI_KEY=$TMP/env.key expect_status 0 "$BIN" --show-identity
[[ $(cat "$TMP/out") == "$(wg pubkey <"$TMP/env.key")" ]] || die "OMNI_KEY: public keys differ"
ok "OMNI_KEY names the key"

# 6. command line
expect_status 0 "$BIN" --help
for flag in --init --mode --nucleus --cluster --vip --vip6 --port --stun --secret --secret-file \
	--config --key --underlay --wg-config --host-port --metrics --interactive --cmdfile; do
	grep -q -- "$flag" "$TMP/out" || die "--help does not list $flag"
done
expect_status 2 "$BIN" --no-such-flag
expect_status 2 "$BIN"
expect_status 2 "$BIN" --init --vip 10.200.0.1
expect_status 2 "$BIN" --mode nucleus --port 51820
grep -q "needs --secret-file FILE" "$TMP/err" || die "nucleus without a secret does not say it needs one"
expect_status 2 "$BIN" --mode nucleus --port 51820 --secret short
grep -q "at least 16" "$TMP/err" || die "nucleus with a short secret does not say 16"
"$BIN" --init --key "$TMP/edge.key" >/dev/null || die "--init for the edge checks"
expect_status 1 "$BIN" --key "$TMP/edge.key" --underlay lo --nucleus 192.0.2.1:51820 --cluster c \
	--vip 10.200.0.1
grep -q "needs the cluster secret (--secret-file FILE, OMNI_SECRET" "$TMP/err" ||
	die "an edge with a nucleus and no secret does not say it needs one"
expect_status 1 "$BIN" --key "$TMP/edge.key" --underlay lo --nucleus 192.0.2.1:51820 \
	--secret 0123456789abcdef0123 --vip 10.200.0.1
grep -q "needs a cluster name (--cluster)" "$TMP/err" ||
	die "an edge with a nucleus and no cluster does not say it needs one"
ok "command line: help, usage errors and unimplemented modes"

echo "all $n identity checks passed"

#!/usr/bin/env bash
# Usage: tests/check-symbols.sh [LIBRARY.so]   (default: target/release/librealm_client.so)
# Checks the dynamic symbol table of the cdylib:
#  1. every function declared in include/realm_client.h is exported;
#  2. nothing else is exported: no other realm_* name and no other symbol at all (a release
#     cdylib built by rustc exports exactly the #[no_mangle] functions; if a toolchain ever adds
#     an unavoidable one, list it in ALLOWED_EXTRA below with the reason);
#  3. no export has the name of a realm-core C API function (../shared/data/
#     realm-core-c-api-functions.txt beside the repository), except realm_free and realm_refresh,
#     which the design fixes (the header and README document the clash).
set -euo pipefail
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
lib=${1:-$root/target/release/librealm_client.so}
header=$root/include/realm_client.h
core_list=$root/../shared/data/realm-core-c-api-functions.txt
ALLOWED_EXTRA=()              # symbols the Rust toolchain exports unavoidably: none seen so far
ALLOWED_CORE_CLASHES=(realm_free realm_refresh)

fail=0
die() { echo "check-symbols: $*" >&2; exit 2; }
bad() { echo "check-symbols: FAIL: $*" >&2; fail=1; }

[ -f "$lib" ] || die "$lib not found (run: make build)"
[ -f "$header" ] || die "$header not found"
[ -f "$core_list" ] || die "realm-core function list not found at $core_list (a copy of shared/ must sit beside the repository)"
command -v nm >/dev/null || die "nm not found (binutils)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Function declarations of the header: lines that start a declaration and hold "name(".
grep -E '^[A-Za-z_].*\(' "$header" | grep -oE '\brealm_[A-Za-z0-9_]+\(' | tr -d '(' | sort -u >"$tmp/header"
[ -s "$tmp/header" ] || die "no function declarations found in $header"
# Defined dynamic symbols (any type: functions, data, weak), without version suffixes.
nm -D --defined-only "$lib" | awk 'NF >= 3 { print $3 }' | sed 's/@.*//' | sort -u >"$tmp/exported"
grep -vE '^[[:space:]]*(#|$)' "$core_list" | tr -d '[:blank:]\r' | sort -u >"$tmp/core"

echo "check-symbols: $(wc -l <"$tmp/exported") exported symbols, $(wc -l <"$tmp/header") header functions"

missing=$(comm -23 "$tmp/header" "$tmp/exported")
[ -z "$missing" ] || bad "declared in the header but not exported: $(echo $missing)"

extra=$(comm -13 "$tmp/header" "$tmp/exported")
for sym in "${ALLOWED_EXTRA[@]}"; do extra=$(grep -vxF "$sym" <<<"$extra" || true); done
[ -z "$extra" ] || bad "exported but not declared in the header: $(echo $extra)"

clashes=$(comm -12 "$tmp/exported" "$tmp/core")
for sym in "${ALLOWED_CORE_CLASHES[@]}"; do
  grep -qxF "$sym" <<<"$clashes" || bad "$sym was expected to clash with realm-core (design decision); is the list or the library out of date?"
  clashes=$(grep -vxF "$sym" <<<"$clashes" || true)
done
[ -z "$clashes" ] || bad "exports that clash with realm-core's C API: $(echo $clashes)"

if [ "$fail" -ne 0 ]; then
  echo "check-symbols: exported symbols were:" >&2
  sed 's/^/  /' "$tmp/exported" >&2
  exit 1
fi
echo "check-symbols: OK (only the header's functions are exported; realm-core clashes: ${ALLOWED_CORE_CLASHES[*]})"

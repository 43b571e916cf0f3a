#!/usr/bin/env bash
# Usage: tests/check-static-libs.sh
# Asks rustc which native libraries a program linking the staticlib (librealm_client.a) needs,
# and compares that line with STATIC_LIBS in the Makefile (which the C tests link with), and
# with the README when it shows one. Rebuilds only the realm-client crate, in the usual target
# directory (dependencies come from the cache of `make build`).
set -euo pipefail
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
cd "$root"
cargo=${CARGO:-cargo}

expected=$(sed -n 's/^STATIC_LIBS[[:space:]]*:\?=[[:space:]]*//p' Makefile | sed 's/[[:space:]]*$//')
[ -n "$expected" ] || { echo "check-static-libs: no STATIC_LIBS line in the Makefile" >&2; exit 2; }

out=$("$cargo" rustc --release -p realm-client --crate-type staticlib --message-format short \
        -- --print native-static-libs 2>&1) || { echo "$out" >&2; echo "check-static-libs: cargo rustc failed" >&2; exit 2; }
printed=$(sed -n 's/^.*note: native-static-libs: *//p' <<<"$out" | tail -n 1 | sed 's/[[:space:]]*$//')
if [ -z "$printed" ]; then
  echo "$out" >&2
  echo "check-static-libs: rustc printed no native-static-libs line" >&2
  exit 2
fi

echo "check-static-libs: rustc:    $printed"
echo "check-static-libs: Makefile: $expected"
if [ "$printed" != "$expected" ]; then
  echo "check-static-libs: FAIL: the Makefile's STATIC_LIBS differs from what rustc prints" >&2
  exit 1
fi
if [ -f README.md ] && grep -q -- '-lgcc_s\|native-static-libs\|STATIC_LIBS' README.md; then
  if ! grep -qF -- "$printed" README.md; then
    echo "check-static-libs: FAIL: README.md shows a native library line other than: $printed" >&2
    exit 1
  fi
  echo "check-static-libs: README.md shows the same line"
fi
echo "check-static-libs: OK"

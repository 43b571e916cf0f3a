#!/usr/bin/env bash
# Usage: tests/c/run.sh      (from anywhere in a clone, after `make build`)
#
# Builds and runs the C tests of the library against the emulator (127.0.0.1 only):
#   1. header_c.c (C99) and header_cpp.cpp (C++11) compile with every warning an error;
#   2. test_api and test_threads (and examples/quickstart.c), linked with the cdylib, run
#      normally and under valgrind (any memory error or definite/indirect leak fails);
#   3. test_api linked with the staticlib and the Makefile's STATIC_LIBS runs normally;
#   4. tests/check-symbols.sh and tests/check-static-libs.sh.
# Exits non-zero when any step fails. One emulator serves every run: tests/with-emulator.sh
# starts it with a pipe on its stdin, so it stops by itself whatever happens to this script.
set -euo pipefail

root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
cd "$root"
CC=${CC:-gcc}
CXX=${CXX:-g++}
LIBDIR=target/release
EMULATOR=$LIBDIR/realm-emulator
OUT=build/c
CFLAGS_STRICT=(-std=c99 -Wall -Wextra -Wpedantic -Werror -Iinclude)
VALGRIND=(valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible
          --errors-for-leak-kinds=definite,indirect --error-exitcode=1 --track-origins=yes
          --num-callers=40)

steps_ok=0
steps_failed=0
failed_steps=()
step() { # step NAME COMMAND...: runs one step, records its result
  local name=$1; shift
  echo "== $name"
  if "$@"; then
    steps_ok=$((steps_ok + 1)); echo "== PASS $name"
  else
    steps_failed=$((steps_failed + 1)); failed_steps+=("$name"); echo "== FAIL $name"
  fi
}

# A test program passes when it exits 0 and its last line is "N passed, 0 failed".
run_test() { # run_test LOG COMMAND...
  local log=$1; shift
  local rc=0
  "$@" >"$log.out" 2>"$log.err" || rc=$?
  cat "$log.out"
  grep '^FAIL ' "$log.err" || true
  [ "$rc" -eq 0 ] && tail -n 1 "$log.out" | grep -qE '^[0-9]+ passed, 0 failed$'
}

# Under valgrind, also show its summary. Only memory errors and definite/indirect leaks fail.
# "Still reachable" blocks are Rust std's globals. "Possibly lost" blocks seen so far, which do
# not fail the run and need no suppression: the main thread's std::thread::Thread handle kept in
# a thread-local (48 bytes, std::thread::current::init_current), and the hash tables of the
# client and admin handle registries (process-lifetime statics; hashbrown keeps a pointer into
# the middle of its allocation, which valgrind counts as "possibly" lost).
run_valgrind() { # run_valgrind NAME BINARY
  local name=$1 bin=$2 vlog=$OUT/$1.valgrind.log
  local rc=0
  "${VALGRIND[@]}" --log-file="$vlog" "$bin" >"$OUT/$name.vg.out" 2>"$OUT/$name.vg.err" || rc=$?
  tail -n 1 "$OUT/$name.vg.out"
  grep '^FAIL ' "$OUT/$name.vg.err" || true
  grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|still reachable' "$vlog" | sed 's/^==[0-9]*== */  valgrind: /'
  if ! grep -q 'ERROR SUMMARY: 0 errors' "$vlog"; then
    echo "  valgrind: memory errors or definite/indirect leaks; full log: $vlog"
    return 1
  fi
  if [ "$rc" -ne 0 ]; then
    echo "  valgrind: no memory error, but $name exited with status $rc; full log: $vlog"
    return 1
  fi
  case $name in quickstart*) return 0 ;; esac
  tail -n 1 "$OUT/$name.vg.out" | grep -qE '^[0-9]+ passed, 0 failed$'
}

if [ "${1:-}" = "--with-emulator" ]; then
  # The part that needs the emulator (REALM_BASE_URL is set by tests/with-emulator.sh).
  step "test_api" run_test "$OUT/test_api" "$OUT/test_api"
  step "test_threads" run_test "$OUT/test_threads" "$OUT/test_threads"
  step "test_api (static library)" run_test "$OUT/test_api_static" "$OUT/test_api_static"
  step "quickstart" run_test "$OUT/quickstart" sh -c "'$OUT/quickstart' && echo '1 passed, 0 failed'"
  step "valgrind test_api" run_valgrind test_api "$OUT/test_api"
  step "valgrind test_threads" run_valgrind test_threads "$OUT/test_threads"
  step "valgrind quickstart" run_valgrind quickstart "$OUT/quickstart"
  echo "$steps_ok $steps_failed ${failed_steps[*]:-}" >"$OUT/emulator-steps"
  exit 0
fi

for f in "$LIBDIR/librealm_client.so" "$LIBDIR/librealm_client.a" "$EMULATOR"; do
  [ -e "$f" ] || { echo "run.sh: $f is missing: run make build first" >&2; exit 2; }
done
command -v "$CC" >/dev/null || { echo "run.sh: $CC not found" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "run.sh: valgrind not found" >&2; exit 2; }
if ! command -v "$CXX" >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "run.sh: $CXX not found; installing g++"
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y g++
  fi
  command -v "$CXX" >/dev/null || { echo "run.sh: $CXX not found (install g++)" >&2; exit 2; }
fi
STATIC_LIBS=$(sed -n 's/^STATIC_LIBS[[:space:]]*:\?=[[:space:]]*//p' Makefile)
[ -n "$STATIC_LIBS" ] || { echo "run.sh: no STATIC_LIBS in the Makefile" >&2; exit 2; }
mkdir -p "$OUT"
rm -f "$OUT/emulator-steps"

rpath=-Wl,-rpath,$root/$LIBDIR
step "header_c.c compiles as C99" \
  "$CC" "${CFLAGS_STRICT[@]}" -c tests/c/header_c.c -o "$OUT/header_c.o"
step "header_cpp.cpp compiles as C++11" \
  "$CXX" -std=c++11 -Wall -Wextra -Wpedantic -Werror -Iinclude -c tests/c/header_cpp.cpp -o "$OUT/header_cpp.o"
step "build test_api" \
  "$CC" "${CFLAGS_STRICT[@]}" -g -o "$OUT/test_api" tests/c/test_api.c tests/c/common.c -pthread \
  -L"$LIBDIR" -lrealm_client "$rpath"
step "build test_threads" \
  "$CC" "${CFLAGS_STRICT[@]}" -g -o "$OUT/test_threads" tests/c/test_threads.c tests/c/common.c -pthread \
  -L"$LIBDIR" -lrealm_client "$rpath"
# shellcheck disable=SC2086 # STATIC_LIBS is a list of flags
step "build test_api against the static library" \
  "$CC" "${CFLAGS_STRICT[@]}" -g -o "$OUT/test_api_static" tests/c/test_api.c tests/c/common.c \
  "$LIBDIR/librealm_client.a" $STATIC_LIBS
step "the static test binary does not need librealm_client.so" \
  sh -c "! readelf -d '$OUT/test_api_static' | grep -q 'librealm_client'"
step "build quickstart" \
  "$CC" "${CFLAGS_STRICT[@]}" -g -o "$OUT/quickstart" examples/quickstart.c \
  -L"$LIBDIR" -lrealm_client "$rpath"

if [ "$steps_failed" -eq 0 ]; then
  tests/with-emulator.sh "$EMULATOR" bash tests/c/run.sh --with-emulator || true
  if [ -f "$OUT/emulator-steps" ]; then
    read -r ok failed names <"$OUT/emulator-steps"
    steps_ok=$((steps_ok + ok)); steps_failed=$((steps_failed + failed))
    [ -z "${names:-}" ] || failed_steps+=("$names")
  else
    steps_failed=$((steps_failed + 1)); failed_steps+=("emulator run")
  fi
fi
step "check-symbols" tests/check-symbols.sh
step "check-static-libs" tests/check-static-libs.sh

echo
if [ "$steps_failed" -ne 0 ]; then
  echo "tests/c/run.sh: FAILED steps: ${failed_steps[*]}"
fi
echo "tests/c/run.sh: $steps_ok steps passed, $steps_failed failed"
[ "$steps_failed" -eq 0 ]

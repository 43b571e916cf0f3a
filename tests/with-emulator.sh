#!/usr/bin/env bash
# Usage: tests/with-emulator.sh EMULATOR_BINARY COMMAND [ARGS...]
# Starts the emulator on a free loopback port, runs COMMAND with REALM_BASE_URL set to it, and
# stops the emulator afterwards. The emulator's stdin is a pipe held by this script, so it also
# stops by itself if this script dies.
set -euo pipefail
emulator=$1; shift
[ -x "$emulator" ] || { echo "with-emulator: $emulator not built (run: make build)" >&2; exit 2; }
coproc EMU { exec "$emulator" --port 0; }
emu_pid=$EMU_PID
trap 'kill "$emu_pid" 2>/dev/null || true; wait "$emu_pid" 2>/dev/null || true' EXIT
if ! read -r -t 30 first_line <&"${EMU[0]}"; then
  echo "with-emulator: the emulator did not report its address" >&2; exit 2
fi
case "$first_line" in
  "listening on "*) export REALM_BASE_URL=${first_line#listening on } ;;
  *) echo "with-emulator: unexpected first line: $first_line" >&2; exit 2 ;;
esac
# Keep draining the emulator's stdout so that it never blocks on a full pipe. Coproc descriptors
# are not inherited by background jobs, so drain a duplicate.
exec {emu_out}<&"${EMU[0]}"
cat <&"$emu_out" >/dev/null &
"$@"

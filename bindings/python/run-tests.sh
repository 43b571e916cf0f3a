#!/usr/bin/env bash
# Runs the Python binding's test suite (what `make test-python` calls, after `make build`).
#
# Creates bindings/python/.venv with `python3 -m venv` when it is missing, installs the pinned
# pytest and this package into it, and runs pytest against the repo's build output:
#   REALM_CLIENT_LIBRARY  defaults to target/release/librealm_client.so
#   REALM_EMULATOR_BIN    defaults to target/release/realm-emulator
# Extra arguments go to pytest (e.g. bindings/python/run-tests.sh -k threads -x).
# Exits non-zero when any test fails, and also when no test ran (pytest's exit code 5).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
python=${PYTHON:-python3}
pytest_version=8.3.4
venv="$here/.venv"

case "$(uname -s)" in
  Darwin) libname=librealm_client.dylib ;;
  *) libname=librealm_client.so ;;
esac
export REALM_CLIENT_LIBRARY=${REALM_CLIENT_LIBRARY:-$repo/target/release/$libname}
export REALM_EMULATOR_BIN=${REALM_EMULATOR_BIN:-$repo/target/release/realm-emulator}
for f in "$REALM_CLIENT_LIBRARY" "$REALM_EMULATOR_BIN"; do
  if [ ! -f "$f" ]; then
    echo "run-tests.sh: $f not found; build it first with: make build" >&2
    exit 2
  fi
done

if [ ! -x "$venv/bin/python" ]; then
  echo "run-tests.sh: creating $venv"
  "$python" -m venv "$venv"
fi
vpy="$venv/bin/python"
stamp="$venv/.installed-pytest-$pytest_version"
if [ ! -f "$stamp" ] || ! "$vpy" -c 'import pytest, realm_client' 2>/dev/null \
   || [ "$here/pyproject.toml" -nt "$stamp" ]; then
  "$vpy" -m pip install --quiet --disable-pip-version-check "pytest==$pytest_version"
  "$vpy" -m pip install --quiet --disable-pip-version-check -e "$here"
  touch "$stamp"
fi

cd "$here"
set +e
"$vpy" -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "run-tests.sh: pytest collected no tests; counting that as a failure" >&2
  exit 1
fi
exit "$status"

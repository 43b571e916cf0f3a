#!/usr/bin/env bash
# The benchmark harness (`make bench`). Installs what it needs, builds the library, the emulator
# and the peers, generates a CA + server certificate and JWT-shaped tokens, then runs
# bench/driver.py, which starts nginx (and the emulator) on 127.0.0.1, runs every peer, and
# prints the results table (also written to bench/out/results.md).
#
# Environment: BENCH_RUNS (runs per figure, default 5), BENCH_N (calls per C run, 10000),
# BENCH_PY_N (calls per Python run, 3000), BENCH_QUICK=1 (a short smoke run),
# BENCH_SKIP_BUILD=1 (use the existing target/release), BENCH_NO_INSTALL=1 (never apt/pip),
# BENCH_LIB_DIR=DIR (measure the librealm_client.so in DIR instead of target/release, e.g. a
# patched build in another worktree; the emulator still comes from target/release).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
out="$here/out"
bin="$out/bin"
mkdir -p "$out" "$bin" "$out/tmp"

log() { printf 'bench: %s\n' "$*" >&2; }

# ---- dependencies ------------------------------------------------------------------------
need_apt=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need_apt+=(nginx-light)
[ -f /usr/include/x86_64-linux-gnu/curl/curl.h ] || [ -f /usr/include/curl/curl.h ] || need_apt+=(libcurl4-openssl-dev)
[ -f /usr/include/openssl/ssl.h ] || need_apt+=(libssl-dev)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
command -v hyperfine >/dev/null 2>&1 || need_apt+=(hyperfine)
command -v taskset >/dev/null 2>&1 || need_apt+=(util-linux)
python3 -c 'import ensurepip, venv' 2>/dev/null || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  [ -z "${BENCH_NO_INSTALL:-}" ] || { log "missing: ${need_apt[*]}"; exit 2; }
  log "installing ${need_apt[*]}"
  sudo_=""; [ "$(id -u)" -eq 0 ] || sudo_=sudo
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
export PATH="$PATH:/usr/sbin"

venv="$here/.venv"
requests_version=2.32.3
if [ ! -x "$venv/bin/python" ]; then
  log "creating $venv"
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import requests; assert requests.__version__ == '$requests_version'" 2>/dev/null; then
  [ -z "${BENCH_NO_INSTALL:-}" ] || { log "requests missing in $venv"; exit 2; }
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "requests==$requests_version"
fi

# ---- build -------------------------------------------------------------------------------
if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  log "make build"
  (cd "$repo" && make -s build)
fi
lib="${BENCH_LIB_DIR:-$repo/target/release}"
lib=$(cd "$lib" && pwd)
CFLAGS=(-O2 -g -Wall -Wextra -I"$repo/include")
gcc "${CFLAGS[@]}" -o "$bin/raw" "$here/peers/raw.c" -lssl -lcrypto
gcc "${CFLAGS[@]}" -o "$bin/curl" "$here/peers/curl.c" -lcurl
gcc "${CFLAGS[@]}" -o "$bin/realm" "$here/peers/realm.c" -L"$lib" -lrealm_client -lpthread -Wl,-rpath,"$lib"

# ---- certificates: a tiny CA and a leaf for IP:127.0.0.1 (rustls wants a SAN, and refuses a
# CA certificate as the end entity) ---------------------------------------------------------
if [ ! -f "$out/server.pem" ] || [ ! -f "$out/ca.pem" ]; then
  log "generating a CA and a server certificate"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -subj "/CN=realm-client bench CA" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$out/ca.key" -out "$out/ca.pem" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$out/server.key" -out "$out/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' >"$out/server.ext"
  openssl x509 -req -in "$out/server.csr" -CA "$out/ca.pem" -CAkey "$out/ca.key" -CAcreateserial \
    -days 3650 -extfile "$out/server.ext" -out "$out/server.pem" 2>/dev/null
fi

# ---- run ---------------------------------------------------------------------------------
# The driver starts every server as its own child (nginx with daemon off, the emulator with a
# stdin pipe, both with a parent-death signal) and stops them; this trap is the backstop.
trap 'jobs -p | xargs -r kill 2>/dev/null || true' EXIT
"$venv/bin/python" "$here/driver.py" --repo "$repo" --lib "$lib" --out "$out" --bin "$bin" --python "$venv/bin/python"

#!/usr/bin/env bash
# bindings/swift/run-tests.sh (make test-swift): builds the Rust library and the emulator, then
# `swift build` and `swift test` for this package against them, then runs the example against
# the emulator. Without a Swift toolchain it prints one line saying the Swift tests were skipped
# and why, and exits 0; it never passes silently.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

if ! command -v swift >/dev/null 2>&1; then
  echo "Swift tests skipped: no swift toolchain on PATH (install Swift 5.9+ to run them)"
  exit 0
fi
# `swift` may also be another program (OpenStack's python-swiftclient installs one).
version_line=$(swift --version 2>&1 | grep -oE 'Swift version [0-9]+\.[0-9]+' | head -n 1 || true)
if [ -z "$version_line" ]; then
  echo "Swift tests skipped: 'swift' on PATH ($(command -v swift)) is not a Swift toolchain (install Swift 5.9+ to run them)"
  exit 0
fi
version=${version_line#Swift version }
major=${version%%.*}
minor=${version#*.}
if [ "$major" -lt 5 ] || { [ "$major" -eq 5 ] && [ "$minor" -lt 9 ]; }; then
  echo "run-tests.sh: Swift $version found, but this package needs Swift 5.9 or newer" >&2
  exit 1
fi

# 1. The library (cdylib + staticlib) and the emulator.
cargo=${CARGO:-cargo}
(cd "$root" && "$cargo" build --release -p realm-client -p realm-emulator)
target_dir=${CARGO_TARGET_DIR:-$root/target}
case "$target_dir" in /*) ;; *) target_dir=$root/$target_dir ;; esac
libdir=$target_dir/release
emulator=$libdir/realm-emulator

# 2. realm_client.pc pointing at include/ and the library just built. SwiftPM reads .pc files
#    itself (no pkg-config binary needed) from PKG_CONFIG_PATH.
header_version=$(sed -n 's/^#define REALM_CLIENT_VERSION "\(.*\)"$/\1/p' "$root/include/realm_client.h")
pcdir=$here/.pkgconfig
mkdir -p "$pcdir"
sed -e "s|@PREFIX@|$root|g" -e "s|@LIBDIR@|$libdir|g" -e "s|@VERSION@|$header_version|g" \
  "$here/pkgconfig/realm_client.pc.in" >"$pcdir/realm_client.pc"
export PKG_CONFIG_PATH="$pcdir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
# Test the library just built, not an XCFramework that may be left over from an earlier build.
export REALM_CLIENT_SWIFT_USE_PKGCONFIG=1
export REALM_EMULATOR_BIN=$emulator
# The same paths as flags too (harmless twice; they also work where the .pc is not picked up),
# and an rpath so that the test binary and the example find the shared library at run time.
flags=(-Xcc "-I$root/include" -Xlinker "-L$libdir" -Xlinker -rpath -Xlinker "$libdir")

# 3. Build, test, and run the example.
cd "$here"
echo "run-tests.sh: Swift $version, library in $libdir"
swift build "${flags[@]}"
swift test "${flags[@]}"
bin_path=$(swift build "${flags[@]}" --show-bin-path)
launcher=$root/tests/with-emulator.sh
if [ ! -x "$launcher" ]; then
  echo "run-tests.sh: $launcher is missing, cannot run the example" >&2
  exit 1
fi
"$launcher" "$emulator" "$bin_path/example"
echo "Swift tests passed"

#!/usr/bin/env bash
# bindings/swift/scripts/build-xcframework.sh: builds RealmClientFFI.xcframework next to
# Package.swift from realm-client's static library, for
#   - iOS devices           aarch64-apple-ios
#   - the iOS simulator     aarch64-apple-ios-sim + x86_64-apple-ios (one fat library)
#   - macOS                 aarch64-apple-darwin + x86_64-apple-darwin (one fat library)
# Each slice carries Headers/CRealmClient/{realm_client.h,module.modulemap}, so Swift code imports
# the same `CRealmClient` module as on Linux. Once the XCFramework exists, Package.swift uses it
# on Apple platforms (see README.md).
#
# Prerequisites: macOS with Xcode (xcodebuild, lipo) and its command line tools; rustup with the
# five targets above (the script adds missing ones with `rustup target add`).
# Environment: CARGO (default cargo), CARGO_TARGET_DIR, IPHONEOS_DEPLOYMENT_TARGET (default 13.0)
# and MACOSX_DEPLOYMENT_TARGET (default 10.15), matching the platforms of Package.swift.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
package=$(cd "$here/.." && pwd)
root=$(cd "$package/../.." && pwd)
output=$package/RealmClientFFI.xcframework
work=$package/.xcframework-build

ios_device=aarch64-apple-ios
ios_simulator=(aarch64-apple-ios-sim x86_64-apple-ios)
macos=(aarch64-apple-darwin x86_64-apple-darwin)
all_targets=("$ios_device" "${ios_simulator[@]}" "${macos[@]}")

if [ "$(uname -s)" != Darwin ]; then
  echo "build-xcframework.sh: needs macOS with Xcode (xcodebuild and lipo)" >&2
  exit 2
fi
for tool in xcodebuild lipo rustup; do
  command -v "$tool" >/dev/null 2>&1 || { echo "build-xcframework.sh: $tool not found" >&2; exit 2; }
done

installed=$(rustup target list --installed)
for t in "${all_targets[@]}"; do
  if ! grep -qx "$t" <<<"$installed"; then
    echo "build-xcframework.sh: adding Rust target $t"
    rustup target add "$t"
  fi
done

export IPHONEOS_DEPLOYMENT_TARGET=${IPHONEOS_DEPLOYMENT_TARGET:-13.0}
export MACOSX_DEPLOYMENT_TARGET=${MACOSX_DEPLOYMENT_TARGET:-10.15}
cargo=${CARGO:-cargo}
target_dir=${CARGO_TARGET_DIR:-$root/target}
case "$target_dir" in /*) ;; *) target_dir=$root/$target_dir ;; esac

# Only the staticlib crate type; --print native-static-libs shows what the app must link
# (Package.swift links Security, CoreFoundation and iconv on Apple platforms).
for t in "${all_targets[@]}"; do
  echo "build-xcframework.sh: building $t"
  (cd "$root" && "$cargo" rustc --release -p realm-client --lib --crate-type staticlib --target "$t" \
    -- --print native-static-libs)
done
lib() { echo "$target_dir/$1/release/librealm_client.a"; }

rm -rf "$work" "$output"
mkdir -p "$work/ios" "$work/ios-simulator" "$work/macos" "$work/Headers/CRealmClient"
cp "$(lib "$ios_device")" "$work/ios/librealm_client.a"
lipo -create "$(lib "${ios_simulator[0]}")" "$(lib "${ios_simulator[1]}")" \
  -output "$work/ios-simulator/librealm_client.a"
lipo -create "$(lib "${macos[0]}")" "$(lib "${macos[1]}")" -output "$work/macos/librealm_client.a"

cp "$root/include/realm_client.h" "$work/Headers/CRealmClient/realm_client.h"
# No `link` line: the XCFramework itself makes SwiftPM/Xcode link the static library.
cat >"$work/Headers/CRealmClient/module.modulemap" <<'MODULEMAP'
module CRealmClient {
    header "realm_client.h"
    export *
}
MODULEMAP

xcodebuild -create-xcframework \
  -library "$work/ios/librealm_client.a" -headers "$work/Headers" \
  -library "$work/ios-simulator/librealm_client.a" -headers "$work/Headers" \
  -library "$work/macos/librealm_client.a" -headers "$work/Headers" \
  -output "$output"
rm -rf "$work"
echo "build-xcframework.sh: wrote $output"

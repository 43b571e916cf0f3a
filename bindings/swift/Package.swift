// swift-tools-version:5.9
//
// RealmClient: Swift binding of realm-client's C API (../../include/realm_client.h).
//
// The C module `CRealmClient` comes from one of two places:
//  - Linux (and Apple when no XCFramework was built): the system library target in
//    Sources/CRealmClient, found through pkg-config ("realm_client.pc"; run-tests.sh writes one
//    pointing at include/ and target/release) or through -Xcc -I / -Xlinker -L flags.
//  - Apple platforms, once scripts/build-xcframework.sh has produced RealmClientFFI.xcframework
//    next to this file: that XCFramework (static library + header + module map).
// Which one a platform uses is chosen with `.when(platforms:)` conditions, not with `#if os()` in
// this manifest (which would test the host, not the target, and gets cross-compiles wrong).
import PackageDescription
import Foundation

let xcframeworkName = "RealmClientFFI.xcframework"
// Context.packageDirectory is the directory of this manifest. A local binaryTarget whose path
// does not exist fails package loading on every platform, so it is declared only when built.
// REALM_CLIENT_SWIFT_USE_PKGCONFIG=1 ignores an existing XCFramework (used by run-tests.sh).
let forcePkgConfig = Context.environment["REALM_CLIENT_SWIFT_USE_PKGCONFIG"] == "1"
let haveXCFramework = !forcePkgConfig && FileManager.default.fileExists(
    atPath: Context.packageDirectory + "/" + xcframeworkName)

let applePlatforms: [Platform] = [.macOS, .iOS]

let extraTargets: [Target] = haveXCFramework
    ? [.binaryTarget(name: "RealmClientFFI", path: xcframeworkName)]
    : []
let cModule: [Target.Dependency] = haveXCFramework
    ? [
        .target(name: "RealmClientFFI", condition: .when(platforms: applePlatforms)),
        .target(name: "CRealmClient", condition: .when(platforms: [.linux])),
    ]
    : [.target(name: "CRealmClient")]

let mainTargets: [Target] = [
    .systemLibrary(
        name: "CRealmClient",
        path: "Sources/CRealmClient",
        pkgConfig: "realm_client"
    ),
    .target(
        name: "RealmClient",
        dependencies: cModule,
        path: "Sources/RealmClient",
        linkerSettings: [
            // What the Rust staticlib needs on Apple platforms (`cargo rustc --print
            // native-static-libs`; scripts/build-xcframework.sh prints the line). Harmless
            // when the dynamic library is used instead.
            .linkedFramework("Security", .when(platforms: applePlatforms)),
            .linkedFramework("CoreFoundation", .when(platforms: applePlatforms)),
            .linkedLibrary("iconv", .when(platforms: applePlatforms)),
        ]
    ),
    .executableTarget(
        name: "Example",
        dependencies: ["RealmClient"],
        path: "Sources/Example"
    ),
    .testTarget(
        name: "RealmClientTests",
        dependencies: ["RealmClient"],
        path: "Tests/RealmClientTests"
    ),
]

let package = Package(
    name: "RealmClient",
    // async/await and checked continuations back-deploy to these.
    platforms: [.macOS(.v10_15), .iOS(.v13)],
    products: [
        .library(name: "RealmClient", targets: ["RealmClient"]),
        .executable(name: "example", targets: ["Example"]),
    ],
    targets: extraTargets + mainTargets
)

// The few helpers every wrapper method goes through. Each one handles one rule of
// include/realm_client.h, so a reviewer can check the rule once here:
//
//  - rule 1/7: a non-OK status is turned into a RealmError by reading realm_last_error_* right
//    after the call, on the same thread, before any other realm_* call (`check`, `ownedString`);
//  - rule 2: `const char *` arguments are only borrowed for the call (`withCString`,
//    `withOptionalCString`); NULL is passed only where the header says a parameter is optional;
//  - rule 3: an owned `char *` is copied with String(cString:) and then released exactly once
//    with realm_string_free (`ownedString`);
//  - rule 4: borrowed `const char *` results are copied and never freed (`borrowedString`).
import Foundation
import Dispatch
import CRealmClient

/// Copies a borrowed, NUL-terminated C string (never freed here: header rule 4).
@inline(__always)
func borrowedString(_ pointer: UnsafePointer<CChar>?) -> String {
    guard let pointer else { return "" }
    return String(cString: pointer)
}

/// Calls `body` with a C view of `string`, or with NULL when `string` is nil. Only for the
/// parameters the header documents as optional (e.g. realm_graphql's `variables_json`).
@inline(__always)
func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) throws -> R) rethrows -> R {
    guard let string else { return try body(nil) }
    return try string.withCString { try body($0) }
}

/// Throws the thread's error detail when `status` is not REALM_OK. Call it directly on the
/// status of the C call (`try check(realm_x(...))`), so nothing runs in between.
@inline(__always)
func check(_ status: realm_status) throws {
    if status != REALM_OK {
        throw RealmError.fromLastError(status)
    }
}

/// Runs a C call that hands out one owned string through its `char **` out-parameter, and
/// returns a Swift copy of it. The library's string is released exactly once, on every path
/// (a failing call leaves the out-parameter NULL, and realm_string_free(NULL) is a no-op).
func ownedString(
    _ call: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> realm_status
) throws -> String {
    var out: UnsafeMutablePointer<CChar>? = nil
    let status = withUnsafeMutablePointer(to: &out) { call($0) }
    // Read the error detail before realm_string_free, which is a realm_* call too (rule 7).
    let failure: RealmError? = status == REALM_OK ? nil : RealmError.fromLastError(status)
    defer { realm_string_free(out) }
    if let failure {
        throw failure
    }
    guard let pointer = out else {
        throw RealmError.bindingFailure("the library reported success but returned no string")
    }
    return String(cString: pointer)  // copied before the deferred free runs
}

/// Encodes a value as a JSON text for the library's `*_json` parameters.
func jsonText<T: Encodable>(_ value: T, encoder: JSONEncoder = JSONEncoder()) throws -> String {
    let data = try encoder.encode(value)
    return String(decoding: data, as: UTF8.self)
}

/// Checks once per process that the loaded library speaks the ABI of the header this module
/// was compiled against (the uniffi-style contract check of ffi-style.md §3.1.7).
let abiCheck: RealmError? = {
    let library = realm_client_abi_version()
    let header = UInt32(REALM_CLIENT_ABI_VERSION)
    if library == header { return nil }
    return RealmError.bindingFailure(
        "ABI mismatch: this binding was compiled against realm_client.h ABI \(header), "
            + "but the loaded library reports ABI \(library)")
}()

@inline(__always)
func checkABI() throws {
    if let abiCheck { throw abiCheck }
}

/// Runs a blocking library call on a Dispatch worker thread, off the caller's actor and off
/// Swift's cooperative thread pool, and resumes the caller with its result. `body` runs from
/// start to end on that one thread, so the C call and the reading of its thread-local error
/// detail stay in one synchronous stretch (ffi-style.md §2, "Swift").
func runBlocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
        DispatchQueue.global(qos: .userInitiated).async {
            continuation.resume(with: Result(catching: body))
        }
    }
}

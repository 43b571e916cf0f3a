import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RealmClient
import XCTest

/// The demo config of tests/emulator/demo-config.json (tests/emulator/README.md).
enum Demo {
    static let appId = "demo-abcde"
    static let email = "demo@example.com"
    static let password = "demo-password"
    static let userId = "5f00000000000000000000b1"
    static let nonASCIIEmail = "zoë@exämple.com"
    static let nonASCIIPassword = "pässwörd-ü-日本"
    static let userAPIKey = "demo-user-api-key-0123456789"
    static let serverAPIKey = "demo-server-api-key-9876543210"
    static let serverUserId = "5f00000000000000000000b3"
    static let googleToken = "demo-google-token"
    static let appleToken = "demo-apple-token"
    static let facebookToken = "demo-facebook-token"
    static let adminPublicKey = "demo-admin-public"
    static let adminPrivateKey = "demo-admin-private-0123456789"
    static let groupId = "5f0000000000000000000001"
    static let internalAppId = "5f00000000000000000000a1"
    /// HS256 with the demo secret "demo-custom-jwt-secret":
    /// {"sub":"swift-jwt-user","aud":"demo-abcde","iat":1700000000,"exp":4102444800}.
    static let customJWT =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzd2lmdC1qd3QtdXNlciIsImF1ZCI6ImRlbW8tYWJjZGUiLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6NDEwMjQ0NDgwMH0.A3bAH6m4chDxuYs0vppDDIG1QFIntTDzDo5f7y_nzSA"
    /// The same claims signed with another secret.
    static let customJWTBadSignature =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzd2lmdC1qd3QtdXNlciIsImF1ZCI6ImRlbW8tYWJjZGUiLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6NDEwMjQ0NDgwMH0.wm09LN8ClzetiYl6E5s5OHTeyAPKALihSk-5nrdSFls"
}

struct EmulatorError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A value set on one thread and read on another.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); defer { lock.unlock() }; stored = newValue }
    }
    /// Changes the value under the lock (a get followed by a set would lose updates).
    func withValue<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&stored)
    }
}

/// The emulator binary, started with a pipe on stdin (it stops when the pipe closes, so it also
/// stops if the test process dies) and `--port 0`; its first stdout line gives the address.
final class Emulator {
    static let prefix = "listening on "

    /// REALM_EMULATOR_BIN, or target/release/realm-emulator of this repository.
    static var binaryPath: String {
        if let path = ProcessInfo.processInfo.environment["REALM_EMULATOR_BIN"], !path.isEmpty {
            return path
        }
        // <repo>/bindings/swift/Tests/RealmClientTests/Emulator.swift
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<5 { root = root.deletingLastPathComponent() }
        return root.appendingPathComponent("target/release/realm-emulator").path
    }

    let baseURL: String
    private let process: Process
    private let stdinPipe: Pipe
    private var stopped = false

    init() throws {
        let path = Emulator.binaryPath
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw EmulatorError(
                "no emulator at \(path): build it with `cargo build --release -p realm-emulator` "
                    + "(bindings/swift/run-tests.sh does) or set REALM_EMULATOR_BIN")
        }
        let process = Process()
        let stdinPipe = Pipe()
        let stdoutPipe = Pipe()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--port", "0"]
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        try process.run()

        let reader = stdoutPipe.fileHandleForReading
        let firstLine = Emulator.readFirstLine(reader, timeout: 30)
        guard let line = firstLine, line.hasPrefix(Emulator.prefix) else {
            stdinPipe.fileHandleForWriting.closeFile()
            process.terminate()
            process.waitUntilExit()
            throw EmulatorError("the emulator did not report its address; first line: \(firstLine ?? "<none>")")
        }
        self.process = process
        self.stdinPipe = stdinPipe
        self.baseURL = String(line.dropFirst(Emulator.prefix.count))
        // Keep draining stdout so that the emulator never blocks on a full pipe.
        DispatchQueue.global().async {
            while !reader.availableData.isEmpty {}
        }
    }

    deinit { stop() }

    /// Closes the emulator's stdin (it exits at EOF) and waits for it.
    func stop() {
        if stopped { return }
        stopped = true
        stdinPipe.fileHandleForWriting.closeFile()
        process.waitUntilExit()
    }

    private static func readFirstLine(_ handle: FileHandle, timeout: TimeInterval) -> String? {
        let line = LockedBox<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            var bytes: [UInt8] = []
            while true {
                let chunk = handle.readData(ofLength: 1)
                if chunk.isEmpty || chunk.first == UInt8(ascii: "\n") { break }
                bytes.append(contentsOf: chunk)
            }
            line.value = String(decoding: bytes, as: UTF8.self)
            done.signal()
        }
        if done.wait(timeout: .now() + timeout) == .timedOut { return nil }
        return line.value
    }

    /// A client of the demo app (or `appId`) pointed at this emulator.
    func client(appId: String = Demo.appId) throws -> Client {
        try Client(appId: appId, options: ClientOptions(baseURL: baseURL))
    }

    /// An admin client with the demo key pair (or another private key).
    func admin(privateKey: String = Demo.adminPrivateKey) throws -> Admin {
        try Admin(options: AdminOptions(publicAPIKey: Demo.adminPublicKey, privateAPIKey: privateKey,
                                        groupId: Demo.groupId, appId: Demo.internalAppId,
                                        baseURL: baseURL))
    }

    /// One call to the /_emulator control surface; returns the body. Fails on a non-2xx status.
    @discardableResult
    func control(_ method: String, _ path: String, json: String? = nil) throws -> Data {
        guard let url = URL(string: baseURL + path) else { throw EmulatorError("bad URL for \(path)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let json {
            request.httpBody = Data(json.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let result = LockedBox<(data: Data?, status: Int, error: String?)>((nil, 0, nil))
        let done = DispatchSemaphore(value: 0)
        let task = URLSession.shared.dataTask(with: request) { data, response, error in
            result.value = (data, (response as? HTTPURLResponse)?.statusCode ?? 0,
                            error.map { "\($0)" })
            done.signal()
        }
        task.resume()
        if done.wait(timeout: .now() + 30) == .timedOut {
            task.cancel()
            throw EmulatorError("\(method) \(path): no answer within 30 s")
        }
        let answer = result.value
        if let error = answer.error { throw EmulatorError("\(method) \(path): \(error)") }
        guard (200..<300).contains(answer.status) else {
            throw EmulatorError("\(method) \(path): HTTP \(answer.status)")
        }
        return answer.data ?? Data()
    }

    /// How many requests the emulator has logged for "<METHOD> <path>".
    func requestCount(_ key: String) throws -> Int {
        struct Log: Decodable { let counts: [String: Int] }
        let log = try JSONDecoder().decode(Log.self, from: control("GET", "/_emulator/requests"))
        return log.counts[key] ?? 0
    }
}

/// Asserts that `expression` throws a RealmError with exactly these status, HTTP status and
/// server code, and a non-empty message; returns the error.
@discardableResult
func assertRealmError<T>(
    _ expression: @autoclosure () throws -> T,
    _ status: RealmStatus,
    httpStatus: Int = 0,
    serverCode: String? = nil,
    file: StaticString = #filePath,
    line: UInt = #line
) -> RealmError? {
    do {
        _ = try expression()
        XCTFail("expected \(status), but the call succeeded", file: file, line: line)
        return nil
    } catch let error as RealmError {
        XCTAssertEqual(error.status, status, "\(error)", file: file, line: line)
        XCTAssertEqual(error.httpStatus, httpStatus, "\(error)", file: file, line: line)
        XCTAssertEqual(error.serverCode, serverCode, "\(error)", file: file, line: line)
        XCTAssertFalse(error.message.isEmpty, file: file, line: line)
        return error
    } catch {
        XCTFail("expected a RealmError, got \(error)", file: file, line: line)
        return nil
    }
}

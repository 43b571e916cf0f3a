// A small tour of the binding against the emulator (or a real App Services app):
//
//   tests/with-emulator.sh target/release/realm-emulator bindings/swift/.build/debug/example
//
// with-emulator.sh sets REALM_BASE_URL. REALM_APP_ID, REALM_EMAIL and REALM_PASSWORD default to
// the emulator's demo config.
import Foundation
import RealmClient

struct Movie: Decodable {
    let title: String
    let year: Int
}

struct MoviesData: Decodable {
    let movies: [Movie]
}

struct MoviesVariables: Encodable {
    let limit: Int
}

let environment = ProcessInfo.processInfo.environment
guard let baseURL = environment["REALM_BASE_URL"], !baseURL.isEmpty else {
    FileHandle.standardError.write(Data(
        "example: set REALM_BASE_URL, e.g. tests/with-emulator.sh target/release/realm-emulator bindings/swift/.build/debug/example\n".utf8))
    exit(2)
}
let appId = environment["REALM_APP_ID"] ?? "demo-abcde"
let email = environment["REALM_EMAIL"] ?? "demo@example.com"
let password = environment["REALM_PASSWORD"] ?? "demo-password"

do {
    print("realm-client \(Client.libraryVersion) (header \(Client.headerVersion), ABI \(Client.abiVersion))")
    let client = try Client(appId: appId, options: ClientOptions(baseURL: baseURL, appName: "swift-example"))

    // The async variants run the blocking call on a worker thread, off this (main) actor.
    try await client.login(email: email, password: password)
    let userId = try client.userId()
    print("logged in as \(userId)")

    let response = try await client.graphql(
        "query Movies($limit: Int) { movies(limit: $limit) { title year } }",
        variables: MoviesVariables(limit: 3),
        operationName: "Movies")
    for movie in try response.data(MoviesData.self).movies {
        print("  \(movie.year)  \(movie.title)")
    }

    // Keep this blob in the Keychain; a later run can restore it without the password.
    let session = try client.exportSession()
    let restored = try Client(appId: appId, options: ClientOptions(baseURL: baseURL))
    try restored.restoreSession(session)
    let restoredUserId = try restored.userId()
    print("restored session for \(restoredUserId)")

    try await client.refresh()
    try await client.logout()
    print("logged out: \(!client.isLoggedIn)")
} catch let error as RealmError {
    FileHandle.standardError.write(Data("example: \(error)\n".utf8))
    exit(1)
} catch {
    FileHandle.standardError.write(Data("example: \(error)\n".utf8))
    exit(1)
}

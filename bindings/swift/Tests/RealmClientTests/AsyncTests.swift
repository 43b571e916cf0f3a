import Foundation
import RealmClient
import XCTest

/// The `async` variants. In an async context the async overloads are chosen, so every call
/// that does I/O below goes through `runBlocking` on a worker thread.
final class AsyncTests: XCTestCase {
    var emulator: Emulator!

    override func setUpWithError() throws {
        emulator = try Emulator()
    }

    override func tearDown() {
        emulator?.stop()
        emulator = nil
        super.tearDown()
    }

    func testAsyncLoginGraphQLRefreshLogout() async throws {
        let client = try emulator.client()
        try await client.login(email: Demo.email, password: Demo.password)
        XCTAssertEqual(try client.userId(), Demo.userId)
        let movies = try await client.graphql(moviesQuery).data(MoviesData.self).movies
        XCTAssertEqual(movies.count, 3)
        let movie = try await client.graphql(
            "query ByTitle($title: String) { movie(query: {title: $title}) { title year runtime genres } }",
            variables: TitleVariables(title: "Inception"), operationName: "ByTitle"
        ).data(MovieData.self).movie
        XCTAssertEqual(movie?.year, 2010)
        try await client.refresh()
        try await client.logout()
        XCTAssertFalse(client.isLoggedIn)
    }

    func testAsyncEveryLoginKind() async throws {
        let client = try emulator.client()
        try await client.loginAnonymous()
        try await client.login(apiKey: Demo.userAPIKey)
        try await client.login(customJWT: Demo.customJWT)
        try await client.login(functionPayloadJSON: #"{"username": "bob"}"#)
        try await client.login(.apple(idToken: Demo.appleToken))
        try await client.login(provider: "oauth2-facebook",
                               credentialsJSON: #"{"accessToken": "demo-facebook-token"}"#)
        XCTAssertEqual(try client.user(as: UserInfo.self).provider, "oauth2-facebook")
    }

    func testAsyncErrorCarriesTheDetail() async throws {
        let client = try emulator.client()
        do {
            try await client.login(email: Demo.email, password: "wrong")
            XCTFail("expected .invalidCredentials")
        } catch RealmError.invalidCredentials(let detail) {
            XCTAssertEqual(detail.status, .invalidCredentials)
            XCTAssertEqual(detail.httpStatus, 401)
            XCTAssertEqual(detail.serverCode, "InvalidPassword")
            XCTAssertFalse(detail.message.isEmpty)
        }
        do {
            _ = try await client.graphql(moviesQuery)
            XCTFail("expected .notLoggedIn")
        } catch let error as RealmError {
            XCTAssertEqual(error.status, .notLoggedIn)
            XCTAssertEqual(error.httpStatus, 0)
            XCTAssertNil(error.serverCode)
        }
    }

    func testAsyncConcurrentRequests() async throws {
        let client = try emulator.client()
        try await client.login(email: Demo.email, password: Demo.password)
        let counts = try await withThrowingTaskGroup(of: Int.self, returning: [Int].self) { group in
            for _ in 0..<16 {
                group.addTask {
                    try await client.graphql(moviesQuery).data(MoviesData.self).movies.count
                }
            }
            var counts: [Int] = []
            for try await count in group { counts.append(count) }
            return counts
        }
        XCTAssertEqual(counts, Array(repeating: 3, count: 16))
    }
}

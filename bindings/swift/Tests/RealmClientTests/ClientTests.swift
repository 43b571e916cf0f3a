import Dispatch
import Foundation
import RealmClient
import XCTest

struct Movie: Decodable, Equatable {
    let title: String
    let year: Int
}

struct MoviesData: Decodable {
    let movies: [Movie]
}

struct MovieDetail: Decodable {
    let title: String
    let year: Int
    let runtime: Int
    let genres: [String]
}

struct MovieData: Decodable {
    let movie: MovieDetail?
}

struct TitleVariables: Encodable {
    let title: String
}

/// The parts of realm_user_json the tests look at.
struct UserInfo: Decodable {
    struct CustomData: Decodable {
        let favoriteColor: String?
    }
    let id: String
    let provider: String
    let customData: CustomData?
    let accessTokenExpiresInMs: Int64

    enum CodingKeys: String, CodingKey {
        case id, provider
        case customData = "custom_data"
        case accessTokenExpiresInMs = "access_token_expires_in_ms"
    }
}

let moviesQuery = "query { movies(limit: 3) { title year } }"

final class ClientTests: XCTestCase {
    var emulator: Emulator!

    override func setUpWithError() throws {
        emulator = try Emulator()
    }

    override func tearDown() {
        emulator?.stop()
        emulator = nil
        super.tearDown()
    }

    // MARK: Library

    func testVersionsMatchTheHeader() {
        XCTAssertEqual(Client.libraryVersion, Client.headerVersion)
        XCTAssertEqual(Client.abiVersion, 1)
        XCTAssertEqual(RealmStatus.sessionExpired.name, "SESSION_EXPIRED")
        XCTAssertEqual(RealmStatus(rawValue: 12345).name, "UNKNOWN")
    }

    func testInvalidOptionsAreAnInvalidArgument() {
        assertRealmError(try Client(appId: Demo.appId, optionsJSON: #"{"bogus": 1}"#), .invalidArgument)
        assertRealmError(try Client(appId: Demo.appId, optionsJSON: "{"), .invalidArgument)
    }

    func testOptionsNilIsAccepted() throws {
        let client = try Client(appId: Demo.appId, optionsJSON: nil)
        XCTAssertFalse(client.isLoggedIn)
        XCTAssertEqual(client.appId, Demo.appId)
    }

    func testDeinitReleasesTheHandle() throws {
        weak var released: Client?
        do {
            let client = try emulator.client()
            try client.loginAnonymous()
            released = client
            XCTAssertNotNil(released)
        }
        XCTAssertNil(released)
        for _ in 0..<100 { _ = try emulator.client() }
    }

    // MARK: Every login kind

    func testEmailPassword() throws {
        let client = try emulator.client()
        try client.login(email: Demo.email, password: Demo.password)
        XCTAssertTrue(client.isLoggedIn)
        XCTAssertEqual(try client.userId(), Demo.userId)
        let user = try client.user(as: UserInfo.self)
        XCTAssertEqual(user.id, Demo.userId)
        XCTAssertEqual(user.provider, "local-userpass")
        XCTAssertEqual(user.customData?.favoriteColor, "blue")
        XCTAssertGreaterThan(user.accessTokenExpiresInMs, 0)
        XCTAssertFalse(try client.accessToken().isEmpty)
    }

    func testNonASCIIEmailPassword() throws {
        let client = try emulator.client()
        try client.login(.emailPassword(email: Demo.nonASCIIEmail, password: Demo.nonASCIIPassword))
        XCTAssertEqual(try client.user(as: UserInfo.self).provider, "local-userpass")
    }

    func testAnonymousReusesTheAnonymousUser() throws {
        let client = try emulator.client()
        try client.loginAnonymous()
        let first = try client.userId()
        try client.login(.anonymous)
        XCTAssertEqual(try client.userId(), first)
        XCTAssertEqual(try client.user(as: UserInfo.self).provider, "anon-user")
    }

    func testUserAndServerAPIKeys() throws {
        let client = try emulator.client()
        try client.login(apiKey: Demo.userAPIKey)
        XCTAssertEqual(try client.userId(), Demo.userId)
        try client.login(.apiKey(Demo.serverAPIKey))
        XCTAssertEqual(try client.userId(), Demo.serverUserId)
        XCTAssertEqual(try client.user(as: UserInfo.self).provider, "api-key")
        assertRealmError(try client.login(apiKey: "no-such-key"), .invalidCredentials,
                         httpStatus: 401, serverCode: "InvalidPassword")
    }

    func testCustomJWT() throws {
        let client = try emulator.client()
        try client.login(customJWT: Demo.customJWT)
        XCTAssertEqual(try client.user(as: UserInfo.self).provider, "custom-token")
        assertRealmError(try client.login(.customJWT(Demo.customJWTBadSignature)), .invalidCredentials,
                         httpStatus: 401, serverCode: "InvalidPassword")
    }

    func testCustomFunction() throws {
        let client = try emulator.client()
        try client.login(Credentials.customFunctionPayload(["username": "alice"]))
        XCTAssertEqual(try client.user(as: UserInfo.self).provider, "custom-function")
        let alice = try client.userId()
        try client.login(functionPayloadJSON: #"{"username": "alice"}"#)
        XCTAssertEqual(try client.userId(), alice)
    }

    func testOAuth2Providers() throws {
        let client = try emulator.client()
        let cases: [(Credentials, String)] = [
            (.google(idToken: Demo.googleToken), "oauth2-google"),
            (.googleAuthCode(Demo.googleToken), "oauth2-google"),
            (.apple(idToken: Demo.appleToken), "oauth2-apple"),
            (.facebook(accessToken: Demo.facebookToken), "oauth2-facebook"),
        ]
        for (credentials, provider) in cases {
            try client.login(credentials)
            XCTAssertEqual(try client.user(as: UserInfo.self).provider, provider)
        }
        assertRealmError(try client.login(.google(idToken: "not-a-google-token")), .invalidCredentials,
                         httpStatus: 401, serverCode: "InvalidPassword")
    }

    func testGenericProvider() throws {
        let client = try emulator.client()
        try client.login(.provider(name: "local-userpass",
                                   credentialsJSON: #"{"username": "demo@example.com", "password": "demo-password"}"#))
        XCTAssertEqual(try client.userId(), Demo.userId)
        assertRealmError(try client.login(provider: "oauth2-nope", credentialsJSON: "{}"), .notFound,
                         httpStatus: 404, serverCode: "AuthProviderNotFound")
    }

    // MARK: Errors

    func testWrongPassword() throws {
        let client = try emulator.client()
        let error = assertRealmError(try client.login(email: Demo.email, password: "wrong"),
                                     .invalidCredentials, httpStatus: 401, serverCode: "InvalidPassword")
        guard case .invalidCredentials(let detail)? = error else {
            return XCTFail("expected .invalidCredentials, got \(String(describing: error))")
        }
        XCTAssertNotNil(detail.link)
        XCTAssertFalse(detail.message.contains("wrong"), "the message must not quote the password")
        XCTAssertFalse(client.isLoggedIn)
    }

    func testUnknownApp() throws {
        let client = try emulator.client(appId: "nope-xxxxx")
        assertRealmError(try client.loginAnonymous(), .notFound, httpStatus: 404, serverCode: "AppNotFound")
    }

    func testNotLoggedIn() throws {
        let client = try emulator.client()
        XCTAssertFalse(client.isLoggedIn)
        assertRealmError(try client.graphql(moviesQuery), .notLoggedIn)
        assertRealmError(try client.userId(), .notLoggedIn)
        assertRealmError(try client.userJSON(), .notLoggedIn)
        assertRealmError(try client.accessToken(), .notLoggedIn)
        assertRealmError(try client.exportSession(), .notLoggedIn)
        assertRealmError(try client.refresh(), .notLoggedIn)
        try client.logout()  // not logged in is success
    }

    func testNetworkError() throws {
        // Port 1 on loopback: nothing listens there.
        let client = try Client(appId: Demo.appId, options: ClientOptions(baseURL: "http://127.0.0.1:1"))
        assertRealmError(try client.loginAnonymous(), .network)
    }

    func testServerErrorKeepsItsHTTPStatus() throws {
        let client = try emulator.client()
        try client.loginAnonymous()
        try emulator.control("POST", "/_emulator/faults", json: """
            {"method": "POST", "path": "/api/client/v2.0/app/demo-abcde/graphql", "count": 1,
             "action": {"kind": "respond", "status": 503, "body": "busy", "content_type": "text/plain"}}
            """)
        assertRealmError(try client.graphql(moviesQuery), .server, httpStatus: 503)
        XCTAssertTrue(client.isLoggedIn, "a 5xx says nothing about the session")
        XCTAssertEqual(try client.graphql(moviesQuery).data(MoviesData.self).movies.count, 3)
    }

    // MARK: GraphQL

    func testGraphQLDecode() throws {
        let client = try emulator.client()
        try client.login(email: Demo.email, password: Demo.password)
        let response = try client.graphql(moviesQuery)
        let movies = try response.data(MoviesData.self).movies
        XCTAssertEqual(movies.count, 3)
        XCTAssertTrue(movies.contains(Movie(title: "The Matrix", year: 1999)), "\(movies)")
        let envelope = try response.decode(MoviesData.self)
        XCTAssertNil(envelope.errors)
        XCTAssertEqual(envelope.data?.movies, movies)
        XCTAssertTrue(response.text.hasPrefix("{"))
        let raw = try JSONSerialization.jsonObject(with: response.json) as? [String: Any]
        XCTAssertNotNil(raw?["data"])
    }

    func testGraphQLVariablesAndOperationName() throws {
        let client = try emulator.client()
        try client.loginAnonymous()
        let query = """
            query Other { movies { title } }
            query ByTitle($title: String) { movie(query: {title: $title}) { title year runtime genres } }
            """
        let typed = try client.graphql(query, variables: TitleVariables(title: "The Matrix"),
                                       operationName: "ByTitle")
        let movie = try XCTUnwrap(try typed.data(MovieData.self).movie)
        XCTAssertEqual(movie.title, "The Matrix")
        XCTAssertEqual(movie.year, 1999)
        XCTAssertEqual(movie.runtime, 136)
        XCTAssertEqual(movie.genres, ["Action", "Sci-Fi"])

        let raw = try client.graphql(query, variablesJSON: #"{"title": "Amélie"}"#, operationName: "ByTitle")
        XCTAssertEqual(try raw.data(MovieData.self).movie?.title, "Amélie")
    }

    func testGraphQLErrorsAreData() throws {
        let client = try emulator.client()
        try client.loginAnonymous()
        let response = try client.graphql("query { nope }")
        let envelope = try response.decode(MoviesData.self)
        XCTAssertNil(envelope.data)
        let errors = try XCTUnwrap(envelope.errors)
        XCTAssertEqual(errors.count, 1)
        XCTAssertTrue(errors[0].message.contains("nope"), errors[0].message)
        XCTAssertEqual(errors[0].locations?.first?.line, 1)
        XCTAssertThrowsError(try response.data(MoviesData.self)) { error in
            XCTAssertEqual((error as? GraphQLFailure)?.errors, errors)
        }
    }

    // MARK: Refresh, logout, sessions

    func testRefresh() throws {
        let client = try emulator.client()
        try client.login(email: Demo.email, password: Demo.password)
        let before = try emulator.requestCount("POST /api/client/v2.0/auth/session")
        try client.refresh()
        XCTAssertEqual(try emulator.requestCount("POST /api/client/v2.0/auth/session"), before + 1)
        XCTAssertTrue(client.isLoggedIn)
        XCTAssertEqual(try client.graphql(moviesQuery).data(MoviesData.self).movies.count, 3)
    }

    func testLogout() throws {
        let client = try emulator.client()
        try client.login(email: Demo.email, password: Demo.password)
        try client.logout()
        XCTAssertFalse(client.isLoggedIn)
        XCTAssertEqual(try emulator.requestCount("DELETE /api/client/v2.0/auth/session"), 1)
        try client.logout()
        assertRealmError(try client.graphql(moviesQuery), .notLoggedIn)
    }

    func testExportAndRestoreSession() throws {
        let first = try emulator.client()
        try first.login(email: Demo.email, password: Demo.password)
        let blob = try first.exportSession()
        XCTAssertTrue(blob.contains(#""app_id":"demo-abcde""#), "the blob is the library's JSON")

        let second = try emulator.client()
        try second.restoreSession(blob)
        XCTAssertTrue(second.isLoggedIn)
        XCTAssertEqual(try second.userId(), Demo.userId)
        // The restored session has no access token yet: the request refreshes first.
        XCTAssertEqual(try second.graphql(moviesQuery).data(MoviesData.self).movies.count, 3)

        let otherApp = try emulator.client(appId: "other-abcde")
        assertRealmError(try otherApp.restoreSession(blob), .invalidArgument)
        assertRealmError(try second.restoreSession("{}"), .invalidArgument)
        assertRealmError(try second.restoreSession("not json"), .invalidArgument)
    }

    func testRevokedSessionExpires() throws {
        let client = try emulator.client()
        try client.login(email: Demo.email, password: Demo.password)
        // Logging out a copy of the session revokes it on the server.
        let copy = try emulator.client()
        try copy.restoreSession(try client.exportSession())
        try copy.logout()
        assertRealmError(try client.refresh(), .sessionExpired, httpStatus: 401, serverCode: "InvalidSession")
        XCTAssertFalse(client.isLoggedIn, "a rejected refresh token ends the session")
    }

    // MARK: Threads

    func testConcurrentUseOfOneClient() throws {
        let loggedIn = try emulator.client()
        try loggedIn.login(email: Demo.email, password: Demo.password)
        let loggedOut = try emulator.client()
        let iterations = 32
        let outcomes = LockedBox<[Int: String]>([:])
        // Even iterations succeed, odd ones fail: each thread must see its own error detail.
        DispatchQueue.concurrentPerform(iterations: iterations) { i in
            let outcome: String
            do {
                if i % 2 == 0 {
                    let count = try loggedIn.graphql(moviesQuery).data(MoviesData.self).movies.count
                    outcome = "\(count)"
                } else {
                    _ = try loggedOut.graphql(moviesQuery)
                    outcome = "unexpected success"
                }
            } catch let error as RealmError {
                outcome = "\(error.status.rawValue)/\(error.httpStatus)/\(error.serverCode ?? "-")"
            } catch {
                outcome = "\(error)"
            }
            outcomes.withValue { $0[i] = outcome }
        }
        let results = outcomes.value
        XCTAssertEqual(results.count, iterations)
        for (i, outcome) in results {
            XCTAssertEqual(outcome, i % 2 == 0 ? "3" : "\(RealmStatus.notLoggedIn.rawValue)/0/-", "iteration \(i)")
        }
    }
}

import Dispatch
import Foundation
import RealmClient
import XCTest

final class AdminTests: XCTestCase {
    var emulator: Emulator!

    override func setUpWithError() throws {
        emulator = try Emulator()
    }

    override func tearDown() {
        emulator?.stop()
        emulator = nil
        super.tearDown()
    }

    private func loggedInToken() throws -> (client: Client, token: String) {
        let client = try emulator.client()
        try client.login(email: Demo.email, password: Demo.password)
        let token = try client.accessToken()
        return (client, token)
    }

    func testVerifyValidToken() throws {
        let (client, token) = try loggedInToken()
        let admin = try emulator.admin()
        let claims = try admin.verifyToken(token)
        XCTAssertEqual(claims.sub, try client.userId())
        XCTAssertGreaterThan(claims.exp, claims.iat)
        XCTAssertNotNil(claims.deviceId)

        struct WithCustomData: Decodable {
            struct CustomData: Decodable { let favoriteColor: String }
            let custom_user_data: CustomData
        }
        XCTAssertEqual(try admin.verifyToken(token, as: WithCustomData.self).custom_user_data.favoriteColor, "blue")
        let raw = try JSONSerialization.jsonObject(with: try admin.verifyTokenJSON(token)) as? [String: Any]
        XCTAssertEqual(raw?["sub"] as? String, Demo.userId)
    }

    func testVerifyInvalidToken() throws {
        let admin = try emulator.admin()
        assertRealmError(try admin.verifyToken("not-a-jwt"), .invalidToken, httpStatus: 400)
        // The custom JWT is well formed but not signed by the app.
        assertRealmError(try admin.verifyTokenJSON(Demo.customJWT), .invalidToken, httpStatus: 400)
    }

    func testVerifyExpiredToken() throws {
        let (_, token) = try loggedInToken()
        let admin = try emulator.admin()
        // Access tokens live 1800 s; an hour later this one has expired (the admin token is
        // issued with the shifted clock, so it is still valid). verify_token answers 200 with
        // the JSON string "token expired".
        try emulator.control("POST", "/_emulator/clock", json: #"{"offset_secs": 3600}"#)
        assertRealmError(try admin.verifyToken(token), .tokenExpired, httpStatus: 200)
    }

    func testRejectedAdminKeys() throws {
        let (_, token) = try loggedInToken()
        let admin = try emulator.admin(privateKey: "not-the-private-key")
        assertRealmError(try admin.verifyToken(token), .invalidCredentials, httpStatus: 401,
                         serverCode: "InvalidPassword")
    }

    func testInvalidAdminOptions() {
        assertRealmError(try Admin(optionsJSON: #"{"public_api_key": "x"}"#), .invalidArgument)
        assertRealmError(try Admin(optionsJSON: "[]"), .invalidArgument)
    }

    func testConcurrentVerify() throws {
        let (_, token) = try loggedInToken()
        let admin = try emulator.admin()
        let subjects = LockedBox<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            let subject: String
            do {
                if i % 2 == 0 {
                    subject = try admin.verifyToken(token).sub
                } else {
                    subject = try admin.verifyToken("not-a-jwt").sub
                }
            } catch let error as RealmError {
                subject = error.status.name
            } catch {
                subject = "\(error)"
            }
            subjects.withValue { $0.append(subject) }
        }
        XCTAssertEqual(subjects.value.filter { $0 == Demo.userId }.count, 8, "\(subjects.value)")
        XCTAssertEqual(subjects.value.filter { $0 == "INVALID_TOKEN" }.count, 8, "\(subjects.value)")
    }

    func testAsyncVerify() async throws {
        let (_, token) = try loggedInToken()
        let admin = try emulator.admin()
        let claims = try await admin.verifyToken(token)
        XCTAssertEqual(claims.sub, Demo.userId)
        do {
            _ = try await admin.verifyTokenJSON("not-a-jwt")
            XCTFail("expected .invalidToken")
        } catch let error as RealmError {
            XCTAssertEqual(error.status, .invalidToken)
            XCTAssertEqual(error.httpStatus, 400)
        }
    }
}

import Foundation
import CRealmClient

/// An Admin API client (`realm_admin`), for servers: verifies client access tokens with the
/// app's Admin API key pair. Never ship the private key in an app.
///
/// Thread safety as for Client: the header makes handles usable from many threads at once, and
/// realm_admin_free runs only in `deinit`, when no call can be in flight.
public final class Admin: @unchecked Sendable {
    /// The `realm_admin *`: created in init, released exactly once in deinit.
    private let handle: OpaquePointer

    /// `realm_admin_new(options_json, &out)`. The options are required (key pair, group id, app
    /// id, base_url, timeouts, ...).
    public init(optionsJSON: String) throws {
        try checkABI()
        var out: OpaquePointer? = nil
        let status = optionsJSON.withCString { options in
            realm_admin_new(options, &out)
        }
        try check(status)
        guard let created = out else {
            throw RealmError.bindingFailure("realm_admin_new reported success but returned no handle")
        }
        handle = created
    }

    public convenience init(options: AdminOptions) throws {
        try self.init(optionsJSON: try jsonText(options))
    }

    deinit {
        realm_admin_free(handle)
    }

    /// `realm_admin_verify_token(admin, access_token, &out_claims_json)`: the token's claims as
    /// raw JSON. Throws `.tokenExpired`, `.invalidToken`, or `.invalidCredentials` when the
    /// admin key pair is rejected.
    public func verifyTokenJSON(_ accessToken: String) throws -> Data {
        let text = try ownedString { out in
            accessToken.withCString { token in realm_admin_verify_token(handle, token, out) }
        }
        return Data(text.utf8)
    }

    /// The verified token's claims decoded into `type`.
    public func verifyToken<T: Decodable>(_ accessToken: String, as type: T.Type,
                                          decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try decoder.decode(type, from: verifyTokenJSON(accessToken))
    }

    /// The verified token's claims.
    public func verifyToken(_ accessToken: String) throws -> TokenClaims {
        try verifyToken(accessToken, as: TokenClaims.self)
    }

    public func verifyTokenJSON(_ accessToken: String) async throws -> Data {
        try await runBlocking { try self.verifyTokenJSON(accessToken) }
    }

    public func verifyToken(_ accessToken: String) async throws -> TokenClaims {
        let json = try await verifyTokenJSON(accessToken)
        return try JSONDecoder().decode(TokenClaims.self, from: json)
    }
}

/// The claims `verify_token` reports for a valid client token (the fields every answer has;
/// decode `verifyTokenJSON` yourself for `custom_user_data`, `data` and others).
public struct TokenClaims: Decodable, Hashable, Sendable {
    /// The user id.
    public let sub: String
    /// Expiry and issue time, in seconds since 1970.
    public let exp: Int64
    public let iat: Int64
    public let iss: String?
    public let domainId: String?
    public let deviceId: String?

    enum CodingKeys: String, CodingKey {
        case sub, exp, iat, iss
        case domainId = "domain_id"
        case deviceId = "device_id"
    }
}

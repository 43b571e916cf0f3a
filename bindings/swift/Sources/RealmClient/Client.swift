import Foundation
import CRealmClient

/// An App Services client: one `realm_client` handle.
///
/// Thread safety: the header (rule 6) makes one handle usable from many threads at once, and
/// the handle is immutable here; the only call that must not race others, realm_free, runs in
/// `deinit`, when no other reference (and so no call in flight) can exist. Hence `Sendable`.
///
/// Every method blocks on network I/O for up to the configured timeouts (rule 8): call the
/// synchronous methods off the main thread, or use the `async` variants (Client+Async.swift).
public final class Client: @unchecked Sendable {
    /// The `realm_client *`: created in init, released exactly once in deinit.
    private let handle: OpaquePointer
    /// The client App ID this client was created for.
    public let appId: String

    /// `realm_client_new(app_id, options_json, &out)`. `optionsJSON` nil passes NULL (the
    /// parameter is optional); no network I/O.
    public init(appId: String, optionsJSON: String? = nil) throws {
        try checkABI()
        var out: OpaquePointer? = nil
        let status = appId.withCString { app in
            withOptionalCString(optionsJSON) { options in
                realm_client_new(app, options, &out)
            }
        }
        try check(status)
        guard let created = out else {
            throw RealmError.bindingFailure("realm_client_new reported success but returned no handle")
        }
        // Nothing after this point can throw, so a created handle always reaches deinit.
        handle = created
        self.appId = appId
    }

    /// `realm_client_new` with the options encoded as JSON.
    public convenience init(appId: String, options: ClientOptions) throws {
        try self.init(appId: appId, optionsJSON: try jsonText(options))
    }

    deinit {
        // Header rule 5: exactly once. Does not log out.
        realm_free(handle)
    }

    // MARK: Login

    /// Logs in with `credentials`, replacing the current session.
    public func login(_ credentials: Credentials) throws {
        switch credentials {
        case .anonymous:
            try check(realm_login_anonymous(handle))
        case let .emailPassword(email, password):
            try check(email.withCString { e in
                password.withCString { p in realm_login_email_password(handle, e, p) }
            })
        case let .apiKey(key):
            try check(key.withCString { k in realm_login_api_key(handle, k) })
        case let .customJWT(jwt):
            try check(jwt.withCString { j in realm_login_custom_jwt(handle, j) })
        case let .customFunction(payloadJSON):
            try check(payloadJSON.withCString { p in realm_login_custom_function(handle, p) })
        case let .provider(name, credentialsJSON):
            try login(provider: name, credentialsJSON: credentialsJSON)
        case .google, .googleAuthCode, .apple, .facebook:
            guard let body = try credentials.oauth2Body() else {
                throw RealmError.bindingFailure("no OAuth2 body for these credentials")
            }
            try login(provider: body.provider, credentialsJSON: body.json)
        }
    }

    /// `realm_login(client, provider, credentials_json)`: any provider by name.
    public func login(provider: String, credentialsJSON: String) throws {
        try check(provider.withCString { p in
            credentialsJSON.withCString { c in realm_login(handle, p, c) }
        })
    }

    public func loginAnonymous() throws { try login(.anonymous) }

    public func login(email: String, password: String) throws {
        try login(.emailPassword(email: email, password: password))
    }

    public func login(apiKey: String) throws { try login(.apiKey(apiKey)) }

    public func login(customJWT: String) throws { try login(.customJWT(customJWT)) }

    public func login(functionPayloadJSON: String) throws {
        try login(.customFunction(payloadJSON: functionPayloadJSON))
    }

    // MARK: Session

    /// `realm_refresh`: a new access token now (requests refresh on their own). A rejected
    /// refresh token throws `.sessionExpired` and ends the session.
    public func refresh() throws { try check(realm_refresh(handle)) }

    /// `realm_logout`: the local session is cleared whatever happens; the error, if any, says
    /// what the server did. Not logged in is success.
    public func logout() throws { try check(realm_logout(handle)) }

    /// `realm_is_logged_in`. No I/O.
    public var isLoggedIn: Bool { realm_is_logged_in(handle) }

    /// `realm_user_id`. No I/O.
    public func userId() throws -> String {
        try ownedString { out in realm_user_id(handle, out) }
    }

    /// `realm_user_json`: id, device_id, provider, profile, claims, custom_data,
    /// access_token_expires_at, access_token_expires_in_ms. No I/O.
    public func userJSON() throws -> Data {
        Data(try ownedString { out in realm_user_json(handle, out) }.utf8)
    }

    /// `realm_user_json` decoded into `type`.
    public func user<T: Decodable>(as type: T.Type = T.self, decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try decoder.decode(type, from: userJSON())
    }

    /// `realm_access_token`: the current access token (no I/O, so it may be near its end).
    public func accessToken() throws -> String {
        try ownedString { out in realm_access_token(handle, out) }
    }

    /// `realm_session_export`: a versioned JSON blob holding the refresh token. It is a secret:
    /// keep it in the Keychain. Note that Swift Strings are not wiped when released.
    public func exportSession() throws -> String {
        try ownedString { out in realm_session_export(handle, out) }
    }

    /// `realm_session_restore`: installs an exported session without I/O.
    public func restoreSession(_ sessionJSON: String) throws {
        try check(sessionJSON.withCString { s in realm_session_restore(handle, s) })
    }

    // MARK: GraphQL

    /// `realm_graphql`: runs one operation. `variablesJSON` and `operationName` nil pass NULL.
    /// Any 2xx answer returns the whole `{data, errors}` envelope: GraphQL errors are data.
    public func graphql(_ query: String, variablesJSON: String? = nil,
                        operationName: String? = nil) throws -> GraphQLResponse {
        let text = try ownedString { out in
            query.withCString { q in
                withOptionalCString(variablesJSON) { v in
                    withOptionalCString(operationName) { o in
                        realm_graphql(handle, q, v, o, out)
                    }
                }
            }
        }
        return GraphQLResponse(json: Data(text.utf8))
    }

    /// `realm_graphql` with the variables encoded as a JSON object.
    public func graphql<Variables: Encodable>(_ query: String, variables: Variables,
                                              operationName: String? = nil,
                                              encoder: JSONEncoder = JSONEncoder()) throws -> GraphQLResponse {
        try graphql(query, variablesJSON: try jsonText(variables, encoder: encoder), operationName: operationName)
    }

    // MARK: Library information

    /// `realm_client_version()`: the library's version (static: copied, never freed).
    public static var libraryVersion: String { borrowedString(realm_client_version()) }

    /// The version in the header this module was compiled against.
    public static var headerVersion: String { REALM_CLIENT_VERSION }

    /// `realm_client_abi_version()`.
    public static var abiVersion: UInt32 { realm_client_abi_version() }
}

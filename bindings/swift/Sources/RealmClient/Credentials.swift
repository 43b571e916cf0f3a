import Foundation

/// Every way to log in. Each case maps to one C call (see `Client.login(_:)`).
public enum Credentials: Hashable, Sendable {
    /// `realm_login_anonymous`: reuses the anonymous user already logged in on the client.
    case anonymous
    /// `realm_login_email_password` (the `local-userpass` provider).
    case emailPassword(email: String, password: String)
    /// `realm_login_api_key`: a user API key or a server API key (both use `api-key`).
    case apiKey(String)
    /// `realm_login_custom_jwt` (the `custom-token` provider).
    case customJWT(String)
    /// `realm_login_custom_function`: the JSON object the app's authentication function gets.
    case customFunction(payloadJSON: String)
    /// `realm_login` with `oauth2-google` and `{"id_token": ...}`.
    case google(idToken: String)
    /// `realm_login` with `oauth2-google` and `{"authCode": ...}`.
    case googleAuthCode(String)
    /// `realm_login` with `oauth2-apple` and `{"id_token": ...}`.
    case apple(idToken: String)
    /// `realm_login` with `oauth2-facebook` and `{"accessToken": ...}`.
    case facebook(accessToken: String)
    /// `realm_login` with any provider name and its JSON body fields.
    case provider(name: String, credentialsJSON: String)

    /// `.customFunction` with `payload` encoded as its JSON object.
    public static func customFunctionPayload<Payload: Encodable>(
        _ payload: Payload, encoder: JSONEncoder = JSONEncoder()
    ) throws -> Credentials {
        let json = try jsonText(payload, encoder: encoder)
        return .customFunction(payloadJSON: json)
    }

    /// The OAuth2 cases as the generic provider name and JSON body `realm_login` takes.
    func oauth2Body() throws -> (provider: String, json: String)? {
        switch self {
        case .google(let idToken): return try (provider: "oauth2-google", json: jsonText(["id_token": idToken]))
        case .googleAuthCode(let code): return try (provider: "oauth2-google", json: jsonText(["authCode": code]))
        case .apple(let idToken): return try (provider: "oauth2-apple", json: jsonText(["id_token": idToken]))
        case .facebook(let token): return try (provider: "oauth2-facebook", json: jsonText(["accessToken": token]))
        default: return nil
        }
    }
}

import Foundation
import CRealmClient

/// A status code of the C API (`realm_status`, an `int32_t`). The named values are the header's
/// `REALM_*` macros; a library newer than this binding may return others.
public struct RealmStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let ok = RealmStatus(rawValue: REALM_OK)
    public static let invalidArgument = RealmStatus(rawValue: REALM_ERR_INVALID_ARGUMENT)
    public static let panic = RealmStatus(rawValue: REALM_ERR_PANIC)
    public static let notLoggedIn = RealmStatus(rawValue: REALM_ERR_NOT_LOGGED_IN)
    public static let invalidCredentials = RealmStatus(rawValue: REALM_ERR_INVALID_CREDENTIALS)
    public static let sessionExpired = RealmStatus(rawValue: REALM_ERR_SESSION_EXPIRED)
    public static let forbidden = RealmStatus(rawValue: REALM_ERR_FORBIDDEN)
    public static let invalidToken = RealmStatus(rawValue: REALM_ERR_INVALID_TOKEN)
    public static let tokenExpired = RealmStatus(rawValue: REALM_ERR_TOKEN_EXPIRED)
    public static let notFound = RealmStatus(rawValue: REALM_ERR_NOT_FOUND)
    public static let rateLimited = RealmStatus(rawValue: REALM_ERR_RATE_LIMITED)
    public static let http = RealmStatus(rawValue: REALM_ERR_HTTP)
    public static let server = RealmStatus(rawValue: REALM_ERR_SERVER)
    public static let network = RealmStatus(rawValue: REALM_ERR_NETWORK)
    public static let timeout = RealmStatus(rawValue: REALM_ERR_TIMEOUT)
    public static let tls = RealmStatus(rawValue: REALM_ERR_TLS)
    public static let protocolError = RealmStatus(rawValue: REALM_ERR_PROTOCOL)
    public static let responseTooLarge = RealmStatus(rawValue: REALM_ERR_RESPONSE_TOO_LARGE)
    public static let internalError = RealmStatus(rawValue: REALM_ERR_INTERNAL)

    /// The library's name for the code, e.g. "SESSION_EXPIRED" ("UNKNOWN" for codes it does not
    /// know). realm_status_name returns a static string: copied, never freed.
    public var name: String { borrowedString(realm_status_name(rawValue)) }

    public var description: String { "\(name) (\(rawValue))" }
}

/// Everything the library said about one failure. Read from realm_last_error_* on the failing
/// call's thread, right after it (header rule 7).
public struct RealmErrorDetail: Hashable, Sendable {
    /// The status the call returned.
    public let status: RealmStatus
    /// The library's description of the failure (never contains a password, key or token).
    public let message: String
    /// The HTTP status of the response that caused the failure; 0 when there was no response.
    public let httpStatus: Int
    /// The server's `error_code` (e.g. "InvalidSession"), or nil when it sent none.
    public let serverCode: String?
    /// The server's `link` to its log entry, or nil.
    public let link: String?

    public init(status: RealmStatus, message: String, httpStatus: Int = 0, serverCode: String? = nil,
                link: String? = nil) {
        self.status = status
        self.message = message
        self.httpStatus = httpStatus
        self.serverCode = serverCode
        self.link = link
    }
}

/// The error every method of this module throws for a failed library call: one case per status
/// of realm_client.h, each carrying the detail (status, message, HTTP status, server code).
/// JSON encoding and decoding helpers may also throw Foundation's EncodingError/DecodingError,
/// and GraphQLResponse.data(_:) throws GraphQLFailure.
public enum RealmError: Error, Hashable, Sendable {
    /// NULL where not allowed, bad UTF-8, malformed JSON, unknown option, foreign session blob.
    case invalidArgument(RealmErrorDetail)
    /// An internal bug was caught in the library; that handle answers `.panic` from then on.
    case panic(RealmErrorDetail)
    /// The operation needs a logged-in user.
    case notLoggedIn(RealmErrorDetail)
    /// The server rejected the login credentials (or, for Admin, the admin API key pair).
    case invalidCredentials(RealmErrorDetail)
    /// The refresh token was rejected and the session cleared: log in again.
    case sessionExpired(RealmErrorDetail)
    /// HTTP 403.
    case forbidden(RealmErrorDetail)
    /// Admin verify: the client token is malformed or its signature is invalid.
    case invalidToken(RealmErrorDetail)
    /// Admin verify: the client token has expired.
    case tokenExpired(RealmErrorDetail)
    /// HTTP 404: unknown app, provider or route.
    case notFound(RealmErrorDetail)
    /// HTTP 429.
    case rateLimited(RealmErrorDetail)
    /// Any other unexpected HTTP status.
    case http(RealmErrorDetail)
    /// HTTP 5xx.
    case server(RealmErrorDetail)
    /// DNS, connect, reset or other I/O failure.
    case network(RealmErrorDetail)
    /// A configured timeout elapsed.
    case timeout(RealmErrorDetail)
    /// TLS handshake or certificate failure.
    case tls(RealmErrorDetail)
    /// An unparseable or unexpected response body.
    case protocolError(RealmErrorDetail)
    /// The response body is larger than the configured `max_response_bytes`.
    case responseTooLarge(RealmErrorDetail)
    /// REALM_ERR_INTERNAL, or a failure of this binding itself (e.g. an ABI mismatch).
    case internalError(RealmErrorDetail)
    /// A status this binding does not know (a newer library).
    case unknown(RealmErrorDetail)

    /// Wraps a detail in the case of its status.
    public init(_ detail: RealmErrorDetail) {
        switch detail.status.rawValue {
        case REALM_ERR_INVALID_ARGUMENT: self = .invalidArgument(detail)
        case REALM_ERR_PANIC: self = .panic(detail)
        case REALM_ERR_NOT_LOGGED_IN: self = .notLoggedIn(detail)
        case REALM_ERR_INVALID_CREDENTIALS: self = .invalidCredentials(detail)
        case REALM_ERR_SESSION_EXPIRED: self = .sessionExpired(detail)
        case REALM_ERR_FORBIDDEN: self = .forbidden(detail)
        case REALM_ERR_INVALID_TOKEN: self = .invalidToken(detail)
        case REALM_ERR_TOKEN_EXPIRED: self = .tokenExpired(detail)
        case REALM_ERR_NOT_FOUND: self = .notFound(detail)
        case REALM_ERR_RATE_LIMITED: self = .rateLimited(detail)
        case REALM_ERR_HTTP: self = .http(detail)
        case REALM_ERR_SERVER: self = .server(detail)
        case REALM_ERR_NETWORK: self = .network(detail)
        case REALM_ERR_TIMEOUT: self = .timeout(detail)
        case REALM_ERR_TLS: self = .tls(detail)
        case REALM_ERR_PROTOCOL: self = .protocolError(detail)
        case REALM_ERR_RESPONSE_TOO_LARGE: self = .responseTooLarge(detail)
        case REALM_ERR_INTERNAL: self = .internalError(detail)
        default: self = .unknown(detail)
        }
    }

    /// The detail, whatever the case.
    public var detail: RealmErrorDetail {
        switch self {
        case .invalidArgument(let d), .panic(let d), .notLoggedIn(let d), .invalidCredentials(let d),
             .sessionExpired(let d), .forbidden(let d), .invalidToken(let d), .tokenExpired(let d),
             .notFound(let d), .rateLimited(let d), .http(let d), .server(let d), .network(let d),
             .timeout(let d), .tls(let d), .protocolError(let d), .responseTooLarge(let d),
             .internalError(let d), .unknown(let d):
            return d
        }
    }

    public var status: RealmStatus { detail.status }
    public var message: String { detail.message }
    public var httpStatus: Int { detail.httpStatus }
    public var serverCode: String? { detail.serverCode }
    public var link: String? { detail.link }

    /// Reads this thread's error detail for a call that returned `status`. Must run right after
    /// that call, on its thread, before any other realm_* call (header rule 7): every wrapper
    /// calls it in the same synchronous stretch as the C call, never across an `await`.
    static func fromLastError(_ status: realm_status) -> RealmError {
        // The four readers return borrowed strings that stay valid only until the next realm_*
        // call on this thread, so each is copied before the next reader runs.
        let message = borrowedString(realm_last_error_message())
        let httpStatus = Int(realm_last_error_http_status())
        let serverCode = borrowedString(realm_last_error_server_code())
        let link = borrowedString(realm_last_error_link())
        return RealmError(RealmErrorDetail(
            status: RealmStatus(rawValue: status),
            message: message,
            httpStatus: httpStatus,
            serverCode: serverCode.isEmpty ? nil : serverCode,
            link: link.isEmpty ? nil : link))
    }

    /// A failure of this binding rather than of a library call.
    static func bindingFailure(_ message: String) -> RealmError {
        .internalError(RealmErrorDetail(status: .internalError, message: message))
    }
}

extension RealmError: CustomStringConvertible, LocalizedError {
    public var description: String {
        var text = "\(status): \(message)"
        if httpStatus != 0 { text += " [HTTP \(httpStatus)]" }
        if let serverCode { text += " [server code \(serverCode)]" }
        return text
    }

    public var errorDescription: String? { description }
}

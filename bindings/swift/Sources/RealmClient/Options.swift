import Foundation

/// The options object of `realm_client_new` (see the repository README for each key). Every
/// field is optional; nil fields are left out of the JSON, so the library's defaults apply.
public struct ClientOptions: Encodable, Hashable, Sendable {
    /// Where the App Services API is, e.g. "http://127.0.0.1:PORT" for the emulator.
    public var baseURL: String?
    public var connectTimeoutMs: Int?
    public var requestTimeoutMs: Int?
    public var userAgent: String?
    /// A PEM file of extra CA certificates (cannot be combined with `platformTrustStore`).
    public var caFile: String?
    /// Verify TLS with the platform's verifier and trust store.
    public var platformTrustStore: Bool?
    /// Allow plain http to a host that is not loopback.
    public var allowInsecureHTTP: Bool?
    public var maxResponseBytes: UInt64?
    public var maxRedirects: Int?
    public var appName: String?
    public var appVersion: String?
    public var autoRelogin: Bool?
    public var skipLocation: Bool?

    public init(baseURL: String? = nil, connectTimeoutMs: Int? = nil, requestTimeoutMs: Int? = nil,
                userAgent: String? = nil, caFile: String? = nil, platformTrustStore: Bool? = nil,
                allowInsecureHTTP: Bool? = nil, maxResponseBytes: UInt64? = nil,
                maxRedirects: Int? = nil, appName: String? = nil, appVersion: String? = nil,
                autoRelogin: Bool? = nil, skipLocation: Bool? = nil) {
        self.baseURL = baseURL
        self.connectTimeoutMs = connectTimeoutMs
        self.requestTimeoutMs = requestTimeoutMs
        self.userAgent = userAgent
        self.caFile = caFile
        self.platformTrustStore = platformTrustStore
        self.allowInsecureHTTP = allowInsecureHTTP
        self.maxResponseBytes = maxResponseBytes
        self.maxRedirects = maxRedirects
        self.appName = appName
        self.appVersion = appVersion
        self.autoRelogin = autoRelogin
        self.skipLocation = skipLocation
    }

    enum CodingKeys: String, CodingKey {
        case baseURL = "base_url"
        case connectTimeoutMs = "connect_timeout_ms"
        case requestTimeoutMs = "request_timeout_ms"
        case userAgent = "user_agent"
        case caFile = "ca_file"
        case platformTrustStore = "platform_trust_store"
        case allowInsecureHTTP = "allow_insecure_http"
        case maxResponseBytes = "max_response_bytes"
        case maxRedirects = "max_redirects"
        case appName = "app_name"
        case appVersion = "app_version"
        case autoRelogin = "auto_relogin"
        case skipLocation = "skip_location"
    }
}

/// The options object of `realm_admin_new`: the Admin API key pair, the project (group) id and
/// the app's internal id (not the client App ID), plus the transport keys it shares with
/// ClientOptions. nil fields are left out of the JSON.
public struct AdminOptions: Encodable, Hashable, Sendable {
    public var publicAPIKey: String
    public var privateAPIKey: String
    public var groupId: String
    /// The app's internal `_id`, e.g. "5f00000000000000000000a1" in the emulator's demo config.
    public var appId: String
    public var baseURL: String?
    public var connectTimeoutMs: Int?
    public var requestTimeoutMs: Int?
    public var userAgent: String?
    public var caFile: String?
    public var platformTrustStore: Bool?
    public var allowInsecureHTTP: Bool?
    public var maxResponseBytes: UInt64?
    public var maxRedirects: Int?

    public init(publicAPIKey: String, privateAPIKey: String, groupId: String, appId: String,
                baseURL: String? = nil, connectTimeoutMs: Int? = nil, requestTimeoutMs: Int? = nil,
                userAgent: String? = nil, caFile: String? = nil, platformTrustStore: Bool? = nil,
                allowInsecureHTTP: Bool? = nil, maxResponseBytes: UInt64? = nil,
                maxRedirects: Int? = nil) {
        self.publicAPIKey = publicAPIKey
        self.privateAPIKey = privateAPIKey
        self.groupId = groupId
        self.appId = appId
        self.baseURL = baseURL
        self.connectTimeoutMs = connectTimeoutMs
        self.requestTimeoutMs = requestTimeoutMs
        self.userAgent = userAgent
        self.caFile = caFile
        self.platformTrustStore = platformTrustStore
        self.allowInsecureHTTP = allowInsecureHTTP
        self.maxResponseBytes = maxResponseBytes
        self.maxRedirects = maxRedirects
    }

    enum CodingKeys: String, CodingKey {
        case publicAPIKey = "public_api_key"
        case privateAPIKey = "private_api_key"
        case groupId = "group_id"
        case appId = "app_id"
        case baseURL = "base_url"
        case connectTimeoutMs = "connect_timeout_ms"
        case requestTimeoutMs = "request_timeout_ms"
        case userAgent = "user_agent"
        case caFile = "ca_file"
        case platformTrustStore = "platform_trust_store"
        case allowInsecureHTTP = "allow_insecure_http"
        case maxResponseBytes = "max_response_bytes"
        case maxRedirects = "max_redirects"
    }
}

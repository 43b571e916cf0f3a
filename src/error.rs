//! The one error type of the core, grouped by what the caller does next.

use std::fmt;

/// What went wrong, as a caller decides on it. The numeric values are the C ABI's status codes
/// and are never renumbered; retired values stay reserved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum ErrorKind {
    /// NULL where not allowed, bad UTF-8, malformed JSON, unknown option, foreign session blob.
    InvalidArgument = 1,
    /// A Rust panic was caught at the C boundary; the handle is poisoned.
    Panic = 2,
    /// The operation needs a logged-in user.
    NotLoggedIn = 10,
    /// The server rejected the login credentials.
    InvalidCredentials = 11,
    /// The refresh token was rejected: the session is over, log in again.
    SessionExpired = 12,
    /// HTTP 403.
    Forbidden = 13,
    /// Admin verify: the client token is malformed or its signature is invalid.
    InvalidToken = 14,
    /// Admin verify: the client token has expired.
    TokenExpired = 15,
    /// HTTP 404: unknown app, provider or route.
    NotFound = 20,
    /// HTTP 429.
    RateLimited = 21,
    /// Any other unexpected HTTP status (4xx, or a redirect that could not be followed).
    Http = 22,
    /// HTTP 5xx.
    Server = 23,
    /// DNS, connect, reset or other I/O failure.
    Network = 30,
    /// A configured timeout elapsed.
    Timeout = 31,
    /// TLS handshake or certificate failure.
    Tls = 32,
    /// An unparseable or unexpected response body.
    Protocol = 33,
    /// The response body is larger than the configured maximum.
    ResponseTooLarge = 34,
    /// Anything else; read the message.
    Internal = 99,
}

impl ErrorKind {
    /// Every kind, for tables and tests.
    pub const ALL: [ErrorKind; 18] = [
        ErrorKind::InvalidArgument,
        ErrorKind::Panic,
        ErrorKind::NotLoggedIn,
        ErrorKind::InvalidCredentials,
        ErrorKind::SessionExpired,
        ErrorKind::Forbidden,
        ErrorKind::InvalidToken,
        ErrorKind::TokenExpired,
        ErrorKind::NotFound,
        ErrorKind::RateLimited,
        ErrorKind::Http,
        ErrorKind::Server,
        ErrorKind::Network,
        ErrorKind::Timeout,
        ErrorKind::Tls,
        ErrorKind::Protocol,
        ErrorKind::ResponseTooLarge,
        ErrorKind::Internal,
    ];

    /// The status code value shared with the C ABI.
    pub fn code(self) -> i32 {
        self as i32
    }

    pub fn from_code(code: i32) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// A short stable name, e.g. `"SESSION_EXPIRED"`.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::InvalidArgument => "INVALID_ARGUMENT",
            ErrorKind::Panic => "PANIC",
            ErrorKind::NotLoggedIn => "NOT_LOGGED_IN",
            ErrorKind::InvalidCredentials => "INVALID_CREDENTIALS",
            ErrorKind::SessionExpired => "SESSION_EXPIRED",
            ErrorKind::Forbidden => "FORBIDDEN",
            ErrorKind::InvalidToken => "INVALID_TOKEN",
            ErrorKind::TokenExpired => "TOKEN_EXPIRED",
            ErrorKind::NotFound => "NOT_FOUND",
            ErrorKind::RateLimited => "RATE_LIMITED",
            ErrorKind::Http => "HTTP",
            ErrorKind::Server => "SERVER",
            ErrorKind::Network => "NETWORK",
            ErrorKind::Timeout => "TIMEOUT",
            ErrorKind::Tls => "TLS",
            ErrorKind::Protocol => "PROTOCOL",
            ErrorKind::ResponseTooLarge => "RESPONSE_TOO_LARGE",
            ErrorKind::Internal => "INTERNAL",
        }
    }

    /// The kind for an HTTP status that has no more specific meaning in its context.
    pub fn from_http_status(status: u16) -> ErrorKind {
        match status {
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            429 => ErrorKind::RateLimited,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::Http,
        }
    }
}

/// An error with everything the server said about it.
///
/// `message` never contains a password, API key or token: the transport redacts the secrets of
/// the request from anything taken from the server, and nothing else quotes them.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    /// The HTTP status of the response that caused it, 0 when there was none.
    pub http_status: u16,
    /// The server's `error_code`, verbatim.
    pub server_code: Option<String>,
    /// The server's `error` text, verbatim (after redaction).
    pub server_message: Option<String>,
    /// The server's `link` to its log entry, verbatim.
    pub link: Option<String>,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            http_status: 0,
            server_code: None,
            server_message: None,
            link: None,
        }
    }

    pub fn invalid_argument(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidArgument, message)
    }

    pub fn not_logged_in() -> Error {
        Error::new(ErrorKind::NotLoggedIn, "no user is logged in")
    }

    pub fn protocol(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Protocol, message)
    }

    pub(crate) fn with_kind(mut self, kind: ErrorKind) -> Error {
        self.kind = kind;
        self
    }

    pub(crate) fn context(mut self, what: &str) -> Error {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("http_status", &self.http_status)
            .field("server_code", &self.server_code)
            .field("link", &self.link)
            .finish()
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

//! Status codes: explicit values, never renumbered; retired values stay reserved.

use crate::error::ErrorKind;

/// The result of every fallible call. `REALM_OK` (0) is success; anything else is a failure
/// whose detail is in `realm_last_error_message()` and friends.
#[allow(non_camel_case_types)]
pub type realm_status = i32;

/// Success.
pub const REALM_OK: realm_status = 0;
/// NULL where not allowed, bad UTF-8, malformed JSON, unknown option, unknown or freed handle.
pub const REALM_ERR_INVALID_ARGUMENT: realm_status = 1;
/// An internal bug was caught; the handle is poisoned and only `realm_free` is valid on it.
pub const REALM_ERR_PANIC: realm_status = 2;
/// The operation needs a logged-in user.
pub const REALM_ERR_NOT_LOGGED_IN: realm_status = 10;
/// The server rejected the login credentials.
pub const REALM_ERR_INVALID_CREDENTIALS: realm_status = 11;
/// The refresh token was rejected and the session cleared: log in again.
pub const REALM_ERR_SESSION_EXPIRED: realm_status = 12;
/// HTTP 403.
pub const REALM_ERR_FORBIDDEN: realm_status = 13;
/// Admin verify: the client token is malformed or its signature is invalid.
pub const REALM_ERR_INVALID_TOKEN: realm_status = 14;
/// Admin verify: the client token has expired.
pub const REALM_ERR_TOKEN_EXPIRED: realm_status = 15;
/// HTTP 404: unknown app, provider or route.
pub const REALM_ERR_NOT_FOUND: realm_status = 20;
/// HTTP 429.
pub const REALM_ERR_RATE_LIMITED: realm_status = 21;
/// Any other unexpected HTTP status.
pub const REALM_ERR_HTTP: realm_status = 22;
/// HTTP 5xx.
pub const REALM_ERR_SERVER: realm_status = 23;
/// DNS, connect, reset or other I/O failure.
pub const REALM_ERR_NETWORK: realm_status = 30;
/// A configured timeout elapsed.
pub const REALM_ERR_TIMEOUT: realm_status = 31;
/// TLS handshake or certificate failure.
pub const REALM_ERR_TLS: realm_status = 32;
/// An unparseable or unexpected response body.
pub const REALM_ERR_PROTOCOL: realm_status = 33;
/// The response body is larger than the configured `max_response_bytes`.
pub const REALM_ERR_RESPONSE_TOO_LARGE: realm_status = 34;
/// Anything else; read the message.
pub const REALM_ERR_INTERNAL: realm_status = 99;

pub(crate) fn status_of(kind: ErrorKind) -> realm_status {
    kind.code()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_match_the_core_kinds() {
        let table = [
            (REALM_ERR_INVALID_ARGUMENT, ErrorKind::InvalidArgument),
            (REALM_ERR_PANIC, ErrorKind::Panic),
            (REALM_ERR_NOT_LOGGED_IN, ErrorKind::NotLoggedIn),
            (REALM_ERR_INVALID_CREDENTIALS, ErrorKind::InvalidCredentials),
            (REALM_ERR_SESSION_EXPIRED, ErrorKind::SessionExpired),
            (REALM_ERR_FORBIDDEN, ErrorKind::Forbidden),
            (REALM_ERR_INVALID_TOKEN, ErrorKind::InvalidToken),
            (REALM_ERR_TOKEN_EXPIRED, ErrorKind::TokenExpired),
            (REALM_ERR_NOT_FOUND, ErrorKind::NotFound),
            (REALM_ERR_RATE_LIMITED, ErrorKind::RateLimited),
            (REALM_ERR_HTTP, ErrorKind::Http),
            (REALM_ERR_SERVER, ErrorKind::Server),
            (REALM_ERR_NETWORK, ErrorKind::Network),
            (REALM_ERR_TIMEOUT, ErrorKind::Timeout),
            (REALM_ERR_TLS, ErrorKind::Tls),
            (REALM_ERR_PROTOCOL, ErrorKind::Protocol),
            (REALM_ERR_RESPONSE_TOO_LARGE, ErrorKind::ResponseTooLarge),
            (REALM_ERR_INTERNAL, ErrorKind::Internal),
        ];
        assert_eq!(table.len(), ErrorKind::ALL.len());
        for (code, kind) in table {
            assert_eq!(code, status_of(kind), "{kind:?}");
        }
    }
}

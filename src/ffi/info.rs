//! Versions and status names.

use super::boundary::guard_infallible;
use crate::error::ErrorKind;
use std::ffi::{c_char, CStr};

/// The ABI version of this library; equals the `REALM_CLIENT_ABI_VERSION` header macro.
/// Bindings compare the two at load time and refuse a mismatch.
pub const REALM_CLIENT_ABI_VERSION: u32 = 1;

static VERSION: &CStr =
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(v) => v,
        Err(_) => panic!("the version holds no NUL"),
    };

/// The library version, e.g. "0.1.0"; equals the `REALM_CLIENT_VERSION` header macro. Static:
/// never free it.
#[no_mangle]
pub extern "C" fn realm_client_version() -> *const c_char {
    VERSION.as_ptr()
}

/// The ABI version; equals `REALM_CLIENT_ABI_VERSION`.
#[no_mangle]
pub extern "C" fn realm_client_abi_version() -> u32 {
    REALM_CLIENT_ABI_VERSION
}

/// The name of a status code, e.g. "SESSION_EXPIRED"; "OK" for 0 and "UNKNOWN" for values this
/// version does not know. Static: never free it.
#[no_mangle]
pub extern "C" fn realm_status_name(status: i32) -> *const c_char {
    guard_infallible(c"UNKNOWN".as_ptr(), || {
        if status == 0 {
            return c"OK".as_ptr();
        }
        match ErrorKind::from_code(status) {
            Some(kind) => static_name(kind).as_ptr(),
            None => c"UNKNOWN".as_ptr(),
        }
    })
}

fn static_name(kind: ErrorKind) -> &'static CStr {
    match kind {
        ErrorKind::InvalidArgument => c"INVALID_ARGUMENT",
        ErrorKind::Panic => c"PANIC",
        ErrorKind::NotLoggedIn => c"NOT_LOGGED_IN",
        ErrorKind::InvalidCredentials => c"INVALID_CREDENTIALS",
        ErrorKind::SessionExpired => c"SESSION_EXPIRED",
        ErrorKind::Forbidden => c"FORBIDDEN",
        ErrorKind::InvalidToken => c"INVALID_TOKEN",
        ErrorKind::TokenExpired => c"TOKEN_EXPIRED",
        ErrorKind::NotFound => c"NOT_FOUND",
        ErrorKind::RateLimited => c"RATE_LIMITED",
        ErrorKind::Http => c"HTTP",
        ErrorKind::Server => c"SERVER",
        ErrorKind::Network => c"NETWORK",
        ErrorKind::Timeout => c"TIMEOUT",
        ErrorKind::Tls => c"TLS",
        ErrorKind::Protocol => c"PROTOCOL",
        ErrorKind::ResponseTooLarge => c"RESPONSE_TOO_LARGE",
        ErrorKind::Internal => c"INTERNAL",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_names_match_the_core() {
        for kind in ErrorKind::ALL {
            assert_eq!(static_name(kind).to_str().unwrap(), kind.name());
        }
    }
}

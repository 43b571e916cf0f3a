//! The client handle's exports: `realm_client_new`, the logins, `realm_refresh`,
//! `realm_graphql`, `realm_logout`, user info, session export/restore and `realm_free`.

use super::boundary::{guard, guard_infallible};
use super::handles::Registry;
use super::status::realm_status;
use super::strings::{arg, opt_arg};
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::{Client, ClientOptions};
use once_cell::sync::Lazy;
use std::ffi::c_char;

/// An App Services client. Opaque: create it with `realm_client_new`, release it with
/// `realm_free`. Safe to use from many threads at once.
#[allow(non_camel_case_types)]
pub struct realm_client {
    _private: [u8; 0],
}

static CLIENTS: Lazy<Registry<Client>> = Lazy::new(|| Registry::new("realm_client"));

fn with_client(
    handle: *const realm_client,
    body: impl FnOnce(&Client) -> Result<()>,
) -> realm_status {
    CLIENTS.call(handle as usize, body)
}

/// # Safety
/// `out` is NULL or writable.
unsafe fn with_client_out(
    handle: *const realm_client,
    out: *mut *mut c_char,
    out_name: &str,
    body: impl FnOnce(&Client) -> Result<String>,
) -> realm_status {
    // SAFETY: the caller's guarantee about `out` is passed on unchanged.
    unsafe { CLIENTS.call_out(handle as usize, out, out_name, body) }
}

/// Creates a client for `app_id` (the client App ID, e.g. "myapp-abcde"). `options_json` may be
/// NULL or a JSON object (see the README for the keys; unknown keys are an error). No network
/// I/O. On success `*out` holds the handle; on failure it is set to NULL.
///
/// # Safety
/// `app_id` and `options_json` are NULL or NUL-terminated strings; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn realm_client_new(
    app_id: *const c_char,
    options_json: *const c_char,
    out: *mut *mut realm_client,
) -> realm_status {
    guard(|| {
        if out.is_null() {
            return Err(Error::invalid_argument("out must not be NULL"));
        }
        // SAFETY: non-NULL and writable per the contract above.
        unsafe { out.write(std::ptr::null_mut()) };
        // SAFETY: the pointers are NULL or valid strings per the contract above.
        let (app_id, options) = unsafe {
            (
                arg(app_id, "app_id")?,
                opt_arg(options_json, "options_json")?,
            )
        };
        let client = Client::new(app_id, ClientOptions::from_json(options)?)?;
        let handle = CLIENTS.insert(client);
        // SAFETY: as above.
        unsafe { out.write(handle as *mut realm_client) };
        Ok(())
    })
}

/// Releases a client: its secrets are wiped. Does not log out. NULL is a no-op; a handle that
/// was already freed is ignored. A call still running on it on another thread finishes first.
#[no_mangle]
pub extern "C" fn realm_free(client: *mut realm_client) {
    guard_infallible((), || {
        if !client.is_null() {
            CLIENTS.remove(client as usize);
        }
    })
}

/// Logs in with any provider: `provider` is its name (e.g. "local-userpass", "oauth2-google")
/// and `credentials_json` a JSON object of its body fields (e.g. {"id_token": "..."}).
/// Replaces the current session.
///
/// # Safety
/// `provider` and `credentials_json` are NULL or NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn realm_login(
    client: *mut realm_client,
    provider: *const c_char,
    credentials_json: *const c_char,
) -> realm_status {
    with_client(client, |c| {
        // SAFETY: NULL or valid strings per the contract above.
        let (provider, json) = unsafe {
            (
                arg(provider, "provider")?,
                arg(credentials_json, "credentials_json")?,
            )
        };
        c.login(Credentials::from_json(provider, json)?)
    })
}

/// Logs in anonymously; reuses the anonymous user already logged in on this client, if any.
#[no_mangle]
pub extern "C" fn realm_login_anonymous(client: *mut realm_client) -> realm_status {
    with_client(client, |c| c.login(Credentials::Anonymous))
}

/// Logs in with the email/password provider (`local-userpass`).
///
/// # Safety
/// `email` and `password` are NULL or NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn realm_login_email_password(
    client: *mut realm_client,
    email: *const c_char,
    password: *const c_char,
) -> realm_status {
    with_client(client, |c| {
        // SAFETY: NULL or valid strings per the contract above.
        let (email, password) = unsafe { (arg(email, "email")?, arg(password, "password")?) };
        c.login(Credentials::email_password(email, password)?)
    })
}

/// Logs in with a user or server API key (both use the `api-key` provider).
///
/// # Safety
/// `api_key` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn realm_login_api_key(
    client: *mut realm_client,
    api_key: *const c_char,
) -> realm_status {
    with_client(client, |c| {
        // SAFETY: NULL or a valid string per the contract above.
        let key = unsafe { arg(api_key, "api_key")? };
        c.login(Credentials::secret(Credentials::ApiKey, key, "api_key")?)
    })
}

/// Logs in with a custom JWT (the `custom-token` provider).
///
/// # Safety
/// `jwt` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn realm_login_custom_jwt(
    client: *mut realm_client,
    jwt: *const c_char,
) -> realm_status {
    with_client(client, |c| {
        // SAFETY: NULL or a valid string per the contract above.
        let jwt = unsafe { arg(jwt, "jwt")? };
        c.login(Credentials::secret(Credentials::CustomJwt, jwt, "jwt")?)
    })
}

/// Logs in with the `custom-function` provider; `payload_json` is the JSON object the app's
/// authentication function receives.
///
/// # Safety
/// `payload_json` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn realm_login_custom_function(
    client: *mut realm_client,
    payload_json: *const c_char,
) -> realm_status {
    with_client(client, |c| {
        // SAFETY: NULL or a valid string per the contract above.
        let payload = unsafe { arg(payload_json, "payload_json")? };
        c.login(Credentials::custom_function(payload)?)
    })
}

/// Gets a new access token with the refresh token now. Rarely needed: requests refresh on
/// their own. A rejected refresh token gives `REALM_ERR_SESSION_EXPIRED` and ends the session.
#[no_mangle]
pub extern "C" fn realm_refresh(client: *mut realm_client) -> realm_status {
    with_client(client, Client::refresh)
}

/// Runs a GraphQL operation. `variables_json` (a JSON object) and `operation_name` may be NULL.
/// On any 2xx answer, `*out_json` receives the whole response envelope (`data` and `errors`) as
/// the server sent it: GraphQL errors are data, not a failure. Free it with `realm_string_free`.
///
/// # Safety
/// The strings are NULL or NUL-terminated; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn realm_graphql(
    client: *mut realm_client,
    query: *const c_char,
    variables_json: *const c_char,
    operation_name: *const c_char,
    out_json: *mut *mut c_char,
) -> realm_status {
    // SAFETY: NULL or valid per the contract above.
    unsafe {
        with_client_out(client, out_json, "out_json", |c| {
            let (query, variables, op) = (
                arg(query, "query")?,
                opt_arg(variables_json, "variables_json")?,
                opt_arg(operation_name, "operation_name")?,
            );
            c.graphql(query, variables, op)
        })
    }
}

/// Logs out: the local session is cleared whatever happens, then revoked on the server; the
/// status says what the server did. Not logged in is success.
#[no_mangle]
pub extern "C" fn realm_logout(client: *mut realm_client) -> realm_status {
    with_client(client, Client::logout)
}

/// True when a user is logged in. No I/O. NULL or a freed handle gives false.
#[no_mangle]
pub extern "C" fn realm_is_logged_in(client: *const realm_client) -> bool {
    guard_infallible(false, || {
        CLIENTS
            .get(client as usize)
            .is_ok_and(|e| !e.is_poisoned() && e.value.is_logged_in())
    })
}

/// The logged-in user's id.
///
/// # Safety
/// `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn realm_user_id(
    client: *const realm_client,
    out: *mut *mut c_char,
) -> realm_status {
    // SAFETY: NULL or valid per the contract above.
    unsafe { with_client_out(client, out, "out", |c| c.user_id()) }
}

/// A JSON object describing the user: id, device_id, provider, profile, claims (the access
/// token's decoded payload), custom_data, access_token_expires_at, access_token_expires_in_ms.
///
/// # Safety
/// `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn realm_user_json(
    client: *const realm_client,
    out_json: *mut *mut c_char,
) -> realm_status {
    // SAFETY: NULL or valid per the contract above.
    unsafe { with_client_out(client, out_json, "out_json", |c| c.user_json()) }
}

/// The current access token, for calling other services (no I/O: it may be near its end).
/// After `realm_session_restore` there is none until the first refresh (`realm_refresh`, or
/// any request): until then this gives REALM_ERR_NOT_LOGGED_IN while `realm_is_logged_in` is
/// true.
///
/// # Safety
/// `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn realm_access_token(
    client: *const realm_client,
    out: *mut *mut c_char,
) -> realm_status {
    // SAFETY: NULL or valid per the contract above.
    unsafe {
        with_client_out(client, out, "out", |c| {
            let token: Secret = c.access_token()?;
            Ok(token.expose().to_string())
        })
    }
}

/// A versioned JSON blob holding the refresh token, to keep in the platform's keychain and
/// give to `realm_session_restore` later. It is a secret: store it safely.
///
/// # Safety
/// `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn realm_session_export(
    client: *const realm_client,
    out_json: *mut *mut c_char,
) -> realm_status {
    // SAFETY: NULL or valid per the contract above.
    unsafe {
        with_client_out(client, out_json, "out_json", |c| {
            Ok(c.export_session()?.expose().to_string())
        })
    }
}

/// Installs a session from `realm_session_export`'s blob, without I/O. A blob for another app
/// or of an unknown version is an invalid argument. The next request refreshes the token.
///
/// # Safety
/// `session_json` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn realm_session_restore(
    client: *mut realm_client,
    session_json: *const c_char,
) -> realm_status {
    with_client(client, |c| {
        // SAFETY: NULL or a valid string per the contract above.
        let blob = unsafe { arg(session_json, "session_json")? };
        c.restore_session(blob)
    })
}

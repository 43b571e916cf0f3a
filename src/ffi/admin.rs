//! The admin handle's exports: `realm_admin_new`, `realm_admin_verify_token`, `realm_admin_free`.
//! For backend services only: the handle holds Admin API keys.

use super::boundary::{guard, guard_infallible};
use super::handles::Registry;
use super::status::realm_status;
use super::strings::arg;
use crate::admin::{Admin, AdminOptions};
use crate::error::Error;
use once_cell::sync::Lazy;
use std::ffi::c_char;

/// An Admin API client that verifies client access tokens. Opaque: create it with
/// `realm_admin_new`, release it with `realm_admin_free`. Safe to use from many threads at once.
/// It holds Admin API keys: use it only in a backend, never in an app.
#[allow(non_camel_case_types)]
pub struct realm_admin {
    _private: [u8; 0],
}

static ADMINS: Lazy<Registry<Admin>> = Lazy::new(|| Registry::new("realm_admin"));

/// Creates an admin handle. `options_json` is a JSON object with public_api_key,
/// private_api_key, group_id (the project id), app_id (the app's internal id, not the client
/// App ID), and optionally base_url, timeouts and TLS options as for `realm_client_new`.
/// No I/O: the admin login happens on first use. On failure `*out` is set to NULL.
///
/// # Safety
/// `options_json` is NULL or a NUL-terminated string; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn realm_admin_new(
    options_json: *const c_char,
    out: *mut *mut realm_admin,
) -> realm_status {
    guard(|| {
        if out.is_null() {
            return Err(Error::invalid_argument("out must not be NULL"));
        }
        // SAFETY: non-NULL and writable per the contract above.
        unsafe { out.write(std::ptr::null_mut()) };
        // SAFETY: NULL or a valid string per the contract above.
        let options = unsafe { arg(options_json, "options_json")? };
        let admin = Admin::new(AdminOptions::from_json(options)?)?;
        let handle = ADMINS.insert(admin);
        // SAFETY: as above.
        unsafe { out.write(handle as *mut realm_admin) };
        Ok(())
    })
}

/// Verifies a client access token with the Admin API. REALM_OK: `*out_claims_json` receives
/// the claims (sub, exp, iat, iss, domain_id, device_id, custom_user_data...).
/// REALM_ERR_TOKEN_EXPIRED: the token has expired. REALM_ERR_INVALID_TOKEN: it is malformed or
/// not genuine. REALM_ERR_INVALID_CREDENTIALS: the admin keys were refused. Logs in to the
/// Admin API on first use and renews the admin token when it expires.
///
/// # Safety
/// `access_token` is NULL or a NUL-terminated string; `out_claims_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn realm_admin_verify_token(
    admin: *mut realm_admin,
    access_token: *const c_char,
    out_claims_json: *mut *mut c_char,
) -> realm_status {
    // SAFETY: NULL or valid per the contract above.
    unsafe {
        ADMINS.call_out(admin as usize, out_claims_json, "out_claims_json", |a| {
            a.verify_token(arg(access_token, "access_token")?)
        })
    }
}

/// Releases an admin handle; its keys and tokens are wiped. NULL is a no-op; a handle that was
/// already freed is ignored.
#[no_mangle]
pub extern "C" fn realm_admin_free(admin: *mut realm_admin) {
    guard_infallible((), || {
        if !admin.is_null() {
            ADMINS.remove(admin as usize);
        }
    })
}

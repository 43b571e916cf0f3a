//! The panic boundary and the per-thread error detail every fallible export leaves.

use super::status::{realm_status, status_of, REALM_OK};
use crate::error::{Error, ErrorKind};
use std::cell::RefCell;
use std::ffi::{c_char, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

#[derive(Default)]
struct LastError {
    message: CString,
    http_status: i32,
    server_code: CString,
    link: CString,
}

thread_local! {
    static LAST_ERROR: RefCell<LastError> = RefCell::new(LastError::default());
}

fn c_text(s: &str) -> CString {
    CString::new(s.replace('\0', " ")).unwrap_or_default()
}

// `try_with`: during thread teardown the slot may be gone; detail is then simply not kept.
fn clear_last_error() {
    // Every successful call clears: skipped when there is nothing to clear, as a default
    // CString is an allocation.
    let _ = LAST_ERROR.try_with(|e| {
        let mut e = e.borrow_mut();
        let set = e.http_status != 0
            || !e.message.is_empty()
            || !e.server_code.is_empty()
            || !e.link.is_empty();
        if set {
            *e = LastError::default();
        }
    });
}

fn set_last_error(err: &Error) {
    let _ = LAST_ERROR.try_with(|e| {
        *e.borrow_mut() = LastError {
            message: c_text(&err.message),
            http_status: i32::from(err.http_status),
            server_code: c_text(err.server_code.as_deref().unwrap_or("")),
            link: c_text(err.link.as_deref().unwrap_or("")),
        }
    });
}

pub(crate) fn panic_error(payload: &(dyn std::any::Any + Send)) -> Error {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    Error::new(
        ErrorKind::Panic,
        format!("internal error (panic caught at the C boundary): {what}"),
    )
}

/// Runs the body of a fallible export: clears the thread's error detail, catches panics, and
/// turns the result into a status code with detail left for `realm_last_error_*`.
pub(crate) fn guard(body: impl FnOnce() -> Result<(), Error>) -> realm_status {
    clear_last_error();
    let result = catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|p| Err(panic_error(&*p)));
    match result {
        Ok(()) => REALM_OK,
        Err(err) => {
            set_last_error(&err);
            status_of(err.kind)
        }
    }
}

/// Runs the body of an export that cannot report failure; a panic gives `fallback`.
pub(crate) fn guard_infallible<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

fn with_last<T>(read: impl FnOnce(&LastError) -> T) -> T {
    LAST_ERROR.with(|e| read(&e.borrow()))
}

/// A description of the last failure on this thread, or "" after a success. Never NULL.
/// Borrowed: valid until the next fallible `realm_*` call on this thread; never free it.
#[no_mangle]
pub extern "C" fn realm_last_error_message() -> *const c_char {
    guard_infallible(c"".as_ptr(), || with_last(|e| e.message.as_ptr()))
}

/// The HTTP status of the last failure on this thread; 0 when there was no HTTP response.
#[no_mangle]
pub extern "C" fn realm_last_error_http_status() -> i32 {
    guard_infallible(0, || with_last(|e| e.http_status))
}

/// The server's `error_code` of the last failure on this thread (e.g. "InvalidSession"), or "".
/// Never NULL. Borrowed like `realm_last_error_message()`.
#[no_mangle]
pub extern "C" fn realm_last_error_server_code() -> *const c_char {
    guard_infallible(c"".as_ptr(), || with_last(|e| e.server_code.as_ptr()))
}

/// The server's `link` to its log entry for the last failure on this thread, or "". Never NULL.
/// Borrowed like `realm_last_error_message()`.
#[no_mangle]
pub extern "C" fn realm_last_error_link() -> *const c_char {
    guard_infallible(c"".as_ptr(), || with_last(|e| e.link.as_ptr()))
}

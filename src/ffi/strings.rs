//! Strings across the boundary: borrowed UTF-8 in, owned NUL-terminated UTF-8 out.

use super::boundary::guard_infallible;
use crate::error::{Error, Result};
use std::ffi::{c_char, CStr, CString};
use zeroize::Zeroize;

/// A required string argument: NULL and invalid UTF-8 are invalid arguments naming `name`.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that stays valid for the call.
pub(crate) unsafe fn arg<'a>(ptr: *const c_char, name: &str) -> Result<&'a str> {
    if ptr.is_null() {
        return Err(Error::invalid_argument(format!("{name} must not be NULL")));
    }
    // SAFETY: non-NULL, and the caller guarantees a NUL-terminated string valid for the call.
    let cstr = unsafe { CStr::from_ptr(ptr) };
    cstr.to_str()
        .map_err(|_| Error::invalid_argument(format!("{name} is not valid UTF-8")))
}

/// An optional string argument: NULL is `None`.
///
/// # Safety
/// As for [`arg`].
pub(crate) unsafe fn opt_arg<'a>(ptr: *const c_char, name: &str) -> Result<Option<&'a str>> {
    if ptr.is_null() {
        Ok(None)
    } else {
        // SAFETY: the caller's guarantee is passed on unchanged.
        unsafe { arg(ptr, name) }.map(Some)
    }
}

/// An out-parameter for an owned string: checked for NULL and set to NULL before any work,
/// so that cleanup code can free it blindly whatever happens.
pub(crate) struct OutString(*mut *mut c_char);

impl OutString {
    /// # Safety
    /// `out` is NULL or points to writable storage for one pointer.
    pub(crate) unsafe fn new(out: *mut *mut c_char, name: &str) -> Result<OutString> {
        if out.is_null() {
            return Err(Error::invalid_argument(format!("{name} must not be NULL")));
        }
        // SAFETY: non-NULL and writable per the caller's guarantee.
        unsafe { out.write(std::ptr::null_mut()) };
        Ok(OutString(out))
    }

    /// Hands `value` to the caller, who frees it with `realm_string_free`.
    pub(crate) fn set(self, mut value: String) -> Result<()> {
        // Copied into a buffer with room for the NUL, so that CString::new does not reallocate
        // and leave an unwiped copy of a token or session blob behind.
        let mut bytes = Vec::with_capacity(value.len() + 1);
        bytes.extend_from_slice(value.as_bytes());
        value.zeroize();
        let c = CString::new(bytes).map_err(|e| {
            let mut bytes = e.into_vec();
            bytes.zeroize();
            Error::protocol("the value holds a NUL byte and cannot be returned as a C string")
        })?;
        // SAFETY: checked non-NULL and writable in `new`; the allocation is now the caller's.
        unsafe { self.0.write(c.into_raw()) };
        Ok(())
    }
}

/// Frees a string the library returned, after overwriting it with zeros (it may hold a token
/// or a session blob). NULL is a no-op. Never pass a pointer the library did not return, and
/// never free one twice.
///
/// # Safety
/// `s` is NULL or a pointer returned by this library and not yet freed.
#[no_mangle]
pub unsafe extern "C" fn realm_string_free(s: *mut c_char) {
    if s.is_null() {
        return;
    }
    guard_infallible((), || {
        // SAFETY: the caller passes a pointer from `CString::into_raw` that was not freed yet.
        let owned = unsafe { CString::from_raw(s) };
        let mut bytes = owned.into_bytes_with_nul();
        bytes.zeroize();
    })
}

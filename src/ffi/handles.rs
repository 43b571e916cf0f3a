//! Handle registry: what C holds is an id, never the address of Rust memory.
//!
//! Each handle value maps to an `Arc` in a table. A call clones the `Arc` for its duration, so
//! freeing a handle while another thread is inside a call on it is safe, and a freed, forged or
//! double-freed handle is an invalid-argument error instead of undefined behaviour. Ids are
//! never reused, so a stale handle cannot reach a newer object at a recycled address.

use super::boundary::{guard, panic_error};
use super::status::realm_status;
use super::strings::OutString;
use crate::error::{Error, ErrorKind, Result};
use parking_lot::RwLock;
use std::collections::HashMap;
use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

/// Handle values step by this, so that they look like aligned pointers and are never NULL.
const STRIDE: usize = 16;
static NEXT_ID: AtomicUsize = AtomicUsize::new(1);

/// An object behind a handle, with the flag a caught panic sets.
pub(crate) struct Entry<T> {
    pub value: T,
    poisoned: AtomicBool,
}

impl<T> Entry<T> {
    pub fn is_poisoned(&self) -> bool {
        self.poisoned.load(Ordering::Acquire)
    }

    pub fn poison(&self) {
        self.poisoned.store(true, Ordering::Release);
    }
}

pub(crate) struct Registry<T> {
    kind: &'static str,
    table: RwLock<HashMap<usize, Arc<Entry<T>>>>,
}

impl<T> Registry<T> {
    pub fn new(kind: &'static str) -> Registry<T> {
        Registry {
            kind,
            table: RwLock::new(HashMap::new()),
        }
    }

    pub fn insert(&self, value: T) -> usize {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed).wrapping_mul(STRIDE);
        let entry = Arc::new(Entry {
            value,
            poisoned: AtomicBool::new(false),
        });
        self.table.write().insert(id, entry);
        id
    }

    pub fn get(&self, handle: usize) -> Result<Arc<Entry<T>>> {
        if handle == 0 {
            return Err(Error::invalid_argument(format!(
                "{} handle must not be NULL",
                self.kind
            )));
        }
        self.table.read().get(&handle).cloned().ok_or_else(|| {
            Error::invalid_argument(format!(
                "not a live {} handle (already freed, or never returned by the library)",
                self.kind
            ))
        })
    }

    /// Removes the handle; the object is dropped when the last call using it returns.
    pub fn remove(&self, handle: usize) -> bool {
        self.table.write().remove(&handle).is_some()
    }
}

impl<T> Registry<T> {
    /// Runs `body` on the live object behind `handle`, inside the panic boundary; a panic
    /// poisons that object.
    pub fn call(&self, handle: usize, body: impl FnOnce(&T) -> Result<()>) -> realm_status {
        guard(|| {
            let entry = self.get(handle)?;
            if entry.is_poisoned() {
                return Err(Error::new(
                    ErrorKind::Panic,
                    format!(
                        "this {} is unusable after an internal error; free it",
                        self.kind
                    ),
                ));
            }
            catch_unwind(AssertUnwindSafe(|| body(&entry.value))).unwrap_or_else(|p| {
                entry.poison();
                Err(panic_error(&*p))
            })
        })
    }

    /// Like [`Registry::call`] for a body that returns a string for an out-parameter. The
    /// out-parameter is checked and set to NULL before anything else, the handle included, so
    /// that it is NULL after every failure.
    ///
    /// # Safety
    /// `out` is NULL or points to writable storage for one pointer.
    pub unsafe fn call_out(
        &self,
        handle: usize,
        out: *mut *mut c_char,
        out_name: &str,
        body: impl FnOnce(&T) -> Result<String>,
    ) -> realm_status {
        // SAFETY: the caller's guarantee about `out` is passed on unchanged.
        let out = match unsafe { OutString::new(out, out_name) } {
            Ok(out) => out,
            Err(err) => return guard(|| Err(err)),
        };
        self.call(handle, |value| out.set(body(value)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::{
        realm_last_error_message, REALM_ERR_INVALID_ARGUMENT, REALM_ERR_PANIC, REALM_OK,
    };
    use std::ffi::CStr;

    fn last_message() -> String {
        // SAFETY: the message is a valid C string owned by this thread's error slot.
        unsafe { CStr::from_ptr(realm_last_error_message()) }
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn a_panic_becomes_a_status_and_poisons_the_handle() {
        let registry = Registry::new("thing");
        let h = registry.insert(5u32);
        assert_eq!(
            registry.call(h, |v| {
                assert_eq!(*v, 5);
                Ok(())
            }),
            REALM_OK
        );
        assert_eq!(registry.call(h, |_| panic!("boom")), REALM_ERR_PANIC);
        assert!(last_message().contains("boom"), "{}", last_message());
        assert_eq!(registry.call(h, |_| Ok(())), REALM_ERR_PANIC);
        assert!(last_message().contains("unusable"));
        assert!(registry.remove(h));
        assert_eq!(registry.call(h, |_| Ok(())), REALM_ERR_INVALID_ARGUMENT);
        assert!(!registry.remove(h));
    }

    #[test]
    fn out_parameters_are_null_after_any_failure() {
        let registry = Registry::<u32>::new("thing");
        let mut out: *mut c_char = std::ptr::dangling_mut::<c_char>();
        // SAFETY: `out` is a valid local.
        let status = unsafe { registry.call_out(12345, &mut out, "out", |_| Ok("x".into())) };
        assert_eq!(status, REALM_ERR_INVALID_ARGUMENT);
        assert!(out.is_null());
        // SAFETY: NULL is allowed and reported.
        let status =
            unsafe { registry.call_out(0, std::ptr::null_mut(), "out", |_| Ok("x".into())) };
        assert_eq!(status, REALM_ERR_INVALID_ARGUMENT);
        assert!(last_message().contains("out must not be NULL"));
        let h = registry.insert(1);
        out = std::ptr::dangling_mut::<c_char>();
        // SAFETY: `out` is a valid local.
        let status = unsafe { registry.call_out(h, &mut out, "out", |_| panic!("inside")) };
        assert_eq!(status, REALM_ERR_PANIC);
        assert!(out.is_null());
    }

    #[test]
    fn handles_are_never_reused() {
        let registry = Registry::new("thing");
        let a = registry.insert(1u8);
        registry.remove(a);
        let b = registry.insert(2u8);
        assert_ne!(a, b);
        assert_ne!(a, 0);
        assert_eq!(a % STRIDE, 0);
    }
}

//! Handle registry: what C holds is an id, never the address of Rust memory.
//!
//! Each handle value maps to an `Arc` in a table. A call clones the `Arc` for its duration, so
//! freeing a handle while another thread is inside a call on it is safe, and a freed, forged or
//! double-freed handle is an invalid-argument error instead of undefined behaviour. Ids are
//! never reused, so a stale handle cannot reach a newer object at a recycled address.

use super::boundary::{guard, panic_error};
use super::status::realm_status;
use crate::error::{Error, ErrorKind, Result};
use parking_lot::RwLock;
use std::collections::HashMap;
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
}

//! A logged-in user's session: the refresh token, the current access token, and the state that
//! keeps refreshes single-flight.

use crate::error::Error;
use crate::secret::Secret;
use crate::token::AccessToken;
use parking_lot::{Mutex, RwLock};
use serde_json::Value;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// The access token in use, with a generation number that grows with each refresh.
#[derive(Clone, Debug)]
pub struct Current {
    pub token: Arc<AccessToken>,
    pub generation: u64,
}

#[derive(Debug)]
pub struct Session {
    pub user_id: String,
    pub device_id: String,
    pub provider: String,
    pub refresh_token: Secret,
    pub profile: Option<Value>,
    access: RwLock<Option<Current>>,
    /// Held for the whole of a refresh request; holds the last refresh's failure, so that the
    /// callers that waited for it share its result instead of each sending another.
    pub refresh_lock: Mutex<Option<Error>>,
    /// Counts finished refresh attempts, successful or not.
    pub attempts: AtomicU64,
    ended: AtomicBool,
}

impl Session {
    pub fn new(
        user_id: String,
        device_id: String,
        provider: String,
        refresh_token: Secret,
        profile: Option<Value>,
        access: Option<AccessToken>,
    ) -> Session {
        Session {
            user_id,
            device_id,
            provider,
            refresh_token,
            profile,
            access: RwLock::new(access.map(|t| Current {
                token: Arc::new(t),
                generation: 1,
            })),
            refresh_lock: Mutex::new(None),
            attempts: AtomicU64::new(0),
            ended: AtomicBool::new(false),
        }
    }

    /// The current access token; `None` for a restored session that has not refreshed yet.
    pub fn current(&self) -> Option<Current> {
        self.access.read().clone()
    }

    pub fn generation(&self) -> u64 {
        self.access.read().as_ref().map_or(0, |c| c.generation)
    }

    pub fn install(&self, token: AccessToken) -> Current {
        let mut slot = self.access.write();
        let current = Current {
            token: Arc::new(token),
            generation: slot.as_ref().map_or(1, |c| c.generation + 1),
        };
        *slot = Some(current.clone());
        current
    }

    pub fn end(&self) {
        self.ended.store(true, Ordering::Release);
    }

    pub fn has_ended(&self) -> bool {
        self.ended.load(Ordering::Acquire)
    }
}

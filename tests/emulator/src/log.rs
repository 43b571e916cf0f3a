//! The request log behind `GET /_emulator/requests`.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, VecDeque};

/// Entries kept; older ones are dropped so a long benchmark cannot exhaust memory. The counts
/// are kept for every request regardless.
const MAX_ENTRIES: usize = 100_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    /// The raw query string without `?`; empty when there is none.
    pub query: String,
    /// Lower-case header names; repeated headers are joined with `", "`.
    pub headers: BTreeMap<String, String>,
    /// The body as UTF-8 (invalid sequences replaced).
    pub body: String,
    /// The status of the response sent; 0 while none has been sent or when the connection was
    /// dropped without one.
    pub status: u16,
}

#[derive(Default)]
pub struct RequestLog {
    entries: VecDeque<(u64, LoggedRequest)>,
    counts: HashMap<String, u64>,
    next_seq: u64,
}

impl RequestLog {
    /// Records a request as it arrives (so a stalled request is visible) and returns the handle
    /// to set its status later.
    pub fn push(&mut self, r: LoggedRequest) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        *self
            .counts
            .entry(format!("{} {}", r.method, r.path))
            .or_insert(0) += 1;
        if self.entries.len() == MAX_ENTRIES {
            self.entries.pop_front();
        }
        self.entries.push_back((seq, r));
        seq
    }

    pub fn set_status(&mut self, seq: u64, status: u16) {
        let Some(&(first, _)) = self.entries.front() else {
            return;
        };
        if seq < first {
            return;
        }
        if let Some((s, r)) = self.entries.get_mut((seq - first) as usize) {
            if *s == seq {
                r.status = status;
            }
        }
    }

    pub fn entries(&self) -> Vec<LoggedRequest> {
        self.entries.iter().map(|(_, r)| r.clone()).collect()
    }

    pub fn counts(&self) -> BTreeMap<String, u64> {
        self.counts.iter().map(|(k, v)| (k.clone(), *v)).collect()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.counts.clear();
    }
}

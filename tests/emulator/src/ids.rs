//! ObjectId-shaped identifiers (24 lower-case hex digits), the form App Services uses for user,
//! session, device and request ids.

use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

/// The all-zero device id, which means "no device" on the wire.
pub const ZERO_ID: &str = "000000000000000000000000";

fn process_random() -> &'static [u8; 5] {
    static R: OnceLock<[u8; 5]> = OnceLock::new();
    R.get_or_init(|| {
        let mut b = [0u8; 5];
        // A failing OS RNG only costs uniqueness across processes, never correctness here.
        let _ = getrandom::fill(&mut b);
        b
    })
}

fn counter() -> u32 {
    static C: OnceLock<AtomicU32> = OnceLock::new();
    C.get_or_init(|| {
        let mut b = [0u8; 4];
        let _ = getrandom::fill(&mut b);
        AtomicU32::new(u32::from_le_bytes(b))
    })
    .fetch_add(1, Ordering::Relaxed)
}

/// A fresh ObjectId laid out like MongoDB's: 4-byte timestamp, 5 per-process random bytes and a
/// 3-byte counter, so ids are unique within a run and roughly ordered by creation.
pub fn new_object_id() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as u32)
        .unwrap_or(0);
    let mut b = [0u8; 12];
    b[..4].copy_from_slice(&secs.to_be_bytes());
    b[4..9].copy_from_slice(process_random());
    b[9..].copy_from_slice(&counter().to_be_bytes()[1..]);
    hex(&b)
}

/// A stable ObjectId-shaped id derived from `parts`, so the same identity maps to the same user
/// id in every run (and after a reset).
pub fn derived_id(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    }
    hex(&h.finalize()[..12])
}

/// A random hex string of `n` bytes (for secrets that only need to be unguessable).
pub fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    let _ = getrandom::fill(&mut b);
    hex(&b)
}

pub fn is_object_id(s: &str) -> bool {
    s.len() == 24 && s.bytes().all(|c| c.is_ascii_hexdigit())
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_hex_and_unique() {
        let a = new_object_id();
        let b = new_object_id();
        assert!(is_object_id(&a) && is_object_id(&b));
        assert_ne!(a, b);
        assert_eq!(derived_id(&["x", "y"]), derived_id(&["x", "y"]));
        assert_ne!(derived_id(&["xy"]), derived_id(&["x", "y"]));
    }
}

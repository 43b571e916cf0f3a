//! Injected failures: what the next N matching requests get instead of (or on top of) the real
//! answer.

use crate::http::{self, Body, ChannelBody};
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::header::{HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
use hyper::{Response, StatusCode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io;
use std::time::Duration;

/// A fault to apply to the next `count` requests with this method (any when `None`) and exact
/// path (no query).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    #[serde(default)]
    pub method: Option<String>,
    pub path: String,
    #[serde(default = "one")]
    pub count: u32,
    pub action: FaultAction,
}

fn one() -> u32 {
    1
}

fn status_200() -> u16 {
    200
}

fn status_500() -> u16 {
    500
}

fn status_307() -> u16 {
    307
}

fn one_u32() -> u32 {
    1
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultAction {
    /// This response instead of the real one; no Content-Type header when `content_type` is
    /// null or absent.
    Respond {
        #[serde(default = "status_500")]
        status: u16,
        #[serde(default)]
        body: String,
        #[serde(default)]
        content_type: Option<String>,
        #[serde(default)]
        headers: BTreeMap<String, String>,
    },
    /// Wait, then answer normally.
    Delay { ms: u64 },
    /// Never answer; the connection is held until the client goes away (at most 120 s, or until
    /// the emulator stops), then closed.
    Stall,
    /// Close the connection without sending anything.
    Drop,
    /// Headers with the full Content-Length, half of the body, then close. `body` defaults to
    /// a JSON object; Content-Type is `application/json`.
    DropMidBody {
        #[serde(default = "status_200")]
        status: u16,
        #[serde(default)]
        body: Option<String>,
    },
    /// Headers, then the body one byte at a time at `bytes_per_sec`.
    Trickle {
        #[serde(default = "one_u32")]
        bytes_per_sec: u32,
        #[serde(default = "status_200")]
        status: u16,
        #[serde(default)]
        body: Option<String>,
    },
    /// A 200 `application/json` body of exactly `bytes` bytes, valid JSON for `bytes >= 1`.
    Oversized { bytes: u64 },
    /// A redirect with a Location header and an empty body.
    Redirect {
        #[serde(default = "status_307")]
        status: u16,
        location: String,
    },
    /// Answer normally, then close the keep-alive connection without `Connection: close`.
    CloseAfter,
}

/// Default body of `drop_mid_body` and `trickle`: plausible JSON, long enough to cut in half.
pub const DEFAULT_FAULT_BODY: &str = r#"{"access_token":"this body is sent by a fault of the emulator","padding":"0123456789abcdef0123456789abcdef"}"#;

impl Fault {
    pub fn validate(&self) -> Result<(), String> {
        if self.count == 0 {
            return Err("count must be at least 1".into());
        }
        if !self.path.starts_with('/') {
            return Err("path must start with '/'".into());
        }
        match &self.action {
            FaultAction::Respond { status, .. }
            | FaultAction::DropMidBody { status, .. }
            | FaultAction::Trickle { status, .. }
                if !(100..=999).contains(status) =>
            {
                Err(format!("invalid status {status}"))
            }
            FaultAction::Redirect { status, .. } if ![301, 302, 307, 308].contains(status) => {
                Err("redirect status must be 301, 302, 307 or 308".into())
            }
            _ => Ok(()),
        }
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.path == path
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method) || m.eq_ignore_ascii_case("any"))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingFault {
    pub id: u64,
    #[serde(flatten)]
    pub fault: Fault,
}

#[derive(Default)]
pub struct FaultQueue {
    pending: Vec<PendingFault>,
    next_id: u64,
}

impl FaultQueue {
    pub fn add(&mut self, fault: Fault) -> u64 {
        self.next_id += 1;
        self.pending.push(PendingFault {
            id: self.next_id,
            fault,
        });
        self.next_id
    }

    /// The action for this request, if a fault is pending for it; the oldest matching fault
    /// wins and loses one of its uses.
    pub fn take(&mut self, method: &str, path: &str) -> Option<FaultAction> {
        let i = self
            .pending
            .iter()
            .position(|p| p.fault.matches(method, path))?;
        let p = &mut self.pending[i];
        p.fault.count -= 1;
        let action = p.fault.action.clone();
        if p.fault.count == 0 {
            self.pending.remove(i);
        }
        Some(action)
    }

    pub fn list(&self) -> Vec<PendingFault> {
        self.pending.clone()
    }

    pub fn clear(&mut self) {
        self.pending.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
}

/// The response of a fault that answers something (everything but delay, stall, drop and
/// close_after, which the connection handles itself).
pub fn response(action: &FaultAction) -> Response<Body> {
    match action {
        FaultAction::Respond {
            status,
            body,
            content_type,
            headers,
        } => {
            let mut r = Response::new(http::full(body.clone()));
            *r.status_mut() = status_code(*status);
            if let Some(ct) = content_type
                .as_deref()
                .and_then(|c| HeaderValue::from_str(c).ok())
            {
                r.headers_mut().insert(CONTENT_TYPE, ct);
            }
            for (k, v) in headers {
                if let (Ok(k), Ok(v)) = (
                    HeaderName::from_bytes(k.as_bytes()),
                    HeaderValue::from_str(v),
                ) {
                    r.headers_mut().insert(k, v);
                }
            }
            r
        }
        FaultAction::DropMidBody { status, body } => {
            let body = Bytes::from(body.clone().unwrap_or_else(|| DEFAULT_FAULT_BODY.into()));
            let (tx, b) = ChannelBody::new(body.len() as u64);
            tokio::spawn(async move {
                let half = body.slice(..body.len() / 2);
                if !half.is_empty() && tx.send(Ok(half)).await.is_err() {
                    return;
                }
                // Give hyper time to flush the half before the error tears the connection down.
                tokio::time::sleep(Duration::from_millis(200)).await;
                let _ = tx.send(Err(io::Error::other("drop_mid_body fault"))).await;
            });
            streamed(*status, b)
        }
        FaultAction::Trickle {
            bytes_per_sec,
            status,
            body,
        } => {
            let body = Bytes::from(body.clone().unwrap_or_else(|| DEFAULT_FAULT_BODY.into()));
            let (tx, b) = ChannelBody::new(body.len() as u64);
            let gap = Duration::from_secs_f64(1.0 / f64::from((*bytes_per_sec).max(1)));
            tokio::spawn(async move {
                for i in 0..body.len() {
                    tokio::time::sleep(gap).await;
                    if tx.send(Ok(body.slice(i..i + 1))).await.is_err() {
                        return;
                    }
                }
            });
            streamed(*status, b)
        }
        FaultAction::Oversized { bytes } => {
            let n = *bytes;
            let (tx, b) = ChannelBody::new(n);
            tokio::spawn(async move {
                for chunk in oversized_chunks(n) {
                    if tx.send(Ok(chunk)).await.is_err() {
                        return;
                    }
                }
            });
            streamed(200, b)
        }
        FaultAction::Redirect { status, location } => {
            let mut r = Response::new(http::empty_body());
            *r.status_mut() = status_code(*status);
            if let Ok(v) = HeaderValue::from_str(location) {
                r.headers_mut().insert(LOCATION, v);
            }
            r.headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
            r
        }
        FaultAction::Delay { .. }
        | FaultAction::Stall
        | FaultAction::Drop
        | FaultAction::CloseAfter => {
            unreachable!("handled by the connection")
        }
    }
}

fn status_code(s: u16) -> StatusCode {
    StatusCode::from_u16(s).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn streamed(status: u16, body: ChannelBody) -> Response<Body> {
    let len = http_body::Body::size_hint(&body).exact().unwrap_or(0);
    let mut r = Response::new(body.boxed());
    *r.status_mut() = status_code(status);
    r.headers_mut().insert(CONTENT_TYPE, http::APPLICATION_JSON);
    r.headers_mut()
        .insert(CONTENT_LENGTH, HeaderValue::from(len));
    r
}

/// Exactly `n` bytes of valid JSON (`{"padding":"xxx…"}`, or a number when `n` is too small
/// for the object), produced lazily so a huge body costs no memory.
fn oversized_chunks(n: u64) -> Box<dyn Iterator<Item = Bytes> + Send> {
    const PREFIX: &[u8] = b"{\"padding\":\"";
    const SUFFIX: &[u8] = b"\"}";
    const CHUNK: usize = 64 * 1024;
    let frame = PREFIX.len() as u64 + SUFFIX.len() as u64;
    if n < frame {
        let mut digits = vec![b'0'; n as usize];
        if let Some(first) = digits.first_mut() {
            *first = b'1';
        }
        return Box::new(std::iter::once(Bytes::from(digits)).filter(|b| !b.is_empty()));
    }
    let pad = Bytes::from(vec![b'x'; CHUNK]);
    let mut left = n - frame;
    let middle = std::iter::from_fn(move || {
        if left == 0 {
            return None;
        }
        let take = left.min(CHUNK as u64) as usize;
        left -= take as u64;
        Some(pad.slice(..take))
    });
    Box::new(
        std::iter::once(Bytes::from_static(PREFIX))
            .chain(middle)
            .chain(std::iter::once(Bytes::from_static(SUFFIX))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_down_and_matches_method() {
        let mut q = FaultQueue::default();
        let f: Fault = serde_json::from_str(
            r#"{"method":"POST","path":"/a","count":2,"action":{"kind":"drop"}}"#,
        )
        .unwrap();
        q.add(f);
        assert_eq!(q.take("GET", "/a"), None);
        assert_eq!(q.take("POST", "/a"), Some(FaultAction::Drop));
        assert_eq!(q.list()[0].fault.count, 1);
        assert_eq!(q.take("POST", "/a"), Some(FaultAction::Drop));
        assert!(q.is_empty());
    }

    #[test]
    fn oversized_is_exact_json() {
        for n in [0u64, 1, 5, 13, 14, 15, 100, 200_000] {
            let all: Vec<u8> = oversized_chunks(n).flat_map(|b| b.to_vec()).collect();
            assert_eq!(all.len() as u64, n);
            if n > 0 {
                serde_json::from_slice::<serde_json::Value>(&all).unwrap();
            }
        }
    }
}

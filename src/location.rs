//! The app's location: the origin every later request goes to (protocol spec §1.3).

use crate::error::{Error, Result};
use crate::response::{json_object, server_error};
use crate::transport::{Method, Request, Transport};
use crate::url::{BaseUrl, Origin};
use once_cell::sync::OnceCell;
use serde_json::Value;
use std::time::Instant;

/// Where the app's requests go, and which origins may see its tokens.
#[derive(Debug)]
pub struct Host {
    /// The configured base URL's origin and the location's: the only ones given a token.
    pub trusted: Vec<Origin>,
    /// The location's hostname: where every request goes.
    pub origin: Origin,
    /// `{prefix}/api/client/v2.0/app/{app_id}` and `{prefix}/api/client/v2.0/auth`, built once:
    /// every request's path is one of them plus a short path.
    app_base: String,
    auth_base: String,
}

impl Host {
    fn new(hostname: &BaseUrl, trusted: Vec<Origin>, app_id: &str) -> Host {
        Host {
            trusted,
            origin: hostname.origin().clone(),
            app_base: hostname.target(&format!("/api/client/v2.0/app/{app_id}")),
            auth_base: hostname.target("/api/client/v2.0/auth"),
        }
    }

    pub fn app_target(&self, path: &str) -> String {
        [self.app_base.as_str(), path].concat()
    }

    pub fn auth_target(&self, path: &str) -> String {
        [self.auth_base.as_str(), path].concat()
    }
}

/// Resolved once, lazily; concurrent first callers share one request, and a failure leaves it
/// unresolved so that the next call tries again.
#[derive(Debug, Default)]
pub struct Location {
    cell: OnceCell<Host>,
}

impl Location {
    pub fn get(
        &self,
        transport: &Transport,
        app_id: &str,
        skip: bool,
        deadline: Instant,
    ) -> Result<&Host> {
        self.cell.get_or_try_init(|| {
            let base = &transport.options().base_url;
            if skip {
                return Ok(Host::new(base, vec![base.origin().clone()], app_id));
            }
            fetch(transport, app_id, base, deadline)
        })
    }
}

fn fetch(transport: &Transport, app_id: &str, base: &BaseUrl, deadline: Instant) -> Result<Host> {
    let response = transport.send(&Request {
        method: Method::Get,
        origin: base.origin(),
        target: base.target(&format!("/api/client/v2.0/app/{app_id}/location")),
        body: None,
        bearer: None,
        trusted: &[],
        secrets: &[],
        deadline,
    })?;
    if !response.is_success() {
        return Err(server_error(&response, "resolving the app location", &[]));
    }
    let map = json_object(&response, "resolving the app location", &[])?;
    let hostname = match map.get("hostname") {
        Some(Value::String(h)) if h.is_empty() => base.clone(),
        Some(Value::String(h)) => BaseUrl::parse(h).map_err(|e| Error {
            http_status: response.status,
            ..Error::protocol(format!(
                "the location endpoint returned an unusable hostname: {}",
                e.message
            ))
        })?,
        _ => {
            return Err(Error {
                http_status: response.status,
                ..Error::protocol("the location response has no string \"hostname\"")
            })
        }
    };
    let mut trusted = vec![base.origin().clone()];
    if hostname.origin() != base.origin() {
        trusted.push(hostname.origin().clone());
    }
    Ok(Host::new(&hostname, trusted, app_id))
}

//! The real (non-control) routes: dispatch by path, and the request shape they all read.

pub mod admin;
pub mod client;

use crate::api_error::ApiError;
use crate::ejson;
use crate::http::{self, Body};
use crate::shared::Shared;
use bytes::Bytes;
use hyper::header::{HeaderValue, AUTHORIZATION};
use hyper::{HeaderMap, Method, Response, StatusCode};
use serde_json::{Map, Value};

/// A request with its body already read.
pub struct Req {
    pub method: Method,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// The Authorization header as the routes see it.
pub enum Auth<'a> {
    None,
    Bearer(&'a str),
    /// Present but not `Bearer <token>`.
    Other,
}

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn auth(&self) -> Auth<'_> {
        let Some(v) = self.headers.get(AUTHORIZATION) else {
            return Auth::None;
        };
        let Ok(v) = v.to_str() else {
            return Auth::Other;
        };
        match v.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
                Auth::Bearer(token.trim())
            }
            _ => Auth::Other,
        }
    }

    /// The bearer token of a route that requires one.
    pub fn bearer(&self) -> Result<&str, ApiError> {
        match self.auth() {
            Auth::Bearer(t) => Ok(t),
            Auth::None => Err(ApiError::missing_auth()),
            Auth::Other => Err(ApiError::invalid_session(
                "invalid session: expected an Authorization header of the form 'Bearer <token>'",
            )),
        }
    }

    pub fn query_flag(&self, name: &str, value: &str) -> bool {
        self.query
            .split('&')
            .any(|kv| kv.split_once('=') == Some((name, value)))
    }

    /// The body as a JSON object with EJSON wrappers removed; an empty body is `{}`.
    pub fn json_object(&self) -> Result<Map<String, Value>, ApiError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Map::new());
        }
        let v: Value = serde_json::from_slice(&self.body).map_err(|e| {
            ApiError::bad_request(format!("failed to parse request body as JSON: {e}"))
        })?;
        match ejson::to_relaxed(v) {
            Value::Object(m) => Ok(m),
            _ => Err(ApiError::bad_request("request body must be a JSON object")),
        }
    }
}

pub fn method_not_allowed(req: &Req) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        format!("method {} is not allowed on {}", req.method, req.path),
    )
}

pub fn not_found(req: &Req) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "NotFound",
        format!("no route for {} {}", req.method, req.path),
    )
}

pub async fn handle(shared: &Shared, req: &Req) -> Response<Body> {
    let mut resp = if req.method == Method::OPTIONS {
        preflight(req)
    } else {
        route(shared, req).await.unwrap_or_else(|e| shared.error(e))
    };
    resp.headers_mut()
        .insert("access-control-allow-origin", HeaderValue::from_static("*"));
    resp
}

async fn route(shared: &Shared, req: &Req) -> Result<Response<Body>, ApiError> {
    // realm-core tolerates a trailing slash since 14.10.1; so does the emulator.
    let path = req.path.trim_end_matches('/');
    let segs: Vec<&str> = path.split('/').skip(1).collect();
    match segs.as_slice() {
        ["api", "client", "v2.0", "app", app, rest @ ..] => {
            client::app_route(shared, req, app, rest).await
        }
        ["api", "client", "v2.0", "auth", rest @ ..] => client::session_route(shared, req, rest),
        ["api", "admin", "v3.0", rest @ ..] => admin::route(shared, req, rest),
        _ => Err(not_found(req)),
    }
}

/// Permissive CORS, so browser-based clients can be tested too.
fn preflight(req: &Req) -> Response<Body> {
    let mut r = http::no_content(StatusCode::NO_CONTENT);
    let h = r.headers_mut();
    h.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("GET, POST, PUT, PATCH, DELETE, OPTIONS"),
    );
    let allow = req
        .headers
        .get("access-control-request-headers")
        .cloned()
        .unwrap_or_else(|| HeaderValue::from_static("Authorization, Content-Type"));
    h.insert("access-control-allow-headers", allow);
    h.insert("access-control-max-age", HeaderValue::from_static("600"));
    r
}

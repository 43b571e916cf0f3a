//! Reading App Services responses: success bodies and the `{error, error_code, link}` shape.

use crate::error::{Error, ErrorKind, Result};
use crate::redact::{excerpt, redact};
use crate::transport::Response;
use serde_json::{Map, Value};

/// The error a non-success response stands for, keeping the server's fields verbatim.
///
/// `what` names the operation ("login", "refresh", ...). The kind is the generic one for the
/// status; callers turn it into a more specific one where their context says more.
pub fn server_error(response: &Response, what: &str, secrets: &[&str]) -> Error {
    let status = response.status;
    let parsed = if response.is_json() {
        serde_json::from_slice::<Value>(&response.body).ok()
    } else {
        None
    };
    let field = |v: &Value, key: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .map(|s| redact(s, secrets))
    };
    let mut err = Error::new(ErrorKind::from_http_status(status), String::new());
    err.http_status = status;
    match parsed {
        Some(v @ Value::Object(_)) => {
            err.server_message = field(&v, "error");
            err.server_code = field(&v, "error_code");
            err.link = field(&v, "link");
            err.message = format!(
                "{what} failed: HTTP {status}{}: {}",
                err.server_code
                    .as_deref()
                    .map_or(String::new(), |c| format!(" {c}")),
                err.server_message
                    .as_deref()
                    .unwrap_or("(no error message)")
            );
            if let Some(link) = &err.link {
                err.message.push_str(&format!(" (log: {link})"));
            }
        }
        _ => {
            err.message = format!(
                "{what} failed: HTTP {status}, {}",
                describe_body(response, secrets)
            );
        }
    }
    err
}

/// "an empty body" or "a text/html body: <excerpt>".
pub fn describe_body(response: &Response, secrets: &[&str]) -> String {
    if response.body.is_empty() {
        return "with an empty body".to_string();
    }
    let ct = response
        .content_type
        .as_deref()
        .unwrap_or("no content type");
    format!("with a {ct} body: {}", excerpt(&response.body, secrets))
}

/// The JSON object of a success response, or a protocol error with an excerpt of what came instead.
pub fn json_object(
    response: &Response,
    what: &str,
    secrets: &[&str],
) -> Result<Map<String, Value>> {
    let content_type_ok = response.may_be_json();
    if content_type_ok {
        if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(&response.body) {
            return Ok(map);
        }
    }
    Err(unexpected_body(response, what, "a JSON object", secrets))
}

pub fn unexpected_body(response: &Response, what: &str, expected: &str, secrets: &[&str]) -> Error {
    Error {
        http_status: response.status,
        ..Error::protocol(format!(
            "{what}: expected {expected} in the HTTP {} response, got a response {}",
            response.status,
            describe_body(response, secrets)
        ))
    }
}

/// A required non-empty string field of a success body.
pub fn required_string(
    map: &Map<String, Value>,
    key: &str,
    what: &str,
    status: u16,
) -> Result<String> {
    match map.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        _ => Err(Error {
            http_status: status,
            ..Error::protocol(format!(
                "{what}: the response has no non-empty string {key:?}"
            ))
        }),
    }
}

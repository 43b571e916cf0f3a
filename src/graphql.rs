//! GraphQL request bodies and response envelopes (protocol spec §7).

use crate::error::{Error, Result};
use crate::response::unexpected_body;
use crate::transport::Response;
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::value::RawValue;

/// `{"query": ..., "variables": {...}, "operationName": ...}`, with the caller's variables
/// embedded as written rather than parsed and printed again.
pub fn request_body(
    query: &str,
    variables_json: Option<&str>,
    operation_name: Option<&str>,
) -> Result<Vec<u8>> {
    if query.trim().is_empty() {
        return Err(Error::invalid_argument(
            "the GraphQL query must not be empty",
        ));
    }
    let variables = match variables_json.map(str::trim) {
        None | Some("") | Some("null") => None,
        Some(text) => {
            let raw: &RawValue = serde_json::from_str(text).map_err(|e| {
                Error::invalid_argument(format!("variables are not valid JSON: {e}"))
            })?;
            if !raw.get().starts_with('{') {
                return Err(Error::invalid_argument("variables must be a JSON object"));
            }
            Some(raw.get())
        }
    };
    let operation_name = operation_name.filter(|s| !s.is_empty());
    let mut body = Vec::with_capacity(query.len() + variables.map_or(0, str::len) + 64);
    body.extend_from_slice(b"{\"query\":");
    serde_json::to_writer(&mut body, query).expect("strings serialise");
    if let Some(vars) = variables {
        body.extend_from_slice(b",\"variables\":");
        body.extend_from_slice(vars.as_bytes());
    }
    if let Some(name) = operation_name {
        body.extend_from_slice(b",\"operationName\":");
        serde_json::to_writer(&mut body, name).expect("strings serialise");
    }
    body.push(b'}');
    Ok(body)
}

/// Only checks the shape: values are skipped, not built.
#[derive(Deserialize)]
struct Envelope {
    data: Option<IgnoredAny>,
    errors: Option<IgnoredAny>,
}

/// The response text, once it is known to be a JSON object with `data` or `errors`.
pub fn envelope(response: Response, secrets: &[&str]) -> Result<String> {
    let content_type_ok = response.may_be_json();
    // A struct also deserialises from an array, hence the look at the first byte.
    let is_object = response
        .body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{');
    let shaped = content_type_ok
        && is_object
        && serde_json::from_slice::<Envelope>(&response.body)
            .is_ok_and(|e| e.data.is_some() || e.errors.is_some());
    if !shaped {
        return Err(unexpected_body(
            &response,
            "GraphQL request",
            "a JSON object with \"data\" or \"errors\"",
            secrets,
        ));
    }
    let mut response = response;
    let bytes = std::mem::take(&mut *response.body);
    String::from_utf8(bytes).map_err(|_| Error::protocol("the GraphQL response is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies() {
        let b = request_body("{ movies { title } }", None, None).unwrap();
        assert_eq!(b, br#"{"query":"{ movies { title } }"}"#);
        let b = request_body(
            "query Q($y: Int) { movies(query: {year: $y}) { title } }",
            Some(r#" {"y": 1999} "#),
            Some("Q"),
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(b).unwrap(),
            r#"{"query":"query Q($y: Int) { movies(query: {year: $y}) { title } }","variables":{"y": 1999},"operationName":"Q"}"#
        );
    }

    #[test]
    fn bad_inputs() {
        assert!(request_body("  ", None, None).is_err());
        assert!(request_body("{a}", Some("[1]"), None).is_err());
        assert!(request_body("{a}", Some("{"), None).is_err());
        assert!(request_body("{a}", Some("{} {}"), None).is_err());
    }
}

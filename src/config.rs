//! Client options: parsed from JSON (unknown keys are an error) and validated before any I/O.

use crate::error::{Error, Result};
use crate::url::BaseUrl;
use serde_json::{Map, Value};
use std::path::PathBuf;
use std::time::Duration;

pub const DEFAULT_BASE_URL: &str = "https://services.cloud.mongodb.com";
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;
pub const DEFAULT_MAX_REDIRECTS: u32 = 5;
const MAX_REDIRECTS_LIMIT: u32 = 20;

/// Transport and TLS settings shared by the client and the admin handle.
#[derive(Clone, Debug, PartialEq)]
pub struct TransportOptions {
    pub base_url: BaseUrl,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub user_agent: String,
    /// PEM file with CA certificates trusted in addition to the default roots.
    pub ca_file: Option<PathBuf>,
    /// Trust the operating system's verifier instead of the bundled webpki roots.
    pub platform_trust_store: bool,
    /// Allow plain http to hosts other than loopback ones.
    pub allow_insecure_http: bool,
    pub max_response_bytes: u64,
    pub max_redirects: u32,
}

impl Default for TransportOptions {
    fn default() -> Self {
        TransportOptions {
            base_url: BaseUrl::parse(DEFAULT_BASE_URL).expect("the default base URL is valid"),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            user_agent: default_user_agent(),
            ca_file: None,
            platform_trust_store: false,
            allow_insecure_http: false,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_redirects: DEFAULT_MAX_REDIRECTS,
        }
    }
}

pub fn default_user_agent() -> String {
    format!("realm-client/{}", env!("CARGO_PKG_VERSION"))
}

/// Options of a client handle.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ClientOptions {
    pub transport: TransportOptions,
    pub app_name: Option<String>,
    pub app_version: Option<String>,
    /// Log in again with the last credentials when the session ends (credentials kept in memory).
    pub auto_relogin: bool,
    /// Use `base_url` for every request instead of asking the location endpoint.
    pub skip_location: bool,
}

/// The keys `TransportOptions` reads from an options object.
pub const TRANSPORT_KEYS: [&str; 9] = [
    "base_url",
    "connect_timeout_ms",
    "request_timeout_ms",
    "user_agent",
    "ca_file",
    "platform_trust_store",
    "allow_insecure_http",
    "max_response_bytes",
    "max_redirects",
];

const CLIENT_KEYS: [&str; 4] = ["app_name", "app_version", "auto_relogin", "skip_location"];

impl ClientOptions {
    /// Parses the options JSON; `None` or an empty string means all defaults.
    pub fn from_json(json: Option<&str>) -> Result<ClientOptions> {
        let map = match json.map(str::trim) {
            None | Some("") => Map::new(),
            Some(text) => parse_object(text, "options")?,
        };
        reject_unknown(&map, &[&TRANSPORT_KEYS[..], &CLIENT_KEYS[..]].concat())?;
        let mut user_agent_suffix = String::new();
        let app_name = opt_string(&map, "app_name")?;
        let app_version = opt_string(&map, "app_version")?;
        if let Some(name) = &app_name {
            user_agent_suffix = format!(" {name}");
            if let Some(version) = &app_version {
                user_agent_suffix.push('/');
                user_agent_suffix.push_str(version);
            }
        }
        let mut transport = TransportOptions::from_map(&map)?;
        if !map.contains_key("user_agent") {
            transport.user_agent.push_str(&user_agent_suffix);
            check_header_value(&transport.user_agent, "app_name and app_version")?;
        }
        Ok(ClientOptions {
            transport,
            app_name,
            app_version,
            auto_relogin: opt_bool(&map, "auto_relogin")?.unwrap_or(false),
            skip_location: opt_bool(&map, "skip_location")?.unwrap_or(false),
        })
    }
}

impl TransportOptions {
    /// Reads the transport keys of an options object; the caller rejects keys it does not know.
    pub fn from_map(map: &Map<String, Value>) -> Result<TransportOptions> {
        let mut t = TransportOptions::default();
        if let Some(url) = opt_string(map, "base_url")? {
            t.base_url = BaseUrl::parse(&url)?;
        }
        if let Some(ms) = opt_u64(map, "connect_timeout_ms", 1, 3_600_000)? {
            t.connect_timeout = Duration::from_millis(ms);
        }
        if let Some(ms) = opt_u64(map, "request_timeout_ms", 1, 3_600_000)? {
            t.request_timeout = Duration::from_millis(ms);
        }
        if let Some(ua) = opt_string(map, "user_agent")? {
            if ua.is_empty() {
                return Err(Error::invalid_argument(
                    "option user_agent must not be empty",
                ));
            }
            check_header_value(&ua, "user_agent")?;
            t.user_agent = ua;
        }
        t.ca_file = opt_string(map, "ca_file")?.map(PathBuf::from);
        t.platform_trust_store = opt_bool(map, "platform_trust_store")?.unwrap_or(false);
        if t.platform_trust_store && t.ca_file.is_some() {
            return Err(Error::invalid_argument(
                "options ca_file and platform_trust_store cannot be combined: the platform verifier takes no extra roots",
            ));
        }
        t.allow_insecure_http = opt_bool(map, "allow_insecure_http")?.unwrap_or(false);
        if let Some(n) = opt_u64(map, "max_response_bytes", 1024, u64::MAX)? {
            t.max_response_bytes = n;
        }
        if let Some(n) = opt_u64(map, "max_redirects", 0, MAX_REDIRECTS_LIMIT as u64)? {
            t.max_redirects = n as u32;
        }
        if !t.allow_insecure_http && !t.base_url.is_secure_or_loopback() {
            return Err(Error::invalid_argument(format!(
                "base_url {} uses plain http to a host that is not loopback; set allow_insecure_http to send credentials over it",
                t.base_url.origin()
            )));
        }
        Ok(t)
    }
}

/// Values that end up in an HTTP header: no control characters (ureq would refuse them late).
fn check_header_value(value: &str, what: &str) -> Result<()> {
    if value.chars().any(|c| c.is_control()) {
        return Err(Error::invalid_argument(format!(
            "option {what} must be free of control characters (it goes into the User-Agent header)"
        )));
    }
    Ok(())
}

pub fn parse_object(text: &str, what: &str) -> Result<Map<String, Value>> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Error::invalid_argument(format!(
            "{what} must be a JSON object"
        ))),
        Err(e) => Err(Error::invalid_argument(format!(
            "{what} is not valid JSON: {e}"
        ))),
    }
}

pub fn reject_unknown(map: &Map<String, Value>, known: &[&str]) -> Result<()> {
    match map.keys().find(|k| !known.contains(&k.as_str())) {
        Some(key) => Err(Error::invalid_argument(format!(
            "unknown option {key:?}; known options: {}",
            known.join(", ")
        ))),
        None => Ok(()),
    }
}

pub fn opt_string(map: &Map<String, Value>, key: &str) -> Result<Option<String>> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Error::invalid_argument(format!(
            "option {key} must be a string"
        ))),
    }
}

pub fn opt_bool(map: &Map<String, Value>, key: &str) -> Result<Option<bool>> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(Error::invalid_argument(format!(
            "option {key} must be true or false"
        ))),
    }
}

pub fn opt_u64(map: &Map<String, Value>, key: &str, min: u64, max: u64) -> Result<Option<u64>> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_u64() {
            Some(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(Error::invalid_argument(format!(
                "option {key} must be an integer from {min} to {max}"
            ))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_when_absent() {
        let o = ClientOptions::from_json(None).unwrap();
        assert_eq!(o.transport.base_url.to_string(), DEFAULT_BASE_URL);
        assert_eq!(o.transport.request_timeout, DEFAULT_REQUEST_TIMEOUT);
        assert!(!o.auto_relogin);
        assert_eq!(ClientOptions::from_json(Some("  ")).unwrap(), o);
    }

    #[test]
    fn unknown_keys_and_bad_types_are_rejected() {
        for bad in [
            r#"{"base_ur": "http://127.0.0.1:1"}"#,
            r#"{"request_timeout_ms": "5"}"#,
            r#"{"request_timeout_ms": 0}"#,
            r#"{"auto_relogin": 1}"#,
            r#"[1]"#,
            r#"{"base_url": "http://example.com"}"#,
            r#"{"base_url": "ftp://127.0.0.1"}"#,
            r#"{"max_response_bytes": 10}"#,
            r#"{"ca_file": "/x.pem", "platform_trust_store": true}"#,
            r#"{"user_agent": "a\r\nX-Evil: 1"}"#,
            r#"{"app_name": "shop\r\nX-Evil: 1"}"#,
            r#"{"app_name": "shop", "app_version": "1\n2"}"#,
            r#"{"user_agent": ""}"#,
            "{",
        ] {
            let err = ClientOptions::from_json(Some(bad)).unwrap_err();
            assert_eq!(err.kind, crate::ErrorKind::InvalidArgument, "{bad}");
        }
    }

    #[test]
    fn plain_http_needs_opt_in_except_loopback() {
        for ok in [
            r#"{"base_url": "http://127.0.0.1:9"}"#,
            r#"{"base_url": "http://localhost:9/"}"#,
            r#"{"base_url": "http://[::1]:9"}"#,
            r#"{"base_url": "http://example.com", "allow_insecure_http": true}"#,
        ] {
            ClientOptions::from_json(Some(ok)).unwrap();
        }
    }

    #[test]
    fn user_agent_carries_app_name_and_version() {
        let o =
            ClientOptions::from_json(Some(r#"{"app_name":"shop","app_version":"2.1"}"#)).unwrap();
        assert_eq!(
            o.transport.user_agent,
            format!("{} shop/2.1", default_user_agent())
        );
    }
}

//! HTTP over one shared ureq agent: keep-alive pool, TLS roots, timeouts, size cap, redirects.
//!
//! Redirects are followed here rather than by ureq so that the rules stay ours: the same method
//! and body go to the new URL (as realm-core resent them) as long as it stays with the app's
//! origins, a request body (credentials, queries) never follows a redirect elsewhere, the
//! number of hops is bounded, the caller's deadline covers every hop, plain http to a
//! non-loopback host is refused, and the bearer token only goes to the app's origins.

use crate::coalesce::CoalescingConnector;
use crate::config::TransportOptions;
use crate::error::{Error, ErrorKind, Result};
use crate::secret::SecretBytes;
use crate::url::{resolve_location, Origin};
use std::io::{ErrorKind as IoKind, Read};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use ureq::http;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{Connector, DefaultConnector, NextTimeout};

/// How much of a call's time may pass before its next request gets a shorter timeout.
const RECONFIGURE_SLACK: Duration = Duration::from_millis(100);
/// How long a host name's addresses are reused.
const RESOLVE_TTL: Duration = Duration::from_secs(30);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Delete,
}

impl Method {
    fn as_http(self) -> http::Method {
        match self {
            Method::Get => http::Method::GET,
            Method::Post => http::Method::POST,
            Method::Delete => http::Method::DELETE,
        }
    }
}

/// One request. `secrets` are redacted from any error text built from the response.
pub struct Request<'a> {
    pub method: Method,
    pub url: String,
    pub body: Option<&'a [u8]>,
    pub bearer: Option<&'a str>,
    /// Origins besides the first URL's that may receive the token and the body on a redirect.
    pub trusted: &'a [Origin],
    pub secrets: &'a [&'a str],
    /// When the whole operation this request belongs to must be over.
    pub deadline: Instant,
}

/// A whole response, read within the size cap.
pub struct Response {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: SecretBytes,
}

impl Response {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// A success body worth parsing as JSON: labelled so, or not labelled at all.
    pub fn may_be_json(&self) -> bool {
        self.content_type.is_none() || self.is_json()
    }

    /// `application/json`, with or without parameters (realm-core's exact match is a known pitfall).
    pub fn is_json(&self) -> bool {
        self.content_type.as_deref().is_some_and(|ct| {
            ct.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
        })
    }
}

pub struct Transport {
    agent: ureq::Agent,
    options: TransportOptions,
}

impl Transport {
    pub fn new(options: TransportOptions) -> Result<Transport> {
        let roots = if options.platform_trust_store {
            RootCerts::PlatformVerifier
        } else if let Some(path) = &options.ca_file {
            RootCerts::Specific(Arc::new(default_roots_plus(path)?))
        } else {
            RootCerts::Specific(default_roots())
        };
        let tls = TlsConfig::builder().root_certs(roots).build();
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(options.connect_timeout))
            .timeout_global(Some(options.request_timeout))
            .user_agent(options.user_agent.as_str())
            .accept("application/json")
            .tls_config(tls)
            .max_idle_connections_per_host(16)
            .build();
        Ok(Transport {
            agent: ureq::Agent::with_parts(
                config,
                DefaultConnector::default().chain(CoalescingConnector),
                CachingResolver::default(),
            ),
            options,
        })
    }

    pub fn options(&self) -> &TransportOptions {
        &self.options
    }

    /// The deadline of an operation that starts now.
    pub fn deadline(&self) -> Instant {
        Instant::now() + self.options.request_timeout
    }

    /// Sends the request, following redirects, and reads the whole body.
    ///
    /// Never resends on a network error: a POST that may have reached the server is not repeated.
    pub fn send(&self, req: &Request<'_>) -> Result<Response> {
        let first_origin = Origin::of_url(&req.url)?;
        // Only a redirect changes the URL, so the first one is parsed once, not per use.
        let mut redirected: Option<(String, Origin)> = None;
        let mut method = req.method;
        let mut body = req.body;
        let mut hops = 0;
        loop {
            let (url, origin) = match &redirected {
                Some((url, origin)) => (url.as_str(), origin),
                None => (req.url.as_str(), &first_origin),
            };
            if !origin.is_secure_or_loopback() && !self.options.allow_insecure_http {
                return Err(Error::protocol(format!(
                    "refusing plain http to {origin}: it is not a loopback host and allow_insecure_http is off"
                )));
            }
            let trusted = *origin == first_origin || req.trusted.contains(origin);
            if !trusted && body.is_some() {
                return Err(Error::new(
                    ErrorKind::Http,
                    format!(
                        "refusing to follow a redirect to {origin} with the request body: it is not one of the app's hosts"
                    ),
                ));
            }
            let bearer = req.bearer.filter(|_| trusted);
            let remaining = req.deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(timeout_error(self.options.request_timeout));
            }
            // A per-request timeout costs a copy of the agent's configuration: only worth it
            // once a noticeable part of the call's time is gone.
            let reconfigure = remaining + RECONFIGURE_SLACK < self.options.request_timeout;
            let response = self.send_once(method, url, body, bearer, remaining, reconfigure)?;
            let redirect = matches!(response.status, 301 | 302 | 303 | 307 | 308);
            if !redirect {
                return Ok(response.into_response());
            }
            let Some(location) = response.location else {
                return Ok(response.into_response());
            };
            if hops >= self.options.max_redirects {
                return Err(Error {
                    http_status: response.status,
                    ..Error::new(
                        ErrorKind::Http,
                        format!(
                            "too many redirects: more than {} hops (last to {})",
                            self.options.max_redirects,
                            excerpt(location.as_bytes(), req.secrets)
                        ),
                    )
                });
            }
            let next = resolve_location(url, &location).map_err(|e| {
                Error::protocol(format!("redirect with an unusable Location: {}", e.message))
            })?;
            let next_origin = Origin::of_url(&next)?;
            redirected = Some((next, next_origin));
            if response.status == 303 {
                method = Method::Get;
                body = None;
            }
            hops += 1;
        }
    }

    fn send_once(
        &self,
        method: Method,
        url: &str,
        body: Option<&[u8]>,
        bearer: Option<&str>,
        remaining: Duration,
        reconfigure: bool,
    ) -> Result<RawResponse> {
        let mut builder = http::Request::builder().method(method.as_http()).uri(url);
        if body.is_some() {
            builder = builder.header("content-type", "application/json");
        }
        if let Some(token) = bearer {
            let text = zeroize::Zeroizing::new(format!("Bearer {token}"));
            let mut value = http::HeaderValue::try_from(text.as_str())
                .map_err(|_| Error::protocol("a token holds characters not allowed in a header"))?;
            value.set_sensitive(true);
            builder = builder.header("authorization", value);
        }
        let result = match body {
            Some(bytes) => {
                let request = builder.body(bytes).map_err(bad_request)?;
                let request = self.with_timeout(request, remaining, reconfigure);
                self.agent.run(request)
            }
            None => {
                let request = builder.body(()).map_err(bad_request)?;
                let request = self.with_timeout(request, remaining, reconfigure);
                self.agent.run(request)
            }
        };
        let mut response = result.map_err(|e| map_ureq_error(e, &self.options))?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header("content-type");
        let location = header("location");
        let limit = self.options.max_response_bytes;
        // Sized from Content-Length up front: read_to_vec would grow an empty Vec by doubling,
        // copying the body several times (and leaving unwiped copies of tokens behind).
        let expected = response
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
            .map_or(0, |n| n.min(limit).min(1 << 20) as usize);
        let mut body = Vec::with_capacity(expected + 1);
        response
            .body_mut()
            .with_config()
            .limit(limit)
            .reader()
            .read_to_end(&mut body)
            .map_err(ureq::Error::from)
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => Error {
                    http_status: status,
                    ..Error::new(
                        ErrorKind::ResponseTooLarge,
                        format!(
                            "the response body is larger than max_response_bytes ({limit} bytes)"
                        ),
                    )
                },
                other => {
                    let mut err = map_ureq_error(other, &self.options);
                    err.http_status = status;
                    err.context("reading the response body")
                }
            })?;
        Ok(RawResponse {
            status,
            content_type,
            location,
            body: SecretBytes::new(body),
        })
    }

    fn with_timeout<B: ureq::AsSendBody>(
        &self,
        request: http::Request<B>,
        remaining: Duration,
        reconfigure: bool,
    ) -> http::Request<B> {
        if reconfigure {
            self.agent
                .configure_request(request)
                .timeout_global(Some(remaining))
                .build()
        } else {
            request
        }
    }
}

/// ureq resolves the host before every request, even one that then reuses a pooled
/// connection, and with a timeout configured each lookup runs on a thread of its own (about
/// half of a keep-alive call's CPU time, measured in bench/). An IP literal needs no lookup,
/// and a name's addresses are kept for `RESOLVE_TTL`.
#[derive(Debug, Default)]
struct CachingResolver {
    inner: DefaultResolver,
    last: parking_lot::Mutex<Option<(String, u16, Instant, ResolvedSocketAddrs)>>,
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> std::result::Result<ResolvedSocketAddrs, ureq::Error> {
        let (Some(authority), Some(scheme)) = (uri.authority(), uri.scheme_str()) else {
            return self.inner.resolve(uri, config, timeout);
        };
        let port = authority
            .port_u16()
            .unwrap_or(if scheme == "https" { 443 } else { 80 });
        let host = authority.host();
        if let Ok(ip) = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
        {
            let mut addrs = self.empty();
            addrs.push(SocketAddr::new(ip, port));
            return Ok(addrs);
        }
        let now = Instant::now();
        if let Some((name, p, at, addrs)) = &*self.last.lock() {
            if name == host && *p == port && now.duration_since(*at) < RESOLVE_TTL {
                return Ok(addrs.clone());
            }
        }
        let addrs = self.inner.resolve(uri, config, timeout)?;
        *self.last.lock() = Some((host.to_string(), port, now, addrs.clone()));
        Ok(addrs)
    }
}

struct RawResponse {
    status: u16,
    content_type: Option<String>,
    location: Option<String>,
    body: SecretBytes,
}

impl RawResponse {
    fn into_response(self) -> Response {
        Response {
            status: self.status,
            content_type: self.content_type,
            body: self.body,
        }
    }
}

fn bad_request(e: http::Error) -> Error {
    Error::invalid_argument(format!("cannot build the HTTP request: {e}"))
}

fn timeout_error(after: Duration) -> Error {
    Error::new(
        ErrorKind::Timeout,
        format!("the request timed out after {} ms", after.as_millis()),
    )
}

fn map_ureq_error(e: ureq::Error, options: &TransportOptions) -> Error {
    match e {
        ureq::Error::Timeout(which) => {
            let (what, limit) = match which {
                ureq::Timeout::Connect | ureq::Timeout::Resolve => {
                    ("connecting", options.connect_timeout)
                }
                _ => ("the request", options.request_timeout),
            };
            Error::new(
                ErrorKind::Timeout,
                format!("{what} timed out after {} ms", limit.as_millis()),
            )
        }
        ureq::Error::Io(io) if is_tls(&io) => {
            Error::new(ErrorKind::Tls, format!("TLS error: {io}"))
        }
        ureq::Error::Io(io) if io.kind() == IoKind::TimedOut => {
            Error::new(ErrorKind::Timeout, format!("the request timed out: {io}"))
        }
        ureq::Error::Io(io) => Error::new(ErrorKind::Network, format!("network error: {io}")),
        ureq::Error::HostNotFound => Error::new(ErrorKind::Network, "host not found"),
        ureq::Error::ConnectionFailed => Error::new(ErrorKind::Network, "connection failed"),
        ureq::Error::Rustls(tls) => Error::new(ErrorKind::Tls, format!("TLS error: {tls}")),
        ureq::Error::Tls(tls) => Error::new(ErrorKind::Tls, format!("TLS error: {tls}")),
        ureq::Error::Pem(pem) => Error::new(ErrorKind::Tls, format!("certificate error: {pem}")),
        ureq::Error::Protocol(p) => Error::protocol(format!("malformed HTTP response: {p}")),
        ureq::Error::BadUri(u) => Error::invalid_argument(format!("bad URL: {u}")),
        other => Error::new(ErrorKind::Network, format!("HTTP error: {other}")),
    }
}

/// rustls reports handshake and certificate failures as I/O errors wrapping a `rustls::Error`.
fn is_tls(io: &std::io::Error) -> bool {
    io.get_ref()
        .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some())
}

/// The bundled webpki roots, shared by every client.
fn default_roots() -> Arc<Vec<Certificate<'static>>> {
    static ROOTS: std::sync::OnceLock<Arc<Vec<Certificate<'static>>>> = std::sync::OnceLock::new();
    ROOTS
        .get_or_init(|| {
            Arc::new(
                webpki_root_certs::TLS_SERVER_ROOT_CERTS
                    .iter()
                    .map(|der| Certificate::from_der(der.as_ref()))
                    .collect(),
            )
        })
        .clone()
}

/// The bundled webpki roots plus the certificates of a PEM file.
fn default_roots_plus(path: &std::path::Path) -> Result<Vec<Certificate<'static>>> {
    let pem = std::fs::read(path).map_err(|e| {
        Error::invalid_argument(format!("cannot read ca_file {}: {e}", path.display()))
    })?;
    let mut certs: Vec<Certificate<'static>> = default_roots().as_ref().clone();
    let before = certs.len();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(cert)) => {
                // rustls would drop a block it cannot use as a trust anchor without a word.
                let der = rustls::pki_types::CertificateDer::from(cert.der().to_vec());
                if let Err(e) = rustls::RootCertStore::empty().add(der) {
                    return Err(Error::invalid_argument(format!(
                        "ca_file {}: certificate {} is not a usable CA certificate: {e}",
                        path.display(),
                        certs.len() - before + 1
                    )));
                }
                certs.push(cert)
            }
            Ok(_) => {}
            Err(e) => {
                return Err(Error::invalid_argument(format!(
                    "ca_file {} is not valid PEM: {e}",
                    path.display()
                )))
            }
        }
    }
    if certs.len() == before {
        return Err(Error::invalid_argument(format!(
            "ca_file {} holds no certificate",
            path.display()
        )));
    }
    Ok(certs)
}

/// A short, printable piece of a body for error messages, with the request's secrets removed.
pub fn excerpt(body: &[u8], secrets: &[&str]) -> String {
    const MAX: usize = 200;
    // Redact before cutting, so that no prefix of a secret survives at the cut.
    let text = redact(&String::from_utf8_lossy(body), secrets);
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX)
        .collect();
    if text.chars().count() > MAX {
        out.push('…');
    }
    out
}

/// Replaces every secret in `text` with `[redacted]`: as written, and in the two ways a JSON
/// string may carry it (escaped quotes and backslashes, and also non-ASCII as `\uXXXX`).
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        for form in [
            secret.to_string(),
            json_escaped(secret, false),
            json_escaped(secret, true),
        ] {
            if out.contains(&form) {
                out = out.replace(&form, "[redacted]");
            }
        }
    }
    out
}

fn json_escaped(s: &str, ascii_only: bool) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || (ascii_only && !c.is_ascii()) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_covers_short_and_json_escaped_secrets() {
        assert_eq!(
            redact("wrong password xyz", &["xyz"]),
            "wrong password [redacted]"
        );
        let secret = "päss\"word😀";
        for echoed in [
            "bad: päss\"word😀",
            r#"{"p":"päss\"word😀"}"#,
            r#"{"p":"p\u00e4ss\"word\ud83d\ude00"}"#,
        ] {
            let out = redact(echoed, &[secret]);
            assert!(
                out.contains("[redacted]") && !out.contains("word"),
                "{echoed} -> {out}"
            );
        }
        assert_eq!(redact("none here", &[""]), "none here");
        // Redaction happens before the cut, so no prefix of a secret survives at the end.
        let long = "s".repeat(150);
        let body = format!("{}{long}", "x".repeat(100));
        assert!(!excerpt(body.as_bytes(), &[&long]).contains("sss"));
    }
}

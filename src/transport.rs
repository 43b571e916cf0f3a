//! Requests over ureq's connections: keep-alive pool, TLS roots, timeouts, size cap, redirects.
//!
//! ureq's connector chain makes each connection (resolver, CONNECT proxy, TCP, rustls);
//! `http1` frames the messages on it and `pool` keeps it for the next request.
//! Redirects are followed here so that the rules stay ours: the same method
//! and body go to the new URL (as realm-core resent them) as long as it stays with the app's
//! origins, a request body (credentials, queries) never follows a redirect elsewhere, the
//! number of hops is bounded, the caller's deadline covers every hop, plain http to a
//! non-loopback host is refused, and the bearer token only goes to the app's origins.

use crate::config::TransportOptions;
use crate::error::{Error, ErrorKind, Result};
use crate::http1;
use crate::pool::{Connection, Pool};
use crate::redact::excerpt;
use crate::secret::SecretBytes;
use crate::url::{resolve_location, Origin};
use std::borrow::Cow;
use std::io::ErrorKind as IoKind;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use ureq::http;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{ConnectionDetails, Connector, DefaultConnector, NextTimeout};

/// How long a host name's addresses are reused.
const RESOLVE_TTL: Duration = Duration::from_secs(30);
/// Idle keep-alive connections kept per origin, and for how long (ureq's defaults).
const IDLE_PER_ORIGIN: usize = 16;
const IDLE_MAX_AGE: Duration = Duration::from_secs(15);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Delete,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

/// One request. `secrets` are redacted from any error text built from the response.
pub struct Request<'a> {
    pub method: Method,
    /// Where it goes: an origin, and the path and query there (starting with `/`).
    pub origin: &'a Origin,
    pub target: String,
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
    /// ureq's chain: CONNECT proxy, TCP, rustls.
    connector: Arc<DefaultConnector>,
    resolver: Arc<CachingResolver>,
    /// What the chain reads: TLS roots, TCP_NODELAY, buffer sizes, proxy.
    config: ureq::config::Config,
    pool: Pool,
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
            .timeout_connect(Some(options.connect_timeout))
            .user_agent(options.user_agent.as_str())
            .tls_config(tls)
            .build();
        Ok(Transport {
            connector: Arc::new(DefaultConnector::default()),
            resolver: Arc::new(CachingResolver::default()),
            config,
            pool: Pool::new(IDLE_PER_ORIGIN, IDLE_MAX_AGE),
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
    /// Never resends a POST on a network error: one that may have reached the server is not
    /// repeated. A GET or DELETE that got nothing back on a reused connection goes once more.
    pub fn send(&self, req: &Request<'_>) -> Result<Response> {
        // Only a redirect changes where the request goes.
        let mut redirected: Option<(Origin, String)> = None;
        let mut method = req.method;
        let mut body = req.body;
        let mut hops = 0;
        loop {
            let (origin, target) = match &redirected {
                Some((origin, target)) => (origin, target.as_str()),
                None => (req.origin, req.target.as_str()),
            };
            if !origin.is_secure_or_loopback() && !self.options.allow_insecure_http {
                return Err(Error::protocol(format!(
                    "refusing plain http to {origin}: it is not a loopback host and allow_insecure_http is off"
                )));
            }
            let trusted = origin == req.origin || req.trusted.contains(origin);
            if !trusted && body.is_some() {
                return Err(Error::new(
                    ErrorKind::Http,
                    format!(
                        "refusing to follow a redirect to {origin} with the request body: it is not one of the app's hosts"
                    ),
                ));
            }
            let bearer = req.bearer.filter(|_| trusted);
            if Instant::now() >= req.deadline {
                return Err(timeout_error(self.options.request_timeout));
            }
            let answer = self.send_once(method, origin, target, body, bearer, req.deadline)?;
            let redirect = matches!(answer.status, 301 | 302 | 303 | 307 | 308);
            let location = answer.location.clone().filter(|_| redirect);
            let Some(location) = location else {
                return Ok(Response {
                    status: answer.status,
                    content_type: answer.content_type,
                    body: answer.body,
                });
            };
            if hops >= self.options.max_redirects {
                return Err(Error {
                    http_status: answer.status,
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
            // The server's fault, and its Location may carry a token: quoted only redacted.
            let unusable = |why: &str| Error {
                http_status: answer.status,
                ..Error::protocol(format!(
                    "redirect with an unusable Location: {}",
                    excerpt(why.as_bytes(), req.secrets)
                ))
            };
            let next = resolve_location(&format!("{origin}{target}"), &location)
                .map_err(|e| unusable(&e.message))?;
            let next_origin = Origin::of_url(&next).map_err(|e| unusable(&e.message))?;
            let next_target = request_target(&next).into_owned();
            if !is_request_target(&next_target) {
                return Err(unusable(&format!("{next:?} has no valid request path")));
            }
            redirected = Some((next_origin, next_target));
            if answer.status == 303 {
                method = Method::Get;
                body = None;
            }
            hops += 1;
        }
    }

    fn send_once(
        &self,
        method: Method,
        origin: &Origin,
        target: &str,
        body: Option<&[u8]>,
        bearer: Option<&str>,
        deadline: Instant,
    ) -> Result<http1::Answer> {
        if let Some(token) = bearer {
            // Tokens are JWTs; anything else could end the header line early.
            if !token.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(Error::protocol(
                    "a token holds characters not allowed in a header",
                ));
            }
        }
        // Bytes that could end the request line early never reach it.
        if !is_request_target(target) {
            return Err(Error::invalid_argument(
                "the request path holds characters not allowed in a request line",
            ));
        }
        let head = http1::Head {
            method: method.as_str(),
            target,
            host: origin.authority(),
            user_agent: &self.options.user_agent,
            bearer,
            body,
        };
        let (conn, reused) = match self.pool.take(origin) {
            Some(conn) => (conn, true),
            None => (self.connect(origin, deadline)?, false),
        };
        match self.exchange(origin, conn, &head, deadline) {
            // The server closed the idle connection as the request went out: nothing was
            // answered. A GET or DELETE may be sent again (RFC 9112 §9.3.1), a POST never.
            Err(f) if reused && method != Method::Post && f.is_stale_connection() => {
                let conn = self.connect(origin, deadline)?;
                self.exchange(origin, conn, &head, deadline)
                    .map_err(|f| self.map_failure(f))
            }
            other => other.map_err(|f| self.map_failure(f)),
        }
    }

    /// One request and its response on `conn`, which goes back to the pool if it may.
    fn exchange(
        &self,
        origin: &Origin,
        mut conn: Connection,
        head: &http1::Head<'_>,
        deadline: Instant,
    ) -> std::result::Result<http1::Answer, http1::Failure> {
        let io_deadline = http1::Deadline {
            at: deadline,
            reason: ureq::Timeout::Global,
            rounded: !conn.is_tls(),
        };
        http1::write_request(&mut *conn, head, io_deadline)?;
        let answer =
            http1::read_response(&mut *conn, self.options.max_response_bytes, io_deadline)?;
        if answer.reusable {
            self.pool.put(origin.clone(), conn);
        }
        Ok(answer)
    }

    /// A new connection through ureq's chain: resolver, proxy (CONNECT), TCP, TLS.
    fn connect(&self, origin: &Origin, deadline: Instant) -> Result<Connection> {
        let uri: http::Uri = format!("{origin}/")
            .parse()
            .map_err(|_| Error::invalid_argument(format!("{origin} is not a valid URL")))?;
        // Resolving, connecting and the TLS handshake share connect_timeout, within the call's.
        let connect_by = Instant::now() + self.options.connect_timeout;
        let (until, reason) = if connect_by < deadline {
            (connect_by, ureq::Timeout::Connect)
        } else {
            (deadline, ureq::Timeout::Global)
        };
        let timeout = || {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(map_ureq_error(ureq::Error::Timeout(reason), &self.options));
            }
            Ok(NextTimeout {
                after: left.into(),
                reason,
                per_read: None,
                per_write: None,
            })
        };
        let map = |e| map_ureq_error(e, &self.options);
        // As ureq does: a proxy resolves the target itself unless told otherwise.
        let resolve_here = self
            .config
            .proxy()
            .is_none_or(|p| p.is_no_proxy(&uri) || p.resolve_target());
        let addrs = if resolve_here {
            self.resolver
                .resolve(&uri, &self.config, timeout()?)
                .map_err(map)?
        } else {
            self.resolver.empty()
        };
        let connector = self.connector.clone();
        let details = ConnectionDetails {
            uri: &uri,
            addrs,
            config: &self.config,
            request_level: false,
            resolver: &*self.resolver,
            now: ureq::unversioned::transport::time::Instant::now(),
            timeout: timeout()?,
            current_time: Arc::new(ureq::unversioned::transport::time::Instant::now),
            run_connector: Arc::new(move |d: &ConnectionDetails| {
                connector
                    .connect(d, None)?
                    .ok_or(ureq::Error::ConnectionFailed)
            }),
            // Connections are never shut down from another thread.
            register_shutdown: Arc::new(|_| Ok(())),
        };
        let conn = self
            .connector
            .connect(&details, None)
            .map_err(map)?
            .ok_or_else(|| Error::new(ErrorKind::Network, "connection failed"))?;
        if origin.is_https() && !conn.is_tls() {
            return Err(Error::new(ErrorKind::Tls, "TLS error: no TLS connection"));
        }
        Ok(conn)
    }

    fn map_failure(&self, failure: http1::Failure) -> Error {
        use http1::Failure;
        match failure {
            Failure::Io(e) => map_ureq_error(e, &self.options),
            Failure::BodyIo { status, error } => {
                let mut err = map_ureq_error(error, &self.options);
                err.http_status = status;
                err.context("reading the response body")
            }
            Failure::Malformed(what) => Error::protocol(format!("malformed HTTP response: {what}")),
            Failure::Closed {
                status: 0,
                head_bytes: 0,
            } => Error::new(
                ErrorKind::Network,
                "network error: the server closed the connection without answering",
            ),
            Failure::Closed { status: 0, .. } => Error::new(
                ErrorKind::Network,
                "network error: the connection closed in the middle of the response head",
            ),
            Failure::Closed { status, .. } => Error {
                http_status: status,
                ..Error::new(
                    ErrorKind::Network,
                    "network error: the connection closed in the middle of the response body",
                )
            },
            Failure::TooLarge { status } => Error {
                http_status: status,
                ..Error::new(
                    ErrorKind::ResponseTooLarge,
                    format!(
                        "the response body is larger than max_response_bytes ({} bytes)",
                        self.options.max_response_bytes
                    ),
                )
            },
        }
    }
}

/// A request target that cannot end the request line early: `/`, then visible ASCII.
fn is_request_target(target: &str) -> bool {
    target.starts_with('/') && target.bytes().all(|b| b.is_ascii_graphic())
}

/// The path and query of an absolute URL (`/` when it has none), without its fragment.
fn request_target(url: &str) -> Cow<'_, str> {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[after_scheme..];
    let target = rest.find(['/', '?']).map_or("", |i| &rest[i..]);
    let target = target.split('#').next().unwrap_or_default();
    if target.starts_with('/') {
        Cow::Borrowed(target)
    } else {
        Cow::Owned(format!("/{target}"))
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

//! Base URLs and origins: which host a request goes to, and which hosts may see a token.

use crate::error::{Error, Result};
use std::net::IpAddr;
use std::sync::Arc;

/// An `http(s)://host[:port]` origin with no path, normalised (lower case, default port dropped).
///
/// Shared rather than copied: every pooled connection is filed under its origin.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Origin(Arc<Parts>);

#[derive(Debug, PartialEq, Eq, Hash)]
struct Parts {
    scheme: String,
    host: String,
    port: u16,
    /// `host[:port]`, derived from the two above and kept for every request's Host header.
    authority: String,
}

impl Origin {
    /// Parses the origin part of an absolute URL; the path, query and fragment are ignored.
    pub fn of_url(url: &str) -> Result<Origin> {
        let uri: ureq::http::Uri = url
            .parse()
            .map_err(|_| Error::invalid_argument(format!("{url:?} is not a valid URL")))?;
        let scheme = uri
            .scheme_str()
            .map(str::to_ascii_lowercase)
            .ok_or_else(|| Error::invalid_argument(format!("{url:?} has no scheme")))?;
        let default_port = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => {
                return Err(Error::invalid_argument(format!(
                    "{url:?}: only http and https URLs are supported"
                )))
            }
        };
        let authority = uri
            .authority()
            .ok_or_else(|| Error::invalid_argument(format!("{url:?} has no host")))?;
        if authority.as_str().contains('@') {
            return Err(Error::invalid_argument(format!(
                "{url:?}: user information in URLs is not supported"
            )));
        }
        let host = authority.host().to_ascii_lowercase();
        if host.is_empty() {
            return Err(Error::invalid_argument(format!("{url:?} has no host")));
        }
        let port = authority.port_u16().unwrap_or(default_port);
        let authority = if port == default_port {
            host.clone()
        } else {
            format!("{host}:{port}")
        };
        Ok(Origin(Arc::new(Parts {
            scheme,
            host,
            port,
            authority,
        })))
    }

    /// `host[:port]` as a Host header has it: the port only when it is not the default.
    pub fn authority(&self) -> &str {
        &self.0.authority
    }

    pub fn is_https(&self) -> bool {
        self.0.scheme == "https"
    }

    pub fn is_loopback(&self) -> bool {
        let host = self.0.host.trim_start_matches('[').trim_end_matches(']');
        // Not "*.localhost": without nss-myhostname such names may be resolved through DNS.
        host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }

    /// https, or plain http to a loopback host: safe for credentials without an opt-in.
    pub fn is_secure_or_loopback(&self) -> bool {
        self.is_https() || self.is_loopback()
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://{}", self.0.scheme, self.0.authority)
    }
}

/// A base URL as configured: an origin plus an optional path prefix, without trailing slashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrl {
    origin: Origin,
    /// `""` or a prefix such as `"/proxy"`.
    prefix: String,
}

impl BaseUrl {
    pub fn parse(url: &str) -> Result<BaseUrl> {
        let trimmed = url.trim_end_matches('/');
        if trimmed.contains(['?', '#']) || trimmed.chars().any(|c| c.is_whitespace()) {
            return Err(Error::invalid_argument(format!(
                "base URL {url:?} must not contain a query, a fragment or white space"
            )));
        }
        let origin = Origin::of_url(trimmed)?;
        let after_scheme = &trimmed[trimmed.find("://").map_or(0, |i| i + 3)..];
        let prefix = after_scheme
            .find('/')
            .map_or(String::new(), |i| after_scheme[i..].to_string());
        Ok(BaseUrl { origin, prefix })
    }

    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    pub fn is_secure_or_loopback(&self) -> bool {
        self.origin.is_secure_or_loopback()
    }

    /// `self` followed by `path`, which starts with `/`.
    pub fn join(&self, path: &str) -> String {
        format!("{}{}{}", self.origin, self.prefix, path)
    }

    /// The request target of `path` here: the prefix followed by `path`.
    pub fn target(&self, path: &str) -> String {
        [self.prefix.as_str(), path].concat()
    }
}

impl std::fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.origin, self.prefix)
    }
}

/// Resolves a redirect's `Location` against the URL that answered with it.
pub fn resolve_location(current: &str, location: &str) -> Result<String> {
    let location = location.trim();
    if has_scheme(location) {
        Origin::of_url(location)?;
        return Ok(location.to_string());
    }
    let origin = Origin::of_url(current)?;
    if let Some(rest) = location.strip_prefix("//") {
        return Ok(format!("{}://{rest}", origin.0.scheme));
    }
    if location.starts_with('/') {
        return Ok(format!("{origin}{location}"));
    }
    let after_scheme = &current[current.find("://").map_or(0, |i| i + 3)..];
    let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    let path = path.split(['?', '#']).next().unwrap_or("/");
    let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
    Ok(format!("{origin}{dir}{location}"))
}

/// RFC 3986: `scheme ":"` where the scheme is a letter followed by letters, digits, + - .
fn has_scheme(url: &str) -> bool {
    url.split_once(':').is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// Ids and names go into URL paths unescaped, so only the characters they use are allowed:
/// 1 to `max` characters of A-Z, a-z, 0-9, '-' and '_'.
pub fn validate_path_segment(value: &str, what: &str, max: usize, example: &str) -> Result<()> {
    let ok = !value.is_empty()
        && value.len() <= max
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_argument(format!(
            "{what} must be 1 to {max} characters of A-Z, a-z, 0-9, '-' and '_' (for example \"{example}\")"
        )))
    }
}

/// The client App ID, e.g. `myapp-abcde`.
pub fn validate_app_id(app_id: &str) -> Result<()> {
    validate_path_segment(app_id, "app_id", 128, "myapp-abcde")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_normalise() {
        let a = Origin::of_url("HTTPS://Example.COM:443/x").unwrap();
        assert_eq!(a.to_string(), "https://example.com");
        assert_eq!(a, Origin::of_url("https://example.com").unwrap());
        assert_ne!(a, Origin::of_url("http://example.com").unwrap());
        assert_ne!(a, Origin::of_url("https://example.com:8443").unwrap());
        assert!(Origin::of_url("http://[::1]:80").unwrap().is_loopback());
        assert!(Origin::of_url("http://127.8.0.1").unwrap().is_loopback());
        assert!(!Origin::of_url("http://10.0.0.1").unwrap().is_loopback());
        assert!(!Origin::of_url("http://evil.localhost")
            .unwrap()
            .is_loopback());
        assert!(Origin::of_url("http://user:pw@example.com").is_err());
    }

    #[test]
    fn base_url_keeps_prefix_and_drops_trailing_slashes() {
        let b = BaseUrl::parse("http://127.0.0.1:9/proxy//").unwrap();
        assert_eq!(b.join("/api"), "http://127.0.0.1:9/proxy/api");
        assert_eq!(
            BaseUrl::parse("https://h.example/").unwrap().join("/a"),
            "https://h.example/a"
        );
        assert!(BaseUrl::parse("https://h.example/?x=1").is_err());
        assert!(BaseUrl::parse("not a url").is_err());
        assert!(BaseUrl::parse("").is_err());
    }

    #[test]
    fn redirects_resolve() {
        let cur = "http://127.0.0.1:1/api/client/v2.0/app/a/graphql";
        assert_eq!(
            resolve_location(cur, "/moved").unwrap(),
            "http://127.0.0.1:1/moved"
        );
        assert_eq!(
            resolve_location(cur, "other").unwrap(),
            "http://127.0.0.1:1/api/client/v2.0/app/a/other"
        );
        assert_eq!(
            resolve_location(cur, "https://x.example/p").unwrap(),
            "https://x.example/p"
        );
        assert_eq!(
            resolve_location(cur, "//x.example/p").unwrap(),
            "http://x.example/p"
        );
        assert_eq!(
            resolve_location(cur, "/next?u=https://x.example").unwrap(),
            "http://127.0.0.1:1/next?u=https://x.example"
        );
        assert!(resolve_location(cur, "ftp://x.example/p").is_err());
    }

    #[test]
    fn app_ids() {
        validate_app_id("demo-abcde").unwrap();
        for bad in ["", "../admin", "a/b", "x?y#z", "a b", "é", &"a".repeat(129)] {
            assert!(validate_app_id(bad).is_err(), "{bad}");
        }
    }
}

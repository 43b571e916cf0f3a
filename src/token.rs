//! Access tokens: their claims, read without verifying the signature (as the vendor SDKs do),
//! and when to refresh them.

use crate::secret::Secret;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use serde_json::{Map, Value};
use std::time::{Duration, Instant};

/// base64url, padded or not, as realm-core's decoder accepts.
const BASE64URL_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Refresh this long before the end, at most; a quarter of the lifetime for short tokens.
const MAX_REFRESH_MARGIN: Duration = Duration::from_secs(300);
/// `iat` and `exp` are whole seconds, so a token may have up to a second less than `exp - iat`.
const CLAIM_GRANULARITY: Duration = Duration::from_secs(1);

/// The payload of a JWT, or `None` when the text is not a JWT with a JSON object payload.
pub fn decode_claims(token: &str) -> Option<Map<String, Value>> {
    let mut parts = token.split('.');
    let (_header, payload, _sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = BASE64URL_LENIENT
        .decode(payload.trim_end_matches('='))
        .ok()?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

fn seconds(claims: &Map<String, Value>, key: &str) -> Option<i64> {
    let v = claims.get(key)?;
    v.as_i64().or_else(|| v.as_f64().map(|f| f as i64))
}

/// An access token with what we know of its life.
#[derive(Debug)]
pub struct AccessToken {
    pub token: Secret,
    pub claims: Option<Map<String, Value>>,
    /// When we received it, by our own clock.
    pub received: Instant,
    /// `exp - iat`: how long it lives, independent of any difference between the clocks.
    pub lifetime: Option<Duration>,
}

impl AccessToken {
    pub fn new(token: String, received: Instant) -> AccessToken {
        let claims = decode_claims(&token);
        let lifetime = claims.as_ref().and_then(|c| {
            let (exp, iat) = (seconds(c, "exp")?, seconds(c, "iat")?);
            let lifetime = exp.checked_sub(iat).filter(|l| *l > 0)?;
            Some(Duration::from_secs(lifetime as u64))
        });
        AccessToken {
            token: Secret::new(token),
            claims,
            received,
            lifetime,
        }
    }

    /// True once the token is within its refresh margin of the end (never for unknown lifetimes,
    /// where the server's 401 is the signal).
    pub fn needs_refresh(&self, now: Instant) -> bool {
        match self.lifetime {
            Some(lifetime) => {
                let margin = (lifetime / 4).min(MAX_REFRESH_MARGIN) + CLAIM_GRANULARITY;
                now.saturating_duration_since(self.received) + margin >= lifetime
            }
            None => false,
        }
    }

    /// True once the whole lifetime has passed by our clock.
    pub fn is_expired(&self, now: Instant) -> bool {
        self.lifetime
            .is_some_and(|l| now.saturating_duration_since(self.received) >= l)
    }

    /// Seconds left by our clock, when the lifetime is known.
    pub fn remaining(&self, now: Instant) -> Option<Duration> {
        self.lifetime
            .map(|l| l.saturating_sub(now.saturating_duration_since(self.received)))
    }

    pub fn exp(&self) -> Option<i64> {
        self.claims.as_ref().and_then(|c| seconds(c, "exp"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn jwt(payload: &str) -> String {
        format!(
            "{}.{}.sig",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    #[test]
    fn decodes_base64url_characters_and_non_ascii() {
        // '?' and '>' bytes encode to '_' and '-' in base64url.
        let payload = r#"{"sub":"u","exp":2000,"iat":200,"user_data":{"name":"Zoë 😀 ??>>>"}}"#;
        let token = jwt(payload);
        assert!(token.contains('_') || token.contains('-'));
        let claims = decode_claims(&token).unwrap();
        assert_eq!(claims["user_data"]["name"], "Zoë 😀 ??>>>");
        let t = AccessToken::new(token, Instant::now());
        assert_eq!(t.lifetime, Some(Duration::from_secs(1800)));
        assert_eq!(t.exp(), Some(2000));
    }

    #[test]
    fn padded_payloads_decode() {
        let padded = format!(
            "h.{}.s",
            base64::engine::general_purpose::URL_SAFE.encode(r#"{"a":1}"#)
        );
        assert_eq!(decode_claims(&padded).unwrap()["a"], 1);
    }

    #[test]
    fn non_jwts_and_missing_exp_mean_unknown_expiry() {
        for t in [
            "opaque".to_string(),
            "a.b".to_string(),
            "a.b.c.d".to_string(),
            "a.!!!.c".to_string(),
            jwt("[1,2]"),
            jwt(r#"{"iat":5}"#),
            jwt(r#"{"exp":5,"iat":10}"#),
            jwt(r#"{"exp":"soon","iat":1}"#),
            jwt(r#"{"exp":9e300,"iat":-9e300}"#),
            jwt(r#"{"exp":9223372036854775807,"iat":-9223372036854775808}"#),
        ] {
            let tok = AccessToken::new(t.clone(), Instant::now());
            assert_eq!(tok.lifetime, None, "{t}");
            assert!(!tok.needs_refresh(Instant::now() + Duration::from_secs(1 << 30)));
        }
    }

    #[test]
    fn refresh_margin_depends_on_lifetime_not_clocks() {
        let start = Instant::now();
        // Issued far in the server's past: only exp - iat matters.
        let t = AccessToken::new(jwt(r#"{"exp":1000001800,"iat":1000000000}"#), start);
        assert!(!t.needs_refresh(start + Duration::from_secs(1498)));
        assert!(t.needs_refresh(start + Duration::from_secs(1499)));
        let short = AccessToken::new(jwt(r#"{"exp":108,"iat":100}"#), start);
        assert!(!short.needs_refresh(start + Duration::from_millis(4900)));
        assert!(short.needs_refresh(start + Duration::from_secs(5)));
        assert!(!short.is_expired(start + Duration::from_millis(7900)));
        assert!(short.is_expired(start + Duration::from_secs(8)));
    }
}

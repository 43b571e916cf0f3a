//! HS256 JSON Web Tokens: the client/admin tokens the emulator issues and the custom-token
//! (Custom JWT) credentials it checks.

use base64::alphabet::URL_SAFE;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Clients may pad or not; accept both when decoding, never pad when encoding.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The base64url of `{"alg":"HS256","typ":"JWT"}`.
const HEADER_B64: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

/// Why a token was rejected. The messages follow the Go JWT library the real service used, since
/// those are the texts the protocol spec quotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwtError {
    Segments,
    Base64,
    Json,
    Algorithm,
    Signature,
}

impl JwtError {
    pub fn message(&self) -> &'static str {
        match self {
            JwtError::Segments => "token contains an invalid number of segments",
            JwtError::Base64 => "illegal base64 data in token",
            JwtError::Json => "token is malformed: invalid JSON",
            JwtError::Algorithm => "signing method (alg) is unavailable",
            JwtError::Signature => "signature is invalid",
        }
    }
}

pub fn sign(claims: &Value, secret: &[u8]) -> String {
    let payload = serde_json::to_vec(claims).expect("claims serialise");
    let mut token = String::with_capacity(HEADER_B64.len() + payload.len() * 4 / 3 + 50);
    token.push_str(HEADER_B64);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
    let mut mac = HmacSha256::new_from_slice(secret).expect("hmac takes any key length");
    mac.update(token.as_bytes());
    let sig = mac.finalize().into_bytes();
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(sig, &mut token);
    token
}

/// Checks shape, algorithm and signature, and returns the claims. Expiry and the meaning of the
/// claims are the caller's business, because each endpoint reports them differently.
pub fn verify(token: &str, secret: &[u8]) -> Result<Map<String, Value>, JwtError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Segments);
    };
    let header = LENIENT.decode(h).map_err(|_| JwtError::Base64)?;
    let header: Map<String, Value> = serde_json::from_slice(&header).map_err(|_| JwtError::Json)?;
    if header.get("alg").and_then(Value::as_str) != Some("HS256") {
        return Err(JwtError::Algorithm);
    }
    let payload = LENIENT.decode(p).map_err(|_| JwtError::Base64)?;
    let sig = LENIENT.decode(s).map_err(|_| JwtError::Base64)?;
    let mut mac = HmacSha256::new_from_slice(secret).expect("hmac takes any key length");
    mac.update(h.as_bytes());
    mac.update(b".");
    mac.update(p.as_bytes());
    mac.verify_slice(&sig).map_err(|_| JwtError::Signature)?;
    serde_json::from_slice(&payload).map_err(|_| JwtError::Json)
}

/// Decodes the payload without checking anything but its shape.
pub fn decode_unverified(token: &str) -> Result<Map<String, Value>, JwtError> {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(JwtError::Segments);
    }
    let payload = LENIENT.decode(parts[1]).map_err(|_| JwtError::Base64)?;
    serde_json::from_slice(&payload).map_err(|_| JwtError::Json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip_and_rejections() {
        let t = sign(&json!({"sub": "u", "exp": 5}), b"k");
        assert!(t.starts_with("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."));
        assert!(!t.contains('='));
        assert_eq!(verify(&t, b"k").unwrap()["sub"], "u");
        assert_eq!(verify(&t, b"other"), Err(JwtError::Signature));
        assert_eq!(verify("a.b", b"k"), Err(JwtError::Segments));
        assert_eq!(verify("not a token", b"k"), Err(JwtError::Segments));
        assert_eq!(decode_unverified(&t).unwrap()["exp"], 5);
    }
}

//! Issuing and checking the client and admin tokens (spec §5), and the sessions behind them.

use crate::api_error::ApiError;
use crate::ids;
use crate::jwt;
use crate::shared::Shared;
use crate::state::{AdminSession, Data, Identity, Session};
use hyper::StatusCode;
use serde::Serialize;
use serde_json::{json, Map, Value};

#[derive(Debug, Clone, Serialize)]
pub struct LoginTokens {
    pub access_token: String,
    pub refresh_token: String,
    pub user_id: String,
    pub device_id: String,
}

/// What a valid client access token says.
#[derive(Debug, Clone)]
pub struct AccessClaims {
    pub user_id: String,
    pub session_id: String,
    pub device_id: String,
}

fn claim_str<'a>(m: &'a Map<String, Value>, k: &str) -> &'a str {
    m.get(k).and_then(Value::as_str).unwrap_or("")
}

fn claim_i64(m: &Map<String, Value>, k: &str) -> Option<i64> {
    m.get(k)
        .and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
}

impl Shared {
    /// A new session for `user_id`: both tokens.
    pub fn start_session(
        &self,
        d: &mut Data,
        user_id: &str,
        identity: Identity,
        device_id: String,
    ) -> LoginTokens {
        let now = d.now();
        let session_id = ids::new_object_id();
        let exp = now.saturating_add(d.settings.refresh_token_ttl_secs as i64);
        let refresh = json!({
            "baas_data": null,
            "baas_device_id": device_id,
            "baas_domain_id": self.cfg.domain_id,
            "baas_id": session_id,
            "baas_identity": &identity,
            "exp": exp,
            "iat": now,
            "sub": user_id,
            "typ": "refresh",
        });
        d.sessions.insert(
            session_id.clone(),
            Session {
                user_id: user_id.to_string(),
                device_id: device_id.clone(),
                expires_at: exp,
            },
        );
        LoginTokens {
            access_token: self.access_token(d, &session_id, user_id, &device_id),
            refresh_token: jwt::sign(&refresh, &self.secret),
            user_id: user_id.to_string(),
            device_id,
        }
    }

    /// An access token for a session; `user_data` is read now, so a refresh picks up changed
    /// custom data.
    pub fn access_token(
        &self,
        d: &Data,
        session_id: &str,
        user_id: &str,
        device_id: &str,
    ) -> String {
        let now = d.now();
        let mut claims = json!({
            "baas_device_id": device_id,
            "baas_domain_id": self.cfg.domain_id,
            "exp": now.saturating_add(d.settings.access_token_ttl_secs as i64),
            "iat": now,
            "iss": session_id,
            "sub": user_id,
            "typ": "access",
        });
        if let Some(cd) = d.users.get(user_id).and_then(|u| u.custom_data.clone()) {
            claims["user_data"] = cd;
        }
        jwt::sign(&claims, &self.secret)
    }

    pub fn check_access(&self, d: &Data, token: &str) -> Result<AccessClaims, ApiError> {
        let c = jwt::verify(token, &self.secret)
            .map_err(|e| ApiError::invalid_session(format!("invalid session: {}", e.message())))?;
        if claim_str(&c, "typ") != "access" {
            return Err(ApiError::invalid_session(
                "invalid access token: incorrect token type",
            ));
        }
        if claim_i64(&c, "exp").is_none_or(|exp| exp <= d.now()) {
            return Err(ApiError::invalid_session(
                "invalid session: access token expired",
            ));
        }
        let user_id = claim_str(&c, "sub");
        if !d.users.contains_key(user_id) {
            return Err(ApiError::invalid_session("invalid session: user not found"));
        }
        Ok(AccessClaims {
            user_id: user_id.to_string(),
            session_id: claim_str(&c, "iss").to_string(),
            device_id: claim_str(&c, "baas_device_id").to_string(),
        })
    }

    /// The session id of a valid, live refresh token.
    pub fn check_refresh(&self, d: &Data, token: &str) -> Result<String, ApiError> {
        let c = jwt::verify(token, &self.secret)
            .map_err(|e| ApiError::invalid_session(format!("invalid session: {}", e.message())))?;
        if claim_str(&c, "typ") != "refresh" {
            return Err(ApiError::invalid_session(
                "invalid refresh token: incorrect token type",
            ));
        }
        let sid = claim_str(&c, "baas_id");
        let Some(s) = d.sessions.get(sid) else {
            return Err(ApiError::invalid_session(
                "invalid session: failed to find refresh token",
            ));
        };
        if s.expires_at <= d.now() || claim_i64(&c, "exp").is_none_or(|exp| exp <= d.now()) {
            return Err(ApiError::invalid_session(
                "invalid session: refresh token expired",
            ));
        }
        Ok(sid.to_string())
    }

    pub fn start_admin_session(&self, d: &mut Data, user_id: &str) -> LoginTokens {
        let now = d.now();
        let session_id = ids::new_object_id();
        let exp = now.saturating_add(d.settings.refresh_token_ttl_secs as i64);
        d.admin_sessions
            .insert(session_id.clone(), AdminSession { expires_at: exp });
        let refresh = json!({
            "exp": exp, "iat": now, "sub": user_id, "typ": "refresh", "baas_id": session_id,
        });
        LoginTokens {
            access_token: self.admin_access_token(d, &session_id, user_id),
            refresh_token: jwt::sign(&refresh, &self.admin_secret),
            user_id: user_id.to_string(),
            device_id: ids::ZERO_ID.to_string(),
        }
    }

    pub fn admin_access_token(&self, d: &Data, session_id: &str, user_id: &str) -> String {
        let now = d.now();
        let claims = json!({
            "exp": now.saturating_add(d.settings.admin_access_token_ttl_secs as i64),
            "iat": now, "iss": session_id, "sub": user_id, "typ": "access",
        });
        jwt::sign(&claims, &self.admin_secret)
    }

    /// A valid admin access token; any failure is the one body verify_token documents.
    pub fn check_admin_access(&self, d: &Data, token: &str) -> Result<(), ApiError> {
        let invalid = || {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "InvalidSession",
                "invalid session",
            )
            .without_link()
        };
        let c = jwt::verify(token, &self.admin_secret).map_err(|_| invalid())?;
        if claim_str(&c, "typ") != "access" || claim_i64(&c, "exp").is_none_or(|e| e <= d.now()) {
            return Err(invalid());
        }
        Ok(())
    }

    /// (session id, admin user id) of a valid admin refresh token.
    pub fn check_admin_refresh(&self, d: &Data, token: &str) -> Result<(String, String), ApiError> {
        let c = jwt::verify(token, &self.admin_secret)
            .map_err(|e| ApiError::invalid_session(format!("invalid session: {}", e.message())))?;
        if claim_str(&c, "typ") != "refresh" {
            return Err(ApiError::invalid_session(
                "invalid refresh token: incorrect token type",
            ));
        }
        let sid = claim_str(&c, "baas_id");
        match d.admin_sessions.get(sid) {
            None => Err(ApiError::invalid_session(
                "invalid session: failed to find refresh token",
            )),
            Some(s) if s.expires_at <= d.now() => Err(ApiError::invalid_session(
                "invalid session: refresh token expired",
            )),
            Some(_) => Ok((sid.to_string(), claim_str(&c, "sub").to_string())),
        }
    }
}

//! The Admin API call a backend uses to verify a client's access token (protocol spec §8).
//!
//! A separate type from [`crate::Client`], so that a client app never carries admin keys by
//! accident. It belongs in a backend service behind an authorization layer, never in an app.

use crate::config::{opt_string, parse_object, reject_unknown, TransportOptions, TRANSPORT_KEYS};
use crate::error::{Error, ErrorKind, Result};
use crate::response::{json_object, required_string, server_error, unexpected_body};
use crate::secret::{Secret, SecretBytes, SecretJson};
use crate::token::AccessToken;
use crate::transport::{Method, Request, Response, Transport};
use crate::url::validate_path_segment;
use parking_lot::{Mutex, RwLock};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Instant;

/// Options of an admin handle.
#[derive(Clone, Debug, PartialEq)]
pub struct AdminOptions {
    pub transport: TransportOptions,
    pub public_api_key: String,
    pub private_api_key: Secret,
    /// The project (group) id.
    pub group_id: String,
    /// The app's internal id (its `_id`), not the client App ID.
    pub app_id: String,
}

const ADMIN_KEYS: [&str; 4] = ["public_api_key", "private_api_key", "group_id", "app_id"];

impl AdminOptions {
    pub fn from_json(json: &str) -> Result<AdminOptions> {
        let map = parse_object(json, "admin options")?;
        reject_unknown(&map, &[&TRANSPORT_KEYS[..], &ADMIN_KEYS[..]].concat())?;
        let required = |key: &str| match opt_string(&map, key)? {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(Error::invalid_argument(format!(
                "admin option {key} is required (a non-empty string)"
            ))),
        };
        let id = |key: &str, example: &str| {
            let v = required(key)?;
            validate_path_segment(&v, &format!("admin option {key}"), 128, example)?;
            Ok::<String, Error>(v)
        };
        Ok(AdminOptions {
            transport: TransportOptions::from_map(&map)?,
            public_api_key: required("public_api_key")?,
            private_api_key: Secret::new(required("private_api_key")?),
            group_id: id("group_id", "5f0000000000000000000001")?,
            app_id: id("app_id", "5f00000000000000000000a1")?,
        })
    }
}

/// The admin token pair, with a generation that grows with each renewal.
struct AdminAuth {
    access: AccessToken,
    refresh: Secret,
    generation: u64,
}

pub struct Admin {
    options: AdminOptions,
    transport: Transport,
    auth: RwLock<Option<Arc<AdminAuth>>>,
    /// Held while logging in or refreshing, so that one happens at a time for all threads.
    renew_lock: Mutex<()>,
}

impl std::fmt::Debug for Admin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Admin")
            .field("base_url", &self.options.transport.base_url.to_string())
            .field("group_id", &self.options.group_id)
            .field("app_id", &self.options.app_id)
            .finish_non_exhaustive()
    }
}

impl Admin {
    /// No I/O: the admin login happens on first use.
    pub fn new(options: AdminOptions) -> Result<Admin> {
        let transport = Transport::new(options.transport.clone())?;
        Ok(Admin {
            options,
            transport,
            auth: RwLock::new(None),
            renew_lock: Mutex::new(()),
        })
    }

    fn target(&self, path: &str) -> String {
        self.options
            .transport
            .base_url
            .target(&format!("/api/admin/v3.0{path}"))
    }

    fn send(
        &self,
        deadline: Instant,
        target: String,
        body: Option<&[u8]>,
        bearer: Option<&str>,
        secrets: &[&str],
    ) -> Result<Response> {
        self.transport.send(&Request {
            method: Method::Post,
            origin: self.options.transport.base_url.origin(),
            target,
            body,
            bearer,
            trusted: &[],
            secrets,
            deadline,
        })
    }

    /// Verifies a client access token: `Ok` with the claims JSON object when it is valid;
    /// `TokenExpired` when it has expired; `InvalidToken` when it is malformed or not genuine.
    pub fn verify_token(&self, access_token: &str) -> Result<String> {
        let deadline = self.transport.deadline();
        if access_token.is_empty() {
            return Err(Error::invalid_argument("access_token must not be empty"));
        }
        let target = self.target(&format!(
            "/groups/{}/apps/{}/users/verify_token",
            self.options.group_id, self.options.app_id
        ));
        let mut body = SecretBytes::new(Vec::with_capacity(access_token.len() + 16));
        serde_json::to_writer(&mut *body, &json!({ "token": access_token }))
            .expect("a JSON value always serialises");
        let auth = self.current_auth(deadline)?;
        let secrets = [access_token, auth.access.token.expose()];
        let mut response = self.send(
            deadline,
            target.clone(),
            Some(&body),
            Some(auth.access.token.expose()),
            &secrets,
        )?;
        if response.status == 401 {
            // The admin token expired or was revoked: renew it once and resend once.
            let auth = self.renew(auth.generation, deadline)?;
            let secrets = [access_token, auth.access.token.expose()];
            response = self.send(
                deadline,
                target,
                Some(&body),
                Some(auth.access.token.expose()),
                &secrets,
            )?;
        }
        let secrets = [access_token];
        verify_outcome(&response, &secrets)
    }

    fn current_auth(&self, deadline: Instant) -> Result<Arc<AdminAuth>> {
        let current = self.auth.read().clone();
        match current {
            Some(auth) if !auth.access.needs_refresh(Instant::now()) => Ok(auth),
            Some(auth) => self.renew(auth.generation, deadline).or_else(|e| {
                if !auth.access.is_expired(Instant::now())
                    && e.kind != ErrorKind::InvalidCredentials
                {
                    Ok(auth)
                } else {
                    Err(e)
                }
            }),
            None => self.renew(0, deadline),
        }
    }

    /// Single-flight renewal: refresh with the admin refresh token, or log in when there is
    /// none or it was refused. `seen` is the generation the caller found wanting.
    fn renew(&self, seen: u64, deadline: Instant) -> Result<Arc<AdminAuth>> {
        let _guard = self.renew_lock.lock();
        let current = self.auth.read().clone();
        if let Some(auth) = current.as_ref().filter(|a| a.generation != seen) {
            return Ok(auth.clone());
        }
        let generation = seen + 1;
        let renewed = match current {
            Some(auth) => match self.refresh(&auth.refresh, deadline) {
                Ok(access) => AdminAuth {
                    access,
                    refresh: auth.refresh.clone(),
                    generation,
                },
                Err(e) if e.http_status == 401 => self.login(generation, deadline)?,
                Err(e) => return Err(e),
            },
            None => self.login(generation, deadline)?,
        };
        let renewed = Arc::new(renewed);
        *self.auth.write() = Some(renewed.clone());
        Ok(renewed)
    }

    fn login(&self, generation: u64, deadline: Instant) -> Result<AdminAuth> {
        let private = self.options.private_api_key.expose();
        let mut body = SecretBytes::new(Vec::with_capacity(128));
        serde_json::to_writer(
            &mut *body,
            &json!({ "username": self.options.public_api_key, "apiKey": private }),
        )
        .expect("a JSON value always serialises");
        let secrets = [private];
        let target = self.target("/auth/providers/mongodb-cloud/login");
        let response = self.send(deadline, target, Some(&body), None, &secrets)?;
        let what = "admin login";
        if matches!(response.status, 401 | 403) {
            let err = server_error(&response, what, &secrets);
            return Err(err.with_kind(ErrorKind::InvalidCredentials));
        }
        if !response.is_success() {
            return Err(server_error(&response, what, &secrets));
        }
        let received = Instant::now();
        let parsed = SecretJson(Value::Object(json_object(&response, what, &secrets)?));
        let access = required_string(parsed.object(), "access_token", what, response.status)?;
        let refresh = required_string(parsed.object(), "refresh_token", what, response.status)?;
        Ok(AdminAuth {
            access: AccessToken::new(access, received),
            refresh: Secret::new(refresh),
            generation,
        })
    }

    fn refresh(&self, refresh: &Secret, deadline: Instant) -> Result<AccessToken> {
        let secrets = [refresh.expose()];
        let what = "refreshing the admin access token";
        let response = self.send(
            deadline,
            self.target("/auth/session"),
            None,
            Some(refresh.expose()),
            &secrets,
        )?;
        if !response.is_success() {
            return Err(server_error(&response, what, &secrets));
        }
        let received = Instant::now();
        let parsed = SecretJson(Value::Object(json_object(&response, what, &secrets)?));
        let access = required_string(parsed.object(), "access_token", what, response.status)?;
        Ok(AccessToken::new(access, received))
    }
}

/// The four documented outcomes of `verify_token`.
fn verify_outcome(response: &Response, secrets: &[&str]) -> Result<String> {
    let what = "verifying the access token";
    match response.status {
        200..=299 => {}
        400 => {
            let err = server_error(response, what, secrets);
            return Err(err.with_kind(ErrorKind::InvalidToken));
        }
        401 => {
            let err = server_error(response, what, secrets);
            return Err(Error {
                message: format!("{} (after renewing the admin token)", err.message),
                ..err.with_kind(ErrorKind::InvalidCredentials)
            });
        }
        _ => return Err(server_error(response, what, secrets)),
    }
    let parsed: Option<Value> = if response.may_be_json() {
        serde_json::from_slice(&response.body).ok()
    } else {
        None
    };
    match parsed {
        Some(Value::String(s)) if s == "token expired" => Err(Error {
            http_status: response.status,
            ..Error::new(ErrorKind::TokenExpired, "the access token has expired")
        }),
        // The vendor's own helper counts a token as valid only with non-zero numeric iat and exp.
        Some(Value::Object(claims))
            if ["iat", "exp"].iter().all(|k| {
                claims
                    .get(*k)
                    .and_then(Value::as_f64)
                    .is_some_and(|n| n != 0.0)
            }) =>
        {
            Ok(Value::Object(claims).to_string())
        }
        _ => Err(unexpected_body(
            response,
            what,
            "a claims object with iat and exp, or \"token expired\"",
            secrets,
        )),
    }
}

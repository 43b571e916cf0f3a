//! The client: login, token refresh, GraphQL, logout, user info and session export.

use crate::config::ClientOptions;
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind, Result};
use crate::graphql;
use crate::location::{Host, Location};
use crate::response::{json_object, required_string, server_error};
use crate::secret::{Secret, SecretJson};
use crate::session::{Current, Session};
use crate::token::AccessToken;
use crate::transport::{Method, Request, Response, Transport};
use crate::url::validate_app_id;
use parking_lot::{Mutex, RwLock};
use serde_json::{json, Map, Value};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

/// The version of the session blob written by [`Client::export_session`].
pub const SESSION_BLOB_VERSION: u64 = 1;
const NO_DEVICE: &str = "000000000000000000000000";

/// A client of one App Services app. Safe to share between threads: every method takes `&self`.
pub struct Client {
    app_id: String,
    options: ClientOptions,
    transport: Transport,
    location: Location,
    session: RwLock<Option<Arc<Session>>>,
    /// The device id the server assigned, sent back on later logins.
    device_id: Mutex<Option<String>>,
    /// The last credentials, kept only with `auto_relogin`.
    relogin: Mutex<Option<Credentials>>,
    /// Serialises logins, so that a re-login after an expired session happens once.
    login_lock: Mutex<()>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("app_id", &self.app_id)
            .field("base_url", &self.options.transport.base_url.to_string())
            .field("logged_in", &self.is_logged_in())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `app_id` (the client App ID, e.g. `myapp-abcde`). No network I/O.
    pub fn new(app_id: &str, options: ClientOptions) -> Result<Client> {
        validate_app_id(app_id)?;
        let transport = Transport::new(options.transport.clone())?;
        Ok(Client {
            app_id: app_id.to_string(),
            options,
            transport,
            location: Location::default(),
            session: RwLock::new(None),
            device_id: Mutex::new(None),
            relogin: Mutex::new(None),
            login_lock: Mutex::new(()),
        })
    }

    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    pub fn options(&self) -> &ClientOptions {
        &self.options
    }

    fn host(&self, deadline: Instant) -> Result<&Host> {
        self.location.get(
            &self.transport,
            &self.app_id,
            self.options.skip_location,
            deadline,
        )
    }

    /// Sends one request that is part of an operation ending at `deadline`.
    fn send(
        &self,
        deadline: Instant,
        method: Method,
        target: String,
        body: Option<&[u8]>,
        bearer: Option<&str>,
        secrets: &[&str],
    ) -> Result<Response> {
        let host = self.host(deadline)?;
        self.transport.send(&Request {
            method,
            origin: &host.origin,
            target,
            body,
            bearer,
            trusted: &host.trusted,
            secrets,
            deadline,
        })
    }

    // ---- login ----------------------------------------------------------------------------

    /// Logs in, fetches the profile and replaces the current session.
    ///
    /// An anonymous login while an anonymous user is logged in reuses that user, as the vendor
    /// SDKs do; log out first for a new anonymous user.
    pub fn login(&self, credentials: Credentials) -> Result<()> {
        let _guard = self.login_lock.lock();
        if matches!(credentials, Credentials::Anonymous)
            && self
                .session
                .read()
                .as_ref()
                .is_some_and(|s| s.provider == "anon-user")
        {
            return Ok(());
        }
        self.login_locked(credentials, self.transport.deadline())
            .map(|_| ())
    }

    fn login_locked(&self, credentials: Credentials, deadline: Instant) -> Result<Arc<Session>> {
        let secrets = credentials.secrets();
        let host = self.host(deadline)?;
        let target = host.app_target(&format!("/auth/providers/{}/login", credentials.provider()));
        let body = credentials.body(self.device_info());
        let response = self.send(deadline, Method::Post, target, Some(&body), None, &secrets)?;
        if !response.is_success() {
            return Err(login_error(server_error(&response, "login", &secrets)));
        }
        let received = Instant::now();
        let parsed = SecretJson(Value::Object(json_object(&response, "login", &secrets)?));
        let map = parsed.object();
        let get = |key| required_string(map, key, "login", response.status);
        let access = Secret::new(get("access_token")?);
        let refresh = Secret::new(get("refresh_token")?);
        let user_id = get("user_id")?;
        let device_id = get("device_id")?;
        let profile = self.fetch_profile(access.expose(), deadline)?;
        if device_id != NO_DEVICE {
            *self.device_id.lock() = Some(device_id.clone());
        }
        let session = Arc::new(Session::new(
            user_id,
            device_id,
            credentials.provider().to_string(),
            refresh,
            Some(profile),
            Some(AccessToken::new(access.expose().to_string(), received)),
        ));
        *self.relogin.lock() = self.options.auto_relogin.then_some(credentials);
        *self.session.write() = Some(session.clone());
        Ok(session)
    }

    fn fetch_profile(&self, access_token: &str, deadline: Instant) -> Result<Value> {
        let target = self.host(deadline)?.auth_target("/profile");
        let secrets = [access_token];
        let response = self.send(
            deadline,
            Method::Get,
            target,
            None,
            Some(access_token),
            &secrets,
        )?;
        if !response.is_success() {
            return Err(server_error(
                &response,
                "fetching the user profile after login",
                &secrets,
            ));
        }
        let map = json_object(&response, "fetching the user profile", &secrets)?;
        Ok(Value::Object(map))
    }

    fn device_info(&self) -> Value {
        let mut device = Map::new();
        device.insert("appId".into(), self.app_id.clone().into());
        if let Some(v) = &self.options.app_version {
            device.insert("appVersion".into(), v.clone().into());
        }
        device.insert("platform".into(), std::env::consts::OS.into());
        device.insert("cpuArch".into(), std::env::consts::ARCH.into());
        device.insert("sdk".into(), "realm-client".into());
        device.insert("sdkVersion".into(), env!("CARGO_PKG_VERSION").into());
        if let Some(id) = self.device_id.lock().as_ref() {
            device.insert("deviceId".into(), json!({ "$oid": id }));
        }
        Value::Object(device)
    }

    // ---- sessions and refresh --------------------------------------------------------------

    fn current_session(&self) -> Result<Arc<Session>> {
        self.session.read().clone().ok_or_else(Error::not_logged_in)
    }

    pub fn is_logged_in(&self) -> bool {
        self.session.read().is_some()
    }

    /// Gets a new access token with the refresh token, now.
    pub fn refresh(&self) -> Result<()> {
        let deadline = self.transport.deadline();
        let session = self.current_session()?;
        let generation = session.generation();
        match self.refresh_session(&session, generation, deadline) {
            Ok(_) => Ok(()),
            Err(e) if e.kind == ErrorKind::SessionExpired && self.options.auto_relogin => {
                self.relogin(&session, deadline).map(|_| ())
            }
            Err(e) => Err(e),
        }
    }

    fn ended_error() -> Error {
        Error::new(
            ErrorKind::SessionExpired,
            "the session has ended: log in again",
        )
    }

    /// Single-flight refresh: the first caller sends the request; callers that waited for it
    /// take its result. `seen` is the generation of the token the caller found wanting.
    fn refresh_session(
        &self,
        session: &Arc<Session>,
        seen: u64,
        deadline: Instant,
    ) -> Result<Current> {
        let attempts_before = session.attempts.load(Ordering::Acquire);
        let mut last_failure = session.refresh_lock.lock();
        if session.has_ended() {
            return Err(Client::ended_error());
        }
        if let Some(current) = session.current().filter(|c| c.generation != seen) {
            return Ok(current);
        }
        if session.attempts.load(Ordering::Acquire) != attempts_before {
            if let Some(err) = last_failure.clone() {
                return Err(err);
            }
        }
        let result = self.send_refresh(session, deadline);
        session.attempts.fetch_add(1, Ordering::AcqRel);
        match result {
            // A logout while the refresh was under way wins: nothing is sent with this token.
            Ok(_) if session.has_ended() => Err(Client::ended_error()),
            Ok(token) => {
                *last_failure = None;
                Ok(session.install(token))
            }
            Err(err) => {
                if err.kind == ErrorKind::SessionExpired {
                    session.end();
                    let mut slot = self.session.write();
                    if slot.as_ref().is_some_and(|s| Arc::ptr_eq(s, session)) {
                        *slot = None;
                    }
                }
                *last_failure = Some(err.clone());
                Err(err)
            }
        }
    }

    fn send_refresh(&self, session: &Session, deadline: Instant) -> Result<AccessToken> {
        let target = self.host(deadline)?.auth_target("/session");
        let refresh = session.refresh_token.expose();
        let secrets = [refresh];
        let response = self.send(
            deadline,
            Method::Post,
            target,
            None,
            Some(refresh),
            &secrets,
        )?;
        if response.status == 401 {
            let err = server_error(&response, "refreshing the access token", &secrets);
            return Err(Error {
                message: format!("{}; the session has ended, log in again", err.message),
                ..err.with_kind(ErrorKind::SessionExpired)
            });
        }
        if !response.is_success() {
            return Err(server_error(
                &response,
                "refreshing the access token",
                &secrets,
            ));
        }
        let received = Instant::now();
        let parsed = SecretJson(Value::Object(json_object(
            &response,
            "refreshing the access token",
            &secrets,
        )?));
        let token = required_string(
            parsed.object(),
            "access_token",
            "refreshing the access token",
            response.status,
        )?;
        Ok(AccessToken::new(token, received))
    }

    /// Logs in again with the kept credentials after `ended` expired; once for all threads.
    fn relogin(&self, ended: &Arc<Session>, deadline: Instant) -> Result<Arc<Session>> {
        let _guard = self.login_lock.lock();
        if let Some(current) = self.session.read().clone() {
            if !Arc::ptr_eq(&current, ended) {
                return Ok(current);
            }
        }
        let credentials = self
            .relogin
            .lock()
            .clone()
            .ok_or_else(Client::ended_error)?;
        self.login_locked(credentials, deadline)
            .map_err(|e| e.context("the session ended and logging in again failed"))
    }

    /// A token to send now: refreshed first when near its end. When that refresh fails for a
    /// passing reason and the token has not quite expired, the old token is still worth a try.
    /// The flag says whether this call has already had its one refresh.
    fn usable_token(&self, deadline: Instant) -> Result<(Arc<Session>, Current, bool)> {
        let session = self.current_session()?;
        let now = Instant::now();
        let current = session.current();
        let result = match &current {
            Some(c) if !c.token.needs_refresh(now) => return Ok((session, c.clone(), false)),
            Some(c) => self.refresh_session(&session, c.generation, deadline),
            None => self.refresh_session(&session, 0, deadline),
        };
        match result {
            Ok(fresh) => Ok((session, fresh, true)),
            Err(e) if e.kind == ErrorKind::SessionExpired && self.options.auto_relogin => {
                let session = self.relogin(&session, deadline)?;
                let current = session.current().ok_or_else(Error::not_logged_in)?;
                Ok((session, current, true))
            }
            Err(e) => match current {
                Some(c) if is_passing(&e) && !c.token.is_expired(now) => Ok((session, c, true)),
                _ => Err(e),
            },
        }
    }

    /// Sends a request that carries the access token to an app-scoped `path`, and returns the
    /// answer with the token it went with. A 401 answer (whatever its body) leads to exactly one
    /// refresh and one resend; a call refreshes at most once, and the whole of it, location and
    /// refresh included, keeps to one request timeout.
    fn send_with_access(
        &self,
        method: Method,
        path: &str,
        body: Option<&[u8]>,
    ) -> Result<(Response, Arc<AccessToken>)> {
        let deadline = self.transport.deadline();
        let (session, current, refreshed) = self.usable_token(deadline)?;
        let target = self.host(deadline)?.app_target(path);
        let token = current.token.token.expose();
        let response = self.send(
            deadline,
            method,
            target.clone(),
            body,
            Some(token),
            &[token],
        )?;
        if response.status != 401 || refreshed {
            return Ok((response, current.token));
        }
        let fresh = match self.refresh_session(&session, current.generation, deadline) {
            Ok(fresh) => fresh,
            Err(e) if e.kind == ErrorKind::SessionExpired && self.options.auto_relogin => {
                let session = self.relogin(&session, deadline)?;
                session.current().ok_or_else(Error::not_logged_in)?
            }
            Err(e) => return Err(e.context("the server refused the access token (HTTP 401)")),
        };
        let token = fresh.token.token.expose();
        let response = self.send(deadline, method, target, body, Some(token), &[token])?;
        Ok((response, fresh.token))
    }

    // ---- GraphQL ---------------------------------------------------------------------------

    /// Runs a GraphQL operation and returns the whole response envelope (`data` and `errors`)
    /// as the server sent it, on any 2xx answer.
    pub fn graphql(
        &self,
        query: &str,
        variables_json: Option<&str>,
        operation_name: Option<&str>,
    ) -> Result<String> {
        let body = graphql::request_body(query, variables_json, operation_name)?;
        let (response, token) = self.send_with_access(Method::Post, "/graphql", Some(&body))?;
        let secrets = [token.token.expose()];
        if !response.is_success() {
            return Err(server_error(&response, "GraphQL request", &secrets));
        }
        graphql::envelope(response, &secrets)
    }

    // ---- logout ----------------------------------------------------------------------------

    /// Ends the session: cleared locally whatever happens, then revoked on the server. The
    /// result says what the server did; "already gone" counts as success.
    pub fn logout(&self) -> Result<()> {
        let deadline = self.transport.deadline();
        // Under the login lock: a login or re-login under way finishes first and is logged
        // out, and none can start from the kept credentials afterwards.
        let session = {
            let _guard = self.login_lock.lock();
            *self.relogin.lock() = None;
            self.session.write().take()
        };
        let Some(session) = session else {
            return Ok(());
        };
        session.end();
        let refresh = session.refresh_token.expose();
        let secrets = [refresh];
        let target = self.host(deadline)?.auth_target("/session");
        let response = self
            .send(
                deadline,
                Method::Delete,
                target,
                None,
                Some(refresh),
                &secrets,
            )
            .map_err(|e| e.context("logout (the local session was cleared)"))?;
        if response.is_success() {
            return Ok(());
        }
        let err = server_error(
            &response,
            "logout (the local session was cleared)",
            &secrets,
        );
        let already_gone = response.status == 401
            && (err.server_code.as_deref() == Some("InvalidSession")
                || err
                    .server_message
                    .as_deref()
                    .is_some_and(|m| m.contains("failed to find refresh token")));
        if already_gone {
            Ok(())
        } else {
            Err(err)
        }
    }

    // ---- user info and session blobs -------------------------------------------------------

    pub fn user_id(&self) -> Result<String> {
        Ok(self.current_session()?.user_id.clone())
    }

    /// The current access token (no I/O; it may be near its end).
    pub fn access_token(&self) -> Result<Secret> {
        let session = self.current_session()?;
        let current = session.current().ok_or_else(|| {
            Error::new(
                ErrorKind::NotLoggedIn,
                "the restored session has no access token yet: refresh first",
            )
        })?;
        Ok(current.token.token.clone())
    }

    /// What is known of the user: ids, provider, profile, token claims and custom data.
    pub fn user_json(&self) -> Result<String> {
        let session = self.current_session()?;
        let current = session.current();
        let claims = current
            .as_ref()
            .and_then(|c| c.token.claims.clone())
            .map(Value::Object);
        let custom_data = claims
            .as_ref()
            .and_then(|c| c.get("user_data").cloned())
            .unwrap_or(Value::Null);
        let now = Instant::now();
        let info = json!({
            "id": session.user_id,
            "device_id": session.device_id,
            "provider": session.provider,
            "profile": session.profile.clone().unwrap_or(Value::Null),
            "claims": claims.unwrap_or(Value::Null),
            "custom_data": custom_data,
            "access_token_expires_at": current.as_ref().and_then(|c| c.token.exp()),
            "access_token_expires_in_ms": current
                .as_ref()
                .and_then(|c| c.token.remaining(now))
                .map(|d| d.as_millis() as u64),
        });
        Ok(info.to_string())
    }

    /// A versioned blob with the refresh token, for the platform's keychain. The short-lived
    /// access token is left out.
    pub fn export_session(&self) -> Result<Secret> {
        let session = self.current_session()?;
        let blob = json!({
            "v": SESSION_BLOB_VERSION,
            "app_id": self.app_id,
            "base_url": self.options.transport.base_url.to_string(),
            "user_id": session.user_id,
            "device_id": session.device_id,
            "provider": session.provider,
            "refresh_token": session.refresh_token.expose(),
        });
        let text = crate::secret::SecretJson(blob);
        Ok(Secret::new(text.0.to_string()))
    }

    /// Installs a session from [`Client::export_session`]'s blob, without I/O. The next request
    /// refreshes the access token first.
    pub fn restore_session(&self, blob: &str) -> Result<()> {
        let parsed = crate::secret::SecretJson(serde_json::from_str(blob).map_err(|e| {
            Error::invalid_argument(format!("the session blob is not valid JSON: {e}"))
        })?);
        let map = parsed
            .0
            .as_object()
            .ok_or_else(|| Error::invalid_argument("the session blob must be a JSON object"))?;
        if map.get("v").and_then(Value::as_u64) != Some(SESSION_BLOB_VERSION) {
            return Err(Error::invalid_argument(format!(
                "unsupported session blob version (this library reads v {SESSION_BLOB_VERSION})"
            )));
        }
        let field = |key: &str| match map.get(key) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            _ => Err(Error::invalid_argument(format!(
                "the session blob has no string {key:?}"
            ))),
        };
        let app_id = field("app_id")?;
        if app_id != self.app_id {
            return Err(Error::invalid_argument(format!(
                "the session blob belongs to app {app_id:?}, not to {:?}",
                self.app_id
            )));
        }
        let refresh_token = Secret::new(field("refresh_token")?);
        if !refresh_token.expose().bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::invalid_argument(
                "the session blob's refresh_token holds characters no token has",
            ));
        }
        let session = Session::new(
            field("user_id")?,
            field("device_id")?,
            field("provider")?,
            refresh_token,
            None,
            None,
        );
        let _guard = self.login_lock.lock();
        *self.relogin.lock() = None;
        *self.session.write() = Some(Arc::new(session));
        Ok(())
    }
}

/// Login failures that mean "these credentials were refused" become `InvalidCredentials`.
fn login_error(err: Error) -> Error {
    const REFUSED: [&str; 5] = [
        "InvalidPassword",
        "AuthError",
        "UserDisabled",
        "UserNotFound",
        "APIKeyNotFound",
    ];
    let refused = err.http_status == 401
        || err
            .server_code
            .as_deref()
            .is_some_and(|c| REFUSED.contains(&c));
    if refused {
        err.with_kind(ErrorKind::InvalidCredentials)
    } else {
        err
    }
}

/// Failures that say nothing about the session itself.
fn is_passing(err: &Error) -> bool {
    matches!(
        err.kind,
        ErrorKind::Server | ErrorKind::Network | ErrorKind::Timeout | ErrorKind::RateLimited
    )
}

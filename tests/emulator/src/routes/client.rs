//! Client API routes: location, login (and linking), session refresh/logout, profile, GraphQL.

use super::{method_not_allowed, not_found, Auth, Req};
use crate::api_error::ApiError;
use crate::auth::{self, Credential};
use crate::http::{self, Body};
use crate::ids;
use crate::shared::Shared;
use crate::state::Data;
use hyper::{Method, Response, StatusCode};
use serde_json::{json, Map, Value};

/// Routes under `/api/client/v2.0/app/{app}`.
pub async fn app_route(
    shared: &Shared,
    req: &Req,
    app: &str,
    rest: &[&str],
) -> Result<Response<Body>, ApiError> {
    let known = match rest {
        ["location"] | ["graphql"] | ["auth", "providers", _, "login"] => true,
        _ => return Err(not_found(req)),
    };
    if known && app != shared.cfg.client_app_id {
        return Err(ApiError::app_not_found(app));
    }
    match (rest, &req.method) {
        (["location"], &Method::GET) => Ok(location(shared)),
        (["auth", "providers", provider, "login"], &Method::POST) => login(shared, req, provider),
        (["graphql"], &Method::POST) => graphql(shared, req).await,
        _ => Err(method_not_allowed(req)),
    }
}

/// Routes under `/api/client/v2.0/auth`.
pub fn session_route(
    shared: &Shared,
    req: &Req,
    rest: &[&str],
) -> Result<Response<Body>, ApiError> {
    match (rest, &req.method) {
        (["session"], &Method::POST) => refresh(shared, req),
        (["session"], &Method::DELETE) => logout(shared, req),
        (["profile"], &Method::GET) => profile(shared, req),
        (["session"], _) | (["profile"], _) => Err(method_not_allowed(req)),
        _ => Err(not_found(req)),
    }
}

fn location(shared: &Shared) -> Response<Body> {
    let hostname = shared
        .data
        .lock()
        .settings
        .location_hostname
        .clone()
        .unwrap_or_else(|| shared.origin.clone());
    let ws = if let Some(rest) = hostname.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = hostname.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        hostname.clone()
    };
    http::json(
        StatusCode::OK,
        &json!({
            "deployment_model": shared.cfg.deployment_model,
            "location": shared.cfg.location,
            "hostname": hostname,
            "ws_hostname": ws,
        }),
    )
}

/// `options.device.deviceId` when it is a usable ObjectId, else a fresh one.
fn device_id(body: &Map<String, Value>) -> String {
    body.get("options")
        .and_then(|o| o.get("device"))
        .and_then(|d| d.get("deviceId"))
        .and_then(Value::as_str)
        .filter(|id| ids::is_object_id(id) && *id != ids::ZERO_ID)
        .map(str::to_ascii_lowercase)
        .unwrap_or_else(ids::new_object_id)
}

/// The credential part of a login body: everything but `provider` and `options`.
fn payload(mut body: Map<String, Value>) -> Map<String, Value> {
    body.remove("provider");
    body.remove("options");
    body
}

fn login(shared: &Shared, req: &Req, provider: &str) -> Result<Response<Body>, ApiError> {
    if !auth::PROVIDERS.contains(&provider) {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "AuthProviderNotFound",
            format!("authentication via '{provider}' is unsupported"),
        ));
    }
    let body = req.json_object()?;
    let device = device_id(&body);
    let payload = payload(body);
    let mut d = shared.data.lock();
    let cred = auth::authenticate(shared, &d, provider, &payload)?;
    if req.query_flag("link", "true") {
        return link(shared, &mut d, req, cred);
    }
    let (user_id, identity) = auth::resolve(&mut d, cred);
    let tokens = shared.start_session(&mut d, &user_id, identity, device);
    Ok(http::json(StatusCode::OK, &tokens))
}

/// `?link=true`: add the credential's identity to the user of the bearer access token.
fn link(
    shared: &Shared,
    d: &mut Data,
    req: &Req,
    cred: Credential,
) -> Result<Response<Body>, ApiError> {
    let claims = shared.check_access(d, req.bearer()?)?;
    let in_use = || {
        ApiError::new(
            StatusCode::CONFLICT,
            "AccountNameInUse",
            "a user already exists with the specified provider",
        )
    };
    match cred {
        Credential::Known { user_id, .. } => {
            if user_id != claims.user_id {
                return Err(in_use());
            }
        }
        Credential::External { identity, data } => {
            let key = (identity.provider_type.clone(), identity.id.clone());
            match d.identity_index.get(&key) {
                Some(owner) if *owner != claims.user_id => return Err(in_use()),
                Some(_) => {}
                None => {
                    d.identity_index.insert(key, claims.user_id.clone());
                    let user = d.users.get_mut(&claims.user_id).expect("checked");
                    user.identities.push(identity);
                    for (k, v) in data {
                        user.data.insert(k, v);
                    }
                }
            }
        }
    }
    let access = shared.access_token(d, &claims.session_id, &claims.user_id, &claims.device_id);
    Ok(http::json(
        StatusCode::OK,
        &json!({
            "access_token": access,
            "refresh_token": null,
            "user_id": claims.user_id,
            "device_id": claims.device_id,
        }),
    ))
}

fn refresh(shared: &Shared, req: &Req) -> Result<Response<Body>, ApiError> {
    let token = req.bearer()?;
    let d = shared.data.lock();
    let sid = shared.check_refresh(&d, token)?;
    let s = &d.sessions[&sid];
    let access = shared.access_token(&d, &sid, &s.user_id, &s.device_id);
    Ok(http::json(
        StatusCode::CREATED,
        &json!({ "access_token": access }),
    ))
}

fn logout(shared: &Shared, req: &Req) -> Result<Response<Body>, ApiError> {
    let token = req.bearer()?;
    let mut d = shared.data.lock();
    let sid = shared.check_refresh(&d, token)?;
    d.sessions.remove(&sid);
    Ok(http::no_content(StatusCode::NO_CONTENT))
}

fn profile(shared: &Shared, req: &Req) -> Result<Response<Body>, ApiError> {
    let token = req.bearer()?;
    let d = shared.data.lock();
    let claims = shared.check_access(&d, token)?;
    let u = &d.users[&claims.user_id];
    Ok(http::json(
        StatusCode::OK,
        &json!({
            "user_id": u.id,
            "domain_id": shared.cfg.domain_id,
            "type": u.user_type,
            "identities": u.identities,
            "data": u.data,
        }),
    ))
}

/// Who a GraphQL request runs as: the bearer token, else the credential headers (spec §7).
fn graphql_user(shared: &Shared, req: &Req) -> Result<String, ApiError> {
    let mut d = shared.data.lock();
    match req.auth() {
        Auth::Bearer(t) => return shared.check_access(&d, t).map(|c| c.user_id),
        Auth::Other => return req.bearer().map(|_| String::new()),
        Auth::None => {}
    }
    let (provider, body) = if let Some(key) = req.header("apikey") {
        ("api-key", json!({ "key": key }))
    } else if let (Some(email), Some(password)) = (req.header("email"), req.header("password")) {
        (
            "local-userpass",
            json!({ "username": email, "password": password }),
        )
    } else if let Some(token) = req.header("jwttokenstring") {
        ("custom-token", json!({ "token": token }))
    } else {
        return Err(ApiError::missing_auth());
    };
    let Value::Object(body) = body else {
        unreachable!("built as an object")
    };
    let cred = auth::authenticate(shared, &d, provider, &body)?;
    Ok(auth::resolve(&mut d, cred).0)
}

async fn graphql(shared: &Shared, req: &Req) -> Result<Response<Body>, ApiError> {
    graphql_user(shared, req)?;
    let body: Value = serde_json::from_slice(&req.body)
        .map_err(|e| ApiError::bad_request(format!("failed to parse request body as JSON: {e}")))?;
    let Some(query) = body.get("query").and_then(Value::as_str) else {
        return Err(ApiError::missing_parameter("query"));
    };
    let mut gql = async_graphql::Request::new(query);
    match body.get("variables") {
        None | Some(Value::Null) => {}
        Some(v @ Value::Object(_)) => {
            gql = gql.variables(async_graphql::Variables::from_json(v.clone()));
        }
        // The Admin twin documents a stringified object; accept that here too.
        Some(Value::String(s)) => {
            let v: Value = serde_json::from_str(s).map_err(|e| {
                ApiError::invalid_parameter(format!("variables is not a JSON object: {e}"))
            })?;
            gql = gql.variables(async_graphql::Variables::from_json(v));
        }
        Some(_) => {
            return Err(ApiError::invalid_parameter(
                "variables must be a JSON object",
            ))
        }
    }
    match body.get("operationName") {
        Some(Value::String(op)) => gql = gql.operation_name(op.as_str()),
        None | Some(Value::Null) => {}
        Some(_) => {
            return Err(ApiError::invalid_parameter(
                "operationName must be a string",
            ))
        }
    }
    let resp = shared.schema.execute(gql).await;
    Ok(http::json(StatusCode::OK, &resp))
}

//! The Admin API subset (spec §8): API-key login, admin sessions, verify_token, and the two
//! look-ups a client needs to find its project and app.

use super::{method_not_allowed, not_found, Req};
use crate::api_error::ApiError;
use crate::http::{self, Body};
use crate::jwt;
use crate::shared::Shared;
use hyper::{Method, Response, StatusCode};
use serde_json::{json, Map, Value};

/// Routes under `/api/admin/v3.0`.
pub fn route(shared: &Shared, req: &Req, rest: &[&str]) -> Result<Response<Body>, ApiError> {
    match (rest, &req.method) {
        (["auth", "providers", "mongodb-cloud", "login"], &Method::POST) => login(shared, req),
        (["auth", "session"], &Method::POST) => refresh(shared, req),
        (["auth", "session"], &Method::DELETE) => logout(shared, req),
        (["auth", "profile"], &Method::GET) => profile(shared, req),
        (["groups", group, "apps"], &Method::GET) => apps(shared, req, group),
        (["groups", group, "apps", app, "users", "verify_token"], &Method::POST) => {
            verify_token(shared, req, group, app)
        }
        (["auth", "providers", "mongodb-cloud", "login"], _)
        | (["auth", "session"], _)
        | (["auth", "profile"], _)
        | (["groups", _, "apps"], _)
        | (["groups", _, "apps", _, "users", "verify_token"], _) => Err(method_not_allowed(req)),
        _ => Err(not_found(req)),
    }
}

fn login(shared: &Shared, req: &Req) -> Result<Response<Body>, ApiError> {
    let Some(admin) = &shared.cfg.admin else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "AuthProviderNotFound",
            "authentication via 'mongodb-cloud' is unsupported",
        ));
    };
    let body = req.json_object()?;
    let field = |k: &str| match body.get(k) {
        Some(Value::String(s)) => Ok(s.as_str()),
        None | Some(Value::Null) => Err(ApiError::missing_parameter(k)),
        Some(_) => Err(ApiError::invalid_parameter(format!(
            "parameter {k} must be a string"
        ))),
    };
    let (username, api_key) = (field("username")?, field("apiKey")?);
    if username != admin.public_key || api_key != admin.private_key {
        return Err(ApiError::invalid_password(
            "failed to authenticate with MongoDB Cloud API: invalid username/API key",
        ));
    }
    let mut d = shared.data.lock();
    let tokens = shared.start_admin_session(&mut d, &admin.user_id);
    Ok(http::json(StatusCode::OK, &tokens))
}

fn refresh(shared: &Shared, req: &Req) -> Result<Response<Body>, ApiError> {
    let token = req.bearer()?;
    let d = shared.data.lock();
    let (sid, user_id) = shared.check_admin_refresh(&d, token)?;
    let access = shared.admin_access_token(&d, &sid, &user_id);
    Ok(http::json(
        StatusCode::CREATED,
        &json!({ "access_token": access }),
    ))
}

fn logout(shared: &Shared, req: &Req) -> Result<Response<Body>, ApiError> {
    let token = req.bearer()?;
    let mut d = shared.data.lock();
    let (sid, _) = shared.check_admin_refresh(&d, token)?;
    d.admin_sessions.remove(&sid);
    Ok(http::no_content(StatusCode::NO_CONTENT))
}

/// An admin access token is required; every failure is the documented bare
/// `{"error":"invalid session","error_code":"InvalidSession"}`.
fn require_admin(shared: &Shared, req: &Req) -> Result<(), ApiError> {
    let token = match req.auth() {
        super::Auth::Bearer(t) => t,
        _ => "",
    };
    shared.check_admin_access(&shared.data.lock(), token)
}

fn profile(shared: &Shared, req: &Req) -> Result<Response<Body>, ApiError> {
    require_admin(shared, req)?;
    let user_id = shared
        .cfg
        .admin
        .as_ref()
        .map(|a| a.user_id.clone())
        .unwrap_or_default();
    Ok(http::json(
        StatusCode::OK,
        &json!({
            "user_id": user_id,
            "roles": [{ "role_name": "GROUP_OWNER", "group_id": shared.cfg.group_id }],
        }),
    ))
}

fn check_group(shared: &Shared, group: &str) -> Result<(), ApiError> {
    if group != shared.cfg.group_id {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "GroupNotFound",
            format!("group '{group}' not found"),
        ));
    }
    Ok(())
}

fn apps(shared: &Shared, req: &Req, group: &str) -> Result<Response<Body>, ApiError> {
    require_admin(shared, req)?;
    check_group(shared, group)?;
    let cfg = &shared.cfg;
    Ok(http::json(
        StatusCode::OK,
        &json!([{
            "_id": cfg.app_id,
            "client_app_id": cfg.client_app_id,
            "name": cfg.client_app_id.split('-').next().unwrap_or_default(),
            "group_id": cfg.group_id,
            "domain_id": cfg.domain_id,
            "deployment_model": cfg.deployment_model,
            "location": cfg.location,
        }]),
    ))
}

fn verify_token(
    shared: &Shared,
    req: &Req,
    group: &str,
    app: &str,
) -> Result<Response<Body>, ApiError> {
    require_admin(shared, req)?;
    check_group(shared, group)?;
    if app != shared.cfg.app_id {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "AppNotFound",
            format!("app '{app}' not found"),
        ));
    }
    let body = req
        .json_object()
        .map_err(|e| ApiError::bare(StatusCode::BAD_REQUEST, e.error))?;
    let Some(Value::String(token)) = body.get("token") else {
        return Err(ApiError::bare(
            StatusCode::BAD_REQUEST,
            "missing parameter: token",
        ));
    };
    let claims = jwt::verify(token, &shared.secret)
        .map_err(|e| ApiError::bare(StatusCode::BAD_REQUEST, e.message()))?;
    if claims.get("typ").and_then(Value::as_str) != Some("access") {
        return Err(ApiError::bare(
            StatusCode::BAD_REQUEST,
            "token is not an access token",
        ));
    }
    let now = shared.data.lock().now();
    let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
    if exp <= now {
        return Ok(http::json(StatusCode::OK, "token expired"));
    }
    let mut out = Map::new();
    for (from, to) in [
        ("sub", "sub"),
        ("exp", "exp"),
        ("iat", "iat"),
        ("iss", "iss"),
        ("baas_domain_id", "domain_id"),
        ("baas_device_id", "device_id"),
        ("aud", "aud"),
        ("user_data", "custom_user_data"),
    ] {
        match claims.get(from) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s.is_empty() => {}
            Some(v) => {
                out.insert(to.into(), v.clone());
            }
        }
    }
    Ok(http::json(StatusCode::OK, &Value::Object(out)))
}

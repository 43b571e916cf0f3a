//! Checking login credentials per provider (spec §3.2). Shared by the login route and the GraphQL
//! credential headers.

use crate::api_error::ApiError;
use crate::config::{OAuthConfig, Providers};
use crate::ids;
use crate::jwt;
use crate::shared::Shared;
use crate::state::{Data, Identity};
use hyper::StatusCode;
use serde_json::{Map, Value};

/// Who a credential identifies.
pub enum Credential {
    /// A configured user (local-userpass, api-key).
    Known { user_id: String, identity: Identity },
    /// An identity owned by the provider; its user is found or created on login.
    External {
        identity: Identity,
        data: Map<String, Value>,
    },
}

pub const PROVIDERS: &[&str] = &[
    "anon-user",
    "local-userpass",
    "api-key",
    "custom-token",
    "custom-function",
    "oauth2-google",
    "oauth2-apple",
    "oauth2-facebook",
];

fn enabled(p: &Providers, name: &str) -> bool {
    match name {
        "anon-user" => p.anon_user.is_some(),
        "local-userpass" => p.local_userpass.is_some(),
        "api-key" => p.api_key.is_some(),
        "custom-token" => p.custom_token.is_some(),
        "custom-function" => p.custom_function.is_some(),
        "oauth2-google" => p.oauth2_google.is_some(),
        "oauth2-apple" => p.oauth2_apple.is_some(),
        "oauth2-facebook" => p.oauth2_facebook.is_some(),
        _ => false,
    }
}

fn provider_not_found(name: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "AuthProviderNotFound",
        format!("authentication via '{name}' is unsupported"),
    )
}

/// A required string field of the (EJSON-relaxed) body.
fn string_field<'a>(body: &'a Map<String, Value>, name: &str) -> Result<&'a str, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Err(ApiError::missing_parameter(name)),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(ApiError::invalid_parameter(format!(
            "parameter {name} must be a string"
        ))),
    }
}

/// Checks `body` for `provider`. `body` has had its EJSON wrappers removed.
pub fn authenticate(
    shared: &Shared,
    d: &Data,
    provider: &str,
    body: &Map<String, Value>,
) -> Result<Credential, ApiError> {
    let providers = &shared.cfg.providers;
    if !enabled(providers, provider) {
        return Err(provider_not_found(provider));
    }
    match provider {
        "anon-user" => Ok(Credential::External {
            identity: Identity::new(provider, ids::new_object_id()),
            data: Map::new(),
        }),
        "local-userpass" => {
            let username = string_field(body, "username")?;
            let password = string_field(body, "password")?;
            match d.passwords.get(username) {
                Some((pw, uid)) if pw == password => Ok(Credential::Known {
                    user_id: uid.clone(),
                    identity: Identity::new(provider, ids::derived_id(&[provider, username])),
                }),
                _ => Err(ApiError::invalid_password("invalid username/password")),
            }
        }
        "api-key" => {
            let key = string_field(body, "key")?;
            match d.api_keys.get(key) {
                Some((key_id, uid)) => Ok(Credential::Known {
                    user_id: uid.clone(),
                    identity: Identity::new(provider, key_id.clone()),
                }),
                None => Err(ApiError::invalid_password("invalid API key")),
            }
        }
        "custom-token" => custom_token(shared, d, string_field(body, "token")?),
        "custom-function" => {
            let cfg = providers.custom_function.as_ref().expect("enabled");
            let id = match body.get(&cfg.user_id_field) {
                Some(Value::String(s)) if !s.is_empty() => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => {
                    return Err(ApiError::invalid_password(format!(
                    "authentication function returned no user id: payload field '{}' is missing",
                    cfg.user_id_field
                )))
                }
            };
            Ok(Credential::External {
                identity: Identity::new(provider, id),
                data: Map::new(),
            })
        }
        "oauth2-google" => {
            let token = match (body.get("id_token"), body.get("authCode")) {
                (Some(Value::String(t)), _) | (_, Some(Value::String(t))) => t.as_str(),
                _ => return Err(ApiError::missing_parameter("id_token")),
            };
            oauth(provider, providers.oauth2_google.as_ref(), token)
        }
        "oauth2-apple" => oauth(
            provider,
            providers.oauth2_apple.as_ref(),
            string_field(body, "id_token")?,
        ),
        "oauth2-facebook" => oauth(
            provider,
            providers.oauth2_facebook.as_ref(),
            string_field(body, "accessToken")?,
        ),
        _ => Err(provider_not_found(provider)),
    }
}

fn oauth(provider: &str, cfg: Option<&OAuthConfig>, token: &str) -> Result<Credential, ApiError> {
    let t = cfg
        .and_then(|c| c.tokens.iter().find(|t| t.token == token))
        .ok_or_else(|| ApiError::invalid_password(format!("invalid {provider} credentials")))?;
    Ok(Credential::External {
        identity: Identity::new(provider, t.subject.clone()),
        data: t.data.clone(),
    })
}

/// A third-party HS256 JWT checked against the configured secret and audience.
pub fn custom_token(shared: &Shared, d: &Data, token: &str) -> Result<Credential, ApiError> {
    let cfg = shared
        .cfg
        .providers
        .custom_token
        .as_ref()
        .ok_or_else(|| provider_not_found("custom-token"))?;
    let claims = jwt::verify(token, cfg.secret.as_bytes())
        .map_err(|e| ApiError::invalid_password(e.message()))?;
    let now = d.now();
    let num = |k: &str| claims.get(k).and_then(Value::as_f64);
    if num("exp").is_some_and(|exp| exp <= now as f64) {
        return Err(ApiError::invalid_password("token is expired"));
    }
    if num("nbf").is_some_and(|nbf| nbf > now as f64) {
        return Err(ApiError::invalid_password("token is not valid yet"));
    }
    if let Some(aud) = &cfg.audience {
        let ok = match claims.get("aud") {
            Some(Value::String(s)) => s == aud,
            Some(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(aud)),
            _ => false,
        };
        if !ok {
            return Err(ApiError::invalid_password(format!(
                "token audience is invalid: expected '{aud}'"
            )));
        }
    }
    let claim = if cfg.user_id_claim.is_empty() {
        "sub"
    } else {
        cfg.user_id_claim.as_str()
    };
    let id = match claims.get(claim) {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => {
            return Err(ApiError::invalid_password(format!(
                "token is missing the user id claim '{claim}'"
            )))
        }
    };
    let mut data = Map::new();
    for k in ["email", "name"] {
        if let Some(v @ Value::String(_)) = claims.get(k) {
            data.insert(k.into(), v.clone());
        }
    }
    Ok(Credential::External {
        identity: Identity::new("custom-token", id),
        data,
    })
}

/// The user id and identity a credential logs in as, creating the user of a new external
/// identity.
pub fn resolve(d: &mut Data, c: Credential) -> (String, Identity) {
    match c {
        Credential::Known { user_id, identity } => (user_id, identity),
        Credential::External { identity, data } => {
            (d.user_for_identity(&identity, &data), identity)
        }
    }
}

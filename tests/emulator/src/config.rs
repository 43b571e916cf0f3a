//! The emulator's configuration: one app, its users, providers, keys and movies. Loaded from JSON
//! (`--config FILE`) or the committed demo config.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The whole configuration. Every field except `client_app_id` has a default, so a test can
/// write a minimal config.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// The client App ID used in client routes (`/api/client/v2.0/app/{client_app_id}/...`).
    pub client_app_id: String,
    /// The app's internal ObjectId, used in Admin routes.
    pub app_id: String,
    pub group_id: String,
    /// The app's domain id (`baas_domain_id`, profile `domain_id`).
    pub domain_id: String,
    /// HMAC key for client tokens. Empty: a random key per run.
    pub signing_secret: String,
    /// HMAC key for admin tokens. Empty: a random key per run.
    pub admin_signing_secret: String,
    pub deployment_model: String,
    pub location: String,
    /// Origin returned as `hostname` by the location endpoint; `None`: the emulator's own origin.
    pub location_hostname: Option<String>,
    pub access_token_ttl_secs: u64,
    pub refresh_token_ttl_secs: u64,
    pub admin_access_token_ttl_secs: u64,
    pub providers: Providers,
    pub users: Vec<UserConfig>,
    pub api_keys: Vec<ApiKeyConfig>,
    pub admin: Option<AdminConfig>,
    /// Documents of the `movies` collection (`_id` is generated when absent).
    pub movies: Vec<Map<String, Value>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            client_app_id: "app-abcde".into(),
            app_id: "5f00000000000000000000a1".into(),
            group_id: "5f0000000000000000000001".into(),
            domain_id: "5f00000000000000000000d1".into(),
            signing_secret: String::new(),
            admin_signing_secret: String::new(),
            deployment_model: "GLOBAL".into(),
            location: "US-VA".into(),
            location_hostname: None,
            access_token_ttl_secs: 1800,
            refresh_token_ttl_secs: 5_184_000,
            admin_access_token_ttl_secs: 1800,
            providers: Providers::default(),
            users: Vec::new(),
            api_keys: Vec::new(),
            admin: None,
            movies: Vec::new(),
        }
    }
}

/// Enabled providers; an absent entry means the provider is not configured (login gives 404
/// `AuthProviderNotFound`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Providers {
    #[serde(rename = "anon-user")]
    pub anon_user: Option<Empty>,
    #[serde(rename = "local-userpass")]
    pub local_userpass: Option<Empty>,
    #[serde(rename = "api-key")]
    pub api_key: Option<Empty>,
    #[serde(rename = "custom-token")]
    pub custom_token: Option<CustomTokenConfig>,
    #[serde(rename = "custom-function")]
    pub custom_function: Option<CustomFunctionConfig>,
    #[serde(rename = "oauth2-google")]
    pub oauth2_google: Option<OAuthConfig>,
    #[serde(rename = "oauth2-apple")]
    pub oauth2_apple: Option<OAuthConfig>,
    #[serde(rename = "oauth2-facebook")]
    pub oauth2_facebook: Option<OAuthConfig>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Empty {}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomTokenConfig {
    /// HS256 secret the third-party JWT is signed with.
    pub secret: String,
    /// Required `aud` (string or one of an array); `None`: not checked.
    pub audience: Option<String>,
    /// Claim whose value is the identity id (usually `sub`).
    pub user_id_claim: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomFunctionConfig {
    /// Payload field whose value becomes the identity id (the "authentication function").
    pub user_id_field: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OAuthConfig {
    pub tokens: Vec<OAuthToken>,
}

/// A provider token (id_token / authCode / accessToken) that the emulator accepts.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OAuthToken {
    pub token: String,
    /// The provider's subject: the identity id.
    pub subject: String,
    /// Profile metadata (`email`, `name`, ...).
    pub data: Map<String, Value>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct UserConfig {
    pub id: String,
    /// `"normal"` or `"server"`.
    #[serde(rename = "type")]
    pub user_type: Option<String>,
    /// With `password`: a local-userpass identity.
    pub email: Option<String>,
    pub password: Option<String>,
    /// Custom user data (`user_data` claim, `custom_user_data` in verify_token).
    pub custom_data: Option<Value>,
    /// Extra profile metadata.
    pub data: Map<String, Value>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ApiKeyConfig {
    /// The key's own id (identity id of the api-key identity).
    pub id: String,
    pub name: String,
    pub key: String,
    /// The user the key logs in as. A user of type `server` makes it a server key.
    pub user_id: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AdminConfig {
    pub public_key: String,
    pub private_key: String,
    pub user_id: String,
}

/// The committed demo configuration (see README).
const DEMO: &str = include_str!("../demo-config.json");

impl Config {
    pub fn demo() -> Config {
        Config::from_json(DEMO).expect("demo-config.json is valid")
    }

    pub fn from_json(text: &str) -> Result<Config, String> {
        let cfg: Config = serde_json::from_str(text).map_err(|e| e.to_string())?;
        cfg.validate()?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<(), String> {
        if self.client_app_id.is_empty() {
            return Err("client_app_id must not be empty".into());
        }
        for u in &self.users {
            if !crate::ids::is_object_id(&u.id) {
                return Err(format!("user id {:?} is not a 24-digit hex ObjectId", u.id));
            }
        }
        for k in &self.api_keys {
            if !self.users.iter().any(|u| u.id == k.user_id) {
                return Err(format!(
                    "api key {:?} names unknown user {:?}",
                    k.name, k.user_id
                ));
            }
        }
        Ok(())
    }
}

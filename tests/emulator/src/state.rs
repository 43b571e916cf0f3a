//! Everything the emulator remembers between requests: users and their identities, sessions,
//! settings, the clock offset and the movies. All of it goes back to the config on reset.

use crate::config::Config;
use crate::ids;
use parking_lot::Mutex;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Values tests may change at run time through `/_emulator/settings`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub access_token_ttl_secs: u64,
    pub refresh_token_ttl_secs: u64,
    pub admin_access_token_ttl_secs: u64,
    pub location_hostname: Option<String>,
}

/// A partial update of [`Settings`]; absent fields keep their value. `location_hostname: null`
/// (`Some(None)`) goes back to the emulator's own origin.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token_ttl_secs: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_ttl_secs: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_access_token_ttl_secs: Option<u64>,
    #[serde(
        default,
        deserialize_with = "present_or_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub location_hostname: Option<Option<String>>,
}

/// Tells "absent" (outer None, via `default`) from "null" (Some(None)).
fn present_or_null<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

impl Settings {
    fn from_config(cfg: &Config) -> Settings {
        Settings {
            access_token_ttl_secs: cfg.access_token_ttl_secs,
            refresh_token_ttl_secs: cfg.refresh_token_ttl_secs,
            admin_access_token_ttl_secs: cfg.admin_access_token_ttl_secs,
            location_hostname: cfg.location_hostname.clone(),
        }
    }

    pub fn apply(&mut self, p: &SettingsPatch) {
        if let Some(v) = p.access_token_ttl_secs {
            self.access_token_ttl_secs = v;
        }
        if let Some(v) = p.refresh_token_ttl_secs {
            self.refresh_token_ttl_secs = v;
        }
        if let Some(v) = p.admin_access_token_ttl_secs {
            self.admin_access_token_ttl_secs = v;
        }
        if let Some(v) = &p.location_hostname {
            self.location_hostname = v.clone();
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Identity {
    pub id: String,
    pub provider_type: String,
    pub provider_id: String,
}

impl Identity {
    pub fn new(provider_type: &str, id: impl Into<String>) -> Identity {
        Identity {
            id: id.into(),
            provider_type: provider_type.to_string(),
            provider_id: provider_id(provider_type),
        }
    }
}

/// A provider's id is stable per provider name, like the ObjectId the real service assigns when
/// the provider is created.
pub fn provider_id(provider_type: &str) -> String {
    ids::derived_id(&["provider", provider_type])
}

#[derive(Clone, Debug)]
pub struct User {
    pub id: String,
    /// `"normal"` or `"server"`.
    pub user_type: String,
    pub identities: Vec<Identity>,
    /// Profile metadata (`email`, `name`, ...).
    pub data: Map<String, Value>,
    pub custom_data: Option<Value>,
}

#[derive(Clone, Debug)]
pub struct Session {
    pub user_id: String,
    pub device_id: String,
    pub expires_at: i64,
}

#[derive(Clone, Debug)]
pub struct AdminSession {
    pub expires_at: i64,
}

pub type Movies = Arc<Mutex<Vec<Map<String, Value>>>>;

/// Mutable state behind one lock: every operation is short and in memory.
pub struct Data {
    pub settings: Settings,
    pub clock_offset_secs: i64,
    pub users: HashMap<String, User>,
    /// (provider type, identity id) → user id.
    pub identity_index: HashMap<(String, String), String>,
    /// email → (password, user id).
    pub passwords: HashMap<String, (String, String)>,
    /// key → (key id, user id).
    pub api_keys: HashMap<String, (String, String)>,
    pub sessions: HashMap<String, Session>,
    pub admin_sessions: HashMap<String, AdminSession>,
}

impl Data {
    pub fn from_config(cfg: &Config) -> Data {
        let mut d = Data {
            settings: Settings::from_config(cfg),
            clock_offset_secs: 0,
            users: HashMap::new(),
            identity_index: HashMap::new(),
            passwords: HashMap::new(),
            api_keys: HashMap::new(),
            sessions: HashMap::new(),
            admin_sessions: HashMap::new(),
        };
        for u in &cfg.users {
            let mut data = u.data.clone();
            let mut identities = Vec::new();
            if let (Some(email), Some(password)) = (&u.email, &u.password) {
                data.insert("email".into(), Value::from(email.clone()));
                identities.push(Identity::new(
                    "local-userpass",
                    ids::derived_id(&["local-userpass", email]),
                ));
                d.passwords
                    .insert(email.clone(), (password.clone(), u.id.clone()));
            }
            d.users.insert(
                u.id.clone(),
                User {
                    id: u.id.clone(),
                    user_type: u.user_type.clone().unwrap_or_else(|| "normal".into()),
                    identities,
                    data,
                    custom_data: u.custom_data.clone(),
                },
            );
        }
        for k in &cfg.api_keys {
            d.api_keys
                .insert(k.key.clone(), (k.id.clone(), k.user_id.clone()));
            // A server key's user is "made of" its key: its one identity is the key.
            if let Some(user) = d.users.get_mut(&k.user_id) {
                if user.user_type == "server" {
                    user.identities.push(Identity::new("api-key", k.id.clone()));
                }
            }
        }
        let index: Vec<_> = d
            .users
            .values()
            .flat_map(|u| {
                u.identities
                    .iter()
                    .map(|i| ((i.provider_type.clone(), i.id.clone()), u.id.clone()))
            })
            .collect();
        d.identity_index.extend(index);
        d
    }

    /// Server time in seconds: the real clock plus the test-controlled offset.
    pub fn now(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        real + self.clock_offset_secs
    }

    /// The user behind an external identity, created on first sight (stable id per identity).
    /// Anonymous identities are always new, so each anonymous login is a new user.
    pub fn user_for_identity(&mut self, identity: &Identity, data: &Map<String, Value>) -> String {
        let key = (identity.provider_type.clone(), identity.id.clone());
        if let Some(uid) = self.identity_index.get(&key) {
            let uid = uid.clone();
            if let Some(u) = self.users.get_mut(&uid) {
                for (k, v) in data {
                    u.data.insert(k.clone(), v.clone());
                }
            }
            return uid;
        }
        let uid = if identity.provider_type == "anon-user" {
            ids::new_object_id()
        } else {
            ids::derived_id(&["user", &identity.provider_type, &identity.id])
        };
        self.users.insert(
            uid.clone(),
            User {
                id: uid.clone(),
                user_type: "normal".into(),
                identities: vec![identity.clone()],
                data: data.clone(),
                custom_data: None,
            },
        );
        self.identity_index.insert(key, uid.clone());
        uid
    }

    /// Revokes every session of `user_id`; returns how many there were.
    pub fn revoke_user(&mut self, user_id: &str) -> usize {
        let before = self.sessions.len();
        self.sessions.retain(|_, s| s.user_id != user_id);
        before - self.sessions.len()
    }
}

/// The movies of the config, with an `_id` for every document that has none.
pub fn seed_movies(cfg: &Config) -> Vec<Map<String, Value>> {
    cfg.movies
        .iter()
        .map(|m| {
            let mut m = m.clone();
            if !m.contains_key("_id") {
                m.insert("_id".into(), Value::from(ids::new_object_id()));
            }
            m
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_patch_tells_null_from_absent() {
        let p: SettingsPatch = serde_json::from_str(r#"{"location_hostname":null}"#).unwrap();
        assert_eq!(p.location_hostname, Some(None));
        let p: SettingsPatch = serde_json::from_str(r#"{"access_token_ttl_secs":2}"#).unwrap();
        assert_eq!(p.location_hostname, None);
        assert_eq!(p.access_token_ttl_secs, Some(2));
    }

    #[test]
    fn demo_users_are_indexed() {
        let d = Data::from_config(&Config::demo());
        assert_eq!(
            d.passwords["demo@example.com"].1,
            "5f00000000000000000000b1"
        );
        assert_eq!(d.users["5f00000000000000000000b3"].user_type, "server");
    }
}

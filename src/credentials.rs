//! Login credentials and the request body each provider expects (protocol spec §3.2).

use crate::error::{Error, Result};
use crate::secret::{Secret, SecretBytes, SecretJson};
use serde_json::{json, Map, Value};

/// What a user logs in with. Secrets inside are wiped on drop.
#[derive(Clone, Debug)]
pub enum Credentials {
    Anonymous,
    EmailPassword {
        email: String,
        password: Secret,
    },
    /// A user or server API key: both use the `api-key` provider.
    ApiKey(Secret),
    /// A third-party JWT for the `custom-token` provider.
    CustomJwt(Secret),
    /// The payload object for the `custom-function` provider.
    CustomFunction(SecretJson),
    GoogleIdToken(Secret),
    GoogleAuthCode(Secret),
    AppleIdToken(Secret),
    FacebookAccessToken(Secret),
    /// Any provider by name, with the body fields as given.
    Other {
        provider: String,
        fields: SecretJson,
    },
}

impl Credentials {
    /// Credentials for `provider` from a JSON object of body fields, as `realm_login` takes them.
    pub fn from_json(provider: &str, fields_json: &str) -> Result<Credentials> {
        validate_provider(provider)?;
        let fields = match serde_json::from_str::<Value>(fields_json) {
            Ok(v @ Value::Object(_)) => SecretJson(v),
            Ok(_) => return Err(Error::invalid_argument("credentials must be a JSON object")),
            // serde_json's message quotes no input, only a position.
            Err(e) => {
                return Err(Error::invalid_argument(format!(
                    "credentials are not valid JSON: {e}"
                )))
            }
        };
        let obj = fields.0.as_object().expect("checked above");
        if obj.contains_key("options") {
            return Err(Error::invalid_argument(
                "credentials must not contain \"options\": the library adds options.device itself",
            ));
        }
        Ok(match provider {
            "anon-user" => Credentials::Anonymous,
            "custom-function" => Credentials::CustomFunction(fields),
            _ => Credentials::Other {
                provider: provider.to_string(),
                fields,
            },
        })
    }

    pub fn email_password(email: &str, password: &str) -> Result<Credentials> {
        if email.is_empty() || password.is_empty() {
            return Err(Error::invalid_argument(
                "email and password must not be empty",
            ));
        }
        Ok(Credentials::EmailPassword {
            email: email.to_string(),
            password: Secret::new(password),
        })
    }

    pub fn custom_function(payload_json: &str) -> Result<Credentials> {
        Credentials::from_json("custom-function", payload_json)
    }

    /// Non-empty secret credentials of the given constructor.
    pub fn secret(make: fn(Secret) -> Credentials, value: &str, what: &str) -> Result<Credentials> {
        if value.is_empty() {
            return Err(Error::invalid_argument(format!("{what} must not be empty")));
        }
        Ok(make(Secret::new(value)))
    }

    pub fn provider(&self) -> &str {
        match self {
            Credentials::Anonymous => "anon-user",
            Credentials::EmailPassword { .. } => "local-userpass",
            Credentials::ApiKey(_) => "api-key",
            Credentials::CustomJwt(_) => "custom-token",
            Credentials::CustomFunction(_) => "custom-function",
            Credentials::GoogleIdToken(_) | Credentials::GoogleAuthCode(_) => "oauth2-google",
            Credentials::AppleIdToken(_) => "oauth2-apple",
            Credentials::FacebookAccessToken(_) => "oauth2-facebook",
            Credentials::Other { provider, .. } => provider,
        }
    }

    /// The login body in realm-core's shape: `provider` first (except for custom-function, whose
    /// payload goes as the caller gave it), the provider's fields, then `options.device`.
    pub fn body(&self, device: Value) -> SecretBytes {
        let mut map = Map::new();
        let mut put = |k: &str, v: &Secret| map.insert(k.into(), Value::String(v.expose().into()));
        if !matches!(self, Credentials::CustomFunction(_)) {
            put("provider", &Secret::new(self.provider()));
        }
        match self {
            Credentials::Anonymous => {}
            Credentials::EmailPassword { email, password } => {
                put("username", &Secret::new(email.as_str()));
                put("password", password);
            }
            Credentials::ApiKey(k) => {
                put("key", k);
            }
            Credentials::CustomJwt(t) => {
                put("token", t);
            }
            Credentials::GoogleIdToken(t) | Credentials::AppleIdToken(t) => {
                put("id_token", t);
            }
            Credentials::GoogleAuthCode(c) => {
                put("authCode", c);
            }
            Credentials::FacebookAccessToken(t) => {
                put("accessToken", t);
            }
            Credentials::CustomFunction(fields) | Credentials::Other { fields, .. } => {
                if let Value::Object(obj) = &fields.0 {
                    map.extend(obj.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
            }
        }
        map.insert("options".into(), json!({ "device": device }));
        // Wipe the copies of the secrets the map holds once serialised.
        let value = SecretJson(Value::Object(map));
        let mut out = Vec::with_capacity(256);
        serde_json::to_writer(&mut out, &value.0).expect("a JSON value always serialises");
        SecretBytes::new(out)
    }

    /// The secret strings these credentials hold, to keep them out of error messages.
    pub fn secrets(&self) -> Vec<&str> {
        let mut out = Vec::new();
        match self {
            Credentials::Anonymous => {}
            Credentials::EmailPassword { password, .. } => out.push(password.expose()),
            Credentials::ApiKey(s)
            | Credentials::CustomJwt(s)
            | Credentials::GoogleIdToken(s)
            | Credentials::GoogleAuthCode(s)
            | Credentials::AppleIdToken(s)
            | Credentials::FacebookAccessToken(s) => out.push(s.expose()),
            Credentials::CustomFunction(f) | Credentials::Other { fields: f, .. } => {
                collect_strings(&f.0, &mut out)
            }
        }
        out
    }
}

fn collect_strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        Value::Object(m) => m.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

/// A provider name, e.g. `local-userpass`.
pub fn validate_provider(provider: &str) -> Result<()> {
    crate::url::validate_path_segment(provider, "provider", 64, "local-userpass")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(c: &Credentials) -> String {
        String::from_utf8(c.body(json!({"sdk": "t"})).to_vec()).unwrap()
    }

    #[test]
    fn bodies_per_provider() {
        assert_eq!(
            body(&Credentials::Anonymous),
            r#"{"provider":"anon-user","options":{"device":{"sdk":"t"}}}"#
        );
        assert_eq!(
            body(&Credentials::email_password("zoë@ex.com", "pässwörd").unwrap()),
            r#"{"provider":"local-userpass","username":"zoë@ex.com","password":"pässwörd","options":{"device":{"sdk":"t"}}}"#
        );
        assert_eq!(
            body(&Credentials::ApiKey(Secret::new("k1"))),
            r#"{"provider":"api-key","key":"k1","options":{"device":{"sdk":"t"}}}"#
        );
        assert_eq!(
            body(
                &Credentials::custom_function(r#"{"username":"alice","n":{"$numberInt":"1"}}"#)
                    .unwrap()
            ),
            r#"{"username":"alice","n":{"$numberInt":"1"},"options":{"device":{"sdk":"t"}}}"#
        );
    }

    #[test]
    fn generic_json_is_checked() {
        assert!(Credentials::from_json("a/b", "{}").is_err());
        assert!(Credentials::from_json("", "{}").is_err());
        assert!(Credentials::from_json("api-key", "\"k\"").is_err());
        assert!(Credentials::from_json("api-key", "{").is_err());
        assert!(Credentials::from_json("api-key", r#"{"options":{}}"#).is_err());
        let c = Credentials::from_json("api-key", r#"{"key":"secret-key"}"#).unwrap();
        assert_eq!(c.provider(), "api-key");
        assert_eq!(c.secrets(), vec!["secret-key"]);
        assert!(!format!("{c:?}").contains("secret-key"));
    }
}

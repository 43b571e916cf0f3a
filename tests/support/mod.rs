//! Test support: the emulator binary on a free loopback port, and its control surface.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

pub const APP: &str = "demo-abcde";
pub const EMAIL: &str = "demo@example.com";
pub const PASSWORD: &str = "demo-password";
pub const USER_API_KEY: &str = "demo-user-api-key-0123456789";
pub const SERVER_API_KEY: &str = "demo-server-api-key-9876543210";
pub const JWT_SECRET: &str = "demo-custom-jwt-secret";
pub const ADMIN_PUBLIC: &str = "demo-admin-public";
pub const ADMIN_PRIVATE: &str = "demo-admin-private-0123456789";
pub const GROUP_ID: &str = "5f0000000000000000000001";
pub const ADMIN_APP_ID: &str = "5f00000000000000000000a1";

/// The emulator binary: `REALM_EMULATOR_BIN`, else built with cargo next to this test binary.
fn emulator_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Ok(p) = std::env::var("REALM_EMULATOR_BIN") {
            return PathBuf::from(p);
        }
        let profile_dir = std::env::current_exe()
            .unwrap()
            .parent()
            .and_then(|deps| deps.parent())
            .unwrap()
            .to_path_buf();
        let release = profile_dir.ends_with("release");
        let mut cmd = Command::new(env!("CARGO"));
        cmd.args(["build", "-q", "-p", "realm-emulator"]);
        if release {
            cmd.arg("--release");
        }
        assert!(
            cmd.status().unwrap().success(),
            "building the emulator failed"
        );
        profile_dir.join("realm-emulator")
    })
    .clone()
}

/// A running emulator; stopped (stdin closed, then killed) when dropped.
pub struct Emulator {
    child: Child,
    pub url: String,
    agent: ureq::Agent,
}

impl Emulator {
    pub fn start() -> Emulator {
        Emulator::start_with(&[])
    }

    /// Started with extra arguments after `--port 0`.
    pub fn start_with(args: &[&str]) -> Emulator {
        Emulator::spawn(args, ureq::tls::TlsConfig::default())
    }

    /// Serving HTTPS with `cert` and `key` (PEM files); `url` is then `https://127.0.0.1:PORT`.
    /// The control requests of this handle do not verify the certificate (it may be made for
    /// another name on purpose); the client under test does.
    pub fn start_https(cert: &std::path::Path, key: &std::path::Path) -> Emulator {
        let args = [
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ];
        let tls = ureq::tls::TlsConfig::builder()
            .disable_verification(true)
            .build();
        Emulator::spawn(&args, tls)
    }

    fn spawn(args: &[&str], tls: ureq::tls::TlsConfig) -> Emulator {
        let mut child = Command::new(emulator_bin())
            .args(["--port", "0"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the emulator starts");
        let stdout = child.stdout.take().unwrap();
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        // Keep draining stdout so that the emulator never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = String::new();
            while reader.read_line(&mut sink).is_ok_and(|n| n > 0) {
                sink.clear();
            }
        });
        let agent = ureq::Agent::config_builder()
            .tls_config(tls)
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        Emulator { child, url, agent }
    }

    fn control(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/_emulator{path}", self.url);
        let mut resp = match (method, body) {
            ("GET", _) => self.agent.get(&url).call(),
            ("DELETE", _) => self.agent.delete(&url).call(),
            (_, Some(b)) => self
                .agent
                .post(&url)
                .header("content-type", "application/json")
                .send(b.to_string()),
            (_, None) => self.agent.post(&url).send_empty(),
        }
        .expect("the control request is answered");
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        assert!(status < 300, "control {method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    pub fn requests(&self) -> Vec<Value> {
        self.control("GET", "/requests", None)["requests"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// How many requests the emulator saw for `METHOD path`.
    pub fn count(&self, method: &str, path: &str) -> u64 {
        self.control("GET", "/requests", None)["counts"][format!("{method} {path}")]
            .as_u64()
            .unwrap_or(0)
    }

    pub fn clear_requests(&self) {
        self.control("DELETE", "/requests", None);
    }

    pub fn settings(&self, settings: Value) {
        self.control("POST", "/settings", Some(settings));
    }

    pub fn clock(&self, offset_secs: i64) {
        self.control(
            "POST",
            "/clock",
            Some(json!({ "offset_secs": offset_secs })),
        );
    }

    pub fn revoke(&self, user_id: &str) {
        self.control("POST", &format!("/users/{user_id}/revoke"), None);
    }

    /// A fault for the next `count` requests of `method path`.
    pub fn fault(&self, method: &str, path: &str, count: u32, action: Value) {
        self.control(
            "POST",
            "/faults",
            Some(json!({ "method": method, "path": path, "count": count, "action": action })),
        );
    }

    pub fn options(&self) -> String {
        json!({ "base_url": self.url }).to_string()
    }

    pub fn options_with(&self, extra: Value) -> String {
        let mut o = json!({ "base_url": self.url });
        o.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        o.to_string()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub const LOCATION: &str = "/api/client/v2.0/app/demo-abcde/location";
pub const GRAPHQL: &str = "/api/client/v2.0/app/demo-abcde/graphql";
pub const SESSION: &str = "/api/client/v2.0/auth/session";
pub const PROFILE: &str = "/api/client/v2.0/auth/profile";

pub fn login_path(provider: &str) -> String {
    format!("/api/client/v2.0/app/{APP}/auth/providers/{provider}/login")
}

pub const MOVIES: &str = "{ movies { title year } }";

/// An HS256 JWT for the custom-token provider.
pub fn custom_jwt(sub: &str, secret: &str, exp_offset: i64) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD
        .encode(json!({"sub": sub, "aud": APP, "iat": now, "exp": now + exp_offset}).to_string());
    let signing_input = format!("{header}.{payload}");
    let sig = hmac_sha256(secret.as_bytes(), signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).expect("any key length");
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

/// A client of the demo app on `emu`, with `extra` options, logged in as the demo user.
pub fn logged_in(emu: &Emulator, extra: Value) -> realm_client::Client {
    let options = realm_client::ClientOptions::from_json(Some(&emu.options_with(extra))).unwrap();
    let c = realm_client::Client::new(APP, options).unwrap();
    c.login(realm_client::Credentials::email_password(EMAIL, PASSWORD).unwrap())
        .unwrap();
    c
}

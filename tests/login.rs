//! Login against the emulator: every provider, byte-exact bodies, errors, app id checks.

mod support;

use realm_client::{Client, ClientOptions, Credentials, ErrorKind, Secret};
use serde_json::{json, Value};
use support::*;

fn client(emu: &Emulator) -> Client {
    Client::new(APP, ClientOptions::from_json(Some(&emu.options())).unwrap()).unwrap()
}

fn last_body(emu: &Emulator, path: &str) -> String {
    emu.requests()
        .into_iter()
        .rev()
        .find(|r| r["path"] == path)
        .map(|r| r["body"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("no request to {path}"))
}

fn device() -> String {
    format!(
        r#"{{"appId":"demo-abcde","platform":"{}","cpuArch":"{}","sdk":"realm-client","sdkVersion":"{}"}}"#,
        std::env::consts::OS,
        std::env::consts::ARCH,
        realm_client::VERSION
    )
}

#[test]
fn login_bodies_are_byte_exact_for_each_provider() {
    let emu = Emulator::start();
    let jwt = custom_jwt("jwt-user-1", JWT_SECRET, 600);
    let cases: Vec<(Credentials, &str, String)> = vec![
        (
            Credentials::email_password(EMAIL, PASSWORD).unwrap(),
            "local-userpass",
            format!(
                r#"{{"provider":"local-userpass","username":"demo@example.com","password":"demo-password","options":{{"device":{}}}}}"#,
                device()
            ),
        ),
        (
            Credentials::ApiKey(Secret::new(USER_API_KEY)),
            "api-key",
            format!(
                r#"{{"provider":"api-key","key":"{USER_API_KEY}","options":{{"device":{}}}}}"#,
                device()
            ),
        ),
        (
            Credentials::ApiKey(Secret::new(SERVER_API_KEY)),
            "api-key",
            format!(
                r#"{{"provider":"api-key","key":"{SERVER_API_KEY}","options":{{"device":{}}}}}"#,
                device()
            ),
        ),
        (
            Credentials::CustomJwt(Secret::new(jwt.clone())),
            "custom-token",
            format!(
                r#"{{"provider":"custom-token","token":"{jwt}","options":{{"device":{}}}}}"#,
                device()
            ),
        ),
        (
            Credentials::custom_function(r#"{"username":"alice"}"#).unwrap(),
            "custom-function",
            format!(
                r#"{{"username":"alice","options":{{"device":{}}}}}"#,
                device()
            ),
        ),
        (
            Credentials::Anonymous,
            "anon-user",
            format!(
                r#"{{"provider":"anon-user","options":{{"device":{}}}}}"#,
                device()
            ),
        ),
        (
            Credentials::GoogleIdToken(Secret::new("demo-google-token")),
            "oauth2-google",
            format!(
                r#"{{"provider":"oauth2-google","id_token":"demo-google-token","options":{{"device":{}}}}}"#,
                device()
            ),
        ),
        (
            Credentials::AppleIdToken(Secret::new("demo-apple-token")),
            "oauth2-apple",
            format!(
                r#"{{"provider":"oauth2-apple","id_token":"demo-apple-token","options":{{"device":{}}}}}"#,
                device()
            ),
        ),
        (
            Credentials::FacebookAccessToken(Secret::new("demo-facebook-token")),
            "oauth2-facebook",
            format!(
                r#"{{"provider":"oauth2-facebook","accessToken":"demo-facebook-token","options":{{"device":{}}}}}"#,
                device()
            ),
        ),
    ];
    for (credentials, provider, expected) in cases {
        // A fresh client each time: no device id carried over between cases.
        let c = client(&emu);
        c.login(credentials)
            .unwrap_or_else(|e| panic!("{provider}: {e}"));
        assert!(c.is_logged_in());
        assert_eq!(
            last_body(&emu, &login_path(provider)),
            expected,
            "{provider}"
        );
        let user: Value = serde_json::from_str(&c.user_json().unwrap()).unwrap();
        assert_eq!(user["provider"], provider);
        assert_eq!(user["id"].as_str().unwrap(), c.user_id().unwrap());
    }
    // Both kinds of API key go to the one api-key provider, and no other.
    assert_eq!(emu.count("POST", &login_path("api-key")), 2);
    assert_eq!(emu.count("POST", &login_path("server-api-key")), 0);
    assert_eq!(emu.count("POST", &login_path("user-api-key")), 0);
}

#[test]
fn the_device_id_goes_back_on_later_logins() {
    let emu = Emulator::start();
    let c = client(&emu);
    c.login(Credentials::email_password(EMAIL, PASSWORD).unwrap())
        .unwrap();
    let user: Value = serde_json::from_str(&c.user_json().unwrap()).unwrap();
    let device_id = user["device_id"].as_str().unwrap().to_string();
    c.login(Credentials::email_password(EMAIL, PASSWORD).unwrap())
        .unwrap();
    let body: Value =
        serde_json::from_str(&last_body(&emu, &login_path("local-userpass"))).unwrap();
    assert_eq!(
        body["options"]["device"]["deviceId"],
        json!({ "$oid": device_id })
    );
}

#[test]
fn non_ascii_credentials_reach_the_server_byte_for_byte() {
    let emu = Emulator::start();
    let c = client(&emu);
    let (email, password) = ("zoë@exämple.com", "pässwörd-ü-日本");
    c.login(Credentials::email_password(email, password).unwrap())
        .unwrap();
    let body = last_body(&emu, &login_path("local-userpass"));
    assert!(
        body.contains(r#""username":"zoë@exämple.com","password":"pässwörd-ü-日本""#),
        "{body}"
    );
}

#[test]
fn invalid_password_keeps_server_detail_and_never_shows_the_password() {
    let emu = Emulator::start();
    let c = client(&emu);
    let password = "wrong-password-s3cr3t";
    let err = c
        .login(Credentials::email_password(EMAIL, password).unwrap())
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidCredentials);
    assert_eq!(err.http_status, 401);
    assert_eq!(err.server_code.as_deref(), Some("InvalidPassword"));
    assert!(
        err.link.as_deref().is_some_and(|l| l.starts_with("http")),
        "{err:?}"
    );
    assert!(err.server_message.is_some());
    for text in [err.message.clone(), format!("{err:?}"), format!("{err}")] {
        assert!(!text.contains(password), "{text}");
    }
    assert!(!c.is_logged_in());
    // Other refused secrets.
    for creds in [
        Credentials::ApiKey(Secret::new("not-a-real-api-key-123")),
        Credentials::CustomJwt(Secret::new(custom_jwt("u", "wrong-secret-abc", 600))),
    ] {
        let secrets: Vec<String> = creds.secrets().iter().map(|s| s.to_string()).collect();
        let err = c.login(creds).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidCredentials, "{err:?}");
        for s in secrets {
            assert!(!err.message.contains(&s));
        }
    }
}

#[test]
fn unknown_app_and_provider_are_not_found() {
    let emu = Emulator::start();
    let c = Client::new(
        "nosuch-app",
        ClientOptions::from_json(Some(&emu.options())).unwrap(),
    )
    .unwrap();
    let err = c.login(Credentials::Anonymous).unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err:?}");
    assert_eq!(err.http_status, 404);
    let c = client(&emu);
    let err = c
        .login(Credentials::from_json("no-such-provider", "{}").unwrap())
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err:?}");
}

#[test]
fn bad_app_ids_are_rejected_before_any_request() {
    let emu = Emulator::start();
    for bad in ["../admin", "a/b", "x?y#z", "", "demo abcde", "demo%2f"] {
        let err =
            Client::new(bad, ClientOptions::from_json(Some(&emu.options())).unwrap()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgument, "{bad}");
    }
    assert!(emu.requests().is_empty());
}

#[test]
fn location_is_resolved_once_and_its_hostname_used() {
    let emu = Emulator::start();
    let other = Emulator::start();
    // The location of `emu` points at `other`: every later request must go there.
    emu.settings(json!({ "location_hostname": other.url }));
    let c = client(&emu);
    // Both serve the demo config, so the login succeeds at `other`.
    c.login(Credentials::email_password(EMAIL, PASSWORD).unwrap())
        .unwrap();
    assert_eq!(emu.count("GET", LOCATION), 1);
    assert_eq!(other.count("POST", &login_path("local-userpass")), 1);
    assert_eq!(emu.count("POST", &login_path("local-userpass")), 0);
}

#[test]
fn anonymous_login_reuses_the_logged_in_anonymous_user() {
    let emu = Emulator::start();
    let c = client(&emu);
    c.login(Credentials::Anonymous).unwrap();
    let first = c.user_id().unwrap();
    c.login(Credentials::Anonymous).unwrap();
    assert_eq!(c.user_id().unwrap(), first);
    assert_eq!(emu.count("POST", &login_path("anon-user")), 1);
    c.logout().unwrap();
    c.login(Credentials::Anonymous).unwrap();
    assert_ne!(c.user_id().unwrap(), first);
}

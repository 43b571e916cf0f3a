//! The Admin API's verify_token against the emulator: the four outcomes and admin token renewal.

mod support;

use realm_client::{Admin, AdminOptions, Client, ClientOptions, Credentials, ErrorKind};
use serde_json::{json, Value};
use std::sync::Arc;
use support::*;

const LOGIN: &str = "/api/admin/v3.0/auth/providers/mongodb-cloud/login";
const ADMIN_SESSION: &str = "/api/admin/v3.0/auth/session";

fn verify_path() -> String {
    format!("/api/admin/v3.0/groups/{GROUP_ID}/apps/{ADMIN_APP_ID}/users/verify_token")
}

fn admin(emu: &Emulator, private: &str) -> Admin {
    let options = json!({
        "base_url": emu.url, "public_api_key": ADMIN_PUBLIC, "private_api_key": private,
        "group_id": GROUP_ID, "app_id": ADMIN_APP_ID,
    });
    Admin::new(AdminOptions::from_json(&options.to_string()).unwrap()).unwrap()
}

fn user_token(emu: &Emulator) -> String {
    let c = Client::new(APP, ClientOptions::from_json(Some(&emu.options())).unwrap()).unwrap();
    c.login(Credentials::email_password(EMAIL, PASSWORD).unwrap())
        .unwrap();
    c.access_token().unwrap().expose().to_string()
}

#[test]
fn a_valid_token_gives_its_claims() {
    let emu = Emulator::start();
    let token = user_token(&emu);
    let a = admin(&emu, ADMIN_PRIVATE);
    let claims: Value = serde_json::from_str(&a.verify_token(&token).unwrap()).unwrap();
    let payload = realm_client::token::decode_claims(&token).unwrap();
    assert_eq!(claims["sub"], payload["sub"]);
    assert_eq!(claims["exp"], payload["exp"]);
    assert_eq!(claims["iat"], payload["iat"]);
    assert_eq!(claims["custom_user_data"]["favoriteColor"], "blue");
    assert_eq!(emu.count("POST", LOGIN), 1);
    a.verify_token(&token).unwrap();
    assert_eq!(emu.count("POST", LOGIN), 1, "the admin session is kept");
}

#[test]
fn expired_malformed_and_forged_tokens() {
    let emu = Emulator::start();
    emu.settings(json!({ "access_token_ttl_secs": 1 }));
    let token = user_token(&emu);
    emu.settings(json!({ "access_token_ttl_secs": 1800 }));
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let a = admin(&emu, ADMIN_PRIVATE);
    let err = a.verify_token(&token).unwrap_err();
    assert_eq!(err.kind, ErrorKind::TokenExpired, "{err:?}");
    assert!(!err.message.contains(&token));
    let err = a.verify_token("not-a-jwt").unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidToken, "{err:?}");
    assert_eq!(err.http_status, 400);
    assert!(err.server_message.is_some());
    let mut forged = token.clone();
    forged.push_str("xx");
    assert_eq!(
        a.verify_token(&forged).unwrap_err().kind,
        ErrorKind::InvalidToken
    );
    assert_eq!(
        a.verify_token("").unwrap_err().kind,
        ErrorKind::InvalidArgument
    );
}

#[test]
fn rejected_admin_keys_are_invalid_credentials_and_stay_secret() {
    let emu = Emulator::start();
    let token = user_token(&emu);
    let wrong = "wrong-private-key-987654";
    let err = admin(&emu, wrong).verify_token(&token).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidCredentials, "{err:?}");
    assert_eq!(err.http_status, 401);
    assert!(!err.message.contains(wrong) && !format!("{err:?}").contains(wrong));
    assert_eq!(emu.count("POST", &verify_path()), 0);
}

#[test]
fn an_expired_admin_token_is_refreshed_and_the_call_resent_once() {
    let emu = Emulator::start();
    let token = user_token(&emu);
    emu.settings(json!({ "admin_access_token_ttl_secs": 2 }));
    let a = admin(&emu, ADMIN_PRIVATE);
    a.verify_token(&token).unwrap();
    // Revoked server-side in effect: answer 401 once, as for an expired admin token.
    emu.fault(
        "POST",
        &verify_path(),
        1,
        json!({"kind": "respond", "status": 401, "content_type": "application/json",
               "body": r#"{"error":"invalid session","error_code":"InvalidSession"}"#}),
    );
    a.verify_token(&token).unwrap();
    assert_eq!(emu.count("POST", ADMIN_SESSION), 1);
    assert_eq!(emu.count("POST", &verify_path()), 3);
    // Past the admin token's lifetime: refreshed before the call.
    std::thread::sleep(std::time::Duration::from_millis(2200));
    a.verify_token(&token).unwrap();
    assert_eq!(emu.count("POST", ADMIN_SESSION), 2);
    assert_eq!(emu.count("POST", LOGIN), 1);
}

#[test]
fn eight_threads_verify_with_a_single_admin_login() {
    let emu = Emulator::start();
    let token = Arc::new(user_token(&emu));
    let a = Arc::new(admin(&emu, ADMIN_PRIVATE));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (a, token) = (a.clone(), token.clone());
            std::thread::spawn(move || {
                for _ in 0..10 {
                    a.verify_token(&token).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(emu.count("POST", LOGIN), 1);
    assert_eq!(emu.count("POST", &verify_path()), 80);
}

#[test]
fn admin_options_are_checked() {
    for bad in [
        json!({}),
        json!({"public_api_key": "p", "private_api_key": "k", "group_id": "g"}),
        json!({"public_api_key": "p", "private_api_key": "k", "group_id": "g/..", "app_id": "a"}),
        json!({"public_api_key": "p", "private_api_key": "k", "group_id": "g", "app_id": "a", "x": 1}),
        json!({"public_api_key": "p", "private_api_key": "k", "group_id": "g", "app_id": "a",
               "base_url": "http://example.com"}),
    ] {
        let err = AdminOptions::from_json(&bad.to_string()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgument, "{bad}");
        assert!(!err.message.contains("\"k\""));
    }
}

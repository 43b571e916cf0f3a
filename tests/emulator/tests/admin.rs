//! The Admin API subset: login, admin sessions, verify_token's four outcomes.

mod common;

use common::*;
use realm_emulator::{jwt, Emulator, SettingsPatch};
use serde_json::{json, Value};

const ADMIN: &str = "/api/admin/v3.0";
const VERIFY: &str =
    "/api/admin/v3.0/groups/5f0000000000000000000001/apps/5f00000000000000000000a1/users/verify_token";

fn admin_login(emu: &Emulator) -> Value {
    let r = post_json(
        emu,
        &format!("{ADMIN}/auth/providers/mongodb-cloud/login"),
        &json!({"username": "demo-admin-public", "apiKey": "demo-admin-private-0123456789"}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

fn verify(emu: &Emulator, admin_token: &str, client_token: &str) -> Resp {
    with_bearer(
        emu,
        "POST",
        VERIFY,
        admin_token,
        &json!({ "token": client_token }).to_string(),
    )
}

#[test]
fn login_and_bad_keys() {
    let emu = demo();
    let v = admin_login(&emu);
    for k in ["access_token", "refresh_token", "user_id", "device_id"] {
        assert!(v[k].is_string(), "{k}");
    }
    let r = post_json(
        &emu,
        &format!("{ADMIN}/auth/providers/mongodb-cloud/login"),
        &json!({"username": "demo-admin-public", "apiKey": "wrong"}),
    );
    assert_eq!(r.status, 401);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.json()["error_code"], "InvalidPassword");
}

#[test]
fn admin_session_refresh_and_logout() {
    let emu = demo();
    let v = admin_login(&emu);
    let rt = v["refresh_token"].as_str().unwrap();
    let at = v["access_token"].as_str().unwrap();
    let path = format!("{ADMIN}/auth/session");
    let r = with_bearer(&emu, "POST", &path, rt, "");
    assert_eq!(r.status, 201);
    let fresh = r.json()["access_token"].as_str().unwrap().to_string();
    let client = login_demo(&emu);
    assert_eq!(
        verify(&emu, &fresh, client["access_token"].as_str().unwrap()).status,
        200
    );
    let r = with_bearer(&emu, "POST", &path, at, "");
    assert_error(
        &r,
        401,
        "InvalidSession",
        "invalid refresh token: incorrect token type",
    );
    let r = with_bearer(&emu, "DELETE", &path, rt, "");
    assert_eq!(r.status, 204);
    assert_eq!(r.header("content-type"), None);
    let r = with_bearer(&emu, "POST", &path, rt, "");
    assert_error(
        &r,
        401,
        "InvalidSession",
        "invalid session: failed to find refresh token",
    );
    // Client refresh tokens are not admin refresh tokens.
    let r = with_bearer(
        &emu,
        "POST",
        &path,
        client["refresh_token"].as_str().unwrap(),
        "",
    );
    assert_eq!(r.status, 401);
}

#[test]
fn verify_token_outcomes() {
    let emu = demo();
    let admin = admin_login(&emu)["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let client = login_demo(&emu);
    let ct = client["access_token"].as_str().unwrap();

    // 1. Valid: the claims.
    let r = verify(&emu, &admin, ct);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v = r.json();
    let c = claims(ct);
    assert_eq!(
        v,
        json!({"sub": DEMO_USER, "exp": c["exp"], "iat": c["iat"], "iss": c["iss"],
               "domain_id": "5f00000000000000000000d1", "device_id": client["device_id"],
               "custom_user_data": {"favoriteColor": "blue", "nickname": "Démo 😀"}})
    );
    // No custom data: no custom_user_data.
    let anon = login(&emu, "anon-user", json!({}));
    let v = verify(&emu, &admin, anon["access_token"].as_str().unwrap()).json();
    assert!(v.get("custom_user_data").is_none());

    // 3. Malformed or forged: 400 {"error"} only.
    let r = verify(&emu, &admin, "abc.def");
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        json!({"error": "token contains an invalid number of segments"})
    );
    let forged = jwt::sign(&c, b"wrong-key");
    let r = verify(&emu, &admin, &forged);
    assert_eq!(r.status, 400);
    assert_eq!(r.json(), json!({"error": "signature is invalid"}));

    // 2. Expired client token (admin tokens get a longer life here so only the client one expires).
    emu.set_settings(SettingsPatch {
        admin_access_token_ttl_secs: Some(100_000),
        ..Default::default()
    });
    let admin = admin_login(&emu)["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    emu.set_clock_offset(1900);
    let r = verify(&emu, &admin, ct);
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "\"token expired\"");
    assert_eq!(r.json(), json!("token expired"));

    // 4. Expired admin token.
    emu.set_clock_offset(200_000);
    let r = verify(&emu, &admin, ct);
    assert_eq!(r.status, 401);
    assert_eq!(
        r.json(),
        json!({"error": "invalid session", "error_code": "InvalidSession"})
    );
    // Missing admin token: the same.
    let r = post_json(&emu, VERIFY, &json!({"token": ct}));
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"], "invalid session");
}

#[test]
fn admin_ttl_is_separate() {
    let emu = demo();
    emu.set_settings(SettingsPatch {
        admin_access_token_ttl_secs: Some(7),
        ..Default::default()
    });
    let at = admin_login(&emu)["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let c = claims(&at);
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 7);
    let client = login_demo(&emu);
    let cc = claims(client["access_token"].as_str().unwrap());
    assert_eq!(
        cc["exp"].as_i64().unwrap() - cc["iat"].as_i64().unwrap(),
        1800
    );
}

#[test]
fn wrong_group_or_app_is_404() {
    let emu = demo();
    let admin = admin_login(&emu)["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let body = json!({"token": "x"}).to_string();
    for path in [
        "/api/admin/v3.0/groups/5f0000000000000000000009/apps/5f00000000000000000000a1/users/verify_token",
        "/api/admin/v3.0/groups/5f0000000000000000000001/apps/5f00000000000000000000a9/users/verify_token",
    ] {
        let r = with_bearer(&emu, "POST", path, &admin, &body);
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(r.header("content-type"), Some("application/json"));
    }
}

#[test]
fn profile_and_apps_lookup() {
    let emu = demo();
    let admin = admin_login(&emu)["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let p = with_bearer(&emu, "GET", &format!("{ADMIN}/auth/profile"), &admin, "").json();
    assert_eq!(p["roles"][0]["group_id"], "5f0000000000000000000001");
    let apps = with_bearer(
        &emu,
        "GET",
        &format!("{ADMIN}/groups/5f0000000000000000000001/apps"),
        &admin,
        "",
    )
    .json();
    assert_eq!(apps[0]["_id"], "5f00000000000000000000a1");
    assert_eq!(apps[0]["client_app_id"], "demo-abcde");
}

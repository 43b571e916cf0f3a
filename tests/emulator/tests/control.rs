//! The control surface over HTTP: request log, counts, reset, settings, clock, revoke.

mod common;

use common::*;
use serde_json::json;

#[test]
fn request_log_records_everything_but_control() {
    let emu = demo();
    let r = call(
        &emu,
        "POST",
        &format!("{}?link=false", login_path("anon-user")),
        &[("content-type", "application/json"), ("x-custom", "Ünï")],
        r#"{"options":{"device":{}}}"#,
    );
    assert_eq!(r.status, 200);
    get(&emu, LOCATION);
    get(&emu, LOCATION);
    get(&emu, "/_emulator/requests");
    let v = get(&emu, "/_emulator/requests").json();
    let reqs = v["requests"].as_array().unwrap();
    assert_eq!(reqs.len(), 3);
    let first = &reqs[0];
    assert_eq!(first["method"], "POST");
    assert_eq!(first["path"], login_path("anon-user"));
    assert_eq!(first["query"], "link=false");
    assert_eq!(first["body"], r#"{"options":{"device":{}}}"#);
    assert_eq!(first["status"], 200);
    assert_eq!(first["headers"]["content-type"], "application/json");
    assert_eq!(first["headers"]["x-custom"], "Ünï");
    assert_eq!(reqs[1]["query"], "");
    assert_eq!(
        v["counts"],
        json!({format!("POST {}", login_path("anon-user")): 1, format!("GET {LOCATION}"): 2})
    );
    assert_eq!(emu.count("GET", LOCATION), 2);
    assert_eq!(emu.requests().len(), 3);
    assert_eq!(
        call(&emu, "DELETE", "/_emulator/requests", &[], "").status,
        200
    );
    let v = get(&emu, "/_emulator/requests").json();
    assert_eq!(v, json!({"requests": [], "counts": {}}));
    // Errors are logged with their status.
    get(&emu, "/api/client/v2.0/app/zzz/location");
    assert_eq!(emu.requests()[0].status, 404);
}

#[test]
fn settings_and_clock_over_http() {
    let emu = demo();
    let r = post_json(
        &emu,
        "/_emulator/settings",
        &json!({"access_token_ttl_secs": 3, "location_hostname": "http://127.0.0.1:1"}),
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!({"access_token_ttl_secs": 3, "refresh_token_ttl_secs": 5184000,
               "admin_access_token_ttl_secs": 1800, "location_hostname": "http://127.0.0.1:1"})
    );
    assert_eq!(get(&emu, LOCATION).json()["hostname"], "http://127.0.0.1:1");
    let r = post_json(
        &emu,
        "/_emulator/settings",
        &json!({"location_hostname": null}),
    );
    assert!(r.json()["location_hostname"].is_null());
    assert_eq!(get(&emu, LOCATION).json()["hostname"], emu.url());
    assert_eq!(
        post_json(&emu, "/_emulator/settings", &json!({"bogus": 1})).status,
        400
    );

    let before = emu.now();
    let r = post_json(&emu, "/_emulator/clock", &json!({"offset_secs": 1000}));
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["offset_secs"], 1000);
    assert!(r.json()["now"].as_i64().unwrap() >= before + 1000);
    let v = login_demo(&emu);
    let iat = claims(v["access_token"].as_str().unwrap())["iat"]
        .as_i64()
        .unwrap();
    assert!(iat >= before + 1000);
    assert_eq!(post_json(&emu, "/_emulator/clock", &json!({})).status, 400);
}

#[test]
fn revoke_over_http() {
    let emu = demo();
    let v = login_demo(&emu);
    let r = call(
        &emu,
        "POST",
        &format!("/_emulator/users/{DEMO_USER}/revoke"),
        &[],
        "",
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({"revoked_sessions": 1}));
    let r = with_bearer(
        &emu,
        "POST",
        SESSION,
        v["refresh_token"].as_str().unwrap(),
        "",
    );
    assert_error(
        &r,
        401,
        "InvalidSession",
        "invalid session: failed to find refresh token",
    );
    let r = call(&emu, "POST", "/_emulator/users/nope/revoke", &[], "");
    assert_eq!(r.status, 404);
}

#[test]
fn custom_data_over_http() {
    let emu = demo();
    let v = login(&emu, "custom-function", json!({"username": "carol"}));
    let uid = v["user_id"].as_str().unwrap();
    let r = post_json(
        &emu,
        &format!("/_emulator/users/{uid}/custom_data"),
        &json!({"plan": "gold"}),
    );
    assert_eq!(r.status, 200);
    let r = with_bearer(
        &emu,
        "POST",
        SESSION,
        v["refresh_token"].as_str().unwrap(),
        "",
    );
    let at = claims(r.json()["access_token"].as_str().unwrap());
    assert_eq!(at["user_data"], json!({"plan": "gold"}));
}

#[test]
fn reset_restores_config() {
    let emu = demo();
    let v = login_demo(&emu);
    let anon = login(&emu, "anon-user", json!({}));
    post_json(
        &emu,
        "/_emulator/settings",
        &json!({"access_token_ttl_secs": 3}),
    );
    post_json(&emu, "/_emulator/clock", &json!({"offset_secs": 50}));
    post_json(
        &emu,
        "/_emulator/faults",
        &json!({"path": "/x", "action": {"kind": "drop"}}),
    );
    assert_eq!(call(&emu, "POST", "/_emulator/reset", &[], "").status, 200);
    assert!(emu.requests().is_empty());
    assert!(emu.faults().is_empty());
    assert_eq!(emu.settings().access_token_ttl_secs, 1800);
    let r = with_bearer(
        &emu,
        "POST",
        SESSION,
        v["refresh_token"].as_str().unwrap(),
        "",
    );
    assert_eq!(r.status, 401, "sessions are gone");
    let r = with_bearer(
        &emu,
        "GET",
        PROFILE,
        anon["access_token"].as_str().unwrap(),
        "",
    );
    assert_eq!(r.status, 401, "added users are gone");
    let r = with_bearer(
        &emu,
        "GET",
        PROFILE,
        v["access_token"].as_str().unwrap(),
        "",
    );
    assert_eq!(r.status, 200, "configured users remain");
    assert_eq!(get(&emu, "/_emulator/health").status, 200);
    assert_eq!(get(&emu, "/_emulator/nothing").status, 404);
}

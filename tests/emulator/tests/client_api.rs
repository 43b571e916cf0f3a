//! The client API routes: location, login per provider, refresh, logout, profile, linking.

mod common;

use common::*;
use realm_emulator::{jwt, Config, Emulator, SettingsPatch};
use serde_json::{json, Value};

#[test]
fn location_uses_own_origin_then_setting() {
    let emu = demo();
    let r = get(&emu, LOCATION);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let url = emu.url();
    assert_eq!(
        r.json(),
        json!({"deployment_model": "GLOBAL", "location": "US-VA", "hostname": url,
               "ws_hostname": url.replace("http://", "ws://")})
    );
    emu.set_settings(SettingsPatch {
        location_hostname: Some(Some("https://elsewhere.example".into())),
        ..Default::default()
    });
    let v = get(&emu, LOCATION).json();
    assert_eq!(v["hostname"], "https://elsewhere.example");
    assert_eq!(v["ws_hostname"], "wss://elsewhere.example");
    // A trailing slash is tolerated.
    assert_eq!(get(&emu, &format!("{LOCATION}/")).status, 200);
}

#[test]
fn unknown_app_and_route() {
    let emu = demo();
    let r = get(&emu, "/api/client/v2.0/app/nope-xyz/location");
    assert_error(
        &r,
        404,
        "AppNotFound",
        "cannot find app using Client App ID 'nope-xyz'",
    );
    let r = post_json(
        &emu,
        "/api/client/v2.0/app/nope-xyz/auth/providers/anon-user/login",
        &json!({}),
    );
    assert_eq!(r.status, 404);
    let r = get(&emu, "/api/client/v2.0/nothing");
    assert_error(
        &r,
        404,
        "NotFound",
        "no route for GET /api/client/v2.0/nothing",
    );
    let r = call(&emu, "PUT", LOCATION, &[], "");
    assert_eq!(r.status, 405);
}

#[test]
fn login_local_userpass_with_and_without_provider_field() {
    let emu = demo();
    let a = login_demo(&emu);
    let b = login(
        &emu,
        "local-userpass",
        json!({"provider": "local-userpass", "username": "demo@example.com",
               "password": "demo-password",
               "options": {"device": {"appId": "demo-abcde", "platform": "Linux", "sdk": "x",
                                      "platformVersion": "1", "sdkVersion": "2", "cpuArch": ""}}}),
    );
    assert_eq!(a["user_id"], DEMO_USER);
    assert_eq!(b["user_id"], DEMO_USER);
    for v in [&a, &b] {
        // Sorted: serde_json's key order depends on features other workspace members enable.
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["access_token", "device_id", "refresh_token", "user_id"]
        );
        assert!(realm_emulator::ids::is_object_id(
            v["device_id"].as_str().unwrap()
        ));
    }
    // A fresh device id per login without deviceId.
    assert_ne!(a["device_id"], b["device_id"]);
    // Non-ASCII credentials.
    let z = login(
        &emu,
        "local-userpass",
        json!({"username": "zoë@exämple.com", "password": "pässwörd-ü-日本"}),
    );
    assert_eq!(z["user_id"], "5f00000000000000000000b2");
}

#[test]
fn bad_passwords_and_bodies() {
    let emu = demo();
    let path = login_path("local-userpass");
    let r = post_json(
        &emu,
        &path,
        &json!({"username": "demo@example.com", "password": "wrong"}),
    );
    assert_error(&r, 401, "InvalidPassword", "invalid username/password");
    let r = post_json(
        &emu,
        &path,
        &json!({"username": "nobody@example.com", "password": "demo-password"}),
    );
    assert_error(&r, 401, "InvalidPassword", "invalid username/password");
    let r = post_json(&emu, &path, &json!({"username": "demo@example.com"}));
    assert_error(&r, 400, "MissingParameter", "missing parameter: password");
    let r = post_json(&emu, &path, &json!({"username": 5, "password": "x"}));
    assert_error(
        &r,
        400,
        "InvalidParameter",
        "parameter username must be a string",
    );
    let r = call(&emu, "POST", &path, &[], "{not json");
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error_code"], "BadRequest");
    let r = call(&emu, "POST", &path, &[], "[1]");
    assert_error(&r, 400, "BadRequest", "request body must be a JSON object");
    let r = post_json(&emu, &login_path("oauth2-github"), &json!({}));
    assert_error(
        &r,
        404,
        "AuthProviderNotFound",
        "authentication via 'oauth2-github' is unsupported",
    );
}

#[test]
fn device_id_reused_from_plain_or_ejson() {
    let emu = demo();
    let id = "5f0000000000000000000abc";
    for device_id in [json!(id), json!({"$oid": id})] {
        let v = login(
            &emu,
            "anon-user",
            json!({"options": {"device": {"deviceId": device_id, "unknownField": [1]}}}),
        );
        assert_eq!(v["device_id"], id);
        assert_eq!(
            claims(v["access_token"].as_str().unwrap())["baas_device_id"],
            id
        );
    }
    let v = login(
        &emu,
        "anon-user",
        json!({"options": {"device": {"deviceId": "000000000000000000000000"}}}),
    );
    assert_ne!(v["device_id"], "000000000000000000000000");
}

#[test]
fn anonymous_logins_make_new_users_and_accept_no_body() {
    let emu = demo();
    let a = login(&emu, "anon-user", json!({}));
    let b = login(&emu, "anon-user", json!({"provider": "anon-user"}));
    assert_ne!(a["user_id"], b["user_id"]);
    let r = call(&emu, "POST", &login_path("anon-user"), &[], "");
    assert_eq!(r.status, 200, "{}", r.text());
    let p = with_bearer(
        &emu,
        "GET",
        PROFILE,
        a["access_token"].as_str().unwrap(),
        "",
    );
    let p = p.json();
    assert_eq!(p["type"], "normal");
    assert_eq!(p["identities"][0]["provider_type"], "anon-user");
    assert_eq!(p["data"], json!({}));
}

#[test]
fn api_keys_user_and_server() {
    let emu = demo();
    let user = login(
        &emu,
        "api-key",
        json!({"key": "demo-user-api-key-0123456789"}),
    );
    assert_eq!(user["user_id"], DEMO_USER);
    let server = login(
        &emu,
        "api-key",
        json!({"provider": "api-key", "key": "demo-server-api-key-9876543210"}),
    );
    let p = with_bearer(
        &emu,
        "GET",
        PROFILE,
        server["access_token"].as_str().unwrap(),
        "",
    )
    .json();
    assert_eq!(p["type"], "server");
    assert_eq!(p["identities"][0]["provider_type"], "api-key");
    let rc = claims(server["refresh_token"].as_str().unwrap());
    assert_eq!(rc["baas_identity"]["provider_type"], "api-key");
    let r = post_json(&emu, &login_path("api-key"), &json!({"key": "wrong"}));
    assert_error(&r, 401, "InvalidPassword", "invalid API key");
}

fn custom_jwt(claims: Value, secret: &str) -> String {
    jwt::sign(&claims, secret.as_bytes())
}

#[test]
fn custom_token_checks_signature_audience_expiry() {
    let emu = demo();
    let now = emu.now();
    let good = custom_jwt(
        json!({"sub": "alice", "aud": "demo-abcde", "exp": now + 600}),
        "demo-custom-jwt-secret",
    );
    let a = login(&emu, "custom-token", json!({"token": good}));
    let b = login(&emu, "custom-token", json!({"token": good}));
    assert_eq!(a["user_id"], b["user_id"], "same identity, same user");
    let arr_aud = custom_jwt(
        json!({"sub": "alice", "aud": ["x", "demo-abcde"]}),
        "demo-custom-jwt-secret",
    );
    assert_eq!(
        login(&emu, "custom-token", json!({"token": arr_aud}))["user_id"],
        a["user_id"]
    );
    let path = login_path("custom-token");
    let cases = [
        (
            "not-a-jwt".to_string(),
            "token contains an invalid number of segments",
        ),
        (
            custom_jwt(json!({"sub": "alice", "aud": "demo-abcde"}), "other-secret"),
            "signature is invalid",
        ),
        (
            custom_jwt(
                json!({"sub": "alice", "aud": "demo-abcde", "exp": now - 10}),
                "demo-custom-jwt-secret",
            ),
            "token is expired",
        ),
        (
            custom_jwt(
                json!({"sub": "alice", "aud": "other"}),
                "demo-custom-jwt-secret",
            ),
            "token audience is invalid: expected 'demo-abcde'",
        ),
        (
            custom_jwt(json!({"aud": "demo-abcde"}), "demo-custom-jwt-secret"),
            "token is missing the user id claim 'sub'",
        ),
    ];
    for (token, msg) in cases {
        let r = post_json(&emu, &path, &json!({"token": token}));
        assert_error(&r, 401, "InvalidPassword", msg);
    }
}

#[test]
fn custom_function_maps_payload_field_with_ejson() {
    let emu = demo();
    let a = login(&emu, "custom-function", json!({"username": "alice"}));
    let b = login(
        &emu,
        "custom-function",
        json!({"username": "alice", "age": {"$numberInt": "30"},
               "options": {"device": {"sdkVersion": "2.0.1"}}}),
    );
    assert_eq!(a["user_id"], b["user_id"]);
    let n1 = login(
        &emu,
        "custom-function",
        json!({"username": {"$numberInt": "1"}}),
    );
    let n2 = login(&emu, "custom-function", json!({"username": 1}));
    assert_eq!(n1["user_id"], n2["user_id"]);
    assert_ne!(n1["user_id"], a["user_id"]);
    let r = post_json(&emu, &login_path("custom-function"), &json!({"name": "x"}));
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error_code"], "InvalidPassword");
}

#[test]
fn oauth2_providers() {
    let emu = demo();
    let g1 = login(
        &emu,
        "oauth2-google",
        json!({"id_token": "demo-google-token"}),
    );
    let g2 = login(
        &emu,
        "oauth2-google",
        json!({"authCode": "demo-google-token"}),
    );
    assert_eq!(g1["user_id"], g2["user_id"]);
    let p = with_bearer(
        &emu,
        "GET",
        PROFILE,
        g1["access_token"].as_str().unwrap(),
        "",
    )
    .json();
    assert_eq!(p["data"]["email"], "google.demo@example.com");
    assert_eq!(p["identities"][0]["provider_type"], "oauth2-google");
    login(
        &emu,
        "oauth2-apple",
        json!({"id_token": "demo-apple-token"}),
    );
    login(
        &emu,
        "oauth2-facebook",
        json!({"provider": "oauth2-facebook", "accessToken": "demo-facebook-token"}),
    );
    let r = post_json(
        &emu,
        &login_path("oauth2-apple"),
        &json!({"id_token": "bad"}),
    );
    assert_error(
        &r,
        401,
        "InvalidPassword",
        "invalid oauth2-apple credentials",
    );
    let r = post_json(&emu, &login_path("oauth2-facebook"), &json!({}));
    assert_error(
        &r,
        400,
        "MissingParameter",
        "missing parameter: accessToken",
    );
}

#[test]
fn token_claims() {
    let emu = demo();
    let v = login_demo(&emu);
    let at = claims(v["access_token"].as_str().unwrap());
    let rt = claims(v["refresh_token"].as_str().unwrap());
    assert_eq!(at["typ"], "access");
    assert_eq!(at["sub"], DEMO_USER);
    assert_eq!(
        at["exp"].as_i64().unwrap() - at["iat"].as_i64().unwrap(),
        1800
    );
    assert_eq!(at["baas_domain_id"], "5f00000000000000000000d1");
    assert_eq!(at["baas_device_id"], v["device_id"]);
    assert_eq!(
        at["user_data"],
        json!({"favoriteColor": "blue", "nickname": "Démo 😀"})
    );
    assert_eq!(rt["typ"], "refresh");
    assert_eq!(rt["baas_id"], at["iss"]);
    assert_eq!(rt["sub"], DEMO_USER);
    assert_eq!(
        rt["exp"].as_i64().unwrap() - rt["iat"].as_i64().unwrap(),
        5_184_000
    );
    assert_eq!(rt["baas_identity"]["provider_type"], "local-userpass");
    assert!(rt["baas_identity"]["id"].is_string());
    assert!(rt["baas_identity"]["provider_id"].is_string());
    let header = v["access_token"]
        .as_str()
        .unwrap()
        .split('.')
        .next()
        .unwrap();
    assert_eq!(header, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
    // Users without custom data get no user_data claim.
    let anon = login(&emu, "anon-user", json!({}));
    assert!(claims(anon["access_token"].as_str().unwrap())
        .get("user_data")
        .is_none());
}

#[test]
fn refresh_is_repeatable_and_rereads_custom_data() {
    let emu = demo();
    let v = login_demo(&emu);
    let rt = v["refresh_token"].as_str().unwrap().to_string();
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let url = emu.url();
            let rt = rt.clone();
            std::thread::spawn(move || {
                let mut c = conn_to(&url);
                c.request("POST", SESSION, &[("authorization", &bearer(&rt))], "")
            })
        })
        .collect();
    for t in threads {
        let r = t.join().unwrap();
        assert_eq!(r.status, 201, "{}", r.text());
        assert_eq!(r.header("content-type"), Some("application/json"));
        let keys: Vec<String> = r.json().as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["access_token"]);
    }
    assert!(emu.set_custom_data(DEMO_USER, Some(json!({"favoriteColor": "red"}))));
    let r = with_bearer(&emu, "POST", SESSION, &rt, "");
    let at = claims(r.json()["access_token"].as_str().unwrap());
    assert_eq!(at["user_data"], json!({"favoriteColor": "red"}));
    assert_eq!(at["iss"], claims(&rt)["baas_id"]);
}

fn conn_to(url: &str) -> Conn {
    // Conn::open needs an Emulator; threads only have the URL.
    let stream = std::net::TcpStream::connect(host_port(url)).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    Conn::from_stream(stream)
}

#[test]
fn wrong_token_types_and_missing_auth() {
    let emu = demo();
    let v = login_demo(&emu);
    let at = v["access_token"].as_str().unwrap();
    let rt = v["refresh_token"].as_str().unwrap();
    let r = with_bearer(&emu, "POST", SESSION, at, "");
    assert_error(
        &r,
        401,
        "InvalidSession",
        "invalid refresh token: incorrect token type",
    );
    let r = with_bearer(&emu, "DELETE", SESSION, at, "");
    assert_error(
        &r,
        401,
        "InvalidSession",
        "invalid refresh token: incorrect token type",
    );
    let r = with_bearer(&emu, "GET", PROFILE, rt, "");
    assert_error(
        &r,
        401,
        "InvalidSession",
        "invalid access token: incorrect token type",
    );
    let r = call(&emu, "POST", SESSION, &[], "");
    assert_error(&r, 401, "MissingAuthReq", "must authenticate first");
    let r = with_bearer(&emu, "GET", PROFILE, "garbage", "");
    assert_error(
        &r,
        401,
        "InvalidSession",
        "invalid session: token contains an invalid number of segments",
    );
    let forged = jwt::sign(&claims(at), b"not-the-key");
    let r = with_bearer(&emu, "GET", PROFILE, &forged, "");
    assert_error(
        &r,
        401,
        "InvalidSession",
        "invalid session: signature is invalid",
    );
}

#[test]
fn logout_revokes_session_only() {
    let emu = demo();
    let v = login_demo(&emu);
    let at = v["access_token"].as_str().unwrap();
    let rt = v["refresh_token"].as_str().unwrap();
    let r = with_bearer(&emu, "DELETE", SESSION, rt, "");
    assert_eq!(r.status, 204);
    assert_eq!(r.header("content-type"), None);
    assert!(r.body.is_empty());
    for method in ["POST", "DELETE"] {
        let r = with_bearer(&emu, method, SESSION, rt, "");
        assert_error(
            &r,
            401,
            "InvalidSession",
            "invalid session: failed to find refresh token",
        );
    }
    // The access token stays valid until it expires.
    assert_eq!(with_bearer(&emu, "GET", PROFILE, at, "").status, 200);
}

#[test]
fn expiry_follows_settings_and_clock() {
    let emu = demo();
    let v = login_demo(&emu);
    let at = v["access_token"].as_str().unwrap();
    let rt = v["refresh_token"].as_str().unwrap();
    emu.set_clock_offset(1801);
    let r = with_bearer(&emu, "GET", PROFILE, at, "");
    assert_error(
        &r,
        401,
        "InvalidSession",
        "invalid session: access token expired",
    );
    let r = with_bearer(&emu, "POST", SESSION, rt, "");
    assert_eq!(r.status, 201);
    let fresh = r.json()["access_token"].as_str().unwrap().to_string();
    assert_eq!(with_bearer(&emu, "GET", PROFILE, &fresh, "").status, 200);
    emu.set_clock_offset(5_184_001);
    let r = with_bearer(&emu, "POST", SESSION, rt, "");
    assert_error(
        &r,
        401,
        "InvalidSession",
        "invalid session: refresh token expired",
    );

    emu.set_clock_offset(0);
    let s = emu.set_settings(SettingsPatch {
        access_token_ttl_secs: Some(5),
        refresh_token_ttl_secs: Some(60),
        ..Default::default()
    });
    assert_eq!(s.access_token_ttl_secs, 5);
    let v = login_demo(&emu);
    let at = claims(v["access_token"].as_str().unwrap());
    assert_eq!(at["exp"].as_i64().unwrap() - at["iat"].as_i64().unwrap(), 5);
    let rt = claims(v["refresh_token"].as_str().unwrap());
    assert_eq!(
        rt["exp"].as_i64().unwrap() - rt["iat"].as_i64().unwrap(),
        60
    );
}

#[test]
fn revoke_user_ends_all_sessions() {
    let emu = demo();
    let a = login_demo(&emu);
    let b = login(
        &emu,
        "api-key",
        json!({"key": "demo-user-api-key-0123456789"}),
    );
    assert_eq!(emu.revoke_user(DEMO_USER), Some(2));
    for v in [a, b] {
        let r = with_bearer(
            &emu,
            "POST",
            SESSION,
            v["refresh_token"].as_str().unwrap(),
            "",
        );
        assert_eq!(r.status, 401);
        assert_eq!(r.json()["error_code"], "InvalidSession");
    }
    assert_eq!(emu.revoke_user("5f0000000000000000000fff"), None);
}

#[test]
fn profile_shape() {
    let emu = demo();
    let v = login_demo(&emu);
    let r = with_bearer(
        &emu,
        "GET",
        PROFILE,
        v["access_token"].as_str().unwrap(),
        "",
    );
    assert_eq!(r.status, 200);
    let p = r.json();
    assert_eq!(p["user_id"], DEMO_USER);
    assert_eq!(p["domain_id"], "5f00000000000000000000d1");
    assert_eq!(p["type"], "normal");
    assert_eq!(p["data"]["email"], "demo@example.com");
    let ids = p["identities"].as_array().unwrap();
    assert_eq!(ids.len(), 1);
    assert_eq!(ids[0]["provider_type"], "local-userpass");
    assert!(ids[0]["id"].is_string() && ids[0]["provider_id"].is_string());
}

#[test]
fn linking_adds_identity_to_same_user() {
    let emu = demo();
    let anon = login(&emu, "anon-user", json!({}));
    let at = anon["access_token"].as_str().unwrap();
    let path = format!("{}?link=true", login_path("custom-function"));
    let auth = bearer(at);
    let r = call(
        &emu,
        "POST",
        &path,
        &[("authorization", &auth)],
        r#"{"username":"linked-bob"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["user_id"], anon["user_id"]);
    assert_eq!(v["device_id"], anon["device_id"]);
    assert!(v["refresh_token"].is_null());
    let p = with_bearer(
        &emu,
        "GET",
        PROFILE,
        v["access_token"].as_str().unwrap(),
        "",
    )
    .json();
    let types: Vec<&str> = p["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["provider_type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["anon-user", "custom-function"]);
    // The linked identity now logs in as that user.
    let again = login(&emu, "custom-function", json!({"username": "linked-bob"}));
    assert_eq!(again["user_id"], anon["user_id"]);
    // Linking needs an access token.
    let r = call(&emu, "POST", &path, &[], r#"{"username":"x"}"#);
    assert_eq!(r.status, 401);
}

#[test]
fn cors_preflight() {
    let emu = demo();
    let r = call(
        &emu,
        "OPTIONS",
        GRAPHQL,
        &[
            ("origin", "http://localhost:3000"),
            ("access-control-request-method", "POST"),
            (
                "access-control-request-headers",
                "authorization, content-type",
            ),
        ],
        "",
    );
    assert_eq!(r.status, 204);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        r.header("access-control-allow-headers"),
        Some("authorization, content-type")
    );
}

#[test]
fn minimal_config_disables_missing_providers() {
    let cfg = Config::from_json(r#"{"client_app_id": "mini-abcde"}"#).unwrap();
    let emu = Emulator::start(cfg);
    let r = post_json(
        &emu,
        "/api/client/v2.0/app/mini-abcde/auth/providers/anon-user/login",
        &json!({}),
    );
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error_code"], "AuthProviderNotFound");
}

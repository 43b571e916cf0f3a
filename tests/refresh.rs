//! Token refresh against the emulator: proactive, on 401, single-flight, and session end.

mod support;

use realm_client::{Client, ClientOptions, ErrorKind};
use serde_json::{json, Value};
use std::sync::Arc;
use std::thread::sleep;
use std::time::Duration;
use support::*;

fn statuses(emu: &Emulator) -> Vec<u64> {
    emu.requests()
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect()
}

fn movies(c: &Client) -> Value {
    serde_json::from_str(&c.graphql(MOVIES, None, None).unwrap()).unwrap()
}

#[test]
fn case1_expired_token_is_refreshed_before_the_query_without_a_401() {
    let emu = Emulator::start();
    emu.settings(json!({ "access_token_ttl_secs": 2 }));
    let c = logged_in(&emu, json!({}));
    emu.clear_requests();
    sleep(Duration::from_millis(2300));
    let data = movies(&c);
    assert!(data["data"]["movies"].as_array().unwrap().len() >= 3);
    assert_eq!(emu.count("POST", SESSION), 1);
    assert_eq!(emu.count("POST", GRAPHQL), 1);
    assert!(!statuses(&emu).contains(&401), "{:?}", emu.requests());
}

#[test]
fn a_server_clock_far_from_ours_causes_no_refresh_loop() {
    let emu = Emulator::start();
    for offset in [-7200, 7200] {
        emu.clock(offset);
        let c = logged_in(&emu, json!({}));
        emu.clear_requests();
        for _ in 0..5 {
            movies(&c);
        }
        assert_eq!(emu.count("POST", SESSION), 0, "offset {offset}");
        assert_eq!(emu.count("POST", GRAPHQL), 5);
    }
}

#[test]
fn case2_refresh_answering_400_reports_it_and_sends_nothing_while_idle() {
    let emu = Emulator::start();
    let c = logged_in(&emu, json!({}));
    emu.fault(
        "POST",
        SESSION,
        1,
        json!({"kind": "respond", "status": 400, "content_type": "application/json",
               "body": r#"{"error":"bad refresh request","error_code":"BadRequest","link":"http://x/logs"}"#}),
    );
    let err = c.refresh().unwrap_err();
    assert_eq!(err.kind, ErrorKind::Http);
    assert_eq!(err.http_status, 400);
    assert_eq!(err.server_code.as_deref(), Some("BadRequest"));
    assert_eq!(err.link.as_deref(), Some("http://x/logs"));
    assert!(c.is_logged_in());
    let seen = emu.requests().len();
    sleep(Duration::from_millis(1500));
    assert_eq!(emu.requests().len(), seen, "requests were sent while idle");
}

#[test]
fn case2_refresh_answering_503_empty_keeps_the_session_for_when_the_server_recovers() {
    let emu = Emulator::start();
    emu.settings(json!({ "access_token_ttl_secs": 2 }));
    let c = logged_in(&emu, json!({}));
    sleep(Duration::from_millis(2200));
    emu.fault(
        "POST",
        SESSION,
        1,
        json!({"kind": "respond", "status": 503, "body": ""}),
    );
    let err = c.graphql(MOVIES, None, None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Server, "{err:?}");
    assert_eq!(err.http_status, 503);
    assert!(err.message.contains("empty body"), "{}", err.message);
    assert!(c.is_logged_in());
    let seen = emu.requests().len();
    sleep(Duration::from_millis(1000));
    assert_eq!(emu.requests().len(), seen, "requests were sent while idle");
    // The server is back: the next call refreshes and works.
    emu.clear_requests();
    movies(&c);
    assert_eq!(emu.count("POST", SESSION), 1);
    assert_eq!(emu.count("POST", GRAPHQL), 1);
}

#[test]
fn case3_a_401_on_graphql_gives_one_refresh_and_one_resend_whatever_its_content_type() {
    let emu = Emulator::start();
    let c = logged_in(&emu, json!({}));
    for content_type in [
        Some("application/json"),
        Some("application/json; charset=utf-8"),
        Some("text/plain"),
        None,
    ] {
        emu.clear_requests();
        let body = if content_type == Some("text/plain") {
            "unauthorized".to_string()
        } else {
            r#"{"error":"invalid session: access token expired","error_code":"InvalidSession"}"#
                .to_string()
        };
        emu.fault(
            "POST",
            GRAPHQL,
            1,
            json!({"kind": "respond", "status": 401, "content_type": content_type, "body": body}),
        );
        let data = movies(&c);
        assert!(data["data"]["movies"].is_array(), "{content_type:?}");
        assert_eq!(emu.count("POST", SESSION), 1, "{content_type:?}");
        assert_eq!(emu.count("POST", GRAPHQL), 2, "{content_type:?}");
    }
}

#[test]
fn a_second_401_is_final_never_a_loop() {
    let emu = Emulator::start();
    let c = logged_in(&emu, json!({}));
    emu.clear_requests();
    emu.fault(
        "POST",
        GRAPHQL,
        5,
        json!({"kind": "respond", "status": 401, "content_type": "application/json",
               "body": r#"{"error":"invalid session","error_code":"InvalidSession"}"#}),
    );
    let err = c.graphql(MOVIES, None, None).unwrap_err();
    assert_eq!(err.http_status, 401);
    assert_eq!(err.server_code.as_deref(), Some("InvalidSession"));
    assert_eq!(emu.count("POST", SESSION), 1);
    assert_eq!(emu.count("POST", GRAPHQL), 2);
    assert!(c.is_logged_in());
}

#[test]
fn a_revoked_session_ends_and_the_next_call_sends_nothing() {
    let emu = Emulator::start();
    let c = logged_in(&emu, json!({}));
    emu.revoke(&c.user_id().unwrap());
    let err = c.refresh().unwrap_err();
    assert_eq!(err.kind, ErrorKind::SessionExpired);
    assert_eq!(err.http_status, 401);
    assert_eq!(err.server_code.as_deref(), Some("InvalidSession"));
    assert!(!c.is_logged_in());
    emu.clear_requests();
    let err = c.graphql(MOVIES, None, None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotLoggedIn);
    assert!(emu.requests().is_empty());
}

#[test]
fn a_401_then_a_revoked_refresh_token_ends_the_session() {
    let emu = Emulator::start();
    let c = logged_in(&emu, json!({}));
    emu.revoke(&c.user_id().unwrap());
    emu.fault(
        "POST",
        GRAPHQL,
        1,
        json!({"kind": "respond", "status": 401, "body": ""}),
    );
    let err = c.graphql(MOVIES, None, None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::SessionExpired, "{err:?}");
    assert!(!c.is_logged_in());
}

#[test]
fn auto_relogin_logs_in_again_once_the_session_is_revoked() {
    let emu = Emulator::start();
    let c = logged_in(&emu, json!({ "auto_relogin": true }));
    let user = c.user_id().unwrap();
    emu.revoke(&user);
    emu.clear_requests();
    emu.fault(
        "POST",
        GRAPHQL,
        1,
        json!({"kind": "respond", "status": 401, "body": ""}),
    );
    movies(&c);
    assert_eq!(c.user_id().unwrap(), user);
    assert_eq!(emu.count("POST", SESSION), 1);
    assert_eq!(emu.count("POST", &login_path("local-userpass")), 1);
    assert_eq!(emu.count("POST", GRAPHQL), 2);
}

#[test]
fn eight_threads_share_one_client_through_expiries_with_single_flight_refresh() {
    let emu = Emulator::start();
    emu.settings(json!({ "access_token_ttl_secs": 2 }));
    let c = Arc::new(logged_in(&emu, json!({})));
    emu.clear_requests();
    let started = std::time::Instant::now();
    let run_for = Duration::from_millis(5500);
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let c = c.clone();
            std::thread::spawn(move || {
                let mut calls = 0;
                while started.elapsed() < run_for {
                    movies(&c);
                    calls += 1;
                    sleep(Duration::from_millis(10));
                }
                calls
            })
        })
        .collect();
    let calls: u64 = threads.into_iter().map(|t| t.join().unwrap()).sum();
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(emu.count("POST", GRAPHQL), calls);
    let refreshes = emu.count("POST", SESSION);
    // One refresh per lifetime, whatever the number of threads: a 2 s token is refreshed once
    // 0.5 s old (a quarter of its life plus a second for whole-second claims).
    let lifetimes = (elapsed / 0.5).ceil() as u64;
    assert!(
        refreshes >= 5 && refreshes <= lifetimes + 1,
        "{refreshes} refreshes in {elapsed:.1}s"
    );
    assert!(!statuses(&emu).contains(&401));
}

#[test]
fn export_and_restore_into_a_new_client() {
    let emu = Emulator::start();
    let c = logged_in(&emu, json!({}));
    let blob = c.export_session().unwrap();
    let v: Value = serde_json::from_str(blob.expose()).unwrap();
    assert_eq!(v["v"], 1);
    assert_eq!(v["app_id"], APP);
    assert_eq!(v["user_id"].as_str().unwrap(), c.user_id().unwrap());
    assert!(v.get("access_token").is_none());
    let d = Client::new(APP, ClientOptions::from_json(Some(&emu.options())).unwrap()).unwrap();
    d.restore_session(blob.expose()).unwrap();
    assert!(d.is_logged_in());
    assert_eq!(d.user_id().unwrap(), c.user_id().unwrap());
    emu.clear_requests();
    movies(&d);
    assert_eq!(emu.count("POST", SESSION), 1);
    assert_eq!(emu.count("POST", GRAPHQL), 1);
    // Another app's blob, a bad version, and junk are refused.
    let other = Client::new(
        "other-app",
        ClientOptions::from_json(Some(&emu.options())).unwrap(),
    )
    .unwrap();
    assert_eq!(
        other.restore_session(blob.expose()).unwrap_err().kind,
        ErrorKind::InvalidArgument
    );
    let mut v2 = v.clone();
    v2["v"] = json!(2);
    for bad in [v2.to_string(), "{}".into(), "[".into(), "null".into()] {
        assert_eq!(
            d.restore_session(&bad).unwrap_err().kind,
            ErrorKind::InvalidArgument
        );
    }
    assert!(!other.is_logged_in());
}

#[test]
fn logout_revokes_the_session_on_the_server() {
    let emu = Emulator::start();
    let c = logged_in(&emu, json!({}));
    let blob = c.export_session().unwrap();
    c.logout().unwrap();
    assert!(!c.is_logged_in());
    assert_eq!(emu.count("DELETE", SESSION), 1);
    let d = Client::new(APP, ClientOptions::from_json(Some(&emu.options())).unwrap()).unwrap();
    d.restore_session(blob.expose()).unwrap();
    assert_eq!(d.refresh().unwrap_err().kind, ErrorKind::SessionExpired);
    // Logging out when not logged in is a no-op.
    c.logout().unwrap();
    assert_eq!(emu.count("DELETE", SESSION), 1);
}

#[test]
fn user_json_has_profile_claims_and_custom_data() {
    let emu = Emulator::start();
    let c = logged_in(&emu, json!({}));
    let u: Value = serde_json::from_str(&c.user_json().unwrap()).unwrap();
    assert_eq!(u["provider"], "local-userpass");
    assert_eq!(u["claims"]["sub"], u["id"]);
    assert_eq!(u["claims"]["typ"], "access");
    assert_eq!(u["profile"]["data"]["email"], EMAIL);
    assert_eq!(u["custom_data"]["nickname"], "Démo 😀");
    let left = u["access_token_expires_in_ms"].as_u64().unwrap();
    assert!(left > 1_700_000 && left <= 1_800_000, "{left}");
    assert!(u["access_token_expires_at"].as_i64().unwrap() > 1_700_000_000);
    let token = c.access_token().unwrap();
    assert_eq!(token.expose().split('.').count(), 3);
}

#[test]
fn a_call_refreshes_at_most_once() {
    let emu = Emulator::start();
    emu.settings(json!({ "access_token_ttl_secs": 8 }));
    let c = logged_in(&emu, json!({}));
    // Near its end (past 8 - 2 - 1 = 5 s) but not expired: the proactive refresh fails with
    // 503, the old token goes out and is refused; that 401 is final for this call.
    sleep(Duration::from_millis(5200));
    emu.clear_requests();
    emu.fault(
        "POST",
        SESSION,
        1,
        json!({"kind": "respond", "status": 503, "body": ""}),
    );
    emu.fault(
        "POST",
        GRAPHQL,
        1,
        json!({"kind": "respond", "status": 401, "body": ""}),
    );
    let err = c.graphql(MOVIES, None, None).unwrap_err();
    assert_eq!(err.http_status, 401, "{err:?}");
    assert_eq!(emu.count("POST", SESSION), 1);
    assert_eq!(emu.count("POST", GRAPHQL), 1);
    assert!(c.is_logged_in());
}

#[test]
fn logout_during_an_automatic_relogin_leaves_nobody_logged_in() {
    let emu = Emulator::start();
    let c = Arc::new(logged_in(&emu, json!({ "auto_relogin": true })));
    emu.revoke(&c.user_id().unwrap());
    emu.fault(
        "POST",
        &login_path("local-userpass"),
        1,
        json!({"kind": "delay", "ms": 1000}),
    );
    emu.fault(
        "POST",
        GRAPHQL,
        1,
        json!({"kind": "respond", "status": 401, "body": ""}),
    );
    let worker = {
        let c = c.clone();
        std::thread::spawn(move || c.graphql(MOVIES, None, None))
    };
    sleep(Duration::from_millis(400));
    c.logout().unwrap();
    assert!(!c.is_logged_in());
    let _ = worker.join().unwrap();
    assert!(
        !c.is_logged_in(),
        "a re-login under way must not survive the logout"
    );
    emu.clear_requests();
    assert_eq!(
        c.graphql(MOVIES, None, None).unwrap_err().kind,
        ErrorKind::NotLoggedIn
    );
    assert!(emu.requests().is_empty());
}

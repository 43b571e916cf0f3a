//! What the caller sees when the server misbehaves: statuses, bodies, timeouts, sizes, redirects.

mod support;

use realm_client::{Client, ClientOptions, Credentials, ErrorKind};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::*;

const INSERT: &str =
    r#"mutation { insertOneMovie(data: {title: "Once", year: 2001}) { title year } }"#;

/// Logged in, with the login's requests cleared from the log.
fn logged_in(emu: &Emulator, extra: Value) -> Client {
    let c = support::logged_in(emu, extra);
    emu.clear_requests();
    c
}

#[test]
fn case4_graphql_400_403_404_cause_no_refresh_and_a_mutation_goes_once() {
    let emu = Emulator::start();
    let c = logged_in(&emu, json!({}));
    for (status, kind) in [
        (400, ErrorKind::Http),
        (403, ErrorKind::Forbidden),
        (404, ErrorKind::NotFound),
    ] {
        emu.clear_requests();
        emu.fault(
            "POST",
            GRAPHQL,
            1,
            json!({"kind": "respond", "status": status, "content_type": "application/json",
                   "body": r#"{"error":"nope","error_code":"SomeCode"}"#}),
        );
        let err = c.graphql(INSERT, None, None).unwrap_err();
        assert_eq!(err.kind, kind, "{status}");
        assert_eq!(err.http_status, status);
        assert_eq!(err.server_code.as_deref(), Some("SomeCode"));
        assert_eq!(err.server_message.as_deref(), Some("nope"));
        assert_eq!(emu.count("POST", SESSION), 0);
        assert_eq!(emu.count("POST", GRAPHQL), 1);
    }
}

#[test]
fn case5_logout_clears_the_local_session_whatever_the_server_does() {
    let emu = Emulator::start();
    // 500
    let c = logged_in(&emu, json!({}));
    emu.fault(
        "DELETE",
        SESSION,
        1,
        json!({"kind": "respond", "status": 500, "body": ""}),
    );
    let err = c.logout().unwrap_err();
    assert_eq!((err.kind, err.http_status), (ErrorKind::Server, 500));
    assert!(!c.is_logged_in());
    // Stall, with a short timeout.
    let c = logged_in(&emu, json!({"request_timeout_ms": 1000}));
    emu.fault("DELETE", SESSION, 1, json!({"kind": "stall"}));
    let started = Instant::now();
    let err = c.logout().unwrap_err();
    assert_eq!(err.kind, ErrorKind::Timeout, "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(!c.is_logged_in());
    // Connection refused: the server is gone.
    let c = logged_in(&emu, json!({}));
    drop(emu);
    let err = c.logout().unwrap_err();
    assert_eq!(err.kind, ErrorKind::Network, "{err:?}");
    assert!(!c.is_logged_in());
}

#[test]
fn case6_html_empty_and_truncated_bodies_are_structured_errors() {
    let emu = Emulator::start();
    let c = logged_in(&emu, json!({}));
    let html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    let cases = [
        (
            502,
            Some("text/html"),
            html,
            ErrorKind::Server,
            "Bad Gateway",
        ),
        (503, None, "", ErrorKind::Server, "empty body"),
        (
            200,
            Some("text/html"),
            html,
            ErrorKind::Protocol,
            "Bad Gateway",
        ),
        (
            200,
            Some("application/json"),
            r#"{"data":{"movies":[{"tit"#,
            ErrorKind::Protocol,
            "{\"data\"",
        ),
        (
            200,
            Some("application/json"),
            "[1,2]",
            ErrorKind::Protocol,
            "[1,2]",
        ),
        (
            200,
            Some("application/json"),
            "",
            ErrorKind::Protocol,
            "empty body",
        ),
    ];
    for (status, ct, body, kind, excerpt) in cases {
        emu.fault(
            "POST",
            GRAPHQL,
            1,
            json!({"kind": "respond", "status": status, "content_type": ct, "body": body}),
        );
        let err = c.graphql(MOVIES, None, None).unwrap_err();
        assert_eq!(err.kind, kind, "{status} {ct:?} {body}");
        assert_eq!(err.http_status, status);
        assert!(err.message.contains(excerpt), "{}", err.message);
    }
    // The connection dropped in the middle of the body.
    emu.fault(
        "POST",
        GRAPHQL,
        1,
        json!({"kind": "drop_mid_body", "status": 200}),
    );
    let err = c.graphql(MOVIES, None, None).unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::Network | ErrorKind::Protocol),
        "{err:?}"
    );
    // Still usable afterwards.
    c.graphql(MOVIES, None, None).unwrap();
}

#[test]
fn case7_graphql_errors_and_partial_data_are_delivered_as_is() {
    let emu = Emulator::start();
    let c = logged_in(&emu, json!({}));
    let out = c.graphql("{ movies { nosuchfield } }", None, None).unwrap();
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nosuchfield"),
        "{out}"
    );
    let partial = r#"{"data":{"movies":null,"movie":{"title":"X"}},"errors":[{"message":"boom","path":["movies"]}]}"#;
    emu.fault(
        "POST",
        GRAPHQL,
        1,
        json!({"kind": "respond", "status": 200, "content_type": "application/json", "body": partial}),
    );
    assert_eq!(c.graphql(MOVIES, None, None).unwrap(), partial);
    let null_data = r#"{"data":null,"errors":[{"message":"x"}]}"#;
    emu.fault(
        "POST",
        GRAPHQL,
        1,
        json!({"kind": "respond", "status": 200, "content_type": "application/json", "body": null_data}),
    );
    assert_eq!(c.graphql(MOVIES, None, None).unwrap(), null_data);
    assert_eq!(emu.count("POST", SESSION), 0);
}

#[test]
fn graphql_variables_operation_name_and_mutations() {
    let emu = Emulator::start();
    let c = logged_in(&emu, json!({}));
    let out = c
        .graphql(
            "query A { movies { title } } query B($t: String) { movie(query: {title: $t}) { title year } }",
            Some(r#"{"t": "The Matrix"}"#),
            Some("B"),
        )
        .unwrap();
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["data"]["movie"].is_object() || v["data"]["movie"].is_null(),
        "{out}"
    );
    let out = c.graphql(INSERT, None, None).unwrap();
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["data"]["insertOneMovie"],
        json!({"title": "Once", "year": 2001})
    );
    let out = c
        .graphql(
            "query($t: String) { movie(query: {title: $t}) { year } }",
            Some(r#"{"t": "Once"}"#),
            None,
        )
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap()["data"]["movie"]["year"],
        2001
    );
    let body: Value =
        serde_json::from_str(emu.requests().last().unwrap()["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["variables"], json!({"t": "Once"}));
}

#[test]
fn case9_a_silent_or_trickling_server_times_out_near_the_configured_time() {
    let emu = Emulator::start();
    let c = logged_in(&emu, json!({"request_timeout_ms": 2000}));
    for action in [
        json!({"kind": "stall"}),
        json!({"kind": "trickle", "bytes_per_sec": 1, "status": 200,
               "body": r#"{"data":{"movies":[]}}                                   "#}),
    ] {
        emu.fault("POST", GRAPHQL, 1, action.clone());
        let started = Instant::now();
        let err = c.graphql(MOVIES, None, None).unwrap_err();
        let took = started.elapsed();
        assert_eq!(err.kind, ErrorKind::Timeout, "{action} {err:?}");
        assert!(
            took >= Duration::from_millis(1900) && took < Duration::from_millis(3500),
            "{action}: {took:?}"
        );
    }
}

#[test]
fn oversized_responses_are_an_explicit_error() {
    let emu = Emulator::start();
    let c = logged_in(&emu, json!({"max_response_bytes": 65536}));
    emu.fault(
        "POST",
        GRAPHQL,
        1,
        json!({"kind": "oversized", "bytes": 200000}),
    );
    let err = c.graphql(MOVIES, None, None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::ResponseTooLarge, "{err:?}");
    assert_eq!(err.http_status, 200);
    emu.fault(
        "POST",
        GRAPHQL,
        1,
        json!({"kind": "oversized", "bytes": 60000}),
    );
    let err = c.graphql(MOVIES, None, None).unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::Protocol,
        "a JSON body that is no envelope: {err:?}"
    );
}

#[test]
fn redirects_are_followed_and_the_token_stays_with_the_apps_hosts() {
    let emu = Emulator::start();
    let elsewhere = Emulator::start();
    let c = logged_in(&emu, json!({}));
    // Same origin, 308: followed, with the token.
    emu.fault(
        "POST",
        GRAPHQL,
        1,
        json!({"kind": "redirect", "status": 308, "location": format!("{}{GRAPHQL}", emu.url)}),
    );
    c.graphql(MOVIES, None, None).unwrap();
    assert_eq!(emu.count("POST", GRAPHQL), 2);
    // Another origin: a request with a body (a query, or credentials) never follows it there.
    emu.clear_requests();
    emu.fault(
        "POST",
        GRAPHQL,
        1,
        json!({"kind": "redirect", "status": 301, "location": format!("{}{GRAPHQL}", elsewhere.url)}),
    );
    let err = c.graphql(MOVIES, None, None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Http, "{err:?}");
    assert!(
        err.message.contains("not one of the app's hosts"),
        "{}",
        err.message
    );
    assert!(elsewhere.requests().is_empty());
    assert_eq!(emu.count("POST", SESSION), 0);
    // A loop is cut after max_redirects hops.
    emu.clear_requests();
    emu.fault(
        "POST",
        GRAPHQL,
        50,
        json!({"kind": "redirect", "status": 307, "location": format!("{}{GRAPHQL}", emu.url)}),
    );
    let err = c.graphql(MOVIES, None, None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Http);
    assert!(
        err.message.contains("too many redirects"),
        "{}",
        err.message
    );
    assert_eq!(emu.count("POST", GRAPHQL), 6);
}

#[test]
fn a_redirect_to_plain_http_elsewhere_is_refused() {
    let emu = Emulator::start();
    let c = logged_in(&emu, json!({}));
    emu.fault(
        "POST",
        GRAPHQL,
        1,
        json!({"kind": "redirect", "status": 308, "location": "http://203.0.113.9/graphql"}),
    );
    let err = c.graphql(MOVIES, None, None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Protocol);
    assert!(err.message.contains("plain http"), "{}", err.message);
}

#[test]
fn a_keep_alive_connection_closed_by_the_server_is_replaced_without_a_resend() {
    let emu = Emulator::start();
    let c = logged_in(&emu, json!({}));
    emu.fault("POST", GRAPHQL, 1, json!({"kind": "close_after"}));
    c.graphql(INSERT, None, None).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    c.graphql(INSERT, None, None).unwrap();
    assert_eq!(emu.count("POST", GRAPHQL), 2);
    let out = c
        .graphql(
            r#"{ movies(query: {title: "Once"}) { title } }"#,
            None,
            None,
        )
        .unwrap();
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["data"]["movies"].as_array().unwrap().len(), 2, "{out}");
}

#[test]
fn a_dropped_connection_is_a_network_error_and_is_not_resent() {
    let emu = Emulator::start();
    let c = logged_in(&emu, json!({}));
    emu.fault("POST", GRAPHQL, 1, json!({"kind": "drop"}));
    let err = c.graphql(INSERT, None, None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Network, "{err:?}");
    assert_eq!(emu.count("POST", GRAPHQL), 1);
}

#[test]
fn calls_without_a_session_fail_locally() {
    let emu = Emulator::start();
    let c = Client::new(APP, ClientOptions::from_json(Some(&emu.options())).unwrap()).unwrap();
    assert_eq!(
        c.graphql(MOVIES, None, None).unwrap_err().kind,
        ErrorKind::NotLoggedIn
    );
    assert_eq!(c.refresh().unwrap_err().kind, ErrorKind::NotLoggedIn);
    assert_eq!(c.user_id().unwrap_err().kind, ErrorKind::NotLoggedIn);
    assert_eq!(c.export_session().unwrap_err().kind, ErrorKind::NotLoggedIn);
    c.logout().unwrap();
    assert!(emu.requests().is_empty());
}

#[test]
fn tls_failures_are_tls_errors() {
    let emu = Emulator::start();
    // The emulator speaks plain HTTP: a TLS handshake with it fails.
    let options = json!({ "base_url": emu.url.replace("http://", "https://") }).to_string();
    let c = Client::new(APP, ClientOptions::from_json(Some(&options)).unwrap()).unwrap();
    let err = c.login(Credentials::Anonymous).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Tls, "{err:?}");
    // A CA file that is not PEM is refused when the client is made.
    let dir = std::env::temp_dir().join(format!("realm-client-ca-{}", std::process::id()));
    std::fs::write(&dir, "not a certificate").unwrap();
    let options = json!({ "base_url": emu.url, "ca_file": dir }).to_string();
    let err = Client::new(APP, ClientOptions::from_json(Some(&options)).unwrap()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument, "{err:?}");
    std::fs::remove_file(&dir).unwrap();
}

#[test]
fn credentials_never_follow_a_redirect_to_another_host() {
    let emu = Emulator::start();
    let elsewhere = Emulator::start();
    let c = Client::new(APP, ClientOptions::from_json(Some(&emu.options())).unwrap()).unwrap();
    for status in [301, 302, 307, 308] {
        emu.fault(
            "POST",
            &login_path("local-userpass"),
            1,
            json!({"kind": "redirect", "status": status,
                   "location": format!("{}{}", elsewhere.url, login_path("local-userpass"))}),
        );
        let err = c
            .login(Credentials::email_password(EMAIL, PASSWORD).unwrap())
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Http, "{status}: {err:?}");
    }
    assert!(
        elsewhere.requests().is_empty(),
        "{:?}",
        elsewhere.requests()
    );
    // The same origin is fine.
    emu.fault(
        "POST",
        &login_path("local-userpass"),
        1,
        json!({"kind": "redirect", "status": 308,
               "location": format!("{}{}", emu.url, login_path("local-userpass"))}),
    );
    c.login(Credentials::email_password(EMAIL, PASSWORD).unwrap())
        .unwrap();
}

#[test]
fn one_timeout_bounds_the_whole_call_401_refresh_and_resend_included() {
    let emu = Emulator::start();
    let c = logged_in(&emu, json!({"request_timeout_ms": 2000}));
    emu.fault(
        "POST",
        GRAPHQL,
        1,
        json!({"kind": "trickle", "bytes_per_sec": 20, "status": 401, "body": "x".repeat(25)}),
    );
    emu.fault("POST", SESSION, 1, json!({"kind": "delay", "ms": 1500}));
    emu.fault("POST", GRAPHQL, 1, json!({"kind": "delay", "ms": 1500}));
    let started = Instant::now();
    let err = c.graphql(MOVIES, None, None).unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.kind, ErrorKind::Timeout, "{err:?}");
    assert!(took < Duration::from_millis(2800), "{took:?}");
}

#[test]
fn secrets_echoed_by_the_server_are_redacted_whatever_their_length_or_escaping() {
    let emu = Emulator::start();
    let c = Client::new(APP, ClientOptions::from_json(Some(&emu.options())).unwrap()).unwrap();
    for (password, echoed) in [
        ("xyz", "wrong password xyz for demo".to_string()),
        (
            "päss\"wörd",
            r#"wrong password p\u00e4ss\"w\u00f6rd"#.to_string(),
        ),
    ] {
        for ct in ["application/json", "text/plain"] {
            let body = if ct == "text/plain" {
                echoed.clone()
            } else {
                format!(r#"{{"error":"{echoed}","error_code":"InvalidPassword"}}"#)
            };
            emu.fault(
                "POST",
                &login_path("local-userpass"),
                1,
                json!({"kind": "respond", "status": 401, "content_type": ct, "body": body}),
            );
            let err = c
                .login(Credentials::email_password(EMAIL, password).unwrap())
                .unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidCredentials);
            assert!(err.message.contains("[redacted]"), "{}", err.message);
            for piece in ["xyz", "päss", "p\\u00e4ss", "w\\u00f6rd"] {
                assert!(!err.message.contains(piece), "{}", err.message);
            }
        }
    }
    // An access token echoed in a page that is not a GraphQL envelope.
    let c = logged_in(&emu, json!({}));
    let token = c.access_token().unwrap().expose().to_string();
    emu.fault(
        "POST",
        GRAPHQL,
        1,
        json!({"kind": "respond", "status": 200, "content_type": "text/html",
               "body": format!("<p>Bearer {token}</p>")}),
    );
    let err = c.graphql(MOVIES, None, None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Protocol);
    assert!(!err.message.contains(&token[..20]), "{}", err.message);
}

#[test]
fn a_ca_file_block_that_is_no_certificate_is_refused_up_front() {
    let path = std::env::temp_dir().join(format!("realm-client-badca-{}.pem", std::process::id()));
    std::fs::write(
        &path,
        "-----BEGIN CERTIFICATE-----\nAAECAwQFBgcICQ==\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let options = json!({ "base_url": "http://127.0.0.1:9", "ca_file": path }).to_string();
    let err = Client::new(APP, ClientOptions::from_json(Some(&options)).unwrap()).unwrap_err();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(err.kind, ErrorKind::InvalidArgument, "{err:?}");
    assert!(err.message.contains("certificate 1"), "{}", err.message);
}

//! What goes over the wire: the request heads the server sees, bodies larger than a
//! connection's buffers both ways, chunked answers, and connections the server ends.

mod support;

use realm_client::ErrorKind;
use serde_json::{json, Value};
use support::*;

fn last(emu: &Emulator, method: &str, path: &str) -> Value {
    emu.requests()
        .into_iter()
        .rev()
        .find(|r| r["method"] == method && r["path"] == path)
        .unwrap_or_else(|| panic!("no {method} {path} in the log"))
}

#[test]
fn request_heads_are_exactly_these() {
    let emu = Emulator::start();
    let c = logged_in(&emu, json!({"app_name": "wire-test", "app_version": "1.2"}));
    c.graphql(MOVIES, None, None).unwrap();
    let host = emu.url.trim_start_matches("http://").to_string();
    let ua = last(&emu, "GET", LOCATION)["headers"]["user-agent"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        ua.starts_with("realm-client/0.1.0") && ua.contains("wire-test/1.2"),
        "{ua}"
    );
    let token = c.access_token().unwrap();
    let body = json!({"query": MOVIES}).to_string();
    assert_eq!(
        last(&emu, "POST", GRAPHQL)["headers"],
        json!({
            "host": host,
            "user-agent": ua,
            "accept": "application/json",
            "authorization": format!("Bearer {}", token.expose()),
            "content-type": "application/json",
            "content-length": body.len().to_string(),
        })
    );
    assert_eq!(last(&emu, "POST", GRAPHQL)["body"], body);
    // A GET has no body and says nothing of one.
    assert_eq!(
        last(&emu, "GET", PROFILE)["headers"],
        json!({
            "host": host,
            "user-agent": ua,
            "accept": "application/json",
            "authorization": format!("Bearer {}", token.expose()),
        })
    );
    // The refresh is a POST without a body: Content-Length 0, no Content-Type.
    c.refresh().unwrap();
    let refresh = last(&emu, "POST", SESSION);
    assert_eq!(refresh["headers"]["content-length"], "0");
    assert!(refresh["headers"].get("content-type").is_none());
    assert_eq!(refresh["body"], "");
}

#[test]
fn bodies_larger_than_the_buffers_go_both_ways_intact() {
    let emu = Emulator::start();
    let c = logged_in(&emu, json!({}));
    // Several times ureq's 128 KiB buffers, and not a multiple of anything.
    let title: String = (0..300_001)
        .map(|i| (b'a' + (i % 26) as u8) as char)
        .collect();
    let vars = json!({"t": title}).to_string();
    let out = c
        .graphql(
            "mutation M($t: String!) { insertOneMovie(data: {title: $t, year: 1999}) { title } }",
            Some(&vars),
            Some("M"),
        )
        .unwrap();
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["data"]["insertOneMovie"]["title"], title.as_str());
    let logged = last(&emu, "POST", GRAPHQL);
    assert_eq!(
        logged["headers"]["content-length"],
        logged["body"].as_str().unwrap().len().to_string()
    );
    let out = c
        .graphql(
            "query Q($t: String!) { movies(query: {title: $t}) { title year } }",
            Some(&vars),
            None,
        )
        .unwrap();
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["data"]["movies"], json!([{"title": title, "year": 1999}]));
    assert_eq!(emu.count("POST", GRAPHQL), 2);
}

#[test]
fn a_chunked_answer_is_read_whole_and_the_connection_kept() {
    let emu = Emulator::start();
    let c = logged_in(&emu, json!({}));
    let envelope = json!({"data": {"movies": [{"title": "x".repeat(70_000)}]}}).to_string();
    emu.fault(
        "POST",
        GRAPHQL,
        1,
        json!({"kind": "respond", "status": 200, "content_type": "application/json",
               "body": envelope, "headers": {"transfer-encoding": "chunked"}}),
    );
    assert_eq!(c.graphql(MOVIES, None, None).unwrap(), envelope);
    c.graphql(MOVIES, None, None).unwrap();
    assert_eq!(emu.count("POST", GRAPHQL), 2);
}

#[test]
fn connection_close_and_unannounced_closes_cost_no_request() {
    let emu = Emulator::start();
    let c = logged_in(&emu, json!({}));
    emu.clear_requests();
    emu.fault(
        "POST",
        GRAPHQL,
        1,
        json!({"kind": "respond", "status": 200, "content_type": "application/json",
               "body": r#"{"data":{}}"#, "headers": {"connection": "close"}}),
    );
    assert_eq!(c.graphql(MOVIES, None, None).unwrap(), r#"{"data":{}}"#);
    // The next call opens a new connection instead of writing to the closed one.
    c.graphql(MOVIES, None, None).unwrap();
    emu.fault("POST", GRAPHQL, 1, json!({"kind": "close_after"}));
    c.graphql(MOVIES, None, None).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    c.graphql(MOVIES, None, None).unwrap();
    assert_eq!(emu.count("POST", GRAPHQL), 4);
    // A head that breaks HTTP's framing rules is a protocol error, and the handle stays usable.
    emu.fault(
        "POST",
        GRAPHQL,
        1,
        json!({"kind": "respond", "status": 200, "content_type": "application/json",
               "body": r#"{"data":{}}"#, "headers": {"content-length": "abc"}}),
    );
    let err = c.graphql(MOVIES, None, None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Protocol, "{err:?}");
    assert!(
        err.message.contains("an invalid Content-Length"),
        "{}",
        err.message
    );
    c.graphql(MOVIES, None, None).unwrap();
}

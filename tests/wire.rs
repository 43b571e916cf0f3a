//! What goes over the wire: the request heads the server sees, bodies larger than a
//! connection's buffers both ways, chunked answers, and connections the server ends.

mod support;

use realm_client::{ClientOptions, Credentials, ErrorKind};
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

/// What a scripted server does with the `n`th request (counted from 0) on connection `conn`.
enum Act {
    Answer(String),
    /// Close the connection without a word, as a server whose idle timeout just ran out.
    Close,
}

/// The (connection, request line) pairs a scripted server saw.
type Seen = std::sync::Arc<std::sync::Mutex<Vec<(usize, String)>>>;

/// A server on 127.0.0.1 that reads whole requests and acts as `script` says; returns its URL
/// and what it saw. Its threads end with the test process.
fn scripted(script: impl Fn(usize, usize, &str) -> Act + Send + Sync + 'static) -> (String, Seen) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let script = std::sync::Arc::new(script);
    std::thread::spawn(move || {
        for (conn, stream) in listener.incoming().enumerate() {
            let Ok(stream) = stream else { return };
            let (log, script) = (log.clone(), script.clone());
            std::thread::spawn(move || {
                let mut out = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                for n in 0.. {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let mut length = 0;
                    loop {
                        let mut header = String::new();
                        reader.read_line(&mut header).unwrap();
                        if header == "\r\n" {
                            break;
                        }
                        if let Some(v) = header.to_ascii_lowercase().strip_prefix("content-length:")
                        {
                            length = v.trim().parse().unwrap();
                        }
                    }
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body).unwrap();
                    let line = line.trim_end().to_string();
                    log.lock().unwrap().push((conn, line.clone()));
                    match script(conn, n, &line) {
                        Act::Answer(text) => out.write_all(text.as_bytes()).unwrap(),
                        Act::Close => return,
                    }
                }
            });
        }
    });
    (url, seen)
}

fn json_answer(body: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

const LOGIN_ANSWER: &str =
    r#"{"access_token":"a.b.c","refresh_token":"r.s.t","user_id":"u1","device_id":"d1"}"#;

#[test]
fn a_get_on_a_connection_the_server_just_closed_is_sent_again_once_a_post_never() {
    // Connection 0: the login is answered, then the server closes instead of answering the
    // profile GET. Connection 1 answers everything but closes on the first GraphQL POST.
    let (url, seen) = scripted(|conn, n, line| match (conn, n) {
        (0, 0) => Act::Answer(json_answer(LOGIN_ANSWER)),
        (0, _) => Act::Close,
        (1, _) if line.starts_with("POST") && line.contains("/graphql") => Act::Close,
        (_, _) if line.contains("/profile") => Act::Answer(json_answer(r#"{"data":{}}"#)),
        _ => Act::Answer(json_answer(r#"{"data":{"n":1}}"#)),
    });
    let options = ClientOptions::from_json(Some(
        &json!({"base_url": url, "skip_location": true}).to_string(),
    ))
    .unwrap();
    let c = realm_client::Client::new(APP, options).unwrap();
    c.login(realm_client::Credentials::email_password(EMAIL, PASSWORD).unwrap())
        .unwrap();
    let profile = "GET /api/client/v2.0/auth/profile HTTP/1.1".to_string();
    assert_eq!(
        seen.lock().unwrap()[1..],
        [(0, profile.clone()), (1, profile)],
        "the profile GET went out twice, the second time on a new connection"
    );
    let err = c.graphql(MOVIES, None, None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Network, "{err:?}");
    assert!(err.message.contains("without answering"), "{}", err.message);
    let graphql: Vec<_> = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, l)| l.contains("/graphql"))
        .cloned()
        .collect();
    assert_eq!(graphql.len(), 1, "a POST is never sent twice: {graphql:?}");
    // The next call gets a new connection.
    c.graphql(MOVIES, None, None).unwrap();
}

#[test]
fn tokens_in_answers_that_are_not_what_was_expected_never_reach_an_error_message() {
    let emu = Emulator::start();
    let c = logged_in(&emu, json!({}));
    let token = c.access_token().unwrap().expose().to_string();
    let leaked = |err: &realm_client::Error, token: &str| {
        err.message.contains(&token[..24]) || err.message.contains(&token[token.len() - 24..])
    };
    // A login answer with the tokens, but labelled as text, or as an error page.
    let tokens = json!({"access_token": "opaque-access-0123456789abcdef0123456789",
                        "refresh_token": token, "user_id": "u", "device_id": "d"})
    .to_string();
    for (status, ct) in [
        (200, "text/plain"),
        (500, "text/html"),
        (200, "application/json"),
    ] {
        let body = if ct == "application/json" {
            format!("[{tokens}]")
        } else {
            tokens.clone()
        };
        emu.fault(
            "POST",
            &login_path("local-userpass"),
            1,
            json!({"kind": "respond", "status": status, "content_type": ct, "body": body}),
        );
        let err = c
            .login(Credentials::email_password(EMAIL, PASSWORD).unwrap())
            .unwrap_err();
        assert!(!leaked(&err, &token), "{status} {ct}: {}", err.message);
        assert!(!err.message.contains("0123456789abcdef"), "{}", err.message);
    }
    // A redirect whose unusable Location carries the access token.
    for location in [
        format!("ftp://x.example/?t={token}"),
        format!("/x?t={token} y"),
        format!("/é?t={token}"),
    ] {
        emu.fault(
            "POST",
            GRAPHQL,
            1,
            json!({"kind": "redirect", "status": 307, "location": location}),
        );
        let err = c.graphql(MOVIES, None, None).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Protocol, "{location}: {err:?}");
        assert_eq!(err.http_status, 307);
        assert!(!leaked(&err, &token), "{}", err.message);
    }
}

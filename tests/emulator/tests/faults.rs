//! Every fault kind, checked on the wire with a raw TCP client.

mod common;

use common::*;
use realm_emulator::{Fault, FaultAction};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Read;
use std::time::{Duration, Instant};

fn fault(emu: &realm_emulator::Emulator, method: Option<&str>, count: u32, action: FaultAction) {
    let mut f = Fault::new(LOCATION, action).count(count);
    if let Some(m) = method {
        f = f.method(m);
    }
    emu.add_fault(f).unwrap();
}

fn last_status(emu: &realm_emulator::Emulator) -> u16 {
    emu.requests().last().expect("a logged request").status
}

#[test]
fn respond_replaces_the_answer() {
    let emu = demo();
    let mut headers = BTreeMap::new();
    headers.insert("retry-after".to_string(), "3".to_string());
    fault(
        &emu,
        Some("GET"),
        1,
        FaultAction::Respond {
            status: 503,
            body: "<html>down</html>".into(),
            content_type: Some("text/html".into()),
            headers,
        },
    );
    let r = get(&emu, LOCATION);
    assert_eq!(r.status, 503);
    assert_eq!(r.text(), "<html>down</html>");
    assert_eq!(r.header("content-type"), Some("text/html"));
    assert_eq!(r.header("retry-after"), Some("3"));
    assert_eq!(last_status(&emu), 503);
    // Used up: the next one is real.
    assert_eq!(get(&emu, LOCATION).status, 200);

    fault(
        &emu,
        None,
        1,
        FaultAction::Respond {
            status: 401,
            body: String::new(),
            content_type: None,
            headers: BTreeMap::new(),
        },
    );
    let r = get(&emu, LOCATION);
    assert_eq!(r.status, 401);
    assert_eq!(r.header("content-type"), None);
    assert!(r.body.is_empty());
}

#[test]
fn count_and_method_matching() {
    let emu = demo();
    fault(&emu, Some("POST"), 2, FaultAction::Drop);
    // A GET does not match a POST fault.
    assert_eq!(get(&emu, LOCATION).status, 200);
    assert_eq!(emu.faults()[0].fault.count, 2);
    // The query string is not part of the match.
    fault(
        &emu,
        None,
        2,
        FaultAction::Respond {
            status: 500,
            body: "x".into(),
            content_type: None,
            headers: BTreeMap::new(),
        },
    );
    let faults = emu.faults();
    assert_eq!(faults.len(), 2);
    // The first matching fault wins: the POST one is skipped for GETs.
    assert_eq!(get(&emu, &format!("{LOCATION}?a=1")).status, 500);
    assert_eq!(get(&emu, LOCATION).status, 500);
    assert_eq!(get(&emu, LOCATION).status, 200);
    emu.clear_faults();
    assert!(emu.faults().is_empty());
}

#[test]
fn delay_then_normal() {
    let emu = demo();
    fault(&emu, None, 1, FaultAction::Delay { ms: 400 });
    let t = Instant::now();
    let r = get(&emu, LOCATION);
    assert!(t.elapsed() >= Duration::from_millis(400));
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["location"], "US-VA");
}

#[test]
fn drop_sends_nothing() {
    let emu = demo();
    fault(&emu, None, 1, FaultAction::Drop);
    let mut c = Conn::open(&emu);
    c.send("GET", LOCATION, &[], b"");
    let mut buf = Vec::new();
    let n = c.stream.read_to_end(&mut buf).unwrap_or(0);
    assert_eq!(n, 0, "{:?}", String::from_utf8_lossy(&buf));
    let logged = emu.requests();
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].status, 0);
}

#[test]
fn drop_mid_body_sends_half() {
    let emu = demo();
    let body = "0123456789".repeat(10);
    fault(
        &emu,
        None,
        1,
        FaultAction::DropMidBody {
            status: 200,
            body: Some(body.clone()),
        },
    );
    let mut c = Conn::open(&emu);
    c.send("GET", LOCATION, &[], b"");
    let mut buf = Vec::new();
    let _ = c.stream.read_to_end(&mut buf);
    let text = String::from_utf8(buf).unwrap();
    let (head, got) = text.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    assert!(head.contains("content-length: 100"), "{head}");
    assert!(head.contains("content-type: application/json"), "{head}");
    assert_eq!(got, &body[..50]);
    assert_eq!(last_status(&emu), 200);
    // Default body.
    fault(
        &emu,
        None,
        1,
        FaultAction::DropMidBody {
            status: 500,
            body: None,
        },
    );
    let mut c = Conn::open(&emu);
    c.send("GET", LOCATION, &[], b"");
    assert!(c.read_response("GET").is_err());
}

#[test]
fn trickle_sends_slowly() {
    let emu = demo();
    fault(
        &emu,
        None,
        1,
        FaultAction::Trickle {
            bytes_per_sec: 20,
            status: 200,
            body: Some("{\"a\":1}".into()),
        },
    );
    let t = Instant::now();
    let mut c = Conn::open(&emu);
    c.send("GET", LOCATION, &[], b"");
    let r = c.read_response("GET").unwrap();
    // 7 bytes at 20 B/s: at least ~300 ms.
    assert!(
        t.elapsed() >= Duration::from_millis(300),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "{\"a\":1}");
    assert_eq!(r.header("content-length"), Some("7"));
}

#[test]
fn trickle_headers_come_first() {
    let emu = demo();
    fault(
        &emu,
        None,
        1,
        FaultAction::Trickle {
            bytes_per_sec: 1,
            status: 202,
            body: Some("x".repeat(100)),
        },
    );
    let mut c = Conn::open(&emu);
    c.stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    c.send("GET", LOCATION, &[], b"");
    let mut buf = [0u8; 4096];
    let n = c.stream.read(&mut buf).unwrap();
    let head = String::from_utf8_lossy(&buf[..n]);
    assert!(head.starts_with("HTTP/1.1 202"), "{head}");
    // Dropping the client mid-trickle must not disturb the emulator.
    drop(c);
    assert_eq!(get(&emu, LOCATION).status, 200);
}

#[test]
fn stall_holds_until_client_leaves_and_does_not_block_shutdown() {
    let emu = demo();
    fault(&emu, None, 2, FaultAction::Stall);
    let mut c = Conn::open(&emu);
    c.stream
        .set_read_timeout(Some(Duration::from_millis(800)))
        .unwrap();
    c.send("GET", LOCATION, &[], b"");
    let mut b = [0u8; 1];
    let e = c.stream.read(&mut b).unwrap_err();
    assert!(matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    ));
    // Logged on arrival, no status yet.
    assert_eq!(emu.requests()[0].status, 0);
    drop(c);
    // A second stalled request still open when the emulator stops.
    let mut c2 = Conn::open(&emu);
    c2.send("GET", LOCATION, &[], b"");
    std::thread::sleep(Duration::from_millis(200));
    let t = Instant::now();
    drop(emu);
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    assert!(c2.is_closed());
}

#[test]
fn oversized_is_exact_valid_json() {
    let emu = demo();
    fault(&emu, None, 1, FaultAction::Oversized { bytes: 3_000_000 });
    let r = get(&emu, LOCATION);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.body.len(), 3_000_000);
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert!(v["padding"].is_string());
}

#[test]
fn redirect_statuses() {
    let emu = demo();
    for status in [301, 302, 307, 308] {
        fault(
            &emu,
            None,
            1,
            FaultAction::Redirect {
                status,
                location: "http://127.0.0.1:9/elsewhere".into(),
            },
        );
        let r = get(&emu, LOCATION);
        assert_eq!(r.status, status);
        assert_eq!(r.header("location"), Some("http://127.0.0.1:9/elsewhere"));
        assert!(r.body.is_empty());
    }
    let bad = Fault::new(
        LOCATION,
        FaultAction::Redirect {
            status: 303,
            location: "x".into(),
        },
    );
    assert!(emu.add_fault(bad).is_err());
}

#[test]
fn close_after_answers_then_closes_silently() {
    let emu = demo();
    fault(&emu, None, 1, FaultAction::CloseAfter);
    let mut c = Conn::open(&emu);
    let r = c.request("GET", LOCATION, &[], "");
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["location"], "US-VA");
    assert_eq!(r.header("connection"), None);
    assert!(c.is_closed());
    // Without the fault the connection is kept alive for several requests.
    let mut c = Conn::open(&emu);
    for _ in 0..3 {
        assert_eq!(c.request("GET", LOCATION, &[], "").status, 200);
    }
}

#[test]
fn faults_over_http_control() {
    let emu = demo();
    let body = json!({"method": "POST", "path": SESSION, "count": 1,
                      "action": {"kind": "respond", "status": 503, "body": "busy",
                                 "content_type": null}});
    let r = post_json(&emu, "/_emulator/faults", &body);
    assert_eq!(r.status, 200);
    assert!(r.json()["id"].as_u64().is_some());
    let list = get(&emu, "/_emulator/faults").json();
    assert_eq!(list["faults"][0]["path"], SESSION);
    assert_eq!(list["faults"][0]["action"]["kind"], "respond");
    let r = call(&emu, "POST", SESSION, &[], "");
    assert_eq!(r.status, 503);
    assert_eq!(r.text(), "busy");
    assert_eq!(r.header("content-type"), None);
    // Invalid ones are refused.
    for bad in [
        json!({"path": SESSION, "action": {"kind": "explode"}}),
        json!({"path": SESSION, "count": 0, "action": {"kind": "drop"}}),
        json!({"action": {"kind": "drop"}}),
    ] {
        assert_eq!(
            post_json(&emu, "/_emulator/faults", &bad).status,
            400,
            "{bad}"
        );
    }
    post_json(
        &emu,
        "/_emulator/faults",
        &json!({"path": SESSION, "action": {"kind": "stall"}}),
    );
    assert_eq!(
        call(&emu, "DELETE", "/_emulator/faults", &[], "").status,
        200
    );
    assert!(emu.faults().is_empty());
    // Every kind parses from its README form.
    for action in [
        json!({"kind":"delay","ms":1}),
        json!({"kind":"stall"}),
        json!({"kind":"drop"}),
        json!({"kind":"drop_mid_body","status":200}),
        json!({"kind":"trickle","bytes_per_sec":1,"status":200,"body":"..."}),
        json!({"kind":"oversized","bytes":10}),
        json!({"kind":"redirect","status":301,"location":"http://127.0.0.1:1/"}),
        json!({"kind":"close_after"}),
        json!({"kind":"respond","status":503,"body":"...","content_type":"text/html","headers":{}}),
    ] {
        let r = post_json(
            &emu,
            "/_emulator/faults",
            &json!({"path": "/x", "action": action}),
        );
        assert_eq!(r.status, 200, "{action}: {}", r.text());
    }
    assert_eq!(emu.faults().len(), 9);
}

#[test]
fn faults_apply_to_real_routes_with_bodies() {
    let emu = demo();
    let v = login_demo(&emu);
    emu.add_fault(Fault::new(GRAPHQL, FaultAction::CloseAfter).method("POST"))
        .unwrap();
    let mut c = Conn::open(&emu);
    let auth = bearer(v["access_token"].as_str().unwrap());
    let r = c.request(
        "POST",
        GRAPHQL,
        &[("authorization", &auth)],
        r#"{"query":"{ movies { title } }"}"#,
    );
    assert_eq!(r.status, 200);
    assert!(r.json()["data"]["movies"].is_array());
    assert!(c.is_closed());
}

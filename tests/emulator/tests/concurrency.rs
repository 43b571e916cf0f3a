//! Many keep-alive connections at once, and the handle shared between threads.

mod common;

use common::*;
use realm_emulator::Emulator;
use std::sync::Arc;

#[test]
fn handle_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Emulator>();
}

#[test]
fn concurrent_keep_alive_clients() {
    let emu = Arc::new(demo());
    let token = login_demo(&emu)["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let emu = emu.clone();
            let auth = bearer(&token);
            std::thread::spawn(move || {
                let mut c = Conn::open(&emu);
                for j in 0..50 {
                    let body = format!(
                        r#"{{"query":"query($n: Int) {{ movies(limit: $n) {{ title }} }}","variables":{{"n":{}}}}}"#,
                        (i + j) % 5 + 1
                    );
                    let r = c.request(
                        "POST",
                        GRAPHQL,
                        &[("authorization", &auth), ("content-type", "application/json")],
                        &body,
                    );
                    assert_eq!(r.status, 200);
                    let n = r.json()["data"]["movies"].as_array().unwrap().len();
                    assert_eq!(n, (i + j) % 5 + 1);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(emu.count("POST", GRAPHQL), 400);
}

#[test]
fn start_on_a_taken_port_fails() {
    let emu = demo();
    let err = Emulator::start_on("127.0.0.1", emu.port(), realm_emulator::Config::demo());
    assert!(err.is_err());
}

//! An HTTP CONNECT proxy named by the environment (`HTTPS_PROXY`, as ureq reads it) carries
//! every request, over one tunnel. Its own test binary: the environment is the process's.

mod support;

use serde_json::json;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use support::*;

/// A CONNECT proxy on 127.0.0.1; returns its URL and the request lines it was sent.
fn connect_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    // The threads end with the test process.
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { return };
            let log = log.clone();
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read(&mut byte).unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).to_string();
                let line = head.lines().next().unwrap_or_default().to_string();
                log.lock().unwrap().push(line.clone());
                let target = line.split(' ').nth(1).unwrap_or_default().to_string();
                let Ok(mut server) = TcpStream::connect(&target) else {
                    let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n");
                    return;
                };
                client
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .unwrap();
                let (mut c2, mut s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut s2, &mut c2);
                    let _ = c2.shutdown(std::net::Shutdown::Write);
                });
                let _ = std::io::copy(&mut client, &mut server);
                let _ = server.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    (url, seen)
}

#[test]
fn a_connect_proxy_from_the_environment_carries_every_request_over_one_tunnel() {
    // Started before the variables are set: the emulator's control client goes direct.
    let emu = Emulator::start();
    let (proxy, seen) = connect_proxy();
    for name in [
        "ALL_PROXY",
        "all_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        std::env::remove_var(name);
    }
    std::env::set_var("HTTPS_PROXY", &proxy);
    let c = logged_in(&emu, json!({}));
    let out = c.graphql(MOVIES, None, None).unwrap();
    assert!(out.starts_with(r#"{"data":{"movies":["#), "{out}");
    let port = emu.url.rsplit(':').next().unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        [format!("CONNECT 127.0.0.1:{port} HTTP/1.1")],
        "location, login, profile and the query share one tunnel"
    );
    assert_eq!(emu.count("GET", LOCATION), 1);
    assert_eq!(emu.count("POST", &login_path("local-userpass")), 1);
    assert_eq!(emu.count("GET", PROFILE), 1);
    assert_eq!(emu.count("POST", GRAPHQL), 1);
}

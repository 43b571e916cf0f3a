//! The `realm-emulator` binary: first line, config file, and every way it stops.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn spawn(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_realm-emulator"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn the emulator");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim_end()
        .strip_prefix("listening on http://127.0.0.1:")
        .map(|port| format!("127.0.0.1:{port}"))
        .unwrap_or_else(|| panic!("first line {line:?}"));
    (child, url)
}

fn http_get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

fn wait_exit(child: &mut Child, within: Duration) -> std::process::ExitStatus {
    let t = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if t.elapsed() > within {
            let _ = child.kill();
            panic!("the emulator did not stop within {within:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn serves_demo_and_stops_on_stdin_eof() {
    let (mut child, addr) = spawn(&["--port", "0"]);
    let resp = http_get(&addr, "/api/client/v2.0/app/demo-abcde/location");
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(
        resp.contains(&format!("\"hostname\":\"http://{addr}\"")),
        "{resp}"
    );
    drop(child.stdin.take());
    assert!(wait_exit(&mut child, Duration::from_secs(15)).success());
}

#[test]
fn stops_on_sigterm_even_with_a_stalled_request() {
    let (mut child, addr) = spawn(&["--port", "0", "--no-stdin-watch"]);
    let mut s = TcpStream::connect(&addr).unwrap();
    let fault = r#"{"path":"/api/client/v2.0/app/demo-abcde/location","action":{"kind":"stall"}}"#;
    write!(
        s,
        "POST /_emulator/faults HTTP/1.1\r\nhost: x\r\ncontent-length: {}\r\n\r\n{fault}",
        fault.len()
    )
    .unwrap();
    let mut buf = [0u8; 1024];
    assert!(s.read(&mut buf).unwrap() > 0);
    write!(
        s,
        "GET /api/client/v2.0/app/demo-abcde/location HTTP/1.1\r\nhost: x\r\n\r\n"
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // Closing stdin does nothing with --no-stdin-watch.
    drop(child.stdin.take());
    std::thread::sleep(Duration::from_millis(300));
    assert!(child.try_wait().unwrap().is_none());
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    assert!(wait_exit(&mut child, Duration::from_secs(15)).success());
}

#[test]
fn stops_on_sigint() {
    let (mut child, _) = spawn(&["--no-stdin-watch"]);
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(wait_exit(&mut child, Duration::from_secs(15)).success());
}

#[test]
fn config_file_and_bad_arguments() {
    let dir = std::env::temp_dir().join(format!("realm-emulator-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.json");
    std::fs::write(
        &path,
        r#"{"client_app_id": "other-app", "providers": {"anon-user": {}}}"#,
    )
    .unwrap();
    let (mut child, addr) = spawn(&["--config", path.to_str().unwrap(), "--host", "127.0.0.1"]);
    assert!(http_get(&addr, "/api/client/v2.0/app/other-app/location").starts_with("HTTP/1.1 200"));
    assert!(http_get(&addr, "/api/client/v2.0/app/demo-abcde/location").starts_with("HTTP/1.1 404"));
    drop(child.stdin.take());
    wait_exit(&mut child, Duration::from_secs(15));

    for args in [&["--port", "notaport"][..], &["--bogus"][..]] {
        let out = Command::new(env!("CARGO_BIN_EXE_realm-emulator"))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    std::fs::write(&path, "{not json").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_realm-emulator"))
        .args(["--config", path.to_str().unwrap()])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

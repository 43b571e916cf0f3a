//! GraphQL throughput: N client threads, each with one keep-alive connection, log in once and
//! then POST a GraphQL query as fast as the emulator answers, for a fixed time.
//!
//! cargo run --release -p realm-emulator --example bench -- [--threads 4] [--secs 5]
//!     [--url http://127.0.0.1:PORT]   (default: an in-process emulator with the demo config)

use realm_emulator::{Config, Emulator};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const QUERY: &str = r#"{"query":"{ movies(query: {year_gte: 2000}, limit: 3, sortBy: TITLE_ASC) { _id title year genres } }"}"#;

struct Client {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Client {
    fn connect(addr: &str) -> Client {
        let stream = TcpStream::connect(addr).expect("connect");
        stream.set_nodelay(true).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        Client {
            stream,
            buf: Vec::with_capacity(8192),
        }
    }

    /// Sends one POST and returns (status, body). Keep-alive; Content-Length bodies only, which
    /// is all the emulator sends for these routes.
    fn post(&mut self, path: &str, auth: Option<&str>, body: &str) -> (u16, Vec<u8>) {
        let mut req = format!(
            "POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
            body.len()
        );
        if let Some(a) = auth {
            req.push_str("authorization: Bearer ");
            req.push_str(a);
            req.push_str("\r\n");
        }
        req.push_str("\r\n");
        req.push_str(body);
        self.stream.write_all(req.as_bytes()).expect("write");
        let head_end = loop {
            if let Some(i) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            self.fill();
        };
        let head = std::str::from_utf8(&self.buf[..head_end])
            .unwrap()
            .to_ascii_lowercase();
        let status: u16 = head[9..12].parse().unwrap();
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .map(|v| v.trim().parse().unwrap())
            .unwrap_or(0);
        while self.buf.len() < head_end + len {
            self.fill();
        }
        let body = self.buf[head_end..head_end + len].to_vec();
        self.buf.drain(..head_end + len);
        (status, body)
    }

    fn fill(&mut self) {
        let mut chunk = [0u8; 16384];
        let n = self.stream.read(&mut chunk).expect("read");
        assert!(n > 0, "connection closed");
        self.buf.extend_from_slice(&chunk[..n]);
    }
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() {
    let threads: usize = arg("--threads").map_or(4, |v| v.parse().unwrap());
    let secs: u64 = arg("--secs").map_or(5, |v| v.parse().unwrap());
    let (_emulator, url) = match arg("--url") {
        Some(u) => (None, u),
        None => {
            let e = Emulator::start(Config::demo());
            let u = e.url();
            (Some(e), u)
        }
    };
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let app = "demo-abcde";
    let login_path = format!("/api/client/v2.0/app/{app}/auth/providers/local-userpass/login");
    let gql_path = format!("/api/client/v2.0/app/{app}/graphql");

    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (addr, login_path, gql_path) = (addr.clone(), login_path.clone(), gql_path.clone());
            let (stop, done, failed) = (stop.clone(), done.clone(), failed.clone());
            std::thread::spawn(move || {
                let mut c = Client::connect(&addr);
                let (status, body) = c.post(
                    &login_path,
                    None,
                    r#"{"username":"demo@example.com","password":"demo-password"}"#,
                );
                assert_eq!(status, 200, "login failed");
                let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
                let token = v["access_token"].as_str().unwrap().to_string();
                while !stop.load(Ordering::Relaxed) {
                    let (status, body) = c.post(&gql_path, Some(&token), QUERY);
                    if status == 200 && body.starts_with(b"{\"data\":{\"movies\":[") {
                        done.fetch_add(1, Ordering::Relaxed);
                    } else {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(secs));
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        h.join().unwrap();
    }
    let elapsed = start.elapsed().as_secs_f64();
    let n = done.load(Ordering::Relaxed);
    println!(
        "{n} GraphQL requests in {elapsed:.2} s with {threads} keep-alive connections: {:.0} req/s ({} failed)",
        n as f64 / elapsed,
        failed.load(Ordering::Relaxed)
    );
}

//! A minimal blocking HTTP/1.1 client over a raw TcpStream: exact control of the connection,
//! which the fault tests need, and no dependency on a client library's interpretation.
#![allow(dead_code)]

use realm_emulator::{Config, Emulator};
use serde_json::{json, Value};
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

pub const APP: &str = "demo-abcde";
pub const SESSION: &str = "/api/client/v2.0/auth/session";
pub const PROFILE: &str = "/api/client/v2.0/auth/profile";
pub const GRAPHQL: &str = "/api/client/v2.0/app/demo-abcde/graphql";
pub const LOCATION: &str = "/api/client/v2.0/app/demo-abcde/location";
pub const DEMO_USER: &str = "5f00000000000000000000b1";

pub fn login_path(provider: &str) -> String {
    format!("/api/client/v2.0/app/{APP}/auth/providers/{provider}/login")
}

pub fn demo() -> Emulator {
    Emulator::start(Config::demo())
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("utf-8 body")
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text()))
    }
}

/// One keep-alive connection: plain TCP, or any other byte stream (TLS in tests/tls.rs).
pub struct Conn<S = TcpStream> {
    pub stream: S,
    buf: Vec<u8>,
}

pub fn host_port(url: &str) -> &str {
    url.strip_prefix("http://").expect("http url")
}

impl Conn {
    pub fn open(emu: &Emulator) -> Conn {
        let stream = TcpStream::connect(host_port(&emu.url())).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        stream.set_nodelay(true).unwrap();
        Conn {
            stream,
            buf: Vec::new(),
        }
    }

    pub fn from_stream(stream: TcpStream) -> Conn {
        Conn::over(stream)
    }
}

impl<S: Read + Write> Conn<S> {
    pub fn over(stream: S) -> Conn<S> {
        Conn {
            stream,
            buf: Vec::new(),
        }
    }

    pub fn send(&mut self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) {
        let mut req = format!("{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\n");
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        if !body.is_empty() || method == "POST" || method == "PUT" {
            req.push_str(&format!("content-length: {}\r\n", body.len()));
        }
        req.push_str("\r\n");
        let mut bytes = req.into_bytes();
        bytes.extend_from_slice(body);
        self.stream.write_all(&bytes).expect("write request");
    }

    fn fill(&mut self) -> io::Result<usize> {
        let mut chunk = [0u8; 16384];
        let n = self.stream.read(&mut chunk)?;
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n)
    }

    /// Reads one response; an error if the connection ends before it is complete.
    pub fn read_response(&mut self, method: &str) -> io::Result<Resp> {
        let head_end = loop {
            if let Some(i) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i;
            }
            if self.fill()? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("EOF after {} header bytes", self.buf.len()),
                ));
            }
        };
        let head = String::from_utf8(self.buf[..head_end].to_vec()).expect("ascii head");
        self.buf.drain(..head_end + 4);
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap();
        let status: u16 = status_line.split(' ').nth(1).unwrap().parse().unwrap();
        let headers: Vec<(String, String)> = lines
            .map(|l| {
                let (k, v) = l.split_once(':').unwrap();
                (k.trim().to_ascii_lowercase(), v.trim().to_string())
            })
            .collect();
        let get = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        let no_body = method == "HEAD" || status == 204 || status == 304 || status < 200;
        let body = if no_body {
            Vec::new()
        } else if let Some(len) = get("content-length") {
            let len: usize = len.parse().unwrap();
            while self.buf.len() < len {
                if self.fill()? == 0 {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!("EOF after {} of {len} body bytes", self.buf.len()),
                    ));
                }
            }
            self.buf.drain(..len).collect()
        } else if get("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
            self.read_chunked()?
        } else {
            while self.fill()? > 0 {}
            std::mem::take(&mut self.buf)
        };
        Ok(Resp {
            status,
            headers,
            body,
        })
    }

    fn read_chunked(&mut self) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        loop {
            let line_end = loop {
                if let Some(i) = self.buf.windows(2).position(|w| w == b"\r\n") {
                    break i;
                }
                if self.fill()? == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
            };
            let size = usize::from_str_radix(
                std::str::from_utf8(&self.buf[..line_end]).unwrap().trim(),
                16,
            )
            .unwrap();
            self.buf.drain(..line_end + 2);
            while self.buf.len() < size + 2 {
                if self.fill()? == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
            }
            out.extend(self.buf.drain(..size));
            self.buf.drain(..2);
            if size == 0 {
                return Ok(out);
            }
        }
    }

    pub fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Resp {
        self.send(method, path, headers, body.as_bytes());
        self.read_response(method).expect("a complete response")
    }

    /// Whether the server has closed the connection (EOF, or reset) within the read timeout.
    pub fn is_closed(&mut self) -> bool {
        let mut b = [0u8; 1];
        match self.stream.read(&mut b) {
            Ok(0) => true,
            Ok(_) => false,
            Err(e) => !matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ),
        }
    }
}

/// One request on a fresh connection.
pub fn call(
    emu: &Emulator,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Resp {
    Conn::open(emu).request(method, path, headers, body)
}

pub fn get(emu: &Emulator, path: &str) -> Resp {
    call(emu, "GET", path, &[], "")
}

pub fn post_json(emu: &Emulator, path: &str, body: &Value) -> Resp {
    call(
        emu,
        "POST",
        path,
        &[("content-type", "application/json")],
        &body.to_string(),
    )
}

pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

pub fn with_bearer(emu: &Emulator, method: &str, path: &str, token: &str, body: &str) -> Resp {
    let auth = bearer(token);
    call(
        emu,
        method,
        path,
        &[
            ("authorization", &auth),
            ("content-type", "application/json"),
        ],
        body,
    )
}

/// Logs in and returns the 200 body.
pub fn login(emu: &Emulator, provider: &str, body: Value) -> Value {
    let r = post_json(emu, &login_path(provider), &body);
    assert_eq!(r.status, 200, "login {provider}: {}", r.text());
    r.json()
}

pub fn login_demo(emu: &Emulator) -> Value {
    login(
        emu,
        "local-userpass",
        json!({"username": "demo@example.com", "password": "demo-password"}),
    )
}

/// The payload of a JWT, unverified.
pub fn claims(token: &str) -> Value {
    use base64::Engine;
    let p = token.split('.').nth(1).expect("3 segments");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(p)
        .expect("base64url");
    serde_json::from_slice(&bytes).unwrap()
}

/// Asserts the standard error body and returns it.
pub fn assert_error(r: &Resp, status: u16, code: &str, error: &str) -> Value {
    assert_eq!(r.status, status, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v = r.json();
    assert_eq!(v["error_code"], code, "{v}");
    assert_eq!(v["error"], error, "{v}");
    let link = v["link"].as_str().expect("link");
    assert!(
        link.starts_with("http://127.0.0.1:")
            && link.contains(
                "/groups/5f0000000000000000000001/apps/5f00000000000000000000a1/logs?co_id="
            ),
        "{link}"
    );
    v
}

pub fn gql(emu: &Emulator, token: &str, body: Value) -> Resp {
    with_bearer(emu, "POST", GRAPHQL, token, &body.to_string())
}

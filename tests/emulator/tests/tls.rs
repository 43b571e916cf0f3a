//! HTTPS: the emulator with a certificate made here (rcgen), checked with a rustls client over a
//! blocking socket: the routes, keep-alive, every fault kind that acts on the connection, failed
//! handshakes, and the binary's `--tls-cert` / `--tls-key`.

mod common;

use common::*;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use realm_emulator::{Config, Emulator, Fault, FaultAction, TlsIdentity};
use serde_json::json;
use std::io::{BufRead, BufReader, Read};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{self, ClientConfig, ClientConnection, RootCertStore, StreamOwned};

type TlsConn = Conn<StreamOwned<ClientConnection, TcpStream>>;

/// A CA, and a leaf for IP 127.0.0.1 signed by it (PEM).
struct Pki {
    ca_der: CertificateDer<'static>,
    leaf_pem: String,
    key_pem: String,
}

static NEXT_CA: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

fn pki() -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    // A name of its own: CAs of the same name would be told apart by signature only.
    let n = NEXT_CA.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    ca.distinguished_name
        .push(DnType::CommonName, format!("realm-emulator test CA {n}"));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let mut leaf = CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
    leaf.distinguished_name
        .push(DnType::CommonName, "127.0.0.1");
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).unwrap();
    Pki {
        ca_der: ca_cert.der().clone(),
        leaf_pem: leaf_cert.pem(),
        key_pem: leaf_key.serialize_pem(),
    }
}

fn client_config(trusted: &CertificateDer<'static>) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    roots.add(trusted.clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Arc::new(cfg)
}

fn https_host_port(url: &str) -> &str {
    url.strip_prefix("https://").expect("https url")
}

fn tls_stream(
    addr: &str,
    cfg: Arc<ClientConfig>,
) -> std::io::Result<StreamOwned<ClientConnection, TcpStream>> {
    let tcp = TcpStream::connect(addr)?;
    tcp.set_read_timeout(Some(Duration::from_secs(30)))?;
    tcp.set_nodelay(true)?;
    let name = ServerName::try_from("127.0.0.1").unwrap().to_owned();
    let conn = ClientConnection::new(cfg, name).unwrap();
    let mut s = StreamOwned::new(conn, tcp);
    // Complete the handshake now, so that a rejected certificate shows here.
    while s.conn.is_handshaking() {
        s.conn.complete_io(&mut s.sock)?;
    }
    Ok(s)
}

struct Tls {
    emu: Emulator,
    cfg: Arc<ClientConfig>,
}

impl Tls {
    fn start() -> Tls {
        let p = pki();
        let id = TlsIdentity::from_pem(p.leaf_pem.as_bytes(), p.key_pem.as_bytes()).unwrap();
        Tls {
            emu: Emulator::start_tls(Config::demo(), id),
            cfg: client_config(&p.ca_der),
        }
    }

    fn conn(&self) -> TlsConn {
        let s = tls_stream(https_host_port(&self.emu.url()), self.cfg.clone())
            .expect("TLS handshake with the emulator");
        Conn::over(s)
    }

    fn fault(&self, action: FaultAction) {
        self.emu.add_fault(Fault::new(LOCATION, action)).unwrap();
    }
}

#[test]
fn https_origin_location_and_keep_alive() {
    let t = Tls::start();
    let port = t.emu.port();
    assert_eq!(t.emu.url(), format!("https://127.0.0.1:{port}"));
    let mut c = t.conn();
    assert_eq!(
        c.stream.conn.alpn_protocol(),
        Some(&b"http/1.1"[..]),
        "ALPN http/1.1"
    );
    let r = c.request("GET", LOCATION, &[], "");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!({
            "deployment_model": "GLOBAL",
            "location": "US-VA",
            "hostname": format!("https://127.0.0.1:{port}"),
            "ws_hostname": format!("wss://127.0.0.1:{port}"),
        })
    );
    // Login, profile and GraphQL on the same connection.
    let body = json!({"username": "demo@example.com", "password": "demo-password"}).to_string();
    let r = c.request(
        "POST",
        &login_path("local-userpass"),
        &[("content-type", "application/json")],
        &body,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let token = r.json()["access_token"].as_str().unwrap().to_string();
    let auth = bearer(&token);
    let r = c.request("GET", PROFILE, &[("authorization", &auth)], "");
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["user_id"], DEMO_USER);
    let r = c.request(
        "POST",
        GRAPHQL,
        &[
            ("authorization", &auth),
            ("content-type", "application/json"),
        ],
        &json!({"query": "{ movies(sortBy: YEAR_ASC) { title } }"}).to_string(),
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json()["data"]["movies"][0]["title"],
        "Casablanca",
        "{}",
        r.text()
    );
    // Errors link to the https origin.
    let r = c.request("GET", PROFILE, &[], "");
    assert_eq!(r.status, 401);
    let link = r.json()["link"].as_str().unwrap().to_string();
    assert!(
        link.starts_with(&format!("https://127.0.0.1:{port}/groups/")),
        "{link}"
    );
    // The control surface is served over TLS too.
    let r = c.request("GET", "/_emulator/health", &[], "");
    assert_eq!(r.json()["url"], t.emu.url());
    assert_eq!(t.emu.count("GET", LOCATION), 1);
    assert_eq!(t.emu.count("POST", &login_path("local-userpass")), 1);
    assert_eq!(t.emu.count("GET", PROFILE), 2);
    assert_eq!(t.emu.count("POST", GRAPHQL), 1);
}

#[test]
fn respond_delay_redirect_oversized_over_tls() {
    let t = Tls::start();
    let mut c = t.conn();
    t.fault(FaultAction::Respond {
        status: 503,
        body: "<html>down</html>".into(),
        content_type: Some("text/html".into()),
        headers: Default::default(),
    });
    let r = c.request("GET", LOCATION, &[], "");
    assert_eq!((r.status, r.text().as_str()), (503, "<html>down</html>"));
    t.fault(FaultAction::Delay { ms: 300 });
    let start = Instant::now();
    assert_eq!(c.request("GET", LOCATION, &[], "").status, 200);
    assert!(start.elapsed() >= Duration::from_millis(300));
    t.fault(FaultAction::Redirect {
        status: 308,
        location: "https://127.0.0.1:1/x".into(),
    });
    let r = c.request("GET", LOCATION, &[], "");
    assert_eq!(r.status, 308);
    assert_eq!(r.header("location"), Some("https://127.0.0.1:1/x"));
    t.fault(FaultAction::Oversized { bytes: 3_000_000 });
    let r = c.request("GET", LOCATION, &[], "");
    assert_eq!(r.status, 200);
    assert_eq!(r.body.len(), 3_000_000);
    assert_eq!(r.json()["padding"].as_str().unwrap().len(), 3_000_000 - 14);
    // Still the same keep-alive connection.
    assert_eq!(c.request("GET", LOCATION, &[], "").status, 200);
    assert_eq!(t.emu.count("GET", LOCATION), 5);
}

#[test]
fn drop_closes_the_tls_stream_without_a_response() {
    let t = Tls::start();
    t.fault(FaultAction::Drop);
    let mut c = t.conn();
    c.send("GET", LOCATION, &[], b"");
    let mut buf = Vec::new();
    // The TCP connection ends without a close_notify: rustls reports an unexpected EOF.
    let n = c.stream.read_to_end(&mut buf).unwrap_or(0);
    assert_eq!(n, 0, "{:?}", String::from_utf8_lossy(&buf));
    assert_eq!(t.emu.requests()[0].status, 0);
    assert_eq!(t.conn().request("GET", LOCATION, &[], "").status, 200);
}

#[test]
fn drop_mid_body_over_tls_sends_half() {
    let t = Tls::start();
    t.fault(FaultAction::DropMidBody {
        status: 200,
        body: Some("0123456789".repeat(10)),
    });
    let mut c = t.conn();
    c.send("GET", LOCATION, &[], b"");
    // The head and half of the body arrive, then the TCP connection ends without a
    // close_notify, which rustls reports as an unexpected EOF.
    let e = c.read_response("GET").unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof, "{e}");
    assert_eq!(t.emu.requests()[0].status, 200);
}

#[test]
fn trickle_over_tls() {
    let t = Tls::start();
    t.fault(FaultAction::Trickle {
        bytes_per_sec: 20,
        status: 200,
        body: Some("{\"a\":1}".into()),
    });
    let start = Instant::now();
    let mut c = t.conn();
    let r = c.request("GET", LOCATION, &[], "");
    assert!(start.elapsed() >= Duration::from_millis(300));
    assert_eq!(r.text(), "{\"a\":1}");
    assert_eq!(c.request("GET", LOCATION, &[], "").status, 200);
}

#[test]
fn close_after_over_tls_answers_then_closes() {
    let t = Tls::start();
    t.fault(FaultAction::CloseAfter);
    let mut c = t.conn();
    let r = c.request("GET", LOCATION, &[], "");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("connection"), None);
    assert!(c.is_closed());
}

#[test]
fn stall_over_tls_does_not_block_shutdown() {
    let t = Tls::start();
    t.fault(FaultAction::Stall);
    let mut c = t.conn();
    c.send("GET", LOCATION, &[], b"");
    c.stream
        .sock
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    assert!(c.read_response("GET").is_err(), "a stalled request answers");
    let start = Instant::now();
    drop(t);
    assert!(start.elapsed() < Duration::from_secs(10));
}

#[test]
fn failed_handshakes_are_not_requests() {
    let t = Tls::start();
    let addr = https_host_port(&t.emu.url()).to_string();
    // A client that trusts another CA rejects the certificate.
    let other = pki();
    let e = tls_stream(&addr, client_config(&other.ca_der)).unwrap_err();
    assert!(
        e.to_string().contains("UnknownIssuer"),
        "unexpected error: {e}"
    );
    // Plain HTTP to the TLS port gets no HTTP answer.
    let mut plain = Conn::over(TcpStream::connect(&addr).unwrap());
    plain
        .stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    plain.send("GET", LOCATION, &[], b"");
    let r = plain.read_response("GET");
    assert!(r.is_err(), "plain HTTP answered: {r:?}");
    // A client that goes away mid-handshake.
    drop(TcpStream::connect(&addr).unwrap());
    assert!(t.emu.requests().is_empty());
    assert_eq!(t.conn().request("GET", LOCATION, &[], "").status, 200);
    assert_eq!(t.emu.requests().len(), 1);
}

#[test]
fn concurrent_tls_connections() {
    let t = Arc::new(Tls::start());
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let t = t.clone();
            std::thread::spawn(move || {
                let mut c = t.conn();
                for _ in 0..20 {
                    assert_eq!(c.request("GET", LOCATION, &[], "").status, 200);
                }
            })
        })
        .collect();
    for th in threads {
        th.join().unwrap();
    }
    assert_eq!(t.emu.count("GET", LOCATION), 160);
}

#[test]
fn identity_rejects_bad_pem() {
    let p = pki();
    let err = |c: &str, k: &str| TlsIdentity::from_pem(c.as_bytes(), k.as_bytes()).unwrap_err();
    assert!(err("", &p.key_pem).contains("no CERTIFICATE"));
    assert!(err(&p.leaf_pem, "").contains("private key"));
    assert!(err(
        &p.leaf_pem,
        "-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n"
    )
    .contains("private key"));
    // A key of another certificate.
    let other = pki();
    assert!(err(&p.leaf_pem, &other.key_pem).contains("do not fit"));
    assert!(
        TlsIdentity::from_files("/nonexistent/cert.pem", "/nonexistent/key.pem")
            .unwrap_err()
            .contains("cannot read /nonexistent/cert.pem")
    );
}

fn write_pki(dir: &std::path::Path, p: &Pki) -> (String, String) {
    std::fs::create_dir_all(dir).unwrap();
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    std::fs::write(&cert, &p.leaf_pem).unwrap();
    std::fs::write(&key, &p.key_pem).unwrap();
    (
        cert.to_str().unwrap().to_string(),
        key.to_str().unwrap().to_string(),
    )
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("realm-emulator-tls-{name}-{}", std::process::id()))
}

#[test]
fn binary_serves_https_with_tls_flags() {
    let p = pki();
    let dir = temp_dir("bin");
    let (cert, key) = write_pki(&dir, &p);
    let mut child = Command::new(env!("CARGO_BIN_EXE_realm-emulator"))
        .args(["--port", "0", "--tls-cert", &cert])
        .arg(format!("--tls-key={key}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim_end()
        .strip_prefix("listening on https://127.0.0.1:")
        .unwrap_or_else(|| panic!("first line {line:?}"))
        .to_string();
    let addr = format!("127.0.0.1:{port}");
    let mut c = Conn::over(tls_stream(&addr, client_config(&p.ca_der)).unwrap());
    let r = c.request("GET", LOCATION, &[], "");
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["hostname"], format!("https://{addr}"));
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn binary_refuses_bad_tls_flags() {
    let p = pki();
    let dir = temp_dir("bad");
    let (cert, key) = write_pki(&dir, &p);
    let bad = dir.join("bad.pem");
    std::fs::write(&bad, "not a certificate\n").unwrap();
    let bad = bad.to_str().unwrap();
    let cases: [&[&str]; 4] = [
        &["--tls-cert", &cert],
        &["--tls-key", &key],
        &["--tls-cert", bad, "--tls-key", &key],
        &["--tls-cert", &cert, "--tls-key", "/nonexistent/key.pem"],
    ];
    for args in cases {
        let out = Command::new(env!("CARGO_BIN_EXE_realm-emulator"))
            .args(["--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

//! TLS against the emulator serving HTTPS with certificates made here (rcgen): `ca_file` trusted
//! in addition to the webpki roots, the webpki roots alone, `platform_trust_store`, wrong names,
//! unrelated CAs, bad CA files, and the Admin API over HTTPS.

mod support;

use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use realm_client::{Admin, AdminOptions, Client, ClientOptions, Credentials, ErrorKind};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use support::*;

const PROFILE_PATH: &str = PROFILE;
const ADMIN_LOGIN: &str = "/api/admin/v3.0/auth/providers/mongodb-cloud/login";

/// The demo movies, in insertion order, as `{ movies { title year } }` returns them.
fn demo_movies() -> Value {
    json!({"data": {"movies": [
        {"title": "The Matrix", "year": 1999},
        {"title": "Spirited Away", "year": 2001},
        {"title": "Amélie", "year": 2001},
        {"title": "Inception", "year": 2010},
        {"title": "Casablanca", "year": 1942},
    ]}})
}

static SEQ: AtomicU32 = AtomicU32::new(0);

fn seq() -> u32 {
    SEQ.fetch_add(1, Ordering::Relaxed)
}

/// A directory of its own under the temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let p =
            std::env::temp_dir().join(format!("realm-client-tls-{}-{}", std::process::id(), seq()));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, contents).unwrap();
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Ca {
    cert: Certificate,
    issuer: Issuer<'static, KeyPair>,
}

impl Ca {
    /// A CA named `name` (a fresh name unless given: CAs of one name differ by key only).
    fn new(name: Option<&str>) -> Ca {
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let name = name.map_or_else(|| format!("realm-client test CA {}", seq()), String::from);
        p.distinguished_name.push(DnType::CommonName, name);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let cert = p.self_signed(&key).unwrap();
        Ca {
            cert,
            issuer: Issuer::new(p, key),
        }
    }

    fn pem(&self) -> String {
        self.cert.pem()
    }

    /// A leaf for these subject alternative names (IP addresses or DNS names): (cert, key) PEM.
    fn leaf(&self, sans: &[&str]) -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let mut p =
            CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
        p.distinguished_name.push(DnType::CommonName, sans[0]);
        let cert = p.signed_by(&key, &self.issuer).unwrap();
        (cert.pem(), key.serialize_pem())
    }
}

/// The emulator serving HTTPS with a leaf for `sans` signed by `ca`.
struct Https {
    emu: Emulator,
    dir: TempDir,
    ca_file: PathBuf,
}

impl Https {
    fn start(ca: &Ca, sans: &[&str]) -> Https {
        let dir = TempDir::new();
        let (cert, key) = ca.leaf(sans);
        let cert = dir.write("server.pem", cert);
        let key = dir.write("server-key.pem", key);
        let ca_file = dir.write("ca.pem", ca.pem());
        let emu = Emulator::start_https(&cert, &key);
        Https { emu, dir, ca_file }
    }

    /// The usual one: a fresh CA and a leaf for 127.0.0.1.
    fn loopback() -> (Https, Ca) {
        let ca = Ca::new(None);
        (Https::start(&ca, &["127.0.0.1"]), ca)
    }

    fn options(&self, extra: Value) -> String {
        self.emu.options_with(extra)
    }

    fn client(&self, extra: Value) -> Client {
        Client::new(
            APP,
            ClientOptions::from_json(Some(&self.options(extra))).unwrap(),
        )
        .unwrap()
    }

    fn with_ca(&self) -> Client {
        self.client(json!({ "ca_file": self.ca_file }))
    }

    fn paths(&self) -> Vec<String> {
        self.emu
            .requests()
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    r["method"].as_str().unwrap(),
                    r["path"].as_str().unwrap()
                )
            })
            .collect()
    }
}

fn login(c: &Client) -> realm_client::Result<()> {
    c.login(Credentials::email_password(EMAIL, PASSWORD).unwrap())
}

fn assert_tls(err: &realm_client::Error, detail: &str) {
    assert_eq!(err.kind, ErrorKind::Tls, "{err:?}");
    assert!(err.message.contains(detail), "{detail:?} not in {err:?}");
}

#[test]
fn a_ca_file_is_trusted_for_login_and_graphql() {
    let (h, _ca) = Https::loopback();
    let port = h.emu.url.strip_prefix("https://127.0.0.1:").unwrap();
    assert!(port.parse::<u16>().is_ok(), "{}", h.emu.url);
    let c = h.with_ca();
    login(&c).unwrap();
    assert_eq!(c.user_id().unwrap(), "5f00000000000000000000b1");
    let out: Value = serde_json::from_str(&c.graphql(MOVIES, None, None).unwrap()).unwrap();
    assert_eq!(out, demo_movies());
    assert_eq!(
        h.paths(),
        [
            format!("GET {LOCATION}"),
            format!("POST {}", login_path("local-userpass")),
            format!("GET {PROFILE_PATH}"),
            format!("POST {GRAPHQL}"),
        ]
    );
    // The location's https hostname is used from then on: refresh and logout go there too.
    c.refresh().unwrap();
    c.logout().unwrap();
    assert_eq!(h.emu.count("POST", SESSION), 1);
    assert_eq!(h.emu.count("DELETE", SESSION), 1);
    assert_eq!(h.emu.count("GET", LOCATION), 1);
}

#[test]
fn a_ca_file_may_hold_several_certificates() {
    let (h, ca) = Https::loopback();
    let bundle = format!(
        "{}\n{}{}",
        Ca::new(None).pem(),
        ca.pem(),
        Ca::new(None).pem()
    );
    let ca_file = h.dir.write("bundle.pem", bundle);
    let c = h.client(json!({ "ca_file": ca_file }));
    login(&c).unwrap();
    let out: Value = serde_json::from_str(&c.graphql(MOVIES, None, None).unwrap()).unwrap();
    assert_eq!(out, demo_movies());
}

#[test]
fn the_webpki_roots_alone_do_not_know_the_ca() {
    let (h, _ca) = Https::loopback();
    let c = h.client(json!({}));
    let err = login(&c).unwrap_err();
    assert_tls(&err, "UnknownIssuer");
    // The handshake failed before any request was sent.
    assert!(h.emu.requests().is_empty(), "{:?}", h.paths());
    // The same client keeps failing the same way (no plain-text fallback).
    assert_tls(&login(&c).unwrap_err(), "UnknownIssuer");
    assert!(h.emu.requests().is_empty());
}

#[test]
fn an_unrelated_ca_is_not_trusted() {
    let (h, _ca) = Https::loopback();
    let other = h.dir.write("other-ca.pem", Ca::new(None).pem());
    let c = h.client(json!({ "ca_file": other }));
    assert_tls(&login(&c).unwrap_err(), "UnknownIssuer");
    assert!(h.emu.requests().is_empty());
}

#[test]
fn a_ca_of_the_same_name_but_another_key_is_not_trusted() {
    let ca = Ca::new(Some("realm-client impostor test CA"));
    let h = Https::start(&ca, &["127.0.0.1"]);
    let impostor = Ca::new(Some("realm-client impostor test CA"));
    let file = h.dir.write("impostor.pem", impostor.pem());
    let c = h.client(json!({ "ca_file": file }));
    assert_tls(&login(&c).unwrap_err(), "BadSignature");
    assert!(h.emu.requests().is_empty());
}

#[test]
fn a_certificate_for_another_name_is_refused() {
    let ca = Ca::new(None);
    let h = Https::start(&ca, &["other.example"]);
    let c = h.with_ca();
    assert_tls(&login(&c).unwrap_err(), "not valid for name");
    assert!(h.emu.requests().is_empty());
}

#[test]
fn https_to_a_plain_http_server_is_a_tls_error() {
    let emu = Emulator::start();
    let ca = Ca::new(None);
    let dir = TempDir::new();
    let ca_file = dir.write("ca.pem", ca.pem());
    let options = json!({ "base_url": emu.url.replace("http://", "https://"), "ca_file": ca_file });
    let c = Client::new(
        APP,
        ClientOptions::from_json(Some(&options.to_string())).unwrap(),
    )
    .unwrap();
    assert_eq!(login(&c).unwrap_err().kind, ErrorKind::Tls);
}

#[test]
fn bad_ca_files_are_invalid_arguments_when_the_client_is_made() {
    let (h, ca) = Https::loopback();
    let (_, leaf_key) = ca.leaf(&["127.0.0.1"]);
    let truncated = {
        let pem = ca.pem();
        pem[..pem.len() / 2].to_string()
    };
    let cases: Vec<(&str, PathBuf)> = vec![
        ("empty", h.dir.write("empty.pem", "")),
        ("not PEM", h.dir.write("text.pem", "not a certificate\n")),
        (
            "bad base64",
            h.dir.write(
                "bad64.pem",
                "-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----\n",
            ),
        ),
        ("truncated", h.dir.write("truncated.pem", truncated)),
        ("only a key", h.dir.write("key.pem", leaf_key)),
        ("missing", h.dir.0.join("no-such-file.pem")),
        ("a directory", h.dir.0.clone()),
    ];
    for (what, path) in cases {
        let options = ClientOptions::from_json(Some(&h.options(json!({ "ca_file": path }))))
            .unwrap_or_else(|e| panic!("{what}: options refused early: {e:?}"));
        let err = Client::new(APP, options).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgument, "{what}: {err:?}");
        assert!(err.message.contains("ca_file"), "{what}: {err:?}");
        let admin = admin_options(&h, json!({ "ca_file": path }));
        let err = Admin::new(admin).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgument, "{what}: {err:?}");
    }
    // Not a string: refused by the options parser.
    for bad in [json!(5), json!(true), json!(["ca.pem"])] {
        let err =
            ClientOptions::from_json(Some(&h.options(json!({ "ca_file": bad })))).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgument, "{bad}: {err:?}");
    }
    assert!(h.emu.requests().is_empty());
}

#[test]
fn platform_trust_store_does_not_know_the_ca() {
    let (h, _ca) = Https::loopback();
    let c = h.client(json!({ "platform_trust_store": true }));
    let err = login(&c).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Tls, "{err:?}");
    assert!(h.emu.requests().is_empty());
    // With a CA file as well: refused, since the platform verifier takes no extra roots.
    for (platform, ca_file) in [(json!(true), json!(h.ca_file)), (json!(true), json!(""))] {
        let options = h.options(json!({ "platform_trust_store": platform, "ca_file": ca_file }));
        let err = ClientOptions::from_json(Some(&options)).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgument, "{err:?}");
        let err = AdminOptions::from_json(&admin_json(
            &h,
            json!({ "platform_trust_store": platform, "ca_file": ca_file }),
        ))
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgument, "{err:?}");
    }
    // Explicitly off with a CA file is the ca_file case.
    let c = h.client(json!({ "platform_trust_store": false, "ca_file": h.ca_file }));
    login(&c).unwrap();
}

fn admin_json(h: &Https, extra: Value) -> String {
    let mut o = json!({
        "base_url": h.emu.url, "public_api_key": ADMIN_PUBLIC, "private_api_key": ADMIN_PRIVATE,
        "group_id": GROUP_ID, "app_id": ADMIN_APP_ID,
    });
    o.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    o.to_string()
}

fn admin_options(h: &Https, extra: Value) -> AdminOptions {
    AdminOptions::from_json(&admin_json(h, extra)).unwrap()
}

#[test]
fn the_admin_api_over_https_with_a_ca_file() {
    let (h, _ca) = Https::loopback();
    let c = h.with_ca();
    login(&c).unwrap();
    let token = c.access_token().unwrap().expose().to_string();
    let admin = Admin::new(admin_options(&h, json!({ "ca_file": h.ca_file }))).unwrap();
    let claims: Value = serde_json::from_str(&admin.verify_token(&token).unwrap()).unwrap();
    let payload = realm_client::token::decode_claims(&token).unwrap();
    assert_eq!(claims["sub"], "5f00000000000000000000b1");
    assert_eq!(claims["sub"], payload["sub"]);
    assert_eq!(claims["exp"], payload["exp"]);
    assert_eq!(claims["custom_user_data"]["favoriteColor"], "blue");
    assert_eq!(h.emu.count("POST", ADMIN_LOGIN), 1);
    let verify =
        format!("/api/admin/v3.0/groups/{GROUP_ID}/apps/{ADMIN_APP_ID}/users/verify_token");
    assert_eq!(h.emu.count("POST", &verify), 1);
    // Without the CA file the admin login's handshake fails.
    h.emu.clear_requests();
    let admin = Admin::new(admin_options(&h, json!({}))).unwrap();
    assert_tls(&admin.verify_token(&token).unwrap_err(), "UnknownIssuer");
    let admin = Admin::new(admin_options(&h, json!({ "platform_trust_store": true }))).unwrap();
    assert_eq!(admin.verify_token(&token).unwrap_err().kind, ErrorKind::Tls);
    assert!(h.emu.requests().is_empty());
}

#[test]
fn connection_faults_over_https() {
    let (h, _ca) = Https::loopback();
    let c = h.with_ca();
    login(&c).unwrap();
    // A connection closed after an answer is replaced, and the request is not resent.
    h.emu
        .fault("POST", GRAPHQL, 1, json!({"kind": "close_after"}));
    c.graphql(MOVIES, None, None).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    let out: Value = serde_json::from_str(&c.graphql(MOVIES, None, None).unwrap()).unwrap();
    assert_eq!(out, demo_movies());
    assert_eq!(h.emu.count("POST", GRAPHQL), 2);
    // A connection dropped without an answer (no close_notify) is a network error, not TLS.
    h.emu.fault("POST", GRAPHQL, 1, json!({"kind": "drop"}));
    let err = c.graphql(MOVIES, None, None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Network, "{err:?}");
    assert_eq!(h.emu.count("POST", GRAPHQL), 3);
    // Half a body, then the end of the connection.
    h.emu
        .fault("POST", GRAPHQL, 1, json!({"kind": "drop_mid_body"}));
    let err = c.graphql(MOVIES, None, None).unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::Network | ErrorKind::Protocol),
        "{err:?}"
    );
    // Still usable afterwards.
    let out: Value = serde_json::from_str(&c.graphql(MOVIES, None, None).unwrap()).unwrap();
    assert_eq!(out, demo_movies());
    assert_eq!(h.emu.count("POST", GRAPHQL), 5);
}

#[test]
fn the_server_leaf_in_a_ca_file_is_not_an_issuer() {
    // A CA file holding only the server's own leaf (not its CA) does not make it trusted:
    // the chain needs the leaf's issuer.
    let ca = Ca::new(None);
    let h = Https::start(&ca, &["127.0.0.1"]);
    let leaf = h.dir.0.join("server.pem");
    assert!(Path::new(&leaf).exists());
    let c = h.client(json!({ "ca_file": leaf }));
    assert_tls(&login(&c).unwrap_err(), "UnknownIssuer");
}

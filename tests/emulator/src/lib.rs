//! A local emulator of the Atlas App Services (MongoDB Realm) Client HTTP API and the Admin API
//! subset `realm-client` uses, with a test-control surface (request log, faults, clock,
//! settings). See README.md for the contract.

mod api_error;
mod auth;
pub mod config;
mod control;
mod ejson;
mod emulator;
pub mod faults;
mod graphql;
mod http;
pub mod ids;
pub mod jwt;
pub mod log;
mod routes;
mod server;
mod shared;
mod state;
mod tls;
mod tokens;

pub use config::Config;
pub use emulator::Emulator;
pub use faults::{Fault, FaultAction, PendingFault};
pub use log::LoggedRequest;
pub use state::{Settings, SettingsPatch};
pub use tls::TlsIdentity;

/// `http://IP:PORT` for a bound address; an unspecified address (0.0.0.0, ::) is reported as
/// loopback, since that is where a client on this machine reaches it.
pub fn origin_of(addr: std::net::SocketAddr) -> String {
    origin_with_scheme("http", addr)
}

/// `https://IP:PORT` when `tls`, else `http://IP:PORT` (see [`origin_of`]).
pub fn origin_for(addr: std::net::SocketAddr, tls: bool) -> String {
    origin_with_scheme(if tls { "https" } else { "http" }, addr)
}

fn origin_with_scheme(scheme: &str, addr: std::net::SocketAddr) -> String {
    let mut addr = addr;
    if addr.ip().is_unspecified() {
        addr.set_ip(if addr.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        });
    }
    format!("{scheme}://{addr}")
}

#[doc(hidden)]
pub mod serve {
    //! For the binary: serve a listener on the caller's runtime.
    use crate::shared::Shared;
    use crate::{Config, TlsIdentity};
    use std::sync::Arc;
    use tokio::sync::watch;

    /// Plain HTTP, or HTTPS with `tls`.
    pub async fn run(
        listener: std::net::TcpListener,
        cfg: Config,
        tls: Option<TlsIdentity>,
        shutdown: watch::Receiver<bool>,
    ) -> std::io::Result<()> {
        let origin = crate::origin_for(listener.local_addr()?, tls.is_some());
        let shared = Arc::new(Shared::new(cfg, origin));
        crate::server::serve(listener, shared, tls, shutdown).await;
        Ok(())
    }
}

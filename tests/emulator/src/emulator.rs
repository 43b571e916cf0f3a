//! The in-process handle: start an emulator on a background thread, control it, stop it by
//! dropping the handle.

use crate::config::Config;
use crate::faults::{Fault, FaultAction, PendingFault};
use crate::log::LoggedRequest;
use crate::server;
use crate::shared::Shared;
use crate::state::{Settings, SettingsPatch};
use crate::tls::TlsIdentity;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread::JoinHandle;
use tokio::sync::watch;

/// A running emulator. It serves on its own multi-threaded tokio runtime and stops when dropped.
pub struct Emulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Starts on 127.0.0.1 on a free port. Panics if it cannot (a test cannot go on anyway).
    pub fn start(cfg: Config) -> Emulator {
        Emulator::start_on("127.0.0.1", 0, cfg).expect("start the emulator on 127.0.0.1")
    }

    /// Starts serving HTTPS with `tls` on 127.0.0.1 on a free port; `url()` is then
    /// `https://127.0.0.1:PORT`. Panics if it cannot.
    pub fn start_tls(cfg: Config, tls: TlsIdentity) -> Emulator {
        Emulator::start_with("127.0.0.1", 0, cfg, Some(tls))
            .expect("start the emulator on 127.0.0.1")
    }

    /// Starts on `host:port` (port 0: a free one).
    pub fn start_on(host: &str, port: u16, cfg: Config) -> io::Result<Emulator> {
        Emulator::start_with(host, port, cfg, None)
    }

    /// Starts on `host:port` (port 0: a free one), serving HTTPS when `tls` is given.
    pub fn start_with(
        host: &str,
        port: u16,
        cfg: Config,
        tls: Option<TlsIdentity>,
    ) -> io::Result<Emulator> {
        let listener = TcpListener::bind((host, port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(cfg, crate::origin_for(addr, tls.is_some())));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("realm-emulator")
            .build()?;
        let (shutdown, rx) = watch::channel(false);
        let s = shared.clone();
        let thread = std::thread::Builder::new()
            .name("realm-emulator".into())
            .spawn(move || {
                runtime.block_on(server::serve(listener, s, tls, rx));
                // Dropping the runtime here ends every connection task, stalled ones included.
                drop(runtime);
            })?;
        Ok(Emulator {
            shared,
            addr,
            shutdown,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT` (`https://` when serving TLS), no trailing slash.
    pub fn url(&self) -> String {
        self.shared.origin.clone()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn config(&self) -> &Config {
        &self.shared.cfg
    }

    /// The logged requests, oldest first (control requests are never logged).
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared.log.lock().entries()
    }

    /// Requests seen per `"METHOD path"` since the last clear.
    pub fn request_counts(&self) -> BTreeMap<String, u64> {
        self.shared.log.lock().counts()
    }

    /// How many `method path` requests were seen since the last clear.
    pub fn count(&self, method: &str, path: &str) -> u64 {
        self.request_counts()
            .get(&format!("{method} {path}"))
            .copied()
            .unwrap_or(0)
    }

    pub fn clear_requests(&self) {
        self.shared.log.lock().clear();
    }

    /// Everything back to the config: sessions, users added, movies, log, faults, clock,
    /// settings.
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// Queues a fault; returns its id. Errors when it is invalid (as the HTTP route's 400).
    pub fn add_fault(&self, fault: Fault) -> Result<u64, String> {
        fault.validate()?;
        Ok(self.shared.faults.lock().add(fault))
    }

    pub fn faults(&self) -> Vec<PendingFault> {
        self.shared.faults.lock().list()
    }

    pub fn clear_faults(&self) {
        self.shared.faults.lock().clear();
    }

    /// Applies a partial settings update and returns the settings now in force.
    pub fn set_settings(&self, patch: SettingsPatch) -> Settings {
        let mut d = self.shared.data.lock();
        d.settings.apply(&patch);
        d.settings.clone()
    }

    pub fn settings(&self) -> Settings {
        self.shared.data.lock().settings.clone()
    }

    /// Shifts the server clock: tokens are issued and checked at real time + `secs`.
    pub fn set_clock_offset(&self, secs: i64) {
        self.shared.data.lock().clock_offset_secs = secs;
    }

    /// The server clock (seconds since the epoch, offset included).
    pub fn now(&self) -> i64 {
        self.shared.data.lock().now()
    }

    /// Revokes every session of the user; `None` if there is no such user.
    pub fn revoke_user(&self, user_id: &str) -> Option<usize> {
        let mut d = self.shared.data.lock();
        d.users
            .contains_key(user_id)
            .then(|| d.revoke_user(user_id))
    }

    /// Sets (or with `None` removes) a user's custom data; it shows in the next access token.
    /// False if there is no such user.
    pub fn set_custom_data(&self, user_id: &str, data: Option<Value>) -> bool {
        match self.shared.data.lock().users.get_mut(user_id) {
            Some(u) => {
                u.custom_data = data;
                true
            }
            None => false,
        }
    }

    /// Stops now (dropping the handle does the same).
    pub fn stop(self) {}
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Fault {
    /// A fault for the next request to `path`, any method.
    pub fn new(path: impl Into<String>, action: FaultAction) -> Fault {
        Fault {
            method: None,
            path: path.into(),
            count: 1,
            action,
        }
    }

    pub fn method(mut self, method: impl Into<String>) -> Fault {
        self.method = Some(method.into());
        self
    }

    pub fn count(mut self, count: u32) -> Fault {
        self.count = count;
        self
    }
}

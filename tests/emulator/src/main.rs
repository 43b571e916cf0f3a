//! `realm-emulator [--port N] [--host H] [--config FILE] [--tls-cert FILE --tls-key FILE]
//! [--no-stdin-watch]`
//!
//! Prints `listening on http://HOST:PORT` (`https://` with `--tls-cert`) as its first stdout line, then serves until SIGTERM,
//! SIGINT or (unless `--no-stdin-watch`) EOF on stdin.

use realm_emulator::{Config, TlsIdentity};
use std::io::{Read, Write};
use std::process::ExitCode;
use std::sync::Arc;
use tokio::sync::watch;

struct Args {
    host: String,
    port: u16,
    config: Option<String>,
    tls_cert: Option<String>,
    tls_key: Option<String>,
    stdin_watch: bool,
}

const USAGE: &str = "usage: realm-emulator [--port N] [--host HOST] [--config FILE] \
     [--tls-cert FILE --tls-key FILE] [--no-stdin-watch]";

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        host: "127.0.0.1".into(),
        port: 0,
        config: None,
        tls_cert: None,
        tls_key: None,
        stdin_watch: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match name.as_str() {
            "--port" => {
                let v = value()?;
                a.port = v.parse().map_err(|_| format!("invalid port {v:?}"))?;
            }
            "--host" => a.host = value()?,
            "--config" => a.config = Some(value()?),
            "--tls-cert" => a.tls_cert = Some(value()?),
            "--tls-key" => a.tls_key = Some(value()?),
            "--no-stdin-watch" => a.stdin_watch = false,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    if a.tls_cert.is_some() != a.tls_key.is_some() {
        return Err(format!("--tls-cert and --tls-key go together\n{USAGE}"));
    }
    Ok(a)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let cfg = match &args.config {
        None => Config::demo(),
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| Config::from_json(&t))
        {
            Ok(c) => c,
            Err(e) => {
                eprintln!("realm-emulator: bad config {path}: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => match TlsIdentity::from_files(cert, key) {
            Ok(t) => Some(t),
            Err(e) => {
                eprintln!("realm-emulator: bad TLS certificate or key: {e}");
                return ExitCode::from(2);
            }
        },
        _ => None,
    };
    let listener = match std::net::TcpListener::bind((args.host.as_str(), args.port))
        .and_then(|l| l.set_nonblocking(true).map(|_| l))
    {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "realm-emulator: cannot listen on {}:{}: {e}",
                args.host, args.port
            );
            return ExitCode::from(1);
        }
    };
    let addr = listener.local_addr().expect("bound");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let (tx, rx) = watch::channel(false);
    let tx = Arc::new(tx);
    // Signal handlers go in before the first line is printed, so a client that sends SIGTERM
    // as soon as it has read the line gets a clean stop, never the default action.
    let signals = {
        use tokio::signal::unix::{signal, SignalKind};
        let _guard = runtime.enter();
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(t), Ok(i)) => Some((t, i)),
            _ => None,
        }
    };
    if args.stdin_watch {
        let tx = tx.clone();
        // A plain thread: a blocking read on stdin must not hold a runtime worker.
        std::thread::spawn(move || {
            let mut buf = [0u8; 1024];
            let mut stdin = std::io::stdin();
            while matches!(stdin.read(&mut buf), Ok(n) if n > 0) {}
            let _ = tx.send(true);
        });
    }
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "listening on {}",
            realm_emulator::origin_for(addr, tls.is_some())
        );
        let _ = out.flush();
    }
    let result = runtime.block_on(async move {
        if let Some((mut term, mut int)) = signals {
            let tx = tx.clone();
            tokio::spawn(async move {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                }
                let _ = tx.send(true);
            });
        }
        realm_emulator::serve::run(listener, cfg, tls, rx).await
    });
    // Connection tasks (stalls, trickles) must not delay the exit.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("realm-emulator: {e}");
            ExitCode::from(1)
        }
    }
}

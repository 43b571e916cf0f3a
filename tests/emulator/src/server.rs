//! The HTTP/1.1 server: accept loop, per-connection control (for faults that act on the
//! connection itself) and the request pipeline (log, fault, route).

use crate::api_error::ApiError;
use crate::control;
use crate::faults::{self, FaultAction};
use crate::http::Body;
use crate::log::LoggedRequest;
use crate::routes::{self, Req};
use crate::shared::Shared;
use crate::tls::TlsIdentity;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::collections::BTreeMap;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

/// A stall ends after this long even if the client never goes away, so no test server can hang.
pub const MAX_STALL: Duration = Duration::from_secs(120);

const MAX_BODY: usize = 64 * 1024 * 1024;

/// Flags a request handler sets to act on its own connection.
#[derive(Default)]
struct ConnCtl {
    /// Shut the socket down once the response in progress has been flushed (close_after).
    close_after_flush: AtomicBool,
    /// The connection is finished: reads see EOF, writes fail.
    closed: AtomicBool,
}

/// A TCP (or TLS over TCP) stream that obeys [`ConnCtl`]. Hyper only ever sees this, so a fault
/// can end the connection at an exact point without hyper announcing it (no `Connection:
/// close`). Over TLS a closed connection is dropped without a close_notify alert, as a plain one
/// is dropped without a FIN before the response; `close_after` shuts the TLS stream down (alert,
/// then FIN), as it shuts plain TCP down (FIN).
struct ConnIo<S> {
    inner: S,
    ctl: Arc<ConnCtl>,
}

impl<S: AsyncRead + Unpin> AsyncRead for ConnIo<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.ctl.closed.load(Ordering::Acquire) {
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

fn closed_error() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "connection closed by a fault")
}

impl<S: AsyncWrite + Unpin> AsyncWrite for ConnIo<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.ctl.closed.load(Ordering::Acquire) {
            return Poll::Ready(Err(closed_error()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.ctl.closed.load(Ordering::Acquire) {
            return Poll::Ready(Err(closed_error()));
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(Pin::new(&mut self.inner).poll_flush(cx))?;
        if self.ctl.close_after_flush.load(Ordering::Acquire) {
            let _ = ready!(Pin::new(&mut self.inner).poll_shutdown(cx));
            self.ctl.close_after_flush.store(false, Ordering::Release);
            self.ctl.closed.store(true, Ordering::Release);
        }
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Returned by the service to make hyper drop the connection without a response.
#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by a fault")
    }
}

impl std::error::Error for DropConnection {}

/// Serves until `shutdown` becomes true (or its sender goes away). Open connections, including
/// stalled and trickling ones, end with it.
pub async fn serve(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    tls: Option<TlsIdentity>,
    shutdown: watch::Receiver<bool>,
) {
    let acceptor = tls.map(|t| t.acceptor());
    let mut stop = shutdown.clone();
    let listener = match TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("realm-emulator: cannot use listener: {e}");
            return;
        }
    };
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    let (shared, shutdown) = (shared.clone(), shutdown.clone());
                    match &acceptor {
                        None => tokio::spawn(connection(stream, shared, shutdown)),
                        Some(a) => tokio::spawn(tls_connection(a.clone(), stream, shared, shutdown)),
                    };
                }
                // Out of file descriptors and the like: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            _ = stop.wait_for(|stop| *stop) => break,
        }
    }
}

/// A client gets this long to finish its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// The TLS handshake, then HTTP as over plain TCP. A failed handshake (the client rejected the
/// certificate, or spoke plain HTTP) just ends the connection; nothing is logged, since no
/// request arrived.
async fn tls_connection(
    acceptor: TlsAcceptor,
    stream: TcpStream,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let handshake = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream));
    let stream = tokio::select! {
        r = handshake => match r {
            Ok(Ok(s)) => s,
            _ => return,
        },
        _ = shutdown.wait_for(|stop| *stop) => return,
    };
    connection(stream, shared, shutdown).await
}

async fn connection<S>(stream: S, shared: Arc<Shared>, mut shutdown: watch::Receiver<bool>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let ctl = Arc::new(ConnCtl::default());
    let io = TokioIo::new(ConnIo {
        inner: stream,
        ctl: ctl.clone(),
    });
    let service = service_fn(move |req| handle(shared.clone(), ctl.clone(), req));
    let conn = http1::Builder::new()
        .keep_alive(true)
        .serve_connection(io, service);
    tokio::select! {
        _ = conn => {}
        _ = shutdown.wait_for(|stop| *stop) => {}
    }
}

fn header_map(headers: &hyper::HeaderMap) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in headers {
        let v = String::from_utf8_lossy(value.as_bytes());
        out.entry(name.as_str().to_string())
            .and_modify(|e| {
                e.push_str(", ");
                e.push_str(&v);
            })
            .or_insert_with(|| v.into_owned());
    }
    out
}

async fn handle(
    shared: Arc<Shared>,
    ctl: Arc<ConnCtl>,
    req: Request<Incoming>,
) -> Result<Response<Body>, DropConnection> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) if e.is::<LengthLimitError>() => {
            return Ok(shared.error(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "BadRequest",
                format!("request body is larger than {MAX_BODY} bytes"),
            )));
        }
        Err(_) => return Err(DropConnection),
    };
    let req = Req {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        headers: parts.headers,
        body,
    };
    if req.path == "/_emulator" || req.path.starts_with("/_emulator/") {
        return Ok(control::handle(&shared, &req));
    }
    let seq = shared.log.lock().push(LoggedRequest {
        method: req.method.to_string(),
        path: req.path.clone(),
        query: req.query.clone(),
        headers: header_map(&req.headers),
        body: String::from_utf8_lossy(&req.body).into_owned(),
        status: 0,
    });
    let fault = {
        let mut faults = shared.faults.lock();
        if faults.is_empty() {
            None
        } else {
            faults.take(req.method.as_str(), &req.path)
        }
    };
    let resp = match fault {
        None => routes::handle(&shared, &req).await,
        Some(FaultAction::Delay { ms }) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            routes::handle(&shared, &req).await
        }
        Some(FaultAction::Stall) => {
            // Hyper notices a client that goes away and drops this future; shutdown drops the
            // whole connection. Otherwise give up after MAX_STALL.
            tokio::time::sleep(MAX_STALL).await;
            ctl.closed.store(true, Ordering::Release);
            return Err(DropConnection);
        }
        Some(FaultAction::Drop) => {
            ctl.closed.store(true, Ordering::Release);
            return Err(DropConnection);
        }
        Some(FaultAction::CloseAfter) => {
            let resp = routes::handle(&shared, &req).await;
            ctl.close_after_flush.store(true, Ordering::Release);
            resp
        }
        Some(action) => faults::response(&action),
    };
    shared.log.lock().set_status(seq, resp.status().as_u16());
    Ok(resp)
}

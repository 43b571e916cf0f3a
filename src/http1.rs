//! HTTP/1.1 messages on one ureq connection: a request written in one piece, a response read
//! whole (RFC 9112).
//!
//! ureq's `Agent::run` spent about 25,000 instructions and 50 allocations on each keep-alive
//! call (callgrind, bench/README.md): middleware, per-phase timings, `http::Request` and
//! `http::Response` header maps, for features these calls never use. ureq still makes every
//! connection (resolver, TCP, proxies, rustls); this module only frames the messages: the head
//! and body go out in one write, httparse reads the response head, and the body is framed by
//! Content-Length, chunked coding or the end of the connection.

use crate::secret::SecretBytes;
use std::time::{Duration, Instant};
use ureq::unversioned::transport::{NextTimeout, Transport};
use ureq::Timeout;
use zeroize::Zeroize;

/// A response head larger than this is refused (ureq's default limit is the same order).
pub const MAX_HEAD: usize = 64 * 1024;
const MAX_HEADERS: usize = 128;
/// A chunk-size line or a trailer line longer than this is refused.
const MAX_LINE: usize = 4096;

/// One request, as it goes on the wire.
pub struct Head<'a> {
    pub method: &'static str,
    /// Path and query, starting with `/`.
    pub target: &'a str,
    /// `host[:port]`, the port only when it is not the scheme's default.
    pub host: &'a str,
    pub user_agent: &'a str,
    pub bearer: Option<&'a str>,
    pub body: Option<&'a [u8]>,
}

/// A whole response.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    pub location: Option<String>,
    pub body: SecretBytes,
    /// The connection may carry another request.
    pub reusable: bool,
}

#[derive(Debug)]
pub enum Failure {
    /// From the connection: I/O, TLS, or the deadline.
    Io(ureq::Error),
    /// The same, once the head with this status was read.
    BodyIo { status: u16, error: ureq::Error },
    /// Not HTTP/1.x as RFC 9112 has it.
    Malformed(String),
    /// The connection ended before the response did; `status` is 0 before the head was read.
    Closed { status: u16, head_bytes: usize },
    /// The body is longer than the caller's limit.
    TooLarge { status: u16 },
}

impl Failure {
    /// Nothing came back, as when the server had closed a kept-alive connection before the
    /// request reached it.
    pub fn is_stale_connection(&self) -> bool {
        match self {
            Failure::Closed {
                status: 0,
                head_bytes: 0,
            } => true,
            Failure::Io(ureq::Error::Io(e)) => matches!(
                e.kind(),
                std::io::ErrorKind::BrokenPipe
                    | std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
            ),
            _ => false,
        }
    }
}

impl From<ureq::Error> for Failure {
    fn from(e: ureq::Error) -> Failure {
        Failure::Io(e)
    }
}

type Result<T> = std::result::Result<T, Failure>;

/// When the request must be over, handed to the connection as timeouts.
#[derive(Clone, Copy, Debug)]
pub struct Deadline {
    pub at: Instant,
    pub reason: Timeout,
    /// Round timeouts down (see `next`); only for plain TCP connections.
    pub rounded: bool,
}

impl Deadline {
    /// The timeout for the next read or write. Rounded, it is the largest power of two of
    /// milliseconds that ends before the deadline: ureq's TCP transport only sets a socket
    /// timeout when it changes, and the exact remaining time changes on every call, so a
    /// keep-alive connection keeps its socket timeouts from one call to the next. A read
    /// that hits the rounded timeout early is resumed (see `Input::fill`); a write gives up
    /// once it has stalled for at least half the time that was left. ureq's TLS transport
    /// counts the timeout down itself, and a read resumed after a write that timed out
    /// could resend part of a TLS record, so TLS connections get the exact time.
    fn next(&self) -> std::result::Result<NextTimeout, ureq::Error> {
        let left = self.at.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ureq::Error::Timeout(self.reason));
        }
        let ms = u64::try_from(left.as_millis()).unwrap_or(u64::MAX);
        let after = if ms == 0 || !self.rounded {
            left
        } else {
            Duration::from_millis(1 << (63 - ms.leading_zeros()))
        };
        Ok(NextTimeout {
            after: after.into(),
            reason: self.reason,
            per_read: None,
            per_write: None,
        })
    }

    /// A timeout reported before the deadline came from rounding it down.
    fn resumable(&self) -> bool {
        self.rounded && Instant::now() < self.at
    }
}

/// Writes through the connection's output buffer, wiping what it sent: the head holds the
/// bearer token and a body may hold credentials, and a pooled connection keeps its buffer.
struct Writer<'c> {
    conn: &'c mut dyn Transport,
    deadline: Deadline,
    filled: usize,
}

impl Writer<'_> {
    fn put(&mut self, mut bytes: &[u8]) -> Result<()> {
        while !bytes.is_empty() {
            let out = self.conn.buffers().output();
            if self.filled == out.len() {
                self.flush()?;
                continue;
            }
            let n = bytes.len().min(out.len() - self.filled);
            out[self.filled..self.filled + n].copy_from_slice(&bytes[..n]);
            self.filled += n;
            bytes = &bytes[n..];
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if self.filled == 0 {
            return Ok(());
        }
        let sent = self
            .conn
            .transmit_output(self.filled, self.deadline.next()?);
        self.conn.buffers().output()[..self.filled].zeroize();
        self.filled = 0;
        Ok(sent?)
    }
}

impl Drop for Writer<'_> {
    fn drop(&mut self) {
        // Only after an error: flush() leaves nothing behind.
        if self.filled > 0 {
            self.conn.buffers().output()[..self.filled].zeroize();
        }
    }
}

/// Sends the request: head and body in one write when they fit the connection's buffer.
pub fn write_request(conn: &mut dyn Transport, head: &Head<'_>, deadline: Deadline) -> Result<()> {
    let body = head.body.unwrap_or_default();
    let mut length = [0u8; 20];
    let length = decimal(body.len() as u64, &mut length);
    let bearer = head.bearer.map_or([&b""[..]; 3], |token| {
        [b"authorization: Bearer ", token.as_bytes(), b"\r\n"]
    });
    let framing: [&[u8]; 3] = match head.body {
        Some(_) => [
            b"content-type: application/json\r\ncontent-length: ",
            length,
            b"\r\n\r\n",
        ],
        // A POST says it has no body: some servers answer 411 to one that does not.
        None if head.method == "POST" => [b"content-length: 0\r\n\r\n", b"", b""],
        None => [b"\r\n", b"", b""],
    };
    let pieces: [&[u8]; 16] = [
        head.method.as_bytes(),
        b" ",
        head.target.as_bytes(),
        b" HTTP/1.1\r\nhost: ",
        head.host.as_bytes(),
        b"\r\nuser-agent: ",
        head.user_agent.as_bytes(),
        b"\r\naccept: application/json\r\n",
        bearer[0],
        bearer[1],
        bearer[2],
        framing[0],
        framing[1],
        framing[2],
        body,
        b"",
    ];
    let mut w = Writer {
        conn,
        deadline,
        filled: 0,
    };
    let total: usize = pieces.iter().map(|p| p.len()).sum();
    let out = w.conn.buffers().output();
    if total <= out.len() {
        // The usual case: one copy into the connection's buffer, one write.
        for piece in pieces {
            out[w.filled..w.filled + piece.len()].copy_from_slice(piece);
            w.filled += piece.len();
        }
    } else {
        for piece in pieces {
            w.put(piece)?;
        }
    }
    w.flush()
}

fn decimal(mut n: u64, digits: &mut [u8; 20]) -> &[u8] {
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &digits[i..]
}

enum Framing {
    Empty,
    Length(u64),
    Chunked,
    UntilClose,
}

/// What the response head says, copied out of the connection's buffer.
struct Meta {
    status: u16,
    content_type: Option<String>,
    location: Option<String>,
    framing: Framing,
    keep_alive: bool,
}

fn meta_of(response: &httparse::Response<'_, '_>) -> Result<Meta> {
    let status = response.code.unwrap_or(0);
    if !(100..=599).contains(&status) {
        return Err(Failure::Malformed(format!("the status {status:03}")));
    }
    let http11 = response.version == Some(1);
    let text = |v: &[u8]| String::from_utf8_lossy(v.trim_ascii()).into_owned();
    let mut content_type = None;
    let mut location = None;
    let mut length: Option<u64> = None;
    let mut chunked = None;
    let mut close = false;
    let mut keep_alive = false;
    for h in response.headers.iter() {
        let name = h.name;
        if name.eq_ignore_ascii_case("content-type") {
            content_type.get_or_insert_with(|| text(h.value));
        } else if name.eq_ignore_ascii_case("location") {
            location.get_or_insert_with(|| text(h.value));
        } else if name.eq_ignore_ascii_case("content-length") {
            // "42" or a list of equal values ("42, 42"), RFC 9110 §8.6.
            for part in h.value.split(|b| *b == b',') {
                // Empty list elements are ignored (RFC 9110 §5.6.1), but not an empty field.
                if part.trim_ascii().is_empty() && !h.value.trim_ascii().is_empty() {
                    continue;
                }
                let n = std::str::from_utf8(part)
                    .ok()
                    .map(str::trim)
                    .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|s| s.parse::<u64>().ok())
                    .ok_or_else(|| Failure::Malformed("an invalid Content-Length".into()))?;
                if length.is_some_and(|m| m != n) {
                    return Err(Failure::Malformed(
                        "Content-Length values that disagree".into(),
                    ));
                }
                length = Some(n);
            }
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            // Only the last coding decides whether the message ends with a zero chunk; empty
            // list elements do not count.
            let last = h
                .value
                .rsplit(|b| *b == b',')
                .map(<[u8]>::trim_ascii)
                .find(|c| !c.is_empty())
                .unwrap_or_default();
            chunked = Some(last.eq_ignore_ascii_case(b"chunked"));
        } else if name.eq_ignore_ascii_case("connection") {
            for token in h.value.split(|b| *b == b',').map(<[u8]>::trim_ascii) {
                if token.eq_ignore_ascii_case(b"close") {
                    close = true;
                } else if token.eq_ignore_ascii_case(b"keep-alive") {
                    keep_alive = true;
                }
            }
        }
    }
    let no_body = (100..200).contains(&status) || status == 204 || status == 304;
    let framing = match (no_body, chunked, length) {
        (true, _, _) => Framing::Empty,
        (false, Some(true), _) => Framing::Chunked,
        (false, Some(false), _) => Framing::UntilClose,
        (false, None, Some(n)) => Framing::Length(n),
        (false, None, None) => Framing::UntilClose,
    };
    // "close" wins over "keep-alive"; HTTP/1.0 keeps a connection only when asked to.
    let persistent = !close && (http11 || keep_alive);
    // Both Transfer-Encoding and Content-Length may be a smuggling attempt, and an HTTP/1.0
    // message with a Transfer-Encoding is faulty: read by the coding, never reused (RFC 9112
    // §6.1, §6.3).
    let suspect = chunked.is_some() && (length.is_some() || !http11);
    let keep_alive = persistent && !suspect && !matches!(framing, Framing::UntilClose);
    Ok(Meta {
        status,
        content_type,
        location,
        framing,
        keep_alive,
    })
}

/// The response side of a connection: its input buffer, the deadline, and how much was read.
struct Input<'c> {
    conn: &'c mut dyn Transport,
    deadline: Deadline,
    /// Bytes read into the buffer for this response: what `wipe` clears.
    read: usize,
    /// The connection ended with a reset or without TLS close_notify.
    unclean: bool,
}

impl Input<'_> {
    fn bytes(&mut self) -> &[u8] {
        self.conn.buffers().input()
    }

    fn consume(&mut self, n: usize) {
        self.conn.buffers().input_consume(n);
    }

    /// Reads more input; false when the peer closed the connection.
    fn fill(&mut self) -> Result<bool> {
        let before = self.conn.buffers().input().len();
        let more = loop {
            match self.conn.await_input(self.deadline.next()?) {
                // The rounded timeout ran out before the real deadline: no input was lost.
                Err(ureq::Error::Timeout(_)) if self.deadline.resumable() => continue,
                Err(ureq::Error::Io(e)) if e.kind() == std::io::ErrorKind::TimedOut => {
                    if self.deadline.resumable() {
                        continue;
                    }
                    return Err(ureq::Error::Timeout(self.deadline.reason).into());
                }
                // As ureq's body reader: a peer that resets or ends TLS without close_notify
                // has closed the connection; the framing decides whether that was too early.
                Err(ureq::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::UnexpectedEof
                            | std::io::ErrorKind::ConnectionReset
                            | std::io::ErrorKind::ConnectionAborted
                    ) =>
                {
                    self.unclean = true;
                    break false;
                }
                Err(e) => return Err(e.into()),
                Ok(more) => break more,
            }
        };
        let after = self.conn.buffers().input().len();
        self.read += after.saturating_sub(before);
        Ok(more)
    }

    /// Clears what this response left in the connection's buffer (tokens, for a login or a
    /// refresh): pooled connections keep their buffers. Every byte read lies in the first
    /// `read` bytes of the buffer, which starts over once all of it is consumed.
    fn wipe(&mut self) {
        let left = self.bytes().len();
        self.consume(left);
        let free = self.conn.buffers().input_append_buf();
        let n = self.read.min(free.len());
        free[..n].zeroize();
        self.read = 0;
    }

    /// Reads the response head, skipping interim (1xx) responses.
    fn head(&mut self) -> Result<Meta> {
        loop {
            let input = self.bytes();
            let seen = input.len();
            if seen > 0 {
                let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
                let mut response = httparse::Response::new(&mut headers);
                match response.parse(input) {
                    Ok(httparse::Status::Complete(n)) => {
                        let meta = meta_of(&response)?;
                        self.consume(n);
                        match meta.status {
                            101 => {
                                return Err(Failure::Malformed(
                                    "a 101 Switching Protocols nobody asked for".into(),
                                ))
                            }
                            100..=199 => continue,
                            _ => return Ok(meta),
                        }
                    }
                    Ok(httparse::Status::Partial) if seen >= MAX_HEAD => {
                        return Err(Failure::Malformed(format!(
                            "a response head larger than {} KiB",
                            MAX_HEAD / 1024
                        )))
                    }
                    Ok(httparse::Status::Partial) => {}
                    Err(e) => return Err(Failure::Malformed(e.to_string())),
                }
            }
            if !self.fill()? {
                return Err(Failure::Closed {
                    status: 0,
                    head_bytes: seen,
                });
            }
        }
    }

    /// Moves up to `want` bytes of input into `body`; false when the connection ended first.
    fn take(&mut self, body: &mut Vec<u8>, mut want: u64) -> Result<bool> {
        while want > 0 {
            let input = self.bytes();
            if input.is_empty() {
                if !self.fill()? {
                    return Ok(false);
                }
                continue;
            }
            let n = input.len().min(usize::try_from(want).unwrap_or(usize::MAX));
            append(body, &input[..n]);
            self.consume(n);
            want -= n as u64;
        }
        Ok(true)
    }

    /// Hands one line (without its CR LF) to `f`; `None` when the connection ended first.
    fn line<R>(&mut self, f: impl FnOnce(&[u8]) -> R) -> Result<Option<R>> {
        loop {
            let input = self.bytes();
            if let Some(end) = input.iter().position(|b| *b == b'\n') {
                let text = input[..end].strip_suffix(b"\r").unwrap_or(&input[..end]);
                let out = f(text);
                self.consume(end + 1);
                return Ok(Some(out));
            }
            if input.len() > MAX_LINE {
                return Err(Failure::Malformed("a chunk line that does not end".into()));
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// Reads a chunked body into `body`; false when the connection ended first.
    fn chunked(&mut self, body: &mut Vec<u8>, limit: u64, status: u16) -> Result<bool> {
        loop {
            let Some(size) = self.line(chunk_size)? else {
                return Ok(false);
            };
            let size = size.ok_or_else(|| Failure::Malformed("an invalid chunk size".into()))?;
            if size == 0 {
                // Trailer fields, then an empty line.
                loop {
                    match self.line(|l| l.is_empty())? {
                        None => return Ok(false),
                        Some(true) => return Ok(true),
                        Some(false) => {}
                    }
                }
            }
            if size > limit.saturating_sub(body.len() as u64) {
                return Err(Failure::TooLarge { status });
            }
            if !self.take(body, size)? {
                return Ok(false);
            }
            match self.line(|l| l.is_empty())? {
                None => return Ok(false),
                Some(true) => {}
                Some(false) => {
                    return Err(Failure::Malformed(
                        "a chunk longer than its size says".into(),
                    ))
                }
            }
        }
    }

    /// Reads a body that ends with the connection; false when that end was a reset or an
    /// unclean TLS end, which may have cut it.
    fn until_close(&mut self, body: &mut Vec<u8>, limit: u64, status: u16) -> Result<bool> {
        loop {
            let input = self.bytes();
            let n = input.len();
            if n > 0 {
                if n as u64 > limit.saturating_sub(body.len() as u64) {
                    return Err(Failure::TooLarge { status });
                }
                append(body, &input[..n]);
                self.consume(n);
            } else if !self.fill()? {
                return Ok(!self.unclean);
            }
        }
    }

    /// The body the head announced; false when the connection ended first.
    fn body(&mut self, meta: &Meta, limit: u64, body: &mut Vec<u8>) -> Result<bool> {
        let status = meta.status;
        match meta.framing {
            Framing::Empty => Ok(true),
            Framing::Length(n) => {
                if n > limit {
                    return Err(Failure::TooLarge { status });
                }
                // Sized up front: growing by doubling would copy the body several times.
                body.reserve_exact(usize::try_from(n.min(1 << 20)).unwrap_or(0));
                self.take(body, n)
            }
            Framing::Chunked => self.chunked(body, limit, status),
            Framing::UntilClose => self.until_close(body, limit, status),
        }
    }
}

/// Appends to a body that may hold tokens: when it must grow, the old allocation is wiped
/// rather than left behind by `Vec`'s reallocation.
fn append(body: &mut Vec<u8>, bytes: &[u8]) {
    if body.len() + bytes.len() > body.capacity() {
        let mut grown = Vec::with_capacity((body.len() + bytes.len()).max(body.capacity() * 2));
        grown.extend_from_slice(body);
        body.zeroize();
        *body = grown;
    }
    body.extend_from_slice(bytes);
}

/// `1*HEXDIG [BWS ";" chunk-ext]` (RFC 9112 §7.1): hex digits only, any number of leading
/// zeros, white space only before the extensions, which are ignored.
fn chunk_size(line: &[u8]) -> Option<u64> {
    let size = line.split(|b| *b == b';').next()?;
    let size = size.trim_ascii_end();
    if size.is_empty() || !size.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let significant = &size[size.iter().position(|b| *b != b'0').unwrap_or(size.len())..];
    if significant.len() > 16 {
        return None;
    }
    significant.iter().try_fold(0u64, |n, b| {
        let digit = (*b as char).to_digit(16)?;
        Some(n << 4 | u64::from(digit))
    })
}

/// Reads one whole response, whose body may be at most `limit` bytes. Whatever happens, what
/// was read is wiped from the connection's buffer before this returns.
pub fn read_response(conn: &mut dyn Transport, limit: u64, deadline: Deadline) -> Result<Answer> {
    let mut input = Input {
        conn,
        deadline,
        read: 0,
        unclean: false,
    };
    let result = read_whole(&mut input, limit);
    input.wipe();
    result
}

fn read_whole(input: &mut Input<'_>, limit: u64) -> Result<Answer> {
    let meta = input.head()?;
    let status = meta.status;
    // Wiped on every way out, errors included: a cut login answer holds part of a token.
    let mut body = SecretBytes::new(Vec::new());
    let complete = input.body(&meta, limit, &mut body).map_err(|f| match f {
        Failure::Io(error) => Failure::BodyIo { status, error },
        other => other,
    })?;
    if !complete {
        return Err(Failure::Closed {
            status,
            head_bytes: 0,
        });
    }
    // Bytes after the response were never asked for: such a connection is not reused.
    let reusable = meta.keep_alive && input.bytes().is_empty();
    Ok(Answer {
        status,
        content_type: meta.content_type,
        location: meta.location,
        body,
        reusable,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ureq::unversioned::transport::{Buffers, LazyBuffers};

    /// A connection that answers with `script`, `step` bytes per read, and keeps what was sent.
    #[derive(Debug)]
    struct Scripted {
        buffers: LazyBuffers,
        script: Vec<u8>,
        at: usize,
        step: usize,
        sent: Vec<u8>,
        writes: usize,
    }

    impl Scripted {
        fn new(script: &[u8], step: usize) -> Scripted {
            Scripted {
                buffers: LazyBuffers::new(128 * 1024, 1024),
                script: script.to_vec(),
                at: 0,
                step,
                sent: Vec::new(),
                writes: 0,
            }
        }
    }

    impl Transport for Scripted {
        fn buffers(&mut self) -> &mut dyn Buffers {
            &mut self.buffers
        }
        fn transmit_output(
            &mut self,
            amount: usize,
            _: NextTimeout,
        ) -> std::result::Result<(), ureq::Error> {
            let out = self.buffers.output()[..amount].to_vec();
            self.sent.extend_from_slice(&out);
            self.writes += 1;
            Ok(())
        }
        fn await_input(&mut self, _: NextTimeout) -> std::result::Result<bool, ureq::Error> {
            let buf = self.buffers.input_append_buf();
            let n = buf.len().min(self.step).min(self.script.len() - self.at);
            buf[..n].copy_from_slice(&self.script[self.at..self.at + n]);
            self.at += n;
            self.buffers.input_appended(n);
            Ok(n > 0)
        }
        fn is_open(&mut self) -> bool {
            true
        }
    }

    fn soon() -> Deadline {
        Deadline {
            at: Instant::now() + Duration::from_secs(5),
            reason: Timeout::Global,
            rounded: true,
        }
    }

    fn read(script: &str, step: usize) -> Result<Answer> {
        read_response(&mut Scripted::new(script.as_bytes(), step), 1000, soon())
    }

    fn malformed(script: &str) -> bool {
        matches!(read(script, 4096), Err(Failure::Malformed(_)))
    }

    /// What `head` puts on the wire, on a connection with a 1 KiB output buffer.
    fn sent(head: &Head<'_>) -> Scripted {
        let mut c = Scripted::new(b"", 1);
        write_request(&mut c, head, soon()).unwrap();
        c
    }

    #[test]
    fn the_request_goes_out_in_one_write_and_its_buffer_is_wiped() {
        let head = Head {
            method: "POST",
            target: "/api/client/v2.0/app/x/graphql",
            host: "127.0.0.1:9",
            user_agent: "ua/1",
            bearer: Some("tok"),
            body: Some(br#"{"query":"{a}"}"#),
        };
        let mut c = sent(&head);
        assert_eq!(
            String::from_utf8(c.sent.clone()).unwrap(),
            "POST /api/client/v2.0/app/x/graphql HTTP/1.1\r\nhost: 127.0.0.1:9\r\nuser-agent: ua/1\r\naccept: application/json\r\nauthorization: Bearer tok\r\ncontent-type: application/json\r\ncontent-length: 15\r\n\r\n{\"query\":\"{a}\"}"
        );
        assert_eq!(c.writes, 1);
        assert!(c.buffers.output().iter().all(|b| *b == 0));
        // Larger than the 1 KiB buffer: several writes, every byte in order.
        let big = vec![b'x'; 2500];
        let c = sent(&Head {
            body: Some(&big),
            ..head
        });
        assert_eq!(c.writes, 3);
        assert!(c.sent.ends_with(&big));
        // A POST without a body says so; a GET says nothing.
        let c = sent(&Head {
            bearer: None,
            body: None,
            ..head
        });
        assert!(c
            .sent
            .ends_with(b"accept: application/json\r\ncontent-length: 0\r\n\r\n"));
        let c = sent(&Head {
            method: "GET",
            bearer: None,
            body: None,
            ..head
        });
        assert!(c.sent.ends_with(b"accept: application/json\r\n\r\n"));
    }

    #[test]
    fn content_length_bodies_in_any_read_sizes() {
        let text = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}";
        for step in [1, 2, 7, 64, 4096] {
            let a = read(text, step).unwrap();
            assert_eq!(a.status, 200);
            assert_eq!(&a.body[..], b"{\"a\":1}");
            assert_eq!(a.content_type.as_deref(), Some("application/json"));
            assert!(a.reusable);
        }
    }

    #[test]
    fn chunked_bodies_with_extensions_and_trailers() {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\nX-Trailer: 1\r\n\r\n";
        for step in [1, 3, 4096] {
            let a = read(text, step).unwrap();
            assert_eq!(&a.body[..], b"{\"a\":1}");
            assert!(a.reusable);
        }
        for bad in [
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n11111111111111111\r\n",
        ] {
            assert!(malformed(bad), "{bad}");
        }
        let cut = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a";
        assert!(matches!(
            read(cut, 4096),
            Err(Failure::Closed { status: 200, .. })
        ));
    }

    #[test]
    fn interim_responses_are_skipped() {
        let text = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n";
        let a = read(text, 5).unwrap();
        assert_eq!(a.status, 204);
        assert!(a.body.is_empty() && a.reusable);
        assert!(malformed("HTTP/1.1 101 Switching Protocols\r\n\r\n"));
    }

    #[test]
    fn which_connections_may_be_reused() {
        let cases = [
            ("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true),
            ("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", false),
            ("HTTP/1.1 200 OK\r\nConnection: Keep-Alive, Close\r\nContent-Length: 0\r\n\r\n", false),
            ("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false),
            ("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", true),
            // Both framings: read as chunked, never reused.
            ("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false),
            // Bytes nobody asked for after the response.
            ("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\n", false),
            // "close" wins, in whatever order.
            ("HTTP/1.0 200 OK\r\nConnection: close, keep-alive\r\nContent-Length: 0\r\n\r\n", false),
            ("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", false),
            // An HTTP/1.0 message with a Transfer-Encoding is faulty (RFC 9112 §6.1).
            ("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false),
        ];
        for (text, reusable) in cases {
            assert_eq!(read(text, 4096).unwrap().reusable, reusable, "{text}");
        }
    }

    #[test]
    fn empty_list_elements_are_ignored() {
        let a = read(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, \r\n\r\n2\r\nok\r\n0\r\n\r\n",
            4096,
        )
        .unwrap();
        assert_eq!(&a.body[..], b"ok");
        assert!(a.reusable);
        let a = read("HTTP/1.1 200 OK\r\nContent-Length: 2,\r\n\r\nok", 4096).unwrap();
        assert_eq!(&a.body[..], b"ok");
    }

    #[test]
    fn many_headers_are_fine() {
        let headers: String = (0..120).map(|i| format!("X-{i}: {i}\r\n")).collect();
        let a = read(
            &format!("HTTP/1.1 200 OK\r\n{headers}Content-Length: 2\r\n\r\nok"),
            4096,
        )
        .unwrap();
        assert_eq!(&a.body[..], b"ok");
    }

    #[test]
    fn what_was_read_is_wiped_from_the_connection_buffer() {
        let text = "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n{\"access_token\":\"t\"}";
        for step in [7, 4096] {
            let mut c = Scripted::new(text.as_bytes(), step);
            read_response(&mut c, 1000, soon()).unwrap();
            assert!(c.buffers.input().is_empty());
            assert!(
                c.buffers.input_append_buf().iter().all(|b| *b == 0),
                "{step}"
            );
        }
        // Also after an error, with bytes left unread.
        let mut c = Scripted::new(
            b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\nsecret",
            4096,
        );
        assert!(matches!(
            read_response(&mut c, 1000, soon()),
            Err(Failure::TooLarge { status: 200 })
        ));
        assert!(c.buffers.input_append_buf().iter().all(|b| *b == 0));
    }

    #[test]
    fn a_reset_or_an_unclean_tls_end_is_the_end_of_the_connection() {
        #[derive(Debug)]
        struct Resets(Scripted);
        impl Transport for Resets {
            fn buffers(&mut self) -> &mut dyn Buffers {
                self.0.buffers()
            }
            fn transmit_output(
                &mut self,
                amount: usize,
                t: NextTimeout,
            ) -> std::result::Result<(), ureq::Error> {
                self.0.transmit_output(amount, t)
            }
            fn await_input(&mut self, t: NextTimeout) -> std::result::Result<bool, ureq::Error> {
                match self.0.await_input(t)? {
                    true => Ok(true),
                    false => Err(ureq::Error::Io(std::io::ErrorKind::UnexpectedEof.into())),
                }
            }
            fn is_open(&mut self) -> bool {
                false
            }
        }
        // A body framed by the end of the connection may have been cut by such an end.
        let until_close = Resets(Scripted::new(b"HTTP/1.1 200 OK\r\n\r\nall", 4096));
        assert!(matches!(
            read_response(&mut { until_close }, 1000, soon()),
            Err(Failure::Closed { status: 200, .. })
        ));
        // Framed by its length, it is complete whatever the end.
        let framed = Resets(Scripted::new(
            b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nall",
            4096,
        ));
        let a = read_response(&mut { framed }, 1000, soon()).unwrap();
        assert_eq!(&a.body[..], b"all");
        let cut = Resets(Scripted::new(
            b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nall",
            4096,
        ));
        assert!(matches!(
            read_response(&mut { cut }, 1000, soon()),
            Err(Failure::Closed { status: 200, .. })
        ));
    }

    #[test]
    fn bodies_to_the_end_of_the_connection() {
        let a = read("HTTP/1.1 200 OK\r\n\r\nall of it", 3).unwrap();
        assert_eq!(&a.body[..], b"all of it");
        assert!(!a.reusable);
        let a = read(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nraw",
            4096,
        )
        .unwrap();
        assert_eq!(&a.body[..], b"raw");
        assert!(!a.reusable);
    }

    #[test]
    fn the_size_limit_holds_for_every_framing() {
        let long = "x".repeat(1001);
        for text in [
            format!("HTTP/1.1 200 OK\r\nContent-Length: 1001\r\n\r\n{long}"),
            format!(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3e9\r\n{long}\r\n0\r\n\r\n"
            ),
            format!("HTTP/1.1 200 OK\r\n\r\n{long}"),
        ] {
            assert!(
                matches!(read(&text, 256), Err(Failure::TooLarge { status: 200 })),
                "{text}"
            );
        }
        let exact = "x".repeat(1000);
        let a = read(&format!("HTTP/1.1 200 OK\r\n\r\n{exact}"), 256).unwrap();
        assert_eq!(a.body.len(), 1000);
    }

    #[test]
    fn malformed_and_cut_responses() {
        for bad in [
            "HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\nabc",
            "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: +3\r\n\r\nabc",
            "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n",
            "<html>not http</html>\r\n\r\n",
            "HTTP/2 200\r\n\r\n",
            "HTTP/1.1 000 Zero\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 600 Beyond\r\nContent-Length: 0\r\n\r\n",
        ] {
            assert!(malformed(bad), "{bad}");
        }
        let same = read("HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc", 4096).unwrap();
        assert_eq!(&same.body[..], b"abc");
        assert!(matches!(
            read("", 4096),
            Err(Failure::Closed {
                status: 0,
                head_bytes: 0
            })
        ));
        assert!(matches!(
            read("HTTP/1.1 200 OK\r\nContent-", 4096),
            Err(Failure::Closed { status: 0, .. })
        ));
        assert!(matches!(
            read("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 4096),
            Err(Failure::Closed { status: 200, .. })
        ));
        let huge_head = format!("HTTP/1.1 200 OK\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD));
        assert!(matches!(
            read_response(&mut Scripted::new(huge_head.as_bytes(), 8192), 10, soon()),
            Err(Failure::Malformed(_))
        ));
    }

    #[test]
    fn timeouts_are_powers_of_two_of_milliseconds_before_the_deadline() {
        for (left_ms, expect_ms) in [(60_000, 32_768), (1_999, 1_024), (1, 1)] {
            let d = Deadline {
                at: Instant::now() + Duration::from_millis(left_ms) + Duration::from_micros(500),
                reason: Timeout::Global,
                rounded: true,
            };
            let t = d.next().unwrap();
            assert_eq!(*t.after, Duration::from_millis(expect_ms), "{left_ms}");
            assert!(d.resumable());
            // TLS: the exact time, and a timeout is final.
            let exact = Deadline {
                rounded: false,
                ..d
            };
            let t = exact.next().unwrap();
            assert!(
                *t.after > Duration::from_millis(left_ms)
                    && *t.after <= d.at - Instant::now() + Duration::from_millis(1)
            );
            assert!(!exact.resumable());
        }
        let past = Deadline {
            at: Instant::now(),
            reason: Timeout::Global,
            rounded: true,
        };
        assert!(matches!(
            past.next(),
            Err(ureq::Error::Timeout(Timeout::Global))
        ));
    }
}

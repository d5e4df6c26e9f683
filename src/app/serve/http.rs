//! The little HTTP/1.1 that the live page needs, on a plain `TcpStream`:
//! one request per connection, read within limits (head size, body size,
//! time) and answered with `Connection: close`. Request heads are parsed by
//! `httparse`; a request target is never decoded into a path, so nothing a
//! client sends can name a file.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

/// Largest request head (request line and headers).
pub const MAX_HEAD: usize = 16 * 1024;
/// Largest request body.
pub const MAX_BODY: usize = 64 * 1024;
/// Most time a client may take to send its whole request.
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(15);
/// Longest wait for any single read or write.
pub const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// A request as read.
#[derive(Debug)]
pub struct Request {
    /// Method, e.g. "GET".
    pub method: String,
    /// Request target up to any `?`, exactly as sent (never decoded).
    pub path: String,
    /// Headers (names in lower case).
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl Request {
    /// First value of header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A response to send.
#[derive(Debug)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Content-Type.
    pub content_type: &'static str,
    /// Extra headers.
    pub headers: Vec<(&'static str, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl Response {
    /// A response with `body` of type `content_type`.
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            content_type,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// A JSON error `{"error": message}`.
    pub fn error(status: u16, message: impl Into<String>) -> Self {
        let body = serde_json::json!({ "status": status, "error": message.into() });
        Self::new(status, JSON, body.to_string())
    }

    /// Add a header.
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// Content type of JSON bodies.
pub const JSON: &str = "application/json; charset=utf-8";

/// Read one request from `stream` (whose read timeout is set), or the
/// response that refuses it.
pub fn read_request(stream: &mut TcpStream) -> Result<Request, Response> {
    let started = Instant::now();
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 4096];
    let (head_len, method, path, headers) = loop {
        if started.elapsed() > REQUEST_DEADLINE {
            return Err(Response::error(408, "the request took too long to arrive"));
        }
        // Never read past the head limit (plus one byte to notice it).
        let room = (MAX_HEAD + 1)
            .saturating_sub(buf.len())
            .clamp(1, chunk.len());
        let n = read_some(stream, &mut chunk[..room])?;
        if n == 0 {
            return Err(Response::error(400, "the connection closed mid-request"));
        }
        buf.extend_from_slice(&chunk[..n]);
        let mut slots = [httparse::EMPTY_HEADER; 64];
        let mut req = httparse::Request::new(&mut slots);
        match req.parse(&buf) {
            Ok(httparse::Status::Complete(len)) if len > MAX_HEAD => {
                return Err(Response::error(
                    431,
                    format!("request head larger than {MAX_HEAD} bytes"),
                ));
            }
            Ok(httparse::Status::Complete(len)) => {
                let headers = req
                    .headers
                    .iter()
                    .map(|h| {
                        (
                            h.name.to_ascii_lowercase(),
                            String::from_utf8_lossy(h.value).trim().to_string(),
                        )
                    })
                    .collect::<Vec<_>>();
                let target = req.path.unwrap_or("/");
                let path = target.split(['?', '#']).next().unwrap_or("").to_string();
                break (len, req.method.unwrap_or("").to_string(), path, headers);
            }
            Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD => {
                return Err(Response::error(
                    431,
                    format!("request head larger than {MAX_HEAD} bytes"),
                ));
            }
            Ok(httparse::Status::Partial) => {}
            Err(httparse::Error::TooManyHeaders) => {
                return Err(Response::error(431, "more than 64 request headers"));
            }
            Err(e) => return Err(Response::error(400, format!("malformed request: {e}"))),
        }
    };
    let mut request = Request {
        method,
        path,
        headers,
        body: Vec::new(),
    };
    if request.header("transfer-encoding").is_some() {
        return Err(Response::error(
            411,
            "send the body with a Content-Length (chunked bodies are not accepted)",
        ));
    }
    let lengths: Vec<&str> = request
        .headers
        .iter()
        .filter(|(k, _)| k == "content-length")
        .map(|(_, v)| v.as_str())
        .collect();
    if lengths.len() > 1 {
        return Err(Response::error(
            400,
            "more than one Content-Length header (send exactly one)",
        ));
    }
    let length = match lengths.first() {
        None => 0,
        // Digits only: Rust would also read "+2" as 2.
        Some(v) if !v.is_empty() && v.len() <= 19 && v.bytes().all(|b| b.is_ascii_digit()) => {
            v.parse::<usize>().unwrap_or(usize::MAX)
        }
        Some(v) => {
            return Err(Response::error(
                400,
                format!("Content-Length '{v}' is not a plain decimal number"),
            ));
        }
    };
    if length > MAX_BODY {
        return Err(Response::error(
            413,
            format!("request body of {length} bytes; at most {MAX_BODY} are accepted"),
        ));
    }
    let mut body = buf.split_off(head_len);
    if body.len() < length
        && request
            .header("expect")
            .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"))
    {
        // curl, for one, waits for this before it sends a larger body.
        let _ = stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
    }
    if body.len() > length {
        return Err(Response::error(
            400,
            "more data than Content-Length announced (one request per connection)",
        ));
    }
    while body.len() < length {
        if started.elapsed() > REQUEST_DEADLINE {
            return Err(Response::error(408, "the request took too long to arrive"));
        }
        let n = read_some(stream, &mut chunk[..(length - body.len()).min(4096)])?;
        if n == 0 {
            return Err(Response::error(400, "the connection closed mid-body"));
        }
        body.extend_from_slice(&chunk[..n]);
    }
    request.body = body;
    Ok(request)
}

/// One read, with timeouts turned into a 408.
fn read_some(stream: &mut TcpStream, buf: &mut [u8]) -> Result<usize, Response> {
    loop {
        match stream.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(Response::error(408, "the request took too long to arrive"));
            }
            Err(e) => {
                return Err(Response::error(
                    400,
                    format!("cannot read the request: {e}"),
                ));
            }
        }
    }
}

/// Reason phrase of a status code.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        421 => "Misdirected Request",
        422 => "Unprocessable Content",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// Write `response` (without its body for HEAD) and close the connection
/// gracefully: stop sending, then drain what the client still sends for a
/// moment, so that it reads the response instead of a reset.
pub fn respond(stream: &mut TcpStream, response: &Response, head_only: bool) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\
         X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n",
        response.status,
        reason(response.status),
        response.content_type,
        response.body.len()
    );
    for (k, v) in &response.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(&response.body)?;
    }
    stream.flush()?;
    stream.shutdown(Shutdown::Write)?;
    stream.set_read_timeout(Some(Duration::from_millis(500)))?;
    let mut sink = [0u8; 4096];
    let mut drained = 0;
    let since = Instant::now();
    while drained < 4 * MAX_BODY && since.elapsed() < Duration::from_secs(2) {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
    Ok(())
}

/// Turn a connection away with a 503 without waiting for it: one
/// non-blocking write of a short response, then close. Used by the
/// accepting thread when every connection slot is taken.
pub fn refuse_busy(stream: &mut TcpStream) {
    let body = r#"{"status":503,"error":"too many connections; try again in a moment"}"#;
    let text = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: {JSON}\r\nContent-Length: {}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    if stream.set_nonblocking(true).is_ok() {
        let _ = stream.write(text.as_bytes());
    }
    let _ = stream.shutdown(Shutdown::Both);
}

/// Whether the client has gone away (closed its end): peeks without
/// blocking. Used to stop work for a request nobody waits for any more.
pub fn client_gone(stream: &TcpStream) -> bool {
    if stream.set_nonblocking(true).is_err() {
        return false;
    }
    let mut b = [0u8; 1];
    let gone = match stream.peek(&mut b) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => !matches!(
            e.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
        ),
    };
    let _ = stream.set_nonblocking(false);
    gone
}

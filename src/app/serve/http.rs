//! The little HTTP/1.1 that the live page needs, as pure functions on
//! bytes (the event loop in `net.rs` owns the sockets): one request per
//! connection, parsed within limits (head size, body size, one plain
//! Content-Length) and answered with `Connection: close`. Request heads are
//! parsed by `httparse`; a request target is never decoded into a path, so
//! nothing a client sends can name a file.

use std::time::Duration;

/// Largest request head (request line and headers).
pub const MAX_HEAD: usize = 16 * 1024;
/// Largest request body.
pub const MAX_BODY: usize = 64 * 1024;
/// Most time a client may take to send its whole request (head and body),
/// however slowly it trickles: then it gets a 408 and is closed.
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(15);
/// Most time a client may take to read its response.
pub const WRITE_DEADLINE: Duration = Duration::from_secs(10);
/// How long a closed connection's late bytes are read and dropped, so that
/// the client reads its response instead of a reset.
pub const DRAIN: Duration = Duration::from_secs(2);

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

/// Where a request stands after the bytes received so far.
#[derive(Debug)]
pub enum Parsed {
    /// More bytes are needed: at most `want` in all (the head limit while
    /// the head is incomplete, then head + Content-Length); `expect_continue`
    /// once a head asking for `100 Continue` is complete but its body is not.
    Incomplete {
        /// Most bytes this request may still grow to.
        want: usize,
        /// The client waits for `100 Continue` before its body.
        expect_continue: bool,
    },
    /// The whole request.
    Complete(Request),
}

/// Parse the bytes of one request received so far: incomplete, complete, or
/// the response that refuses it (head over [`MAX_HEAD`], body over
/// [`MAX_BODY`], a Content-Length that is not plain digits or comes twice,
/// chunked bodies, more bytes than announced, malformed heads).
pub fn parse(buf: &[u8]) -> Result<Parsed, Response> {
    let too_large = || Response::error(431, format!("request head larger than {MAX_HEAD} bytes"));
    let mut slots = [httparse::EMPTY_HEADER; 64];
    let mut req = httparse::Request::new(&mut slots);
    let head_len = match req.parse(buf) {
        Ok(httparse::Status::Complete(len)) if len > MAX_HEAD => return Err(too_large()),
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD => return Err(too_large()),
        Ok(httparse::Status::Partial) => {
            return Ok(Parsed::Incomplete {
                want: MAX_HEAD + 1,
                expect_continue: false,
            });
        }
        Err(httparse::Error::TooManyHeaders) => {
            return Err(Response::error(431, "more than 64 request headers"));
        }
        Err(e) => return Err(Response::error(400, format!("malformed request: {e}"))),
    };
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
    let mut request = Request {
        method: req.method.unwrap_or("").to_string(),
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
    let body = &buf[head_len..];
    if body.len() > length {
        return Err(Response::error(
            400,
            "more data than Content-Length announced (one request per connection)",
        ));
    }
    if body.len() < length {
        return Ok(Parsed::Incomplete {
            want: head_len + length,
            // curl, for one, waits for this before it sends a larger body.
            expect_continue: request
                .header("expect")
                .is_some_and(|e| e.eq_ignore_ascii_case("100-continue")),
        });
    }
    request.body = body.to_vec();
    Ok(Parsed::Complete(request))
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

/// The bytes of `response` (without its body for HEAD), announcing
/// `Connection: close`.
pub fn encode(response: &Response, head_only: bool) -> Vec<u8> {
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
    let mut out = head.into_bytes();
    if !head_only {
        out.extend_from_slice(&response.body);
    }
    out
}

/// The 503 that turns a connection away when every connection slot is
/// taken (sent with one non-blocking write, then the connection is closed).
pub fn busy() -> Vec<u8> {
    encode(
        &Response::error(503, "too many connections; try again in a moment")
            .with("Retry-After", "1"),
        false,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(buf: &[u8]) -> u16 {
        match parse(buf) {
            Ok(Parsed::Complete(_)) => 200,
            Ok(Parsed::Incomplete { .. }) => 0,
            Err(r) => r.status,
        }
    }

    /// A GET head of exactly `len` bytes.
    fn head(len: usize) -> Vec<u8> {
        let fixed = "GET / HTTP/1.1\r\nX-Pad: \r\n\r\n".len();
        format!(
            "GET / HTTP/1.1\r\nX-Pad: {}\r\n\r\n",
            "a".repeat(len - fixed)
        )
        .into_bytes()
    }

    #[test]
    fn the_head_limit_is_exact() {
        assert_eq!(head(MAX_HEAD).len(), MAX_HEAD);
        assert_eq!(status(&head(MAX_HEAD)), 200);
        assert_eq!(status(&head(MAX_HEAD + 1)), 431);
        assert_eq!(status(&head(20_000)), 431);
        // An unfinished head is refused as soon as it passes the limit.
        assert_eq!(status(&head(MAX_HEAD + 1)[..MAX_HEAD]), 0);
        assert_eq!(status(&head(MAX_HEAD + 10)[..MAX_HEAD + 1]), 431);
    }

    #[test]
    fn lengths_are_plain_digits_and_come_once() {
        let post =
            |h: &str, body: &str| format!("POST /api/run HTTP/1.1\r\n{h}\r\n{body}").into_bytes();
        assert_eq!(status(&post("Content-Length: 2\r\n", "{}")), 200);
        for bad in ["+2", "-2", "2 ", " 0x2", "2.0", "", "99999999999999999999"] {
            let h = format!("Content-Length: {bad}\r\n");
            // (httparse trims the value's surrounding blanks.)
            let want = if bad.trim() == "2" { 200 } else { 400 };
            assert_eq!(status(&post(&h, "{}")), want, "Content-Length: {bad:?}");
        }
        assert_eq!(
            status(&post("Content-Length: 2\r\nContent-Length: 2\r\n", "{}")),
            400
        );
        assert_eq!(status(&post("Transfer-Encoding: chunked\r\n", "")), 411);
        assert_eq!(status(&post("Content-Length: 65537\r\n", "")), 413);
        assert_eq!(status(&post("Content-Length: 2\r\n", "{}x")), 400);
        match parse(&post("Content-Length: 5\r\nExpect: 100-continue\r\n", "{")) {
            Ok(Parsed::Incomplete {
                want,
                expect_continue: true,
            }) => assert_eq!(
                want,
                post("Content-Length: 5\r\nExpect: 100-continue\r\n", "").len() + 5
            ),
            other => panic!("{other:?}"),
        }
    }
}

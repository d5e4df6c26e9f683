//! The server's sockets: one event-loop thread (`mio`, non-blocking) that
//! accepts, reads every request within its limits of size and time, answers
//! the page, its assets and `/api/scenario` itself, hands simulations to the
//! fixed pool of workers (a first-come, first-served queue, see
//! [`super::Jobs`]) and writes their answers back. No connection ever has a
//! thread of its own: a slow or stalled client costs a buffer and a slot,
//! never a worker, and it is cut off at [`http::REQUEST_DEADLINE`]. When
//! every slot is taken, the oldest connection still sending its request is
//! dropped to make room for the new one (a slow-client flood cannot lock the
//! page out); only when every slot holds a finished request is a new
//! connection turned away with a 503.

use super::http::{self, Parsed, Response};
use super::{Job, Routed, State};
use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token, Waker};
use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::time::{Duration, Instant};

const LISTENER: Token = Token(0);
const WAKER: Token = Token(1);
/// Longest sleep of the loop: deadlines are checked at least this often.
const TICK: Duration = Duration::from_millis(100);

/// An answer from a worker: the connection it is for and its bytes.
pub struct Answer {
    /// The connection's token.
    pub token: Token,
    /// The encoded response.
    pub bytes: Vec<u8>,
}

/// How the workers send answers back to the loop.
#[derive(Clone)]
pub struct Outbox {
    tx: Sender<Answer>,
    waker: Arc<Waker>,
}

impl Outbox {
    /// Hand an answer to the loop and wake it.
    pub fn send(&self, answer: Answer) {
        if self.tx.send(answer).is_ok() {
            let _ = self.waker.wake();
        }
    }
}

/// Where a connection stands.
enum Phase {
    /// Receiving its request (the bytes so far, at most `want` + 1 of them).
    Reading {
        buf: Vec<u8>,
        want: usize,
        continued: bool,
    },
    /// Its request waits for or runs on a worker; `gone` is set when the
    /// client closes its end.
    Working {
        gone: Arc<AtomicBool>,
        /// Bytes the client sent after its request (dropped).
        extra: usize,
    },
    /// Sending its response.
    Writing { out: Vec<u8>, at: usize },
    /// Response sent and write side shut: reading what the client still
    /// sends until it closes, so that it reads the response, not a reset.
    Draining { drained: usize },
}

struct Conn {
    stream: TcpStream,
    phase: Phase,
    /// When the current phase must be over (None: no limit, while working).
    deadline: Option<Instant>,
    /// When the connection was accepted.
    since: Instant,
}

/// The event loop. `max_connections` bounds the connections open at once.
pub struct Server {
    poll: Poll,
    listener: TcpListener,
    conns: HashMap<Token, Conn>,
    /// Tokens are never reused, so a late answer cannot reach another client.
    next_token: usize,
    max_connections: usize,
    answers: Receiver<Answer>,
    outbox: Outbox,
    /// Accepting paused (e.g. out of file descriptors) until then.
    paused: Option<Instant>,
    state: Arc<State>,
}

impl Server {
    /// The loop around a bound, listening socket.
    pub fn new(
        listener: std::net::TcpListener,
        max_connections: usize,
        state: Arc<State>,
    ) -> io::Result<Self> {
        listener.set_nonblocking(true)?;
        let mut listener = TcpListener::from_std(listener);
        let poll = Poll::new()?;
        poll.registry()
            .register(&mut listener, LISTENER, Interest::READABLE)?;
        let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
        let (tx, answers) = std::sync::mpsc::channel();
        Ok(Self {
            poll,
            listener,
            conns: HashMap::new(),
            next_token: 2,
            max_connections,
            answers,
            outbox: Outbox { tx, waker },
            paused: None,
            state,
        })
    }

    /// Where workers send their answers.
    pub fn outbox(&self) -> Outbox {
        self.outbox.clone()
    }

    /// Serve until the process is stopped.
    pub fn run(mut self) -> io::Result<()> {
        let mut events = Events::with_capacity(1024);
        let mut swept = Instant::now();
        loop {
            if let Err(e) = self.poll.poll(&mut events, Some(TICK)) {
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            for event in events.iter() {
                match event.token() {
                    LISTENER => self.accept(),
                    WAKER => {}
                    token => self.ready(token),
                }
            }
            while let Ok(a) = self.answers.try_recv() {
                self.answered(a);
            }
            if self.paused.is_some_and(|t| Instant::now() >= t) {
                self.paused = None;
                self.accept();
            }
            if swept.elapsed() >= TICK {
                swept = Instant::now();
                self.sweep();
            }
        }
    }

    /// Accept every waiting connection (the listener is edge-triggered).
    fn accept(&mut self) {
        if self.paused.is_some() {
            return;
        }
        loop {
            match self.listener.accept() {
                Ok((mut stream, _)) => {
                    if self.conns.len() >= self.max_connections && !self.evict() {
                        // Every slot holds a finished request: turned away.
                        let _ = stream.write(&http::busy());
                        let _ = stream.shutdown(Shutdown::Both);
                        continue;
                    }
                    let token = Token(self.next_token);
                    self.next_token += 1;
                    if self
                        .poll
                        .registry()
                        .register(&mut stream, token, Interest::READABLE | Interest::WRITABLE)
                        .is_err()
                    {
                        continue;
                    }
                    let _ = stream.set_nodelay(true);
                    let now = Instant::now();
                    self.conns.insert(
                        token,
                        Conn {
                            stream,
                            phase: Phase::Reading {
                                buf: Vec::new(),
                                want: http::MAX_HEAD + 1,
                                continued: false,
                            },
                            deadline: Some(now + http::REQUEST_DEADLINE),
                            since: now,
                        },
                    );
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    // E.g. out of file descriptors: wait a moment, keep serving.
                    eprintln!("warning: cannot accept a connection: {e}");
                    self.paused = Some(Instant::now() + Duration::from_millis(50));
                    return;
                }
            }
        }
    }

    /// Make room by dropping the oldest connection that has not finished
    /// sending its request (or is draining); false if there is none.
    fn evict(&mut self) -> bool {
        let oldest = self
            .conns
            .iter()
            .filter(|(_, c)| matches!(c.phase, Phase::Reading { .. } | Phase::Draining { .. }))
            .min_by_key(|(_, c)| c.since)
            .map(|(t, _)| *t);
        match oldest {
            Some(t) => {
                self.close(t);
                true
            }
            None => false,
        }
    }

    fn close(&mut self, token: Token) {
        if let Some(mut c) = self.conns.remove(&token) {
            let _ = self.poll.registry().deregister(&mut c.stream);
        }
    }

    /// A connection's socket is readable or writable: make what progress
    /// it allows.
    fn ready(&mut self, token: Token) {
        let Some(conn) = self.conns.get_mut(&token) else {
            return;
        };
        if let Next::Close = step(conn, token, &self.state) {
            self.close(token);
        }
    }

    /// A worker's answer: write it, unless the client has gone.
    fn answered(&mut self, a: Answer) {
        let Some(conn) = self.conns.get_mut(&a.token) else {
            return;
        };
        if !matches!(conn.phase, Phase::Working { .. }) {
            return;
        }
        conn.phase = Phase::Writing {
            out: a.bytes,
            at: 0,
        };
        conn.deadline = Some(Instant::now() + http::WRITE_DEADLINE);
        self.ready(a.token);
    }

    /// Enforce every deadline: a request not received in time gets a 408;
    /// a response not read in time, or a drain that outlasts its moment,
    /// ends the connection.
    fn sweep(&mut self) {
        let now = Instant::now();
        let late: Vec<Token> = self
            .conns
            .iter()
            .filter(|(_, c)| c.deadline.is_some_and(|d| now >= d))
            .map(|(t, _)| *t)
            .collect();
        for token in late {
            let conn = self.conns.get_mut(&token).expect("listed");
            if matches!(conn.phase, Phase::Reading { .. }) {
                answer_now(
                    conn,
                    &Response::error(408, "the request took too long to arrive"),
                    false,
                );
                self.ready(token);
            } else {
                self.close(token);
            }
        }
    }
}

/// What to do with a connection after a step.
enum Next {
    Keep,
    Close,
}

/// Start writing `response` on `conn`.
fn answer_now(conn: &mut Conn, response: &Response, head_only: bool) {
    conn.phase = Phase::Writing {
        out: http::encode(response, head_only),
        at: 0,
    };
    conn.deadline = Some(Instant::now() + http::WRITE_DEADLINE);
}

/// Most bytes read and dropped from a client after its request.
const MAX_DRAIN: usize = 4 * http::MAX_BODY;

/// Make all the progress a connection's socket allows now (it is
/// edge-triggered: read or write until it would block).
fn step(conn: &mut Conn, token: Token, state: &State) -> Next {
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let read = match &mut conn.phase {
            Phase::Writing { out, at } => {
                match conn.stream.write(&out[*at..]) {
                    Ok(0) => return Next::Close,
                    Ok(n) => {
                        *at += n;
                        if *at == out.len() {
                            let _ = conn.stream.flush();
                            let _ = conn.stream.shutdown(Shutdown::Write);
                            conn.phase = Phase::Draining { drained: 0 };
                            conn.deadline = Some(Instant::now() + http::DRAIN);
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Next::Keep,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => return Next::Close,
                }
                continue;
            }
            Phase::Reading { buf, want, .. } => {
                // Never more than the request may hold, plus one byte to
                // notice an excess.
                let room = (*want + 1).saturating_sub(buf.len()).clamp(1, chunk.len());
                conn.stream.read(&mut chunk[..room])
            }
            Phase::Working { .. } | Phase::Draining { .. } => conn.stream.read(&mut chunk),
        };
        let n = match read {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Next::Keep,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => {
                if let Phase::Working { gone, .. } = &conn.phase {
                    gone.store(true, Ordering::Relaxed);
                }
                return Next::Close;
            }
        };
        match &mut conn.phase {
            Phase::Reading {
                buf,
                want,
                continued,
            } => {
                if n == 0 {
                    if buf.is_empty() {
                        return Next::Close;
                    }
                    let r = Response::error(400, "the connection closed mid-request");
                    answer_now(conn, &r, false);
                    continue;
                }
                let head_done = *want != http::MAX_HEAD + 1;
                buf.extend_from_slice(&chunk[..n]);
                // A head ends with a line end: parse only when one came.
                if !head_done && !chunk[..n].contains(&b'\n') && buf.len() <= http::MAX_HEAD {
                    continue;
                }
                match http::parse(buf) {
                    Ok(Parsed::Incomplete {
                        want: w,
                        expect_continue,
                    }) => {
                        *want = w;
                        if expect_continue && !*continued {
                            // curl, for one, waits for this before a larger body.
                            *continued = true;
                            let _ = conn.stream.write(b"HTTP/1.1 100 Continue\r\n\r\n");
                        }
                    }
                    Ok(Parsed::Complete(request)) => dispatch(conn, token, state, request),
                    Err(r) => answer_now(conn, &r, false),
                }
            }
            Phase::Working { gone, extra } => {
                *extra += n;
                if n == 0 || *extra > MAX_DRAIN {
                    // The client has gone (or floods): stop its work.
                    gone.store(true, Ordering::Relaxed);
                    return Next::Close;
                }
            }
            Phase::Draining { drained } => {
                *drained += n;
                if n == 0 || *drained > MAX_DRAIN {
                    return Next::Close;
                }
            }
            Phase::Writing { .. } => unreachable!("handled above"),
        }
    }
}

/// A whole request: answered at once, or queued for a worker.
fn dispatch(conn: &mut Conn, token: Token, state: &State, request: http::Request) {
    let head_only = request.method == "HEAD";
    match super::route(state, &request) {
        Routed::Now(r) => answer_now(conn, &r, head_only),
        Routed::Simulate => {
            let gone = Arc::new(AtomicBool::new(false));
            match state.jobs.push(Job::new(token, request, Arc::clone(&gone))) {
                Ok(()) => {
                    conn.phase = Phase::Working { gone, extra: 0 };
                    conn.deadline = None;
                }
                Err(r) => answer_now(conn, &r, false),
            }
        }
    }
}

//! `culturesim serve`: the live page for workshops. Move a lever, watch the
//! culture grow or melt.
//!
//! One page (embedded HTML, script, style sheet and fonts: no internet
//! needed) and a small JSON API, served on 127.0.0.1 unless another address
//! is asked for. At most [`MAX_CONNECTIONS`] connections are handled at
//! once, each by its own thread, each carrying one request read within
//! limits of size and time; beyond that the accepting thread answers 503
//! itself. At most [`MAX_SIMULATIONS`] requests simulate (or build an
//! organization for `/api/org`) at once; others wait their turn in the
//! order they came, and a request whose client has gone stops simulating. Requests never
//! touch the file system: static files come from the embedded set, and
//! scenarios are built from text held in memory.

mod api;
mod assets;
mod http;

use super::Failure;
use crate::cli::ServeArgs;
use crate::scenario::Limits;
use anyhow::anyhow;
use http::{JSON, Request, Response};
use std::io::Write;
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Most connections handled at once, each by its own thread (a bounded
/// pool); more are turned away with a 503 by the accepting thread itself,
/// without a thread. Large enough that 200 slow clients leave room for the
/// page.
pub const MAX_CONNECTIONS: usize = 256;
/// Stack of a connection's thread (simulations run on the rayon pool).
const HANDLER_STACK: usize = 2 * 1024 * 1024;
/// Most requests simulating at once; more wait for a turn.
pub const MAX_SIMULATIONS: usize = 4;
/// Longest wait for a turn to simulate.
pub const MAX_QUEUE_WAIT: Duration = Duration::from_secs(30);
/// Most steps a request may run (forty years of weeks).
pub const MAX_STEPS: u32 = 2080;
/// Most agent-steps (employees × steps × replicates) per request: about
/// four seconds on two cores.
pub const MAX_WORK: u64 = 100_000_000;

/// Shared by every connection.
struct State {
    base: api::Base,
    /// `GET /api/scenario`, computed once.
    scenario_json: Vec<u8>,
    /// Host headers accepted (None: any, when listening beyond loopback).
    hosts: Option<Vec<String>>,
    connections: AtomicUsize,
    turns: Turns,
}

/// Run the server until the process is stopped.
pub fn serve(args: &ServeArgs) -> Result<(), Failure> {
    let input = |m: String| Failure::Input(anyhow!(m));
    if args.max_employees == 0 || args.max_replicates == 0 {
        return Err(input(
            "--max-employees and --max-replicates must be at least 1".into(),
        ));
    }
    let limits = Limits {
        employees: args.max_employees,
        replicates: args.max_replicates,
        steps: MAX_STEPS,
        work: MAX_WORK,
    };
    let base = api::Base::load(args.scenario.as_deref(), limits).map_err(Failure::Input)?;
    let addrs: Vec<SocketAddr> = (args.host.as_str(), args.port)
        .to_socket_addrs()
        .map_err(|e| {
            input(format!(
                "--host '{}' is not a usable address: {e}",
                args.host
            ))
        })?
        .collect();
    let listener = TcpListener::bind(&addrs[..]).map_err(|e| {
        let hint = if e.kind() == std::io::ErrorKind::AddrInUse {
            "; the port is in use: choose another with --port (0 picks a free one)"
        } else {
            ""
        };
        Failure::Runtime(anyhow!(
            "cannot listen on {}:{}: {e}{hint}",
            args.host,
            args.port
        ))
    })?;
    let local = listener
        .local_addr()
        .map_err(|e| Failure::Runtime(e.into()))?;
    let loopback = local.ip().is_loopback();
    let hosts = loopback.then(|| {
        let p = local.port();
        let mut h = vec![
            format!("127.0.0.1:{p}"),
            format!("localhost:{p}"),
            format!("[::1]:{p}"),
        ];
        if p == 80 {
            h.extend(["127.0.0.1", "localhost", "[::1]"].map(String::from));
        }
        h
    });
    let shown = match local.ip() {
        IpAddr::V6(ip) => format!("[{ip}]:{}", local.port()),
        IpAddr::V4(ip) => format!("{ip}:{}", local.port()),
    };
    println!(
        "culturesim serve: \"{}\" on http://{shown}/ (Ctrl-C to stop)",
        base.name()
    );
    if !loopback {
        eprintln!(
            "warning: listening on {shown}: anyone who can reach this machine on port {} can use the page",
            local.port()
        );
    }
    let _ = std::io::stdout().flush();
    let state = Arc::new(State {
        scenario_json: base.describe(),
        base,
        hosts,
        connections: AtomicUsize::new(0),
        turns: Turns::new(MAX_SIMULATIONS),
    });
    for conn in listener.incoming() {
        match conn {
            Ok(mut stream) => {
                // Over the cap: refused here, without a thread.
                if state.connections.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
                    http::refuse_busy(&mut stream);
                    continue;
                }
                state.connections.fetch_add(1, Ordering::SeqCst);
                let shared = Arc::clone(&state);
                let spawned = std::thread::Builder::new()
                    .name("culturesim-http".into())
                    .stack_size(HANDLER_STACK)
                    .spawn(move || connection(stream, &shared));
                if let Err(e) = spawned {
                    state.connections.fetch_sub(1, Ordering::SeqCst);
                    eprintln!("warning: cannot start a thread for a connection: {e}");
                }
            }
            Err(e) => {
                // E.g. out of file descriptors: wait a moment, keep serving.
                eprintln!("warning: cannot accept a connection: {e}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    Ok(())
}

/// Counts a connection while it lives.
struct Counted<'a>(&'a AtomicUsize);

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Handle one connection (counted by the accept loop): one request, one
/// response.
fn connection(mut stream: TcpStream, state: &State) {
    let _counted = Counted(&state.connections);
    let _ = stream.set_read_timeout(Some(http::IO_TIMEOUT));
    let _ = stream.set_write_timeout(Some(http::IO_TIMEOUT));
    let _ = stream.set_nodelay(true);
    let (response, head) = match http::read_request(&mut stream) {
        Ok(req) => (route(state, &req, &stream), req.method == "HEAD"),
        Err(r) => (r, false),
    };
    let _ = http::respond(&mut stream, &response, head);
}

/// Content-Security-Policy of the page: everything from this server only.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; \
                   img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; \
                   form-action 'none'; frame-ancestors 'none'";

/// Answer a request.
fn route(state: &State, req: &Request, stream: &TcpStream) -> Response {
    if let Some(hosts) = &state.hosts {
        let host = req.header("host").unwrap_or("");
        if !hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
            // A page elsewhere cannot reach this server through a name it controls.
            return Response::error(
                421,
                format!("this server answers to {} only", hosts.join(", ")),
            );
        }
    }
    let get = matches!(req.method.as_str(), "GET" | "HEAD");
    let post = req.method == "POST";
    match req.path.as_str() {
        "/api/scenario" if get => {
            Response::new(200, JSON, state.scenario_json.clone()).with("Cache-Control", "no-store")
        }
        "/api/run" | "/api/org" if post => {
            if let Some(r) = require_json(req) {
                return r;
            }
            // Both build an organization: both wait for a turn, in order.
            let mut gone = || http::client_gone(stream);
            let response = match state.turns.take(&mut gone) {
                Ok(_turn) if req.path == "/api/org" => api::org(&state.base, &req.body),
                Ok(_turn) => api::run(&state.base, &req.body, &mut gone),
                Err(r) => r,
            };
            response.with("Cache-Control", "no-store")
        }
        "/api/scenario" => Response::error(405, "use GET").with("Allow", "GET, HEAD"),
        "/api/run" | "/api/org" => Response::error(405, "use POST").with("Allow", "POST"),
        path => match assets::get(path) {
            Some(a) if get => {
                let r =
                    Response::new(200, a.content_type, a.body).with("Cache-Control", "no-cache");
                if a.content_type.starts_with("text/html") {
                    r.with("Content-Security-Policy", CSP)
                } else {
                    r
                }
            }
            Some(_) => Response::error(405, "use GET").with("Allow", "GET, HEAD"),
            None => Response::error(
                404,
                "not found: this server has the page (/) and its API (/api/...) only",
            ),
        },
    }
}

/// A 415 unless the body is declared JSON (which also keeps other sites'
/// pages from posting here without the browser asking first).
fn require_json(req: &Request) -> Option<Response> {
    let ct = req.header("content-type").unwrap_or("");
    let media = ct.split(';').next().unwrap_or("").trim();
    (!media.eq_ignore_ascii_case("application/json")).then(|| {
        Response::error(
            415,
            format!("send the request as Content-Type: application/json (got '{ct}')"),
        )
    })
}

/// Turns to simulate: a counting semaphore served first come, first
/// served (a ticket queue), whose waiters give up when their client
/// leaves or after [`MAX_QUEUE_WAIT`].
struct Turns {
    queue: Mutex<Queue>,
    changed: Condvar,
}

/// Free turns and the tickets waiting for one, oldest first.
struct Queue {
    free: usize,
    waiting: std::collections::VecDeque<u64>,
    next: u64,
}

/// A turn, given back on drop.
struct Turn<'a>(&'a Turns);

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        self.0.queue.lock().unwrap_or_else(|p| p.into_inner()).free += 1;
        self.0.changed.notify_all();
    }
}

impl Turns {
    fn new(n: usize) -> Self {
        Self {
            queue: Mutex::new(Queue {
                free: n,
                waiting: std::collections::VecDeque::new(),
                next: 0,
            }),
            changed: Condvar::new(),
        }
    }

    fn take(&self, gone: &mut dyn FnMut() -> bool) -> Result<Turn<'_>, Response> {
        let since = Instant::now();
        let mut q = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        let me = q.next;
        q.next += 1;
        q.waiting.push_back(me);
        loop {
            if q.free > 0 && q.waiting.front() == Some(&me) {
                q.waiting.pop_front();
                q.free -= 1;
                drop(q);
                // The next in line may find a turn free too.
                self.changed.notify_all();
                return Ok(Turn(self));
            }
            if since.elapsed() > MAX_QUEUE_WAIT {
                q.waiting.retain(|&t| t != me);
                drop(q);
                self.changed.notify_all();
                return Err(Response::error(
                    503,
                    "the server is busy with other simulations; try again in a moment",
                )
                .with("Retry-After", "2"));
            }
            q = self
                .changed
                .wait_timeout(q, Duration::from_millis(100))
                .unwrap_or_else(|p| p.into_inner())
                .0;
            if !(q.free > 0 && q.waiting.front() == Some(&me)) && gone() {
                q.waiting.retain(|&t| t != me);
                drop(q);
                self.changed.notify_all();
                return Err(Response::error(503, "the client went away"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turns_are_counted_and_given_back() {
        let t = Turns::new(2);
        let a = t.take(&mut || false).unwrap();
        let _b = t.take(&mut || false).unwrap();
        // Full: a waiter whose client leaves gives up.
        match t.take(&mut || true) {
            Err(r) => assert_eq!(r.status, 503),
            Ok(_) => panic!("a turn was given beyond the count"),
        }
        drop(a);
        assert!(t.take(&mut || false).is_ok());
    }

    #[test]
    fn only_json_bodies_are_accepted() {
        let req = |ct: Option<&str>| Request {
            method: "POST".into(),
            path: "/api/run".into(),
            headers: ct
                .map(|c| vec![("content-type".to_string(), c.to_string())])
                .unwrap_or_default(),
            body: Vec::new(),
        };
        assert!(require_json(&req(Some("application/json"))).is_none());
        assert!(require_json(&req(Some("application/json; charset=utf-8"))).is_none());
        assert_eq!(require_json(&req(Some("text/plain"))).unwrap().status, 415);
        assert_eq!(require_json(&req(None)).unwrap().status, 415);
    }
}

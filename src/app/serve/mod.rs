//! `culturesim serve`: the live page for workshops. Move a lever, watch the
//! culture grow or melt.
//!
//! One page (embedded HTML, script, style sheet and fonts: no internet
//! needed) and a small JSON API, served on 127.0.0.1 unless another address
//! is asked for. A bounded design: one event-loop thread (`net.rs`, on
//! `mio`) holds at most [`MAX_CONNECTIONS`] connections, reads every request
//! within limits of size and time without a thread per connection, and
//! answers the page, its assets and `/api/scenario` itself; requests that
//! simulate (`/api/run`, and `/api/org`, which builds an organization) wait
//! in one first-come, first-served queue of at most [`MAX_QUEUED`] for the
//! [`MAX_SIMULATIONS`] worker threads, and a request whose client has gone
//! stops simulating. However many clients connect, the server has the same
//! few threads. Requests never touch the file system: static files come
//! from the embedded set, and scenarios are built from text held in memory.

mod api;
mod assets;
mod http;
mod net;

use super::Failure;
use crate::cli::ServeArgs;
use crate::scenario::Limits;
use anyhow::anyhow;
use http::{JSON, Request, Response};
use std::collections::VecDeque;
use std::io::Write;
use std::net::{IpAddr, SocketAddr, TcpListener, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Most connections open at once (in any phase: sending a request, waiting
/// for a simulation, reading a response). When all are taken, the oldest
/// connection still sending its request makes room for the new one; only
/// when every one holds a finished request is a new one turned away (503).
/// Fewer when the process may open fewer files.
pub const MAX_CONNECTIONS: usize = 1024;
/// Worker threads, hence most requests simulating at once.
pub const MAX_SIMULATIONS: usize = 4;
/// Most requests waiting for a worker; more are answered 503 at once.
pub const MAX_QUEUED: usize = 64;
/// Longest wait for a worker: a request that waited longer gets a 503.
pub const MAX_QUEUE_WAIT: Duration = Duration::from_secs(30);
/// Stack of a worker thread (simulations run on the rayon pool).
const WORKER_STACK: usize = 2 * 1024 * 1024;
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
    /// Requests waiting for a worker.
    jobs: Jobs,
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
    let mut base = api::Base::load(args.scenario.as_deref(), limits).map_err(Failure::Input)?;
    if let Some(dir) = &args.posterior {
        let post = crate::calibrate::Posterior::load(dir).map_err(|e| Failure::Input(e.into()))?;
        base = base.with_posterior(post).map_err(Failure::Input)?;
    }
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
    // Whatever --force-size consented to, it was for the starting scenario:
    // a request never gets it (the caps above hold for every request).
    crate::limits::set_force_size(false);
    let state = Arc::new(State {
        scenario_json: base.describe(),
        base,
        hosts,
        jobs: Jobs::new(MAX_QUEUED),
    });
    let max_connections = MAX_CONNECTIONS.min(open_files_allowed().saturating_sub(64).max(16));
    let server = net::Server::new(listener, max_connections, Arc::clone(&state))
        .map_err(|e| Failure::Runtime(anyhow!("cannot start the server: {e}")))?;
    for _ in 0..MAX_SIMULATIONS {
        let (state, outbox) = (Arc::clone(&state), server.outbox());
        std::thread::Builder::new()
            .name("culturesim-worker".into())
            .stack_size(WORKER_STACK)
            .spawn(move || worker(&state, &outbox))
            .map_err(|e| Failure::Runtime(anyhow!("cannot start a worker thread: {e}")))?;
    }
    server
        .run()
        .map_err(|e| Failure::Runtime(anyhow!("the server stopped: {e}")))
}

/// Files this process may open, after raising the soft limit towards the
/// hard one (each connection is one).
fn open_files_allowed() -> usize {
    #[cfg(unix)]
    {
        // SAFETY: getrlimit and setrlimit only read and write the struct given.
        unsafe {
            let mut lim = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
                return 1024;
            }
            let want = (MAX_CONNECTIONS as libc::rlim_t + 256).min(lim.rlim_max);
            if lim.rlim_cur < want {
                let raised = libc::rlimit {
                    rlim_cur: want,
                    rlim_max: lim.rlim_max,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                    lim.rlim_cur = want;
                }
            }
            usize::try_from(lim.rlim_cur).unwrap_or(usize::MAX)
        }
    }
    #[cfg(not(unix))]
    {
        MAX_CONNECTIONS + 256
    }
}

/// A worker: take the oldest waiting request, simulate, hand the answer
/// back to the event loop; forever.
fn worker(state: &State, outbox: &net::Outbox) {
    loop {
        let (job, turn) = state.jobs.next();
        if job.gone.load(Ordering::Relaxed) {
            continue;
        }
        let response = if job.queued.elapsed() > MAX_QUEUE_WAIT {
            Response::error(
                503,
                "the server is busy with other simulations; try again in a moment",
            )
            .with("Retry-After", "2")
        } else {
            let gone = || job.gone.load(Ordering::Relaxed);
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                simulate(state, &job.request, &mut { gone })
            }))
            .unwrap_or_else(|_| Response::error(500, "internal error while simulating"))
        };
        let response = response
            .with("Cache-Control", "no-store")
            .with("X-Culturesim-Ticket", job.ticket.to_string())
            .with("X-Culturesim-Turn", turn.to_string());
        outbox.send(net::Answer {
            token: job.token,
            bytes: http::encode(&response, false),
        });
    }
}

/// A request's work on a worker: `/api/org` or `/api/run`.
fn simulate(state: &State, req: &Request, gone: &mut dyn FnMut() -> bool) -> Response {
    if req.path == "/api/org" {
        api::org(&state.base, &req.body)
    } else {
        api::run(&state.base, &req.body, gone)
    }
}

/// Content-Security-Policy of the page: everything from this server only.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; \
                   img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; \
                   form-action 'none'; frame-ancestors 'none'";

/// What a request needs.
enum Routed {
    /// This answer, at once (from the event loop).
    Now(Response),
    /// A worker: it simulates or builds an organization.
    Simulate,
}

/// Route a request: the answer itself, or a turn on a worker.
fn route(state: &State, req: &Request) -> Routed {
    if let Some(hosts) = &state.hosts {
        let host = req.header("host").unwrap_or("");
        if !hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
            // A page elsewhere cannot reach this server through a name it controls.
            return Routed::Now(Response::error(
                421,
                format!("this server answers to {} only", hosts.join(", ")),
            ));
        }
    }
    if matches!(req.path.as_str(), "/api/run" | "/api/org") && req.method == "POST" {
        // Both build an organization: both wait for a worker, in order.
        return match require_json(req) {
            Some(r) => Routed::Now(r),
            None => Routed::Simulate,
        };
    }
    Routed::Now(answer(state, req))
}

/// Answer a request that needs no simulation.
fn answer(state: &State, req: &Request) -> Response {
    let get = matches!(req.method.as_str(), "GET" | "HEAD");
    match req.path.as_str() {
        "/api/scenario" if get => {
            Response::new(200, JSON, state.scenario_json.clone()).with("Cache-Control", "no-store")
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

/// A request waiting for a worker.
pub struct Job {
    token: mio::Token,
    request: Request,
    /// Set by the event loop when the client closes its end.
    gone: Arc<AtomicBool>,
    queued: Instant,
    /// Its place in the order of arrival (set by [`Jobs::push`]).
    ticket: u64,
}

impl Job {
    /// A job for connection `token`.
    pub fn new(token: mio::Token, request: Request, gone: Arc<AtomicBool>) -> Self {
        Self {
            token,
            request,
            gone,
            queued: Instant::now(),
            ticket: 0,
        }
    }
}

/// The requests waiting for a worker, served first come, first served: a
/// worker always takes the oldest. Each request gets a ticket (its place in
/// the order of arrival) when queued and a turn (its place in the order of
/// service) when taken; a response carries both (`X-Culturesim-Ticket`,
/// `X-Culturesim-Turn`), and they are equal for every request.
struct Jobs {
    queue: Mutex<JobQueue>,
    ready: Condvar,
    max: usize,
}

struct JobQueue {
    waiting: VecDeque<Job>,
    tickets: u64,
    turns: u64,
}

impl Jobs {
    fn new(max: usize) -> Self {
        Self {
            queue: Mutex::new(JobQueue {
                waiting: VecDeque::new(),
                tickets: 0,
                turns: 0,
            }),
            ready: Condvar::new(),
            max,
        }
    }

    /// Queue a job, or the 503 when [`MAX_QUEUED`] already wait.
    fn push(&self, mut job: Job) -> Result<(), Response> {
        let mut q = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        if q.waiting.len() >= self.max {
            return Err(Response::error(
                503,
                "the server is busy with other simulations; try again in a moment",
            )
            .with("Retry-After", "2"));
        }
        job.ticket = q.tickets;
        q.tickets += 1;
        q.waiting.push_back(job);
        drop(q);
        self.ready.notify_one();
        Ok(())
    }

    /// The oldest job and its turn, waiting for one if none is queued.
    fn next(&self) -> (Job, u64) {
        let mut q = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(job) = q.waiting.pop_front() {
                let turn = q.turns;
                q.turns += 1;
                return (job, turn);
            }
            q = self.ready.wait(q).unwrap_or_else(|p| p.into_inner());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(n: usize) -> Job {
        let request = Request {
            method: "POST".into(),
            path: format!("/api/run/{n}"),
            headers: Vec::new(),
            body: Vec::new(),
        };
        Job::new(mio::Token(n), request, Arc::new(AtomicBool::new(false)))
    }

    #[test]
    fn jobs_are_served_in_the_order_they_came_and_the_queue_is_bounded() {
        let jobs = Jobs::new(5);
        for n in 0..5 {
            jobs.push(job(n)).unwrap();
        }
        assert_eq!(jobs.push(job(9)).unwrap_err().status, 503);
        for n in 0..5 {
            let (j, turn) = jobs.next();
            assert_eq!((j.token.0, j.ticket, turn), (n, n as u64, n as u64));
        }
        // Workers waiting on an empty queue are woken, oldest job first.
        let jobs = Arc::new(jobs);
        let taken: Vec<_> = (0..3)
            .map(|_| {
                let jobs = Arc::clone(&jobs);
                std::thread::spawn(move || {
                    let (j, turn) = jobs.next();
                    (j.ticket, turn)
                })
            })
            .collect();
        for n in 0..3 {
            jobs.push(job(10 + n)).unwrap();
        }
        for h in taken {
            let (ticket, turn) = h.join().unwrap();
            assert_eq!(ticket, turn);
        }
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

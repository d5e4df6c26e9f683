//! `culturesim serve` through the real binary: the page and its assets come
//! from the binary; the API's numbers are those of `culturesim run` with
//! the same settings and seed, and the scenario it hands back reproduces
//! them; every kind of bad input gets a 4xx with the scenario file's own
//! validation message; caps, body limits, path traversal, the Host check,
//! concurrency, stalled clients, 200 slow (slowloris) clients, 1,000
//! connections without 1,000 threads, first-come-first-served simulations,
//! exact head and length rules; and, in a real headless browser, the
//! page follows its levers.

use crate::common;

use assert_cmd::Command;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A running `culturesim serve`, stopped on drop.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start(args: &[&str]) -> Self {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_culturesim"))
            .arg("serve")
            .args(["--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| {
                let mut err = String::new();
                child.stderr.take().unwrap().read_to_string(&mut err).ok();
                panic!("no address printed: {line:?} {err}")
            });
        let addr = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .unwrap();
        Self { child, addr }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A response: status, headers (lower-case names), body.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body[..self.body.len().min(300)])
            )
        })
    }
    fn error(&self) -> String {
        self.json()["error"].as_str().unwrap().to_string()
    }
}

/// Send raw bytes, read the whole reply (the server closes the connection).
fn raw(addr: SocketAddr, request: &[u8]) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    s.write_all(request).unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head: {:?}", String::from_utf8_lossy(&buf)));
    let head = String::from_utf8_lossy(&buf[..split]).to_string();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: buf[split + 4..].to_vec(),
    }
}

fn request(addr: SocketAddr, method: &str, path: &str, ctype: Option<&str>, body: &[u8]) -> Reply {
    let mut r = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(ct) = ctype {
        r.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    r.push_str("\r\n");
    let mut bytes = r.into_bytes();
    bytes.extend_from_slice(body);
    raw(addr, &bytes)
}

fn get(addr: SocketAddr, path: &str) -> Reply {
    request(addr, "GET", path, None, b"")
}

fn post(addr: SocketAddr, path: &str, body: &Value) -> Reply {
    request(
        addr,
        "POST",
        path,
        Some("application/json"),
        body.to_string().as_bytes(),
    )
}

/// `culturesim run` with these arguments into a fresh folder: its summary.json.
fn run_summary(args: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("culturesim")
        .unwrap()
        .args(["run", "--quiet", "--no-plots", "--out"])
        .arg(dir.path())
        .args(args)
        .assert()
        .success();
    serde_json::from_slice(&std::fs::read(dir.path().join("summary.json")).unwrap()).unwrap()
}

/// Mean culture per step from a run folder's timeseries.csv.
fn mean_culture(dir: &Path) -> Vec<f64> {
    let mut rdr = csv::Reader::from_path(dir.join("timeseries.csv")).unwrap();
    let mut sums: Vec<(f64, usize)> = Vec::new();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        // point, replicate, step, year, culture, ...
        let step: usize = rec[2].parse().unwrap();
        let v: f64 = rec[4].parse().unwrap();
        if sums.len() <= step {
            sums.resize(step + 1, (0.0, 0));
        }
        sums[step].0 += v;
        sums[step].1 += 1;
    }
    sums.into_iter().map(|(s, n)| s / n as f64).collect()
}

#[test]
fn the_page_and_its_assets_come_from_the_binary() {
    let s = Server::start(&[]);
    let page = get(s.addr, "/");
    assert_eq!(page.status, 200);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("connect-src 'self'"));
    let html = String::from_utf8(page.body).unwrap();
    assert!(html.contains("<script src=\"/app.js\""), "{html}");
    assert_eq!(get(s.addr, "/index.html").status, 200);
    let js = get(s.addr, "/app.js");
    assert_eq!(js.status, 200);
    assert!(
        js.header("content-type")
            .unwrap()
            .starts_with("text/javascript")
    );
    let css = String::from_utf8(get(s.addr, "/app.css").body).unwrap();
    assert!(css.contains("url(\"/fonts/DejaVuSans.ttf\")"));
    let font = get(s.addr, "/fonts/DejaVuSans.ttf");
    assert_eq!(font.header("content-type"), Some("font/ttf"));
    assert_eq!(
        font.body,
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/fonts/DejaVuSans.ttf"))
            .unwrap()
    );
    assert_eq!(get(s.addr, "/fonts/DejaVuSans-Bold.ttf").status, 200);
    assert_eq!(get(s.addr, "/favicon.svg").status, 200);
    let head = request(s.addr, "HEAD", "/", None, b"");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    // The starting point of the page.
    let sc = get(s.addr, "/api/scenario").json();
    assert_eq!(sc["name"], "snow-in-the-sun");
    assert_eq!(sc["replicates"], 20);
    assert_eq!(sc["seed"], "20261128");
    assert_eq!(sc["org"]["top"]["people"], 500);
    assert_eq!(sc["limits"]["employees"], 5000);
    assert_eq!(sc["raw"]["events"].as_array().unwrap().len(), 6);
}

#[test]
fn nothing_else_is_served_and_no_path_reaches_the_file_system() {
    let s = Server::start(&[]);
    for path in [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/%2e%2e%2fCargo.toml",
        "/..%2fCargo.toml",
        "/fonts/../../Cargo.toml",
        "/fonts/%2e%2e/%2e%2e/Cargo.toml",
        "/Cargo.toml",
        "/src/main.rs",
        "/assets/page/app.js",
        "//etc/passwd",
        "/fonts/",
        "/app.js/",
        "http://localhost/../Cargo.toml",
    ] {
        let r = get(s.addr, path);
        assert_eq!(r.status, 404, "{path}");
        let body = String::from_utf8_lossy(&r.body);
        assert!(
            !body.contains("[package]") && !body.contains("fn main"),
            "{path}: {body}"
        );
    }
    assert_eq!(get(s.addr, "/api/run").status, 405);
    assert_eq!(get(s.addr, "/api/run").header("allow"), Some("POST"));
    assert_eq!(post(s.addr, "/api/scenario", &json!({})).status, 405);
    assert_eq!(request(s.addr, "DELETE", "/", None, b"").status, 405);
    // A request that names another host (DNS rebinding) is not answered.
    let r = raw(
        s.addr,
        b"GET /api/scenario HTTP/1.1\r\nHost: evil.example:80\r\n\r\n",
    );
    assert_eq!(r.status, 421);
    assert!(r.error().contains("answers to 127.0.0.1:"), "{}", r.error());
    // Files named in a request are not read either.
    for set in [
        r#"org.chart="/etc/passwd""#,
        r#"population.mastery={dist="empirical",file="Cargo.toml",column="x"}"#,
    ] {
        let r = post(s.addr, "/api/run", &json!({ "overrides": [set] }));
        assert_eq!(r.status, 422, "{set}");
        assert!(r.error().contains("no bundled file named"), "{}", r.error());
    }
}

#[test]
fn api_numbers_are_those_of_culturesim_run_and_the_saved_scenario_reproduces_them() {
    let s = Server::start(&[]);
    let sets = [
        "culture.coupling=0.8",
        r#"leaders.alignment={dist="beta",a=6,b=4}"#,
        "events.4.at=\"200w\"",
        r#"events.4.scope="unit:u1""#,
        r#"events.6={kind="community_of_practice",at=0,density=0.6,label="community of practice"}"#,
    ];
    let reply = post(
        s.addr,
        "/api/run",
        &json!({ "overrides": sets, "seed": 7, "replicates": 6 }),
    );
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let r = reply.json();
    // The same settings on the command line: the same summary.json.
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["--seed", "7", "--replicates", "6"];
    for set in &sets {
        args.extend(["--set", set]);
    }
    Command::cargo_bin("culturesim")
        .unwrap()
        .args(["run", "--quiet", "--no-plots", "--out"])
        .arg(dir.path())
        .args(&args)
        .assert()
        .success();
    let file: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!(r["summary"], file, "the API's summary differs from run's");
    assert!(file["shock"]["mean"]["asymmetry"]["mean"].is_number());
    // The charts' curve is the mean of the runs in timeseries.csv.
    let mean = mean_culture(dir.path());
    let wire = r["series"]["culture"]["mean"].as_array().unwrap();
    assert_eq!(wire.len(), mean.len());
    for (a, b) in wire.iter().zip(&mean) {
        assert!((a.as_f64().unwrap() - b).abs() <= 1e-5, "{a} vs {b}");
    }
    for m in ["knowledge", "engagement", "belief", "turnover", "headcount"] {
        assert_eq!(r["series"][m]["p95"].as_array().unwrap().len(), mean.len());
    }
    // "Save as scenario": the resolved scenario reproduces the numbers.
    let saved = dir.path().join("saved.toml");
    std::fs::write(&saved, r["toml"].as_str().unwrap()).unwrap();
    assert_eq!(run_summary(&[saved.to_str().unwrap()]), r["summary"]);
    // The timeline the chart draws.
    let labels: Vec<&str> = r["timeline"]["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"community of practice"), "{labels:?}");
    assert_eq!(r["shock_step"], 200);
    assert_eq!(r["scenario"]["seed"], "7");
}

#[test]
fn defaults_of_a_request_are_the_scenario_and_the_response_time_is_reported() {
    let s = Server::start(&[]);
    // No overrides, no seed, no replicates: the scenario as written.
    let r = post(s.addr, "/api/run", &json!({})).json();
    assert_eq!(r["summary"], run_summary(&[]));
    // The workshop case: 500 employees, 10 years, 20 replicates.
    let mut ms = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let r = post(s.addr, "/api/run", &json!({ "replicates": 20 }));
        assert_eq!(r.status, 200);
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    // Reported, never asserted (timings live in benches/).
    println!(
        "500 employees × 520 weeks × 20 replicates: {:?} ms per request",
        ms.iter().map(|m| m.round()).collect::<Vec<_>>()
    );
}

/// The message `culturesim run --set SET` prints (without "Error: ").
fn cli_message(set: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("culturesim")
        .unwrap()
        .args(["run", "--quiet", "--no-plots", "--out"])
        .arg(dir.path())
        .args(["--set", set])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{set}");
    String::from_utf8(out.stderr)
        .unwrap()
        .trim_end()
        .strip_prefix("Error: ")
        .unwrap()
        .to_string()
}

#[test]
fn bad_settings_get_the_scenario_files_own_messages() {
    let s = Server::start(&[]);
    for (set, needle) in [
        (
            "culture.coupling=-1",
            "culture.coupling: must be in [0, 10], got -1",
        ),
        ("culture.bogus=1", "bogus"),
        ("nokey", "expected key.path=value"),
        ("events.99.at=\"3w\"", "out of range"),
        (r#"events.4.scope="unit:u99""#, "no unit named 'u99'"),
        (r#"events.4.scope="boss""#, "unknown scope 'boss'"),
        (
            "events.4.at=\"600w\"",
            "events[4].at: must be before the end of the run",
        ),
        ("org.employees=0", "org.employees: must be at least 1"),
        ("turnover.base=-0.5", "turnover.base"),
        (r#"culture.coupling="strong""#, "culture.coupling"),
        (r#"events.6={kind="meteor",at=3}"#, "meteor"),
    ] {
        let r = post(s.addr, "/api/run", &json!({ "overrides": [set] }));
        assert_eq!(r.status, 422, "{set}");
        let message = r.error();
        assert!(message.contains(needle), "{set}: {message}");
        assert_eq!(message, cli_message(set), "{set}");
    }
    // Replicates and seed are checked the same way.
    let r = post(s.addr, "/api/run", &json!({ "replicates": 0 }));
    assert_eq!(r.status, 422);
    assert!(
        r.error().contains("replicates: must be at least 1"),
        "{}",
        r.error()
    );
    // Requests that are not the API's shape: 400 with the reason.
    for (body, needle) in [
        (&b"{\"overrides\": [1, 2]}"[..], "invalid type"),
        (b"{\"overides\": []}", "unknown field `overides`"),
        (b"{\"seed\": \"x\"}", "invalid type"),
        (b"{\"seed\": -1}", "invalid value"),
        (b"[\"culture.coupling=0\"", "invalid request body"),
        (b"\xff\xfe", "invalid request body"),
    ] {
        let r = request(s.addr, "POST", "/api/run", Some("application/json"), body);
        assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(body));
        assert!(r.error().contains(needle), "{}", r.error());
    }
    let r = request(s.addr, "POST", "/api/run", Some("text/plain"), b"{}");
    assert_eq!(r.status, 415);
    assert!(r.error().contains("application/json"));
    let r = raw(
        s.addr,
        format!(
            "POST /api/run HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{{}}\r\n0\r\n\r\n",
            s.addr
        )
        .as_bytes(),
    );
    assert_eq!(r.status, 411);
    let r = raw(s.addr, b"NOT HTTP AT ALL\r\n\r\n");
    assert_eq!(r.status, 400);
    // /api/org validates the same way.
    let r = post(s.addr, "/api/org", &json!({ "overrides": ["org.span=1"] }));
    assert_eq!(r.status, 422);
    assert_eq!(r.error(), cli_message("org.span=1"));
    let r = post(
        s.addr,
        "/api/org",
        &json!({ "overrides": ["org.employees=2000"] }),
    )
    .json();
    assert_eq!(r["top"]["people"], 2000);
    assert_eq!(r["team"]["name"], "u1.1.1.1");
}

#[test]
fn caps_and_body_limits_are_enforced() {
    let s = Server::start(&["--max-employees", "800", "--max-replicates", "12"]);
    let check = |body: Value, needle: &str| {
        let r = post(s.addr, "/api/run", &body);
        assert_eq!(r.status, 422, "{body}");
        assert!(r.error().contains(needle), "{body}: {}", r.error());
    };
    check(
        json!({ "overrides": ["org.employees=801"] }),
        "org.employees: must be at most 800 on this server",
    );
    check(
        json!({ "replicates": 13 }),
        "replicates: must be at most 12",
    );
    check(
        json!({ "overrides": ["duration=\"2081w\""] }),
        "duration: must be at most 2080 steps",
    );
    // The total work is capped as well (here at the default caps).
    let d = Server::start(&[]);
    let r = post(
        d.addr,
        "/api/run",
        &json!({ "overrides": ["org.employees=5000", "duration=\"2080w\""], "replicates": 10 }),
    );
    assert_eq!(r.status, 422);
    assert!(
        r.error()
            .contains("must be at most 100000000 on this server, got 10 × 2080 × 5000 = 104000000"),
        "{}",
        r.error()
    );
    // A whole table set at once is capped too.
    check(
        json!({ "overrides": ["org={employees=100000}"] }),
        "org.employees: must be at most 800",
    );
    // At the cap it runs.
    let r = post(
        s.addr,
        "/api/run",
        &json!({ "overrides": ["org.employees=800"], "replicates": 2 }),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["org"]["employees"], 800);
    // Bodies over 64 KiB are refused before they are read; huge heads too.
    let big = format!("{{\"overrides\": [\"{}\"]}}", "x".repeat(70 * 1024));
    let r = request(
        s.addr,
        "POST",
        "/api/run",
        Some("application/json"),
        big.as_bytes(),
    );
    assert_eq!(r.status, 413);
    assert!(r.error().contains("at most 65536"), "{}", r.error());
    let r = raw(
        s.addr,
        format!(
            "POST /api/run HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 999999999\r\n\r\n",
            s.addr
        )
        .as_bytes(),
    );
    assert_eq!(r.status, 413);
    let r = raw(
        s.addr,
        format!(
            "GET / HTTP/1.1\r\nHost: {}\r\nX-Filler: {}\r\n\r\n",
            s.addr,
            "y".repeat(20 * 1024)
        )
        .as_bytes(),
    );
    assert_eq!(r.status, 431);
}

#[test]
fn a_scenario_over_the_caps_or_a_busy_port_is_refused_at_the_start() {
    let out = Command::cargo_bin("culturesim")
        .unwrap()
        .args(["serve", "--port", "0", "large-organization"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("org.employees: must be at most 5000"), "{err}");
    assert!(err.contains("--help"), "{err}");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = Command::cargo_bin("culturesim")
        .unwrap()
        .args(["serve", "--port", &port])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the port is in use"), "{err}");
    let out = Command::cargo_bin("culturesim")
        .unwrap()
        .args(["serve", "--port", "0", "--host", "no such host"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--host 'no such host'"));
}

/// A 4,000-deep management chain as the starting scenario: `/api/org` and
/// `/api/run` answer and the server lives on (the chart is built without
/// recursion); `org.levels` near 2^32 is a quick 422 from both endpoints,
/// four at once, while the page answers.
#[test]
fn a_deep_chart_and_absurd_levels_do_not_hurt_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("id,manager_id\np0,\n");
    for i in 1..4000 {
        csv.push_str(&format!("p{i},p{}\n", i - 1));
    }
    csv.push_str("a,p3999\nb,p3999\n");
    std::fs::write(dir.path().join("chain.csv"), csv).unwrap();
    let toml = dir.path().join("chain.toml");
    std::fs::write(
        &toml,
        "name = \"chain\"\nduration = \"3w\"\nreplicates = 1\n[org]\nchart = \"chain.csv\"\n",
    )
    .unwrap();
    let s = Server::start(&[toml.to_str().unwrap()]);
    let org = post(s.addr, "/api/org", &json!({}));
    assert_eq!(org.status, 200, "{}", String::from_utf8_lossy(&org.body));
    assert_eq!(org.json()["levels"], 4000);
    let run = post(s.addr, "/api/run", &json!({}));
    assert_eq!(run.status, 200, "{}", String::from_utf8_lossy(&run.body));
    assert_eq!(get(s.addr, "/").status, 200, "the server died");
    let d = Server::start(&[]);
    let addr = d.addr;
    std::thread::scope(|scope| {
        let hs: Vec<_> = ["/api/org", "/api/run", "/api/org", "/api/run"]
            .into_iter()
            .map(|path| {
                scope.spawn(move || {
                    post(
                        addr,
                        path,
                        &json!({ "overrides": ["org.levels=4294967295"] }),
                    )
                })
            })
            .collect();
        assert_eq!(get(addr, "/").status, 200);
        for h in hs {
            let r = h.join().unwrap();
            assert_eq!(r.status, 422);
            // (The starting scenario names org.span, so the request is
            // refused for giving both, before anything is built.)
            assert!(r.error().contains("org.levels"), "{}", r.error());
        }
    });
}

/// `--force-size` never reaches a request: the server's caps hold with it,
/// and a request cannot ask for it.
#[test]
fn force_size_does_not_lift_the_servers_caps() {
    let out = Command::cargo_bin("culturesim")
        .unwrap()
        .args(["serve", "--port", "0", "--force-size", "large-organization"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("org.employees: must be at most 5000"), "{err}");
    let s = Server::start(&["--force-size"]);
    let r = post(s.addr, "/api/run", &json!({ "force_size": true }));
    assert_eq!(r.status, 400);
    assert!(
        r.error().contains("unknown field `force_size`"),
        "{}",
        r.error()
    );
    let r = post(
        s.addr,
        "/api/run",
        &json!({ "overrides": ["org.employees=5001"] }),
    );
    assert_eq!(r.status, 422);
    assert!(r.error().contains("must be at most 5000"), "{}", r.error());
    let r = post(
        s.addr,
        "/api/org",
        &json!({ "overrides": ["org.employees=5001"] }),
    );
    assert_eq!(r.status, 422, "/api/org has the same caps");
}

#[test]
fn a_scenario_file_is_read_once_and_requests_name_no_files() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.toml");
    std::fs::write(
        &file,
        "name = \"mine\"\nduration = \"52w\"\nreplicates = 3\nseed = 4\n[org]\nemployees = 120\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("col.csv"), "x\n0.5\n").unwrap();
    let s = Server::start(&[file.to_str().unwrap()]);
    let sc = get(s.addr, "/api/scenario").json();
    assert_eq!(
        (sc["name"].as_str(), sc["replicates"].as_u64()),
        (Some("mine"), Some(3))
    );
    let r = post(s.addr, "/api/run", &json!({})).json();
    assert_eq!(r["summary"], run_summary(&[file.to_str().unwrap()]));
    std::fs::remove_file(&file).unwrap();
    assert_eq!(post(s.addr, "/api/run", &json!({})).status, 200);
    let r = post(
        s.addr,
        "/api/run",
        &json!({ "overrides": [r#"population.mastery={dist="empirical",file="col.csv",column="x"}"#] }),
    );
    assert_eq!(r.status, 422);
    assert!(
        r.error().contains("no file named 'col.csv'"),
        "{}",
        r.error()
    );
}

#[test]
fn concurrent_requests_do_not_interfere() {
    let s = Server::start(&[]);
    let bodies: Vec<Value> = (0..6)
        .map(|i| {
            json!({
                "overrides": [format!("culture.coupling={}", [0.5, 1.0, 1.5][i % 3])],
                "replicates": 4,
            })
        })
        .collect();
    let alone: Vec<Value> = bodies[..3]
        .iter()
        .map(|b| post(s.addr, "/api/run", b).json()["summary"].clone())
        .collect();
    let addr = s.addr;
    let together: Vec<Value> = std::thread::scope(|scope| {
        let handles: Vec<_> = bodies
            .iter()
            .map(|b| scope.spawn(move || post(addr, "/api/run", b).json()["summary"].clone()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (i, t) in together.iter().enumerate() {
        assert_eq!(
            *t,
            alone[i % 3],
            "request {i} differs when run alongside others"
        );
    }
    assert_ne!(alone[0], alone[1]);
}

#[test]
fn stalled_abandoned_and_slow_requests_do_not_block_others() {
    let s = Server::start(&[]);
    // A client that sends half a request and stalls...
    let mut stalled = TcpStream::connect(s.addr).unwrap();
    stalled
        .write_all(b"POST /api/run HTTP/1.1\r\nHost: x\r\nContent-Le")
        .unwrap();
    // ...one that announces a body and never sends it...
    let mut no_body = TcpStream::connect(s.addr).unwrap();
    no_body
        .write_all(
            format!(
                "POST /api/run HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{",
                s.addr
            )
            .as_bytes(),
        )
        .unwrap();
    // ...and several that ask for a big run and hang up at once.
    for _ in 0..6 {
        let mut gone = TcpStream::connect(s.addr).unwrap();
        let body = json!({ "overrides": ["org.employees=5000"], "replicates": 20 }).to_string();
        gone.write_all(
            format!(
                "POST /api/run HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                s.addr,
                body.len()
            )
            .as_bytes(),
        )
        .unwrap();
        drop(gone);
    }
    // A slow request that is waited for, running in the background.
    let addr = s.addr;
    let slow = std::thread::spawn(move || {
        let r = post(
            addr,
            "/api/run",
            &json!({ "overrides": ["org.employees=5000"], "replicates": 36 }),
        );
        (r.status, Instant::now())
    });
    std::thread::sleep(Duration::from_millis(200));
    // Meanwhile a small request is answered, and the page loads.
    let r = post(
        s.addr,
        "/api/run",
        &json!({ "overrides": ["org.employees=60"], "replicates": 2 }),
    );
    let fast_done = Instant::now();
    assert_eq!(r.status, 200);
    assert_eq!(get(s.addr, "/").status, 200);
    assert_eq!(get(s.addr, "/api/scenario").status, 200);
    let (status, slow_done) = slow.join().unwrap();
    assert_eq!(status, 200);
    assert!(
        fast_done < slow_done,
        "the small request waited for the big one"
    );
    // The stalled clients get nothing but, in time, a 408.
    for mut conn in [stalled, no_body] {
        conn.set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let mut b = [0u8; 12];
        if let Ok(n) = conn.read(&mut b) {
            assert_eq!(&b[..n], b"HTTP/1.1 408", "a stalled request got an answer");
        }
    }
}

// ------------------------------------------------- slow and many clients

/// Threads of the server process (Linux: /proc/PID/task).
#[cfg(target_os = "linux")]
fn threads_of(child: &Child) -> usize {
    std::fs::read_dir(format!("/proc/{}/task", child.id()))
        .unwrap()
        .count()
}

/// Status of the reply to `request` on a fresh connection, 0 if none came
/// within `wait` (never blocks longer).
fn status_within(addr: SocketAddr, request: &[u8], wait: Duration) -> u16 {
    let Ok(mut s) = TcpStream::connect_timeout(&addr, wait) else {
        return 0;
    };
    s.set_read_timeout(Some(wait)).unwrap();
    s.set_write_timeout(Some(wait)).unwrap();
    if s.write_all(request).is_err() {
        return 0;
    }
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    String::from_utf8_lossy(&buf)
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

fn get_bytes(addr: SocketAddr, path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").into_bytes()
}

fn post_bytes(addr: SocketAddr, path: &str, body: &Value) -> Vec<u8> {
    let body = body.to_string();
    format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Raise this process's open-file limit so that the test can hold `n`
/// sockets (the hard limit permitting).
#[cfg(unix)]
fn allow_open_files(n: u64) {
    // SAFETY: getrlimit and setrlimit only read and write the struct given.
    unsafe {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim), 0);
        if lim.rlim_cur < n {
            lim.rlim_cur = n.min(lim.rlim_max);
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

/// Slowloris: 200 connections that send a byte of their request head every
/// two seconds and never finish it. Meanwhile the page, its script and every
/// API endpoint answer, the server keeps its few threads, and each slow
/// connection is cut off with a 408 at the request deadline (15 s).
/// Bounded: 200 connections, about 6 s of trickling, every wait capped.
#[test]
fn serve_keeps_answering_under_200_slow_connections() {
    let s = Server::start(&[]);
    let wait = Duration::from_secs(20);
    assert_eq!(status_within(s.addr, &get_bytes(s.addr, "/"), wait), 200);
    let started = Instant::now();
    let mut slow: Vec<TcpStream> = (0..200)
        .map(|_| {
            let mut c = TcpStream::connect(s.addr).unwrap();
            c.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                .unwrap();
            c
        })
        .collect();
    let mut probes = 0;
    for round in 0..3 {
        // Every slow client sends one more byte...
        for c in &mut slow {
            c.write_all(b"a").unwrap();
        }
        // ...and the page and the API answer in between.
        for (path, body) in [
            ("/", None),
            ("/app.js", None),
            ("/api/scenario", None),
            (
                "/api/org",
                Some(json!({ "overrides": ["org.employees=300"] })),
            ),
            (
                "/api/run",
                Some(json!({ "overrides": ["org.employees=60"], "replicates": 1 })),
            ),
        ] {
            let req = match &body {
                None => get_bytes(s.addr, path),
                Some(b) => post_bytes(s.addr, path, b),
            };
            assert_eq!(
                status_within(s.addr, &req, wait),
                200,
                "{path} in round {round} under 200 slow connections"
            );
            probes += 1;
        }
        #[cfg(target_os = "linux")]
        {
            let n = threads_of(&s.child);
            assert!(n <= 16, "{n} threads for 200 slow connections");
        }
        std::thread::sleep(Duration::from_secs(2));
    }
    // Cut off at the deadline, each with a 408.
    let mut cut = 0;
    for c in &mut slow {
        c.set_read_timeout(Some(Duration::from_secs(25))).unwrap();
        let mut buf = Vec::new();
        let _ = c.read_to_end(&mut buf);
        cut += usize::from(buf.starts_with(b"HTTP/1.1 408"));
    }
    assert_eq!(cut, 200, "slow connections not cut off with a 408");
    println!(
        "200 slow connections: {probes} of {probes} probes answered, all 200 cut off with a 408 after {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// 1,000 connections at once do not make 1,000 threads (the event loop
/// holds them all); beyond the cap the oldest unfinished ones make room,
/// so the page still answers. Bounded: 1,100 idle connections.
#[cfg(target_os = "linux")]
#[test]
fn a_thousand_connections_do_not_make_a_thousand_threads() {
    allow_open_files(4096);
    let s = Server::start(&[]);
    let wait = Duration::from_secs(20);
    assert_eq!(status_within(s.addr, &get_bytes(s.addr, "/"), wait), 200);
    let before = threads_of(&s.child);
    let idle: Vec<TcpStream> = (0..1000)
        .map(|_| TcpStream::connect(s.addr).unwrap())
        .collect();
    // The page answers (the 1,001st connection), while the 1,000 are held.
    assert_eq!(status_within(s.addr, &get_bytes(s.addr, "/"), wait), 200);
    let during = threads_of(&s.child);
    println!("server threads: {before} before, {during} with 1,000 connections open");
    assert!(
        during <= before + 2 && during <= 16,
        "{during} threads with 1,000 connections open ({before} before)"
    );
    // 100 more: over the cap of 1,024, the oldest idle connections are
    // dropped to make room; the page still answers.
    let more: Vec<TcpStream> = (0..100)
        .map(|_| TcpStream::connect(s.addr).unwrap())
        .collect();
    assert_eq!(status_within(s.addr, &get_bytes(s.addr, "/"), wait), 200);
    let mut dropped = 0;
    for mut c in idle.into_iter().take(150) {
        c.set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let mut b = [0u8; 1];
        // Closed (0 bytes or a reset), not waiting for a request.
        dropped += usize::from(
            !matches!(c.read(&mut b), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        );
    }
    assert!(
        dropped >= 50,
        "only {dropped} of the 150 oldest idle connections made room"
    );
    drop(more);
    assert_eq!(threads_of(&s.child), during, "threads came and went");
}

/// Simulations are served in the order their requests came: with every
/// worker busy, queued requests are taken oldest first (each response
/// carries its ticket, its place in the order of arrival, and its turn,
/// its place in the order of service: they are equal), and the queue is
/// bounded (64 waiting; the rest get a 503 at once, not a wait).
#[test]
fn simulations_are_served_in_the_order_they_came() {
    let s = Server::start(&[]);
    let addr = s.addr;
    let turn = |r: &Reply| -> (u64, u64) {
        let n = |h: &str| {
            r.header(h)
                .unwrap_or_else(|| panic!("no {h}"))
                .parse()
                .unwrap()
        };
        (n("x-culturesim-ticket"), n("x-culturesim-turn"))
    };
    std::thread::scope(|scope| {
        // Four long runs take the four workers...
        let long: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(move || {
                    post(
                        addr,
                        "/api/run",
                        &json!({ "overrides": ["org.employees=5000", "duration=\"1000w\""], "replicates": 18 }),
                    )
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(500));
        // ...then 80 small ones arrive, one after the other.
        let small: Vec<_> = (0..80)
            .map(|_| {
                let h = scope.spawn(move || {
                    let t = std::time::Instant::now();
                    let r = post(
                        addr,
                        "/api/run",
                        &json!({ "overrides": ["org.employees=20"], "replicates": 1 }),
                    );
                    (r, t.elapsed())
                });
                std::thread::sleep(Duration::from_millis(5));
                h
            })
            .collect();
        let (small, waited): (Vec<Reply>, Vec<Duration>) =
            small.into_iter().map(|h| h.join().unwrap()).unzip();
        let long: Vec<Reply> = long.into_iter().map(|h| h.join().unwrap()).collect();
        let mut served = Vec::new();
        for r in long.iter().chain(&small) {
            match r.status {
                200 => {
                    let (ticket, turn) = turn(r);
                    assert_eq!(ticket, turn, "a request was served out of its turn");
                    served.push(ticket);
                }
                503 => assert!(r.error().contains("busy"), "{}", r.error()),
                other => panic!("status {other}: {}", String::from_utf8_lossy(&r.body)),
            }
        }
        assert!(long.iter().all(|r| r.status == 200));
        // A 503 is either a refusal at once (the queue was full) or, on a
        // machine so loaded that the long runs hold the workers for more
        // than MAX_QUEUE_WAIT (30 s), a request that waited its turn out:
        // that one was queued, so it counts against the queue's bound.
        let at_once = |(r, w): (&Reply, &Duration)| r.status == 503 && *w < Duration::from_secs(25);
        let refused = small.iter().zip(&waited).filter(|&x| at_once(x)).count();
        let expired = small
            .iter()
            .zip(&waited)
            .filter(|(r, w)| r.status == 503 && **w >= Duration::from_secs(30))
            .count();
        println!(
            "4 long runs + 80 small requests: {} served in order of arrival, {refused} refused at once, {expired} waited out their turn",
            served.len()
        );
        // 4 running and at most 64 waiting: some of the 80 were refused at
        // once, and every other request was queued.
        assert!(
            refused >= 1 && served.len() + expired >= 68 && served.len() + expired + refused == 84,
            "{refused} refused at once, {expired} expired, {} served",
            served.len()
        );
        let n = served.len();
        served.sort_unstable();
        served.dedup();
        assert_eq!(served.len(), n, "tickets are distinct");
    });
}

/// The request head limit is exact (16 KiB; a 20 KB head is refused) and
/// Content-Length is one plain decimal number: "+2" and a repeated header
/// are refused.
#[test]
fn serve_reads_heads_and_lengths_strictly() {
    let s = Server::start(&[]);
    let wait = Duration::from_secs(20);
    let host = s.addr.to_string();
    let post = |headers: &str, body: &str| {
        format!(
            "POST /api/run HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n{headers}\r\n{body}"
        )
        .into_bytes()
    };
    assert_eq!(
        status_within(s.addr, &post("Content-Length: +2\r\n", "{}"), wait),
        400
    );
    assert_eq!(
        status_within(
            s.addr,
            &post("Content-Length: 2\r\nContent-Length: 2\r\n", "{}"),
            wait
        ),
        400
    );
    assert_eq!(
        status_within(s.addr, &post("Content-Length: 2\r\n", "{}"), wait),
        200
    );
    // A head of exactly 16 KiB is read; one byte more, or 20 KB, is not.
    let head = |len: usize| {
        let fixed = format!("GET / HTTP/1.1\r\nHost: {host}\r\nX-Pad: \r\n\r\n").len();
        format!(
            "GET / HTTP/1.1\r\nHost: {host}\r\nX-Pad: {}\r\n\r\n",
            "a".repeat(len - fixed)
        )
    };
    assert_eq!(status_within(s.addr, head(16 * 1024).as_bytes(), wait), 200);
    assert_eq!(
        status_within(s.addr, head(16 * 1024 + 1).as_bytes(), wait),
        431
    );
    assert_eq!(status_within(s.addr, head(20_000).as_bytes(), wait), 431);
    assert_eq!(status_within(s.addr, &get_bytes(s.addr, "/"), wait), 200);
}

// ------------------------------------------------------------------ browser

use common::browser_or_skip;

/// Run headless Chromium on `url` with `extra` arguments (stopped after two
/// minutes at most); its stdout.
fn chromium(chrome: &Path, profile: &Path, url: &str, extra: &[String]) -> String {
    chromium_sized(chrome, profile, url, (1500, 2100), extra)
}

/// [`chromium`] in a window of `size` pixels.
fn chromium_sized(
    chrome: &Path,
    profile: &Path,
    url: &str,
    size: (u32, u32),
    extra: &[String],
) -> String {
    let mut child = std::process::Command::new(chrome)
        .args(common::HEADLESS)
        .args([
            "--disable-default-apps",
            &format!("--window-size={},{}", size.0, size.1),
            "--virtual-time-budget=120000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).ok();
        s
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within two minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    reader.join().unwrap()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[test]
fn the_page_follows_its_levers_in_a_headless_browser() {
    let Some(chrome) = browser_or_skip("the live page in a browser") else {
        return;
    };
    let s = Server::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    // Each action moves a real control; the page logs what its chart shows
    // once it has settled.
    let actions = [
        "set:coupling=0",
        "set:coupling=1",
        "check:shock=off",
        "check:shock=on",
        "radio:scope=unit",
        "set:shock-year=3",
        "click:pin",
        "set:community=0.6",
        "hover:5.5",
    ];
    let url = s.url(&format!("/?actions={}", actions.join("|")));
    let dom = chromium(
        &chrome,
        &dir.path().join("p1"),
        &url,
        &["--dump-dom".into()],
    );
    assert!(
        dom.contains("data-test=\"done\""),
        "the page did not finish: {dom}"
    );
    let start = dom.find("<pre id=\"test-log\"").expect("a test log");
    let body = &dom[start..];
    let body = &body[body.find('>').unwrap() + 1..body.find("</pre>").unwrap()];
    let log: Vec<Value> = serde_json::from_str(&unescape(body)).unwrap();
    // The initial state, one entry per action, and the saved scenario.
    assert_eq!(log.len(), actions.len() + 2, "{log:#?}");
    let saved = log.last().unwrap()["saved"].as_str().unwrap().to_string();
    let log = &log[..log.len() - 1];
    for e in log {
        assert!(e["error"].is_null(), "{e:#}");
        assert_eq!(e["points"], 523, "{e:#}");
    }
    let step = |i: usize| &log[i];
    let f = |i: usize, k: &str| step(i)[k].as_f64().unwrap();
    let year = |i: usize, y: usize| step(i)["year"][y - 1].as_f64().unwrap();
    let events = |i: usize| step(i)["events"].to_string();
    let mean = |i: usize| step(i)["mean"].clone();
    // 0: the scenario as written; the numbers are the API's.
    let api = post(s.addr, "/api/run", &json!({ "replicates": 20 })).json();
    let asym = api["summary"]["shock"]["mean"]["asymmetry"]["mean"]
        .as_f64()
        .unwrap();
    let shown = step(0)["numbers"][0].as_str().unwrap();
    assert!(
        shown.starts_with(&format!("{asym:.1}×")),
        "{shown} vs {asym}"
    );
    assert!(events(0).contains("non-aligned top manager"));
    // 1: the loop switched off: the culture builds up much less (peak
    // 0.44 against 0.52 on the model with the self-sustaining mechanisms).
    assert_eq!(step(1)["overrides"], json!(["culture.coupling=0"]));
    assert!(
        f(1, "peak") < f(0, "peak") - 0.05,
        "{} vs {}",
        f(1, "peak"),
        f(0, "peak")
    );
    // 2: back to where it was: exactly the same curve.
    assert_eq!(step(2)["overrides"], json!([]));
    assert_eq!(mean(2), mean(0));
    // 3: no non-aligned manager: the culture keeps its gains.
    assert!(f(3, "final") > f(0, "final") + 0.15);
    assert!(!events(3).contains("non-aligned"));
    // 4: the shock again, as written.
    assert_eq!(mean(4), mean(0));
    // 5: a non-aligned division head instead: a smaller loss for the
    // organization, a deep one in the division itself (its own curve).
    assert!(events(5).contains("non-aligned division head"));
    assert!(step(0)["local"].is_null());
    let local: Vec<f64> = step(5)["local"]
        .as_array()
        .expect("the division's own curve is drawn")
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let low = local[local.len() / 2..].iter().copied().fold(1.0, f64::min);
    assert!(low < year(5, 7) - 0.1, "{low} vs {}", year(5, 7));
    assert!(
        step(5)["finding"]
            .as_str()
            .unwrap()
            .contains("In division u1 itself")
    );
    assert!(f(5, "final") > f(0, "final") + 0.05 && f(5, "final") < f(3, "final"));
    // 6: ...arriving in year 3: the culture at year 4 is below the no-shock one.
    assert!(
        step(6)["overrides"]
            .to_string()
            .contains(r#"events.4.at=\"157w\""#)
    );
    assert!(
        year(6, 4) < year(3, 4) - 0.03,
        "{} vs {}",
        year(6, 4),
        year(3, 4)
    );
    assert_eq!(
        mean(6).as_array().unwrap()[..150],
        mean(3).as_array().unwrap()[..150]
    );
    // 7: pinned as the baseline; 8: a community of practice on top of it.
    assert!(!step(6)["baseline"].as_bool().unwrap());
    assert!(step(7)["baseline"].as_bool().unwrap() && step(8)["baseline"].as_bool().unwrap());
    assert!(events(8).contains("community of practice"));
    assert_ne!(mean(8), mean(7));
    assert!(
        step(8)["numbers"][0]
            .as_str()
            .unwrap()
            .contains("baseline:")
    );
    assert_eq!(mean(9), mean(8));
    // "Save as scenario" writes a file that `culturesim run` accepts and
    // that reproduces the curve and the numbers on the screen.
    assert!(
        saved.starts_with("# Saved from the culturesim live page"),
        "{saved}"
    );
    let file = dir.path().join("saved.toml");
    std::fs::write(&file, &saved).unwrap();
    let out = dir.path().join("saved-run");
    Command::cargo_bin("culturesim")
        .unwrap()
        .args(["run", "--quiet", "--no-plots", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    let again = mean_culture(&out);
    let shown = mean(8);
    let shown = shown.as_array().unwrap();
    assert_eq!(again.len(), shown.len());
    for (a, b) in again.iter().zip(shown) {
        assert!((a - b.as_f64().unwrap()).abs() < 1e-4, "{a} vs {b}");
    }
    let summary: Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let final_culture = summary["metrics"]["culture"]["final_step"]["mean"]
        .as_f64()
        .unwrap();
    let card = step(8)["numbers"][5].as_str().unwrap();
    assert!(
        card.starts_with(&format!("{final_culture:.2}culture at the end")),
        "{card}"
    );
    // The margin before tipping: the API's support at the end minus the
    // lower edge of the bistable window, with its sign.
    let margin = post(
        s.addr,
        "/api/run",
        &json!({ "replicates": 20, "overrides": step(8)["overrides"] }),
    )
    .json()["margin"]
        .clone();
    let (m, edge) = (
        margin["margin"].as_f64().unwrap(),
        margin["lower_edge"].as_f64().unwrap(),
    );
    assert!((0.3..0.7).contains(&edge), "{margin}");
    let card = step(8)["numbers"][6].as_str().unwrap();
    let sign = if m < 0.0 { '−' } else { '+' };
    assert!(
        card.starts_with(&format!("{sign}{:.2}margin before tipping", m.abs())),
        "{card} vs {margin}"
    );
    // A screenshot of the last state, kept for people to look at.
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("serve");
    std::fs::create_dir_all(&shots).unwrap();
    let shot = shots.join("live-page.png");
    let _ = std::fs::remove_file(&shot);
    chromium(
        &chrome,
        &dir.path().join("p2"),
        &url,
        &[format!("--screenshot={}", shot.display())],
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![
        0;
        reader
            .output_buffer_size()
            .expect("a screenshot fits in memory")
    ];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (1500, 2100));
    let px = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(px).collect();
    let near = |c: [u8; 3]| {
        pixels
            .iter()
            .filter(|p| (0..3).all(|k| (i16::from(p[k]) - i16::from(c[k])).abs() < 12))
            .count()
    };
    // The house colours are on the screen: the blue curve, the vermillion
    // shock, the orange baseline.
    assert!(near([0, 114, 178]) > 2000, "too little blue");
    assert!(near([213, 94, 0]) > 1000, "too little vermillion");
    assert!(near([230, 159, 0]) > 300, "too little orange");
    println!("screenshot: {}", shot.display());
}

/// The test log the page writes after `?actions=` (see app.js).
fn test_log(dom: &str) -> Vec<Value> {
    assert!(
        dom.contains("data-test=\"done\""),
        "the page did not finish: {dom}"
    );
    let start = dom.find("<pre id=\"test-log\"").expect("a test log");
    let body = &dom[start..];
    let body = &body[body.find('>').unwrap() + 1..body.find("</pre>").unwrap()];
    serde_json::from_str(&unescape(body)).unwrap()
}

/// Smallest chart text a reader must make out on the screen, in px.
const LEGIBLE_PX: f64 = 11.0;

#[test]
fn chart_text_is_legible_on_a_1024_by_768_screen() {
    let Some(chrome) = browser_or_skip("the live page's text size in a browser") else {
        return;
    };
    let s = Server::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    // The hover reading is drawn too, so its text is measured as well.
    let url = s.url("/?actions=hover:5.5");
    for (k, size) in [(1024u32, 768u32), (1500, 2100)].into_iter().enumerate() {
        let dom = chromium_sized(
            &chrome,
            &dir.path().join(format!("p{k}")),
            &url,
            size,
            &["--dump-dom".into()],
        );
        let log = test_log(&dom);
        let measured: Vec<&Value> = log.iter().filter(|e| e.get("fonts").is_some()).collect();
        assert_eq!(
            measured.len(),
            2,
            "the initial state and the hover: {log:#?}"
        );
        for e in &measured {
            assert!(e["error"].is_null(), "{e:#}");
            let min = e["fonts"]["min"].as_f64().unwrap();
            assert!(min >= LEGIBLE_PX, "{min:.1} px at {size:?}: {e:#}");
        }
        {
            let f = &measured[1]["fonts"];
            assert_eq!(f["window"][0].as_u64(), Some(u64::from(size.0)), "{f}");
            // Every kind of text of the two charts is there and measured:
            // ticks, axis titles, event labels, programme bars, end values,
            // the hover reading and the panels' titles and ticks.
            let by = f["by"].as_object().unwrap();
            for class in [
                "culture tick",
                "culture axis-title",
                "culture ev",
                "culture bar-label",
                "culture end",
                "culture hover-text",
                "panel ptitle",
                "panel tick",
            ] {
                let px = by
                    .get(class)
                    .and_then(Value::as_f64)
                    .unwrap_or_else(|| panic!("no '{class}' text measured at {size:?}: {f}"));
                assert!(
                    px >= LEGIBLE_PX,
                    "{class} text is {px:.1} px at {size:?}, below {LEGIBLE_PX} px: {f}"
                );
            }
            assert!(f["count"].as_u64().unwrap() > 40, "{f}");
            assert!(f["min"].as_f64().unwrap() >= LEGIBLE_PX, "{f}");
            println!("{size:?}: smallest chart text {:.1} px", f["min"]);
        }
    }
}

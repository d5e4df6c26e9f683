//! The documented Slurm recipe (docs/slurm/sweep.sbatch, docs/CLUSTER.md) on
//! a real Slurm scheduler: the test brings up a single-node Slurm on
//! localhost (munged, slurmctld and slurmd started by hand, with a munge key,
//! ports and folders of its own), submits the job array for the bundled
//! sweep, merges it and compares the files, byte for byte, with the same
//! sweep run locally; then it cancels tasks, resubmits only the missing
//! shards and shows that the sweep completes to the same bytes. The daemons
//! are stopped by their process ids whatever the outcome (a drop guard).
//!
//! Slurm and munge come from Debian's `slurm-wlm` and `munge` (installed by
//! `.ci/run`). Where they are absent the test prints a loud SKIP message and
//! passes, unless `CULTURESIM_REQUIRE_SLURM` is set (as `.ci/run` does), in
//! which case it fails.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The documented job-array script: the test submits this very file.
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/slurm/sweep.sbatch");
/// The slurm.conf template the test fills in.
const CONF: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/slurm/slurm.conf"
);
/// The bundled sweep (a Latin hypercube of 40 points x 4 replicates).
const SWEEP: &str = "snow-in-the-sun-levers";
/// Overrides for the cancelled-task part: fewer points, larger runs, so
/// that a task is still running when it is cancelled.
const LONGER: [&str; 4] = ["--set", "sweep.samples=8", "--set", "org.employees=40000"];
const TOOLS: [&str; 9] = [
    "munged",
    "slurmd",
    "slurmctld",
    "sbatch",
    "squeue",
    "scontrol",
    "scancel",
    "sinfo",
    "sh",
];
const WAIT: Duration = Duration::from_secs(300);

fn culturesim() -> &'static str {
    env!("CARGO_BIN_EXE_culturesim")
}

/// A program on the PATH, or in the sbin folders (not always on a user's PATH).
fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/local/sbin"].map(PathBuf::from))
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// A daemon this test started, stopped by its process id.
struct Daemon {
    name: &'static str,
    child: Child,
    log: PathBuf,
}

/// A single-node Slurm on localhost; dropping it cancels the jobs left and
/// stops the daemons (slurmd, slurmctld, munged) by their process ids.
struct Cluster {
    dir: tempfile::TempDir,
    conf: PathBuf,
    host: String,
    tools: BTreeMap<&'static str, PathBuf>,
    daemons: RefCell<Vec<Daemon>>,
}

impl Cluster {
    fn start(tools: BTreeMap<&'static str, PathBuf>) -> Cluster {
        let dir = tempfile::tempdir().unwrap();
        // munged wants every folder above its socket searchable by all.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let root = dir.path().to_path_buf();
        for sub in ["munge", "state", "spool", "work"] {
            std::fs::create_dir(root.join(sub)).unwrap();
        }
        std::fs::set_permissions(root.join("munge"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .expect("cannot read the host name from /proc/sys/kernel/hostname");
        let host = host.trim().split('.').next().unwrap().to_string();
        let c = Cluster {
            conf: root.join("slurm.conf"),
            dir,
            host,
            tools,
            daemons: RefCell::new(Vec::new()),
        };
        c.write_conf();
        c.start_munged();
        let conf = c.conf.to_str().unwrap().to_string();
        c.spawn("slurmctld", &["-D", "-i", "-f", &conf]);
        c.spawn("slurmd", &["-D", "-N", &c.host, "-f", &conf]);
        c.wait_for_idle_node();
        c
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The test's working folder: jobs are submitted from here.
    fn work(&self) -> PathBuf {
        self.root().join("work")
    }

    /// Fill in the template: host, the node's CPUs and memory as slurmd
    /// sees them, two free ports, the temporary folder, the user.
    fn write_conf(&self) {
        let hw = self.output("slurmd", &["-C"]);
        let field = |key: &str| {
            hw.split_whitespace()
                .find_map(|w| w.strip_prefix(key))
                .unwrap_or_else(|| panic!("`slurmd -C` printed no {key}: {hw}"))
                .to_string()
        };
        // Two free ports: both listeners are held until both are known.
        let listen = || std::net::TcpListener::bind("127.0.0.1:0").expect("no free port");
        let (a, b) = (listen(), listen());
        let port = |l: &std::net::TcpListener| l.local_addr().unwrap().port().to_string();
        let (ctld, slurmd) = (port(&a), port(&b));
        drop((a, b));
        let text = std::fs::read_to_string(CONF)
            .unwrap()
            .replace("{{HOST}}", &self.host)
            .replace("{{USER}}", &whoami())
            .replace("{{CPUS}}", &field("CPUs="))
            .replace("{{MEMORY}}", &field("RealMemory="))
            .replace("{{SLURMCTLD_PORT}}", &ctld)
            .replace("{{SLURMD_PORT}}", &slurmd)
            .replace("{{DIR}}", self.root().to_str().unwrap());
        assert!(!text.contains("{{"), "a field was left unfilled:\n{text}");
        std::fs::write(&self.conf, text).unwrap();
    }

    /// munged with a key made for this test and a socket of its own.
    fn start_munged(&self) {
        let key = self.root().join("munge/munge.key");
        let mut bytes = [0u8; 1024];
        std::fs::File::open("/dev/urandom")
            .and_then(|mut f| f.read_exact(&mut bytes))
            .expect("cannot read /dev/urandom for the munge key");
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&key)
            .and_then(|mut f| f.write_all(&bytes))
            .unwrap();
        let m = self.root().join("munge");
        let arg = |flag: &str, file: &str| format!("--{flag}={}", m.join(file).display());
        let args = [
            "--foreground".to_string(),
            arg("key-file", "munge.key"),
            arg("socket", "munge.socket"),
            arg("pid-file", "munged.pid"),
            arg("log-file", "munged.log"),
            arg("seed-file", "munged.seed"),
        ];
        self.spawn(
            "munged",
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        let socket = m.join("munge.socket");
        self.wait_until("munged to open its socket", Duration::from_secs(30), || {
            socket.exists()
        });
    }

    /// Start a daemon in the foreground (held as a child process), its
    /// output in DIR/NAME.out.
    fn spawn(&self, name: &'static str, args: &[&str]) {
        let log = self.root().join(format!("{name}.out"));
        let out = std::fs::File::create(&log).unwrap();
        let child = Command::new(&self.tools[name])
            .args(args)
            .env("SLURM_CONF", &self.conf)
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        self.daemons.borrow_mut().push(Daemon { name, child, log });
    }

    /// Every daemon's log, for failure messages.
    fn logs(&self) -> String {
        let mut s = String::new();
        let extra = ["slurmctld.log", "slurmd.log"].map(|f| self.root().join(f));
        let logs: Vec<PathBuf> = self
            .daemons
            .borrow()
            .iter()
            .map(|d| d.log.clone())
            .collect();
        for log in logs.into_iter().chain(extra) {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            let tail = lines[lines.len().saturating_sub(30)..].join("\n");
            s.push_str(&format!("--- {} (last 30 lines)\n{tail}\n", log.display()));
        }
        s
    }

    /// Wait for `done`, failing with the daemons' logs after `limit`, or as
    /// soon as a daemon has exited.
    fn wait_until(&self, what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
        let start = Instant::now();
        loop {
            if done() {
                return;
            }
            let exited =
                self.daemons
                    .borrow_mut()
                    .iter_mut()
                    .find_map(|d| match d.child.try_wait() {
                        Ok(Some(status)) => Some((d.name, status)),
                        _ => None,
                    });
            if let Some((name, status)) = exited {
                panic!(
                    "{name} exited ({status}) while waiting for {what}\n{}",
                    self.logs()
                );
            }
            if start.elapsed() > limit {
                panic!(
                    "timed out after {} s waiting for {what}\n{}",
                    limit.as_secs(),
                    self.logs()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn wait_for_idle_node(&self) {
        self.wait_until(
            "the node to be idle in sinfo",
            Duration::from_secs(60),
            || {
                self.try_output("sinfo", &["-h", "-n", &self.host, "-o", "%T"])
                    .trim()
                    == "idle"
            },
        );
    }

    fn command(&self, tool: &str) -> Command {
        let mut c = Command::new(
            self.tools
                .get(tool)
                .map_or(Path::new(tool), |p| p.as_path()),
        );
        c.env("SLURM_CONF", &self.conf)
            .env("CULTURESIM", culturesim())
            .current_dir(self.work());
        c
    }

    fn run(&self, tool: &str, args: &[&str]) -> Output {
        self.command(tool)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {tool}: {e}"))
    }

    /// stdout of a command that must succeed.
    fn output(&self, tool: &str, args: &[&str]) -> String {
        let o = self.run(tool, args);
        assert!(
            o.status.success(),
            "`{tool} {}` failed ({}):\n{}{}\n{}",
            args.join(" "),
            o.status,
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
            if self.daemons.borrow().is_empty() {
                String::new()
            } else {
                self.logs()
            }
        );
        String::from_utf8(o.stdout).unwrap()
    }

    /// stdout of a command, empty if it failed (for polling; never panics).
    fn try_output(&self, tool: &str, args: &[&str]) -> String {
        match self.command(tool).args(args).output() {
            Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).into_owned(),
            _ => String::new(),
        }
    }

    /// `sbatch --parsable ARGS`: the job id.
    fn sbatch(&self, args: &[&str]) -> String {
        let mut all = vec!["--parsable"];
        all.extend(args);
        let out = self.output("sbatch", &all);
        out.trim().split(';').next().unwrap().to_string()
    }

    /// Submit the documented script as an array: `options` (e.g.
    /// `--array=1-4`), then the sweep into `dir` in 4 shards, then `extra`
    /// arguments for the sweep. The array's job id.
    fn submit_sweep(&self, options: &[&str], dir: &str, extra: &[&str]) -> String {
        let mut args = options.to_vec();
        args.extend(["--cpus-per-task=1", SCRIPT, SWEEP, dir, "4"]);
        args.extend(extra);
        self.sbatch(&args)
    }

    /// Submit the documented merge of `dir`'s 4 shards as a job that waits
    /// for `array` to succeed: (the merge job's id, the merge command).
    fn submit_merge(&self, array: &str, dir: &str) -> (String, String) {
        let cmd = format!(
            "\"{}\" merge {dir}/shard-*-of-4 --out {dir}/merged",
            culturesim()
        );
        let job = self.sbatch(&[
            &format!("--dependency=afterok:{array}"),
            "--output=merge-%j.out",
            "--wrap",
            &cmd,
        ]);
        (job, cmd)
    }

    /// Wait until no job is left in the queue.
    fn wait_for_empty_queue(&self) {
        self.wait_for_queue(&[]);
    }

    /// Wait until the queue holds exactly the jobs `left`.
    fn wait_for_queue(&self, left: &[&str]) {
        self.wait_until(&format!("the queue to hold {left:?}"), WAIT, || {
            let out = self.output("squeue", &["-h", "-o", "%i"]);
            let mut ids: Vec<&str> = out.split_whitespace().collect();
            ids.sort();
            ids == left
        });
    }

    /// The array task ids of job `id` still in the queue.
    fn queued_tasks(&self, id: &str) -> Vec<String> {
        let out = self.output("squeue", &["-h", "-r", "-j", id, "-o", "%K"]);
        let mut tasks: Vec<String> = out.lines().map(|l| l.trim().to_string()).collect();
        tasks.sort();
        tasks
    }

    /// The state of every task of job `id` the controller still knows,
    /// by array task id ("-" for a job that is not an array).
    fn states(&self, id: &str) -> BTreeMap<String, String> {
        let out = self.output("scontrol", &["-o", "show", "job", id]);
        out.lines()
            .map(|l| {
                let get = |k: &str| {
                    l.split_whitespace()
                        .find_map(|w| w.strip_prefix(k))
                        .unwrap_or("-")
                        .to_string()
                };
                (get("ArrayTaskId="), get("JobState="))
            })
            .collect()
    }

    /// The output of every job of the sweep script (for failure messages).
    fn job_logs(&self) -> String {
        let mut s = String::new();
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.work())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "out"))
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            s.push_str(&format!("--- {}\n{text}", f.display()));
        }
        s
    }

    /// Every task of `id` ended in `want` (e.g. COMPLETED). A task
    /// cancelled while pending may be dropped from the job's records (Slurm
    /// 22.05 does) or kept as CANCELLED: `gone` lists such tasks.
    fn assert_states(&self, id: &str, want: &[(&str, &str)], gone: &[&str]) {
        let mut got = self.states(id);
        for task in gone {
            if got.get(*task).is_some_and(|s| s == "CANCELLED") {
                got.remove(*task);
            }
        }
        let want: BTreeMap<String, String> = want
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(
            got,
            want,
            "job {id}: task states (array task id -> state)\n{}",
            self.job_logs()
        );
    }

    /// Run `sh -c CMD` in the working folder, as the documentation writes it.
    fn sh(&self, cmd: &str) -> Output {
        self.command("sh").args(["-c", cmd]).output().unwrap()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // Cancel what is left, so that no job outlives its slurmd.
        if !self.daemons.get_mut().is_empty() {
            let _ = self.try_output("scancel", &["--user", &whoami()]);
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(20)
                && !self
                    .try_output("squeue", &["-h", "-o", "%i"])
                    .trim()
                    .is_empty()
            {
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        // Stop slurmd, slurmctld, munged (in that order), by process id:
        // SIGTERM, then SIGKILL if one is still running after 10 s.
        while let Some(mut d) = self.daemons.get_mut().pop() {
            let pid = d.child.id().to_string();
            let _ = Command::new("kill").args(["-TERM", &pid]).status();
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(10) {
                if let Ok(Some(_)) = d.child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            if let Ok(None) = d.child.try_wait() {
                eprintln!("{} (pid {pid}) ignored SIGTERM: killing it", d.name);
                let _ = d.child.kill();
            }
            let _ = d.child.wait();
        }
    }
}

fn whoami() -> String {
    Command::new("id")
        .arg("-un")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// Every file of `a` and `b` but manifest.json (thread count and wall
/// time differ by design) is byte-identical, and neither has one more.
fn same_files(a: &Path, b: &Path) {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else if p.file_name().unwrap() != "manifest.json" {
                out.push(p.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    let (mut fa, mut fb) = (Vec::new(), Vec::new());
    walk(a, a, &mut fa);
    walk(b, b, &mut fb);
    fa.sort();
    fb.sort();
    assert_eq!(
        fa,
        fb,
        "{} and {} hold different files",
        a.display(),
        b.display()
    );
    assert!(
        fa.iter().any(|f| f.ends_with("runs.csv")),
        "no runs.csv in {}",
        a.display()
    );
    for f in fa {
        let x = std::fs::read(a.join(&f)).unwrap();
        let y = std::fs::read(b.join(&f)).unwrap();
        assert!(
            x == y,
            "{} differs between {} and {}",
            f.display(),
            a.display(),
            b.display()
        );
    }
}

/// The unsharded sweep, run locally (not through Slurm), into `out`.
fn local_sweep(work: &Path, out: &str, extra: &[&str]) {
    let o = Command::new(culturesim())
        .args(["sweep", SWEEP, "--quiet", "--out", out])
        .args(extra)
        .current_dir(work)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "local sweep failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn data_rows(part: &Path) -> usize {
    std::fs::read_to_string(part)
        .map(|t| t.lines().count().saturating_sub(1))
        .unwrap_or(0)
}

/// The documented recipe: the array of 4 shards, then a dependent merge
/// job; the merged files equal the local sweep's.
fn array_then_dependent_merge(c: &Cluster) {
    let work = c.work();
    local_sweep(&work, "local", &[]);
    let array = c.submit_sweep(&["--array=1-4"], "out", &[]);
    let (merge, _) = c.submit_merge(&array, "out");
    c.wait_for_empty_queue();
    c.assert_states(
        &array,
        &[
            ("1", "COMPLETED"),
            ("2", "COMPLETED"),
            ("3", "COMPLETED"),
            ("4", "COMPLETED"),
        ],
        &[],
    );
    c.assert_states(&merge, &[("-", "COMPLETED")], &[]);
    let log = std::fs::read_to_string(work.join(format!("merge-{merge}.out"))).unwrap();
    assert!(
        log.contains("merged 4 folders: 160 runs"),
        "merge job printed: {log}"
    );
    for k in 1..=4 {
        let m = std::fs::read_to_string(work.join(format!("out/shard-{k}-of-4/manifest.json")))
            .unwrap();
        assert!(
            m.contains(&format!("\"shard\": \"{k}/4\"")),
            "shard {k}: {m}"
        );
    }
    same_files(&work.join("local"), &work.join("out/merged"));
}

/// Task 2 is cancelled before it starts, task 1 while it runs; merge says
/// the sweep is incomplete; resubmitting only tasks 1 and 2 (the script
/// resumes) completes it to the local sweep's bytes.
fn cancelled_tasks_are_resubmitted(c: &Cluster) -> usize {
    let work = c.work();
    local_sweep(&work, "local-long", &LONGER);
    let array = c.submit_sweep(&["--hold", "--array=1-4"], "long", &LONGER);
    // The documented merge job, which will wait in vain for this array.
    let (merge, merge_cmd) = c.submit_merge(&array, "long");
    assert_eq!(c.queued_tasks(&array), ["1", "2", "3", "4"]);
    // A held task cannot start: cancelling it is certain to hit it pending.
    c.output("scancel", &[&format!("{array}_2")]);
    assert_eq!(
        c.queued_tasks(&array),
        ["1", "3", "4"],
        "task 2 was not cancelled"
    );
    c.output("scontrol", &["release", &array]);
    // Task 1 has 8 runs of 20,000 employees: cancel it as soon as its first
    // runs are on disk.
    let part = work.join("long/shard-1-of-4/runs.csv.part");
    let done = work.join("long/shard-1-of-4/runs.csv");
    c.wait_until("task 1 to write its first run", WAIT, || {
        data_rows(&part) >= 1 || done.exists()
    });
    c.output("scancel", &[&format!("{array}_1")]);
    c.wait_for_queue(&[&merge]);
    // The merge job can never start (as docs/CLUSTER.md says): cancel it.
    c.wait_until("the merge job's dependency to fail", WAIT, || {
        c.output("squeue", &["-h", "-j", &merge, "-o", "%r"]).trim() == "DependencyNeverSatisfied"
    });
    c.output("scancel", &[&merge]);
    c.wait_for_empty_queue();
    assert!(
        !done.exists(),
        "task 1 finished before it could be cancelled; make LONGER longer\n{}",
        c.job_logs()
    );
    let rows = data_rows(&part);
    assert!(
        (1..8).contains(&rows),
        "task 1 stopped after {rows} of its 8 runs"
    );
    c.assert_states(
        &array,
        &[("1", "CANCELLED"), ("3", "COMPLETED"), ("4", "COMPLETED")],
        &["2"],
    );
    assert!(!work.join("long/shard-2-of-4").exists(), "task 2 ran");
    // merge refuses the incomplete set and says which shards to run again.
    let o = c.sh(&merge_cmd);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(2),
        "merge of an incomplete sweep: {err}"
    );
    assert!(
        err.contains("long/shard-1-of-4' stopped before the end of its shard")
            && err.contains("shards 1, 2 of 4 are not finished")
            && err.contains("run the missing shards (with --resume) first"),
        "merge said: {err}"
    );
    assert!(!work.join("long/merged").exists());
    // Resubmit only the missing shards, with the same arguments.
    let again = c.submit_sweep(&["--array=1,2"], "long", &LONGER);
    c.wait_for_empty_queue();
    c.assert_states(&again, &[("1", "COMPLETED"), ("2", "COMPLETED")], &[]);
    assert!(!part.exists() && done.exists(), "shard 1 did not finish");
    let o = c.sh(&merge_cmd);
    assert!(
        o.status.success(),
        "merge after the resubmission: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    same_files(&work.join("local-long"), &work.join("long/merged"));
    rows
}

#[test]
fn the_documented_job_array_runs_a_sweep_on_a_real_slurm() {
    let found: BTreeMap<&'static str, Option<PathBuf>> =
        TOOLS.iter().map(|&t| (t, which(t))).collect();
    let missing: Vec<&str> = found
        .iter()
        .filter(|(_, p)| p.is_none())
        .map(|(t, _)| *t)
        .collect();
    if !missing.is_empty() {
        let msg = format!(
            "{} not found; install Debian's slurm-wlm and munge \
             (apt-get install slurm-wlm munge) to run the sweep on a real Slurm",
            missing.join(", ")
        );
        // A test cannot pass by skipping where it must run: in CI.
        if std::env::var_os("CULTURESIM_REQUIRE_SLURM").is_some()
            || std::env::var_os("CI").is_some()
        {
            panic!("CI or CULTURESIM_REQUIRE_SLURM is set but Slurm is missing: {msg}");
        }
        // Straight to stderr, past the test harness's capture: loud.
        let _ = writeln!(std::io::stderr(), "\n*** SKIP tests/slurm.rs: {msg} ***\n");
        return;
    }
    let tools = found.into_iter().map(|(t, p)| (t, p.unwrap())).collect();
    let started = Instant::now();
    let c = Cluster::start(tools);
    let up = started.elapsed();
    let version = c.output("sbatch", &["--version"]);
    array_then_dependent_merge(&c);
    let first = started.elapsed();
    let rows = cancelled_tasks_are_resubmitted(&c);
    let second = started.elapsed();
    drop(c);
    println!(
        "{}: cluster up in {:.1} s, array and merge job {:.1} s, cancel (task 1 after {rows} of 8 runs) and resubmit {:.1} s, stopped; whole test {:.1} s",
        version.trim(),
        up.as_secs_f64(),
        (first - up).as_secs_f64(),
        (second - first).as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn cluster_md_shows_the_script_the_test_submits() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/CLUSTER.md")).unwrap();
    let script = std::fs::read_to_string(SCRIPT).unwrap();
    assert!(
        doc.contains(&format!("```bash\n{script}```")),
        "docs/CLUSTER.md must show docs/slurm/sweep.sbatch verbatim in a ```bash block: copy the file there again"
    );
}

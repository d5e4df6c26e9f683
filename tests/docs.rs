//! The numbers the README quotes about the default run come from a real
//! run of the binary, and this test keeps them current: it runs the default
//! scenario (and its knock-out twin with the three asymmetries at 1),
//! rebuilds the README's marked blocks from the outputs, and fails if the
//! README differs. `CULTURESIM_REGENERATE=1 cargo test --release --test
//! suite docs::` rewrites the blocks instead: that is the script to run
//! when the model changes.

use std::path::Path;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_culturesim"))
}

/// Run `culturesim run` with `args` into `out`; its standard output.
fn run(out: &Path, args: &[&str]) -> String {
    let o = bin()
        .arg("run")
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .expect("run the binary");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn shock(out: &Path) -> serde_json::Value {
    let j: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    j["shock"].clone()
}

/// Timings vary from machine to machine: every "in 0.42 s" becomes "in … s".
fn without_timings(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(" in ") {
        out.push_str(&rest[..i + 4]);
        rest = &rest[i + 4..];
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if n > 0 && rest[n..].starts_with(" s") {
            out.push('…');
            rest = &rest[n..];
        }
    }
    out.push_str(rest);
    out
}

/// Replace the text between `<!-- NAME:begin -->` and `<!-- NAME:end -->`.
pub fn splice(doc: &str, name: &str, body: &str) -> String {
    let (b, e) = (
        format!("<!-- {name}:begin -->\n"),
        format!("<!-- {name}:end -->"),
    );
    let i = doc
        .find(&b)
        .unwrap_or_else(|| panic!("the document lacks {b}"))
        + b.len();
    let j = doc[i..]
        .find(&e)
        .unwrap_or_else(|| panic!("the document lacks {e}"))
        + i;
    format!("{}{}{}", &doc[..i], body, &doc[j..])
}

/// The measured block `marker` of `file` (a path from the repository
/// root) must be `body`: with `CULTURESIM_REGENERATE` set it is rewritten,
/// otherwise a stale block fails the test, naming `what` it quotes and the
/// test `module` that rewrites it.
pub fn measured(file: &str, marker: &str, body: &str, what: &str, module: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let doc = std::fs::read_to_string(&path).unwrap();
    let fresh = splice(&doc, marker, body);
    if std::env::var_os("CULTURESIM_REGENERATE").is_some() {
        std::fs::write(&path, &fresh).unwrap();
        eprintln!("{file} regenerated");
        return;
    }
    assert!(
        fresh == doc,
        "{file} quotes {what} the current model does not give; regenerate with \
         CULTURESIM_REGENERATE=1 cargo test --release --test suite {module}::\n\n{body}"
    );
}

#[test]
fn readme_numbers_come_from_the_current_model() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snow-in-the-sun");
    let table = run(&out, &[]);
    let table = table
        .replace(&out.display().to_string(), "output/snow-in-the-sun")
        .lines()
        .map(|l| without_timings(l).trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n");
    let s = shock(&out);
    let m = |k: &str| s["mean"][k]["mean"].as_f64().unwrap();
    let ko = dir.path().join("symmetric");
    run(
        &ko,
        &[
            "--no-plots",
            "--set",
            "belief.asymmetry=1",
            "--set",
            "culture.asymmetry=1",
            "--set",
            "leadership.asymmetry=1",
        ],
    );
    let ko_ratio = shock(&ko)["mean"]["asymmetry"]["mean"].as_f64().unwrap();
    let runs = s["per_run"].as_array().unwrap().len();
    let recovered = (s["recovered_share"].as_f64().unwrap() * runs as f64).round() as usize;
    let (pre, band) = (m("pre"), m("band"));
    let prose = format!(
        "Like for like — the same {band:.2} of culture, from {:.2} up to {pre:.2} and back\n\
         down — the build-up took {:.1} years and the loss {:.1} years: {:.1} times\n\
         faster to lose than to build (docs/MODEL.md, \"Shock metrics\"; with the\n\
         three asymmetry parameters set to 1 the ratio falls to {ko_ratio:.1}). When an\n\
         aligned manager returns two years later, the culture comes back to 95% of\n\
         its level in {recovered} of the {runs} runs: the organization has tipped into\n\
         the low-culture basin.\n",
        pre - band,
        m("years_to_build"),
        m("years_to_lose"),
        m("asymmetry"),
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let fresh = splice(&readme, "default-run", &format!("```\n{table}\n```\n"));
    let fresh = splice(&fresh, "default-run-prose", &prose);
    if std::env::var_os("CULTURESIM_REGENERATE").is_some() {
        std::fs::write(&path, &fresh).unwrap();
        eprintln!("README.md regenerated");
        return;
    }
    assert!(
        fresh == readme,
        "README.md quotes numbers the current model does not give; regenerate with \
         CULTURESIM_REGENERATE=1 cargo test --release --test suite docs::\n\n{table}\n\n{prose}"
    );
}

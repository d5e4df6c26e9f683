//! The layer rule of culturesim-core's crate docs, checked on the source:
//! a module uses the modules above it in the list and its own children,
//! never one below it (no back-arrow, hence no cycle between modules).
//! And the floors of the workspace: the core crate depends on no command
//! line, plotting or HTTP crate.

use std::path::Path;

/// culturesim-core's modules from the inside out, as its crate docs list
/// them (modules on one line of the docs share a rank).
const LAYERS: &[&[&str]] = &[
    &["dist", "limits", "validate", "command"],
    &["engine"],
    &["model"],
    &["analysis"],
    &["scenario"],
    &["decide"],
    &["export"],
    &["sweep"],
    &["calibrate"],
    &["simulate", "bench"],
];

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// Every `crate::NAME` a source text's code names (in `use` lines and
/// paths; comments are not code: a doc comment may point anywhere).
fn uses(text: &str) -> Vec<String> {
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut out = Vec::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        // `culturesim_core::` or `my_crate::` is not this crate.
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.push(name);
        }
    }
    out
}

fn rs_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Back-arrows: `(file, its module, the module it uses)` where the used
/// one is on a higher layer.
fn back_arrows(src: &Path) -> Vec<(String, String, String)> {
    let mut files = Vec::new();
    rs_files(src, &mut files);
    let mut bad = Vec::new();
    for f in files {
        let rel = f.strip_prefix(src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        if module == "lib" {
            continue;
        }
        let own = rank(&module).unwrap_or_else(|| {
            panic!(
                "{}: module '{module}' is on no layer of the crate docs",
                f.display()
            )
        });
        let text = std::fs::read_to_string(&f).unwrap();
        for used in uses(&text) {
            if used == module {
                continue;
            }
            if let Some(r) = rank(&used)
                && r > own
            {
                bad.push((rel.display().to_string(), module.clone(), used));
            }
        }
    }
    bad.sort();
    bad.dedup();
    bad
}

#[test]
fn no_module_of_the_core_uses_one_on_a_higher_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/core/src");
    let bad = back_arrows(&src);
    assert!(
        bad.is_empty(),
        "imports from a lower layer to a higher one (crates/core/src/lib.rs states the rule):\n{}",
        bad.iter()
            .map(|(f, m, u)| format!("  {f}: {m} uses {u}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_layer_list_is_the_crate_docs_list() {
    let lib = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/core/src/lib.rs"),
    )
    .unwrap();
    let modules: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';'))
        .collect();
    for m in &modules {
        assert!(
            rank(m).is_some(),
            "module {m} is on no layer of this test's list"
        );
        assert!(
            lib.contains(&format!("[`{m}`]")) || lib.contains(&format!("[`{m}`](mod@{m})")),
            "crates/core/src/lib.rs's layer list does not name {m}"
        );
    }
    assert_eq!(
        LAYERS.iter().map(|l| l.len()).sum::<usize>(),
        modules.len(),
        "a layer names a module the crate does not have"
    );
}

#[test]
fn the_check_finds_a_back_arrow_where_there_is_one() {
    // The knock-out twin: a model file that used the scenario layer.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("model")).unwrap();
    std::fs::write(
        tmp.path().join("model/x.rs"),
        "use crate::engine::Model;\nuse crate::scenario::Scenario;\n",
    )
    .unwrap();
    std::fs::write(tmp.path().join("engine.rs"), "use crate::dist::Dist;\n").unwrap();
    let bad = back_arrows(tmp.path());
    assert_eq!(
        bad,
        vec![(
            "model/x.rs".to_string(),
            "model".to_string(),
            "scenario".to_string()
        )]
    );
    assert!(uses("culturesim_core::scenario::x").is_empty());
    assert!(uses("//! see [`crate::scenario`]").is_empty());
    assert_eq!(uses("let s = crate::scenario::read(p);"), vec!["scenario"]);
}

#[test]
fn the_core_crate_depends_on_no_command_line_plotting_or_http_crate() {
    let manifest = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/core/Cargo.toml"),
    )
    .unwrap();
    let deps: toml::Table = toml::from_str(&manifest).unwrap();
    let names: Vec<&String> = ["dependencies", "dev-dependencies"]
        .iter()
        .filter_map(|s| deps.get(*s).and_then(|d| d.as_table()))
        .flat_map(|t| t.keys())
        .collect();
    for banned in [
        "clap",
        "clap_complete",
        "clap_mangen",
        "plotters",
        "resvg",
        "httparse",
        "indicatif",
    ] {
        assert!(
            !names.iter().any(|n| n.as_str() == banned),
            "culturesim-core depends on {banned}"
        );
    }
    assert!(!names.is_empty());
}

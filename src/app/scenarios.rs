//! Commands about scenario files: `validate`, `list`, `new`, `schema`.

use super::Failure;
use crate::export::atomic;
use crate::model::Models;
use crate::scenario::{Scenario, Source, bundled, keys, template};
use anyhow::anyhow;
use std::path::{Path, PathBuf};

/// `culturesim validate FILE...`: check each file, report all problems.
pub fn validate(files: &[PathBuf], quiet: bool) -> Result<(), Failure> {
    let mut failed = 0;
    for f in files {
        match Scenario::from_file(f, &[]) {
            Ok(_) if quiet => {}
            Ok(s) => match &s.model {
                Models::LearningCulture(m) => {
                    let org = m.org();
                    println!(
                        "ok: {} ({}, {} steps, {} employees in {} teams, {} events)",
                        s.source,
                        s.name(),
                        s.raw.steps(),
                        org.slots(),
                        org.teams(),
                        s.raw
                            .events
                            .iter()
                            .filter(|e| e.enabled != Some(false))
                            .count()
                    );
                }
                Models::March1991(m) => {
                    let p = &m.config().params;
                    println!(
                        "ok: {} ({}, march1991 ({}), m = {}, n = {}, p1 = {}, p2 = {}, p3 = {}, p4 = {}, at most {} periods)",
                        s.source,
                        s.name(),
                        p.variant,
                        p.m,
                        p.n,
                        p.p1,
                        p.p2,
                        p.p3,
                        p.p4,
                        s.raw.steps()
                    );
                }
                Models::Registered(m) => println!(
                    "ok: {} ({}, {}, {} steps)",
                    s.source,
                    s.name(),
                    m.entry().name(),
                    s.raw.steps()
                ),
            },
            Err(e) => {
                failed += 1;
                eprintln!("Error: {e}");
            }
        }
    }
    if failed > 0 {
        return Err(Failure::Input(anyhow!(
            "{failed} of {} scenario file(s) are invalid",
            files.len()
        )));
    }
    Ok(())
}

/// `culturesim list`: the bundled scenarios and their descriptions.
pub fn list() -> Result<(), Failure> {
    let width = bundled::BUNDLED
        .iter()
        .map(|(n, _)| n.len())
        .max()
        .unwrap_or(0);
    for (name, text) in bundled::BUNDLED {
        let s = Scenario::from_str(text, Source::Bundled(name.to_string()), &[])
            .map_err(|e| Failure::Runtime(anyhow!("bundled scenario {name} is invalid: {e}")))?;
        println!("{name:<width$}  {}", s.raw.description);
    }
    println!(
        "\nrun one with: culturesim run NAME   (copy one with: culturesim new MY-NAME --from NAME)"
    );
    Ok(())
}

/// `culturesim schema`: the JSON Schema of the scenario format.
pub fn schema() -> Result<(), Failure> {
    let text =
        serde_json::to_string_pretty(keys::schema()).map_err(|e| Failure::Runtime(e.into()))?;
    println!("{text}");
    Ok(())
}

/// `culturesim migrate FILE [-o OUT]`: a format-1 scenario in format 2,
/// comments kept; every change is listed on stderr.
pub fn migrate(file: &Path, out: Option<&Path>) -> Result<(), Failure> {
    let text = crate::limits::read_input(file)
        .map_err(|e| Failure::Input(anyhow!("failed to read '{}': {e}", file.display())))?;
    let inherited = crate::scenario::inherited_time_unit(&text, file);
    let m = crate::scenario::migrate::migrate(&text, inherited.as_deref())
        .map_err(|e| Failure::Input(anyhow!("{}: {e}", file.display())))?;
    if m.changes.is_empty() {
        eprintln!(
            "{} is already in format 2: nothing to change",
            file.display()
        );
    }
    for c in &m.changes {
        eprintln!("  {}: {}", c.path, c.message);
    }
    match out {
        Some(o) => {
            atomic::write(o, m.text.as_bytes()).map_err(Failure::Runtime)?;
            eprintln!(
                "wrote {} ({} change(s); check it with: culturesim validate {0})",
                o.display(),
                m.changes.len()
            );
        }
        None => print!("{}", m.text),
    }
    Ok(())
}

/// `culturesim new NAME [--from SCENARIO]`: write a scenario that validates
/// as written (with a copy of its org chart beside it, if it uses one).
pub fn new(
    name: &str,
    from: Option<&Path>,
    model: Option<&str>,
    out: Option<&Path>,
    force: bool,
) -> Result<(), Failure> {
    let path = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(format!("{name}.toml")));
    let refuse = |p: &Path| {
        Failure::Input(anyhow!(
            "'{}' already exists (use --force to replace it)",
            p.display()
        ))
    };
    if path.exists() && !force {
        return Err(refuse(&path));
    }
    let (text, extra) = match (from, model) {
        (Some(src), _) => template::copy_of(src, name)?,
        (None, None | Some("learning-culture")) => (template::template(name), None),
        (None, Some(model)) => (template::model_template(name, model)?, None),
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::Runtime(anyhow!("cannot create '{}': {e}", dir.display())))?;
    if let Some((chart_name, chart)) = &extra {
        let chart_path = dir.join(chart_name);
        if chart_path.exists() && !force {
            return Err(refuse(&chart_path));
        }
        atomic::write(&chart_path, chart.as_bytes()).map_err(Failure::Runtime)?;
        println!("wrote {}", chart_path.display());
    }
    // The file must validate as written.
    Scenario::from_str(&text, Source::File(path.clone()), &[])
        .map_err(|e| Failure::Input(anyhow!("the new scenario would not validate: {e}")))?;
    atomic::write(&path, text.as_bytes()).map_err(Failure::Runtime)?;
    println!(
        "wrote {} (check it with: culturesim validate {0}; run it with: culturesim run {0})",
        path.display()
    );
    Ok(())
}

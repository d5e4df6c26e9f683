//! `culturesim org SCENARIO`: print the organization a scenario builds — its
//! unit tree with each unit's scope name, depth, teams and headcount (and,
//! for an org chart, the leaders it names) — as a table or as JSON. The
//! tree comes from [`Listing`]; this file only loads and prints.

use super::Failure;
use crate::cli::{OrgArgs, OrgFormat};
use crate::model::learning_culture::LearningCulture;
use crate::model::learning_culture::org::{Listing, OrgSource};
use crate::scenario::Scenario;
use anyhow::anyhow;
use std::io::Write;

/// The listing of a learning-culture model's organization, down to `depth`.
pub fn listing(model: &LearningCulture, depth: usize) -> Listing {
    let chart = match &model.setup().org {
        OrgSource::Chart(c) => Some(c),
        OrgSource::Generated(_) => None,
    };
    Listing::down_to(model.org(), chart, depth)
}

/// Run `culturesim org`.
pub fn org(args: &OrgArgs) -> Result<(), Failure> {
    let scenario =
        Scenario::from_file(&args.scenario, &args.set).map_err(|e| Failure::Input(e.into()))?;
    let Some(model) = scenario.model.learning_culture() else {
        return Err(Failure::Input(anyhow!(
            "{}: `org` shows the organization of a learning-culture scenario; model \"march1991\" has none",
            scenario.source
        )));
    };
    let l = listing(model, args.depth.unwrap_or(usize::MAX));
    let text = match args.format {
        OrgFormat::Json => {
            let mut v = serde_json::to_value(&l).map_err(|e| Failure::Runtime(e.into()))?;
            v["scenario"] = scenario.name().into();
            format!("{v:#}\n")
        }
        OrgFormat::Text => {
            let shown = l.rows.len();
            let more = if shown < l.units {
                format!(
                    " (showing {shown} down to depth {})",
                    args.depth.unwrap_or(0)
                )
            } else {
                String::new()
            };
            format!(
                "{}: {} positions in {} teams, {} units in {} levels ({}){more}\n{}",
                scenario.name(),
                l.employees,
                l.teams,
                l.units,
                l.levels,
                if l.source == "chart" {
                    "from the org chart; leaders as the chart names them".to_string()
                } else {
                    "generated; each unit's leader is drawn from [leaders]".to_string()
                },
                l.text()
            )
        }
    };
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        // A closed pipe (`culturesim org x | head`) is not an error.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::Runtime(anyhow!("cannot write the listing: {e}")))
        }
        _ => Ok(()),
    }
}

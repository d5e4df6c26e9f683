//! Validation of a merged scenario into a runnable [`Scenario`], one
//! function per model: the learning-culture model (empirical distributions
//! read from CSV columns, the org chart, the conversion into its setup, the
//! survey and calibration sections), March (1991), and registered models.

use super::layers::Layers;
use super::raw::{self, RawScenario};
use super::{CHART_COPY, Scenario, ScenarioError, convert, orgchart, survey};
use crate::model::Models;
use crate::model::learning_culture::LearningCulture;
use crate::validate::Problems;

impl Scenario {
    pub(super) fn validate(mut raw: RawScenario, layers: &Layers) -> Result<Self, ScenarioError> {
        raw.extends = None;
        let source = layers.0[0].source.clone();
        if raw.model == "march1991" {
            return Self::validate_march(raw, layers);
        }
        if let Some(entry) = crate::model::registry::find(&raw.model) {
            return Self::validate_registered(raw, layers, entry);
        }
        read_empirical(&mut raw, layers)?;
        if raw.org.levels.is_some() && layers.place("org.span").is_some() {
            let mut p = Problems::default();
            p.push(
                "org.span",
                "must not be given together with org.levels (choose one)",
            );
            return Err(layers.invalid(p));
        }
        let (chart, chart_text) = read_org_chart(&mut raw, layers)?;
        if raw.duration.is_none() && raw.steps.is_none() {
            // The resolved scenario states how long it runs.
            raw.duration = Some(raw::RawTime::Years(raw::DEFAULT_YEARS));
        }
        let (setup, mut problems) = convert::convert(&raw, chart);
        // [survey] and [calibrate] (docs/CALIBRATION.md).
        survey::check(
            raw.survey.as_ref(),
            raw.calibrate.as_ref(),
            f64::from(raw.steps()) * raw.years_per_step(),
            &mut problems,
        );
        if let Some(o) = &raw.optimize {
            super::optimize::check(o, &mut problems);
        }
        if !problems.is_empty() {
            return Err(layers.invalid(problems));
        }
        let setup = setup.expect("no problems means a setup");
        // Organization-dependent checks (event scopes naming units).
        let model = LearningCulture::new(setup, raw.seed).map_err(|p| layers.invalid(p))?;
        survey_units(raw.survey.as_ref(), &model).map_err(|p| layers.invalid(p))?;
        Ok(Self {
            source,
            seed: raw.seed,
            replicates: raw.replicates,
            model: Models::LearningCulture(model),
            raw,
            chart: chart_text,
        })
    }

    /// A scenario of model "march1991": the `[march]` section and the
    /// shared top-level keys; a learning-culture section written in a file
    /// (or changed by `--set`) is a mistake, not silently ignored.
    fn validate_march(mut raw: RawScenario, layers: &Layers) -> Result<Self, ScenarioError> {
        let mut problems = Problems::default();
        learning_culture_sections(&raw, layers, "march1991", "[march]", &mut problems);
        let (model, p) = convert::convert_march(&raw);
        problems.0.extend(p.0);
        if !problems.is_empty() {
            return Err(layers.invalid(problems));
        }
        let model = model.expect("no problems means a model");
        // The resolved scenario states every parameter of the section.
        raw.march = Some(model.config().params.clone());
        Ok(Self {
            source: layers.0[0].source.clone(),
            seed: raw.seed,
            replicates: raw.replicates,
            model: Models::March1991(model),
            raw,
            chart: None,
        })
    }

    /// A scenario of a registered model: the shared top-level keys and
    /// the model's own section, checked against its declaration.
    fn validate_registered(
        mut raw: RawScenario,
        layers: &Layers,
        entry: &'static dyn crate::model::registry::Entry,
    ) -> Result<Self, ScenarioError> {
        let mut problems = Problems::default();
        let own = format!("[{}]", entry.section());
        learning_culture_sections(&raw, layers, entry.name(), &own, &mut problems);
        if !problems.is_empty() {
            return Err(layers.invalid(problems));
        }
        if raw.duration.is_none() && raw.steps.is_none() {
            // The resolved scenario states how long it runs.
            raw.duration = Some(raw::RawTime::Years(raw::DEFAULT_YEARS));
        }
        let (model, section) =
            convert::convert_registered(&raw, entry).map_err(|p| layers.invalid(p))?;
        // The resolved scenario states every parameter of the section.
        raw.plugin = Some(section);
        Ok(Self {
            source: layers.0[0].source.clone(),
            seed: raw.seed,
            replicates: raw.replicates,
            model: Models::Registered(model),
            raw,
            chart: None,
        })
    }
}

/// `[survey] units`: each names a unit or team of the organization, once.
fn survey_units(
    survey: Option<&survey::RawSurvey>,
    model: &LearningCulture,
) -> Result<(), Problems> {
    let mut p = Problems::default();
    for (i, u) in survey.map_or(&[][..], |s| &s.units).iter().enumerate() {
        let key = format!("survey.units[{i}]");
        if model.org().find(u).is_none() {
            let hint = model.org().did_you_mean(u);
            p.push(key, format!("the organization has no unit or team named '{u}'{hint} (`culturesim org SCENARIO` lists them)"));
        } else if survey.is_some_and(|s| s.units[..i].contains(u)) {
            p.push(key, format!("names '{u}' a second time"));
        }
    }
    if p.is_empty() { Ok(()) } else { Err(p) }
}

/// Empirical distributions read from a CSV column: the values are taken
/// into the resolved scenario, so it stands alone.
fn read_empirical(raw: &mut RawScenario, layers: &Layers) -> Result<(), ScenarioError> {
    let mut problems = Problems::default();
    raw::for_each_dist(raw, |path, d| {
        if let raw::RawDist::Named(n) = d
            && n.dist == "empirical"
            && let Some(file) = n.file.clone()
        {
            let Some(column) = n.column.clone() else {
                problems.push(
                    format!("{path}.file"),
                    "needs 'column' too (the CSV column to read)",
                );
                return;
            };
            if n.values.is_some() {
                problems.push(
                    format!("{path}.values"),
                    "give either 'values' or 'file' and 'column', not both",
                );
                return;
            }
            match layers
                .read_beside(&format!("{path}.file"), &file)
                .and_then(|(text, shown)| csv_column(&text, &shown, &column))
            {
                Ok(values) => {
                    n.values = Some(values);
                    n.file = None;
                    n.column = None;
                }
                Err(e) => problems.push(format!("{path}.file"), e),
            }
        }
    });
    if !problems.is_empty() {
        return Err(layers.invalid(problems));
    }
    Ok(())
}

/// The org chart a scenario names (`org.chart`), read beside the file that
/// names it, and its text; the resolved scenario then refers to the copy
/// a run writes beside it ([`CHART_COPY`]).
fn read_org_chart(
    raw: &mut RawScenario,
    layers: &Layers,
) -> Result<
    (
        Option<crate::model::learning_culture::org::Chart>,
        Option<String>,
    ),
    ScenarioError,
> {
    let mut chart = None;
    let mut chart_text = None;
    if let Some(name) = raw.org.chart.clone() {
        let mut problems = Problems::default();
        for key in ["employees", "team_size", "span", "levels"] {
            if layers.place(&format!("org.{key}")).is_some() {
                problems.push(
                    format!("org.{key}"),
                    "does not apply when org.chart is given (the chart sets the organization)",
                );
            }
        }
        match layers.read_beside("org.chart", &name) {
            Ok((text, shown)) => match orgchart::read_chart(&text, &shown) {
                Ok(c) => {
                    chart = Some(c);
                    chart_text = Some(text);
                }
                Err(errors) => {
                    for e in errors {
                        problems.push("org.chart", e);
                    }
                }
            },
            Err(e) => problems.push("org.chart", e),
        }
        if !problems.is_empty() {
            return Err(layers.invalid(problems));
        }
        // The resolved scenario refers to the copy written beside it.
        raw.org.chart = Some(CHART_COPY.to_string());
    }
    Ok((chart, chart_text))
}

/// Every learning-culture section that a scenario of another model writes
/// (in a file or by `--set`): a mistake, not silently ignored.
fn learning_culture_sections(
    raw: &RawScenario,
    layers: &Layers,
    model: &str,
    own: &str,
    problems: &mut Problems,
) {
    // Every section at its default (only the sections are compared).
    let d: RawScenario = toml::from_str("name = \"x\"").expect("defaults parse");
    let sections = [
        ("org", raw.org != d.org),
        ("population", raw.population != d.population),
        ("hiring", raw.hiring != d.hiring),
        ("leaders", raw.leaders != d.leaders),
        ("engagement", raw.engagement != d.engagement),
        ("learning", raw.learning != d.learning),
        ("belief", raw.belief != d.belief),
        ("culture", raw.culture != d.culture),
        ("leadership", raw.leadership != d.leadership),
        ("turnover", raw.turnover != d.turnover),
        ("formalization", raw.formalization != d.formalization),
        ("learnathon", raw.learnathon != d.learnathon),
        ("community", raw.community != d.community),
        ("init", raw.init != d.init),
        ("events", !raw.events.is_empty()),
        ("survey", raw.survey.is_some()),
        ("calibrate", raw.calibrate.is_some()),
        ("optimize", raw.optimize.is_some()),
        ("march", raw.march.is_some()),
    ];
    // March's scenarios have always been free to carry [survey] and
    // [calibrate] (ignored); its own section is [march].
    let march = model == "march1991";
    for (name, changed) in sections {
        if march && ["survey", "calibrate", "march"].contains(&name) {
            continue;
        }
        if changed || layers.place(name).is_some() {
            problems.push(
                name,
                format!(
                    "does not apply to model = \"{model}\" (it belongs to {}; {own} configures this one)",
                    if name == "march" { "model \"march1991\"" } else { "the learning-culture model" }
                ),
            );
        }
    }
}

/// The numbers in column `column` of a CSV text (empty cells skipped).
fn csv_column(text: &str, shown: &str, column: &str) -> Result<Vec<f64>, String> {
    let mut r = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = r.headers().map_err(|e| format!("{shown}: {e}"))?.clone();
    let idx = headers.iter().position(|h| h == column).ok_or_else(|| {
        format!(
            "{shown} has no column '{column}' (columns: {})",
            headers.iter().collect::<Vec<_>>().join(", ")
        )
    })?;
    let mut values = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| format!("{shown}: {e}"))?;
        let line = rec.position().map_or(0, |p| p.line());
        match rec.get(idx).unwrap_or("") {
            "" => {}
            cell => values.push(cell.parse::<f64>().map_err(|_| {
                format!("{shown}:{line}: column '{column}' holds '{cell}', not a number")
            })?),
        }
    }
    if values.is_empty() {
        return Err(format!("{shown}: column '{column}' has no values"));
    }
    Ok(values)
}

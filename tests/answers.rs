//! Every bundled learning-culture scenario answers the question its file
//! opens with, on the current model. One test runs each scenario (and its
//! reference) through the real binary, measures the answer with 95%
//! confidence intervals over its replicates (paired by replicate where two
//! scenarios share a seed), checks the answer's direction, and rebuilds
//! the table of measured answers in docs/SCENARIOS.md (section 10,
//! between `scenario-answers` markers). It fails if the table is stale;
//! `CULTURESIM_REGENERATE=1 cargo test --release --test suite answers::`
//! rewrites it. That is the script to run when the model changes: the
//! scenario files themselves quote no numbers, they point to the table.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One run of a bundled scenario: its output folder.
struct Out {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn run(name: &str, args: &[&str]) -> Out {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    let o = Command::new(env!("CARGO_BIN_EXE_culturesim"))
        .args([
            "run",
            name,
            "--no-plots",
            "-q",
            "--teams-per-replicate",
            "--out",
        ])
        .arg(&path)
        .args(args)
        .output()
        .expect("run the binary");
    assert!(
        o.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    Out { _dir: dir, path }
}

impl Out {
    /// `column` of timeseries.csv per replicate, indexed by step.
    fn series(&self, column: &str) -> Vec<Vec<f64>> {
        let mut r = csv::Reader::from_path(self.path.join("timeseries.csv")).unwrap();
        let h = r.headers().unwrap().clone();
        let col = |n: &str| h.iter().position(|x| x == n).unwrap();
        let (rep, c) = (col("replicate"), col(column));
        let mut out: Vec<Vec<f64>> = Vec::new();
        for row in r.records() {
            let row = row.unwrap();
            let i: usize = row[rep].parse().unwrap();
            if out.len() <= i {
                out.resize(i + 1, Vec::new());
            }
            out[i].push(row[c].parse().unwrap());
        }
        out
    }

    /// The step at which `years` have passed: the first step at or after,
    /// or within three weeks before (a 520-week run ends at year 9.97).
    fn step_at(&self, years: f64) -> usize {
        self.series("year")[0]
            .iter()
            .position(|&y| y >= years - 0.06)
            .unwrap_or_else(|| panic!("no step at year {years}"))
    }

    /// `column` at year `y`, per replicate.
    fn at(&self, column: &str, y: f64) -> Vec<f64> {
        let s = self.step_at(y);
        self.series(column).iter().map(|r| r[s]).collect()
    }

    /// Mean of `column` over years [a, b), per replicate.
    fn over(&self, column: &str, a: f64, b: f64) -> Vec<f64> {
        let (i, j) = (self.step_at(a), self.step_at(b));
        self.series(column)
            .iter()
            .map(|r| r[i..j].iter().sum::<f64>() / (j - i) as f64)
            .collect()
    }

    fn summary(&self) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(self.path.join("summary.json")).unwrap()).unwrap()
    }

    /// Mean local culture of the teams `keep(division, team)` accepts, per
    /// replicate, at the last teams.csv step at or before year `y`.
    fn teams_at(&self, y: f64, keep: impl Fn(&str, &str) -> bool) -> Vec<f64> {
        let s = self.step_at(y);
        let mut r = csv::Reader::from_path(self.path.join("teams.csv")).unwrap();
        let mut by: BTreeMap<usize, BTreeMap<usize, (f64, usize)>> = BTreeMap::new();
        for row in r.records() {
            let row = row.unwrap();
            let step: usize = row[1].parse().unwrap();
            if step > s || !keep(&row[2], &row[3]) {
                continue;
            }
            let rep: usize = row[0].parse().unwrap();
            let e = by.entry(rep).or_default().entry(step).or_insert((0.0, 0));
            e.0 += row[4].parse::<f64>().unwrap();
            e.1 += 1;
        }
        by.values()
            .map(|steps| {
                let (sum, n) = steps.values().next_back().unwrap();
                sum / *n as f64
            })
            .collect()
    }
}

impl Out {
    /// The local culture the teams `keep` accepts lost from year `a` to
    /// year `b` (before minus after), with its 95% interval over replicates.
    fn teams_lost(&self, a: f64, b: f64, keep: impl Fn(&str, &str) -> bool) -> (f64, f64) {
        ci(&diff(&self.teams_at(a, &keep), &self.teams_at(b, &keep)))
    }
}

/// Mean and half-width of the 95% interval (Student t, close
/// approximation of its 97.5% quantile).
fn ci(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let sd = (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    (m, (1.96 + 2.4 / (n - 1.0)) * sd / n.sqrt())
}

fn diff(a: &[f64], b: &[f64]) -> Vec<f64> {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| x - y).collect()
}

/// "0.51 [0.49, 0.53]"
fn show((m, h): (f64, f64)) -> String {
    format!("{m:.2} [{:.2}, {:.2}]", m - h, m + h)
}

/// A signed difference, to three places: "+0.031 [+0.020, +0.042]".
fn show_d((m, h): (f64, f64)) -> String {
    format!("{m:+.3} [{:+.3}, {:+.3}]", m - h, m + h)
}

/// An amount lost (before minus after), to three places: "0.438 [0.396, 0.479]".
fn show_l((m, h): (f64, f64)) -> String {
    format!("{m:.3} [{:.3}, {:.3}]", m - h, m + h)
}

/// The answers, and the checks that fail.
#[derive(Default)]
struct Table {
    rows: Vec<String>,
    failed: Vec<String>,
}

impl Table {
    fn row(&mut self, name: &str, answer: String) {
        self.rows.push(format!("| `{name}` | {answer} |"));
    }

    fn check(&mut self, ok: bool, what: String) {
        if !ok {
            self.failed.push(what);
        }
    }
}

fn snow(t: &mut Table) {
    let snow = run("snow-in-the-sun", &[]);
    let s = snow.summary()["shock"].clone();
    let m = |k: &str| s["mean"][k]["mean"].as_f64().unwrap();
    let c = |k: &str| {
        let v = &s["mean"][k];
        let lo = v["ci95"][0].as_f64().unwrap();
        let hi = v["ci95"][1].as_f64().unwrap();
        (v["mean"].as_f64().unwrap(), (hi - lo) / 2.0)
    };
    let fin = ci(&snow.at("culture", 10.0));
    let runs = s["per_run"].as_array().unwrap().len();
    let rec = (s["recovered_share"].as_f64().unwrap() * runs as f64).round();
    t.row(
        "snow-in-the-sun",
        format!(
            "Built from 0.20 to {} in five years ({:.1} years to build the band of {:.2}); \
             the non-aligned top manager takes it to {} and it is lost {} times faster than it \
             was built, like for like. With an aligned manager back from year 7 it is {} at \
             year 10, back to 95% of its level in {rec} of {runs} runs.",
            show(c("pre")),
            m("years_to_build"),
            m("band"),
            show(c("trough")),
            show(c("asymmetry")),
            show(fin),
        ),
    );
    t.check(
        c("asymmetry").0 - c("asymmetry").1 >= 2.0,
        format!(
            "snow-in-the-sun: asymmetry {:?} not clearly ≥ 2",
            c("asymmetry")
        ),
    );
    t.check(
        m("trough") < m("pre") - 0.15,
        "snow-in-the-sun: the culture does not melt".into(),
    );
    let early = run("replaced-early", &[]);
    let d = ci(&diff(&early.at("culture", 10.0), &snow.at("culture", 10.0)));
    t.row(
        "replaced-early",
        format!(
            "Yes, mostly: replaced after six months instead of two years, the culture at year 10 \
             is {} ({} against the default, paired).",
            show(ci(&early.at("culture", 10.0))),
            show_d(d)
        ),
    );
    t.check(
        d.0 - d.1 > 0.05,
        format!("replaced-early: no clear gain {d:?}"),
    );
}

fn baseline(t: &mut Table) {
    let b = run("baseline", &[]);
    let fin = ci(&b.at("culture", 10.0));
    t.row(
        "baseline",
        format!(
            "No: from 0.20 the culture is {} after ten years; the loop alone does not lift it.",
            show(fin)
        ),
    );
    t.check(
        fin.0 + fin.1 < 0.3,
        format!("baseline: the culture grew {fin:?}"),
    );
}

fn change_from_within(t: &mut Table) {
    let f = run("change-from-within", &[]);
    let at = |y: f64| show(ci(&f.at("culture", y)));
    let peak = ci(&f.over("culture", 6.0, 8.0));
    let late = ci(&f.at("culture", 10.0));
    let half = run(
        "change-from-within",
        &[
            "--set",
            "events.0.strength=0.21",
            "--set",
            "events.1.strength=0.52",
            "--set",
            "events.2.strength=0.26",
        ],
    );
    let hpeak = ci(&half.over("culture", 3.0, 5.0));
    let hlate = ci(&half.at("culture", 10.0));
    t.row(
        "change-from-within",
        format!(
            "Yes, above the tipping point: culture {} at year 2 (leadership and practice), {} at \
             year 4 (mastery and integration), {} in years 6–8 after every programme has ended, \
             and {} at year 10. The same four steps at half the strength peak at {} (years 3–5) \
             and decay to {} by year 10.",
            at(2.0),
            at(4.0),
            show(peak),
            show(late),
            show(hpeak),
            show(hlate)
        ),
    );
    t.check(
        late.0 > 0.55 && late.0 > peak.0 - 0.05,
        format!("change-from-within: built culture does not hold ({peak:?} → {late:?})"),
    );
    t.check(
        hlate.0 < hpeak.0 - 0.05,
        format!("change-from-within at half strength does not decay ({hpeak:?} → {hlate:?})"),
    );
}

fn scope(t: &mut Table) {
    let team = run("scope-team-leader", &[]);
    let own = |tm: &str| tm == "u1.1.1";
    let d_team = team.teams_lost(1.0, 6.0, |_, tm| own(tm));
    let d_org_t = ci(&diff(&team.at("culture", 1.0), &team.at("culture", 6.0)));
    t.row(
        "scope-team-leader",
        format!(
            "Only the team: over five years its local culture loses {}; the organization's \
             culture changes by {}.",
            show_l(d_team),
            show_d((-d_org_t.0, d_org_t.1))
        ),
    );
    t.check(
        d_team.0 > 0.2 && d_org_t.0.abs() < 0.03,
        format!("scope-team-leader: team {d_team:?}, organization {d_org_t:?}"),
    );
    let div = run("scope-division-head", &[]);
    let u1 = div.teams_lost(1.0, 6.0, |d, _| d == "u1");
    let rest = div.teams_lost(1.0, 6.0, |d, _| d != "u1");
    t.row(
        "scope-division-head",
        format!(
            "Division u1 loses {} of local culture in five years; the other divisions' \
             culture changes by {}.",
            show_l(u1),
            show_d((-rest.0, rest.1))
        ),
    );
    t.check(
        u1.0 - u1.1 > rest.0 + rest.1 + 0.1,
        format!("scope-division-head: u1 {u1:?}, rest {rest:?}"),
    );
    let top = run("scope-top-manager", &[]);
    let all = ci(&diff(&top.at("culture", 1.0), &top.at("culture", 6.0)));
    let d_org_d = ci(&diff(&div.at("culture", 1.0), &div.at("culture", 6.0)));
    t.row(
        "scope-top-manager",
        format!(
            "Everyone: the organization's culture loses {} in five years (with the division \
             head: {}).",
            show_l(all),
            show_l(d_org_d)
        ),
    );
    t.check(
        all.0 - all.1 > d_org_d.0 + d_org_d.1 + 0.2,
        format!("scope-top-manager: {all:?} vs division {d_org_d:?}"),
    );
}

fn learnathon(t: &mut Table) {
    let none = run("learnathon-none", &[]);
    let com = run("learnathon-committed", &[]);
    let unc = run("learnathon-uncommitted", &[]);
    let w = |o: &Out| o.over("culture", 2.0, 8.0);
    let dc = ci(&diff(&w(&com), &w(&none)));
    let du = ci(&diff(&w(&unc), &w(&none)));
    t.row(
        "learnathon-committed",
        format!(
            "Mean culture over years 2–8: {} against {} without Learnathons ({}, paired).",
            show(ci(&w(&com))),
            show(ci(&w(&none))),
            show_d(dc)
        ),
    );
    t.row(
        "learnathon-uncommitted",
        format!(
            "Worse than none: {} over years 2–8 ({} against none, paired), although it starts \
             the same projects with the same participation.",
            show(ci(&w(&unc))),
            show_d(du)
        ),
    );
    t.check(dc.0 - dc.1 > 0.0, format!("learnathon-committed: {dc:?}"));
    t.check(du.0 + du.1 < 0.0, format!("learnathon-uncommitted: {du:?}"));
}

fn community(t: &mut Table) {
    let with = run("community-buffer", &[]);
    let without = run("community-none", &[]);
    let u1 = |o: &Out| o.teams_at(6.0, |d, _| d == "u1");
    let rest = |o: &Out| o.teams_at(6.0, |d, _| d != "u1");
    let du = ci(&diff(&u1(&with), &u1(&without)));
    let dr = ci(&diff(&rest(&with), &rest(&without)));
    t.row(
        "community-buffer",
        format!(
            "Five years after the non-aligned head arrives, u1's teams have a local culture of {} \
             with the community and {} without ({} paired); the other divisions {} and {} ({}).",
            show(ci(&u1(&with))),
            show(ci(&u1(&without))),
            show_d(du),
            show(ci(&rest(&with))),
            show(ci(&rest(&without))),
            show_d(dr)
        ),
    );
    t.check(du.0 - du.1 > 0.0, format!("community-buffer: u1 {du:?}"));
}

fn formalization(t: &mut Table) {
    let with = run("formalization-vs-turnover", &[]);
    let without = run("formalization-none", &[]);
    let lost = |o: &Out| diff(&o.at("knowledge", 2.99), &o.at("knowledge", 4.0));
    let (lw, ln) = (ci(&lost(&with)), ci(&lost(&without)));
    let d = ci(&diff(
        &with.at("knowledge", 5.0),
        &without.at("knowledge", 5.0),
    ));
    t.row(
        "formalization-vs-turnover",
        format!(
            "Mean knowledge falls by {} in the year of the wave with codified knowledge, by {} \
             without; two years after the wave it is {} higher (paired).",
            show_l(lw),
            show_l(ln),
            show_d(d)
        ),
    );
    t.check(
        d.0 - d.1 > 0.0 && lw.0 < ln.0,
        format!("formalization: loss {lw:?} vs {ln:?}, after {d:?}"),
    );
}

fn influencers(t: &mut Table) {
    let inf = run("influencers-leave", &[]);
    let rnd = run("random-fifth-leaves", &[]);
    let k_lost = |o: &Out| diff(&o.at("knowledge", 0.99), &o.at("knowledge", 1.1));
    let dk = ci(&diff(&k_lost(&inf), &k_lost(&rnd)));
    let dc = ci(&diff(&inf.at("culture", 7.0), &rnd.at("culture", 7.0)));
    t.row(
        "influencers-leave",
        format!(
            "Who leaves matters less than how many: the influential fifth takes {} more of the \
             mean knowledge than a random fifth (paired), and the culture six years later \
             differs by {}.",
            show_d(dk),
            show_d(dc)
        ),
    );
    t.check(
        dk.0 - dk.1 > 0.0,
        format!("influencers-leave: knowledge {dk:?}"),
    );
}

fn reorganization(t: &mut Table) {
    let with = run("reorganization", &[]);
    let without = run("reorganization", &["--set", "events.2.enabled=false"]);
    let d1 = ci(&diff(&with.at("culture", 3.5), &without.at("culture", 3.5)));
    let d5 = ci(&diff(&with.at("culture", 7.0), &without.at("culture", 7.0)));
    t.row(
        "reorganization",
        format!(
            "It sets the build back: six months after the reorganization the culture is {} \
             against the same organization without it (paired), and {} at the end (year 7).",
            show_d(d1),
            show_d(d5)
        ),
    );
    t.check(d1.0 + d1.1 < 0.0, format!("reorganization: {d1:?}"));
}

fn consultant(t: &mut Table) {
    let o = run("consultant-org-chart", &[]);
    let svc = o.teams_lost(2.5, 5.0, |d, _| d == "p069");
    let rest = o.teams_lost(2.5, 5.0, |d, _| d != "p069");
    t.row(
        "consultant-org-chart",
        format!(
            "The programmes raise the culture to {} by year 2.5; in the following 2.5 years the \
             teams under the new head of services lose {} of local culture, the rest {}.",
            show(ci(&o.at("culture", 2.5))),
            show_l(svc),
            show_l(rest)
        ),
    );
    t.check(
        svc.0 - svc.1 > rest.0 + rest.1,
        format!("consultant-org-chart: services {svc:?}, rest {rest:?}"),
    );
}

#[test]
fn every_bundled_scenario_answers_its_question() {
    let mut t = Table::default();
    snow(&mut t);
    baseline(&mut t);
    change_from_within(&mut t);
    scope(&mut t);
    learnathon(&mut t);
    community(&mut t);
    formalization(&mut t);
    influencers(&mut t);
    reorganization(&mut t);
    consultant(&mut t);
    let body = format!(
        "| Scenario | Measured answer (mean [95% interval] over its replicates) |\n|---|---|\n{}\n",
        t.rows.join("\n")
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/SCENARIOS.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let fresh = crate::docs::splice(&doc, "scenario-answers", &body);
    assert!(
        t.failed.is_empty(),
        "scenarios that no longer answer their question:\n{}\n\n{body}",
        t.failed.join("\n")
    );
    if std::env::var_os("CULTURESIM_REGENERATE").is_some() {
        std::fs::write(&path, &fresh).unwrap();
        eprintln!("docs/SCENARIOS.md regenerated");
        return;
    }
    assert!(
        fresh == doc,
        "docs/SCENARIOS.md quotes answers the current model does not give; regenerate with \
         CULTURESIM_REGENERATE=1 cargo test --release --test suite answers::\n\n{body}"
    );
}

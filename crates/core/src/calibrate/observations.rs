//! The observations file: survey waves and HR records of one organization,
//! one CSV row per observed value (docs/CALIBRATION.md).
//!
//! Columns (by name, in any order): `time` (years from the start, a time
//! with a unit like `"26w"`, or a date YYYY-MM-DD when a start date is
//! known), `measure` (culture, engagement, turnover, headcount), `value`,
//! and optionally `n` (respondents), `unit` (a unit or team), `instrument`
//! (dloq7, dloq21, dloq43 or los for culture scores) and `replicate` (as
//! `run` writes survey.csv). Every problem is reported at once, each as
//! `file:line:column: column: rule, got 'cell'`.

use crate::scenario::raw::RawTime;
use crate::scenario::survey::{INSTRUMENTS, MEASURES, days_from_date};

/// A culture-score instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instrument {
    /// The Dimensions of the Learning Organization Questionnaire with this
    /// many items (7, 21 or 43): the mean of 6-point Likert items, 1-6.
    Dloq(u32),
    /// Garvin, Edmondson & Gino's Learning Organization Survey, 0-100.
    Los,
}

impl Instrument {
    /// Parse `dloq7`, `dloq21`, `dloq43` or `los`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "dloq7" => Some(Self::Dloq(7)),
            "dloq21" => Some(Self::Dloq(21)),
            "dloq43" => Some(Self::Dloq(43)),
            "los" => Some(Self::Los),
            _ => None,
        }
    }

    /// The name as written.
    pub fn name(self) -> String {
        match self {
            Self::Dloq(k) => format!("dloq{k}"),
            Self::Los => "los".into(),
        }
    }

    /// The range of a score.
    pub fn range(self) -> (f64, f64) {
        match self {
            Self::Dloq(_) => (1.0, 6.0),
            Self::Los => (0.0, 100.0),
        }
    }
}

/// What was observed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Measure {
    /// A culture survey score on an instrument's scale.
    Culture(Instrument),
    /// The share of respondents who learn intentionally now.
    Engagement,
    /// Leavers over the year before the time, per mean headcount.
    Turnover,
    /// Employees on the payroll.
    Headcount,
}

impl Measure {
    /// The measure's name in files.
    pub fn name(self) -> &'static str {
        match self {
            Self::Culture(_) => "culture",
            Self::Engagement => "engagement",
            Self::Turnover => "turnover",
            Self::Headcount => "headcount",
        }
    }
}

/// One observed value.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// Line in the file (1-based, the header is line 1).
    pub line: usize,
    /// Years from the start of the run.
    pub time: f64,
    /// What was observed.
    pub measure: Measure,
    /// The value on the measure's scale.
    pub value: f64,
    /// Respondents (culture, engagement) or the headcount the turnover is
    /// counted over; None when not given.
    pub n: Option<u32>,
    /// The unit or team, when the wave is not organization-wide.
    pub unit: Option<String>,
    /// The 1-based column of the unit's cell in its line (0 when the file
    /// has no `unit` column), for messages.
    pub unit_col: usize,
}

/// Why an observations file was refused: every problem, each at its place.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {} problem(s):\n{}", problems.len(), problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
pub struct ObservationError {
    /// The file as shown.
    pub file: String,
    /// `file:line:col: column: rule, got 'cell'`, in file order.
    pub problems: Vec<String>,
}

const COLUMNS: [&str; 7] = [
    "time",
    "measure",
    "value",
    "n",
    "unit",
    "instrument",
    "replicate",
];

/// The 1-based column at which each field of a CSV line starts (quotes
/// respected: a comma inside quotes does not start a field).
fn field_columns(line: &str) -> Vec<usize> {
    let mut cols = vec![1];
    let mut quoted = false;
    for (i, c) in line.chars().enumerate() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => cols.push(i + 2),
            _ => {}
        }
    }
    cols
}

/// Read the observations in `text` (`file` names it in messages); dates
/// count from `start` (YYYY-MM-DD) when given.
pub fn read(
    text: &str,
    file: &str,
    start: Option<&str>,
) -> Result<Vec<Observation>, ObservationError> {
    let lines: Vec<&str> = text.lines().collect();
    let col_of = |line: usize, field: usize| -> usize {
        lines
            .get(line.saturating_sub(1))
            .map(|l| field_columns(l).get(field).copied().unwrap_or(1))
            .unwrap_or(1)
    };
    let fail = |problems: Vec<String>| ObservationError {
        file: file.to_string(),
        problems,
    };
    let mut r = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let headers = match r.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(fail(vec![format!("{file}:1:1: not a CSV file: {e}")])),
    };
    let header_line = r.position().line().max(1) as usize;
    let header_line = if headers.is_empty() {
        1
    } else {
        header_line.min(lines.len().max(1))
    };
    let (index, mut problems) = column_index(&headers, |i| {
        format!("{file}:{header_line}:{}", col_of(header_line, i))
    });
    for (k, name) in COLUMNS.iter().enumerate().take(3) {
        if index[k].is_none() {
            problems.push(format!(
                "{file}:{header_line}:1: needs a column '{name}' (required: time, measure, value)"
            ));
        }
    }
    if !problems.is_empty() {
        return Err(fail(problems));
    }
    let start_days = match start.map(days_from_date) {
        Some(Ok(d)) => Some(d),
        Some(Err(e)) => {
            problems.push(format!("{file}: the start date {e}"));
            None
        }
        None => None,
    };
    let mut out = Vec::new();
    let mut replicate: Option<(String, usize)> = None;
    for rec in r.records() {
        let rec = match rec {
            Ok(rec) => rec,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                problems.push(format!("{file}:{line}:1: not valid CSV: {e}"));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line() as usize);
        if rec.iter().all(str::is_empty) {
            continue;
        }
        if rec.len() != headers.len() {
            problems.push(format!(
                "{file}:{line}:1: has {} fields, the header has {}",
                rec.len(),
                headers.len()
            ));
            continue;
        }
        let cells: [&str; 7] =
            std::array::from_fn(|k| index[k].and_then(|i| rec.get(i)).unwrap_or(""));
        let row = Row {
            line,
            cells,
            has_n: index[3].is_some(),
        };
        let (mut obs, found) = row.read(start, start_days, &mut replicate);
        if let (Some(o), Some(i)) = (&mut obs, index[4]) {
            o.unit_col = col_of(line, i);
        }
        for (k, msg) in found {
            let at = format!("{file}:{line}:{}", col_of(line, index[k].unwrap_or(0)));
            problems.push(format!("{at}: {msg}"));
        }
        out.extend(obs);
    }
    problems.extend(duplicates(&out, file));
    if problems.is_empty() && out.is_empty() {
        problems.push(format!(
            "{file}: has no observations (a header and at least one row are needed)"
        ));
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| {
            p.strip_prefix(&format!("{file}:"))
                .and_then(|r| r.split(':').next())
                .and_then(|l| l.parse::<usize>().ok())
                .unwrap_or(0)
        });
        return Err(fail(problems));
    }
    Ok(out)
}

/// Which field holds each of [`COLUMNS`] (`respondents` is another name
/// for `n`), and the header's problems: a column twice, an unknown column
/// (with a did-you-mean). `at(i)` is the place of header field `i`.
fn column_index(
    headers: &csv::StringRecord,
    at: impl Fn(usize) -> String,
) -> ([Option<usize>; 7], Vec<String>) {
    let mut problems = Vec::new();
    let mut index = [None; 7];
    for (i, h) in headers.iter().enumerate() {
        let h = if h == "respondents" { "n" } else { h };
        match COLUMNS.iter().position(|c| *c == h) {
            Some(k) if index[k].is_some() => {
                problems.push(format!("{}: column '{h}' appears twice", at(i)))
            }
            Some(k) => index[k] = Some(i),
            None => {
                let names: Vec<String> = COLUMNS.iter().map(|s| s.to_string()).collect();
                let hint = match crate::scenario::keys::closest(h, &names) {
                    Some(s) => format!("; did you mean '{s}'?"),
                    None => String::new(),
                };
                problems.push(format!(
                    "{}: column '{h}' is not a known column{hint} (columns: {})",
                    at(i),
                    COLUMNS.join(", ")
                ));
            }
        }
    }
    (index, problems)
}

/// One data row: its line and its cells in the order of [`COLUMNS`]
/// (empty where the file has no such column).
struct Row<'a> {
    /// Line in the file.
    line: usize,
    /// The cells, by [`COLUMNS`] index.
    cells: [&'a str; 7],
    /// Whether the file has an `n` column (where a missing count is shown).
    has_n: bool,
}

impl Row<'_> {
    /// The row's observation when it has no problem, and its problems, each
    /// with the [`COLUMNS`] index of the cell it is at, in the order time,
    /// measure, value, n, replicate. `replicate` is the first replicate
    /// seen (and its line): a file holds one.
    fn read(
        &self,
        start: Option<&str>,
        start_days: Option<i64>,
        replicate: &mut Option<(String, usize)>,
    ) -> (Option<Observation>, Vec<(usize, String)>) {
        let mut problems = Vec::new();
        let time = time_of(self.cells[0], start, start_days)
            .map_err(|msg| problems.push((0, msg)))
            .ok()
            .flatten();
        let measure = measure_of(self.cells[1], self.cells[5])
            .map_err(|p| problems.push(p))
            .ok();
        let v = self.cells[2];
        let value = match v.parse::<f64>() {
            Ok(x) if x.is_finite() => Some(x),
            _ => {
                problems.push((2, format!("value must be a number, got '{v}'")));
                None
            }
        };
        if let (Some(m), Some(x)) = (measure, value)
            && let Some(rule) = value_rule(m, x)
        {
            problems.push((2, format!("value: {rule}, got '{v}'")));
        }
        let n = respondents(self.cells[3], measure)
            .map_err(|msg| {
                let k = if self.cells[3].is_empty() && !self.has_n {
                    1
                } else {
                    3
                };
                problems.push((k, msg))
            })
            .ok()
            .flatten();
        // An instrument of another measure (e.g. "gallup q12") is a label.
        let unit = Some(self.cells[4].to_string()).filter(|u| !u.is_empty());
        let rep = self.cells[6];
        if !rep.is_empty() {
            match &*replicate {
                None => *replicate = Some((rep.to_string(), self.line)),
                Some((first, l)) if first != rep => problems.push((6, format!(
                    "replicate: a data set is one organization's waves, but this file holds replicate {first} (line {l}) and replicate {rep}; keep the rows of one replicate"
                ))),
                Some(_) => {}
            }
        }
        let obs = match (problems.is_empty(), time, measure, value) {
            (true, Some(time), Some(measure), Some(value)) => Some(Observation {
                line: self.line,
                time,
                measure,
                value,
                n,
                unit,
                unit_col: 0,
            }),
            _ => None,
        };
        (obs, problems)
    }
}

/// A `time` cell in years from the start: years, a time with a unit
/// (`"26w"`) or a date YYYY-MM-DD counted from `start` (`start_days`, its
/// day number; None with a `start` means the start date itself was bad,
/// which is reported once, elsewhere: then Ok(None)).
fn time_of(t: &str, start: Option<&str>, start_days: Option<i64>) -> Result<Option<f64>, String> {
    if t.len() == 10 && t.as_bytes()[4] == b'-' && t.as_bytes()[7] == b'-' {
        match (days_from_date(t), start_days) {
            (Err(e), _) => Err(format!("time {e}")),
            (Ok(_), None) if start.is_none() => Err(format!(
                "time '{t}' is a date, and no start date is given (write calibrate.start = \"YYYY-MM-DD\" in the scenario, or --start)"
            )),
            (Ok(_), None) => Ok(None),
            (Ok(d), Some(s)) if d < s => Err(format!(
                "time '{t}' is before the start date {}",
                start.unwrap_or("")
            )),
            (Ok(d), Some(s)) => Ok(Some((d - s) as f64 / 365.25)),
        }
    } else {
        let raw = match t.parse::<f64>() {
            Ok(y) => RawTime::Years(y),
            Err(_) => RawTime::Text(t.to_string()),
        };
        match raw.years() {
            Ok(y) => Ok(Some(y)),
            Err(e) => {
                let e = if t.is_empty() {
                    "is empty".to_string()
                } else {
                    e
                };
                Err(format!(
                    "time must be years from the start, a time like \"26w\" or a date YYYY-MM-DD: {e}"
                ))
            }
        }
    }
}

/// The `measure` cell `m`, with the `instrument` cell `inst_text` of a
/// culture score (dloq7 when empty). A problem comes with the
/// [`COLUMNS`] index of its cell (5: instrument, 1: measure).
fn measure_of(m: &str, inst_text: &str) -> Result<Measure, (usize, String)> {
    match m {
        "culture" => {
            let inst = if inst_text.is_empty() {
                "dloq7"
            } else {
                inst_text
            };
            Instrument::parse(inst)
                .map(Measure::Culture)
                .ok_or_else(|| {
                    (
                        5,
                        format!(
                            "instrument of a culture score must be one of {}, got '{inst_text}'",
                            INSTRUMENTS.join(", ")
                        ),
                    )
                })
        }
        "engagement" => Ok(Measure::Engagement),
        "turnover" => Ok(Measure::Turnover),
        "headcount" => Ok(Measure::Headcount),
        other => {
            let names: Vec<String> = MEASURES.iter().map(|s| s.to_string()).collect();
            let hint = match crate::scenario::keys::closest(other, &names) {
                Some(s) => format!("; did you mean '{s}'?"),
                None => String::new(),
            };
            Err((
                1,
                format!(
                    "measure must be one of {}, got '{other}'{hint}",
                    MEASURES.join(", ")
                ),
            ))
        }
    }
}

/// The rule value `x` of measure `m` breaks, if any: a culture score in
/// its instrument's range, a share in [0, 1], a whole headcount.
fn value_rule(m: Measure, x: f64) -> Option<String> {
    match m {
        Measure::Culture(i) => {
            let (lo, hi) = i.range();
            (!(lo..=hi).contains(&x)).then(|| {
                let hint = match i {
                    Instrument::Dloq(_) if x > hi => " (is it a LOS score? write instrument los)",
                    _ => "",
                };
                format!("a {} score must be in [{lo}, {hi}]{hint}", i.name())
            })
        }
        Measure::Engagement | Measure::Turnover => (!(0.0..=1.0).contains(&x))
            .then(|| format!("{} must be a share in [0, 1] (write 12% as 0.12)", m.name())),
        Measure::Headcount => (x < 0.0 || x.fract() != 0.0)
            .then(|| "headcount must be a whole number >= 0".to_string()),
    }
}

/// The `n` cell: respondents (needed for a culture or engagement wave),
/// None when empty.
fn respondents(n_text: &str, measure: Option<Measure>) -> Result<Option<u32>, String> {
    if n_text.is_empty() {
        if matches!(measure, Some(Measure::Culture(_) | Measure::Engagement)) {
            return Err(format!(
                "n (respondents) is needed for a {} wave",
                measure.map_or("", Measure::name)
            ));
        }
        Ok(None)
    } else {
        // A whole number written as a decimal ("40.0", as spreadsheets and
        // data frames with a missing cell write it) is that number.
        let whole = n_text.parse::<u32>().ok().or_else(|| {
            n_text
                .parse::<f64>()
                .ok()
                .filter(|x| x.fract() == 0.0 && *x >= 1.0 && *x <= f64::from(u32::MAX))
                .map(|x| x as u32)
        });
        match whole {
            Some(k) if k >= 1 => Ok(Some(k)),
            _ => Err(format!(
                "n must be a whole number of respondents >= 1, got '{n_text}'"
            )),
        }
    }
}

/// The same measure twice at one time and unit: one problem per repeat.
fn duplicates(out: &[Observation], file: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for (i, a) in out.iter().enumerate() {
        if let Some(b) = out[..i].iter().find(|b| {
            (b.time - a.time).abs() < 1e-9
                && b.measure.name() == a.measure.name()
                && b.unit == a.unit
        }) {
            problems.push(format!(
                "{file}:{}:1: {} at time {} is given twice (also on line {}); keep one",
                a.line,
                a.measure.name(),
                crate::export::timeseries::format_value(a.time),
                b.line
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn respondents_may_be_written_as_whole_decimals_but_not_fractions() {
        let m = Some(Measure::Engagement);
        assert_eq!(respondents("40", m), Ok(Some(40)));
        assert_eq!(respondents("40.0", m), Ok(Some(40)));
        for bad in ["40.5", "0", "0.0", "-3", "x", "1e20"] {
            let e = respondents(bad, m).unwrap_err();
            assert!(e.contains("whole number of respondents"), "{bad}: {e}");
        }
    }

    #[test]
    fn a_good_file_is_read_with_units_and_dates() {
        let text = "time,measure,value,n,instrument\n1,culture,3.5,80,dloq21\n\"26w\",engagement,0.3,80,\n2021-01-01,headcount,120,,\n";
        let obs = read(text, "w.csv", Some("2020-01-01")).unwrap();
        assert_eq!(obs.len(), 3);
        assert_eq!(obs[0].measure, Measure::Culture(Instrument::Dloq(21)));
        assert!((obs[1].time - 26.0 * 7.0 / 365.25).abs() < 1e-12);
        assert!((obs[2].time - 366.0 / 365.25).abs() < 1e-12);
        assert_eq!(obs[2].n, None);
    }

    #[test]
    fn every_problem_is_reported_at_its_line_and_column() {
        let text = "time,measure,value,n\n1,culture,7,80\nx,engagment,0.5,10\n2,turnover,12,\n";
        let e = read(text, "w.csv", None).unwrap_err();
        let all = e.problems.join("\n");
        assert!(
            all.contains("w.csv:2:11: value: a dloq7 score must be in [1, 6]"),
            "{all}"
        );
        assert!(all.contains("w.csv:3:1: time must be"), "{all}");
        assert!(all.contains("w.csv:3:3: measure must be one of"), "{all}");
        assert!(all.contains("did you mean 'engagement'?"), "{all}");
        assert!(
            all.contains("w.csv:4:12: value: turnover must be a share in [0, 1]"),
            "{all}"
        );
        assert_eq!(e.problems.len(), 4, "{all}");
    }

    #[test]
    fn columns_count_quoted_commas_as_text() {
        assert_eq!(field_columns("a,\"b,c\",d"), vec![1, 3, 9]);
    }
}

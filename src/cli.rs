//! Command-line definitions (clap derive only; behaviour lives in `app`).
//!
//! The doc comments here are the terminal's `--help` text, written for a
//! terminal: `[sweep]` is a scenario section and `<scenario-name>` a
//! placeholder, not a link or an HTML tag.
#![allow(rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags)]

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// culturesim: simulate how a learning culture grows and erodes in an organization.
#[derive(Debug, Parser)]
#[command(
    name = "culturesim",
    version = env!("CULTURESIM_LONG_VERSION"),
    about,
    long_about = None
)]
pub struct Cli {
    /// What to do (default: run the embedded default scenario).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Run a request larger than this machine's memory or the work limit
    /// allows (the estimate is printed when refused).
    #[arg(long, global = true)]
    pub force_size: bool,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario's replicates and write timeseries.csv, summary.json,
    /// summary.csv, teams.csv, scenario.toml and manifest.json (with
    /// --format parquet: timeseries.parquet and teams.parquet instead).
    Run(RunArgs),
    /// Re-render the plots and report.html of a finished run folder without re-running.
    Plot(PlotArgs),
    /// Overlay several finished runs in one set of charts and one report.
    Compare(CompareArgs),
    /// Check scenario files without running them (exit 2 if any is invalid).
    Validate {
        /// Scenario files (or names of bundled scenarios).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// List the bundled scenarios with their descriptions.
    List,
    /// Write a fully commented scenario template NAME.toml that validates as written.
    New {
        /// Scenario name (also the file name, NAME.toml, unless --out is given).
        name: String,
        /// Start from this scenario (a file or a bundled name) instead of the defaults.
        #[arg(long, value_name = "SCENARIO")]
        from: Option<PathBuf>,
        /// Start from the defaults of this model instead (a model
        /// registered by the program, docs/EXTENDING.md) [default: the
        /// learning-culture model].
        #[arg(long, value_name = "MODEL", conflicts_with = "from")]
        model: Option<String>,
        /// Where to write the file [default: NAME.toml].
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Print the JSON Schema of the scenario format (for editors).
    Schema,
    /// Convert a format-1 scenario (values per step) into format 2 (rates
    /// per year, times in real units), keeping its comments; the old file
    /// runs as before. Prints the new file unless --out is given.
    Migrate {
        /// The format-1 scenario file.
        file: PathBuf,
        /// Where to write the format-2 file (may be FILE itself) [default: print it].
        #[arg(long, short, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Print the organization a scenario builds: every unit with its scope
    /// name, depth, teams and headcount (and an org chart's leaders).
    Org(OrgArgs),
    /// Serve the live page: move a lever, watch the culture grow or melt
    /// (on this machine only unless --host says otherwise; no internet needed).
    Serve(ServeArgs),
    /// Run the [sweep] design of a scenario: every point x replicates, with
    /// common random numbers; points.csv, runs.csv, summary.csv/json.
    Sweep {
        /// Scenario file with a [sweep] section (or a bundled name).
        scenario: PathBuf,
        /// Output folder [default: output/<scenario-name>-sweep/].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Continue an interrupted sweep in the output folder: completed runs are kept.
        #[arg(long)]
        resume: bool,
        /// Run only shard K of N (every N-th run from the K-th); combine with `merge`.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        /// Worker threads; results do not depend on it.
        #[arg(long, value_name = "N")]
        threads: Option<usize>,
        /// Set any scenario key (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
        /// Adaptive replication: add rounds of replicates to each point until
        /// the 95% CI half-width of --ci-metric (final value) is at most W.
        #[arg(long, value_name = "W")]
        ci_width: Option<f64>,
        /// The metric adaptive replication watches [default: the model's main
        /// metric: culture, or code_knowledge for march1991].
        #[arg(long, value_name = "METRIC")]
        ci_metric: Option<String>,
        /// Most replicates per point with --ci-width [default: 10 × replicates].
        #[arg(long, value_name = "N")]
        max_replicates: Option<u32>,
        /// How to write runs and timeseries: .csv files, or .parquet files
        /// with typed columns (smaller; a Parquet sweep cannot --resume).
        #[arg(long, value_enum, default_value_t = TableFormat::Csv)]
        format: TableFormat,
        /// Carry the parameter uncertainty of a calibration: each replicate
        /// draws its parameters from the posterior in DIR (the same draw
        /// for replicate r at every point, so points stay paired).
        #[arg(long, value_name = "DIR")]
        posterior: Option<PathBuf>,
    },
    /// Equilibrium culture from a low and a high start over a range of one
    /// parameter: the bistable range and the bifurcation diagram.
    Hysteresis(HysteresisArgs),
    /// Which levers matter: Morris screening or Sobol indices of a metric
    /// over the ranges of the scenario's [sweep] parameters.
    Sensitivity(SensitivityArgs),
    /// How long can we wait? A harmful leader replacement remedied after
    /// each delay: the share of runs that recover and the final culture,
    /// paired with the run without the harm, and the critical window.
    Timing(TimingArgs),
    /// Culture at risk: which leadership seats matter (paired loss if that
    /// seat alone gets a non-aligned successor, ranked) and a stress test
    /// of future successions from the leader pool.
    Risk(RiskArgs),
    /// Early warning of tipping: per run and team, whether the culture
    /// tips, the rolling variance and lag-1 autocorrelation of the culture
    /// before the tip (Kendall's tau), and the margin of support above the
    /// lower edge of the bistable window; against a knock-out twin.
    Warning(WarningArgs),
    /// Which programmes pay off: the Pareto front of cost, chance of ending
    /// in the high-culture basin and final culture over the scenario's
    /// programme portfolio (NSGA-II, common random numbers), and the
    /// cheapest portfolio that reaches the target, re-run on fresh seeds.
    Optimize(OptimizeArgs),
    /// Combine the shards of one sweep into the files of the whole sweep.
    Merge {
        /// Shard output folders.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output folder.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Fit the [calibrate] parameters of a scenario to survey waves and HR
    /// records (ABC-SMC): posterior.csv, summary.csv/json, generations.csv.
    Calibrate(CalibrateArgs),
    /// Measure speed: a scaling series from 1,000 employees up, thread scaling.
    Bench {
        /// Largest organization in the series (employees).
        #[arg(long, default_value_t = 1_000_000)]
        max: u32,
        /// Steps per timed run.
        #[arg(long, default_value_t = 20)]
        steps: u32,
        /// Threads for the parallel measurements [default: all cores].
        #[arg(long)]
        threads: Option<usize>,
        /// Compilation of the employee pass to measure (all give the same
        /// results; `scalar` is the slot-by-slot reference).
        #[arg(long, value_enum, default_value_t = KernelArg::Auto)]
        kernel: KernelArg,
        /// Runs of the default scenario in the ensemble measurement.
        #[arg(long, default_value_t = 256)]
        runs: u32,
        /// No progress bar (the table is printed all the same).
        #[arg(long, short)]
        quiet: bool,
    },
    /// Print a shell completion script, e.g.
    /// `culturesim completions bash > ~/.local/share/bash-completion/completions/culturesim`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `culturesim man > culturesim.1`.
    Man,
}

/// Options of `org`.
#[derive(Debug, Args, Clone)]
pub struct OrgArgs {
    /// Scenario file (or the name of a bundled scenario).
    pub scenario: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OrgFormat::Text)]
    pub format: OrgFormat,
    /// Show units down to this depth only (0: the top) [default: all].
    #[arg(long, value_name = "N")]
    pub depth: Option<usize>,
    /// Set any scenario key (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// `org --format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OrgFormat {
    /// An indented table, one line per unit.
    Text,
    /// JSON: the totals and one object per unit.
    Json,
}

/// `--kernel` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KernelArg {
    /// The best this processor supports.
    Auto,
    /// AVX-512.
    Avx512,
    /// AVX2.
    Avx2,
    /// The x86-64 baseline (SSE2).
    Baseline,
    /// No vector pass: every slot one by one.
    Scalar,
}

/// Options of `hysteresis`.
#[derive(Debug, Args, Clone)]
pub struct HysteresisArgs {
    /// Scenario file (or bundled name); its events are switched off.
    pub scenario: PathBuf,
    /// Key path of the parameter, e.g. leaders.alignment.
    #[arg(long)]
    pub param: String,
    /// First value.
    #[arg(long)]
    pub from: f64,
    /// Last value.
    #[arg(long)]
    pub to: f64,
    /// Number of values.
    #[arg(long, default_value_t = 11)]
    pub points: u32,
    /// Steps to equilibrium (the mean of the last fifth is the equilibrium).
    #[arg(long, default_value_t = 1040)]
    pub steps: u32,
    /// Replicates per value and start.
    #[arg(long, default_value_t = 8)]
    pub replicates: u32,
    /// Branches further apart than this count as bistable.
    #[arg(long, default_value_t = 0.1)]
    pub gap: f64,
    /// Output folder [default: output/<scenario-name>-hysteresis/].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Overrides, seed, threads and quiet.
    #[command(flatten)]
    pub common: AnalysisOptions,
}

/// What `hysteresis` and `sensitivity` share: overrides, the seed, the
/// thread count and quiet.
#[derive(Debug, Args, Clone)]
pub struct AnalysisOptions {
    /// Set any scenario key (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Master seed (overrides the scenario).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads [default: RAYON_NUM_THREADS or all cores]; results do not depend on it.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options of `sensitivity`.
#[derive(Debug, Args, Clone)]
pub struct SensitivityArgs {
    /// Scenario file with a [sweep] section (its parameters are the factors).
    pub scenario: PathBuf,
    /// morris (elementary effects) or sobol (first-order and total indices).
    #[arg(long, default_value = "morris")]
    pub method: String,
    /// Morris trajectories, or Sobol base samples [default: 20 for morris,
    /// 64 for sobol (fewer give total indices below first-order ones)].
    #[arg(long)]
    pub samples: Option<u32>,
    /// Run output analysed: a metric's final value or a shock metric
    /// (a column of a sweep's runs.csv) [default: the model's first
    /// metric, culture or code_knowledge].
    #[arg(long)]
    pub metric: Option<String>,
    /// Replicates per evaluation (mean taken).
    #[arg(long, default_value_t = 4)]
    pub replicates: u32,
    /// Output folder [default: output/<scenario-name>-sensitivity/].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Overrides, seed, threads and quiet.
    #[command(flatten)]
    pub common: AnalysisOptions,
}

/// Options of `timing`.
#[derive(Debug, Args, Clone)]
pub struct TimingArgs {
    /// Scenario file (or bundled name).
    pub scenario: PathBuf,
    /// Id of the harmful replace_leader event (its `id = ...`).
    #[arg(long, value_name = "ID")]
    pub event: String,
    /// Delays before the remedy, comma-separated, in --unit.
    #[arg(long, value_name = "LIST", default_value = "0,3,6,9,12,15,18,21,24")]
    pub delays: String,
    /// Unit of the delays.
    #[arg(long, value_enum, default_value_t = DelayUnit::Months)]
    pub unit: DelayUnit,
    /// A run recovers when its final culture is within this of the same
    /// run without the harm.
    #[arg(long, default_value_t = 0.05)]
    pub tolerance: f64,
    /// Runs per branch [default: the scenario's replicates].
    #[arg(long, value_name = "N")]
    pub replicates: Option<u32>,
    /// Output folder [default: output/<scenario-name>-timing/].
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Carry the parameter uncertainty of a calibration: each replicate
    /// draws its parameters from the posterior `culturesim calibrate`
    /// wrote into DIR (every branch of replicate r steps with the same
    /// draw, so the branches stay paired).
    #[arg(long, value_name = "DIR")]
    pub posterior: Option<PathBuf>,
    /// Overrides, seed, threads and quiet.
    #[command(flatten)]
    pub common: AnalysisOptions,
}

/// Options of `risk`.
#[derive(Debug, Args, Clone)]
pub struct RiskArgs {
    /// Scenario file (or bundled name).
    pub scenario: PathBuf,
    /// When the seats change hands ("5y", "130w"; a number is years)
    /// [default: the first leader replacement after the start, else 0].
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Years from --at to the horizon [default: to the end of the run].
    #[arg(long, value_name = "Y")]
    pub years: Option<f64>,
    /// Alignment of the non-aligned successor tested in each seat.
    #[arg(long, default_value_t = 0.05)]
    pub alignment: f64,
    /// Seats shown in the figure, the table and the report.
    #[arg(long, default_value_t = 15)]
    pub top: usize,
    /// Runs per branch [default: the scenario's replicates].
    #[arg(long, value_name = "N")]
    pub replicates: Option<u32>,
    /// Output folder [default: output/<scenario-name>-risk/].
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Carry the parameter uncertainty of a calibration: each replicate
    /// draws its parameters from the posterior `culturesim calibrate`
    /// wrote into DIR (the baseline and every seat's branch of replicate
    /// r step with the same draw, so the losses stay paired).
    #[arg(long, value_name = "DIR")]
    pub posterior: Option<PathBuf>,
    /// Overrides, seed, threads and quiet.
    #[command(flatten)]
    pub common: AnalysisOptions,
}

/// `--format` values of `run` and `sweep`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum TableFormat {
    /// timeseries.csv, teams.csv, runs.csv.
    #[default]
    Csv,
    /// timeseries.parquet, teams.parquet, runs.parquet (typed columns).
    Parquet,
}

/// Options of `warning`.
#[derive(Debug, Args, Clone)]
pub struct WarningArgs {
    /// Scenario file (or bundled name).
    pub scenario: PathBuf,
    /// Monitoring starts here ("6y", "313w"; a number is years): a run or
    /// team tips if its culture is at or above the threshold then and
    /// falls below it for good [default: the first leader replacement or
    /// budget cut after the start].
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// Length of the monitored window from --from (cut at the tip if
    /// earlier).
    #[arg(long, value_name = "TIME", default_value = crate::decide::warning_study::WINDOW)]
    pub window: String,
    /// Rolling window of the statistics, in percent of the monitored window
    /// (50: Dakos et al. 2012).
    #[arg(long, value_name = "PERCENT", default_value_t = crate::decide::warning_study::ROLLING)]
    pub rolling: f64,
    /// Gaussian detrending bandwidth ("6m"), or "none" [default: 20% of
    /// the window].
    #[arg(long, value_name = "TIME|none")]
    pub bandwidth: Option<String>,
    /// Culture below which a run or team has tipped [default:
    /// culture.high_threshold].
    #[arg(long, value_name = "C")]
    pub threshold: Option<f64>,
    /// The knock-out twin: a --set override that removes the harm (e.g.
    /// events.6.enabled=false), run with the same seeds and measured over
    /// the same windows (repeatable).
    #[arg(long = "twin-set", value_name = "KEY=VALUE")]
    pub twin_set: Vec<String>,
    /// Also write every team's series to warning-series.csv (large).
    #[arg(long)]
    pub teams: bool,
    /// Runs [default: the scenario's replicates].
    #[arg(long, value_name = "N")]
    pub replicates: Option<u32>,
    /// Output folder [default: output/<scenario-name>-warning/].
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Carry the parameter uncertainty of a calibration: each replicate
    /// draws its parameters from the posterior `culturesim calibrate`
    /// wrote into DIR (the same draw in the twin; each run's margin is
    /// measured from its draw's bistable window).
    #[arg(long, value_name = "DIR")]
    pub posterior: Option<PathBuf>,
    /// Overrides, seed, threads and quiet.
    #[command(flatten)]
    pub common: AnalysisOptions,
}

/// Options of `optimize` (each overrides the scenario's `[optimize]`).
#[derive(Debug, Args, Clone)]
pub struct OptimizeArgs {
    /// Scenario file (or bundled name).
    pub scenario: PathBuf,
    /// Least chance of ending in the high-culture basin the cheapest
    /// portfolio must give [default: optimize.target, 0.7].
    #[arg(long, value_name = "P")]
    pub target: Option<f64>,
    /// Most a portfolio may cost, in the cost model's unit [default:
    /// optimize.budget, none].
    #[arg(long, value_name = "COST")]
    pub budget: Option<f64>,
    /// Portfolios per generation [default: optimize.population, 24].
    #[arg(long, value_name = "N")]
    pub population: Option<u32>,
    /// Generations after the first [default: optimize.generations, 8].
    #[arg(long, value_name = "N")]
    pub generations: Option<u32>,
    /// Runs per portfolio, the same seeds for all [default:
    /// optimize.replicates, else the scenario's replicates].
    #[arg(long, value_name = "N")]
    pub replicates: Option<u32>,
    /// Fresh-seed runs per re-evaluated portfolio [default:
    /// optimize.confirm, 256].
    #[arg(long, value_name = "N")]
    pub confirm: Option<u32>,
    /// Output folder [default: output/<scenario-name>-optimize/].
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Carry the parameter uncertainty of a calibration: each replicate
    /// draws its parameters from the posterior `culturesim calibrate`
    /// wrote into DIR (replicate r draws the same particle for every
    /// portfolio, so portfolios stay paired).
    #[arg(long, value_name = "DIR")]
    pub posterior: Option<PathBuf>,
    /// Overrides, seed, threads and quiet.
    #[command(flatten)]
    pub common: AnalysisOptions,
}

/// `timing --unit` values, in the order of the core's `DELAY_UNITS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DelayUnit {
    /// Days.
    Days,
    /// Weeks.
    Weeks,
    /// Months.
    Months,
    /// Quarters.
    Quarters,
    /// Years.
    Years,
}

impl DelayUnit {
    /// The unit's name (plural) and its letter in scenario times.
    pub fn names(self) -> (&'static str, &'static str) {
        crate::decide::timing_study::DELAY_UNITS[self as usize]
    }
}

/// Options of `run`.
#[derive(Debug, Args, Default, Clone)]
pub struct RunArgs {
    /// Scenario file (TOML) or the name of a bundled scenario (see `list`);
    /// the embedded snow-in-the-sun scenario when absent.
    pub scenario: Option<PathBuf>,
    /// Output folder [default: output/<scenario-name>/].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Number of replicates (overrides the scenario).
    #[arg(long, value_name = "N")]
    pub replicates: Option<u32>,
    /// Master seed (overrides the scenario).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Stop after N steps (a horizon: the scenario and its events stay as written).
    #[arg(long, value_name = "N")]
    pub steps: Option<u32>,
    /// Worker threads [default: RAYON_NUM_THREADS or all cores]; results do not depend on it.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Set any scenario key, e.g. --set culture.coupling=0 --set events.4.at=300 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Skip the plots and report.html.
    #[arg(long)]
    pub no_plots: bool,
    /// Write teams.csv with one row per replicate (a `replicate` column
    /// first) instead of the mean over replicates.
    #[arg(long)]
    pub teams_per_replicate: bool,
    /// How to write timeseries and teams: .csv files, or .parquet files
    /// with typed columns (smaller, faster to read).
    #[arg(long, value_enum, default_value_t = TableFormat::Csv)]
    pub format: TableFormat,
    /// Also write snapshot.json: every run's full state after TIME ("5y",
    /// "260w", "6m"; a plain number is years), to continue or fork with
    /// --from-state (learning-culture model).
    #[arg(long, value_name = "TIME")]
    pub save_state_at: Option<String>,
    /// Continue the runs of a snapshot.json (from --save-state-at) instead
    /// of starting from scratch; the scenario may differ from the
    /// snapshot's only in events after its step (a fork).
    #[arg(long, value_name = "FILE")]
    pub from_state: Option<PathBuf>,
    /// Carry the parameter uncertainty of a calibration: each replicate
    /// draws its parameters from the posterior `culturesim calibrate`
    /// wrote into DIR (by weight; the draw of replicate r is the same in
    /// every run of the same seed).
    #[arg(long, value_name = "DIR")]
    pub posterior: Option<PathBuf>,
}

/// Options of `plot`.
#[derive(Debug, Args, Clone)]
pub struct PlotArgs {
    /// Output folder of a finished run (it holds summary.json, timeseries.csv, ...).
    pub dir: PathBuf,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options of `compare`.
#[derive(Debug, Args, Clone)]
pub struct CompareArgs {
    /// Output folders of two or more finished runs.
    #[arg(required = true, num_args = 2..)]
    pub dirs: Vec<PathBuf>,
    /// Where to write the comparison [default: output/compare/].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Name of each run in the legend, in order (repeatable) [default: folder names].
    #[arg(long = "label", value_name = "NAME")]
    pub labels: Vec<String>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options of `serve`.
#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    /// Scenario the page starts from: a file or the name of a bundled
    /// scenario [default: the embedded snow-in-the-sun].
    pub scenario: Option<PathBuf>,
    /// Port to listen on (0: any free port; the address is printed).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on. The default is reachable from this machine
    /// only; another address (e.g. 0.0.0.0) opens the page to the network.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Most employees a request may simulate.
    #[arg(long, default_value_t = 5000, value_name = "N")]
    pub max_employees: u32,
    /// Most replicates a request may ask for.
    #[arg(long, default_value_t = 50, value_name = "N")]
    pub max_replicates: u32,
    /// Carry the parameter uncertainty of a calibration: every run's
    /// replicates draw their parameters from the posterior in DIR.
    #[arg(long, value_name = "DIR")]
    pub posterior: Option<PathBuf>,
}

/// Options of `calibrate`.
#[derive(Debug, Args, Clone)]
pub struct CalibrateArgs {
    /// Scenario file with a [calibrate] section (or a bundled name).
    pub scenario: PathBuf,
    /// Observations file (CSV: time, measure, value, n[, unit][, instrument]).
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// Output folder [default: output/<scenario-name>-calibrate/].
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Continue an interrupted calibration in the output folder from its
    /// last finished generation.
    #[arg(long)]
    pub resume: bool,
    /// Particles per generation (overrides the scenario).
    #[arg(long, value_name = "N")]
    pub particles: Option<u32>,
    /// Generations after the prior one (overrides the scenario).
    #[arg(long, value_name = "N")]
    pub generations: Option<u32>,
    /// Calendar date of time 0 for dated observations, YYYY-MM-DD
    /// (overrides calibrate.start).
    #[arg(long, value_name = "DATE")]
    pub start: Option<String>,
    /// A cheap first filter before agent runs (overrides
    /// calibrate.prefilter): mean-field history matching rules out
    /// implausible proposals without running the agents.
    #[arg(long, value_name = "FILTER", value_parser = ["none", "mean-field"])]
    pub prefilter: Option<String>,
    /// Overrides, seed, threads and quiet.
    #[command(flatten)]
    pub common: AnalysisOptions,
}

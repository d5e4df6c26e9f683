//! Plots and report through the real binary: every figure exists as PNG
//! (decodes, 1600×900, not blank) and SVG (parses, 1600×900, has text);
//! report.html parses, is self-contained and holds every figure and key
//! number; `plot DIR` reproduces the same bytes; `compare` overlays runs;
//! bad folders give clear errors; a headless browser (when installed)
//! renders the report.

use crate::common;

use assert_cmd::Command;
use predicates::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn bin() -> Command {
    Command::cargo_bin("culturesim").unwrap()
}

/// Run the default scenario (4 replicates, the whole timeline, so the
/// shock and the recovery happen) into `out`.
fn run_default(out: &Path, extra: &[&str]) {
    bin()
        .args(["run", "--quiet", "--replicates", "4", "--out"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

const FIGURES: [&str; 6] = ["culture", "metrics", "teams", "outcomes", "shock", "loops"];

/// Decode a PNG: (width, height, RGB bytes).
fn decode_png(path: &Path) -> (u32, u32, Vec<u8>) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .unwrap_or_else(|e| panic!("{} does not decode: {e}", path.display()));
    let mut buf = vec![
        0;
        reader
            .output_buffer_size()
            .expect("a screenshot fits in memory")
    ];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    let rgb = match info.color_type {
        png::ColorType::Rgb => buf,
        png::ColorType::Rgba => buf.chunks(4).flat_map(|c| [c[0], c[1], c[2]]).collect(),
        other => panic!("{}: unexpected colour type {other:?}", path.display()),
    };
    (info.width, info.height, rgb)
}

/// A PNG that is the right size and shows something: many colours, and
/// neither mostly white nor mostly one colour.
fn check_png(path: &Path) {
    let (w, h, rgb) = decode_png(path);
    assert_eq!((w, h), (1600, 900), "{}", path.display());
    let pixels: Vec<[u8; 3]> = rgb.chunks(3).map(|c| [c[0], c[1], c[2]]).collect();
    let colours: BTreeSet<[u8; 3]> = pixels.iter().copied().collect();
    // Anti-aliased text and lines: a drawing, not a few flat fills (a
    // sparse histogram drawn by resvg has about 70).
    assert!(
        colours.len() > 40,
        "{} has only {} colours",
        path.display(),
        colours.len()
    );
    let non_white = pixels.iter().filter(|p| **p != [255, 255, 255]).count();
    let share = non_white as f64 / pixels.len() as f64;
    assert!(
        share > 0.015,
        "{} is almost blank ({share:.3} non-white)",
        path.display()
    );
    // Ink in every quarter of the figure: nothing is left empty or cut off.
    for (qx, qy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
        let ink = (0..h / 2)
            .flat_map(|y| (0..w / 2).map(move |x| (x + qx * w / 2, y + qy * h / 2)))
            .filter(|&(x, y)| pixels[(y * w + x) as usize] != [255, 255, 255])
            .count();
        assert!(
            ink > 2000,
            "{}: quarter ({qx}, {qy}) is nearly empty",
            path.display()
        );
    }
}

/// An SVG that parses, is 1600×900 and has shapes and text.
fn check_svg(path: &Path) {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text)
        .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("width"), Some("1600"), "{}", path.display());
    assert_eq!(root.attribute("height"), Some("900"), "{}", path.display());
    let texts = doc.descendants().filter(|n| n.has_tag_name("text")).count();
    let shapes = doc
        .descendants()
        .filter(|n| {
            ["rect", "polyline", "polygon", "circle", "path", "line"].contains(&n.tag_name().name())
        })
        .count();
    assert!(texts >= 5, "{} has {texts} text elements", path.display());
    assert!(shapes >= 10, "{} has {shapes} shapes", path.display());
}

fn plot_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("plots"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.push(dir.join("report.html"));
    files.sort();
    files
}

#[test]
fn run_writes_every_figure_as_png_and_svg_and_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    run_default(&out, &[]);
    for name in FIGURES {
        check_png(&out.join("plots").join(format!("{name}.png")));
        check_svg(&out.join("plots").join(format!("{name}.svg")));
    }
    // Nothing else (no temporary files) in plots/.
    assert_eq!(plot_files(&out).len(), 2 * FIGURES.len() + 1);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let listed: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        listed.contains(&"plots/shock.svg") && listed.contains(&"report.html"),
        "{listed:?}"
    );
    for f in listed {
        assert!(
            out.join(f).is_file(),
            "manifest lists {f}, which is missing"
        );
    }
}

/// The points of every `<polyline>` of an SVG, with its stroke colour.
fn polylines(svg: &str) -> Vec<(String, Vec<(f64, f64)>)> {
    let doc = resvg::usvg::roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .map(|n| {
            let pts = n
                .attribute("points")
                .unwrap_or("")
                .split_whitespace()
                .filter_map(|p| {
                    let (x, y) = p.split_once(',')?;
                    Some((x.parse().ok()?, y.parse().ok()?))
                })
                .collect();
            (n.attribute("stroke").unwrap_or("").to_string(), pts)
        })
        .collect()
}

/// PNG and SVG are the same drawing: the SVG rasterized here, by resvg
/// with only the embedded fonts, gives the PNG's pixels exactly; and in the
/// small multiples no data line leaves its panel (the axes' box).
#[test]
fn every_png_is_its_svg_rasterized_and_no_line_leaves_its_panel() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    run_default(&out, &[]);
    let mut options = resvg::usvg::Options::default();
    let fonts = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/fonts");
    for f in ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"] {
        options
            .fontdb_mut()
            .load_font_data(std::fs::read(fonts.join(f)).unwrap());
    }
    options.fontdb_mut().set_sans_serif_family("DejaVu Sans");
    assert_eq!(options.fontdb.len(), 2, "no system font is loaded");
    for name in FIGURES {
        let svg = std::fs::read_to_string(out.join("plots").join(format!("{name}.svg"))).unwrap();
        let tree = resvg::usvg::Tree::from_str(&svg, &options).unwrap();
        let (w, h) = (tree.size().width() as u32, tree.size().height() as u32);
        let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h).unwrap();
        pixmap.fill(resvg::tiny_skia::Color::WHITE);
        resvg::render(
            &tree,
            resvg::tiny_skia::Transform::identity(),
            &mut pixmap.as_mut(),
        );
        let mine: Vec<u8> = pixmap
            .data()
            .chunks(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        let (pw, ph, png) = decode_png(&out.join("plots").join(format!("{name}.png")));
        assert_eq!((pw, ph), (w, h), "{name}");
        let differ = png.iter().zip(&mine).filter(|(a, b)| a != b).count();
        assert_eq!(
            differ, 0,
            "{name}.png differs from its SVG in {differ} bytes"
        );
    }
    // Panels of the metrics figure: a vertical grey axis (x = a, y from t
    // to b) meets a horizontal one (y = b, x from a to r).
    let svg = std::fs::read_to_string(out.join("plots/metrics.svg")).unwrap();
    let lines = polylines(&svg);
    let axes: Vec<&Vec<(f64, f64)>> = lines
        .iter()
        .filter(|(c, p)| c == "#8C8C8C" && p.len() == 2)
        .map(|(_, p)| p)
        .collect();
    let mut panels = Vec::new();
    for v in &axes {
        let (a, t, b) = (v[0].0, v[0].1.min(v[1].1), v[0].1.max(v[1].1));
        if v[0].0 != v[1].0 || b - t < 100.0 {
            continue;
        }
        for hz in &axes {
            let (l, r) = (hz[0].0.min(hz[1].0), hz[0].0.max(hz[1].0));
            // (plotters draws the x axis one pixel right of and below the
            // y axis's end)
            let corner = (hz[0].1 - b).abs() <= 1.0 && (l - a).abs() <= 1.0;
            if hz[0].1 == hz[1].1 && corner && r - l > 100.0 {
                panels.push((a, r, t, b));
            }
        }
    }
    assert_eq!(
        panels.len(),
        8,
        "the metrics figure has 8 panels: {panels:?}"
    );
    let data: Vec<&Vec<(f64, f64)>> = lines
        .iter()
        .filter(|(c, p)| c != "#8C8C8C" && p.len() > 20)
        .map(|(_, p)| p)
        .collect();
    assert!(data.len() >= 8, "a line per panel");
    for line in data {
        let inside = panels.iter().any(|&(l, r, t, b)| {
            line.iter()
                .all(|&(x, y)| x >= l - 2.0 && x <= r + 2.0 && y >= t - 2.0 && y <= b + 2.0)
        });
        assert!(inside, "a line leaves its panel: {:?}", &line[..4]);
    }
}

#[test]
fn report_is_self_contained_html_with_every_figure_and_key_number() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    run_default(&out, &[]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let doc = scraper::Html::parse_document(&html);
    assert!(doc.errors.is_empty(), "HTML errors: {:?}", doc.errors);
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    let title: String = doc.select(&sel("title")).next().unwrap().text().collect();
    assert!(title.contains("snow-in-the-sun"), "{title}");
    let h1: String = doc.select(&sel("h1")).next().unwrap().text().collect();
    assert_eq!(h1, "snow-in-the-sun");
    assert!(
        html.contains("non-aligned top manager arrives"),
        "the description"
    );
    // Every figure, inline.
    for name in FIGURES {
        let fig = doc
            .select(&sel(&format!("figure#fig-{name}")))
            .next()
            .unwrap_or_else(|| panic!("no figure {name}"));
        assert!(
            fig.select(&sel("svg")).next().is_some(),
            "figure {name} has no inline SVG"
        );
        assert!(fig.select(&sel("figcaption")).next().is_some());
    }
    // Self-contained: no scripts, style sheets, images or fonts from elsewhere.
    assert_eq!(
        doc.select(&sel("script, link, img, iframe, object"))
            .count(),
        0
    );
    let external: Vec<_> = doc
        .select(&sel("[src]"))
        .filter_map(|e| e.value().attr("src"))
        .collect();
    assert!(external.is_empty(), "external resources: {external:?}");
    assert!(!html.contains("url("), "the page loads something by url()");
    // The key numbers from summary.json, as printed.
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let culture = summary["metrics"]["culture"]["final_step"]["mean"]
        .as_f64()
        .unwrap();
    let asym = summary["shock"]["mean"]["asymmetry"]["mean"]
        .as_f64()
        .unwrap();
    let loss = summary["shock"]["mean"]["loss"]["mean"].as_f64().unwrap();
    let pre = summary["shock"]["mean"]["pre"]["mean"].as_f64().unwrap();
    let cards: String = doc
        .select(&sel("#key-numbers"))
        .next()
        .unwrap()
        .text()
        .collect();
    for expected in [
        format!("{culture:.2}"),
        format!("{asym:.1}×"),
        format!("{:.0}%", loss * 100.0),
        format!("{pre:.2}"),
    ] {
        assert!(
            cards.contains(&expected),
            "key numbers lack {expected}: {cards}"
        );
    }
    // Sentences from the measured numbers.
    let findings: String = doc
        .select(&sel("#findings"))
        .next()
        .unwrap()
        .text()
        .collect();
    assert!(findings.contains("non-aligned top manager"), "{findings}");
    assert!(
        findings.contains(&format!("{asym:.1} times faster")),
        "{findings}"
    );
    // The manifest.
    let prov: String = doc
        .select(&sel("#provenance"))
        .next()
        .unwrap()
        .text()
        .collect();
    assert!(prov.contains("\"seed\": 20261128"), "{prov}");
}

#[test]
fn a_report_on_a_culture_never_built_says_so_and_shows_the_team() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    bin()
        .args([
            "run",
            "scenarios/scope-team-leader.toml",
            "--quiet",
            "--replicates",
            "4",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let doc = scraper::Html::parse_document(&html);
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    let text = |s: &str| -> String { doc.select(&sel(s)).next().unwrap().text().collect() };
    let (cards, findings) = (text("#key-numbers"), text("#findings"));
    let not_built = "no culture was built before the shock, so build and loss cannot be compared";
    assert!(cards.contains(not_built), "{cards}");
    assert!(findings.contains(not_built), "{findings}");
    // No build time or ratio is printed anywhere.
    for wrong in ["faster to lose", "times faster", "built up in", "to build"] {
        assert!(!html.contains(wrong), "the report says '{wrong}'");
    }
    // The team's own numbers beside the organization's.
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let unit = &summary["shock"]["unit"];
    let loss = unit["mean"]["loss"]["mean"].as_f64().unwrap();
    assert!(
        cards.contains(&format!("{:.0}%", loss * 100.0)) && cards.contains("in team u1.1.1"),
        "{cards}"
    );
    assert!(findings.contains("In team u1.1.1 itself"), "{findings}");
    let shock_svg = std::fs::read_to_string(out.join("plots/shock.svg")).unwrap();
    assert!(
        shock_svg.contains("team u1.1.1 itself"),
        "the team's curve is not in the legend"
    );
    check_png(&out.join("plots/shock.png"));
}

#[test]
fn plot_reproduces_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    run_default(&out, &["--steps", "300"]);
    let before: Vec<(PathBuf, Vec<u8>)> = plot_files(&out)
        .into_iter()
        .map(|p| {
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect();
    for (p, _) in &before {
        std::fs::remove_file(p).unwrap();
    }
    bin()
        .arg("plot")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("report.html"));
    for (p, bytes) in &before {
        let again = std::fs::read(p).unwrap_or_else(|e| panic!("{} not re-made: {e}", p.display()));
        assert!(&again == bytes, "{} differs after `plot`", p.display());
    }
    assert_eq!(plot_files(&out).len(), before.len());
}

#[test]
fn no_plots_skips_figures_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    run_default(&out, &["--steps", "50", "--no-plots"]);
    assert!(!out.join("plots").exists());
    assert!(!out.join("report.html").exists());
    assert!(out.join("summary.json").exists());
}

#[test]
fn a_run_without_a_shock_has_no_shock_figure() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    // The shock is at week 260: a 100-week horizon never reaches it.
    run_default(&out, &["--steps", "100"]);
    assert!(!out.join("plots/shock.png").exists());
    for name in ["culture", "metrics", "teams", "outcomes", "loops"] {
        check_png(&out.join("plots").join(format!("{name}.png")));
        check_svg(&out.join("plots").join(format!("{name}.svg")));
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains("fig-shock"));
    assert!(html.contains("fig-culture"));
}

#[test]
fn plot_on_a_missing_or_broken_folder_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    bin()
        .arg("plot")
        .arg(&missing)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope").and(predicate::str::contains("not a folder")));
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    bin()
        .arg("plot")
        .arg(&empty)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("summary.json").and(predicate::str::contains("finished")));
    let out = dir.path().join("run");
    run_default(&out, &["--steps", "20", "--no-plots"]);
    std::fs::write(
        out.join("timeseries.csv"),
        "point,replicate,step,culture\n0,0,0,abc\n",
    )
    .unwrap();
    bin().arg("plot").arg(&out).assert().code(2).stderr(
        predicate::str::contains("timeseries.csv")
            .and(predicate::str::contains("line 2"))
            .and(predicate::str::contains("abc")),
    );
    std::fs::write(out.join("summary.json"), "{").unwrap();
    bin()
        .arg("plot")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("summary.json"));
}

#[test]
fn compare_overlays_runs_in_one_report() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("loop-on");
    let b = dir.path().join("loop-off");
    run_default(&a, &["--steps", "200", "--no-plots"]);
    run_default(
        &b,
        &[
            "--steps",
            "200",
            "--no-plots",
            "--set",
            "culture.coupling=0",
        ],
    );
    let out = dir.path().join("cmp");
    bin()
        .arg("compare")
        .arg(&a)
        .arg(&b)
        .args([
            "--label",
            "reinforcing loop on",
            "--label",
            "loop off",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("compared 2 runs"));
    for name in ["culture", "metrics", "outcomes"] {
        check_png(&out.join("plots").join(format!("{name}.png")));
        check_svg(&out.join("plots").join(format!("{name}.svg")));
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let doc = scraper::Html::parse_document(&html);
    assert!(doc.errors.is_empty(), "{:?}", doc.errors);
    assert!(html.contains("reinforcing loop on") && html.contains("loop off"));
    assert!(
        html.contains("ended with a learning culture of"),
        "a comparing sentence"
    );
    // The label count must match the folders.
    bin()
        .arg("compare")
        .arg(&a)
        .arg(&b)
        .args(["--label", "only one", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--label"));
    // One folder is not a comparison.
    bin().arg("compare").arg(&a).assert().code(2);
}

#[test]
fn every_bundled_scenario_plots() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    names.sort();
    for path in names {
        let out = tempfile::tempdir().unwrap();
        bin()
            .arg("run")
            .arg(&path)
            .args(["--quiet", "--replicates", "2", "--steps", "60", "--out"])
            .arg(out.path())
            .assert()
            .success();
        let html = std::fs::read_to_string(out.path().join("report.html"))
            .unwrap_or_else(|e| panic!("{}: no report: {e}", path.display()));
        let text = std::fs::read_to_string(&path).unwrap();
        if text.contains("model = \"march1991\"") {
            assert!(html.contains("fig-march-run"), "{}", path.display());
            check_svg(&out.path().join("plots/march-run.svg"));
        } else {
            assert!(html.contains("fig-loops"), "{}", path.display());
            check_svg(&out.path().join("plots/culture.svg"));
        }
    }
}

use common::browser_or_skip;

#[test]
fn report_renders_in_a_headless_browser() {
    let Some(chrome) = browser_or_skip("the report in a browser") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    run_default(&out, &[]);
    let shot = dir.path().join("report.png");
    let status = std::process::Command::new(chrome)
        .args(common::HEADLESS)
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1400,3000")
        .arg(format!("file://{}", out.join("report.html").display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let (w, h, rgb) = decode_png(&shot);
    assert_eq!((w, h), (1400, 3000));
    let colours: BTreeSet<&[u8]> = rgb.chunks(3).collect();
    assert!(
        colours.len() > 200,
        "the screenshot looks blank ({} colours)",
        colours.len()
    );
}

/// `plot` on a folder that is not a complete run exits 2 (bad input) and
/// names the file and the field, whichever model wrote the folder: without
/// timeseries.csv, and with a broken summary.json.
#[test]
fn plot_on_an_incomplete_folder_exits_2_for_both_models() {
    let dir = tempfile::tempdir().unwrap();
    let lc = dir.path().join("lc");
    run_default(&lc, &["--steps", "20", "--no-plots"]);
    let march = dir.path().join("march");
    bin()
        .args([
            "run",
            "march1991-fig1",
            "-q",
            "--replicates",
            "2",
            "--no-plots",
        ])
        .arg("--out")
        .arg(&march)
        .assert()
        .success();
    // Knock-out twin: the complete folders plot fine (exit 0).
    for d in [&lc, &march] {
        bin().arg("plot").arg(d).arg("-q").assert().success();
    }
    for d in [&lc, &march] {
        let ts = std::fs::read(d.join("timeseries.csv")).unwrap();
        std::fs::remove_file(d.join("timeseries.csv")).unwrap();
        bin().arg("plot").arg(d).assert().code(2).stderr(
            predicate::str::contains("timeseries.csv").and(predicate::str::contains("finished")),
        );
        std::fs::write(d.join("timeseries.csv"), ts).unwrap();
        let summary = std::fs::read_to_string(d.join("summary.json")).unwrap();
        let broken = summary.replacen("\"runs\": ", "\"runs\": \"many\", \"old\": ", 1);
        assert_ne!(broken, summary, "summary.json of {} has runs", d.display());
        std::fs::write(d.join("summary.json"), &broken).unwrap();
        let line = broken.lines().position(|l| l.contains("many")).unwrap() + 1;
        bin().arg("plot").arg(d).assert().code(2).stderr(
            predicate::str::contains("summary.json")
                .and(predicate::str::contains(format!("line {line}, column")))
                .and(predicate::str::contains("runs: invalid type")),
        );
        std::fs::write(d.join("summary.json"), summary).unwrap();
        bin().arg("plot").arg(d).arg("-q").assert().success();
    }
}

/// Every file a run or a sweep writes reads back through its one type in
/// the core and writes the same bytes again: the types are the schema of
/// what `run` and `sweep` write.
#[test]
fn every_output_file_reads_back_through_its_type_byte_for_byte() {
    use culturesim::export::summary::SummaryFile;
    use culturesim::export::teams::TeamsFile;
    use culturesim::export::timeseries::Timeseries;
    use culturesim::sweep::files::{PointStats, Points, Runs, SweepSummary};
    let dir = tempfile::tempdir().unwrap();
    let same = |path: &Path, bytes: Vec<u8>| {
        assert!(
            std::fs::read(path).unwrap() == bytes,
            "{} is not re-written byte for byte",
            path.display()
        );
    };
    // A run with a shock, teams as means; another per replicate.
    let run = dir.path().join("run");
    run_default(&run, &["--steps", "300", "--no-plots"]);
    let per = dir.path().join("per");
    run_default(
        &per,
        &["--steps", "60", "--no-plots", "--teams-per-replicate"],
    );
    let summary = SummaryFile::read(&run.join("summary.json")).unwrap();
    assert_eq!(summary.runs, 4);
    assert!(
        summary.shock.is_some(),
        "the default run has its shock by step 300"
    );
    same(&run.join("summary.json"), summary.to_bytes());
    for d in [&run, &per] {
        let ts = Timeseries::read(&d.join("timeseries.csv")).unwrap();
        assert!(ts.has_year && ts.metric("culture").is_some());
        same(&d.join("timeseries.csv"), ts.to_bytes());
        let teams = TeamsFile::read(&d.join("teams.csv")).unwrap();
        assert!(!teams.rows.is_empty());
        same(&d.join("teams.csv"), teams.to_bytes());
    }
    assert!(
        TeamsFile::read(&per.join("teams.csv"))
            .unwrap()
            .per_replicate
    );
    // A sweep of the learning-culture model and one of March's, with its
    // time series.
    let sweep = dir.path().join("sweep");
    bin()
        .args([
            "sweep",
            "snow-in-the-sun-grid",
            "-q",
            "--set",
            "replicates=2",
        ])
        .args(["--set", "org.employees=200", "--out"])
        .arg(&sweep)
        .assert()
        .success();
    let march = dir.path().join("march");
    bin()
        .args(["sweep", "march1991-fig5", "-q", "--set", "replicates=2"])
        .args(["--set", "steps=30", "--out"])
        .arg(&march)
        .assert()
        .success();
    for d in [&sweep, &march] {
        let points = Points::read(&d.join("points.csv")).unwrap();
        assert!(points.points.len() >= 2);
        same(&d.join("points.csv"), points.to_bytes());
        let runs = Runs::read(&d.join("runs.csv")).unwrap();
        assert_eq!(runs.rows.len(), 2 * points.points.len());
        same(&d.join("runs.csv"), runs.to_bytes());
        let stats = PointStats::read(&d.join("summary.csv")).unwrap();
        same(&d.join("summary.csv"), stats.to_bytes());
        let summary = SweepSummary::read(&d.join("summary.json")).unwrap();
        assert_eq!(summary.points.len(), points.points.len());
        same(&d.join("summary.json"), summary.to_bytes());
    }
    let ts = Timeseries::read(&march.join("timeseries.csv")).unwrap();
    same(&march.join("timeseries.csv"), ts.to_bytes());
}

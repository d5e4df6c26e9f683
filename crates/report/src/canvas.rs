//! Rendering one figure — drawn once, to SVG, then rasterized by resvg into
//! the PNG, so the two files are the same drawing — plus the small drawing
//! helpers every chart shares (titles, dashed lines, arrows, text
//! placement). The rasterizer sees only the embedded DejaVu Sans (no system
//! fonts), so a PNG is the same on every machine. No file I/O here: figures
//! are bytes in memory.

use super::style::{self, INK, MUTED};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The error type of a drawing on backend `DB`.
pub type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// Something that can draw itself on any plotters backend.
pub trait Chart {
    /// Draw on `area` (of size [`style::W`] × [`style::H`] unless
    /// [`Chart::size`] says otherwise).
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB>;

    /// Figure size in pixels.
    fn size(&self) -> (u32, u32) {
        (style::W, style::H)
    }
}

/// A rendered figure.
#[derive(Debug, Clone)]
pub struct Figure {
    /// File stem, e.g. "culture".
    pub name: &'static str,
    /// One-sentence caption for the report.
    pub caption: String,
    /// The SVG document.
    pub svg: String,
    /// The PNG file.
    pub png: Vec<u8>,
}

/// Render `chart` to SVG and rasterize that SVG into the PNG.
pub fn render<C: Chart>(name: &'static str, caption: String, chart: &C) -> anyhow::Result<Figure> {
    style::register_fonts()?;
    let (w, h) = chart.size();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE)
            .and_then(|_| chart.draw(&root))
            .and_then(|_| root.present())
            .map_err(|e| anyhow::anyhow!("cannot draw the {name} figure: {e}"))?;
    }
    // Opacity 1 is the default: dropping it keeps large figures smaller.
    let mut svg = svg.replace(" opacity=\"1\"", "");
    if name == "teams" {
        // Heatmap cells must meet without anti-aliased seams.
        svg = svg.replacen("<svg ", "<svg shape-rendering=\"crispEdges\" ", 1);
    }
    let rgb =
        rasterize(&svg).map_err(|e| anyhow::anyhow!("cannot draw the {name} figure (PNG): {e}"))?;
    let png = encode_png(&rgb.pixels, rgb.width, rgb.height)?;
    Ok(Figure {
        name,
        caption,
        svg,
        png,
    })
}

/// An RGB8 image.
#[derive(Debug, Clone, PartialEq)]
pub struct Rgb {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Row-major RGB bytes.
    pub pixels: Vec<u8>,
}

/// The options resvg reads an SVG with: the embedded fonts only, DejaVu
/// Sans for every generic family.
fn svg_options() -> &'static resvg::usvg::Options<'static> {
    static OPTIONS: std::sync::OnceLock<resvg::usvg::Options<'static>> = std::sync::OnceLock::new();
    OPTIONS.get_or_init(|| {
        let mut o = resvg::usvg::Options {
            font_family: "DejaVu Sans".into(),
            ..Default::default()
        };
        let db = o.fontdb_mut();
        db.load_font_data(style::REGULAR.to_vec());
        db.load_font_data(style::BOLD.to_vec());
        let family = "DejaVu Sans";
        db.set_sans_serif_family(family);
        db.set_serif_family(family);
        db.set_monospace_family(family);
        db.set_cursive_family(family);
        db.set_fantasy_family(family);
        o
    })
}

/// Rasterize an SVG document (on white) at its own size.
pub fn rasterize(svg: &str) -> anyhow::Result<Rgb> {
    let tree = resvg::usvg::Tree::from_str(svg, svg_options())?;
    let size = tree.size().to_int_size();
    let (width, height) = (size.width(), size.height());
    let mut pixmap = resvg::tiny_skia::Pixmap::new(width, height)
        .ok_or_else(|| anyhow::anyhow!("an empty image ({width} x {height})"))?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::identity(),
        &mut pixmap.as_mut(),
    );
    // Opaque on white: premultiplied RGBA is plain RGBA.
    let pixels = pixmap
        .data()
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    Ok(Rgb {
        width,
        height,
        pixels,
    })
}

/// Encode an RGB8 buffer as PNG (deterministic: no timestamps).
pub fn encode_png(rgb: &[u8], w: u32, h: u32) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        let mut writer = enc.write_header()?;
        writer.write_image_data(rgb)?;
        writer.finish()?;
    }
    Ok(out)
}

/// Draw `text` anchored at `pos`, nudged down a little when centred (the
/// SVG's `dy = 0.5ex` sits slightly high for DejaVu Sans).
pub fn put<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle<'static>,
    h: HPos,
    v: VPos,
    pos: (i32, i32),
) -> DrawResult<DB> {
    let size = style.font.get_size();
    let k = match v {
        VPos::Center => 0.06,
        _ => 0.0,
    };
    area.draw_text(
        text,
        &style.clone().pos(Pos::new(h, v)),
        (pos.0, pos.1 + (k * size).round() as i32),
    )
}

/// Like [`put`], on a white box (so that lines behind do not cross the text).
pub fn put_boxed<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle<'static>,
    h: HPos,
    v: VPos,
    pos: (i32, i32),
) -> DrawResult<DB> {
    let w = text_width(text, style);
    let size = style.font.get_size() as i32;
    let x0 = match h {
        HPos::Left => pos.0,
        HPos::Center => pos.0 - w / 2,
        HPos::Right => pos.0 - w,
    };
    let y0 = match v {
        VPos::Top => pos.1,
        VPos::Center => pos.1 - size / 2,
        VPos::Bottom => pos.1 - size,
    };
    area.draw(&Rectangle::new(
        [(x0 - 6, y0 - 3), (x0 + w + 6, y0 + size + 3)],
        WHITE.filled(),
    ))?;
    put(area, text, style, h, v, pos)
}

/// Text style with an anchor.
pub fn anchored(style: TextStyle<'static>, h: HPos, v: VPos) -> TextStyle<'static> {
    style.pos(Pos::new(h, v))
}

/// Draw a title (bold) and a subtitle (muted) in the top-left corner;
/// returns the height they take.
pub fn title<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
) -> Result<i32, DrawingAreaErrorKind<DB::ErrorType>> {
    put(
        area,
        title,
        &style::bold(style::TITLE, INK),
        HPos::Left,
        VPos::Top,
        (LEFT, 22),
    )?;
    if !subtitle.is_empty() {
        put(
            area,
            subtitle,
            &style::text(style::SUBTITLE, MUTED),
            HPos::Left,
            VPos::Top,
            (LEFT, 74),
        )?;
        Ok(112)
    } else {
        Ok(78)
    }
}

/// The house style of a chart's mesh: light grid lines, grey axes, axis
/// descriptions at `desc` and tick labels at `tick` pixels.
pub trait HouseMesh {
    /// Apply the house style.
    fn house(&mut self, desc: f64, tick: f64) -> &mut Self;
}

impl<X, Y, DB> HouseMesh for plotters::chart::MeshStyle<'_, '_, X, Y, DB>
where
    X: plotters::coord::ranged1d::Ranged,
    Y: plotters::coord::ranged1d::Ranged,
    DB: DrawingBackend,
{
    fn house(&mut self, desc: f64, tick: f64) -> &mut Self {
        self.axis_desc_style(style::text(desc, INK))
            .label_style(style::text(tick, INK))
            .bold_line_style(style::GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(style::AXIS_LINE.stroke_width(2))
    }
}

/// "1 run", "32 runs".
pub fn runs(n: usize) -> String {
    if n == 1 {
        "1 run".into()
    } else {
        format!("{n} runs")
    }
}

/// Left margin of titles and plot areas.
pub const LEFT: i32 = 36;

/// Width in pixels of `text` drawn with `style` (estimated from the
/// embedded font's advances).
pub fn text_width(text: &str, style: &TextStyle<'_>) -> i32 {
    style
        .font
        .box_size(text)
        .map(|(w, _)| w as i32)
        .unwrap_or((text.chars().count() as f64 * style.font.get_size() * 0.55) as i32)
}

/// Segments of a dashed polyline between `a` and `b`.
pub fn dashes(a: (i32, i32), b: (i32, i32), dash: f64, gap: f64) -> Vec<[(i32, i32); 2]> {
    let (dx, dy) = (f64::from(b.0 - a.0), f64::from(b.1 - a.1));
    let len = (dx * dx + dy * dy).sqrt();
    if len == 0.0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut t = 0.0;
    while t < len {
        let u = (t + dash).min(len);
        let p = |s: f64| {
            (
                a.0 + (dx * s / len).round() as i32,
                a.1 + (dy * s / len).round() as i32,
            )
        };
        out.push([p(t), p(u)]);
        t = u + gap;
    }
    out
}

/// Draw a dashed line.
pub fn dashed_line<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    a: (i32, i32),
    b: (i32, i32),
    style: ShapeStyle,
    dash: f64,
    gap: f64,
) -> DrawResult<DB> {
    for [p, q] in dashes(a, b, dash, gap) {
        area.draw(&PathElement::new(vec![p, q], style))?;
    }
    Ok(())
}

/// Draw a filled arrow head at `tip`, pointing along the direction from
/// `from` to `tip`.
pub fn arrow_head<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    from: (f64, f64),
    tip: (f64, f64),
    size: f64,
    color: RGBColor,
) -> DrawResult<DB> {
    let (dx, dy) = (tip.0 - from.0, tip.1 - from.1);
    let len = (dx * dx + dy * dy).sqrt().max(1e-9);
    let (ux, uy) = (dx / len, dy / len);
    let base = (tip.0 - ux * size, tip.1 - uy * size);
    let half = size * 0.45;
    let pts = [
        (tip.0, tip.1),
        (base.0 - uy * half, base.1 + ux * half),
        (base.0 + uy * half, base.1 - ux * half),
    ];
    area.draw(&Polygon::new(
        pts.iter()
            .map(|&(x, y)| (x.round() as i32, y.round() as i32))
            .collect::<Vec<_>>(),
        color.filled(),
    ))
}

/// Draw a straight arrow from `a` to `b` (head at `b`).
pub fn arrow<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    a: (i32, i32),
    b: (i32, i32),
    width: u32,
    head: f64,
    color: RGBColor,
) -> DrawResult<DB> {
    let (fa, fb) = (
        (f64::from(a.0), f64::from(a.1)),
        (f64::from(b.0), f64::from(b.1)),
    );
    let (dx, dy) = (fb.0 - fa.0, fb.1 - fa.1);
    let len = (dx * dx + dy * dy).sqrt().max(1e-9);
    let end = (fb.0 - dx / len * head * 0.8, fb.1 - dy / len * head * 0.8);
    area.draw(&PathElement::new(
        vec![a, (end.0.round() as i32, end.1.round() as i32)],
        color.stroke_width(width),
    ))?;
    arrow_head(area, fa, fb, head, color)
}

/// A double-headed horizontal measuring arrow from x `a` to x `b` at `y`.
pub fn span_arrow<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    a: i32,
    b: i32,
    y: i32,
    color: RGBColor,
) -> DrawResult<DB> {
    let (lo, hi) = (a.min(b), a.max(b));
    let head = 14.0_f64.min(f64::from(hi - lo) / 2.5).max(4.0);
    area.draw(&PathElement::new(
        vec![(lo + head as i32 / 2, y), (hi - head as i32 / 2, y)],
        color.stroke_width(3),
    ))?;
    arrow_head(
        area,
        (f64::from(hi), f64::from(y)),
        (f64::from(lo), f64::from(y)),
        head,
        color,
    )?;
    arrow_head(
        area,
        (f64::from(lo), f64::from(y)),
        (f64::from(hi), f64::from(y)),
        head,
        color,
    )?;
    for x in [lo, hi] {
        area.draw(&PathElement::new(
            vec![(x, y - 12), (x, y + 12)],
            color.stroke_width(2),
        ))?;
    }
    Ok(())
}

/// Points of a quadratic Bézier curve from `a` to `b` with control `c`.
pub fn bezier(a: (f64, f64), c: (f64, f64), b: (f64, f64), n: usize) -> Vec<(f64, f64)> {
    (0..=n)
        .map(|i| {
            let t = i as f64 / n as f64;
            let u = 1.0 - t;
            (
                u * u * a.0 + 2.0 * u * t * c.0 + t * t * b.0,
                u * u * a.1 + 2.0 * u * t * c.1 + t * t * b.1,
            )
        })
        .collect()
}

/// A rectangle with rounded corners as a polygon.
pub fn rounded_rect(x0: i32, y0: i32, x1: i32, y1: i32, r: i32) -> Vec<(i32, i32)> {
    let r = r.min((x1 - x0) / 2).min((y1 - y0) / 2).max(0);
    let mut pts = Vec::new();
    let corners = [
        (x1 - r, y0 + r, -90.0),
        (x1 - r, y1 - r, 0.0),
        (x0 + r, y1 - r, 90.0),
        (x0 + r, y0 + r, 180.0),
    ];
    for (cx, cy, start) in corners {
        for k in 0..=6 {
            let a = (start + 15.0 * f64::from(k)).to_radians();
            pts.push((
                cx + (f64::from(r) * a.cos()).round() as i32,
                cy + (f64::from(r) * a.sin()).round() as i32,
            ));
        }
    }
    pts
}

/// A legend entry's symbol.
#[derive(Debug, Clone, Copy)]
pub enum Key {
    /// A line of this colour and width.
    Line(RGBColor, u32),
    /// A dashed line.
    Dashed(RGBColor, u32),
    /// A filled box.
    Box(RGBColor),
    /// A dot.
    Dot(RGBColor),
}

/// Draw a one-row legend ending at `right` (right-aligned), centred on `y`.
pub fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    items: &[(Key, String)],
    right: i32,
    y: i32,
) -> DrawResult<DB> {
    let st = style::text(style::NOTE, INK);
    let widths: Vec<i32> = items
        .iter()
        .map(|(_, t)| 44 + text_width(t, &st) + 28)
        .collect();
    let mut x = right - widths.iter().sum::<i32>() + 28;
    for ((key, label), w) in items.iter().zip(widths) {
        match *key {
            Key::Line(c, width) => area.draw(&PathElement::new(
                vec![(x, y), (x + 34, y)],
                c.stroke_width(width),
            ))?,
            Key::Dashed(c, width) => {
                dashed_line(area, (x, y), (x + 34, y), c.stroke_width(width), 7.0, 5.0)?
            }
            Key::Box(c) => {
                area.draw(&Rectangle::new([(x, y - 11), (x + 34, y + 11)], c.filled()))?
            }
            Key::Dot(c) => area.draw(&Circle::new((x + 17, y), 8, c.filled()))?,
        }
        put(area, label, &st, HPos::Left, VPos::Center, (x + 44, y))?;
        x += w;
    }
    Ok(())
}

/// Tick label for a time in years on an axis spanning `span` years.
pub fn year_label(v: f64, span: f64) -> String {
    let d = decimals(span);
    format!("{v:.d$}")
}

/// Decimals that tell apart about five ticks on an axis spanning `range`.
pub fn decimals(range: f64) -> usize {
    if !(range.is_finite() && range > 0.0) {
        return 1;
    }
    (-(range / 5.0).log10()).ceil().clamp(0.0, 4.0) as usize
}

/// Tick label of a 0–1 level on an axis reaching `max`.
pub fn level_label(v: f64, max: f64) -> String {
    let d = decimals(max).max(1);
    format!("{v:.d$}")
}

/// A tidy upper limit for an axis whose data reach `max`.
pub fn nice_max(max: f64) -> f64 {
    if max.is_nan() || max <= 0.0 {
        return 1.0;
    }
    let e = max.log10().floor() as i32;
    // Divide by a power of ten rather than multiply by 0.1…: 6 / 10 is 0.6 exactly.
    let at = |m: f64| {
        if e < 0 {
            m / 10f64.powi(-e)
        } else {
            m * 10f64.powi(e)
        }
    };
    for m in [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        if at(m) >= max * 1.0001 {
            return at(m);
        }
    }
    at(10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_limits() {
        assert_eq!(nice_max(0.59), 0.6);
        assert_eq!(nice_max(0.61), 0.8);
        assert_eq!(nice_max(512.0), 600.0);
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(year_label(5.0, 10.0), "5");
        assert_eq!(year_label(1.0, 5.98), "1");
        assert_eq!(year_label(0.5, 1.0), "0.5");
        assert_eq!(year_label(0.005, 0.02), "0.005");
        assert_eq!(level_label(0.2, 0.8), "0.2");
        assert_eq!(level_label(0.25, 0.25), "0.25");
    }

    #[test]
    fn dashes_cover_the_line() {
        let d = dashes((0, 0), (100, 0), 10.0, 5.0);
        assert_eq!(d.len(), 7);
        assert_eq!(d[0], [(0, 0), (10, 0)]);
        assert_eq!(d[6], [(90, 0), (100, 0)]);
        assert!(dashes((3, 3), (3, 3), 10.0, 5.0).is_empty());
    }

    #[test]
    fn bezier_ends_at_its_endpoints() {
        let p = bezier((0.0, 0.0), (5.0, 10.0), (10.0, 0.0), 10);
        assert_eq!(p[0], (0.0, 0.0));
        assert_eq!(p[10], (10.0, 0.0));
        assert_eq!(p[5], (5.0, 5.0));
    }

    #[test]
    fn png_encoding_is_deterministic_and_decodes() {
        let rgb: Vec<u8> = (0..4 * 3 * 3).map(|i| (i * 7) as u8).collect();
        let a = encode_png(&rgb, 4, 3).unwrap();
        assert_eq!(a, encode_png(&rgb, 4, 3).unwrap());
        let dec = png::Decoder::new(std::io::Cursor::new(a));
        let mut r = dec.read_info().unwrap();
        let mut buf = vec![0; r.output_buffer_size().expect("a small image")];
        let info = r.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (4, 3));
        assert_eq!(&buf[..rgb.len()], &rgb[..]);
    }
}

//! The look shared by every figure: the embedded DejaVu Sans font
//! (registered once with plotters' ab_glyph renderer, which measures text
//! for layout, and loaded into resvg's font database, which draws the PNG:
//! no system font library is needed), the Okabe–Ito colour-blind-safe palette, a viridis
//! colour map for heatmaps, the figure size and the text sizes. Sizes are
//! chosen for a 1600×900 slide: no text is smaller than 22 px (plotters'
//! size, ≈ 18 px em).

use plotters::style::{FontFamily, FontStyle, IntoFont, RGBColor, TextStyle};
use std::sync::OnceLock;

/// Width of every figure, in pixels.
pub const W: u32 = 1600;
/// Height of every figure, in pixels.
pub const H: u32 = 900;

/// The font family: the embedded DejaVu Sans for PNGs (resvg knows no other
/// font); SVG viewers get the same name with fallbacks.
pub const FONT: &str = "DejaVu Sans, Verdana, Arial, sans-serif";

/// Title size.
pub const TITLE: f64 = 44.0;
/// Subtitle size.
pub const SUBTITLE: f64 = 26.0;
/// Axis description size.
pub const AXIS: f64 = 28.0;
/// Tick label size.
pub const TICK: f64 = 24.0;
/// Annotation size.
pub const NOTE: f64 = 24.0;
/// The smallest text used (legends in small multiples, dense labels).
pub const SMALL: f64 = 22.0;

/// Okabe & Ito (2008) palette.
pub const BLACK: RGBColor = RGBColor(0, 0, 0);
/// Orange.
pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
/// Sky blue.
pub const SKY: RGBColor = RGBColor(86, 180, 233);
/// Bluish green.
pub const GREEN: RGBColor = RGBColor(0, 158, 115);
/// Yellow.
pub const YELLOW: RGBColor = RGBColor(240, 228, 66);
/// Blue.
pub const BLUE: RGBColor = RGBColor(0, 114, 178);
/// Vermillion.
pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
/// Reddish purple.
pub const PURPLE: RGBColor = RGBColor(204, 121, 167);

/// Text colour.
pub const INK: RGBColor = RGBColor(34, 34, 34);
/// Secondary text colour.
pub const MUTED: RGBColor = RGBColor(96, 96, 96);
/// Grid lines.
pub const GRID: RGBColor = RGBColor(228, 228, 228);
/// White, for lines drawn over heatmaps.
pub const WHITE_LINE: RGBColor = RGBColor(255, 255, 255);
/// Axis lines.
pub const AXIS_LINE: RGBColor = RGBColor(140, 140, 140);

/// Colours for series that are compared (runs in `compare`), in order.
pub const SERIES: [RGBColor; 7] = [BLUE, ORANGE, PURPLE, SKY, GREEN, VERMILLION, BLACK];

/// Colour of the n-th compared series.
pub fn series(n: usize) -> RGBColor {
    SERIES[n % SERIES.len()]
}

/// Mix `c` with white: `t` = 0 gives `c`, 1 gives white. Used instead of
/// transparency where overlapping fills must stay readable.
pub fn tint(c: RGBColor, t: f64) -> RGBColor {
    let m = |v: u8| (f64::from(v) + (255.0 - f64::from(v)) * t).round() as u8;
    RGBColor(m(c.0), m(c.1), m(c.2))
}

/// Viridis (van der Walt & Smith), sampled at nine points; perceptually
/// uniform and readable with every common colour-vision deficiency.
const VIRIDIS: [(u8, u8, u8); 9] = [
    (68, 1, 84),
    (71, 44, 122),
    (59, 81, 139),
    (44, 113, 142),
    (33, 144, 141),
    (39, 173, 129),
    (92, 200, 99),
    (170, 220, 50),
    (253, 231, 37),
];

/// Viridis colour of `v` in [0, 1] (clamped; NaN is grey).
pub fn viridis(v: f64) -> RGBColor {
    if v.is_nan() {
        return RGBColor(200, 200, 200);
    }
    let x = v.clamp(0.0, 1.0) * (VIRIDIS.len() - 1) as f64;
    let i = (x.floor() as usize).min(VIRIDIS.len() - 2);
    let t = x - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let l = |p: u8, q: u8| (f64::from(p) + (f64::from(q) - f64::from(p)) * t).round() as u8;
    RGBColor(l(a.0, b.0), l(a.1, b.1), l(a.2, b.2))
}

/// The embedded DejaVu Sans.
pub static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
/// The embedded DejaVu Sans Bold.
pub static BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

static FONTS: OnceLock<Result<(), String>> = OnceLock::new();

/// Register the embedded fonts with plotters (idempotent).
pub fn register_fonts() -> anyhow::Result<()> {
    FONTS
        .get_or_init(|| {
            plotters::style::register_font(FONT, FontStyle::Normal, REGULAR)
                .map_err(|_| "the embedded DejaVu Sans font is invalid".to_string())?;
            plotters::style::register_font(FONT, FontStyle::Bold, BOLD)
                .map_err(|_| "the embedded DejaVu Sans Bold font is invalid".to_string())
        })
        .clone()
        .map_err(anyhow::Error::msg)
}

/// Regular text of `size` in `color`.
pub fn text(size: f64, color: RGBColor) -> TextStyle<'static> {
    (FontFamily::Name(FONT), size).into_font().color(&color)
}

/// Bold text of `size` in `color`.
pub fn bold(size: f64, color: RGBColor) -> TextStyle<'static> {
    (FontFamily::Name(FONT), size, FontStyle::Bold)
        .into_font()
        .color(&color)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viridis_ends_and_middle() {
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
        assert_eq!(viridis(0.5), RGBColor(33, 144, 141));
        assert_eq!(viridis(-3.0), viridis(0.0));
    }

    #[test]
    fn tint_mixes_with_white() {
        assert_eq!(tint(BLUE, 0.0), BLUE);
        assert_eq!(tint(BLUE, 1.0), RGBColor(255, 255, 255));
        assert_eq!(tint(RGBColor(0, 100, 200), 0.5), RGBColor(128, 178, 228));
    }

    #[test]
    fn fonts_register() {
        register_fonts().unwrap();
        register_fonts().unwrap();
    }
}

//! The scenarios bundled in the binary (the files of `scenarios/`), so
//! `culturesim run NAME` and `culturesim list` work from any folder.

/// (name, text) of every bundled scenario, in the order `list` shows them.
pub const BUNDLED: &[(&str, &str)] = &[(
    "snow-in-the-sun",
    include_str!("../../scenarios/snow-in-the-sun.toml"),
)];

/// The text of a bundled scenario by name (with or without `.toml`).
pub fn get(name: &str) -> Option<&'static str> {
    let name = name.trim_end_matches(".toml");
    BUNDLED.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

//! The scenarios bundled in the binary (the files of `scenarios/`), so
//! `culturesim run NAME` and `culturesim list` work from any folder.

/// (name, text) of every bundled scenario, in the order `list` shows them.
pub const BUNDLED: &[(&str, &str)] = &[
    (
        "snow-in-the-sun",
        include_str!("../../../../scenarios/snow-in-the-sun.toml"),
    ),
    (
        "baseline",
        include_str!("../../../../scenarios/baseline.toml"),
    ),
    (
        "change-from-within",
        include_str!("../../../../scenarios/change-from-within.toml"),
    ),
    (
        "calibrate-example",
        include_str!("../../../../scenarios/calibrate-example.toml"),
    ),
    (
        "replaced-early",
        include_str!("../../../../scenarios/replaced-early.toml"),
    ),
    (
        "slow-erosion",
        include_str!("../../../../scenarios/slow-erosion.toml"),
    ),
    (
        "scope-team-leader",
        include_str!("../../../../scenarios/scope-team-leader.toml"),
    ),
    (
        "scope-division-head",
        include_str!("../../../../scenarios/scope-division-head.toml"),
    ),
    (
        "scope-top-manager",
        include_str!("../../../../scenarios/scope-top-manager.toml"),
    ),
    (
        "learnathon-committed",
        include_str!("../../../../scenarios/learnathon-committed.toml"),
    ),
    (
        "learnathon-uncommitted",
        include_str!("../../../../scenarios/learnathon-uncommitted.toml"),
    ),
    (
        "learnathon-none",
        include_str!("../../../../scenarios/learnathon-none.toml"),
    ),
    (
        "community-buffer",
        include_str!("../../../../scenarios/community-buffer.toml"),
    ),
    (
        "community-none",
        include_str!("../../../../scenarios/community-none.toml"),
    ),
    (
        "formalization-vs-turnover",
        include_str!("../../../../scenarios/formalization-vs-turnover.toml"),
    ),
    (
        "formalization-none",
        include_str!("../../../../scenarios/formalization-none.toml"),
    ),
    (
        "influencers-leave",
        include_str!("../../../../scenarios/influencers-leave.toml"),
    ),
    (
        "random-fifth-leaves",
        include_str!("../../../../scenarios/random-fifth-leaves.toml"),
    ),
    (
        "reorganization",
        include_str!("../../../../scenarios/reorganization.toml"),
    ),
    (
        "consultant-org-chart",
        include_str!("../../../../scenarios/consultant-org-chart.toml"),
    ),
    (
        "snow-in-the-sun-levers",
        include_str!("../../../../scenarios/snow-in-the-sun-levers.toml"),
    ),
    (
        "snow-in-the-sun-grid",
        include_str!("../../../../scenarios/snow-in-the-sun-grid.toml"),
    ),
    (
        "large-organization",
        include_str!("../../../../scenarios/large-organization.toml"),
    ),
    (
        "march1991-fig1",
        include_str!("../../../../scenarios/march1991-fig1.toml"),
    ),
    (
        "march1991-fig2",
        include_str!("../../../../scenarios/march1991-fig2.toml"),
    ),
    (
        "march1991-fig3",
        include_str!("../../../../scenarios/march1991-fig3.toml"),
    ),
    (
        "march1991-fig4",
        include_str!("../../../../scenarios/march1991-fig4.toml"),
    ),
    (
        "march1991-fig5",
        include_str!("../../../../scenarios/march1991-fig5.toml"),
    ),
];

/// Data files bundled with the scenarios (org charts), by file name.
pub const FILES: &[(&str, &str)] = &[(
    "example-org.csv",
    include_str!("../../../../scenarios/example-org.csv"),
)];

/// The text of a bundled data file by name.
pub fn get_file(name: &str) -> Option<&'static str> {
    FILES.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// The text of a bundled scenario by name (with or without `.toml`).
pub fn get(name: &str) -> Option<&'static str> {
    let name = name.trim_end_matches(".toml");
    BUNDLED.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

//! The unit tree of an organization as `culturesim org` prints it and the
//! live page's scope picker offers it: one row per unit, in depth-first
//! (team) order, with the leaders an org chart names.

use super::{Chart, Org};
use serde::Serialize;

/// One unit of a [`Listing`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitRow {
    /// Unit number (breadth first; the top is 0).
    pub id: u32,
    /// Name: a path (`u1.2`) for a generated organization, the chart's id or
    /// team name for an org chart.
    pub name: String,
    /// How an event's `scope` names it: `top`, `unit:NAME` or `team:NAME`.
    pub scope: String,
    /// The parent's name (none for the top).
    pub parent: Option<String>,
    /// Depth below the top (the top is 0).
    pub depth: u16,
    /// Whether it is a team (a leaf).
    pub team: bool,
    /// Teams under it (1 for a team).
    pub teams: u32,
    /// Positions under it.
    pub headcount: usize,
    /// Its division: the unit below the top it belongs to (the top's own name
    /// for the top).
    pub division: String,
    /// Who leads it, when the org chart names them (its id).
    pub leader: Option<String>,
    /// The leader's alignment as the org chart gives it.
    pub alignment: Option<f32>,
    /// The leader's commitment as the org chart gives it.
    pub commitment: Option<f32>,
}

/// The unit tree of an organization: what `culturesim org` prints and the
/// live page's scope picker offers. Rows are in depth-first order (a unit,
/// then everything under it), which is also team order.
#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    /// `generated` or `chart`.
    pub source: &'static str,
    /// Employee positions.
    pub employees: usize,
    /// Teams.
    pub teams: usize,
    /// Units, teams included.
    pub units: usize,
    /// Levels from the top to the deepest team, both included.
    pub levels: usize,
    /// Units by the level they lead (index 0: the top).
    pub per_level: Vec<usize>,
    /// Every unit.
    pub rows: Vec<UnitRow>,
}

impl Listing {
    /// The listing of `org`, with the leaders an org chart names.
    pub fn of(org: &Org, chart: Option<&Chart>) -> Self {
        Self::down_to(org, chart, usize::MAX)
    }

    /// The listing of the units down to `depth` (0: the top only); the
    /// totals still count every unit.
    pub fn down_to(org: &Org, chart: Option<&Chart>, depth: usize) -> Self {
        let n = org.units();
        // Children in order, then a depth-first walk with an explicit stack.
        let mut children: Vec<Vec<u32>> = vec![Vec::new(); n];
        for u in 1..n {
            children[org.unit_parent[u] as usize].push(u as u32);
        }
        let mut rows = Vec::new();
        let mut stack = vec![0u32];
        while let Some(u) = stack.pop() {
            let u = u as usize;
            let d = org.unit_depth[u];
            if d as usize > depth {
                continue;
            }
            let team = org.is_team(u);
            let (lo, hi) = org.unit_teams[u];
            let node = org.unit_node[u] as usize;
            let leader = chart.and_then(|c| c.nodes[node].leader.clone());
            let (alignment, commitment) = chart.map_or((None, None), |c| c.leader_traits[node]);
            let name = org.unit_name[u].clone();
            rows.push(UnitRow {
                id: u as u32,
                scope: if u == 0 {
                    "top".into()
                } else if team {
                    format!("team:{name}")
                } else {
                    format!("unit:{name}")
                },
                name,
                parent: (u > 0).then(|| org.unit_name[org.unit_parent[u] as usize].clone()),
                depth: d,
                team,
                teams: hi - lo,
                headcount: org.headcount(u),
                division: org.unit_name[org.division(u)].clone(),
                leader,
                alignment,
                commitment,
            });
            stack.extend(children[u].iter().rev());
        }
        let mut per_level = vec![0usize; org.levels()];
        for &d in &org.unit_depth {
            per_level[d as usize] += 1;
        }
        Self {
            source: if chart.is_some() {
                "chart"
            } else {
                "generated"
            },
            employees: org.slots(),
            teams: org.teams(),
            units: n,
            levels: org.levels(),
            per_level,
            rows,
        }
    }

    /// The listing as an indented table (one line per unit).
    pub fn text(&self) -> String {
        use std::fmt::Write as _;
        /// Deeper units are indented no further (the depth column tells).
        const MAX_INDENT: usize = 12;
        let chart = self.source == "chart";
        let width = self
            .rows
            .iter()
            .map(|r| 2 * (r.depth as usize).min(MAX_INDENT) + r.name.chars().count())
            .chain([4])
            .max()
            .unwrap_or(4);
        let scope_w = self
            .rows
            .iter()
            .map(|r| r.scope.chars().count())
            .chain([5])
            .max()
            .unwrap_or(5);
        let mut out = String::new();
        let _ = write!(
            out,
            "{:width$}  {:scope_w$}  {:>5}  {:>6}  {:>9}",
            "unit", "scope", "depth", "teams", "headcount"
        );
        if chart {
            out.push_str("  leader");
        }
        out.push('\n');
        for r in &self.rows {
            let indent = 2 * (r.depth as usize).min(MAX_INDENT);
            let name = format!("{:indent$}{}", "", r.name);
            let _ = write!(
                out,
                "{name:width$}  {:scope_w$}  {:>5}  {:>6}  {:>9}",
                r.scope, r.depth, r.teams, r.headcount
            );
            if chart {
                if let Some(l) = &r.leader {
                    let _ = write!(out, "  {l}");
                }
                let given: Vec<String> = [("alignment", r.alignment), ("commitment", r.commitment)]
                    .iter()
                    .filter_map(|(k, v)| v.map(|v| format!("{k} {v}")))
                    .collect();
                if !given.is_empty() {
                    let _ = write!(out, " ({})", given.join(", "));
                }
            }
            // No trailing blanks.
            let trimmed = out.trim_end_matches(' ').len();
            out.truncate(trimmed);
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_walks_the_tree_in_team_order() {
        let org = Org::from_team_sizes(&[3, 2, 4, 1, 5, 2, 3], 3);
        let l = Listing::of(&org, None);
        assert_eq!((l.units, l.teams, l.employees, l.levels), (11, 7, 20, 3));
        assert_eq!(l.per_level, vec![1, 3, 7]);
        let names: Vec<&str> = l.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names[..5], ["top", "u1", "u1.1", "u1.2", "u1.3"]);
        assert_eq!(l.rows[1].scope, "unit:u1");
        assert_eq!(l.rows[2].scope, "team:u1.1");
        assert_eq!((l.rows[1].teams, l.rows[1].headcount), (3, 9));
        assert_eq!(l.rows[3].division, "u1");
        assert_eq!(l.rows[3].parent.as_deref(), Some("u1"));
        let text = l.text();
        assert_eq!(text.lines().count(), 12);
        assert!(text.lines().nth(2).unwrap().starts_with("  u1 "), "{text}");
        assert_eq!(Listing::down_to(&org, None, 1).rows.len(), 4);
    }
}

//! The organization's structure: a tree of units whose leaves are teams.
//!
//! Units are numbered top-down (breadth first, the top is unit 0, a parent
//! always has a smaller number than its children); each unit has one
//! leader. Teams are the leaf units, numbered in depth-first order, so the
//! teams under any unit form a contiguous range and the employees of a team
//! occupy a contiguous range of slots (`team_start[t]..team_start[t+1]`).
//! Names are paths: `top`, `u2`, `u2.3`, `u2.3.1`. A generated tree is
//! balanced (siblings differ by at most one team); every walk over a tree
//! is iterative, so no depth can overflow the stack. [`Listing`] is the
//! unit tree as `culturesim org` and the live page show it.

use crate::dist::Dist;
use crate::engine::Stream;
use crate::validate::Problems;

mod listing;

pub use listing::{Listing, UnitRow};

/// Marks the top unit's missing parent.
pub const NO_PARENT: u32 = u32::MAX;

/// How to generate an organization.
#[derive(Debug, Clone)]
pub struct OrgSpec {
    /// Total number of employee positions (slots).
    pub employees: u32,
    /// Team size distribution (rounded, at least 1).
    pub team_size: Dist,
    /// Number of sub-units per unit (at least 2).
    pub span: u32,
    /// Levels from the top to the teams, inclusive (overrides `span`).
    pub levels: Option<u32>,
}

/// One node of an explicit organization tree (see [`Org::from_tree`]).
#[derive(Debug, Clone)]
pub struct TreeNode {
    /// Unit name; a path name (`u1.2`) when absent.
    pub name: Option<String>,
    /// Child nodes (empty for a team).
    pub children: Vec<usize>,
    /// Slots of a team (ignored for other units).
    pub size: u32,
    /// Who leads it, when the source names people (an org chart's id).
    pub leader: Option<String>,
}

/// An organization read from an org chart: the tree, plus the traits the
/// chart gives for particular people (the rest are drawn as usual).
#[derive(Debug, Clone)]
pub struct Chart {
    /// Tree nodes; leaves are teams.
    pub nodes: Vec<TreeNode>,
    /// The root node.
    pub root: usize,
    /// Per node: (alignment, commitment) of its leader, where given.
    pub leader_traits: Vec<(Option<f32>, Option<f32>)>,
    /// Per team leaf (in the order the leaves' members are listed): for each
    /// member, (mastery, belief, knowledge, influence) where given.
    pub member_traits: Vec<Vec<[Option<f32>; 4]>>,
}

/// How the organization comes about.
#[derive(Debug, Clone)]
pub enum OrgSource {
    /// Generated from sizes and spans.
    Generated(OrgSpec),
    /// Read from an org chart.
    Chart(Chart),
}

/// The generated structure (shared by every replicate of a run).
#[derive(Debug, Clone)]
pub struct Org {
    /// Parent of each unit ([`NO_PARENT`] for the top).
    pub unit_parent: Vec<u32>,
    /// Depth of each unit (top = 0).
    pub unit_depth: Vec<u16>,
    /// Range of teams under each unit.
    pub unit_teams: Vec<(u32, u32)>,
    /// Range of units that report to each unit (breadth-first numbering
    /// gives a unit's reports consecutive numbers; empty for a team).
    pub unit_children: Vec<(u32, u32)>,
    /// The units at depth `d` are `level_start[d]..level_start[d + 1]`
    /// (breadth first, depth never decreases with the number).
    pub level_start: Vec<u32>,
    /// Name (path) of each unit.
    pub unit_name: Vec<String>,
    /// The unit that each team is.
    pub team_unit: Vec<u32>,
    /// Slot ranges: team `t` owns `team_start[t]..team_start[t + 1]`.
    pub team_start: Vec<u32>,
    /// Ranges of teams processed together in parallel.
    pub blocks: Vec<(u32, u32)>,
    /// The tree node each unit was built from (see [`Org::from_tree`]).
    pub unit_node: Vec<u32>,
}

/// Slots per parallel block: large enough to amortize scheduling, small
/// enough to spread a run over the cores.
const BLOCK_SLOTS: u32 = 4096;

/// The most levels (top and teams included) an organization of `teams`
/// teams can have: with span 2 every level halves the teams, so
/// `1 + ceil(log2(teams))`, and never fewer than 2 (the top and the teams).
pub fn max_levels(teams: usize) -> u32 {
    if teams <= 2 {
        2
    } else {
        1 + (usize::BITS - (teams - 1).leading_zeros())
    }
}

/// The smallest span that puts `teams` teams under a tree of at most
/// `levels` levels (top and teams included): span^(levels − 1) ≥ teams.
/// Closed form (a root, corrected by integer powers), so any `levels`
/// returns at once.
pub fn span_for_levels(teams: usize, levels: u32) -> u32 {
    if levels < 2 || teams <= 1 {
        return 2.max(teams.min(u32::MAX as usize) as u32);
    }
    let below = levels - 1;
    // s^below >= teams, counting an overflow as "enough".
    let fits = |s: u64| s.checked_pow(below).is_none_or(|p| p >= teams as u64);
    let mut s = ((teams as f64).powf(1.0 / f64::from(below)).ceil() as u64).max(2);
    while s > 2 && fits(s - 1) {
        s -= 1;
    }
    while !fits(s) {
        s += 1;
    }
    s.min(u64::from(u32::MAX)) as u32
}

impl OrgSpec {
    /// Check what can be checked before generating: `org.levels` cannot
    /// exceed what `org.employees` positions allow (one-person teams under
    /// span 2).
    pub fn check(&self, problems: &mut Problems) {
        if let Some(l) = self.levels {
            let max = max_levels(self.employees.max(1) as usize);
            if l > max {
                problems.push(
                    "org.levels",
                    format!(
                        "must be at most {max} for org.employees = {} (even one-person teams under span 2 fill only {max} levels, the top and the teams included), got {l}",
                        self.employees
                    ),
                );
            }
        }
    }

    /// Check what needs the drawn team sizes: `org.levels` cannot exceed
    /// what the number of teams allows ([`max_levels`]).
    pub fn check_teams(&self, teams: usize, problems: &mut Problems) {
        if let Some(l) = self.levels {
            let max = max_levels(teams);
            if l > max {
                problems.push(
                    "org.levels",
                    format!(
                        "must be at most {max} here: org.employees = {} in teams drawn from org.team_size gives {teams} teams, which fill at most {max} levels (the top and the teams included, span 2), got {l}",
                        self.employees
                    ),
                );
            }
        }
    }
}

/// Build the organization of `source` (generated with the structural
/// stream `rng`), or record why it cannot be built.
pub fn build(source: &OrgSource, rng: &mut Stream, problems: &mut Problems) -> Option<Org> {
    match source {
        OrgSource::Generated(spec) => {
            let before = problems.0.len();
            spec.check(problems);
            if problems.0.len() > before {
                return None;
            }
            let sizes = Org::team_sizes(spec, rng);
            spec.check_teams(sizes.len(), problems);
            if problems.0.len() > before {
                return None;
            }
            Some(Org::from_team_sizes(
                &sizes,
                Org::span_of(spec, sizes.len()),
            ))
        }
        OrgSource::Chart(chart) => Some(Org::from_tree(&chart.nodes, chart.root)),
    }
}

impl Org {
    /// Generate an organization from `spec` with the structural stream `rng`
    /// (unchecked: see [`build`]).
    pub fn generate(spec: &OrgSpec, rng: &mut Stream) -> Self {
        let sizes = Self::team_sizes(spec, rng);
        Self::from_team_sizes(&sizes, Self::span_of(spec, sizes.len()))
    }

    /// Team sizes drawn from `spec.team_size` (rounded, at least 1, the last
    /// one cut so that they add up to `spec.employees`).
    fn team_sizes(spec: &OrgSpec, rng: &mut Stream) -> Vec<u32> {
        let n = spec.employees.max(1);
        let mut sizes = Vec::new();
        let mut total = 0u32;
        while total < n {
            let s = spec
                .team_size
                .sample(rng)
                .round()
                .max(1.0)
                .min(f64::from(n - total)) as u32;
            sizes.push(s);
            total += s;
        }
        sizes
    }

    /// The span a spec asks for, given the number of teams.
    fn span_of(spec: &OrgSpec, teams: usize) -> u32 {
        match spec.levels {
            Some(l) => span_for_levels(teams, l),
            None => spec.span.max(2),
        }
    }

    /// Build a balanced tree over teams of the given sizes (in this order),
    /// at most `span` children per unit. Top-down: a unit over `n` teams
    /// has `min(span, n)` children, which split its teams as evenly as
    /// possible (the first `n mod k` get one more), so sibling subtrees
    /// differ by at most one team, teams sit at depth `ceil(log_span(teams))`
    /// or one above it, and each unit's teams stay contiguous.
    pub fn from_team_sizes(sizes: &[u32], span: u32) -> Self {
        let span = span.max(2) as usize;
        let leaf = |size: u32| TreeNode {
            name: None,
            children: Vec::new(),
            size,
            leader: None,
        };
        let mut nodes = vec![leaf(sizes.first().copied().unwrap_or(0))];
        let mut ranges = vec![(0usize, sizes.len())];
        // Breadth first over a growing list: node i covers teams ranges[i].
        let mut i = 0;
        while i < nodes.len() {
            let (lo, hi) = ranges[i];
            let n = hi - lo;
            if n <= 1 {
                nodes[i].size = sizes.get(lo).copied().unwrap_or(0);
            } else {
                let k = n.min(span);
                let (q, r) = (n / k, n % k);
                let mut a = lo;
                let mut children = Vec::with_capacity(k);
                for j in 0..k {
                    let b = a + q + usize::from(j < r);
                    children.push(nodes.len());
                    nodes.push(leaf(0));
                    ranges.push((a, b));
                    a = b;
                }
                nodes[i].children = children;
            }
            i += 1;
        }
        Self::from_tree(&nodes, 0)
    }

    /// Build from an explicit tree. Leaves (nodes without children) are
    /// teams of `size` slots; units are numbered breadth first from `root`,
    /// teams depth first (left to right). Unnamed nodes get path names
    /// (`top`, `u1`, `u1.2`).
    pub fn from_tree(nodes: &[TreeNode], root: usize) -> Self {
        // Depth-first: team order and each node's team range.
        let mut team_node = Vec::new();
        let mut range = vec![(0u32, 0u32); nodes.len()];
        let mut stack = vec![(root, false)];
        while let Some((n, done)) = stack.pop() {
            if done {
                let ch = &nodes[n].children;
                range[n] = (range[ch[0]].0, range[*ch.last().expect("non-empty")].1);
                continue;
            }
            if nodes[n].children.is_empty() {
                let t = team_node.len() as u32;
                team_node.push(n);
                range[n] = (t, t + 1);
            } else {
                stack.push((n, true));
                for &c in nodes[n].children.iter().rev() {
                    stack.push((c, false));
                }
            }
        }
        // Breadth-first numbering of units.
        let total = nodes.len();
        let mut unit_parent = Vec::with_capacity(total);
        let mut unit_depth = Vec::with_capacity(total);
        let mut unit_name: Vec<String> = Vec::with_capacity(total);
        let mut unit_teams = Vec::with_capacity(total);
        let mut unit_children = Vec::with_capacity(total);
        let mut node_of_unit = Vec::with_capacity(total);
        let mut unit_of_node = vec![u32::MAX; nodes.len()];
        unit_parent.push(NO_PARENT);
        unit_depth.push(0u16);
        unit_name.push(nodes[root].name.clone().unwrap_or_else(|| "top".into()));
        unit_teams.push(range[root]);
        node_of_unit.push(root);
        unit_of_node[root] = 0;
        let mut head = 0;
        while head < node_of_unit.len() {
            let node = node_of_unit[head];
            let first = unit_parent.len() as u32;
            unit_children.push((first, first + nodes[node].children.len() as u32));
            for (i, &child) in nodes[node].children.iter().enumerate() {
                let name = nodes[child].name.clone().unwrap_or_else(|| {
                    if head == 0 {
                        format!("u{}", i + 1)
                    } else {
                        format!("{}.{}", unit_name[head], i + 1)
                    }
                });
                unit_of_node[child] = unit_parent.len() as u32;
                unit_parent.push(head as u32);
                unit_depth.push(unit_depth[head] + 1);
                unit_name.push(name);
                unit_teams.push(range[child]);
                node_of_unit.push(child);
            }
            head += 1;
        }
        let mut level_start = vec![0u32];
        for (u, w) in unit_depth.windows(2).enumerate() {
            if w[1] != w[0] {
                level_start.push(u as u32 + 1);
            }
        }
        level_start.push(unit_depth.len() as u32);
        let team_unit: Vec<u32> = team_node.iter().map(|&n| unit_of_node[n]).collect();
        let mut team_start = Vec::with_capacity(team_node.len() + 1);
        let mut acc = 0u32;
        team_start.push(0);
        for &n in &team_node {
            acc += nodes[n].size;
            team_start.push(acc);
        }
        let teams = team_node.len();
        let mut blocks = Vec::new();
        let mut first = 0u32;
        for t in 0..teams as u32 {
            if team_start[t as usize + 1] - team_start[first as usize] >= BLOCK_SLOTS {
                blocks.push((first, t + 1));
                first = t + 1;
            }
        }
        if first < teams as u32 {
            blocks.push((first, teams as u32));
        }
        Self {
            unit_parent,
            unit_depth,
            unit_teams,
            unit_children,
            level_start,
            unit_name,
            team_unit,
            team_start,
            blocks,
            unit_node: node_of_unit.iter().map(|&n| n as u32).collect(),
        }
    }

    /// The units of each depth, from the top down: `level_start` as
    /// ranges (reverse it to go from the deepest up).
    pub fn level_units(&self) -> impl DoubleEndedIterator<Item = std::ops::Range<usize>> + '_ {
        self.level_start
            .windows(2)
            .map(|w| w[0] as usize..w[1] as usize)
    }

    /// Number of units (and leaders).
    pub fn units(&self) -> usize {
        self.unit_parent.len()
    }

    /// Number of teams.
    pub fn teams(&self) -> usize {
        self.team_unit.len()
    }

    /// Number of employee slots.
    pub fn slots(&self) -> usize {
        *self.team_start.last().unwrap_or(&0) as usize
    }

    /// Slot range of team `t`.
    pub fn team_slots(&self, t: usize) -> std::ops::Range<usize> {
        self.team_start[t] as usize..self.team_start[t + 1] as usize
    }

    /// Whether unit `u` is a team (a leaf).
    pub fn is_team(&self, u: usize) -> bool {
        let (lo, hi) = self.unit_teams[u];
        hi == lo + 1 && self.team_unit[lo as usize] as usize == u
    }

    /// Units to report local culture for: the teams if there are at most
    /// `max`, otherwise the deepest cut of the tree with at most `max`
    /// units — the units at some depth plus the teams above that depth (an
    /// org chart's teams can sit at any depth, such as a team that reports
    /// to the top). Returned in left-to-right order: their team ranges are
    /// contiguous, disjoint and cover every team.
    pub fn report_units(&self, max: usize) -> Vec<u32> {
        if self.teams() <= max {
            return self.team_unit.clone();
        }
        let deepest = self.unit_depth.iter().copied().max().unwrap_or(0) as usize;
        // Units at each depth, and teams at each depth.
        let mut at = vec![0usize; deepest + 1];
        let mut teams_at = vec![0usize; deepest + 1];
        for u in 0..self.units() {
            at[self.unit_depth[u] as usize] += 1;
        }
        for &u in &self.team_unit {
            teams_at[self.unit_depth[u as usize] as usize] += 1;
        }
        let mut above = vec![0usize; deepest + 1];
        for d in 1..=deepest {
            above[d] = above[d - 1] + teams_at[d - 1];
        }
        let Some(depth) = (0..=deepest).rev().find(|&d| at[d] + above[d] <= max) else {
            return vec![0];
        };
        let mut cut: Vec<u32> = (0..self.units() as u32)
            .filter(|&u| {
                let d = self.unit_depth[u as usize] as usize;
                d == depth || (d < depth && self.is_team(u as usize))
            })
            .collect();
        cut.sort_by_key(|&u| self.unit_teams[u as usize].0);
        cut
    }

    /// The division unit `u` belongs to: its ancestor just below the top
    /// (itself at depth 1; the top for the top).
    pub fn division(&self, u: usize) -> usize {
        let mut u = u;
        while self.unit_depth[u] > 1 {
            u = self.unit_parent[u] as usize;
        }
        u
    }

    /// Positions (slots) under unit `u`.
    pub fn headcount(&self, u: usize) -> usize {
        let (lo, hi) = self.unit_teams[u];
        (self.team_start[hi as usize] - self.team_start[lo as usize]) as usize
    }

    /// Levels from the top to the deepest team, both included.
    pub fn levels(&self) -> usize {
        self.level_start.len() - 1
    }

    /// Find a unit by name.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.unit_name.iter().position(|n| n == name)
    }

    /// For a name [`Org::find`] does not know: "; did you mean 'u1'?" with
    /// the closest unit's name, or nothing.
    pub fn did_you_mean(&self, name: &str) -> String {
        crate::validate::closest(name, &self.unit_name)
            .map_or(String::new(), |s| format!("; did you mean '{s}'?"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn reports_and_levels_are_consecutive_ranges() {
        // An uneven tree: span 3 over 23 teams (levels of 1, 3, 8, 23).
        let org = Org::from_team_sizes(&[2; 23], 3);
        let mut seen = vec![0u32; org.units()];
        for u in 0..org.units() {
            let (c0, c1) = org.unit_children[u];
            assert_eq!(c0 == c1, org.is_team(u), "unit {u}: a leaf is a team");
            for c in c0..c1 {
                assert_eq!(org.unit_parent[c as usize] as usize, u);
                seen[c as usize] += 1;
            }
        }
        // Every unit but the top is exactly one unit's report.
        assert_eq!(seen[0], 0);
        assert!(seen[1..].iter().all(|&k| k == 1));
        let ls = &org.level_start;
        assert_eq!((ls[0], *ls.last().unwrap()), (0, org.units() as u32));
        for d in 0..ls.len() - 1 {
            assert!(ls[d] < ls[d + 1], "level {d} is not empty");
            for u in ls[d]..ls[d + 1] {
                assert_eq!(org.unit_depth[u as usize] as usize, d);
            }
        }
    }

    #[test]
    fn tree_over_seven_teams() {
        let org = Org::from_team_sizes(&[3, 2, 4, 1, 5, 2, 3], 3);
        // 7 teams -> 3 groups -> 1 top: 11 units.
        assert_eq!(org.units(), 11);
        assert_eq!(org.teams(), 7);
        assert_eq!(org.slots(), 20);
        assert_eq!(org.unit_parent[0], NO_PARENT);
        assert_eq!(org.unit_teams[0], (0, 7));
        for u in 1..org.units() {
            assert!((org.unit_parent[u] as usize) < u);
        }
        // first division holds teams 0..3 and is named u1
        let u1 = org.find("u1").unwrap();
        assert_eq!(org.unit_teams[u1], (0, 3));
        assert!(org.is_team(org.find("u1.2").unwrap()));
        assert_eq!(org.team_slots(2), 5..9);
        assert_eq!(org.unit_name[org.team_unit[2] as usize], "u1.3");
    }

    #[test]
    fn report_units_are_teams_or_a_coarser_level() {
        let org = Org::from_team_sizes(&[3, 2, 4, 1, 5, 2, 3], 3);
        let teams: Vec<u32> = org.team_unit.clone();
        assert_eq!(org.report_units(10), teams);
        let coarse = org.report_units(3);
        assert_eq!(coarse.len(), 3);
        assert_eq!(org.unit_teams[coarse[0] as usize], (0, 3));
        assert_eq!(org.report_units(1), vec![0]);
    }

    #[test]
    fn levels_choose_the_span() {
        // 63 teams in 4 levels: 4^3 = 64 >= 63 -> span 4
        assert_eq!(span_for_levels(63, 4), 4);
        assert_eq!(span_for_levels(64, 3), 8);
        let org = Org::from_team_sizes(&[2; 63], span_for_levels(63, 4));
        let depth = org.unit_depth.iter().max().copied().unwrap();
        assert_eq!(depth, 3);
    }

    #[test]
    fn single_team_is_the_top() {
        let org = Org::from_team_sizes(&[10], 4);
        assert_eq!(org.units(), 1);
        assert!(org.is_team(0));
        assert_eq!(org.blocks, vec![(0, 1)]);
    }
    /// Teams under each child of `u`.
    fn child_teams(org: &Org, u: usize) -> Vec<u32> {
        (0..org.units())
            .filter(|&c| c > 0 && org.unit_parent[c] as usize == u)
            .map(|c| org.unit_teams[c].1 - org.unit_teams[c].0)
            .collect()
    }

    #[test]
    fn generated_trees_are_balanced() {
        // The 2,000 people: 259 teams under span 5 used to give
        // divisions of 125, 125 and 9 teams.
        let org = Org::from_team_sizes(&[8; 259], 5);
        assert_eq!(child_teams(&org, 0), vec![52, 52, 52, 52, 51]);
        for teams in [1usize, 2, 5, 6, 7, 26, 65, 259, 1000] {
            for span in [2u32, 3, 5, 8] {
                let org = Org::from_team_sizes(&vec![3; teams], span);
                assert_eq!(org.teams(), teams);
                assert_eq!(org.slots(), 3 * teams);
                let deepest = org.levels() - 1;
                // ceil(log_span(teams)) levels below the top
                let want = (0..).find(|&d| (span as usize).pow(d) >= teams).unwrap() as usize;
                assert_eq!(deepest, want, "{teams} teams, span {span}");
                for u in 0..org.units() {
                    let c = child_teams(&org, u);
                    assert!(c.len() <= span as usize);
                    if let (Some(lo), Some(hi)) = (c.iter().min(), c.iter().max()) {
                        assert!(
                            hi - lo <= 1,
                            "siblings under {} hold {c:?}",
                            org.unit_name[u]
                        );
                        assert_eq!(
                            c.iter().sum::<u32>(),
                            org.unit_teams[u].1 - org.unit_teams[u].0
                        );
                    }
                    // children's team ranges tile the parent's, in order
                    let mut at = org.unit_teams[u].0;
                    for ch in (1..org.units()).filter(|&ch| org.unit_parent[ch] as usize == u) {
                        assert_eq!(org.unit_teams[ch].0, at);
                        at = org.unit_teams[ch].1;
                    }
                }
                for &t in &org.team_unit {
                    let d = org.unit_depth[t as usize] as usize;
                    assert!(
                        d + 1 >= deepest && d <= deepest,
                        "team depth {d} of {deepest}"
                    );
                }
            }
        }
    }

    #[test]
    fn names_are_paths() {
        let org = Org::from_team_sizes(&[2; 10], 3);
        // 10 teams, span 3: 4 + 3 + 3, the first division 2 + 1 + 1
        assert_eq!(child_teams(&org, 0), vec![4, 3, 3]);
        let names: Vec<&str> = org
            .team_unit
            .iter()
            .map(|&u| org.unit_name[u as usize].as_str())
            .collect();
        assert_eq!(
            names,
            [
                "u1.1.1", "u1.1.2", "u1.2", "u1.3", "u2.1", "u2.2", "u2.3", "u3.1", "u3.2", "u3.3"
            ]
        );
        assert_eq!(
            org.division(org.find("u1.1.2").unwrap()),
            org.find("u1").unwrap()
        );
        assert_eq!(org.division(0), 0);
        // a cut through mixed depths: u1.1, the teams u1.2 and u1.3, the divisions
        let cut = org.report_units(9);
        let cut: Vec<&str> = cut
            .iter()
            .map(|&u| org.unit_name[u as usize].as_str())
            .collect();
        assert_eq!(
            cut,
            [
                "u1.1", "u1.2", "u1.3", "u2.1", "u2.2", "u2.3", "u3.1", "u3.2", "u3.3"
            ]
        );
        let cut = org.report_units(5);
        assert_eq!(cut.len(), 3);
    }

    #[test]
    fn levels_span_is_closed_form() {
        for teams in [2usize, 3, 63, 64, 65, 1000, 125_000, 4_000_000_000] {
            for levels in [2u32, 3, 4, 7, 33, 64, 65, 1000, u32::MAX] {
                let s = span_for_levels(teams, levels);
                let fits = |s: u64| s.checked_pow(levels - 1).is_none_or(|p| p >= teams as u64);
                assert!(fits(u64::from(s)), "{teams} teams, {levels} levels: {s}");
                assert!(s == 2 || !fits(u64::from(s) - 1), "{teams} {levels} {s}");
            }
        }
        assert_eq!(span_for_levels(1000, u32::MAX), 2);
        assert_eq!(span_for_levels(4_000_000_000, 2), 4_000_000_000);
        assert_eq!(max_levels(1), 2);
        assert_eq!(max_levels(2), 2);
        assert_eq!(max_levels(3), 3);
        assert_eq!(max_levels(65), 8);
        assert_eq!(max_levels(64), 7);
    }

    #[test]
    fn levels_beyond_the_teams_are_problems() {
        let spec = |levels| OrgSpec {
            employees: 500,
            team_size: Dist::Constant(8.0),
            span: 5,
            levels: Some(levels),
        };
        let mut p = Problems::default();
        spec(u32::MAX).check(&mut p);
        assert_eq!(p.0.len(), 1);
        assert_eq!(p.0[0].path, "org.levels");
        assert!(
            p.0[0]
                .message
                .starts_with("must be at most 10 for org.employees = 500"),
            "{}",
            p.0[0].message
        );
        assert!(
            p.0[0].message.ends_with("got 4294967295"),
            "{}",
            p.0[0].message
        );
        // 500 / 8 -> 63 teams: at most 7 levels
        let mut rng = Stream::seed_from_u64(3);
        let mut p = Problems::default();
        assert!(build(&OrgSource::Generated(spec(8)), &mut rng, &mut p).is_none());
        assert!(
            p.0[0]
                .message
                .contains("gives 63 teams, which fill at most 7 levels"),
            "{}",
            p.0[0].message
        );
        let mut p = Problems::default();
        let org = build(&OrgSource::Generated(spec(7)), &mut rng, &mut p).unwrap();
        assert!(p.is_empty());
        assert_eq!(org.levels(), 7);
    }
}

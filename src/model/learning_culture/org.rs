//! The organization's structure: a tree of units whose leaves are teams.
//!
//! Units are numbered top-down (breadth first, the top is unit 0, a parent
//! always has a smaller number than its children); each unit has one
//! leader. Teams are the leaf units, numbered in depth-first order, so the
//! teams under any unit form a contiguous range and the employees of a team
//! occupy a contiguous range of slots (`team_start[t]..team_start[t+1]`).
//! Names are paths: `top`, `u2`, `u2.3`, `u2.3.1`.

use crate::dist::Dist;
use crate::engine::Stream;

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

/// The smallest span that puts `teams` teams under a tree of at most
/// `levels` levels (top and teams included): span^(levels − 1) ≥ teams.
pub fn span_for_levels(teams: usize, levels: u32) -> u32 {
    if levels < 2 || teams <= 1 {
        return 2.max(teams as u32);
    }
    let mut s = 2u32;
    while (s as f64).powi(levels as i32 - 1) < teams as f64 {
        s += 1;
    }
    s
}

impl Org {
    /// Generate an organization from `spec` with the structural stream `rng`.
    pub fn generate(spec: &OrgSpec, rng: &mut Stream) -> Self {
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
        let span = match spec.levels {
            Some(l) => span_for_levels(sizes.len(), l),
            None => spec.span.max(2),
        };
        Self::from_team_sizes(&sizes, span)
    }

    /// Build the tree over teams of the given sizes, `span` children per unit.
    pub fn from_team_sizes(sizes: &[u32], span: u32) -> Self {
        let teams = sizes.len();
        // Bottom-up: level 0 holds the teams; group consecutive nodes.
        // children[node] lists child node ids; nodes 0..teams are the teams.
        let mut nodes: Vec<TreeNode> = sizes
            .iter()
            .map(|&s| TreeNode {
                name: None,
                children: Vec::new(),
                size: s,
            })
            .collect();
        let mut level: Vec<usize> = (0..teams).collect();
        while level.len() > 1 {
            let mut next = Vec::with_capacity(level.len().div_ceil(span as usize));
            for group in level.chunks(span as usize) {
                nodes.push(TreeNode {
                    name: None,
                    children: group.to_vec(),
                    size: 0,
                });
                next.push(nodes.len() - 1);
            }
            level = next;
        }
        Self::from_tree(&nodes, level[0])
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
            unit_name,
            team_unit,
            team_start,
            blocks,
            unit_node: node_of_unit.iter().map(|&n| n as u32).collect(),
        }
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
    /// `max`, otherwise the units of the deepest level that has at most
    /// `max` units. Returned in left-to-right order (contiguous team ranges).
    pub fn report_units(&self, max: usize) -> Vec<u32> {
        let deepest = self.unit_depth.iter().copied().max().unwrap_or(0);
        for depth in (0..=deepest).rev() {
            let units: Vec<u32> = (0..self.units() as u32)
                .filter(|&u| self.unit_depth[u as usize] == depth)
                .collect();
            if units.len() <= max {
                return units;
            }
        }
        vec![0]
    }

    /// Find a unit by name.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.unit_name.iter().position(|n| n == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}

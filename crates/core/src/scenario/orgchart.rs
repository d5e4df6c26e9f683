//! Reading an org chart (CSV) into the model's [`Chart`].
//!
//! Columns: `id,manager_id` and optionally `team`, `alignment`,
//! `commitment` (for managers), `mastery`, `belief`, `knowledge`,
//! `influence` (for the people in teams); empty cells are drawn from the
//! scenario's distributions. One row per person; exactly one person has no
//! manager (the top). People with reports are leaders of units; people
//! without reports form their manager's team (or the team their `team`
//! cell names). Every problem is reported with its CSV line. Every walk
//! over the chart is iterative, and a chart is at most [`MAX_LEVELS`]
//! levels deep, so no chart can overflow the stack.

use crate::model::learning_culture::org::{Chart, TreeNode};
use std::collections::HashMap;

/// The deepest an org chart may be: a person may have at most
/// `MAX_LEVELS - 1` managers above them (the top is level 1). Deeper charts
/// are refused with the line of the first person below the cap.
pub const MAX_LEVELS: usize = 10_000;

const COLUMNS: [&str; 9] = [
    "id",
    "manager_id",
    "team",
    "alignment",
    "commitment",
    "mastery",
    "belief",
    "knowledge",
    "influence",
];

struct Person {
    line: u64,
    id: String,
    manager: Option<String>,
    team: Option<String>,
    values: [Option<f32>; 6],
}

/// Parse an org chart; `name` is used in messages (`name:LINE: ...`).
pub fn read_chart(text: &str, name: &str) -> Result<Chart, Vec<String>> {
    if text.trim().is_empty() {
        return Err(vec![format!(
            "{name}: the file is empty; an org chart needs a header line (id,manager_id[,team,alignment,...]) and one row per person"
        )]);
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(vec![format!("{name}: cannot read the header: {e}")]),
    };
    let col = columns(&headers, name)?;
    let mut errors = Vec::new();
    let (people, unreadable) = read_people(&mut reader, &col, name, &mut errors);
    if unreadable {
        // The hierarchy of a chart with unreadable rows would name orphans
        // and missing tops that are only echoes of those rows.
        return Err(errors);
    }
    if people.is_empty() && errors.is_empty() {
        return Err(vec![format!(
            "{name}: the chart has a header but no people; add one row per person (id,manager_id, ...)"
        )]);
    }
    let (index, reports, roots) = hierarchy(&people, name, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let root = roots[0];
    cycles(&people, &index, &reports, root, name, &mut errors);
    depth(&people, &reports, root, name, &mut errors);
    if reports[root].is_empty() {
        errors.push(format!(
            "{name}: the top ('{}') manages nobody",
            people[root].id
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    build(&people, &reports, root, name)
}

/// The header's columns by name (every unknown column is a problem, with a
/// did-you-mean; `id` and `manager_id` are required).
fn columns(headers: &csv::StringRecord, name: &str) -> Result<HashMap<String, usize>, Vec<String>> {
    let mut errors = Vec::new();
    let mut col = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        if COLUMNS.contains(&h) {
            col.insert(h.to_string(), i);
        } else {
            let known: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
            let hint = super::keys::closest(h, &known)
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            errors.push(format!(
                "{name}:1: unknown column '{h}'{hint} (columns: {})",
                COLUMNS.join(", ")
            ));
        }
    }
    for required in ["id", "manager_id"] {
        if !col.contains_key(required) {
            errors.push(format!("{name}:1: the header needs a '{required}' column"));
        }
    }
    if errors.is_empty() {
        Ok(col)
    } else {
        Err(errors)
    }
}

/// Every row as a [`Person`], in file order, and whether a row could not
/// be read as CSV (its problems are in `errors` with the others').
fn read_people(
    reader: &mut csv::Reader<&[u8]>,
    col: &HashMap<String, usize>,
    name: &str,
    errors: &mut Vec<String>,
) -> (Vec<Person>, bool) {
    let mut people: Vec<Person> = Vec::new();
    let mut unreadable = false;
    for rec in reader.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                unreadable = true;
                let line = e.position().map_or(0, |p| p.line());
                match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => errors.push(format!(
                        "{name}:{line}: this row has {len} field(s) but the header has {expected_len}; every row needs one value (or an empty one) per column"
                    )),
                    _ => errors.push(format!("{name}:{line}: {e}")),
                }
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        let cell = |c: &str| {
            col.get(c)
                .and_then(|&i| rec.get(i))
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let Some(id) = cell("id") else {
            errors.push(format!("{name}:{line}: empty id"));
            continue;
        };
        let values = trait_values(&cell, &id, line, name, errors);
        people.push(Person {
            line,
            id,
            manager: cell("manager_id"),
            team: cell("team"),
            values,
        });
    }
    (people, unreadable)
}

/// The traits a row gives (alignment, commitment, mastery, belief,
/// knowledge, influence; None when empty): shares in [0, 1], influence
/// > 0; each bad cell is a problem.
fn trait_values(
    cell: &dyn Fn(&str) -> Option<String>,
    id: &str,
    line: u64,
    name: &str,
    errors: &mut Vec<String>,
) -> [Option<f32>; 6] {
    let mut values = [None; 6];
    for (k, c) in [
        "alignment",
        "commitment",
        "mastery",
        "belief",
        "knowledge",
        "influence",
    ]
    .iter()
    .enumerate()
    {
        if let Some(v) = cell(c) {
            match v.parse::<f64>() {
                Ok(x) if *c == "influence" && x > 0.0 && x.is_finite() => {
                    values[k] = Some(x as f32)
                }
                Ok(x) if *c != "influence" && (0.0..=1.0).contains(&x) => {
                    values[k] = Some(x as f32)
                }
                _ => errors.push(format!(
                    "{name}:{line}: {c} of '{id}' must be {}, got '{v}'",
                    if *c == "influence" {
                        "a number > 0"
                    } else {
                        "a number in [0, 1]"
                    }
                )),
            }
        }
    }
    values
}

/// Who reports to whom: the index of each id (a duplicate is a problem),
/// each person's reports in file order, and the people without a manager
/// (exactly one is the top; none or several is a problem, as are a
/// manager missing from the chart and a person managing themself).
#[allow(clippy::type_complexity)]
fn hierarchy<'a>(
    people: &'a [Person],
    name: &str,
    errors: &mut Vec<String>,
) -> (HashMap<&'a str, usize>, Vec<Vec<usize>>, Vec<usize>) {
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, p) in people.iter().enumerate() {
        if let Some(&first) = index.get(p.id.as_str()) {
            errors.push(format!(
                "{name}:{}: duplicate id '{}' (first on line {})",
                p.line, p.id, people[first].line
            ));
        } else {
            index.insert(&p.id, i);
        }
    }
    let mut reports: Vec<Vec<usize>> = vec![Vec::new(); people.len()];
    let mut roots = Vec::new();
    for (i, p) in people.iter().enumerate() {
        match &p.manager {
            None => roots.push(i),
            Some(m) => match index.get(m.as_str()) {
                Some(&j) if j == i => errors.push(format!(
                    "{name}:{}: '{}' is their own manager",
                    p.line, p.id
                )),
                Some(&j) => reports[j].push(i),
                None => errors.push(format!(
                    "{name}:{}: manager '{m}' of '{}' is not in the chart (an orphan)",
                    p.line, p.id
                )),
            },
        }
    }
    match roots.len() {
        1 => {}
        0 => errors.push(format!(
            "{name}: nobody is at the top (every row has a manager_id), so the chart has a cycle"
        )),
        _ => errors.push(format!(
            "{name}: {} people have no manager (lines {}); a chart has exactly one top",
            roots.len(),
            roots
                .iter()
                .map(|&i| people[i].line.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
    (index, reports, roots)
}

/// Everyone must be reachable from the top `root`; the rest sit in
/// cycles, each reported with its chain.
fn cycles(
    people: &[Person],
    index: &HashMap<&str, usize>,
    reports: &[Vec<usize>],
    root: usize,
    name: &str,
    errors: &mut Vec<String>,
) {
    let mut seen = vec![false; people.len()];
    let mut stack = vec![root];
    while let Some(i) = stack.pop() {
        seen[i] = true;
        stack.extend(reports[i].iter().copied().filter(|&j| !seen[j]));
    }
    for (i, p) in people.iter().enumerate() {
        if !seen[i] {
            let mut chain = vec![p.id.clone()];
            let mut cur = i;
            for _ in 0..people.len() {
                let m = people[cur]
                    .manager
                    .as_deref()
                    .and_then(|m| index.get(m))
                    .copied();
                match m {
                    Some(j) => {
                        chain.push(people[j].id.clone());
                        if j == i {
                            break;
                        }
                        cur = j;
                    }
                    None => break,
                }
            }
            errors.push(format!(
                "{name}:{}: '{}' is in a management cycle ({})",
                p.line,
                p.id,
                chain.join(" -> ")
            ));
        }
    }
}

/// Levels, breadth first from the top (everyone is reachable by now): a
/// chart deeper than [`MAX_LEVELS`] is reported at the first person below
/// the cap (by line), with how many are deeper.
fn depth(
    people: &[Person],
    reports: &[Vec<usize>],
    root: usize,
    name: &str,
    errors: &mut Vec<String>,
) {
    let mut level = vec![0usize; people.len()];
    level[root] = 1;
    let mut queue = std::collections::VecDeque::from([root]);
    let mut too_deep: Option<usize> = None;
    let mut below = 0usize;
    while let Some(i) = queue.pop_front() {
        for &j in &reports[i] {
            level[j] = level[i] + 1;
            if level[j] > MAX_LEVELS {
                below += 1;
                if too_deep.is_none_or(|k| people[j].line < people[k].line) {
                    too_deep = Some(j);
                }
            }
            queue.push_back(j);
        }
    }
    if let Some(j) = too_deep {
        errors.push(format!(
            "{name}:{}: '{}' is at level {} of the management chain (the top is level 1); an org chart may be at most {MAX_LEVELS} levels deep ({below} {} deeper than that)",
            people[j].line,
            people[j].id,
            level[j],
            if below == 1 { "person is" } else { "people are" },
        ));
    }
}

/// Builds the tree, one manager at a time.
struct Builder<'a> {
    people: &'a [Person],
    reports: &'a [Vec<usize>],
    name: &'a str,
    nodes: Vec<TreeNode>,
    leader_traits: Vec<(Option<f32>, Option<f32>)>,
    member_traits: Vec<Vec<[Option<f32>; 4]>>,
    names: HashMap<String, u64>,
    errors: Vec<String>,
}

impl Builder<'_> {
    fn traits(&self, i: usize) -> [Option<f32>; 4] {
        let v = self.people[i].values;
        [v[2], v[3], v[4], v[5]]
    }

    /// The nodes of manager `m` and everything below them, created depth
    /// first with an explicit stack (no recursion, whatever the depth);
    /// returns the index of `m`'s node.
    fn manager(&mut self, m: usize) -> usize {
        // Each entry: a manager whose node is still to be made, and the node
        // (with the child slot) it hangs under.
        let mut stack: Vec<(usize, Option<(usize, usize)>)> = vec![(m, None)];
        let mut top = None;
        while let Some((m, parent)) = stack.pop() {
            let (me, subs) = self.one(m);
            match parent {
                Some((p, slot)) => self.nodes[p].children[slot] = me,
                None => top = Some(me),
            }
            // Sub-managers fill the last slots of `me`'s children, in order;
            // pushed in reverse so the first one is built first.
            let first = self.nodes[me].children.len() - subs.len();
            for (k, &s) in subs.iter().enumerate().rev() {
                stack.push((s, Some((me, first + k))));
            }
        }
        top.expect("the stack starts with the top")
    }

    /// The node of manager `m` and its teams; its sub-managers' child slots
    /// are reserved (filled by [`Builder::manager`]). Returns the node and
    /// the sub-managers.
    fn one(&mut self, m: usize) -> (usize, Vec<usize>) {
        let (people, reports) = (self.people, self.reports);
        let me = self.nodes.len();
        let lt = (people[m].values[0], people[m].values[1]);
        self.nodes.push(TreeNode {
            name: Some(people[m].id.clone()),
            children: Vec::new(),
            size: 0,
            leader: Some(people[m].id.clone()),
        });
        self.leader_traits.push(lt);
        self.member_traits.push(Vec::new());
        let subs: Vec<usize> = reports[m]
            .iter()
            .copied()
            .filter(|&r| !reports[r].is_empty())
            .collect();
        // Group the individual contributors into teams (by label, in order).
        let mut groups: Vec<(Option<String>, Vec<usize>)> = Vec::new();
        for &i in reports[m].iter().filter(|&&r| reports[r].is_empty()) {
            let label = people[i].team.clone();
            match groups.iter_mut().find(|g| g.0 == label) {
                Some(g) => g.1.push(i),
                None => groups.push((label, vec![i])),
            }
        }
        if subs.is_empty() && groups.len() == 1 && groups[0].0.is_none() {
            // The manager's unit is itself the team.
            self.nodes[me].size = groups[0].1.len() as u32;
            self.member_traits[me] = groups[0].1.iter().map(|&i| self.traits(i)).collect();
            return (me, subs);
        }
        let mut children = Vec::new();
        for (label, members) in groups {
            let team_name = label.unwrap_or_else(|| format!("{}/team", people[m].id));
            let line = people[members[0]].line;
            if let Some(first) = self.names.insert(team_name.clone(), line) {
                self.errors.push(format!(
                    "{}:{line}: team name '{team_name}' is already used (line {first}); team names must be unique and differ from ids",
                    self.name
                ));
            }
            let n = self.nodes.len();
            self.nodes.push(TreeNode {
                name: Some(team_name),
                children: Vec::new(),
                size: members.len() as u32,
                leader: Some(people[m].id.clone()),
            });
            self.leader_traits.push(lt);
            let mt = members.iter().map(|&i| self.traits(i)).collect();
            self.member_traits.push(mt);
            children.push(n);
        }
        children.extend(std::iter::repeat_n(usize::MAX, subs.len()));
        self.nodes[me].children = children;
        (me, subs)
    }
}

fn build(
    people: &[Person],
    reports: &[Vec<usize>],
    root: usize,
    name: &str,
) -> Result<Chart, Vec<String>> {
    let mut b = Builder {
        people,
        reports,
        name,
        nodes: Vec::new(),
        leader_traits: Vec::new(),
        member_traits: Vec::new(),
        names: people.iter().map(|p| (p.id.clone(), p.line)).collect(),
        errors: Vec::new(),
    };
    let root = b.manager(root);
    if !b.errors.is_empty() {
        return Err(b.errors);
    }
    Ok(Chart {
        nodes: b.nodes,
        root,
        leader_traits: b.leader_traits,
        member_traits: b.member_traits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::learning_culture::org::Org;

    const GOOD: &str = "id,manager_id,team,alignment,mastery\nceo,,,0.9,\ncto,ceo,,0.4,\nd1,cto,,,0.7\nd2,cto,,,\nd3,cto,,,\ns1,ceo,sales,,\ns2,ceo,sales,,0.2\n";

    #[test]
    fn empty_header_only_and_ragged_charts_get_one_precise_message() {
        let e = read_chart("", "org.csv").unwrap_err();
        assert_eq!(e.len(), 1);
        assert!(e[0].starts_with("org.csv: the file is empty;"), "{e:?}");
        let e = read_chart("id,manager_id\n", "org.csv").unwrap_err();
        assert_eq!(e.len(), 1);
        assert!(e[0].contains("a header but no people"), "{e:?}");
        // A ragged row is named once, without orphan or top errors after it.
        let e = read_chart("id,manager_id\nceo,\na,ceo,extra\nb,ceo\n", "org.csv").unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(
            e[0],
            "org.csv:3: this row has 3 field(s) but the header has 2; every row needs one value (or an empty one) per column"
        );
        // Also when the ragged row is a manager (or the top): no orphans.
        for chart in [
            "id,manager_id\nceo,\na,ceo,extra\nb,a\nc,a\n",
            "id,manager_id\nceo,,x\na,ceo\n",
        ] {
            let e = read_chart(chart, "org.csv").unwrap_err();
            assert_eq!(e.len(), 1, "{e:?}");
            assert!(e[0].contains("field(s) but the header has 2"), "{e:?}");
        }
    }

    #[test]
    fn builds_units_and_teams() {
        let chart = read_chart(GOOD, "org.csv").unwrap();
        let org = Org::from_tree(&chart.nodes, chart.root);
        // ceo (top), sales team under ceo, cto = a team of three.
        assert_eq!(org.units(), 3);
        // a labelled team keeps its label as its name, even alone under its manager
        let one = read_chart("id,manager_id,team\nm,,\na,m,red\nb,m,red\n", "x.csv").unwrap();
        let org1 = Org::from_tree(&one.nodes, one.root);
        assert!(org1.is_team(org1.find("red").unwrap()));
        assert_eq!(org.teams(), 2);
        assert_eq!(org.slots(), 5);
        assert_eq!(org.unit_name[0], "ceo");
        assert!(org.find("sales").is_some());
        let cto = org.find("cto").unwrap();
        assert!(org.is_team(cto));
        let node = org.unit_node[cto] as usize;
        assert_eq!(chart.leader_traits[node].0, Some(0.4));
        assert_eq!(chart.member_traits[node][0][0], Some(0.7));
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let bad = "id,manager_id,mastry\na,,\nb,a,\nb,a,\nc,zz,\nd,e,\ne,d,\nf,,\n";
        let e = read_chart(bad, "org.csv").unwrap_err();
        assert!(
            e[0].contains("org.csv:1: unknown column 'mastry'; did you mean `mastery`?"),
            "{e:?}"
        );
        let bad = "id,manager_id\na,\nb,a\nb,a\nc,zz\nd,e\ne,d\nf,\n";
        let e = read_chart(bad, "org.csv").unwrap_err().join("\n");
        assert!(
            e.contains("org.csv:4: duplicate id 'b' (first on line 3)"),
            "{e}"
        );
        assert!(
            e.contains("org.csv:5: manager 'zz' of 'c' is not in the chart (an orphan)"),
            "{e}"
        );
        assert!(e.contains("2 people have no manager (lines 2, 8)"), "{e}");
        let cyc = "id,manager_id\na,\nb,a\nd,e\ne,d\n";
        let e = read_chart(cyc, "org.csv").unwrap_err().join("\n");
        assert!(
            e.contains("org.csv:4: 'd' is in a management cycle (d -> e -> d)"),
            "{e}"
        );
        let range = "id,manager_id,belief\na,,\nb,a,1.5\n";
        let e = read_chart(range, "org.csv").unwrap_err().join("\n");
        assert!(
            e.contains("org.csv:3: belief of 'b' must be a number in [0, 1], got '1.5'"),
            "{e}"
        );
    }
}

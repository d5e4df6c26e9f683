//! The state of one run, as struct-of-arrays.
//!
//! Employees live in slots (`Employees`, one column per trait, indexed by
//! slot, slots in team order); a slot is either active or a vacancy.
//! Teams and leaders (one per unit) have their own columns. Everything a
//! step needs as scratch space is allocated here once, at init. Every
//! type here is serde-serializable, for checkpoints (`snapshot.rs`).

use serde::{Deserialize, Serialize};

/// Marks an employee who belongs to no community of practice.
pub const NO_COMMUNITY: u16 = u16::MAX;

/// The tenure of a vacancy that is room to grow (`init.vacant`): filled at
/// `turnover.growth`, not at `turnover.fill_rate`, until it is first filled.
pub const ROOM_TO_GROW: u16 = u16::MAX;

/// Employee columns, indexed by slot.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Employees {
    /// Knowledge k in [0, 1].
    pub knowledge: Vec<f32>,
    /// Personal mastery m in [0, 1] (disposition to learn).
    pub mastery: Vec<f32>,
    /// Belief in / alignment with the learning culture b in [0, 1].
    pub belief: Vec<f32>,
    /// Social influence ι > 0 (Pareto, heavy-tailed).
    pub influence: Vec<f32>,
    /// 1 if learning intentionally this week.
    pub engaged: Vec<u8>,
    /// 1 if the slot holds an employee, 0 if it is a vacancy.
    pub active: Vec<u8>,
    /// Weeks of Learnathon project left (0: no project).
    pub project: Vec<u8>,
    /// Weeks in the organization (saturating).
    pub tenure: Vec<u16>,
    /// Community of practice, or [`NO_COMMUNITY`].
    pub community: Vec<u16>,
}

/// Mutable views of a contiguous range of employee slots (the columns of
/// [`Employees`], each meaning what it means there).
pub struct EmployeesMut<'a> {
    /// Knowledge k.
    pub knowledge: &'a mut [f32],
    /// Personal mastery m.
    pub mastery: &'a mut [f32],
    /// Belief b.
    pub belief: &'a mut [f32],
    /// Social influence ι.
    pub influence: &'a mut [f32],
    /// 1 if learning intentionally this week.
    pub engaged: &'a mut [u8],
    /// 1 if the slot holds an employee.
    pub active: &'a mut [u8],
    /// Weeks of Learnathon project left.
    pub project: &'a mut [u8],
    /// Weeks in the organization.
    pub tenure: &'a mut [u16],
    /// Community of practice, or [`NO_COMMUNITY`].
    pub community: &'a mut [u16],
}

impl Employees {
    /// Columns of `n` vacant slots.
    pub fn with_slots(n: usize) -> Self {
        Self {
            knowledge: vec![0.0; n],
            mastery: vec![0.0; n],
            belief: vec![0.0; n],
            influence: vec![0.0; n],
            engaged: vec![0; n],
            active: vec![0; n],
            project: vec![0; n],
            tenure: vec![0; n],
            community: vec![NO_COMMUNITY; n],
        }
    }

    /// A mutable view of all slots.
    pub fn view(&mut self) -> EmployeesMut<'_> {
        EmployeesMut {
            knowledge: &mut self.knowledge,
            mastery: &mut self.mastery,
            belief: &mut self.belief,
            influence: &mut self.influence,
            engaged: &mut self.engaged,
            active: &mut self.active,
            project: &mut self.project,
            tenure: &mut self.tenure,
            community: &mut self.community,
        }
    }

    /// Swap two slots in every column.
    pub fn swap(&mut self, a: usize, b: usize) {
        self.knowledge.swap(a, b);
        self.mastery.swap(a, b);
        self.belief.swap(a, b);
        self.influence.swap(a, b);
        self.engaged.swap(a, b);
        self.active.swap(a, b);
        self.project.swap(a, b);
        self.tenure.swap(a, b);
        self.community.swap(a, b);
    }
}

impl<'a> EmployeesMut<'a> {
    /// Slots in the view. Asserts that every column has that length, which
    /// lets the compiler drop the bounds checks of `i < len()` indexing.
    #[inline]
    pub fn len(&self) -> usize {
        let n = self.active.len();
        assert!(
            self.knowledge.len() == n
                && self.mastery.len() == n
                && self.belief.len() == n
                && self.influence.len() == n
                && self.engaged.len() == n
                && self.project.len() == n
                && self.tenure.len() == n
                && self.community.len() == n
        );
        n
    }

    /// Whether the view has no slots.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A view of slots `r` of this view, reborrowed (nothing is moved).
    #[inline(always)]
    pub fn sub(&mut self, r: std::ops::Range<usize>) -> EmployeesMut<'_> {
        EmployeesMut {
            knowledge: &mut self.knowledge[r.clone()],
            mastery: &mut self.mastery[r.clone()],
            belief: &mut self.belief[r.clone()],
            influence: &mut self.influence[r.clone()],
            engaged: &mut self.engaged[r.clone()],
            active: &mut self.active[r.clone()],
            project: &mut self.project[r.clone()],
            tenure: &mut self.tenure[r.clone()],
            community: &mut self.community[r],
        }
    }

    /// Split into the first `mid` slots and the rest.
    pub fn split_at(self, mid: usize) -> (Self, Self) {
        let (k0, k1) = self.knowledge.split_at_mut(mid);
        let (m0, m1) = self.mastery.split_at_mut(mid);
        let (b0, b1) = self.belief.split_at_mut(mid);
        let (i0, i1) = self.influence.split_at_mut(mid);
        let (e0, e1) = self.engaged.split_at_mut(mid);
        let (a0, a1) = self.active.split_at_mut(mid);
        let (p0, p1) = self.project.split_at_mut(mid);
        let (t0, t1) = self.tenure.split_at_mut(mid);
        let (c0, c1) = self.community.split_at_mut(mid);
        (
            EmployeesMut {
                knowledge: k0,
                mastery: m0,
                belief: b0,
                influence: i0,
                engaged: e0,
                active: a0,
                project: p0,
                tenure: t0,
                community: c0,
            },
            EmployeesMut {
                knowledge: k1,
                mastery: m1,
                belief: b1,
                influence: i1,
                engaged: e1,
                active: a1,
                project: p1,
                tenure: t1,
                community: c1,
            },
        )
    }
}

/// What each team's employees did this step (filled by the employee pass).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct TeamTally {
    /// Active employees at the end of the step.
    pub active: u32,
    /// Engaged employees this step.
    pub engaged: u32,
    /// Employees who left this step.
    pub leavers: u32,
    /// Vacancies filled this step.
    pub hires: u32,
    /// Learnathon projects that succeeded this step.
    pub successes: u32,
    /// Learnathon projects that failed or were terminated this step.
    pub failures: u32,
    /// Employees with a running Learnathon project.
    pub participants: u32,
    /// Sum of knowledge of active employees.
    pub knowledge: f32,
    /// Sum of belief of active employees.
    pub belief: f32,
    /// Sum of belief weighted by effective influence ι·(½ + k).
    pub weighted_belief: f32,
    /// Sum of effective influence.
    pub influence: f32,
    /// Knowledge that left with leavers.
    pub knowledge_lost: f32,
    /// Sum of knowledge of the engaged (learning this step) employees.
    pub engaged_knowledge: f32,
}

/// Means over the active members of one community of practice.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct CommunityMeans {
    /// Mean belief.
    pub belief: f32,
    /// Mean knowledge.
    pub knowledge: f32,
    /// Mean leader support reaching the members' teams.
    pub support: f32,
    /// Share engaged last week (the community's practice).
    pub practice: f32,
}

impl TeamTally {
    /// Count one active employee with these traits.
    #[inline]
    pub fn add_member(
        &mut self,
        engaged: u8,
        project: u8,
        knowledge: f32,
        belief: f32,
        influence: f32,
    ) {
        self.active += 1;
        self.engaged += u32::from(engaged);
        self.participants += u32::from(project > 0);
        self.knowledge += knowledge;
        self.engaged_knowledge += f32::from(engaged) * knowledge;
        self.belief += belief;
        let w = super::equations::effective_influence(influence, knowledge);
        self.weighted_belief += w * belief;
        self.influence += w;
    }
}

/// Per-team inputs of the employee pass, formed from the team's tally of
/// last week as the pass reaches the team (read-only during the pass).
#[derive(Debug, Clone, Copy, Default)]
pub struct TeamInput {
    /// Leader support S reaching the team.
    pub support: f32,
    /// Team practice P.
    pub practice: f32,
    /// Local culture c.
    pub culture: f32,
    /// Influence-weighted peer belief.
    pub peer_belief: f32,
    /// Effective Learnathon commitment χ_t.
    pub commitment: f32,
}

/// A programme currently running.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ActiveProgramme {
    /// Which programme.
    #[serde(with = "super::snapshot::programme")]
    pub programme: super::events::Programme,
    /// Weekly strength.
    pub strength: f32,
    /// Last step (exclusive) it runs.
    pub until: u32,
    /// Whom it reaches, decided once when it starts (a membership hash
    /// against its reach, within its scope): 1 for each team reached (the
    /// practice programme), each employee slot (personal mastery) or each
    /// leader (leadership), else 0.
    pub reached: Vec<u8>,
    /// Index of its event in the timeline.
    pub event: u32,
    /// Step of management's review (`u32::MAX`: none).
    pub review_at: u32,
    /// The organization's culture C when it was (re)launched.
    pub culture_at_launch: f64,
}

/// The rest of a stopped programme's budget, waiting to be relaunched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relaunch {
    /// Step of the relaunch.
    pub at: u32,
    /// Index of the programme's event in the timeline.
    pub event: u32,
    /// Steps of budget left.
    pub remaining: u32,
}

/// Organization-level aggregates of one step, used by `observe`.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct Totals {
    /// Active employees.
    pub headcount: u32,
    /// Engaged employees.
    pub engaged: u32,
    /// Leavers this step (including a turnover wave).
    pub leavers: u32,
    /// Hires this step.
    pub hires: u32,
    /// Employees in a Learnathon project.
    pub participants: u32,
    /// Sum of knowledge.
    pub knowledge: f64,
    /// Sum of belief.
    pub belief: f64,
    /// Knowledge that left with leavers.
    pub knowledge_lost: f64,
    /// Sum of knowledge of the engaged employees.
    pub engaged_knowledge: f64,
}

impl Totals {
    /// The totals of one team's tally.
    #[inline]
    pub fn of(x: &TeamTally) -> Self {
        Self {
            headcount: x.active,
            engaged: x.engaged,
            leavers: x.leavers,
            hires: x.hires,
            participants: x.participants,
            knowledge: f64::from(x.knowledge),
            belief: f64::from(x.belief),
            knowledge_lost: f64::from(x.knowledge_lost),
            engaged_knowledge: f64::from(x.engaged_knowledge),
        }
    }

    /// Add `x`, field by field.
    #[inline]
    pub fn add(&mut self, x: &Totals) {
        self.headcount += x.headcount;
        self.engaged += x.engaged;
        self.leavers += x.leavers;
        self.hires += x.hires;
        self.participants += x.participants;
        self.knowledge += x.knowledge;
        self.belief += x.belief;
        self.knowledge_lost += x.knowledge_lost;
        self.engaged_knowledge += x.engaged_knowledge;
    }
}

/// The whole state of one run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    /// Employee columns.
    pub emp: Employees,
    /// Team learning practice P in [0, 1].
    pub practice: Vec<f32>,
    /// Team local culture c in [0, 1].
    pub culture: Vec<f32>,
    /// Leader support reaching each team S in [0, 1] (derived each step).
    pub support: Vec<f32>,
    /// Leader alignment a in [0, 1], per unit.
    pub alignment: Vec<f32>,
    /// Leader commitment q in [0, 1], per unit.
    pub commitment: Vec<f32>,
    /// Leader conviction a₀ in [0, 1], per unit: the alignment the leader
    /// brought to the seat (their own anchor when adapting).
    pub conviction: Vec<f32>,
    /// 1 if the leader's alignment adapts to their superior's.
    pub adapts: Vec<u8>,
    /// Taking charge r in [r₀, 1], per unit: the share of the leader's
    /// support that reaches the people below (E32; 1: in charge).
    pub charge: Vec<f32>,
    /// The organization's culture stock C in [0, 1].
    pub org_culture: f64,
    /// The codified knowledge stock K_c in [0, 1].
    pub codified: f64,
    /// Commitment behind the latest Learnathon.
    pub learnathon_commitment: f32,
    /// Share of hires joining a community of practice (0: none running).
    pub community_density: f32,
    /// Programmes running.
    pub programmes: Vec<ActiveProgramme>,
    /// Stopped programmes waiting to be relaunched, in the order stopped.
    pub relaunches: Vec<Relaunch>,
    /// Programme-steps run so far, summed over programmes (the budget
    /// spent; not an output column).
    pub programme_steps: u64,
    /// Programmes stopped at a review so far (not an output column).
    pub programme_stops: u32,
    /// Whether `tally` matches the employee columns: true after the
    /// employee pass (which tallies as it goes) and after a recount; false
    /// when an event has changed employees since.
    pub tally_fresh: bool,
    /// Leavers caused by events at the start of this step.
    pub event_leavers: u32,
    /// Knowledge lost to events at the start of this step.
    pub event_knowledge_lost: f64,
    /// Per-team tallies of the last step.
    pub tally: Vec<TeamTally>,
    /// Per-community means, aggregated at the start of the step.
    pub communities: Vec<CommunityMeans>,
    /// Organization totals of the last step.
    pub totals: Totals,
    /// Scratch: per-unit gate products.
    pub scratch_gate: Vec<f32>,
    /// Scratch: per-unit alignment for the synchronous update.
    pub scratch_alignment: Vec<f32>,
    /// Scratch: per unit, the mean belief and mean local culture below
    /// (successors from within; upward influence).
    pub scratch_below: Vec<[f32; 2]>,
    /// Scratch: per unit, (belief sum, culture × headcount sum, headcount) below.
    pub scratch_sums: Vec<(f64, f64, u64)>,
    /// The posterior draw whose parameters this run steps with (0 without
    /// a posterior; see [`super::Draws`]).
    #[serde(default)]
    pub draw: u32,
}

//! One step (a week) of the learning-culture dynamics, phase by phase.
//!
//! Order within a step, each phase reading the state the previous phase
//! left (docs/MODEL.md, "One step"), one file per phase:
//! 1. timeline events of this step take effect ([`events`]; programmes,
//!    their reviews and relaunches in [`programmes`]);
//! 2. leader support is propagated down the hierarchy ([`aggregate`]);
//! 3. the team tallies are recounted if an event changed employees, and
//!    the communities' means are aggregated ([`aggregate`]);
//! 4. employees (in parallel by blocks of teams, each team with its own
//!    stream) leave, learn, update beliefs; vacancies are filled; each
//!    team's inputs (peer belief among them) are formed from its tally of
//!    last week as the pass reaches the team
//!    ([`employees`]: the chunk pass and its bookkeeping; [`slot`]: the
//!    slot-by-slot reference for every case);
//! 5. teams update practice from this step's engagement, then local
//!    culture, its target moving over the step from the old practice to
//!    the new (synchronous: every team reads the same inputs) ([`teams`]);
//! 6. the organization's culture follows the local cultures, moving over
//!    the step from the old to the new, and the codified stock follows,
//!    their sums formed in the team pass itself ([`teams`]); leaders
//!    adapt, programmes act on them, some leave and are replaced
//!    ([`leaders`]).
//!
//! This file holds the order ([`LearningCulture::advance`]) and the small
//! helpers every phase shares.

mod aggregate;
mod employees;
mod events;
mod leaders;
mod programmes;
mod slot;
mod teams;

pub(super) use employees::blocks;

use super::LearningCulture;
use super::state::{EmployeesMut, NO_COMMUNITY, State, TeamTally, Totals};
use crate::engine::Seeds;
use crate::engine::par::ordered_fold;
use rand::Rng;

/// A uniform `f32` in [0, 1) from 24 random bits.
#[inline]
pub(super) fn uniform<R: Rng>(rng: &mut R) -> f32 {
    (rng.next_u32() >> 8) as f32 * (1.0 / (1u32 << 24) as f32)
}

impl LearningCulture {
    /// Advance the state by one step.
    pub(super) fn advance(&self, s: &mut State, step: u32, seeds: &Seeds) {
        s.event_leavers = 0;
        s.event_knowledge_lost = 0.0;
        self.apply_events(s, step, seeds);
        self.compute_support(s);
        // The employee pass left exact tallies (the same sums in the same
        // order as a recount); only an event that changed employees since
        // makes a fresh count necessary.
        if !s.tally_fresh {
            self.recount(s);
        }
        if s.community_density > 0.0 {
            self.community_means(s);
        }
        self.employees(s, step, seeds);
        self.teams_and_org(s, step, seeds);
    }
}

/// Add active slot `i` to the tally.
#[inline(always)]
fn count(x: &mut TeamTally, emp: &EmployeesMut<'_>, i: usize) {
    x.add_member(
        emp.engaged[i],
        emp.project[i],
        emp.knowledge[i],
        emp.belief[i],
        emp.influence[i],
    );
}

/// Turn slot `i` into a vacancy.
pub(super) fn vacate(emp: &mut EmployeesMut<'_>, i: usize) {
    emp.active[i] = 0;
    emp.engaged[i] = 0;
    emp.project[i] = 0;
    emp.community[i] = NO_COMMUNITY;
    emp.knowledge[i] = 0.0;
    emp.belief[i] = 0.0;
    emp.mastery[i] = 0.0;
    emp.influence[i] = 0.0;
    emp.tenure[i] = 0;
}

/// Sum the per-team tallies into organization totals (in parallel, in a
/// fixed grouping: the same bits at any thread count).
fn totals(tally: &[TeamTally], event_leavers: u32, event_lost: f64) -> Totals {
    let start = Totals {
        leavers: event_leavers,
        knowledge_lost: event_lost,
        ..Totals::default()
    };
    let sum = ordered_fold(
        tally.len(),
        Totals::default(),
        |r| {
            let mut t = Totals::default();
            for x in &tally[r] {
                t.add(&Totals::of(x));
            }
            t
        },
        |mut a, b| {
            a.add(&b);
            a
        },
    );
    let mut t = start;
    t.add(&sum);
    t
}

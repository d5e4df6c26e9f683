//! Programmes on the timeline (leadership, practice, mastery): their
//! launch, management's reviews of them and their relaunches (phase 1 of
//! a step, before the other events).

use super::super::LearningCulture;
use super::super::events::{Kind, Programme, teams_under, units_under};
use super::super::state::{ActiveProgramme, Relaunch, State};
use super::super::tag;
use crate::engine::Seeds;
use crate::engine::rng::{hash_keys, unit_from_hash};

/// Membership hash for programmes: is `id` among the share `reach`?
#[inline]
fn reached(seed_key: u64, id: u64, reach: f32) -> bool {
    unit_from_hash(hash_keys(seed_key, &[id])) < f64::from(reach)
}

impl LearningCulture {
    /// Start programme event `index` at `step` for `duration` steps, with
    /// the selected `leaders` and the `teams` under them; `key` seeds its
    /// membership hash.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn launch(
        &self,
        s: &mut State,
        index: usize,
        leaders: &[u32],
        teams: &[bool],
        step: u32,
        duration: u32,
        key: u64,
    ) {
        let org = &self.org;
        let Kind::Programme {
            programme,
            reach,
            strength,
            review,
            ..
        } = &self.setup.events[index].kind
        else {
            unreachable!("launch is called for programme events only")
        };
        let reach = *reach as f32;
        let reached = match programme {
            Programme::Practice => (0..org.teams())
                .map(|t| u8::from(teams[t] && reached(key, t as u64, reach)))
                .collect(),
            Programme::Mastery => {
                let mut r = vec![0u8; org.slots()];
                for t in (0..org.teams()).filter(|&t| teams[t]) {
                    for i in org.team_slots(t) {
                        r[i] = u8::from(reached(key, i as u64, reach));
                    }
                }
                r
            }
            Programme::Leadership => {
                // Every leader below the scope.
                let mut r = vec![0u8; org.units()];
                for u in units_under(org, leaders) {
                    r[u as usize] = u8::from(reached(key, u64::from(u), reach));
                }
                r
            }
        };
        s.programmes.push(ActiveProgramme {
            programme: *programme,
            strength: *strength as f32,
            until: step + duration,
            reached,
            event: index as u32,
            review_at: review.map_or(u32::MAX, |r| step.saturating_add(r.after)),
            culture_at_launch: s.org_culture,
        });
    }

    /// Management's reviews due at `step` (a programme whose culture gain
    /// since its launch is below target stops, and the rest of its budget
    /// waits for its relaunch), then the relaunches due at `step`, in the
    /// order the programmes were stopped.
    pub(super) fn reviews(&self, s: &mut State, step: u32, seeds: &Seeds) {
        if s.programmes.iter().any(|a| a.review_at == step) {
            let (c, events) = (s.org_culture, &self.setup.events);
            let mut stopped = Vec::new();
            s.programmes.retain(|a| {
                let Kind::Programme {
                    review: Some(r), ..
                } = &events[a.event as usize].kind
                else {
                    return true;
                };
                if a.review_at != step || c - a.culture_at_launch >= r.target {
                    return true;
                }
                // Still in the list, so `until` > `step`.
                stopped.push(Relaunch {
                    at: step.saturating_add(r.relaunch_after),
                    event: a.event,
                    remaining: a.until - step,
                });
                false
            });
            s.programme_stops = s.programme_stops.saturating_add(stopped.len() as u32);
            s.relaunches.extend(stopped);
        }
        if s.relaunches.iter().any(|r| r.at == step) {
            let due: Vec<Relaunch> = s
                .relaunches
                .iter()
                .filter(|r| r.at == step)
                .copied()
                .collect();
            s.relaunches.retain(|r| r.at != step);
            for r in due {
                let e = &self.setup.events[r.event as usize];
                let keys = [
                    tag::RELAUNCH,
                    e.key,
                    u64::from(step),
                    u64::from(r.remaining),
                ];
                let mut rng = seeds.stream(&keys);
                let leaders = e.scope.leaders(&self.org, &s.alignment, &mut rng);
                let teams = teams_under(&self.org, &leaders);
                let key = seeds.hash(&[tag::PROGRAMME, keys[1], keys[2], keys[3], tag::RELAUNCH]);
                self.launch(
                    s,
                    r.event as usize,
                    &leaders,
                    &teams,
                    step,
                    r.remaining,
                    key,
                );
            }
        }
    }
}

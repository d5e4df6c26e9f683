//! The slot-by-slot path of the employee pass: every case, including
//! those the chunk pass leaves (a vacancy to fill, a community member, a
//! Learnathon project). For the others it does the chunk pass's
//! arithmetic in the same order, so the two agree to the bit
//! (tests/kernels.rs).

use super::super::equations::{
    asymmetric_step, belief_target, engages_with_habit, knowledge_next, misfit_leave,
    onboarded_knowledge, selected_belief, team_drive,
};
use super::super::kernel::{TeamWeek, belief_rate, draw, learn_week, project_week, split24};
use super::super::state::{CommunityMeans, EmployeesMut, NO_COMMUNITY, ROOM_TO_GROW, TeamInput};
use super::super::{tag, unit};
use super::employees::{Ctx, Cursor};
use super::{count, uniform};
use rand::RngExt;

impl Ctx<'_> {
    /// Slot `i` of the block (global slot `slot`) of the cursor's team, one
    /// by one: every case, including those the chunk pass leaves (a
    /// vacancy, a community member). For the others it does the chunk
    /// pass's arithmetic in the same order, so the two agree to the bit.
    pub(super) fn member(
        &self,
        w: &TeamWeek,
        cur: &mut Cursor,
        emp: &mut EmployeesMut<'_>,
        i: usize,
        slot: usize,
    ) {
        let c = &self.week;
        let (u_leave, u_engage) = split24(draw(c.key_everyday, slot as u64));
        if emp.active[i] == 0 {
            self.fill_vacancy(cur, emp, i, u_leave);
            return;
        }
        let x = &mut cur.tally;
        if u_leave
            < w.leave[usize::from(emp.engaged[i] == 1)]
                + misfit_leave(c.misfit, emp.belief[i], w.culture)
        {
            self.leave(x, emp, i);
            return;
        }
        let (mut b, mut k) = (emp.belief[i], emp.knowledge[i]);
        let inp = w.input;
        let community = match emp.community[i] {
            NO_COMMUNITY => None,
            g => Some(self.communities[g as usize]),
        };
        let weeks = emp.project[i];
        let draws = split24(draw(c.key_project, slot as u64));
        let engaged = if weeks > 0 {
            // A running Learnathon project: the participant is learning.
            let (bp, kp, left, success, failure) =
                project_week(c, b, k, weeks, draws, w.p_term, w.chi);
            (b, k) = (bp, kp);
            emp.project[i] = left;
            x.successes += u32::from(success);
            x.failures += u32::from(failure);
            true
        } else {
            // A community member also sees the community's practice and support.
            let z = match community {
                None => w.z,
                Some(cm) => self.community_drive(&inp, &cm),
            };
            let drawn = engages_with_habit(
                u_engage,
                c.psi,
                c.fresh_ceiling,
                emp.engaged[i] == 1,
                c.wm * emp.mastery[i] + c.wb * b + z,
            );
            // Informal learning made explicit counts as intentional (the
            // first project draw, free off a project).
            drawn | (draws.0 < c.formalize)
        };
        self.mastery_programmes(slot, emp, i);
        let (b, k) = match community {
            None => learn_week(
                c,
                b,
                k,
                engaged,
                w.goal[usize::from(engaged)],
                emp.tenure[i],
            ),
            Some(cm) => self.learn_in_community(&inp, &cm, b, k, engaged, emp.tenure[i]),
        };
        emp.belief[i] = b;
        emp.knowledge[i] = k;
        emp.engaged[i] = u8::from(engaged);
        emp.tenure[i] = emp.tenure[i].saturating_add(1);
        count(&mut cur.tally, emp, i);
    }

    /// Vacant slot `i` of the block (its draw `u_leave`): a leaver's vacancy
    /// is refilled at the fill rate, room to grow at the growth rate, by a
    /// newcomer from the hiring pool, attracted and selected by the
    /// culture (E8) and onboarded from the codified stock (E9). The
    /// newcomer's traits come from the team's stream of the step.
    #[inline]
    fn fill_vacancy(&self, cur: &mut Cursor, emp: &mut EmployeesMut<'_>, i: usize, u_leave: f32) {
        let m = self.model;
        let p = &m.setup.params;
        let c = &self.week;
        let fill = if emp.tenure[i] == ROOM_TO_GROW {
            p.turnover.growth
        } else {
            p.turnover.fill_rate
        };
        if u_leave < fill as f32 {
            let (seeds, step, t) = (self.seeds, self.step, cur.t);
            let rng = cur
                .rng
                .get_or_insert_with(|| seeds.stream(&[tag::STEP, u64::from(step), t as u64]));
            let hiring = &m.setup.hiring;
            emp.active[i] = 1;
            emp.mastery[i] = unit(hiring.mastery.sample(rng));
            emp.belief[i] = selected_belief(
                unit(hiring.belief.sample(rng)),
                p.turnover.selection as f32,
                self.org_culture,
            );
            let k0 = unit(hiring.knowledge.sample(rng));
            emp.knowledge[i] =
                onboarded_knowledge(k0, c.codified, p.formalization.onboarding as f32);
            emp.influence[i] = hiring.influence.sample(rng).max(1e-6) as f32;
            emp.tenure[i] = 0;
            emp.engaged[i] = 0;
            emp.project[i] = 0;
            emp.community[i] = if self.density > 0.0 && uniform(rng) < self.density {
                rng.random_range(0..p.community.communities as u32) as u16
            } else {
                NO_COMMUNITY
            };
            let x = &mut cur.tally;
            x.hires += 1;
            count(x, emp, i);
        }
    }

    /// The engagement drive z/τ of a community member of a team with
    /// inputs `inp`: the team's practice and support mixed with the
    /// community's `cm` at the peers' weight (E20).
    #[inline]
    fn community_drive(&self, inp: &TeamInput, cm: &CommunityMeans) -> f32 {
        let co = &self.model.coeffs;
        let cop_w = self.model.setup.params.community.peers as f32;
        team_drive(
            &co.engagement,
            co.kappa,
            inp.culture,
            (1.0 - cop_w) * inp.practice + cop_w * cm.practice,
            (1.0 - cop_w) * inp.support + cop_w * cm.support,
        ) * self.inv_tau
    }

    /// A community member's week of learning (E20): knowledge as everyone's,
    /// then drawn up toward the community's; belief toward a target whose
    /// peers, support and practice mix the team's `inp` with the
    /// community's `cm`. Returns (belief, knowledge).
    #[inline]
    fn learn_in_community(
        &self,
        inp: &TeamInput,
        cm: &CommunityMeans,
        b: f32,
        k: f32,
        engaged: bool,
        tenure: u16,
    ) -> (f32, f32) {
        let (c, co) = (&self.week, &self.model.coeffs);
        let pc = &self.model.setup.params.community;
        let cop_w = pc.peers as f32;
        let k = knowledge_next(k, engaged, c.lr, c.draw, c.codified, c.forget);
        let k = k + pc.knowledge as f32 * (cm.knowledge - k).max(0.0);
        let goal = belief_target(
            &co.belief,
            co.kappa,
            (1.0 - cop_w) * inp.peer_belief + cop_w * cm.belief,
            (1.0 - cop_w) * inp.support + cop_w * cm.support,
            inp.culture,
            (1.0 - cop_w) * inp.practice + cop_w * cm.practice,
            engaged,
        );
        let rate = belief_rate(c, tenure);
        let b = asymmetric_step(b, goal, rate, c.basym);
        (b.clamp(0.0, 1.0), k.clamp(0.0, 1.0))
    }
}

//! Semi-isolated subgroups (Fang, Lee & Schilling 2010, "Balancing
//! exploration and exploitation through structural design: the isolation
//! of subgroups and organizational learning", Organization Science
//! 21(3):625–642) on March's model: there is no organizational code;
//! individuals learn from each other — from the superior ones among their
//! contacts, by March's majority rule — and the organization is split into
//! S subgroups of equal size whose members meet mostly each other. Each of
//! an individual's contacts in a period comes from the whole organization
//! with probability `cross_link` and from its own subgroup otherwise.
//! Isolation keeps the subgroups' views diverse; cross-group contacts
//! spread the better views between them.
//!
//! One period: turnover, turbulence (March's rules), acting (the period's
//! performance, as in March), interpersonal learning (synchronous: every
//! individual reads last period's beliefs and this period's performances).

use super::bits::{self, Belief, hit};
use super::rules::{self, socialize_one};
use super::{Config, State, Variant, tag};
use crate::engine::Seeds;
use rand::Rng;

/// One period of the organization of subgroups.
pub fn period(cfg: &Config, s: &mut State, step: u32, seeds: &Seeds) {
    if cfg.params.p3 > 0.0 {
        rules::turnover(cfg, s, step, seeds);
    }
    if cfg.params.p4 > 0.0 {
        rules::turbulence(cfg, s, step, seeds);
    }
    act(cfg, s, step, seeds);
    learn(cfg, s, step, seeds);
    s.equilibrium = at_equilibrium(cfg, s);
}

/// ⌊draw · k / 2⁶⁴⌋: an index in 0 .. k from one 64-bit draw (multiply-
/// shift; uniform to within k / 2⁶⁴).
#[inline]
pub fn pick(draw: u64, k: u32) -> u32 {
    ((u128::from(draw) * u128::from(k)) >> 64) as u32
}

/// Each individual's performance this period, and (replication reading)
/// its action: as in [`rules::act`], the replication reading acts (zero
/// beliefs by a fair coin) and scores the action, the literal reading
/// scores knowledge (dimensions correct).
pub fn act(cfg: &Config, s: &mut State, step: u32, seeds: &Seeds) {
    let n = s.beliefs.len();
    s.perf.resize(n, 0);
    match cfg.variant {
        Variant::Replication => {
            let mut rng = seeds.stream(&[tag::ACT, u64::from(step)]);
            s.actions.resize(n, 0);
            for (i, &b) in s.beliefs.iter().enumerate() {
                let a = bits::act(b, rng.next_u64(), cfg.mask);
                s.actions[i] = a;
                s.perf[i] = bits::performance(a, s.reality, cfg.mask);
            }
        }
        Variant::Literal => {
            for (i, &b) in s.beliefs.iter().enumerate() {
                s.perf[i] = bits::correct(b, s.reality) as i32;
            }
        }
    }
}

/// Contact `slot` of individual `i` from two draws: with probability
/// `cross_link` (draw `x`) a uniform other individual of the whole
/// organization, otherwise a uniform other member of its own subgroup
/// (draw `y`); contacts are drawn with replacement. `None` when there is
/// nobody else to meet (a subgroup of one, without a cross-group draw).
#[inline]
pub fn contact(cfg: &Config, i: usize, n: usize, x: u64, y: u64) -> Option<usize> {
    let (lo, k) = if hit(x, cfg.thr_link) {
        (0, n)
    } else {
        (cfg.home(i) as usize * cfg.size as usize, cfg.size as usize)
    };
    if k < 2 {
        return None;
    }
    let j = lo + pick(y, k as u32 - 1) as usize;
    Some(if j >= i { j + 1 } else { j })
}

/// Interpersonal learning (Fang, Lee & Schilling 2010, after March's
/// socialization and code-learning rules): individual i meets K = size − 1
/// contacts ([`contact`]); those whose performance beats its own are its
/// superior group; on each dimension where their majority view (the sign
/// of #(+1) − #(−1) over their actions, replication, or their non-zero
/// beliefs, literal; a tie is no view) differs from i's belief, with
/// probability p1 (i's rate) the belief moves toward it — one step
/// (replication) or all the way (literal). Contacts come from the stream
/// (LINK, period), two draws per slot whatever the outcome, so points of a
/// sweep over `cross_link` stay aligned; the moves from (SOCIAL, period).
pub fn learn(cfg: &Config, s: &mut State, step: u32, seeds: &Seeds) {
    let n = s.beliefs.len();
    let slots = cfg.size.saturating_sub(1);
    let mut links = seeds.stream(&[tag::LINK, u64::from(step)]);
    let mut moves = seeds.stream(&[tag::SOCIAL, u64::from(step)]);
    let m = cfg.params.m as usize;
    let mut count = [0i32; 64];
    s.next.clear();
    s.next.extend_from_slice(&s.beliefs);
    for i in 0..n {
        count[..m].iter_mut().for_each(|c| *c = 0);
        let mut any = false;
        for _ in 0..slots {
            let (x, y) = (links.next_u64(), links.next_u64());
            let Some(j) = contact(cfg, i, n, x, y) else {
                continue;
            };
            if s.perf[j] <= s.perf[i] {
                continue;
            }
            any = true;
            let (nz, sign) = match cfg.variant {
                Variant::Replication => (cfg.mask, s.actions[j]),
                Variant::Literal => (s.beliefs[j].nz, s.beliefs[j].sign),
            };
            for (d, c) in count[..m].iter_mut().enumerate() {
                if nz >> d & 1 == 1 {
                    *c += if sign >> d & 1 == 1 { 1 } else { -1 };
                }
            }
        }
        if !any {
            continue;
        }
        let mut view = Belief::ZERO;
        for (d, &c) in count[..m].iter().enumerate() {
            if c != 0 {
                view.nz |= 1 << d;
                if c > 0 {
                    view.sign |= 1 << d;
                }
            }
        }
        s.next[i] = socialize_one(cfg, i, s.beliefs[i], view, &mut moves);
    }
    std::mem::swap(&mut s.beliefs, &mut s.next);
}

/// Equilibrium: nothing can move any more. Within every set of individuals
/// who can meet (a subgroup when `cross_link` = 0, the whole organization
/// otherwise):
/// - replication: every belief is the same and has no zero, so every
///   action is the same and nobody ever beats anybody;
/// - literal: everybody has the same number of dimensions correct, so
///   nobody is ever superior (when someone knows more than someone else who
///   can meet them, that one can learn from them: the test is exact).
///
/// Individuals with a rate 0 never move, but others still learn from them:
/// they count like everyone else.
pub fn at_equilibrium(cfg: &Config, s: &State) -> bool {
    let n = s.beliefs.len();
    let block = if cfg.params.cross_link > 0.0 {
        n
    } else {
        cfg.size as usize
    };
    s.beliefs
        .chunks(block.max(1))
        .all(|members| match cfg.variant {
            Variant::Replication => {
                let first = members[0];
                first.nz & cfg.mask == cfg.mask && members.iter().all(|&b| b == first)
            }
            Variant::Literal => {
                let right = bits::correct(members[0], s.reality);
                members
                    .iter()
                    .all(|&b| bits::correct(b, s.reality) == right)
            }
        })
}

/// The organization's majority view: per dimension, the sign of Σ_i b_id
/// (0 on a tie). What the metrics `code_knowledge` and `code_correct`
/// score when there is no code.
pub fn majority_view(beliefs: &[Belief], m: u32) -> Belief {
    let mut view = Belief::ZERO;
    for d in 0..m {
        let sum: i64 = beliefs.iter().map(|b| i64::from(b.value(d))).sum();
        if sum != 0 {
            view.nz |= 1 << d;
            if sum > 0 {
                view.sign |= 1 << d;
            }
        }
    }
    view
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pick_is_uniform_over_its_range() {
        assert_eq!(pick(0, 5), 0);
        assert_eq!(pick(u64::MAX, 5), 4);
        assert_eq!(pick(u64::MAX / 2, 2), 0);
        assert_eq!(pick(u64::MAX / 2 + 1, 2), 1);
    }

    #[test]
    fn the_majority_view_is_the_sign_of_the_sum() {
        let b = [
            Belief::from_values(&[1, 1, -1, 0]),
            Belief::from_values(&[1, -1, -1, 0]),
            Belief::from_values(&[-1, 0, 1, 0]),
        ];
        assert_eq!(majority_view(&b, 4).values(4), [1, 0, -1, 0]);
    }
}

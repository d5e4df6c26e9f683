//! The rules of one period, in March's order: turnover, turbulence,
//! acting and the superior group, socialization, code learning; and the
//! equilibrium test. Each rule is a function of the configuration, the
//! state and the run's seeds; randomness comes from a stream keyed by
//! (purpose, step), so the thread count cannot change a result.

use super::bits::{self, Belief, hit};
use super::{Config, State, Variant, tag};
use crate::engine::Seeds;
use rand::Rng;

/// A belief vector drawn uniformly: each of the m dimensions is −1, 0 or
/// +1 with probability 1/3 (two random bits per dimension, the fourth
/// pattern rejected, so the draw is exact).
pub fn random_belief<R: Rng>(rng: &mut R, m: u32) -> Belief {
    let mut b = Belief::ZERO;
    let (mut word, mut left) = (0u64, 0u32);
    let mut d = 0;
    while d < m {
        if left < 2 {
            word = rng.next_u64();
            left = 64;
        }
        let v = word & 3;
        word >>= 2;
        left -= 2;
        match v {
            0 => {}
            1 => {
                b.nz |= 1 << d;
                b.sign |= 1 << d;
            }
            2 => b.nz |= 1 << d,
            _ => continue,
        }
        d += 1;
    }
    b
}

/// Turnover (March 1991, p. 78): each individual leaves with probability
/// p3 and is replaced by a newcomer with uniformly random beliefs, in the
/// same slot (a fast learner's slot stays fast).
pub fn turnover(cfg: &Config, s: &mut State, step: u32, seeds: &Seeds) {
    let mut rng = seeds.stream(&[tag::TURNOVER, u64::from(step)]);
    for (i, b) in s.beliefs.iter_mut().enumerate() {
        if hit(rng.next_u64(), cfg.thr_p3) {
            let mut fresh = seeds.stream(&[tag::NEWCOMER, u64::from(step), i as u64]);
            *b = random_belief(&mut fresh, cfg.params.m);
        }
    }
}

/// Turbulence (p. 79): each dimension of reality flips with probability p4.
pub fn turbulence(cfg: &Config, s: &mut State, step: u32, seeds: &Seeds) {
    let mut rng = seeds.stream(&[tag::TURBULENCE, u64::from(step)]);
    for d in 0..cfg.params.m {
        if hit(rng.next_u64(), cfg.thr_p4) {
            s.reality ^= 1 << d;
        }
    }
}

/// Individuals act and the superior group is formed; fills `s.superior`
/// and, per dimension, the group's counts of +1, −1 and 0.
///
/// - replication: each individual acts (its belief, a fair coin where the
///   belief is 0); performance Σ a_d·r_d; superior = performance above
///   the code's score Σ c_d·r_d; the counts are of the group's actions.
/// - literal: superior = more dimensions correct than the code; the
///   counts are of the group's beliefs.
pub fn act(cfg: &Config, s: &mut State, step: u32, seeds: &Seeds) {
    let n = s.beliefs.len();
    s.group.clear();
    s.group.resize(n.div_ceil(64), 0);
    let mut size = 0u32;
    match cfg.variant {
        Variant::Replication => {
            let mut rng = seeds.stream(&[tag::ACT, u64::from(step)]);
            let code_score = bits::score(s.code, s.reality);
            s.actions.resize(n, 0);
            for (i, &b) in s.beliefs.iter().enumerate() {
                let a = bits::act(b, rng.next_u64(), cfg.mask);
                s.actions[i] = a;
                if bits::performance(a, s.reality, cfg.mask) > code_score {
                    s.group[i / 64] |= 1 << (i % 64);
                    size += 1;
                }
            }
        }
        Variant::Literal => {
            let code_correct = bits::correct(s.code, s.reality);
            for (i, &b) in s.beliefs.iter().enumerate() {
                if bits::correct(b, s.reality) > code_correct {
                    s.group[i / 64] |= 1 << (i % 64);
                    size += 1;
                }
            }
        }
    }
    s.superior = size;
    s.tally.clear();
    s.tally.resize(cfg.params.m as usize, [0, 0, 0]);
    if size > 0 {
        match cfg.variant {
            Variant::Replication => tally_signs(&s.actions, &s.group, size, &mut s.tally),
            Variant::Literal => tally_beliefs(&s.beliefs, &s.group, size, &mut s.tally),
        }
    }
}

/// Per dimension (#+1, #−1, 0) of sign words (every dimension ±1) over the
/// members of `group`: the words are transposed 64 at a time, so each count
/// is a popcount of a dimension's column and the group's bitset.
pub fn tally_signs(words: &[u64], group: &[u64], size: u32, out: &mut [[u32; 3]]) {
    let mut block = [0u64; 64];
    for (g, &members) in group.iter().enumerate() {
        if members == 0 {
            continue;
        }
        load(&mut block, words, g, |w| w);
        bits::transpose64(&mut block);
        for (d, t) in out.iter_mut().enumerate() {
            t[0] += (block[d] & members).count_ones();
        }
    }
    for t in out.iter_mut() {
        t[1] = size - t[0];
    }
}

/// Per dimension (#+1, #−1, #0) of belief vectors over the members of
/// `group` (the `nz` and `sign` planes transposed 64 at a time).
pub fn tally_beliefs(beliefs: &[Belief], group: &[u64], size: u32, out: &mut [[u32; 3]]) {
    let mut nz = [0u64; 64];
    let mut sign = [0u64; 64];
    for (g, &members) in group.iter().enumerate() {
        if members == 0 {
            continue;
        }
        load(&mut nz, beliefs, g, |b| b.nz);
        load(&mut sign, beliefs, g, |b| b.sign);
        bits::transpose64(&mut nz);
        bits::transpose64(&mut sign);
        for (d, t) in out.iter_mut().enumerate() {
            let plus = (sign[d] & members).count_ones();
            t[0] += plus;
            t[1] += (nz[d] & members).count_ones() - plus;
        }
    }
    for t in out.iter_mut() {
        t[2] = size - t[0] - t[1];
    }
}

/// Rows 64·g .. 64·g + 63 of `rows` (zeros past the end) into `block`.
fn load<T: Copy>(block: &mut [u64; 64], rows: &[T], g: usize, f: impl Fn(T) -> u64) {
    let start = g * 64;
    for (j, slot) in block.iter_mut().enumerate() {
        *slot = rows.get(start + j).map_or(0, |&r| f(r));
    }
}

/// Socialization (p. 74): on each dimension where the code is non-zero and
/// the belief differs from it, with probability p1 (the individual's own
/// rate) the belief moves toward the code: one step (replication: −c → 0
/// → c) or all the way (literal).
pub fn socialize(cfg: &Config, s: &mut State, step: u32, seeds: &Seeds) {
    if s.code.nz == 0 {
        return;
    }
    let mut rng = seeds.stream(&[tag::SOCIAL, u64::from(step)]);
    let code = s.code;
    for (i, b) in s.beliefs.iter_mut().enumerate() {
        *b = socialize_one(cfg, i, *b, code, &mut rng);
    }
}

/// Socialization of individual `i`'s belief `b` toward `code` (one draw
/// per dimension where the code is non-zero and the belief differs).
#[inline]
pub(crate) fn socialize_one<R: Rng>(
    cfg: &Config,
    i: usize,
    b: Belief,
    code: Belief,
    rng: &mut R,
) -> Belief {
    let mut cand = bits::differs(b, code);
    if cand == 0 {
        return b;
    }
    let thr = cfg.thr_social(i);
    let mut moved = 0u64;
    while cand != 0 {
        let bit = cand & cand.wrapping_neg();
        if hit(rng.next_u64(), thr) {
            moved |= bit;
        }
        cand ^= bit;
    }
    match cfg.variant {
        Variant::Replication => bits::step_toward(b, code, moved),
        Variant::Literal => bits::jump_to(b, code, moved),
    }
}

/// The code's proposed move on one dimension: the target value and k, or
/// `None` when the rule leaves the code as it is. `code` is the code's
/// value; `plus`, `minus`, `zero` count the superior group's +1, −1 and 0
/// (actions have no 0).
///
/// The majority is the sign of `plus − minus` (a tie changes nothing); if
/// it equals the code, nothing changes. Otherwise k is
/// - replication: |#(+1) − #(−1)|;
/// - literal: #(superior individuals who differ from the code) − #(those
///   who agree), and the code moves only if k > 0 (footnote 1).
pub fn code_move(
    code: i8,
    plus: u32,
    minus: u32,
    zero: u32,
    variant: Variant,
) -> Option<(i8, u32)> {
    let majority: i8 = match plus.cmp(&minus) {
        std::cmp::Ordering::Greater => 1,
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => return None,
    };
    if majority == code {
        return None;
    }
    match variant {
        Variant::Replication => Some((majority, plus.abs_diff(minus))),
        Variant::Literal => {
            let agree = match code {
                1 => plus,
                -1 => minus,
                _ => zero,
            };
            let differ = plus + minus + zero - agree;
            (differ > agree).then_some((majority, differ - agree))
        }
    }
}

/// Code learning (p. 74 and footnote 1): on every dimension where the
/// superior group's majority differs from the code, the code takes it with
/// probability 1 − (1 − p2)^k.
pub fn learn_code(cfg: &Config, s: &mut State, step: u32, seeds: &Seeds) {
    if s.superior == 0 || !cfg.code_learns() {
        return;
    }
    let mut rng = seeds.stream(&[tag::CODE, u64::from(step)]);
    learn_one(cfg, &mut s.code, &s.tally, &mut rng);
}

/// The code-learning rule on one code from its superior group's counts
/// `tally` (one draw per dimension where the majority differs from it).
pub(crate) fn learn_one<R: Rng>(cfg: &Config, code: &mut Belief, tally: &[[u32; 3]], rng: &mut R) {
    for (d, t) in tally.iter().enumerate() {
        let c = code.value(d as u32);
        if let Some((target, k)) = code_move(c, t[0], t[1], t[2], cfg.variant)
            && cfg.code_hit(rng.next_u64(), k)
        {
            let bit = 1u64 << d;
            code.nz |= bit;
            if target > 0 {
                code.sign |= bit;
            } else {
                code.sign &= !bit;
            }
        }
    }
}

/// Equilibrium: nobody who can still learn (p1 > 0) differs from the code
/// where the code is non-zero, and the code cannot learn — no individual
/// could beat the code's score even if every coin fell right
/// (replication, as in Christensen 2015), or no dimension has a superior
/// majority that would move the code (literal; superiority there is not
/// random). With no turnover and no turbulence, nothing changes any more.
pub fn at_equilibrium(cfg: &Config, s: &State) -> bool {
    let settled = s
        .beliefs
        .iter()
        .enumerate()
        .all(|(i, &b)| bits::differs(b, s.code) == 0 || cfg.p1_of(i) == 0.0);
    if !settled {
        return false;
    }
    if !cfg.code_learns() {
        return true;
    }
    match cfg.variant {
        Variant::Replication => {
            let code = bits::score(s.code, s.reality);
            s.beliefs
                .iter()
                .all(|&b| bits::best_performance(b, s.reality, cfg.mask) <= code)
        }
        Variant::Literal => {
            let code_correct = bits::correct(s.code, s.reality);
            let mut group = vec![0u64; s.beliefs.len().div_ceil(64)];
            let mut size = 0;
            for (i, &b) in s.beliefs.iter().enumerate() {
                if bits::correct(b, s.reality) > code_correct {
                    group[i / 64] |= 1 << (i % 64);
                    size += 1;
                }
            }
            if size == 0 {
                return true;
            }
            let mut tally = vec![[0u32; 3]; cfg.params.m as usize];
            tally_beliefs(&s.beliefs, &group, size, &mut tally);
            tally.iter().enumerate().all(|(d, t)| {
                code_move(s.code.value(d as u32), t[0], t[1], t[2], Variant::Literal).is_none()
            })
        }
    }
}

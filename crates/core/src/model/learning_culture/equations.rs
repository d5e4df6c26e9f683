//! The model's equations, each a small pure function.
//!
//! Every function states its formula and where it comes from; docs/MODEL.md
//! collects them with their parameters. Unit tests beside each function
//! check values computed by hand. Hot-loop functions work in `f32`.

/// e^x for `f32`, inline and branch-free. x is clamped to [−87, 88] (so
/// the result is always a normal, finite number; outside that range it
/// saturates), split as x = n·ln 2 + f with n an integer (rounded with the
/// 1.5·2²³ trick, which needs no SSE4.1) and |f| ≤ ½ln 2 (ln 2 in two parts,
/// Cody & Waite 1980, so f keeps its precision); e^f by its degree-6 Taylor
/// polynomial, 2^n by building the exponent bits. Relative error below
/// 3·10⁻⁷. Unlike libm's `expf`, whose code path depends on the CPU (FMA or
/// not), it gives the same bits on every x86-64 machine.
#[inline]
pub fn exp_fast(x: f32) -> f32 {
    const MAGIC: f32 = 12_582_912.0; // 1.5·2²³
    const LN2_HI: f32 = 0.693_359_4; // 0.693359375: 11 significant bits, n·LN2_HI is exact
    const LN2_LO: f32 = -2.121_944_4e-4;
    let x = x.clamp(-87.0, 88.0);
    let n = (x * std::f32::consts::LOG2_E + MAGIC) - MAGIC;
    let f = (x - n * LN2_HI) - n * LN2_LO;
    let p = 1.0
        + f * (1.0
            + f * (0.5
                + f * (1.0 / 6.0 + f * (1.0 / 24.0 + f * (1.0 / 120.0 + f * (1.0 / 720.0))))));
    let scale = f32::from_bits(((n as i32 + 127) as u32) << 23);
    p * scale
}

/// Logistic function σ(x) = 1 / (1 + e^(−x)).
#[inline]
pub fn logistic(x: f32) -> f32 {
    1.0 / (1.0 + exp_fast(-x))
}

/// Does an employee engage this week? `u` is their uniform draw, `z` the
/// logit (w_m·m + w_b·b + team)/τ. The same event as u < p_max·σ(z),
/// written as u·(1 + e^(−z)) < p_max: a multiplication instead of a
/// division in the hot loop.
#[inline]
pub fn engages(u: f32, ceiling: f32, z: f32) -> bool {
    u * (1.0 + exp_fast(-z)) < ceiling
}

/// Engagement with habit (memory): with probability ψ an employee keeps
/// last week's state; otherwise they decide afresh, engaging with the
/// probability p_max·σ(z). One uniform `u` decides both: u < ψ keeps the
/// state, and for u ≥ ψ, (u − ψ)/(1 − ψ) is again uniform, so the fresh
/// decision is (u − ψ)·(1 + e^(−z)) < p_max·(1 − ψ) (`fresh_ceiling`).
/// The stationary share is still p_max·σ(z); a state lasts 1/(1 − ψ)
/// weeks before it is reconsidered (habit: Lally et al. 2010; Wood &
/// Neal 2007). With ψ = 0 this is [`engages`].
#[inline(always)]
pub fn engages_with_habit(u: f32, psi: f32, fresh_ceiling: f32, was: bool, z: f32) -> bool {
    let keep = u < psi;
    let fresh = (u - psi) * (1.0 + exp_fast(-z)) < fresh_ceiling;
    (keep & was) | (!keep & fresh)
}

/// The weekly carry-over ψ = e^(−1/T_h) of a habit lasting `weeks` on
/// average (0 weeks: ψ = 0, no memory).
pub fn habit_carry(weeks: f64) -> f64 {
    if weeks > 0.0 {
        (-1.0 / weeks).exp()
    } else {
        0.0
    }
}

/// The per-step carry-over ψ and explicit-learning share f of engagement
/// with habit (E21) and informal learning made explicit (E23), exact for
/// the continuous-time process they describe: a state is reconsidered at
/// the rate r = 1/T_h (then engaged with the probability p of E2), and a
/// non-engaged employee's informal learning is made explicit at the
/// hazard λ_f. Over a step of Δt that two-state chain goes from engaged to
/// not with the probability r(1 − p)(1 − D)/k and from not to engaged
/// with (rp + λ_f)(1 − D)/k, k = r + λ_f, D = e^(−kΔt). The step's draw
/// (keep the state with ψ, else decide afresh, then explicit learning
/// with f) has exactly these transitions, for every p, when
///
/// f = λ_f(1 − D)/k,   1 − ψ = r(1 − D)/(k(1 − f)).
///
/// Converting ψ and f each on its own (ψ = e^(−rΔt), f = 1 − e^(−λ_fΔt))
/// is exact only when the other is off: together they double count the
/// step's chances (the stationary share at p = 0 was f/(1 − ψ(1 − f)),
/// 0.148 at week steps and 0.180 at month steps, against λ_f/k = 0.139),
/// which was most of the gap between month and week steps (docs/MODEL.md
/// section 3). `habit_steps` is T_h in steps and `informal` the per-step
/// share 1 − e^(−λ_fΔt). Without habit (T_h = 0) a state lasts one step
/// and f is that share.
pub fn engagement_chain(habit_steps: f64, informal: f64) -> (f64, f64) {
    if habit_steps <= 0.0 {
        return (0.0, informal);
    }
    let r = 1.0 / habit_steps;
    let lambda = -(-informal).ln_1p();
    let k = r + lambda;
    let moved = -(-k).exp_m1();
    let f = lambda * moved / k;
    (1.0 - r * moved / (k * (1.0 - f)), f)
}

/// The weight of the upstream's change over a step in the exact step of
/// dx/dt = λ(u − x) when u moves linearly from u₀ to u₁ over the step:
///
/// x' = x + a·(u₀ − x) + w·(u₁ − u₀),   w = 1 − a/(λΔt),
///
/// a = 1 − e^(−λΔt) the per-step share (`share`). w ≈ a/2 for a small
/// step (the time-centred update), and it is what keeps a stock from
/// lagging its upstream by about half a step more at month steps than at
/// week steps (docs/MODEL.md section 3).
pub fn lead_weight(share: f64) -> f64 {
    let l = -(-share).ln_1p();
    if !l.is_finite() {
        // An instant approach (a = 1) follows the upstream to its end.
        1.0
    } else if l > 0.0 {
        1.0 - share / l
    } else {
        0.0
    }
}

/// Taking charge (E32): a leader's share r of their support that reaches
/// the people below them, one week on: r' = 1 − (1 − r)·ψ, ψ = e^(−Δt/T_L)
/// (so r = r₀ + (1 − r₀)(1 − e^(−t/T_L)) t weeks after taking the seat).
#[inline]
pub fn taking_charge(r: f32, carry: f32) -> f32 {
    1.0 - (1.0 - r) * carry
}

/// Engagement probability, a thresholded (Granovetter 1978) response:
///
/// p = p_max·σ((w_m·m + w_b·b + κ·(w_c·c + w_p·P) + w_s·S − θ) / τ)
///
/// `m` personal mastery, `b` belief, `c` local culture, `p` team practice,
/// `s` leader support reaching the team, `kappa` the loop coupling κ.
#[allow(clippy::too_many_arguments)]
#[inline]
pub fn engagement_probability(
    w: &EngagementCoeffs,
    kappa: f32,
    m: f32,
    b: f32,
    c: f32,
    p: f32,
    s: f32,
) -> f32 {
    engagement_from(w, m, b, team_drive(w, kappa, c, p, s))
}

/// The part of the engagement drive shared by a whole team:
/// κ·(w_c·c + w_p·P) + w_s·S − θ (computed once per team and step).
#[inline]
pub fn team_drive(w: &EngagementCoeffs, kappa: f32, c: f32, p: f32, s: f32) -> f32 {
    kappa * (w.culture * c + w.practice * p) + w.support * s - w.threshold
}

/// Engagement probability from the individual part and the team's part of
/// the drive: p_max·σ((w_m·m + w_b·b + team) / τ).
#[inline]
pub fn engagement_from(w: &EngagementCoeffs, m: f32, b: f32, team: f32) -> f32 {
    w.ceiling * logistic((w.mastery * m + w.belief * b + team) / w.softness)
}

/// `f32` copies of the engagement weights, for the hot loop.
#[derive(Debug, Clone, Copy)]
pub struct EngagementCoeffs {
    /// p_max
    pub ceiling: f32,
    /// w_m
    pub mastery: f32,
    /// w_b
    pub belief: f32,
    /// w_c
    pub culture: f32,
    /// w_p
    pub practice: f32,
    /// w_s
    pub support: f32,
    /// θ
    pub threshold: f32,
    /// τ
    pub softness: f32,
}

/// Gate that a superior puts on the support flowing to their subtree:
///
/// g(d) = f + (1 − f)·min(1, d / d*)
///
/// `d` is the superior's direct support (alignment × commitment), `d*` the
/// gate level at which support passes fully, `f` the floor that still
/// passes under a fully non-aligned superior (team autonomy).
#[inline]
pub fn gate(d: f32, level: f32, floor: f32) -> f32 {
    floor + (1.0 - floor) * (d / level).min(1.0)
}

/// Asymmetric relaxation toward a target (trust asymmetry, Slovic 1993):
///
/// x' = x + λ·(T − x),  λ = rate if T ≥ x, rate·asymmetry if T < x.
///
/// Used for beliefs, local culture and leader alignment: losses are faster
/// than gains when `asymmetry` > 1.
#[inline]
pub fn asymmetric_step(x: f32, target: f32, rate: f32, asymmetry: f32) -> f32 {
    // The choice by bits, not by a branch: half of these comparisons go
    // each way at random, which a branch predictor cannot learn.
    let lambda = select(target >= x, rate, rate * asymmetry);
    x + lambda * (target - x)
}

/// `if c { a } else { b }` by bits: a select of values that the compiler
/// keeps branch-free (and, in a loop, vectorizes: it may otherwise turn a
/// select of two loads into one load from a selected address, which the
/// vectorizer refuses).
#[inline(always)]
pub fn select(c: bool, a: f32, b: f32) -> f32 {
    let mask = 0u32.wrapping_sub(u32::from(c));
    f32::from_bits((a.to_bits() & mask) | (b.to_bits() & !mask))
}

/// Target of an employee's belief, a weighted mean of what they observe
/// (cultural transmission, Harrison & Carroll 1991):
///
/// T = (ω_p·B_peer + ω_l·S + κ·ω_c·c + e·ω_x·X) / (ω_p + ω_l + κ·ω_c + e·ω_x)
///
/// `peer` the influence-weighted peer belief, `s` leader support, `c` local
/// culture, `practice` the team's learning practice P, `engaged` whether
/// the employee is learning: their experience of learning then counts with
/// weight ω_x, X = (1 − ε)·S + ε·P (E29: learning pays off where the leader
/// gives room for it and where the team puts it to use).
#[inline]
pub fn belief_target(
    w: &BeliefCoeffs,
    kappa: f32,
    peer: f32,
    s: f32,
    c: f32,
    practice: f32,
    engaged: bool,
) -> f32 {
    let x = if engaged { w.experience } else { 0.0 };
    let lived = s + w.experience_practice * (practice - s);
    let num = w.peers * peer + w.leader * s + kappa * w.culture * c + x * lived;
    let den = w.peers + w.leader + kappa * w.culture + x;
    if den > 0.0 { num / den } else { peer }
}

/// `f32` copies of the belief weights, for the hot loop.
#[derive(Debug, Clone, Copy)]
pub struct BeliefCoeffs {
    /// ω_p
    pub peers: f32,
    /// ω_l
    pub leader: f32,
    /// ω_c
    pub culture: f32,
    /// ω_x
    pub experience: f32,
    /// ε: share of team practice in the experience of learning.
    pub experience_practice: f32,
}

/// Effective social influence: ι_eff = ι·(½ + k). The drawn, heavy-tailed
/// standing ι (Pareto, the 80:20 rule) is amplified by expertise: people
/// who know more are listened to more (expert power, French & Raven 1959).
#[inline]
pub fn effective_influence(influence: f32, knowledge: f32) -> f32 {
    influence * (0.5 + knowledge)
}

/// Knowledge after one week:
///
/// k' = k + (e·r + (1 − e)·r_i)·(1 − k) + ρ·max(0, K_c − k) − δ·k
///
/// intentional learning at rate r while engaged, informal learning from
/// daily work at the slower rate r_i otherwise (Marsick & Watkins 1990),
/// diminishing returns (1 − k), drawing on the codified stock K_c at rate
/// ρ, depreciation δ (Argote, Beckman & Epple 1990). Stays in [0, 1] when
/// the rates are in [0, 1].
#[inline]
pub fn knowledge_next(
    k: f32,
    engaged: bool,
    rates: [f32; 2],
    draw: f32,
    codified: f32,
    forgetting: f32,
) -> f32 {
    let learn = select(engaged, rates[1], rates[0]) * (1.0 - k);
    (k + learn + draw * (codified - k).max(0.0) - forgetting * k).clamp(0.0, 1.0)
}

/// Target of a team's local culture:
///
/// c* = v_P·P + v_B·B̄ + v_S·S + v_O·C   (the v sum to 1)
///
/// practice `P`, mean belief `B̄`, leader support `S`, organization culture `C`.
#[inline]
pub fn culture_target(v: [f32; 4], practice: f32, belief: f32, support: f32, org: f32) -> f32 {
    v[0] * practice + v[1] * belief + v[2] * support + v[3] * org
}

/// Weekly probability of leaving, the part shared by a team:
///
/// h = h₀·(1 + η_c·(1 − c) + η_e·(1 − e))
///
/// more leavers where local culture `c` is low and among the non-engaged.
/// Each employee adds their misfit, [`misfit_leave`].
#[inline]
pub fn leave_probability(
    base: f32,
    culture_effect: f32,
    engagement_effect: f32,
    c: f32,
    engaged: bool,
) -> f32 {
    let e = if engaged { 1.0 } else { 0.0 };
    base * (1.0 + culture_effect * (1.0 - c) + engagement_effect * (1.0 - e))
}

/// An employee's extra weekly leaving probability from misfit (the
/// attrition of attraction–selection–attrition, Schneider 1987):
/// h₀·η_f·|b − c|, belief `b` against the team's culture `c`.
/// `base_misfit` is h₀·η_f.
#[inline(always)]
pub fn misfit_leave(base_misfit: f32, b: f32, c: f32) -> f32 {
    base_misfit * (b - c).abs()
}

/// The culture an employee perceives (E28, cross-level climate: Kozlowski &
/// Klein 2000; Zohar & Luria 2005): the team's local culture `c` mixed with
/// the organization's culture `org` in the share `w`: (1 − w)·c + w·C.
#[inline]
pub fn perceived_culture(c: f32, org: f32, w: f32) -> f32 {
    c + w * (org - c)
}

/// A hire's belief after attraction and selection (Schneider 1987): the
/// drawn belief `b` moves the share s_A toward the organization's culture
/// C: b + s_A·(C − b).
#[inline]
pub fn selected_belief(b: f32, selection: f32, org_culture: f32) -> f32 {
    (b + selection * (org_culture - b)).clamp(0.0, 1.0)
}

/// Target of an adapting leader's alignment (E15): their own conviction
/// a₀ (what they brought to the seat), the superior's alignment and the
/// culture of the unit they lead,
///
/// T = (μ_0·a₀ + a_parent + μ_b·c_u)/(μ_0 + 1 + μ_b),
///
/// with c_u the headcount-weighted mean local culture of the teams below
/// (upward influence: Oc & Bashshur 2013; once a culture exists it shapes
/// its leaders: Schein 2010). The top has no superior: its term drops out.
#[inline]
pub fn alignment_target(own: f32, parent: Option<f32>, below: f32, [w0, wb]: [f32; 2]) -> f32 {
    match parent {
        Some(a) => (w0 * own + a + wb * below) / (w0 + 1.0 + wb),
        None if w0 + wb > 0.0 => (w0 * own + wb * below) / (w0 + wb),
        None => own,
    }
}

/// Codified knowledge stock after one week (Nonaka 1994 externalization):
///
/// K_c' = K_c + φ·E·max(0, K̄ − K_c) − δ_c·K_c
///
/// engaged learners (share `E`) codify what the organization knows (mean
/// knowledge `K̄`) at rate φ; the stock ages at rate δ_c. Survives turnover.
#[inline]
pub fn codified_next(kc: f64, rate: f64, engagement: f64, mean_knowledge: f64, decay: f64) -> f64 {
    (kc + rate * engagement * (mean_knowledge - kc).max(0.0) - decay * kc).clamp(0.0, 1.0)
}

/// Knowledge of a newcomer after onboarding: k₀ + o·max(0, K_c − k₀).
#[inline]
pub fn onboarded_knowledge(k0: f32, codified: f32, onboarding: f32) -> f32 {
    (k0 + onboarding * (codified - k0).max(0.0)).clamp(0.0, 1.0)
}

/// Probability that an employee volunteers for a Learnathon project:
/// min(1, π·(½ + b)·(½ + e)), with e = 1 if they were learning last week.
/// Participation is voluntary: believers and those already learning
/// volunteer more; π is the event's participation level.
#[inline]
pub fn participation_probability(participation: f32, belief: f32, engaged: bool) -> f32 {
    let e = if engaged { 1.5 } else { 0.5 };
    (participation * (0.5 + belief) * e).min(1.0)
}

/// The backing of a team's Learnathon projects (E18): the support S its
/// leaders give any learning, plus the organization's commitment χ where
/// that support lets it through: χ_t = S + χ·min(1, S/d*)·(1 − S).
/// Without commitment a project still has its team's support behind it.
#[inline]
pub fn effective_commitment(commitment: f32, support: f32, gate_level: f32) -> f32 {
    let s = support.clamp(0.0, 1.0);
    s + commitment * (s / gate_level).min(1.0) * (1.0 - s)
}

/// Performance (output at work) summed over a group of employees:
/// Σ k·(1 − τ_w·e) = K − τ_w·K_e, with K the sum of knowledge, K_e that of
/// the employees learning intentionally this step (e = 1) and τ_w the
/// share of their week that learning takes from work. Capability times
/// effort (Repenning & Sterman 2001): learning raises capability later and
/// costs effort now. Divided by the headcount it is the `performance`
/// metric.
#[inline]
pub fn performance(knowledge: f64, engaged_knowledge: f64, time_share: f64) -> f64 {
    knowledge - time_share * engaged_knowledge
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn performance_is_capability_times_effort() {
        // Two employees, k = 0.5 learning and k = 0.3 not, τ_w = 0.1:
        // 0.5·0.9 + 0.3·1 = 0.75.
        assert!((performance(0.8, 0.5, 0.1) - 0.75).abs() < 1e-12);
        // Without time taken from work, performance is knowledge.
        assert_eq!(performance(0.8, 0.5, 0.0), 0.8);
    }

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() < 1e-5
    }

    #[test]
    fn exp_fast_matches_the_exponential() {
        let mut worst = 0.0f64;
        for i in -8000..=8000 {
            let x = i as f32 * 0.01;
            let want = f64::from(x).exp();
            let rel = ((f64::from(exp_fast(x)) - want) / want).abs();
            worst = worst.max(rel);
        }
        assert!(worst < 3e-7, "worst relative error {worst}");
        assert_eq!(exp_fast(0.0), 1.0);
        // Far out of range: finite and ordered, never inf, NaN or zero.
        assert!(exp_fast(200.0).is_finite() && exp_fast(200.0) > 1e38);
        assert!(exp_fast(-200.0) > 0.0 && exp_fast(-200.0) < 1e-37);
    }

    #[test]
    fn engages_is_the_engagement_probability() {
        // u·(1 + e^(−z)) < p ⟺ u < p·σ(z), away from the boundary.
        for (u, p, z) in [
            (0.3f32, 0.9f32, 0.0f32),
            (0.5, 0.9, 0.5),
            (0.1, 0.5, -2.0),
            (0.7, 1.0, 0.9),
        ] {
            let by_probability = u < p * logistic(z);
            assert_eq!(engages(u, p, z), by_probability, "{u} {p} {z}");
        }
        // At the boundary p·σ(z) the two forms agree to rounding.
        let (p, z) = (0.8f32, 0.3f32);
        let edge = p * logistic(z);
        assert!(engages(edge - 1e-6, p, z) && !engages(edge + 1e-6, p, z));
    }

    #[test]
    fn logistic_values() {
        assert!(close(logistic(0.0), 0.5));
        // 1 / (1 + e^-2) = 0.880797
        assert!(close(logistic(2.0), 0.880_797));
        assert!(close(logistic(-2.0), 0.119_203));
    }

    #[test]
    fn engagement_by_hand() {
        let w = EngagementCoeffs {
            ceiling: 1.0,
            mastery: 1.0,
            belief: 2.0,
            culture: 2.0,
            practice: 1.0,
            support: 1.0,
            threshold: 3.0,
            softness: 0.5,
        };
        // drive = 0.5 + 2*0.5 + 1*(2*0.5 + 0.5) + 0.5 - 3 = 0.5; p = σ(1) = 0.731059
        assert!(close(
            engagement_probability(&w, 1.0, 0.5, 0.5, 0.5, 0.5, 0.5),
            0.731_059
        ));
        // κ = 0: drive = 0.5 + 1 + 0.5 - 3 = -1; p = σ(-2) = 0.119203
        assert!(close(
            engagement_probability(&w, 0.0, 0.5, 0.5, 0.5, 0.5, 0.5),
            0.119_203
        ));
        let capped = EngagementCoeffs { ceiling: 0.8, ..w };
        // 0.8 * 0.731059 = 0.584847
        assert!(close(
            engagement_probability(&capped, 1.0, 0.5, 0.5, 0.5, 0.5, 0.5),
            0.584_847
        ));
    }

    #[test]
    fn gate_by_hand() {
        assert!(close(gate(0.8, 0.4, 0.3), 1.0));
        // 0.3 + 0.7 * (0.1/0.4) = 0.475
        assert!(close(gate(0.1, 0.4, 0.3), 0.475));
        assert!(close(gate(0.0, 0.4, 0.3), 0.3));
    }

    #[test]
    fn asymmetric_step_by_hand() {
        // up: 0.5 + 0.1*(1-0.5) = 0.55
        assert!(close(asymmetric_step(0.5, 1.0, 0.1, 3.0), 0.55));
        // down: 0.5 + 0.3*(0-0.5) = 0.35
        assert!(close(asymmetric_step(0.5, 0.0, 0.1, 3.0), 0.35));
    }

    #[test]
    fn belief_target_by_hand() {
        let w = BeliefCoeffs {
            peers: 1.0,
            leader: 1.0,
            culture: 1.0,
            experience: 1.0,
            experience_practice: 0.0,
        };
        // (0.6 + 0.2 + 0.5 + 0.2) / 4 = 0.375
        assert!(close(
            belief_target(&w, 1.0, 0.6, 0.2, 0.5, 0.9, true),
            0.375
        ));
        // not engaged: (0.6 + 0.2 + 0.5) / 3 = 0.433333
        assert!(close(
            belief_target(&w, 1.0, 0.6, 0.2, 0.5, 0.9, false),
            0.433_333
        ));
        // loop off: (0.6 + 0.2) / 2 = 0.4
        assert!(close(
            belief_target(&w, 0.0, 0.6, 0.2, 0.5, 0.9, false),
            0.4
        ));
    }

    #[test]
    fn effective_influence_by_hand() {
        // 2 * (0.5 + 0.3) = 1.6
        assert!(close(effective_influence(2.0, 0.3), 1.6));
    }

    #[test]
    fn knowledge_by_hand() {
        // 0.5 + 0.01*0.5 + 0.002*(0.7-0.5) - 0.002*0.5 = 0.5044
        assert!(close(
            knowledge_next(0.5, true, [0.0, 0.01], 0.002, 0.7, 0.002),
            0.5044
        ));
        // not engaged, no informal learning, codified below k: 0.5 - 0.001 = 0.499
        assert!(close(
            knowledge_next(0.5, false, [0.0, 0.01], 0.002, 0.3, 0.002),
            0.499
        ));
        // informal learning 0.002: 0.5 + 0.002*0.5 - 0.001 = 0.5
        assert!(close(
            knowledge_next(0.5, false, [0.002, 0.01], 0.002, 0.3, 0.002),
            0.5
        ));
    }

    #[test]
    fn culture_target_by_hand() {
        // 0.4*0.5 + 0.3*0.6 + 0.2*0.8 + 0.1*0.3 = 0.57
        assert!(close(
            culture_target([0.4, 0.3, 0.2, 0.1], 0.5, 0.6, 0.8, 0.3),
            0.57
        ));
    }

    #[test]
    fn leave_probability_by_hand() {
        // 0.002 * (1 + 1*0.6 + 0.5*1) = 0.0042
        assert!(close(
            leave_probability(0.002, 1.0, 0.5, 0.4, false),
            0.0042
        ));
        assert!(close(leave_probability(0.002, 1.0, 0.5, 1.0, true), 0.002));
    }

    #[test]
    fn habit_by_hand() {
        // ψ = 0: the same event as `engages`.
        for (u, z) in [(0.3f32, 0.0f32), (0.5, 0.5), (0.1, -2.0), (0.7, 0.9)] {
            assert_eq!(
                engages_with_habit(u, 0.0, 0.9, false, z),
                engages(u, 0.9, z)
            );
            assert_eq!(engages_with_habit(u, 0.0, 0.9, true, z), engages(u, 0.9, z));
        }
        // u < ψ keeps last week's state whatever the drive.
        assert!(engages_with_habit(0.2, 0.5, 0.4, true, -50.0));
        assert!(!engages_with_habit(0.2, 0.5, 0.4, false, 50.0));
        // u ≥ ψ: fresh decision, (0.6 − 0.5)·(1 + e^0) = 0.2 < 0.8·0.5 = 0.4.
        assert!(engages_with_habit(0.6, 0.5, 0.4, false, 0.0));
        // (0.9 − 0.5)·2 = 0.8 ≥ 0.4.
        assert!(!engages_with_habit(0.9, 0.5, 0.4, true, 0.0));
        // ψ = e^(−1/8) = 0.882497
        assert!((habit_carry(8.0) - 0.882_497).abs() < 1e-6);
        assert_eq!(habit_carry(0.0), 0.0);
    }

    #[test]
    fn engagement_chain_by_hand() {
        // T_h = 8 steps, f = 0.02 a step: r = 0.125, λ_f = −ln 0.98 =
        // 0.0202027, k = 0.1452027, 1 − D = 0.1351522; f = λ_f(1 − D)/k =
        // 0.0188045, ψ = 1 − r(1 − D)/(k(1 − f)) = 0.8814216.
        let (psi, f) = engagement_chain(8.0, 0.02);
        assert!((f - 0.018_804_45).abs() < 1e-8, "{f}");
        assert!((psi - 0.881_421_6).abs() < 1e-7, "{psi}");
        // The stationary share at p = 0 of the step's chain,
        // f/(1 − ψ(1 − f)), is the continuous chain's λ_f/k = 0.139135.
        assert!((f / (1.0 - psi * (1.0 - f)) - 0.139_134_5).abs() < 1e-6);
        // Without explicit learning it is the habit alone, e^(−1/8).
        let (psi, f) = engagement_chain(8.0, 0.0);
        assert!((psi - habit_carry(8.0)).abs() < 1e-15 && f == 0.0);
        // Without habit, the share of steps.
        assert_eq!(engagement_chain(0.0, 0.02), (0.0, 0.02));
    }

    #[test]
    fn lead_weight_by_hand() {
        // λΔt = 1: a = 1 − e^(−1), w = 1 − a = e^(−1). dx/dt = t − x from
        // x(0) = 0 gives x(1) = e^(−1): x' = 0 + a·0 + w·1.
        let a = 1.0 - (-1.0f64).exp();
        assert!((lead_weight(a) - (-1.0f64).exp()).abs() < 1e-12);
        // Small steps: about a/2 (time-centred).
        assert!((lead_weight(0.001) - 0.0005).abs() < 1e-6);
        assert_eq!(lead_weight(0.0), 0.0);
        assert_eq!(lead_weight(1.0), 1.0);
    }

    #[test]
    fn taking_charge_by_hand() {
        // 1 − (1 − 0.5)·0.9 = 0.55; in charge stays in charge.
        assert!(close(taking_charge(0.5, 0.9), 0.55));
        assert_eq!(taking_charge(1.0, 0.9), 1.0);
        // 52 weekly steps with ψ = e^(−1/52): r = 1 − 0.5·e^(−1) = 0.816.
        let psi = habit_carry(52.0) as f32;
        let r = (0..52).fold(0.5, |r, _| taking_charge(r, psi));
        assert!((r - 0.816_06).abs() < 1e-4, "{r}");
    }

    #[test]
    fn asa_and_upward_by_hand() {
        // 0.002 * |0.8 - 0.3| = 0.001
        assert!(close(misfit_leave(0.002, 0.8, 0.3), 0.001));
        // 0.2 + 0.3*(0.6 - 0.2) = 0.32
        assert!(close(selected_belief(0.2, 0.3, 0.6), 0.32));
        // (1*0.7 + 0.8 + 1*0.4)/3 = 0.633333
        assert!(close(
            alignment_target(0.7, Some(0.8), 0.4, [1.0, 1.0]),
            0.633_333
        ));
        // the top: (0.7 + 0.4)/2 = 0.55
        assert!(close(alignment_target(0.7, None, 0.4, [1.0, 1.0]), 0.55));
        // no conviction, no upward influence: the superior's alignment.
        assert!(close(
            alignment_target(0.7, Some(0.8), 0.4, [0.0, 0.0]),
            0.8
        ));
        assert!(close(alignment_target(0.7, None, 0.4, [0.0, 0.0]), 0.7));
    }

    #[test]
    fn codified_by_hand() {
        // 0.2 + 0.02*0.5*(0.6-0.2) - 0.001*0.2 = 0.2038
        assert!((codified_next(0.2, 0.02, 0.5, 0.6, 0.001) - 0.2038).abs() < 1e-12);
    }

    #[test]
    fn onboarding_and_learnathon_by_hand() {
        // 0.2 + 0.5*(0.6-0.2) = 0.4
        assert!(close(onboarded_knowledge(0.2, 0.6, 0.5), 0.4));
        assert!(close(onboarded_knowledge(0.7, 0.6, 0.5), 0.7));
        // 0.6 · 0.8 · 0.5 and 0.6 · 0.8 · 1.5
        assert!(close(participation_probability(0.6, 0.3, false), 0.24));
        assert!(close(participation_probability(0.6, 0.3, true), 0.72));
        assert!(close(participation_probability(1.0, 0.9, true), 1.0));
        // 0.2 + 0.8 · min(1, 0.2/0.4) · 0.8 = 0.52; without commitment S
        assert!(close(effective_commitment(0.8, 0.2, 0.4), 0.52));
        assert!(close(effective_commitment(0.0, 0.2, 0.4), 0.2));
    }
}

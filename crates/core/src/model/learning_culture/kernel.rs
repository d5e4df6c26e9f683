//! The employee pass's common case, written for the vector units.
//!
//! In most weeks almost every slot holds an employee outside any community
//! of practice. Such an employee may leave; otherwise they engage or not
//! (or work on their Learnathon project, which may end), learn and update
//! their belief. [`fast`] computes that for a chunk of slots with no
//! branches, so the compiler vectorizes it, and marks each slot's
//! [`Outcome`]. The slots it does not finish (vacancies, community
//! members, leavers) are finished one by one by `Ctx::member` in step/slot.rs,
//! which does the same arithmetic in the same order: a test runs both on
//! every slot and compares the bits.
//!
//! The chunk function is compiled three times — for AVX-512, for AVX2 and
//! for the x86-64 baseline — and chosen once at run time ([`Kernel`]). All
//! of them give the same bits: every operation is elementwise IEEE
//! arithmetic (Rust never fuses a multiply and an add, and nothing is
//! summed across lanes), and the random numbers are integers.
//!
//! The everyday draws are counter-based: slot `i` in week `w` reads
//! SplitMix64 (Steele, Lea & Flood 2014) at position `i` of the sequence
//! keyed by (run, purpose, week). Every slot's draw is thus known without
//! generating its predecessors' — the vector units compute 8 or 16 at once.

use super::equations::{
    asymmetric_step, effective_influence, engages_with_habit, knowledge_next, misfit_leave, select,
};
use super::state::{EmployeesMut, NO_COMMUNITY, TeamInput};
use crate::engine::rng::mix64;

/// Slots per chunk: the chunk's columns and lanes stay in the L1 cache.
pub(super) const CHUNK: usize = 256;

/// Lanes written past a team's end when broadcasting its values (one
/// AVX-512 register of `f32`); the next team overwrites them.
const PAD: usize = 16;

/// The 64-bit draw of position `slot` in the sequence keyed by `key`.
#[inline(always)]
pub(super) fn draw(key: u64, slot: u64) -> u64 {
    mix64(key.wrapping_add(slot.wrapping_mul(0x9E37_79B9_7F4A_7C15)))
}

/// Two uniform `f32`s in [0, 1) from one 64-bit draw (24 bits each).
#[inline(always)]
pub(super) fn split24(x: u64) -> (f32, f32) {
    let scale = 1.0 / (1u32 << 24) as f32;
    (
        ((x >> 40) as i32) as f32 * scale,
        (((x >> 8) & 0x00FF_FFFF) as i32) as f32 * scale,
    )
}

/// What the chunk pass did with a slot (bit flags).
pub(super) struct Outcome;

impl Outcome {
    /// Left to the scalar code: a vacancy or a community member (nothing written).
    pub const SLOW: u8 = 1;
    /// The employee leaves this week (nothing written).
    pub const LEFT: u8 = 2;
    /// Their Learnathon project succeeded this week.
    pub const SUCCESS: u8 = 4;
    /// Their Learnathon project failed or was terminated this week.
    pub const FAILURE: u8 = 8;
}

/// What is the same for every member of a team this week.
#[derive(Debug, Clone, Copy)]
pub(super) struct TeamWeek {
    /// The team's share of the engagement logit, over τ.
    pub z: f32,
    /// Leave probability when not engaged / engaged last week.
    pub leave: [f32; 2],
    /// Belief target when not engaged / engaged this week.
    pub goal: [f32; 2],
    /// Chance a running project is terminated this week: ξ·(1 − χ_t).
    pub p_term: f32,
    /// Effective commitment χ_t: the chance a finished project succeeds.
    pub chi: f32,
    /// The team's local culture c (misfit is measured against it).
    pub culture: f32,
    /// What the team's members see this week (for the one-by-one code).
    pub input: TeamInput,
}

/// The team values of each slot of a chunk.
pub(super) struct Lanes {
    z: [f32; CHUNK + PAD],
    leave0: [f32; CHUNK + PAD],
    leave1: [f32; CHUNK + PAD],
    goal0: [f32; CHUNK + PAD],
    goal1: [f32; CHUNK + PAD],
    p_term: [f32; CHUNK + PAD],
    chi: [f32; CHUNK + PAD],
    culture: [f32; CHUNK + PAD],
    /// The outcome of each slot, written by [`fast`].
    pub outcome: [u8; CHUNK],
    /// Each finished slot's effective influence ι·(½ + k) and its product
    /// with belief: the tally's terms, computed where they vectorize.
    pub influence: [f32; CHUNK],
    pub weighted_belief: [f32; CHUNK],
}

impl Lanes {
    /// Zeroed lanes.
    pub fn new() -> Box<Self> {
        Box::new(Self {
            z: [0.0; CHUNK + PAD],
            leave0: [0.0; CHUNK + PAD],
            leave1: [0.0; CHUNK + PAD],
            goal0: [0.0; CHUNK + PAD],
            goal1: [0.0; CHUNK + PAD],
            p_term: [0.0; CHUNK + PAD],
            chi: [0.0; CHUNK + PAD],
            culture: [0.0; CHUNK + PAD],
            outcome: [0; CHUNK],
            influence: [0.0; CHUNK],
            weighted_belief: [0.0; CHUNK],
        })
    }

    /// Give chunk slots `a..b` the values of their team, `w`. Whole
    /// registers are stored, so up to [`PAD`] slots past `b` are written
    /// too; fill teams in slot order.
    #[inline(always)]
    fn fill(&mut self, a: usize, b: usize, w: &TeamWeek) {
        assert!(b <= CHUNK);
        let mut j = a;
        while j < b {
            self.z[j..j + PAD].copy_from_slice(&[w.z; PAD]);
            self.leave0[j..j + PAD].copy_from_slice(&[w.leave[0]; PAD]);
            self.leave1[j..j + PAD].copy_from_slice(&[w.leave[1]; PAD]);
            self.goal0[j..j + PAD].copy_from_slice(&[w.goal[0]; PAD]);
            self.goal1[j..j + PAD].copy_from_slice(&[w.goal[1]; PAD]);
            self.p_term[j..j + PAD].copy_from_slice(&[w.p_term; PAD]);
            self.chi[j..j + PAD].copy_from_slice(&[w.chi; PAD]);
            self.culture[j..j + PAD].copy_from_slice(&[w.culture; PAD]);
            j += PAD;
        }
    }
}

/// A team's slots `lo..hi` in a chunk (chunk-local), and its week.
#[derive(Debug, Clone, Copy)]
pub(super) struct Segment {
    /// The team (the chunk pass does not read it).
    pub team: usize,
    pub lo: usize,
    pub hi: usize,
    pub week: TeamWeek,
}

/// What is the same for every employee this week.
#[derive(Debug, Clone, Copy)]
pub(super) struct Week {
    /// Key of the everyday draws (leave or be filled; engage).
    pub key_everyday: u64,
    /// Key of the project draws (terminated; succeeded).
    pub key_project: u64,
    /// w_m/τ and w_b/τ.
    pub wm: f32,
    pub wb: f32,
    /// Habit carry-over ψ, and p_max·(1 − ψ) (see `engages_with_habit`).
    pub psi: f32,
    pub fresh_ceiling: f32,
    /// Weekly chance f_i that informal learning is made explicit (counts as intentional).
    pub formalize: f32,
    /// h₀·η_f: leaving probability per unit of misfit |b − c|.
    pub misfit: f32,
    /// Learning rates [informal r_i, intentional r], codified draw ρ,
    /// codified stock K_c, forgetting δ.
    pub lr: [f32; 2],
    pub draw: f32,
    pub codified: f32,
    pub forget: f32,
    /// Belief rate, and the rate during socialization.
    pub brate: f32,
    pub brate_new: f32,
    /// Weeks of socialization.
    pub soc_weeks: f32,
    /// Belief asymmetry.
    pub basym: f32,
    /// λ_s: how far one salient experience of learning (a project's
    /// outcome) moves belief toward it (a disappointment λ⁻/λ⁺ times as far).
    pub salient: f32,
    /// Learnathon: knowledge gain on success.
    pub sk: f32,
}

/// One employee's Learnathon project this week: (belief, knowledge,
/// weeks left, succeeded, failed) from the old belief, knowledge and weeks
/// left (> 0) and the two project draws.
#[inline(always)]
pub(super) fn project_week(
    c: &Week,
    b: f32,
    k: f32,
    weeks: u8,
    (u_term, u_success): (f32, f32),
    p_term: f32,
    chi: f32,
) -> (f32, f32, u8, bool, bool) {
    let terminated = u_term < p_term;
    let left = if terminated { 0 } else { weeks.wrapping_sub(1) };
    let finished = !terminated && left == 0;
    let success = finished && u_success < chi;
    let failure = terminated || (finished && !success);
    // The outcome is an experience of learning like any other (E19): belief
    // relaxes toward it by λ_s, and toward a disappointment by λ_s·λ⁻/λ⁺.
    let b = if failure {
        asymmetric_step(b, 0.0, c.salient, c.basym)
    } else if success {
        asymmetric_step(b, 1.0, c.salient, c.basym)
    } else {
        b
    };
    let k = if success { k + c.sk * (1.0 - k) } else { k };
    (b, k, left, success, failure)
}

/// Knowledge and belief after the week, given whether the employee learned.
#[inline(always)]
pub(super) fn learn_week(
    c: &Week,
    b: f32,
    k: f32,
    engaged: bool,
    goal: f32,
    tenure: u16,
) -> (f32, f32) {
    let k = knowledge_next(k, engaged, c.lr, c.draw, c.codified, c.forget);
    let b = asymmetric_step(b, goal, belief_rate(c, tenure), c.basym);
    (b.clamp(0.0, 1.0), k.clamp(0.0, 1.0))
}

/// The belief rate: faster during socialization (the first weeks).
#[inline(always)]
pub(super) fn belief_rate(c: &Week, tenure: u16) -> f32 {
    if f32::from(tenure) < c.soc_weeks {
        c.brate_new
    } else {
        c.brate
    }
}

/// The chunk pass: slots `first..first + e.len()` (global slot numbers)
/// of the teams `segments` (which cover them, in order). Writes the week's
/// state of every slot it finishes, its tally terms and every slot's outcome.
#[inline(always)]
fn body(
    c: &Week,
    first: u64,
    e: &mut EmployeesMut<'_>,
    l: &mut Lanes,
    segments: &[Segment],
    mastery: &[Gain<'_>],
) {
    let n = e.len();
    assert!(n <= CHUNK);
    for s in segments {
        l.fill(s.lo, s.hi, &s.week);
    }
    // Most chunks hold no running Learnathon project: their pass skips the
    // project arithmetic (whose results it would select away).
    let projects = e.project[..n].iter().any(|&w| w > 0);
    let w = Columns {
        belief: &mut e.belief[..n],
        knowledge: &mut e.knowledge[..n],
        engaged: &mut e.engaged[..n],
        project: &mut e.project[..n],
        tenure: &mut e.tenure[..n],
        outcome: &mut l.outcome[..n],
        influence: &mut l.influence[..n],
        weighted_belief: &mut l.weighted_belief[..n],
    };
    let read = [&e.mastery[..n], &e.influence[..n]];
    let (active, community) = (&e.active[..n], &e.community[..n]);
    let team = [
        &l.z[..n],
        &l.leave0[..n],
        &l.leave1[..n],
        &l.goal0[..n],
        &l.goal1[..n],
        &l.p_term[..n],
        &l.chi[..n],
        &l.culture[..n],
    ];
    // Called directly (not through a function pointer), so that each
    // compilation inlines the pass with its own target features.
    if projects {
        columns::<true>(c, first, w, read, active, community, team);
    } else {
        columns::<false>(c, first, w, read, active, community, team);
    }
    // The personal mastery programmes reach the employees the pass finished.
    for g in mastery {
        let (m, hit, outcome) = (&mut e.mastery[..n], &g.reached[..n], &l.outcome[..n]);
        for j in 0..n {
            let on = (outcome[j] & (Outcome::SLOW | Outcome::LEFT) == 0) & (hit[j] == 1);
            m[j] = select(on, m[j] + g.strength * (1.0 - m[j]), m[j]);
        }
    }
}

/// A personal mastery programme as the chunk pass sees it: its strength and,
/// for each slot of the chunk, whether it reaches the slot.
pub(super) struct Gain<'a> {
    pub strength: f32,
    pub reached: &'a [u8],
}

/// The columns the chunk pass writes.
struct Columns<'a> {
    belief: &'a mut [f32],
    knowledge: &'a mut [f32],
    engaged: &'a mut [u8],
    project: &'a mut [u8],
    tenure: &'a mut [u16],
    outcome: &'a mut [u8],
    influence: &'a mut [f32],
    weighted_belief: &'a mut [f32],
}

/// [`body`] on columns passed one by one: each slice is then known not to
/// overlap the others, and the loop vectorizes without run-time checks.
/// `PROJECTS` false: no slot of the chunk has a running project (every
/// `project` is 0), so the project terms are known to be unused and are not
/// computed; the bits are those of `PROJECTS` true.
#[inline(always)]
fn columns<const PROJECTS: bool>(
    c: &Week,
    first: u64,
    w: Columns<'_>,
    [mastery, influence]: [&[f32]; 2],
    active: &[u8],
    community: &[u16],
    [z, leave0, leave1, goal0, goal1, p_term, chi, cult]: [&[f32]; 8],
) {
    let n = w.outcome.len();
    let Columns {
        belief,
        knowledge,
        engaged: engaged_col,
        project,
        tenure: tenure_col,
        outcome,
        influence: w_out,
        weighted_belief: wb_out,
    } = w;
    assert!(
        [
            belief.len(),
            knowledge.len(),
            mastery.len(),
            z.len(),
            leave0.len()
        ]
        .iter()
        .all(|&x| x == n)
            && [
                leave1.len(),
                goal0.len(),
                goal1.len(),
                p_term.len(),
                chi.len(),
                cult.len()
            ]
            .iter()
            .all(|&x| x == n)
            && [engaged_col.len(), project.len(), active.len()]
                .iter()
                .all(|&x| x == n)
            && [tenure_col.len(), community.len(), influence.len()]
                .iter()
                .all(|&x| x == n)
            && w_out.len() == n
            && wb_out.len() == n
    );
    for j in 0..n {
        let slot = first + j as u64;
        let (u_leave, u_engage) = split24(draw(c.key_everyday, slot));
        let project_draws = split24(draw(c.key_project, slot));
        let (b0, k0, m) = (belief[j], knowledge[j], mastery[j]);
        let (weeks, tenure, was_engaged) = (project[j], tenure_col[j], engaged_col[j]);
        let slow = (active[j] == 0) | (community[j] != NO_COMMUNITY);
        let leaves = u_leave
            < select(was_engaged == 1, leave1[j], leave0[j]) + misfit_leave(c.misfit, b0, cult[j]);
        let on_project = PROJECTS && weeks > 0;
        let (bp, kp, left, success, failure) =
            project_week(c, b0, k0, weeks, project_draws, p_term[j], chi[j]);
        let drawn = engages_with_habit(
            u_engage,
            c.psi,
            c.fresh_ceiling,
            was_engaged == 1,
            c.wm * m + c.wb * b0 + z[j],
        );
        // Off a project, the project draws are free: the first decides
        // whether this week's informal learning is made explicit.
        let engaged = on_project | drawn | (project_draws.0 < c.formalize);
        let (b, k) = (select(on_project, bp, b0), select(on_project, kp, k0));
        let goal = select(engaged, goal1[j], goal0[j]);
        let (b, k) = learn_week(c, b, k, engaged, goal, tenure);
        let done = !slow & !leaves;
        belief[j] = select(done, b, b0);
        knowledge[j] = select(done, k, k0);
        engaged_col[j] = if done { u8::from(engaged) } else { was_engaged };
        if PROJECTS {
            project[j] = if done & on_project { left } else { weeks };
        }
        tenure_col[j] = tenure.saturating_add(u16::from(done));
        let wi = effective_influence(influence[j], k);
        w_out[j] = wi;
        wb_out[j] = wi * b;
        let flags = (u8::from(on_project & success) * Outcome::SUCCESS)
            | (u8::from(on_project & failure) * Outcome::FAILURE);
        outcome[j] = if slow {
            Outcome::SLOW
        } else if leaves {
            Outcome::LEFT
        } else {
            flags
        };
    }
}

/// Which compilation of the employee pass runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kernel {
    /// The best the processor supports.
    #[default]
    Auto,
    /// AVX-512 (16 `f32` lanes).
    Avx512,
    /// AVX2 (8 lanes).
    Avx2,
    /// The x86-64 baseline, SSE2 (4 lanes), or the target's default elsewhere.
    Baseline,
    /// No chunk pass: every slot by the one-by-one code (the reference the
    /// others are tested against).
    Scalar,
}

/// The target features each kernel's body is compiled with: the one list
/// that both the `#[target_feature]` attributes below and the run-time
/// check in [`Kernel::available`] must match (a test compares them).
#[cfg(target_arch = "x86_64")]
pub const AVX512_FEATURES: &[&str] = &[
    "avx512f", "avx512dq", "avx512bw", "avx512vl", "avx2", "bmi2",
];
/// See [`AVX512_FEATURES`].
#[cfg(target_arch = "x86_64")]
pub const AVX2_FEATURES: &[&str] = &["avx2", "bmi2"];

impl Kernel {
    /// The target features this kernel is compiled with (empty: the
    /// target's baseline).
    pub fn features(self) -> &'static [&'static str] {
        match self {
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => AVX512_FEATURES,
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => AVX2_FEATURES,
            _ => &[],
        }
    }

    /// Whether this processor can run the kernel: every feature its body
    /// is compiled with is detected at run time.
    pub fn available(self) -> bool {
        match self {
            Kernel::Auto | Kernel::Baseline | Kernel::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 | Kernel::Avx2 => self.features().iter().all(|f| detected(f)),
            #[cfg(not(target_arch = "x86_64"))]
            Kernel::Avx512 | Kernel::Avx2 => false,
        }
    }

    /// The kernel `Auto` stands for on this processor.
    pub fn resolve(self) -> Kernel {
        match self {
            Kernel::Auto if Kernel::Avx512.available() => Kernel::Avx512,
            Kernel::Auto if Kernel::Avx2.available() => Kernel::Avx2,
            Kernel::Auto => Kernel::Baseline,
            k => k,
        }
    }
}

/// Whether the processor has target feature `f` (one of the names in the
/// kernels' feature lists; `is_x86_feature_detected!` needs literals).
#[cfg(target_arch = "x86_64")]
fn detected(f: &str) -> bool {
    match f {
        "avx512f" => std::arch::is_x86_feature_detected!("avx512f"),
        "avx512dq" => std::arch::is_x86_feature_detected!("avx512dq"),
        "avx512bw" => std::arch::is_x86_feature_detected!("avx512bw"),
        "avx512vl" => std::arch::is_x86_feature_detected!("avx512vl"),
        "avx2" => std::arch::is_x86_feature_detected!("avx2"),
        "bmi2" => std::arch::is_x86_feature_detected!("bmi2"),
        "fma" => std::arch::is_x86_feature_detected!("fma"),
        // A feature this function does not know is never assumed present.
        _ => false,
    }
}

/// One compilation of [`body`], under the attributes given.
macro_rules! compiled {
    ($(#[$attr:meta])* $name:ident) => {
        $(#[$attr])*
        fn $name(
            c: &Week,
            first: u64,
            e: &mut EmployeesMut<'_>,
            l: &mut Lanes,
            s: &[Segment],
            g: &[Gain<'_>],
        ) {
            body(c, first, e, l, s, g);
        }
    };
}

// The feature strings below must equal AVX512_FEATURES / AVX2_FEATURES
// (joined by commas); `attributes_match_the_checked_features` reads this
// file to hold them together.
compiled!(
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512dq,avx512bw,avx512vl,avx2,bmi2")]
    body_avx512
);
compiled!(
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,bmi2")]
    body_avx2
);
compiled!(body_baseline);

/// Run the chunk pass with `kernel` (resolved, not [`Kernel::Scalar`]).
pub(super) fn fast(
    kernel: Kernel,
    c: &Week,
    first: u64,
    e: &mut EmployeesMut<'_>,
    l: &mut Lanes,
    segments: &[Segment],
    mastery: &[Gain<'_>],
) {
    match kernel {
        // SAFETY: `Kernel::available` checked the features when the kernel
        // was chosen (`LearningCulture::set_kernel` refuses others).
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx512 => unsafe { body_avx512(c, first, e, l, segments, mastery) },
        // SAFETY: as above.
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx2 => unsafe { body_avx2(c, first, e, l, segments, mastery) },
        _ => body_baseline(c, first, e, l, segments, mastery),
    }
}

//! Beliefs as bit planes: the arithmetic of March's model on 64-bit words.
//!
//! A belief vector over m ≤ 64 dimensions with values in {−1, 0, +1} is two
//! words: `nz` (bit d set ⇔ the belief on d is non-zero) and `sign` (bit d
//! set ⇔ the belief on d is +1; always a subset of `nz`). Reality and an
//! action (every dimension ±1) are one sign word. Scores, agreement and
//! majority counts are then popcounts: Σ_d b_d·r_d = #agree − #disagree over
//! the non-zero dimensions.

/// A vector of beliefs in {−1, 0, +1} on up to 64 dimensions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Belief {
    /// Bit d set ⇔ the belief on dimension d is non-zero.
    pub nz: u64,
    /// Bit d set ⇔ the belief on dimension d is +1 (a subset of `nz`).
    pub sign: u64,
}

impl Belief {
    /// All zero (the organizational code at the start).
    pub const ZERO: Belief = Belief { nz: 0, sign: 0 };

    /// From values in {−1, 0, +1} (dimension d = index d); for tests and
    /// hand-made states.
    ///
    /// # Panics
    /// On more than 64 values or a value outside {−1, 0, +1}.
    pub fn from_values(v: &[i8]) -> Self {
        assert!(v.len() <= 64, "at most 64 dimensions");
        let mut b = Belief::ZERO;
        for (d, &x) in v.iter().enumerate() {
            match x {
                0 => {}
                1 => {
                    b.nz |= 1 << d;
                    b.sign |= 1 << d;
                }
                -1 => b.nz |= 1 << d,
                _ => panic!("a belief is -1, 0 or +1, got {x}"),
            }
        }
        b
    }

    /// The value on dimension d.
    pub fn value(self, d: u32) -> i8 {
        let bit = 1u64 << d;
        match (self.nz & bit != 0, self.sign & bit != 0) {
            (false, _) => 0,
            (true, true) => 1,
            (true, false) => -1,
        }
    }

    /// The values on the first `m` dimensions.
    pub fn values(self, m: u32) -> Vec<i8> {
        (0..m).map(|d| self.value(d)).collect()
    }
}

/// The mask of the first `m` dimensions.
#[inline]
pub fn dims(m: u32) -> u64 {
    if m >= 64 { u64::MAX } else { (1u64 << m) - 1 }
}

/// A sign word from values ±1 (reality or an action); for tests.
pub fn signs(v: &[i8]) -> u64 {
    v.iter()
        .enumerate()
        .fold(0, |w, (d, &x)| if x > 0 { w | 1 << d } else { w })
}

/// Σ_d b_d·r_d: dimensions where the belief agrees with reality minus those
/// where it is the opposite (zeros count 0). March's "knowledge" score of a
/// belief vector (and of the code).
#[inline]
pub fn score(b: Belief, reality: u64) -> i32 {
    let wrong = b.nz & (b.sign ^ reality);
    (b.nz.count_ones() as i32) - 2 * (wrong.count_ones() as i32)
}

/// Number of dimensions on which the belief equals reality.
#[inline]
pub fn correct(b: Belief, reality: u64) -> u32 {
    (b.nz & !(b.sign ^ reality)).count_ones()
}

/// The action of a belief vector: its sign where non-zero, a fair coin
/// (bits of `coins`) where zero; masked to the `mask` dimensions.
#[inline]
pub fn act(b: Belief, coins: u64, mask: u64) -> u64 {
    (b.sign | (coins & !b.nz)) & mask
}

/// Σ_d a_d·r_d of an action over the `mask` dimensions: m − 2·#wrong.
#[inline]
pub fn performance(action: u64, reality: u64, mask: u64) -> i32 {
    mask.count_ones() as i32 - 2 * ((action ^ reality) & mask).count_ones() as i32
}

/// The best performance a belief vector can act out: its score plus one
/// for every zero belief (when every coin falls right).
#[inline]
pub fn best_performance(b: Belief, reality: u64, mask: u64) -> i32 {
    score(b, reality) + (!b.nz & mask).count_ones() as i32
}

/// Dimensions where the code is non-zero and the belief differs from it:
/// where socialization can act.
#[inline]
pub fn differs(b: Belief, code: Belief) -> u64 {
    code.nz & (!b.nz | (b.sign ^ code.sign))
}

/// Socialization by one step on the `moved` dimensions (a subset of
/// [`differs`]): a zero belief takes the code's value, a belief opposite
/// to the code becomes zero (Christensen 2015).
#[inline]
pub fn step_toward(b: Belief, code: Belief, moved: u64) -> Belief {
    let nz = b.nz ^ moved;
    Belief {
        nz,
        sign: ((b.sign & !moved) | (moved & !b.nz & code.sign)) & nz,
    }
}

/// Socialization by a jump on the `moved` dimensions: the belief takes the
/// code's value (March 1991, p. 74: "individual belief changes to that of
/// the code").
#[inline]
pub fn jump_to(b: Belief, code: Belief, moved: u64) -> Belief {
    Belief {
        nz: b.nz | moved,
        sign: (b.sign & !moved) | (code.sign & moved),
    }
}

/// Transpose a 64×64 bit matrix in place: afterwards bit i of `a[d]` is
/// what bit d of `a[i]` was (six rounds of block swaps, Warren,
/// "Hacker's Delight", §7-3).
pub fn transpose64(a: &mut [u64; 64]) {
    let mut j = 32usize;
    let mut mask: u64 = 0x0000_0000_FFFF_FFFF;
    while j != 0 {
        let mut k = 0usize;
        while k < 64 {
            let t = ((a[k] >> j) ^ a[k + j]) & mask;
            a[k + j] ^= t;
            a[k] ^= t << j;
            k = (k + j + 1) & !j;
        }
        j >>= 1;
        mask ^= mask << j;
    }
}

/// `threshold(p)`: a 64-bit draw `x` is a success with probability `p`
/// when `hit(x, threshold(p))`; exact to 2⁻⁶⁴ (p = 0 never, p = 1 always).
#[inline]
pub fn threshold(p: f64) -> u64 {
    if p >= 1.0 {
        u64::MAX
    } else if p <= 0.0 {
        0
    } else {
        (p * 18_446_744_073_709_551_616.0) as u64
    }
}

/// Whether the draw `x` succeeds against threshold `t` (see [`threshold`]).
#[inline]
pub fn hit(x: u64, t: u64) -> bool {
    x < t || t == u64::MAX
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip() {
        let v = [1, 0, -1, -1, 0, 1];
        let b = Belief::from_values(&v);
        assert_eq!(b.values(6), v);
        assert_eq!(b.sign & !b.nz, 0);
    }

    #[test]
    fn score_counts_agreement_minus_disagreement() {
        // reality + + - - ; belief + 0 + -  => +1 +0 -1 +1 = 1
        let r = signs(&[1, 1, -1, -1]);
        let b = Belief::from_values(&[1, 0, 1, -1]);
        assert_eq!(score(b, r), 1);
        assert_eq!(correct(b, r), 2);
        assert_eq!(best_performance(b, r, dims(4)), 2);
    }

    #[test]
    fn acting_flips_coins_only_on_zero_beliefs() {
        let b = Belief::from_values(&[1, 0, -1, 0]);
        assert_eq!(act(b, 0, dims(4)), signs(&[1, -1, -1, -1]));
        assert_eq!(act(b, u64::MAX, dims(4)), signs(&[1, 1, -1, 1]));
        let r = signs(&[1, 1, 1, 1]);
        assert_eq!(performance(act(b, u64::MAX, dims(4)), r, dims(4)), 2);
    }

    #[test]
    fn socialization_steps_and_jumps() {
        let code = Belief::from_values(&[1, 1, 1, 0, -1]);
        let b = Belief::from_values(&[-1, 0, 1, 1, 1]);
        assert_eq!(differs(b, code), 0b10011);
        let all = differs(b, code);
        assert_eq!(step_toward(b, code, all).values(5), [0, 1, 1, 1, 0]);
        assert_eq!(jump_to(b, code, all).values(5), [1, 1, 1, 1, -1]);
        // Only the chosen dimensions move.
        assert_eq!(step_toward(b, code, 0b10).values(5), [-1, 1, 1, 1, 1]);
    }

    #[test]
    fn transpose_is_a_transpose() {
        let mut a = [0u64; 64];
        for (i, row) in a.iter_mut().enumerate() {
            *row = crate::engine::rng::mix64(i as u64);
        }
        let orig = a;
        transpose64(&mut a);
        for (i, row) in orig.iter().enumerate() {
            for (d, col) in a.iter().enumerate() {
                assert_eq!((col >> i) & 1, (row >> d) & 1, "i {i} d {d}");
            }
        }
    }

    #[test]
    fn thresholds_cover_the_ends() {
        assert!(!hit(0, threshold(0.0)));
        assert!(hit(u64::MAX, threshold(1.0)));
        assert!(hit(0, threshold(0.5)) && !hit(1 << 63, threshold(0.5)));
    }
}

//! Parallel sums whose bits do not depend on the thread count.
//!
//! Floating-point addition is not associative, so a parallel reduction
//! that splits work by thread would change the last bits of a sum with the
//! number of threads. [`ordered_fold`] fixes the grouping instead: items
//! are folded in order within groups of a fixed size (in parallel, one
//! group per task), then the group results are combined in order.

use rayon::prelude::*;
use std::ops::Range;

/// Items per group of [`ordered_fold`]: large enough that a group is worth
/// a task, small enough that 10⁵ items still spread over the cores.
pub const GROUP: usize = 4096;

/// Fold over `0..n` in groups of [`GROUP`] consecutive items: `group(r)`
/// folds the items of range `r` in order (the groups in parallel), then
/// the group results are combined in order with `combine`, from `zero`.
/// The same bits at any thread count.
#[inline]
pub fn ordered_fold<A, F, G>(n: usize, zero: A, group: F, combine: G) -> A
where
    A: Send + Copy,
    F: Fn(Range<usize>) -> A + Sync,
    G: Fn(A, A) -> A,
{
    if n <= GROUP {
        return combine(zero, group(0..n));
    }
    let parts: Vec<A> = (0..n.div_ceil(GROUP))
        .into_par_iter()
        .map(|g| group(g * GROUP..((g + 1) * GROUP).min(n)))
        .collect();
    parts.into_iter().fold(zero, combine)
}

/// Call `f(first, chunk)` on consecutive chunks of [`GROUP`] items of `x`
/// in parallel (`first` is the index of the chunk's first item): a plain
/// loop inside each chunk, which the compiler optimizes as a whole.
#[inline]
pub fn par_groups<T, F>(x: &mut [T], f: F)
where
    T: Send,
    F: Fn(usize, &mut [T]) + Sync,
{
    x.par_chunks_mut(GROUP)
        .enumerate()
        .for_each(|(g, c)| f(g * GROUP, c));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grouping_is_fixed_whatever_the_threads() {
        let x: Vec<f32> = (0..50_000).map(|i| 1.0 / (1.0 + i as f32)).collect();
        let sum = || {
            ordered_fold(
                x.len(),
                0.0f32,
                |r| x[r].iter().fold(0.0f32, |a, &v| a + v),
                |a, b| a + b,
            )
        };
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(sum);
        let three = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap()
            .install(sum);
        assert_eq!(one.to_bits(), three.to_bits());
        // The grouped sum is the sum of the group sums, in order.
        let by_hand = x
            .chunks(GROUP)
            .map(|c| c.iter().fold(0.0f32, |a, &v| a + v))
            .fold(0.0f32, |a, b| a + b);
        assert_eq!(one.to_bits(), by_hand.to_bits());
        // Small inputs are one group.
        let small = ordered_fold(10, 0u32, |r| r.map(|i| i as u32).sum(), |a, b| a + b);
        assert_eq!(small, 45);
    }
}

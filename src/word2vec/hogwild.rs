//! Lock-free shared weight matrices for Hogwild training: the crate's one `unsafe` module.
//!
//! Besides the shared rows it holds the other speed-ups that need `unsafe`: the run-time
//! choice of an AVX2/FMA copy of the training loop ([`with_best_simd`]), the AVX2/FMA dot
//! product ([`fast_dot`]) and cache prefetch hints ([`Hogwild::prefetch`]).
//!
//! Hogwild (Recht, Ré, Wright & Niu 2011) lets every thread run stochastic gradient descent
//! on the same weights without locks. Word2Vec updates are sparse (a handful of `d`-long rows
//! per step out of `V`), so two threads rarely touch the same row at once, and when they do,
//! one update may partly overwrite the other: a lost fraction of one small step, which SGD
//! tolerates. The C tool, gensim and fastText all train this way.
//!
//! # What is and is not guaranteed
//!
//! [`Hogwild`] mutably borrows the whole matrix for its lifetime, so no other reference into
//! it exists, and every operation takes its row index, checks it, and works on that one row
//! against thread-local buffers, which cannot overlap the matrix. With **one thread** (the
//! deterministic mode) every access is therefore an ordinary exclusive access.
//!
//! With **several threads**, two threads may read and write the same `f32` at the same time
//! without synchronisation. Rust's memory model calls such a data race undefined behaviour,
//! exactly as C's does for the C tool. In practice, on the platforms Rust supports, aligned
//! `f32` loads and stores are single instructions and the race only loses or mixes updates;
//! the crate accepts that trade-off, as every Word2Vec implementation does, because
//! synchronising each row (atomics or locks) costs more than the training itself. Callers who
//! need defined behaviour in the strict sense, or bit-for-bit reproducibility, train with one
//! thread. The type is `pub(crate)`: only the trainer uses it, always on its own matrices.
//!
//! # References
//!
//! [^1]: B. Recht, C. Ré, S. Wright, F. Niu (2011), "Hogwild!: A Lock-Free Approach to
//!   Parallelizing Stochastic Gradient Descent", NeurIPS.

#![deny(clippy::undocumented_unsafe_blocks)]
#![allow(unsafe_code)] // the crate denies it everywhere else; see the module docs

use super::kernel;
use std::marker::PhantomData;

/// A row-major `rows × dim` `f32` matrix shared between training threads.
#[derive(Debug)]
pub(crate) struct Hogwild<'a> {
    ptr: *mut f32,
    rows: usize,
    dim: usize,
    _borrow: PhantomData<&'a mut [f32]>,
}

// SAFETY: the pointer comes from a `&'a mut [f32]` held for `'a`, so the memory outlives every
// use and nothing outside the `Hogwild` accesses it. Sharing it between threads is the Hogwild
// data race documented at the top of this module, accepted on purpose.
unsafe impl Send for Hogwild<'_> {}
// SAFETY: as for `Send`: `&Hogwild` only reaches the matrix through the row operations below.
unsafe impl Sync for Hogwild<'_> {}

impl<'a> Hogwild<'a> {
    /// Shares `data` as rows of `dim` (trailing elements beyond a whole row are not used).
    pub(crate) fn new(data: &'a mut [f32], dim: usize) -> Self {
        let rows = data.len().checked_div(dim).unwrap_or(0);
        Self {
            ptr: data.as_mut_ptr(),
            rows,
            dim,
            _borrow: PhantomData,
        }
    }

    /// Checks `i` and returns the offset of its row.
    ///
    /// # Panics
    ///
    /// If `i >= rows` (an internal bug: the trainer only uses vocabulary indices).
    #[inline(always)]
    fn offset(&self, i: usize) -> usize {
        assert!(i < self.rows, "Hogwild row {i} out of {}", self.rows);
        i * self.dim
    }

    /// `row_i · x` (over the first `dim` elements of `x`).
    #[inline(always)]
    pub(crate) fn dot(&self, i: usize, x: &[f32]) -> f32 {
        let off = self.offset(i);
        // SAFETY: `offset` checked `i < rows`, so `off .. off + dim` lies inside the borrowed
        // slice. `x` is a thread-local buffer and cannot overlap the matrix, which is borrowed
        // mutably for `'a`. Concurrent writers are the documented Hogwild race.
        let row = unsafe { std::slice::from_raw_parts(self.ptr.add(off), self.dim) };
        fast_dot(row, x)
    }

    /// Asks the CPU to start loading row `i` into cache (a hint: no effect on results).
    #[inline(always)]
    pub(crate) fn prefetch(&self, i: usize) {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            let off = self.offset(i);
            // SAFETY: `offset` checked the row is inside the matrix; a prefetch reads nothing
            // architecturally and cannot fault.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(self.ptr.add(off).cast::<i8>()) };
            if self.dim > 16 {
                // SAFETY: as above; `off + 16 < off + dim` is inside the row.
                unsafe { _mm_prefetch::<_MM_HINT_T0>(self.ptr.add(off + 16).cast::<i8>()) };
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = i;
    }

    /// `row_i ← row_i + α·x`.
    #[inline(always)]
    pub(crate) fn axpy(&self, i: usize, alpha: f32, x: &[f32]) {
        let off = self.offset(i);
        // SAFETY: bounds as in `dot`; this thread holds no other reference to row `i` while
        // the slice lives (it ends with this call), and `x` cannot overlap the matrix.
        let row = unsafe { std::slice::from_raw_parts_mut(self.ptr.add(off), self.dim) };
        kernel::axpy(row, alpha, x);
    }

    /// `y ← y + α·row_i`.
    #[inline(always)]
    pub(crate) fn add_to(&self, i: usize, alpha: f32, y: &mut [f32]) {
        let off = self.offset(i);
        // SAFETY: as in `dot` (a shared view of one in-bounds row for the length of the call).
        let row = unsafe { std::slice::from_raw_parts(self.ptr.add(off), self.dim) };
        kernel::axpy(y, alpha, row);
    }

    /// The fused output-row update: `e ← e + g·row_i`, then `row_i ← row_i + g·h`.
    #[inline(always)]
    pub(crate) fn update_output(&self, i: usize, g: f32, h: &[f32], e: &mut [f32]) {
        let off = self.offset(i);
        // SAFETY: as in `axpy`: one in-bounds row, exclusive within this thread for the call;
        // `h` and `e` are thread-local buffers outside the matrix.
        let row = unsafe { std::slice::from_raw_parts_mut(self.ptr.add(off), self.dim) };
        kernel::update_output(row, g, h, e);
    }
}

/// `a·b`: with AVX2 and FMA (checked at run time; the check is a cached load) by
/// [`dot_avx2`], otherwise by the portable [`kernel::dot`]. LLVM does not turn the portable
/// reduction into full-width AVX code (it splits it into 2-lane operations), and the dot
/// product is half of the arithmetic of training, so it gets explicit intrinsics here.
#[inline(always)]
pub(crate) fn fast_dot(a: &[f32], b: &[f32]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            // SAFETY: `dot_avx2` only requires the CPU features just checked.
            return unsafe { dot_avx2(a, b) };
        }
    }
    kernel::dot(a, b)
}

/// `a·b` over the common length with two 8-lane FMA accumulators.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn dot_avx2(a: &[f32], b: &[f32]) -> f32 {
    use std::arch::x86_64::{
        _mm256_add_ps, _mm256_fmadd_ps, _mm256_loadu_ps, _mm256_setzero_ps, _mm256_storeu_ps,
    };
    let n = a.len().min(b.len());
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let (mut s0, mut s1) = (_mm256_setzero_ps(), _mm256_setzero_ps());
    let mut i = 0;
    while i + 16 <= n {
        // SAFETY: `i + 16 ≤ n ≤ len` of both slices, so the four 8-float unaligned loads at
        // `i` and `i + 8` read inside them.
        unsafe {
            s0 = _mm256_fmadd_ps(_mm256_loadu_ps(pa.add(i)), _mm256_loadu_ps(pb.add(i)), s0);
            s1 = _mm256_fmadd_ps(
                _mm256_loadu_ps(pa.add(i + 8)),
                _mm256_loadu_ps(pb.add(i + 8)),
                s1,
            );
        }
        i += 16;
    }
    if i + 8 <= n {
        // SAFETY: `i + 8 ≤ n`, as above.
        unsafe {
            s0 = _mm256_fmadd_ps(_mm256_loadu_ps(pa.add(i)), _mm256_loadu_ps(pb.add(i)), s0);
        }
        i += 8;
    }
    let mut lanes = [0f32; 8];
    // SAFETY: `lanes` holds exactly the 8 floats the unaligned store writes.
    unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), _mm256_add_ps(s0, s1)) };
    let mut sum = (lanes[0] + lanes[4])
        + (lanes[1] + lanes[5])
        + (lanes[2] + lanes[6])
        + (lanes[3] + lanes[7]);
    for k in i..n {
        sum += a[k] * b[k];
    }
    sum
}

/// A piece of work to compile for the best vector instructions: its `run` (and everything
/// it calls) must be `#[inline(always)]` so that it is compiled into [`with_best_simd`]'s
/// AVX2 copy (a closure would not be inlined there).
pub(crate) trait SimdTask {
    /// What the work returns.
    type Output;
    /// Does the work.
    fn run(self) -> Self::Output;
}

/// Runs `task` compiled for AVX2 and FMA when the CPU has them (checked at run time), and as
/// plain x86-64 (SSE2) code otherwise. Measured on the benchmark corpus, the AVX2 copy of the
/// training loop saves about 10% of the CPU time per word.
#[inline]
pub(crate) fn with_best_simd<T: SimdTask>(task: T) -> T::Output {
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx2,fma")]
        fn avx2_fma<T: SimdTask>(task: T) -> T::Output {
            task.run()
        }
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            // SAFETY: the only requirement of a `#[target_feature]` function is that the CPU
            // supports the features, which was just checked.
            return unsafe { avx2_fma(task) };
        }
    }
    task.run()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_match_plain_slices() {
        let mut m = vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
        {
            let h = Hogwild::new(&mut m, 3);
            assert_eq!(h.dot(1, &[1.0, 0.0, 1.0]), 10.0);
            h.axpy(0, 2.0, &[1.0, 1.0, 1.0]);
            let mut y = [0.0; 3];
            h.add_to(1, 0.5, &mut y);
            assert_eq!(y, [2.0, 2.5, 3.0]);
            let mut e = [0.0; 3];
            h.update_output(1, 1.0, &[1.0, 1.0, 1.0], &mut e);
            assert_eq!(e, [4.0, 5.0, 6.0]);
        }
        assert_eq!(m, [3.0, 4.0, 5.0, 5.0, 6.0, 7.0]);
    }

    #[test]
    fn threads_on_disjoint_rows_see_every_update() {
        let mut m = vec![0.0f32; 4 * 8];
        {
            let h = Hogwild::new(&mut m, 8);
            std::thread::scope(|s| {
                for t in 0..4 {
                    let h = &h;
                    s.spawn(move || {
                        for _ in 0..100 {
                            h.axpy(t, 1.0, &[1.0; 8]);
                        }
                    });
                }
            });
        }
        assert!(m.iter().all(|&x| x == 100.0));
    }

    #[test]
    fn best_simd_computes_the_same_dot() {
        let a: Vec<f32> = (0..100).map(|i| i as f32 * 0.5).collect();
        struct Dot<'a>(&'a [f32]);
        impl SimdTask for Dot<'_> {
            type Output = f32;
            #[inline(always)]
            fn run(self) -> f32 {
                kernel::dot(self.0, self.0)
            }
        }
        let plain = kernel::dot(&a, &a);
        let best = with_best_simd(Dot(&a));
        assert!((plain - best).abs() <= 1e-6 * plain);
    }

    #[test]
    fn prefetch_changes_nothing() {
        for dim in [1, 16, 17, 100] {
            let mut m: Vec<f32> = (0..3 * dim).map(|i| i as f32).collect();
            let copy = m.clone();
            {
                let h = Hogwild::new(&mut m, dim);
                for i in 0..3 {
                    h.prefetch(i);
                }
            }
            assert_eq!(m, copy);
        }
    }

    #[test]
    fn fast_dot_matches_portable_dot_for_all_lengths() {
        for n in 0..70 {
            let a: Vec<f32> = (0..n).map(|i| (i as f32 * 0.37).sin()).collect();
            let b: Vec<f32> = (0..n + 3).map(|i| (i as f32 * 0.11).cos()).collect();
            let (p, f) = (kernel::dot(&a, &b), fast_dot(&a, &b));
            assert!(
                (p - f).abs() <= 1e-5 * (1.0 + p.abs()),
                "n = {n}: {p} vs {f}"
            );
        }
    }

    #[test]
    #[should_panic(expected = "out of")]
    fn out_of_range_row_panics() {
        let mut m = vec![0.0f32; 4];
        Hogwild::new(&mut m, 2).axpy(2, 1.0, &[1.0, 1.0]);
    }
}

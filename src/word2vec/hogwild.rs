//! Lock-free shared weight matrices for Hogwild training: one of the crate's three `unsafe`
//! modules (the others are the SIMD paths of `crate::kernel`: `avx2.rs` and `avx512.rs`).
//!
//! Its `unsafe` is the shared rows and their cache prefetch hints ([`Hogwild::prefetch`]);
//! the vector arithmetic on a row is the kernel home's (`crate::kernel::{dot, axpy,
//! update_output}`), and the AVX2 copy of the training loop is `crate::kernel::with_best_simd`.
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
//! thread, or in the deterministic mode (`super::deterministic`), where the shared rows are
//! only read during a round and each row is written by one thread during the merge, the two
//! phases ordered by barriers: no data race at all. The type is `pub(crate)`: only the
//! trainer uses it, always on its own matrices.
//!
//! # References
//!
//! [^1]: B. Recht, C. Ré, S. Wright, F. Niu (2011), "Hogwild!: A Lock-Free Approach to
//!   Parallelizing Stochastic Gradient Descent", NeurIPS.

#![deny(clippy::undocumented_unsafe_blocks)]
#![allow(unsafe_code)] // the crate denies it everywhere else; see the module docs

use crate::kernel;
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

    /// Number of rows.
    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// Row length.
    pub(crate) fn dim(&self) -> usize {
        self.dim
    }

    /// `out ← row_i` (the first `dim` elements of `out`).
    ///
    /// # Panics
    ///
    /// If `i >= rows` or `out` is shorter than a row (internal bugs).
    #[inline(always)]
    pub(crate) fn copy_row(&self, i: usize, out: &mut [f32]) {
        let off = self.offset(i);
        // SAFETY: bounds as in `dot`; `out` is a thread-local buffer outside the matrix. In
        // the deterministic mode no thread writes the matrix while rows are copied (the
        // round barriers order the two); in the Hogwild mode this is the documented race.
        let row = unsafe { std::slice::from_raw_parts(self.ptr.add(off), self.dim) };
        out[..self.dim].copy_from_slice(row);
    }

    /// `row_i ← x` (the first `dim` elements of `x`).
    ///
    /// # Panics
    ///
    /// If `i >= rows` or `x` is shorter than a row (internal bugs).
    #[inline(always)]
    pub(crate) fn set_row(&self, i: usize, x: &[f32]) {
        let off = self.offset(i);
        // SAFETY: bounds as in `dot`; `x` is thread-local, outside the matrix. The
        // deterministic merge writes each row from one thread only (rows are shared out by
        // residue class) while no thread reads it.
        let row = unsafe { std::slice::from_raw_parts_mut(self.ptr.add(off), self.dim) };
        row.copy_from_slice(&x[..self.dim]);
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
        kernel::dot(row, x)
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

    /// A row's dot product is the kernel home's, bit for bit, at every width.
    #[test]
    fn row_dot_is_the_kernel_dot() {
        for dim in [1, 7, 16, 33, 100, 257] {
            let mut m: Vec<f32> = (0..3 * dim).map(|i| (i as f32 * 0.37).sin()).collect();
            let x: Vec<f32> = (0..dim).map(|i| (i as f32 * 0.11).cos()).collect();
            let want = kernel::dot(&m[dim..2 * dim], &x);
            let h = Hogwild::new(&mut m, dim);
            assert_eq!(h.dot(1, &x).to_bits(), want.to_bits(), "dim = {dim}");
        }
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
    #[should_panic(expected = "out of")]
    fn out_of_range_row_panics() {
        let mut m = vec![0.0f32; 4];
        Hogwild::new(&mut m, 2).axpy(2, 1.0, &[1.0, 1.0]);
    }
}

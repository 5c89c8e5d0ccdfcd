//! The AVX-512 path (crate-internal): RTRL's hot product `C += A·B` with a small square `A`,
//! for `f64`.
//!
//! The sensitivity update multiplies the `N × N` state Jacobian into the `N × (P + N)`
//! sensitivity matrix every step: `2·N²·(P + N) ≈ 2N⁴` flops, nearly all of RTRL's time.
//! nalgebra's `gemm` goes to matrixmultiply, whose f64 kernels stop at AVX2 and which packs
//! both operands on every call. Here `A` is small (it stays in L1/L2) and the long operand is
//! read once, so a register-blocked kernel (32 rows × 6 columns of `C` in 24 AVX-512
//! accumulators, `A` repacked in 32-row panels, the next columns prefetched) runs close to
//! the FMA peak while the operands are in cache. `super` uses it for `f64` when the CPU has
//! AVX-512F (checked at run time) and falls back to nalgebra otherwise. Its sums are in a
//! different order (and fused) from nalgebra's, so the two paths agree to rounding, not bits.
//!
//! This is one of the crate's three `unsafe` modules (with `super::avx2` and Word2Vec's
//! Hogwild rows): raw-pointer SIMD loads and stores, with the bounds established once at the
//! safe entry point [`gemm_acc_f64`].
#![allow(unsafe_code)] // the crate denies it everywhere else; see the module docs

use nalgebra::{DMatrixView, DMatrixViewMut};

/// Rows of `A` per packed panel for `f64` (four AVX-512 vectors of 8).
const PANEL: usize = 32;

/// Rows of `A` per packed panel for `f32` (four AVX-512 vectors of 16).
pub(super) const PANEL_F32: usize = 64;

/// Rows per packed panel for `f64` (see [`PANEL`]).
pub(super) const PANEL_F64: usize = PANEL;

/// Whether the kernels of this module can run on this CPU.
pub(super) fn available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512f")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Packs `A` (the view `a`, or its transpose when `transposed`) into panels of `panel` rows,
/// each stored k-major (`panel` contiguous values per column `kk` of `A`, zero-padded past
/// the last row): the layout the kernels below read. Returns `A`'s shape `(m, k)`.
pub(super) fn pack<T: nalgebra::Scalar + Copy + num_traits::Zero>(
    out: &mut Vec<T>,
    a: DMatrixView<'_, T>,
    transposed: bool,
    panel: usize,
) -> (usize, usize) {
    let (m, k) = if transposed {
        (a.ncols(), a.nrows())
    } else {
        a.shape()
    };
    let panels = m.div_ceil(panel);
    out.clear();
    out.resize(panels * panel * k, T::zero());
    for (pi, dst) in out.chunks_exact_mut(panel * k).enumerate() {
        let r0 = pi * panel;
        let rows = (m - r0).min(panel);
        for kk in 0..k {
            let col = &mut dst[kk * panel..kk * panel + rows];
            if transposed {
                // A[r0 + i, kk] = a[kk, r0 + i]: a row of `a`, strided
                for (i, v) in col.iter_mut().enumerate() {
                    *v = a[(kk, r0 + i)];
                }
            } else {
                col.copy_from_slice(&a.column(kk).as_slice()[r0..r0 + rows]);
            }
        }
    }
    (m, k)
}

/// `C += A·B` for column-major `A: n × n`, `B, C: n × w` stored contiguously in `a`, `b`, `c`.
/// `pack` is scratch space (resized as needed) for `A` repacked in panels of [`PANEL`] rows.
///
/// # Panics
///
/// If the slices are shorter than those shapes need, or if [`available`] is false.
pub(super) fn gemm_acc_f64(
    c: &mut [f64],
    a: &[f64],
    b: &[f64],
    n: usize,
    w: usize,
    pack: &mut Vec<f64>,
) {
    assert!(
        a.len() >= n * n && b.len() >= n * w && c.len() >= n * w,
        "gemm_acc_f64: slices too short"
    );
    self::pack(
        pack,
        DMatrixView::from_slice(&a[..n * n], n, n),
        false,
        PANEL,
    );
    gemm_packed_f64(
        DMatrixViewMut::from_slice(&mut c[..n * w], n, w),
        pack,
        (n, n),
        DMatrixView::from_slice(&b[..n * w], n, w),
    );
}

/// Generates the safe entry point of one scalar's packed product.
macro_rules! packed_entry {
    ($name:ident, $t:ty, $panel:expr, $kernel:path) => {
        /// `C += A·B` for `A: m × k` packed by [`pack`] in panels of this type's panel height
        /// (`a`), `B: k × w` and `C: m × w` (views with unit row stride, any column stride).
        ///
        /// # Panics
        ///
        /// If the shapes disagree, `a` is too short, or [`available`] is false.
        pub(super) fn $name(
            mut c: DMatrixViewMut<'_, $t>,
            a: &[$t],
            (m, k): (usize, usize),
            b: DMatrixView<'_, $t>,
        ) {
            assert!(available(), "packed product: AVX-512F not available");
            let w = b.ncols();
            assert!(
                c.shape() == (m, w) && b.nrows() == k && a.len() >= m.div_ceil($panel) * $panel * k,
                "packed product: C is {:?}, A is {m} × {k} ({} packed values), B is {:?}",
                c.shape(),
                a.len(),
                b.shape()
            );
            if m == 0 || w == 0 || k == 0 {
                return;
            }
            let (ldb, ldc) = (b.strides().1, c.strides().1);
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the CPU supports AVX-512F (asserted above). `a` holds every panel of
            // `m` rows by `k` (asserted). The views guarantee that `B[i, j]` at
            // `b.as_ptr() + i + j·ldb` (`i < k`, `j < w`) and `C[i, j]` at
            // `c.as_mut_ptr() + i + j·ldc` (`i < m`) are valid, and the exclusive borrow
            // of `c` that no other reference reaches them: all the kernel reads and writes,
            // with the rows past `m` masked out.
            unsafe {
                $kernel(c.as_mut_ptr(), ldc, a.as_ptr(), m, k, b.as_ptr(), ldb, w)
            }
        }
    };
}

packed_entry!(gemm_packed_f64, f64, PANEL, kernel::f64s::gemm_acc);
packed_entry!(gemm_packed_f32, f32, PANEL_F32, kernel::f32s::gemm_acc);

#[cfg(target_arch = "x86_64")]
mod kernel {
    /// Generates the register-blocked kernel for one scalar type.
    macro_rules! kernels {
        (
            $m:ident, $t:ty, $v:ty, $mask:ty, $lanes:expr,
            $zero:ident, $load:ident, $set1:ident, $fmadd:ident, $add:ident,
            $maskz_load:ident, $mask_store:ident
        ) => {
            pub(super) mod $m {
                use std::arch::x86_64::*;

                /// Columns of `C` per register block.
                const NC: usize = 6;
                /// Lanes per vector.
                const L: usize = $lanes;
                /// Rows per packed panel (four vectors).
                const PANEL: usize = 4 * L;

                /// Lane mask of rows `L·v .. L·v + L` that are inside `0..rows`.
                #[inline(always)]
                fn mask(rows: usize, v: usize) -> $mask {
                    let left = rows.saturating_sub(L * v).min(L);
                    ((1u32 << left) - 1) as $mask
                }

                /// `C[r0.., j0..j0+NCOL] += A[r0.., :]·B[:, j0..j0+NCOL]` for up to `L·MV`
                /// rows (`masks` keep the rows below `m`). `a` is the packed panel of rows
                /// `r0..r0 + PANEL` (`A[r0 + i, kk]` at `a + PANEL·kk + i`); `b` and `c`
                /// point at `B[0, j0]` and `C[r0, j0]`.
                ///
                /// # Safety
                ///
                /// AVX-512F must be available; the addresses `a + PANEL·kk + L·v + lane` (all
                /// lanes), `b + j·ldb + kk` and, for every unmasked lane,
                /// `c + j·ldc + L·v + lane` (`kk < k`, `j < NCOL`, `v < MV`) must be in
                /// bounds. Masked-out lanes of `c` are never touched (AVX-512 masked loads and
                /// stores suppress faults on them).
                // Index loops over the register arrays: the micro-kernel reads as the maths,
                // and the constant bounds unroll completely.
                #[allow(clippy::needless_range_loop, clippy::too_many_arguments)]
                #[inline(always)]
                unsafe fn block<const MV: usize, const NCOL: usize>(
                    c: *mut $t,
                    ldc: usize,
                    a: *const $t,
                    k: usize,
                    b: *const $t,
                    ldb: usize,
                    masks: [$mask; MV],
                ) {
                    // SAFETY: AVX-512F is available and every access is in bounds for the
                    // unmasked lanes, as this function's contract requires.
                    unsafe {
                        let mut acc = [[$zero(); NCOL]; MV];
                        for kk in 0..k {
                            let mut av = [$zero(); MV];
                            for v in 0..MV {
                                // A[r0 + L·v + lane, kk] from the packed panel
                                av[v] = $load(a.add(kk * PANEL + L * v));
                            }
                            for j in 0..NCOL {
                                // B[kk, j0 + j]
                                let bj = $set1(*b.add(j * ldb + kk));
                                for v in 0..MV {
                                    acc[v][j] = $fmadd(av[v], bj, acc[v][j]);
                                }
                            }
                        }
                        for j in 0..NCOL {
                            for v in 0..MV {
                                // C[r0 + L·v + lane, j0 + j]
                                let p = c.add(j * ldc + L * v);
                                let old = $maskz_load(masks[v], p);
                                $mask_store(p, masks[v], $add(old, acc[v][j]));
                            }
                        }
                    }
                }

                /// One packed panel of rows `r0 .. r0 + PANEL` times all the columns of `B`,
                /// in blocks of `NC`, 4, 2 and 1 columns: the panel (`PANEL·k` values) stays in
                /// L1/L2 while it is used `w / NC` times, and `B` (`k × w`, small for a
                /// recurrent step) stays in cache across the panels.
                ///
                /// # Safety
                ///
                /// AVX-512F available; `a` points at the panel (`PANEL·k` values); `b` holds
                /// `k` rows of columns `0..w` at stride `ldb`, and `c` (pointing at row `r0`)
                /// `rows` rows of them at stride `ldc`.
                #[allow(clippy::too_many_arguments)]
                #[inline(always)]
                unsafe fn panel(
                    c: *mut $t,
                    ldc: usize,
                    a: *const $t,
                    rows: usize,
                    k: usize,
                    b: *const $t,
                    ldb: usize,
                    w: usize,
                ) {
                    let mk = |v| mask(rows, v);
                    macro_rules! cols {
                        ($ncol:expr, $j0:expr) => {{
                            // SAFETY: columns j0 .. j0 + NCOL ≤ w and rows (masked to `rows`)
                            // are in bounds by this function's contract.
                            unsafe {
                                let (cp, bp) = (c.add($j0 * ldc), b.add($j0 * ldb));
                                if rows > 3 * L {
                                    block::<4, { $ncol }>(
                                        cp,
                                        ldc,
                                        a,
                                        k,
                                        bp,
                                        ldb,
                                        [mk(0), mk(1), mk(2), mk(3)],
                                    )
                                } else if rows > 2 * L {
                                    block::<3, { $ncol }>(
                                        cp,
                                        ldc,
                                        a,
                                        k,
                                        bp,
                                        ldb,
                                        [mk(0), mk(1), mk(2)],
                                    )
                                } else if rows > L {
                                    block::<2, { $ncol }>(cp, ldc, a, k, bp, ldb, [mk(0), mk(1)])
                                } else {
                                    block::<1, { $ncol }>(cp, ldc, a, k, bp, ldb, [mk(0)])
                                }
                            }
                        }};
                    }
                    let mut j0 = 0;
                    while j0 + NC <= w {
                        cols!(NC, j0);
                        j0 += NC;
                    }
                    while j0 + 4 <= w {
                        cols!(4, j0);
                        j0 += 4;
                    }
                    while j0 + 2 <= w {
                        cols!(2, j0);
                        j0 += 2;
                    }
                    while j0 < w {
                        cols!(1, j0);
                        j0 += 1;
                    }
                }

                /// `C += A·B`, `A: m × k` packed in panels, `B: k × w` and `C: m × w`
                /// column-major with column strides `ldb` and `ldc`.
                ///
                /// # Safety
                ///
                /// AVX-512F must be available; `a` must point to `⌈m/PANEL⌉·PANEL·k`
                /// elements, `b` to `(w − 1)·ldb + k` and `c` to `(w − 1)·ldc + m`.
                #[allow(clippy::too_many_arguments)]
                #[target_feature(enable = "avx512f")]
                pub(crate) unsafe fn gemm_acc(
                    c: *mut $t,
                    ldc: usize,
                    a: *const $t,
                    m: usize,
                    k: usize,
                    b: *const $t,
                    ldb: usize,
                    w: usize,
                ) {
                    // Columns in chunks of CHUNK (a `k × CHUNK` block of `B` stays in L2),
                    // each chunk times every panel of `A`: a recurrent step's few columns are
                    // one chunk, so `A` is read once; RTRL's thousands of columns stream `B`
                    // once while its small `A` stays in cache.
                    const CHUNK: usize = 8 * NC;
                    let mut j0 = 0;
                    while j0 < w {
                        let cw = CHUNK.min(w - j0);
                        let mut r0 = 0;
                        while r0 < m {
                            // SAFETY: panel r0 / PANEL exists (`PANEL·k` values from
                            // `a + r0·k`); rows r0 .. min(r0 + PANEL, m) of `c` and columns
                            // j0 .. j0 + cw ≤ w of `b` and `c` are in bounds by this
                            // function's contract.
                            unsafe {
                                panel(
                                    c.add(j0 * ldc + r0),
                                    ldc,
                                    a.add(r0 * k),
                                    m - r0,
                                    k,
                                    b.add(j0 * ldb),
                                    ldb,
                                    cw,
                                )
                            };
                            r0 += PANEL;
                        }
                        j0 += cw;
                    }
                }
            }
        };
    }

    kernels!(
        f64s,
        f64,
        __m512d,
        __mmask8,
        8,
        _mm512_setzero_pd,
        _mm512_loadu_pd,
        _mm512_set1_pd,
        _mm512_fmadd_pd,
        _mm512_add_pd,
        _mm512_maskz_loadu_pd,
        _mm512_mask_storeu_pd
    );
    kernels!(
        f32s,
        f32,
        __m512,
        __mmask16,
        16,
        _mm512_setzero_ps,
        _mm512_loadu_ps,
        _mm512_set1_ps,
        _mm512_fmadd_ps,
        _mm512_add_ps,
        _mm512_maskz_loadu_ps,
        _mm512_mask_storeu_ps
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::DMatrix;

    /// Every row tail (n mod 32 in 1..=4 vectors) and column tail (w mod 6, mod 4) against nalgebra's product.
    #[test]
    fn kernel_matches_nalgebra() {
        if !available() {
            return;
        }
        let mut pack = Vec::new();
        for n in [1usize, 3, 8, 9, 16, 17, 24, 25, 31, 32, 33, 40, 70] {
            for w in [1usize, 4, 5, 6, 7, 11, 12, 29, 50] {
                let a = DMatrix::<f64>::from_fn(n, n, |i, j| ((i * 7 + j * 3) % 11) as f64 - 5.0);
                let b = DMatrix::<f64>::from_fn(n, w, |i, j| ((i * 5 + j) % 13) as f64 * 0.25);
                let c0 = DMatrix::<f64>::from_fn(n, w, |i, j| (i + j) as f64);
                let want = &c0 + &a * &b;
                let mut c = c0.clone();
                gemm_acc_f64(
                    c.as_mut_slice(),
                    a.as_slice(),
                    b.as_slice(),
                    n,
                    w,
                    &mut pack,
                );
                assert!((c - want).norm() <= 1e-12, "n = {n}, w = {w}");
            }
        }
    }

    #[test]
    #[should_panic(expected = "slices too short")]
    fn short_slices_panic() {
        gemm_acc_f64(&mut [0.0; 3], &[0.0; 4], &[0.0; 4], 2, 2, &mut Vec::new());
    }
}

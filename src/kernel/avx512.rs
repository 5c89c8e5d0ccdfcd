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

/// Rows of `A` per packed panel (four AVX-512 vectors).
const PANEL: usize = 32;

/// Whether [`gemm_acc_f64`] can run on this CPU.
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
    assert!(available(), "gemm_acc_f64: AVX-512F not available");
    // Panels of PANEL rows of A, each stored k-major (PANEL contiguous values per k,
    // zero-padded past row n): the kernel then reads one contiguous PANEL·n run per panel.
    const PH: usize = PANEL;
    let panels = n.div_ceil(PH);
    pack.clear();
    pack.resize(panels * PH * n, 0.0);
    for (pi, panel) in pack.chunks_exact_mut(PH * n).enumerate() {
        let r0 = pi * PH;
        let rows = (n - r0).min(PH);
        for k in 0..n {
            panel[k * PH..k * PH + rows].copy_from_slice(&a[k * n + r0..k * n + r0 + rows]);
        }
    }
    #[cfg(target_arch = "x86_64")]
    // SAFETY: the CPU supports AVX-512F (asserted above); `b` and `c` hold at least `n·w`
    // elements and `pack` exactly `PANEL·n` per panel of PANEL rows, which is all the kernel
    // reads and writes.
    unsafe {
        kernel::gemm_acc(c.as_mut_ptr(), pack.as_ptr(), b.as_ptr(), n, w)
    }
}

#[cfg(target_arch = "x86_64")]
mod kernel {
    use std::arch::x86_64::*;

    /// Columns of `C` per register block.
    const NC: usize = 6;
    use super::PANEL;

    /// Lane mask of rows `8·v .. 8·v + 8` that are inside `0..rows`.
    #[inline(always)]
    fn mask(rows: usize, v: usize) -> __mmask8 {
        let left = rows.saturating_sub(8 * v).min(8);
        ((1u16 << left) - 1) as __mmask8
    }

    /// `C[r0.., j0..j0+NCOL] += A[r0.., :]·B[:, j0..j0+NCOL]` for up to `8·MV` rows
    /// (`masks` keep the rows below `n`). `a` is the packed panel of rows `r0..r0 + PANEL`
    /// (`A[r0 + i, k]` at `a + PANEL·k + i`); `b` and `c` point at `B[0, j0]` and `C[r0, j0]`.
    ///
    /// # Safety
    ///
    /// AVX-512F must be available; the addresses `a + PANEL·k + 8v + lane` (all lanes),
    /// `b + j·n + k` and, for every unmasked lane, `c + j·n + 8v + lane` (`k < n`,
    /// `j < NCOL`, `v < MV`) must be in bounds. Masked-out lanes of `c` are never touched
    /// (AVX-512 masked loads and stores suppress faults on them).
    // Index loops over the register arrays: the micro-kernel reads as the maths, and the
    // constant bounds unroll completely.
    #[allow(clippy::needless_range_loop)]
    #[inline(always)]
    unsafe fn block<const MV: usize, const NCOL: usize>(
        c: *mut f64,
        a: *const f64,
        b: *const f64,
        n: usize,
        masks: [__mmask8; MV],
    ) {
        // SAFETY: AVX-512F is available and every access is in bounds for the unmasked lanes,
        // as this function's contract requires; see the comments at each access.
        unsafe {
            let mut acc = [[_mm512_setzero_pd(); NCOL]; MV];
            for k in 0..n {
                let mut av = [_mm512_setzero_pd(); MV];
                for v in 0..MV {
                    // A[r0 + 8v + lane, k] from the packed panel
                    av[v] = _mm512_loadu_pd(a.add(k * PANEL + 8 * v));
                }
                for j in 0..NCOL {
                    // B[k, j0 + j]
                    let bj = _mm512_set1_pd(*b.add(j * n + k));
                    for v in 0..MV {
                        acc[v][j] = _mm512_fmadd_pd(av[v], bj, acc[v][j]);
                    }
                }
            }
            for j in 0..NCOL {
                for v in 0..MV {
                    // C[r0 + 8v + lane, j0 + j]
                    let p = c.add(j * n + 8 * v);
                    let old = _mm512_maskz_loadu_pd(masks[v], p);
                    _mm512_mask_storeu_pd(p, masks[v], _mm512_add_pd(old, acc[v][j]));
                }
            }
        }
    }

    /// All row blocks of the columns `j0 .. j0 + NCOL`.
    ///
    /// # Safety
    ///
    /// AVX-512F available; `a` holds the `⌈n/PANEL⌉` packed panels (`PANEL·n` each), `b` and `c`
    /// hold at least `(j0 + NCOL)·n` elements.
    #[inline(always)]
    unsafe fn columns<const NCOL: usize>(
        c: *mut f64,
        a: *const f64,
        b: *const f64,
        n: usize,
        w: usize,
        j0: usize,
    ) {
        // Fetch the next column block of B and C into L1 while this one is computed: the
        // columns are short (n values), too short for the hardware prefetcher to ramp up.
        let next = (j0 + NCOL) * n;
        let end = w * n;
        let mut off = next;
        while off < (next + NCOL * n).min(end) {
            // SAFETY: prefetches do not fault and `off < w·n` keeps the addresses in bounds.
            unsafe {
                _mm_prefetch::<_MM_HINT_T0>(b.add(off).cast::<i8>());
                _mm_prefetch::<_MM_HINT_T0>(c.add(off).cast::<i8>());
            }
            off += 8;
        }
        let mut r0 = 0;
        while r0 < n {
            let rows = n - r0;
            // SAFETY: panel r0 / PANEL exists, and rows r0 .. r0 + PANEL (masked to < n) and
            // columns j0 .. j0 + NCOL are in bounds by this function's contract.
            unsafe {
                let (cp, ap, bp) = (c.add(j0 * n + r0), a.add(r0 * n), b.add(j0 * n));
                let m = |v| mask(rows, v);
                match rows {
                    25.. => block::<4, NCOL>(cp, ap, bp, n, [m(0), m(1), m(2), m(3)]),
                    17..=24 => block::<3, NCOL>(cp, ap, bp, n, [m(0), m(1), m(2)]),
                    9..=16 => block::<2, NCOL>(cp, ap, bp, n, [m(0), m(1)]),
                    _ => block::<1, NCOL>(cp, ap, bp, n, [m(0)]),
                }
            }
            r0 += PANEL;
        }
    }

    /// `C += A·B`, `A: n × n` packed in panels, `B, C: n × w` column-major and contiguous.
    ///
    /// # Safety
    ///
    /// AVX-512F must be available; `a` must point to `⌈n/PANEL⌉·PANEL·n` and `b`, `c` to `n·w`
    /// elements.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn gemm_acc(c: *mut f64, a: *const f64, b: *const f64, n: usize, w: usize) {
        let mut j0 = 0;
        while j0 + NC <= w {
            // SAFETY: columns j0 .. j0 + NC ≤ w.
            unsafe { columns::<NC>(c, a, b, n, w, j0) };
            j0 += NC;
        }
        while j0 + 4 <= w {
            // SAFETY: columns j0 .. j0 + 4 ≤ w.
            unsafe { columns::<4>(c, a, b, n, w, j0) };
            j0 += 4;
        }
        while j0 < w {
            // SAFETY: column j0 < w.
            unsafe { columns::<1>(c, a, b, n, w, j0) };
            j0 += 1;
        }
    }
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

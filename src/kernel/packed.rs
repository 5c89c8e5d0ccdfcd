//! The packed product (crate-internal): `C += A·B` with `A` repacked once into panels and a
//! register-blocked kernel, in an AVX-512F and an AVX2+FMA version chosen at run time.
//!
//! Two callers multiply one matrix into many right-hand sides. A recurrent step multiplies
//! the same `W` (`H × H`, or `4H × H` for an LSTM) into the batch's few columns at every step
//! of a sequence; RTRL multiplies the small `N × N` state Jacobian into the `N × (P + N)`
//! sensitivity matrix (`2N⁴` flops, nearly all of RTRL's time). nalgebra's `gemm` goes to
//! matrixmultiply, which packs both operands on every call; here `A` is packed once (k-major
//! panels of `PANEL` rows, zero-padded) and the kernel streams `B` and `C` in place:
//!
//! | instruction set | `f32` panel × columns | `f64` panel × columns | accumulators |
//! |---|---|---|---|
//! | AVX-512F | 64 × 6 | 32 × 6 | 24 of 32 `zmm` |
//! | AVX2 + FMA | 16 × 6 | 8 × 6 | 12 of 16 `ymm` |
//!
//! Columns go in chunks of 48 (a `k × 48` block of `B` stays in L2), each chunk times every
//! panel: a step's few columns read `A` once, RTRL's thousands stream `B` once while its
//! small `A` stays in cache. The kernels sum in another order (and fused) than nalgebra's, so
//! the paths agree to rounding, not bits. Without either instruction set, [`isa`] is `None`
//! and the callers keep nalgebra's product.
//!
//! This is one of the crate's three `unsafe` modules (with `super::avx2` and Word2Vec's
//! Hogwild rows): raw-pointer SIMD loads and stores, with the bounds established once at the
//! safe entry points.
#![allow(unsafe_code)] // the crate denies it everywhere else; see the module docs

use nalgebra::{DMatrixView, DMatrixViewMut};

/// The packed product's instruction set on this CPU (checked at run time, cached by `std`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Isa {
    /// 512-bit vectors with lane masks.
    Avx512,
    /// 256-bit vectors with fused multiply–add.
    Avx2,
}

/// The best packed-product instruction set of this CPU, if any.
pub(super) fn isa() -> Option<Isa> {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            return Some(Isa::Avx512);
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            return Some(Isa::Avx2);
        }
    }
    None
}

/// Whether this CPU has a packed product.
pub(super) fn available() -> bool {
    isa().is_some()
}

/// Rows per `f32` panel for `isa`.
pub(super) fn panel_f32(isa: Isa) -> usize {
    match isa {
        Isa::Avx512 => 64,
        Isa::Avx2 => 16,
    }
}

/// Rows per `f64` panel for `isa`.
pub(super) fn panel_f64(isa: Isa) -> usize {
    match isa {
        Isa::Avx512 => 32,
        Isa::Avx2 => 8,
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
/// `pack` is scratch space (resized as needed) for `A` repacked in panels.
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
    let isa = isa().expect("packed product: no AVX-512F or AVX2+FMA on this CPU");
    self::pack(
        pack,
        DMatrixView::from_slice(&a[..n * n], n, n),
        false,
        panel_f64(isa),
    );
    gemm_packed_f64(
        isa,
        DMatrixViewMut::from_slice(&mut c[..n * w], n, w),
        pack,
        (n, n),
        DMatrixView::from_slice(&b[..n * w], n, w),
    );
}

/// Generates the safe entry point of one scalar's packed product.
macro_rules! packed_entry {
    ($name:ident, $t:ty, $panel:ident, $m:ident) => {
        /// `C += A·B` for `A: m × k` packed by [`pack`] in panels of `isa`'s height for this
        /// type (`a`), `B: k × w` and `C: m × w` (views with unit row stride, any column
        /// stride), by `isa`'s kernel.
        ///
        /// # Panics
        ///
        /// If the shapes disagree, `a` is too short, or the CPU lacks `isa`'s instructions.
        pub(super) fn $name(
            isa: Isa,
            mut c: DMatrixViewMut<'_, $t>,
            a: &[$t],
            (m, k): (usize, usize),
            b: DMatrixView<'_, $t>,
        ) {
            let best = self::isa();
            assert!(
                best == Some(isa) || (isa == Isa::Avx2 && best == Some(Isa::Avx512)),
                "packed product: {isa:?} is not available on this CPU"
            );
            let panel = $panel(isa);
            let w = b.ncols();
            assert!(
                c.shape() == (m, w) && b.nrows() == k && a.len() >= m.div_ceil(panel) * panel * k,
                "packed product: C is {:?}, A is {m} × {k} ({} packed values), B is {:?}",
                c.shape(),
                a.len(),
                b.shape()
            );
            if m == 0 || w == 0 || k == 0 {
                return;
            }
            let (ldb, ldc) = (b.strides().1, c.strides().1);
            let (cp, ap, bp) = (c.as_mut_ptr(), a.as_ptr(), b.as_ptr());
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the CPU supports `isa`'s instructions (asserted above; AVX-512F CPUs
            // have AVX2 and FMA). `a` holds every panel of `m` rows by `k` at `isa`'s panel
            // height (asserted). The views guarantee that `B[i, j]` at `bp + i + j·ldb`
            // (`i < k`, `j < w`) and `C[i, j]` at `cp + i + j·ldc` (`i < m`) are valid, and
            // the exclusive borrow of `c` that no other reference reaches them: all the
            // kernel reads and writes, with the rows past `m` masked out.
            unsafe {
                match isa {
                    Isa::Avx512 => kernel512::$m::gemm_acc(cp, ldc, ap, m, k, bp, ldb, w),
                    Isa::Avx2 => kernel256::$m::gemm_acc(cp, ldc, ap, m, k, bp, ldb, w),
                }
            }
        }
    };
}

packed_entry!(gemm_packed_f64, f64, panel_f64, f64s);
packed_entry!(gemm_packed_f32, f32, panel_f32, f32s);

/// Generates the register-blocked kernel for one scalar type and instruction set: `MV`
/// vectors of `L` lanes per panel, `NC` columns per register block. `$mask_of(left)` is the
/// lane mask of the first `min(left, L)` lanes, `$add_store(p, mask, acc)` adds `acc` to the
/// unmasked lanes at `p` without touching the others.
#[cfg(target_arch = "x86_64")]
macro_rules! kernels {
    (
        $m:ident, $feature:literal, $t:ty, $v:ty, $mask:ty, $lanes:expr, $mv:expr,
        $zero:path, $load:path, $set1:path, $fmadd:path, $mask_of:path, $add_store:path
    ) => {
        pub(super) mod $m {
            use std::arch::x86_64::*;

            /// Columns of `C` per register block.
            const NC: usize = 6;
            /// Lanes per vector.
            const L: usize = $lanes;
            /// Vectors per panel.
            const MV: usize = $mv;
            /// Rows per packed panel.
            const PANEL: usize = MV * L;

            /// `C[r0.., j0..j0+NCOL] += A[r0.., :]·B[:, j0..j0+NCOL]` for up to `L·V` rows
            /// (`masks` keep the rows below `m`). `a` is the packed panel of rows
            /// `r0..r0 + PANEL` (`A[r0 + i, kk]` at `a + PANEL·kk + i`); `b` and `c` point at
            /// `B[0, j0]` and `C[r0, j0]`.
            ///
            /// # Safety
            ///
            /// The module's instruction set must be available; the addresses
            /// `a + PANEL·kk + L·v + lane` (all lanes), `b + j·ldb + kk` and, for every
            /// unmasked lane, `c + j·ldc + L·v + lane` (`kk < k`, `j < NCOL`, `v < V`) must be
            /// in bounds. Masked-out lanes of `c` are never touched (masked loads and stores
            /// suppress faults on them).
            // Index loops over the register arrays: the micro-kernel reads as the maths,
            // and the constant bounds unroll completely.
            #[allow(clippy::needless_range_loop, clippy::too_many_arguments)]
            #[inline(always)]
            unsafe fn block<const V: usize, const NCOL: usize>(
                c: *mut $t,
                ldc: usize,
                a: *const $t,
                k: usize,
                b: *const $t,
                ldb: usize,
                masks: [$mask; V],
            ) {
                // SAFETY: the instruction set is available and every access is in bounds
                // for the unmasked lanes, as this function's contract requires.
                unsafe {
                    let mut acc = [[$zero(); NCOL]; V];
                    for kk in 0..k {
                        let mut av = [$zero(); V];
                        for v in 0..V {
                            // A[r0 + L·v + lane, kk] from the packed panel
                            av[v] = $load(a.add(kk * PANEL + L * v));
                        }
                        for j in 0..NCOL {
                            // B[kk, j0 + j]
                            let bj = $set1(*b.add(j * ldb + kk));
                            for v in 0..V {
                                acc[v][j] = $fmadd(av[v], bj, acc[v][j]);
                            }
                        }
                    }
                    for j in 0..NCOL {
                        for v in 0..V {
                            // C[r0 + L·v + lane, j0 + j]
                            $add_store(c.add(j * ldc + L * v), masks[v], acc[v][j]);
                        }
                    }
                }
            }

            /// One packed panel of rows `r0 .. r0 + PANEL` times all the columns of `B`, in
            /// blocks of `NC`, 4, 2 and 1 columns: the panel (`PANEL·k` values) stays in
            /// L1/L2 while it is used `w / NC` times, and `B` (`k × w`, small for a recurrent
            /// step) stays in cache across the panels.
            ///
            /// # Safety
            ///
            /// The instruction set available; `a` points at the panel (`PANEL·k` values); `b`
            /// holds `k` rows of columns `0..w` at stride `ldb`, and `c` (pointing at row
            /// `r0`) `rows` rows of them at stride `ldc`.
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
                let mk = |v: usize| $mask_of(rows.saturating_sub(L * v));
                macro_rules! cols {
                    ($ncol:expr, $j0:expr) => {{
                        // SAFETY: columns j0 .. j0 + NCOL ≤ w and rows (masked to `rows`)
                        // are in bounds by this function's contract.
                        unsafe {
                            let (cp, bp) = (c.add($j0 * ldc), b.add($j0 * ldb));
                            if MV >= 4 && rows > 3 * L {
                                let masks = [mk(0), mk(1), mk(2), mk(3)];
                                block::<4, { $ncol }>(cp, ldc, a, k, bp, ldb, masks)
                            } else if MV >= 3 && rows > 2 * L {
                                let masks = [mk(0), mk(1), mk(2)];
                                block::<3, { $ncol }>(cp, ldc, a, k, bp, ldb, masks)
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
            /// The instruction set must be available; `a` must point to
            /// `⌈m/PANEL⌉·PANEL·k` elements, `b` to `(w − 1)·ldb + k` and `c` to
            /// `(w − 1)·ldc + m`.
            #[allow(clippy::too_many_arguments)]
            #[target_feature(enable = $feature)]
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
                // Columns in chunks of CHUNK (a `k × CHUNK` block of `B` stays in L2), each
                // chunk times every panel of `A`: a recurrent step's few columns are one
                // chunk, so `A` is read once; RTRL's thousands of columns stream `B` once
                // while its small `A` stays in cache.
                const CHUNK: usize = 8 * NC;
                // The inner dimension in slices of at most KC: a panel's slice (PANEL·KC
                // values, 32 KiB for f32 on AVX-512) stays in L1 while the chunk's column
                // blocks reuse it; `C` takes one partial sum per slice.
                const KC: usize = 128;
                let slices = k.div_ceil(KC);
                let kc = k.div_ceil(slices.max(1));
                let mut j0 = 0;
                while j0 < w {
                    let cw = CHUNK.min(w - j0);
                    let mut r0 = 0;
                    while r0 < m {
                        let mut k0 = 0;
                        while k0 < k {
                            let kw = kc.min(k - k0);
                            // SAFETY: panel r0 / PANEL exists (`PANEL·k` values from
                            // `a + r0·k`, its column k0 `PANEL·k0` further, `kw` columns left
                            // in it); rows r0 .. min(r0 + PANEL, m) of `c`, rows k0 .. k0 + kw
                            // ≤ k of `b`, and columns j0 .. j0 + cw ≤ w of `b` and `c` are in
                            // bounds by this function's contract.
                            unsafe {
                                panel(
                                    c.add(j0 * ldc + r0),
                                    ldc,
                                    a.add(r0 * k + k0 * PANEL),
                                    m - r0,
                                    kw,
                                    b.add(j0 * ldb + k0),
                                    ldb,
                                    cw,
                                )
                            };
                            k0 += kw;
                        }
                        r0 += PANEL;
                    }
                    j0 += cw;
                }
            }
        }
    };
}

/// The AVX-512F kernels: 4 vectors per panel, lane masks in `k` registers.
#[cfg(target_arch = "x86_64")]
mod kernel512 {
    use std::arch::x86_64::*;

    /// The first `min(left, 8)` lanes.
    #[inline(always)]
    fn mask8(left: usize) -> __mmask8 {
        ((1u32 << left.min(8)) - 1) as __mmask8
    }

    /// The first `min(left, 16)` lanes.
    #[inline(always)]
    fn mask16(left: usize) -> __mmask16 {
        ((1u32 << left.min(16)) - 1) as __mmask16
    }

    /// `p[lane] += acc[lane]` on the lanes of `m`.
    ///
    /// # Safety
    ///
    /// AVX-512F available; `p + lane` valid for the lanes of `m`.
    #[inline(always)]
    unsafe fn add_store_pd(p: *mut f64, m: __mmask8, acc: __m512d) {
        // SAFETY: by the contract; masked-out lanes are neither read nor written.
        unsafe { _mm512_mask_storeu_pd(p, m, _mm512_add_pd(_mm512_maskz_loadu_pd(m, p), acc)) }
    }

    /// `p[lane] += acc[lane]` on the lanes of `m`.
    ///
    /// # Safety
    ///
    /// AVX-512F available; `p + lane` valid for the lanes of `m`.
    #[inline(always)]
    unsafe fn add_store_ps(p: *mut f32, m: __mmask16, acc: __m512) {
        // SAFETY: by the contract; masked-out lanes are neither read nor written.
        unsafe { _mm512_mask_storeu_ps(p, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, p), acc)) }
    }

    kernels!(
        f64s,
        "avx512f",
        f64,
        __m512d,
        __mmask8,
        8,
        4,
        _mm512_setzero_pd,
        _mm512_loadu_pd,
        _mm512_set1_pd,
        _mm512_fmadd_pd,
        super::mask8,
        super::add_store_pd
    );
    kernels!(
        f32s,
        "avx512f",
        f32,
        __m512,
        __mmask16,
        16,
        4,
        _mm512_setzero_ps,
        _mm512_loadu_ps,
        _mm512_set1_ps,
        _mm512_fmadd_ps,
        super::mask16,
        super::add_store_ps
    );
}

/// The AVX2 + FMA kernels: 2 vectors per panel; a tail's lanes by `vmaskmov`, full vectors by
/// plain loads and stores.
#[cfg(target_arch = "x86_64")]
mod kernel256 {
    use std::arch::x86_64::*;

    /// A lane mask: how many leading lanes are live, and the `vmaskmov` mask for them.
    #[derive(Clone, Copy)]
    pub(super) struct Tail {
        left: usize,
        bits: __m256i,
    }

    /// The first `min(left, 4)` of four 64-bit lanes.
    #[inline(always)]
    fn mask4(left: usize) -> Tail {
        let left = left.min(4);
        // SAFETY: AVX2 is available wherever these kernels run (their callers' contract).
        let bits = unsafe {
            _mm256_cmpgt_epi64(
                _mm256_set1_epi64x(left as i64),
                _mm256_setr_epi64x(0, 1, 2, 3),
            )
        };
        Tail { left, bits }
    }

    /// The first `min(left, 8)` of eight 32-bit lanes.
    #[inline(always)]
    fn mask8(left: usize) -> Tail {
        let left = left.min(8);
        // SAFETY: AVX2 is available wherever these kernels run (their callers' contract).
        let bits = unsafe {
            _mm256_cmpgt_epi32(
                _mm256_set1_epi32(left as i32),
                _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
            )
        };
        Tail { left, bits }
    }

    /// `p[lane] += acc[lane]` on the live lanes of `m`.
    ///
    /// # Safety
    ///
    /// AVX2 available; `p + lane` valid for the live lanes.
    #[inline(always)]
    unsafe fn add_store_pd(p: *mut f64, m: Tail, acc: __m256d) {
        // SAFETY: by the contract; `vmaskmovpd` neither reads nor writes masked-out lanes.
        unsafe {
            if m.left == 4 {
                _mm256_storeu_pd(p, _mm256_add_pd(_mm256_loadu_pd(p), acc));
            } else {
                let old = _mm256_maskload_pd(p, m.bits);
                _mm256_maskstore_pd(p, m.bits, _mm256_add_pd(old, acc));
            }
        }
    }

    /// `p[lane] += acc[lane]` on the live lanes of `m`.
    ///
    /// # Safety
    ///
    /// AVX2 available; `p + lane` valid for the live lanes.
    #[inline(always)]
    unsafe fn add_store_ps(p: *mut f32, m: Tail, acc: __m256) {
        // SAFETY: by the contract; `vmaskmovps` neither reads nor writes masked-out lanes.
        unsafe {
            if m.left == 8 {
                _mm256_storeu_ps(p, _mm256_add_ps(_mm256_loadu_ps(p), acc));
            } else {
                let old = _mm256_maskload_ps(p, m.bits);
                _mm256_maskstore_ps(p, m.bits, _mm256_add_ps(old, acc));
            }
        }
    }

    kernels!(
        f64s,
        "avx2,fma",
        f64,
        __m256d,
        super::Tail,
        4,
        2,
        _mm256_setzero_pd,
        _mm256_loadu_pd,
        _mm256_set1_pd,
        _mm256_fmadd_pd,
        super::mask4,
        super::add_store_pd
    );
    kernels!(
        f32s,
        "avx2,fma",
        f32,
        __m256,
        super::Tail,
        8,
        2,
        _mm256_setzero_ps,
        _mm256_loadu_ps,
        _mm256_set1_ps,
        _mm256_fmadd_ps,
        super::mask8,
        super::add_store_ps
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::DMatrix;

    /// The instruction sets this CPU can run: both kernels are tested on an AVX-512F CPU.
    fn runnable() -> Vec<Isa> {
        match isa() {
            Some(Isa::Avx512) => vec![Isa::Avx512, Isa::Avx2],
            Some(Isa::Avx2) => vec![Isa::Avx2],
            None => vec![],
        }
    }

    /// Every row tail (1 to 4 vectors of either width, partial and full) and column tail
    /// (w mod 6, mod 4, mod 2), A and Aᵀ, strided B and C, f32 and f64, against nalgebra's
    /// product; nothing outside `C`'s view is written.
    #[test]
    fn kernels_match_nalgebra() {
        let mut pack64 = Vec::new();
        let mut pack32 = Vec::new();
        for isa in runnable() {
            let mut cases = Vec::new();
            for m in [
                1usize, 3, 7, 8, 9, 16, 17, 24, 25, 31, 32, 33, 40, 64, 65, 70, 257,
            ] {
                for k in [1usize, 7, 33] {
                    for w in [1usize, 4, 5, 6, 7, 11, 12, 29, 50] {
                        cases.push((m, k, w));
                    }
                }
            }
            // past 128 the inner dimension goes in equal slices: two (129, 256), three (300)
            for m in [1usize, 65, 130] {
                for k in [129usize, 256, 300] {
                    for w in [1usize, 7, 50] {
                        cases.push((m, k, w));
                    }
                }
            }
            for &(m, k, w) in &cases {
                let a = DMatrix::<f64>::from_fn(m, k, |i, j| ((i * 7 + j * 3) % 11) as f64 - 5.0);
                let at = a.transpose();
                // B and C as views into wider matrices: column strides k + 3, m + 2
                let big_b =
                    DMatrix::<f64>::from_fn(k + 3, w, |i, j| ((i * 5 + j) % 13) as f64 * 0.25);
                let big_c = DMatrix::<f64>::from_fn(m + 2, w, |i, j| (i + j) as f64);
                let b = big_b.view((1, 0), (k, w));
                let want = big_c.view((1, 0), (m, w)) + &a * b;
                for (src, transposed) in [(&a, false), (&at, true)] {
                    let shape = pack(&mut pack64, src.as_view(), transposed, panel_f64(isa));
                    assert_eq!(shape, (m, k));
                    let mut c = big_c.clone();
                    gemm_packed_f64(isa, c.view_mut((1, 0), (m, w)), &pack64, shape, b);
                    assert!(
                        (c.view((1, 0), (m, w)) - &want).norm() <= 1e-12,
                        "{isa:?} f64 {m}×{k}·{w} tr {transposed}"
                    );
                    assert_eq!(c.row(0), big_c.row(0));
                    assert_eq!(c.row(m + 1), big_c.row(m + 1));

                    let src32 = src.map(|v| v as f32);
                    let shape = pack(&mut pack32, src32.as_view(), transposed, panel_f32(isa));
                    let b32 = big_b.map(|v| v as f32);
                    let mut c32 = big_c.map(|v| v as f32);
                    gemm_packed_f32(
                        isa,
                        c32.view_mut((1, 0), (m, w)),
                        &pack32,
                        shape,
                        b32.view((1, 0), (k, w)),
                    );
                    let got = c32.map(|v| v as f64);
                    assert!(
                        (got.view((1, 0), (m, w)) - &want).norm() <= 1e-3,
                        "{isa:?} f32 {m}×{k}·{w}"
                    );
                    assert_eq!(c32.row(0), big_c.map(|v| v as f32).row(0));
                    assert_eq!(c32.row(m + 1), big_c.map(|v| v as f32).row(m + 1));
                }
            }
        }
    }

    /// RTRL's square entry point against nalgebra's product.
    #[test]
    fn square_product_matches_nalgebra() {
        if !available() {
            return;
        }
        let mut pack = Vec::new();
        for n in [1usize, 3, 8, 9, 33, 70] {
            for w in [1usize, 5, 6, 50] {
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

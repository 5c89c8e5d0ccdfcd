//! The one home of the crate's numeric kernels (crate-internal): dot products, element-wise
//! activations, matrix–vector and small dense products, each with a portable path and, where
//! it pays, SIMD paths chosen at run time.
//!
//! # Layers
//!
//! Each file imports only the files above it in this table, and `crate::scalar` (which
//! declares the sealed trait and imports none of them), so there is no import cycle:
//!
//! | file | holds |
//! |---|---|
//! | `portable.rs` | plain Rust, generic over the scalar: [`dot`]'s one summation order, `y += A·x`, `y = Aᵀ·x`, [`axpy`], [`update_output`], nalgebra's GEMM for `C += A·B` |
//! | `elementwise.rs` | plain Rust `tanh` and `σ` for `f32` and `f64`, within 4 ulp of libm |
//! | `avx2.rs` | `unsafe`: run-time dispatch to AVX2 copies of the two above, the `f32` dot in intrinsics, [`with_best_simd`] |
//! | `packed.rs` | `unsafe`: the packed product `C += A·B` (a recurrent step's `W·B`, RTRL's `J·S`), register-blocked AVX-512F and AVX2+FMA kernels |
//! | `gemm.rs`, `blocks.rs` | on `T: Real` only: transposed GEMMs, rank-1 and bias updates, RTRL's product on column runs; flat-buffer blocks |
//! | `evd.rs` | faer's dense eigendecomposition (blocked Hessenberg, multishift QR with aggressive early deflation, blocked eigenvectors) and complex LU inverse, for `spectral` |
//! | this file | the sealed scalar trait's implementations for `f32` and `f64` (from the first four), and the safe API: the functions below (`y = Aᵀ·x` is inside `gemm_tn`) and the re-exports |
//!
//! # Specialisation
//!
//! Generic code calls the functions here with `T: Real`. Each forwards to a method of `Real`'s
//! sealed supertrait (`scalar::sealed::Kernels`), whose two implementations below pick the
//! `f32` or `f64` kernels: the choice is made by the type system at compile time, never by a
//! run-time type check. Only the CPU features are checked at run time (a cached load).
//!
//! # Same bits on every path
//!
//! The portable and AVX2 paths compute identical results (no FMA contraction, fixed
//! summation orders; tested). The exception is the packed product (`packed.rs`: the recurrent steps'
//! `W·B` and RTRL's `f64` product), whose kernels sum in another order, fused, than nalgebra's
//! GEMM: the two agree to rounding.

mod avx2;
mod blocks;
mod elementwise;
mod evd;
mod gemm;
mod packed;
mod portable;

pub(crate) use avx2::{SimdTask, with_best_simd};
pub(crate) use blocks::{split_blocks, split_blocks_ref};
pub(crate) use gemm::{
    FEW_COLUMNS, Packed, add_outer, add_row_sums, add_to_columns, gemm_nt, gemm_tn, rtrl_product,
};
pub(crate) use portable::{axpy, update_output};

use crate::scalar::Real;
use crate::scalar::sealed::{Kernels, TOKEN, Token};
use nalgebra::{Complex, DMatrixView, DMatrixViewMut};

/// `Σ aᵢ·bᵢ` over the common length of `a` and `b`: the crate's one dot product.
///
/// The summation order is fixed and documented (`portable.rs`): lane-wise partial sums over
/// 64-byte blocks (16 `f32` or 8 `f64` lanes), folded to eight lanes, one more run of eight
/// added lane-wise, the eight summed as `((s₀+s₄)+(s₁+s₅))+((s₂+s₆)+(s₃+s₇))`, and the
/// remaining `n mod 8` products, summed left to right, added last. Every path (portable, AVX2
/// copy, AVX2 intrinsics) gives these bits, on every CPU.
#[inline(always)]
pub(crate) fn dot<T: Real>(a: &[T], b: &[T]) -> T {
    T::dot(TOKEN, a, b)
}

/// `x ← tanh x` element-wise (within 4 ulp of libm).
#[inline]
pub(crate) fn tanh<T: Real>(xs: &mut [T]) {
    T::tanh_slice(TOKEN, xs)
}

/// `x ← σ(x) = 1 / (1 + e^−x)` element-wise (within 4 ulp).
#[inline]
pub(crate) fn sigmoid<T: Real>(xs: &mut [T]) {
    T::sigmoid_slice(TOKEN, xs)
}

/// `x ← e^x` element-wise (the fused softmax + NLL's kernel).
#[inline]
pub(crate) fn exp<T: Real>(xs: &mut [T]) {
    T::exp_slice(TOKEN, xs)
}

/// The index of the first NaN or infinite element of `xs`, if any. Blocks of 256 are first
/// tested with a branch-free reduction (which vectorises), so the scan over a clean slice
/// costs a fraction of a pass; only a block that holds a non-finite value is searched.
#[inline]
pub(crate) fn first_non_finite<T: Real>(xs: &[T]) -> Option<usize> {
    const BLOCK: usize = 256;
    let inf = crate::scalar::lit::<T>(f64::INFINITY);
    for (bi, block) in xs.chunks(BLOCK).enumerate() {
        // |x| < ∞ is false for ±∞ and NaN alike
        let all = block.iter().fold(true, |ok, v| ok & (v.abs() < inf));
        if !all {
            let i = block
                .iter()
                .position(|v| !v.is_finite())
                .expect("found above");
            return Some(bi * BLOCK + i);
        }
    }
    None
}

/// `y += A·x` for the column-major `m × k` matrix `A` in `a` (`y` has `m`, `x` has `k`
/// entries), by axpys over four contiguous columns at a time.
///
/// # Panics
///
/// If `a` holds fewer than `m·k` values.
#[inline]
pub(crate) fn matvec_add<T: Real>(y: &mut [T], a: &[T], x: &[T]) {
    T::matvec_add(TOKEN, y, a, x)
}

/// `y = Aᵀ·x` for the column-major `x.len() × y.len()` matrix `A` in `a`: one dot product per
/// contiguous column.
#[inline]
pub(crate) fn matvec_t<T: Real>(y: &mut [T], a: &[T], x: &[T]) {
    T::matvec_t(TOKEN, y, a, x)
}

/// The eigenvalues `re + i·im` of the column-major `n × n` matrix `a` (`n²` entries) and, if
/// `vectors` is given (`n²` entries), its right eigenvectors in LAPACK's real layout: a real
/// eigenvalue's vector in its column, a complex pair `λ, λ̄` (`Im λ > 0` first) in columns
/// `j, j+1` as `Re v, Im v` of `λ`'s vector; columns not normalised (`evd.rs`). `false` if the
/// QR iteration did not converge.
#[inline]
pub(crate) fn real_evd<T: Real>(
    a: &[T],
    n: usize,
    re: &mut [T],
    im: &mut [T],
    vectors: Option<&mut [T]>,
) -> bool {
    T::real_evd(TOKEN, a, n, re, im, vectors)
}

/// `out = A⁻¹` for the column-major complex `n × n` matrix `a`, by a blocked LU with partial
/// pivoting (`evd.rs`); an exactly singular `A` gives non-finite entries.
#[inline]
pub(crate) fn complex_inverse<T: Real>(a: &[Complex<T>], n: usize, out: &mut [Complex<T>]) {
    T::complex_inverse(TOKEN, a, n, out)
}

/// The dense eigen kernels of [`Kernels`] for one scalar: faer's, the same generic code for
/// both.
macro_rules! evd_methods {
    ($t:ty) => {
        fn real_evd(
            _: Token,
            a: &[$t],
            n: usize,
            re: &mut [$t],
            im: &mut [$t],
            vectors: Option<&mut [$t]>,
        ) -> bool {
            evd::real_evd(a, n, re, im, vectors)
        }

        fn complex_inverse(_: Token, a: &[Complex<$t>], n: usize, out: &mut [Complex<$t>]) {
            evd::complex_inverse(a, n, out)
        }
    };
}

/// The packed product's three methods of [`Kernels`] for one scalar: the kernel's panel height
/// on this CPU (0 without AVX-512F or AVX2+FMA, where `gemm::Packed` keeps the plain matrix), its packing
/// and its product.
macro_rules! packed_methods {
    ($t:ty, $panel:ident, $gemm:ident) => {
        fn packed_panel(_: Token) -> usize {
            packed::isa().map_or(0, packed::$panel)
        }

        fn pack_panels(
            _: Token,
            out: &mut Vec<$t>,
            a: DMatrixView<'_, $t>,
            transposed: bool,
        ) -> (usize, usize) {
            let isa = packed::isa().expect("pack_panels: no packed product on this CPU");
            packed::pack(out, a, transposed, packed::$panel(isa))
        }

        fn gemm_packed(
            _: Token,
            c: DMatrixViewMut<'_, $t>,
            a: &[$t],
            shape: (usize, usize),
            b: DMatrixView<'_, $t>,
        ) {
            let isa = packed::isa().expect("gemm_packed: no packed product on this CPU");
            packed::$gemm(isa, c, a, shape, b)
        }
    };
}

impl Kernels for f64 {
    packed_methods!(f64, panel_f64, gemm_packed_f64);
    evd_methods!(f64);

    #[inline(always)]
    fn tanh_slice(_: Token, x: &mut [f64]) {
        avx2::tanh_f64(x)
    }

    #[inline(always)]
    fn exp_slice(_: Token, x: &mut [f64]) {
        avx2::exp_f64(x)
    }

    fn sigmoid_slice(_: Token, x: &mut [f64]) {
        avx2::sigmoid_f64(x)
    }

    #[inline(always)]
    fn dot(_: Token, a: &[f64], b: &[f64]) -> f64 {
        avx2::dot_f64(a, b)
    }

    #[inline(always)]
    fn matvec_add(_: Token, y: &mut [f64], a: &[f64], x: &[f64]) {
        avx2::matvec_add_f64(y, a, x)
    }

    #[inline(always)]
    fn matvec_t(_: Token, y: &mut [f64], a: &[f64], x: &[f64]) {
        avx2::matvec_t_f64(y, a, x)
    }

    #[inline]
    fn gemm_acc_square(
        _: Token,
        c: &mut [f64],
        a: &[f64],
        b: &[f64],
        n: usize,
        w: usize,
        pack: &mut Vec<f64>,
    ) {
        if packed::available() {
            packed::gemm_acc_f64(c, a, b, n, w, pack)
        } else {
            portable::gemm_acc_square(c, a, b, n, w)
        }
    }
}

impl Kernels for f32 {
    packed_methods!(f32, panel_f32, gemm_packed_f32);
    evd_methods!(f32);

    #[inline(always)]
    fn tanh_slice(_: Token, x: &mut [f32]) {
        avx2::tanh_f32(x)
    }

    #[inline(always)]
    fn exp_slice(_: Token, x: &mut [f32]) {
        avx2::exp_f32(x)
    }

    fn sigmoid_slice(_: Token, x: &mut [f32]) {
        avx2::sigmoid_f32(x)
    }

    #[inline(always)]
    fn dot(_: Token, a: &[f32], b: &[f32]) -> f32 {
        avx2::dot_f32(a, b)
    }

    #[inline(always)]
    fn matvec_add(_: Token, y: &mut [f32], a: &[f32], x: &[f32]) {
        avx2::matvec_add_f32(y, a, x)
    }

    #[inline(always)]
    fn matvec_t(_: Token, y: &mut [f32], a: &[f32], x: &[f32]) {
        avx2::matvec_t_f32(y, a, x)
    }

    /// nalgebra's GEMM (matrixmultiply): RTRL's square kernel is `f64` only; `pack` is unused.
    #[inline]
    fn gemm_acc_square(
        _: Token,
        c: &mut [f32],
        a: &[f32],
        b: &[f32],
        n: usize,
        w: usize,
        _pack: &mut Vec<f64>,
    ) {
        portable::gemm_acc_square(c, a, b, n, w)
    }
}

#[cfg(test)]
mod tests {
    use super::portable::tests::{SIZES, data, dot_by_the_docs};
    use super::portable::{LANES_F32, LANES_F64};
    use super::*;
    use nalgebra::DMatrix;

    /// The crate API (whatever path this CPU takes) gives the portable kernels' bits, f32 and
    /// f64, at every test size.
    #[test]
    fn api_equals_portable_bits() {
        for n in SIZES {
            let (a, b) = (data::<f32>(n, 1), data::<f32>(n, 2));
            assert_eq!(dot(&a, &b).to_bits(), dot_by_the_docs(&a, &b, 16).to_bits());
            let (a, b) = (data::<f64>(n, 1), data::<f64>(n, 2));
            assert_eq!(dot(&a, &b).to_bits(), dot_by_the_docs(&a, &b, 8).to_bits());

            let x: Vec<f64> = data::<f64>(n, 3).iter().map(|v| v * 30.0).collect();
            let x32: Vec<f32> = x.iter().map(|v| *v as f32).collect();
            let (mut p, mut q) = (x.clone(), x.clone());
            tanh(&mut p);
            elementwise::double::tanh(&mut q);
            assert_eq!(p, q);
            let (mut p, mut q) = (x.clone(), x);
            sigmoid(&mut p);
            elementwise::double::sigmoid(&mut q);
            assert_eq!(p, q);
            let (mut p, mut q) = (x32.clone(), x32.clone());
            tanh(&mut p);
            elementwise::single::tanh(&mut q);
            assert_eq!(p, q);
            let (mut p, mut q) = (x32.clone(), x32);
            sigmoid(&mut p);
            elementwise::single::sigmoid(&mut q);
            assert_eq!(p, q);

            for m in [1, 7, 33] {
                let (w, x) = (data::<f64>(m * n, 4), data::<f64>(n, 5));
                let (mut y1, mut y2) = (data::<f64>(m, 6), data::<f64>(m, 6));
                matvec_add(&mut y1, &w, &x);
                portable::matvec_add(&mut y2, &w, &x);
                assert_eq!(y1, y2);
                let xt = data::<f64>(m, 7);
                let (mut y1, mut y2) = (vec![0.0; n], vec![0.0; n]);
                f64::matvec_t(TOKEN, &mut y1, &w, &xt);
                portable::matvec_t::<f64, LANES_F64>(&mut y2, &w, &xt);
                assert_eq!(y1, y2);
                let (w, x) = (data::<f32>(m * n, 4), data::<f32>(n, 5));
                let (mut y1, mut y2) = (data::<f32>(m, 6), data::<f32>(m, 6));
                matvec_add(&mut y1, &w, &x);
                portable::matvec_add(&mut y2, &w, &x);
                assert_eq!(y1, y2);
                let xt = data::<f32>(m, 7);
                let (mut y1, mut y2) = (vec![0.0; n], vec![0.0; n]);
                f32::matvec_t(TOKEN, &mut y1, &w, &xt);
                portable::matvec_t::<f32, LANES_F32>(&mut y2, &w, &xt);
                assert_eq!(y1, y2);
            }
        }
    }

    /// The layering of the module docs, checked on the sources: outside their tests, the
    /// files name only files above them (through `super::` or `crate::kernel::`), and
    /// `scalar.rs` names no kernel file at all.
    #[test]
    fn files_import_only_the_layers_above() {
        const ORDER: [&str; 7] = [
            "portable",
            "elementwise",
            "avx2",
            "packed",
            "gemm",
            "blocks",
            "evd",
        ];
        let files = [
            include_str!("portable.rs"),
            include_str!("elementwise.rs"),
            include_str!("avx2.rs"),
            include_str!("packed.rs"),
            include_str!("gemm.rs"),
            include_str!("blocks.rs"),
            include_str!("evd.rs"),
        ];
        // the names a file's code uses after `super::` or `crate::kernel::`
        fn named(src: &str) -> Vec<String> {
            let code = src.split("#[cfg(test)]").next().unwrap_or("");
            let code = code.split("#[cfg(all(test").next().unwrap_or("");
            let mut out = Vec::new();
            for line in code.lines() {
                if line.trim_start().starts_with("//") {
                    continue;
                }
                for prefix in ["super::", "crate::kernel::"] {
                    for (i, _) in line.match_indices(prefix) {
                        let rest = &line[i + prefix.len()..];
                        let end = rest
                            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '*'))
                            .unwrap_or(rest.len());
                        out.push(rest[..end].to_string());
                    }
                }
            }
            out
        }
        for (i, src) in files.iter().enumerate() {
            for name in named(src) {
                // `super::` inside packed's inner modules names packed's own items
                const OWN: [&str; 6] = [
                    "Tail",
                    "mask4",
                    "mask8",
                    "mask16",
                    "add_store_pd",
                    "add_store_ps",
                ];
                if ORDER[i] == "packed" && OWN.contains(&name.as_str()) {
                    continue;
                }
                let above = ORDER[..i].contains(&name.as_str());
                let scalar_only = ["gemm", "blocks"].contains(&ORDER[i]);
                assert!(
                    above && !scalar_only,
                    "{}.rs names `{name}`, which is not a layer above it",
                    ORDER[i]
                );
            }
        }
        let scalar = include_str!("../scalar.rs");
        assert!(
            scalar
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .all(|l| !l.contains("kernel")),
            "scalar.rs imports nothing from the kernel folder"
        );
    }

    /// `C += A·B` through the scalar trait: f64 by the packed kernel when the CPU has one and
    /// by nalgebra otherwise (both run here), f32 by nalgebra; all against nalgebra's product.
    #[test]
    fn gemm_acc_square_paths_match_nalgebra() {
        for n in [1, 7, 33, 40] {
            for w in [1, 7, 12, 33] {
                let a = DMatrix::from_vec(n, n, data::<f64>(n * n, 1));
                let b = DMatrix::from_vec(n, w, data::<f64>(n * w, 2));
                let c0 = DMatrix::from_vec(n, w, data::<f64>(n * w, 3));
                let want = &c0 + &a * &b;
                let mut pack = Vec::new();
                let mut c = c0.clone();
                f64::gemm_acc_square(
                    TOKEN,
                    c.as_mut_slice(),
                    a.as_slice(),
                    b.as_slice(),
                    n,
                    w,
                    &mut pack,
                );
                assert!(
                    (&c - &want).norm() <= 1e-12 * n as f64,
                    "f64 n = {n}, w = {w}"
                );
                let mut c = c0.clone();
                portable::gemm_acc_square(c.as_mut_slice(), a.as_slice(), b.as_slice(), n, w);
                assert!(
                    (&c - &want).norm() <= 1e-12 * n as f64,
                    "fallback n = {n}, w = {w}"
                );
                if packed::available() {
                    let mut c = c0.clone();
                    packed::gemm_acc_f64(
                        c.as_mut_slice(),
                        a.as_slice(),
                        b.as_slice(),
                        n,
                        w,
                        &mut pack,
                    );
                    assert!(
                        (&c - &want).norm() <= 1e-12 * n as f64,
                        "packed n = {n}, w = {w}"
                    );
                }
                let a32 = a.map(|v| v as f32);
                let (b32, c32) = (b.map(|v| v as f32), c0.map(|v| v as f32));
                let want = &c32 + &a32 * &b32;
                let mut c = c32.clone();
                f32::gemm_acc_square(
                    TOKEN,
                    c.as_mut_slice(),
                    a32.as_slice(),
                    b32.as_slice(),
                    n,
                    w,
                    &mut pack,
                );
                assert!((c - want).norm() <= 1e-5 * n as f32, "f32 n = {n}, w = {w}");
            }
        }
    }
}

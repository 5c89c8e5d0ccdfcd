//! Vector and matrix–vector kernels in plain Rust (crate-internal), generic over the scalar.
//!
//! Written over fixed-size chunks (`as_chunks`) with independent accumulators, so the compiler
//! keeps them in SIMD registers without reassociating anything: the results are the same bits
//! whatever instruction set the code is compiled for (baseline x86-64 here, AVX2 in the copies
//! of `super::avx2`). No FMA contraction happens (Rust never contracts `a·b + c`).
//!
//! # The dot product's summation order
//!
//! [`dot`] is the crate's one dot product; every other path (`super::avx2`'s intrinsics,
//! the AVX2 copies of the kernels below) computes exactly these bits. With `L` lanes, the
//! number of scalars in a 64-byte cache line (16 for `f32`, 8 for `f64`), and `pᵢ = aᵢ·bᵢ`:
//!
//! 1. lane `l` sums, from `+0`, the products `p_{jL+l}` of the full `L`-blocks in order of `j`;
//! 2. the lanes are folded to eight, `sₗ = accₗ + acc_{l+8}` (nothing to fold when `L = 8`);
//! 3. if eight or more products remain, the next eight are added lane-wise, `sₗ += p`;
//! 4. the eight lanes are summed as `((s₀ + s₄) + (s₁ + s₅)) + ((s₂ + s₆) + (s₃ + s₇))`;
//! 5. the last `n mod 8` products are summed from `+0` left to right, and that sum is added.
//!
//! Several accumulators make the sum vectorise (one running sum is a serial chain of dependent
//! additions) and are also more accurate than one: the rounding error grows with the length of
//! each lane's chain, `n/L`, not with `n`.

use nalgebra::RealField;

/// Lanes of [`dot`] for `f32`: 16 values of 4 bytes, one 64-byte cache line, two AVX registers.
pub(crate) const LANES_F32: usize = 16;
/// Lanes of [`dot`] for `f64`: 8 values of 8 bytes, one 64-byte cache line, two AVX registers.
pub(crate) const LANES_F64: usize = 8;

/// `Σ aᵢbᵢ` over the common length, with `L` lanes in the order of the module docs.
///
/// `L` must be 8 or 16 ([`LANES_F64`], [`LANES_F32`]); other values do not compile.
#[inline(always)]
pub(crate) fn dot<T: RealField + Copy, const L: usize>(a: &[T], b: &[T]) -> T {
    const { assert!(L == 8 || L == 16, "dot: L is 8 or 16") };
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    if L == 8 {
        return finish8([T::zero(); 8], a, b);
    }
    // steps 1 and 2 for sixteen lanes; `finish8` does steps 3 to 5 on the < 16 left over
    let (blocks_a, rest_a) = a.as_chunks::<L>();
    let (blocks_b, rest_b) = b.as_chunks::<L>();
    let mut acc = [T::zero(); L];
    for (x, y) in blocks_a.iter().zip(blocks_b) {
        for l in 0..L {
            acc[l] += x[l] * y[l];
        }
    }
    let mut s = [T::zero(); 8];
    for (l, sl) in s.iter_mut().enumerate() {
        *sl = acc[l] + acc[l + 8];
    }
    finish8(s, rest_a, rest_b)
}

/// Eight lanes `s`, plus `a`, `b` (equal lengths) lane-wise in runs of eight, then
/// `((s₀+s₄)+(s₁+s₅))+((s₂+s₆)+(s₃+s₇))` plus the last `n mod 8` products summed from `+0`.
///
/// With `s = 0` this is the whole eight-lane dot product, written as the loop LLVM vectorises
/// best (two AVX registers of `f64` per run of eight, no shuffles); keep it in this shape.
#[inline(always)]
fn finish8<T: RealField + Copy>(mut s: [T; 8], a: &[T], b: &[T]) -> T {
    // fixed-size chunks: no bounds checks, so the eight lanes become vector operations
    let (ca, ra) = a.as_chunks::<8>();
    let (cb, rb) = b.as_chunks::<8>();
    for (x, y) in ca.iter().zip(cb) {
        for l in 0..8 {
            s[l] += x[l] * y[l];
        }
    }
    let mut tail = T::zero();
    for (x, y) in ra.iter().zip(rb) {
        tail += *x * *y;
    }
    ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7])) + tail
}

/// `y += A·x` for the column-major `m × k` matrix `A` in `a` (`y` has `m`, `x` has `k`
/// entries): axpys over contiguous columns, four at a time, which the compiler vectorises
/// (nalgebra's `gemv` walks views with run-time strides and does not).
///
/// # Panics
///
/// If `a` holds fewer than `m·k` values.
#[inline(always)]
pub(crate) fn matvec_add<T: RealField + Copy>(y: &mut [T], a: &[T], x: &[T]) {
    let m = y.len();
    let mut cols = a[..m * x.len()].chunks_exact(4 * m.max(1));
    let mut xs = x.chunks_exact(4);
    for (block, xj) in (&mut cols).zip(&mut xs) {
        let (c0, rest) = block.split_at(m);
        let (c1, rest) = rest.split_at(m);
        let (c2, c3) = rest.split_at(m);
        let (x0, x1, x2, x3) = (xj[0], xj[1], xj[2], xj[3]);
        for i in 0..m {
            y[i] += c0[i] * x0 + c1[i] * x1 + c2[i] * x2 + c3[i] * x3;
        }
    }
    for (col, xj) in cols.remainder().chunks_exact(m.max(1)).zip(xs.remainder()) {
        for (yi, ai) in y.iter_mut().zip(col) {
            *yi += *ai * *xj;
        }
    }
}

/// `y = Aᵀ·x` for the column-major `k × m` matrix `A` in `a` (`x` has `k`, `y` has `m`
/// entries): one [`dot`] with `L` lanes per contiguous column.
#[inline(always)]
pub(crate) fn matvec_t<T: RealField + Copy, const L: usize>(y: &mut [T], a: &[T], x: &[T]) {
    let k = x.len();
    for (yj, col) in y.iter_mut().zip(a.chunks_exact(k.max(1))) {
        *yj = dot::<T, L>(col, x);
    }
}

/// `y ← y + α·x` over the common length.
///
/// Inlined into its caller, so it is compiled for the caller's instruction set (Word2Vec's
/// training loop runs it in an AVX2 copy, `super::with_best_simd`).
#[inline(always)]
pub(crate) fn axpy<T: RealField + Copy>(y: &mut [T], alpha: T, x: &[T]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += alpha * *xi;
    }
}

/// Two fused axpys over the common length of `u`, `h` and `e`, reading `u` once:
/// `e ← e + g·u` (with the old `u`), then `u ← u + g·h`.
///
/// This is the update of one output row `u` of Word2Vec given the hidden vector `h`, the
/// gradient step `g` and the hidden gradient `e`. Inlined into its caller, as [`axpy`].
#[inline(always)]
pub(crate) fn update_output<T: RealField + Copy>(u: &mut [T], g: T, h: &[T], e: &mut [T]) {
    let n = u.len().min(h.len()).min(e.len());
    let (u, h, e) = (&mut u[..n], &h[..n], &mut e[..n]);
    for ((ui, hi), ei) in u.iter_mut().zip(h).zip(e.iter_mut()) {
        let old = *ui;
        *ei += g * old;
        *ui = old + g * *hi;
    }
}

/// `C += A·B` for column-major `A: n × n`, `B, C: n × w` stored contiguously, by nalgebra's
/// `gemm` (matrixmultiply once every dimension exceeds 5).
///
/// # Panics
///
/// If the slices are shorter than those shapes need.
pub(crate) fn gemm_acc_square<T: RealField + Copy>(
    c: &mut [T],
    a: &[T],
    b: &[T],
    n: usize,
    w: usize,
) {
    let a = nalgebra::DMatrixView::from_slice(&a[..n * n], n, n);
    let b = nalgebra::DMatrixView::from_slice(&b[..n * w], n, w);
    nalgebra::DMatrixViewMut::from_slice(&mut c[..n * w], n, w).gemm(T::one(), &a, &b, T::one());
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use nalgebra::DMatrix;

    /// The lengths every kernel test sweeps: empty, 1, odd, around the 8- and 16-lane block
    /// boundaries, and long.
    pub(crate) const SIZES: [usize; 14] = [0, 1, 3, 7, 8, 9, 15, 16, 17, 24, 31, 33, 100, 257];

    /// Deterministic test data in about `[−1, 1]` with varied magnitudes and signs.
    pub(crate) fn data<T: RealField + Copy>(n: usize, seed: usize) -> Vec<T> {
        (0..n)
            .map(|i| {
                let v = (((i * 7919 + seed * 104_729) % 1999) as f64) / 999.5 - 1.0;
                nalgebra::convert::<f64, T>(v * (1.0 + (i % 5) as f64 * 0.37))
            })
            .collect()
    }

    /// The documented summation order spelt out index by index (no chunks, no arrays of
    /// lanes): the reference [`dot`] must equal bit for bit.
    pub(crate) fn dot_by_the_docs<T: RealField + Copy>(a: &[T], b: &[T], lanes: usize) -> T {
        let n = a.len().min(b.len());
        let p = |i: usize| a[i] * b[i];
        let full = n / lanes * lanes;
        let mut acc = vec![T::zero(); lanes];
        for i in 0..full {
            acc[i % lanes] += p(i);
        }
        let mut s: Vec<T> = (0..8)
            .map(|l| {
                if lanes == 16 {
                    acc[l] + acc[l + 8]
                } else {
                    acc[l]
                }
            })
            .collect();
        let mut i = full;
        if n - i >= 8 {
            for (l, sl) in s.iter_mut().enumerate() {
                *sl += p(i + l);
            }
            i += 8;
        }
        let mut tail = T::zero();
        for j in i..n {
            tail += p(j);
        }
        ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7])) + tail
    }

    /// `Σ aᵢbᵢ` in f64, one running sum: the simple code the dot products replaced.
    fn naive_dot<T: RealField + Copy>(a: &[T], b: &[T]) -> f64 {
        a.iter()
            .zip(b)
            .map(|(x, y)| {
                let (x, y): (f64, f64) = (
                    nalgebra::try_convert(*x).unwrap_or(f64::NAN),
                    nalgebra::try_convert(*y).unwrap_or(f64::NAN),
                );
                x * y
            })
            .sum()
    }

    fn f64_of<T: RealField + Copy>(x: T) -> f64 {
        nalgebra::try_convert(x).unwrap_or(f64::NAN)
    }

    #[test]
    fn dot_follows_the_documented_order_bit_for_bit() {
        for n in SIZES.into_iter().chain(0..70) {
            let (a, b) = (data::<f32>(n, 1), data::<f32>(n + 3, 2));
            let got = dot::<f32, LANES_F32>(&a, &b);
            assert_eq!(
                got.to_bits(),
                dot_by_the_docs(&a, &b, 16).to_bits(),
                "f32 n = {n}"
            );
            let (a, b) = (data::<f64>(n + 1, 3), data::<f64>(n, 4));
            let got = dot::<f64, LANES_F64>(&a, &b);
            assert_eq!(
                got.to_bits(),
                dot_by_the_docs(&a, &b, 8).to_bits(),
                "f64 n = {n}"
            );
        }
    }

    /// Against the one-running-sum loop, in f64: the error bound is `n·ε·Σ|aᵢbᵢ|` with room.
    #[test]
    fn dot_matches_the_naive_sum() {
        fn run<T: RealField + Copy, const L: usize>(eps: f64) {
            for n in SIZES {
                let (a, b) = (data::<T>(n, 5), data::<T>(n, 6));
                let abs: f64 = a
                    .iter()
                    .zip(&b)
                    .map(|(x, y)| (f64_of(*x) * f64_of(*y)).abs())
                    .sum();
                let err = (f64_of(dot::<T, L>(&a, &b)) - naive_dot(&a, &b)).abs();
                assert!(err <= (n as f64 + 1.0) * eps * abs, "n = {n}: {err:e}");
            }
            assert_eq!(f64_of(dot::<T, L>(&[], &[])), 0.0);
        }
        run::<f32, LANES_F32>(f64::from(f32::EPSILON));
        run::<f64, LANES_F64>(f64::EPSILON);
    }

    #[test]
    fn dot_of_unequal_lengths_uses_the_common_prefix() {
        let a = data::<f64>(33, 1);
        let b = data::<f64>(20, 2);
        assert_eq!(
            dot::<f64, LANES_F64>(&a, &b),
            dot::<f64, LANES_F64>(&a[..20], &b)
        );
    }

    /// `y += A·x` and `y = Aᵀ·x` against nalgebra's products (exact on small integers, and to
    /// rounding on general data), f32 and f64, every size pair.
    #[test]
    fn matvec_kernels_match_nalgebra() {
        fn run<T: RealField + Copy, const L: usize>(tol: f64) {
            for m in [1, 3, 7, 8, 33] {
                for k in [1, 4, 5, 7, 16, 33, 257] {
                    let a = DMatrix::<T>::from_vec(m, k, data(m * k, m + k));
                    let x: Vec<T> = data(k, 7);
                    let y0: Vec<T> = data(m, 8);
                    let mut y = y0.clone();
                    matvec_add(&mut y, a.as_slice(), &x);
                    let want = &a * nalgebra::DVector::from_column_slice(&x)
                        + nalgebra::DVector::from_column_slice(&y0);
                    let diff = (nalgebra::DVector::from_column_slice(&y) - &want).norm();
                    assert!(f64_of(diff) <= tol * (k as f64), "matvec_add {m}×{k}");
                    let xt: Vec<T> = data(m, 9);
                    let mut yt = vec![T::zero(); k];
                    matvec_t::<T, L>(&mut yt, a.as_slice(), &xt);
                    let want = a.transpose() * nalgebra::DVector::from_column_slice(&xt);
                    let diff = (nalgebra::DVector::from_column_slice(&yt) - want).norm();
                    assert!(f64_of(diff) <= tol * (m as f64), "matvec_t {m}×{k}");
                    for (j, yj) in yt.iter().enumerate() {
                        let col = &a.as_slice()[j * m..(j + 1) * m];
                        assert_eq!(*yj, dot::<T, L>(col, &xt), "matvec_t is one dot per column");
                    }
                }
            }
            // small integers: every partial sum is exact, so the orders agree exactly
            let a = DMatrix::<T>::from_fn(9, 7, |i, j| {
                nalgebra::convert(((i * 7 + j * 3) % 11) as f64 - 5.0)
            });
            let x: Vec<T> = (0..7).map(|j| nalgebra::convert(j as f64 - 2.0)).collect();
            let mut y = vec![T::one(); 9];
            matvec_add(&mut y, a.as_slice(), &x);
            let want = &a * nalgebra::DVector::from_column_slice(&x)
                + nalgebra::DVector::from_element(9, T::one());
            assert_eq!(y, want.as_slice());
        }
        run::<f32, LANES_F32>(1e-6);
        run::<f64, LANES_F64>(1e-14);
    }

    #[test]
    fn axpy_and_update_output_match_plain_loops() {
        fn run<T: RealField + Copy>() {
            for n in SIZES {
                let (x, y0, h) = (data::<T>(n, 1), data::<T>(n, 2), data::<T>(n, 3));
                let alpha: T = nalgebra::convert(0.37);
                let mut y = y0.clone();
                axpy(&mut y, alpha, &x);
                for i in 0..n {
                    assert_eq!(y[i], y0[i] + alpha * x[i]);
                }
                let (mut u, mut e) = (y0.clone(), x.clone());
                update_output(&mut u, alpha, &h, &mut e);
                for i in 0..n {
                    assert_eq!(e[i], x[i] + alpha * y0[i], "e uses the old u");
                    assert_eq!(u[i], y0[i] + alpha * h[i]);
                }
            }
            let mut u = [T::one(), nalgebra::convert(2.0)];
            let mut e = [T::zero(); 2];
            let h: [T; 2] = [nalgebra::convert(10.0), nalgebra::convert(20.0)];
            update_output(&mut u, nalgebra::convert(0.5), &h, &mut e);
            assert_eq!(e, [nalgebra::convert(0.5), T::one()]);
            assert_eq!(u, [nalgebra::convert(6.0), nalgebra::convert(12.0)]);
        }
        run::<f32>();
        run::<f64>();
    }

    #[test]
    fn gemm_acc_square_matches_nalgebra() {
        fn run<T: RealField + Copy>(tol: f64) {
            for n in [1, 5, 6, 7, 33] {
                for w in [1, 6, 7, 17] {
                    let a = DMatrix::<T>::from_vec(n, n, data(n * n, n));
                    let b = DMatrix::<T>::from_vec(n, w, data(n * w, w + 1));
                    let c0 = DMatrix::<T>::from_vec(n, w, data(n * w, w + 2));
                    let want = &c0 + &a * &b;
                    let mut c = c0.clone();
                    gemm_acc_square(c.as_mut_slice(), a.as_slice(), b.as_slice(), n, w);
                    assert!(
                        f64_of((c - want).norm()) <= tol * n as f64,
                        "n = {n}, w = {w}"
                    );
                }
            }
        }
        run::<f32>(1e-5);
        run::<f64>(1e-13);
    }
}

//! Small dense helpers over nalgebra's BLAS-style products (crate-internal).
//!
//! nalgebra hands strided views to matrixmultiply only when every dimension exceeds 5 and the
//! scalar is `f32` or `f64`; otherwise it falls back to a column loop (`gemv`/`axcpy`) that, in
//! nalgebra 0.35, walks a strided operand with the wrong length and writes out of bounds. So a
//! transposed (strided) view is only ever given to `gemm` after [`strided_gemm_is_safe`]; the
//! other cases use nalgebra's contiguous `gemm_tr` or rank-1 `ger` updates.

use crate::scalar::Real;
use nalgebra::{DMatrixView, DMatrixViewMut, Dyn, MatrixView};
use std::any::TypeId;

/// True when nalgebra's `gemm` of an `m × k` by `k × n` product goes to matrixmultiply, which
/// handles strided views correctly (and fast).
fn strided_gemm_is_safe<T: Real>(m: usize, n: usize, k: usize) -> bool {
    let blas_scalar =
        TypeId::of::<T>() == TypeId::of::<f32>() || TypeId::of::<T>() == TypeId::of::<f64>();
    blas_scalar && m > 5 && n > 5 && k > 5
}

/// `Aᵀ` as a view (no copy) of the column-major `rows × cols` matrix `A` stored in `data`.
fn transposed<T: Real>(
    data: &[T],
    rows: usize,
    cols: usize,
) -> MatrixView<'_, T, Dyn, Dyn, Dyn, Dyn> {
    MatrixView::from_slice_with_strides_generic(
        &data[..rows * cols],
        Dyn(cols),
        Dyn(rows),
        Dyn(rows),
        Dyn(1),
    )
}

/// Columns below which matrix–vector loops beat a packed GEMM.
pub(crate) const FEW_COLUMNS: usize = 4;

pub(crate) use crate::simd::matvec_add;

/// `y += A·x` for the column-major `m × k` matrix `A` in `a` (`y` has `m`, `x` has `k`
/// entries): axpys over contiguous columns, four at a time, which the compiler vectorises
/// (nalgebra's `gemv` walks views with run-time strides and does not).
#[inline(always)]
pub(crate) fn matvec_add_portable<T: Real>(y: &mut [T], a: &[T], x: &[T]) {
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
/// entries): one dot product per contiguous column, with eight partial sums so it vectorises.
#[inline(always)]
pub(crate) fn matvec_t_portable<T: Real>(y: &mut [T], a: &[T], x: &[T]) {
    let k = x.len();
    for (yj, col) in y.iter_mut().zip(a.chunks_exact(k.max(1))) {
        *yj = dot(col, x);
    }
}

/// `Σ aᵢbᵢ` with eight partial sums (a fixed, documented summation order).
#[inline(always)]
pub(crate) fn dot<T: Real>(a: &[T], b: &[T]) -> T {
    let n = a.len().min(b.len());
    // fixed-size chunks: no bounds checks, so the eight lanes become vector operations
    let (ca, ra) = a[..n].as_chunks::<8>();
    let (cb, rb) = b[..n].as_chunks::<8>();
    let mut acc = [T::zero(); 8];
    for (x, y) in ca.iter().zip(cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    let mut tail = T::zero();
    for (x, y) in ra.iter().zip(rb) {
        tail += *x * *y;
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}

/// `C = α·Aᵀ·B + β·C` for the column-major `k × m` matrix `A` stored in `a`, `B: k × n`.
/// If `β` is zero, `C` is never read.
pub(crate) fn gemm_tn<T: Real>(
    mut c: DMatrixViewMut<'_, T>,
    alpha: T,
    a: &[T],
    k: usize,
    m: usize,
    b: DMatrixView<'_, T>,
    beta: T,
) {
    if b.ncols() <= FEW_COLUMNS && alpha == T::one() && beta.is_zero() {
        for (mut cj, bj) in c.column_iter_mut().zip(b.column_iter()) {
            crate::simd::matvec_t(cj.as_mut_slice(), &a[..k * m], bj.as_slice());
        }
    } else if strided_gemm_is_safe::<T>(m, b.ncols(), k) {
        c.gemm(alpha, &transposed(a, k, m), &b, beta);
    } else {
        c.gemm_tr(alpha, &DMatrixView::from_slice(&a[..k * m], k, m), &b, beta);
    }
}

/// `C = α·A·Bᵀ + β·C` for `A: m × k` and the column-major `n × k` matrix `B` stored in `b`.
/// If `β` is zero, `C` is never read.
pub(crate) fn gemm_nt<T: Real>(
    mut c: DMatrixViewMut<'_, T>,
    alpha: T,
    a: DMatrixView<'_, T>,
    b: &[T],
    n: usize,
    beta: T,
) {
    let k = a.ncols();
    if strided_gemm_is_safe::<T>(a.nrows(), n, k) {
        c.gemm(alpha, &a, &transposed(b, n, k), beta);
    } else {
        if beta.is_zero() {
            c.fill(T::zero());
        } else if beta != T::one() {
            c.scale_mut(beta);
        }
        let bm = DMatrixView::from_slice(&b[..n * k], n, k);
        for j in 0..k {
            c.ger(alpha, &a.column(j), &bm.column(j), T::one());
        }
    }
}

/// `c += a·bᵀ` for `a: m × k`, `b: n × k` given as views (one rank-1 update per column: the
/// right shape for the few batch columns of a single step).
pub(crate) fn add_outer<T: Real>(
    c: &mut DMatrixViewMut<'_, T>,
    a: DMatrixView<'_, T>,
    b: DMatrixView<'_, T>,
) {
    for (ac, bc) in a.column_iter().zip(b.column_iter()) {
        c.ger(T::one(), &ac, &bc, T::one());
    }
}

/// `v += Σ_j m[:, j]` (row sums of `m` added into `v`).
pub(crate) fn add_row_sums<T: Real>(v: &mut [T], m: DMatrixView<'_, T>) {
    for col in m.column_iter() {
        for (vi, x) in v.iter_mut().zip(col.iter()) {
            *vi += *x;
        }
    }
}

/// Adds `b` to every column of `m`.
pub(crate) fn add_to_columns<T: Real>(mut m: DMatrixViewMut<'_, T>, b: &[T]) {
    for mut col in m.column_iter_mut() {
        for (x, bi) in col.iter_mut().zip(b) {
            *x += *bi;
        }
    }
}

/// Splits a flat parameter slice into consecutive blocks of the given lengths.
pub(crate) fn split_blocks_ref<T, const K: usize>(mut data: &[T], lens: [usize; K]) -> [&[T]; K] {
    lens.map(|l| {
        let (head, tail) = data.split_at(l);
        data = tail;
        head
    })
}

/// Splits a flat parameter buffer into consecutive blocks of the given lengths.
pub(crate) fn split_blocks<T, const K: usize>(
    mut data: &mut [T],
    lens: [usize; K],
) -> [&mut [T]; K] {
    lens.map(|l| {
        let (head, tail) = std::mem::take(&mut data).split_at_mut(l);
        data = tail;
        head
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::DMatrix;

    /// Both paths of both helpers, small (loop path) and large (strided GEMM), f32 and f64,
    /// against plain products with explicit transposes.
    #[test]
    fn transposed_products_match_explicit_transposes() {
        fn run<T: Real>(tol: f64) {
            for &(m, n, k) in &[(3, 2, 4), (9, 7, 8), (6, 1, 12), (12, 9, 3)] {
                let a_tn = DMatrix::<T>::from_fn(k, m, |i, j| {
                    crate::scalar::lit((i * 3 + j) as f64 * 0.1 - 1.0)
                });
                let b = DMatrix::<T>::from_fn(k, n, |i, j| {
                    crate::scalar::lit((i + 2 * j) as f64 * 0.05)
                });
                let mut c = DMatrix::<T>::from_element(m, n, crate::scalar::lit(0.5));
                let expect = a_tn.transpose() * &b * crate::scalar::lit::<T>(2.0)
                    + &c * crate::scalar::lit::<T>(3.0);
                gemm_tn(
                    c.as_view_mut(),
                    crate::scalar::lit(2.0),
                    a_tn.as_slice(),
                    k,
                    m,
                    b.as_view(),
                    crate::scalar::lit(3.0),
                );
                assert!(crate::scalar::to_f64((c - expect).norm()) < tol);
                let a = DMatrix::<T>::from_fn(m, k, |i, j| {
                    crate::scalar::lit((i + j) as f64 * 0.2 - 0.7)
                });
                let bt = DMatrix::<T>::from_fn(n, k, |i, j| {
                    crate::scalar::lit((2 * i + j) as f64 * 0.03)
                });
                let mut c = DMatrix::<T>::from_element(m, n, crate::scalar::lit(1.0));
                let expect = &a * bt.transpose() - &c;
                gemm_nt(
                    c.as_view_mut(),
                    T::one(),
                    a.as_view(),
                    bt.as_slice(),
                    n,
                    -T::one(),
                );
                assert!(crate::scalar::to_f64((c - expect).norm()) < tol);
            }
        }
        run::<f64>(1e-12);
        run::<f32>(1e-4);
    }

    #[test]
    fn matvec_kernels_match_nalgebra() {
        for &(m, k) in &[(1, 1), (3, 7), (8, 9), (33, 17), (5, 4)] {
            let a = DMatrix::<f64>::from_fn(m, k, |i, j| ((i * 7 + j * 3) % 11) as f64 - 5.0);
            let x: Vec<f64> = (0..k).map(|j| j as f64 * 0.5 - 1.0).collect();
            let mut y = vec![1.0; m];
            matvec_add(&mut y, a.as_slice(), &x);
            let expect = &a * nalgebra::DVector::from_column_slice(&x)
                + nalgebra::DVector::from_element(m, 1.0);
            assert_eq!(y, expect.as_slice());
            let xt: Vec<f64> = (0..m).map(|i| i as f64 - 2.0).collect();
            let mut yt = vec![0.0; k];
            crate::simd::matvec_t(&mut yt, a.as_slice(), &xt);
            let mut yp = vec![0.0; k];
            matvec_t_portable(&mut yp, a.as_slice(), &xt);
            assert_eq!(yp, yt, "the AVX2 copy computes the same bits");
            let expect = a.transpose() * nalgebra::DVector::from_column_slice(&xt);
            assert_eq!(yt, expect.as_slice());
        }
    }
}

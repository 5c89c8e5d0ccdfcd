//! Dense products over nalgebra matrices (crate-internal): transposed GEMMs, rank-1 updates,
//! bias sums and RTRL's sensitivity product.
//!
//! nalgebra hands strided views to matrixmultiply only when every dimension exceeds 5 (and the
//! scalar is `f32` or `f64`, which `Real` always is: it is sealed to those two); otherwise it
//! falls back to a column loop (`gemv`/`axcpy`) that, in nalgebra 0.35, walks an operand whose
//! rows are strided with the wrong length and writes out of bounds. So a transposed view is
//! only ever given to `gemm` after [`strided_gemm_is_safe`]; the other cases use nalgebra's
//! contiguous `gemm_tr` or rank-1 `ger` updates. Views whose *columns* are strided (a block of
//! columns or rows of a larger matrix, unit row stride) are safe everywhere.

use crate::scalar::Real;
use crate::scalar::sealed::TOKEN;
use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut, Dyn, MatrixView};
use std::ops::Range;

/// True when nalgebra's `gemm` of an `m × k` by `k × n` product goes to matrixmultiply, which
/// handles strided views correctly (and fast). nalgebra also requires an `f32` or `f64`
/// scalar, which every `T: Real` is.
fn strided_gemm_is_safe(m: usize, n: usize, k: usize) -> bool {
    m > 5 && n > 5 && k > 5
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
            T::matvec_t(TOKEN, cj.as_mut_slice(), &a[..k * m], bj.as_slice());
        }
    } else if strided_gemm_is_safe(m, b.ncols(), k) {
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
    if strided_gemm_is_safe(a.nrows(), n, k) {
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
    // a column of a view with unit row stride is a contiguous slice: the loop vectorises
    for col in m.column_iter() {
        for (vi, x) in v.iter_mut().zip(col.as_slice()) {
            *vi += *x;
        }
    }
}

/// Adds `b` to every column of `m`.
pub(crate) fn add_to_columns<T: Real>(mut m: DMatrixViewMut<'_, T>, b: &[T]) {
    for mut col in m.column_iter_mut() {
        for (x, bi) in col.as_mut_slice().iter_mut().zip(b) {
            *x += *bi;
        }
    }
}

/// A matrix `A` (or the transpose of a given matrix) kept in the layout of the packed-product
/// kernel, for many products `C += A·B` with the same `A`: a recurrent weight matrix used at
/// every step of a sequence is packed once per sequence instead of once per step (nalgebra's
/// GEMM repacks both operands on every call, which for the per-step shapes `4H × H` by `H × B`
/// costs as much as a third of the product). Where the CPU has no packed kernel (neither
/// AVX-512F nor AVX2 + FMA), the plain column-major matrix is kept and the product is nalgebra's GEMM.
#[derive(Clone, Debug)]
pub(crate) struct Packed<T> {
    m: usize,
    k: usize,
    panel: usize,
    data: Vec<T>,
}

impl<T> Default for Packed<T> {
    fn default() -> Self {
        Self {
            m: 0,
            k: 0,
            panel: 0,
            data: Vec::new(),
        }
    }
}

impl<T: Real> Packed<T> {
    /// Packs `a` (`transposed = false`) or `aᵀ` (`transposed = true`), reusing the buffer.
    pub(crate) fn pack(&mut self, a: DMatrixView<'_, T>, transposed: bool) {
        self.panel = T::packed_panel(TOKEN);
        if self.panel > 0 {
            (self.m, self.k) = T::pack_panels(TOKEN, &mut self.data, a, transposed);
        } else {
            (self.m, self.k) = if transposed {
                (a.ncols(), a.nrows())
            } else {
                a.shape()
            };
            self.data.clear();
            self.data.resize(self.m * self.k, T::zero());
            let mut plain = DMatrixViewMut::from_slice(&mut self.data, self.m, self.k);
            if transposed {
                plain.tr_copy_from(&a);
            } else {
                plain.copy_from(&a);
            }
        }
    }

    /// The shape `(m, k)` of the packed matrix.
    pub(crate) fn shape(&self) -> (usize, usize) {
        (self.m, self.k)
    }

    /// `C += A·B` for `B: k × w`, `C: m × w`.
    ///
    /// # Panics
    ///
    /// If the shapes disagree.
    pub(crate) fn gemm_acc(&self, mut c: DMatrixViewMut<'_, T>, b: DMatrixView<'_, T>) {
        assert!(
            c.shape() == (self.m, b.ncols()) && b.nrows() == self.k,
            "Packed::gemm_acc: A is {} × {}, B {:?}, C {:?}",
            self.m,
            self.k,
            b.shape(),
            c.shape()
        );
        if self.panel > 0 {
            T::gemm_packed(TOKEN, c, &self.data, (self.m, self.k), b);
        } else {
            // contiguous A, unit-row-stride B and C: safe for nalgebra's GEMM at every size
            let a = DMatrixView::from_slice(&self.data, self.m, self.k);
            c.gemm(T::one(), &a, &b, T::one());
        }
    }
}

/// RTRL's sensitivity update `sens_next += J·sens` on the columns `offset + r` for every run
/// `r` of `live` (`J = j_state` is `n × n`, `sens` and `sens_next` have `n` rows): the `O(N⁴)`
/// product, by the packed kernel for `f64` where the CPU has one, by nalgebra's GEMM
/// otherwise (the scalar's `gemm_acc_square`). `pack` is the packed kernel's scratch space.
///
/// # Panics
///
/// If `J` is not square with `sens`'s row count, or a run reaches past the columns of `sens`
/// or `sens_next`.
pub(crate) fn rtrl_product<T: Real>(
    sens_next: &mut DMatrix<T>,
    sens: &DMatrix<T>,
    j_state: &DMatrix<T>,
    pack: &mut Vec<f64>,
    offset: usize,
    live: &[Range<usize>],
) {
    let n = j_state.nrows();
    assert!(
        j_state.ncols() == n && sens.nrows() == n && sens_next.nrows() == n,
        "rtrl_product: J is {}×{}, sensitivities have {} and {} rows",
        n,
        j_state.ncols(),
        sens.nrows(),
        sens_next.nrows()
    );
    let width: usize = live.iter().map(|r| r.len()).sum();
    // Two threads (feature `threads`, `MATMUL_NUM_THREADS` ≥ 2) once a step is worth the
    // ~20 µs a scoped thread costs: each takes half the live columns, with its own copy of
    // the packed J. Below 2 MFLOP (N = 16 with 8 inputs) one thread is faster.
    if matmul_threads() >= 2 && 2 * n * n * width >= 2_000_000 {
        let (first, second, split) = halves(live, width / 2);
        let (lo, hi) = sens_next.as_mut_slice().split_at_mut((offset + split) * n);
        let sens = sens.as_slice();
        let j = j_state.as_slice();
        std::thread::scope(|scope| {
            scope.spawn(|| {
                let mut pack2 = Vec::new();
                product_runs(hi, sens, j, &mut pack2, n, offset, &second, offset + split);
            });
            product_runs(lo, sens, j, pack, n, offset, &first, 0);
        });
    } else {
        product_runs(
            sens_next.as_mut_slice(),
            sens.as_slice(),
            j_state.as_slice(),
            pack,
            n,
            offset,
            live,
            0,
        );
    }
}

/// `out[(offset + c)·n − base·n ..] += J·sens[(offset + c)·n ..]` over the columns `c` of each
/// run: `out` is `sens_next` from column `base` on.
#[allow(clippy::too_many_arguments)]
fn product_runs<T: Real>(
    out: &mut [T],
    sens: &[T],
    j: &[T],
    pack: &mut Vec<f64>,
    n: usize,
    offset: usize,
    runs: &[Range<usize>],
    base: usize,
) {
    for r in runs {
        let e = (offset + r.start) * n..(offset + r.end) * n;
        let o = e.start - base * n..e.end - base * n;
        T::gemm_acc_square(TOKEN, &mut out[o], j, &sens[e], n, r.len(), pack);
    }
}

/// Splits the sorted, disjoint `runs` (`width` columns in all) after their first `half`
/// columns: the runs before, the runs after, and the column where the second part starts.
fn halves(runs: &[Range<usize>], half: usize) -> (Vec<Range<usize>>, Vec<Range<usize>>, usize) {
    let (mut first, mut second) = (Vec::new(), Vec::new());
    let mut seen = 0;
    for r in runs {
        if seen >= half {
            second.push(r.clone());
        } else if seen + r.len() <= half {
            first.push(r.clone());
        } else {
            let cut = r.start + (half - seen);
            first.push(r.start..cut);
            second.push(cut..r.end);
        }
        seen += r.len();
    }
    let end = runs.last().map_or(0, |r| r.end);
    let split = second.first().map_or(end, |r| r.start);
    (first, second, split)
}

/// The thread count for the large products: `MATMUL_NUM_THREADS` (matrixmultiply's setting,
/// default the available cores, at most 4) with the feature `threads`, 1 without.
pub(crate) fn matmul_threads() -> usize {
    #[cfg(feature = "threads")]
    {
        static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
        *THREADS.get_or_init(|| {
            std::env::var("MATMUL_NUM_THREADS")
                .ok()
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or_else(|| {
                    std::thread::available_parallelism()
                        .map_or(1, |n| n.get())
                        .min(4)
                })
                .max(1)
        })
    }
    #[cfg(not(feature = "threads"))]
    {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::{lit, to_f64};
    use nalgebra::DMatrix;

    fn m<T: Real>(rows: usize, cols: usize, seed: usize) -> DMatrix<T> {
        DMatrix::from_vec(
            rows,
            cols,
            crate::kernel::portable::tests::data(rows * cols, seed),
        )
    }

    /// Both paths of both helpers, small (loop path) and large (strided GEMM), few and many
    /// columns, f32 and f64, against plain products with explicit transposes; `B` and `C` are
    /// also given as blocks of larger matrices (strided columns).
    #[test]
    fn transposed_products_match_explicit_transposes() {
        fn run<T: Real>(tol: f64) {
            let cases = [
                (3, 2, 4),
                (9, 7, 8),
                (6, 1, 12),
                (12, 9, 3),
                (1, 1, 1),
                (33, 7, 17),
            ];
            for &(mm, n, k) in &cases {
                for (alpha, beta) in [(2.0, 3.0), (1.0, 0.0), (1.0, 1.0)] {
                    let (alpha, beta) = (lit::<T>(alpha), lit::<T>(beta));
                    let a_tn = m::<T>(k, mm, 1);
                    let b = m::<T>(k, n, 2);
                    let c0 = m::<T>(mm, n, 3);
                    let expect = a_tn.transpose() * &b * alpha + &c0 * beta;
                    let mut c = c0.clone();
                    gemm_tn(
                        c.as_view_mut(),
                        alpha,
                        a_tn.as_slice(),
                        k,
                        mm,
                        b.as_view(),
                        beta,
                    );
                    assert!(to_f64((&c - &expect).norm()) < tol, "tn {mm} {n} {k}");
                    // strided: B and C as the middle block of wider and taller matrices
                    let mut big_b = m::<T>(k + 3, n + 2, 4);
                    big_b.view_mut((1, 1), (k, n)).copy_from(&b);
                    let mut big_c = m::<T>(mm + 2, n + 3, 5);
                    big_c.view_mut((2, 1), (mm, n)).copy_from(&c0);
                    let outside = big_c.clone();
                    gemm_tn(
                        big_c.view_mut((2, 1), (mm, n)),
                        alpha,
                        a_tn.as_slice(),
                        k,
                        mm,
                        big_b.view((1, 1), (k, n)),
                        beta,
                    );
                    assert!(to_f64((big_c.view((2, 1), (mm, n)) - &expect).norm()) < tol);
                    big_c
                        .view_mut((2, 1), (mm, n))
                        .copy_from(&outside.view((2, 1), (mm, n)));
                    assert_eq!(big_c, outside, "nothing outside the block is written");

                    let a = m::<T>(mm, k, 6);
                    let bt = m::<T>(n, k, 7);
                    let expect = &a * bt.transpose() * alpha + &c0 * beta;
                    let mut c = c0.clone();
                    gemm_nt(c.as_view_mut(), alpha, a.as_view(), bt.as_slice(), n, beta);
                    assert!(to_f64((&c - &expect).norm()) < tol, "nt {mm} {n} {k}");
                    let mut big_a = m::<T>(mm + 1, k + 2, 8);
                    big_a.view_mut((1, 2), (mm, k)).copy_from(&a);
                    let mut big_c = m::<T>(mm + 2, n + 3, 9);
                    big_c.view_mut((2, 1), (mm, n)).copy_from(&c0);
                    let outside = big_c.clone();
                    gemm_nt(
                        big_c.view_mut((2, 1), (mm, n)),
                        alpha,
                        big_a.view((1, 2), (mm, k)),
                        bt.as_slice(),
                        n,
                        beta,
                    );
                    assert!(to_f64((big_c.view((2, 1), (mm, n)) - &expect).norm()) < tol);
                    big_c
                        .view_mut((2, 1), (mm, n))
                        .copy_from(&outside.view((2, 1), (mm, n)));
                    assert_eq!(big_c, outside, "nothing outside the block is written");
                }
            }
            // β = 0: C is never read, so NaN in C does not leak into the result
            let (a, b) = (m::<T>(4, 3, 1), m::<T>(4, 2, 2));
            let mut c = DMatrix::<T>::from_element(3, 2, lit(f64::NAN));
            gemm_tn(
                c.as_view_mut(),
                T::one(),
                a.as_slice(),
                4,
                3,
                b.as_view(),
                T::zero(),
            );
            assert!(to_f64((c - a.transpose() * b).norm()) < tol);
            let (a, bt) = (m::<T>(3, 4, 1), m::<T>(2, 4, 2));
            let mut c = DMatrix::<T>::from_element(3, 2, lit(f64::NAN));
            gemm_nt(
                c.as_view_mut(),
                T::one(),
                a.as_view(),
                bt.as_slice(),
                2,
                T::zero(),
            );
            assert!(to_f64((c - a * bt.transpose()).norm()) < tol);
        }
        run::<f64>(1e-12);
        run::<f32>(1e-4);
    }

    /// The rank-1 and bias helpers against the loops and products they stand for, f32 and
    /// f64, odd sizes, on blocks of larger matrices.
    #[test]
    fn outer_and_bias_helpers_match_plain_code() {
        fn run<T: Real>(tol: f64) {
            for (rows, cols, k) in [(1, 1, 1), (7, 3, 2), (33, 17, 5), (257, 7, 1)] {
                let big_a = m::<T>(rows + 2, k + 1, 1);
                let big_b = m::<T>(cols + 1, k + 2, 2);
                let (a, b) = (big_a.view((1, 1), (rows, k)), big_b.view((1, 0), (cols, k)));
                let c0 = m::<T>(rows, cols, 3);
                let mut c = c0.clone();
                add_outer(&mut c.as_view_mut(), a, b);
                let expect = &c0 + a * b.transpose();
                assert!(to_f64((c - expect).norm()) < tol * rows as f64);

                let v0: Vec<T> = crate::kernel::portable::tests::data(rows, 4);
                let mut v = v0.clone();
                let big = m::<T>(rows + 3, cols + 1, 5);
                let block = big.view((2, 1), (rows, cols));
                add_row_sums(&mut v, block);
                for (i, vi) in v.iter().enumerate() {
                    let mut s = v0[i];
                    for j in 0..cols {
                        s += block[(i, j)];
                    }
                    assert_eq!(*vi, s, "row sums are added column by column");
                }

                let mut big = m::<T>(rows + 3, cols + 1, 6);
                let before = big.clone();
                add_to_columns(big.view_mut((2, 1), (rows, cols)), &v0);
                for i in 0..rows + 3 {
                    for j in 0..cols + 1 {
                        let inside = (2..rows + 2).contains(&i) && j >= 1;
                        let want = if inside {
                            before[(i, j)] + v0[i - 2]
                        } else {
                            before[(i, j)]
                        };
                        assert_eq!(big[(i, j)], want);
                    }
                }
            }
        }
        run::<f64>(1e-13);
        run::<f32>(1e-5);
    }

    /// The packed product (AVX-512F or AVX2 kernel where the CPU has one, the plain matrix and
    /// nalgebra otherwise) against nalgebra's: `A` and `Aᵀ` packed, every row tail of the
    /// 64-row (f32) and 32-row (f64) panels, column tails of the 6-, 4-, 2- and 1-column
    /// blocks, `B` and `C` as blocks of larger matrices (column strides ≠ rows), nothing
    /// outside `C`'s block written, and a repack of another shape into the same buffer.
    #[test]
    fn packed_product_matches_nalgebra() {
        fn run<T: Real>(tol: f64) {
            let mut p = Packed::<T>::default();
            for (mm, k) in [
                (1, 1),
                (7, 3),
                (16, 5),
                (33, 17),
                (64, 9),
                (65, 40),
                (130, 64),
                (200, 3),
            ] {
                for n in [1, 2, 3, 5, 6, 7, 12, 13, 32] {
                    for transposed in [false, true] {
                        let a = if transposed {
                            m::<T>(k, mm, 1)
                        } else {
                            m::<T>(mm, k, 1)
                        };
                        let a_eff = if transposed { a.transpose() } else { a.clone() };
                        p.pack(a.as_view(), transposed);
                        assert_eq!(p.shape(), (mm, k));
                        let mut big_b = m::<T>(k + 3, n + 2, 2);
                        let b = big_b.view((1, 1), (k, n)).into_owned();
                        let mut big_c = m::<T>(mm + 5, n + 1, 3);
                        let c0 = big_c.view((2, 1), (mm, n)).into_owned();
                        let outside = big_c.clone();
                        p.gemm_acc(big_c.view_mut((2, 1), (mm, n)), big_b.view((1, 1), (k, n)));
                        let want = &c0 + &a_eff * &b;
                        let err = to_f64((big_c.view((2, 1), (mm, n)) - &want).norm());
                        assert!(
                            err < tol * (1.0 + to_f64(want.norm())),
                            "{mm}×{k}·{n} t={transposed}: {err}"
                        );
                        big_c.view_mut((2, 1), (mm, n)).copy_from(&c0);
                        assert_eq!(big_c, outside, "nothing outside C's block is written");
                        big_b.fill(T::zero());
                    }
                }
            }
        }
        run::<f64>(1e-14);
        run::<f32>(1e-6);
    }

    /// RTRL's product on runs of columns against nalgebra's product on the same columns, f32
    /// and f64 (the f64 runs take the packed kernel when the CPU has one; the scalar kernels'
    /// tests cover the fallback), sizes around the kernels' panels, and one case large enough
    /// for the two-thread split under the feature `threads`.
    #[test]
    fn rtrl_product_matches_gemm_on_live_columns() {
        fn run<T: Real>(tol: f64) {
            // (n, width, live runs); the last is large enough for the two-thread split
            // (feature `threads`), which then cuts inside the run 70..400
            let cases: [(usize, usize, Vec<Range<usize>>); 4] = [
                (1, 13, vec![0..3, 4..5, 7..13]),
                (7, 13, vec![0..3, 4..5, 7..13]),
                (33, 13, vec![0..3, 4..5, 7..13]),
                (65, 400, vec![0..3, 4..5, 7..60, 70..400]),
            ];
            for (n, width, live) in cases {
                let batch = 2;
                let j = m::<T>(n, n, 1);
                let sens = m::<T>(n, width * batch, 2);
                let next0 = m::<T>(n, width * batch, 3);
                let mut next = next0.clone();
                let mut pack = Vec::new();
                for c in 0..batch {
                    rtrl_product(&mut next, &sens, &j, &mut pack, c * width, &live);
                }
                let mut want = next0.clone();
                for c in 0..batch {
                    for r in &live {
                        let cols = c * width + r.start..c * width + r.end;
                        for col in cols {
                            let add = &j * sens.column(col);
                            want.column_mut(col).zip_apply(&add, |w, a| *w += a);
                        }
                    }
                }
                assert!(to_f64((&next - &want).norm()) < tol * n as f64, "n = {n}");
                for dead in [3, 5, 6] {
                    for c in 0..batch {
                        if n == 65 {
                            assert_eq!(next.column(c * width + 65), next0.column(c * width + 65));
                        }
                        assert_eq!(
                            next.column(c * width + dead),
                            next0.column(c * width + dead)
                        );
                    }
                }
            }
        }
        run::<f64>(1e-13);
        run::<f32>(1e-5);
    }

    /// The two-thread split of RTRL's runs: every column once, in order, cut at the half.
    #[test]
    fn halves_cut_the_runs_at_half_the_columns() {
        let runs = [0..3, 4..5, 7..13];
        for half in 0..=10 {
            let (a, b, split) = halves(&runs, half);
            let cols = |rs: &[Range<usize>]| rs.iter().flat_map(|r| r.clone()).collect::<Vec<_>>();
            let (ca, cb) = (cols(&a), cols(&b));
            assert_eq!(ca.len(), half, "half = {half}");
            assert_eq!([ca.clone(), cb.clone()].concat(), cols(&runs));
            assert!(ca.iter().all(|&c| c < split) && cb.iter().all(|&c| c >= split));
        }
    }
}

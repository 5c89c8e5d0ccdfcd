//! Small, checked-by-design helpers for writing a cell's maths: what Elman, Jordan and the
//! composed models use, public so a cell written outside the crate needs nothing else.
//!
//! All of them work on batches as columns and add into their output (BLAS style), so a cell's
//! backward step reads as its equations:
//!
//! * [`add_to_columns`]: `M ← M + b·1ᵀ` (a bias on every column);
//! * [`add_outer`]: `C ← C + A·Bᵀ` (a weight gradient from a batch of columns);
//! * [`add_row_sums`]: `v ← v + M·1` (a bias gradient);
//! * [`matvec_add`] / [`matvec_t`]: `y ← y + A·x` and `y ← Aᵀ·x` on contiguous slices, the
//!   vectorised kernels behind a step of batch 1 (nalgebra's `gemv` walks run-time strides and
//!   does not vectorise);
//! * [`PackedMatrix`]: `C ← C + W·B` (or `Wᵀ·B`) with `W` packed once for all the steps of a
//!   sequence, the per-step recurrent product of a fused schedule;
//! * [`blocks`] / [`blocks_mut`]: θ split into its consecutive blocks;
//! * [`check_shape`] / [`invalid`]: the crate's errors for a builder's or loader's checks.
//!
//! # Examples
//!
//! The forward and backward step of an affine layer `y = W x + b` over a batch of columns,
//! written with these helpers:
//!
//! ```
//! use nalgebra::DMatrix;
//! use recurrent::ops::{add_outer, add_row_sums, add_to_columns, blocks};
//! let theta = [1.0, 0.0, 0.0, 2.0, 0.5, -0.5]; // W (2 × 2, column-major), then b
//! let [w, b] = blocks(&theta, [4, 2]);
//! let w = DMatrix::from_column_slice(2, 2, w);
//! let x = DMatrix::from_column_slice(2, 3, &[1.0, 1.0, 2.0, 0.0, 0.0, 3.0]); // 3 columns
//! let mut y = &w * &x;
//! add_to_columns(y.as_view_mut(), b);
//! assert_eq!(y.column(0).as_slice(), &[1.5, 1.5]);
//! // backward: dW += dy·xᵀ, db += dy·1
//! let dy = DMatrix::from_element(2, 3, 1.0);
//! let (mut dw, mut db) = (DMatrix::zeros(2, 2), [0.0; 2]);
//! add_outer(dw.as_view_mut(), dy.as_view(), x.as_view());
//! add_row_sums(&mut db, dy.as_view());
//! assert_eq!(db, [3.0, 3.0]);
//! assert_eq!(dw[(0, 0)], 3.0); // Σ over the batch of x₀
//! ```

use crate::error::{Error, Result};
use crate::scalar::Real;
use nalgebra::{DMatrixView, DMatrixViewMut};

/// `m ← m + b·1ᵀ`: adds `b` (`m.nrows()` long) to every column of `m`.
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// let mut m = DMatrix::<f64>::zeros(2, 3);
/// recurrent::ops::add_to_columns(m.as_view_mut(), &[1.0, 2.0]);
/// assert_eq!(m.column(2).as_slice(), &[1.0, 2.0]);
/// ```
///
/// # Panics
///
/// If `b` is shorter than `m.nrows()`.
pub fn add_to_columns<T: Real>(m: DMatrixViewMut<'_, T>, b: &[T]) {
    assert!(b.len() >= m.nrows(), "add_to_columns: bias too short");
    crate::kernel::add_to_columns(m, b);
}

/// `c ← c + a·bᵀ` for `a: m × k` and `b: n × k` (one rank-1 update per column pair).
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// let a = DMatrix::<f64>::from_row_slice(2, 1, &[1.0, 2.0]);
/// let b = DMatrix::<f64>::from_row_slice(1, 1, &[3.0]);
/// let mut c = DMatrix::<f64>::zeros(2, 1);
/// recurrent::ops::add_outer(c.as_view_mut(), a.as_view(), b.as_view());
/// assert_eq!(c.as_slice(), &[3.0, 6.0]);
/// ```
///
/// # Panics
///
/// If the shapes do not agree (`c` must be `a.nrows() × b.nrows()`, `a` and `b` must have as
/// many columns).
pub fn add_outer<T: Real>(
    mut c: DMatrixViewMut<'_, T>,
    a: DMatrixView<'_, T>,
    b: DMatrixView<'_, T>,
) {
    assert!(
        c.shape() == (a.nrows(), b.nrows()) && a.ncols() == b.ncols(),
        "add_outer: c is {:?}, a {:?}, b {:?}",
        c.shape(),
        a.shape(),
        b.shape()
    );
    crate::kernel::add_outer(&mut c, a, b);
}

/// `v ← v + m·1`: adds the row sums of `m` into `v`.
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// let m = DMatrix::<f32>::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
/// let mut v = [0.5f32, 0.0];
/// recurrent::ops::add_row_sums(&mut v, m.as_view());
/// assert_eq!(v, [3.5, 7.0]);
/// ```
///
/// # Panics
///
/// If `v` is shorter than `m.nrows()`.
pub fn add_row_sums<T: Real>(v: &mut [T], m: DMatrixView<'_, T>) {
    assert!(v.len() >= m.nrows(), "add_row_sums: v too short");
    crate::kernel::add_row_sums(v, m);
}

/// `y ← y + A·x` for the column-major `m × k` matrix `A` stored in `a`, with `m = y.len()` and
/// `k = x.len()`: the matrix–vector product of one batch column, vectorised (AVX2 when the CPU
/// has it, chosen at run time; the same bits either way).
///
/// Sigmoid and tanh over a view, the other half of a gated cell's step, are
/// [`crate::activation::Activation::apply`].
///
/// # Examples
///
/// ```
/// // A = [1 3; 2 4] column-major, x = [1, 1]
/// let mut y = [10.0, 20.0];
/// recurrent::ops::matvec_add(&mut y, &[1.0, 2.0, 3.0, 4.0], &[1.0, 1.0]);
/// assert_eq!(y, [14.0, 26.0]);
/// ```
///
/// # Panics
///
/// If `a` has fewer than `y.len()·x.len()` entries.
pub fn matvec_add<T: Real>(y: &mut [T], a: &[T], x: &[T]) {
    let need = y.len().checked_mul(x.len());
    assert!(
        need.is_some_and(|n| a.len() >= n),
        "matvec_add: a has {} entries, A is {}x{}",
        a.len(),
        y.len(),
        x.len()
    );
    crate::kernel::matvec_add(y, a, x);
}

/// `y ← Aᵀ·x` for the column-major `k × m` matrix `A` stored in `a`, with `k = x.len()` and
/// `m = y.len()`: one dot product per contiguous column of `A` (the backward step's
/// `W_hhᵀ·δ` for one batch column), vectorised like [`matvec_add`]. `y` is overwritten.
///
/// # Examples
///
/// ```
/// // A = [1 3; 2 4] column-major, x = [1, 1]: Aᵀx = [3, 7]
/// let mut y = [0.0f32; 2];
/// recurrent::ops::matvec_t(&mut y, &[1.0, 2.0, 3.0, 4.0], &[1.0, 1.0]);
/// assert_eq!(y, [3.0, 7.0]);
/// ```
///
/// # Panics
///
/// If `a` has fewer than `y.len()·x.len()` entries.
pub fn matvec_t<T: Real>(y: &mut [T], a: &[T], x: &[T]) {
    let need = y.len().checked_mul(x.len());
    assert!(
        need.is_some_and(|n| a.len() >= n),
        "matvec_t: a has {} entries, A is {}x{}",
        a.len(),
        x.len(),
        y.len()
    );
    crate::kernel::matvec_t(y, a, x);
}

/// θ split into `K` consecutive blocks of the given lengths (the rest, if any, is left out).
///
/// # Examples
///
/// ```
/// let theta = [1.0, 2.0, 3.0, 4.0, 5.0];
/// let [w, b] = recurrent::ops::blocks(&theta, [3, 2]);
/// assert_eq!((w, b), (&[1.0, 2.0, 3.0][..], &[4.0, 5.0][..]));
/// ```
///
/// # Panics
///
/// If the lengths add up to more than `data.len()`.
pub fn blocks<T, const K: usize>(data: &[T], lens: [usize; K]) -> [&[T]; K] {
    crate::kernel::split_blocks_ref(data, lens)
}

/// [`blocks`], mutably: how a backward step reaches each block of its gradient.
///
/// # Examples
///
/// ```
/// let mut grad = [0.0; 5];
/// let [gw, gb] = recurrent::ops::blocks_mut(&mut grad, [3, 2]);
/// gw[0] += 1.0;
/// gb[1] += 2.0;
/// assert_eq!(grad, [1.0, 0.0, 0.0, 0.0, 2.0]);
/// ```
///
/// # Panics
///
/// If the lengths add up to more than `data.len()`.
pub fn blocks_mut<T, const K: usize>(data: &mut [T], lens: [usize; K]) -> [&mut [T]; K] {
    crate::kernel::split_blocks(data, lens)
}

/// `Err(DimensionMismatch)` unless `got == expected`: the check a loader or an entry point
/// runs on a matrix shape, with the operation and the thing named in the message.
///
/// # Examples
///
/// ```
/// use recurrent::ops::check_shape;
/// assert!(check_shape("my_cell", "input", (3, 1), (3, 1)).is_ok());
/// let e = check_shape("my_cell", "input", (3, 1), (2, 1)).unwrap_err();
/// assert!(e.to_string().contains("input"));
/// ```
///
/// # Errors
///
/// [`Error::DimensionMismatch`] naming `op` and `what`.
pub fn check_shape(
    op: &'static str,
    what: &'static str,
    expected: (usize, usize),
    got: (usize, usize),
) -> Result<()> {
    crate::error::check_shape(op, what, expected, got)
}

/// The crate's error for a configuration value out of range: `name` and why.
///
/// # Examples
///
/// ```
/// let e = recurrent::ops::invalid("n_hidden", "must be at least 1");
/// assert!(matches!(e, recurrent::Error::InvalidParameter { name: "n_hidden", .. }));
/// ```
pub fn invalid(name: &'static str, reason: impl Into<String>) -> Error {
    Error::invalid(name, reason)
}

/// A weight matrix `W` (or its transpose) packed once for many products `C ← C + W·B`: the
/// recurrent product of every step of a sequence (`W_hh·h⟨t−1⟩` forward, `W_hhᵀ·δ⟨t⟩`
/// backward) with the same `W`.
///
/// nalgebra's GEMM repacks both operands on every call; for the per-step shapes of a gated
/// cell (`4H × H` by `H × B`) that repacking is a third of the product's time. A
/// `PackedMatrix` keeps `W` in the register-blocked kernel's panel layout (AVX-512F or
/// AVX2 + FMA, `f32` and `f64`, chosen at run time), so a fused `forward_seq` packs once and
/// multiplies `T` times. On a CPU without either it keeps the plain column-major matrix and
/// multiplies with nalgebra's GEMM. The
/// products agree with nalgebra's to rounding (the kernel's sums run in another order, with
/// fused multiply-adds), not bit for bit.
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use recurrent::ops::PackedMatrix;
/// let w = DMatrix::<f64>::from_fn(70, 40, |i, j| (i as f64 - j as f64) * 0.01);
/// let b = DMatrix::<f64>::from_fn(40, 9, |i, j| (i + 2 * j) as f64 * 0.1);
/// let mut packed = PackedMatrix::new();
/// packed.pack(w.as_view());
/// let mut c = DMatrix::<f64>::from_element(70, 9, 1.0);
/// packed.gemm_acc(c.as_view_mut(), b.as_view());
/// let want = DMatrix::from_element(70, 9, 1.0) + &w * &b;
/// assert!((c - want).norm() < 1e-12);
///
/// // Wᵀ·B from the same W, without a transposed copy of it
/// let d = DMatrix::<f64>::from_fn(70, 9, |i, j| (i * j) as f64 * 0.01);
/// packed.pack_transposed(w.as_view());
/// let mut e = DMatrix::<f64>::zeros(40, 9);
/// packed.gemm_acc(e.as_view_mut(), d.as_view());
/// assert!((e - w.transpose() * &d).norm() < 1e-12);
/// ```
#[derive(Clone, Debug)]
pub struct PackedMatrix<T: Real> {
    inner: crate::kernel::Packed<T>,
}

impl<T: Real> Default for PackedMatrix<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Real> PackedMatrix<T> {
    /// An empty packed matrix (`0 × 0`); [`PackedMatrix::pack`] fills it.
    pub fn new() -> Self {
        Self {
            inner: crate::kernel::Packed::default(),
        }
    }

    /// Packs `w`, reusing this matrix's buffer.
    pub fn pack(&mut self, w: DMatrixView<'_, T>) {
        self.inner.pack(w, false);
    }

    /// Packs `wᵀ` (read from `w` as it is stored: no transposed copy is made first).
    pub fn pack_transposed(&mut self, w: DMatrixView<'_, T>) {
        self.inner.pack(w, true);
    }

    /// The shape `(rows, cols)` of the packed matrix (`wᵀ`'s after
    /// [`PackedMatrix::pack_transposed`]).
    pub fn shape(&self) -> (usize, usize) {
        self.inner.shape()
    }

    /// `C ← C + W·B` (`W` the packed matrix, `m × k`; `B: k × n`; `C: m × n`).
    ///
    /// # Panics
    ///
    /// If the shapes disagree (a programming error in the calling cell, as a mismatched
    /// nalgebra product would be).
    pub fn gemm_acc(&self, c: DMatrixViewMut<'_, T>, b: DMatrixView<'_, T>) {
        self.inner.gemm_acc(c, b);
    }
}

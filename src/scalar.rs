//! The scalar bound used by all numeric code.
//!
//! # Examples
//!
//! Code of one's own is generic over `f32` and `f64` through [`Real`]:
//!
//! ```
//! use recurrent::scalar::{Real, lit, to_f64};
//! fn mean<T: Real>(xs: &[T]) -> T {
//!     let n: T = lit(xs.len() as f64);
//!     xs.iter().fold(T::zero(), |s, &x| s + x) / n
//! }
//! assert_eq!(mean(&[1.0f32, 2.0, 3.0]), 2.0);
//! assert_eq!(to_f64(mean(&[0.5f64, 1.5])), 1.0);
//! ```

use nalgebra::RealField;

/// A real scalar: `f32` or `f64`.
///
/// Declared once so signatures read `T: Real` instead of a long bound list. It is implemented
/// for exactly `f32` and `f64` (the trait is sealed), which lets the crate give each its own
/// vectorised kernels (activation functions, dot and matrix products), chosen at compile time
/// through the sealed trait rather than by run-time type checks.
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use recurrent::scalar::Real;
/// /// The largest absolute entry, for either precision.
/// fn max_abs<T: Real>(m: &DMatrix<T>) -> T {
///     m.iter().fold(T::zero(), |a, &x| a.max(x.abs()))
/// }
/// assert_eq!(max_abs(&DMatrix::from_row_slice(1, 3, &[1.0f32, -4.0, 2.0])), 4.0);
/// assert_eq!(max_abs(&DMatrix::from_row_slice(1, 2, &[0.5f64, -0.25])), 0.5);
/// ```
pub trait Real: RealField + Copy + sealed::Kernels {}

impl Real for f32 {}
impl Real for f64 {}

/// Converts an `f64` literal or computed constant into `T` (rounding for `f32`).
///
/// # Examples
///
/// ```
/// use recurrent::scalar::lit;
/// let half: f32 = lit(0.5);
/// assert_eq!(half, 0.5f32);
/// ```
#[inline]
pub fn lit<T: Real>(x: f64) -> T {
    nalgebra::convert::<f64, T>(x)
}

/// Converts `T` to `f64` (exact for `f32` and `f64`).
///
/// # Examples
///
/// ```
/// assert_eq!(recurrent::scalar::to_f64(0.25f32), 0.25);
/// ```
#[inline]
pub fn to_f64<T: Real>(x: T) -> f64 {
    nalgebra::try_convert::<T, f64>(x).unwrap_or(f64::NAN)
}

pub(crate) mod sealed {
    /// Proof of being inside the crate: every method of [`Kernels`] takes one. `Real` is
    /// public, so without it any downstream `T: Real` bound could call the kernels (the
    /// trait cannot be named outside the crate, but its methods are in scope through the
    /// bound); a `Token` can only be made here, so they stay crate-internal.
    #[derive(Clone, Copy, Debug)]
    pub struct Token(());

    /// The one [`Token`].
    pub(crate) const TOKEN: Token = Token(());

    /// The per-scalar numeric kernels: the one place where `f32` and `f64` get code of their
    /// own. Declared here so that `Real` can require it, implemented for exactly `f32` and
    /// `f64` in `crate::kernel` (which composes the portable, AVX2 and AVX-512 paths behind
    /// them). Code outside `crate::kernel` calls these through its safe functions
    /// (`kernel::dot`, `kernel::tanh`, …), not directly.
    pub trait Kernels: Sized {
        /// `x ← tanh x` for every element.
        fn tanh_slice(_: Token, x: &mut [Self]);
        /// `x ← 1 / (1 + e^−x)` for every element.
        fn sigmoid_slice(_: Token, x: &mut [Self]);
        /// `x ← e^x` for every element (the kernel of the fused softmax + NLL).
        fn exp_slice(_: Token, x: &mut [Self]);
        /// `Σ aᵢ·bᵢ` over the common length, in the crate's one summation order (see
        /// `crate::kernel::dot`).
        fn dot(_: Token, a: &[Self], b: &[Self]) -> Self;
        /// `y += A·x` for the column-major `y.len() × x.len()` matrix `A` in `a`.
        fn matvec_add(_: Token, y: &mut [Self], a: &[Self], x: &[Self]);
        /// `y = Aᵀ·x` for the column-major `x.len() × y.len()` matrix `A` in `a`.
        fn matvec_t(_: Token, y: &mut [Self], a: &[Self], x: &[Self]);
        /// `C += A·B` for column-major `A: n × n`, `B, C: n × w` stored contiguously;
        /// `pack` is scratch space for kernels that repack `A`.
        fn gemm_acc_square(
            _: Token,
            c: &mut [Self],
            a: &[Self],
            b: &[Self],
            n: usize,
            w: usize,
            pack: &mut Vec<f64>,
        );
        /// Rows per panel of the packed product's layout, or 0 where this CPU has no packed
        /// product (the plain column-major matrix is kept instead).
        fn packed_panel(_: Token) -> usize;
        /// Packs `a` (or its transpose) into `out` in panels of [`Kernels::packed_panel`] rows;
        /// returns the packed matrix's shape.
        fn pack_panels(
            _: Token,
            out: &mut Vec<Self>,
            a: nalgebra::DMatrixView<'_, Self>,
            transposed: bool,
        ) -> (usize, usize);
        /// `C += A·B` for `A: m × k` packed by [`Kernels::pack_panels`].
        fn gemm_packed(
            _: Token,
            c: nalgebra::DMatrixViewMut<'_, Self>,
            a: &[Self],
            shape: (usize, usize),
            b: nalgebra::DMatrixView<'_, Self>,
        );
        /// The eigenvalues `re + i·im` of the column-major `n × n` matrix `a` and, if asked
        /// for, its right eigenvectors in LAPACK's real layout; `false` if the iteration did
        /// not converge.
        fn real_evd(
            _: Token,
            a: &[Self],
            n: usize,
            re: &mut [Self],
            im: &mut [Self],
            vectors: Option<&mut [Self]>,
        ) -> bool;
        /// `out = A⁻¹` for the column-major complex `n × n` matrix `a` (LU with partial
        /// pivoting; non-finite entries if `A` is exactly singular).
        fn complex_inverse(
            _: Token,
            a: &[nalgebra::Complex<Self>],
            n: usize,
            out: &mut [nalgebra::Complex<Self>],
        );
    }
}

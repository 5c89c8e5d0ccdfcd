//! `Wᵗ` two ways: `V diag(λ)ᵗ V⁻¹` and repeated squaring.
//!
//! The eigen route costs one decomposition and then one `O(n³)` product per `t`, and shows
//! the mechanism: mode `i` is scaled by `λᵢᵗ`. Repeated squaring (`W², W⁴, W⁸, …`, multiplying
//! the squares whose bit is set in `t`) takes `⌊log₂ t⌋ + popcount(t) − 1` products and is the
//! more accurate of the two: its error grows with `log t`, while the eigen route's is about
//! `κ(V)·ε` from the start. For a defective matrix (no basis of eigenvectors) only repeated
//! squaring is right.

use super::check_square;
use super::eigen::{Eigen, split};
use crate::error::{Error, Result};
use crate::scalar::{Real, to_f64};
use nalgebra::{Complex, DMatrix};

impl<T: Real> Eigen<T> {
    /// `Wᵗ = V diag(λ)ᵗ V⁻¹`, real.
    ///
    /// The product is formed in complex arithmetic; its imaginary part, which is zero in exact
    /// arithmetic because complex eigenvalues and eigenvectors come in conjugate pairs, is
    /// checked to be at most `√ε` times the largest real entry and then dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use recurrent::spectral::{Eigen, matrix_power};
    /// let w = DMatrix::from_row_slice(3, 3, &[0.5, 0.2, 0.0, -0.3, 0.8, 0.1, 0.0, 0.4, 0.9]);
    /// let eig = Eigen::new(&w)?;
    /// let p = eig.power(20)?;
    /// assert!((p - matrix_power(&w, 20)?).norm() < 1e-12);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Numerical`] if `V` is singular or its condition number `κ₁(V)` exceeds
    /// [`Eigen::max_condition`] (`W` is defective or nearly so, as the Jordan block
    /// `[[1, 1], [0, 1]]`: the eigen route would silently lose the `t`-linear growth), or if
    /// the imaginary residue is larger than `√ε` relative. [`super::power`] falls back to
    /// repeated squaring instead.
    pub fn power(&self, t: u32) -> Result<DMatrix<T>> {
        let op = "Eigen::power";
        let inv = match &self.inverse {
            Some(inv) if self.is_diagonalisable() => inv,
            _ => {
                return Err(Error::Numerical {
                    op,
                    reason: format!(
                        "eigenvector matrix V is ill-conditioned (κ₁(V) = {:.3e} > {:.3e}): \
                         W is defective or nearly so; use spectral::power or matrix_power",
                        to_f64(self.condition),
                        to_f64(Self::max_condition())
                    ),
                });
            }
        };
        let (vr, vi) = split(&self.vectors);
        let (ir, ii) = split(inv);
        let n = vr.nrows();
        // X = V diag(λᵗ)
        let mut xr = vr;
        let mut xi = vi;
        for (j, l) in self.values.iter().enumerate() {
            let lt: Complex<T> = l.powu(t);
            for i in 0..n {
                let (a, b) = (xr[(i, j)], xi[(i, j)]);
                xr[(i, j)] = a * lt.re - b * lt.im;
                xi[(i, j)] = a * lt.im + b * lt.re;
            }
        }
        // P = X V⁻¹ by four real GEMMs.
        let mut pr = &xr * &ir;
        pr.gemm(-T::one(), &xi, &ii, T::one());
        let mut pi = &xr * &ii;
        pi.gemm(T::one(), &xi, &ir, T::one());
        let re_max = pr.amax();
        let im_max = pi.amax();
        if !(re_max.is_finite() && im_max.is_finite()) {
            return Err(Error::Numerical {
                op,
                reason: format!("Wᵗ overflowed at t = {t}"),
            });
        }
        if im_max > T::default_epsilon().sqrt() * re_max {
            return Err(Error::Numerical {
                op,
                reason: format!(
                    "imaginary residue {:.3e} of V diag(λ)ᵗ V⁻¹ is not negligible against its \
                     real part {:.3e}",
                    to_f64(im_max),
                    to_f64(re_max)
                ),
            });
        }
        Ok(pr)
    }
}

/// `Wᵗ` by repeated squaring (`W⁰ = I`).
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// let j = DMatrix::from_row_slice(2, 2, &[1.0, 1.0, 0.0, 1.0]); // a Jordan block
/// let j100 = recurrent::spectral::matrix_power(&j, 100)?;
/// assert_eq!(j100[(0, 1)], 100.0);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Empty`], [`Error::DimensionMismatch`] (non-square), [`Error::NonFinite`].
///
/// # Complexity
///
/// `⌊log₂ t⌋ + popcount(t) − 1` products of `n × n` matrices.
pub fn matrix_power<T: Real>(w: &DMatrix<T>, t: u32) -> Result<DMatrix<T>> {
    check_square("spectral::matrix_power", w)?;
    Ok(square_power(w, t))
}

/// Repeated squaring on a checked matrix.
pub(crate) fn square_power<T: Real>(w: &DMatrix<T>, mut t: u32) -> DMatrix<T> {
    let n = w.nrows();
    let mut result: Option<DMatrix<T>> = None;
    let mut base = w.clone();
    while t > 0 {
        if t & 1 == 1 {
            result = Some(match result {
                None => base.clone(),
                Some(r) => r * &base,
            });
        }
        t >>= 1;
        if t > 0 {
            base = &base * &base;
        }
    }
    result.unwrap_or_else(|| DMatrix::identity(n, n))
}

/// Which route [`power`] took.
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use recurrent::spectral::{PowerRoute, power};
/// // diagonalisable: the eigen route
/// let w = DMatrix::from_row_slice(2, 2, &[0.5, 0.0, 0.0, 0.25]);
/// assert_eq!(power(&w, 3)?.route, PowerRoute::Eigen);
/// // defective (a Jordan block): repeated squaring
/// let j = DMatrix::from_row_slice(2, 2, &[1.0, 1.0, 0.0, 1.0]);
/// assert_eq!(power(&j, 3)?.route, PowerRoute::Squaring);
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PowerRoute {
    /// `V diag(λ)ᵗ V⁻¹` ([`Eigen::power`]).
    Eigen,
    /// Repeated squaring ([`matrix_power`]), because the eigen route was refused: `V` was
    /// ill-conditioned (`W` defective or nearly so) or the imaginary residue was too large.
    Squaring,
}

/// `Wᵗ` with the route that produced it; see [`power`].
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use recurrent::spectral::power;
/// let w = DMatrix::<f64>::from_row_slice(2, 2, &[0.0, 1.0, 1.0, 0.0]); // a swap
/// let p = power(&w, 2)?;
/// assert!((p.matrix - DMatrix::identity(2, 2)).norm() < 1e-12); // swapping twice
/// assert!(p.condition.is_finite()); // κ₁(V) of a well-conditioned basis
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Power<T: Real> {
    /// `Wᵗ`.
    pub matrix: DMatrix<T>,
    /// The route taken.
    pub route: PowerRoute,
    /// `κ₁(V)` of the eigendecomposition (infinite if `V` was singular).
    pub condition: T,
}

/// `Wᵗ` by the eigen route when `W` is diagonalisable to working precision, else by repeated
/// squaring, with a flag saying which.
///
/// This is the documented fallback for defective matrices: the Jordan block
/// `J = [[1, 1], [0, 1]]` has `Jᵗ = [[1, t], [0, 1]]`, but its eigenvectors are parallel, and
/// LAPACK's `V Λᵗ V⁻¹` silently returns `I` (100 % error at `t = 100`). Here `κ₁(V)` exposes
/// it and the result comes from repeated squaring with [`PowerRoute::Squaring`].
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use recurrent::spectral::{PowerRoute, power};
/// let j = DMatrix::from_row_slice(2, 2, &[1.0, 1.0, 0.0, 1.0]);
/// let p = power(&j, 100)?;
/// assert_eq!(p.route, PowerRoute::Squaring);
/// assert_eq!(p.matrix[(0, 1)], 100.0);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// As [`Eigen::new`] (bad input, QR iteration not converging).
pub fn power<T: Real>(w: &DMatrix<T>, t: u32) -> Result<Power<T>> {
    let eig = Eigen::new(w)?;
    let condition = eig.condition_number();
    match eig.power(t) {
        Ok(matrix) => Ok(Power {
            matrix,
            route: PowerRoute::Eigen,
            condition,
        }),
        Err(Error::Numerical { .. }) => Ok(Power {
            matrix: square_power(w, t),
            route: PowerRoute::Squaring,
            condition,
        }),
        Err(e) => Err(e),
    }
}

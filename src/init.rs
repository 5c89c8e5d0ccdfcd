//! Weight initialisers, applied with a caller's random number generator.
//!
//! Every initialiser draws in `f64` and rounds to the target scalar, so an `f32` and an `f64`
//! model built from the same seed start from the same (rounded) weights.
//!
//! # Examples
//!
//! Initialisers are chosen per weight block when a model is built, and can fill any matrix:
//!
//! ```
//! use nalgebra::DMatrix;
//! use rand::SeedableRng;
//! use recurrent::Elman;
//! use recurrent::init::Init;
//! use recurrent::spectral::spectral_radius;
//! let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
//! // the IRNN of Le, Jaitly & Hinton (2015): identity recurrent weights
//! let irnn = Elman::<f64>::builder(1, 4, 1)
//!     .recurrent_init(Init::Identity { scale: 1.0 })
//!     .build(&mut rng)?;
//! assert_eq!(irnn.w_aa(), DMatrix::<f64>::identity(4, 4));
//! let mut w = DMatrix::<f64>::zeros(6, 6);
//! Init::SpectralRadius(0.9).fill(w.as_view_mut(), &mut rng)?;
//! assert!((spectral_radius(&w)? - 0.9).abs() < 1e-9);
//! # Ok::<(), recurrent::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::scalar::{Real, lit};
use nalgebra::{DMatrix, DMatrixViewMut};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal, Uniform};

/// How to fill a weight matrix of `rows × cols` (`fan_out × fan_in`).
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// use recurrent::init::Init;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
/// let mut w = DMatrix::<f32>::zeros(10, 30);
/// Init::Xavier.fill(w.as_view_mut(), &mut rng)?;
/// let limit = (6.0f32 / 40.0).sqrt(); // √(6 / (fan_in + fan_out))
/// assert!(w.iter().all(|x| x.abs() <= limit));
/// // a square-only initialiser on a rectangular matrix is refused
/// assert!(Init::Identity { scale: 1.0 }.fill(w.as_view_mut(), &mut rng).is_err());
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Init {
    /// All zeros.
    Zeros,
    /// Every entry equal to the value.
    Constant(f64),
    /// Uniform on `[−limit, limit)`.
    Uniform {
        /// Half-width of the interval, `> 0`.
        limit: f64,
    },
    /// Normal with mean 0 and the given standard deviation.
    Normal {
        /// Standard deviation, `> 0`.
        std: f64,
    },
    /// Glorot & Bengio (2010) uniform: `U(−√(6/(fan_in + fan_out)), +√(6/(fan_in + fan_out)))`.
    Xavier,
    /// A (semi-)orthogonal matrix times `gain`: the Q of the QR decomposition of a Gaussian
    /// matrix, with column signs fixed so the distribution is uniform (Saxe et al. 2014).
    Orthogonal {
        /// Scale of the singular values (all equal to `gain`).
        gain: f64,
    },
    /// A Gaussian matrix rescaled so that its spectral radius `max |λ|` equals the value
    /// (square matrices only): `ρ < 1` makes the linearised recurrence contract, `ρ > 1`
    /// expand (see the `spectral` module).
    SpectralRadius(f64),
    /// `scale` times the identity (square matrices only): the IRNN initialisation of
    /// Le, Jaitly & Hinton (2015) for ReLU recurrent networks.
    Identity {
        /// The diagonal value.
        scale: f64,
    },
}

impl Init {
    /// Fills `m` (`fan_out × fan_in`) according to the initialiser.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a non-positive or non-finite scale, or a square-only
    /// initialiser on a non-square matrix; [`Error::Numerical`] if a spectral radius cannot be
    /// set because the drawn matrix has spectral radius zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use rand::SeedableRng;
    /// use recurrent::init::Init;
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
    /// let mut w = DMatrix::<f64>::zeros(8, 8);
    /// Init::Orthogonal { gain: 1.0 }.fill(w.as_view_mut(), &mut rng)?;
    /// let wtw = w.transpose() * &w;
    /// assert!((wtw - DMatrix::identity(8, 8)).norm() < 1e-12);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn fill<T: Real, R: Rng + ?Sized>(
        self,
        mut m: DMatrixViewMut<'_, T>,
        rng: &mut R,
    ) -> Result<()> {
        let (rows, cols) = m.shape();
        let w = self.draw(rows, cols, rng)?;
        m.zip_apply(&w, |dst, src| *dst = lit(src));
        Ok(())
    }

    /// Draws an `rows × cols` matrix in `f64`.
    fn draw<R: Rng + ?Sized>(self, rows: usize, cols: usize, rng: &mut R) -> Result<DMatrix<f64>> {
        let positive = |name: &'static str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(v)
            } else {
                Err(Error::invalid(
                    name,
                    format!("must be finite and > 0, got {v}"),
                ))
            }
        };
        let square = |what: &str| {
            if rows == cols {
                Ok(())
            } else {
                Err(Error::invalid(
                    "init",
                    format!("{what} needs a square matrix, got {rows}x{cols}"),
                ))
            }
        };
        let gaussian = |rng: &mut R| {
            DMatrix::from_fn(rows, cols, |_, _| -> f64 { StandardNormal.sample(rng) })
        };
        let uniform = |limit: f64, rng: &mut R| -> Result<DMatrix<f64>> {
            let u =
                Uniform::new(-limit, limit).map_err(|e| Error::invalid("limit", e.to_string()))?;
            Ok(DMatrix::from_fn(rows, cols, |_, _| u.sample(rng)))
        };
        match self {
            Init::Zeros => Ok(DMatrix::zeros(rows, cols)),
            Init::Constant(v) => {
                if v.is_finite() {
                    Ok(DMatrix::from_element(rows, cols, v))
                } else {
                    Err(Error::invalid(
                        "constant",
                        format!("must be finite, got {v}"),
                    ))
                }
            }
            Init::Uniform { limit } => uniform(positive("limit", limit)?, rng),
            Init::Normal { std } => {
                let s = positive("std", std)?;
                Ok(gaussian(rng) * s)
            }
            Init::Xavier => {
                if rows + cols == 0 {
                    return Ok(DMatrix::zeros(rows, cols));
                }
                // Glorot & Bengio (2010), eq. 16: Var = 2/(fan_in + fan_out) for U(−a, a) gives a = √(6/(n_in+n_out)).
                let limit = (6.0 / (rows + cols) as f64).sqrt();
                uniform(limit, rng)
            }
            Init::Orthogonal { gain } => {
                let g = positive("gain", gain)?;
                if rows == 0 || cols == 0 {
                    return Ok(DMatrix::zeros(rows, cols));
                }
                // QR of a tall Gaussian matrix; multiplying column j of Q by sign(R_jj) makes Q
                // Haar-distributed (Mezzadri 2007).
                let tall = rows >= cols;
                let a = if tall {
                    gaussian(rng)
                } else {
                    DMatrix::from_fn(cols, rows, |_, _| -> f64 { StandardNormal.sample(rng) })
                };
                let qr = a.qr();
                let (mut q, r) = (qr.q(), qr.r());
                for j in 0..q.ncols() {
                    if r[(j, j)] < 0.0 {
                        q.column_mut(j).neg_mut();
                    }
                }
                let q = if tall { q } else { q.transpose() };
                Ok(q * g)
            }
            Init::SpectralRadius(rho) => {
                let rho = positive("spectral radius", rho)?;
                square("a spectral radius")?;
                if rows == 0 {
                    return Ok(DMatrix::zeros(0, 0));
                }
                let w = gaussian(rng) / (rows as f64).sqrt();
                // The crate's Schur iteration: nalgebra's `complex_eigenvalues` unwraps an
                // unbounded iteration.
                let current = crate::spectral::spectral_radius(&w)?;
                if current > 0.0 && current.is_finite() {
                    Ok(w * (rho / current))
                } else {
                    Err(Error::Numerical {
                        op: "Init::SpectralRadius",
                        reason: format!("drawn matrix has spectral radius {current}"),
                    })
                }
            }
            Init::Identity { scale } => {
                square("the identity")?;
                if !scale.is_finite() {
                    return Err(Error::invalid(
                        "scale",
                        format!("must be finite, got {scale}"),
                    ));
                }
                Ok(DMatrix::identity(rows, cols) * scale)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::Xoshiro256PlusPlus;

    #[test]
    fn spectral_radius_is_set() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let mut w = DMatrix::<f64>::zeros(20, 20);
        Init::SpectralRadius(0.9)
            .fill(w.as_view_mut(), &mut rng)
            .unwrap();
        let rho = w
            .complex_eigenvalues()
            .iter()
            .map(|l| l.norm())
            .fold(0.0, f64::max);
        assert!((rho - 0.9).abs() < 1e-10, "rho = {rho}");
    }

    #[test]
    fn same_seed_same_weights_in_f32_and_f64() {
        let mut a = DMatrix::<f64>::zeros(4, 3);
        let mut b = DMatrix::<f32>::zeros(4, 3);
        Init::Xavier
            .fill(a.as_view_mut(), &mut Xoshiro256PlusPlus::seed_from_u64(9))
            .unwrap();
        Init::Xavier
            .fill(b.as_view_mut(), &mut Xoshiro256PlusPlus::seed_from_u64(9))
            .unwrap();
        for (x, y) in a.iter().zip(b.iter()) {
            assert_eq!(*x as f32, *y);
        }
        let limit = (6.0f64 / 7.0).sqrt();
        assert!(a.iter().all(|v| v.abs() <= limit));
    }

    #[test]
    fn bad_parameters_are_errors() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let mut w = DMatrix::<f64>::zeros(3, 2);
        assert!(
            Init::Identity { scale: 1.0 }
                .fill(w.as_view_mut(), &mut rng)
                .is_err()
        );
        assert!(
            Init::SpectralRadius(0.9)
                .fill(w.as_view_mut(), &mut rng)
                .is_err()
        );
        assert!(
            Init::Normal { std: -1.0 }
                .fill(w.as_view_mut(), &mut rng)
                .is_err()
        );
        assert!(
            Init::Uniform { limit: f64::NAN }
                .fill(w.as_view_mut(), &mut rng)
                .is_err()
        );
        // rectangular orthogonal: orthonormal columns
        Init::Orthogonal { gain: 2.0 }
            .fill(w.as_view_mut(), &mut rng)
            .unwrap();
        let wtw = w.transpose() * &w;
        assert!((wtw - DMatrix::identity(2, 2) * 4.0).norm() < 1e-12);
    }
}

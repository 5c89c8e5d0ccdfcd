//! Regimes of the linear recurrence `a⟨t⟩ = W a⟨t−1⟩`: spectral radius, largest singular
//! value, vanishing / marginal / exploding, and the measured `‖Wᵗ‖₂`.
//!
//! Two numbers bound the growth of `Wᵗ`:
//!
//! * the spectral radius `ρ(W) = maxᵢ |λᵢ|` fixes the asymptotic rate,
//!   `‖Wᵗ‖^(1/t) → ρ(W)` (Gelfand's formula), so `Wᵗ → 0` iff `ρ < 1`;
//! * the largest singular value `σ_max(W) = ‖W‖₂ ≥ ρ(W)` bounds every step,
//!   `‖Wᵗ‖₂ ≤ σ_maxᵗ`.
//!
//! For a non-normal `W` (a random Gaussian one) the two differ (`σ_max ≈ 2ρ`), and `‖Wᵗ‖₂`
//! can grow for a few steps although `ρ < 1` before it decays like `ρᵗ`:
//! [`norm_trajectory`] measures it.
//!
//! With a saturating activation, `a⟨t⟩ = f(W a⟨t−1⟩ + U x⟨t⟩)`, the Jacobian of one step is
//! `diag(f′) W` with `|f′| ≤ γ` (`γ = 1` for tanh, `1/4` for the logistic sigmoid). Pascanu,
//! Mikolov & Bengio (2013)[^1] then show that `σ_max(W) < 1/γ` is *sufficient* for the
//! gradients to vanish and `σ_max(W) > 1/γ` is *necessary* for them to explode:
//! [`PascanuBound`].
//!
//! # References
//!
//! [^1]: R. Pascanu, T. Mikolov, Y. Bengio (2013), *On the difficulty of training recurrent
//!     neural networks*, ICML, section 3.1. <https://arxiv.org/abs/1211.5063>

use super::{check_square, eigenvalues, max_iterations};
use crate::activation::Activation;
use crate::error::{Error, Result};
use crate::scalar::{Real, lit};
use nalgebra::DMatrix;

/// The spectral radius `ρ(W) = maxᵢ |λᵢ|` (eigenvalues from the real Schur form, after
/// scaling and balancing: right for entries of any magnitude, see [`super::eigenvalues`]).
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// let w = DMatrix::<f64>::from_row_slice(2, 2, &[0.0, -0.5, 0.5, 0.0]); // eigenvalues ±0.5i
/// assert!((recurrent::spectral::spectral_radius(&w)? - 0.5).abs() < 1e-15);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// As [`super::Eigen::new`]; [`Error::Numerical`] also if `ρ` exceeds the largest finite `T`
/// (possible for a finite matrix with entries near it).
pub fn spectral_radius<T: Real>(w: &DMatrix<T>) -> Result<T> {
    let rho = eigenvalues(w)?
        .iter()
        .map(|z| super::eigen::cabs(*z))
        .fold(T::zero(), |a, b| a.max(b));
    if rho.is_finite() {
        Ok(rho)
    } else {
        Err(Error::Numerical {
            op: "spectral::spectral_radius",
            reason: "the spectral radius exceeds the largest finite number".into(),
        })
    }
}

/// The largest singular value `σ_max(W) = ‖W‖₂`, the operator 2-norm.
///
/// Unlike the rest of the module this takes a matrix of **any shape** `m × n`: the 2-norm of
/// a rectangular matrix (an input weight `W_ax`, a Jacobian block) is as meaningful as that of
/// a square one. nalgebra's SVD scales the matrix by its largest entry first, so entries near
/// `10³⁰⁰` or `10⁻³⁰⁰` are fine.
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// let w = DMatrix::from_row_slice(2, 2, &[1.0, 1.0, 0.0, 1.0]);
/// let golden = (1.0 + 5f64.sqrt()) / 2.0;
/// assert!((recurrent::spectral::largest_singular_value(&w)? - golden).abs() < 1e-14);
///
/// // a 3 × 1 column: its Euclidean length
/// let x = DMatrix::<f64>::from_column_slice(3, 1, &[2.0, 3.0, 6.0]);
/// assert!((recurrent::spectral::largest_singular_value(&x)? - 7.0).abs() < 1e-14);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Empty`] for a matrix with no entries (`0 × n` or `m × 0`), [`Error::NonFinite`] for
/// NaN or infinite entries, [`Error::Numerical`] if the SVD does not converge. Never
/// [`Error::DimensionMismatch`].
pub fn largest_singular_value<T: Real>(w: &DMatrix<T>) -> Result<T> {
    let op = "spectral::largest_singular_value";
    if w.is_empty() {
        return Err(Error::Empty { op, what: "matrix" });
    }
    if let Some(index) = w.iter().position(|x| !x.is_finite()) {
        return Err(Error::NonFinite {
            op,
            what: "matrix",
            index,
        });
    }
    norm2(op, w)
}

/// `‖A‖₂` of a checked finite matrix.
pub(super) fn norm2<T: Real>(op: &'static str, a: &DMatrix<T>) -> Result<T> {
    let n = a.nrows().max(a.ncols());
    let svd = nalgebra::SVD::try_new(
        a.clone(),
        false,
        false,
        T::default_epsilon(),
        max_iterations(n),
    )
    .ok_or_else(|| Error::Numerical {
        op,
        reason: format!("SVD did not converge ({}x{})", a.nrows(), a.ncols()),
    })?;
    Ok(svd.singular_values.max())
}

/// Whether `Wᵗ` shrinks, stays or grows, from the spectral radius.
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use recurrent::spectral::Regime;
/// let rotation = DMatrix::<f64>::from_row_slice(2, 2, &[0.0, -1.0, 1.0, 0.0]); // |λ| = 1
/// assert_eq!(Regime::of(&rotation)?, Regime::Marginal);
/// assert_eq!(Regime::of(&(rotation.clone() * 0.9))?, Regime::Vanishing);
/// assert_eq!(Regime::of(&(rotation * 1.1))?, Regime::Exploding);
/// assert!(Regime::default_tolerance::<f64>() < 1e-7);
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Regime {
    /// `ρ < 1 − tol`: `Wᵗ → 0` geometrically; gradients through the linear recurrence vanish.
    Vanishing,
    /// `|ρ − 1| ≤ tol`: `‖Wᵗ‖` neither decays nor grows geometrically (it may still grow
    /// polynomially if `W` is defective).
    Marginal,
    /// `ρ > 1 + tol`: `‖Wᵗ‖ → ∞` geometrically; gradients through the linear recurrence explode.
    Exploding,
}

impl Regime {
    /// The default tolerance on `|ρ − 1|`: `√ε` (`1.5·10⁻⁸` in `f64`, `3.5·10⁻⁴` in `f32`).
    ///
    /// Why: a computed eigenvalue is off by about `κ(V)·ε·‖W‖`, some `10⁻¹⁴` for a `64 × 64`
    /// Gaussian matrix in `f64` (`10⁻⁵` in `f32`), well inside `√ε`; and a radius within `√ε`
    /// of 1 changes `ρᵗ` by less than 2 % over `t = 10⁶` (`f64`) or 30 steps (`f32`), too
    /// little to call the recurrence vanishing or exploding at lengths an RNN is trained on.
    pub fn default_tolerance<T: Real>() -> T {
        T::default_epsilon().sqrt()
    }

    /// Classifies a spectral radius `rho` with tolerance `tol` on `|ρ − 1|`.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::spectral::Regime;
    /// assert_eq!(Regime::classify(0.9, 1e-6), Regime::Vanishing);
    /// assert_eq!(Regime::classify(1.0 + 1e-9, 1e-6), Regime::Marginal);
    /// assert_eq!(Regime::classify(1.1, 1e-6), Regime::Exploding);
    /// ```
    pub fn classify<T: Real>(rho: T, tol: T) -> Self {
        if rho < T::one() - tol {
            Regime::Vanishing
        } else if rho > T::one() + tol {
            Regime::Exploding
        } else {
            Regime::Marginal
        }
    }

    /// The regime of `W` with [`Regime::default_tolerance`].
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use recurrent::spectral::Regime;
    /// let w = DMatrix::from_row_slice(2, 2, &[0.0, -1.0, 1.0, 0.0]); // a rotation
    /// assert_eq!(Regime::of(&w)?, Regime::Marginal);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`spectral_radius`].
    pub fn of<T: Real>(w: &DMatrix<T>) -> Result<Self> {
        Ok(Self::classify(
            spectral_radius(w)?,
            Self::default_tolerance::<T>(),
        ))
    }
}

/// One point of [`norm_trajectory`].
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use recurrent::spectral::{NormPoint, norm_trajectory};
/// let w = DMatrix::<f64>::from_row_slice(1, 1, &[0.5]);
/// let traj = norm_trajectory(&w, 3)?;
/// assert_eq!(traj[0], NormPoint { t: 0, norm2: 1.0, rho_pow: 1.0 });
/// assert_eq!((traj[3].norm2, traj[3].rho_pow), (0.125, 0.125)); // a normal matrix: equal
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NormPoint<T: Real> {
    /// The power `t`.
    pub t: usize,
    /// `‖Wᵗ‖₂`, measured (repeated multiplication, then the largest singular value).
    pub norm2: T,
    /// The prediction `ρ(W)ᵗ`.
    pub rho_pow: T,
}

/// `‖Wᵗ‖₂` for `t = 0..=t_max`, by repeated multiplication `Wᵗ = W·Wᵗ⁻¹`, next to `ρ(W)ᵗ`.
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// // non-normal: ρ = 0.5 but ‖W‖₂ > 1, so ‖Wᵗ‖₂ grows before it decays
/// let w = DMatrix::from_row_slice(2, 2, &[0.5, 2.0, 0.0, 0.5]);
/// let traj = recurrent::spectral::norm_trajectory(&w, 30)?;
/// assert!(traj[1].norm2 > 1.0 && traj[30].norm2 < 1e-6);
/// assert_eq!(traj[3].rho_pow, 0.125);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// As [`super::Eigen::new`]; [`Error::Numerical`] if an SVD does not converge.
///
/// # Complexity
///
/// `t_max` products and `t_max` SVDs of `n × n` matrices.
pub fn norm_trajectory<T: Real>(w: &DMatrix<T>, t_max: usize) -> Result<Vec<NormPoint<T>>> {
    let op = "spectral::norm_trajectory";
    check_square(op, w)?;
    let rho = spectral_radius(w)?;
    let n = w.nrows();
    let mut p = DMatrix::<T>::identity(n, n);
    let mut next = DMatrix::<T>::zeros(n, n);
    let mut out = Vec::with_capacity(t_max + 1);
    let mut rho_pow = T::one();
    for t in 0..=t_max {
        let norm2 = if t == 0 {
            T::one()
        } else if p.iter().all(|x| x.is_finite()) {
            self::norm2(op, &p)?
        } else {
            lit(f64::INFINITY)
        };
        out.push(NormPoint { t, norm2, rho_pow });
        if t < t_max {
            next.gemm(T::one(), w, &p, T::zero());
            std::mem::swap(&mut p, &mut next);
            rho_pow *= rho;
        }
    }
    Ok(out)
}

/// The conditions of Pascanu, Mikolov & Bengio (2013) for `a⟨t⟩ = f(W a⟨t−1⟩ + U x⟨t⟩)` with
/// `|f′| ≤ γ`: the step Jacobian `diag(f′)W` has norm at most `γ·σ_max(W)`.
///
/// `W` is the recurrent matrix (`n × n`, the lecture's `W_aa`): it maps the state onto the
/// next state, so it must be square, and a non-square one is an error
/// ([`Error::DimensionMismatch`]), as everywhere in the module. (Only
/// [`largest_singular_value`] takes any shape.)
///
/// * `σ_max(W) < 1/γ` is **sufficient** for vanishing: `‖∂a⟨T⟩/∂a⟨t⟩‖₂ ≤ (γσ_max)^(T−t) → 0`.
/// * `σ_max(W) > 1/γ` is **necessary** for exploding (but not sufficient: saturation, `f′ ≪ γ`,
///   can still make the gradients vanish).
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use recurrent::activation::Activation;
/// use recurrent::spectral::PascanuBound;
/// let w = DMatrix::from_row_slice(2, 2, &[0.0, 3.0, 0.0, 0.0]); // ρ = 0, σ_max = 3
/// let tanh = PascanuBound::new(&w, Activation::Tanh)?;
/// assert!(tanh.may_explode() && !tanh.vanishing_guaranteed());
/// let sig = PascanuBound::new(&w, Activation::Sigmoid)?; // 1/γ = 4
/// assert!(sig.vanishing_guaranteed());
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PascanuBound<T: Real> {
    /// `σ_max(W)`.
    pub sigma_max: T,
    /// `γ`, the bound on `|f′|`.
    pub gamma: T,
}

impl<T: Real> PascanuBound<T> {
    /// The bound for `W` and the activation `f`: `γ = 1` for tanh and the identity, `1/4` for
    /// the logistic sigmoid; ReLU has `f′ ∈ {0, 1}`, so `γ = 1`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for softmax (not elementwise, no scalar `γ`); as
    /// [`PascanuBound::with_gamma`] for `W`.
    pub fn new(w: &DMatrix<T>, f: Activation) -> Result<Self> {
        let gamma = match f {
            Activation::Tanh | Activation::Identity | Activation::Relu => 1.0,
            Activation::Sigmoid => 0.25,
            other => {
                return Err(Error::invalid(
                    "activation",
                    format!("no derivative bound γ for {}", other.name()),
                ));
            }
        };
        Self::with_gamma(w, lit(gamma))
    }

    /// The bound for `W` and a given `γ > 0`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] unless `γ` is finite and positive; [`Error::Empty`],
    /// [`Error::DimensionMismatch`] (non-square `W`) and [`Error::NonFinite`] for a bad `W`;
    /// [`Error::Numerical`] if the SVD does not converge.
    pub fn with_gamma(w: &DMatrix<T>, gamma: T) -> Result<Self> {
        if !(gamma.is_finite() && gamma > T::zero()) {
            return Err(Error::invalid("gamma", "must be finite and > 0"));
        }
        check_square("PascanuBound::with_gamma", w)?;
        Ok(Self {
            sigma_max: largest_singular_value(w)?,
            gamma,
        })
    }

    /// `1/γ`, the threshold on `σ_max`.
    pub fn threshold(&self) -> T {
        T::one() / self.gamma
    }

    /// `σ_max < 1/γ`: gradients through time are guaranteed to vanish.
    pub fn vanishing_guaranteed(&self) -> bool {
        self.sigma_max < self.threshold()
    }

    /// `σ_max > 1/γ`: the necessary condition for exploding gradients holds.
    pub fn may_explode(&self) -> bool {
        self.sigma_max > self.threshold()
    }

    /// The bound `(γ σ_max)^m` on `‖∂a⟨t+m⟩/∂a⟨t⟩‖₂`.
    pub fn bound(&self, m: usize) -> T {
        let base = self.gamma * self.sigma_max;
        // powi on i32: m beyond i32 saturates the exponent, which only matters for base = 1.
        let e = i32::try_from(m).unwrap_or(i32::MAX);
        base.powi(e)
    }
}

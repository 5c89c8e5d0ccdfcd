//! Building a binary [`Hopfield`] network: an empty network that learns with a rule, or a
//! network with given weights (an energy to minimise).

use super::{DEFAULT_MAX_SWEEPS, Hopfield, default_tie_tolerance};
use crate::error::{Error, Result, check_shape};
use crate::scalar::{Real, lit};
use crate::traits::AssociativeMemory;
use nalgebra::{DMatrix, DVector};

/// Where the weights of a network being built come from.
#[derive(Clone, Debug)]
enum Source<T: Real> {
    /// `n` units, `W = 0`, learning with the rule.
    Empty { n: usize, rule: super::Rule },
    /// Given weights, no learning rule.
    Weights(DMatrix<T>),
}

/// Configures and builds a binary [`Hopfield`] network.
///
/// Start from [`Hopfield::builder`] (an empty network that learns with a [`Rule`](super::Rule))
/// or [`Hopfield::builder_from_weights`] (given weights, no learning); every check happens in
/// [`HopfieldBuilder::build`].
///
/// | setting | default | purpose | range |
/// |---|---|---|---|
/// | `thresholds` | `0` | `θ` in `hᵢ = Σⱼ wᵢⱼ sⱼ − θᵢ` | `N` finite values |
/// | `max_sweeps` | 100 | recall stops after this many sweeps | `≥ 1` |
/// | `tie_tolerance` | `1e-9` (f64), `1.2e-5` (f32) | `|hᵢ| ≤ tol` keeps `sᵢ` | finite, `≥ 0` |
///
/// The default tie tolerance, `max(1e-9, 100·ε)`, is `1e-9` for `f64` (the numpy reference's
/// value) and `1.2e-5` for `f32`: far below the smallest non-zero Hebbian field `2/N` for any
/// practical `N`, far above the rounding of an exact zero.
///
/// # Examples
///
/// ```
/// use nalgebra::{DMatrix, DVector};
/// use recurrent::hopfield::{Hopfield, Rule};
/// use recurrent::AssociativeMemory;
/// let mut net = Hopfield::<f64>::builder(4, Rule::Storkey)
///     .thresholds(DVector::from_element(4, 0.1))
///     .max_sweeps(20)
///     .build()?;
/// net.store(&DMatrix::from_column_slice(4, 1, &[1.0, -1.0, 1.0, -1.0]))?;
/// assert_eq!((net.n_patterns(), net.max_sweeps()), (1, 20));
/// // every check waits for build()
/// assert!(Hopfield::<f64>::builder(4, Rule::Hebbian).max_sweeps(0).build().is_err());
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// [`HopfieldBuilder::build`] returns [`Error::InvalidParameter`] for zero units, zero
/// `max_sweeps`, a negative or non-finite tie tolerance, or a weight matrix that is not
/// symmetric or has a non-zero diagonal; [`Error::DimensionMismatch`] for a non-square weight
/// matrix or thresholds of the wrong length; [`Error::Empty`] for a `0 × 0` weight matrix;
/// [`Error::NonFinite`] for NaN or infinite weights or thresholds.
#[derive(Clone, Debug)]
pub struct HopfieldBuilder<T: Real> {
    source: Source<T>,
    thresholds: Option<DVector<T>>,
    max_sweeps: usize,
    tie_tolerance: T,
}

impl<T: Real> HopfieldBuilder<T> {
    /// The thresholds `θ` (default `0`).
    pub fn thresholds(mut self, thresholds: DVector<T>) -> Self {
        self.thresholds = Some(thresholds);
        self
    }

    /// The cap on recall sweeps (default 100).
    pub fn max_sweeps(mut self, max_sweeps: usize) -> Self {
        self.max_sweeps = max_sweeps;
        self
    }

    /// The tie tolerance: a unit with `|hᵢ| ≤ tol` keeps its state.
    pub fn tie_tolerance(mut self, tol: T) -> Self {
        self.tie_tolerance = tol;
        self
    }

    /// Checks the settings and builds the network.
    ///
    /// Given weights are symmetrised, `wᵢⱼ ← wᵢⱼ + (wⱼᵢ − wᵢⱼ)/2` (an exactly symmetric matrix
    /// is kept bit for bit), after the checks.
    ///
    /// # Errors
    ///
    /// See [`HopfieldBuilder`]; [`Error::InvalidParameter`] also if `N × N` weights cannot be
    /// allocated.
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::{DMatrix, DVector};
    /// use recurrent::hopfield::{Hopfield, Rule};
    /// let net = Hopfield::<f64>::builder(8, Rule::Hebbian).max_sweeps(50).build()?;
    /// assert_eq!((net.n(), net.max_sweeps()), (8, 50));
    /// // weights of one's own must be symmetric
    /// let w = DMatrix::from_row_slice(2, 2, &[0.0, 1.0, 0.0, 0.0]);
    /// assert!(Hopfield::builder_from_weights(w).build().is_err());
    /// // a threshold vector of the wrong length is refused
    /// assert!(Hopfield::<f64>::builder(3, Rule::Hebbian).thresholds(DVector::zeros(2)).build().is_err());
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn build(self) -> Result<Hopfield<T>> {
        let op = "HopfieldBuilder::build";
        let (rule, weights) = match self.source {
            Source::Empty { n, rule } => {
                if n == 0 {
                    return Err(Error::invalid(
                        "n",
                        "a Hopfield network needs at least one unit",
                    ));
                }
                (Some(rule), zeros(n, n, "n")?)
            }
            Source::Weights(w) => (None, given_weights(op, w)?),
        };
        let n = weights.nrows();
        let thresholds = match self.thresholds {
            Some(t) => {
                check_shape(op, "thresholds", (n, 1), t.shape())?;
                crate::error::check_finite(op, "thresholds", t.iter())?;
                t
            }
            None => DVector::zeros(n),
        };
        if self.max_sweeps == 0 {
            return Err(Error::invalid("max_sweeps", "must be at least 1"));
        }
        let tol = self.tie_tolerance;
        if !tol.is_finite() || tol < T::zero() {
            return Err(Error::invalid("tie_tolerance", "must be finite and ≥ 0"));
        }
        Ok(Hopfield {
            rule,
            weights,
            thresholds,
            patterns: DMatrix::zeros(n, 0),
            n_patterns: 0,
            max_sweeps: self.max_sweeps,
            tie_tolerance: tol,
        })
    }
}

impl<T: Real> Hopfield<T> {
    /// Starts configuring an empty network of `n` units (`W = 0`) that learns with `rule`;
    /// see [`HopfieldBuilder`].
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::hopfield::{Hopfield, Rule};
    /// let net = Hopfield::<f32>::builder(16, Rule::PseudoInverse).build()?;
    /// assert_eq!((net.n(), net.rule()), (16, Some(Rule::PseudoInverse)));
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn builder(n: usize, rule: super::Rule) -> HopfieldBuilder<T> {
        HopfieldBuilder {
            source: Source::Empty { n, rule },
            thresholds: None,
            max_sweeps: DEFAULT_MAX_SWEEPS,
            tie_tolerance: default_tie_tolerance(),
        }
    }

    /// Starts configuring a network with the given weights and no learning rule (storing is
    /// an error): the way to minimise a quadratic energy `E(s) = −½ sᵀWs + θᵀs` over
    /// `s ∈ {±1}ᴺ`, e.g. Max-Cut. `weights` must be square, finite, symmetric (to a relative
    /// `√ε` of its largest entry) with a zero diagonal; see [`HopfieldBuilder`].
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::{DMatrix, DVector};
    /// use recurrent::hopfield::Hopfield;
    /// use recurrent::AssociativeMemory;
    /// let w = DMatrix::from_row_slice(2, 2, &[0.0, 1.0, 1.0, 0.0]);
    /// let net = Hopfield::builder_from_weights(w)
    ///     .thresholds(DVector::from_column_slice(&[0.5, -0.5]))
    ///     .build()?;
    /// // E(s) = −s₀s₁ + ½(s₀ − s₁)
    /// assert_eq!(net.energy(&DVector::from_column_slice(&[-1.0, -1.0]))?, -1.0);
    /// assert_eq!(net.rule(), None);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn builder_from_weights(weights: DMatrix<T>) -> HopfieldBuilder<T> {
        HopfieldBuilder {
            source: Source::Weights(weights),
            thresholds: None,
            max_sweeps: DEFAULT_MAX_SWEEPS,
            tie_tolerance: default_tie_tolerance(),
        }
    }

    /// A network of `patterns.nrows()` units storing the columns of `patterns` (±1) with
    /// `rule`, with the default settings (shorthand for [`Hopfield::builder`], `build` and
    /// [`AssociativeMemory::store`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use recurrent::hopfield::{Hopfield, Rule};
    /// let x = DMatrix::<f64>::from_column_slice(4, 2, &[
    ///     1.0, -1.0, 1.0, -1.0,
    ///     1.0, 1.0, -1.0, -1.0,
    /// ]);
    /// let net = Hopfield::from_patterns(&x, Rule::Hebbian)?;
    /// assert_eq!(net.fixed_points(&x)?, [true, true]);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`HopfieldBuilder::build`] and [`AssociativeMemory::store`].
    pub fn from_patterns(patterns: &DMatrix<T>, rule: super::Rule) -> Result<Self> {
        let mut net = Self::builder(patterns.nrows(), rule).build()?;
        net.store(patterns)?;
        Ok(net)
    }

    /// A network with the given weights, zero thresholds and the default settings
    /// (shorthand for [`Hopfield::builder_from_weights`] and `build`).
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::{DMatrix, DVector};
    /// use recurrent::hopfield::Hopfield;
    /// use recurrent::AssociativeMemory;
    /// // Max-Cut of a triangle with W = −A: E(s) = ½ sᵀAs is lowest for a cut of two edges
    /// let a = DMatrix::from_row_slice(3, 3, &[0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0]);
    /// let net = Hopfield::from_weights(-a)?;
    /// assert_eq!(net.energy(&DVector::from_element(3, 1.0))?, 3.0);
    /// assert_eq!(net.energy(&DVector::from_column_slice(&[1.0, 1.0, -1.0]))?, -1.0);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`HopfieldBuilder::build`].
    pub fn from_weights(weights: DMatrix<T>) -> Result<Self> {
        Self::builder_from_weights(weights).build()
    }
}

/// Checks given weights (square, non-empty, finite, symmetric, zero diagonal) and returns them
/// exactly symmetric.
fn given_weights<T: Real>(op: &'static str, mut w: DMatrix<T>) -> Result<DMatrix<T>> {
    let n = w.nrows();
    check_shape(op, "weights", (n, n), w.shape())?;
    if n == 0 {
        return Err(Error::Empty {
            op,
            what: "weights",
        });
    }
    crate::error::check_finite(op, "weights", w.iter())?;
    super::check_symmetric(&w)?;
    if let Some(i) = (0..n).find(|&i| w[(i, i)] != T::zero()) {
        return Err(Error::invalid(
            "weights",
            format!("diagonal entry ({i}, {i}) is not zero"),
        ));
    }
    // The mean of the two entries without forming their sum (which overflows near T::MAX);
    // computed once per pair, so the result is exactly symmetric.
    let half: T = lit(0.5);
    for j in 0..n {
        for i in 0..j {
            let (a, b) = (w[(i, j)], w[(j, i)]);
            if a != b {
                let m = a + (b - a) * half;
                w[(i, j)] = m;
                w[(j, i)] = m;
            }
        }
    }
    Ok(w)
}

/// An `rows × cols` matrix of zeros, or an error naming `what` if its size overflows or cannot
/// be allocated (instead of an abort).
pub(crate) fn zeros<T: Real>(rows: usize, cols: usize, what: &'static str) -> Result<DMatrix<T>> {
    let too_big = || {
        Error::invalid(
            what,
            format!("a {rows} × {cols} matrix is too large to allocate"),
        )
    };
    let len = rows.checked_mul(cols).ok_or_else(too_big)?;
    let mut data = Vec::new();
    data.try_reserve_exact(len).map_err(|_| too_big())?;
    data.resize(len, T::zero());
    Ok(DMatrix::from_vec(rows, cols, data))
}

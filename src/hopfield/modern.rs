//! The modern (dense, continuous) Hopfield network of Ramsauer et al. (2020).

use super::from_usize;
#[cfg(feature = "serde")]
use super::load::MatrixRepr;
use crate::error::{Error, Result, check_shape};
use crate::scalar::{Real, lit};
use crate::traits::{AssociativeMemory, Outcome, Recall};
use nalgebra::{DMatrix, DVector};

/// The modern (dense, continuous) Hopfield network of Ramsauer et al. (2020): stored patterns
/// `X` and an inverse temperature `β`.
///
/// Stored patterns are the columns of `X = (x₁ … x_M)` (`d × M`, any real values). A state
/// `ξ ∈ ℝᵈ` is updated by
///
/// `ξ ← X · softmax(β Xᵀ ξ)`
///
/// which descends the energy
///
/// `E(ξ) = −β⁻¹ ln Σᵢ exp(β xᵢᵀξ) + ½ ξᵀξ + β⁻¹ ln M + ½ m²`, `m = maxᵢ ‖xᵢ‖`,
///
/// and, for well-separated patterns, retrieves a pattern in one update. Its capacity grows
/// exponentially with `d` instead of linearly: far more patterns than units can be stored.
/// `β` sets how sharp the softmax is: small `β` averages many patterns (a metastable state),
/// large `β` picks the nearest one. The settings are in [`ModernHopfieldBuilder`].
///
/// # Examples
///
/// ```
/// use nalgebra::{DMatrix, DVector};
/// use recurrent::hopfield::ModernHopfield;
/// use recurrent::AssociativeMemory;
/// let x = DMatrix::<f64>::from_column_slice(3, 2, &[1.0, 1.0, -1.0, -1.0, 1.0, 1.0]);
/// let net = ModernHopfield::from_patterns(&x, 8.0)?;
/// let r = net.recall(&DVector::from_column_slice(&[0.9, 0.6, -0.2]))?;
/// assert!((r.state - x.column(0)).amax() < 1e-3);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # References
///
/// [^1]: H. Ramsauer et al. (2020), "Hopfield Networks is All You Need", arXiv:2008.02217
///   (ICLR 2021).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(
        try_from = "ModernData<T>",
        bound(deserialize = "T: serde::Deserialize<'de>")
    )
)]
pub struct ModernHopfield<T: Real> {
    patterns: DMatrix<T>,
    beta: T,
    max_steps: usize,
    tolerance: T,
}

/// The serialized fields of [`ModernHopfield`], checked on loading with the rules of
/// [`ModernHopfieldBuilder::build`] and [`AssociativeMemory::store`].
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(bound(deserialize = "T: serde::Deserialize<'de>"))]
struct ModernData<T: Real> {
    patterns: MatrixRepr<T>,
    beta: T,
    max_steps: usize,
    tolerance: T,
}

#[cfg(feature = "serde")]
impl<T: Real> TryFrom<ModernData<T>> for ModernHopfield<T> {
    type Error = Error;

    fn try_from(d: ModernData<T>) -> Result<Self> {
        let patterns = d.patterns.into_matrix("patterns")?;
        let mut net = ModernHopfield::builder(patterns.nrows(), d.beta)
            .max_steps(d.max_steps)
            .tolerance(d.tolerance)
            .build()?;
        if patterns.ncols() > 0 {
            net.store(&patterns)?;
        }
        Ok(net)
    }
}

/// Configures and builds an empty [`ModernHopfield`] memory; every check happens in
/// [`ModernHopfieldBuilder::build`].
///
/// | setting | default | purpose | range |
/// |---|---|---|---|
/// | `beta` | — (required) | softmax sharpness `β` | finite, `> 0` |
/// | `max_steps` | 100 | recall stops after this many updates | `≥ 1` |
/// | `tolerance` | `1e-6` | recall stops when `max |Δξᵢ| ≤ tolerance` | finite, `≥ 0` |
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use recurrent::hopfield::ModernHopfield;
/// use recurrent::AssociativeMemory;
/// let mut net = ModernHopfield::<f64>::builder(3, 2.0).max_steps(5).tolerance(1e-9).build()?;
/// net.store(&DMatrix::from_column_slice(3, 1, &[1.0, -1.0, 0.5]))?;
/// assert_eq!((net.n_patterns(), net.max_steps(), net.tolerance()), (1, 5, 1e-9));
/// assert!(ModernHopfield::<f64>::builder(3, 0.0).build().is_err());
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// [`ModernHopfieldBuilder::build`] returns [`Error::InvalidParameter`] if `dim` or
/// `max_steps` is zero, `β` is not finite and positive, or the tolerance is negative or not
/// finite.
#[derive(Clone, Debug)]
pub struct ModernHopfieldBuilder<T: Real> {
    dim: usize,
    beta: T,
    max_steps: usize,
    tolerance: T,
}

impl<T: Real> ModernHopfieldBuilder<T> {
    /// The cap on updates per recall (default 100).
    pub fn max_steps(mut self, max_steps: usize) -> Self {
        self.max_steps = max_steps;
        self
    }

    /// Recall stops when no component moves by more than `tolerance` (default `1e-6`).
    pub fn tolerance(mut self, tolerance: T) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Checks the settings and builds an empty memory.
    ///
    /// # Errors
    ///
    /// See [`ModernHopfieldBuilder`].
    pub fn build(self) -> Result<ModernHopfield<T>> {
        if self.dim == 0 {
            return Err(Error::invalid("dim", "must be at least 1"));
        }
        check_beta(self.beta)?;
        if self.max_steps == 0 {
            return Err(Error::invalid("max_steps", "must be at least 1"));
        }
        if !self.tolerance.is_finite() || self.tolerance < T::zero() {
            return Err(Error::invalid("tolerance", "must be finite and ≥ 0"));
        }
        Ok(ModernHopfield {
            patterns: DMatrix::zeros(self.dim, 0),
            beta: self.beta,
            max_steps: self.max_steps,
            tolerance: self.tolerance,
        })
    }
}

impl<T: Real> ModernHopfield<T> {
    /// Starts configuring an empty memory for patterns of length `dim` with inverse
    /// temperature `beta`; see [`ModernHopfieldBuilder`].
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::{DMatrix, DVector};
    /// use recurrent::hopfield::ModernHopfield;
    /// use recurrent::AssociativeMemory;
    /// let mut memory = ModernHopfield::<f64>::builder(4, 8.0).max_steps(10).build()?;
    /// memory.store(&DMatrix::from_column_slice(4, 2, &[1.0, -1.0, 1.0, -1.0, 1.0, 1.0, -1.0, -1.0]))?;
    /// let r = memory.recall(&DVector::from_column_slice(&[0.9, -0.8, 0.7, -1.0]))?;
    /// assert!((r.state - DVector::from_column_slice(&[1.0, -1.0, 1.0, -1.0])).amax() < 1e-3);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn builder(dim: usize, beta: T) -> ModernHopfieldBuilder<T> {
        ModernHopfieldBuilder {
            dim,
            beta,
            max_steps: 100,
            tolerance: lit(1e-6),
        }
    }

    /// A memory holding the columns of `patterns`, with the default settings (shorthand for
    /// [`ModernHopfield::builder`], `build` and [`AssociativeMemory::store`]).
    ///
    /// # Errors
    ///
    /// As [`ModernHopfieldBuilder::build`] and [`AssociativeMemory::store`].
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::{DMatrix, DVector};
    /// use recurrent::AssociativeMemory;
    /// use recurrent::hopfield::ModernHopfield;
    /// // three real-valued patterns of dimension 4, as columns
    /// let x = DMatrix::<f64>::from_column_slice(4, 3, &[1.0, 0.0, 0.0, 0.5, 0.0, 1.0, 0.0, -0.5, 0.0, 0.0, 1.0, 0.0]);
    /// let net = ModernHopfield::from_patterns(&x, 8.0)?;
    /// let probe = DVector::from_column_slice(&[0.9, 0.1, 0.0, 0.4]); // near pattern 0
    /// let r = net.recall(&probe)?;
    /// assert!((r.state - x.column(0)).amax() < 1e-2);
    /// assert_eq!(net.n_patterns(), 3);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn from_patterns(patterns: &DMatrix<T>, beta: T) -> Result<Self> {
        let mut net = Self::builder(patterns.nrows(), beta).build()?;
        net.store(patterns)?;
        Ok(net)
    }

    /// `β`.
    pub fn beta(&self) -> T {
        self.beta
    }

    /// The stored patterns `X`, `d × M`.
    pub fn patterns(&self) -> &DMatrix<T> {
        &self.patterns
    }

    /// The cap on updates per recall.
    pub fn max_steps(&self) -> usize {
        self.max_steps
    }

    /// The recall tolerance on `max |Δξᵢ|`.
    pub fn tolerance(&self) -> T {
        self.tolerance
    }

    /// One update `ξ ← X softmax(β Xᵀ ξ)` for every column of `states` (two matrix products).
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] if nothing is stored or `states` has no columns;
    /// [`Error::DimensionMismatch`] for the wrong number of rows; [`Error::NonFinite`] for
    /// NaN/∞ in `states`; [`Error::InvalidParameter`] if the `M × B` softmax weights are too
    /// large to allocate.
    pub fn update_batch(&self, states: &DMatrix<T>) -> Result<DMatrix<T>> {
        let op = "ModernHopfield::update_batch";
        self.check_states(op, states)?;
        self.update_unchecked(states)
    }

    /// One update of validated states; the only error is an `M × B` softmax too large to
    /// allocate.
    fn update_unchecked(&self, states: &DMatrix<T>) -> Result<DMatrix<T>> {
        let m = self.patterns.ncols();
        let mut logits = super::builder::zeros(m, states.ncols(), "states")?;
        logits.gemm_tr(self.beta, &self.patterns, states, T::zero());
        for mut col in logits.column_iter_mut() {
            let mx = col.max();
            col.apply(|z| *z = (*z - mx).exp());
            let s = col.sum();
            col /= s;
        }
        Ok(&self.patterns * logits)
    }

    fn check_states(&self, op: &'static str, states: &DMatrix<T>) -> Result<()> {
        if self.patterns.ncols() == 0 {
            return Err(Error::Empty {
                op,
                what: "stored patterns",
            });
        }
        if states.ncols() == 0 {
            return Err(Error::Empty { op, what: "states" });
        }
        check_shape(op, "states", (self.dim(), states.ncols()), states.shape())?;
        crate::error::check_finite(op, "states", states.iter())?;
        Ok(())
    }

    fn energy_unchecked(&self, xi: &DVector<T>) -> T {
        let half: T = lit(0.5);
        let z = self.patterns.tr_mul(xi) * self.beta;
        let mx = z.max();
        let lse = mx + z.map(|v| (v - mx).exp()).sum().ln();
        let m = self.patterns.ncols();
        let max_norm = self
            .patterns
            .column_iter()
            .map(|c| c.norm())
            .fold(T::zero(), |a, b| a.max(b));
        -lse / self.beta
            + half * xi.dot(xi)
            + from_usize::<T>(m).ln() / self.beta
            + half * max_norm * max_norm
    }
}

fn check_beta<T: Real>(beta: T) -> Result<T> {
    if beta.is_finite() && beta > T::zero() {
        Ok(beta)
    } else {
        Err(Error::invalid("beta", "must be finite and > 0"))
    }
}

impl<T: Real> AssociativeMemory for ModernHopfield<T> {
    type Scalar = T;

    fn dim(&self) -> usize {
        self.patterns.nrows()
    }

    fn n_patterns(&self) -> usize {
        self.patterns.ncols()
    }

    /// Appends the columns of `patterns` (any finite reals).
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] for no columns, [`Error::DimensionMismatch`] for the wrong length,
    /// [`Error::NonFinite`] for NaN/∞.
    fn store(&mut self, patterns: &DMatrix<T>) -> Result<()> {
        let op = "ModernHopfield::store";
        if patterns.ncols() == 0 {
            return Err(Error::Empty {
                op,
                what: "patterns",
            });
        }
        check_shape(
            op,
            "patterns",
            (self.dim(), patterns.ncols()),
            patterns.shape(),
        )?;
        crate::error::check_finite(op, "patterns", patterns.iter())?;
        let (d, m) = self.patterns.shape();
        let mut all = DMatrix::zeros(d, m + patterns.ncols());
        all.columns_mut(0, m).copy_from(&self.patterns);
        all.columns_mut(m, patterns.ncols()).copy_from(patterns);
        self.patterns = all;
        Ok(())
    }

    /// Iterates `ξ ← X softmax(β Xᵀ ξ)` until `max |Δξᵢ| ≤ tolerance` (a fixed point) or
    /// `max_steps` updates.
    ///
    /// # Errors
    ///
    /// As [`ModernHopfield::update_batch`], and [`Error::NonFinite`] (`what = "state"`,
    /// `index` = the update) if the state overflows, which patterns of entries near the largest
    /// float can make it do.
    fn recall(&self, probe: &DVector<T>) -> Result<Recall<T>> {
        let mut xi = DMatrix::from_column_slice(probe.len(), 1, probe.as_slice());
        self.check_states("ModernHopfield::recall", &xi)?;
        let mut trace = vec![self.energy_unchecked(&xi.column(0).into_owned())];
        let mut steps = 0;
        let mut outcome = Outcome::MaxSteps;
        while steps < self.max_steps {
            let next = self.update_unchecked(&xi)?;
            if next.iter().any(|v| !v.is_finite()) {
                // β xᵢᵀξ overflowed: the iteration has left the floats, and would otherwise
                // run to max_steps on NaN
                return Err(Error::NonFinite {
                    op: "ModernHopfield::recall",
                    what: "state",
                    index: steps + 1,
                });
            }
            let delta = (&next - &xi).amax();
            xi = next;
            steps += 1;
            trace.push(self.energy_unchecked(&xi.column(0).into_owned()));
            if delta <= self.tolerance {
                outcome = Outcome::FixedPoint;
                break;
            }
        }
        let state = xi.column(0).into_owned();
        Ok(Recall {
            energy: self.energy_unchecked(&state),
            state,
            steps,
            outcome,
            energy_trace: trace,
        })
    }

    /// `E(ξ)` (see the type documentation).
    ///
    /// # Errors
    ///
    /// As [`ModernHopfield::update_batch`].
    fn energy(&self, state: &DVector<T>) -> Result<T> {
        let m = DMatrix::from_column_slice(state.len(), 1, state.as_slice());
        self.check_states("ModernHopfield::energy", &m)?;
        Ok(self.energy_unchecked(state))
    }
}

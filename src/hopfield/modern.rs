//! The modern (dense, continuous) Hopfield network of Ramsauer et al. (2020).

use super::from_usize;
use crate::error::{Error, Result, check_shape};
use crate::scalar::{Real, lit};
use crate::traits::{AssociativeMemory, Outcome, Recall};
use nalgebra::{DMatrix, DVector};

/// The modern (dense, continuous) Hopfield network of Ramsauer et al. (2020).
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
/// large `β` picks the nearest one.
///
///
/// A modern Hopfield network: patterns `X` (`d × M`) and inverse temperature `β`.
///
/// | parameter | default | purpose | range |
/// |---|---|---|---|
/// | `beta` | — | softmax sharpness `β` | finite, `> 0` |
/// | `max_steps` | 100 | recall stops after this many updates | `≥ 1` |
/// | `tolerance` | `1e-6` | recall stops when `max |Δξᵢ| ≤ tolerance` | finite, `≥ 0` |
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

/// The serialized fields of [`ModernHopfield`], checked on loading.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(bound(deserialize = "T: serde::Deserialize<'de>"))]
struct ModernData<T: Real> {
    patterns: DMatrix<T>,
    beta: T,
    max_steps: usize,
    tolerance: T,
}

#[cfg(feature = "serde")]
impl<T: Real> TryFrom<ModernData<T>> for ModernHopfield<T> {
    type Error = Error;

    fn try_from(d: ModernData<T>) -> Result<Self> {
        if !d.tolerance.is_finite() || d.tolerance < T::zero() {
            return Err(Error::invalid("tolerance", "must be finite and ≥ 0"));
        }
        let mut net =
            ModernHopfield::new(d.patterns.nrows(), d.beta)?.with_max_steps(d.max_steps)?;
        if d.patterns.ncols() > 0 {
            net.store(&d.patterns)?;
        }
        net.tolerance = d.tolerance;
        Ok(net)
    }
}

impl<T: Real> ModernHopfield<T> {
    /// An empty memory for patterns of length `dim`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] if `dim` is zero or `beta` is not finite and positive.
    pub fn new(dim: usize, beta: T) -> Result<Self> {
        if dim == 0 {
            return Err(Error::invalid("dim", "must be at least 1"));
        }
        check_beta(beta)?;
        Ok(Self {
            patterns: DMatrix::zeros(dim, 0),
            beta,
            max_steps: 100,
            tolerance: lit(1e-6),
        })
    }

    /// A memory holding the columns of `patterns`.
    ///
    /// # Errors
    ///
    /// As [`ModernHopfield::new`] and [`AssociativeMemory::store`].
    pub fn from_patterns(patterns: &DMatrix<T>, beta: T) -> Result<Self> {
        let mut net = Self::new(patterns.nrows(), beta)?;
        net.store(patterns)?;
        Ok(net)
    }

    /// Sets `β`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] unless `beta` is finite and positive.
    pub fn with_beta(mut self, beta: T) -> Result<Self> {
        self.beta = check_beta(beta)?;
        Ok(self)
    }

    /// Sets the cap on updates per recall (default 100).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] if zero.
    pub fn with_max_steps(mut self, max_steps: usize) -> Result<Self> {
        if max_steps == 0 {
            return Err(Error::invalid("max_steps", "must be at least 1"));
        }
        self.max_steps = max_steps;
        Ok(self)
    }

    /// `β`.
    pub fn beta(&self) -> T {
        self.beta
    }

    /// The stored patterns `X`, `d × M`.
    pub fn patterns(&self) -> &DMatrix<T> {
        &self.patterns
    }

    /// One update `ξ ← X softmax(β Xᵀ ξ)` for every column of `states` (two matrix products).
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] if nothing is stored or `states` has no columns;
    /// [`Error::DimensionMismatch`] for the wrong number of rows; [`Error::NonFinite`] for
    /// NaN/∞ in `states`.
    pub fn update_batch(&self, states: &DMatrix<T>) -> Result<DMatrix<T>> {
        let op = "ModernHopfield::update_batch";
        self.check_states(op, states)?;
        Ok(self.update_unchecked(states))
    }

    fn update_unchecked(&self, states: &DMatrix<T>) -> DMatrix<T> {
        let m = self.patterns.ncols();
        let mut logits = DMatrix::zeros(m, states.ncols());
        logits.gemm_tr(self.beta, &self.patterns, states, T::zero());
        for mut col in logits.column_iter_mut() {
            let mx = col.max();
            col.apply(|z| *z = (*z - mx).exp());
            let s = col.sum();
            col /= s;
        }
        &self.patterns * logits
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
    /// As [`ModernHopfield::update_batch`].
    fn recall(&self, probe: &DVector<T>) -> Result<Recall<T>> {
        let mut xi = DMatrix::from_column_slice(probe.len(), 1, probe.as_slice());
        self.check_states("ModernHopfield::recall", &xi)?;
        let mut trace = vec![self.energy_unchecked(&xi.column(0).into_owned())];
        let mut steps = 0;
        let mut outcome = Outcome::MaxSteps;
        while steps < self.max_steps {
            let next = self.update_unchecked(&xi);
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

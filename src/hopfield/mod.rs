//! Hopfield networks: the binary associative memory (Hopfield 1982) with three learning rules,
//! the continuous network of Hopfield & Tank (1985) for optimisation, and the modern
//! (softmax) Hopfield network of Ramsauer et al. (2020).
//!
//! # The binary network
//!
//! `N` units with states `sᵢ ∈ {−1, +1}`, symmetric weights `W` (`N × N`, `wᵢᵢ = 0`) and
//! thresholds `θ`. The local field of unit `i` is `hᵢ = Σⱼ wᵢⱼ sⱼ − θᵢ` and the update is
//!
//! `sᵢ ← sign(hᵢ)`
//!
//! applied to one unit at a time in a random order (asynchronous, [`Hopfield::recall_async`])
//! or to all units at once (synchronous, [`Hopfield::recall_sync`], [`Hopfield::recall_batch`]).
//! **Tie rule:** a unit whose field is within the tie tolerance of zero (`|hᵢ| ≤ tol`, default
//! `1e-9` for `f64` and `1.2e-5` for `f32`, see [`HopfieldBuilder::tie_tolerance`]) keeps its
//! state. Ties are real for the Hebbian rule with an even number of patterns, where the exact
//! field is 0 and rounding would otherwise decide.
//!
//! The energy `E(s) = −½ sᵀWs + θᵀs` never increases under asynchronous updates (each flip
//! lowers it by `2|hᵢ|`), so asynchronous recall always ends at a fixed point, a local minimum
//! of `E`. Synchronous recall ends at a fixed point or a 2-cycle.
//!
//! Patterns are the columns of a matrix and hold `±1`; [`to_bipolar`] converts `{0, 1}` data
//! with `s = 2x − 1`.
//!
//! A network either learns, with one of the rules below ([`Hopfield::builder`],
//! [`Hopfield::from_patterns`]), or has given weights and no rule
//! ([`Hopfield::builder_from_weights`], [`Hopfield::from_weights`]): the way to minimise a
//! quadratic energy over `{±1}ᴺ`.
//!
//! | rule | `W` | capacity (measured, see `examples/hopfield_capacity.rs`) |
//! |---|---|---|
//! | [`Rule::Hebbian`] | `W = (1/N) Σ_μ ξ^μ ξ^μᵀ`, `wᵢᵢ = 0` | `≈ 0.138·N` (Amit, Gutfreund & Sompolinsky 1985) |
//! | [`Rule::Storkey`] | incremental, `h_ij`-corrected Hebb (Storkey 1997) | `≈ 0.43·N` (1.5 % bit errors) |
//! | [`Rule::PseudoInverse`] | projector `W = X (XᵀX)⁻¹ Xᵀ`, `wᵢᵢ = 0` | every pattern stable up to `p = N` |
//!
//! # Examples
//!
//! ```
//! use nalgebra::{DMatrix, DVector};
//! use recurrent::hopfield::{Hopfield, Rule};
//! use recurrent::AssociativeMemory;
//! let patterns = DMatrix::<f64>::from_column_slice(6, 2, &[
//!     1.0, 1.0, 1.0, -1.0, -1.0, -1.0,
//!     1.0, -1.0, 1.0, -1.0, 1.0, -1.0,
//! ]);
//! let net = Hopfield::from_patterns(&patterns, Rule::Hebbian)?;
//! // pattern 0 with its first bit flipped
//! let probe = DVector::from_column_slice(&[-1.0, 1.0, 1.0, -1.0, -1.0, -1.0]);
//! let r = net.recall(&probe)?;
//! assert!(r.converged());
//! assert_eq!(r.state, patterns.column(0));
//! # Ok::<(), recurrent::Error>(())
//! ```
//!
//! # References
//!
//! [^1]: J. J. Hopfield (1982), "Neural networks and physical systems with emergent collective
//!   computational abilities", PNAS 79(8), 2554–2558.
//! [^2]: D. J. Amit, H. Gutfreund & H. Sompolinsky (1985), "Storing infinite numbers of patterns
//!   in a spin-glass model of neural networks", Phys. Rev. Lett. 55(14).
//! [^3]: A. Storkey (1997), "Increasing the capacity of a Hopfield network without sacrificing
//!   functionality", ICANN'97, LNCS 1327.
//! [^4]: L. Personnaz, I. Guyon & G. Dreyfus (1985), "Information storage and retrieval in
//!   spin-glass like neural networks", J. Physique Lett. 46; I. Kanter & H. Sompolinsky (1987),
//!   "Associative recall of memory without errors", Phys. Rev. A 35(1) (zero diagonal).

mod builder;
mod continuous;
#[cfg(feature = "serde")]
mod load;
mod modern;
mod recall;
mod rules;

pub use builder::HopfieldBuilder;
pub use continuous::{ContinuousHopfield, ContinuousHopfieldBuilder, ContinuousRun};
pub use modern::{ModernHopfield, ModernHopfieldBuilder};
pub use recall::BatchRecall;
pub use rules::Rule;

use crate::error::{Error, Result, check_shape};
use crate::scalar::{Real, lit};
use crate::traits::{AssociativeMemory, Recall};
use nalgebra::{DMatrix, DVector};

/// Default cap on recall sweeps.
const DEFAULT_MAX_SWEEPS: usize = 100;

/// A binary Hopfield network (Hopfield 1982): `N` units of state `±1`, symmetric weights with
/// zero diagonal, thresholds `θ`, and a learning rule (or given weights and none).
///
/// See the [module documentation](self) for the maths, the tie rule and the learning rules,
/// and [`HopfieldBuilder`] for the settings.
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use recurrent::hopfield::{Hopfield, Rule};
/// use recurrent::AssociativeMemory;
/// let mut net = Hopfield::<f32>::builder(4, Rule::Storkey).build()?;
/// net.store(&DMatrix::from_column_slice(4, 1, &[1.0, -1.0, 1.0, -1.0]))?;
/// assert_eq!(net.n_patterns(), 1);
/// assert!(net.store(&DMatrix::from_column_slice(4, 1, &[1.0, 0.0, 1.0, -1.0])).is_err());
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(
        try_from = "load::HopfieldData<T>",
        bound(deserialize = "T: serde::Deserialize<'de>")
    )
)]
pub struct Hopfield<T: Real> {
    /// `None` for a network with given weights.
    rule: Option<Rule>,
    weights: DMatrix<T>,
    thresholds: DVector<T>,
    /// The stored patterns (`N × p`), kept for the pseudo-inverse rule (which recomputes `W`
    /// from all of them) and the Hebbian rule (whose fields are computed in factored form,
    /// see [`Hopfield::field`]); `N × 0` otherwise.
    patterns: DMatrix<T>,
    n_patterns: usize,
    max_sweeps: usize,
    tie_tolerance: T,
}

impl<T: Real> Hopfield<T> {
    /// Number of units `N`.
    pub fn n(&self) -> usize {
        self.weights.nrows()
    }

    /// The learning rule, `None` for a network with given weights.
    pub fn rule(&self) -> Option<Rule> {
        self.rule
    }

    /// The weights `W` (`N × N`, symmetric, zero diagonal).
    pub fn weights(&self) -> &DMatrix<T> {
        &self.weights
    }

    /// The thresholds `θ`.
    pub fn thresholds(&self) -> &DVector<T> {
        &self.thresholds
    }

    /// The recall sweep cap.
    pub fn max_sweeps(&self) -> usize {
        self.max_sweeps
    }

    /// The tie tolerance.
    pub fn tie_tolerance(&self) -> T {
        self.tie_tolerance
    }

    /// The local fields `h = W s − θ`.
    ///
    /// For the Hebbian rule with `2p < N` they are computed from the stored patterns as
    /// `h = X (Xᵀ s)/N − (p/N) s − θ`, which is `W s − θ` exactly in exact arithmetic
    /// (`W = (1/N) X Xᵀ − (p/N) I`), costs `O(N·p)` instead of `O(N²)`, and sums integers
    /// exactly before the single division by `N`.
    ///
    /// # Errors
    ///
    /// As [`Hopfield::energy_of`].
    pub fn field(&self, state: &DVector<T>) -> Result<DVector<T>> {
        self.check_state("Hopfield::field", "state", state)?;
        Ok(self.field_unchecked(state))
    }

    /// True if no unit would change under the update rule (`sᵢ hᵢ ≥ −tol` for every `i`).
    ///
    /// # Errors
    ///
    /// As [`Hopfield::energy_of`].
    pub fn is_fixed_point(&self, state: &DVector<T>) -> Result<bool> {
        self.check_state("Hopfield::is_fixed_point", "state", state)?;
        let h = self.field_unchecked(state);
        Ok(recall::stable(
            state.as_slice(),
            h.as_slice(),
            self.tie_tolerance,
        ))
    }

    /// For each column of `states`, whether it is a fixed point (one matrix product for all).
    ///
    /// # Errors
    ///
    /// [`Error::DimensionMismatch`] for the wrong number of rows, [`Error::InvalidParameter`]
    /// for values other than ±1.
    pub fn fixed_points(&self, states: &DMatrix<T>) -> Result<Vec<bool>> {
        check_pm1("Hopfield::fixed_points", "states", self.n(), states)?;
        let h = self.fields_batch(states);
        Ok((0..states.ncols())
            .map(|b| {
                recall::stable(
                    states.column(b).as_slice(),
                    h.column(b).as_slice(),
                    self.tie_tolerance,
                )
            })
            .collect())
    }

    /// The energy `E(s) = −½ sᵀWs + θᵀs` (same as [`AssociativeMemory::energy`]).
    ///
    /// # Errors
    ///
    /// [`Error::DimensionMismatch`] for the wrong length, [`Error::InvalidParameter`] for
    /// values other than ±1.
    pub fn energy_of(&self, state: &DVector<T>) -> Result<T> {
        self.check_state("Hopfield::energy", "state", state)?;
        let h = self.field_unchecked(state);
        Ok(recall::energy_from_field(
            state.as_slice(),
            h.as_slice(),
            self.thresholds.as_slice(),
        ))
    }

    /// `h = W s − θ` for a validated state.
    fn field_unchecked(&self, state: &DVector<T>) -> DVector<T> {
        let mut h = self.thresholds.clone();
        if self.factored() {
            // W s = X (Xᵀ s)/N − (p/N) s
            let (n, p) = self.patterns.shape();
            let mut c = DVector::zeros(p);
            c.gemv_tr(T::one(), &self.patterns, state, T::zero());
            h.gemv(T::one() / from_usize::<T>(n), &self.patterns, &c, -T::one());
            h.axpy(-from_usize::<T>(p) / from_usize::<T>(n), state, T::one());
        } else {
            h.gemv(T::one(), &self.weights, state, -T::one());
        }
        h
    }

    /// `H = W S − θ 1ᵀ` for validated states (one GEMM, or two thin ones for the factored
    /// Hebbian form).
    pub(crate) fn fields_batch(&self, states: &DMatrix<T>) -> DMatrix<T> {
        let (n, b) = states.shape();
        let mut h = DMatrix::zeros(n, b);
        if self.factored() {
            let p = self.patterns.ncols();
            let mut c = DMatrix::zeros(p, b);
            c.gemm(T::one(), &self.patterns.transpose(), states, T::zero());
            h.gemm(T::one() / from_usize::<T>(n), &self.patterns, &c, T::zero());
            let diag = from_usize::<T>(p) / from_usize::<T>(n);
            h.zip_apply(states, |hi, si| *hi -= diag * si);
        } else {
            h.gemm(T::one(), &self.weights, states, T::zero());
        }
        for mut col in h.column_iter_mut() {
            col -= &self.thresholds;
        }
        h
    }

    /// True if the fields are cheaper from the Hebbian factors: `W = (1/N) X Xᵀ − (p/N) I`
    /// (the zero diagonal is the `−(p/N) I`, as `ξᵢ² = 1`), so `W s` costs `2·N·p` instead of
    /// `N²` when `2p < N`. The integer sums `Xᵀ s` and `X (Xᵀ s)` are exact.
    fn factored(&self) -> bool {
        let p = self.patterns.ncols();
        self.rule == Some(Rule::Hebbian) && p > 0 && p == self.n_patterns && 2 * p < self.n()
    }

    /// The stored patterns followed by `more`.
    fn appended(&self, more: &DMatrix<T>) -> DMatrix<T> {
        let (n, p) = self.patterns.shape();
        let mut all = DMatrix::zeros(n, p + more.ncols());
        all.columns_mut(0, p).copy_from(&self.patterns);
        all.columns_mut(p, more.ncols()).copy_from(more);
        all
    }

    fn check_state(&self, op: &'static str, what: &'static str, s: &DVector<T>) -> Result<()> {
        check_shape(op, what, (self.n(), 1), s.shape())?;
        check_values(what, s.as_slice(), s.len())
    }
}

/// A count as `T` (counts here are far below 2⁵³, so the `f64` step is exact).
pub(crate) fn from_usize<T: Real>(n: usize) -> T {
    lit(n as f64)
}

fn default_tie_tolerance<T: Real>() -> T {
    // 1e-9 for f64 (the reference's value); 100·ε = 1.2e-5 for f32, above the rounding of an
    // exact zero field and below the smallest non-zero Hebbian field 2/N.
    lit::<T>(1e-9).max(T::default_epsilon() * lit(100.0))
}

/// Checks that every value is exactly `+1` or `−1`; `rows` locates the bad value.
fn check_values<T: Real>(what: &'static str, values: &[T], rows: usize) -> Result<()> {
    let one = T::one();
    for (k, &v) in values.iter().enumerate() {
        if v != one && v != -one {
            let rows = rows.max(1);
            return Err(Error::invalid(
                what,
                format!(
                    "value {v} at row {}, column {} is not ±1 (convert 0/1 data with to_bipolar)",
                    k % rows,
                    k / rows
                ),
            ));
        }
    }
    Ok(())
}

/// Checks a matrix of `±1` columns of length `n`.
pub(crate) fn check_pm1<T: Real>(
    op: &'static str,
    what: &'static str,
    n: usize,
    m: &DMatrix<T>,
) -> Result<()> {
    if m.ncols() == 0 {
        return Err(Error::Empty { op, what });
    }
    check_shape(op, what, (n, m.ncols()), m.shape())?;
    check_values(what, m.as_slice(), n)
}

/// Converts `{0, 1}` data to `{−1, +1}` with `s = 2x − 1`.
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// let s = recurrent::hopfield::to_bipolar(&DMatrix::<f32>::from_row_slice(1, 3, &[0.0, 1.0, 1.0]))?;
/// assert_eq!(s.as_slice(), &[-1.0, 1.0, 1.0]);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidParameter`] for a value other than 0 or 1.
pub fn to_bipolar<T: Real>(bits: &DMatrix<T>) -> Result<DMatrix<T>> {
    let rows = bits.nrows().max(1);
    if let Some(k) = bits.iter().position(|&v| v != T::zero() && v != T::one()) {
        return Err(Error::invalid(
            "bits",
            format!(
                "value at row {}, column {} is not 0 or 1",
                k % rows,
                k / rows
            ),
        ));
    }
    Ok(bits.map(|v| v + v - T::one()))
}

impl<T: Real> AssociativeMemory for Hopfield<T> {
    type Scalar = T;

    fn dim(&self) -> usize {
        self.n()
    }

    fn n_patterns(&self) -> usize {
        self.n_patterns
    }

    /// Stores the columns of `patterns` (±1) with the network's rule. Hebbian and Storkey
    /// learn incrementally (storing in two calls equals storing at once, up to rounding);
    /// the pseudo-inverse rule recomputes the projector from every pattern stored so far.
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] for no columns; [`Error::DimensionMismatch`] for columns of the wrong
    /// length; [`Error::InvalidParameter`] for values other than ±1 or a network with given
    /// weights (no rule) or if the count of stored patterns would overflow `usize` (a count
    /// only a loaded file can hold); [`Error::Numerical`] if the pseudo-inverse patterns are
    /// linearly dependent. On error the network is unchanged.
    fn store(&mut self, patterns: &DMatrix<T>) -> Result<()> {
        check_pm1("Hopfield::store", "patterns", self.n(), patterns)?;
        let Some(rule) = self.rule else {
            return Err(Error::invalid(
                "rule",
                "a network with given weights has no learning rule",
            ));
        };
        // a count read from a file may be anything
        let total = self
            .n_patterns
            .checked_add(patterns.ncols())
            .ok_or_else(|| {
                Error::invalid("n_patterns", "the count of stored patterns overflows")
            })?;
        match rule {
            Rule::Hebbian => {
                rules::hebbian_add(&mut self.weights, patterns);
                self.patterns = self.appended(patterns);
            }
            Rule::Storkey => rules::storkey_add(&mut self.weights, patterns),
            Rule::PseudoInverse => {
                let all = self.appended(patterns);
                self.weights = rules::pseudo_inverse(&all)?;
                self.patterns = all;
            }
        }
        self.n_patterns = total;
        Ok(())
    }

    /// Synchronous recall ([`Hopfield::recall_sync`]).
    fn recall(&self, probe: &DVector<T>) -> Result<Recall<T>> {
        self.recall_sync(probe)
    }

    fn energy(&self, state: &DVector<T>) -> Result<T> {
        self.energy_of(state)
    }
}

/// Checks a weight matrix and its vector of per-unit values (thresholds or bias currents):
/// square, non-empty, matching lengths, finite, and symmetric to a relative `√ε` of the
/// largest entry. Returns `n`.
pub(crate) fn check_weights<T: Real>(
    op: &'static str,
    weights: &DMatrix<T>,
    what: &'static str,
    per_unit: &DVector<T>,
) -> Result<usize> {
    let n = weights.nrows();
    check_shape(op, "weights", (n, n), weights.shape())?;
    if n == 0 {
        return Err(Error::Empty {
            op,
            what: "weights",
        });
    }
    check_shape(op, what, (n, 1), per_unit.shape())?;
    crate::error::check_finite(op, "weights", weights.iter())?;
    crate::error::check_finite(op, what, per_unit.iter())?;
    check_symmetric(weights)?;
    Ok(n)
}

/// Checks that a square, finite matrix is symmetric to a relative `√ε` of its largest entry.
pub(crate) fn check_symmetric<T: Real>(weights: &DMatrix<T>) -> Result<()> {
    let n = weights.nrows();
    let tol = weights.amax() * T::default_epsilon().sqrt();
    for j in 0..n {
        for i in 0..j {
            if (weights[(i, j)] - weights[(j, i)]).abs() > tol {
                return Err(Error::invalid(
                    "weights",
                    format!("not symmetric: entries ({i}, {j}) and ({j}, {i}) differ"),
                ));
            }
        }
    }
    Ok(())
}

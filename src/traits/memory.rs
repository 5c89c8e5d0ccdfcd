use crate::error::Result;
use crate::scalar::Real;
use nalgebra::{DMatrix, DVector};

/// How a recall ended.
///
/// # Examples
///
/// ```
/// use nalgebra::{DMatrix, DVector};
/// use recurrent::hopfield::Hopfield;
/// use recurrent::traits::Outcome;
/// // two units that copy each other's sign: synchronous updates swap them for ever
/// let w = DMatrix::from_row_slice(2, 2, &[0.0, 1.0, 1.0, 0.0]);
/// let net = Hopfield::builder_from_weights(w).build()?;
/// let r = net.recall_sync(&DVector::from_column_slice(&[1.0, -1.0]))?;
/// assert_eq!(r.outcome, Outcome::Cycle { period: 2 });
/// assert!(!r.converged());
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// The state stopped changing: a fixed point of the dynamics.
    FixedPoint,
    /// The state repeats with this period (synchronous updates can settle into a 2-cycle).
    Cycle {
        /// Steps between repeats.
        period: usize,
    },
    /// The step limit was reached first.
    MaxSteps,
}

/// The result of recalling a pattern from a probe.
///
/// # Examples
///
/// ```
/// use nalgebra::{DMatrix, DVector};
/// use recurrent::AssociativeMemory;
/// use recurrent::hopfield::{Hopfield, Rule};
/// let patterns = DMatrix::<f64>::from_column_slice(6, 2, &[
///     1.0, 1.0, 1.0, -1.0, -1.0, -1.0,
///     1.0, -1.0, 1.0, -1.0, 1.0, -1.0,
/// ]);
/// let net = Hopfield::from_patterns(&patterns, Rule::Hebbian)?;
/// let probe = DVector::from_column_slice(&[-1.0, 1.0, 1.0, -1.0, -1.0, -1.0]);
/// let r = net.recall(&probe)?;
/// assert!(r.converged());
/// assert_eq!(r.energy_trace.first(), Some(&net.energy(&probe)?));
/// assert!((r.energy - net.energy(&r.state)?).abs() < 1e-12);
/// assert!(r.energy < r.energy_trace[0]); // recall descends the energy
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Recall<T: Real> {
    /// The final state.
    pub state: DVector<T>,
    /// Update steps (sweeps) taken.
    pub steps: usize,
    /// Why recall stopped.
    pub outcome: Outcome,
    /// Energy of the final state.
    pub energy: T,
    /// Energy after each step, starting with the probe's.
    pub energy_trace: Vec<T>,
}

impl<T: Real> Recall<T> {
    /// True if recall ended at a fixed point.
    pub fn converged(&self) -> bool {
        self.outcome == Outcome::FixedPoint
    }
}

/// Content-addressable memory: store patterns, then recall the stored pattern nearest a probe
/// by letting the dynamics descend an energy function (Hopfield 1982).
///
/// Patterns are columns of length [`AssociativeMemory::dim`]. What values a pattern may take
/// (±1 for the binary network, reals for the modern one) is documented by each implementation,
/// and anything else returns an error.
///
/// # Examples
///
/// ```
/// use nalgebra::{DMatrix, DVector};
/// use recurrent::AssociativeMemory;
/// use recurrent::hopfield::{Hopfield, ModernHopfield, Rule};
/// /// Store `patterns` in any memory and recall the first one from itself.
/// fn round_trip(m: &mut impl AssociativeMemory<Scalar = f64>, patterns: &DMatrix<f64>) -> recurrent::Result<bool> {
///     m.store(patterns)?;
///     let p: DVector<f64> = patterns.column(0).into_owned();
///     Ok((m.recall(&p)?.state - &p).amax() < 1e-3)
/// }
/// let patterns = DMatrix::<f64>::from_column_slice(6, 2, &[
///     1.0, 1.0, 1.0, -1.0, -1.0, -1.0,
///     1.0, -1.0, 1.0, -1.0, 1.0, -1.0,
/// ]);
/// let mut binary = Hopfield::<f64>::builder(6, Rule::Storkey).build()?;
/// let mut modern = ModernHopfield::<f64>::builder(6, 8.0).build()?;
/// assert!(round_trip(&mut binary, &patterns)?);
/// assert!(round_trip(&mut modern, &patterns)?);
/// assert_eq!((binary.n_patterns(), modern.n_patterns()), (2, 2));
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # References
///
/// [^1]: J. J. Hopfield (1982), "Neural networks and physical systems with emergent collective
///   computational abilities", PNAS 79(8).
pub trait AssociativeMemory {
    /// Scalar type of states and weights.
    type Scalar: Real;

    /// Length of a pattern.
    fn dim(&self) -> usize;

    /// Number of patterns stored so far.
    fn n_patterns(&self) -> usize;

    /// Stores the columns of `patterns` in addition to those already stored.
    ///
    /// # Errors
    ///
    /// Wrong pattern length, invalid values, an empty set, or a learning rule that cannot
    /// store this set (each implementation lists its cases).
    fn store(&mut self, patterns: &DMatrix<Self::Scalar>) -> Result<()>;

    /// Recalls from `probe` with the memory's deterministic dynamics until a fixed point,
    /// a cycle or the step limit.
    ///
    /// # Errors
    ///
    /// Wrong probe length or invalid values.
    fn recall(&self, probe: &DVector<Self::Scalar>) -> Result<Recall<Self::Scalar>>;

    /// The energy of `state`; recall never increases it (for the update orders each
    /// implementation documents).
    ///
    /// # Errors
    ///
    /// Wrong state length.
    fn energy(&self, state: &DVector<Self::Scalar>) -> Result<Self::Scalar>;
}

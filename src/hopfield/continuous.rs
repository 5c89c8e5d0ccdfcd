//! The continuous (graded-response) Hopfield network of Hopfield & Tank (1985).

#[cfg(feature = "serde")]
use super::load::{MatrixRepr, VectorRepr};
use crate::error::{Error, Result, check_shape};
use crate::scalar::{Real, lit};
use nalgebra::{DMatrix, DVector};

/// The continuous (graded-response) Hopfield network (Hopfield 1984; Hopfield & Tank 1985):
/// symmetric weights `W`, bias currents `I`, time constant `τ`, gain parameter `u₀`,
/// integrated with explicit Euler steps of `dt`.
///
/// Each unit has an internal potential `uᵢ` and an output `Vᵢ = g(uᵢ) = ½(1 + tanh(uᵢ/u₀))`
/// in `(0, 1)`:
///
/// `duᵢ/dt = −uᵢ/τ + Σⱼ wᵢⱼ Vⱼ + Iᵢ`
///
/// With `W` symmetric the Lyapunov function
///
/// `E(V) = −½ VᵀWV − IᵀV + (1/τ) Σᵢ ∫₀^{Vᵢ} g⁻¹(v) dv`,
/// `∫₀^V g⁻¹ = (u₀/2)·[V ln V + (1 − V) ln(1 − V)]`
///
/// never increases along trajectories (`dE/dt = −Σᵢ g′(uᵢ) (duᵢ/dt)² ≤ 0`), and for high gain
/// (small `u₀`) its minima sit near the corners of the hypercube: the minima of the quadratic
/// part. Hopfield & Tank (1985) wrote the travelling-salesman problem as such an energy (see
/// `examples/hopfield_optimisation.rs`). The settings are in [`ContinuousHopfieldBuilder`].
///
/// # Examples
///
/// ```
/// use nalgebra::{DMatrix, DVector};
/// use recurrent::hopfield::ContinuousHopfield;
/// // two units that inhibit each other, one favoured by its bias: a winner-take-all
/// let w = DMatrix::from_row_slice(2, 2, &[0.0, -2.0, -2.0, 0.0]);
/// let net = ContinuousHopfield::builder(w, DVector::from_column_slice(&[1.1, 1.0]))
///     .dt(1e-3)
///     .build()?;
/// let run = net.run(&DVector::from_column_slice(&[0.0, 0.0]), 20_000, 1e-6)?;
/// assert!(run.v[0] > 0.9 && run.v[1] < 0.1);
/// assert!(run.energy_trace.windows(2).all(|e| e[1] <= e[0] + 1e-9));
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # References
///
/// [^1]: J. J. Hopfield (1984), "Neurons with graded response have collective computational
///   properties like those of two-state neurons", PNAS 81(10).
/// [^2]: J. J. Hopfield & D. W. Tank (1985), "'Neural' computation of decisions in
///   optimization problems", Biological Cybernetics 52, 141–152.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(
        try_from = "ContinuousData<T>",
        bound(deserialize = "T: serde::Deserialize<'de>")
    )
)]
pub struct ContinuousHopfield<T: Real> {
    weights: DMatrix<T>,
    bias: DVector<T>,
    tau: T,
    u0: T,
    dt: T,
}

/// The serialized fields of [`ContinuousHopfield`], checked on loading with the rules of
/// [`ContinuousHopfieldBuilder::build`].
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(bound(deserialize = "T: serde::Deserialize<'de>"))]
struct ContinuousData<T: Real> {
    weights: MatrixRepr<T>,
    bias: VectorRepr<T>,
    tau: T,
    u0: T,
    dt: T,
}

#[cfg(feature = "serde")]
impl<T: Real> TryFrom<ContinuousData<T>> for ContinuousHopfield<T> {
    type Error = Error;

    fn try_from(d: ContinuousData<T>) -> Result<Self> {
        ContinuousHopfield::builder(
            d.weights.into_matrix("weights")?,
            d.bias.into_vector("bias")?,
        )
        .tau(d.tau)
        .u0(d.u0)
        .dt(d.dt)
        .build()
    }
}

/// Configures and builds a [`ContinuousHopfield`] network; every check happens in
/// [`ContinuousHopfieldBuilder::build`].
///
/// | setting | default | purpose | range |
/// |---|---|---|---|
/// | `tau` | 1 | leak time constant `τ` | finite, `> 0` |
/// | `u0` | 0.02 | `g(u) = ½(1 + tanh(u/u₀))`; smaller is steeper (Hopfield & Tank use 0.02) | finite, `> 0` |
/// | `dt` | 1e-5 | Euler step | finite, `> 0` |
///
/// # Examples
///
/// ```
/// use nalgebra::{DMatrix, DVector};
/// use recurrent::hopfield::ContinuousHopfield;
/// let net = ContinuousHopfield::<f64>::builder(DMatrix::zeros(3, 3), DVector::zeros(3))
///     .tau(2.0)
///     .u0(0.5)
///     .build()?;
/// assert_eq!((net.tau(), net.u0(), net.dt()), (2.0, 0.5, 1e-5));
/// let bad = ContinuousHopfield::<f64>::builder(DMatrix::zeros(3, 3), DVector::zeros(3)).dt(0.0);
/// assert!(bad.build().is_err());
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// [`ContinuousHopfieldBuilder::build`] returns [`Error::DimensionMismatch`] if `W` is not
/// square or `I` has the wrong length; [`Error::Empty`] for `n = 0`; [`Error::NonFinite`] for
/// NaN/∞ in `W` or `I`; [`Error::InvalidParameter`] if `W` is not symmetric (to `√ε` of its
/// largest entry) or `τ`, `u₀` or `dt` is not finite and positive.
#[derive(Clone, Debug)]
pub struct ContinuousHopfieldBuilder<T: Real> {
    weights: DMatrix<T>,
    bias: DVector<T>,
    tau: T,
    u0: T,
    dt: T,
}

impl<T: Real> ContinuousHopfieldBuilder<T> {
    /// The leak time constant `τ` (default 1).
    pub fn tau(mut self, tau: T) -> Self {
        self.tau = tau;
        self
    }

    /// The gain parameter `u₀` of `g(u) = ½(1 + tanh(u/u₀))` (default 0.02).
    pub fn u0(mut self, u0: T) -> Self {
        self.u0 = u0;
        self
    }

    /// The Euler step `dt` (default 1e-5).
    pub fn dt(mut self, dt: T) -> Self {
        self.dt = dt;
        self
    }

    /// Checks the settings and builds the network.
    ///
    /// # Errors
    ///
    /// See [`ContinuousHopfieldBuilder`].
    pub fn build(self) -> Result<ContinuousHopfield<T>> {
        super::check_weights(
            "ContinuousHopfieldBuilder::build",
            &self.weights,
            "bias",
            &self.bias,
        )?;
        Ok(ContinuousHopfield {
            weights: self.weights,
            bias: self.bias,
            tau: positive("tau", self.tau)?,
            u0: positive("u0", self.u0)?,
            dt: positive("dt", self.dt)?,
        })
    }
}

/// The end of a [`ContinuousHopfield::run`].
///
/// # Examples
///
/// ```
/// use nalgebra::{DMatrix, DVector};
/// use recurrent::hopfield::ContinuousHopfield;
/// // one unit with a positive bias switches on
/// let net = ContinuousHopfield::builder(DMatrix::zeros(1, 1), DVector::from_element(1, 1.0))
///     .dt(1e-2)
///     .build()?;
/// let run = net.run(&DVector::zeros(1), 10_000, 1e-6)?;
/// assert!(run.converged && run.steps < 10_000);
/// assert!(run.v[0] > 0.9); // V = g(u), near 1
/// assert_eq!(run.energy_trace.len(), run.steps + 1);
/// assert!(run.energy_trace.last() < run.energy_trace.first());
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ContinuousRun<T: Real> {
    /// Final potentials `u`.
    pub u: DVector<T>,
    /// Final outputs `V = g(u)`.
    pub v: DVector<T>,
    /// Euler steps taken.
    pub steps: usize,
    /// True if the outputs settled: `max |dVᵢ/dt|` fell below the tolerance.
    pub converged: bool,
    /// Energy `E(V)` before the first step and after every step.
    pub energy_trace: Vec<T>,
}

impl<T: Real> ContinuousHopfield<T> {
    /// Starts configuring a network with weights `W` (`n × n`, symmetric; the diagonal may be
    /// non-zero) and bias currents `I`; see [`ContinuousHopfieldBuilder`].
    pub fn builder(weights: DMatrix<T>, bias: DVector<T>) -> ContinuousHopfieldBuilder<T> {
        ContinuousHopfieldBuilder {
            weights,
            bias,
            tau: T::one(),
            u0: lit(0.02),
            dt: lit(1e-5),
        }
    }

    /// Number of units.
    pub fn n(&self) -> usize {
        self.bias.len()
    }

    /// The weights `W`.
    pub fn weights(&self) -> &DMatrix<T> {
        &self.weights
    }

    /// The bias currents `I`.
    pub fn bias(&self) -> &DVector<T> {
        &self.bias
    }

    /// The leak time constant `τ`.
    pub fn tau(&self) -> T {
        self.tau
    }

    /// The gain parameter `u₀`.
    pub fn u0(&self) -> T {
        self.u0
    }

    /// The Euler step `dt`.
    pub fn dt(&self) -> T {
        self.dt
    }

    /// `V = g(u) = ½(1 + tanh(u/u₀))`, element-wise.
    pub fn output(&self, u: &DVector<T>) -> DVector<T> {
        let half: T = lit(0.5);
        u.map(|x| half * (T::one() + (x / self.u0).tanh()))
    }

    /// The Lyapunov energy `E(V)` (see the type documentation).
    ///
    /// # Errors
    ///
    /// [`Error::DimensionMismatch`] for the wrong length; [`Error::InvalidParameter`] for a
    /// value outside `[0, 1]` or NaN.
    pub fn energy(&self, v: &DVector<T>) -> Result<T> {
        check_shape("ContinuousHopfield::energy", "v", (self.n(), 1), v.shape())?;
        if v.iter()
            .any(|&x| !x.is_finite() || x < T::zero() || x > T::one())
        {
            return Err(Error::invalid("v", "outputs must lie in [0, 1]"));
        }
        let wv = &self.weights * v;
        Ok(self.energy_with(v, &wv))
    }

    fn energy_with(&self, v: &DVector<T>, wv: &DVector<T>) -> T {
        let half: T = lit(0.5);
        let xlnx = |x: T| if x > T::zero() { x * x.ln() } else { T::zero() };
        let entropy: T = v
            .iter()
            .map(|&x| xlnx(x) + xlnx(T::one() - x))
            .fold(T::zero(), |a, b| a + b);
        -half * v.dot(wv) - self.bias.dot(v) + self.u0 * half / self.tau * entropy
    }

    /// Integrates `du/dt = −u/τ + W g(u) + I` from `u_init` with Euler steps of `dt` until
    /// the outputs settle, `max |dVᵢ/dt| = max g′(uᵢ)·|duᵢ/dt| < tol` with
    /// `g′(u) = 2V(1 − V)/u₀`, or `max_steps` steps.
    ///
    /// The test is on the outputs, not the potentials: the energy depends on `V` only, and a
    /// saturated unit's potential keeps drifting towards `τ(WV + I)` on the slow time scale `τ`
    /// while its output no longer changes.
    ///
    /// # Errors
    ///
    /// [`Error::DimensionMismatch`] for the wrong length; [`Error::NonFinite`] if `u_init`
    /// holds NaN/∞ or the integration diverges (step too large); [`Error::InvalidParameter`]
    /// for a negative or non-finite `tol`.
    ///
    /// # Examples
    ///
    /// Two units that excite each other settle with both outputs high, and the energy never
    /// rises on the way (Hopfield 1984):
    ///
    /// ```
    /// use nalgebra::{DMatrix, DVector};
    /// use recurrent::hopfield::ContinuousHopfield;
    /// let w = DMatrix::from_row_slice(2, 2, &[0.0, 2.0, 2.0, 0.0]);
    /// let net = ContinuousHopfield::builder(w, DVector::from_element(2, 0.0))
    ///     .dt(1e-3)
    ///     .build()?;
    /// let r = net.run(&DVector::from_column_slice(&[0.1, 0.05]), 20_000, 1e-6)?;
    /// assert!(r.v.iter().all(|&v| v > 0.9), "{:?}", r.v);
    /// assert!(r.energy_trace.windows(2).all(|e| e[1] <= e[0] + 1e-9));
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn run(&self, u_init: &DVector<T>, max_steps: usize, tol: T) -> Result<ContinuousRun<T>> {
        let op = "ContinuousHopfield::run";
        check_shape(op, "u_init", (self.n(), 1), u_init.shape())?;
        crate::error::check_finite(op, "u_init", u_init.iter())?;
        if !tol.is_finite() || tol < T::zero() {
            return Err(Error::invalid("tol", "must be ≥ 0"));
        }
        let mut u = u_init.clone();
        let mut v = self.output(&u);
        let mut wv = &self.weights * &v;
        let mut trace = vec![self.energy_with(&v, &wv)];
        let mut du = DVector::zeros(self.n());
        let inv_tau = T::one() / self.tau;
        let mut steps = 0;
        let mut converged = false;
        while steps < max_steps {
            du.copy_from(&wv);
            du += &self.bias;
            du.axpy(-inv_tau, &u, T::one());
            let two_over_u0 = lit::<T>(2.0) / self.u0;
            let dv_max = du
                .iter()
                .zip(v.iter())
                .map(|(&d, &vi)| (two_over_u0 * vi * (T::one() - vi) * d).abs())
                .fold(T::zero(), |a, b| a.max(b));
            if dv_max < tol {
                converged = true;
                break;
            }
            u.axpy(self.dt, &du, T::one());
            crate::error::check_finite(op, "u", u.iter())?;
            v = self.output(&u);
            wv.gemv(T::one(), &self.weights, &v, T::zero());
            steps += 1;
            trace.push(self.energy_with(&v, &wv));
        }
        Ok(ContinuousRun {
            u,
            v,
            steps,
            converged,
            energy_trace: trace,
        })
    }
}

fn positive<T: Real>(name: &'static str, x: T) -> Result<T> {
    if x.is_finite() && x > T::zero() {
        Ok(x)
    } else {
        Err(Error::invalid(name, "must be finite and > 0"))
    }
}

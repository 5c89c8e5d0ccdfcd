//! Recall dynamics of the binary network: synchronous and asynchronous updates, batches.
//!
//! Fields `h = W s − θ` are computed once (one matrix product) and then kept up to date:
//! flipping unit `i` to `sᵢ` changes every field by `2 sᵢ W[:, i]`. An asynchronous sweep
//! therefore costs O(N) per visit plus O(N) per flip, and a synchronous sweep over a batch
//! costs one matrix product `H ← H + W·ΔS` with the (mostly sparse) change `ΔS`.

use super::{Hopfield, check_pm1};
use crate::error::{Error, Result, check_shape};
use crate::scalar::{Real, lit};
use crate::sequence::Sequence;
use crate::traits::{Outcome, Recall, Recurrent, Run};
use nalgebra::{DMatrix, DVector};
use rand::Rng;
use rand::seq::SliceRandom;

/// What a synchronous batch recall ([`Hopfield::recall_batch`]) produced, one entry per probe
/// (column).
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use recurrent::hopfield::{Hopfield, Rule};
/// use recurrent::traits::Outcome;
/// let patterns = DMatrix::<f64>::from_column_slice(6, 2, &[
///     1.0, 1.0, 1.0, -1.0, -1.0, -1.0,
///     1.0, -1.0, 1.0, -1.0, 1.0, -1.0,
/// ]);
/// let net = Hopfield::from_patterns(&patterns, Rule::Hebbian)?;
/// // both patterns, each with its first bit flipped, recalled together
/// let mut probes = patterns.clone();
/// probes[(0, 0)] = -1.0;
/// probes[(0, 1)] = -1.0;
/// let r = net.recall_batch(&probes)?;
/// assert_eq!(r.len(), 2);
/// assert_eq!(r.states, patterns);
/// assert!(r.outcomes.iter().all(|o| *o == Outcome::FixedPoint));
/// assert_eq!(r.get(1).map(|one| one.converged()), Some(true));
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct BatchRecall<T: Real> {
    /// Final states, `N × B`.
    pub states: DMatrix<T>,
    /// Sweeps that changed each probe's state.
    pub steps: Vec<usize>,
    /// Why each probe stopped.
    pub outcomes: Vec<Outcome>,
    /// Energy after each sweep, starting with the probe's, for each probe.
    pub energy_traces: Vec<Vec<T>>,
}

impl<T: Real> BatchRecall<T> {
    /// Number of probes.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// True for an empty batch (never produced by [`Hopfield::recall_batch`]).
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The recall of probe `b` as a [`Recall`], or `None` if `b ≥ len()`.
    pub fn get(&self, b: usize) -> Option<Recall<T>> {
        if b >= self.len() {
            return None;
        }
        let trace = self.energy_traces[b].clone();
        Some(Recall {
            state: self.states.column(b).into_owned(),
            steps: self.steps[b],
            outcome: self.outcomes[b],
            energy: *trace.last().unwrap_or(&T::zero()),
            energy_trace: trace,
        })
    }
}

/// True if no unit would flip: no `i` has `sᵢ hᵢ < −tol`, the update's own test (so a field
/// that is not a number, which never flips its unit, cannot keep recall sweeping forever).
pub(crate) fn stable<T: Real>(s: &[T], h: &[T], tol: T) -> bool {
    !s.iter().zip(h).any(|(&si, &hi)| si * hi < -tol)
}

/// `E = −½ sᵀWs + θᵀs` from the field `h = Ws − θ`: `E = −½ sᵀh + ½ θᵀs`.
pub(crate) fn energy_from_field<T: Real>(s: &[T], h: &[T], theta: &[T]) -> T {
    let mut sh = T::zero();
    let mut st = T::zero();
    for i in 0..s.len() {
        sh += s[i] * h[i];
        st += s[i] * theta[i];
    }
    lit::<T>(-0.5) * sh + lit::<T>(0.5) * st
}

impl<T: Real> Hopfield<T> {
    /// Synchronous recall: all units update at once, `s ← sign(W s − θ)` (ties keep their
    /// state), until a fixed point, a 2-cycle (`s⟨t+1⟩ = s⟨t−1⟩`) or `max_sweeps` sweeps.
    ///
    /// `steps` counts the sweeps that changed the state. Synchronous updates do not always
    /// lower the energy (a 2-cycle keeps it constant); use [`Hopfield::recall_async`] for
    /// guaranteed descent.
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::{DMatrix, DVector};
    /// use recurrent::hopfield::{Hopfield, Rule};
    /// let x = DMatrix::<f64>::from_column_slice(4, 1, &[1.0, -1.0, 1.0, 1.0]);
    /// let net = Hopfield::from_patterns(&x, Rule::Hebbian)?;
    /// let r = net.recall_sync(&DVector::from_column_slice(&[1.0, -1.0, 1.0, -1.0]))?;
    /// assert_eq!(r.state, x.column(0));
    /// assert!(r.energy < r.energy_trace[0]);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::DimensionMismatch`] for a probe of the wrong length, [`Error::InvalidParameter`]
    /// for values other than ±1.
    pub fn recall_sync(&self, probe: &DVector<T>) -> Result<Recall<T>> {
        check_shape(
            "Hopfield::recall_sync",
            "probe",
            (self.n(), 1),
            probe.shape(),
        )?;
        let m = DMatrix::from_column_slice(self.n(), 1, probe.as_slice());
        check_pm1("Hopfield::recall_sync", "probe", self.n(), &m)?;
        let r = self.sync_batch(m);
        Ok(r.get(0).expect("a batch of one probe has one recall"))
    }

    /// Synchronous recall of a batch of probes (the columns of `probes`) together.
    ///
    /// Each sweep is one matrix product for the whole batch: the fields start as
    /// `H = W S − θ` (a GEMM) and each sweep updates them by `W·ΔS`, where `ΔS` holds the
    /// flipped bits of the probes still moving (a GEMM when many bits flip, column updates
    /// when few do). Probes stop independently, as in [`Hopfield::recall_sync`].
    ///
    /// # Complexity
    ///
    /// `O(N²·B)` for the first product plus `O(N)` per flipped bit.
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] for no columns; [`Error::DimensionMismatch`] for the wrong number of
    /// rows; [`Error::InvalidParameter`] for values other than ±1.
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use recurrent::hopfield::{Hopfield, Rule};
    /// let patterns = DMatrix::<f64>::from_column_slice(4, 1, &[1.0, -1.0, 1.0, -1.0]);
    /// let net = Hopfield::from_patterns(&patterns, Rule::Hebbian)?;
    /// // 3 probes at once: the pattern, its first bit flipped, its last bit flipped
    /// let probes = DMatrix::from_column_slice(4, 3, &[1.0, -1.0, 1.0, -1.0, -1.0, -1.0, 1.0, -1.0, 1.0, -1.0, 1.0, 1.0]);
    /// let r = net.recall_batch(&probes)?;
    /// for b in 0..3 { assert_eq!(r.states.column(b), patterns.column(0)); }
    /// assert_eq!(r.steps[0], 0); // the stored pattern does not move
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn recall_batch(&self, probes: &DMatrix<T>) -> Result<BatchRecall<T>> {
        check_pm1("Hopfield::recall_batch", "probes", self.n(), probes)?;
        Ok(self.sync_batch(probes.clone()))
    }

    /// Asynchronous recall: sweeps over the units in a fresh random order (drawn from `rng`)
    /// each sweep, each visited unit taking `sᵢ ← sign(hᵢ)` at once (ties keep their state),
    /// until a fixed point or `max_sweeps` sweeps.
    ///
    /// Before each sweep the state is tested for a fixed point (O(N) with the kept fields), so
    /// `steps` counts the sweeps that changed the state. With `W` symmetric and a zero
    /// diagonal the energy never increases: the trace is non-increasing and every flip lowers
    /// `E` by `2|hᵢ|`.
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::{DMatrix, DVector};
    /// use rand::SeedableRng;
    /// use recurrent::hopfield::{Hopfield, Rule};
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
    /// let x = DMatrix::<f32>::from_column_slice(4, 1, &[1.0, -1.0, 1.0, 1.0]);
    /// let net = Hopfield::from_patterns(&x, Rule::Storkey)?;
    /// let r = net.recall_async(&DVector::from_column_slice(&[1.0, -1.0, 1.0, -1.0]), &mut rng)?;
    /// assert!(r.converged());
    /// assert_eq!(r.state, x.column(0));
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Hopfield::recall_sync`].
    pub fn recall_async<R: Rng + ?Sized>(
        &self,
        probe: &DVector<T>,
        rng: &mut R,
    ) -> Result<Recall<T>> {
        self.check_state("Hopfield::recall_async", "probe", probe)?;
        let mut s = probe.clone();
        let mut h = self.field_unchecked(&s);
        let mut order: Vec<usize> = (0..self.n()).collect();
        let (steps, outcome, trace) =
            self.async_with_fields(s.as_mut_slice(), h.as_mut_slice(), &mut order, rng);
        Ok(Recall {
            state: s,
            steps,
            outcome,
            energy: *trace.last().unwrap_or(&T::zero()),
            energy_trace: trace,
        })
    }

    /// Asynchronous recall of each column of `probes`, one after another, as
    /// [`Hopfield::recall_async`] does for one probe (each probe draws its own orders from
    /// `rng`, in column order); the starting fields of all probes come from one matrix product.
    ///
    /// # Errors
    ///
    /// As [`Hopfield::recall_batch`].
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use rand::SeedableRng;
    /// use recurrent::hopfield::{Hopfield, Rule};
    /// let x = DMatrix::<f64>::from_column_slice(6, 1, &[1.0, -1.0, 1.0, -1.0, 1.0, -1.0]);
    /// let net = Hopfield::from_patterns(&x, Rule::Hebbian)?;
    /// // two probes, each the pattern with one unit flipped
    /// let mut probes = DMatrix::from_fn(6, 2, |i, _| x[(i, 0)]);
    /// probes[(0, 0)] = -1.0;
    /// probes[(3, 1)] = 1.0;
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
    /// let r = net.recall_async_batch(&probes, &mut rng)?;
    /// assert_eq!(r.len(), 2);
    /// assert_eq!(r.states.column(0), x.column(0));
    /// assert_eq!(r.states.column(1), x.column(0));
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn recall_async_batch<R: Rng + ?Sized>(
        &self,
        probes: &DMatrix<T>,
        rng: &mut R,
    ) -> Result<BatchRecall<T>> {
        check_pm1("Hopfield::recall_async_batch", "probes", self.n(), probes)?;
        let (n, b) = probes.shape();
        let mut s = probes.clone();
        let mut h = self.fields_batch(&s);
        let mut order: Vec<usize> = (0..n).collect();
        let mut steps = Vec::with_capacity(b);
        let mut outcomes = Vec::with_capacity(b);
        let mut traces = Vec::with_capacity(b);
        for c in 0..b {
            let mut sc = s.column_mut(c);
            let mut hc = h.column_mut(c);
            // a fresh identity order per probe, so a batch of one equals recall_async
            for (k, o) in order.iter_mut().enumerate() {
                *o = k;
            }
            let (st, out, tr) =
                self.async_with_fields(sc.as_mut_slice(), hc.as_mut_slice(), &mut order, rng);
            steps.push(st);
            outcomes.push(out);
            traces.push(tr);
        }
        Ok(BatchRecall {
            states: s,
            steps,
            outcomes,
            energy_traces: traces,
        })
    }

    /// Asynchronous sweeps from state `s` with fields `h`: returns (sweeps that changed the
    /// state, outcome, energy trace).
    fn async_with_fields<R: Rng + ?Sized>(
        &self,
        s: &mut [T],
        h: &mut [T],
        order: &mut [usize],
        rng: &mut R,
    ) -> (usize, Outcome, Vec<T>) {
        let theta = self.thresholds.as_slice();
        let mut trace = vec![energy_from_field(s, h, theta)];
        let mut steps = 0;
        let mut outcome = Outcome::MaxSteps;
        loop {
            if stable(s, h, self.tie_tolerance) {
                outcome = Outcome::FixedPoint;
                break;
            }
            if steps == self.max_sweeps {
                break;
            }
            order.shuffle(rng);
            self.sweep_with_fields(s, h, order);
            steps += 1;
            trace.push(energy_from_field(s, h, theta));
        }
        (steps, outcome, trace)
    }

    /// One asynchronous sweep visiting the units in the given `order` (each visited unit
    /// takes `sᵢ ← sign(hᵢ)` at once, ties keep their state); returns the number of flips.
    ///
    /// The building block of [`Hopfield::recall_async`], exposed to replay a known visiting
    /// order (the golden tests do) or to watch recall step by step. `order` may omit or
    /// repeat units.
    ///
    /// # Errors
    ///
    /// As [`Hopfield::recall_sync`], and [`Error::InvalidParameter`] for an index `≥ N` in
    /// `order`.
    pub fn sweep_async(&self, state: &mut DVector<T>, order: &[usize]) -> Result<usize> {
        self.check_state("Hopfield::sweep_async", "state", state)?;
        if let Some(&i) = order.iter().find(|&&i| i >= self.n()) {
            return Err(Error::invalid(
                "order",
                format!("unit {i} is out of range for N = {}", self.n()),
            ));
        }
        let mut h = self.field_unchecked(state);
        Ok(self.sweep_with_fields(state.as_mut_slice(), h.as_mut_slice(), order))
    }

    /// One synchronous update `s ← sign(W s − θ)` (ties keep their state).
    ///
    /// # Errors
    ///
    /// As [`Hopfield::recall_sync`].
    pub fn step_sync(&self, state: &DVector<T>) -> Result<DVector<T>> {
        self.check_state("Hopfield::step_sync", "state", state)?;
        let h = self.field_unchecked(state);
        let tol = self.tie_tolerance;
        Ok(DVector::from_iterator(
            self.n(),
            state
                .iter()
                .zip(h.iter())
                .map(|(&s, &hi)| if s * hi < -tol { -s } else { s }),
        ))
    }

    /// The asynchronous sweep over `order` with fields `h` kept up to date; returns flips.
    fn sweep_with_fields(&self, s: &mut [T], h: &mut [T], order: &[usize]) -> usize {
        let n = s.len();
        let w = self.weights.as_slice();
        let tol = self.tie_tolerance;
        let two: T = lit(2.0);
        let mut flips = 0;
        for &i in order {
            if s[i] * h[i] < -tol {
                s[i] = -s[i];
                flips += 1;
                let d = two * s[i];
                // W is symmetric: column i is row i, contiguous in column-major storage.
                let col = &w[i * n..(i + 1) * n];
                for (hk, &wk) in h.iter_mut().zip(col) {
                    *hk += d * wk;
                }
            }
        }
        flips
    }

    /// `H[:, c] += 2 sᵢ W[:, i]` for every flipped unit `i` of every updated column `c` (the
    /// sparse product `W·ΔS`). Rows are processed in tiles so the touched part of `H` stays in
    /// cache, and flips are grouped by unit so each piece of `W` is read once per tile.
    fn add_flips(
        &self,
        h: &mut DMatrix<T>,
        s: &DMatrix<T>,
        updated: &[usize],
        flips: &[Vec<usize>],
    ) {
        const ROWS: usize = 256;
        let n = self.n();
        let two: T = lit(2.0);
        let mut pairs: Vec<(usize, usize, T)> = updated
            .iter()
            .flat_map(|&c| flips[c].iter().map(move |&i| (i, c)))
            .map(|(i, c)| (i, c, two * s[(i, c)]))
            .collect();
        pairs.sort_unstable_by_key(|&(i, c, _)| (i, c));
        let w = self.weights.as_slice();
        let hs = h.as_mut_slice();
        let mut r0 = 0;
        while r0 < n {
            let r1 = (r0 + ROWS).min(n);
            for &(i, c, d) in &pairs {
                let wcol = &w[i * n + r0..i * n + r1];
                let hcol = &mut hs[c * n + r0..c * n + r1];
                for (hk, &wk) in hcol.iter_mut().zip(wcol) {
                    *hk += d * wk;
                }
            }
            r0 = r1;
        }
    }

    /// Synchronous recall of validated `±1` columns.
    fn sync_batch(&self, mut s: DMatrix<T>) -> BatchRecall<T> {
        let (n, b) = s.shape();
        let tol = self.tie_tolerance;
        let theta = self.thresholds.as_slice();
        let mut h = self.fields_batch(&s);
        let mut prev = s.clone();
        let mut steps = vec![0usize; b];
        let mut outcomes = vec![Outcome::MaxSteps; b];
        let mut traces: Vec<Vec<T>> = (0..b)
            .map(|c| {
                vec![energy_from_field(
                    s.column(c).as_slice(),
                    h.column(c).as_slice(),
                    theta,
                )]
            })
            .collect();
        let mut flips: Vec<Vec<usize>> = vec![Vec::new(); b];
        let mut active: Vec<usize> = (0..b).collect();
        let mut sweeps = 0;
        while !active.is_empty() && sweeps < self.max_sweeps {
            sweeps += 1;
            let mut moving = Vec::with_capacity(active.len());
            let mut updated = Vec::with_capacity(active.len());
            let mut total = 0;
            for &c in &active {
                let f = &mut flips[c];
                f.clear();
                {
                    let sc = s.column(c);
                    let hc = h.column(c);
                    for i in 0..n {
                        if sc[i] * hc[i] < -tol {
                            f.push(i);
                        }
                    }
                }
                if f.is_empty() {
                    outcomes[c] = Outcome::FixedPoint;
                    continue;
                }
                // Does the new state equal the one before the current (a 2-cycle)?
                let cycle = {
                    let (sc, pc) = (s.column(c), prev.column(c));
                    let mut k = 0;
                    (0..n).all(|i| {
                        let flipped = k < f.len() && f[k] == i;
                        if flipped {
                            k += 1;
                        }
                        let new = if flipped { -sc[i] } else { sc[i] };
                        new == pc[i]
                    })
                };
                prev.column_mut(c).copy_from(&s.column(c));
                for &i in f.iter() {
                    s[(i, c)] = -s[(i, c)];
                }
                steps[c] += 1;
                total += f.len();
                updated.push(c);
                if cycle {
                    outcomes[c] = Outcome::Cycle { period: 2 };
                } else {
                    moving.push(c);
                }
            }
            // H ← H + W·ΔS for the updated columns: dense product when many bits flipped.
            if !updated.is_empty() {
                if 4 * total > n * updated.len() {
                    let mut g = DMatrix::zeros(n, updated.len());
                    for (k, &c) in updated.iter().enumerate() {
                        g.column_mut(k).copy_from(&s.column(c));
                    }
                    let hg = self.fields_batch(&g);
                    for (k, &c) in updated.iter().enumerate() {
                        h.column_mut(c).copy_from(&hg.column(k));
                    }
                } else {
                    self.add_flips(&mut h, &s, &updated, &flips);
                }
                for &c in &updated {
                    traces[c].push(energy_from_field(
                        s.column(c).as_slice(),
                        h.column(c).as_slice(),
                        theta,
                    ));
                }
            }
            active = moving;
        }
        // Probes still moving when the cap was hit may have just reached a fixed point.
        for &c in &active {
            if stable(s.column(c).as_slice(), h.column(c).as_slice(), tol) {
                outcomes[c] = Outcome::FixedPoint;
            }
        }
        BatchRecall {
            states: s,
            steps,
            outcomes,
            energy_traces: traces,
        }
    }
}

/// A Hopfield network is autonomous (`n_input = 0`): the input sequence only gives the
/// number of synchronous steps `T` and the batch `B`. The state after each step is also the
/// output. The default initial state is all `+1`.
impl<T: Real> Recurrent for Hopfield<T> {
    type Scalar = T;

    fn n_input(&self) -> usize {
        0
    }

    fn n_state(&self) -> usize {
        self.n()
    }

    fn n_output(&self) -> usize {
        self.n()
    }

    fn initial_state(&self, batch: usize) -> DMatrix<T> {
        DMatrix::from_element(self.n(), batch, T::one())
    }

    /// Runs `inputs.steps()` synchronous updates (each one matrix product for the batch).
    ///
    /// # Errors
    ///
    /// [`Error::DimensionMismatch`] if `inputs` has rows (it must be `0 × (T·B)`) or
    /// `initial` is not `N × B`; [`Error::InvalidParameter`] if `initial` holds values other
    /// than ±1, or if the `N × T·B` states are too large to allocate.
    fn run(&self, inputs: &Sequence<T>, initial: Option<&DMatrix<T>>) -> Result<Run<T>> {
        let op = "Hopfield::run";
        let cols = inputs.as_matrix().ncols();
        check_shape(op, "inputs", (0, cols), inputs.as_matrix().shape())?;
        let (b, steps) = (inputs.batch(), inputs.steps());
        let n = self.n();
        // A 0-row input costs nothing however many columns it has: the sizes are checked
        // before anything of size N × B or N × T·B is allocated.
        let mut s = match initial {
            Some(m) => {
                check_shape(op, "initial", (n, b), m.shape())?;
                check_pm1(op, "initial", n, m)?;
                m.clone()
            }
            None => {
                let mut s = super::builder::zeros(n, b, "inputs")?;
                s.fill(T::one());
                s
            }
        };
        let mut states = super::builder::zeros(n, cols, "inputs")?;
        let mut outputs = super::builder::zeros(n, cols, "inputs")?;
        let tol = self.tie_tolerance;
        for t in 0..steps {
            let h = self.fields_batch(&s);
            s.zip_apply(&h, |si, hi| {
                if *si * hi < -tol {
                    *si = -*si;
                }
            });
            states.columns_mut(t * b, b).copy_from(&s);
        }
        outputs.copy_from(&states);
        Ok(Run {
            states: Sequence::new(states, b)?,
            outputs: Sequence::new(outputs, b)?,
        })
    }
}

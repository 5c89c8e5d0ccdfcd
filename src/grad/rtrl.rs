//! Real-time recurrent learning (Williams & Zipser 1989): forward-mode sensitivities.

use super::bptt::{Batch, Gradient};
use super::loss::{Loss, Reduction};
use crate::error::{Error, Result, check_shape};
use crate::kernel;
use crate::net::Net;
use crate::scalar::Real;
use crate::sequence::Sequence;
use crate::traits::{Cell, Parameters, Step};
use nalgebra::{DMatrix, DMatrixView, DVectorViewMut};

/// Real-time recurrent learning for any [`Cell`], one step at a time: after every step the
/// gradient of *that step's* loss is available, so the weights can be updated online.
///
/// For every batch column the workspace carries the sensitivity matrix
///
/// `P⟨t⟩ = ∂state⟨t⟩/∂θ` (`n_state × n_params`), updated every step by
/// `P⟨t⟩ = J⟨t⟩·P⟨t−1⟩ + I⟨t⟩`, `P⟨0⟩ = 0`,
///
/// where `J⟨t⟩ = ∂state⟨t⟩/∂state⟨t−1⟩` and `I⟨t⟩ = ∂state⟨t⟩/∂θ` with `state⟨t−1⟩` held fixed,
/// both from [`Cell::jacobians`]. Beside it, `Q⟨t⟩ = ∂state⟨t⟩/∂state⟨0⟩` (`Q⟨0⟩ = 1`, the
/// identity) rides along as `n_state` extra columns, so the update is **one** matrix product
/// `[P | Q]⟨t⟩ = J⟨t⟩·[P | Q]⟨t−1⟩ + [I⟨t⟩ | 0]` per step and column.
///
/// The gradient of the loss `L_t` of step `t` is then, with
/// `δ = ∂L_t/∂state⟨t−1⟩` and `∂L_t/∂θ|direct` given by one vector–Jacobian product
/// ([`Cell::step_backward`]) of step `t` with `∂L_t/∂y⟨t⟩` and no gradient from later steps:
///
/// `dL_t/dθ = ∂L_t/∂θ|direct + P⟨t−1⟩ᵀ·δ`, `dL_t/dstate⟨0⟩ = Q⟨t−1⟩ᵀ·δ`.
///
/// Summed over a sequence with the weights held fixed, these are exactly BPTT's gradient
/// ([`rtrl`] does that sum). When the weights change between steps (real-time learning),
/// the sensitivities are carried over unchanged, which is Williams & Zipser's approximation:
/// exact in the limit of a small learning rate.
///
/// # Examples
///
/// ```
/// use recurrent::prelude::*;
/// use recurrent::grad::{Loss, Rtrl};
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(7);
/// let mut net = Elman::<f64>::builder(1, 4, 1).build(&mut rng)?;
/// let mut online = Rtrl::new(&net, 1)?;
/// let (x, d) = (DMatrix::from_element(1, 1, 0.5), DMatrix::from_element(1, 1, 0.2));
/// let mut first = 0.0;
/// for t in 0..200 {
///     let loss = online.step(&net, x.as_view(), d.as_view(), Loss::sum_squared())?;
///     if t == 0 { first = loss; }
///     // a real-time weight update with this step's gradient
///     let g = online.grad().to_vec();
///     for (w, g) in net.params_mut().iter_mut().zip(&g) { *w -= 0.1 * g; }
/// }
/// let last = online.step(&net, x.as_view(), d.as_view(), Loss::sum_squared())?;
/// assert!(last < first);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Complexity
///
/// With `N` state units and `P ≈ N²` parameters (an Elman cell): `O(N²·P) = O(N⁴)` time per
/// step and column for the sensitivity update (one GEMM), so `O(T·N⁴)` over `T` steps;
/// memory `O(N·P) = O(N³)` per column: two sensitivity buffers (the old and the new) and the
/// Jacobians, **independent of `T`**. The lecture writes `O(T·N³)` memory for RTRL, but
/// nothing in the recursion is kept per step: `P⟨t−1⟩` is overwritten by `P⟨t⟩`. That is the
/// point of RTRL against BPTT, whose `O(T·N)` stored states grow with the sequence.
///
/// Columns of `[P | Q]` that are still zero in every batch column (the read-out weights'
/// columns always are: they never reach the state) are skipped by the product and the
/// gradient contraction, which is exact. For `f64` on a CPU with AVX-512F or AVX2 + FMA the
/// product runs in a register-blocked kernel, elsewhere through nalgebra's GEMM; with the
/// feature `threads` and `MATMUL_NUM_THREADS` ≥ 2, a step of at least 2 MFLOP splits its
/// columns over two threads.
///
/// # References
///
/// [^1]: R. J. Williams and D. Zipser (1989), "A learning algorithm for continually running
///   fully recurrent neural networks", Neural Computation 1(2), 270–280.
#[derive(Clone, Debug)]
pub struct Rtrl<T: Real> {
    n_input: usize,
    n_state: usize,
    n_output: usize,
    n_params: usize,
    batch: usize,
    steps: usize,
    prev: DMatrix<T>,
    state: DMatrix<T>,
    output: DMatrix<T>,
    cache: DMatrix<T>,
    scratch: DMatrix<T>,
    zeros: DMatrix<T>,
    /// `[P_b | Q_b]` for each column `b`: `n_state × (n_params + n_state)·B`.
    sens: DMatrix<T>,
    sens_next: DMatrix<T>,
    j_state: DMatrix<T>,
    work: Vec<T>,
    pack: Vec<f64>,
    /// Columns of `[P | Q]` that are zero in every batch column so far (structurally zero
    /// ones, like those of read-out weights, stay here), and the runs of the others.
    dead: Vec<usize>,
    live: Vec<std::ops::Range<usize>>,
    target: Sequence<T>,
    d_out: DMatrix<T>,
    d_prev: DMatrix<T>,
    grad: Vec<T>,
    d_initial: DMatrix<T>,
}

impl<T: Real> Rtrl<T> {
    /// Buffers for `cell` and `batch` columns, starting from [`Cell::initial_state`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] if `batch` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use recurrent::prelude::*;
    /// use recurrent::grad::Rtrl;
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
    /// let net = Elman::<f64>::builder(2, 5, 1).build(&mut rng)?;
    /// let rtrl = Rtrl::new(&net, 4)?; // 4 streams side by side
    /// assert_eq!(rtrl.steps(), 0);
    /// assert_eq!(rtrl.grad().len(), net.n_params());
    /// assert!(Rtrl::new(&net, 0).is_err());
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn new<C: Cell<Scalar = T>>(net: &Net<C>, batch: usize) -> Result<Self> {
        let cell = net.cell();
        if batch == 0 {
            return Err(Error::invalid("batch", "must be at least 1"));
        }
        let (i, n, o, p) = (
            cell.n_input(),
            cell.n_state(),
            cell.n_output(),
            cell.n_params(),
        );
        let w = p + n;
        let mut r = Self {
            n_input: i,
            n_state: n,
            n_output: o,
            n_params: p,
            batch,
            steps: 0,
            prev: DMatrix::zeros(n, batch),
            state: DMatrix::zeros(n, batch),
            output: DMatrix::zeros(o, batch),
            cache: DMatrix::zeros(cell.n_cache(), batch),
            scratch: DMatrix::zeros(cell.n_scratch(), batch),
            zeros: DMatrix::zeros(n, batch),
            sens: DMatrix::zeros(n, w * batch),
            sens_next: DMatrix::zeros(n, w * batch),
            j_state: DMatrix::zeros(n, n),
            work: Vec::new(),
            pack: Vec::new(),
            dead: Vec::new(),
            live: Vec::new(),
            target: Sequence::zeros(o, 1, 1),
            d_out: DMatrix::zeros(o, batch),
            d_prev: DMatrix::zeros(n, batch),
            grad: vec![T::zero(); p],
            d_initial: DMatrix::zeros(n, batch),
        };
        r.restart(cell.initial_state(batch).as_view());
        Ok(r)
    }

    /// Starts a new sequence from `initial` (`n_state × B`), or from the cell's
    /// [`Cell::initial_state`] if `None`: `P⟨0⟩ = 0`, `Q⟨0⟩ = 1`.
    ///
    /// # Errors
    ///
    /// [`Error::DimensionMismatch`] if `cell` has other sizes than the one the buffers were made
    /// for or `initial` is not `n_state × B`; [`Error::NonFinite`] for a non-finite initial
    /// state (index = element).
    pub fn reset<C: Cell<Scalar = T>>(
        &mut self,
        net: &Net<C>,
        initial: Option<&DMatrix<T>>,
    ) -> Result<()> {
        let op = "Rtrl::reset";
        let cell = net.cell();
        self.check_cell(op, cell)?;
        match initial {
            Some(a0) => {
                check_shape(op, "initial state", (self.n_state, self.batch), a0.shape())?;
                crate::error::check_finite(op, "initial state", a0.iter())?;
                self.restart(a0.as_view());
            }
            None => self.restart(cell.initial_state(self.batch).as_view()),
        }
        Ok(())
    }

    fn restart(&mut self, initial: DMatrixView<'_, T>) {
        let (n, p) = (self.n_state, self.n_params);
        self.steps = 0;
        self.state.copy_from(&initial);
        self.dead.clear();
        self.dead.extend(0..p);
        self.live.clear();
        self.live.push(p..p + n);
        self.sens.fill(T::zero());
        for b in 0..self.batch {
            let base = b * (p + n) + p;
            for k in 0..n {
                self.sens[(k, base + k)] = T::one();
            }
        }
    }

    /// `Err(DimensionMismatch)` naming the first size in which `cell` differs from the cell
    /// the buffers were made for.
    fn check_cell<C: Cell<Scalar = T>>(&self, op: &'static str, cell: &C) -> Result<()> {
        let sizes: [(&'static str, usize, usize); 6] = [
            (
                "cell n_input (buffers' vs given)",
                self.n_input,
                cell.n_input(),
            ),
            (
                "cell n_state (buffers' vs given)",
                self.n_state,
                cell.n_state(),
            ),
            (
                "cell n_output (buffers' vs given)",
                self.n_output,
                cell.n_output(),
            ),
            (
                "cell n_params (buffers' vs given)",
                self.n_params,
                cell.n_params(),
            ),
            (
                "cell n_cache (buffers' vs given)",
                self.cache.nrows(),
                cell.n_cache(),
            ),
            (
                "cell n_scratch (buffers' vs given)",
                self.scratch.nrows(),
                cell.n_scratch(),
            ),
        ];
        for (what, want, got) in sizes {
            check_shape(op, what, (want, 1), (got, 1))?;
        }
        Ok(())
    }

    /// Runs one step on `x⟨t⟩` (`n_input × B`), scores the output against `target`
    /// (`n_output × B`) and returns this step's loss `L_t`; its gradient `dL_t/dθ` is then in
    /// [`Rtrl::grad`] and `dL_t/dstate⟨0⟩` in [`Rtrl::d_initial`].
    ///
    /// `L_t` is `loss` applied to the `B` columns of this one step: under
    /// [`Reduction::Mean`] it is the mean over the columns, under [`Reduction::Sum`] their sum.
    /// (The whole-sequence [`rtrl`] weights the steps so that their sum is the sequence loss.)
    ///
    /// # Errors
    ///
    /// [`Error::DimensionMismatch`] for a cell of other sizes than the buffers' or wrongly
    /// shaped `x` or `target`; [`Error::NonFinite`] for non-finite inputs or targets, or when
    /// the outputs, the loss or the gradient become non-finite (index = the step, counted from
    /// the last reset). After an error the workspace should be [`Rtrl::reset`].
    ///
    /// # Complexity
    ///
    /// `O(n_state²·(n_params + n_state))` per column, see [`Rtrl`].
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::grad::{Batch, Loss, Rtrl, relative_difference, rtrl};
    /// use nalgebra::DMatrix;
    /// use rand::SeedableRng;
    /// use recurrent::prelude::*;
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(8);
    /// let net = Elman::<f64>::builder(2, 3, 1).build(&mut rng)?;
    /// let x = Sequence::new(DMatrix::from_fn(2, 6, |i, t| ((i + t) as f64 * 0.7).sin()), 1)?;
    /// let d = Sequence::new(DMatrix::from_element(1, 6, 0.2), 1)?;
    /// // online: the gradient of each step's loss is ready at that step
    /// let mut online = Rtrl::new(&net, 1)?;
    /// let mut total = vec![0.0; net.n_params()];
    /// for t in 0..x.steps() {
    ///     online.step(&net, x.step(t), d.step(t), Loss::sum_squared())?;
    ///     for (a, g) in total.iter_mut().zip(online.grad()) { *a += g; }
    /// }
    /// // summed over the steps: the whole sequence's gradient
    /// let whole = rtrl(&net, Batch::new(&x, &d), Loss::sum_squared())?;
    /// assert!(relative_difference(&total, &whole.params) < 1e-12);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn step<C: Cell<Scalar = T>>(
        &mut self,
        net: &Net<C>,
        x: DMatrixView<'_, T>,
        target: DMatrixView<'_, T>,
        loss: Loss,
    ) -> Result<T> {
        let w = match loss.reduction {
            Reduction::Sum => T::one(),
            Reduction::Mean => T::one() / crate::scalar::lit(self.batch as f64),
        };
        self.step_weighted(net, x, target, loss, |_| w)
    }

    /// [`Rtrl::step`] with the loss of column `b` weighted by `weight(b)` (summed); columns of
    /// weight 0 are skipped.
    pub(crate) fn step_weighted<C: Cell<Scalar = T>>(
        &mut self,
        net: &Net<C>,
        x: DMatrixView<'_, T>,
        target: DMatrixView<'_, T>,
        loss: Loss,
        weight: impl Fn(usize) -> T,
    ) -> Result<T> {
        let op = "rtrl";
        let t = self.steps;
        let (cell, theta) = (net.cell(), net.params());
        self.check_cell(op, cell)?;
        let (n, p, b) = (self.n_state, self.n_params, self.batch);
        check_shape(op, "input", (self.n_input, b), x.shape())?;
        check_shape(
            op,
            "target",
            (loss.target_rows(self.n_output), b),
            target.shape(),
        )?;
        let non_finite = |what| Error::NonFinite { op, what, index: t };
        if x.iter().any(|v| !v.is_finite()) {
            return Err(non_finite("inputs"));
        }
        if target.iter().any(|v| !v.is_finite()) {
            return Err(non_finite("targets"));
        }
        // Forward: state⟨t−1⟩ moves to `prev`, the step writes state⟨t⟩.
        cell.check_inputs(x)?;
        std::mem::swap(&mut self.prev, &mut self.state);
        cell.step(
            theta,
            x,
            self.prev.as_view(),
            self.state.as_view_mut(),
            self.output.as_view_mut(),
            self.cache.as_view_mut(),
        );
        self.steps += 1;
        if crate::kernel::first_non_finite(self.output.as_slice()).is_some() {
            return Err(non_finite("outputs"));
        }
        // ∂L_t/∂y⟨t⟩, column by column with its weight.
        let sum = loss.with_reduction(Reduction::Sum);
        let mut total = T::zero();
        for c in 0..b {
            let wc = weight(c);
            let mut dy = self.d_out.column_mut(c);
            if wc == T::zero() {
                dy.fill(T::zero());
                continue;
            }
            if self.target.dim() != target.nrows() {
                self.target = Sequence::zeros(target.nrows(), 1, 1);
            }
            self.target.as_matrix_mut().copy_from(&target.column(c));
            let l = sum
                .evaluate(
                    self.output.columns(c, 1),
                    &self.target,
                    None,
                    self.d_out.columns_mut(c, 1),
                )
                .map_err(|e| match e {
                    Error::NonFinite { what, .. } => Error::NonFinite { op, what, index: t },
                    e => e,
                })?;
            self.d_out.column_mut(c).scale_mut(wc);
            total += wc * l;
        }
        let step = Step {
            x,
            prev: self.prev.as_view(),
            state: self.state.as_view(),
            output: self.output.as_view(),
            cache: self.cache.as_view(),
        };
        // Direct part and δ = ∂L_t/∂state⟨t−1⟩ by one vector–Jacobian product.
        self.grad.fill(T::zero());
        cell.step_backward(
            theta,
            step,
            self.zeros.as_view(),
            self.d_out.as_view(),
            self.d_prev.as_view_mut(),
            None,
            &mut self.grad,
            self.scratch.as_view_mut(),
        );
        // Through the sensitivities of the previous step: P⟨t−1⟩ᵀδ and Q⟨t−1⟩ᵀδ.
        let width = p + n;
        for c in 0..b {
            let delta = self.d_prev.column(c);
            for r in self.live.iter().filter(|r| r.start < p) {
                let end = r.end.min(p);
                let mut g = DVectorViewMut::from_slice(&mut self.grad[r.start..end], end - r.start);
                g.gemv_tr(
                    T::one(),
                    &self.sens.columns(c * width + r.start, end - r.start),
                    &delta,
                    T::one(),
                );
            }
            self.d_initial.column_mut(c).gemv_tr(
                T::one(),
                &self.sens.columns(c * width + p, n),
                &delta,
                T::zero(),
            );
        }
        if crate::kernel::first_non_finite(&self.grad).is_some() {
            return Err(non_finite("gradient"));
        }
        // Sensitivity update, [P | Q]⟨t⟩ = J⟨t⟩·[P | Q]⟨t−1⟩ + [I⟨t⟩ | 0]: the Jacobians are
        // written straight into the new buffer, then one GEMM adds J·[P | Q].
        for c in 0..b {
            let col = Step {
                x: step.x.columns(c, 1),
                prev: step.prev.columns(c, 1),
                state: step.state.columns(c, 1),
                output: step.output.columns(c, 1),
                cache: step.cache.columns(c, 1),
            };
            let mut next = self.sens_next.columns_mut(c * width, width);
            cell.jacobians(
                theta,
                col,
                self.j_state.as_view_mut(),
                next.columns_mut(0, p),
                &mut self.work,
            );
            next.columns_mut(p, n).fill(T::zero());
            // A dead column becomes live once its immediate Jacobian is nonzero; until then
            // J·P⟨t−1⟩ is zero there and the product can skip it.
            let before = self.dead.len();
            self.dead
                .retain(|&j| next.column(j).iter().all(|v| *v == T::zero()));
            if self.dead.len() != before {
                self.live = live_runs(&self.dead, width);
            }
            kernel::rtrl_product(
                &mut self.sens_next,
                &self.sens,
                &self.j_state,
                &mut self.pack,
                c * width,
                &self.live,
            );
        }
        std::mem::swap(&mut self.sens, &mut self.sens_next);
        Ok(total)
    }

    /// `dL_t/dθ` of the last [`Rtrl::step`], in the layout of [`crate::Parameters::params`].
    pub fn grad(&self) -> &[T] {
        &self.grad
    }

    /// `dL_t/dstate⟨0⟩` of the last [`Rtrl::step`], `n_state × B`.
    pub fn d_initial(&self) -> DMatrixView<'_, T> {
        self.d_initial.as_view()
    }

    /// `state⟨t⟩` after the last step (the initial state before the first), `n_state × B`.
    pub fn state(&self) -> DMatrixView<'_, T> {
        self.state.as_view()
    }

    /// `y⟨t⟩` of the last step, `n_output × B`.
    pub fn output(&self) -> DMatrixView<'_, T> {
        self.output.as_view()
    }

    /// Steps taken since the last reset.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// The current sensitivities `[P | Q]⟨t⟩ = [∂state⟨t⟩/∂θ | ∂state⟨t⟩/∂state⟨0⟩]` of batch
    /// column `b`, `n_state × (n_params + n_state)`.
    ///
    /// # Panics
    ///
    /// If `b ≥ B`.
    pub fn sensitivities(&self, b: usize) -> DMatrixView<'_, T> {
        assert!(
            b < self.batch,
            "Rtrl::sensitivities: column {b} out of range"
        );
        let w = self.n_params + self.n_state;
        self.sens.columns(b * w, w)
    }

    /// Scalars held in the sensitivity buffers (the current and the next `[P | Q]`, all
    /// columns): `2·B·n_state·(n_params + n_state)`, which does not depend on the sequence
    /// length. Multiply by `size_of::<T>()` for bytes.
    pub fn sensitivity_len(&self) -> usize {
        self.sens.len() + self.sens_next.len()
    }
}

/// The maximal runs of `0..width` not listed in the sorted `dead`.
fn live_runs(dead: &[usize], width: usize) -> Vec<std::ops::Range<usize>> {
    let mut runs = Vec::new();
    let mut start = 0;
    for &d in dead {
        if d > start {
            runs.push(start..d);
        }
        start = d + 1;
    }
    if start < width {
        runs.push(start..width);
    }
    runs
}

/// The whole-sequence gradient by real-time recurrent learning: the same [`Gradient`] as
/// [`super::bptt`] (loss, `∂L/∂θ`, `∂L/∂state⟨0⟩`), computed forward in time with the
/// sensitivities of [`Rtrl`] and the weights held fixed.
///
/// The step losses are weighted so that they sum to the sequence loss: the mask weight
/// `m_tb` divided by `Σ m` under [`Reduction::Mean`], `m_tb` under [`Reduction::Sum`].
///
/// # Examples
///
/// ```
/// use recurrent::prelude::*;
/// use recurrent::grad::{Batch, Loss, bptt, relative_difference, rtrl};
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(5);
/// let net = Elman::<f64>::builder(2, 4, 1).build(&mut rng)?;
/// let x = Sequence::new(DMatrix::from_fn(2, 6, |i, j| (i + j) as f64 * 0.2 - 0.5), 1)?;
/// let d = Sequence::new(DMatrix::from_element(1, 6, 0.3), 1)?;
/// let forward = rtrl(&net, Batch::new(&x, &d), Loss::mse())?;
/// let backward = bptt(&net, Batch::new(&x, &d), Loss::mse())?;
/// assert!(relative_difference(&forward.params, &backward.params) < 1e-12);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// As [`super::bptt`]: [`Error::Empty`] for no steps or a mask that keeps no step under
/// [`Reduction::Mean`]; [`Error::DimensionMismatch`] for inputs, targets, mask or initial state
/// that do not fit; [`Error::NonFinite`] for non-finite data, outputs, loss or gradient.
///
/// # Complexity
///
/// `O(T·N⁴)` time and `O(N³)` memory per batch column for an Elman cell of `N` hidden units
/// (see [`Rtrl`]); BPTT needs `O(T·N²)` time and `O(T·N)` memory.
pub fn rtrl<T: Real, C: Cell<Scalar = T>>(
    net: &Net<C>,
    batch: Batch<'_, T>,
    loss: Loss,
) -> Result<Gradient<T>> {
    let op = "rtrl";
    let cell = net.cell();
    let (xs, ds) = (batch.inputs, batch.targets);
    let (steps, b) = (xs.steps(), xs.batch());
    if steps == 0 {
        return Err(Error::Empty { op, what: "inputs" });
    }
    xs.validate(op, "inputs", cell.n_input(), steps, b)?;
    ds.validate(op, "targets", loss.target_rows(cell.n_output()), steps, b)?;
    let weight = loss.column_weights(op, batch.mask, steps, b)?;
    let mut ws = Rtrl::new(net, b)?;
    ws.reset(net, batch.initial)?;
    let mut out = Gradient {
        loss: T::zero(),
        params: vec![T::zero(); cell.n_params()],
        initial_state: DMatrix::zeros(cell.n_state(), b),
    };
    for t in 0..steps {
        let l = ws.step_weighted(net, xs.step(t), ds.step(t), loss, |c| weight(t * b + c))?;
        out.loss += l;
        for (acc, g) in out.params.iter_mut().zip(&ws.grad) {
            *acc += *g;
        }
        out.initial_state += &ws.d_initial;
    }
    Ok(out)
}

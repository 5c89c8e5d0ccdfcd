use crate::error::Result;
use crate::scalar::{Real, lit};
use crate::sequence::Sequence;
use crate::traits::ParamBlock;
use crate::unroll::{self, Trace};
use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};

/// Everything a cell's step reads: the step's input, the previous state, and what the forward
/// step wrote (new state, output, cache). Every view has one column per batch sample.
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// use recurrent::prelude::*;
/// use recurrent::unroll::{Trace, forward_steps};
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(2);
/// let net = Elman::<f64>::builder(2, 3, 1).build(&mut rng)?;
/// let xs = Sequence::new(DMatrix::from_fn(2, 5, |i, t| (i + t) as f64 * 0.1), 1)?;
/// let mut trace = Trace::new(net.cell(), 5, 1);
/// forward_steps(net.cell(), net.params(), &xs, &mut trace);
/// // step t = 2 (0-based) maps state⟨2⟩ to state⟨3⟩ and writes y⟨3⟩
/// let s = trace.step(2, xs.step(2));
/// assert_eq!(s.prev, trace.state(2));
/// assert_eq!(s.state, trace.state(3));
/// assert_eq!(s.output, trace.output(3));
/// assert_eq!(s.x.shape(), (2, 1));
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Step<'a, T: Real> {
    /// `x⟨t⟩`, `n_input × B`.
    pub x: DMatrixView<'a, T>,
    /// `state⟨t−1⟩`, `n_state × B`.
    pub prev: DMatrixView<'a, T>,
    /// `state⟨t⟩`, `n_state × B`.
    pub state: DMatrixView<'a, T>,
    /// `y⟨t⟩`, `n_output × B`.
    pub output: DMatrixView<'a, T>,
    /// What the forward step cached, `n_cache × B`.
    pub cache: DMatrixView<'a, T>,
}

/// One differentiable time step of a recurrent layer, as maths only:
///
/// `state⟨t⟩, y⟨t⟩ = F_θ(state⟨t−1⟩, x⟨t⟩)`
///
/// The cell holds its sizes and fixed settings (activations, decay constants); the parameters
/// θ are **not** stored in the cell but handed to every method as a flat slice laid out as
/// [`Cell::param_blocks`] says. A [`crate::Net`] owns one θ next to one cell, and a model made
/// of parts ([`crate::net::Stack`]: embedding lookup → cell → output layer) hands each part its
/// slice of the one θ, so BPTT, truncated BPTT, RTRL, the gradient check, the optimisers and the
/// trainer see one flat vector whatever the model is made of. Unrolled over `T` steps, the same
/// cell with the same θ is applied at every step: the lecture's picture of an RNN as one cell
/// with shared weights.
///
/// A cell provides the forward step and its vector–Jacobian product (the backward step).
/// From these two alone the crate's generic algorithms give every cell back-propagation
/// through time ([`crate::grad::bptt`]), the finite-difference gradient check
/// ([`crate::grad::check`]) and, through the provided [`Cell::jacobians`], real-time recurrent
/// learning ([`crate::grad::rtrl`]). A cell defined outside the crate gets all of them.
///
/// # What "output" means
///
/// `y⟨t⟩` is whatever the cell exposes to a loss or to the next layer at step `t`: Elman and
/// Jordan cells have a read-out `y = g(W_ya a + b_y)`; a cell without a read-out (an LSTM, a
/// GRU, or an Elman layer inside a [`crate::net::Stack`]) exposes its hidden state, so
/// `n_output` is the size of that hidden vector and `y⟨t⟩` is a copy of (part of) the state.
/// Gradients reach the state both through `d_output` and through `d_state`; a cell whose output
/// is its state must add the two.
///
/// # Contract
///
/// * Views hold one column per batch sample (a batch of `B` sequences is `B` columns).
/// * `theta` has [`Cell::n_params`] entries in the order of [`Cell::param_blocks`].
/// * [`Cell::step`] writes `state`, `output` and `cache` and reads nothing but its inputs and
///   θ. It should not allocate per call if it is to be fast.
/// * [`Cell::step_backward`] is the exact vector–Jacobian product of `step`: given
///   `d_state = ∂L/∂state⟨t⟩` (through later steps) and `d_output = ∂L/∂y⟨t⟩`, it **writes**
///   `d_prev = ∂L/∂state⟨t−1⟩`, **writes** `∂L/∂x⟨t⟩` into `d_input` when one is given (a
///   layer in front needs it, e.g. an embedding lookup), and **adds** this step's `∂L/∂θ` into
///   `grad` (layout of θ).
/// * [`Cell::forward_seq`] and [`Cell::backward_seq`] run whole sequences. Their provided
///   versions loop over the steps ([`crate::unroll::forward_steps`],
///   [`crate::unroll::backward_steps`]); a cell may override them, through the public
///   [`Trace`] views, with a faster schedule (e.g. one matrix product over all steps for the
///   input projection) that computes the same numbers.
///
/// Sizes are trusted: the step methods are the inner loop and do not check shapes. The
/// checked entry points ([`crate::Recurrent::run`], [`crate::grad::bptt`], …) validate the
/// data against the sizes, and [`Cell::check_inputs`] for anything more.
///
/// # Examples
///
/// A user's cell writes only its maths: here `a⟨t⟩ = tanh(w·a⟨t−1⟩ + x⟨t⟩)` with one scalar
/// weight, checked against finite differences.
///
/// ```
/// use recurrent::prelude::*;
/// use recurrent::Net;
/// use recurrent::grad::{Batch, CheckOptions, Loss, check};
/// use recurrent::traits::{ParamBlock, Step};
/// use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};
///
/// #[derive(Clone, Debug)]
/// struct Scalar;
///
/// impl Cell for Scalar {
///     type Scalar = f64;
///     fn n_input(&self) -> usize { 1 }
///     fn n_state(&self) -> usize { 1 }
///     fn n_output(&self) -> usize { 1 }
///     fn param_blocks(&self) -> Vec<ParamBlock> { ParamBlock::layout(&[("w", 1, 1)]) }
///     fn step(&self, theta: &[f64], x: DMatrixView<'_, f64>, prev: DMatrixView<'_, f64>,
///             mut state: DMatrixViewMut<'_, f64>, mut output: DMatrixViewMut<'_, f64>,
///             _cache: DMatrixViewMut<'_, f64>) {
///         for b in 0..x.ncols() {
///             state[(0, b)] = (theta[0] * prev[(0, b)] + x[(0, b)]).tanh();
///             output[(0, b)] = state[(0, b)];
///         }
///     }
///     fn step_backward(&self, theta: &[f64], step: Step<'_, f64>,
///                      d_state: DMatrixView<'_, f64>, d_output: DMatrixView<'_, f64>,
///                      mut d_prev: DMatrixViewMut<'_, f64>,
///                      d_input: Option<DMatrixViewMut<'_, f64>>, grad: &mut [f64],
///                      _scratch: DMatrixViewMut<'_, f64>) {
///         let mut d_input = d_input;
///         for b in 0..step.x.ncols() {
///             let a = step.state[(0, b)];
///             let dz = (d_state[(0, b)] + d_output[(0, b)]) * (1.0 - a * a);
///             d_prev[(0, b)] = theta[0] * dz;
///             grad[0] += dz * step.prev[(0, b)];
///             if let Some(dx) = d_input.as_mut() { dx[(0, b)] = dz; }
///         }
///     }
/// }
///
/// let net = Net::new(Scalar, vec![0.7])?;
/// let x = Sequence::new(DMatrix::from_row_slice(1, 4, &[0.5, -0.2, 0.1, 0.3]), 1)?;
/// let d = Sequence::new(DMatrix::from_element(1, 4, 0.2), 1)?;
/// let report = check(&net, Batch::new(&x, &d), Loss::mse(), CheckOptions::default())?;
/// assert!(report.max_rel_error < 1e-7);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Panics
///
/// The step methods may panic if given views of the wrong shape or a θ of the wrong length (a
/// programmer error, not user input: the checked entry points validate shapes first).
#[allow(clippy::too_many_arguments)]
pub trait Cell {
    /// The scalar type of θ, states, inputs and outputs.
    type Scalar: Real;

    /// Rows of an input column, `n_input`.
    fn n_input(&self) -> usize;

    /// Rows of a state column, `n_state`.
    fn n_state(&self) -> usize;

    /// Rows of an output column, `n_output` (see "What output means" above).
    fn n_output(&self) -> usize;

    /// The named blocks θ is made of, in order, covering `0..n_params` exactly (usually
    /// [`ParamBlock::layout`] of the cell's shapes).
    fn param_blocks(&self) -> Vec<ParamBlock>;

    /// Number of parameters, the length of θ (default: the end of the last block).
    fn n_params(&self) -> usize {
        self.param_blocks()
            .iter()
            .map(|b| b.offset + b.len())
            .max()
            .unwrap_or(0)
    }

    /// Rows per batch column that [`Cell::step`] caches for the backward step (default 0).
    fn n_cache(&self) -> usize {
        0
    }

    /// Rows per batch column of scratch space [`Cell::step_backward`] may use (default 0).
    fn n_scratch(&self) -> usize {
        0
    }

    /// The state a sequence starts from, `n_state × batch` (default: zeros).
    fn initial_state(&self, batch: usize) -> DMatrix<Self::Scalar> {
        DMatrix::zeros(self.n_state(), batch)
    }

    /// Checks input data beyond its shape, before a checked entry point runs the cell
    /// (default: nothing more to check). An embedding lookup checks here that every input is a
    /// token index it has a row for.
    ///
    /// # Errors
    ///
    /// Whatever the cell finds wrong with `xs` (`n_input × T·B`, or the `n_input × B` of one
    /// step), usually [`crate::Error::InvalidParameter`].
    fn check_inputs(&self, xs: DMatrixView<'_, Self::Scalar>) -> Result<()> {
        let _ = xs;
        Ok(())
    }

    /// Forward step: writes `state⟨t⟩`, `y⟨t⟩` and the cache from `x⟨t⟩` and `state⟨t−1⟩`.
    fn step(
        &self,
        theta: &[Self::Scalar],
        x: DMatrixView<'_, Self::Scalar>,
        prev: DMatrixView<'_, Self::Scalar>,
        state: DMatrixViewMut<'_, Self::Scalar>,
        output: DMatrixViewMut<'_, Self::Scalar>,
        cache: DMatrixViewMut<'_, Self::Scalar>,
    );

    /// Backward step (vector–Jacobian product of [`Cell::step`]): writes `d_prev`, writes
    /// `∂L/∂x⟨t⟩` into `d_input` if given, and adds this step's `∂L/∂θ` into `grad`.
    /// `scratch` has [`Cell::n_scratch`] rows.
    fn step_backward(
        &self,
        theta: &[Self::Scalar],
        step: Step<'_, Self::Scalar>,
        d_state: DMatrixView<'_, Self::Scalar>,
        d_output: DMatrixView<'_, Self::Scalar>,
        d_prev: DMatrixViewMut<'_, Self::Scalar>,
        d_input: Option<DMatrixViewMut<'_, Self::Scalar>>,
        grad: &mut [Self::Scalar],
        scratch: DMatrixViewMut<'_, Self::Scalar>,
    );

    /// Runs the forward pass over `xs` from the initial state already in `trace`
    /// ([`Trace::set_initial`]), filling every state, output and cache of `trace`.
    ///
    /// The provided version calls [`Cell::step`] once per step
    /// ([`crate::unroll::forward_steps`]).
    fn forward_seq(
        &self,
        theta: &[Self::Scalar],
        xs: &Sequence<Self::Scalar>,
        trace: &mut Trace<Self::Scalar>,
    ) where
        Self: Sized,
    {
        unroll::forward_steps(self, theta, xs, trace);
    }

    /// Runs the backward pass over a forward pass recorded in `trace`: given
    /// `d_outputs = ∂L/∂y⟨t⟩` for every step (`n_output × T·B`) and the gradient flowing into
    /// the last state (the last block of [`Trace::d_states_mut`], zero unless the caller set
    /// it), fills every `∂L/∂state⟨t⟩` in `trace` (block 0 is the initial state's gradient),
    /// writes `∂L/∂x⟨t⟩` for every step into `d_inputs` (`n_input × T·B`) if given, and adds
    /// `∂L/∂θ` into `grad`.
    ///
    /// The provided version calls [`Cell::step_backward`] from the last step to the first
    /// ([`crate::unroll::backward_steps`]).
    fn backward_seq(
        &self,
        theta: &[Self::Scalar],
        xs: &Sequence<Self::Scalar>,
        d_outputs: DMatrixView<'_, Self::Scalar>,
        trace: &mut Trace<Self::Scalar>,
        grad: &mut [Self::Scalar],
        d_inputs: Option<DMatrixViewMut<'_, Self::Scalar>>,
    ) where
        Self: Sized,
    {
        unroll::backward_steps(self, theta, xs, d_outputs, trace, grad, d_inputs);
    }

    /// The Jacobians of one step for one batch column, as real-time recurrent learning needs
    /// them: `j_state = ∂state⟨t⟩/∂state⟨t−1⟩` (`n_state × n_state`) and
    /// `j_params = ∂state⟨t⟩/∂θ` holding `state⟨t−1⟩` fixed (`n_state × n_params`).
    ///
    /// `step` must hold single columns. The provided version builds both row by row from
    /// [`Cell::step_backward`] with unit cotangents (`n_state` calls), so it is exact for any
    /// cell — and therefore agrees with BPTT even when `step_backward` is wrong: BPTT = RTRL
    /// does not test a cell's backward step, [`crate::grad::check`] does. A cell may override
    /// it with a closed form. `work` is resized as needed and can be reused between calls to
    /// avoid allocation.
    fn jacobians(
        &self,
        theta: &[Self::Scalar],
        step: Step<'_, Self::Scalar>,
        mut j_state: DMatrixViewMut<'_, Self::Scalar>,
        mut j_params: DMatrixViewMut<'_, Self::Scalar>,
        work: &mut Vec<Self::Scalar>,
    ) {
        let (n, p, o, s) = (
            self.n_state(),
            self.n_params(),
            self.n_output(),
            self.n_scratch(),
        );
        let zero = lit::<Self::Scalar>(0.0);
        work.clear();
        work.resize(2 * n + o + p + s, zero);
        let (unit, rest) = work.split_at_mut(n);
        let (d_prev, rest) = rest.split_at_mut(n);
        let (d_out, rest) = rest.split_at_mut(o);
        let (grad, scratch) = rest.split_at_mut(p);
        for i in 0..n {
            unit.fill(zero);
            unit[i] = lit(1.0);
            grad.fill(zero);
            self.step_backward(
                theta,
                step,
                DMatrixView::from_slice(unit, n, 1),
                DMatrixView::from_slice(d_out, o, 1),
                DMatrixViewMut::from_slice(d_prev, n, 1),
                None,
                grad,
                DMatrixViewMut::from_slice(scratch, s, 1),
            );
            for j in 0..n {
                j_state[(i, j)] = d_prev[j];
            }
            for (k, g) in grad.iter().enumerate() {
                j_params[(i, k)] = *g;
            }
        }
    }
}

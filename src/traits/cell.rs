use crate::scalar::{Real, lit};
use crate::sequence::Sequence;
use crate::trace::Trace;
use crate::traits::Parameters;
use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};

/// Everything a cell's step reads: the step's input, the previous state, and what the forward
/// step wrote (new state, output, cache). Every view has one column per batch sample.
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

/// One differentiable time step of a recurrent layer, and nothing else:
///
/// `state⟨t⟩, y⟨t⟩ = F_θ(state⟨t−1⟩, x⟨t⟩)`
///
/// with parameters θ read through [`Parameters`]. Unrolled over `T` steps, the same cell (the
/// same θ) is applied at every step: the lecture's picture of an RNN as one cell with shared
/// weights.
///
/// A cell provides the forward step and its vector–Jacobian product (the backward step).
/// From these two alone, the crate's generic algorithms give every cell:
/// back-propagation through time ([`crate::grad::bptt`]), the finite-difference gradient check
/// ([`crate::grad::check`]) and, through the provided [`Cell::jacobians`], the Jacobians that
/// real-time recurrent learning propagates. A cell defined outside the crate gets all of them
/// without touching the crate.
///
/// # Contract
///
/// * Views hold one column per batch sample (a batch of `B` sequences is `B` columns).
/// * [`Cell::step`] writes `state`, `output` and `cache` and reads nothing else than its inputs
///   and θ. It must not allocate per call if it is to be fast.
/// * [`Cell::step_backward`] is the exact vector–Jacobian product of `step`: given
///   `d_state = ∂L/∂state⟨t⟩` (through later steps) and `d_output = ∂L/∂y⟨t⟩`, it **writes**
///   `d_prev = ∂L/∂state⟨t−1⟩` and **adds** `∂L/∂θ` (the contribution of this step) into `grad`,
///   which has the layout of [`Parameters::params`].
/// * [`Cell::forward_seq`] and [`Cell::backward_seq`] run whole sequences. Their provided
///   versions loop over the steps; a cell may override them with a faster schedule (e.g. one
///   matrix product over all steps for the input projection) that computes the same numbers.
///
/// Sizes are trusted: the step methods are the inner loop and do not check shapes. Checked
/// entry points are [`crate::Recurrent::run`] and [`crate::grad::bptt`].
///
/// # Panics
///
/// The step methods may panic if given views of the wrong shape (a programmer error, not user
/// input: the checked entry points validate shapes first).
pub trait Cell: Parameters {
    /// Rows of an input column, `n_input`.
    fn n_input(&self) -> usize;

    /// Rows of a state column, `n_state`.
    fn n_state(&self) -> usize;

    /// Rows of an output column, `n_output`.
    fn n_output(&self) -> usize;

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

    /// Forward step: writes `state⟨t⟩`, `y⟨t⟩` and the cache from `x⟨t⟩` and `state⟨t−1⟩`.
    fn step(
        &self,
        x: DMatrixView<'_, Self::Scalar>,
        prev: DMatrixView<'_, Self::Scalar>,
        state: DMatrixViewMut<'_, Self::Scalar>,
        output: DMatrixViewMut<'_, Self::Scalar>,
        cache: DMatrixViewMut<'_, Self::Scalar>,
    );

    /// Backward step (vector–Jacobian product of [`Cell::step`]): writes `d_prev` and adds
    /// this step's `∂L/∂θ` into `grad`. `scratch` has [`Cell::n_scratch`] rows.
    fn step_backward(
        &self,
        step: Step<'_, Self::Scalar>,
        d_state: DMatrixView<'_, Self::Scalar>,
        d_output: DMatrixView<'_, Self::Scalar>,
        d_prev: DMatrixViewMut<'_, Self::Scalar>,
        grad: &mut [Self::Scalar],
        scratch: DMatrixViewMut<'_, Self::Scalar>,
    );

    /// Runs the forward pass over `xs` from the initial state already in `trace`
    /// ([`Trace::set_initial`]), filling every state, output and cache of `trace`.
    ///
    /// The provided version calls [`Cell::step`] once per step.
    fn forward_seq(&self, xs: &Sequence<Self::Scalar>, trace: &mut Trace<Self::Scalar>)
    where
        Self: Sized,
    {
        crate::grad::forward_steps(self, xs, trace);
    }

    /// Runs the backward pass over a forward pass recorded in `trace`: given
    /// `d_outputs = ∂L/∂y⟨t⟩` for every step (`n_output × T·B`) and the gradient flowing into
    /// the last state (the last block of [`Trace::d_states_mut`], zero unless the caller set
    /// it), fills every `∂L/∂state⟨t⟩` in `trace` (block 0 is the initial state's gradient) and
    /// adds `∂L/∂θ` into `grad`.
    ///
    /// The provided version calls [`Cell::step_backward`] from the last step to the first.
    fn backward_seq(
        &self,
        xs: &Sequence<Self::Scalar>,
        d_outputs: DMatrixView<'_, Self::Scalar>,
        trace: &mut Trace<Self::Scalar>,
        grad: &mut [Self::Scalar],
    ) where
        Self: Sized,
    {
        crate::grad::backward_steps(self, xs, d_outputs, trace, grad);
    }

    /// The Jacobians of one step for one batch column, as real-time recurrent learning needs
    /// them: `j_state = ∂state⟨t⟩/∂state⟨t−1⟩` (`n_state × n_state`) and
    /// `j_params = ∂state⟨t⟩/∂θ` holding `state⟨t−1⟩` fixed (`n_state × n_params`).
    ///
    /// `step` must hold single columns. The provided version builds both row by row from
    /// [`Cell::step_backward`] with unit cotangents (`n_state` calls), so it is exact for any
    /// cell; a cell may override it with a closed form. `work` is resized as needed and can be
    /// reused between calls to avoid allocation.
    fn jacobians(
        &self,
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
                step,
                DMatrixView::from_slice(unit, n, 1),
                DMatrixView::from_slice(d_out, o, 1),
                DMatrixViewMut::from_slice(d_prev, n, 1),
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

//! The record of a forward pass and the buffers of the backward pass.
//!
//! A [`Trace`] is sized once for a cell, a sequence length `T` and a batch `B`, and reused
//! across calls (and epochs) so that the step loops never allocate. It holds, column-block per
//! step as in [`crate::Sequence`]:
//!
//! * `states`: `state⟨0⟩ … state⟨T⟩`, `n_state × (T+1)·B` (block 0 is the initial state);
//! * `outputs`: `y⟨1⟩ … y⟨T⟩`, `n_output × T·B`;
//! * `cache`: what each step cached for the backward step, `n_cache × T·B`;
//! * `d_states`: after a backward pass, `∂L/∂state⟨t⟩` for `t = 0..=T`, where block `t` holds
//!   the gradient that reaches `state⟨t⟩` from later steps (block 0 is the gradient of the
//!   initial state; block `T` is the caller's incoming gradient, zero by default).

use crate::error::{Result, check_shape};
use crate::scalar::Real;
use crate::traits::Cell;
use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};

/// Forward record and backward buffers of one sequence batch.
///
/// Sized once for a cell, a sequence length `T` and a batch `B`, and reused across calls so
/// the step loops never allocate. Column blocks per step as in [`crate::Sequence`]: `states`
/// holds `state⟨0⟩ … state⟨T⟩` (`n_state × (T+1)·B`, block 0 the initial state), `outputs`
/// `y⟨1⟩ … y⟨T⟩`, and after a backward pass `d_states` holds `∂L/∂state⟨t⟩` for `t = 0..=T`
/// (the gradient reaching `state⟨t⟩` from later steps; block `T` is the caller's incoming
/// gradient, zero by default).
///
/// # Examples
///
/// ```
/// use recurrent::prelude::*;
/// use recurrent::Trace;
/// use rand::SeedableRng;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(3);
/// let net = Elman::<f64>::builder(2, 5, 1).build(&mut rng)?;
/// let trace = Trace::new(&net, 10, 4);
/// assert_eq!(trace.states().shape(), (5, 11 * 4));
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Trace<T: Real> {
    pub(crate) steps: usize,
    pub(crate) batch: usize,
    pub(crate) states: DMatrix<T>,
    pub(crate) outputs: DMatrix<T>,
    pub(crate) cache: DMatrix<T>,
    pub(crate) d_states: DMatrix<T>,
    pub(crate) scratch: DMatrix<T>,
    pub(crate) extra: Vec<DMatrix<T>>,
}

impl<T: Real> Trace<T> {
    /// Buffers for `cell` over `steps` steps of `batch` columns; the initial state is the
    /// cell's [`Cell::initial_state`].
    pub fn new<C: Cell<Scalar = T>>(cell: &C, steps: usize, batch: usize) -> Self {
        let (n, o, c, s) = (
            cell.n_state(),
            cell.n_output(),
            cell.n_cache(),
            cell.n_scratch(),
        );
        let mut t = Self {
            steps,
            batch,
            states: DMatrix::zeros(n, (steps + 1) * batch),
            outputs: DMatrix::zeros(o, steps * batch),
            cache: DMatrix::zeros(c, steps * batch),
            d_states: DMatrix::zeros(n, (steps + 1) * batch),
            scratch: DMatrix::zeros(s, batch),
            extra: Vec::new(),
        };
        t.states
            .columns_mut(0, batch)
            .copy_from(&cell.initial_state(batch));
        t
    }

    /// True if these buffers fit `cell`, `steps` and `batch`.
    pub fn fits<C: Cell<Scalar = T>>(&self, cell: &C, steps: usize, batch: usize) -> bool {
        self.steps == steps
            && self.batch == batch
            && self.states.nrows() == cell.n_state()
            && self.outputs.nrows() == cell.n_output()
            && self.cache.nrows() == cell.n_cache()
            && self.scratch.nrows() == cell.n_scratch()
    }

    /// Number of steps `T`.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// Columns per step `B`.
    pub fn batch(&self) -> usize {
        self.batch
    }

    /// Copies `initial` into `state⟨0⟩`.
    ///
    /// # Errors
    ///
    /// [`crate::Error::DimensionMismatch`] unless `initial` is `n_state × B`.
    pub fn set_initial(&mut self, initial: DMatrixView<'_, T>) -> Result<()> {
        check_shape(
            "Trace::set_initial",
            "initial state",
            (self.states.nrows(), self.batch),
            initial.shape(),
        )?;
        self.states.columns_mut(0, self.batch).copy_from(&initial);
        Ok(())
    }

    /// `state⟨t⟩` for `t = 0..=T`.
    ///
    /// # Panics
    ///
    /// If `t > T`.
    pub fn state(&self, t: usize) -> DMatrixView<'_, T> {
        self.states.columns(t * self.batch, self.batch)
    }

    /// All states, `n_state × (T+1)·B`.
    pub fn states(&self) -> &DMatrix<T> {
        &self.states
    }

    /// `y⟨t⟩` for `t = 1..=T` (stored at block `t − 1`).
    ///
    /// # Panics
    ///
    /// If `t` is 0 or greater than `T`.
    pub fn output(&self, t: usize) -> DMatrixView<'_, T> {
        assert!(t >= 1, "Trace::output: outputs start at t = 1");
        self.outputs.columns((t - 1) * self.batch, self.batch)
    }

    /// All outputs, `n_output × T·B`.
    pub fn outputs(&self) -> &DMatrix<T> {
        &self.outputs
    }

    /// `∂L/∂state⟨t⟩` after a backward pass, `t = 0..=T`.
    ///
    /// # Panics
    ///
    /// If `t > T`.
    pub fn d_state(&self, t: usize) -> DMatrixView<'_, T> {
        self.d_states.columns(t * self.batch, self.batch)
    }

    /// All state gradients, `n_state × (T+1)·B`.
    pub fn d_states(&self) -> &DMatrix<T> {
        &self.d_states
    }

    /// All state gradients, mutably: set the last block before a backward pass to inject a
    /// gradient into `state⟨T⟩` (truncated BPTT carries one across windows).
    pub fn d_states_mut(&mut self) -> &mut DMatrix<T> {
        &mut self.d_states
    }

    /// Buffers a cell's own sequence schedule (an override of [`Cell::forward_seq`] or
    /// [`Cell::backward_seq`]) may keep between calls; empty until a cell uses them.
    pub fn extra_mut(&mut self) -> &mut Vec<DMatrix<T>> {
        &mut self.extra
    }

    /// Views for forward step `t` (0-based): `(prev, state, output, cache)`.
    pub(crate) fn forward_parts(
        &mut self,
        t: usize,
    ) -> (
        DMatrixView<'_, T>,
        DMatrixViewMut<'_, T>,
        DMatrixViewMut<'_, T>,
        DMatrixViewMut<'_, T>,
    ) {
        let b = self.batch;
        let n = self.states.nrows();
        let (head, tail) = self.states.as_mut_slice().split_at_mut((t + 1) * n * b);
        let prev = DMatrixView::from_slice(&head[t * n * b..], n, b);
        let state = DMatrixViewMut::from_slice(&mut tail[..n * b], n, b);
        let output = self.outputs.columns_mut(t * b, b);
        let cache = self.cache.columns_mut(t * b, b);
        (prev, state, output, cache)
    }
}

/// Splits a column-major `n × (k·b)` buffer into the blocks `t` (mutable) and `t + 1`.
pub(crate) fn block_pair_mut<T>(data: &mut [T], n: usize, b: usize, t: usize) -> (&mut [T], &[T]) {
    let (head, tail) = data.split_at_mut((t + 1) * n * b);
    (&mut head[t * n * b..], &tail[..n * b])
}

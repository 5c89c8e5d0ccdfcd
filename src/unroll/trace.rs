//! The record of a forward pass and the buffers of the backward pass.

use crate::error::{Result, check_shape};
use crate::scalar::Real;
use crate::traits::{Cell, Step};
use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};
use std::any::Any;

/// Forward record and backward buffers of one sequence batch: the public seam between a cell
/// and the algorithms that unroll it.
///
/// Sized once for a cell, a sequence length `T` and a batch `B`, and reused across calls (and
/// epochs) so the step loops never allocate. Column blocks per step as in
/// [`crate::Sequence`]:
///
/// * `states`: `state⟨0⟩ … state⟨T⟩`, `n_state × (T+1)·B` (block 0 is the initial state);
/// * `outputs`: `y⟨1⟩ … y⟨T⟩`, `n_output × T·B`;
/// * `cache`: what each step cached for its backward step, `n_cache × T·B`;
/// * `d_states`: after a backward pass, `∂L/∂state⟨t⟩` for `t = 0..=T` — block `t` holds the
///   gradient that reaches `state⟨t⟩` from later steps; block 0 is the gradient of the initial
///   state, block `T` the caller's incoming gradient (zero by default);
/// * `scratch`: `n_scratch × B` for one backward step;
/// * a typed **workspace** of the cell's own choosing ([`Trace::workspace_mut`]) that a fused
///   schedule keeps between calls.
///
/// A cell that overrides [`Cell::forward_seq`] or [`Cell::backward_seq`] reads and writes the
/// record through [`Trace::step_mut`], [`Trace::backward_step`] or, for whole-sequence
/// products, [`Trace::parts_mut`].
///
/// # Examples
///
/// ```
/// use recurrent::prelude::*;
/// use recurrent::Trace;
/// use rand::SeedableRng;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(3);
/// let net = Elman::<f64>::builder(2, 5, 1).build(&mut rng)?;
/// let trace = Trace::new(net.cell(), 10, 4);
/// assert_eq!(trace.states().shape(), (5, 11 * 4));
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Debug)]
pub struct Trace<T: Real> {
    steps: usize,
    batch: usize,
    states: DMatrix<T>,
    outputs: DMatrix<T>,
    cache: DMatrix<T>,
    d_states: DMatrix<T>,
    scratch: DMatrix<T>,
    workspace: Workspace,
}

/// A cell's own buffers, typed by the cell and created on first use.
#[derive(Default)]
struct Workspace(Option<Box<dyn Any + Send + Sync>>);

impl std::fmt::Debug for Workspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Workspace(in use)"
        } else {
            "Workspace(empty)"
        })
    }
}

/// Cloning a trace copies the record; the cell's workspace is a cache and starts empty in the
/// clone.
impl<T: Real> Clone for Trace<T> {
    fn clone(&self) -> Self {
        Self {
            steps: self.steps,
            batch: self.batch,
            states: self.states.clone(),
            outputs: self.outputs.clone(),
            cache: self.cache.clone(),
            d_states: self.d_states.clone(),
            scratch: self.scratch.clone(),
            workspace: Workspace::default(),
        }
    }
}

/// Mutable views of forward step `t`, from [`Trace::step_mut`].
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
/// // write step 0 again by hand, as a cell's own forward schedule would
/// let mut again = Trace::new(net.cell(), 5, 1);
/// let s = again.step_mut(0);
/// net.cell().step(net.params(), xs.step(0), s.prev, s.state, s.output, s.cache);
/// assert_eq!(again.state(1), trace.state(1));
/// assert_eq!(again.output(1), trace.output(1));
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Debug)]
pub struct StepMut<'a, T: Real> {
    /// `state⟨t−1⟩`, `n_state × B`.
    pub prev: DMatrixView<'a, T>,
    /// `state⟨t⟩`, to write.
    pub state: DMatrixViewMut<'a, T>,
    /// `y⟨t⟩`, to write.
    pub output: DMatrixViewMut<'a, T>,
    /// The step's cache, to write.
    pub cache: DMatrixViewMut<'a, T>,
}

/// The views of backward step `t`, from [`Trace::backward_step`]: the forward record (without
/// the input, which the trace does not hold) and the gradient buffers.
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
/// // the last step's backward pass alone, with ∂L/∂y⟨5⟩ = 1
/// let mut grad = vec![0.0; net.n_params()];
/// let d_y = DMatrix::from_element(1, 1, 1.0);
/// let s = trace.backward_step(4);
/// let record = s.record(xs.step(4));
/// net.cell().step_backward(net.params(), record, s.d_state, d_y.as_view(), s.d_prev, None, &mut grad, s.scratch);
/// assert!(trace.d_state(4).iter().any(|g| *g != 0.0)); // ∂L/∂state⟨4⟩ written
/// assert_eq!(grad[net.n_params() - 1], 1.0); // ∂L/∂b_y
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Debug)]
pub struct BackwardStep<'a, T: Real> {
    /// `state⟨t−1⟩`.
    pub prev: DMatrixView<'a, T>,
    /// `state⟨t⟩`.
    pub state: DMatrixView<'a, T>,
    /// `y⟨t⟩`.
    pub output: DMatrixView<'a, T>,
    /// The step's cache.
    pub cache: DMatrixView<'a, T>,
    /// `∂L/∂state⟨t⟩` from later steps.
    pub d_state: DMatrixView<'a, T>,
    /// `∂L/∂state⟨t−1⟩`, to write.
    pub d_prev: DMatrixViewMut<'a, T>,
    /// Scratch rows for the step.
    pub scratch: DMatrixViewMut<'a, T>,
}

impl<'a, T: Real> BackwardStep<'a, T> {
    /// The forward record of the step with its input `x⟨t⟩`, as [`Cell::step_backward`] takes
    /// it.
    pub fn record(&self, x: DMatrixView<'a, T>) -> Step<'a, T> {
        Step {
            x,
            prev: self.prev,
            state: self.state,
            output: self.output,
            cache: self.cache,
        }
    }
}

/// Every buffer of a trace at once, from [`Trace::parts_mut`], for schedules that run one
/// product over all steps.
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
/// let parts = trace.parts_mut();
/// assert_eq!(parts.states.shape(), (3, 6)); // state⟨0⟩ … state⟨5⟩
/// assert_eq!(parts.outputs.shape(), (1, 5));
/// assert_eq!(parts.d_states.shape(), parts.states.shape());
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Debug)]
pub struct TraceParts<'a, T: Real> {
    /// `state⟨0⟩ … state⟨T⟩`, `n_state × (T+1)·B`.
    pub states: &'a mut DMatrix<T>,
    /// `y⟨1⟩ … y⟨T⟩`, `n_output × T·B`.
    pub outputs: &'a mut DMatrix<T>,
    /// The caches, `n_cache × T·B`.
    pub cache: &'a mut DMatrix<T>,
    /// `∂L/∂state⟨t⟩`, `n_state × (T+1)·B`.
    pub d_states: &'a mut DMatrix<T>,
    /// `n_scratch × B`.
    pub scratch: &'a mut DMatrix<T>,
}

impl<T: Real> Trace<T> {
    /// Buffers for `cell` over `steps` steps of `batch` columns; the initial state is the
    /// cell's [`Cell::initial_state`].
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use rand::SeedableRng;
    /// use recurrent::prelude::*;
    /// use recurrent::Trace;
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
    /// let net = Elman::<f64>::builder(2, 3, 1).build(&mut rng)?;
    /// let mut trace = Trace::new(net.cell(), 4, 2); // 4 steps of 2 columns
    /// assert_eq!(trace.states().shape(), (3, 5 * 2)); // state⟨0⟩ … state⟨4⟩
    /// let x = Sequence::new(DMatrix::from_element(2, 8, 0.5), 2)?;
    /// net.cell().forward_seq(net.params(), &x, &mut trace);
    /// assert_eq!(trace.outputs().shape(), (1, 8));
    /// assert!(trace.fits(net.cell(), 4, 2));
    /// # Ok::<(), recurrent::Error>(())
    /// ```
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
            workspace: Workspace::default(),
        };
        t.states
            .columns_mut(0, batch)
            .copy_from(&cell.initial_state(batch));
        t
    }

    /// Refits these buffers to `cell`, `steps` and `batch` as [`Trace::new`] would make them
    /// (zeroed, `state⟨0⟩` the cell's initial state, the workspace emptied), but in the
    /// allocations already held where they are large enough: a trainer whose mini-batches
    /// differ in length (a language model's, bucketed by sentence length) then allocates
    /// and faults in its largest buffers once, not at every batch. Nothing changes if the
    /// trace already [`Trace::fits`].
    ///
    /// # Examples
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use recurrent::prelude::*;
    /// use recurrent::Trace;
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
    /// let net = Elman::<f64>::builder(2, 3, 1).build(&mut rng)?;
    /// let mut trace = Trace::new(net.cell(), 10, 4);
    /// trace.reshape(net.cell(), 6, 2);
    /// assert!(trace.fits(net.cell(), 6, 2));
    /// assert_eq!(trace.states().shape(), (3, 7 * 2));
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn reshape<C: Cell<Scalar = T>>(&mut self, cell: &C, steps: usize, batch: usize) {
        if self.fits(cell, steps, batch) {
            return;
        }
        let (n, o, c, s) = (
            cell.n_state(),
            cell.n_output(),
            cell.n_cache(),
            cell.n_scratch(),
        );
        self.steps = steps;
        self.batch = batch;
        reshape_zeroed(&mut self.states, n, (steps + 1) * batch);
        reshape_zeroed(&mut self.outputs, o, steps * batch);
        reshape_zeroed(&mut self.cache, c, steps * batch);
        reshape_zeroed(&mut self.d_states, n, (steps + 1) * batch);
        reshape_zeroed(&mut self.scratch, s, batch);
        self.workspace = Workspace::default();
        self.states
            .columns_mut(0, batch)
            .copy_from(&cell.initial_state(batch));
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

    /// All caches, `n_cache × T·B` (block `t` is forward step `t`, 0-based).
    pub fn cache(&self) -> &DMatrix<T> {
        &self.cache
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

    /// The forward record of step `t` (0-based: it maps `state⟨t⟩` to `state⟨t+1⟩` and writes
    /// `y⟨t+1⟩`) with its input `x`, as [`Cell::step_backward`] and [`Cell::jacobians`] take
    /// it.
    ///
    /// # Panics
    ///
    /// If `t ≥ T`.
    pub fn step<'a>(&'a self, t: usize, x: DMatrixView<'a, T>) -> Step<'a, T> {
        let b = self.batch;
        Step {
            x,
            prev: self.states.columns(t * b, b),
            state: self.states.columns((t + 1) * b, b),
            output: self.outputs.columns(t * b, b),
            cache: self.cache.columns(t * b, b),
        }
    }

    /// Views to write forward step `t` (0-based) into: `state⟨t⟩` to read, `state⟨t+1⟩`, the
    /// output and the cache to write.
    ///
    /// # Panics
    ///
    /// If `t ≥ T`.
    pub fn step_mut(&mut self, t: usize) -> StepMut<'_, T> {
        let b = self.batch;
        let n = self.states.nrows();
        let (head, tail) = self.states.as_mut_slice().split_at_mut((t + 1) * n * b);
        StepMut {
            prev: DMatrixView::from_slice(&head[t * n * b..], n, b),
            state: DMatrixViewMut::from_slice(&mut tail[..n * b], n, b),
            output: self.outputs.columns_mut(t * b, b),
            cache: self.cache.columns_mut(t * b, b),
        }
    }

    /// Views of backward step `t` (0-based): the forward record, `∂L/∂state⟨t+1⟩` to read,
    /// `∂L/∂state⟨t⟩` to write and the scratch rows.
    ///
    /// # Panics
    ///
    /// If `t ≥ T`.
    pub fn backward_step(&mut self, t: usize) -> BackwardStep<'_, T> {
        let b = self.batch;
        let n = self.d_states.nrows();
        let (head, tail) = self.d_states.as_mut_slice().split_at_mut((t + 1) * n * b);
        BackwardStep {
            prev: self.states.columns(t * b, b),
            state: self.states.columns((t + 1) * b, b),
            output: self.outputs.columns(t * b, b),
            cache: self.cache.columns(t * b, b),
            d_state: DMatrixView::from_slice(&tail[..n * b], n, b),
            d_prev: DMatrixViewMut::from_slice(&mut head[t * n * b..], n, b),
            scratch: self.scratch.as_view_mut(),
        }
    }

    /// Every buffer at once, mutably.
    pub fn parts_mut(&mut self) -> TraceParts<'_, T> {
        TraceParts {
            states: &mut self.states,
            outputs: &mut self.outputs,
            cache: &mut self.cache,
            d_states: &mut self.d_states,
            scratch: &mut self.scratch,
        }
    }

    /// Every buffer at once, mutably, and the cell's workspace of type `W` (created with
    /// `W::default()` on first use, or when the trace last held a workspace of another type).
    pub fn parts_and_workspace_mut<W: Default + Send + Sync + 'static>(
        &mut self,
    ) -> (TraceParts<'_, T>, &mut W) {
        let fresh = !matches!(&self.workspace.0, Some(w) if w.is::<W>());
        if fresh {
            self.workspace.0 = Some(Box::new(W::default()));
        }
        let ws = self
            .workspace
            .0
            .as_mut()
            .and_then(|w| w.downcast_mut::<W>())
            .expect("the workspace was just set to a W");
        (
            TraceParts {
                states: &mut self.states,
                outputs: &mut self.outputs,
                cache: &mut self.cache,
                d_states: &mut self.d_states,
                scratch: &mut self.scratch,
            },
            ws,
        )
    }

    /// The cell's own buffers of type `W`, kept between calls (created with `W::default()` on
    /// first use). A cell's fused schedule keeps here whatever it needs beyond the record, e.g.
    /// a transposed weight matrix or the pre-activations of every step.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::prelude::*;
    /// use recurrent::Trace;
    /// use rand::SeedableRng;
    /// #[derive(Default)]
    /// struct Mine { calls: usize }
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(3);
    /// let net = Elman::<f64>::builder(1, 2, 1).build(&mut rng)?;
    /// let mut trace = Trace::new(net.cell(), 3, 1);
    /// trace.workspace_mut::<Mine>().calls += 1;
    /// assert_eq!(trace.workspace_mut::<Mine>().calls, 1);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn workspace_mut<W: Default + Send + Sync + 'static>(&mut self) -> &mut W {
        self.parts_and_workspace_mut::<W>().1
    }
}

/// Makes `m` a zero `rows × cols` matrix in the allocation it already holds when that is
/// large enough (a fresh `DMatrix::zeros` of many megabytes is a new mapping whose every
/// page faults in again).
pub(crate) fn reshape_zeroed<T: Real>(m: &mut DMatrix<T>, rows: usize, cols: usize) {
    let mut data: Vec<T> = std::mem::replace(m, DMatrix::zeros(0, 0)).data.into();
    data.clear();
    data.resize(rows * cols, T::zero());
    *m = DMatrix::from_vec(rows, cols, data);
}

/// Makes `m` a `rows × cols` matrix in the allocation it already holds when that is large
/// enough, for a buffer that its next user overwrites completely (the loss's `∂L/∂y`): its
/// entries are stale values of the earlier shape or zeros, never uninitialised memory, and
/// the megabytes of a language model's logit gradient are not cleared at every batch.
pub(crate) fn reshape_for_overwrite<T: Real>(m: &mut DMatrix<T>, rows: usize, cols: usize) {
    let mut data: Vec<T> = std::mem::replace(m, DMatrix::zeros(0, 0)).data.into();
    data.resize(rows * cols, T::zero());
    *m = DMatrix::from_vec(rows, cols, data);
}

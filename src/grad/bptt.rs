//! Back-propagation through time.

use super::loss::Loss;
use crate::error::{Error, Result, check_shape};
use crate::net::Net;
use crate::scalar::Real;
use crate::sequence::{Mask, Sequence};
use crate::traits::{Cell, Parameters};
use crate::unroll::{Trace, check_outputs, prepare, reshape_for_overwrite};
use nalgebra::{DMatrix, DMatrixView};

/// The result of [`bptt`]: the loss, `∂L/∂θ` in the layout of [`crate::Parameters::params`],
/// and `∂L/∂state⟨0⟩`.
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// use recurrent::prelude::*;
/// use recurrent::grad::{Batch, Loss, bptt};
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
/// let mut net = Elman::<f64>::builder(1, 3, 1).build(&mut rng)?;
/// let x = Sequence::new(DMatrix::from_element(1, 5, 1.0), 1)?;
/// let d = Sequence::new(DMatrix::zeros(1, 5), 1)?;
/// let g = bptt(&net, Batch::new(&x, &d), Loss::sum_squared())?;
/// assert_eq!((g.params.len(), g.initial_state.shape()), (net.n_params(), (3, 1)));
/// // one small step against the gradient lowers the loss
/// for (w, dw) in net.params_mut().iter_mut().zip(&g.params) { *w -= 1e-3 * dw; }
/// assert!(bptt(&net, Batch::new(&x, &d), Loss::sum_squared())?.loss < g.loss);
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Gradient<T: Real> {
    /// The loss `L`.
    pub loss: T,
    /// `∂L/∂θ`, one entry per parameter.
    pub params: Vec<T>,
    /// `∂L/∂state⟨0⟩`, `n_state × B`.
    pub initial_state: DMatrix<T>,
}

/// The data of one BPTT problem: inputs, targets, an optional mask and initial state.
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use recurrent::{Mask, Sequence};
/// use recurrent::grad::Batch;
/// let x = Sequence::new(DMatrix::<f64>::zeros(2, 5), 1)?;
/// let d = Sequence::new(DMatrix::<f64>::zeros(1, 5), 1)?;
/// let mask = Mask::last_step(5, 1);
/// let batch = Batch::new(&x, &d).with_mask(&mask);
/// assert_eq!(batch.inputs.steps(), 5);
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Batch<'a, T: Real> {
    /// Inputs, `n_input × T·B`.
    pub inputs: &'a Sequence<T>,
    /// Targets, `n_output × T·B` (one row of class indices for
    /// [`Loss::softmax_cross_entropy`]).
    pub targets: &'a Sequence<T>,
    /// Loss weights per step and column; all ones if `None`.
    pub mask: Option<&'a Mask<T>>,
    /// `state⟨0⟩`, `n_state × B`; the cell's [`crate::Cell::initial_state`] if `None`.
    pub initial: Option<&'a DMatrix<T>>,
}

impl<'a, T: Real> Batch<'a, T> {
    /// Inputs and targets, no mask, the cell's initial state.
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use recurrent::Sequence;
    /// use recurrent::grad::Batch;
    /// let x = Sequence::new(DMatrix::<f64>::zeros(2, 12), 3)?; // 3 sequences of 4 steps
    /// let d = Sequence::new(DMatrix::<f64>::zeros(1, 12), 3)?;
    /// let batch = Batch::new(&x, &d);
    /// assert!(batch.mask.is_none() && batch.initial.is_none());
    /// assert_eq!((batch.inputs.steps(), batch.inputs.batch()), (4, 3));
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn new(inputs: &'a Sequence<T>, targets: &'a Sequence<T>) -> Self {
        Self {
            inputs,
            targets,
            mask: None,
            initial: None,
        }
    }

    /// Weights the loss of each step and column by `mask`.
    pub fn with_mask(mut self, mask: &'a Mask<T>) -> Self {
        self.mask = Some(mask);
        self
    }

    /// Starts from `initial` instead of the cell's initial state.
    pub fn with_initial(mut self, initial: &'a DMatrix<T>) -> Self {
        self.initial = Some(initial);
        self
    }
}

/// Reusable buffers for BPTT on sequences of one length and batch size, so repeated calls
/// (training epochs, benchmarks) do not allocate.
///
/// [`Bptt::compute`] is the whole of BPTT: [`Bptt::forward`], the loss, [`Bptt::backward`].
/// The two halves are public so that something can sit between the cell and the loss: run
/// `forward`, read the outputs, compute `∂L/∂y⟨t⟩` any way you like, then `backward`.
///
/// # Examples
///
/// ```
/// use recurrent::prelude::*;
/// use recurrent::grad::{Batch, Bptt, Loss};
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
/// let net = Elman::<f64>::builder(1, 8, 1).build(&mut rng)?;
/// let x = Sequence::new(DMatrix::from_element(1, 20, 0.5), 1)?;
/// let d = Sequence::new(DMatrix::from_element(1, 20, 0.1), 1)?;
/// let mut ws = Bptt::new(&net, 20, 1);
/// let loss = ws.compute(&net, Batch::new(&x, &d), Loss::mse())?;
/// assert!(loss > 0.0 && ws.grad().len() == net.n_params());
///
/// // the same gradient from the two halves, with the loss's gradient written by hand:
/// // ∂(Σ ½(y − d)²/T)/∂y = (y − d)/T
/// let y = ws.forward(&net, &x, None)?.clone_owned();
/// let dy = (y - d.as_matrix()) / 20.0;
/// ws.backward(&net, &x, dy.as_view())?;
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Bptt<T: Real> {
    trace: Trace<T>,
    d_outputs: DMatrix<T>,
    grad: Vec<T>,
}

impl<T: Real> Bptt<T> {
    /// Buffers for `net` on `steps` steps of `batch` columns.
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use rand::SeedableRng;
    /// use recurrent::prelude::*;
    /// use recurrent::grad::{Batch, Bptt, Loss};
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
    /// let net = Elman::<f64>::builder(2, 4, 1).build(&mut rng)?;
    /// let mut ws = Bptt::new(&net, 10, 3); // 10 steps of 3 columns
    /// assert_eq!(ws.grad().len(), net.n_params());
    /// let x = Sequence::new(DMatrix::from_element(2, 30, 0.5), 3)?;
    /// let d = Sequence::new(DMatrix::zeros(1, 30), 3)?;
    /// let l = ws.compute(&net, Batch::new(&x, &d), Loss::sum_squared())?; // no allocation
    /// assert!(l > 0.0);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn new<C: Cell<Scalar = T>>(net: &Net<C>, steps: usize, batch: usize) -> Self {
        let cell = net.cell();
        Self {
            trace: Trace::new(cell, steps, batch),
            d_outputs: DMatrix::zeros(cell.n_output(), steps * batch),
            grad: vec![T::zero(); cell.n_params()],
        }
    }

    /// Resizes the buffers if `net`, `steps` or `batch` changed.
    fn fit<C: Cell<Scalar = T>>(&mut self, net: &Net<C>, steps: usize, batch: usize) {
        if !self.trace.fits(net.cell(), steps, batch) {
            // in the allocations held: batches of varying length do not remap their buffers
            // (`d_outputs` is written whole by the loss before it is read)
            self.trace.reshape(net.cell(), steps, batch);
            reshape_for_overwrite(&mut self.d_outputs, net.cell().n_output(), steps * batch);
        }
        if self.grad.len() != net.n_params() {
            self.grad = vec![T::zero(); net.n_params()];
        }
    }

    /// The forward half: checks the inputs and the initial state, runs the cell over `inputs`
    /// from `initial` (or the cell's initial state) and returns the outputs `y⟨1⟩ … y⟨T⟩`
    /// (`n_output × T·B`). Every state is then in [`Bptt::trace`].
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] for a sequence with no steps; [`Error::DimensionMismatch`] if inputs
    /// or initial state do not fit the cell; [`Error::NonFinite`] for NaN or infinite inputs
    /// or initial state, or outputs that become non-finite; whatever
    /// [`Cell::check_inputs`] finds.
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use rand::SeedableRng;
    /// use recurrent::prelude::*;
    /// use recurrent::grad::Bptt;
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(2);
    /// let net = Elman::<f64>::builder(1, 3, 2).build(&mut rng)?;
    /// let x = Sequence::new(DMatrix::from_element(1, 6, 1.0), 1)?;
    /// let mut ws = Bptt::new(&net, 6, 1);
    /// let y = ws.forward(&net, &x, None)?;
    /// assert_eq!(y.shape(), (2, 6)); // y⟨1⟩ … y⟨6⟩
    /// assert_eq!(ws.trace().states().ncols(), 7); // state⟨0⟩ … state⟨6⟩
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn forward<C: Cell<Scalar = T>>(
        &mut self,
        net: &Net<C>,
        inputs: &Sequence<T>,
        initial: Option<&DMatrix<T>>,
    ) -> Result<&DMatrix<T>> {
        let op = "bptt";
        let cell = net.cell();
        self.fit(net, inputs.steps(), inputs.batch());
        prepare(cell, op, inputs, initial, &mut self.trace)?;
        cell.forward_seq(net.params(), inputs, &mut self.trace);
        check_outputs(op, &self.trace)?;
        Ok(self.trace.outputs())
    }

    /// The backward half, after [`Bptt::forward`] on the same `net` and `inputs`: given
    /// `d_outputs = ∂L/∂y⟨t⟩` (`n_output × T·B`), fills `∂L/∂θ` ([`Bptt::grad`]) and every
    /// `∂L/∂state⟨t⟩` ([`Bptt::trace`], [`Bptt::d_initial`]).
    ///
    /// # Errors
    ///
    /// [`Error::DimensionMismatch`] if `d_outputs` or `inputs` do not fit the last forward
    /// pass; [`Error::NonFinite`] if the gradient becomes non-finite.
    ///
    /// # Examples
    ///
    /// A loss of one's own between the halves, `L = Σ_t y⟨t⟩` (so `∂L/∂y⟨t⟩ = 1`), gives
    /// the same gradient as finite differences:
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use rand::SeedableRng;
    /// use recurrent::prelude::*;
    /// use recurrent::grad::Bptt;
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(3);
    /// let net = Elman::<f64>::builder(1, 3, 1).build(&mut rng)?;
    /// let x = Sequence::new(DMatrix::from_fn(1, 5, |_, t| t as f64 * 0.2), 1)?;
    /// let mut ws = Bptt::new(&net, 5, 1);
    /// ws.forward(&net, &x, None)?;
    /// ws.backward(&net, &x, DMatrix::from_element(1, 5, 1.0).as_view())?;
    /// let loss = |n: &Elman<f64>| -> f64 { n.run(&x, None).unwrap().outputs.as_matrix().sum() };
    /// let (h, k) = (1e-6, 4);
    /// let (mut up, mut down) = (net.clone(), net.clone());
    /// up.params_mut()[k] += h;
    /// down.params_mut()[k] -= h;
    /// let fd = (loss(&up) - loss(&down)) / (2.0 * h);
    /// assert!((ws.grad()[k] - fd).abs() < 1e-7);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn backward<C: Cell<Scalar = T>>(
        &mut self,
        net: &Net<C>,
        inputs: &Sequence<T>,
        d_outputs: DMatrixView<'_, T>,
    ) -> Result<()> {
        let op = "bptt";
        let cell = net.cell();
        let (steps, b) = (self.trace.steps(), self.trace.batch());
        if !self.trace.fits(cell, steps, b) || self.grad.len() != net.n_params() {
            return Err(Error::DimensionMismatch {
                op,
                what: "net (n_state, n_params) vs the last forward pass",
                expected: (self.trace.states().nrows(), self.grad.len()),
                got: (cell.n_state(), net.n_params()),
            });
        }
        check_shape(
            op,
            "inputs",
            (cell.n_input(), steps * b),
            inputs.as_matrix().shape(),
        )?;
        check_shape(
            op,
            "output gradient",
            (cell.n_output(), steps * b),
            d_outputs.shape(),
        )?;
        self.grad.fill(T::zero());
        self.trace.d_states_mut().fill(T::zero());
        cell.backward_seq(
            net.params(),
            inputs,
            d_outputs,
            &mut self.trace,
            &mut self.grad,
            None,
        );
        if let Some(i) = crate::kernel::first_non_finite(&self.grad) {
            return Err(Error::NonFinite {
                op,
                what: "gradient",
                index: i,
            });
        }
        Ok(())
    }

    /// Runs the forward pass, the loss and the backward pass; returns the loss. The gradient
    /// is then in [`Bptt::grad`], `∂L/∂state⟨0⟩` in [`Bptt::d_initial`], and every state and
    /// `∂L/∂state⟨t⟩` in [`Bptt::trace`]. Buffers are resized if the batch has another shape.
    ///
    /// # Errors
    ///
    /// As [`Bptt::forward`], and [`Error::DimensionMismatch`] if targets or mask do not fit;
    /// [`Error::NonFinite`] for non-finite targets, loss or gradient; the loss's errors
    /// ([`Loss::evaluate`]).
    ///
    /// # Complexity
    ///
    /// `O(T·B·N²)` time for `N` state units (plus the input and output projections) and
    /// `O(T·B·N)` memory for the stored states.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::grad::{Batch, Bptt, Loss, bptt};
    /// use nalgebra::DMatrix;
    /// use rand::SeedableRng;
    /// use recurrent::prelude::*;
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(8);
    /// let net = Elman::<f64>::builder(2, 3, 1).build(&mut rng)?;
    /// let x = Sequence::new(DMatrix::from_fn(2, 6, |i, t| ((i + t) as f64 * 0.7).sin()), 1)?;
    /// let d = Sequence::new(DMatrix::from_element(1, 6, 0.2), 1)?;
    /// // one workspace reused for every batch of the same shape
    /// let mut ws = Bptt::new(&net, 6, 1);
    /// let loss = ws.compute(&net, Batch::new(&x, &d), Loss::mse())?;
    /// let g = bptt(&net, Batch::new(&x, &d), Loss::mse())?;
    /// assert_eq!((loss, ws.grad()), (g.loss, &g.params[..]));
    /// assert_eq!(ws.d_initial(), g.initial_state);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn compute<C: Cell<Scalar = T>>(
        &mut self,
        net: &Net<C>,
        batch: Batch<'_, T>,
        loss: Loss,
    ) -> Result<T> {
        let op = "bptt";
        let xs = batch.inputs;
        let cell = net.cell();
        self.fit(net, xs.steps(), xs.batch());
        prepare(cell, op, xs, batch.initial, &mut self.trace)?;
        batch.targets.validate(
            op,
            "targets",
            loss.target_rows(cell.n_output()),
            xs.steps(),
            xs.batch(),
        )?;
        cell.forward_seq(net.params(), xs, &mut self.trace);
        check_outputs(op, &self.trace)?;
        let l = loss.evaluate(
            self.trace.outputs().as_view(),
            batch.targets,
            batch.mask,
            self.d_outputs.as_view_mut(),
        )?;
        let d_outputs = std::mem::replace(&mut self.d_outputs, DMatrix::zeros(0, 0));
        let r = self.backward(net, xs, d_outputs.as_view());
        self.d_outputs = d_outputs;
        r?;
        Ok(l)
    }

    /// The loss alone (the forward pass, no gradient) in these buffers: [`evaluate`] without
    /// a fresh trace per call, for scoring many batches (a validation split) with one
    /// workspace. Leaves [`Bptt::grad`] as it was.
    ///
    /// # Errors
    ///
    /// As [`evaluate`].
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use rand::SeedableRng;
    /// use recurrent::prelude::*;
    /// use recurrent::grad::{Batch, Bptt, Loss, evaluate};
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(4);
    /// let net = Elman::<f64>::builder(2, 4, 1).build(&mut rng)?;
    /// let mut ws = Bptt::new(&net, 1, 1);
    /// for steps in [3, 7, 5] {
    ///     let x = Sequence::new(DMatrix::from_element(2, 2 * steps, 0.5), 2)?;
    ///     let d = Sequence::new(DMatrix::zeros(1, 2 * steps), 2)?;
    ///     let b = Batch::new(&x, &d);
    ///     let l = ws.loss(&net, b, Loss::sum_squared())?;
    ///     assert_eq!(l, evaluate(&net, Batch::new(&x, &d), Loss::sum_squared())?);
    /// }
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn loss<C: Cell<Scalar = T>>(
        &mut self,
        net: &Net<C>,
        batch: Batch<'_, T>,
        loss: Loss,
    ) -> Result<T> {
        forward_loss(net, batch, loss, &mut self.trace, &mut self.d_outputs)
    }

    /// `∂L/∂θ` from the last [`Bptt::compute`] or [`Bptt::backward`].
    pub fn grad(&self) -> &[T] {
        &self.grad
    }

    /// `∂L/∂state⟨0⟩` from the last backward pass, `n_state × B`.
    pub fn d_initial(&self) -> DMatrixView<'_, T> {
        self.trace.d_state(0)
    }

    /// The forward record and state gradients of the last passes.
    pub fn trace(&self) -> &Trace<T> {
        &self.trace
    }
}

/// Back-propagation through time (Werbos 1990) for any [`Cell`]: the loss, `∂L/∂θ` for every
/// parameter and `∂L/∂state⟨0⟩`.
///
/// The cell is unrolled over the `T` steps with the same parameters θ at every step, so
/// `∂L/∂θ = Σ_t (∂L/∂state⟨t⟩ · ∂state⟨t⟩/∂θ + ∂L/∂y⟨t⟩ · ∂y⟨t⟩/∂θ)`, accumulated backwards
/// from `t = T` by one vector–Jacobian product per step. Use [`Bptt`] to reuse buffers.
///
/// # Examples
///
/// ```
/// use recurrent::prelude::*;
/// use recurrent::grad::{Batch, Loss, bptt};
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(5);
/// let net = Elman::<f64>::builder(2, 4, 1).build(&mut rng)?;
/// let x = Sequence::new(DMatrix::from_element(2, 6, 1.0), 1)?;
/// let d = Sequence::new(DMatrix::zeros(1, 6), 1)?;
/// let g = bptt(&net, Batch::new(&x, &d), Loss::sum_squared())?;
/// assert_eq!(g.params.len(), net.n_params());
/// assert_eq!(g.initial_state.shape(), (4, 1));
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// As [`Bptt::compute`].
///
/// # Complexity
///
/// `O(T·N²)` time and `O(T·N)` memory per batch column for `N` state units.
///
/// # References
///
/// [^1]: P. J. Werbos (1990), "Backpropagation through time: what it does and how to do it",
///   Proc. IEEE 78(10), 1550–1560.
pub fn bptt<T: Real, C: Cell<Scalar = T>>(
    net: &Net<C>,
    batch: Batch<'_, T>,
    loss: Loss,
) -> Result<Gradient<T>> {
    let mut ws = Bptt::new(net, batch.inputs.steps(), batch.inputs.batch());
    let l = ws.compute(net, batch, loss)?;
    Ok(Gradient {
        loss: l,
        initial_state: ws.d_initial().into_owned(),
        params: ws.grad,
    })
}

/// The loss of `batch` alone (forward pass only, no gradient), with the same checks as
/// [`bptt`].
///
/// # Examples
///
/// ```
/// use recurrent::prelude::*;
/// use recurrent::grad::{Batch, Loss, bptt, evaluate};
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(5);
/// let net = Elman::<f64>::builder(2, 4, 1).build(&mut rng)?;
/// let x = Sequence::new(DMatrix::from_element(2, 6, 1.0), 1)?;
/// let d = Sequence::new(DMatrix::zeros(1, 6), 1)?;
/// let l = evaluate(&net, Batch::new(&x, &d), Loss::mse())?;
/// assert_eq!(l, bptt(&net, Batch::new(&x, &d), Loss::mse())?.loss);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// As [`Bptt::compute`].
pub fn evaluate<T: Real, C: Cell<Scalar = T>>(
    net: &Net<C>,
    batch: Batch<'_, T>,
    loss: Loss,
) -> Result<T> {
    let xs = batch.inputs;
    let mut trace = Trace::new(net.cell(), xs.steps(), xs.batch());
    forward_loss(net, batch, loss, &mut trace, &mut DMatrix::zeros(0, 0))
}

/// Forward pass and loss into reusable buffers.
pub(crate) fn forward_loss<T: Real, C: Cell<Scalar = T>>(
    net: &Net<C>,
    batch: Batch<'_, T>,
    loss: Loss,
    trace: &mut Trace<T>,
    d_outputs: &mut DMatrix<T>,
) -> Result<T> {
    let op = "loss";
    let cell = net.cell();
    let xs = batch.inputs;
    trace.reshape(cell, xs.steps(), xs.batch());
    prepare(cell, op, xs, batch.initial, trace)?;
    batch.targets.validate(
        op,
        "targets",
        loss.target_rows(cell.n_output()),
        xs.steps(),
        xs.batch(),
    )?;
    cell.forward_seq(net.params(), xs, trace);
    check_outputs(op, trace)?;
    if d_outputs.shape() != trace.outputs().shape() {
        // every entry is written by the loss below
        reshape_for_overwrite(d_outputs, trace.outputs().nrows(), trace.outputs().ncols());
    }
    loss.evaluate(
        trace.outputs().as_view(),
        batch.targets,
        batch.mask,
        d_outputs.as_view_mut(),
    )
}

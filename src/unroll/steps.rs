//! The step-by-step schedules behind [`Cell::forward_seq`] and [`Cell::backward_seq`], and the
//! checks every entry point runs before a cell sees the data.

use super::trace::Trace;
use crate::error::{Error, Result, check_finite, check_shape};
use crate::scalar::Real;
use crate::sequence::Sequence;
use crate::traits::Cell;
use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};

/// Forward pass by [`Cell::step`], one step at a time, from `trace`'s initial state.
///
/// This is the schedule every cell gets; sizes are trusted (see [`Cell`]). A cell's own
/// [`Cell::forward_seq`] may call it for the cases its fused schedule does not cover.
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
/// // five states after the initial one, the same outputs as `run`
/// assert_eq!(trace.states().ncols(), 6);
/// assert_eq!(trace.outputs(), net.run(&xs, None)?.outputs.as_matrix());
/// # Ok::<(), recurrent::Error>(())
/// ```
pub fn forward_steps<T: Real, C: Cell<Scalar = T>>(
    cell: &C,
    theta: &[T],
    xs: &Sequence<T>,
    trace: &mut Trace<T>,
) {
    for t in 0..xs.steps() {
        let s = trace.step_mut(t);
        cell.step(theta, xs.step(t), s.prev, s.state, s.output, s.cache);
    }
}

/// Backward pass by [`Cell::step_backward`], from the last step to the first; see
/// [`Cell::backward_seq`].
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// use recurrent::prelude::*;
/// use recurrent::unroll::{Trace, backward_steps, forward_steps};
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(2);
/// let net = Elman::<f64>::builder(2, 3, 1).build(&mut rng)?;
/// let xs = Sequence::new(DMatrix::from_fn(2, 5, |i, t| (i + t) as f64 * 0.1), 1)?;
/// let mut trace = Trace::new(net.cell(), 5, 1);
/// forward_steps(net.cell(), net.params(), &xs, &mut trace);
/// let d_outputs = DMatrix::from_element(1, 5, 1.0); // ∂L/∂y⟨t⟩ = 1
/// let mut grad = vec![0.0; net.n_params()];
/// let mut d_inputs = DMatrix::zeros(2, 5);
/// backward_steps(net.cell(), net.params(), &xs, d_outputs.as_view(), &mut trace, &mut grad, Some(d_inputs.as_view_mut()));
/// // the gradient of the last output's bias b_y is Σ_t 1 = 5
/// assert!((grad[net.n_params() - 1] - 5.0).abs() < 1e-12);
/// assert!(d_inputs.iter().any(|g| *g != 0.0)); // ∂L/∂x⟨t⟩ as well
/// # Ok::<(), recurrent::Error>(())
/// ```
pub fn backward_steps<T: Real, C: Cell<Scalar = T>>(
    cell: &C,
    theta: &[T],
    xs: &Sequence<T>,
    d_outputs: DMatrixView<'_, T>,
    trace: &mut Trace<T>,
    grad: &mut [T],
    mut d_inputs: Option<DMatrixViewMut<'_, T>>,
) {
    let b = trace.batch();
    for t in (0..xs.steps()).rev() {
        let s = trace.backward_step(t);
        let record = s.record(xs.step(t));
        cell.step_backward(
            theta,
            record,
            s.d_state,
            d_outputs.columns(t * b, b),
            s.d_prev,
            d_inputs.as_mut().map(|d| d.columns_mut(t * b, b)),
            grad,
            s.scratch,
        );
    }
}

/// Validates `xs` and `initial` for `cell`, runs [`Cell::forward_seq`] into a new trace and
/// checks that the outputs are finite.
pub(crate) fn forward_checked<T: Real, C: Cell<Scalar = T>>(
    cell: &C,
    theta: &[T],
    op: &'static str,
    xs: &Sequence<T>,
    initial: Option<&DMatrix<T>>,
) -> Result<Trace<T>> {
    let mut trace = Trace::new(cell, xs.steps(), xs.batch());
    prepare(cell, op, xs, initial, &mut trace)?;
    cell.forward_seq(theta, xs, &mut trace);
    check_outputs(op, &trace)?;
    Ok(trace)
}

/// Checks inputs (shape, finiteness, [`Cell::check_inputs`]) and the initial state, and copies
/// the latter into `trace`.
pub(crate) fn prepare<T: Real, C: Cell<Scalar = T>>(
    cell: &C,
    op: &'static str,
    xs: &Sequence<T>,
    initial: Option<&DMatrix<T>>,
    trace: &mut Trace<T>,
) -> Result<()> {
    if xs.steps() == 0 {
        return Err(Error::Empty { op, what: "inputs" });
    }
    xs.validate(op, "inputs", cell.n_input(), xs.steps(), xs.batch())?;
    cell.check_inputs(xs.as_matrix().as_view())?;
    match initial {
        Some(a0) => {
            check_shape(
                op,
                "initial state",
                (cell.n_state(), xs.batch()),
                a0.shape(),
            )?;
            check_finite(op, "initial state", a0.iter())?;
            trace.set_initial(a0.as_view())
        }
        None => trace.set_initial(cell.initial_state(xs.batch()).as_view()),
    }
}

/// `Err(NonFinite)` naming the first step whose outputs are not finite.
pub(crate) fn check_outputs<T: Real>(op: &'static str, trace: &Trace<T>) -> Result<()> {
    let outputs = trace.outputs();
    let o = outputs.nrows().max(1);
    match crate::kernel::first_non_finite(outputs.as_slice()) {
        Some(i) => Err(Error::NonFinite {
            op,
            what: "outputs",
            index: i / o / trace.batch(),
        }),
        None => Ok(()),
    }
}

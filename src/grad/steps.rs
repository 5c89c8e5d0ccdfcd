//! The step-by-step schedules behind [`Cell::forward_seq`] and [`Cell::backward_seq`].

use crate::scalar::Real;
use crate::sequence::Sequence;
use crate::trace::{Trace, block_pair_mut};
use crate::traits::{Cell, Step};
use nalgebra::{DMatrixView, DMatrixViewMut};

/// Forward pass by [`Cell::step`], one step at a time, from `trace`'s initial state.
///
/// This is the schedule every cell gets; sizes are trusted (see [`Cell`]).
pub fn forward_steps<T: Real, C: Cell<Scalar = T>>(
    cell: &C,
    xs: &Sequence<T>,
    trace: &mut Trace<T>,
) {
    for t in 0..xs.steps() {
        let (prev, state, output, cache) = trace.forward_parts(t);
        cell.step(xs.step(t), prev, state, output, cache);
    }
}

/// Backward pass by [`Cell::step_backward`], from the last step to the first; see
/// [`Cell::backward_seq`].
pub fn backward_steps<T: Real, C: Cell<Scalar = T>>(
    cell: &C,
    xs: &Sequence<T>,
    d_outputs: DMatrixView<'_, T>,
    trace: &mut Trace<T>,
    grad: &mut [T],
) {
    let (n, b) = (cell.n_state(), trace.batch);
    let Trace {
        states,
        outputs,
        cache,
        d_states,
        scratch,
        ..
    } = trace;
    for t in (0..xs.steps()).rev() {
        let (d_prev, d_state) = block_pair_mut(d_states.as_mut_slice(), n, b, t);
        let step = Step {
            x: xs.step(t),
            prev: states.columns(t * b, b),
            state: states.columns((t + 1) * b, b),
            output: outputs.columns(t * b, b),
            cache: cache.columns(t * b, b),
        };
        cell.step_backward(
            step,
            DMatrixView::from_slice(d_state, n, b),
            d_outputs.columns(t * b, b),
            DMatrixViewMut::from_slice(d_prev, n, b),
            grad,
            scratch.as_view_mut(),
        );
    }
}

/// Validates `xs` and `initial` for `cell`, runs [`Cell::forward_seq`] into a new trace and
/// checks that the outputs are finite.
pub(crate) fn forward_checked<T: Real, C: Cell<Scalar = T>>(
    cell: &C,
    op: &'static str,
    xs: &Sequence<T>,
    initial: Option<&nalgebra::DMatrix<T>>,
) -> crate::Result<Trace<T>> {
    let mut trace = Trace::new(cell, xs.steps(), xs.batch());
    prepare(cell, op, xs, initial, &mut trace)?;
    cell.forward_seq(xs, &mut trace);
    check_outputs(op, &trace)?;
    Ok(trace)
}

/// Checks inputs and the initial state and copies the latter into `trace`.
pub(crate) fn prepare<T: Real, C: Cell<Scalar = T>>(
    cell: &C,
    op: &'static str,
    xs: &Sequence<T>,
    initial: Option<&nalgebra::DMatrix<T>>,
    trace: &mut Trace<T>,
) -> crate::Result<()> {
    if xs.steps() == 0 {
        return Err(crate::Error::Empty { op, what: "inputs" });
    }
    xs.validate(op, "inputs", cell.n_input(), xs.steps(), xs.batch())?;
    match initial {
        Some(a0) => {
            crate::error::check_shape(
                op,
                "initial state",
                (cell.n_state(), xs.batch()),
                a0.shape(),
            )?;
            crate::error::check_finite(op, "initial state", a0.iter())?;
            trace.set_initial(a0.as_view())
        }
        None => trace.set_initial(cell.initial_state(xs.batch()).as_view()),
    }
}

/// `Err(NonFinite)` naming the first step whose outputs are not finite.
pub(crate) fn check_outputs<T: Real>(op: &'static str, trace: &Trace<T>) -> crate::Result<()> {
    let o = trace.outputs.nrows().max(1);
    match trace.outputs.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(crate::Error::NonFinite {
            op,
            what: "outputs",
            index: i / o / trace.batch,
        }),
        None => Ok(()),
    }
}

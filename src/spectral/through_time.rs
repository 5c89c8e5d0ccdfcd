//! Gradients through time, measured on a [`Cell`]: the Jacobian product
//! `∂a⟨T⟩/∂a⟨t⟩ = Π_{k=t+1..T} ∂a⟨k⟩/∂a⟨k−1⟩` and the BPTT state gradients `∂L/∂a⟨t⟩`.
//!
//! For the tanh Elman cell `a⟨k⟩ = tanh(W_aa a⟨k−1⟩ + W_ax x⟨k⟩ + b_a)` each factor is
//! `diag(1 − a⟨k⟩²) W_aa`: the linear picture `W_aa^(T−t)` times the saturation of every
//! step, so `‖∂a⟨T⟩/∂a⟨t⟩‖₂ ≤ ‖W_aa‖₂^(T−t)` (Pascanu, Mikolov & Bengio 2013).

use super::regime::norm2;
use crate::error::{Error, Result};
use crate::grad::{Batch, Bptt, Loss};
use crate::net::Net;
use crate::scalar::Real;
use crate::sequence::Sequence;
use crate::traits::{Cell, Parameters};
use nalgebra::DMatrix;

/// `‖∂a⟨T⟩/∂a⟨T−m⟩‖₂` for `m = 1..=T` (entry `m − 1`), along the forward pass of `net` over
/// the single sequence `xs` from `initial` (the cell's initial state if `None`).
///
/// The per-step Jacobians come from [`Cell::jacobians`], so this works for any cell; the
/// product is accumulated from the last step backwards, `J_m = J_{m−1} · ∂a⟨T−m+1⟩/∂a⟨T−m⟩`,
/// and each `‖J_m‖₂` is its largest singular value.
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// use recurrent::{Elman, Sequence};
/// use recurrent::init::Init;
/// use recurrent::spectral::jacobian_norms;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
/// let net = Elman::<f64>::builder(2, 8, 1)
///     .recurrent_init(Init::SpectralRadius(0.5))
///     .build(&mut rng)?;
/// let xs = Sequence::new(DMatrix::from_element(2, 30, 0.1), 1)?;
/// let norms = jacobian_norms(&net, &xs, None)?;
/// assert_eq!(norms.len(), 30);
/// assert!(norms[29] < 1e-6 * norms[0]); // vanished over 30 steps
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::DimensionMismatch`] if `xs` has more than one batch column or the wrong input
/// size, [`Error::Empty`] for no steps, [`Error::NonFinite`] for non-finite inputs, initial
/// state or outputs, [`Error::Numerical`] if an SVD does not converge.
///
/// # Complexity
///
/// `T` Jacobians (`O(N·P)` each through [`Cell::jacobians`] for `P` parameters), `T`
/// products and `T` SVDs of `N × N` matrices.
pub fn jacobian_norms<T: Real, C: Cell<Scalar = T>>(
    net: &Net<C>,
    xs: &Sequence<T>,
    initial: Option<&DMatrix<T>>,
) -> Result<Vec<T>> {
    let op = "spectral::jacobian_norms";
    let cell = net.cell();
    if xs.batch() != 1 {
        return Err(Error::DimensionMismatch {
            op,
            what: "inputs (one sequence)",
            expected: (cell.n_input(), xs.steps()),
            got: (xs.dim(), xs.steps() * xs.batch()),
        });
    }
    let trace = crate::unroll::forward_checked(cell, net.params(), op, xs, initial)?;
    let n = cell.n_state();
    let mut j = DMatrix::<T>::identity(n, n);
    let mut js = DMatrix::<T>::zeros(n, n);
    let mut jp = DMatrix::<T>::zeros(n, cell.n_params());
    let mut next = DMatrix::<T>::zeros(n, n);
    let mut work = Vec::new();
    let mut out = Vec::with_capacity(xs.steps());
    for s in (0..xs.steps()).rev() {
        let step = trace.step(s, xs.step(s));
        cell.jacobians(
            net.params(),
            step,
            js.as_view_mut(),
            jp.as_view_mut(),
            &mut work,
        );
        next.gemm(T::one(), &j, &js, T::zero());
        std::mem::swap(&mut j, &mut next);
        out.push(norm2(op, &j)?);
    }
    Ok(out)
}

/// `‖∂L/∂a⟨t⟩‖` (Frobenius over the batch columns) for `t = 0..=T` after one BPTT pass of
/// `cell` on `batch` with `loss` ([`crate::grad::Bptt`]), as [`crate::Trace::d_state`] holds
/// them: entry `t < T` is the gradient reaching `a⟨t⟩` from every later step, entry 0 the
/// initial state's, and entry `T` the gradient injected into the last state from outside
/// (zero here; the loss on `y⟨T⟩` enters in step `T`'s backward step).
///
/// With a loss on the last step only ([`crate::Mask::last_step`]),
/// `∂L/∂a⟨t⟩ = (∂a⟨T⟩/∂a⟨t⟩)ᵀ δ` with `δ = ∂L/∂a⟨T⟩` through the output, so these norms are at
/// most [`jacobian_norms`] times `‖δ‖` and follow their decay.
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// use recurrent::{Elman, Mask, Sequence};
/// use recurrent::grad::{Batch, Loss};
/// use recurrent::spectral::gradient_norms;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
/// let net = Elman::<f64>::builder(2, 8, 1).build(&mut rng)?;
/// let xs = Sequence::new(DMatrix::from_element(2, 20, 0.1), 1)?;
/// let ds = Sequence::new(DMatrix::from_element(1, 20, 1.0), 1)?;
/// let mask = Mask::last_step(20, 1);
/// let g = gradient_norms(&net, Batch::new(&xs, &ds).with_mask(&mask), Loss::sum_squared())?;
/// assert_eq!(g.len(), 21);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// As [`crate::grad::Bptt::compute`].
pub fn gradient_norms<T: Real, C: Cell<Scalar = T>>(
    net: &Net<C>,
    batch: Batch<'_, T>,
    loss: Loss,
) -> Result<Vec<T>> {
    let xs = batch.inputs;
    let mut ws = Bptt::new(net, xs.steps(), xs.batch());
    ws.compute(net, batch, loss)?;
    let trace = ws.trace();
    Ok((0..=xs.steps()).map(|t| trace.d_state(t).norm()).collect())
}

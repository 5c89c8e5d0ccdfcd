//! Finite-difference gradient checks.

use super::bptt::{Batch, bptt, forward_loss};
use super::loss::Loss;
use crate::error::{Error, Result};
use crate::net::Net;
use crate::scalar::{Real, lit, to_f64};
use crate::traits::{Cell, Parameters};
use crate::unroll::Trace;
use nalgebra::DMatrix;

/// Options of [`check`].
///
/// | name | default | purpose | range |
/// |---|---|---|---|
/// | `step` | `ε^(1/5)/4` of the scalar (≈ 1.8e-4 for f64, 1.0e-2 for f32) | relative step `h`; parameter `θ_i` moves by `h·max(1, |θ_i|)` | `> 0` |
/// | `floor` | `1e-5` | denominator floor of the relative error, scaled by `max(1, |L|)`, so gradients that are tiny next to the loss are compared absolutely | `≥ 0` |
/// | `initial_state` | `true` | also check `∂L/∂state⟨0⟩` | |
///
/// The default step balances the fourth-order stencil's truncation error `O(h⁴)` against
/// rounding `O(ε·|L|/h)`. Rounding alone makes a zero gradient look like `~ε·|L|/h` (about
/// 1e-12 for an f64 loss of order one: seen in the property tests), which is why the floor
/// scales with the loss; with the default floor such noise counts as a relative error of about
/// 1e-7.
///
/// # Examples
///
/// ```
/// use recurrent::grad::{Batch, CheckOptions, Loss, check};
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// use recurrent::prelude::*;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(6);
/// let net = Elman::<f64>::builder(1, 3, 1).build(&mut rng)?;
/// let x = Sequence::new(DMatrix::from_fn(1, 4, |_, t| t as f64 * 0.5), 1)?;
/// let d = Sequence::new(DMatrix::from_element(1, 4, 0.2), 1)?;
/// // parameters only, with a larger step
/// let opts = CheckOptions { step: Some(1e-3), initial_state: false, ..CheckOptions::default() };
/// let report = check(&net, Batch::new(&x, &d), Loss::mse(), opts)?;
/// assert_eq!(report.checked, net.n_params());
/// assert!(report.max_rel_error < 1e-6);
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CheckOptions {
    /// Relative step; `None` for the scalar's default.
    pub step: Option<f64>,
    /// Floor of the denominator of the relative error.
    pub floor: f64,
    /// Whether to check the initial-state gradient as well.
    pub initial_state: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        Self {
            step: None,
            floor: 1e-5,
            initial_state: true,
        }
    }
}

/// Which number a [`CheckReport`] refers to.
///
/// # Examples
///
/// ```
/// use recurrent::grad::{Batch, CheckOptions, Location, Loss, check};
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// use recurrent::prelude::*;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(6);
/// let net = Elman::<f64>::builder(1, 3, 1).build(&mut rng)?;
/// let x = Sequence::new(DMatrix::from_fn(1, 4, |_, t| t as f64 * 0.5), 1)?;
/// let d = Sequence::new(DMatrix::from_element(1, 4, 0.2), 1)?;
/// let report = check(&net, Batch::new(&x, &d), Loss::mse(), CheckOptions::default())?;
/// match report.worst {
///     Location::Param(i) => assert!(i < net.n_params()),
///     Location::InitialState(i) => assert!(i < 3),
/// }
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// Index into the flat parameter vector.
    Param(usize),
    /// Column-major index into `state⟨0⟩`.
    InitialState(usize),
}

/// The outcome of a gradient check: the worst disagreement found.
///
/// # Examples
///
/// ```
/// use recurrent::grad::{Batch, CheckOptions, Loss, check, relative_error};
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// use recurrent::prelude::*;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(6);
/// let net = Elman::<f64>::builder(1, 3, 1).build(&mut rng)?;
/// let x = Sequence::new(DMatrix::from_fn(1, 4, |_, t| t as f64 * 0.5), 1)?;
/// let d = Sequence::new(DMatrix::from_element(1, 4, 0.2), 1)?;
/// let r = check(&net, Batch::new(&x, &d), Loss::mse(), CheckOptions::default())?;
/// assert_eq!(r.checked, net.n_params() + 3); // θ and state⟨0⟩
/// assert!(r.max_rel_error < 1e-6, "worst at {:?}: {} vs {}", r.worst, r.analytic, r.numeric);
/// assert!(relative_error(r.analytic, r.numeric, 1e-5 * r.loss.max(1.0)) <= r.max_rel_error);
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CheckReport {
    /// Largest relative error `|a − n| / max(|a|, |n|, floor·max(1, |L|))` over all checked
    /// entries.
    pub max_rel_error: f64,
    /// Where it occurred.
    pub worst: Location,
    /// The analytic (BPTT) value there.
    pub analytic: f64,
    /// The finite-difference value there.
    pub numeric: f64,
    /// Number of entries checked.
    pub checked: usize,
    /// The loss at the unperturbed point.
    pub loss: f64,
}

/// Relative error `|a − n| / max(|a|, |n|, floor)`: relative for gradients larger than
/// `floor`, absolute (scaled by `1/floor`) below it.
///
/// # Examples
///
/// ```
/// use recurrent::grad::relative_error;
/// assert!((relative_error(1.0, 1.1, 1e-6) - 0.1 / 1.1).abs() < 1e-15);
/// assert_eq!(relative_error(1e-12, 0.0, 1e-6), 1e-6);
/// ```
pub fn relative_error(analytic: f64, numeric: f64, floor: f64) -> f64 {
    let d = (analytic - numeric).abs();
    if d == 0.0 {
        return 0.0;
    }
    d / analytic.abs().max(numeric.abs()).max(floor)
}

/// Relative distance of two vectors, `‖a − b‖₂ / max(‖a‖₂, ‖b‖₂)` (0 if both are zero):
/// one number for "do these two gradients agree".
///
/// # Panics
///
/// If the lengths differ.
///
/// # Examples
///
/// ```
/// use recurrent::grad::relative_difference;
/// assert_eq!(relative_difference(&[3.0, 4.0], &[3.0, 4.0]), 0.0);
/// // ‖(0, 0.5)‖ / ‖(3, 4.5)‖
/// let r = relative_difference(&[3.0f32, 4.0], &[3.0, 4.5]);
/// assert!((r - 0.5 / (9.0f64 + 20.25).sqrt()).abs() < 1e-7);
/// assert_eq!(relative_difference::<f64>(&[0.0], &[0.0]), 0.0);
/// ```
pub fn relative_difference<T: Real>(a: &[T], b: &[T]) -> f64 {
    assert_eq!(a.len(), b.len(), "relative_difference: lengths differ");
    let (mut d, mut na, mut nb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (to_f64(*x), to_f64(*y));
        d += (x - y) * (x - y);
        na += x * x;
        nb += y * y;
    }
    let n = na.max(nb).sqrt();
    if n == 0.0 { 0.0 } else { d.sqrt() / n }
}

/// Checks [`bptt`] against central finite differences, entry by entry over the flat parameter
/// vector (and the initial state), and reports the worst relative error.
///
/// The numeric derivative is the fourth-order central stencil
/// `(−L(θ+2h) + 8L(θ+h) − 8L(θ−h) + L(θ−2h)) / 12h`, whose error is `O(h⁴)`.
/// Works for any [`Cell`], so a crate that defines its own cell can call it from its own
/// property tests.
///
/// # Examples
///
/// ```
/// use recurrent::prelude::*;
/// use recurrent::grad::{Batch, CheckOptions, Loss, check};
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(2);
/// let net = Elman::<f64>::builder(2, 3, 2).build(&mut rng)?;
/// let x = Sequence::new(DMatrix::from_fn(2, 5, |i, j| (i + j) as f64 * 0.3 - 0.5), 1)?;
/// let d = Sequence::new(DMatrix::from_element(2, 5, 0.2), 1)?;
/// let report = check(&net, Batch::new(&x, &d), Loss::mse(), CheckOptions::default())?;
/// assert!(report.max_rel_error < 1e-6, "{report:?}");
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// As [`bptt`], for the unperturbed or any perturbed point; [`Error::InvalidParameter`] for a
/// non-positive step or negative floor.
///
/// # Complexity
///
/// `4·(P + n_state·B)` forward passes for `P` parameters.
pub fn check<T: Real, C: Cell<Scalar = T> + Clone>(
    net: &Net<C>,
    batch: Batch<'_, T>,
    loss: Loss,
    options: CheckOptions,
) -> Result<CheckReport> {
    let step = options
        .step
        .unwrap_or_else(|| to_f64(T::default_epsilon()).powf(0.2) / 4.0);
    if !(step.is_finite() && step > 0.0) {
        return Err(Error::invalid(
            "step",
            format!("must be finite and > 0, got {step}"),
        ));
    }
    if options.floor.is_nan() || options.floor < 0.0 {
        return Err(Error::invalid("floor", "must be ≥ 0"));
    }
    let g = bptt(net, batch, loss)?;
    let xs = batch.inputs;
    let mut trace = Trace::new(net.cell(), xs.steps(), xs.batch());
    let mut d_out = DMatrix::zeros(0, 0);
    let mut work = net.clone();
    let mut report = CheckReport {
        max_rel_error: 0.0,
        worst: Location::Param(0),
        analytic: 0.0,
        numeric: 0.0,
        checked: 0,
        loss: to_f64(g.loss),
    };
    let floor = options.floor * report.loss.abs().max(1.0);
    let mut record = |loc: Location, a: T, n: f64| {
        let a = to_f64(a);
        let e = relative_error(a, n, floor);
        if e > report.max_rel_error || report.checked == 0 {
            report.max_rel_error = e;
            report.worst = loc;
            report.analytic = a;
            report.numeric = n;
        }
        report.checked += 1;
    };
    // derivative of L along one coordinate, by the 4-point central stencil
    let stencil = |base: T, eval: &mut dyn FnMut(T) -> Result<T>| -> Result<f64> {
        let h = step * to_f64(base).abs().max(1.0);
        let mut at = |k: f64| -> Result<f64> { eval(base + lit::<T>(k * h)).map(to_f64) };
        let (p2, p1, m1, m2) = (at(2.0)?, at(1.0)?, at(-1.0)?, at(-2.0)?);
        // the realised step can differ from h after rounding θ + h to T; use the nominal one
        Ok((-p2 + 8.0 * p1 - 8.0 * m1 + m2) / (12.0 * h))
    };
    for i in 0..net.n_params() {
        let base = net.params()[i];
        let n = stencil(base, &mut |v| {
            work.params_mut()[i] = v;
            forward_loss(&work, batch, loss, &mut trace, &mut d_out)
        })?;
        work.params_mut()[i] = base;
        record(Location::Param(i), g.params[i], n);
    }
    if options.initial_state {
        let mut a0 = batch
            .initial
            .cloned()
            .unwrap_or_else(|| net.cell().initial_state(xs.batch()));
        for i in 0..a0.len() {
            let base = a0[i];
            let n = stencil(base, &mut |v| {
                a0[i] = v;
                let a = a0.clone();
                forward_loss(net, batch.with_initial(&a), loss, &mut trace, &mut d_out)
            })?;
            a0[i] = base;
            record(Location::InitialState(i), g.initial_state[i], n);
        }
    }
    Ok(report)
}

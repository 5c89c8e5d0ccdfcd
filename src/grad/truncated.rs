//! Truncated back-propagation through time, BPTT(h, h′) (Williams & Peng 1990).

use super::bptt::{Batch, Bptt, Gradient};
use super::loss::{Loss, Reduction};
use crate::error::{Error, Result, check_shape};
use crate::net::Net;
use crate::scalar::Real;
use crate::sequence::{Mask, Sequence};
use crate::traits::Cell;
use nalgebra::DMatrix;

/// One update of [`TruncatedBptt`]: which steps it scored and back-propagated through.
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// use recurrent::prelude::*;
/// use recurrent::grad::{Batch, Loss, TruncatedBptt};
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
/// let net = Elman::<f64>::builder(1, 3, 1).build(&mut rng)?;
/// let x = Sequence::new(DMatrix::from_fn(1, 10, |_, t| (t as f64).sin()), 1)?;
/// let d = Sequence::new(DMatrix::zeros(1, 10), 1)?;
/// // BPTT(4, 2): an update every 2 steps, back through the last 4
/// let mut tb = TruncatedBptt::new(4, 2)?;
/// let mut updates = Vec::new();
/// while let Some(u) = tb.next(&net, Batch::new(&x, &d), Loss::mse())? {
///     updates.push((u.losses.clone(), u.window.clone()));
/// }
/// assert_eq!(updates.len(), 5);
/// assert_eq!(updates[2], (4..6, 2..6));
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Update<T: Real> {
    /// The loss of this update's new steps (see [`TruncatedBptt`] for the reduction).
    pub loss: T,
    /// The steps whose losses this update includes: `losses.start..losses.end` (0-based).
    pub losses: std::ops::Range<usize>,
    /// The steps back-propagated through: `window.start..losses.end`, at most `h` of them.
    pub window: std::ops::Range<usize>,
    /// The total mask weight of the scored steps (their number times `B` without a mask).
    pub weight: T,
}

/// Truncated BPTT(h, h′) over a long stream (Williams & Peng 1990), stateful: every `h′`
/// steps, back-propagate the last `h` steps, and carry the state across updates.
///
/// Update `k` ends at step `e = min(k·h′, T)` and includes **exactly the losses of the steps
/// `e − h′ .. e`** (the steps since the previous update, each step's loss is counted in one
/// update only), each back-propagated to the window start `s = max(e − h, 0)`: the loss of
/// step `e − 1` through `h` steps, the loss of step `e − h′` through `h − h′ + 1`. The state
/// `state⟨s⟩` at the window start is carried from the previous windows and treated as a
/// constant (no gradient flows into it, except into the real initial state when `s = 0`).
/// The window's forward pass is recomputed from `state⟨s⟩` with the current weights, so a
/// weight update between calls takes effect at once.
///
/// Under [`Reduction::Mean`] the update's loss and gradient are the mean over its scored
/// steps and columns (mask weights respected); under [`Reduction::Sum`], their sum. An update
/// whose steps all have mask weight 0 (e.g. a sequence-to-one mask before the last step) is
/// not reported: the state still advances. The accumulated result of
/// [`truncated_bptt`] re-weights the updates so that, with `h ≥ T` and fixed weights, it is
/// exactly full BPTT's gradient.
///
/// Call [`TruncatedBptt::next`] until it returns `Ok(None)`; between calls the caller may
/// change the cell's weights with [`TruncatedBptt::grad`] (an optimiser step).
///
/// | name | purpose | range |
/// |---|---|---|
/// | `h` | steps back-propagated per update | `≥ 1` |
/// | `h′` (`h_prime`) | steps between updates (new losses per update) | `1 ≤ h′ ≤ h` |
///
/// Elman's (1990) training, "the context units are just more inputs", is BPTT(1, 1).
///
/// # Examples
///
/// ```
/// use recurrent::prelude::*;
/// use recurrent::grad::{Batch, Loss, TruncatedBptt};
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(4);
/// let mut net = Elman::<f64>::builder(1, 6, 1).build(&mut rng)?;
/// let x = Sequence::new(DMatrix::from_fn(1, 100, |_, t| (t as f64 * 0.3).sin()), 1)?;
/// let d = Sequence::new(DMatrix::from_fn(1, 100, |_, t| (t as f64 * 0.3 + 0.3).sin()), 1)?;
/// let mut tb = TruncatedBptt::new(8, 4)?;
/// let mut updates = 0;
/// while let Some(u) = tb.next(&net, Batch::new(&x, &d), Loss::mse())? {
///     assert!(u.window.len() <= 8 && u.losses.len() <= 4);
///     let g = tb.grad().to_vec();
///     for (w, g) in net.params_mut().iter_mut().zip(&g) { *w -= 0.05 * g; }
///     updates += 1;
/// }
/// assert_eq!(updates, 25);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Complexity
///
/// Each step is run forward and backward about `h/h′` times: `O(T·(h/h′)·N²)` time, and
/// `O(h·N)` memory for the window's states, independent of the stream length `T`.
///
/// # References
///
/// [^1]: R. J. Williams and J. Peng (1990), "An efficient gradient-based algorithm for on-line
///   training of recurrent network trajectories", Neural Computation 2(4), 490–501.
#[derive(Clone, Debug)]
pub struct TruncatedBptt<T: Real> {
    h: usize,
    h_prime: usize,
    pos: usize,
    /// The state at the next window's start, if that is past step 0, carried over.
    carry: Option<DMatrix<T>>,
    ws: Option<Bptt<T>>,
    xs: Option<Sequence<T>>,
    ds: Option<Sequence<T>>,
    weights: Vec<T>,
}

impl<T: Real> TruncatedBptt<T> {
    /// BPTT(h, h′).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] unless `h ≥ 1` and `1 ≤ h′ ≤ h`.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::grad::TruncatedBptt;
    /// let elman_1990 = TruncatedBptt::<f64>::new(1, 1)?; // context units as extra inputs
    /// assert_eq!(elman_1990.position(), 0);
    /// assert!(TruncatedBptt::<f64>::new(4, 8).is_err()); // h′ > h
    /// assert!(TruncatedBptt::<f64>::new(0, 1).is_err());
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn new(h: usize, h_prime: usize) -> Result<Self> {
        if h == 0 {
            return Err(Error::invalid("h", "must be at least 1"));
        }
        if h_prime == 0 || h_prime > h {
            return Err(Error::invalid(
                "h_prime",
                format!("must be in 1..={h} (h), got {h_prime}"),
            ));
        }
        Ok(Self {
            h,
            h_prime,
            pos: 0,
            carry: None,
            ws: None,
            xs: None,
            ds: None,
            weights: Vec::new(),
        })
    }

    /// Steps of the stream consumed so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Starts the stream again from its first step (and initial state).
    pub fn reset(&mut self) {
        self.pos = 0;
        self.carry = None;
    }

    /// The gradient of the last update reported by [`TruncatedBptt::next`] (layout of
    /// [`crate::Parameters::params`]).
    pub fn grad(&self) -> &[T] {
        self.ws.as_ref().map_or(&[], |w| w.grad())
    }

    /// `∂L_update/∂state⟨0⟩` of the last update (`n_state × B`), nonzero only for a window
    /// that starts at step 0; `None` before the first update.
    pub fn d_initial(&self) -> Option<nalgebra::DMatrixView<'_, T>> {
        self.ws.as_ref().map(|w| w.d_initial())
    }

    /// Advances through the stream to the next update with a nonzero loss weight, computes its
    /// loss and gradient ([`TruncatedBptt::grad`]) and returns what it covered; `Ok(None)` once
    /// the stream is consumed. Pass the same `batch` (the whole stream) on every call.
    ///
    /// # Errors
    ///
    /// As [`super::bptt`] for the stream's data (checked window by window, so a non-finite
    /// value is reported when its window is reached; the index is then the step within the
    /// window); [`Error::DimensionMismatch`] if the stream's shape changes between calls.
    pub fn next<C: Cell<Scalar = T>>(
        &mut self,
        net: &Net<C>,
        batch: Batch<'_, T>,
        loss: Loss,
    ) -> Result<Option<Update<T>>> {
        let op = "truncated_bptt";
        let cell = net.cell();
        let n_target = loss.target_rows(cell.n_output());
        let (xs, ds) = (batch.inputs, batch.targets);
        let (steps, b) = (xs.steps(), xs.batch());
        if steps == 0 {
            return Err(Error::Empty { op, what: "inputs" });
        }
        check_shape(
            op,
            "inputs",
            (cell.n_input(), steps * b),
            xs.as_matrix().shape(),
        )?;
        check_shape(op, "targets", (n_target, steps * b), ds.as_matrix().shape())?;
        if ds.batch() != b {
            return Err(Error::DimensionMismatch {
                op,
                what: "targets",
                expected: (n_target, b),
                got: (n_target, ds.batch()),
            });
        }
        if let Some(m) = batch.mask {
            check_shape(op, "mask", (steps, b), m.shape())?;
        }
        let weight = |j: usize| batch.mask.map_or(T::one(), |m| m.weights()[j]);
        while self.pos < steps {
            let end = (self.pos + self.h_prime).min(steps);
            let first = self.pos;
            let start = end.saturating_sub(self.h);
            let len = end - start;
            let kept = (first * b..end * b).fold(T::zero(), |a, j| a + weight(j));
            let scale = match loss.reduction {
                Reduction::Mean if kept > T::zero() => T::one() / kept,
                _ => T::one(),
            };
            // The window's data and weights: zero for the steps already scored.
            let (i, o) = (cell.n_input(), n_target);
            if self
                .xs
                .as_ref()
                .is_none_or(|s| s.steps() != len || s.batch() != b)
            {
                self.xs = Some(Sequence::zeros(i, len, b));
                self.ds = Some(Sequence::zeros(o, len, b));
            }
            let (wx, wd) = (
                self.xs.as_mut().expect("set above"),
                self.ds.as_mut().expect("set above"),
            );
            wx.as_matrix_mut()
                .copy_from(&xs.as_matrix().columns(start * b, len * b));
            wd.as_matrix_mut()
                .copy_from(&ds.as_matrix().columns(start * b, len * b));
            self.weights.clear();
            self.weights.extend((start * b..end * b).map(|j| {
                if j < first * b {
                    T::zero()
                } else {
                    weight(j) * scale
                }
            }));
            let mask = Mask::new(self.weights.clone(), len, b)?;
            let initial = if start == 0 {
                batch.initial
            } else {
                self.carry.as_ref()
            };
            let mut window = Batch::new(wx, wd).with_mask(&mask);
            if let Some(a0) = initial {
                window = window.with_initial(a0);
            }
            let ws = self.ws.get_or_insert_with(|| Bptt::new(net, len, b));
            let l = ws.compute(net, window, loss.with_reduction(Reduction::Sum))?;
            // The next window ends at min(end + h′, T) and starts h steps before (if > 0):
            // keep the state there.
            let next_start = (end + self.h_prime).min(steps).saturating_sub(self.h);
            if next_start > 0 && end < steps {
                let s = ws.trace().state(next_start - start).into_owned();
                self.carry = Some(s);
            }
            self.pos = end;
            if kept > T::zero() {
                return Ok(Some(Update {
                    loss: l,
                    losses: first..end,
                    window: start..end,
                    weight: kept,
                }));
            }
        }
        Ok(None)
    }
}

/// Sums the updates of one stream with the weights that make them add up to the
/// sequence loss.
struct Accumulator<T: Real> {
    out: Gradient<T>,
    total: T,
    mean: bool,
}

impl<T: Real> Accumulator<T> {
    fn new<C: Cell<Scalar = T>>(cell: &C, batch: Batch<'_, T>, loss: Loss) -> Result<Self> {
        let (steps, b) = (batch.inputs.steps(), batch.inputs.batch());
        let total = match batch.mask {
            Some(m) => m.weights().iter().fold(T::zero(), |a, w| a + *w),
            None => crate::scalar::lit((steps * b) as f64),
        };
        let mean = loss.reduction == Reduction::Mean;
        if mean && steps > 0 && total <= T::zero() {
            return Err(Error::Empty {
                op: "truncated_bptt",
                what: "mask (it keeps no step)",
            });
        }
        Ok(Self {
            out: Gradient {
                loss: T::zero(),
                params: vec![T::zero(); cell.n_params()],
                initial_state: DMatrix::zeros(cell.n_state(), b),
            },
            total,
            mean,
        })
    }

    fn add(&mut self, tb: &TruncatedBptt<T>, u: &Update<T>) {
        let f = if self.mean {
            u.weight / self.total
        } else {
            T::one()
        };
        self.out.loss += f * u.loss;
        for (a, g) in self.out.params.iter_mut().zip(tb.grad()) {
            *a += f * *g;
        }
        if u.window.start == 0
            && let Some(d) = tb.d_initial()
        {
            self.out.initial_state += d * f;
        }
    }
}

/// The gradient accumulated over all updates of BPTT(h, h′) on a stream, with the weights
/// held fixed: each update's gradient ([`TruncatedBptt`]) weighted so that the result has the
/// scale of [`super::bptt`]'s (under [`Reduction::Mean`], by the update's share of the total
/// mask weight). With `h ≥ T` every loss is back-propagated to step 0 and the result equals
/// full BPTT's gradient, including `∂L/∂state⟨0⟩`; with a shorter window it is the truncated
/// approximation, and `initial_state` collects only the windows that start at step 0.
///
/// # Examples
///
/// ```
/// use recurrent::prelude::*;
/// use recurrent::grad::{Batch, Loss, bptt, relative_difference, truncated_bptt};
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(9);
/// let net = Elman::<f64>::builder(2, 5, 1).build(&mut rng)?;
/// let x = Sequence::new(DMatrix::from_fn(2, 12, |i, j| ((i * 5 + j) as f64).cos()), 1)?;
/// let d = Sequence::new(DMatrix::from_element(1, 12, 0.1), 1)?;
/// let full = bptt(&net, Batch::new(&x, &d), Loss::mse())?;
/// let windowed = truncated_bptt(&net, Batch::new(&x, &d), Loss::mse(), 12, 3)?;
/// assert!(relative_difference(&full.params, &windowed.params) < 1e-12);
/// let short = truncated_bptt(&net, Batch::new(&x, &d), Loss::mse(), 2, 1)?;
/// assert!(relative_difference(&full.params, &short.params) > 1e-6);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// As [`TruncatedBptt::new`] and [`TruncatedBptt::next`]; [`Error::Empty`] if a mask keeps no
/// step under [`Reduction::Mean`].
pub fn truncated_bptt<T: Real, C: Cell<Scalar = T>>(
    net: &Net<C>,
    batch: Batch<'_, T>,
    loss: Loss,
    h: usize,
    h_prime: usize,
) -> Result<Gradient<T>> {
    let mut tb = TruncatedBptt::new(h, h_prime)?;
    let mut acc = Accumulator::new(net.cell(), batch, loss)?;
    while let Some(u) = tb.next(net, batch, loss)? {
        acc.add(&tb, &u);
    }
    Ok(acc.out)
}

/// Runs BPTT(h, h′) over the stream and calls `on_update(net, grad, update)` after each
/// update, where the caller may change the weights (an optimiser step after clipping): the
/// next window uses them. Returns the accumulated gradient as [`truncated_bptt`] does; when
/// the callback changed the weights it is a record of the gradients applied, not the
/// gradient at any one point.
///
/// # Examples
///
/// ```
/// use recurrent::prelude::*;
/// use recurrent::grad::{Batch, Loss, truncated_bptt_with};
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(4);
/// let mut net = Elman::<f64>::builder(1, 6, 1).build(&mut rng)?;
/// let x = Sequence::new(DMatrix::from_fn(1, 60, |_, t| (t as f64 * 0.3).sin()), 1)?;
/// let d = Sequence::new(DMatrix::from_fn(1, 60, |_, t| (t as f64 * 0.3 + 0.3).sin()), 1)?;
/// let mut losses = Vec::new();
/// truncated_bptt_with(&mut net, Batch::new(&x, &d), Loss::mse(), 10, 5, |net, g, u| {
///     for (w, g) in net.params_mut().iter_mut().zip(g) { *w -= 0.05 * g; }
///     losses.push(u.loss);
///     Ok(())
/// })?;
/// assert_eq!(losses.len(), 12);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// As [`truncated_bptt`], and any error the callback returns (which stops the run).
pub fn truncated_bptt_with<T: Real, C: Cell<Scalar = T>>(
    net: &mut Net<C>,
    batch: Batch<'_, T>,
    loss: Loss,
    h: usize,
    h_prime: usize,
    mut on_update: impl FnMut(&mut Net<C>, &[T], &Update<T>) -> Result<()>,
) -> Result<Gradient<T>> {
    let mut tb = TruncatedBptt::new(h, h_prime)?;
    let mut acc = Accumulator::new(net.cell(), batch, loss)?;
    while let Some(u) = tb.next(&*net, batch, loss)? {
        acc.add(&tb, &u);
        on_update(net, tb.grad(), &u)?;
    }
    Ok(acc.out)
}

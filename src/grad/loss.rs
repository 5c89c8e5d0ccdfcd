//! Per-step losses with masks.

use crate::error::{Error, Result, check_shape};
use crate::scalar::Real;
use crate::sequence::{Mask, Sequence};
use nalgebra::{DMatrixView, DMatrixViewMut};

/// The loss of one output column `y` against its target `d`.
///
/// # Examples
///
/// ```
/// use recurrent::grad::{Loss, LossKind, Reduction};
/// assert_eq!(Loss::mse().kind, LossKind::SquaredError);
/// assert_eq!(Loss::softmax_cross_entropy().kind, LossKind::SoftmaxCrossEntropy);
/// // class indices need one target row whatever the number of classes
/// assert_eq!(Loss::softmax_cross_entropy().target_rows(10), 1);
/// assert_eq!(Loss { kind: LossKind::SquaredError, reduction: Reduction::Sum }, Loss::sum_squared());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum LossKind {
    /// `ℓ(y, d) = ½ Σ_i (y_i − d_i)²`, with `∂ℓ/∂y = y − d`.
    SquaredError,
    /// `ℓ(y, d) = −Σ_i d_i ln y_i` for probabilities `y` (a softmax output) and a target
    /// distribution `d` (one-hot for classes); `∂ℓ/∂y_i = −d_i / y_i`, and terms with `d_i = 0`
    /// are skipped. Through a softmax output this gives the familiar `∂ℓ/∂z = y − d`.
    CrossEntropy,
    /// Softmax and negative log-likelihood fused, on **logits** `z` (an identity output) with
    /// a **class index** `k` as the target (one row of targets, the index stored as an exact
    /// integer): `ℓ(z, k) = log Σ_i e^{z_i} − z_k`, with `∂ℓ/∂z = softmax(z) − e_k`.
    ///
    /// No `V × T·B` one-hot target matrix and no softmax Jacobian: the classifier over a
    /// vocabulary (a language model's next word) costs `O(V)` per column. Computed with the
    /// maximum subtracted first, so large logits do not overflow.
    SoftmaxCrossEntropy,
}

/// How per-step losses are combined.
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use recurrent::Sequence;
/// use recurrent::grad::{Loss, Reduction};
/// let y = DMatrix::from_row_slice(1, 4, &[1.0, 1.0, 1.0, 1.0]);
/// let d = Sequence::new(DMatrix::zeros(1, 4), 1)?;
/// let mut dy = DMatrix::zeros(1, 4);
/// let sum = Loss::mse().with_reduction(Reduction::Sum).evaluate(y.as_view(), &d, None, dy.as_view_mut())?;
/// let mean = Loss::mse().evaluate(y.as_view(), &d, None, dy.as_view_mut())?;
/// assert_eq!((sum, mean), (2.0, 0.5)); // ½·1 per step, summed or averaged over 4 steps
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Reduction {
    /// `L = Σ_{t,b} m_tb ℓ(y_tb, d_tb)`.
    Sum,
    /// `L = Σ_{t,b} m_tb ℓ(y_tb, d_tb) / Σ_{t,b} m_tb`: the mean over the steps (and batch
    /// columns) the mask keeps.
    Mean,
}

/// A loss over a sequence batch: a per-column [`LossKind`], weighted by a [`Mask`] (all ones
/// when none is given) and combined by a [`Reduction`].
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use recurrent::Sequence;
/// use recurrent::grad::Loss;
/// let y = DMatrix::from_row_slice(1, 2, &[1.0, 3.0]);
/// let d = Sequence::new(DMatrix::from_row_slice(1, 2, &[0.0, 1.0]), 1)?;
/// let mut dy = DMatrix::zeros(1, 2);
/// // ½(1² + 2²) summed = 2.5; as a mean over the 2 steps = 1.25
/// assert_eq!(Loss::sum_squared().evaluate(y.as_view(), &d, None, dy.as_view_mut())?, 2.5);
/// assert_eq!(Loss::mse().evaluate(y.as_view(), &d, None, dy.as_view_mut())?, 1.25);
/// assert_eq!(dy[(0, 1)], 1.0); // (3 − 1) / 2
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Loss {
    /// The per-column loss.
    pub kind: LossKind,
    /// How columns and steps are combined.
    pub reduction: Reduction,
}

impl Loss {
    /// Squared error summed over steps and columns.
    pub const fn sum_squared() -> Self {
        Self {
            kind: LossKind::SquaredError,
            reduction: Reduction::Sum,
        }
    }

    /// Mean squared error: `½‖y − d‖²` averaged over the kept steps and columns.
    pub const fn mse() -> Self {
        Self {
            kind: LossKind::SquaredError,
            reduction: Reduction::Mean,
        }
    }

    /// Cross-entropy averaged over the kept steps and columns (pair with a softmax output).
    pub const fn cross_entropy() -> Self {
        Self {
            kind: LossKind::CrossEntropy,
            reduction: Reduction::Mean,
        }
    }

    /// Softmax cross-entropy on logits with class-index targets, averaged over the kept steps
    /// and columns (see [`LossKind::SoftmaxCrossEntropy`]): the loss of a classifier or a
    /// language model. `exp` of the mean is the perplexity.
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use recurrent::Sequence;
    /// use recurrent::grad::Loss;
    /// // logits of 3 classes for 2 columns, targets: class 2 then class 0
    /// let z = DMatrix::from_column_slice(3, 2, &[0.0, 0.0, 0.0, 1.0, 2.0, 3.0]);
    /// let k = Sequence::new(DMatrix::from_row_slice(1, 2, &[2.0, 0.0]), 1)?;
    /// let mut dz = DMatrix::zeros(3, 2);
    /// let l = Loss::softmax_cross_entropy().evaluate(z.as_view(), &k, None, dz.as_view_mut())?;
    /// let lse = (1f64.exp() + 2f64.exp() + 3f64.exp()).ln();
    /// assert!((l - (3f64.ln() + lse - 1.0) / 2.0).abs() < 1e-12);
    /// assert!((dz.column(0).sum()).abs() < 1e-12); // softmax − one-hot sums to 0
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub const fn softmax_cross_entropy() -> Self {
        Self {
            kind: LossKind::SoftmaxCrossEntropy,
            reduction: Reduction::Mean,
        }
    }

    /// Rows of a target column for outputs of `n_output` rows: `n_output`, or 1 for the class
    /// index of [`LossKind::SoftmaxCrossEntropy`].
    pub const fn target_rows(&self, n_output: usize) -> usize {
        match self.kind {
            LossKind::SoftmaxCrossEntropy => 1,
            _ => n_output,
        }
    }

    /// The same loss with another reduction.
    pub const fn with_reduction(self, reduction: Reduction) -> Self {
        Self {
            kind: self.kind,
            reduction,
        }
    }

    /// The weight of batch column `j` (step-major, `j = t·B + b`) in `L`: its mask weight,
    /// divided by the sum of all mask weights under [`Reduction::Mean`].
    ///
    /// # Errors
    ///
    /// [`Error::DimensionMismatch`] if the mask is not `steps × batch`; [`Error::Empty`] if it
    /// keeps no step under [`Reduction::Mean`].
    pub(crate) fn column_weights<'m, T: Real>(
        &self,
        op: &'static str,
        mask: Option<&'m Mask<T>>,
        steps: usize,
        batch: usize,
    ) -> Result<impl Fn(usize) -> T + 'm> {
        if let Some(m) = mask {
            check_shape(op, "mask", (steps, batch), m.shape())?;
        }
        let weight = move |j: usize| mask.map_or(T::one(), |m| m.weights()[j]);
        let norm = match self.reduction {
            Reduction::Sum => T::one(),
            Reduction::Mean => {
                let total = (0..steps * batch).fold(T::zero(), |acc, j| acc + weight(j));
                if total <= T::zero() {
                    return Err(Error::Empty {
                        op,
                        what: "mask (it keeps no step)",
                    });
                }
                total
            }
        };
        Ok(move |j: usize| weight(j) / norm)
    }

    /// Computes the loss of `outputs` (`n_output × T·B`) against `targets` (`n_output × T·B`,
    /// or `1 × T·B` class indices for [`LossKind::SoftmaxCrossEntropy`]) and writes `∂L/∂y`
    /// into `d_outputs` (the shape of `outputs`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a class target that is not an index below `n_output`;
    /// [`Error::DimensionMismatch`] if targets, mask or `d_outputs` do not match the outputs;
    /// [`Error::NonFinite`] for non-finite targets (index = step) or a non-finite loss
    /// (index = first step whose loss is not finite; e.g. a cross-entropy target on an output
    /// probability of exactly 0); [`Error::Empty`] if the mask keeps no step under
    /// [`Reduction::Mean`].
    pub fn evaluate<T: Real>(
        &self,
        outputs: DMatrixView<'_, T>,
        targets: &Sequence<T>,
        mask: Option<&Mask<T>>,
        mut d_outputs: DMatrixViewMut<'_, T>,
    ) -> Result<T> {
        let op = "loss";
        let b = targets.batch();
        let steps = targets.steps();
        let rows = self.target_rows(outputs.nrows());
        targets.validate(op, "targets", rows, outputs.ncols() / b, b)?;
        check_shape(
            op,
            "targets",
            (rows, outputs.ncols()),
            targets.as_matrix().shape(),
        )?;
        check_shape(op, "output gradient", outputs.shape(), d_outputs.shape())?;
        let weight = self.column_weights(op, mask, steps, b)?;
        let half: T = crate::scalar::lit(0.5);
        let d = targets.as_matrix();
        let mut total = T::zero();
        for j in 0..steps * b {
            let w = weight(j);
            let (y, dj) = (outputs.column(j), d.column(j));
            let mut g = d_outputs.column_mut(j);
            let mut l = T::zero();
            match self.kind {
                LossKind::SquaredError => {
                    for k in 0..y.len() {
                        let e = y[k] - dj[k];
                        l += half * e * e;
                        g[k] = w * e;
                    }
                }
                LossKind::SoftmaxCrossEntropy => {
                    l = softmax_nll(y, dj[0], w, g.as_mut_slice(), j)?;
                }
                LossKind::CrossEntropy => {
                    for k in 0..y.len() {
                        if dj[k] == T::zero() {
                            g[k] = T::zero();
                        } else {
                            l -= dj[k] * y[k].ln();
                            g[k] = -w * dj[k] / y[k];
                        }
                    }
                }
            }
            if w == T::zero() {
                g.fill(T::zero());
                continue;
            }
            if !l.is_finite() {
                return Err(Error::NonFinite {
                    op,
                    what: "loss",
                    index: j / b,
                });
            }
            total += w * l;
        }
        Ok(total)
    }
}

/// `log Σ e^{z_i} − z_k` for the logits `z` (one column) and class `k`; writes
/// `w·(softmax(z) − e_k)` into `g`.
fn softmax_nll<T: Real>(
    z: nalgebra::DVectorView<'_, T>,
    k: T,
    w: T,
    g: &mut [T],
    column: usize,
) -> Result<T> {
    let kf = crate::scalar::to_f64(k);
    if !(kf >= 0.0 && kf.fract() == 0.0 && kf < z.len() as f64) {
        return Err(Error::invalid(
            "targets",
            format!(
                "column {column} holds {kf}, not a class index below {}",
                z.len()
            ),
        ));
    }
    let k = kf as usize;
    if w == T::zero() {
        return Ok(T::zero()); // a masked (padding) column: the caller zeroes its gradient
    }
    // contiguous: a column of a column-major matrix
    let z = z.as_slice();
    let m = max_slice(z);
    for (gi, zi) in g.iter_mut().zip(z) {
        *gi = *zi - m;
    }
    // e^{z − max}: a branch-free polynomial on the whole slice (vectorised), not V libm calls
    crate::kernel::exp(g);
    let sum = sum_slice(g);
    let scale = w / sum;
    for gi in g.iter_mut() {
        *gi *= scale;
    }
    g[k] -= w;
    Ok(m + sum.ln() - z[k])
}

/// Lanes of the reductions below: independent accumulators, so the loops vectorise (a single
/// running sum is a chain the compiler may not reorder).
const LANES: usize = 8;

/// `max_i x_i` (NaN-propagation is not needed: a NaN logit makes the loss NaN anyway, and the
/// caller reports it).
fn max_slice<T: Real>(x: &[T]) -> T {
    let mut acc = [x[0]; LANES];
    let mut chunks = x.chunks_exact(LANES);
    for c in &mut chunks {
        for (a, v) in acc.iter_mut().zip(c) {
            *a = if *v > *a { *v } else { *a };
        }
    }
    let mut m = chunks
        .remainder()
        .iter()
        .fold(acc[0], |m, v| if *v > m { *v } else { m });
    for a in &acc[1..] {
        m = if *a > m { *a } else { m };
    }
    m
}

/// `Σ_i x_i` over `LANES` partial sums.
fn sum_slice<T: Real>(x: &[T]) -> T {
    let mut acc = [T::zero(); LANES];
    let mut chunks = x.chunks_exact(LANES);
    for c in &mut chunks {
        for (a, v) in acc.iter_mut().zip(c) {
            *a += *v;
        }
    }
    let tail = chunks.remainder().iter().fold(T::zero(), |s, v| s + *v);
    acc.iter().fold(tail, |s, a| s + *a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::DMatrix;

    #[test]
    fn cross_entropy_through_softmax_is_y_minus_d() {
        let mut z = DMatrix::<f64>::from_row_slice(3, 1, &[0.2, -1.0, 0.7]);
        crate::activation::Activation::Softmax.apply(z.as_view_mut());
        let d = Sequence::new(DMatrix::from_row_slice(3, 1, &[0.0, 0.0, 1.0]), 1).unwrap();
        let mut dy = DMatrix::zeros(3, 1);
        let l = Loss::cross_entropy()
            .evaluate(z.as_view(), &d, None, dy.as_view_mut())
            .unwrap();
        assert!((l + z[(2, 0)].ln()).abs() < 1e-15);
        crate::activation::Activation::Softmax.backward(z.as_view(), dy.as_view_mut());
        for k in 0..3 {
            let expect = z[(k, 0)] - d.as_matrix()[(k, 0)];
            assert!((dy[(k, 0)] - expect).abs() < 1e-15);
        }
    }

    #[test]
    fn masks_and_errors() {
        let y = DMatrix::from_row_slice(1, 4, &[1.0, 2.0, 3.0, 4.0]);
        let d = Sequence::new(DMatrix::zeros(1, 4), 2).unwrap();
        let mut dy = DMatrix::zeros(1, 4);
        let last = Mask::last_step(2, 2);
        let l = Loss::mse()
            .evaluate(y.as_view(), &d, Some(&last), dy.as_view_mut())
            .unwrap();
        // mean over the two last-step columns of ½y²: (4.5 + 8) / 2
        assert_eq!(l, 6.25);
        assert_eq!(dy.as_slice(), &[0.0, 0.0, 1.5, 2.0]);
        let none = Mask::new(vec![0.0; 4], 2, 2).unwrap();
        assert!(matches!(
            Loss::mse().evaluate(y.as_view(), &d, Some(&none), dy.as_view_mut()),
            Err(Error::Empty { .. })
        ));
        let zero = DMatrix::from_row_slice(1, 4, &[0.0, 1.0, 1.0, 1.0]);
        let ones = Sequence::new(DMatrix::from_element(1, 4, 1.0), 2).unwrap();
        assert!(matches!(
            Loss::cross_entropy().evaluate(zero.as_view(), &ones, None, dy.as_view_mut()),
            Err(Error::NonFinite {
                what: "loss",
                index: 0,
                ..
            })
        ));
    }
}

//! Sequences of column batches, and masks over their steps.
//!
//! A batch of `B` sequences of length `T` over `d` features is stored as one
//! `d × (T·B)` column-major matrix: step `t` is the contiguous block of columns
//! `t·B .. (t+1)·B`, one column per sequence. One matrix product then handles
//! the whole batch at a step, and products that do not depend on the
//! recurrence (input projections, read-outs, weight gradients) can run over all
//! `T·B` columns at once.

use crate::error::{Error, Result, check_shape};
use crate::scalar::Real;
use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut, DVector};

/// `T` steps of a batch of `B` columns of dimension `d`, stored as one `d × (T·B)` matrix.
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use recurrent::Sequence;
/// // two sequences (B = 2) of three steps of 1-dimensional inputs
/// let x = Sequence::new(DMatrix::from_row_slice(1, 6, &[1.0, 10.0, 2.0, 20.0, 3.0, 30.0]), 2)?;
/// assert_eq!((x.dim(), x.steps(), x.batch()), (1, 3, 2));
/// assert_eq!(x.step(1)[(0, 1)], 20.0);
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "SequenceData<T>"))]
pub struct Sequence<T: Real> {
    data: DMatrix<T>,
    batch: usize,
}

/// The serialised form of a [`Sequence`], checked by [`Sequence::new`] on load.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(bound(deserialize = "T: serde::Deserialize<'de>"))]
struct SequenceData<T: Real> {
    data: MatrixData<T>,
    batch: usize,
}

/// A matrix in nalgebra's serialised form, `[data (column-major), nrows, ncols]`, read with a
/// checked `nrows · ncols`: nalgebra's own reader multiplies the two unchecked, so a file
/// claiming `2³² × 2³²` entries and holding none would overflow to 0 and be accepted.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(bound(deserialize = "T: serde::Deserialize<'de>"))]
struct MatrixData<T>(Vec<T>, usize, usize);

#[cfg(feature = "serde")]
impl<T: Real> TryFrom<SequenceData<T>> for Sequence<T> {
    type Error = Error;
    fn try_from(d: SequenceData<T>) -> Result<Self> {
        let MatrixData(data, rows, cols) = d.data;
        if rows.checked_mul(cols) != Some(data.len()) {
            return Err(Error::invalid(
                "data",
                format!("claims {rows} × {cols} entries but holds {}", data.len()),
            ));
        }
        Sequence::new(DMatrix::from_vec(rows, cols, data), d.batch)
    }
}

impl<T: Real> Sequence<T> {
    /// Wraps a `d × (T·B)` matrix whose step `t` is columns `t·B .. (t+1)·B`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] if `batch` is zero or does not divide the number of columns.
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use recurrent::Sequence;
    /// // 2 sequences of 3 steps, 1 row: columns t·2 + b
    /// let s = Sequence::new(DMatrix::from_row_slice(1, 6, &[10.0, 20.0, 11.0, 21.0, 12.0, 22.0]), 2)?;
    /// assert_eq!((s.dim(), s.steps(), s.batch()), (1, 3, 2));
    /// assert_eq!(s.step(1)[(0, 1)], 21.0); // sequence 1 at step 1
    /// assert!(Sequence::new(DMatrix::<f64>::zeros(1, 5), 2).is_err()); // 2 does not divide 5
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn new(data: DMatrix<T>, batch: usize) -> Result<Self> {
        if batch == 0 {
            return Err(Error::invalid("batch", "must be at least 1"));
        }
        if !data.ncols().is_multiple_of(batch) {
            return Err(Error::invalid(
                "batch",
                format!(
                    "{} columns are not a whole number of steps of {batch}",
                    data.ncols()
                ),
            ));
        }
        Ok(Self { data, batch })
    }

    /// A sequence of zeros with `dim` rows, `steps` steps and `batch` columns per step.
    ///
    /// # Panics
    ///
    /// If `batch` is zero.
    pub fn zeros(dim: usize, steps: usize, batch: usize) -> Self {
        assert!(batch > 0, "Sequence::zeros: batch must be at least 1");
        Self {
            data: DMatrix::zeros(dim, steps * batch),
            batch,
        }
    }

    /// Builds a sequence from one `d × B` matrix per step.
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] for no steps; [`Error::DimensionMismatch`] if the steps differ in shape;
    /// [`Error::InvalidParameter`] for zero columns.
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use recurrent::Sequence;
    /// let steps = vec![DMatrix::<f64>::zeros(3, 2), DMatrix::from_element(3, 2, 1.0)];
    /// let s = Sequence::from_steps(&steps)?;
    /// assert_eq!((s.dim(), s.steps(), s.batch()), (3, 2, 2));
    /// assert_eq!(s.step(1), steps[1]);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn from_steps(steps: &[DMatrix<T>]) -> Result<Self> {
        let first = steps.first().ok_or(Error::Empty {
            op: "Sequence::from_steps",
            what: "steps",
        })?;
        let (d, b) = first.shape();
        if b == 0 {
            return Err(Error::invalid("batch", "must be at least 1"));
        }
        let mut data = DMatrix::zeros(d, steps.len() * b);
        for (t, m) in steps.iter().enumerate() {
            check_shape("Sequence::from_steps", "step", (d, b), m.shape())?;
            data.columns_mut(t * b, b).copy_from(m);
        }
        Ok(Self { data, batch: b })
    }

    /// Builds a batch-1 sequence from one vector per step.
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] for no steps; [`Error::DimensionMismatch`] if lengths differ.
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DVector;
    /// use recurrent::Sequence;
    /// let s = Sequence::from_vectors(&[DVector::from_column_slice(&[1.0, 0.0]), DVector::from_column_slice(&[0.0, 1.0])])?;
    /// assert_eq!((s.steps(), s.batch()), (2, 1));
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn from_vectors(steps: &[DVector<T>]) -> Result<Self> {
        let first = steps.first().ok_or(Error::Empty {
            op: "Sequence::from_vectors",
            what: "steps",
        })?;
        let d = first.len();
        let mut data = DMatrix::zeros(d, steps.len());
        for (t, v) in steps.iter().enumerate() {
            check_shape("Sequence::from_vectors", "step", (d, 1), (v.len(), 1))?;
            data.column_mut(t).copy_from(v);
        }
        Ok(Self { data, batch: 1 })
    }

    /// One-hot columns: `classes[t·B + b]` is the class of sequence `b` at step `t`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] if a class is `≥ n_classes`, `batch` is zero or does not
    /// divide `classes.len()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::Sequence;
    /// let s = Sequence::<f32>::one_hot(&[2, 0, 1], 3, 1)?; // classes 2, 0, 1 over three steps
    /// assert_eq!(s.step(0).iter().copied().collect::<Vec<f32>>(), [0.0, 0.0, 1.0]);
    /// assert!(Sequence::<f32>::one_hot(&[3], 3, 1).is_err()); // class out of range
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn one_hot(classes: &[usize], n_classes: usize, batch: usize) -> Result<Self> {
        let mut data = DMatrix::zeros(n_classes, classes.len());
        for (j, &c) in classes.iter().enumerate() {
            if c >= n_classes {
                return Err(Error::invalid(
                    "classes",
                    format!("class {c} at column {j} is not below n_classes = {n_classes}"),
                ));
            }
            data[(c, j)] = T::one();
        }
        Self::new(data, batch)
    }

    /// Feature dimension `d` (rows).
    pub fn dim(&self) -> usize {
        self.data.nrows()
    }

    /// Number of steps `T`.
    pub fn steps(&self) -> usize {
        self.data.ncols() / self.batch
    }

    /// Columns per step `B`.
    pub fn batch(&self) -> usize {
        self.batch
    }

    /// Step `t` as a `d × B` view.
    ///
    /// # Panics
    ///
    /// If `t ≥ steps()`.
    pub fn step(&self, t: usize) -> DMatrixView<'_, T> {
        self.data.columns(t * self.batch, self.batch)
    }

    /// Step `t` as a mutable `d × B` view.
    ///
    /// # Panics
    ///
    /// If `t ≥ steps()`.
    pub fn step_mut(&mut self, t: usize) -> DMatrixViewMut<'_, T> {
        self.data.columns_mut(t * self.batch, self.batch)
    }

    /// The whole `d × (T·B)` matrix.
    pub fn as_matrix(&self) -> &DMatrix<T> {
        &self.data
    }

    /// The whole matrix, mutably (its shape cannot change through this borrow).
    pub fn as_matrix_mut(&mut self) -> &mut DMatrix<T> {
        &mut self.data
    }

    /// Consumes the sequence, returning its matrix.
    pub fn into_matrix(self) -> DMatrix<T> {
        self.data
    }

    /// The step `t` of the first non-finite element, if any.
    pub(crate) fn first_non_finite_step(&self) -> Option<usize> {
        let d = self.dim().max(1);
        crate::kernel::first_non_finite(self.data.as_slice()).map(|i| i / d / self.batch)
    }

    /// Checks shape `(dim, steps, batch)` and finiteness for operation `op`.
    pub(crate) fn validate(
        &self,
        op: &'static str,
        what: &'static str,
        dim: usize,
        steps: usize,
        batch: usize,
    ) -> Result<()> {
        check_shape(op, what, (dim, steps * batch), self.data.shape())?;
        if self.batch != batch {
            return Err(Error::DimensionMismatch {
                op,
                what,
                expected: (dim, batch),
                got: (dim, self.batch),
            });
        }
        match self.first_non_finite_step() {
            Some(t) => Err(Error::NonFinite { op, what, index: t }),
            None => Ok(()),
        }
    }
}

/// Per-step, per-column loss weights: `weight(t, b)` multiplies the loss of column `b` at step `t`.
///
/// A weight of zero removes a step from the loss: sequence-to-one training keeps only the last
/// step ([`Mask::last_step`]); padded batches drop the steps past each sequence's length
/// ([`Mask::from_lengths`]).
///
/// # Examples
///
/// ```
/// use recurrent::Mask;
/// let m = Mask::<f64>::from_lengths(&[3, 1], 3)?;
/// assert_eq!(m.weight(0, 1), 1.0);
/// assert_eq!(m.weight(2, 1), 0.0);
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "MaskData<T>"))]
pub struct Mask<T: Real> {
    weights: Vec<T>,
    steps: usize,
    batch: usize,
}

/// The serialised form of a [`Mask`], checked by [`Mask::new`] on load.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct MaskData<T: Real> {
    weights: Vec<T>,
    steps: usize,
    batch: usize,
}

#[cfg(feature = "serde")]
impl<T: Real> TryFrom<MaskData<T>> for Mask<T> {
    type Error = Error;
    fn try_from(d: MaskData<T>) -> Result<Self> {
        Mask::new(d.weights, d.steps, d.batch)
    }
}

impl<T: Real> Mask<T> {
    /// A mask from weights in step-major order (`weights[t·B + b]`).
    ///
    /// # Errors
    ///
    /// [`Error::DimensionMismatch`] if `weights.len() != steps·batch`;
    /// [`Error::InvalidParameter`] for a negative or non-finite weight.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::Mask;
    /// // 2 steps of 2 columns: the second column's first step does not count
    /// let m = Mask::new(vec![1.0, 0.0, 1.0, 1.0], 2, 2)?;
    /// assert_eq!((m.weight(0, 1), m.weight(1, 1)), (0.0, 1.0));
    /// assert!(Mask::new(vec![-1.0], 1, 1).is_err());
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn new(weights: Vec<T>, steps: usize, batch: usize) -> Result<Self> {
        let len = steps.checked_mul(batch).ok_or_else(|| {
            Error::invalid(
                "steps",
                format!("{steps} steps × {batch} columns overflows"),
            )
        })?;
        check_shape("Mask::new", "weights", (len, 1), (weights.len(), 1))?;
        if let Some(i) = weights
            .iter()
            .position(|w| !w.is_finite() || *w < T::zero())
        {
            return Err(Error::invalid(
                "weights",
                format!("weight {i} is negative or not finite"),
            ));
        }
        Ok(Self {
            weights,
            steps,
            batch,
        })
    }

    /// Every step counts with weight 1.
    pub fn all(steps: usize, batch: usize) -> Self {
        Self {
            weights: vec![T::one(); steps * batch],
            steps,
            batch,
        }
    }

    /// Only the last step counts (sequence-to-one).
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::Mask;
    /// let m = Mask::<f64>::last_step(3, 2);
    /// assert_eq!(m.weights(), &[0.0, 0.0, 0.0, 0.0, 1.0, 1.0]);
    /// assert_eq!(m.shape(), (3, 2));
    /// ```
    pub fn last_step(steps: usize, batch: usize) -> Self {
        let mut weights = vec![T::zero(); steps * batch];
        if steps > 0 {
            weights[(steps - 1) * batch..].fill(T::one());
        }
        Self {
            weights,
            steps,
            batch,
        }
    }

    /// Padded batch: column `b` counts for its first `lengths[b]` steps.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] if a length exceeds `steps` or `lengths` is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::Mask;
    /// // a padded batch of two sequences, of lengths 3 and 1, in 3 steps
    /// let m = Mask::<f64>::from_lengths(&[3, 1], 3)?;
    /// assert_eq!(m.weights(), &[1.0, 1.0, 1.0, 0.0, 1.0, 0.0]);
    /// assert!(Mask::<f64>::from_lengths(&[4], 3).is_err());
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn from_lengths(lengths: &[usize], steps: usize) -> Result<Self> {
        if lengths.is_empty() {
            return Err(Error::invalid("lengths", "must name at least one column"));
        }
        if let Some(&l) = lengths.iter().find(|&&l| l > steps) {
            return Err(Error::invalid(
                "lengths",
                format!("length {l} exceeds the {steps} steps"),
            ));
        }
        let batch = lengths.len();
        let mut weights = vec![T::zero(); steps * batch];
        for (b, &l) in lengths.iter().enumerate() {
            for t in 0..l {
                weights[t * batch + b] = T::one();
            }
        }
        Ok(Self {
            weights,
            steps,
            batch,
        })
    }

    /// The weight of column `b` at step `t`.
    ///
    /// # Panics
    ///
    /// If `t ≥ steps` or `b ≥ batch`.
    pub fn weight(&self, t: usize, b: usize) -> T {
        assert!(b < self.batch, "Mask::weight: column {b} out of range");
        self.weights[t * self.batch + b]
    }

    /// Weights in step-major order.
    pub fn weights(&self) -> &[T] {
        &self.weights
    }

    /// `(steps, batch)`.
    pub fn shape(&self) -> (usize, usize) {
        (self.steps, self.batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_column_blocks() {
        let s = Sequence::<f64>::from_steps(&[
            DMatrix::from_element(2, 3, 1.0),
            DMatrix::from_element(2, 3, 2.0),
        ])
        .unwrap();
        assert_eq!((s.dim(), s.steps(), s.batch()), (2, 2, 3));
        assert_eq!(s.step(1)[(1, 2)], 2.0);
        assert!(Sequence::<f64>::new(DMatrix::zeros(2, 5), 2).is_err());
        assert!(Sequence::<f64>::new(DMatrix::zeros(2, 4), 0).is_err());
    }

    #[test]
    fn validate_finds_nan_step() {
        let mut s = Sequence::<f32>::zeros(2, 4, 3);
        s.step_mut(2)[(1, 1)] = f32::NAN;
        match s.validate("op", "inputs", 2, 4, 3) {
            Err(Error::NonFinite { index, .. }) => assert_eq!(index, 2),
            other => panic!("expected NonFinite, got {other:?}"),
        }
        assert!(matches!(
            s.validate("op", "inputs", 3, 4, 3),
            Err(Error::DimensionMismatch { .. })
        ));
    }

    #[test]
    fn masks() {
        let m = Mask::<f64>::last_step(3, 2);
        assert_eq!(m.weights(), &[0.0, 0.0, 0.0, 0.0, 1.0, 1.0]);
        assert!(Mask::<f64>::from_lengths(&[4], 3).is_err());
        assert!(Mask::new(vec![1.0, -1.0], 2, 1).is_err());
        let oh = Sequence::<f64>::one_hot(&[1, 0], 2, 1).unwrap();
        assert_eq!(oh.step(0)[(1, 0)], 1.0);
        assert!(Sequence::<f64>::one_hot(&[2], 2, 1).is_err());
    }
}

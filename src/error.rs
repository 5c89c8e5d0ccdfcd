//! The crate's one error type.
//!
//! Every public function that takes user data returns [`Result`]. Variants carry
//! structured fields (the operation, the sizes, the line) so callers can match on
//! them; `Display` renders one lower-case line.
//!
//! # Examples
//!
//! ```
//! use nalgebra::DMatrix;
//! use rand::SeedableRng;
//! use recurrent::prelude::*;
//! use recurrent::grad::{Batch, Loss, bptt};
//! let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
//! let net = Elman::<f64>::builder(2, 4, 1).build(&mut rng)?;
//! // three input rows for a network with two inputs
//! let x = Sequence::new(DMatrix::zeros(3, 5), 1)?;
//! let d = Sequence::new(DMatrix::zeros(1, 5), 1)?;
//! match bptt(&net, Batch::new(&x, &d), Loss::mse()) {
//!     Err(Error::DimensionMismatch { what, expected, got, .. }) => {
//!         assert_eq!(what, "inputs");
//!         assert_eq!((expected.0, got.0), (2, 3));
//!     }
//!     other => panic!("expected a shape error, got {other:?}"),
//! }
//! // `Display` is one line naming the operation and the argument
//! let e = bptt(&net, Batch::new(&x, &d), Loss::mse()).unwrap_err();
//! assert!(e.to_string().contains("inputs"));
//! # Ok::<(), recurrent::Error>(())
//! ```

use std::fmt;

/// A shape `(rows, columns)`; a vector of length `n` is `(n, 1)`.
///
/// # Examples
///
/// ```
/// use recurrent::error::Shape;
/// let column: Shape = (5, 1); // a vector of length 5
/// assert_eq!(column.0 * column.1, 5);
/// ```
pub type Shape = (usize, usize);

/// Everything that can go wrong in `recurrent`.
///
/// Match on the variant and its fields; every variant's `Display` is one lower-case line.
///
/// # Examples
///
/// ```
/// use recurrent::{Error, word2vec::Word2Vec};
/// let m = Word2Vec::from_parts(vec!["a".into()], vec![1], 2, vec![1.0, 0.0])?;
/// let e = m.similarity("a", "zebra").unwrap_err();
/// assert!(matches!(&e, Error::UnknownWord(w) if w == "zebra"));
/// assert_eq!(e.to_string(), "unknown word \"zebra\"");
/// let e = Word2Vec::from_parts(vec!["a".into()], vec![1], 0, vec![]).unwrap_err();
/// assert!(matches!(e, Error::InvalidParameter { name: "dim", .. }));
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// An argument had the wrong shape.
    DimensionMismatch {
        /// The operation that checked the shape (e.g. `"bptt"`).
        op: &'static str,
        /// Which argument (e.g. `"inputs"`).
        what: &'static str,
        /// The shape the operation needed.
        expected: Shape,
        /// The shape it was given.
        got: Shape,
    },
    /// An argument that must not be empty was empty (no steps, no patterns, no words).
    Empty {
        /// The operation.
        op: &'static str,
        /// Which argument was empty.
        what: &'static str,
    },
    /// A NaN or infinite value was found where finite numbers are required.
    NonFinite {
        /// The operation.
        op: &'static str,
        /// What held the value (e.g. `"inputs"`, `"loss"`).
        what: &'static str,
        /// Where it was: a step, an element index, or an optimiser step, as documented by `op`.
        index: usize,
    },
    /// A configuration value is outside its documented range.
    InvalidParameter {
        /// The parameter's name.
        name: &'static str,
        /// Why it was rejected.
        reason: String,
    },
    /// A word is not in the vocabulary.
    UnknownWord(String),
    /// A file or stream is malformed.
    Format {
        /// What was being read (e.g. `"word2vec binary"`).
        what: &'static str,
        /// The 1-based line (text) or record (binary) where the problem was found; 0 if unknown.
        line: usize,
        /// What was wrong.
        reason: String,
    },
    /// A numerical method failed (singular or ill-conditioned matrix, no convergence).
    Numerical {
        /// The operation.
        op: &'static str,
        /// What went wrong, with the figure that shows it.
        reason: String,
    },
    /// An I/O error, with what was being done.
    Io {
        /// What was being done (e.g. `"writing model.json"`).
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// `std::result::Result` with this crate's [`Error`].
///
/// # Examples
///
/// ```
/// use recurrent::{Error, Result};
/// fn positive(x: f64) -> Result<f64> {
///     if x > 0.0 {
///         Ok(x)
///     } else {
///         Err(Error::InvalidParameter { name: "x", reason: format!("must be > 0, got {x}") })
///     }
/// }
/// assert_eq!(positive(2.0)?, 2.0);
/// assert!(positive(-1.0).is_err());
/// # Ok::<(), recurrent::Error>(())
/// ```
pub type Result<T> = std::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::DimensionMismatch {
                op,
                what,
                expected,
                got,
            } => write!(
                f,
                "{op}: {what} has shape {}x{}, expected {}x{}",
                got.0, got.1, expected.0, expected.1
            ),
            Error::Empty { op, what } => write!(f, "{op}: {what} is empty"),
            Error::NonFinite { op, what, index } => {
                write!(
                    f,
                    "{op}: non-finite value (NaN or infinite) in {what} at index {index}"
                )
            }
            Error::InvalidParameter { name, reason } => {
                write!(f, "invalid parameter {name}: {reason}")
            }
            Error::UnknownWord(w) => write!(f, "unknown word {w:?}"),
            Error::Format { what, line, reason } => {
                write!(f, "malformed {what} at line {line}: {reason}")
            }
            Error::Numerical { op, reason } => write!(f, "{op}: {reason}"),
            Error::Io { context, source } => write!(f, "i/o error while {context}: {source}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl Error {
    /// Shorthand for [`Error::InvalidParameter`].
    pub(crate) fn invalid(name: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidParameter {
            name,
            reason: reason.into(),
        }
    }

    /// Shorthand for [`Error::Io`].
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

/// Returns `Err(DimensionMismatch)` unless `got == expected`.
pub(crate) fn check_shape(
    op: &'static str,
    what: &'static str,
    expected: Shape,
    got: Shape,
) -> Result<()> {
    if expected == got {
        Ok(())
    } else {
        Err(Error::DimensionMismatch {
            op,
            what,
            expected,
            got,
        })
    }
}

/// Returns `Err(NonFinite)` naming the first NaN or infinite element of `values`.
pub(crate) fn check_finite<'a, T: crate::scalar::Real>(
    op: &'static str,
    what: &'static str,
    values: impl IntoIterator<Item = &'a T>,
) -> Result<()> {
    match values.into_iter().position(|v| !v.is_finite()) {
        Some(index) => Err(Error::NonFinite { op, what, index }),
        None => Ok(()),
    }
}

/// The number of scalars in blocks of the given `(rows, cols)`, or an error naming the sizes
/// when the count overflows `usize`.
pub(crate) fn checked_len(op: &'static str, shapes: &[(usize, usize)]) -> Result<usize> {
    shapes
        .iter()
        .try_fold(0usize, |acc, &(r, c)| {
            r.checked_mul(c).and_then(|n| acc.checked_add(n))
        })
        .ok_or_else(|| {
            Error::invalid(
                "size",
                format!("{op}: parameter count of blocks {shapes:?} overflows"),
            )
        })
}

/// A vector of `len` zeros, or an error naming the size when the memory cannot be had
/// (instead of the allocator's abort).
pub(crate) fn try_zeroed<T: crate::scalar::Real>(op: &'static str, len: usize) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| {
        Error::invalid(
            "size",
            format!(
                "{op}: {len} scalars ({} bytes) cannot be allocated",
                len.saturating_mul(std::mem::size_of::<T>())
            ),
        )
    })?;
    v.resize(len, T::zero());
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_sizes() {
        let e = check_shape("bptt", "inputs", (3, 10), (4, 10)).unwrap_err();
        assert_eq!(e.to_string(), "bptt: inputs has shape 4x10, expected 3x10");
        assert!(check_shape("x", "y", (1, 2), (1, 2)).is_ok());
    }

    #[test]
    fn io_error_has_source() {
        use std::error::Error as _;
        let e = Error::io("reading x", std::io::Error::other("boom"));
        assert!(e.source().is_some());
        assert!(e.to_string().contains("reading x"));
    }
}

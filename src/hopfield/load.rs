//! Validated loading (serde) of the Hopfield networks.
//!
//! A deserialised network is checked with the same rules as its builder, and the fields that
//! must agree with each other (the sizes, the stored patterns and the weights they give) are
//! checked against each other, so a malformed or edited file is an error, never a network
//! that panics or answers wrongly later.
//!
//! Matrices are read through [`MatrixRepr`] and [`VectorRepr`], nalgebra's own serialized
//! form (`[data, nrows, ncols]`, `ncols` `null` for a vector) read with a checked
//! `nrows · ncols`: nalgebra's reader multiplies the two without a check, so a file claiming
//! `2³² × 2³²` entries and holding none overflows to `0` and passes.

use super::{Hopfield, Rule, check_pm1, rules};
use crate::error::{Error, Result, check_shape};
use crate::scalar::Real;
use nalgebra::{DMatrix, DVector};

/// The name loading errors give as the malformed thing.
const WHAT: &str = "serialized Hopfield network";

/// A matrix in nalgebra's serialized form, `[data (column-major), nrows, ncols]`.
#[derive(serde::Deserialize)]
#[serde(bound(deserialize = "T: serde::Deserialize<'de>"))]
pub(super) struct MatrixRepr<T>(Vec<T>, usize, usize);

/// A column vector in nalgebra's serialized form, `[data, nrows, null]`.
#[derive(serde::Deserialize)]
#[serde(bound(deserialize = "T: serde::Deserialize<'de>"))]
pub(super) struct VectorRepr<T>(Vec<T>, usize, ());

impl<T: Real> MatrixRepr<T> {
    /// The matrix, if its data holds exactly `nrows · ncols` entries.
    pub(super) fn into_matrix(self, field: &str) -> Result<DMatrix<T>> {
        let MatrixRepr(data, rows, cols) = self;
        check_len(field, rows, cols, data.len())?;
        Ok(DMatrix::from_vec(rows, cols, data))
    }
}

impl<T: Real> VectorRepr<T> {
    /// The vector, if its data holds exactly `nrows` entries.
    pub(super) fn into_vector(self, field: &str) -> Result<DVector<T>> {
        let VectorRepr(data, rows, ()) = self;
        check_len(field, rows, 1, data.len())?;
        Ok(DVector::from_vec(data))
    }
}

fn check_len(field: &str, rows: usize, cols: usize, len: usize) -> Result<()> {
    if rows.checked_mul(cols) == Some(len) {
        Ok(())
    } else {
        Err(Error::Format {
            what: WHAT,
            line: 0,
            reason: format!("{field} claims {rows} × {cols} entries but holds {len}"),
        })
    }
}

/// The serialized fields of [`Hopfield`].
#[derive(serde::Deserialize)]
#[serde(bound(deserialize = "T: serde::Deserialize<'de>"))]
pub(super) struct HopfieldData<T: Real> {
    /// Required: a missing `rule` must not turn a learning network into a fixed one.
    #[serde(deserialize_with = "Option::deserialize")]
    rule: Option<Rule>,
    weights: MatrixRepr<T>,
    thresholds: VectorRepr<T>,
    patterns: MatrixRepr<T>,
    n_patterns: usize,
    max_sweeps: usize,
    tie_tolerance: T,
}

impl<T: Real> TryFrom<HopfieldData<T>> for Hopfield<T> {
    type Error = Error;

    /// The checks of [`super::HopfieldBuilder::build`] on the weights (square, finite,
    /// symmetric, zero diagonal), the thresholds, `max_sweeps` and the tie tolerance; then:
    /// a network without a rule stores nothing; the Hebbian and pseudo-inverse rules keep
    /// exactly `n_patterns` patterns of ±1, and the weights are the ones the rule gives for
    /// them (to a relative `√ε`; the pseudo-inverse patterns must be independent); Storkey
    /// keeps none; a rule with no pattern stored has `W = 0`.
    fn try_from(d: HopfieldData<T>) -> Result<Self> {
        let op = "Hopfield (deserialize)";
        let net = Hopfield::builder_from_weights(d.weights.into_matrix("weights")?)
            .thresholds(d.thresholds.into_vector("thresholds")?)
            .max_sweeps(d.max_sweeps)
            .tie_tolerance(d.tie_tolerance)
            .build()?;
        let patterns = d.patterns.into_matrix("patterns")?;
        let n = net.n();
        let kept = match d.rule {
            Some(Rule::Hebbian | Rule::PseudoInverse) => d.n_patterns,
            _ => 0,
        };
        check_shape(op, "patterns", (n, kept), patterns.shape())?;
        match d.rule {
            None if d.n_patterns > 0 => {
                return Err(Error::invalid(
                    "n_patterns",
                    "a network with given weights stores no patterns",
                ));
            }
            Some(_) if d.n_patterns == 0 && net.weights.iter().any(|w| *w != T::zero()) => {
                return Err(Error::invalid(
                    "weights",
                    "a network that has stored nothing has W = 0",
                ));
            }
            Some(rule @ (Rule::Hebbian | Rule::PseudoInverse)) if d.n_patterns > 0 => {
                check_pm1(op, "patterns", n, &patterns)?;
                let expected = if rule == Rule::PseudoInverse {
                    rules::pseudo_inverse(&patterns)?
                } else {
                    let mut w = DMatrix::zeros(n, n);
                    rules::hebbian_add(&mut w, &patterns);
                    w
                };
                // both finite: the difference is a number
                let tol = T::default_epsilon().sqrt() * expected.amax().max(T::one());
                let diff = (&net.weights - &expected).amax();
                if diff > tol {
                    return Err(Error::invalid(
                        "weights",
                        format!(
                            "differ by {diff} from the weights the {rule:?} rule gives for the stored patterns"
                        ),
                    ));
                }
            }
            // Storkey keeps no patterns: its weights are checked as given weights are
            _ => {}
        }
        Ok(Self {
            rule: d.rule,
            patterns,
            n_patterns: d.n_patterns,
            ..net
        })
    }
}

//! Learning-rate schedules.

use super::check_positive;
use crate::error::{Error, Result};

/// A learning rate as a function of the epoch `e = 0, 1, 2, …`.
///
/// * constant: `η(e) = η₀`;
/// * step decay: `η(e) = η₀ · γ^⌊e / k⌋` (multiply by γ every `k` epochs);
/// * linear decay: `η(e) = η₀ + (η₁ − η₀) · min(e, E) / E`, from `η₀` at epoch 0 to `η₁` at
///   epoch `E` and constant after.
///
/// # Examples
///
/// ```
/// use recurrent::train::Schedule;
/// let s = Schedule::step(0.1, 10, 0.5)?;
/// assert_eq!((s.at(0), s.at(9), s.at(10), s.at(25)), (0.1, 0.1, 0.05, 0.025));
/// let l = Schedule::linear(1.0, 0.5, 10)?;
/// assert_eq!((l.at(0), l.at(5), l.at(10), l.at(99)), (1.0, 0.75, 0.5, 0.5));
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "ScheduleData"))]
pub struct Schedule {
    kind: Kind,
}

/// The serialised form of a [`Schedule`], checked by its constructors on load.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct ScheduleData {
    kind: Kind,
}

#[cfg(feature = "serde")]
impl TryFrom<ScheduleData> for Schedule {
    type Error = Error;
    fn try_from(d: ScheduleData) -> Result<Self> {
        match d.kind {
            Kind::Constant(lr) => Schedule::constant(lr),
            Kind::Step { lr, every, factor } => Schedule::step(lr, every, factor),
            Kind::Linear { start, end, epochs } => Schedule::linear(start, end, epochs),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
enum Kind {
    Constant(f64),
    Step { lr: f64, every: usize, factor: f64 },
    Linear { start: f64, end: f64, epochs: usize },
}

impl Schedule {
    /// `η(e) = lr`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] unless `lr` is finite and `> 0`.
    pub fn constant(lr: f64) -> Result<Self> {
        check_positive("lr", lr)?;
        Ok(Self {
            kind: Kind::Constant(lr),
        })
    }

    /// `η(e) = lr · factor^⌊e / every⌋`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] unless `lr > 0`, `every ≥ 1` and `0 < factor ≤ 1`.
    pub fn step(lr: f64, every: usize, factor: f64) -> Result<Self> {
        check_positive("lr", lr)?;
        if every == 0 {
            return Err(Error::invalid("every", "must be at least 1 epoch"));
        }
        if !(factor > 0.0 && factor <= 1.0) {
            return Err(Error::invalid(
                "factor",
                format!("must be in (0, 1], got {factor}"),
            ));
        }
        Ok(Self {
            kind: Kind::Step { lr, every, factor },
        })
    }

    /// Linear from `start` at epoch 0 to `end` at epoch `epochs`, then constant.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] unless `start` and `end` are finite and `> 0` and
    /// `epochs ≥ 1`.
    pub fn linear(start: f64, end: f64, epochs: usize) -> Result<Self> {
        check_positive("start", start)?;
        check_positive("end", end)?;
        if epochs == 0 {
            return Err(Error::invalid("epochs", "must be at least 1"));
        }
        Ok(Self {
            kind: Kind::Linear { start, end, epochs },
        })
    }

    /// The learning rate of epoch `epoch` (0-based).
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::train::Schedule;
    /// let halve = Schedule::step(0.1, 10, 0.5)?; // halve every 10 epochs
    /// assert_eq!((halve.at(0), halve.at(9), halve.at(10), halve.at(25)), (0.1, 0.1, 0.05, 0.025));
    /// let decay = Schedule::linear(1.0, 0.5, 4)?; // from 1 down to 0.5 over 4 epochs
    /// assert!(decay.at(0) == 1.0 && decay.at(4) == 0.5 && decay.at(9) == 0.5);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn at(&self, epoch: usize) -> f64 {
        match self.kind {
            Kind::Constant(lr) => lr,
            Kind::Step { lr, every, factor } => {
                let k = i32::try_from(epoch / every).unwrap_or(i32::MAX);
                lr * factor.powi(k)
            }
            Kind::Linear { start, end, epochs } => {
                let e = epoch.min(epochs) as f64 / epochs as f64;
                start + (end - start) * e
            }
        }
    }
}

//! Training: optimisers, gradient clipping, learning-rate schedules and a training loop.
//!
//! Everything here works on the flat parameter vector of [`crate::Parameters`] and the
//! gradient in the same layout (what [`crate::grad::Bptt`] produces), so it trains any
//! [`crate::Cell`], including cells defined outside the crate.
//!
//! * [`Sgd`] (plain, with momentum, optionally Nesterov) and [`Adam`] (Kingma & Ba 2015),
//!   behind the [`Optimizer`] trait;
//! * [`Clip`]: clipping by global norm (Pascanu et al. 2013) or by value, which reports a
//!   non-finite gradient as [`crate::Error::NonFinite`] instead of writing NaN weights;
//! * [`Schedule`]: constant, step and linear-decay learning rates;
//! * [`Trainer`]: epochs of shuffled mini-batches over a [`Dataset`] of sequences, early
//!   stopping on a validation loss, and an observer that receives every [`Progress`] event.
//!   The library prints nothing; the examples turn the events into progress lines.

mod clip;
mod optim;
mod schedule;
mod trainer;

pub use clip::{Clip, clip_by_norm, clip_by_value, global_norm};
pub use optim::{Adam, Optimizer, Sgd};
pub use schedule::Schedule;
pub use trainer::{Dataset, Progress, TrainConfig, TrainReport, Trainer};

pub(crate) use crate::error::check_finite;
use crate::error::{Error, Result};

/// `Err(InvalidParameter)` unless `x` is finite and `> 0`.
pub(crate) fn check_positive(name: &'static str, x: f64) -> Result<()> {
    if x.is_finite() && x > 0.0 {
        Ok(())
    } else {
        Err(Error::invalid(
            name,
            format!("must be finite and > 0, got {x}"),
        ))
    }
}

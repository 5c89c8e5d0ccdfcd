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
//!
//! # Examples
//!
//! The loop the [`Trainer`] runs, written out by hand: a gradient from BPTT, clipped by its
//! global norm, then one Adam step on the flat parameters.
//!
//! ```
//! use nalgebra::DMatrix;
//! use rand::SeedableRng;
//! use recurrent::prelude::*;
//! use recurrent::grad::{Batch, Loss, bptt};
//! use recurrent::train::{Adam, Clip, Optimizer};
//!
//! let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(11);
//! let mut net = Elman::<f64>::builder(1, 4, 1).build(&mut rng)?;
//! // learn to output the input of the step before (a one-step delay)
//! let x = DMatrix::from_fn(1, 12, |_, t| if t % 3 == 0 { 1.0 } else { 0.0 });
//! let d = DMatrix::from_fn(1, 12, |_, t| if t % 3 == 1 { 1.0 } else { 0.0 });
//! let (x, d) = (Sequence::new(x, 1)?, Sequence::new(d, 1)?);
//!
//! let mut adam = Adam::new(0.05)?;
//! let clip = Clip::norm(1.0)?;
//! let first = bptt(&net, Batch::new(&x, &d), Loss::mse())?.loss;
//! for _ in 0..100 {
//!     let mut g = bptt(&net, Batch::new(&x, &d), Loss::mse())?;
//!     clip.apply(&mut g.params)?; // returns the norm before clipping
//!     adam.step(net.params_mut(), &g.params)?;
//! }
//! let last = bptt(&net, Batch::new(&x, &d), Loss::mse())?.loss;
//! assert!(last < 0.2 * first, "{first} -> {last}");
//! # Ok::<(), recurrent::Error>(())
//! ```
//!
//! [`Trainer`] does the same over a [`Dataset`] of many sequences, with mini-batches,
//! shuffling, schedules and early stopping (see its page).

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

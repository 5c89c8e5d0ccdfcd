//! Unrolling a cell in time: the [`Trace`] that records a forward pass and holds the buffers of
//! the backward pass, and the step-by-step schedules every cell gets.
//!
//! A cell that wants a faster schedule overrides [`crate::Cell::forward_seq`] and
//! [`crate::Cell::backward_seq`] through the views of [`Trace`] (per step:
//! [`Trace::step_mut`], [`Trace::backward_step`]; whole sequence: [`Trace::parts_mut`] and a
//! typed [`Trace::workspace_mut`]); where it has nothing better to do, it calls
//! [`forward_steps`] and [`backward_steps`], the provided schedules.
//!
//! This module depends only on the traits; the algorithms of [`crate::grad`] depend on it.

mod steps;
mod trace;

pub use steps::{backward_steps, forward_steps};
pub(crate) use steps::{check_outputs, forward_checked, prepare};
pub use trace::{BackwardStep, StepMut, Trace, TraceParts};

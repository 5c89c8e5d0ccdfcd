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
//!
//! # Examples
//!
//! One forward pass and one backward pass by the provided schedules, the way
//! [`crate::grad::Bptt`] drives a cell: the trace holds every state, and after the backward
//! pass the gradient that reached each one.
//!
//! ```
//! use nalgebra::DMatrix;
//! use rand::SeedableRng;
//! use recurrent::prelude::*;
//! use recurrent::unroll::{Trace, backward_steps, forward_steps};
//!
//! let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(2);
//! let net = Elman::<f64>::builder(2, 3, 1).build(&mut rng)?;
//! let (steps, batch) = (5, 2);
//! let xs = Sequence::new(DMatrix::from_fn(2, steps * batch, |i, j| (i + j) as f64 * 0.1), batch)?;
//!
//! let mut trace = Trace::new(net.cell(), steps, batch);
//! forward_steps(net.cell(), net.params(), &xs, &mut trace);
//! // the same outputs as running the network
//! let run = net.run(&xs, None)?;
//! assert_eq!(trace.outputs(), run.outputs.as_matrix());
//!
//! // ∂L/∂y = 1 on every output, backwards through the five steps
//! let d_outputs = DMatrix::from_element(1, steps * batch, 1.0);
//! let mut grad = vec![0.0; net.n_params()];
//! backward_steps(net.cell(), net.params(), &xs, d_outputs.as_view(), &mut trace, &mut grad, None);
//! assert_eq!(trace.d_state(0).shape(), (3, batch)); // ∂L/∂state⟨0⟩
//! assert!(grad.iter().any(|g| *g != 0.0));
//! # Ok::<(), recurrent::Error>(())
//! ```

mod steps;
mod trace;

pub use steps::{backward_steps, forward_steps};
pub(crate) use steps::{check_outputs, forward_checked, prepare};
pub use trace::{BackwardStep, StepMut, Trace, TraceParts};
pub(crate) use trace::{reshape_for_overwrite, reshape_zeroed};

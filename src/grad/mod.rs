//! Exact gradients through time, written once against [`crate::Cell`].
//!
//! * [`bptt`] — back-propagation through time (Werbos 1990): one forward pass storing every
//!   state, then one backward pass of vector–Jacobian products. `O(T·N²)` time and `O(T·N)`
//!   memory for a cell with `N` state units over `T` steps.
//! * [`rtrl`] and [`Rtrl`] — real-time recurrent learning (Williams & Zipser 1989): forward
//!   sensitivities `∂state⟨t⟩/∂θ`, the gradient of each step's loss available at that step.
//!   `O(T·N⁴)` time and `O(N³)` memory (the sensitivities do not grow with `T`).
//! * [`truncated_bptt`] and [`TruncatedBptt`] — BPTT(h, h′) over a long stream (Williams &
//!   Peng 1990), stateful, with an update every `h′` steps.
//! * [`check`] — central finite differences over the flat parameter vector, for tests
//!   (including users' own property tests of their own cells).
//! * [`Loss`] — squared error, cross-entropy, and softmax cross-entropy on logits with class
//!   targets, per step, with masks for sequence-to-one training and padded batches.
//! * [`Bptt::forward`] / [`Bptt::backward`] — the two halves of BPTT, so that a layer or a
//!   loss of the caller's own can sit between the cell and the gradient.
//!
//! # Examples
//!
//! The three algorithms agree on the same gradient: BPTT backwards, RTRL forwards, and
//! truncated BPTT with a window as long as the sequence; finite differences confirm it.
//!
//! ```
//! use recurrent::prelude::*;
//! use recurrent::grad::{Batch, CheckOptions, Loss, bptt, check, relative_difference, rtrl};
//! use recurrent::grad::truncated_bptt;
//! use nalgebra::DMatrix;
//! use rand::SeedableRng;
//!
//! let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(7);
//! let net = Elman::<f64>::builder(2, 3, 1).build(&mut rng)?;
//! // one sequence of 8 steps: a 2 × 8 input and a 1 × 8 target
//! let x = Sequence::new(DMatrix::from_fn(2, 8, |i, t| ((i + 2 * t) as f64).sin()), 1)?;
//! let d = Sequence::new(DMatrix::from_fn(1, 8, |_, t| (t as f64 * 0.4).cos()), 1)?;
//! let batch = Batch::new(&x, &d);
//!
//! let backward = bptt(&net, batch, Loss::mse())?;
//! let forward = rtrl(&net, batch, Loss::mse())?;
//! let windowed = truncated_bptt(&net, batch, Loss::mse(), 8, 4)?;
//! assert!(relative_difference(&backward.params, &forward.params) < 1e-12);
//! assert!(relative_difference(&backward.params, &windowed.params) < 1e-12);
//! assert!((backward.loss - forward.loss).abs() < 1e-14);
//!
//! let report = check(&net, batch, Loss::mse(), CheckOptions::default())?;
//! assert!(report.max_rel_error < 1e-6);
//! # Ok::<(), recurrent::Error>(())
//! ```
//!
//! # Checking your own cell
//!
//! Use [`check`] (finite differences). `BPTT = RTRL` is not a test of a cell's backward step:
//! the provided [`crate::Cell::jacobians`] that RTRL uses is built from that same
//! `step_backward`, so a backward step that is 10% off still gives BPTT = RTRL to rounding
//! (`tests/gradients.rs` shows it). It tests a closed-form `jacobians` override, or a fused
//! sequence schedule, against the step-by-step one.
//!
//! Every algorithm takes a [`crate::Net`] (a cell and its flat θ), so a model made of parts
//! ([`crate::net::Stack`]) is trained by the same code as a single cell. The step loops they
//! share live in [`crate::unroll`].

mod bptt;
mod check;
mod loss;
mod rtrl;
mod truncated;

pub use bptt::{Batch, Bptt, Gradient, bptt, evaluate};
pub use check::{CheckOptions, CheckReport, Location, check, relative_difference, relative_error};
pub use loss::{Loss, LossKind, Reduction};
pub use rtrl::{Rtrl, rtrl};
pub use truncated::{TruncatedBptt, Update, truncated_bptt, truncated_bptt_with};

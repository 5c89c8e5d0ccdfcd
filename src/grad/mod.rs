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
//! * [`Loss`] — squared error and cross-entropy per step, with masks for sequence-to-one
//!   training and padded batches.

mod bptt;
mod check;
mod loss;
mod rtrl;
mod steps;
mod truncated;

pub use bptt::{Batch, Bptt, Gradient, bptt, loss};
pub use check::{CheckOptions, CheckReport, Location, check, relative_difference, relative_error};
pub use loss::{Loss, LossKind, Reduction};
pub use rtrl::{Rtrl, rtrl};
pub(crate) use steps::forward_checked;
pub use steps::{backward_steps, forward_steps};
pub use truncated::{TruncatedBptt, Update, truncated_bptt, truncated_bptt_with};

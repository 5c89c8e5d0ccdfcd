//! Exact gradients through time, written once against [`crate::Cell`].
//!
//! * [`bptt`] — back-propagation through time (Werbos 1990): one forward pass storing every
//!   state, then one backward pass of vector–Jacobian products. `O(T·N²)` time and `O(T·N)`
//!   memory for a cell with `N` state units over `T` steps.
//! * [`check`] — central finite differences over the flat parameter vector, for tests
//!   (including users' own property tests of their own cells).

mod steps;

pub use steps::{backward_steps, forward_steps};
pub(crate) use steps::{check_outputs, forward_checked, prepare};

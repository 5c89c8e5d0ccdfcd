//! The two simple recurrent cells of the lecture: [`Elman`] (1990) and [`Jordan`] (1986).
//!
//! Both implement [`crate::Cell`], so BPTT, RTRL and the gradient check apply to them
//! unchanged, and both keep their parameters in one flat vector with named blocks
//! ([`crate::Parameters`]).

mod elman;
mod jordan;

pub use elman::{Elman, ElmanBuilder};
pub use jordan::{Feedback, Jordan, JordanBuilder};

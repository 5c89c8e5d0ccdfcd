//! The two simple recurrent cells of the lecture: [`Elman`] (1990) and [`Jordan`] (1986).
//!
//! Each is maths only ([`ElmanCell`], [`JordanCell`]: a [`crate::Cell`] that reads θ from the
//! slice it is handed), and `Elman<T>` / `Jordan<T>` are the models [`crate::Net`] makes of
//! them: the cell and its flat parameter vector with named blocks ([`crate::Parameters`]).
//! BPTT, RTRL and the gradient check apply to them unchanged, as to any cell.

mod elman;
mod jordan;

pub use elman::{Elman, ElmanBuilder, ElmanCell};
pub use jordan::{Feedback, Jordan, JordanBuilder, JordanCell};

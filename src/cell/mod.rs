//! The two simple recurrent cells of the lecture: [`Elman`] (1990) and [`Jordan`] (1986).
//!
//! Each is maths only ([`ElmanCell`], [`JordanCell`]: a [`crate::Cell`] that reads θ from the
//! slice it is handed), and `Elman<T>` / `Jordan<T>` are the models [`crate::Net`] makes of
//! them: the cell and its flat parameter vector with named blocks ([`crate::Parameters`]).
//! BPTT, RTRL and the gradient check apply to them unchanged, as to any cell.

mod elman;
mod gru;
mod jordan;
mod lstm;

pub use elman::{Elman, ElmanBuilder, ElmanCell};
pub use gru::{Gru, GruBuilder, GruCell};
pub use jordan::{Feedback, Jordan, JordanBuilder, JordanCell};
pub use lstm::{Lstm, LstmBuilder, LstmCell};

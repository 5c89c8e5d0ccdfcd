//! The recurrent cells: the lecture's two simple ones, [`Elman`] (1990) and [`Jordan`] (1986),
//! and the gated [`Lstm`] and [`Gru`].
//!
//! Each is maths only ([`ElmanCell`], [`JordanCell`]: a [`crate::Cell`] that reads θ from the
//! slice it is handed), and `Elman<T>` / `Jordan<T>` are the models [`crate::Net`] makes of
//! them: the cell and its flat parameter vector with named blocks ([`crate::Parameters`]).
//! BPTT, RTRL and the gradient check apply to them unchanged, as to any cell.
//!
//! The gated cells of the lecture's open problem live here too: [`Lstm`] (Hochreiter &
//! Schmidhuber 1997, with the forget gate of Gers et al. 2000) and [`Gru`] (Cho et al. 2014),
//! with PyTorch's equations and gate order.
//!
//! # Examples
//!
//! Elman copies the hidden layer into its context; Jordan feeds the output back into
//! state units that decay by μ:
//!
//! ```
//! use nalgebra::DMatrix;
//! use rand::SeedableRng;
//! use recurrent::prelude::*;
//! use recurrent::cell::Feedback;
//! let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(4);
//! let elman = Elman::<f64>::builder(2, 5, 1).build(&mut rng)?;
//! let jordan = Jordan::<f64>::builder(2, 5, 1).mu(0.5).feedback(Feedback::Output).build(&mut rng)?;
//! assert_eq!(elman.cell().n_state(), 5); // the context is the hidden layer
//! assert_eq!(jordan.cell().n_state(), 2); // [s; y]: the decaying sum and the last output
//! let x = Sequence::new(DMatrix::from_element(2, 4, 1.0), 1)?;
//! assert_eq!(elman.run(&x, None)?.outputs.as_matrix().shape(), (1, 4));
//! assert_eq!(jordan.run(&x, None)?.states.as_matrix().shape(), (2, 4));
//! # Ok::<(), recurrent::Error>(())
//! ```

mod elman;
mod gru;
mod jordan;
mod lstm;

pub use elman::{Elman, ElmanBuilder, ElmanCell};
pub use gru::{Gru, GruBuilder, GruCell};
pub use jordan::{Feedback, Jordan, JordanBuilder, JordanCell};
pub use lstm::{Lstm, LstmBuilder, LstmCell};

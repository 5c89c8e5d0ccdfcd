//! The crate's traits, one file each: [`Cell`], [`Recurrent`], [`AssociativeMemory`],
//! [`Embedding`], and [`Parameters`] (flat parameter access shared by cells and optimisers).
//!
//! # Examples
//!
//! The same network seen through three of them: [`Parameters`] (one flat θ with named
//! blocks), [`Recurrent`] (run over a sequence) and [`Cell`] (its sizes).
//!
//! ```
//! use nalgebra::DMatrix;
//! use rand::SeedableRng;
//! use recurrent::prelude::*;
//! let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
//! let mut net = Elman::<f64>::builder(1, 2, 1).build(&mut rng)?;
//! let names: Vec<String> = net.param_blocks().iter().map(|b| b.name.clone()).collect();
//! assert_eq!(names, ["w_ax", "w_aa", "b_a", "w_ya", "b_y"]);
//! net.params_mut().fill(0.0); // all weights zero: every output is g(0)
//! let run = net.run(&Sequence::new(DMatrix::from_element(1, 3, 1.0), 1)?, None)?;
//! assert!(run.outputs.as_matrix().iter().all(|y| *y == 0.0));
//! assert_eq!((net.cell().n_input(), net.cell().n_state()), (1, 2));
//! # Ok::<(), recurrent::Error>(())
//! ```

mod cell;
mod embedding;
mod memory;
mod params;
mod recurrent;

pub use cell::{Cell, Step};
pub use embedding::Embedding;
pub(crate) use embedding::{check_query, query_norm};
pub use memory::{AssociativeMemory, Outcome, Recall};
pub use params::{Layout, ParamBlock, Parameters};
pub use recurrent::{Recurrent, Run};

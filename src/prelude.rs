//! The traits and main types, for a glob import: `use recurrent::prelude::*;`.
//!
//! # Examples
//!
//! ```
//! use nalgebra::DMatrix;
//! use rand::SeedableRng;
//! use recurrent::prelude::*;
//! let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0);
//! let net = Elman::<f32>::builder(3, 8, 2).build(&mut rng)?; // `Parameters`, `Recurrent` in scope
//! let run = net.run(&Sequence::new(DMatrix::zeros(3, 4), 1)?, None)?;
//! assert_eq!(run.outputs.as_matrix().shape(), (2, 4));
//! assert_eq!(net.n_params(), 8 * 3 + 8 * 8 + 8 + 2 * 8 + 2);
//! # Ok::<(), recurrent::Error>(())
//! ```

#[doc(no_inline)]
pub use crate::cell::{Elman, Jordan};
#[doc(no_inline)]
pub use crate::hopfield::{Hopfield, ModernHopfield};
#[doc(no_inline)]
pub use crate::traits::{AssociativeMemory, Cell, Embedding, Parameters, Recurrent};
#[doc(no_inline)]
pub use crate::{Error, Mask, Net, Sequence, Word2Vec};

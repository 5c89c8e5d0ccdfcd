//! placeholder crate docs
#![deny(missing_docs, missing_debug_implementations)]
#![doc(test(attr(deny(warnings))))]

pub mod activation;
pub mod error;
pub mod grad;
pub mod hopfield;
pub mod init;
pub mod io;
pub mod prelude;
pub mod scalar;
mod sequence;
mod trace;
pub mod traits;
pub mod word2vec;

pub use error::{Error, Result};
pub use hopfield::{Hopfield, ModernHopfield};
pub use sequence::{Mask, Sequence};
pub use trace::Trace;
pub use traits::{AssociativeMemory, Cell, Embedding, Parameters, Recurrent};
pub use word2vec::Word2Vec;

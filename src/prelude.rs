//! The traits and main types, for a glob import: `use recurrent::prelude::*;`.

#[doc(no_inline)]
pub use crate::cell::{Elman, Jordan};
#[doc(no_inline)]
pub use crate::hopfield::{Hopfield, ModernHopfield};
#[doc(no_inline)]
pub use crate::traits::{AssociativeMemory, Cell, Embedding, Parameters, Recurrent};
#[doc(no_inline)]
pub use crate::{Error, Mask, Net, Sequence, Word2Vec};

//! The crate's traits, one file each: [`Cell`], [`Recurrent`], [`AssociativeMemory`],
//! [`Embedding`], and [`Parameters`] (flat parameter access shared by cells and optimisers).

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

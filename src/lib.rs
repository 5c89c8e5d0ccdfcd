//! # recurrent
//!
//! The classic recurrent networks and the embeddings that feed them, with exact gradients
//! through time: Hopfield associative memory, Elman and Jordan simple recurrent networks,
//! Word2Vec, back-propagation through time (BPTT) and real-time recurrent learning (RTRL),
//! and the eigen-analysis that explains why those gradients vanish or explode.
//!
//! ## The story, in seven steps
//!
//! 1. **Bag of words** gives a *local* representation: one dimension per word, a huge and
//!    almost entirely zero matrix.
//! 2. **Word2Vec** (Mikolov et al. 2013) gives a *distributed* representation: a one-hot word
//!    goes through a few hundred hidden units trained to predict its context; the hidden
//!    weights are the word vectors ([`Embedding`], [`word2vec`]).
//! 3. **Hopfield** (1982): a fully connected, symmetric network with Hebbian weights stores
//!    patterns and recalls the nearest one from a noisy probe by descending an energy
//!    ([`AssociativeMemory`]).
//! 4. **Elman** (1990) copies the hidden layer into a context layer for the next step;
//!    **Jordan** (1986) feeds the *output* back into decaying state units ([`cell`]).
//! 5. Unrolled in time, one [`Cell`] with shared weights:
//!    `a⟨t⟩ = tanh(W_aa a⟨t−1⟩ + W_ax x⟨t⟩ + b_a)`, `y⟨t⟩ = g(W_ya a⟨t⟩ + b_y)`.
//! 6. **BPTT** costs `O(T·N²)` time and `O(T·N)` memory; **RTRL** learns online at
//!    `O(N⁴)` time per step and `O(N³)` memory ([`grad`]).
//! 7. Shared weights multiply the gradient by `W` at every step: with `W = V diag(λ) V⁻¹`,
//!    `Wᵗ = V diag(λ)ᵗ V⁻¹` vanishes when `max|λ| < 1` and explodes when it is `> 1`
//!    (Pascanu et al. 2013).
//!
//! ## Quick start
//!
//! ```
//! use recurrent::prelude::*;
//! use recurrent::grad::{Batch, CheckOptions, Loss, bptt, check};
//! use nalgebra::DMatrix;
//! use rand::SeedableRng;
//!
//! let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(42);
//! // 2 inputs, 16 hidden units, 1 output
//! let net = Elman::<f64>::builder(2, 16, 1).build(&mut rng)?;
//! // a batch of 4 sequences of 10 steps is one 2 × 40 matrix (step-major columns)
//! let x = Sequence::new(DMatrix::from_fn(2, 40, |i, j| ((i + j) % 3) as f64 - 1.0), 4)?;
//! let d = Sequence::new(DMatrix::from_element(1, 40, 0.5), 4)?;
//! let g = bptt(&net, Batch::new(&x, &d), Loss::mse())?;
//! assert_eq!(g.params.len(), net.n_params());
//! // the same check users can run on their own cells
//! let report = check(&net, Batch::new(&x, &d), Loss::mse(), CheckOptions::default())?;
//! assert!(report.max_rel_error < 1e-6);
//! # Ok::<(), recurrent::Error>(())
//! ```
//!
//! ## Conventions
//!
//! * Scalars: numeric code is generic over `f32` and `f64` ([`scalar::Real`]); Word2Vec is
//!   `f32`.
//! * Batches are columns: `B` sequences of `T` steps are one `d × (T·B)` matrix
//!   ([`Sequence`]), so each step is one matrix product for the whole batch.
//! * Parameters of every trainable model are one flat vector ([`Parameters`]) and gradients
//!   come back in the same layout.
//! * Randomness is injected: every function that draws takes the caller's `&mut R: Rng`.
//! * Errors, not panics: functions that take user data return [`Result`].
//!
//! ## References
//!
//! [^1]: J. J. Hopfield (1982), PNAS 79(8). J. L. Elman (1990), Cognitive Science 14(2).
//!   M. I. Jordan (1986), ICS Report 8604. P. J. Werbos (1990), Proc. IEEE 78(10).
//!   R. J. Williams & D. Zipser (1989), Neural Computation 1(2). R. Pascanu, T. Mikolov &
//!   Y. Bengio (2013), ICML. T. Mikolov et al. (2013), arXiv:1301.3781.
#![deny(missing_docs, missing_debug_implementations)]
// `unsafe` lives in three small modules only (kernel/avx2.rs: AVX2 dispatch and the f32 dot;
// kernel/avx512.rs: RTRL's kernel; word2vec/hogwild.rs: Hogwild rows), each allowing it locally.
#![deny(unsafe_code, clippy::undocumented_unsafe_blocks)]
#![doc(test(attr(deny(warnings))))]

pub mod activation;
pub mod cell;
pub mod error;
pub mod grad;
pub mod hopfield;
pub mod init;
pub mod io;
mod kernel;
pub mod lm;
pub mod net;
pub mod ops;
pub mod prelude;
pub mod scalar;
mod sequence;
pub mod spectral;
pub mod text;
pub mod train;
pub mod traits;
pub mod unroll;
pub mod word2vec;

/// The README's Rust code, compiled and run as doctests so it cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

pub use cell::{Elman, Gru, Jordan, Lstm};
pub use error::{Error, Result};
pub use hopfield::{Hopfield, ModernHopfield};
pub use net::Net;
pub use sequence::{Mask, Sequence};
pub use traits::{AssociativeMemory, Cell, Embedding, Parameters, Recurrent};
pub use unroll::Trace;
pub use word2vec::Word2Vec;

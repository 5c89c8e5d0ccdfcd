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
//! ## The story in code
//!
//! One short snippet per step; each module's page goes further.
//!
//! **Bag of words and TF-IDF** ([`text`]): one column per word, almost all zeros.
//!
//! ```
//! use recurrent::text::{TfidfOptions, TfidfVectorizer, Tokenizer, sparsity};
//! let docs = ["the cat sat", "the dog sat", "a bird sang"];
//! let tfidf = TfidfVectorizer::fit(Tokenizer::default(), docs, TfidfOptions::default())?;
//! let m = tfidf.transform::<f64, _, _>(docs)?; // 3 documents × 7 words, sparse
//! assert_eq!((m.nrows(), m.ncols()), (3, 7));
//! assert!(sparsity(&m)? > 0.5); // most entries are zero
//! # Ok::<(), recurrent::Error>(())
//! ```
//!
//! **Word2Vec** ([`word2vec`], [`Word2Vec`]): dense vectors trained to predict the context;
//! words of the same contexts end up close.
//!
//! ```
//! use rand::SeedableRng;
//! use recurrent::word2vec::{Architecture, Word2Vec};
//! let corpus: Vec<&str> = (0..200)
//!     .map(|i| if i % 2 == 0 { "cat dog mouse cat dog" } else { "car bus train car bus" })
//!     .collect();
//! let trainer = Word2Vec::builder()
//!     .architecture(Architecture::SkipGram)
//!     .dim(16)
//!     .window(2)
//!     .min_count(1)
//!     .sample(0.0)
//!     .build()?;
//! let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
//! let model = trainer.fit(|| corpus.iter(), &mut rng, |_| {})?;
//! assert!(model.similarity("cat", "dog")? > model.similarity("cat", "car")?);
//! # Ok::<(), recurrent::Error>(())
//! ```
//!
//! **Hopfield** ([`hopfield`], [`AssociativeMemory`]): store patterns, recall one from a
//! corrupted probe by descending the energy.
//!
//! ```
//! use nalgebra::{DMatrix, DVector};
//! use recurrent::AssociativeMemory;
//! use recurrent::hopfield::{Hopfield, Rule};
//! let patterns = DMatrix::<f64>::from_column_slice(6, 2, &[
//!     1.0, 1.0, 1.0, -1.0, -1.0, -1.0,
//!     1.0, -1.0, 1.0, -1.0, 1.0, -1.0,
//! ]);
//! let net = Hopfield::from_patterns(&patterns, Rule::Hebbian)?;
//! let probe = DVector::from_column_slice(&[-1.0, 1.0, 1.0, -1.0, -1.0, -1.0]); // 1 bit off
//! let r = net.recall(&probe)?;
//! assert_eq!(r.state, patterns.column(0));
//! assert!(net.energy(&r.state)? < net.energy(&probe)?);
//! # Ok::<(), recurrent::Error>(())
//! ```
//!
//! **Elman and Jordan, BPTT and RTRL** ([`cell`], [`grad`]): the two simple recurrent networks,
//! and the gradient through time computed backwards (BPTT) and forwards (RTRL), equal to
//! rounding.
//!
//! ```
//! use nalgebra::DMatrix;
//! use rand::SeedableRng;
//! use recurrent::prelude::*;
//! use recurrent::grad::{Batch, Loss, bptt, relative_difference, rtrl};
//! let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(5);
//! let elman = Elman::<f64>::builder(2, 4, 1).build(&mut rng)?;
//! let jordan = Jordan::<f64>::builder(2, 4, 1).mu(0.5).build(&mut rng)?;
//! let x = Sequence::new(DMatrix::from_fn(2, 6, |i, t| (i + t) as f64 * 0.2 - 0.5), 1)?;
//! let d = Sequence::new(DMatrix::from_element(1, 6, 0.3), 1)?;
//! let batch = Batch::new(&x, &d);
//! let (back, fwd) = (bptt(&elman, batch, Loss::mse())?, rtrl(&elman, batch, Loss::mse())?);
//! assert!(relative_difference(&back.params, &fwd.params) < 1e-12);
//! let (back, fwd) = (bptt(&jordan, batch, Loss::mse())?, rtrl(&jordan, batch, Loss::mse())?);
//! assert!(relative_difference(&back.params, &fwd.params) < 1e-12);
//! # Ok::<(), recurrent::Error>(())
//! ```
//!
//! **Vanishing and exploding gradients, the spectral view** ([`spectral`]): the spectral
//! radius `ρ(W)` of the recurrent matrix predicts how fast `‖∂a⟨T⟩/∂a⟨t⟩‖` shrinks.
//!
//! ```
//! use nalgebra::DMatrix;
//! use rand::SeedableRng;
//! use recurrent::{Elman, Sequence};
//! use recurrent::init::Init;
//! use recurrent::spectral::{Regime, jacobian_norms};
//! let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
//! let net = Elman::<f64>::builder(2, 8, 1)
//!     .recurrent_init(Init::SpectralRadius(0.5))
//!     .build(&mut rng)?;
//! assert_eq!(Regime::of(&net.w_aa().into_owned())?, Regime::Vanishing);
//! let xs = Sequence::new(DMatrix::from_element(2, 30, 0.1), 1)?;
//! let norms = jacobian_norms(&net, &xs, None)?; // ‖∂a⟨30⟩/∂a⟨30−m⟩‖₂, m = 1 … 30
//! assert!(norms[29] < 1e-6 * norms[0]);
//! # Ok::<(), recurrent::Error>(())
//! ```
//!
//! **LSTM and GRU** ([`Lstm`], [`Gru`]): the gated answers, ordinary cells with PyTorch's
//! equations and gate order, checked by the same finite differences as any cell.
//!
//! ```
//! use nalgebra::DMatrix;
//! use rand::SeedableRng;
//! use recurrent::prelude::*;
//! use recurrent::{Gru, Lstm};
//! use recurrent::grad::{Batch, CheckOptions, Loss, check};
//! let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(3);
//! let lstm = Lstm::<f64>::builder(2, 3).forget_bias(1.0).build(&mut rng)?;
//! let gru = Gru::<f64>::builder(2, 3).build(&mut rng)?;
//! assert_eq!((lstm.n_params(), gru.n_params()), (4 * 3 * (2 + 3 + 2), 3 * 3 * (2 + 3 + 2)));
//! let x = Sequence::new(DMatrix::from_fn(2, 5, |i, t| ((i + t) as f64).sin()), 1)?;
//! let d = Sequence::new(DMatrix::from_element(3, 5, 0.1), 1)?; // the output is h, 3 rows
//! let batch = Batch::new(&x, &d);
//! assert!(check(&lstm, batch, Loss::mse(), CheckOptions::default())?.max_rel_error < 1e-6);
//! assert!(check(&gru, batch, Loss::mse(), CheckOptions::default())?.max_rel_error < 1e-6);
//! # Ok::<(), recurrent::Error>(())
//! ```
//!
//! **A language model** ([`lm`]): embedding, cell and softmax head in one θ, trained by the
//! same trainer, measured in perplexity.
//!
//! ```
//! use rand::SeedableRng;
//! use recurrent::lm::{LanguageModel, elman};
//! use recurrent::text::Vocab;
//! use recurrent::train::{Adam, TrainConfig};
//! let text = ["the cat sat", "the dog sat", "the cat ran", "the dog ran"];
//! let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
//! let cell = elman::<f64>(8, 16, &mut rng)?; // 8-dimensional embeddings, 16 hidden units
//! let mut lm = LanguageModel::builder(Vocab::for_language_model(text, 1)?, cell).build(&mut rng)?;
//! let data: Vec<Vec<usize>> = text.iter().map(|s| lm.encode(s)).collect();
//! let before = lm.perplexity(&data)?;
//! let config = TrainConfig::new().epochs(30).batch_size(2);
//! lm.fit(config, Adam::new(0.01)?, &data, None, &mut rng, |_| {})?;
//! assert!(lm.perplexity(&data)? < before / 2.0);
//! # Ok::<(), recurrent::Error>(())
//! ```
//!
//! Beyond the story: [`net::Stack`] composes an embedding lookup, any cell and a linear head
//! into one [`Net`]; [`train`] has the optimisers, clipping, schedules and the [`train::Trainer`];
//! [`unroll::Trace`] is the seam a cell of one's own writes against (`docs/composition.md`).
//!
//! ## Feature flags
//!
//! | Feature | What it adds |
//! |---|---|
//! | `serde` | `Serialize` / `Deserialize` for the models (Elman, Jordan, LSTM, GRU, stacks, Hopfield, Word2Vec, language models, …), validated on load |
//! | `threads` | multi-threaded large matrix products (matrixmultiply's thread pool behind nalgebra's `gemm`; `MATMUL_NUM_THREADS`) |
//! | `cli` | the `word2vec` and `word2vec_eval` programs (`cargo install recurrent --features cli`; `docs/cli.md`); only they use clap |
//!
//! None is on by default. Without them the library has the same functions and types; only
//! the serde impls, the thread pool and the two programs are missing.
//!
//! ## The tour, the examples and the longer documents
//!
//! From the repository root, `cargo run --release --example tour` runs the whole story on
//! the data the repository ships, one part per step (`examples/tour/`). The other examples,
//! each `cargo run --release --example <name>`:
//!
//! | Example | What it shows |
//! |---|---|
//! | `01_tfidf` | bag of words and TF-IDF, the local representation |
//! | `word2vec`, `word2vec_eval` | the C tool's command line, and analogy and word-pair scores |
//! | `hopfield_capacity`, `hopfield_letters`, `hopfield_optimisation`, `modern_hopfield` | capacity against the load `p/N`, letters recalled, energy descent as optimisation, the modern (softmax) network |
//! | `elman_xor`, `elman_letters`, `elman_lexical`, `jordan_motor` | Elman (1990)'s temporal XOR, letter sequences and lexical classes from word order, Jordan (1986)'s motor loop |
//! | `complexity` | the cost of BPTT and RTRL as the network grows |
//! | `vanishing` | `Wᵗ = V diag(λ)ᵗ V⁻¹` and the gradient through time, measured |
//! | `long_memory` | the adding and copy-memory tasks for Elman, IRNN, orthogonal, LSTM and GRU |
//! | `language_model` | a word-level language model, Word2Vec vectors into an Elman network |
//! | `rnn_bench` | Elman forward + BPTT timings in the peers' CSV format |
//!
//! In `docs/`: `guide.md` (a guide to the crate, step by step), `composition.md` (the
//! `Cell` / `Net` / `Stack` seam and what a cell of one's own writes), `elman1990.md`,
//! `hopfield.md`, `spectral.md`, `long_memory.md`, `language_model.md`, `cost_of_learning.md`,
//! `performance.md` (measured results beside PyTorch, JAX and numpy), and `cli.md`.
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
// kernel/packed.rs: the packed product's kernels; word2vec/hogwild.rs: Hogwild rows), each allowing it locally.
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

//! Text: the vocabulary and corpus reader shared by every model that reads words, and bag of
//! words, the *local* representation of text that Word2Vec replaces.
//!
//! * [`Vocab`]: words with counts and a word → index map, the one vocabulary of the crate
//!   (bag of words, Word2Vec, language models), with the reserved `<unk>` and `</s>` tokens
//!   a language model needs.
//! * [`CorpusReader`] and [`Sentence`]: a corpus streamed line by line in bounded memory,
//!   and split into words as the C `word2vec` tool splits them.
//!
//! # Bag of words
//!
//! A corpus of `n` documents over a vocabulary of `V` words becomes an `n × V` matrix whose
//! entry `(i, j)` says how often (count) or how distinctively (TF-IDF) word `j` occurs in
//! document `i`. One dimension per word makes it huge and almost empty: a short document uses
//! a few dozen of the `V` words, so well over 99% of the entries are zero, and the matrices
//! here are sparse (compressed sparse row, [`nalgebra_sparse::CsrMatrix`]).
//!
//! * [`Tokenizer`]: lower-case, split on every character that is not alphanumeric.
//! * [`CountVectorizer`]: the vocabulary (sorted alphabetically, as scikit-learn sorts it),
//!   document frequencies, and term counts.
//! * [`TfidfVectorizer`]: counts weighted by inverse document frequency, with scikit-learn's
//!   defaults (smoothed idf, l2-normalised rows).
//!
//! # Examples
//!
//! ```
//! use recurrent::text::{CountVectorizer, Tokenizer, sparsity};
//! let docs = ["This movie is very good.", "This film is a good", "Very bad. Very, very bad."];
//! let counts = CountVectorizer::fit(Tokenizer::default(), docs)?;
//! assert_eq!(counts.vocabulary(), ["a", "bad", "film", "good", "is", "movie", "this", "very"]);
//! let m = counts.transform::<f64, _, _>(docs)?;
//! assert_eq!(m.nnz(), 12);
//! assert!((sparsity(&m)? - 0.5).abs() < 1e-12);
//! # Ok::<(), recurrent::Error>(())
//! ```

mod corpus;
mod fxhash;
mod tokenize;
mod vectorize;
mod vocab;

pub use corpus::{CorpusReader, MAX_LINE_BYTES, Sentence};
pub use tokenize::Tokenizer;
pub use vectorize::{CountVectorizer, Norm, TfidfOptions, TfidfVectorizer, sparsity};
pub use vocab::Vocab;

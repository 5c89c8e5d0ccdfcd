//! Word2Vec (Mikolov et al. 2013): distributed word representations learned by predicting a
//! word's context (skip-gram) or a word from its context (CBOW).
//!
//! A one-hot word (`V` wide) goes through a hidden layer of `d` units (a few hundred) that is
//! trained to predict its neighbours; the input-to-hidden weights, one `d`-row per word, are
//! the word vectors, and they are what an RNN reads instead of one-hot or bag-of-words columns.
//!
//! Vectors are plain `f32`, stored row-major (`vocab_len × dim`, each word's vector contiguous).
//!
//! Training: [`Word2Vec::builder`] gives a [`Word2VecBuilder`] (the hyper-parameters, checked
//! by [`Word2VecBuilder::build`]), whose [`Word2VecTrainer`] builds the vocabulary (the crate's
//! one [`Vocab`]) and trains skip-gram or CBOW with negative sampling and/or hierarchical
//! softmax, from sentences in memory or streamed from a file ([`CorpusReader`]), reporting
//! [`Word2VecProgress`] to a callback.
//!
//! The C tool's remaining features: its `-classes` k-means word classes
//! ([`Word2Vec::word_classes`], [`write_word_classes`]), its `</s>` token
//! ([`Word2VecBuilder::keep_eos`]), and continued training of a model on more text, as
//! gensim's `build_vocab(update=True)` ([`Word2VecTrainer::update_vocab`],
//! [`Word2VecTrainer::continue_fit`]).
//!
//! Files: the word2vec text and binary formats of the C tool and gensim, byte for byte
//! ([`Word2Vec::load_binary`], [`Word2Vec::save_binary`], [`read_word2vec_text`], …; the
//! layouts are on [`write_word2vec_text`] and [`write_word2vec_binary`]). Queries beyond
//! [`Embedding`]: 3CosMul ([`Word2Vec::most_similar_cosmul`]) and
//! [`Word2Vec::doesnt_match`]. Evaluation as gensim counts it: [`evaluate_analogies`],
//! [`evaluate_word_pairs`].
//!
//! # Examples
//!
//! ```
//! use rand::SeedableRng;
//! use recurrent::word2vec::{Architecture, Word2Vec};
//! // Two topics that never share a sentence.
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
//! assert_eq!(model.vocab_len(), 6);
//! assert!(model.similarity("cat", "dog")? > model.similarity("cat", "car")?);
//! # Ok::<(), recurrent::Error>(())
//! ```
//!
//! # References
//!
//! [^1]: T. Mikolov, K. Chen, G. Corrado, J. Dean (2013), "Efficient Estimation of Word
//!   Representations in Vector Space", arXiv:1301.3781.
//! [^2]: T. Mikolov, I. Sutskever, K. Chen, G. Corrado, J. Dean (2013), "Distributed
//!   Representations of Words and Phrases and their Compositionality", NeurIPS.

use crate::error::{Error, Result};
#[cfg(doc)]
use crate::text::CorpusReader;
use crate::traits::Embedding;

mod classes;
mod config;
mod deterministic;
mod eos;
mod eval;
mod hogwild;
mod huffman;
mod io;
mod query;
mod sampling;
mod sigmoid;
mod train;
mod update;
mod worker;

/// The crate's one vocabulary and sentence trait, re-exported where Word2Vec uses them.
#[doc(no_inline)]
pub use crate::text::{Sentence, Vocab};
pub use classes::{KMEANS_ITERATIONS, write_word_classes};
pub use config::{Architecture, Word2VecBuilder};
pub use huffman::Huffman;
pub use sampling::{NoiseSampler, keep_probability};
pub use train::{Word2VecProgress, Word2VecTrainer};
pub use update::VocabUpdate;

pub use eval::{
    Analogy, AnalogyMethod, AnalogyReport, AnalogySection, AnalogySet, EvalOptions, PairsReport,
    SectionScore, WordPair, WordPairs, average_ranks, evaluate_analogies, evaluate_word_pairs,
    pearson, read_analogies, read_word_pairs, spearman,
};
pub use io::{
    ReadOptions, read_word2vec, read_word2vec_binary, read_word2vec_text, write_word2vec_binary,
    write_word2vec_text,
};

/// Trained (or loaded) word vectors: a vocabulary with counts ([`Vocab`]), and one `f32` row
/// per word.
///
/// Train one with [`Word2Vec::builder`], load one with [`Word2Vec::load_binary`] or
/// [`Word2Vec::load_text`], or assemble one with [`Word2Vec::from_parts`].
///
/// # Queries
///
/// The [`Embedding`] queries are inherent methods too, so they need no trait import:
/// [`similarity`](Word2Vec::similarity), [`most_similar`](Word2Vec::most_similar) (3CosAdd),
/// [`analogy`](Word2Vec::analogy), [`nearest_to`](Word2Vec::nearest_to) (a raw vector),
/// [`vector`](Word2Vec::vector), [`index`](Word2Vec::index), [`word`](Word2Vec::word),
/// [`dim`](Word2Vec::dim) and [`vocab_len`](Word2Vec::vocab_len); beyond the trait,
/// 3CosMul ([`most_similar_cosmul`](Word2Vec::most_similar_cosmul),
/// [`analogy_cosmul`](Word2Vec::analogy_cosmul)) and [`doesnt_match`](Word2Vec::doesnt_match).
/// Files: [`save_text`](Word2Vec::save_text), [`save_binary`](Word2Vec::save_binary),
/// [`load`](Word2Vec::load) (either format), [`load_text`](Word2Vec::load_text),
/// [`load_binary`](Word2Vec::load_binary).
///
/// # Invariants
///
/// Distinct words, `dim ≥ 1`, one count per word, `len × dim` vectors, all finite (the
/// vocabulary may be empty, as after reading a vectors file with `limit: Some(0)`). Every constructor checks them, and so does deserialisation with serde (feature
/// `serde`; the stored form is `{ words, counts, dim, vectors }`), so a loaded model answers
/// every query at once.
///
/// # Examples
///
/// Vectors assembled by hand (a trained model is queried the same way; see the
/// [module](self) for training):
///
/// ```
/// use recurrent::word2vec::Word2Vec;
/// let words = ["man", "woman", "king", "queen", "apple"].map(String::from).to_vec();
/// let v = vec![1.0, 0.0, 1.0, 1.0, 3.0, 0.2, 3.0, 1.8, -1.0, -0.2];
/// let m = Word2Vec::from_parts(words, vec![5, 4, 3, 2, 1], 2, v)?;
/// assert_eq!((m.vocab_len(), m.dim()), (5, 2));
/// assert_eq!(m.index("queen"), Some(3));
/// assert!(m.similarity("king", "queen")? > m.similarity("king", "apple")?);
/// // the nearest neighbour of "king" in this toy space is "man"
/// assert_eq!(m.most_similar(&["king"], &[], 1)?[0].0, "man");
/// // man : woman :: king : ?, by 3CosAdd and by 3CosMul
/// assert_eq!(m.analogy("man", "woman", "king", 1)?[0].0, "queen");
/// assert_eq!(m.analogy_cosmul("man", "woman", "king", 1)?[0].0, "queen");
/// assert_eq!(m.doesnt_match(&["man", "woman", "apple"])?, "apple");
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Word2Vec {
    vocab: Vocab,
    dim: usize,
    vectors: Vec<f32>,
    norms: query::NormCache,
}

impl Word2Vec {
    /// Builds a model from its parts: `words[i]` has count `counts[i]` and the vector
    /// `vectors[i·dim .. (i+1)·dim]`.
    ///
    /// Words may be any distinct strings (a vectors file may hold a tab inside a word); only
    /// the file writers require words without spaces or newlines.
    ///
    /// # Errors
    ///
    /// [`Error::DimensionMismatch`] if the lengths disagree; [`Error::InvalidParameter`] for
    /// `dim == 0` or a repeated word; [`Error::NonFinite`] naming the first NaN or infinite
    /// value.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::word2vec::Word2Vec;
    /// let m = Word2Vec::from_parts(vec!["a".into(), "b".into()], vec![2, 1], 2, vec![1.0, 0.0, 0.0, 1.0])?;
    /// assert_eq!(m.similarity("a", "b")?, 0.0);
    /// assert!(Word2Vec::from_parts(vec!["a".into(), "a".into()], vec![1, 1], 1, vec![1.0, 2.0]).is_err());
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn from_parts(
        words: Vec<String>,
        counts: Vec<u64>,
        dim: usize,
        vectors: Vec<f32>,
    ) -> Result<Self> {
        check_dim(dim)?;
        crate::error::check_shape(
            "Word2Vec::from_parts",
            "counts",
            (words.len(), 1),
            (counts.len(), 1),
        )?;
        check_rows("Word2Vec::from_parts", words.len(), dim, &vectors)?;
        let vocab = Vocab::from_words(words, counts)?;
        Self::checked(vocab, dim, vectors, "Word2Vec::from_parts")
    }

    /// Builds a model from a vocabulary and its vectors, `vectors[i·dim .. (i+1)·dim]` for the
    /// word with index `i`. The model keeps the words and counts (not the vocabulary's corpus
    /// figures, [`Vocab::raw_total`] and [`Vocab::sentences`]).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for `dim == 0`; [`Error::DimensionMismatch`] unless
    /// `vectors.len() == vocab.len() × dim`; [`Error::NonFinite`] naming the first NaN or
    /// infinite value.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::{text::Vocab, word2vec::Word2Vec};
    /// let vocab = Vocab::from_sentences(["a b b"], 1, None)?;
    /// let m = Word2Vec::from_vocab(vocab, 1, vec![2.0, -1.0])?;
    /// assert_eq!(m.vector("a")?, &[-1.0]);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn from_vocab(vocab: Vocab, dim: usize, vectors: Vec<f32>) -> Result<Self> {
        check_dim(dim)?;
        check_rows("Word2Vec::from_vocab", vocab.len(), dim, &vectors)?;
        Self::checked(
            vocab.without_corpus_totals(),
            dim,
            vectors,
            "Word2Vec::from_vocab",
        )
    }

    /// The last checks shared by the constructors: finite values.
    fn checked(vocab: Vocab, dim: usize, vectors: Vec<f32>, op: &'static str) -> Result<Self> {
        crate::error::check_finite(op, "vectors", &vectors)?;
        Ok(Self {
            vocab,
            dim,
            vectors,
            norms: query::NormCache::default(),
        })
    }

    /// The vocabulary: words, counts and the word → index map.
    pub fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    /// The vocabulary's words, in index order.
    pub fn words(&self) -> &[String] {
        self.vocab.words()
    }

    /// Corpus counts, in index order (0 where unknown, e.g. after loading a vectors file).
    pub fn counts(&self) -> &[u64] {
        self.vocab.counts()
    }

    /// All vectors, row-major `vocab_len × dim`.
    pub fn vectors(&self) -> &[f32] {
        &self.vectors
    }

    /// All vectors, mutably (the cached norms of the fast queries are dropped).
    pub fn vectors_mut(&mut self) -> &mut [f32] {
        self.norms = query::NormCache::default();
        &mut self.vectors
    }
}

fn check_dim(dim: usize) -> Result<()> {
    if dim == 0 {
        return Err(Error::invalid("dim", "must be at least 1"));
    }
    Ok(())
}

/// `vectors` must hold `words × dim` floats (a product that overflows never matches).
fn check_rows(op: &'static str, words: usize, dim: usize, vectors: &[f32]) -> Result<()> {
    match words.checked_mul(dim) {
        Some(n) => crate::error::check_shape(op, "vectors", (n, 1), (vectors.len(), 1)),
        None => Err(Error::invalid(
            "dim",
            format!("{words} words × dim {dim} overflows"),
        )),
    }
}

/// The serialised form, `{ words, counts, dim, vectors }` (as in earlier versions).
#[cfg(feature = "serde")]
#[derive(serde::Serialize)]
struct Word2VecRef<'a> {
    words: &'a [String],
    counts: &'a [u64],
    dim: usize,
    vectors: &'a [f32],
}

#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct Word2VecData {
    words: Vec<String>,
    counts: Vec<u64>,
    dim: usize,
    vectors: Vec<f32>,
}

#[cfg(feature = "serde")]
impl serde::Serialize for Word2Vec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        Word2VecRef {
            words: self.words(),
            counts: self.counts(),
            dim: self.dim,
            vectors: &self.vectors,
        }
        .serialize(s)
    }
}

/// Loading checks everything [`Word2Vec::from_parts`] checks and reports its error through
/// serde's `custom` error.
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Word2Vec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let w = Word2VecData::deserialize(d)?;
        Word2Vec::from_parts(w.words, w.counts, w.dim, w.vectors).map_err(serde::de::Error::custom)
    }
}

impl Embedding for Word2Vec {
    fn dim(&self) -> usize {
        self.dim
    }

    fn vocab_len(&self) -> usize {
        self.vocab.len()
    }

    fn word(&self, index: usize) -> Option<&str> {
        self.vocab.word(index)
    }

    fn index(&self, word: &str) -> Option<usize> {
        self.vocab.index(word)
    }

    fn vector_at(&self, index: usize) -> Option<&[f32]> {
        self.vectors.get(index * self.dim..(index + 1) * self.dim)
    }

    /// Ranks all rows in one contiguous `f32` scan, `cos(x, q) = (x·q̂)·(1/‖x‖)`, with the
    /// inverse norms computed once (in `f64`) on the first query and cached (`V` floats;
    /// [`Word2Vec::vectors_mut`] drops the cache). Same order, ties and exclusions as the
    /// provided method; the cosines agree with its `f64` ones to about 10⁻⁶.
    ///
    /// # Errors
    ///
    /// [`Error::DimensionMismatch`] if `query` is not `dim()` long; [`Error::NonFinite`]
    /// naming the first NaN or infinite component.
    fn nearest_to(&self, query: &[f64], exclude: &[usize], k: usize) -> Result<Vec<(String, f32)>> {
        self.scan_nearest(query, exclude, k, self.vocab.len())
    }
}

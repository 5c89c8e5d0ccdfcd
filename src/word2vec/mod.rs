//! Word2Vec (Mikolov et al. 2013): distributed word representations learned by predicting a
//! word's context (skip-gram) or a word from its context (CBOW).
//!
//! A one-hot word (`V` wide) goes through a hidden layer of `d` units (a few hundred) that is
//! trained to predict its neighbours; the input-to-hidden weights, one `d`-row per word, are
//! the word vectors, and they are what an RNN reads instead of one-hot or bag-of-words columns.
//!
//! Vectors are plain `f32`, stored row-major (`vocab_len × dim`, each word's vector contiguous).
//!
//! Files: the word2vec text and binary formats of the C tool and gensim, byte for byte
//! ([`Word2Vec::load_binary`], [`Word2Vec::save_binary`], [`read_word2vec_text`], …; the
//! layouts are on [`write_word2vec_text`] and [`write_word2vec_binary`]). Queries beyond
//! [`Embedding`]: 3CosMul ([`Word2Vec::most_similar_cosmul`]) and
//! [`Word2Vec::doesnt_match`]. Evaluation as gensim counts it: [`evaluate_analogies`],
//! [`evaluate_word_pairs`].
//!
//! # References
//!
//! [^1]: T. Mikolov, K. Chen, G. Corrado, J. Dean (2013), "Efficient Estimation of Word
//!   Representations in Vector Space", arXiv:1301.3781.
//! [^2]: T. Mikolov, I. Sutskever, K. Chen, G. Corrado, J. Dean (2013), "Distributed
//!   Representations of Words and Phrases and their Compositionality", NeurIPS.

use crate::error::{Error, Result};
use crate::traits::Embedding;
use std::collections::HashMap;

mod eval;
mod hogwild;
mod huffman;
mod io;
mod kernel;
mod query;
mod sampling;
mod train;
mod vocab;

pub use huffman::Huffman;
pub use sampling::{NoiseSampler, keep_probability};
pub use train::{Architecture, Progress, TrainConfig, Trainer};
pub use vocab::{Sentence, Vocab};

pub use eval::{
    Analogy, AnalogyMethod, AnalogyReport, AnalogySection, AnalogySet, EvalOptions, PairsReport,
    SectionScore, WordPair, WordPairs, average_ranks, evaluate_analogies, evaluate_word_pairs,
    pearson, read_analogies, read_word_pairs, spearman,
};
pub use io::{
    ReadOptions, read_word2vec, read_word2vec_binary, read_word2vec_text, write_word2vec_binary,
    write_word2vec_text,
};

/// Trained (or loaded) word vectors: a vocabulary with counts, and one `f32` row per word.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Word2Vec {
    words: Vec<String>,
    counts: Vec<u64>,
    #[cfg_attr(feature = "serde", serde(skip))]
    index: HashMap<String, usize>,
    dim: usize,
    vectors: Vec<f32>,
    #[cfg_attr(feature = "serde", serde(skip))]
    norms: query::NormCache,
}

impl Word2Vec {
    /// Builds a model from its parts: `words[i]` has count `counts[i]` and the vector
    /// `vectors[i·dim .. (i+1)·dim]`.
    ///
    /// # Errors
    ///
    /// [`Error::DimensionMismatch`] if the lengths disagree; [`Error::InvalidParameter`] for
    /// `dim == 0` or a repeated word.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::{Embedding, word2vec::Word2Vec};
    /// let m = Word2Vec::from_parts(vec!["a".into(), "b".into()], vec![2, 1], 2, vec![1.0, 0.0, 0.0, 1.0])?;
    /// assert_eq!(m.similarity("a", "b")?, 0.0);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn from_parts(
        words: Vec<String>,
        counts: Vec<u64>,
        dim: usize,
        vectors: Vec<f32>,
    ) -> Result<Self> {
        if dim == 0 {
            return Err(Error::invalid("dim", "must be at least 1"));
        }
        crate::error::check_shape(
            "Word2Vec::from_parts",
            "counts",
            (words.len(), 1),
            (counts.len(), 1),
        )?;
        crate::error::check_shape(
            "Word2Vec::from_parts",
            "vectors",
            (words.len() * dim, 1),
            (vectors.len(), 1),
        )?;
        let mut index = HashMap::with_capacity(words.len());
        for (i, w) in words.iter().enumerate() {
            if index.insert(w.clone(), i).is_some() {
                return Err(Error::invalid("words", format!("{w:?} appears twice")));
            }
        }
        Ok(Self {
            words,
            counts,
            index,
            dim,
            vectors,
            norms: query::NormCache::default(),
        })
    }

    /// The vocabulary, in index order.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// Corpus counts, in index order (0 where unknown, e.g. after loading a vectors file).
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// All vectors, row-major `vocab_len × dim`.
    pub fn vectors(&self) -> &[f32] {
        &self.vectors
    }

    /// All vectors, mutably.
    pub fn vectors_mut(&mut self) -> &mut [f32] {
        self.norms = query::NormCache::default();
        &mut self.vectors
    }

    /// Rebuilds the word → index map (needed after deserialising with serde, which skips it).
    pub fn rebuild_index(&mut self) {
        self.index = self
            .words
            .iter()
            .enumerate()
            .map(|(i, w)| (w.clone(), i))
            .collect();
    }
}

impl Embedding for Word2Vec {
    fn dim(&self) -> usize {
        self.dim
    }

    fn vocab_len(&self) -> usize {
        self.words.len()
    }

    fn word(&self, index: usize) -> Option<&str> {
        self.words.get(index).map(String::as_str)
    }

    fn index(&self, word: &str) -> Option<usize> {
        self.index.get(word).copied()
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
        self.scan_nearest(query, exclude, k, self.words.len())
    }
}

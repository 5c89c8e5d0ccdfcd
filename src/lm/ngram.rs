//! Count baselines on the same split and vocabulary as the network: the add-one unigram and
//! the add-k bigram.

use crate::error::{Error, Result};
use std::collections::HashMap;

/// An add-k (Lidstone) smoothed bigram model over token indices, with the verse start as its
/// own history: `P(w | h) = (c(h, w) + k) / (c(h) + k·V)`.
///
/// Sentences are read as the network reads them: the history of the first word is `</s>`
/// (which never occurs as a history otherwise, so it stands for the verse start) and `</s>`
/// is predicted at the end. [`Bigram::unigram_perplexity`] gives the add-one unigram
/// `P(w) = (c(w) + 1) / (N + V)` from the same counts.
///
/// # Examples
///
/// ```
/// use recurrent::lm::Bigram;
/// // vocabulary 0 = </s>, 1, 2; two sentences "1 2" and "1"
/// let m = Bigram::fit(&[vec![1, 2], vec![1]], 3, 0)?;
/// // P(1 | </s>) = (2 + k) / (2 + 3k) → 1 as k → 0
/// assert!((m.perplexity(&[vec![1]], 1e-9)? - (1.0f64 * 0.5).powf(-0.5)).abs() < 1e-6);
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Bigram {
    vocab: usize,
    eos: usize,
    unigram: Vec<u64>,
    tokens: u64,
    history: Vec<u64>,
    pairs: HashMap<(usize, usize), u64>,
}

impl Bigram {
    /// Counts the sentences `train` (token indices below `vocab`, without `</s>`, whose index
    /// is `eos`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a token or `eos` not below `vocab`;
    /// [`Error::Empty`] for no sentences.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::lm::Bigram;
    /// // tokens 1..=3, `</s>` = 0: "1 2 3", "1 2", "2 3"
    /// let train = vec![vec![1, 2, 3], vec![1, 2], vec![2, 3]];
    /// let bigram = Bigram::fit(&train, 4, 0)?;
    /// let k = bigram.tune_k(&train)?; // add-k smoothing, k chosen on (here) the same data
    /// let ppl = bigram.perplexity(&train, k)?;
    /// assert!(ppl < bigram.unigram_perplexity(&train)?); // order helps
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn fit(train: &[Vec<usize>], vocab: usize, eos: usize) -> Result<Self> {
        if train.is_empty() {
            return Err(Error::Empty {
                op: "Bigram::fit",
                what: "training sentences",
            });
        }
        check(train, vocab)?;
        if eos >= vocab {
            return Err(Error::invalid("eos", format!("{eos} is not below {vocab}")));
        }
        let mut m = Self {
            vocab,
            eos,
            unigram: vec![0; vocab],
            tokens: 0,
            history: vec![0; vocab],
            pairs: HashMap::new(),
        };
        for s in train {
            let mut h = eos;
            for &w in s.iter().chain(std::iter::once(&eos)) {
                m.unigram[w] += 1;
                m.tokens += 1;
                m.history[h] += 1;
                *m.pairs.entry((h, w)).or_insert(0) += 1;
                h = w;
            }
        }
        Ok(m)
    }

    /// Perplexity of the add-`k` bigram on `sentences` (every word and the final `</s>`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a token not below the vocabulary size, or `k` not
    /// finite and `> 0`; [`Error::Empty`] for no sentences.
    pub fn perplexity(&self, sentences: &[Vec<usize>], k: f64) -> Result<f64> {
        if !(k.is_finite() && k > 0.0) {
            return Err(Error::invalid(
                "k",
                format!("must be finite and > 0, got {k}"),
            ));
        }
        check(sentences, self.vocab)?;
        let v = self.vocab as f64;
        let (mut nll, mut n) = (0.0, 0usize);
        for s in sentences {
            let mut h = self.eos;
            for &w in s.iter().chain(std::iter::once(&self.eos)) {
                let c = self.pairs.get(&(h, w)).copied().unwrap_or(0) as f64;
                nll -= ((c + k) / (self.history[h] as f64 + k * v)).ln();
                n += 1;
                h = w;
            }
        }
        finish(nll, n)
    }

    /// `k` minimising the perplexity on `valid`, by golden-section search on `ln k` over
    /// `[1e-5, 2]` (as the anchors' `ngram.py`).
    ///
    /// # Errors
    ///
    /// As [`Bigram::perplexity`].
    pub fn tune_k(&self, valid: &[Vec<usize>]) -> Result<f64> {
        let f = |lk: f64| self.perplexity(valid, lk.exp());
        let g = (5f64.sqrt() - 1.0) / 2.0;
        let (mut a, mut b) = (1e-5f64.ln(), 2f64.ln());
        let (mut c, mut d) = (b - g * (b - a), a + g * (b - a));
        let (mut fc, mut fd) = (f(c)?, f(d)?);
        while b - a > 1e-4 {
            if fc < fd {
                (b, d, fd) = (d, c, fc);
                c = b - g * (b - a);
                fc = f(c)?;
            } else {
                (a, c, fc) = (c, d, fd);
                d = a + g * (b - a);
                fd = f(d)?;
            }
        }
        Ok(((a + b) / 2.0).exp())
    }

    /// Perplexity of the add-one unigram on `sentences`.
    ///
    /// # Errors
    ///
    /// As [`Bigram::perplexity`].
    pub fn unigram_perplexity(&self, sentences: &[Vec<usize>]) -> Result<f64> {
        check(sentences, self.vocab)?;
        let denom = (self.tokens + self.vocab as u64) as f64;
        let (mut nll, mut n) = (0.0, 0usize);
        for s in sentences {
            for &w in s.iter().chain(std::iter::once(&self.eos)) {
                nll -= ((self.unigram[w] + 1) as f64 / denom).ln();
                n += 1;
            }
        }
        finish(nll, n)
    }
}

fn check(sentences: &[Vec<usize>], vocab: usize) -> Result<()> {
    for (i, s) in sentences.iter().enumerate() {
        if let Some(w) = s.iter().find(|w| **w >= vocab) {
            return Err(Error::invalid(
                "sentences",
                format!("sentence {i} holds token {w}, not below {vocab}"),
            ));
        }
    }
    Ok(())
}

fn finish(nll: f64, n: usize) -> Result<f64> {
    if n == 0 {
        return Err(Error::Empty {
            op: "perplexity",
            what: "sentences",
        });
    }
    Ok((nll / n as f64).exp())
}

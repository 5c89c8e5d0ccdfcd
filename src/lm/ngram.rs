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
        let lk = golden(
            |lk| self.perplexity(valid, lk.exp()),
            1e-5f64.ln(),
            2f64.ln(),
        )?;
        Ok(lk.exp())
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

/// Every token of `sentences` is below `vocab` (the lm module's one token check).
pub(crate) fn check(sentences: &[Vec<usize>], vocab: usize) -> Result<()> {
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
/// The minimiser of a unimodal `f` on `[a, b]` by golden-section search, to an interval of
/// width 10⁻⁴ (Kiefer 1953): each round keeps the part of the interval that holds the
/// smaller of two interior values, at the golden ratio, so one new evaluation per round.
/// The first error of `f` is returned as is.
pub(crate) fn golden<E>(
    mut f: impl FnMut(f64) -> std::result::Result<f64, E>,
    mut a: f64,
    mut b: f64,
) -> std::result::Result<f64, E> {
    let g = (5f64.sqrt() - 1.0) / 2.0;
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
    Ok((a + b) / 2.0)
}

/// The perplexity of the linear interpolation `λ·p + (1 − λ)·q` of two models, given the
/// probability each gave every predicted token (`p[i][t]` and `q[i][t]` for token `t` of
/// sentence `i`, as [`crate::lm::LanguageModel::token_probabilities`] and
/// [`crate::lm::KneserNey::token_probabilities`] return them):
/// `exp(−(1/N) Σ ln(λ·p + (1 − λ)·q))` over the `N` tokens. Interpolating a recurrent model
/// with an n-gram model is how Mikolov et al. (2010) report their best perplexities.
///
/// # Errors
///
/// [`Error::InvalidParameter`] for `λ` outside `[0, 1]`, lists of different shapes, a
/// probability outside `[0, 1]` or not finite, or a token both models give probability 0;
/// [`Error::Empty`] for no tokens.
///
/// # Examples
///
/// ```
/// use recurrent::lm::mixture_perplexity;
/// let p = vec![vec![0.5, 0.25]];
/// let q = vec![vec![0.25, 0.5]];
/// // each token gets (0.5 + 0.25) / 2 = 0.375 at λ = ½
/// assert!((mixture_perplexity(&p, &q, 0.5)? - 1.0 / 0.375).abs() < 1e-12);
/// # Ok::<(), recurrent::Error>(())
/// ```
pub fn mixture_perplexity(p: &[Vec<f64>], q: &[Vec<f64>], lambda: f64) -> Result<f64> {
    if !(0.0..=1.0).contains(&lambda) {
        return Err(Error::invalid(
            "lambda",
            format!("{lambda} is not in [0, 1]"),
        ));
    }
    if p.len() != q.len() || p.iter().zip(q).any(|(a, b)| a.len() != b.len()) {
        return Err(Error::invalid(
            "probabilities",
            "the two models' lists differ in shape".to_string(),
        ));
    }
    let (mut nll, mut n) = (0.0, 0usize);
    for (i, (a, b)) in p.iter().zip(q).enumerate() {
        for (t, (&x, &y)) in a.iter().zip(b).enumerate() {
            if !((0.0..=1.0).contains(&x) && (0.0..=1.0).contains(&y)) {
                return Err(Error::invalid(
                    "probabilities",
                    format!("token {t} of sentence {i}: {x} and {y}, not both in [0, 1]"),
                ));
            }
            let m = lambda * x + (1.0 - lambda) * y;
            if m <= 0.0 {
                return Err(Error::invalid(
                    "probabilities",
                    format!("token {t} of sentence {i} has probability 0 in the mixture"),
                ));
            }
            nll -= m.ln();
            n += 1;
        }
    }
    if n == 0 {
        return Err(Error::Empty {
            op: "mixture_perplexity",
            what: "tokens",
        });
    }
    Ok((nll / n as f64).exp())
}

/// The weight `λ ∈ [0, 1]` minimising [`mixture_perplexity`] of `λ·p + (1 − λ)·q` on held-out
/// tokens (the validation split), by golden-section search; the perplexity is convex in `λ`.
///
/// # Errors
///
/// As [`mixture_perplexity`].
///
/// # Examples
///
/// ```
/// use recurrent::lm::{mixture_perplexity, tune_mixture};
/// // p is right on the first token, q on the second: the best mixture weighs them evenly
/// let p = vec![vec![0.9, 0.1]];
/// let q = vec![vec![0.1, 0.9]];
/// let l = tune_mixture(&p, &q)?;
/// assert!((l - 0.5).abs() < 1e-3);
/// assert!(mixture_perplexity(&p, &q, l)? < mixture_perplexity(&p, &q, 1.0)?);
/// # Ok::<(), recurrent::Error>(())
/// ```
pub fn tune_mixture(p: &[Vec<f64>], q: &[Vec<f64>]) -> Result<f64> {
    // the ends first: an error in the lists is reported before the search
    mixture_perplexity(p, q, 0.5)?;
    golden(|l| mixture_perplexity(p, q, l), 0.0, 1.0)
}

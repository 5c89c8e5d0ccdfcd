//! Fast queries on [`Word2Vec`]: a cached table of inverse row norms turns every
//! nearest-neighbour search into one contiguous scan of `f32` dot products, plus 3CosMul
//! analogies (Levy & Goldberg 2014) and `doesnt_match`.
//!
//! The cosine of row `x` with a unit query `q` is `cos(x, q) = (x·q)·(1/‖x‖)`; the inverse
//! norms `1/‖x‖` (0 for a zero row) are computed once, in `f64`, on the first query and kept
//! (`V` floats, 4 bytes a word; the vectors themselves are not copied). Dot products run in
//! `f32` by the crate's one dot product (`crate::kernel::dot`: sixteen independent
//! accumulators, vectorised, AVX2 where the CPU has it); they differ from
//! the `f64` cosines of [`crate::Embedding::similarity`] by a few units in the 7th digit, which can
//! only swap near-exact ties.

use super::Word2Vec;
use crate::error::{Error, Result};
use crate::kernel::dot;
use crate::traits::{Embedding, check_query, query_norm};
use std::sync::OnceLock;

/// Lazily built inverse row norms. Two caches always compare equal, so a model's equality
/// does not depend on whether it has been queried.
#[derive(Clone, Default)]
pub(crate) struct NormCache(OnceLock<Vec<f32>>);

impl PartialEq for NormCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for NormCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NormCache {{ built: {} }}", self.0.get().is_some())
    }
}

/// `‖v‖` in `f64`.
fn norm64(v: &[f32]) -> f64 {
    v.iter()
        .map(|&x| f64::from(x) * f64::from(x))
        .sum::<f64>()
        .sqrt()
}

/// Cosine in `f64`, 0 if either vector is zero.
pub(crate) fn cosine64(u: &[f32], v: &[f32]) -> f64 {
    let d: f64 = u
        .iter()
        .zip(v)
        .map(|(&a, &b)| f64::from(a) * f64::from(b))
        .sum();
    let n = norm64(u) * norm64(v);
    if n > 0.0 { d / n } else { 0.0 }
}

/// The indices of the `k` largest scores, skipping `exclude`, best first, ties by lower index;
/// NaN ranks last.
pub(crate) fn top_k(scores: &[f32], exclude: &[usize], k: usize) -> Vec<(usize, f32)> {
    let key = |s: f32| if s.is_nan() { f32::NEG_INFINITY } else { s };
    let mut cand: Vec<(usize, f32)> = scores
        .iter()
        .enumerate()
        .filter(|(i, _)| !exclude.contains(i))
        .map(|(i, &s)| (i, s))
        .collect();
    let cmp =
        |a: &(usize, f32), b: &(usize, f32)| key(b.1).total_cmp(&key(a.1)).then(a.0.cmp(&b.0));
    let k = k.min(cand.len());
    if k == 0 {
        return Vec::new();
    }
    if k < cand.len() {
        cand.select_nth_unstable_by(k - 1, cmp);
        cand.truncate(k);
    }
    cand.sort_unstable_by(cmp);
    cand
}

/// The [`Embedding`] queries as inherent methods, so that they show on [`Word2Vec`]'s page
/// and work without importing the trait. Each one calls the trait's method (or this type's
/// implementation of it) and behaves exactly as it does.
impl Word2Vec {
    /// The dimension `d` of the vectors ([`Embedding::dim`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::word2vec::Word2Vec;
    /// let words = vec!["a".into(), "b".into()];
    /// let m = Word2Vec::from_parts(words, vec![2, 1], 3, vec![0.5; 6])?;
    /// assert_eq!((m.dim(), m.vocab_len()), (3, 2));
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn dim(&self) -> usize {
        Embedding::dim(self)
    }

    /// The number of words `V` ([`Embedding::vocab_len`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::word2vec::Word2Vec;
    /// let words = vec!["a".into(), "b".into()];
    /// let m = Word2Vec::from_parts(words, vec![2, 1], 1, vec![1.0, 2.0])?;
    /// assert_eq!(m.vocab_len(), 2);
    /// assert_eq!(m.vocab_len(), m.words().len());
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn vocab_len(&self) -> usize {
        Embedding::vocab_len(self)
    }

    /// The word with index `index`, if there is one ([`Embedding::word`]); words are stored
    /// most frequent first when the model was trained or read from a file.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::word2vec::Word2Vec;
    /// let words = vec!["the".into(), "cat".into()];
    /// let m = Word2Vec::from_parts(words, vec![9, 2], 1, vec![1.0, 2.0])?;
    /// assert_eq!(m.word(1), Some("cat"));
    /// assert_eq!(m.word(2), None);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn word(&self, index: usize) -> Option<&str> {
        Embedding::word(self, index)
    }

    /// The index of `word`, if it is in the vocabulary ([`Embedding::index`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::word2vec::Word2Vec;
    /// let words = vec!["the".into(), "cat".into()];
    /// let m = Word2Vec::from_parts(words, vec![9, 2], 1, vec![1.0, 2.0])?;
    /// assert_eq!(m.index("cat"), Some(1));
    /// assert_eq!(m.index("dog"), None);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn index(&self, word: &str) -> Option<usize> {
        Embedding::index(self, word)
    }

    /// The vector of the word with index `index`, `dim()` long ([`Embedding::vector_at`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::word2vec::Word2Vec;
    /// let words = vec!["a".into(), "b".into()];
    /// let m = Word2Vec::from_parts(words, vec![2, 1], 2, vec![1.0, 2.0, 3.0, 4.0])?;
    /// assert_eq!(m.vector_at(1), Some(&[3.0, 4.0][..]));
    /// assert_eq!(m.vector_at(2), None);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn vector_at(&self, index: usize) -> Option<&[f32]> {
        Embedding::vector_at(self, index)
    }

    /// The vector of `word` ([`Embedding::vector`]).
    ///
    /// # Errors
    ///
    /// [`Error::UnknownWord`] if `word` is not in the vocabulary.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::{Error, word2vec::Word2Vec};
    /// let words = vec!["a".into(), "b".into()];
    /// let m = Word2Vec::from_parts(words, vec![2, 1], 2, vec![1.0, 2.0, 3.0, 4.0])?;
    /// assert_eq!(m.vector("b")?, &[3.0, 4.0]);
    /// assert!(matches!(m.vector("z"), Err(Error::UnknownWord(w)) if w == "z"));
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn vector(&self, word: &str) -> Result<&[f32]> {
        Embedding::vector(self, word)
    }

    /// The cosine similarity `u·v / (‖u‖‖v‖)` of two words, in `[−1, 1]`
    /// ([`Embedding::similarity`]; 0 if either vector is zero).
    ///
    /// # Errors
    ///
    /// [`Error::UnknownWord`] naming the first unknown word.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::word2vec::Word2Vec;
    /// let words = ["cat", "dog", "car"].map(String::from).to_vec();
    /// let m = Word2Vec::from_parts(words, vec![1; 3], 2, vec![1.0, 0.2, 0.9, 0.3, -0.1, 1.0])?;
    /// assert!(m.similarity("cat", "dog")? > 0.9);
    /// assert!(m.similarity("cat", "car")? < 0.2);
    /// assert!((m.similarity("car", "car")? - 1.0).abs() < 1e-6);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn similarity(&self, a: &str, b: &str) -> Result<f32> {
        Embedding::similarity(self, a, b)
    }

    /// The `k` words nearest by cosine to `Σ unit(p) − Σ unit(n)` over the `positive` and
    /// `negative` words, excluding the query words, best first with their cosines
    /// ([`Embedding::most_similar`], gensim's `most_similar`, 3CosAdd for an analogy). See
    /// [`Word2Vec::most_similar_cosmul`] for the multiplicative objective.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownWord`] for a word not in the vocabulary; [`Error::Empty`] if both lists
    /// are empty; [`Error::NonFinite`] if a query word's vector holds a NaN or infinite value.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::word2vec::Word2Vec;
    /// let words = ["cat", "dog", "car", "bus"].map(String::from).to_vec();
    /// let v = vec![1.0, 0.2, 0.9, 0.3, -0.1, 1.0, 0.0, 0.9];
    /// let m = Word2Vec::from_parts(words, vec![1; 4], 2, v)?;
    /// let near = m.most_similar(&["cat"], &[], 2)?;
    /// assert_eq!(near[0].0, "dog");
    /// assert!(near[0].1 > near[1].1);
    /// // the query word itself is never returned
    /// assert!(near.iter().all(|(w, _)| w != "cat"));
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn most_similar(
        &self,
        positive: &[&str],
        negative: &[&str],
        k: usize,
    ) -> Result<Vec<(String, f32)>> {
        Embedding::most_similar(self, positive, negative, k)
    }

    /// Answers "`a` is to `b` as `c` is to ?" by 3CosAdd: the `k` words nearest to
    /// `unit(b) − unit(a) + unit(c)`, excluding `a`, `b` and `c` ([`Embedding::analogy`];
    /// [`Word2Vec::analogy_cosmul`] for 3CosMul).
    ///
    /// # Errors
    ///
    /// [`Error::UnknownWord`] for a word not in the vocabulary.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::word2vec::Word2Vec;
    /// let words = ["man", "woman", "king", "queen", "apple"].map(String::from).to_vec();
    /// let v = vec![1.0, 0.0, 1.0, 1.0, 3.0, 0.2, 3.0, 1.8, -1.0, -0.2];
    /// let m = Word2Vec::from_parts(words, vec![1; 5], 2, v)?;
    /// // man : woman :: king : ?
    /// assert_eq!(m.analogy("man", "woman", "king", 1)?[0].0, "queen");
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn analogy(&self, a: &str, b: &str, c: &str, k: usize) -> Result<Vec<(String, f32)>> {
        Embedding::analogy(self, a, b, c, k)
    }

    /// The `k` words whose vectors have the largest cosine with a raw `query` vector, skipping
    /// the indices in `exclude`, best first ([`Embedding::nearest_to`]): the search behind the
    /// other queries, for a vector of the caller's own (a sum, a projection, …).
    ///
    /// # Errors
    ///
    /// [`Error::DimensionMismatch`] if `query` is not `dim()` long; [`Error::NonFinite`]
    /// naming the first NaN or infinite component.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::word2vec::Word2Vec;
    /// let words = ["cat", "dog", "car"].map(String::from).to_vec();
    /// let m = Word2Vec::from_parts(words, vec![1; 3], 2, vec![1.0, 0.2, 0.9, 0.3, -0.1, 1.0])?;
    /// let near = m.nearest_to(&[0.0, 1.0], &[], 1)?;
    /// assert_eq!(near[0].0, "car");
    /// let skip_car = m.nearest_to(&[0.0, 1.0], &[2], 1)?;
    /// assert_eq!(skip_car[0].0, "dog");
    /// assert!(m.nearest_to(&[1.0], &[], 1).is_err()); // wrong length
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn nearest_to(
        &self,
        query: &[f64],
        exclude: &[usize],
        k: usize,
    ) -> Result<Vec<(String, f32)>> {
        Embedding::nearest_to(self, query, exclude, k)
    }
}

impl Word2Vec {
    /// `1/‖row‖` for every word (0 for a zero row), built on first use.
    pub(crate) fn inv_norms(&self) -> &[f32] {
        self.norms.0.get_or_init(|| {
            self.vectors
                .chunks_exact(self.dim)
                .map(|r| {
                    let n = norm64(r);
                    if n > 0.0 { (1.0 / n) as f32 } else { 0.0 }
                })
                .collect()
        })
    }

    /// The unit vector of the word with index `i` (all zeros for a zero row).
    pub(crate) fn unit_at(&self, i: usize) -> Vec<f32> {
        let inv = self.inv_norms()[i];
        self.vectors[i * self.dim..(i + 1) * self.dim]
            .iter()
            .map(|x| x * inv)
            .collect()
    }

    /// `cos(row_i, q)` for the first `limit` rows, `q` a unit vector.
    pub(crate) fn cosines(&self, q: &[f32], limit: usize) -> Vec<f32> {
        let limit = limit.min(self.vocab.len());
        self.vectors
            .chunks_exact(self.dim)
            .take(limit)
            .zip(self.inv_norms())
            .map(|(row, inv)| dot(row, q) * inv)
            .collect()
    }

    /// The scan behind [`crate::Embedding::nearest_to`]: checks `query` (`dim` components,
    /// all finite), unit-normalises it in `f64` without overflow or underflow whatever its
    /// scale, and ranks the first `limit` rows by cosine.
    pub(crate) fn scan_nearest(
        &self,
        query: &[f64],
        exclude: &[usize],
        k: usize,
        limit: usize,
    ) -> Result<Vec<(String, f32)>> {
        check_query("nearest_to", self.dim, query)?;
        let qn = query_norm(query);
        let inv = if qn > 0.0 { 1.0 / qn } else { 0.0 };
        let q: Vec<f32> = query.iter().map(|x| (x * inv) as f32).collect();
        let scores = self.cosines(&q, limit);
        Ok(top_k(&scores, exclude, k)
            .into_iter()
            .map(|(i, s)| (self.words()[i].clone(), s))
            .collect())
    }

    /// The index of a query word, whose vector must be finite (a NaN row would otherwise
    /// turn into a zero query and a silently meaningless ranking).
    fn index_of(&self, op: &'static str, word: &str) -> Result<usize> {
        let i = self
            .vocab
            .index(word)
            .ok_or_else(|| Error::UnknownWord(word.to_string()))?;
        crate::error::check_finite(
            op,
            "word vector",
            &self.vectors[i * self.dim..(i + 1) * self.dim],
        )?;
        Ok(i)
    }

    /// The 3CosMul scores of the first `limit` rows for the words with indices `pos`, `neg`:
    /// `Π_p c(x, p) / (Π_n c(x, n) + ε)` with `c = (1 + cos)/2` and `ε = 10⁻⁶`.
    pub(crate) fn cosmul_scores(&self, pos: &[usize], neg: &[usize], limit: usize) -> Vec<f32> {
        let n = limit.min(self.vocab.len());
        let (mut num, mut den) = (vec![1f32; n], vec![1f32; n]);
        for (ids, acc) in [(pos, &mut num), (neg, &mut den)] {
            for &i in ids {
                let c = self.cosines(&self.unit_at(i), n);
                for (a, c) in acc.iter_mut().zip(c) {
                    *a *= (1.0 + c) / 2.0;
                }
            }
        }
        // gensim's ε (Levy & Goldberg use 0.001); it only guards the division.
        const EPS: f32 = 1e-6;
        num.iter().zip(&den).map(|(p, d)| p / (d + EPS)).collect()
    }

    /// The `k` words that maximise the multiplicative objective of Levy & Goldberg (2014),
    ///
    /// `score(x) = Π_p c(x, p) / (Π_n c(x, n) + ε)`, with `c(x, y) = (1 + cos(x, y))/2` and
    /// `ε = 10⁻⁶`,
    ///
    /// over the `positive` words `p` and `negative` words `n`, excluding the query words, best
    /// first with their scores. Shifting cosines to `[0, 1]` keeps every factor positive; a
    /// product instead of 3CosAdd's sum stops one large similarity from dominating. With
    /// `positive = [b, c]`, `negative = [a]` this is the 3CosMul analogy (gensim's
    /// `most_similar_cosmul`, same ε). Without negative words the denominator is `1 + ε`, as in gensim.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::word2vec::Word2Vec;
    /// let words = ["man", "woman", "king", "queen", "apple"].map(String::from).to_vec();
    /// let v = [1.0, 0.0, 1.0, 1.0, 3.0, 0.2, 3.0, 1.8, -1.0, -0.2];
    /// let m = Word2Vec::from_parts(words, vec![1; 5], 2, v.to_vec())?;
    /// let best = m.most_similar_cosmul(&["woman", "king"], &["man"], 1)?;
    /// assert_eq!(best[0].0, "queen");
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] if `positive` is empty; [`Error::UnknownWord`] naming the first word
    /// not in the vocabulary; [`Error::NonFinite`] if a query word's vector holds a NaN or
    /// infinite value.
    ///
    /// # Complexity
    ///
    /// One `O(V·d)` scan per query word.
    ///
    /// # References
    ///
    /// [^1]: O. Levy, Y. Goldberg (2014), "Linguistic Regularities in Sparse and Explicit Word
    ///   Representations", CoNLL, equation (4) and footnote 7.
    pub fn most_similar_cosmul(
        &self,
        positive: &[&str],
        negative: &[&str],
        k: usize,
    ) -> Result<Vec<(String, f32)>> {
        if positive.is_empty() {
            return Err(Error::Empty {
                op: "most_similar_cosmul",
                what: "positive words",
            });
        }
        let pos = positive
            .iter()
            .map(|w| self.index_of("most_similar_cosmul", w))
            .collect::<Result<Vec<_>>>()?;
        let neg = negative
            .iter()
            .map(|w| self.index_of("most_similar_cosmul", w))
            .collect::<Result<Vec<_>>>()?;
        let scores = self.cosmul_scores(&pos, &neg, self.vocab.len());
        let exclude: Vec<usize> = pos.iter().chain(&neg).copied().collect();
        Ok(top_k(&scores, &exclude, k)
            .into_iter()
            .map(|(i, s)| (self.words()[i].clone(), s))
            .collect())
    }

    /// Answers "`a` is to `b` as `c` is to ?" by 3CosMul:
    /// [`Word2Vec::most_similar_cosmul`]`(&[b, c], &[a], k)`. Levy & Goldberg (2014) found it
    /// more accurate than 3CosAdd ([`crate::Embedding::analogy`]) on the same vectors.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownWord`] naming the first word not in the vocabulary;
    /// [`Error::NonFinite`] if a query word's vector holds a NaN or infinite value.
    pub fn analogy_cosmul(
        &self,
        a: &str,
        b: &str,
        c: &str,
        k: usize,
    ) -> Result<Vec<(String, f32)>> {
        self.most_similar_cosmul(&[b, c], &[a], k)
    }

    /// The word that does not belong: the one least similar to the mean of the words' unit
    /// vectors, `argmin_w cos(w, Σ unit(v))` (gensim's `doesnt_match`).
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::word2vec::Word2Vec;
    /// let words = ["breakfast", "lunch", "dinner", "cereal"].map(String::from).to_vec();
    /// let v = [1.0, 0.1, 1.0, 0.0, 0.9, 0.1, 0.0, 1.0];
    /// let m = Word2Vec::from_parts(words, vec![1; 4], 2, v.to_vec())?;
    /// assert_eq!(m.doesnt_match(&["breakfast", "cereal", "dinner", "lunch"])?, "cereal");
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] if `words` is empty; [`Error::UnknownWord`] naming the first word not
    /// in the vocabulary (gensim skips unknown words with a warning instead);
    /// [`Error::NonFinite`] if a word's vector holds a NaN or infinite value.
    pub fn doesnt_match<'a>(&self, words: &[&'a str]) -> Result<&'a str> {
        if words.is_empty() {
            return Err(Error::Empty {
                op: "doesnt_match",
                what: "words",
            });
        }
        let units = words
            .iter()
            .map(|w| Ok(self.unit_at(self.index_of("doesnt_match", w)?)))
            .collect::<Result<Vec<_>>>()?;
        let mut mean = vec![0f32; self.dim];
        for u in &units {
            for (m, x) in mean.iter_mut().zip(u) {
                *m += x;
            }
        }
        let mut worst = (0, f32::INFINITY);
        for (i, u) in units.iter().enumerate() {
            let s = dot(u, &mean);
            if s < worst.1 {
                worst = (i, s);
            }
        }
        Ok(words[worst.0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_orders_and_breaks_ties_by_index() {
        let s = [0.5, 0.9, f32::NAN, 0.9, -1.0, 0.7];
        let got: Vec<usize> = top_k(&s, &[5], 4).into_iter().map(|(i, _)| i).collect();
        assert_eq!(got, [1, 3, 0, 4]);
        assert_eq!(top_k(&s, &[], 0), []);
        assert_eq!(top_k(&s, &[], 100).len(), 6);
        assert_eq!(top_k(&s, &[], 100)[5].0, 2, "NaN last");
    }

    #[test]
    fn cache_does_not_change_equality() {
        let m = Word2Vec::from_parts(vec!["a".into()], vec![1], 2, vec![3.0, 4.0]).unwrap();
        let fresh = m.clone();
        assert!((m.inv_norms()[0] - 0.2).abs() < 1e-7);
        assert_eq!(m, fresh);
        assert!(format!("{:?}", m.norms).contains("true"));
    }
}

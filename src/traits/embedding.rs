use crate::error::{Error, Result};

/// Read-only word embeddings: a vocabulary of words, each with a dense `f32` vector.
///
/// The distributed representation of the lecture: instead of one sparse dimension per word
/// (bag of words), every word is a point in a space of a few hundred dimensions, where words
/// used in similar contexts lie close together (Mikolov et al. 2013).
///
/// Implementors provide the vocabulary and the rows; cosine similarity, nearest neighbours and
/// analogies come as provided methods. The provided queries normalise candidate rows on the
/// fly, `O(V·d)` per query with no extra memory; an implementation that keeps unit-length rows
/// may override them with a faster scan.
///
/// Similarities are cosines `cos(u, v) = u·v / (‖u‖‖v‖)`, computed in `f64` and returned as `f32`;
/// a zero vector has similarity 0 with everything.
///
/// # Examples
///
/// An embedding of one's own: five methods, and the queries come free.
///
/// ```
/// use recurrent::Embedding;
///
/// /// Three words in two dimensions, rows stored one after the other.
/// struct Tiny {
///     words: Vec<&'static str>,
///     rows: Vec<f32>,
/// }
///
/// impl Embedding for Tiny {
///     fn dim(&self) -> usize { 2 }
///     fn vocab_len(&self) -> usize { self.words.len() }
///     fn word(&self, i: usize) -> Option<&str> { self.words.get(i).copied() }
///     fn index(&self, w: &str) -> Option<usize> { self.words.iter().position(|x| *x == w) }
///     fn vector_at(&self, i: usize) -> Option<&[f32]> { self.rows.get(2 * i..2 * i + 2) }
/// }
///
/// let e = Tiny { words: vec!["cat", "dog", "car"], rows: vec![1.0, 0.2, 0.9, 0.3, -0.1, 1.0] };
/// assert!(e.similarity("cat", "dog")? > e.similarity("cat", "car")?);
/// assert_eq!(e.most_similar(&["cat"], &[], 1)?[0].0, "dog");
/// assert!(e.vector("bird").is_err());
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// [`crate::Word2Vec`] implements it (and repeats the queries as inherent methods);
/// [`crate::lm::LanguageModelBuilder::embedding`] reads any implementation into a network's
/// lookup table.
///
/// # References
///
/// [^1]: T. Mikolov, K. Chen, G. Corrado, J. Dean (2013), "Efficient Estimation of Word
///   Representations in Vector Space", arXiv:1301.3781.
pub trait Embedding {
    /// Dimension of the vectors.
    fn dim(&self) -> usize;

    /// Number of words in the vocabulary.
    fn vocab_len(&self) -> usize;

    /// The word with index `index` (indices run `0..vocab_len()`, most frequent first where
    /// the vocabulary was built from counts).
    fn word(&self, index: usize) -> Option<&str>;

    /// The index of `word`, if it is in the vocabulary.
    fn index(&self, word: &str) -> Option<usize>;

    /// The vector of the word with index `index`, `dim()` long.
    fn vector_at(&self, index: usize) -> Option<&[f32]>;

    /// The vector of `word`.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownWord`] if `word` is not in the vocabulary.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::{Embedding, word2vec::Word2Vec};
    /// fn query(e: &impl Embedding) -> recurrent::Result<f32> {
    ///     Ok(e.vector("king")?[0])
    /// }
    /// let words = ["man", "woman", "king", "queen", "apple"].map(String::from).to_vec();
    /// let v = vec![1.0, 0.0, 1.0, 1.0, 3.0, 0.2, 3.0, 1.8, -1.0, -0.2];
    /// let m = Word2Vec::from_parts(words, vec![1; 5], 2, v)?;
    /// assert_eq!(query(&m)?, 3.0);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    fn vector(&self, word: &str) -> Result<&[f32]> {
        self.index(word)
            .and_then(|i| self.vector_at(i))
            .ok_or_else(|| Error::UnknownWord(word.to_string()))
    }

    /// Cosine similarity of two words.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownWord`] naming the first unknown word.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::{Embedding, word2vec::Word2Vec};
    /// fn query(e: &impl Embedding) -> recurrent::Result<f32> {
    ///     e.similarity("man", "woman")
    /// }
    /// let words = ["man", "woman", "king", "queen", "apple"].map(String::from).to_vec();
    /// let v = vec![1.0, 0.0, 1.0, 1.0, 3.0, 0.2, 3.0, 1.8, -1.0, -0.2];
    /// let m = Word2Vec::from_parts(words, vec![1; 5], 2, v)?;
    /// assert!((query(&m)? - 0.5f32.sqrt()).abs() < 1e-6); // cos 45°
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    fn similarity(&self, a: &str, b: &str) -> Result<f32> {
        let (u, v) = (self.vector(a)?, self.vector(b)?);
        Ok(cosine(u, v) as f32)
    }

    /// The `k` words nearest by cosine to `Σ unit(p) − Σ unit(n)` over the `positive` words `p`
    /// and `negative` words `n` (gensim's `most_similar`; for an analogy this is 3CosAdd),
    /// excluding the query words, best first.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownWord`] for a word not in the vocabulary; [`Error::Empty`] if both lists
    /// are empty; [`Error::DimensionMismatch`] if a word's vector is not `dim()` long;
    /// [`Error::NonFinite`] if a query word's vector holds a NaN or infinite value.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::{Embedding, word2vec::Word2Vec};
    /// fn query(e: &impl Embedding) -> recurrent::Result<Vec<(String, f32)>> {
    ///     e.most_similar(&["woman", "king"], &["man"], 2)
    /// }
    /// let words = ["man", "woman", "king", "queen", "apple"].map(String::from).to_vec();
    /// let v = vec![1.0, 0.0, 1.0, 1.0, 3.0, 0.2, 3.0, 1.8, -1.0, -0.2];
    /// let m = Word2Vec::from_parts(words, vec![1; 5], 2, v)?;
    /// let best = query(&m)?;
    /// assert_eq!(best[0].0, "queen");
    /// assert!(best[0].1 >= best[1].1);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    fn most_similar(
        &self,
        positive: &[&str],
        negative: &[&str],
        k: usize,
    ) -> Result<Vec<(String, f32)>> {
        if positive.is_empty() && negative.is_empty() {
            return Err(Error::Empty {
                op: "most_similar",
                what: "query words",
            });
        }
        // Resolve every word before sizing the query by `dim()`.
        let mut rows = Vec::with_capacity(positive.len() + negative.len());
        for (words, sign) in [(positive, 1.0), (negative, -1.0)] {
            for w in words {
                let i = self
                    .index(w)
                    .ok_or_else(|| Error::UnknownWord(w.to_string()))?;
                let v = self
                    .vector_at(i)
                    .ok_or_else(|| Error::UnknownWord(w.to_string()))?;
                crate::error::check_shape(
                    "most_similar",
                    "word vector",
                    (self.dim(), 1),
                    (v.len(), 1),
                )?;
                crate::error::check_finite("most_similar", "word vector", v)?;
                rows.push((i, sign, v));
            }
        }
        let mut query = vec![0f64; self.dim()];
        for &(_, sign, v) in &rows {
            let n = norm(v);
            if n > 0.0 {
                for (q, x) in query.iter_mut().zip(v) {
                    *q += sign * f64::from(*x) / n;
                }
            }
        }
        let exclude: Vec<usize> = rows.iter().map(|r| r.0).collect();
        self.nearest_to(&query, &exclude, k)
    }

    /// Answers "`a` is to `b` as `c` is to ?" by 3CosAdd: the words nearest to
    /// `unit(b) − unit(a) + unit(c)`, excluding `a`, `b`, `c`.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownWord`] for a word not in the vocabulary.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::{Embedding, word2vec::Word2Vec};
    /// fn query(e: &impl Embedding) -> recurrent::Result<Vec<(String, f32)>> {
    ///     e.analogy("man", "woman", "king", 1)
    /// }
    /// let words = ["man", "woman", "king", "queen", "apple"].map(String::from).to_vec();
    /// let v = vec![1.0, 0.0, 1.0, 1.0, 3.0, 0.2, 3.0, 1.8, -1.0, -0.2];
    /// let m = Word2Vec::from_parts(words, vec![1; 5], 2, v)?;
    /// assert_eq!(query(&m)?[0].0, "queen");
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    fn analogy(&self, a: &str, b: &str, c: &str, k: usize) -> Result<Vec<(String, f32)>> {
        self.most_similar(&[b, c], &[a], k)
    }

    /// The `k` words whose vectors have the largest cosine with `query`, skipping the indices
    /// in `exclude`, best first (ties by lower index). A zero `query` has cosine 0 with every
    /// word.
    ///
    /// # Errors
    ///
    /// [`Error::DimensionMismatch`] if `query` is not `dim()` long; [`Error::NonFinite`]
    /// naming the first NaN or infinite component of `query`.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::{Embedding, word2vec::Word2Vec};
    /// fn query(e: &impl Embedding) -> recurrent::Result<Vec<(String, f32)>> {
    ///     e.nearest_to(&[-1.0, 0.0], &[], 1)
    /// }
    /// let words = ["man", "woman", "king", "queen", "apple"].map(String::from).to_vec();
    /// let v = vec![1.0, 0.0, 1.0, 1.0, 3.0, 0.2, 3.0, 1.8, -1.0, -0.2];
    /// let m = Word2Vec::from_parts(words, vec![1; 5], 2, v)?;
    /// assert_eq!(query(&m)?[0].0, "apple");
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    fn nearest_to(&self, query: &[f64], exclude: &[usize], k: usize) -> Result<Vec<(String, f32)>> {
        check_query("nearest_to", self.dim(), query)?;
        // Normalise the query first, so no product can overflow whatever its scale.
        let qn = query_norm(query);
        let inv = if qn > 0.0 { 1.0 / qn } else { 0.0 };
        let unit: Vec<f64> = query.iter().map(|q| q * inv).collect();
        let mut scored: Vec<(usize, f64)> = (0..self.vocab_len())
            .filter(|i| !exclude.contains(i))
            .filter_map(|i| {
                let v = self.vector_at(i)?;
                let dot: f64 = v.iter().zip(&unit).map(|(x, q)| f64::from(*x) * q).sum();
                let vn = norm(v);
                Some((i, if vn > 0.0 && qn > 0.0 { dot / vn } else { 0.0 }))
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(scored
            .into_iter()
            .take(k)
            .filter_map(|(i, s)| Some((self.word(i)?.to_string(), s as f32)))
            .collect())
    }
}

/// Checks a raw query vector: `dim` components, all finite.
pub(crate) fn check_query(op: &'static str, dim: usize, query: &[f64]) -> Result<()> {
    crate::error::check_shape(op, "query", (dim, 1), (query.len(), 1))?;
    crate::error::check_finite(op, "query", query)
}

/// `‖q‖` of a finite `f64` vector without overflow or underflow: scaled by its largest
/// component first, so `[1e200, 1e200]` and `[1e-200, 0]` have the norms they should.
pub(crate) fn query_norm(q: &[f64]) -> f64 {
    let m = q.iter().fold(0f64, |m, x| m.max(x.abs()));
    if m == 0.0 || !m.is_finite() {
        return m;
    }
    m * q.iter().map(|x| (x / m) * (x / m)).sum::<f64>().sqrt()
}

/// Euclidean norm in f64.
fn norm(v: &[f32]) -> f64 {
    v.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt()
}

/// Cosine of two equal-length vectors in f64; 0 if either is zero.
pub(crate) fn cosine(u: &[f32], v: &[f32]) -> f64 {
    let dot: f64 = u
        .iter()
        .zip(v)
        .map(|(a, b)| f64::from(*a) * f64::from(*b))
        .sum();
    let d = norm(u) * norm(v);
    if d > 0.0 { dot / d } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Toy {
        words: Vec<&'static str>,
        rows: Vec<[f32; 2]>,
    }

    impl Embedding for Toy {
        fn dim(&self) -> usize {
            2
        }
        fn vocab_len(&self) -> usize {
            self.words.len()
        }
        fn word(&self, i: usize) -> Option<&str> {
            self.words.get(i).copied()
        }
        fn index(&self, w: &str) -> Option<usize> {
            self.words.iter().position(|x| *x == w)
        }
        fn vector_at(&self, i: usize) -> Option<&[f32]> {
            self.rows.get(i).map(|r| &r[..])
        }
    }

    fn toy() -> Toy {
        // man/woman differ by +y, king/queen likewise; king = man + x.
        Toy {
            words: vec!["man", "woman", "king", "queen", "apple"],
            rows: vec![[1.0, 0.0], [1.0, 1.0], [3.0, 0.2], [3.0, 1.8], [-1.0, -0.2]],
        }
    }

    #[test]
    fn analogy_finds_queen() {
        let t = toy();
        let best = t.analogy("man", "woman", "king", 1).unwrap();
        assert_eq!(best[0].0, "queen");
        assert!(matches!(t.vector("prince"), Err(Error::UnknownWord(w)) if w == "prince"));
        assert!(t.most_similar(&[], &[], 3).is_err());
    }

    #[test]
    fn similarity_is_cosine() {
        let t = toy();
        let s = t.similarity("man", "woman").unwrap();
        assert!((s - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 0.0]), 0.0);
    }
}

use super::{Tokenizer, Vocab};
use crate::error::{Error, Result};
use crate::scalar::{Real, lit};
use nalgebra_sparse::CsrMatrix;
use std::collections::HashMap;

/// Term counts: the bag-of-words matrix `X`, `X[i, j]` = occurrences of vocabulary word `j`
/// in document `i` (`n_docs × V`, sparse).
///
/// [`CountVectorizer::fit`] learns the vocabulary, sorted alphabetically (so column `j` is the
/// `j`-th word in byte order, as scikit-learn's `CountVectorizer` sorts its features), and
/// each word's document frequency `df` (number of documents containing it), held as a
/// [`Vocab`] whose counts are the document frequencies. [`CountVectorizer::transform`] then
/// counts; words not in the vocabulary are ignored.
///
/// # Examples
///
/// ```
/// use recurrent::text::{CountVectorizer, Tokenizer};
/// let docs = ["the cat sat", "the cat and the dog"];
/// let cv = CountVectorizer::fit(Tokenizer::default(), docs)?;
/// assert_eq!(cv.vocabulary(), ["and", "cat", "dog", "sat", "the"]);
/// assert_eq!(cv.document_frequencies(), [1, 2, 1, 1, 2]);
/// let x = cv.transform::<f32, _, _>(["the the unknown"])?;
/// assert_eq!(x.triplet_iter().map(|(i, j, v)| (i, j, *v)).collect::<Vec<_>>(), [(0, 4, 2.0)]);
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct CountVectorizer {
    tokenizer: Tokenizer,
    /// The words in column order, with their document frequencies as counts.
    vocab: Vocab,
    n_docs: usize,
}

impl CountVectorizer {
    /// Learns the vocabulary and document frequencies of `docs`.
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] if there are no documents or no document has a token.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::text::{CountVectorizer, Tokenizer};
    /// let cv = CountVectorizer::fit(Tokenizer::default(), ["b a", "c a"])?;
    /// assert_eq!(cv.vocabulary(), ["a", "b", "c"]); // sorted, as scikit-learn
    /// assert_eq!((cv.n_docs(), cv.document_frequencies()[0]), (2, 2));
    /// assert!(CountVectorizer::fit(Tokenizer::default(), ["!!"]).is_err()); // no token at all
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn fit<I, S>(tokenizer: Tokenizer, docs: I) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut df: HashMap<String, u64> = HashMap::new();
        let mut n_docs = 0;
        let mut seen = std::collections::HashSet::new();
        for doc in docs {
            n_docs += 1;
            seen.clear();
            for t in tokenizer.tokens(doc.as_ref()) {
                if !seen.contains(&t) {
                    *df.entry(t.clone()).or_insert(0) += 1;
                    seen.insert(t);
                }
            }
        }
        if n_docs == 0 {
            return Err(Error::Empty {
                op: "CountVectorizer::fit",
                what: "documents",
            });
        }
        let mut terms: Vec<(String, u64)> = df.into_iter().collect();
        terms.sort_unstable();
        Self::from_terms(tokenizer, terms, n_docs)
    }

    fn from_terms(tokenizer: Tokenizer, terms: Vec<(String, u64)>, n_docs: usize) -> Result<Self> {
        if terms.is_empty() {
            return Err(Error::Empty {
                op: "CountVectorizer::fit",
                what: "vocabulary (no document has a token)",
            });
        }
        // Tokens are non-empty runs of alphanumerics, so `Vocab`'s word rules always hold.
        Ok(Self {
            tokenizer,
            vocab: Vocab::from_counts(terms)?,
            n_docs,
        })
    }

    /// Keeps only the words found in at least `min_df` documents (scikit-learn's integer
    /// `min_df`); columns are renumbered, still in alphabetical order.
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] if no word is left.
    pub fn retain_min_df(self, min_df: u64) -> Result<Self> {
        let terms = self
            .vocab
            .iter()
            .filter(|&(_, d)| d >= min_df)
            .map(|(w, d)| (w.to_string(), d))
            .collect();
        Self::from_terms(self.tokenizer, terms, self.n_docs)
    }

    /// The words, in column order.
    pub fn vocabulary(&self) -> &[String] {
        self.vocab.words()
    }

    /// The vocabulary: the words in column order, with their document frequencies as counts.
    pub fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    /// The column of `word`, if it is in the vocabulary.
    pub fn column(&self, word: &str) -> Option<usize> {
        self.vocab.index(word)
    }

    /// Document frequency of each word, in column order.
    pub fn document_frequencies(&self) -> &[u64] {
        self.vocab.counts()
    }

    /// Number of documents seen by [`CountVectorizer::fit`].
    pub fn n_docs(&self) -> usize {
        self.n_docs
    }

    /// The tokenizer.
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// Sorted `(column, count)` pairs of one document.
    fn row_counts(&self, doc: &str, counts: &mut HashMap<usize, usize>) -> Vec<(usize, usize)> {
        counts.clear();
        for t in self.tokenizer.tokens(doc) {
            if let Some(j) = self.vocab.index(&t) {
                *counts.entry(j).or_insert(0) += 1;
            }
        }
        let mut row: Vec<(usize, usize)> = counts.iter().map(|(&j, &c)| (j, c)).collect();
        row.sort_unstable();
        row
    }

    /// Builds an `n × V` CSR matrix from per-document rows of `(column, value)`.
    fn build<T: Real>(
        &self,
        rows: impl Iterator<Item = Vec<(usize, f64)>>,
    ) -> Result<CsrMatrix<T>> {
        let (mut offsets, mut cols, mut vals) = (vec![0], Vec::new(), Vec::new());
        for row in rows {
            for (j, v) in row {
                cols.push(j);
                vals.push(lit::<T>(v));
            }
            offsets.push(cols.len());
        }
        let n = offsets.len() - 1;
        CsrMatrix::try_from_csr_data(n, self.vocab.len(), offsets, cols, vals).map_err(|e| {
            Error::Numerical {
                op: "CountVectorizer::transform",
                reason: format!("invalid sparse matrix: {e}"),
            }
        })
    }

    /// The count matrix of `docs`, `docs.len() × V`; words outside the vocabulary are
    /// ignored, so a document may have an empty row.
    ///
    /// # Errors
    ///
    /// None in practice: an [`Error::Numerical`] would mean an internal bug in building the
    /// sparse matrix.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::text::{CountVectorizer, Tokenizer};
    /// let cv = CountVectorizer::fit(Tokenizer::default(), ["the cat", "the dog"])?;
    /// let m = cv.transform::<f64, _, _>(["the the cat", "a bird"])?; // unknown words are dropped
    /// assert_eq!((m.nrows(), m.ncols(), m.nnz()), (2, 3, 2));
    /// assert_eq!(m.get_entry(0, 2).map(|e| e.into_value()), Some(2.0)); // "the" twice
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn transform<T, I, S>(&self, docs: I) -> Result<CsrMatrix<T>>
    where
        T: Real,
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut scratch = HashMap::new();
        self.build(docs.into_iter().map(|d| {
            self.row_counts(d.as_ref(), &mut scratch)
                .into_iter()
                .map(|(j, c)| (j, c as f64))
                .collect()
        }))
    }
}

/// Row normalisation of [`TfidfVectorizer`].
///
/// # Examples
///
/// ```
/// use recurrent::text::{Norm, TfidfOptions, TfidfVectorizer, Tokenizer};
/// let docs = ["good good film", "bad film"];
/// let l1 = TfidfOptions { norm: Norm::L1, ..TfidfOptions::default() };
/// let m = TfidfVectorizer::fit(Tokenizer::default(), docs, l1)?.transform::<f64, _, _>(docs)?;
/// let row0: f64 = m.row(0).values().iter().sum();
/// assert!((row0 - 1.0).abs() < 1e-12); // Σ|x| = 1
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Norm {
    /// Each row divided by its Euclidean norm `√Σ x²` (scikit-learn's default).
    #[default]
    L2,
    /// Each row divided by `Σ |x|`.
    L1,
    /// No normalisation.
    None,
}

/// Options of [`TfidfVectorizer`], scikit-learn's `TfidfVectorizer` defaults.
///
/// | Name | Default | Purpose |
/// |---|---|---|
/// | `smooth_idf` | `true` | `idf = ln((1 + n)/(1 + df)) + 1` (as if one extra document held every word once); `false`: `ln(n/df) + 1` |
/// | `sublinear_tf` | `false` | use `1 + ln(tf)` instead of the raw count `tf` |
/// | `norm` | `L2` | row normalisation |
///
/// # Examples
///
/// ```
/// use recurrent::text::{Norm, TfidfOptions, TfidfVectorizer, Tokenizer};
/// let docs = ["cat cat cat dog", "dog"];
/// let raw = TfidfOptions { smooth_idf: false, sublinear_tf: true, norm: Norm::None };
/// let tv = TfidfVectorizer::fit(Tokenizer::default(), docs, raw)?;
/// assert_eq!(tv.idf()[1], 1.0); // "dog" is in every document: ln(2/2) + 1
/// let m = tv.transform::<f64, _, _>(docs)?;
/// // "cat" three times: (1 + ln 3)·(ln 2 + 1), not normalised
/// let cat = m.get_entry(0, 0).map(|e| e.into_value()).unwrap_or(0.0);
/// assert!((cat - (1.0 + 3f64.ln()) * (2f64.ln() + 1.0)).abs() < 1e-12);
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TfidfOptions {
    /// Smoothed idf.
    pub smooth_idf: bool,
    /// Logarithmic term frequency.
    pub sublinear_tf: bool,
    /// Row normalisation.
    pub norm: Norm,
}

impl Default for TfidfOptions {
    fn default() -> Self {
        Self {
            smooth_idf: true,
            sublinear_tf: false,
            norm: Norm::L2,
        }
    }
}

/// TF-IDF weights, with scikit-learn's defaults: for document `i` and word `j`,
///
/// `w[i, j] = tf(i, j) · idf(j)`, `idf(j) = ln((1 + n)/(1 + df(j))) + 1`,
///
/// then every row divided by its Euclidean norm (`‖w[i, ·]‖₂ = 1`, empty rows stay empty),
/// where `tf` is the raw count, `n` the number of training documents and `df(j)` the number of
/// them containing `j`. The `+ 1` terms (smoothing) act as one extra document containing every
/// word, so no idf is infinite; the final `+ 1` keeps words found in every document from being
/// zeroed. These match scikit-learn's `TfidfVectorizer(smooth_idf=True, sublinear_tf=False,
/// norm='l2')` (its `TfidfTransformer` documents the formula); [`TfidfOptions`] switches them.
///
/// # Examples
///
/// ```
/// use recurrent::text::{TfidfOptions, TfidfVectorizer, Tokenizer};
/// let docs = ["good film", "good good movie"];
/// let tv = TfidfVectorizer::fit(Tokenizer::default(), docs, TfidfOptions::default())?;
/// // "good" is in both documents: idf = ln(3/3) + 1 = 1; "film" in one: ln(3/2) + 1.
/// assert_eq!(tv.idf()[1], 1.0);
/// assert!((tv.idf()[0] - (1.5f64.ln() + 1.0)).abs() < 1e-15);
/// let w = tv.transform::<f64, _, _>(docs)?;
/// let row0: f64 = w.row(0).values().iter().map(|x| x * x).sum();
/// assert!((row0 - 1.0).abs() < 1e-12);
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct TfidfVectorizer {
    counts: CountVectorizer,
    idf: Vec<f64>,
    opts: TfidfOptions,
}

impl TfidfVectorizer {
    /// Learns the vocabulary and idf weights of `docs`.
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] if there are no documents or no tokens.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::text::{TfidfOptions, TfidfVectorizer, Tokenizer};
    /// let tv = TfidfVectorizer::fit(Tokenizer::default(), ["rare common", "common"], TfidfOptions::default())?;
    /// // a word in fewer documents weighs more
    /// assert!(tv.idf()[1] > tv.idf()[0]); // columns: ["common", "rare"]
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn fit<I, S>(tokenizer: Tokenizer, docs: I, opts: TfidfOptions) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Ok(Self::from_counts(
            CountVectorizer::fit(tokenizer, docs)?,
            opts,
        ))
    }

    /// TF-IDF on top of an already fitted [`CountVectorizer`] (its vocabulary, document
    /// frequencies and document count).
    pub fn from_counts(counts: CountVectorizer, opts: TfidfOptions) -> Self {
        let n = counts.n_docs as f64;
        let idf = counts
            .document_frequencies()
            .iter()
            .map(|&df| {
                let df = df as f64;
                if opts.smooth_idf {
                    ((1.0 + n) / (1.0 + df)).ln() + 1.0
                } else {
                    (n / df).ln() + 1.0
                }
            })
            .collect();
        Self { counts, idf, opts }
    }

    /// The words, in column order.
    pub fn vocabulary(&self) -> &[String] {
        self.counts.vocabulary()
    }

    /// The idf weight of each word, in column order.
    pub fn idf(&self) -> &[f64] {
        &self.idf
    }

    /// The underlying counts.
    pub fn counts(&self) -> &CountVectorizer {
        &self.counts
    }

    /// The TF-IDF matrix of `docs`, `docs.len() × V`, rows normalised per [`TfidfOptions`]
    /// (computed in `f64`, stored as `T`).
    ///
    /// # Errors
    ///
    /// None in practice (as [`CountVectorizer::transform`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::text::{TfidfOptions, TfidfVectorizer, Tokenizer};
    /// let docs = ["good film", "bad film"];
    /// let tv = TfidfVectorizer::fit(Tokenizer::default(), docs, TfidfOptions::default())?;
    /// let m = tv.transform::<f32, _, _>(["good good film"])?;
    /// let norm2: f32 = m.row(0).values().iter().map(|x| x * x).sum();
    /// assert!((norm2 - 1.0).abs() < 1e-6); // l2-normalised rows
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn transform<T, I, S>(&self, docs: I) -> Result<CsrMatrix<T>>
    where
        T: Real,
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut scratch = HashMap::new();
        self.counts.build(docs.into_iter().map(|d| {
            let mut row: Vec<(usize, f64)> = self
                .counts
                .row_counts(d.as_ref(), &mut scratch)
                .into_iter()
                .map(|(j, c)| {
                    let tf = c as f64;
                    let tf = if self.opts.sublinear_tf {
                        1.0 + tf.ln()
                    } else {
                        tf
                    };
                    (j, tf * self.idf[j])
                })
                .collect();
            let norm = match self.opts.norm {
                Norm::L2 => row.iter().map(|(_, v)| v * v).sum::<f64>().sqrt(),
                Norm::L1 => row.iter().map(|(_, v)| v.abs()).sum::<f64>(),
                Norm::None => 1.0,
            };
            if norm > 0.0 {
                for (_, v) in &mut row {
                    *v /= norm;
                }
            }
            row
        }))
    }
}

/// The share of zero entries of a sparse matrix, `1 − nnz/(rows·cols)` (stored zeros are
/// counted as non-zeros; the vectorizers never store them).
///
/// # Errors
///
/// [`Error::Empty`] if the matrix has no entries at all (0 rows or 0 columns).
///
/// # Examples
///
/// ```
/// use recurrent::text::{CountVectorizer, Tokenizer, sparsity};
/// let docs = ["a b", "c d"];
/// let m = CountVectorizer::fit(Tokenizer::default(), docs)?.transform::<f32, _, _>(docs)?;
/// assert_eq!(sparsity(&m)?, 0.5); // 4 non-zeros in 2 × 4
/// # Ok::<(), recurrent::Error>(())
/// ```
pub fn sparsity<T>(m: &CsrMatrix<T>) -> Result<f64> {
    let cells = (m.nrows() as f64) * (m.ncols() as f64);
    if cells == 0.0 {
        return Err(Error::Empty {
            op: "sparsity",
            what: "matrix",
        });
    }
    Ok(1.0 - m.nnz() as f64 / cells)
}

//! Word classes by k-means on the word vectors, computed and written as the C `word2vec`
//! tool's `-classes K` computes and writes them (Mikolov et al. 2013).
//!
//! The C tool clusters the (unnormalised) input vectors `v_w` with a fixed schedule of
//! spherical k-means:
//!
//! 1. word `i` starts in class `i mod K`;
//! 2. ten times: each centroid is `c_k = (Σ_{w ∈ k} v_w) / (n_k + 1)` (the count starts at 1,
//!    so a class is never divided by zero), scaled to unit length `ĉ_k = c_k / ‖c_k‖`; then
//!    every word moves to the class with the largest dot product `ĉ_k · v_w` (the first such
//!    class on ties; the search starts from −10, so a word whose every dot product is ≤ −10
//!    goes to class 0).
//!
//! There is no convergence test: exactly [`KMEANS_ITERATIONS`] rounds run. A class that
//! loses every word has a zero centroid, which the C tool turns into NaN (`0/0`) and so
//! never chooses again; here such a class is skipped explicitly, with the same result.
//!
//! The sums, the division, the norm and the dot products are `f32`, accumulated in the C
//! tool's order (words in index order, components in order), so the same vectors give the
//! same classes as the C tool, bit for bit up to ties.

use super::Word2Vec;
use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

/// Rounds of k-means the C tool runs for `-classes` (fixed, no convergence test).
pub const KMEANS_ITERATIONS: usize = 10;

impl Word2Vec {
    /// The class (`0..k`) of every word, in index order, by the k-means of the C tool's
    /// `-classes k` on the word vectors `v_w` (unnormalised):
    ///
    /// 1. word `i` starts in class `i mod k`;
    /// 2. [`KMEANS_ITERATIONS`] (10) times: each centroid is `c_j = (Σ_{w ∈ j} v_w) / (n_j + 1)`
    ///    (the C tool's count starts at 1), scaled to unit length `ĉ_j = c_j / ‖c_j‖`; then
    ///    every word moves to the class of the largest `ĉ_j · v_w` (the first on ties; the
    ///    search starts from −10, so a word whose every dot product is ≤ −10 goes to class 0).
    ///
    /// There is no convergence test. A class left without words has a zero centroid, which
    /// the C tool turns into NaN and so never picks again; here it is skipped, with the same
    /// result. Sums, norms and dot products are `f32` in the C tool's order, so the same
    /// vectors give the C tool's classes.
    ///
    /// Cost: `10 × V × k × d` multiply-adds, as in the C tool.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] (`classes`) for `k == 0` or `k` larger than the
    /// vocabulary (every class must start with a word).
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::word2vec::Word2Vec;
    /// // six directions in the plane, starting in classes 0 1 0 1 0 1
    /// let words = ["east", "north", "west", "northeast", "south", "southwest"].map(String::from).to_vec();
    /// let v = vec![1.0, 0.0, 0.0, 1.0, -1.0, 0.0, 0.7, 0.7, 0.0, -1.0, -0.7, -0.7];
    /// let m = Word2Vec::from_parts(words, vec![1; 6], 2, v)?;
    /// // round 1: centroids (0, −1) and (0, 1); east and west tie and take class 0.
    /// // round 2: (−0.38, −0.93) and (0.38, 0.93), so east joins class 1; round 3 on:
    /// // (−0.71, −0.71) and (0.71, 0.71), the south-west and the north-east halves.
    /// assert_eq!(m.word_classes(2)?, [1, 1, 0, 1, 0, 0]);
    /// assert!(m.word_classes(0).is_err());
    /// assert!(m.word_classes(7).is_err());
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn word_classes(&self, k: usize) -> Result<Vec<usize>> {
        let v = self.vocab_len();
        if k == 0 {
            return Err(Error::invalid("classes", "must be at least 1"));
        }
        if k > v {
            return Err(Error::invalid(
                "classes",
                format!("{k} classes for {v} words: at most one class per word"),
            ));
        }
        let d = self.dim;
        let x = &self.vectors;
        let mut class: Vec<usize> = (0..v).map(|i| i % k).collect();
        let mut cent = vec![0f32; k * d];
        let mut members = vec![0u64; k];
        let mut live = vec![true; k];
        for _ in 0..KMEANS_ITERATIONS {
            cent.fill(0.0);
            members.fill(1);
            for (w, &c) in class.iter().enumerate() {
                let row = &x[w * d..(w + 1) * d];
                for (s, &a) in cent[c * d..(c + 1) * d].iter_mut().zip(row) {
                    *s += a;
                }
                members[c] += 1;
            }
            for (c, centroid) in cent.chunks_exact_mut(d).enumerate() {
                let n = members[c] as f32;
                let mut sq = 0f32;
                for s in centroid.iter_mut() {
                    *s /= n;
                    sq += *s * *s;
                }
                let norm = sq.sqrt();
                // 0/0 is NaN in the C tool, and a NaN dot product never wins: skip the class.
                live[c] = norm > 0.0;
                if live[c] {
                    centroid.iter_mut().for_each(|s| *s /= norm);
                }
            }
            for (w, slot) in class.iter_mut().enumerate() {
                let row = &x[w * d..(w + 1) * d];
                let (mut best, mut best_class) = (-10f32, 0usize);
                for (c, centroid) in cent.chunks_exact(d).enumerate() {
                    if !live[c] {
                        continue;
                    }
                    let mut dot = 0f32;
                    for (&a, &b) in centroid.iter().zip(row) {
                        dot += a * b;
                    }
                    if dot > best {
                        best = dot;
                        best_class = c;
                    }
                }
                *slot = best_class;
            }
        }
        Ok(class)
    }

    /// Writes the word classes of [`Word2Vec::word_classes`] to `path` in the C tool's
    /// `-classes` format ([`write_word_classes`]), through a temporary file renamed over
    /// `path` ([`crate::io::write_atomic`]).
    ///
    /// # Errors
    ///
    /// As [`Word2Vec::word_classes`] and [`write_word_classes`], and [`Error::Io`] naming the
    /// path.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::word2vec::Word2Vec;
    /// let m = Word2Vec::from_parts(vec!["up".into(), "down".into()], vec![2, 1], 1, vec![1.0, -1.0])?;
    /// let path = std::env::temp_dir().join(format!("recurrent-doc-classes-{}.txt", std::process::id()));
    /// m.save_word_classes(&path, 2)?;
    /// assert_eq!(std::fs::read_to_string(&path).unwrap(), "up 0\ndown 1\n");
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn save_word_classes<P: AsRef<Path>>(&self, path: P, k: usize) -> Result<()> {
        let classes = self.word_classes(k)?;
        crate::io::write_atomic(path, |w| write_word_classes(self, &classes, w))
    }
}

/// Writes word classes in the C tool's `-classes` format: one `word class\n` line per word,
/// in index order, the class a decimal integer (`printf("%s %d\n")`), with no header.
///
/// # Errors
///
/// [`Error::DimensionMismatch`] unless there is one class per word;
/// [`Error::InvalidParameter`] naming a word that is empty or holds whitespace (possible only
/// in a model loaded from a vectors file), before anything is written; [`Error::Io`] if
/// writing fails.
///
/// # Examples
///
/// ```
/// use recurrent::word2vec::{Word2Vec, write_word_classes};
/// let m = Word2Vec::from_parts(vec!["a".into(), "b".into()], vec![2, 1], 1, vec![1.0, -1.0])?;
/// let mut out = Vec::new();
/// write_word_classes(&m, &m.word_classes(2)?, &mut out)?;
/// assert_eq!(out, b"a 0\nb 1\n");
/// assert!(write_word_classes(&m, &[0], Vec::new()).is_err());
/// # Ok::<(), recurrent::Error>(())
/// ```
pub fn write_word_classes<W: Write>(
    model: &Word2Vec,
    classes: &[usize],
    mut writer: W,
) -> Result<()> {
    crate::error::check_shape(
        "write_word_classes",
        "classes",
        (model.vocab_len(), 1),
        (classes.len(), 1),
    )?;
    model.vocab.check_plain()?;
    let err = |e| Error::io("writing word classes", e);
    for (w, c) in model.words().iter().zip(classes) {
        writeln!(writer, "{w} {c}").map_err(err)?;
    }
    writer.flush().map_err(err)
}

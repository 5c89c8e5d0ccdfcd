//! The training vocabulary: every word kept for training with its corpus count, most frequent
//! first.
//!
//! A word is kept when its count `f` is at least `min_count`; if a maximum size `N` is given,
//! only the `N` most frequent of those are kept. Ties in count keep the order of first
//! appearance, so the same corpus always gives the same vocabulary.

use crate::error::{Error, Result};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{BufRead, Write};
use std::path::Path;

/// A sentence: something that yields words.
///
/// Implemented for token lists (`Vec<T>`, `[T]`, arrays, with `T: AsRef<str>`) and for lines
/// of text (`str`, `String`), which are split on ASCII/Unicode whitespace as the C tool does.
pub trait Sentence {
    /// Calls `f` on every word of the sentence, in order.
    fn for_each_word<F: FnMut(&str)>(&self, f: F);
}

impl Sentence for str {
    fn for_each_word<F: FnMut(&str)>(&self, f: F) {
        self.split_whitespace().for_each(f);
    }
}

impl Sentence for String {
    fn for_each_word<F: FnMut(&str)>(&self, f: F) {
        self.as_str().for_each_word(f);
    }
}

impl<T: AsRef<str>> Sentence for [T] {
    fn for_each_word<F: FnMut(&str)>(&self, mut f: F) {
        for w in self {
            f(w.as_ref());
        }
    }
}

impl<T: AsRef<str>> Sentence for Vec<T> {
    fn for_each_word<F: FnMut(&str)>(&self, f: F) {
        self.as_slice().for_each_word(f);
    }
}

impl<T: AsRef<str>, const N: usize> Sentence for [T; N] {
    fn for_each_word<F: FnMut(&str)>(&self, f: F) {
        self.as_slice().for_each_word(f);
    }
}

impl<S: Sentence + ?Sized> Sentence for &S {
    fn for_each_word<F: FnMut(&str)>(&self, f: F) {
        (**self).for_each_word(f);
    }
}

/// FxHash (the Firefox/rustc hash): a multiply-rotate hash, several times faster than SipHash
/// on short words. The vocabulary is built from the user's own corpus, so flooding resistance
/// is not needed.
#[derive(Default, Clone, Copy, Debug)]
pub(crate) struct FxHasher(u64);

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        // 0x517c…: the 64-bit FxHash multiplier (from Firefox's hash, also used by rustc).
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(K);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(b) ^ rest.len() as u64).wrapping_mul(K);
        }
        self.0 = h;
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Words and their corpus counts, most frequent first, with a word → index map.
///
/// # Examples
///
/// ```
/// use recurrent::word2vec::Vocab;
/// let corpus = ["the cat sat", "the dog sat", "a cat"];
/// let vocab = Vocab::from_sentences(corpus, 2, None)?;
/// assert_eq!(vocab.words(), ["the", "cat", "sat"]);
/// assert_eq!(vocab.counts(), [2, 2, 2]);
/// assert_eq!(vocab.total(), 6);
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Vocab {
    words: Vec<String>,
    counts: Vec<u64>,
    index: FxMap<String, u32>,
    /// Words in the corpus before the `min_count` / size cut (0 when read from a vocab file).
    raw_total: u64,
}

/// Raw counts in order of first appearance.
#[derive(Default)]
struct Counter {
    words: Vec<String>,
    counts: Vec<u64>,
    index: FxMap<String, u32>,
    total: u64,
}

impl Counter {
    fn add<S: Sentence + ?Sized>(&mut self, s: &S) -> Result<()> {
        let mut overflow = false;
        s.for_each_word(|w| {
            self.total += 1;
            if let Some(&i) = self.index.get(w) {
                self.counts[i as usize] += 1;
            } else if self.words.len() < u32::MAX as usize {
                self.index.insert(w.to_string(), self.words.len() as u32);
                self.words.push(w.to_string());
                self.counts.push(1);
            } else {
                overflow = true;
            }
        });
        if overflow {
            return Err(Error::invalid("corpus", "more than 2³² − 1 distinct words"));
        }
        Ok(())
    }

    fn finish(self, min_count: u64, max_size: Option<usize>) -> Result<Vocab> {
        let raw_total = self.total;
        let mut order: Vec<usize> = (0..self.words.len())
            .filter(|&i| self.counts[i] >= min_count.max(1))
            .collect();
        // Stable: equal counts keep the order of first appearance.
        order.sort_by(|&a, &b| self.counts[b].cmp(&self.counts[a]));
        if let Some(n) = max_size {
            order.truncate(n);
        }
        let mut words = self.words;
        let pairs = order
            .iter()
            .map(|&i| (std::mem::take(&mut words[i]), self.counts[i]));
        let mut v = Vocab::from_counts(pairs)?;
        v.raw_total = raw_total;
        Ok(v)
    }
}

impl Vocab {
    /// Builds the vocabulary from any iterator of sentences, keeping words seen at least
    /// `min_count` times (a `min_count` of 0 is treated as 1) and, if `max_size` is given, only
    /// the `max_size` most frequent of them.
    ///
    /// Only the counts are held in memory, never the corpus.
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] if no word survives the cut (an empty corpus, or `min_count` larger
    /// than every count); [`Error::InvalidParameter`] for `max_size == Some(0)`.
    pub fn from_sentences<I>(sentences: I, min_count: u64, max_size: Option<usize>) -> Result<Self>
    where
        I: IntoIterator,
        I::Item: Sentence,
    {
        check_max_size(max_size)?;
        let mut c = Counter::default();
        for s in sentences {
            c.add(&s)?;
        }
        c.finish(min_count, max_size)
    }

    /// Builds the vocabulary from a text file read line by line (one sentence per line, words
    /// separated by whitespace); the file is never held in memory.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be read (including invalid UTF-8), and the errors of
    /// [`Vocab::from_sentences`].
    pub fn from_file(
        path: impl AsRef<Path>,
        min_count: u64,
        max_size: Option<usize>,
    ) -> Result<Self> {
        check_max_size(max_size)?;
        let path = path.as_ref();
        let ctx = || format!("reading the corpus {}", path.display());
        let f = std::fs::File::open(path).map_err(|e| Error::io(ctx(), e))?;
        Self::from_reader(
            std::io::BufReader::with_capacity(1 << 16, f),
            min_count,
            max_size,
        )
        .map_err(|e| match e {
            Error::Io { source, .. } => Error::io(ctx(), source),
            e => e,
        })
    }

    /// As [`Vocab::from_file`], from any buffered reader.
    ///
    /// # Errors
    ///
    /// As [`Vocab::from_file`].
    pub fn from_reader<R: BufRead>(
        mut reader: R,
        min_count: u64,
        max_size: Option<usize>,
    ) -> Result<Self> {
        check_max_size(max_size)?;
        let mut c = Counter::default();
        let mut line = String::new();
        loop {
            line.clear();
            let n = reader
                .read_line(&mut line)
                .map_err(|e| Error::io("reading the corpus", e))?;
            if n == 0 {
                break;
            }
            c.add(line.as_str())?;
        }
        c.finish(min_count, max_size)
    }

    /// Builds a vocabulary from `(word, count)` pairs, kept in the given order.
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] for no pairs; [`Error::InvalidParameter`] for a repeated word, an
    /// empty word or a word containing whitespace.
    pub fn from_counts<I, S>(pairs: I) -> Result<Self>
    where
        I: IntoIterator<Item = (S, u64)>,
        S: Into<String>,
    {
        let mut v = Vocab {
            words: Vec::new(),
            counts: Vec::new(),
            index: FxMap::default(),
            raw_total: 0,
        };
        for (w, c) in pairs {
            let w: String = w.into();
            if w.is_empty() || w.chars().any(char::is_whitespace) {
                return Err(Error::invalid(
                    "words",
                    format!("{w:?} is empty or contains whitespace"),
                ));
            }
            if v.words.len() >= u32::MAX as usize {
                return Err(Error::invalid("words", "more than 2³² − 1 words"));
            }
            if v.index.insert(w.clone(), v.words.len() as u32).is_some() {
                return Err(Error::invalid("words", format!("{w:?} appears twice")));
            }
            v.words.push(w);
            v.counts.push(c);
        }
        if v.words.is_empty() {
            return Err(Error::Empty {
                op: "Vocab",
                what: "vocabulary",
            });
        }
        v.raw_total = v.total();
        Ok(v)
    }

    /// Reads a vocabulary file in the C tool's `-save-vocab` format: one `word count` per
    /// line. The C tool's sentence-end token `</s>` is read like any other word.
    ///
    /// # Errors
    ///
    /// [`Error::Format`] naming the line for a line that is not `word count`; the errors of
    /// [`Vocab::from_counts`]; [`Error::Io`] if reading fails.
    pub fn read<R: BufRead>(reader: R) -> Result<Self> {
        let mut pairs = Vec::new();
        for (i, line) in reader.lines().enumerate() {
            let line = line.map_err(|e| Error::io("reading a vocabulary file", e))?;
            let bad = |reason: &str| Error::Format {
                what: "vocabulary file",
                line: i + 1,
                reason: reason.to_string(),
            };
            if line.trim().is_empty() {
                continue;
            }
            let mut it = line.split_whitespace();
            let (Some(w), Some(c), None) = (it.next(), it.next(), it.next()) else {
                return Err(bad("expected `word count`"));
            };
            let c: u64 = c
                .parse()
                .map_err(|_| bad("the count is not a non-negative integer"))?;
            pairs.push((w.to_string(), c));
        }
        Self::from_counts(pairs)
    }

    /// Writes the vocabulary in the C tool's `-save-vocab` format: `word count\n` per word.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if writing fails.
    pub fn write<W: Write>(&self, mut writer: W) -> Result<()> {
        let err = |e| Error::io("writing a vocabulary file", e);
        for (w, c) in self.words.iter().zip(&self.counts) {
            writeln!(writer, "{w} {c}").map_err(err)?;
        }
        writer.flush().map_err(err)
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Always `false`: a vocabulary has at least one word.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The words, most frequent first.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The counts, in word order.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// The index of `word`.
    pub fn index(&self, word: &str) -> Option<usize> {
        self.index.get(word).map(|&i| i as usize)
    }

    pub(crate) fn index_u32(&self, word: &str) -> Option<u32> {
        self.index.get(word).copied()
    }

    /// `T`, the number of corpus words that are in the vocabulary (the sum of the counts):
    /// the words one epoch trains on before subsampling.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Words in the corpus before the `min_count` / size cut (equal to [`Vocab::total`] for a
    /// vocabulary built from counts or read from a file).
    pub fn raw_total(&self) -> u64 {
        self.raw_total
    }

    pub(crate) fn into_parts(self) -> (Vec<String>, Vec<u64>) {
        (self.words, self.counts)
    }
}

fn check_max_size(max_size: Option<usize>) -> Result<()> {
    if max_size == Some(0) {
        return Err(Error::invalid("max_size", "must be at least 1 when given"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_by_count_then_first_appearance() {
        let v = Vocab::from_sentences(["b a c a", "c d a"], 1, None).unwrap();
        assert_eq!(v.words(), ["a", "c", "b", "d"]);
        assert_eq!(v.counts(), [3, 2, 1, 1]);
        assert_eq!(v.raw_total(), 7);
        let v = Vocab::from_sentences(["b a c a", "c d a"], 1, Some(2)).unwrap();
        assert_eq!(v.words(), ["a", "c"]);
    }

    #[test]
    fn token_lists_and_lines_agree() {
        let a = Vocab::from_sentences([vec!["x", "y"], vec!["y"]], 1, None).unwrap();
        let b = Vocab::from_reader("x y\ny\n".as_bytes(), 1, None).unwrap();
        assert_eq!(a.words(), b.words());
        assert_eq!(a.counts(), b.counts());
    }

    #[test]
    fn fx_hash_differs_on_length() {
        let h = |b: &[u8]| {
            let mut s = FxHasher::default();
            s.write(b);
            s.finish()
        };
        assert_ne!(h(b"a"), h(b"a\0"));
        assert_ne!(h(b"abcdefgh"), h(b"abcdefgi"));
    }
}

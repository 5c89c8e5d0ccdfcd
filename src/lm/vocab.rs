//! The language model's vocabulary: a word list and its index.
//!
//! Provisional and minimal on purpose: the crate is getting one `text::Vocab` type, and this
//! file is what it replaces (the model only needs `word ↔ index`, `</s>` and `<unk>`).

use super::{EOS, UNK};
use crate::error::{Error, Result};
use std::collections::HashMap;

/// Word ↔ index, with `</s>` and `<unk>` present.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Vocab {
    words: Vec<String>,
    index: HashMap<String, usize>,
    eos: usize,
    unk: usize,
}

impl Vocab {
    /// `words[i]` gets index `i`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a repeated or empty word, a word with whitespace, or
    /// a list without `</s>` or `<unk>`.
    pub(crate) fn new(words: Vec<String>) -> Result<Self> {
        let mut index = HashMap::new();
        index.try_reserve(words.len()).map_err(|_| {
            Error::invalid(
                "words",
                format!("{} words do not fit in memory", words.len()),
            )
        })?;
        for (i, w) in words.iter().enumerate() {
            if w.is_empty() || w.chars().any(char::is_whitespace) {
                return Err(Error::invalid(
                    "words",
                    format!("word {i} ({w:?}) is empty or holds whitespace"),
                ));
            }
            if index.insert(w.clone(), i).is_some() {
                return Err(Error::invalid("words", format!("{w:?} appears twice")));
            }
        }
        let find = |w: &str| {
            index
                .get(w)
                .copied()
                .ok_or_else(|| Error::invalid("words", format!("the vocabulary needs {w:?}")))
        };
        let (eos, unk) = (find(EOS)?, find(UNK)?);
        Ok(Self {
            words,
            index,
            eos,
            unk,
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.words.len()
    }

    pub(crate) fn words(&self) -> &[String] {
        &self.words
    }

    pub(crate) fn word(&self, i: usize) -> Option<&str> {
        self.words.get(i).map(String::as_str)
    }

    pub(crate) fn get(&self, w: &str) -> Option<usize> {
        self.index.get(w).copied()
    }

    /// The index of `w`, or of `<unk>`.
    pub(crate) fn id(&self, w: &str) -> usize {
        self.get(w).unwrap_or(self.unk)
    }

    pub(crate) fn eos(&self) -> usize {
        self.eos
    }

    pub(crate) fn unk(&self) -> usize {
        self.unk
    }
}

/// The vocabulary of a language model built from training sentences (words separated by
/// whitespace): `</s>` (index 0), `<unk>` (index 1), then every word seen at least
/// `min_count` times, by descending count and alphabetically among equal counts — the order
/// of the anchors' `common.py`, so indices agree with them.
///
/// Provisional: this is replaced by the crate's `text::Vocab` once it lands.
///
/// # Errors
///
/// [`Error::InvalidParameter`] if `min_count` is 0.
///
/// # Examples
///
/// ```
/// use recurrent::lm::vocabulary;
/// let words = vocabulary(["a b a", "a c b"], 2)?;
/// assert_eq!(words, ["</s>", "<unk>", "a", "b"]);
/// # Ok::<(), recurrent::Error>(())
/// ```
pub fn vocabulary<S: AsRef<str>>(
    sentences: impl IntoIterator<Item = S>,
    min_count: usize,
) -> Result<Vec<String>> {
    if min_count == 0 {
        return Err(Error::invalid("min_count", "must be at least 1"));
    }
    let mut counts: HashMap<String, usize> = HashMap::new();
    for s in sentences {
        for w in s.as_ref().split_whitespace() {
            if w == EOS || w == UNK {
                continue;
            }
            *counts.entry(w.to_string()).or_insert(0) += 1;
        }
    }
    let mut kept: Vec<(String, usize)> = counts
        .into_iter()
        .filter(|(_, c)| *c >= min_count)
        .collect();
    kept.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut words = vec![EOS.to_string(), UNK.to_string()];
    words.extend(kept.into_iter().map(|(w, _)| w));
    Ok(words)
}

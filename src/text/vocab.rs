//! The one vocabulary of the crate: words with counts and a word → index map, shared by the
//! bag-of-words vectorizers, Word2Vec and word-level language models.

use super::corpus::{CorpusReader, Sentence};
use super::fxhash::FxMap;
use crate::error::{Error, Result};
use std::io::{BufRead, Write};
use std::path::Path;

/// Words with their counts, each with an index `0..len()`, and a fast word → index map.
///
/// Built from a corpus ([`Vocab::from_sentences`], [`Vocab::from_file`], …), a vocabulary
/// keeps the words seen at least `min_count` times, most frequent first (ties in order of
/// first appearance, so the same corpus always gives the same indices), and optionally only
/// the `max_size` most frequent of them. Built from `(word, count)` pairs
/// ([`Vocab::from_counts`]) or read from a C-tool vocabulary file ([`Vocab::read`]), it keeps
/// the given order.
///
/// For a language model, [`Vocab::add_unk`] and [`Vocab::add_eos`] append the reserved
/// tokens `<unk>` (every word outside the vocabulary) and `</s>` (end of sentence), and
/// [`Vocab::encode`] turns a sentence into indices with them. Appending never renumbers a
/// word. [`Vocab::for_language_model`] builds the vocabulary of [`crate::lm`] instead: the
/// two reserved tokens first, then the words in a fixed order of their own.
///
/// Words built from text are never empty and hold no whitespace, so every such vocabulary
/// can be written as a vocabulary file. The vocabulary of a [`Word2Vec`](crate::Word2Vec)
/// model loaded from a vectors file may hold any distinct words (the binary format allows a
/// tab inside a word); [`Vocab::write`] refuses the words it cannot store.
///
/// Indices fit in 32 bits: a vocabulary holds at most 2³² − 1 words. Every constructor from
/// text or counts refuses an empty vocabulary.
///
/// # Examples
///
/// ```
/// use recurrent::text::Vocab;
/// let corpus = ["the cat sat", "the dog sat", "a cat"];
/// let vocab = Vocab::from_sentences(corpus, 2, None)?;
/// assert_eq!(vocab.words(), ["the", "cat", "sat"]);
/// assert_eq!(vocab.counts(), [2, 2, 2]);
/// assert_eq!((vocab.index("cat"), vocab.word(2)), (Some(1), Some("sat")));
/// assert_eq!(vocab.index("dog"), None); // seen once, below min_count
/// assert_eq!((vocab.total(), vocab.raw_total(), vocab.sentences()), (6, 8, 3));
/// for (i, (word, count)) in vocab.iter().enumerate() {
///     assert_eq!((vocab.index(word), vocab.count(i)), (Some(i), Some(count)));
/// }
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Vocab {
    words: Vec<String>,
    counts: Vec<u64>,
    index: FxMap<String, u32>,
    /// Corpus words before the `min_count` / size cut (the sum of the counts otherwise).
    raw_total: u64,
    /// Sentences counted while building (0 when not built from sentences).
    sentences: u64,
}

/// Raw counts in order of first appearance.
#[derive(Default)]
struct Counter {
    words: Vec<String>,
    counts: Vec<u64>,
    index: FxMap<String, u32>,
    total: u64,
    sentences: u64,
}

impl Counter {
    fn add<S: Sentence + ?Sized>(&mut self, s: &S) -> Result<()> {
        let mut overflow = false;
        self.sentences += 1;
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
        v.raw_total = self.total;
        v.sentences = self.sentences;
        Ok(v)
    }

    /// The C tool's order ([`Vocab::from_sentences_with_eos`]): `</s>` first, counted once
    /// per sentence (and once per literal `</s>`) and kept whatever its count, then the other
    /// words as [`Counter::finish`] orders them; `max_size` counts `</s>` too.
    fn finish_with_eos(mut self, min_count: u64, max_size: Option<usize>) -> Result<Vocab> {
        let literal = match self.index.remove(Vocab::EOS) {
            Some(i) => {
                let i = i as usize;
                // keep the other indices: the entry stays, emptied, and is cut below
                let c = std::mem::take(&mut self.counts[i]);
                self.words[i].clear();
                c
            }
            None => 0,
        };
        let eos = self.sentences.saturating_add(literal);
        let (raw, sentences) = (self.total, self.sentences);
        let rest = match max_size {
            Some(1) => None,
            n => Some(self.finish(min_count.max(1), n.map(|n| n - 1))),
        };
        let mut v = Vocab::empty();
        v.push(Vocab::EOS.to_string(), eos)?;
        match rest {
            Some(Ok(words)) => {
                for (w, c) in words.words.into_iter().zip(words.counts) {
                    v.push(w, c)?;
                }
            }
            // only </s> survives the cut: a vocabulary of one word, as the C tool keeps it
            Some(Err(Error::Empty { .. })) | None => {}
            Some(Err(e)) => return Err(e),
        }
        // every token of the corpus, the line ends included (literal </s> were counted once)
        v.raw_total = raw.saturating_sub(literal).saturating_add(eos);
        v.sentences = sentences;
        Ok(v)
    }

    /// The language-model order ([`Vocab::for_language_model`]): `</s>`, `<unk>`, then the
    /// words counted at least `min_count` times by descending count, alphabetically among
    /// equal counts.
    fn finish_for_language_model(self, min_count: u64) -> Result<Vocab> {
        let reserved = |w: &str| w == Vocab::EOS || w == Vocab::UNK;
        let mut kept: Vec<usize> = (0..self.words.len())
            .filter(|&i| self.counts[i] >= min_count.max(1) && !reserved(&self.words[i]))
            .collect();
        // A total order (the words are distinct), so the result does not depend on the order
        // of first appearance.
        kept.sort_by(|&a, &b| {
            self.counts[b]
                .cmp(&self.counts[a])
                .then_with(|| self.words[a].cmp(&self.words[b]))
        });
        let literal = |w: &str| self.index.get(w).map_or(0, |&i| self.counts[i as usize]);
        let kept_total = kept
            .iter()
            .fold(0u64, |s, &i| s.saturating_add(self.counts[i]));
        let literal_eos = literal(Vocab::EOS);
        let eos = self.sentences.saturating_add(literal_eos);
        // every other token: a literal <unk>, or a word below min_count
        let unk = self
            .total
            .saturating_sub(kept_total)
            .saturating_sub(literal_eos);
        let mut v = Vocab::empty();
        let n = kept.len().saturating_add(2);
        v.words.try_reserve(n).map_err(too_many)?;
        v.counts.try_reserve(n).map_err(too_many)?;
        v.index.try_reserve(n).map_err(too_many)?;
        v.push(Vocab::EOS.to_string(), eos)?;
        v.push(Vocab::UNK.to_string(), unk)?;
        let mut words = self.words;
        for i in kept {
            let w = std::mem::take(&mut words[i]);
            if !is_plain(&w) {
                return Err(Error::invalid(
                    "words",
                    format!("{w:?} is empty or contains whitespace"),
                ));
            }
            v.push(w, self.counts[i])?;
        }
        v.raw_total = self.total;
        v.sentences = self.sentences;
        Ok(v)
    }
}

/// Whether `word` can stand in a whitespace-separated file: not empty, no whitespace.
fn is_plain(word: &str) -> bool {
    !word.is_empty() && !word.chars().any(char::is_whitespace)
}

/// Saturating sum, so that counts from a file can never overflow.
fn sum(counts: &[u64]) -> u64 {
    counts.iter().fold(0u64, |s, &c| s.saturating_add(c))
}

impl Vocab {
    /// The reserved token for words outside the vocabulary, `<unk>` (as the Penn Treebank
    /// spells it).
    pub const UNK: &'static str = "<unk>";

    /// The end-of-sentence token, `</s>` (as the C `word2vec` tool spells it).
    pub const EOS: &'static str = "</s>";

    /// Builds the vocabulary from any iterator of sentences, keeping words seen at least
    /// `min_count` times (a `min_count` of 0 is treated as 1) and, if `max_size` is given, only
    /// the `max_size` most frequent of them; most frequent first, ties in order of first
    /// appearance.
    ///
    /// Only the counts are held in memory, never the corpus.
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] if no word survives the cut (an empty corpus, or `min_count` larger
    /// than every count); [`Error::InvalidParameter`] for `max_size == Some(0)`, or for a
    /// token that is empty or holds whitespace (possible only in token lists).
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::text::Vocab;
    /// let v = Vocab::from_sentences([vec!["b", "a", "c", "a"], vec!["c", "d", "a"]], 1, Some(3))?;
    /// assert_eq!(v.words(), ["a", "c", "b"]);
    /// assert_eq!(v.counts(), [3, 2, 1]);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn from_sentences<I>(sentences: I, min_count: u64, max_size: Option<usize>) -> Result<Self>
    where
        I: IntoIterator,
        I::Item: Sentence,
    {
        check_max_size(max_size)?;
        count_sentences(sentences)?.finish(min_count, max_size)
    }

    /// Builds the vocabulary from a text file read with [`CorpusReader`] (one sentence per
    /// line, words separated by whitespace); the file is never held in memory. The rules are
    /// those of [`Vocab::from_sentences`].
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming the file if it cannot be opened or read (including invalid UTF-8),
    /// and the errors of [`Vocab::from_sentences`].
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::text::Vocab;
    /// let v = Vocab::from_file(concat!(env!("CARGO_MANIFEST_DIR"), "/data/kjv.txt"), 5, Some(100))?;
    /// assert_eq!((v.len(), v.word(0)), (100, Some("the")));
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn from_file(
        path: impl AsRef<Path>,
        min_count: u64,
        max_size: Option<usize>,
    ) -> Result<Self> {
        check_max_size(max_size)?;
        Self::from_corpus(CorpusReader::open(path)?, min_count, max_size)
    }

    /// As [`Vocab::from_file`], from any buffered reader.
    ///
    /// # Errors
    ///
    /// As [`Vocab::from_file`].
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::text::Vocab;
    /// let v = Vocab::from_reader("x y\ny\n".as_bytes(), 1, None)?;
    /// assert_eq!((v.words(), v.sentences()), (&["y".to_string(), "x".to_string()][..], 2));
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn from_reader<R: BufRead>(
        reader: R,
        min_count: u64,
        max_size: Option<usize>,
    ) -> Result<Self> {
        Self::from_corpus(CorpusReader::new(reader), min_count, max_size)
    }

    /// As [`Vocab::from_file`], from a [`CorpusReader`] (to choose its line limit).
    ///
    /// # Errors
    ///
    /// As [`Vocab::from_file`].
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::text::{CorpusReader, Vocab};
    /// let corpus = CorpusReader::new("a b a c".as_bytes()).max_line_bytes(4);
    /// let v = Vocab::from_corpus(corpus, 1, None)?;
    /// assert_eq!((v.words(), v.sentences()), (&["a".into(), "b".into(), "c".into()][..], 2));
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn from_corpus<R: BufRead>(
        corpus: CorpusReader<R>,
        min_count: u64,
        max_size: Option<usize>,
    ) -> Result<Self> {
        check_max_size(max_size)?;
        count_corpus(corpus)?.finish(min_count, max_size)
    }

    /// Builds the vocabulary as the C `word2vec` tool does, which reads every newline as the
    /// word [`Vocab::EOS`] (`</s>`): `</s>` comes first (index 0) with one count per sentence
    /// (plus any literal `</s>` in the text) and is kept whatever `min_count` says; then the
    /// words of [`Vocab::from_sentences`], in its order and with its cut. `max_size` counts
    /// `</s>` too.
    ///
    /// So [`Vocab::total`] is the C tool's "Words in train file" (the kept words' counts,
    /// `</s>` included) and [`Vocab::raw_total`] counts every token and line end. The C tool
    /// counts newline characters: for a file that ends with a newline that is one per line;
    /// for one that does not, the C tool has one `</s>` fewer (and drops the last word of that
    /// last line as well, a bug not reproduced here).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for `max_size == Some(0)`, or for a token that is empty or
    /// holds whitespace (possible only in token lists). An empty corpus gives `["</s>"]`
    /// with count 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::text::Vocab;
    /// let v = Vocab::from_sentences_with_eos(["a b a", "b a", "c"], 2, None)?;
    /// assert_eq!(v.words(), ["</s>", "a", "b"]);
    /// assert_eq!(v.counts(), [3, 3, 2]); // three lines; c is cut
    /// assert_eq!((v.eos(), v.total(), v.raw_total()), (Some(0), 8, 9));
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn from_sentences_with_eos<I>(
        sentences: I,
        min_count: u64,
        max_size: Option<usize>,
    ) -> Result<Self>
    where
        I: IntoIterator,
        I::Item: Sentence,
    {
        check_max_size(max_size)?;
        count_sentences(sentences)?.finish_with_eos(min_count, max_size)
    }

    /// As [`Vocab::from_sentences_with_eos`], from a text file read with [`CorpusReader`]
    /// (one sentence per line; a line longer than the reader's limit counts one `</s>` per
    /// piece).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming the file if it cannot be opened or read (including invalid UTF-8),
    /// and the errors of [`Vocab::from_sentences_with_eos`].
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::text::Vocab;
    /// let v = Vocab::from_file_with_eos(concat!(env!("CARGO_MANIFEST_DIR"), "/data/kjv.txt"), 5, None)?;
    /// let plain = Vocab::from_file(concat!(env!("CARGO_MANIFEST_DIR"), "/data/kjv.txt"), 5, None)?;
    /// assert_eq!((v.word(0), v.count(0)), (Some("</s>"), Some(plain.sentences())));
    /// assert_eq!((v.len(), v.word(1)), (plain.len() + 1, plain.word(0)));
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn from_file_with_eos(
        path: impl AsRef<Path>,
        min_count: u64,
        max_size: Option<usize>,
    ) -> Result<Self> {
        check_max_size(max_size)?;
        count_corpus(CorpusReader::open(path)?)?.finish_with_eos(min_count, max_size)
    }

    /// The vocabulary of a word-level language model ([`crate::lm::LanguageModel`]):
    /// [`Vocab::EOS`] at index 0, [`Vocab::UNK`] at index 1, then every word seen at least
    /// `min_count` times in `sentences` (a `min_count` of 0 is treated as 1), most frequent
    /// first and — unlike [`Vocab::from_sentences`] — alphabetically (by bytes) among equal
    /// counts, the order of the reference scripts the crate's language models are measured
    /// against, so that token indices agree with theirs.
    ///
    /// Every other word is read as `<unk>`, which a model predicts like a word; `</s>` is the
    /// input at each sentence start and the target at its end. A literal `</s>` or `<unk>` in
    /// the corpus is that reserved token, never a word of its own. The counts are those of
    /// the tokens a model predicts on this corpus: each kept word's own, `<unk>`'s the words
    /// below `min_count` (and literal `<unk>`s), `</s>`'s one per sentence (and literal
    /// `</s>`s); so [`Vocab::total`] is [`Vocab::raw_total`] + [`Vocab::sentences`].
    ///
    /// Only the counts are held in memory, never the corpus. The vocabulary is never empty:
    /// a corpus with no word kept gives `["</s>", "<unk>"]`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for more than 2³² − 1 distinct words, or for a token that
    /// is empty or holds whitespace (possible only in token lists).
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::text::Vocab;
    /// let corpus = ["b a c", "a b"];
    /// let v = Vocab::for_language_model(corpus, 2)?;
    /// assert_eq!(v.words(), ["</s>", "<unk>", "a", "b"]); // a and b tie: alphabetical
    /// assert_eq!(v.counts(), [2, 1, 2, 2]); // two sentence ends; c is <unk>
    /// assert_eq!((v.eos(), v.unk()), (Some(0), Some(1)));
    /// let mut ids = Vec::new();
    /// v.encode("a c b", &mut ids);
    /// assert_eq!(ids, [2, 1, 3, 0]);
    /// assert_eq!(v.total(), v.raw_total() + v.sentences());
    /// // from_sentences keeps the order of first appearance among equal counts
    /// assert_eq!(Vocab::from_sentences(corpus, 2, None)?.words(), ["b", "a"]);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn for_language_model<I>(sentences: I, min_count: u64) -> Result<Self>
    where
        I: IntoIterator,
        I::Item: Sentence,
    {
        count_sentences(sentences)?.finish_for_language_model(min_count)
    }

    /// Builds a vocabulary from `(word, count)` pairs, kept in the given order.
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] for no pairs; [`Error::InvalidParameter`] for a repeated word, an
    /// empty word, a word containing whitespace, or more than 2³² − 1 words.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::text::Vocab;
    /// let v = Vocab::from_counts([("zebra", 1), ("ant", 7)])?;
    /// assert_eq!((v.index("ant"), v.total()), (Some(1), 8));
    /// assert!(Vocab::from_counts([("a", 1), ("a", 2)]).is_err());
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn from_counts<I, S>(pairs: I) -> Result<Self>
    where
        I: IntoIterator<Item = (S, u64)>,
        S: Into<String>,
    {
        let mut v = Vocab::empty();
        for (w, c) in pairs {
            let w: String = w.into();
            if !is_plain(&w) {
                return Err(Error::invalid(
                    "words",
                    format!("{w:?} is empty or contains whitespace"),
                ));
            }
            v.push(w, c)?;
        }
        v.finish_building()
    }

    /// A vocabulary of any distinct words with their counts (those of a vectors file may hold
    /// tabs or be empty strings, and there may be no words at all). Lengths must agree.
    pub(crate) fn from_words(words: Vec<String>, counts: Vec<u64>) -> Result<Self> {
        crate::error::check_shape(
            "Vocab::from_words",
            "counts",
            (words.len(), 1),
            (counts.len(), 1),
        )?;
        let mut v = Vocab::empty();
        v.words.try_reserve(words.len()).map_err(too_many)?;
        v.counts.try_reserve(words.len()).map_err(too_many)?;
        v.index.try_reserve(words.len()).map_err(too_many)?;
        for (w, c) in words.into_iter().zip(counts) {
            v.push(w, c)?;
        }
        v.raw_total = v.total();
        Ok(v)
    }

    fn empty() -> Self {
        Vocab {
            words: Vec::new(),
            counts: Vec::new(),
            index: FxMap::default(),
            raw_total: 0,
            sentences: 0,
        }
    }

    /// Appends a new word; it must not be present.
    fn push(&mut self, w: String, c: u64) -> Result<usize> {
        let i = self.words.len();
        if i >= u32::MAX as usize {
            return Err(Error::invalid("words", "more than 2³² − 1 words"));
        }
        if self.index.contains_key(&w) {
            return Err(Error::invalid("words", format!("{w:?} appears twice")));
        }
        self.index.insert(w.clone(), i as u32);
        self.words.push(w);
        self.counts.push(c);
        Ok(i)
    }

    fn finish_building(mut self) -> Result<Self> {
        if self.words.is_empty() {
            return Err(Error::Empty {
                op: "Vocab",
                what: "vocabulary",
            });
        }
        self.raw_total = self.total();
        Ok(self)
    }

    /// Reads a vocabulary file in the C tool's `-save-vocab` format: one `word count` per
    /// line (blank lines are skipped). The C tool's sentence-end token `</s>` is read like any
    /// other word (and so is then [`Vocab::eos`]): such a vocabulary is the one
    /// [`Vocab::from_file_with_eos`] counts, and trains with
    /// [`keep_eos`](crate::word2vec::Word2VecBuilder::keep_eos); without it, `</s>` would be
    /// a word that never occurs in the text, its count part of [`Vocab::total`].
    ///
    /// # Errors
    ///
    /// [`Error::Format`] naming the line for a line that is not `word count`; the errors of
    /// [`Vocab::from_counts`]; [`Error::Io`] if reading fails.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::text::Vocab;
    /// let v = Vocab::read("</s> 31102\nthe 64203\n".as_bytes())?;
    /// assert_eq!((v.index("the"), v.eos()), (Some(1), Some(0)));
    /// # Ok::<(), recurrent::Error>(())
    /// ```
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

    /// Writes the vocabulary in the C tool's `-save-vocab` format: `word count\n` per word,
    /// in index order.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] naming a word that is empty or holds whitespace (possible
    /// only in the vocabulary of a loaded vectors file), before anything is written;
    /// [`Error::Io`] if writing fails.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::text::Vocab;
    /// let v = Vocab::from_sentences(["b a a"], 1, None)?;
    /// let mut file = Vec::new();
    /// v.write(&mut file)?;
    /// assert_eq!(file, b"a 2\nb 1\n");
    /// assert_eq!(Vocab::read(file.as_slice())?, Vocab::from_counts([("a", 2), ("b", 1)])?);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn write<W: Write>(&self, mut writer: W) -> Result<()> {
        self.check_plain()?;
        let err = |e| Error::io("writing a vocabulary file", e);
        for (w, c) in self.words.iter().zip(&self.counts) {
            writeln!(writer, "{w} {c}").map_err(err)?;
        }
        writer.flush().map_err(err)
    }

    /// Whether every word is plain text (not empty, no whitespace), as every vocabulary built
    /// from text is: a vocabulary read back from a serialised model may not be.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] naming the first word that is not.
    pub(crate) fn check_plain(&self) -> Result<()> {
        match self.words.iter().find(|w| !is_plain(w)) {
            Some(w) => Err(Error::invalid(
                "words",
                format!("{w:?} cannot be stored in a vocabulary file (empty, or holds whitespace)"),
            )),
            None => Ok(()),
        }
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether there are no words: never for a vocabulary built from text or counts (they
    /// refuse an empty result), possibly for that of a [`Word2Vec`](crate::Word2Vec) read
    /// with `limit: Some(0)`.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The words, in index order.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The counts, in index order.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// The word with index `index`, if `index < len()`.
    pub fn word(&self, index: usize) -> Option<&str> {
        self.words.get(index).map(String::as_str)
    }

    /// The count of the word with index `index`, if `index < len()`.
    pub fn count(&self, index: usize) -> Option<u64> {
        self.counts.get(index).copied()
    }

    /// The index of `word`, if it is in the vocabulary.
    pub fn index(&self, word: &str) -> Option<usize> {
        self.index.get(word).map(|&i| i as usize)
    }

    /// The index as the training loops store it.
    #[inline]
    pub(crate) fn index_u32(&self, word: &str) -> Option<u32> {
        self.index.get(word).copied()
    }

    /// `(word, count)` pairs in index order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, u64)> + DoubleEndedIterator {
        self.words
            .iter()
            .map(String::as_str)
            .zip(self.counts.iter().copied())
    }

    /// `T`, the sum of the counts: for a vocabulary built from a corpus, the corpus words
    /// that are in the vocabulary (the words one Word2Vec epoch trains on before
    /// subsampling). Saturates at `u64::MAX`.
    pub fn total(&self) -> u64 {
        sum(&self.counts)
    }

    /// Words in the corpus before the `min_count` / size cut (equal to [`Vocab::total`] at
    /// construction for a vocabulary built from counts or read from a file).
    pub fn raw_total(&self) -> u64 {
        self.raw_total
    }

    /// Sentences (lines, or pieces of over-long lines) counted while building the
    /// vocabulary; 0 for a vocabulary built from counts or read from a file.
    pub fn sentences(&self) -> u64 {
        self.sentences
    }

    /// The index of [`Vocab::UNK`], if the vocabulary has it.
    pub fn unk(&self) -> Option<usize> {
        self.index(Self::UNK)
    }

    /// The index of [`Vocab::EOS`], if the vocabulary has it.
    pub fn eos(&self) -> Option<usize> {
        self.index(Self::EOS)
    }

    /// Reserves [`Vocab::UNK`] for every word outside the vocabulary, and returns its index.
    ///
    /// If `<unk>` is absent it is appended (index `len()`, so no other index changes); if the
    /// corpus already spelled rare words `<unk>` (as the Penn Treebank files do), that entry
    /// is used. Either way its count is raised by the corpus words the `min_count` / size cut
    /// left out, `raw_total − (total − count(</s>))`, so that afterwards every corpus word is
    /// counted once; a second call changes nothing.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] if the vocabulary already holds 2³² − 1 words.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::text::Vocab;
    /// let mut v = Vocab::from_sentences(["the cat sat", "the dog sat"], 2, None)?;
    /// let unk = v.add_unk()?;
    /// assert_eq!((unk, v.count(unk)), (2, Some(2))); // "cat" and "dog"
    /// assert_eq!(v.index_or_unk("dog"), Some(unk));
    /// assert_eq!(v.total(), v.raw_total());
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn add_unk(&mut self) -> Result<usize> {
        let eos = self.eos().map_or(0, |i| self.counts[i]);
        let left_out = self
            .raw_total
            .saturating_sub(self.total().saturating_sub(eos));
        match self.unk() {
            Some(i) => {
                self.counts[i] = self.counts[i].saturating_add(left_out);
                Ok(i)
            }
            None => self.push(Self::UNK.to_string(), left_out),
        }
    }

    /// Adds the end-of-sentence token [`Vocab::EOS`], and returns its index.
    ///
    /// If `</s>` is absent it is appended (index `len()`, so no other index changes) with the
    /// number of sentences counted while building as its count; if present (a C-tool
    /// vocabulary file starts with it), it is left as it is. [`Vocab::encode`] then ends every
    /// sentence with it.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] if the vocabulary already holds 2³² − 1 words.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::text::Vocab;
    /// let mut v = Vocab::from_sentences(["a b", "b"], 1, None)?;
    /// let eos = v.add_eos()?;
    /// assert_eq!((eos, v.count(eos), v.eos()), (2, Some(2), Some(2)));
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn add_eos(&mut self) -> Result<usize> {
        match self.eos() {
            Some(i) => Ok(i),
            None => self.push(Self::EOS.to_string(), self.sentences),
        }
    }

    /// The index of `word`, or that of [`Vocab::UNK`] for a word outside the vocabulary
    /// (`None` only if `word` is unknown and the vocabulary has no `<unk>`).
    pub fn index_or_unk(&self, word: &str) -> Option<usize> {
        self.index(word).or_else(|| self.unk())
    }

    /// Appends the indices of `sentence`'s words to `out`, as a language model reads them:
    /// each word by [`Vocab::index_or_unk`] (a word that is unknown is skipped when there is
    /// no `<unk>`), then [`Vocab::EOS`]'s index if the vocabulary has it. Returns the number
    /// of indices appended.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::text::Vocab;
    /// let mut v = Vocab::from_sentences(["the cat sat", "the dog sat"], 2, None)?;
    /// let mut ids = Vec::new();
    /// v.encode("the cat sat", &mut ids);
    /// assert_eq!(ids, [0, 1]); // "cat" is below min_count and there is no <unk>
    /// let (unk, eos) = (v.add_unk()?, v.add_eos()?);
    /// ids.clear();
    /// for line in ["the cat sat", "sat"] {
    ///     v.encode(line, &mut ids);
    /// }
    /// assert_eq!(ids, [0, unk, 1, eos, 1, eos]);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn encode<S: Sentence + ?Sized>(&self, sentence: &S, out: &mut Vec<usize>) -> usize {
        let before = out.len();
        let unk = self.unk();
        sentence.for_each_word(|w| {
            if let Some(i) = self.index(w).or(unk) {
                out.push(i);
            }
        });
        if let Some(eos) = self.eos() {
            out.push(eos);
        }
        out.len() - before
    }

    /// The same words and counts, with the corpus figures of construction reset
    /// (`raw_total = total`, `sentences = 0`): what a model keeps of its vocabulary, and what
    /// a vectors or model file can restore.
    pub(crate) fn without_corpus_totals(mut self) -> Self {
        self.raw_total = self.total();
        self.sentences = 0;
        self
    }
}

fn check_max_size(max_size: Option<usize>) -> Result<()> {
    if max_size == Some(0) {
        return Err(Error::invalid("max_size", "must be at least 1 when given"));
    }
    Ok(())
}

fn too_many(_: std::collections::TryReserveError) -> Error {
    Error::invalid("words", "too many words to hold in memory")
}

/// The serialised form: words, counts and the corpus figures.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct VocabData {
    words: Vec<String>,
    counts: Vec<u64>,
    #[serde(default)]
    raw_total: u64,
    #[serde(default)]
    sentences: u64,
}

/// A vocabulary is stored as its words, counts, `raw_total` and `sentences`; loading checks
/// the invariants every method relies on (as many counts as words, distinct words, at most
/// 2³² − 1 of them), so a loaded vocabulary answers at once.
#[cfg(feature = "serde")]
impl serde::Serialize for Vocab {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Vocab", 4)?;
        st.serialize_field("words", &self.words)?;
        st.serialize_field("counts", &self.counts)?;
        st.serialize_field("raw_total", &self.raw_total)?;
        st.serialize_field("sentences", &self.sentences)?;
        st.end()
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Vocab {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let data = VocabData::deserialize(d)?;
        let mut v = Vocab::from_words(data.words, data.counts).map_err(serde::de::Error::custom)?;
        v.raw_total = data.raw_total;
        v.sentences = data.sentences;
        Ok(v)
    }
}

/// The word counts of `sentences` (the first half of the `from_sentences` constructors).
fn count_sentences<I>(sentences: I) -> Result<Counter>
where
    I: IntoIterator,
    I::Item: Sentence,
{
    let mut c = Counter::default();
    for s in sentences {
        c.add(&s)?;
    }
    Ok(c)
}

/// The word counts of every line of `corpus` (the first half of the file constructors).
fn count_corpus<R: BufRead>(mut corpus: CorpusReader<R>) -> Result<Counter> {
    let mut c = Counter::default();
    let mut line = String::new();
    while corpus.read_line(&mut line)? {
        c.add(line.as_str())?;
    }
    Ok(c)
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
        assert_eq!(a, b);
    }

    #[test]
    fn specials_keep_indices_and_account_for_every_word() {
        let corpus = ["a b c", "a b", "a <unk>"];
        let mut v = Vocab::from_sentences(corpus, 2, None).unwrap();
        assert_eq!(v.words(), ["a", "b"]);
        let eos = v.add_eos().unwrap();
        let unk = v.add_unk().unwrap();
        assert_eq!((eos, unk), (2, 3));
        // c and the literal <unk> were cut: 2 words; eos counts the 3 sentences.
        assert_eq!(v.counts(), [3, 2, 3, 2]);
        assert_eq!(v.add_unk().unwrap(), unk);
        assert_eq!(v.add_eos().unwrap(), eos);
        assert_eq!(v.counts(), [3, 2, 3, 2]);
        // A corpus that spells rare words <unk> keeps that entry.
        let mut p = Vocab::from_sentences(["x <unk> x", "<unk> y"], 2, None).unwrap();
        assert_eq!(p.unk(), Some(1));
        assert_eq!(p.add_unk().unwrap(), 1);
        assert_eq!(p.counts(), [2, 3]);
        assert_eq!(p.total(), p.raw_total());
    }

    /// The order and counts of the language model's vocabulary, pinned to those of the
    /// language model's former private vocabulary (`lm::vocabulary`) on a corpus with ties,
    /// words below `min_count` and the reserved tokens spelled out.
    #[test]
    fn language_model_vocabulary_order_and_counts() {
        let corpus = [
            "the cat sat on the mat",
            "the dog sat",
            "a cat <unk> ran",
            "</s> the end",
            "b a b a",
        ];
        let v = Vocab::for_language_model(corpus, 2).unwrap();
        assert_eq!(v.words(), ["</s>", "<unk>", "the", "a", "b", "cat", "sat"]);
        // </s>: 5 sentence ends and 1 literal; <unk>: on mat dog ran end and 1 literal
        assert_eq!(v.counts(), [6, 6, 4, 3, 2, 2, 2]);
        assert_eq!((v.raw_total(), v.sentences(), v.total()), (20, 5, 25));
        let mut ids = Vec::new();
        v.encode(corpus[3], &mut ids);
        assert_eq!(ids, [0, 2, 1, 0]);
        // the order of the sentences does not matter, only the counts
        let mut reversed = corpus;
        reversed.reverse();
        assert_eq!(
            Vocab::for_language_model(reversed, 2).unwrap().words(),
            v.words()
        );
        // no word kept: the two reserved tokens, every word <unk>
        let v = Vocab::for_language_model(["x y", "z"], 2).unwrap();
        assert_eq!(
            (v.words(), v.counts()),
            (&["</s>".into(), "<unk>".into()][..], &[2, 3][..])
        );
        let none: [&str; 0] = [];
        assert_eq!(Vocab::for_language_model(none, 1).unwrap().len(), 2);
        // min_count 0 is 1; the reserved tokens are already there
        let mut v = Vocab::for_language_model(["b a", "a"], 0).unwrap();
        assert_eq!(v, Vocab::for_language_model(["b a", "a"], 1).unwrap());
        let before = v.clone();
        assert_eq!((v.add_eos().unwrap(), v.add_unk().unwrap()), (0, 1));
        assert_eq!(v, before);
        // a spaced or empty token of a token list is refused, as by from_sentences
        assert!(Vocab::for_language_model([vec!["a b"]], 1).is_err());
        assert!(Vocab::for_language_model([vec![""]], 1).is_err());
    }

    #[test]
    fn writing_refuses_words_a_file_cannot_hold() {
        let v = Vocab::from_words(vec!["a\tb".into(), String::new()], vec![1, 2]).unwrap();
        assert!(matches!(
            v.write(Vec::new()),
            Err(Error::InvalidParameter { .. })
        ));
        assert!(Vocab::from_words(vec!["a".into(), "a".into()], vec![1, 2]).is_err());
        assert!(Vocab::from_words(vec!["a".into()], vec![1, 2]).is_err());
        assert!(
            Vocab::from_words(Vec::new(), Vec::new())
                .unwrap()
                .is_empty()
        );
    }
}

//! The one corpus reader: sentences streamed from a file or any [`BufRead`], one line at a time,
//! in bounded memory, and the [`Sentence`] trait that splits them into words.
//!
//! A corpus is a text file with one sentence per line and words separated by whitespace (the
//! input of the C `word2vec` tool, gensim's `LineSentence`, and the Penn Treebank files of
//! language modelling). [`CorpusReader`] never holds more than one line (at most
//! [`CorpusReader::max_line_bytes`], 1 MiB by default) in memory; a longer line is handed out
//! in pieces cut at whitespace, as the C tool cuts its sentences (at 1,000 words) and gensim
//! its lines (at 10,000). [`Vocab`](super::Vocab) counts a corpus with it and
//! [`Word2VecTrainer`](crate::word2vec::Word2VecTrainer) trains on it.

use crate::error::{Error, Result};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// A sentence: something that yields words.
///
/// Implemented for token lists (`Vec<T>`, `[T]`, arrays, with `T: AsRef<str>`), whose items are
/// the words as they are, and for lines of text (`str`, `String`), which are split on Unicode
/// whitespace ([`str::split_whitespace`]); the C tool splits on space, tab and newline, which
/// agrees on every ASCII text.
///
/// # Examples
///
/// ```
/// use recurrent::text::Sentence;
/// let mut words = Vec::new();
/// "in the  beginning\n".for_each_word(|w| words.push(w.to_string()));
/// assert_eq!(words, ["in", "the", "beginning"]);
/// let mut n = 0;
/// ["one token", "two"].for_each_word(|_| n += 1);
/// assert_eq!(n, 2);
/// ```
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

/// The default of [`CorpusReader::max_line_bytes`]: 1 MiB.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// The smallest accepted [`CorpusReader::max_line_bytes`]: one UTF-8 character always fits.
const MIN_LINE_BYTES: usize = 4;

/// Reads a corpus one sentence (line) at a time, in bounded memory.
///
/// Each item is one line without its line terminator (`\n` or `\r\n`). A line longer than
/// [`CorpusReader::max_line_bytes`] is handed out in pieces of at most that many bytes, each
/// cut after the last ASCII whitespace byte that fits (or, for a single word longer than the
/// limit, at a character boundary), so no word is split unless it is itself longer than the
/// limit. The text must be UTF-8.
///
/// `CorpusReader` is an [`Iterator`] of `Result<String>`; [`CorpusReader::read_line`] reuses
/// one buffer instead. Either way, errors name the file when the reader was opened with
/// [`CorpusReader::open`].
///
/// # Examples
///
/// ```
/// use recurrent::text::CorpusReader;
/// let text = "in the beginning\r\ngod created\n\nthe heaven";
/// let lines: Vec<String> = CorpusReader::new(text.as_bytes()).collect::<Result<_, _>>()?;
/// assert_eq!(lines, ["in the beginning", "god created", "", "the heaven"]);
///
/// // A long line comes in pieces cut at whitespace.
/// let pieces: Vec<String> = CorpusReader::new("aaa bbb ccc ddd".as_bytes())
///     .max_line_bytes(8)
///     .collect::<Result<_, _>>()?;
/// assert_eq!(pieces, ["aaa bbb ", "ccc ddd"]);
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Debug)]
pub struct CorpusReader<R> {
    reader: R,
    /// What errors say was being done, e.g. `reading the corpus data/kjv.txt`.
    context: String,
    max_line: usize,
    /// The rest of an over-long line, returned before anything else is read.
    carry: Vec<u8>,
    /// Offset in the file of the next byte to read (counted from where reading started).
    pos: u64,
    /// No line starting at or after this offset is read ([`CorpusReader::open_part`]).
    end: Option<u64>,
    /// The next byte to read continues a line handed out in pieces.
    mid_line: bool,
}

impl CorpusReader<BufReader<File>> {
    /// Opens a corpus file (buffered with 64 KiB).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming the file if it cannot be opened.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::text::CorpusReader;
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/kjv.txt");
    /// let first = CorpusReader::open(path)?.next().transpose()?;
    /// assert!(first.is_some_and(|line| line.starts_with("in the beginning")));
    /// assert!(CorpusReader::open("/nonexistent/corpus.txt").is_err());
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let context = format!("reading the corpus {}", path.display());
        let f = File::open(path).map_err(|e| Error::io(context.clone(), e))?;
        Ok(Self {
            reader: BufReader::with_capacity(1 << 16, f),
            context,
            max_line: MAX_LINE_BYTES,
            carry: Vec::new(),
            pos: 0,
            end: None,
            mid_line: false,
        })
    }

    /// Opens part `part` of `parts` of a corpus file: the lines that *start* in the byte range
    /// `[part·L/parts, (part+1)·L/parts)` of the file of length `L` (as the C tool and
    /// fastText split a file between their threads, but cut at line starts). A line belongs
    /// to the part in which its first byte lies, so the parts together hold every line of the
    /// file exactly once, in order, whatever `parts` is (a part may hold no line). Each part
    /// is read with its own file handle: threads read their parts without sharing anything.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] if `parts` is 0 or `part ≥ parts`; [`Error::Io`] naming
    /// the file if it cannot be opened, measured or read.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::text::CorpusReader;
    /// let path = std::env::temp_dir().join("recurrent-doc-open-part.txt");
    /// std::fs::write(&path, "one two\nthree\nfour five six\nseven\n")
    ///     .map_err(|e| recurrent::Error::Io { context: "doc example".into(), source: e })?;
    /// let mut all = Vec::new();
    /// for part in 0..3 {
    ///     for line in CorpusReader::open_part(&path, part, 3)? {
    ///         all.push(line?);
    ///     }
    /// }
    /// assert_eq!(all, ["one two", "three", "four five six", "seven"]); // each line once
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn open_part(path: impl AsRef<Path>, part: usize, parts: usize) -> Result<Self> {
        if parts == 0 || part >= parts {
            return Err(Error::invalid(
                "part",
                format!("part {part} of {parts}: needs part < parts"),
            ));
        }
        let mut r = Self::open(path)?;
        let len = r
            .reader
            .get_ref()
            .metadata()
            .map_err(|e| Error::io(r.context.clone(), e))?
            .len();
        let cut = |k: usize| (u128::from(len) * k as u128 / parts as u128) as u64;
        let (start, end) = (cut(part), cut(part + 1));
        if part + 1 < parts {
            r.end = Some(end);
        }
        if start > 0 {
            // The first line of this part is the first one starting at or after `start`:
            // skip to just after the first newline at or after `start − 1`.
            r.reader
                .seek(SeekFrom::Start(start - 1))
                .map_err(|e| Error::io(r.context.clone(), e))?;
            r.pos = start - 1;
            r.skip_line()?;
        }
        Ok(r)
    }
}

impl<R: BufRead> CorpusReader<R> {
    /// Reads a corpus from any buffered reader.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::text::CorpusReader;
    /// let mut corpus = CorpusReader::new("in the beginning\nwas the word\n".as_bytes());
    /// let mut line = String::new();
    /// let mut lines = Vec::new();
    /// while corpus.read_line(&mut line)? {
    ///     lines.push(line.clone());
    /// }
    /// assert_eq!(lines, ["in the beginning", "was the word"]);
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn new(reader: R) -> Self {
        Self {
            reader,
            context: "reading the corpus".to_string(),
            max_line: MAX_LINE_BYTES,
            carry: Vec::new(),
            pos: 0,
            end: None,
            mid_line: false,
        }
    }

    /// Consumes the input up to and including the next newline (or to the end).
    fn skip_line(&mut self) -> Result<()> {
        loop {
            let buf = self
                .reader
                .fill_buf()
                .map_err(|e| Error::io(self.context.clone(), e))?;
            if buf.is_empty() {
                return Ok(());
            }
            let (n, found) = match buf.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (buf.len(), false),
            };
            self.reader.consume(n);
            self.pos += n as u64;
            if found {
                return Ok(());
            }
        }
    }

    /// The longest piece of a line handed out at once, in bytes (default [`MAX_LINE_BYTES`],
    /// 1 MiB; values below 4 act as 4, so that one character always fits). This bounds the
    /// memory the reader holds.
    #[must_use]
    pub fn max_line_bytes(mut self, bytes: usize) -> Self {
        self.max_line = bytes.max(MIN_LINE_BYTES);
        self
    }

    /// Reads the next line (or piece of an over-long line) into `line`, replacing its
    /// contents; returns `false` at the end of the corpus.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if reading fails or the text is not UTF-8.
    pub fn read_line(&mut self, line: &mut String) -> Result<bool> {
        let mut buf = std::mem::take(line).into_bytes();
        buf.clear();
        let more = self.read_piece(&mut buf)?;
        *line = String::from_utf8(buf).map_err(|_| {
            let e = std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "stream did not contain valid UTF-8",
            );
            Error::io(self.context.clone(), e)
        })?;
        Ok(more)
    }

    /// Reads the next piece into `buf` (raw bytes, terminator removed).
    fn read_piece(&mut self, buf: &mut Vec<u8>) -> Result<bool> {
        if self.carry.is_empty() && !self.mid_line && self.end.is_some_and(|end| self.pos >= end) {
            return Ok(false); // the next line starts in the next part
        }
        buf.append(&mut self.carry);
        let room = (self.max_line - buf.len()) as u64;
        let n = Read::take(&mut self.reader, room)
            .read_until(b'\n', buf)
            .map_err(|e| Error::io(self.context.clone(), e))?;
        self.pos += n as u64;
        self.mid_line = false;
        if n == 0 && buf.is_empty() {
            return Ok(false);
        }
        if buf.last() == Some(&b'\n') {
            buf.pop();
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
        } else if buf.len() < self.max_line {
            // The last line, without a newline: a final `\r` is its terminator too, as
            // `str::lines` reads it.
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
        } else {
            // An over-long line: keep what follows the last whitespace for the next call.
            let cut = match buf.iter().rposition(u8::is_ascii_whitespace) {
                Some(p) => p + 1,
                None => char_boundary(buf),
            };
            self.carry.extend_from_slice(&buf[cut..]);
            buf.truncate(cut);
            // The line goes on after the carry (or after this piece).
            self.mid_line = true;
            if self.carry.is_empty() {
                // The line ended exactly at the limit: do not hand out an empty piece next.
                let rest = self
                    .reader
                    .fill_buf()
                    .map_err(|e| Error::io(self.context.clone(), e))?;
                match rest {
                    [b'\n', ..] => {
                        self.reader.consume(1);
                        self.pos += 1;
                        self.mid_line = false;
                        // a `\r\n` split across the limit ends the line too
                        if buf.last() == Some(&b'\r') {
                            buf.pop();
                        }
                    }
                    [b'\r', b'\n', ..] => {
                        self.reader.consume(2);
                        self.pos += 2;
                        self.mid_line = false;
                    }
                    _ => {}
                }
            }
        }
        Ok(true)
    }
}

/// The end of the last complete UTF-8 character of `buf` (all of `buf` if its last
/// character is complete, or if that would leave nothing).
fn char_boundary(buf: &[u8]) -> usize {
    let Some(mut start) = buf.len().checked_sub(1) else {
        return 0;
    };
    while start > 0 && (buf[start] & 0xC0) == 0x80 {
        start -= 1;
    }
    let need = match buf[start] {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    };
    if start + need <= buf.len() || start == 0 {
        buf.len()
    } else {
        start
    }
}

impl<R: BufRead> Iterator for CorpusReader<R> {
    type Item = Result<String>;

    fn next(&mut self) -> Option<Result<String>> {
        let mut line = String::new();
        match self.read_line(&mut line) {
            Ok(true) => Some(Ok(line)),
            Ok(false) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &[u8], max: usize) -> Vec<String> {
        CorpusReader::new(text)
            .max_line_bytes(max)
            .collect::<Result<_>>()
            .unwrap()
    }

    #[test]
    fn long_lines_are_cut_at_whitespace_and_words_survive() {
        let line = "alpha beta gamma delta epsilon zeta eta theta";
        for max in 4..60 {
            let p = pieces(line.as_bytes(), max);
            assert!(p.iter().all(|s| s.len() <= max), "{max}: {p:?}");
            let joined: Vec<String> = p
                .iter()
                .flat_map(|s| s.split_whitespace().map(str::to_string))
                .collect();
            if max >= "epsilon ".len() {
                // Every word fits: the words are exactly those of the line.
                assert_eq!(joined, line.split_whitespace().collect::<Vec<_>>(), "{max}");
            }
            assert_eq!(p.concat(), line, "{max}");
        }
    }

    #[test]
    fn an_over_long_word_is_cut_at_a_character_boundary() {
        let word = "ééééé"; // 10 bytes
        for max in 4..12 {
            let p = pieces(word.as_bytes(), max);
            assert_eq!(p.concat(), word, "{max}");
            assert!(p.iter().all(|s| s.len() <= max));
        }
    }

    /// The parts of a file hold its lines once each, in order, for any number of parts,
    /// with long lines in pieces (a piece past a part's end still belongs to its line).
    #[test]
    fn parts_hold_every_line_once() {
        let dir = std::env::temp_dir().join(format!("recurrent-parts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.txt");
        let text = "a b\n\nccc ddd eee fff ggg\r\nh\n\n\niiii jjjj kkkk llll mmmm\nn";
        std::fs::write(&path, text).unwrap();
        for max in [4, 7, 64] {
            let want = pieces(text.as_bytes(), max);
            for parts in 1..=text.len() + 2 {
                let mut got = Vec::new();
                for part in 0..parts {
                    let r = CorpusReader::open_part(&path, part, parts).unwrap();
                    got.extend(r.max_line_bytes(max).map(Result::unwrap));
                }
                assert_eq!(got, want, "max {max}, {parts} parts");
            }
        }
        assert!(CorpusReader::open_part(&path, 2, 2).is_err());
        assert!(CorpusReader::open_part(&path, 0, 0).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn terminators_and_invalid_utf8() {
        assert_eq!(pieces(b"a\r\nb\n\nc", 64), ["a", "b", "", "c"]);
        assert!(pieces(b"", 64).is_empty());
        let mut r = CorpusReader::new(&b"ok\n\xff\xfe\n"[..]);
        assert_eq!(r.next().unwrap().unwrap(), "ok");
        assert!(matches!(r.next(), Some(Err(Error::Io { .. }))));
    }
}

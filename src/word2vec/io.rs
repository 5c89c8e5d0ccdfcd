//! The word2vec text and binary file formats of the original C tool (Mikolov et al. 2013),
//! as gensim reads and writes them. The layouts are documented on the public writers
//! ([`write_word2vec_text`], [`write_word2vec_binary`]) and the reading rules on the readers;
//! [`read_word2vec`] and [`Word2Vec::load`] tell the two formats apart by themselves.

mod read;
mod write;

pub use write::{write_word2vec_binary, write_word2vec_text};

use super::Word2Vec;
use crate::error::{Error, Result};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

/// How to read a word2vec file.
///
/// | Name | Default | Purpose | Range |
/// |---|---|---|---|
/// | `limit` | `None` | read only the first `N` vectors (gensim's `limit`, for the huge pre-trained files) | any |
/// | `lossy` | `false` | decode words that are not valid UTF-8 with U+FFFD replacement characters (gensim's `unicode_errors='replace'`) instead of failing | |
/// | `max_word_len` | [`ReadOptions::DEFAULT_MAX_WORD_LEN`] (1024) | the longest word accepted, in bytes; a longer one is an error naming its record | ≥ 1 |
///
/// Published C-format files (trained on Latin-1 text, or with words cut in the middle of a
/// multi-byte character by the C tool's 100-byte word limit) need `lossy`. The word limit
/// stops a file that is not word vectors at all (or a binary file read out of step) from
/// passing a megabyte of bytes off as one word; the C tool never writes a word longer than
/// 99 bytes, gensim has no limit.
///
/// # Examples
///
/// ```
/// use recurrent::word2vec::{ReadOptions, read_word2vec_text};
/// let opts = ReadOptions { limit: Some(1), ..ReadOptions::default() };
/// let m = read_word2vec_text(&b"2 1\na 1.0\nb 2.0\n"[..], opts)?;
/// assert_eq!(m.words(), ["a"]);
/// let opts = ReadOptions { max_word_len: 3, ..ReadOptions::default() };
/// assert!(read_word2vec_text(&b"1 1\nlonger 1.0\n"[..], opts).is_err());
/// # Ok::<(), recurrent::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadOptions {
    /// Read at most this many vectors.
    pub limit: Option<usize>,
    /// Replace invalid UTF-8 in words by U+FFFD instead of returning an error.
    pub lossy: bool,
    /// The longest word accepted, in bytes (at least 1).
    pub max_word_len: usize,
}

impl ReadOptions {
    /// The default [`ReadOptions::max_word_len`]: 1024 bytes, ten times the C tool's limit.
    pub const DEFAULT_MAX_WORD_LEN: usize = 1024;

    /// Checks the options, as every reader does first.
    fn check(&self) -> Result<()> {
        if self.max_word_len == 0 {
            return Err(Error::invalid("max_word_len", "must be at least 1"));
        }
        Ok(())
    }
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            limit: None,
            lossy: false,
            max_word_len: Self::DEFAULT_MAX_WORD_LEN,
        }
    }
}

/// Reads word vectors in the word2vec text format (the layout is on
/// [`write_word2vec_text`]; the C tool's `%lf` values with a trailing space are accepted too).
///
/// # Robustness
///
/// Nothing is reserved from the header beyond 4 MiB in all (floats, word list and word set
/// together): rows are appended as they arrive, so a 16-byte header claiming 10¹² words costs
/// a few MiB at most until the bytes are actually there, and growing a buffer is fallible, so
/// running out of memory is an [`Error::Format`] naming the line, never an abort. The
/// `Word2Vec::load*` functions know the file's length and check the header against it first
/// (each text line needs at least `2·d + 2` bytes): a header the file cannot back is refused
/// before anything is reserved, and for one it backs the floats are reserved in full (at most
/// twice the file's size). A word is at most
/// [`ReadOptions::max_word_len`] bytes and a line at most that plus 129 bytes per value, so no
/// record can swallow the rest of a file.
///
/// A malformed or truncated input returns [`Error::Format`] naming the line (text: 1-based
/// line, the header is line 1) or the record (binary: 1-based vector record, 0 for the
/// header). Every line of a text file must end with a newline, and a binary file must hold
/// `V` complete records (or `limit` of them), so a truncated file is an error rather than a
/// silently shorter model. Values must be finite.
///
/// A word that appears twice keeps its first vector and the later one is skipped (gensim does
/// the same, with a warning). Counts are not part of either format: a loaded model has count 0
/// for every word.
///
/// # Examples
///
/// ```
/// use recurrent::word2vec::{read_word2vec_text, ReadOptions};
/// let file = "2 3\nking 0.5 0.25 -1.0\nqueen 0.5 0.3 1e-05\n";
/// let m = read_word2vec_text(file.as_bytes(), ReadOptions::default())?;
/// assert_eq!((m.vocab_len(), m.dim()), (2, 3));
/// assert_eq!(m.vector("queen")?, &[0.5, 0.3, 1e-5]);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Format`] with the 1-based line for a malformed header, a line with the wrong
/// number of values, a value that is not a finite number, an empty, too long or (unless
/// [`ReadOptions::lossy`]) non-UTF-8 word, a line longer than its bound, a missing final
/// newline, fewer lines than the header announces, or memory running out (the message says
/// so when the bytes look like the binary format); [`Error::InvalidParameter`] for
/// `max_word_len == 0`; [`Error::Io`] if the reader fails.
pub fn read_word2vec_text<R: BufRead>(reader: R, opts: ReadOptions) -> Result<Word2Vec> {
    read::text(reader, opts, None)
}

/// Reads word vectors in the word2vec binary format of the C tool (the layout is on
/// [`write_word2vec_binary`]), with or without the newline after each record.
///
/// Reading follows the rules of [`read_word2vec_text`]: nothing is reserved from the header
/// beyond 4 MiB unless the file's length backs it (each record needs at least `4·d + 2`
/// bytes), buffers grow fallibly with the data, words are at most
/// [`ReadOptions::max_word_len`] bytes, duplicates keep their first vector, counts are 0,
/// values must be finite, and an input with fewer complete records than announced (or than
/// `limit`) is an error.
///
/// A text file handed to this reader is recognised by its first record: when the bytes where
/// the first vector's floats belong are decimal text (digits, signs, points, exponents and
/// spaces up to a newline; the rule is on [`read_word2vec`]), the error says that the file is
/// in the text format, instead of loading ASCII digits as floats of about 10⁻¹⁹.
///
/// # Examples
///
/// ```
/// use recurrent::word2vec::{read_word2vec_binary, ReadOptions};
/// let mut file = b"1 2\nhello ".to_vec();
/// file.extend(0.5f32.to_le_bytes());
/// file.extend((-2.0f32).to_le_bytes());
/// file.push(b'\n');
/// let m = read_word2vec_binary(&file[..], ReadOptions::default())?;
/// assert_eq!(m.vector("hello")?, &[0.5, -2.0]);
/// // The same vectors as text are recognised, not read as tiny floats.
/// let text = read_word2vec_binary(&b"1 2\nhello 0.5 -2.0\n"[..], ReadOptions::default());
/// assert!(text.unwrap_err().to_string().contains("text file"));
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Format`] with the 1-based record (0 for the header) for a malformed header, a
/// header the file's length cannot back (`Word2Vec::load*`), an empty, too long or (unless
/// [`ReadOptions::lossy`]) non-UTF-8 word, a first vector that is decimal text, a non-finite
/// value, an input that ends before the announced number of records (or `limit`) is
/// complete, or memory running out; [`Error::InvalidParameter`] for `max_word_len == 0`;
/// [`Error::Io`] if the reader fails.
pub fn read_word2vec_binary<R: BufRead>(reader: R, opts: ReadOptions) -> Result<Word2Vec> {
    read::binary(reader, opts, None)
}

/// Reads word vectors in either word2vec format, telling text from binary by the first
/// record.
///
/// # How the format is told
///
/// Both formats start with the same `"V d\n"` header and the first word followed by a space.
/// The reader then looks at the bytes where the binary format puts the first vector (the
/// next `4·d` bytes, at most 4096): if the bytes before the first newline among them are only
/// digits, `+`, `-`, `.`, `e`, `E`, spaces, tabs and carriage returns, hold at least one
/// digit, and are at least 4 bytes long (one whole `f32`) or run up to a newline that ends
/// them, the file is text; otherwise it is binary. Decimal text passes, except a first
/// vector of one value shorter than 3 characters followed by more records (`2 1\nw 5\nx 6\n`
/// is taken for binary, and the binary reader then fails on it). A binary vector passes only if the 4 bytes of its first value are all such characters (its high
/// byte then puts `|x|` below 2.5·10⁻⁴, between 2048 and 8192, or near 10²²) and the bytes
/// after them keep to those characters up to a newline. In a simulation of Gaussian first
/// rows (σ from 10⁻⁴ to 1, 200,000 to 300,000 rows each, `d` = 1, 2, 4 and 100), no row with
/// σ ≥ 0.1 passed, and the worst case, `d` = 1 with σ = 10⁻⁴, passed 55 times in 300,000.
/// The bytes looked at are read again by the reader of the format found, with all its
/// rules ([`read_word2vec_text`], [`read_word2vec_binary`]).
///
/// # Examples
///
/// ```
/// use recurrent::word2vec::{read_word2vec, write_word2vec_binary, ReadOptions, Word2Vec};
/// let m = Word2Vec::from_parts(vec!["a".into()], vec![1], 2, vec![0.5, -2.0])?;
/// let mut binary = Vec::new();
/// write_word2vec_binary(&m, &mut binary)?;
/// for file in [&binary[..], b"1 2\na 0.5 -2.0\n"] {
///     assert_eq!(read_word2vec(file, ReadOptions::default())?.vector("a")?, &[0.5, -2.0]);
/// }
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// As [`read_word2vec_text`] or [`read_word2vec_binary`], for the format found; errors in
/// the header name a "word2vec file" at line 1.
pub fn read_word2vec<R: BufRead>(reader: R, opts: ReadOptions) -> Result<Word2Vec> {
    read::any(reader, opts, None).map(|(m, _)| m)
}

/// Opens `path` for reading, with its length if it is a regular file (a pipe or device has
/// none to check a header against).
fn open(path: &Path) -> Result<(BufReader<File>, Option<u64>)> {
    let file = File::open(path).map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
    let len = file
        .metadata()
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|m| m.len());
    Ok((BufReader::with_capacity(1 << 16, file), len))
}

impl Word2Vec {
    /// Saves the model in the word2vec text format ([`write_word2vec_text`]), through a
    /// temporary file renamed over `path` ([`crate::io::write_atomic`]), so a crash mid-save
    /// leaves any previous file intact.
    ///
    /// # Errors
    ///
    /// As [`write_word2vec_text`], and [`Error::Io`] naming the path.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::word2vec::{ReadOptions, Word2Vec};
    /// let words = vec!["a".to_string(), "b".to_string()];
    /// let m = Word2Vec::from_parts(words, vec![2, 1], 2, vec![0.5, 1.0, -1.0, 0.25])?;
    /// let path = std::env::temp_dir().join("recurrent-doc-save-text.txt");
    /// m.save_text(&path)?;
    /// assert_eq!(Word2Vec::load_text(&path, ReadOptions::default())?.vectors(), m.vectors());
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn save_text<P: AsRef<Path>>(&self, path: P) -> Result<()> {
        crate::io::write_atomic(path, |w| write_word2vec_text(self, w))
    }

    /// Saves the model in the word2vec binary format ([`write_word2vec_binary`]), atomically
    /// as [`Word2Vec::save_text`].
    ///
    /// # Errors
    ///
    /// As [`write_word2vec_binary`], and [`Error::Io`] naming the path.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::word2vec::{ReadOptions, Word2Vec};
    /// let words = vec!["a".to_string(), "b".to_string()];
    /// let m = Word2Vec::from_parts(words, vec![2, 1], 2, vec![0.1, 1.0, -1.0, 0.3])?;
    /// let path = std::env::temp_dir().join("recurrent-doc-save-binary.bin");
    /// m.save_binary(&path)?;
    /// // the binary format keeps every f32 bit for bit
    /// assert_eq!(Word2Vec::load_binary(&path, ReadOptions::default())?.vectors(), m.vectors());
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    pub fn save_binary<P: AsRef<Path>>(&self, path: P) -> Result<()> {
        crate::io::write_atomic(path, |w| write_word2vec_binary(self, w))
    }

    /// Loads a word2vec file in either format, telling text from binary by its first record
    /// (the rule is on [`read_word2vec`]; the file name is not looked at).
    ///
    /// The file's length is checked against the header before anything is reserved, as in
    /// [`Word2Vec::load_text`] and [`Word2Vec::load_binary`].
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::word2vec::{ReadOptions, Word2Vec};
    /// let m = Word2Vec::from_parts(vec!["a".into(), "b".into()], vec![2, 1], 2, vec![1.0, 0.0, 0.5, 0.5])?;
    /// let dir = std::env::temp_dir();
    /// let (text, binary) = (dir.join("recurrent-doc-load.vec"), dir.join("recurrent-doc-load.vec.bin"));
    /// m.save_text(&text)?;
    /// m.save_binary(&binary)?;
    /// assert_eq!(Word2Vec::load(&text, ReadOptions::default())?.vectors(), m.vectors());
    /// assert_eq!(Word2Vec::load(&binary, ReadOptions::default())?.vectors(), m.vectors());
    /// # std::fs::remove_file(&text).ok();
    /// # std::fs::remove_file(&binary).ok();
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be opened or read; [`Error::Format`] as
    /// [`read_word2vec_text`] or [`read_word2vec_binary`] for the format found, and for a
    /// header that announces more than the file can hold.
    pub fn load<P: AsRef<Path>>(path: P, opts: ReadOptions) -> Result<Self> {
        let (reader, len) = open(path.as_ref())?;
        read::any(reader, opts, len).map(|(m, _)| m)
    }

    /// Loads a word2vec text file ([`read_word2vec_text`]), checking the header against the
    /// file's length first: a header announcing more lines than the file can hold (each needs
    /// at least `2·d + 2` bytes) is an error before anything is reserved.
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::word2vec::{ReadOptions, Word2Vec};
    /// let m = Word2Vec::from_parts(vec!["a".into(), "b".into()], vec![2, 1], 2, vec![1.0, 0.0, 0.5, 0.5])?;
    /// let path = std::env::temp_dir().join(format!("recurrent-doc-{}.txt", std::process::id()));
    /// m.save_text(&path)?;
    /// let back = Word2Vec::load_text(&path, ReadOptions { limit: Some(1), ..ReadOptions::default() })?;
    /// assert_eq!(back.words(), ["a"]);
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be opened or read; [`Error::Format`] as
    /// [`read_word2vec_text`], and at line 1 for a header the file's length cannot back.
    pub fn load_text<P: AsRef<Path>>(path: P, opts: ReadOptions) -> Result<Self> {
        let (reader, len) = open(path.as_ref())?;
        read::text(reader, opts, len)
    }

    /// Loads a word2vec binary file ([`read_word2vec_binary`]), checking the header against
    /// the file's length first (each record needs at least `4·d + 2` bytes).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be opened or read; [`Error::Format`] as
    /// [`read_word2vec_binary`], and at record 0 for a header the file's length cannot back.
    pub fn load_binary<P: AsRef<Path>>(path: P, opts: ReadOptions) -> Result<Self> {
        let (reader, len) = open(path.as_ref())?;
        read::binary(reader, opts, len)
    }
}

#[cfg(test)]
mod tests {
    use super::read::Format;
    use super::*;

    #[test]
    fn the_format_found_is_reported() {
        let m = Word2Vec::from_parts(vec!["a".into()], vec![1], 3, vec![0.5, 1.0, -1.0]).unwrap();
        let mut b = Vec::new();
        write_word2vec_binary(&m, &mut b).unwrap();
        let (back, f) = read::any(&b[..], ReadOptions::default(), None).unwrap();
        assert_eq!((back.vectors(), f), (m.vectors(), Format::Binary));
        let mut t = Vec::new();
        write_word2vec_text(&m, &mut t).unwrap();
        let (back, f) = read::any(&t[..], ReadOptions::default(), None).unwrap();
        assert_eq!((back.vectors(), f), (m.vectors(), Format::Text));
    }
}

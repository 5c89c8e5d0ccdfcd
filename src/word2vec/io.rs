//! The word2vec text and binary file formats of the original C tool (Mikolov et al. 2013),
//! as gensim reads and writes them. The layouts are documented on the public writers
//! ([`write_word2vec_text`], [`write_word2vec_binary`]) and the reading rules on the readers.

use super::Word2Vec;
use crate::error::{Error, Result};
use crate::traits::Embedding;
use std::collections::HashSet;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

const TEXT: &str = "word2vec text";
const BINARY: &str = "word2vec binary";

/// The longest header line accepted, in bytes (two decimal numbers need far fewer).
const MAX_HEADER: u64 = 256;

/// The most floats reserved before rows arrive (4 MiB); beyond that, buffers grow with the data.
const MAX_RESERVE: usize = 1 << 20;

/// How to read a word2vec file.
///
/// | Name | Default | Purpose |
/// |---|---|---|
/// | `limit` | `None` | read only the first `N` vectors (gensim's `limit`, for the huge pre-trained files) |
/// | `lossy` | `false` | decode words that are not valid UTF-8 with U+FFFD replacement characters (gensim's `unicode_errors='replace'`) instead of failing |
///
/// Published C-format files (trained on Latin-1 text, or with words cut in the middle of a
/// multi-byte character by the C tool's 100-byte word limit) need `lossy`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Read at most this many vectors.
    pub limit: Option<usize>,
    /// Replace invalid UTF-8 in words by U+FFFD instead of returning an error.
    pub lossy: bool,
}

/// Rows collected while reading, checked for duplicates.
struct Rows {
    what: &'static str,
    dim: usize,
    lossy: bool,
    words: Vec<String>,
    seen: HashSet<String>,
    vectors: Vec<f32>,
}

impl Rows {
    fn new(what: &'static str, n_words: usize, dim: usize, opts: ReadOptions) -> Self {
        let reserve = n_words.saturating_mul(dim).min(MAX_RESERVE);
        Self {
            what,
            dim,
            lossy: opts.lossy,
            words: Vec::with_capacity(reserve / dim.max(1)),
            seen: HashSet::with_capacity(reserve / dim.max(1)),
            vectors: Vec::with_capacity(reserve),
        }
    }

    /// Decodes a word's bytes, strictly or lossily.
    fn decode(&self, bytes: &[u8], line: usize) -> Result<String> {
        if bytes.is_empty() {
            return Err(format_err(self.what, line, "empty word"));
        }
        if bytes.contains(&b'\n') {
            return Err(format_err(self.what, line, "word contains a newline"));
        }
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_string()),
            Err(_) if self.lossy => Ok(String::from_utf8_lossy(bytes).into_owned()),
            Err(e) => Err(format_err(
                self.what,
                line,
                format!(
                    "word is not valid UTF-8 ({e}); read with `ReadOptions {{ lossy: true, .. }}`"
                ),
            )),
        }
    }

    /// Keeps the last `dim` values of `vectors` as `word`'s row, unless `word` was seen.
    fn finish_row(&mut self, word: String, line: usize) -> Result<()> {
        let start = self.vectors.len() - self.dim;
        if let Some(i) = self.vectors[start..].iter().position(|x| !x.is_finite()) {
            return Err(format_err(
                self.what,
                line,
                format!("non-finite value in component {} of {word:?}", i + 1),
            ));
        }
        if self.seen.contains(&word) {
            self.vectors.truncate(start);
        } else {
            self.seen.insert(word.clone());
            self.words.push(word);
        }
        Ok(())
    }

    fn into_model(self) -> Result<Word2Vec> {
        let counts = vec![0; self.words.len()];
        Word2Vec::from_parts(self.words, counts, self.dim, self.vectors)
    }
}

fn format_err(what: &'static str, line: usize, reason: impl Into<String>) -> Error {
    Error::Format {
        what,
        line,
        reason: reason.into(),
    }
}

fn read_err(what: &'static str, e: std::io::Error) -> Error {
    Error::io(format!("reading {what}"), e)
}

/// Reads the `"V d\n"` header line; `line` is what errors report for it.
fn read_header<R: BufRead>(
    reader: &mut R,
    what: &'static str,
    line: usize,
) -> Result<(usize, usize)> {
    let mut buf = Vec::new();
    reader
        .take(MAX_HEADER)
        .read_until(b'\n', &mut buf)
        .map_err(|e| read_err(what, e))?;
    if buf.last() != Some(&b'\n') {
        let reason = if buf.len() as u64 >= MAX_HEADER {
            format!("header longer than {MAX_HEADER} bytes")
        } else {
            "header line is incomplete (no newline)".to_string()
        };
        return Err(format_err(what, line, reason));
    }
    let text =
        std::str::from_utf8(&buf).map_err(|_| format_err(what, line, "header is not ASCII"))?;
    let fields: Vec<&str> = text.split_ascii_whitespace().collect();
    let parse = |s: &str, name: &str| {
        s.parse::<usize>()
            .map_err(|_| format_err(what, line, format!("{name} {s:?} is not a whole number")))
    };
    match fields.as_slice() {
        [v, d] => {
            let (v, d) = (parse(v, "word count")?, parse(d, "dimension")?);
            if d == 0 {
                return Err(format_err(what, line, "dimension is 0"));
            }
            Ok((v, d))
        }
        _ => Err(format_err(
            what,
            line,
            format!(
                "header must be \"<words> <dimension>\", found {:?}",
                text.trim_end()
            ),
        )),
    }
}

/// Reads word vectors in the word2vec text format (the layout is on
/// [`write_word2vec_text`]; the C tool's `%lf` values with a trailing space are accepted too).
///
/// # Robustness
///
/// Nothing is allocated from the header: rows are appended as they arrive (the initial
/// reservation is capped at 2²⁰ floats, 4 MiB), so a header claiming 10¹⁸ words of dimension 10¹²
/// costs nothing until the bytes are actually there. A malformed or truncated input returns
/// [`Error::Format`] naming the line (text: 1-based line, the header is line 1) or the record
/// (binary: 1-based vector record, 0 for the header). Every line of a text file must end with
/// a newline, and a binary file must hold `V` complete records (or `limit` of them), so a
/// truncated file is an error rather than a silently shorter model. Values must be finite.
///
/// A word that appears twice keeps its first vector and the later one is skipped (gensim does
/// the same, with a warning). Counts are not part of either format: a loaded model has count 0
/// for every word.
///
/// # Examples
///
/// ```
/// use recurrent::{Embedding, word2vec::{read_word2vec_text, ReadOptions}};
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
/// number of values, a value that is not a finite number, an empty or (unless
/// [`ReadOptions::lossy`]) non-UTF-8 word, a missing final newline, or fewer lines than the
/// header announces; [`Error::Io`] if the reader fails.
pub fn read_word2vec_text<R: BufRead>(reader: R, opts: ReadOptions) -> Result<Word2Vec> {
    let mut reader = reader;
    let (n_words, dim) = read_header(&mut reader, TEXT, 1)?;
    let n_read = opts.limit.map_or(n_words, |l| l.min(n_words));
    let mut rows = Rows::new(TEXT, n_read, dim, opts);
    let mut buf = Vec::new();
    for k in 0..n_read {
        let line = k + 2;
        buf.clear();
        reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| read_err(TEXT, e))?;
        if buf.is_empty() {
            return Err(format_err(
                TEXT,
                line,
                format!("file ends after {k} of {n_words} vectors"),
            ));
        }
        if buf.pop() != Some(b'\n') {
            return Err(format_err(
                TEXT,
                line,
                "last line has no newline (truncated file?)",
            ));
        }
        while let Some(b' ' | b'\t' | b'\r') = buf.last() {
            buf.pop();
        }
        let split = buf.iter().position(|&b| b == b' ').unwrap_or(buf.len());
        let word = rows.decode(&buf[..split], line)?;
        let values = std::str::from_utf8(&buf[split..])
            .map_err(|_| format_err(TEXT, line, format!("values of {word:?} are not ASCII")))?;
        let mut n = 0;
        for v in values.split_ascii_whitespace() {
            n += 1;
            if n > dim {
                continue;
            }
            let x = v.parse::<f32>().map_err(|_| {
                format_err(
                    TEXT,
                    line,
                    format!("value {n} of {word:?} is not a number: {v:?}"),
                )
            })?;
            rows.vectors.push(x);
        }
        if n != dim {
            rows.vectors.truncate(rows.vectors.len() - n.min(dim));
            return Err(format_err(
                TEXT,
                line,
                format!("{word:?} has {n} values, expected {dim}"),
            ));
        }
        rows.finish_row(word, line)?;
    }
    rows.into_model()
}

/// Reads word vectors in the word2vec binary format of the C tool (the layout is on
/// [`write_word2vec_binary`]), with or without the newline after each record.
///
/// Reading follows the rules of [`read_word2vec_text`]: nothing is allocated from the
/// header, duplicates keep their first vector, counts are 0, values must be finite, and an
/// input with fewer complete records than announced (or than `limit`) is an error.
///
/// # Examples
///
/// ```
/// use recurrent::{Embedding, word2vec::{read_word2vec_binary, ReadOptions}};
/// let mut file = b"1 2\nhello ".to_vec();
/// file.extend(0.5f32.to_le_bytes());
/// file.extend((-2.0f32).to_le_bytes());
/// file.push(b'\n');
/// let m = read_word2vec_binary(&file[..], ReadOptions::default())?;
/// assert_eq!(m.vector("hello")?, &[0.5, -2.0]);
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Format`] with the 1-based record (0 for the header) for a malformed header, an
/// empty or (unless [`ReadOptions::lossy`]) non-UTF-8 word, a non-finite value, or an input
/// that ends before the announced number of records (or `limit`) is complete;
/// [`Error::Io`] if the reader fails.
pub fn read_word2vec_binary<R: BufRead>(reader: R, opts: ReadOptions) -> Result<Word2Vec> {
    let mut reader = reader;
    let (n_words, dim) = read_header(&mut reader, BINARY, 0)?;
    let n_read = opts.limit.map_or(n_words, |l| l.min(n_words));
    let row_bytes = dim
        .checked_mul(4)
        .ok_or_else(|| format_err(BINARY, 0, format!("dimension {dim} is too large")))?;
    let mut rows = Rows::new(BINARY, n_read, dim, opts);
    let mut word = Vec::new();
    for k in 0..n_read {
        let record = k + 1;
        let truncated = |at: &str| {
            format_err(
                BINARY,
                record,
                format!("file ends {at} (record {record} of {n_words})"),
            )
        };
        // Skip the newline that ends the previous record (C tool) or none (gensim).
        loop {
            let avail = reader.fill_buf().map_err(|e| read_err(BINARY, e))?;
            let n = avail.iter().take_while(|&&b| b == b'\n').count();
            let more = n == avail.len() && n > 0;
            reader.consume(n);
            if !more {
                break;
            }
        }
        word.clear();
        reader
            .read_until(b' ', &mut word)
            .map_err(|e| read_err(BINARY, e))?;
        if word.pop() != Some(b' ') {
            return Err(truncated(if word.is_empty() {
                "before the word"
            } else {
                "inside a word"
            }));
        }
        let w = rows.decode(&word, record)?;
        read_f32s(&mut reader, row_bytes, &mut rows.vectors)
            .map_err(|e| read_err(BINARY, e))?
            .then_some(())
            .ok_or_else(|| truncated(&format!("inside the vector of {w:?}")))?;
        rows.finish_row(w, record)?;
    }
    rows.into_model()
}

/// Appends `n_bytes / 4` little-endian `f32`s from `reader` to `out`, consuming the input as it
/// comes (nothing is allocated ahead of the bytes). Returns `false` if the input ended first.
fn read_f32s<R: BufRead>(
    reader: &mut R,
    n_bytes: usize,
    out: &mut Vec<f32>,
) -> std::io::Result<bool> {
    let mut remaining = n_bytes;
    let mut carry = [0u8; 4];
    let mut n_carry = 0;
    while remaining > 0 {
        let avail = reader.fill_buf()?;
        if avail.is_empty() {
            return Ok(false);
        }
        let take = avail.len().min(remaining);
        let mut bytes = &avail[..take];
        // Complete a float split across two buffer fills.
        while n_carry > 0 && !bytes.is_empty() {
            carry[n_carry] = bytes[0];
            bytes = &bytes[1..];
            n_carry = (n_carry + 1) % 4;
            if n_carry == 0 {
                out.push(f32::from_le_bytes(carry));
            }
        }
        let chunks = bytes.chunks_exact(4);
        let rest = chunks.remainder();
        out.extend(chunks.map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])));
        carry[..rest.len()].copy_from_slice(rest);
        n_carry += rest.len();
        reader.consume(take);
        remaining -= take;
    }
    Ok(true)
}

/// Checks that every word can be written: not empty, no space, no newline.
fn check_words(model: &Word2Vec) -> Result<()> {
    for w in model.words() {
        if w.is_empty() || w.contains([' ', '\n']) {
            return Err(Error::invalid(
                "words",
                format!(
                    "{w:?} cannot be stored in the word2vec format (empty, or holds a space or newline)"
                ),
            ));
        }
    }
    Ok(())
}

/// Writes `x` as numpy 2.x's `str(numpy.float32(x))` does (what gensim writes): the shortest
/// digits that read back to `x`, positional for `10⁻⁴ ≤ |x| < 10⁶` or zero, scientific with a
/// signed two-digit exponent otherwise.
fn push_f32(out: &mut String, x: f32) {
    use std::fmt::Write as _;
    if x.is_nan() {
        out.push_str("nan");
        return;
    }
    if x.is_infinite() {
        out.push_str(if x > 0.0 { "inf" } else { "-inf" });
        return;
    }
    let a = f64::from(x.abs());
    let mut s = String::with_capacity(24);
    let last_digit = if a == 0.0 || (1e-4..1e6).contains(&a) {
        let _ = write!(s, "{x}");
        let last = s.len() - 1;
        if !s.contains('.') {
            s.push_str(".0");
        }
        last
    } else {
        let e = format!("{x:e}");
        let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
        let (sign, digits) = match exp.strip_prefix('-') {
            Some(d) => ('-', d),
            None => ('+', exp),
        };
        let _ = write!(s, "{mantissa}e{sign}{digits:0>2}");
        mantissa.len() - 1
    };
    half_even(&mut s, last_digit, x);
    out.push_str(&s);
}

/// When `x` lies exactly halfway between two shortest decimals, Rust's formatter rounds the
/// last digit up and numpy's (Dragon4) rounds it to even: 0.330078125 prints as `0.33007813`
/// in Rust and `0.33007812` in numpy. Turns an odd last digit (at byte `last`) into the even
/// one in that case only.
fn half_even(out: &mut String, last: usize, x: f32) {
    let d = out.as_bytes()[last];
    if !d.is_ascii_digit() || (d - b'0').is_multiple_of(2) {
        return;
    }
    // A tie needs x's exact decimal expansion to be one digit longer than the shortest one,
    // so at most 10 significant digits. With x = M·2^E (M odd), E < 0 gives exactly the
    // digits of M·5^(−E): reject at once when that is 10¹⁰ or more (every ordinary
    // word-vector value, whose E is around −24, stops here).
    let bits = x.abs().to_bits();
    let (mant, exp) = match bits >> 23 {
        0 => (bits & 0x7f_ffff, -149),
        e => ((bits & 0x7f_ffff) | 0x80_0000, e as i32 - 150),
    };
    if mant == 0 {
        return;
    }
    let tz = mant.trailing_zeros();
    let (m, e) = (u128::from(mant >> tz), exp + tz as i32);
    if e < 0 && (e < -14 || m * 5u128.pow(e.unsigned_abs()) >= 10_000_000_000) {
        return;
    }
    // Cheap filter: the midpoint of the two candidates (the lower one with a 5 appended to
    // its digits) must equal x. Parsing to f64 can only confuse values closer than 2⁻⁵³
    // relative, so the exact check below settles the rare survivors.
    let mut down = out.clone();
    down.replace_range(last..=last, &char::from(d - 1).to_string());
    let mut mid = down.clone();
    mid.insert(last + 1, '5');
    if mid.parse::<f64>().ok() != Some(f64::from(x)) || down.parse::<f32>().ok() != Some(x) {
        return;
    }
    // Exact check: x's full decimal expansion is the lower digits followed by a single 5.
    // An f32 has at most 112 significant decimal digits, so `{:.120e}` is exact.
    let digits = |s: &str| -> (String, String) {
        let (m, e) = s.split_once('e').unwrap_or((s, "0"));
        (
            m.chars().filter(char::is_ascii_digit).collect(),
            e.to_string(),
        )
    };
    let (short, e1) = digits(&format!("{:e}", x.abs()));
    let (exact, e2) = digits(&format!("{:.120e}", x.abs()));
    let exact = exact.trim_end_matches('0');
    let lower_digits: String = down
        .split('e')
        .next()
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let lower_digits = lower_digits.trim_start_matches('0');
    if e1 == e2
        && exact.len() == short.len() + 1
        && exact.ends_with('5')
        && exact.starts_with(lower_digits)
        && lower_digits.len() == short.len()
    {
        *out = down;
    }
}

/// Writes `model` in the word2vec text format, byte for byte as gensim writes it.
///
/// # Layout
///
/// ```text
/// V d\n
/// word₁ x₁₁ x₁₂ … x₁d\n
/// …
/// word_V x_V1 … x_Vd\n
/// ```
///
/// A header line with the number of words `V` and the dimension `d` in decimal, then one line
/// per word: the word, and its `d` values as decimal numbers, separated by single spaces.
/// The C tool writes each value with `%lf` followed by a space (so six decimals and a trailing
/// space before the newline); gensim writes the shortest decimal that reads back to the same
/// `f32`, without the trailing space. The reader accepts both (and `\r\n` line ends).
/// [`write_word2vec_text`] writes gensim's layout, byte for byte as gensim 4.4 with numpy 2.x
/// writes it: the shortest round-trip digits, positional for `10⁻⁴ ≤ |x| < 10⁶` (`0.5`, `1.0`,
/// `-0.0`) and scientific otherwise (`1e-05`, `1.5e+06`), so reading and writing a file
/// loses nothing.
///
/// # Examples
///
/// ```
/// use recurrent::word2vec::{Word2Vec, write_word2vec_text};
/// let m = Word2Vec::from_parts(vec!["a".into()], vec![1], 2, vec![0.5, 1e-5])?;
/// let mut out = Vec::new();
/// write_word2vec_text(&m, &mut out)?;
/// assert_eq!(out, b"1 2\na 0.5 1e-05\n");
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidParameter`] if a word is empty or holds a space or newline (the format
/// cannot store it); [`Error::Io`] if writing fails.
pub fn write_word2vec_text<W: Write>(model: &Word2Vec, writer: W) -> Result<()> {
    check_words(model)?;
    let mut writer = writer;
    let io = |e| Error::io("writing word2vec text", e);
    writeln!(writer, "{} {}", model.vocab_len(), model.dim()).map_err(io)?;
    let mut line = String::new();
    for (i, w) in model.words().iter().enumerate() {
        line.clear();
        line.push_str(w);
        for &x in model.vector_at(i).unwrap_or_default() {
            line.push(' ');
            push_f32(&mut line, x);
        }
        line.push('\n');
        writer.write_all(line.as_bytes()).map_err(io)?;
    }
    writer.flush().map_err(io)
}

/// Writes `model` in the word2vec binary format of the C tool (gensim reads it).
///
/// # Layout
///
/// ```text
/// "V d\n"                                   header, ASCII decimal, as in the text format
/// then V records, each:
///   word bytes (UTF-8, no space, no newline)
///   0x20                                    one space
///   d × 4 bytes                             the vector, IEEE-754 binary32, little-endian
///   0x0A                                    a newline (the C tool writes it; gensim does not)
/// ```
///
/// [`write_word2vec_binary`] writes the C tool's layout, newline included. The reader skips
/// any newlines before a word (as gensim does), so it accepts both the C tool's and gensim's
/// files, and the final newline is optional.
///
/// # Examples
///
/// ```
/// use recurrent::word2vec::{Word2Vec, write_word2vec_binary};
/// let m = Word2Vec::from_parts(vec!["a".into()], vec![1], 1, vec![1.0])?;
/// let mut out = Vec::new();
/// write_word2vec_binary(&m, &mut out)?;
/// assert_eq!(out, b"1 1\na \x00\x00\x80\x3f\n");
/// # Ok::<(), recurrent::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidParameter`] if a word is empty or holds a space or newline;
/// [`Error::Io`] if writing fails.
pub fn write_word2vec_binary<W: Write>(model: &Word2Vec, writer: W) -> Result<()> {
    check_words(model)?;
    let mut writer = writer;
    let io = |e| Error::io("writing word2vec binary", e);
    writeln!(writer, "{} {}", model.vocab_len(), model.dim()).map_err(io)?;
    let mut record = Vec::with_capacity(model.dim() * 4 + 32);
    for (i, w) in model.words().iter().enumerate() {
        record.clear();
        record.extend_from_slice(w.as_bytes());
        record.push(b' ');
        for &x in model.vector_at(i).unwrap_or_default() {
            record.extend_from_slice(&x.to_le_bytes());
        }
        record.push(b'\n');
        writer.write_all(&record).map_err(io)?;
    }
    writer.flush().map_err(io)
}

fn open(path: &Path) -> Result<BufReader<File>> {
    File::open(path)
        .map(|f| BufReader::with_capacity(1 << 16, f))
        .map_err(|e| Error::io(format!("opening {}", path.display()), e))
}

impl Word2Vec {
    /// Saves the model in the word2vec text format ([`write_word2vec_text`]), through a
    /// temporary file renamed over `path` ([`crate::io::write_atomic`]), so a crash mid-save
    /// leaves any previous file intact.
    ///
    /// # Errors
    ///
    /// As [`write_word2vec_text`], and [`Error::Io`] naming the path.
    pub fn save_text<P: AsRef<Path>>(&self, path: P) -> Result<()> {
        crate::io::write_atomic(path, |w| write_word2vec_text(self, w))
    }

    /// Saves the model in the word2vec binary format ([`write_word2vec_binary`]), atomically
    /// as [`Word2Vec::save_text`].
    ///
    /// # Errors
    ///
    /// As [`write_word2vec_binary`], and [`Error::Io`] naming the path.
    pub fn save_binary<P: AsRef<Path>>(&self, path: P) -> Result<()> {
        crate::io::write_atomic(path, |w| write_word2vec_binary(self, w))
    }

    /// Loads a word2vec text file ([`read_word2vec_text`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use recurrent::word2vec::{ReadOptions, Word2Vec};
    /// let m = Word2Vec::from_parts(vec!["a".into(), "b".into()], vec![2, 1], 2, vec![1.0, 0.0, 0.5, 0.5])?;
    /// let path = std::env::temp_dir().join(format!("recurrent-doc-{}.txt", std::process::id()));
    /// m.save_text(&path)?;
    /// let back = Word2Vec::load_text(&path, ReadOptions { limit: Some(1), lossy: false })?;
    /// assert_eq!(back.words(), ["a"]);
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), recurrent::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be opened or read; [`Error::Format`] as
    /// [`read_word2vec_text`].
    pub fn load_text<P: AsRef<Path>>(path: P, opts: ReadOptions) -> Result<Self> {
        read_word2vec_text(open(path.as_ref())?, opts)
    }

    /// Loads a word2vec binary file ([`read_word2vec_binary`]).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be opened or read; [`Error::Format`] as
    /// [`read_word2vec_binary`].
    pub fn load_binary<P: AsRef<Path>>(path: P, opts: ReadOptions) -> Result<Self> {
        read_word2vec_binary(open(path.as_ref())?, opts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(x: f32) -> String {
        let mut s = String::new();
        push_f32(&mut s, x);
        s
    }

    #[test]
    fn floats_print_like_numpy_float32() {
        // Expected strings from `str(numpy.float32(v))`, numpy 2.4.6 (gensim 4.4's venv).
        let cases: [(f32, &str); 16] = [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (1e-4, "1e-04"),
            (1.000_000_05e-4, "0.000100000005"),
            // Exact ties between two shortest decimals round half to even, as numpy does.
            (169.0 / 512.0, "0.33007812"),
            (-161.0 / 512.0, "-0.31445312"),
            (1.5e-5, "1.5e-05"),
            (0.1, "0.1"),
            (123_456.79, "123456.79"),
            (999_999.94, "999999.94"),
            (1e6, "1e+06"),
            (16_777_216.0, "1.6777216e+07"),
            (3.4e38, "3.4e+38"),
            (1e-45, "1e-45"),
            (f32::NEG_INFINITY, "-inf"),
        ];
        for (x, want) in cases {
            assert_eq!(fmt(x), want, "{x:e}");
            if x.is_finite() {
                assert_eq!(fmt(x).parse::<f32>().unwrap().to_bits(), x.to_bits());
            }
        }
        assert_eq!(fmt(f32::NAN), "nan");
    }

    #[test]
    fn floats_print_like_numpy_on_1810_values() {
        // Random word-vector values, random bit patterns over every finite magnitude, and
        // dyadic values full of exact ties; generated by numpy 2.4.6 (tests/data/README.md).
        let table = include_str!("../../tests/data/numpy_float32_str.txt");
        let mut n = 0;
        for line in table.lines().filter(|l| !l.starts_with('#')) {
            let (bits, want) = line.split_once(' ').unwrap();
            let x = f32::from_bits(u32::from_str_radix(bits, 16).unwrap());
            assert_eq!(fmt(x), want, "bits {bits}");
            n += 1;
        }
        assert_eq!(n, 1810);
    }

    #[test]
    fn f32s_split_across_buffer_fills() {
        let bytes: Vec<u8> = [1.5f32, -2.0, 3.25]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        // A 3-byte buffer splits every float across fills.
        let mut r = BufReader::with_capacity(3, &bytes[..]);
        let mut out = Vec::new();
        assert!(read_f32s(&mut r, 12, &mut out).unwrap());
        assert_eq!(out, [1.5, -2.0, 3.25]);
        let mut r = BufReader::with_capacity(3, &bytes[..10]);
        assert!(!read_f32s(&mut r, 12, &mut Vec::new()).unwrap());
    }

    #[test]
    fn absurd_header_allocates_nothing_up_front() {
        let file = format!("{} {}\nw ", usize::MAX, usize::MAX / 8);
        let err = read_word2vec_binary(file.as_bytes(), ReadOptions::default()).unwrap_err();
        assert!(matches!(err, Error::Format { line: 1, .. }), "{err}");
        let file = format!("{} 1000000000000\nw 1.0\n", usize::MAX);
        let err = read_word2vec_text(file.as_bytes(), ReadOptions::default()).unwrap_err();
        assert!(matches!(err, Error::Format { line: 2, .. }), "{err}");
    }
}

//! Reading the word2vec text and binary formats without trusting the header.
//!
//! Three rules keep a hostile file cheap: nothing is reserved from the header beyond
//! [`RESERVE_BUDGET`] bytes unless the file's length backs it; every buffer grows with the
//! bytes that actually arrive, through `try_reserve`, so memory running out is an error and
//! not an abort; and every record is bounded (a word by [`ReadOptions::max_word_len`], a text
//! line by that plus [`MAX_VALUE_BYTES`] per value), so no "word" or "line" can swallow the
//! rest of a file.

use super::super::Word2Vec;
use super::ReadOptions;
use crate::error::{Error, Result};
use std::collections::HashSet;
use std::io::{BufRead, Cursor, Read};

pub(super) const TEXT: &str = "word2vec text";
pub(super) const BINARY: &str = "word2vec binary";
/// What errors name before the format is known ([`read_word2vec`]).
const ANY: &str = "word2vec file";

/// The longest header line accepted, in bytes (two decimal numbers need far fewer).
const MAX_HEADER: u64 = 256;

/// The most bytes reserved from the header before rows arrive, over the floats, the word list
/// and the word set together (4 MiB), when the input's length is unknown; beyond that,
/// buffers grow with the data.
pub(super) const RESERVE_BUDGET: usize = 4 << 20;

/// What a word costs besides its floats, counted against [`RESERVE_BUDGET`]: its entry in the
/// word list and up to two buckets of the word set (a hash table keeps at most 7/8 of its
/// buckets full and rounds their number up to a power of two), each a `String` and a control
/// byte.
const WORD_OVERHEAD: usize = 3 * (size_of::<String>() + 1);

/// The longest value a text line may hold, in bytes. The C tool's `%lf` of the largest `f32`
/// takes 47 (a sign, 39 digits, a point and 6 decimals); 128 leaves room for more digits.
pub(super) const MAX_VALUE_BYTES: usize = 128;

/// How many bytes of the first vector [`read_word2vec`] looks at to tell text from binary.
const SNIFF_BYTES: usize = 4096;

/// The `"V d\n"` header line.
#[derive(Clone, Copy, Debug)]
pub(super) struct Header {
    n_words: usize,
    dim: usize,
    /// The header's length in bytes, newline included.
    len: u64,
}

/// Which of the two formats a file is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Format {
    Text,
    Binary,
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

/// The error for a word longer than `max` bytes: `len` if it is known, or only that it is
/// longer (the reader stops looking one byte past the limit).
fn word_too_long(what: &'static str, line: usize, len: Option<usize>, max: usize) -> Error {
    let len = len.map_or_else(
        || "longer than".to_string(),
        |n| format!("{n} bytes long, more than"),
    );
    format_err(
        what,
        line,
        format!(
            "word is {len} the limit of {max} bytes (raise `ReadOptions::max_word_len` to read it)"
        ),
    )
}

/// Whether `row`, the first bytes of what should be a binary vector, is the text format's
/// decimal numbers instead: the bytes before the first newline (all of `row` if none) are
/// digits, signs, points, exponent letters, spaces, tabs or carriage returns, hold at least one
/// digit, and are at least 4 (one whole `f32`) or run up to a newline that ends `row`.
///
/// A real binary vector passes only if its first value's 4 bytes are all such characters
/// (the high byte then puts `|x|` below 2.5·10⁻⁴, between 2048 and 8192, or near 10²²) and
/// the bytes after them keep to them up to a newline; the figures are on `read_word2vec`.
pub(super) fn looks_like_text(row: &[u8]) -> bool {
    let head = row
        .iter()
        .position(|&b| b == b'\n')
        .map_or(row, |i| &row[..i]);
    let numeric = |b: &u8| b.is_ascii_digit() || b"+-.eE \t\r".contains(b);
    head.iter().any(u8::is_ascii_digit)
        && head.iter().all(numeric)
        && (head.len() >= 4 || head.len() + 1 >= row.len())
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
    /// Reserves room for as many rows as fit in [`RESERVE_BUDGET`], and, if `backed` (the
    /// input's length was checked against the header), for all `n_read` rows' floats: those
    /// take at most 4 bytes per 4 bytes of a binary file, or per 2 bytes of a text one. The
    /// word list and word set are not reserved beyond the budget even then: a file of one
    /// repeated word would make them cost some 20 times its size for a model of one word.
    fn new(
        what: &'static str,
        line: usize,
        n_read: usize,
        dim: usize,
        opts: ReadOptions,
        backed: bool,
    ) -> Result<Self> {
        let row = dim.saturating_mul(4).saturating_add(WORD_OVERHEAD);
        let n = n_read.min(RESERVE_BUDGET / row);
        // `n_read · dim` cannot overflow when `backed`: the file's length (a u64) was checked
        // to hold at least `n_read · (2·dim + 2)` bytes.
        let floats = if backed { n_read } else { n }.saturating_mul(dim);
        let mut rows = Self {
            what,
            dim,
            lossy: opts.lossy,
            words: Vec::new(),
            seen: HashSet::new(),
            vectors: Vec::new(),
        };
        let oom = |_| {
            format_err(
                what,
                line,
                format!(
                    "{n_read} vectors of dimension {dim} ({} bytes of floats) cannot be allocated",
                    (n_read as u128) * (dim as u128) * 4
                ),
            )
        };
        rows.vectors.try_reserve_exact(floats).map_err(oom)?;
        rows.words.try_reserve_exact(n).map_err(oom)?;
        rows.seen.try_reserve(n).map_err(oom)?;
        Ok(rows)
    }

    fn out_of_memory(&self, line: usize) -> Error {
        format_err(
            self.what,
            line,
            format!(
                "memory ran out after {} vectors ({} floats)",
                self.words.len(),
                self.vectors.len()
            ),
        )
    }

    /// Appends one value, growing the buffer fallibly.
    fn push(&mut self, x: f32, line: usize) -> Result<()> {
        if self.vectors.len() == self.vectors.capacity() {
            self.vectors
                .try_reserve(1)
                .map_err(|_| self.out_of_memory(line))?;
        }
        self.vectors.push(x);
        Ok(())
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
            return Ok(());
        }
        if self.words.try_reserve(1).is_err() || self.seen.try_reserve(1).is_err() {
            return Err(self.out_of_memory(line));
        }
        self.seen.insert(word.clone());
        self.words.push(word);
        Ok(())
    }

    fn into_model(self) -> Result<Word2Vec> {
        let Rows {
            dim,
            words,
            seen,
            vectors,
            ..
        } = self;
        // The word set has done its job; free it before the model builds its own index.
        drop(seen);
        let counts = crate::io::try_filled("counts", words.len(), 1, 0)?;
        Word2Vec::from_parts(words, counts, dim, vectors)
    }
}

/// Reads the `"V d\n"` header line; `line` is what errors report for it.
pub(super) fn read_header<R: BufRead>(
    reader: &mut R,
    what: &'static str,
    line: usize,
) -> Result<Header> {
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
            let (n_words, dim) = (parse(v, "word count")?, parse(d, "dimension")?);
            if dim == 0 {
                return Err(format_err(what, line, "dimension is 0"));
            }
            Ok(Header {
                n_words,
                dim,
                len: buf.len() as u64,
            })
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

/// How many records to read: the header's count, or `limit` if smaller.
fn n_to_read(header: Header, opts: ReadOptions) -> usize {
    opts.limit.map_or(header.n_words, |l| l.min(header.n_words))
}

/// Checks the header against `file_len` (the whole input's length, when known): `n_read`
/// records of at least `min_record` bytes each must fit after the header. Returns whether
/// the header's sizes are backed by the file (and so its floats may be reserved in full).
fn check_length(
    format: Format,
    header: Header,
    n_read: usize,
    file_len: Option<u64>,
) -> Result<bool> {
    let Some(file_len) = file_len else {
        return Ok(false);
    };
    let dim = header.dim as u64;
    // Text: a 1-byte word, `d` times a separator and a 1-byte value, a newline.
    // Binary: a 1-byte word, a space, `4·d` bytes (the record's newline is optional).
    let (what, line, min_record) = match format {
        Format::Text => (TEXT, 1, dim.checked_mul(2).and_then(|x| x.checked_add(2))),
        Format::Binary => (BINARY, 0, dim.checked_mul(4).and_then(|x| x.checked_add(2))),
    };
    let need = min_record.and_then(|r| r.checked_mul(n_read as u64));
    let have = file_len.saturating_sub(header.len);
    match need {
        Some(need) if need <= have => Ok(true),
        _ => Err(format_err(
            what,
            line,
            format!(
                "the header announces {n_read} vectors of dimension {} ({}), but the file holds only {have} bytes after it",
                header.dim,
                need.map_or_else(
                    || "more bytes than any file holds".to_string(),
                    |n| format!("at least {n} bytes")
                ),
            ),
        )),
    }
}

/// A hint for an error on the first line of a text file whose bytes are not text.
fn binary_hint(k: usize, bytes: &[u8]) -> &'static str {
    let binary = bytes
        .iter()
        .any(|&b| !(b.is_ascii_graphic() || b.is_ascii_whitespace() || b >= 0x80));
    if k == 0 && binary {
        "; this looks like a word2vec binary file: read it with `read_word2vec_binary` or `Word2Vec::load`"
    } else {
        ""
    }
}

/// The text format after its header; `file_len` is the whole input's length, if known.
pub(super) fn text_body<R: BufRead>(
    mut reader: R,
    header: Header,
    opts: ReadOptions,
    file_len: Option<u64>,
) -> Result<Word2Vec> {
    let Header { n_words, dim, .. } = header;
    let n_read = n_to_read(header, opts);
    let backed = check_length(Format::Text, header, n_read, file_len)?;
    let mut rows = Rows::new(TEXT, 1, n_read, dim, opts, backed)?;
    let max_word = opts.max_word_len;
    // A word, a newline (or "\r\n") and `d` values, each with a separator.
    let line_cap = max_word
        .saturating_add(2)
        .saturating_add(dim.saturating_mul(MAX_VALUE_BYTES + 1));
    let line_cap = u64::try_from(line_cap).unwrap_or(u64::MAX);
    let mut buf = Vec::new();
    for k in 0..n_read {
        let line = k + 2;
        buf.clear();
        (&mut reader)
            .take(line_cap)
            .read_until(b'\n', &mut buf)
            .map_err(|e| read_err(TEXT, e))?;
        if buf.is_empty() {
            return Err(format_err(
                TEXT,
                line,
                format!("file ends after {k} of {n_words} vectors"),
            ));
        }
        let word_end = buf
            .iter()
            .position(|&b| b == b' ' || b == b'\n')
            .unwrap_or(buf.len());
        if word_end > max_word {
            let complete = word_end < buf.len();
            return Err(word_too_long(
                TEXT,
                line,
                complete.then_some(word_end),
                max_word,
            ));
        }
        if buf.pop() != Some(b'\n') {
            let reason = if buf.len() as u64 + 1 >= line_cap {
                format!(
                    "line longer than {line_cap} bytes ({max_word}-byte word and {dim} values of at most {MAX_VALUE_BYTES} bytes)"
                )
            } else {
                "last line has no newline (truncated file?)".to_string()
            };
            return Err(format_err(TEXT, line, reason));
        }
        while let Some(b' ' | b'\t' | b'\r') = buf.last() {
            buf.pop();
        }
        let split = buf.iter().position(|&b| b == b' ').unwrap_or(buf.len());
        let word = rows.decode(&buf[..split], line)?;
        let values = std::str::from_utf8(&buf[split..]).map_err(|_| {
            format_err(
                TEXT,
                line,
                format!(
                    "values of {word:?} are not ASCII{}",
                    binary_hint(k, &buf[split..])
                ),
            )
        })?;
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
                    format!(
                        "value {n} of {word:?} is not a number: {v:?}{}",
                        binary_hint(k, v.as_bytes())
                    ),
                )
            })?;
            rows.push(x, line)?;
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

/// Skips the newlines before a binary record (the C tool ends each record with one; gensim
/// writes none), without buffering them.
fn skip_newlines<R: BufRead>(reader: &mut R) -> Result<()> {
    loop {
        let avail = reader.fill_buf().map_err(|e| read_err(BINARY, e))?;
        let n = avail.iter().take_while(|&&b| b == b'\n').count();
        let more = n == avail.len() && n > 0;
        reader.consume(n);
        if !more {
            return Ok(());
        }
    }
}

/// The binary format after its header; `file_len` is the whole input's length, if known.
pub(super) fn binary_body<R: BufRead>(
    mut reader: R,
    header: Header,
    opts: ReadOptions,
    file_len: Option<u64>,
) -> Result<Word2Vec> {
    let Header { n_words, dim, .. } = header;
    let n_read = n_to_read(header, opts);
    let backed = check_length(Format::Binary, header, n_read, file_len)?;
    let row_bytes = dim
        .checked_mul(4)
        .ok_or_else(|| format_err(BINARY, 0, format!("dimension {dim} is too large")))?;
    let mut rows = Rows::new(BINARY, 0, n_read, dim, opts, backed)?;
    let max_word = opts.max_word_len;
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
        skip_newlines(&mut reader)?;
        word.clear();
        (&mut reader)
            .take(max_word as u64 + 1)
            .read_until(b' ', &mut word)
            .map_err(|e| read_err(BINARY, e))?;
        if word.last() != Some(&b' ') {
            if word.len() > max_word {
                return Err(word_too_long(BINARY, record, None, max_word));
            }
            return Err(truncated(if word.is_empty() {
                "before the word"
            } else {
                "inside a word"
            }));
        }
        word.pop();
        let w = rows.decode(&word, record)?;
        // The first vector's raw bytes (up to SNIFF_BYTES), to recognise a text file.
        let mut first = (k == 0).then(Vec::new);
        let complete = read_f32s(&mut reader, row_bytes, &mut rows.vectors, first.as_mut())
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::OutOfMemory {
                    rows.out_of_memory(record)
                } else {
                    read_err(BINARY, e)
                }
            })?;
        if let Some(bytes) = first
            && looks_like_text(&bytes)
        {
            let shown = String::from_utf8_lossy(&bytes[..bytes.len().min(40)]).into_owned();
            return Err(format_err(
                BINARY,
                record,
                format!(
                    "the vector of {w:?} is decimal text ({shown:?}…), not binary floats: this is a word2vec text file; read it with `read_word2vec_text` or `Word2Vec::load`"
                ),
            ));
        }
        if !complete {
            return Err(truncated(&format!("inside the vector of {w:?}")));
        }
        rows.finish_row(w, record)?;
    }
    rows.into_model()
}

/// Appends `n_bytes / 4` little-endian `f32`s from `reader` to `out`, consuming the input as it
/// comes (nothing is reserved ahead of the bytes, and growing `out` is fallible: an
/// [`std::io::ErrorKind::OutOfMemory`] error if it fails), and copies the first
/// [`SNIFF_BYTES`] raw bytes into `raw` if given. Returns `false` if the input ended first.
fn read_f32s<R: BufRead>(
    reader: &mut R,
    n_bytes: usize,
    out: &mut Vec<f32>,
    mut raw: Option<&mut Vec<u8>>,
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
        if let Some(raw) = raw.as_deref_mut() {
            let room = SNIFF_BYTES.saturating_sub(raw.len()).min(take);
            raw.extend_from_slice(&avail[..room]);
        }
        out.try_reserve(take / 4 + 1)
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::OutOfMemory))?;
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

/// Reads the text format; `file_len` is the input's length, if known.
pub(super) fn text<R: BufRead>(
    mut reader: R,
    opts: ReadOptions,
    file_len: Option<u64>,
) -> Result<Word2Vec> {
    opts.check()?;
    let header = read_header(&mut reader, TEXT, 1)?;
    text_body(reader, header, opts, file_len)
}

/// Reads the binary format; `file_len` is the input's length, if known.
pub(super) fn binary<R: BufRead>(
    mut reader: R,
    opts: ReadOptions,
    file_len: Option<u64>,
) -> Result<Word2Vec> {
    opts.check()?;
    let header = read_header(&mut reader, BINARY, 0)?;
    binary_body(reader, header, opts, file_len)
}

/// Reads either format, telling them apart by the first record (see [`read_word2vec`]);
/// `file_len` is the input's length, if known.
pub(super) fn any<R: BufRead>(
    mut reader: R,
    opts: ReadOptions,
    file_len: Option<u64>,
) -> Result<(Word2Vec, Format)> {
    opts.check()?;
    let header = read_header(&mut reader, ANY, 1)?;
    let (format, seen) = sniff(&mut reader, header, opts)?;
    // Hand the bytes looked at back to the reader of the format found.
    let reader = Cursor::new(seen).chain(reader);
    let model = match format {
        Format::Text => text_body(reader, header, opts, file_len)?,
        Format::Binary => binary_body(reader, header, opts, file_len)?,
    };
    Ok((model, format))
}

/// Reads the first word and up to [`SNIFF_BYTES`] of the first vector, and decides the format
/// by [`looks_like_text`]. Returns the bytes read, to be read again.
fn sniff<R: BufRead>(
    reader: &mut R,
    header: Header,
    opts: ReadOptions,
) -> Result<(Format, Vec<u8>)> {
    let mut seen = Vec::new();
    if n_to_read(header, opts) == 0 {
        return Ok((Format::Text, seen));
    }
    let io = |e| read_err(ANY, e);
    // Newlines before the first word (only a binary reader skips them; the text reader
    // will reject them).
    loop {
        let avail = reader.fill_buf().map_err(io)?;
        let n = avail.iter().take_while(|&&b| b == b'\n').count();
        seen.extend_from_slice(&avail[..n]);
        let more = n == avail.len() && n > 0 && seen.len() <= opts.max_word_len;
        reader.consume(n);
        if !more {
            break;
        }
    }
    reader
        .take(opts.max_word_len as u64 + 1)
        .read_until(b' ', &mut seen)
        .map_err(io)?;
    if seen.last() != Some(&b' ') {
        // No word: both readers fail on this record; the text reader names its line.
        return Ok((Format::Text, seen));
    }
    let row_start = seen.len();
    let want = header.dim.saturating_mul(4).min(SNIFF_BYTES) as u64;
    reader.take(want).read_to_end(&mut seen).map_err(io)?;
    let format = if looks_like_text(&seen[row_start..]) {
        Format::Text
    } else {
        Format::Binary
    };
    Ok((format, seen))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufReader;

    #[test]
    fn f32s_split_across_buffer_fills() {
        let bytes: Vec<u8> = [1.5f32, -2.0, 3.25]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        // A 3-byte buffer splits every float across fills.
        let mut r = BufReader::with_capacity(3, &bytes[..]);
        let mut out = Vec::new();
        let mut raw = Vec::new();
        assert!(read_f32s(&mut r, 12, &mut out, Some(&mut raw)).unwrap());
        assert_eq!(out, [1.5, -2.0, 3.25]);
        assert_eq!(raw, bytes);
        let mut r = BufReader::with_capacity(3, &bytes[..10]);
        let mut raw = Vec::new();
        assert!(!read_f32s(&mut r, 12, &mut Vec::new(), Some(&mut raw)).unwrap());
        assert_eq!(raw, bytes[..10]);
    }

    #[test]
    fn absurd_header_allocates_nothing_up_front() {
        let opts = ReadOptions::default();
        let file = format!("{} {}\nw ", usize::MAX, usize::MAX / 8);
        let err = binary(file.as_bytes(), opts, None).unwrap_err();
        assert!(matches!(err, Error::Format { line: 1, .. }), "{err}");
        let file = format!("{} 1000000000000\nw 1.0\n", usize::MAX);
        let err = text(file.as_bytes(), opts, None).unwrap_err();
        assert!(matches!(err, Error::Format { line: 2, .. }), "{err}");
        // With the length known, the header is refused before any row is read.
        let err = text(file.as_bytes(), opts, Some(file.len() as u64)).unwrap_err();
        assert!(matches!(err, Error::Format { line: 1, .. }), "{err}");
    }

    #[test]
    fn reservations_stay_within_the_budget() {
        for dim in [1, 3, 100, 1 << 20, usize::MAX / 4] {
            let rows = Rows::new(TEXT, 1, usize::MAX, dim, ReadOptions::default(), false).unwrap();
            let bytes = rows.vectors.capacity() * 4
                + rows.words.capacity() * size_of::<String>()
                + rows.seen.capacity() * (size_of::<String>() + 1);
            assert!(bytes <= RESERVE_BUDGET, "dim {dim}: {bytes} bytes");
        }
    }

    #[test]
    fn text_is_told_from_binary() {
        for text in [
            &b"0.5 0.25 -1.0"[..],
            b"0.5\n",
            b"5\n",
            b"-1e-05 3",
            b"0.000000 1.000000 \r\n",
        ] {
            assert!(looks_like_text(text), "{text:?}");
        }
        let floats = |v: &[f32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
        for binary in [
            floats(&[0.5, 0.25]),
            floats(&[1e-5]),
            floats(&[-0.1, 0.3, 2.0]),
            b"\n\n\n\n".to_vec(),
            b"abcd".to_vec(),
            b"1\nb ".to_vec(),
            Vec::new(),
        ] {
            assert!(!looks_like_text(&binary), "{binary:?}");
        }
    }
}

//! Writing the word2vec text and binary formats, byte for byte as gensim and the C tool do.

use super::super::Word2Vec;
use crate::error::{Error, Result};
use std::io::Write;

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
    let start = out.len();
    let last_digit = if a == 0.0 || (1e-4..1e6).contains(&a) {
        let _ = write!(out, "{x}");
        let last = out.len() - 1;
        if !out[start..].contains('.') {
            out.push_str(".0");
        }
        last
    } else {
        let e = format!("{x:e}");
        let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
        let (sign, digits) = match exp.strip_prefix('-') {
            Some(d) => ('-', d),
            None => ('+', exp),
        };
        let _ = write!(out, "{mantissa}e{sign}{digits:0>2}");
        start + mantissa.len() - 1
    };
    half_even(out, start, last_digit, x);
}

/// When `x` lies exactly halfway between two shortest decimals, Rust's formatter rounds the
/// last digit up and numpy's (Dragon4) rounds it to even: 0.330078125 prints as `0.33007813`
/// in Rust and `0.33007812` in numpy. Turns an odd last digit (at byte `last` of the number
/// that starts at byte `start` of `out`) into the even one in that case only.
fn half_even(out: &mut String, start: usize, last: usize, x: f32) {
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
    let mut down = out[start..].to_string();
    let at = last - start;
    down.replace_range(at..=at, &char::from(d - 1).to_string());
    let mut mid = down.clone();
    mid.insert(at + 1, '5');
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
        out.truncate(start);
        out.push_str(&down);
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
    // `dim` is only backed by data when there are words: a model with none may claim any.
    let mut record = Vec::with_capacity(model.dim().saturating_mul(4).min(1 << 16) + 32);
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
        let table = include_str!("../../../tests/data/numpy_float32_str.txt");
        let mut n = 0;
        for line in table.lines().filter(|l| !l.starts_with('#')) {
            let (bits, want) = line.split_once(' ').unwrap();
            let x = f32::from_bits(u32::from_str_radix(bits, 16).unwrap());
            assert_eq!(fmt(x), want, "bits {bits}");
            n += 1;
        }
        assert_eq!(n, 1810);
    }
}

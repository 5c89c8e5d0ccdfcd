//! The word2vec text and binary formats: byte-for-byte compatibility with the C tool and
//! gensim, round trips, limits, lossy words, and malformed or truncated input.

use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use recurrent::Error;
use recurrent::word2vec::{
    ReadOptions, Word2Vec, read_word2vec, read_word2vec_binary, read_word2vec_text,
    write_word2vec_binary, write_word2vec_text,
};

const C_BIN: &[u8] = include_bytes!("data/c_tool.bin");
const C_TXT: &[u8] = include_bytes!("data/c_tool.txt");
const G_BIN: &[u8] = include_bytes!("data/gensim.bin");
const G_TXT: &[u8] = include_bytes!("data/gensim.txt");

fn strict() -> ReadOptions {
    ReadOptions::default()
}

fn text(m: &Word2Vec) -> Vec<u8> {
    let mut out = Vec::new();
    write_word2vec_text(m, &mut out).unwrap();
    out
}

fn binary(m: &Word2Vec) -> Vec<u8> {
    let mut out = Vec::new();
    write_word2vec_binary(m, &mut out).unwrap();
    out
}

/// A seeded model with awkward values: zeros of both signs, tiny and huge magnitudes.
fn model(seed: u64, n: usize, dim: usize) -> Word2Vec {
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed);
    let words = (0..n).map(|i| format!("w{i}é")).collect();
    let vectors = (0..n * dim)
        .map(|k| match k % 7 {
            0 => 0.0,
            1 => -0.0,
            2 => rng.random_range(-1e-30f32..1e-30),
            3 => rng.random_range(-1e30f32..1e30),
            _ => rng.random_range(-1.0f32..1.0),
        })
        .collect();
    Word2Vec::from_parts(words, (1..=n as u64).rev().collect(), dim, vectors).unwrap()
}

#[test]
fn c_tool_binary_is_rewritten_byte_for_byte() {
    let m = read_word2vec_binary(C_BIN, strict()).unwrap();
    assert_eq!((m.vocab_len(), m.dim()), (33, 5));
    assert_eq!(m.word(0), Some("</s>"));
    assert_eq!(binary(&m), C_BIN);
}

#[test]
fn gensim_text_is_rewritten_byte_for_byte() {
    let m = read_word2vec_text(G_TXT, strict()).unwrap();
    assert_eq!(text(&m), G_TXT);
    // gensim's text holds the exact f32 values of the C tool's binary.
    assert_eq!(m, read_word2vec_binary(C_BIN, strict()).unwrap());
}

#[test]
fn gensim_binary_without_newlines_reads_the_same() {
    assert_ne!(G_BIN, C_BIN, "gensim omits the record newline");
    let g = read_word2vec_binary(G_BIN, strict()).unwrap();
    assert_eq!(g, read_word2vec_binary(C_BIN, strict()).unwrap());
}

#[test]
fn tiny_read_buffers_give_the_same_model() {
    // Buffers of 1..8 bytes split words, floats and record newlines across refills.
    let want = read_word2vec_binary(C_BIN, strict()).unwrap();
    for cap in 1..=8 {
        for file in [C_BIN, G_BIN] {
            let r = std::io::BufReader::with_capacity(cap, file);
            assert_eq!(
                read_word2vec_binary(r, strict()).unwrap(),
                want,
                "capacity {cap}"
            );
        }
        let r = std::io::BufReader::with_capacity(cap, G_TXT);
        assert_eq!(
            read_word2vec_text(r, strict()).unwrap(),
            want,
            "capacity {cap}"
        );
    }
}

#[test]
fn c_tool_text_with_six_decimals_and_trailing_spaces() {
    let t = read_word2vec_text(C_TXT, strict()).unwrap();
    let b = read_word2vec_binary(C_BIN, strict()).unwrap();
    assert_eq!(t.words(), b.words());
    // `%lf` rounds to 6 decimals: within 5e-7 (plus f32 rounding of the parsed value).
    for (x, y) in t.vectors().iter().zip(b.vectors()) {
        assert!((x - y).abs() <= 5.1e-7, "{x} vs {y}");
    }
}

#[test]
fn round_trips_are_byte_identical() {
    for seed in 0..4 {
        let m = model(seed, 9, 7);
        let (t, b) = (text(&m), binary(&m));
        let mt = read_word2vec_text(&t[..], strict()).unwrap();
        let mb = read_word2vec_binary(&b[..], strict()).unwrap();
        assert_eq!(text(&mt), t);
        assert_eq!(binary(&mb), b);
        // Bit-exact values (-0.0 kept); counts are not in the format.
        let bits = |m: &Word2Vec| m.vectors().iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&mt), bits(&m));
        assert_eq!(bits(&mb), bits(&m));
        assert_eq!(mt.words(), m.words());
        assert!(mt.counts().iter().all(|&c| c == 0));
    }
}

#[test]
fn hand_written_c_layout() {
    // The C tool's binary layout, byte by byte: "V d\n", then per word: the word, a space,
    // d little-endian f32, a newline.
    let mut file = b"3 2\n".to_vec();
    for (w, v) in [
        ("</s>", [0.0f32, 1.0]),
        ("in", [-0.375, 0.5]),
        ("beginning", [3.0, -4.0]),
    ] {
        file.extend_from_slice(w.as_bytes());
        file.push(b' ');
        for x in v {
            file.extend_from_slice(&x.to_le_bytes());
        }
        file.push(b'\n');
    }
    let m = read_word2vec_binary(&file[..], strict()).unwrap();
    assert_eq!(m.words(), ["</s>", "in", "beginning"]);
    assert_eq!(m.vector("beginning").unwrap(), &[3.0, -4.0]);
    assert_eq!(m.similarity("beginning", "in").unwrap(), -1.0);
    assert_eq!(binary(&m), file);
    // The C tool's text layout: `%lf ` per value.
    let t = b"2 2\nin -0.500000 0.250000 \nbeginning 3.000000 -4.000000 \n";
    let m = read_word2vec_text(&t[..], strict()).unwrap();
    assert_eq!(m.vector("in").unwrap(), &[-0.5, 0.25]);
    // ...and with Windows line ends.
    let t = b"1 2\nin -0.5 0.25\r\n";
    assert_eq!(
        read_word2vec_text(&t[..], strict())
            .unwrap()
            .vector("in")
            .unwrap(),
        &[-0.5, 0.25]
    );
}

#[test]
fn limit_reads_the_first_vectors() {
    for (limit, n) in [
        (Some(0), 0),
        (Some(3), 3),
        (Some(33), 33),
        (Some(1000), 33),
        (None, 33),
    ] {
        let opts = ReadOptions { limit, ..strict() };
        let b = read_word2vec_binary(C_BIN, opts).unwrap();
        let t = read_word2vec_text(G_TXT, opts).unwrap();
        assert_eq!((b.vocab_len(), t.vocab_len()), (n, n), "{limit:?}");
        let full = read_word2vec_binary(C_BIN, strict()).unwrap();
        assert_eq!(b.words(), &full.words()[..n]);
        assert_eq!(b.vectors(), &full.vectors()[..n * 5]);
    }
    // A limit stops reading before a damaged tail.
    let mut damaged = G_TXT.to_vec();
    damaged.truncate(G_TXT.len() - 10);
    assert!(read_word2vec_text(&damaged[..], strict()).is_err());
    let opts = ReadOptions {
        limit: Some(30),
        ..strict()
    };
    assert_eq!(
        read_word2vec_text(&damaged[..], opts).unwrap().vocab_len(),
        30
    );
}

#[test]
fn latin1_words_need_lossy() {
    // "café" and "naïve" in Latin-1, as in published C-format files.
    let mut file = b"3 1\n".to_vec();
    for (w, x) in [
        (&b"caf\xe9"[..], 1.0f32),
        (b"na\xefve", 2.0),
        (b"caf\xe8", 3.0),
    ] {
        file.extend_from_slice(w);
        file.push(b' ');
        file.extend_from_slice(&x.to_le_bytes());
        file.push(b'\n');
    }
    let err = read_word2vec_binary(&file[..], strict()).unwrap_err();
    assert!(matches!(err, Error::Format { line: 1, .. }), "{err}");
    let lossy = ReadOptions {
        lossy: true,
        ..strict()
    };
    let m = read_word2vec_binary(&file[..], lossy).unwrap();
    // "caf\xe8" decodes to the same "caf\u{FFFD}" as "caf\xe9": the first is kept, as gensim does.
    assert_eq!(m.words(), ["caf\u{FFFD}", "na\u{FFFD}ve"]);
    assert_eq!(m.vector("caf\u{FFFD}").unwrap(), &[1.0]);

    let t = b"2 1\ncaf\xe9 1.0\nna\xefve 2.0\n";
    let err = read_word2vec_text(&t[..], strict()).unwrap_err();
    assert!(matches!(err, Error::Format { line: 2, .. }), "{err}");
    let m = read_word2vec_text(&t[..], lossy).unwrap();
    assert_eq!(m.words(), ["caf\u{FFFD}", "na\u{FFFD}ve"]);
}

#[test]
fn duplicate_words_keep_the_first_vector() {
    let t = b"3 1\na 1\nb 2\na 3\n";
    let m = read_word2vec_text(&t[..], strict()).unwrap();
    assert_eq!(m.words(), ["a", "b"]);
    assert_eq!(m.vectors(), &[1.0, 2.0]);
}

/// Each malformed text input with the line its error must name.
#[test]
fn malformed_text_names_the_line() {
    let cases: [(&[u8], usize); 13] = [
        (b"", 1),
        (b"2 3", 1),
        (b"2\n", 1),
        (b"2 3 4\n", 1),
        (b"x 3\n", 1),
        (b"2 0\n", 1),
        (b"-2 3\n", 1),
        (b"1 2\na 1.0\n", 2),
        (b"1 2\na 1.0 2.0 3.0\n", 2),
        (b"1 2\na 1.0 abc\n", 2),
        (b"1 2\na 1.0 NaN\n", 2),
        (b"2 1\na 1.0\n 2.0\n", 3),
        (b"3 1\na 1.0\nb 2.0\n", 4),
    ];
    for (input, line) in cases {
        match read_word2vec_text(input, strict()) {
            Err(Error::Format { line: l, .. }) => {
                assert_eq!(l, line, "{:?}", String::from_utf8_lossy(input))
            }
            other => panic!("{:?}: {other:?}", String::from_utf8_lossy(input)),
        }
    }
    // A header longer than any real one is refused without reading on.
    let long = format!("1 {}\n", "1".repeat(300));
    assert!(matches!(
        read_word2vec_text(long.as_bytes(), strict()),
        Err(Error::Format { line: 1, .. })
    ));
}

#[test]
fn malformed_binary_names_the_record() {
    let one = 1.0f32.to_le_bytes();
    let mut ok = b"2 1\na ".to_vec();
    ok.extend_from_slice(&one);
    let mut empty_word = b"1 1\n ".to_vec();
    empty_word.extend_from_slice(&one);
    let mut nan = b"1 1\na ".to_vec();
    nan.extend_from_slice(&f32::NAN.to_le_bytes());
    let cases: [(Vec<u8>, usize); 6] = [
        (b"1 x\n".to_vec(), 0),
        (b"1 1\n".to_vec(), 1),
        (b"1 1\nabc".to_vec(), 1),
        (empty_word, 1),
        (nan, 1),
        (ok, 2),
    ];
    for (input, record) in cases {
        match read_word2vec_binary(&input[..], strict()) {
            Err(Error::Format { line, .. }) => assert_eq!(line, record, "{input:?}"),
            other => panic!("{input:?}: {other:?}"),
        }
    }
}

#[test]
fn unwritable_words_are_refused() {
    for w in ["", "two words", "new\nline"] {
        let m = Word2Vec::from_parts(vec![w.into()], vec![1], 1, vec![1.0]).unwrap();
        assert!(matches!(
            write_word2vec_text(&m, Vec::new()),
            Err(Error::InvalidParameter { .. })
        ));
        assert!(matches!(
            write_word2vec_binary(&m, Vec::new()),
            Err(Error::InvalidParameter { .. })
        ));
    }
}

#[test]
fn save_and_load_files_atomically() {
    let dir = std::env::temp_dir().join(format!("recurrent-w2v-io-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let m = model(7, 5, 3);
    let (tp, bp) = (dir.join("m.txt"), dir.join("m.bin"));
    std::fs::write(&tp, b"old").unwrap();
    m.save_text(&tp).unwrap();
    m.save_binary(&bp).unwrap();
    assert_eq!(std::fs::read(&tp).unwrap(), text(&m));
    assert_eq!(std::fs::read(&bp).unwrap(), binary(&m));
    let t = Word2Vec::load_text(&tp, strict()).unwrap();
    let b = Word2Vec::load_binary(&bp, strict()).unwrap();
    assert_eq!((t.words(), b.words()), (m.words(), m.words()));
    // A model the format cannot hold leaves the old file in place.
    let bad = Word2Vec::from_parts(vec!["a b".into()], vec![1], 1, vec![1.0]).unwrap();
    assert!(bad.save_text(&tp).is_err());
    assert_eq!(std::fs::read(&tp).unwrap(), text(&m));
    assert!(matches!(
        Word2Vec::load_text(dir.join("missing.txt"), strict()),
        Err(Error::Io { .. })
    ));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_truncation_is_an_error() {
    // Only dropping the very last byte (the final newline) leaves a complete file.
    let m = model(3, 3, 2);
    type Reader = fn(&[u8], ReadOptions) -> recurrent::Result<Word2Vec>;
    let cases: [(Vec<u8>, Reader, bool); 2] = [
        (text(&m), |b, o| read_word2vec_text(b, o), true),
        (binary(&m), |b, o| read_word2vec_binary(b, o), false),
    ];
    for (full, read, is_text) in cases {
        for cut in 0..full.len() - 1 {
            let r = read(&full[..cut], strict());
            assert!(
                matches!(r, Err(Error::Format { .. })),
                "cut at {cut}: {r:?}"
            );
        }
        let last = read(&full[..full.len() - 1], strict());
        if is_text {
            // A text line must end with its newline.
            assert!(last.is_err());
        } else {
            // The binary record's newline is optional (gensim omits it).
            assert_eq!(last.unwrap(), read(&full, strict()).unwrap());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200), lossy: bool) {
        let opts = ReadOptions { lossy, ..strict() };
        let _ = read_word2vec_text(&bytes[..], opts);
        let _ = read_word2vec_binary(&bytes[..], opts);
        let _ = read_word2vec(&bytes[..], opts);
    }

    #[test]
    fn arbitrary_bytes_after_a_header_never_panic(
        words in 0usize..1_000_000_000_000,
        dim in 0usize..1_000_000_000_000,
        body in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let mut file = format!("{words} {dim}\n").into_bytes();
        file.extend_from_slice(&body);
        let _ = read_word2vec_text(&file[..], strict());
        let _ = read_word2vec_binary(&file[..], strict());
        let _ = read_word2vec(&file[..], strict());
    }

    #[test]
    fn corrupting_one_byte_never_panics(seed: u64, pos in 0usize..1000, byte: u8) {
        let m = model(seed, 4, 3);
        for mut file in [text(&m), binary(&m)] {
            let p = pos % file.len();
            file[p] = byte;
            let _ = read_word2vec_text(&file[..], strict());
            let _ = read_word2vec_binary(&file[..], strict());
            let _ = read_word2vec(&file[..], strict());
        }
    }

    #[test]
    fn the_format_is_told_for_any_model(seed: u64, n in 1usize..6, dim in 1usize..9) {
        // Awkward values (zeros, 1e-30, 1e30) in both formats; the rule never mistakes one
        // for the other on these.
        let m = model(seed, n, dim);
        for file in [text(&m), binary(&m)] {
            let back = read_word2vec(&file[..], strict()).unwrap();
            prop_assert_eq!(back.words(), m.words());
            prop_assert_eq!(back.vectors(), m.vectors());
        }
    }
}

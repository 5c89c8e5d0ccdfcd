//! Hostile inputs for the word2vec files, writers and trainer, one table: each case says
//! whether it must load (`Ok`) or fail (`Err`, with words its message must hold), and the
//! test counts the outcomes and proves that none panics (printed with `--nocapture`).
//!
//! Sizes are chosen far beyond any machine's memory (terabytes or more), so an allocation
//! that is attempted fails at once instead of being granted and filled.

use rand::SeedableRng;
use recurrent::Error;
use recurrent::word2vec::{
    ReadOptions, Word2Vec, read_word2vec, read_word2vec_binary, read_word2vec_text,
    write_word2vec_binary, write_word2vec_text,
};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

const C_BIN: &[u8] = include_bytes!("data/c_tool.bin");
const C_TXT: &[u8] = include_bytes!("data/c_tool.txt");
const G_BIN: &[u8] = include_bytes!("data/gensim.bin");
const G_TXT: &[u8] = include_bytes!("data/gensim.txt");

type Run = Box<dyn Fn() -> recurrent::Result<()>>;

/// One hostile input: what it is, what it must give, and how to try it.
struct Case {
    name: String,
    /// `None`: must succeed. `Some(words)`: must fail with a message holding every word.
    expect: Option<Vec<&'static str>>,
    run: Run,
}

fn ok(name: impl Into<String>, run: Run) -> Case {
    Case {
        name: name.into(),
        expect: None,
        run,
    }
}

fn err(name: impl Into<String>, words: &[&'static str], run: Run) -> Case {
    Case {
        name: name.into(),
        expect: Some(words.to_vec()),
        run,
    }
}

type Reader = fn(&[u8], ReadOptions) -> recurrent::Result<Word2Vec>;

const READERS: [(&str, Reader); 3] = [
    ("text", |b, o| read_word2vec_text(b, o)),
    ("binary", |b, o| read_word2vec_binary(b, o)),
    ("auto", |b, o| read_word2vec(b, o)),
];

type Loader = fn(&Path, ReadOptions) -> recurrent::Result<Word2Vec>;

const LOADERS: [(&str, Loader); 3] = [
    ("load_text", |p, o| Word2Vec::load_text(p, o)),
    ("load_binary", |p, o| Word2Vec::load_binary(p, o)),
    ("load", |p, o| Word2Vec::load(p, o)),
];

/// A read of `bytes` by `reader`, as a case's body.
fn read(reader: Reader, bytes: Vec<u8>, opts: ReadOptions) -> Run {
    Box::new(move || reader(&bytes, opts).map(drop))
}

/// A file holding `bytes`, loaded by `loader`, as a case's body.
fn load(dir: &Path, name: &str, loader: Loader, bytes: Vec<u8>) -> Run {
    let path: PathBuf = dir.join(name);
    Box::new(move || {
        std::fs::write(&path, &bytes).map_err(|e| Error::Io {
            context: "writing the case".into(),
            source: e,
        })?;
        loader(&path, ReadOptions::default()).map(drop)
    })
}

fn binary_record(word: &[u8], values: &[f32]) -> Vec<u8> {
    let mut r = word.to_vec();
    r.push(b' ');
    for x in values {
        r.extend_from_slice(&x.to_le_bytes());
    }
    r.push(b'\n');
    r
}

fn cases(dir: &Path) -> Vec<Case> {
    let mut c = Vec::new();
    let strict = ReadOptions::default();

    // 1. Headers that claim what the bytes do not hold: every reader, and every loader
    //    (which checks the file's length before reading a row).
    for claim in [
        "1000000000000 1\n",
        "1000000000000 100\n",
        "1000000000000 1000000000000\n",
        "1 4611686018427387904\n",
        "18446744073709551615 18446744073709551615\n",
    ] {
        for tail in [&b""[..], b"w ", b"w 0.5\n", b"w \x00\x00\x00\x3f\n"] {
            let mut f = claim.as_bytes().to_vec();
            f.extend_from_slice(tail);
            for (r, reader) in READERS {
                let name = format!(
                    "{r}: {} + {:?}",
                    claim.trim_end(),
                    String::from_utf8_lossy(tail)
                );
                c.push(err(name, &[], read(reader, f.clone(), strict)));
            }
            for (l, loader) in LOADERS {
                let name = format!(
                    "{l}: {} + {:?}",
                    claim.trim_end(),
                    String::from_utf8_lossy(tail)
                );
                let run = load(dir, &format!("claim{}.w2v", c.len()), loader, f.clone());
                c.push(err(name, &["header announces"], run));
            }
        }
    }
    // Numbers no usize holds, and junk headers.
    for h in [
        &b"99999999999999999999999 1\n"[..],
        b"1 99999999999999999999999\n",
        b"-1 5\n",
        b"1 0\n",
        b"",
        b"\n",
        b"1 2 3\n",
    ] {
        for (r, reader) in READERS {
            c.push(err(
                format!("{r}: header {:?}", String::from_utf8_lossy(h)),
                &["malformed"],
                read(reader, h.to_vec(), strict),
            ));
        }
    }

    // 2. Long words: a 1 MB "word" is refused by every reader, naming the record; a word
    //    of exactly the limit is read, one byte more is not, and the limit can be raised.
    let mb = vec![b'x'; 1 << 20];
    let long_text = [b"1 1\n".as_slice(), &mb, b" 0.5\n"].concat();
    let long_bin = [b"1 1\n".as_slice(), &binary_record(&mb, &[0.5])].concat();
    let no_space = [b"1 1\n".as_slice(), &mb].concat();
    for (r, reader) in READERS {
        for (what, f) in [
            ("1 MB word, text", &long_text),
            ("1 MB word, binary", &long_bin),
            ("1 MB without a space", &no_space),
        ] {
            let words: &[&str] = &["word is", "max_word_len"];
            c.push(err(
                format!("{r}: {what}"),
                words,
                read(reader, f.clone(), strict),
            ));
        }
    }
    let raised = ReadOptions {
        max_word_len: 2 << 20,
        ..strict
    };
    c.push(ok(
        "text: 1 MB word, limit raised",
        read(READERS[0].1, long_text.clone(), raised),
    ));
    c.push(ok(
        "binary: 1 MB word, limit raised",
        read(READERS[1].1, long_bin.clone(), raised),
    ));
    let at_limit = vec![b'y'; ReadOptions::DEFAULT_MAX_WORD_LEN];
    let over = vec![b'y'; ReadOptions::DEFAULT_MAX_WORD_LEN + 1];
    for (w, good) in [(at_limit, true), (over, false)] {
        let text = [b"1 1\n".as_slice(), &w, b" 0.5\n"].concat();
        let bin = [b"1 1\n".as_slice(), &binary_record(&w, &[0.5])].concat();
        for (r, reader) in READERS {
            for f in [&text, &bin] {
                if r == "text" && f == &bin || r == "binary" && f == &text {
                    continue;
                }
                let name = format!("{r}: {}-byte word", w.len());
                let run = read(reader, f.clone(), strict);
                c.push(if good {
                    ok(name, run)
                } else {
                    err(name, &["the limit of 1024 bytes"], run)
                });
            }
        }
    }
    c.push(err(
        "text: max_word_len 0",
        &["max_word_len"],
        read(
            READERS[0].1,
            b"1 1\na 1\n".to_vec(),
            ReadOptions {
                max_word_len: 0,
                ..strict
            },
        ),
    ));
    // A text line of 10 MB that never ends (dimension 1 bounds it at 1,155 bytes).
    let mut endless = b"1 1\nw 0.5".to_vec();
    endless.extend(std::iter::repeat_n(b'0', 10 << 20));
    c.push(err(
        "text: 10 MB line without a newline",
        &["line longer than"],
        read(READERS[0].1, endless, strict),
    ));

    // 3. Text files handed to the binary reader: recognised, not read as floats of 1e-19.
    let texts: [(&str, Vec<u8>); 7] = [
        ("C tool text", C_TXT.to_vec()),
        ("gensim text", G_TXT.to_vec()),
        ("one line, d = 3", b"1 3\nw 0.1 0.2 0.3\n".to_vec()),
        ("one line, d = 1", b"1 1\nw 0.5\n".to_vec()),
        ("one digit, d = 1", b"1 1\nw 5\n".to_vec()),
        ("CRLF", b"2 2\na 1.5 -2\r\nb 3 4\r\n".to_vec()),
        ("truncated", b"3 100\nw 0.25 0.5 0.75".to_vec()),
    ];
    for (what, f) in &texts {
        c.push(err(
            format!("binary reader: {what}"),
            &["text file", "read_word2vec_text"],
            read(READERS[1].1, f.clone(), strict),
        ));
    }
    for (what, f) in texts.iter().take(6) {
        c.push(ok(
            format!("auto: {what}"),
            read(READERS[2].1, f.clone(), strict),
        ));
    }
    // The documented miss: one short value per line, more than one line, is taken for binary.
    c.push(err(
        "auto: two one-digit lines, d = 1 (documented miss)",
        &["word2vec binary"],
        read(READERS[2].1, b"2 1\nw 5\nx 6\n".to_vec(), strict),
    ));
    // Binary files handed to the text reader; the auto reader reads them.
    for (what, f) in [("C tool binary", C_BIN), ("gensim binary", G_BIN)] {
        c.push(err(
            format!("text reader: {what}"),
            &["line 2"],
            read(READERS[0].1, f.to_vec(), strict),
        ));
        c.push(ok(
            format!("auto: {what}"),
            read(READERS[2].1, f.to_vec(), strict),
        ));
    }

    // 4. Degenerate but valid: no vectors at all.
    for (r, reader) in READERS {
        c.push(ok(
            format!("{r}: header announcing 0 words"),
            read(reader, b"0 5\n".to_vec(), strict),
        ));
    }

    // 5. Paths that are not files.
    let missing = dir.join("missing.w2v");
    c.push(err(
        "load: missing file",
        &["opening"],
        Box::new(move || Word2Vec::load(&missing, strict).map(drop)),
    ));
    let d = dir.to_path_buf();
    c.push(err(
        "load: a directory",
        &[],
        Box::new(move || Word2Vec::load(&d, strict).map(drop)),
    ));
    #[cfg(unix)]
    c.push(err(
        "load: /dev/null",
        &["incomplete"],
        Box::new(|| Word2Vec::load("/dev/null", ReadOptions::default()).map(drop)),
    ));

    // 6. Writers: a model with no words may claim any dimension; nothing is sized by it.
    for (name, write) in [
        (
            "write_word2vec_binary",
            write_word2vec_binary as fn(&Word2Vec, Vec<u8>) -> recurrent::Result<()>,
        ),
        ("write_word2vec_text", write_word2vec_text),
    ] {
        c.push(ok(
            format!("{name}: no words, dimension 2^60"),
            Box::new(move || {
                write(
                    &Word2Vec::from_parts(vec![], vec![], 1 << 60, vec![])?,
                    vec![],
                )
            }),
        ));
    }

    // 7. Sizes from the caller: a vocabulary × dimension no memory holds.
    for dim in [1usize << 40, usize::MAX / 2] {
        c.push(err(
            format!("train: 5 words × dimension {dim}"),
            &["dim"],
            Box::new(move || {
                let corpus = ["the cat sat on the mat"; 5];
                let trainer = Word2Vec::builder()
                    .dim(dim)
                    .min_count(1)
                    .epochs(1)
                    .build()?;
                let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
                trainer.fit(|| corpus.iter(), &mut rng, |_| {}).map(drop)
            }),
        ));
    }
    c
}

#[test]
fn hostile_inputs_give_errors_not_panics() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("word2vec_hostile");
    std::fs::create_dir_all(&dir).unwrap();
    let cases = cases(&dir);
    let (mut n_ok, mut n_err, mut n_panic) = (0, 0, 0);
    let mut wrong = Vec::new();
    for case in &cases {
        match catch_unwind(AssertUnwindSafe(|| (case.run)())) {
            Err(_) => {
                n_panic += 1;
                wrong.push(format!("{}: panicked", case.name));
            }
            Ok(Ok(())) => {
                n_ok += 1;
                if case.expect.is_some() {
                    wrong.push(format!("{}: Ok, expected an error", case.name));
                }
            }
            Ok(Err(e)) => {
                n_err += 1;
                let msg = e.to_string();
                match &case.expect {
                    None => wrong.push(format!("{}: {msg}", case.name)),
                    Some(words) => {
                        for w in words {
                            if !msg.contains(w) {
                                wrong.push(format!("{}: {msg:?} lacks {w:?}", case.name));
                            }
                        }
                    }
                }
            }
        }
    }
    eprintln!(
        "{} hostile inputs: {n_err} Err, {n_ok} Ok, {n_panic} panic",
        cases.len()
    );
    std::fs::remove_dir_all(&dir).ok();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn errors_name_the_record() {
    let strict = ReadOptions::default();
    // The long word is on line 3 (text) or in record 2 (binary).
    let word = "z".repeat(5000);
    let text = format!("2 1\na 1.0\n{word} 2.0\n");
    match read_word2vec_text(text.as_bytes(), strict) {
        Err(Error::Format { line: 3, .. }) => {}
        other => panic!("{other:?}"),
    }
    let bin = [
        b"2 1\n".as_slice(),
        &binary_record(b"a", &[1.0]),
        &binary_record(word.as_bytes(), &[2.0]),
    ]
    .concat();
    match read_word2vec_binary(&bin[..], strict) {
        Err(Error::Format { line: 2, .. }) => {}
        other => panic!("{other:?}"),
    }
    // A header the file cannot hold is refused at the header (text line 1, binary record 0).
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("word2vec_hostile_records");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("short.w2v");
    std::fs::write(&path, b"3 2\na 1 2\n").unwrap();
    assert!(matches!(
        Word2Vec::load_text(&path, strict),
        Err(Error::Format { line: 1, .. })
    ));
    assert!(matches!(
        Word2Vec::load_binary(&path, strict),
        Err(Error::Format { line: 0, .. })
    ));
    // With `limit`, only the records asked for must be there.
    let opts = ReadOptions {
        limit: Some(1),
        ..strict
    };
    assert_eq!(Word2Vec::load_text(&path, opts).unwrap().vocab_len(), 1);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn auto_detection_reads_what_the_right_reader_reads() {
    let strict = ReadOptions::default();
    for (bytes, right) in [
        (C_BIN, (|b, o| read_word2vec_binary(b, o)) as Reader),
        (G_BIN, |b, o| read_word2vec_binary(b, o)),
        (C_TXT, |b, o| read_word2vec_text(b, o)),
        (G_TXT, |b, o| read_word2vec_text(b, o)),
    ] {
        let want = right(bytes, strict).unwrap();
        assert_eq!(read_word2vec(bytes, strict).unwrap(), want);
        // Through tiny buffers too: the bytes looked at are read again.
        for cap in [1, 2, 7] {
            let r = std::io::BufReader::with_capacity(cap, bytes);
            assert_eq!(read_word2vec(r, strict).unwrap(), want, "capacity {cap}");
        }
    }
    // Values near 1e-5 (whose high byte is an ASCII digit) are still binary.
    let m = Word2Vec::from_parts(
        vec!["tiny".into(), "b".into()],
        vec![1, 1],
        2,
        vec![1.2e-5, 0.5, -3.0, 2.0e-5],
    )
    .unwrap();
    let mut b = Vec::new();
    write_word2vec_binary(&m, &mut b).unwrap();
    let back = read_word2vec(&b[..], strict).unwrap();
    assert_eq!((back.words(), back.vectors()), (m.words(), m.vectors()));
}

#[test]
fn each_reader_names_the_other_format() {
    let strict = ReadOptions::default();
    for bin in [C_BIN, G_BIN] {
        let e = read_word2vec_text(bin, strict).unwrap_err().to_string();
        assert!(e.contains("looks like a word2vec binary file"), "{e}");
    }
    for text in [C_TXT, G_TXT] {
        let e = read_word2vec_binary(text, strict).unwrap_err().to_string();
        assert!(e.contains("this is a word2vec text file"), "{e}");
    }
}

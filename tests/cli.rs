//! The `word2vec` and `word2vec_eval` programs, run as a user runs them: every failure
//! exits non-zero before any work with a message naming the flag and the file; good runs
//! write models the library reads back; `--help` is a manual.
//!
//! Each case is one run of a program on a tiny corpus in a temporary folder (milliseconds).
#![cfg(feature = "cli")]

use recurrent::word2vec::{ReadOptions, Word2Vec};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const WORD2VEC: &str = env!("CARGO_BIN_EXE_word2vec");
const EVAL: &str = env!("CARGO_BIN_EXE_word2vec_eval");
const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

/// A temporary folder for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("recurrent-cli-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// A corpus of 60 short sentences, 340 words over 9 distinct ones ("the" 80 times,
    /// five words 40 times, three 20 times).
    fn corpus(&self) -> PathBuf {
        let path = self.path("corpus.txt");
        let lines = [
            "the cat sat on the mat",
            "the dog sat on the log",
            "a cat and a dog",
        ];
        let text: String = (0..60).map(|i| format!("{}\n", lines[i % 3])).collect();
        fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// The result of one run.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn of(out: Output) -> Self {
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Asserts exit status `code` and that standard error holds every one of `words`, and
    /// no panic.
    #[track_caller]
    fn fails(&self, code: i32, words: &[&str]) -> &Self {
        assert_eq!(
            self.code,
            Some(code),
            "stdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        for w in words {
            assert!(
                self.stderr.contains(w),
                "{w:?} missing from stderr:\n{}",
                self.stderr
            );
        }
        self.no_rust_internals();
        self
    }

    #[track_caller]
    fn succeeds(&self) -> &Self {
        assert_eq!(
            self.code,
            Some(0),
            "stdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self.no_rust_internals();
        self
    }

    /// No panic, no `Debug` rendering of an error or an `Option`.
    #[track_caller]
    fn no_rust_internals(&self) {
        for text in [&self.stdout, &self.stderr] {
            for bad in [
                "panicked", "Os {", "kind:", "Some(", "None", "Error {", "{:?}",
            ] {
                assert!(!text.contains(bad), "{bad:?} in output:\n{text}");
            }
        }
    }

    /// Nothing was started: the C tool's first training line is absent.
    #[track_caller]
    fn before_training(&self) -> &Self {
        assert!(
            !self.stdout.contains("Starting training"),
            "{}",
            self.stdout
        );
        assert!(!self.stdout.contains("Vocab size"), "{}", self.stdout);
        self
    }
}

fn word2vec(dir: &Scratch, args: &[&str]) -> Run {
    Run::of(
        Command::new(WORD2VEC)
            .args(args)
            .current_dir(&dir.0)
            .output()
            .unwrap(),
    )
}

fn eval(args: &[&str]) -> Run {
    Run::of(Command::new(EVAL).args(args).output().unwrap())
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Fast training flags for the tiny corpus.
const FAST: &[&str] = &[
    "-size",
    "8",
    "-iter",
    "1",
    "-threads",
    "1",
    "-min-count",
    "1",
];

fn with(args: &[&str], more: &[&str]) -> Vec<String> {
    args.iter().chain(more).map(|a| a.to_string()).collect()
}

fn word2vec_v(dir: &Scratch, args: Vec<String>) -> Run {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    word2vec(dir, &refs)
}

const SECTIONS: [&str; 6] = [
    "NAME",
    "SYNOPSIS",
    "DESCRIPTION",
    "OPTIONS",
    "EXIT STATUS",
    "EXAMPLES",
];

// ---------------------------------------------------------------------------- word2vec

#[test]
fn word2vec_help_is_a_manual_with_every_flag_and_default() {
    let dir = Scratch::new("help");
    for flag in ["-help", "-h", "--help"] {
        let r = word2vec(&dir, &[flag]);
        r.succeeds();
        let mut at = 0;
        for section in SECTIONS {
            let i = r.stdout[at..]
                .find(&format!("\n{section}\n"))
                .or_else(|| (at == 0 && r.stdout.starts_with(section)).then_some(0))
                .unwrap_or_else(|| panic!("{section} missing or out of order:\n{}", r.stdout));
            at += i + 1;
        }
        for f in [
            "-train",
            "-output",
            "-size",
            "-window",
            "-sample",
            "-hs",
            "-negative",
            "-threads",
            "-iter",
            "-min-count",
            "-alpha",
            "-debug",
            "-binary",
            "-save-vocab",
            "-read-vocab",
            "-cbow",
            "-seed",
        ] {
            assert!(
                r.stdout.contains(&format!("    {f} ")),
                "{f} not documented"
            );
        }
        for default in [
            "Default 100.",
            "Default 5.",
            "Default 1e-3.",
            "Default 12.",
            "Default 2.",
            "Default 0.05",
        ] {
            assert!(r.stdout.contains(default), "{default} missing");
        }
    }
    let v = word2vec(&dir, &["-version"]);
    v.succeeds();
    assert!(v.stdout.starts_with("word2vec (recurrent "), "{}", v.stdout);
}

#[test]
fn word2vec_without_arguments_is_a_usage_error() {
    let dir = Scratch::new("noargs");
    word2vec(&dir, &[]).fails(
        2,
        &["-train FILE is required", "usage: word2vec -train FILE"],
    );
}

#[test]
fn word2vec_command_line_errors_name_the_flag_and_show_the_usage() {
    let dir = Scratch::new("usage");
    let c = dir.corpus();
    let c = s(&c);
    let cases: &[(&[&str], &[&str])] = &[
        (&["-train", c, "-bogus", "1"], &["unknown flag -bogus"]),
        (
            &["-train", c, "--min-count", "1"],
            &["--min-count", "did you mean -min-count?"],
        ),
        (&["-train", c, "-size"], &["-size needs a value"]),
        (
            &["-train", "-output", "v.txt"],
            &["-train needs a value", "-output"],
        ),
        (
            &["-train", c, "-size", "1x"],
            &["-size '1x'", "whole number"],
        ),
        (&["-train", c, "-sample", "often"], &["-sample 'often'"]),
        (&["-train", c, "-cbow", "yes"], &["-cbow 'yes'"]),
        (&["-train", c, "-size", "0"], &["-size 0", "at least 1"]),
        (&["-train", c, "-window", "0"], &["-window 0"]),
        (&["-train", c, "-threads", "0"], &["-threads 0"]),
        (&["-train", c, "-iter", "0"], &["-iter 0"]),
        (&["-train", c, "-alpha", "-1"], &["-alpha -1"]),
        (
            &["-train", c, "-negative", "0"],
            &["-negative 0 with -hs 0"],
        ),
        (
            &["-train", c, "-size", "10", "-size", "20"],
            &["-size is given twice"],
        ),
        (
            &["-train", c, "-classes", "some"],
            &["-classes 'some'", "whole number"],
        ),
        (
            &["-train", c, "-continue", "v.txt", "-read-vocab", "v.txt"],
            &["-continue and -read-vocab"],
        ),
        (&["-output", "v.txt"], &["-train FILE is required"]),
        (&["corpus.txt"], &["unexpected argument 'corpus.txt'"]),
    ];
    for (args, words) in cases {
        let r = word2vec(&dir, args);
        r.fails(2, words).before_training();
        assert!(
            r.stderr.contains("usage: word2vec"),
            "{args:?}: {}",
            r.stderr
        );
    }
}

#[test]
fn word2vec_rejects_a_missing_or_unreadable_train_file_first() {
    let dir = Scratch::new("train");
    // Even with every other file wrong, -train is reported.
    word2vec(
        &dir,
        &[
            "-train",
            "nope.txt",
            "-output",
            "nodir/v.bin",
            "-read-vocab",
            "nope",
        ],
    )
    .fails(1, &["-train nope.txt", "no such file"])
    .before_training();
    word2vec(&dir, &["-train", s(&dir.0), "-output", "v.bin"])
        .fails(1, &["-train", "is a folder"])
        .before_training();
    #[cfg(unix)]
    word2vec(&dir, &["-train", "/dev/null", "-output", "v.bin"])
        .fails(1, &["-train /dev/null", "not a regular file"])
        .before_training();
    assert!(!dir.path("v.bin").exists());
}

#[test]
fn word2vec_rejects_bad_output_files_before_training() {
    let dir = Scratch::new("outputs");
    let c = dir.corpus();
    let c = s(&c);
    fs::create_dir(dir.path("folder")).unwrap();
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["-output", "nodir/v.bin"],
            &["-output nodir/v.bin", "folder nodir does not exist"],
        ),
        (&["-output", "folder"], &["-output folder", "is a folder"]),
        (
            &["-output", "folder/"],
            &["-output folder/", "names a folder"],
        ),
        (
            &["-output", "corpus.txt/v.bin"],
            &["-output corpus.txt/v.bin", "not a folder"],
        ),
        (
            &["-save-vocab", "nodir/vocab.txt"],
            &["-save-vocab nodir/vocab.txt", "does not exist"],
        ),
        (
            &["-save-vocab", "folder"],
            &["-save-vocab folder", "is a folder"],
        ),
        (
            &["-output", "v.bin", "-save-vocab", "nodir/vocab.txt"],
            &["-save-vocab nodir/vocab.txt"],
        ),
    ];
    for (more, words) in cases {
        let r = word2vec_v(
            &dir,
            with(&["-train", c, "-iter", "1000", "-min-count", "1"], more),
        );
        r.fails(1, words).before_training();
        assert!(!dir.path("v.bin").exists(), "{more:?}");
    }
    // -output over the corpus, or over -save-vocab, would lose a file.
    let before = fs::read(c).unwrap();
    word2vec(&dir, &["-train", c, "-output", c]).fails(2, &["is the -train file"]);
    word2vec(&dir, &["-train", c, "-save-vocab", "corpus.txt"]).fails(2, &["is the -train file"]);
    word2vec(
        &dir,
        &["-train", c, "-output", "x.txt", "-save-vocab", "x.txt"],
    )
    .fails(2, &["-output and -save-vocab are the same file"]);
    assert_eq!(fs::read(c).unwrap(), before);
}

#[test]
fn word2vec_read_vocab_errors_name_the_flag_and_line() {
    let dir = Scratch::new("readvocab");
    let c = dir.corpus();
    let c = s(&c);
    word2vec(
        &dir,
        &["-train", c, "-read-vocab", "nope.txt", "-output", "v.txt"],
    )
    .fails(1, &["-read-vocab nope.txt", "no such file"])
    .before_training();
    fs::write(dir.path("bad.txt"), "the 10\ncat\n").unwrap();
    word2vec(
        &dir,
        &["-train", c, "-read-vocab", "bad.txt", "-output", "v.txt"],
    )
    .fails(1, &["-read-vocab bad.txt", "line 2", "word count"])
    .before_training();
    fs::write(dir.path("empty.txt"), "\n").unwrap();
    word2vec(&dir, &["-train", c, "-read-vocab", "empty.txt"])
        .fails(1, &["-read-vocab empty.txt", "holds no words"]);
    fs::write(dir.path("few.txt"), "the 3\ncat 2\n").unwrap();
    word2vec(
        &dir,
        &["-train", c, "-read-vocab", "few.txt", "-min-count", "4"],
    )
    .fails(
        1,
        &[
            "-read-vocab few.txt",
            "-min-count 4",
            "largest is 3",
            "lower -min-count",
        ],
    );
    assert!(!dir.path("v.txt").exists());
}

#[test]
fn word2vec_empty_vocabulary_says_which_flag_to_lower() {
    let dir = Scratch::new("mincount");
    let c = dir.corpus();
    word2vec(
        &dir,
        &["-train", s(&c), "-output", "v.txt", "-min-count", "1000"],
    )
    .fails(
        1,
        &[
            "-train",
            "-min-count 1000",
            "'the', occurs 80 times",
            "lower -min-count",
        ],
    );
    fs::write(dir.path("blank.txt"), "\n \n").unwrap();
    word2vec(&dir, &["-train", "blank.txt", "-output", "v.txt"]).fails(1, &["holds no words"]);
    assert!(!dir.path("v.txt").exists());
}

#[test]
fn word2vec_trains_and_writes_readable_models() {
    let dir = Scratch::new("good");
    let c = dir.corpus();
    let r = word2vec_v(
        &dir,
        with(
            &[
                "-train",
                s(&c),
                "-output",
                "v.txt",
                "-save-vocab",
                "vocab.txt",
            ],
            FAST,
        ),
    );
    r.succeeds();
    for line in [
        "Starting training using file",
        "Vocab size: 9",
        "Words in train file: 340",
    ] {
        assert!(r.stdout.contains(line), "{line}: {}", r.stdout);
    }
    assert!(r.stdout.contains("Progress: 100.00%"), "{}", r.stdout);
    let m = Word2Vec::load_text(dir.path("v.txt"), ReadOptions::default()).unwrap();
    assert_eq!(
        (m.vocab_len(), m.dim(), m.words()[0].as_str()),
        (9, 8, "the")
    );
    let vocab = fs::read_to_string(dir.path("vocab.txt")).unwrap();
    assert!(vocab.starts_with("the 80\ncat 40\n"), "{vocab}");
    assert_eq!(vocab.lines().count(), 9);

    // Binary, skip-gram with hierarchical softmax, quiet.
    let train = [
        "-train",
        s(&c),
        "-output",
        "v.bin",
        "-binary",
        "1",
        "-cbow",
        "0",
    ];
    let mut args = with(&train, FAST);
    args.extend(["-hs", "1", "-negative", "0", "-debug", "0"].map(String::from));
    let r = word2vec_v(&dir, args);
    r.succeeds();
    assert_eq!(r.stdout, "");
    let b = Word2Vec::load_binary(dir.path("v.bin"), ReadOptions::default()).unwrap();
    assert_eq!((b.vocab_len(), b.dim()), (9, 8));
    assert!(b.similarity("cat", "dog").unwrap().is_finite());

    // The same seed and one thread: the same vectors.
    word2vec_v(
        &dir,
        with(
            &["-train", s(&c), "-output", "again.txt", "-debug", "0"],
            FAST,
        ),
    )
    .succeeds();
    assert_eq!(
        fs::read(dir.path("v.txt")).unwrap(),
        fs::read(dir.path("again.txt")).unwrap()
    );

    // Without -output: the vocabulary only.
    let r = word2vec(
        &dir,
        &[
            "-train",
            s(&c),
            "-save-vocab",
            "only.txt",
            "-min-count",
            "1",
        ],
    );
    r.succeeds();
    assert!(r.stdout.contains("nothing is trained"), "{}", r.stdout);
    assert_eq!(fs::read_to_string(dir.path("only.txt")).unwrap(), vocab);
}

#[test]
fn word2vec_read_vocab_honours_min_count_as_the_c_tool() {
    let dir = Scratch::new("rvmin");
    let c = dir.corpus();
    // A C-tool vocabulary, out of order, with its </s> line and a word not in the corpus.
    fs::write(
        dir.path("vocab.txt"),
        "</s> 40\ncat 27\nthe 120\nmat 14\nzebra 50\nand 13\n",
    )
    .unwrap();
    let r = word2vec_v(
        &dir,
        with(
            &[
                "-train",
                s(&c),
                "-read-vocab",
                "vocab.txt",
                "-output",
                "v.txt",
            ],
            &[
                "-min-count",
                "14",
                "-save-vocab",
                "kept.txt",
                "-size",
                "4",
                "-threads",
                "1",
            ],
        ),
    );
    r.succeeds();
    assert!(r.stdout.contains("Vocab size: 4"), "{}", r.stdout);
    // Counted fewer than -min-count times: dropped; the rest sorted by count; no </s>.
    assert_eq!(
        fs::read_to_string(dir.path("kept.txt")).unwrap(),
        "the 120\nzebra 50\ncat 27\nmat 14\n"
    );
    let m = Word2Vec::load_text(dir.path("v.txt"), ReadOptions::default()).unwrap();
    assert_eq!(m.words(), ["the", "zebra", "cat", "mat"]);
}

#[test]
fn word2vec_reports_a_size_too_large_for_memory_without_aborting() {
    let dir = Scratch::new("huge");
    let c = dir.corpus();
    let huge = "1000000000000000000"; // 9 words × 10¹⁸ floats: more than any memory
    let r = word2vec(
        &dir,
        &[
            "-train",
            s(&c),
            "-output",
            "v.txt",
            "-min-count",
            "1",
            "-size",
            huge,
        ],
    );
    r.fails(
        1,
        &[
            "-size 1000000000000000000",
            "does not fit in memory",
            "lower -size",
        ],
    );
    assert!(!dir.path("v.txt").exists());
}

#[test]
fn word2vec_writes_to_a_device_in_place() {
    #[cfg(unix)]
    {
        let dir = Scratch::new("devnull");
        let c = dir.corpus();
        word2vec_v(
            &dir,
            with(
                &["-train", s(&c), "-output", "/dev/null", "-binary", "1"],
                FAST,
            ),
        )
        .succeeds();
    }
}

#[test]
fn word2vec_keeps_training_when_its_output_pipe_closes() {
    let dir = Scratch::new("pipe");
    let c = dir.corpus();
    let mut child = Command::new(WORD2VEC)
        .args([
            "-train",
            s(&c),
            "-output",
            "v.txt",
            "-iter",
            "20",
            "-threads",
            "1",
        ])
        .args(["-size", "8", "-min-count", "1"])
        .current_dir(&dir.0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away, as `| head -0` does
    let r = Run::of(child.wait_with_output().unwrap());
    r.succeeds();
    let m = Word2Vec::load_text(dir.path("v.txt"), ReadOptions::default()).unwrap();
    assert_eq!(m.vocab_len(), 9);
}

#[test]
fn word2vec_names_a_file_that_is_not_utf8() {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let dir = Scratch::new("nonutf8");
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
        let r = Run::of(
            Command::new(WORD2VEC)
                .arg("-train")
                .arg(name)
                .current_dir(&dir.0)
                .output()
                .unwrap(),
        );
        r.fails(1, &["-train caf", "no such file"]);
    }
}

// ------------------------------------------------------------------------ word2vec_eval

fn data(name: &str) -> String {
    format!("{DATA}/{name}")
}

#[test]
fn eval_help_is_a_manual() {
    let r = eval(&["--help"]);
    r.succeeds();
    let mut at = 0;
    for section in [
        "NAME",
        "SYNOPSIS",
        "DESCRIPTION",
        "ARGUMENTS",
        "OPTIONS",
        "EXIT STATUS",
        "EXAMPLES",
    ] {
        let i = r.stdout[at..]
            .find(section)
            .unwrap_or_else(|| panic!("{section} missing or out of order:\n{}", r.stdout));
        at += i;
    }
    for text in [
        "--questions <FILE>",
        "--restrict <N>",
        "[default: 300000]",
        "King James",
        "text8",
    ] {
        assert!(r.stdout.contains(text), "{text} missing");
    }
    let short = eval(&["-h"]);
    short.succeeds();
    assert!(short.stdout.contains("SYNOPSIS") && !short.stdout.contains("EXIT STATUS"));
    assert!(short.stdout.contains("--help' for the manual"));
}

#[test]
fn eval_command_line_errors_show_the_usage() {
    let model = data("eval_model.txt");
    let cases: &[(&[&str], &[&str])] = &[
        (&[], &["<VECTORS>"]),
        (&[&model, "--bogus"], &["'--bogus'"]),
        (&[&model, "--restric", "5"], &["'--restric'", "--restrict"]),
        (&[&model, "--questions"], &["--questions <FILE>"]),
        (&[&model, "--restrict", "abc"], &["--restrict", "'abc'"]),
        (&[&model, "--restrict", "0"], &["--restrict", "at least 1"]),
        (&[&model, "--limit", "0"], &["--limit"]),
        (&[&model, "--binary", "--text"], &["--binary", "--text"]),
    ];
    for (args, words) in cases {
        let r = eval(args);
        r.fails(2, words);
        assert!(
            r.stderr.contains("Usage: word2vec_eval"),
            "{args:?}: {}",
            r.stderr
        );
    }
}

#[test]
fn eval_checks_the_question_and_pair_files_before_loading_the_model() {
    // The model does not exist either: the small files are reported first.
    eval(&["nope.bin", "--questions", "nope.txt"])
        .fails(1, &["--questions nope.txt", "no such file"]);
    eval(&["nope.bin", "--pairs", "nope.tsv"]).fails(1, &["--pairs nope.tsv", "no such file"]);
    eval(&["nope.bin", "--questions", DATA]).fails(1, &["--questions", "is a folder"]);
    let dir = Scratch::new("evalfiles");
    fs::write(dir.path("q.txt"), "man woman king queen\n").unwrap();
    eval(&["nope.bin", "--questions", s(&dir.path("q.txt"))])
        .fails(1, &["--questions", "q.txt", "line 1"]);
    fs::write(dir.path("none.txt"), ": empty\nonly three words\n").unwrap();
    eval(&["nope.bin", "--questions", s(&dir.path("none.txt"))])
        .fails(1, &["--questions", "holds no analogy questions"]);
    fs::write(dir.path("p.tsv"), "# nothing\n").unwrap();
    eval(&["nope.bin", "--pairs", s(&dir.path("p.tsv"))])
        .fails(1, &["--pairs", "holds no word pairs"]);
}

#[test]
fn eval_names_a_missing_or_malformed_vectors_file() {
    eval(&["nope.bin"]).fails(1, &["VECTORS nope.bin", "no such file"]);
    eval(&[DATA]).fails(1, &["VECTORS", "is a folder"]);
    eval(&[&data("c_tool.bin"), "--text"]).fails(1, &["VECTORS", "c_tool.bin", "malformed"]);
    // Taken for text by its name: the message suggests --binary.
    let dir = Scratch::new("evalbin");
    fs::copy(data("c_tool.bin"), dir.path("vectors.w2v")).unwrap();
    eval(&[s(&dir.path("vectors.w2v"))]).fails(1, &["vectors.w2v", "add --binary"]);
    eval(&[s(&dir.path("vectors.w2v")), "--binary"]).succeeds();
}

/// `text` with every run of white space made one space (wrapped lines joined).
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The rows of the analogy table, from its header to its `total` line.
fn table(stdout: &str) -> Vec<&str> {
    let start = stdout
        .lines()
        .position(|l| l.trim_start().starts_with("section"))
        .unwrap();
    let end = stdout
        .lines()
        .position(|l| l.trim_start().starts_with("total "))
        .unwrap();
    stdout.lines().skip(start).take(end - start + 1).collect()
}

#[test]
fn eval_prints_aligned_tables_with_na_for_empty_sections() {
    let r = eval(&[
        &data("eval_model.txt"),
        "--questions",
        &data("analogy_tiny.txt"),
        "--pairs",
        &data("pairs_tiny.tsv"),
    ]);
    r.succeeds();
    let rows = table(&r.stdout);
    assert_eq!(rows.len(), 5, "{}", r.stdout);
    let width = rows[0].chars().count();
    for row in &rows {
        assert_eq!(
            row.chars().count(),
            width,
            "not aligned:\n{}",
            rows.join("\n")
        );
    }
    // gensim's counts (tests/word2vec_eval.rs): 5 of 6 right, 4 out of vocabulary.
    assert!(
        rows[1].contains("family") && rows[1].contains("100.00%"),
        "{}",
        rows[1]
    );
    assert!(
        rows[3].contains("all-unknown") && rows[3].contains("n/a"),
        "{}",
        rows[3]
    );
    assert!(
        rows[4].contains("83.33%") && rows[4].contains("4 (40.00%)"),
        "{}",
        rows[4]
    );
    assert!(!r.stdout.contains("0.0%"));
    assert!(
        r.stdout
            .contains("2 lines that are not `a b c d` were skipped")
    );
    assert!(r.stdout.contains("Spearman's rho") && r.stdout.contains("7 of 8"));
    // Fewer than half out of vocabulary: no note.
    assert!(!r.stdout.contains("Note:"));
    let cosmul = eval(&[
        &data("eval_model.txt"),
        "--questions",
        &data("analogy_tiny.txt"),
        "--cosmul",
    ]);
    cosmul.succeeds();
    assert!(cosmul.stdout.contains("3CosMul"));
}

#[test]
fn eval_explains_why_most_questions_are_out_of_vocabulary() {
    // 12 words: only 6 of questions-words.txt's 19,544 questions (in `family`) are known.
    let r = eval(&[&data("eval_model.txt"), "--restrict", "all"]);
    r.succeeds();
    assert!(
        r.stdout
            .contains("questions-words.txt (built in), 19544 questions")
    );
    assert!(r.stdout.contains("all 12 words known"));
    let rows = table(&r.stdout);
    assert!(
        rows.iter()
            .any(|l| l.contains("capital-world") && l.contains("n/a"))
    );
    let total = rows.last().unwrap();
    assert!(total.contains("19538 (99.97%)"), "{total}");
    for text in [
        "Note: 99.97% of the 19544 questions",
        "the accuracy above is over the other 6",
        "california (773)",
        "modern words",
        "King James",
        "word2vec -train text8",
        "word2vec_eval text8.bin",
    ] {
        assert!(
            flat(&r.stdout).contains(text),
            "{text} missing:\n{}",
            r.stdout
        );
    }
    // Three words known: nothing to evaluate, and --restrict says how many; one pair left.
    let r = eval(&[&data("eval_model.txt"), "--restrict", "3"]);
    r.succeeds();
    assert!(r.stdout.contains("the first 3 words known"));
    let text = flat(&r.stdout);
    assert!(text.contains("no question could be evaluated"), "{text}");
    assert!(text.contains("n/a (fewer than two pairs"), "{text}");
    let r = eval(&[&data("eval_model.txt"), "--restrict", "1"]);
    r.succeeds();
    assert!(
        r.stdout.contains("n/a: no pair has both words"),
        "{}",
        r.stdout
    );
}

#[test]
fn eval_stops_quietly_when_its_output_pipe_closes() {
    let mut child = Command::new(EVAL)
        .arg(data("eval_model.txt"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let r = Run::of(child.wait_with_output().unwrap());
    r.succeeds();
    assert_eq!(r.stderr, "");
    // --help into a closed pipe, too.
    let mut child = Command::new(EVAL)
        .arg("--help")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    Run::of(child.wait_with_output().unwrap()).succeeds();
}

#[test]
fn word2vec_and_eval_work_together() {
    let dir = Scratch::new("together");
    let c = dir.corpus();
    word2vec_v(
        &dir,
        with(&["-train", s(&c), "-output", "v.bin", "-binary", "1"], FAST),
    )
    .succeeds();
    let r = eval(&[s(&dir.path("v.bin"))]);
    r.succeeds();
    assert!(
        r.stdout.contains("9 words × 8 dimensions (binary)"),
        "{}",
        r.stdout
    );
}

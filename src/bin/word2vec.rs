//! `word2vec`: a drop-in for the original C `word2vec` command line. The same single-dash
//! flags and defaults, the same `Alpha: … Progress: …% Words/thread/sec: …k` progress line,
//! the same output files (vectors in the word2vec text or binary format, a vocabulary as
//! `word count` lines).
//!
//! Installed with `cargo install recurrent --features cli` (or `--path .`); also run as
//! `cargo run --release --example word2vec -- …`, which builds this same file. The manual
//! is [`MANUAL`] (`word2vec -help`); `docs/cli.md` has more.
//!
//! Every file on the command line is checked before any work starts, so a typing mistake in
//! `-output` costs a second, not a training run.

use rand::SeedableRng;
use recurrent::Error;
use recurrent::text::Vocab;
use recurrent::word2vec::{Architecture, ReadOptions, Word2Vec, Word2VecProgress, Word2VecTrainer};
use std::ffi::OsString;
use std::fs;
use std::io::{self, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

mod common;
use common::Failure;

/// The usage lines printed after a command-line error.
const USAGE: &str = "\
usage: word2vec -train FILE [-output FILE] [-save-vocab FILE] [-read-vocab FILE]
                [-continue FILE] [-FLAG VALUE]...
       word2vec -help   (the manual: every flag with its default)";

/// The manual, printed by `-help`, `-h` or `--help`.
pub const MANUAL: &str = "\
NAME
    word2vec - learn word vectors from a text file (skip-gram or CBOW, Mikolov et al. 2013)

SYNOPSIS
    word2vec -train FILE [-output FILE] [-save-vocab FILE] [-read-vocab FILE]
             [-continue FILE] [-FLAG VALUE]...
    word2vec -help | -version

DESCRIPTION
    Trains Word2Vec vectors on FILE (one sentence per line, words separated by white space,
    UTF-8) and writes them in the word2vec text or binary format that the original C tool,
    gensim and fastText read. The flags, their defaults, the progress line and the files
    are those of the C tool (word2vec.c), so scripts written for it run unchanged.

    Every file is checked before any work starts: -train and -read-vocab must be readable
    files; -output and -save-vocab must name a file (not a folder) in a folder that exists
    and can be written. The vectors are written to a temporary file renamed over -output,
    so an interrupted run never leaves half a file; a device such as /dev/null is written
    in place.

    Differences from the C tool: by default a line is a sentence and there is no </s>
    token, so the vocabulary has one word fewer (a </s> line of a -read-vocab file is
    skipped); -eos 1 keeps the C tool's </s> and its counts. Unknown flags, missing or
    malformed values and repeated flags are errors, not ignored; -seed, -eos, -continue and
    -deterministic are new, and with -threads 1 (or -deterministic 1) a run is reproducible
    bit for bit.

OPTIONS
    -train FILE
        Train on the text in FILE. Required.
    -output FILE
        Save the vectors to FILE. Without it, only the vocabulary is counted (and saved by
        -save-vocab); nothing is trained.
    -binary INT
        Save the vectors in the binary format (1) or as text (0). Default 0.
    -classes INT
        Write word classes instead of vectors to -output: k-means with INT classes on the
        vectors, one `word class` line per word, as the C tool computes and writes them
        (-binary is then ignored). 0 writes the vectors. Default 0.
    -save-vocab FILE
        Save the vocabulary to FILE, one `word count` line per word, most frequent first.
    -read-vocab FILE
        Read the vocabulary from FILE (as -save-vocab writes it) instead of counting the
        words of -train. Words with a count below -min-count are dropped, as the C tool
        drops them, and the rest are sorted by count. Its </s> line is skipped, or with
        -eos 1 kept first (and then required), so the total is that of a count of -train
        with the same -eos.
    -cbow INT
        Continuous bag of words (1) or skip-gram (0). Default 1.
    -size INT
        Dimension of the word vectors. Default 100.
    -window INT
        Largest distance between a word and a context word. Default 5.
    -sample FLOAT
        Threshold for dropping frequent words at random (0 keeps every word). Default 1e-3.
    -hs INT
        Hierarchical softmax (1) or not (0). Default 0.
    -negative INT
        Number of noise words per prediction (0: no negative sampling). Default 5.
    -threads INT
        Number of training threads; more than one is faster but not reproducible, unless
        -deterministic 1. Default 12.
    -iter INT
        Number of passes over the corpus. Default 5.
    -min-count INT
        Drop words seen fewer than INT times. Default 5.
    -alpha FLOAT
        Starting learning rate, decreased linearly to alpha/10000. Default 0.05 with
        -cbow 1, 0.025 with -cbow 0.
    -debug INT
        0: quiet; 1: the vocabulary figures and the training time; 2: also the progress
        line. Default 2.
    -seed INT
        Seed of the random generator (not in the C tool). Default 1.
    -deterministic INT
        1: the threads give the same vectors on every run for a given -threads and -seed
        (each thread trains on its own part of the file in rounds, and the rounds' updates
        are merged in thread order); 0: Hogwild threads, as the C tool. Default 0. Not in
        the C tool.
    -eos INT
        Read every line end as the word </s>, as the C tool does (1), or a line as a
        sentence with no such word, as gensim (0). With 1, </s> is word 0, counted once
        per line and kept whatever -min-count; it ends a sentence and counts as a word
        read, but is never trained, so the vocabulary, its counts and -save-vocab are the
        C tool's. A -read-vocab file must then hold </s>. Not in the C tool. Default 0.
    -continue FILE
        Start from the vectors in FILE (text or binary, such as an earlier -output) and
        train them further on -train: the new words seen at least -min-count times are
        added after the old ones (which keep their places), the output layer starts from
        zero, and the learning rate decays over -iter passes over -train. -size defaults
        to FILE's dimension. Cannot be used with -read-vocab. Not in the C tool.
    -help, -h, --help
        Print this manual.
    -version, --version
        Print the version.

EXIT STATUS
    0   Success. A standard output closed early (as by `| head`) is not an error: the
        progress line stops, training goes on, and the files are written.
    1   A file cannot be read or written, the vocabulary is empty, or training failed;
        nothing was trained if the problem was found in a file named on the command line.
    2   The command line is wrong: an unknown or repeated flag, a missing or malformed
        value, or a value out of range.

EXAMPLES
    Skip-gram vectors of the King James Bible shipped with the crate, in binary:
        word2vec -train data/kjv.txt -output kjv.bin -binary 1 -cbow 0 -size 100 \\
            -window 5 -negative 5 -sample 1e-3 -threads 2 -iter 5

    Word classes, and the C tool's </s>, as `word2vec -classes 100` writes them:
        word2vec -train corpus.txt -output classes.txt -classes 100 -eos 1

    Train further on more text:
        word2vec -train more.txt -continue vec.bin -output vec2.bin -binary 1

    Count the vocabulary once, then train from it with a higher -min-count:
        word2vec -train corpus.txt -save-vocab vocab.txt -min-count 1
        word2vec -train corpus.txt -read-vocab vocab.txt -min-count 10 -output vec.txt

    Score vectors on word analogies and word similarity:
        word2vec_eval kjv.bin

    From a source checkout without installing:
        cargo run --release --features cli --bin word2vec -- -train data/kjv.txt ...

SEE ALSO
    word2vec_eval --help; docs/cli.md in the recurrent sources.
";

/// The parsed command line, with the C tool's defaults.
#[derive(Debug)]
struct Args {
    train: Option<PathBuf>,
    output: Option<PathBuf>,
    size: usize,
    window: usize,
    sample: f64,
    hs: bool,
    negative: usize,
    threads: usize,
    iter: usize,
    min_count: u64,
    alpha: Option<f32>,
    debug: u32,
    binary: bool,
    save_vocab: Option<PathBuf>,
    read_vocab: Option<PathBuf>,
    cbow: bool,
    seed: u64,
    deterministic: bool,
    classes: usize,
    eos: bool,
    continue_from: Option<PathBuf>,
    size_given: bool,
}

impl Default for Args {
    fn default() -> Self {
        Args {
            train: None,
            output: None,
            size: 100,
            window: 5,
            sample: 1e-3,
            hs: false,
            negative: 5,
            threads: 12,
            iter: 5,
            min_count: 5,
            alpha: None,
            debug: 2,
            binary: false,
            save_vocab: None,
            read_vocab: None,
            cbow: true,
            seed: 1,
            deterministic: false,
            classes: 0,
            eos: false,
            continue_from: None,
            size_given: false,
        }
    }
}

/// What the command line asks for.
enum Command {
    Manual,
    Version,
    Train(Box<Args>),
}

/// Every flag that takes a value, as the C tool spells it (and `-seed`, `-deterministic`).
const FLAGS: &[&str] = &[
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
    "-deterministic",
    "-classes",
    "-eos",
    "-continue",
];

/// Parses the C tool's command line: `-flag value` pairs in any order.
fn parse(argv: Vec<OsString>) -> Result<Command, Failure> {
    let usage = |m: String| Failure::Usage(m);
    if argv.is_empty() {
        return Err(usage("-train FILE is required".into()));
    }
    let mut a = Args::default();
    let mut seen: Vec<String> = Vec::new();
    let mut it = argv.into_iter();
    while let Some(flag) = it.next() {
        let flag = match flag.into_string() {
            Ok(f) => f,
            Err(raw) => {
                return Err(usage(format!(
                    "unexpected argument {} (flags start with '-' and are followed by a value)",
                    raw.to_string_lossy()
                )));
            }
        };
        match flag.as_str() {
            "-help" | "-h" | "--help" => return Ok(Command::Manual),
            "-version" | "--version" => return Ok(Command::Version),
            f if FLAGS.contains(&f) => {}
            f if f.starts_with('-') => {
                return Err(usage(format!("unknown flag {f}{}", suggestion(f))));
            }
            f => {
                return Err(usage(format!(
                    "unexpected argument '{f}': every value follows its flag, as in -train {f}"
                )));
            }
        }
        if seen.contains(&flag) {
            return Err(usage(format!("{flag} is given twice")));
        }
        seen.push(flag.clone());
        let value = match it.next() {
            None => return Err(usage(format!("{flag} needs a value"))),
            Some(v) if v.to_str().is_some_and(|v| FLAGS.contains(&v)) => {
                return Err(usage(format!(
                    "{flag} needs a value (it is followed by the flag {})",
                    v.to_string_lossy()
                )));
            }
            Some(v) => v,
        };
        match flag.as_str() {
            "-train" => a.train = Some(value.into()),
            "-output" => a.output = Some(value.into()),
            "-save-vocab" => a.save_vocab = Some(value.into()),
            "-read-vocab" => a.read_vocab = Some(value.into()),
            "-size" => {
                a.size = number(&flag, &value, "a whole number")?;
                a.size_given = true;
            }
            "-window" => a.window = number(&flag, &value, "a whole number")?,
            "-sample" => a.sample = number(&flag, &value, "a number such as 1e-3")?,
            "-hs" => a.hs = switch(&flag, &value)?,
            "-negative" => a.negative = number(&flag, &value, "a whole number")?,
            "-threads" => a.threads = number(&flag, &value, "a whole number")?,
            "-iter" => a.iter = number(&flag, &value, "a whole number")?,
            "-min-count" => a.min_count = number(&flag, &value, "a whole number")?,
            "-alpha" => a.alpha = Some(number(&flag, &value, "a number such as 0.025")?),
            "-debug" => a.debug = number(&flag, &value, "0, 1 or 2")?,
            "-binary" => a.binary = switch(&flag, &value)?,
            "-cbow" => a.cbow = switch(&flag, &value)?,
            "-seed" => a.seed = number(&flag, &value, "a whole number")?,
            "-deterministic" => a.deterministic = switch(&flag, &value)?,
            "-classes" => a.classes = number(&flag, &value, "a whole number")?,
            "-eos" => a.eos = switch(&flag, &value)?,
            "-continue" => a.continue_from = Some(value.into()),
            _ => unreachable!("every flag of FLAGS is handled"),
        }
    }
    Ok(Command::Train(Box::new(a)))
}

/// ` (did you mean -min-count?)` for a near miss such as `--min-count` or `-mincount`.
fn suggestion(flag: &str) -> String {
    let bare = |s: &str| s.trim_start_matches('-').replace(['-', '_'], "");
    let f = bare(flag);
    FLAGS
        .iter()
        .chain(&["-help", "-version"])
        .find(|g| bare(g) == f)
        .map_or(String::new(), |g| format!(" (did you mean {g}?)"))
}

fn number<T: std::str::FromStr>(flag: &str, value: &OsString, what: &str) -> Result<T, Failure>
where
    T::Err: std::fmt::Display,
{
    let s = value.to_string_lossy();
    s.parse()
        .map_err(|e| Failure::Usage(format!("{flag} '{s}': expected {what} ({e})")))
}

/// The C tool's on/off integers: 0 is off, any other integer on.
fn switch(flag: &str, value: &OsString) -> Result<bool, Failure> {
    let v: i64 = number(flag, value, "0 or 1")?;
    Ok(v != 0)
}

/// The flag behind a trainer option named in a configuration error.
fn flag_of(option: &str) -> &'static str {
    match option {
        "dim" => "-size",
        "window" => "-window",
        "sample" => "-sample",
        "negative" => "-negative",
        "hs" => "-hs",
        "alpha" | "min_alpha" => "-alpha",
        "epochs" => "-iter",
        "threads" => "-threads",
        "min_count" => "-min-count",
        "keep_eos" => "-eos",
        _ => "a flag",
    }
}

pub fn main() -> ExitCode {
    let program = common::program_name("word2vec");
    let usage = USAGE.replace("word2vec", &program);
    // The arguments as the OS gave them: a file name need not be UTF-8 (`std::env::args`
    // would panic on one that is not).
    match run(std::env::args_os().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => f.report(&program, &usage),
    }
}

fn run(argv: Vec<OsString>) -> Result<(), Failure> {
    let a = match parse(argv)? {
        Command::Manual => return common::print(format_args!("{MANUAL}")),
        Command::Version => {
            return common::print(format_args!(
                "word2vec (recurrent {})\n",
                env!("CARGO_PKG_VERSION")
            ));
        }
        Command::Train(a) => a,
    };
    // The command line first: nothing is read or written before it is known to be right.
    let train = a
        .train
        .clone()
        .ok_or_else(|| Failure::Usage("-train FILE is required".into()))?;
    let trainer = trainer(&a)?;
    if a.continue_from.is_some() && a.read_vocab.is_some() {
        return Err(Failure::Usage(
            "-continue and -read-vocab cannot be used together: the vocabulary is that of the \
             -continue file, extended by the words of -train"
                .into(),
        ));
    }
    // Then every file, before any work: the corpus, the vocabulary to read, the files to write.
    let corpus = common::open_input("-train", &train)?;
    if corpus.metadata().is_ok_and(|m| !m.is_file()) {
        return Err(Failure::Error(format!(
            "-train {}: is not a regular file; it is read once for the vocabulary and once \
             per -iter, so a pipe or a device cannot be used",
            train.display()
        )));
    }
    drop(corpus);
    if let Some(path) = &a.read_vocab {
        common::open_input("-read-vocab", path)?;
    }
    if let Some(path) = &a.continue_from {
        common::open_input("-continue", path)?;
    }
    let outputs = [("-output", &a.output), ("-save-vocab", &a.save_vocab)];
    for (flag, path) in outputs {
        if let Some(path) = path {
            check_output(flag, path)?;
            if same_file(path, &train) {
                return Err(Failure::Usage(format!(
                    "{flag} {} is the -train file; it would be overwritten",
                    path.display()
                )));
            }
        }
    }
    if let (Some(o), Some(v)) = (&a.output, &a.save_vocab)
        && ((o == v && !is_device(o)) || same_file(o, v))
    {
        return Err(Failure::Usage(format!(
            "-output and -save-vocab are the same file, {}",
            o.display()
        )));
    }

    let mut log = Log::new(a.debug);
    // -continue: the model to start from, its vocabulary extended by the words of -train.
    let (trainer, start) = match &a.continue_from {
        Some(path) => {
            let (t, m) = load_start(path, &a, trainer)?;
            let update = t
                .update_vocab_file(&m, &train)
                .map_err(|e| training_failure(&e, &a, &train, m.vocab_len()))?;
            (t, Some((m, update)))
        }
        None => (trainer, None),
    };
    let counted;
    let vocab: &Vocab = match (&start, &a.read_vocab) {
        (Some((_, update)), _) => update.vocab(),
        (None, Some(path)) => {
            counted = read_vocab(path, a.min_count, a.eos)?;
            &counted
        }
        (None, None) => {
            counted = count_vocab(&train, a.min_count, a.eos)?;
            &counted
        }
    };
    if a.classes > vocab.len() {
        return Err(Failure::Error(format!(
            "-classes {}: more classes than the {} words of the vocabulary; lower -classes",
            a.classes,
            vocab.len()
        )));
    }
    log.line(format_args!(
        "Starting training using file {}\n",
        train.display()
    ));
    log.line(format_args!("Vocab size: {}\n", vocab.len()));
    log.line(format_args!("Words in train file: {}\n", vocab.total()));
    if let Some(path) = &a.save_vocab {
        recurrent::io::write_atomic(path, |f| vocab.write(f))
            .map_err(|e| Failure::Error(format!("-save-vocab {}: {e}", path.display())))?;
    }
    let Some(output) = &a.output else {
        log.line(format_args!(
            "No -output FILE given: the vocabulary is counted, nothing is trained.\n"
        ));
        return Ok(());
    };

    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(a.seed);
    let threads = a.threads as f64;
    let t0 = Instant::now();
    let progress = |p: &Word2VecProgress| {
        if a.debug > 1 {
            log.progress(format_args!(
                "\rAlpha: {:.6}  Progress: {:.2}%  Words/thread/sec: {:.2}k  Loss: {:.4}  ",
                p.alpha,
                100.0 * p.fraction(),
                p.words_per_sec / threads / 1000.0,
                p.mean_loss()
            ));
        }
    };
    let model = match &start {
        Some((m, update)) => trainer.continue_train_file(m, update, &train, &mut rng, progress),
        None => trainer.train_file(vocab, &train, &mut rng, progress),
    }
    .map_err(|e| training_failure(&e, &a, &train, vocab.len()))?;
    log.line(format_args!(
        "{}Training time: {:.2} s\n",
        if a.debug > 1 { "\n" } else { "" },
        t0.elapsed().as_secs_f64()
    ));
    let written = if a.classes > 0 {
        // As the C tool: the classes replace the vectors in -output.
        model.save_word_classes(output, a.classes)
    } else if a.binary {
        model.save_binary(output)
    } else {
        model.save_text(output)
    };
    written.map_err(|e| Failure::Error(format!("-output {}: {e}", output.display())))
}

/// The trainer of the command line; an option out of range is a usage error naming its flag.
fn trainer(a: &Args) -> Result<Word2VecTrainer, Failure> {
    let alpha = a.alpha.unwrap_or(if a.cbow { 0.05 } else { 0.025 });
    let built = Word2Vec::builder()
        .architecture(if a.cbow {
            Architecture::Cbow
        } else {
            Architecture::SkipGram
        })
        .dim(a.size)
        .window(a.window)
        .sample(a.sample)
        .hs(a.hs)
        .negative(a.negative)
        .threads(a.threads)
        .epochs(a.iter)
        .min_count(a.min_count)
        .alpha(alpha)
        // The C tool's floor: alpha · 10⁻⁴.
        .min_alpha(alpha * 1e-4)
        .deterministic(a.deterministic)
        .keep_eos(a.eos)
        .build();
    built.map_err(|e| match e {
        Error::InvalidParameter {
            name: "negative", ..
        } if a.negative == 0 && !a.hs => Failure::Usage(
            "-negative 0 with -hs 0 leaves nothing to train: give -negative 5 or -hs 1".into(),
        ),
        Error::InvalidParameter { name, reason } => {
            let flag = flag_of(name);
            let value = match flag {
                "-size" => a.size.to_string(),
                "-window" => a.window.to_string(),
                "-sample" => a.sample.to_string(),
                "-negative" => a.negative.to_string(),
                "-iter" => a.iter.to_string(),
                "-threads" => a.threads.to_string(),
                "-alpha" => alpha.to_string(),
                _ => String::new(),
            };
            Failure::Usage(format!("{flag} {value}: {reason}"))
        }
        other => Failure::Usage(other.to_string()),
    })
}

/// Checks, before any work, that `path` can be written as an output file: not a folder, in
/// a folder that exists and takes new files (the file is written to a temporary file there,
/// then renamed). A device or pipe that exists (`/dev/null`) is written in place.
fn check_output(flag: &str, path: &Path) -> Result<(), Failure> {
    let fail = |reason: String| Failure::Error(format!("{flag} {}: {reason}", path.display()));
    let text = path.as_os_str().to_string_lossy();
    if text.is_empty() {
        return Err(Failure::Usage(format!("{flag} needs a file name")));
    }
    if text.ends_with('/') || text.ends_with(std::path::MAIN_SEPARATOR) {
        return Err(fail("names a folder; give a file name in it".into()));
    }
    match fs::metadata(path) {
        Ok(m) if m.is_dir() => {
            return Err(fail(format!(
                "is a folder; give a file name, such as {}",
                path.join(if flag == "-save-vocab" {
                    "vocab.txt"
                } else {
                    "vectors.bin"
                })
                .display()
            )));
        }
        Ok(m) if !m.is_file() => return Ok(()),
        _ => {}
    }
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match fs::metadata(folder) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(fail(format!(
                "the folder {} does not exist (create it first)",
                folder.display()
            )));
        }
        Err(e) => return Err(fail(format!("folder {}: {}", folder.display(), e))),
        Ok(m) if !m.is_dir() => {
            return Err(fail(format!("{} is not a folder", folder.display())));
        }
        Ok(_) => {}
    }
    // Can a file be made there? Try, with a name no one uses, and remove it.
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let probe = folder.join(format!(".{name}.probe{}", std::process::id()));
    match fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(fail(format!(
            "cannot create a file in the folder {}: {}",
            folder.display(),
            common::io_reason(&e)
        ))),
    }
}

/// Whether two paths name one existing regular file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b && a.is_file(),
        _ => false,
    }
}

/// Whether `path` exists and is neither a regular file nor a folder (`/dev/null`, a pipe).
fn is_device(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Loads the model of `-continue`, and gives the trainer its dimension.
fn load_start(
    path: &Path,
    a: &Args,
    trainer: Word2VecTrainer,
) -> Result<(Word2VecTrainer, Word2Vec), Failure> {
    let fail = |reason: String| Failure::Error(format!("-continue {}: {reason}", path.display()));
    let model =
        Word2Vec::load(path, ReadOptions::default()).map_err(|e| fail(common::lib_reason(&e)))?;
    if a.size_given && a.size != model.dim() {
        return Err(fail(format!(
            "holds vectors of dimension {}, but -size is {}; leave -size out or give -size {}",
            model.dim(),
            a.size,
            model.dim()
        )));
    }
    if a.eos && model.vocab().eos() != Some(0) {
        return Err(fail(
            "-eos 1 needs a model whose first word is </s> (as the C tool's and those of \
             -eos 1 runs are); continue it with -eos 0"
                .into(),
        ));
    }
    let trainer = trainer
        .to_builder()
        .dim(model.dim())
        .build()
        .map_err(|e| fail(e.to_string()))?;
    Ok((trainer, model))
}

/// Counts the vocabulary of the corpus (with `eos`, the C tool's, `</s>` first); an empty one
/// says which flag to lower.
fn count_vocab(train: &Path, min_count: u64, eos: bool) -> Result<Vocab, Failure> {
    let fail = |reason: String| Failure::Error(format!("-train {}: {reason}", train.display()));
    let counted = if eos {
        // </s> alone is no vocabulary to train
        Vocab::from_file_with_eos(train, min_count, None).and_then(|v| {
            if v.len() > 1 {
                Ok(v)
            } else {
                Err(Error::Empty {
                    op: "word2vec",
                    what: "vocabulary",
                })
            }
        })
    } else {
        Vocab::from_file(train, min_count, None)
    };
    match counted {
        Ok(v) => Ok(v),
        Err(Error::Empty { .. }) => {
            // Say how far off the cut is: the most frequent word and its count.
            match Vocab::from_file(train, 1, Some(1)) {
                Ok(top) => Err(fail(format!(
                    "no word occurs at least -min-count {min_count} times (the most frequent, \
                     '{}', occurs {} times); lower -min-count",
                    top.word(0).unwrap_or_default(),
                    top.count(0).unwrap_or_default()
                ))),
                Err(_) => Err(fail("holds no words".into())),
            }
        }
        Err(e) => Err(fail(common::lib_reason(&e))),
    }
}

/// Reads a `-read-vocab` file as the C tool does: words counted fewer than `min_count` times
/// are dropped and the rest sorted by count, most frequent first (ties keep the file's
/// order). The C tool's `</s>` is skipped unless `eos` (`-eos 1`), which puts it first with
/// its count, whatever `min_count`, as the C tool keeps it; so either way the vocabulary and
/// its total are those a count of the corpus with the same `-eos` gives.
fn read_vocab(path: &Path, min_count: u64, eos: bool) -> Result<Vocab, Failure> {
    let fail = |reason: String| Failure::Error(format!("-read-vocab {}: {reason}", path.display()));
    let file = common::open_input("-read-vocab", path)?;
    let all = match Vocab::read(BufReader::new(file)) {
        Ok(v) => v,
        Err(Error::Empty { .. }) => return Err(fail("holds no words".into())),
        Err(e) => return Err(fail(common::lib_reason(&e))),
    };
    let mut kept: Vec<(&str, u64)> = all
        .iter()
        .filter(|&(w, c)| w != Vocab::EOS && c >= min_count)
        .collect();
    kept.sort_by_key(|&(_, c)| std::cmp::Reverse(c));
    if kept.is_empty() {
        let top = all
            .iter()
            .filter(|&(w, _)| w != Vocab::EOS)
            .map(|(_, c)| c)
            .max();
        return Err(fail(match top {
            Some(c) => format!(
                "no word has a count of at least -min-count {min_count} (the largest is \
                 {c}); lower -min-count"
            ),
            None => "holds no words but </s>".into(),
        }));
    }
    if eos {
        let Some(n) = all.eos().and_then(|i| all.count(i)) else {
            return Err(fail(
                "holds no </s> line, which -eos 1 needs (the C tool's files, and those -save-vocab \
                 writes with -eos 1, start with one)"
                    .into(),
            ));
        };
        kept.insert(0, (Vocab::EOS, n));
    }
    Vocab::from_counts(kept).map_err(|e| fail(e.to_string()))
}

/// A training error, with the flag to change.
fn training_failure(e: &Error, a: &Args, train: &Path, words: usize) -> Failure {
    match e {
        Error::InvalidParameter {
            name: "dim",
            reason,
        } => Failure::Error(format!(
            "-size {}: {reason} (for {words} words); lower -size or raise -min-count",
            a.size
        )),
        Error::NonFinite { .. } => Failure::Error(format!(
            "training diverged (a vector holds NaN or ∞); lower -alpha (it was {})",
            a.alpha.unwrap_or(if a.cbow { 0.05 } else { 0.025 })
        )),
        Error::Empty { .. } => Failure::Error(format!(
            "-train {}: holds no word of the vocabulary",
            train.display()
        )),
        Error::Io { .. } => Failure::Error(format!(
            "-train {}: {}",
            train.display(),
            common::lib_reason(e)
        )),
        other => Failure::Error(other.to_string()),
    }
}

/// The C tool's messages on standard output, shown by `-debug`. A closed standard output
/// (`| head`) ends the messages, not the training.
struct Log {
    debug: u32,
    open: bool,
}

impl Log {
    fn new(debug: u32) -> Self {
        Log { debug, open: true }
    }

    /// A line shown from `-debug 1` on.
    fn line(&mut self, args: std::fmt::Arguments<'_>) {
        if self.debug > 0 {
            self.write(args);
        }
    }

    /// The progress line (the caller checks `-debug 2`).
    fn progress(&mut self, args: std::fmt::Arguments<'_>) {
        self.write(args);
    }

    fn write(&mut self, args: std::fmt::Arguments<'_>) {
        if !self.open {
            return;
        }
        if let Err(f) = common::print(args) {
            self.open = false;
            let why = match f {
                Failure::Closed => "standard output was closed".to_string(),
                Failure::Error(m) | Failure::Usage(m) => m,
            };
            let _ = writeln!(
                io::stderr(),
                "word2vec: {why}; training goes on without progress messages"
            );
        }
    }
}

//! `word2vec_eval`: scores a word-vectors file on word analogies and word similarity, counted
//! as gensim counts them.
//!
//! Loads a word2vec file (the C tool's, gensim's or `word2vec`'s, text or binary), then
//! prints the analogy accuracy per section and overall (3CosAdd, or 3CosMul with
//! `--cosmul`) on questions-words (Mikolov et al. 2013), and Spearman's ρ and Pearson's r
//! against WordSim353 (Finkelstein et al. 2002), with the share of out-of-vocabulary
//! questions, skipped as gensim's `evaluate_word_analogies` / `evaluate_word_pairs` skip
//! them. Both files are built into the program; `--questions` and `--pairs` replace them.
//!
//! Installed with `cargo install recurrent --features cli`; also run as
//! `cargo run --release --example word2vec_eval -- …`, which builds this same file. The
//! command line is parsed by clap; `word2vec_eval --help` prints the manual.

use clap::{CommandFactory, Parser};
use recurrent::Error;
use recurrent::word2vec::{
    AnalogyMethod, AnalogySet, EvalOptions, ReadOptions, Word2Vec, WordPairs, evaluate_analogies,
    evaluate_word_pairs, read_analogies, read_word_pairs,
};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

mod common;
use common::Failure;

/// `say!(…)`: a line on standard output; a closed pipe ends the program quietly.
macro_rules! say {
    ($($t:tt)*) => {
        common::print(format_args!("{}\n", format_args!($($t)*)))?
    };
}

/// questions-words.txt, built in (see data/README.md for its origin and licence).
const QUESTIONS: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/questions-words.txt"
));
/// WordSim353, built in (see data/README.md).
const PAIRS: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/wordsim353.tsv"));

const TEMPLATE: &str = "\
NAME
    word2vec_eval - score word vectors on word analogies and word similarity

SYNOPSIS
    {usage}

{before-help}ARGUMENTS
{positionals}

OPTIONS
{options}{after-help}";

const DESCRIPTION: &str = "DESCRIPTION
    Loads VECTORS, a file in the word2vec text or binary format (from the C tool, gensim,
    fastText's .vec or word2vec), and prints:

    * the accuracy on word analogies (\"man is to woman as king is to ?\") per section and
      overall, ranking every word of the vocabulary by 3CosAdd (or 3CosMul, --cosmul);
    * Spearman's rho and Pearson's r between the model's cosine similarities and human
      similarity scores.

    Both are counted as gensim counts them (evaluate_word_analogies, evaluate_word_pairs):
    words are compared in upper case, only the first --restrict words of the file (the most
    frequent ones) are known, and a question or pair with an unknown word is skipped, not
    counted as wrong; the share skipped is printed. The questions are questions-words.txt
    (Mikolov et al. 2013, 19,544 questions in 14 sections) and the pairs WordSim353
    (Finkelstein et al. 2002, 353 pairs), both built into the program.

    Most questions ask about modern words (capitals and countries, currencies, US cities
    and states, nationalities), so vectors of a small or old corpus, such as the King
    James Bible of the recurrent crate's data/kjv.txt, know few of them: about 95% of the
    questions are skipped there, and the accuracy is over the rest. To score vectors on
    these questions, train them on a large modern corpus (see EXAMPLES).";

const AFTER_LONG: &str = "EXIT STATUS
    0   Success. A standard output closed early (as by `| head`) is not an error: the
        program stops quietly.
    1   A file cannot be read or is malformed (the messages name it and the line).
    2   The command line is wrong: an unknown flag, a missing or malformed value.

EXAMPLES
    Score the vectors of the King James Bible (see word2vec --help):
        word2vec -train data/kjv.txt -output kjv.bin -binary 1 -cbow 0 -threads 2
        word2vec_eval kjv.bin

    A large modern corpus: text8, the first 10^8 bytes of English Wikipedia (17 million
    words), with the settings of the C tool's demo script:
        word2vec -train text8 -output text8.bin -binary 1 -cbow 1 -size 200 -window 8 \\
            -negative 25 -hs 0 -sample 1e-4 -iter 15 -threads 4
        word2vec_eval text8.bin --restrict 30000

    Published vectors, the 300,000 most frequent words only, scored by 3CosMul:
        word2vec_eval GoogleNews-vectors-negative300.bin --limit 300000 --cosmul

    Your own questions (lines `a b c d` under `: section` headers) and pairs (lines
    `word<TAB>word<TAB>score`):
        word2vec_eval vectors.txt --questions my-analogies.txt --pairs my-pairs.tsv

SEE ALSO
    word2vec -help; docs/cli.md in the recurrent sources.
";

/// The command line (see the manual, `--help`).
#[derive(Parser, Debug)]
#[command(
    name = "word2vec_eval",
    version,
    help_template = TEMPLATE,
    before_long_help = DESCRIPTION,
    after_help = "Run 'word2vec_eval --help' for the manual: description, exit status, examples.",
    after_long_help = AFTER_LONG,
)]
struct Cli {
    /// The word vectors: a word2vec text or binary file.
    ///
    /// The format is taken from the name (.bin is binary, anything else
    /// text) unless --binary or --text says otherwise.
    #[arg(value_name = "VECTORS", verbatim_doc_comment)]
    vectors: PathBuf,

    /// Read VECTORS in the binary format.
    #[arg(long, conflicts_with = "text", verbatim_doc_comment)]
    binary: bool,

    /// Read VECTORS in the text format.
    #[arg(long, verbatim_doc_comment)]
    text: bool,

    /// Analogy questions [default: the built-in questions-words.txt].
    ///
    /// Lines `a b c d` (a is to b as c is to d) under `: section` header
    /// lines; lines that do not hold four words are skipped and counted.
    #[arg(long, value_name = "FILE", verbatim_doc_comment)]
    questions: Option<PathBuf>,

    /// Word pairs with human scores [default: the built-in WordSim353].
    ///
    /// Lines `word<TAB>word<TAB>score`; `#` comments and other lines are
    /// skipped.
    #[arg(long, value_name = "FILE", verbatim_doc_comment)]
    pairs: Option<PathBuf>,

    /// Only the first N words of VECTORS are known (`all`: every word).
    ///
    /// A word2vec file lists the most frequent words first, so this keeps
    /// the frequent words, as gensim's restrict_vocab does (its default is
    /// 300000; the C tool's compute-accuracy uses 30000).
    #[arg(
        long,
        value_name = "N",
        default_value = "300000",
        value_parser = parse_restrict,
        verbatim_doc_comment
    )]
    restrict: Restrict,

    /// Read only the first N vectors of VECTORS [default: all].
    #[arg(
        long,
        value_name = "N",
        value_parser = clap::value_parser!(u64).range(1..),
        verbatim_doc_comment
    )]
    limit: Option<u64>,

    /// Rank analogy answers by 3CosMul (Levy and Goldberg 2014), not 3CosAdd.
    #[arg(long, verbatim_doc_comment)]
    cosmul: bool,

    /// Compare words as they are spelled, not in upper case.
    #[arg(long, verbatim_doc_comment)]
    case_sensitive: bool,

    /// Replace invalid UTF-8 in the words of VECTORS instead of stopping.
    ///
    /// Files written by the C tool may cut a multi-byte character at the
    /// end of a long word.
    #[arg(long, verbatim_doc_comment)]
    lossy: bool,
}

/// `--restrict`: a number of words, or all of them.
#[derive(Clone, Copy, Debug)]
struct Restrict(Option<usize>);

fn parse_restrict(s: &str) -> Result<Restrict, String> {
    if s == "all" {
        return Ok(Restrict(None));
    }
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1 (or `all`)".into()),
        Ok(n) => Ok(Restrict(Some(n))),
        Err(e) => Err(format!("expected a number of words or `all` ({e})")),
    }
}

const USAGE: &str = "usage: word2vec_eval [OPTIONS] VECTORS\n\
                     Run 'word2vec_eval --help' for the manual.";

pub fn main() -> ExitCode {
    let program = common::program_name("word2vec_eval");
    let cli = match Cli::try_parse_from(std::env::args_os()) {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // Help and version, on standard output (status 0); printing never panics.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            // A command-line error, with a usage line (clap leaves it out of some).
            let mut message = e.render().to_string();
            if !message.contains("Usage:") {
                let usage = Cli::command().render_usage().to_string();
                let at = message
                    .find("\nFor more information")
                    .unwrap_or(message.len());
                message.insert_str(at, &format!("\n{usage}\n"));
            }
            let _ = write!(std::io::stderr(), "{message}");
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => f.report(&program, &USAGE.replace("word2vec_eval", &program)),
    }
}

/// A file of questions or pairs: given, or built in.
struct Source {
    name: String,
    text: Box<dyn BufRead>,
}

fn source(
    flag: &str,
    path: Option<&Path>,
    built_in: &'static [u8],
    name: &str,
) -> Result<Source, Failure> {
    Ok(match path {
        Some(p) => Source {
            name: p.display().to_string(),
            text: Box::new(BufReader::new(common::open_input(flag, p)?)),
        },
        None => Source {
            name: format!("{name} (built in)"),
            text: Box::new(built_in),
        },
    })
}

fn run(cli: Cli) -> Result<(), Failure> {
    // The small files first: a mistake in --questions or --pairs costs no model loading.
    let q = source(
        "--questions",
        cli.questions.as_deref(),
        QUESTIONS,
        "questions-words.txt",
    )?;
    let q_name = q.name;
    let q_fail = |reason: String| match &cli.questions {
        Some(p) => Failure::Error(format!("--questions {}: {reason}", p.display())),
        None => Failure::Error(format!("the built-in questions: {reason}")),
    };
    let set = read_analogies(q.text).map_err(|e| q_fail(common::lib_reason(&e)))?;
    if set.is_empty() {
        return Err(q_fail(
            "holds no analogy questions (lines `a b c d` under `: section` headers)".into(),
        ));
    }
    let p = source("--pairs", cli.pairs.as_deref(), PAIRS, "wordsim353.tsv")?;
    let p_name = p.name;
    let p_fail = |reason: String| match &cli.pairs {
        Some(p) => Failure::Error(format!("--pairs {}: {reason}", p.display())),
        None => Failure::Error(format!("the built-in pairs: {reason}")),
    };
    let pairs = read_word_pairs(p.text).map_err(|e| p_fail(common::lib_reason(&e)))?;
    if pairs.pairs.is_empty() {
        return Err(p_fail(
            "holds no word pairs (lines `word<TAB>word<TAB>score`)".into(),
        ));
    }

    let path = &cli.vectors;
    let binary = if cli.binary || cli.text {
        cli.binary
    } else {
        path.extension().is_some_and(|e| e == "bin")
    };
    // The default for every other option: ReadOptions may grow (a word-length limit).
    #[allow(clippy::needless_update)]
    let read = ReadOptions {
        limit: cli.limit.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
        lossy: cli.lossy,
        ..ReadOptions::default()
    };
    drop(common::open_input("VECTORS", path)?);
    let start = Instant::now();
    let loaded = if binary {
        Word2Vec::load_binary(path, read)
    } else {
        Word2Vec::load_text(path, read)
    };
    let model = loaded.map_err(|e| {
        let hint = match (&e, binary) {
            (Error::Format { .. }, true) if !cli.binary => "; if it is a text file, add --text",
            (Error::Format { .. }, false) if !cli.text => "; if it is a binary file, add --binary",
            _ => "",
        };
        Failure::Error(format!(
            "VECTORS {}: {}{hint}",
            path.display(),
            common::lib_reason(&e)
        ))
    })?;
    say!(
        "{}: {} words × {} dimensions ({}), loaded in {:.2} s",
        path.display(),
        model.vocab_len(),
        model.dim(),
        if binary { "binary" } else { "text" },
        start.elapsed().as_secs_f64()
    );

    let opts = EvalOptions {
        restrict_vocab: cli.restrict.0,
        case_insensitive: !cli.case_sensitive,
        method: if cli.cosmul {
            AnalogyMethod::CosMul
        } else {
            AnalogyMethod::CosAdd
        },
        ..EvalOptions::default()
    };
    let known_words = cli
        .restrict
        .0
        .map_or(model.vocab_len(), |n| n.min(model.vocab_len()));
    let vocabulary = match cli.restrict.0 {
        Some(n) if n < model.vocab_len() => format!("the first {n} words known"),
        _ => format!("all {} words known", model.vocab_len()),
    };
    analogies(&model, &set, &opts, &q_name, &vocabulary)?;
    word_pairs(&model, &pairs, &opts, &p_name, &vocabulary)?;
    let oov = Missing::new(&model, &opts, known_words);
    oov_note(&oov, &set, &q_name, cli.questions.is_none())
}

/// `12.34%`, or `n/a` when nothing was evaluated.
fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "n/a".into()
    } else {
        format!("{:.2}%", 100.0 * part as f64 / whole as f64)
    }
}

fn analogies(
    model: &Word2Vec,
    set: &AnalogySet,
    opts: &EvalOptions,
    name: &str,
    vocabulary: &str,
) -> Result<(), Failure> {
    let start = Instant::now();
    let report = evaluate_analogies(model, set, opts)
        .map_err(|e| Failure::Error(format!("evaluating the analogies of {name}: {e}")))?;
    let method = match opts.method {
        AnalogyMethod::CosMul => "3CosMul",
        _ => "3CosAdd",
    };
    say!("");
    say!(
        "Analogies: {name}, {} questions, {method}, {vocabulary}",
        report.questions
    );
    if !set.skipped_lines.is_empty() {
        say!(
            "  ({} lines that are not `a b c d` were skipped, the first at line {})",
            set.skipped_lines.len(),
            set.skipped_lines[0]
        );
    }
    let headers = ["section", "accuracy", "correct", "evaluated", "OOV skipped"];
    let mut rows: Vec<[String; 5]> = Vec::new();
    for (s, section) in report.sections.iter().zip(&set.sections) {
        let asked = section.questions.len();
        rows.push([
            s.name.clone(),
            percent(s.correct, s.evaluated()),
            s.correct.to_string(),
            s.evaluated().to_string(),
            format!("{} ({})", s.oov, percent(s.oov, asked)),
        ]);
    }
    let t = &report.total;
    rows.push([
        "total".into(),
        percent(t.correct, t.evaluated()),
        t.correct.to_string(),
        t.evaluated().to_string(),
        format!("{} ({})", t.oov, percent(t.oov, report.questions)),
    ]);
    table(&headers, &rows)?;
    let legend = format!(
        "accuracy = correct / evaluated; OOV: questions with a word outside the known \
         words, skipped as gensim skips them. [{:.1} s]",
        start.elapsed().as_secs_f64()
    );
    for line in wrap(&legend, 90) {
        say!("{line}");
    }
    Ok(())
}

/// Prints an aligned table: the first column left-aligned, the others right-aligned.
fn table<const N: usize>(headers: &[&str; N], rows: &[[String; N]]) -> Result<(), Failure> {
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain([headers[i].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..N).map(width).collect();
    let line = |cells: Vec<&str>| {
        let mut s = String::from(" ");
        for (i, c) in cells.iter().enumerate() {
            let pad = widths[i].saturating_sub(c.chars().count());
            if i == 0 {
                s.push(' ');
                s.push_str(c);
                s.push_str(&" ".repeat(pad));
            } else {
                s.push_str(&" ".repeat(pad + 2));
                s.push_str(c);
            }
        }
        s
    };
    say!("{}", line(headers.to_vec()));
    for r in rows {
        say!("{}", line(r.iter().map(String::as_str).collect()));
    }
    Ok(())
}

fn word_pairs(
    model: &Word2Vec,
    pairs: &WordPairs,
    opts: &EvalOptions,
    name: &str,
    vocabulary: &str,
) -> Result<(), Failure> {
    say!("");
    say!(
        "Word similarity: {name}, {} pairs, {vocabulary}",
        pairs.pairs.len()
    );
    let report = match evaluate_word_pairs(model, pairs, opts) {
        Ok(r) => r,
        Err(Error::Empty { .. }) => {
            say!("  n/a: no pair has both words among the known words");
            return Ok(());
        }
        Err(e) => {
            return Err(Failure::Error(format!(
                "evaluating the pairs of {name}: {e}"
            )));
        }
    };
    let show = |x: Option<f64>| {
        x.map_or(
            "n/a (fewer than two pairs, or constant scores)".into(),
            |v| format!("{v:.4}"),
        )
    };
    say!("  Spearman's rho  {}", show(report.spearman));
    say!("  Pearson's r     {}", show(report.pearson));
    say!(
        "  pairs used      {} of {}; {} skipped ({}) for a word outside the known words",
        report.used,
        report.used + report.oov,
        report.oov,
        percent(report.oov, report.used + report.oov)
    );
    Ok(())
}

/// The words the evaluation knows, as it compares them.
struct Missing {
    known: HashSet<String>,
    case_insensitive: bool,
}

impl Missing {
    fn new(model: &Word2Vec, opts: &EvalOptions, known_words: usize) -> Self {
        let known = model.words()[..known_words]
            .iter()
            .map(|w| {
                if opts.case_insensitive {
                    w.to_uppercase()
                } else {
                    w.clone()
                }
            })
            .collect();
        Missing {
            known,
            case_insensitive: opts.case_insensitive,
        }
    }

    fn knows(&self, w: &str) -> bool {
        if self.case_insensitive {
            self.known.contains(&w.to_uppercase())
        } else {
            self.known.contains(w)
        }
    }
}

/// When most questions are out of vocabulary, says why and what to do.
fn oov_note(
    missing: &Missing,
    set: &AnalogySet,
    name: &str,
    built_in: bool,
) -> Result<(), Failure> {
    let total = set.len();
    let mut skipped = 0usize;
    // word as first spelled → questions it keeps out
    let mut count: HashMap<String, (usize, usize)> = HashMap::new();
    let mut order = 0;
    for q in set.sections.iter().flat_map(|s| &s.questions) {
        let words = [&q.a, &q.b, &q.c, &q.expected];
        let mut any = false;
        let mut seen: Vec<String> = Vec::new();
        for w in words {
            if !missing.knows(w) {
                any = true;
                let key = w.to_lowercase();
                if !seen.contains(&key) {
                    let e = count.entry(key.clone()).or_insert_with(|| {
                        order += 1;
                        (0, order)
                    });
                    e.0 += 1;
                    seen.push(key);
                }
            }
        }
        skipped += usize::from(any);
    }
    if 2 * skipped < total {
        return Ok(());
    }
    let mut top: Vec<(String, (usize, usize))> = count.into_iter().collect();
    top.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.1.1.cmp(&b.1.1)));
    let list: Vec<String> = top
        .iter()
        .take(8)
        .map(|(w, (n, _))| format!("{w} ({n})"))
        .collect();
    say!("");
    let rest = match total - skipped {
        0 => "no question could be evaluated".to_string(),
        n => format!("the accuracy above is over the other {n}"),
    };
    let mut note = format!(
        "Note: {} of the {total} questions have a word this model does not know, and are \
         skipped; {rest}. Unknown words, with the questions each keeps out: {}.",
        percent(skipped, total),
        list.join(", ")
    );
    if built_in || name.ends_with("questions-words.txt") {
        note.push_str(
            " questions-words.txt asks about modern words: capitals and countries, \
             currencies, US cities and states, nationalities. A small or old corpus, such \
             as the King James Bible, holds few of them (or too rarely for word2vec's \
             -min-count, default 5).",
        );
    }
    note.push_str(
        " To evaluate on these questions, train on a large modern corpus, for example \
         text8 (the first 10^8 bytes of English Wikipedia), as the C tool's demo script \
         does:",
    );
    for line in wrap(&note, 90) {
        say!("{line}");
    }
    say!("      word2vec -train text8 -output text8.bin -binary 1 -cbow 1 -size 200 -window 8 \\");
    say!("          -negative 25 -hs 0 -sample 1e-4 -iter 15 -threads 4");
    say!("      word2vec_eval text8.bin --restrict 30000");
    say!("  (word2vec_eval --help and docs/cli.md in the recurrent sources say more.)");
    Ok(())
}

/// `text` cut at spaces into lines of at most `width` characters (a longer word stands on
/// its own line), each indented by two spaces, the first line by none when it starts with
/// `Note:`.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let indent = if lines.is_empty() && text.starts_with("Note:") {
            0
        } else {
            2
        };
        if !line.is_empty() && indent + line.chars().count() + 1 + word.chars().count() > width {
            lines.push(format!("{}{line}", " ".repeat(indent)));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let indent = if lines.is_empty() && text.starts_with("Note:") {
            0
        } else {
            2
        };
        lines.push(format!("{}{line}", " ".repeat(indent)));
    }
    lines
}

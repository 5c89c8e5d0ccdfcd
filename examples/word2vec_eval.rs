//! Scores a word-vectors file on word analogies and word similarity, counted as gensim does.
//!
//! Loads a word2vec-format file (the C tool's or gensim's, text or binary), then prints the
//! analogy accuracy per section and overall (3CosAdd, or 3CosMul with `--cosmul`) on
//! `data/questions-words.txt`, and Spearman's ρ and Pearson's r against WordSim353
//! (`data/wordsim353.tsv`), with the share of out-of-vocabulary questions, skipped as gensim's
//! `evaluate_word_analogies` / `evaluate_word_pairs` skip them.
//!
//! ```text
//! cargo run --release --example word2vec_eval -- vectors.bin [--binary|--text]
//!     [--questions FILE] [--pairs FILE] [--restrict N] [--limit N] [--cosmul] [--lossy]
//! ```
//!
//! The format is taken from the extension (`.bin` is binary) unless `--binary` or `--text`
//! says otherwise.

use recurrent::Embedding;
use recurrent::word2vec::{
    AnalogyMethod, EvalOptions, ReadOptions, Word2Vec, evaluate_analogies, evaluate_word_pairs,
    read_analogies, read_word_pairs,
};
use std::error::Error;
use std::fs::File;
use std::io::BufReader;
use std::time::Instant;

const USAGE: &str = "usage: word2vec_eval VECTORS [--binary|--text] [--questions FILE] \
                     [--pairs FILE] [--restrict N] [--limit N] [--cosmul] [--lossy]";

fn main() -> Result<(), Box<dyn Error>> {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
    let mut questions = format!("{data}/questions-words.txt");
    let mut pairs = format!("{data}/wordsim353.tsv");
    let (mut path, mut binary) = (None, None);
    let mut opts = EvalOptions::default();
    let mut read = ReadOptions::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| format!("{a} needs a value\n{USAGE}"))
        };
        match a.as_str() {
            "--binary" => binary = Some(true),
            "--text" => binary = Some(false),
            "--questions" => questions = value()?,
            "--pairs" => pairs = value()?,
            "--restrict" => opts.restrict_vocab = Some(value()?.parse()?),
            "--limit" => read.limit = Some(value()?.parse()?),
            "--cosmul" => opts.method = AnalogyMethod::CosMul,
            "--lossy" => read.lossy = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            _ if path.is_none() && !a.starts_with('-') => path = Some(a),
            _ => return Err(format!("unexpected argument {a:?}\n{USAGE}").into()),
        }
    }
    let path = path.ok_or(USAGE)?;
    let binary = binary.unwrap_or_else(|| path.ends_with(".bin"));

    let start = Instant::now();
    let model = if binary {
        Word2Vec::load_binary(&path, read)?
    } else {
        Word2Vec::load_text(&path, read)?
    };
    println!(
        "{path}: {} words × {} dimensions ({}), loaded in {:.2} s",
        model.vocab_len(),
        model.dim(),
        if binary { "binary" } else { "text" },
        start.elapsed().as_secs_f64()
    );

    let start = Instant::now();
    let set = read_analogies(BufReader::new(File::open(&questions)?))?;
    let report = evaluate_analogies(&model, &set, &opts)?;
    println!(
        "\nanalogies ({questions}, {:?}, restrict_vocab {:?}):",
        opts.method, opts.restrict_vocab
    );
    for s in &report.sections {
        println!(
            "  {:<28} {:>6.1}%  ({}/{}, {} OOV skipped)",
            s.name,
            100.0 * s.accuracy(),
            s.correct,
            s.evaluated(),
            s.oov
        );
    }
    println!(
        "  {:<28} {:>6.2}%  ({}/{}); questions with OOV words: {:.1}% of {}  [{:.1} s]",
        report.total.name,
        100.0 * report.accuracy(),
        report.total.correct,
        report.total.evaluated(),
        report.oov_percent(),
        report.questions,
        start.elapsed().as_secs_f64()
    );

    let wp = read_word_pairs(BufReader::new(File::open(&pairs)?))?;
    let r = evaluate_word_pairs(&model, &wp, &opts)?;
    let show = |x: Option<f64>| x.map_or("undefined".to_string(), |v| format!("{v:.4}"));
    println!("\nword similarity ({pairs}):");
    println!(
        "  Spearman ρ {}, Pearson r {}, over {} pairs; pairs with OOV words: {:.1}%",
        show(r.spearman),
        show(r.pearson),
        r.used,
        r.oov_percent(opts.dummy4unknown)
    );
    Ok(())
}

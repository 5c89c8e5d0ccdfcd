//! A drop-in for the original C `word2vec` command line: the same single-dash flags, the same
//! defaults, the same `Alpha: … Progress: …% Words/thread/sec: …k` progress line, and the same
//! output files (vectors in the word2vec text or binary format, vocabulary as `word count`).
//!
//! ```text
//! cargo run --release --example word2vec -- -train data/kjv.txt -output vectors.bin \
//!     -cbow 0 -size 100 -window 5 -negative 5 -hs 0 -sample 1e-3 -threads 2 -iter 5 -binary 1
//! ```
//!
//! Differences from the C tool: there is no `</s>` sentence-end token (a line is a sentence,
//! as in gensim), so the vocabulary has one word fewer; `-classes` is not supported; `-seed`
//! (default 1) is an addition, and with `-threads 1` the output is reproducible bit for bit.

use rand::SeedableRng;
use recurrent::word2vec::{
    Architecture, Vocab, Word2Vec, write_word2vec_binary, write_word2vec_text,
};
use std::error::Error;
use std::io::Write;
use std::time::Instant;

const USAGE: &str = "\
WORD VECTOR estimation toolkit (recurrent's Rust port of the C tool's command line)

Options:
Parameters for training:
\t-train <file>\n\t\tUse text data from <file> to train the model
\t-output <file>\n\t\tUse <file> to save the resulting word vectors
\t-size <int>\n\t\tSet size of word vectors; default is 100
\t-window <int>\n\t\tSet max skip length between words; default is 5
\t-sample <float>\n\t\tSet threshold for occurrence of words; default is 1e-3 (0 = off)
\t-hs <int>\n\t\tUse Hierarchical Softmax; default is 0 (not used)
\t-negative <int>\n\t\tNumber of negative examples; default is 5 (0 = not used)
\t-threads <int>\n\t\tUse <int> threads (default 12)
\t-iter <int>\n\t\tRun more training iterations (default 5)
\t-min-count <int>\n\t\tDiscard words that appear less than <int> times; default is 5
\t-alpha <float>\n\t\tSet the starting learning rate; default is 0.025 for skip-gram and 0.05 for CBOW
\t-debug <int>\n\t\tSet the debug mode (default = 2 = more info during training)
\t-binary <int>\n\t\tSave the resulting vectors in binary mode; default is 0 (off)
\t-save-vocab <file>\n\t\tThe vocabulary will be saved to <file>
\t-read-vocab <file>\n\t\tThe vocabulary will be read from <file>, not constructed from the training data
\t-cbow <int>\n\t\tUse the continuous bag of words model; default is 1 (use 0 for skip-gram model)
\t-seed <int>\n\t\tSeed of the random generator; default is 1 (not in the C tool)

Example:
./word2vec -train data.txt -output vec.txt -size 200 -window 5 -sample 1e-4 -negative 5 -hs 0 -binary 0 -cbow 1 -iter 3
";

/// The parsed command line.
struct Args {
    train: Option<String>,
    output: Option<String>,
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
    save_vocab: Option<String>,
    read_vocab: Option<String>,
    cbow: bool,
    seed: u64,
}

fn parse() -> Result<Option<Args>, Box<dyn Error>> {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.is_empty() || argv.iter().any(|a| a == "-h" || a == "--help") {
        return Ok(None);
    }
    let mut a = Args {
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
    };
    let mut it = argv.into_iter();
    while let Some(flag) = it.next() {
        let value = it
            .next()
            .ok_or_else(|| format!("flag {flag} needs a value"))?;
        let bad = |e: &dyn std::fmt::Display| format!("bad value {value:?} for {flag}: {e}");
        macro_rules! num {
            () => {
                value.parse().map_err(|e| bad(&e))?
            };
        }
        match flag.as_str() {
            "-train" => a.train = Some(value),
            "-output" => a.output = Some(value),
            "-size" => a.size = num!(),
            "-window" => a.window = num!(),
            "-sample" => a.sample = num!(),
            "-hs" => a.hs = value.parse::<i64>().map_err(|e| bad(&e))? != 0,
            "-negative" => a.negative = num!(),
            "-threads" => a.threads = num!(),
            "-iter" => a.iter = num!(),
            "-min-count" => a.min_count = num!(),
            "-alpha" => a.alpha = Some(num!()),
            "-debug" => a.debug = num!(),
            "-binary" => a.binary = value.parse::<i64>().map_err(|e| bad(&e))? != 0,
            "-save-vocab" => a.save_vocab = Some(value),
            "-read-vocab" => a.read_vocab = Some(value),
            "-cbow" => a.cbow = value.parse::<i64>().map_err(|e| bad(&e))? != 0,
            "-seed" => a.seed = num!(),
            "-classes" => return Err("-classes (k-means word classes) is not supported".into()),
            other => return Err(format!("unknown flag {other} (see -h)").into()),
        }
    }
    Ok(Some(a))
}

fn main() -> Result<(), Box<dyn Error>> {
    let Some(a) = parse()? else {
        print!("{USAGE}");
        return Ok(());
    };
    let train = a.train.as_deref().ok_or("-train <file> is required")?;
    let alpha = a.alpha.unwrap_or(if a.cbow { 0.05 } else { 0.025 });
    let trainer = Word2Vec::builder()
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
        .build()?;
    let vocab = match &a.read_vocab {
        Some(path) => Vocab::read(std::io::BufReader::new(std::fs::File::open(path)?))?,
        None => Vocab::from_file(train, a.min_count, None)?,
    };
    if a.debug > 0 {
        println!("Starting training using file {train}");
        println!("Vocab size: {}", vocab.len());
        println!("Words in train file: {}", vocab.total());
    }
    if let Some(path) = &a.save_vocab {
        vocab.write(std::io::BufWriter::new(std::fs::File::create(path)?))?;
    }
    if a.output.is_none() {
        return Ok(());
    }
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(a.seed);
    let threads = a.threads as f64;
    let debug = a.debug;
    let t0 = Instant::now();
    let model = trainer.train_file(&vocab, train, &mut rng, |p| {
        if debug > 1 {
            print!(
                "\rAlpha: {:.6}  Progress: {:.2}%  Words/thread/sec: {:.2}k  Loss: {:.4}  ",
                p.alpha,
                100.0 * p.fraction(),
                p.words_per_sec / threads / 1000.0,
                p.mean_loss()
            );
            let _ = std::io::stdout().flush();
        }
    })?;
    if debug > 0 {
        println!("\nTraining time: {:.2} s", t0.elapsed().as_secs_f64());
    }
    if let Some(out) = &a.output {
        write_vectors(&model, out, a.binary)?;
    }
    Ok(())
}

/// Writes the vectors in the C tool's text or binary format. A regular file (or a new one) is
/// saved atomically (temporary file + rename); anything else, such as `/dev/null` or a pipe,
/// is written straight through, since renaming a file over it would replace it.
fn write_vectors(model: &Word2Vec, path: &str, binary: bool) -> Result<(), Box<dyn Error>> {
    let regular = std::fs::metadata(path).map_or(true, |m| m.is_file());
    match (regular, binary) {
        (true, true) => model.save_binary(path)?,
        (true, false) => model.save_text(path)?,
        (false, _) => {
            let f = std::io::BufWriter::new(std::fs::File::create(path)?);
            if binary {
                write_word2vec_binary(model, f)?;
            } else {
                write_word2vec_text(model, f)?;
            }
        }
    }
    Ok(())
}

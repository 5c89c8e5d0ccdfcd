//! A word-level recurrent language model on the KJV (or any one-sentence-per-line text):
//! embedding → Elman layer → softmax over the vocabulary, trained by BPTT, with four input
//! variants next to the crate's count baselines.
//!
//! ```text
//! cargo run --release --example language_model -- --corpus data/kjv.txt
//! cargo run --release --example language_model -- --epochs 1 --max-verses 5000 --variants random
//! ```
//!
//! The task is the one of the anchors (`peers/lm/README.md`): verse `i` (0-based line) goes to
//! test if `i % 10 == 9`, to valid if `i % 10 == 8`, to train otherwise; the vocabulary is the
//! train words seen at least 5 times plus `</s>` and `<unk>`; each verse is read as
//! `</s> w1 … wn` predicting `w1 … wn </s>` with the state reset at its start; perplexity is
//! over every test token including `</s>`.
//!
//! Variants: `random` (N(0, 1) embeddings, trained), `w2v-frozen` and `w2v-tuned` (skip-gram
//! vectors trained by the crate's Word2Vec on the train split only, kept fixed or
//! fine-tuned), `one-hot` (a `V`-wide one-hot input into the Elman layer, Elman 1990).
//! Defaults are the PyTorch anchor's: embedding 100, hidden 128, Adam 1e-3, batch 32, gradient
//! norm clip 5, up to 10 epochs with early stopping (patience 2) on the validation perplexity.
//!
//! Printed lines (read by checks): `unigram (add-one) test perplexity: …`,
//! `bigram (add-k, k = …) test perplexity: …`, then per variant
//! `test perplexity (<variant>): <number>` and
//! `speed (<variant>): <n> tokens/s, <m> tokens per CPU-second`.

use rand::SeedableRng;
use recurrent::Parameters;
use recurrent::lm::{Bigram, LanguageModel, elman};
use recurrent::text::Vocab;
use recurrent::train::{Adam, Clip, Progress, TrainConfig};
use recurrent::word2vec::Architecture;
use std::error::Error;
use std::time::{Duration, Instant};

const USAGE: &str = "\
usage: language_model [options]
  --corpus <file>      one sentence per line (default data/kjv.txt)
  --hidden <n>         hidden units (default 128)
  --dim <n>            embedding dimension (default 100)
  --epochs <n>         at most this many epochs (default 10)
  --patience <n>       stop after n epochs without a better valid perplexity (default 2)
  --batch <n>          sentences per step (default 32)
  --lr <x>             Adam learning rate (default 1e-3)
  --clip <x>           gradient-norm clip (default 5)
  --threads <n>        threads of the matrix products (needs --features threads) and of Word2Vec (default 1)
  --max-verses <n>     read only the first n lines (default all)
  --max-batches <n>    a timing run: train on n·batch verses drawn from the train split (default all)
  --variants <list>    comma-separated among random,w2v-frozen,w2v-tuned,one-hot, or none (default all four)
  --w2v-epochs <n>     Word2Vec passes (default 5)
  --save-w2v <file>    also write the Word2Vec vectors (word2vec text format; e.g. for rnn_lm.py --w2v)
  --seed <n>           seed of every random draw (default 1)
  --sample <n>         print n sampled verses per variant (default 2)";

struct Args {
    corpus: String,
    hidden: usize,
    dim: usize,
    epochs: usize,
    patience: usize,
    batch: usize,
    lr: f64,
    clip: f64,
    threads: usize,
    max_verses: Option<usize>,
    max_batches: Option<usize>,
    variants: Vec<String>,
    w2v_epochs: usize,
    save_w2v: Option<String>,
    seed: u64,
    sample: usize,
}

fn parse() -> Result<Args, Box<dyn Error>> {
    let mut a = Args {
        corpus: "data/kjv.txt".into(),
        hidden: 128,
        dim: 100,
        epochs: 10,
        patience: 2,
        batch: 32,
        lr: 1e-3,
        clip: 5.0,
        threads: 1,
        max_verses: None,
        max_batches: None,
        variants: ["random", "w2v-frozen", "w2v-tuned", "one-hot"]
            .map(String::from)
            .to_vec(),
        w2v_epochs: 5,
        save_w2v: None,
        seed: 1,
        sample: 2,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let v = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--corpus" => a.corpus = v,
            "--hidden" => a.hidden = v.parse()?,
            "--dim" => a.dim = v.parse()?,
            "--epochs" => a.epochs = v.parse()?,
            "--patience" => a.patience = v.parse()?,
            "--batch" => a.batch = v.parse()?,
            "--lr" => a.lr = v.parse()?,
            "--clip" => a.clip = v.parse()?,
            "--threads" => a.threads = v.parse()?,
            "--max-verses" => a.max_verses = Some(v.parse()?),
            "--max-batches" => a.max_batches = Some(v.parse()?),
            "--variants" if v == "none" => a.variants.clear(),
            "--variants" => a.variants = v.split(',').map(String::from).collect(),
            "--w2v-epochs" => a.w2v_epochs = v.parse()?,
            "--save-w2v" => a.save_w2v = Some(v),
            "--seed" => a.seed = v.parse()?,
            "--sample" => a.sample = v.parse()?,
            _ => return Err(format!("unknown flag {flag}\n{USAGE}").into()),
        }
    }
    for v in &a.variants {
        if !["random", "w2v-frozen", "w2v-tuned", "one-hot"].contains(&v.as_str()) {
            return Err(format!("unknown variant {v}\n{USAGE}").into());
        }
    }
    Ok(a)
}

/// CPU time of the process (user + system) from `/proc/self/stat`, if readable.
fn cpu_time() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // fields 14 and 15 of stat(5), counted from the state (field 3) here
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10)) // USER_HZ = 100 on Linux
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = parse()?;
    if args.threads > 1 {
        // SAFETY: set before any other thread exists; read once by matrixmultiply's pool.
        unsafe { std::env::set_var("MATMUL_NUM_THREADS", args.threads.to_string()) };
    }
    let text = std::fs::read_to_string(&args.corpus)
        .map_err(|e| format!("reading {}: {e}", args.corpus))?;
    let lines: Vec<&str> = text
        .lines()
        .take(args.max_verses.unwrap_or(usize::MAX))
        .collect();
    let (mut train, mut valid, mut test) = (Vec::new(), Vec::new(), Vec::new());
    for (i, l) in lines.iter().enumerate() {
        match i % 10 {
            9 => test.push(*l),
            8 => valid.push(*l),
            _ => train.push(*l),
        }
    }
    let vocab = Vocab::for_language_model(&train, 5)?;
    let v = vocab.len();
    println!(
        "corpus {}: {} verses (train {}, valid {}, test {}), vocabulary {v} (count ≥ 5 in train, + </s> <unk>)",
        args.corpus,
        lines.len(),
        train.len(),
        valid.len(),
        test.len()
    );
    // a model only to encode; every variant builds its own
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(args.seed);
    let enc =
        LanguageModel::builder(vocab.clone(), elman::<f32>(1, 1, &mut rng)?).build(&mut rng)?;
    let encode = |s: &[&str]| -> Vec<Vec<usize>> { s.iter().map(|l| enc.encode(l)).collect() };
    let (tr, va, te) = (encode(&train), encode(&valid), encode(&test));
    let count = |s: &[Vec<usize>]| s.iter().map(|x| x.len() + 1).sum::<usize>();
    println!(
        "predicted tokens: train {}, valid {}, test {}",
        count(&tr),
        count(&va),
        count(&te)
    );

    let counts = Bigram::fit(&tr, v, enc.eos())?;
    println!(
        "unigram (add-one) test perplexity: {:.2}",
        counts.unigram_perplexity(&te)?
    );
    let k = counts.tune_k(&va)?;
    println!(
        "bigram (add-k, k = {k:.4} tuned on valid) test perplexity: {:.2} (valid {:.2})",
        counts.perplexity(&te, k)?,
        counts.perplexity(&va, k)?
    );

    // the verses the networks train on (Word2Vec and the baselines always use all of train)
    let fit_set = if let Some(n) = args.max_batches {
        // a timing run: a random subset of n batches' worth of train verses
        let mut pick = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(args.seed + 1);
        let mut fit_set = tr.clone();
        for i in (1..fit_set.len()).rev() {
            let j = rand::RngExt::random_range(&mut pick, 0..=i);
            fit_set.swap(i, j);
        }
        fit_set.truncate(n * args.batch);
        println!(
            "timing run: {} train verses, {} tokens",
            fit_set.len(),
            count(&fit_set)
        );
        fit_set
    } else {
        tr.clone()
    };
    let train_tokens = count(&fit_set);
    let needs_w2v = args.variants.iter().any(|v| v.starts_with("w2v"));
    let w2v = if needs_w2v {
        // the train verses with rare words as <unk> and </s> appended, so that </s> (the
        // input at every verse start) has a vector too
        let sentences: Vec<Vec<&str>> = tr
            .iter()
            .map(|s| {
                s.iter()
                    .map(|k| vocab.words()[*k].as_str())
                    .chain(["</s>"])
                    .collect()
            })
            .collect();
        let t0 = Instant::now();
        let cfg = recurrent::Word2Vec::builder()
            .architecture(Architecture::SkipGram)
            .dim(args.dim)
            .window(5)
            .negative(5)
            .min_count(1)
            .sample(1e-3)
            .epochs(args.w2v_epochs)
            .threads(args.threads);
        let model = cfg.build()?.fit(|| sentences.iter(), &mut rng, |_| {})?;
        println!(
            "word2vec: skip-gram {}-d, window 5, negative 5, {} epochs on train only, {:.1} s",
            args.dim,
            args.w2v_epochs,
            t0.elapsed().as_secs_f64()
        );
        if let Some(path) = &args.save_w2v {
            model.save_text(path)?;
            println!("word2vec vectors written to {path}");
        }
        Some(model)
    } else {
        None
    };

    let mut results = Vec::new();
    for variant in &args.variants {
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(args.seed);
        let input = if variant == "one-hot" { v } else { args.dim };
        let cell = elman::<f32>(input, args.hidden, &mut rng)?;
        let builder = LanguageModel::builder(vocab.clone(), cell);
        let builder = match (variant.as_str(), &w2v) {
            ("w2v-frozen", Some(m)) => builder.embedding(m).frozen(true),
            ("w2v-tuned", Some(m)) => builder.embedding(m),
            ("one-hot", _) => builder.one_hot(),
            _ => builder,
        };
        let mut lm = builder.build(&mut rng)?;
        if let Some(c) = lm.coverage() {
            println!(
                "[{variant}] embedding from word2vec: {} words matched, {} missing",
                c.matched,
                c.missing.len()
            );
        }
        println!(
            "[{variant}] model: V {v}, input {input}, hidden {}, {} parameters (f32); Adam {}, batch {}, clip {}, ≤ {} epochs",
            args.hidden,
            lm.net().params().len(),
            args.lr,
            args.batch,
            args.clip,
            args.epochs
        );
        let config = TrainConfig::new()
            .epochs(args.epochs)
            .batch_size(args.batch)
            .clip(Clip::norm(args.clip)?)
            .patience(args.patience);
        let (mut wall, mut cpu) = (Duration::ZERO, Duration::ZERO);
        let mut mark = (Instant::now(), cpu_time());
        let mut last = mark;
        let mut trained = 0usize;
        let start = Instant::now();
        let steps_per_epoch = fit_set.len().div_ceil(args.batch);
        lm.fit(
            config,
            Adam::new(args.lr)?,
            &fit_set,
            Some(&va),
            &mut rng,
            |p| match *p {
                Progress::Step { step, .. } => {
                    last = (Instant::now(), cpu_time());
                    if (step + 1) % 200 == 0 {
                        let done = (step % steps_per_epoch) + 1;
                        eprint!(
                            "\r[{variant}] step {done}/{steps_per_epoch}, {:.0} s   ",
                            start.elapsed().as_secs_f64()
                        );
                    }
                }
                Progress::Epoch {
                    epoch,
                    train_loss,
                    valid_loss,
                    improved,
                } => {
                    wall += last.0 - mark.0;
                    if let (Some(a), Some(b)) = (last.1, mark.1) {
                        cpu += a.saturating_sub(b);
                    }
                    trained += train_tokens;
                    let secs = (last.0 - mark.0).as_secs_f64();
                    eprint!("\r");
                    println!(
                        "[{variant}] epoch {}: train ppl {:.2}, valid ppl {:.2}{}, {:.0} tokens/s",
                        epoch + 1,
                        f64::from(train_loss).exp(),
                        f64::from(valid_loss.unwrap_or(f32::NAN)).exp(),
                        if improved { " (best)" } else { "" },
                        train_tokens as f64 / secs
                    );
                    mark = (Instant::now(), cpu_time());
                }
                _ => {}
            },
        )?;
        let ppl = lm.perplexity(&te)?;
        println!("test perplexity ({variant}): {ppl:.2}");
        let tps = trained as f64 / wall.as_secs_f64();
        let cps = trained as f64 / cpu.as_secs_f64();
        println!(
            "speed ({variant}): {tps:.0} tokens/s, {cps:.0} tokens per CPU-second ({} training tokens, {:.1} s wall, {:.1} s CPU)",
            trained,
            wall.as_secs_f64(),
            cpu.as_secs_f64()
        );
        for _ in 0..args.sample {
            let s = lm.generate(&[], 40, 1.0, &mut rng)?;
            println!("[{variant}] sample: {}", lm.decode(&s));
        }
        results.push((variant.clone(), ppl, tps, cps));
    }
    println!("summary (test perplexity; training tokens/s and per CPU-second):");
    for (variant, ppl, tps, cps) in &results {
        println!("  {variant:<11} {ppl:>8.2} {tps:>9.0} {cps:>9.0}");
    }
    Ok(())
}

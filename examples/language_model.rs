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
//! `bigram (add-k, k = …) test perplexity: …`,
//! `modified Kneser–Ney 5-gram test perplexity: …`, then per variant
//! `test perplexity (<variant>): <number>`,
//! `test perplexity (<variant> + KN5, λ = <λ>): <number>` (the linear interpolation
//! `λ·P_rnn + (1 − λ)·P_kn5`, λ chosen on valid by golden-section search on `[0, 1]`) and
//! `speed (<variant>): <n> tokens/s, <m> tokens per CPU-second`.

use rand::{RngExt, SeedableRng};
use recurrent::Parameters;
use recurrent::lm::{Bigram, KneserNey, LanguageModel, elman, mixture_perplexity, tune_mixture};
use recurrent::text::Vocab;
use recurrent::train::{Adam, Clip, Progress, TrainConfig};
use recurrent::word2vec::Architecture;
use std::error::Error;
use std::time::{Duration, Instant};

#[path = "support/progress.rs"]
mod progress;
use clap::Parser;

const VARIANTS: [&str; 4] = ["random", "w2v-frozen", "w2v-tuned", "one-hot"];

/// A word-level recurrent language model (embedding, Elman layer, softmax) on one sentence per
/// line, next to unigram and bigram baselines
#[derive(Parser)]
#[command(long_about = None)]
struct Args {
    /// One sentence per line
    #[arg(long, value_name = "FILE", default_value = "data/kjv.txt")]
    corpus: String,
    /// Hidden units
    #[arg(long, value_name = "N", default_value_t = 128)]
    hidden: usize,
    /// Embedding dimension
    #[arg(long, value_name = "N", default_value_t = 100)]
    dim: usize,
    /// At most this many epochs
    #[arg(long, value_name = "N", default_value_t = 10)]
    epochs: usize,
    /// Stop after N epochs without a better validation perplexity
    #[arg(long, value_name = "N", default_value_t = 2)]
    patience: usize,
    /// Sentences per step
    #[arg(long, value_name = "N", default_value_t = 32)]
    batch: usize,
    /// Adam learning rate
    #[arg(long, value_name = "X", default_value_t = 1e-3)]
    lr: f64,
    /// Gradient-norm clip
    #[arg(long, value_name = "X", default_value_t = 5.0)]
    clip: f64,
    /// Threads of the matrix products (needs --features threads) and of Word2Vec
    #[arg(long, value_name = "N", default_value_t = 1)]
    threads: usize,
    /// Read only the first N lines (default: all)
    #[arg(long, value_name = "N")]
    max_verses: Option<usize>,
    /// A timing run: train on N·batch verses drawn from the train split (default: all)
    #[arg(long, value_name = "N")]
    max_batches: Option<usize>,
    /// Comma-separated among random, w2v-frozen, w2v-tuned, one-hot, or none
    #[arg(long, value_name = "LIST", default_value = "random,w2v-frozen,w2v-tuned,one-hot",
          value_parser = variants)]
    variants: ::std::vec::Vec<String>,
    /// Word2Vec passes
    #[arg(long, value_name = "N", default_value_t = 5)]
    w2v_epochs: usize,
    /// Also write the Word2Vec vectors (word2vec text format; e.g. for rnn_lm.py --w2v)
    #[arg(long, value_name = "FILE")]
    save_w2v: Option<String>,
    /// Seed of every random draw
    #[arg(long, value_name = "N", default_value_t = 1)]
    seed: u64,
    /// Sampled verses printed per variant
    #[arg(long, value_name = "N", default_value_t = 2)]
    sample: usize,
    /// Initial weights: `xavier` (the crate's default) or `torch` (as `torch.nn.RNN` and
    /// `nn.Linear` draw them: `W_ax`, `W_aa`, `b_a` and the head's `W`, `b` from U(±1/√H))
    #[arg(long, value_name = "KIND", default_value = "xavier", value_parser = ["xavier", "torch"])]
    init: String,
}

/// `--variants`: a comma-separated list, or `none`.
fn variants(s: &str) -> Result<Vec<String>, String> {
    if s == "none" {
        return Ok(Vec::new());
    }
    s.split(',')
        .map(|v| {
            let v = v.trim();
            if VARIANTS.contains(&v) {
                Ok(v.to_string())
            } else {
                Err(format!(
                    "unknown variant {v:?} (random, w2v-frozen, w2v-tuned, one-hot, none)"
                ))
            }
        })
        .collect()
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
    let args = Args::parse();
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
    // modified Kneser–Ney 5-gram (Chen & Goodman's discounts, not tuned): the baseline, and
    // the per-token probabilities the networks are interpolated with
    let kn5 = KneserNey::fit(&tr, v, enc.eos(), 5)?;
    println!(
        "modified Kneser–Ney 5-gram test perplexity: {:.2} (valid {:.2})",
        kn5.perplexity(&te)?,
        kn5.perplexity(&va)?
    );
    let (kn_va, kn_te) = (kn5.token_probabilities(&va)?, kn5.token_probabilities(&te)?);

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
        let bar = progress::Progress::new("word2vec", 1, "words");
        let model = cfg
            .build()?
            .fit(|| sentences.iter(), &mut rng, progress::word2vec(&bar))?;
        bar.finish();
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
        if args.init == "torch" {
            let limit = 1.0 / (args.hidden as f32).sqrt();
            let draw = rand_distr::Uniform::new_inclusive(-limit, limit)?;
            for b in lm.net().param_blocks() {
                if ["cell.w_ax", "cell.w_aa", "cell.b_a", "head.w", "head.b"]
                    .contains(&b.name.as_str())
                {
                    for p in &mut lm.net_mut().params_mut()[b.offset..b.offset + b.len()] {
                        *p = rng.sample(draw);
                    }
                }
            }
        }
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
        let steps_per_epoch = fit_set.len().div_ceil(args.batch);
        let mut bar = progress::Progress::new(
            &format!("[{variant}] epoch 1"),
            steps_per_epoch as u64,
            "batches",
        );
        lm.fit(
            config,
            Adam::new(args.lr)?,
            &fit_set,
            Some(&va),
            &mut rng,
            |p| match *p {
                Progress::Step { step, .. } => {
                    last = (Instant::now(), cpu_time());
                    bar.set(((step % steps_per_epoch) + 1) as u64);
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
                    bar.finish();
                    println!(
                        "[{variant}] epoch {}: train ppl {:.2}, valid ppl {:.2}{}, {:.0} tokens/s",
                        epoch + 1,
                        f64::from(train_loss).exp(),
                        f64::from(valid_loss.unwrap_or(f32::NAN)).exp(),
                        if improved { " (best)" } else { "" },
                        train_tokens as f64 / secs
                    );
                    mark = (Instant::now(), cpu_time());
                    bar = progress::Progress::new(
                        &format!("[{variant}] epoch {}", epoch + 2),
                        steps_per_epoch as u64,
                        "batches",
                    );
                }
                _ => {}
            },
        )?;
        let ppl = lm.perplexity(&te)?;
        println!("test perplexity ({variant}): {ppl:.2}");
        // P = λ·P_rnn + (1 − λ)·P_kn5, λ chosen on valid
        let (rnn_va, rnn_te) = (lm.token_probabilities(&va)?, lm.token_probabilities(&te)?);
        let lambda = tune_mixture(&rnn_va, &kn_va)?;
        let mixed = mixture_perplexity(&rnn_te, &kn_te, lambda)?;
        println!(
            "test perplexity ({variant} + KN5, λ = {lambda:.2}): {mixed:.2} (valid {:.2})",
            mixture_perplexity(&rnn_va, &kn_va, lambda)?
        );
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
        results.push((variant.clone(), ppl, mixed, tps, cps));
    }
    println!("summary (test perplexity, alone and + KN5; training tokens/s and per CPU-second):");
    for (variant, ppl, mixed, tps, cps) in &results {
        println!("  {variant:<11} {ppl:>8.2} {mixed:>8.2} {tps:>9.0} {cps:>9.0}");
    }
    Ok(())
}

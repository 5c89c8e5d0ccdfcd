//! Lexical classes from word order, after Elman (1990), "Finding structure in time", section
//! "Discovering lexical classes from word order".
//!
//! 10,000 two- and three-word sentences are drawn from Elman's 16 templates over his 29 words
//! (human, animal, aggressive, inanimate, fragile and food nouns; intransitive, transitive,
//! agent-patient, perception, destroy and eat verbs) and concatenated into one stream of
//! 31-bit one-hot vectors, about 27,500 words. A 31-150-31 logistic Elman network (150
//! context units) learns to predict the next word over 6 passes with the paper's training
//! (truncated BPTT(1, 1), one SGD step per word). The weights frozen, each word's hidden
//! vector is averaged over all its occurrences, and the 29 mean vectors are clustered
//! (Euclidean distance, Ward's linkage by default, `--linkage average` for UPGMA).
//!
//! The program prints the first seed's dendrogram as text (`--all-trees` for every seed),
//! saves it as `elman_lexical.svg` in `--out DIR` (default `target/plots/`), and prints one
//! line per split over the seeds, `split <name>: <k>/<n> seeds`, for `nouns-verbs`,
//! `animate-inanimate`, `human-animal`, `food-fragile` and `verb-argument` (defined in
//! `examples/support/lexical.rs`, function `splits`, and in `docs/elman1990.md`).
//! Everything guessed where the paper is silent is listed at the top of that support file.
//!
//! `cargo run --release --example elman_lexical [-- --seeds N] [--quick] [--out DIR]
//! [--linkage ward|average|complete|single] [--passes N] [--lr X] [--momentum X]
//! [--error sum-squared|cross-entropy] [--carry]`

#[path = "support/lexical.rs"]
mod lexical;
#[path = "support/plot.rs"]
mod plot;

use clap::Parser;
use lexical::{ErrorFn, Linkage, Settings};
use std::path::PathBuf;

/// Elman (1990): lexical classes from the order of words, over several seeds.
#[derive(Parser)]
#[command(name = "elman_lexical")]
struct Args {
    /// Number of seeds (networks and corpora) to train.
    #[arg(long, default_value_t = 5)]
    seeds: usize,
    /// The tour's short run: 2,000 sentences instead of 10,000 (same network, same passes).
    #[arg(long)]
    quick: bool,
    /// Folder for the SVG dendrogram (default: target/plots/).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Linkage of the hierarchical clustering.
    #[arg(long, value_enum, default_value_t = Linkage::Ward)]
    linkage: Linkage,
    /// Print the text dendrogram of every seed, not only the first.
    #[arg(long)]
    all_trees: bool,
    /// Passes over the corpus (the paper: 6).
    #[arg(long, default_value_t = 6)]
    passes: usize,
    /// SGD learning rate (not in the paper).
    #[arg(long, default_value_t = 0.3)]
    lr: f64,
    /// SGD momentum (not in the paper; 0 is plain back-propagation).
    #[arg(long, default_value_t = 0.0)]
    momentum: f64,
    /// Error function: the paper's summed squared error on logistic outputs, or
    /// cross-entropy on a softmax output.
    #[arg(long, value_enum, default_value_t = ErrorFn::SumSquared)]
    error: ErrorFn,
    /// Carry the context from one pass into the next instead of restarting from 0.5.
    #[arg(long)]
    carry: bool,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let out = plot::out_dir(args.out.as_deref())?;
    let base = if args.quick {
        Settings::quick(args.linkage)
    } else {
        Settings::paper(args.linkage)
    };
    if args.passes == 0 {
        return Err("--passes must be at least 1".into());
    }
    let settings = Settings {
        passes: args.passes,
        lr: args.lr,
        momentum: args.momentum,
        error: args.error,
        carry: args.carry,
        ..base
    };
    let clock = std::time::Instant::now();
    lexical::experiment(&settings, args.seeds, &out, args.all_trees)?;
    println!("total time: {:.1} s", clock.elapsed().as_secs_f64());
    Ok(())
}

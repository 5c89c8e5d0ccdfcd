//! Letter sequences, after Elman (1990), "Finding structure in time", section 4.
//!
//! 1,000 random consonants from {b, d, g} are expanded b → ba, d → dii, g → guuu, and each
//! letter is coded by six features (Consonant, Vowel, Interrupted, High, Back, Voiced). A
//! 6-20-6 logistic Elman network learns to predict the next letter over 200 passes, and is
//! tested on a new stream. The consonants are random, so the error is high when a consonant
//! comes and low on the vowels, which follow from the consonant; per feature, the Consonant
//! bit is predicted well everywhere (the number of vowels tells when a consonant comes),
//! while the High bit is not (it tells *which* consonant). The example trains with the
//! paper's setup (truncated BPTT(1, 1)) and with BPTT through 12-step windows, prints both,
//! and saves `elman_letters.svg` and `elman_letters_features.svg` to `--out DIR` (default:
//! `target/plots/` in the workspace).
//!
//! `cargo run --release --example elman_letters [-- --quick] [--out DIR]`

#[path = "support/elman_paper.rs"]
mod elman_paper;
#[path = "support/plot.rs"]
mod plot;
#[path = "support/text.rs"]
mod text;

use clap::Parser;
use std::path::PathBuf;

/// Letter sequences after Elman (1990): error by letter and by feature
#[derive(Parser)]
#[command(long_about = None)]
struct Args {
    /// Fewer passes (30 instead of 200)
    #[arg(long)]
    quick: bool,
    /// Folder for the plots (default: target/plots/ in the workspace)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let out = plot::out_dir(args.out.as_deref())?;
    elman_paper::letters(args.quick, &out)?;
    Ok(())
}

//! Temporal XOR, after Elman (1990), "Finding structure in time", section 3.
//!
//! A 3,000-bit stream of random bit pairs, each followed by its XOR, is fed one bit at a
//! time to a 1-2-1 logistic Elman network (2 context units starting at 0.5) that predicts the
//! next bit. Only every third bit is predictable, so the error averaged per position of a
//! 12-bit cycle dips on every third bit and stays near chance elsewhere. The example trains
//! with the paper's setup (plain back-propagation with the context as input, which is
//! truncated BPTT(1, 1)) and with BPTT through 12-step windows, prints both error profiles,
//! and saves `elman_xor.svg` to `--out DIR` (default: `target/plots/` in the workspace).
//!
//! `cargo run --release --example elman_xor [-- --quick] [--out DIR]`

#[path = "support/elman_paper.rs"]
mod elman_paper;
#[path = "support/plot.rs"]
mod plot;
#[path = "support/text.rs"]
mod text;

use clap::Parser;
use std::path::PathBuf;

/// Temporal XOR after Elman (1990): error per position of a 12-bit cycle
#[derive(Parser)]
#[command(long_about = None)]
struct Args {
    /// Fewer passes (150 instead of 600)
    #[arg(long)]
    quick: bool,
    /// Folder for the plots (default: target/plots/ in the workspace)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let out = plot::out_dir(args.out.as_deref())?;
    elman_paper::xor(args.quick, &out)?;
    Ok(())
}

//! Part 4b of the tour, continued: Elman's (1990) lexical classes from word order, short
//! settings (the paper's sizes over five seeds are `cargo run --release --example
//! elman_lexical`).

#[path = "../support/lexical.rs"]
mod support;
// Other parts load the same plotting helpers; each part keeps its own copy so the parts stay
// independent of each other.
#[allow(clippy::duplicate_mod)]
#[path = "../support/svg.rs"]
mod svg;

use support::{Linkage, Settings};

/// One seed of the quick run (2,000 sentences, the paper's 31-150-31 net, 6 passes): the
/// dendrogram of the mean hidden vectors as text, and the split lines.
pub fn run() -> Result<(), Box<dyn std::error::Error>> {
    println!(
        "\n== 4b. Elman (1990), continued: lexical classes from word order (short settings) =="
    );
    let out = svg::out_dir(&[])?;
    support::experiment(&Settings::quick(Linkage::Ward), 1, &out, true)?;
    println!(
        "  (one seed on a fifth of the paper's corpus; the paper's sizes over five seeds: cargo run --release --example elman_lexical)"
    );
    Ok(())
}

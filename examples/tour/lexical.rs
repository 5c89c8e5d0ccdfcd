//! Part 4c of the tour: Elman's (1990) lexical classes from word order, short settings (the
//! paper's sizes, five seeds, are `cargo run --release --example elman_lexical`).

#[path = "../support/lexical.rs"]
mod lexical;
#[path = "../support/svg.rs"]
mod svg;

use lexical::{Linkage, Settings};

/// One seed of the quick run (2,000 sentences, the paper's 31-150-31 net, 6 passes): the
/// dendrogram of the mean hidden vectors as text, and the split lines.
pub fn run() -> Result<(), Box<dyn std::error::Error>> {
    println!("\n== 4c. Elman (1990), lexical classes from word order (short settings) ==");
    let out = svg::out_dir(&[])?;
    lexical::experiment(&Settings::quick(Linkage::Average), 1, &out, true)?;
    println!(
        "  (one seed of a fifth of the paper's corpus; the paper's sizes over five seeds: cargo run --release --example elman_lexical)"
    );
    Ok(())
}

//! Part 4b of the tour, continued: Elman's (1990) lexical classes from word order, short
//! settings (the paper's sizes over five seeds are `cargo run --release --example
//! elman_lexical`).

#[path = "../support/lexical.rs"]
mod support;

// `support` finds the tour's plotting helpers as `super::plot`
use crate::{plot, text};
use std::path::Path;
use support::{Linkage, Settings};

/// One seed of the quick run (2,000 sentences, the paper's 31-150-31 net, 6 passes): the
/// dendrogram of the mean hidden vectors as text, and the split lines.
pub fn run(out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    crate::story::heading(
        "4b",
        "Elman (1990), continued: lexical classes from word order (short settings)",
    );
    text::say(
        "  Words as one-hot columns in one continuous stream of two- and three-word sentences; \
         the network only learns to predict the next word. Averaging its hidden vector over \
         every occurrence of a word and clustering those averages shows which words it treats \
         alike: the classes come from word order alone.",
    );
    let (_, counts) = support::experiment(&Settings::quick(Linkage::Ward), 1, out, false)?;
    text::say(
        "  (one seed on a fifth of the paper's corpus; the paper's sizes over five seeds: \
         cargo run --release --example elman_lexical, figures in docs/elman1990.md)",
    );
    let found: Vec<&str> = counts
        .iter()
        .filter(|(_, k)| *k > 0)
        .map(|(name, _)| *name)
        .collect();
    crate::story::headline(&format!(
        "A 31-150-31 Elman net predicting the next word; clustering its mean hidden vectors \
         (Ward) finds {} of Elman's five splits in one short run: {}.",
        found.len(),
        if found.is_empty() {
            "none".to_string()
        } else {
            found.join(", ")
        }
    ));
    Ok(())
}

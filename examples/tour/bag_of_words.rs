//! Part 1 of the tour, the story's first step: bag of words is a *local* representation, one
//! dimension per word, so the matrix is huge and almost all zeros. The lecture's toy table,
//! then the share of zeros of the King James Bible's verse-by-word count matrix.

#[path = "../support/tfidf_table.rs"]
mod tfidf_table;

use nalgebra::DMatrix;
use std::error::Error;
use tfidf_table::{KjvBag, print_dense, toy_counts};

pub fn run() -> Result<(), Box<dyn Error>> {
    crate::story::heading(
        "1",
        "Bag of words: the local representation (one dimension per word)",
    );
    let (cv, x) = toy_counts()?;
    print_dense(cv.vocabulary(), &DMatrix::from(&x), 0);
    let triplets: Vec<String> = x
        .triplet_iter()
        .map(|(i, j, v)| format!("({i},{j})={v}"))
        .collect();
    crate::text::say(&format!("sparse triplets: {}", triplets.join(" ")));

    let kjv = KjvBag::measure()?;
    crate::text::say(&format!(
        "KJV, verses as documents: {} × {} matrix, {} non-zeros ({:.1} words per verse), \
         {:.3} % zeros  [{:.2} s]",
        kjv.docs,
        kjv.words,
        kjv.nnz,
        kjv.nnz as f64 / kjv.docs as f64,
        100.0 * kjv.zeros,
        kjv.secs
    ));
    crate::story::headline(&format!(
        "The King James Bible as a verse × word count matrix is {} × {} and {:.3} % zeros: \
         one dimension per word wastes almost all of it.",
        kjv.docs,
        kjv.words,
        100.0 * kjv.zeros
    ));
    Ok(())
}

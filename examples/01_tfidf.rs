//! Step 1 of the story: bag of words, the *local* representation.
//!
//! Reproduces the lecture's toy table (three short reviews, columns a, bad, film, good, is,
//! movie, this, very), first as a dense count matrix, then as the (row, col) value triplets
//! a sparse matrix stores, then weighted by TF-IDF (scikit-learn's defaults). Then it builds
//! the bag-of-words matrix of the King James Bible shipped in `data/kjv.txt`, one verse per
//! document, and prints the share of zeros: the lecture's "over 99%".
//!
//! `cargo run --release --example 01_tfidf`

#[path = "support/tfidf_table.rs"]
mod tfidf_table;

use nalgebra::DMatrix;
use recurrent::text::{TfidfOptions, TfidfVectorizer, sparsity};
use std::error::Error;
use tfidf_table::{DOCS, KjvBag, print_dense, toy_counts};

fn main() -> Result<(), Box<dyn Error>> {
    // The toy table.
    let (counts, x) = toy_counts()?;
    for (i, d) in DOCS.iter().enumerate() {
        println!("document {i}: “{d}”");
    }
    println!("\nbag of words (counts), dense:");
    print_dense(counts.vocabulary(), &DMatrix::from(&x), 0);
    println!("\nthe same, as the (row, col) value triplets of a sparse matrix:");
    for (i, j, v) in x.triplet_iter() {
        println!("  ({i}, {j})\t{v}");
    }
    println!(
        "{} of {} entries stored; share of zeros {:.1}%",
        x.nnz(),
        x.nrows() * x.ncols(),
        100.0 * sparsity(&x)?
    );

    let tfidf = TfidfVectorizer::from_counts(counts, TfidfOptions::default());
    println!("\nidf = ln((1 + n)/(1 + df)) + 1:");
    for (w, idf) in tfidf.vocabulary().iter().zip(tfidf.idf()) {
        print!(" {w}={idf:.4}");
    }
    println!("\n\nTF-IDF, rows l2-normalised (scikit-learn's defaults):");
    print_dense(
        tfidf.vocabulary(),
        &DMatrix::from(&tfidf.transform::<f64, _, _>(DOCS)?),
        3,
    );

    // The shipped corpus: one verse per document.
    let kjv = KjvBag::measure()?;
    let (n, v, nnz) = (kjv.docs, kjv.words, kjv.nnz);
    println!("\nKing James Bible (data/kjv.txt), verses as documents:");
    println!("  {n} documents × {v} words = {} entries", n * v);
    println!(
        "  {nnz} non-zeros, {:.1} distinct words per verse on average",
        nnz as f64 / n as f64
    );
    println!("  share of zeros: {:.3}%", 100.0 * kjv.zeros);
    println!(
        "  memory: dense f32 {:.0} MB, CSR {:.1} MB ({:.0}× smaller); fit + transform {:.2} s",
        (n * v * 4) as f64 / 1e6,
        kjv.csr_bytes() as f64 / 1e6,
        (n * v * 4) as f64 / kjv.csr_bytes() as f64,
        kjv.secs
    );
    Ok(())
}

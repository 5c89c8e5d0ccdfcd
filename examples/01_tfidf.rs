//! Step 1 of the story: bag of words, the *local* representation.
//!
//! Reproduces the lecture's toy table (three short reviews, columns a, bad, film, good, is,
//! movie, this, very), first as a dense count matrix, then as the (row, col) value triplets
//! a sparse matrix stores, then weighted by TF-IDF (scikit-learn's defaults). Then it builds
//! the bag-of-words matrix of the King James Bible shipped in `data/kjv.txt`, one verse per
//! document, and prints the share of zeros: the lecture's "over 99%".
//!
//! `cargo run --release --example 01_tfidf`

use nalgebra::DMatrix;
use recurrent::text::{CountVectorizer, TfidfOptions, TfidfVectorizer, Tokenizer, sparsity};
use std::error::Error;
use std::time::Instant;

const DOCS: [&str; 3] = [
    "This movie is very good.",
    "This film is a good",
    "Very bad. Very, very bad.",
];

fn print_dense(vocab: &[String], m: &DMatrix<f64>, decimals: usize) {
    let w = decimals.max(1) + 3;
    print!("   ");
    for v in vocab {
        print!(" {v:>w$}", w = w.max(v.len()));
    }
    println!();
    for i in 0..m.nrows() {
        print!("{i:>3}");
        for (j, v) in vocab.iter().enumerate() {
            print!(" {:>w$.decimals$}", m[(i, j)], w = w.max(v.len()));
        }
        println!();
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    // The toy table.
    let counts = CountVectorizer::fit(Tokenizer::default(), DOCS)?;
    let x = counts.transform::<f64, _, _>(DOCS)?;
    for (i, d) in DOCS.iter().enumerate() {
        println!("document {i}: {d:?}");
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
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/kjv.txt");
    let text = std::fs::read_to_string(path)?;
    let verses: Vec<&str> = text.lines().collect();
    let start = Instant::now();
    let cv = CountVectorizer::fit(Tokenizer::default(), &verses)?;
    let m = cv.transform::<f32, _, _>(&verses)?;
    let secs = start.elapsed().as_secs_f64();
    let (n, v, nnz) = (m.nrows(), m.ncols(), m.nnz());
    println!("\nKing James Bible (data/kjv.txt), verses as documents:");
    println!("  {n} documents × {v} words = {} entries", n * v);
    println!(
        "  {nnz} non-zeros, {:.1} distinct words per verse on average",
        nnz as f64 / n as f64
    );
    println!("  share of zeros: {:.3}%", 100.0 * sparsity(&m)?);
    // CSR stores a value and a column index per non-zero, plus one offset per row.
    let csr_bytes = nnz * (4 + 8) + (n + 1) * 8;
    println!(
        "  memory: dense f32 {:.0} MB, CSR {:.1} MB ({:.0}× smaller); fit + transform {:.2} s",
        (n * v * 4) as f64 / 1e6,
        csr_bytes as f64 / 1e6,
        (n * v * 4) as f64 / csr_bytes as f64,
        secs
    );
    Ok(())
}

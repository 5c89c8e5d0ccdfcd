//! The lecture's toy bag-of-words table (three short reviews, columns a, bad, film, good, is,
//! movie, this, very) and the King James Bible's verse-by-word matrix, shared by the
//! `01_tfidf` example and the tour's bag-of-words part.
#![allow(dead_code)]

use nalgebra::DMatrix;
use nalgebra_sparse::CsrMatrix;
use recurrent::text::{CountVectorizer, Tokenizer, sparsity};
use std::error::Error;
use std::time::Instant;

type Res<T> = Result<T, Box<dyn Error>>;

/// The lecture's three reviews.
pub const DOCS: [&str; 3] = [
    "This movie is very good.",
    "This film is a good",
    "Very bad. Very, very bad.",
];

/// The toy table: the fitted counts (vocabulary sorted alphabetically, as scikit-learn sorts
/// it) and the `3 × 8` count matrix.
pub fn toy_counts() -> Res<(CountVectorizer, CsrMatrix<f64>)> {
    let counts = CountVectorizer::fit(Tokenizer::default(), DOCS)?;
    let x = counts.transform::<f64, _, _>(DOCS)?;
    Ok((counts, x))
}

/// Prints a small matrix densely under its vocabulary, `decimals` digits per entry.
pub fn print_dense(vocab: &[String], m: &DMatrix<f64>, decimals: usize) {
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

/// The bag-of-words matrix of the shipped King James Bible, one verse per document.
pub struct KjvBag {
    /// Documents (verses).
    pub docs: usize,
    /// Vocabulary size.
    pub words: usize,
    /// Stored entries.
    pub nnz: usize,
    /// Share of zero entries.
    pub zeros: f64,
    /// Wall-clock seconds of fit + transform.
    pub secs: f64,
}

impl KjvBag {
    /// Fits the vocabulary of `data/kjv.txt` and counts every verse.
    pub fn measure() -> Res<Self> {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/kjv.txt"))?;
        let verses: Vec<&str> = text.lines().collect();
        let start = Instant::now();
        let cv = CountVectorizer::fit(Tokenizer::default(), &verses)?;
        let m = cv.transform::<f32, _, _>(&verses)?;
        Ok(Self {
            docs: m.nrows(),
            words: m.ncols(),
            nnz: m.nnz(),
            zeros: sparsity(&m)?,
            secs: start.elapsed().as_secs_f64(),
        })
    }

    /// Bytes of the CSR form: a value (`f32`) and a column index per non-zero, plus one
    /// offset per row.
    pub fn csr_bytes(&self) -> usize {
        self.nnz * (4 + 8) + (self.docs + 1) * 8
    }
}

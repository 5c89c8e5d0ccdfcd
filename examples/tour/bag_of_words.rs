//! Part 1 of the tour, the story's first step: bag of words is a *local* representation, one
//! dimension per word, so the matrix is huge and almost all zeros. The lecture's toy table,
//! then the share of zeros of the King James Bible's verse-by-word count matrix.

use nalgebra::DMatrix;
use recurrent::text::{CountVectorizer, Tokenizer, sparsity};
use std::error::Error;
use std::time::Instant;

pub fn run() -> Result<(), Box<dyn Error>> {
    println!("\n== 1. Bag of words: the local representation (one dimension per word)");
    let docs = [
        "This movie is very good.",
        "This film is a good",
        "Very bad. Very, very bad.",
    ];
    let cv = CountVectorizer::fit(Tokenizer::default(), docs)?;
    let x = cv.transform::<f64, _, _>(docs)?;
    let dense = DMatrix::from(&x);
    println!("   {}", cv.vocabulary().join(" "));
    for i in 0..dense.nrows() {
        let row: Vec<String> = (0..dense.ncols())
            .map(|j| format!("{:>w$}", dense[(i, j)], w = cv.vocabulary()[j].len()))
            .collect();
        println!("{i}  {}", row.join(" "));
    }
    let triplets: Vec<String> = x
        .triplet_iter()
        .map(|(i, j, v)| format!("({i},{j})={v}"))
        .collect();
    println!("sparse triplets: {}", triplets.join(" "));

    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/kjv.txt"))?;
    let verses: Vec<&str> = text.lines().collect();
    let start = Instant::now();
    let cv = CountVectorizer::fit(Tokenizer::default(), &verses)?;
    let m = cv.transform::<f32, _, _>(&verses)?;
    println!(
        "KJV, verses as documents: {} × {} matrix, {} non-zeros ({:.1} words per verse), \
         {:.3}% zeros  [{:.2} s]",
        m.nrows(),
        m.ncols(),
        m.nnz(),
        m.nnz() as f64 / m.nrows() as f64,
        100.0 * sparsity(&m)?,
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

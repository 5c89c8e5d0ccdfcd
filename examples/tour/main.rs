//! The tour: every step of the lecture's story, run on data the repository ships, each part
//! printing the figure it measured.
//!
//! `cargo run --release --example tour`

mod bag_of_words;
mod elman;
mod elman_paper;
mod hopfield;
mod jordan;
mod lexical;
mod lm;
mod long_memory;
mod rtrl;
mod spectral;
mod word2vec;

use std::error::Error;

fn main() -> Result<(), Box<dyn Error>> {
    println!("recurrent: a tour of the classic recurrent networks");
    bag_of_words::run()?;
    word2vec::run()?;
    hopfield::run()?;
    elman::run()?;
    elman_paper::run()?;
    lexical::run()?;
    jordan::run()?;
    rtrl::run()?;
    spectral::run()?;
    long_memory::run()?;
    lm::run()?;
    Ok(())
}

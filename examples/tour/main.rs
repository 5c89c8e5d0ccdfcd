//! The tour: every step of the lecture's story, run on data the repository ships, each part
//! printing the figure it measured.
//!
//! `cargo run --release --example tour`

mod elman;
mod word2vec;

use std::error::Error;

fn main() -> Result<(), Box<dyn Error>> {
    println!("recurrent: a tour of the classic recurrent networks");
    word2vec::run()?;
    elman::run()?;
    Ok(())
}

//! The tour: every step of the lecture's story, run on data the repository ships, each part
//! printing the figure it measured.
//!
//! `cargo run --release --example tour`

use std::error::Error;

mod word2vec;

fn main() -> Result<(), Box<dyn Error>> {
    println!("recurrent: a tour of the classic recurrent networks");
    word2vec::run()?;
    Ok(())
}

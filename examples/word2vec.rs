//! The `word2vec` program, a drop-in for the C tool's command line, run as an example:
//!
//! ```text
//! cargo run --release --example word2vec -- -train data/kjv.txt -output kjv.bin -binary 1
//! ```
//!
//! This file only builds `src/bin/word2vec.rs`, the program that
//! `cargo install recurrent --features cli` installs; `word2vec -help` (here
//! `cargo run --release --example word2vec -- -help`) prints its manual.

#[path = "../src/bin/word2vec.rs"]
mod program;

fn main() -> std::process::ExitCode {
    program::main()
}

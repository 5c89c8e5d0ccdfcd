//! The `word2vec_eval` program, which scores a word-vectors file on word analogies and word
//! similarity, run as an example:
//!
//! ```text
//! cargo run --release --example word2vec_eval -- kjv.bin
//! ```
//!
//! This file only builds `src/bin/word2vec_eval.rs`, the program that
//! `cargo install recurrent --features cli` installs; `word2vec_eval --help` (here
//! `cargo run --release --example word2vec_eval -- --help`) prints its manual.

#[path = "../src/bin/word2vec_eval.rs"]
mod program;

fn main() -> std::process::ExitCode {
    program::main()
}

//! The tour: every step of the lecture's story, run on data the repository ships, each part
//! printing the figure it measured. The plots of every part go into one folder (`--out DIR`,
//! default `target/plots/` in the workspace), with an `index.html` that shows every part's
//! headline figure and plots on one page.
//!
//! `cargo run --release --example tour [-- --out DIR]`

#[path = "../support/plot.rs"]
mod plot;
#[path = "../support/progress.rs"]
mod progress;
mod story;
#[path = "../support/text.rs"]
mod text;

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

use clap::Parser;
use std::error::Error;
use std::path::PathBuf;

/// A tour of the classic recurrent networks, from bag of words to a language model
#[derive(Parser)]
#[command(long_about = None)]
struct Args {
    /// Folder for the plots and index.html (default: target/plots/ in the workspace)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = Args::parse();
    let out = plot::out_dir(args.out.as_deref())?;
    plot::collect();
    let t0 = std::time::Instant::now();
    println!("recurrent: a tour of the classic recurrent networks");
    text::say(
        "From words as one-hot columns to dense vectors, then memories that settle (Hopfield), \
         networks that carry a state through time (Elman, Jordan), how they learn (BPTT, RTRL), \
         why long memories are hard (eigenvalues), what remembers anyway (LSTM, GRU), and a \
         language model that joins the pieces.",
    );
    bag_of_words::run()?;
    word2vec::run()?;
    hopfield::run(&out)?;
    elman::run(&out)?;
    elman_paper::run(&out)?;
    lexical::run(&out)?;
    jordan::run(&out)?;
    rtrl::run()?;
    spectral::run(&out)?;
    long_memory::run(&out)?;
    lm::run(&out)?;
    let index = story::write_index(&out)?;
    println!("\n== The end ==");
    println!(
        "every plot of this tour is in {}/, with a summary page: {}",
        plot::shown(&out),
        plot::shown(&index)
    );
    println!("(tour time {:.0} s)", t0.elapsed().as_secs_f64());
    Ok(())
}

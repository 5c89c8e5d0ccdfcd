//! The lecture's open problem, measured: which cells learn dependencies over hundreds of
//! steps, and why.
//!
//! Five cells at comparable parameter counts, each trained over several seeds with the same
//! optimiser (Adam, global-norm clipping at 1, fresh random batches every step):
//!
//! * `elman`: Elman, tanh, Xavier-initialised `W_aa`;
//! * `irnn`: Elman with ReLU and `W_aa = I`, input and output weights `N(0, 0.001²)` (Le,
//!   Jaitly & Hinton 2015);
//! * `orthogonal`: Elman, tanh, orthogonal `W_aa` (Saxe, McClelland & Ganguli 2014);
//! * `lstm`: LSTM (Hochreiter & Schmidhuber 1997; Gers et al. 2000), forget-gate bias 1
//!   (Jozefowicz et al. 2015), with a linear read-out;
//! * `gru`: GRU (Cho et al. 2014), with a linear read-out.
//!
//! Tasks:
//!
//! * the **adding problem** (Hochreiter & Schmidhuber 1997, as set up by Le, Jaitly & Hinton
//!   2015): two input rows, `T` numbers from `U[0, 1]` and a marker row with one 1 in the first
//!   half and one in the second; the target, read at the last step, is the sum of the two
//!   marked numbers. Always answering 1 has MSE `Var(u₁ + u₂) = 1/6 ≈ 0.167`.
//! * the **copy-memory task** (Arjovsky, Shah & Bengio 2016): ten symbols from 8, `delay − 1`
//!   blanks, a delimiter, ten blanks; the targets are blanks and then the ten symbols.
//!   Answering blanks and then guessing has cross-entropy `10·ln 8 / (delay + 20)` per step.
//!
//! Prints a table of the median final test error over seeds and the fraction of seeds that
//! beat the baseline (test error below 0.9 × the baseline's on the same test set), next to what
//! the papers report, and one line per cell and length in the form
//! `adding T=<T> <cell>: mse <x>, <k>/<n> seeds below baseline` (`<x>` the median). Plots the
//! gradient norm `‖∂L/∂h⟨t⟩‖` of a loss on the last step through time for every cell at
//! initialisation (`long_memory_gradients.svg`) and the median test error against `T`
//! (`long_memory_adding.svg`) into `--out DIR` (default `target/plots/`).
//!
//! The default budget (about 210 s of CPU, under two minutes on an idle 2-core machine) is far
//! below the papers': the table says what this budget achieves, not what the cells can do
//! eventually.
//!
//! `cargo run --release --example long_memory [-- --quick] [--seeds N] [--steps N]
//!  [--lengths 50,100,200,400] [--delays 10,20,40] [--lr X] [--threads N] [--out DIR]`

#[path = "support/long_memory.rs"]
mod long_memory;
#[path = "support/plot.rs"]
mod plot;
#[path = "support/progress.rs"]
mod progress;

use clap::Parser;
use long_memory::Settings;
use std::path::PathBuf;

/// Long-term dependencies measured: adding and copy-memory tasks for five cells over seeds
#[derive(Parser)]
#[command(long_about = None)]
struct Args {
    /// Two seeds, 600 steps, T = 50 and 100, delay 10 (the tour's settings)
    #[arg(long)]
    quick: bool,
    /// Seeds per cell and task
    #[arg(long, value_name = "N")]
    seeds: Option<usize>,
    /// Adam steps per run
    #[arg(long, value_name = "N")]
    steps: Option<usize>,
    /// Sequences per batch
    #[arg(long, value_name = "N")]
    batch: Option<usize>,
    /// Learning rate
    #[arg(long, value_name = "X")]
    lr: Option<f64>,
    /// Worker threads (default: all cores)
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Adding-problem lengths T, comma-separated
    #[arg(long, value_name = "T,...", value_delimiter = ',')]
    lengths: Option<Vec<usize>>,
    /// Copy-memory delays, comma-separated
    #[arg(long, value_name = "D,...", value_delimiter = ',')]
    delays: Option<Vec<usize>>,
    /// Cells to run, comma-separated (elman, irnn, orthogonal, lstm, gru)
    #[arg(long, value_name = "CELL,...", value_delimiter = ',', value_parser = long_memory::kind_by_name)]
    cells: Option<Vec<long_memory::Kind>>,
    /// Sequences in each test set
    #[arg(long, value_name = "N")]
    test: Option<usize>,
    /// Folder for the plots (default: target/plots/ in the workspace)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a = Args::parse();
    let mut s = if a.quick {
        Settings::quick()
    } else {
        Settings::default_run()
    };
    s.out = plot::out_dir(a.out.as_deref())?;
    s.seeds = a.seeds.unwrap_or(s.seeds);
    s.steps = a.steps.unwrap_or(s.steps);
    s.batch = a.batch.unwrap_or(s.batch);
    s.lr = a.lr.unwrap_or(s.lr);
    s.threads = a.threads.map_or(s.threads, |t| t.max(1));
    s.lengths = a.lengths.unwrap_or(s.lengths);
    s.delays = a.delays.unwrap_or(s.delays);
    s.cells = a.cells.unwrap_or(s.cells);
    s.test = a.test.unwrap_or(s.test);
    long_memory::run(&s.checked()?)?;
    Ok(())
}

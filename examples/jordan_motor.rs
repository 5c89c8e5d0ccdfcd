//! Jordan (1986) for motor control: a network that draws a closed 2-D loop on its own.
//!
//! A Jordan network's state units accumulate its own past outputs with self-decay μ
//! (`s⟨t⟩ = μ·s⟨t−1⟩ + y⟨t−1⟩`). Trained with teacher forcing (the state is fed the target
//! path instead of the outputs, with a little noise), a 1-32-2 network learns to emit the next
//! point of a periodic path, `(0.8·cos a, 0.5·sin a + 0.2·cos 2a)` at 24 steps per period;
//! then the feedback is switched to its own outputs and it generates the trajectory alone.
//! Teacher forcing alone learns the shape but drifts in phase; a short closed-loop
//! fine-tuning (BPTT through 8 steps of the network's own feedback) removes the drift. The
//! example prints the distance to the target per free-running period, for μ = 0.5 and μ = 0,
//! and saves `jordan_motor.svg` (target vs generated path) to `--out DIR` (default:
//! `target/plots/` in the workspace).
//!
//! A figure eight was tried first: it crosses itself at the origin, and with these settings
//! the free run switched branches there (for μ = 0.5 and μ = 0 alike), so it is not shown.
//!
//! `cargo run --release --example jordan_motor [-- --quick] [--out DIR]`

#[path = "support/jordan_motor.rs"]
mod jordan_motor;
#[path = "support/plot.rs"]
mod plot;
#[path = "support/text.rs"]
mod text;

use clap::Parser;
use std::path::PathBuf;

/// A Jordan (1986) network drawing a closed loop from its own output feedback
#[derive(Parser)]
#[command(long_about = None)]
struct Args {
    /// A shorter run
    #[arg(long)]
    quick: bool,
    /// Folder for the plots (default: target/plots/ in the workspace)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let out = plot::out_dir(args.out.as_deref())?;
    jordan_motor::motor(args.quick, &out)?;
    Ok(())
}

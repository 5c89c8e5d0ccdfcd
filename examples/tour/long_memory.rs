//! Tour part 8: the lecture's open problem, answered. The adding problem (T = 50, 100) and the
//! copy-memory task (delay 10) for Elman tanh, IRNN, orthogonal Elman, LSTM and GRU over two
//! seeds with a short budget, and the gradient norm ‖∂L/∂h⟨t⟩‖ through time per cell (the
//! full run, T up to 400, is the `long_memory` example).

#[path = "../support/long_memory.rs"]
mod full;

// `full` finds the tour's plotting and progress helpers as `super::plot`/`super::progress`
use crate::{plot, progress};
use std::path::Path;

/// Runs the reduced comparison (`long_memory --quick`), printing its tables and plots.
pub fn run(out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    crate::story::heading(
        "8",
        "Long-term dependencies: Elman, IRNN, orthogonal, LSTM, GRU (short settings)",
    );
    crate::text::say(
        "  The adding problem: two numbers are marked among T random ones, and the network must \
         output their sum at the end; answering 1 every time scores MSE 1/6 ≈ 0.167, so a \
         network beats that baseline only if it remembers the marked numbers across T steps. \
         IRNN is an Elman network with ReLU units and W started at the identity; orthogonal \
         is one with W started as a rotation; LSTM and GRU have gates that decide what to keep.",
    );
    let _ = progress::Progress::new;
    let mut settings = full::Settings::quick();
    settings.out = plot::out_dir(Some(out))?;
    let settings = settings.checked()?;
    let all = full::run(&settings)?;
    let t = settings.lengths.iter().copied().max().unwrap_or(100);
    let beat: Vec<String> = full::CELLS
        .iter()
        .map(|&kind| {
            let g: Vec<_> = all
                .iter()
                .filter(|o| {
                    o.kind == kind && o.task.kind == full::TaskKind::Adding && o.task.size == t
                })
                .collect();
            let k = g.iter().filter(|o| o.below_baseline()).count();
            format!("{} {k}/{}", kind.name(), g.len())
        })
        .collect();
    crate::story::headline(&format!(
        "Adding problem at T = {t}, seeds below the baseline (short budget): {}.",
        beat.join(", ")
    ));
    Ok(())
}

//! Tour part: the lecture's open problem, answered. The adding problem (T = 50, 100) and the
//! copy-memory task (delay 10) for Elman tanh, IRNN, orthogonal Elman, LSTM and GRU over two
//! seeds with a short budget, and the gradient norm ‖∂L/∂h⟨t⟩‖ through time per cell (the
//! full run, T up to 400, is the `long_memory` example).

#[allow(dead_code)] // the example's command line and `main` are not used here
#[path = "../long_memory.rs"]
mod full;

/// Runs the reduced comparison (`long_memory --quick`), printing its tables and plots.
pub fn run() -> Result<(), Box<dyn std::error::Error>> {
    println!(
        "\n== 8. Long-term dependencies: Elman, IRNN, orthogonal, LSTM, GRU (short settings) =="
    );
    full::run(&full::Settings::quick())
}

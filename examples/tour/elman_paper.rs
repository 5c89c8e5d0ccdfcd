//! Part 4b of the tour: Elman (1990), "Finding structure in time", with short settings (the full runs
//! are the `elman_xor` and `elman_letters` examples).

#[path = "../support/elman_paper.rs"]
pub mod paper;
#[path = "../support/svg.rs"]
mod svg;

/// Temporal XOR (150 passes) and letter sequences (30 passes), paper setup vs BPTT(12,12).
pub fn run() -> Result<(), Box<dyn std::error::Error>> {
    println!("\n== 4b. Elman (1990), \"Finding structure in time\" (short settings) ==");
    let out = svg::out_dir(&[])?;
    paper::xor(true, &out)?;
    println!();
    paper::letters(true, &out)?;
    Ok(())
}

//! Part 4b of the tour: Elman (1990), "Finding structure in time", with short settings (the
//! full runs are the `elman_xor` and `elman_letters` examples).

#[path = "../support/elman_paper.rs"]
pub mod paper;

// `paper` finds the tour's plotting and text helpers as `super::plot` and `super::text`
use crate::{plot, text};
use std::path::Path;

/// Temporal XOR (150 passes) and letter sequences (30 passes), paper setup vs BPTT(12,12).
pub fn run(out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    crate::story::heading(
        "4b",
        "Elman (1990), \"Finding structure in time\" (short settings)",
    );
    text::say(
        "  The same XOR task as part 4, now as Elman set it up, so the numbers differ: his \
         networks are smaller (1-2-1 and 1-4-1, logistic units, context units starting at 0.5), \
         they learn from one continuous stream by plain gradient descent, and the error is \
         measured as RMS per position of a 12-bit cycle. Part 4 used 8 tanh units, \
         momentum and 30-step windows, and reported the mean absolute error.",
    );
    text::say(
        "  \"BPTT(1,1)\" is Elman's own training: the error goes back one step only, the \
         context units treated as extra inputs; \"BPTT(12,12)\" goes back through 12 steps.",
    );
    let xor = paper::xor(true, out)?;
    println!();
    let letters = paper::letters(true, out)?;
    if let (Some(x), Some(l)) = (
        xor.iter().find(|r| r.label.starts_with("1-4-1, BPTT(12")),
        letters.first(),
    ) {
        crate::story::headline(&format!(
            "Elman's 1-4-1 network through 12 steps: RMS error {:.2} on the XOR bits against \
             {:.2} on random bits; letters: error {:.2} before a consonant, {:.2} before a vowel.",
            x.rms_xor, x.rms_random, l.rms_consonant, l.rms_vowel
        ));
    }
    Ok(())
}

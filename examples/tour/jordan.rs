//! Part 4c of the tour: a Jordan (1986) network for motor control, with short settings (the
//! full run is the `jordan_motor` example).

#[path = "../support/jordan_motor.rs"]
mod motor;

// `motor` finds the tour's plotting and text helpers as `super::plot` and `super::text`
use crate::{plot, text};
use std::path::Path;

/// Teacher forcing, then closed-loop tuning, then a free run of the loop.
pub fn run(out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    crate::story::heading(
        "4c",
        "Jordan (1986): generating a trajectory from output feedback (short settings)",
    );
    let results = motor::motor(true, out)?;
    if let Some(r) = results.first() {
        let last = r.closed_loop.period_rms.last().copied().unwrap_or(f64::NAN);
        let teacher = r
            .teacher_only
            .period_rms
            .last()
            .copied()
            .unwrap_or(f64::NAN);
        crate::story::headline(&format!(
            "A 1-32-2 Jordan network draws its loop alone: distance to the target {last:.3} in \
             the last free-running period after closed-loop tuning, {teacher:.3} after teacher \
             forcing alone (μ = {}).",
            r.mu
        ));
    }
    Ok(())
}

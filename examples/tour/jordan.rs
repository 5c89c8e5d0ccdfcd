//! Part 4c of the tour: a Jordan (1986) network for motor control, with short settings (the full run
//! is the `jordan_motor` example).

#[path = "../support/jordan_motor.rs"]
mod motor;
// The elman_paper part loads the same plotting helpers; each part keeps its own copy so the
// parts stay independent of each other.
#[allow(clippy::duplicate_mod)]
#[path = "../support/svg.rs"]
mod svg;

/// Teacher forcing, then closed-loop tuning, then a free run of the loop.
pub fn run() -> Result<(), Box<dyn std::error::Error>> {
    println!(
        "\n== 4c. Jordan (1986): generating a trajectory from output feedback (short settings) =="
    );
    motor::motor(true, &svg::out_dir(&[])?)?;
    Ok(())
}

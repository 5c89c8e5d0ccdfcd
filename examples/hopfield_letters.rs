//! Associative memory you can see: a Hopfield network stores 10×10 bitmap letters, then
//! recalls them from corrupted probes (flipped pixels, the lower half erased), printing the
//! probe, every synchronous sweep and the result as text art, and one probe that lands in a
//! spurious state (a stable mixture that is none of the letters).
//!
//! `cargo run --release --example hopfield_letters`

#[path = "support/hopfield_letters.rs"]
mod letters;

use letters::{LETTERS, SIDE, flip_pixels, show};
use nalgebra::{DMatrix, DVector};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use recurrent::AssociativeMemory;
use recurrent::hopfield::{Hopfield, Rule};
use recurrent::traits::Outcome;

/// Name of the stored letter equal to `s` (or its negative), if any.
fn identify(s: &DVector<f64>, x: &DMatrix<f64>) -> String {
    for (k, (name, _)) in LETTERS.iter().enumerate() {
        if s == &x.column(k) {
            return format!("letter {name}");
        }
        if s == &(-x.column(k)) {
            return format!("negative of {name}");
        }
    }
    "a spurious state".into()
}

/// Overlaps `m_μ = ξ^μ·s / N` with every letter.
fn overlaps(s: &DVector<f64>, x: &DMatrix<f64>) -> String {
    LETTERS
        .iter()
        .enumerate()
        .map(|(k, (name, _))| format!("{name}: {:+.2}", x.column(k).dot(s) / s.len() as f64))
        .collect::<Vec<_>>()
        .join("  ")
}

/// Prints the probe, each synchronous sweep and the end of recall.
fn recall_and_show(
    net: &Hopfield<f64>,
    x: &DMatrix<f64>,
    title: &str,
    probe: &DVector<f64>,
) -> Result<String, recurrent::Error> {
    println!("── {title}");
    let rec = net.recall_sync(probe)?;
    let mut frames = vec![probe.clone()];
    let mut s = probe.clone();
    for _ in 0..rec.steps {
        s = net.step_sync(&s)?;
        frames.push(s.clone());
    }
    let caps: Vec<String> = (0..frames.len())
        .map(|k| {
            if k == 0 {
                "probe".into()
            } else {
                format!("sweep {k}")
            }
        })
        .collect();
    let pairs: Vec<(&str, &DVector<f64>)> =
        caps.iter().map(String::as_str).zip(frames.iter()).collect();
    for chunk in pairs.chunks(6) {
        show(chunk);
    }
    let what = identify(&rec.state, x);
    let outcome = match rec.outcome {
        Outcome::FixedPoint => "a fixed point".to_string(),
        Outcome::Cycle { period } => format!("a {period}-cycle"),
        _ => "the sweep limit".to_string(),
    };
    println!(
        "ended at {outcome} after {} sweeps: {what}; energy {:.2} → {:.2}",
        rec.steps, rec.energy_trace[0], rec.energy
    );
    println!("overlaps with the letters: {}\n", overlaps(&rec.state, x));
    Ok(what)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(2024);
    let names: Vec<&str> = LETTERS.iter().map(|(name, _)| *name).collect();
    let x = letters::patterns(&names);
    let n = SIDE * SIDE;
    println!(
        "{} letters of {SIDE}×{SIDE} pixels, N = {n} units",
        LETTERS.len()
    );
    let shown: Vec<(&str, DVector<f64>)> = LETTERS
        .iter()
        .enumerate()
        .map(|(k, (name, _))| (*name, x.column(k).into_owned()))
        .collect();
    show(&shown.iter().map(|(n, s)| (*n, s)).collect::<Vec<_>>());
    let mut corr = String::new();
    for (a, (name_a, _)) in LETTERS.iter().enumerate() {
        for (b, (name_b, _)) in LETTERS.iter().enumerate().skip(a + 1) {
            corr += &format!(
                "{name_a}·{name_b} = {:+.2}  ",
                x.column(a).dot(&x.column(b)) / n as f64
            );
        }
    }
    println!("the letters are correlated (overlaps ξ^μ·ξ^ν/N): {corr}\n");

    for rule in [Rule::Hebbian, Rule::PseudoInverse] {
        let net = Hopfield::from_patterns(&x, rule)?;
        let fixed = net.fixed_points(&x)?;
        let rule_name = match rule {
            Rule::Hebbian => "Hebbian",
            Rule::PseudoInverse => "pseudo-inverse",
            _ => "other",
        };
        let kept = fixed.iter().filter(|f| **f).count();
        println!(
            "════ rule {rule_name}: every letter a fixed point? {} ({kept} of {})\n",
            if kept == fixed.len() { "yes" } else { "no" },
            fixed.len()
        );
        // 1. flipped pixels
        let probe = flip_pixels(&x.column(0).into_owned(), 20, &mut rng);
        recall_and_show(&net, &x, "letter A with 20 of 100 pixels flipped", &probe)?;
        // 2. lower half erased (set to background)
        let mut probe = x.column(2).into_owned();
        for i in n / 2..n {
            probe[i] = -1.0;
        }
        recall_and_show(&net, &x, "letter X with the lower half erased", &probe)?;
    }

    // 3. a spurious state: probes that mix letters end in stable states that are none of them
    let net = Hopfield::from_patterns(&x, Rule::Hebbian)?;
    let mut found = false;
    for trial in 0..200 {
        // start from an equal mixture of three letters: sign(ξ¹ + ξ² + ξ³), with a few flips
        let mut probe = DVector::from_fn(n, |i, _| {
            let v = x[(i, 0)] + x[(i, 1)] + x[(i, 2 + trial % 2)];
            if v > 0.0 { 1.0 } else { -1.0 }
        });
        for _ in 0..trial % 7 {
            let i = rng.random_range(0..n);
            probe[i] = -probe[i];
        }
        let rec = net.recall_sync(&probe)?;
        if identify(&rec.state, &x) == "a spurious state" && rec.converged() {
            recall_and_show(
                &net,
                &x,
                "Hebbian, a probe mixing three letters: a spurious state",
                &probe,
            )?;
            let e_letters: Vec<String> = (0..LETTERS.len())
                .map(|k| {
                    net.energy(&x.column(k).into_owned())
                        .map(|e| format!("{}: {e:.2}", LETTERS[k].0))
                })
                .collect::<Result<_, _>>()?;
            println!(
                "the spurious state is a local minimum (energy {:.2}); the letters sit at {}",
                rec.energy,
                e_letters.join(", ")
            );
            found = true;
            break;
        }
    }
    if !found {
        println!("no spurious state found from mixture probes (every probe reached a letter)");
    }
    Ok(())
}

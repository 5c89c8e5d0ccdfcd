//! Associative memory you can see: a Hopfield network stores 10×10 bitmap letters, then
//! recalls them from corrupted probes (flipped pixels, the lower half erased), printing the
//! probe, every synchronous sweep and the result as text art, and one probe that lands in a
//! spurious state (a stable mixture that is none of the letters).
//!
//! `cargo run --release --example hopfield_letters`

use nalgebra::{DMatrix, DVector};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use recurrent::AssociativeMemory;
use recurrent::hopfield::{Hopfield, Rule};
use recurrent::traits::Outcome;

const SIDE: usize = 10;

const LETTERS: [(&str, [&str; SIDE]); 4] = [
    (
        "A",
        [
            "....##....",
            "...####...",
            "..##..##..",
            ".##....##.",
            ".##....##.",
            ".########.",
            ".##....##.",
            ".##....##.",
            ".##....##.",
            "..........",
        ],
    ),
    (
        "T",
        [
            "##########",
            "##########",
            "....##....",
            "....##....",
            "....##....",
            "....##....",
            "....##....",
            "....##....",
            "....##....",
            "....##....",
        ],
    ),
    (
        "X",
        [
            "##......##",
            ".##....##.",
            "..##..##..",
            "...####...",
            "....##....",
            "...####...",
            "..##..##..",
            ".##....##.",
            "##......##",
            "..........",
        ],
    ),
    (
        "L",
        [
            ".##.......",
            ".##.......",
            ".##.......",
            ".##.......",
            ".##.......",
            ".##.......",
            ".##.......",
            ".##.......",
            ".########.",
            ".########.",
        ],
    ),
];

fn bitmap(rows: &[&str; SIDE]) -> DVector<f64> {
    DVector::from_iterator(
        SIDE * SIDE,
        rows.iter()
            .flat_map(|r| r.chars().map(|c| if c == '#' { 1.0 } else { -1.0 })),
    )
}

/// Text art of several states side by side, with captions.
fn show(states: &[(&str, &DVector<f64>)]) {
    for (cap, _) in states {
        print!("{cap:<13}");
    }
    println!();
    for r in 0..SIDE {
        for (_, s) in states {
            let line: String = (0..SIDE)
                .map(|c| if s[r * SIDE + c] > 0.0 { '█' } else { '·' })
                .collect();
            print!("{line}   ");
        }
        println!();
    }
    println!();
}

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
    let x = DMatrix::from_columns(&LETTERS.iter().map(|(_, b)| bitmap(b)).collect::<Vec<_>>());
    let n = SIDE * SIDE;
    println!(
        "{} letters of {SIDE}×{SIDE} pixels, N = {n} units",
        LETTERS.len()
    );
    let letters: Vec<(&str, DVector<f64>)> = LETTERS
        .iter()
        .enumerate()
        .map(|(k, (name, _))| (*name, x.column(k).into_owned()))
        .collect();
    show(&letters.iter().map(|(n, s)| (*n, s)).collect::<Vec<_>>());
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
        println!(
            "════ rule {rule:?}: every letter a fixed point? {:?}\n",
            fixed
        );
        // 1. flipped pixels
        let mut probe = x.column(0).into_owned();
        let mut idx: Vec<usize> = (0..n).collect();
        for i in 0..20 {
            let j = rng.random_range(i..n);
            idx.swap(i, j);
            probe[idx[i]] = -probe[idx[i]];
        }
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

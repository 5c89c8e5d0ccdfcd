//! How many patterns does a Hopfield network hold? Sweeps the load `α = p/N` for
//! N = 100, 200, 500, 1000 and the three learning rules, with random unbiased ±1 patterns,
//! and measures, averaged over random trials:
//!
//! * (a) the fraction of stored patterns that are exact fixed points;
//! * (b) the mean fraction of wrong bits after asynchronous recall started at a stored
//!   pattern (the Amit–Gutfreund–Sompolinsky measure; the *critical load* is where it
//!   crosses 1.5 %);
//! * (c) the fraction of probes with 10 % of their bits flipped that asynchronous recall
//!   returns exactly to the stored pattern.
//!
//! It prints a table per rule, writes `hopfield_capacity.svg` (to `--out DIR`, default
//! `target/plots/`), prints Hopfield's own 1982 figures at N = 100 next to ours, and ends with
//! one line per rule, `hebbian critical load: 0.13x`, for scripts.
//!
//! `cargo run --release --example hopfield_capacity -- [--out DIR] [--ns 100,200,500,1000]
//! [--trials 100:20,200:20,500:10,1000:4] [--quick]`
//!
//! The numpy reference (same conventions, same measures) found: Hebbian (b) crosses 1.5 % at
//! α = 0.149, 0.146, 0.133, 0.126 for N = 100, 200, 500, 1000; Storkey at 0.430, 0.434,
//! 0.430, 0.425; the pseudo-inverse never (every pattern a fixed point up to p = N), with
//! exact recall from 10 % noise below 50 % at α ≈ 0.51.

use nalgebra::DMatrix;
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use recurrent::AssociativeMemory;
use recurrent::hopfield::{Hopfield, Rule};
use std::collections::BTreeMap;
use std::error::Error;
use std::path::PathBuf;

#[path = "support/plot.rs"]
mod plot;
#[path = "support/progress.rs"]
mod progress;
use clap::Parser;
use plot::{Plot, Series};
use progress::Progress;

const RULES: [(&str, Rule, f64); 3] = [
    // name, rule, largest α of the grid (step 0.02)
    ("hebbian", Rule::Hebbian, 0.30),
    ("storkey", Rule::Storkey, 0.60),
    ("pinv", Rule::PseudoInverse, 1.00),
];
const NOISE: f64 = 0.10;
const SEED: u64 = 20_240_601;

/// The numpy reference's critical loads (capacity_critical.csv of the peers' hopfield folder):
/// (rule, N, (b) bits wrong > 1.5 %, (c) async exact < 50 %).
const REFERENCE: [(&str, usize, Option<f64>, f64); 12] = [
    ("hebbian", 100, Some(0.149), 0.167),
    ("hebbian", 200, Some(0.146), 0.143),
    ("hebbian", 500, Some(0.133), 0.117),
    ("hebbian", 1000, Some(0.126), 0.097),
    ("storkey", 100, Some(0.430), 0.426),
    ("storkey", 200, Some(0.434), 0.410),
    ("storkey", 500, Some(0.430), 0.401),
    ("storkey", 1000, Some(0.425), 0.396),
    ("pinv", 100, None, 0.508),
    ("pinv", 200, None, 0.508),
    ("pinv", 500, None, 0.510),
    ("pinv", 1000, None, 0.511),
];

/// Critical loads of one rule and N: (b), (c), (a); `None` if the curve never crosses.
type Critical = (Option<f64>, Option<f64>, Option<f64>);

/// One measurement: (a), (b), (c) for one rule, N, α and trial.
#[derive(Clone, Copy, Default)]
struct Point {
    fixed: f64,
    bits_wrong: f64,
    noisy_exact: f64,
}

fn patterns(n: usize, p: usize, r: &mut Xoshiro256PlusPlus) -> DMatrix<f64> {
    DMatrix::from_fn(n, p, |_, _| if r.random::<bool>() { 1.0 } else { -1.0 })
}

/// Copy of each column with exactly `k` distinct bits flipped.
fn noisy(x: &DMatrix<f64>, k: usize, r: &mut Xoshiro256PlusPlus) -> DMatrix<f64> {
    let mut y = x.clone();
    let n = x.nrows();
    let mut idx: Vec<usize> = (0..n).collect();
    for c in 0..x.ncols() {
        for i in 0..k {
            let j = r.random_range(i..n);
            idx.swap(i, j);
            y[(idx[i], c)] = -y[(idx[i], c)];
        }
    }
    y
}

fn grid(max: f64) -> Vec<f64> {
    (1..=(max / 0.02).round() as usize)
        .map(|k| k as f64 * 0.02)
        .collect()
}

/// Every α of every rule for one (N, trial): patterns are shared by the rules (paired).
fn run_trial(n: usize, trial: u64) -> Result<Vec<(usize, usize, Point)>, recurrent::Error> {
    let mut r = Xoshiro256PlusPlus::seed_from_u64(SEED ^ ((n as u64) << 20) ^ trial);
    let pmax = n;
    let xi_all = patterns(n, pmax, &mut r);
    let noisy_all = noisy(&xi_all, (NOISE * n as f64).round() as usize, &mut r);
    let mut out = Vec::new();
    for (ri, &(_, rule, amax)) in RULES.iter().enumerate() {
        let mut net = Hopfield::<f64>::builder(n, rule).build()?;
        let mut stored = 0;
        for (ai, alpha) in grid(amax).into_iter().enumerate() {
            let p = ((alpha * n as f64).round() as usize).max(1);
            let xi = xi_all.columns(0, p).into_owned();
            match rule {
                Rule::PseudoInverse => match Hopfield::from_patterns(&xi, rule) {
                    Ok(w) => net = w,
                    // at p = N the patterns may be numerically dependent: no point
                    Err(_) => continue,
                },
                _ => {
                    if p > stored {
                        net.store(&xi_all.columns(stored, p - stored).into_owned())?;
                    }
                }
            }
            stored = p;
            let mut probes = DMatrix::zeros(n, 2 * p);
            probes.columns_mut(0, p).copy_from(&xi);
            probes.columns_mut(p, p).copy_from(&noisy_all.columns(0, p));
            let mut order_rng = Xoshiro256PlusPlus::seed_from_u64(
                SEED ^ ((n as u64) << 20) ^ (trial << 8) ^ ri as u64,
            );
            order_rng = Xoshiro256PlusPlus::seed_from_u64(order_rng.random::<u64>() ^ p as u64);
            let rec = net.recall_async_batch(&probes, &mut order_rng)?;
            let mut pt = Point::default();
            let mut wrong = 0usize;
            for c in 0..p {
                if rec.steps[c] == 0 {
                    pt.fixed += 1.0;
                }
                wrong += (0..n).filter(|&i| rec.states[(i, c)] != xi[(i, c)]).count();
                if rec.states.column(p + c) == xi.column(c) {
                    pt.noisy_exact += 1.0;
                }
            }
            pt.fixed /= p as f64;
            pt.noisy_exact /= p as f64;
            pt.bits_wrong = wrong as f64 / (p * n) as f64;
            out.push((ri, ai, pt));
        }
    }
    Ok(out)
}

/// First α where `vals` crosses `thr` (upwards if `above`), linearly interpolated.
fn crossing(alphas: &[f64], vals: &[f64], thr: f64, above: bool) -> Option<f64> {
    for k in 0..vals.len() {
        let hit = if above { vals[k] > thr } else { vals[k] < thr };
        if hit {
            if k == 0 {
                return Some(alphas[0]);
            }
            let (a0, a1, v0, v1) = (alphas[k - 1], alphas[k], vals[k - 1], vals[k]);
            return Some(a0 + (thr - v0) * (a1 - a0) / (v1 - v0));
        }
    }
    None
}

/// Hopfield (1982), N = 100: start at each stored pattern, count errors at the end.
///
/// `zero_one`: Hopfield's own neurons `Vᵢ ∈ {0, 1}` with `Tᵢⱼ = Σ (2Vᵢ − 1)(2Vⱼ − 1)` and
/// threshold 0 fire when `Σⱼ Tᵢⱼ Vⱼ > 0`; with `sⱼ = 2Vⱼ − 1` that is the ±1 network with
/// thresholds `θᵢ = −Σⱼ wᵢⱼ`. Otherwise the symmetric ±1 convention with `θ = 0`.
fn hopfield_1982(
    trials: usize,
    zero_one: bool,
) -> Result<[(usize, f64, f64); 2], recurrent::Error> {
    let mut res = [(5, 0.0, 0.0), (15, 0.0, 0.0)];
    let mut r = Xoshiro256PlusPlus::seed_from_u64(1982);
    for entry in res.iter_mut() {
        let p = entry.0;
        let (mut exact, mut within5, mut total) = (0usize, 0usize, 0usize);
        for _ in 0..trials {
            let x = patterns(100, p, &mut r);
            let mut net = Hopfield::from_patterns(&x, Rule::Hebbian)?;
            if zero_one {
                let theta = -net.weights().column_sum();
                net = Hopfield::builder(100, Rule::Hebbian)
                    .thresholds(theta)
                    .build()?;
                net.store(&x)?;
            }
            let rec = net.recall_async_batch(&x, &mut r)?;
            for c in 0..p {
                let errs = (0..100)
                    .filter(|&i| rec.states[(i, c)] != x[(i, c)])
                    .count();
                exact += usize::from(errs == 0);
                within5 += usize::from(errs <= 5);
                total += 1;
            }
        }
        entry.1 = exact as f64 / total as f64;
        entry.2 = within5 as f64 / total as f64;
    }
    Ok(res)
}

/// How many patterns a Hopfield network holds: a load sweep for three learning rules
#[derive(Parser)]
#[command(long_about = None)]
struct Args {
    /// Folder for the plot (default: target/plots/ in the workspace)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Network sizes N, comma-separated
    #[arg(
        long,
        value_name = "N,...",
        value_delimiter = ',',
        default_value = "100,200,500,1000"
    )]
    ns: Vec<usize>,
    /// Trials per N as N:k pairs, comma-separated (default 100:20,200:20,500:10,1000:4; 4 for
    /// any other N)
    #[arg(long, value_name = "N:k,...", value_delimiter = ',', value_parser = trials_entry)]
    trials: Vec<(usize, usize)>,
    /// N = 100 and 200 only, 4 and 2 trials
    #[arg(long)]
    quick: bool,
}

fn trials_entry(s: &str) -> Result<(usize, usize), String> {
    let (k, v) = s
        .split_once(':')
        .ok_or_else(|| format!("{s:?}: entries are N:k"))?;
    let n = k.trim().parse().map_err(|e| format!("{k:?}: {e}"))?;
    let t = v.trim().parse().map_err(|e| format!("{v:?}: {e}"))?;
    Ok((n, t))
}

/// The sizes and the trials per size.
fn settings(a: &Args) -> (Vec<usize>, BTreeMap<usize, usize>) {
    let mut trials: BTreeMap<usize, usize> = [(100, 20), (200, 20), (500, 10), (1000, 4)]
        .into_iter()
        .collect();
    let mut ns = a.ns.clone();
    if a.quick {
        ns = vec![100, 200];
        trials = [(100, 4), (200, 2)].into_iter().collect();
    }
    trials.extend(a.trials.iter().copied());
    (ns, trials)
}

fn main() -> Result<(), Box<dyn Error>> {
    let cli = Args::parse();
    // the plot's folder is checked before the sweep, so a bad --out never loses a finished run
    let out = plot::out_dir(cli.out.as_deref())?;
    let (ns, trials) = settings(&cli);
    if ns.is_empty() {
        return Err("--ns: give at least one N".into());
    }
    let start = std::time::Instant::now();
    // tasks: (N, trial), largest first, shared by two worker threads
    let mut tasks: Vec<(usize, u64)> = Vec::new();
    for &n in ns.iter().rev() {
        for t in 0..*trials.get(&n).unwrap_or(&4) {
            tasks.push((n, t as u64));
        }
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    let bar = Progress::new("capacity sweep", tasks.len() as u64, "trials");
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(&(n, t)) = tasks.get(k) else { break };
                    let r = run_trial(n, t);
                    results.lock().expect("no worker panics").push((n, r));
                    bar.inc(1);
                }
            });
        }
    });
    bar.finish();
    // mean over trials: table[(rule, N)][α index]
    let mut sums: BTreeMap<(usize, usize), Vec<(Point, usize)>> = BTreeMap::new();
    for (n, r) in results.into_inner().expect("no worker panics") {
        for (ri, ai, pt) in r? {
            let v = sums
                .entry((ri, n))
                .or_insert_with(|| vec![(Point::default(), 0); grid(RULES[ri].2).len()]);
            v[ai].0.fixed += pt.fixed;
            v[ai].0.bits_wrong += pt.bits_wrong;
            v[ai].0.noisy_exact += pt.noisy_exact;
            v[ai].1 += 1;
        }
    }
    let mean = |ri: usize, n: usize| -> Vec<Option<Point>> {
        sums.get(&(ri, n))
            .map(|v| {
                v.iter()
                    .map(|(p, k)| {
                        (*k > 0).then(|| Point {
                            fixed: p.fixed / *k as f64,
                            bits_wrong: p.bits_wrong / *k as f64,
                            noisy_exact: p.noisy_exact / *k as f64,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default()
    };

    println!(
        "Hopfield capacity: random ±1 patterns, asynchronous recall, probes with {:.0} % of bits flipped",
        100.0 * NOISE
    );
    let per_n: Vec<String> = ns
        .iter()
        .map(|n| format!("N = {n}: {}", trials.get(n).unwrap_or(&4)))
        .collect();
    println!("trials per N: {}\n", per_n.join(", "));
    println!(
        "cells: (a) fixed-point fraction / (b) % bits wrong from a stored pattern / (c) exact recall from 10 % noise\n"
    );
    for (ri, (name, _, amax)) in RULES.iter().enumerate() {
        let alphas = grid(*amax);
        print!("{name:<8} {:>5} ", "α");
        for n in &ns {
            print!("| {:<23}", format!("N = {n}"));
        }
        println!();
        let cols: Vec<Vec<Option<Point>>> = ns.iter().map(|&n| mean(ri, n)).collect();
        for (ai, a) in alphas.iter().enumerate() {
            // print every other row beyond α = 0.3 to keep the table short
            if *a > 0.301 && ai % 2 == 0 {
                continue;
            }
            print!("{:<8} {a:>5.2} ", "");
            for c in &cols {
                let cell = match c.get(ai).copied().flatten() {
                    Some(p) => format!(
                        "{:.2} / {:>5.2} % / {:.2}",
                        p.fixed,
                        100.0 * p.bits_wrong,
                        p.noisy_exact
                    ),
                    None => "–".to_string(),
                };
                print!("| {cell:<23}");
            }
            println!();
        }
        println!();
    }

    // critical loads
    let mut crit: BTreeMap<(usize, usize), Critical> = BTreeMap::new();
    println!("critical loads α_c (ours | numpy reference)");
    println!(
        "{:<8} {:>5}   {:<22}   {:<22}   (a) fixed < 50 %",
        "rule", "N", "(b) bits wrong > 1.5 %", "(c) noisy exact < 50 %"
    );
    for (ri, (name, _, amax)) in RULES.iter().enumerate() {
        for &n in &ns {
            let pts = mean(ri, n);
            let (al, vals): (Vec<f64>, Vec<Point>) = grid(*amax)
                .into_iter()
                .zip(pts)
                .filter_map(|(a, p)| p.map(|p| (a, p)))
                .unzip();
            let b = crossing(
                &al,
                &vals.iter().map(|p| p.bits_wrong).collect::<Vec<_>>(),
                0.015,
                true,
            );
            let c = crossing(
                &al,
                &vals.iter().map(|p| p.noisy_exact).collect::<Vec<_>>(),
                0.5,
                false,
            );
            let a = crossing(
                &al,
                &vals.iter().map(|p| p.fixed).collect::<Vec<_>>(),
                0.5,
                false,
            );
            crit.insert((ri, n), (b, c, a));
            let f = |x: Option<f64>| x.map_or("never".to_string(), |v| format!("{v:.3}"));
            let reference = REFERENCE.iter().find(|r| r.0 == *name && r.1 == n);
            let (rb, rc) = reference.map_or(("–".to_string(), "–".to_string()), |r| {
                (f(r.2), format!("{:.3}", r.3))
            });
            println!(
                "{name:<8} {n:>5}   {:<22}   {:<22}   {}",
                format!("{:>6} | {:<6}", f(b), rb),
                format!("{:>6} | {:<6}", f(c), rc),
                f(a)
            );
        }
    }

    // Hopfield (1982) at N = 100
    println!(
        "\nHopfield (1982), N = 100, Hebbian, recall started at each stored pattern (200 trials):"
    );
    println!(
        "  paper: p = 5 recalled essentially always exactly; p = 15 about half end within 5 errors"
    );
    for (label, zero_one) in [
        ("±1 units, θ = 0 (this crate's convention)", false),
        ("0/1 units, threshold 0 (Hopfield's)    ", true),
    ] {
        let h = hopfield_1982(200, zero_one)?;
        println!(
            "  {label}: p = 5: {:5.1} % exact, {:5.1} % within 5 errors; p = 15: {:5.1} % exact, {:5.1} % within 5 errors",
            100.0 * h[0].1,
            100.0 * h[0].2,
            100.0 * h[1].1,
            100.0 * h[1].2
        );
    }

    let path = capacity_plot(&ns, &mean, &out)?;
    println!();
    plot::announce(&path);
    println!(
        "wall time {:.1} s (2 worker threads, shared machine)\n",
        start.elapsed().as_secs_f64()
    );

    // (b) at the largest N, one line per rule for scripts
    let nmax = *ns.iter().max().ok_or("no N given")?;
    for (ri, (name, _, amax)) in RULES.iter().enumerate() {
        match crit.get(&(ri, nmax)).and_then(|c| c.0) {
            Some(v) => println!("{name} critical load: {v:.3}"),
            None => println!(
                "{name} critical load: none (bit errors stay below 1.5 % up to α = {amax:.2}, N = {nmax})"
            ),
        }
    }
    Ok(())
}

/// Two panels: (b) bits wrong and (c) noisy exact recall against α; one colour per rule,
/// solid lines for the largest N and dashed for the smallest.
fn capacity_plot(
    ns: &[usize],
    mean: &dyn Fn(usize, usize) -> Vec<Option<Point>>,
    out: &std::path::Path,
) -> Result<PathBuf, String> {
    let colours = ["#1f77b4", "#d62728", "#2ca02c"];
    let (small, large) = (
        *ns.iter().min().unwrap_or(&100),
        *ns.iter().max().unwrap_or(&100),
    );
    let mut panels = Vec::new();
    for which in 0..2 {
        let mut p = if which == 0 {
            let mut p = Plot::new(
                "(b) wrong bits after recall from a stored pattern",
                "load α = p/N (patterns per unit)",
                "fraction of bits wrong",
            );
            p.y_range = Some((0.0, 0.35));
            p.hlines.push((0.015, "1.5 %".into()));
            p
        } else {
            let mut p = Plot::new(
                "(c) exact recall from 10 % noise",
                "load α = p/N (patterns per unit)",
                "fraction of probes recalled exactly",
            );
            p.y_range = Some((0.0, 1.0));
            p
        };
        p.x_range = Some((0.0, 1.0));
        p.size = (640, 440);
        for (ri, (name, _, amax)) in RULES.iter().enumerate() {
            let sizes: Vec<usize> = if small == large {
                vec![small]
            } else {
                vec![small, large]
            };
            for n in sizes {
                let pts = grid(*amax)
                    .into_iter()
                    .zip(mean(ri, n))
                    .filter_map(|(a, p)| p.map(|p| (a, p)))
                    .map(|(a, p)| {
                        let v = if which == 0 {
                            p.bits_wrong
                        } else {
                            p.noisy_exact
                        };
                        (a, v)
                    })
                    .collect();
                let s = Series::line(&format!("{name}, N = {n}"), colours[ri], pts);
                p.series.push(if n == small && small != large {
                    s.dashed()
                } else {
                    s
                });
            }
        }
        panels.push(p);
    }
    plot::save_row(
        "Hopfield capacity: random ±1 patterns, asynchronous recall, three learning rules",
        &panels,
        out,
        "hopfield_capacity.svg",
    )
}

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
use std::fmt::Write as _;
use std::path::PathBuf;

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

struct Args {
    out: PathBuf,
    ns: Vec<usize>,
    trials: BTreeMap<usize, usize>,
}

fn parse_args() -> Result<Args, Box<dyn Error>> {
    let mut a = Args {
        out: PathBuf::from("target/plots"),
        ns: vec![100, 200, 500, 1000],
        trials: [(100, 20), (200, 20), (500, 10), (1000, 4)]
            .into_iter()
            .collect(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--out" => a.out = PathBuf::from(it.next().ok_or("--out needs a directory")?),
            "--ns" => {
                a.ns = it
                    .next()
                    .ok_or("--ns needs a list")?
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()?
            }
            "--trials" => {
                for kv in it.next().ok_or("--trials needs N:k,...")?.split(',') {
                    let (k, v) = kv.split_once(':').ok_or("--trials entries are N:k")?;
                    a.trials.insert(k.parse()?, v.parse()?);
                }
            }
            "--quick" => {
                a.ns = vec![100, 200];
                a.trials = [(100, 4), (200, 2)].into_iter().collect();
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    Ok(a)
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = parse_args()?;
    // the plot's folder is checked before the sweep, so a bad --out never loses a finished run
    if args.out.exists() && !args.out.is_dir() {
        return Err(format!("--out {}: is a file, not a folder", args.out.display()).into());
    }
    std::fs::create_dir_all(&args.out).map_err(|e| format!("--out {}: {e}", args.out.display()))?;
    let start = std::time::Instant::now();
    // tasks: (N, trial), largest first, shared by two worker threads
    let mut tasks: Vec<(usize, u64)> = Vec::new();
    for &n in args.ns.iter().rev() {
        for t in 0..*args.trials.get(&n).unwrap_or(&4) {
            tasks.push((n, t as u64));
        }
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(&(n, t)) = tasks.get(k) else { break };
                    let r = run_trial(n, t);
                    results.lock().expect("no worker panics").push((n, r));
                }
            });
        }
    });
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
    println!("trials per N: {:?}\n", args.trials);
    println!(
        "cells: (a) fixed-point fraction / (b) % bits wrong from a stored pattern / (c) exact recall from 10 % noise\n"
    );
    for (ri, (name, _, amax)) in RULES.iter().enumerate() {
        let alphas = grid(*amax);
        print!("{name:<8} α   ");
        for n in &args.ns {
            print!("| N={n:<22}");
        }
        println!();
        let cols: Vec<Vec<Option<Point>>> = args.ns.iter().map(|&n| mean(ri, n)).collect();
        for (ai, a) in alphas.iter().enumerate() {
            // print every other row beyond α = 0.3 to keep the table short
            if *a > 0.301 && ai % 2 == 0 {
                continue;
            }
            print!("         {a:.2} ");
            for c in &cols {
                match c.get(ai).copied().flatten() {
                    Some(p) => print!(
                        "| {:.2} / {:>5.2}% / {:.2}     ",
                        p.fixed,
                        100.0 * p.bits_wrong,
                        p.noisy_exact
                    ),
                    None => print!("| {:<23}", "–"),
                }
            }
            println!();
        }
        println!();
    }

    // critical loads
    let mut crit: BTreeMap<(usize, usize), Critical> = BTreeMap::new();
    println!("critical loads α_c (ours | numpy reference)");
    println!("rule      N     (b) bits wrong > 1.5 %   (c) noisy exact < 50 %   (a) fixed < 50 %");
    for (ri, (name, _, amax)) in RULES.iter().enumerate() {
        for &n in &args.ns {
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
                "{name:<8} {n:>5}   {:>6} | {:<6}          {:>6} | {:<6}          {:>6}",
                f(b),
                rb,
                f(c),
                rc,
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

    let svg = plot(&args.ns, &mean);
    let path = args.out.join("hopfield_capacity.svg");
    std::fs::write(&path, svg)?;
    println!("\nplot: {}", path.display());
    println!(
        "wall time {:.1} s (2 worker threads, shared machine)\n",
        start.elapsed().as_secs_f64()
    );

    // (b) at the largest N, one line per rule for scripts
    let nmax = *args.ns.iter().max().ok_or("no N given")?;
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
/// one dash pattern per N.
fn plot(ns: &[usize], mean: &dyn Fn(usize, usize) -> Vec<Option<Point>>) -> String {
    let (w, h) = (1000.0, 420.0);
    let colours = ["#1f77b4", "#d62728", "#2ca02c"];
    let dashes = ["", "6,3", "2,3", "10,3,2,3"];
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
"#
    );
    let panels = [
        (
            "(b) fraction of wrong bits after recall from a stored pattern",
            0.0,
            0.35,
            0,
        ),
        ("(c) exact recall from 10 % noise", 0.0, 1.0, 1),
    ];
    for (k, (title, y0, y1, which)) in panels.iter().enumerate() {
        let (left, top, pw, ph) = (60.0 + k as f64 * 490.0, 40.0, 420.0, 320.0);
        let x_of = |a: f64| left + a / 1.0 * pw;
        let y_of = |v: f64| top + ph - (v - y0) / (y1 - y0) * ph;
        let _ = writeln!(
            s,
            r#"<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="black"/>
<text x="{}" y="{}" text-anchor="middle">{title}</text>
<text x="{}" y="{}" text-anchor="middle">load α = p/N</text>"#,
            left + pw / 2.0,
            top - 12.0,
            left + pw / 2.0,
            top + ph + 32.0
        );
        for t in 0..=5 {
            let a = t as f64 * 0.2;
            let v = y0 + (y1 - y0) * t as f64 / 5.0;
            let _ = writeln!(
                s,
                r#"<text x="{}" y="{}" text-anchor="middle">{a:.1}</text><text x="{}" y="{}" text-anchor="end">{v:.2}</text>"#,
                x_of(a),
                top + ph + 15.0,
                left - 5.0,
                y_of(v) + 4.0
            );
        }
        if *which == 0 {
            let y = y_of(0.015);
            let _ = writeln!(
                s,
                r##"<line x1="{left}" y1="{y}" x2="{}" y2="{y}" stroke="#999" stroke-dasharray="3,3"/><text x="{}" y="{}" fill="#666">1.5 %</text>"##,
                left + pw,
                left + pw - 40.0,
                y - 4.0
            );
        }
        for (ri, (name, _, amax)) in RULES.iter().enumerate() {
            for (ni, &n) in ns.iter().enumerate() {
                let pts: Vec<String> = grid(*amax)
                    .into_iter()
                    .zip(mean(ri, n))
                    .filter_map(|(a, p)| p.map(|p| (a, p)))
                    .map(|(a, p)| {
                        let v = if *which == 0 {
                            p.bits_wrong
                        } else {
                            p.noisy_exact
                        };
                        format!("{:.1},{:.1}", x_of(a), y_of(v.min(*y1)))
                    })
                    .collect();
                let _ = writeln!(
                    s,
                    r#"<polyline fill="none" stroke="{}" stroke-width="1.5" stroke-dasharray="{}" points="{}"><title>{name} N={n}</title></polyline>"#,
                    colours[ri],
                    dashes[ni % dashes.len()],
                    pts.join(" ")
                );
            }
        }
    }
    // legend
    for (ri, (name, _, _)) in RULES.iter().enumerate() {
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" fill="{}">{name}</text>"#,
            80.0 + ri as f64 * 90.0,
            h - 12.0,
            colours[ri]
        );
    }
    for (ni, &n) in ns.iter().enumerate() {
        let x = 400.0 + ni as f64 * 120.0;
        let _ = writeln!(
            s,
            r#"<line x1="{x}" y1="{}" x2="{}" y2="{}" stroke="black" stroke-dasharray="{}"/><text x="{}" y="{}">N={n}</text>"#,
            h - 16.0,
            x + 30.0,
            h - 16.0,
            dashes[ni % dashes.len()],
            x + 35.0,
            h - 12.0
        );
    }
    s.push_str("</svg>\n");
    s
}

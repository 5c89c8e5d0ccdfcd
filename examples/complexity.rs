//! The cost of learning through time, measured: time per step of RTRL and of BPTT as the
//! hidden layer grows, the fitted log–log exponents, and the memory each algorithm actually
//! allocates, next to the lecture's formulas (BPTT `O(T·N²)` time, `O(T·N)` memory; RTRL
//! `O(T·N⁴)` time and `O(N³)` memory — the lecture's `O(T·N³)` for RTRL memory counts the
//! sensitivities once per step, but RTRL overwrites them, so they do not grow with `T`).
//!
//! An Elman cell with 8 inputs and 8 outputs, f64, batch 1. RTRL for `N ∈ {8, 16, …, 128}`,
//! BPTT for `N ∈ {8, 16, …, 512}`; `--full` measures three times longer per size. Each time is the median of
//! several repetitions; the machine may be shared, so read ratios and slopes rather than
//! absolute times.
//!
//! `cargo run --release --example complexity [-- --full] [--reference rtrl_ref.txt]`
//!
//! With `--reference FILE`, the `rtrl_step` lines of the numpy reference's output
//! (`rtrl_ref.py` of the peer comparison, CSV: `rtrl_step,N=32;…,float64,1,<s/step>,…`) are
//! read and the ratios numpy / Rust (wall and CPU time) printed per `N`.
//!
//! The last two lines are `BPTT time exponent: x.xx` and `RTRL time exponent: x.xx`, each
//! fitted over the three largest sizes, on CPU time where the platform reports it (Linux),
//! which a shared machine disturbs less than wall-clock time.

use nalgebra::DMatrix;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, StandardNormal};
use recurrent::grad::{Batch, Bptt, Loss, Rtrl};
use recurrent::{Elman, Parameters, Sequence};
use std::time::Instant;

const INPUT: usize = 8;
const OUTPUT: usize = 8;

fn random(rows: usize, cols: usize, rng: &mut Xoshiro256PlusPlus) -> DMatrix<f64> {
    DMatrix::from_fn(rows, cols, |_, _| StandardNormal.sample(rng))
}

fn net(n: usize, rng: &mut Xoshiro256PlusPlus) -> Result<Elman<f64>, recurrent::Error> {
    Elman::<f64>::builder(INPUT, n, OUTPUT).build(rng)
}

/// CPU time of this thread in seconds (Linux: `/proc/thread-self/schedstat`), so that a
/// shared machine's queueing does not count; `None` elsewhere.
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns * 1e-9)
}

/// Wall and CPU seconds per step, medians over repetitions.
#[derive(Clone, Copy)]
struct Timing {
    wall: f64,
    cpu: f64,
}

impl Timing {
    /// CPU time where it was measured (the better figure on a shared machine), else wall.
    fn cpu_or_wall(self) -> f64 {
        if self.cpu.is_finite() && self.cpu > 0.0 {
            self.cpu
        } else {
            self.wall
        }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Seconds per step of RTRL (median over repetitions), and the sensitivity bytes.
fn time_rtrl(n: usize, budget: f64) -> Result<(Timing, usize), Box<dyn std::error::Error>> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(n as u64);
    let cell = net(n, &mut rng)?;
    let xs = random(INPUT, 64, &mut rng);
    let ds = random(OUTPUT, 64, &mut rng);
    let mut ws = Rtrl::new(&cell, 1)?;
    let loss = Loss::sum_squared();
    // calibrate: steps per repetition so that one repetition takes about budget / 7
    let start = Instant::now();
    let mut calib = 0;
    while calib < 2 || start.elapsed().as_secs_f64() < budget / 20.0 {
        ws.step(
            &cell,
            xs.columns(calib % 64, 1),
            ds.columns(calib % 64, 1),
            loss,
        )?;
        calib += 1;
    }
    let per = start.elapsed().as_secs_f64() / calib as f64;
    let steps = ((budget / 7.0 / per) as usize).max(2);
    let (mut times, mut cpus) = (Vec::new(), Vec::new());
    for _ in 0..7 {
        ws.reset(&cell, None)?;
        let (t0, c0) = (Instant::now(), cpu_seconds());
        for t in 0..steps {
            ws.step(&cell, xs.columns(t % 64, 1), ds.columns(t % 64, 1), loss)?;
        }
        times.push(t0.elapsed().as_secs_f64() / steps as f64);
        cpus.push(
            cpu_seconds()
                .zip(c0)
                .map_or(f64::NAN, |(c1, c0)| (c1 - c0) / steps as f64),
        );
    }
    let timing = Timing {
        wall: median(times),
        cpu: median(cpus),
    };
    Ok((timing, ws.sensitivity_len() * std::mem::size_of::<f64>()))
}

/// Seconds per step of BPTT (forward + backward over T = 200 steps), and the bytes of the
/// stored states (and outputs) of the forward record.
fn time_bptt(n: usize, budget: f64) -> Result<(Timing, usize), Box<dyn std::error::Error>> {
    const T: usize = 200;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(n as u64);
    let cell = net(n, &mut rng)?;
    let xs = Sequence::new(random(INPUT, T, &mut rng), 1)?;
    let ds = Sequence::new(random(OUTPUT, T, &mut rng), 1)?;
    let mut ws = Bptt::new(&cell, T, 1);
    let loss = Loss::sum_squared();
    let start = Instant::now();
    let mut calib = 0;
    while calib < 2 || start.elapsed().as_secs_f64() < budget / 20.0 {
        ws.compute(&cell, Batch::new(&xs, &ds), loss)?;
        calib += 1;
    }
    let per = start.elapsed().as_secs_f64() / calib as f64;
    let reps = ((budget / 7.0 / per) as usize).max(1);
    let (mut times, mut cpus) = (Vec::new(), Vec::new());
    for _ in 0..7 {
        let (t0, c0) = (Instant::now(), cpu_seconds());
        for _ in 0..reps {
            ws.compute(&cell, Batch::new(&xs, &ds), loss)?;
        }
        let steps = (reps * T) as f64;
        times.push(t0.elapsed().as_secs_f64() / steps);
        cpus.push(
            cpu_seconds()
                .zip(c0)
                .map_or(f64::NAN, |(c1, c0)| (c1 - c0) / steps),
        );
    }
    let tr = ws.trace();
    let bytes = (tr.states().len() + tr.outputs().len()) * std::mem::size_of::<f64>();
    let timing = Timing {
        wall: median(times),
        cpu: median(cpus),
    };
    Ok((timing, bytes))
}

/// Least-squares slope of ln t against ln N.
fn slope(points: &[(usize, f64)]) -> f64 {
    let k = points.len() as f64;
    let xs: Vec<f64> = points.iter().map(|p| (p.0 as f64).ln()).collect();
    let ys: Vec<f64> = points.iter().map(|p| p.1.ln()).collect();
    let (mx, my) = (xs.iter().sum::<f64>() / k, ys.iter().sum::<f64>() / k);
    let num: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let den: f64 = xs.iter().map(|x| (x - mx) * (x - mx)).sum();
    num / den
}

/// `rtrl_step` lines of the numpy reference: (N, wall and CPU seconds per step).
fn read_reference(path: &str) -> Result<Vec<(usize, Timing)>, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(path)?;
    let mut out = Vec::new();
    for line in text.lines().filter(|l| l.starts_with("rtrl_step,")) {
        let f: Vec<&str> = line.split(',').collect();
        let threads = f.get(3).copied().unwrap_or("");
        let n = f
            .get(1)
            .and_then(|c| c.split(';').next())
            .and_then(|c| c.strip_prefix("N="))
            .and_then(|v| v.parse().ok());
        let wall = f.get(4).and_then(|v| v.parse::<f64>().ok());
        let cpu = f.get(9).and_then(|v| v.parse::<f64>().ok());
        if let (Some(n), Some(wall), "1") = (n, wall, threads) {
            let cpu = cpu.unwrap_or(f64::NAN);
            out.push((n, Timing { wall, cpu }));
        }
    }
    Ok(out)
}

#[path = "support/progress.rs"]
mod progress;
use clap::Parser;

/// The cost of learning through time: RTRL and BPTT time and memory against the hidden size
#[derive(Parser)]
#[command(long_about = None)]
struct Args {
    /// Measure three times longer per size
    #[arg(long)]
    full: bool,
    /// The numpy reference's output (`rtrl_step` CSV lines), to print numpy / Rust ratios
    #[arg(long, value_name = "FILE")]
    reference: Option<String>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let full = args.full;
    let reference = args.reference.as_ref();
    let rtrl_ns: Vec<usize> = vec![8, 16, 32, 64, 128];
    let bptt_ns: Vec<usize> = (3..=9).map(|k| 1usize << k).collect();
    let budget = if full { 3.0 } else { 1.0 };

    println!("Elman cell, {INPUT} inputs, {OUTPUT} outputs, f64, batch 1 (machine may be shared)");
    println!();
    println!("Times are medians of 7 repetitions: wall clock, and CPU time of this thread.");
    println!(
        "{:>5} {:>9} | {:>11} {:>11} {:>10} | {:>11} {:>11} {:>10}",
        "N", "params", "BPTT wall", "BPTT cpu", "bytes", "RTRL wall", "RTRL cpu", "bytes"
    );
    let mut bptt_pts = Vec::new();
    let mut rtrl_pts = Vec::new();
    let mut rtrl_times = Vec::new();
    let mut rows = Vec::new();
    let bar =
        progress::Progress::bar_only("timing", (bptt_ns.len() + rtrl_ns.len()) as u64, "sizes");
    for &n in &bptt_ns {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(0);
        let p = net(n, &mut rng)?.n_params();
        let (tb, mb) = time_bptt(n, budget)?;
        bar.inc(1);
        bptt_pts.push((n, tb.cpu_or_wall()));
        let r = if rtrl_ns.contains(&n) {
            let (tr, mr) = time_rtrl(n, budget)?;
            bar.inc(1);
            rtrl_pts.push((n, tr.cpu_or_wall()));
            rtrl_times.push((n, tr));
            Some((tr, mr))
        } else {
            None
        };
        let (rw, rc, rm) = match r {
            Some((t, m)) => (
                format!("{:.3e}", t.wall),
                format!("{:.3e}", t.cpu),
                format!("{m}"),
            ),
            None => ("-".into(), "-".into(), "-".into()),
        };
        bar.println(&format!(
            "{n:>5} {p:>9} | {:>11.3e} {:>11.3e} {mb:>10} | {rw:>11} {rc:>11} {rm:>10}",
            tb.wall, tb.cpu
        ));
        rows.push((n, p, mb, r));
    }
    bar.finish();

    println!();
    println!("Memory read from the buffers (BPTT: stored states and outputs of T = 200 steps;");
    println!("RTRL: the two sensitivity matrices [P | Q], n_state × (n_params + n_state) each):");
    for (n, p, mb, r) in &rows {
        let per_state = *mb as f64 / ((201 * n + 200 * OUTPUT) * 8) as f64;
        let rtrl = match r {
            Some((_, m)) => format!(
                "RTRL {m} B = {:.2} × 2·N·(P+N)·8 B, independent of T",
                *m as f64 / (2 * n * (p + n) * 8) as f64
            ),
            None => String::new(),
        };
        println!("  N = {n:>3}: BPTT {mb} B = {per_state:.2} × ((T+1)·N + T·O)·8 B   {rtrl}");
    }

    let top = |pts: &[(usize, f64)]| slope(&pts[pts.len().saturating_sub(3)..]);
    let pairs = |pts: &[(usize, f64)]| {
        pts.windows(2)
            .map(|w| format!("{}→{}: {:.2}", w[0].0, w[1].0, slope(w)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!();
    println!("Local exponents (slope of ln t against ln N between neighbouring sizes, CPU time):");
    println!("  BPTT {}", pairs(&bptt_pts));
    println!("  RTRL {}", pairs(&rtrl_pts));
    println!();
    println!(
        "| algorithm | lecture time | lecture memory | measured time exponent (3 largest N) | memory measured |"
    );
    println!("|---|---|---|---|---|");
    println!(
        "| BPTT | O(T·N²) | O(T·N) | {:.2} | (T+1)·N + T·O scalars: grows with T |",
        top(&bptt_pts)
    );
    println!(
        "| RTRL | O(T·N⁴) | O(T·N³) in the lecture; O(N³) in fact | {:.2} | 2·N·(P+N) scalars, P ≈ N²: no T |",
        top(&rtrl_pts)
    );

    if let Some(path) = reference {
        let refs = read_reference(path)?;
        println!();
        println!("Against the numpy reference ({path}, 1 BLAS thread), RTRL per step:");
        println!(
            "{:>5} | {:>11} {:>11} | {:>11} {:>11} | {:>10} {:>9}",
            "N", "numpy wall", "numpy cpu", "ours wall", "ours cpu", "wall ratio", "cpu ratio"
        );
        let mut np_pts = Vec::new();
        for (n, s) in &refs {
            if let Some((_, ours)) = rtrl_times.iter().find(|(m, _)| m == n) {
                println!(
                    "{n:>5} | {:>11.3e} {:>11.3e} | {:>11.3e} {:>11.3e} | {:>9.2}× {:>8.2}×",
                    s.wall,
                    s.cpu,
                    ours.wall,
                    ours.cpu,
                    s.wall / ours.wall,
                    s.cpu / ours.cpu
                );
                np_pts.push((*n, s.cpu_or_wall()));
            }
        }
        if np_pts.len() >= 2 {
            println!(
                "  numpy time exponent over the same sizes: {:.2} (ours {:.2})",
                top(&np_pts),
                top(&rtrl_pts)
            );
        }
    }
    println!();
    println!("BPTT time exponent: {:.2}", top(&bptt_pts));
    println!("RTRL time exponent: {:.2}", top(&rtrl_pts));
    Ok(())
}

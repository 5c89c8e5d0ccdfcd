//! Parts 5–6 of the tour: learning through time three ways. RTRL (forward sensitivities) and truncated
//! BPTT with a window covering the sequence give BPTT's gradient; then a quick measurement
//! of how the cost of one step grows with the hidden size N: about N² for BPTT and N⁴ for
//! RTRL, whose sensitivity memory (about N³) does not grow with the sequence length.

use nalgebra::DMatrix;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, StandardNormal};
use recurrent::grad::{Batch, Bptt, Loss, Rtrl, bptt, relative_difference, rtrl, truncated_bptt};
use recurrent::{Elman, Parameters, Sequence};
use std::time::Instant;

fn random(rows: usize, cols: usize, rng: &mut Xoshiro256PlusPlus) -> DMatrix<f64> {
    DMatrix::from_fn(rows, cols, |_, _| StandardNormal.sample(rng))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Median seconds per call of `f` over 5 repetitions of about 0.1 s each.
fn per_call(mut f: impl FnMut() -> Result<(), recurrent::Error>) -> Result<f64, recurrent::Error> {
    let t0 = Instant::now();
    let mut calls = 0;
    while calls < 2 || t0.elapsed().as_secs_f64() < 0.05 {
        f()?;
        calls += 1;
    }
    let calls = ((0.1 / (t0.elapsed().as_secs_f64() / calls as f64)) as usize).max(2);
    let mut times = Vec::new();
    for _ in 0..5 {
        let t0 = Instant::now();
        for _ in 0..calls {
            f()?;
        }
        times.push(t0.elapsed().as_secs_f64() / calls as f64);
    }
    Ok(median(times))
}

pub fn run() -> Result<(), Box<dyn std::error::Error>> {
    crate::story::heading(
        "5–6",
        "Learning through time: the unrolled cell, BPTT, RTRL, truncated BPTT",
    );
    crate::text::say(
        "  Three ways to get the same gradient: BPTT runs the sequence forward, then sends the \
         error backward through the steps; RTRL carries the derivative of the state with \
         respect to every weight forward, step by step; truncated BPTT(h, k) goes back only \
         h steps, every k steps.",
    );
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(2024);
    let net = Elman::<f64>::builder(3, 6, 2).build(&mut rng)?;
    let x = Sequence::new(random(3, 40, &mut rng), 1)?;
    let d = Sequence::new(random(2, 40, &mut rng), 1)?;
    let b = Batch::new(&x, &d);
    let back = bptt(&net, b, Loss::mse())?;
    let fwd = rtrl(&net, b, Loss::mse())?;
    let win = truncated_bptt(&net, b, Loss::mse(), 40, 8)?;
    let short = truncated_bptt(&net, b, Loss::mse(), 4, 2)?;
    println!(
        "Elman 3-6-2, {} parameters, T = 40: loss {:.6}",
        net.n_params(),
        back.loss
    );
    println!(
        "  RTRL vs BPTT gradient, relative difference:                {:.1e}",
        relative_difference(&fwd.params, &back.params)
    );
    println!(
        "  truncated BPTT(40, 8) vs BPTT (window covers the sequence): {:.1e}",
        relative_difference(&win.params, &back.params)
    );
    println!(
        "  truncated BPTT(4, 2) vs BPTT (a real truncation):           {:.1e}",
        relative_difference(&short.params, &back.params)
    );

    // Quick growth estimate: RTRL at N = 32, 64, 96; BPTT at N = 128, 256, 512.
    let (i, o, t) = (8, 8, 64);
    let mut rtrl_pts = Vec::new();
    let bar = crate::progress::Progress::new("  timing", 6, "sizes");
    for n in [32usize, 64, 96] {
        let cell = Elman::<f64>::builder(i, n, o).build(&mut rng)?;
        let (xs, ds) = (random(i, t, &mut rng), random(o, t, &mut rng));
        let mut ws = Rtrl::new(&cell, 1)?;
        let mut k = 0;
        let s = per_call(|| {
            k = (k + 1) % t;
            ws.step(
                &cell,
                xs.columns(k, 1),
                ds.columns(k, 1),
                Loss::sum_squared(),
            )
            .map(|_| ())
        })?;
        rtrl_pts.push((n, s, ws.sensitivity_len() * 8));
        bar.inc(1);
    }
    let mut bptt_pts = Vec::new();
    for n in [128usize, 256, 512] {
        let cell = Elman::<f64>::builder(i, n, o).build(&mut rng)?;
        let xs = Sequence::new(random(i, t, &mut rng), 1)?;
        let ds = Sequence::new(random(o, t, &mut rng), 1)?;
        let mut ws = Bptt::new(&cell, t, 1);
        let s = per_call(|| {
            ws.compute(&cell, Batch::new(&xs, &ds), Loss::sum_squared())
                .map(|_| ())
        })? / t as f64;
        bptt_pts.push((n, s, ws.trace().states().len() * 8));
        bar.inc(1);
    }
    bar.finish();
    let slope =
        |a: (usize, f64), b: (usize, f64)| (b.1 / a.1).ln() / (b.0 as f64 / a.0 as f64).ln();
    println!("Time per step (median of 5, f64, batch 1; the machine may be shared):");
    for (n, s, m) in &bptt_pts {
        println!(
            "  BPTT N = {n:>3}: {:>9.2} µs/step, stored states {m} B for T = {t}",
            s * 1e6
        );
    }
    for (n, s, m) in &rtrl_pts {
        println!(
            "  RTRL N = {n:>3}: {:>9.2} µs/step, sensitivities {m} B for any T",
            s * 1e6
        );
    }
    let (b0, b2) = (bptt_pts[0], bptt_pts[2]);
    let (r0, r2) = (rtrl_pts[0], rtrl_pts[2]);
    println!(
        "  fitted exponents: BPTT {:.2} (N {}→{}, lecture 2), RTRL {:.2} (N {}→{}, lecture 4)",
        slope((b0.0, b0.1), (b2.0, b2.1)),
        b0.0,
        b2.0,
        slope((r0.0, r0.1), (r2.0, r2.1)),
        r0.0,
        r2.0
    );
    println!("  (full measurement: cargo run --release --example complexity)");
    crate::story::headline(&format!(
        "RTRL and BPTT agree to {:.0e}; one step costs about N^{:.1} with BPTT and N^{:.1} \
         with RTRL (lecture: 2 and 4).",
        relative_difference(&fwd.params, &back.params),
        slope((b0.0, b0.1), (b2.0, b2.1)),
        slope((r0.0, r0.1), (r2.0, r2.1))
    ));
    Ok(())
}

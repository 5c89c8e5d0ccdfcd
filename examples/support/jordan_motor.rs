//! Jordan (1986) for motor control: learn a periodic 2-D trajectory with teacher forcing,
//! then generate it from the network's own output feedback. Shared by the `jordan_motor`
//! example and the tour.
#![allow(dead_code)]

use super::plot::{Plot, Series, announce};
use nalgebra::DMatrix;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, StandardNormal};
use recurrent::cell::Feedback;
use recurrent::grad::{Batch, Bptt, Loss};
use recurrent::prelude::*;
use recurrent::train::{Adam, Clip, Dataset, Optimizer, Progress, Schedule, TrainConfig};
use std::error::Error;
use std::f64::consts::PI;
use std::path::Path;

type Res<T> = std::result::Result<T, Box<dyn Error>>;

/// Steps per period of the loop.
pub const PERIOD: usize = 24;

/// Point `k` of the target path, [`curve`] at angle `2πk/P`.
pub fn target_point(k: usize) -> [f64; 2] {
    let a = 2.0 * PI * (k % PERIOD) as f64 / PERIOD as f64;
    curve(a)
}

/// The loop at angle `a`: `(0.8·cos a, 0.5·sin a + 0.2·cos 2a)`, a bean shape that does
/// not cross itself (for x = 0.8·cos a the two angles ±a give different y unless sin a = 0).
pub fn curve(a: f64) -> [f64; 2] {
    [0.8 * a.cos(), 0.5 * a.sin() + 0.2 * (2.0 * a).cos()]
}

fn path(start: usize, len: usize) -> DMatrix<f64> {
    DMatrix::from_fn(2, len, |r, t| target_point(start + t)[r])
}

/// How well a free run follows the loop.
#[derive(Clone, Debug)]
pub struct FreeRun {
    /// RMS distance between generated and target points, per free-running period.
    pub period_rms: Vec<f64>,
    /// RMS distance from each generated point to the nearest point of the target curve
    /// (shape error, blind to a phase drift), over all free-running periods.
    pub shape_rms: f64,
    pub generated: DMatrix<f64>,
}

/// What the motor experiment measured for one μ.
pub struct MotorResult {
    pub mu: f64,
    /// Teacher-forced training loss (mean ½‖y − d‖²) of the last epoch.
    pub teacher_loss: f64,
    /// Free run after teacher forcing alone.
    pub teacher_only: FreeRun,
    /// Free run after closed-loop fine-tuning.
    pub closed_loop: FreeRun,
}

/// The state after `PERIOD` teacher-forced steps ending just before `phase`, for a batch of
/// phases (one column each).
fn warm_states(net: &mut Jordan<f64>, phases: &[usize]) -> Res<DMatrix<f64>> {
    net.set_feedback(Feedback::Teacher);
    let b = phases.len();
    let xs = Sequence::new(DMatrix::from_element(1, PERIOD * b, 1.0), b)?;
    let ds = Sequence::new(
        DMatrix::from_fn(2, PERIOD * b, |r, j| {
            let (t, k) = (j / b, j % b);
            target_point(phases[k] + t)[r]
        }),
        b,
    )?;
    let run = net.run(&net.teacher_inputs(&xs, &ds)?, None)?;
    let states = run.states.into_matrix();
    Ok(states.columns((PERIOD - 1) * b, b).into_owned())
}

/// Warms up at phase 0 with teacher forcing, then lets the network run alone.
fn free_run(net: &mut Jordan<f64>, periods: usize) -> Res<FreeRun> {
    let state = warm_states(net, &[0])?;
    net.set_feedback(Feedback::Output);
    let steps = periods * PERIOD;
    let free = net.run(
        &Sequence::new(DMatrix::from_element(1, steps, 1.0), 1)?,
        Some(&state),
    )?;
    let y = free.outputs.into_matrix();
    let target = path(PERIOD, steps);
    let period_rms = (0..periods)
        .map(|p| {
            let d = y.columns(p * PERIOD, PERIOD) - target.columns(p * PERIOD, PERIOD);
            (d.norm_squared() / PERIOD as f64).sqrt()
        })
        .collect();
    // nearest point on a finely sampled curve
    let fine: Vec<[f64; 2]> = (0..2000)
        .map(|k| {
            let a = 2.0 * PI * k as f64 / 2000.0;
            curve(a)
        })
        .collect();
    let shape = (0..steps)
        .map(|t| {
            fine.iter()
                .map(|q| (y[(0, t)] - q[0]).powi(2) + (y[(1, t)] - q[1]).powi(2))
                .fold(f64::INFINITY, f64::min)
        })
        .sum::<f64>();
    Ok(FreeRun {
        period_rms,
        shape_rms: (shape / steps as f64).sqrt(),
        generated: y,
    })
}

/// Trains a Jordan network (μ as given) with teacher forcing, free-runs it, fine-tunes it in
/// closed loop, and free-runs it again.
pub fn motor_run(
    mu: f64,
    epochs: usize,
    fine_tune: usize,
    periods: usize,
    seed: u64,
) -> Res<MotorResult> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    // one "plan" input unit held at 1 (Jordan's plan units select the sequence)
    let mut net = Jordan::<f64>::builder(1, 32, 2)
        .mu(mu)
        .feedback(Feedback::Teacher)
        .build(&mut rng)?;

    // 1. Teacher forcing: the state units are fed the target path d⟨t−1⟩.
    let (len, warm) = (2 * PERIOD, 4);
    // Noise on the fed-back targets (σ = 0.02, 4 noisy copies of every phase): the network
    // also sees slightly wrong positions and learns to steer back towards the path.
    let (noise, copies) = (0.02, 4);
    let mut data = Dataset::new();
    for phase in 0..PERIOD * copies {
        let xs = Sequence::new(DMatrix::from_element(1, len, 1.0), 1)?;
        let ds = Sequence::new(path(phase, len), 1)?;
        let mut inputs = net.teacher_inputs(&xs, &ds)?;
        for v in inputs.as_matrix_mut().rows_mut(1, 2).iter_mut() {
            let z: f64 = StandardNormal.sample(&mut rng);
            *v += noise * z;
        }
        // the first steps see a zero feedback d⟨0⟩ = 0 and an empty state: leave them out
        let mut w = vec![1.0; len];
        w[..warm].fill(0.0);
        data.push_masked(inputs, ds, Mask::new(w, len, 1)?)?;
    }
    let config = TrainConfig::new()
        .epochs(epochs)
        .batch_size(4)
        .loss(Loss::mse())
        .schedule(Schedule::linear(0.01, 0.001, epochs)?);
    let mut trainer = config.build(Adam::new(0.01)?)?;
    let mut teacher_loss = f64::NAN;
    trainer.fit(&mut net, &data, None, &mut rng, |p: &Progress<f64>| {
        if let Progress::Epoch { train_loss, .. } = *p {
            teacher_loss = train_loss;
        }
    })?;
    let teacher_only = free_run(&mut net, periods)?;

    // 2. Closed loop: BPTT through 8 steps of the network's own output feedback, from the
    // states that teacher forcing reaches at every phase (one batch column per phase).
    let phases: Vec<usize> = (0..PERIOD).collect();
    let b = phases.len();
    // 8 steps: long enough to see the timing error of the free run, short enough that the
    // loss cannot be lowered by collapsing onto the mean (what 16- and 48-step windows did)
    let horizon = 8;
    let xs = Sequence::new(DMatrix::from_element(1, horizon * b, 1.0), b)?;
    let ds = Sequence::new(
        DMatrix::from_fn(2, horizon * b, |r, j| {
            target_point(phases[j % b] + PERIOD + j / b)[r]
        }),
        b,
    )?;
    let mut opt = Adam::new(0.001)?;
    let clip = Clip::norm(1.0)?;
    let mut ws = Bptt::new(&net, horizon, b);
    let mut grad = vec![0.0; net.n_params()];
    for _ in 0..fine_tune {
        let init = warm_states(&mut net, &phases)?;
        net.set_feedback(Feedback::Output);
        ws.compute(&net, Batch::new(&xs, &ds).with_initial(&init), Loss::mse())?;
        grad.copy_from_slice(ws.grad());
        clip.apply(&mut grad)?;
        opt.step(net.params_mut(), &grad)?;
    }
    let closed_loop = free_run(&mut net, periods)?;
    Ok(MotorResult {
        mu,
        teacher_loss,
        teacher_only,
        closed_loop,
    })
}

/// Runs the experiment for μ = 0.5 and μ = 0 (no memory beyond the last output), prints the
/// free-running error per period and saves `jordan_motor.svg` in `out`.
pub fn motor(quick: bool, out: &Path) -> Res<Vec<MotorResult>> {
    let (epochs, fine_tune, periods) = if quick { (100, 100, 4) } else { (600, 600, 8) };
    super::text::say(&format!(
        "Jordan motor control: a 1-32-2 Jordan net (plan unit 1, tanh hidden, linear output) learns a closed loop (0.8·cos a, 0.5·sin a + 0.2·cos 2a) of {PERIOD} steps per period"
    ));
    super::text::say(&format!(
        "  1. teacher forcing: {} noisy sequences of {} steps, Adam, {epochs} epochs; 2. closed loop: BPTT through 8 steps of its own feedback from every phase, {fine_tune} Adam steps",
        PERIOD * 4,
        2 * PERIOD
    ));
    let mut results = Vec::new();
    for mu in [0.5, 0.0] {
        results.push(motor_run(mu, epochs, fine_tune, periods, 11)?);
    }
    super::text::say(&format!(
        "free run for {periods} periods after a teacher-forced warm-up; RMS distance to the target point per period, and to the nearest point of the curve (shape); the curve spans 1.6 × 1.1:"
    ));
    for r in &results {
        for (stage, f) in [
            ("teacher forcing", &r.teacher_only),
            ("+ closed loop", &r.closed_loop),
        ] {
            print!("  μ = {:.1}, {stage:>16}: periods", r.mu);
            for e in &f.period_rms {
                print!(" {e:.3}");
            }
            println!("; shape {:.3}", f.shape_rms);
        }
    }
    if let [a, b] = &results[..] {
        let last = |f: &FreeRun| *f.period_rms.last().unwrap_or(&f64::NAN);
        super::text::say(&format!(
            "trajectory error in the last free-running period: {:.3} (μ = 0.5) and {:.3} (μ = 0) after closed-loop tuning; {:.3} and {:.3} after teacher forcing alone",
            last(&a.closed_loop),
            last(&b.closed_loop),
            last(&a.teacher_only),
            last(&b.teacher_only)
        ));
    }
    super::text::say(
        "  (teacher forcing learns the shape; its small timing error per step adds up to a phase drift along the loop, which the closed-loop BPTT removes. The loop does not cross itself, so the last output alone fixes the next point and μ = 0 works too)",
    );
    let mut plot = Plot::new(
        "Jordan network drawing a loop from its own output feedback",
        "x (output unit 1, arbitrary units)",
        "y (output unit 2, arbitrary units)",
    );
    plot.equal_aspect = true;
    let target: Vec<(f64, f64)> = (0..=PERIOD)
        .map(|k| {
            let p = target_point(k);
            (p[0], p[1])
        })
        .collect();
    plot.series
        .push(Series::line("target", "#888888", target).dashed());
    for (r, c) in results.iter().zip(["#d62728", "#1f77b4"]) {
        let g = &r.closed_loop.generated;
        let pts = (0..g.ncols()).map(|t| (g[(0, t)], g[(1, t)])).collect();
        plot.series
            .push(Series::line(&format!("generated, μ = {}", r.mu), c, pts));
    }
    let path = plot.save(out, "jordan_motor.svg")?;
    announce(&path);
    Ok(results)
}

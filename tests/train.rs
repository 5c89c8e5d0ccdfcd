//! Contracts of `recurrent::train`: optimisers against hand-computed steps, clipping,
//! schedules, and the training loop (learning, early stopping, determinism, divergence).

mod common;

use common::rng;
use nalgebra::DMatrix;
use rand::RngExt;
use rand::rngs::Xoshiro256PlusPlus;
use recurrent::activation::Activation;
use recurrent::grad::{Batch, Loss};
use recurrent::prelude::*;
use recurrent::scalar::{Real, lit, to_f64};
use recurrent::train::{
    Adam, Clip, Dataset, Optimizer, Progress, Schedule, Sgd, TrainConfig, Trainer, clip_by_norm,
    clip_by_value, global_norm,
};

fn v<T: Real>(xs: &[f64]) -> Vec<T> {
    xs.iter().map(|&x| lit(x)).collect()
}

fn close<T: Real>(a: &[T], b: &[f64], tol: f64) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert!(
            (to_f64(*x) - y).abs() <= tol * (1.0 + y.abs()),
            "{} vs {y}",
            to_f64(*x)
        );
    }
}

/// Tolerance per scalar: f32 rounding for f32, near machine precision for f64.
fn tol<T: Real>() -> f64 {
    if std::mem::size_of::<T>() == 4 {
        1e-6
    } else {
        1e-14
    }
}

fn sgd_plain<T: Real>() {
    let mut opt = Sgd::<T>::new(0.1).unwrap();
    let mut p = v::<T>(&[1.0, -2.0, 0.5]);
    opt.step(&mut p, &v::<T>(&[0.5, -1.0, 0.0])).unwrap();
    close(&p, &[0.95, -1.9, 0.5], tol::<T>());
}

fn sgd_momentum<T: Real>() {
    // v₁ = g₁, θ₁ = θ₀ − η v₁; v₂ = μ v₁ + g₂, θ₂ = θ₁ − η v₂
    let mut opt = Sgd::<T>::new(0.1).unwrap().with_momentum(0.5).unwrap();
    let mut p = v::<T>(&[1.0]);
    opt.step(&mut p, &v::<T>(&[2.0])).unwrap();
    close(&p, &[0.8], tol::<T>());
    opt.step(&mut p, &v::<T>(&[1.0])).unwrap(); // v = 0.5·2 + 1 = 2
    close(&p, &[0.6], tol::<T>());
    // Nesterov: θ ← θ − η (g + μ v) with v already updated
    let mut opt = Sgd::<T>::new(0.1)
        .unwrap()
        .with_momentum(0.5)
        .unwrap()
        .with_nesterov()
        .unwrap();
    let mut p = v::<T>(&[1.0]);
    opt.step(&mut p, &v::<T>(&[2.0])).unwrap(); // v = 2, step = 2 + 1 = 3
    close(&p, &[0.7], tol::<T>());
    opt.step(&mut p, &v::<T>(&[1.0])).unwrap(); // v = 2, step = 1 + 1 = 2
    close(&p, &[0.5], tol::<T>());
    opt.reset();
    opt.step(&mut p, &v::<T>(&[1.0])).unwrap(); // fresh v = 1, step = 1.5
    close(&p, &[0.35], tol::<T>());
}

fn adam_steps<T: Real>() {
    let (lr, b1, b2, eps) = (0.01, 0.9, 0.999, 1e-8);
    let mut opt = Adam::<T>::new(lr).unwrap();
    let mut p = v::<T>(&[0.0, 0.0, 0.0]);
    // Bias correction: the first step is lr·g/(|g| + ε) for every scale of g.
    let g1 = [1e-3, -5.0, 200.0];
    opt.step(&mut p, &v::<T>(&g1)).unwrap();
    let first: Vec<f64> = g1.iter().map(|g| -lr * g / (g.abs() + eps)).collect();
    close(&p, &first, 10.0 * tol::<T>());
    // Second step by hand.
    let g2 = [2e-3, 1.0, 100.0];
    opt.step(&mut p, &v::<T>(&g2)).unwrap();
    let expect: Vec<f64> = (0..3)
        .map(|i| {
            let m = b1 * (1.0 - b1) * g1[i] + (1.0 - b1) * g2[i];
            let s = b2 * (1.0 - b2) * g1[i] * g1[i] + (1.0 - b2) * g2[i] * g2[i];
            let (mh, sh) = (m / (1.0 - b1 * b1), s / (1.0 - b2 * b2));
            first[i] - lr * mh / (sh.sqrt() + eps)
        })
        .collect();
    close(&p, &expect, 10.0 * tol::<T>());
    assert_eq!(opt.steps(), 2);
}

fn optimiser_errors<T: Real>() {
    let mut opt = Adam::<T>::new(0.1).unwrap();
    let mut p = v::<T>(&[1.0, 2.0]);
    // wrong gradient length
    assert!(matches!(
        opt.step(&mut p, &v::<T>(&[1.0])),
        Err(Error::DimensionMismatch { .. })
    ));
    // a NaN gradient is refused and leaves the parameters alone
    let bad = vec![T::one(), lit(f64::NAN)];
    assert!(matches!(
        opt.step(&mut p, &bad),
        Err(Error::NonFinite { index: 1, .. })
    ));
    assert_eq!(p, v::<T>(&[1.0, 2.0]));
    // state sized once: another parameter length is an error
    opt.step(&mut p, &v::<T>(&[1.0, 1.0])).unwrap();
    let mut q = v::<T>(&[1.0, 2.0, 3.0]);
    assert!(matches!(
        opt.step(&mut q, &v::<T>(&[1.0, 1.0, 1.0])),
        Err(Error::DimensionMismatch { .. })
    ));
    let mut sgd = Sgd::<T>::new(0.1).unwrap();
    let inf = vec![lit(f64::INFINITY), T::one()];
    assert!(sgd.step(&mut p, &inf).is_err());
    assert!(sgd.set_learning_rate(0.0).is_err());
    assert!(Sgd::<T>::new(-1.0).is_err());
    assert!(Sgd::<T>::new(f64::NAN).is_err());
    assert!(Sgd::<T>::new(0.1).unwrap().with_momentum(1.0).is_err());
    assert!(Sgd::<T>::new(0.1).unwrap().with_nesterov().is_err());
    assert!(Adam::<T>::new(0.1).unwrap().with_betas(0.9, 1.0).is_err());
    assert!(Adam::<T>::new(0.1).unwrap().with_epsilon(0.0).is_err());
}

fn clipping<T: Real>() {
    let mut g = v::<T>(&[3.0, 4.0]);
    let n = clip_by_norm(&mut g, 1.0).unwrap();
    close(&[n], &[5.0], tol::<T>());
    close(&g, &[0.6, 0.8], tol::<T>());
    close(&[global_norm(&g)], &[1.0], tol::<T>());
    // under the threshold: untouched
    let mut g = v::<T>(&[0.3, -0.4]);
    clip_by_norm(&mut g, 1.0).unwrap();
    assert_eq!(g, v::<T>(&[0.3, -0.4]));
    // by value
    let mut g = v::<T>(&[0.5, -3.0, 2.0]);
    let n = clip_by_value(&mut g, 1.0).unwrap();
    close(&[n], &[(0.25f64 + 9.0 + 4.0).sqrt()], tol::<T>());
    assert_eq!(g, v::<T>(&[0.5, -1.0, 1.0]));
    // non-finite gradients are reported, not turned into NaN weights
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut g = vec![T::one(), lit(bad), T::one()];
        for clip in [Clip::norm(1.0).unwrap(), Clip::value(1.0).unwrap()] {
            match clip.apply(&mut g) {
                Err(Error::NonFinite { index, .. }) => assert_eq!(index, 1),
                other => panic!("expected NonFinite, got {other:?}"),
            }
            assert_eq!(g[0], T::one());
        }
    }
    assert!(Clip::norm(0.0).is_err());
    assert!(Clip::value(f64::INFINITY).is_err());
    assert!(clip_by_norm(&mut v::<T>(&[1.0]), -1.0).is_err());
}

macro_rules! both_scalars {
    ($($name:ident => $f:ident),* $(,)?) => {
        mod f32_tests { use super::*; $(#[test] fn $name() { $f::<f32>(); })* }
        mod f64_tests { use super::*; $(#[test] fn $name() { $f::<f64>(); })* }
    };
}

both_scalars! {
    sgd_plain_step => sgd_plain,
    sgd_momentum_and_nesterov => sgd_momentum,
    adam_bias_correction_and_second_step => adam_steps,
    optimisers_refuse_bad_gradients => optimiser_errors,
    clipping_norms_and_non_finite => clipping,
    elman_learns_a_delay_line => delay_line,
    same_seed_same_training => determinism,
}

#[test]
fn global_norm_does_not_overflow_in_f32() {
    // 3e30² overflows f32; the scaled sum does not
    assert_eq!(global_norm(&[3e30_f32, 4e30]), 5e30);
    assert_eq!(global_norm::<f64>(&[]), 0.0);
    assert!(global_norm(&[1.0_f64, f64::NAN]).is_nan());
}

/// The fast sum of squares and the scaled sum agree wherever both are valid, and the scaled
/// one takes over where squares overflow or underflow: long slices (past the 16 lanes),
/// entries from 1e-30 to 1e30, ∞ and NaN anywhere.
#[test]
fn global_norm_at_every_scale() {
    fn run<T: Real>(tol: f64) {
        let mut rng = <Xoshiro256PlusPlus as rand::SeedableRng>::seed_from_u64(5);
        for scale in [1e-30, 1e-20, 1e-3, 1.0, 1e3, 1e18, 1e30] {
            for n in [1, 15, 16, 17, 1000] {
                let g: Vec<T> = (0..n)
                    .map(|_| lit::<T>(scale * rng.random_range(-1.0..1.0)))
                    .collect();
                // the reference: the scaled sum in f64 (every entry is exact in f64)
                let m = g.iter().fold(0.0f64, |m, x| m.max(to_f64(x.abs())));
                let want = if m == 0.0 {
                    0.0
                } else {
                    m * g
                        .iter()
                        .map(|x| (to_f64(*x) / m).powi(2))
                        .sum::<f64>()
                        .sqrt()
                };
                let got = to_f64(global_norm(&g));
                assert!(
                    (got - want).abs() <= tol * want,
                    "scale {scale}, n {n}: {got} vs {want}"
                );
                for bad in [lit::<T>(f64::INFINITY), lit::<T>(f64::NAN)] {
                    let mut h = g.clone();
                    h[n / 2] = bad;
                    assert!(!global_norm(&h).is_finite());
                }
            }
        }
    }
    run::<f64>(1e-14);
    run::<f32>(1e-5);
}

#[test]
fn schedules() {
    let c = Schedule::constant(0.3).unwrap();
    assert_eq!((c.at(0), c.at(1000)), (0.3, 0.3));
    let s = Schedule::step(1.0, 3, 0.1).unwrap();
    let got: Vec<f64> = (0..7).map(|e| s.at(e)).collect();
    let want = [1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1 * 0.1];
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < 1e-15, "{g} vs {w}");
    }
    let l = Schedule::linear(0.1, 0.02, 4).unwrap();
    let got: Vec<f64> = (0..6).map(|e| l.at(e)).collect();
    for (g, w) in got.iter().zip([0.1, 0.08, 0.06, 0.04, 0.02, 0.02]) {
        assert!((g - w).abs() < 1e-15, "{g} vs {w}");
    }
    assert!(Schedule::constant(0.0).is_err());
    assert!(Schedule::step(0.1, 0, 0.5).is_err());
    assert!(Schedule::step(0.1, 2, 1.5).is_err());
    assert!(Schedule::linear(0.1, -0.1, 5).is_err());
    assert!(Schedule::linear(0.1, 0.01, 0).is_err());
}

/// `n` sequences of random ±1 inputs whose target is the input one step back (0 at t = 0).
fn delay_data<T: Real>(n: usize, steps: usize, r: &mut Xoshiro256PlusPlus) -> Dataset<T> {
    let mut data = Dataset::new();
    for _ in 0..n {
        let x: Vec<f64> = (0..steps)
            .map(|_| if r.random::<bool>() { 1.0 } else { -1.0 })
            .collect();
        let mut d = vec![0.0; steps];
        d[1..].copy_from_slice(&x[..steps - 1]);
        data.push(
            Sequence::new(DMatrix::from_row_slice(1, steps, &v::<T>(&x)), 1).unwrap(),
            Sequence::new(DMatrix::from_row_slice(1, steps, &v::<T>(&d)), 1).unwrap(),
        )
        .unwrap();
    }
    data
}

fn delay_line<T: Real>() {
    let mut r = rng(7);
    let train = delay_data::<T>(32, 20, &mut r);
    let test = delay_data::<T>(16, 20, &mut r);
    let mut net = Elman::<T>::builder(1, 8, 1).build(&mut r).unwrap();
    let mut trainer = TrainConfig::new()
        .epochs(60)
        .batch_size(8)
        .build(Adam::new(0.02).unwrap())
        .unwrap();
    let before = to_f64(trainer.evaluate(&net, &test).unwrap());
    let mut steps = 0;
    let report = trainer
        .fit(&mut net, &train, None, &mut r, |p: &Progress<T>| {
            if let Progress::Step { grad_norm, .. } = *p {
                assert!(grad_norm.is_finite());
                steps += 1;
            }
        })
        .unwrap();
    assert_eq!(steps, 60 * 4);
    assert_eq!(report.steps, 240);
    let after = to_f64(trainer.evaluate(&net, &test).unwrap());
    // x⟨t−1⟩ is independent of x⟨t⟩, so a network without memory can do no better than
    // predicting 0: mean ½e² = ½·(19/20) ≈ 0.475. Below 0.05 (a tenth of that) the network
    // must carry the previous input in its state.
    assert!(before > 0.3, "before training: {before}");
    assert!(after < 0.05, "after training: {after}");
}

fn determinism<T: Real>() {
    let train_once = |seed: u64| {
        let mut r = rng(seed);
        let data = delay_data::<T>(10, 8, &mut r);
        let mut net = Elman::<T>::builder(1, 5, 1).build(&mut r).unwrap();
        let cfg = TrainConfig::new()
            .epochs(5)
            .batch_size(3)
            .clip(Clip::norm(1.0).unwrap());
        let opt = Sgd::new(0.1).unwrap().with_momentum(0.9).unwrap();
        let mut trainer = cfg.build(opt).unwrap();
        trainer.fit(&mut net, &data, None, &mut r, |_| {}).unwrap();
        net.params().to_vec()
    };
    let (a, b, c) = (train_once(3), train_once(3), train_once(4));
    let bits = |p: &[T]| p.iter().map(|x| to_f64(*x).to_bits()).collect::<Vec<_>>();
    assert_eq!(
        bits(&a),
        bits(&b),
        "same seed must give identical parameters"
    );
    assert_ne!(bits(&a), bits(&c));
}

#[test]
fn early_stopping_stops_and_restores_the_best() {
    let mut r = rng(11);
    let train = delay_data::<f64>(16, 10, &mut r);
    // A validation set whose targets are the opposite of the task: the better the network
    // learns, the worse it scores, so the validation loss stops improving early.
    let mut valid = Dataset::new();
    for i in 0..8 {
        let (x, d) = train.get(i);
        valid
            .push(x.clone(), Sequence::new(-d.as_matrix(), 1).unwrap())
            .unwrap();
    }
    let mut net = Elman::<f64>::builder(1, 6, 1).build(&mut r).unwrap();
    let cfg = TrainConfig::new().epochs(200).batch_size(4).patience(3);
    let mut trainer = cfg.build(Adam::new(0.02).unwrap()).unwrap();
    let mut epochs_seen = 0;
    let report = trainer
        .fit(
            &mut net,
            &train,
            Some(&valid),
            &mut r,
            |p: &Progress<f64>| {
                if let Progress::Epoch { valid_loss, .. } = *p {
                    assert!(valid_loss.is_some());
                    epochs_seen += 1;
                }
            },
        )
        .unwrap();
    assert!(report.stopped_early);
    assert!(report.epochs < 200);
    assert_eq!(epochs_seen, report.epochs);
    let best = report.best_epoch.expect("a best epoch");
    assert_eq!(
        report.epochs,
        best + 1 + 3,
        "stops after `patience` worse epochs"
    );
    let min = report
        .valid_losses
        .iter()
        .cloned()
        .fold(f64::INFINITY, f64::min);
    assert_eq!(report.valid_losses[best], min);
    // the cell holds the best epoch's parameters again
    let now = trainer.evaluate(&net, &valid).unwrap();
    assert!((now - min).abs() <= 1e-12 * min.abs());
}

#[test]
fn divergence_is_an_error_naming_the_step() {
    let mut r = rng(5);
    let data = delay_data::<f64>(4, 30, &mut r);
    let mut net = Elman::<f64>::builder(1, 8, 1)
        .hidden(Activation::Identity)
        .build(&mut r)
        .unwrap();
    let cfg = TrainConfig::new().epochs(50).batch_size(1);
    let mut trainer = cfg.build(Sgd::new(1e3).unwrap()).unwrap();
    let mut last_step = None;
    let err = trainer
        .fit(&mut net, &data, None, &mut r, |p: &Progress<f64>| {
            if let Progress::Step { step, .. } = *p {
                last_step = Some(step);
            }
        })
        .unwrap_err();
    match &err {
        Error::NonFinite { op, index, .. } => {
            assert_eq!(*op, "train");
            // the failing step is the one after the last reported step
            assert_eq!(Some(*index), last_step.map(|s| s + 1).or(Some(0)));
        }
        other => panic!("expected NonFinite, got {other:?}"),
    }
    assert!(err.to_string().contains("clip"), "{err}");
    // the parameters of the last finite step are kept
    assert!(net.params().iter().all(|p| p.is_finite()));
}

#[test]
fn ragged_batches_are_padded_and_masked_exactly() {
    let mut r = rng(9);
    let net = Elman::<f64>::builder(2, 4, 1).build(&mut r).unwrap();
    let mut data = Dataset::new();
    let mut singles = 0.0;
    for len in [3, 7, 5] {
        let x = common::random_sequence::<f64>(2, len, 1, 1.0, &mut r);
        let d = common::random_sequence::<f64>(1, len, 1, 1.0, &mut r);
        singles +=
            recurrent::grad::evaluate(&net, Batch::new(&x, &d), Loss::sum_squared()).unwrap();
        data.push(x, d).unwrap();
    }
    let cfg = TrainConfig::new().batch_size(3).loss(Loss::sum_squared());
    let mut trainer = cfg.build(Sgd::new(0.1).unwrap()).unwrap();
    // one batch of 3: its summed loss over the kept steps is the sum of the singles
    let batched = trainer.evaluate(&net, &data).unwrap();
    assert!(
        (batched - singles).abs() < 1e-12 * singles,
        "{batched} vs {singles}"
    );
}

#[test]
fn configuration_and_data_errors() {
    let sgd = || Sgd::<f64>::new(0.1).unwrap();
    for cfg in [
        TrainConfig::new().epochs(0),
        TrainConfig::new().batch_size(0),
        TrainConfig::new().patience(0),
        TrainConfig::new().min_delta(-1.0),
        TrainConfig::new().min_delta(f64::NAN),
    ] {
        assert!(matches!(
            cfg.build(sgd()),
            Err(Error::InvalidParameter { .. })
        ));
    }
    let mut r = rng(1);
    let mut net = Elman::<f64>::builder(1, 3, 1).build(&mut r).unwrap();
    let data = delay_data::<f64>(2, 4, &mut r);
    // patience without a validation set
    let mut t = TrainConfig::new().patience(2).build(sgd()).unwrap();
    assert!(matches!(
        t.fit(&mut net, &data, None, &mut r, |_| {}),
        Err(Error::InvalidParameter { .. })
    ));
    let mut t = TrainConfig::new().build(sgd()).unwrap();
    // empty training set
    assert!(matches!(
        t.fit(&mut net, &Dataset::new(), None, &mut r, |_| {}),
        Err(Error::Empty { .. })
    ));
    // data that does not fit the cell
    let mut wide = Elman::<f64>::builder(2, 3, 1).build(&mut r).unwrap();
    assert!(matches!(
        t.fit(&mut wide, &data, None, &mut r, |_| {}),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        t.evaluate(&wide, &data),
        Err(Error::DimensionMismatch { .. })
    ));

    // data set errors
    let seq =
        |d: usize, steps: usize, b: usize| Sequence::new(DMatrix::zeros(d, steps * b), b).unwrap();
    let mut ds = Dataset::<f64>::new();
    assert!(ds.push(seq(1, 4, 2), seq(1, 4, 2)).is_err(), "batch > 1");
    assert!(matches!(
        ds.push(seq(1, 0, 1), seq(1, 0, 1)),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(
        ds.push(seq(1, 4, 1), seq(1, 5, 1)),
        Err(Error::DimensionMismatch { .. })
    ));
    let mut nan = seq(1, 4, 1);
    nan.as_matrix_mut()[(0, 2)] = f64::NAN;
    assert!(matches!(
        ds.push(nan, seq(1, 4, 1)),
        Err(Error::NonFinite { index: 2, .. })
    ));
    assert!(matches!(
        ds.push_masked(seq(1, 4, 1), seq(1, 4, 1), Mask::all(3, 1)),
        Err(Error::DimensionMismatch { .. })
    ));
    ds.push(seq(1, 4, 1), seq(1, 4, 1)).unwrap();
    assert!(matches!(
        ds.push(seq(2, 4, 1), seq(1, 4, 1)),
        Err(Error::DimensionMismatch { .. })
    ));
    assert_eq!(ds.len(), 1);
}

#[test]
fn public_types_are_send_and_sync() {
    fn ok<T: Send + Sync>() {}
    ok::<Sgd<f32>>();
    ok::<Adam<f64>>();
    ok::<Clip>();
    ok::<Schedule>();
    ok::<Dataset<f64>>();
    ok::<TrainConfig>();
    ok::<Trainer<f64, Adam<f64>>>();
    ok::<Progress<f32>>();
}

#[test]
fn one_epoch_is_one_sgd_step_on_the_batch_gradient() {
    let mut r = rng(21);
    let mut net = Elman::<f64>::builder(2, 5, 1).build(&mut r).unwrap();
    let (steps, b) = (6, 3);
    let xs: Vec<Sequence<f64>> = (0..b)
        .map(|_| common::random_sequence(2, steps, 1, 1.0, &mut r))
        .collect();
    let ds: Vec<Sequence<f64>> = (0..b)
        .map(|_| common::random_sequence(1, steps, 1, 1.0, &mut r))
        .collect();
    let mut data = Dataset::new();
    for (x, d) in xs.iter().zip(&ds) {
        data.push(x.clone(), d.clone()).unwrap();
    }
    // by hand: column t·B + k is step t of sequence k
    let gather = |s: &[Sequence<f64>], dim: usize| {
        let m = DMatrix::from_fn(dim, steps * b, |i, j| s[j % b].as_matrix()[(i, j / b)]);
        Sequence::new(m, b).unwrap()
    };
    let (bx, bd) = (gather(&xs, 2), gather(&ds, 1));
    let g = recurrent::grad::bptt(&net, Batch::new(&bx, &bd), Loss::mse()).unwrap();
    let expect: Vec<f64> = net
        .params()
        .iter()
        .zip(&g.params)
        .map(|(p, g)| p - 0.1 * g)
        .collect();
    let cfg = TrainConfig::new().epochs(1).batch_size(b).shuffle(false);
    let mut trainer = cfg.build(Sgd::new(0.1).unwrap()).unwrap();
    let mut seen = Vec::new();
    let report = trainer
        .fit(&mut net, &data, None, &mut r, |p: &Progress<f64>| {
            if let Progress::Step {
                loss, grad_norm, ..
            } = *p
            {
                seen.push((loss, grad_norm));
            }
        })
        .unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].0, g.loss);
    assert!((seen[0].1 - global_norm(&g.params)).abs() < 1e-14);
    assert_eq!(report.train_losses, vec![g.loss]);
    for (a, e) in net.params().iter().zip(&expect) {
        assert!((a - e).abs() <= 1e-15 * (1.0 + e.abs()), "{a} vs {e}");
    }
}

#[test]
fn the_schedule_sets_the_learning_rate_of_each_epoch() {
    let mut r = rng(2);
    let mut net = Elman::<f64>::builder(1, 3, 1).build(&mut r).unwrap();
    let data = delay_data::<f64>(4, 5, &mut r);
    let cfg = TrainConfig::new()
        .epochs(3)
        .batch_size(2)
        .schedule(Schedule::step(0.1, 1, 0.5).unwrap());
    let mut trainer = cfg.build(Sgd::new(1.0).unwrap()).unwrap();
    let mut rates = Vec::new();
    trainer
        .fit(&mut net, &data, None, &mut r, |p: &Progress<f64>| {
            if let Progress::Step {
                epoch,
                learning_rate,
                ..
            } = *p
            {
                rates.push((epoch, learning_rate));
            }
        })
        .unwrap();
    let want = [0.1, 0.1, 0.05, 0.05, 0.025, 0.025];
    assert_eq!(rates.len(), want.len());
    for ((e, lr), w) in rates.iter().zip(want) {
        assert!((lr - w).abs() < 1e-15, "epoch {e}: {lr} vs {w}");
    }
    assert!((trainer.optimizer().learning_rate() - 0.025).abs() < 1e-15);
}

//! RTRL and truncated BPTT against full BPTT, for the crate's cells and for the leaky
//! integrator defined in the tests (outside `src/`).

mod common;
#[path = "common/leaky.rs"]
mod leaky;

use common::{random_sequence, rng};
use leaky::Leaky;
use nalgebra::DMatrix;
use proptest::prelude::*;
use recurrent::activation::Activation;
use recurrent::cell::{Elman, Feedback, Jordan};
use recurrent::grad::{
    Batch, Gradient, Loss, Reduction, Rtrl, TruncatedBptt, bptt, relative_difference, rtrl,
    truncated_bptt, truncated_bptt_with,
};
use recurrent::scalar::Real;
use recurrent::{Cell, Error, Mask, Parameters, Recurrent, Sequence};

/// RTRL and BPTT compute the same sums in different orders (forward through the
/// sensitivities against backward through the states); in f64 they agree to rounding, a few
/// 1e-15 relative for these sizes, so 1e-10 is a bound that only a wrong term can break.
const TOL_F64: f64 = 1e-10;

const HIDDEN: [Activation; 4] = [
    Activation::Tanh,
    Activation::Sigmoid,
    Activation::Identity,
    Activation::Softmax,
];

/// Asserts that two gradients (parameters, initial state, loss) agree to `tol`.
fn assert_same<T: Real>(a: &Gradient<T>, b: &Gradient<T>, tol: f64) -> Result<(), TestCaseError> {
    let dp = relative_difference(&a.params, &b.params);
    prop_assert!(dp < tol, "params differ by {dp:e}");
    let di = relative_difference(a.initial_state.as_slice(), b.initial_state.as_slice());
    prop_assert!(di < tol, "initial-state gradients differ by {di:e}");
    let dl = relative_difference(&[a.loss], &[b.loss]);
    prop_assert!(dl < tol, "losses differ by {dl:e}");
    Ok(())
}

fn targets(o: usize, steps: usize, batch: usize, one_hot: bool, seed: u64) -> Sequence<f64> {
    if one_hot {
        let classes: Vec<usize> = (0..steps * batch)
            .map(|j| (j * 5 + seed as usize) % o)
            .collect();
        Sequence::one_hot(&classes, o, batch).expect("valid classes")
    } else {
        random_sequence(o, steps, batch, 0.5, &mut rng(seed ^ 0x5eed))
    }
}

/// A mask: 0 all ones, 1 last step only, 2 padded lengths, 3 none.
fn mask_for(kind: usize, steps: usize, batch: usize) -> Option<Mask<f64>> {
    match kind {
        0 => Some(Mask::all(steps, batch)),
        1 => Some(Mask::last_step(steps, batch)),
        2 => {
            let lengths: Vec<usize> = (0..batch).map(|b| steps - (b % steps)).collect();
            Some(Mask::from_lengths(&lengths, steps).expect("lengths fit"))
        }
        _ => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn elman_rtrl_equals_bptt(
        seed in any::<u64>(),
        (i, n, o) in (1usize..4, 1usize..7, 1usize..4),
        hidden in 0usize..4,
        softmax_out in any::<bool>(),
        sum in any::<bool>(),
        (batch, steps) in (1usize..4, 1usize..9),
        mask_kind in 0usize..4,
        random_initial in any::<bool>(),
    ) {
        let mut r = rng(seed);
        let out = if softmax_out { Activation::Softmax } else { Activation::Tanh };
        let net = Elman::<f64>::builder(i, n, o)
            .hidden(HIDDEN[hidden])
            .output(out)
            .initial_context(0.3)
            .build(&mut r)
            .unwrap();
        let x = random_sequence(i, steps, batch, 1.0, &mut r);
        let d = targets(o, steps, batch, softmax_out, seed);
        let mut loss = if softmax_out { Loss::cross_entropy() } else { Loss::mse() };
        if sum {
            loss = loss.with_reduction(Reduction::Sum);
        }
        let a0 = random_sequence::<f64>(n, 1, batch, 0.5, &mut r).into_matrix();
        let mask = mask_for(mask_kind, steps, batch);
        let mut b = Batch::new(&x, &d);
        if let Some(m) = &mask {
            b = b.with_mask(m);
        }
        if random_initial {
            b = b.with_initial(&a0);
        }
        assert_same(&rtrl(&net, b, loss).unwrap(), &bptt(&net, b, loss).unwrap(), TOL_F64)?;
    }

    #[test]
    fn jordan_rtrl_equals_bptt(
        seed in any::<u64>(),
        (i, h, o) in (1usize..4, 1usize..6, 1usize..4),
        hidden in 0usize..3,
        mu in 0.0f64..0.95,
        teacher in any::<bool>(),
        (batch, steps) in (1usize..3, 1usize..9),
    ) {
        let mut r = rng(seed);
        let feedback = if teacher { Feedback::Teacher } else { Feedback::Output };
        let net = Jordan::<f64>::builder(i, h, o)
            .hidden(HIDDEN[hidden])
            .mu(mu)
            .feedback(feedback)
            .build(&mut r)
            .unwrap();
        let x0 = random_sequence(i, steps, batch, 1.0, &mut r);
        let d = targets(o, steps, batch, false, seed);
        let x = if teacher { net.teacher_inputs(&x0, &d).unwrap() } else { x0 };
        let b = Batch::new(&x, &d);
        let loss = Loss::sum_squared();
        assert_same(&rtrl(&net, b, loss).unwrap(), &bptt(&net, b, loss).unwrap(), TOL_F64)?;
    }

    /// The cell defined in the tests gets RTRL from the generic code and the default
    /// (VJP-built) Jacobians.
    #[test]
    fn user_defined_cell_rtrl_equals_bptt(
        seed in any::<u64>(),
        (n, i) in (1usize..6, 1usize..4),
        alpha in 0.05f64..1.0,
        (batch, steps) in (1usize..3, 1usize..9),
    ) {
        let cell = Leaky::new(n, i, alpha, seed);
        let x = random_sequence(i, steps, batch, 1.0, &mut rng(seed.wrapping_add(1)));
        let d = random_sequence(n, steps, batch, 0.5, &mut rng(seed.wrapping_add(2)));
        let b = Batch::new(&x, &d);
        assert_same(&rtrl(&cell, b, Loss::mse()).unwrap(), &bptt(&cell, b, Loss::mse()).unwrap(), TOL_F64)?;
    }

    /// BPTT(h, h′) with h ≥ T is full BPTT, for any h′ ≤ h, any cell, with masks.
    #[test]
    fn truncated_with_full_window_equals_bptt(
        seed in any::<u64>(),
        (n, steps) in (1usize..6, 1usize..12),
        extra in 0usize..3,
        h_prime_frac in 0.0f64..1.0,
        cell_kind in 0usize..3,
        mask_kind in 0usize..4,
        batch in 1usize..3,
    ) {
        let h = steps + extra;
        let h_prime = 1 + ((h as f64 - 1.0) * h_prime_frac) as usize;
        let mut r = rng(seed);
        let x = random_sequence(2, steps, batch, 1.0, &mut r);
        let mask = mask_for(mask_kind, steps, batch);
        let run = |cell: &BothGradients| {
            let d = random_sequence(cell_out(cell_kind, n), steps, batch, 0.5, &mut rng(seed ^ 7));
            let mut b = Batch::new(&x, &d);
            if let Some(m) = &mask {
                b = b.with_mask(m);
            }
            cell(b)
        };
        let (full, trunc) = match cell_kind {
            0 => {
                let net = Elman::<f64>::builder(2, n, 2).initial_context(0.2).build(&mut r).unwrap();
                run(&|b| (bptt(&net, b, Loss::mse()).unwrap(), truncated_bptt(&net, b, Loss::mse(), h, h_prime).unwrap()))
            }
            1 => {
                let net = Jordan::<f64>::builder(2, n, 2).mu(0.5).build(&mut r).unwrap();
                run(&|b| (bptt(&net, b, Loss::mse()).unwrap(), truncated_bptt(&net, b, Loss::mse(), h, h_prime).unwrap()))
            }
            _ => {
                let cell = Leaky::new(n, 2, 0.4, seed);
                let l = Loss::sum_squared();
                run(&|b| (bptt(&cell, b, l).unwrap(), truncated_bptt(&cell, b, l, h, h_prime).unwrap()))
            }
        };
        assert_same(&trunc, &full, TOL_F64)?;
    }

    /// With a short window, each update is exactly BPTT on its window, started from the state a
    /// full forward run reaches at the window start, scoring only the update's new steps.
    #[test]
    fn truncated_updates_are_bptt_on_their_windows(
        seed in any::<u64>(),
        n in 1usize..6,
        steps in 2usize..20,
        h in 1usize..6,
        h_prime_frac in 0.0f64..1.0,
        batch in 1usize..3,
    ) {
        let h_prime = 1 + ((h as f64 - 1.0) * h_prime_frac) as usize;
        let mut r = rng(seed);
        let net = Elman::<f64>::builder(2, n, 1).initial_context(0.1).build(&mut r).unwrap();
        let x = random_sequence(2, steps, batch, 1.0, &mut r);
        let d = random_sequence(1, steps, batch, 0.5, &mut r);
        let states = net.run(&x, None).unwrap().states.into_matrix();
        let mut tb = TruncatedBptt::new(h, h_prime).unwrap();
        let mut updates = 0;
        while let Some(u) = tb.next(&net, Batch::new(&x, &d), Loss::mse()).unwrap() {
            updates += 1;
            let (s, e) = (u.window.start, u.window.end);
            prop_assert!(e - s <= h && u.losses.len() <= h_prime && u.losses.end == e);
            let cols = |m: &Sequence<f64>| {
                Sequence::new(m.as_matrix().columns(s * batch, (e - s) * batch).into_owned(), batch).unwrap()
            };
            let (wx, wd) = (cols(&x), cols(&d));
            let weights: Vec<f64> = (s * batch..e * batch)
                .map(|j| if j >= u.losses.start * batch { 1.0 } else { 0.0 })
                .collect();
            let mask = Mask::new(weights, e - s, batch).unwrap();
            let a0 = if s == 0 {
                net.initial_state(batch)
            } else {
                states.columns((s - 1) * batch, batch).into_owned()
            };
            let want = bptt(&net, Batch::new(&wx, &wd).with_mask(&mask).with_initial(&a0), Loss::mse()).unwrap();
            let diff = relative_difference(tb.grad(), &want.params);
            prop_assert!(diff < TOL_F64, "update {updates} ({s}..{e}) differs by {diff:e}");
            prop_assert!((u.loss - want.loss).abs() <= 1e-12 * want.loss.abs().max(1.0));
        }
        prop_assert_eq!(updates, steps.div_ceil(h_prime));
    }
}

/// Computes (full BPTT, truncated BPTT) on a batch.
type BothGradients<'a> = dyn Fn(Batch<'_, f64>) -> (Gradient<f64>, Gradient<f64>) + 'a;

fn cell_out(kind: usize, n: usize) -> usize {
    if kind == 2 { n } else { 2 }
}

/// The online gradient of step t is the gradient of the loss at step t alone, which BPTT
/// computes on the first t + 1 steps with a mask that keeps only the last.
#[test]
fn online_step_gradient_is_the_gradient_of_that_step() {
    let mut r = rng(11);
    let net = Elman::<f64>::builder(3, 5, 2).build(&mut r).unwrap();
    let (steps, batch) = (7, 2);
    let x = random_sequence(3, steps, batch, 1.0, &mut r);
    let d = random_sequence(2, steps, batch, 0.5, &mut r);
    let mut online = Rtrl::new(&net, batch).unwrap();
    for t in 0..steps {
        let loss = online
            .step(&net, x.step(t), d.step(t), Loss::mse())
            .unwrap();
        let prefix = |s: &Sequence<f64>| {
            Sequence::new(
                s.as_matrix().columns(0, (t + 1) * batch).into_owned(),
                batch,
            )
            .unwrap()
        };
        let (px, pd) = (prefix(&x), prefix(&d));
        let mask = Mask::last_step(t + 1, batch);
        let want = bptt(&net, Batch::new(&px, &pd).with_mask(&mask), Loss::mse()).unwrap();
        assert!((loss - want.loss).abs() < 1e-14, "step {t}");
        assert!(
            relative_difference(online.grad(), &want.params) < TOL_F64,
            "step {t}"
        );
        assert!(
            relative_difference(
                online.d_initial().into_owned().as_slice(),
                want.initial_state.as_slice()
            ) < TOL_F64,
            "step {t}"
        );
        assert_eq!(online.steps(), t + 1);
        // the state RTRL carries is the forward state
        let run = net.run(&px, None).unwrap();
        let last = run.states.step(t).into_owned();
        assert!((online.state().into_owned() - last).norm() < 1e-14);
    }
    // the sensitivity memory does not depend on the number of steps
    assert_eq!(
        online.sensitivity_len(),
        2 * batch * net.n_state() * (net.n_params() + net.n_state())
    );
    assert_eq!(online.sensitivities(1).shape(), (5, net.n_params() + 5));
}

/// f32: RTRL and BPTT agree to single-precision rounding. Each gradient entry is a sum of
/// about T·N products accumulated in different orders, each carrying a relative rounding
/// error of a few ε₃₂ ≈ 1.2e-7, and the recursion multiplies up to T Jacobians of norm about 1;
/// measured differences are ~1e-7 to 1e-6, so 1e-4 leaves two orders of margin while a
/// missing or wrong term (a relative error of order 1) still fails.
#[test]
fn f32_rtrl_equals_bptt() {
    let mut worst = 0.0f64;
    for seed in 0..16u64 {
        let mut r = rng(seed);
        let net = Elman::<f32>::builder(3, 6, 2)
            .hidden(HIDDEN[(seed % 3) as usize])
            .build(&mut r)
            .unwrap();
        let x = random_sequence::<f32>(3, 10, 2, 1.0, &mut r);
        let d = random_sequence::<f32>(2, 10, 2, 0.5, &mut r);
        let b = Batch::new(&x, &d);
        let (a, w) = (
            rtrl(&net, b, Loss::mse()).unwrap(),
            bptt(&net, b, Loss::mse()).unwrap(),
        );
        worst = worst.max(relative_difference(&a.params, &w.params));
        let jn = Jordan::<f32>::builder(3, 6, 2)
            .mu(0.5)
            .build(&mut r)
            .unwrap();
        let (a, w) = (
            rtrl(&jn, b, Loss::mse()).unwrap(),
            bptt(&jn, b, Loss::mse()).unwrap(),
        );
        worst = worst.max(relative_difference(&a.params, &w.params));
        let t = truncated_bptt(&jn, b, Loss::mse(), 10, 4).unwrap();
        worst = worst.max(relative_difference(&t.params, &w.params));
    }
    assert!(worst < 1e-4, "worst f32 difference {worst:e}");
    assert!(worst > 0.0, "f32 paths should not be bit-identical");
}

/// Real-time learning: updating the weights after every step with that step's gradient
/// lowers the loss of a simple prediction task.
#[test]
fn real_time_learning_lowers_the_loss() {
    let mut r = rng(3);
    let mut net = Elman::<f64>::builder(1, 6, 1).build(&mut r).unwrap();
    let signal = |t: usize| (t as f64 * 0.4).sin();
    let mut online = Rtrl::new(&net, 1).unwrap();
    let mut early = 0.0;
    let mut late = 0.0;
    for t in 0..3000 {
        let x = DMatrix::from_element(1, 1, signal(t));
        let d = DMatrix::from_element(1, 1, signal(t + 1));
        let l = online
            .step(&net, x.as_view(), d.as_view(), Loss::sum_squared())
            .unwrap();
        if t < 200 {
            early += l;
        }
        if t >= 2800 {
            late += l;
        }
        let g = online.grad().to_vec();
        for (w, g) in net.params_mut().iter_mut().zip(&g) {
            *w -= 0.02 * g;
        }
    }
    assert!(late < 0.2 * early, "early {early}, late {late}");
}

/// Truncated updates can change the weights between windows through the callback.
#[test]
fn truncated_callback_can_train() {
    let mut r = rng(5);
    let mut net = Elman::<f64>::builder(1, 8, 1).build(&mut r).unwrap();
    let x = Sequence::new(DMatrix::from_fn(1, 400, |_, t| (t as f64 * 0.4).sin()), 1).unwrap();
    let d = Sequence::new(
        DMatrix::from_fn(1, 400, |_, t| ((t + 1) as f64 * 0.4).sin()),
        1,
    )
    .unwrap();
    let before = recurrent::grad::evaluate(&net, Batch::new(&x, &d), Loss::mse()).unwrap();
    let mut calls = 0;
    for _ in 0..5 {
        truncated_bptt_with(
            &mut net,
            Batch::new(&x, &d),
            Loss::mse(),
            10,
            5,
            |net, g, u| {
                assert_eq!(u.losses.len(), 5);
                for (w, g) in net.params_mut().iter_mut().zip(g) {
                    *w -= 0.1 * g;
                }
                calls += 1;
                Ok(())
            },
        )
        .unwrap();
    }
    let after = recurrent::grad::evaluate(&net, Batch::new(&x, &d), Loss::mse()).unwrap();
    assert_eq!(calls, 5 * 80);
    assert!(after < 0.2 * before, "before {before}, after {after}");
    // and an error from the callback stops the run
    let err = truncated_bptt_with(
        &mut net,
        Batch::new(&x, &d),
        Loss::mse(),
        4,
        2,
        |_, _, _| {
            Err(Error::Numerical {
                op: "test",
                reason: "stop".into(),
            })
        },
    );
    assert!(matches!(err, Err(Error::Numerical { .. })));
}

/// A sequence-to-one mask: updates whose steps are all masked out are skipped.
#[test]
fn truncated_skips_updates_with_no_loss() {
    let mut r = rng(8);
    let net = Elman::<f64>::builder(2, 4, 1).build(&mut r).unwrap();
    let x = random_sequence(2, 9, 1, 1.0, &mut r);
    let d = random_sequence(1, 9, 1, 0.5, &mut r);
    let mask = Mask::last_step(9, 1);
    let b = Batch::new(&x, &d).with_mask(&mask);
    let mut tb = TruncatedBptt::new(9, 2).unwrap();
    let u = tb.next(&net, b, Loss::mse()).unwrap().expect("one update");
    assert_eq!(u.losses, 8..9);
    assert!(tb.next(&net, b, Loss::mse()).unwrap().is_none());
    assert_eq!(tb.position(), 9);
    let full = bptt(&net, b, Loss::mse()).unwrap();
    assert!(relative_difference(tb.grad(), &full.params) < TOL_F64);
    tb.reset();
    assert_eq!(tb.position(), 0);
}

#[test]
fn rtrl_errors() {
    let mut r = rng(1);
    let net = Elman::<f64>::builder(2, 3, 1).build(&mut r).unwrap();
    let other = Elman::<f64>::builder(2, 4, 1).build(&mut r).unwrap();
    assert!(matches!(
        Rtrl::new(&net, 0),
        Err(Error::InvalidParameter { .. })
    ));
    let mut ws = Rtrl::new(&net, 2).unwrap();
    let x = DMatrix::<f64>::zeros(2, 2);
    let d = DMatrix::<f64>::zeros(1, 2);
    let l = Loss::mse();
    let bad = DMatrix::<f64>::zeros(3, 2);
    assert!(matches!(
        ws.step(&net, bad.as_view(), d.as_view(), l),
        Err(Error::DimensionMismatch { what: "input", .. })
    ));
    assert!(matches!(
        ws.step(&net, x.as_view(), x.as_view(), l),
        Err(Error::DimensionMismatch { what: "target", .. })
    ));
    assert!(matches!(
        ws.step(&other, x.as_view(), d.as_view(), l),
        Err(Error::DimensionMismatch { .. })
    ));
    let mut nan = x.clone();
    nan[(1, 1)] = f64::NAN;
    assert!(matches!(
        ws.step(&net, nan.as_view(), d.as_view(), l),
        Err(Error::NonFinite { what: "inputs", .. })
    ));
    let mut nan_d = d.clone();
    nan_d[(0, 0)] = f64::INFINITY;
    assert!(matches!(
        ws.step(&net, x.as_view(), nan_d.as_view(), l),
        Err(Error::NonFinite {
            what: "targets",
            ..
        })
    ));
    // exploding weights make the outputs non-finite: reported with the step
    let mut huge = net.clone();
    huge.params_mut().fill(1e308);
    let ones = DMatrix::from_element(2, 2, 1.0);
    ws.reset(&huge, None).unwrap();
    assert!(matches!(
        ws.step(&huge, ones.as_view(), d.as_view(), l),
        Err(Error::NonFinite {
            what: "outputs",
            index: 0,
            ..
        })
    ));
    assert!(matches!(
        ws.reset(&net, Some(&DMatrix::zeros(3, 1))),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        ws.reset(&net, Some(&DMatrix::from_element(3, 2, f64::NAN))),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        ws.reset(&other, None),
        Err(Error::DimensionMismatch { .. })
    ));
    ws.reset(&net, Some(&DMatrix::from_element(3, 2, 0.5)))
        .unwrap();
    assert_eq!(ws.state()[(2, 1)], 0.5);
    assert!(ws.step(&net, x.as_view(), d.as_view(), l).is_ok());
    assert_eq!(ws.output().shape(), (1, 2));

    // whole-sequence errors
    let xs = Sequence::new(DMatrix::<f64>::zeros(2, 6), 2).unwrap();
    let ds = Sequence::new(DMatrix::<f64>::zeros(1, 6), 2).unwrap();
    let empty = Sequence::new(DMatrix::<f64>::zeros(2, 0), 2).unwrap();
    assert!(matches!(
        rtrl(&net, Batch::new(&empty, &ds), l),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(
        rtrl(&net, Batch::new(&xs, &xs), l),
        Err(Error::DimensionMismatch { .. })
    ));
    let zero_mask = Mask::new(vec![0.0; 6], 3, 2).unwrap();
    assert!(matches!(
        rtrl(&net, Batch::new(&xs, &ds).with_mask(&zero_mask), l),
        Err(Error::Empty { .. })
    ));
    let wrong_mask = Mask::all(2, 2);
    assert!(matches!(
        rtrl(&net, Batch::new(&xs, &ds).with_mask(&wrong_mask), l),
        Err(Error::DimensionMismatch { what: "mask", .. })
    ));
    let a0 = DMatrix::zeros(3, 1);
    assert!(matches!(
        rtrl(&net, Batch::new(&xs, &ds).with_initial(&a0), l),
        Err(Error::DimensionMismatch { .. })
    ));
    let mut nan_xs = xs.clone();
    nan_xs.as_matrix_mut()[(0, 4)] = f64::NAN;
    assert!(matches!(
        rtrl(&net, Batch::new(&nan_xs, &ds), l),
        Err(Error::NonFinite { index: 2, .. })
    ));
    // a cross-entropy on a zero probability: a non-finite loss named with its step
    let soft = Elman::<f64>::builder(2, 3, 2)
        .output(Activation::Softmax)
        .build(&mut r)
        .unwrap();
    let mut ws = Rtrl::new(&soft, 1).unwrap();
    let x1 = DMatrix::from_element(2, 1, 0.0);
    let d1 = DMatrix::from_column_slice(2, 1, &[1.0, 0.0]);
    ws.step(&soft, x1.as_view(), d1.as_view(), Loss::cross_entropy())
        .unwrap();
    let mut dead = soft.clone();
    let blocks = dead.param_blocks();
    let by = blocks.iter().find(|b| b.name == "b_y").unwrap().range();
    dead.params_mut()[by.start] = -1e6;
    assert!(matches!(
        ws.step(&dead, x1.as_view(), d1.as_view(), Loss::cross_entropy()),
        Err(Error::NonFinite {
            what: "loss",
            index: 1,
            ..
        })
    ));
}

#[test]
fn truncated_errors() {
    assert!(matches!(
        TruncatedBptt::<f64>::new(0, 1),
        Err(Error::InvalidParameter { name: "h", .. })
    ));
    assert!(matches!(
        TruncatedBptt::<f64>::new(3, 0),
        Err(Error::InvalidParameter {
            name: "h_prime",
            ..
        })
    ));
    assert!(matches!(
        TruncatedBptt::<f64>::new(3, 4),
        Err(Error::InvalidParameter {
            name: "h_prime",
            ..
        })
    ));
    let mut r = rng(2);
    let net = Elman::<f64>::builder(2, 3, 1).build(&mut r).unwrap();
    let l = Loss::mse();
    let xs = Sequence::new(DMatrix::<f64>::zeros(2, 8), 2).unwrap();
    let ds = Sequence::new(DMatrix::<f64>::zeros(1, 8), 2).unwrap();
    let empty = Sequence::new(DMatrix::<f64>::zeros(2, 0), 2).unwrap();
    assert!(matches!(
        truncated_bptt(&net, Batch::new(&empty, &ds), l, 2, 1),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(
        truncated_bptt(&net, Batch::new(&xs, &xs), l, 2, 1),
        Err(Error::DimensionMismatch { .. })
    ));
    let ds1 = Sequence::new(DMatrix::<f64>::zeros(1, 8), 1).unwrap();
    assert!(matches!(
        truncated_bptt(&net, Batch::new(&xs, &ds1), l, 2, 1),
        Err(Error::DimensionMismatch { .. })
    ));
    let zero_mask = Mask::new(vec![0.0; 8], 4, 2).unwrap();
    assert!(matches!(
        truncated_bptt(&net, Batch::new(&xs, &ds).with_mask(&zero_mask), l, 2, 1),
        Err(Error::Empty { .. })
    ));
    let wrong_mask = Mask::all(3, 2);
    assert!(matches!(
        truncated_bptt(&net, Batch::new(&xs, &ds).with_mask(&wrong_mask), l, 2, 1),
        Err(Error::DimensionMismatch { what: "mask", .. })
    ));
    let a0 = DMatrix::zeros(2, 2);
    assert!(matches!(
        truncated_bptt(&net, Batch::new(&xs, &ds).with_initial(&a0), l, 2, 1),
        Err(Error::DimensionMismatch { .. })
    ));
    let mut nan = ds.clone();
    nan.as_matrix_mut()[(0, 7)] = f64::NAN;
    assert!(matches!(
        truncated_bptt(&net, Batch::new(&xs, &nan), l, 2, 1),
        Err(Error::NonFinite { .. })
    ));
}

/// A wrapper that hides a cell's own `jacobians`, so the trait's default (built from
/// `step_backward`) runs instead.
#[derive(Clone, Debug)]
struct ByVjp<C>(C);

impl<C: Cell> Cell for ByVjp<C> {
    type Scalar = C::Scalar;
    fn n_input(&self) -> usize {
        self.0.n_input()
    }
    fn n_state(&self) -> usize {
        self.0.n_state()
    }
    fn n_output(&self) -> usize {
        self.0.n_output()
    }
    fn n_cache(&self) -> usize {
        self.0.n_cache()
    }
    fn n_scratch(&self) -> usize {
        self.0.n_scratch()
    }
    fn param_blocks(&self) -> Vec<recurrent::traits::ParamBlock> {
        self.0.param_blocks()
    }
    fn initial_state(&self, batch: usize) -> DMatrix<C::Scalar> {
        self.0.initial_state(batch)
    }
    fn step(
        &self,
        theta: &[C::Scalar],
        x: nalgebra::DMatrixView<'_, C::Scalar>,
        prev: nalgebra::DMatrixView<'_, C::Scalar>,
        state: nalgebra::DMatrixViewMut<'_, C::Scalar>,
        output: nalgebra::DMatrixViewMut<'_, C::Scalar>,
        cache: nalgebra::DMatrixViewMut<'_, C::Scalar>,
    ) {
        self.0.step(theta, x, prev, state, output, cache)
    }
    fn step_backward(
        &self,
        theta: &[C::Scalar],
        step: recurrent::traits::Step<'_, C::Scalar>,
        d_state: nalgebra::DMatrixView<'_, C::Scalar>,
        d_output: nalgebra::DMatrixView<'_, C::Scalar>,
        d_prev: nalgebra::DMatrixViewMut<'_, C::Scalar>,
        d_input: Option<nalgebra::DMatrixViewMut<'_, C::Scalar>>,
        grad: &mut [C::Scalar],
        scratch: nalgebra::DMatrixViewMut<'_, C::Scalar>,
    ) {
        self.0.step_backward(
            theta, step, d_state, d_output, d_prev, d_input, grad, scratch,
        )
    }
}

/// `net` with its cell's own `jacobians` hidden.
fn by_vjp<C: Cell + Clone>(net: &recurrent::Net<C>) -> recurrent::Net<ByVjp<C>> {
    let (cell, theta) = net.clone().into_parts();
    recurrent::Net::new(ByVjp(cell), theta).unwrap()
}

/// Elman's closed-form Jacobians equal the default ones built from its backward step, for
/// every hidden activation (the softmax one has a dense `D`), and RTRL through either agrees.
#[test]
fn elman_closed_form_jacobians_equal_the_default() {
    for (k, hidden) in HIDDEN.iter().chain(&[Activation::Relu]).enumerate() {
        let mut r = rng(40 + k as u64);
        let net = Elman::<f64>::builder(3, 7, 2)
            .hidden(*hidden)
            .initial_context(0.2)
            .build(&mut r)
            .unwrap();
        let plain = by_vjp(&net);
        let x = random_sequence::<f64>(3, 4, 1, 1.0, &mut r);
        let (n, p) = (net.n_state(), net.n_params());
        let mut trace = recurrent::Trace::new(net.cell(), 4, 1);
        let no_cache = DMatrix::<f64>::zeros(0, 1);
        net.cell().forward_seq(net.params(), &x, &mut trace);
        for t in 0..4 {
            let step = recurrent::traits::Step {
                x: x.step(t),
                prev: trace.state(t),
                state: trace.state(t + 1),
                output: trace.output(t + 1),
                cache: no_cache.as_view(),
            };
            let (mut j1, mut i1) = (
                DMatrix::from_element(n, n, 9.0),
                DMatrix::from_element(n, p, 9.0),
            );
            let (mut j2, mut i2) = (j1.clone(), i1.clone());
            let mut work = Vec::new();
            let theta = net.params();
            net.cell()
                .jacobians(theta, step, j1.as_view_mut(), i1.as_view_mut(), &mut work);
            plain
                .cell()
                .jacobians(theta, step, j2.as_view_mut(), i2.as_view_mut(), &mut work);
            assert!(
                (&j1 - &j2).norm() <= 1e-14 * j2.norm().max(1.0),
                "{hidden:?} J, step {t}"
            );
            assert!(
                (&i1 - &i2).norm() <= 1e-14 * i2.norm().max(1.0),
                "{hidden:?} I, step {t}"
            );
        }
        let d = random_sequence::<f64>(2, 4, 1, 0.5, &mut r);
        let b = Batch::new(&x, &d);
        let (g1, g2) = (
            rtrl(&net, b, Loss::mse()).unwrap(),
            rtrl(&plain, b, Loss::mse()).unwrap(),
        );
        assert!(
            relative_difference(&g1.params, &g2.params) < 1e-13,
            "{hidden:?}"
        );
    }
}

/// Sensitivity columns that start at zero (inputs that are exactly 0 for the first steps, an
/// initial context of 0) are skipped until their immediate Jacobian turns nonzero; the
/// gradient must not notice.
#[test]
fn columns_that_wake_up_late_are_tracked() {
    for batch in [1usize, 3] {
        let mut r = rng(77 + batch as u64);
        let net = Elman::<f64>::builder(3, 5, 2).build(&mut r).unwrap();
        let mut x = random_sequence::<f64>(3, 9, batch, 1.0, &mut r);
        for t in 0..4 {
            x.step_mut(t).fill(0.0);
        }
        // input 2 stays silent for column 0 until the last step
        for t in 0..8 {
            x.step_mut(t)[(2, 0)] = 0.0;
        }
        let d = random_sequence::<f64>(2, 9, batch, 0.5, &mut r);
        let b = Batch::new(&x, &d);
        let (f, w) = (
            rtrl(&net, b, Loss::mse()).unwrap(),
            bptt(&net, b, Loss::mse()).unwrap(),
        );
        assert!(relative_difference(&f.params, &w.params) < TOL_F64);
        assert!(
            relative_difference(f.initial_state.as_slice(), w.initial_state.as_slice()) < TOL_F64
        );
    }
}

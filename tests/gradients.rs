//! BPTT against finite differences, for the crate's cells and for a cell defined here, outside
//! `src/`: the proof that a user's own cell gets BPTT and the gradient check for free.

mod common;
#[path = "common/leaky.rs"]
mod leaky;

use common::{random_sequence, rng};
use leaky::Leaky;
use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};
use proptest::prelude::*;
use recurrent::activation::Activation;
use recurrent::cell::{Elman, Feedback, Jordan};
use recurrent::grad::{Batch, CheckOptions, Loss, check};
use recurrent::traits::{ParamBlock, Step};
use recurrent::{Cell, Mask, Parameters, Recurrent, Sequence};

const HIDDEN: [Activation; 4] = [
    Activation::Tanh,
    Activation::Sigmoid,
    Activation::Identity,
    Activation::Softmax,
];

/// f64 gradients must agree with the fourth-order central difference to 1e-6 relative (the
/// check's default floor, 1e-5·max(1, |L|), for tiny entries): the stencil's own error is about
/// 1e-11 here.
const TOL_F64: f64 = 1e-6;

fn targets_for(o: usize, steps: usize, batch: usize, softmax: bool, seed: u64) -> Sequence<f64> {
    if softmax {
        let classes: Vec<usize> = (0..steps * batch)
            .map(|j| (j * 7 + seed as usize) % o)
            .collect();
        Sequence::one_hot(&classes, o, batch).expect("valid classes")
    } else {
        random_sequence(o, steps, batch, 0.5, &mut rng(seed ^ 0xabc))
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn elman_bptt_matches_finite_differences(
        seed in any::<u64>(),
        (i, n, o) in (1usize..4, 1usize..6, 1usize..4),
        hidden in 0usize..4,
        softmax_out in any::<bool>(),
        (batch, steps) in (1usize..4, 1usize..7),
        last_only in any::<bool>(),
    ) {
        let mut r = rng(seed);
        let out = if softmax_out { Activation::Softmax } else { Activation::Sigmoid };
        let net = Elman::<f64>::builder(i, n, o)
            .hidden(HIDDEN[hidden])
            .output(out)
            .initial_context(0.1)
            .build(&mut r)
            .unwrap();
        let x = random_sequence(i, steps, batch, 1.0, &mut r);
        let d = targets_for(o, steps, batch, softmax_out, seed);
        let loss = if softmax_out { Loss::cross_entropy() } else { Loss::mse() };
        let mask = Mask::last_step(steps, batch);
        let b = if last_only { Batch::new(&x, &d).with_mask(&mask) } else { Batch::new(&x, &d) };
        let rep = check(&net, b, loss, CheckOptions::default()).unwrap();
        prop_assert!(rep.max_rel_error < TOL_F64, "{:?}", rep);
        prop_assert_eq!(rep.checked, net.n_params() + n * batch);
    }

    #[test]
    fn jordan_bptt_matches_finite_differences(
        seed in any::<u64>(),
        (i, h, o) in (1usize..4, 1usize..6, 1usize..4),
        hidden in 0usize..3,
        mu in 0.0f64..0.95,
        teacher in any::<bool>(),
        (batch, steps) in (1usize..4, 1usize..7),
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
        let d = targets_for(o, steps, batch, false, seed);
        let x = if teacher { net.teacher_inputs(&x0, &d).unwrap() } else { x0 };
        let rep = check(&net, Batch::new(&x, &d), Loss::sum_squared(), CheckOptions::default()).unwrap();
        prop_assert!(rep.max_rel_error < TOL_F64, "{:?}", rep);
    }

    /// The cell defined in this file gets BPTT and the check from the generic code.
    #[test]
    fn user_defined_cell_gets_bptt(
        seed in any::<u64>(),
        (n, i) in (1usize..5, 1usize..4),
        alpha in 0.05f64..1.0,
        (batch, steps) in (1usize..3, 1usize..8),
    ) {
        let cell = Leaky::new(n, i, alpha, seed);
        let x = random_sequence(i, steps, batch, 1.0, &mut rng(seed.wrapping_add(1)));
        let d = random_sequence(n, steps, batch, 0.5, &mut rng(seed.wrapping_add(2)));
        let rep = check(&cell, Batch::new(&x, &d), Loss::mse(), CheckOptions::default()).unwrap();
        prop_assert!(rep.max_rel_error < TOL_F64, "{:?}", rep);
        // and it runs as a Recurrent through the blanket impl
        let run = cell.run(&x, None).unwrap();
        prop_assert_eq!(run.outputs.as_matrix(), run.states.as_matrix());
    }
}

/// f32: the same check with a tolerance for single precision. The stencil's rounding error is
/// about ε₃₂·|L|/h ≈ 1.2e-7·|L|/0.04 ≈ 3e-6·|L| absolute, and the f32 loss itself carries
/// summation error of order 1e-6 relative; with a floor of 1e-3, relative errors stay below
/// about 1e-2 for losses of order one.
#[test]
fn elman_and_jordan_f32_gradients() {
    for seed in 0..12u64 {
        let mut r = rng(seed);
        let net = Elman::<f32>::builder(3, 5, 2)
            .hidden(HIDDEN[(seed % 3) as usize])
            .build(&mut r)
            .unwrap();
        let x = random_sequence::<f32>(3, 6, 2, 1.0, &mut r);
        let d = random_sequence::<f32>(2, 6, 2, 0.5, &mut r);
        let opts = CheckOptions {
            floor: 1e-3,
            ..CheckOptions::default()
        };
        let rep = check(&net, Batch::new(&x, &d), Loss::mse(), opts).unwrap();
        assert!(rep.max_rel_error < 1e-2, "elman seed {seed}: {rep:?}");
        let jn = Jordan::<f32>::builder(3, 5, 2)
            .mu(0.5)
            .build(&mut r)
            .unwrap();
        let rep = check(&jn, Batch::new(&x, &d), Loss::mse(), opts).unwrap();
        assert!(rep.max_rel_error < 1e-2, "jordan seed {seed}: {rep:?}");
    }
}

/// ReLU is not differentiable at 0; these fixed cases have no pre-activation within the
/// stencil's reach of the kink, and there the gradient must be exact.
#[test]
fn relu_gradients() {
    let mut worst = 0.0f64;
    for seed in [3u64, 11, 19] {
        let mut r = rng(seed);
        let net = Elman::<f64>::builder(2, 4, 1)
            .hidden(Activation::Relu)
            .build(&mut r)
            .unwrap();
        let x = random_sequence(2, 5, 1, 1.0, &mut r);
        let d = random_sequence(1, 5, 1, 0.5, &mut r);
        let rep = check(
            &net,
            Batch::new(&x, &d),
            Loss::mse(),
            CheckOptions::default(),
        )
        .unwrap();
        worst = worst.max(rep.max_rel_error);
    }
    assert!(worst < TOL_F64, "worst relu error {worst}");
}

/// The leaky cell with a wrong backward step: its cotangents scaled by `cotangents`, and the
/// first parameter's gradient, as accumulated so far, scaled by `grad0` after each step.
#[derive(Clone, Debug)]
struct Tampered {
    inner: Leaky,
    cotangents: f64,
    grad0: f64,
}

impl Tampered {
    fn grad0(inner: Leaky, grad0: f64) -> Self {
        Tampered {
            inner,
            cotangents: 1.0,
            grad0,
        }
    }
    fn cotangents(inner: Leaky, cotangents: f64) -> Self {
        Tampered {
            inner,
            cotangents,
            grad0: 1.0,
        }
    }
}

impl Cell for Tampered {
    type Scalar = f64;
    fn n_input(&self) -> usize {
        self.inner.n_input()
    }
    fn n_state(&self) -> usize {
        self.inner.n_state()
    }
    fn n_output(&self) -> usize {
        self.inner.n_output()
    }
    fn n_cache(&self) -> usize {
        self.inner.n_cache()
    }
    fn param_blocks(&self) -> Vec<ParamBlock> {
        self.inner.param_blocks()
    }
    fn step(
        &self,
        theta: &[f64],
        x: DMatrixView<'_, f64>,
        p: DMatrixView<'_, f64>,
        s: DMatrixViewMut<'_, f64>,
        o: DMatrixViewMut<'_, f64>,
        c: DMatrixViewMut<'_, f64>,
    ) {
        self.inner.step(theta, x, p, s, o, c)
    }
    fn step_backward(
        &self,
        theta: &[f64],
        step: Step<'_, f64>,
        ds: DMatrixView<'_, f64>,
        dy: DMatrixView<'_, f64>,
        dp: DMatrixViewMut<'_, f64>,
        dx: Option<DMatrixViewMut<'_, f64>>,
        grad: &mut [f64],
        scratch: DMatrixViewMut<'_, f64>,
    ) {
        let (ds, dy) = (ds * self.cotangents, dy * self.cotangents);
        self.inner.step_backward(
            theta,
            step,
            ds.as_view(),
            dy.as_view(),
            dp,
            dx,
            grad,
            scratch,
        );
        grad[0] *= self.grad0;
    }
}

/// A deliberately wrong gradient must be caught: the check is able to fail.
#[test]
fn check_detects_a_wrong_gradient() {
    let (leaky, theta) = Leaky::new(3, 2, 0.5, 1).into_parts();
    let x = random_sequence(2, 4, 1, 1.0, &mut rng(2));
    let d = random_sequence(3, 4, 1, 0.5, &mut rng(3));
    // a 0.1% error in one entry of each step's gradient
    let cell = recurrent::Net::new(Tampered::grad0(leaky, 1.001), theta).unwrap();
    let rep = check(
        &cell,
        Batch::new(&x, &d),
        Loss::mse(),
        CheckOptions::default(),
    )
    .unwrap();
    assert!(rep.max_rel_error > 1e-4, "{rep:?}");
    assert_eq!(rep.worst, recurrent::grad::Location::Param(0));
}

/// BPTT = RTRL does not test a cell's backward step: a step_backward 10% off (every cotangent
/// scaled by 1.1) still gives BPTT = RTRL to rounding, because the provided `Cell::jacobians`
/// is built from that same backward step. Only finite differences catch it.
#[test]
fn bptt_equals_rtrl_even_for_a_wrong_backward_step() {
    let (leaky, theta) = Leaky::new(3, 2, 0.5, 4).into_parts();
    let cell = recurrent::Net::new(Tampered::cotangents(leaky, 1.1), theta).unwrap();
    let x = random_sequence(2, 6, 2, 1.0, &mut rng(5));
    let d = random_sequence(3, 6, 2, 0.5, &mut rng(6));
    let b = recurrent::grad::bptt(&cell, Batch::new(&x, &d), Loss::mse()).unwrap();
    let r = recurrent::grad::rtrl(&cell, Batch::new(&x, &d), Loss::mse()).unwrap();
    assert!(recurrent::grad::relative_difference(&b.params, &r.params) < 1e-12);
    let rep = check(
        &cell,
        Batch::new(&x, &d),
        Loss::mse(),
        CheckOptions::default(),
    )
    .unwrap();
    assert!(rep.max_rel_error > 0.05, "{rep:?}");
}

/// Elman's fused sequence schedule computes what the generic step-by-step schedule computes.
#[test]
fn elman_sequence_schedule_equals_step_schedule() {
    for (batch, hidden) in [
        (1, Activation::Tanh),
        (7, Activation::Sigmoid),
        (3, Activation::Softmax),
    ] {
        let mut r = rng(batch as u64);
        let net = Elman::<f64>::builder(4, 9, 3)
            .hidden(hidden)
            .output(Activation::Softmax)
            .build(&mut r)
            .unwrap();
        let steps = 11;
        let x = random_sequence(4, steps, batch, 1.0, &mut r);
        let dy = random_sequence::<f64>(3, steps, batch, 1.0, &mut r);
        let (cell, theta) = (net.cell(), net.params());
        let mut fused = recurrent::Trace::new(cell, steps, batch);
        let mut plain = fused.clone();
        cell.forward_seq(theta, &x, &mut fused);
        recurrent::unroll::forward_steps(cell, theta, &x, &mut plain);
        let rel = |a: &DMatrix<f64>, b: &DMatrix<f64>| (a - b).norm() / a.norm().max(b.norm());
        assert!(rel(fused.states(), plain.states()) < 1e-13);
        assert!(rel(fused.outputs(), plain.outputs()) < 1e-13);
        let mut g1 = vec![0.0; net.n_params()];
        let mut g2 = g1.clone();
        let mut dx1 = DMatrix::zeros(4, steps * batch);
        let mut dx2 = DMatrix::zeros(4, steps * batch);
        let dy = dy.as_matrix().as_view();
        cell.backward_seq(theta, &x, dy, &mut fused, &mut g1, Some(dx1.as_view_mut()));
        recurrent::unroll::backward_steps(
            cell,
            theta,
            &x,
            dy,
            &mut plain,
            &mut g2,
            Some(dx2.as_view_mut()),
        );
        assert!(recurrent::grad::relative_difference(&g1, &g2) < 1e-13);
        assert!(rel(fused.d_states(), plain.d_states()) < 1e-13);
        assert!(rel(&dx1, &dx2) < 1e-13);
    }
}

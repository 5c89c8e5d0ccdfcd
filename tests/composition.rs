//! The composition seam: a model made of parts is one θ, and every algorithm works on it; a
//! cell defined here overrides its sequence schedules through the public `Trace` only.

mod common;
#[path = "common/leaky.rs"]
mod leaky;

use common::{random_sequence, rng};
use leaky::Leaky;
use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};
use recurrent::grad::{
    Batch, Bptt, CheckOptions, Loss, bptt, check, relative_difference, rtrl, truncated_bptt,
};
use recurrent::net::{Linear, Lookup, Stack};
use recurrent::prelude::*;
use recurrent::traits::{ParamBlock, Step};
use recurrent::unroll::{Trace, backward_steps, forward_steps};
use recurrent::{Net, Sequence};

/// Token sequences (`1 × T·B`) and next-token targets for a vocabulary of `v`.
fn tokens(v: usize, steps: usize, batch: usize, seed: u64) -> (Sequence<f64>, Sequence<f64>) {
    let r = random_sequence::<f64>(1, steps + 1, batch, 1.0, &mut rng(seed));
    let ids: Vec<f64> = r
        .as_matrix()
        .iter()
        .map(|x| ((x.abs() * 1000.0) as usize % v) as f64)
        .collect();
    let m = DMatrix::from_row_slice(1, (steps + 1) * batch, &ids);
    let x = Sequence::new(m.columns(0, steps * batch).into_owned(), batch).unwrap();
    let d = Sequence::new(m.columns(batch, steps * batch).into_owned(), batch).unwrap();
    (x, d)
}

/// The proof: a test-defined cell between a lookup table and a linear logits layer,
/// one model, one θ.
fn leaky_lm(v: usize, dim: usize, n: usize, seed: u64) -> Net<Stack<Leaky>> {
    Stack::builder(Leaky::new(n, dim, 0.6, seed))
        .lookup(Lookup::new(v, dim).unwrap())
        .head(Linear::new(n, v).unwrap())
        .build(&mut rng(seed + 1))
        .unwrap()
}

#[test]
fn one_theta_with_named_shifted_blocks() {
    let lm = leaky_lm(7, 3, 4, 1);
    let names: Vec<_> = lm.param_blocks().iter().map(|b| b.name.clone()).collect();
    assert_eq!(
        names,
        [
            "embedding.table",
            "cell.w",
            "cell.u",
            "cell.b",
            "head.w",
            "head.b"
        ]
    );
    let blocks = lm.param_blocks();
    let mut next = 0;
    for b in &blocks {
        assert_eq!(b.offset, next, "{b:?}");
        next += b.len();
    }
    assert_eq!(next, lm.n_params());
    assert_eq!(lm.n_params(), 3 * 7 + (16 + 12 + 4) + (7 * 4 + 7));
    assert_eq!(lm.block("head.w").unwrap().shape(), (7, 4));
}

#[test]
fn composed_model_passes_the_gradient_check() {
    for (batch, seed) in [(1, 3), (3, 4)] {
        let lm = leaky_lm(6, 3, 4, seed);
        let (x, d) = tokens(6, 5, batch, seed);
        let loss = Loss::softmax_cross_entropy();
        let r = check(&lm, Batch::new(&x, &d), loss, CheckOptions::default()).unwrap();
        assert!(r.max_rel_error < 1e-6, "batch {batch}: {r:?}");
        // the embedding rows of the tokens that occur get a gradient; the others none
        let g = bptt(&lm, Batch::new(&x, &d), loss).unwrap();
        let table = &lm.param_blocks()[0];
        let used: std::collections::BTreeSet<usize> =
            x.as_matrix().iter().map(|k| *k as usize).collect();
        for k in 0..6 {
            let col = &g.params[table.offset + k * 3..table.offset + (k + 1) * 3];
            let nonzero = col.iter().any(|v| *v != 0.0);
            assert_eq!(nonzero, used.contains(&k), "token {k}");
        }
    }
}

#[test]
fn composed_model_bptt_equals_rtrl_and_truncated() {
    let lm = leaky_lm(5, 2, 3, 8);
    let (x, d) = tokens(5, 7, 2, 9);
    let loss = Loss::softmax_cross_entropy();
    let b = bptt(&lm, Batch::new(&x, &d), loss).unwrap();
    let r = rtrl(&lm, Batch::new(&x, &d), loss).unwrap();
    assert!(relative_difference(&b.params, &r.params) < 1e-10);
    assert!((b.loss - r.loss).abs() < 1e-12);
    let t = truncated_bptt(&lm, Batch::new(&x, &d), loss, 7, 2).unwrap();
    assert!(relative_difference(&b.params, &t.params) < 1e-12);
}

#[test]
fn frozen_lookup_gets_no_gradient() {
    let net = Stack::builder(Leaky::new(3, 2, 0.5, 2))
        .lookup(Lookup::new(4, 2).unwrap().frozen(true))
        .head(Linear::new(3, 4).unwrap())
        .build(&mut rng(3))
        .unwrap();
    let (x, d) = tokens(4, 6, 2, 5);
    let g = bptt(&net, Batch::new(&x, &d), Loss::softmax_cross_entropy()).unwrap();
    assert!(g.params[..8].iter().all(|v| *v == 0.0));
    assert!(g.params[8..].iter().any(|v| *v != 0.0));
}

#[test]
fn bad_token_ids_are_errors_not_panics() {
    let lm = leaky_lm(5, 2, 3, 8);
    for bad in [5.0, -1.0, 0.5, f64::NAN] {
        let x = Sequence::new(DMatrix::from_row_slice(1, 3, &[0.0, bad, 1.0]), 1).unwrap();
        let d = Sequence::new(DMatrix::from_row_slice(1, 3, &[1.0, 2.0, 3.0]), 1).unwrap();
        let loss = Loss::softmax_cross_entropy();
        assert!(bptt(&lm, Batch::new(&x, &d), loss).is_err(), "{bad}");
        assert!(rtrl(&lm, Batch::new(&x, &d), loss).is_err(), "{bad}");
        assert!(lm.run(&x, None).is_err(), "{bad}");
        // and a target outside the vocabulary
        let x = Sequence::new(DMatrix::from_row_slice(1, 3, &[0.0, 1.0, 1.0]), 1).unwrap();
        let d = Sequence::new(DMatrix::from_row_slice(1, 3, &[1.0, bad, 3.0]), 1).unwrap();
        assert!(bptt(&lm, Batch::new(&x, &d), loss).is_err(), "{bad}");
    }
}

/// The fused sequence schedule of `Stack` (lookup for all steps, the cell's schedule, one
/// head product) against the step-by-step schedule, with an Elman cell whose own schedule
/// is fused too.
#[test]
fn stack_fused_schedule_equals_steps() {
    let mut r = rng(11);
    let cell = Elman::<f64>::builder(4, 6, 6).build(&mut r).unwrap();
    let lm = Stack::builder(cell)
        .lookup(Lookup::new(9, 4).unwrap())
        .head(Linear::new(6, 9).unwrap())
        .build(&mut r)
        .unwrap();
    let (x, _) = tokens(9, 8, 3, 12);
    compare_schedules(&lm, &x, 1e-13);
}

/// Runs `forward_seq`/`backward_seq` and the step-by-step schedules on the same data and
/// compares states, outputs, state gradients and θ gradients.
fn compare_schedules<C: Cell<Scalar = f64>>(net: &Net<C>, x: &Sequence<f64>, tol: f64) {
    let (cell, theta) = (net.cell(), net.params());
    let (steps, b) = (x.steps(), x.batch());
    let d_out = random_sequence::<f64>(cell.n_output(), steps, b, 1.0, &mut rng(99));
    let mut fused = Trace::new(cell, steps, b);
    let mut plain = Trace::new(cell, steps, b);
    cell.forward_seq(theta, x, &mut fused);
    forward_steps(cell, theta, x, &mut plain);
    assert!(relative_difference(fused.states().as_slice(), plain.states().as_slice()) < tol);
    assert!(relative_difference(fused.outputs().as_slice(), plain.outputs().as_slice()) < tol);
    let (mut g1, mut g2) = (vec![0.0; net.n_params()], vec![0.0; net.n_params()]);
    let mut dx1 = DMatrix::zeros(cell.n_input(), steps * b);
    let mut dx2 = DMatrix::zeros(cell.n_input(), steps * b);
    cell.backward_seq(
        theta,
        x,
        d_out.as_matrix().as_view(),
        &mut fused,
        &mut g1,
        Some(dx1.as_view_mut()),
    );
    backward_steps(
        cell,
        theta,
        x,
        d_out.as_matrix().as_view(),
        &mut plain,
        &mut g2,
        Some(dx2.as_view_mut()),
    );
    assert!(
        relative_difference(&g1, &g2) < tol,
        "{}",
        relative_difference(&g1, &g2)
    );
    assert!(relative_difference(fused.d_states().as_slice(), plain.d_states().as_slice()) < tol);
    assert!(relative_difference(dx1.as_slice(), dx2.as_slice()) < tol);
}

/// A user's cell with a fused schedule written through the public `Trace` only:
/// `a⟨t⟩ = tanh(W a⟨t−1⟩ + U x⟨t⟩)`, `y = a`, whose input projection `U·X` runs once for all
/// steps (kept in the trace's typed workspace) and whose weight gradients are one product
/// each.
#[derive(Clone, Debug)]
struct Fused {
    n: usize,
    i: usize,
}

/// The workspace the fused schedule keeps in the trace.
#[derive(Default)]
struct FusedWork {
    dz: DMatrix<f64>,
}

impl Fused {
    fn split<'a>(&self, theta: &'a [f64]) -> (DMatrixView<'a, f64>, DMatrixView<'a, f64>) {
        let [w, u] = recurrent::ops::blocks(theta, [self.n * self.n, self.n * self.i]);
        (
            DMatrixView::from_slice(w, self.n, self.n),
            DMatrixView::from_slice(u, self.n, self.i),
        )
    }
}

impl Cell for Fused {
    type Scalar = f64;
    fn n_input(&self) -> usize {
        self.i
    }
    fn n_state(&self) -> usize {
        self.n
    }
    fn n_output(&self) -> usize {
        self.n
    }
    fn param_blocks(&self) -> Vec<ParamBlock> {
        ParamBlock::layout(&[("w", self.n, self.n), ("u", self.n, self.i)])
    }
    fn step(
        &self,
        theta: &[f64],
        x: DMatrixView<'_, f64>,
        prev: DMatrixView<'_, f64>,
        mut state: DMatrixViewMut<'_, f64>,
        mut output: DMatrixViewMut<'_, f64>,
        _cache: DMatrixViewMut<'_, f64>,
    ) {
        let (w, u) = self.split(theta);
        state.gemm(1.0, &u, &x, 0.0);
        state.gemm(1.0, &w, &prev, 1.0);
        state.apply(|v| *v = v.tanh());
        output.copy_from(&state);
    }
    fn step_backward(
        &self,
        theta: &[f64],
        step: Step<'_, f64>,
        d_state: DMatrixView<'_, f64>,
        d_output: DMatrixView<'_, f64>,
        mut d_prev: DMatrixViewMut<'_, f64>,
        d_input: Option<DMatrixViewMut<'_, f64>>,
        grad: &mut [f64],
        _scratch: DMatrixViewMut<'_, f64>,
    ) {
        let (w, u) = self.split(theta);
        let mut dz = d_state + d_output;
        dz.zip_apply(&step.state, |g, a| *g *= 1.0 - a * a);
        d_prev.gemm_tr(1.0, &w, &dz, 0.0);
        if let Some(mut dx) = d_input {
            dx.gemm_tr(1.0, &u, &dz, 0.0);
        }
        let [gw, gu] = recurrent::ops::blocks_mut(grad, [self.n * self.n, self.n * self.i]);
        recurrent::ops::add_outer(
            DMatrixViewMut::from_slice(gw, self.n, self.n),
            dz.as_view(),
            step.prev,
        );
        recurrent::ops::add_outer(
            DMatrixViewMut::from_slice(gu, self.n, self.i),
            dz.as_view(),
            step.x,
        );
    }
    fn forward_seq(&self, theta: &[f64], xs: &Sequence<f64>, trace: &mut Trace<f64>) {
        let (w, u) = self.split(theta);
        let (b, steps, n) = (trace.batch(), trace.steps(), self.n);
        let parts = trace.parts_mut();
        // U·X for every step at once, straight into the state blocks 1..=T
        parts
            .states
            .columns_mut(b, steps * b)
            .gemm(1.0, &u, xs.as_matrix(), 0.0);
        for t in 0..steps {
            let (head, tail) = parts.states.as_mut_slice().split_at_mut((t + 1) * n * b);
            let prev = DMatrixView::from_slice(&head[t * n * b..], n, b);
            let mut state = DMatrixViewMut::from_slice(&mut tail[..n * b], n, b);
            state.gemm(1.0, &w, &prev, 1.0);
            state.apply(|v| *v = v.tanh());
        }
        parts.outputs.copy_from(&parts.states.columns(b, steps * b));
    }
    fn backward_seq(
        &self,
        theta: &[f64],
        xs: &Sequence<f64>,
        d_outputs: DMatrixView<'_, f64>,
        trace: &mut Trace<f64>,
        grad: &mut [f64],
        d_inputs: Option<DMatrixViewMut<'_, f64>>,
    ) {
        let (w, u) = self.split(theta);
        let (b, steps, n) = (trace.batch(), trace.steps(), self.n);
        let (parts, work) = trace.parts_and_workspace_mut::<FusedWork>();
        work.dz = d_outputs.into_owned();
        for t in (0..steps).rev() {
            let mut dz = work.dz.columns_mut(t * b, b);
            dz += parts.d_states.columns((t + 1) * b, b);
            dz.zip_apply(&parts.states.columns((t + 1) * b, b), |g, a| {
                *g *= 1.0 - a * a
            });
            parts
                .d_states
                .columns_mut(t * b, b)
                .gemm_tr(1.0, &w, &dz, 0.0);
        }
        let [gw, gu] = recurrent::ops::blocks_mut(grad, [n * n, n * self.i]);
        recurrent::ops::add_outer(
            DMatrixViewMut::from_slice(gw, n, n),
            work.dz.as_view(),
            parts.states.columns(0, steps * b),
        );
        recurrent::ops::add_outer(
            DMatrixViewMut::from_slice(gu, n, self.i),
            work.dz.as_view(),
            xs.as_matrix().as_view(),
        );
        if let Some(mut dx) = d_inputs {
            dx.gemm_tr(1.0, &u, &work.dz, 0.0);
        }
    }
}

#[test]
fn a_users_fused_schedule_equals_its_steps() {
    for (n, i, steps, b, seed) in [(3, 2, 6, 1, 1), (5, 3, 9, 4, 2), (1, 1, 1, 1, 3)] {
        let cell = Fused { n, i };
        let theta = random_sequence::<f64>(cell.n_params(), 1, 1, 0.5, &mut rng(seed));
        let net = Net::new(cell, theta.as_matrix().as_slice().to_vec()).unwrap();
        let x = random_sequence::<f64>(i, steps, b, 1.0, &mut rng(seed + 10));
        compare_schedules(&net, &x, 1e-13);
        // and the algorithms see the fused cell like any other
        let d = random_sequence::<f64>(n, steps, b, 0.5, &mut rng(seed + 20));
        let r = check(
            &net,
            Batch::new(&x, &d),
            Loss::mse(),
            CheckOptions::default(),
        )
        .unwrap();
        assert!(r.max_rel_error < 1e-6, "{r:?}");
    }
}

#[test]
fn bptt_halves_make_the_whole() {
    let lm = leaky_lm(6, 3, 4, 21);
    let (x, d) = tokens(6, 5, 2, 22);
    let loss = Loss::softmax_cross_entropy();
    let whole = bptt(&lm, Batch::new(&x, &d), loss).unwrap();
    let mut ws = Bptt::new(&lm, 5, 2);
    let y = ws.forward(&lm, &x, None).unwrap().clone();
    let mut dy = DMatrix::zeros(6, 10);
    let l = loss
        .evaluate(y.as_view(), &d, None, dy.as_view_mut())
        .unwrap();
    ws.backward(&lm, &x, dy.as_view()).unwrap();
    assert_eq!(l, whole.loss);
    assert!(relative_difference(ws.grad(), &whole.params) < 1e-15);
    // a wrongly shaped output gradient is an error
    assert!(ws.backward(&lm, &x, dy.columns(0, 4)).is_err());
}

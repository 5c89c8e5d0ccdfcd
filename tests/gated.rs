//! LSTM and GRU: PyTorch's numbers, the generic algorithms (finite differences, RTRL,
//! truncated BPTT, the trainer), the fused sequence schedules against the step-by-step ones,
//! f32, serde and the errors.
//!
//! The PyTorch numbers are in `tests/data/gated/torch_ref.json`, printed by
//! `tests/data/gated/torch_ref.py` (kept beside it; this test never runs Python).

mod common;

use common::{random_sequence, rng};
use nalgebra::{DMatrix, DMatrixView};
use proptest::prelude::*;
use recurrent::cell::{Elman, Gru, GruCell, Lstm, LstmCell};
use recurrent::grad::{
    Batch, CheckOptions, Loss, bptt, check, relative_difference, rtrl, truncated_bptt,
};
use recurrent::init::Init;
use recurrent::net::{Linear, Lookup, Stack};
use recurrent::scalar::{Real, lit, to_f64};
use recurrent::train::{Adam, TrainConfig};
use recurrent::unroll::{Trace, backward_steps, forward_steps};
use recurrent::{Cell, Error, Mask, Net, Parameters, Recurrent, Sequence};

// ---------------------------------------------------------------------------------------
// PyTorch

/// One case of the fixture.
struct Reference {
    kind: String,
    i: usize,
    h: usize,
    t: usize,
    b: usize,
    json: serde_json::Value,
}

impl Reference {
    fn all() -> Vec<(String, Reference)> {
        let text = include_str!("data/gated/torch_ref.json");
        let v: serde_json::Value = serde_json::from_str(text).expect("valid json");
        let cases = v["cases"].as_object().expect("cases");
        cases
            .iter()
            .map(|(name, c)| {
                let n = |k: &str| c[k].as_u64().expect("a size") as usize;
                (
                    name.clone(),
                    Reference {
                        kind: c["kind"].as_str().expect("kind").to_string(),
                        i: n("I"),
                        h: n("H"),
                        t: n("T"),
                        b: n("B"),
                        json: c.clone(),
                    },
                )
            })
            .collect()
    }

    fn vec<T: Real>(&self, key: &str) -> Vec<T> {
        self.json[key]
            .as_array()
            .unwrap_or_else(|| panic!("{key}"))
            .iter()
            .map(|v| lit(v.as_f64().expect("a number")))
            .collect()
    }

    fn gates(&self) -> usize {
        if self.kind == "lstm" { 4 } else { 3 }
    }

    /// A PyTorch matrix (row-major `rows × cols`) as a column-major matrix.
    fn matrix<T: Real>(&self, key: &str, rows: usize, cols: usize) -> DMatrix<T> {
        DMatrix::from_row_slice(rows, cols, &self.vec::<T>(key))
    }

    /// A `(T, B, d)` tensor as the crate's `d × T·B` sequence: the same flat order.
    fn sequence<T: Real>(&self, key: &str, d: usize) -> Sequence<T> {
        Sequence::new(
            DMatrix::from_column_slice(d, self.t * self.b, &self.vec::<T>(key)),
            self.b,
        )
        .expect("whole steps")
    }

    /// The initial state `[h0; c0]` (LSTM) or `h0` (GRU), `n_state × B`.
    fn initial<T: Real>(&self) -> DMatrix<T> {
        let h0 = DMatrix::from_column_slice(self.h, self.b, &self.vec::<T>("h0"));
        if self.kind == "lstm" {
            let c0 = DMatrix::from_column_slice(self.h, self.b, &self.vec::<T>("c0"));
            let mut s = DMatrix::zeros(2 * self.h, self.b);
            s.rows_mut(0, self.h).copy_from(&h0);
            s.rows_mut(self.h, self.h).copy_from(&c0);
            s
        } else {
            h0
        }
    }

    /// The model of this case, through the PyTorch loaders, as θ of either cell.
    fn theta<T: Real>(&self) -> (Vec<T>, Option<Lstm<T>>, Option<Gru<T>>) {
        let g = self.gates() * self.h;
        let w_ih = self.matrix::<T>("weight_ih", g, self.i);
        let w_hh = self.matrix::<T>("weight_hh", g, self.h);
        let (b_ih, b_hh) = (self.vec::<T>("bias_ih"), self.vec::<T>("bias_hh"));
        if self.kind == "lstm" {
            let n = Lstm::from_pytorch(w_ih.as_view(), w_hh.as_view(), &b_ih, &b_hh).unwrap();
            (n.params().to_vec(), Some(n), None)
        } else {
            let n = Gru::from_pytorch(w_ih.as_view(), w_hh.as_view(), &b_ih, &b_hh).unwrap();
            (n.params().to_vec(), None, Some(n))
        }
    }

    /// PyTorch's four parameter gradients in the crate's θ layout (column-major blocks).
    fn grad_theta<T: Real>(&self) -> Vec<T> {
        let g = self.gates() * self.h;
        let mut out = Vec::new();
        out.extend_from_slice(self.matrix::<T>("grad_weight_ih", g, self.i).as_slice());
        out.extend_from_slice(self.matrix::<T>("grad_weight_hh", g, self.h).as_slice());
        out.extend(self.vec::<T>("grad_bias_ih"));
        out.extend(self.vec::<T>("grad_bias_hh"));
        out
    }
}

/// Largest `|a − b|` over the largest `|b|`: one relative figure for a whole tensor.
fn max_rel<T: Real>(a: &[T], b: &[T]) -> f64 {
    assert_eq!(a.len(), b.len());
    let scale = b.iter().map(|v| to_f64(*v).abs()).fold(0.0, f64::max);
    let d = a
        .iter()
        .zip(b)
        .map(|(x, y)| (to_f64(*x) - to_f64(*y)).abs())
        .fold(0.0, f64::max);
    d / scale.max(f64::MIN_POSITIVE)
}

/// The comparison for one case and one cell: outputs, final state, loss, θ gradient,
/// initial-state gradient and input gradient, each as [`max_rel`]; returns the worst.
fn agree<T: Real, C: Cell<Scalar = T>>(net: &Net<C>, r: &Reference, name: &str) -> f64 {
    let (h, b, t) = (r.h, r.b, r.t);
    let x = r.sequence::<T>("x", r.i);
    let d = r.sequence::<T>("d", h);
    let s0 = r.initial::<T>();
    let run = net.run(&x, Some(&s0)).unwrap();
    let mut errors = vec![
        (
            "out",
            max_rel(run.outputs.as_matrix().as_slice(), &r.vec::<T>("out")),
        ),
        (
            "h_n",
            max_rel(
                run.states.step(t - 1).rows(0, h).clone_owned().as_slice(),
                &r.vec::<T>("h_n"),
            ),
        ),
    ];
    if r.kind == "lstm" {
        errors.push((
            "c_n",
            max_rel(
                run.states.step(t - 1).rows(h, h).clone_owned().as_slice(),
                &r.vec::<T>("c_n"),
            ),
        ));
    }
    let g = bptt(
        net,
        Batch::new(&x, &d).with_initial(&s0),
        Loss::sum_squared(),
    )
    .unwrap();
    let loss_ref: T = lit(r.json["loss"].as_f64().unwrap());
    errors.push(("loss", max_rel(&[g.loss], &[loss_ref])));
    errors.push(("grad θ", max_rel(&g.params, &r.grad_theta::<T>())));
    errors.push((
        "grad h0",
        max_rel(
            g.initial_state.rows(0, h).clone_owned().as_slice(),
            &r.vec::<T>("grad_h0"),
        ),
    ));
    if r.kind == "lstm" {
        errors.push((
            "grad c0",
            max_rel(
                g.initial_state.rows(h, h).clone_owned().as_slice(),
                &r.vec::<T>("grad_c0"),
            ),
        ));
    }
    // ∂L/∂x through the cell's own sequence schedule (what a lookup in front receives)
    let cell = net.cell();
    let mut trace = Trace::new(cell, t, b);
    trace.set_initial(s0.as_view()).unwrap();
    cell.forward_seq(net.params(), &x, &mut trace);
    let dy = trace.outputs() - d.as_matrix();
    let mut grad = vec![T::zero(); net.n_params()];
    let mut dx = DMatrix::zeros(r.i, t * b);
    cell.backward_seq(
        net.params(),
        &x,
        dy.as_view(),
        &mut trace,
        &mut grad,
        Some(dx.as_view_mut()),
    );
    errors.push(("grad x", max_rel(dx.as_slice(), &r.vec::<T>("grad_x"))));
    let worst = errors.iter().map(|e| e.1).fold(0.0, f64::max);
    let list: Vec<String> = errors.iter().map(|(k, e)| format!("{k} {e:.1e}")).collect();
    eprintln!(
        "pytorch {name} ({}): {}",
        std::any::type_name::<T>(),
        list.join(", ")
    );
    worst
}

#[test]
fn lstm_and_gru_match_pytorch_to_1e12_in_f64() {
    let refs = Reference::all();
    assert_eq!(refs.len(), 4);
    for (name, r) in &refs {
        let (_, lstm, gru) = r.theta::<f64>();
        let worst = match (lstm, gru) {
            (Some(n), _) => agree(&n, r, name),
            (_, Some(n)) => agree(&n, r, name),
            _ => unreachable!(),
        };
        assert!(worst < 1e-12, "{name}: worst relative error {worst:e}");
    }
}

#[test]
fn f32_matches_pytorch_to_f32_precision() {
    for (name, r) in &Reference::all() {
        let (_, lstm, gru) = r.theta::<f32>();
        let worst = match (lstm, gru) {
            (Some(n), _) => agree(&n, r, name),
            (_, Some(n)) => agree(&n, r, name),
            _ => unreachable!(),
        };
        assert!(worst < 2e-5, "{name}: worst relative error {worst:e}");
    }
}

#[test]
fn the_loaders_keep_pytorchs_layout() {
    let r = Reference::all()
        .into_iter()
        .find(|(n, _)| n == "lstm_small")
        .unwrap()
        .1;
    let (_, lstm, _) = r.theta::<f64>();
    let lstm = lstm.unwrap();
    // the loaded matrices are PyTorch's, element for element
    let w = r.matrix::<f64>("weight_hh", 4 * r.h, r.h);
    assert_eq!(lstm.weight_hh().clone_owned(), w);
    assert_eq!(lstm.block("weight_hh").unwrap().clone_owned(), w);
    assert_eq!(lstm.bias_ih(), r.vec::<f64>("bias_ih").as_slice());
    assert_eq!(lstm.n_hidden(), r.h);
    let names: Vec<_> = lstm.param_blocks().into_iter().map(|b| b.name).collect();
    assert_eq!(names, ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]);
}

// ---------------------------------------------------------------------------------------
// the generic algorithms

fn lstm(i: usize, h: usize, seed: u64) -> Lstm<f64> {
    Lstm::builder(i, h).build(&mut rng(seed)).unwrap()
}

fn gru(i: usize, h: usize, seed: u64) -> Gru<f64> {
    Gru::builder(i, h).build(&mut rng(seed)).unwrap()
}

/// Larger weights than PyTorch's default, so the gates leave their linear range and the
/// checks see the non-linearities.
fn scaled<C: Cell<Scalar = f64>>(mut net: Net<C>, by: f64) -> Net<C> {
    for p in net.params_mut() {
        *p *= by;
    }
    net
}

fn check_net<C: Cell<Scalar = f64> + Clone>(net: &Net<C>, b: usize, t: usize, seed: u64) {
    let c = net.cell();
    let x = random_sequence(c.n_input(), t, b, 1.0, &mut rng(seed));
    let d = random_sequence(c.n_output(), t, b, 0.5, &mut rng(seed + 1));
    let s0 = random_sequence::<f64>(c.n_state(), 1, b, 0.5, &mut rng(seed + 2)).into_matrix();
    let mask = Mask::last_step(t, b);
    for batch in [
        Batch::new(&x, &d),
        Batch::new(&x, &d).with_initial(&s0),
        Batch::new(&x, &d).with_mask(&mask),
    ] {
        let r = check(net, batch, Loss::mse(), CheckOptions::default()).unwrap();
        assert!(r.max_rel_error < 1e-6, "{r:?}");
        assert_eq!(r.checked, net.n_params() + c.n_state() * b);
    }
}

#[test]
fn bptt_matches_finite_differences() {
    for (i, h, b, t, seed) in [(2, 3, 1, 6, 1), (3, 4, 3, 5, 2), (1, 7, 6, 4, 3)] {
        check_net(&scaled(lstm(i, h, seed), 3.0), b, t, seed);
        check_net(&scaled(gru(i, h, seed), 3.0), b, t, seed);
    }
    // with the forget bias and orthogonal recurrent blocks
    let net = Lstm::<f64>::builder(2, 4)
        .forget_bias(1.0)
        .recurrent_init(Init::Orthogonal { gain: 1.0 })
        .build(&mut rng(4))
        .unwrap();
    check_net(&net, 2, 5, 4);
}

#[test]
fn gated_cells_inside_a_stack_pass_the_gradient_check() {
    // token ids → lookup → cell → logits: the lookup needs ∂L/∂x from the cell's schedule
    let ids: Vec<f64> = (0..12).map(|k| ((k * 7 + 3) % 5) as f64).collect();
    let targets: Vec<f64> = (0..12).map(|k| ((k * 3 + 1) % 5) as f64).collect();
    let x = Sequence::new(DMatrix::from_row_slice(1, 12, &ids), 2).unwrap();
    let d = Sequence::new(DMatrix::from_row_slice(1, 12, &targets), 2).unwrap();
    let loss = Loss::softmax_cross_entropy();
    let lm = Stack::builder(scaled(lstm(3, 4, 5), 2.0))
        .lookup(Lookup::new(5, 3).unwrap())
        .head(Linear::new(4, 5).unwrap())
        .build(&mut rng(6))
        .unwrap();
    let r = check(&lm, Batch::new(&x, &d), loss, CheckOptions::default()).unwrap();
    assert!(r.max_rel_error < 1e-6, "{r:?}");
    let lm = Stack::builder(scaled(gru(3, 4, 7), 2.0))
        .lookup(Lookup::new(5, 3).unwrap())
        .head(Linear::new(4, 5).unwrap())
        .build(&mut rng(8))
        .unwrap();
    let r = check(&lm, Batch::new(&x, &d), loss, CheckOptions::default()).unwrap();
    assert!(r.max_rel_error < 1e-6, "{r:?}");
    assert_eq!(lm.param_blocks()[1].name, "cell.weight_ih");
}

fn bptt_rtrl_truncated<C: Cell<Scalar = f64>>(net: &Net<C>, b: usize, t: usize, seed: u64) {
    let c = net.cell();
    let x = random_sequence(c.n_input(), t, b, 1.0, &mut rng(seed));
    let d = random_sequence(c.n_output(), t, b, 0.5, &mut rng(seed + 1));
    let s0 = random_sequence::<f64>(c.n_state(), 1, b, 0.5, &mut rng(seed + 2)).into_matrix();
    let batch = Batch::new(&x, &d).with_initial(&s0);
    let full = bptt(net, batch, Loss::mse()).unwrap();
    let online = rtrl(net, batch, Loss::mse()).unwrap();
    let e = relative_difference(&full.params, &online.params);
    assert!(e < 1e-10, "BPTT vs RTRL: {e:e}");
    assert!((full.loss - online.loss).abs() < 1e-12);
    let e0 = relative_difference(
        full.initial_state.as_slice(),
        online.initial_state.as_slice(),
    );
    assert!(e0 < 1e-10, "initial state: {e0:e}");
    for h_prime in [1, 2, t] {
        let tr = truncated_bptt(net, batch, Loss::mse(), t, h_prime).unwrap();
        let e = relative_difference(&full.params, &tr.params);
        assert!(e < 1e-12, "truncated (h = T, h' = {h_prime}): {e:e}");
        let e0 = relative_difference(full.initial_state.as_slice(), tr.initial_state.as_slice());
        assert!(e0 < 1e-12, "truncated initial state: {e0:e}");
    }
    // a short window is an approximation, not the gradient
    if t > 3 {
        let short = truncated_bptt(net, batch, Loss::mse(), 2, 1).unwrap();
        assert!(relative_difference(&full.params, &short.params) > 1e-8);
    }
}

#[test]
fn bptt_equals_rtrl_and_full_window_truncated_bptt() {
    for (i, h, b, t, seed) in [(2, 3, 1, 7, 11), (3, 2, 3, 5, 12), (1, 6, 5, 4, 13)] {
        bptt_rtrl_truncated(&scaled(lstm(i, h, seed), 2.5), b, t, seed);
        bptt_rtrl_truncated(&scaled(gru(i, h, seed), 2.5), b, t, seed);
    }
}

// ---------------------------------------------------------------------------------------
// the fused schedules against the step-by-step ones

/// Runs `forward_seq`/`backward_seq` and the provided step-by-step schedules on the same data
/// (with a non-zero initial state and an incoming gradient on the last state) and returns
/// the worst relative difference of states, outputs, caches, state gradients, θ gradients
/// and input gradients.
fn schedules_differ<C: Cell<Scalar = f64>>(net: &Net<C>, b: usize, t: usize, seed: u64) -> f64 {
    let (cell, theta) = (net.cell(), net.params());
    let x = random_sequence(cell.n_input(), t, b, 1.0, &mut rng(seed));
    let d_out = random_sequence::<f64>(cell.n_output(), t, b, 1.0, &mut rng(seed + 1));
    let s0 = random_sequence::<f64>(cell.n_state(), 1, b, 0.5, &mut rng(seed + 2)).into_matrix();
    let d_last = random_sequence::<f64>(cell.n_state(), 1, b, 0.5, &mut rng(seed + 3));
    let mut fused = Trace::new(cell, t, b);
    let mut plain = Trace::new(cell, t, b);
    for tr in [&mut fused, &mut plain] {
        tr.set_initial(s0.as_view()).unwrap();
    }
    cell.forward_seq(theta, &x, &mut fused);
    forward_steps(cell, theta, &x, &mut plain);
    let mut worst = [
        relative_difference(fused.states().as_slice(), plain.states().as_slice()),
        relative_difference(fused.outputs().as_slice(), plain.outputs().as_slice()),
        relative_difference(fused.cache().as_slice(), plain.cache().as_slice()),
    ]
    .into_iter()
    .fold(0.0, f64::max);
    let n = cell.n_state();
    for tr in [&mut fused, &mut plain] {
        tr.d_states_mut()
            .columns_mut(t * b, b)
            .copy_from(d_last.as_matrix());
    }
    let (mut g1, mut g2) = (vec![0.0; net.n_params()], vec![0.0; net.n_params()]);
    let mut dx1 = DMatrix::zeros(cell.n_input(), t * b);
    let mut dx2 = DMatrix::zeros(cell.n_input(), t * b);
    let dv: DMatrixView<'_, f64> = d_out.as_matrix().as_view();
    cell.backward_seq(theta, &x, dv, &mut fused, &mut g1, Some(dx1.as_view_mut()));
    backward_steps(
        cell,
        theta,
        &x,
        dv,
        &mut plain,
        &mut g2,
        Some(dx2.as_view_mut()),
    );
    for e in [
        relative_difference(&g1, &g2),
        relative_difference(fused.d_states().as_slice(), plain.d_states().as_slice()),
        relative_difference(dx1.as_slice(), dx2.as_slice()),
    ] {
        worst = worst.max(e);
    }
    assert_eq!(fused.d_states().nrows(), n);
    worst
}

#[test]
fn fused_schedules_equal_the_step_schedules() {
    // batch 1 and 3 take the per-column kernels, 6 and 9 the packed products; H = 2 keeps
    // nalgebra's small-matrix path, H = 9 its matrixmultiply path
    for (i, h, b, t, seed) in [
        (1, 1, 1, 1, 1),
        (3, 2, 1, 6, 2),
        (2, 5, 3, 7, 3),
        (4, 9, 6, 5, 4),
        (7, 9, 9, 3, 5),
        (2, 2, 8, 4, 6),
    ] {
        let e = schedules_differ(&scaled(lstm(i, h, seed), 2.0), b, t, seed);
        assert!(e < 1e-13, "lstm {i} {h} {b} {t}: {e:e}");
        let e = schedules_differ(&scaled(gru(i, h, seed), 2.0), b, t, seed);
        assert!(e < 1e-13, "gru {i} {h} {b} {t}: {e:e}");
    }
}

#[test]
fn a_trace_is_reused_across_calls_and_batch_shapes() {
    // the fused backward keeps its buffers in the trace's workspace: a second call on the same
    // trace gives the same gradient, and a trace of another shape gets buffers of its own
    let net = lstm(2, 6, 9);
    let x = random_sequence(2, 5, 7, 1.0, &mut rng(1));
    let d = random_sequence(6, 5, 7, 1.0, &mut rng(2));
    let g = bptt(&net, Batch::new(&x, &d), Loss::mse()).unwrap();
    let mut ws = recurrent::grad::Bptt::new(&net, 5, 7);
    for _ in 0..2 {
        ws.compute(&net, Batch::new(&x, &d), Loss::mse()).unwrap();
        assert_eq!(ws.grad(), g.params.as_slice());
    }
    let x1 = random_sequence(2, 3, 1, 1.0, &mut rng(3));
    let d1 = random_sequence(6, 3, 1, 1.0, &mut rng(4));
    let g1 = bptt(&net, Batch::new(&x1, &d1), Loss::mse()).unwrap();
    ws.compute(&net, Batch::new(&x1, &d1), Loss::mse()).unwrap();
    assert_eq!(ws.grad(), g1.params.as_slice());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn lstm_gradients_over_sizes_and_batches(
        seed in any::<u64>(),
        (i, h) in (1usize..5, 1usize..8),
        (b, t) in (1usize..8, 1usize..6),
        scale in 0.5f64..3.0,
    ) {
        let net = scaled(lstm(i, h, seed), scale);
        let e = schedules_differ(&net, b, t, seed);
        prop_assert!(e < 1e-13, "schedules {e:e}");
        let x = random_sequence(i, t, b, 1.0, &mut rng(seed ^ 1));
        let d = random_sequence(h, t, b, 0.5, &mut rng(seed ^ 2));
        let r = check(&net, Batch::new(&x, &d), Loss::mse(), CheckOptions::default()).unwrap();
        prop_assert!(r.max_rel_error < 1e-6, "{:?}", r);
    }

    #[test]
    fn gru_gradients_over_sizes_and_batches(
        seed in any::<u64>(),
        (i, h) in (1usize..5, 1usize..8),
        (b, t) in (1usize..8, 1usize..6),
        scale in 0.5f64..3.0,
    ) {
        let net = scaled(gru(i, h, seed), scale);
        let e = schedules_differ(&net, b, t, seed);
        prop_assert!(e < 1e-13, "schedules {e:e}");
        let x = random_sequence(i, t, b, 1.0, &mut rng(seed ^ 1));
        let d = random_sequence(h, t, b, 0.5, &mut rng(seed ^ 2));
        let r = check(&net, Batch::new(&x, &d), Loss::mse(), CheckOptions::default()).unwrap();
        prop_assert!(r.max_rel_error < 1e-6, "{:?}", r);
    }
}

// ---------------------------------------------------------------------------------------
// builders, f32, training, the spectral measurement

#[test]
fn builders_follow_pytorchs_initialisation() {
    let h = 16;
    let limit = 1.0 / (h as f64).sqrt();
    let net = Lstm::<f64>::builder(5, h).build(&mut rng(1)).unwrap();
    assert!(net.params().iter().all(|p| p.abs() <= limit));
    // spread over the interval, not a constant
    let max = net.params().iter().fold(0.0f64, |m, p| m.max(p.abs()));
    assert!(max > 0.9 * limit);
    let net = Lstm::<f64>::builder(5, h)
        .forget_bias(1.0)
        .build(&mut rng(1))
        .unwrap();
    assert!(net.bias_ih()[h..2 * h].iter().all(|b| *b == 1.0));
    assert!(net.bias_hh()[h..2 * h].iter().all(|b| *b == 0.0));
    assert!(
        net.bias_ih()[..h]
            .iter()
            .all(|b| b.abs() <= limit && *b != 1.0)
    );
    // square initialisers fill each gate's H × H block
    let net = Gru::<f64>::builder(3, h)
        .recurrent_init(Init::Orthogonal { gain: 1.0 })
        .input_init(Init::Xavier)
        .build(&mut rng(2))
        .unwrap();
    let w = net.weight_hh();
    for g in 0..3 {
        let blk = w.rows(g * h, h);
        let e = (blk.transpose() * blk - DMatrix::<f64>::identity(h, h)).norm();
        assert!(e < 1e-12, "gate {g}: {e:e}");
    }
    let net = Lstm::<f64>::builder(3, h)
        .recurrent_init(Init::Identity { scale: 1.0 })
        .build(&mut rng(2))
        .unwrap();
    assert_eq!(
        net.weight_hh().rows(3 * h, h),
        DMatrix::<f64>::identity(h, h)
    );
    // the same seed gives the same model, and f32 starts from the rounded f64 weights
    let a = Gru::<f64>::builder(2, 4).build(&mut rng(3)).unwrap();
    let b = Gru::<f32>::builder(2, 4).build(&mut rng(3)).unwrap();
    assert_eq!(a, Gru::<f64>::builder(2, 4).build(&mut rng(3)).unwrap());
    for (x, y) in a.params().iter().zip(b.params()) {
        assert_eq!(*x as f32, *y);
    }
}

#[test]
fn f32_models_run_and_agree_with_f64() {
    for seed in 0..3 {
        let n64 = lstm(3, 6, seed);
        let cell32 = LstmCell::<f32>::new(3, 6).unwrap();
        let n32 = Net::new(cell32, n64.params().iter().map(|p| *p as f32).collect()).unwrap();
        let x64 = random_sequence::<f64>(3, 8, 5, 1.0, &mut rng(seed + 10));
        let x32 = Sequence::new(x64.as_matrix().map(|v| v as f32), 5).unwrap();
        let d64 = random_sequence::<f64>(6, 8, 5, 0.5, &mut rng(seed + 20));
        let d32 = Sequence::new(d64.as_matrix().map(|v| v as f32), 5).unwrap();
        let y64 = n64.run(&x64, None).unwrap().outputs;
        let y32 = n32.run(&x32, None).unwrap().outputs;
        let y64_32 = y64.as_matrix().map(|v| v as f32);
        assert!(max_rel(y32.as_matrix().as_slice(), y64_32.as_slice()) < 1e-5);
        let g64 = bptt(&n64, Batch::new(&x64, &d64), Loss::mse()).unwrap();
        let g32 = bptt(&n32, Batch::new(&x32, &d32), Loss::mse()).unwrap();
        let g64_32: Vec<f32> = g64.params.iter().map(|v| *v as f32).collect();
        assert!(relative_difference(&g32.params, &g64_32) < 1e-4);

        let g64n = gru(3, 6, seed);
        let g32n = Net::new(
            GruCell::<f32>::new(3, 6).unwrap(),
            g64n.params().iter().map(|p| *p as f32).collect(),
        )
        .unwrap();
        let a = bptt(&g64n, Batch::new(&x64, &d64), Loss::mse()).unwrap();
        let b = bptt(&g32n, Batch::new(&x32, &d32), Loss::mse()).unwrap();
        let a32: Vec<f32> = a.params.iter().map(|v| *v as f32).collect();
        assert!(relative_difference(&b.params, &a32) < 1e-4);
    }
}

#[test]
fn the_trainer_trains_gated_cells_unchanged() {
    // predict the previous input: a one-step memory
    let mut data = recurrent::train::Dataset::new();
    let mut r = rng(5);
    for _ in 0..16 {
        let x = random_sequence::<f64>(1, 10, 1, 1.0, &mut r);
        let mut d = DMatrix::zeros(1, 10);
        for t in 1..10 {
            d[(0, t)] = x.as_matrix()[(0, t - 1)];
        }
        data.push(x, Sequence::new(d, 1).unwrap()).unwrap();
    }
    let lstm = Lstm::<f64>::builder(1, 8)
        .forget_bias(1.0)
        .build(&mut rng(6))
        .unwrap();
    let mut model = Stack::builder(lstm)
        .head(Linear::new(8, 1).unwrap())
        .build(&mut rng(7))
        .unwrap();
    let mut trainer = TrainConfig::new()
        .epochs(60)
        .batch_size(8)
        .build(Adam::new(0.02).unwrap())
        .unwrap();
    let report = trainer
        .fit(&mut model, &data, None, &mut rng(8), |_| {})
        .unwrap();
    let (first, last) = (report.train_losses[0], *report.train_losses.last().unwrap());
    assert!(last < 0.2 * first, "{first} → {last}");
    let mut gru_model = Stack::builder(gru(1, 8, 9))
        .head(Linear::new(8, 1).unwrap())
        .build(&mut rng(10))
        .unwrap();
    // a new trainer: Adam's moments belong to the model they were built for
    let mut trainer = TrainConfig::new()
        .epochs(60)
        .batch_size(8)
        .build(Adam::new(0.02).unwrap())
        .unwrap();
    let report = trainer
        .fit(&mut gru_model, &data, None, &mut rng(11), |_| {})
        .unwrap();
    let (first, last) = (report.train_losses[0], *report.train_losses.last().unwrap());
    assert!(last < 0.2 * first, "{first} → {last}");
}

#[test]
fn gradient_norms_through_time_work_for_gated_cells() {
    let t = 30;
    let x = random_sequence::<f64>(2, t, 1, 1.0, &mut rng(1));
    let d = random_sequence::<f64>(4, t, 1, 1.0, &mut rng(2));
    let mask = Mask::last_step(t, 1);
    let batch = Batch::new(&x, &d).with_mask(&mask);
    let g =
        recurrent::spectral::gradient_norms(&lstm(2, 4, 3), batch, Loss::sum_squared()).unwrap();
    assert_eq!(g.len(), t + 1);
    assert!(g[..t].iter().all(|v| v.is_finite() && *v > 0.0));
    let g = recurrent::spectral::gradient_norms(&gru(2, 4, 3), batch, Loss::sum_squared()).unwrap();
    assert!(g[..t].iter().all(|v| v.is_finite() && *v > 0.0));
}

// ---------------------------------------------------------------------------------------
// errors, as Elman's

#[test]
fn bad_sizes_and_settings_are_errors() {
    for (i, h) in [(0, 3), (3, 0)] {
        let name = if i == 0 { "n_input" } else { "n_hidden" };
        for e in [
            Lstm::<f64>::builder(i, h).build(&mut rng(0)).unwrap_err(),
            Gru::<f64>::builder(i, h).build(&mut rng(0)).unwrap_err(),
            Elman::<f64>::builder(i, h, 1)
                .build(&mut rng(0))
                .unwrap_err(),
            LstmCell::<f32>::new(i, h).unwrap_err(),
            GruCell::<f32>::new(i, h).unwrap_err(),
        ] {
            assert!(
                matches!(e, Error::InvalidParameter { name: n, .. } if n == name),
                "{e:?}"
            );
        }
    }
    assert!(matches!(
        LstmCell::<f64>::new(usize::MAX / 2, 3),
        Err(Error::InvalidParameter { name: "size", .. })
    ));
    assert!(matches!(
        GruCell::<f64>::new(3, usize::MAX / 4),
        Err(Error::InvalidParameter { name: "size", .. })
    ));
    for b in [f64::NAN, f64::INFINITY] {
        assert!(matches!(
            Lstm::<f64>::builder(2, 3).forget_bias(b).build(&mut rng(0)),
            Err(Error::InvalidParameter {
                name: "forget_bias",
                ..
            })
        ));
    }
    assert!(matches!(
        Lstm::<f64>::builder(2, 3)
            .recurrent_init(Init::Uniform { limit: -1.0 })
            .build(&mut rng(0)),
        Err(Error::InvalidParameter { .. })
    ));
}

#[test]
fn the_pytorch_loaders_check_shapes_and_values() {
    let (h, i) = (3, 2);
    let w_ih = DMatrix::<f64>::from_element(4 * h, i, 0.1);
    let w_hh = DMatrix::<f64>::from_element(4 * h, h, 0.1);
    let b = vec![0.0; 4 * h];
    assert!(Lstm::from_pytorch(w_ih.as_view(), w_hh.as_view(), &b, &b).is_ok());
    // 12 rows are 4 LSTM gates of 3 or 3 GRU gates of 4: the GRU wants 12 × 4 for weight_hh
    assert!(matches!(
        Gru::from_pytorch(w_ih.as_view(), w_hh.as_view(), &b, &b),
        Err(Error::DimensionMismatch {
            what: "weight_hh",
            expected: (12, 4),
            got: (12, 3),
            ..
        })
    ));
    let w_bad = DMatrix::<f64>::from_element(10, i, 0.1);
    assert!(matches!(
        Lstm::from_pytorch(w_bad.as_view(), w_hh.as_view(), &b, &b),
        Err(Error::DimensionMismatch { .. })
    ));
    let empty = DMatrix::<f64>::zeros(0, i);
    assert!(Gru::from_pytorch(empty.as_view(), w_hh.as_view(), &b, &b).is_err());
    assert!(matches!(
        Lstm::from_pytorch(w_ih.as_view(), w_hh.as_view(), &b[1..], &b),
        Err(Error::DimensionMismatch {
            what: "bias_ih",
            ..
        })
    ));
    let mut b_nan = b.clone();
    b_nan[5] = f64::NAN;
    assert!(matches!(
        Lstm::from_pytorch(w_ih.as_view(), w_hh.as_view(), &b, &b_nan),
        Err(Error::NonFinite { .. })
    ));
    let no_input = DMatrix::<f64>::zeros(4 * h, 0);
    assert!(matches!(
        Lstm::from_pytorch(no_input.as_view(), w_hh.as_view(), &b, &b),
        Err(Error::InvalidParameter {
            name: "n_input",
            ..
        })
    ));
}

#[test]
fn bad_data_are_errors_not_panics() {
    let net = lstm(3, 4, 1);
    let x = random_sequence::<f64>(5, 6, 2, 1.0, &mut rng(1));
    let d = random_sequence::<f64>(4, 6, 2, 1.0, &mut rng(2));
    assert!(matches!(
        bptt(&net, Batch::new(&x, &d), Loss::mse()),
        Err(Error::DimensionMismatch {
            what: "inputs",
            expected: (3, 12),
            got: (5, 12),
            ..
        })
    ));
    let mut x = random_sequence::<f64>(3, 6, 2, 1.0, &mut rng(1));
    let a0 = DMatrix::zeros(4, 2); // an LSTM's state is [h; c]: 8 rows
    assert!(matches!(
        bptt(&net, Batch::new(&x, &d).with_initial(&a0), Loss::mse()),
        Err(Error::DimensionMismatch {
            what: "initial state",
            expected: (8, 2),
            got: (4, 2),
            ..
        })
    ));
    let d_wrong = random_sequence::<f64>(8, 6, 2, 1.0, &mut rng(2));
    assert!(matches!(
        bptt(&net, Batch::new(&x, &d_wrong), Loss::mse()),
        Err(Error::DimensionMismatch {
            what: "targets",
            ..
        })
    ));
    x.step_mut(4)[(1, 0)] = f64::NAN;
    assert!(matches!(
        bptt(&net, Batch::new(&x, &d), Loss::mse()),
        Err(Error::NonFinite {
            what: "inputs",
            index: 4,
            ..
        })
    ));
    let g = gru(3, 4, 2);
    assert!(matches!(
        g.run(&x, None),
        Err(Error::NonFinite {
            what: "inputs",
            index: 4,
            ..
        })
    ));
    let empty = Sequence::<f64>::zeros(3, 0, 1);
    assert!(matches!(g.run(&empty, None), Err(Error::Empty { .. })));
    assert!(matches!(
        Net::new(LstmCell::<f64>::new(2, 2).unwrap(), vec![0.0; 7]),
        Err(Error::DimensionMismatch { what: "params", .. })
    ));
}

// ---------------------------------------------------------------------------------------
// serde

#[cfg(feature = "serde")]
#[test]
fn serde_round_trip_and_malformed_loads() {
    let net = Lstm::<f64>::builder(3, 5)
        .forget_bias(1.0)
        .build(&mut rng(1))
        .unwrap();
    let json = serde_json::to_string(&net).unwrap();
    let back: Lstm<f64> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, net);
    let x = random_sequence::<f64>(3, 7, 2, 1.0, &mut rng(2));
    assert_eq!(back.run(&x, None).unwrap(), net.run(&x, None).unwrap());
    let g = Gru::<f32>::builder(2, 4).build(&mut rng(3)).unwrap();
    let back: Gru<f32> = serde_json::from_str(&serde_json::to_string(&g).unwrap()).unwrap();
    assert_eq!(back, g);
    // a model of parts around a gated cell
    let lm = Stack::builder(gru(3, 4, 4))
        .lookup(Lookup::new(6, 3).unwrap())
        .head(Linear::new(4, 6).unwrap())
        .build(&mut rng(5))
        .unwrap();
    let back: Net<Stack<GruCell<f64>>> =
        serde_json::from_str(&serde_json::to_string(&lm).unwrap()).unwrap();
    assert_eq!(back, lm);

    // malformed: a zero size, θ of the wrong length, a missing field
    let zero = json.replacen("\"n_hidden\":5", "\"n_hidden\":0", 1);
    assert_ne!(zero, json);
    let e = serde_json::from_str::<Lstm<f64>>(&zero).unwrap_err();
    assert!(e.to_string().contains("n_hidden"), "{e}");
    let bigger = json.replacen("\"n_hidden\":5", "\"n_hidden\":6", 1);
    let e = serde_json::from_str::<Lstm<f64>>(&bigger).unwrap_err();
    assert!(e.to_string().contains("params"), "{e}");
    let as_gru = serde_json::from_str::<Gru<f64>>(&json).unwrap_err();
    assert!(as_gru.to_string().contains("params"), "{as_gru}");
    assert!(serde_json::from_str::<Lstm<f64>>(r#"{"cell":{"n_input":3},"params":[]}"#).is_err());
}

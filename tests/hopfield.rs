//! Public contracts of `recurrent::hopfield`: golden cases from the numpy reference, the
//! properties the issue lists (proptest, f32 and f64), incremental storage, batch = single
//! recall, the `Recurrent` view, and every bad-input error.

use nalgebra::{DMatrix, DVector};
use proptest::prelude::*;
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use recurrent::hopfield::{ContinuousHopfield, Hopfield, ModernHopfield, Rule, to_bipolar};
use recurrent::scalar::{Real, lit, to_f64};
use recurrent::traits::Outcome;
use recurrent::{AssociativeMemory, Error, Recurrent, Sequence};

fn rng(seed: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(seed)
}

/// `p` random unbiased ±1 patterns of length `n` (columns).
fn patterns<T: Real>(n: usize, p: usize, r: &mut Xoshiro256PlusPlus) -> DMatrix<T> {
    DMatrix::from_fn(n, p, |_, _| {
        if r.random::<bool>() {
            T::one()
        } else {
            -T::one()
        }
    })
}

/// `x` with exactly `k` distinct bits flipped.
fn flip<T: Real>(x: &DVector<T>, k: usize, r: &mut Xoshiro256PlusPlus) -> DVector<T> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    for i in 0..k {
        let j = r.random_range(i..idx.len());
        idx.swap(i, j);
    }
    let mut y = x.clone();
    for &i in &idx[..k] {
        y[i] = -y[i];
    }
    y
}

// ---------------------------------------------------------------- golden (numpy reference)

/// Golden cases from `hopfield_golden.json` (see tests/data/README.md): written by golden.py of
/// the numpy reference (hopfield_ref.py, numpy 2.4.6).
fn golden() -> serde_json::Value {
    let text = include_str!("data/hopfield_golden.json");
    serde_json::from_str(text).expect("the golden file parses")
}

fn mat_rows<T: Real>(v: &serde_json::Value) -> DMatrix<T> {
    let rows: Vec<Vec<f64>> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect()
        })
        .collect();
    DMatrix::from_fn(rows.len(), rows[0].len(), |i, j| lit(rows[i][j]))
}

fn vec_of<T: Real>(v: &serde_json::Value) -> DVector<T> {
    DVector::from_iterator(
        v.as_array().unwrap().len(),
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| lit(x.as_f64().unwrap())),
    )
}

fn golden_case<T: Real>(tol_w: f64) {
    let g = golden();
    assert_eq!(g["tie_tol"].as_f64(), Some(1e-9));
    for case in g["cases"].as_array().unwrap() {
        // the file lists patterns as rows; the crate stores columns
        let x: DMatrix<T> = mat_rows::<T>(&case["patterns"]).transpose();
        let probe: DVector<T> = vec_of(&case["probe"]);
        let orders: Vec<Vec<usize>> = case["async_orders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                o.as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i.as_u64().unwrap() as usize)
                    .collect()
            })
            .collect();
        for (name, rule) in [
            ("hebbian", Rule::Hebbian),
            ("storkey", Rule::Storkey),
            ("pinv", Rule::PseudoInverse),
        ] {
            let gr = &case["rules"][name];
            let net = Hopfield::from_patterns(&x, rule).unwrap();
            let w_ref: DMatrix<T> = mat_rows(&gr["W"]);
            let err = to_f64((net.weights() - &w_ref).amax());
            assert!(err < tol_w, "{name}: W differs by {err}");
            for (mu, e) in gr["energy_patterns"].as_array().unwrap().iter().enumerate() {
                let got = to_f64(net.energy(&x.column(mu).into_owned()).unwrap());
                assert!((got - e.as_f64().unwrap()).abs() < 10.0 * tol_w, "{name}");
            }
            let e_probe = to_f64(net.energy(&probe).unwrap());
            assert!((e_probe - gr["energy_probe"].as_f64().unwrap()).abs() < 10.0 * tol_w);
            let fixed = net.fixed_points(&x).unwrap();
            let fixed_ref: Vec<bool> = gr["patterns_fixed"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b.as_bool().unwrap())
                .collect();
            assert_eq!(fixed, fixed_ref, "{name}");

            // synchronous trajectory, one step at a time
            let sync_ref = gr["sync_trajectory"].as_array().unwrap();
            let mut s = probe.clone();
            for st in sync_ref {
                s = net.step_sync(&s).unwrap();
                assert_eq!(s, vec_of::<T>(st), "{name} sync");
            }
            // and recall_sync ends where the trajectory ends
            let r = net.recall_sync(&probe).unwrap();
            assert_eq!(r.state, vec_of::<T>(sync_ref.last().unwrap()), "{name}");

            // asynchronous trajectory with the visiting orders of the file
            let async_ref = gr["async_trajectory"].as_array().unwrap();
            let mut s = probe.clone();
            for (k, st) in async_ref.iter().enumerate() {
                net.sweep_async(&mut s, &orders[k]).unwrap();
                assert_eq!(s, vec_of::<T>(st), "{name} async sweep {k}");
            }
        }
    }
}

#[test]
fn golden_cases_f64() {
    golden_case::<f64>(1e-12);
}

#[test]
fn golden_cases_f32() {
    golden_case::<f32>(1e-5);
}

/// Storkey's `W·(1 + 2/N)` term: one pattern into a non-empty network, against the formula
/// written out by hand with `h_ij` excluding `k = i, j` (Storkey 1997).
#[test]
fn storkey_second_pattern_by_hand() {
    let n = 5;
    let x = DMatrix::<f64>::from_column_slice(n, 2, &[1., -1., 1., 1., -1., -1., -1., 1., 1., 1.]);
    let net = Hopfield::from_patterns(&x, Rule::Storkey).unwrap();
    // first pattern: W1 = ξξᵀ/N (diag 0) since h = 0
    let x1 = x.column(0);
    let w1 = DMatrix::from_fn(n, n, |i, j| {
        if i == j {
            0.0
        } else {
            x1[i] * x1[j] / n as f64
        }
    });
    let x2 = x.column(1);
    let mut w2 = w1.clone();
    for i in 0..n {
        for j in 0..n {
            if i == j {
                continue;
            }
            let h = |a: usize| -> f64 {
                (0..n)
                    .filter(|&k| k != i && k != j)
                    .map(|k| w1[(a, k)] * x2[k])
                    .sum()
            };
            w2[(i, j)] += (x2[i] * x2[j] - x2[i] * h(j) - h(i) * x2[j]) / n as f64;
        }
    }
    assert!((net.weights() - &w2).amax() < 1e-15);
    // the form without the 2W/N term differs
    let h = &w1 * x2;
    let mut wrong =
        &w1 + (x2 * x2.transpose() - x2 * h.transpose() - &h * x2.transpose()) / n as f64;
    wrong.fill_diagonal(0.0);
    assert!((net.weights() - wrong).amax() > 1e-3);
}

// ---------------------------------------------------------------- properties

macro_rules! properties {
    ($modname:ident, $t:ty) => {
        mod $modname {
            use super::*;

            proptest! {
                #![proptest_config(ProptestConfig::with_cases(24))]

                /// Energy never increases under asynchronous updates (W symmetric, zero
                /// diagonal), for random weights and thresholds and for learned weights.
                #[test]
                fn async_energy_never_increases(seed in any::<u64>(), n in 2usize..40) {
                    let mut r = rng(seed);
                    let mut w = DMatrix::<$t>::from_fn(n, n, |_, _| lit(r.random::<f64>() * 2.0 - 1.0));
                    w = (&w + w.transpose()) * lit::<$t>(0.5);
                    w.fill_diagonal(lit(0.0));
                    let theta = DVector::<$t>::from_fn(n, |_, _| lit(r.random::<f64>() - 0.5));
                    let net = Hopfield::builder_from_weights(w).thresholds(theta).build().unwrap();
                    let probe: DVector<$t> = patterns::<$t>(n, 1, &mut r).column(0).into_owned();
                    let rec = net.recall_async(&probe, &mut r).unwrap();
                    prop_assert!(rec.converged());
                    prop_assert!(net.is_fixed_point(&rec.state).unwrap());
                    let eps: $t = lit(1e-4);
                    for e in rec.energy_trace.windows(2) {
                        prop_assert!(e[1] <= e[0] + eps, "{} > {}", e[1], e[0]);
                    }
                    // the trace ends at the energy of the final state
                    let e_end = net.energy(&rec.state).unwrap();
                    prop_assert!((e_end - rec.energy).abs() <= eps);

                    let x = patterns::<$t>(n, 1 + n / 4, &mut r);
                    for rule in [Rule::Hebbian, Rule::Storkey] {
                        let net = Hopfield::from_patterns(&x, rule).unwrap();
                        let rec = net.recall_async(&probe, &mut r).unwrap();
                        for e in rec.energy_trace.windows(2) {
                            prop_assert!(e[1] <= e[0] + eps);
                        }
                    }
                }

                /// Low load, Hebbian (p ≤ 0.05·N): every stored pattern is a fixed point with
                /// high probability. At α = 0.05 a bit is unstable with probability
                /// Φ(−1/√α) ≈ 4e-6, so even one failure among p·N ≤ 3000 bits is rare (≈1 %);
                /// two would be a bug.
                #[test]
                fn hebbian_low_load_patterns_are_fixed(seed in any::<u64>(), n in 100usize..240) {
                    let mut r = rng(seed);
                    let p = n / 20;
                    let x = patterns::<$t>(n, p, &mut r);
                    let net = Hopfield::from_patterns(&x, Rule::Hebbian).unwrap();
                    let unstable = net.fixed_points(&x).unwrap().iter().filter(|f| !**f).count();
                    prop_assert!(unstable <= 1, "{unstable} of {p} patterns unstable");
                }

                /// Pseudo-inverse: every stored pattern is a fixed point for linearly
                /// independent patterns, p < N.
                #[test]
                fn pseudo_inverse_patterns_are_fixed(seed in any::<u64>(), n in 8usize..64, frac in 0.05f64..0.95) {
                    let mut r = rng(seed);
                    let p = ((n as f64 * frac) as usize).clamp(1, n - 1);
                    let x = patterns::<$t>(n, p, &mut r);
                    match Hopfield::from_patterns(&x, Rule::PseudoInverse) {
                        Ok(net) => prop_assert!(net.fixed_points(&x).unwrap().iter().all(|f| *f)),
                        // random ±1 columns are occasionally dependent for small N
                        Err(Error::Numerical { .. }) => {}
                        Err(e) => prop_assert!(false, "unexpected error {e}"),
                    }
                }

                /// A probe with a few flipped bits returns the stored pattern at low load,
                /// synchronously and asynchronously, with every rule.
                #[test]
                fn few_flipped_bits_are_corrected(seed in any::<u64>()) {
                    let mut r = rng(seed);
                    let (n, p) = (200, 8);
                    let x = patterns::<$t>(n, p, &mut r);
                    for rule in [Rule::Hebbian, Rule::Storkey, Rule::PseudoInverse] {
                        let net = Hopfield::from_patterns(&x, rule).unwrap();
                        let mu = r.random_range(0..p);
                        let target = x.column(mu).into_owned();
                        let probe = flip(&target, 10, &mut r);
                        let s = net.recall_sync(&probe).unwrap();
                        prop_assert_eq!(&s.state, &target);
                        prop_assert!(s.steps >= 1);
                        let a = net.recall_async(&probe, &mut r).unwrap();
                        prop_assert_eq!(&a.state, &target);
                        prop_assert!(a.energy < a.energy_trace[0]);
                    }
                }

                /// A batch recalls exactly as its probes one at a time.
                #[test]
                fn batch_equals_single(seed in any::<u64>(), alpha in 0.05f64..0.4) {
                    let mut r = rng(seed);
                    let n = 60;
                    let p = ((n as f64 * alpha) as usize).max(1);
                    let x = patterns::<$t>(n, p, &mut r);
                    let net = Hopfield::from_patterns(&x, Rule::Hebbian).unwrap();
                    let probes = DMatrix::from_columns(
                        &(0..6).map(|k| flip(&x.column(k % p).into_owned(), 12, &mut r)).collect::<Vec<_>>(),
                    );
                    let batch = net.recall_batch(&probes).unwrap();
                    for b in 0..probes.ncols() {
                        let one = net.recall_sync(&probes.column(b).into_owned()).unwrap();
                        let from_batch = batch.get(b).unwrap();
                        prop_assert_eq!(&one.state, &from_batch.state);
                        prop_assert_eq!(one.steps, from_batch.steps);
                        prop_assert_eq!(one.outcome, from_batch.outcome);
                        let tol: $t = lit(1e-3);
                        prop_assert!((one.energy - from_batch.energy).abs() <= tol);
                    }
                }
            }

            /// Asynchronous batch recall: each column as `recall_async` would do it with the
            /// generator in the same state, and every result a fixed point.
            #[test]
            fn async_batch_equals_async_one_by_one() {
                let mut r = rng(21);
                let x = patterns::<$t>(80, 10, &mut r);
                let net = Hopfield::from_patterns(&x, Rule::Storkey).unwrap();
                let probes = DMatrix::from_columns(
                    &(0..5).map(|k| flip(&x.column(k).into_owned(), 15, &mut r)).collect::<Vec<_>>(),
                );
                let batch = net.recall_async_batch(&probes, &mut rng(4)).unwrap();
                let mut one_rng = rng(4);
                for b in 0..5 {
                    let one = net.recall_async(&probes.column(b).into_owned(), &mut one_rng).unwrap();
                    let got = batch.get(b).unwrap();
                    assert_eq!(one.state, got.state);
                    assert_eq!(one.steps, got.steps);
                    assert!(got.converged());
                    assert!(net.is_fixed_point(&got.state).unwrap());
                }
                assert!(batch.get(5).is_none());
                assert_eq!(batch.len(), 5);
                assert!(net.recall_async_batch(&DMatrix::zeros(80, 0), &mut r).is_err());
            }

            /// The Hebbian fields come from the patterns (`X (Xᵀ s)/N − (p/N) s`) when
            /// `2p < N`: they equal `W s − θ` from the weight matrix, single and batched.
            #[test]
            fn factored_hebbian_fields_equal_weight_products() {
                let mut r = rng(8);
                let x = patterns::<$t>(60, 7, &mut r);
                let theta = DVector::from_fn(60, |i, _| lit::<$t>(0.01 * i as f64 - 0.3));
                let mut net = Hopfield::builder(60, Rule::Hebbian).thresholds(theta.clone()).build().unwrap();
                net.store(&x).unwrap();
                let s = patterns::<$t>(60, 3, &mut r);
                let direct = net.weights() * &s;
                let tol: $t = lit(1e-5);
                for b in 0..3 {
                    let h = net.field(&s.column(b).into_owned()).unwrap();
                    let d = (&h - (direct.column(b) - &theta)).amax();
                    assert!(d < tol, "{d}");
                }
                // batched: a synchronous step of the Recurrent view equals step_sync
                let run = net.run(&Sequence::zeros(0, 1, 3), Some(&s)).unwrap();
                for b in 0..3 {
                    assert_eq!(run.states.step(0).column(b), net.step_sync(&s.column(b).into_owned()).unwrap());
                }
            }

            /// Hebbian and Storkey store incrementally; the pseudo-inverse recomputes.
            #[test]
            fn incremental_store_equals_store_at_once() {
                let mut r = rng(11);
                let x = patterns::<$t>(50, 9, &mut r);
                for rule in [Rule::Hebbian, Rule::Storkey, Rule::PseudoInverse] {
                    let once = Hopfield::from_patterns(&x, rule).unwrap();
                    let mut inc = Hopfield::<$t>::builder(50, rule).build().unwrap();
                    inc.store(&x.columns(0, 4).into_owned()).unwrap();
                    inc.store(&x.columns(4, 5).into_owned()).unwrap();
                    assert_eq!(inc.n_patterns(), 9);
                    let d = to_f64((once.weights() - inc.weights()).amax());
                    assert!(d < 1e-5, "{rule:?}: {d}");
                    assert_eq!(inc.weights(), &inc.weights().transpose());
                    assert!(inc.weights().diagonal().iter().all(|v| *v == lit::<$t>(0.0)));
                }
            }

            /// Synchronous recall can end in a 2-cycle: two units coupled negatively that
            /// start equal swap forever.
            #[test]
            fn sync_detects_two_cycle_async_does_not_cycle() {
                let w = DMatrix::<$t>::from_row_slice(2, 2, &[0.0, -1.0, -1.0, 0.0]);
                let net = Hopfield::from_weights(w).unwrap();
                let probe = DVector::from_column_slice(&[lit::<$t>(1.0), lit(1.0)]);
                let s = net.recall_sync(&probe).unwrap();
                assert_eq!(s.outcome, Outcome::Cycle { period: 2 });
                assert_eq!(s.steps, 2);
                assert_eq!(s.energy_trace.len(), 3);
                let a = net.recall_async(&probe, &mut rng(1)).unwrap();
                assert!(a.converged());
                assert_eq!(a.state[0], -a.state[1]);
            }

            /// The `Recurrent` view runs synchronous steps: input dimension 0, output = state.
            #[test]
            fn recurrent_runs_synchronous_steps() {
                let mut r = rng(5);
                let x = patterns::<$t>(30, 5, &mut r);
                let net = Hopfield::from_patterns(&x, Rule::Hebbian).unwrap();
                assert_eq!((net.n_input(), net.n_state(), net.n_output()), (0, 30, 30));
                let s0 = DMatrix::from_columns(&[
                    flip(&x.column(0).into_owned(), 6, &mut r),
                    flip(&x.column(1).into_owned(), 6, &mut r),
                ]);
                let run = net.run(&Sequence::zeros(0, 4, 2), Some(&s0)).unwrap();
                assert_eq!((run.states.steps(), run.states.batch()), (4, 2));
                for b in 0..2 {
                    let mut s = s0.column(b).into_owned();
                    for t in 0..4 {
                        s = net.step_sync(&s).unwrap();
                        assert_eq!(run.states.step(t).column(b), s);
                        assert_eq!(run.outputs.step(t).column(b), s);
                    }
                }
                // default state: all +1
                let run = net.run(&Sequence::zeros(0, 1, 3), None).unwrap();
                assert_eq!(run.states.batch(), 3);
            }
        }
    };
}

properties!(f32_props, f32);
properties!(f64_props, f64);

// ---------------------------------------------------------------- capacity (small, fast)

/// Fraction of stored patterns that are fixed points, one trial.
fn fixed_fraction(rule: Rule, n: usize, alpha: f64, seed: u64) -> f64 {
    let mut r = rng(seed);
    let p = (alpha * n as f64).round() as usize;
    let x = patterns::<f64>(n, p, &mut r);
    let net = Hopfield::from_patterns(&x, rule).unwrap();
    let f = net.fixed_points(&x).unwrap();
    f.iter().filter(|v| **v).count() as f64 / p as f64
}

/// The capacity ordering at N = 200 (reference means: Hebbian fp_frac 0.94 at α = 0.10 and
/// 0.15 at 0.20; Storkey 0.99 at 0.30; pseudo-inverse 1.0 up to α = 1).
#[test]
fn capacity_ordering_at_n200() {
    let mean = |rule, alpha| {
        (0..4)
            .map(|s| fixed_fraction(rule, 200, alpha, s))
            .sum::<f64>()
            / 4.0
    };
    assert!(mean(Rule::Hebbian, 0.10) > 0.8);
    assert!(mean(Rule::Hebbian, 0.20) < 0.4);
    assert!(mean(Rule::Storkey, 0.30) > 0.9);
    assert_eq!(mean(Rule::PseudoInverse, 0.80), 1.0);
}

// ---------------------------------------------------------------- modern and continuous

#[test]
fn modern_retrieves_ten_n_patterns_where_classical_fails() {
    let mut r = rng(3);
    let (n, m) = (64, 640);
    let x = patterns::<f64>(n, m, &mut r);
    let modern = ModernHopfield::from_patterns(&x, 0.5).unwrap();
    let classical = Hopfield::from_patterns(&x, Rule::Hebbian).unwrap();
    let (mut ok_modern, mut ok_classical) = (0, 0);
    for mu in 0..20 {
        let target = x.column(mu).into_owned();
        let probe = flip(&target, 6, &mut r);
        let rec = modern.recall(&probe).unwrap();
        if rec.state.map(|v| v.signum()) == target {
            ok_modern += 1;
        }
        // energy descends
        assert!(rec.energy <= rec.energy_trace[0] + 1e-9);
        if classical.recall(&probe).unwrap().state == target {
            ok_classical += 1;
        }
    }
    assert_eq!(ok_modern, 20);
    assert_eq!(ok_classical, 0);
}

#[test]
fn continuous_energy_descends() {
    let mut r = rng(4);
    let n = 12;
    let mut w = DMatrix::<f64>::from_fn(n, n, |_, _| r.random::<f64>() * 2.0 - 1.0);
    w = (&w + w.transpose()) * 0.5;
    let bias = DVector::from_fn(n, |_, _| r.random::<f64>() - 0.5);
    let net = ContinuousHopfield::builder(w, bias)
        .u0(0.5)
        .dt(1e-3)
        .build()
        .unwrap();
    let u0 = DVector::from_fn(n, |_, _| (r.random::<f64>() - 0.5) * 0.1);
    let run = net.run(&u0, 50_000, 1e-7).unwrap();
    assert!(run.converged);
    for e in run.energy_trace.windows(2) {
        assert!(e[1] <= e[0] + 1e-12);
    }
    assert!((net.energy(&run.v).unwrap() - run.energy_trace.last().unwrap()).abs() < 1e-12);
}

// ---------------------------------------------------------------- bad input

#[test]
fn bad_input_is_an_error() {
    let mut net = Hopfield::<f64>::builder(4, Rule::Hebbian).build().unwrap();
    // wrong pattern length
    assert!(matches!(
        net.store(&DMatrix::from_element(5, 1, 1.0)),
        Err(Error::DimensionMismatch { .. })
    ));
    // values other than ±1
    let bad = DMatrix::from_column_slice(4, 1, &[1.0, 0.0, -1.0, 1.0]);
    assert!(matches!(
        net.store(&bad),
        Err(Error::InvalidParameter { .. })
    ));
    let nan = DMatrix::from_column_slice(4, 1, &[1.0, f64::NAN, -1.0, 1.0]);
    assert!(matches!(
        net.store(&nan),
        Err(Error::InvalidParameter { .. })
    ));
    // empty pattern set
    assert!(matches!(
        net.store(&DMatrix::zeros(4, 0)),
        Err(Error::Empty { .. })
    ));
    assert_eq!(net.n_patterns(), 0);
    // pseudo-inverse of dependent patterns (a repeated pattern; a negated one)
    let x = DMatrix::from_column_slice(4, 2, &[1.0, -1.0, 1.0, 1.0, 1.0, -1.0, 1.0, 1.0]);
    assert!(matches!(
        Hopfield::from_patterns(&x, Rule::PseudoInverse),
        Err(Error::Numerical { .. })
    ));
    let x = DMatrix::from_column_slice(4, 2, &[1.0, -1.0, 1.0, 1.0, -1.0, 1.0, -1.0, -1.0]);
    assert!(Hopfield::from_patterns(&x, Rule::PseudoInverse).is_err());
    // p > N is always dependent
    let x = patterns::<f64>(4, 5, &mut rng(1));
    assert!(matches!(
        Hopfield::from_patterns(&x, Rule::PseudoInverse),
        Err(Error::Numerical { .. })
    ));
    // and the failed store leaves the network as it was
    let mut pinv =
        Hopfield::from_patterns(&x.columns(0, 1).into_owned(), Rule::PseudoInverse).unwrap();
    let before = pinv.clone();
    assert!(pinv.store(&x.columns(0, 1).into_owned()).is_err());
    assert_eq!(pinv, before);
    // f32 too
    let x32 = DMatrix::<f32>::from_column_slice(2, 2, &[1.0, 1.0, 1.0, 1.0]);
    assert!(Hopfield::from_patterns(&x32, Rule::PseudoInverse).is_err());

    // probes
    let net = Hopfield::from_patterns(&patterns::<f64>(4, 1, &mut rng(2)), Rule::Hebbian).unwrap();
    let short = DVector::from_element(3, 1.0);
    assert!(net.recall(&short).is_err());
    assert!(net.recall_async(&short, &mut rng(0)).is_err());
    assert!(net.energy(&short).is_err());
    assert!(
        net.recall(&DVector::from_column_slice(&[1.0, 0.5, 1.0, 1.0]))
            .is_err()
    );
    assert!(net.recall_batch(&DMatrix::zeros(4, 0)).is_err());
    assert!(net.recall_batch(&DMatrix::from_element(3, 2, 1.0)).is_err());
    let mut s = DVector::from_element(4, 1.0);
    assert!(net.sweep_async(&mut s, &[0, 4]).is_err());
    assert!(net.step_sync(&DVector::from_element(4, 2.0)).is_err());
    assert!(net.field(&short).is_err());
    assert!(net.is_fixed_point(&short).is_err());

    // construction
    let b = || Hopfield::<f64>::builder(3, Rule::Hebbian);
    assert!(b().build().is_ok());
    assert!(Hopfield::<f64>::builder(0, Rule::Hebbian).build().is_err());
    assert!(b().max_sweeps(0).build().is_err());
    assert!(b().tie_tolerance(-1.0).build().is_err());
    assert!(b().tie_tolerance(f64::INFINITY).build().is_err());
    assert!(b().thresholds(DVector::zeros(2)).build().is_err());
    assert!(
        Hopfield::<f64>::builder(1, Rule::Hebbian)
            .thresholds(DVector::from_element(1, f64::NAN))
            .build()
            .is_err()
    );
    // N × N weights that cannot exist are an error, not an abort
    assert!(matches!(
        Hopfield::<f64>::builder(usize::MAX / 2, Rule::Hebbian).build(),
        Err(Error::InvalidParameter { name: "n", .. })
    ));
    assert!(
        Hopfield::<f64>::builder(1 << 40, Rule::Storkey)
            .build()
            .is_err()
    );
    let asym = DMatrix::from_row_slice(2, 2, &[0.0, 1.0, 0.5, 0.0]);
    assert!(Hopfield::from_weights(asym).is_err());
    let diag = DMatrix::from_row_slice(2, 2, &[1.0, 1.0, 1.0, 0.0]);
    assert!(Hopfield::from_weights(diag).is_err());
    assert!(Hopfield::from_weights(DMatrix::<f64>::zeros(2, 3)).is_err());
    assert!(Hopfield::from_weights(DMatrix::<f64>::zeros(0, 0)).is_err());
    let inf = DMatrix::from_row_slice(2, 2, &[0.0, f64::INFINITY, f64::INFINITY, 0.0]);
    assert!(Hopfield::from_weights(inf).is_err());
    assert!(
        Hopfield::builder_from_weights(DMatrix::<f64>::zeros(2, 2))
            .thresholds(DVector::zeros(3))
            .build()
            .is_err()
    );
    let mut given = Hopfield::from_weights(DMatrix::<f64>::zeros(2, 2)).unwrap();
    assert_eq!(given.rule(), None);
    assert!(given.store(&DMatrix::from_element(2, 1, 1.0)).is_err());

    // Recurrent::run
    assert!(net.run(&Sequence::zeros(1, 3, 1), None).is_err());
    // a 0-row input claiming more steps than memory holds: an error, not an abort
    let huge = Sequence::new(DMatrix::<f64>::zeros(0, usize::MAX / 2), 1).unwrap();
    assert!(matches!(
        net.run(&huge, None),
        Err(Error::InvalidParameter { .. })
    ));
    let wide = Sequence::new(DMatrix::<f64>::zeros(0, 0), usize::MAX / 2).unwrap();
    assert!(net.run(&wide, None).is_err());
    assert!(
        net.run(
            &Sequence::zeros(0, 3, 2),
            Some(&DMatrix::from_element(4, 1, 1.0))
        )
        .is_err()
    );
    assert!(
        net.run(
            &Sequence::zeros(0, 3, 1),
            Some(&DMatrix::from_element(4, 1, 0.0))
        )
        .is_err()
    );

    // 0/1 conversion
    assert!(to_bipolar(&DMatrix::from_element(2, 2, 0.5f32)).is_err());

    // modern
    assert!(ModernHopfield::<f64>::builder(0, 1.0).build().is_err());
    assert!(ModernHopfield::<f64>::builder(3, 0.0).build().is_err());
    assert!(ModernHopfield::<f64>::builder(3, f64::NAN).build().is_err());
    assert!(
        ModernHopfield::<f64>::builder(3, 1.0)
            .max_steps(0)
            .build()
            .is_err()
    );
    assert!(
        ModernHopfield::<f64>::builder(3, 1.0)
            .tolerance(-1.0)
            .build()
            .is_err()
    );
    assert!(
        ModernHopfield::<f64>::builder(3, 1.0)
            .tolerance(f64::NAN)
            .build()
            .is_err()
    );
    let mut m = ModernHopfield::<f64>::builder(3, 1.0).build().unwrap();
    assert!(matches!(
        m.recall(&DVector::zeros(3)),
        Err(Error::Empty { .. })
    ));
    assert!(m.store(&DMatrix::zeros(3, 0)).is_err());
    assert!(m.store(&DMatrix::zeros(2, 1)).is_err());
    assert!(m.store(&DMatrix::from_element(3, 1, f64::NAN)).is_err());
    m.store(&DMatrix::from_element(3, 1, 1.0)).unwrap();
    assert!(m.recall(&DVector::zeros(2)).is_err());
    assert!(m.recall(&DVector::from_element(3, f64::INFINITY)).is_err());
    assert!(m.energy(&DVector::zeros(4)).is_err());

    // continuous
    let w = DMatrix::<f64>::from_row_slice(2, 2, &[0.0, 1.0, 2.0, 0.0]);
    assert!(
        ContinuousHopfield::builder(w, DVector::zeros(2))
            .build()
            .is_err()
    );
    let cb = || ContinuousHopfield::builder(DMatrix::<f64>::zeros(2, 2), DVector::zeros(2));
    let c = cb().build().unwrap();
    assert!(
        ContinuousHopfield::builder(DMatrix::<f64>::zeros(2, 2), DVector::zeros(3))
            .build()
            .is_err()
    );
    assert!(cb().dt(0.0).build().is_err());
    assert!(cb().u0(-1.0).build().is_err());
    assert!(cb().tau(f64::NAN).build().is_err());
    assert!(cb().tau(f64::INFINITY).build().is_err());
    assert!(c.run(&DVector::zeros(3), 10, 1e-6).is_err());
    assert!(
        c.run(&DVector::from_element(2, f64::NAN), 10, 1e-6)
            .is_err()
    );
    assert!(c.energy(&DVector::from_element(2, 1.5)).is_err());
    let diverge = ContinuousHopfield::builder(DMatrix::from_element(1, 1, 2.0), DVector::zeros(1))
        .dt(1e300)
        .build()
        .unwrap();
    assert!(matches!(
        diverge.run(&DVector::from_element(1, 5.0), 10, 0.0),
        Err(Error::NonFinite { .. })
    ));
}

/// The builders keep what they are given and check it in `build()`.
#[test]
fn builders_set_and_report_every_setting() {
    let theta = DVector::from_column_slice(&[0.5, -0.25, 0.0]);
    let net = Hopfield::<f64>::builder(3, Rule::Storkey)
        .thresholds(theta.clone())
        .max_sweeps(9)
        .tie_tolerance(1e-6)
        .build()
        .unwrap();
    assert_eq!(net.rule(), Some(Rule::Storkey));
    assert_eq!(net.thresholds(), &theta);
    assert_eq!((net.max_sweeps(), net.tie_tolerance()), (9, 1e-6));
    assert_eq!(net.weights(), &DMatrix::zeros(3, 3));
    // the defaults
    let d = Hopfield::<f32>::builder(2, Rule::Hebbian).build().unwrap();
    assert_eq!(
        (d.max_sweeps(), d.tie_tolerance()),
        (100, 100.0 * f32::EPSILON)
    );
    assert_eq!(
        Hopfield::<f64>::builder(2, Rule::Hebbian)
            .build()
            .unwrap()
            .tie_tolerance(),
        1e-9
    );
    // from_patterns = builder + store
    let x = patterns::<f64>(12, 3, &mut rng(6));
    let mut built = Hopfield::builder(12, Rule::PseudoInverse).build().unwrap();
    built.store(&x).unwrap();
    assert_eq!(
        built,
        Hopfield::from_patterns(&x, Rule::PseudoInverse).unwrap()
    );

    let c = ContinuousHopfield::<f32>::builder(DMatrix::zeros(2, 2), DVector::zeros(2))
        .build()
        .unwrap();
    assert_eq!((c.tau(), c.u0(), c.dt()), (1.0, 0.02, 1e-5));
    let m = ModernHopfield::<f64>::builder(4, 3.0).build().unwrap();
    assert_eq!((m.beta(), m.max_steps(), m.tolerance()), (3.0, 100, 1e-6));
    assert_eq!(m.n_patterns(), 0);
}

/// Given weights: an exactly symmetric matrix is kept bit for bit; a nearly symmetric one
/// is averaged without overflowing, even next to the largest float.
#[test]
fn given_weights_are_symmetrised_without_overflow() {
    let w = DMatrix::from_row_slice(3, 3, &[0.0, 0.1, -0.7, 0.1, 0.0, 0.3, -0.7, 0.3, 0.0]);
    assert_eq!(Hopfield::from_weights(w.clone()).unwrap().weights(), &w);
    let big = f64::MAX;
    let near = big * (1.0 - 1e-12);
    let w = DMatrix::from_row_slice(2, 2, &[0.0, big, near, 0.0]);
    let net = Hopfield::from_weights(w).unwrap();
    let (a, b) = (net.weights()[(0, 1)], net.weights()[(1, 0)]);
    assert!(a.is_finite() && a == b && a >= near && a <= big, "{a}");
    // opposite signs are not symmetric, and their difference overflows: still an error
    let w = DMatrix::from_row_slice(2, 2, &[0.0, big, -big, 0.0]);
    assert!(Hopfield::from_weights(w).is_err());
}

/// Fields that overflow to NaN (weights of ±f64::MAX) never flip their unit, and recall
/// ends at once instead of sweeping to `max_sweeps` without a change.
#[test]
fn recall_ends_when_fields_are_not_numbers() {
    let m = f64::MAX;
    let w = DMatrix::from_row_slice(3, 3, &[0.0, m, -m, m, 0.0, m, -m, m, 0.0]);
    let net = Hopfield::builder_from_weights(w)
        .max_sweeps(1000)
        .build()
        .unwrap();
    // one flip turns the fields of units 0 and 2 into ∞ − ∞
    let probe = DVector::from_column_slice(&[-1.0, 1.0, -1.0]);
    let r = net.recall_async(&probe, &mut rng(1)).unwrap();
    assert!(r.converged());
    assert!(r.steps <= 2, "{} sweeps", r.steps);
    assert!(net.recall_sync(&probe).unwrap().steps <= 2);
}

#[test]
fn error_messages_name_the_problem() {
    let mut net = Hopfield::<f64>::builder(3, Rule::Hebbian).build().unwrap();
    let e = net
        .store(&DMatrix::from_column_slice(3, 1, &[1.0, 1.0, 0.0]))
        .unwrap_err();
    assert!(e.to_string().contains("row 2"), "{e}");
    let e = net.store(&DMatrix::from_element(4, 2, 1.0)).unwrap_err();
    assert!(e.to_string().contains("4x2"), "{e}");
}

#[test]
fn public_types_are_send_sync() {
    fn ok<T: Send + Sync>() {}
    ok::<Hopfield<f32>>();
    ok::<ModernHopfield<f64>>();
    ok::<ContinuousHopfield<f64>>();
    ok::<recurrent::hopfield::BatchRecall<f64>>();
}

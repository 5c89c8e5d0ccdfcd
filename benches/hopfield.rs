//! Hopfield networks: storing with each rule, synchronous batch recall of 100 noisy probes,
//! one asynchronous recall; N = 1000, p = 100 for every rule and N = 4096, p = 200 for the
//! Hebbian rule, f64 as the numpy reference (`bench_hopfield.py` of the peers folder).
//!
//! `cargo bench --bench hopfield`

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use nalgebra::{DMatrix, DVector};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use recurrent::hopfield::{Hopfield, Rule};
use std::hint::black_box;
use std::time::Duration;

/// Patterns (N × p) and 100 probes: the first 100 patterns with 10 % of their bits flipped.
fn problem(n: usize, p: usize) -> (DMatrix<f64>, DMatrix<f64>) {
    let mut r = Xoshiro256PlusPlus::seed_from_u64(7 + n as u64);
    let x = DMatrix::from_fn(n, p, |_, _| if r.random::<bool>() { 1.0 } else { -1.0 });
    let mut probes = x.columns(0, 100).into_owned();
    let k = n / 10;
    for b in 0..100 {
        let mut idx: Vec<usize> = (0..n).collect();
        for i in 0..k {
            let j = r.random_range(i..n);
            idx.swap(i, j);
            probes[(idx[i], b)] = -probes[(idx[i], b)];
        }
    }
    (x, probes)
}

fn rule_name(rule: Rule) -> &'static str {
    match rule {
        Rule::Hebbian => "hebbian",
        Rule::Storkey => "storkey",
        Rule::PseudoInverse => "pinv",
        _ => "other",
    }
}

fn bench_store(c: &mut Criterion) {
    let mut g = c.benchmark_group("hopfield_store");
    g.sample_size(20).measurement_time(Duration::from_secs(4));
    for (n, p, rules) in [
        (
            1000,
            100,
            &[Rule::Hebbian, Rule::Storkey, Rule::PseudoInverse][..],
        ),
        (4096, 200, &[Rule::Hebbian][..]),
    ] {
        let (x, _) = problem(n, p);
        for &rule in rules {
            g.bench_with_input(
                BenchmarkId::new(rule_name(rule), format!("N={n},p={p}")),
                &x,
                |b, x| b.iter(|| Hopfield::from_patterns(black_box(x), rule).unwrap()),
            );
        }
    }
    g.finish();
}

fn bench_recall(c: &mut Criterion) {
    let mut g = c.benchmark_group("hopfield_recall_sync_batch100");
    g.sample_size(20).measurement_time(Duration::from_secs(4));
    let cases = [
        (
            1000,
            100,
            &[Rule::Hebbian, Rule::Storkey, Rule::PseudoInverse][..],
        ),
        (4096, 200, &[Rule::Hebbian][..]),
    ];
    for (n, p, rules) in cases {
        let (x, probes) = problem(n, p);
        for &rule in rules {
            let net = Hopfield::from_patterns(&x, rule).unwrap();
            g.bench_with_input(
                BenchmarkId::new(rule_name(rule), format!("N={n},p={p}")),
                &probes,
                |b, probes| b.iter(|| net.recall_batch(black_box(probes)).unwrap()),
            );
        }
    }
    g.finish();

    let mut g = c.benchmark_group("hopfield_recall_async_one");
    for (n, p, rules) in cases {
        let (x, probes) = problem(n, p);
        let probe: DVector<f64> = probes.column(0).into_owned();
        for &rule in rules {
            let net = Hopfield::from_patterns(&x, rule).unwrap();
            g.bench_with_input(
                BenchmarkId::new(rule_name(rule), format!("N={n},p={p}")),
                &probe,
                |b, probe| {
                    b.iter(|| {
                        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
                        net.recall_async(black_box(probe), &mut rng).unwrap()
                    })
                },
            );
        }
    }
    g.finish();
}

criterion_group!(benches, bench_store, bench_recall);
criterion_main!(benches);

//! BPTT against RTRL: time per step as the hidden layer grows, in one group so the report
//! shows the two growth curves side by side (BPTT ~N², RTRL ~N⁴).
//!
//! An Elman cell with 8 inputs and 8 outputs, f64, batch 1. RTRL: one online step
//! ([`Rtrl::step`]), N ∈ {8, 16, 32, 64}. BPTT: forward and backward over T = 64 steps divided
//! by T, N ∈ {8, 16, …, 512}.
//!
//! `cargo bench --bench grad`

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use nalgebra::DMatrix;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, StandardNormal};
use recurrent::grad::{Batch, Bptt, Loss, Rtrl};
use recurrent::{Elman, Sequence};
use std::hint::black_box;
use std::time::{Duration, Instant};

const INPUT: usize = 8;
const OUTPUT: usize = 8;
const T: usize = 64;

fn random(rows: usize, cols: usize, rng: &mut Xoshiro256PlusPlus) -> DMatrix<f64> {
    DMatrix::from_fn(rows, cols, |_, _| StandardNormal.sample(rng))
}

fn bptt_vs_rtrl(c: &mut Criterion) {
    let mut group = c.benchmark_group("bptt_vs_rtrl");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for k in 3..=9 {
        let n = 1usize << k;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(n as u64);
        let cell = Elman::<f64>::builder(INPUT, n, OUTPUT)
            .build(&mut rng)
            .expect("valid sizes");
        let xs = random(INPUT, T, &mut rng);
        let ds = random(OUTPUT, T, &mut rng);
        let loss = Loss::sum_squared();
        let (x, d) = (
            Sequence::new(xs.clone(), 1).expect("one column per step"),
            Sequence::new(ds.clone(), 1).expect("one column per step"),
        );
        let mut ws = Bptt::new(&cell, T, 1);
        group.bench_function(BenchmarkId::new("bptt", n), |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(ws.compute(&cell, Batch::new(&x, &d), loss).expect("finite"));
                }
                start.elapsed() / T as u32
            })
        });
        if n <= 64 {
            let mut online = Rtrl::new(&cell, 1).expect("batch 1");
            let mut t = 0;
            group.bench_function(BenchmarkId::new("rtrl", n), |b| {
                b.iter(|| {
                    t = (t + 1) % T;
                    black_box(
                        online
                            .step(&cell, xs.columns(t, 1), ds.columns(t, 1), loss)
                            .expect("finite"),
                    )
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bptt_vs_rtrl);
criterion_main!(benches);

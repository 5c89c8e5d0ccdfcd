//! Elman forward and forward + BPTT on the four configurations the peers (PyTorch, JAX) were
//! measured on: (a) B=1, I=8, H=32, O=8, T=100; (b) B=1, I=8, H=128, O=8, T=100;
//! (c) B=32, I=64, H=256, O=64, T=100; (d) B=64, I=128, H=512, O=128, T=50.
//! Loss: summed squared error over all steps; gradients for all weights.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use nalgebra::DMatrix;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, StandardNormal};
use recurrent::grad::{Batch, Bptt, Loss};
use recurrent::scalar::{Real, lit};
use recurrent::{Cell, Elman, Parameters, Sequence};
use std::hint::black_box;
use std::time::Duration;

/// (name, B, I, H, O, T)
const CONFIGS: [(&str, usize, usize, usize, usize, usize); 4] = [
    ("a", 1, 8, 32, 8, 100),
    ("b", 1, 8, 128, 8, 100),
    ("c", 32, 64, 256, 64, 100),
    ("d", 64, 128, 512, 128, 50),
];

fn sequence<T: Real>(
    dim: usize,
    steps: usize,
    batch: usize,
    rng: &mut Xoshiro256PlusPlus,
) -> Sequence<T> {
    let m = DMatrix::from_fn(dim, steps * batch, |_, _| {
        let v: f64 = StandardNormal.sample(rng);
        lit::<T>(v)
    });
    Sequence::new(m, batch).expect("whole steps")
}

fn bench_scalar<T: Real>(c: &mut Criterion, dtype: &str) {
    let mut group = c.benchmark_group(format!("elman_{dtype}"));
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    for (name, b, i, h, o, t) in CONFIGS {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let net = Elman::<T>::builder(i, h, o)
            .build(&mut rng)
            .expect("valid sizes");
        let x = sequence::<T>(i, t, b, &mut rng);
        let d = sequence::<T>(o, t, b, &mut rng);
        let mut trace = recurrent::Trace::new(net.cell(), t, b);
        group.bench_function(BenchmarkId::new("forward", name), |bench| {
            bench.iter(|| {
                net.cell()
                    .forward_seq(net.params(), black_box(&x), &mut trace);
                black_box(trace.outputs()[(0, 0)])
            })
        });
        let mut ws = Bptt::new(&net, t, b);
        group.bench_function(BenchmarkId::new("forward_bptt", name), |bench| {
            bench.iter(|| {
                ws.compute(&net, Batch::new(black_box(&x), &d), Loss::sum_squared())
                    .expect("finite")
            })
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    bench_scalar::<f32>(c, "f32");
    bench_scalar::<f64>(c, "f64");
}

criterion_group!(cells, benches);
criterion_main!(cells);

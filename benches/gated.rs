//! LSTM and GRU forward and forward + BPTT on the four configurations of `benches/cells.rs`
//! (the rows the PyTorch peer is run on): (a) B=1, I=8, H=32, O=8, T=100;
//! (b) B=1, I=8, H=128, O=8, T=100; (c) B=32, I=64, H=256, O=64, T=100;
//! (d) B=64, I=128, H=512, O=128, T=50.
//!
//! The model is the cell with a linear read-out on every step (`Stack` of the cell and a
//! `Linear` head, as `torch.nn.LSTM` + `torch.nn.Linear` in
//! `benches/peers/bench_torch_gated.py`); loss: summed squared error over all steps;
//! gradients for all weights.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use nalgebra::DMatrix;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, StandardNormal};
use recurrent::cell::{Gru, Lstm};
use recurrent::grad::{Batch, Bptt, Loss};
use recurrent::net::{Linear, Stack};
use recurrent::scalar::{Real, lit};
use recurrent::{Cell, Net, Parameters, Sequence, Trace};
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

/// The two timed calls for one model on one configuration.
fn bench_model<T: Real, C: Cell<Scalar = T>>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    net: &Net<C>,
    (b, i, o, t): (usize, usize, usize, usize),
    rng: &mut Xoshiro256PlusPlus,
) {
    let x = sequence::<T>(i, t, b, rng);
    let d = sequence::<T>(o, t, b, rng);
    let mut trace = Trace::new(net.cell(), t, b);
    group.bench_function(BenchmarkId::new("forward", name), |bench| {
        bench.iter(|| {
            net.cell()
                .forward_seq(net.params(), black_box(&x), &mut trace);
            black_box(trace.outputs()[(0, 0)])
        })
    });
    let mut ws = Bptt::new(net, t, b);
    group.bench_function(BenchmarkId::new("forward_bptt", name), |bench| {
        bench.iter(|| {
            ws.compute(net, Batch::new(black_box(&x), &d), Loss::sum_squared())
                .expect("finite")
        })
    });
}

fn bench_scalar<T: Real>(c: &mut Criterion, dtype: &str) {
    for cell in ["lstm", "gru"] {
        let mut group = c.benchmark_group(format!("{cell}_{dtype}"));
        group
            .sample_size(20)
            .measurement_time(Duration::from_secs(3))
            .warm_up_time(Duration::from_millis(500));
        for (name, b, i, h, o, t) in CONFIGS {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
            let head = Linear::new(h, o).expect("valid sizes");
            if cell == "lstm" {
                let lstm = Lstm::<T>::builder(i, h)
                    .build(&mut rng)
                    .expect("valid sizes");
                let net = Stack::builder(lstm)
                    .head(head)
                    .build(&mut rng)
                    .expect("fits");
                bench_model(&mut group, name, &net, (b, i, o, t), &mut rng);
            } else {
                let gru = Gru::<T>::builder(i, h)
                    .build(&mut rng)
                    .expect("valid sizes");
                let net = Stack::builder(gru)
                    .head(head)
                    .build(&mut rng)
                    .expect("fits");
                bench_model(&mut group, name, &net, (b, i, o, t), &mut rng);
            }
        }
        group.finish();
    }
}

fn benches(c: &mut Criterion) {
    bench_scalar::<f32>(c, "f32");
    bench_scalar::<f64>(c, "f64");
}

criterion_group!(gated, benches);
criterion_main!(gated);

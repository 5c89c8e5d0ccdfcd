//! Training speed of the word-level language model, in tokens per second (criterion's
//! throughput): one BPTT step (forward, fused softmax + NLL, backward) plus an Adam update on
//! a batch of 32 sentences of 26 tokens, embedding 100 → Elman 128 → softmax over V = 4,749
//! (the KJV task's sizes), f32; and the fused softmax + NLL alone on the same logits.
//!
//! `cargo bench --bench lm`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nalgebra::DMatrix;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use recurrent::grad::{Batch, Bptt, Loss};
use recurrent::lm::{LanguageModel, elman};
use recurrent::text::Vocab;
use recurrent::train::{Adam, Optimizer};
use recurrent::{Parameters, Sequence};
use std::hint::black_box;
use std::time::Duration;

const V: usize = 4749;
const DIM: usize = 100;
const HIDDEN: usize = 128;
const BATCH: usize = 32;
const STEPS: usize = 26;

fn vocab() -> Vocab {
    let mut w = vec!["</s>".to_string(), "<unk>".to_string()];
    w.extend((2..V).map(|i| format!("w{i}")));
    Vocab::from_counts(w.into_iter().map(|w| (w, 1))).expect("distinct words")
}

fn tokens(rng: &mut Xoshiro256PlusPlus) -> Sequence<f32> {
    let m = DMatrix::from_fn(1, STEPS * BATCH, |_, _| {
        rand::RngExt::random_range(rng, 0..V) as f32
    });
    Sequence::new(m, BATCH).expect("batch divides the columns")
}

fn train_step(c: &mut Criterion) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
    let cell = elman::<f32>(DIM, HIDDEN, &mut rng).expect("sizes");
    let mut lm = LanguageModel::builder(vocab(), cell)
        .build(&mut rng)
        .expect("vocabulary");
    let (x, d) = (tokens(&mut rng), tokens(&mut rng));
    let loss = Loss::softmax_cross_entropy();
    let mut ws = Bptt::new(lm.net(), STEPS, BATCH);
    let mut adam = Adam::new(1e-4).expect("rate");
    let mut grad = vec![0.0f32; lm.net().n_params()];
    let mut group = c.benchmark_group("lm");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements((STEPS * BATCH) as u64));
    group.bench_function("train_step_v4749_h128", |b| {
        b.iter(|| {
            let l = ws
                .compute(lm.net(), Batch::new(&x, &d), loss)
                .expect("finite");
            grad.copy_from_slice(ws.grad());
            adam.step(lm.net_mut().params_mut(), &grad).expect("finite");
            black_box(l)
        })
    });
    let z = DMatrix::from_fn(V, STEPS * BATCH, |i, j| {
        ((i * 7 + j * 13) % 101) as f32 * 0.05
    });
    let mut dz = DMatrix::zeros(V, STEPS * BATCH);
    group.bench_function("softmax_nll_v4749", |b| {
        b.iter(|| {
            black_box(
                loss.evaluate(z.as_view(), &d, None, dz.as_view_mut())
                    .expect("finite"),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, train_step);
criterion_main!(benches);
